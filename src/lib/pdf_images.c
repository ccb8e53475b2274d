/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pdf_images: a PDF of images only (lib/pdf.h), written here byte by byte:
 * a catalog, a page tree, and per page a page object, a content stream that
 * paints one image, the image (8-bit RGB, Flate at zlib's fastest level:
 * the pixels are the costly part) and its length. Every byte of the file is
 * one of these: nothing else can be in it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/pdf.h"

#include "lib/banned.h"

#define OBJS_MAX (2 + 4 * 10000) /* catalog, tree, 4 per page (RENDER_PAGES_MAX) */

struct pdf_images {
	struct buf *out;
	size_t start; /* where the PDF begins in out */
	size_t *offs; /* of object k (1-based) from start; 0: not yet written */
	uint32_t pages;
	int failed;
};

static void put(struct pdf_images *p, const void *d, size_t n)
{
	if (!p->failed && buf_append(p->out, d, n) != BUF_OK)
		p->failed = 1;
}

__attribute__((format(printf, 2, 3))) static void putf(struct pdf_images *p, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		p->failed = 1;
	else
		put(p, line, (size_t)n);
}

static void obj_begin(struct pdf_images *p, uint32_t k)
{
	p->offs[k] = p->out->len - p->start;
	putf(p, "%u 0 obj\n", k);
}

struct pdf_images *pdf_images_begin(struct buf *out)
{
	struct pdf_images *p = calloc(1, sizeof *p);
	if (p == NULL || (p->offs = calloc(OBJS_MAX + 1, sizeof *p->offs)) == NULL) {
		free(p);
		return NULL;
	}
	p->out = out;
	p->start = out->len;
	put(p, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
	obj_begin(p, 1);
	putf(p, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	if (p->failed)
		pdf_images_free(&p);
	return p;
}

/* The pixels, deflated into out as they come (no copy of the page is made). */
static int deflate_into(struct pdf_images *p, const uint8_t *rgb, size_t n, size_t *len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit(&z, Z_BEST_SPEED) != Z_OK)
		return -1;
	uint8_t chunk[65536];
	size_t done = 0;
	int rc = Z_OK;
	*len = 0;
	while (rc != Z_STREAM_END && !p->failed) {
		size_t take = n - done < (1u << 30) ? n - done : (1u << 30);
		z.next_in = (Bytef *)(uintptr_t)(rgb + done);
		z.avail_in = (uInt)take;
		int flush = done + take == n ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			rc = deflate(&z, flush);
			if (rc == Z_STREAM_ERROR)
				break;
			size_t got = sizeof chunk - z.avail_out;
			put(p, chunk, got);
			*len += got;
		} while (z.avail_out == 0 && !p->failed);
		if (rc == Z_STREAM_ERROR)
			break;
		done += take - z.avail_in;
	}
	deflateEnd(&z);
	return rc == Z_STREAM_END && !p->failed ? 0 : -1;
}

int pdf_images_page(struct pdf_images *p, uint32_t w, uint32_t h, const uint8_t *rgb, uint32_t dpi)
{
	if (p == NULL || p->failed || w == 0 || h == 0 || w > 32767 || h > 32767 || dpi == 0 ||
	    2 + 4 * (p->pages + 1) > OBJS_MAX)
		return -1;
	uint32_t k = 3 + 4 * p->pages; /* page, contents, image, image length */
	double pw = w * 72.0 / dpi, ph = h * 72.0 / dpi;
	char cs[96];
	int cn = snprintf(cs, sizeof cs, "q %.4f 0 0 %.4f 0 0 cm /I Do Q\n", pw, ph);
	if (cn < 0 || (size_t)cn >= sizeof cs)
		return -1;
	obj_begin(p, k);
	putf(p,
	     "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Contents %u 0 R"
	     " /Resources << /XObject << /I %u 0 R >> >> >>\nendobj\n",
	     pw, ph, k + 1, k + 2);
	obj_begin(p, k + 1);
	putf(p, "<< /Length %d >>\nstream\n", cn);
	put(p, cs, (size_t)cn);
	putf(p, "endstream\nendobj\n");
	obj_begin(p, k + 2);
	putf(p,
	     "<< /Type /XObject /Subtype /Image /Width %u /Height %u /ColorSpace /DeviceRGB"
	     " /BitsPerComponent 8 /Filter /FlateDecode /Length %u 0 R >>\nstream\n",
	     w, h, k + 3);
	size_t len = 0;
	if (deflate_into(p, rgb, (size_t)w * h * 3, &len) != 0) {
		p->failed = 1;
		return -1;
	}
	putf(p, "\nendstream\nendobj\n");
	obj_begin(p, k + 3);
	putf(p, "%zu\nendobj\n", len);
	p->pages++;
	return p->failed ? -1 : 0;
}

int pdf_images_finish(struct pdf_images **pp)
{
	struct pdf_images *p = pp != NULL ? *pp : NULL;
	if (p == NULL)
		return -1;
	int rc = -1;
	if (p->pages == 0 || p->failed)
		goto out;
	obj_begin(p, 2);
	putf(p, "<< /Type /Pages /Count %u /Kids [", p->pages);
	for (uint32_t i = 0; i < p->pages; i++)
		putf(p, "%s%u 0 R", i ? " " : "", 3 + 4 * i);
	putf(p, "] >>\nendobj\n");
	uint32_t n = 3 + 4 * p->pages; /* objects 0..n-1 */
	size_t xref = p->out->len - p->start;
	putf(p, "xref\n0 %u\n0000000000 65535 f \n", n);
	for (uint32_t i = 1; i < n; i++)
		putf(p, "%010zu 00000 n \n", p->offs[i]);
	putf(p, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n, xref);
	rc = p->failed ? -1 : 0;
out:
	pdf_images_free(pp);
	return rc;
}

void pdf_images_free(struct pdf_images **pp)
{
	struct pdf_images *p = pp != NULL ? *pp : NULL;
	if (p == NULL)
		return;
	free(p->offs);
	free(p);
	*pp = NULL;
}
