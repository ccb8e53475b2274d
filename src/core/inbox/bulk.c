/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: marking a source read or unread, and one action on many sources (inbox_bulk). */
#include "core/inbox/inbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

#define MARK_BATCH 256 /* submissions read from the store at once */

struct mark_item {
	store_id id;
	char marking[STORE_MARKING_MAX];
};

struct mark_tx {
	struct registry *reg;
	const struct access_subject *subj;
	store_id source;
	bool read; /* the state wanted */
	const char *actor;
	struct mark_item items[MARK_BATCH];
	size_t n, seen;
	int64_t changed;
};

/* the submissions subj may read whose state differs from the one wanted */
static int collect_other(void *ctx, const struct store_submission *sub)
{
	struct mark_tx *m = ctx;
	m->seen++;
	if ((sub->read != 0) != m->read && registry_submission_readable(m->reg, m->subj, sub)) {
		struct mark_item *it = &m->items[m->n++];
		it->id = sub->id;
		memcpy(it->marking, sub->marking, sizeof it->marking);
		it->marking[sizeof it->marking - 1] = '\0';
	}
	return 0;
}

/* Inside one transaction: each state changed with its entry, or nothing. */
static enum store_result mark_fn(struct store *s, void *arg)
{
	struct mark_tx *m = arg;
	char obj[LEDGER_TOKEN_MAX + 1];
	m->changed = 0;
	/* a page at a time: marking changes no row's place, so the offsets stay */
	for (int64_t offset = 0; offset < INBOX_SCAN_MAX; offset += MARK_BATCH) {
		m->n = m->seen = 0;
		enum store_result r =
		        store_submission_list(s, m->source, offset, MARK_BATCH, collect_other, m);
		if (r != STORE_OK && r != STORE_STOP)
			return r;
		for (size_t i = 0; i < m->n; i++) {
			int changed = 0;
			if (m->read) {
				/* mark_read tells no change: the listing said it was unread */
				r = store_submission_mark_read(s, m->items[i].id);
				changed = 1;
			} else {
				r = store_submission_mark_unread(s, m->items[i].id, &changed);
			}
			if (r != STORE_OK)
				return r;
			if (!changed)
				continue;
			int k = snprintf(obj, sizeof obj, "submission:%lld",
			                 (long long)m->items[i].id);
			if (k < 0 || (size_t)k >= sizeof obj)
				return STORE_CORRUPT;
			r = ledger_record_in(
			        s, m->read ? LEDGER_OBJECT_MARK_READ : LEDGER_OBJECT_MARK_UNREAD,
			        m->actor, obj, m->items[i].marking, NULL);
			if (r != STORE_OK)
				return r;
			m->changed++;
		}
		if (m->seen < MARK_BATCH)
			break;
	}
	return STORE_OK;
}

enum inbox_result inbox_mark(struct inbox *ib, const struct officer_key *who, store_id source,
                             bool read, int64_t *changed)
{
	struct store_desk_source src;
	char actor[LEDGER_TOKEN_MAX + 1];
	if (changed != NULL)
		*changed = 0;
	enum inbox_result rc = inbox_source(ib, who, source, &src); /* the access decision */
	sodium_memzero(&src, sizeof src);
	if (rc != INBOX_OK)
		return rc;
	struct access_subject subj;
	if (inbox_subject(ib, who, &subj) != 0 || officer_key_actor(who, actor, sizeof actor) != 0)
		return INBOX_FAILED;
	struct mark_tx *m = calloc(1, sizeof *m);
	if (m == NULL)
		return INBOX_FAILED;
	m->reg = ib->reg;
	m->subj = &subj;
	m->source = source;
	m->read = read;
	m->actor = actor;
	rc = inbox_from_store(store_write(ib->s, NULL, 0, mark_fn, m));
	if (rc == INBOX_OK && changed != NULL)
		*changed = m->changed;
	free(m);
	return rc;
}

enum inbox_result inbox_mark_read(struct inbox *ib, const struct officer_key *who, store_id source)
{
	return inbox_mark(ib, who, source, true, NULL);
}

enum inbox_result inbox_bulk(struct inbox *ib, const struct officer_key *who, enum inbox_bulk_op op,
                             const store_id *ids, size_t n, const char *label,
                             struct inbox_bulk_result *out)
{
	memset(out, 0, sizeof *out);
	if (n > INBOX_BULK_MAX)
		return INBOX_BAD_INPUT;
	if (op == INBOX_BULK_LABEL && (label == NULL || inbox_label_check(label) != 0))
		return INBOX_BAD_INPUT;
	for (size_t i = 0; i < n; i++) {
		enum inbox_result rc;
		switch (op) {
		case INBOX_BULK_READ:
		case INBOX_BULK_UNREAD:
			rc = inbox_mark(ib, who, ids[i], op == INBOX_BULK_READ, NULL);
			break;
		case INBOX_BULK_STAR:
		case INBOX_BULK_UNSTAR:
			rc = inbox_star(ib, who, ids[i], op == INBOX_BULK_STAR);
			break;
		case INBOX_BULK_LABEL:
			rc = inbox_label(ib, who, ids[i], label);
			break;
		case INBOX_BULK_DELETE:
			rc = inbox_delete_source(ib, who, ids[i]);
			break;
		default:
			return INBOX_BAD_INPUT;
		}
		if (rc == INBOX_OK)
			out->done++;
		else if (rc == INBOX_NOT_FOUND || rc == INBOX_FORBIDDEN)
			out->refused++; /* not the officer's to act on (or gone): skipped, counted
			                 */
		else
			return rc; /* the store failed: what is done stays done, and counted */
	}
	return INBOX_OK;
}
