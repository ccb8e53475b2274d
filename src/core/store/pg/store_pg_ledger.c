/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_ledger: the ledger's rows in the PostgreSQL store
 * (core/store/store_ledger.h says what is stored; its front computes the
 * hashes and checks the head and checkpoints: this file only stores and
 * reads rows).
 *
 *   ledger_entry(idx, entry, hashes)     one row per entry; hashes = leaf hash
 *                                        || nodes of levels 1..ctz(idx + 1)
 *   ledger_head(id = 1, size, frontier)  the size and the frontier
 *   ledger_checkpoint(size, root, note)  the signed checkpoints
 *
 * One order across nodes: a read inside a write transaction (the front's
 * append and checkpoint read the head there) first takes the ledger's
 * advisory transaction lock, so appenders of every node and process queue
 * on it and each reads the head the one before committed (READ COMMITTED: a
 * statement after the lock sees every transaction committed before it). No
 * gap, no duplicate (the index is the primary key besides), and each action
 * commits with its entries.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_ledger.h"

#include "lib/banned.h"

/* Rows fetched per round trip by a scan (each at most ~3 KiB). */
#define SCAN_BATCH 512

static const char *const ledger_steps[] = {
        /* 1 */
        "CREATE TABLE ledger_entry(idx bigint PRIMARY KEY CHECK (idx >= 0),"
        " entry bytea NOT NULL, hashes bytea NOT NULL);"
        "CREATE TABLE ledger_head(id integer PRIMARY KEY CHECK (id = 1),"
        " size bigint NOT NULL, frontier bytea NOT NULL);"
        "CREATE TABLE ledger_checkpoint(size bigint PRIMARY KEY, root bytea NOT NULL,"
        " note bytea NOT NULL);",
};

const struct pg_schema_part pg_part_ledger = {
        .name = "ledger",
        .steps = ledger_steps,
        .nsteps = (int)(sizeof(ledger_steps) / sizeof(ledger_steps[0])),
};

static const char q_head[] = "SELECT size, frontier FROM ledger_head WHERE id = 1";
static const char q_head_set[] =
        "INSERT INTO ledger_head(id, size, frontier) VALUES (1, $1, $2)"
        " ON CONFLICT(id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier";
static const char q_insert[] = "INSERT INTO ledger_entry(idx, entry, hashes) VALUES ($1, $2, $3)";
static const char q_node[] = "SELECT substring(hashes from $2 for 32) FROM ledger_entry"
                             " WHERE idx = $1";
static const char q_scan[] = "SELECT idx, entry, hashes FROM ledger_entry"
                             " WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3";
static const char q_cps[] = "SELECT size, root, note FROM ledger_checkpoint ORDER BY size";
static const char q_cp_last[] =
        "SELECT size, root, note FROM ledger_checkpoint ORDER BY size DESC LIMIT 1";
static const char q_cp_insert[] =
        "INSERT INTO ledger_checkpoint(size, root, note) VALUES ($1, $2, $3)";

/* The read handle is the store: the snapshot or transaction is its connection's. */
static struct store *store_of(struct store_ledger_rd *rd)
{
	return (struct store *)(void *)rd;
}

struct read_job {
	store_ledger_rd_fn fn;
	void *ctx;
};

static enum store_result job_read(struct store *s, void *arg)
{
	struct read_job *j = arg;
	enum store_result r;
	/* in a write: queue on the ledger's lock first, so the head read is the latest */
	if ((r = pg_ledger_lock(s)) != STORE_OK)
		return r;
	return j->fn(j->ctx, (struct store_ledger_rd *)(void *)s);
}

static enum store_result pl_read(struct store *s, store_ledger_rd_fn fn, void *ctx)
{
	struct read_job j = {.fn = fn, .ctx = ctx};
	return pg_read(s, job_read, &j);
}

static enum store_result pl_head(struct store_ledger_rd *rd, uint64_t *size, uint8_t *frontier,
                                 size_t cap, size_t *len)
{
	PGresult *q;
	enum store_result r = pg_exec(store_of(rd), q_head, NULL, &q);
	*size = 0;
	*len = 0;
	if (r != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		PQclear(q);
		return STORE_NOT_FOUND;
	}
	int64_t v = pg_i64(q, 0, 0);
	size_t n = 0;
	if (v < 0 || PQgetisnull(q, 0, 0) ||
	    (r = pg_bytes(q, 0, 1, frontier, cap, &n, false)) != STORE_OK) {
		r = STORE_CORRUPT;
	} else {
		*size = (uint64_t)v;
		*len = n;
	}
	PQclear(q);
	return r;
}

static int pl_hash(struct store_ledger_rd *rd, uint64_t index, unsigned k,
                   uint8_t out[static MERKLE_HASH_LEN])
{
	if (index > INT64_MAX || k >= MERKLE_LEVELS)
		return -1;
	struct pg_params p = {0};
	PGresult *q;
	pg_param_i64(&p, (int64_t)index);
	pg_param_i64(&p, (int64_t)k * MERKLE_HASH_LEN + 1);
	if (pg_exec(store_of(rd), q_node, &p, &q) != STORE_OK)
		return -1;
	int ok = -1;
	if (PQntuples(q) == 1 && !PQgetisnull(q, 0, 0) && PQgetlength(q, 0, 0) == MERKLE_HASH_LEN) {
		memcpy(out, PQgetvalue(q, 0, 0), MERKLE_HASH_LEN);
		ok = 0;
	}
	PQclear(q);
	return ok;
}

/* The rows [from, to), SCAN_BATCH a round trip, all in the caller's snapshot. */
static enum store_result pl_scan(struct store_ledger_rd *rd, uint64_t from, uint64_t to,
                                 store_ledger_row_fn fn, void *ctx)
{
	enum store_result r = STORE_OK;
	if (from > INT64_MAX)
		from = INT64_MAX;
	if (to > INT64_MAX)
		to = INT64_MAX;
	while (from < to) {
		struct pg_params p = {0};
		PGresult *q;
		pg_param_i64(&p, (int64_t)from);
		pg_param_i64(&p, (int64_t)to);
		pg_param_i64(&p, SCAN_BATCH);
		if ((r = pg_exec(store_of(rd), q_scan, &p, &q)) != STORE_OK)
			return r;
		int n = PQntuples(q);
		for (int i = 0; i < n && r == STORE_OK; i++) {
			int64_t idx = pg_i64(q, i, 0);
			struct store_ledger_row row = {
			        .index = (uint64_t)idx,
			        .entry = (const uint8_t *)PQgetvalue(q, i, 1),
			        .entry_len = (size_t)PQgetlength(q, i, 1),
			        .hashes = (const uint8_t *)PQgetvalue(q, i, 2),
			        .hashes_len = (size_t)PQgetlength(q, i, 2),
			};
			if (idx < 0 || PQgetisnull(q, i, 1) || PQgetisnull(q, i, 2)) {
				/* a damaged row: hand it over as empty so the caller locates it */
				row.entry = NULL;
				row.entry_len = 0;
				row.hashes = NULL;
				row.hashes_len = 0;
			}
			r = fn(ctx, &row);
			from = idx >= 0 ? (uint64_t)idx + 1 : to;
		}
		PQclear(q);
		if (r != STORE_OK || n < SCAN_BATCH)
			break;
	}
	return r;
}

static enum store_result pl_checkpoints(struct store_ledger_rd *rd, bool last,
                                        store_ledger_cp_fn fn, void *ctx)
{
	PGresult *q;
	enum store_result r = pg_exec(store_of(rd), last ? q_cp_last : q_cps, NULL, &q);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_ledger_checkpoint cp;
		int64_t size = pg_i64(q, i, 0);
		memset(cp.root, 0, sizeof cp.root);
		if (size >= 0 && PQgetlength(q, i, 1) == MERKLE_HASH_LEN)
			memcpy(cp.root, PQgetvalue(q, i, 1), MERKLE_HASH_LEN);
		cp.size = size < 0 ? 0 : (uint64_t)size;
		cp.note = (const uint8_t *)PQgetvalue(q, i, 2);
		cp.note_len = (size_t)PQgetlength(q, i, 2);
		r = fn(ctx, &cp);
	}
	PQclear(q);
	return r;
}

/* ---- writes (inside the front's store_write; alone, each its own transaction) ---- */

struct head_job {
	uint64_t size;
	const uint8_t *frontier;
	size_t len;
};

static enum store_result job_head_put(struct store *s, void *arg)
{
	const struct head_job *j = arg;
	struct pg_params p = {0};
	pg_param_i64(&p, (int64_t)j->size);
	pg_param_blob(&p, j->frontier, j->len, false);
	return pg_exec(s, q_head_set, &p, NULL);
}

static enum store_result pl_head_put(struct store *s, uint64_t size, const uint8_t *frontier,
                                     size_t len)
{
	if (size > INT64_MAX || len > STORE_LEDGER_FRONTIER_MAX || (len > 0 && frontier == NULL))
		return STORE_TOO_LARGE;
	struct head_job j = {.size = size, .frontier = frontier, .len = len};
	return pg_tx(s, job_head_put, &j);
}

struct rows_job {
	const struct store_ledger_row *rows;
	size_t n;
};

static enum store_result job_rows_put(struct store *s, void *arg)
{
	const struct rows_job *j = arg;
	enum store_result r;
	for (size_t k = 0; k < j->n; k++) {
		const struct store_ledger_row *row = &j->rows[k];
		struct pg_params p = {0};
		pg_param_i64(&p, (int64_t)row->index);
		pg_param_blob(&p, row->entry, row->entry_len, false);
		pg_param_blob(&p, row->hashes, row->hashes_len, false);
		if ((r = pg_exec(s, q_insert, &p, NULL)) != STORE_OK)
			return r;
	}
	return STORE_OK;
}

static enum store_result pl_rows_put(struct store *s, const struct store_ledger_row *rows, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (rows[k].index > INT64_MAX || rows[k].entry == NULL || rows[k].entry_len == 0 ||
		    rows[k].entry_len > STORE_LEDGER_ENTRY_MAX || rows[k].hashes == NULL ||
		    rows[k].hashes_len == 0 || rows[k].hashes_len > STORE_LEDGER_HASHES_MAX)
			return STORE_TOO_LARGE;
	struct rows_job j = {.rows = rows, .n = n};
	return n == 0 ? STORE_OK : pg_tx(s, job_rows_put, &j);
}

struct cp_job {
	uint64_t size;
	const uint8_t *root;
	const uint8_t *note;
	size_t note_len;
};

static enum store_result job_checkpoint_put(struct store *s, void *arg)
{
	const struct cp_job *j = arg;
	struct pg_params p = {0};
	pg_param_i64(&p, (int64_t)j->size);
	pg_param_blob(&p, j->root, MERKLE_HASH_LEN, false);
	pg_param_blob(&p, j->note, j->note_len, false);
	return pg_exec(s, q_cp_insert, &p, NULL);
}

static enum store_result pl_checkpoint_put(struct store *s, uint64_t size,
                                           const uint8_t root[static MERKLE_HASH_LEN],
                                           const uint8_t *note, size_t note_len)
{
	if (size > INT64_MAX || note == NULL || note_len == 0 || note_len > STORE_LEDGER_NOTE_MAX)
		return STORE_TOO_LARGE;
	struct cp_job j = {.size = size, .root = root, .note = note, .note_len = note_len};
	return pg_tx(s, job_checkpoint_put, &j);
}

const struct store_ledger_ops pg_ledger_ops = {
        .read = pl_read,
        .head = pl_head,
        .hash = pl_hash,
        .scan = pl_scan,
        .checkpoints = pl_checkpoints,
        .head_put = pl_head_put,
        .rows_put = pl_rows_put,
        .checkpoint_put = pl_checkpoint_put,
};
