/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lib/render with OCR: the reader of the child's words refuses every bad box,
 * count and byte; a page of English and one of Russian (laid out here by
 * lib/pdf with cairo and pango) converted with safeview_ocr = eng+rus give a
 * clean PDF whose invisible text pdftotext finds; the desk's converter
 * service does the same (its confinement lets the child read the models);
 * a language that is not installed is refused with its reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/pdf.h"
#include "lib/render.h"
#include "t.h"

#include "lib/banned.h"

#define MUST(x)                  \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

struct seen {
	unsigned pages, words;
	char all[4096]; /* the words, space-separated */
};

static int on_page(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                   const struct pdf_word *words, uint32_t nwords)
{
	struct seen *s = ctx;
	(void)w;
	(void)h;
	(void)rgb;
	s->pages++;
	for (uint32_t i = 0; i < nwords; i++) {
		size_t at = strlen(s->all);
		snprintf(s->all + at, sizeof s->all - at, "%s%.*s", at ? " " : "",
		         (int)words[i].len, words[i].text);
	}
	s->words += nwords;
	return 0;
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	MUST(buf_append(b, x, 4) == BUF_OK);
}

/* One 4x4 page of grey, then its words as given. */
static void page(struct buf *b, uint32_t pages)
{
	buf_reset(b);
	put32(b, pages);
	put32(b, 4);
	put32(b, 4);
	for (int i = 0; i < 48; i++)
		MUST(buf_append_byte(b, 128) == BUF_OK);
}

static void word(struct buf *b, uint32_t x, uint32_t y, uint32_t w, uint32_t h, const char *t,
                 size_t n)
{
	put32(b, x);
	put32(b, y);
	put32(b, w);
	put32(b, h);
	put32(b, (uint32_t)n);
	MUST(buf_append(b, t, n) == BUF_OK);
}

static enum render_result read_all(const struct buf *b, int bytewise, struct seen *s,
                                   uint32_t *pages)
{
	struct render_limits l;
	render_limits_default(&l);
	memcpy(l.ocr, "eng", 4);
	memset(s, 0, sizeof *s);
	struct render_reader *r = render_reader_new(&l, on_page, s);
	MUST(r != NULL);
	enum render_result rc = RENDER_OK;
	for (size_t i = 0; rc == RENDER_OK && i < b->len; i += bytewise ? 1 : b->len)
		rc = render_reader_feed(r, b->data + i, bytewise ? 1 : b->len);
	*pages = 0;
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
	buf_init(&b, 16 << 20);
	page(&b, 1);
	put32(&b, 2);
	word(&b, 0, 0, 2, 1, "hello", 5);
	word(&b, 2, 3, 2, 1, "мир", strlen("мир"));
	for (int bw = 0; bw < 2; bw++) {
		enum render_result rc = read_all(&b, bw, &s, &pages);
		T_OK(rc == RENDER_OK && pages == 1 && s.words == 2 &&
		             strcmp(s.all, "hello мир") == 0,
		     "a page and its two words are read (%s): %s", bw ? "byte by byte" : "at once",
		     s.all);
	}
	size_t full = b.len;
	int refused = 1;
	for (size_t cut = 48 + 12; cut < full; cut++) {
		b.len = cut;
		if (read_all(&b, 0, &s, &pages) != RENDER_BAD_OUTPUT || s.pages != 0)
			refused = 0;
	}
	T_OK(refused, "every truncation among the words is refused, the page not passed on");
	b.len = full;

	page(&b, 1);
	put32(&b, 0);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_OK && s.pages == 1 && s.words == 0,
	     "a page without words");

	struct {
		uint32_t x, y, w, h;
		const char *t;
		size_t n;
		const char *what;
	} bad[] = {
	        {3, 0, 2, 1, "a", 1, "a box past the right edge"},
	        {0, 4, 1, 1, "a", 1, "a box below the page"},
	        {0, 0, 0, 1, "a", 1, "a box of width 0"},
	        {0, 0, 1, UINT32_MAX, "a", 1, "a box of height 2^32-1"},
	        {UINT32_MAX, 0, 2, 1, "a", 1, "a box whose x + w wraps"},
	        {0, 0, 1, 1, "", 0, "an empty word"},
	        {0, 0, 1, 1, "a\xffz", 3, "a word that is not UTF-8"},
	        {0, 0, 1, 1, "a\x1b[2Jz", 6, "a word with a control character"},
	        {0, 0, 1, 1, "abc\xe2\x80\xaegpj.exe", 12, "a word with a bidi override"},
	        {0, 0, 1, 1, "a\0b", 3, "a word with a NUL"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		page(&b, 1);
		put32(&b, 1);
		word(&b, bad[i].x, bad[i].y, bad[i].w, bad[i].h, bad[i].t, bad[i].n);
		T_OK(read_all(&b, 0, &s, &pages) == RENDER_BAD_OUTPUT && s.pages == 0,
		     "refused: %s", bad[i].what);
	}
	page(&b, 1);
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 1);
	put32(&b, 1);
	put32(&b, RENDER_WORD_BYTES_MAX + 1);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_BAD_OUTPUT,
	     "refused: a word longer than %u bytes, before its bytes", RENDER_WORD_BYTES_MAX);
	page(&b, 1);
	put32(&b, RENDER_WORDS_MAX + 1);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_BAD_OUTPUT, "refused: %u words on a page",
	     RENDER_WORDS_MAX + 1);
	page(&b, 1);
	put32(&b, RENDER_WORDS_MAX);
	for (uint32_t i = 0; i < RENDER_WORDS_MAX; i++)
		word(&b, 0, 0, 1, 1, "w", 1);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_OK && s.words == RENDER_WORDS_MAX,
	     "%u words on a page are read", RENDER_WORDS_MAX);
	page(&b, 1);
	put32(&b, 1);
	word(&b, 0, 0, 1, 1, "ok", 2);
	MUST(buf_append_byte(&b, 0) == BUF_OK);
	T_OK(read_all(&b, 0, &s, &pages) == RENDER_BAD_OUTPUT, "refused: a byte after the words");
	T_OK(!render_ocr_langs_ok("") && !render_ocr_langs_ok("eng+") &&
	             !render_ocr_langs_ok("eng++rus") && !render_ocr_langs_ok("../etc") &&
	             !render_ocr_langs_ok("ENG") && !render_ocr_langs_ok("eng rus") &&
	             render_ocr_langs_ok("eng") && render_ocr_langs_ok("eng+rus") &&
	             render_ocr_langs_ok("chi_sim"),
	     "the OCR languages setting is checked");
	buf_release(&b);
}

/* ---- the conversion with OCR ---- */

static const char *helper = CUTOUT_RENDER_HELPER;

/* The text pdftotext finds in pdf (written to a temporary file), into out. */
static int pdftotext(const struct buf *pdf, char *out, size_t cap)
{
	char path[] = "/tmp/cutout-ocr-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	int ok = write(fd, pdf->data, pdf->len) == (ssize_t)pdf->len;
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "pdftotext -q %s - 2>/dev/null", path);
	FILE *f = ok ? popen(cmd, "r") : NULL;
	size_t n = f != NULL ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	int st = f != NULL ? pclose(f) : -1;
	unlink(path);
	return ok && st == 0 ? 0 : -1;
}

static int qpdf_check(const struct buf *pdf)
{
	char path[] = "/tmp/cutout-ocr-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	int ok = write(fd, pdf->data, pdf->len) == (ssize_t)pdf->len;
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "qpdf --check %s >/dev/null 2>&1", path);
	int st = ok ? system(cmd) : -1;
	unlink(path);
	return st == 0 ? 0 : -1;
}

static void text_pdf(const char *text, struct buf *out)
{
	struct pdf_doc d = {.banner = "UNCLASSIFIED", .text = text, .text_len = strlen(text)};
	unsigned pages;
	buf_reset(out);
	MUST(pdf_render(&d, out, &pages) == 0);
}

static int has_all(const char *hay, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strstr(hay, *words) == NULL)
			return 0;
	return 1;
}

static void test_ocr(void)
{
	/*
	 * Standard error a regular file, as a service's log may be: a child writing to it
	 * would die of RLIMIT_FSIZE 0 (tesseract complains of a missing language there).
	 */
	char errpath[] = "/tmp/cutout-ocr-err-XXXXXX";
	int errfd = mkstemp(errpath), saved = dup(2);
	MUST(errfd >= 0 && saved >= 0 && dup2(errfd, 2) == 2);
	struct render_limits l;
	render_limits_default(&l);
	l.seconds = 60;
	memcpy(l.ocr, "eng+rus", sizeof "eng+rus");
	struct buf doc, pdf;
	buf_init(&doc, 1 << 20);
	buf_init(&pdf, 64 << 20);
	char text[8192];
	uint32_t pages = 0;

	text_pdf("The quick brown fox jumps over the lazy dog.", &doc);
	enum render_result rc = render_run(helper, &l, doc.data, doc.len, &pdf, &pages);
	static const char *const en[] = {"quick", "brown", "jumps", "lazy", NULL};
	T_OK(rc == RENDER_OK && pages == 1 && pdftotext(&pdf, text, sizeof text) == 0 &&
	             has_all(text, en),
	     "English: pdftotext finds the sentence in the clean copy (%s): %.80s",
	     render_strerror(rc), text);
	T_OK(qpdf_check(&pdf) == 0, "qpdf --check passes the copy with its text layer");
	T_OK(memmem(pdf.data, pdf.len, "3 Tr", 4) != NULL &&
	             memmem(pdf.data, pdf.len, "/FontFile", 9) == NULL,
	     "the text is in render mode 3 (invisible), with no font file embedded");

	text_pdf("Съешь же ещё этих мягких французских булок, да выпей чаю.", &doc);
	rc = render_run(helper, &l, doc.data, doc.len, &pdf, &pages);
	static const char *const ru[] = {"мягких", "французских", "булок", "выпей", NULL};
	T_OK(rc == RENDER_OK && pdftotext(&pdf, text, sizeof text) == 0 && has_all(text, ru),
	     "Russian: pdftotext finds the sentence (%s): %.120s", render_strerror(rc), text);

	struct render_service *sv = NULL;
	T_CHECK(render_service_start(helper, &l, &sv) == 0);
	buf_reset(&pdf);
	rc = render_service_run(sv, doc.data, doc.len, &pdf, &pages);
	T_OK(rc == RENDER_OK && pdftotext(&pdf, text, sizeof text) == 0 && has_all(text, ru),
	     "the desk's converter service reads the text too (%s)", render_strerror(rc));
	struct buf png;
	buf_init(&png, 64 << 20);
	rc = render_service_page(sv, 1, pdf.data, pdf.len, &png);
	T_OK(rc == RENDER_OK && memcmp(png.data, "\x89PNG", 4) == 0,
	     "and renders the page images of that clean copy, its text layer and all (%s)",
	     render_strerror(rc));
	buf_release(&png);
	render_service_stop(&sv);

	memcpy(l.ocr, "xyz", 4);
	buf_reset(&pdf);
	rc = render_run(helper, &l, doc.data, doc.len, &pdf, &pages);
	T_OK(rc == RENDER_NO_OCR, "a language that is not installed: %s", render_strerror(rc));
	struct stat est;
	MUST(fstat(errfd, &est) == 0 && dup2(saved, 2) == 2);
	close(saved);
	close(errfd);
	unlink(errpath);
	T_OK(est.st_size == 0, "the children wrote nothing to standard error (%lld bytes)",
	     (long long)est.st_size);
	buf_release(&doc);
	buf_release(&pdf);
}

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
	T_SKIP("the converter child under ASan (its memory limit; see test_render.c)");
	return t_done();
#endif
	test_ocr();
	return t_done();
}
