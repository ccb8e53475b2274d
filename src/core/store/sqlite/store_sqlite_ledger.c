/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_ledger: the ledger's tables in the SQLite store
 * (core/store/store_ledger.h says what is stored).
 *
 *   ledger_entry(idx, entry, hashes)     one row per entry; hashes = leaf hash
 *                                        || nodes of levels 1..ctz(idx + 1)
 *   ledger_head(id = 1, size, frontier)  the size and the frontier
 *   ledger_checkpoint(size, root, note)  the signed checkpoints
 *
 * An append costs one row read (the head), one row insert per entry and one
 * row update, inside the writer's group-committed transaction.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/store/store_ledger.h"
#include "core/store/sqlite/store_sqlite.h"
#include "lib/merkle.h"

#include "lib/banned.h"

static const char *const ledger_steps[] = {
        /* 1 */
        "CREATE TABLE ledger_entry(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL,"
        " hashes BLOB NOT NULL);"
        "CREATE TABLE ledger_head(id INTEGER PRIMARY KEY CHECK (id = 1),"
        " size INTEGER NOT NULL, frontier BLOB NOT NULL);"
        "CREATE TABLE ledger_checkpoint(size INTEGER PRIMARY KEY, root BLOB NOT NULL,"
        " note BLOB NOT NULL);",
};

const struct sq_schema_part sq_schema_ledger = {
        .name = "ledger",
        .steps = ledger_steps,
        .nsteps = (int)(sizeof(ledger_steps) / sizeof(ledger_steps[0])),
};

static const char q_head[] = "SELECT size, frontier FROM ledger_head WHERE id = 1";
static const char q_head_set[] =
        "INSERT INTO ledger_head(id, size, frontier) VALUES (1, ?1, ?2)"
        " ON CONFLICT(id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier";
static const char q_insert[] = "INSERT INTO ledger_entry(idx, entry, hashes) VALUES (?1, ?2, ?3)";
static const char q_node[] = "SELECT substr(hashes, ?2, 32) FROM ledger_entry WHERE idx = ?1";
static const char q_scan[] = "SELECT idx, entry, hashes FROM ledger_entry"
                             " WHERE idx >= ?1 AND idx < ?2 ORDER BY idx";
static const char q_cps[] = "SELECT size, root, note FROM ledger_checkpoint ORDER BY size";
static const char q_cp_last[] =
        "SELECT size, root FROM ledger_checkpoint ORDER BY size DESC LIMIT 1";
static const char q_cp_insert[] =
        "INSERT INTO ledger_checkpoint(size, root, note) VALUES (?1, ?2, ?3)";

#define FRONTIER_MAX (MERKLE_LEVELS * MERKLE_HASH_LEN)

struct head {
	uint64_t size;
	uint8_t frontier[FRONTIER_MAX];
	size_t frontier_len;
};

static unsigned popcount64(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

/* Reads the head (size 0 if there is none yet). */
static enum store_result head_read(struct conn *c, struct head *h)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, q_head, &st);
	if (r != STORE_OK)
		return r;
	h->size = 0;
	h->frontier_len = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t size = sqlite3_column_int64(st, 0);
		const void *f = sqlite3_column_blob(st, 1);
		int flen = sqlite3_column_bytes(st, 1);
		if (size < 0 || flen < 0 ||
		    (size_t)flen != (size_t)popcount64((uint64_t)size) * MERKLE_HASH_LEN) {
			r = STORE_CORRUPT;
		} else {
			h->size = (uint64_t)size;
			h->frontier_len = (size_t)flen;
			if (flen > 0)
				memcpy(h->frontier, f, (size_t)flen);
		}
	} else if (rc != SQLITE_DONE) {
		r = sq_map(rc);
	}
	sq_done(st);
	return r;
}

/* merkle_get_fn over a frontier blob: serves the frontier nodes of h->size. */
static int frontier_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	const struct head *h = ctx;
	if (level >= MERKLE_LEVELS || !((h->size >> level) & 1) || index != (h->size >> level) - 1)
		return -1;
	unsigned k = popcount64(h->size & ((UINT64_C(1) << level) - 1));
	memcpy(out, h->frontier + (size_t)k * MERKLE_HASH_LEN, MERKLE_HASH_LEN);
	return 0;
}

/* merkle_get_fn over the stored rows of connection ctx. */
static int node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct conn *c = ctx;
	if (level >= MERKLE_LEVELS - 1 || index >= (UINT64_C(1) << (63 - level)))
		return -1;
	uint64_t row = ((index + 1) << level) - 1; /* < 2^63 */
	sqlite3_stmt *st;
	if (sq_stmt(c, q_node, &st) != STORE_OK)
		return -1;
	int ok = -1;
	if (sqlite3_bind_int64(st, 1, (int64_t)row) == SQLITE_OK &&
	    sqlite3_bind_int(st, 2, (int)level * MERKLE_HASH_LEN + 1) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == MERKLE_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(st, 0), MERKLE_HASH_LEN);
		ok = 0;
	}
	sq_done(st);
	return ok;
}

/* ---- append ---- */

struct append_job {
	size_t n;
	store_ledger_take_fn take;
	store_ledger_encode_fn enc;
	void *ctx;
	uint64_t first;
};

struct collect {
	uint8_t hashes[MERKLE_LEVELS][MERKLE_HASH_LEN];
	unsigned n;
};

static int collect_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[static 32])
{
	struct collect *co = ctx;
	(void)index;
	if (level != co->n || co->n >= MERKLE_LEVELS)
		return -1;
	memcpy(co->hashes[co->n++], hash, MERKLE_HASH_LEN);
	return 0;
}

static enum store_result job_append(struct conn *c, void *arg)
{
	struct append_job *j = arg;
	struct head h;
	struct merkle_tree_state t;
	struct collect co;
	uint8_t entry[STORE_LEDGER_ENTRY_MAX];
	sqlite3_stmt *st = NULL;
	enum store_result r;

	if (j->take != NULL && (j->n = j->take(j->ctx)) == 0)
		return STORE_OK;
	if ((r = head_read(c, &h)) != STORE_OK)
		return r;
	if (merkle_tree_restore(&t, h.size, frontier_get, &h) != MERKLE_OK)
		return STORE_CORRUPT;
	if (h.size > (uint64_t)INT64_MAX - j->n)
		return STORE_TOO_LARGE;
	j->first = h.size;
	if ((r = sq_stmt(c, q_insert, &st)) != STORE_OK)
		return r;
	for (size_t k = 0; k < j->n; k++) {
		uint64_t idx = h.size + k;
		size_t len = j->enc(j->ctx, k, idx, entry);
		if (len == 0 || len > sizeof entry)
			return STORE_CORRUPT;
		uint8_t leaf[MERKLE_HASH_LEN];
		merkle_leaf_hash(entry, len, leaf);
		co.n = 0;
		if (merkle_append(&t, leaf, collect_put, &co) != MERKLE_OK)
			return STORE_CORRUPT;
		if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)idx))) != STORE_OK ||
		    (r = sq_bind(sqlite3_bind_blob(st, 2, entry, (int)len, SQLITE_STATIC))) !=
		            STORE_OK ||
		    (r = sq_bind(sqlite3_bind_blob(st, 3, co.hashes, (int)(co.n * MERKLE_HASH_LEN),
		                                   SQLITE_STATIC))) != STORE_OK) {
			sq_done(st);
			return r;
		}
		if ((r = sq_exec(st)) != STORE_OK)
			return r;
	}
	/* the new head */
	uint64_t size = merkle_tree_size(&t);
	h.frontier_len = 0;
	for (unsigned level = 0; level < MERKLE_LEVELS; level++)
		if (merkle_tree_node(&t, level, h.frontier + h.frontier_len) == 0)
			h.frontier_len += MERKLE_HASH_LEN;
	if ((r = sq_stmt(c, q_head_set, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)size))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 2, h.frontier, (int)h.frontier_len,
	                                   SQLITE_STATIC))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result sql_append(struct store *s, size_t n, store_ledger_take_fn take,
                                    store_ledger_encode_fn enc, void *ctx, uint64_t *first)
{
	struct append_job j = {.n = n, .take = take, .enc = enc, .ctx = ctx};
	if (n == 0 && take == NULL)
		return STORE_CORRUPT;
	enum store_result r = sq_write(s, true, job_append, &j);
	if (r == STORE_OK)
		*first = j.first;
	return r;
}

/* ---- the read view ---- */

static enum store_result view_scan(const struct store_ledger_view *v, uint64_t from, uint64_t to,
                                   store_ledger_row_fn fn, void *ctx)
{
	struct conn *c = v->impl;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, q_scan, &st);
	if (r != STORE_OK)
		return r;
	if (from > INT64_MAX)
		from = INT64_MAX;
	if (to > INT64_MAX)
		to = INT64_MAX;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)from))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, (int64_t)to))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ledger_row row;
		int64_t idx = sqlite3_column_int64(st, 0);
		row.index = (uint64_t)idx;
		row.entry = sqlite3_column_blob(st, 1);
		row.entry_len = (size_t)sqlite3_column_bytes(st, 1);
		row.hashes = sqlite3_column_blob(st, 2);
		row.hashes_len = (size_t)sqlite3_column_bytes(st, 2);
		if (idx < 0 || sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		    sqlite3_column_type(st, 2) != SQLITE_BLOB) {
			/* a damaged row: hand it over as empty so the caller locates it */
			row.entry = NULL;
			row.entry_len = 0;
			row.hashes = NULL;
			row.hashes_len = 0;
		}
		if ((r = fn(ctx, &row)) != STORE_OK) {
			sq_done(st);
			return r;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result view_checkpoints(const struct store_ledger_view *v, store_ledger_cp_fn fn,
                                          void *ctx)
{
	struct conn *c = v->impl;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, q_cps, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ledger_checkpoint cp;
		int64_t size = sqlite3_column_int64(st, 0);
		memset(cp.root, 0, sizeof cp.root);
		if (size >= 0 && sqlite3_column_bytes(st, 1) == MERKLE_HASH_LEN)
			memcpy(cp.root, sqlite3_column_blob(st, 1), MERKLE_HASH_LEN);
		cp.size = size < 0 ? 0 : (uint64_t)size;
		cp.note = sqlite3_column_blob(st, 2);
		cp.note_len = (size_t)sqlite3_column_bytes(st, 2);
		if ((r = fn(ctx, &cp)) != STORE_OK) {
			sq_done(st);
			return r;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
	sq_done(st);
	return r;
}

struct view_job {
	store_ledger_view_fn fn;
	void *ctx;
	struct head h;
	struct conn *c;
};

/* The head's frontier first (the right edge of the current tree), else the rows. */
static int view_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct view_job *j = ctx;
	if (frontier_get(&j->h, level, index, out) == 0)
		return 0;
	return node_get(j->c, level, index, out);
}

static enum store_result job_view(struct conn *c, void *arg)
{
	struct view_job *j = arg;
	enum store_result r = head_read(c, &j->h);
	if (r != STORE_OK)
		return r;
	j->c = c;
	struct store_ledger_view v = {
	        .size = j->h.size,
	        .frontier = j->h.frontier,
	        .frontier_len = j->h.frontier_len,
	        .get = view_get,
	        .get_ctx = j,
	        .scan = view_scan,
	        .checkpoints = view_checkpoints,
	        .impl = c,
	};
	return j->fn(j->ctx, &v);
}

static enum store_result sql_view(struct store *s, store_ledger_view_fn fn, void *ctx)
{
	struct view_job *j = malloc(sizeof *j);
	if (j == NULL)
		return STORE_NOMEM;
	j->fn = fn;
	j->ctx = ctx;
	enum store_result r = sq_read(s, job_view, j);
	free(j);
	return r;
}

/* ---- checkpoints ---- */

struct cp_job {
	uint64_t size;
	const uint8_t *root;
	const uint8_t *note;
	size_t note_len;
};

static enum store_result job_checkpoint(struct conn *c, void *arg)
{
	struct cp_job *j = arg;
	struct head h;
	sqlite3_stmt *st;
	uint8_t root[MERKLE_HASH_LEN];
	enum store_result r = head_read(c, &h);
	if (r != STORE_OK)
		return r;
	if (j->size > h.size || j->size > INT64_MAX)
		return STORE_CORRUPT;
	if (merkle_root_at(j->size, node_get, c, root) != MERKLE_OK ||
	    memcmp(root, j->root, MERKLE_HASH_LEN) != 0)
		return STORE_CORRUPT;
	if ((r = sq_stmt(c, q_cp_last, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t last = sqlite3_column_int64(st, 0);
		bool same_root = sqlite3_column_bytes(st, 1) == MERKLE_HASH_LEN &&
		                 memcmp(sqlite3_column_blob(st, 1), j->root, MERKLE_HASH_LEN) == 0;
		if (last > (int64_t)j->size)
			r = STORE_CORRUPT;
		else if (last == (int64_t)j->size)
			r = same_root ? STORE_EXISTS : STORE_CORRUPT;
	} else if (rc != SQLITE_DONE) {
		r = sq_map(rc);
	}
	sq_done(st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_stmt(c, q_cp_insert, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)j->size))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 2, j->root, MERKLE_HASH_LEN, SQLITE_STATIC))) !=
	            STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 3, j->note, (int)j->note_len, SQLITE_STATIC))) !=
	            STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result sql_checkpoint_add(struct store *s, uint64_t size,
                                            const uint8_t root[static MERKLE_HASH_LEN],
                                            const uint8_t *note, size_t note_len)
{
	if (note_len == 0 || note_len > STORE_LEDGER_NOTE_MAX)
		return STORE_TOO_LARGE;
	struct cp_job j = {.size = size, .root = root, .note = note, .note_len = note_len};
	return sq_write(s, true, job_checkpoint, &j);
}

const struct store_ledger_ops store_ledger_sqlite = {
        .append = sql_append,
        .view = sql_view,
        .checkpoint_add = sql_checkpoint_add,
};
