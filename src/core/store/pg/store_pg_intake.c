/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_pg_intake: the intake's rows (sources, submissions, files, replies). */
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"

#include "lib/banned.h"

#define SOURCE_COLS "id, pk, created_day, last_day, nsubmissions, nunread"
#define SUB_COLS "id, source_id, day, message_blob, nfiles, read, marking, seal_version"
#define SOURCE_BLOB_IDS                                               \
	"SELECT message_blob FROM submission WHERE source_id = $1"    \
	" UNION ALL SELECT f.meta_blob FROM file f JOIN submission s" \
	" ON f.submission_id = s.id WHERE s.source_id = $1"           \
	" UNION ALL SELECT f.data_blob FROM file f JOIN submission s" \
	" ON f.submission_id = s.id WHERE s.source_id = $1"           \
	" UNION ALL SELECT blob FROM reply WHERE source_id = $1"      \
	" UNION ALL SELECT desk_blob FROM reply WHERE source_id = $1" \
	" UNION ALL SELECT x.blob FROM file_safe x JOIN file f"       \
	" ON x.file_id = f.id JOIN submission s"                      \
	" ON f.submission_id = s.id WHERE s.source_id = $1"

static const char SOURCE_CREATE[] = "INSERT INTO source(lookup, pk, created_day, last_day)"
                                    " VALUES ($1, $2, $3, $3) RETURNING id";
static const char SOURCE_FIND[] = "SELECT " SOURCE_COLS " FROM source WHERE lookup = $1";
static const char SOURCE_GET[] = "SELECT " SOURCE_COLS " FROM source WHERE id = $1";
static const char SOURCE_LIST[] = "SELECT " SOURCE_COLS " FROM source"
                                  " ORDER BY last_day DESC, id DESC LIMIT $1 OFFSET $2";
static const char SOURCE_BUMP[] = "UPDATE source SET nsubmissions = nsubmissions + 1,"
                                  " nunread = nunread + 1,"
                                  " day_count = CASE WHEN last_day = $2 THEN day_count + 1"
                                  " WHEN last_day < $2 THEN 1 ELSE day_count END,"
                                  " last_day = greatest(last_day, $2) WHERE id = $1";
static const char SOURCE_BLOBS_DELETE[] = "DELETE FROM blob WHERE id IN (" SOURCE_BLOB_IDS ")";
static const char SOURCE_FILES_DELETE[] = "DELETE FROM file WHERE submission_id IN"
                                          " (SELECT id FROM submission WHERE source_id = $1)";
static const char SOURCE_SUBS_DELETE[] = "DELETE FROM submission WHERE source_id = $1";
static const char SOURCE_REPLIES_DELETE[] = "DELETE FROM reply WHERE source_id = $1";
static const char SOURCE_DELETE[] = "DELETE FROM source WHERE id = $1";
static const char SUB_INSERT[] = "INSERT INTO submission(source_id, day, marking, message_blob,"
                                 " nfiles, seal_version) VALUES ($1, $2, $3, $4, $5, $6)"
                                 " RETURNING id";
static const char FILE_INSERT[] = "INSERT INTO file(submission_id, meta_blob, data_blob)"
                                  " VALUES ($1, $2, $3)";
static const char SUB_GET[] = "SELECT " SUB_COLS " FROM submission WHERE id = $1";
static const char SUB_LIST[] = "SELECT " SUB_COLS " FROM submission WHERE source_id = $1"
                               " ORDER BY id LIMIT $2 OFFSET $3";
static const char SUB_FILES[] = "SELECT id, submission_id, meta_blob, data_blob FROM file"
                                " WHERE submission_id = $1 ORDER BY id";
static const char SUB_MARK_READ[] = "UPDATE submission SET read = true WHERE id = $1 AND NOT read"
                                    " RETURNING source_id";
static const char SUB_EXISTS[] = "SELECT 1 FROM submission WHERE id = $1";
static const char SOURCE_UNREAD_DEC[] = "UPDATE source SET nunread = nunread - 1 WHERE id = $1";
#define SUB_COUNT_DAY                                                          \
	"SELECT CASE WHEN last_day = $2 THEN day_count ELSE 0 END FROM source" \
	" WHERE id = $1"
/*
 * Inside a transaction the source row is locked until it ends: a quota
 * checked there holds across nodes (another node's check waits, then reads
 * the count this one committed).
 */
static const char SUB_COUNT_DAY_LOCKED[] = SUB_COUNT_DAY " FOR UPDATE";
static const char REPLY_ADD[] = "INSERT INTO reply(source_id, day, blob) VALUES ($1, $2, $3)"
                                " RETURNING id";
#define REPLY_COLS                                                                           \
	"id, source_id, day, blob, author, read_day, deleted_day, desk_blob, submission_id," \
	" seal_version, marking"
static const char REPLY_LIST[] = "SELECT " REPLY_COLS " FROM reply WHERE source_id = $1"
                                 " ORDER BY id";
static const char REPLY_DELETE[] = "DELETE FROM reply WHERE id = $1 AND source_id = $2"
                                   " RETURNING blob, desk_blob";
/* the old desk copy: the row is locked, then updated */
static const char REPLY_DESK_BLOB[] = "SELECT desk_blob FROM reply WHERE id = $1"
                                      " AND source_id = $2 AND deleted_day = 0 FOR UPDATE";
static const char REPLY_SET_SEAL[] =
        "UPDATE reply SET author = CASE WHEN $2::bigint > 0 THEN $2::bigint ELSE author END,"
        " submission_id = $3, seal_version = $4, marking = $5, desk_blob = $6 WHERE id = $1";
static const char REPLY_READ[] = "UPDATE reply SET read_day = $2 WHERE source_id = $1"
                                 " AND read_day = 0 AND deleted_day = 0";
static const char SOURCE_EXISTS[] = "SELECT 1 FROM source WHERE id = $1";
static const char REPLY_TOMBSTONE[] =
        "UPDATE reply r SET deleted_day = $3, blob = 0, desk_blob = 0 FROM"
        " (SELECT id, blob, desk_blob FROM reply WHERE id = $1 AND source_id = $2"
        " AND deleted_day = 0 FOR UPDATE) o WHERE r.id = o.id RETURNING o.blob, o.desk_blob";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = $1";

/* ---- sources ---- */

enum store_result pg_source_create(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                   const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out)
{
	struct pg_params p = {0};
	pg_param_bytes(&p, lookup, STORE_LOOKUP_LEN);
	pg_param_bytes(&p, pk, STORE_PK_LEN);
	pg_param_i64(&p, day);
	enum store_result r = pg_returned_id(s, SOURCE_CREATE, &p, out);
	if (r != STORE_OK)
		*out = 0;
	return r;
}

static enum store_result read_source(const PGresult *q, int i, struct store_source *o)
{
	memset(o, 0, sizeof(*o));
	o->id = pg_i64(q, i, 0);
	if (PQgetlength(q, i, 1) != STORE_PK_LEN)
		return STORE_CORRUPT;
	memcpy(o->pk, PQgetvalue(q, i, 1), STORE_PK_LEN);
	o->created_day = (int32_t)pg_i64(q, i, 2);
	o->last_day = (int32_t)pg_i64(q, i, 3);
	o->nsubmissions = pg_i64(q, i, 4);
	o->nunread = pg_i64(q, i, 5);
	return STORE_OK;
}

static enum store_result one_source(struct store *s, const char *sql, const struct pg_params *p,
                                    struct store_source *out)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	if (r != STORE_OK)
		return r;
	r = PQntuples(q) == 1 ? read_source(q, 0, out) : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

enum store_result pg_source_find(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                 struct store_source *out)
{
	struct pg_params p = {0};
	pg_param_bytes(&p, lookup, STORE_LOOKUP_LEN);
	return one_source(s, SOURCE_FIND, &p, out);
}

enum store_result pg_source_get(struct store *s, store_id id, struct store_source *out)
{
	struct pg_params p = {0};
	pg_param_i64(&p, id);
	return one_source(s, SOURCE_GET, &p, out);
}

static enum store_result source_delete_fn(struct store *s, void *arg)
{
	static const char *const steps[] = {SOURCE_BLOBS_DELETE, SOURCE_FILES_DELETE,
	                                    SOURCE_SUBS_DELETE, SOURCE_REPLIES_DELETE,
	                                    SOURCE_DELETE};
	store_id id = *(const store_id *)arg;
	enum store_result r;
	int64_t rows = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((r = pg_exec_id(s, steps[i], id, &rows)) != STORE_OK)
			return r;
	return rows == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_result pg_source_delete(struct store *s, store_id id)
{
	return pg_tx(s, source_delete_fn, &id);
}

enum store_result pg_source_list(struct store *s, int64_t offset, int64_t limit,
                                 int (*fn)(void *ctx, const struct store_source *src), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	struct store_source src;
	enum store_result r;
	pg_param_i64(&p, limit);
	pg_param_i64(&p, offset);
	if ((r = pg_exec(s, SOURCE_LIST, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if ((r = read_source(q, i, &src)) == STORE_OK && fn(ctx, &src) != 0)
			r = STORE_STOP;
	PQclear(q);
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

static enum store_result sub_commit_fn(struct store *s, void *arg)
{
	struct sub_new *a = arg;
	struct pg_params p = {0};
	enum store_result r;
	int64_t rows;
	pg_param_i64(&p, a->source);
	pg_param_i64(&p, a->day);
	if ((r = pg_exec_n(s, SOURCE_BUMP, &p, &rows)) != STORE_OK)
		return r;
	if (rows != 1)
		return STORE_NOT_FOUND;
	if (a->message_blob != 0 && (r = pg_claim(s, a->message_blob)) != STORE_OK)
		return r;
	struct pg_params i = {0};
	pg_param_i64(&i, a->source);
	pg_param_i64(&i, a->day);
	pg_param_text(&i, a->marking);
	pg_param_i64(&i, a->message_blob);
	pg_param_i64(&i, (int64_t)a->nfiles);
	pg_param_i64(&i, (int64_t)a->seal_version);
	store_id sub;
	if ((r = pg_returned_id(s, SUB_INSERT, &i, &sub)) != STORE_OK)
		return r;
	for (size_t k = 0; k < a->nfiles; k++) {
		if ((r = pg_claim(s, a->files[k].meta_blob)) != STORE_OK ||
		    (r = pg_claim(s, a->files[k].data_blob)) != STORE_OK)
			return r;
		struct pg_params f = {0};
		pg_param_i64(&f, sub);
		pg_param_i64(&f, a->files[k].meta_blob);
		pg_param_i64(&f, a->files[k].data_blob);
		if ((r = pg_exec(s, FILE_INSERT, &f, NULL)) != STORE_OK)
			return r;
	}
	a->out = sub;
	return STORE_OK;
}

enum store_result pg_submission_commit(struct store *s, store_id source_id, int32_t day,
                                       const char *marking, uint32_t seal_version,
                                       store_id message_blob, const struct store_new_file *files,
                                       size_t nfiles, store_id *out)
{
	struct sub_new a = {source_id, message_blob, day, marking, seal_version, files, nfiles, 0};
	enum store_result r = pg_tx(s, sub_commit_fn, &a);
	*out = r == STORE_OK ? a.out : 0;
	return r;
}

enum store_result pg_submission_row(const PGresult *q, int i, struct store_submission *o)
{
	memset(o, 0, sizeof(*o));
	o->id = pg_i64(q, i, 0);
	o->source_id = pg_i64(q, i, 1);
	o->day = (int32_t)pg_i64(q, i, 2);
	o->message_blob = pg_i64(q, i, 3);
	o->nfiles = (int32_t)pg_i64(q, i, 4);
	o->read = pg_i64(q, i, 5) != 0;
	size_t n = (size_t)PQgetlength(q, i, 6);
	if (PQgetisnull(q, i, 6) || n >= sizeof(o->marking))
		return STORE_CORRUPT;
	memcpy(o->marking, PQgetvalue(q, i, 6), n);
	o->marking[n] = '\0';
	int64_t v = pg_i64(q, i, 7);
	if (v < 0 || v > UINT32_MAX)
		return STORE_CORRUPT;
	o->seal_version = (uint32_t)v;
	return STORE_OK;
}

enum store_result pg_submission_get(struct store *s, store_id id, struct store_submission *out)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, id);
	if ((r = pg_exec(s, SUB_GET, &p, &q)) != STORE_OK)
		return r;
	r = PQntuples(q) == 1 ? pg_submission_row(q, 0, out) : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

enum store_result pg_submission_list(struct store *s, store_id source_id, int64_t offset,
                                     int64_t limit,
                                     int (*fn)(void *ctx, const struct store_submission *sub),
                                     void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	struct store_submission sub;
	enum store_result r;
	pg_param_i64(&p, source_id);
	pg_param_i64(&p, limit);
	pg_param_i64(&p, offset);
	if ((r = pg_exec(s, SUB_LIST, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if ((r = pg_submission_row(q, i, &sub)) == STORE_OK && fn(ctx, &sub) != 0)
			r = STORE_STOP;
	PQclear(q);
	return r;
}

enum store_result pg_submission_files(struct store *s, store_id submission_id,
                                      int (*fn)(void *ctx, const struct store_file *f), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, submission_id);
	if ((r = pg_exec(s, SUB_FILES, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q); i++) {
		struct store_file f = {
		        .id = pg_i64(q, i, 0),
		        .submission_id = pg_i64(q, i, 1),
		        .meta_blob = pg_i64(q, i, 2),
		        .data_blob = pg_i64(q, i, 3),
		};
		if (fn(ctx, &f) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	PQclear(q);
	return r;
}

static enum store_result mark_read_fn(struct store *s, void *arg)
{
	store_id id = *(const store_id *)arg;
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	int64_t rows;
	pg_param_i64(&p, id);
	if ((r = pg_exec(s, SUB_MARK_READ, &p, &q)) != STORE_OK)
		return r;
	int n = PQntuples(q);
	store_id source = n == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	if (n != 1) { /* already read (no change), or no such submission */
		if ((r = pg_exec_id(s, SUB_EXISTS, id, &rows)) != STORE_OK)
			return r;
		return rows == 1 ? STORE_OK : STORE_NOT_FOUND;
	}
	return pg_exec_id(s, SOURCE_UNREAD_DEC, source, &rows);
}

enum store_result pg_submission_mark_read(struct store *s, store_id id)
{
	return pg_tx(s, mark_read_fn, &id);
}

enum store_result pg_submission_count_day(struct store *s, store_id source_id, int32_t day,
                                          int64_t *count)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, source_id);
	pg_param_i64(&p, day);
	if ((r = pg_exec(s, pg_in_tx(s) ? SUB_COUNT_DAY_LOCKED : SUB_COUNT_DAY, &p, &q)) !=
	    STORE_OK)
		return r;
	*count = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return STORE_OK;
}

/* ---- replies ---- */

struct reply_new {
	store_id source, blob;
	int32_t day;
	store_id out;
};

static enum store_result reply_add_fn(struct store *s, void *arg)
{
	struct reply_new *a = arg;
	struct pg_params p = {0};
	enum store_result r;
	if ((r = pg_claim(s, a->blob)) != STORE_OK)
		return r;
	pg_param_i64(&p, a->source);
	pg_param_i64(&p, a->day);
	pg_param_i64(&p, a->blob);
	return pg_returned_id(s, REPLY_ADD, &p, &a->out);
}

enum store_result pg_reply_add(struct store *s, store_id source_id, int32_t day, store_id blob,
                               store_id *out)
{
	struct reply_new a = {source_id, blob, day, 0};
	enum store_result r = pg_tx(s, reply_add_fn, &a);
	*out = r == STORE_OK ? a.out : 0;
	return r;
}

enum store_result pg_reply_list(struct store *s, store_id source_id,
                                int (*fn)(void *ctx, const struct store_reply *r), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, source_id);
	if ((r = pg_exec(s, REPLY_LIST, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q); i++) {
		struct store_reply rp = {
		        .id = pg_i64(q, i, 0),
		        .source_id = pg_i64(q, i, 1),
		        .day = (int32_t)pg_i64(q, i, 2),
		        .blob = pg_i64(q, i, 3),
		        .author = pg_i64(q, i, 4),
		        .read_day = (int32_t)pg_i64(q, i, 5),
		        .deleted_day = (int32_t)pg_i64(q, i, 6),
		        .desk_blob = pg_i64(q, i, 7),
		        .submission = pg_i64(q, i, 8),
		        .seal_version = (uint32_t)pg_i64(q, i, 9),
		};
		if ((r = pg_text(q, i, 10, rp.marking, sizeof rp.marking)) != STORE_OK)
			break;
		if (fn(ctx, &rp) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	PQclear(q);
	return r;
}

struct reply_del {
	store_id source, id;
};

static enum store_result reply_delete_fn(struct store *s, void *arg)
{
	struct reply_del *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	int64_t rows;
	pg_param_i64(&p, a->id);
	pg_param_i64(&p, a->source);
	if ((r = pg_exec(s, REPLY_DELETE, &p, &q)) != STORE_OK)
		return r;
	int n = PQntuples(q);
	store_id blob = n == 1 ? pg_i64(q, 0, 0) : 0, desk = n == 1 ? pg_i64(q, 0, 1) : 0;
	PQclear(q);
	if (n != 1)
		return STORE_NOT_FOUND;
	if (blob != 0 && (r = pg_exec_id(s, BLOB_DELETE, blob, &rows)) != STORE_OK)
		return r;
	return desk != 0 ? pg_exec_id(s, BLOB_DELETE, desk, &rows) : STORE_OK;
}

enum store_result pg_reply_delete(struct store *s, store_id source_id, store_id id)
{
	struct reply_del a = {source_id, id};
	return pg_tx(s, reply_delete_fn, &a);
}

struct reply_sealing {
	store_id source, id;
	const struct store_reply_seal *rs;
};

static enum store_result reply_seal_fn(struct store *s, void *arg)
{
	struct reply_sealing *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	int64_t rows;
	enum store_result r;
	pg_param_i64(&p, a->id);
	pg_param_i64(&p, a->source);
	if ((r = pg_exec(s, REPLY_DESK_BLOB, &p, &q)) != STORE_OK)
		return r;
	int n = PQntuples(q);
	store_id old = n == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	if (n != 1)
		return STORE_NOT_FOUND;
	if ((r = pg_claim(s, a->rs->desk_blob)) != STORE_OK)
		return r;
	struct pg_params u = {0};
	pg_param_i64(&u, a->id);
	pg_param_i64(&u, a->rs->author);
	pg_param_i64(&u, a->rs->submission);
	pg_param_i64(&u, a->rs->seal_version);
	pg_param_text(&u, a->rs->marking);
	pg_param_i64(&u, a->rs->desk_blob);
	if ((r = pg_exec_n(s, REPLY_SET_SEAL, &u, &rows)) != STORE_OK)
		return r;
	if (old == 0 || old == a->rs->desk_blob)
		return STORE_OK;
	return pg_exec_id(s, BLOB_DELETE, old, &rows);
}

enum store_result pg_reply_seal(struct store *s, store_id source_id, store_id id,
                                const struct store_reply_seal *rs)
{
	struct reply_sealing a = {source_id, id, rs};
	return pg_tx(s, reply_seal_fn, &a);
}

struct reply_day {
	store_id source, id;
	int32_t day;
};

static enum store_result reply_read_fn(struct store *s, void *arg)
{
	struct reply_day *a = arg;
	struct pg_params p = {0};
	int64_t rows;
	enum store_result r;
	if ((r = pg_exec_id(s, SOURCE_EXISTS, a->source, &rows)) != STORE_OK)
		return r;
	if (rows != 1)
		return STORE_NOT_FOUND;
	pg_param_i64(&p, a->source);
	pg_param_i64(&p, a->day);
	return pg_exec_n(s, REPLY_READ, &p, &rows);
}

enum store_result pg_reply_read(struct store *s, store_id source_id, int32_t day)
{
	struct reply_day a = {source_id, 0, day};
	return pg_tx(s, reply_read_fn, &a);
}

static enum store_result reply_tombstone_fn(struct store *s, void *arg)
{
	struct reply_day *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	int64_t rows;
	enum store_result r;
	pg_param_i64(&p, a->id);
	pg_param_i64(&p, a->source);
	pg_param_i64(&p, a->day);
	if ((r = pg_exec(s, REPLY_TOMBSTONE, &p, &q)) != STORE_OK)
		return r;
	int n = PQntuples(q);
	store_id blob = n == 1 ? pg_i64(q, 0, 0) : 0, desk = n == 1 ? pg_i64(q, 0, 1) : 0;
	PQclear(q);
	if (n != 1)
		return STORE_NOT_FOUND;
	if (blob != 0 && (r = pg_exec_id(s, BLOB_DELETE, blob, &rows)) != STORE_OK)
		return r;
	return desk != 0 ? pg_exec_id(s, BLOB_DELETE, desk, &rows) : STORE_OK;
}

enum store_result pg_reply_tombstone(struct store *s, store_id source_id, store_id id, int32_t day)
{
	struct reply_day a = {source_id, id, day};
	return pg_tx(s, reply_tombstone_fn, &a);
}
