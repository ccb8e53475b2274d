/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_ledger: the ledger's front (core/store/store_ledger.h), shared by
 * every backend. It does the Merkle work (lib/merkle.h) and the checks over
 * the backend's rows (s->be->ledger): the head's shape, the leaf and node
 * hashes of each appended entry and where they are kept, the new frontier,
 * and the rules of a checkpoint. Writes run inside store_write, so that an
 * append made inside a caller's transaction joins it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_ledger.h"
#include "lib/merkle.h"

#include "lib/banned.h"

#define ROWS_CHUNK 64 /* rows encoded before they are handed to the backend at once */

static const struct store_ledger_ops *ops(struct store *s)
{
	return s->be->ledger;
}

/* ---- the head ---- */

struct head {
	uint64_t size;
	uint8_t frontier[STORE_LEDGER_FRONTIER_MAX];
	size_t frontier_len;
};

static size_t frontier_len_of(uint64_t size)
{
	return (size_t)__builtin_popcountll(size) * MERKLE_HASH_LEN;
}

/* Reads the head (size 0 if there is none yet) and checks its shape. */
static enum store_result head_read(const struct store_ledger_ops *o, struct store_ledger_rd *rd,
                                   struct head *h)
{
	enum store_result r =
	        o->head(rd, &h->size, h->frontier, sizeof h->frontier, &h->frontier_len);
	if (r == STORE_NOT_FOUND) {
		h->size = 0;
		h->frontier_len = 0;
		return STORE_OK;
	}
	if (r != STORE_OK)
		return r;
	if (h->size > INT64_MAX || h->frontier_len != frontier_len_of(h->size))
		return STORE_CORRUPT;
	return STORE_OK;
}

/* merkle_get_fn over the head: serves the frontier nodes of h->size. */
static int frontier_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	const struct head *h = ctx;
	if (level >= MERKLE_LEVELS || !((h->size >> level) & 1) || index != (h->size >> level) - 1)
		return -1;
	size_t k = frontier_len_of(h->size & ((UINT64_C(1) << level) - 1));
	memcpy(out, h->frontier + k, MERKLE_HASH_LEN);
	return 0;
}

/* Where node (level, index) is kept: hash `level` of the row that completed it. */
struct rows_ctx {
	const struct store_ledger_ops *ops;
	struct store_ledger_rd *rd;
};

static int node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	const struct rows_ctx *rc = ctx;
	if (level >= MERKLE_LEVELS - 1 || index >= (UINT64_C(1) << (63 - level)))
		return -1;
	uint64_t row = ((index + 1) << level) - 1; /* < 2^63 */
	return rc->ops->hash(rc->rd, row, level, out);
}

/* ---- append ---- */

struct slot {
	uint8_t entry[STORE_LEDGER_ENTRY_MAX];
	uint8_t hashes[MERKLE_LEVELS][MERKLE_HASH_LEN];
	unsigned nhashes;
};

struct append_job {
	struct store *s;
	size_t n;
	store_ledger_take_fn take;
	store_ledger_encode_fn enc;
	void *ctx;
	uint64_t first;
};

/* merkle_put_fn: the leaf, then the nodes the append completed, level by level. */
static int collect_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[static 32])
{
	struct slot *sl = ctx;
	(void)index;
	if (level != sl->nhashes || sl->nhashes >= MERKLE_LEVELS)
		return -1;
	memcpy(sl->hashes[sl->nhashes++], hash, MERKLE_HASH_LEN);
	return 0;
}

/* Encodes, hashes and inserts the batch, ROWS_CHUNK rows at a time; then the new head. */
static enum store_result append_rows(struct append_job *j, struct head *h,
                                     struct merkle_tree_state *t)
{
	const struct store_ledger_ops *o = ops(j->s);
	size_t cap = j->n < ROWS_CHUNK ? j->n : ROWS_CHUNK;
	struct slot *slots = malloc(cap * sizeof *slots); /* cap <= ROWS_CHUNK: no overflow */
	struct store_ledger_row rows[ROWS_CHUNK];
	enum store_result r = STORE_OK;
	if (slots == NULL)
		return STORE_NOMEM;
	for (size_t done = 0; done < j->n && r == STORE_OK;) {
		size_t m = j->n - done < cap ? j->n - done : cap;
		for (size_t k = 0; k < m; k++) {
			uint64_t idx = h->size + done + k;
			struct slot *sl = &slots[k];
			size_t len = j->enc(j->ctx, done + k, idx, sl->entry);
			uint8_t leaf[MERKLE_HASH_LEN];
			if (len == 0 || len > sizeof sl->entry) {
				r = STORE_CORRUPT;
				break;
			}
			merkle_leaf_hash(sl->entry, len, leaf);
			sl->nhashes = 0;
			if (merkle_append(t, leaf, collect_put, sl) != MERKLE_OK) {
				r = STORE_CORRUPT;
				break;
			}
			rows[k] = (struct store_ledger_row){
			        .index = idx,
			        .entry = sl->entry,
			        .entry_len = len,
			        .hashes = sl->hashes[0],
			        .hashes_len = (size_t)sl->nhashes * MERKLE_HASH_LEN,
			};
		}
		if (r == STORE_OK)
			r = o->rows_put(j->s, rows, m);
		done += m;
	}
	free(slots);
	if (r != STORE_OK)
		return r;
	uint64_t size = merkle_tree_size(t);
	h->frontier_len = 0;
	for (unsigned level = 0; level < MERKLE_LEVELS; level++)
		if (merkle_tree_node(t, level, h->frontier + h->frontier_len) == 0)
			h->frontier_len += MERKLE_HASH_LEN;
	return o->head_put(j->s, size, h->frontier, h->frontier_len);
}

/* In the transaction, with its read handle: the head, then the rows. */
static enum store_result append_rd(void *arg, struct store_ledger_rd *rd)
{
	struct append_job *j = arg;
	struct head h;
	struct merkle_tree_state t;
	enum store_result r;
	if (j->take != NULL && (j->n = j->take(j->ctx)) == 0)
		return STORE_OK;
	if ((r = head_read(ops(j->s), rd, &h)) != STORE_OK)
		return r;
	if (merkle_tree_restore(&t, h.size, frontier_get, &h) != MERKLE_OK)
		return STORE_CORRUPT;
	if (j->n > (uint64_t)INT64_MAX - h.size)
		return STORE_TOO_LARGE;
	j->first = h.size;
	return append_rows(j, &h, &t);
}

static enum store_result append_tx(struct store *s, void *arg)
{
	return ops(s)->read(s, append_rd, arg);
}

enum store_result store_ledger_append(struct store *s, size_t n, store_ledger_take_fn take,
                                      store_ledger_encode_fn enc, void *ctx, uint64_t *first)
{
	struct append_job j = {.s = s, .n = n, .take = take, .enc = enc, .ctx = ctx};
	if (ops(s) == NULL)
		return STORE_UNSUPPORTED;
	if (n == 0 && take == NULL)
		return STORE_CORRUPT;
	enum store_result r = store_write(s, NULL, 0, append_tx, &j);
	if (r == STORE_OK)
		*first = j.first;
	return r;
}

/* ---- the read view ---- */

struct view_job {
	store_ledger_view_fn fn;
	void *ctx;
	struct head h;
	struct rows_ctx rows;
};

/* The head's frontier first (the right edge of the current tree), else the rows. */
static int view_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct view_job *j = ctx;
	if (frontier_get(&j->h, level, index, out) == 0)
		return 0;
	return node_get(&j->rows, level, index, out);
}

static enum store_result view_scan(const struct store_ledger_view *v, uint64_t from, uint64_t to,
                                   store_ledger_row_fn fn, void *ctx)
{
	const struct view_job *j = v->impl;
	return j->rows.ops->scan(j->rows.rd, from, to, fn, ctx);
}

static enum store_result view_checkpoints(const struct store_ledger_view *v, store_ledger_cp_fn fn,
                                          void *ctx)
{
	const struct view_job *j = v->impl;
	return j->rows.ops->checkpoints(j->rows.rd, false, fn, ctx);
}

static enum store_result view_rd(void *arg, struct store_ledger_rd *rd)
{
	struct view_job *j = arg;
	j->rows.rd = rd;
	enum store_result r = head_read(j->rows.ops, rd, &j->h);
	if (r != STORE_OK)
		return r;
	struct store_ledger_view v = {
	        .size = j->h.size,
	        .frontier = j->h.frontier,
	        .frontier_len = j->h.frontier_len,
	        .get = view_get,
	        .get_ctx = j,
	        .scan = view_scan,
	        .checkpoints = view_checkpoints,
	        .impl = j,
	};
	return j->fn(j->ctx, &v);
}

enum store_result store_ledger_view(struct store *s, store_ledger_view_fn fn, void *ctx)
{
	if (ops(s) == NULL)
		return STORE_UNSUPPORTED;
	struct view_job *j = malloc(sizeof *j);
	if (j == NULL)
		return STORE_NOMEM;
	j->fn = fn;
	j->ctx = ctx;
	j->rows.ops = ops(s);
	enum store_result r = ops(s)->read(s, view_rd, j);
	free(j);
	return r;
}

/* ---- checkpoints ---- */

struct cp_job {
	struct store *s;
	uint64_t size;
	const uint8_t *root;
	const uint8_t *note;
	size_t note_len;
	bool have_last;
	uint64_t last_size;
	uint8_t last_root[MERKLE_HASH_LEN];
};

static enum store_result last_cp(void *ctx, const struct store_ledger_checkpoint *cp)
{
	struct cp_job *j = ctx;
	j->have_last = true;
	j->last_size = cp->size;
	memcpy(j->last_root, cp->root, MERKLE_HASH_LEN);
	return STORE_OK;
}

static enum store_result checkpoint_rd(void *arg, struct store_ledger_rd *rd)
{
	struct cp_job *j = arg;
	const struct store_ledger_ops *o = ops(j->s);
	struct rows_ctx rows = {.ops = o, .rd = rd};
	struct head h;
	uint8_t root[MERKLE_HASH_LEN];
	enum store_result r = head_read(o, rd, &h);
	if (r != STORE_OK)
		return r;
	if (j->size > h.size)
		return STORE_CORRUPT;
	if (merkle_root_at(j->size, node_get, &rows, root) != MERKLE_OK ||
	    memcmp(root, j->root, MERKLE_HASH_LEN) != 0)
		return STORE_CORRUPT;
	if ((r = o->checkpoints(rd, true, last_cp, j)) != STORE_OK)
		return r;
	if (j->have_last && j->last_size > j->size)
		return STORE_CORRUPT;
	if (j->have_last && j->last_size == j->size)
		return memcmp(j->last_root, j->root, MERKLE_HASH_LEN) == 0 ? STORE_EXISTS
		                                                           : STORE_CORRUPT;
	return o->checkpoint_put(j->s, j->size, j->root, j->note, j->note_len);
}

static enum store_result checkpoint_tx(struct store *s, void *arg)
{
	return ops(s)->read(s, checkpoint_rd, arg);
}

enum store_result store_ledger_checkpoint_add(struct store *s, uint64_t size,
                                              const uint8_t root[static MERKLE_HASH_LEN],
                                              const uint8_t *note, size_t note_len)
{
	if (ops(s) == NULL)
		return STORE_UNSUPPORTED;
	if (note == NULL || note_len == 0 || note_len > STORE_LEDGER_NOTE_MAX)
		return STORE_TOO_LARGE;
	struct cp_job j = {.s = s, .size = size, .root = root, .note = note, .note_len = note_len};
	return store_write(s, NULL, 0, checkpoint_tx, &j);
}
