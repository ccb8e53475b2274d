/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_internal.h: what the files of the SQLite backend's core share
 * (store_sqlite.c: open, close, connections, checkpointer, pool, hooks;
 * store_sqlite_schema.c: the core schema and its migration;
 * store_sqlite_writer.c: the writer thread, jobs, group commit,
 * transactions; store_sqlite_blob.c: meta and blob rows;
 * store_sqlite_intake.c: sources, submissions, files, replies). The domain
 * files use store_sqlite.h only.
 */
#ifndef CUTOUT_CORE_STORE_SQLITE_INTERNAL_H
#define CUTOUT_CORE_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "core/store/blob_spill.h"
#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store.h"

/* The statements of the writer and the reader, cached per connection by index. */
enum stmt {
	S_BEGIN,
	S_BEGIN_READ,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_SYNC_FULL,
	S_SYNC_NORMAL,
	S_COUNT
};

#define DYN_MAX 512 /* statements keyed by address (sq_stmt) cached per connection */

struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	struct {
		const char *sql; /* the key: the address of a static string */
		sqlite3_stmt *st;
	} dyn[DYN_MAX];
	int sync_full;     /* -1 unknown, 0 NORMAL, 1 FULL */
	struct conn *next; /* in the read pool */
	struct job *job;   /* the writer's: the J_FN job running (sq_claim, sq_blob_drop) */
};

enum job_kind {
	J_FN, /* a function on the writer's connection (sq_write, sq_write_blobs) */
	J_TX, /* a transaction's function (store_write) */
};

/* A write, queued for the writer thread; the caller sleeps until done. */
struct job {
	enum job_kind kind;
	bool durable;
	bool done;
	enum store_result rc;
	pthread_cond_t cv;
	struct job *next;
	const struct blob_spill_claim *claims; /* the file-backed blobs it claims */
	size_t nclaims;
	bool dropped; /* it deleted blobs (sq_blob_drop, sq_drop_files) */
	sq_fn fn;
	store_tx_fn tx_fn;
	void *fn_arg;
	struct blob_files shred; /* files of the blobs it deleted, shredded after the commit */
};

struct sq {
	struct store base;
	char *path;
	int lock_fd;
	struct blob_spill *spill; /* PATH.blobs */

	struct conn writer;
	pthread_mutex_t mu; /* the job queue */
	pthread_cond_t work_cv;
	struct job *head, *tail;
	bool stop;
	pthread_t writer_thread;
	bool writer_started;

	sqlite3 *ck_db; /* the checkpointer's connection */
	pthread_mutex_t ck_mu;
	pthread_cond_t ck_cv;
	bool ck_want, ck_truncate, ck_stop;
	pthread_t ck_thread;
	bool ck_started;

	pthread_mutex_t pool_mu;
	struct conn *pool;
};

static inline struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

/* store_sqlite.c */
/* The cached core statement i of c (give it back with sq_done). */
__attribute__((warn_unused_result)) enum store_result sq_core(struct conn *c, enum stmt i,
                                                              sqlite3_stmt **out);
/* Steps the core statement i of c, which returns no row. */
enum store_result sq_core_exec(struct conn *c, enum stmt i);
enum store_result sq_set_sync(struct conn *c, bool full);
void sq_ck_wake(struct sq *s, bool truncate);
/* A read connection (inside a transaction: the writer's, to see its changes). */
__attribute__((warn_unused_result)) enum store_result sq_pool_get(struct sq *s, struct conn **out);
void sq_pool_put(struct sq *s, struct conn *c);
/*
 * Runs sql with ?1 = a (and ?2 = b if nparams is 2); STORE_NOT_FOUND if no
 * row, else *out is on its first row (give it back with sq_done).
 */
__attribute__((warn_unused_result)) enum store_result
sq_row(struct conn *c, const char *sql, int64_t a, int64_t b, int nparams, sqlite3_stmt **out);

/* store_sqlite_schema.c: applies the steps not yet applied (at open, before the threads). */
__attribute__((warn_unused_result)) enum store_result sq_migrate(struct conn *c);

/* store_sqlite_writer.c */
/* Whether the calling thread runs s's transaction (on the writer). */
bool sq_in_tx(const struct sq *s);
/* The writer thread (started by sq_open, stopped by sq_close). */
void *sq_writer_main(void *arg);
enum store_result sq_tx(struct store *st, const store_id *claim, size_t n, store_tx_fn fn,
                        void *arg);
bool sq_in_write(struct store *st);
/* The running job's claim of blob (its file and size), or NULL: not file-backed. */
const struct blob_spill_claim *sq_job_claim(struct conn *c, store_id blob);

/* store_sqlite_blob.c */
/* At the first open: deletes the pending blobs and the files no committed row claims. */
__attribute__((warn_unused_result)) enum store_result sq_blob_cleanup(struct sq *s);
/*
 * Inside a job (sq_write_blobs): collects the file of every row of sql (one
 * column, ?1 = id) for shredding after the commit, and marks the job as one
 * that deletes.
 */
__attribute__((warn_unused_result)) enum store_result sq_drop_files(struct conn *c, const char *sql,
                                                                    store_id id);
enum store_result sq_meta_get(struct store *st, const char *key, uint8_t *val, size_t cap,
                              size_t *len);
enum store_result sq_meta_set(struct store *st, const char *key, const uint8_t *val, size_t len);
enum store_result sq_blob_create(struct store *st, store_id *out);
enum store_result sq_blob_append(struct store *st, store_id blob, const uint8_t *p, size_t n);
enum store_result sq_blob_put(struct store *st, const uint8_t *p, size_t n, store_id *out);
enum store_result sq_blob_read(struct store *st, store_id blob, store_chunk_fn fn, void *ctx);
enum store_result sq_blob_size(struct store *st, store_id blob, uint64_t *size);
enum store_result sq_blob_delete(struct store *st, store_id blob);
enum store_result sq_blob_claim(struct store *st, store_id blob);

/* store_sqlite_intake.c */
enum store_result sq_source_create(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                   const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out);
enum store_result sq_source_find(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                 struct store_source *out);
enum store_result sq_source_get(struct store *st, store_id id, struct store_source *out);
enum store_result sq_source_delete(struct store *st, store_id id);
enum store_result sq_source_list(struct store *st, int64_t offset, int64_t limit,
                                 int (*fn)(void *ctx, const struct store_source *src), void *ctx);
enum store_result sq_submission_commit(struct store *st, store_id source_id, int32_t day,
                                       const char *marking, uint32_t seal_version,
                                       store_id message_blob, const struct store_new_file *files,
                                       size_t nfiles, store_id *out);
enum store_result sq_submission_get(struct store *st, store_id id, struct store_submission *out);
enum store_result sq_submission_list(struct store *st, store_id source_id, int64_t offset,
                                     int64_t limit,
                                     int (*fn)(void *ctx, const struct store_submission *sub),
                                     void *ctx);
enum store_result sq_submission_files(struct store *st, store_id submission_id,
                                      int (*fn)(void *ctx, const struct store_file *f), void *ctx);
enum store_result sq_submission_mark_read(struct store *st, store_id id);
enum store_result sq_submission_count_day(struct store *st, store_id source_id, int32_t day,
                                          int64_t *count);
enum store_result sq_reply_add(struct store *st, store_id source_id, int32_t day, store_id blob,
                               store_id *out);
enum store_result sq_reply_list(struct store *st, store_id source_id,
                                int (*fn)(void *ctx, const struct store_reply *r), void *ctx);
enum store_result sq_reply_delete(struct store *st, store_id source_id, store_id id);
enum store_result sq_reply_seal(struct store *st, store_id source_id, store_id id,
                                const struct store_reply_seal *rs);
enum store_result sq_reply_read(struct store *st, store_id source_id, int32_t day);
enum store_result sq_reply_tombstone(struct store *st, store_id source_id, store_id id,
                                     int32_t day);

/* store_sqlite_check.c */
enum store_result sq_check(struct store *st, bool quick, char *msg, size_t cap);
enum store_result sq_blob_list(struct store *st, store_id after, store_id *ids, size_t cap,
                               size_t *n);

/* store_sqlite_retention.c */
enum store_result sq_expire(struct store *st, enum store_expire kind, int32_t before,
                            struct store_expired *out, size_t max, size_t *n);

#endif
