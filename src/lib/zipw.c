/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* zipw: an uncompressed ZIP written as a stream (zipw.h; APPNOTE 6.3.10 §4.3, §4.4). */
#include "lib/zipw.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/utf8.h"

#include "lib/banned.h"

#define FLAGS 0x0808u /* bit 3: sizes in a data descriptor; bit 11: UTF-8 names */
#define VERSION 20u   /* 2.0: stored, data descriptors */

static void le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static int out(struct zipw *z, const void *p, size_t n)
{
	if (z->failed)
		return -1;
	if (n > ZIPW_TOTAL_MAX - z->at + 65536 * 2 || z->w(z->ctx, p, n) != 0) {
		z->failed = 1;
		return -1;
	}
	z->at += n;
	return 0;
}

/* The MS-DOS date of day (1980 to 2107; clamped). */
static uint16_t dos_date(int32_t day)
{
	/* civil from days (H. Hinnant's algorithm) */
	int64_t zd = (int64_t)day + 719468;
	int64_t era = (zd >= 0 ? zd : zd - 146096) / 146097;
	int64_t doe = zd - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 1980)
		return (uint16_t)((0 << 9) | (1 << 5) | 1);
	if (y > 2107)
		y = 2107;
	return (uint16_t)(((y - 1980) << 9) | (m << 5) | d);
}

int zipw_init(struct zipw *z, zipw_write_fn w, void *ctx)
{
	memset(z, 0, sizeof *z);
	z->w = w;
	z->ctx = ctx;
	z->e = calloc(ZIPW_ENTRIES_MAX, sizeof *z->e);
	return z->e != NULL ? 0 : -1;
}

int zipw_begin(struct zipw *z, const char *path, int32_t day)
{
	size_t len = strlen(path);
	if (z->failed || z->open || z->n >= ZIPW_ENTRIES_MAX || len == 0 || len > ZIPW_PATH_MAX ||
	    z->at > ZIPW_TOTAL_MAX) {
		z->failed = 1;
		return -1;
	}
	struct zipw_entry *e = &z->e[z->n];
	memcpy(e->name, path, len + 1);
	e->offset = (uint32_t)z->at;
	e->dos_date = dos_date(day);
	e->crc = 0;
	e->size = 0;
	uint8_t h[30] = {0};
	le32(h, 0x04034b50);
	le16(h + 4, VERSION);
	le16(h + 6, FLAGS);
	le16(h + 8, 0);  /* stored */
	le16(h + 10, 0); /* 00:00 */
	le16(h + 12, e->dos_date);
	/* crc and sizes 0: in the data descriptor */
	le16(h + 26, (uint32_t)len);
	if (out(z, h, sizeof h) != 0 || out(z, path, len) != 0)
		return -1;
	z->open = 1;
	return 0;
}

int zipw_data(struct zipw *z, const uint8_t *p, size_t n)
{
	struct zipw_entry *e = &z->e[z->n];
	if (!z->open || (uint64_t)e->size + n > ZIPW_TOTAL_MAX) {
		z->failed = 1;
		return -1;
	}
	for (size_t done = 0; done < n;) {
		uInt k = n - done > (1u << 30) ? (1u << 30) : (uInt)(n - done);
		e->crc = (uint32_t)crc32(e->crc, p + done, k);
		done += k;
	}
	if (out(z, p, n) != 0)
		return -1;
	e->size += (uint32_t)n;
	return 0;
}

int zipw_end(struct zipw *z)
{
	if (!z->open) {
		z->failed = 1;
		return -1;
	}
	struct zipw_entry *e = &z->e[z->n];
	uint8_t d[16];
	le32(d, 0x08074b50);
	le32(d + 4, e->crc);
	le32(d + 8, e->size);
	le32(d + 12, e->size);
	if (out(z, d, sizeof d) != 0)
		return -1;
	z->open = 0;
	z->n++;
	return 0;
}

int zipw_finish(struct zipw *z)
{
	if (z->open || z->failed)
		return -1;
	uint64_t start = z->at;
	for (size_t i = 0; i < z->n; i++) {
		const struct zipw_entry *e = &z->e[i];
		size_t len = strlen(e->name);
		uint8_t h[46] = {0};
		le32(h, 0x02014b50);
		le16(h + 4, (3u << 8) | VERSION); /* made by: UNIX */
		le16(h + 6, VERSION);
		le16(h + 8, FLAGS);
		le16(h + 12, 0);
		le16(h + 14, e->dos_date);
		le32(h + 16, e->crc);
		le32(h + 20, e->size);
		le32(h + 24, e->size);
		le16(h + 28, (uint32_t)len);
		le32(h + 38, 0100644u << 16); /* a regular file, rw-r--r-- */
		le32(h + 42, e->offset);
		if (out(z, h, sizeof h) != 0 || out(z, e->name, len) != 0)
			return -1;
	}
	if (z->at > 0xFFFFFFFFu)
		return -1;
	uint8_t end[22] = {0};
	le32(end, 0x06054b50);
	le16(end + 8, (uint32_t)z->n);
	le16(end + 10, (uint32_t)z->n);
	le32(end + 12, (uint32_t)(z->at - start));
	le32(end + 16, (uint32_t)start);
	return out(z, end, sizeof end);
}

void zipw_free(struct zipw *z)
{
	if (z->e != NULL) {
		memset(z->e, 0, ZIPW_ENTRIES_MAX * sizeof *z->e); /* the names were the source's */
		free(z->e);
	}
	memset(z, 0, sizeof *z);
}

void zipw_safe_name(const char *name, char *o, size_t cap)
{
	size_t len = strlen(name), k = 0;
	int utf8 = utf8_count((const uint8_t *)name, len) >= 0;
	size_t max = cap - 1 < ZIPW_NAME_MAX ? cap - 1 : ZIPW_NAME_MAX;
	for (size_t i = 0; i < len && k < max; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (k == 0 && (ch == '.' || ch == ' '))
			continue;
		if (ch >= 0x80 && utf8) { /* a whole character, or none */
			size_t n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;
			if (i + n > len || k + n > max)
				break;
			memcpy(o + k, name + i, n);
			k += n;
			i += n - 1;
			continue;
		}
		int bad = ch < 0x20 || ch == 0x7f || ch >= 0x80 || ch == '/' || ch == '\\' ||
		          ch == ':' ||
		          (ch == '.' && o[k - 1] == '.'); /* k > 0: leading dots skipped */
		o[k++] = bad ? '_' : (char)ch;
	}
	if (k == 0) {
		memcpy(o, "file", 5);
		return;
	}
	o[k] = '\0';
}
