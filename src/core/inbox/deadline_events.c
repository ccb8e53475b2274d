/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* deadline_events: the deadlines' events, read from the ledger once (deadline_events.h). */
#include "core/inbox/deadline_events.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/inbox/deadlines.h"
#include "core/inbox/inbox_internal.h"
#include "lib/num.h"

#include "lib/banned.h"

int dl_grow(void **p, size_t *cap, size_t n, size_t size, size_t max)
{
	if (n < *cap)
		return 0;
	if (n >= max)
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

struct scan {
	struct dl_events *e;
	bool new_subs, new_replies, new_deleted;
	int failed;
};

/* The marking's place in the table (added if new); -1 past DL_MARKINGS_MAX or memory. */
static int intern(struct dl_events *e, const char *m)
{
	for (size_t i = 0; i < e->nmarkings; i++)
		if (strcmp(e->markings[i], m) == 0)
			return (int)i;
	if (dl_grow((void **)&e->markings, &e->cap_markings, e->nmarkings, sizeof *e->markings,
	            DL_MARKINGS_MAX) != 0)
		return -1;
	memcpy(e->markings[e->nmarkings], m, strlen(m) + 1); /* parsed: within the bound */
	return (int)e->nmarkings++;
}

static int on_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct scan *c = ctx;
	struct dl_events *e = c->e;
	struct ledger_entry le;
	if (!may_matter(entry, len))
		return 0;
	if (ledger_entry_parse(entry, len, &le) != LEDGER_OK)
		return 0; /* ledger verify reports it; nothing of it is a deadline */
	struct dl_ev v = {.index = index, .day = le.day};
	if (le.action == LEDGER_SOURCE_DELETE) {
		if (parse_source(le.object, &v.source) != 0)
			return 0;
		if (dl_grow((void **)&e->deleted, &e->cap_deleted, e->ndeleted, sizeof *e->deleted,
		            DEADLINES_MAX)) {
			c->failed = 1;
			return 1;
		}
		e->deleted[e->ndeleted++] = v.source;
		c->new_deleted = true;
		return 0;
	}
	if (le.action == LEDGER_SUBMISSION_SEAL) {
		if (parse_source(le.actor, &v.source) != 0 ||
		    strncmp(le.object, "submission:", 11) ||
		    num_parse_id(le.object + 11, &v.id) != 0)
			return 0;
		int m = intern(e, le.marking);
		if (m < 0 || dl_grow((void **)&e->subs, &e->cap_subs, e->nsubs, sizeof *e->subs,
		                     DEADLINES_MAX)) {
			c->failed = 1;
			return 1;
		}
		v.marking = (uint16_t)m;
		e->subs[e->nsubs++] = v;
		c->new_subs = true;
		return 0;
	}
	if (le.action != LEDGER_REPLY_SEAL)
		return 0;
	if (strncmp(le.detail, "to ", 3) != 0 || parse_source(le.detail + 3, &v.source) != 0) {
		e->unplaced++;
		return 0;
	}
	v.kind = strstr(le.detail, ", feedback")          ? INTAKE_REPLY_FEEDBACK
	         : strstr(le.detail, ", acknowledgement") ? INTAKE_REPLY_ACK
	                                                  : INTAKE_REPLY_PLAIN;
	if (dl_grow((void **)&e->replies, &e->cap_replies, e->nreplies, sizeof *e->replies,
	            DEADLINES_MAX)) {
		c->failed = 1;
		return 1;
	}
	e->replies[e->nreplies++] = v;
	c->new_replies = true;
	return 0;
}

static int by_source(const void *a, const void *b)
{
	const struct dl_ev *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

int dl_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int dl_events_update(struct dl_events *e, struct store *s)
{
	uint64_t size = 0;
	if (ledger_size(s, &size) != LEDGER_OK)
		return -1;
	if (size <= e->cursor)
		return 0;
	struct scan c = {.e = e};
	if (ledger_entries(s, e->cursor, size, on_entry, &c) != LEDGER_OK || c.failed) {
		/* half read: start again from the beginning at the next call */
		e->nsubs = e->nreplies = e->ndeleted = e->nmarkings = 0;
		e->unplaced = 0;
		e->cursor = 0;
		return -1;
	}
	e->cursor = size;
	if (c.new_subs && e->nsubs > 1)
		qsort(e->subs, e->nsubs, sizeof *e->subs, by_source);
	if (c.new_replies && e->nreplies > 1)
		qsort(e->replies, e->nreplies, sizeof *e->replies, by_source);
	if (c.new_deleted && e->ndeleted > 1)
		qsort(e->deleted, e->ndeleted, sizeof *e->deleted, dl_cmp_id);
	return 0;
}

void dl_events_free(struct dl_events *e)
{
	free(e->subs);
	free(e->replies);
	free(e->deleted);
	free(e->markings);
	memset(e, 0, sizeof *e);
}
