/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_officer: the store contract (tests/store/README.md) for officers
 * and label keys through their front (core/store/store_officer.h:
 * store_officer_*, store_label_*): insert, get, find, list, delete, roles, clearance, disabling,
 * key replacement by expected version, TOTP enrolment, logins, and labels with their wraps
 * (including the recovery key's).
 *
 * Refusals return the codes the header names, with nothing changed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_officer.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

/* An officer named "c<tag>-<suffix>" with keys filled from `seed` (none if seed is 0). */
static void officer_of(struct store_officer *o, const char *suffix, uint8_t seed)
{
	memset(o, 0, sizeof *o);
	snprintf(o->name, sizeof o->name, "c%s-%s", contract_tag(), suffix);
	o->roles = 5;
	snprintf(o->clearance, sizeof o->clearance, "SECRET//REL TO GBR");
	memcpy(o->nationality, "GBR", 4);
	o->created_day = 19000 + seed;
	if (seed == 0)
		return;
	o->version = seed;
	memset(o->salt, seed, sizeof o->salt);
	o->opslimit = 3 + seed;
	o->memlimit = (uint64_t)1 << 26;
	memset(o->verifier, seed + 1, sizeof o->verifier);
	memset(o->pk, seed + 2, sizeof o->pk);
	memset(o->wrapped_sk, seed + 3, 72);
	o->wrapped_sk_len = 72;
	memset(o->wrapped_totp, seed + 4, 60);
	o->wrapped_totp_len = 60;
}

static int same_keys(const struct store_officer *a, const struct store_officer *b)
{
	return a->version == b->version && memcmp(a->salt, b->salt, sizeof a->salt) == 0 &&
	       a->opslimit == b->opslimit && a->memlimit == b->memlimit &&
	       memcmp(a->verifier, b->verifier, sizeof a->verifier) == 0 &&
	       memcmp(a->pk, b->pk, sizeof a->pk) == 0 && a->wrapped_sk_len == b->wrapped_sk_len &&
	       memcmp(a->wrapped_sk, b->wrapped_sk, a->wrapped_sk_len) == 0 &&
	       a->wrapped_totp_len == b->wrapped_totp_len &&
	       memcmp(a->wrapped_totp, b->wrapped_totp, a->wrapped_totp_len) == 0;
}

struct names {
	char name[16][STORE_OFFICER_NAME_MAX + 1];
	int n, all, stop_after;
};

static int name_row(void *ctx, const struct store_officer *o)
{
	struct names *x = ctx;
	x->all++;
	if (strncmp(o->name + 1, contract_tag(), strlen(contract_tag())) == 0 && x->n < 16)
		memcpy(x->name[x->n++], o->name, sizeof x->name[0]);
	return x->stop_after > 0 && x->all >= x->stop_after;
}

static void test_officers(void)
{
	struct store *s = contract_open_fresh();
	struct store_officer o, got, keys;
	store_id a = 0, b = 0, c = 0, dup = 0;
	if (s == NULL)
		return;
	officer_of(&o, "bravo", 10);
	T_OK(store_officer_insert(s, &o, &a) == STORE_OK && a > 0, "insert an officer with keys");
	T_OK(store_officer_insert(s, &o, &dup) == STORE_EXISTS, "a name taken: STORE_EXISTS");
	T_OK(store_officer_get(s, a, &got) == STORE_OK && got.id == a &&
	             strcmp(got.name, o.name) == 0 && got.roles == 5 &&
	             strcmp(got.clearance, o.clearance) == 0 &&
	             strcmp(got.nationality, "GBR") == 0 && !got.disabled &&
	             got.created_day == o.created_day && got.failures == 0 &&
	             got.last_failure == 0 && same_keys(&got, &o),
	     "get: every field as inserted");
	T_OK(store_officer_find(s, o.name, &got) == STORE_OK && got.id == a, "find by name");
	T_OK(store_officer_get(s, FAR_ID, &got) == STORE_NOT_FOUND &&
	             store_officer_find(s, "no-such-officer-contract", &got) == STORE_NOT_FOUND,
	     "an unknown officer: STORE_NOT_FOUND");
	officer_of(&o, "alpha", 0);
	T_OK(store_officer_insert(s, &o, &b) == STORE_OK && b != a &&
	             store_officer_get(s, b, &got) == STORE_OK && got.wrapped_sk_len == 0 &&
	             got.wrapped_totp_len == 0,
	     "insert an officer without keys yet");
	officer_of(&o, "charlie", 0);
	T_OK(store_officer_insert(s, &o, &c) == STORE_OK && c != a && c != b, "a third");
	struct names x = {0};
	T_OK(store_officer_list(s, name_row, &x) == STORE_OK && x.n == 3 &&
	             strstr(x.name[0], "-alpha") && strstr(x.name[1], "-bravo") &&
	             strstr(x.name[2], "-charlie"),
	     "list: every officer, by name");
	/* the front's rules on names: 1..STORE_OFFICER_NAME_MAX bytes, no control character */
	store_id bad = 0;
	officer_of(&o, "line\nbreak", 0);
	enum store_result r1 = store_officer_insert(s, &o, &bad);
	o.name[0] = '\0';
	enum store_result r2 = store_officer_insert(s, &o, &bad);
	memset(o.name, 'z', sizeof o.name); /* no NUL within the array */
	enum store_result r3 = store_officer_insert(s, &o, &bad);
	officer_of(&o, "delta", 0);
	o.roles = 0x10000;
	enum store_result r4 = store_officer_insert(s, &o, &bad);
	x = (struct names){0};
	T_OK(r1 == STORE_TOO_LARGE && r2 == STORE_TOO_LARGE && r3 == STORE_TOO_LARGE &&
	             r4 == STORE_TOO_LARGE && bad == 0 &&
	             store_officer_list(s, name_row, &x) == STORE_OK && x.n == 3 &&
	             store_officer_find(s, "line\nbreak", &got) == STORE_NOT_FOUND,
	     "a name with a control character, empty or unterminated, or roles over 16 bits: "
	     "STORE_TOO_LARGE, nothing inserted");
	struct names y = {.stop_after = 1};
	enum store_result r = store_officer_list(s, name_row, &y);
	/* the header says only "fn non-zero stops": STORE_OK or STORE_STOP */
	T_OK(r == STORE_STOP && y.all == 1, "list stops when fn says so");

	T_OK(store_officer_set_roles(s, a, 9) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.roles == 9,
	     "set_roles");
	T_OK(store_officer_set_disabled(s, a, 1) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.disabled &&
	             store_officer_set_disabled(s, a, 0) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && !got.disabled,
	     "set_disabled, both ways");
	T_OK(store_officer_set_clearance(s, a, "TOP SECRET") == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK &&
	             strcmp(got.clearance, "TOP SECRET") == 0,
	     "set_clearance");
	char longc[STORE_MARKING_MAX + 1];
	memset(longc, 'C', sizeof longc);
	longc[STORE_MARKING_MAX] = '\0';
	T_OK(store_officer_set_clearance(s, a, longc) == STORE_TOO_LARGE &&
	             store_officer_get(s, a, &got) == STORE_OK &&
	             strcmp(got.clearance, "TOP SECRET") == 0,
	     "a clearance of STORE_MARKING_MAX bytes: STORE_TOO_LARGE, unchanged");
	longc[STORE_MARKING_MAX - 1] = '\0';
	T_OK(store_officer_set_clearance(s, b, longc) == STORE_OK &&
	             store_officer_get(s, b, &got) == STORE_OK && strcmp(got.clearance, longc) == 0,
	     "one of STORE_MARKING_MAX - 1 bytes is kept whole");
	T_OK(store_officer_set_roles(s, FAR_ID, 1) == STORE_NOT_FOUND &&
	             store_officer_set_disabled(s, FAR_ID, 1) == STORE_NOT_FOUND &&
	             store_officer_set_clearance(s, FAR_ID, "X") == STORE_NOT_FOUND,
	     "updates of an unknown officer: STORE_NOT_FOUND");

	/* keys: replaced together, only from the expected version */
	officer_of(&keys, "bravo", 20);
	keys.id = a;
	T_OK(store_officer_login_failed(s, a, 1700000000) == STORE_OK &&
	             store_officer_login_failed(s, a, 1700000005) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.failures == 2 &&
	             got.last_failure == 1700000005,
	     "login_failed: failures + 1, last_failure = now");
	T_OK(store_officer_login_ok(s, a, 1000, 19500) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.failures == 0 &&
	             got.totp_last_step == 1000 && got.last_login_day == 19500,
	     "login_ok: sets the step and the day, clears failures");
	T_OK(store_officer_login_ok(s, a, 1000, 19501) == STORE_EXISTS &&
	             store_officer_login_ok(s, a, 999, 19501) == STORE_EXISTS &&
	             store_officer_get(s, a, &got) == STORE_OK && got.last_login_day == 19500,
	     "a step not after the last one: STORE_EXISTS, nothing changed");
	T_OK(store_officer_login_failed(s, FAR_ID, 1) == STORE_NOT_FOUND,
	     "login_failed of an unknown officer: STORE_NOT_FOUND");
	T_OK(store_officer_login_failed(s, a, 1700000009) == STORE_OK &&
	             store_officer_keys_set(s, &keys, 11) == STORE_EXISTS &&
	             store_officer_get(s, a, &got) == STORE_OK && got.version == 10 &&
	             got.failures == 1,
	     "keys_set from another version: STORE_EXISTS, nothing changed");
	T_OK(store_officer_keys_set(s, &keys, 10) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && same_keys(&got, &keys) &&
	             got.failures == 0 && got.totp_last_step == 0,
	     "keys_set from the stored version: every key field replaced, failures and step "
	     "cleared");
	T_OK(store_officer_keys_set(s, &keys, 10) == STORE_EXISTS,
	     "the same change twice: STORE_EXISTS");
	keys.wrapped_sk_len = STORE_OFFICER_WRAP_MAX + 1;
	keys.version = 21;
	T_OK(store_officer_keys_set(s, &keys, 20) == STORE_TOO_LARGE &&
	             store_officer_get(s, a, &got) == STORE_OK && got.version == 20,
	     "a wrapped key over STORE_OFFICER_WRAP_MAX: STORE_TOO_LARGE");
	officer_of(&o, "delta", 0);
	o.wrapped_sk_len = STORE_OFFICER_WRAP_MAX + 1;
	T_OK(store_officer_insert(s, &o, &dup) == STORE_TOO_LARGE &&
	             store_officer_find(s, o.name, &got) == STORE_NOT_FOUND,
	     "insert with a wrapped key over STORE_OFFICER_WRAP_MAX: STORE_TOO_LARGE");

	/* TOTP enrolment: once, for the current version */
	uint8_t w[STORE_OFFICER_WRAP_MAX + 1];
	memset(w, 0x5a, sizeof w);
	officer_of(&keys, "bravo", 30);
	keys.id = a;
	keys.wrapped_totp_len = 0;
	T_OK(store_officer_keys_set(s, &keys, 20) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.wrapped_totp_len == 0 &&
	             got.version == 30,
	     "a reset without TOTP");
	T_OK(store_officer_totp_set(s, a, 29, w, 50, 777) == STORE_EXISTS &&
	             store_officer_get(s, a, &got) == STORE_OK && got.wrapped_totp_len == 0,
	     "totp_set for another version: STORE_EXISTS, nothing set");
	T_OK(store_officer_totp_set(s, a, 30, w, STORE_OFFICER_WRAP_MAX + 1, 777) ==
	             STORE_TOO_LARGE,
	     "totp_set over STORE_OFFICER_WRAP_MAX: STORE_TOO_LARGE");
	T_OK(store_officer_totp_set(s, a, 30, w, 50, 777) == STORE_OK &&
	             store_officer_get(s, a, &got) == STORE_OK && got.wrapped_totp_len == 50 &&
	             memcmp(got.wrapped_totp, w, 50) == 0 && got.totp_last_step == 777,
	     "totp_set: the wrap and the step");
	memset(w, 0x33, sizeof w);
	T_OK(store_officer_totp_set(s, a, 30, w, 40, 900) == STORE_EXISTS &&
	             store_officer_get(s, a, &got) == STORE_OK && got.wrapped_totp_len == 50 &&
	             got.totp_last_step == 777,
	     "a second enrolment: STORE_EXISTS, the first kept");

	/* delete; names free again; ids never reused */
	T_OK(store_officer_delete(s, c) == STORE_OK &&
	             store_officer_get(s, c, &got) == STORE_NOT_FOUND,
	     "delete");
	T_OK(store_officer_delete(s, c) == STORE_NOT_FOUND, "deleting again: STORE_NOT_FOUND");
	officer_of(&o, "charlie", 0);
	store_id c2 = 0;
	T_OK(store_officer_insert(s, &o, &c2) == STORE_OK && c2 != a && c2 != b && c2 != c,
	     "the name is free again, for an officer with a new id (ids never reused)");
	T_OK(contract_reopen(&s) == 0 && store_officer_get(s, a, &got) == STORE_OK &&
	             got.version == 30 && got.totp_last_step == 777 &&
	             store_officer_get(s, c, &got) == STORE_NOT_FOUND,
	     "officers survive a reopen");
	store_close(&s);
}

/* ---- labels ---- */

struct wraps {
	char name[16][STORE_LABEL_NAME_MAX + 1];
	uint32_t version[16];
	uint8_t first[16];
	size_t len[16];
	int n, stop_after;
};

static int wrap_row(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct wraps *x = ctx;
	if (x->n < 16) {
		snprintf(x->name[x->n], sizeof x->name[0], "%s", name);
		x->version[x->n] = version;
		x->first[x->n] = n > 0 ? wrap[0] : 0;
		x->len[x->n] = n;
	}
	x->n++;
	return x->stop_after > 0 && x->n >= x->stop_after;
}

static void test_labels(void)
{
	struct store *s = contract_open_fresh();
	struct store_officer o;
	store_id a = 0, b = 0;
	char la[80], lb[80], lc[80];
	uint8_t pk1[STORE_PK_LEN], pk2[STORE_PK_LEN], pk[STORE_PK_LEN], w1[100], w2[100];
	uint8_t wbig[STORE_LABEL_WRAP_MAX + 1];
	uint32_t v = 0;
	if (s == NULL)
		return;
	officer_of(&o, "la", 1);
	T_OK(store_officer_insert(s, &o, &a) == STORE_OK, "officer a");
	officer_of(&o, "lb", 2);
	T_OK(store_officer_insert(s, &o, &b) == STORE_OK, "officer b");
	snprintf(la, sizeof la, "marking:C%s ALPHA", contract_tag());
	snprintf(lb, sizeof lb, "marking:C%s BRAVO", contract_tag());
	snprintf(lc, sizeof lc, "marking:C%s CHARLIE", contract_tag());
	memset(pk1, 1, sizeof pk1);
	memset(pk2, 2, sizeof pk2);
	memset(w1, 0xa1, sizeof w1);
	memset(w2, 0xb2, sizeof w2);
	memset(wbig, 0xcc, sizeof wbig);
	T_OK(store_label_current(s, la, &v, pk) == STORE_NOT_FOUND, "an unknown label");
	struct store_label_wrap ws[3] = {
	        {a, w1, 40}, {b, w2, 41}, {STORE_RECOVERY_OFFICER, w1, 42}};
	T_OK(store_label_add(s, la, 1, pk1, ws, 3) == STORE_OK, "label_add: version 1, 3 wraps");
	T_OK(store_label_current(s, la, &v, pk) == STORE_OK && v == 1 &&
	             memcmp(pk, pk1, sizeof pk) == 0,
	     "label_current: version and public key");
	T_OK(store_label_add(s, la, 1, pk2, ws, 1) == STORE_EXISTS &&
	             store_label_current(s, la, &v, pk) == STORE_OK &&
	             memcmp(pk, pk1, sizeof pk) == 0,
	     "the same version again: STORE_EXISTS, unchanged");
	T_OK(store_label_add(s, la, 2, pk2, ws, 1) == STORE_OK &&
	             store_label_current(s, la, &v, pk) == STORE_OK && v == 2 &&
	             memcmp(pk, pk2, sizeof pk) == 0,
	     "a new version becomes the current one");
	struct store_label_wrap lost[2] = {{a, w1, 10}, {FAR_ID, w2, 10}};
	T_OK(store_label_add(s, lb, 1, pk1, lost, 2) == STORE_NOT_FOUND &&
	             store_label_current(s, lb, &v, pk) == STORE_NOT_FOUND,
	     "a wrap to an unknown officer: STORE_NOT_FOUND, and nothing of the label is stored "
	     "(one "
	     "transaction)");
	char longn[STORE_LABEL_NAME_MAX + 2];
	memset(longn, 'n', sizeof longn);
	longn[STORE_LABEL_NAME_MAX + 1] = '\0';
	snprintf(longn, sizeof longn, "marking:Z%s", contract_tag()); /* sorts last */
	longn[strlen(longn)] = 'n';
	T_OK(store_label_add(s, longn, 1, pk1, ws, 1) == STORE_TOO_LARGE,
	     "a label name over STORE_LABEL_NAME_MAX: STORE_TOO_LARGE");
	longn[STORE_LABEL_NAME_MAX] = '\0';
	T_OK(store_label_add(s, longn, 1, pk1, ws, 1) == STORE_OK &&
	             store_label_current(s, longn, &v, pk) == STORE_OK && v == 1,
	     "one of STORE_LABEL_NAME_MAX bytes");
	char ctl[80];
	snprintf(ctl, sizeof ctl, "marking:C%s\tTAB", contract_tag());
	T_OK(store_label_add(s, ctl, 1, pk1, ws, 1) == STORE_TOO_LARGE &&
	             store_label_wrap_put(s, ctl, 1, &ws[0]) == STORE_TOO_LARGE &&
	             store_label_current(s, ctl, &v, pk) == STORE_NOT_FOUND,
	     "a label name with a control character: refused, nothing stored");
	struct store_label_wrap big = {a, wbig, STORE_LABEL_WRAP_MAX + 1};
	T_OK(store_label_add(s, lc, 1, pk1, &big, 1) == STORE_TOO_LARGE &&
	             store_label_wrap_put(s, la, 1, &big) == STORE_TOO_LARGE,
	     "a wrap over STORE_LABEL_WRAP_MAX: STORE_TOO_LARGE");
	big.len = STORE_LABEL_WRAP_MAX;
	T_OK(store_label_add(s, lc, 1, pk1, &big, 1) == STORE_OK, "one of STORE_LABEL_WRAP_MAX");

	/* the wraps of an officer, by name then version */
	struct wraps x = {0};
	T_OK(store_label_wraps(s, a, wrap_row, &x) == STORE_OK && x.n == 4 &&
	             strcmp(x.name[0], la) == 0 && x.version[0] == 1 && x.len[0] == 40 &&
	             x.first[0] == 0xa1 && strcmp(x.name[1], la) == 0 && x.version[1] == 2 &&
	             strcmp(x.name[2], lc) == 0 && x.len[2] == STORE_LABEL_WRAP_MAX &&
	             strcmp(x.name[3], longn) == 0,
	     "label_wraps: the officer's wraps by label name, then version, as stored");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, b, wrap_row, &x) == STORE_OK && x.n == 1 && x.len[0] == 41 &&
	             x.first[0] == 0xb2,
	     "another officer's are its own");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, STORE_RECOVERY_OFFICER, wrap_row, &x) == STORE_OK && x.n == 1 &&
	             strcmp(x.name[0], la) == 0 && x.len[0] == 42,
	     "the recovery key's wraps are kept apart");
	x = (struct wraps){.stop_after = 1};
	enum store_result r = store_label_wraps(s, a, wrap_row, &x);
	T_OK(r == STORE_STOP && x.n == 1, "label_wraps stops when fn says so");
	struct store_label_wrap put = {b, w1, 33};
	T_OK(store_label_wrap_put(s, la, 1, &put) == STORE_OK &&
	             store_label_wrap_put(s, la, 2, &put) == STORE_OK,
	     "label_wrap_put: replaces one wrap, adds another");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, b, wrap_row, &x) == STORE_OK && x.n == 2 && x.len[0] == 33 &&
	             x.first[0] == 0xa1 && x.version[1] == 2,
	     "both as put");
	put.officer = STORE_RECOVERY_OFFICER;
	T_OK(store_label_wrap_put(s, la, 2, &put) == STORE_OK, "a recovery wrap put");
	T_OK(store_label_wrap_put(s, la, 9, &put) == STORE_NOT_FOUND &&
	             store_label_wrap_put(s, lb, 1, &put) == STORE_NOT_FOUND,
	     "a wrap of a version that does not exist: STORE_NOT_FOUND");

	/* who holds both labels */
	struct store_label_joint j;
	struct store_label_wrap cw = {b, w2, 20};
	T_OK(store_label_wrap_put(s, lc, 1, &cw) == STORE_OK &&
	             store_label_joint(s, la, lc, &j) == STORE_OK && j.version[0] == 2 &&
	             j.version[1] == 1 && memcmp(j.pk[0], pk2, STORE_PK_LEN) == 0 &&
	             memcmp(j.pk[1], pk1, STORE_PK_LEN) == 0 && j.holders == 2,
	     "label_joint: current versions, keys, and the officers holding both");
	T_OK(store_officer_set_disabled(s, b, 1) == STORE_OK &&
	             store_label_joint(s, la, lc, &j) == STORE_OK && j.holders == 1,
	     "a disabled officer does not count");
	T_OK(store_label_joint(s, la, lb, &j) == STORE_OK && j.version[0] == 2 &&
	             j.version[1] == 0 && j.holders == 0,
	     "an unknown label: version 0, no holder");
	T_OK(store_label_add(s, la, 3, pk1, NULL, 0) == STORE_OK &&
	             store_label_joint(s, la, lc, &j) == STORE_OK && j.version[0] == 3 &&
	             j.holders == 0,
	     "a wrap of an older version only does not count");

	/* revoke */
	T_OK(store_label_revoke(s, la, a) == STORE_OK, "label_revoke of one label");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, a, wrap_row, &x) == STORE_OK && x.n == 2 &&
	             strcmp(x.name[0], lc) == 0,
	     "removes every version of it, and only it");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, b, wrap_row, &x) == STORE_OK && x.n == 3,
	     "and only the officer's");
	T_OK(store_label_revoke(s, NULL, b) == STORE_OK &&
	             store_label_wraps(s, b, wrap_row, &(struct wraps){0}) == STORE_OK,
	     "label_revoke of all");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, b, wrap_row, &x) == STORE_OK && x.n == 0, "none left");
	x = (struct wraps){0};
	T_OK(store_label_revoke(s, la, STORE_RECOVERY_OFFICER) == STORE_OK &&
	             store_label_wraps(s, STORE_RECOVERY_OFFICER, wrap_row, &x) == STORE_OK &&
	             x.n == 0,
	     "the recovery key's wraps are revoked alike");
	T_OK(store_officer_delete(s, a) == STORE_OK &&
	             store_label_wraps(s, a, wrap_row, &(struct wraps){0}) == STORE_OK,
	     "deleting an officer");
	x = (struct wraps){0};
	T_OK(store_label_wraps(s, a, wrap_row, &x) == STORE_OK && x.n == 0, "deletes its wraps");
	T_OK(contract_reopen(&s) == 0 && store_label_current(s, la, &v, pk) == STORE_OK && v == 3 &&
	             memcmp(pk, pk1, sizeof pk) == 0,
	     "labels survive a reopen");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_officer");
	test_officers();
	test_labels();
	return contract_done();
}
