/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_witness: the witnessing tables of the SQLite backend
 * (core/store/store_witness.h): the logs witnessed with the latest checkpoint
 * cosigned, the split views caught, and the cosignatures collected for our
 * own checkpoints. Only rows: the rules are core/witness/'s. Tables wit_*.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_witness.h"

#include "lib/banned.h"

static const char *const witness_steps[] = {
        /* 1 */
        "CREATE TABLE wit_log(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " origin TEXT NOT NULL UNIQUE, vkey TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0,"
        " root BLOB, day INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE wit_conflict(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " log INTEGER NOT NULL REFERENCES wit_log(id), size INTEGER NOT NULL,"
        " day INTEGER NOT NULL, held TEXT NOT NULL, offered TEXT NOT NULL);"
        "CREATE TABLE wit_cosig(size INTEGER NOT NULL, witness TEXT NOT NULL,"
        " line TEXT NOT NULL, PRIMARY KEY(size, witness));",
};

const struct sq_schema_part sq_part_witness = {
        .name = "witness",
        .steps = witness_steps,
        .nsteps = (int)(sizeof(witness_steps) / sizeof(witness_steps[0])),
};

#define LOG_COLS "id, origin, vkey, size, root, day, note"
static const char sql_l_add[] = "INSERT INTO wit_log(origin, vkey, day) VALUES(?1, ?2, ?3)";
static const char sql_l_get[] = "SELECT " LOG_COLS " FROM wit_log WHERE origin = ?1";
static const char sql_l_list[] = "SELECT " LOG_COLS " FROM wit_log ORDER BY origin";
static const char sql_l_advance[] = "UPDATE wit_log SET size = ?3, root = ?4, note = ?5, day = ?6"
                                    " WHERE id = ?1 AND size = ?2";
static const char sql_l_has[] = "SELECT 1 FROM wit_log WHERE id = ?1";
static const char sql_c_add[] = "INSERT INTO wit_conflict(log, size, day, held, offered)"
                                " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_c_list[] = "SELECT id, log, size, day, held, offered FROM wit_conflict"
                                 " ORDER BY id";
static const char sql_s_add[] = "INSERT INTO wit_cosig(size, witness, line) VALUES(?1, ?2, ?3)";
static const char sql_s_list[] = "SELECT witness, line FROM wit_cosig WHERE size = ?1"
                                 " ORDER BY witness";

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t != NULL ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(out, t, n);
	out[n] = '\0';
}

static void l_row(sqlite3_stmt *st, struct store_witness_log *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, o->origin, sizeof o->origin);
	col_text(st, 2, o->vkey, sizeof o->vkey);
	o->size = (uint64_t)sqlite3_column_int64(st, 3);
	if (sqlite3_column_bytes(st, 4) == STORE_WITNESS_HASH_LEN)
		memcpy(o->root, sqlite3_column_blob(st, 4), STORE_WITNESS_HASH_LEN);
	o->day = sqlite3_column_int(st, 5);
	col_text(st, 6, o->note, sizeof o->note);
}

struct a_w {
	const char *origin, *vkey, *note, *witness, *line;
	int32_t day;
	store_id id, *out_id;
	uint64_t old_size, size;
	const uint8_t *root;
	const struct store_witness_conflict *c;
	struct store_witness_log *out;
	int (*lfn)(void *ctx, const struct store_witness_log *l);
	int (*cfn)(void *ctx, const struct store_witness_conflict *c);
	int (*sfn)(void *ctx, const char *witness, const char *line);
	void *ctx;
};

static enum store_result fn_l_add(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(c, sql_l_add, a->origin, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 2, a->vkey)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	*a->out_id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sw_log_add(struct store *s, const char *origin, const char *vkey,
                                    int32_t day, store_id *id)
{
	struct a_w a = {.origin = origin, .vkey = vkey, .day = day, .out_id = id};
	return sq_write(s, true, fn_l_add, &a);
}

static enum store_result fn_l_get(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(c, sql_l_get, a->origin, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		l_row(st, a->out);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sw_log_get(struct store *s, const char *origin,
                                    struct store_witness_log *out)
{
	struct a_w a = {.origin = origin, .out = out};
	return sq_read(s, fn_l_get, &a);
}

static enum store_result fn_l_list(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_l_list, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	struct store_witness_log row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l_row(st, &row);
		if (a->lfn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sw_logs(struct store *s,
                                 int (*fn)(void *ctx, const struct store_witness_log *l), void *ctx)
{
	struct a_w a = {.lfn = fn, .ctx = ctx};
	return sq_read(s, fn_l_list, &a);
}

static enum store_result fn_l_advance(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_l_advance, a->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)a->old_size)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, (int64_t)a->size)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 4, a->root, STORE_WITNESS_HASH_LEN,
	                                   SQLITE_STATIC))) != STORE_OK ||
	    (r = sq_bind_text(st, 5, a->note)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, a->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) == 1)
		return STORE_OK;
	if ((r = sq_stmt_i64(c, sql_l_has, a->id, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_EXISTS : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sw_log_advance(struct store *s, store_id log, uint64_t old_size,
                                        uint64_t size, const uint8_t root[STORE_WITNESS_HASH_LEN],
                                        const char *note, int32_t day)
{
	struct a_w a = {.id = log,
	                .old_size = old_size,
	                .size = size,
	                .root = root,
	                .note = note,
	                .day = day};
	return sq_write(s, true, fn_l_advance, &a);
}

static enum store_result fn_c_add(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_c_add, a->c->log, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)a->c->size)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->c->day)) != STORE_OK ||
	    (r = sq_bind_text(st, 4, a->c->held)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, a->c->offered)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	*a->out_id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sw_conflict_add(struct store *s, const struct store_witness_conflict *c,
                                         store_id *id)
{
	struct a_w a = {.c = c, .out_id = id};
	return sq_write(s, true, fn_c_add, &a);
}

static enum store_result fn_c_list(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_c_list, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	struct store_witness_conflict *row = sqlite3_malloc(sizeof *row);
	if (row == NULL) {
		sq_done(st);
		return STORE_NOMEM;
	}
	r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(row, 0, sizeof *row);
		row->id = sqlite3_column_int64(st, 0);
		row->log = sqlite3_column_int64(st, 1);
		row->size = (uint64_t)sqlite3_column_int64(st, 2);
		row->day = sqlite3_column_int(st, 3);
		col_text(st, 4, row->held, sizeof row->held);
		col_text(st, 5, row->offered, sizeof row->offered);
		if (a->cfn(a->ctx, row) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	sq_done(st);
	sqlite3_free(row);
	return r == STORE_STOP ? r : sq_map(rc);
}

static enum store_result sw_conflicts(struct store *s,
                                      int (*fn)(void *ctx, const struct store_witness_conflict *c),
                                      void *ctx)
{
	struct a_w a = {.cfn = fn, .ctx = ctx};
	return sq_read(s, fn_c_list, &a);
}

static enum store_result fn_s_add(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_s_add, (int64_t)a->size, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 2, a->witness)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, a->line)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result sw_cosig_add(struct store *s, uint64_t size, const char *witness,
                                      const char *line)
{
	struct a_w a = {.size = size, .witness = witness, .line = line};
	return sq_write(s, true, fn_s_add, &a);
}

static enum store_result fn_s_list(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_s_list, (int64_t)a->size, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	char w[STORE_WITNESS_ORIGIN_MAX + 1], line[STORE_WITNESS_LINE_MAX + 1];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		col_text(st, 0, w, sizeof w);
		col_text(st, 1, line, sizeof line);
		if (a->sfn(a->ctx, w, line) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sw_cosigs(struct store *s, uint64_t size,
                                   int (*fn)(void *ctx, const char *witness, const char *line),
                                   void *ctx)
{
	struct a_w a = {.size = size, .sfn = fn, .ctx = ctx};
	return sq_read(s, fn_s_list, &a);
}

const struct store_witness_ops sq_witness_ops = {
        .log_add = sw_log_add,
        .log_get = sw_log_get,
        .logs = sw_logs,
        .log_advance = sw_log_advance,
        .conflict_add = sw_conflict_add,
        .conflicts = sw_conflicts,
        .cosig_add = sw_cosig_add,
        .cosigs = sw_cosigs,
};
