/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_liaison_items: the SQLite tables of the liaison domain's
 * items of bundles (core/store/store_liaison.h, schema part liaison_items,
 * migrated after liaison): the items withheld from a bundle each way with
 * their reasons, the reports sent by bundle, consents to re-release. Only rows: what is allowed is
 * the front's (core/store/store_liaison_items.c).
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/sqlite/store_sqlite.h"
#include "core/store/store_liaison.h"
#include "core/store/sqlite/store_sqlite_liaison_items.h"

#include "lib/banned.h"

static const char *const items_steps[] = {
        /* 1: items withheld from a bundle, each way, with the reason */
        "CREATE TABLE liai_withheld(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " partner INTEGER NOT NULL REFERENCES liai_partner(id), way INTEGER NOT NULL,"
        " seq INTEGER NOT NULL, report INTEGER NOT NULL, reason TEXT NOT NULL);"
        "CREATE INDEX liai_withheld_bundle ON liai_withheld(partner, way, seq, id);",
        /* 2: reports sent by bundle; consents to re-release, given and received */
        "CREATE TABLE liai_item_sent(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " partner INTEGER NOT NULL REFERENCES liai_partner(id), seq INTEGER NOT NULL,"
        " report INTEGER NOT NULL);"
        "CREATE INDEX liai_item_sent_report ON liai_item_sent(partner, report);"
        "CREATE TABLE liai_consent(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " partner INTEGER NOT NULL REFERENCES liai_partner(id), way INTEGER NOT NULL,"
        " report INTEGER NOT NULL, country TEXT NOT NULL, seq INTEGER NOT NULL,"
        " day INTEGER NOT NULL);"
        "CREATE INDEX liai_consent_report ON liai_consent(report, way);"
        "CREATE INDEX liai_consent_partner ON liai_consent(partner, way, seq);",
};

const struct sq_schema_part sq_part_liaison_items = {
        .name = "liaison_items",
        .steps = items_steps,
        .nsteps = (int)(sizeof(items_steps) / sizeof(items_steps[0])),
};

static const char sql_w_add[] = "INSERT INTO liai_withheld(partner, way, seq, report, reason)"
                                " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_w_list[] = "SELECT partner, way, seq, report, reason FROM liai_withheld"
                                 " WHERE partner = ?1 AND way = ?2 AND seq = ?3 ORDER BY id";

struct a_w {
	const struct store_withheld *in;
	store_id partner;
	enum store_liaison_way way;
	uint64_t seq;
	int (*fn)(void *ctx, const struct store_withheld *w);
	void *ctx;
};

static enum store_result fn_w_add(struct conn *c, void *arg)
{
	const struct store_withheld *in = ((struct a_w *)arg)->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_w_add, in->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)in->way)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, (int64_t)in->seq)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->report)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, in->reason)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st); /* no such partner: STORE_NOT_FOUND */
}

/* In sq_liaison_ops (store_sqlite_liaison.c). */
enum store_result sq_liaison_withheld_add(struct store *s, const struct store_withheld *in)
{
	struct a_w a = {.in = in};
	return sq_write(s, true, fn_w_add, &a);
}

static enum store_result fn_w_list(struct conn *c, void *arg)
{
	struct a_w *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_w_list, a->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)a->way)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, (int64_t)a->seq)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc;
	struct store_withheld row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		row.partner = sqlite3_column_int64(st, 0);
		row.way = sqlite3_column_int(st, 1) == STORE_LIAISON_SENT ? STORE_LIAISON_SENT
		                                                          : STORE_LIAISON_RECEIVED;
		row.seq = (uint64_t)sqlite3_column_int64(st, 2);
		row.report = sqlite3_column_int64(st, 3);
		const unsigned char *t = sqlite3_column_text(st, 4);
		size_t n = t ? (size_t)sqlite3_column_bytes(st, 4) : 0;
		if (n > STORE_WITHHELD_REASON_MAX)
			n = STORE_WITHHELD_REASON_MAX;
		if (n)
			memcpy(row.reason, t, n);
		row.reason[n] = '\0';
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

enum store_result sq_liaison_withheld(struct store *s, store_id partner, enum store_liaison_way way,
                                      uint64_t seq,
                                      int (*fn)(void *ctx, const struct store_withheld *w),
                                      void *ctx)
{
	struct a_w a = {.partner = partner, .way = way, .seq = seq, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_w_list, &a);
}

/* ---- reports sent, received ones found, consents ---- */

static const char sql_i_add[] = "INSERT INTO liai_item_sent(partner, seq, report)"
                                " VALUES(?1, ?2, ?3)";
static const char sql_i_has[] =
        "SELECT 1 FROM liai_item_sent WHERE partner = ?1 AND report = ?2 LIMIT 1";
static const char sql_r_find[] = "SELECT id, partner, seq, remote, report, marking, day"
                                 " FROM liai_received WHERE partner = ?1 AND remote = ?2";
static const char sql_c_add[] = "INSERT INTO liai_consent(partner, way, report, country, seq, day)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
#define CONSENT_COLS "id, partner, way, report, country, seq, day"
static const char sql_c_list[] = "SELECT " CONSENT_COLS " FROM liai_consent"
                                 " WHERE report = ?1 AND way = ?2 ORDER BY id";
static const char sql_c_pending[] = "SELECT " CONSENT_COLS " FROM liai_consent"
                                    " WHERE partner = ?1 AND way = 1 AND seq = 0 ORDER BY id";
static const char sql_c_sent[] = "UPDATE liai_consent SET seq = ?2 WHERE id = ?1 AND seq = 0";
static const char sql_c_get[] = "SELECT 1 FROM liai_consent WHERE id = ?1";

struct a_x {
	store_id partner, report, id;
	int64_t remote;
	uint64_t seq;
	enum store_liaison_way way;
	const struct store_consent *in;
	struct store_received *rcv;
	int (*fn)(void *ctx, const struct store_consent *c);
	void *ctx;
};

static enum store_result fn_i_add(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_i_add, a->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)a->seq)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->report)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st);
}

enum store_result sq_liaison_item_sent_add(struct store *s, store_id partner, uint64_t seq,
                                           store_id report)
{
	struct a_x a = {.partner = partner, .seq = seq, .report = report};
	return sq_write(s, true, fn_i_add, &a);
}

/* A query of two integers that answers a row or none. */
static enum store_result one_row(struct conn *c, const char *sql, int64_t x, int64_t y,
                                 sqlite3_stmt **out)
{
	enum store_result r = sq_stmt_i64(c, sql, x, out);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(*out, 2, y)) != STORE_OK) {
		sq_done(*out);
		return r;
	}
	return STORE_OK;
}

static enum store_result fn_i_has(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	sqlite3_stmt *st;
	enum store_result r = one_row(c, sql_i_has, a->partner, a->report, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

enum store_result sq_liaison_item_sent_has(struct store *s, store_id partner, store_id report)
{
	struct a_x a = {.partner = partner, .report = report};
	return sq_read(s, fn_i_has, &a);
}

static enum store_result fn_r_find(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	sqlite3_stmt *st;
	enum store_result r = one_row(c, sql_r_find, a->partner, a->remote, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct store_received *o = a->rcv;
		o->id = sqlite3_column_int64(st, 0);
		o->partner = sqlite3_column_int64(st, 1);
		o->seq = (uint64_t)sqlite3_column_int64(st, 2);
		o->remote = sqlite3_column_int64(st, 3);
		o->report = sqlite3_column_int64(st, 4);
		const unsigned char *t = sqlite3_column_text(st, 5);
		size_t n = t ? (size_t)sqlite3_column_bytes(st, 5) : 0;
		if (n >= sizeof o->marking)
			n = sizeof o->marking - 1;
		if (n)
			memcpy(o->marking, t, n);
		o->marking[n] = '\0';
		o->day = sqlite3_column_int(st, 6);
	}
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

enum store_result sq_liaison_received_find(struct store *s, store_id partner, int64_t remote,
                                           struct store_received *out)
{
	struct a_x a = {.partner = partner, .remote = remote, .rcv = out};
	return sq_read(s, fn_r_find, &a);
}

static enum store_result fn_c_add(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	const struct store_consent *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_c_add, in->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)in->way)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, in->report)) != STORE_OK ||
	    (r = sq_bind_text(st, 4, in->country)) != STORE_OK ||
	    (r = sq_bind_i64(st, 5, (int64_t)in->seq)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

enum store_result sq_liaison_consent_add(struct store *s, const struct store_consent *in,
                                         store_id *out)
{
	struct a_x a = {.in = in};
	enum store_result r = sq_write(s, true, fn_c_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

static enum store_result fn_c_list(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	sqlite3_stmt *st;
	enum store_result r = a->partner > 0
	                              ? sq_stmt_i64(c, sql_c_pending, a->partner, &st)
	                              : one_row(c, sql_c_list, a->report, (int64_t)a->way, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	struct store_consent row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		row.id = sqlite3_column_int64(st, 0);
		row.partner = sqlite3_column_int64(st, 1);
		row.way = sqlite3_column_int(st, 2) == STORE_LIAISON_SENT ? STORE_LIAISON_SENT
		                                                          : STORE_LIAISON_RECEIVED;
		row.report = sqlite3_column_int64(st, 3);
		const unsigned char *t = sqlite3_column_text(st, 4);
		if (t != NULL && sqlite3_column_bytes(st, 4) < (int)sizeof row.country)
			memcpy(row.country, t, (size_t)sqlite3_column_bytes(st, 4));
		row.seq = (uint64_t)sqlite3_column_int64(st, 5);
		row.day = sqlite3_column_int(st, 6);
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

enum store_result sq_liaison_consents(struct store *s, enum store_liaison_way way, store_id report,
                                      int (*fn)(void *ctx, const struct store_consent *c),
                                      void *ctx)
{
	struct a_x a = {.way = way, .report = report, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_c_list, &a);
}

enum store_result sq_liaison_consents_pending(struct store *s, store_id partner,
                                              int (*fn)(void *ctx, const struct store_consent *c),
                                              void *ctx)
{
	struct a_x a = {.partner = partner, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_c_list, &a);
}

static enum store_result fn_c_sent(struct conn *c, void *arg)
{
	struct a_x *a = arg;
	sqlite3_stmt *st;
	enum store_result r = one_row(c, sql_c_sent, a->id, (int64_t)a->seq, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) != 0)
		return STORE_OK;
	if ((r = sq_stmt_i64(c, sql_c_get, a->id, &st)) != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_EXISTS : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

enum store_result sq_liaison_consent_sent(struct store *s, store_id id, uint64_t seq)
{
	struct a_x a = {.id = id, .seq = seq};
	return sq_write(s, true, fn_c_sent, &a);
}
