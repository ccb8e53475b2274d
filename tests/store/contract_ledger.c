/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_ledger: the store contract (tests/store/README.md) for the
 * ledger's persistence (core/store/store_ledger.h), through its front
 * (store_ledger_append/view/checkpoint_add): the rows and hashes stored per
 * entry, the head and frontier, take and encode, scans, stored nodes, and
 * the checkpoint rules; and through the backend's rows (s->be->ledger):
 * what the front decides over them (a damaged head, a root the rows do not
 * give) and what a backend must do with them (one snapshot, all or none,
 * a taken index or size refused). The entries written are well-formed ledger entries
 * (core/ledger/ledger.h), so that ledger_verify holds on the same store.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "core/store/store_ledger.h"
#include "lib/merkle.h"
#include "t.h"
#include "contract.h"

#define ORIGIN "contract.test/cutout-ledger"

/* ---- the encoder: well-formed entries, and a record of every call ---- */

struct enc {
	size_t take_n; /* what take answers */
	int take_calls;
	size_t fail_k; /* the k whose encoding fails (SIZE_MAX: none) */
	int calls;
	uint64_t idx[64];
	uint8_t bytes[64][STORE_LEDGER_ENTRY_MAX];
	size_t len[64];
	int big; /* entries with every field at its longest */
};

static size_t enc_fn(void *ctx, size_t k, uint64_t index,
                     uint8_t out[static STORE_LEDGER_ENTRY_MAX])
{
	struct enc *e = ctx;
	char object[32], detail[LEDGER_DETAIL_MAX + 1], actor[LEDGER_TOKEN_MAX + 1];
	char marking[LEDGER_MARKING_MAX + 1];
	size_t len = 0;
	e->calls++;
	if (k < 64)
		e->idx[k] = index;
	if (k == e->fail_k)
		return 0;
	snprintf(object, sizeof object, "submission:%zu", k + 1);
	snprintf(detail, sizeof detail, "contract %s k=%zu", contract_tag(), k);
	struct ledger_event ev = {.action = LEDGER_OBJECT_READ,
	                          .actor = "system",
	                          .object = object,
	                          .detail = detail};
	if (e->big) {
		memset(actor, 'a', sizeof actor);
		memcpy(actor, "officer:", 8);
		actor[LEDGER_TOKEN_MAX] = '\0';
		memset(marking, 'M', sizeof marking);
		marking[LEDGER_MARKING_MAX] = '\0';
		memset(detail + strlen(detail), 'd', sizeof detail - strlen(detail));
		detail[LEDGER_DETAIL_MAX] = '\0';
		ev.actor = actor;
		ev.marking = marking;
	}
	if (ledger_entry_encode(&ev, index, 100, out, &len) != LEDGER_OK)
		return 0;
	if (k < 64) {
		memcpy(e->bytes[k], out, len);
		e->len[k] = len;
	}
	return len;
}

static size_t take_fn(void *ctx)
{
	struct enc *e = ctx;
	e->take_calls++;
	return e->take_n;
}

/* ---- a full check of one view against the stored rows ---- */

struct walk {
	struct merkle_tree_state t;
	uint64_t next, rows;
	int bad_order, bad_leaf, bad_len, bad_node;
	uint8_t put[MERKLE_LEVELS][MERKLE_HASH_LEN]; /* the nodes the last append completed */
	unsigned nput;
	const struct enc *e; /* the entries of [e_first, e_first + e_n) */
	uint64_t e_first;
	size_t e_n;
	int bad_bytes, seen_ours;
	/* results */
	uint64_t size;
	int frontier_ok, root_ok, proofs_ok, scan_rules_ok;
	enum store_result stop_r;
	int stop_calls;
};

static int put_fn(void *ctx, unsigned level, uint64_t index, const uint8_t hash[static 32])
{
	struct walk *w = ctx;
	if (level < MERKLE_LEVELS)
		memcpy(w->put[level], hash, MERKLE_HASH_LEN);
	w->nput = level + 1;
	return 0;
}

static enum store_result walk_row(void *ctx, const struct store_ledger_row *r)
{
	struct walk *w = ctx;
	uint8_t leaf[MERKLE_HASH_LEN];
	w->bad_order |= r->index != w->next;
	w->next = r->index + 1;
	w->rows++;
	merkle_leaf_hash(r->entry, r->entry_len, leaf);
	unsigned t = (unsigned)__builtin_ctzll(~r->index); /* trailing one bits */
	w->bad_len |= r->hashes_len != (size_t)(t + 1) * MERKLE_HASH_LEN;
	w->bad_leaf |= r->hashes_len < MERKLE_HASH_LEN || memcmp(r->hashes, leaf, MERKLE_HASH_LEN);
	w->nput = 0;
	if (merkle_append(&w->t, leaf, put_fn, w) != MERKLE_OK || w->nput != t + 1)
		w->bad_node = 1;
	for (unsigned L = 1; L <= t && !w->bad_len; L++)
		w->bad_node |= memcmp(r->hashes + (size_t)L * MERKLE_HASH_LEN, w->put[L],
		                      MERKLE_HASH_LEN) != 0;
	if (w->e && r->index >= w->e_first && r->index < w->e_first + w->e_n) {
		size_t k = (size_t)(r->index - w->e_first);
		w->seen_ours++;
		w->bad_bytes |= r->entry_len != w->e->len[k] ||
		                memcmp(r->entry, w->e->bytes[k], r->entry_len) != 0;
	}
	return STORE_OK;
}

static enum store_result stop_row(void *ctx, const struct store_ledger_row *r)
{
	struct walk *w = ctx;
	return ++w->stop_calls == 2 ? STORE_REFUSED : STORE_OK;
}

static enum store_result count_row(void *ctx, const struct store_ledger_row *r)
{
	(*(uint64_t *)ctx)++;
	return STORE_OK;
}

static enum store_result walk_view(void *ctx, const struct store_ledger_view *v)
{
	struct walk *w = ctx;
	uint8_t root[MERKLE_HASH_LEN], root2[MERKLE_HASH_LEN], h[MERKLE_HASH_LEN];
	w->size = v->size;
	merkle_tree_init(&w->t);
	enum store_result r = v->scan(v, 0, v->size, walk_row, w);
	if (r != STORE_OK)
		return r;
	/* the frontier: one hash per set bit of size, lowest level first */
	size_t k = 0;
	w->frontier_ok = v->frontier_len == (size_t)__builtin_popcountll(v->size) * MERKLE_HASH_LEN;
	for (unsigned L = 0; L < MERKLE_LEVELS && w->frontier_ok; L++)
		if (merkle_tree_node(&w->t, L, h) == 0)
			w->frontier_ok = memcmp(v->frontier + MERKLE_HASH_LEN * k++, h,
			                        MERKLE_HASH_LEN) == 0;
	/* the stored nodes give the root, and proofs that verify */
	merkle_root(&w->t, root);
	w->root_ok = merkle_root_at(v->size, v->get, v->get_ctx, root2) == MERKLE_OK &&
	             memcmp(root, root2, MERKLE_HASH_LEN) == 0;
	w->proofs_ok = 1;
	for (uint64_t i = 0; i < v->size && w->proofs_ok; i += 1 + i / 4) {
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], leaf[MERKLE_HASH_LEN];
		size_t n = 0;
		w->proofs_ok = v->get(v->get_ctx, 0, i, leaf) == 0 &&
		               merkle_inclusion_proof(i, v->size, v->get, v->get_ctx, proof, &n) ==
		                       MERKLE_OK &&
		               merkle_verify_inclusion(leaf, i, v->size,
		                                       (const uint8_t(*)[MERKLE_HASH_LEN])proof, n,
		                                       root) == MERKLE_OK;
	}
	/* scans: bounds, and an early stop that returns fn's result */
	uint64_t c1 = 0, c2 = 0, c3 = 0;
	w->scan_rules_ok =
	        v->scan(v, v->size, v->size + 5, count_row, &c1) == STORE_OK && c1 == 0 &&
	        v->scan(v, 1, 1, count_row, &c2) == STORE_OK && c2 == 0 &&
	        (v->size < 3 || (v->scan(v, 1, 3, count_row, &c3) == STORE_OK && c3 == 2));
	w->stop_r = v->size >= 3 ? v->scan(v, 0, v->size, stop_row, w) : STORE_REFUSED;
	return STORE_OK;
}

static int walk(struct store *s, struct walk *w)
{
	return store_ledger_view(s, walk_view, w) == STORE_OK;
}

static int walk_ok(const struct walk *w)
{
	return !w->bad_order && !w->bad_leaf && !w->bad_len && !w->bad_node && w->next == w->size &&
	       w->rows == w->size;
}

static enum store_result size_view(void *ctx, const struct store_ledger_view *v)
{
	*(uint64_t *)ctx = v->size;
	return STORE_OK;
}

static uint64_t size_of(struct store *s)
{
	uint64_t n = UINT64_MAX;
	return store_ledger_view(s, size_view, &n) == STORE_OK ? n : UINT64_MAX;
}

static enum store_result refuse_view(void *ctx, const struct store_ledger_view *v)
{
	return STORE_BUSY;
}

static void test_append_view(void)
{
	struct store *s = contract_open_fresh();
	struct enc e = {.fail_k = SIZE_MAX};
	struct walk w = {0};
	uint64_t first = UINT64_MAX;
	if (s == NULL)
		return;
	uint64_t s0 = size_of(s);
	T_OK(s0 != UINT64_MAX, "view gives the ledger's size");
	T_OK(store_ledger_view(s, refuse_view, NULL) == STORE_BUSY,
	     "view returns its function's result");
	T_OK(store_ledger_append(s, 3, NULL, enc_fn, &e, &first) == STORE_OK && first == s0,
	     "append of 3 entries: *first is the size before");
	T_OK(e.calls == 3 && e.idx[0] == s0 && e.idx[1] == s0 + 1 && e.idx[2] == s0 + 2,
	     "the encoder is asked for k = 0, 1, 2 with indexes first, first + 1, first + 2");
	T_OK(size_of(s) == s0 + 3, "the size grew by 3");
	/* more, so that nodes of several levels are stored */
	struct enc more = {.fail_k = SIZE_MAX};
	uint64_t f2 = 0;
	T_OK(store_ledger_append(s, 21, NULL, enc_fn, &more, &f2) == STORE_OK && f2 == s0 + 3,
	     "an append of 21 follows without gap");
	w.e = &more;
	w.e_first = f2;
	w.e_n = 21;
	T_OK(walk(s, &w) && walk_ok(&w) && w.size == s0 + 24,
	     "scan: every row in index order, no gap, each with its leaf hash and the nodes it "
	     "completed (levels 1..trailing ones of its index)");
	T_OK(w.seen_ours == 21 && !w.bad_bytes, "each entry is stored as encoded");
	T_OK(w.frontier_ok, "the head's frontier: the subtree roots of the size's set bits");
	T_OK(w.root_ok && w.proofs_ok, "get serves the stored nodes: root and inclusion proofs");
	T_OK(w.scan_rules_ok, "scan [from, to): only rows in range, none past the size");
	T_OK(w.stop_r == STORE_REFUSED && w.stop_calls == 2,
	     "scan stops at fn's first result other than STORE_OK, and returns it");

	/* a batch whose encoding fails is refused whole */
	uint64_t before = size_of(s);
	struct enc bad = {.fail_k = 1};
	T_OK(store_ledger_append(s, 3, NULL, enc_fn, &bad, &first) == STORE_CORRUPT,
	     "an entry that cannot be encoded: STORE_CORRUPT");
	T_OK(size_of(s) == before, "and nothing of the batch is written");
	/* take */
	struct enc t0 = {.fail_k = SIZE_MAX, .take_n = 0};
	T_OK(store_ledger_append(s, 5, take_fn, enc_fn, &t0, &first) == STORE_OK &&
	             t0.take_calls == 1 && t0.calls == 0 && size_of(s) == before,
	     "take answering 0: STORE_OK, nothing written, n ignored");
	struct enc t2 = {.fail_k = SIZE_MAX, .take_n = 2};
	T_OK(store_ledger_append(s, 99, take_fn, enc_fn, &t2, &first) == STORE_OK &&
	             t2.take_calls == 1 && t2.calls == 2 && first == before &&
	             size_of(s) == before + 2,
	     "take answering 2: take called once, 2 entries appended (n ignored)");
	/* the longest entries */
	struct enc big = {.fail_k = SIZE_MAX, .big = 1};
	T_OK(store_ledger_append(s, 2, NULL, enc_fn, &big, &first) == STORE_OK && big.len[0] > 800,
	     "entries of %zu bytes (every field at its longest)", big.len[0]);
	struct walk w2 = {.e = &big, .e_first = first, .e_n = 2};
	T_OK(walk(s, &w2) && walk_ok(&w2) && w2.seen_ours == 2 && !w2.bad_bytes,
	     "are stored whole");
	struct ledger_verify_report rep;
	T_OK(ledger_verify(s, NULL, &rep) == LEDGER_OK && rep.size == size_of(s),
	     "ledger_verify recomputes the same tree");
	uint64_t sz = size_of(s);
	struct walk w3 = {0};
	T_OK(contract_reopen(&s) == 0 && size_of(s) == sz && walk(s, &w3) && walk_ok(&w3) &&
	             w3.frontier_ok && w3.root_ok,
	     "after a reopen: the same rows, head and nodes");
	uint64_t idx = 0;
	struct ledger_event ev = {.action = LEDGER_SOURCE_CREATE, .actor = "system"};
	T_OK(ledger_append(s, &ev, &idx) == LEDGER_OK && idx == sz, "and appends go on from there");
	store_close(&s);
}

/* ---- checkpoints ---- */

struct cps {
	uint64_t size[16];
	uint8_t root[16][MERKLE_HASH_LEN];
	uint8_t note[16][STORE_LEDGER_NOTE_MAX];
	size_t note_len[16];
	int n;
	uint64_t want; /* root_view: the size whose root to compute */
	uint8_t want_root[MERKLE_HASH_LEN];
	int root_ok;
};

static enum store_result cp_row(void *ctx, const struct store_ledger_checkpoint *cp)
{
	struct cps *c = ctx;
	if (c->n < 16 && cp->note_len <= STORE_LEDGER_NOTE_MAX) {
		c->size[c->n] = cp->size;
		memcpy(c->root[c->n], cp->root, MERKLE_HASH_LEN);
		memcpy(c->note[c->n], cp->note, cp->note_len);
		c->note_len[c->n] = cp->note_len;
	}
	c->n++;
	return STORE_OK;
}

static enum store_result cps_view(void *ctx, const struct store_ledger_view *v)
{
	struct cps *c = ctx;
	c->n = 0;
	c->root_ok = merkle_root_at(c->want, v->get, v->get_ctx, c->want_root) == MERKLE_OK;
	return v->checkpoints(v, cp_row, c);
}

/* The root at size (from the stored nodes), into out; the checkpoints into c. */
static int root_at(struct store *s, uint64_t size, uint8_t out[MERKLE_HASH_LEN], struct cps *c)
{
	c->want = size;
	if (store_ledger_view(s, cps_view, c) != STORE_OK || !c->root_ok)
		return -1;
	memcpy(out, c->want_root, MERKLE_HASH_LEN);
	return 0;
}

/* A signed note for (size, root), as ledger_checkpoint_sign writes one. */
static size_t make_note(uint64_t size, const uint8_t root[MERKLE_HASH_LEN], const uint8_t sk[64],
                        uint8_t out[STORE_LEDGER_NOTE_MAX])
{
	struct ledger_checkpoint cp = {.origin = ORIGIN, .size = size};
	struct buf body;
	uint8_t sig[4 + LEDGER_SIG_LEN], pk[32];
	char sig64[sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL)];
	size_t n = 0;
	memcpy(cp.root, root, MERKLE_HASH_LEN);
	buf_init(&body, STORE_LEDGER_NOTE_MAX);
	if (ledger_checkpoint_body(&cp, &body) == LEDGER_OK) {
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		ledger_key_id(ORIGIN, pk, sig);
		crypto_sign_detached(sig + 4, NULL, body.data, body.len, sk);
		sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig,
		                  sodium_base64_VARIANT_ORIGINAL);
		int k = snprintf((char *)out, STORE_LEDGER_NOTE_MAX, "%.*s\n\xe2\x80\x94 %s %s\n",
		                 (int)body.len, (const char *)body.data, ORIGIN, sig64);
		n = k > 0 && k < STORE_LEDGER_NOTE_MAX ? (size_t)k : 0;
	}
	buf_release(&body);
	return n;
}

static void test_checkpoints(void)
{
	struct store *s = contract_open_fresh();
	static struct cps c;
	uint8_t pk[32], sk[64], tmp[MERKLE_HASH_LEN], r4[MERKLE_HASH_LEN], r6[MERKLE_HASH_LEN],
	        r9[MERKLE_HASH_LEN];
	uint8_t wrong[MERKLE_HASH_LEN], note[STORE_LEDGER_NOTE_MAX], note2[STORE_LEDGER_NOTE_MAX];
	static uint8_t huge[STORE_LEDGER_NOTE_MAX + 1];
	uint64_t first = 0;
	if (s == NULL)
		return;
	crypto_sign_keypair(pk, sk);
	struct enc e = {.fail_k = SIZE_MAX};
	uint64_t b = size_of(s); /* 0 in a fresh store */
	T_OK(store_ledger_append(s, 9, NULL, enc_fn, &e, &first) == STORE_OK &&
	             root_at(s, b + 4, r4, &c) == 0 && root_at(s, b + 6, r6, &c) == 0 &&
	             root_at(s, b + 9, r9, &c) == 0,
	     "a ledger of %llu entries and its roots at three sizes", (unsigned long long)(b + 9));
	int before = c.n;
	memcpy(wrong, r6, sizeof wrong);
	wrong[0] ^= 1;
	size_t n6 = make_note(b + 6, r6, sk, note);
	T_OK(store_ledger_checkpoint_add(s, b + 10, r9, note, n6) == STORE_CORRUPT,
	     "a checkpoint past the ledger's size: STORE_CORRUPT");
	T_OK(store_ledger_checkpoint_add(s, b + 6, wrong, note, n6) == STORE_CORRUPT,
	     "a checkpoint whose root the stored nodes do not give: STORE_CORRUPT");
	T_OK(store_ledger_checkpoint_add(s, b + 6, r6, huge, sizeof huge) == STORE_TOO_LARGE,
	     "a note over STORE_LEDGER_NOTE_MAX: STORE_TOO_LARGE");
	T_OK(store_ledger_checkpoint_add(s, b + 6, r6, note, 0) == STORE_TOO_LARGE,
	     "an empty note: STORE_TOO_LARGE");
	T_OK(root_at(s, b + 1, tmp, &c) == 0 && c.n == before, "none of them was stored");
	T_OK(n6 > 0 && store_ledger_checkpoint_add(s, b + 6, r6, note, n6) == STORE_OK,
	     "checkpoint_add at size %llu", (unsigned long long)(b + 6));
	T_OK(root_at(s, b + 1, tmp, &c) == 0 && c.n == before + 1 && c.size[c.n - 1] == b + 6 &&
	             memcmp(c.root[c.n - 1], r6, MERKLE_HASH_LEN) == 0 &&
	             c.note_len[c.n - 1] == n6 && memcmp(c.note[c.n - 1], note, n6) == 0,
	     "it is listed with its size, root and note as given");
	T_OK(store_ledger_checkpoint_add(s, b + 6, r6, note, n6) == STORE_EXISTS,
	     "the same size and root again: STORE_EXISTS");
	T_OK(store_ledger_checkpoint_add(s, b + 6, wrong, note, n6) == STORE_CORRUPT,
	     "the same size with another root: STORE_CORRUPT");
	size_t n4 = make_note(b + 4, r4, sk, note2);
	T_OK(store_ledger_checkpoint_add(s, b + 4, r4, note2, n4) == STORE_CORRUPT,
	     "a checkpoint smaller than a stored one: STORE_CORRUPT (even with the right root)");
	size_t n9 = make_note(b + 9, r9, sk, note2);
	T_OK(store_ledger_checkpoint_add(s, b + 9, r9, note2, n9) == STORE_OK,
	     "a larger checkpoint");
	T_OK(root_at(s, b + 1, tmp, &c) == 0 && c.n == before + 2 && c.size[c.n - 2] == b + 6 &&
	             c.size[c.n - 1] == b + 9,
	     "checkpoints are listed oldest (smallest) first");
	struct ledger_verify_report rep;
	T_OK(ledger_verify(s, pk, &rep) == LEDGER_OK && rep.checkpoints >= 2,
	     "ledger_verify checks them (roots and signatures)");
	T_OK(contract_reopen(&s) == 0 && root_at(s, b + 1, tmp, &c) == 0 && c.n == before + 2 &&
	             c.note_len[c.n - 1] == n9 && memcmp(c.note[c.n - 1], note2, n9) == 0,
	     "checkpoints survive a reopen");
	struct buf latest;
	buf_init(&latest, STORE_LEDGER_NOTE_MAX);
	T_OK(ledger_checkpoint_latest(s, &latest) == LEDGER_OK && latest.len == n9 &&
	             memcmp(latest.data, note2, n9) == 0,
	     "ledger_checkpoint_latest reads the largest");
	buf_release(&latest);
	store_close(&s);
}

/* ---- the backend's rows, and what the front decides over them ---- */

struct rows {
	struct store *s;
	enum store_result r_head;
	uint64_t size;
	uint8_t frontier[STORE_LEDGER_FRONTIER_MAX];
	size_t len;
	int hash_ok, hash_missing, hash_short, last_ok;
	uint64_t want; /* a row that exists */
	uint8_t leaf[MERKLE_HASH_LEN];
	uint64_t last_size, ncps;
};

static enum store_result count_cp(void *ctx, const struct store_ledger_checkpoint *cp)
{
	struct rows *w = ctx;
	w->ncps++;
	w->last_size = cp->size;
	return STORE_OK;
}

static enum store_result rows_rd(void *ctx, struct store_ledger_rd *rd)
{
	struct rows *w = ctx;
	const struct store_ledger_ops *o = w->s->be->ledger;
	uint8_t h[MERKLE_HASH_LEN];
	w->r_head = o->head(rd, &w->size, w->frontier, sizeof w->frontier, &w->len);
	w->hash_ok = o->hash(rd, w->want, 0, w->leaf) == 0;
	w->hash_missing = o->hash(rd, w->size + 1000, 0, h) != 0;
	/* an even index completes no node: its hashes are the leaf alone */
	w->hash_short = o->hash(rd, w->want & ~(uint64_t)1, 1, h) != 0;
	w->ncps = 0;
	enum store_result r = o->checkpoints(rd, true, count_cp, w);
	w->last_ok = r == STORE_OK && w->ncps <= 1;
	return STORE_OK;
}

static int rows_read(struct store *s, struct rows *w)
{
	w->s = s;
	return s->be->ledger->read(s, rows_rd, w) == STORE_OK;
}

struct put {
	uint64_t size;
	const uint8_t *frontier;
	size_t len;
	const struct store_ledger_row *rows;
	size_t nrows;
	enum store_result r_rows, r_after;
	uint64_t first;
};

static enum store_result head_tx(struct store *s, void *arg)
{
	struct put *p = arg;
	return s->be->ledger->head_put(s, p->size, p->frontier, p->len);
}

static enum store_result rows_tx(struct store *s, void *arg)
{
	struct put *p = arg;
	return s->be->ledger->rows_put(s, p->rows, p->nrows);
}

/* In one transaction: a failing rows_put, then an append that goes on. */
static enum store_result append_after_tx(struct store *s, void *arg)
{
	struct put *p = arg;
	struct enc e = {.fail_k = SIZE_MAX};
	p->r_rows = s->be->ledger->rows_put(s, p->rows, p->nrows);
	p->r_after = store_ledger_append(s, 1, NULL, enc_fn, &e, &p->first);
	return STORE_OK;
}

static enum store_result refused_tx(struct store *s, void *arg)
{
	struct put *p = arg;
	struct enc e = {.fail_k = SIZE_MAX};
	p->r_after = store_ledger_append(s, 2, NULL, enc_fn, &e, &p->first);
	return STORE_REFUSED;
}

static void test_rows(void)
{
	struct store *s = contract_open_fresh();
	struct rows w = {0}, w2 = {0};
	struct enc e = {.fail_k = SIZE_MAX};
	uint64_t first = 0, f2 = 0;
	uint8_t bad[STORE_LEDGER_FRONTIER_MAX] = {0}, root[MERKLE_HASH_LEN],
	        note[STORE_LEDGER_NOTE_MAX];
	uint8_t sk[64], pk[32];
	static struct cps c;
	if (s == NULL)
		return;
	crypto_sign_keypair(pk, sk);
	T_OK(store_ledger_append(s, 5, NULL, enc_fn, &e, &first) == STORE_OK,
	     "a ledger to work on");
	w.want = first + 2;
	T_OK(rows_read(s, &w) && w.r_head == STORE_OK && w.size == first + 5 &&
	             w.len == (size_t)__builtin_popcountll(w.size) * MERKLE_HASH_LEN,
	     "rows: head gives the size and the frontier bytes the front wrote");
	uint8_t leaf2[MERKLE_HASH_LEN];
	merkle_leaf_hash(e.bytes[2], e.len[2], leaf2);
	T_OK(w.hash_ok && memcmp(w.leaf, leaf2, MERKLE_HASH_LEN) == 0,
	     "rows: hash 0 of a row is the leaf hash of its entry");
	T_OK(w.hash_missing && w.hash_short,
	     "rows: hash of a missing row, or past a row's hashes, fails");
	T_OK(w.last_ok, "rows: checkpoints with last lists at most one");

	/* a row whose index is taken: STORE_EXISTS, and the transaction goes on */
	uint8_t h1[MERKLE_HASH_LEN] = {1};
	struct store_ledger_row dup[2] = {
	        {.index = first + 5,
	         .entry = e.bytes[0],
	         .entry_len = e.len[0],
	         .hashes = h1,
	         .hashes_len = MERKLE_HASH_LEN},
	        {.index = first,
	         .entry = e.bytes[0],
	         .entry_len = e.len[0],
	         .hashes = h1,
	         .hashes_len = MERKLE_HASH_LEN},
	};
	struct put p = {.rows = dup, .nrows = 2};
	T_OK(store_write(s, NULL, 0, rows_tx, &p) == STORE_EXISTS && size_of(s) == first + 5,
	     "rows_put with a taken index: STORE_EXISTS");
	T_OK(store_write(s, NULL, 0, append_after_tx, &p) == STORE_OK && p.r_rows == STORE_EXISTS &&
	             p.r_after == STORE_OK && p.first == first + 5,
	     "rows_put is all or none: none of the two rows stayed, an append in the same "
	     "transaction took the free index");
	struct ledger_verify_report rep;
	T_OK(ledger_verify(s, NULL, &rep) == LEDGER_OK, "and the ledger verifies");

	/* an append inside a refused transaction leaves nothing */
	uint64_t before = size_of(s);
	T_OK(store_write(s, NULL, 0, refused_tx, &p) == STORE_REFUSED && p.r_after == STORE_OK &&
	             p.first == before && size_of(s) == before,
	     "store_ledger_append joins the enclosing transaction: refused, nothing stays");

	/* a damaged head: the front refuses to append on it, or to read it */
	w.want = first;
	T_OK(rows_read(s, &w) && w.r_head == STORE_OK, "the head, kept to put it back");
	struct put dmg = {.size = w.size, .frontier = bad, .len = 1};
	T_OK(store_write(s, NULL, 0, head_tx, &dmg) == STORE_OK, "head_put stores any bytes");
	T_OK(store_ledger_append(s, 1, NULL, enc_fn, &e, &f2) == STORE_CORRUPT,
	     "a head whose frontier is not one hash per set bit of its size: append STORE_CORRUPT");
	T_OK(size_of(s) == UINT64_MAX, "and view STORE_CORRUPT");
	struct put fix = {.size = w.size, .frontier = w.frontier, .len = w.len};
	T_OK(store_write(s, NULL, 0, head_tx, &fix) == STORE_OK && size_of(s) == w.size &&
	             ledger_verify(s, NULL, &rep) == LEDGER_OK,
	     "the head put back: the ledger reads and verifies again");

	/* the checkpoint's root comes from the rows, not from the head */
	uint64_t sz = w.size;
	T_OK(root_at(s, sz, root, &c) == 0, "the root at %llu", (unsigned long long)sz);
	uint64_t longer = sz + 1 + (sz & 1); /* two set bits or more: any bytes of that length */
	struct put lie = {.size = longer,
	                  .frontier = bad,
	                  .len = (size_t)__builtin_popcountll(longer) * MERKLE_HASH_LEN};
	T_OK(lie.len <= sizeof bad && store_write(s, NULL, 0, head_tx, &lie) == STORE_OK,
	     "a head that claims %llu entries, with %llu stored", (unsigned long long)longer,
	     (unsigned long long)sz);
	size_t nl = make_note(longer, root, sk, note);
	T_OK(store_ledger_checkpoint_add(s, longer, root, note, nl) == STORE_CORRUPT,
	     "a checkpoint at a size whose rows are missing: STORE_CORRUPT");
	T_OK(store_write(s, NULL, 0, head_tx, &fix) == STORE_OK, "the head put back");
	size_t ns = make_note(sz, root, sk, note);
	T_OK(store_ledger_checkpoint_add(s, sz, root, note, ns) == STORE_OK,
	     "the checkpoint at the stored size is taken");
	w2.want = first;
	T_OK(rows_read(s, &w2) && w2.last_ok && w2.ncps == 1 && w2.last_size == sz,
	     "checkpoints with last gives the largest");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_ledger");
	test_append_view();
	test_checkpoints();
	test_rows();
	return contract_done();
}
