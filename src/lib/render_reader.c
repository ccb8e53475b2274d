/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_reader: the parent's reader of the converter child's output
 * (lib/render.h). The child is presumed hostile: every number is checked
 * before it is believed, and a page's pixels are allocated only once its
 * size passed the side limit and the budget left.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/render.h"

#include "lib/banned.h"

struct render_reader {
	struct render_limits lim;
	render_page_fn fn;
	void *ctx;
	uint8_t head[8]; /* the count (4 bytes) or a page's width and height (8) */
	size_t nhead;
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

static void drop_page(struct render_reader *r)
{
	if (r->px != NULL)
		sodium_memzero(r->px, r->want);
	free(r->px);
	r->px = NULL;
	r->want = r->got = 0;
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
			int stop = r->fn != NULL ? r->fn(r->ctx, r->w, r->h, r->px) : 0;
			drop_page(r);
			r->done++;
			if (stop) {
				rc = RENDER_BAD_OUTPUT;
				break;
			}
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
