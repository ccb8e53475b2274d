/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_conn: the connections of the PostgreSQL backend, its statements
 * and its transactions.
 *
 * A store has one writer connection and a small pool of connections
 * (PG_POOL, each made when first needed) for reads and for the lazy
 * transactions of pending blobs and sessions.
 *
 * Group commit: a write transaction (pg_tx, store_write) of a request thread
 * is queued for the writer; the first waiting thread that finds no batch
 * running leads the next one (writer_submit): it takes every queued job,
 * BEGINs one batch transaction on the writer's connection, takes the ledger's
 * advisory lock once for the batch, runs each job's function in a SAVEPOINT
 * of its own (a failing job is rolled back to its savepoint alone, the others
 * go on), and COMMITs the batch once: one commit (one WAL fsync, one hold of
 * the ledger's lock) for every job of the batch. A job's result is given only
 * after that COMMIT returned (synchronous_commit on): nothing is acknowledged
 * before it is durable. If the batch cannot commit (the connection lost), each
 * of its jobs fails with the commit's error. Savepoint statements of ours are
 * deferred to the next statement's round trip (pipeline mode).
 *
 * A thread holds connections of a store in a thread-local stack (nested
 * holds counted; the latest is used): a batch's leader the writer's, a
 * request thread a pool connection while it runs a statement, a read snapshot
 * (pg_read) or a lazy transaction. Calls made inside a held connection's
 * transaction run in it: a job's reads see its own writes, a nested write is
 * a savepoint.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"

#include "lib/banned.h"

/* ---- errors and settings ---- */

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
 * Whether the server spoke on an idle connection: nothing is asked, so it is
 * its farewell (a restart, the connection terminated) or the socket's end.
 */
static bool idle_closed(PGconn *conn)
{
	struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
	return p.fd < 0 || poll(&p, 1, 0) != 0;
}

/*
 * Between transactions only (depth 0): a connection not made yet, or lost
 * (the server restarted, a network cut), is made, with its settings, before
 * the next statement; STORE_BUSY while the server cannot be reached, so that
 * a door answers 503 and a later request finds it back. Inside a transaction
 * a lost connection fails the transaction (the server rolled it back).
 */
enum store_result pg_conn_ready(struct pg_conn *c)
{
	if (c->depth > 0)
		return STORE_OK;
	if (c->conn == NULL) {
		c->conn = PQconnectdb(c->g->location);
		c->setup = false;
		if (c->conn == NULL)
			return STORE_NOMEM;
	} else if (PQstatus(c->conn) != CONNECTION_OK || idle_closed(c->conn)) {
		PQreset(c->conn);
		c->setup = false;
	}
	if (PQstatus(c->conn) != CONNECTION_OK)
		return STORE_BUSY;
	if (c->setup)
		return STORE_OK;
	PGresult *q = PQexec(c->conn, SESSION_SETUP);
	enum store_result r = PQresultStatus(q) == PGRES_TUPLES_OK ? STORE_OK : STORE_BUSY;
	PQclear(q);
	c->setup = r == STORE_OK;
	return r;
}

/* ---- holding a connection ---- */

/* The connections this thread holds, one per store at most. */
#define HELD_MAX 4
static _Thread_local struct pg_conn *held_by_me[HELD_MAX];

static struct pg_conn *held(struct pg *g)
{
	for (int i = HELD_MAX - 1; i >= 0; i--) /* the latest first: a leader's writer */
		if (held_by_me[i] != NULL && held_by_me[i]->g == g)
			return held_by_me[i];
	return NULL;
}

void pg_conn_enter(struct pg_conn *c)
{
	int top = HELD_MAX - 1; /* pushed above the highest held: held() finds it first */
	while (top >= 0 && held_by_me[top] == NULL)
		top--;
	if (top + 1 >= HELD_MAX)
		abort(); /* a bug: a thread holds one connection per store, of a few stores */
	held_by_me[top + 1] = c;
	c->holds = 1;
}

void pg_conn_leave(struct pg_conn *c)
{
	for (int i = 0; i < HELD_MAX; i++)
		if (held_by_me[i] == c)
			held_by_me[i] = NULL;
	c->holds = 0;
}

/* The connection this thread holds, or a free one of the pool (waited for). */
static struct pg_conn *hold(struct pg *g)
{
	struct pg_conn *c = held(g);
	if (c != NULL) {
		c->holds++;
		return c;
	}
	pthread_mutex_lock(&g->mu);
	for (;;) {
		for (int i = 0; i < PG_POOL && c == NULL; i++)
			if (!g->pool[i].taken)
				c = &g->pool[i];
		if (c != NULL)
			break;
		pthread_cond_wait(&g->freed, &g->mu);
	}
	c->taken = true;
	pthread_mutex_unlock(&g->mu);
	pg_conn_enter(c);
	return c;
}

static void unhold(struct pg_conn *c)
{
	if (--c->holds > 0)
		return;
	pg_conn_leave(c);
	if (c == &c->g->writer)
		return; /* the writer's: held again by its thread */
	pthread_mutex_lock(&c->g->mu);
	c->taken = false;
	pthread_cond_signal(&c->g->freed);
	pthread_mutex_unlock(&c->g->mu);
}

void pg_lock(struct store *s)
{
	(void)hold(PG(s));
}

void pg_unlock(struct store *s)
{
	struct pg_conn *c = held(PG(s));
	if (c != NULL)
		unhold(c);
}

bool pg_in_tx(struct store *s)
{
	struct pg_conn *c = held(PG(s));
	return c != NULL && c->depth > 0 && !c->ro;
}

/* ---- statements ---- */

static enum store_result pipe_exec(struct pg_conn *c, const char *sql, const struct pg_params *p,
                                   PGresult **res, bool wrap);

/* sql on c: in one round trip with the savepoint statements deferred (c->pending), if any. */
static enum store_result raw_exec(struct pg_conn *c, const char *sql, const struct pg_params *p,
                                  PGresult **res)
{
	if (c->npending > 0)
		return pipe_exec(c, sql, p, res, false);
	enum store_result r = pg_conn_ready(c);
	if (r != STORE_OK) {
		if (res != NULL)
			*res = NULL;
		return r;
	}
	PGresult *q = PQexecParams(c->conn, sql, p ? p->n : 0, NULL, p ? p->val : NULL,
	                           p ? p->len : NULL, p ? p->fmt : NULL, 1);
	ExecStatusType st = PQresultStatus(q);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		r = q == NULL ? STORE_NOMEM : map_error(c->conn, q);
		PQclear(q);
		q = NULL;
	}
	if (res != NULL)
		*res = q;
	else
		PQclear(q);
	return r;
}

/* The deferred savepoint statements sent now (before a script, or when the list is full). */
static enum store_result flush_pending(struct pg_conn *c)
{
	return c->npending > 0 ? pipe_exec(c, NULL, NULL, NULL, false) : STORE_OK;
}

/*
 * A savepoint statement of ours (SAVEPOINT spN, RELEASE SAVEPOINT spN),
 * deferred: sent in the pipeline of the next statement, so that it costs no
 * round trip of its own. Its failure (the transaction lost) fails that one.
 */
static enum store_result defer(struct pg_conn *c, bool release, unsigned n)
{
	enum store_result r;
	if (c->npending == PG_PENDING_MAX && (r = flush_pending(c)) != STORE_OK)
		return r;
	int k = release ? snprintf(c->pending[c->npending], sizeof(c->pending[0]),
	                           "RELEASE SAVEPOINT sp%u", n)
	                : snprintf(c->pending[c->npending], sizeof(c->pending[0]), "SAVEPOINT sp%u",
	                           n);
	if (k <= 0 || (size_t)k >= sizeof(c->pending[0]))
		return STORE_IO;
	c->npending++;
	return STORE_OK;
}

/* A script of our own (several statements, no parameters), on c; its last result decides. */
static enum store_result conn_script(struct pg_conn *c, const char *sql)
{
	enum store_result r = flush_pending(c);
	if (r == STORE_OK)
		r = pg_conn_ready(c);
	if (r != STORE_OK)
		return r;
	PGresult *q = PQexec(c->conn, sql);
	ExecStatusType st = PQresultStatus(q);
	r = q == NULL                                         ? STORE_NOMEM
	    : st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? STORE_OK
	                                                      : map_error(c->conn, q);
	PQclear(q);
	return r;
}

enum store_result pg_script(struct store *s, const char *sql)
{
	struct pg_conn *c = hold(PG(s));
	enum store_result r = conn_script(c, sql);
	unhold(c);
	return r;
}

/* The result of one query of a pipeline, and the NULL that ends it. */
static PGresult *pipe_result(PGconn *conn)
{
	PGresult *q = PQgetResult(conn);
	if (q != NULL) {
		PGresult *end = PQgetResult(conn);
		PQclear(end); /* NULL, unless the protocol is broken */
	}
	return q;
}

static int send_plain(PGconn *conn, const char *sql)
{
	return PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 1);
}

/* A result of ours that must be COMMAND_OK: r kept, or the error it maps to. */
static enum store_result expect_ok(PGconn *conn, enum store_result r)
{
	PGresult *q = pipe_result(conn);
	if (r == STORE_OK && PQresultStatus(q) != PGRES_COMMAND_OK)
		r = q == NULL ? STORE_IO : map_error(conn, q);
	PQclear(q);
	return r;
}

/*
 * In one round trip (libpq's pipeline mode): the deferred savepoint
 * statements, then sql (NULL: none), under SAVEPOINT stmt .. RELEASE when
 * wrap. On a failure of sql the pipeline is aborted up to its sync, and the
 * savepoint is then rolled back to and released in a second round trip.
 */
static enum store_result pipe_exec(struct pg_conn *c, const char *sql, const struct pg_params *p,
                                   PGresult **res, bool wrap)
{
	enum store_result r = STORE_IO;
	PGresult *q = NULL;
	PGconn *conn = c->conn;
	int npending = c->npending;
	bool sp_ok = false; /* the savepoint was made */
	c->npending = 0;
	if (res != NULL)
		*res = NULL;
	if (conn == NULL || PQenterPipelineMode(conn) != 1)
		return STORE_IO;
	int sent = 1;
	for (int i = 0; i < npending && sent; i++)
		sent = send_plain(conn, c->pending[i]);
	if (sent && sql != NULL)
		sent = (!wrap || send_plain(conn, "SAVEPOINT stmt")) &&
		       PQsendQueryParams(conn, sql, p ? p->n : 0, NULL, p ? p->val : NULL,
		                         p ? p->len : NULL, p ? p->fmt : NULL, 1) &&
		       (!wrap || send_plain(conn, "RELEASE SAVEPOINT stmt"));
	sent = sent && PQpipelineSync(conn);
	if (sent) {
		r = STORE_OK;
		for (int i = 0; i < npending; i++)
			r = expect_ok(conn, r);
		if (sql != NULL) {
			if (wrap) {
				bool before = r == STORE_OK;
				r = expect_ok(conn, r);
				sp_ok = before && r == STORE_OK;
			}
			q = pipe_result(conn);
			ExecStatusType st = PQresultStatus(q);
			if (r == STORE_OK)
				r = q == NULL                                         ? STORE_NOMEM
				    : st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? STORE_OK
				    : st == PGRES_PIPELINE_ABORTED                    ? STORE_IO
				                                   : map_error(conn, q);
			if (wrap)
				r = expect_ok(conn, r);
		}
		PGresult *sync = PQgetResult(conn); /* PGRES_PIPELINE_SYNC */
		if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC && r == STORE_OK)
			r = STORE_IO;
		PQclear(sync);
	}
	if (PQexitPipelineMode(conn) != 1 && r == STORE_OK)
		r = STORE_IO;
	if (r != STORE_OK) {
		PQclear(q);
		q = NULL;
		/* sql failed after the savepoint: undo it alone, then drop the savepoint */
		if (sp_ok && raw_exec(c, "ROLLBACK TO SAVEPOINT stmt", NULL, NULL) == STORE_OK)
			(void)raw_exec(c, "RELEASE SAVEPOINT stmt", NULL, NULL);
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
 * write transaction each statement runs under a savepoint of its own, sent
 * with it in one round trip (pipe_exec).
 */
enum store_result pg_exec(struct store *s, const char *sql, const struct pg_params *p,
                          PGresult **res)
{
	struct pg_conn *c = hold(PG(s));
	enum store_result r;
	if (c->depth == 0 || c->ro)
		r = raw_exec(c, sql, p, res);
	else
		r = pipe_exec(c, sql, p, res, true);
	unhold(c);
	return r;
}

/* ---- transactions ---- */

/*
 * fn as a savepoint of c's transaction: rolled back alone if it fails. The
 * SAVEPOINT and, on success, its RELEASE are deferred to the next statement's
 * round trip (defer).
 */
static enum store_result savepoint_run(struct pg_conn *c, struct store *s,
                                       enum store_result (*fn)(struct store *s, void *arg),
                                       void *arg)
{
	enum store_result r, e;
	char sql[48];
	unsigned n = c->savepoints++;
	/* the name is ours (a counter), not a value: SAVEPOINT takes no parameters */
	if ((r = defer(c, false, n)) != STORE_OK)
		return r;
	c->depth++;
	r = fn(s, arg);
	c->depth--;
	if (r == STORE_OK)
		return defer(c, true, n);
	int k = snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT sp%u", n);
	e = k > 0 && (size_t)k < sizeof(sql) ? raw_exec(c, sql, NULL, NULL) : STORE_IO;
	if (e == STORE_OK) /* ROLLBACK TO keeps the savepoint: release it too */
		(void)defer(c, true, n);
	return r;
}

/* A BEGIN script failed after its BEGIN (a lock timeout): the transaction is rolled back. */
static void abandon(struct pg_conn *c)
{
	PGTransactionStatusType t = c->conn != NULL ? PQtransactionStatus(c->conn) : PQTRANS_IDLE;
	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
		(void)raw_exec(c, "ROLLBACK", NULL, NULL);
}

/* fn in a transaction of its own on c (held by this thread, depth 0): begin..commit. */
static enum store_result conn_tx(struct pg_conn *c, struct store *s,
                                 enum store_result (*fn)(struct store *s, void *arg), void *arg,
                                 bool lazy)
{
	enum store_result r =
	        lazy ? conn_script(c, "BEGIN ISOLATION LEVEL READ COMMITTED;"
	                              " SET LOCAL synchronous_commit TO off")
	             : raw_exec(c, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, NULL);
	if (r != STORE_OK) {
		abandon(c);
		return r;
	}
	c->depth = 1;
	r = fn(s, arg);
	enum store_result e = raw_exec(c, r == STORE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL);
	c->depth = 0;
	c->savepoints = 0;
	c->npending = 0;
	c->ledger_locked = false;
	return r != STORE_OK ? r : e;
}

/* BEGIN and the ledger's lock, in one round trip: the batch orders its appends across nodes. */
static const char BATCH_BEGIN[] = "BEGIN ISOLATION LEVEL READ COMMITTED;"
                                  " SELECT pg_advisory_xact_lock(" PG_LEDGER_LOCK ")";

/* One batch: every job in a savepoint of one transaction, committed once. */
static void run_batch(struct pg *g, struct pg_job *batch)
{
	struct pg_conn *c = &g->writer;
	enum store_result r = conn_script(c, BATCH_BEGIN);
	if (r != STORE_OK)
		abandon(c);
	if (r == STORE_OK) {
		c->depth = 1;
		c->ledger_locked = true; /* at the top: held until the COMMIT */
		for (struct pg_job *j = batch; j != NULL; j = j->next) {
			j->r = savepoint_run(c, &g->base, j->fn, j->arg);
			if (PQtransactionStatus(c->conn) != PQTRANS_INTRANS) {
				r = STORE_BUSY; /* the transaction is lost (the connection): all
				                   fail */
				break;
			}
		}
		enum store_result e =
		        raw_exec(c, r == STORE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL);
		if (r == STORE_OK)
			r = e;
		c->depth = 0;
		c->savepoints = 0;
		c->npending = 0;
		c->ledger_locked = false;
	}
	if (r != STORE_OK)
		for (struct pg_job *j = batch; j != NULL; j = j->next)
			if (j->r == STORE_OK) /* run and rolled back with the batch, or not run */
				j->r = r;
	g->batches++;
}

/*
 * A write transaction queued for the writer's next batch. The first waiting
 * thread that finds no batch running leads: it takes every queued job, runs
 * them on the writer's connection (held by it meanwhile) and wakes their
 * threads; the others sleep until their batch is done, or lead the next one.
 * No thread of its own: no hand-over to wait for when the machine is busy.
 */
static enum store_result
writer_submit(struct pg *g, enum store_result (*fn)(struct store *s, void *arg), void *arg)
{
	struct pg_job j = {.fn = fn, .arg = arg, .r = STORE_IO};
	pthread_mutex_lock(&g->mu);
	if (!g->running) {
		pthread_mutex_unlock(&g->mu);
		return STORE_IO; /* closed: a bug of the caller */
	}
	*g->tail = &j;
	g->tail = &j.next;
	while (!j.done) {
		if (g->leading) {
			pthread_cond_wait(&g->done, &g->mu);
			continue;
		}
		g->leading = true;
		struct pg_job *batch = g->head;
		g->head = NULL;
		g->tail = &g->head;
		pthread_mutex_unlock(&g->mu);
		for (struct pg_job *b = batch; b != NULL; b = b->next)
			b->r = STORE_OK; /* until it fails */
		pg_conn_enter(&g->writer);
		run_batch(g, batch);
		pg_conn_leave(&g->writer);
		pthread_mutex_lock(&g->mu);
		for (struct pg_job *b = batch, *next; b != NULL; b = next) {
			next = b->next; /* b is its thread's: gone once it sees done */
			b->done = true;
		}
		g->leading = false;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	return j.r;
}

enum store_result pg_writer_start(struct pg *g)
{
	g->tail = &g->head;
	g->running = true;
	return STORE_OK;
}

void pg_writer_stop(struct pg *g)
{
	g->running = false; /* closed: no thread of the store writes any more */
}

/*
 * A write transaction: a savepoint inside this thread's transaction; else a
 * transaction of its own on the writer's connection when this thread holds
 * it (the migration at open); else a lazy one on a pool connection, or a job
 * of the writer's next batch.
 */
static enum store_result
tx_run(struct store *s, enum store_result (*fn)(struct store *s, void *arg), void *arg, bool lazy)
{
	struct pg *g = PG(s);
	struct pg_conn *c = held(g);
	if (c != NULL && c->depth > 0) {
		c->holds++;
		enum store_result r = savepoint_run(c, s, fn, arg);
		unhold(c);
		return r;
	}
	if (!lazy && c != &g->writer)
		return writer_submit(g, fn, arg);
	c = hold(g);
	enum store_result r = conn_tx(c, s, fn, arg, lazy);
	unhold(c);
	return r;
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

enum store_result pg_ledger_lock(struct store *s)
{
	struct pg_conn *c = held(PG(s));
	if (c == NULL || c->depth == 0 || c->ro || c->ledger_locked)
		return STORE_OK; /* not in a write, or the batch holds it already */
	return pg_exec(s, "SELECT pg_advisory_xact_lock(" PG_LEDGER_LOCK ")", NULL, NULL);
}

enum store_result pg_read(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                          void *arg)
{
	struct pg_conn *c = hold(PG(s));
	enum store_result r, e;
	if (c->depth > 0) { /* inside this thread's transaction: its own writes seen */
		r = fn(s, arg);
		unhold(c);
		return r;
	}
	r = raw_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL);
	if (r == STORE_OK) {
		c->depth = 1;
		c->ro = true;
		r = fn(s, arg);
		c->ro = false;
		c->depth = 0;
		e = raw_exec(c, "COMMIT", NULL, NULL);
		if (r == STORE_OK)
			r = e;
	}
	unhold(c);
	return r;
}
