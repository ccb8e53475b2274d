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
 * connection and cached, BEGIN and COMMIT too. Pages are read through a
 * memory map (mmap_size, up to SQLite's 2 GiB cap): a B-tree seek then costs no
 * read() system call, which halves the cost of a ledger proof's ~24 lookups.
 *
 * Checkpoints run on a third connection in a background thread, woken by the
 * WAL hook, so the writer never copies pages itself. After deletes, the
 * checkpointer tries a TRUNCATE checkpoint so the deleted ciphertext does not
 * linger in old WAL frames; secure_delete zeroes it in the database file.
 *
 * Transactions (store_write): a J_TX job runs the caller's function on the
 * writer, in its own savepoint of the batch, with tx_store/tx_job set (thread
 * locals of the writer). A store call the function makes then runs on the
 * writer's connection at once instead of being queued (it would wait for
 * itself): a write as a nested savepoint, a read on the writer's connection
 * (so it sees the transaction's own changes). What a nested job leaves for
 * after the commit (files to shred) moves to the J_TX job; the blobs it
 * claims are the ones the J_TX job prepared.
 *
 * Blobs are pending from creation until a commit claims them. The first
 * process to open the file (an OFD lock on PATH-open tells) deletes pending
 * blobs, which can only be left by a crashed upload.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/store/store.h"
#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_ledger.h"

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
        /* 3: a blob grown beyond its first chunk keeps the rest in the file named by `file` */
        "ALTER TABLE blob ADD COLUMN file INTEGER;"
        "CREATE INDEX blob_file ON blob(file) WHERE file IS NOT NULL;",
        /* 4: the versions of the domain schema parts (store_sqlite.h) */
        "CREATE TABLE schema_part(name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);",
        /*
         * 5: the version of the marking label a submission's blobs are sealed
         * to, outside the intake label's layer (0: the intake label alone)
         */
        "ALTER TABLE submission ADD COLUMN seal_version INTEGER NOT NULL DEFAULT 0;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * The domain parts, migrated after the core schema in this order (a part may
 * refer to the tables of the parts before it). One line per domain file.
 */
extern const struct sq_schema_part sq_schema_ledger; /* store_sqlite_ledger.c */
extern const struct sq_schema_part sq_part_officer;  /* store_sqlite_officer.c */
extern const struct sq_schema_part sq_part_desk;     /* store_sqlite_desk.c */
extern const struct sq_schema_part sq_part_registry; /* store_sqlite_registry.c */
extern const struct sq_schema_part sq_part_ids;      /* store_sqlite_ids.c (the last) */
static const struct sq_schema_part *const sq_schema_parts[] = {
        NULL, /* (keeps the array non-empty) */
        &sq_schema_ledger,
        &sq_part_officer,
        &sq_part_desk,
        &sq_part_registry,
        &sq_part_ids,
};
#define NPARTS (sizeof(sq_schema_parts) / sizeof(sq_schema_parts[0]))

/* ---- statements, prepared lazily and cached per connection ---- */

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
	S_META_GET,
	S_META_SET,
	S_BLOB_CREATE,
	S_BLOB_GROW,
	S_CHUNK_INSERT,
	S_BLOB_SIZE,
	S_BLOB_READ,
	S_BLOB_DELETE,
	S_BLOB_CLAIM,
	S_BLOB_STATE,
	S_BLOB_FILE,
	S_FILE_CLAIMED,
	S_SOURCE_FILES,
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
#define SUB_COLS "id, source_id, day, message_blob, nfiles, read, marking, seal_version"

static const char *const stmt_sql[S_COUNT] = {
        [S_BEGIN] = "BEGIN IMMEDIATE",
        [S_BEGIN_READ] = "BEGIN",
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
        [S_BLOB_SIZE] = "SELECT size, file FROM blob WHERE id = ?1",
        [S_BLOB_READ] =
                "SELECT c.data, b.file, b.size FROM blob b"
                " LEFT JOIN blob_chunk c ON c.blob_id = b.id WHERE b.id = ?1 ORDER BY c.seq",
        [S_BLOB_DELETE] = "DELETE FROM blob WHERE id = ?1",
        [S_BLOB_CLAIM] = "UPDATE blob SET pending = 0, file = ?2, size = size + ?3"
                         " WHERE id = ?1 AND pending = 1",
        [S_BLOB_STATE] = "SELECT nchunks FROM blob WHERE id = ?1 AND pending = 1",
        [S_BLOB_FILE] = "SELECT file FROM blob WHERE id = ?1 AND file IS NOT NULL",
        [S_FILE_CLAIMED] = "SELECT 1 FROM blob WHERE file = ?1 AND pending = 0",
        [S_SOURCE_FILES] = "SELECT file FROM blob WHERE file IS NOT NULL AND id IN ("
                           "SELECT message_blob FROM submission WHERE source_id = ?1"
                           " UNION ALL SELECT f.meta_blob FROM file f JOIN submission s"
                           " ON f.submission_id = s.id WHERE s.source_id = ?1"
                           " UNION ALL SELECT f.data_blob FROM file f JOIN submission s"
                           " ON f.submission_id = s.id WHERE s.source_id = ?1"
                           " UNION ALL SELECT blob FROM reply WHERE source_id = ?1)",
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
        [S_SUB_INSERT] = "INSERT INTO submission(source_id, day, marking, message_blob, nfiles,"
                         " seal_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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

#define DYN_MAX 512 /* statements of the domain files cached per connection */

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
	J_FN, /* a domain file's function (sq_write) */
	J_TX, /* a transaction's function (store_write) */
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
	uint32_t version;           /* a submission's seal_version */
	const struct claim *claims; /* the file-backed blobs a commit claims */
	size_t nclaims;
	bool force_sql; /* blob append: keep the chunk in SQLite even if it is not the first */
	bool dropped;   /* a J_FN job deleted blobs (sq_blob_drop) */
	sq_fn fn;
	store_tx_fn tx_fn;
	void *fn_arg;
	/* output */
	store_id out;
	int64_t *shred; /* files of the blobs a delete removed (malloc'd by the writer) */
	size_t nshred, shred_cap;
};

/*
 * A pending blob grown beyond its first chunk: the rest is in the file named by
 * `file` (a random 63-bit token, never reused) in the blob directory, written
 * by the appending caller. Held in a bounded table until a commit claims the
 * blob (its file is fdatasync'd first and the row gets `file` and the size) or
 * a delete removes it.
 */
struct spill {
	store_id blob;
	int64_t file;
	int fd;
	uint64_t size;
	bool sealed;        /* a commit is claiming it: no more appends */
	int refs;           /* the table's + each user's */
	pthread_mutex_t mu; /* size, sealed, writes */
};

/* What a commit tells the writer about a file-backed blob it claims. */
struct claim {
	store_id blob;
	int64_t file;
	uint64_t size;
	struct spill *sp;
};

#define SPILL_MAX 1024 /* concurrent file-backed pending blobs; beyond, chunks stay in SQLite */
#define FILE_CHUNK STORE_CHUNK_MAX

struct sq {
	struct store base;
	char *path;
	int lock_fd;

	int dir_fd; /* PATH.blobs */
	pthread_mutex_t spill_mu;
	struct spill *spills[SPILL_MAX];
	size_t nspills;
	pthread_mutex_t dir_mu;
	bool dir_dirty; /* a file was created since the directory was last fsync'd */

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
	for (int i = 0; i < DYN_MAX; i++) {
		sqlite3_finalize(c->dyn[i].st);
		c->dyn[i].st = NULL;
		c->dyn[i].sql = NULL;
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
	                  " PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;"
	                  " PRAGMA mmap_size = 2147418112;",
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

/*
 * Applies the steps of every domain part not yet applied (inside migrate's
 * transaction); *ran is set if one was.
 */
static enum store_result migrate_parts(sqlite3 *db, bool *ran)
{
	sqlite3_stmt *get = NULL, *set = NULL;
	enum store_result r = STORE_OK;
	int rc = sqlite3_prepare_v2(db, "SELECT version FROM schema_part WHERE name = ?1", -1, &get,
	                            NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        db,
		        "INSERT INTO schema_part(name, version) VALUES (?1, ?2)"
		        " ON CONFLICT(name) DO UPDATE SET version = excluded.version",
		        -1, &set, NULL);
	if (rc != SQLITE_OK) {
		r = map_rc(rc);
		goto out;
	}
	for (size_t i = 0; i < NPARTS; i++) {
		const struct sq_schema_part *p = sq_schema_parts[i];
		if (p == NULL)
			continue;
		int v = 0;
		sqlite3_bind_text(get, 1, p->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(get);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int(get, 0);
		else if (rc != SQLITE_DONE)
			r = map_rc(rc);
		sqlite3_reset(get);
		if (r != STORE_OK)
			goto out;
		if (v < 0 || v > p->nsteps) {
			r = STORE_CORRUPT; /* written by a newer cutout */
			goto out;
		}
		if (v == p->nsteps)
			continue;
		for (int k = v; k < p->nsteps; k++) {
			if (p->steps[k] != NULL &&
			    sqlite3_exec(db, p->steps[k], NULL, NULL, NULL) != SQLITE_OK) {
				r = map_rc(sqlite3_extended_errcode(db));
				goto out;
			}
			if (p->fns != NULL && p->fns[k] != NULL && (r = p->fns[k](db)) != STORE_OK)
				goto out;
		}
		*ran = true;
		sqlite3_bind_text(set, 1, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(set, 2, p->nsteps);
		rc = sqlite3_step(set);
		sqlite3_reset(set);
		if (rc != SQLITE_DONE) {
			r = map_rc(rc);
			goto out;
		}
	}
out:
	sqlite3_finalize(get);
	sqlite3_finalize(set);
	return r;
}

/* STORE_CORRUPT if a row refers to a row that is not there (PRAGMA foreign_key_check). */
static enum store_result foreign_keys_hold(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : rc == SQLITE_ROW ? STORE_CORRUPT : map_rc(rc);
}

/*
 * Runs the steps not yet applied, in one transaction. Foreign keys are off
 * meanwhile (a table is rebuilt by SQLite's procedure: create, copy, drop,
 * rename; a DROP TABLE would otherwise delete rows, even cascade) and checked
 * before the commit. The pragma is a no-op inside a transaction.
 */
static enum store_result migrate(struct conn *c)
{
	enum store_result r;
	int v = 0;
	bool ran = false; /* a step was applied */
	char sql[64];
	if (set_sync(c, true) != STORE_OK) /* not allowed inside a transaction */
		return STORE_IO;
	if (sqlite3_exec(c->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK)
		return map_rc(sqlite3_extended_errcode(c->db));
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		r = map_rc(sqlite3_extended_errcode(c->db));
		goto fk_on;
	}
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
	ran = v < NMIGRATIONS;
	if ((r = migrate_parts(c->db, &ran)) != STORE_OK)
		goto out;
	if (ran && (r = foreign_keys_hold(c->db)) != STORE_OK)
		goto out;
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
	goto fk_on;
out:
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (r == STORE_OK)
		r = STORE_IO;
fk_on:
	if (sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK &&
	    r == STORE_OK)
		r = STORE_IO;
	return r;
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

static enum store_result claim_blob(struct conn *c, const struct job *j, store_id blob)
{
	sqlite3_stmt *st;
	enum store_result r;
	if (blob <= 0)
		return STORE_NOT_FOUND;
	if ((r = st_get(c, S_BLOB_CLAIM, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, blob);
	sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, 0);
	for (size_t i = 0; i < j->nclaims; i++)
		if (j->claims[i].blob == blob) {
			if (j->claims[i].size > INT64_MAX) {
				st_done(st);
				return STORE_TOO_LARGE;
			}
			sqlite3_bind_int64(st, 2, j->claims[i].file);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)j->claims[i].size);
			break;
		}
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
	if (!j->force_sql && j->kind == J_BLOB_APPEND) {
		/* Beyond the first chunk, the caller writes the blob to a file. */
		if ((r = st_get(c, S_BLOB_STATE, &st)) != STORE_OK)
			return r;
		sqlite3_bind_int64(st, 1, j->id);
		int rc = sqlite3_step(st);
		int64_t nchunks = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		st_done(st);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? STORE_NOT_FOUND : map_rc(rc);
		if (nchunks > 0) {
			j->out = 1; /* spill */
			return STORE_OK;
		}
	}
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
	if (j->id2 != 0 && (r = claim_blob(c, j, j->id2)) != STORE_OK)
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
	sqlite3_bind_int64(st, 6, (sqlite3_int64)j->version);
	if ((r = st_exec(st)) != STORE_OK)
		return r;
	sub = sqlite3_last_insert_rowid(c->db);
	for (size_t i = 0; i < j->nfiles; i++) {
		if ((r = claim_blob(c, j, j->files[i].meta_blob)) != STORE_OK)
			return r;
		if ((r = claim_blob(c, j, j->files[i].data_blob)) != STORE_OK)
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

/* Adds the files of the rows of a query on id to j->shred. */
static enum store_result collect_files(struct conn *c, struct job *j, enum stmt i, store_id id)
{
	sqlite3_stmt *st;
	enum store_result r;
	int rc;
	if ((r = st_get(c, i, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (j->nshred == j->shred_cap) {
			size_t cap = j->shred_cap ? j->shred_cap * 2 : 8;
			int64_t *p = cap < SIZE_MAX / sizeof(*p)
			                     ? realloc(j->shred, cap * sizeof(*p))
			                     : NULL;
			if (p == NULL) {
				st_done(st);
				return STORE_NOMEM;
			}
			j->shred = p;
			j->shred_cap = cap;
		}
		j->shred[j->nshred++] = sqlite3_column_int64(st, 0);
	}
	st_done(st);
	return rc == SQLITE_DONE ? STORE_OK : map_rc(rc);
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
	if ((r = exec_with_id(c, S_REPLY_DELETE, j->id2, NULL)) != STORE_OK ||
	    (r = collect_files(c, j, S_BLOB_FILE, blob)) != STORE_OK)
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
	if ((r = collect_files(c, j, S_SOURCE_FILES, j->id)) != STORE_OK)
		return r;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((r = exec_with_id(c, steps[i], j->id, &changes)) != STORE_OK)
			return r;
	return changes == 1 ? STORE_OK : STORE_NOT_FOUND;
}

/*
 * The transaction the writer thread runs now (J_TX), if any: set only on the
 * writer thread, only while the transaction's function runs.
 */
static _Thread_local struct sq *tx_store;
static _Thread_local struct job *tx_job;

static bool in_tx(const struct sq *s)
{
	return tx_store == s && s != NULL;
}

static enum store_result run_job(struct sq *s, struct conn *c, struct job *j)
{
	sqlite3_stmt *st;
	enum store_result r;
	int changes = 0;
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
		if ((r = collect_files(c, j, S_BLOB_FILE, j->id)) != STORE_OK)
			return r;
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
		if ((r = claim_blob(c, j, j->id2)) != STORE_OK)
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
	case J_FN: {
		struct job *was = c->job;
		c->job = j;
		r = j->fn(c, j->fn_arg);
		c->job = was;
		return r;
	}
	case J_TX: {
		struct sq *was_store = tx_store;
		struct job *was_job = tx_job;
		tx_store = s;
		tx_job = j;
		r = j->tx_fn(&s->base, j->fn_arg);
		tx_store = was_store;
		tx_job = was_job;
		return r;
	}
	}
	return STORE_CORRUPT;
}

static bool job_deletes(const struct job *j)
{
	return j->kind == J_BLOB_DELETE || j->kind == J_SOURCE_DELETE ||
	       j->kind == J_REPLY_DELETE || ((j->kind == J_FN || j->kind == J_TX) && j->dropped);
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

/*
 * Inside a transaction (on the writer): runs j at once in a savepoint of its
 * own. Its claims are the transaction's; the files it would shred after the
 * commit become the transaction's to shred.
 */
static enum store_result run_nested(struct sq *s, struct job *j)
{
	struct conn *c = &s->writer;
	struct job *outer = tx_job;
	enum store_result r;
	j->rc = STORE_IO;
	j->out = 0;
	/* the caller releases what it prepared (nothing, inside a transaction) */
	const struct claim *own = j->claims;
	size_t nown = j->nclaims;
	if (own == NULL) {
		j->claims = outer->claims;
		j->nclaims = outer->nclaims;
	}
	if ((r = exec_id(c, S_SAVEPOINT)) != STORE_OK)
		return r;
	r = run_job(s, c, j);
	j->claims = own;
	j->nclaims = nown;
	if (r != STORE_OK) {
		j->out = 0;
		if (exec_id(c, S_ROLLBACK_TO) != STORE_OK)
			r = STORE_IO;
	}
	if (exec_id(c, S_RELEASE) != STORE_OK && r == STORE_OK)
		r = STORE_IO;
	if (r == STORE_OK && job_deletes(j))
		outer->dropped = true;
	for (size_t i = 0; r == STORE_OK && i < j->nshred; i++) {
		if (outer->nshred == outer->shred_cap) {
			size_t cap = outer->shred_cap ? 2 * outer->shred_cap : 16;
			int64_t *p = reallocarray(outer->shred, cap, sizeof *p);
			if (p == NULL) {
				r = STORE_NOMEM; /* rolls the transaction back: nothing is lost */
				break;
			}
			outer->shred = p;
			outer->shred_cap = cap;
		}
		outer->shred[outer->nshred++] = j->shred[i];
	}
	free(j->shred);
	j->shred = NULL;
	j->nshred = j->shred_cap = 0;
	j->rc = r;
	return r;
}

/* Queues j and sleeps until the writer has run it (inside a transaction: runs it now). */
static enum store_result submit(struct sq *s, struct job *j, enum job_kind kind)
{
	j->kind = kind;
	if (kind != J_FN && kind != J_TX)
		j->durable = !(kind == J_BLOB_CREATE || kind == J_BLOB_APPEND ||
		               kind == J_BLOB_PUT || kind == J_MARK_READ);
	if (in_tx(s))
		return run_nested(s, j);
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
	if (in_tx(s)) { /* a read inside a transaction sees its changes */
		*out = &s->writer;
		return STORE_OK;
	}
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
	if (c == &s->writer)
		return;
	pthread_mutex_lock(&s->pool_mu);
	c->next = s->pool;
	s->pool = c;
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- file-backed blobs (see struct spill) ---- */

static enum store_result query_row(struct conn *c, enum stmt i, int64_t a, int64_t b, int nparams,
                                   sqlite3_stmt **out);

static void spill_name(char out[static 20], int64_t file)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = (uint64_t)file;
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '\0';
}

/* The token of a file name made by spill_name, or 0. */
static int64_t spill_parse(const char *name)
{
	uint64_t v = 0;
	size_t i;
	for (i = 0; name[i] != '\0'; i++) {
		char ch = name[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (d < 0 || i >= 16)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return i == 16 && v <= INT64_MAX ? (int64_t)v : 0;
}

static void spill_unref(struct sq *s, struct spill *sp)
{
	pthread_mutex_lock(&s->spill_mu);
	bool last = --sp->refs == 0;
	pthread_mutex_unlock(&s->spill_mu);
	if (!last)
		return;
	close(sp->fd);
	pthread_mutex_destroy(&sp->mu);
	free(sp);
}

/* The table's entry for blob, with a reference for the caller, or NULL. */
static struct spill *spill_find(struct sq *s, store_id blob)
{
	struct spill *sp = NULL;
	pthread_mutex_lock(&s->spill_mu);
	for (size_t i = 0; i < s->nspills; i++)
		if (s->spills[i]->blob == blob) {
			sp = s->spills[i];
			sp->refs++;
			break;
		}
	pthread_mutex_unlock(&s->spill_mu);
	return sp;
}

/* Removes sp from the table (if still there) and drops the table's reference. */
static void spill_remove(struct sq *s, struct spill *sp)
{
	bool found = false;
	pthread_mutex_lock(&s->spill_mu);
	for (size_t i = 0; i < s->nspills; i++)
		if (s->spills[i] == sp) {
			s->spills[i] = s->spills[--s->nspills];
			found = true;
			break;
		}
	pthread_mutex_unlock(&s->spill_mu);
	if (found)
		spill_unref(s, sp);
}

static enum store_result write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno == ENOSPC ? STORE_TOO_LARGE : STORE_IO;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return STORE_OK;
}

/* Overwrites the file with zeros, syncs it, unlinks it. A missing file is fine. */
static enum store_result shred_file(struct sq *s, int64_t file)
{
	char name[20];
	struct stat sb;
	enum store_result r = STORE_OK;
	uint8_t *zero = NULL;
	spill_name(name, file);
	int fd = openat(s->dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_OK : STORE_IO;
	if (fstat(fd, &sb) != 0 || (zero = calloc(1, FILE_CHUNK)) == NULL) {
		r = STORE_IO;
		goto out;
	}
	for (uint64_t off = 0; off < (uint64_t)sb.st_size; off += FILE_CHUNK) {
		uint64_t left = (uint64_t)sb.st_size - off;
		if ((r = write_all(fd, zero, left < FILE_CHUNK ? (size_t)left : FILE_CHUNK, off)) !=
		    STORE_OK)
			goto out;
	}
	if (fdatasync(fd) != 0) {
		r = STORE_IO;
		goto out;
	}
	if (unlinkat(s->dir_fd, name, 0) != 0 && errno != ENOENT)
		r = STORE_IO;
out:
	free(zero);
	close(fd);
	return r;
}

/*
 * Makes blob file-backed: a new file and a table entry, returned with a
 * reference for the caller. STORE_BUSY: the table is full (keep the chunk in
 * SQLite instead).
 */
static enum store_result spill_create(struct sq *s, store_id blob, struct spill **out)
{
	char name[20];
	int64_t file = 0;
	int fd = -1;
	*out = NULL;
	do {
		uint64_t v;
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
			if (errno == EINTR)
				continue;
			return STORE_IO;
		}
		file = (int64_t)(v & INT64_MAX);
		if (file == 0)
			continue;
		spill_name(name, file);
		fd = openat(s->dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		            0600);
	} while (file == 0 || (fd < 0 && (errno == EEXIST || errno == EINTR)));
	if (fd < 0)
		return errno == ENOSPC ? STORE_TOO_LARGE : STORE_IO;
	pthread_mutex_lock(&s->dir_mu);
	s->dir_dirty = true;
	pthread_mutex_unlock(&s->dir_mu);
	struct spill *sp = calloc(1, sizeof(*sp));
	if (sp == NULL) {
		close(fd);
		(void)unlinkat(s->dir_fd, name, 0);
		return STORE_NOMEM;
	}
	sp->blob = blob;
	sp->file = file;
	sp->fd = fd;
	sp->refs = 2; /* the table's and the caller's */
	pthread_mutex_init(&sp->mu, NULL);
	struct spill *have = NULL;
	bool full = false;
	pthread_mutex_lock(&s->spill_mu);
	for (size_t i = 0; i < s->nspills && have == NULL; i++)
		if (s->spills[i]->blob == blob) {
			have = s->spills[i];
			have->refs++;
		}
	if (have == NULL && s->nspills < SPILL_MAX)
		s->spills[s->nspills++] = sp;
	else
		full = have == NULL;
	pthread_mutex_unlock(&s->spill_mu);
	if (have != NULL || full) {
		/* another append to the same blob won the race, or no room: undo ours */
		close(fd);
		pthread_mutex_destroy(&sp->mu);
		free(sp);
		(void)unlinkat(s->dir_fd, name, 0);
		if (full)
			return STORE_BUSY;
	}
	*out = have ? have : sp;
	return STORE_OK;
}

/*
 * Before a durable commit that claims ids: seals and fdatasyncs the file of
 * each file-backed one (and the directory once), filling claims. On failure
 * nothing is left sealed.
 */
static void claims_release(struct sq *s, struct claim *claims, size_t n, bool claimed);

static enum store_result claims_prepare(struct sq *s, const store_id *ids, size_t nids,
                                        struct claim *claims, size_t *nclaims)
{
	enum store_result r = STORE_OK;
	*nclaims = 0;
	if (in_tx(s)) {
		/*
		 * Inside a transaction, the claims are the transaction's, prepared
		 * before it started: a file-backed blob it did not name would be
		 * claimed without its file.
		 */
		for (size_t i = 0; i < nids; i++) {
			struct spill *sp = spill_find(s, ids[i]);
			if (sp == NULL)
				continue;
			spill_unref(s, sp);
			bool named = false;
			for (size_t k = 0; k < tx_job->nclaims && !named; k++)
				named = tx_job->claims[k].blob == ids[i];
			if (!named)
				return STORE_CORRUPT;
		}
		return STORE_OK;
	}
	for (size_t i = 0; i < nids; i++) {
		struct spill *sp = spill_find(s, ids[i]);
		if (sp == NULL)
			continue;
		pthread_mutex_lock(&sp->mu);
		bool sealed = sp->sealed;
		sp->sealed = true;
		uint64_t size = sp->size;
		pthread_mutex_unlock(&sp->mu);
		if (sealed) { /* claimed twice, by this commit or a concurrent one */
			spill_unref(s, sp);
			r = STORE_NOT_FOUND;
			goto fail;
		}
		claims[(*nclaims)++] = (struct claim){ids[i], sp->file, size, sp};
		if (fdatasync(sp->fd) != 0) {
			r = STORE_IO;
			goto fail;
		}
	}
	if (*nclaims > 0) {
		pthread_mutex_lock(&s->dir_mu);
		if (s->dir_dirty) {
			s->dir_dirty = false;
			if (fsync(s->dir_fd) != 0) {
				s->dir_dirty = true;
				r = STORE_IO;
			}
		}
		pthread_mutex_unlock(&s->dir_mu);
		if (r != STORE_OK)
			goto fail;
	}
	return STORE_OK;
fail:
	claims_release(s, claims, *nclaims, false);
	*nclaims = 0;
	return r;
}

/* After the commit: claimed ones leave the table; otherwise they are unsealed. */
static void claims_release(struct sq *s, struct claim *claims, size_t n, bool claimed)
{
	for (size_t i = 0; i < n; i++) {
		struct spill *sp = claims[i].sp;
		if (claimed) {
			spill_remove(s, sp);
		} else {
			pthread_mutex_lock(&sp->mu);
			sp->sealed = false;
			pthread_mutex_unlock(&sp->mu);
		}
		spill_unref(s, sp);
	}
}

/* Streams n bytes of fd from offset 0 to fn. */
static enum store_result stream_fd(int fd, uint64_t n, store_chunk_fn fn, void *ctx)
{
	enum store_result r = STORE_OK;
	uint8_t *buf = malloc(FILE_CHUNK);
	if (buf == NULL)
		return STORE_NOMEM;
	for (uint64_t off = 0; off < n;) {
		uint64_t left = n - off;
		size_t want = left < FILE_CHUNK ? (size_t)left : FILE_CHUNK;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got == 0 ? STORE_CORRUPT : STORE_IO;
			break;
		}
		off += (uint64_t)got;
		if (fn(ctx, buf, (size_t)got) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	free(buf);
	return r;
}

/* Removes the files a delete job collected; the rows are gone already. */
static enum store_result shred_job_files(struct sq *s, struct job *j, enum store_result r)
{
	for (size_t i = 0; r == STORE_OK && i < j->nshred; i++) { /* none if the delete failed */
		r = shred_file(s, j->shred[i]); /* one left behind goes at the next first open */
	}
	free(j->shred);
	j->shred = NULL;
	j->nshred = j->shred_cap = 0;
	return r;
}

/* ---- the backend functions ---- */

static struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

/* ---- the hooks of the domain files (store_sqlite.h) ---- */

enum store_result sq_map(int rc)
{
	return map_rc(rc);
}

enum store_result sq_bind(int rc)
{
	return bind_ok(rc);
}

sqlite3 *sq_db(struct conn *c)
{
	return c->db;
}

int sq_changes(struct conn *c)
{
	return sqlite3_changes(c->db);
}

void sq_done(sqlite3_stmt *st)
{
	st_done(st);
}

enum store_result sq_exec(sqlite3_stmt *st)
{
	return st_exec(st);
}

enum store_result sq_stmt(struct conn *c, const char *sql, sqlite3_stmt **out)
{
	*out = NULL;
	size_t h = ((uintptr_t)sql >> 3) % DYN_MAX;
	for (size_t k = 0; k < DYN_MAX; k++, h = (h + 1) % DYN_MAX) {
		if (c->dyn[h].sql == sql) {
			*out = c->dyn[h].st;
			return STORE_OK;
		}
		if (c->dyn[h].sql == NULL) {
			sqlite3_stmt *st = NULL;
			int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			                            NULL);
			if (rc != SQLITE_OK) {
				sqlite3_finalize(st);
				return map_rc(rc == SQLITE_ERROR ? SQLITE_CORRUPT : rc);
			}
			c->dyn[h].sql = sql;
			c->dyn[h].st = st;
			*out = st;
			return STORE_OK;
		}
	}
	return STORE_NOMEM; /* more distinct statements than DYN_MAX: raise it */
}

enum store_result sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return bind_ok(sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT));
}

enum store_result sq_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	return bind_ok(sqlite3_bind_int64(st, i, v));
}

enum store_result sq_stmt_text(struct conn *c, const char *sql, const char *v, sqlite3_stmt **out)
{
	enum store_result r = sq_stmt(c, sql, out);
	if (r == STORE_OK && (r = sq_bind_text(*out, 1, v)) != STORE_OK) {
		st_done(*out);
		*out = NULL;
	}
	return r;
}

enum store_result sq_stmt_i64(struct conn *c, const char *sql, int64_t v, sqlite3_stmt **out)
{
	enum store_result r = sq_stmt(c, sql, out);
	if (r == STORE_OK && (r = sq_bind_i64(*out, 1, v)) != STORE_OK) {
		st_done(*out);
		*out = NULL;
	}
	return r;
}

enum store_result sq_write(struct store *st, bool durable, sq_fn fn, void *arg)
{
	struct job j = {.fn = fn, .fn_arg = arg, .durable = durable};
	return submit(SQ(st), &j, J_FN);
}

enum store_result sq_write_blobs(struct store *st, sq_fn fn, void *arg, const store_id *claim,
                                 size_t n)
{
	struct sq *s = SQ(st);
	struct job j = {.fn = fn, .fn_arg = arg, .durable = true};
	if (n > SIZE_MAX / sizeof(struct claim))
		return STORE_TOO_LARGE;
	struct claim *claims = calloc(n ? n : 1, sizeof *claims);
	if (claims == NULL)
		return STORE_NOMEM;
	enum store_result r = claims_prepare(s, claim, n, claims, &j.nclaims);
	if (r == STORE_OK) {
		j.claims = j.nclaims > 0 ? claims : NULL; /* in a transaction: the transaction's */
		r = submit(s, &j, J_FN);
		claims_release(s, claims, j.nclaims, r == STORE_OK);
	}
	free(claims);
	return shred_job_files(s, &j, r);
}

enum store_result sq_claim(struct conn *c, store_id blob)
{
	return c->job != NULL ? claim_blob(c, c->job, blob) : STORE_CORRUPT;
}

enum store_result sq_blob_drop(struct conn *c, store_id blob)
{
	enum store_result r;
	int changes = 0;
	if (c->job == NULL)
		return STORE_CORRUPT;
	if ((r = collect_files(c, c->job, S_BLOB_FILE, blob)) != STORE_OK ||
	    (r = exec_with_id(c, S_BLOB_DELETE, blob, &changes)) != STORE_OK)
		return r;
	if (changes != 1)
		return STORE_NOT_FOUND;
	c->job->dropped = true;
	return STORE_OK;
}

enum store_result sq_read(struct store *st, sq_fn fn, void *arg)
{
	struct sq *s = SQ(st);
	struct conn *c;
	enum store_result r = pool_get(s, &c);
	if (r != STORE_OK)
		return r;
	if (c == &s->writer) /* inside a transaction: its snapshot */
		return fn(c, arg);
	/* cached statements: sqlite3_exec would parse BEGIN and COMMIT on every read */
	if (sqlite3_get_autocommit(c->db) && (r = exec_id(c, S_BEGIN_READ)) != STORE_OK) {
		pool_put(s, c);
		return r;
	}
	r = fn(c, arg);
	if (exec_id(c, S_COMMIT) != STORE_OK) {
		(void)exec_id(c, S_ROLLBACK);
		if (r == STORE_OK)
			r = STORE_IO;
	}
	pool_put(s, c);
	return r;
}

static enum store_result sq_tx(struct store *st, const store_id *claim, size_t n, store_tx_fn fn,
                               void *arg)
{
	struct sq *s = SQ(st);
	struct job j = {.tx_fn = fn, .fn_arg = arg, .durable = true};
	if (n > SIZE_MAX / sizeof(struct claim))
		return STORE_TOO_LARGE;
	struct claim *claims = calloc(n ? n : 1, sizeof *claims);
	if (claims == NULL)
		return STORE_NOMEM;
	enum store_result r = claims_prepare(s, claim, n, claims, &j.nclaims);
	if (r == STORE_OK) {
		j.claims = j.nclaims > 0 ? claims : NULL;
		r = submit(s, &j, J_TX);
		claims_release(s, claims, j.nclaims, r == STORE_OK);
	}
	free(claims);
	if (in_tx(s)) /* nested: what it left to shred is the outer transaction's now */
		return r;
	return shred_job_files(s, &j, r);
}

static bool sq_in_write(struct store *st)
{
	return in_tx(SQ(st));
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
	/* Pending file-backed blobs: their files go at the next first open. */
	while (s->nspills > 0)
		spill_remove(s, s->spills[s->nspills - 1]);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	pthread_mutex_destroy(&s->spill_mu);
	pthread_mutex_destroy(&s->dir_mu);
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

/* Creates (0700) and opens PATH.blobs, the directory of file-backed blobs. */
static enum store_result open_blob_dir(struct sq *s)
{
	char name[4096];
	int n = snprintf(name, sizeof(name), "%s.blobs", s->path);
	if (n < 0 || (size_t)n >= sizeof(name))
		return STORE_IO;
	if (mkdir(name, 0700) != 0 && errno != EEXIST)
		return STORE_IO;
	s->dir_fd = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return s->dir_fd < 0 ? STORE_IO : STORE_OK;
}

/* First opener: shreds the files of blobs no commit claimed (a crashed upload or delete). */
static enum store_result remove_unclaimed_files(struct sq *s)
{
	enum store_result r = STORE_OK;
	int fd = dup(s->dir_fd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return STORE_IO;
	}
	while (r == STORE_OK && (e = readdir(d)) != NULL) {
		int64_t file = spill_parse(e->d_name);
		sqlite3_stmt *q;
		if (file == 0)
			continue; /* not ours */
		r = query_row(&s->writer, S_FILE_CLAIMED, file, 0, 1, &q);
		if (r == STORE_OK)
			st_done(q);
		else if (r == STORE_NOT_FOUND)
			r = shred_file(s, file);
	}
	closedir(d);
	return r;
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
	s->dir_fd = -1;
	pthread_mutex_init(&s->spill_mu, NULL);
	pthread_mutex_init(&s->dir_mu, NULL);
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
	if ((r = open_blob_dir(s)) != STORE_OK)
		goto fail;
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
		if ((r = remove_unclaimed_files(s)) != STORE_OK)
			goto fail;
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
	struct sq *s = SQ(st);
	struct job j = {.id = blob, .p = p, .n = n};
	enum store_result r;
	if (n > STORE_CHUNK_MAX)
		return STORE_TOO_LARGE;
	if (n == 0)
		return STORE_OK;
	struct spill *sp = spill_find(s, blob);
	if (sp == NULL) {
		/* The writer keeps a first chunk, or says the blob goes to a file. */
		if ((r = submit(s, &j, J_BLOB_APPEND)) != STORE_OK || j.out == 0)
			return r;
		r = spill_create(s, blob, &sp);
		if (r == STORE_BUSY) {
			struct job k = {.id = blob, .p = p, .n = n, .force_sql = true};
			return submit(s, &k, J_BLOB_APPEND);
		}
		if (r != STORE_OK)
			return r;
	}
	pthread_mutex_lock(&sp->mu);
	if (sp->sealed)
		r = STORE_NOT_FOUND; /* being claimed: appending now is the caller's bug */
	else if (sp->size > INT64_MAX - n)
		r = STORE_TOO_LARGE;
	else if ((r = write_all(sp->fd, p, n, sp->size)) == STORE_OK)
		sp->size += n;
	pthread_mutex_unlock(&sp->mu);
	spill_unref(s, sp);
	return r;
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

/* After the chunk rows of blob (sum bytes of size): the rest from its file, if any. */
static enum store_result read_rest(struct sq *s, store_id blob, int64_t file, int64_t size,
                                   int64_t sum, store_chunk_fn fn, void *ctx)
{
	enum store_result r;
	if (file != 0) {
		char name[20];
		if (size < sum)
			return STORE_CORRUPT;
		spill_name(name, file);
		int fd = openat(s->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return errno == ENOENT ? STORE_NOT_FOUND : STORE_IO;
		r = stream_fd(fd, (uint64_t)(size - sum), fn, ctx);
		close(fd);
		return r;
	}
	struct spill *sp = spill_find(s, blob); /* still pending */
	if (sp == NULL)
		return STORE_OK;
	pthread_mutex_lock(&sp->mu);
	uint64_t n = sp->size;
	pthread_mutex_unlock(&sp->mu);
	r = stream_fd(sp->fd, n, fn, ctx);
	spill_unref(s, sp);
	return r;
}

static enum store_result sq_blob_read(struct store *st, store_id blob, store_chunk_fn fn, void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	bool any = false;
	int64_t file = 0, size = 0, sum = 0;
	if ((r = pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = st_get(c, S_BLOB_READ, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, blob);
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
		r = map_rc(rc);
	else
		r = any ? STORE_OK : STORE_NOT_FOUND;
out:
	st_done(q);
	pool_put(s, c);
	if (r == STORE_OK)
		r = read_rest(s, blob, file, size, sum, fn, ctx);
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
	bool infile = false;
	if ((r = query_row(c, S_BLOB_SIZE, blob, 0, 1, &q)) == STORE_OK) {
		*size = (uint64_t)sqlite3_column_int64(q, 0);
		infile = sqlite3_column_type(q, 1) != SQLITE_NULL;
		st_done(q);
	}
	pool_put(s, c);
	struct spill *sp = r == STORE_OK && !infile ? spill_find(s, blob) : NULL;
	if (sp) { /* pending and file-backed: the row has only the first chunk's size */
		pthread_mutex_lock(&sp->mu);
		*size += sp->size;
		pthread_mutex_unlock(&sp->mu);
		spill_unref(s, sp);
	}
	return r;
}

static enum store_result sq_blob_delete(struct store *st, store_id blob)
{
	struct sq *s = SQ(st);
	struct job j = {.id = blob};
	enum store_result r = shred_job_files(s, &j, submit(s, &j, J_BLOB_DELETE));
	struct spill *sp = r == STORE_OK ? spill_find(s, blob) : NULL;
	if (sp) { /* a pending file-backed blob */
		spill_remove(s, sp);
		r = shred_file(s, sp->file);
		spill_unref(s, sp);
	}
	return r;
}

static enum store_result fn_blob_claim(struct conn *c, void *arg)
{
	return sq_claim(c, *(const store_id *)arg);
}

static enum store_result sq_blob_claim(struct store *st, store_id blob)
{
	if (!in_tx(SQ(st)))
		return STORE_CORRUPT; /* a claim outside a transaction would claim nothing durable
		                       */
	return sq_write_blobs(st, fn_blob_claim, &blob, &blob, 1);
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
	return shred_job_files(SQ(st), &j, submit(SQ(st), &j, J_SOURCE_DELETE));
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
                                              const char *marking, uint32_t seal_version,
                                              store_id message_blob,
                                              const struct store_new_file *files, size_t nfiles,
                                              store_id *out)
{
	struct job j = {.id = source_id,
	                .day = day,
	                .str = marking ? marking : "",
	                .version = seal_version,
	                .id2 = message_blob,
	                .files = files,
	                .nfiles = nfiles};
	*out = 0;
	if (strlen(j.str) >= STORE_MARKING_MAX || nfiles > INT32_MAX)
		return STORE_TOO_LARGE;
	if (nfiles > 0 && files == NULL)
		return STORE_NOT_FOUND;
	if (nfiles > (SIZE_MAX / sizeof(struct claim) - 1) / 2)
		return STORE_TOO_LARGE;
	struct sq *s = SQ(st);
	size_t nids = 0;
	enum store_result r;
	store_id *ids = calloc(1 + 2 * nfiles, sizeof(*ids));
	struct claim *claims = calloc(1 + 2 * nfiles, sizeof(*claims));
	if (ids == NULL || claims == NULL) {
		r = STORE_NOMEM;
		goto out;
	}
	ids[nids++] = message_blob;
	for (size_t i = 0; i < nfiles; i++) {
		ids[nids++] = files[i].meta_blob;
		ids[nids++] = files[i].data_blob;
	}
	/* File-backed blobs are made durable before the commit that claims them. */
	if ((r = claims_prepare(s, ids, nids, claims, &j.nclaims)) != STORE_OK)
		goto out;
	j.claims = j.nclaims > 0 ? claims : NULL; /* in a transaction: the transaction's */
	r = submit(s, &j, J_SUB_COMMIT);
	claims_release(s, claims, j.nclaims, r == STORE_OK);
	if (r == STORE_OK)
		*out = j.out;
out:
	free(ids);
	free(claims);
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
	int64_t v = sqlite3_column_int64(q, 7);
	if (v < 0 || v > UINT32_MAX)
		return STORE_CORRUPT;
	o->seal_version = (uint32_t)v;
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
	struct sq *s = SQ(st);
	struct job j = {.id = source_id, .day = day, .id2 = blob};
	struct claim claim;
	enum store_result r = claims_prepare(s, &blob, 1, &claim, &j.nclaims);
	*out = 0;
	if (r != STORE_OK)
		return r;
	j.claims = j.nclaims > 0 ? &claim : NULL; /* in a transaction: the transaction's */
	r = submit(s, &j, J_REPLY_ADD);
	claims_release(s, &claim, j.nclaims, r == STORE_OK);
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
	return shred_job_files(SQ(st), &j, submit(SQ(st), &j, J_REPLY_DELETE));
}

extern const struct store_officer_ops sq_officer_ops;   /* store_sqlite_officer.c */
extern const struct store_desk_ops sq_desk_ops;         /* store_sqlite_desk.c */
extern const struct store_registry_ops sq_registry_ops; /* store_sqlite_registry.c */
const struct store_backend store_backend_sqlite = {
        .name = "sqlite",
        .open = sq_open,
        .close = sq_close,
        .write = sq_tx,
        .in_write = sq_in_write,
        .meta_get = sq_meta_get,
        .meta_set = sq_meta_set,
        .blob_create = sq_blob_create,
        .blob_append = sq_blob_append,
        .blob_put = sq_blob_put,
        .blob_read = sq_blob_read,
        .blob_size = sq_blob_size,
        .blob_delete = sq_blob_delete,
        .blob_claim = sq_blob_claim,
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
        .ledger = &store_ledger_sqlite,
        .officer = &sq_officer_ops,
        .desk = &sq_desk_ops,
        .registry = &sq_registry_ops,
};
