/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pdf_images: a PDF of images only (lib/pdf.h), written here byte by byte:
 * a catalog, a page tree, and per page a page object, a content stream that
 * paints one image, the image (8-bit RGB, Flate at zlib's fastest level:
 * the pixels are the costly part) and its length. Every byte of the file is
 * one of these: nothing else can be in it. With a text layer (OCR), five
 * objects after the page tree make one font of cutout's own that draws
 * nothing (Type0, Identity-H: a character's code is its UTF-16 unit; every
 * code maps to glyph 1 of a font that is not embedded, and to itself as
 * Unicode), and each page's content stream also shows its words in text
 * render mode 3 (invisible), each scaled over its box.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <sodium.h>
#include <zlib.h>

#include "lib/pdf.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define FONT_OBJS 5 /* Type0 font, CID font, CIDToGIDMap, ToUnicode, descriptor */
#define OBJS_MAX (2 + FONT_OBJS + 4 * 10000) /* catalog, tree, font, 4 a page */
#define CONTENT_MAX ((size_t)32 << 20)       /* a page's content stream (20,000 words) */
#define WORD_HEX (4 * 256 + 1) /* a word of RENDER_WORD_BYTES_MAX bytes as UTF-16 in hex */

struct pdf_images {
	struct buf *out;
	size_t start; /* where the PDF begins in out */
	size_t *offs; /* of object k (1-based) from start; 0: not yet written */
	uint32_t pages;
	uint32_t base; /* the first page's first object: 3, or 3 + FONT_OBJS with text */
	struct libdeflate_compressor *z;
	uint8_t *zbuf; /* a page's pixels deflated */
	size_t zcap;
	int text;
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

/* A stream object k of n bytes (raw, or Flate-compressed when deflated). */
static void stream_obj(struct pdf_images *p, uint32_t k, const void *d, size_t n, int deflated)
{
	obj_begin(p, k);
	putf(p, "<< /Length %zu%s >>\nstream\n", n, deflated ? " /Filter /FlateDecode" : "");
	put(p, d, n);
	putf(p, "\nendstream\nendobj\n");
}

/* The font that draws nothing, objects 3..7 (see the top of the file). */
static void font_objects(struct pdf_images *p)
{
	static const char cmap[] = "/CIDInit /ProcSet findresource begin\n"
	                           "12 dict begin\n"
	                           "begincmap\n"
	                           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
	                           "/Supplement 0 >> def\n"
	                           "/CMapName /Adobe-Identity-UCS def\n"
	                           "/CMapType 2 def\n"
	                           "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
	                           "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
	                           "endcmap\n"
	                           "CMapName currentdict /CMap defineresource pop\n"
	                           "end\nend\n";
	obj_begin(p, 3);
	putf(p, "<< /Type /Font /Subtype /Type0 /BaseFont /CutoutNoGlyph /Encoding /Identity-H"
	        " /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>\nendobj\n");
	obj_begin(p, 4);
	putf(p, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /CutoutNoGlyph"
	        " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
	        " /FontDescriptor 7 0 R /DW 500 /CIDToGIDMap 5 0 R >>\nendobj\n");
	/* every code to glyph 1: 65,536 big-endian 1s, deflated */
	uint8_t *map = malloc(131072), *z = malloc(2048);
	uLongf zn = 2048;
	if (map == NULL || z == NULL) {
		p->failed = 1;
	} else {
		for (size_t i = 0; i < 131072; i++)
			map[i] = (uint8_t)(i & 1);
		if (compress2(z, &zn, map, 131072, Z_BEST_COMPRESSION) != Z_OK)
			p->failed = 1;
		else
			stream_obj(p, 5, z, zn, 1);
	}
	free(map);
	free(z);
	stream_obj(p, 6, cmap, sizeof cmap - 1, 0);
	obj_begin(p, 7);
	putf(p, "<< /Type /FontDescriptor /FontName /CutoutNoGlyph /Flags 5"
	        " /FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent -1"
	        " /CapHeight 1000 /StemV 80 >>\nendobj\n");
}

struct pdf_images *pdf_images_begin(struct buf *out, int text)
{
	struct pdf_images *p = calloc(1, sizeof *p);
	if (p == NULL || (p->offs = calloc(OBJS_MAX + 1, sizeof *p->offs)) == NULL) {
		free(p);
		return NULL;
	}
	p->out = out;
	p->start = out->len;
	p->text = text != 0;
	p->base = p->text ? 3 + FONT_OBJS : 3;
	put(p, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
	obj_begin(p, 1);
	putf(p, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	if (p->text)
		font_objects(p);
	if (p->failed)
		pdf_images_free(&p);
	return p;
}

/*
 * The pixels, deflated (zlib format, as /FlateDecode reads it) by libdeflate
 * at its fastest level into the scratch buffer, then appended to out: the
 * costly part of a conversion (bench/README.md, safeview), faster than
 * zlib's fastest level, for a buffer of the compressed bound per page.
 */
static int deflate_into(struct pdf_images *p, const uint8_t *rgb, size_t n, size_t *len)
{
	if (p->z == NULL && (p->z = libdeflate_alloc_compressor(1)) == NULL)
		return -1;
	size_t bound = libdeflate_zlib_compress_bound(p->z, n);
	if (bound > p->zcap) {
		free(p->zbuf);
		p->zcap = 0;
		if ((p->zbuf = malloc(bound)) == NULL)
			return -1;
		p->zcap = bound;
	}
	*len = libdeflate_zlib_compress(p->z, rgb, n, p->zbuf, p->zcap);
	if (*len == 0)
		return -1;
	put(p, p->zbuf, *len);
	sodium_memzero(p->zbuf, *len); /* the document's pixels, compressed */
	return p->failed ? -1 : 0;
}

/*
 * The words of a page as invisible text into cs: per word a text matrix that
 * puts its baseline at the bottom of its box, its height the box's, and its
 * characters (500 units wide each) stretched over the box's width; then its
 * UTF-16 units in hex. 0, or -1 (cs's cap).
 */
static int words_text(struct buf *cs, const struct pdf_word *words, uint32_t n, double k, double ph)
{
	if (n == 0)
		return 0;
	if (buf_printf(cs, "BT 3 Tr /F 1 Tf\n") != BUF_OK)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct pdf_word *wd = &words[i];
		size_t units = 0;
		char hex[WORD_HEX];
		size_t nh = 0;
		for (size_t j = 0; j < wd->len && nh + 4 < sizeof hex;) {
			uint32_t cp;
			size_t used = utf8_decode((const uint8_t *)wd->text + j, wd->len - j, &cp);
			if (used == 0)
				break;
			j += used;
			if (cp > 0xffff)
				continue; /* past the BMP: left out */
			snprintf(hex + nh, sizeof hex - nh, "%04X", (unsigned)cp);
			nh += 4;
			units++;
		}
		if (units == 0)
			continue;
		double wpt = wd->w * k, hpt = wd->h * k;
		double sx = wpt / (0.5 * (double)units);
		double x = wd->x * k, y = ph - (wd->y + wd->h) * k;
		if (buf_printf(cs, "%.3f 0 0 %.3f %.3f %.3f Tm <%.*s> Tj\n", sx, hpt, x, y, (int)nh,
		               hex) != BUF_OK)
			return -1;
	}
	return buf_printf(cs, "ET\n") == BUF_OK ? 0 : -1;
}

int pdf_images_page(struct pdf_images *p, uint32_t w, uint32_t h, const uint8_t *rgb, uint32_t dpi,
                    const struct pdf_word *words, uint32_t nwords)
{
	if (p == NULL || p->failed || w == 0 || h == 0 || w > 32767 || h > 32767 || dpi == 0 ||
	    p->base + 4 * (p->pages + 1) > OBJS_MAX + 1 || (nwords > 0 && !p->text))
		return -1;
	uint32_t k = p->base + 4 * p->pages; /* page, contents, image, image length */
	double pw = w * 72.0 / dpi, ph = h * 72.0 / dpi;
	struct buf cs;
	buf_init(&cs, CONTENT_MAX);
	if (buf_printf(&cs, "q %.4f 0 0 %.4f 0 0 cm /I Do Q\n", pw, ph) != BUF_OK ||
	    words_text(&cs, words, nwords, 72.0 / dpi, ph) != 0) {
		buf_release(&cs);
		return -1;
	}
	obj_begin(p, k);
	putf(p,
	     "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Contents %u 0 R"
	     " /Resources << /XObject << /I %u 0 R >>%s >> >>\nendobj\n",
	     pw, ph, k + 1, k + 2, p->text ? " /Font << /F 3 0 R >>" : "");
	stream_obj(p, k + 1, cs.data, cs.len, 0);
	buf_release(&cs);
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
		putf(p, "%s%u 0 R", i ? " " : "", p->base + 4 * i);
	putf(p, "] >>\nendobj\n");
	uint32_t n = p->base + 4 * p->pages; /* objects 0..n-1 */
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
	libdeflate_free_compressor(p->z);
	free(p->zbuf);
	free(p->offs);
	free(p);
	*pp = NULL;
}
