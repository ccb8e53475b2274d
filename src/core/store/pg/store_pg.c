/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg: the PostgreSQL backend. Open and close (one libpq connection),
 * statements with bound parameters, transactions and savepoints, the schema
 * and its migration at open, the backend's table.
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

struct pg {
	struct store base;
	PGconn *conn;
	pthread_mutex_t mu;  /* recursive: the connection, and a transaction from BEGIN to COMMIT */
	pthread_t tx_owner;  /* valid while depth > 0 */
	int depth;           /* transactions and savepoints open */
	bool ro;             /* the transaction open is a read snapshot (pg_read) */
	unsigned savepoints; /* names savepoints */
};
#define PG(s) ((struct pg *)(s))

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

static enum store_result map_error(PGconn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(conn) != CONNECTION_OK)
		return STORE_BUSY; /* the connection is lost: made again before the next transaction
		                    */
	if (state == NULL)
		return STORE_IO;
	if (strcmp(state, "23505") == 0) /* unique_violation */
		return STORE_EXISTS;
	if (strcmp(state, "23503") == 0) /* foreign_key_violation: a row that is not there */
		return STORE_NOT_FOUND;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return STORE_BUSY;        /* serialization, deadlock, lock or statement timeout */
	if (strncmp(state, "54", 2) == 0) /* program limit exceeded */
		return STORE_TOO_LARGE;
	if (strncmp(state, "53", 2) == 0) /* insufficient resources */
		return STORE_IO;
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "XX", 2) == 0)
		return STORE_CORRUPT;
	return STORE_IO;
}

/* The session's settings: bounded waits (a lock held elsewhere is STORE_BUSY after 10 s). */
static const char SESSION_SETUP[] = "SELECT set_config('lock_timeout', '10s', false),"
                                    " set_config('synchronous_commit', 'on', false),"
                                    " set_config('client_min_messages', 'warning', false)";

/*
 * Between transactions only (depth 0): a connection lost (the server
 * restarted, a network cut) is made again, with its settings, before the
 * next statement; STORE_BUSY while the server cannot be reached, so that a
 * door answers 503 and a later request finds it back. Inside a transaction
 * a lost connection fails the transaction (the server rolled it back).
 */
static enum store_result reconnect(struct pg *g)
{
	if (g->depth > 0 || PQstatus(g->conn) == CONNECTION_OK)
		return STORE_OK;
	PQreset(g->conn);
	if (PQstatus(g->conn) != CONNECTION_OK)
		return STORE_BUSY;
	PGresult *q = PQexec(g->conn, SESSION_SETUP);
	enum store_result r = PQresultStatus(q) == PGRES_TUPLES_OK ? STORE_OK : STORE_BUSY;
	PQclear(q);
	return r;
}

static enum store_result raw_exec(struct pg *g, const char *sql, const struct pg_params *p,
                                  PGresult **res)
{
	enum store_result r = reconnect(g);
	if (r != STORE_OK) {
		if (res != NULL)
			*res = NULL;
		return r;
	}
	PGresult *q = PQexecParams(g->conn, sql, p ? p->n : 0, NULL, p ? p->val : NULL,
	                           p ? p->len : NULL, p ? p->fmt : NULL, 1);
	ExecStatusType st = PQresultStatus(q);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		r = q == NULL ? STORE_NOMEM : map_error(g->conn, q);
		PQclear(q);
		q = NULL;
	}
	if (res != NULL)
		*res = q;
	else
		PQclear(q);
	return r;
}

/* Runs a script of our own (several statements, no parameters): the schema's steps. */
static enum store_result script_exec(struct store *s, const char *sql)
{
	struct pg *g = PG(s);
	pg_lock(s);
	enum store_result r = reconnect(g);
	if (r != STORE_OK) {
		pg_unlock(s);
		return r;
	}
	PGresult *q = PQexec(g->conn, sql);
	r = q == NULL                               ? STORE_NOMEM
	    : PQresultStatus(q) == PGRES_COMMAND_OK ? STORE_OK
	                                            : map_error(g->conn, q);
	PQclear(q);
	pg_unlock(s);
	return r;
}

/* The result of one query of a pipeline, and the NULL that ends it. */
static PGresult *pipe_result(struct pg *g)
{
	PGresult *q = PQgetResult(g->conn);
	if (q != NULL) {
		PGresult *end = PQgetResult(g->conn);
		PQclear(end); /* NULL, unless the protocol is broken */
	}
	return q;
}

/*
 * SAVEPOINT, sql and RELEASE in one round trip (libpq's pipeline mode).
 * On a failure of sql the pipeline is aborted up to its sync, and the
 * savepoint is then rolled back to and released in a second round trip.
 */
static enum store_result savepoint_exec(struct pg *g, const char *sql, const struct pg_params *p,
                                        PGresult **res)
{
	enum store_result r = STORE_IO;
	PGresult *q = NULL;
	bool sp_ok = false; /* the savepoint was made */
	if (PQenterPipelineMode(g->conn) != 1)
		return STORE_IO;
	int sent = PQsendQueryParams(g->conn, "SAVEPOINT stmt", 0, NULL, NULL, NULL, NULL, 1) &&
	           PQsendQueryParams(g->conn, sql, p ? p->n : 0, NULL, p ? p->val : NULL,
	                             p ? p->len : NULL, p ? p->fmt : NULL, 1) &&
	           PQsendQueryParams(g->conn, "RELEASE SAVEPOINT stmt", 0, NULL, NULL, NULL, NULL,
	                             1) &&
	           PQpipelineSync(g->conn);
	if (sent) {
		PGresult *sp = pipe_result(g);
		sp_ok = PQresultStatus(sp) == PGRES_COMMAND_OK;
		q = pipe_result(g);
		ExecStatusType st = PQresultStatus(q);
		r = !sp_ok                                            ? map_error(g->conn, sp)
		    : q == NULL                                       ? STORE_NOMEM
		    : st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? STORE_OK
		    : st == PGRES_PIPELINE_ABORTED                    ? STORE_IO
		                                                      : map_error(g->conn, q);
		PQclear(sp);
		PGresult *rel = pipe_result(g);
		if (r == STORE_OK && PQresultStatus(rel) != PGRES_COMMAND_OK)
			r = map_error(g->conn, rel);
		PQclear(rel);
		PGresult *sync = PQgetResult(g->conn); /* PGRES_PIPELINE_SYNC */
		if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC && r == STORE_OK)
			r = STORE_IO;
		PQclear(sync);
	}
	if (PQexitPipelineMode(g->conn) != 1 && r == STORE_OK)
		r = STORE_IO;
	if (r != STORE_OK) {
		PQclear(q);
		q = NULL;
		/* sql failed after the savepoint: undo it alone, then drop the savepoint */
		if (sp_ok && raw_exec(g, "ROLLBACK TO SAVEPOINT stmt", NULL, NULL) == STORE_OK)
			(void)raw_exec(g, "RELEASE SAVEPOINT stmt", NULL, NULL);
	}
	if (res != NULL)
		*res = q;
	else
		PQclear(q);
	return r;
}

/*
 * A failed statement aborts PostgreSQL's whole transaction; the contract
 * wants a failing call inside store_write to roll back alone. So inside a
 * transaction each statement runs under a savepoint of its own, sent with
 * it in one round trip (savepoint_exec).
 */
enum store_result pg_exec(struct store *s, const char *sql, const struct pg_params *p,
                          PGresult **res)
{
	struct pg *g = PG(s);
	enum store_result r;
	pg_lock(s);
	if (g->depth == 0 || g->ro)
		r = raw_exec(g, sql, p, res);
	else
		r = savepoint_exec(g, sql, p, res);
	pg_unlock(s);
	return r;
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

/* ---- transactions ---- */

void pg_lock(struct store *s)
{
	pthread_mutex_lock(&PG(s)->mu);
}

void pg_unlock(struct store *s)
{
	pthread_mutex_unlock(&PG(s)->mu);
}

bool pg_in_tx(struct store *s)
{
	struct pg *g = PG(s);
	pg_lock(s); /* recursive: the owner gets it at once */
	bool in = g->depth > 0 && !g->ro && pthread_equal(g->tx_owner, pthread_self());
	pg_unlock(s);
	return in;
}

static enum store_result
tx_run(struct store *s, enum store_result (*fn)(struct store *s, void *arg), void *arg, bool lazy)
{
	struct pg *g = PG(s);
	enum store_result r, e;
	char name[40], sql[80];
	pg_lock(s);
	bool nested = g->depth > 0;
	if (nested) {
		int k = snprintf(name, sizeof(name), "sp%u", g->savepoints++);
		if (k < 0 || (size_t)k >= sizeof(name)) {
			pg_unlock(s);
			return STORE_IO;
		}
		/* the name is ours (a counter), not a value: SAVEPOINT takes no parameters */
		k = snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
		r = k > 0 && (size_t)k < sizeof(sql) ? raw_exec(g, sql, NULL, NULL) : STORE_IO;
	} else {
		r = lazy ? script_exec(s, "BEGIN ISOLATION LEVEL READ COMMITTED;"
		                          " SET LOCAL synchronous_commit TO off")
		         : raw_exec(g, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, NULL);
	}
	if (r != STORE_OK) {
		pg_unlock(s);
		return r;
	}
	if (g->depth++ == 0)
		g->tx_owner = pthread_self();
	r = fn(s, arg);
	if (nested) {
		int k = snprintf(
		        sql, sizeof(sql),
		        r == STORE_OK ? "RELEASE SAVEPOINT %s" : "ROLLBACK TO SAVEPOINT %s", name);
		if (k > 0 && (size_t)k < sizeof(sql) &&
		    (e = raw_exec(g, sql, NULL, NULL)) == STORE_OK && r != STORE_OK) {
			/* ROLLBACK TO keeps the savepoint: release it too */
			k = snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT %s", name);
			e = k > 0 && (size_t)k < sizeof(sql) ? raw_exec(g, sql, NULL, NULL)
			                                     : STORE_IO;
		} else if (k <= 0 || (size_t)k >= sizeof(sql)) {
			e = STORE_IO;
		}
	} else {
		e = raw_exec(g, r == STORE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL);
	}
	g->depth--;
	if (g->depth == 0)
		g->savepoints = 0;
	pg_unlock(s);
	return r != STORE_OK ? r : e;
}

enum store_result pg_tx(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                        void *arg)
{
	return tx_run(s, fn, arg, false);
}

enum store_result pg_tx_lazy(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                             void *arg)
{
	return tx_run(s, fn, arg, true);
}

enum store_result pg_read(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                          void *arg)
{
	struct pg *g = PG(s);
	enum store_result r, e;
	pg_lock(s); /* recursive: inside this thread's transaction, at once */
	if (g->depth > 0) {
		r = fn(s, arg);
		pg_unlock(s);
		return r;
	}
	r = raw_exec(g, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL);
	if (r == STORE_OK) {
		g->depth = 1;
		g->ro = true;
		g->tx_owner = pthread_self();
		r = fn(s, arg);
		g->ro = false;
		g->depth = 0;
		e = raw_exec(g, "COMMIT", NULL, NULL);
		if (r == STORE_OK)
			r = e;
	}
	pg_unlock(s);
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
		if ((r = script_exec(s, steps[i])) != STORE_OK)
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
	PQfinish(g->conn);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

/* libpq's port, given or its default (5432), for a TCP host and a Unix socket alike. */
static uint16_t pg_net_port(struct store *s)
{
	struct pg *g = PG(s);
	const char *p = g->conn != NULL ? PQport(g->conn) : NULL;
	uint64_t v = 0;
	return p != NULL && num_parse_u64(p, &v) == 0 && v > 0 && v <= 65535 ? (uint16_t)v : 5432;
}

static enum store_result pg_open(const char *location, struct store **out)
{
	pthread_mutexattr_t ma;
	enum store_result r;
	*out = NULL;
	if (has_password(location))
		return STORE_NOT_FOUND;
	struct pg *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return STORE_NOMEM;
	g->base.be = &store_backend_pg;
	if (pthread_mutexattr_init(&ma) != 0) {
		free(g);
		return STORE_NOMEM;
	}
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	int rc = pthread_mutex_init(&g->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (rc != 0) {
		free(g);
		return STORE_NOMEM;
	}
	g->conn = PQconnectdb(location);
	if (g->conn == NULL || PQstatus(g->conn) != CONNECTION_OK) {
		r = g->conn == NULL ? STORE_NOMEM : STORE_IO;
		goto fail;
	}
	/* bounded waits: a lock held elsewhere is STORE_BUSY after 10 s, not a hang */
	if ((r = pg_exec(&g->base, SESSION_SETUP, NULL, NULL)) != STORE_OK ||
	    (r = pg_tx(&g->base, migrate_fn, NULL)) != STORE_OK ||
	    (r = pg_exec(&g->base, PENDING_DELETE, NULL, NULL)) != STORE_OK)
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
