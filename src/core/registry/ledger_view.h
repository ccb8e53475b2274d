/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_view: the ledger as one officer may see it, entry by entry, decided
 * by the access decision (core/access) on the objects the entries name. The
 * doors render it; they decide nothing.
 *
 * An entry is shown whole, or reduced to its index and day, when:
 * - it is about source activity (source.create, source.delete, reply.seal,
 *   reply.delete): only to an officer with the intake role;
 * - it has no marking (a login, an officer's account): shown;
 * - it names a report or a submission that still exists: shown when the
 *   officer may read that object as it is now (its marking and distribution);
 * - else (a deleted object, a label): shown when the officer may read an
 *   object of the entry's marking; a marking the scheme cannot parse is not.
 * An entry that does not parse is reduced too (`cutout ledger verify` says
 * what happened).
 */
#ifndef CUTOUT_CORE_REGISTRY_LEDGER_VIEW_H
#define CUTOUT_CORE_REGISTRY_LEDGER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/registry/registry.h"

#define LEDGER_VIEW_MAX 1000 /* entries in one page */

struct ledger_view_row {
	struct ledger_entry e; /* when !shown: only index and day are set */
	bool shown;
};

/*
 * The entries [*from, before) of the ledger, newest first, into rows (cap
 * max <= LEDGER_VIEW_MAX), as officer `officer` (a store id) may see them;
 * *n rows, *size the ledger's size, *from the index of the oldest row.
 * before UINT64_MAX means the newest. REGISTRY_BAD_INPUT for before past the end;
 * an unknown or disabled officer sees no marked entry.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_ledger_page(struct registry *r, store_id officer, uint64_t before,
                     struct ledger_view_row *rows, size_t max, size_t *n, uint64_t *size,
                     uint64_t *from);

/*
 * A search of the ledger view: every criterion set must hold ("" and 0: any).
 * actor and object match a whole token ("officer:carol"), or every token that
 * starts with them when they end with ':' ("report:"). Days are inclusive.
 */
struct ledger_filter {
	int action; /* an enum ledger_action, or -1: any */
	char actor[LEDGER_TOKEN_MAX + 1];
	char object[LEDGER_TOKEN_MAX + 1];
	int32_t day_from, day_to;
};
#define LEDGER_SEARCH_SCAN 50000 /* entries one search page examines at most */

/* Whether f sets any criterion. */
bool ledger_filter_active(const struct ledger_filter *f);

/*
 * Like registry_ledger_page, but only the entries the officer may see whole
 * and that match f, newest first: examines the entries below before (newest
 * first) until max rows are found, LEDGER_SEARCH_SCAN entries were examined,
 * or the day falls below f->day_from; *from is the lowest index examined (the
 * next page's before; 0 when the search reached the start). An entry the
 * officer may not see is never matched, so a search says nothing of it.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_ledger_search(struct registry *r, store_id officer, uint64_t before,
                       const struct ledger_filter *f, struct ledger_view_row *rows, size_t max,
                       size_t *n, uint64_t *size, uint64_t *from);

/* Whether subj may see entry e whole (the rules above; subj NULL: no clearance). */
bool registry_ledger_visible(struct registry *r, const struct access_subject *subj,
                             const struct ledger_entry *e);

#endif
