/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lib/render: the reader of the child's output refuses every bad number; the
 * whole conversion over a hostile corpus made here (active content, a giant
 * page, a page count past the limit, truncated and false PDFs, a PNG bomb,
 * an office file, garbage) gives a clean PDF or a clear refusal; a child
 * that hangs is killed at the deadline; one that writes lies is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>

#include "lib/buf.h"
#include "lib/render.h"
#include "t.h"

#include "lib/banned.h"

/* ---- the reader ---- */

#define T_CHECK_SILENT(x)        \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

struct seen {
	unsigned pages;
	unsigned words;
	char last[300];
	uint32_t w, h;
	int first_px;
};

static int on_page(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                   const struct pdf_word *words, uint32_t nwords)
{
	struct seen *s = ctx;
	s->words += nwords;
	if (nwords > 0)
		snprintf(s->last, sizeof s->last, "%.*s", (int)words[nwords - 1].len,
		         words[nwords - 1].text);
	s->pages++;
	s->w = w;
	s->h = h;
	s->first_px = rgb[0];
	return 0;
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	if (buf_append(b, x, 4) != BUF_OK)
		abort();
}

static struct render_limits lim(void)
{
	struct render_limits l;
	render_limits_default(&l);
	l.pixel_budget = 1000;
	return l;
}

/* Feeds b to a reader, one byte at a time when bytewise; the end's result if all passed. */
static enum render_result read_all(const struct buf *b, int bytewise, struct seen *s,
                                   uint32_t *pages)
{
	struct render_limits l = lim();
	struct render_reader *r = render_reader_new(&l, on_page, s);
	enum render_result rc = RENDER_OK;
	*pages = 0;
	if (bytewise) {
		for (size_t i = 0; rc == RENDER_OK && i < b->len; i++)
			rc = render_reader_feed(r, b->data + i, 1);
	} else {
		rc = render_reader_feed(r, b->data, b->len);
	}
	if (rc == RENDER_OK)
		rc = render_reader_end(r, pages);
	render_reader_free(&r);
	return rc;
}

static void test_reader(void)
{
	struct buf b;
	struct seen s;
	uint32_t pages;
	buf_init(&b, 1 << 20);
	/* two pages: 2x3 and 10x10 */
	put32(&b, 2);
	put32(&b, 2);
	put32(&b, 3);
	for (int i = 0; i < 18; i++)
		T_CHECK_SILENT(buf_append_byte(&b, 7) == BUF_OK);
	put32(&b, 10);
	put32(&b, 10);
	for (int i = 0; i < 300; i++)
		T_CHECK_SILENT(buf_append_byte(&b, 9) == BUF_OK);
	for (int bw = 0; bw < 2; bw++) {
		memset(&s, 0, sizeof s);
		T_OK(read_all(&b, bw, &s, &pages) == RENDER_OK && pages == 2 && s.pages == 2 &&
		             s.w == 10 && s.first_px == 9,
		     "two whole pages are read (%s)", bw ? "byte by byte" : "at once");
	}
	/* truncated anywhere: refused at the end */
	size_t full = b.len;
	int all_refused = 1;
	for (size_t cut = 0; cut < full; cut += 7) {
		b.len = cut;
		memset(&s, 0, sizeof s);
		if (read_all(&b, 0, &s, &pages) != RENDER_BAD_OUTPUT || pages != 0)
			all_refused = 0;
	}
	T_OK(all_refused, "every truncation of the output is refused");
	b.len = full;
	T_CHECK_SILENT(buf_append_byte(&b, 0) == BUF_OK);
	T_CHECK(read_all(&b, 0, &s, &pages) == RENDER_BAD_OUTPUT); /* a byte after the last page */

	struct {
		uint32_t count, w, h;
		enum render_result want;
		const char *what;
	} bad[] = {
	        {0, 1, 1, RENDER_BAD_OUTPUT, "zero pages"},
	        {10001, 1, 1, RENDER_TOO_MANY_PAGES, "10,001 pages"},
	        {UINT32_MAX, 1, 1, RENDER_TOO_MANY_PAGES, "2^32-1 pages"},
	        {1, 0, 5, RENDER_BAD_OUTPUT, "a width of 0"},
	        {1, 5, 0, RENDER_BAD_OUTPUT, "a height of 0"},
	        {1, 10001, 1, RENDER_TOO_LARGE, "a side of 10,001"},
	        {1, 1, UINT32_MAX, RENDER_TOO_LARGE, "a side of 2^32-1"},
	        {1, 100, 11, RENDER_TOO_LARGE, "1,100 pixels over a budget of 1,000"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&b);
		put32(&b, bad[i].count);
		put32(&b, bad[i].w);
		put32(&b, bad[i].h);
		memset(&s, 0, sizeof s);
		T_OK(read_all(&b, 0, &s, &pages) == bad[i].want && s.pages == 0, "refused: %s",
		     bad[i].what);
	}
	/* the budget is over all pages: 3 pages of 20x20 = 1,200 > 1,000 */
	buf_reset(&b);
	put32(&b, 3);
	for (int p = 0; p < 3; p++) {
		put32(&b, 20);
		put32(&b, 20);
		for (int i = 0; i < 1200; i++)
			T_CHECK_SILENT(buf_append_byte(&b, 1) == BUF_OK);
	}
	memset(&s, 0, sizeof s);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_TOO_LARGE && s.pages == 2,
	     "the pixel budget counts every page: the third is refused before its pixels");
	buf_release(&b);
}

/* ---- the conversion ---- */

static const char *helper = CUTOUT_RENDER_HELPER;

static enum render_result convert(const void *doc, size_t n, struct buf *pdf, uint32_t *pages)
{
	struct render_limits l;
	render_limits_default(&l);
	l.seconds = 30;
	l.pixel_budget = 20000000;
	buf_reset(pdf);
	return render_run(helper, &l, doc, n, pdf, pages);
}

static int pdf_has(const struct buf *pdf, const char *s)
{
	return memmem(pdf->data, pdf->len, s, strlen(s)) != NULL;
}

/* A PDF of one page with every kind of active content. */
static const char HOSTILE[] =
        "%PDF-1.4\n"
        "1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 6 0 R/AcroForm<</Fields[7 0 R]>>"
        "/Names<</EmbeddedFiles<</Names[(x.exe) 8 0 R]>>/JavaScript<</Names[(a) 6 0 R]>>>>>>"
        "endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R"
        "/Resources<</Font<</F1 5 0 R>>>>/Annots[7 0 R 9 0 R]>>endobj\n"
        "4 0 obj<</Length 46>>stream\nBT /F1 24 Tf 20 100 Td (SAFEVIEW TEST) Tj ET\nendstream "
        "endobj\n"
        "5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
        "6 0 obj<</S/JavaScript/JS(app.launchURL('http://evil.example/x');)>>endobj\n"
        "7 0 obj<</Type/Annot/Subtype/Widget/FT/Tx/T(name)/Rect[10 10 100 30]>>endobj\n"
        "8 0 obj<</Type/Filespec/F(x.exe)/EF<</F 10 0 R>>>>endobj\n"
        "9 0 obj<</Type/Annot/Subtype/Link/Rect[0 0 300 200]"
        "/A<</S/URI/URI(http://evil.example/ping)>>>>endobj\n"
        "10 0 obj<</Type/EmbeddedFile/Length 5>>stream\nMZ...\nendstream endobj\n"
        "trailer<</Root 1 0 R>>\n%%EOF\n";

static char *with_box(const char *box, const char *count)
{
	static char out[2048];
	int n = snprintf(out, sizeof out,
	                 "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	                 "2 0 obj<</Type/Pages/Kids[3 0 R]/Count %s>>endobj\n"
	                 "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[%s]>>endobj\n"
	                 "trailer<</Root 1 0 R>>\n%%%%EOF\n",
	                 count, box);
	if (n < 0 || (size_t)n >= sizeof out)
		abort();
	return out;
}

static cairo_status_t png_sink(void *closure, const unsigned char *data, unsigned int length)
{
	return buf_append(closure, data, length) == BUF_OK ? CAIRO_STATUS_SUCCESS
	                                                   : CAIRO_STATUS_WRITE_ERROR;
}

static void test_corpus(void)
{
	struct buf pdf, png;
	uint32_t pages;
	buf_init(&pdf, 64 << 20);
	buf_init(&png, 1 << 20);

	enum render_result rc = convert(HOSTILE, sizeof HOSTILE - 1, &pdf, &pages);
	T_OK(rc == RENDER_OK && pages == 1,
	     "a PDF with JavaScript, a link, a form and an embedded "
	     "file converts (%s)",
	     render_strerror(rc));
	T_OK(pdf.len > 0 && memcmp(pdf.data, "%PDF-", 5) == 0 && pdf_has(&pdf, "/Image"),
	     "the clean copy is a PDF holding an image");
	const char *active[] = {"JavaScript",   "/JS",     "/URI",  "/Annots",      "/AcroForm",
	                        "EmbeddedFile", "/Launch", "/Font", "evil.example", "x.exe"};
	int clean = 1;
	for (size_t i = 0; i < sizeof active / sizeof active[0]; i++)
		if (pdf_has(&pdf, active[i])) {
			clean = 0;
			T_OK(0, "the clean copy holds %s", active[i]);
		}
	T_OK(clean, "the clean copy holds none of: JavaScript, URI, Annots, AcroForm, "
	            "EmbeddedFile, Launch, Font, the original's strings");

	rc = convert(with_box("0 0 200000 200000", "1"), strlen(with_box("0 0 200000 200000", "1")),
	             &pdf, &pages);
	T_OK(rc == RENDER_TOO_LARGE && pages == 0, "a page of 200,000 x 200,000 points: %s",
	     render_strerror(rc));
	rc = convert(with_box("0 0 100 100", "20000"), strlen(with_box("0 0 100 100", "20000")),
	             &pdf, &pages);
	T_OK(rc == RENDER_TOO_MANY_PAGES || rc == RENDER_DAMAGED,
	     "a page tree claiming 20,000 pages: %s", render_strerror(rc));
	rc = convert(HOSTILE, 120, &pdf, &pages);
	T_OK(rc == RENDER_DAMAGED, "a truncated PDF: %s", render_strerror(rc));
	static const char fake[] = "%PDF-1.7\nthis is not a PDF at all, only its first line\n";
	rc = convert(fake, sizeof fake - 1, &pdf, &pages);
	T_OK(rc == RENDER_DAMAGED, "a file that claims to be a PDF: %s", render_strerror(rc));
	static const char text[] = "just some text, no document\n";
	rc = convert(text, sizeof text - 1, &pdf, &pages);
	T_OK(rc == RENDER_NOT_DOCUMENT, "a non-document: %s", render_strerror(rc));
	rc = convert("", 0, &pdf, &pages);
	T_OK(rc == RENDER_NOT_DOCUMENT, "an empty file: %s", render_strerror(rc));
	static const uint8_t ole[16] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	rc = convert(ole, sizeof ole, &pdf, &pages);
	/* LibreOffice installed: the office stage reads it and finds nothing */
	T_OK(rc == (render_office_available() ? RENDER_DAMAGED : RENDER_UNSUPPORTED),
	     "an office file (OLE header only): %s", render_strerror(rc));

	/* a real PNG converts */
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 120, 80);
	cairo_t *cr = cairo_create(img);
	cairo_set_source_rgb(cr, 1, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	T_CHECK(cairo_surface_write_to_png_stream(img, png_sink, &png) == CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(img);
	rc = convert(png.data, png.len, &pdf, &pages);
	T_OK(rc == RENDER_OK && pages == 1, "a PNG converts: %s", render_strerror(rc));

	/* a PNG bomb: its header says 50,000 x 50,000, its data is a few bytes */
	size_t ihdr = 8 + 8; /* signature, IHDR length and type */
	png.data[ihdr + 0] = 0, png.data[ihdr + 1] = 0, png.data[ihdr + 2] = 0xc3,
	                png.data[ihdr + 3] = 0x50; /* 50,000 */
	memcpy(png.data + ihdr + 4, png.data + ihdr, 4);
	rc = convert(png.data, png.len, &pdf, &pages);
	T_OK(rc == RENDER_TOO_LARGE || rc == RENDER_DAMAGED || rc == RENDER_KILLED,
	     "a PNG claiming 50,000 x 50,000 pixels: %s", render_strerror(rc));
	/* a TIFF with absurd dimensions */
	static const uint8_t tiff[] = {
	        'I',  'I',  42,   0,    8,    0,    0, 0, 3,    0,    0x00, 0x01, 4, 0, 1, 0,
	        0,    0,    0xff, 0xff, 0xff, 0x7f,                               /* width */
	        0x01, 0x01, 4,    0,    1,    0,    0, 0, 0xff, 0xff, 0xff, 0x7f, /* height */
	        0x11, 0x01, 4,    0,    1,    0,    0, 0, 8,    0,    0,    0,    0, 0, 0, 0};
	rc = convert(tiff, sizeof tiff, &pdf, &pages);
	T_OK(rc != RENDER_OK && rc != RENDER_FAILED, "a TIFF of 2^31 x 2^31 pixels: %s",
	     render_strerror(rc));
	buf_release(&png);
	buf_release(&pdf);
}

/* A helper that is a script: what a compromised child could do. */
static void fake_helper(char *path, size_t cap, const char *body)
{
	int n = snprintf(path, cap, "/tmp/cutout-render-fake-%d", (int)getpid());
	if (n < 0 || (size_t)n >= cap)
		abort();
	FILE *f = fopen(path, "w");
	if (f == NULL)
		abort();
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
}

static void test_hostile_child(void)
{
	char path[128];
	struct buf pdf;
	uint32_t pages;
	struct render_limits l;
	render_limits_default(&l);
	buf_init(&pdf, 1 << 20);

	fake_helper(path, sizeof path, "exec sleep 30");
	l.seconds = 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	enum render_result rc = render_run(path, &l, (const uint8_t *)"x", 1, &pdf, &pages);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	T_OK(rc == RENDER_TIMEOUT && took < 5,
	     "a child that hangs is killed at the deadline (%.1f s)", took);

	l.seconds = 10;
	/* it announces one page of 10,000 x 10,000 (within the side) beyond the budget */
	l.pixel_budget = 1000;
	fake_helper(path, sizeof path,
	            "printf '\\000\\000\\000\\001\\000\\000\\047\\020\\000\\000\\047\\020'; "
	            "exec cat /dev/zero");
	rc = render_run(path, &l, (const uint8_t *)"x", 1, &pdf, &pages);
	T_OK(rc == RENDER_TOO_LARGE && pages == 0, "a child announcing a page past the budget: %s",
	     render_strerror(rc));
	/* it writes a valid page then exits 0 claiming two */
	l.pixel_budget = 1000;
	fake_helper(
	        path, sizeof path,
	        "printf '\\000\\000\\000\\002\\000\\000\\000\\001\\000\\000\\000\\001abc'; exit 0");
	rc = render_run(path, &l, (const uint8_t *)"x", 1, &pdf, &pages);
	T_OK(rc == RENDER_BAD_OUTPUT && pages == 0, "a child that stops short of its count: %s",
	     render_strerror(rc));
	/* it writes a whole page, closes its output, and never exits */
	l.seconds = 2;
	fake_helper(path, sizeof path,
	            "printf '\\000\\000\\000\\001\\000\\000\\000\\001\\000\\000\\000\\001abc';"
	            " exec sleep 30 >&-");
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = render_run(path, &l, (const uint8_t *)"x", 1, &pdf, &pages);
	clock_gettime(CLOCK_MONOTONIC, &b);
	took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	T_OK(rc == RENDER_TIMEOUT && pages == 0 && took < 6,
	     "a child that closes its output and lingers is killed at the deadline (%s, %.1f s)",
	     render_strerror(rc), took);
	l.seconds = 10;
	/* it does not read its input at all and floods its output */
	fake_helper(path, sizeof path, "exec cat /dev/zero");
	uint8_t *big = calloc(1, 4 << 20);
	rc = render_run(path, &l, big, 4 << 20, &pdf, &pages);
	T_OK(rc == RENDER_BAD_OUTPUT, "a child that floods zeros: %s", render_strerror(rc));
	free(big);
	unlink(path);
	T_OK(render_run("/nonexistent/cutout-render", &l, (const uint8_t *)"x", 1, &pdf, &pages) !=
	             RENDER_OK,
	     "a missing helper fails");
	buf_release(&pdf);
}

/* The page images and the service (for the desk, which may not fork). */
static void test_service(void)
{
	struct render_limits l;
	render_limits_default(&l);
	l.seconds = 30;
	struct buf out;
	buf_init(&out, 64 << 20);
	uint32_t pages = 0;
	enum render_result rc =
	        render_page_png(helper, &l, 1, (const uint8_t *)HOSTILE, sizeof HOSTILE - 1, &out);
	T_OK(rc == RENDER_OK && out.len > 8 && memcmp(out.data, "\x89PNG\r\n\x1a\n", 8) == 0,
	     "page 1 as a PNG (%s, %zu bytes)", render_strerror(rc), out.len);
	buf_reset(&out);
	rc = render_page_png(helper, &l, 2, (const uint8_t *)HOSTILE, sizeof HOSTILE - 1, &out);
	T_OK(rc == RENDER_DAMAGED && out.len == 0, "a page past the last: %s", render_strerror(rc));

	struct render_service *sv = NULL;
	T_CHECK(render_service_start(helper, &l, &sv) == 0);
	buf_reset(&out);
	rc = render_service_run(sv, (const uint8_t *)HOSTILE, sizeof HOSTILE - 1, &out, &pages);
	T_OK(rc == RENDER_OK && pages == 1 && memcmp(out.data, "%PDF-", 5) == 0 &&
	             memmem(out.data, out.len, "JavaScript", 10) == NULL,
	     "the service converts: a clean PDF (%s)", render_strerror(rc));
	buf_reset(&out);
	rc = render_service_page(sv, 1, out.data, 0, &out); /* an empty document */
	T_OK(rc == RENDER_NOT_DOCUMENT, "the service refuses what the converter refuses: %s",
	     render_strerror(rc));
	static const char text[] = "no document";
	rc = render_service_run(sv, (const uint8_t *)text, sizeof text - 1, &out, &pages);
	T_OK(rc == RENDER_NOT_DOCUMENT && pages == 0, "and goes on serving: %s",
	     render_strerror(rc));
	buf_reset(&out);
	rc = render_service_page(sv, 1, (const uint8_t *)HOSTILE, sizeof HOSTILE - 1, &out);
	T_OK(rc == RENDER_OK && memcmp(out.data, "\x89PNG", 4) == 0, "a page image through it: %s",
	     render_strerror(rc));
	render_service_stop(&sv);
	T_CHECK(sv == NULL);
	buf_release(&out);
}

/*
 * Under AddressSanitizer the converter child cannot run: its memory limit
 * (RLIMIT_AS, lib/render.c) is far below the address space ASan reserves for
 * its shadow, so it dies at start. The sanitizer build checks the parent's
 * parser (here, and fuzz_render_reader); the normal build runs the rest.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

int main(void)
{
	test_reader();
#ifdef UNDER_ASAN
	T_SKIP("the converter child under ASan (its memory limit; see above)");
	return t_done();
#endif
	test_corpus();
	test_hostile_child();
	test_service();
	return t_done();
}
