/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzzes the parent's reader of the converter child's output
 * (lib/render_reader.c, lib/render.h): the input is what a hostile child
 * writes. Input: one byte giving the budget (a power of two pixels, its low
 * seven bits mod 30) and whether OCR words follow each page (its top bit),
 * then the output. It is fed twice, at once and in pieces whose sizes come
 * from the input; the two runs must agree on the result and the pages.
 * Invariants: every page the callback sees is within the side limit and the
 * budget (all pages together), at most RENDER_PAGES_MAX pages, every word
 * inside its page and accepted by render_word_ok, at most RENDER_WORDS_MAX
 * a page, and a successful end means every announced page came whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/render.h"

struct seen {
	uint64_t budget, pixels;
	uint32_t pages;
	uint64_t hash;
	int ocr;
};

static int on_page(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                   const struct pdf_word *words, uint32_t nwords)
{
	struct seen *s = ctx;
	if (w == 0 || h == 0 || w > RENDER_SIDE_MAX || h > RENDER_SIDE_MAX ||
	    nwords > RENDER_WORDS_MAX || (nwords > 0 && !s->ocr))
		abort();
	for (uint32_t i = 0; i < nwords; i++) {
		const struct pdf_word *d = &words[i];
		if (d->w == 0 || d->h == 0 || d->x + (uint64_t)d->w > w ||
		    d->y + (uint64_t)d->h > h || !render_word_ok((const uint8_t *)d->text, d->len))
			abort();
		s->hash =
		        (s->hash ^ d->x ^ d->len ^ (uint8_t)d->text[d->len - 1]) * 1099511628211ULL;
	}
	s->pixels += (uint64_t)w * h;
	if (s->pixels > s->budget || ++s->pages > RENDER_PAGES_MAX)
		abort();
	size_t n = (size_t)w * h * 3;
	s->hash = (s->hash ^ w ^ ((uint64_t)h << 32)) * 1099511628211ULL;
	s->hash ^= rgb[0] ^ rgb[n - 1]; /* the whole page is there */
	return 0;
}

static enum render_result feed(const uint8_t *p, size_t n, uint64_t budget, int ocr,
                               const uint8_t *cuts, size_t ncuts, struct seen *s, uint32_t *pages)
{
	struct render_limits l = {.dpi = 150, .pixel_budget = budget, .seconds = 1};
	if (ocr)
		memcpy(l.ocr, "eng", 4);
	memset(s, 0, sizeof *s);
	s->budget = budget;
	s->ocr = ocr;
	struct render_reader *r = render_reader_new(&l, on_page, s);
	if (r == NULL)
		abort();
	enum render_result rc = RENDER_OK;
	size_t off = 0, k = 0;
	while (rc == RENDER_OK && off < n) {
		size_t take = ncuts ? (size_t)cuts[k++ % ncuts] + 1 : n - off;
		if (take > n - off)
			take = n - off;
		rc = render_reader_feed(r, p + off, take);
		off += take;
	}
	*pages = 0;
	if (rc == RENDER_OK)
		rc = render_reader_end(r, pages);
	render_reader_free(&r);
	if (rc == RENDER_OK && *pages != s->pages)
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint64_t budget = (uint64_t)1 << ((data[0] & 0x7f) % 30);
	int ocr = data[0] >> 7;
	data++;
	size--;
	struct seen a, b;
	uint32_t pa, pb;
	enum render_result ra = feed(data, size, budget, ocr, NULL, 0, &a, &pa);
	enum render_result rb = feed(data, size, budget, ocr, data, size < 16 ? size : 16, &b, &pb);
	if (ra != rb || pa != pb || a.pages != b.pages || a.hash != b.hash)
		abort();
	return 0;
}
