/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_liaison: the liaison tables of the PostgreSQL backend
 * (core/store/store_liaison.h): partners with their agreement and the state
 * of the exchange each way, report topics, reports received, bundles sent
 * and their receipts. Only rows: what is allowed is the front's
 * (core/store/store_liaison.c), which also checks every cap. The tables are
 * liai_* as in the SQLite backend; ids come from identity columns (never
 * reused); names compare bytewise (COLLATE "C").
 *
 * A partner's listing (received, sent) is one statement from the partner
 * row, LEFT JOINed: no row is an unknown partner, a row of NULLs a partner
 * with nothing listed, in one snapshot without a read transaction.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_liaison.h"
#include "core/store/pg/store_pg_liaison_items.h"

#include "lib/banned.h"

static const char *const liaison_steps[] = {
        /* 1 */
        "CREATE TABLE liai_partner(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " name text COLLATE \"C\" NOT NULL UNIQUE, country text NOT NULL, vkey text NOT NULL,"
        " age text NOT NULL, url text NOT NULL, topics text NOT NULL, marking text NOT NULL,"
        " rerelease integer NOT NULL, disabled integer NOT NULL DEFAULT 0,"
        " day integer NOT NULL, sent_seq bigint NOT NULL DEFAULT 0,"
        " sent_hash bytea, received_seq bigint NOT NULL DEFAULT 0, received_hash bytea,"
        " sent_through bigint NOT NULL DEFAULT 0);"
        "CREATE TABLE liai_topic(report bigint PRIMARY KEY REFERENCES report(id),"
        " topics text NOT NULL);"
        "CREATE TABLE liai_received(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " partner bigint NOT NULL REFERENCES liai_partner(id), seq bigint NOT NULL,"
        " remote bigint NOT NULL, report bigint NOT NULL REFERENCES report(id),"
        " marking text NOT NULL, day integer NOT NULL, UNIQUE(partner, remote));"
        "CREATE INDEX liai_received_report ON liai_received(report);"
        "CREATE TABLE liai_sent(partner bigint NOT NULL REFERENCES liai_partner(id),"
        " seq bigint NOT NULL, hash bytea NOT NULL, items bigint NOT NULL,"
        " withheld bigint NOT NULL, day integer NOT NULL,"
        " receipted integer NOT NULL DEFAULT 0, accepted bigint NOT NULL DEFAULT 0,"
        " refused bigint NOT NULL DEFAULT 0, PRIMARY KEY(partner, seq));",
};

const struct pg_schema_part pg_part_liaison = {
        .name = "liaison",
        .steps = liaison_steps,
        .nsteps = (int)(sizeof(liaison_steps) / sizeof(liaison_steps[0])),
};

#define PARTNER_COLS                                                                    \
	"id, name, country, vkey, age, url, topics, marking, rerelease, disabled, day," \
	" sent_seq, sent_hash, received_seq, received_hash, sent_through"
static const char sql_p_add[] =
        "INSERT INTO liai_partner(name, country, vkey, age, url, topics, marking, rerelease,"
        " day) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
static const char sql_p_get[] = "SELECT " PARTNER_COLS " FROM liai_partner WHERE id = $1";
static const char sql_p_find[] = "SELECT " PARTNER_COLS " FROM liai_partner WHERE name = $1";
static const char sql_p_list[] = "SELECT " PARTNER_COLS " FROM liai_partner ORDER BY name";
static const char sql_p_disable[] = "UPDATE liai_partner SET disabled = 1 WHERE id = $1";
static const char sql_p_sent[] =
        "UPDATE liai_partner SET sent_seq = $2::bigint + 1, sent_hash = $3,"
        " sent_through = $4::bigint WHERE id = $1::bigint AND sent_seq = $2::bigint";
static const char sql_p_received[] =
        "UPDATE liai_partner SET received_seq = $2::bigint + 1, received_hash = $3"
        " WHERE id = $1::bigint AND received_seq = $2::bigint";
static const char sql_t_set[] = "INSERT INTO liai_topic(report, topics) VALUES($1, $2)"
                                " ON CONFLICT(report) DO UPDATE SET topics = excluded.topics";
static const char sql_t_get[] = "SELECT t.topics FROM report r LEFT JOIN liai_topic t"
                                " ON t.report = r.id WHERE r.id = $1";
static const char sql_r_add[] =
        "INSERT INTO liai_received(partner, seq, remote, report, marking, day)"
        " VALUES($1, $2, $3, $4, $5, $6) RETURNING id";
/* received and sent rows: the first column NULL for a partner without any */
#define RECEIVED_COLS "r.id, r.partner, r.seq, r.remote, r.report, r.marking, r.day"
static const char sql_r_of[] =
        "SELECT " RECEIVED_COLS " FROM liai_received r WHERE r.report = $1 ORDER BY r.id LIMIT 1";
static const char sql_r_list[] = "SELECT " RECEIVED_COLS " FROM liai_partner p"
                                 " LEFT JOIN liai_received r ON r.partner = p.id"
                                 " WHERE p.id = $1 ORDER BY r.id";
#define SENT_COLS                                                                        \
	"b.partner, b.seq, b.hash, b.items, b.withheld, b.day, b.receipted, b.accepted," \
	" b.refused"
static const char sql_s_add[] = "INSERT INTO liai_sent(partner, seq, hash, items, withheld, day)"
                                " VALUES($1, $2, $3, $4, $5, $6)";
static const char sql_s_get[] =
        "SELECT " SENT_COLS " FROM liai_sent b WHERE b.partner = $1 AND b.seq = $2";
static const char sql_s_list[] = "SELECT " SENT_COLS " FROM liai_partner p"
                                 " LEFT JOIN liai_sent b ON b.partner = p.id"
                                 " WHERE p.id = $1 ORDER BY b.seq";
/* One statement: whether it was receipted now, and whether the bundle was there before. */
static const char sql_s_receipt[] =
        "WITH u AS (UPDATE liai_sent SET receipted = $3, accepted = $4, refused = $5"
        " WHERE partner = $1 AND seq = $2 AND receipted = 0 RETURNING 1)"
        " SELECT (SELECT count(*) FROM u),"
        " (SELECT count(*) FROM liai_sent WHERE partner = $1 AND seq = $2)";

/* ---- rows ---- */

static enum store_result p_row(const PGresult *q, int i, struct store_partner *o)
{
	enum store_result r;
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	if ((r = pg_text(q, i, 1, o->name, sizeof o->name)) != STORE_OK ||
	    (r = pg_text(q, i, 2, o->country, sizeof o->country)) != STORE_OK ||
	    (r = pg_text(q, i, 3, o->vkey, sizeof o->vkey)) != STORE_OK ||
	    (r = pg_text(q, i, 4, o->age_recipient, sizeof o->age_recipient)) != STORE_OK ||
	    (r = pg_text(q, i, 5, o->url, sizeof o->url)) != STORE_OK ||
	    (r = pg_text(q, i, 6, o->topics, sizeof o->topics)) != STORE_OK ||
	    (r = pg_text(q, i, 7, o->marking, sizeof o->marking)) != STORE_OK ||
	    (r = pg_bytes(q, i, 12, o->sent_hash, sizeof o->sent_hash, NULL, true)) != STORE_OK ||
	    (r = pg_bytes(q, i, 14, o->received_hash, sizeof o->received_hash, NULL, true)) !=
	            STORE_OK)
		return r;
	o->may_rerelease = pg_i64(q, i, 8) != 0;
	o->disabled = pg_i64(q, i, 9) != 0;
	o->day = (int32_t)pg_i64(q, i, 10);
	o->sent_seq = (uint64_t)pg_i64(q, i, 11);
	o->received_seq = (uint64_t)pg_i64(q, i, 13);
	o->sent_through = pg_i64(q, i, 15);
	return STORE_OK;
}

static enum store_result r_row(const PGresult *q, int i, struct store_received *o)
{
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	o->partner = pg_i64(q, i, 1);
	o->seq = (uint64_t)pg_i64(q, i, 2);
	o->remote = pg_i64(q, i, 3);
	o->report = pg_i64(q, i, 4);
	o->day = (int32_t)pg_i64(q, i, 6);
	return pg_text(q, i, 5, o->marking, sizeof o->marking);
}

static enum store_result s_row(const PGresult *q, int i, struct store_bundle_sent *o)
{
	memset(o, 0, sizeof *o);
	o->partner = pg_i64(q, i, 0);
	o->seq = (uint64_t)pg_i64(q, i, 1);
	o->items = (uint32_t)pg_i64(q, i, 3);
	o->withheld = (uint32_t)pg_i64(q, i, 4);
	o->day = (int32_t)pg_i64(q, i, 5);
	o->receipted = (int32_t)pg_i64(q, i, 6);
	o->accepted = (uint32_t)pg_i64(q, i, 7);
	o->refused = (uint32_t)pg_i64(q, i, 8);
	return pg_bytes(q, i, 2, o->hash, sizeof o->hash, NULL, true);
}

/* ---- partners ---- */

struct a_p {
	struct store_partner *out;
	int (*fn)(void *ctx, const struct store_partner *p);
	void *ctx;
};

static enum store_result each_p(const PGresult *q, int i, void *ctx)
{
	struct a_p *a = ctx;
	struct store_partner row;
	enum store_result r = p_row(q, i, a->out ? a->out : &row);
	if (r == STORE_OK && a->fn != NULL && a->fn(a->ctx, &row) != 0)
		r = STORE_STOP;
	return r;
}

static enum store_result lp_partner_add(struct store *s, const struct store_partner *in,
                                        store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_text(&p, in->name);
	pg_param_text(&p, in->country);
	pg_param_text(&p, in->vkey);
	pg_param_text(&p, in->age_recipient);
	pg_param_text(&p, in->url);
	pg_param_text(&p, in->topics);
	pg_param_text(&p, in->marking);
	pg_param_i64(&p, in->may_rerelease ? 1 : 0);
	pg_param_i64(&p, in->day);
	enum store_result r = pg_returned_id(s, sql_p_add, &p, &id); /* twice: STORE_EXISTS */
	if (r == STORE_OK)
		*out = id;
	return r;
}

static enum store_result lp_partner_get(struct store *s, store_id id, struct store_partner *out)
{
	struct pg_params p = {0};
	struct a_p a = {.out = out};
	pg_param_i64(&p, id);
	return pg_rows(s, sql_p_get, &p, true, false, each_p, &a);
}

static enum store_result lp_partner_find(struct store *s, const char *name,
                                         struct store_partner *out)
{
	struct pg_params p = {0};
	struct a_p a = {.out = out};
	pg_param_text(&p, name);
	return pg_rows(s, sql_p_find, &p, true, false, each_p, &a);
}

static enum store_result lp_partners(struct store *s,
                                     int (*fn)(void *ctx, const struct store_partner *p), void *ctx)
{
	struct a_p a = {.fn = fn, .ctx = ctx};
	return pg_rows(s, sql_p_list, NULL, false, false, each_p, &a);
}

static enum store_result lp_partner_disable(struct store *s, store_id id)
{
	int64_t n;
	enum store_result r = pg_exec_id(s, sql_p_disable, id, &n);
	return r != STORE_OK ? r : n == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result lp_partner_advance(struct store *s, store_id id,
                                            const struct store_liaison_step *step)
{
	bool sent = step->way == STORE_LIAISON_SENT;
	struct pg_params p = {0};
	int64_t n;
	pg_param_i64(&p, id);
	pg_param_i64(&p, (int64_t)step->from);
	pg_param_bytes(&p, step->hash, STORE_LIAISON_HASH_LEN);
	if (sent)
		pg_param_i64(&p, step->through);
	enum store_result r = pg_exec_n(s, sent ? sql_p_sent : sql_p_received, &p, &n);
	return r != STORE_OK ? r : n == 0 ? STORE_NOT_FOUND : STORE_OK;
}

/* ---- topics ---- */

static enum store_result lp_topics_set(struct store *s, store_id report, const char *topics)
{
	struct pg_params p = {0};
	pg_param_i64(&p, report);
	pg_param_text(&p, topics);
	return pg_exec(s, sql_t_set, &p, NULL); /* no such report: STORE_NOT_FOUND */
}

static enum store_result each_t(const PGresult *q, int i, void *ctx)
{
	char *out = ctx;
	out[0] = '\0';
	return PQgetisnull(q, i, 0) ? STORE_OK : pg_text(q, i, 0, out, STORE_TOPICS_MAX + 1);
}

static enum store_result lp_topics_get(struct store *s, store_id report,
                                       char out[static STORE_TOPICS_MAX + 1])
{
	struct pg_params p = {0};
	pg_param_i64(&p, report);
	return pg_rows(s, sql_t_get, &p, true, false, each_t, out);
}

/* ---- received ---- */

struct a_r {
	struct store_received *out;
	int (*fn)(void *ctx, const struct store_received *r);
	void *ctx;
};

static enum store_result each_r(const PGresult *q, int i, void *ctx)
{
	struct a_r *a = ctx;
	struct store_received row;
	enum store_result r = r_row(q, i, a->out ? a->out : &row);
	if (r == STORE_OK && a->fn != NULL && a->fn(a->ctx, &row) != 0)
		r = STORE_STOP;
	return r;
}

static enum store_result lp_received_add(struct store *s, const struct store_received *in,
                                         store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_i64(&p, in->partner);
	pg_param_i64(&p, (int64_t)in->seq);
	pg_param_i64(&p, in->remote);
	pg_param_i64(&p, in->report);
	pg_param_text(&p, in->marking);
	pg_param_i64(&p, in->day);
	/* no such partner or report: STORE_NOT_FOUND; twice: STORE_EXISTS */
	enum store_result r = pg_returned_id(s, sql_r_add, &p, &id);
	if (r == STORE_OK)
		*out = id;
	return r;
}

static enum store_result lp_received_of(struct store *s, store_id report,
                                        struct store_received *out)
{
	struct pg_params p = {0};
	struct a_r a = {.out = out};
	pg_param_i64(&p, report);
	return pg_rows(s, sql_r_of, &p, true, false, each_r, &a);
}

static enum store_result lp_received(struct store *s, store_id partner,
                                     int (*fn)(void *ctx, const struct store_received *r),
                                     void *ctx)
{
	struct pg_params p = {0};
	struct a_r a = {.fn = fn, .ctx = ctx};
	pg_param_i64(&p, partner);
	return pg_rows(s, sql_r_list, &p, false, true, each_r, &a);
}

/* ---- bundles sent ---- */

struct a_s {
	struct store_bundle_sent *out;
	int (*fn)(void *ctx, const struct store_bundle_sent *b);
	void *ctx;
};

static enum store_result each_s(const PGresult *q, int i, void *ctx)
{
	struct a_s *a = ctx;
	struct store_bundle_sent row;
	enum store_result r = s_row(q, i, a->out ? a->out : &row);
	if (r == STORE_OK && a->fn != NULL && a->fn(a->ctx, &row) != 0)
		r = STORE_STOP;
	return r;
}

static enum store_result lp_sent_add(struct store *s, const struct store_bundle_sent *in)
{
	struct pg_params p = {0};
	pg_param_i64(&p, in->partner);
	pg_param_i64(&p, (int64_t)in->seq);
	pg_param_bytes(&p, in->hash, STORE_LIAISON_HASH_LEN);
	pg_param_i64(&p, in->items);
	pg_param_i64(&p, in->withheld);
	pg_param_i64(&p, in->day);
	return pg_exec(s, sql_s_add, &p, NULL); /* twice: STORE_EXISTS; no partner: NOT_FOUND */
}

static enum store_result lp_sent_get(struct store *s, store_id partner, uint64_t seq,
                                     struct store_bundle_sent *out)
{
	struct pg_params p = {0};
	struct a_s a = {.out = out};
	pg_param_i64(&p, partner);
	pg_param_i64(&p, (int64_t)seq);
	return pg_rows(s, sql_s_get, &p, true, false, each_s, &a);
}

static enum store_result lp_sent_receipt(struct store *s, const struct store_bundle_sent *in)
{
	struct pg_params p = {0};
	PGresult *q;
	pg_param_i64(&p, in->partner);
	pg_param_i64(&p, (int64_t)in->seq);
	pg_param_i64(&p, in->receipted);
	pg_param_i64(&p, in->accepted);
	pg_param_i64(&p, in->refused);
	enum store_result r = pg_exec(s, sql_s_receipt, &p, &q);
	if (r != STORE_OK)
		return r;
	r = PQntuples(q) != 1      ? STORE_CORRUPT
	    : pg_i64(q, 0, 0) == 1 ? STORE_OK
	    : pg_i64(q, 0, 1) == 1 ? STORE_EXISTS /* receipted already */
	                           : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

static enum store_result lp_sent(struct store *s, store_id partner,
                                 int (*fn)(void *ctx, const struct store_bundle_sent *b), void *ctx)
{
	struct pg_params p = {0};
	struct a_s a = {.fn = fn, .ctx = ctx};
	pg_param_i64(&p, partner);
	return pg_rows(s, sql_s_list, &p, false, true, each_s, &a);
}

const struct store_liaison_ops pg_liaison_ops = {
        .partner_add = lp_partner_add,
        .partner_get = lp_partner_get,
        .partner_find = lp_partner_find,
        .partners = lp_partners,
        .partner_disable = lp_partner_disable,
        .partner_advance = lp_partner_advance,
        .topics_set = lp_topics_set,
        .topics_get = lp_topics_get,
        .received_add = lp_received_add,
        .received_of = lp_received_of,
        .received = lp_received,
        .sent_add = lp_sent_add,
        .sent_get = lp_sent_get,
        .sent_receipt = lp_sent_receipt,
        .sent = lp_sent,
        .withheld_add = pg_liaison_withheld_add,
        .withheld = pg_liaison_withheld,
        .item_sent_add = pg_liaison_item_sent_add,
        .item_sent_has = pg_liaison_item_sent_has,
        .received_find = pg_liaison_received_find,
        .consent_add = pg_liaison_consent_add,
        .consents = pg_liaison_consents,
        .consents_pending = pg_liaison_consents_pending,
        .consent_sent = pg_liaison_consent_sent,
};
