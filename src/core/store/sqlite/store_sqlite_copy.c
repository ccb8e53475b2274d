/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_copy: the SQLite backend's side of a copy to another backend
 * (core/store/store_copy.h): the rows of a table as they are, and the
 * highest id a table ever gave (sqlite_sequence). Table and column names are
 * the front's constants, checked to be identifiers before they go into SQL;
 * there is no value in the SQL.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_copy.h"

#include "lib/banned.h"

/* Lower-case letters and '_' only: one of our table or column names. */
static bool ident(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return false;
	return true;
}

struct dump_job {
	const char *table;
	const char *const *cols;
	size_t ncols;
	store_copy_row_fn fn;
	void *ctx;
};

static enum store_result build_select(const struct dump_job *j, char *sql, size_t cap)
{
	size_t at = 0;
	int k = snprintf(sql, cap, "SELECT ");
	if (k < 0 || (size_t)k >= cap || !ident(j->table))
		return STORE_CORRUPT;
	at = (size_t)k;
	for (size_t i = 0; i < j->ncols; i++) {
		if (!ident(j->cols[i]))
			return STORE_CORRUPT;
		k = snprintf(sql + at, cap - at, "%s%s", i > 0 ? ", " : "", j->cols[i]);
		if (k < 0 || (size_t)k >= cap - at)
			return STORE_TOO_LARGE;
		at += (size_t)k;
	}
	k = snprintf(sql + at, cap - at, " FROM %s ORDER BY 1", j->table);
	return k < 0 || (size_t)k >= cap - at ? STORE_TOO_LARGE : STORE_OK;
}

static enum store_result fn_dump(struct conn *c, void *arg)
{
	const struct dump_job *j = arg;
	char sql[1024];
	sqlite3_stmt *st = NULL;
	struct store_copy_value v[STORE_COPY_COLS_MAX];
	enum store_result r;
	if (j->ncols == 0 || j->ncols > STORE_COPY_COLS_MAX)
		return STORE_CORRUPT;
	if ((r = build_select(j, sql, sizeof sql)) != STORE_OK)
		return r;
	int rc = sqlite3_prepare_v2(sq_db(c), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_map(rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < j->ncols; i++) {
			int t = sqlite3_column_type(st, (int)i);
			memset(&v[i], 0, sizeof v[i]);
			if (t == SQLITE_INTEGER) {
				v[i].type = STORE_COPY_INT;
				v[i].i = sqlite3_column_int64(st, (int)i);
			} else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
				v[i].type = t == SQLITE_TEXT ? STORE_COPY_TEXT : STORE_COPY_BYTES;
				v[i].p = t == SQLITE_TEXT ? sqlite3_column_text(st, (int)i)
				                          : sqlite3_column_blob(st, (int)i);
				v[i].n = (size_t)sqlite3_column_bytes(st, (int)i);
			} else if (t != SQLITE_NULL) {
				sqlite3_finalize(st);
				return STORE_CORRUPT; /* a float: none of our columns */
			}
		}
		struct store_copy_row row = {.n = j->ncols, .v = v};
		if ((r = j->fn(j->ctx, &row)) != STORE_OK) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
}

static enum store_result sc_dump(struct store *s, const char *table, const char *const *cols,
                                 size_t ncols, store_copy_row_fn fn, void *ctx)
{
	struct dump_job j = {.table = table, .cols = cols, .ncols = ncols, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_dump, &j);
}

/* SQLite is the source of a copy, never its target. */
static enum store_result sc_load(struct store *s, const char *table, const char *const *cols,
                                 const struct store_copy_row *row)
{
	(void)s;
	(void)table;
	(void)cols;
	(void)row;
	return STORE_UNSUPPORTED;
}

struct high_job {
	const char *table;
	int64_t high;
};

static enum store_result fn_high(struct conn *c, void *arg)
{
	struct high_job *j = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(
	        c, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0)",
	        j->table, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		j->high = sqlite3_column_int64(st, 0);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : sq_map(rc);
}

static enum store_result sc_id_high(struct store *s, const char *table, int64_t *high)
{
	struct high_job j = {.table = table};
	enum store_result r = sq_read(s, fn_high, &j);
	*high = r == STORE_OK ? j.high : 0;
	return r;
}

static enum store_result sc_ids_above(struct store *s, const char *table, int64_t high)
{
	(void)s;
	(void)table;
	(void)high;
	return STORE_UNSUPPORTED;
}

const struct store_copy_ops sq_copy_ops = {
        .dump = sc_dump,
        .load = sc_load,
        .id_high = sc_id_high,
        .ids_above = sc_ids_above,
};
