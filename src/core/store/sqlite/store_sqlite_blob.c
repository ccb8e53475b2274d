/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_blob: the rows of meta values and of blobs (blob, blob_chunk).
 * A blob's first chunk is a row; a pending blob grown beyond it keeps the rest
 * in a file of core/store/blob_spill.c, whose token the row gets when a commit
 * claims it (sq_claim). Writes go through the writer (sq_write: blob
 * create/append not durable by themselves; sq_write_blobs: deletes).
 */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "core/store/blob_spill.h"
#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

static const char META_GET[] = "SELECT val FROM meta WHERE key = ?1";
static const char META_SET[] = "INSERT INTO meta(key, val) VALUES (?1, ?2)"
                               " ON CONFLICT(key) DO UPDATE SET val = excluded.val";
static const char BLOB_CREATE[] = "INSERT INTO blob(size, nchunks, pending) VALUES (0, 0, 1)";
static const char BLOB_GROW[] = "UPDATE blob SET size = size + ?2, nchunks = nchunks + 1"
                                " WHERE id = ?1 AND pending = 1 RETURNING nchunks - 1";
static const char CHUNK_INSERT[] = "INSERT INTO blob_chunk(blob_id, seq, data) VALUES (?1, ?2, ?3)";
static const char BLOB_SIZE[] = "SELECT size, file FROM blob WHERE id = ?1";
static const char BLOB_READ[] =
        "SELECT c.data, b.file, b.size FROM blob b"
        " LEFT JOIN blob_chunk c ON c.blob_id = b.id WHERE b.id = ?1 ORDER BY c.seq";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = ?1";
static const char BLOB_CLAIM[] = "UPDATE blob SET pending = 0, file = ?2, size = size + ?3"
                                 " WHERE id = ?1 AND pending = 1";
static const char BLOB_STATE[] = "SELECT nchunks FROM blob WHERE id = ?1 AND pending = 1";
static const char BLOB_FILE[] = "SELECT file FROM blob WHERE id = ?1 AND file IS NOT NULL";
static const char FILE_CLAIMED[] = "SELECT 1 FROM blob WHERE file = ?1 AND pending = 0";
static const char PENDING_DELETE[] = "DELETE FROM blob WHERE pending = 1";
static const char FILE_RETOKEN[] = "UPDATE blob SET file = ?2 WHERE file = ?1 AND pending = 0";

/* ---- at the first open ---- */

static enum store_result file_claimed(void *ctx, int64_t file)
{
	sqlite3_stmt *q;
	enum store_result r = sq_row(ctx, FILE_CLAIMED, file, 0, 1, &q);
	if (r == STORE_OK)
		sq_done(q);
	return r;
}

/* A legacy file moved into the segment file: its row names the new token, durably. */
static enum store_result file_retoken(void *ctx, int64_t old, int64_t new)
{
	struct conn *c = ctx;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_set_sync(c, true)) != STORE_OK || (r = sq_core_exec(c, S_BEGIN)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, FILE_RETOKEN, old, &st)) == STORE_OK) {
		sqlite3_bind_int64(st, 2, new);
		if ((r = sq_exec(st)) == STORE_OK && sq_changes(c) != 1)
			r = STORE_NOT_FOUND;
	}
	if (r == STORE_OK)
		r = sq_core_exec(c, S_COMMIT);
	if (r != STORE_OK && !sqlite3_get_autocommit(sq_db(c)))
		(void)sq_core_exec(c, S_ROLLBACK);
	return r;
}

enum store_result sq_blob_cleanup(struct sq *s)
{
	enum store_result r;
	sqlite3_stmt *st;
	if ((r = sq_core_exec(&s->writer, S_BEGIN)) != STORE_OK)
		return r;
	if ((r = sq_stmt(&s->writer, PENDING_DELETE, &st)) != STORE_OK ||
	    (r = sq_exec(st)) != STORE_OK || (r = sq_core_exec(&s->writer, S_COMMIT)) != STORE_OK) {
		(void)sq_core_exec(&s->writer, S_ROLLBACK);
		return r;
	}
	if ((r = blob_spill_remove_unclaimed(s->spill, file_claimed, &s->writer)) != STORE_OK)
		return r;
	return blob_spill_migrate(s->spill, file_retoken, &s->writer);
}

/* ---- inside a job of the writer ---- */

enum store_result sq_drop_files(struct conn *c, const char *sql, store_id id)
{
	sqlite3_stmt *st;
	enum store_result r;
	int rc;
	if (c->job == NULL)
		return STORE_CORRUPT;
	if ((r = sq_stmt_i64(c, sql, id, &st)) != STORE_OK)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = blob_files_add(&c->job->shred, sqlite3_column_int64(st, 0))) != STORE_OK) {
			sq_done(st);
			return r;
		}
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_map(rc);
	c->job->dropped = true;
	return STORE_OK;
}

enum store_result sq_claim(struct conn *c, store_id blob)
{
	sqlite3_stmt *st;
	enum store_result r;
	if (c->job == NULL)
		return STORE_CORRUPT;
	if (blob <= 0)
		return STORE_NOT_FOUND;
	if ((r = sq_stmt_i64(c, BLOB_CLAIM, blob, &st)) != STORE_OK)
		return r;
	const struct blob_spill_claim *cl = sq_job_claim(c, blob);
	if (cl != NULL && cl->size > INT64_MAX) {
		sq_done(st);
		return STORE_TOO_LARGE;
	}
	if (cl != NULL) {
		sqlite3_bind_int64(st, 2, cl->file);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)cl->size);
	} else {
		sqlite3_bind_null(st, 2);
		sqlite3_bind_int64(st, 3, 0);
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_result sq_blob_drop(struct conn *c, store_id blob)
{
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_drop_files(c, BLOB_FILE, blob)) != STORE_OK ||
	    (r = sq_stmt_i64(c, BLOB_DELETE, blob, &st)) != STORE_OK ||
	    (r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- meta ---- */

enum store_result sq_meta_get(struct store *st, const char *key, uint8_t *val, size_t cap,
                              size_t *len)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_text(c, META_GET, key, &q)) != STORE_OK)
		goto out;
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
		goto out;
	}
	size_t n = (size_t)sqlite3_column_bytes(q, 0);
	*len = n;
	if (n > cap) {
		r = STORE_TOO_LARGE;
		goto out;
	}
	if (n)
		memcpy(val, sqlite3_column_blob(q, 0), n);
	r = STORE_OK;
out:
	sq_done(q);
	sq_pool_put(s, c);
	return r;
}

struct meta_set {
	const char *key;
	const uint8_t *val;
	size_t len;
};

static enum store_result meta_set_fn(struct conn *c, void *arg)
{
	struct meta_set *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_stmt_text(c, META_SET, a->key, &st)) != STORE_OK)
		return r;
	/* len <= STORE_META_MAX (the front) */
	r = sq_bind(sqlite3_bind_blob(st, 2, a->len ? (const void *)a->val : "", (int)a->len,
	                              SQLITE_STATIC));
	if (r != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

enum store_result sq_meta_set(struct store *st, const char *key, const uint8_t *val, size_t len)
{
	struct meta_set a = {key, val, len};
	return sq_write(st, true, meta_set_fn, &a);
}

/* ---- blobs ---- */

struct blob_job {
	store_id id;
	const uint8_t *p;
	size_t n;     /* <= STORE_CHUNK_MAX (the front) */
	bool create;  /* blob_put: create it first */
	bool in_rows; /* keep the chunk in SQLite even if it is not the first */
	bool spill;   /* out: the chunk goes to the blob's file */
};

/* A chunk as a row; beyond the first (unless in_rows), says it goes to a file. */
static enum store_result append_fn(struct conn *c, void *arg)
{
	struct blob_job *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if (a->create) {
		if ((r = sq_stmt(c, BLOB_CREATE, &st)) != STORE_OK || (r = sq_exec(st)) != STORE_OK)
			return r;
		a->id = sqlite3_last_insert_rowid(sq_db(c));
		if (a->n == 0)
			return STORE_OK;
	} else if (!a->in_rows) {
		if ((r = sq_row(c, BLOB_STATE, a->id, 0, 1, &st)) != STORE_OK)
			return r;
		int64_t nchunks = sqlite3_column_int64(st, 0);
		sq_done(st);
		if (nchunks > 0) {
			a->spill = true;
			return STORE_OK;
		}
	}
	if ((r = sq_stmt_i64(c, BLOB_GROW, a->id, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)a->n);
	int rc = sqlite3_step(st);
	int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sq_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	if ((r = sq_stmt_i64(c, CHUNK_INSERT, a->id, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 2, seq);
	if ((r = sq_bind(sqlite3_bind_blob(st, 3, a->p, (int)a->n, SQLITE_STATIC))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

enum store_result sq_blob_create(struct store *st, store_id *out)
{
	struct blob_job a = {.create = true};
	enum store_result r = sq_write(st, false, append_fn, &a);
	*out = r == STORE_OK ? a.id : 0;
	return r;
}

enum store_result sq_blob_put(struct store *st, const uint8_t *p, size_t n, store_id *out)
{
	/* create and first chunk in one job: one writer round trip */
	struct blob_job a = {.create = true, .p = p, .n = n};
	enum store_result r = sq_write(st, false, append_fn, &a);
	*out = r == STORE_OK ? a.id : 0;
	return r;
}

enum store_result sq_blob_append(struct store *st, store_id blob, const uint8_t *p, size_t n)
{
	struct sq *s = SQ(st);
	struct blob_job a = {.id = blob, .p = p, .n = n};
	bool spilled;
	enum store_result r = blob_spill_append(s->spill, blob, p, n, false, &spilled);
	if (r != STORE_OK || spilled)
		return r;
	/* The writer keeps a first chunk, or says the blob goes to a file. */
	if ((r = sq_write(st, false, append_fn, &a)) != STORE_OK || !a.spill)
		return r;
	if ((r = blob_spill_append(s->spill, blob, p, n, true, &spilled)) != STORE_OK || spilled)
		return r;
	struct blob_job k = {.id = blob, .p = p, .n = n, .in_rows = true}; /* no room for a file */
	return sq_write(st, false, append_fn, &k);
}

enum store_result sq_blob_read(struct store *st, store_id blob, store_chunk_fn fn, void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	bool any = false;
	int64_t file = 0, size = 0, sum = 0;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, BLOB_READ, blob, &q)) != STORE_OK)
		goto out;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		any = true;
		file = sqlite3_column_int64(q, 1); /* NULL reads as 0 */
		size = sqlite3_column_int64(q, 2);
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		sum += (int64_t)n;
		const uint8_t *p = sqlite3_column_blob(q, 0);
		if (p == NULL || n == 0)
			continue; /* an empty blob: one row, no chunk */
		if (fn(ctx, p, n) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		r = sq_map(rc);
	else
		r = any ? STORE_OK : STORE_NOT_FOUND;
out:
	sq_done(q);
	sq_pool_put(s, c);
	if (r != STORE_OK)
		return r;
	/* After the chunk rows: the rest from the blob's file, committed or pending. */
	if (file == 0)
		return blob_spill_read_pending(s->spill, blob, fn, ctx);
	if (size < sum)
		return STORE_CORRUPT;
	return blob_spill_read_file(s->spill, file, (uint64_t)(size - sum), fn, ctx);
}

enum store_result sq_blob_size(struct store *st, store_id blob, uint64_t *size)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	bool infile = false;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_row(c, BLOB_SIZE, blob, 0, 1, &q)) == STORE_OK) {
		*size = (uint64_t)sqlite3_column_int64(q, 0);
		infile = sqlite3_column_type(q, 1) != SQLITE_NULL;
		sq_done(q);
	}
	sq_pool_put(s, c);
	if (r == STORE_OK && !infile) /* pending: the row has only the first chunk's size */
		*size += blob_spill_pending_size(s->spill, blob);
	return r;
}

static enum store_result blob_delete_fn(struct conn *c, void *arg)
{
	return sq_blob_drop(c, *(const store_id *)arg);
}

enum store_result sq_blob_delete(struct store *st, store_id blob)
{
	enum store_result r = sq_write_blobs(st, blob_delete_fn, &blob, NULL, 0);
	if (r == STORE_OK) /* a pending file-backed blob */
		r = blob_spill_drop_pending(SQ(st)->spill, blob);
	else if (r == STORE_FULL) {
		/*
		 * No room even to delete the row: it stays pending (invisible, swept by
		 * the next open), but its file, no row's, goes now to give the space back.
		 */
		enum store_result dr = blob_spill_drop_pending(SQ(st)->spill, blob);
		if (dr != STORE_OK)
			r = dr;
	}
	return r;
}

static enum store_result blob_claim_fn(struct conn *c, void *arg)
{
	return sq_claim(c, *(const store_id *)arg);
}

/* Claims a pending blob inside store_write (whose claim list names it). */
enum store_result sq_blob_claim(struct store *st, store_id blob)
{
	if (!sq_in_tx(SQ(st)))
		return STORE_CORRUPT; /* a claim outside a transaction would claim nothing durable
		                       */
	return sq_write_blobs(st, blob_claim_fn, &blob, &blob, 1);
}
