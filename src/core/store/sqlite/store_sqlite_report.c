/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_report: the reports of the SQLite backend's registry
 * (core/store/store_registry.h): a report with its readers and citations,
 * circulation, and the listings of them. Its tables are in
 * store_sqlite_registry.c's schema part; its caps are checked by the front
 * (core/store/store_registry.c).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_registry.h"
#include "core/store/sqlite/store_sqlite.h"
#include "core/store/sqlite/store_sqlite_registry.h"

#include "lib/banned.h"

static const char sql_report_insert[] =
        "INSERT INTO report(author, day, marking_id, label_version, body)"
        " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_reader_add[] =
        "INSERT OR IGNORE INTO report_reader(officer, report) VALUES(?1, ?2)";
static const char sql_cite_add[] =
        "INSERT OR IGNORE INTO report_cite(report, kind, object) VALUES(?1, ?2, ?3)";
static const char sql_circ_add[] = "INSERT OR IGNORE INTO report_circ(report, list) VALUES(?1, ?2)";
static const char sql_report_get[] =
        "SELECT r.id, r.author, r.day, r.marking_id, m.text, r.label_version, r.body,"
        " (SELECT group_concat(officer) FROM report_reader x WHERE x.report = r.id)"
        " FROM report r JOIN reg_marking m ON m.id = r.marking_id WHERE r.id = ?1";
/* the readers column is the reader's own row of report_reader: see report_candidates */
static const char sql_candidates[] =
        "SELECT r.id, r.author, r.day, r.marking_id, m.text, r.label_version, NULL, rr.officer"
        " FROM report_reader rr JOIN report r ON r.id = rr.report"
        " JOIN reg_marking m ON m.id = r.marking_id WHERE rr.officer = ?1"
        " ORDER BY rr.report DESC";
static const char sql_report_exists[] = "SELECT 1 FROM report WHERE id = ?1";
static const char sql_cites[] = "SELECT kind, object FROM report_cite WHERE report = ?1"
                                " ORDER BY kind, object";
static const char sql_report_lists[] =
        "SELECT d.name FROM report_circ c JOIN dist_list d ON d.id = c.list"
        " WHERE c.report = ?1 ORDER BY d.name";

/* "3,1,2" -> sorted ids, into a growable array (capped). */
struct ids {
	int64_t *v;
	size_t n, cap;
};

static int ids_push(struct ids *a, int64_t x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		if (cap > STORE_READERS_MAX)
			return -1;
		int64_t *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static enum store_result parse_ids(const unsigned char *t, size_t n, struct ids *a)
{
	a->n = 0;
	int64_t cur = 0;
	bool in = false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && t[i] >= '0' && t[i] <= '9') {
			if (cur > (INT64_MAX - 9) / 10)
				return STORE_CORRUPT;
			cur = cur * 10 + (t[i] - '0');
			in = true;
		} else if (i == n || t[i] == ',') {
			if (in && ids_push(a, cur) != 0)
				return STORE_TOO_LARGE;
			cur = 0;
			in = false;
		} else {
			return STORE_CORRUPT;
		}
	}
	qsort(a->v, a->n, sizeof *a->v, cmp_i64);
	return STORE_OK;
}

struct a_report {
	store_id id, author, marking_id;
	int32_t day;
	uint32_t label_version;
	const uint8_t *body;
	size_t body_len;
	const int64_t *readers;
	size_t nreaders;
	const struct store_cite *cites;
	size_t ncites;
	const store_id *lists;
	size_t nlists;
	int (*fn)(void *ctx, const struct store_report *r);
	int (*cite_fn)(void *ctx, const struct store_cite *c);
	int (*name_fn)(void *ctx, const char *name);
	void *ctx;
	struct ids ids;
};

static enum store_result add_readers_lists(struct conn *c, struct a_report *a)
{
	enum store_result r;
	for (size_t i = 0; i < a->nreaders; i++)
		if ((r = rg_exec(c, sql_reader_add, a->readers[i], a->id, 0, 2)) != STORE_OK)
			return r;
	for (size_t i = 0; i < a->nlists; i++)
		if ((r = rg_exec(c, sql_circ_add, a->id, a->lists[i], 0, 2)) != STORE_OK)
			return r;
	return STORE_OK;
}

static enum store_result fn_report_insert(struct conn *c, void *arg)
{
	struct a_report *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_report_insert, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, a->author)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, a->day)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->marking_id)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, a->label_version)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 5, a->body, (int)a->body_len, SQLITE_STATIC))) !=
	            STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	if ((r = add_readers_lists(c, a)) != STORE_OK)
		return r;
	for (size_t i = 0; i < a->ncites; i++)
		if ((r = rg_exec(c, sql_cite_add, a->id, a->cites[i].kind, a->cites[i].id, 3)) !=
		    STORE_OK)
			return r;
	return STORE_OK;
}

enum store_result rg_report_insert(struct store *s, store_id author, int32_t day,
                                   store_id marking_id, uint32_t label_version, const uint8_t *body,
                                   size_t body_len, const int64_t *readers, size_t nreaders,
                                   const struct store_cite *cites, size_t ncites, store_id *out)
{
	struct a_report a = {.author = author,
	                     .day = day,
	                     .marking_id = marking_id,
	                     .label_version = label_version,
	                     .body = body,
	                     .body_len = body_len,
	                     .readers = readers,
	                     .nreaders = nreaders,
	                     .cites = cites,
	                     .ncites = ncites};
	enum store_result r = sq_write(s, true, fn_report_insert, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

/* Steps st (report rows as in sql_report_get) calling a->fn for each row. */
static enum store_result report_rows(sqlite3_stmt *st, struct a_report *a, bool one)
{
	int rc;
	enum store_result r = STORE_OK;
	bool any = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_report rep;
		memset(&rep, 0, sizeof rep);
		rep.id = sqlite3_column_int64(st, 0);
		rep.author = sqlite3_column_int64(st, 1);
		rep.day = (int32_t)sqlite3_column_int64(st, 2);
		rep.marking_id = sqlite3_column_int64(st, 3);
		rg_col_text(st, 4, rep.marking, sizeof rep.marking);
		rep.label_version = (uint32_t)sqlite3_column_int64(st, 5);
		rep.body = sqlite3_column_blob(st, 6);
		rep.body_len = rep.body ? (size_t)sqlite3_column_bytes(st, 6) : 0;
		const unsigned char *t = sqlite3_column_text(st, 7);
		if ((r = parse_ids(t, t ? (size_t)sqlite3_column_bytes(st, 7) : 0, &a->ids)) !=
		    STORE_OK)
			break;
		rep.readers = a->ids.v;
		rep.nreaders = a->ids.n;
		any = true;
		if (a->fn(a->ctx, &rep) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	if (r == STORE_OK)
		r = sq_map(rc);
	if (r == STORE_OK && one && !any)
		r = STORE_NOT_FOUND;
	sq_done(st);
	return r;
}

static enum store_result fn_report_get(struct conn *c, void *arg)
{
	struct a_report *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_report_get, a->id, &st);
	if (r != STORE_OK)
		return r;
	return report_rows(st, a, true);
}

enum store_result rg_report_get(struct store *s, store_id id,
                                int (*fn)(void *ctx, const struct store_report *r), void *ctx)
{
	struct a_report a = {.id = id, .fn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, fn_report_get, &a);
	free(a.ids.v);
	return r;
}

static enum store_result fn_candidates(struct conn *c, void *arg)
{
	struct a_report *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_candidates, a->id, &st);
	if (r != STORE_OK)
		return r;
	return report_rows(st, a, false);
}

enum store_result rg_report_candidates(struct store *s, store_id reader,
                                       int (*fn)(void *ctx, const struct store_report *r),
                                       void *ctx)
{
	struct a_report a = {.id = reader, .fn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, fn_candidates, &a);
	free(a.ids.v);
	return r;
}

static enum store_result fn_circulate(struct conn *c, void *arg)
{
	struct a_report *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_report_exists, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sq_map(rc);
	return add_readers_lists(c, a);
}

enum store_result rg_report_circulate(struct store *s, store_id report, const int64_t *readers,
                                      size_t nreaders, const store_id *lists, size_t nlists)
{
	struct a_report a = {.id = report,
	                     .readers = readers,
	                     .nreaders = nreaders,
	                     .lists = lists,
	                     .nlists = nlists};
	return sq_write(s, true, fn_circulate, &a);
}

static enum store_result fn_cites(struct conn *c, void *arg)
{
	struct a_report *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, a->cite_fn ? sql_cites : sql_report_lists, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, a->id)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc;
	char name[STORE_DIST_NAME_MAX + 1];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop;
		if (a->cite_fn) {
			struct store_cite ct = {.kind = sqlite3_column_int(st, 0),
			                        .id = sqlite3_column_int64(st, 1)};
			stop = a->cite_fn(a->ctx, &ct);
		} else {
			rg_col_text(st, 0, name, sizeof name);
			stop = a->name_fn(a->ctx, name);
		}
		if (stop) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	r = sq_map(rc);
	sq_done(st);
	return r;
}

enum store_result rg_report_cites(struct store *s, store_id report,
                                  int (*fn)(void *ctx, const struct store_cite *c), void *ctx)
{
	struct a_report a = {.id = report, .cite_fn = fn, .ctx = ctx};
	return sq_read(s, fn_cites, &a);
}

enum store_result rg_report_lists(struct store *s, store_id report,
                                  int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct a_report a = {.id = report, .name_fn = fn, .ctx = ctx};
	return sq_read(s, fn_cites, &a);
}
