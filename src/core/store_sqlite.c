/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite: the embedded store backend, one SQLite file in WAL mode.
 *
 * Writes: one writer thread owns the only writing connection. Callers queue a
 * job and sleep on it; the writer takes every queued job at once and runs the
 * non-durable ones (blob create/append, mark read) in one transaction with
 * synchronous=NORMAL (no fsync), then the durable ones in one transaction with
 * synchronous=FULL (the commit fsyncs the WAL, which also covers every earlier
 * non-durable frame). Each job runs inside its own SAVEPOINT, so a failing job
 * is rolled back alone. This is group commit: one fsync for many callers.
 *
 * Reads: a pool of read connections, one taken per call (WAL readers do not
 * block the writer nor each other). Statements are prepared once per
 * connection and cached.
 *
 * Checkpoints run on a third connection in a background thread, woken by the
 * WAL hook, so the writer never copies pages itself. After deletes, the
 * checkpointer tries a TRUNCATE checkpoint so the deleted ciphertext does not
 * linger in old WAL frames; secure_delete zeroes it in the database file.
 *
 * Blobs are pending from creation until a commit claims them. The first
 * process to open the file (an OFD lock on PATH-open tells) deletes pending
 * blobs, which can only be left by a crashed upload.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/store.h"

#include "lib/banned.h"

#define BUSY_TIMEOUT_MS 10000
#define CKPT_PAGES 4096     /* wake the checkpointer when the WAL holds this many pages */
#define TRUNCATE_WAIT_MS 50 /* longest a post-delete TRUNCATE checkpoint may stall writers */
#define KEY_MAX 256         /* a meta key */

/* ---- the schema, migrated in order; PRAGMA user_version counts applied steps ---- */

static const char *const migrations[] = {
        /* 1: the first schema */
        "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, val BLOB NOT NULL);"
        "CREATE TABLE blob(id INTEGER PRIMARY KEY, size INTEGER NOT NULL DEFAULT 0,"
        " nchunks INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 1);"
        "CREATE INDEX blob_pending ON blob(pending) WHERE pending = 1;"
        "CREATE TABLE blob_chunk(id INTEGER PRIMARY KEY,"
        " blob_id INTEGER NOT NULL REFERENCES blob(id) ON DELETE CASCADE,"
        " seq INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE(blob_id, seq));"
        "CREATE TABLE source(id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE,"
        " pk BLOB NOT NULL, created_day INTEGER NOT NULL, last_day INTEGER NOT NULL,"
        " nsubmissions INTEGER NOT NULL DEFAULT 0, nunread INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX source_activity ON source(last_day);"
        "CREATE TABLE submission(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES source(id), day INTEGER NOT NULL,"
        " marking TEXT NOT NULL, message_blob INTEGER NOT NULL, nfiles INTEGER NOT NULL,"
        " read INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX submission_source ON submission(source_id);"
        "CREATE INDEX submission_day ON submission(source_id, day);"
        "CREATE TABLE file(id INTEGER PRIMARY KEY,"
        " submission_id INTEGER NOT NULL REFERENCES submission(id),"
        " meta_blob INTEGER NOT NULL, data_blob INTEGER NOT NULL);"
        "CREATE INDEX file_submission ON file(submission_id);"
        "CREATE TABLE reply(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES source(id), day INTEGER NOT NULL,"
        " blob INTEGER NOT NULL);"
        "CREATE INDEX reply_source ON reply(source_id);",
        /* 2: the per-day count kept in the source row, so a quota check is O(1) */
        "ALTER TABLE source ADD COLUMN day_count INTEGER NOT NULL DEFAULT 0;"
        "UPDATE source SET day_count = (SELECT count(*) FROM submission s"
        " WHERE s.source_id = source.id AND s.day = source.last_day);",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- statements, prepared lazily and cached per connection ---- */

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_SYNC_FULL,
	S_SYNC_NORMAL,
	S_META_GET,
	S_META_SET,
	S_BLOB_CREATE,
	S_BLOB_GROW,
	S_CHUNK_INSERT,
	S_BLOB_SIZE,
	S_BLOB_READ,
	S_BLOB_DELETE,
	S_BLOB_CLAIM,
	S_PENDING_DELETE,
	S_SOURCE_CREATE,
	S_SOURCE_FIND,
	S_SOURCE_GET,
	S_SOURCE_LIST,
	S_SOURCE_BUMP,
	S_SOURCE_BLOBS_DELETE,
	S_SOURCE_FILES_DELETE,
	S_SOURCE_SUBS_DELETE,
	S_SOURCE_REPLIES_DELETE,
	S_SOURCE_DELETE,
	S_SUB_INSERT,
	S_FILE_INSERT,
	S_SUB_GET,
	S_SUB_LIST,
	S_SUB_FILES,
	S_SUB_MARK_READ,
	S_SUB_EXISTS,
	S_SOURCE_UNREAD_DEC,
	S_SUB_COUNT_DAY,
	S_REPLY_ADD,
	S_REPLY_LIST,
	S_REPLY_BLOB,
	S_REPLY_DELETE,
	S_COUNT
};

#define SOURCE_COLS "id, pk, created_day, last_day, nsubmissions, nunread"
#define SUB_COLS "id, source_id, day, message_blob, nfiles, read, marking"

static const char *const stmt_sql[S_COUNT] = {
        [S_BEGIN] = "BEGIN IMMEDIATE",
        [S_COMMIT] = "COMMIT",
        [S_ROLLBACK] = "ROLLBACK",
        [S_SAVEPOINT] = "SAVEPOINT job",
        [S_RELEASE] = "RELEASE job",
        [S_ROLLBACK_TO] = "ROLLBACK TO job",
        [S_SYNC_FULL] = "PRAGMA synchronous = FULL",
        [S_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
        [S_META_GET] = "SELECT val FROM meta WHERE key = ?1",
        [S_META_SET] = "INSERT INTO meta(key, val) VALUES (?1, ?2)"
                       " ON CONFLICT(key) DO UPDATE SET val = excluded.val",
        [S_BLOB_CREATE] = "INSERT INTO blob(size, nchunks, pending) VALUES (0, 0, 1)",
        [S_BLOB_GROW] = "UPDATE blob SET size = size + ?2, nchunks = nchunks + 1"
                        " WHERE id = ?1 AND pending = 1 RETURNING nchunks - 1",
        [S_CHUNK_INSERT] = "INSERT INTO blob_chunk(blob_id, seq, data) VALUES (?1, ?2, ?3)",
        [S_BLOB_SIZE] = "SELECT size FROM blob WHERE id = ?1",
        [S_BLOB_READ] = "SELECT c.data FROM blob b LEFT JOIN blob_chunk c ON c.blob_id = b.id"
                        " WHERE b.id = ?1 ORDER BY c.seq",
        [S_BLOB_DELETE] = "DELETE FROM blob WHERE id = ?1",
        [S_BLOB_CLAIM] = "UPDATE blob SET pending = 0 WHERE id = ?1 AND pending = 1",
        [S_PENDING_DELETE] = "DELETE FROM blob WHERE pending = 1",
        [S_SOURCE_CREATE] = "INSERT INTO source(lookup, pk, created_day, last_day)"
                            " VALUES (?1, ?2, ?3, ?3)",
        [S_SOURCE_FIND] = "SELECT " SOURCE_COLS " FROM source WHERE lookup = ?1",
        [S_SOURCE_GET] = "SELECT " SOURCE_COLS " FROM source WHERE id = ?1",
        [S_SOURCE_LIST] = "SELECT " SOURCE_COLS " FROM source"
                          " ORDER BY last_day DESC, id DESC LIMIT ?1 OFFSET ?2",
        [S_SOURCE_BUMP] = "UPDATE source SET nsubmissions = nsubmissions + 1,"
                          " nunread = nunread + 1,"
                          " day_count = CASE WHEN last_day = ?2 THEN day_count + 1"
                          " WHEN last_day < ?2 THEN 1 ELSE day_count END,"
                          " last_day = max(last_day, ?2) WHERE id = ?1",
        [S_SOURCE_BLOBS_DELETE] = "DELETE FROM blob WHERE id IN ("
                                  "SELECT message_blob FROM submission WHERE source_id = ?1"
                                  " UNION ALL SELECT f.meta_blob FROM file f JOIN submission s"
                                  " ON f.submission_id = s.id WHERE s.source_id = ?1"
                                  " UNION ALL SELECT f.data_blob FROM file f JOIN submission s"
                                  " ON f.submission_id = s.id WHERE s.source_id = ?1"
                                  " UNION ALL SELECT blob FROM reply WHERE source_id = ?1)",
        [S_SOURCE_FILES_DELETE] = "DELETE FROM file WHERE submission_id IN"
                                  " (SELECT id FROM submission WHERE source_id = ?1)",
        [S_SOURCE_SUBS_DELETE] = "DELETE FROM submission WHERE source_id = ?1",
        [S_SOURCE_REPLIES_DELETE] = "DELETE FROM reply WHERE source_id = ?1",
        [S_SOURCE_DELETE] = "DELETE FROM source WHERE id = ?1",
        [S_SUB_INSERT] = "INSERT INTO submission(source_id, day, marking, message_blob, nfiles)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)",
        [S_FILE_INSERT] = "INSERT INTO file(submission_id, meta_blob, data_blob)"
                          " VALUES (?1, ?2, ?3)",
        [S_SUB_GET] = "SELECT " SUB_COLS " FROM submission WHERE id = ?1",
        [S_SUB_LIST] = "SELECT " SUB_COLS " FROM submission WHERE source_id = ?1"
                       " ORDER BY id LIMIT ?2 OFFSET ?3",
        [S_SUB_FILES] = "SELECT id, submission_id, meta_blob, data_blob FROM file"
                        " WHERE submission_id = ?1 ORDER BY id",
        [S_SUB_MARK_READ] = "UPDATE submission SET read = 1 WHERE id = ?1 AND read = 0"
                            " RETURNING source_id",
        [S_SUB_EXISTS] = "SELECT 1 FROM submission WHERE id = ?1",
        [S_SOURCE_UNREAD_DEC] = "UPDATE source SET nunread = nunread - 1 WHERE id = ?1",
        [S_SUB_COUNT_DAY] = "SELECT coalesce((SELECT CASE WHEN last_day = ?2 THEN day_count"
                            " ELSE 0 END FROM source WHERE id = ?1), 0)",
        [S_REPLY_ADD] = "INSERT INTO reply(source_id, day, blob) VALUES (?1, ?2, ?3)",
        [S_REPLY_LIST] = "SELECT id, source_id, day, blob FROM reply WHERE source_id = ?1"
                         " ORDER BY id",
        [S_REPLY_BLOB] = "SELECT blob FROM reply WHERE id = ?1 AND source_id = ?2",
        [S_REPLY_DELETE] = "DELETE FROM reply WHERE id = ?1",
};

struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	int sync_full;     /* -1 unknown, 0 NORMAL, 1 FULL */
	struct conn *next; /* in the read pool */
};

/* ---- write jobs ---- */

enum job_kind {
	J_META_SET,
	J_BLOB_CREATE,
	J_BLOB_APPEND,
	J_BLOB_PUT,
	J_BLOB_DELETE,
	J_SOURCE_CREATE,
	J_SOURCE_DELETE,
	J_SUB_COMMIT,
	J_MARK_READ,
	J_REPLY_ADD,
	J_REPLY_DELETE,
};

struct job {
	enum job_kind kind;
	bool durable;
	bool done;
	enum store_result rc;
	pthread_cond_t cv;
	struct job *next;
	/* inputs (all owned by the caller, who sleeps until done) */
	store_id id, id2;
	int32_t day;
	const uint8_t *p, *p2;
	size_t n;
	const char *str;
	const struct store_new_file *files;
	size_t nfiles;
	/* output */
	store_id out;
};

struct sq {
	struct store base;
	char *path;
	int lock_fd;

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

static enum store_result map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return STORE_OK;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return STORE_NOT_FOUND;
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return STORE_EXISTS;
		return STORE_CORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_BUSY;
	case SQLITE_NOMEM:
		return STORE_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_CORRUPT;
	case SQLITE_TOOBIG:
		return STORE_TOO_LARGE;
	default:
		return STORE_IO;
	}
}

/* The cached statement i of c, reset and unbound. */
static enum store_result st_get(struct conn *c, enum stmt i, sqlite3_stmt **out)
{
	*out = NULL;
	if (c->st[i] == NULL) {
		int rc = sqlite3_prepare_v3(c->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                            &c->st[i], NULL);
		if (rc != SQLITE_OK)
			return map_rc(rc);
	}
	*out = c->st[i];
	return STORE_OK;
}

static void st_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Steps a statement that returns no row, then resets it. */
static enum store_result st_exec(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	enum store_result r = rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
	if (rc == SQLITE_ROW)
		r = STORE_OK; /* e.g. a PRAGMA that reports its value */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static enum store_result exec_id(struct conn *c, enum stmt i)
{
	sqlite3_stmt *st;
	enum store_result r = st_get(c, i, &st);
	return r != STORE_OK ? r : st_exec(st);
}

static enum store_result bind_ok(int rc)
{
	return rc == SQLITE_OK ? STORE_OK : map_rc(rc);
}

static void conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(c->st[i]);
		c->st[i] = NULL;
	}
	sqlite3_close(c->db);
	c->db = NULL;
}

static enum store_result conn_open(const char *path, struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->sync_full = -1;
	int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		enum store_result r = c->db ? map_rc(sqlite3_extended_errcode(c->db)) : STORE_NOMEM;
		conn_close(c);
		return r == STORE_OK ? STORE_IO : r;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	/* Constant pragmas: no parameters involved. */
	rc = sqlite3_exec(c->db,
	                  "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
	                  " PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;",
	                  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		enum store_result r = map_rc(rc);
		conn_close(c);
		return r;
	}
	return STORE_OK;
}

static enum store_result set_sync(struct conn *c, bool full)
{
	if (c->sync_full == (full ? 1 : 0))
		return STORE_OK;
	enum store_result r = exec_id(c, full ? S_SYNC_FULL : S_SYNC_NORMAL);
	c->sync_full = r == STORE_OK ? (full ? 1 : 0) : -1;
	return r;
}

/* ---- schema migration (at open, on the writer connection, before the threads) ---- */

static enum store_result user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? STORE_OK : map_rc(rc);
}

static enum store_result migrate(struct conn *c)
{
	enum store_result r;
	int v = 0;
	char sql[64];
	if (set_sync(c, true) != STORE_OK) /* not allowed inside a transaction */
		return STORE_IO;
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return map_rc(sqlite3_extended_errcode(c->db));
	if ((r = user_version(c->db, &v)) != STORE_OK)
		goto out;
	if (v > NMIGRATIONS || v < 0) {
		r = STORE_CORRUPT; /* written by a newer cutout */
		goto out;
	}
	for (int i = v; i < NMIGRATIONS; i++) {
		if (sqlite3_exec(c->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			r = map_rc(sqlite3_extended_errcode(c->db));
			goto out;
		}
	}
	if (v < NMIGRATIONS) {
		/* PRAGMA takes no parameters; the value is our own constant. */
		int n = snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NMIGRATIONS);
		if (n < 0 || (size_t)n >= sizeof(sql)) {
			r = STORE_IO;
			goto out;
		}
		if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			r = map_rc(sqlite3_extended_errcode(c->db));
			goto out;
		}
	}
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		r = map_rc(sqlite3_extended_errcode(c->db));
		goto out;
	}
	return STORE_OK;
out:
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return r == STORE_OK ? STORE_IO : r;
}

/* ---- the checkpointer ---- */

static void ck_wake(struct sq *s, bool truncate)
{
	pthread_mutex_lock(&s->ck_mu);
	s->ck_want = true;
	if (truncate)
		s->ck_truncate = true;
	pthread_cond_signal(&s->ck_cv);
	pthread_mutex_unlock(&s->ck_mu);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int npages)
{
	(void)db;
	(void)name;
	if (npages >= CKPT_PAGES)
		ck_wake(arg, false);
	return SQLITE_OK;
}

static void *ck_main(void *arg)
{
	struct sq *s = arg;
	pthread_mutex_lock(&s->ck_mu);
	for (;;) {
		while (!s->ck_want && !s->ck_stop)
			pthread_cond_wait(&s->ck_cv, &s->ck_mu);
		if (s->ck_stop)
			break;
		bool truncate = s->ck_truncate;
		s->ck_want = s->ck_truncate = false;
		pthread_mutex_unlock(&s->ck_mu);
		if (truncate) {
			/* Holds the write lock while it waits for readers: keep it short. */
			sqlite3_busy_timeout(s->ck_db, TRUNCATE_WAIT_MS);
			int rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL,
			                                   SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
			sqlite3_busy_timeout(s->ck_db, BUSY_TIMEOUT_MS);
			if (rc != SQLITE_OK)
				sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				                          NULL, NULL);
		} else {
			sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
			                          NULL);
		}
		pthread_mutex_lock(&s->ck_mu);
	}
	pthread_mutex_unlock(&s->ck_mu);
	return NULL;
}

/* ---- the jobs, run by the writer inside a transaction and a savepoint ---- */

static enum store_result claim_blob(struct conn *c, store_id blob)
{
	sqlite3_stmt *st;
	enum store_result r;
	if (blob <= 0)
		return STORE_NOT_FOUND;
	if ((r = st_get(c, S_BLOB_CLAIM, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, blob);
	if ((r = st_exec(st)) != STORE_OK)
		return r;
	return sqlite3_changes(c->db) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_result exec_with_id(struct conn *c, enum stmt i, store_id id, int *changes)
{
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = st_get(c, i, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, id);
	r = st_exec(st);
	if (changes)
		*changes = sqlite3_changes(c->db);
	return r;
}

static enum store_result job_blob_append(struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	int64_t seq;
	if ((r = st_get(c, S_BLOB_GROW, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)j->n);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
		st_done(st);
		return r;
	}
	seq = sqlite3_column_int64(st, 0);
	st_done(st);
	if ((r = st_get(c, S_CHUNK_INSERT, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, seq);
	if ((r = bind_ok(sqlite3_bind_blob(st, 3, j->p, (int)j->n, SQLITE_STATIC))) != STORE_OK) {
		st_done(st);
		return r;
	}
	return st_exec(st);
}

static enum store_result job_sub_commit(struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	store_id sub;

	if ((r = st_get(c, S_SOURCE_BUMP, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int(st, 2, j->day);
	if ((r = st_exec(st)) != STORE_OK)
		return r;
	if (sqlite3_changes(c->db) != 1)
		return STORE_NOT_FOUND;
	if (j->id2 != 0 && (r = claim_blob(c, j->id2)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_SUB_INSERT, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int(st, 2, j->day);
	if ((r = bind_ok(sqlite3_bind_text(st, 3, j->str, -1, SQLITE_STATIC))) != STORE_OK) {
		st_done(st);
		return r;
	}
	sqlite3_bind_int64(st, 4, j->id2);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)j->nfiles);
	if ((r = st_exec(st)) != STORE_OK)
		return r;
	sub = sqlite3_last_insert_rowid(c->db);
	for (size_t i = 0; i < j->nfiles; i++) {
		if ((r = claim_blob(c, j->files[i].meta_blob)) != STORE_OK)
			return r;
		if ((r = claim_blob(c, j->files[i].data_blob)) != STORE_OK)
			return r;
		if ((r = st_get(c, S_FILE_INSERT, &st)) != STORE_OK)
			return r;
		sqlite3_bind_int64(st, 1, sub);
		sqlite3_bind_int64(st, 2, j->files[i].meta_blob);
		sqlite3_bind_int64(st, 3, j->files[i].data_blob);
		if ((r = st_exec(st)) != STORE_OK)
			return r;
	}
	j->out = sub;
	return STORE_OK;
}

static enum store_result job_mark_read(struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = st_get(c, S_SUB_MARK_READ, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_id src = sqlite3_column_int64(st, 0);
		st_done(st);
		return exec_with_id(c, S_SOURCE_UNREAD_DEC, src, NULL);
	}
	st_done(st);
	if (rc != SQLITE_DONE)
		return map_rc(rc);
	/* Nothing changed: already read, or no such submission. */
	if ((r = st_get(c, S_SUB_EXISTS, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id);
	rc = sqlite3_step(st);
	st_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
}

static enum store_result job_reply_delete(struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	store_id blob;
	if ((r = st_get(c, S_REPLY_BLOB, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, j->id2);
	sqlite3_bind_int64(st, 2, j->id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		st_done(st);
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
	}
	blob = sqlite3_column_int64(st, 0);
	st_done(st);
	if ((r = exec_with_id(c, S_REPLY_DELETE, j->id2, NULL)) != STORE_OK)
		return r;
	return exec_with_id(c, S_BLOB_DELETE, blob, NULL);
}

static enum store_result job_source_delete(struct conn *c, struct job *j)
{
	static const enum stmt steps[] = {S_SOURCE_BLOBS_DELETE, S_SOURCE_FILES_DELETE,
	                                  S_SOURCE_SUBS_DELETE, S_SOURCE_REPLIES_DELETE,
	                                  S_SOURCE_DELETE};
	enum store_result r;
	int changes = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((r = exec_with_id(c, steps[i], j->id, &changes)) != STORE_OK)
			return r;
	return changes == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_result run_job(struct sq *s, struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	int changes = 0;
	(void)s;
	switch (j->kind) {
	case J_META_SET:
		if ((r = st_get(c, S_META_SET, &st)) != STORE_OK)
			return r;
		if ((r = bind_ok(sqlite3_bind_text(st, 1, j->str, -1, SQLITE_STATIC))) == STORE_OK)
			r = bind_ok(sqlite3_bind_blob(st, 2, j->n ? (const void *)j->p : "",
			                              (int)j->n, SQLITE_STATIC));
		if (r != STORE_OK) {
			st_done(st);
			return r;
		}
		return st_exec(st);
	case J_BLOB_CREATE:
		if ((r = exec_id(c, S_BLOB_CREATE)) == STORE_OK)
			j->out = sqlite3_last_insert_rowid(c->db);
		return r;
	case J_BLOB_APPEND:
		return job_blob_append(c, j);
	case J_BLOB_PUT:
		/* create and first chunk in one job: one writer round trip */
		if ((r = exec_id(c, S_BLOB_CREATE)) != STORE_OK)
			return r;
		j->out = sqlite3_last_insert_rowid(c->db);
		j->id = j->out;
		return j->n > 0 ? job_blob_append(c, j) : STORE_OK;
	case J_BLOB_DELETE:
		if ((r = exec_with_id(c, S_BLOB_DELETE, j->id, &changes)) != STORE_OK)
			return r;
		return changes == 1 ? STORE_OK : STORE_NOT_FOUND;
	case J_SOURCE_CREATE:
		if ((r = st_get(c, S_SOURCE_CREATE, &st)) != STORE_OK)
			return r;
		sqlite3_bind_blob(st, 1, j->p, STORE_LOOKUP_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, j->p2, STORE_PK_LEN, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, j->day);
		if ((r = st_exec(st)) == STORE_OK)
			j->out = sqlite3_last_insert_rowid(c->db);
		return r;
	case J_SOURCE_DELETE:
		return job_source_delete(c, j);
	case J_SUB_COMMIT:
		return job_sub_commit(c, j);
	case J_MARK_READ:
		return job_mark_read(c, j);
	case J_REPLY_ADD:
		if ((r = claim_blob(c, j->id2)) != STORE_OK)
			return r;
		if ((r = st_get(c, S_REPLY_ADD, &st)) != STORE_OK)
			return r;
		sqlite3_bind_int64(st, 1, j->id);
		sqlite3_bind_int(st, 2, j->day);
		sqlite3_bind_int64(st, 3, j->id2);
		if ((r = st_exec(st)) == STORE_OK)
			j->out = sqlite3_last_insert_rowid(c->db);
		return r;
	case J_REPLY_DELETE:
		return job_reply_delete(c, j);
	}
	return STORE_CORRUPT;
}

static bool job_deletes(const struct job *j)
{
	return j->kind == J_BLOB_DELETE || j->kind == J_SOURCE_DELETE || j->kind == J_REPLY_DELETE;
}

/* Runs a list of jobs in one transaction, then wakes their callers. */
static void run_batch(struct sq *s, struct job *list, bool durable)
{
	struct conn *c = &s->writer;
	enum store_result r;
	bool deleted = false;

	if ((r = set_sync(c, durable)) == STORE_OK)
		r = exec_id(c, S_BEGIN);
	if (r != STORE_OK) {
		for (struct job *j = list; j; j = j->next)
			j->rc = r;
		goto out;
	}
	for (struct job *j = list; j; j = j->next) {
		if ((r = exec_id(c, S_SAVEPOINT)) != STORE_OK) {
			j->rc = r;
			continue;
		}
		j->rc = run_job(s, c, j);
		if (j->rc != STORE_OK) {
			j->out = 0;
			if (exec_id(c, S_ROLLBACK_TO) != STORE_OK)
				j->rc = STORE_IO;
		} else if (job_deletes(j)) {
			deleted = true;
		}
		(void)exec_id(c, S_RELEASE);
	}
	r = exec_id(c, S_COMMIT);
	if (r != STORE_OK) {
		if (!sqlite3_get_autocommit(c->db))
			(void)exec_id(c, S_ROLLBACK);
		for (struct job *j = list; j; j = j->next) {
			if (j->rc == STORE_OK)
				j->rc = r;
			j->out = 0;
		}
		deleted = false;
	}
out:
	if (deleted)
		ck_wake(s, true);
	pthread_mutex_lock(&s->mu);
	while (list) {
		struct job *next = list->next; /* the caller may free list once done */
		list->done = true;
		pthread_cond_signal(&list->cv);
		list = next;
	}
	pthread_mutex_unlock(&s->mu);
}

static void *writer_main(void *arg)
{
	struct sq *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stop)
			pthread_cond_wait(&s->work_cv, &s->mu);
		struct job *all = s->head;
		s->head = s->tail = NULL;
		pthread_mutex_unlock(&s->mu);
		if (all == NULL)
			break; /* stopping, and nothing left to do */
		struct job *fast = NULL, **ft = &fast, *slow = NULL, **sl = &slow;
		while (all) {
			struct job *next = all->next;
			all->next = NULL;
			if (all->durable) {
				*sl = all;
				sl = &all->next;
			} else {
				*ft = all;
				ft = &all->next;
			}
			all = next;
		}
		if (fast)
			run_batch(s, fast, false);
		if (slow)
			run_batch(s, slow, true);
	}
	return NULL;
}

/* Queues j and sleeps until the writer has run it. */
static enum store_result submit(struct sq *s, struct job *j, enum job_kind kind)
{
	j->kind = kind;
	j->durable = !(kind == J_BLOB_CREATE || kind == J_BLOB_APPEND || kind == J_BLOB_PUT ||
	               kind == J_MARK_READ);
	j->done = false;
	j->next = NULL;
	j->rc = STORE_IO;
	j->out = 0;
	if (pthread_cond_init(&j->cv, NULL) != 0)
		return STORE_NOMEM;
	pthread_mutex_lock(&s->mu);
	if (s->stop) {
		pthread_mutex_unlock(&s->mu);
		pthread_cond_destroy(&j->cv);
		return STORE_IO;
	}
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->work_cv);
	while (!j->done)
		pthread_cond_wait(&j->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&j->cv);
	return j->rc;
}

/* ---- the read pool ---- */

static enum store_result pool_get(struct sq *s, struct conn **out)
{
	pthread_mutex_lock(&s->pool_mu);
	struct conn *c = s->pool;
	if (c)
		s->pool = c->next;
	pthread_mutex_unlock(&s->pool_mu);
	if (c == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return STORE_NOMEM;
		enum store_result r = conn_open(s->path, c);
		if (r != STORE_OK) {
			free(c);
			return r;
		}
	}
	c->next = NULL;
	*out = c;
	return STORE_OK;
}

static void pool_put(struct sq *s, struct conn *c)
{
	pthread_mutex_lock(&s->pool_mu);
	c->next = s->pool;
	s->pool = c;
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- the backend functions ---- */

static struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

static void sq_close(struct store *st)
{
	struct sq *s = SQ(st);
	if (s == NULL)
		return;
	if (s->writer_started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->work_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->writer_thread, NULL);
	}
	if (s->ck_started) {
		pthread_mutex_lock(&s->ck_mu);
		s->ck_stop = true;
		pthread_cond_signal(&s->ck_cv);
		pthread_mutex_unlock(&s->ck_mu);
		pthread_join(s->ck_thread, NULL);
	}
	sqlite3_close(s->ck_db);
	while (s->pool) {
		struct conn *c = s->pool;
		s->pool = c->next;
		conn_close(c);
		free(c);
	}
	/* The last connection to close checkpoints and removes the WAL. */
	conn_close(&s->writer);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->ck_mu);
	pthread_cond_destroy(&s->ck_cv);
	pthread_mutex_destroy(&s->pool_mu);
	free(s->path);
	free(s);
}

static enum store_result ofd_lock(int fd, short type, bool wait)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	for (;;) {
		if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
			return STORE_OK;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EACCES ? STORE_BUSY : STORE_IO;
	}
}

/* Opens (creating 0600) the file PATH+suffix. */
static int open_0600(const char *path, const char *suffix)
{
	char name[4096];
	int n = snprintf(name, sizeof(name), "%s%s", path, suffix);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd;
	do
		fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static enum store_result sq_open(const char *path, struct store **out)
{
	enum store_result r;
	bool first = false;
	*out = NULL;
	struct sq *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return STORE_NOMEM;
	s->base.be = &store_backend_sqlite;
	s->lock_fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	pthread_mutex_init(&s->ck_mu, NULL);
	pthread_cond_init(&s->ck_cv, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	s->writer.sync_full = -1;
	if ((s->path = strdup(path)) == NULL) {
		r = STORE_NOMEM;
		goto fail;
	}

	/* Create the database 0600 ourselves: SQLite gives -wal and -shm the same mode. */
	int fd = open_0600(path, "");
	if (fd < 0) {
		r = errno == ENOENT || errno == ENOTDIR ? STORE_NOT_FOUND : STORE_IO;
		goto fail;
	}
	close(fd);
	if ((s->lock_fd = open_0600(path, "-open")) < 0) {
		r = STORE_IO;
		goto fail;
	}
	/* The first opener (no other live store on this file) may remove pending blobs. */
	r = ofd_lock(s->lock_fd, F_WRLCK, false);
	if (r == STORE_OK)
		first = true;
	else if (r != STORE_BUSY)
		goto fail;

	if ((r = conn_open(path, &s->writer)) != STORE_OK)
		goto fail;
	{
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->writer.db, "PRAGMA journal_mode = WAL", -1, &st,
		                            NULL);
		bool wal = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
		           sqlite3_column_text(st, 0) != NULL &&
		           strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
		sqlite3_finalize(st);
		if (!wal) {
			r = STORE_IO;
			goto fail;
		}
	}
	if ((r = migrate(&s->writer)) != STORE_OK)
		goto fail;
	if (first) {
		/* Blobs never claimed by a commit: a crashed upload. */
		if ((r = exec_id(&s->writer, S_BEGIN)) != STORE_OK)
			goto fail;
		if ((r = exec_id(&s->writer, S_PENDING_DELETE)) != STORE_OK ||
		    (r = exec_id(&s->writer, S_COMMIT)) != STORE_OK) {
			(void)exec_id(&s->writer, S_ROLLBACK);
			goto fail;
		}
	}
	/* From now on we are one of possibly several live openers. */
	if ((r = ofd_lock(s->lock_fd, F_RDLCK, true)) != STORE_OK)
		goto fail;

	if (sqlite3_open_v2(path, &s->ck_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		r = STORE_IO;
		goto fail;
	}
	sqlite3_busy_timeout(s->ck_db, BUSY_TIMEOUT_MS);
	(void)sqlite3_exec(s->ck_db,
	                   "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;"
	                   " PRAGMA journal_size_limit = 67108864;",
	                   NULL, NULL, NULL);
	/* Replaces wal_autocheckpoint: the writer never checkpoints inline. */
	sqlite3_wal_hook(s->writer.db, wal_hook, s);

	if (pthread_create(&s->ck_thread, NULL, ck_main, s) != 0) {
		r = STORE_NOMEM;
		goto fail;
	}
	s->ck_started = true;
	if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
		r = STORE_NOMEM;
		goto fail;
	}
	s->writer_started = true;
	*out = &s->base;
	return STORE_OK;
fail:
	sq_close(&s->base);
	return r;
}

static enum store_result sq_meta_get(struct store *st, const char *key, uint8_t *val, size_t cap,
                                     size_t *len)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	*len = 0;
	if (strlen(key) > KEY_MAX)
		return STORE_TOO_LARGE;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_META_GET, &q)) != STORE_OK)
		goto out;
	if ((r = bind_ok(sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC))) != STORE_OK)
		goto out;
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
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
	st_done(q);
	pool_put(s, c);
	return r;
}

static enum store_result sq_meta_set(struct store *st, const char *key, const uint8_t *val,
                                     size_t len)
{
	struct job j = {.str = key, .p = val, .n = len};
	if (strlen(key) > KEY_MAX || len > STORE_META_MAX)
		return STORE_TOO_LARGE;
	return submit(SQ(st), &j, J_META_SET);
}

static enum store_result sq_blob_create(struct store *st, store_id *out)
{
	struct job j = {0};
	enum store_result r = submit(SQ(st), &j, J_BLOB_CREATE);
	*out = r == STORE_OK ? j.out : 0;
	return r;
}

static enum store_result sq_blob_append(struct store *st, store_id blob, const uint8_t *p, size_t n)
{
	struct job j = {.id = blob, .p = p, .n = n};
	if (n > STORE_CHUNK_MAX)
		return STORE_TOO_LARGE;
	if (n == 0)
		return STORE_OK;
	return submit(SQ(st), &j, J_BLOB_APPEND);
}

static enum store_result sq_blob_put(struct store *st, const uint8_t *p, size_t n, store_id *out)
{
	struct job j = {.p = p, .n = n};
	*out = 0;
	if (n > STORE_CHUNK_MAX)
		return STORE_TOO_LARGE;
	enum store_result r = submit(SQ(st), &j, J_BLOB_PUT);
	if (r == STORE_OK)
		*out = j.out;
	return r;
}

static enum store_result sq_blob_read(struct store *st, store_id blob, store_chunk_fn fn, void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	bool any = false;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_BLOB_READ, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, blob);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		any = true;
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		const uint8_t *p = sqlite3_column_blob(q, 0);
		if (p == NULL || n == 0)
			continue; /* an empty blob: one row, no chunk */
		if (fn(ctx, p, n) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		r = map_rc(rc);
	else
		r = any ? STORE_OK : STORE_NOT_FOUND;
out:
	st_done(q);
	pool_put(s, c);
	return r;
}

/* Runs a one-row query with one or two int64 parameters; returns NOT_FOUND if no row. */
static enum store_result query_row(struct conn *c, enum stmt i, int64_t a, int64_t b, int nparams,
                                   sqlite3_stmt **out)
{
	sqlite3_stmt *q;
	enum store_result r;
	*out = NULL;
	if ((r = st_get(c, i, &q)) != STORE_OK)
		return r;
	sqlite3_bind_int64(q, 1, a);
	if (nparams > 1)
		sqlite3_bind_int64(q, 2, b);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		st_done(q);
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
	}
	*out = q; /* the caller reads the row, then st_done() */
	return STORE_OK;
}

static enum store_result sq_blob_size(struct store *st, store_id blob, uint64_t *size)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	*size = 0;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = query_row(c, S_BLOB_SIZE, blob, 0, 1, &q)) == STORE_OK) {
		*size = (uint64_t)sqlite3_column_int64(q, 0);
		st_done(q);
	}
	pool_put(s, c);
	return r;
}

static enum store_result sq_blob_delete(struct store *st, store_id blob)
{
	struct job j = {.id = blob};
	return submit(SQ(st), &j, J_BLOB_DELETE);
}

static enum store_result sq_source_create(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                          const uint8_t pk[STORE_PK_LEN], int32_t day,
                                          store_id *out)
{
	struct job j = {.p = lookup, .p2 = pk, .day = day};
	enum store_result r = submit(SQ(st), &j, J_SOURCE_CREATE);
	*out = r == STORE_OK ? j.out : 0;
	return r;
}

static enum store_result read_source(sqlite3_stmt *q, struct store_source *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(q, 0);
	if (sqlite3_column_bytes(q, 1) != STORE_PK_LEN)
		return STORE_CORRUPT;
	memcpy(o->pk, sqlite3_column_blob(q, 1), STORE_PK_LEN);
	o->created_day = sqlite3_column_int(q, 2);
	o->last_day = sqlite3_column_int(q, 3);
	o->nsubmissions = sqlite3_column_int64(q, 4);
	o->nunread = sqlite3_column_int64(q, 5);
	return STORE_OK;
}

static enum store_result sq_source_find(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                        struct store_source *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_SOURCE_FIND, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_blob(q, 1, lookup, STORE_LOOKUP_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		r = read_source(q, out);
	else
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
	st_done(q);
out:
	pool_put(s, c);
	return r;
}

static enum store_result sq_source_get(struct store *st, store_id id, struct store_source *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = query_row(c, S_SOURCE_GET, id, 0, 1, &q)) == STORE_OK) {
		r = read_source(q, out);
		st_done(q);
	}
	pool_put(s, c);
	return r;
}

static enum store_result sq_source_delete(struct store *st, store_id id)
{
	struct job j = {.id = id};
	return submit(SQ(st), &j, J_SOURCE_DELETE);
}

static enum store_result sq_source_list(struct store *st, int64_t offset, int64_t limit,
                                        int (*fn)(void *ctx, const struct store_source *src),
                                        void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	struct store_source src;
	if (offset < 0 || limit < 0)
		return STORE_NOT_FOUND;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_SOURCE_LIST, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, limit);
	sqlite3_bind_int64(q, 2, offset);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((r = read_source(q, &src)) != STORE_OK)
			goto out;
		if (fn(ctx, &src) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
out:
	st_done(q);
	pool_put(s, c);
	return r;
}

static enum store_result sq_submission_commit(struct store *st, store_id source_id, int32_t day,
                                              const char *marking, store_id message_blob,
                                              const struct store_new_file *files, size_t nfiles,
                                              store_id *out)
{
	struct job j = {.id = source_id,
	                .day = day,
	                .str = marking ? marking : "",
	                .id2 = message_blob,
	                .files = files,
	                .nfiles = nfiles};
	*out = 0;
	if (strlen(j.str) >= STORE_MARKING_MAX || nfiles > INT32_MAX)
		return STORE_TOO_LARGE;
	if (nfiles > 0 && files == NULL)
		return STORE_NOT_FOUND;
	enum store_result r = submit(SQ(st), &j, J_SUB_COMMIT);
	if (r == STORE_OK)
		*out = j.out;
	return r;
}

static enum store_result read_submission(sqlite3_stmt *q, struct store_submission *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(q, 0);
	o->source_id = sqlite3_column_int64(q, 1);
	o->day = sqlite3_column_int(q, 2);
	o->message_blob = sqlite3_column_int64(q, 3);
	o->nfiles = sqlite3_column_int(q, 4);
	o->read = sqlite3_column_int(q, 5) != 0;
	const unsigned char *m = sqlite3_column_text(q, 6);
	size_t n = (size_t)sqlite3_column_bytes(q, 6);
	if (m == NULL || n >= sizeof(o->marking))
		return STORE_CORRUPT;
	memcpy(o->marking, m, n);
	o->marking[n] = '\0';
	return STORE_OK;
}

static enum store_result sq_submission_get(struct store *st, store_id id,
                                           struct store_submission *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = query_row(c, S_SUB_GET, id, 0, 1, &q)) == STORE_OK) {
		r = read_submission(q, out);
		st_done(q);
	}
	pool_put(s, c);
	return r;
}

static enum store_result
sq_submission_list(struct store *st, store_id source_id, int64_t offset, int64_t limit,
                   int (*fn)(void *ctx, const struct store_submission *sub), void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	struct store_submission sub;
	if (offset < 0 || limit < 0)
		return STORE_NOT_FOUND;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_SUB_LIST, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, source_id);
	sqlite3_bind_int64(q, 2, limit);
	sqlite3_bind_int64(q, 3, offset);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((r = read_submission(q, &sub)) != STORE_OK)
			goto out;
		if (fn(ctx, &sub) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
out:
	st_done(q);
	pool_put(s, c);
	return r;
}

static enum store_result sq_submission_files(struct store *st, store_id submission_id,
                                             int (*fn)(void *ctx, const struct store_file *f),
                                             void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_SUB_FILES, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, submission_id);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_file f = {
		        .id = sqlite3_column_int64(q, 0),
		        .submission_id = sqlite3_column_int64(q, 1),
		        .meta_blob = sqlite3_column_int64(q, 2),
		        .data_blob = sqlite3_column_int64(q, 3),
		};
		if (fn(ctx, &f) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
out:
	st_done(q);
	pool_put(s, c);
	return r;
}

static enum store_result sq_submission_mark_read(struct store *st, store_id id)
{
	struct job j = {.id = id};
	return submit(SQ(st), &j, J_MARK_READ);
}

static enum store_result sq_submission_count_day(struct store *st, store_id source_id, int32_t day,
                                                 int64_t *count)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	*count = 0;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = query_row(c, S_SUB_COUNT_DAY, source_id, day, 2, &q)) == STORE_OK) {
		*count = sqlite3_column_int64(q, 0);
		st_done(q);
	}
	pool_put(s, c);
	return r;
}

static enum store_result sq_reply_add(struct store *st, store_id source_id, int32_t day,
                                      store_id blob, store_id *out)
{
	struct job j = {.id = source_id, .day = day, .id2 = blob};
	enum store_result r = submit(SQ(st), &j, J_REPLY_ADD);
	*out = r == STORE_OK ? j.out : 0;
	return r;
}

static enum store_result sq_reply_list(struct store *st, store_id source_id,
                                       int (*fn)(void *ctx, const struct store_reply *r), void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_REPLY_LIST, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, source_id);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_reply rep = {
		        .id = sqlite3_column_int64(q, 0),
		        .source_id = sqlite3_column_int64(q, 1),
		        .day = sqlite3_column_int(q, 2),
		        .blob = sqlite3_column_int64(q, 3),
		};
		if (fn(ctx, &rep) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
out:
	st_done(q);
	pool_put(s, c);
	return r;
}

static enum store_result sq_reply_delete(struct store *st, store_id source_id, store_id id)
{
	struct job j = {.id = source_id, .id2 = id};
	return submit(SQ(st), &j, J_REPLY_DELETE);
}

const struct store_backend store_backend_sqlite = {
        .name = "sqlite",
        .open = sq_open,
        .close = sq_close,
        .meta_get = sq_meta_get,
        .meta_set = sq_meta_set,
        .blob_create = sq_blob_create,
        .blob_append = sq_blob_append,
        .blob_put = sq_blob_put,
        .blob_read = sq_blob_read,
        .blob_size = sq_blob_size,
        .blob_delete = sq_blob_delete,
        .source_create = sq_source_create,
        .source_find = sq_source_find,
        .source_get = sq_source_get,
        .source_delete = sq_source_delete,
        .source_list = sq_source_list,
        .submission_commit = sq_submission_commit,
        .submission_get = sq_submission_get,
        .submission_list = sq_submission_list,
        .submission_files = sq_submission_files,
        .submission_mark_read = sq_submission_mark_read,
        .submission_count_day = sq_submission_count_day,
        .reply_add = sq_reply_add,
        .reply_list = sq_reply_list,
        .reply_delete = sq_reply_delete,
};
