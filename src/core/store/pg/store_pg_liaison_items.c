/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_liaison_items: the PostgreSQL tables of the liaison domain's
 * items of bundles (core/store/store_liaison.h, schema part liaison_items,
 * migrated after liaison): the items withheld from a bundle each way with
 * their reasons, as in the SQLite backend. Only rows: what is allowed is
 * the front's (core/store/store_liaison_items.c).
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_liaison.h"
#include "core/store/pg/store_pg_liaison_items.h"

#include "lib/banned.h"

static const char *const items_steps[] = {
        /* 1: items withheld from a bundle, each way, with the reason */
        "CREATE TABLE liai_withheld(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " partner bigint NOT NULL REFERENCES liai_partner(id), way integer NOT NULL,"
        " seq bigint NOT NULL, report bigint NOT NULL, reason text NOT NULL);"
        "CREATE INDEX liai_withheld_bundle ON liai_withheld(partner, way, seq, id);",
};

const struct pg_schema_part pg_part_liaison_items = {
        .name = "liaison_items",
        .steps = items_steps,
        .nsteps = (int)(sizeof(items_steps) / sizeof(items_steps[0])),
};

static const char sql_w_add[] = "INSERT INTO liai_withheld(partner, way, seq, report, reason)"
                                " VALUES($1, $2, $3, $4, $5)";
static const char sql_w_list[] = "SELECT partner, way, seq, report, reason FROM liai_withheld"
                                 " WHERE partner = $1 AND way = $2 AND seq = $3 ORDER BY id";

struct a_w {
	int (*fn)(void *ctx, const struct store_withheld *w);
	void *ctx;
};

static enum store_result each_w(const PGresult *q, int i, void *ctx)
{
	struct a_w *a = ctx;
	struct store_withheld row;
	memset(&row, 0, sizeof row);
	row.partner = pg_i64(q, i, 0);
	row.way =
	        pg_i64(q, i, 1) == STORE_LIAISON_SENT ? STORE_LIAISON_SENT : STORE_LIAISON_RECEIVED;
	row.seq = (uint64_t)pg_i64(q, i, 2);
	row.report = pg_i64(q, i, 3);
	enum store_result r = pg_text(q, i, 4, row.reason, sizeof row.reason);
	if (r == STORE_OK && a->fn(a->ctx, &row) != 0)
		r = STORE_STOP;
	return r;
}

/* In pg_liaison_ops (store_pg_liaison.c). */
enum store_result pg_liaison_withheld_add(struct store *s, const struct store_withheld *in)
{
	struct pg_params p = {0};
	pg_param_i64(&p, in->partner);
	pg_param_i64(&p, (int64_t)in->way);
	pg_param_i64(&p, (int64_t)in->seq);
	pg_param_i64(&p, in->report);
	pg_param_text(&p, in->reason);
	return pg_exec(s, sql_w_add, &p, NULL); /* no such partner: STORE_NOT_FOUND */
}

enum store_result pg_liaison_withheld(struct store *s, store_id partner, enum store_liaison_way way,
                                      uint64_t seq,
                                      int (*fn)(void *ctx, const struct store_withheld *w),
                                      void *ctx)
{
	struct pg_params p = {0};
	struct a_w a = {.fn = fn, .ctx = ctx};
	pg_param_i64(&p, partner);
	pg_param_i64(&p, (int64_t)way);
	pg_param_i64(&p, (int64_t)seq);
	return pg_rows(s, sql_w_list, &p, false, false, each_w, &a);
}
