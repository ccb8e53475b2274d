/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_blob: the store contract (tests/store/README.md) for opening and
 * closing, meta values and blobs (core/store/store.h): chunking, limits,
 * large blobs, the pending-blob rules and delete.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50) /* an id no store of this suite reaches */

static void test_open_close(void)
{
	struct store *s = NULL;
	T_OK(store_open("", &s) == STORE_NOT_FOUND && s == NULL, "an empty location: not found");
	if ((s = contract_open_fresh()) == NULL)
		return;
	T_OK(s->be != NULL && s->be->name != NULL && s->be->name[0] != '\0',
	     "the store names its backend");
	T_OK(!store_in_write(s), "outside store_write, store_in_write is false");
	store_close(&s);
	T_OK(s == NULL, "store_close clears the pointer");
	store_close(&s); /* a NULL store is fine */
	T_OK(store_today() > 19000 && store_today() < 100000, "store_today is days since 1970");
}

static void test_meta(void)
{
	struct store *s = contract_open_fresh();
	uint8_t v[STORE_META_MAX + 1], big[STORE_META_MAX + 1];
	char k1[64], k2[64];
	size_t n = 0;
	if (s == NULL)
		return;
	snprintf(k1, sizeof k1, "contract-%s-a", contract_tag());
	snprintf(k2, sizeof k2, "contract-%s-b", contract_tag());
	T_OK(store_meta_get(s, k1, v, sizeof v, &n) == STORE_NOT_FOUND, "meta: unknown key");
	static const uint8_t bin[] = {0, 1, 2, 0, 255, 'x', 0};
	T_OK(store_meta_set(s, k1, bin, sizeof bin) == STORE_OK, "meta_set");
	T_OK(store_meta_get(s, k1, v, sizeof v, &n) == STORE_OK && n == sizeof bin &&
	             memcmp(v, bin, n) == 0,
	     "meta values are bytes (NULs kept)");
	T_OK(store_meta_set(s, k1, (const uint8_t *)"second", 6) == STORE_OK &&
	             store_meta_get(s, k1, v, sizeof v, &n) == STORE_OK && n == 6 &&
	             memcmp(v, "second", 6) == 0,
	     "meta_set replaces the value, with its length");
	T_OK(store_meta_get(s, k1, v, 5, &n) == STORE_TOO_LARGE,
	     "meta_get into a buffer too small: STORE_TOO_LARGE");
	T_OK(store_meta_get(s, k2, v, sizeof v, &n) == STORE_NOT_FOUND, "keys are independent");
	contract_fill(big, sizeof big, 7, 0);
	T_OK(store_meta_set(s, k2, big, STORE_META_MAX) == STORE_OK &&
	             store_meta_get(s, k2, v, sizeof v, &n) == STORE_OK && n == STORE_META_MAX &&
	             memcmp(v, big, n) == 0,
	     "a value of STORE_META_MAX bytes is kept whole");
	T_OK(store_meta_set(s, k1, big, STORE_META_MAX + 1) == STORE_TOO_LARGE,
	     "a value over STORE_META_MAX: STORE_TOO_LARGE");
	T_OK(store_meta_get(s, k1, v, sizeof v, &n) == STORE_OK && n == 6 &&
	             memcmp(v, "second", 6) == 0,
	     "and the value before is kept");
	T_OK(store_meta_set(s, k2, big, 0) == STORE_OK &&
	             store_meta_get(s, k2, v, sizeof v, &n) == STORE_OK && n == 0,
	     "an empty value");
	T_OK(contract_reopen(&s) == 0 && store_meta_get(s, k1, v, sizeof v, &n) == STORE_OK &&
	             n == 6 && memcmp(v, "second", 6) == 0,
	     "meta values survive a reopen");
	store_close(&s);
}

static int count_calls(void *ctx, const uint8_t *p, size_t n)
{
	(*(int *)ctx)++;
	return 0;
}

static int stop_at_first(void *ctx, const uint8_t *p, size_t n)
{
	(*(int *)ctx)++;
	return 1;
}

static void test_blob_basics(void)
{
	static const size_t sizes[] = {1, 1000, STORE_CHUNK_MAX, 7, 4097, 65536};
	static uint8_t buf[STORE_CHUNK_MAX + 1];
	struct store *s = contract_open_fresh();
	store_id a = 0, b = 0, e = 0;
	uint64_t size = 0, total = 0;
	int ok = 1, calls = 0;
	if (s == NULL)
		return;
	T_OK(store_blob_create(s, &a) == STORE_OK && a > 0, "blob_create gives an id > 0");
	T_OK(store_blob_create(s, &e) == STORE_OK && e > 0 && e != a,
	     "a second blob gets another id");
	T_OK(store_blob_size(s, e, &size) == STORE_OK && size == 0, "a new blob is empty");
	T_OK(store_blob_read(s, e, count_calls, &calls) == STORE_OK && calls == 0,
	     "an empty blob reads back as nothing");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		contract_fill(buf, sizes[i], 11, total);
		ok &= store_blob_append(s, a, buf, sizes[i]) == STORE_OK;
		total += sizes[i];
	}
	T_OK(ok, "appends of 1 byte to STORE_CHUNK_MAX");
	T_OK(contract_blob_is(s, a, 11, total), "the chunks read back in order (%llu bytes)",
	     (unsigned long long)total);
	T_OK(store_blob_append(s, a, buf, STORE_CHUNK_MAX + 1) == STORE_TOO_LARGE,
	     "a chunk over STORE_CHUNK_MAX: STORE_TOO_LARGE");
	T_OK(contract_blob_is(s, a, 11, total), "and the blob is unchanged");
	calls = 0;
	T_OK(store_blob_read(s, a, stop_at_first, &calls) == STORE_STOP && calls == 1,
	     "blob_read stops when fn returns non-zero: STORE_STOP");

	T_OK(store_blob_put(s, buf, STORE_CHUNK_MAX + 1, &b) == STORE_TOO_LARGE,
	     "blob_put over STORE_CHUNK_MAX: STORE_TOO_LARGE");
	contract_fill(buf, STORE_CHUNK_MAX, 12, 0);
	T_OK(store_blob_put(s, buf, STORE_CHUNK_MAX, &b) == STORE_OK && b > 0 && b != a && b != e &&
	             contract_blob_is(s, b, 12, STORE_CHUNK_MAX),
	     "blob_put of STORE_CHUNK_MAX bytes");
	contract_fill(buf, 10, 12, STORE_CHUNK_MAX);
	T_OK(store_blob_append(s, b, buf, 10) == STORE_OK &&
	             contract_blob_is(s, b, 12, STORE_CHUNK_MAX + 10),
	     "blob_put then blob_append");

	T_OK(store_blob_read(s, FAR_ID, count_calls, &calls) == STORE_NOT_FOUND &&
	             store_blob_size(s, FAR_ID, &size) == STORE_NOT_FOUND &&
	             store_blob_append(s, FAR_ID, buf, 1) == STORE_NOT_FOUND &&
	             store_blob_delete(s, FAR_ID) == STORE_NOT_FOUND,
	     "an unknown blob: read, size, append and delete give STORE_NOT_FOUND");
	T_OK(store_blob_delete(s, a) == STORE_OK, "blob_delete");
	T_OK(store_blob_read(s, a, count_calls, &calls) == STORE_NOT_FOUND &&
	             store_blob_size(s, a, &size) == STORE_NOT_FOUND &&
	             store_blob_append(s, a, buf, 1) == STORE_NOT_FOUND,
	     "a deleted blob is gone");
	T_OK(store_blob_delete(s, a) == STORE_NOT_FOUND, "deleting it again: STORE_NOT_FOUND");
	T_OK(contract_blob_is(s, b, 12, STORE_CHUNK_MAX + 10),
	     "deleting one blob leaves the others");
	store_id c = 0, d = 0;
	T_OK(store_blob_create(s, &c) == STORE_OK && store_blob_delete(s, c) == STORE_OK &&
	             store_blob_create(s, &d) == STORE_OK && d != c && d != a && d != b && d != e,
	     "ids are not reused: a blob made after deleting the newest gets a new id");
	store_close(&s);
}

/* A large blob (file-sized, many chunks): pending, committed, after a reopen. */
static void test_blob_large(void)
{
	const size_t big = 5 * 1024 * 1024 + 12345;
	struct store *s = contract_open_fresh();
	store_id src, b, b2, sub = 0;
	uint8_t x = 'x';
	if (s == NULL)
		return;
	src = contract_source(s, 100, 1);
	b = contract_blob(s, 21, big);
	T_OK(src > 0 && b > 0, "a %zu-byte blob in irregular chunks", big);
	T_OK(contract_blob_is(s, b, 21, big), "a pending large blob reads back whole");
	T_OK(store_submission_commit(s, src, 100, "", 0, b, NULL, 0, &sub) == STORE_OK && sub > 0,
	     "a commit claims it");
	T_OK(contract_blob_is(s, b, 21, big), "a committed large blob reads back whole");
	T_OK(store_blob_append(s, b, &x, 1) != STORE_OK && contract_blob_is(s, b, 21, big),
	     "a claimed blob takes no more chunks (its bytes stay as committed)");
	b2 = contract_blob(s, 22, 700000);
	T_OK(b2 > 0 && store_blob_delete(s, b2) == STORE_OK &&
	             store_blob_size(s, b2, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "a pending large blob can be deleted");
	T_OK(contract_reopen(&s) == 0 && contract_blob_is(s, b, 21, big),
	     "a committed large blob reads back whole after a reopen");
	struct store_submission got;
	T_OK(store_submission_get(s, sub, &got) == STORE_OK && got.message_blob == b,
	     "and its submission names it");
	T_OK(store_blob_delete(s, b) == STORE_OK &&
	             store_blob_read(s, b, count_calls, &(int){0}) == STORE_NOT_FOUND,
	     "a large blob is deleted whole");
	store_close(&s);
}

/*
 * Pending blobs: readable by their maker, claimed by exactly one commit, left
 * pending by a commit that fails; a reopen after a clean close keeps what was
 * committed (the crash case is in contract_crash.c).
 */
static void test_blob_pending(void)
{
	struct store *s = contract_open_fresh();
	store_id src, p1, p2, p3, sub = 0, bad = 0, rep = 0;
	if (s == NULL)
		return;
	src = contract_source(s, 100, 2);
	p1 = contract_blob(s, 31, 300);
	p2 = contract_blob(s, 32, 400000);
	p3 = contract_blob(s, 33, 50);
	T_OK(src > 0 && p1 > 0 && p2 > 0 && p3 > 0, "three pending blobs");
	struct store_new_file f = {p2, p2};
	T_OK(store_submission_commit(s, src, 100, "", 0, p1, &f, 1, &bad) == STORE_NOT_FOUND,
	     "a blob referenced twice by one commit: STORE_NOT_FOUND");
	T_OK(contract_blob_is(s, p1, 31, 300) && contract_blob_is(s, p2, 32, 400000),
	     "the failed commit left its blobs pending and whole");
	f.meta_blob = p3;
	T_OK(store_submission_commit(s, src, 100, "", 0, p1, &f, 1, &sub) == STORE_OK,
	     "they can be committed afterwards");
	T_OK(store_submission_commit(s, src, 100, "", 0, p1, NULL, 0, &bad) == STORE_NOT_FOUND,
	     "a claimed blob cannot be claimed again (message)");
	struct store_new_file f2 = {p3, contract_blob(s, 34, 10)};
	T_OK(store_submission_commit(s, src, 100, "", 0, 0, &f2, 1, &bad) == STORE_NOT_FOUND,
	     "nor as a file");
	T_OK(store_reply_add(s, src, 100, p2, &rep) == STORE_NOT_FOUND, "nor as a reply");
	store_id lost = contract_blob(s, 35, 10);
	T_OK(store_submission_commit(s, src, 100, "", 0, FAR_ID, NULL, 0, &bad) ==
	                     STORE_NOT_FOUND &&
	             store_submission_commit(s, src, 100, "", 0, lost, NULL, 0, &bad) == STORE_OK,
	     "an unknown blob: STORE_NOT_FOUND");
	T_OK(contract_blob_is(s, p1, 31, 300) && contract_blob_is(s, p2, 32, 400000) &&
	             contract_blob_is(s, p3, 33, 50),
	     "committed blobs read back");
	T_OK(contract_reopen(&s) == 0 && contract_blob_is(s, p1, 31, 300) &&
	             contract_blob_is(s, p2, 32, 400000) && contract_blob_is(s, p3, 33, 50),
	     "and after a reopen");
	store_close(&s);
}

/*
 * store_blob_list: the stored blobs only (never a pending one), ascending, in
 * pages of cap from `after`; a deleted blob leaves the list.
 */
static void test_blob_list(void)
{
	struct store *s = contract_open_fresh();
	store_id ids[8], sub = 0, rep = 0, base = 0;
	size_t n = 99;
	if (s == NULL)
		return;
	/* the blobs of earlier tests (a shared backend keeps them): start after the last */
	while (store_blob_list(s, base, ids, 8, &n) == STORE_OK && n > 0)
		base = ids[n - 1];
	T_OK(n == 0, "blob_list: pages up to the end");
	store_id src = contract_source(s, 100, 3);
	store_id m = contract_blob(s, 41, 10), r = contract_blob(s, 42, 300000);
	store_id pending = contract_blob(s, 43, 10);
	T_OK(store_submission_commit(s, src, 100, "", 0, m, NULL, 0, &sub) == STORE_OK &&
	             store_reply_add(s, src, 100, r, &rep) == STORE_OK && m > base && r > m,
	     "blob_list: a message and a reply committed, one blob left pending");
	n = 99;
	enum store_result lr = store_blob_list(s, base, ids, 4, &n);
	T_OK(lr == STORE_OK && n == 2 && ids[0] == m && ids[1] == r,
	     "blob_list: the two stored blobs, ascending, not the pending one");
	T_OK(store_blob_list(s, base, ids, 1, &n) == STORE_OK && n == 1 && ids[0] == m &&
	             store_blob_list(s, ids[0], ids, 1, &n) == STORE_OK && n == 1 && ids[0] == r &&
	             store_blob_list(s, ids[0], ids, 1, &n) == STORE_OK && n == 0,
	     "blob_list: in pages of one from `after`");
	T_OK(store_blob_list(s, 0, ids, 0, &n) == STORE_TOO_LARGE && n == 0 &&
	             store_blob_list(s, 0, ids, STORE_LIST_MAX + 1, &n) == STORE_TOO_LARGE,
	     "blob_list: cap 0 or over STORE_LIST_MAX refused");
	T_OK(store_reply_delete(s, src, rep) == STORE_OK &&
	             store_blob_list(s, base, ids, 8, &n) == STORE_OK && n == 1 && ids[0] == m,
	     "blob_list: a deleted reply's blob leaves the list");
	(void)pending;
	store_close(&s);
}

static int never_src(void *ctx, const struct store_source *row)
{
	(*(int *)ctx)++;
	return 0;
}

static int never_sub(void *ctx, const struct store_submission *row)
{
	(*(int *)ctx)++;
	return 0;
}

static int never_file(void *ctx, const struct store_file *row)
{
	(*(int *)ctx)++;
	return 0;
}

static int never_reply(void *ctx, const struct store_reply *row)
{
	(*(int *)ctx)++;
	return 0;
}

/*
 * What the front (store.h) refuses before any backend sees it: ids <= 0, a
 * meta key over STORE_META_KEY_MAX, a marking of STORE_MARKING_MAX bytes,
 * more files than an int32 counts, a negative offset or limit. Refused, out
 * set to 0, nothing changed.
 */
static void test_front_refusals(void)
{
	struct store *s = contract_open_fresh();
	static char key[STORE_META_KEY_MAX + 2];
	char marking[STORE_MARKING_MAX + 1];
	uint8_t v[16];
	size_t n = 99;
	uint64_t size = 99;
	int64_t count = 99;
	int calls = 0, ok = 1;
	store_id out = 99;
	struct store_source src;
	struct store_submission sub;
	if (s == NULL)
		return;
	memset(key, 'k', STORE_META_KEY_MAX + 1);
	T_OK(store_meta_set(s, key, (const uint8_t *)"x", 1) == STORE_TOO_LARGE &&
	             store_meta_get(s, key, v, sizeof v, &n) == STORE_TOO_LARGE && n == 0,
	     "a meta key over STORE_META_KEY_MAX: STORE_TOO_LARGE");
	key[STORE_META_KEY_MAX] = '\0';
	T_OK(store_meta_get(s, key, v, sizeof v, &n) == STORE_NOT_FOUND,
	     "and nothing was stored under its first STORE_META_KEY_MAX bytes");

	store_id a = contract_blob(s, 41, 100), big = contract_blob(s, 42, 300000);
	store_id id0 = contract_source(s, 100, 3);
	T_OK(a > 0 && big > 0 && id0 > 0, "a source and two pending blobs");
	for (store_id bad = 0; bad >= -1; bad--) {
		ok &= store_blob_read(s, bad, count_calls, &calls) == STORE_NOT_FOUND && calls == 0;
		ok &= store_blob_size(s, bad, &size) == STORE_NOT_FOUND && size == 0;
		ok &= store_blob_append(s, bad, v, 1) == STORE_NOT_FOUND;
		ok &= store_blob_delete(s, bad) == STORE_NOT_FOUND;
		ok &= store_source_get(s, bad, &src) == STORE_NOT_FOUND;
		ok &= store_source_delete(s, bad) == STORE_NOT_FOUND;
		ok &= store_submission_get(s, bad, &sub) == STORE_NOT_FOUND;
		ok &= store_submission_mark_read(s, bad) == STORE_NOT_FOUND;
		ok &= store_submission_files(s, bad, never_file, &calls) == STORE_NOT_FOUND;
		ok &= store_submission_list(s, bad, 0, 10, never_sub, &calls) == STORE_NOT_FOUND;
		count = 99;
		ok &= store_submission_count_day(s, bad, 100, &count) == STORE_NOT_FOUND &&
		      count == 0;
		out = 99;
		ok &= store_reply_add(s, bad, 100, a, &out) == STORE_NOT_FOUND && out == 0;
		out = 99;
		ok &= store_reply_add(s, id0, 100, bad, &out) == STORE_NOT_FOUND && out == 0;
		ok &= store_reply_list(s, bad, never_reply, &calls) == STORE_NOT_FOUND;
		ok &= store_reply_delete(s, bad, 1) == STORE_NOT_FOUND &&
		      store_reply_delete(s, id0, bad) == STORE_NOT_FOUND;
		out = 99;
		ok &= store_submission_commit(s, bad, 100, "", 0, a, NULL, 0, &out) ==
		              STORE_NOT_FOUND &&
		      out == 0;
		ok &= store_submission_commit(s, id0, 100, "", 0, bad < 0 ? bad : -2, NULL, 0,
		                              &out) == STORE_NOT_FOUND;
		struct store_new_file f = {bad, big};
		ok &= store_submission_commit(s, id0, 100, "", 0, a, &f, 1, &out) ==
		      STORE_NOT_FOUND;
	}
	T_OK(ok && calls == 0, "an id of 0 or -1: STORE_NOT_FOUND from every operation");
	T_OK(store_source_list(s, -1, 10, never_src, &calls) == STORE_NOT_FOUND &&
	             store_source_list(s, 0, -1, never_src, &calls) == STORE_NOT_FOUND &&
	             store_submission_list(s, id0, -1, 10, never_sub, &calls) == STORE_NOT_FOUND &&
	             calls == 0,
	     "a negative offset or limit: STORE_NOT_FOUND");
	memset(marking, 'M', STORE_MARKING_MAX);
	marking[STORE_MARKING_MAX] = '\0';
	struct store_new_file f = {big, big};
	T_OK(store_submission_commit(s, id0, 100, marking, 0, a, NULL, 0, &out) ==
	                     STORE_TOO_LARGE &&
	             store_submission_commit(s, id0, 100, "", 0, a, &f, (size_t)INT32_MAX + 1,
	                                     &out) == STORE_TOO_LARGE &&
	             out == 0,
	     "a marking of STORE_MARKING_MAX bytes, more files than an int32: STORE_TOO_LARGE");
	T_OK(store_source_get(s, id0, &src) == STORE_OK && src.nsubmissions == 0 &&
	             contract_blob_is(s, a, 41, 100) && contract_blob_is(s, big, 42, 300000),
	     "nothing changed: no submission, the blobs pending and whole");
	f.meta_blob = contract_blob(s, 43, 5);
	marking[STORE_MARKING_MAX - 1] = '\0';
	T_OK(store_submission_commit(s, id0, 100, marking, 0, a, &f, 1, &out) == STORE_OK &&
	             out > 0 && store_submission_get(s, out, &sub) == STORE_OK &&
	             strcmp(sub.marking, marking) == 0,
	     "and they commit afterwards, with a marking of STORE_MARKING_MAX - 1 bytes");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_blob");
	test_open_close();
	test_meta();
	test_blob_basics();
	test_blob_large();
	test_blob_pending();
	test_blob_list();
	test_front_refusals();
	return contract_done();
}
