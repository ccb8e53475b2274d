/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_release: the release tables of the SQLite backend
 * (core/store/store_release.h): recipients, releases with their recipients,
 * and copies. Only rows: what is allowed is the front's
 * (core/store/store_release.c). The tables are rel_* ("release" is an SQL
 * keyword); every id is AUTOINCREMENT (never reused).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_release.h"
#include "core/store/sqlite/store_sqlite.h"

#include "lib/banned.h"

static const char *const release_steps[] = {
        /* 1 */
        "CREATE TABLE rel_recipient(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " name TEXT NOT NULL UNIQUE, org TEXT NOT NULL, nationality TEXT NOT NULL,"
        " marking TEXT NOT NULL, age TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
        " day INTEGER NOT NULL);"
        "CREATE TABLE rel_release(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " report INTEGER NOT NULL REFERENCES report(id), marking TEXT NOT NULL,"
        " purpose TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', day INTEGER NOT NULL,"
        " expiry_day INTEGER NOT NULL, decided_day INTEGER NOT NULL DEFAULT 0,"
        " proposer INTEGER NOT NULL, decider INTEGER NOT NULL DEFAULT 0,"
        " state INTEGER NOT NULL, nslots INTEGER NOT NULL DEFAULT 0,"
        " label_version INTEGER NOT NULL DEFAULT 0, sealed BLOB);"
        "CREATE TABLE rel_release_to(release INTEGER NOT NULL REFERENCES rel_release(id),"
        " recipient INTEGER NOT NULL REFERENCES rel_recipient(id),"
        " PRIMARY KEY(release, recipient)) WITHOUT ROWID;"
        "CREATE TABLE rel_copy(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " release INTEGER NOT NULL REFERENCES rel_release(id),"
        " recipient INTEGER NOT NULL REFERENCES rel_recipient(id),"
        " number INTEGER NOT NULL, choices BLOB NOT NULL, UNIQUE(release, recipient));",
};

const struct sq_schema_part sq_part_release = {
        .name = "release",
        .steps = release_steps,
        .nsteps = (int)(sizeof(release_steps) / sizeof(release_steps[0])),
};

#define RCP_COLS "id, name, org, nationality, marking, age, disabled, day"
static const char sql_rcp_add[] = "INSERT INTO rel_recipient(name, org, nationality, marking,"
                                  " age, day) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_rcp_get[] = "SELECT " RCP_COLS " FROM rel_recipient WHERE id = ?1";
static const char sql_rcp_find[] = "SELECT " RCP_COLS " FROM rel_recipient WHERE name = ?1";
static const char sql_rcp_list[] = "SELECT " RCP_COLS " FROM rel_recipient ORDER BY name";
static const char sql_rcp_disable[] = "UPDATE rel_recipient SET disabled = 1 WHERE id = ?1";

#define REL_COLS                                                                                 \
	"id, report, marking, purpose, reason, day, expiry_day, decided_day, proposer, decider," \
	" state, nslots, label_version, sealed,"                                                 \
	" (SELECT count(*) FROM rel_release_to t WHERE t.release = rel_release.id)"
static const char sql_rel_add[] = "INSERT INTO rel_release(report, marking, purpose, day,"
                                  " expiry_day, proposer, state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1)";
static const char sql_rel_to[] = "INSERT INTO rel_release_to(release, recipient) VALUES(?1, ?2)";
static const char sql_rel_get[] = "SELECT " REL_COLS " FROM rel_release WHERE id = ?1";
static const char sql_rel_list[] = "SELECT " REL_COLS " FROM rel_release ORDER BY id DESC";
static const char sql_rel_rcps[] =
        "SELECT recipient FROM rel_release_to WHERE release = ?1 ORDER BY recipient";
static const char sql_rel_decide[] =
        "UPDATE rel_release SET state = ?2, decider = ?3, decided_day = ?4, reason = ?5,"
        " sealed = ?6, nslots = ?7, label_version = ?8 WHERE id = ?1 AND state = 1";
static const char sql_copy_add[] =
        "INSERT INTO rel_copy(release, recipient, number, choices) VALUES(?1, ?2, ?3, ?4)";
static const char sql_copies[] = "SELECT id, release, recipient, number, choices FROM rel_copy"
                                 " WHERE release = ?1 ORDER BY number";

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

/* ---- recipients ---- */

struct a_rcp {
	const struct store_recipient *in;
	struct store_recipient *out;
	const char *name;
	store_id id;
	int (*fn)(void *ctx, const struct store_recipient *r);
	void *ctx;
};

static void rcp_row(sqlite3_stmt *st, struct store_recipient *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, o->name, sizeof o->name);
	col_text(st, 2, o->org, sizeof o->org);
	col_text(st, 3, o->nationality, sizeof o->nationality);
	col_text(st, 4, o->marking, sizeof o->marking);
	col_text(st, 5, o->age_recipient, sizeof o->age_recipient);
	o->disabled = sqlite3_column_int(st, 6) != 0;
	o->day = sqlite3_column_int(st, 7);
}

static enum store_result fn_rcp_add(struct conn *c, void *arg)
{
	struct a_rcp *a = arg;
	const struct store_recipient *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_rcp_add, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_text(st, 1, in->name)) != STORE_OK ||
	    (r = sq_bind_text(st, 2, in->org)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, in->nationality)) != STORE_OK ||
	    (r = sq_bind_text(st, 4, in->marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, in->age_recipient)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->day)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sr_recipient_add(struct store *s, const struct store_recipient *in,
                                          store_id *out)
{
	struct a_rcp a = {.in = in};
	enum store_result r = sq_write(s, true, fn_rcp_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

static enum store_result fn_rcp_one(struct conn *c, void *arg)
{
	struct a_rcp *a = arg;
	sqlite3_stmt *st;
	enum store_result r = a->name ? sq_stmt_text(c, sql_rcp_find, a->name, &st)
	                              : sq_stmt_i64(c, sql_rcp_get, a->id, &st);
	if (r != STORE_OK)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rcp_row(st, a->out);
	sq_done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
}

static enum store_result sr_recipient_get(struct store *s, store_id id, struct store_recipient *out)
{
	struct a_rcp a = {.id = id, .out = out};
	return sq_read(s, fn_rcp_one, &a);
}

static enum store_result sr_recipient_find(struct store *s, const char *name,
                                           struct store_recipient *out)
{
	struct a_rcp a = {.name = name, .out = out};
	return sq_read(s, fn_rcp_one, &a);
}

static enum store_result fn_rcp_list(struct conn *c, void *arg)
{
	struct a_rcp *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_rcp_list, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	struct store_recipient row;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rcp_row(st, &row);
		if (a->fn(a->ctx, &row) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result
sr_recipients(struct store *s, int (*fn)(void *ctx, const struct store_recipient *r), void *ctx)
{
	struct a_rcp a = {.fn = fn, .ctx = ctx};
	return sq_read(s, fn_rcp_list, &a);
}

static enum store_result fn_rcp_disable(struct conn *c, void *arg)
{
	struct a_rcp *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_rcp_disable, a->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result sr_recipient_disable(struct store *s, store_id id)
{
	struct a_rcp a = {.id = id};
	return sq_write(s, true, fn_rcp_disable, &a);
}

/* ---- releases ---- */

struct a_rel {
	const struct store_release *in;
	const struct store_release_decision *d;
	store_id id;
	bool whole; /* with recipients and the sealed secret */
	int (*fn)(void *ctx, const struct store_release *r);
	void *ctx;
};

static enum store_result fn_rel_add(struct conn *c, void *arg)
{
	struct a_rel *a = arg;
	const struct store_release *in = a->in;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, sql_rel_add, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 1, in->report)) != STORE_OK ||
	    (r = sq_bind_text(st, 2, in->marking)) != STORE_OK ||
	    (r = sq_bind_text(st, 3, in->purpose)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, in->day)) != STORE_OK ||
	    (r = sq_bind_i64(st, 5, in->expiry_day)) != STORE_OK ||
	    (r = sq_bind_i64(st, 6, in->proposer)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r; /* no such report: STORE_NOT_FOUND */
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	for (size_t i = 0; i < in->nrecipients; i++) {
		if ((r = sq_stmt_i64(c, sql_rel_to, a->id, &st)) != STORE_OK)
			return r;
		if ((r = sq_bind_i64(st, 2, in->recipients[i])) != STORE_OK) {
			sq_done(st);
			return r;
		}
		if ((r = sq_exec(st)) != STORE_OK)
			return r; /* no such recipient: STORE_NOT_FOUND */
	}
	return STORE_OK;
}

static enum store_result sr_release_insert(struct store *s, const struct store_release *in,
                                           store_id *out)
{
	struct a_rel a = {.in = in};
	enum store_result r = sq_write(s, true, fn_rel_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

/* The recipients of release row o->id into *v (the caller frees it). */
static enum store_result rel_rcps(struct conn *c, struct store_release *o, int64_t **v)
{
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_rel_rcps, o->id, &st);
	if (r != STORE_OK)
		return r;
	size_t cap = o->nrecipients ? o->nrecipients : 1, n = 0;
	if (cap > STORE_RELEASE_RECIPIENTS_MAX) {
		sq_done(st);
		return STORE_CORRUPT;
	}
	if ((*v = malloc(cap * sizeof **v)) == NULL) {
		sq_done(st);
		return STORE_NOMEM;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap)
		(*v)[n++] = sqlite3_column_int64(st, 0);
	sq_done(st);
	if (rc == SQLITE_ROW)
		return STORE_CORRUPT;
	o->recipients = *v;
	o->nrecipients = n;
	return sq_map(rc);
}

static enum store_result rel_rows(struct conn *c, sqlite3_stmt *st, struct a_rel *a)
{
	int rc;
	enum store_result r = STORE_OK;
	bool any = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_release o;
		int64_t *v = NULL;
		memset(&o, 0, sizeof o);
		any = true;
		o.id = sqlite3_column_int64(st, 0);
		o.report = sqlite3_column_int64(st, 1);
		col_text(st, 2, o.marking, sizeof o.marking);
		col_text(st, 3, o.purpose, sizeof o.purpose);
		col_text(st, 4, o.reason, sizeof o.reason);
		o.day = sqlite3_column_int(st, 5);
		o.expiry_day = sqlite3_column_int(st, 6);
		o.decided_day = sqlite3_column_int(st, 7);
		o.proposer = sqlite3_column_int64(st, 8);
		o.decider = sqlite3_column_int64(st, 9);
		o.state = sqlite3_column_int(st, 10);
		o.nslots = (uint32_t)sqlite3_column_int64(st, 11);
		o.label_version = (uint32_t)sqlite3_column_int64(st, 12);
		int64_t nr = sqlite3_column_int64(st, 14);
		if (nr < 0 || nr > STORE_RELEASE_RECIPIENTS_MAX)
			return STORE_CORRUPT;
		o.nrecipients = (size_t)nr;
		if (a->whole) {
			o.sealed = sqlite3_column_blob(st, 13);
			int n = sqlite3_column_bytes(st, 13);
			o.sealed_len = n > 0 ? (size_t)n : 0;
			if ((r = rel_rcps(c, &o, &v)) != STORE_OK) {
				free(v);
				return r;
			}
		} else {
			o.nrecipients = (size_t)nr;
		}
		int stop = a->fn(a->ctx, &o);
		free(v);
		if (stop)
			return STORE_STOP;
	}
	if (rc != SQLITE_DONE)
		return sq_map(rc);
	return a->whole && !any ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result fn_rel_get(struct conn *c, void *arg)
{
	struct a_rel *a = arg;
	sqlite3_stmt *st;
	enum store_result r =
	        a->whole ? sq_stmt_i64(c, sql_rel_get, a->id, &st) : sq_stmt(c, sql_rel_list, &st);
	if (r != STORE_OK)
		return r;
	r = rel_rows(c, st, a);
	sq_done(st);
	return r;
}

static enum store_result sr_release_get(struct store *s, store_id id,
                                        int (*fn)(void *ctx, const struct store_release *r),
                                        void *ctx)
{
	struct a_rel a = {.id = id, .whole = true, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_rel_get, &a);
}

static enum store_result sr_releases(struct store *s,
                                     int (*fn)(void *ctx, const struct store_release *r), void *ctx)
{
	struct a_rel a = {.fn = fn, .ctx = ctx};
	return sq_read(s, fn_rel_get, &a);
}

static enum store_result fn_rel_decide(struct conn *c, void *arg)
{
	struct a_rel *a = arg;
	const struct store_release_decision *d = a->d;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_rel_decide, a->id, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, d->state)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, d->decider)) != STORE_OK ||
	    (r = sq_bind_i64(st, 4, d->day)) != STORE_OK ||
	    (r = sq_bind_text(st, 5, d->reason ? d->reason : "")) != STORE_OK ||
	    (r = sq_bind(d->sealed ? sqlite3_bind_blob(st, 6, d->sealed, (int)d->sealed_len,
	                                               SQLITE_TRANSIENT)
	                           : sqlite3_bind_null(st, 6))) != STORE_OK ||
	    (r = sq_bind_i64(st, 7, d->nslots)) != STORE_OK ||
	    (r = sq_bind_i64(st, 8, d->label_version)) != STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return sq_changes(c) == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result sr_release_decide(struct store *s, store_id id,
                                           const struct store_release_decision *d)
{
	struct a_rel a = {.id = id, .d = d};
	return sq_write(s, true, fn_rel_decide, &a);
}

/* ---- copies ---- */

struct a_copy {
	store_id release, recipient, id;
	uint32_t number;
	const uint8_t *choices;
	size_t len;
	int (*fn)(void *ctx, const struct store_copy *c);
	void *ctx;
};

static enum store_result fn_copy_add(struct conn *c, void *arg)
{
	struct a_copy *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_copy_add, a->release, &st);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(st, 2, a->recipient)) != STORE_OK ||
	    (r = sq_bind_i64(st, 3, a->number)) != STORE_OK ||
	    (r = sq_bind(sqlite3_bind_blob(st, 4, a->choices, (int)a->len, SQLITE_TRANSIENT))) !=
	            STORE_OK) {
		sq_done(st);
		return r;
	}
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(sq_db(c));
	return STORE_OK;
}

static enum store_result sr_copy_insert(struct store *s, store_id release, store_id recipient,
                                        uint32_t number, const uint8_t *choices, size_t len,
                                        store_id *out)
{
	struct a_copy a = {.release = release,
	                   .recipient = recipient,
	                   .number = number,
	                   .choices = choices,
	                   .len = len};
	enum store_result r = sq_write(s, true, fn_copy_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

static enum store_result fn_copies(struct conn *c, void *arg)
{
	struct a_copy *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt_i64(c, sql_copies, a->release, &st);
	if (r != STORE_OK)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_copy o = {.id = sqlite3_column_int64(st, 0),
		                       .release = sqlite3_column_int64(st, 1),
		                       .recipient = sqlite3_column_int64(st, 2),
		                       .number = (uint32_t)sqlite3_column_int64(st, 3),
		                       .choices = sqlite3_column_blob(st, 4)};
		int n = sqlite3_column_bytes(st, 4);
		o.choices_len = n > 0 ? (size_t)n : 0;
		if (a->fn(a->ctx, &o) != 0) {
			sq_done(st);
			return STORE_STOP;
		}
	}
	sq_done(st);
	return sq_map(rc);
}

static enum store_result sr_copies(struct store *s, store_id release,
                                   int (*fn)(void *ctx, const struct store_copy *c), void *ctx)
{
	struct a_copy a = {.release = release, .fn = fn, .ctx = ctx};
	return sq_read(s, fn_copies, &a);
}

const struct store_release_ops sq_release_ops = {
        .recipient_add = sr_recipient_add,
        .recipient_get = sr_recipient_get,
        .recipient_find = sr_recipient_find,
        .recipients = sr_recipients,
        .recipient_disable = sr_recipient_disable,
        .release_insert = sr_release_insert,
        .release_get = sr_release_get,
        .releases = sr_releases,
        .release_decide = sr_release_decide,
        .copy_insert = sr_copy_insert,
        .copies = sr_copies,
};
