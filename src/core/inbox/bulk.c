/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: marking a source read, and one action on many sources (inbox.h, inbox_bulk). */
#include "core/inbox/inbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

#define MARK_BATCH 256 /* submissions read from the store at once */

struct unread_batch {
	struct registry *reg;
	const struct access_subject *subj;
	store_id ids[MARK_BATCH];
	size_t n, seen;
};

static int collect_unread(void *ctx, const struct store_submission *sub)
{
	struct unread_batch *b = ctx;
	b->seen++;
	if (!sub->read && registry_submission_readable(b->reg, b->subj, sub))
		b->ids[b->n++] = sub->id;
	return 0;
}

enum inbox_result inbox_mark_read(struct inbox *ib, const struct officer_key *who, store_id source)
{
	struct store_desk_source src;
	enum inbox_result rc = inbox_source(ib, who, source, &src); /* the access decision */
	sodium_memzero(&src, sizeof src);
	if (rc != INBOX_OK)
		return rc;
	struct access_subject subj;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_FAILED;
	struct unread_batch *b = malloc(sizeof *b);
	if (b == NULL)
		return INBOX_FAILED;
	b->reg = ib->reg;
	b->subj = &subj;
	/* a page at a time: what is marked read leaves no gap, as the offset counts every row */
	for (int64_t offset = 0; offset < INBOX_SCAN_MAX; offset += MARK_BATCH) {
		b->n = b->seen = 0;
		enum store_result sr =
		        store_submission_list(ib->s, source, offset, MARK_BATCH, collect_unread, b);
		if (sr != STORE_OK && sr != STORE_STOP) {
			rc = inbox_from_store(sr);
			break;
		}
		for (size_t i = 0; i < b->n && rc == INBOX_OK; i++)
			rc = inbox_from_store(store_submission_mark_read(ib->s, b->ids[i]));
		if (rc != INBOX_OK || b->seen < MARK_BATCH)
			break;
	}
	free(b);
	return rc;
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
			rc = inbox_mark_read(ib, who, ids[i]);
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
