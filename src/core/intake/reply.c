/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/intake: replies, sealed by officers to a source's key, opened by the source. */
#include "core/intake/intake_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/store/store_desk.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define MAX_REPLIES 1000
#define MAX_REPLY_BYTES (1024 * 1024)

/* ---- replies ---- */

/* reply seal (by an officer: actor) and delete (by the source) */
struct reply_tx {
	const char *actor;
	store_id source, blob, id;
	enum intake_reply_kind kind;
	struct store_reply_seal desk; /* desk.desk_blob 0: no desk copy */
};

static enum store_result reply_seal_tx(struct store *s, void *arg)
{
	struct reply_tx *a = arg;
	enum store_result r = store_reply_add(s, a->source, store_today(), a->blob, &a->id);
	if (r != STORE_OK)
		return r;
	if (a->desk.desk_blob != 0 &&
	    (r = store_reply_seal(s, a->source, a->id, &a->desk)) != STORE_OK)
		return r;
	static const char *const kinds[] = {"", ", feedback", ", acknowledgement"};
	char obj[LEDGER_TOKEN_MAX + 1], detail[LEDGER_TOKEN_MAX + 32];
	int n1 = snprintf(obj, sizeof obj, "reply:%lld", (long long)a->id);
	int n2 = snprintf(detail, sizeof detail, "to source:%lld%s", (long long)a->source,
	                  kinds[a->kind]);
	if (n1 < 0 || (size_t)n1 >= sizeof obj || n2 < 0 || (size_t)n2 >= sizeof detail)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, LEDGER_REPLY_SEAL, a->actor, obj, NULL, detail);
}

static enum store_result reply_delete_tx(struct store *s, void *arg)
{
	struct reply_tx *a = arg;
	enum store_result r = store_reply_tombstone(s, a->source, a->id, store_today());
	if (r != STORE_OK)
		return r;
	return intake_log_in(s, LEDGER_REPLY_DELETE, NULL, a->source, "reply", a->id, NULL);
}

enum intake_result intake_reply_seal(struct intake *in, const char *actor, store_id source,
                                     const char *text, size_t n, store_id *reply)
{
	return intake_reply_seal_kind(in, actor, source, text, n, INTAKE_REPLY_PLAIN, reply);
}

enum intake_result intake_reply_seal_kind(struct intake *in, const char *actor, store_id source,
                                          const char *text, size_t n, enum intake_reply_kind kind,
                                          store_id *reply)
{
	return intake_reply_seal_as(in, actor, 0, source, text, n, kind, reply);
}

/*
 * The desk's copy of a reply: sealed as the blobs of the source's newest
 * submission are (core/keys/seal.h), to the intake label inside the label
 * of that submission's marking. *blob 0 (INTAKE_OK) when the source has no
 * submission to mark it by.
 */
static enum intake_result seal_desk_copy(struct intake *in, store_id source, const char *text,
                                         size_t n, struct store_reply_seal *d,
                                         char marking[static STORE_MARKING_MAX])
{
	struct store_desk_source ds;
	struct store_submission sub;
	char lname[LABEL_NAME_MAX];
	struct age_recipient *inner = NULL, *outer = NULL;
	d->desk_blob = 0;
	enum store_result sr = store_desk_source(in->store, source, &ds);
	if (sr == STORE_OK && ds.newest > 0)
		sr = store_submission_get(in->store, ds.newest, &sub);
	else if (sr == STORE_OK)
		sr = STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND || sr == STORE_UNSUPPORTED)
		return INTAKE_OK; /* nothing sent yet: the source's copy alone */
	if (sr != STORE_OK)
		return intake_from_store(sr);
	int ln = snprintf(lname, sizeof lname, "%s%s", LABEL_MARKING_PREFIX, sub.marking);
	if (ln < 0 || (size_t)ln >= sizeof lname)
		return INTAKE_FAILED;
	enum intake_result rc = intake_seal_recipients(in, lname, &inner, &outer, &d->seal_version);
	if (rc == INTAKE_OK)
		rc = intake_seal_small(in->store, inner, outer, (const uint8_t *)text, n,
		                       &d->desk_blob);
	age_recipient_free(&inner);
	age_recipient_free(&outer);
	if (rc != INTAKE_OK)
		return rc;
	memcpy(marking, sub.marking, STORE_MARKING_MAX);
	d->marking = marking;
	d->submission = sub.id;
	return INTAKE_OK;
}

enum intake_result intake_reply_seal_as(struct intake *in, const char *actor, store_id author,
                                        store_id source, const char *text, size_t n,
                                        enum intake_reply_kind kind, store_id *reply)
{
	if ((unsigned)kind > INTAKE_REPLY_ACK || author < 0)
		return INTAKE_BAD_INPUT;
	struct store_source src;
	struct age_recipient *r = NULL;
	char marking[STORE_MARKING_MAX];
	store_id blob = 0;
	if (n == 0)
		return INTAKE_EMPTY;
	if (n > MAX_REPLY_BYTES)
		return INTAKE_TOO_LARGE;
	if (utf8_count((const uint8_t *)text, n) < 0)
		return INTAKE_BAD_INPUT;
	enum store_result sr = store_source_get(in->store, source, &src);
	if (sr != STORE_OK)
		return intake_from_store(sr);
	if (age_recipient_from_x25519(src.pk, &r) != AGE_OK)
		return INTAKE_FAILED;
	enum intake_result rc =
	        intake_seal_small(in->store, r, NULL, (const uint8_t *)text, n, &blob);
	age_recipient_free(&r);
	if (rc != INTAKE_OK)
		return rc;
	struct reply_tx a = {.actor = actor, .source = source, .blob = blob, .kind = kind};
	a.desk.author = author;
	if ((rc = seal_desk_copy(in, source, text, n, &a.desk, marking)) != INTAKE_OK) {
		(void)store_blob_delete(in->store, blob);
		return rc;
	}
	store_id claim[2] = {blob, a.desk.desk_blob};
	sr = store_write(in->store, claim, a.desk.desk_blob != 0 ? 2 : 1, reply_seal_tx, &a);
	if (sr != STORE_OK) {
		(void)store_blob_delete(in->store, blob);
		if (a.desk.desk_blob != 0)
			(void)store_blob_delete(in->store, a.desk.desk_blob);
		return intake_from_store(sr);
	}
	*reply = a.id;
	return INTAKE_OK;
}

enum intake_result intake_acknowledge(struct intake *in, store_id source, const char *text,
                                      size_t n, store_id *reply)
{
	struct store_source src;
	*reply = 0;
	enum store_result sr = store_source_get(in->store, source, &src);
	if (sr != STORE_OK)
		return intake_from_store(sr);
	if (src.nsubmissions != 1)
		return INTAKE_OK;
	return intake_reply_seal_kind(in, "system", source, text, n, INTAKE_REPLY_ACK, reply);
}

struct reply_list {
	struct store_reply *items;
	size_t n;
};

static int collect_reply(void *ctx, const struct store_reply *r)
{
	struct reply_list *l = ctx;
	if (l->n >= MAX_REPLIES)
		return 1;
	l->items[l->n++] = *r;
	return 0;
}

struct blob_collect {
	struct age_decryptor *dec;
	int failed;
};

static int feed_decryptor(void *ctx, const uint8_t *p, size_t n)
{
	struct blob_collect *c = ctx;
	if (age_decrypt_update(c->dec, p, n) != AGE_OK) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

static int plain_to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

enum intake_result intake_replies(struct intake *in, store_id source,
                                  const uint8_t sk[static INTAKE_KEY_LEN],
                                  int (*fn)(void *ctx, const struct intake_reply_view *r),
                                  void *ctx)
{
	struct reply_list l = {.items = calloc(MAX_REPLIES, sizeof(struct store_reply))};
	struct age_identity *id = NULL;
	struct buf plain;
	enum intake_result rc = INTAKE_FAILED;
	buf_init(&plain, MAX_REPLY_BYTES);
	if (l.items == NULL)
		goto out;
	enum store_result sr = store_reply_list(in->store, source, collect_reply, &l);
	if (sr != STORE_OK && sr != STORE_STOP) {
		rc = intake_from_store(sr);
		goto out;
	}
	if (age_identity_from_x25519(sk, &id) != AGE_OK)
		goto out;
	const struct age_identity *ids[1] = {id};
	bool unread = false;
	for (size_t i = 0; i < l.n; i++) {
		struct blob_collect c = {0};
		if (l.items[i].deleted_day != 0 || l.items[i].blob == 0)
			continue; /* deleted by the source: the desk keeps only that it was */
		buf_reset(&plain);
		if (age_decrypt_begin(ids, 1, plain_to_buf, &plain, &c.dec) != AGE_OK)
			goto out;
		sr = store_blob_read(in->store, l.items[i].blob, feed_decryptor, &c);
		enum age_err ae = c.failed ? AGE_ERR_PAYLOAD : age_decrypt_finish(c.dec);
		age_decryptor_free(&c.dec);
		if ((sr != STORE_OK && sr != STORE_STOP) || c.failed || ae != AGE_OK)
			continue; /* a reply this key cannot open is not this source's */
		unread |= l.items[i].read_day == 0;
		struct intake_reply_view v = {.id = l.items[i].id,
		                              .day = l.items[i].day,
		                              .text = buf_str(&plain),
		                              .len = plain.len};
		int stop = fn(ctx, &v);
		sodium_memzero(plain.data, plain.len);
		if (stop)
			break;
	}
	rc = INTAKE_OK;
	/* shown to the source: read, on this day (a state, not an event of the ledger) */
	if (unread && (sr = store_reply_read(in->store, source, store_today())) != STORE_OK)
		rc = intake_from_store(sr);
out:
	age_identity_free(&id);
	buf_wipe_release(&plain);
	free(l.items);
	return rc;
}

enum intake_result intake_reply_delete(struct intake *in, store_id source, store_id reply)
{
	struct reply_tx a = {.source = source, .id = reply};
	return intake_from_store(store_write(in->store, NULL, 0, reply_delete_tx, &a));
}
