/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report_list: the reports an officer may read, newest first, each one
 * allowed by access_decide (metadata only: never a title).
 */
#include "core/registry/registry_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

struct mk {
	struct marking m;
	char text[STORE_MARKING_MAX];
	bool valid;
};

struct list_ctx {
	const struct registry *r;
	const struct access_subject *subj;
	struct mk *mk; /* indexed by marking id */
	size_t nmk;
	int64_t offset, limit, seen;
	int (*fn)(void *ctx, const struct registry_listing *l);
	void *ctx;
	bool stopped;
};

static int mk_load(void *ctx, store_id id, const char *text)
{
	struct list_ctx *c = ctx;
	if (id <= 0 || (uint64_t)id >= c->nmk)
		return 0;
	struct mk *k = &c->mk[id];
	size_t n = strnlen(text, STORE_MARKING_MAX - 1);
	memcpy(k->text, text, n);
	k->text[n] = '\0';
	k->valid = marking_parse(&c->r->scheme, text, n, &k->m, NULL) == MARKING_OK;
	return 0;
}

static int count_marking(void *ctx, store_id id, const char *text)
{
	(void)text;
	store_id *max = ctx;
	if (id > *max)
		*max = id;
	return 0;
}

static int list_one(void *ctx, const struct store_report *sr)
{
	struct list_ctx *c = ctx;
	if (sr->marking_id <= 0 || (uint64_t)sr->marking_id >= c->nmk ||
	    !c->mk[sr->marking_id].valid)
		return 0;
	/* the distribution as the store gives it for a listing: this reader's own entry */
	struct access_object obj = {.marking = c->mk[sr->marking_id].m,
	                            .dist_unrestricted = false,
	                            .dist = sr->readers,
	                            .ndist = sr->nreaders};
	if (access_decide(c->subj, &obj, NULL) != ACCESS_ALLOW)
		return 0;
	int64_t k = c->seen++;
	if (c->stopped || k < c->offset || (c->limit > 0 && k >= c->offset + c->limit))
		return 0;
	struct registry_listing l = {
	        .id = sr->id, .author = sr->author, .day = sr->day, .marking = sr->marking};
	if (c->fn(c->ctx, &l) != 0)
		c->stopped = true;
	return 0;
}

enum registry_result registry_report_list(struct registry *r, store_id officer, int64_t offset,
                                          int64_t limit,
                                          int (*fn)(void *ctx, const struct registry_listing *l),
                                          void *ctx, int64_t *total)
{
	struct access_subject subj;
	enum registry_result rc = registry_subject(r, officer, &subj);
	struct list_ctx c = {
	        .r = r, .subj = &subj, .offset = offset, .limit = limit, .fn = fn, .ctx = ctx};
	store_id max = 0;

	if (total)
		*total = 0;
	if (rc == REGISTRY_NOT_FOUND)
		return REGISTRY_OK; /* nothing for nobody */
	if (rc != REGISTRY_OK)
		return rc;
	if (offset < 0 || limit < 0)
		return REGISTRY_BAD_INPUT;
	/* the markings in use, parsed once */
	if (store_markings(r->s, count_marking, &max) != STORE_OK)
		return REGISTRY_FAILED;
	if (max >= MARKINGS_MAX)
		return REGISTRY_FAILED;
	c.nmk = (size_t)max + 1;
	if ((c.mk = calloc(c.nmk, sizeof *c.mk)) == NULL)
		return REGISTRY_FAILED;
	rc = REGISTRY_FAILED;
	if (store_markings(r->s, mk_load, &c) != STORE_OK)
		goto out;
	if (store_report_candidates(r->s, officer, list_one, &c) != STORE_OK)
		goto out;
	if (total)
		*total = c.seen;
	rc = REGISTRY_OK;
out:
	free(c.mk);
	return rc;
}
