/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_registry: the registry tables of the PostgreSQL backend
 * (core/store/store_registry.h): markings, reports with their readers,
 * citations and circulation, distribution lists, marking changes and the
 * row operations of a reseal. Only rows: what is allowed is the front's
 * (core/store/store_registry.c), which also checks every cap. Names compare
 * bytewise (COLLATE "C").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_registry.h"

#include "lib/banned.h"

static const char *const registry_steps[] = {
        /* 1 */
        "CREATE TABLE reg_marking(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " text text COLLATE \"C\" NOT NULL UNIQUE);"
        "CREATE TABLE report(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " author bigint NOT NULL, day integer NOT NULL,"
        " marking_id bigint NOT NULL REFERENCES reg_marking(id),"
        " label_version bigint NOT NULL, body bytea NOT NULL);"
        "CREATE TABLE report_reader(officer bigint NOT NULL,"
        " report bigint NOT NULL REFERENCES report(id), PRIMARY KEY(officer, report));"
        "CREATE INDEX report_reader_report ON report_reader(report, officer);"
        "CREATE TABLE report_cite(report bigint NOT NULL REFERENCES report(id),"
        " kind integer NOT NULL, object bigint NOT NULL, PRIMARY KEY(report, kind, object));"
        "CREATE TABLE dist_list(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " name text COLLATE \"C\" NOT NULL UNIQUE, owner bigint NOT NULL,"
        " day integer NOT NULL);"
        "CREATE TABLE dist_member(list bigint NOT NULL REFERENCES dist_list(id),"
        " officer bigint NOT NULL, PRIMARY KEY(list, officer));"
        "CREATE TABLE report_circ(report bigint NOT NULL REFERENCES report(id),"
        " list bigint NOT NULL REFERENCES dist_list(id), PRIMARY KEY(report, list));"
        "CREATE TABLE marking_change(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " kind text NOT NULL, object bigint NOT NULL, actor bigint NOT NULL,"
        " day integer NOT NULL, old text NOT NULL, new text NOT NULL,"
        " reason text NOT NULL);"
        "CREATE INDEX marking_change_object ON marking_change(kind, object);",
};

const struct pg_schema_part pg_part_registry = {
        .name = "registry",
        .steps = registry_steps,
        .nsteps = (int)(sizeof(registry_steps) / sizeof(registry_steps[0])),
};

static const char sql_marking_find[] = "SELECT id FROM reg_marking WHERE text = $1";
static const char sql_marking_add[] = "INSERT INTO reg_marking(text) VALUES($1)"
                                      " ON CONFLICT(text) DO NOTHING";
static const char sql_markings[] = "SELECT id, text FROM reg_marking ORDER BY id";
static const char sql_report_insert[] =
        "INSERT INTO report(author, day, marking_id, label_version, body)"
        " VALUES($1, $2, $3, $4, $5) RETURNING id";
static const char sql_reader_add[] = "INSERT INTO report_reader(officer, report) VALUES($1, $2)"
                                     " ON CONFLICT DO NOTHING";
static const char sql_cite_add[] = "INSERT INTO report_cite(report, kind, object)"
                                   " VALUES($1, $2, $3) ON CONFLICT DO NOTHING";
static const char sql_circ_add[] = "INSERT INTO report_circ(report, list) VALUES($1, $2)"
                                   " ON CONFLICT DO NOTHING";
#define REPORT_COLS "r.id, r.author, r.day, r.marking_id, m.text, r.label_version"
static const char sql_report_get[] = "SELECT " REPORT_COLS ", r.body FROM report r"
                                     " JOIN reg_marking m ON m.id = r.marking_id WHERE r.id = $1";
static const char sql_report_readers[] = "SELECT officer FROM report_reader WHERE report = $1"
                                         " ORDER BY officer LIMIT $2";
static const char sql_candidates[] = "SELECT " REPORT_COLS " FROM report_reader rr"
                                     " JOIN report r ON r.id = rr.report"
                                     " JOIN reg_marking m ON m.id = r.marking_id"
                                     " WHERE rr.officer = $1 ORDER BY rr.report DESC";
static const char sql_report_exists[] = "SELECT 1 FROM report WHERE id = $1";
static const char sql_cites[] = "SELECT kind, object FROM report_cite WHERE report = $1"
                                " ORDER BY kind, object";
static const char sql_report_lists[] =
        "SELECT d.name FROM report_circ c JOIN dist_list d ON d.id = c.list"
        " WHERE c.report = $1 ORDER BY d.name";
static const char sql_dist_create[] = "INSERT INTO dist_list(name, owner, day) VALUES($1, $2, $3)"
                                      " RETURNING id";
static const char sql_dist_find[] = "SELECT id, owner FROM dist_list WHERE name = $1";
static const char sql_member_add[] = "INSERT INTO dist_member(list, officer) VALUES($1, $2)"
                                     " ON CONFLICT DO NOTHING";
static const char sql_member_del[] = "DELETE FROM dist_member WHERE list = $1 AND officer = $2";
static const char sql_dist_lists[] = "SELECT id, name, owner FROM dist_list ORDER BY name";
static const char sql_dist_members[] =
        "SELECT officer FROM dist_member WHERE list = $1 ORDER BY officer";
static const char sql_sub_mark[] =
        "UPDATE submission SET marking = $2 WHERE id = $1 AND marking = $3";
static const char sql_sub_seal[] =
        "UPDATE submission SET message_blob = $2, seal_version = $3 WHERE id = $1";
static const char sql_file_blobs[] =
        "UPDATE file SET meta_blob = $3, data_blob = $4 WHERE id = $1 AND submission_id = $2";
static const char sql_change_add[] =
        "INSERT INTO marking_change(kind, object, actor, day, old, new, reason)"
        " VALUES($1, $2, $3, $4, $5, $6, $7)";
static const char sql_changes[] =
        "SELECT kind, object, actor, day, old, new, reason FROM marking_change"
        " WHERE kind = $1 AND object = $2 ORDER BY id";

/* Runs sql with n (1..4) integers; *rows: the rows it changed. */
static enum store_result exec_ints(struct store *s, const char *sql, const int64_t *v, int n,
                                   int64_t *rows)
{
	struct pg_params p = {0};
	for (int i = 0; i < n; i++)
		pg_param_i64(&p, v[i]);
	return pg_exec_n(s, sql, &p, rows);
}

/* ---- markings ---- */

static enum store_result marking_find(struct store *s, const char *text, store_id *id)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_text(&p, text);
	if ((r = pg_exec(s, sql_marking_find, &p, &q)) != STORE_OK)
		return r;
	*id = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return *id > 0 ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_result rg_marking_id(struct store *s, const char *text, store_id *id)
{
	struct pg_params p = {0};
	enum store_result r = marking_find(s, text, id);
	if (r != STORE_NOT_FOUND)
		return r;
	/* another node may add it meanwhile: then its row is the one */
	pg_param_text(&p, text);
	if ((r = pg_exec(s, sql_marking_add, &p, NULL)) != STORE_OK)
		return r;
	return marking_find(s, text, id);
}

static enum store_result rg_markings(struct store *s,
                                     int (*fn)(void *ctx, store_id id, const char *text), void *ctx)
{
	PGresult *q;
	char text[STORE_MARKING_MAX];
	enum store_result r = pg_exec(s, sql_markings, NULL, &q);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if ((r = pg_text(q, i, 1, text, sizeof text)) == STORE_OK &&
		    fn(ctx, pg_i64(q, i, 0), text) != 0)
			r = STORE_STOP;
	PQclear(q);
	return r;
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
	void *ctx;
};

static enum store_result add_readers_lists(struct store *s, struct a_report *a)
{
	enum store_result r;
	int64_t rows;
	for (size_t i = 0; i < a->nreaders; i++)
		if ((r = exec_ints(s, sql_reader_add, (int64_t[]){a->readers[i], a->id}, 2,
		                   &rows)) != STORE_OK)
			return r;
	for (size_t i = 0; i < a->nlists; i++)
		if ((r = exec_ints(s, sql_circ_add, (int64_t[]){a->id, a->lists[i]}, 2, &rows)) !=
		    STORE_OK)
			return r;
	return STORE_OK;
}

static enum store_result fn_report_insert(struct store *s, void *arg)
{
	struct a_report *a = arg;
	struct pg_params p = {0};
	enum store_result r;
	int64_t rows;
	pg_param_i64(&p, a->author);
	pg_param_i64(&p, a->day);
	pg_param_i64(&p, a->marking_id);
	pg_param_i64(&p, a->label_version);
	pg_param_blob(&p, a->body, a->body_len, false); /* <= STORE_REPORT_BODY_MAX (the front) */
	if ((r = pg_returned_id(s, sql_report_insert, &p, &a->id)) != STORE_OK ||
	    (r = add_readers_lists(s, a)) != STORE_OK)
		return r;
	for (size_t i = 0; i < a->ncites; i++)
		if ((r = exec_ints(s, sql_cite_add,
		                   (int64_t[]){a->id, a->cites[i].kind, a->cites[i].id}, 3,
		                   &rows)) != STORE_OK)
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
	enum store_result r = pg_tx(s, fn_report_insert, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

/* Row i of a result of REPORT_COLS into o (readers and body left to the caller). */
static enum store_result report_row(const PGresult *q, int i, struct store_report *o)
{
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	o->author = pg_i64(q, i, 1);
	o->day = (int32_t)pg_i64(q, i, 2);
	o->marking_id = pg_i64(q, i, 3);
	int64_t v = pg_i64(q, i, 5);
	if (v < 0 || v > UINT32_MAX)
		return STORE_CORRUPT;
	o->label_version = (uint32_t)v;
	return pg_text(q, i, 4, o->marking, sizeof o->marking);
}

static enum store_result fn_report_get(struct store *s, void *arg)
{
	struct a_report *a = arg;
	struct pg_params p = {0};
	PGresult *q, *rq;
	struct store_report rep;
	enum store_result r;
	pg_param_i64(&p, a->id);
	if ((r = pg_exec(s, sql_report_get, &p, &q)) != STORE_OK)
		return r;
	if (PQntuples(q) != 1 || (r = report_row(q, 0, &rep)) != STORE_OK) {
		PQclear(q);
		return r != STORE_OK ? r : STORE_NOT_FOUND;
	}
	pg_param_i64(&p, STORE_READERS_MAX + 1);
	if ((r = pg_exec(s, sql_report_readers, &p, &rq)) != STORE_OK) {
		PQclear(q);
		return r;
	}
	int n = PQntuples(rq);
	int64_t *v = n > 0 && n <= STORE_READERS_MAX ? malloc((size_t)n * sizeof *v) : NULL;
	if (n > STORE_READERS_MAX)
		r = STORE_CORRUPT;
	else if (n > 0 && v == NULL)
		r = STORE_NOMEM;
	for (int i = 0; i < n && r == STORE_OK; i++)
		v[i] = pg_i64(rq, i, 0);
	PQclear(rq);
	if (r == STORE_OK) {
		rep.readers = v;
		rep.nreaders = (size_t)n;
		rep.body = (const uint8_t *)PQgetvalue(q, 0, 6);
		rep.body_len = (size_t)PQgetlength(q, 0, 6);
		if (a->fn(a->ctx, &rep) != 0)
			r = STORE_STOP;
	}
	free(v);
	PQclear(q);
	return r;
}

static enum store_result rg_report_get(struct store *s, store_id id,
                                       int (*fn)(void *ctx, const struct store_report *r),
                                       void *ctx)
{
	struct a_report a = {.id = id, .fn = fn, .ctx = ctx};
	return pg_read(s, fn_report_get, &a);
}

static enum store_result rg_report_candidates(struct store *s, store_id reader,
                                              int (*fn)(void *ctx, const struct store_report *r),
                                              void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, reader);
	if ((r = pg_exec(s, sql_candidates, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_report rep;
		if ((r = report_row(q, i, &rep)) != STORE_OK)
			break;
		rep.readers = &reader; /* the reader's own entry of the distribution */
		rep.nreaders = 1;
		if (fn(ctx, &rep) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result fn_circulate(struct store *s, void *arg)
{
	struct a_report *a = arg;
	int64_t rows;
	enum store_result r = pg_exec_id(s, sql_report_exists, a->id, &rows);
	if (r != STORE_OK)
		return r;
	return rows == 0 ? STORE_NOT_FOUND : add_readers_lists(s, a);
}

static enum store_result rg_report_circulate(struct store *s, store_id report,
                                             const int64_t *readers, size_t nreaders,
                                             const store_id *lists, size_t nlists)
{
	struct a_report a = {.id = report,
	                     .readers = readers,
	                     .nreaders = nreaders,
	                     .lists = lists,
	                     .nlists = nlists};
	return pg_tx(s, fn_circulate, &a);
}

static enum store_result rg_report_cites(struct store *s, store_id report,
                                         int (*fn)(void *ctx, const struct store_cite *c),
                                         void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, report);
	if ((r = pg_exec(s, sql_cites, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_cite c = {.kind = (int)pg_i64(q, i, 0), .id = pg_i64(q, i, 1)};
		if (fn(ctx, &c) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

/* Every row's text column 0 to fn (names of at most STORE_DIST_NAME_MAX bytes). */
static enum store_result names(struct store *s, const char *sql, const struct pg_params *p,
                               int (*fn)(void *ctx, const char *name), void *ctx)
{
	PGresult *q;
	char name[STORE_DIST_NAME_MAX + 1];
	enum store_result r = pg_exec(s, sql, p, &q);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if ((r = pg_text(q, i, 0, name, sizeof name)) == STORE_OK && fn(ctx, name) != 0)
			r = STORE_STOP;
	PQclear(q);
	return r;
}

static enum store_result rg_report_lists(struct store *s, store_id report,
                                         int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct pg_params p = {0};
	pg_param_i64(&p, report);
	return names(s, sql_report_lists, &p, fn, ctx);
}

/* ---- distribution lists ---- */

static enum store_result rg_dist_create(struct store *s, const char *name, store_id owner,
                                        int32_t day, store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_text(&p, name);
	pg_param_i64(&p, owner);
	pg_param_i64(&p, day);
	enum store_result r = pg_returned_id(s, sql_dist_create, &p, &id);
	if (r == STORE_OK && out)
		*out = id;
	return r;
}

static enum store_result rg_dist_find(struct store *s, const char *name, store_id *id,
                                      store_id *owner)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_text(&p, name);
	if ((r = pg_exec(s, sql_dist_find, &p, &q)) != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		r = STORE_NOT_FOUND;
	} else {
		if (id)
			*id = pg_i64(q, 0, 0);
		if (owner)
			*owner = pg_i64(q, 0, 1);
	}
	PQclear(q);
	return r;
}

static enum store_result rg_dist_member(struct store *s, store_id list, store_id officer, int add)
{
	int64_t rows;
	return exec_ints(s, add ? sql_member_add : sql_member_del, (int64_t[]){list, officer}, 2,
	                 &rows);
}

static enum store_result
rg_dist_lists(struct store *s, int (*fn)(void *ctx, store_id id, const char *name, store_id owner),
              void *ctx)
{
	PGresult *q;
	char name[STORE_DIST_NAME_MAX + 1];
	enum store_result r = pg_exec(s, sql_dist_lists, NULL, &q);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if ((r = pg_text(q, i, 1, name, sizeof name)) == STORE_OK &&
		    fn(ctx, pg_i64(q, i, 0), name, pg_i64(q, i, 2)) != 0)
			r = STORE_STOP;
	PQclear(q);
	return r;
}

static enum store_result rg_dist_members(struct store *s, store_id list,
                                         int (*fn)(void *ctx, store_id officer), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, list);
	if ((r = pg_exec(s, sql_dist_members, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++)
		if (fn(ctx, pg_i64(q, i, 0)) != 0)
			r = STORE_STOP;
	PQclear(q);
	return r;
}

/* ---- marking changes (the rules are store_submission_mark's, in the front) ---- */

static enum store_result rg_submission_set_marking(struct store *s, store_id id,
                                                   const char *old_marking, const char *new_marking)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, id);
	pg_param_text(&p, new_marking);
	pg_param_text(&p, old_marking);
	enum store_result r = pg_exec_n(s, sql_sub_mark, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result rg_marking_change_add(struct store *s,
                                               const struct store_marking_change *c)
{
	struct pg_params p = {0};
	pg_param_text(&p, c->kind);
	pg_param_i64(&p, c->object);
	pg_param_i64(&p, c->actor);
	pg_param_i64(&p, c->day);
	pg_param_text(&p, c->old_marking);
	pg_param_text(&p, c->new_marking);
	pg_param_text(&p, c->reason);
	return pg_exec(s, sql_change_add, &p, NULL);
}

static enum store_result rg_submission_set_seal(struct store *s, store_id id, store_id message_blob,
                                                uint32_t seal_version)
{
	int64_t rows;
	enum store_result r =
	        exec_ints(s, sql_sub_seal, (int64_t[]){id, message_blob, seal_version}, 3, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result rg_file_set_blobs(struct store *s, store_id submission,
                                           const struct store_file *f)
{
	int64_t rows;
	if (submission <= 0)
		return STORE_NOT_FOUND;
	enum store_result r =
	        exec_ints(s, sql_file_blobs,
	                  (int64_t[]){f->id, submission, f->meta_blob, f->data_blob}, 4, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result
rg_marking_changes(struct store *s, const char *kind, store_id object,
                   int (*fn)(void *ctx, const struct store_marking_change *c), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_text(&p, kind);
	pg_param_i64(&p, object);
	if ((r = pg_exec(s, sql_changes, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_marking_change c = {
		        .kind = PQgetvalue(q, i, 0),
		        .object = pg_i64(q, i, 1),
		        .actor = pg_i64(q, i, 2),
		        .day = (int32_t)pg_i64(q, i, 3),
		        .old_marking = PQgetvalue(q, i, 4),
		        .new_marking = PQgetvalue(q, i, 5),
		        .reason = PQgetvalue(q, i, 6),
		};
		if (fn(ctx, &c) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

const struct store_registry_ops pg_registry_ops = {
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
