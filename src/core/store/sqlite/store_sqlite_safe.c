/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_safe: the safe copies of files in the SQLite backend
 * (core/store/store_safe.h): one row per file that has one, keyed by the
 * file's id (no id of its own). Only rows: the rules are the front's
 * (core/store/store_safe.c) and core's (core/safeview/).
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_safe.h"

#include "lib/banned.h"

static const char *const safe_steps[] = {
        /* 1 */
        "CREATE TABLE file_safe(file_id INTEGER PRIMARY KEY REFERENCES file(id),"
        " blob INTEGER NOT NULL, pages INTEGER NOT NULL, day INTEGER NOT NULL,"
        " marking TEXT NOT NULL, seal_version INTEGER NOT NULL);",
};

const struct sq_schema_part sq_part_safe = {
        .name = "safe",
        .steps = safe_steps,
        .nsteps = (int)(sizeof(safe_steps) / sizeof(safe_steps[0])),
};

static const char sql_add[] = "INSERT INTO file_safe(file_id, blob, pages, day, marking,"
                              " seal_version) SELECT id, ?2, ?3, ?4, ?5, ?6 FROM file"
                              " WHERE id = ?1";
static const char sql_has[] = "SELECT 1 FROM file_safe WHERE file_id = ?1";
static const char sql_get[] = "SELECT file_id, blob, pages, day, marking, seal_version"
                              " FROM file_safe WHERE file_id = ?1";
static const char sql_delete[] = "DELETE FROM file_safe WHERE file_id = ?1";

struct a_safe {
	const struct store_safe_copy *in;
	struct store_safe_copy *out;
	store_id file_id;
};

static enum store_result fn_add(struct conn *c, void *arg)
{
	const struct store_safe_copy *in = ((struct a_safe *)arg)->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_has, in->file_id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc == SQLITE_ROW)
		return STORE_EXISTS;
	if (rc != SQLITE_DONE)
		return sq_map(rc);
	if ((r = sq_stmt_i64(c, sql_add, in->file_id, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, in->blob)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, in->pages)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->day)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, in->marking)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->seal_version)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) != 1)
		return STORE_NOT_FOUND; /* no such file */
	return sq_claim(c, in->blob);
}

static enum store_result sr_add(struct store *s, const struct store_safe_copy *in)
{
	struct a_safe a = {.in = in};
	return sq_write_blobs(s, fn_add, &a, &in->blob, 1);
}

static enum store_result fn_get(struct conn *c, void *arg)
{
	struct a_safe *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_get, a->file_id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct store_safe_copy *o = a->out;
		o->file_id = sqlite3_column_int64(st, 0);
		o->blob = sqlite3_column_int64(st, 1);
		o->pages = sqlite3_column_int(st, 2);
		o->day = sqlite3_column_int(st, 3);
		const unsigned char *m = sqlite3_column_text(st, 4);
		size_t n = m != NULL ? (size_t)sqlite3_column_bytes(st, 4) : 0;
		if (n >= sizeof o->marking)
			n = sizeof o->marking - 1;
		if (n > 0)
			memcpy(o->marking, m, n);
		o->marking[n] = '\0';
		o->seal_version = (uint32_t)sqlite3_column_int64(st, 5);
	}
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sr_get(struct store *s, store_id file_id, struct store_safe_copy *out)
{
	struct a_safe a = {.file_id = file_id, .out = out};
	return sq_read(s, fn_get, &a);
}

static enum store_result fn_delete(struct conn *c, void *arg)
{
	struct a_safe *a = arg;
	struct store_safe_copy row;
	a->out = &row;
	enum store_result r = fn_get(c, a);
	if (r != STORE_OK)
		return r;
	sqlite3_stmt *st;
	if ((r = sq_stmt_i64(c, sql_delete, a->file_id, &st)) != STORE_OK ||
	    (r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_blob_drop(c, row.blob);
}

static enum store_result sr_delete(struct store *s, store_id file_id)
{
	struct a_safe a = {.file_id = file_id};
	return sq_write_blobs(s, fn_delete, &a, NULL, 0);
}

const struct store_safe_ops sq_safe_ops = {
        .safe_add = sr_add,
        .safe_get = sr_get,
        .safe_delete = sr_delete,
};
