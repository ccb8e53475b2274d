/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg.h: the inside of the PostgreSQL backend, for its files only
 * (store_pg_<part>.c). Nothing outside the backend includes this.
 *
 * A writer connection (its thread commits the write transactions of every
 * request thread in batches: group commit) and a small pool of connections
 * for reads, each held by one thread at a time (store_pg_conn.c): the calls a
 * transaction's function makes join its transaction, and a nested write is a
 * savepoint. Every SQL statement goes through pg_exec with bound parameters
 * (PQexecParams); results come back in binary.
 */
#ifndef CUTOUT_CORE_STORE_PG_H
#define CUTOUT_CORE_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define PG_PARAMS_MAX 24

/* The connections of a store besides its writer's: reads, lazy transactions. */
#define PG_POOL 4
/* The ledger's advisory lock (any value of ours, other than the migration's). */
#define PG_LEDGER_LOCK "7306318716131314"

/* Savepoint statements deferred at most (then sent by themselves). */
#define PG_PENDING_MAX 16

struct pg;

/* One connection (store_pg_conn.c). */
struct pg_conn {
	struct pg *g;
	PGconn *conn;        /* NULL until first needed */
	bool setup;          /* the session's settings are made */
	bool taken;          /* a pool connection some thread holds (under g->mu) */
	bool ro;             /* the transaction open is a read snapshot (pg_read) */
	bool ledger_locked;  /* the transaction open holds the ledger's lock at its top */
	int depth;           /* transactions and savepoints open */
	int holds;           /* by the thread that holds it, nested */
	unsigned savepoints; /* names savepoints */
	/* savepoint statements deferred to the next statement's round trip */
	int npending;
	char pending[PG_PENDING_MAX][40];
};

/* A write transaction queued to the writer. */
struct pg_job {
	enum store_result (*fn)(struct store *s, void *arg);
	void *arg;
	enum store_result r;
	bool done;
	struct pg_job *next;
};

struct pg {
	struct store base;
	char *location;        /* the pool's connections are made from it */
	pthread_mutex_t mu;    /* the pool's taken flags, the queue */
	pthread_cond_t freed;  /* a pool connection was given back */
	pthread_cond_t done;   /* a batch is done */
	struct pg_conn writer; /* the writer thread's */
	struct pg_conn pool[PG_POOL];
	struct pg_job *head, **tail; /* the writer's queue */
	bool running;                /* open: writes are taken */
	bool leading;                /* a thread runs a batch now */
	uint64_t batches;            /* batches run (the leader's only) */
};
#define PG(s) ((struct pg *)(s))

/* c made or made again, with its settings, between transactions (STORE_BUSY: unreachable). */
enum store_result pg_conn_ready(struct pg_conn *c);
/* This thread holds c (at open, the writer's connection for the migration), or no longer. */
void pg_conn_enter(struct pg_conn *c);
void pg_conn_leave(struct pg_conn *c);
/* Writes taken (once the schema is migrated), or no longer (at close). */
enum store_result pg_writer_start(struct pg *g);
void pg_writer_stop(struct pg *g);
/* A script of our own (several statements, no parameters): the schema's steps. */
enum store_result pg_script(struct store *s, const char *sql);
/*
 * In a write transaction: the ledger's advisory lock, unless the writer's
 * batch holds it already (taken at its BEGIN). Outside one: nothing.
 */
enum store_result pg_ledger_lock(struct store *s);

/* The parameters of one statement: text for numbers, binary for bytes. */
struct pg_params {
	int n;
	const char *val[PG_PARAMS_MAX];
	int len[PG_PARAMS_MAX];
	int fmt[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
};

void pg_param_i64(struct pg_params *p, int64_t v);
void pg_param_bytes(struct pg_params *p, const uint8_t *v, size_t n); /* n <= STORE_CHUNK_MAX */
void pg_param_text(struct pg_params *p, const char *v);               /* NUL-terminated */
/* Bytes of any bounded size (n <= PG_VALUE_MAX), or NULL when n is 0 and null is set. */
#define PG_VALUE_MAX (2 * 1024 * 1024)
void pg_param_blob(struct pg_params *p, const uint8_t *v, size_t n, bool null);

/*
 * Runs sql with p (NULL: none). *res (if res is not NULL) gets the result,
 * which the caller PQclear()s; on failure *res is NULL.
 */
enum store_result pg_exec(struct store *s, const char *sql, const struct pg_params *p,
                          PGresult **res);
/* Runs sql; *rows: the rows it changed (or returned). */
enum store_result pg_exec_n(struct store *s, const char *sql, const struct pg_params *p,
                            int64_t *rows);

/* Column values of a binary result: an integer of 2, 4 or 8 bytes, a boolean. */
int64_t pg_i64(const PGresult *r, int row, int col);
/* A text column into out (cap bytes with the NUL): STORE_CORRUPT if NULL or longer. */
enum store_result pg_text(const PGresult *r, int row, int col, char *out, size_t cap);
/*
 * A bytea column into out: exactly cap bytes when exact (NULL or empty: zeros),
 * else at most cap (*len its length; NULL: 0). STORE_CORRUPT otherwise.
 */
enum store_result pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap,
                           size_t *len, bool exact);
/* The id a statement ... RETURNING id gave (STORE_CORRUPT if none). */
enum store_result pg_returned_id(struct store *s, const char *sql, const struct pg_params *p,
                                 store_id *out);
/* Runs sql with one integer parameter; *rows: the rows it changed (or returned). */
enum store_result pg_exec_id(struct store *s, const char *sql, int64_t id, int64_t *rows);

/*
 * Runs sql with p and hands each row to each(q, i, ctx): the first only
 * (first: no row is STORE_NOT_FOUND), or all, a row whose column 0 is NULL
 * skipped (owned: no row is STORE_NOT_FOUND, the listing of an owner, LEFT
 * JOINed, that is not there). each's first result other than STORE_OK
 * (STORE_STOP: its callback stopped) ends it and is returned.
 */
enum store_result pg_rows(struct store *s, const char *sql, const struct pg_params *p, bool first,
                          bool owned,
                          enum store_result (*each)(const PGresult *q, int i, void *ctx),
                          void *ctx);

/*
 * Runs fn(s, arg) in a transaction: BEGIN/COMMIT, or a savepoint when the
 * calling thread is already inside one of s's transactions. STORE_OK commits.
 */
enum store_result pg_tx(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                        void *arg);
/*
 * pg_tx whose commit, when it is not inside another transaction, does not
 * wait for its WAL to reach the disk (synchronous_commit off): for pending
 * blobs only, which a crash may lose (the contract says they are gone), and
 * which the commit that claims them makes durable with it (a synchronous
 * commit flushes the WAL up to itself, every earlier transaction included).
 */
enum store_result pg_tx_lazy(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                             void *arg);
/* Whether the calling thread is inside one of s's transactions. */
bool pg_in_tx(struct store *s);
/*
 * Runs fn(s, arg) on one read snapshot (REPEATABLE READ, READ ONLY); inside
 * one of s's transactions on this thread, in that transaction (its own
 * writes seen). fn's result is returned.
 */
enum store_result pg_read(struct store *s, enum store_result (*fn)(struct store *s, void *arg),
                          void *arg);
/* The connection's lock, for a read made of several statements (recursive). */
void pg_lock(struct store *s);
void pg_unlock(struct store *s);

/*
 * A domain's part of the schema: its numbered steps, migrated after the core
 * schema's in the order of store_pg.c's list; schema_part(name) counts them.
 */
struct pg_schema_part {
	const char *name;
	const char *const *steps;
	int nsteps;
};
extern const struct pg_schema_part pg_part_ledger, pg_part_officer, pg_part_desk, pg_part_registry,
        pg_part_release, pg_part_session, pg_part_liaison, pg_part_liaison_items, pg_part_witness,
        pg_part_safe;

/* The domains' operations (store_pg_<domain>.c). */
extern const struct store_ledger_ops pg_ledger_ops;
extern const struct store_officer_ops pg_officer_ops;
extern const struct store_desk_ops pg_desk_ops;
extern const struct store_registry_ops pg_registry_ops;
extern const struct store_release_ops pg_release_ops;
extern const struct store_copy_ops pg_copy_ops;       /* store_pg_copy.c */
extern const struct store_session_ops pg_session_ops; /* store_pg_session.c */
extern const struct store_liaison_ops pg_liaison_ops; /* store_pg_liaison.c */
extern const struct store_witness_ops pg_witness_ops; /* store_pg_witness.c */
extern const struct store_safe_ops pg_safe_ops;       /* store_pg_safe.c */

/* store_pg_blob.c */
enum store_result pg_meta_get(struct store *s, const char *key, uint8_t *val, size_t cap,
                              size_t *len);
enum store_result pg_meta_set(struct store *s, const char *key, const uint8_t *val, size_t len);
enum store_result pg_blob_create(struct store *s, store_id *out);
enum store_result pg_blob_append(struct store *s, store_id blob, const uint8_t *p, size_t n);
enum store_result pg_blob_put(struct store *s, const uint8_t *p, size_t n, store_id *out);
enum store_result pg_blob_read(struct store *s, store_id blob, store_chunk_fn fn, void *ctx);
enum store_result pg_blob_size(struct store *s, store_id blob, uint64_t *size);
/* store_pg_retention.c */
enum store_result pg_expire(struct store *s, enum store_expire kind, int32_t before,
                            struct store_expired *out, size_t max, size_t *n);
enum store_result pg_blob_list(struct store *s, store_id after, store_id *ids, size_t cap,
                               size_t *n);
enum store_result pg_blob_delete(struct store *s, store_id blob);
enum store_result pg_blob_claim(struct store *s, store_id blob);
/* Claims blob inside the current transaction (STORE_NOT_FOUND unless pending). */
enum store_result pg_claim(struct store *s, store_id blob);

/* store_pg_intake.c */
enum store_result pg_source_create(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                   const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out);
enum store_result pg_source_find(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                 struct store_source *out);
enum store_result pg_source_get(struct store *s, store_id id, struct store_source *out);
enum store_result pg_source_delete(struct store *s, store_id id);
enum store_result pg_source_list(struct store *s, int64_t offset, int64_t limit,
                                 int (*fn)(void *ctx, const struct store_source *src), void *ctx);
enum store_result pg_submission_commit(struct store *s, store_id source_id, int32_t day,
                                       const char *marking, uint32_t seal_version,
                                       store_id message_blob, const struct store_new_file *files,
                                       size_t nfiles, store_id *out);
/* Row i of a result of the columns id, source_id, day, message_blob, nfiles, read, marking,
 * seal_version. */
enum store_result pg_submission_row(const PGresult *q, int i, struct store_submission *out);
enum store_result pg_submission_get(struct store *s, store_id id, struct store_submission *out);
enum store_result pg_submission_list(struct store *s, store_id source_id, int64_t offset,
                                     int64_t limit,
                                     int (*fn)(void *ctx, const struct store_submission *sub),
                                     void *ctx);
enum store_result pg_submission_files(struct store *s, store_id submission_id,
                                      int (*fn)(void *ctx, const struct store_file *f), void *ctx);
enum store_result pg_submission_mark_read(struct store *s, store_id id);
enum store_result pg_submission_mark_unread(struct store *s, store_id id, int *changed);
enum store_result pg_submission_count_day(struct store *s, store_id source_id, int32_t day,
                                          int64_t *count);
enum store_result pg_reply_add(struct store *s, store_id source_id, int32_t day, store_id blob,
                               store_id *out);
enum store_result pg_reply_list(struct store *s, store_id source_id,
                                int (*fn)(void *ctx, const struct store_reply *r), void *ctx);
enum store_result pg_reply_delete(struct store *s, store_id source_id, store_id id);
enum store_result pg_reply_seal(struct store *s, store_id source_id, store_id id,
                                const struct store_reply_seal *rs);
enum store_result pg_reply_read(struct store *s, store_id source_id, int32_t day);
enum store_result pg_reply_tombstone(struct store *s, store_id source_id, store_id id, int32_t day);

#endif
