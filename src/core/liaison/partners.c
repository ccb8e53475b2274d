/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * partners: partner services and their agreements, partner cards, and the
 * topics of reports. Each change commits with its ledger entry in one
 * store_write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/liaison/liaison_internal.h"
#include "core/store/store_registry.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define PARTNER_ROLES (ACCESS_ROLE_ADMIN | ACCESS_ROLE_RELEASING)

static bool text_ok(const char *t, size_t max)
{
	size_t n = t ? strnlen(t, max + 1) : 0;
	if (n == 0 || n > max || utf8_count((const uint8_t *)t, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

static bool ascii_ok(const char *t, size_t max)
{
	size_t n = strnlen(t, max + 1);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return false;
	return true;
}

/* The fields of a card or a partner, checked; msg says which is wrong. */
static enum liaison_result fields_ok(const char *name, const char *country, const char *vkey,
                                     const char *age, const char *url, struct liaison_error *err)
{
	char kn[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32];
	struct age_recipient *rc = NULL;
	if (!text_ok(name, STORE_PARTNER_NAME_MAX)) {
		li_say(err, "a partner's name is 1 to %d bytes of text on one line",
		       STORE_PARTNER_NAME_MAX);
		return LIAISON_BAD_INPUT;
	}
	if (country == NULL || strlen(country) != 3 ||
	    marking_country_find(country, 3) == MARKING_COUNTRY_NONE) {
		li_say(err, "the country must be an ISO 3166-1 alpha-3 code, e.g. FRA");
		return LIAISON_BAD_INPUT;
	}
	if (vkey == NULL || strnlen(vkey, STORE_PARTNER_KEY_MAX + 1) > STORE_PARTNER_KEY_MAX ||
	    ledger_vkey_parse(vkey, strlen(vkey), kn, pk) != 0) {
		li_say(err, "the key must be a verifier key NAME+HEXID+BASE64, as `cutout ledger "
		            "key` prints");
		return LIAISON_BAD_INPUT;
	}
	if (age == NULL || strnlen(age, STORE_AGE_RECIPIENT_MAX + 1) > STORE_AGE_RECIPIENT_MAX ||
	    age_recipient_parse(age, &rc) != AGE_OK) {
		li_say(err, "the age recipient must be an age1... X25519 recipient");
		return LIAISON_BAD_INPUT;
	}
	age_recipient_free(&rc);
	if (url != NULL && url[0] != '\0' &&
	    (!ascii_ok(url, STORE_PARTNER_URL_MAX) ||
	     (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))) {
		li_say(err, "the liaison URL must be an http(s):// URL of at most %d bytes",
		       STORE_PARTNER_URL_MAX);
		return LIAISON_BAD_INPUT;
	}
	return LIAISON_OK;
}

/* ---- partners ---- */

struct add_tx {
	const struct store_partner *row;
	const char *actor, *detail;
	store_id id;
};

static enum store_result add_tx(struct store *s, void *arg)
{
	struct add_tx *a = arg;
	enum store_result sr = store_partner_add(s, a->row, &a->id);
	if (sr != STORE_OK)
		return sr;
	return li_log_in(s, LEDGER_PARTNER_ADD, a->actor, "partner", a->id, a->row->marking,
	                 a->detail);
}

enum liaison_result liaison_partner_add(struct registry *r, const struct officer_key *as,
                                        const char *vocabulary,
                                        const struct liaison_partner_input *in, store_id *out,
                                        struct liaison_error *err)
{
	struct access_subject subj;
	struct store_partner row;
	struct marking m;
	struct marking_error merr;
	enum liaison_result rc;

	if (err)
		err->msg[0] = '\0';
	if ((rc = li_subject(r, as, PARTNER_ROLES, &subj, err)) != LIAISON_OK)
		return rc;
	if (in == NULL || out == NULL)
		return LIAISON_BAD_INPUT;
	*out = 0;
	if ((rc = fields_ok(in->name, in->country, in->vkey, in->age_recipient, in->url, err)) !=
	    LIAISON_OK)
		return rc;
	memset(&row, 0, sizeof row);
	if ((rc = liaison_topics_parse(vocabulary, in->topics, row.topics, err)) != LIAISON_OK)
		return rc;
	if (row.topics[0] == '\0') {
		li_say(err, "an agreement names at least one topic");
		return LIAISON_BAD_INPUT;
	}
	if (in->marking == NULL || marking_parse(registry_scheme(r), in->marking,
	                                         strlen(in->marking), &m, &merr) != MARKING_OK) {
		li_say(err, "the agreement's highest marking: %s",
		       in->marking ? merr.msg : "missing");
		return LIAISON_BAD_INPUT;
	}
	if (marking_format(registry_scheme(r), &m, false, row.marking, sizeof row.marking) < 0)
		return LIAISON_FAILED;
	snprintf(row.name, sizeof row.name, "%s", in->name);
	snprintf(row.country, sizeof row.country, "%s", in->country);
	snprintf(row.vkey, sizeof row.vkey, "%s", in->vkey);
	snprintf(row.age_recipient, sizeof row.age_recipient, "%s", in->age_recipient);
	snprintf(row.url, sizeof row.url, "%s", in->url ? in->url : "");
	row.may_rerelease = in->may_rerelease;
	row.day = store_today();
	char actor[LEDGER_TOKEN_MAX + 1], detail[LEDGER_DETAIL_MAX + 1];
	int k = snprintf(detail, sizeof detail, "%s (%s), topics %s, may re-release: %s", row.name,
	                 row.country, row.topics, row.may_rerelease ? "yes" : "no");
	if (k < 0 || (size_t)k >= sizeof detail || li_actor(as, actor) != 0)
		return LIAISON_FAILED;
	struct add_tx a = {.row = &row, .actor = actor, .detail = detail};
	enum store_result sr = store_write(registry_store(r), NULL, 0, add_tx, &a);
	if (sr == STORE_EXISTS) {
		li_say(err, "there is a partner named '%s' already", row.name);
		return LIAISON_EXISTS;
	}
	if (sr != STORE_OK)
		return LIAISON_FAILED;
	*out = a.id;
	return LIAISON_OK;
}

struct disable_tx {
	store_id id;
	const char *actor, *marking;
};

static enum store_result disable_tx(struct store *s, void *arg)
{
	struct disable_tx *a = arg;
	enum store_result sr = store_partner_disable(s, a->id);
	if (sr != STORE_OK)
		return sr;
	return li_log_in(s, LEDGER_PARTNER_DISABLE, a->actor, "partner", a->id, a->marking, NULL);
}

enum liaison_result liaison_partner_disable(struct registry *r, const struct officer_key *as,
                                            const char *name, struct liaison_error *err)
{
	struct access_subject subj;
	struct store_partner p;
	enum liaison_result rc;
	if ((rc = li_subject(r, as, PARTNER_ROLES, &subj, err)) != LIAISON_OK)
		return rc;
	enum store_result sr = store_partner_find(registry_store(r), name ? name : "", &p);
	if (sr == STORE_NOT_FOUND) {
		li_say(err, "no partner '%s'", name ? name : "");
		return LIAISON_NOT_FOUND;
	}
	if (sr != STORE_OK)
		return LIAISON_FAILED;
	char actor[LEDGER_TOKEN_MAX + 1];
	if (li_actor(as, actor) != 0)
		return LIAISON_FAILED;
	struct disable_tx a = {.id = p.id, .actor = actor, .marking = p.marking};
	return store_write(registry_store(r), NULL, 0, disable_tx, &a) == STORE_OK ? LIAISON_OK
	                                                                           : LIAISON_FAILED;
}

enum liaison_result liaison_partner_list(struct registry *r, const struct officer_key *as,
                                         int (*fn)(void *ctx, const struct store_partner *p),
                                         void *ctx)
{
	struct access_subject subj;
	enum liaison_result rc;
	if ((rc = li_subject(r, as, PARTNER_ROLES, &subj, NULL)) != LIAISON_OK)
		return rc;
	enum store_result sr = store_partners(registry_store(r), fn, ctx);
	return sr == STORE_OK || sr == STORE_STOP ? LIAISON_OK : LIAISON_FAILED;
}

enum liaison_result liaison_partner_show(struct registry *r, const struct officer_key *as,
                                         const char *name, struct store_partner *out)
{
	struct access_subject subj;
	enum liaison_result rc;
	if ((rc = li_subject(r, as, PARTNER_ROLES, &subj, NULL)) != LIAISON_OK)
		return rc;
	enum store_result sr = store_partner_find(registry_store(r), name ? name : "", out);
	return sr == STORE_OK          ? LIAISON_OK
	       : sr == STORE_NOT_FOUND ? LIAISON_NOT_FOUND
	                               : LIAISON_FAILED;
}

/* ---- partner cards ---- */

static const char card_magic[] = "cutout-partner-card v1\n";
static const char card_magic2[] = "cutout-partner-card v2\n";

enum liaison_result liaison_card_make(const struct liaison_card *c, const uint8_t sk[static 64],
                                      struct buf *out, struct liaison_error *err)
{
	char kn[LEDGER_ORIGIN_MAX + 1], kn2[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32], pk2[32];
	enum liaison_result rc =
	        fields_ok(c->name, c->country, c->vkey, c->age_recipient, c->url, err);
	if (rc != LIAISON_OK)
		return rc;
	if (ledger_vkey_parse(c->vkey, strlen(c->vkey), kn, pk) != 0 ||
	    memcmp(pk, sk + 32, 32) != 0) {
		li_say(err, "the card's key is not the signing key's");
		return LIAISON_BAD_INPUT;
	}
	size_t start = out->len;
	if (c->ledger_vkey[0] &&
	    ledger_vkey_parse(c->ledger_vkey, strlen(c->ledger_vkey), kn2, pk2) != 0) {
		li_say(err, "the card's ledger key is not a verifier key");
		return LIAISON_BAD_INPUT;
	}
	if (buf_printf(out, "%sname %s\ncountry %s\nkey %s\nage %s\n",
	               c->ledger_vkey[0] ? card_magic2 : card_magic, c->name, c->country, c->vkey,
	               c->age_recipient) != BUF_OK ||
	    (c->ledger_vkey[0] && buf_printf(out, "ledger %s\n", c->ledger_vkey) != BUF_OK) ||
	    (c->url[0] && buf_printf(out, "url %s\n", c->url) != BUF_OK))
		return LIAISON_FAILED;
	size_t body = out->len - start;
	if (buf_append(out, "\n", 1) != BUF_OK ||
	    ledger_note_sign(kn, sk, out->data + start, body, out) != 0)
		return LIAISON_FAILED;
	return LIAISON_OK;
}

/* Line "key value\n" at *pos of p[0..n) into out[cap]; false if absent or malformed. */
static bool card_field(const char *p, size_t n, size_t *pos, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);
	const char *s = p + *pos;
	const char *nl = memchr(s, '\n', n - *pos);
	if (nl == NULL)
		return false;
	size_t len = (size_t)(nl - s);
	if (len <= k + 1 || memcmp(s, key, k) != 0 || s[k] != ' ' || len - k - 1 >= cap)
		return false;
	memcpy(out, s + k + 1, len - k - 1);
	out[len - k - 1] = '\0';
	*pos += len + 1;
	return true;
}

enum liaison_result liaison_card_open(const uint8_t *p, size_t n, struct liaison_card *out,
                                      struct liaison_error *err)
{
	const char *s = (const char *)p;
	size_t pos = sizeof card_magic - 1;
	char kn[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32];
	memset(out, 0, sizeof *out);
	if (err)
		err->msg[0] = '\0';
	bool v2 = p != NULL && n >= pos && memcmp(p, card_magic2, pos) == 0;
	if (p == NULL || n > LIAISON_CARD_MAX || n < pos ||
	    (!v2 && memcmp(p, card_magic, pos) != 0) || memchr(p, '\0', n) != NULL ||
	    !card_field(s, n, &pos, "name", out->name, sizeof out->name) ||
	    !card_field(s, n, &pos, "country", out->country, sizeof out->country) ||
	    !card_field(s, n, &pos, "key", out->vkey, sizeof out->vkey) ||
	    !card_field(s, n, &pos, "age", out->age_recipient, sizeof out->age_recipient)) {
		li_say(err, "not a partner card");
		return LIAISON_BAD_INPUT;
	}
	if (v2 && (!card_field(s, n, &pos, "ledger", out->ledger_vkey, sizeof out->ledger_vkey) ||
	           ledger_vkey_parse(out->ledger_vkey, strlen(out->ledger_vkey), kn, pk) != 0)) {
		li_say(err, "not a partner card (v2 without its ledger key)");
		return LIAISON_BAD_INPUT;
	}
	if (pos < n && s[pos] == 'u' && !card_field(s, n, &pos, "url", out->url, sizeof out->url)) {
		li_say(err, "not a partner card");
		return LIAISON_BAD_INPUT;
	}
	size_t body = pos;
	if (pos >= n || s[pos] != '\n') {
		li_say(err, "not a partner card (no blank line before the signature)");
		return LIAISON_BAD_INPUT;
	}
	pos++;
	enum liaison_result rc =
	        fields_ok(out->name, out->country, out->vkey, out->age_recipient, out->url, err);
	if (rc != LIAISON_OK)
		return rc;
	if (ledger_vkey_parse(out->vkey, strlen(out->vkey), kn, pk) != 0)
		return LIAISON_BAD_INPUT;
	const char *nl = memchr(s + pos, '\n', n - pos);
	if (nl == NULL || (size_t)(nl - s) + 1 != n ||
	    ledger_note_verify(s + pos, n - pos, kn, pk, p, body) != LEDGER_OK) {
		li_say(err, "the card is not signed by the key it names");
		return LIAISON_REFUSED;
	}
	return LIAISON_OK;
}

/* ---- report topics ---- */

struct topics_tx {
	store_id report;
	const char *topics, *actor, *marking;
};

static enum store_result topics_tx(struct store *s, void *arg)
{
	struct topics_tx *a = arg;
	enum store_result sr = store_topics_set(s, a->report, a->topics);
	if (sr != STORE_OK)
		return sr;
	return li_log_in(s, LEDGER_REPORT_TOPICS, a->actor, "report", a->report, a->marking,
	                 a->topics[0] ? a->topics : "none");
}

static int marking_of(void *ctx, const struct store_report *rep)
{
	snprintf(ctx, STORE_MARKING_MAX, "%s", rep->marking);
	return 0;
}

/* The report's marking for `as`, if they may read it (the decision). */
static enum liaison_result readable(struct registry *r, const struct officer_key *as,
                                    uint32_t roles, store_id report,
                                    char marking[static STORE_MARKING_MAX],
                                    struct liaison_error *err)
{
	struct access_subject subj;
	enum liaison_result rc = li_subject(r, as, roles, &subj, err);
	if (rc != LIAISON_OK)
		return rc;
	if (report <= 0 || !registry_report_readable(r, &subj, report)) {
		li_say(err, "report %lld: no such report", (long long)report);
		return LIAISON_NOT_FOUND;
	}
	marking[0] = '\0';
	if (store_report_get(registry_store(r), report, marking_of, marking) != STORE_OK)
		return LIAISON_FAILED;
	return LIAISON_OK;
}

enum liaison_result liaison_report_topics_set(struct registry *r, const struct officer_key *as,
                                              const char *vocabulary, store_id report,
                                              const char *topics, struct liaison_error *err)
{
	char stored[STORE_TOPICS_MAX + 1], marking[STORE_MARKING_MAX], actor[LEDGER_TOKEN_MAX + 1];
	enum liaison_result rc;
	if (err)
		err->msg[0] = '\0';
	if ((rc = readable(r, as, ACCESS_ROLE_ANALYST, report, marking, err)) != LIAISON_OK ||
	    (rc = liaison_topics_parse(vocabulary, topics, stored, err)) != LIAISON_OK)
		return rc;
	if (li_actor(as, actor) != 0)
		return LIAISON_FAILED;
	struct topics_tx a = {
	        .report = report, .topics = stored, .actor = actor, .marking = marking};
	return store_write(registry_store(r), NULL, 0, topics_tx, &a) == STORE_OK ? LIAISON_OK
	                                                                          : LIAISON_FAILED;
}

enum liaison_result liaison_report_topics_get(struct registry *r, const struct officer_key *as,
                                              store_id report,
                                              char out[static STORE_TOPICS_MAX + 1])
{
	char marking[STORE_MARKING_MAX];
	out[0] = '\0';
	enum liaison_result rc = readable(r, as, ~0u, report, marking, NULL);
	if (rc != LIAISON_OK)
		return rc;
	return store_topics_get(registry_store(r), report, out) == STORE_OK ? LIAISON_OK
	                                                                    : LIAISON_FAILED;
}

enum liaison_result liaison_report_origin(struct registry *r, const struct officer_key *as,
                                          store_id report, struct liaison_origin *out)
{
	char marking[STORE_MARKING_MAX];
	struct store_received rcv;
	memset(out, 0, sizeof *out);
	enum liaison_result rc = readable(r, as, ~0u, report, marking, NULL);
	if (rc != LIAISON_OK)
		return rc;
	enum store_result sr = store_received_of(registry_store(r), report, &rcv);
	if (sr == STORE_NOT_FOUND)
		return LIAISON_OK; /* a report of this instance: out->partner "" */
	if (sr != STORE_OK ||
	    store_partner_get(registry_store(r), rcv.partner, &out->partner) != STORE_OK)
		return LIAISON_FAILED;
	out->seq = rcv.seq;
	out->remote = rcv.remote;
	snprintf(out->marking, sizeof out->marking, "%s", rcv.marking);
	snprintf(out->local, sizeof out->local, "%s", marking);
	return LIAISON_OK;
}
