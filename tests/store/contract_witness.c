/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_witness: the store contract (tests/store/README.md) for the
 * witnessing domain (core/store/store_witness.h): logs (a unique origin,
 * ordered bytewise, size 0 and no root before the first cosignature), the
 * advance of a log only inside store_write and only from the stored size (a
 * race: STORE_EXISTS, nothing changed), conflicts (of a known log, by id),
 * cosignature lines (one per witness and size, by witness name), STORE_STOP,
 * and everything surviving a reopen. A backend without the domain answers
 * STORE_UNSUPPORTED to all of it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_witness.h"
#include "t.h"
#include "contract.h"

#include "lib/banned.h"

#define FAR_ID ((store_id)1 << 50)

struct seen {
	int n, mine;
	bool stop;
	char first[STORE_WITNESS_ORIGIN_MAX + 1];
	store_id log;
	store_id last;
	bool ordered;
};

static char tag_a[64], tag_b[64];

static int see_log(void *ctx, const struct store_witness_log *l)
{
	struct seen *v = ctx;
	v->n++;
	if (strcmp(l->origin, tag_a) == 0 || strcmp(l->origin, tag_b) == 0) {
		if (v->mine++ == 0)
			snprintf(v->first, sizeof v->first, "%s", l->origin);
	}
	return v->stop;
}

static int see_conflict(void *ctx, const struct store_witness_conflict *c)
{
	struct seen *v = ctx;
	v->n++;
	if (c->log == v->log) {
		if (c->id <= v->last)
			v->ordered = false;
		v->last = c->id;
		v->mine++;
	}
	return v->stop;
}

static int see_cosig(void *ctx, const char *witness, const char *line)
{
	struct seen *v = ctx;
	(void)line;
	if (v->n++ == 0)
		snprintf(v->first, sizeof v->first, "%s", witness);
	return v->stop;
}

struct adv {
	store_id log;
	uint64_t old_size, size;
	uint8_t root[STORE_WITNESS_HASH_LEN];
	const char *note;
};

static enum store_result adv_fn(struct store *s, void *arg)
{
	struct adv *a = arg;
	return store_witness_log_advance(s, a->log, a->old_size, a->size, a->root, a->note, 20001);
}

static void test_logs(struct store *s)
{
	store_id a = 0, b = 0, again = 0;
	struct store_witness_log got;
	/* "B..." sorts before "a..." bytewise (not in a case-folding collation) */
	snprintf(tag_a, sizeof tag_a, "a.example/%s", contract_tag());
	snprintf(tag_b, sizeof tag_b, "B.example/%s", contract_tag());
	T_OK(store_witness_log_add(s, tag_a, "a.example+01020304+AXXX=", 20000, &a) == STORE_OK &&
	             a > 0,
	     "a log added");
	T_OK(store_witness_log_add(s, tag_b, "b.example+01020304+AYYY=", 20000, &b) == STORE_OK &&
	             b > 0 && b != a,
	     "a second log added");
	T_OK(store_witness_log_add(s, tag_a, "other+01020304+AZZZ=", 20000, &again) == STORE_EXISTS,
	     "the same origin again: STORE_EXISTS");
	uint8_t zero[STORE_WITNESS_HASH_LEN] = {0};
	T_OK(store_witness_log_get(s, tag_a, &got) == STORE_OK && got.id == a && got.size == 0 &&
	             memcmp(got.root, zero, sizeof zero) == 0 && got.note[0] == '\0' &&
	             strcmp(got.vkey, "a.example+01020304+AXXX=") == 0 && got.day == 20000,
	     "read back: size 0, no root, no note, the key kept");
	T_OK(store_witness_log_get(s, "nowhere.example/none", &got) == STORE_NOT_FOUND,
	     "an unknown origin: STORE_NOT_FOUND");
	struct seen v = {0};
	T_OK(store_witness_logs(s, see_log, &v) == STORE_OK && v.mine == 2 &&
	             strcmp(v.first, tag_b) == 0,
	     "logs by origin, bytewise");
	struct seen st = {.stop = true};
	T_OK(store_witness_logs(s, see_log, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");

	struct adv ad = {.log = a, .old_size = 0, .size = 10, .note = "a.example\n10\nroot\n"};
	memset(ad.root, 0xab, sizeof ad.root);
	T_OK(store_witness_log_advance(s, a, 0, 10, ad.root, ad.note, 20001) == STORE_CORRUPT,
	     "an advance outside store_write: STORE_CORRUPT");
	T_OK(store_write(s, NULL, 0, adv_fn, &ad) == STORE_OK, "advanced from 0 to 10");
	ad.size = 12;
	T_OK(store_write(s, NULL, 0, adv_fn, &ad) == STORE_EXISTS,
	     "again from 0 (it moved meanwhile): STORE_EXISTS");
	ad.log = FAR_ID;
	T_OK(store_write(s, NULL, 0, adv_fn, &ad) == STORE_NOT_FOUND,
	     "an unknown log: STORE_NOT_FOUND");
	T_OK(contract_reopen(&s) == 0, "reopened");
	T_OK(store_witness_log_get(s, tag_a, &got) == STORE_OK && got.size == 10 &&
	             memcmp(got.root, ad.root, sizeof ad.root) == 0 &&
	             strcmp(got.note, ad.note) == 0 && got.day == 20001,
	     "after a reopen: size 10, its root, note and day; the refused advances changed "
	     "nothing");

	struct store_witness_conflict c = {.log = a, .size = 11, .day = 20002};
	snprintf(c.held, sizeof c.held, "held note");
	snprintf(c.offered, sizeof c.offered, "offered note");
	store_id c1 = 0, c2 = 0, c3 = 0;
	T_OK(store_witness_conflict_add(s, &c, &c1) == STORE_OK && c1 > 0, "a conflict added");
	T_OK(store_witness_conflict_add(s, &c, &c2) == STORE_OK && c2 > c1, "a second one");
	c.log = FAR_ID;
	T_OK(store_witness_conflict_add(s, &c, &c3) == STORE_NOT_FOUND,
	     "a conflict of an unknown log: STORE_NOT_FOUND");
	struct seen vc = {.log = a, .ordered = true};
	T_OK(store_witness_conflicts(s, see_conflict, &vc) == STORE_OK && vc.mine == 2 &&
	             vc.ordered,
	     "conflicts by id");
	struct seen sc = {.stop = true};
	T_OK(store_witness_conflicts(s, see_conflict, &sc) == STORE_STOP && sc.n == 1,
	     "stopped by its callback: STORE_STOP");
	store_close(&s);
}

static void test_cosigs(void)
{
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return;
	uint64_t size = ((uint64_t)1 << 40) + strtoull(contract_tag() + 8, NULL, 16);
	char w1[64], w2[64];
	snprintf(w1, sizeof w1, "b.witness/%s", contract_tag());
	snprintf(w2, sizeof w2, "A.witness/%s", contract_tag());
	T_OK(store_witness_cosig_add(s, size, w1, "— b.witness AAAA") == STORE_OK,
	     "a cosignature line added");
	T_OK(store_witness_cosig_add(s, size, w2, "— A.witness BBBB") == STORE_OK,
	     "another witness's for the same size");
	T_OK(store_witness_cosig_add(s, size, w1, "— b.witness CCCC") == STORE_EXISTS,
	     "the same witness again: STORE_EXISTS");
	T_OK(store_witness_cosig_add(s, size + 1, w1, "— b.witness DDDD") == STORE_OK,
	     "the same witness for another size");
	T_OK(contract_reopen(&s) == 0, "reopened");
	struct seen v = {0};
	T_OK(store_witness_cosigs(s, size, see_cosig, &v) == STORE_OK && v.n == 2 &&
	             strcmp(v.first, w2) == 0,
	     "a size's lines by witness name, bytewise");
	struct seen st = {.stop = true};
	T_OK(store_witness_cosigs(s, size, see_cosig, &st) == STORE_STOP && st.n == 1,
	     "stopped by its callback: STORE_STOP");
	struct seen none = {0};
	T_OK(store_witness_cosigs(s, size + 2, see_cosig, &none) == STORE_OK && none.n == 0,
	     "a size without lines: none");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_witness");
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return contract_done();
	struct store_witness_log got;
	if (store_witness_log_get(s, "x", &got) == STORE_UNSUPPORTED) {
		T_SKIP("this backend has no witness domain (STORE_UNSUPPORTED)");
		store_close(&s);
		return contract_done();
	}
	test_logs(s);
	test_cosigs();
	return contract_done();
}
