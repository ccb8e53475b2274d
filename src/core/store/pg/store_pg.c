/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg: the PostgreSQL backend. Parameters and results, open and close
 * (the connections and the writer: store_pg_conn.c), the schema and its
 * migration at open, the backend's table.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_copy.h"
#include "core/store/store_desk.h"
#include "core/store/store_ledger.h"
#include "core/store/store_officer.h"
#include "core/store/store_registry.h"
#include "core/store/store_release.h"

#include "lib/num.h"

#include "lib/banned.h"

/* The lock of the schema migration, held inside its transaction (any value of ours). */
#define PG_MIGRATE_LOCK "7306318716131313"

/* ---- the schema, migrated in order; schema_part('core') counts applied steps ---- */

static const char *const migrations[] = {
        /* 1: the first schema: ids from sequences (identity columns), never reused */
        "CREATE TABLE meta(key text PRIMARY KEY, val bytea NOT NULL);"
        "CREATE TABLE blob(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " size bigint NOT NULL DEFAULT 0, nchunks integer NOT NULL DEFAULT 0,"
        " pending boolean NOT NULL DEFAULT true,"
        " owner_pid integer NOT NULL DEFAULT pg_backend_pid(),"
        " owner_start timestamptz);"
        "CREATE INDEX blob_pending ON blob(owner_pid) WHERE pending;"
        "CREATE TABLE blob_chunk(blob_id bigint NOT NULL REFERENCES blob(id) ON DELETE CASCADE,"
        " seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY(blob_id, seq));"
        "CREATE TABLE source(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " lookup bytea NOT NULL UNIQUE, pk bytea NOT NULL, created_day integer NOT NULL,"
        " last_day integer NOT NULL, nsubmissions bigint NOT NULL DEFAULT 0,"
        " nunread bigint NOT NULL DEFAULT 0, day_count bigint NOT NULL DEFAULT 0);"
        "CREATE INDEX source_activity ON source(last_day DESC, id DESC);"
        "CREATE TABLE submission(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " source_id bigint NOT NULL REFERENCES source(id), day integer NOT NULL,"
        " marking text NOT NULL, message_blob bigint NOT NULL, nfiles integer NOT NULL,"
        " read boolean NOT NULL DEFAULT false, seal_version bigint NOT NULL DEFAULT 0);"
        "CREATE INDEX submission_source ON submission(source_id, id);"
        "CREATE TABLE file(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " submission_id bigint NOT NULL REFERENCES submission(id),"
        " meta_blob bigint NOT NULL, data_blob bigint NOT NULL);"
        "CREATE INDEX file_submission ON file(submission_id);"
        "CREATE TABLE reply(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " source_id bigint NOT NULL REFERENCES source(id), day integer NOT NULL,"
        " blob bigint NOT NULL);"
        "CREATE INDEX reply_source ON reply(source_id, id);",
        /*
         * 2: a reply's author, the days the source read or deleted it (a
         * deleted reply keeps its row, without blobs), and the desk's copy
         * sealed as the submission it answers (store.h, struct store_reply).
         * Replies from before: author 0 (not known), no desk copy, not read.
         */
        "ALTER TABLE reply ADD COLUMN author bigint NOT NULL DEFAULT 0,"
        " ADD COLUMN read_day integer NOT NULL DEFAULT 0,"
        " ADD COLUMN deleted_day integer NOT NULL DEFAULT 0,"
        " ADD COLUMN desk_blob bigint NOT NULL DEFAULT 0,"
        " ADD COLUMN submission_id bigint NOT NULL DEFAULT 0,"
        " ADD COLUMN seal_version bigint NOT NULL DEFAULT 0,"
        " ADD COLUMN marking text NOT NULL DEFAULT '';",
};
#define NMIGRATIONS ((int64_t)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- parameters and results ---- */

void pg_param_i64(struct pg_params *p, int64_t v)
{
	if (p->n >= PG_PARAMS_MAX)
		abort(); /* a bug: our statements have fewer */
	int k = snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
	if (k < 0 || (size_t)k >= sizeof(p->num[0]))
		abort(); /* cannot happen: 20 digits and a sign */
	p->val[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg_param_bytes(struct pg_params *p, const uint8_t *v, size_t n)
{
	if (p->n >= PG_PARAMS_MAX || n > STORE_CHUNK_MAX)
		abort(); /* a bug: the front bounds every size */
	p->val[p->n] = n > 0 ? (const char *)v : "";
	p->len[p->n] = (int)n;
	p->fmt[p->n] = 1;
	p->n++;
}

void pg_param_text(struct pg_params *p, const char *v)
{
	if (p->n >= PG_PARAMS_MAX)
		abort();
	p->val[p->n] = v;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg_param_blob(struct pg_params *p, const uint8_t *v, size_t n, bool null)
{
	if (p->n >= PG_PARAMS_MAX || n > PG_VALUE_MAX)
		abort(); /* a bug: the fronts bound every size */
	p->val[p->n] = n > 0 ? (const char *)v : null ? NULL : "";
	p->len[p->n] = (int)n;
	p->fmt[p->n] = 1;
	p->n++;
}

enum store_result pg_text(const PGresult *r, int row, int col, char *out, size_t cap)
{
	size_t n = (size_t)PQgetlength(r, row, col);
	if (PQgetisnull(r, row, col) || n >= cap)
		return STORE_CORRUPT;
	memcpy(out, PQgetvalue(r, row, col), n);
	out[n] = '\0';
	return STORE_OK;
}

enum store_result pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap,
                           size_t *len, bool exact)
{
	size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
	if (len != NULL)
		*len = 0;
	if (n == 0) {
		if (exact)
			memset(out, 0, cap);
		return STORE_OK;
	}
	if (n > cap || (exact && n != cap))
		return STORE_CORRUPT;
	memcpy(out, PQgetvalue(r, row, col), n);
	if (len != NULL)
		*len = n;
	return STORE_OK;
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
	const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
	int n = PQgetlength(r, row, col);
	uint64_t u = 0;
	if (PQgetisnull(r, row, col) || n <= 0 || n > 8)
		return 0;
	for (int i = 0; i < n; i++)
		u = (u << 8) | v[i];
	if (n < 8 && (v[0] & 0x80) != 0) /* sign-extend an int2 or int4 */
		u |= ~(uint64_t)0 << (8 * n);
	return (int64_t)u;
}

enum store_result pg_exec_n(struct store *s, const char *sql, const struct pg_params *p,
                            int64_t *rows)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	*rows = 0;
	if (r != STORE_OK)
		return r;
	if (PQresultStatus(q) == PGRES_TUPLES_OK) {
		*rows = PQntuples(q);
	} else {
		const char *n = PQcmdTuples(q);
		char *end = NULL;
		long long v = n && n[0] ? strtoll(n, &end, 10) : 0;
		*rows = v >= 0 ? v : 0;
	}
	PQclear(q);
	return STORE_OK;
}

enum store_result pg_exec_id(struct store *s, const char *sql, int64_t id, int64_t *rows)
{
	struct pg_params p = {0};
	pg_param_i64(&p, id);
	return pg_exec_n(s, sql, &p, rows);
}

enum store_result pg_returned_id(struct store *s, const char *sql, const struct pg_params *p,
                                 store_id *out)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	*out = 0;
	if (r != STORE_OK)
		return r;
	*out = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return *out > 0 ? STORE_OK : STORE_CORRUPT;
}

enum store_result pg_rows(struct store *s, const char *sql, const struct pg_params *p, bool first,
                          bool owned,
                          enum store_result (*each)(const PGresult *q, int i, void *ctx), void *ctx)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	if (r != STORE_OK)
		return r;
	int n = PQntuples(q);
	if (n == 0 && (first || owned))
		r = STORE_NOT_FOUND;
	for (int i = 0; i < (first ? 1 : n) && i < n && r == STORE_OK; i++)
		if (first || !PQgetisnull(q, i, 0))
			r = each(q, i, ctx);
	PQclear(q);
	return r;
}

struct write_arg {
	store_tx_fn fn;
	void *arg;
};

static enum store_result write_fn(struct store *s, void *arg)
{
	struct write_arg *a = arg;
	return a->fn(s, a->arg);
}

/* The claim list names file-backed blobs: this backend keeps every blob in rows. */
static enum store_result pg_write(struct store *s, const store_id *claim, size_t nclaim,
                                  store_tx_fn fn, void *arg)
{
	(void)claim;
	(void)nclaim;
	struct write_arg a = {fn, arg};
	return pg_tx(s, write_fn, &a);
}

static bool pg_in_write(struct store *s)
{
	return pg_in_tx(s);
}

/* ---- schema ---- */

/* The domain parts, migrated after the core schema in this order (a part may use the ones before).
 */
static const struct pg_schema_part *const parts[] = {
        &pg_part_ledger,  &pg_part_officer, &pg_part_desk,    &pg_part_registry,
        &pg_part_release, &pg_part_session, &pg_part_liaison, &pg_part_liaison_items,
        &pg_part_witness, &pg_part_safe,
};

/* Applies the steps of part (steps, n) not yet applied, and records them (inside migrate's
 * transaction). */
static enum store_result migrate_part(struct store *s, const char *name, const char *const *steps,
                                      int64_t n)
{
	PGresult *q = NULL;
	struct pg_params p = {0};
	enum store_result r;
	pg_param_text(&p, name);
	if ((r = pg_exec(s, "SELECT version FROM schema_part WHERE name = $1", &p, &q)) != STORE_OK)
		return r;
	int64_t v = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	if (v < 0 || v > n)
		return STORE_CORRUPT; /* written by a newer cutout */
	if (v == n)
		return STORE_OK;
	for (int64_t i = v; i < n; i++)
		if ((r = pg_script(s, steps[i])) != STORE_OK)
			return r;
	pg_param_i64(&p, n);
	return pg_exec(s,
	               "INSERT INTO schema_part(name, version) VALUES ($1, $2)"
	               " ON CONFLICT(name) DO UPDATE SET version = excluded.version",
	               &p, NULL);
}

static enum store_result migrate_fn(struct store *s, void *arg)
{
	(void)arg;
	enum store_result r;
	/* several nodes may open at once: one migrates, the others wait, then see it done */
	if ((r = pg_exec(s, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")", NULL, NULL)) !=
	            STORE_OK ||
	    (r = pg_exec(s,
	                 "CREATE TABLE IF NOT EXISTS schema_part(name text PRIMARY KEY,"
	                 " version bigint NOT NULL)",
	                 NULL, NULL)) != STORE_OK ||
	    (r = migrate_part(s, "core", migrations, NMIGRATIONS)) != STORE_OK)
		return r;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if ((r = migrate_part(s, parts[i]->name, parts[i]->steps, parts[i]->nsteps)) !=
		    STORE_OK)
			return r;
	return STORE_OK;
}

/*
 * Pending blobs whose connection is gone (a crash, or a clean close) are
 * removed: each pending blob names the server process that created it, and
 * the uploads of other nodes, still connected, are left alone.
 */
static const char PENDING_DELETE[] =
        "DELETE FROM blob b WHERE pending AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
        " WHERE a.pid = b.owner_pid AND a.backend_start IS NOT DISTINCT FROM b.owner_start)";

/* ---- open and close ---- */

/* The password comes from a file (PGPASSFILE or ~/.pgpass), never the location. */
static bool has_password(const char *location)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(location, &err);
	bool has = true; /* unparsable: refused anyway */
	if (opts != NULL) {
		has = false;
		for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
			if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
			    o->val[0] != '\0')
				has = true;
		PQconninfoFree(opts);
	}
	PQfreemem(err);
	return has;
}

static void pg_close(struct store *s)
{
	struct pg *g = PG(s);
	if (g == NULL)
		return;
	pg_writer_stop(g);
	PQfinish(g->writer.conn);
	for (int i = 0; i < PG_POOL; i++)
		PQfinish(g->pool[i].conn);
	pthread_cond_destroy(&g->done);
	pthread_cond_destroy(&g->freed);
	pthread_mutex_destroy(&g->mu);
	free(g->location);
	free(g);
}

/* libpq's port, given or its default (5432), for a TCP host and a Unix socket alike. */
static uint16_t pg_net_port(struct store *s)
{
	struct pg *g = PG(s);
	const char *p = g->writer.conn != NULL ? PQport(g->writer.conn) : NULL;
	uint64_t v = 0;
	return p != NULL && num_parse_u64(p, &v) == 0 && v > 0 && v <= 65535 ? (uint16_t)v : 5432;
}

/* The schema migrated and the pending blobs of gone connections removed, on the writer's. */
static enum store_result open_schema(struct pg *g)
{
	enum store_result r;
	pg_conn_enter(&g->writer);
	/* bounded waits: a lock held elsewhere is STORE_BUSY after 10 s, not a hang */
	if ((r = pg_conn_ready(&g->writer)) == STORE_BUSY)
		r = STORE_IO; /* the first connection: refused, not "try later" */
	if (r == STORE_OK && (r = pg_tx(&g->base, migrate_fn, NULL)) == STORE_OK)
		r = pg_exec(&g->base, PENDING_DELETE, NULL, NULL);
	pg_conn_leave(&g->writer);
	return r;
}

static enum store_result pg_open(const char *location, struct store **out)
{
	enum store_result r;
	*out = NULL;
	if (has_password(location))
		return STORE_NOT_FOUND;
	struct pg *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return STORE_NOMEM;
	g->base.be = &store_backend_pg;
	g->writer.g = g;
	for (int i = 0; i < PG_POOL; i++)
		g->pool[i].g = g;
	if ((g->location = strdup(location)) == NULL) {
		free(g);
		return STORE_NOMEM;
	}
	if (pthread_mutex_init(&g->mu, NULL) != 0 || pthread_cond_init(&g->freed, NULL) != 0 ||
	    pthread_cond_init(&g->done, NULL) != 0)
		abort(); /* the defaults: cannot fail on Linux */
	if ((r = open_schema(g)) != STORE_OK || (r = pg_writer_start(g)) != STORE_OK)
		goto fail;
	*out = &g->base;
	return STORE_OK;
fail:
	pg_close(&g->base);
	return r;
}

const struct store_backend store_backend_pg = {
        .name = "postgresql",
        .open = pg_open,
        .close = pg_close,
        .net_port = pg_net_port,
        .write = pg_write,
        .in_write = pg_in_write,
        .meta_get = pg_meta_get,
        .meta_set = pg_meta_set,
        .blob_create = pg_blob_create,
        .blob_append = pg_blob_append,
        .blob_put = pg_blob_put,
        .blob_read = pg_blob_read,
        .blob_size = pg_blob_size,
        .blob_list = pg_blob_list,
        .expire = pg_expire,
        .blob_delete = pg_blob_delete,
        .blob_claim = pg_blob_claim,
        .source_create = pg_source_create,
        .source_find = pg_source_find,
        .source_get = pg_source_get,
        .source_delete = pg_source_delete,
        .source_list = pg_source_list,
        .submission_commit = pg_submission_commit,
        .submission_get = pg_submission_get,
        .submission_list = pg_submission_list,
        .submission_files = pg_submission_files,
        .submission_mark_read = pg_submission_mark_read,
        .submission_mark_unread = pg_submission_mark_unread,
        .submission_count_day = pg_submission_count_day,
        .reply_add = pg_reply_add,
        .reply_list = pg_reply_list,
        .reply_delete = pg_reply_delete,
        .reply_seal = pg_reply_seal,
        .reply_read = pg_reply_read,
        .reply_tombstone = pg_reply_tombstone,
        .ledger = &pg_ledger_ops,
        .officer = &pg_officer_ops,
        .desk = &pg_desk_ops,
        .registry = &pg_registry_ops,
        .release = &pg_release_ops,
        .copy = &pg_copy_ops,
        .session = &pg_session_ops,
        .liaison = &pg_liaison_ops,
        .witness = &pg_witness_ops,
        .safe = &pg_safe_ops,
};
