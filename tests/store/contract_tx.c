/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_tx: the store contract (tests/store/README.md) for write
 * transactions, store_write (core/store/store.h, docs/internals/store.md
 * "Transactions"): every call inside joins; a failing call rolls back alone;
 * reads see the transaction's own writes; fn's result other than STORE_OK
 * undoes everything and is returned; a nested store_write is a savepoint;
 * claimed blobs (blob_claim too); the ledger appends in the transaction; deletes undone by a
 * rollback lose nothing.
 *
 * The transaction functions record what they saw in their argument; the
 * checks are made after store_write returns (in the main thread).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

static uint64_t ledger_len(struct store *s)
{
	uint64_t n = 0;
	return ledger_size(s, &n) == LEDGER_OK ? n : UINT64_MAX;
}

static int ledger_ok(struct store *s)
{
	struct ledger_verify_report rep;
	return ledger_verify(s, NULL, &rep) == LEDGER_OK;
}

/* ---- one transaction doing a bit of everything ---- */

struct all_tx {
	struct store *want_s;
	enum store_result result; /* what fn returns at the end */
	char key[64];
	uint8_t lookup[STORE_LOOKUP_LEN];
	store_id blob, src, sub, inner_blob;
	uint64_t ledger_before;
	/* what fn saw */
	int same_store, in_write, saw_source, saw_count, saw_meta, saw_blob, saw_ledger;
	enum store_result r_create, r_commit, r_ledger;
};

static enum store_result all_fn(struct store *s, void *arg)
{
	struct all_tx *a = arg;
	struct store_source src;
	uint8_t v[16];
	size_t n = 0;
	uint8_t pk[STORE_PK_LEN] = {7};
	char obj[40];
	a->same_store = s == a->want_s;
	a->in_write = store_in_write(s);
	a->r_create = store_source_create(s, a->lookup, pk, 100, &a->src);
	a->saw_source = store_source_find(s, a->lookup, &src) == STORE_OK && src.id == a->src;
	if (store_meta_set(s, a->key, (const uint8_t *)"in-tx", 5) == STORE_OK)
		a->saw_meta = store_meta_get(s, a->key, v, sizeof v, &n) == STORE_OK && n == 5 &&
		              memcmp(v, "in-tx", 5) == 0;
	a->r_commit =
	        store_submission_commit(s, a->src, 100, "OFFICIAL", 3, a->blob, NULL, 0, &a->sub);
	a->saw_count = store_source_get(s, a->src, &src) == STORE_OK && src.nsubmissions == 1 &&
	               src.nunread == 1;
	a->inner_blob = contract_blob(s, 71, 5000);
	a->saw_blob = a->inner_blob > 0 && contract_blob_is(s, a->inner_blob, 71, 5000);
	snprintf(obj, sizeof obj, "submission:%lld", (long long)a->sub);
	a->r_ledger = ledger_record_in(s, LEDGER_SUBMISSION_SEAL, "system", obj, NULL, NULL);
	a->saw_ledger = ledger_len(s) == a->ledger_before + 1;
	return a->result;
}

static void test_commit_and_rollback(void)
{
	struct store *s = contract_open_fresh();
	struct all_tx a = {.result = STORE_OK};
	struct store_source src;
	struct store_submission sub;
	uint8_t v[16];
	size_t n;
	if (s == NULL)
		return;
	a.want_s = s;
	snprintf(a.key, sizeof a.key, "contract-%s-tx", contract_tag());
	contract_lookup(a.lookup);
	a.blob = contract_blob(s, 72, 300000);
	a.ledger_before = ledger_len(s);
	T_OK(store_write(s, &a.blob, 1, all_fn, &a) == STORE_OK, "store_write commits");
	T_OK(a.same_store && a.in_write,
	     "fn gets the same store, and store_in_write is true in it");
	T_OK(a.r_create == STORE_OK && a.r_commit == STORE_OK && a.r_ledger == STORE_OK,
	     "calls inside the transaction succeed");
	T_OK(a.saw_source && a.saw_meta && a.saw_count && a.saw_blob && a.saw_ledger,
	     "reads inside see the transaction's own writes (source, meta, counts, blob, ledger)");
	T_OK(!store_in_write(s), "store_in_write is false after");
	T_OK(store_source_find(s, a.lookup, &src) == STORE_OK && src.id == a.src &&
	             store_submission_get(s, a.sub, &sub) == STORE_OK &&
	             sub.message_blob == a.blob &&
	             store_meta_get(s, a.key, v, sizeof v, &n) == STORE_OK && n == 5 &&
	             contract_blob_is(s, a.blob, 72, 300000) &&
	             ledger_len(s) == a.ledger_before + 1,
	     "everything it did is there after");

	/* the same, refused at the end: nothing remains */
	struct all_tx b = {.result = STORE_REFUSED, .want_s = s};
	memcpy(b.key, a.key, sizeof b.key);
	contract_lookup(b.lookup);
	b.blob = contract_blob(s, 73, 300000);
	b.ledger_before = ledger_len(s);
	T_OK(store_write(s, &b.blob, 1, all_fn, &b) == STORE_REFUSED,
	     "fn returning STORE_REFUSED: store_write returns it");
	T_OK(b.r_create == STORE_OK && b.r_commit == STORE_OK && b.saw_source && b.saw_count &&
	             b.saw_meta && b.saw_ledger,
	     "(its calls had succeeded inside)");
	T_OK(store_source_find(s, b.lookup, &src) == STORE_NOT_FOUND &&
	             store_source_get(s, b.src, &src) == STORE_NOT_FOUND &&
	             store_submission_get(s, b.sub, &sub) == STORE_NOT_FOUND,
	     "the source and submission it made are not there");
	T_OK(store_meta_get(s, a.key, v, sizeof v, &n) == STORE_OK && n == 5 &&
	             ledger_len(s) == b.ledger_before && ledger_ok(s),
	     "meta and ledger are as before, and the ledger verifies");
	T_OK(b.inner_blob == 0 ||
	             store_blob_size(s, b.inner_blob, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "a blob made inside is gone");
	store_id src2 = contract_source(s, 100, 3), sub2 = 0;
	T_OK(contract_blob_is(s, b.blob, 73, 300000) &&
	             store_submission_commit(s, src2, 100, "", 0, b.blob, NULL, 0, &sub2) ==
	                     STORE_OK,
	     "the blob it claimed is still pending and whole: a later commit claims it");

	struct all_tx c = {.result = STORE_EXISTS, .want_s = s};
	memcpy(c.key, a.key, sizeof c.key);
	contract_lookup(c.lookup);
	c.blob = contract_blob(s, 74, 10);
	c.ledger_before = ledger_len(s);
	T_OK(store_write(s, &c.blob, 1, all_fn, &c) == STORE_EXISTS &&
	             store_source_find(s, c.lookup, &src) == STORE_NOT_FOUND,
	     "any other result of fn is returned as it is, and rolls back");
	T_OK(contract_reopen(&s) == 0 && store_source_find(s, a.lookup, &src) == STORE_OK &&
	             store_submission_get(s, a.sub, &sub) == STORE_OK &&
	             store_source_find(s, b.lookup, &src) == STORE_NOT_FOUND &&
	             ledger_len(s) == b.ledger_before && ledger_ok(s),
	     "after a reopen: the committed transaction is there, the refused one is not");
	T_OK(store_write(s, NULL, 1, all_fn, &c) == STORE_NOT_FOUND,
	     "claims counted but not given: STORE_NOT_FOUND");
	store_close(&s);
}

/* ---- a failing call inside rolls back alone ---- */

struct partial_tx {
	uint8_t dup[STORE_LOOKUP_LEN], fresh[STORE_LOOKUP_LEN];
	store_id src, bad_blob, good_blob, sub, fresh_src;
	enum store_result r_dup, r_bad, r_fresh, r_good;
	int counts_kept;
};

static enum store_result partial_fn(struct store *s, void *arg)
{
	struct partial_tx *a = arg;
	uint8_t pk[STORE_PK_LEN] = {1};
	struct store_source src;
	store_id x = 0;
	struct store_new_file f = {a->bad_blob, a->bad_blob};
	a->r_dup = store_source_create(s, a->dup, pk, 100, &x);
	a->r_bad = store_submission_commit(s, a->src, 100, "", 0, 0, &f, 1, &x);
	a->counts_kept = store_source_get(s, a->src, &src) == STORE_OK && src.nsubmissions == 0;
	a->r_fresh = store_source_create(s, a->fresh, pk, 100, &a->fresh_src);
	a->r_good = store_submission_commit(s, a->src, 100, "", 0, a->good_blob, NULL, 0, &a->sub);
	return STORE_OK;
}

static void test_failing_call(void)
{
	struct store *s = contract_open_fresh();
	struct partial_tx a = {0};
	struct store_source src;
	struct store_submission sub;
	if (s == NULL)
		return;
	contract_lookup(a.dup);
	contract_lookup(a.fresh);
	a.src = 0;
	T_OK(store_source_create(s, a.dup, (uint8_t[STORE_PK_LEN]){2}, 100, &a.src) == STORE_OK,
	     "a source");
	a.bad_blob = contract_blob(s, 75, 20);
	a.good_blob = contract_blob(s, 76, 20);
	store_id claim[] = {a.bad_blob, a.good_blob};
	T_OK(store_write(s, claim, 2, partial_fn, &a) == STORE_OK, "store_write");
	T_OK(a.r_dup == STORE_EXISTS && a.r_bad == STORE_NOT_FOUND,
	     "calls inside fail as they would outside (STORE_EXISTS, STORE_NOT_FOUND)");
	T_OK(a.counts_kept, "a failed call leaves nothing, seen from inside");
	T_OK(a.r_fresh == STORE_OK && a.r_good == STORE_OK, "fn goes on after them");
	T_OK(store_source_find(s, a.fresh, &src) == STORE_OK &&
	             store_submission_get(s, a.sub, &sub) == STORE_OK &&
	             store_source_get(s, a.src, &src) == STORE_OK && src.nsubmissions == 1,
	     "what succeeded is committed, what failed left nothing");
	T_OK(contract_blob_is(s, a.bad_blob, 75, 20) &&
	             store_submission_commit(s, a.src, 100, "", 0, a.bad_blob, NULL, 0, &a.sub) ==
	                     STORE_OK,
	     "the blob of the failed call is still pending");
	store_close(&s);
}

/* ---- nested transactions ---- */

struct nest {
	int depth, fail_at; /* fail_at: the depth whose fn refuses (0: none) */
	uint8_t lk[4][STORE_LOOKUP_LEN];
	store_id id[4];
	enum store_result inner_r[4];
	int in_write[4], sees_outer[4];
};

static enum store_result nest_fn(struct store *s, void *arg)
{
	struct nest *n = arg;
	int d = ++n->depth;
	uint8_t pk[STORE_PK_LEN] = {3};
	struct store_source src;
	n->in_write[d] = store_in_write(s);
	n->sees_outer[d] = d == 1 || store_source_find(s, n->lk[d - 1], &src) == STORE_OK;
	if (store_source_create(s, n->lk[d], pk, 100, &n->id[d]) != STORE_OK)
		return STORE_IO;
	if (d < 3)
		n->inner_r[d] = store_write(s, NULL, 0, nest_fn, n);
	n->depth--;
	return n->fail_at == d ? STORE_REFUSED : STORE_OK;
}

static int found(struct store *s, const uint8_t *lk)
{
	struct store_source src;
	return store_source_find(s, lk, &src) == STORE_OK;
}

static void test_nested(void)
{
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return;
	for (int fail = 0; fail <= 3; fail++) {
		struct nest n = {.fail_at = fail};
		for (int d = 1; d <= 3; d++)
			contract_lookup(n.lk[d]);
		enum store_result r = store_write(s, NULL, 0, nest_fn, &n);
		int f1 = found(s, n.lk[1]), f2 = found(s, n.lk[2]), f3 = found(s, n.lk[3]);
		T_OK(n.in_write[1] && n.in_write[2] && n.in_write[3] && n.sees_outer[2] &&
		             n.sees_outer[3],
		     "nested (refused at depth %d): store_in_write, and each level sees the outer "
		     "one's writes",
		     fail);
		switch (fail) {
		case 0:
			T_OK(r == STORE_OK && f1 && f2 && f3, "three levels commit together");
			break;
		case 1:
			T_OK(r == STORE_REFUSED && n.inner_r[1] == STORE_OK && !f1 && !f2 && !f3,
			     "the outer level refused: nothing of any level remains");
			break;
		case 2:
			T_OK(r == STORE_OK && n.inner_r[1] == STORE_REFUSED && f1 && !f2 && !f3,
			     "the middle level refused: it and its inner one roll back alone");
			break;
		case 3:
			T_OK(r == STORE_OK && n.inner_r[2] == STORE_REFUSED && f1 && f2 && !f3,
			     "the innermost refused: only it rolls back");
			break;
		}
	}
	store_close(&s);
}

/* ---- deletes inside a transaction that is undone lose nothing ---- */

struct del_tx {
	store_id src, other_blob, reply_src, reply;
	enum store_result r[3]; /* source_delete, blob_delete, reply_delete */
	int gone_inside;
	enum store_result result;
};

static enum store_result del_fn(struct store *s, void *arg)
{
	struct del_tx *a = arg;
	a->r[0] = store_source_delete(s, a->src);
	a->r[1] = store_blob_delete(s, a->other_blob);
	a->r[2] = store_reply_delete(s, a->reply_src, a->reply);
	a->gone_inside =
	        store_source_get(s, a->src, &(struct store_source){0}) == STORE_NOT_FOUND &&
	        store_blob_size(s, a->other_blob, &(uint64_t){0}) == STORE_NOT_FOUND;
	return a->result;
}

static void test_deletes_undone(void)
{
	struct store *s = contract_open_fresh();
	struct del_tx a = {.result = STORE_REFUSED};
	store_id sub = 0, sub2 = 0;
	if (s == NULL)
		return;
	a.src = contract_source(s, 100, 4);
	a.reply_src = contract_source(s, 100, 5);
	store_id msg = contract_blob(s, 81, 900000), rb = contract_blob(s, 82, 300000);
	a.other_blob = contract_blob(s, 83, 600000);
	T_OK(store_submission_commit(s, a.src, 100, "", 0, msg, NULL, 0, &sub) == STORE_OK &&
	             store_submission_commit(s, a.reply_src, 100, "", 0, a.other_blob, NULL, 0,
	                                     &sub2) == STORE_OK &&
	             store_reply_add(s, a.reply_src, 100, rb, &a.reply) == STORE_OK,
	     "sources with large committed blobs and a reply");
	T_OK(store_write(s, NULL, 0, del_fn, &a) == STORE_REFUSED && a.r[0] == STORE_OK &&
	             a.r[1] == STORE_OK && a.r[2] == STORE_OK && a.gone_inside,
	     "a transaction deletes a source, a blob and a reply, then refuses");
	T_OK(store_submission_get(s, sub, &(struct store_submission){0}) == STORE_OK &&
	             contract_blob_is(s, msg, 81, 900000) &&
	             contract_blob_is(s, a.other_blob, 83, 600000) &&
	             contract_blob_is(s, rb, 82, 300000),
	     "everything is still there, every blob whole");
	T_OK(contract_reopen(&s) == 0 && contract_blob_is(s, msg, 81, 900000) &&
	             contract_blob_is(s, a.other_blob, 83, 600000) &&
	             contract_blob_is(s, rb, 82, 300000),
	     "and after a reopen");
	a.result = STORE_OK;
	T_OK(store_write(s, NULL, 0, del_fn, &a) == STORE_OK &&
	             store_source_get(s, a.src, &(struct store_source){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, msg, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, a.other_blob, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, rb, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "committed, the same deletes take everything");
	store_close(&s);
}

/* ---- the ledger inside transactions ---- */

struct led_tx {
	enum store_result result, r_bad, r_in;
	enum ledger_result r_append;
	uint64_t index;
};

static enum store_result led_fn(struct store *s, void *arg)
{
	struct led_tx *a = arg;
	struct ledger_event ev = {.action = LEDGER_OBJECT_READ,
	                          .actor = "officer:contract",
	                          .object = "submission:1",
	                          .detail = "in a transaction"};
	a->r_bad = ledger_record_in(s, LEDGER_OBJECT_READ, "Not An Actor", NULL, NULL, NULL);
	a->r_append = ledger_append(s, &ev, &a->index);
	a->r_in = ledger_record_in(s, LEDGER_OBJECT_DOWNLOAD, "officer:contract", "submission:1",
	                           NULL, NULL);
	return a->result;
}

static void test_ledger_in_tx(void)
{
	struct store *s = contract_open_fresh();
	struct led_tx a = {.result = STORE_REFUSED};
	uint8_t e[LEDGER_ENTRY_MAX];
	size_t len = 0;
	struct ledger_entry pe;
	if (s == NULL)
		return;
	T_OK(ledger_record(s, LEDGER_SOURCE_CREATE, "system", "source:1", NULL, NULL) == LEDGER_OK,
	     "an entry outside any transaction");
	T_OK(ledger_record_in(s, LEDGER_SOURCE_CREATE, "system", NULL, NULL, NULL) == STORE_CORRUPT,
	     "ledger_record_in outside a transaction: STORE_CORRUPT");
	uint64_t n0 = ledger_len(s);
	T_OK(store_write(s, NULL, 0, led_fn, &a) == STORE_REFUSED && a.r_append == LEDGER_OK &&
	             a.r_in == STORE_OK && a.r_bad == STORE_REFUSED,
	     "inside: ledger_append and ledger_record_in succeed, a malformed event is refused");
	T_OK(ledger_len(s) == n0 && ledger_ok(s),
	     "the transaction refused: its entries are not in the ledger, which verifies");
	a = (struct led_tx){.result = STORE_OK};
	T_OK(store_write(s, NULL, 0, led_fn, &a) == STORE_OK && a.index == n0 &&
	             ledger_len(s) == n0 + 2,
	     "committed: both entries, the first at the index ledger_append gave");
	T_OK(ledger_entry(s, a.index, e, &len) == LEDGER_OK &&
	             ledger_entry_parse(e, len, &pe) == LEDGER_OK &&
	             pe.action == LEDGER_OBJECT_READ &&
	             strcmp(pe.detail, "in a transaction") == 0 &&
	             ledger_entry(s, a.index + 1, e, &len) == LEDGER_OK &&
	             ledger_entry_parse(e, len, &pe) == LEDGER_OK &&
	             pe.action == LEDGER_OBJECT_DOWNLOAD,
	     "in order, as appended");
	T_OK(contract_reopen(&s) == 0 && ledger_len(s) == n0 + 2 && ledger_ok(s),
	     "after a reopen the ledger has them and verifies");
	store_close(&s);
}

/* ---- blob_claim: a pending blob claimed inside a transaction ---- */

struct claim_tx {
	store_id blob, stored;
	enum store_result r_claim, r_again, r_stored, result;
};

static enum store_result claim_fn(struct store *s, void *arg)
{
	struct claim_tx *a = arg;
	a->r_claim = s->be->blob_claim(s, a->blob);
	a->r_again = s->be->blob_claim(s, a->blob);
	a->r_stored = s->be->blob_claim(s, a->stored);
	return a->result;
}

static void test_blob_claim(void)
{
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return;
	store_id b = contract_blob(s, 81, 300000), m = contract_blob(s, 82, 10), src = 0, sub = 0;
	uint8_t lookup[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {8};
	memset(lookup, 0x81, sizeof lookup);
	lookup[0] = (uint8_t)contract_tag()[0];
	T_OK(store_source_create(s, lookup, pk, 100, &src) == STORE_OK &&
	             store_submission_commit(s, src, 100, "OFFICIAL", 0, m, NULL, 0, &sub) ==
	                     STORE_OK,
	     "a stored blob (a submission's message)");
	T_OK(s->be->blob_claim(s, b) == STORE_CORRUPT && contract_blob_is(s, b, 81, 300000),
	     "blob_claim outside a transaction: STORE_CORRUPT, the blob unchanged");
	struct claim_tx a = {.blob = b, .stored = m, .result = STORE_REFUSED};
	T_OK(store_write(s, &b, 1, claim_fn, &a) == STORE_REFUSED && a.r_claim == STORE_OK,
	     "blob_claim inside store_write, then refused");
	T_OK(a.r_again == STORE_NOT_FOUND && a.r_stored == STORE_NOT_FOUND,
	     "claiming it twice, or a stored blob: STORE_NOT_FOUND");
	T_OK(contract_blob_is(s, b, 81, 300000), "the refused transaction left it whole");
	a.result = STORE_OK;
	T_OK(store_write(s, &b, 1, claim_fn, &a) == STORE_OK && a.r_claim == STORE_OK &&
	             contract_blob_is(s, b, 81, 300000) &&
	             store_blob_append(s, b, (const uint8_t *)"x", 1) != STORE_OK,
	     "claimed again (so the refusal left it pending), committed: no more appends, whole");
	T_OK(store_blob_delete(s, b) == STORE_OK, "and deleted like any stored blob");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_tx");
	test_commit_and_rollback();
	test_failing_call();
	test_nested();
	test_deletes_undone();
	test_ledger_in_tx();
	test_blob_claim();
	return contract_done();
}
