/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * import: a partner's bundle taken in. Before anything is decrypted: the
 * envelope's format, its signer (a partner's key), its addressee (this
 * instance), its sequence number (the next one: no replay, no gap) and its
 * previous hash (the last bundle received: no fork). Then each report is
 * checked (an agreed topic, not received before, its portions of this
 * scheme and their combination its stated marking, the importing officer
 * cleared for it) and sealed as a report written by the importing officer
 * (registry_report_prepare), and everything commits in one store_write: the
 * new sequence number, each report with its report.write and liaison.receive
 * entries and its origin, each refusal and each item the partner withheld
 * as entries, and liaison.import. A bundle refused whole is a
 * liaison.refuse entry, alone. The receipt (signed, naming each item
 * accepted and refused) is made before the commit and returned after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/bundle.h"
#include "core/liaison/liaison_internal.h"
#include "lib/utf8.h"

#include "lib/banned.h"

struct rx {
	enum liaison_item_kind kind;
	int64_t remote;
	store_id local;
	char marking[STORE_MARKING_MAX];
	char topics[STORE_TOPICS_MAX + 1];
	char reason[BUNDLE_REASON_MAX + 1];
	struct registry_prepared *prep;
};

struct rx_all {
	struct registry *r;
	const struct officer_key *as;
	const struct store_partner *p;
	struct rx *v;
	size_t n, cap;
	int64_t *seen; /* remote ids received before, sorted */
	size_t nseen;
	struct registry_input_para *paras;
	const char *map; /* liaison_marking_map */
	bool failed;
};

static struct rx *rx_new(struct rx_all *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		if (cap > LIAISON_ITEMS_MAX * 2 + 2) {
			a->failed = true;
			return NULL;
		}
		struct rx *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL) {
			a->failed = true;
			return NULL;
		}
		a->v = v;
		a->cap = cap;
	}
	struct rx *x = &a->v[a->n++];
	memset(x, 0, sizeof *x);
	return x;
}

static int id_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static bool seen(const struct rx_all *a, int64_t remote)
{
	if (a->nseen && bsearch(&remote, a->seen, a->nseen, sizeof remote, id_cmp) != NULL)
		return true;
	for (size_t i = 0; i + 1 < a->n; i++) /* earlier in this bundle */
		if (a->v[i].remote == remote && a->v[i].kind != LIAISON_ITEM_PARTNER_WITHHELD)
			return true;
	return false;
}

/* Whether a partner's marking text names the control word w ("X//ORCON//Y"). */
static bool names_control(const char *marking, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = strstr(marking, w); p != NULL; p = strstr(p + 1, w)) {
		bool before = p == marking || p[-1] == '/' || p[-1] == ' ' || p[-1] == ',';
		char after = p[wl];
		if (before && (after == '\0' || after == '/' || after == ' ' || after == ','))
			return true;
	}
	return false;
}

static int on_item(void *ctx, const struct bundle_item *it)
{
	struct rx_all *a = ctx;
	struct rx *x = rx_new(a);
	char common[STORE_TOPICS_MAX + 1];
	struct registry_report_input in;
	struct registry_error rerr;
	if (x == NULL)
		return 1;
	x->remote = it->id;
	x->kind = LIAISON_ITEM_REFUSED;
	snprintf(x->marking, sizeof x->marking, "%s", it->marking);
	snprintf(x->topics, sizeof x->topics, "%s", it->topics);
	li_topics_common(it->topics, a->p->topics, common);
	if (strcmp(common, it->topics) != 0) {
		snprintf(x->reason, sizeof x->reason, "topics %.100s not all agreed", it->topics);
		return 0;
	}
	if (seen(a, it->id)) {
		snprintf(x->reason, sizeof x->reason, "received before");
		return 0;
	}
	/* the partner's marking mapped to a local one, else it must be of this scheme */
	const struct marking_scheme *scheme = registry_scheme(a->r);
	char mapped[STORE_MARKING_MAX], banner[MARKING_TEXT_MAX + 3], portion[MARKING_TEXT_MAX + 3];
	struct marking lm;
	int m = liaison_marking_map(a->map, it->marking, mapped, sizeof mapped);
	if (m < 0) {
		snprintf(x->reason, sizeof x->reason, "liaison_marking_map is malformed");
		return 0;
	}
	bool local_ok =
	        m == 1 && marking_parse(scheme, mapped, strlen(mapped), &lm, NULL) == MARKING_OK;
	if (local_ok) { /* the originator's controls go with it whatever the map says */
		if (names_control(it->marking, "ORCON"))
			lm.flags |= MARKING_ORCON;
		if (names_control(it->marking, "NOFORN"))
			lm.flags |= MARKING_NOFORN;
	}
	if (m == 1 && (!local_ok || marking_format(scheme, &lm, false, banner, sizeof banner) < 0 ||
	               marking_format(scheme, &lm, true, portion, sizeof portion) < 0)) {
		snprintf(x->reason, sizeof x->reason,
		         "liaison_marking_map maps %.60s to %.60s, not a marking of this scheme",
		         it->marking, mapped);
		return 0;
	}
	if (m == 0 &&
	    marking_parse(scheme, it->marking, strlen(it->marking), &lm, NULL) != MARKING_OK) {
		snprintf(x->reason, sizeof x->reason,
		         "marking %.80s is not of this scheme and liaison_marking_map does not map "
		         "it",
		         it->marking);
		return 0;
	}
	rerr.msg[0] = '\0';
	memset(&in, 0, sizeof in);
	enum registry_result rr = registry_report_parse((const char *)it->text, it->len, a->paras,
	                                                REGISTRY_PARAS_MAX, &in, &rerr);
	if (rr == REGISTRY_OK) {
		in.declared = it->marking;
		if (m == 1) { /* sealed under the mapped marking: every portion is it */
			size_t pl = strlen(portion);
			in.declared = banner;
			in.title.portion = portion;
			in.title.portion_len = pl;
			for (size_t i = 0; i < in.nparas; i++) {
				a->paras[i].portion = portion;
				a->paras[i].portion_len = pl;
			}
			snprintf(x->reason, sizeof x->reason, "mapped to %.120s", banner);
		}
		rr = registry_report_prepare(a->r, a->as, &in, &x->prep, &rerr);
	}
	if (rr == REGISTRY_FAILED) {
		a->failed = true;
		return 1;
	}
	if (rr != REGISTRY_OK) {
		x->reason[0] = '\0';
		bundle_reason_fit(rerr.msg[0] ? rerr.msg : registry_strerror(rr), x->reason,
		                  BUNDLE_REASON_MAX);
		return 0;
	}
	x->kind = LIAISON_ITEM_RECEIVED;
	return 0;
}

static int on_withheld(void *ctx, int64_t id, const char *reason)
{
	struct rx_all *a = ctx;
	struct rx *x = rx_new(a);
	if (x == NULL)
		return 1;
	x->kind = LIAISON_ITEM_PARTNER_WITHHELD;
	x->remote = id;
	bundle_reason_fit(reason, x->reason, BUNDLE_REASON_MAX);
	return 0;
}

static int on_seen(void *ctx, const struct store_received *rcv)
{
	struct rx_all *a = ctx;
	if (a->nseen % 256 == 0) {
		int64_t *v = realloc(a->seen, (a->nseen + 256) * sizeof *v);
		if (v == NULL) {
			a->failed = true;
			return 1;
		}
		a->seen = v;
	}
	a->seen[a->nseen++] = rcv->remote;
	return 0;
}

struct import_tx {
	const struct store_partner *p;
	const struct store_liaison_step *step;
	struct rx *v;
	size_t n;
	uint64_t seq;
	const char *actor, *detail;
};

static enum store_result import_tx(struct store *s, void *arg)
{
	struct import_tx *a = arg;
	char detail[LEDGER_DETAIL_MAX + 1];
	enum store_result sr = store_partner_advance(s, a->p->id, a->step);
	if (sr != STORE_OK)
		return sr;
	for (size_t i = 0; i < a->n; i++) {
		struct rx *x = &a->v[i];
		int k = snprintf(detail, sizeof detail, "partner:%lld report %lld bundle %llu%s%s",
		                 (long long)a->p->id, (long long)x->remote,
		                 (unsigned long long)a->seq, x->reason[0] ? ": " : "", x->reason);
		if (k < 0)
			return STORE_TOO_LARGE;
		detail[utf8_prefix((const uint8_t *)detail, strlen(detail))] = '\0';
		if (x->kind == LIAISON_ITEM_RECEIVED) {
			struct registry_written w;
			struct store_received rcv = {.partner = a->p->id,
			                             .seq = a->seq,
			                             .remote = x->remote,
			                             .day = store_today()};
			if ((sr = registry_report_insert_in(s, x->prep, &w)) != STORE_OK)
				return sr;
			x->local = w.id;
			rcv.report = w.id;
			snprintf(rcv.marking, sizeof rcv.marking, "%s", x->marking);
			store_id rid;
			if ((sr = store_received_add(s, &rcv, &rid)) != STORE_OK ||
			    (sr = store_topics_set(s, w.id, x->topics)) != STORE_OK ||
			    (sr = li_log_in(s, LEDGER_LIAISON_RECEIVE, a->actor, "report", w.id,
			                    x->marking, detail)) != STORE_OK)
				return sr;
		} else {
			sr = li_log_in(s,
			               x->kind == LIAISON_ITEM_REFUSED ? LEDGER_LIAISON_REFUSE
			                                               : LEDGER_LIAISON_WITHHELD,
			               a->actor, "partner", a->p->id,
			               x->kind == LIAISON_ITEM_REFUSED ? x->marking : NULL, detail);
			if (sr != STORE_OK)
				return sr;
		}
	}
	return li_log_in(s, LEDGER_LIAISON_IMPORT, a->actor, "partner", a->p->id, NULL, a->detail);
}

/*
 * The signed receipt of bundle h (its hash in sum) naming each item accepted
 * and refused, made before the import commits (it needs no local id). 0 or -1.
 */
static int make_receipt(const struct liaison_self *self, const struct bundle_head *h,
                        const struct liaison_summary *sum, const struct rx *v, size_t n,
                        struct buf *out)
{
	struct bundle_head rh;
	memset(&rh, 0, sizeof rh);
	snprintf(rh.from, sizeof rh.from, "%s", self->name);
	snprintf(rh.to, sizeof rh.to, "%s", h->from);
	rh.seq = h->seq;
	memcpy(rh.prev, sum->hash, sizeof rh.prev);
	if (bundle_receipt_begin(&rh, out) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == LIAISON_ITEM_PARTNER_WITHHELD)
			continue;
		const char *reason = v[i].kind == LIAISON_ITEM_RECEIVED ? NULL
		                     : v[i].reason[0]                   ? v[i].reason
		                                                        : "refused";
		if (bundle_receipt_item(v[i].remote, reason, out) != 0)
			return -1;
	}
	return bundle_receipt_end(self->name, sum->received, sum->refused, self->sk, out);
}

enum liaison_result liaison_import(struct registry *r, const struct officer_key *as,
                                   const struct liaison_self *self, const uint8_t *p, size_t n,
                                   struct liaison_summary *sum,
                                   int (*fn)(void *ctx, const struct liaison_item *it), void *ctx,
                                   struct buf *receipt, struct liaison_error *err)
{
	struct liaison_error local;
	struct access_subject subj;
	struct bundle_envelope e;
	struct bundle_head ch;
	struct store_partner pt;
	struct rx_all all = {0};
	struct buf plain;
	uint8_t pk[32];
	char actor[LEDGER_TOKEN_MAX + 1], msg[128];
	enum liaison_result rc;

	if (err == NULL)
		err = &local;
	err->msg[0] = '\0';
	buf_init(&plain, LIAISON_BUNDLE_MAX);
	memset(sum, 0, sizeof *sum);
	if ((rc = li_subject(r, as, ACCESS_ROLE_ANALYST, &subj, err)) != LIAISON_OK)
		return rc;
	if (self == NULL || self->name == NULL || self->identity == NULL ||
	    (receipt != NULL && (self->sk == NULL || receipt->len != 0)) ||
	    li_actor(as, actor) != 0)
		return LIAISON_BAD_INPUT;
	if (p == NULL || n == 0 || n > LIAISON_BUNDLE_MAX) {
		li_say(err, "not a bundle (empty or over %u bytes)", LIAISON_BUNDLE_MAX);
		return li_refuse(r, actor, 0, err);
	}
	if (bundle_envelope_parse(p, n, &e, msg) != 0) {
		li_say(err, "not a bundle: %s", msg);
		return li_refuse(r, actor, 0, err);
	}
	rc = li_partner_by_key(registry_store(r), e.head.from, &pt, pk);
	if (rc == LIAISON_FAILED)
		return rc;
	if (rc != LIAISON_OK) {
		li_say(err, "from %.64s: no partner has that key", e.head.from);
		return li_refuse(r, actor, 0, err);
	}
	snprintf(sum->partner, sizeof sum->partner, "%s", pt.name);
	sum->seq = e.head.seq;
	crypto_hash_sha256(sum->hash, p, n);
	if (ledger_note_verify(e.sig_line, e.sig_len, e.head.from, pk, p, e.signed_len) !=
	    LEDGER_OK) {
		li_say(err, "bundle %llu from %s: the signature does not verify with its key",
		       (unsigned long long)e.head.seq, pt.name);
		return li_refuse(r, actor, pt.id, err);
	}
	if (strcmp(e.head.to, self->name) != 0) {
		li_say(err, "bundle %llu from %s is addressed to %.64s, not to this instance",
		       (unsigned long long)e.head.seq, pt.name, e.head.to);
		return li_refuse(r, actor, pt.id, err);
	}
	if (pt.disabled) {
		li_say(err, "bundle %llu from %s: the partner is disabled",
		       (unsigned long long)e.head.seq, pt.name);
		return li_refuse(r, actor, pt.id, err);
	}
	if (e.head.seq <= pt.received_seq) {
		li_say(err, "replay: bundle %llu from %s was received already (the last was %llu)",
		       (unsigned long long)e.head.seq, pt.name,
		       (unsigned long long)pt.received_seq);
		return li_refuse(r, actor, pt.id, err);
	}
	if (e.head.seq != pt.received_seq + 1) {
		li_say(err, "gap: bundle %llu from %s, but the next is %llu (reordered or lost)",
		       (unsigned long long)e.head.seq, pt.name,
		       (unsigned long long)pt.received_seq + 1);
		return li_refuse(r, actor, pt.id, err);
	}
	if (sodium_memcmp(e.head.prev, pt.received_hash, sizeof e.head.prev) != 0) {
		li_say(err, "fork: bundle %llu from %s does not follow the last bundle received",
		       (unsigned long long)e.head.seq, pt.name);
		return li_refuse(r, actor, pt.id, err);
	}
	const struct age_identity *const ids[] = {self->identity, self->identity_old};
	if (age_decrypt_buf(ids, self->identity_old ? 2 : 1, e.payload, e.payload_len, &plain) !=
	    AGE_OK) {
		li_say(err, "bundle %llu from %s: it does not open with this instance's key",
		       (unsigned long long)e.head.seq, pt.name);
		rc = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	all.r = r;
	all.as = as;
	all.p = &pt;
	all.map = self->marking_map;
	if ((all.paras = calloc(REGISTRY_PARAS_MAX, sizeof *all.paras)) == NULL ||
	    store_received(registry_store(r), pt.id, on_seen, &all) != STORE_OK || all.failed) {
		rc = LIAISON_FAILED;
		goto out;
	}
	if (all.nseen)
		qsort(all.seen, all.nseen, sizeof all.seen[0], id_cmp);
	if (bundle_content_parse(plain.data, plain.len, &ch, on_item, on_withheld, &all, msg) !=
	    0) {
		if (all.failed) {
			rc = LIAISON_FAILED;
			goto out;
		}
		li_say(err, "bundle %llu from %s: %s", (unsigned long long)e.head.seq, pt.name,
		       msg);
		rc = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (strcmp(ch.from, e.head.from) != 0 || strcmp(ch.to, e.head.to) != 0 ||
	    ch.seq != e.head.seq || memcmp(ch.prev, e.head.prev, sizeof ch.prev) != 0) {
		li_say(err, "bundle %llu from %s: its content does not match its envelope",
		       (unsigned long long)e.head.seq, pt.name);
		rc = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	for (size_t i = 0; i < all.n; i++) {
		if (all.v[i].kind == LIAISON_ITEM_RECEIVED)
			sum->received++;
		else if (all.v[i].kind == LIAISON_ITEM_REFUSED)
			sum->refused++;
		else
			sum->partner_withheld++;
	}
	char detail[LEDGER_DETAIL_MAX + 1], hex[65];
	sodium_bin2hex(hex, sizeof hex, sum->hash, sizeof sum->hash);
	int k = snprintf(detail, sizeof detail,
	                 "bundle %llu: %zu received, %zu refused, %zu withheld by the partner,"
	                 " sha256 %s",
	                 (unsigned long long)e.head.seq, sum->received, sum->refused,
	                 sum->partner_withheld, hex);
	if (k < 0 || (size_t)k >= sizeof detail) {
		rc = LIAISON_FAILED;
		goto out;
	}
	if (receipt != NULL && make_receipt(self, &e.head, sum, all.v, all.n, receipt) != 0) {
		rc = LIAISON_FAILED;
		goto out;
	}
	struct store_liaison_step step = {.way = STORE_LIAISON_RECEIVED, .from = pt.received_seq};
	memcpy(step.hash, sum->hash, sizeof step.hash);
	struct import_tx a = {.p = &pt,
	                      .step = &step,
	                      .v = all.v,
	                      .n = all.n,
	                      .seq = e.head.seq,
	                      .actor = actor,
	                      .detail = detail};
	enum store_result sr = store_write(registry_store(r), NULL, 0, import_tx, &a);
	if (sr == STORE_EXISTS) {
		li_say(err, "bundle %llu from %s was imported meanwhile by another process",
		       (unsigned long long)e.head.seq, pt.name);
		rc = li_refuse(r, actor, pt.id, err);
		goto out;
	}
	if (sr != STORE_OK) {
		rc = LIAISON_FAILED;
		goto out;
	}
	for (size_t i = 0; fn != NULL && i < all.n; i++) {
		struct liaison_item it = {.kind = all.v[i].kind,
		                          .remote = all.v[i].remote,
		                          .report = all.v[i].local,
		                          .marking = all.v[i].marking,
		                          .reason = all.v[i].reason};
		if (fn(ctx, &it) != 0)
			break;
	}
	rc = LIAISON_OK;
out:
	if (rc != LIAISON_OK && receipt != NULL)
		buf_release(receipt);
	for (size_t i = 0; i < all.n; i++)
		registry_prepared_free(&all.v[i].prep);
	free(all.v);
	free(all.seen);
	free(all.paras);
	buf_wipe_release(&plain);
	return rc;
}
