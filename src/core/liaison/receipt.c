/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * receipt: a partner's signed receipt of a bundle sent to it, recorded, and
 * the exchange's state with a partner (sent, receipted, outstanding,
 * received; a partner that stopped receipting). A receipt is checked before
 * anything is recorded: its format, its signer (a partner's key) and the
 * signature, the addressee (this instance), the bundle (one sent to that
 * partner, that sequence number, that hash), not receipted before, and its
 * items counted against the bundle's. Then the bundle's row takes the
 * receipt with its liaison.receipt entries in one store_write; a receipt
 * refused is a liaison.refuse entry, alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/bundle.h"
#include "core/liaison/liaison_internal.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define RECEIPT_ROLES (ACCESS_ROLE_ADMIN | ACCESS_ROLE_RELEASING)

/* One item the partner refused, as its receipt says. */
struct refusal {
	int64_t id;
	char reason[BUNDLE_REASON_MAX + 1];
};

struct items {
	struct refusal *v;
	size_t n, cap;
	int (*fn)(void *ctx, int64_t id, const char *reason);
	void *ctx;
	bool failed;
};

static int on_item(void *ctx, int64_t id, const char *reason)
{
	struct items *a = ctx;
	if (reason == NULL)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct refusal *v =
		        cap <= LIAISON_ITEMS_MAX ? realloc(a->v, cap * sizeof *v) : NULL;
		if (v == NULL) {
			a->failed = cap <= LIAISON_ITEMS_MAX;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].id = id;
	snprintf(a->v[a->n].reason, sizeof a->v[a->n].reason, "%s", reason);
	a->n++;
	return 0;
}

struct receipt_tx {
	const struct store_bundle_sent *row;
	const struct items *refused;
	const char *actor, *detail;
};

static enum store_result receipt_tx(struct store *s, void *arg)
{
	struct receipt_tx *a = arg;
	char detail[LEDGER_DETAIL_MAX + 1];
	enum store_result sr = store_bundle_receipt(s, a->row);
	if (sr != STORE_OK)
		return sr;
	for (size_t i = 0; i < a->refused->n; i++) {
		const struct refusal *x = &a->refused->v[i];
		int k = snprintf(detail, sizeof detail, "partner:%lld bundle %llu refused: %s",
		                 (long long)a->row->partner, (unsigned long long)a->row->seq,
		                 x->reason);
		if (k < 0)
			return STORE_TOO_LARGE;
		detail[utf8_prefix((const uint8_t *)detail, strlen(detail))] = '\0';
		if ((sr = li_log_in(s, LEDGER_LIAISON_RECEIPT, a->actor, "report", x->id, NULL,
		                    detail)) != STORE_OK)
			return sr;
	}
	return li_log_in(s, LEDGER_LIAISON_RECEIPT, a->actor, "partner", a->row->partner, NULL,
	                 a->detail);
}

enum liaison_result liaison_receipt(struct registry *r, const struct officer_key *as,
                                    const struct liaison_self *self, const uint8_t *p, size_t n,
                                    struct liaison_receipt_summary *sum,
                                    int (*fn)(void *ctx, int64_t id, const char *reason), void *ctx,
                                    struct liaison_error *err)
{
	struct liaison_error local;
	struct access_subject subj;
	struct bundle_receipt rc;
	struct store_partner pt;
	struct store_bundle_sent row;
	struct items refused = {0};
	uint8_t pk[32];
	char actor[LEDGER_TOKEN_MAX + 1], msg[128];
	enum liaison_result res;

	if (err == NULL)
		err = &local;
	err->msg[0] = '\0';
	memset(sum, 0, sizeof *sum);
	if ((res = li_subject(r, as, RECEIPT_ROLES, &subj, err)) != LIAISON_OK)
		return res;
	if (self == NULL || self->name == NULL || li_actor(as, actor) != 0)
		return LIAISON_BAD_INPUT;
	if (bundle_receipt_parse(p, n, &rc, on_item, &refused, msg) != 0) {
		free(refused.v);
		if (refused.failed)
			return LIAISON_FAILED;
		li_say(err, "not a receipt: %s", msg);
		return li_refuse(r, actor, 0, err);
	}
	res = li_partner_by_key(registry_store(r), rc.head.from, &pt, pk);
	if (res == LIAISON_FAILED)
		goto out;
	if (res != LIAISON_OK) {
		li_say(err, "receipt from %.64s: no partner has that key", rc.head.from);
		res = li_refuse(r, actor, 0, err);
		goto out;
	}
	snprintf(sum->partner, sizeof sum->partner, "%s", pt.name);
	sum->seq = rc.head.seq;
	sum->accepted = rc.accepted;
	sum->refused = rc.refused;
	if (ledger_note_verify(rc.sig_line, rc.sig_len, rc.head.from, pk, p, rc.signed_len) !=
	    LEDGER_OK) {
		li_say(err,
		       "receipt of bundle %llu from %s: the signature does not verify with its"
		       " key",
		       (unsigned long long)rc.head.seq, pt.name);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (strcmp(rc.head.to, self->name) != 0) {
		li_say(err, "receipt from %s is addressed to %.64s, not to this instance", pt.name,
		       rc.head.to);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	enum store_result sr = store_bundle_sent_get(registry_store(r), pt.id, rc.head.seq, &row);
	if (sr == STORE_NOT_FOUND) {
		li_say(err, "receipt from %s for bundle %llu: no such bundle was sent to it",
		       pt.name, (unsigned long long)rc.head.seq);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (sr != STORE_OK) {
		res = LIAISON_FAILED;
		goto out;
	}
	if (sodium_memcmp(row.hash, rc.head.prev, sizeof row.hash) != 0) {
		li_say(err,
		       "receipt from %s for bundle %llu names another bundle (its hash differs)",
		       pt.name, (unsigned long long)rc.head.seq);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (row.receipted != 0) {
		li_say(err, "replay: the receipt of bundle %llu from %s was recorded already",
		       (unsigned long long)rc.head.seq, pt.name);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (rc.accepted + rc.refused != row.items) {
		li_say(err,
		       "receipt from %s for bundle %llu names %zu items, the bundle carried %lu",
		       pt.name, (unsigned long long)rc.head.seq, rc.accepted + rc.refused,
		       (unsigned long)row.items);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	char detail[LEDGER_DETAIL_MAX + 1], hex[65];
	sodium_bin2hex(hex, sizeof hex, row.hash, sizeof row.hash);
	int k = snprintf(detail, sizeof detail, "bundle %llu: %zu accepted, %zu refused, sha256 %s",
	                 (unsigned long long)rc.head.seq, rc.accepted, rc.refused, hex);
	if (k < 0 || (size_t)k >= sizeof detail) {
		res = LIAISON_FAILED;
		goto out;
	}
	row.receipted = store_today();
	row.accepted = (uint32_t)rc.accepted;
	row.refused = (uint32_t)rc.refused;
	struct receipt_tx a = {.row = &row, .refused = &refused, .actor = actor, .detail = detail};
	sr = store_write(registry_store(r), NULL, 0, receipt_tx, &a);
	if (sr == STORE_EXISTS) {
		li_say(err, "replay: the receipt of bundle %llu from %s was recorded meanwhile",
		       (unsigned long long)rc.head.seq, pt.name);
		res = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (sr != STORE_OK) {
		res = LIAISON_FAILED;
		goto out;
	}
	res = LIAISON_OK;
	if (fn != NULL && bundle_receipt_parse(p, n, &rc, fn, ctx, msg) != 0)
		li_say(err, "the listing of its items stopped"); /* recorded all the same */
out:
	free(refused.v);
	return res;
}

/* ---- status ---- */

static int count_sent(void *ctx, const struct store_bundle_sent *b)
{
	struct liaison_status *st = ctx;
	st->sent++;
	st->items_sent += b->items;
	st->items_withheld += b->withheld;
	if (b->receipted) {
		st->receipted++;
		st->items_accepted += b->accepted;
		st->items_refused += b->refused;
	} else {
		st->outstanding++;
		st->items_unreceipted += b->items;
		if (st->oldest_outstanding == 0 || b->day < st->oldest_outstanding)
			st->oldest_outstanding = b->day;
	}
	return 0;
}

static int count_received(void *ctx, const struct store_received *rcv)
{
	(void)rcv;
	((struct liaison_status *)ctx)->items_received++;
	return 0;
}

enum liaison_result liaison_status(struct registry *r, const struct officer_key *as,
                                   const char *partner, int32_t receipt_days, int32_t today,
                                   struct liaison_status *out, struct liaison_error *err)
{
	struct liaison_error local;
	struct access_subject subj;
	enum liaison_result res;
	if (err == NULL)
		err = &local;
	err->msg[0] = '\0';
	memset(out, 0, sizeof *out);
	if ((res = li_subject(r, as, RECEIPT_ROLES, &subj, err)) != LIAISON_OK)
		return res;
	if (partner == NULL || receipt_days < 1)
		return LIAISON_BAD_INPUT;
	struct store *s = registry_store(r);
	enum store_result sr = store_partner_find(s, partner, &out->partner);
	if (sr == STORE_NOT_FOUND) {
		li_say(err, "no partner '%.128s'", partner);
		return LIAISON_NOT_FOUND;
	}
	if (sr != STORE_OK || store_bundles_sent(s, out->partner.id, count_sent, out) != STORE_OK ||
	    store_received(s, out->partner.id, count_received, out) != STORE_OK)
		return LIAISON_FAILED;
	out->received = out->partner.received_seq;
	if (out->outstanding) {
		int32_t waited = (today > 0 ? today : store_today()) - out->oldest_outstanding;
		if (waited > receipt_days)
			out->late_days = waited;
	}
	return LIAISON_OK;
}

/* ---- the last bundles each way ---- */

struct last_rows {
	struct liaison_bundle_row v[LIAISON_BUNDLES_LAST_MAX];
	size_t cap, n, next; /* a ring of the last cap rows */
};

static void ring_put(struct last_rows *l, const struct liaison_bundle_row *b)
{
	l->v[l->next] = *b;
	l->next = (l->next + 1) % l->cap;
	if (l->n < l->cap)
		l->n++;
}

static int last_sent(void *ctx, const struct store_bundle_sent *b)
{
	struct liaison_bundle_row row = {.way = STORE_LIAISON_SENT,
	                                 .seq = b->seq,
	                                 .day = b->day,
	                                 .items = b->items,
	                                 .withheld = b->withheld,
	                                 .receipted = b->receipted,
	                                 .accepted = b->accepted,
	                                 .refused = b->refused};
	ring_put(ctx, &row);
	return 0;
}

static int last_received(void *ctx, const struct store_received *rcv)
{
	struct last_rows *l = ctx;
	struct liaison_bundle_row *top = l->n ? &l->v[(l->next + l->cap - 1) % l->cap] : NULL;
	if (top != NULL && top->seq == rcv->seq) {
		if (top->items < UINT32_MAX)
			top->items++;
		return 0;
	}
	struct liaison_bundle_row row = {
	        .way = STORE_LIAISON_RECEIVED, .seq = rcv->seq, .day = rcv->day, .items = 1};
	ring_put(l, &row);
	return 0;
}

/* The ring's rows to fn, the newest first. 1 when fn stopped. */
static int ring_out(const struct last_rows *l,
                    int (*fn)(void *ctx, const struct liaison_bundle_row *b), void *ctx)
{
	for (size_t i = 0; i < l->n; i++)
		if (fn(ctx, &l->v[(l->next + l->cap - 1 - i) % l->cap]) != 0)
			return 1;
	return 0;
}

enum liaison_result liaison_bundles(struct registry *r, const struct officer_key *as,
                                    const char *partner, size_t last,
                                    int (*fn)(void *ctx, const struct liaison_bundle_row *b),
                                    void *ctx)
{
	struct access_subject subj;
	struct store_partner p;
	enum liaison_result res;
	if ((res = li_subject(r, as, RECEIPT_ROLES, &subj, NULL)) != LIAISON_OK)
		return res;
	if (partner == NULL || fn == NULL || last == 0 || last > LIAISON_BUNDLES_LAST_MAX)
		return LIAISON_BAD_INPUT;
	struct store *s = registry_store(r);
	enum store_result sr = store_partner_find(s, partner, &p);
	if (sr != STORE_OK)
		return sr == STORE_NOT_FOUND ? LIAISON_NOT_FOUND : LIAISON_FAILED;
	struct last_rows *l = calloc(1, sizeof *l);
	if (l == NULL)
		return LIAISON_FAILED;
	l->cap = last;
	res = LIAISON_FAILED;
	if (store_bundles_sent(s, p.id, last_sent, l) != STORE_OK)
		goto out;
	res = LIAISON_OK;
	if (ring_out(l, fn, ctx))
		goto out;
	l->n = l->next = 0;
	if (store_received(s, p.id, last_received, l) != STORE_OK) {
		res = LIAISON_FAILED;
		goto out;
	}
	(void)ring_out(l, fn, ctx);
out:
	free(l);
	return res;
}

/* ---- the items withheld from a bundle ---- */

struct withheld_out {
	int (*fn)(void *ctx, int64_t report, const char *reason);
	void *ctx;
	size_t shown, max, total;
};

static int withheld_one(void *ctx, const struct store_withheld *w)
{
	struct withheld_out *o = ctx;
	o->total++;
	if (o->shown < o->max) {
		o->shown++;
		if (o->fn(o->ctx, w->report, w->reason) != 0)
			return 1;
	}
	return 0;
}

enum liaison_result liaison_withheld(struct registry *r, const struct officer_key *as,
                                     const char *partner, enum store_liaison_way way, uint64_t seq,
                                     size_t max,
                                     int (*fn)(void *ctx, int64_t report, const char *reason),
                                     void *ctx, size_t *total)
{
	struct access_subject subj;
	struct store_partner p;
	enum liaison_result res;
	if (total != NULL)
		*total = 0;
	if ((res = li_subject(r, as, RECEIPT_ROLES, &subj, NULL)) != LIAISON_OK)
		return res;
	if (partner == NULL || fn == NULL || seq == 0 || seq >= (uint64_t)INT64_MAX ||
	    (way != STORE_LIAISON_SENT && way != STORE_LIAISON_RECEIVED))
		return LIAISON_BAD_INPUT;
	struct store *s = registry_store(r);
	enum store_result sr = store_partner_find(s, partner, &p);
	if (sr != STORE_OK)
		return sr == STORE_NOT_FOUND ? LIAISON_NOT_FOUND : LIAISON_FAILED;
	struct withheld_out o = {.fn = fn, .ctx = ctx, .max = max};
	sr = store_withheld(s, p.id, way, seq, withheld_one, &o);
	if (sr != STORE_OK && sr != STORE_STOP)
		return LIAISON_FAILED;
	if (total != NULL)
		*total = o.total;
	return LIAISON_OK;
}
