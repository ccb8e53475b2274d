/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * zipw: a small streaming writer of uncompressed ZIP archives (the "store"
 * method), for downloads of several files that any officer opens without
 * extra software (Windows, macOS and every unzip read them).
 *
 * Only what we need: entries whose size is not known in advance (each data
 * followed by a data descriptor, general purpose bit 3), names in UTF-8
 * (bit 11), a date without a time (00:00 of the day: cutout keeps only days),
 * no ZIP64: at most ZIPW_ENTRIES_MAX entries and ZIPW_TOTAL_MAX bytes in all
 * (zipw refuses more, -1). We write ZIP, we never parse it: there is no
 * reader to fuzz. The output goes through a write function (a pipe to the
 * HTTP answer): nothing touches the disk.
 *
 * Names: zipw_safe_name turns an outside name into one safe in an archive:
 * no "/", "\\", ":", control character or invalid UTF-8 (each becomes '_'),
 * no leading dot or space and no two dots in a row (so never "." or ".." nor
 * any ".." in it), at most ZIPW_NAME_MAX bytes.
 * The paths zipw_begin is given are the caller's: components joined by "/",
 * each made safe.
 */
#ifndef CUTOUT_LIB_ZIPW_H
#define CUTOUT_LIB_ZIPW_H

#include <stddef.h>
#include <stdint.h>

#define ZIPW_ENTRIES_MAX 10000
#define ZIPW_TOTAL_MAX ((uint64_t)0xF0000000) /* < 4 GiB: offsets fit 32 bits */
#define ZIPW_NAME_MAX 200
#define ZIPW_PATH_MAX 512

typedef int (*zipw_write_fn)(void *ctx, const uint8_t *p, size_t n);

struct zipw_entry {
	char name[ZIPW_PATH_MAX + 1];
	uint32_t crc, size, offset;
	uint16_t dos_date;
};

struct zipw {
	zipw_write_fn w;
	void *ctx;
	struct zipw_entry *e; /* ZIPW_ENTRIES_MAX of them */
	size_t n;
	uint64_t at; /* bytes written */
	int open;    /* an entry is being written */
	int failed;
};

/* 0, or -1 (memory). */
int zipw_init(struct zipw *z, zipw_write_fn w, void *ctx);
/* Starts an entry named path (UTF-8, at most ZIPW_PATH_MAX bytes) dated day (days since 1970). */
int zipw_begin(struct zipw *z, const char *path, int32_t day);
/* Its bytes; -1 past ZIPW_TOTAL_MAX or when the write function fails. */
int zipw_data(struct zipw *z, const uint8_t *p, size_t n);
int zipw_end(struct zipw *z);
/* The central directory: the archive is complete. */
int zipw_finish(struct zipw *z);
void zipw_free(struct zipw *z);
/* A safe archive name for name into out (cap > 5); "file" when nothing is left. */
void zipw_safe_name(const char *name, char *out, size_t cap);

#endif
