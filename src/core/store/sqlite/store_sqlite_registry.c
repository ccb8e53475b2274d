/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_registry: the registry tables of the SQLite backend
 * (core/store/store_registry.h): the schema, markings, distribution lists and
 * marking changes; reports are in store_sqlite_report.c. Only rows: what is
 * allowed is the front's (core/store/store_registry.c). Durable writes go
 * through sq_write(st, true, ...).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_registry.h"
#include "core/store/sqlite/store_sqlite.h"
#include "core/store/sqlite/store_sqlite_registry.h"

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
static const char sql_sub_seal[] =
        "UPDATE submission SET message_blob = ?2, seal_version = ?3 WHERE id = ?1";
static const char sql_file_blobs[] =
        "UPDATE file SET meta_blob = ?3, data_blob = ?4 WHERE id = ?1 AND submission_id = ?2";
static const char sql_change_add[] =
        "INSERT INTO marking_change(kind, object, actor, day, old, new, reason)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_changes[] =
        "SELECT kind, object, actor, day, old, new, reason FROM marking_change"
        " WHERE kind = ?1 AND object = ?2 ORDER BY id";

/* ---- helpers ---- */

void rg_col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

enum store_result rg_exec(struct conn *c, const char *sql, int64_t a, int64_t b, int64_t d, int n)
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
		rg_col_text(st, 1, text, sizeof text);
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
	return sq_read(s, fn_markings, &a);
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
	return rg_exec(c, a->add ? sql_member_add : sql_member_del, a->id, a->officer, 0, 2);
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
			rg_col_text(st, 1, name, sizeof name);
			stop = a->fn(a->ctx, sqlite3_column_int64(st, 0), name,
			             sqlite3_column_int64(st, 2));
		} else {
			stop = a->mfn(a->ctx, sqlite3_column_int64(st, 0));
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

/* ---- marking changes (the rules are store_submission_mark's, in the front) ---- */

struct a_change {
	const struct store_marking_change *c;
	const char *kind, *old_marking, *new_marking;
	store_id object, blob, blob2, sub;
	uint32_t version;
	int (*fn)(void *ctx, const struct store_marking_change *c);
	void *ctx;
};

static enum store_result fn_sub_mark(struct conn *c, void *arg)
{
	struct a_change *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_sub_mark, a->object, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 2, a->new_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, a->old_marking)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result rg_submission_set_marking(struct store *s, store_id id,
                                                   const char *old_marking, const char *new_marking)
{
	struct a_change a = {.object = id, .old_marking = old_marking, .new_marking = new_marking};
	return sq_write(s, true, fn_sub_mark, &a);
}

static enum store_result fn_change_add(struct conn *c, void *arg)
{
	const struct store_marking_change *ch = ((struct a_change *)arg)->c;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_change_add, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, ch->kind)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, ch->object)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, ch->actor)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, ch->day)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, ch->old_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 6, ch->new_marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 7, ch->reason)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result rg_marking_change_add(struct store *s,
                                               const struct store_marking_change *c)
{
	struct a_change a = {.c = c};
	return sq_write(s, true, fn_change_add, &a);
}

/* An UPDATE of id (?1) with up to three more values (?2..): STORE_NOT_FOUND if no row. */
static enum store_result update_row(struct conn *c, const char *sql, store_id id, const int64_t *v,
                                    int n)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql, id, &st);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < n; i++)
		if ((r = sq_bind_i64(st, i + 2, v[i])) != STORE_OK) {
			sq_done(st);
			return r;
		}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result fn_set_blobs(struct conn *c, void *arg)
{
	struct a_change *a = arg;
	if (a->sub == 0)
		return update_row(c, sql_sub_seal, a->object, (int64_t[]){a->blob, a->version}, 2);
	return update_row(c, sql_file_blobs, a->object, (int64_t[]){a->sub, a->blob, a->blob2}, 3);
}

static enum store_result rg_submission_set_seal(struct store *s, store_id id, store_id message_blob,
                                                uint32_t seal_version)
{
	struct a_change a = {.object = id, .blob = message_blob, .version = seal_version};
	return sq_write(s, true, fn_set_blobs, &a);
}

static enum store_result rg_file_set_blobs(struct store *s, store_id submission,
                                           const struct store_file *f)
{
	if (submission <= 0)
		return STORE_NOT_FOUND;
	struct a_change a = {
	        .object = f->id, .sub = submission, .blob = f->meta_blob, .blob2 = f->data_blob};
	return sq_write(s, true, fn_set_blobs, &a);
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
			return STORE_STOP;
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
        .submission_set_marking = rg_submission_set_marking,
        .marking_change_add = rg_marking_change_add,
        .submission_set_seal = rg_submission_set_seal,
        .file_set_blobs = rg_file_set_blobs,
        .marking_changes = rg_marking_changes,
};
