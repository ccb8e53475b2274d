/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_release: the release tables of the PostgreSQL backend
 * (core/store/store_release.h): recipients, releases with their recipients,
 * and copies. Only rows: what is allowed is the front's
 * (core/store/store_release.c), which also checks every cap. The tables are
 * rel_* as in the SQLite backend; ids come from identity columns (never
 * reused); names compare bytewise (COLLATE "C").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_release.h"

#include "lib/banned.h"

static const char *const release_steps[] = {
        /* 1 */
        "CREATE TABLE rel_recipient(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " name text COLLATE \"C\" NOT NULL UNIQUE, org text NOT NULL,"
        " nationality text NOT NULL, marking text NOT NULL, age text NOT NULL,"
        " disabled integer NOT NULL DEFAULT 0, day integer NOT NULL);"
        "CREATE TABLE rel_release(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " report bigint NOT NULL REFERENCES report(id), marking text NOT NULL,"
        " purpose text NOT NULL, reason text NOT NULL DEFAULT '', day integer NOT NULL,"
        " expiry_day integer NOT NULL, decided_day integer NOT NULL DEFAULT 0,"
        " proposer bigint NOT NULL, decider bigint NOT NULL DEFAULT 0,"
        " state integer NOT NULL, nslots bigint NOT NULL DEFAULT 0,"
        " label_version bigint NOT NULL DEFAULT 0, sealed bytea);"
        "CREATE TABLE rel_release_to(release bigint NOT NULL REFERENCES rel_release(id),"
        " recipient bigint NOT NULL REFERENCES rel_recipient(id),"
        " PRIMARY KEY(release, recipient));"
        "CREATE TABLE rel_copy(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " release bigint NOT NULL REFERENCES rel_release(id),"
        " recipient bigint NOT NULL REFERENCES rel_recipient(id),"
        " number bigint NOT NULL, choices bytea NOT NULL, UNIQUE(release, recipient));",
};

const struct pg_schema_part pg_part_release = {
        .name = "release",
        .steps = release_steps,
        .nsteps = (int)(sizeof(release_steps) / sizeof(release_steps[0])),
};

#define RCP_COLS "id, name, org, nationality, marking, age, disabled, day"
static const char sql_rcp_add[] = "INSERT INTO rel_recipient(name, org, nationality, marking,"
                                  " age, day) VALUES($1, $2, $3, $4, $5, $6) RETURNING id";
static const char sql_rcp_get[] = "SELECT " RCP_COLS " FROM rel_recipient WHERE id = $1";
static const char sql_rcp_find[] = "SELECT " RCP_COLS " FROM rel_recipient WHERE name = $1";
static const char sql_rcp_list[] = "SELECT " RCP_COLS " FROM rel_recipient ORDER BY name";
static const char sql_rcp_disable[] = "UPDATE rel_recipient SET disabled = 1 WHERE id = $1";

#define REL_COLS                                                                                 \
	"id, report, marking, purpose, reason, day, expiry_day, decided_day, proposer, decider," \
	" state, nslots, label_version, sealed,"                                                 \
	" (SELECT count(*) FROM rel_release_to t WHERE t.release = rel_release.id)"
static const char sql_rel_add[] = "INSERT INTO rel_release(report, marking, purpose, day,"
                                  " expiry_day, proposer, state)"
                                  " VALUES($1, $2, $3, $4, $5, $6, 1) RETURNING id";
static const char sql_rel_to[] = "INSERT INTO rel_release_to(release, recipient) VALUES($1, $2)";
static const char sql_rel_get[] = "SELECT " REL_COLS " FROM rel_release WHERE id = $1";
static const char sql_rel_list[] = "SELECT " REL_COLS " FROM rel_release ORDER BY id DESC";
static const char sql_rel_rcps[] = "SELECT recipient FROM rel_release_to WHERE release = $1"
                                   " ORDER BY recipient LIMIT $2";
static const char sql_rel_decide[] =
        "UPDATE rel_release SET state = $2, decider = $3, decided_day = $4, reason = $5,"
        " sealed = $6, nslots = $7, label_version = $8 WHERE id = $1 AND state = 1";
static const char sql_copy_add[] = "INSERT INTO rel_copy(release, recipient, number, choices)"
                                   " VALUES($1, $2, $3, $4) RETURNING id";
static const char sql_copies[] = "SELECT id, release, recipient, number, choices FROM rel_copy"
                                 " WHERE release = $1 ORDER BY number";

/* Text column i into out, cut to cap - 1 bytes (the front bounded what was stored). */
static void col_text(const PGresult *q, int row, int i, char *out, size_t cap)
{
	size_t n = PQgetisnull(q, row, i) ? 0 : (size_t)PQgetlength(q, row, i);
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, PQgetvalue(q, row, i), n);
	out[n] = '\0';
}

/* ---- recipients ---- */

static void rcp_row(const PGresult *q, int i, struct store_recipient *o)
{
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	col_text(q, i, 1, o->name, sizeof o->name);
	col_text(q, i, 2, o->org, sizeof o->org);
	col_text(q, i, 3, o->nationality, sizeof o->nationality);
	col_text(q, i, 4, o->marking, sizeof o->marking);
	col_text(q, i, 5, o->age_recipient, sizeof o->age_recipient);
	o->disabled = pg_i64(q, i, 6) != 0;
	o->day = (int32_t)pg_i64(q, i, 7);
}

static enum store_result sr_recipient_add(struct store *s, const struct store_recipient *in,
                                          store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_text(&p, in->name);
	pg_param_text(&p, in->org);
	pg_param_text(&p, in->nationality);
	pg_param_text(&p, in->marking);
	pg_param_text(&p, in->age_recipient);
	pg_param_i64(&p, in->day);
	enum store_result r = pg_returned_id(s, sql_rcp_add, &p, &id);
	if (r == STORE_OK)
		*out = id;
	return r;
}

static enum store_result rcp_one(struct store *s, const char *sql, const struct pg_params *p,
                                 struct store_recipient *out)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	if (r != STORE_OK)
		return r;
	if (PQntuples(q) == 1)
		rcp_row(q, 0, out);
	else
		r = STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

static enum store_result sr_recipient_get(struct store *s, store_id id, struct store_recipient *out)
{
	struct pg_params p = {0};
	pg_param_i64(&p, id);
	return rcp_one(s, sql_rcp_get, &p, out);
}

static enum store_result sr_recipient_find(struct store *s, const char *name,
                                           struct store_recipient *out)
{
	struct pg_params p = {0};
	pg_param_text(&p, name);
	return rcp_one(s, sql_rcp_find, &p, out);
}

static enum store_result
sr_recipients(struct store *s, int (*fn)(void *ctx, const struct store_recipient *r), void *ctx)
{
	PGresult *q;
	struct store_recipient row;
	enum store_result r = pg_exec(s, sql_rcp_list, NULL, &q);
	if (r != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		rcp_row(q, i, &row);
		if (fn(ctx, &row) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result sr_recipient_disable(struct store *s, store_id id)
{
	int64_t rows;
	enum store_result r = pg_exec_id(s, sql_rcp_disable, id, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

/* ---- releases ---- */

struct a_rel {
	const struct store_release *in;
	store_id id;
	bool whole; /* with recipients and the sealed secret */
	int (*fn)(void *ctx, const struct store_release *r);
	void *ctx;
};

static enum store_result fn_rel_add(struct store *s, void *arg)
{
	struct a_rel *a = arg;
	const struct store_release *in = a->in;
	struct pg_params p = {0};
	enum store_result r;
	pg_param_i64(&p, in->report);
	pg_param_text(&p, in->marking);
	pg_param_text(&p, in->purpose);
	pg_param_i64(&p, in->day);
	pg_param_i64(&p, in->expiry_day);
	pg_param_i64(&p, in->proposer);
	if ((r = pg_returned_id(s, sql_rel_add, &p, &a->id)) != STORE_OK)
		return r; /* no such report: STORE_NOT_FOUND */
	for (size_t i = 0; i < in->nrecipients; i++) {
		struct pg_params t = {0};
		pg_param_i64(&t, a->id);
		pg_param_i64(&t, in->recipients[i]);
		if ((r = pg_exec(s, sql_rel_to, &t, NULL)) != STORE_OK)
			return r; /* no such recipient: STORE_NOT_FOUND */
	}
	return STORE_OK;
}

static enum store_result sr_release_insert(struct store *s, const struct store_release *in,
                                           store_id *out)
{
	struct a_rel a = {.in = in};
	enum store_result r = pg_tx(s, fn_rel_add, &a);
	if (r == STORE_OK)
		*out = a.id;
	return r;
}

/* The recipients of release o->id into *v (the caller frees it). */
static enum store_result rel_rcps(struct store *s, struct store_release *o, int64_t **v)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, o->id);
	pg_param_i64(&p, STORE_RELEASE_RECIPIENTS_MAX + 1);
	if ((r = pg_exec(s, sql_rel_rcps, &p, &q)) != STORE_OK)
		return r;
	int n = PQntuples(q);
	if (n > STORE_RELEASE_RECIPIENTS_MAX) {
		PQclear(q);
		return STORE_CORRUPT;
	}
	if ((*v = malloc((n > 0 ? (size_t)n : 1) * sizeof **v)) == NULL) {
		PQclear(q);
		return STORE_NOMEM;
	}
	for (int i = 0; i < n; i++)
		(*v)[i] = pg_i64(q, i, 0);
	PQclear(q);
	o->recipients = *v;
	o->nrecipients = (size_t)n;
	return STORE_OK;
}

static enum store_result fn_rel_get(struct store *s, void *arg)
{
	struct a_rel *a = arg;
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	if (a->whole)
		pg_param_i64(&p, a->id);
	if ((r = pg_exec(s, a->whole ? sql_rel_get : sql_rel_list, a->whole ? &p : NULL, &q)) !=
	    STORE_OK)
		return r;
	int n = PQntuples(q);
	if (a->whole && n == 0)
		r = STORE_NOT_FOUND;
	for (int i = 0; i < n && r == STORE_OK; i++) {
		struct store_release o;
		int64_t *v = NULL;
		memset(&o, 0, sizeof o);
		o.id = pg_i64(q, i, 0);
		o.report = pg_i64(q, i, 1);
		col_text(q, i, 2, o.marking, sizeof o.marking);
		col_text(q, i, 3, o.purpose, sizeof o.purpose);
		col_text(q, i, 4, o.reason, sizeof o.reason);
		o.day = (int32_t)pg_i64(q, i, 5);
		o.expiry_day = (int32_t)pg_i64(q, i, 6);
		o.decided_day = (int32_t)pg_i64(q, i, 7);
		o.proposer = pg_i64(q, i, 8);
		o.decider = pg_i64(q, i, 9);
		o.state = (int)pg_i64(q, i, 10);
		o.nslots = (uint32_t)pg_i64(q, i, 11);
		o.label_version = (uint32_t)pg_i64(q, i, 12);
		int64_t nr = pg_i64(q, i, 14);
		if (nr < 0 || nr > STORE_RELEASE_RECIPIENTS_MAX) {
			r = STORE_CORRUPT;
			break;
		}
		o.nrecipients = (size_t)nr;
		if (a->whole) {
			o.sealed = PQgetisnull(q, i, 13) ? NULL
			                                 : (const uint8_t *)PQgetvalue(q, i, 13);
			o.sealed_len = o.sealed ? (size_t)PQgetlength(q, i, 13) : 0;
			if ((r = rel_rcps(s, &o, &v)) != STORE_OK) {
				free(v);
				break;
			}
		}
		if (a->fn(a->ctx, &o) != 0)
			r = STORE_STOP;
		free(v);
	}
	PQclear(q);
	return r;
}

static enum store_result sr_release_get(struct store *s, store_id id,
                                        int (*fn)(void *ctx, const struct store_release *r),
                                        void *ctx)
{
	struct a_rel a = {.id = id, .whole = true, .fn = fn, .ctx = ctx};
	return pg_read(s, fn_rel_get, &a);
}

static enum store_result sr_releases(struct store *s,
                                     int (*fn)(void *ctx, const struct store_release *r), void *ctx)
{
	struct a_rel a = {.fn = fn, .ctx = ctx};
	return pg_read(s, fn_rel_get, &a);
}

static enum store_result sr_release_decide(struct store *s, store_id id,
                                           const struct store_release_decision *d)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, id);
	pg_param_i64(&p, d->state);
	pg_param_i64(&p, d->decider);
	pg_param_i64(&p, d->day);
	pg_param_text(&p, d->reason ? d->reason : "");
	pg_param_blob(&p, d->sealed, d->sealed ? d->sealed_len : 0, true);
	pg_param_i64(&p, d->nslots);
	pg_param_i64(&p, d->label_version);
	enum store_result r = pg_exec_n(s, sql_rel_decide, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

/* ---- copies ---- */

static enum store_result sr_copy_insert(struct store *s, store_id release, store_id recipient,
                                        uint32_t number, const uint8_t *choices, size_t len,
                                        store_id *out)
{
	struct pg_params p = {0};
	store_id id;
	pg_param_i64(&p, release);
	pg_param_i64(&p, recipient);
	pg_param_i64(&p, number);
	pg_param_blob(&p, choices, len, false); /* <= STORE_RELEASE_SEALED_MAX (the front) */
	enum store_result r = pg_returned_id(s, sql_copy_add, &p, &id);
	if (r == STORE_OK)
		*out = id;
	return r;
}

static enum store_result sr_copies(struct store *s, store_id release,
                                   int (*fn)(void *ctx, const struct store_copy *c), void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, release);
	if ((r = pg_exec(s, sql_copies, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_copy o = {.id = pg_i64(q, i, 0),
		                       .release = pg_i64(q, i, 1),
		                       .recipient = pg_i64(q, i, 2),
		                       .number = (uint32_t)pg_i64(q, i, 3),
		                       .choices = (const uint8_t *)PQgetvalue(q, i, 4),
		                       .choices_len = (size_t)PQgetlength(q, i, 4)};
		if (fn(ctx, &o) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

const struct store_release_ops pg_release_ops = {
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
