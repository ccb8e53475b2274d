/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release_trace: a leaked text traced against every approved release whose
 * report the officer may read. For each: the released version rebuilt, the
 * release secret unsealed (the biases), the copies' stored choices unsealed
 * (the code), the text aligned and scored (trace_run). The release.trace
 * entry records who traced and the result, never the text.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/align.h"
#include "core/release/copy.h"
#include "core/release/release_internal.h"
#include "core/release/tardos.h"

#include "lib/banned.h"

struct ids {
	int64_t *v;
	size_t n, cap;
	int failed;
};

static int approved(void *ctx, const struct store_release *row)
{
	struct ids *a = ctx;
	if (row->state != STORE_RELEASE_APPROVED)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		int64_t *v = cap < (SIZE_MAX / sizeof *v) ? realloc(a->v, cap * sizeof *v) : NULL;
		if (v == NULL) {
			a->failed = 1;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = row->id;
	return 0;
}

/* The stored copies of a release: sealed choices and numbers, by recipient. */
struct stored {
	struct registry *r;
	const struct officer_key *as;
	const struct marking *label;
	uint32_t version;
	struct copy_book *book;
	uint32_t *numbers; /* by book index */
	unsigned engine;   /* the slot engine of the release's secret record */
	size_t filled;
	int failed;
};

static int take_copy(void *ctx, const struct store_copy *c)
{
	struct stored *st = ctx;
	size_t i = 0;
	while (i < st->book->n && st->book->ids[i] != (uint64_t)c->recipient)
		i++;
	struct buf rec;
	const uint8_t *bits;
	unsigned engine;
	buf_init(&rec, COPY_CHOICES_MAX(st->book->m));
	if (i == st->book->n ||
	    registry_unseal(st->r, st->as, st->label, st->version, c->choices, c->choices_len,
	                    &rec) != REGISTRY_OK ||
	    copy_choices_parse(rec.data, rec.len, st->book->m, &engine, &bits) != 0 ||
	    engine != st->engine) {
		buf_wipe_release(&rec);
		st->failed = 1;
		return 1;
	}
	memcpy(st->book->bits + i * st->book->stride, bits, st->book->stride);
	st->numbers[i] = c->number;
	st->filled++;
	buf_wipe_release(&rec);
	return 0;
}

/* One release traced into h; RELEASE_NOT_FOUND when it cannot be (not readable, no key). */
static enum release_result trace_one(struct registry *r, const struct officer_key *as,
                                     const struct access_subject *subj, store_id id,
                                     const char *text, size_t len, struct release_trace_hit *h)
{
	struct rl_row w = {0};
	struct rl_version v;
	struct marking target;
	struct copy_book book;
	struct align_ref *ref = NULL;
	struct trace_result res;
	struct buf secret;
	uint64_t *ids = NULL;
	uint32_t *numbers = NULL;
	enum release_result rc;

	memset(&v, 0, sizeof v);
	memset(&book, 0, sizeof book);
	memset(h, 0, sizeof *h);
	buf_init(&secret, COPY_SECRET_RECORD_MAX);
	if ((rc = rl_row_get(r, id, &w)) != RELEASE_OK)
		goto out;
	if (!registry_report_readable(r, subj, w.row.report) ||
	    marking_parse(registry_scheme(r), w.row.marking, strlen(w.row.marking), &target,
	                  NULL) != MARKING_OK) {
		rc = RELEASE_NOT_FOUND;
		goto out;
	}
	if ((rc = rl_version_open(r, as, w.row.report, &target, &v, NULL)) != RELEASE_OK)
		goto out;
	enum registry_result gr = registry_unseal(r, as, &v.report_marking, w.row.label_version,
	                                          w.sealed, w.row.sealed_len, &secret);
	unsigned engine = 0;
	if (gr != REGISTRY_OK || copy_secret_engine(secret.data, secret.len, &engine) != 0) {
		rc = gr == REGISTRY_CANNOT_OPEN || gr == REGISTRY_NOT_FOUND ? RELEASE_NOT_FOUND
		                                                            : RELEASE_FAILED;
		goto out;
	}
	/* the slots of the engine the release was made with */
	if (rl_version_engine(&v, engine) != RELEASE_OK || v.slots.n != w.row.nslots ||
	    w.row.nrecipients == 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	if ((ids = calloc(w.row.nrecipients, sizeof *ids)) == NULL ||
	    (numbers = calloc(w.row.nrecipients, sizeof *numbers)) == NULL) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < w.row.nrecipients; i++)
		ids[i] = (uint64_t)w.recipients[i];
	/* the biases from the secret; the bits as stored with each copy */
	if (copy_book_make(&book, secret.data, (uint64_t)id, TARDOS_COLLUSION, engine, v.slots.n,
	                   ids, w.row.nrecipients) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct stored st = {.r = r,
	                    .as = as,
	                    .label = &v.report_marking,
	                    .version = w.row.label_version,
	                    .book = &book,
	                    .numbers = numbers,
	                    .engine = engine};
	if (store_copies(registry_store(r), id, take_copy, &st) != STORE_OK || st.failed ||
	    st.filled != book.n) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct tardos_params params = {.recipients = (uint32_t)book.n,
	                               .collusion = TARDOS_COLLUSION,
	                               .epsilon = TARDOS_EPSILON};
	if (align_ref_make(&v.slots, &ref) != ALIGN_OK ||
	    trace_run(&v.slots, ref, &book, &params, text, len, &res) != TRACE_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	h->release = id;
	h->report = w.row.report;
	h->words = res.align.words;
	h->aligned = res.align.aligned;
	h->slots_read = res.slots_read;
	h->slots_dropped = res.slots_dropped;
	h->recipients = book.n;
	h->threshold = res.threshold;
	h->words_needed = res.words_needed;
	h->ranked = res.ranked;
	h->accused = res.accused;
	for (size_t i = 0; i < res.ranked && i < TRACE_TOP; i++) {
		struct release_suspect *s = &h->top[i];
		struct store_recipient rcp;
		s->recipient = (store_id)res.top[i].recipient;
		s->score = res.top[i].score;
		s->bound = res.top[i].bound;
		s->agree = res.top[i].agree;
		s->accused = res.top[i].accused != 0;
		for (size_t k = 0; k < book.n; k++)
			if (book.ids[k] == res.top[i].recipient)
				s->copy = numbers[k];
		if (store_recipient_get(registry_store(r), s->recipient, &rcp) == STORE_OK)
			memcpy(s->name, rcp.name, sizeof s->name);
	}
	rc = RELEASE_OK;
out:
	align_ref_free(&ref);
	copy_book_free(&book);
	free(ids);
	free(numbers);
	buf_wipe_release(&secret);
	rl_version_free(&v);
	rl_row_free(&w);
	return rc;
}

/* Best first: accused someone, then more slots read, then more words aligned. */
static int hit_cmp(const void *a, const void *b)
{
	const struct release_trace_hit *x = a, *y = b;
	if ((x->accused > 0) != (y->accused > 0))
		return x->accused > 0 ? -1 : 1;
	if (x->slots_read != y->slots_read)
		return x->slots_read > y->slots_read ? -1 : 1;
	if (x->aligned != y->aligned)
		return x->aligned > y->aligned ? -1 : 1;
	return 0;
}

struct trace_tx {
	const char *actor, *marking, *detail;
	store_id release;
};

static enum store_result trace_tx(struct store *s, void *arg)
{
	struct trace_tx *a = arg;
	return rl_log_in(s, LEDGER_RELEASE_TRACE, a->actor, "release", a->release, a->marking,
	                 a->detail);
}

enum release_result release_trace(struct registry *r, const struct officer_key *as,
                                  const char *text, size_t len,
                                  int (*fn)(void *ctx, const struct release_trace_hit *h),
                                  void *ctx, struct release_error *err)
{
	struct access_subject subj;
	struct ids a = {0};
	struct release_trace_hit *hits = NULL;
	size_t nhits = 0;
	enum release_result rc;
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != RELEASE_OK)
		return rc;
	if (text == NULL || len == 0 || len > ALIGN_TEXT_MAX) {
		rl_say(err, "a leaked text of 1 to %u bytes is needed", ALIGN_TEXT_MAX);
		return RELEASE_BAD_INPUT;
	}
	if (store_releases(registry_store(r), approved, &a) != STORE_OK || a.failed) {
		rc = RELEASE_FAILED;
		goto out;
	}
	if (a.n > 0 && (hits = calloc(a.n, sizeof *hits)) == NULL) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < a.n; i++) {
		enum release_result one = trace_one(r, as, &subj, a.v[i], text, len, &hits[nhits]);
		if (one == RELEASE_OK && hits[nhits].aligned > 0)
			nhits++;
		else if (one != RELEASE_OK && one != RELEASE_NOT_FOUND) {
			rc = one;
			goto out;
		}
	}
	if (nhits > 1)
		qsort(hits, nhits, sizeof *hits, hit_cmp);
	/* the entry first: the result is shown only once it is recorded */
	char actor[LEDGER_TOKEN_MAX + 1], detail[160], marking[STORE_MARKING_MAX] = "";
	int k;
	store_id rel = 0;
	if (nhits == 0) {
		k = snprintf(detail, sizeof detail, "matched no release");
	} else {
		const struct release_trace_hit *b = &hits[0];
		struct rl_row w;
		rel = b->release;
		if (rl_row_get(r, rel, &w) == RELEASE_OK) {
			memcpy(marking, w.row.marking, sizeof marking);
			rl_row_free(&w);
		}
		if (b->accused > 0)
			k = snprintf(detail, sizeof detail,
			             "%zu words, %zu slots read: accused recipient:%lld (copy %u, "
			             "bound %.2g)%s",
			             b->words, b->slots_read, (long long)b->top[0].recipient,
			             b->top[0].copy, b->top[0].bound,
			             b->accused > 1 ? " and others" : "");
		else
			k = snprintf(detail, sizeof detail,
			             "%zu words, %zu slots read: nobody accused", b->words,
			             b->slots_read);
	}
	if (k < 0 || (size_t)k >= sizeof detail || rl_actor(as, actor) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct trace_tx t = {.actor = actor, .marking = marking, .detail = detail, .release = rel};
	if (store_write(registry_store(r), NULL, 0, trace_tx, &t) != STORE_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < nhits && fn != NULL; i++)
		if (fn(ctx, &hits[i]) != 0)
			break;
	rc = RELEASE_OK;
out:
	free(hits);
	free(a.v);
	return rc;
}
