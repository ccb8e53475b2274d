/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * buf: a growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * Every buffer is created with a maximum size; an append that would pass it
 * fails with BUF_TOO_LARGE and leaves the buffer as it was. The contents are
 * always NUL-terminated (the NUL is not counted in len) so text can be used
 * as a C string. buf_wipe_free() zeroes the memory before freeing it, for
 * buffers that held secrets.
 */
#ifndef CUTOUT_LIB_BUF_H
#define CUTOUT_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum buf_result {
	BUF_OK = 0,
	BUF_NOMEM,
	BUF_TOO_LARGE,
};

struct buf {
	uint8_t *data; /* NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap; /* hard maximum of len */
};

void buf_init(struct buf *b, size_t cap);
/* Frees the memory; the buffer can be reused (empty, same cap). */
void buf_release(struct buf *b);
/* Zeroes then frees; for buffers that held secrets. */
void buf_wipe_release(struct buf *b);
/* Sets len to 0, keeping the allocation. */
void buf_reset(struct buf *b);

__attribute__((warn_unused_result)) enum buf_result buf_append(struct buf *b, const void *p,
                                                               size_t n);
__attribute__((warn_unused_result)) enum buf_result buf_append_str(struct buf *b, const char *s);
__attribute__((warn_unused_result)) enum buf_result buf_append_byte(struct buf *b, uint8_t c);
__attribute__((warn_unused_result, format(printf, 2, 3))) enum buf_result
buf_printf(struct buf *b, const char *fmt, ...);
__attribute__((warn_unused_result)) enum buf_result buf_vprintf(struct buf *b, const char *fmt,
                                                                va_list ap);
/* Removes the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* The contents as a C string ("" when empty). */
const char *buf_str(const struct buf *b);

#endif
