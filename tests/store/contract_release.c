/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_release: the store contract (tests/store/README.md) for the release
 * domain through its front (core/store/store_release.h): recipients (unique
 * names, validation, disable), releases (recipients kept, decided once,
 * refusal reasons), copies (one per recipient, sealed choices kept as given),
 * and everything surviving a reopen.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_registry.h"
#include "core/store/store_release.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

static struct store_recipient rcp(const char *what, const char *nat, const char *age)
{
	struct store_recipient r;
	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "C%s %s", contract_tag(), what);
	snprintf(r.org, sizeof r.org, "Institute of %s", what);
	snprintf(r.nationality, sizeof r.nationality, "%s", nat);
	snprintf(r.marking, sizeof r.marking, "SECRET//REL TO %s", nat);
	snprintf(r.age_recipient, sizeof r.age_recipient, "%s", age);
	r.day = 20000;
	return r;
}

struct seen {
	int n, found;
	store_id want;
	bool disabled;
};

static int see_rcp(void *ctx, const struct store_recipient *r)
{
	struct seen *s = ctx;
	s->n++;
	if (r->id == s->want) {
		s->found++;
		s->disabled = r->disabled;
	}
	return 0;
}

static void test_recipients(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, b = 0, x = 0;
	struct store_recipient got;
	if (s == NULL)
		return;
	struct store_recipient ra = rcp("Alpha", "GBR", "age1qqqq");
	struct store_recipient rb = rcp("Бета", "DEU", "");
	T_OK(store_recipient_add(s, &ra, &a) == STORE_OK && a > 0, "a recipient is added");
	T_OK(store_recipient_add(s, &rb, &b) == STORE_OK && b > 0 && b != a,
	     "a second one (Cyrillic name, no age recipient) gets another id");
	T_OK(store_recipient_add(s, &ra, &x) == STORE_EXISTS && x == 0,
	     "the same name twice: STORE_EXISTS");
	T_OK(store_recipient_get(s, a, &got) == STORE_OK && got.id == a &&
	             strcmp(got.name, ra.name) == 0 && strcmp(got.org, ra.org) == 0 &&
	             strcmp(got.nationality, "GBR") == 0 && strcmp(got.marking, ra.marking) == 0 &&
	             strcmp(got.age_recipient, "age1qqqq") == 0 && !got.disabled &&
	             got.day == 20000,
	     "read back by id, every field as given");
	T_OK(store_recipient_find(s, rb.name, &got) == STORE_OK && got.id == b &&
	             got.age_recipient[0] == '\0',
	     "found by name");
	T_OK(store_recipient_find(s, "nobody at all", &got) == STORE_NOT_FOUND &&
	             store_recipient_get(s, FAR_ID, &got) == STORE_NOT_FOUND &&
	             store_recipient_get(s, 0, &got) == STORE_NOT_FOUND,
	     "an unknown name or id: STORE_NOT_FOUND");

	struct store_recipient bad = rcp("Bad1", "gbr", "");
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "a nationality in lower case");
	bad = rcp("Bad2", "GB", "");
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "a nationality of two letters");
	bad = rcp("Bad3", "GBR", "age1 space");
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "an age recipient with a space");
	bad = rcp("Bad4\n", "GBR", "");
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "a control character in a name");
	bad = rcp("Bad5", "GBR", "");
	bad.marking[0] = '\0';
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "no marking");
	bad = rcp("Bad6", "GBR", "");
	bad.org[0] = '\0';
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "no organisation");
	bad = rcp("Bad7", "GBR", "");
	bad.name[0] = (char)0xff;
	T_OK(store_recipient_add(s, &bad, &x) == STORE_TOO_LARGE, "a name that is not UTF-8");
	struct seen sn = {.want = a};
	T_OK(store_recipients(s, see_rcp, &sn) == STORE_OK && sn.found == 1 && sn.n >= 2,
	     "the listing has them, and none of the refused ones (%d)", sn.n);

	T_OK(store_recipient_disable(s, a) == STORE_OK &&
	             store_recipient_disable(s, a) == STORE_OK &&
	             store_recipient_get(s, a, &got) == STORE_OK && got.disabled,
	     "disabled (twice is no error)");
	T_OK(store_recipient_disable(s, FAR_ID) == STORE_NOT_FOUND,
	     "disabling an unknown recipient: STORE_NOT_FOUND");
	sn = (struct seen){.want = a};
	T_OK(contract_reopen(&s) == 0 && store_recipients(s, see_rcp, &sn) == STORE_OK &&
	             sn.found == 1 && sn.disabled,
	     "a disabled recipient is still listed, as disabled, after a reopen");
	store_close(&s);
}

struct got_rel {
	struct store_release r;
	int64_t rc[4];
	uint8_t sealed[64];
	int n;
};

static int take_rel(void *ctx, const struct store_release *r)
{
	struct got_rel *g = ctx;
	g->n++;
	g->r = *r;
	for (size_t i = 0; i < r->nrecipients && i < 4 && r->recipients; i++)
		g->rc[i] = r->recipients[i];
	if (r->sealed && r->sealed_len <= sizeof g->sealed)
		memcpy(g->sealed, r->sealed, r->sealed_len);
	return 0;
}

struct copies {
	int n;
	uint32_t numbers[4];
	store_id rcps[4];
	uint8_t first[8];
	size_t first_len;
};

static int take_copy(void *ctx, const struct store_copy *c)
{
	struct copies *k = ctx;
	if (k->n == 0 && c->choices_len <= sizeof k->first) {
		memcpy(k->first, c->choices, c->choices_len);
		k->first_len = c->choices_len;
	}
	if (k->n < 4) {
		k->numbers[k->n] = c->number;
		k->rcps[k->n] = c->recipient;
	}
	k->n++;
	return 0;
}

static store_id a_report(struct store *s)
{
	store_id mk = 0, id = 0;
	uint8_t body[16] = "sealed body";
	int64_t author = 7;
	char m[64];
	snprintf(m, sizeof m, "SECRET C%s", contract_tag());
	if (store_marking_id(s, m, &mk) != STORE_OK ||
	    store_report_insert(s, 7, 20000, mk, 1, body, sizeof body, &author, 1, NULL, 0, &id) !=
	            STORE_OK)
		return 0;
	return id;
}

static void test_releases(void)
{
	struct store *s = contract_open_fresh();
	store_id a = 0, b = 0, rep, rel = 0, rel2 = 0, x = 0;
	if (s == NULL)
		return;
	struct store_recipient ra = rcp("R1", "GBR", ""), rb = rcp("R2", "FRA", "");
	rep = a_report(s);
	T_OK(rep > 0 && store_recipient_add(s, &ra, &a) == STORE_OK &&
	             store_recipient_add(s, &rb, &b) == STORE_OK,
	     "a report and two recipients");
	int64_t both[2] = {b, a}, twice[2] = {a, a}, ghost[2] = {a, FAR_ID};
	struct store_release in = {.report = rep,
	                           .proposer = 3,
	                           .day = 20001,
	                           .expiry_day = 20100,
	                           .recipients = both,
	                           .nrecipients = 2};
	snprintf(in.marking, sizeof in.marking, "SECRET");
	snprintf(in.purpose, sizeof in.purpose, "analysis of the telegram");
	T_OK(store_release_insert(s, &in, &rel) == STORE_OK && rel > 0, "a release is proposed");
	struct got_rel g = {0};
	T_OK(store_release_get(s, rel, take_rel, &g) == STORE_OK && g.n == 1 && g.r.id == rel &&
	             g.r.report == rep && g.r.state == STORE_RELEASE_PROPOSED &&
	             g.r.proposer == 3 && g.r.decider == 0 && g.r.expiry_day == 20100 &&
	             g.r.day == 20001 && strcmp(g.r.marking, "SECRET") == 0 &&
	             strcmp(g.r.purpose, in.purpose) == 0 && g.r.nrecipients == 2 &&
	             g.rc[0] == (a < b ? a : b) && g.rc[1] == (a < b ? b : a) &&
	             g.r.sealed_len == 0,
	     "read back: proposed, its recipients sorted, nothing sealed yet");

	in.recipients = twice;
	T_OK(store_release_insert(s, &in, &x) != STORE_OK && x == 0, "a recipient named twice");
	in.recipients = ghost;
	T_OK(store_release_insert(s, &in, &x) == STORE_NOT_FOUND && x == 0,
	     "an unknown recipient: STORE_NOT_FOUND");
	in.recipients = both;
	in.nrecipients = 0;
	T_OK(store_release_insert(s, &in, &x) == STORE_TOO_LARGE, "no recipient");
	in.nrecipients = 2;
	in.report = FAR_ID;
	T_OK(store_release_insert(s, &in, &x) == STORE_NOT_FOUND, "an unknown report");
	in.report = rep;
	in.purpose[0] = '\0';
	T_OK(store_release_insert(s, &in, &x) == STORE_TOO_LARGE, "no purpose");
	snprintf(in.purpose, sizeof in.purpose, "second");
	T_OK(store_release_insert(s, &in, &rel2) == STORE_OK && rel2 > rel, "a second release");

	uint8_t sealed[40];
	memset(sealed, 0xa5, sizeof sealed);
	struct store_release_decision ok = {.state = STORE_RELEASE_APPROVED,
	                                    .decider = 4,
	                                    .day = 20002,
	                                    .sealed = sealed,
	                                    .sealed_len = sizeof sealed,
	                                    .nslots = 120,
	                                    .label_version = 2};
	struct store_release_decision no = {
	        .state = STORE_RELEASE_REFUSED, .decider = 5, .day = 20003, .reason = "not now"};
	T_OK(store_copy_insert(s, rel, a, 1, sealed, 8, &x) == STORE_OK,
	     "a copy row is stored as given");
	T_OK(store_release_decide(s, rel, &ok) == STORE_OK, "approved");
	T_OK(store_release_decide(s, rel, &no) == STORE_EXISTS &&
	             store_release_decide(s, rel, &ok) == STORE_EXISTS,
	     "decided once: a second decision is STORE_EXISTS");
	T_OK(store_release_decide(s, FAR_ID, &ok) == STORE_NOT_FOUND, "an unknown release");
	struct store_release_decision bad = ok;
	bad.sealed_len = 0;
	T_OK(store_release_decide(s, rel2, &bad) == STORE_TOO_LARGE,
	     "an approval without a sealed secret");
	bad = no;
	bad.reason = "line\nbreak";
	T_OK(store_release_decide(s, rel2, &bad) == STORE_TOO_LARGE,
	     "a reason with a control char");
	T_OK(store_release_decide(s, rel2, &no) == STORE_OK, "the second is refused");
	T_OK(store_copy_insert(s, rel, b, 2, sealed + 8, 8, &x) == STORE_OK &&
	             store_copy_insert(s, rel, a, 3, sealed, 8, &x) == STORE_EXISTS,
	     "one copy per recipient");
	T_OK(contract_reopen(&s) == 0, "reopened");
	memset(&g, 0, sizeof g);
	T_OK(store_release_get(s, rel, take_rel, &g) == STORE_OK &&
	             g.r.state == STORE_RELEASE_APPROVED && g.r.decider == 4 &&
	             g.r.decided_day == 20002 && g.r.nslots == 120 && g.r.label_version == 2 &&
	             g.r.sealed_len == sizeof sealed &&
	             memcmp(g.sealed, sealed, sizeof sealed) == 0,
	     "the approval, its sealed secret and slots survive a reopen");
	memset(&g, 0, sizeof g);
	T_OK(store_release_get(s, rel2, take_rel, &g) == STORE_OK &&
	             g.r.state == STORE_RELEASE_REFUSED && g.r.decider == 5 &&
	             strcmp(g.r.reason, "not now") == 0,
	     "the refusal and its reason");
	struct copies k = {0};
	T_OK(store_copies(s, rel, take_copy, &k) == STORE_OK && k.n == 2 && k.numbers[0] == 1 &&
	             k.numbers[1] == 2 && k.rcps[0] == a && k.rcps[1] == b && k.first_len == 8 &&
	             memcmp(k.first, sealed, 8) == 0,
	     "the copies by number, their choices as given");
	memset(&g, 0, sizeof g);
	T_OK(store_releases(s, take_rel, &g) == STORE_OK && g.n >= 2,
	     "the listing has both releases (%d)", g.n);
	store_close(&s);
}

int main(void)
{
	contract_init("contract_release");
	test_recipients();
	test_releases();
	return contract_done();
}
