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

/*
 * Whether the entry's text may be one of the three actions read here: the
 * parser takes only what the encoder writes, one "action NAME" line, so an
 * entry without one of these lines is none of them and is not parsed (most of
 * a ledger is reads, logins and registry events).
 */
static bool may_matter(const uint8_t *entry, size_t len)
{
	static const char *const lines[] = {"\naction submission.seal\n", "\naction reply.seal\n",
	                                    "\naction source.delete\n"};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (memmem(entry, len, lines[i], strlen(lines[i])) != NULL)
			return true;
	return false;
}

static int on_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct scan *c = ctx;
	struct ledger_entry e;
	if (!may_matter(entry, len))
		return 0;
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

static int rank(enum deadline_status s)
{
	switch (s) {
	case DEADLINE_ACK_OVERDUE:
		return 0;
	case DEADLINE_FEEDBACK_OVERDUE:
		return 1;
	case DEADLINE_ACK_DUE:
		return 2;
	case DEADLINE_FEEDBACK_DUE:
		return 3;
	case DEADLINE_DONE_LATE:
		return 4;
	case DEADLINE_DONE:
		break;
	}
	return 5;
}

int deadline_urgency(const struct inbox_due *a, const struct inbox_due *b)
{
	int ra = rank(a->status), rb = rank(b->status);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->by != b->by)
		return a->by < b->by ? -1 : 1;
	return a->source < b->source ? -1 : a->source > b->source;
}

static void due_of(const struct inbox_deadline *d, int32_t today, struct inbox_due *u)
{
	u->source = d->source;
	u->d = *d;
	u->status = deadline_status(d, today);
	u->by = u->status == DEADLINE_ACK_DUE || u->status == DEADLINE_ACK_OVERDUE ? d->ack_by
	        : d->feedback == 0                                                 ? d->feedback_by
	                                                                           : d->feedback;
}

struct dues_ctx {
	int32_t today;
	const int64_t *src;
	size_t n;
	struct inbox_due *out;
};

static int on_due(void *ctx, const struct inbox_deadline *d)
{
	struct dues_ctx *c = ctx;
	struct inbox_due u;
	due_of(d, c->today, &u);
	for (size_t i = 0; i < c->n; i++)
		if (c->src[i] == d->source &&
		    (c->out[i].source == 0 || deadline_urgency(&u, &c->out[i]) < 0))
			c->out[i] = u;
	return 0;
}

enum inbox_result inbox_dues(struct inbox *ib, const struct officer_key *who, int32_t today,
                             const int64_t *src, size_t n, struct inbox_due *out)
{
	if (n > DEADLINES_DUES_MAX)
		return INBOX_BAD_INPUT;
	memset(out, 0, n * sizeof *out);
	if (n == 0)
		return INBOX_OK;
	struct dues_ctx c = {today, src, n, out};
	return inbox_deadlines(ib, who, on_due, &c, NULL);
}

struct overdue_ctx {
	int32_t today;
	struct inbox_due *rows; /* by source (inbox_deadlines gives them so) */
	size_t n, cap;
	int failed;
};

static int on_overdue(void *ctx, const struct inbox_deadline *d)
{
	struct overdue_ctx *c = ctx;
	struct inbox_due u;
	due_of(d, c->today, &u);
	if (d->source_deleted ||
	    (u.status != DEADLINE_ACK_OVERDUE && u.status != DEADLINE_FEEDBACK_OVERDUE))
		return 0;
	if (c->n > 0 && c->rows[c->n - 1].source == u.source) {
		if (deadline_urgency(&u, &c->rows[c->n - 1]) < 0)
			c->rows[c->n - 1] = u;
		return 0;
	}
	if (grow((void **)&c->rows, &c->cap, c->n, sizeof *c->rows)) {
		c->failed = 1;
		return 1;
	}
	c->rows[c->n++] = u;
	return 0;
}

static int cmp_due(const void *a, const void *b)
{
	return deadline_urgency(a, b);
}

enum inbox_result inbox_overdue(struct inbox *ib, const struct officer_key *who, int32_t today,
                                size_t offset, struct inbox_due *out, size_t max, size_t *n,
                                size_t *total)
{
	*n = 0;
	*total = 0;
	struct overdue_ctx c = {.today = today};
	enum inbox_result rc = inbox_deadlines(ib, who, on_overdue, &c, NULL);
	if (rc == INBOX_OK && c.failed)
		rc = INBOX_FAILED;
	if (rc == INBOX_OK) {
		if (c.n > 1)
			qsort(c.rows, c.n, sizeof *c.rows, cmp_due);
		*total = c.n;
		for (size_t i = offset; i < c.n && *n < max; i++)
			out[(*n)++] = c.rows[i];
	}
	free(c.rows);
	return rc;
}
