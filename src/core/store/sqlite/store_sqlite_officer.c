/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_officer: the officer and label-key tables of the SQLite backend
 * (core/store/store_officer.h). Durable writes go through sq_write(st, true, ...).
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store_officer.h"
#include "core/store/sqlite/store_sqlite.h"

#include "lib/banned.h"

static const char *const officer_steps[] = {
        /* 1 */
        "CREATE TABLE officer("
        " id INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL UNIQUE,"
        " roles INTEGER NOT NULL,"
        " clearance TEXT NOT NULL,"
        " nationality TEXT NOT NULL,"
        " disabled INTEGER NOT NULL DEFAULT 0,"
        " created_day INTEGER NOT NULL,"
        " last_login_day INTEGER NOT NULL DEFAULT 0,"
        " failures INTEGER NOT NULL DEFAULT 0,"
        " last_failure INTEGER NOT NULL DEFAULT 0,"
        " totp_last_step INTEGER NOT NULL DEFAULT 0,"
        " version INTEGER NOT NULL DEFAULT 0,"
        " salt BLOB, opslimit INTEGER NOT NULL DEFAULT 0, memlimit INTEGER NOT NULL DEFAULT 0,"
        " verifier BLOB, pk BLOB, wrapped_sk BLOB, wrapped_totp BLOB);"
        "CREATE TABLE label("
        " name TEXT NOT NULL, version INTEGER NOT NULL, pk BLOB NOT NULL,"
        " PRIMARY KEY(name, version));"
        "CREATE TABLE label_wrap("
        " name TEXT NOT NULL, version INTEGER NOT NULL,"
        " officer_id INTEGER NOT NULL REFERENCES officer(id) ON DELETE CASCADE,"
        " wrap BLOB NOT NULL,"
        " PRIMARY KEY(officer_id, name, version),"
        " FOREIGN KEY(name, version) REFERENCES label(name, version));",
        /* 2: the wraps to the offline recovery key (STORE_RECOVERY_OFFICER) */
        "CREATE TABLE label_recovery("
        " name TEXT NOT NULL, version INTEGER NOT NULL, wrap BLOB NOT NULL,"
        " PRIMARY KEY(name, version),"
        " FOREIGN KEY(name, version) REFERENCES label(name, version));",
        /* 3: who holds a version (the intake's check at every upload) */
        "CREATE INDEX label_wrap_version ON label_wrap(name, version);",
};

const struct sq_schema_part sq_part_officer = {
        .name = "officer",
        .steps = officer_steps,
        .nsteps = (int)(sizeof(officer_steps) / sizeof(officer_steps[0])),
};

#define COLS                                                                                    \
	"id, name, roles, clearance, nationality, disabled, created_day, last_login_day,"       \
	" failures, last_failure, totp_last_step, version, salt, opslimit, memlimit, verifier," \
	" pk, wrapped_sk, wrapped_totp"

static const char sql_insert[] =
        "INSERT INTO officer(name, roles, clearance, nationality, disabled, created_day,"
        " version, salt, opslimit, memlimit, verifier, pk, wrapped_sk, wrapped_totp)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char sql_get[] = "SELECT " COLS " FROM officer WHERE id = ?1";
static const char sql_find[] = "SELECT " COLS " FROM officer WHERE name = ?1";
static const char sql_list[] = "SELECT " COLS " FROM officer ORDER BY name";
static const char sql_delete[] = "DELETE FROM officer WHERE id = ?1";
static const char sql_wraps_delete_all[] = "DELETE FROM label_wrap WHERE officer_id = ?1";
static const char sql_set_roles[] = "UPDATE officer SET roles = ?2 WHERE id = ?1";
static const char sql_set_disabled[] = "UPDATE officer SET disabled = ?2 WHERE id = ?1";
static const char sql_set_clearance[] = "UPDATE officer SET clearance = ?2 WHERE id = ?1";
static const char sql_keys_set[] =
        "UPDATE officer SET version = ?2, salt = ?3, opslimit = ?4, memlimit = ?5,"
        " verifier = ?6, pk = ?7, wrapped_sk = ?8, wrapped_totp = ?9, failures = 0,"
        " last_failure = 0, totp_last_step = 0 WHERE id = ?1 AND version = ?10";
static const char sql_totp_set[] = "UPDATE officer SET wrapped_totp = ?3, totp_last_step = ?4"
                                   " WHERE id = ?1 AND version = ?2 AND wrapped_totp IS NULL";
static const char sql_login_ok[] =
        "UPDATE officer SET totp_last_step = ?2, last_login_day = ?3, failures = 0,"
        " last_failure = 0 WHERE id = ?1 AND totp_last_step < ?2";
static const char sql_login_failed[] =
        "UPDATE officer SET failures = MIN(failures + 1, 1000000), last_failure = ?2"
        " WHERE id = ?1";
static const char sql_label_current[] =
        "SELECT version, pk FROM label WHERE name = ?1 ORDER BY version DESC LIMIT 1";
static const char sql_label_holders[] =
        "SELECT count(*) FROM label_wrap a JOIN label_wrap b ON b.officer_id = a.officer_id"
        " JOIN officer o ON o.id = a.officer_id"
        " WHERE a.name = ?1 AND a.version = ?2 AND b.name = ?3 AND b.version = ?4"
        " AND o.disabled = 0";
static const char sql_label_insert[] = "INSERT INTO label(name, version, pk) VALUES(?1, ?2, ?3)";
static const char sql_wrap_put[] =
        "INSERT OR REPLACE INTO label_wrap(name, version, officer_id, wrap)"
        " VALUES(?1, ?2, ?3, ?4)";
static const char sql_wraps[] = "SELECT name, version, wrap FROM label_wrap WHERE officer_id = ?1"
                                " ORDER BY name, version";
static const char sql_revoke[] = "DELETE FROM label_wrap WHERE officer_id = ?2 AND name = ?1";
/* The same for STORE_RECOVERY_OFFICER (0), whose wraps live in label_recovery. */
static const char sql_rec_put[] = "INSERT OR REPLACE INTO label_recovery(name, version, wrap)"
                                  " SELECT ?1, ?2, ?4 WHERE ?3 = 0";
static const char sql_rec_list[] = "SELECT name, version, wrap FROM label_recovery WHERE ?1 = 0"
                                   " ORDER BY name, version";
static const char sql_rec_revoke[] = "DELETE FROM label_recovery WHERE ?2 = 0 AND name = ?1";
static const char sql_rec_delete_all[] = "DELETE FROM label_recovery WHERE ?1 = 0";

/* ---- helpers ---- */

static enum store_result bind_blob(sqlite3_stmt *st, int i, const uint8_t *p, size_t n)
{
	if (n == 0)
		return sq_bind(sqlite3_bind_null(st, i));
	return sq_bind(sqlite3_bind_blob(st, i, p, (int)n, SQLITE_TRANSIENT));
}

/* Copies column i (a blob of at most cap bytes, or NULL) into out. */
static enum store_result col_blob(sqlite3_stmt *st, int i, uint8_t *out, size_t cap, size_t *len,
                                  bool exact)
{
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	if (len)
		*len = 0;
	if (p == NULL || n <= 0) {
		if (exact)
			memset(out, 0, cap);
		return STORE_OK;
	}
	if ((size_t)n > cap || (exact && (size_t)n != cap))
		return STORE_CORRUPT;
	memcpy(out, p, (size_t)n);
	if (len)
		*len = (size_t)n;
	return STORE_OK;
}

static enum store_result col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *p = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	if (p == NULL || n < 0 || (size_t)n >= cap)
		return STORE_CORRUPT;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return STORE_OK;
}

static enum store_result row_read(sqlite3_stmt *st, struct store_officer *o)
{
	enum store_result r;
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	if ((r = col_text(st, 1, o->name, sizeof o->name)) != STORE_OK ||
	    (r = col_text(st, 3, o->clearance, sizeof o->clearance)) != STORE_OK ||
	    (r = col_text(st, 4, o->nationality, sizeof o->nationality)) != STORE_OK)
		return r;
	int64_t roles = sqlite3_column_int64(st, 2);
	if (roles < 0 || roles > 0xffff)
		return STORE_CORRUPT;
	o->roles = (unsigned)roles;
	o->disabled = sqlite3_column_int(st, 5) != 0;
	o->created_day = sqlite3_column_int(st, 6);
	o->last_login_day = sqlite3_column_int(st, 7);
	o->failures = sqlite3_column_int64(st, 8);
	o->last_failure = sqlite3_column_int64(st, 9);
	o->totp_last_step = sqlite3_column_int64(st, 10);
	int64_t v = sqlite3_column_int64(st, 11), ops = sqlite3_column_int64(st, 13),
	        mem = sqlite3_column_int64(st, 14);
	if (v < 0 || v > UINT32_MAX || ops < 0 || mem < 0)
		return STORE_CORRUPT;
	o->version = (uint32_t)v;
	o->opslimit = (uint64_t)ops;
	o->memlimit = (uint64_t)mem;
	if ((r = col_blob(st, 12, o->salt, sizeof o->salt, NULL, true)) != STORE_OK ||
	    (r = col_blob(st, 15, o->verifier, sizeof o->verifier, NULL, true)) != STORE_OK ||
	    (r = col_blob(st, 16, o->pk, sizeof o->pk, NULL, true)) != STORE_OK ||
	    (r = col_blob(st, 17, o->wrapped_sk, sizeof o->wrapped_sk, &o->wrapped_sk_len,
	                  false)) != STORE_OK ||
	    (r = col_blob(st, 18, o->wrapped_totp, sizeof o->wrapped_totp, &o->wrapped_totp_len,
	                  false)) != STORE_OK)
		return r;
	return STORE_OK;
}

/* ---- officers ---- */

struct a_insert {
	const struct store_officer *o;
	store_id id;
};

static enum store_result fn_insert(struct conn *c, void *arg)
{
	struct a_insert *a = arg;
	const struct store_officer *o = a->o;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_insert, &st);
	if (r != STORE_OK)
		return r;
	bool keys = o->wrapped_sk_len > 0;
	if ((r = sq_bind_text(st, 1, o->name)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, o->roles))) != STORE_OK ||
	    (r = sq_bind_text(st, 3, o->clearance)) != STORE_OK ||
	    (r = sq_bind_text(st, 4, o->nationality)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int(st, 5, o->disabled ? 1 : 0))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int(st, 6, o->created_day))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 7, o->version))) != STORE_OK ||
	    (r = bind_blob(st, 8, o->salt, keys ? sizeof o->salt : 0)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 9, (int64_t)o->opslimit))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 10, (int64_t)o->memlimit))) != STORE_OK ||
	    (r = bind_blob(st, 11, o->verifier, keys ? sizeof o->verifier : 0)) != STORE_OK ||
	    (r = bind_blob(st, 12, o->pk, keys ? sizeof o->pk : 0)) != STORE_OK ||
	    (r = bind_blob(st, 13, o->wrapped_sk, o->wrapped_sk_len)) != STORE_OK ||
	    (r = bind_blob(st, 14, o->wrapped_totp, o->wrapped_totp_len)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result of_insert(struct store *s, const struct store_officer *o, store_id *out)
{
	struct a_insert a = {.o = o};
	enum store_result r = sq_write(s, true, fn_insert, &a);
	if (r == STORE_OK && out)
		*out = a.id;
	return r;
}

struct a_get {
	const char *sql;
	store_id id;
	const char *name;
	struct store_officer *out;
	int (*fn)(void *ctx, const struct store_officer *o);
	void *ctx;
};

static enum store_result fn_get(struct conn *c, void *arg)
{
	struct a_get *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, a->sql, &st);
	if (r != STORE_OK)
		return r;
	if (a->name)
		r = sq_bind_text(st, 1, a->name);
	else if (a->id)
		r = sq_bind(sqlite3_bind_int64(st, 1, a->id));
	if (r != STORE_OK) {
		sq_done(st);
		return r;
	}
	bool any = false;
	for (;;) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			r = sq_map(sqlite3_extended_errcode(sq_db(c)));
			break;
		}
		any = true;
		if ((r = row_read(st, a->out)) != STORE_OK)
			break;
		if (a->fn == NULL)
			break;
		if (a->fn(a->ctx, a->out) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	sq_done(st);
	if (r == STORE_OK && !any && a->fn == NULL)
		r = STORE_NOT_FOUND;
	return r;
}

static enum store_result of_get(struct store *s, store_id id, struct store_officer *out)
{
	struct a_get a = {.sql = sql_get, .id = id, .out = out};
	return sq_read(s, fn_get, &a);
}

static enum store_result of_find(struct store *s, const char *name, struct store_officer *out)
{
	struct a_get a = {.sql = sql_find, .name = name, .out = out};
	return sq_read(s, fn_get, &a);
}

static enum store_result of_list(struct store *s,
                                 int (*fn)(void *ctx, const struct store_officer *o), void *ctx)
{
	struct store_officer row;
	struct a_get a = {.sql = sql_list, .out = &row, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_get, &a);
}

/* A generic UPDATE/DELETE by id with up to two more integer parameters. */
struct a_upd {
	const char *sql;
	store_id id;
	int64_t v2, v3;
	int nparams;
	bool need_change;
};

static enum store_result fn_upd(struct conn *c, void *arg)
{
	struct a_upd *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, a->sql, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, a->id))) != STORE_OK ||
	    (a->nparams >= 2 && (r = sq_bind(sqlite3_bind_int64(st, 2, a->v2))) != STORE_OK) ||
	    (a->nparams >= 3 && (r = sq_bind(sqlite3_bind_int64(st, 3, a->v3))) != STORE_OK)) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (a->need_change && sq_changes(c) == 0)
		return STORE_NOT_FOUND;
	return STORE_OK;
}

static enum store_result fn_delete(struct conn *c, void *arg)
{
	struct a_upd *a = arg;
	struct a_upd w = {.sql = sql_wraps_delete_all, .id = a->id, .nparams = 1};
	enum store_result r = fn_upd(c, &w);
	return r != STORE_OK ? r : fn_upd(c, a);
}

static enum store_result of_delete(struct store *s, store_id id)
{
	struct a_upd a = {.sql = sql_delete, .id = id, .nparams = 1, .need_change = true};
	return sq_write(s, true, fn_delete, &a);
}

static enum store_result of_set_roles(struct store *s, store_id id, unsigned roles)
{
	struct a_upd a = {
	        .sql = sql_set_roles, .id = id, .v2 = roles, .nparams = 2, .need_change = true};
	return sq_write(s, true, fn_upd, &a);
}

static enum store_result of_set_disabled(struct store *s, store_id id, int disabled)
{
	struct a_upd a = {.sql = sql_set_disabled,
	                  .id = id,
	                  .v2 = disabled ? 1 : 0,
	                  .nparams = 2,
	                  .need_change = true};
	return sq_write(s, true, fn_upd, &a);
}

static enum store_result of_login_ok(struct store *s, store_id id, int64_t step, int32_t day)
{
	struct a_upd a = {.sql = sql_login_ok,
	                  .id = id,
	                  .v2 = step,
	                  .v3 = day,
	                  .nparams = 3,
	                  .need_change = true};
	enum store_result r = sq_write(s, true, fn_upd, &a);
	return r == STORE_NOT_FOUND ? STORE_EXISTS : r;
}

static enum store_result of_login_failed(struct store *s, store_id id, int64_t now)
{
	struct a_upd a = {
	        .sql = sql_login_failed, .id = id, .v2 = now, .nparams = 2, .need_change = true};
	return sq_write(s, true, fn_upd, &a);
}

struct a_keys {
	const struct store_officer *o;
	uint32_t expect;
	store_id id;
	uint32_t version;
	const uint8_t *wrap;
	size_t n;
	int64_t step;
};

static enum store_result fn_keys_set(struct conn *c, void *arg)
{
	struct a_keys *a = arg;
	const struct store_officer *o = a->o;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_keys_set, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, o->id))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, o->version))) != STORE_OK ||
	    (r = bind_blob(st, 3, o->salt, sizeof o->salt)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 4, (int64_t)o->opslimit))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 5, (int64_t)o->memlimit))) != STORE_OK ||
	    (r = bind_blob(st, 6, o->verifier, sizeof o->verifier)) != STORE_OK ||
	    (r = bind_blob(st, 7, o->pk, sizeof o->pk)) != STORE_OK ||
	    (r = bind_blob(st, 8, o->wrapped_sk, o->wrapped_sk_len)) != STORE_OK ||
	    (r = bind_blob(st, 9, o->wrapped_totp, o->wrapped_totp_len)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 10, a->expect))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_EXISTS : STORE_OK;
}

static enum store_result of_keys_set(struct store *s, const struct store_officer *o,
                                     uint32_t expect_version)
{
	struct a_keys a = {.o = o, .expect = expect_version};
	return sq_write(s, true, fn_keys_set, &a);
}

static enum store_result fn_totp_set(struct conn *c, void *arg)
{
	struct a_keys *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_totp_set, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, a->id))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, a->version))) != STORE_OK ||
	    (r = bind_blob(st, 3, a->wrap, a->n)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 4, a->step))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_EXISTS : STORE_OK;
}

static enum store_result of_totp_set(struct store *s, store_id id, uint32_t version,
                                     const uint8_t *wrap, size_t n, int64_t step)
{
	struct a_keys a = {.id = id, .version = version, .wrap = wrap, .n = n, .step = step};
	return sq_write(s, true, fn_totp_set, &a);
}

struct a_clear {
	store_id id;
	const char *clearance;
};

static enum store_result fn_set_clearance(struct conn *c, void *arg)
{
	struct a_clear *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_set_clearance, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, a->id))) != STORE_OK ||
	    (r = sq_bind_text(st, 2, a->clearance)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result of_set_clearance(struct store *s, store_id id, const char *clearance)
{
	struct a_clear a = {.id = id, .clearance = clearance};
	return sq_write(s, true, fn_set_clearance, &a);
}

/* ---- labels ---- */

struct a_label {
	const char *name;
	uint32_t version;
	uint8_t *pk_out;
	const uint8_t *pk;
	const struct store_label_wrap *wraps;
	size_t n;
	store_id officer;
	int (*fn)(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n);
	void *ctx;
};

static enum store_result fn_label_current(struct conn *c, void *arg)
{
	struct a_label *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_text(c, sql_label_current, a->name, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(st, 0);
		if (v <= 0 || v > UINT32_MAX)
			r = STORE_CORRUPT;
		else if ((r = col_blob(st, 1, a->pk_out, STORE_PK_LEN, NULL, true)) == STORE_OK)
			a->version = (uint32_t)v;
	} else if (rc == SQLITE_DONE) {
		r = STORE_NOT_FOUND;
	} else {
		r = sq_map(sqlite3_extended_errcode(sq_db(c)));
	}
	sq_done(st);
	return r;
}

static enum store_result of_label_current(struct store *s, const char *name, uint32_t *version,
                                          uint8_t pk[STORE_PK_LEN])
{
	struct a_label a = {.name = name, .pk_out = pk};
	enum store_result r = sq_read(s, fn_label_current, &a);
	if (r == STORE_OK)
		*version = a.version;
	return r;
}

struct a_joint {
	const char *name[2];
	struct store_label_joint *out;
};

static enum store_result fn_label_joint(struct conn *c, void *arg)
{
	struct a_joint *j = arg;
	enum store_result r;
	for (int i = 0; i < 2; i++) {
		struct a_label a = {.name = j->name[i], .pk_out = j->out->pk[i]};
		if ((r = fn_label_current(c, &a)) == STORE_OK)
			j->out->version[i] = a.version;
		else if (r != STORE_NOT_FOUND)
			return r;
	}
	if (j->out->version[0] == 0 || j->out->version[1] == 0)
		return STORE_OK;
	sqlite3_stmt *st;
	if ((r = sq_stmt_text(c, sql_label_holders, j->name[0], &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, j->out->version[0])) != STORE_OK ||
	    (r = sq_bind_text(st, 3, j->name[1])) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, j->out->version[1])) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		j->out->holders = sqlite3_column_int64(st, 0);
	else
		r = sq_map(sqlite3_extended_errcode(sq_db(c)));
	sq_done(st);
	return r;
}

static enum store_result of_label_joint(struct store *s, const char *a, const char *b,
                                        struct store_label_joint *out)
{
	memset(out, 0, sizeof *out);
	struct a_joint j = {.name = {a, b}, .out = out};
	return sq_read(s, fn_label_joint, &j);
}

static enum store_result wrap_put(struct conn *c, const char *name, uint32_t version,
                                  const struct store_label_wrap *w)
{
	sqlite3_stmt *st;
	enum store_result r =
	        sq_stmt(c, w->officer == STORE_RECOVERY_OFFICER ? sql_rec_put : sql_wrap_put, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, name)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, version))) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 3, w->officer))) != STORE_OK ||
	    (r = bind_blob(st, 4, w->wrap, w->len)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result fn_label_add(struct conn *c, void *arg)
{
	struct a_label *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_label_insert, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, a->name)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, a->version))) != STORE_OK ||
	    (r = bind_blob(st, 3, a->pk, STORE_PK_LEN)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	for (size_t i = 0; i < a->n; i++)
		if ((r = wrap_put(c, a->name, a->version, &a->wraps[i])) != STORE_OK)
			return r;
	return STORE_OK;
}

static enum store_result of_label_add(struct store *s, const char *name, uint32_t version,
                                      const uint8_t pk[STORE_PK_LEN],
                                      const struct store_label_wrap *wraps, size_t n)
{
	struct a_label a = {.name = name, .version = version, .pk = pk, .wraps = wraps, .n = n};
	return sq_write(s, true, fn_label_add, &a);
}

static enum store_result fn_wrap_put(struct conn *c, void *arg)
{
	struct a_label *a = arg;
	return wrap_put(c, a->name, a->version, a->wraps);
}

static enum store_result of_label_wrap_put(struct store *s, const char *name, uint32_t version,
                                           const struct store_label_wrap *w)
{
	struct a_label a = {.name = name, .version = version, .wraps = w, .n = 1};
	return sq_write(s, true, fn_wrap_put, &a);
}

static enum store_result fn_wraps(struct conn *c, void *arg)
{
	struct a_label *a = arg;
	sqlite3_stmt *st;
	enum store_result r =
	        sq_stmt(c, a->officer == STORE_RECOVERY_OFFICER ? sql_rec_list : sql_wraps, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(st, 1, a->officer))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	for (;;) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			r = sq_map(sqlite3_extended_errcode(sq_db(c)));
			break;
		}
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int64_t v = sqlite3_column_int64(st, 1);
		const uint8_t *w = sqlite3_column_blob(st, 2);
		int n = sqlite3_column_bytes(st, 2);
		if (name == NULL || v <= 0 || v > UINT32_MAX || w == NULL || n <= 0) {
			r = STORE_CORRUPT;
			break;
		}
		if (a->fn(a->ctx, name, (uint32_t)v, w, (size_t)n) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	sq_done(st);
	return r;
}

static enum store_result of_label_wraps(struct store *s, store_id officer,
                                        int (*fn)(void *ctx, const char *name, uint32_t version,
                                                  const uint8_t *wrap, size_t n),
                                        void *ctx)
{
	struct a_label a = {.officer = officer, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_wraps, &a);
}

static enum store_result fn_revoke(struct conn *c, void *arg)
{
	struct a_label *a = arg;
	sqlite3_stmt *st;
	enum store_result r;
	bool rec = a->officer == STORE_RECOVERY_OFFICER;
	if (a->name == NULL) {
		struct a_upd u = {.sql = rec ? sql_rec_delete_all : sql_wraps_delete_all,
		                  .id = a->officer,
		                  .nparams = 1};
		return fn_upd(c, &u);
	}
	if ((r = sq_stmt(c, rec ? sql_rec_revoke : sql_revoke, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, a->name)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_int64(st, 2, a->officer))) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result of_label_revoke(struct store *s, const char *name, store_id officer)
{
	struct a_label a = {.name = name, .officer = officer};
	return sq_write(s, true, fn_revoke, &a);
}

const struct store_officer_ops sq_officer_ops = {
        .insert = of_insert,
        .get = of_get,
        .find = of_find,
        .list = of_list,
        .delete = of_delete,
        .set_roles = of_set_roles,
        .set_disabled = of_set_disabled,
        .set_clearance = of_set_clearance,
        .keys_set = of_keys_set,
        .totp_set = of_totp_set,
        .login_ok = of_login_ok,
        .login_failed = of_login_failed,
        .label_current = of_label_current,
        .label_add = of_label_add,
        .label_wrap_put = of_label_wrap_put,
        .label_wraps = of_label_wraps,
        .label_revoke = of_label_revoke,
        .label_joint = of_label_joint,
};
