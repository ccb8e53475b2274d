/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/inbox: the count of new submissions in the desk's navigation: the
 * unread ones the officer may read, through the access decision, bounded in
 * what it counts and in what it examines (inbox.h).
 */
#include "core/inbox/inbox_internal.h"

#include "lib/banned.h"

#define COUNT_BATCH 500 /* unread rows asked of the store at a time */

struct tally {
	const struct registry *reg;
	const struct access_subject *subj;
	int64_t n, seen;
	store_id last;
};

static int tally_one(void *ctx, const struct store_submission *sub)
{
	struct tally *t = ctx;
	t->seen++;
	t->last = sub->id;
	if (registry_submission_readable(t->reg, t->subj, sub))
		t->n++;
	return t->n >= INBOX_COUNT_MAX; /* enough: the page shows 999+ */
}

enum inbox_result inbox_unread_count(struct inbox *ib, const struct officer_key *who, int64_t *n,
                                     bool *more)
{
	struct access_subject subj;
	*n = 0;
	*more = false;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_OK; /* reads nothing */
	struct tally t = {.reg = ib->reg, .subj = &subj};
	store_id before = 0;
	for (;;) {
		int64_t seen = t.seen;
		enum store_result sr = store_desk_unread(ib->s, before, COUNT_BATCH, tally_one, &t);
		if (sr == STORE_STOP)
			break; /* the count's cap */
		if (sr != STORE_OK)
			return inbox_from_store(sr);
		if (t.seen - seen < COUNT_BATCH)
			break; /* every unread submission examined */
		if (t.seen >= INBOX_COUNT_SCAN) {
			*more = true; /* the scan's bound: others may follow */
			break;
		}
		before = t.last;
	}
	*n = t.n;
	*more = *more || t.n >= INBOX_COUNT_MAX;
	return INBOX_OK;
}
