/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite: the embedded store backend, one SQLite file in WAL mode. This
 * file opens and closes it: the connections, the schema migration, the
 * checkpointer, the read pool, the hooks of the domain files
 * (store_sqlite.h). The writes go through the writer thread
 * (store_sqlite_writer.c); the rows of meta and blobs are in
 * store_sqlite_blob.c (their large files in core/store/blob_spill.c), those of
 * the intake in store_sqlite_intake.c, each domain's in its own file.
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

#include "core/store/sqlite/store_sqlite_internal.h"
#include "core/store/store.h"
#include "core/store/store_ledger.h"

#include "lib/banned.h"

#define BUSY_TIMEOUT_MS 10000
#define CKPT_PAGES 4096     /* wake the checkpointer when the WAL holds this many pages */
#define TRUNCATE_WAIT_MS 50 /* longest a post-delete TRUNCATE checkpoint may stall writers */

/* ---- the core statements, prepared lazily and cached per connection ---- */

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
	case SQLITE_FULL: /* ENOSPC, EDQUOT or EFBIG on the database, journal or WAL */
		return STORE_FULL;
	default:
		return STORE_IO;
	}
}

enum store_result sq_core(struct conn *c, enum stmt i, sqlite3_stmt **out)
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

enum store_result sq_core_exec(struct conn *c, enum stmt i)
{
	sqlite3_stmt *st;
	enum store_result r = sq_core(c, i, &st);
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

enum store_result sq_set_sync(struct conn *c, bool full)
{
	if (c->sync_full == (full ? 1 : 0))
		return STORE_OK;
	enum store_result r = sq_core_exec(c, full ? S_SYNC_FULL : S_SYNC_NORMAL);
	c->sync_full = r == STORE_OK ? (full ? 1 : 0) : -1;
	return r;
}

/* ---- the checkpointer ---- */

void sq_ck_wake(struct sq *s, bool truncate)
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
		sq_ck_wake(arg, false);
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

/* ---- the read pool ---- */

enum store_result sq_pool_get(struct sq *s, struct conn **out)
{
	if (sq_in_tx(s)) { /* a read inside a transaction sees its changes */
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

void sq_pool_put(struct sq *s, struct conn *c)
{
	if (c == &s->writer)
		return;
	pthread_mutex_lock(&s->pool_mu);
	c->next = s->pool;
	s->pool = c;
	pthread_mutex_unlock(&s->pool_mu);
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

enum store_result sq_read(struct store *st, sq_fn fn, void *arg)
{
	struct sq *s = SQ(st);
	struct conn *c;
	enum store_result r = sq_pool_get(s, &c);
	if (r != STORE_OK)
		return r;
	if (c == &s->writer) /* inside a transaction: its snapshot */
		return fn(c, arg);
	/* cached statements: sqlite3_exec would parse BEGIN and COMMIT on every read */
	if (sqlite3_get_autocommit(c->db) && (r = sq_core_exec(c, S_BEGIN_READ)) != STORE_OK) {
		sq_pool_put(s, c);
		return r;
	}
	r = fn(c, arg);
	if (sq_core_exec(c, S_COMMIT) != STORE_OK) {
		(void)sq_core_exec(c, S_ROLLBACK);
		if (r == STORE_OK)
			r = STORE_IO;
	}
	sq_pool_put(s, c);
	return r;
}

enum store_result sq_row(struct conn *c, const char *sql, int64_t a, int64_t b, int nparams,
                         sqlite3_stmt **out)
{
	sqlite3_stmt *q;
	enum store_result r;
	*out = NULL;
	if ((r = sq_stmt(c, sql, &q)) != STORE_OK)
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
	blob_spill_close(&s->spill);
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

/* Opens PATH.blobs, the directory of file-backed blobs (core/store/blob_spill.h). */
static enum store_result open_blob_dir(struct sq *s)
{
	char name[4096];
	int n = snprintf(name, sizeof(name), "%s.blobs", s->path);
	if (n < 0 || (size_t)n >= sizeof(name))
		return STORE_IO;
	return blob_spill_open(name, &s->spill);
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
	if ((r = sq_migrate(&s->writer)) != STORE_OK)
		goto fail;
	if (first) {
		/* Blobs never claimed by a commit: a crashed upload. */
		if ((r = sq_blob_cleanup(s)) != STORE_OK)
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
	if (pthread_create(&s->writer_thread, NULL, sq_writer_main, s) != 0) {
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

extern const struct store_officer_ops sq_officer_ops;   /* store_sqlite_officer.c */
extern const struct store_desk_ops sq_desk_ops;         /* store_sqlite_desk.c */
extern const struct store_registry_ops sq_registry_ops; /* store_sqlite_registry.c */
extern const struct store_release_ops sq_release_ops;   /* store_sqlite_release.c */
extern const struct store_copy_ops sq_copy_ops;         /* store_sqlite_copy.c */
/*
 * The database, its WAL, WAL index and open lock, and the segment file of its
 * large blobs: files only, no directory (the first open moved any per-blob
 * file of an older store into the segment file). Both roles need them all
 * until the intake has its own file (docs/privsep.md).
 */
static enum store_result sq_files(struct store *st, enum store_role role, store_file_fn fn,
                                  void *ctx)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-open", ".blobs/segments"};
	char name[4096];
	(void)role;
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		int n = snprintf(name, sizeof name, "%s%s", SQ(st)->path, suffix[i]);
		if (n < 0 || (size_t)n >= sizeof name)
			return STORE_TOO_LARGE;
		if (fn(ctx, name, STORE_FILE) != 0)
			return STORE_STOP;
	}
	return STORE_OK;
}

extern const struct store_liaison_ops sq_liaison_ops; /* store_sqlite_liaison.c */
extern const struct store_safe_ops sq_safe_ops;       /* store_sqlite_safe.c */
extern const struct store_witness_ops sq_witness_ops; /* store_sqlite_witness.c */
extern const struct store_session_ops sq_session_ops; /* store_sqlite_session.c */
const struct store_backend store_backend_sqlite = {
        .files = sq_files,
        .name = "sqlite",
        .open = sq_open,
        .close = sq_close,
        .write = sq_tx,
        .in_write = sq_in_write,
        .check = sq_check,
        .meta_get = sq_meta_get,
        .meta_set = sq_meta_set,
        .blob_create = sq_blob_create,
        .blob_append = sq_blob_append,
        .blob_put = sq_blob_put,
        .blob_read = sq_blob_read,
        .blob_size = sq_blob_size,
        .blob_list = sq_blob_list,
        .expire = sq_expire,
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
        .reply_seal = sq_reply_seal,
        .reply_read = sq_reply_read,
        .reply_tombstone = sq_reply_tombstone,
        .ledger = &store_ledger_sqlite,
        .officer = &sq_officer_ops,
        .desk = &sq_desk_ops,
        .registry = &sq_registry_ops,
        .release = &sq_release_ops,
        .copy = &sq_copy_ops,
        .liaison = &sq_liaison_ops,
        .safe = &sq_safe_ops,
        .witness = &sq_witness_ops,
        .session = &sq_session_ops,
};
