/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_retention: the expire op (core/intake/retention.c): the
 * submissions or replies made before a day, deleted with their files and
 * blobs (the files of file-backed blobs shredded after the commit), the
 * sources' counts kept right. Runs inside the caller's store_write.
 */
#include <string.h>

#include <sqlite3.h>

#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

/* The blobs of one submission and its files (?1: the submission). */
#define SUB_BLOB_IDS                                                     \
	"SELECT message_blob FROM submission WHERE id = ?1"              \
	" UNION ALL SELECT meta_blob FROM file WHERE submission_id = ?1" \
	" UNION ALL SELECT data_blob FROM file WHERE submission_id = ?1" \
	" UNION ALL SELECT x.blob FROM file_safe x JOIN file f"          \
	" ON x.file_id = f.id WHERE f.submission_id = ?1"

static const char OLD_SUBS[] = "SELECT id, source_id, marking, read, day FROM submission"
                               " WHERE day < ?1 ORDER BY id LIMIT ?2";
static const char OLD_REPLIES[] = "SELECT id, source_id, blob, desk_blob FROM reply WHERE day < ?1"
                                  " ORDER BY id LIMIT ?2";
static const char SUB_FILES[] =
        "SELECT file FROM blob WHERE file IS NOT NULL AND id IN (" SUB_BLOB_IDS ")";
static const char SUB_BLOBS_DELETE[] = "DELETE FROM blob WHERE id IN (" SUB_BLOB_IDS ")";
static const char SUB_SAFE_DELETE[] =
        "DELETE FROM file_safe WHERE file_id IN (SELECT id FROM file WHERE submission_id = ?1)";
static const char SUB_FILES_DELETE[] = "DELETE FROM file WHERE submission_id = ?1";
static const char SUB_DELETE[] = "DELETE FROM submission WHERE id = ?1";
/* ?1 source, ?2 1 if the submission was unread, ?3 its day */
static const char SOURCE_COUNTS[] =
        "UPDATE source SET nsubmissions = nsubmissions - 1, nunread = nunread - ?2,"
        " day_count = CASE WHEN last_day = ?3 AND day_count > 0 THEN day_count - 1"
        " ELSE day_count END WHERE id = ?1";
static const char REPLY_FILES[] = "SELECT file FROM blob WHERE id = ?1 AND file IS NOT NULL";
static const char REPLY_DELETE[] = "DELETE FROM reply WHERE id = ?1";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = ?1";

struct expire_arg {
	enum store_expire kind;
	int32_t before;
	struct store_expired *out;
	size_t max, *n;
};

static enum store_result exec_id(struct conn *c, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql, id, &st);
	return r == STORE_OK ? sq_exec(st) : r;
}

static enum store_result delete_submission(struct conn *c, store_id id, store_id source, int unread,
                                           int64_t day)
{
	static const char *const steps[] = {SUB_BLOBS_DELETE, SUB_SAFE_DELETE, SUB_FILES_DELETE,
	                                    SUB_DELETE};
	enum store_result r = sq_drop_files(c, SUB_FILES, id);
	for (size_t i = 0; r == STORE_OK && i < sizeof steps / sizeof steps[0]; i++)
		r = exec_id(c, steps[i], id);
	sqlite3_stmt *st;
	if (r != STORE_OK || (r = sq_stmt_i64(c, SOURCE_COUNTS, source, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, unread)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

/* The reply's row, its blob and its desk copy (a deleted reply's are 0: none). */
static enum store_result delete_reply(struct conn *c, store_id id, const store_id blobs[2])
{
	enum store_result r = exec_id(c, REPLY_DELETE, id);
	for (int i = 0; r == STORE_OK && i < 2; i++)
		if (blobs[i] != 0 && (r = sq_drop_files(c, REPLY_FILES, blobs[i])) == STORE_OK)
			r = exec_id(c, BLOB_DELETE, blobs[i]);
	return r;
}

/* One victim's row: its fields, kept in a->out before the row goes. */
struct victim {
	store_id id, source, blob[2]; /* a reply's blob and desk copy */
	int unread;
	int64_t day;
};

static enum store_result expire_fn(struct conn *c, void *arg)
{
	struct expire_arg *a = arg;
	bool subs = a->kind == STORE_EXPIRE_SUBMISSIONS;
	struct victim v[STORE_EXPIRE_MAX];
	size_t nv = 0;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt_i64(c, subs ? OLD_SUBS : OLD_REPLIES, a->before, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(q, 2, (int64_t)a->max)) != STORE_OK) {
		sq_done(q);
		return r;
	}
	int rc = SQLITE_DONE;
	while (nv < a->max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_expired *o = &a->out[nv];
		memset(o, 0, sizeof *o);
		v[nv].id = o->id = sqlite3_column_int64(q, 0);
		v[nv].source = o->source = sqlite3_column_int64(q, 1);
		if (subs) {
			const unsigned char *m = sqlite3_column_text(q, 2);
			int mlen = sqlite3_column_bytes(q, 2);
			if (m == NULL || mlen < 0 || (size_t)mlen >= sizeof o->marking) {
				sq_done(q);
				return STORE_CORRUPT;
			}
			memcpy(o->marking, m, (size_t)mlen);
			v[nv].unread = sqlite3_column_int64(q, 3) == 0;
			v[nv].day = sqlite3_column_int64(q, 4);
		} else {
			v[nv].blob[0] = sqlite3_column_int64(q, 2);
			v[nv].blob[1] = sqlite3_column_int64(q, 3);
		}
		nv++;
	}
	sq_done(q);
	if (nv < a->max && rc != SQLITE_DONE)
		return sq_map(rc);
	for (size_t i = 0; i < nv; i++) {
		r = subs ? delete_submission(c, v[i].id, v[i].source, v[i].unread, v[i].day)
		         : delete_reply(c, v[i].id, v[i].blob);
		if (r != STORE_OK)
			return r;
	}
	*a->n = nv;
	return STORE_OK;
}

enum store_result sq_expire(struct store *st, enum store_expire kind, int32_t before,
                            struct store_expired *out, size_t max, size_t *n)
{
	struct expire_arg a = {kind, before, out, max, n};
	return sq_write_blobs(st, expire_fn, &a, NULL, 0);
}
