/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * export: the next bundle for a partner. Every report the officer may read
 * on an agreed topic is decided by THE decision for an outside recipient
 * (release_recipient_allowed, core/release) with the partner as the
 * recipient (its country, the agreement's highest marking): the report whole
 * when it passes, else its tearline at the highest marking releasable to the
 * partner's country when that passes, else withheld with the reason. The
 * bundle is sealed and signed, then the new sequence number commits with
 * the bundle's row (awaiting its receipt), every item's entry and the
 * liaison.export entry in one store_write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/bundle.h"
#include "core/liaison/liaison_internal.h"
#include "core/release/release.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define TEXT_MAX (REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64)
/* The content's budget: the sealed file (age adds 16 bytes a 64 KiB chunk) and its header fit. */
#define CONTENT_MAX (LIAISON_BUNDLE_MAX - 256u * 1024)

/* One item of the bundle as decided. */
struct item {
	store_id id;
	bool sent;
	char marking[STORE_MARKING_MAX];
	char reason[BUNDLE_REASON_MAX + 1];
};

struct ids {
	int64_t *v;
	size_t n, cap;
	int64_t since;
	bool failed;
};

static int collect(void *ctx, const struct registry_listing *l)
{
	struct ids *a = ctx;
	if (l->id <= a->since)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		int64_t *v = cap <= SIZE_MAX / sizeof *v ? realloc(a->v, cap * sizeof *v) : NULL;
		if (v == NULL) {
			a->failed = true;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = l->id;
	return 0;
}

static int id_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* The agreement's highest marking for the partner's country alone, without caveats. */
static bool tearline_target(const struct registry *r, const struct store_partner *p,
                            struct marking *t)
{
	uint16_t c = marking_country_find(p->country, 3);
	if (c == MARKING_COUNTRY_NONE ||
	    marking_parse(registry_scheme(r), p->marking, strlen(p->marking), t, NULL) !=
	            MARKING_OK ||
	    !marking_releasable_to(t, c))
		return false;
	t->flags &= (uint8_t) ~(MARKING_ORCON | MARKING_NOFORN | MARKING_REL_ALL);
	memset(t->release, 0, sizeof t->release);
	t->release[c / 64] |= (uint64_t)1 << (c % 64);
	return true;
}

/*
 * Decides one report: *send the version to send (the report or its tearline,
 * owned by the caller), or it->reason.
 */
static enum liaison_result decide(struct registry *r, const struct officer_key *as,
                                  const struct store_partner *p, struct item *it,
                                  struct registry_report **rep, struct registry_report **tl,
                                  const struct registry_report **send)
{
	struct store_recipient rc;
	struct release_error rerr;
	struct marking target;
	*send = NULL;
	memset(&rc, 0, sizeof rc);
	snprintf(rc.name, sizeof rc.name, "%s", p->name);
	snprintf(rc.nationality, sizeof rc.nationality, "%s", p->country);
	snprintf(rc.marking, sizeof rc.marking, "%s", p->marking);
	rc.id = p->id;
	enum registry_result rr = registry_report_open(r, as, it->id, rep);
	if (rr == REGISTRY_CANNOT_OPEN) {
		bundle_reason_fit("this session holds no key of its label", it->reason,
		                  BUNDLE_REASON_MAX);
		return LIAISON_OK;
	}
	if (rr != REGISTRY_OK)
		return rr == REGISTRY_NOT_FOUND ? LIAISON_OK : LIAISON_FAILED;
	snprintf(it->marking, sizeof it->marking, "%s", (*rep)->marking_text);
	enum release_result whole = release_report_allowed(r, it->id, &rc, &(*rep)->marking,
	                                                   (*rep)->marking_text, &rerr);
	if (whole == RELEASE_OK) {
		*send = *rep;
		return LIAISON_OK;
	}
	bundle_reason_fit(rerr.msg, it->reason, BUNDLE_REASON_MAX);
	if (!tearline_target(r, p, &target))
		return LIAISON_OK;
	if (registry_tearline(r, *rep, &target, tl) != REGISTRY_OK)
		return LIAISON_FAILED;
	if ((*tl)->nparas <= 1)
		return LIAISON_OK; /* no paragraph fits: withheld, the whole report's reason */
	char mt[MARKING_TEXT_MAX + 3];
	int ml = marking_format(registry_scheme(r), &(*tl)->marking, false, mt, sizeof mt);
	if (ml < 0 || ml >= STORE_MARKING_MAX)
		return LIAISON_FAILED;
	if (release_report_allowed(r, it->id, &rc, &(*tl)->marking, mt, &rerr) != RELEASE_OK) {
		bundle_reason_fit(rerr.msg, it->reason, BUNDLE_REASON_MAX);
		return LIAISON_OK;
	}
	memcpy(it->marking, mt, (size_t)ml + 1);
	char why[BUNDLE_REASON_MAX + 1];
	snprintf(why, sizeof why, "tearline at %.180s", mt);
	bundle_reason_fit(why, it->reason, BUNDLE_REASON_MAX);
	*send = *tl;
	return LIAISON_OK;
}

/* The consents given to the partner not sent yet: the next bundle carries them. */
struct pending {
	store_id *ids;
	size_t n;
	struct buf *content;
	bool failed;
};

static int on_pending(void *ctx, const struct store_consent *c)
{
	struct pending *pd = ctx;
	if (pd->n == BUNDLE_CONSENTS_MAX)
		return 1; /* the rest: the next bundle */
	if (pd->n % 64 == 0) {
		store_id *v = realloc(pd->ids, (pd->n + 64) * sizeof *v);
		if (v == NULL) {
			pd->failed = true;
			return 1;
		}
		pd->ids = v;
	}
	if (bundle_content_consent(c->report, c->country, pd->content) != 0) {
		pd->failed = true;
		return 1;
	}
	pd->ids[pd->n++] = c->id;
	return 0;
}

struct export_tx {
	const struct store_partner *p;
	const struct store_liaison_step *step;
	const struct item *items;
	size_t nitems;
	const store_id *consents;
	size_t nconsents;
	const char *actor, *detail;
	uint64_t seq;
};

static enum store_result export_tx(struct store *s, void *arg)
{
	struct export_tx *a = arg;
	char detail[LEDGER_DETAIL_MAX + 1];
	struct store_bundle_sent row = {.partner = a->p->id, .seq = a->seq, .day = store_today()};
	enum store_result sr = store_partner_advance(s, a->p->id, a->step);
	if (sr != STORE_OK)
		return sr;
	memcpy(row.hash, a->step->hash, sizeof row.hash);
	for (size_t i = 0; i < a->nitems; i++) {
		if (a->items[i].sent)
			row.items++;
		else
			row.withheld++;
	}
	if ((sr = store_bundle_sent_add(s, &row)) != STORE_OK)
		return sr;
	for (size_t i = 0; i < a->nitems; i++) {
		const struct item *it = &a->items[i];
		int k = snprintf(detail, sizeof detail, "partner:%lld bundle %llu%s%s",
		                 (long long)a->p->id, (unsigned long long)a->seq,
		                 it->reason[0] ? ": " : "", it->reason);
		if (k < 0)
			return STORE_TOO_LARGE;
		if ((size_t)k >= sizeof detail)
			detail[utf8_prefix((const uint8_t *)detail, strlen(detail))] = '\0';
		sr = li_log_in(s, it->sent ? LEDGER_LIAISON_SEND : LEDGER_LIAISON_WITHHOLD,
		               a->actor, "report", it->id, it->marking, detail);
		if (sr != STORE_OK)
			return sr;
		if (it->sent && (sr = store_item_sent_add(s, a->p->id, a->seq, it->id)) != STORE_OK)
			return sr;
		if (!it->sent) { /* the reason kept with the bundle (the desk's partners page) */
			struct store_withheld w = {.partner = a->p->id,
			                           .way = STORE_LIAISON_SENT,
			                           .seq = a->seq,
			                           .report = it->id};
			bundle_reason_fit(it->reason, w.reason, STORE_WITHHELD_REASON_MAX);
			if ((sr = store_withheld_add(s, &w)) != STORE_OK)
				return sr;
		}
	}
	for (size_t i = 0; i < a->nconsents; i++)
		if ((sr = store_consent_sent(s, a->consents[i], a->seq)) != STORE_OK)
			return sr; /* STORE_EXISTS: another bundle carried it meanwhile */
	return li_log_in(s, LEDGER_LIAISON_EXPORT, a->actor, "partner", a->p->id, NULL, a->detail);
}

enum liaison_result liaison_export(struct registry *r, const struct officer_key *as,
                                   const struct liaison_self *self, const char *partner,
                                   int64_t since, struct buf *out, struct liaison_summary *sum,
                                   int (*fn)(void *ctx, const struct liaison_item *it), void *ctx,
                                   struct liaison_error *err)
{
	return li_export(r, as, self, partner, since, false, out, sum, fn, ctx, err);
}

enum liaison_result li_export(struct registry *r, const struct officer_key *as,
                              const struct liaison_self *self, const char *partner, int64_t since,
                              bool none_if_empty, struct buf *out, struct liaison_summary *sum,
                              int (*fn)(void *ctx, const struct liaison_item *it), void *ctx,
                              struct liaison_error *err)
{
	struct access_subject subj;
	struct store_partner p;
	struct ids ids = {0};
	struct item *items = NULL;
	struct buf content, sealed;
	struct age_recipient *rcp = NULL;
	struct bundle_head head;
	struct pending pd = {.content = NULL};
	size_t nitems = 0;
	enum liaison_result rc;
	enum store_result sr;

	buf_init(&content, LIAISON_BUNDLE_MAX);
	buf_init(&sealed, LIAISON_BUNDLE_MAX);
	memset(sum, 0, sizeof *sum);
	if (err)
		err->msg[0] = '\0';
	if ((rc = li_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != LIAISON_OK)
		goto out;
	if (self == NULL || self->sk == NULL || self->name == NULL || out == NULL) {
		rc = LIAISON_BAD_INPUT;
		goto out;
	}
	sr = store_partner_find(registry_store(r), partner ? partner : "", &p);
	if (sr != STORE_OK) {
		li_say(err, "no partner '%s'", partner ? partner : "");
		rc = sr == STORE_NOT_FOUND ? LIAISON_NOT_FOUND : LIAISON_FAILED;
		goto out;
	}
	if (p.disabled) {
		li_say(err, "partner '%s' is disabled", p.name);
		rc = LIAISON_REFUSED;
		goto out;
	}
	if (age_recipient_parse(p.age_recipient, &rcp) != AGE_OK) {
		rc = LIAISON_FAILED;
		goto out;
	}
	snprintf(sum->partner, sizeof sum->partner, "%s", p.name);
	ids.since = since < 0 ? p.sent_through : since;
	if (registry_report_list(r, subj.id, 0, 0, collect, &ids, NULL) != REGISTRY_OK ||
	    ids.failed) {
		rc = LIAISON_FAILED;
		goto out;
	}
	if (ids.n)
		qsort(ids.v, ids.n, sizeof ids.v[0], id_cmp);
	if (ids.n > LIAISON_ITEMS_MAX) {
		ids.n = LIAISON_ITEMS_MAX; /* the rest goes in the next bundle */
		sum->more = true;
	}
	if ((items = calloc(ids.n ? ids.n : 1, sizeof *items)) == NULL) {
		rc = LIAISON_FAILED;
		goto out;
	}
	memset(&head, 0, sizeof head);
	snprintf(head.from, sizeof head.from, "%s", self->name);
	{
		char kn[LEDGER_ORIGIN_MAX + 1];
		uint8_t pk[32];
		if (ledger_vkey_parse(p.vkey, strlen(p.vkey), kn, pk) != 0) {
			rc = LIAISON_FAILED;
			goto out;
		}
		snprintf(head.to, sizeof head.to, "%s", kn);
	}
	head.seq = p.sent_seq + 1;
	memcpy(head.prev, p.sent_hash, sizeof head.prev);
	pd.content = &content;
	if (bundle_content_begin(&head, &content) != 0 ||
	    bundle_content_rerelease(p.may_rerelease, &content) != 0) {
		rc = LIAISON_FAILED;
		goto out;
	}
	sr = store_consents_pending(registry_store(r), p.id, on_pending, &pd);
	if ((sr != STORE_OK && sr != STORE_STOP) || pd.failed) {
		rc = LIAISON_FAILED;
		goto out;
	}
	sum->through = ids.since > p.sent_through ? ids.since : p.sent_through;
	struct buf text;
	buf_init(&text, TEXT_MAX);
	for (size_t i = 0; i < ids.n; i++) {
		char topics[STORE_TOPICS_MAX + 1], common[STORE_TOPICS_MAX + 1];
		struct store_received from;
		struct item *it = &items[nitems];
		struct registry_report *rep = NULL, *tl = NULL;
		const struct registry_report *send = NULL;
		store_id before = sum->through;
		if (ids.v[i] > sum->through)
			sum->through = ids.v[i];
		if (store_topics_get(registry_store(r), ids.v[i], topics) != STORE_OK) {
			rc = LIAISON_FAILED;
			break;
		}
		li_topics_common(topics, p.topics, common);
		if (common[0] == '\0') {
			sum->skipped++;
			continue;
		}
		memset(it, 0, sizeof *it);
		it->id = ids.v[i];
		sr = store_received_of(registry_store(r), it->id, &from);
		if (sr == STORE_OK && from.partner == p.id) {
			snprintf(it->marking, sizeof it->marking, "%s", from.marking);
			snprintf(it->reason, sizeof it->reason, "received from this partner");
		} else if (sr != STORE_OK && sr != STORE_NOT_FOUND) {
			rc = LIAISON_FAILED;
			break;
		} else if ((rc = decide(r, as, &p, it, &rep, &tl, &send)) != LIAISON_OK) {
			registry_report_free(&rep);
			registry_report_free(&tl);
			break;
		}
		if (send != NULL) {
			buf_reset(&text);
			if (registry_report_format(r, send, &text) != REGISTRY_OK) {
				registry_report_free(&rep);
				registry_report_free(&tl);
				rc = LIAISON_FAILED;
				break;
			}
			if (text.len + 1024 > CONTENT_MAX - content.len) {
				/* full: this report and the rest go in the next bundle */
				registry_report_free(&rep);
				registry_report_free(&tl);
				sum->through = before;
				sum->more = true;
				break;
			}
			if (bundle_content_item(it->id, common, it->marking, text.data, text.len,
			                        &content) != 0) {
				registry_report_free(&rep);
				registry_report_free(&tl);
				rc = LIAISON_FAILED;
				break;
			}
			it->sent = true;
			sum->sent++;
		} else if (it->reason[0] != '\0') {
			if (bundle_content_withheld(it->id, it->reason, &content) != 0) {
				rc = LIAISON_FAILED;
				break;
			}
			sum->withheld++;
		} else {
			registry_report_free(&rep);
			registry_report_free(&tl);
			continue; /* no longer there */
		}
		registry_report_free(&rep);
		registry_report_free(&tl);
		nitems++;
	}
	buf_wipe_release(&text);
	if (rc != LIAISON_OK)
		goto out;
	if (none_if_empty && nitems == 0 && pd.n == 0 && !sum->more) {
		/* nothing to send: no bundle, no sequence number, nothing written */
		sum->through = p.sent_through;
		buf_reset(out);
		goto out;
	}
	const struct age_recipient *const rs[] = {rcp};
	if (bundle_content_end(sum->sent, sum->withheld, &content) != 0 ||
	    age_encrypt_buf(rs, 1, content.data, content.len, &sealed) != AGE_OK ||
	    bundle_envelope_write(&head, sealed.data, sealed.len, self->sk, out) != 0) {
		rc = LIAISON_FAILED;
		goto out;
	}
	crypto_hash_sha256(sum->hash, out->data, out->len);
	sum->seq = head.seq;
	char actor[LEDGER_TOKEN_MAX + 1], detail[LEDGER_DETAIL_MAX + 1], hex[65];
	sodium_bin2hex(hex, sizeof hex, sum->hash, sizeof sum->hash);
	int k = snprintf(detail, sizeof detail,
	                 "bundle %llu: %zu sent, %zu withheld, reports up to %lld looked at,"
	                 " sha256 %s",
	                 (unsigned long long)head.seq, sum->sent, sum->withheld,
	                 (long long)sum->through, hex);
	if (k < 0 || (size_t)k >= sizeof detail || li_actor(as, actor) != 0) {
		rc = LIAISON_FAILED;
		goto out;
	}
	struct store_liaison_step step = {
	        .way = STORE_LIAISON_SENT, .from = p.sent_seq, .through = sum->through};
	memcpy(step.hash, sum->hash, sizeof step.hash);
	struct export_tx a = {.p = &p,
	                      .step = &step,
	                      .items = items,
	                      .nitems = nitems,
	                      .consents = pd.ids,
	                      .nconsents = pd.n,
	                      .actor = actor,
	                      .detail = detail,
	                      .seq = head.seq};
	sr = store_write(registry_store(r), NULL, 0, export_tx, &a);
	if (sr == STORE_EXISTS) {
		li_say(err, "another bundle for '%s' was made meanwhile: export again", p.name);
		rc = LIAISON_REFUSED;
		goto out;
	}
	if (sr != STORE_OK) {
		rc = LIAISON_FAILED;
		goto out;
	}
	for (size_t i = 0; fn != NULL && i < nitems; i++) {
		struct liaison_item li = {.kind = items[i].sent ? LIAISON_ITEM_SENT
		                                                : LIAISON_ITEM_WITHHELD,
		                          .remote = items[i].id,
		                          .report = items[i].id,
		                          .marking = items[i].marking,
		                          .reason = items[i].reason};
		if (fn(ctx, &li) != 0)
			break;
	}
	rc = LIAISON_OK;
out:
	if (rc != LIAISON_OK && out != NULL)
		buf_release(out);
	age_recipient_free(&rcp);
	buf_wipe_release(&content);
	buf_release(&sealed);
	free(ids.v);
	free(items);
	free(pd.ids);
	return rc;
}
