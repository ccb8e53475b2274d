/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_intake: the intake's rows (source, submission, file, reply),
 * in the core schema (store_sqlite_schema.c). Durable writes go through
 * sq_write, those that claim or delete blobs through sq_write_blobs.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

#define SOURCE_COLS "id, pk, created_day, last_day, nsubmissions, nunread"
#define SUB_COLS "id, source_id, day, message_blob, nfiles, read, marking, seal_version"
/* The blobs of a source's submissions, files and replies (?1: the source). */
#define SOURCE_BLOB_IDS                                               \
	"SELECT message_blob FROM submission WHERE source_id = ?1"    \
	" UNION ALL SELECT f.meta_blob FROM file f JOIN submission s" \
	" ON f.submission_id = s.id WHERE s.source_id = ?1"           \
	" UNION ALL SELECT f.data_blob FROM file f JOIN submission s" \
	" ON f.submission_id = s.id WHERE s.source_id = ?1"           \
	" UNION ALL SELECT blob FROM reply WHERE source_id = ?1"      \
	" UNION ALL SELECT desk_blob FROM reply WHERE source_id = ?1" \
	" UNION ALL SELECT x.blob FROM file_safe x JOIN file f"       \
	" ON x.file_id = f.id JOIN submission s"                      \
	" ON f.submission_id = s.id WHERE s.source_id = ?1"

static const char SOURCE_CREATE[] = "INSERT INTO source(lookup, pk, created_day, last_day)"
                                    " VALUES (?1, ?2, ?3, ?3)";
static const char SOURCE_FIND[] = "SELECT " SOURCE_COLS " FROM source WHERE lookup = ?1";
static const char SOURCE_GET[] = "SELECT " SOURCE_COLS " FROM source WHERE id = ?1";
static const char SOURCE_LIST[] = "SELECT " SOURCE_COLS " FROM source"
                                  " ORDER BY last_day DESC, id DESC LIMIT ?1 OFFSET ?2";
static const char SOURCE_BUMP[] = "UPDATE source SET nsubmissions = nsubmissions + 1,"
                                  " nunread = nunread + 1,"
                                  " day_count = CASE WHEN last_day = ?2 THEN day_count + 1"
                                  " WHEN last_day < ?2 THEN 1 ELSE day_count END,"
                                  " last_day = max(last_day, ?2) WHERE id = ?1";
static const char SOURCE_FILES[] =
        "SELECT file FROM blob WHERE file IS NOT NULL AND id IN (" SOURCE_BLOB_IDS ")";
static const char SOURCE_BLOBS_DELETE[] = "DELETE FROM blob WHERE id IN (" SOURCE_BLOB_IDS ")";
static const char SOURCE_SAFE_DELETE[] =
        "DELETE FROM file_safe WHERE file_id IN (SELECT f.id FROM file f JOIN submission s"
        " ON f.submission_id = s.id WHERE s.source_id = ?1)";
static const char SOURCE_FILES_DELETE[] = "DELETE FROM file WHERE submission_id IN"
                                          " (SELECT id FROM submission WHERE source_id = ?1)";
static const char SOURCE_SUBS_DELETE[] = "DELETE FROM submission WHERE source_id = ?1";
static const char SOURCE_REPLIES_DELETE[] = "DELETE FROM reply WHERE source_id = ?1";
static const char SOURCE_DELETE[] = "DELETE FROM source WHERE id = ?1";
static const char SUB_INSERT[] = "INSERT INTO submission(source_id, day, marking, message_blob,"
                                 " nfiles, seal_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char FILE_INSERT[] = "INSERT INTO file(submission_id, meta_blob, data_blob)"
                                  " VALUES (?1, ?2, ?3)";
static const char SUB_GET[] = "SELECT " SUB_COLS " FROM submission WHERE id = ?1";
static const char SUB_LIST[] = "SELECT " SUB_COLS " FROM submission WHERE source_id = ?1"
                               " ORDER BY id LIMIT ?2 OFFSET ?3";
static const char SUB_FILES[] = "SELECT id, submission_id, meta_blob, data_blob FROM file"
                                " WHERE submission_id = ?1 ORDER BY id";
static const char SUB_MARK_READ[] = "UPDATE submission SET read = 1 WHERE id = ?1 AND read = 0"
                                    " RETURNING source_id";
static const char SUB_EXISTS[] = "SELECT 1 FROM submission WHERE id = ?1";
static const char SOURCE_UNREAD_DEC[] = "UPDATE source SET nunread = nunread - 1 WHERE id = ?1";
static const char SUB_COUNT_DAY[] = "SELECT coalesce((SELECT CASE WHEN last_day = ?2 THEN"
                                    " day_count ELSE 0 END FROM source WHERE id = ?1), 0)";
static const char REPLY_ADD[] = "INSERT INTO reply(source_id, day, blob) VALUES (?1, ?2, ?3)";
#define REPLY_COLS                                                                           \
	"id, source_id, day, blob, author, read_day, deleted_day, desk_blob, submission_id," \
	" seal_version, marking"
static const char REPLY_LIST[] = "SELECT " REPLY_COLS " FROM reply WHERE source_id = ?1"
                                 " ORDER BY id";
static const char REPLY_DESK_BLOB[] = "SELECT desk_blob FROM reply WHERE id = ?1"
                                      " AND source_id = ?2 AND deleted_day = 0";
static const char REPLY_SET_SEAL[] =
        "UPDATE reply SET author = CASE WHEN ?2 > 0 THEN ?2 ELSE author END,"
        " submission_id = ?3, seal_version = ?4, marking = ?5, desk_blob = ?6 WHERE id = ?1";
static const char REPLY_READ[] = "UPDATE reply SET read_day = ?2 WHERE source_id = ?1"
                                 " AND read_day = 0 AND deleted_day = 0";
static const char REPLY_BLOBS[] = "SELECT blob, desk_blob FROM reply WHERE id = ?1"
                                  " AND source_id = ?2 AND deleted_day = 0";
static const char REPLY_TOMBSTONE[] = "UPDATE reply SET deleted_day = ?2, blob = 0, desk_blob = 0"
                                      " WHERE id = ?1";
static const char SOURCE_EXISTS[] = "SELECT 1 FROM source WHERE id = ?1";
static const char REPLY_BLOB[] = "SELECT blob, desk_blob FROM reply WHERE id = ?1"
                                 " AND source_id = ?2";
static const char REPLY_DELETE[] = "DELETE FROM reply WHERE id = ?1";
static const char BLOB_FILE[] = "SELECT file FROM blob WHERE id = ?1 AND file IS NOT NULL";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = ?1";

/* Runs sql (?1 = id), which returns no row; *changes: the rows it changed. */
static enum store_result exec_id(struct conn *c, const char *sql, store_id id, int *changes)
{
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_stmt_i64(c, sql, id, &st)) != STORE_OK || (r = sq_exec(st)) != STORE_OK)
		return r;
	if (changes)
		*changes = sq_changes(c);
	return STORE_OK;
}

/* ---- sources ---- */

struct source_new {
	const uint8_t *lookup, *pk;
	int32_t day;
	store_id out;
};

static enum store_result source_create_fn(struct conn *c, void *arg)
{
	struct source_new *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_stmt(c, SOURCE_CREATE, &st)) != STORE_OK)
		return r;
	sqlite3_bind_blob(st, 1, a->lookup, STORE_LOOKUP_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, a->pk, STORE_PK_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, a->day);
	if ((r = sq_exec(st)) == STORE_OK)
		a->out = sqlite3_last_insert_rowid(sq_db(c));
	return r;
}

enum store_result sq_source_create(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                   const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out)
{
	struct source_new a = {lookup, pk, day, 0};
	enum store_result r = sq_write(st, true, source_create_fn, &a);
	*out = r == STORE_OK ? a.out : 0;
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

enum store_result sq_source_find(struct store *st, const uint8_t lookup[STORE_LOOKUP_LEN],
                                 struct store_source *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt(c, SOURCE_FIND, &q)) != STORE_OK)
		goto out;
	sqlite3_bind_blob(q, 1, lookup, STORE_LOOKUP_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		r = read_source(q, out);
	else
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	sq_done(q);
out:
	sq_pool_put(s, c);
	return r;
}

enum store_result sq_source_get(struct store *st, store_id id, struct store_source *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_row(c, SOURCE_GET, id, 0, 1, &q)) == STORE_OK) {
		r = read_source(q, out);
		sq_done(q);
	}
	sq_pool_put(s, c);
	return r;
}

static enum store_result source_delete_fn(struct conn *c, void *arg)
{
	static const char *const steps[] = {SOURCE_BLOBS_DELETE,   SOURCE_SAFE_DELETE,
	                                    SOURCE_FILES_DELETE,   SOURCE_SUBS_DELETE,
	                                    SOURCE_REPLIES_DELETE, SOURCE_DELETE};
	store_id id = *(const store_id *)arg;
	enum store_result r;
	int changes = 0;
	if ((r = sq_drop_files(c, SOURCE_FILES, id)) != STORE_OK)
		return r;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((r = exec_id(c, steps[i], id, &changes)) != STORE_OK)
			return r;
	return changes == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_result sq_source_delete(struct store *st, store_id id)
{
	return sq_write_blobs(st, source_delete_fn, &id, NULL, 0);
}

enum store_result sq_source_list(struct store *st, int64_t offset, int64_t limit,
                                 int (*fn)(void *ctx, const struct store_source *src), void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	struct store_source src;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, SOURCE_LIST, limit, &q)) != STORE_OK)
		goto out;
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
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
out:
	sq_done(q);
	sq_pool_put(s, c);
	return r;
}

/* ---- submissions ---- */

struct sub_new {
	store_id source, message_blob;
	int32_t day;
	const char *marking;
	uint32_t seal_version;
	const struct store_new_file *files;
	size_t nfiles;
	store_id out;
};

static enum store_result sub_commit_fn(struct conn *c, void *arg)
{
	struct sub_new *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_stmt_i64(c, SOURCE_BUMP, a->source, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int(st, 2, a->day);
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) != 1)
		return STORE_NOT_FOUND;
	if (a->message_blob != 0 && (r = sq_claim(c, a->message_blob)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, SUB_INSERT, a->source, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int(st, 2, a->day);
	if ((r = sq_bind(sqlite3_bind_text(st, 3, a->marking, -1, SQLITE_STATIC))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	sqlite3_bind_int64(st, 4, a->message_blob);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)a->nfiles);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)a->seal_version);
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	store_id sub = sqlite3_last_insert_rowid(sq_db(c));
	for (size_t i = 0; i < a->nfiles; i++) {
		if ((r = sq_claim(c, a->files[i].meta_blob)) != STORE_OK ||
		    (r = sq_claim(c, a->files[i].data_blob)) != STORE_OK)
			return r;
		if ((r = sq_stmt_i64(c, FILE_INSERT, sub, &st)) != STORE_OK)
			return r;
		sqlite3_bind_int64(st, 2, a->files[i].meta_blob);
		sqlite3_bind_int64(st, 3, a->files[i].data_blob);
		if ((r = sq_exec(st)) != STORE_OK)
			return r;
	}
	a->out = sub;
	return STORE_OK;
}

enum store_result sq_submission_commit(struct store *st, store_id source_id, int32_t day,
                                       const char *marking, uint32_t seal_version,
                                       store_id message_blob, const struct store_new_file *files,
                                       size_t nfiles, store_id *out)
{
	struct sub_new a = {source_id, message_blob, day, marking, seal_version, files, nfiles, 0};
	size_t nids = 0;
	/* the front bounded nfiles (1 + 2 * nfiles fits); calloc checks the product */
	store_id *ids = calloc(1 + 2 * nfiles, sizeof(*ids));
	if (ids == NULL)
		return STORE_NOMEM;
	ids[nids++] = message_blob;
	for (size_t i = 0; i < nfiles; i++) {
		ids[nids++] = files[i].meta_blob;
		ids[nids++] = files[i].data_blob;
	}
	/* File-backed blobs are made durable before the commit that claims them. */
	enum store_result r = sq_write_blobs(st, sub_commit_fn, &a, ids, nids);
	free(ids);
	*out = r == STORE_OK ? a.out : 0;
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

enum store_result sq_submission_get(struct store *st, store_id id, struct store_submission *out)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_row(c, SUB_GET, id, 0, 1, &q)) == STORE_OK) {
		r = read_submission(q, out);
		sq_done(q);
	}
	sq_pool_put(s, c);
	return r;
}

enum store_result sq_submission_list(struct store *st, store_id source_id, int64_t offset,
                                     int64_t limit,
                                     int (*fn)(void *ctx, const struct store_submission *sub),
                                     void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	struct store_submission sub;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, SUB_LIST, source_id, &q)) != STORE_OK)
		goto out;
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
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
out:
	sq_done(q);
	sq_pool_put(s, c);
	return r;
}

enum store_result sq_submission_files(struct store *st, store_id submission_id,
                                      int (*fn)(void *ctx, const struct store_file *f), void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, SUB_FILES, submission_id, &q)) != STORE_OK)
		goto out;
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
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
out:
	sq_done(q);
	sq_pool_put(s, c);
	return r;
}

static enum store_result mark_read_fn(struct conn *c, void *arg)
{
	store_id id = *(const store_id *)arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_stmt_i64(c, SUB_MARK_READ, id, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_id src = sqlite3_column_int64(st, 0);
		sq_done(st);
		return exec_id(c, SOURCE_UNREAD_DEC, src, NULL);
	}
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_map(rc);
	/* Nothing changed: already read, or no such submission. */
	if ((r = sq_row(c, SUB_EXISTS, id, 0, 1, &st)) == STORE_OK)
		sq_done(st);
	return r;
}

enum store_result sq_submission_mark_read(struct store *st, store_id id)
{
	return sq_write(st, false, mark_read_fn, &id);
}

enum store_result sq_submission_count_day(struct store *st, store_id source_id, int32_t day,
                                          int64_t *count)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_row(c, SUB_COUNT_DAY, source_id, day, 2, &q)) == STORE_OK) {
		*count = sqlite3_column_int64(q, 0);
		sq_done(q);
	}
	sq_pool_put(s, c);
	return r;
}

/* ---- replies ---- */

static enum store_result drop_blob(struct conn *c, store_id blob);

struct reply_new {
	store_id source, blob;
	int32_t day;
	store_id out;
};

static enum store_result reply_add_fn(struct conn *c, void *arg)
{
	struct reply_new *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_claim(c, a->blob)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, REPLY_ADD, a->source, &st)) != STORE_OK)
		return r;
	sqlite3_bind_int(st, 2, a->day);
	sqlite3_bind_int64(st, 3, a->blob);
	if ((r = sq_exec(st)) == STORE_OK)
		a->out = sqlite3_last_insert_rowid(sq_db(c));
	return r;
}

enum store_result sq_reply_add(struct store *st, store_id source_id, int32_t day, store_id blob,
                               store_id *out)
{
	struct reply_new a = {source_id, blob, day, 0};
	enum store_result r = sq_write_blobs(st, reply_add_fn, &a, &blob, 1);
	*out = r == STORE_OK ? a.out : 0;
	return r;
}

enum store_result sq_reply_list(struct store *st, store_id source_id,
                                int (*fn)(void *ctx, const struct store_reply *r), void *ctx)
{
	struct sq *s = SQ(st);
	struct conn *c;
	sqlite3_stmt *q = NULL;
	enum store_result r;
	if ((r = sq_pool_get(s, &c)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, REPLY_LIST, source_id, &q)) != STORE_OK)
		goto out;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_reply rep = {
		        .id = sqlite3_column_int64(q, 0),
		        .source_id = sqlite3_column_int64(q, 1),
		        .day = sqlite3_column_int(q, 2),
		        .blob = sqlite3_column_int64(q, 3),
		        .author = sqlite3_column_int64(q, 4),
		        .read_day = sqlite3_column_int(q, 5),
		        .deleted_day = sqlite3_column_int(q, 6),
		        .desk_blob = sqlite3_column_int64(q, 7),
		        .submission = sqlite3_column_int64(q, 8),
		        .seal_version = (uint32_t)sqlite3_column_int64(q, 9),
		};
		const unsigned char *m = sqlite3_column_text(q, 10);
		int mlen = sqlite3_column_bytes(q, 10);
		if (m == NULL || mlen < 0 || (size_t)mlen >= sizeof rep.marking) {
			r = STORE_CORRUPT;
			goto out;
		}
		memcpy(rep.marking, m, (size_t)mlen);
		if (fn(ctx, &rep) != 0) {
			r = STORE_STOP;
			goto out;
		}
	}
	r = rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
out:
	sq_done(q);
	sq_pool_put(s, c);
	return r;
}

struct reply_del {
	store_id source, id;
};

static enum store_result reply_delete_fn(struct conn *c, void *arg)
{
	struct reply_del *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_row(c, REPLY_BLOB, a->id, a->source, 2, &st)) != STORE_OK)
		return r;
	store_id blob = sqlite3_column_int64(st, 0), desk = sqlite3_column_int64(st, 1);
	sq_done(st);
	if ((r = exec_id(c, REPLY_DELETE, a->id, NULL)) != STORE_OK ||
	    (r = drop_blob(c, blob)) != STORE_OK)
		return r;
	return drop_blob(c, desk);
}

enum store_result sq_reply_delete(struct store *st, store_id source_id, store_id id)
{
	struct reply_del a = {source_id, id};
	return sq_write_blobs(st, reply_delete_fn, &a, NULL, 0);
}

/* Deletes a stored blob inside the job (its file shredded after the commit). */
static enum store_result drop_blob(struct conn *c, store_id blob)
{
	enum store_result r;
	if (blob == 0)
		return STORE_OK;
	if ((r = sq_drop_files(c, BLOB_FILE, blob)) != STORE_OK)
		return r;
	return exec_id(c, BLOB_DELETE, blob, NULL);
}

struct reply_sealing {
	store_id source, id;
	const struct store_reply_seal *rs;
};

static enum store_result reply_seal_fn(struct conn *c, void *arg)
{
	struct reply_sealing *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_row(c, REPLY_DESK_BLOB, a->id, a->source, 2, &st)) != STORE_OK)
		return r;
	store_id old = sqlite3_column_int64(st, 0);
	sq_done(st);
	if ((r = sq_claim(c, a->rs->desk_blob)) != STORE_OK ||
	    (r = sq_stmt_i64(c, REPLY_SET_SEAL, a->id, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, a->rs->author)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->rs->submission)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, a->rs->seal_version)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, a->rs->marking)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, a->rs->desk_blob)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return old != a->rs->desk_blob ? drop_blob(c, old) : STORE_OK;
}

enum store_result sq_reply_seal(struct store *st, store_id source_id, store_id id,
                                const struct store_reply_seal *rs)
{
	struct reply_sealing a = {source_id, id, rs};
	return sq_write_blobs(st, reply_seal_fn, &a, &rs->desk_blob, 1);
}

struct reply_day {
	store_id source, id;
	int32_t day;
};

static enum store_result reply_read_fn(struct conn *c, void *arg)
{
	struct reply_day *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_row(c, SOURCE_EXISTS, a->source, 0, 1, &st)) != STORE_OK)
		return r;
	sq_done(st);
	if ((r = sq_stmt_i64(c, REPLY_READ, a->source, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, a->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

enum store_result sq_reply_read(struct store *st, store_id source_id, int32_t day)
{
	struct reply_day a = {source_id, 0, day};
	return sq_write(st, true, reply_read_fn, &a);
}

static enum store_result reply_tombstone_fn(struct conn *c, void *arg)
{
	struct reply_day *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	if ((r = sq_row(c, REPLY_BLOBS, a->id, a->source, 2, &st)) != STORE_OK)
		return r;
	store_id blob = sqlite3_column_int64(st, 0), desk = sqlite3_column_int64(st, 1);
	sq_done(st);
	if ((r = sq_stmt_i64(c, REPLY_TOMBSTONE, a->id, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, a->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK || (r = drop_blob(c, blob)) != STORE_OK)
		return r;
	return drop_blob(c, desk);
}

enum store_result sq_reply_tombstone(struct store *st, store_id source_id, store_id id, int32_t day)
{
	struct reply_day a = {source_id, id, day};
	return sq_write_blobs(st, reply_tombstone_fn, &a, NULL, 0);
}
