/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_session: the doors' sessions in the SQLite backend
 * (core/store/store_session.h): one row per session, keyed by (kind, id).
 * Writes are not waited for on the disk (a session lost in a crash is a
 * login again), except deletes, which are durable.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_session.h"

#include "lib/banned.h"

static const char *const session_steps[] = {
        /* 1 */
        "CREATE TABLE session(kind INTEGER NOT NULL, id BLOB NOT NULL,"
        " owner INTEGER NOT NULL, expires INTEGER NOT NULL, version INTEGER NOT NULL,"
        " data BLOB NOT NULL, PRIMARY KEY(kind, id)) WITHOUT ROWID;"
        "CREATE INDEX session_owner ON session(kind, owner);"
        "CREATE INDEX session_expires ON session(kind, expires);",
};

const struct sq_schema_part sq_part_session = {
        .name = "session",
        .steps = session_steps,
        .nsteps = (int)(sizeof(session_steps) / sizeof(session_steps[0])),
};

static const char sql_purge[] = "DELETE FROM session WHERE kind = ?1 AND expires < ?2";
static const char sql_count[] = "SELECT count(*) FROM session WHERE kind = ?1";
static const char sql_add[] = "INSERT INTO session(kind, id, owner, expires, version, data)"
                              " VALUES (?1, ?2, ?3, ?4, 1, ?5)";
static const char sql_get[] = "SELECT owner, expires, version, data FROM session"
                              " WHERE kind = ?1 AND id = ?2";
static const char sql_put[] = "UPDATE session SET expires = ?3, data = ?4, version = version + 1"
                              " WHERE kind = ?1 AND id = ?2 AND version = ?5";
static const char sql_has[] = "SELECT 1 FROM session WHERE kind = ?1 AND id = ?2";
static const char sql_delete[] = "DELETE FROM session WHERE kind = ?1 AND id = ?2";
static const char sql_delete_owner[] = "DELETE FROM session WHERE kind = ?1 AND owner = ?2";

struct a_sess {
	const struct store_session *in;
	struct store_session *out;
	int32_t kind;
	const uint8_t *id;
	store_id owner;
	int64_t now, max, *n;
};

/* sql with ?1 the kind and ?2 the id (a blob of 32 bytes). */
static enum store_result stmt_kind_id(struct conn *c, const char *sql, int32_t kind,
                                      const uint8_t *id, sqlite3_stmt **st)
{
	enum store_result r = sq_stmt_i64(c, sql, kind, st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_blob(*st, 2, id, STORE_SESSION_ID_LEN, SQLITE_TRANSIENT))) !=
	    STORE_OK)
		sq_done(*st);
	return r;
}

static enum store_result purge(struct conn *c, int32_t kind, int64_t now)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_purge, kind, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, now)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result count_live(struct conn *c, int32_t kind, int64_t now, int64_t *n)
{
	sqlite3_stmt *st;
	enum store_result r = purge(c, kind, now);
	if (r != STORE_OK || (r = sq_stmt_i64(c, sql_count, kind, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : sq_map(rc);
}

static enum store_result fn_add(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	const struct store_session *in = a->in;
	int64_t n = 0;
	sqlite3_stmt *st;
	enum store_result r = count_live(c, in->kind, a->now, &n);
	if (r != STORE_OK)
		return r;
	if (n >= a->max)
		return STORE_FULL;
	if ((r = stmt_kind_id(c, sql_add, in->kind, in->id, &st)) != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 3, in->owner)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->expires)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 5, in->data, (int)in->len, SQLITE_TRANSIENT))) !=
	            STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

static enum store_result ss_add(struct store *s, const struct store_session *in, int64_t now,
                                int64_t max)
{
	struct a_sess a = {.in = in, .now = now, .max = max};
	return sq_write(s, false, fn_add, &a);
}

static enum store_result fn_get(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	sqlite3_stmt *st;
	enum store_result r = stmt_kind_id(c, sql_get, a->kind, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct store_session *o = a->out;
		const void *d = sqlite3_column_blob(st, 3);
		int n = sqlite3_column_bytes(st, 3);
		o->kind = a->kind;
		memcpy(o->id, a->id, STORE_SESSION_ID_LEN);
		o->owner = sqlite3_column_int64(st, 0);
		o->expires = sqlite3_column_int64(st, 1);
		o->version = sqlite3_column_int64(st, 2);
		if (d == NULL || n <= 0 || n > STORE_SESSION_DATA_MAX) {
			sq_done(st);
			return STORE_CORRUPT;
		}
		memcpy(o->data, d, (size_t)n);
		o->len = (size_t)n;
	}
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result fn_delete(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	sqlite3_stmt *st;
	enum store_result r = stmt_kind_id(c, sql_delete, a->kind, a->id, &st);
	if (r != STORE_OK || (r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_result ss_get(struct store *s, int32_t kind, const uint8_t id[32], int64_t now,
                                struct store_session *out)
{
	struct a_sess a = {.kind = kind, .id = id, .out = out};
	enum store_result r = sq_read(s, fn_get, &a);
	if (r == STORE_OK && out->expires < now) {
		enum store_result e = sq_write(s, false, fn_delete, &a);
		return e == STORE_OK || e == STORE_NOT_FOUND ? STORE_NOT_FOUND : e;
	}
	return r;
}

static enum store_result fn_put(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	const struct store_session *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = stmt_kind_id(c, sql_put, in->kind, in->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 3, in->expires)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 4, in->data, (int)in->len, SQLITE_TRANSIENT))) !=
	            STORE_OK ||
	    (r = sq_bind_i64(st, 5, in->version)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) == 1)
		return STORE_OK;
	if ((r = stmt_kind_id(c, sql_has, in->kind, in->id, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_EXISTS : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result ss_put(struct store *s, const struct store_session *in)
{
	struct a_sess a = {.in = in};
	return sq_write(s, false, fn_put, &a);
}

static enum store_result ss_delete(struct store *s, int32_t kind, const uint8_t id[32])
{
	struct a_sess a = {.kind = kind, .id = id};
	return sq_write(s, true, fn_delete, &a);
}

static enum store_result fn_delete_owner(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_delete_owner, a->kind, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, a->owner)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	*a->n = sq_changes(c);
	return STORE_OK;
}

static enum store_result ss_delete_owner(struct store *s, int32_t kind, store_id owner, int64_t *n)
{
	struct a_sess a = {.kind = kind, .owner = owner, .n = n};
	return sq_write(s, true, fn_delete_owner, &a);
}

static enum store_result fn_count(struct conn *c, void *arg)
{
	struct a_sess *a = arg;
	return count_live(c, a->kind, a->now, a->n);
}

static enum store_result ss_count(struct store *s, int32_t kind, int64_t now, int64_t *n)
{
	struct a_sess a = {.kind = kind, .now = now, .n = n};
	return sq_write(s, false, fn_count, &a);
}

const struct store_session_ops sq_session_ops = {
        .session_add = ss_add,
        .session_get = ss_get,
        .session_put = ss_put,
        .session_delete = ss_delete,
        .session_delete_owner = ss_delete_owner,
        .session_count = ss_count,
};
