/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_wipe_release(struct buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->alloc);
	buf_release(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = 0;
}

/* Makes room for n more bytes plus the terminating NUL. */
static enum buf_result buf_reserve(struct buf *b, size_t n)
{
	if (n > b->cap || b->len > b->cap - n)
		return BUF_TOO_LARGE;
	size_t need = b->len + n + 1;
	if (need <= b->alloc)
		return BUF_OK;
	size_t na = b->alloc ? b->alloc : 64;
	while (na < need) {
		if (na > SIZE_MAX / 2) {
			na = need;
			break;
		}
		na *= 2;
	}
	if (na > b->cap + 1)
		na = b->cap + 1;
	uint8_t *p = malloc(na);
	if (p == NULL)
		return BUF_NOMEM;
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		/* Never leave a copy behind: a buffer may hold secrets. */
		sodium_memzero(b->data, b->alloc);
		free(b->data);
	}
	b->data = p;
	b->alloc = na;
	return BUF_OK;
}

enum buf_result buf_append(struct buf *b, const void *p, size_t n)
{
	enum buf_result r = buf_reserve(b, n);
	if (r != BUF_OK)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return BUF_OK;
}

enum buf_result buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum buf_result buf_append_byte(struct buf *b, uint8_t c)
{
	return buf_append(b, &c, 1);
}

enum buf_result buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return BUF_NOMEM;
	enum buf_result r = buf_reserve(b, (size_t)n);
	if (r != BUF_OK)
		return r;
	int m = vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	if (m != n)
		return BUF_NOMEM;
	b->len += (size_t)n;
	return BUF_OK;
}

enum buf_result buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum buf_result r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = 0;
}

const char *buf_str(const struct buf *b)
{
	return b->data != NULL ? (const char *)b->data : "";
}
