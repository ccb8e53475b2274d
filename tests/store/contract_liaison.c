/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_liaison: the store contract (tests/store/README.md) for the
 * liaison domain through its front (core/store/store_liaison.h): partners
 * (unique names, validation, disable, order by name), the exchange's
 * sequence moving one bundle at a time (a replay or a race refused), report
 * topics (their form, an unknown report), reports received (once per
 * partner and remote id), items withheld from a bundle each way with their
 * reasons, listings' STORE_STOP, and everything surviving a reopen.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_liaison.h"
#include "core/store/store_registry.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

static struct store_partner partner(const char *what, const char *country)
{
	struct store_partner p;
	memset(&p, 0, sizeof p);
	snprintf(p.name, sizeof p.name, "C%s %s", contract_tag(), what);
	snprintf(p.country, sizeof p.country, "%s", country);
	snprintf(p.vkey, sizeof p.vkey, "partner.example+01020304+AXXXXX=");
	snprintf(p.age_recipient, sizeof p.age_recipient, "age1%s", "qqqq");
	snprintf(p.topics, sizeof p.topics, "crime,terrorism");
	snprintf(p.marking, sizeof p.marking, "SECRET");
	p.may_rerelease = true;
	p.day = 20000;
	return p;
}

static store_id a_report(struct store *s)
{
	store_id mk = 0, id = 0;
	uint8_t body[16] = "sealed body";
	int64_t author = 7;
	char m[64];
	snprintf(m, sizeof m, "SECRET L%s", contract_tag());
	if (store_marking_id(s, m, &mk) != STORE_OK ||
	    store_report_insert(s, 7, 20000, mk, 1, body, sizeof body, &author, 1, NULL, 0, &id) !=
	            STORE_OK)
		return 0;
	return id;
}

struct seen {
	int n, found;
	store_id want, first;
	bool disabled, stop;
	char names[4][STORE_PARTNER_NAME_MAX + 1];
};

static int see_p(void *ctx, const struct store_partner *p)
{
	struct seen *s = ctx;
	if (s->n < 4)
		snprintf(s->names[s->n], sizeof s->names[0], "%s", p->name);
	s->n++;
	if (p->id == s->want) {
		s->found++;
		s->disabled = p->disabled;
	}
	return s->stop;
}

static void test_partners(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, b = 0, x = 0;
	struct store_partner got;
	if (s == NULL)
		return;
	struct store_partner pa = partner("Zulu", "FRA");
	struct store_partner pb = partner("Альфа", "DEU");
	pb.url[0] = '\0';
	snprintf(pb.url, sizeof pb.url, "https://liaison.example/");
	pb.may_rerelease = false;
	pb.topics[0] = '\0';
	T_OK(store_partner_add(s, &pa, &a) == STORE_OK && a > 0, "a partner is added");
	T_OK(store_partner_add(s, &pb, &b) == STORE_OK && b > 0 && b != a,
	     "a second one (Cyrillic name, a URL, no topic) gets another id");
	T_OK(store_partner_add(s, &pa, &x) == STORE_EXISTS && x == 0,
	     "the same name twice: STORE_EXISTS");
	T_OK(store_partner_get(s, a, &got) == STORE_OK && got.id == a &&
	             strcmp(got.name, pa.name) == 0 && strcmp(got.country, "FRA") == 0 &&
	             strcmp(got.vkey, pa.vkey) == 0 && strcmp(got.age_recipient, "age1qqqq") == 0 &&
	             got.url[0] == '\0' && strcmp(got.topics, "crime,terrorism") == 0 &&
	             strcmp(got.marking, "SECRET") == 0 && got.may_rerelease && !got.disabled &&
	             got.day == 20000 && got.sent_seq == 0 && got.received_seq == 0 &&
	             got.sent_through == 0,
	     "read back by id, every field as given, the exchange not started");
	T_OK(store_partner_find(s, pb.name, &got) == STORE_OK && got.id == b &&
	             strcmp(got.url, "https://liaison.example/") == 0 && !got.may_rerelease &&
	             got.topics[0] == '\0',
	     "found by name");
	T_OK(store_partner_find(s, "nobody at all", &got) == STORE_NOT_FOUND &&
	             store_partner_get(s, FAR_ID, &got) == STORE_NOT_FOUND &&
	             store_partner_get(s, 0, &got) == STORE_NOT_FOUND,
	     "an unknown name or id: STORE_NOT_FOUND");

	/* validation: each refused with nothing added */
	struct store_partner bad = partner("Bad", "ITA");
	bad.name[0] = '\0';
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE && x == 0, "an empty name");
	bad = partner("Bad\tname", "ITA");
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE, "a name with a control character");
	bad = partner("Bad", "it");
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE, "a country not three capitals");
	bad = partner("Bad", "ITA");
	snprintf(bad.vkey, sizeof bad.vkey, "with space");
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE, "a verifier key with a space");
	bad = partner("Bad", "ITA");
	bad.age_recipient[0] = '\0';
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE, "no age recipient");
	bad = partner("Bad", "ITA");
	bad.marking[0] = '\0';
	T_OK(store_partner_add(s, &bad, &x) == STORE_TOO_LARGE, "no marking");
	const char *bad_topics[] = {"terrorism,crime", "crime,crime", "Crime",   "crime,",
	                            ",crime",          "a b",         "crime,,x"};
	int refused = 0;
	for (size_t i = 0; i < sizeof bad_topics / sizeof bad_topics[0]; i++) {
		bad = partner("Bad", "ITA");
		snprintf(bad.topics, sizeof bad.topics, "%s", bad_topics[i]);
		refused += store_partner_add(s, &bad, &x) == STORE_TOO_LARGE;
	}
	T_OK(refused == (int)(sizeof bad_topics / sizeof bad_topics[0]),
	     "topics out of order, twice, upper case, empty or with a space: refused (%d)",
	     refused);
	char long_topic[STORE_TOPIC_MAX + 2];
	memset(long_topic, 'a', sizeof long_topic - 1);
	long_topic[sizeof long_topic - 1] = '\0';
	T_OK(!store_topics_ok(long_topic) && store_topics_ok("") && store_topics_ok("a,ab,b") &&
	             store_topics_ok("money-laundering"),
	     "store_topics_ok: a topic over STORE_TOPIC_MAX refused; none, or ascending, kept");
	T_OK(store_partner_find(s, "CBad", &got) == STORE_NOT_FOUND, "nothing refused was added");

	struct seen v = {.want = a};
	T_OK(store_partners(s, see_p, &v) == STORE_OK && v.n == 2 && v.found == 1 &&
	             strcmp(v.names[0], pa.name) == 0 && strcmp(v.names[1], pb.name) == 0,
	     "listed by name, bytewise (Latin before Cyrillic)");
	struct seen st = {.stop = true};
	T_OK(store_partners(s, see_p, &st) == STORE_STOP && st.n == 1,
	     "a listing its callback stopped: STORE_STOP after one row");
	T_OK(store_partner_disable(s, a) == STORE_OK && store_partner_disable(s, a) == STORE_OK &&
	             store_partner_disable(s, FAR_ID) == STORE_NOT_FOUND,
	     "disabled (twice is fine); an unknown id: STORE_NOT_FOUND");
	T_CHECK(contract_reopen(&s) == 0);
	memset(&v, 0, sizeof v);
	v.want = a;
	T_OK(store_partners(s, see_p, &v) == STORE_OK && v.found == 1 && v.disabled,
	     "disabled survives a reopen");
	store_close(&s);
}

static void test_exchange(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0;
	struct store_partner got;
	if (s == NULL)
		return;
	struct store_partner pa = partner("Exchange", "GBR");
	T_CHECK(store_partner_add(s, &pa, &a) == STORE_OK);
	struct store_liaison_step st = {.way = STORE_LIAISON_SENT, .from = 0, .through = 40};
	memset(st.hash, 0xab, sizeof st.hash);
	T_OK(store_partner_advance(s, a, &st) == STORE_OK, "the first bundle sent: 0 -> 1");
	T_OK(store_partner_advance(s, a, &st) == STORE_EXISTS,
	     "the same step again (a replay, or another process first): STORE_EXISTS");
	st.from = 2;
	T_OK(store_partner_advance(s, a, &st) == STORE_EXISTS, "a gap (from 2 at 1): STORE_EXISTS");
	st.from = 1;
	st.through = 39;
	T_OK(store_partner_advance(s, a, &st) == STORE_TOO_LARGE,
	     "the report id looked at going down: STORE_TOO_LARGE");
	st.through = 41;
	memset(st.hash, 0xcd, sizeof st.hash);
	T_OK(store_partner_advance(s, a, &st) == STORE_OK, "the second: 1 -> 2");
	struct store_liaison_step rv = {.way = STORE_LIAISON_RECEIVED, .from = 0};
	memset(rv.hash, 0x11, sizeof rv.hash);
	T_OK(store_partner_advance(s, a, &rv) == STORE_OK, "one received: 0 -> 1, apart");
	T_OK(store_partner_advance(s, FAR_ID, &rv) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	rv.way = 0;
	T_OK(store_partner_advance(s, a, &rv) == STORE_TOO_LARGE, "no way: STORE_TOO_LARGE");
	T_CHECK(contract_reopen(&s) == 0);
	uint8_t cd[32], x11[32];
	memset(cd, 0xcd, sizeof cd);
	memset(x11, 0x11, sizeof x11);
	T_OK(store_partner_get(s, a, &got) == STORE_OK && got.sent_seq == 2 &&
	             got.received_seq == 1 && got.sent_through == 41 &&
	             memcmp(got.sent_hash, cd, 32) == 0 && memcmp(got.received_hash, x11, 32) == 0,
	     "both ways, their last hashes and the report looked at survive a reopen");
	store_close(&s);
}

static int see_r(void *ctx, const struct store_received *r)
{
	struct seen *s = ctx;
	if (s->n == 0)
		s->first = r->id;
	s->n++;
	return s->stop;
}

static void test_topics_received(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, rep = 0, rep2 = 0, x = 0, y = 0;
	char t[STORE_TOPICS_MAX + 1];
	if (s == NULL)
		return;
	struct store_partner pa = partner("Received", "NLD");
	T_CHECK(store_partner_add(s, &pa, &a) == STORE_OK);
	T_CHECK((rep = a_report(s)) > 0 && (rep2 = a_report(s)) > 0);
	T_OK(store_topics_get(s, rep, t) == STORE_OK && t[0] == '\0',
	     "a report without topics: \"\"");
	T_OK(store_topics_set(s, rep, "crime,drugs") == STORE_OK &&
	             store_topics_get(s, rep, t) == STORE_OK && strcmp(t, "crime,drugs") == 0,
	     "topics set and read back");
	T_OK(store_topics_set(s, rep, "terrorism") == STORE_OK &&
	             store_topics_get(s, rep, t) == STORE_OK && strcmp(t, "terrorism") == 0,
	     "changed");
	T_OK(store_topics_set(s, rep, "b,a") == STORE_TOO_LARGE &&
	             store_topics_get(s, rep, t) == STORE_OK && strcmp(t, "terrorism") == 0,
	     "a bad form refused, nothing changed");
	T_OK(store_topics_set(s, FAR_ID, "crime") == STORE_NOT_FOUND &&
	             store_topics_get(s, FAR_ID, t) == STORE_NOT_FOUND,
	     "an unknown report: STORE_NOT_FOUND");

	struct store_received in = {
	        .partner = a, .seq = 1, .remote = 41, .report = rep, .day = 20001};
	snprintf(in.marking, sizeof in.marking, "SECRET//ORCON//REL TO NLD, GBR");
	struct store_received got;
	T_OK(store_received_add(s, &in, &x) == STORE_OK && x > 0, "a received report");
	T_OK(store_received_add(s, &in, &y) == STORE_EXISTS && y == 0,
	     "the same remote report from the same partner: STORE_EXISTS");
	in.remote = 42;
	in.report = FAR_ID;
	T_OK(store_received_add(s, &in, &y) == STORE_NOT_FOUND,
	     "an unknown report: STORE_NOT_FOUND");
	in.report = rep2;
	in.partner = FAR_ID;
	T_OK(store_received_add(s, &in, &y) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	in.partner = a;
	in.seq = 0;
	T_OK(store_received_add(s, &in, &y) == STORE_TOO_LARGE, "sequence 0: STORE_TOO_LARGE");
	in.seq = 2;
	T_OK(store_received_add(s, &in, &y) == STORE_OK && y > x, "a second one");
	T_CHECK(contract_reopen(&s) == 0);
	T_OK(store_received_of(s, rep, &got) == STORE_OK && got.id == x && got.partner == a &&
	             got.seq == 1 && got.remote == 41 && got.day == 20001 &&
	             strcmp(got.marking, "SECRET//ORCON//REL TO NLD, GBR") == 0,
	     "found by its local report, the originator's marking as given");
	T_OK(store_received_of(s, FAR_ID, &got) == STORE_NOT_FOUND,
	     "a report not received: STORE_NOT_FOUND");
	struct seen v = {0};
	T_OK(store_received(s, a, see_r, &v) == STORE_OK && v.n == 2 && v.first == x,
	     "a partner's received reports by id");
	struct seen st = {.stop = true};
	T_OK(store_received(s, a, see_r, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");
	T_OK(store_received(s, FAR_ID, see_r, &v) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	store_close(&s);
}

static int see_b(void *ctx, const struct store_bundle_sent *b)
{
	struct seen *s = ctx;
	if (s->n == 0)
		s->first = (store_id)b->seq;
	s->n++;
	return s->stop;
}

static void test_sent(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0;
	if (s == NULL)
		return;
	struct store_partner pa = partner("Sent", "DEU");
	T_CHECK(store_partner_add(s, &pa, &a) == STORE_OK);
	struct store_bundle_sent in = {.partner = a,
	                               .seq = 1,
	                               .items = 3,
	                               .withheld = 2,
	                               .day = 20001,
	                               .receipted = 20009,
	                               .accepted = 9};
	memset(in.hash, 0x5a, sizeof in.hash);
	struct store_bundle_sent got;
	T_OK(store_bundle_sent_add(s, &in) == STORE_OK, "a bundle sent");
	T_OK(store_bundle_sent_add(s, &in) == STORE_EXISTS,
	     "the same sequence number again: STORE_EXISTS");
	in.partner = FAR_ID;
	in.seq = 2;
	T_OK(store_bundle_sent_add(s, &in) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	in.partner = a;
	in.seq = 0;
	T_OK(store_bundle_sent_add(s, &in) == STORE_TOO_LARGE, "sequence 0: STORE_TOO_LARGE");
	in.seq = 2;
	in.items = 0;
	T_OK(store_bundle_sent_add(s, &in) == STORE_OK, "bundle 2, empty");
	T_CHECK(contract_reopen(&s) == 0);
	T_OK(store_bundle_sent_get(s, a, 1, &got) == STORE_OK && got.partner == a && got.seq == 1 &&
	             got.items == 3 && got.withheld == 2 && got.day == 20001 &&
	             got.hash[31] == 0x5a && got.receipted == 0 && got.accepted == 0,
	     "read back after a reopen, no receipt yet (the receipt fields ignored on add)");
	T_OK(store_bundle_sent_get(s, a, 3, &got) == STORE_NOT_FOUND &&
	             store_bundle_sent_get(s, FAR_ID, 1, &got) == STORE_NOT_FOUND,
	     "an unknown bundle or partner: STORE_NOT_FOUND");
	struct store_bundle_sent rc = {
	        .partner = a, .seq = 1, .receipted = 20003, .accepted = 2, .refused = 1};
	T_OK(store_bundle_receipt(s, &rc) == STORE_OK &&
	             store_bundle_sent_get(s, a, 1, &got) == STORE_OK && got.receipted == 20003 &&
	             got.accepted == 2 && got.refused == 1 && got.items == 3,
	     "its receipt recorded");
	rc.receipted = 20004;
	T_OK(store_bundle_receipt(s, &rc) == STORE_EXISTS &&
	             store_bundle_sent_get(s, a, 1, &got) == STORE_OK && got.receipted == 20003,
	     "a second receipt for it: STORE_EXISTS, nothing changed");
	rc.seq = 3;
	T_OK(store_bundle_receipt(s, &rc) == STORE_NOT_FOUND, "a receipt for no bundle sent");
	rc.seq = 2;
	rc.receipted = 0;
	T_OK(store_bundle_receipt(s, &rc) == STORE_TOO_LARGE, "a receipt without a day");
	struct seen v = {0};
	T_OK(store_bundles_sent(s, a, see_b, &v) == STORE_OK && v.n == 2 && v.first == 1,
	     "a partner's bundles sent by sequence number");
	struct seen st = {.stop = true};
	T_OK(store_bundles_sent(s, a, see_b, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");
	T_OK(store_bundles_sent(s, FAR_ID, see_b, &v) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	store_close(&s);
}

/* ---- items withheld (schema part liaison_items) ---- */

struct seen_w {
	int n;
	bool stop;
	int64_t reports[4];
	char reasons[4][STORE_WITHHELD_REASON_MAX + 1];
};

static int see_w(void *ctx, const struct store_withheld *w)
{
	struct seen_w *v = ctx;
	if (v->n < 4) {
		v->reports[v->n] = w->report;
		snprintf(v->reasons[v->n], sizeof v->reasons[0], "%s", w->reason);
	}
	v->n++;
	return v->stop;
}

static void test_withheld(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, b = 0;
	if (s == NULL)
		return;
	struct store_partner pa = partner("Withheld", "FRA"), pb = partner("Withheld B", "DEU");
	T_CHECK(store_partner_add(s, &pa, &a) == STORE_OK &&
	        store_partner_add(s, &pb, &b) == STORE_OK);
	struct store_withheld w = {.partner = a, .way = STORE_LIAISON_SENT, .seq = 1, .report = 41};
	snprintf(w.reason, sizeof w.reason, "not releasable to FRA");
	T_OK(store_withheld_add(s, &w) == STORE_OK, "an item withheld from a bundle sent");
	w.report = 12;
	memset(w.reason, 'r', STORE_WITHHELD_REASON_MAX);
	w.reason[STORE_WITHHELD_REASON_MAX] = '\0';
	T_OK(store_withheld_add(s, &w) == STORE_OK,
	     "a second, its reason STORE_WITHHELD_REASON_MAX bytes");
	T_OK(store_withheld_add(s, &w) == STORE_OK,
	     "the same report twice: kept twice (rows, no key)");
	w.way = STORE_LIAISON_RECEIVED;
	w.report = 9;
	snprintf(w.reason, sizeof w.reason, "ORCON: not released to partners");
	T_OK(store_withheld_add(s, &w) == STORE_OK, "an item the partner withheld from us");
	w.partner = b;
	w.way = STORE_LIAISON_SENT;
	T_OK(store_withheld_add(s, &w) == STORE_OK, "another partner's");

	struct store_withheld bad = {
	        .partner = a, .way = STORE_LIAISON_SENT, .seq = 1, .report = 5};
	snprintf(bad.reason, sizeof bad.reason, "why");
	bad.seq = 0;
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE, "sequence 0: STORE_TOO_LARGE");
	bad.seq = 1;
	bad.report = 0;
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE, "report 0: STORE_TOO_LARGE");
	bad.report = 5;
	bad.way = 0;
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE, "no way: STORE_TOO_LARGE");
	bad.way = STORE_LIAISON_SENT;
	bad.reason[0] = '\0';
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE, "an empty reason: STORE_TOO_LARGE");
	snprintf(bad.reason, sizeof bad.reason, "two\nlines");
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE,
	     "a reason with a control character: STORE_TOO_LARGE");
	snprintf(bad.reason, sizeof bad.reason, "bad \xff utf-8");
	T_OK(store_withheld_add(s, &bad) == STORE_TOO_LARGE, "a reason not UTF-8: STORE_TOO_LARGE");
	snprintf(bad.reason, sizeof bad.reason, "why");
	bad.partner = FAR_ID;
	T_OK(store_withheld_add(s, &bad) == STORE_NOT_FOUND, "an unknown partner: STORE_NOT_FOUND");
	bad.partner = 0;
	T_OK(store_withheld_add(s, &bad) == STORE_NOT_FOUND &&
	             store_withheld_add(s, NULL) == STORE_NOT_FOUND,
	     "partner 0 or no row: STORE_NOT_FOUND");

	struct seen_w v = {0};
	T_OK(store_withheld(s, a, STORE_LIAISON_SENT, 1, see_w, &v) == STORE_OK && v.n == 3 &&
	             v.reports[0] == 41 && strcmp(v.reasons[0], "not releasable to FRA") == 0 &&
	             v.reports[1] == 12 && strlen(v.reasons[1]) == STORE_WITHHELD_REASON_MAX &&
	             v.reports[2] == 12,
	     "a bundle's items withheld, in the order added, with their reasons (nothing refused "
	     "added)");
	memset(&v, 0, sizeof v);
	T_OK(store_withheld(s, a, STORE_LIAISON_RECEIVED, 1, see_w, &v) == STORE_OK && v.n == 1 &&
	             v.reports[0] == 9 &&
	             strcmp(v.reasons[0], "ORCON: not released to partners") == 0,
	     "each way apart");
	memset(&v, 0, sizeof v);
	T_OK(store_withheld(s, a, STORE_LIAISON_SENT, 2, see_w, &v) == STORE_OK && v.n == 0 &&
	             store_withheld(s, FAR_ID, STORE_LIAISON_SENT, 1, see_w, &v) == STORE_OK &&
	             v.n == 0,
	     "an unknown bundle or partner lists nothing");
	T_OK(store_withheld(s, a, STORE_LIAISON_SENT, 0, see_w, &v) == STORE_TOO_LARGE &&
	             store_withheld(s, a, 0, 1, see_w, &v) == STORE_TOO_LARGE &&
	             store_withheld(s, 0, STORE_LIAISON_SENT, 1, see_w, &v) == STORE_NOT_FOUND &&
	             store_withheld(s, a, STORE_LIAISON_SENT, 1, NULL, &v) == STORE_NOT_FOUND,
	     "a listing with sequence 0, no way, partner 0 or no callback: refused");
	struct seen_w st = {.stop = true};
	T_OK(store_withheld(s, a, STORE_LIAISON_SENT, 1, see_w, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");
	T_CHECK(contract_reopen(&s) == 0);
	memset(&v, 0, sizeof v);
	T_OK(s != NULL && store_withheld(s, b, STORE_LIAISON_SENT, 1, see_w, &v) == STORE_OK &&
	             v.n == 1 && v.reports[0] == 9,
	     "kept across a reopen");
	store_close(&s);
}

/* ---- reports sent, received ones found, consents (liaison_items, step 2) ---- */

struct seen_c {
	int n;
	bool stop;
	struct store_consent v[4];
};

static int see_c(void *ctx, const struct store_consent *c)
{
	struct seen_c *v = ctx;
	if (v->n < 4)
		v->v[v->n] = *c;
	v->n++;
	return v->stop;
}

static void test_consent(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, rep = 0, x = 0, c1 = 0, c2 = 0, c3 = 0;
	if (s == NULL)
		return;
	struct store_partner pa = partner("Consent", "FRA");
	T_CHECK(store_partner_add(s, &pa, &a) == STORE_OK && (rep = a_report(s)) > 0);
	T_OK(store_item_sent_has(s, a, rep) == STORE_NOT_FOUND,
	     "a report not sent: STORE_NOT_FOUND");
	T_OK(store_item_sent_add(s, a, 1, rep) == STORE_OK &&
	             store_item_sent_add(s, a, 2, rep) == STORE_OK &&
	             store_item_sent_has(s, a, rep) == STORE_OK,
	     "a report sent (twice: two bundles) is found");
	T_OK(store_item_sent_add(s, a, 0, rep) == STORE_TOO_LARGE &&
	             store_item_sent_add(s, FAR_ID, 1, rep) == STORE_NOT_FOUND &&
	             store_item_sent_has(s, a, FAR_ID) == STORE_NOT_FOUND,
	     "sequence 0, an unknown partner or report");
	struct store_received in = {
	        .partner = a, .seq = 3, .remote = 77, .report = rep, .day = 20001};
	snprintf(in.marking, sizeof in.marking, "SECRET//ORCON");
	struct store_received got;
	T_CHECK(store_received_add(s, &in, &x) == STORE_OK);
	T_OK(store_received_find(s, a, 77, &got) == STORE_OK && got.id == x && got.report == rep &&
	             got.seq == 3 && strcmp(got.marking, "SECRET//ORCON") == 0,
	     "a received report found by (partner, its id there)");
	T_OK(store_received_find(s, a, 78, &got) == STORE_NOT_FOUND &&
	             store_received_find(s, FAR_ID, 77, &got) == STORE_NOT_FOUND,
	     "another remote id or partner: STORE_NOT_FOUND");

	struct store_consent c = {
	        .partner = a, .way = STORE_LIAISON_RECEIVED, .report = rep, .seq = 3, .day = 20001};
	snprintf(c.country, sizeof c.country, "*");
	T_OK(store_consent_add(s, &c, &c1) == STORE_OK && c1 > 0, "a received flag (country *)");
	snprintf(c.country, sizeof c.country, "DEU");
	T_OK(store_consent_add(s, &c, &c2) == STORE_OK && c2 > c1, "a received consent for DEU");
	c.way = STORE_LIAISON_SENT;
	c.seq = 0;
	T_OK(store_consent_add(s, &c, &c3) == STORE_OK, "a consent given, not sent yet");
	struct store_consent bad = c;
	snprintf(bad.country, sizeof bad.country, "de");
	T_OK(store_consent_add(s, &bad, &x) == STORE_TOO_LARGE && x == 0,
	     "a bad country: STORE_TOO_LARGE");
	bad = c;
	bad.way = 0;
	T_OK(store_consent_add(s, &bad, &x) == STORE_TOO_LARGE, "no way: STORE_TOO_LARGE");
	bad = c;
	bad.partner = FAR_ID;
	T_OK(store_consent_add(s, &bad, &x) == STORE_NOT_FOUND,
	     "an unknown partner: STORE_NOT_FOUND");
	struct seen_c v = {0};
	T_OK(store_consents(s, STORE_LIAISON_RECEIVED, rep, see_c, &v) == STORE_OK && v.n == 2 &&
	             v.v[0].id == c1 && strcmp(v.v[0].country, "*") == 0 &&
	             strcmp(v.v[1].country, "DEU") == 0 && v.v[1].seq == 3 && v.v[1].partner == a,
	     "a report's consents received, by id");
	memset(&v, 0, sizeof v);
	T_OK(store_consents_pending(s, a, see_c, &v) == STORE_OK && v.n == 1 && v.v[0].id == c3,
	     "the consents given not sent yet");
	T_OK(store_consent_sent(s, c3, 4) == STORE_OK &&
	             store_consent_sent(s, c3, 5) == STORE_EXISTS &&
	             store_consent_sent(s, FAR_ID, 4) == STORE_NOT_FOUND,
	     "sent once (STORE_EXISTS after), an unknown one STORE_NOT_FOUND");
	memset(&v, 0, sizeof v);
	T_OK(store_consents_pending(s, a, see_c, &v) == STORE_OK && v.n == 0 &&
	             store_consents(s, STORE_LIAISON_SENT, rep, see_c, &v) == STORE_OK &&
	             v.n == 1 && v.v[0].seq == 4,
	     "then no longer pending, with the bundle that carried it");
	struct seen_c st = {.stop = true};
	T_OK(store_consents(s, STORE_LIAISON_RECEIVED, rep, see_c, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_liaison");
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return contract_done();
	struct store_partner got;
	enum store_result r = store_partner_get(s, 1, &got);
	store_close(&s);
	if (r == STORE_UNSUPPORTED) { /* a backend without the domain (store.h: may be NULL) */
		T_SKIP("this backend has no liaison domain (STORE_UNSUPPORTED)");
		return contract_done();
	}
	test_partners();
	test_exchange();
	test_topics_received();
	test_sent();
	test_withheld();
	test_consent();
	return contract_done();
}
