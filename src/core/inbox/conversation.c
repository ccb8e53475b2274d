/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: the replies of a source's conversation, for a source the officer may see. */
#include "core/inbox/inbox_internal.h"

#include <string.h>

#include <sodium.h>

#include "core/registry/registry.h"
#include "core/store/store_officer.h"
#include "lib/buf.h"

#include "lib/banned.h"

#define REPLY_TEXT_MAX (1024 * 1024) /* as core/intake's replies */

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

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

enum inbox_result inbox_reply_open(struct inbox *ib, const struct officer_key *who,
                                   const struct store_reply *r, struct buf *out)
{
	struct access_subject subj;
	buf_wipe_release(out);
	buf_init(out, REPLY_TEXT_MAX);
	if (r == NULL || r->desk_blob <= 0 || r->deleted_day != 0 ||
	    inbox_subject(ib, who, &subj) != 0)
		return INBOX_NOT_FOUND;
	/* decided and opened as the submission it answers, at the marking it is sealed to */
	struct store_submission as = {.id = r->submission,
	                              .source_id = r->source_id,
	                              .day = r->day,
	                              .seal_version = r->seal_version};
	memcpy(as.marking, r->marking, sizeof as.marking);
	as.marking[sizeof as.marking - 1] = '\0';
	if (!registry_submission_readable(ib->reg, &subj, &as))
		return INBOX_NOT_FOUND;
	struct unseal_keys keys;
	registry_submission_keys(ib->reg, who, &as, &keys);
	enum unseal_result ur = unseal_blob(ib->s, r->desk_blob, &keys, to_buf, out);
	unseal_keys_release(&keys);
	if (ur != UNSEAL_OK) {
		buf_wipe_release(out);
		buf_init(out, REPLY_TEXT_MAX);
		return ur == UNSEAL_FAILED ? INBOX_FAILED : INBOX_NOT_FOUND;
	}
	return INBOX_OK;
}

_Static_assert(INBOX_OFFICER_NAME_MAX == STORE_OFFICER_NAME_MAX, "an officer's name fits");

int inbox_officer_name(struct inbox *ib, store_id id, char out[static INBOX_OFFICER_NAME_MAX + 1])
{
	struct store_officer o;
	out[0] = '\0';
	if (id <= 0)
		return 0;
	enum store_result sr = store_officer_get(ib->s, id, &o);
	if (sr == STORE_NOT_FOUND)
		return 0;
	if (sr != STORE_OK)
		return -1;
	memcpy(out, o.name, sizeof o.name);
	sodium_memzero(&o, sizeof o);
	return 0;
}
