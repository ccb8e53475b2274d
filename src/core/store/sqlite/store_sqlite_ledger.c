/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_ledger: the ledger's rows in the SQLite store
 * (core/store/store_ledger.h says what is stored; its front computes the
 * hashes and checks the head and checkpoints: this file only stores and
 * reads rows).
 *
 *   ledger_entry(idx, entry, hashes)     one row per entry; hashes = leaf hash
 *                                        || nodes of levels 1..ctz(idx + 1)
 *   ledger_head(id = 1, size, frontier)  the size and the frontier
 *   ledger_checkpoint(size, root, note)  the signed checkpoints
 *
 * An append costs one row read (the head), one row insert per entry and one
 * row update, inside the writer's group-committed transaction (the front's
 * store_write).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "core/store/store_ledger.h"
#include "core/store/sqlite/store_sqlite.h"

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
        "SELECT size, root, note FROM ledger_checkpoint ORDER BY size DESC LIMIT 1";
static const char q_cp_insert[] =
        "INSERT INTO ledger_checkpoint(size, root, note) VALUES (?1, ?2, ?3)";

/* The read handle is the connection the read runs on. */
static struct conn *conn_of(struct store_ledger_rd *rd)
{
	return (struct conn *)(void *)rd;
}

struct read_job {
	store_ledger_rd_fn fn;
	void *ctx;
};

static enum store_result job_read(struct conn *c, void *arg)
{
	struct read_job *j = arg;
	return j->fn(j->ctx, (struct store_ledger_rd *)(void *)c);
}

/* sq_read: a snapshot, or inside a transaction the writer's connection. */
static enum store_result sql_read(struct store *s, store_ledger_rd_fn fn, void *ctx)
{
	struct read_job j = {.fn = fn, .ctx = ctx};
	return sq_read(s, job_read, &j);
}

static enum store_result sql_head(struct store_ledger_rd *rd, uint64_t *size, uint8_t *frontier,
                                  size_t cap, size_t *len)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(conn_of(rd), q_head, &st);
	if (r != STORE_OK)
		return r;
	*size = 0;
	*len = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* the types first: reading a column may convert it */
		bool typed = sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
		             sqlite3_column_type(st, 1) == SQLITE_BLOB;
		int64_t v = sqlite3_column_int64(st, 0);
		const void *f = sqlite3_column_blob(st, 1);
		int flen = sqlite3_column_bytes(st, 1);
		if (!typed || v < 0 || flen < 0 || (size_t)flen > cap) {
			r = STORE_CORRUPT;
		} else {
			*size = (uint64_t)v;
			*len = (size_t)flen;
			if (flen > 0)
				memcpy(frontier, f, (size_t)flen);
		}
	} else {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	}
	sq_done(st);
	return r;
}

static int sql_hash(struct store_ledger_rd *rd, uint64_t index, unsigned k,
                    uint8_t out[static MERKLE_HASH_LEN])
{
	if (index > INT64_MAX || k >= MERKLE_LEVELS)
		return -1;
	sqlite3_stmt *st;
	if (sq_stmt(conn_of(rd), q_node, &st) != STORE_OK)
		return -1;
	int ok = -1;
	if (sqlite3_bind_int64(st, 1, (int64_t)index) == SQLITE_OK &&
	    sqlite3_bind_int(st, 2, (int)k * MERKLE_HASH_LEN + 1) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == MERKLE_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(st, 0), MERKLE_HASH_LEN);
		ok = 0;
	}
	sq_done(st);
	return ok;
}

static enum store_result sql_scan(struct store_ledger_rd *rd, uint64_t from, uint64_t to,
                                  store_ledger_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(conn_of(rd), q_scan, &st);
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

static enum store_result sql_checkpoints(struct store_ledger_rd *rd, bool last,
                                         store_ledger_cp_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(conn_of(rd), last ? q_cp_last : q_cps, &st);
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

/* ---- writes (inside the front's store_write) ---- */

struct head_job {
	uint64_t size;
	const uint8_t *frontier;
	size_t len;
};

static enum store_result job_head_put(struct conn *c, void *arg)
{
	const struct head_job *j = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, q_head_set, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)j->size))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 2, j->len > 0 ? (const void *)j->frontier : "",
	                                   (int)j->len, SQLITE_STATIC))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result sql_head_put(struct store *s, uint64_t size, const uint8_t *frontier,
                                      size_t len)
{
	if (size > INT64_MAX || len > STORE_LEDGER_FRONTIER_MAX || (len > 0 && frontier == NULL))
		return STORE_TOO_LARGE;
	struct head_job j = {.size = size, .frontier = frontier, .len = len};
	return sq_write(s, true, job_head_put, &j);
}

struct rows_job {
	const struct store_ledger_row *rows;
	size_t n;
};

static enum store_result job_rows_put(struct conn *c, void *arg)
{
	const struct rows_job *j = arg;
	sqlite3_stmt *st;
	enum store_result r;
	for (size_t k = 0; k < j->n; k++) {
		const struct store_ledger_row *row = &j->rows[k];
		if ((r = sq_stmt(c, q_insert, &st)) != STORE_OK)
			return r;
		if ((r = sq_bind(sqlite3_bind_int64(st, 1, (int64_t)row->index))) != STORE_OK ||
		    (r = sq_bind(sqlite3_bind_blob(st, 2, row->entry, (int)row->entry_len,
		                                   SQLITE_STATIC))) != STORE_OK ||
		    (r = sq_bind(sqlite3_bind_blob(st, 3, row->hashes, (int)row->hashes_len,
		                                   SQLITE_STATIC))) != STORE_OK) {
			sq_done(st);
			return r;
		}
		if ((r = sq_exec(st)) != STORE_OK)
			return r;
	}
	return STORE_OK;
}

static enum store_result sql_rows_put(struct store *s, const struct store_ledger_row *rows,
                                      size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (rows[k].index > INT64_MAX || rows[k].entry == NULL || rows[k].entry_len == 0 ||
		    rows[k].entry_len > STORE_LEDGER_ENTRY_MAX || rows[k].hashes == NULL ||
		    rows[k].hashes_len == 0 || rows[k].hashes_len > STORE_LEDGER_HASHES_MAX)
			return STORE_TOO_LARGE;
	struct rows_job j = {.rows = rows, .n = n};
	return n == 0 ? STORE_OK : sq_write(s, true, job_rows_put, &j);
}

struct cp_job {
	uint64_t size;
	const uint8_t *root;
	const uint8_t *note;
	size_t note_len;
};

static enum store_result job_checkpoint_put(struct conn *c, void *arg)
{
	const struct cp_job *j = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, q_cp_insert, &st);
	if (r != STORE_OK)
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

static enum store_result sql_checkpoint_put(struct store *s, uint64_t size,
                                            const uint8_t root[static MERKLE_HASH_LEN],
                                            const uint8_t *note, size_t note_len)
{
	if (size > INT64_MAX || note == NULL || note_len == 0 || note_len > STORE_LEDGER_NOTE_MAX)
		return STORE_TOO_LARGE;
	struct cp_job j = {.size = size, .root = root, .note = note, .note_len = note_len};
	return sq_write(s, true, job_checkpoint_put, &j);
}

const struct store_ledger_ops store_ledger_sqlite = {
        .read = sql_read,
        .head = sql_head,
        .hash = sql_hash,
        .scan = sql_scan,
        .checkpoints = sql_checkpoints,
        .head_put = sql_head_put,
        .rows_put = sql_rows_put,
        .checkpoint_put = sql_checkpoint_put,
};
