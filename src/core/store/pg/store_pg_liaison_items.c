/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_liaison_items: the PostgreSQL tables of the liaison domain's
 * items of bundles (core/store/store_liaison.h, schema part liaison_items,
 * migrated after liaison): the items withheld from a bundle each way with
 * their reasons, the reports sent by bundle, consents to re-release, as in
 * the SQLite backend. Only rows: what is allowed is
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
        /* 2: reports sent by bundle; consents to re-release, given and received */
        "CREATE TABLE liai_item_sent(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " partner bigint NOT NULL REFERENCES liai_partner(id), seq bigint NOT NULL,"
        " report bigint NOT NULL);"
        "CREATE INDEX liai_item_sent_report ON liai_item_sent(partner, report);"
        "CREATE TABLE liai_consent(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " partner bigint NOT NULL REFERENCES liai_partner(id), way integer NOT NULL,"
        " report bigint NOT NULL, country text NOT NULL, seq bigint NOT NULL,"
        " day integer NOT NULL);"
        "CREATE INDEX liai_consent_report ON liai_consent(report, way);"
        "CREATE INDEX liai_consent_partner ON liai_consent(partner, way, seq);",
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

/* ---- reports sent, received ones found, consents ---- */

static const char sql_i_add[] = "INSERT INTO liai_item_sent(partner, seq, report)"
                                " VALUES($1, $2, $3)";
static const char sql_i_has[] =
        "SELECT 1 FROM liai_item_sent WHERE partner = $1 AND report = $2 LIMIT 1";
static const char sql_r_find[] = "SELECT id, partner, seq, remote, report, marking, day"
                                 " FROM liai_received WHERE partner = $1 AND remote = $2";
static const char sql_c_add[] = "INSERT INTO liai_consent(partner, way, report, country, seq, day)"
                                " VALUES($1, $2, $3, $4, $5, $6) RETURNING id";
#define CONSENT_COLS "id, partner, way, report, country, seq, day"
static const char sql_c_list[] = "SELECT " CONSENT_COLS " FROM liai_consent"
                                 " WHERE report = $1 AND way = $2 ORDER BY id";
static const char sql_c_pending[] = "SELECT " CONSENT_COLS " FROM liai_consent"
                                    " WHERE partner = $1 AND way = 1 AND seq = 0 ORDER BY id";
static const char sql_c_sent[] =
        "WITH u AS (UPDATE liai_consent SET seq = $2 WHERE id = $1 AND seq = 0 RETURNING 1)"
        " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM liai_consent WHERE id = $1)";

enum store_result pg_liaison_item_sent_add(struct store *s, store_id partner, uint64_t seq,
                                           store_id report)
{
	struct pg_params p = {0};
	pg_param_i64(&p, partner);
	pg_param_i64(&p, (int64_t)seq);
	pg_param_i64(&p, report);
	return pg_exec(s, sql_i_add, &p, NULL);
}

static enum store_result each_none(const PGresult *q, int i, void *ctx)
{
	(void)q;
	(void)i;
	(void)ctx;
	return STORE_OK;
}

enum store_result pg_liaison_item_sent_has(struct store *s, store_id partner, store_id report)
{
	struct pg_params p = {0};
	pg_param_i64(&p, partner);
	pg_param_i64(&p, report);
	return pg_rows(s, sql_i_has, &p, true, false, each_none, NULL);
}

static enum store_result each_rcv(const PGresult *q, int i, void *ctx)
{
	struct store_received *o = ctx;
	o->id = pg_i64(q, i, 0);
	o->partner = pg_i64(q, i, 1);
	o->seq = (uint64_t)pg_i64(q, i, 2);
	o->remote = pg_i64(q, i, 3);
	o->report = pg_i64(q, i, 4);
	o->day = (int32_t)pg_i64(q, i, 6);
	return pg_text(q, i, 5, o->marking, sizeof o->marking);
}

enum store_result pg_liaison_received_find(struct store *s, store_id partner, int64_t remote,
                                           struct store_received *out)
{
	struct pg_params p = {0};
	pg_param_i64(&p, partner);
	pg_param_i64(&p, remote);
	return pg_rows(s, sql_r_find, &p, true, false, each_rcv, out);
}

enum store_result pg_liaison_consent_add(struct store *s, const struct store_consent *in,
                                         store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_i64(&p, in->partner);
	pg_param_i64(&p, (int64_t)in->way);
	pg_param_i64(&p, in->report);
	pg_param_text(&p, in->country);
	pg_param_i64(&p, (int64_t)in->seq);
	pg_param_i64(&p, in->day);
	enum store_result r = pg_returned_id(s, sql_c_add, &p, &id);
	if (r == STORE_OK)
		*out = id;
	return r;
}

struct a_c {
	int (*fn)(void *ctx, const struct store_consent *c);
	void *ctx;
};

static enum store_result each_c(const PGresult *q, int i, void *ctx)
{
	struct a_c *a = ctx;
	struct store_consent row;
	memset(&row, 0, sizeof row);
	row.id = pg_i64(q, i, 0);
	row.partner = pg_i64(q, i, 1);
	row.way =
	        pg_i64(q, i, 2) == STORE_LIAISON_SENT ? STORE_LIAISON_SENT : STORE_LIAISON_RECEIVED;
	row.report = pg_i64(q, i, 3);
	row.seq = (uint64_t)pg_i64(q, i, 5);
	row.day = (int32_t)pg_i64(q, i, 6);
	enum store_result r = pg_text(q, i, 4, row.country, sizeof row.country);
	if (r == STORE_OK && a->fn(a->ctx, &row) != 0)
		r = STORE_STOP;
	return r;
}

enum store_result pg_liaison_consents(struct store *s, enum store_liaison_way way, store_id report,
                                      int (*fn)(void *ctx, const struct store_consent *c),
                                      void *ctx)
{
	struct pg_params p = {0};
	struct a_c a = {.fn = fn, .ctx = ctx};
	pg_param_i64(&p, report);
	pg_param_i64(&p, (int64_t)way);
	return pg_rows(s, sql_c_list, &p, false, false, each_c, &a);
}

enum store_result pg_liaison_consents_pending(struct store *s, store_id partner,
                                              int (*fn)(void *ctx, const struct store_consent *c),
                                              void *ctx)
{
	struct pg_params p = {0};
	struct a_c a = {.fn = fn, .ctx = ctx};
	pg_param_i64(&p, partner);
	return pg_rows(s, sql_c_pending, &p, false, false, each_c, &a);
}

enum store_result pg_liaison_consent_sent(struct store *s, store_id id, uint64_t seq)
{
	struct pg_params p = {0};
	PGresult *q;
	pg_param_i64(&p, id);
	pg_param_i64(&p, (int64_t)seq);
	enum store_result r = pg_exec(s, sql_c_sent, &p, &q);
	if (r != STORE_OK)
		return r;
	r = PQntuples(q) != 1      ? STORE_CORRUPT
	    : pg_i64(q, 0, 0) == 1 ? STORE_OK
	    : pg_i64(q, 0, 1) == 1 ? STORE_EXISTS
	                           : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}
