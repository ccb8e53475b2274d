/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_liaison: the liaison tables of the SQLite backend
 * (core/store/store_liaison.h): partners with their agreement and the state
 * of the exchange each way, report topics, reports received, bundles sent
 * and their receipts. Only rows: what
 * is allowed is the front's (core/store/store_liaison.c). Tables liai_*;
 * every id is AUTOINCREMENT (never reused).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_liaison.h"
#include "core/store/sqlite/store_sqlite_liaison_items.h"
#include "core/store/sqlite/store_sqlite.h"

#include "lib/banned.h"

static const char *const liaison_steps[] = {
        /* 1 */
        "CREATE TABLE liai_partner(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " name TEXT NOT NULL UNIQUE, country TEXT NOT NULL, vkey TEXT NOT NULL,"
        " age TEXT NOT NULL, url TEXT NOT NULL, topics TEXT NOT NULL, marking TEXT NOT NULL,"
        " rerelease INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
        " day INTEGER NOT NULL, sent_seq INTEGER NOT NULL DEFAULT 0,"
        " sent_hash BLOB, received_seq INTEGER NOT NULL DEFAULT 0, received_hash BLOB,"
        " sent_through INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE liai_topic(report INTEGER PRIMARY KEY REFERENCES report(id),"
        " topics TEXT NOT NULL);"
        "CREATE TABLE liai_received(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " partner INTEGER NOT NULL REFERENCES liai_partner(id), seq INTEGER NOT NULL,"
        " remote INTEGER NOT NULL, report INTEGER NOT NULL REFERENCES report(id),"
        " marking TEXT NOT NULL, day INTEGER NOT NULL, UNIQUE(partner, remote));"
        "CREATE INDEX liai_received_report ON liai_received(report);",
        /* 2: bundles sent and their receipts (issue 14 §2) */
        "CREATE TABLE liai_sent(partner INTEGER NOT NULL REFERENCES liai_partner(id),"
        " seq INTEGER NOT NULL, hash BLOB NOT NULL, items INTEGER NOT NULL,"
        " withheld INTEGER NOT NULL, day INTEGER NOT NULL,"
        " receipted INTEGER NOT NULL DEFAULT 0, accepted INTEGER NOT NULL DEFAULT 0,"
        " refused INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(partner, seq));",
};

const struct sq_schema_part sq_part_liaison = {
        .name = "liaison",
        .steps = liaison_steps,
        .nsteps = (int)(sizeof(liaison_steps) / sizeof(liaison_steps[0])),
};

#define PARTNER_COLS                                                                    \
	"id, name, country, vkey, age, url, topics, marking, rerelease, disabled, day," \
	" sent_seq, sent_hash, received_seq, received_hash, sent_through"
static const char sql_p_add[] =
        "INSERT INTO liai_partner(name, country, vkey, age, url, topics, marking, rerelease,"
        " day) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_p_get[] = "SELECT " PARTNER_COLS " FROM liai_partner WHERE id = ?1";
static const char sql_p_find[] = "SELECT " PARTNER_COLS " FROM liai_partner WHERE name = ?1";
static const char sql_p_list[] = "SELECT " PARTNER_COLS " FROM liai_partner ORDER BY name";
static const char sql_p_disable[] = "UPDATE liai_partner SET disabled = 1 WHERE id = ?1";
static const char sql_p_sent[] =
        "UPDATE liai_partner SET sent_seq = ?2 + 1, sent_hash = ?3, sent_through = ?4"
        " WHERE id = ?1 AND sent_seq = ?2";
static const char sql_p_received[] =
        "UPDATE liai_partner SET received_seq = ?2 + 1, received_hash = ?3"
        " WHERE id = ?1 AND received_seq = ?2";
static const char sql_t_set[] = "INSERT INTO liai_topic(report, topics) VALUES(?1, ?2)"
                                " ON CONFLICT(report) DO UPDATE SET topics = excluded.topics";
static const char sql_t_get[] = "SELECT t.topics FROM report r LEFT JOIN liai_topic t"
                                " ON t.report = r.id WHERE r.id = ?1";
#define RECEIVED_COLS "id, partner, seq, remote, report, marking, day"
static const char sql_r_add[] =
        "INSERT INTO liai_received(partner, seq, remote, report, marking, day)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_r_of[] =
        "SELECT " RECEIVED_COLS " FROM liai_received WHERE report = ?1 ORDER BY id LIMIT 1";
static const char sql_r_list[] =
        "SELECT " RECEIVED_COLS " FROM liai_received WHERE partner = ?1 ORDER BY id";
#define SENT_COLS "partner, seq, hash, items, withheld, day, receipted, accepted, refused"
static const char sql_s_add[] = "INSERT INTO liai_sent(partner, seq, hash, items, withheld, day)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_s_get[] =
        "SELECT " SENT_COLS " FROM liai_sent WHERE partner = ?1 AND seq = ?2";
static const char sql_s_receipt[] =
        "UPDATE liai_sent SET receipted = ?3, accepted = ?4, refused = ?5"
        " WHERE partner = ?1 AND seq = ?2 AND receipted = 0";
static const char sql_s_list[] =
        "SELECT " SENT_COLS " FROM liai_sent WHERE partner = ?1 ORDER BY seq";
static const char sql_p_exists[] = "SELECT 1 FROM liai_partner WHERE id = ?1";

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

static void col_hash(sqlite3_stmt *st, int i, uint8_t out[static STORE_LIAISON_HASH_LEN])
{
	const void *b = sqlite3_column_blob(st, i);
	if (b != NULL && sqlite3_column_bytes(st, i) == STORE_LIAISON_HASH_LEN)
		memcpy(out, b, STORE_LIAISON_HASH_LEN);
	else
		memset(out, 0, STORE_LIAISON_HASH_LEN);
}

/* ---- partners ---- */

struct a_p {
	const struct store_partner *in;
	struct store_partner *out;
	const struct store_liaison_step *step;
	const char *name;
	store_id id;
	int (*fn)(void *ctx, const struct store_partner *p);
	void *ctx;
};

static void p_row(sqlite3_stmt *st, struct store_partner *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, o->name, sizeof o->name);
	col_text(st, 2, o->country, sizeof o->country);
	col_text(st, 3, o->vkey, sizeof o->vkey);
	col_text(st, 4, o->age_recipient, sizeof o->age_recipient);
	col_text(st, 5, o->url, sizeof o->url);
	col_text(st, 6, o->topics, sizeof o->topics);
	col_text(st, 7, o->marking, sizeof o->marking);
	o->may_rerelease = sqlite3_column_int(st, 8) != 0;
	o->disabled = sqlite3_column_int(st, 9) != 0;
	o->day = sqlite3_column_int(st, 10);
	o->sent_seq = (uint64_t)sqlite3_column_int64(st, 11);
	col_hash(st, 12, o->sent_hash);
	o->received_seq = (uint64_t)sqlite3_column_int64(st, 13);
	col_hash(st, 14, o->received_hash);
	o->sent_through = sqlite3_column_int64(st, 15);
}

static enum store_result fn_p_add(struct conn *c, void *arg)
{
	struct a_p *a = arg;
	const struct store_partner *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_p_add, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, in->name)) != STORE_OK ||
	    (r = sq_bind_text(st, 2, in->country)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, in->vkey)) != STORE_OK ||
	    (r = sq_bind_text(st, 4, in->age_recipient)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, in->url)) != STORE_OK ||
	    (r = sq_bind_text(st, 6, in->topics)) != STORE_OK ||
	    (r = sq_bind_text(st, 7, in->marking)) != STORE_OK ||
	    (r = sq_bind_i64(st, 8, in->may_rerelease ? 1 : 0)) != STORE_OK ||
	    (r = sq_bind_i64(st, 9, in->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sl_partner_add(struct store *s, const struct store_partner *in,
                                        store_id *out)
{
	struct a_p a = {.in = in};
	enum store_result r = sq_write(s, true, fn_p_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

static enum store_result fn_p_one(struct conn *c, void *arg)
{
	struct a_p *a = arg;
	sqlite3_stmt *st;
	enum store_result r = a->name ? sq_stmt_text(c, sql_p_find, a->name, &st)
	                              : sq_stmt_i64(c, sql_p_get, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		p_row(st, a->out);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sl_partner_get(struct store *s, store_id id, struct store_partner *out)
{
	struct a_p a = {.id = id, .out = out};
	return sq_read(s, fn_p_one, &a);
}

static enum store_result sl_partner_find(struct store *s, const char *name,
                                         struct store_partner *out)
{
	struct a_p a = {.name = name, .out = out};
	return sq_read(s, fn_p_one, &a);
}

static enum store_result fn_p_list(struct conn *c, void *arg)
{
	struct a_p *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_p_list, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	struct store_partner row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p_row(st, &row);
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sl_partners(struct store *s,
                                     int (*fn)(void *ctx, const struct store_partner *p), void *ctx)
{
	struct a_p a = {.fn = fn, .ctx = ctx};
	return sq_read(s, fn_p_list, &a);
}

static enum store_result fn_p_disable(struct conn *c, void *arg)
{
	struct a_p *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_p_disable, a->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result sl_partner_disable(struct store *s, store_id id)
{
	struct a_p a = {.id = id};
	return sq_write(s, true, fn_p_disable, &a);
}

static enum store_result fn_p_advance(struct conn *c, void *arg)
{
	struct a_p *a = arg;
	const struct store_liaison_step *step = a->step;
	bool sent = step->way == STORE_LIAISON_SENT;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sent ? sql_p_sent : sql_p_received, a->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)step->from)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 3, step->hash, STORE_LIAISON_HASH_LEN,
	                                   SQLITE_TRANSIENT))) != STORE_OK ||
	    (sent && (r = sq_bind_i64(st, 4, step->through)) != STORE_OK)) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result sl_partner_advance(struct store *s, store_id id,
                                            const struct store_liaison_step *step)
{
	struct a_p a = {.id = id, .step = step};
	return sq_write(s, true, fn_p_advance, &a);
}

/* ---- topics ---- */

struct a_t {
	store_id report;
	const char *topics;
	char *out;
};

static enum store_result fn_t_set(struct conn *c, void *arg)
{
	struct a_t *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_t_set, a->report, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 2, a->topics)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st); /* no such report: STORE_NOT_FOUND */
}

static enum store_result sl_topics_set(struct store *s, store_id report, const char *topics)
{
	struct a_t a = {.report = report, .topics = topics};
	return sq_write(s, true, fn_t_set, &a);
}

static enum store_result fn_t_get(struct conn *c, void *arg)
{
	struct a_t *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_t_get, a->report, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_text(st, 0, a->out, STORE_TOPICS_MAX + 1);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sl_topics_get(struct store *s, store_id report,
                                       char out[static STORE_TOPICS_MAX + 1])
{
	struct a_t a = {.report = report, .out = out};
	return sq_read(s, fn_t_get, &a);
}

/* ---- received ---- */

struct a_r {
	const struct store_received *in;
	struct store_received *out;
	store_id id;
	int (*fn)(void *ctx, const struct store_received *r);
	void *ctx;
};

static void r_row(sqlite3_stmt *st, struct store_received *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->partner = sqlite3_column_int64(st, 1);
	o->seq = (uint64_t)sqlite3_column_int64(st, 2);
	o->remote = sqlite3_column_int64(st, 3);
	o->report = sqlite3_column_int64(st, 4);
	col_text(st, 5, o->marking, sizeof o->marking);
	o->day = sqlite3_column_int(st, 6);
}

static enum store_result fn_r_add(struct conn *c, void *arg)
{
	struct a_r *a = arg;
	const struct store_received *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_r_add, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, in->partner)) != STORE_OK ||
	    (r = sq_bind_i64(st, 2, (int64_t)in->seq)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, in->remote)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->report)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, in->marking)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r; /* no such partner or report: STORE_NOT_FOUND; twice: STORE_EXISTS */
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sl_received_add(struct store *s, const struct store_received *in,
                                         store_id *out)
{
	struct a_r a = {.in = in};
	enum store_result r = sq_write(s, true, fn_r_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

static enum store_result fn_r_of(struct conn *c, void *arg)
{
	struct a_r *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_r_of, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r_row(st, a->out);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sl_received_of(struct store *s, store_id report,
                                        struct store_received *out)
{
	struct a_r a = {.id = report, .out = out};
	return sq_read(s, fn_r_of, &a);
}

static enum store_result fn_r_list(struct conn *c, void *arg)
{
	struct a_r *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_p_exists, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	if ((r = sq_stmt_i64(c, sql_r_list, a->id, &st)) != STORE_OK)
		return r;
	struct store_received row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r_row(st, &row);
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sl_received(struct store *s, store_id partner,
                                     int (*fn)(void *ctx, const struct store_received *r),
                                     void *ctx)
{
	struct a_r a = {.id = partner, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_r_list, &a);
}

/* ---- bundles sent ---- */

struct a_s {
	const struct store_bundle_sent *in;
	struct store_bundle_sent *out;
	store_id partner;
	uint64_t seq;
	int (*fn)(void *ctx, const struct store_bundle_sent *b);
	void *ctx;
};

static void s_row(sqlite3_stmt *st, struct store_bundle_sent *o)
{
	memset(o, 0, sizeof *o);
	o->partner = sqlite3_column_int64(st, 0);
	o->seq = (uint64_t)sqlite3_column_int64(st, 1);
	col_hash(st, 2, o->hash);
	o->items = (uint32_t)sqlite3_column_int64(st, 3);
	o->withheld = (uint32_t)sqlite3_column_int64(st, 4);
	o->day = sqlite3_column_int(st, 5);
	o->receipted = sqlite3_column_int(st, 6);
	o->accepted = (uint32_t)sqlite3_column_int64(st, 7);
	o->refused = (uint32_t)sqlite3_column_int64(st, 8);
}

static enum store_result fn_s_add(struct conn *c, void *arg)
{
	const struct store_bundle_sent *in = ((struct a_s *)arg)->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_s_add, in->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)in->seq)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 3, in->hash, STORE_LIAISON_HASH_LEN,
	                                   SQLITE_TRANSIENT))) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->items)) != STORE_OK ||
	    (r = sq_bind_i64(st, 5, in->withheld)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	return sq_exec(st); /* twice: STORE_EXISTS; no such partner: STORE_NOT_FOUND */
}

static enum store_result sl_sent_add(struct store *s, const struct store_bundle_sent *in)
{
	struct a_s a = {.in = in};
	return sq_write(s, true, fn_s_add, &a);
}

static enum store_result fn_s_get(struct conn *c, void *arg)
{
	struct a_s *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_s_get, a->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)a->seq)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		s_row(st, a->out);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sl_sent_get(struct store *s, store_id partner, uint64_t seq,
                                     struct store_bundle_sent *out)
{
	struct a_s a = {.partner = partner, .seq = seq, .out = out};
	return sq_read(s, fn_s_get, &a);
}

static enum store_result fn_s_receipt(struct conn *c, void *arg)
{
	struct a_s *a = arg;
	const struct store_bundle_sent *in = a->in;
	struct store_bundle_sent cur;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_s_receipt, in->partner, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, (int64_t)in->seq)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, in->receipted)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->accepted)) != STORE_OK ||
	    (r = sq_bind_i64(st, 5, in->refused)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	if (sq_changes(c) != 0)
		return STORE_OK;
	a->partner = in->partner;
	a->seq = in->seq;
	a->out = &cur;
	r = fn_s_get(c, a);
	return r == STORE_OK ? STORE_EXISTS : r; /* receipted already, or no such bundle */
}

static enum store_result sl_sent_receipt(struct store *s, const struct store_bundle_sent *in)
{
	struct a_s a = {.in = in};
	return sq_write(s, true, fn_s_receipt, &a);
}

static enum store_result fn_s_list(struct conn *c, void *arg)
{
	struct a_s *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_p_exists, a->partner, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	if ((r = sq_stmt_i64(c, sql_s_list, a->partner, &st)) != STORE_OK)
		return r;
	struct store_bundle_sent row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s_row(st, &row);
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sl_sent(struct store *s, store_id partner,
                                 int (*fn)(void *ctx, const struct store_bundle_sent *b), void *ctx)
{
	struct a_s a = {.partner = partner, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_s_list, &a);
}

const struct store_liaison_ops sq_liaison_ops = {
        .partner_add = sl_partner_add,
        .partner_get = sl_partner_get,
        .partner_find = sl_partner_find,
        .partners = sl_partners,
        .partner_disable = sl_partner_disable,
        .partner_advance = sl_partner_advance,
        .topics_set = sl_topics_set,
        .topics_get = sl_topics_get,
        .received_add = sl_received_add,
        .received_of = sl_received_of,
        .received = sl_received,
        .sent_add = sl_sent_add,
        .sent_get = sl_sent_get,
        .sent_receipt = sl_sent_receipt,
        .sent = sl_sent,
        .withheld_add = sq_liaison_withheld_add,
        .withheld = sq_liaison_withheld,
        .item_sent_add = sq_liaison_item_sent_add,
        .item_sent_has = sq_liaison_item_sent_has,
        .received_find = sq_liaison_received_find,
        .consent_add = sq_liaison_consent_add,
        .consents = sq_liaison_consents,
        .consents_pending = sq_liaison_consents_pending,
        .consent_sent = sq_liaison_consent_sent,
};
