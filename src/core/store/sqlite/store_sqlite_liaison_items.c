/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_liaison_items: the SQLite tables of the liaison domain's
 * items of bundles (core/store/store_liaison.h, schema part liaison_items,
 * migrated after liaison): the items withheld from a bundle each way with
 * their reasons. Only rows: what is allowed is the front's
 * (core/store/store_liaison_items.c).
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
