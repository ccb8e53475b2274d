/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_blob: meta rows and blobs as chunked bytea rows (every node sees
 * every file). A blob is pending from its creation until a commit claims it
 * (its chunks commit without waiting for the disk, pg_tx_lazy: the claim's
 * commit makes them durable); pending blobs of a connection that is gone are
 * removed at open
 * (store_pg.c).
 */
#include <string.h>

#include "core/store/pg/store_pg.h"

#include "lib/banned.h"

static const char META_GET[] = "SELECT val FROM meta WHERE key = $1";
static const char META_SET[] = "INSERT INTO meta(key, val) VALUES ($1, $2)"
                               " ON CONFLICT(key) DO UPDATE SET val = excluded.val";
static const char BLOB_CREATE[] =
        "INSERT INTO blob(owner_start)"
        " SELECT (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"
        " RETURNING id";
/* The blob grown and its next chunk inserted, in one statement: no row if it is not pending. */
static const char CHUNK_APPEND[] =
        "WITH b AS (UPDATE blob SET size = size + $2, nchunks = nchunks + 1"
        " WHERE id = $1 AND pending RETURNING nchunks - 1 AS seq)"
        " INSERT INTO blob_chunk(blob_id, seq, data) SELECT $1::bigint, seq, $3::bytea FROM b"
        " RETURNING seq";
static const char BLOB_SIZE[] = "SELECT size, nchunks FROM blob WHERE id = $1";
static const char CHUNK_READ[] = "SELECT data FROM blob_chunk WHERE blob_id = $1 AND seq = $2";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = $1";
static const char BLOB_CLAIM[] = "UPDATE blob SET pending = false WHERE id = $1 AND pending";

/* ---- meta ---- */

enum store_result pg_meta_get(struct store *s, const char *key, uint8_t *val, size_t cap,
                              size_t *len)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_text(&p, key);
	if ((r = pg_exec(s, META_GET, &p, &q)) != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		PQclear(q);
		return STORE_NOT_FOUND;
	}
	size_t n = (size_t)PQgetlength(q, 0, 0);
	*len = n;
	if (n > cap)
		r = STORE_TOO_LARGE;
	else if (n > 0)
		memcpy(val, PQgetvalue(q, 0, 0), n);
	PQclear(q);
	return r;
}

enum store_result pg_meta_set(struct store *s, const char *key, const uint8_t *val, size_t len)
{
	struct pg_params p = {0};
	pg_param_text(&p, key);
	pg_param_bytes(&p, val, len); /* len <= STORE_META_MAX (the front) */
	return pg_exec(s, META_SET, &p, NULL);
}

/* ---- blobs ---- */

struct blob_job {
	store_id id;
	const uint8_t *p;
	size_t n;    /* <= STORE_CHUNK_MAX (the front) */
	bool create; /* create it first */
};

static enum store_result append_fn(struct store *s, void *arg)
{
	struct blob_job *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	if (a->create) {
		if ((r = pg_exec(s, BLOB_CREATE, NULL, &q)) != STORE_OK)
			return r;
		a->id = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
		PQclear(q);
		if (a->id <= 0)
			return STORE_CORRUPT;
		if (a->n == 0)
			return STORE_OK;
	}
	pg_param_i64(&p, a->id);
	pg_param_i64(&p, (int64_t)a->n);
	pg_param_bytes(&p, a->p, a->n);
	if ((r = pg_exec(s, CHUNK_APPEND, &p, &q)) != STORE_OK)
		return r;
	int rows = PQntuples(q);
	PQclear(q);
	return rows == 1 ? STORE_OK : STORE_NOT_FOUND; /* no such blob, or no longer pending */
}

enum store_result pg_blob_create(struct store *s, store_id *out)
{
	struct blob_job a = {.create = true};
	enum store_result r = pg_tx_lazy(s, append_fn, &a);
	*out = r == STORE_OK ? a.id : 0;
	return r;
}

enum store_result pg_blob_put(struct store *s, const uint8_t *p, size_t n, store_id *out)
{
	struct blob_job a = {.create = true, .p = p, .n = n};
	enum store_result r = pg_tx_lazy(s, append_fn, &a);
	*out = r == STORE_OK ? a.id : 0;
	return r;
}

enum store_result pg_blob_append(struct store *s, store_id blob, const uint8_t *p, size_t n)
{
	struct blob_job a = {.id = blob, .p = p, .n = n};
	return pg_tx_lazy(s, append_fn, &a);
}

/*
 * One chunk per round trip, so a large blob is never held whole. Under the
 * connection's lock in one read-only transaction (a snapshot): a concurrent
 * delete does not cut a read in half.
 */
struct read_job {
	store_id id;
	store_chunk_fn fn;
	void *ctx;
};

static enum store_result read_fn(struct store *s, void *arg)
{
	struct read_job *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, a->id);
	if ((r = pg_exec(s, BLOB_SIZE, &p, &q)) != STORE_OK)
		return r;
	int rows = PQntuples(q);
	int64_t size = rows == 1 ? pg_i64(q, 0, 0) : 0, nchunks = rows == 1 ? pg_i64(q, 0, 1) : 0;
	PQclear(q);
	if (rows != 1)
		return STORE_NOT_FOUND;
	int64_t sum = 0;
	for (int64_t seq = 0; seq < nchunks; seq++) {
		struct pg_params c = {0};
		pg_param_i64(&c, a->id);
		pg_param_i64(&c, seq);
		if ((r = pg_exec(s, CHUNK_READ, &c, &q)) != STORE_OK)
			return r;
		if (PQntuples(q) != 1) {
			PQclear(q);
			return STORE_CORRUPT;
		}
		size_t n = (size_t)PQgetlength(q, 0, 0);
		sum += (int64_t)n;
		int stop = n > 0 ? a->fn(a->ctx, (const uint8_t *)PQgetvalue(q, 0, 0), n) : 0;
		PQclear(q);
		if (stop != 0)
			return STORE_STOP;
	}
	return sum == size ? STORE_OK : STORE_CORRUPT;
}

enum store_result pg_blob_read(struct store *s, store_id blob, store_chunk_fn fn, void *ctx)
{
	struct read_job a = {blob, fn, ctx};
	return pg_read(s, read_fn, &a); /* inside a write: its own rows */
}

enum store_result pg_blob_size(struct store *s, store_id blob, uint64_t *size)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, blob);
	if ((r = pg_exec(s, BLOB_SIZE, &p, &q)) != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		PQclear(q);
		return STORE_NOT_FOUND;
	}
	int64_t v = pg_i64(q, 0, 0);
	PQclear(q);
	if (v < 0)
		return STORE_CORRUPT;
	*size = (uint64_t)v;
	return STORE_OK;
}

/*
 * The chunks go with the blob (ON DELETE CASCADE). PostgreSQL keeps dead row
 * versions until VACUUM: the bytes (ciphertext) are gone from the database
 * once it has run (docs/operations.md), not at once.
 */
enum store_result pg_blob_delete(struct store *s, store_id blob)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, blob);
	enum store_result r = pg_exec_n(s, BLOB_DELETE, &p, &rows);
	return r != STORE_OK ? r : rows == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_result pg_claim(struct store *s, store_id blob)
{
	struct pg_params p = {0};
	int64_t rows;
	if (blob <= 0)
		return STORE_NOT_FOUND;
	pg_param_i64(&p, blob);
	enum store_result r = pg_exec_n(s, BLOB_CLAIM, &p, &rows);
	return r != STORE_OK ? r : rows == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_result pg_blob_claim(struct store *s, store_id blob)
{
	if (!pg_in_tx(s))
		return STORE_CORRUPT; /* a claim outside a transaction would claim nothing durable
		                       */
	return pg_claim(s, blob);
}

enum store_result pg_blob_list(struct store *s, store_id after, store_id *ids, size_t cap,
                               size_t *n)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, after);
	pg_param_i64(&p, (int64_t)cap); /* cap <= STORE_LIST_MAX (the front) */
	if ((r = pg_exec(s,
	                 "SELECT id FROM blob WHERE id > $1 AND NOT pending ORDER BY id LIMIT $2",
	                 &p, &q)) != STORE_OK)
		return r;
	int rows = PQntuples(q);
	for (int i = 0; i < rows && (size_t)i < cap; i++)
		ids[(*n)++] = pg_i64(q, i, 0);
	PQclear(q);
	return STORE_OK;
}
