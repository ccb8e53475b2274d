/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_retention: the expire op (core/intake/retention.c) on PostgreSQL,
 * as store_sqlite_retention.c does it: the submissions or replies made before
 * a day, deleted with their files and blobs, the sources' counts kept right,
 * inside the caller's store_write.
 */
#include <string.h>

#include "core/store/pg/store_pg.h"

#include "lib/banned.h"

#define SUB_BLOB_IDS                                                     \
	"SELECT message_blob FROM submission WHERE id = $1"              \
	" UNION ALL SELECT meta_blob FROM file WHERE submission_id = $1" \
	" UNION ALL SELECT data_blob FROM file WHERE submission_id = $1" \
	" UNION ALL SELECT x.blob FROM file_safe x JOIN file f"          \
	" ON x.file_id = f.id WHERE f.submission_id = $1"

static const char OLD_SUBS[] = "SELECT id, source_id, marking, CASE WHEN read THEN 0 ELSE 1 END,"
                               " day FROM submission WHERE day < $1 ORDER BY id LIMIT $2";
static const char OLD_REPLIES[] = "SELECT id, source_id, blob, desk_blob FROM reply WHERE day < $1"
                                  " ORDER BY id LIMIT $2";
static const char SUB_BLOBS_DELETE[] = "DELETE FROM blob WHERE id IN (" SUB_BLOB_IDS ")";
static const char SUB_FILES_DELETE[] = "DELETE FROM file WHERE submission_id = $1";
static const char SUB_DELETE[] = "DELETE FROM submission WHERE id = $1";
static const char SOURCE_COUNTS[] =
        "UPDATE source SET nsubmissions = nsubmissions - 1, nunread = nunread - $2,"
        " day_count = CASE WHEN last_day = $3 AND day_count > 0 THEN day_count - 1"
        " ELSE day_count END WHERE id = $1";
static const char REPLY_DELETE[] = "DELETE FROM reply WHERE id = $1";
static const char BLOB_DELETE[] = "DELETE FROM blob WHERE id = $1";

struct expire_arg {
	enum store_expire kind;
	int32_t before;
	struct store_expired *out;
	size_t max, *n;
};

static enum store_result exec_ids(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c,
                                  int nparams)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, a);
	if (nparams > 1)
		pg_param_i64(&p, b);
	if (nparams > 2)
		pg_param_i64(&p, c);
	return pg_exec_n(s, sql, &p, &rows);
}

static enum store_result expire_fn(struct store *s, void *arg)
{
	struct expire_arg *a = arg;
	bool subs = a->kind == STORE_EXPIRE_SUBMISSIONS;
	struct pg_params p = {0};
	PGresult *q;
	pg_param_i64(&p, a->before);
	pg_param_i64(&p, (int64_t)a->max); /* max <= STORE_EXPIRE_MAX (the front) */
	enum store_result r = pg_exec(s, subs ? OLD_SUBS : OLD_REPLIES, &p, &q);
	if (r != STORE_OK)
		return r;
	int rows = PQntuples(q);
	size_t nv = 0;
	for (int i = 0; i < rows && nv < a->max && r == STORE_OK; i++, nv++) {
		struct store_expired *o = &a->out[nv];
		memset(o, 0, sizeof *o);
		o->id = pg_i64(q, i, 0);
		o->source = pg_i64(q, i, 1);
		if (!subs) {
			store_id blob = pg_i64(q, i, 2), desk = pg_i64(q, i, 3);
			if ((r = exec_ids(s, REPLY_DELETE, o->id, 0, 0, 1)) == STORE_OK)
				r = exec_ids(s, BLOB_DELETE, blob, 0, 0, 1);
			if (r == STORE_OK && desk != 0)
				r = exec_ids(s, BLOB_DELETE, desk, 0, 0, 1);
			continue;
		}
		size_t mlen = (size_t)PQgetlength(q, i, 2);
		if (mlen >= sizeof o->marking) {
			r = STORE_CORRUPT;
			break;
		}
		memcpy(o->marking, PQgetvalue(q, i, 2), mlen);
		int64_t unread = pg_i64(q, i, 3), day = pg_i64(q, i, 4);
		static const char *const steps[] = {SUB_BLOBS_DELETE, SUB_FILES_DELETE, SUB_DELETE};
		for (size_t k = 0; r == STORE_OK && k < sizeof steps / sizeof steps[0]; k++)
			r = exec_ids(s, steps[k], o->id, 0, 0, 1);
		if (r == STORE_OK)
			r = exec_ids(s, SOURCE_COUNTS, o->source, unread, day, 3);
	}
	PQclear(q);
	if (r == STORE_OK)
		*a->n = nv;
	return r;
}

enum store_result pg_expire(struct store *s, enum store_expire kind, int32_t before,
                            struct store_expired *out, size_t max, size_t *n)
{
	struct expire_arg a = {kind, before, out, max, n};
	return pg_tx(s, expire_fn, &a);
}
