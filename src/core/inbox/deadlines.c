/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* deadlines: the EU Whistleblowing Directive's deadlines from the ledger (deadlines.h). */
#include "core/inbox/deadlines.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "core/access/access.h"
#include "core/inbox/deadline_events.h"
#include "core/inbox/inbox_internal.h"
#include "core/ledger/ledger.h"
#include "core/registry/ledger_view.h"
#include "lib/day.h"
#include "lib/num.h"

#include "lib/banned.h"

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
static void compute(const struct dl_ev *sub, const struct dl_ev *r, size_t n,
                    struct inbox_deadline *d)
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

/*
 * Whether the officer may see the submission's entry in the ledger: the one
 * access decision over the entry as it was written (registry_ledger_visible:
 * the submission as it is now, or its entry's marking once it is deleted).
 */
static bool sub_visible(struct registry *reg, const struct access_subject *subj,
                        const struct dl_events *ev, const struct dl_ev *sub)
{
	static __thread struct ledger_entry e; /* large: not on the stack, not shared */
	memset(&e, 0, sizeof e);
	e.index = sub->index;
	e.day = sub->day;
	e.action = LEDGER_SUBMISSION_SEAL;
	int a = snprintf(e.actor, sizeof e.actor, "source:%lld", (long long)sub->source);
	int o = snprintf(e.object, sizeof e.object, "submission:%lld", (long long)sub->id);
	if (a < 0 || (size_t)a >= sizeof e.actor || o < 0 || (size_t)o >= sizeof e.object ||
	    sub->marking >= ev->nmarkings)
		return false;
	memcpy(e.marking, ev->markings[sub->marking], sizeof e.marking);
	return registry_ledger_visible(reg, subj, &e);
}

/*
 * Each deadline of the events the officer may see, in the order of their
 * sources, to fn; want, when given, is asked first (on what the ledger says,
 * before the access decision, which costs a store read): 0 skips it.
 */
static enum inbox_result each_deadline(const struct dl_events *ev, struct registry *reg,
                                       const struct access_subject *subj,
                                       int (*want)(void *ctx, const struct inbox_deadline *d),
                                       int (*fn)(void *ctx, const struct inbox_deadline *d),
                                       void *ctx)
{
	for (size_t i = 0, r = 0; i < ev->nsubs; i++) {
		const struct dl_ev *sub = &ev->subs[i];
		while (r < ev->nreplies && ev->replies[r].source < sub->source)
			r++;
		size_t e = r;
		while (e < ev->nreplies && ev->replies[e].source == sub->source)
			e++;
		struct inbox_deadline d;
		compute(sub, ev->replies + r, e - r, &d);
		d.source_deleted =
		        ev->ndeleted > 0 && bsearch(&d.source, ev->deleted, ev->ndeleted,
		                                    sizeof *ev->deleted, dl_cmp_id) != NULL;
		if (want != NULL && !want(ctx, &d))
			continue;
		if (!sub_visible(reg, subj, ev, sub))
			continue;
		if (fn(ctx, &d) != 0)
			break;
	}
	return INBOX_OK;
}

/*
 * The deadlines through the inbox's events, kept between calls (only the
 * entries appended since the last call are read).
 */
static enum inbox_result cached_deadlines(struct inbox *ib, const struct officer_key *who,
                                          int (*want)(void *ctx, const struct inbox_deadline *d),
                                          int (*fn)(void *ctx, const struct inbox_deadline *d),
                                          void *ctx, uint64_t *unplaced)
{
	struct access_subject subj;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_FORBIDDEN;
	if (!(subj.roles & ACCESS_ROLE_INTAKE))
		return INBOX_FORBIDDEN;
	pthread_mutex_lock(&ib->dl_lock);
	enum inbox_result rc = INBOX_FAILED;
	if (dl_events_update(&ib->dl, ib->s) == 0) {
		rc = each_deadline(&ib->dl, ib->reg, &subj, want, fn, ctx);
		if (unplaced)
			*unplaced = ib->dl.unplaced;
	}
	pthread_mutex_unlock(&ib->dl_lock);
	return rc;
}

enum inbox_result inbox_deadlines(struct inbox *ib, const struct officer_key *who,
                                  int (*fn)(void *ctx, const struct inbox_deadline *d), void *ctx,
                                  uint64_t *unplaced)
{
	return cached_deadlines(ib, who, NULL, fn, ctx, unplaced);
}

enum inbox_result inbox_deadlines_of(struct store *s, struct registry *reg,
                                     const struct access_subject *subj,
                                     int (*fn)(void *ctx, const struct inbox_deadline *d),
                                     void *ctx, uint64_t *unplaced)
{
	if (!(subj->roles & ACCESS_ROLE_INTAKE))
		return INBOX_FORBIDDEN;
	struct dl_events ev;
	memset(&ev, 0, sizeof ev);
	enum inbox_result rc = INBOX_FAILED;
	if (dl_events_update(&ev, s) == 0) {
		rc = each_deadline(&ev, reg, subj, NULL, fn, ctx);
		if (unplaced)
			*unplaced = ev.unplaced;
	}
	dl_events_free(&ev);
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

/* Only the page's sources (a few dozen): the others cost no access decision. */
static int want_due(void *ctx, const struct inbox_deadline *d)
{
	const struct dues_ctx *c = ctx;
	for (size_t i = 0; i < c->n; i++)
		if (c->src[i] == d->source)
			return 1;
	return 0;
}

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
	return cached_deadlines(ib, who, want_due, on_due, &c, NULL);
}

struct overdue_ctx {
	int32_t today;
	struct inbox_due *rows; /* by source (inbox_deadlines gives them so) */
	size_t n, cap;
	int failed;
};

/* Only the overdue ones of sources not deleted get the access decision. */
static int want_overdue(void *ctx, const struct inbox_deadline *d)
{
	const struct overdue_ctx *c = ctx;
	enum deadline_status st = deadline_status(d, c->today);
	return !d->source_deleted &&
	       (st == DEADLINE_ACK_OVERDUE || st == DEADLINE_FEEDBACK_OVERDUE);
}

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
	if (dl_grow((void **)&c->rows, &c->cap, c->n, sizeof *c->rows, DEADLINES_MAX)) {
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
	enum inbox_result rc = cached_deadlines(ib, who, want_overdue, on_overdue, &c, NULL);
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
