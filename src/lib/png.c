/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* png: a PNG from RGB pixels (lib/png.h): signature, IHDR, one IDAT, IEND. */
#include "lib/png.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/banned.h"

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A chunk of type t whose n data bytes are already at out->data + at + 8. */
static int chunk_close(struct buf *out, size_t at, const char t[4], size_t n)
{
	if (n > 0x7fffffff)
		return -1;
	be32(out->data + at, (uint32_t)n);
	memcpy(out->data + at + 4, t, 4);
	uLong crc = crc32(0, out->data + at + 4, (uInt)(n + 4));
	uint8_t c[4];
	be32(c, (uint32_t)crc);
	return buf_append(out, c, 4) == BUF_OK ? 0 : -1;
}

int png_write(uint32_t w, uint32_t h, const uint8_t *rgb, struct buf *out)
{
	if (w == 0 || h == 0 || w > 0x7fffffff / 3 || h > 0x7fffffff)
		return -1;
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t ihdr[8 + 13] = {0};
	be32(ihdr + 8, w);
	be32(ihdr + 12, h);
	ihdr[16] = 8; /* bit depth */
	ihdr[17] = 2; /* truecolour */
	size_t start = out->len;
	if (buf_append(out, sig, sizeof sig) != BUF_OK ||
	    buf_append(out, ihdr, sizeof ihdr) != BUF_OK ||
	    chunk_close(out, start + 8, "IHDR", 13) != 0)
		goto fail;
	size_t at = out->len;
	uint8_t room[8] = {0};
	if (buf_append(out, room, sizeof room) != BUF_OK)
		goto fail;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit(&z, Z_BEST_SPEED) != Z_OK)
		goto fail;
	uint8_t chunk[65536];
	int rc = Z_OK;
	size_t row = (size_t)w * 3;
	for (uint32_t y = 0; y <= h && rc == Z_OK; y++) {
		static const uint8_t none = 0; /* filter type 0 before each row */
		int last = y == h;
		for (int part = 0; part < (last ? 1 : 2) && rc == Z_OK; part++) {
			z.next_in = last        ? NULL
			            : part == 0 ? (Bytef *)(uintptr_t)&none
			                        : (Bytef *)(uintptr_t)(rgb + y * row);
			z.avail_in = last ? 0 : part == 0 ? 1 : (uInt)row;
			do {
				z.next_out = chunk;
				z.avail_out = sizeof chunk;
				rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
				if (rc == Z_BUF_ERROR)
					rc = Z_OK; /* no progress possible this call: not an error
					            */
				if (rc == Z_STREAM_ERROR ||
				    buf_append(out, chunk, sizeof chunk - z.avail_out) != BUF_OK) {
					rc = Z_STREAM_ERROR;
					break;
				}
			} while (z.avail_out == 0);
		}
	}
	deflateEnd(&z);
	if (rc != Z_STREAM_END || chunk_close(out, at, "IDAT", out->len - at - 8) != 0)
		goto fail;
	uint8_t iend[8] = {0};
	size_t e = out->len;
	if (buf_append(out, iend, sizeof iend) != BUF_OK || chunk_close(out, e, "IEND", 0) != 0)
		goto fail;
	return 0;
fail:
	out->len = start < out->len ? start : out->len;
	return -1;
}
