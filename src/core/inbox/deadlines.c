/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* deadlines: the EU Whistleblowing Directive's deadlines from the ledger (deadlines.h). */
#include "core/inbox/deadlines.h"

#include <stdlib.h>
#include <string.h>

#include "core/access/access.h"
#include "core/inbox/inbox_internal.h"
#include "core/ledger/ledger.h"
#include "core/registry/ledger_view.h"
#include "lib/day.h"
#include "lib/num.h"

#include "lib/banned.h"

struct ev {
	int64_t source, id; /* id: the submission's (0 for a reply) */
	uint64_t index;
	int32_t day;
	uint8_t kind; /* a reply's: enum intake_reply_kind */
};

struct scan {
	struct registry *reg;
	const struct access_subject *subj;
	struct ev *subs, *replies;
	size_t nsubs, nreplies, cap_subs, cap_replies;
	int64_t *deleted;
	size_t ndeleted, cap_deleted;
	uint64_t unplaced;
	int failed;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	if (n >= DEADLINES_MAX)
		return -1;
	size_t nc = *cap ? *cap * 2 : 256;
	void *q = realloc(*p, nc * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = nc;
	return 0;
}

/* "source:ID" at the start of s; 0 or -1. */
static int parse_source(const char *s, int64_t *id)
{
	char tok[32];
	size_t n = strcspn(s, ",");
	if (strncmp(s, "source:", 7) != 0 || n - 7 >= sizeof tok)
		return -1;
	memcpy(tok, s + 7, n - 7);
	tok[n - 7] = 0;
	return num_parse_id(tok, id);
}

static int on_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct scan *c = ctx;
	struct ledger_entry e;
	if (ledger_entry_parse(entry, len, &e) != LEDGER_OK)
		return 0; /* ledger verify reports it; nothing of it is a deadline */
	if (e.action != LEDGER_SUBMISSION_SEAL && e.action != LEDGER_REPLY_SEAL &&
	    e.action != LEDGER_SOURCE_DELETE)
		return 0;
	if (!registry_ledger_visible(c->reg, c->subj, &e))
		return 0;
	struct ev v = {.index = index, .day = e.day};
	if (e.action == LEDGER_SOURCE_DELETE) {
		if (parse_source(e.object, &v.source) != 0)
			return 0;
		if (grow((void **)&c->deleted, &c->cap_deleted, c->ndeleted, sizeof *c->deleted)) {
			c->failed = 1;
			return 1;
		}
		c->deleted[c->ndeleted++] = v.source;
		return 0;
	}
	if (e.action == LEDGER_SUBMISSION_SEAL) {
		if (parse_source(e.actor, &v.source) != 0 || strncmp(e.object, "submission:", 11) ||
		    num_parse_id(e.object + 11, &v.id) != 0)
			return 0;
		if (grow((void **)&c->subs, &c->cap_subs, c->nsubs, sizeof *c->subs)) {
			c->failed = 1;
			return 1;
		}
		c->subs[c->nsubs++] = v;
		return 0;
	}
	if (strncmp(e.detail, "to ", 3) != 0 || parse_source(e.detail + 3, &v.source) != 0) {
		c->unplaced++;
		return 0;
	}
	v.kind = strstr(e.detail, ", feedback")          ? INTAKE_REPLY_FEEDBACK
	         : strstr(e.detail, ", acknowledgement") ? INTAKE_REPLY_ACK
	                                                 : INTAKE_REPLY_PLAIN;
	if (grow((void **)&c->replies, &c->cap_replies, c->nreplies, sizeof *c->replies)) {
		c->failed = 1;
		return 1;
	}
	c->replies[c->nreplies++] = v;
	return 0;
}

static int by_source(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

enum deadline_status deadline_status(const struct inbox_deadline *d, int32_t today)
{
	if (d->acked == 0)
		return today > d->ack_by ? DEADLINE_ACK_OVERDUE : DEADLINE_ACK_DUE;
	if (d->feedback == 0)
		return today > d->feedback_by ? DEADLINE_FEEDBACK_OVERDUE : DEADLINE_FEEDBACK_DUE;
	return d->acked > d->ack_by || d->feedback > d->feedback_by ? DEADLINE_DONE_LATE
	                                                            : DEADLINE_DONE;
}

const char *deadline_status_name(enum deadline_status s)
{
	static const char *const names[] = {"acknowledgement due",
	                                    "acknowledgement overdue",
	                                    "feedback due",
	                                    "feedback overdue",
	                                    "done",
	                                    "done, late"};
	return (unsigned)s < sizeof names / sizeof *names ? names[s] : "?";
}

/* The deadlines of one submission from its source's replies r[0..n) (in ledger order). */
static void compute(const struct ev *sub, const struct ev *r, size_t n, struct inbox_deadline *d)
{
	memset(d, 0, sizeof *d);
	d->source = sub->source;
	d->submission = sub->id;
	d->arrived = sub->day;
	d->ack_by = sub->day + DEADLINE_ACK_DAYS;
	for (size_t k = 0; k < n; k++) {
		if (r[k].index < sub->index)
			continue;
		if (d->acked == 0) {
			d->acked = r[k].day;
			d->auto_ack = r[k].kind == INTAKE_REPLY_ACK;
		}
		if (r[k].kind == INTAKE_REPLY_FEEDBACK) {
			d->feedback = r[k].day;
			break;
		}
	}
	/* from the acknowledgement, or the end of the 7 days when it came later or not at all */
	int32_t from = d->acked != 0 && d->acked < d->ack_by ? d->acked : d->ack_by;
	d->feedback_by = day_add_months(from, DEADLINE_FEEDBACK_MONTHS);
}

enum inbox_result inbox_deadlines(struct inbox *ib, const struct officer_key *who,
                                  int (*fn)(void *ctx, const struct inbox_deadline *d), void *ctx,
                                  uint64_t *unplaced)
{
	struct access_subject subj;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_FORBIDDEN;
	return inbox_deadlines_of(ib->s, ib->reg, &subj, fn, ctx, unplaced);
}

enum inbox_result inbox_deadlines_of(struct store *s, struct registry *reg,
                                     const struct access_subject *subj,
                                     int (*fn)(void *ctx, const struct inbox_deadline *d),
                                     void *ctx, uint64_t *unplaced)
{
	if (!(subj->roles & ACCESS_ROLE_INTAKE))
		return INBOX_FORBIDDEN;
	uint64_t size = 0;
	if (ledger_size(s, &size) != LEDGER_OK)
		return INBOX_FAILED;
	struct scan c = {.reg = reg, .subj = subj};
	enum inbox_result rc = INBOX_FAILED;
	if (size > 0 && ledger_entries(s, 0, size, on_entry, &c) != LEDGER_OK)
		goto out;
	if (c.failed)
		goto out;
	if (c.nsubs > 1)
		qsort(c.subs, c.nsubs, sizeof *c.subs, by_source);
	if (c.nreplies > 1)
		qsort(c.replies, c.nreplies, sizeof *c.replies, by_source);
	if (c.ndeleted > 1)
		qsort(c.deleted, c.ndeleted, sizeof *c.deleted, cmp_id);
	rc = INBOX_OK;
	for (size_t i = 0, r = 0; i < c.nsubs; i++) {
		while (r < c.nreplies && c.replies[r].source < c.subs[i].source)
			r++;
		size_t e = r;
		while (e < c.nreplies && c.replies[e].source == c.subs[i].source)
			e++;
		struct inbox_deadline d;
		compute(&c.subs[i], c.replies + r, e - r, &d);
		d.source_deleted = c.ndeleted > 0 && bsearch(&d.source, c.deleted, c.ndeleted,
		                                             sizeof *c.deleted, cmp_id) != NULL;
		if (fn(ctx, &d) != 0)
			break;
	}
	if (unplaced)
		*unplaced = c.unplaced;
out:
	free(c.subs);
	free(c.replies);
	free(c.deleted);
	return rc;
}
