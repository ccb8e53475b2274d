/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_reader: the parent's reader of the converter child's output
 * (lib/render.h). The child is presumed hostile: every number is checked
 * before it is believed, and a page's pixels are allocated only once its
 * size passed the side limit and the budget left. With OCR, a page's words
 * follow its pixels; each box must lie inside its page and each word pass
 * render_word_ok, and the page reaches the callback only with all of them.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/render.h"
#include "lib/utf8.h"

#include "lib/banned.h"

struct render_reader {
	struct render_limits lim;
	render_page_fn fn;
	void *ctx;
	uint8_t head[20]; /* the count (4), a page's size (8), a word count (4) or head (20) */
	size_t nhead;
	int in_words; /* the page's pixels are in: its words come */
	uint32_t nwords, wdone;
	struct pdf_word *words;
	size_t *woff;  /* each word's offset in text */
	uint8_t *text; /* the page's words, one after the other */
	size_t tlen, tcap;
	size_t wwant; /* bytes of the current word still to come (0: a head is next) */
	int have_count;
	uint32_t count, done;
	uint64_t spent; /* pixels of the pages announced so far */
	uint8_t *px;    /* the current page's pixels */
	size_t want, got;
	uint32_t w, h;
	int failed;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct render_reader *render_reader_new(const struct render_limits *l, render_page_fn fn, void *ctx)
{
	struct render_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->lim = *l;
	r->fn = fn;
	r->ctx = ctx;
	return r;
}

int render_ocr_langs_ok(const char *s)
{
	size_t n = strnlen(s, RENDER_OCR_LANGS_MAX);
	if (n == 0 || n >= RENDER_OCR_LANGS_MAX || s[0] == '+' || s[n - 1] == '+')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      (c == '+' && s[i + 1] != '+')))
			return 0;
	}
	return 1;
}

int render_word_ok(const uint8_t *t, size_t n)
{
	if (n == 0 || n > RENDER_WORD_BYTES_MAX)
		return 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(t + i, n - i, &cp);
		if (k == 0 || cp == 0 || utf8_hidden(cp))
			return 0;
		i += k;
	}
	return 1;
}

static void drop_words(struct render_reader *r)
{
	if (r->text != NULL)
		sodium_memzero(r->text, r->tcap);
	free(r->text);
	free(r->words);
	free(r->woff);
	r->text = NULL;
	r->words = NULL;
	r->woff = NULL;
	r->tlen = r->tcap = r->wwant = 0;
	r->nwords = r->wdone = 0;
	r->in_words = 0;
}

static void drop_page(struct render_reader *r)
{
	if (r->px != NULL)
		sodium_memzero(r->px, r->want);
	free(r->px);
	r->px = NULL;
	r->want = r->got = 0;
	drop_words(r);
}

/* The page is whole (its pixels, and its words with OCR): to the callback. */
static enum render_result page_end(struct render_reader *r)
{
	for (uint32_t i = 0; i < r->nwords; i++)
		r->words[i].text = (const char *)r->text + r->woff[i];
	int stop = r->fn != NULL ? r->fn(r->ctx, r->w, r->h, r->px, r->words, r->nwords) : 0;
	drop_page(r);
	r->done++;
	return stop ? RENDER_BAD_OUTPUT : RENDER_OK;
}

/* A word's head is complete: check its box and length, make room for its bytes. */
static enum render_result word_begin(struct render_reader *r)
{
	uint32_t x = be32(r->head), y = be32(r->head + 4), w = be32(r->head + 8),
	         h = be32(r->head + 12), len = be32(r->head + 16);
	if (w == 0 || h == 0 || x >= r->w || y >= r->h || w > r->w - x || h > r->h - y ||
	    len == 0 || len > RENDER_WORD_BYTES_MAX)
		return RENDER_BAD_OUTPUT;
	if (r->tlen + len > r->tcap) { /* at most RENDER_WORDS_MAX * RENDER_WORD_BYTES_MAX */
		size_t nc = r->tcap ? r->tcap * 2 : 4096;
		while (nc < r->tlen + len)
			nc *= 2;
		uint8_t *t = malloc(nc);
		if (t == NULL)
			return RENDER_FAILED;
		if (r->text != NULL) {
			memcpy(t, r->text, r->tlen);
			sodium_memzero(r->text, r->tcap);
			free(r->text);
		}
		r->text = t;
		r->tcap = nc;
	}
	r->words[r->wdone] = (struct pdf_word){.x = x, .y = y, .w = w, .h = h, .len = len};
	r->woff[r->wdone] = r->tlen;
	r->wwant = len;
	return RENDER_OK;
}

/* Feeds the words part of a page; *used: bytes taken. */
static enum render_result feed_words(struct render_reader *r, const uint8_t *p, size_t n,
                                     size_t *used)
{
	size_t start = n;
	enum render_result rc = RENDER_OK;
	while (n > 0 && rc == RENDER_OK) {
		if (r->wwant > 0) { /* a word's bytes */
			size_t take = n < r->wwant ? n : r->wwant;
			memcpy(r->text + r->tlen, p, take);
			r->tlen += take;
			r->wwant -= take;
			p += take;
			n -= take;
			if (r->wwant == 0) {
				struct pdf_word *wd = &r->words[r->wdone];
				if (!render_word_ok(r->text + r->woff[r->wdone], wd->len))
					rc = RENDER_BAD_OUTPUT;
				else if (++r->wdone == r->nwords)
					rc = page_end(r);
				if (r->px == NULL) /* the page ended */
					break;
			}
			continue;
		}
		int counted = r->words != NULL || r->nwords != 0 || r->wdone != 0;
		size_t need = (counted ? 20 : 4) - r->nhead;
		size_t take = n < need ? n : need;
		memcpy(r->head + r->nhead, p, take);
		r->nhead += take;
		p += take;
		n -= take;
		if (take < need)
			break;
		r->nhead = 0;
		if (!counted) {
			r->nwords = be32(r->head);
			if (r->nwords > RENDER_WORDS_MAX) {
				rc = RENDER_BAD_OUTPUT;
			} else if (r->nwords == 0) {
				rc = page_end(r);
				break;
			} else if ((r->words = calloc(r->nwords, sizeof *r->words)) == NULL ||
			           (r->woff = calloc(r->nwords, sizeof *r->woff)) == NULL) {
				rc = RENDER_FAILED;
			}
			continue;
		}
		rc = word_begin(r);
	}
	*used = start - n;
	return rc;
}

/* A page's header is complete: check it and make room for its pixels. */
static enum render_result page_begin(struct render_reader *r)
{
	uint32_t w = be32(r->head), h = be32(r->head + 4);
	if (w == 0 || h == 0)
		return RENDER_BAD_OUTPUT;
	if (w > RENDER_SIDE_MAX || h > RENDER_SIDE_MAX)
		return RENDER_TOO_LARGE;
	uint64_t px = (uint64_t)w * h; /* at most 10^8: no overflow */
	if (px > r->lim.pixel_budget || r->spent > r->lim.pixel_budget - px)
		return RENDER_TOO_LARGE;
	if (px * 3 > SIZE_MAX)
		return RENDER_TOO_LARGE;
	r->spent += px;
	r->want = (size_t)(px * 3);
	r->got = 0;
	r->w = w;
	r->h = h;
	if ((r->px = malloc(r->want)) == NULL)
		return RENDER_FAILED;
	return RENDER_OK;
}

enum render_result render_reader_feed(struct render_reader *r, const uint8_t *p, size_t n)
{
	if (r->failed)
		return RENDER_BAD_OUTPUT;
	enum render_result rc = RENDER_OK;
	while (n > 0) {
		if (r->in_words) {
			size_t used = 0;
			if ((rc = feed_words(r, p, n, &used)) != RENDER_OK)
				break;
			p += used;
			n -= used;
			continue;
		}
		if (r->px == NULL) { /* a header: the count, or a page's size */
			if (r->have_count && r->done == r->count) {
				rc = RENDER_BAD_OUTPUT; /* bytes after the last page */
				break;
			}
			size_t need = (r->have_count ? 8 : 4) - r->nhead;
			size_t take = n < need ? n : need;
			memcpy(r->head + r->nhead, p, take);
			r->nhead += take;
			p += take;
			n -= take;
			if (take < need)
				break;
			r->nhead = 0;
			if (!r->have_count) {
				r->count = be32(r->head);
				r->have_count = 1;
				if (r->count == 0) {
					rc = RENDER_BAD_OUTPUT;
					break;
				}
				if (r->count > RENDER_PAGES_MAX) {
					rc = RENDER_TOO_MANY_PAGES;
					break;
				}
				continue;
			}
			if ((rc = page_begin(r)) != RENDER_OK)
				break;
			continue;
		}
		size_t take = r->want - r->got < n ? r->want - r->got : n;
		memcpy(r->px + r->got, p, take);
		r->got += take;
		p += take;
		n -= take;
		if (r->got == r->want) {
			if (r->lim.ocr[0] != '\0') {
				r->in_words = 1; /* its words come next */
				continue;
			}
			if ((rc = page_end(r)) != RENDER_OK)
				break;
		}
	}
	if (rc != RENDER_OK) {
		r->failed = 1;
		drop_page(r);
	}
	return rc;
}

enum render_result render_reader_end(const struct render_reader *r, uint32_t *pages)
{
	*pages = 0;
	if (r->failed || !r->have_count || r->px != NULL || r->nhead != 0 || r->done != r->count)
		return RENDER_BAD_OUTPUT;
	*pages = r->done;
	return RENDER_OK;
}

void render_reader_free(struct render_reader **pr)
{
	struct render_reader *r = pr != NULL ? *pr : NULL;
	if (r == NULL)
		return;
	drop_page(r);
	free(r);
	*pr = NULL;
}
