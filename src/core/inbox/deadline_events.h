/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * deadline_events: the ledger's events that make the deadlines (deadlines.h),
 * kept between calls. The ledger only grows, so each call reads only the
 * entries appended since the last one (a cursor) and parses only those that
 * can be one of the three actions (submission.seal, reply.seal,
 * source.delete); the events stay sorted by source and ledger order. No
 * access decision is applied here: the events are everyone's, and the
 * caller applies the officer's to what it shows (deadlines.c). The marking
 * of a submission's entry is kept (interned) for a submission deleted since.
 */
#ifndef CUTOUT_CORE_INBOX_DEADLINE_EVENTS_H
#define CUTOUT_CORE_INBOX_DEADLINE_EVENTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"

#define DL_MARKINGS_MAX 4096 /* distinct markings of submission entries */

struct dl_ev {
	int64_t source, id; /* id: the submission's (0 for a reply) */
	uint64_t index;
	int32_t day;
	uint8_t kind;     /* a reply's: enum intake_reply_kind */
	uint16_t marking; /* a submission's: its entry's marking, in dl_events.markings */
};

struct dl_events {
	uint64_t cursor; /* the entries before it are read */
	struct dl_ev *subs, *replies;
	size_t nsubs, nreplies, cap_subs, cap_replies;
	int64_t *deleted; /* sources, sorted */
	size_t ndeleted, cap_deleted;
	char (*markings)[LEDGER_MARKING_MAX + 1];
	size_t nmarkings, cap_markings;
	uint64_t unplaced; /* replies whose entry names no source */
};

/* Reads the entries appended since the last call. 0, or -1 (the store, memory, a bound). */
int dl_events_update(struct dl_events *e, struct store *s);
void dl_events_free(struct dl_events *e);

/* Room for element n of *p (doubling *cap, from 256): 0, or -1 at max elements or memory. */
int dl_grow(void **p, size_t *cap, size_t n, size_t size, size_t max);
/* qsort/bsearch order of int64_t. */
int dl_cmp_id(const void *a, const void *b);

#endif
