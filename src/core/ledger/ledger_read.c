/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_read: the ledger's reads (core/ledger/ledger.h): its size, entries,
 * roots and proofs, each from one snapshot of the store (store_ledger_view),
 * proofs through the store's node cache.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/ledger/ledger_internal.h"
#include "core/store/store_ledger.h"
#include "lib/merkle.h"
#include "lib/merkle_cache.h"

#include "lib/banned.h"

/* ---- reads ---- */

static enum store_result size_view(void *ctx, const struct store_ledger_view *v)
{
	*(uint64_t *)ctx = v->size;
	return STORE_OK;
}

enum ledger_result ledger_size(struct store *s, uint64_t *size)
{
	*size = 0;
	return ledger_from_store(store_ledger_view(s, size_view, size));
}

struct entries_ctx {
	uint64_t next;
	int (*fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len);
	void *ctx;
	uint64_t from, to;
	bool stopped;
};

static enum store_result entries_row(void *ctx, const struct store_ledger_row *r)
{
	struct entries_ctx *e = ctx;
	if (r->index != e->next)
		return STORE_CORRUPT; /* a gap: ledger_verify says where */
	e->next++;
	if (e->fn(e->ctx, r->index, r->entry, r->entry_len) != 0) {
		e->stopped = true;
		return STORE_STOP;
	}
	return STORE_OK;
}

static enum store_result entries_view(void *ctx, const struct store_ledger_view *v)
{
	struct entries_ctx *e = ctx;
	if (e->from >= v->size || e->to > v->size || e->from >= e->to)
		return STORE_NOT_FOUND;
	return v->scan(v, e->from, e->to, entries_row, e);
}

enum ledger_result
ledger_entries(struct store *s, uint64_t from, uint64_t to,
               int (*fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len), void *ctx)
{
	struct entries_ctx e = {.next = from, .fn = fn, .ctx = ctx, .from = from, .to = to};
	enum store_result r = store_ledger_view(s, entries_view, &e);
	if (r == STORE_STOP)
		return LEDGER_OK;
	if (r == STORE_NOT_FOUND)
		return LEDGER_RANGE;
	if (r == STORE_OK && !e.stopped && e.next != to)
		return LEDGER_TAMPERED; /* rows missing */
	return ledger_from_store(r);
}

struct one_entry {
	uint8_t *out;
	size_t len;
};

static int copy_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct one_entry *o = ctx;
	(void)index;
	if (len > LEDGER_ENTRY_MAX)
		return 1;
	if (len > 0)
		memcpy(o->out, entry, len);
	o->len = len;
	return 0;
}

enum ledger_result ledger_entry(struct store *s, uint64_t index,
                                uint8_t out[static LEDGER_ENTRY_MAX], size_t *len)
{
	struct one_entry o = {.out = out, .len = SIZE_MAX};
	*len = 0;
	if (index == UINT64_MAX)
		return LEDGER_RANGE;
	enum ledger_result r = ledger_entries(s, index, index + 1, copy_entry, &o);
	if (r == LEDGER_OK && o.len == SIZE_MAX)
		return LEDGER_TAMPERED;
	if (r == LEDGER_OK)
		*len = o.len;
	return r;
}

/* ---- roots and proofs ---- */

struct prove {
	int kind; /* 0 root, 1 inclusion, 2 consistency */
	uint64_t a, b;
	uint8_t (*proof)[MERKLE_HASH_LEN];
	size_t *n;
	uint8_t *root_a, *root_b;
	enum merkle_result mr;
	struct merkle_cache *nodes;
	uint8_t *entry; /* inclusion: also the entry, from the same snapshot */
	size_t entry_len;
};

/*
 * Proofs and roots read their nodes through the store's node cache: a node of
 * a perfect subtree never changes, and the upper levels are on every path.
 * Levels below NODES_MIN_LEVEL are always read from the store (there are too
 * many of them to keep); NODES_SLOTS slots take about 3 MiB, made at the
 * first proof. Verification and checkpoint signing never use the cache.
 */
#define NODES_MIN_LEVEL 8
#define NODES_SLOTS (UINT64_C(1) << 17)

/*
 * An inclusion proof's lowest levels are the siblings next to its leaf, all
 * stored in the rows of the leaf's aligned block of WIN rows. One scan of that
 * block serves them (and the entry) instead of one lookup each.
 */
#define WIN 16       /* rows */
#define WIN_LEVELS 4 /* levels 0..3: the subtrees inside a block of 16 */

struct cached {
	merkle_get_fn get;
	void *ctx;
	struct merkle_cache *nodes;
	uint64_t win_lo;    /* the block's first row */
	uint8_t win_n[WIN]; /* levels held per row (0: row not read) */
	uint8_t win[WIN][WIN_LEVELS][MERKLE_HASH_LEN];
};

static int cached_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct cached *g = ctx;
	if (level < WIN_LEVELS) {
		uint64_t row = ((index + 1) << level) - 1; /* node (level, index) lives there */
		if (row >= g->win_lo && row - g->win_lo < WIN &&
		    g->win_n[row - g->win_lo] > level) {
			memcpy(out, g->win[row - g->win_lo][level], MERKLE_HASH_LEN);
			return 0;
		}
	}
	if (merkle_cache_get(g->nodes, level, index, out) == 0)
		return 0;
	if (g->get(g->ctx, level, index, out) != 0)
		return -1;
	merkle_cache_put(g->nodes, level, index, out);
	return 0;
}

/* The store's node cache, made once (NULL if memory is short: then no cache). */
static struct merkle_cache *nodes_of(struct store *s)
{
	struct merkle_cache *c = __atomic_load_n(&s->ledger_nodes, __ATOMIC_ACQUIRE);
	if (c != NULL)
		return c;
	struct merkle_cache *fresh = merkle_cache_new(NODES_MIN_LEVEL, NODES_SLOTS);
	if (fresh == NULL)
		return NULL;
	if (__atomic_compare_exchange_n(&s->ledger_nodes, &c, fresh, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		return fresh;
	merkle_cache_free(fresh); /* another thread made it first: c is theirs */
	return c;
}

struct window {
	struct prove *p;
	struct cached *g;
};

/* A row of the leaf's block: its lowest hashes, and the entry if it is the leaf's. */
static enum store_result window_row(void *ctx, const struct store_ledger_row *r)
{
	struct window *w = ctx;
	struct cached *g = w->g;
	if (r->index < g->win_lo || r->index - g->win_lo >= WIN)
		return STORE_CORRUPT;
	size_t k = (size_t)(r->index - g->win_lo);
	if (r->hashes != NULL && r->hashes_len % MERKLE_HASH_LEN == 0) {
		size_t n = r->hashes_len / MERKLE_HASH_LEN;
		if (n > WIN_LEVELS)
			n = WIN_LEVELS;
		memcpy(g->win[k], r->hashes, n * MERKLE_HASH_LEN);
		g->win_n[k] = (uint8_t)n;
	}
	struct prove *p = w->p;
	if (p->entry != NULL && r->index == p->a) {
		if (r->entry == NULL || r->entry_len > LEDGER_ENTRY_MAX)
			return STORE_CORRUPT;
		memcpy(p->entry, r->entry, r->entry_len);
		p->entry_len = r->entry_len;
	}
	return STORE_OK;
}

static enum store_result prove_view(void *ctx, const struct store_ledger_view *v)
{
	struct prove *p = ctx;
	uint64_t size = p->kind == 0 ? p->a : p->b;
	if (size > v->size)
		return STORE_NOT_FOUND;
	struct cached g = {.get = v->get, .ctx = v->get_ctx, .nodes = p->nodes};
	switch (p->kind) {
	case 0:
		p->mr = merkle_root_at(p->a, cached_get, &g, p->root_a);
		break;
	case 1:
		if (p->a < p->b) {
			/* rows past the tree of size b are not read: their nodes are not its */
			struct window w = {.p = p, .g = &g};
			g.win_lo = p->a & ~(uint64_t)(WIN - 1);
			uint64_t hi = p->b - g.win_lo < WIN ? p->b : g.win_lo + WIN;
			p->entry_len = SIZE_MAX;
			enum store_result r = v->scan(v, g.win_lo, hi, window_row, &w);
			if (r == STORE_OK && p->entry != NULL && p->entry_len == SIZE_MAX)
				r = STORE_CORRUPT; /* the row is missing */
			if (r != STORE_OK)
				return r;
		}
		p->mr = merkle_inclusion_proof(p->a, p->b, cached_get, &g, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, cached_get, &g, p->root_b);
		break;
	default:
		p->mr = merkle_consistency_proof(p->a, p->b, cached_get, &g, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->a, cached_get, &g, p->root_a);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, cached_get, &g, p->root_b);
	}
	return STORE_OK;
}

static enum ledger_result prove(struct store *s, struct prove *p)
{
	p->nodes = nodes_of(s);
	enum store_result r = store_ledger_view(s, prove_view, p);
	if (r == STORE_NOT_FOUND)
		return LEDGER_RANGE;
	if (r != STORE_OK)
		return ledger_from_store(r);
	switch (p->mr) {
	case MERKLE_OK:
		return LEDGER_OK;
	case MERKLE_RANGE:
		return LEDGER_RANGE;
	case MERKLE_SOURCE:
		return LEDGER_TAMPERED; /* a stored node is missing or damaged */
	default:
		return LEDGER_FAILED;
	}
}

enum ledger_result ledger_root(struct store *s, uint64_t size, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 0, .a = size, .root_a = root};
	return prove(s, &p);
}

enum ledger_result ledger_prove_inclusion(struct store *s, uint64_t index, uint64_t size,
                                          uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                          size_t *n, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 1, .a = index, .b = size, .proof = proof, .n = n, .root_b = root};
	*n = 0;
	return prove(s, &p);
}

enum ledger_result ledger_prove_entry(struct store *s, uint64_t index, uint64_t size,
                                      uint8_t entry[static LEDGER_ENTRY_MAX], size_t *len,
                                      uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                      size_t *n, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 1,
	                  .a = index,
	                  .b = size,
	                  .proof = proof,
	                  .n = n,
	                  .root_b = root,
	                  .entry = entry};
	*n = 0;
	*len = 0;
	if (index >= size)
		return LEDGER_RANGE;
	enum ledger_result r = prove(s, &p);
	if (r == LEDGER_OK)
		*len = p.entry_len;
	return r;
}

enum ledger_result ledger_prove_consistency(struct store *s, uint64_t old_size, uint64_t new_size,
                                            uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                            size_t *n, uint8_t old_root[static MERKLE_HASH_LEN],
                                            uint8_t new_root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 2,
	                  .a = old_size,
	                  .b = new_size,
	                  .proof = proof,
	                  .n = n,
	                  .root_a = old_root,
	                  .root_b = new_root};
	*n = 0;
	return prove(s, &p);
}
