/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: the replies of a source's conversation, for a source the officer may see. */
#include "core/inbox/inbox_internal.h"

#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

struct reply_batch {
	struct store_reply *rows;
	size_t max, n;
	bool more;
};

static int add_reply(void *ctx, const struct store_reply *r)
{
	struct reply_batch *b = ctx;
	if (b->n == b->max) {
		b->more = true;
		return 1; /* stop */
	}
	b->rows[b->n++] = *r;
	return 0;
}

enum inbox_result inbox_replies(struct inbox *ib, const struct officer_key *who, store_id source,
                                struct store_reply *rows, size_t max, size_t *n, bool *more)
{
	*n = 0;
	*more = false;
	if (max == 0 || max > INBOX_REPLIES_MAX)
		return INBOX_BAD_INPUT;
	struct store_desk_source src;
	enum inbox_result ir = inbox_source(ib, who, source, &src); /* the access decision */
	sodium_memzero(&src, sizeof src);
	if (ir != INBOX_OK)
		return ir;
	struct reply_batch b = {.rows = rows, .max = max};
	enum store_result sr = store_reply_list(ib->s, source, add_reply, &b);
	if (sr != STORE_OK && sr != STORE_STOP)
		return inbox_from_store(sr);
	*n = b.n;
	*more = b.more;
	return INBOX_OK;
}
