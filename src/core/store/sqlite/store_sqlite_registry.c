/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_registry: the registry tables of the SQLite backend
 * (core/store/store_registry.h). Durable writes go through sq_write(st, true, ...).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_registry.h"
#include "core/store/sqlite/store_sqlite.h"

#include "lib/banned.h"

static const char *const registry_steps[] = {
        /* 1 */
        "CREATE TABLE reg_marking(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
        "CREATE TABLE report(id INTEGER PRIMARY KEY, author INTEGER NOT NULL,"
        " day INTEGER NOT NULL, marking_id INTEGER NOT NULL REFERENCES reg_marking(id),"
        " label_version INTEGER NOT NULL, body BLOB NOT NULL);"
        "CREATE TABLE report_reader(officer INTEGER NOT NULL, report INTEGER NOT NULL"
        " REFERENCES report(id), PRIMARY KEY(officer, report)) WITHOUT ROWID;"
        "CREATE INDEX report_reader_report ON report_reader(report, officer);"
        "CREATE TABLE report_cite(report INTEGER NOT NULL REFERENCES report(id),"
        " kind INTEGER NOT NULL, object INTEGER NOT NULL, PRIMARY KEY(report, kind, object))"
        " WITHOUT ROWID;"
        "CREATE TABLE dist_list(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " owner INTEGER NOT NULL, day INTEGER NOT NULL);"
        "CREATE TABLE dist_member(list INTEGER NOT NULL REFERENCES dist_list(id),"
        " officer INTEGER NOT NULL, PRIMARY KEY(list, officer)) WITHOUT ROWID;"
        "CREATE TABLE report_circ(report INTEGER NOT NULL REFERENCES report(id),"
        " list INTEGER NOT NULL REFERENCES dist_list(id), PRIMARY KEY(report, list))"
        " WITHOUT ROWID;"
        "CREATE TABLE marking_change(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
        " object INTEGER NOT NULL, actor INTEGER NOT NULL, day INTEGER NOT NULL,"
        " old TEXT NOT NULL, new TEXT NOT NULL, reason TEXT NOT NULL);"
        "CREATE INDEX marking_change_object ON marking_change(kind, object);",
};

const struct sq_schema_part sq_part_registry = {
        .name = "registry",
        .steps = registry_steps,
        .nsteps = (int)(sizeof(registry_steps) / sizeof(registry_steps[0])),
};

static const char sql_marking_find[] = "SELECT id FROM reg_marking WHERE text = ?1";
static const char sql_marking_add[] = "INSERT INTO reg_marking(text) VALUES(?1)";
static const char sql_markings[] = "SELECT id, text FROM reg_marking ORDER BY id";
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
static const char sql_dist_create[] = "INSERT INTO dist_list(name, owner, day) VALUES(?1, ?2, ?3)";
static const char sql_dist_find[] = "SELECT id, owner FROM dist_list WHERE name = ?1";
static const char sql_member_add[] =
        "INSERT OR IGNORE INTO dist_member(list, officer) VALUES(?1, ?2)";
static const char sql_member_del[] = "DELETE FROM dist_member WHERE list = ?1 AND officer = ?2";
static const char sql_dist_lists[] = "SELECT id, name, owner FROM dist_list ORDER BY name";
static const char sql_dist_members[] =
        "SELECT officer FROM dist_member WHERE list = ?1 ORDER BY officer";
static const char sql_sub_mark[] =
        "UPDATE submission SET marking = ?2 WHERE id = ?1 AND marking = ?3";
static const char sql_sub_blobs[] = "SELECT message_blob, nfiles FROM submission WHERE id = ?1";
static const char sql_sub_reseal[] =
        "UPDATE submission SET message_blob = ?2, seal_version = ?3 WHERE id = ?1";
static const char sql_file_blobs[] =
        "SELECT meta_blob, data_blob FROM file WHERE id = ?1 AND submission_id = ?2";
static const char sql_file_reseal[] =
        "UPDATE file SET meta_blob = ?2, data_blob = ?3 WHERE id = ?1";
static const char sql_change_add[] =
        "INSERT INTO marking_change(kind, object, actor, day, old, new, reason)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_changes[] =
        "SELECT kind, object, actor, day, old, new, reason FROM marking_change"
        " WHERE kind = ?1 AND object = ?2 ORDER BY id";

/* ---- helpers ---- */

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

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

/* ---- markings ---- */

struct a_marking {
	const char *text;
	store_id id;
	int (*fn)(void *ctx, store_id id, const char *text);
	void *ctx;
};

static enum store_result find_marking(struct conn *c, struct a_marking *a)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(c, sql_marking_find, a->text, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		a->id = sqlite3_column_int64(st, 0);
	r = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result fn_marking_add(struct conn *c, void *arg)
{
	struct a_marking *a = arg;
	enum store_result r = find_marking(c, a);
	if (r != STORE_NOT_FOUND)
		return r;
	sqlite3_stmt *st;
	if ((r = sq_stmt(c, sql_marking_add, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, a->text)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result fn_marking_find(struct conn *c, void *arg)
{
	return find_marking(c, arg);
}

static enum store_result rg_marking_id(struct store *s, const char *text, store_id *id)
{
	struct a_marking a = {.text = text};
	if (text == NULL || strlen(text) >= STORE_MARKING_MAX)
		return STORE_TOO_LARGE;
	enum store_result r = sq_read(s, fn_marking_find, &a);
	if (r == STORE_NOT_FOUND)
		r = sq_write(s, true, fn_marking_add, &a);
	if (r == STORE_OK)
		*id = a.id;
	return r;
}

static enum store_result fn_markings(struct conn *c, void *arg)
{
	struct a_marking *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_markings, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	char text[STORE_MARKING_MAX];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		col_text(st, 1, text, sizeof text);
		if (a->fn(a->ctx, sqlite3_column_int64(st, 0), text) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	r = sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result rg_markings(struct store *s,
                                     int (*fn)(void *ctx, store_id id, const char *text), void *ctx)
{
	struct a_marking a = {.fn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, fn_markings, &a);
	return r == STORE_STOP ? STORE_OK : r;
}

/* ---- reports ---- */

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

static enum store_result exec3(struct conn *c, const char *sql, int64_t a, int64_t b, int64_t d,
                               int n)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, a)) != STORE_OK ||
	    (n >= 2 && (r = sq_bind_i64(st, 2, b)) != STORE_OK) ||
	    (n >= 3 && (r = sq_bind_i64(st, 3, d)) != STORE_OK)) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result add_readers_lists(struct conn *c, struct a_report *a)
{
	enum store_result r;
	for (size_t i = 0; i < a->nreaders; i++)
		if ((r = exec3(c, sql_reader_add, a->readers[i], a->id, 0, 2)) != STORE_OK)
			return r;
	for (size_t i = 0; i < a->nlists; i++)
		if ((r = exec3(c, sql_circ_add, a->id, a->lists[i], 0, 2)) != STORE_OK)
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
		if ((r = exec3(c, sql_cite_add, a->id, a->cites[i].kind, a->cites[i].id, 3)) !=
		    STORE_OK)
			return r;
	return STORE_OK;
}

static enum store_result rg_report_insert(struct store *s, store_id author, int32_t day,
                                          store_id marking_id, uint32_t label_version,
                                          const uint8_t *body, size_t body_len,
                                          const int64_t *readers, size_t nreaders,
                                          const struct store_cite *cites, size_t ncites,
                                          store_id *out)
{
	if (body == NULL || body_len == 0 || body_len > STORE_REPORT_BODY_MAX ||
	    nreaders > STORE_READERS_MAX || ncites > STORE_READERS_MAX)
		return STORE_TOO_LARGE;
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
		col_text(st, 4, rep.marking, sizeof rep.marking);
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

static enum store_result rg_report_get(struct store *s, store_id id,
                                       int (*fn)(void *ctx, const struct store_report *r),
                                       void *ctx)
{
	struct a_report a = {.id = id, .fn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, fn_report_get, &a);
	free(a.ids.v);
	return r == STORE_STOP ? STORE_OK : r;
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

static enum store_result rg_report_candidates(struct store *s, store_id reader,
                                              int (*fn)(void *ctx, const struct store_report *r),
                                              void *ctx)
{
	struct a_report a = {.id = reader, .fn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, fn_candidates, &a);
	free(a.ids.v);
	return r == STORE_STOP ? STORE_OK : r;
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

static enum store_result rg_report_circulate(struct store *s, store_id report,
                                             const int64_t *readers, size_t nreaders,
                                             const store_id *lists, size_t nlists)
{
	if (nreaders > STORE_READERS_MAX || nlists > STORE_READERS_MAX)
		return STORE_TOO_LARGE;
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
			col_text(st, 0, name, sizeof name);
			stop = a->name_fn(a->ctx, name);
		}
		if (stop) {
			sq_done(st);
			return STORE_OK;
		}
	}
	r = sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result rg_report_cites(struct store *s, store_id report,
                                         int (*fn)(void *ctx, const struct store_cite *c),
                                         void *ctx)
{
	struct a_report a = {.id = report, .cite_fn = fn, .ctx = ctx};
	return sq_read(s, fn_cites, &a);
}

static enum store_result rg_report_lists(struct store *s, store_id report,
                                         int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct a_report a = {.id = report, .name_fn = fn, .ctx = ctx};
	return sq_read(s, fn_cites, &a);
}

/* ---- distribution lists ---- */

struct a_dist {
	const char *name;
	store_id id, owner, officer;
	int32_t day;
	int add;
	int (*fn)(void *ctx, store_id id, const char *name, store_id owner);
	int (*mfn)(void *ctx, store_id officer);
	void *ctx;
};

static enum store_result fn_dist_create(struct conn *c, void *arg)
{
	struct a_dist *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_dist_create, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, a->name)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, a->owner)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_map(rc);
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result rg_dist_create(struct store *s, const char *name, store_id owner,
                                        int32_t day, store_id *out)
{
	if (name == NULL || strlen(name) > STORE_DIST_NAME_MAX)
		return STORE_TOO_LARGE;
	struct a_dist a = {.name = name, .owner = owner, .day = day};
	enum store_result r = sq_write(s, true, fn_dist_create, &a);
	if (r == STORE_OK && out)
		*out = a.id;
	return r;
}

static enum store_result fn_dist_find(struct conn *c, void *arg)
{
	struct a_dist *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(c, sql_dist_find, a->name, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		a->id = sqlite3_column_int64(st, 0);
		a->owner = sqlite3_column_int64(st, 1);
	}
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result rg_dist_find(struct store *s, const char *name, store_id *id,
                                      store_id *owner)
{
	struct a_dist a = {.name = name};
	enum store_result r = sq_read(s, fn_dist_find, &a);
	if (r == STORE_OK) {
		if (id)
			*id = a.id;
		if (owner)
			*owner = a.owner;
	}
	return r;
}

static enum store_result fn_dist_member(struct conn *c, void *arg)
{
	struct a_dist *a = arg;
	return exec3(c, a->add ? sql_member_add : sql_member_del, a->id, a->officer, 0, 2);
}

static enum store_result rg_dist_member(struct store *s, store_id list, store_id officer, int add)
{
	struct a_dist a = {.id = list, .officer = officer, .add = add};
	return sq_write(s, true, fn_dist_member, &a);
}

static enum store_result fn_dist_lists(struct conn *c, void *arg)
{
	struct a_dist *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, a->fn ? sql_dist_lists : sql_dist_members, &st);
	if (r != STORE_OK)
		return r;
	if (a->mfn && (r = sq_bind_i64(st, 1, a->id)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc;
	char name[STORE_DIST_NAME_MAX + 1];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop;
		if (a->fn) {
			col_text(st, 1, name, sizeof name);
			stop = a->fn(a->ctx, sqlite3_column_int64(st, 0), name,
			             sqlite3_column_int64(st, 2));
		} else {
			stop = a->mfn(a->ctx, sqlite3_column_int64(st, 0));
		}
		if (stop) {
			sq_done(st);
			return STORE_OK;
		}
	}
	r = sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result
rg_dist_lists(struct store *s, int (*fn)(void *ctx, store_id id, const char *name, store_id owner),
              void *ctx)
{
	struct a_dist a = {.fn = fn, .ctx = ctx};
	return sq_read(s, fn_dist_lists, &a);
}

static enum store_result rg_dist_members(struct store *s, store_id list,
                                         int (*fn)(void *ctx, store_id officer), void *ctx)
{
	struct a_dist a = {.id = list, .mfn = fn, .ctx = ctx};
	return sq_read(s, fn_dist_lists, &a);
}

/* ---- marking changes ---- */

struct a_change {
	const struct store_marking_change *c;
	const struct store_reseal *rs;
	const char *kind;
	store_id object;
	int (*fn)(void *ctx, const struct store_marking_change *c);
	void *ctx;
};

static enum store_result fn_sub_mark(struct conn *c, void *arg)
{
	struct a_change *a = arg;
	const struct store_marking_change *ch = a->c;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_sub_mark, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, ch->object)) != STORE_OK ||
	    (r = sq_bind_text(st, 2, ch->new_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, ch->old_marking)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) == 0)
		return STORE_EXISTS;
	if (strcmp(ch->old_marking, ch->new_marking) == 0)
		return STORE_OK; /* a reseal alone: nothing to record */
	if ((r = sq_stmt(c, sql_change_add, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, ch->kind)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, ch->object)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, ch->actor)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, ch->day)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, ch->old_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 6, ch->new_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 7, ch->reason ? ch->reason : "")) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

/* Swaps one stored blob for a pending one: the old is deleted, the new claimed. */
static enum store_result swap_blob(struct conn *c, store_id old, store_id nw)
{
	enum store_result r = sq_blob_drop(c, old);
	return r == STORE_OK ? sq_claim(c, nw) : r;
}

/* Inside fn_sub_mark: the blobs of rs in place of the submission's. */
static enum store_result sub_reseal(struct conn *c, store_id sub, const struct store_reseal *rs)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_sub_blobs, sub, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	store_id msg = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	int64_t nfiles = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : -1;
	sq_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	if ((msg == 0) != (rs->message_blob == 0) || nfiles < 0 || (uint64_t)nfiles != rs->nfiles)
		return STORE_NOT_FOUND;
	if (msg != 0 && (r = swap_blob(c, msg, rs->message_blob)) != STORE_OK)
		return r;
	if ((r = sq_stmt_i64(c, sql_sub_reseal, sub, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, rs->message_blob)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, rs->seal_version)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	for (size_t i = 0; i < rs->nfiles; i++) {
		const struct store_file *f = &rs->files[i];
		if ((r = sq_stmt_i64(c, sql_file_blobs, f->id, &st)) != STORE_OK)
			return r;
		if ((r = sq_bind_i64(st, 2, sub)) != STORE_OK) {
			sq_done(st);
			return r;
		}
		rc = sqlite3_step(st);
		store_id meta = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		store_id data = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
		sq_done(st);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
		if ((r = swap_blob(c, meta, f->meta_blob)) != STORE_OK ||
		    (r = swap_blob(c, data, f->data_blob)) != STORE_OK)
			return r;
		if ((r = sq_stmt_i64(c, sql_file_reseal, f->id, &st)) != STORE_OK)
			return r;
		if ((r = sq_bind_i64(st, 2, f->meta_blob)) != STORE_OK ||
		    (r = sq_bind_i64(st, 3, f->data_blob)) != STORE_OK) {
			sq_done(st);
			return r;
		}
		if ((r = sq_exec(st)) != STORE_OK)
			return r;
	}
	return STORE_OK;
}

static enum store_result fn_sub_mark_reseal(struct conn *c, void *arg)
{
	struct a_change *a = arg;
	enum store_result r = fn_sub_mark(c, arg);
	return r == STORE_OK ? sub_reseal(c, a->c->object, a->rs) : r;
}

static enum store_result rg_submission_mark(struct store *s, const struct store_marking_change *c,
                                            const struct store_reseal *rs)
{
	if (c == NULL || c->old_marking == NULL || c->new_marking == NULL ||
	    strlen(c->new_marking) >= STORE_MARKING_MAX ||
	    (c->reason && strlen(c->reason) > STORE_REASON_MAX))
		return STORE_TOO_LARGE;
	struct a_change a = {.c = c, .rs = rs};
	if (rs == NULL)
		return sq_write(s, true, fn_sub_mark, &a);
	if (rs->nfiles > (SIZE_MAX / sizeof(store_id) - 1) / 2 || (rs->nfiles > 0 && !rs->files))
		return STORE_TOO_LARGE;
	store_id *claim = calloc(1 + 2 * rs->nfiles, sizeof *claim);
	if (claim == NULL)
		return STORE_NOMEM;
	size_t n = 0;
	if (rs->message_blob != 0)
		claim[n++] = rs->message_blob;
	for (size_t i = 0; i < rs->nfiles; i++) {
		claim[n++] = rs->files[i].meta_blob;
		claim[n++] = rs->files[i].data_blob;
	}
	enum store_result r = sq_write_blobs(s, fn_sub_mark_reseal, &a, claim, n);
	free(claim);
	return r;
}

static enum store_result fn_changes(struct conn *c, void *arg)
{
	struct a_change *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_changes, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, a->kind)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, a->object)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_marking_change ch = {
		        .kind = (const char *)sqlite3_column_text(st, 0),
		        .object = sqlite3_column_int64(st, 1),
		        .actor = sqlite3_column_int64(st, 2),
		        .day = (int32_t)sqlite3_column_int64(st, 3),
		        .old_marking = (const char *)sqlite3_column_text(st, 4),
		        .new_marking = (const char *)sqlite3_column_text(st, 5),
		        .reason = (const char *)sqlite3_column_text(st, 6),
		};
		if (a->fn(a->ctx, &ch) != 0) {
			sq_done(st);
			return STORE_OK;
		}
	}
	r = sq_map(rc);
	sq_done(st);
	return r;
}

static enum store_result
rg_marking_changes(struct store *s, const char *kind, store_id object,
                   int (*fn)(void *ctx, const struct store_marking_change *c), void *ctx)
{
	struct a_change a = {.kind = kind, .object = object, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_changes, &a);
}

const struct store_registry_ops sq_registry_ops = {
        .marking_id = rg_marking_id,
        .markings = rg_markings,
        .report_insert = rg_report_insert,
        .report_get = rg_report_get,
        .report_candidates = rg_report_candidates,
        .report_circulate = rg_report_circulate,
        .report_cites = rg_report_cites,
        .report_lists = rg_report_lists,
        .dist_create = rg_dist_create,
        .dist_find = rg_dist_find,
        .dist_member = rg_dist_member,
        .dist_lists = rg_dist_lists,
        .dist_members = rg_dist_members,
        .submission_mark = rg_submission_mark,
        .marking_changes = rg_marking_changes,
};
