/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_officer: the officer and label-key tables of the PostgreSQL
 * backend (core/store/store_officer.h). Names compare bytewise (COLLATE "C");
 * the wraps to the offline recovery key (STORE_RECOVERY_OFFICER) live apart,
 * in label_recovery, as no officer row stands for it.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_officer.h"

#include "lib/banned.h"

static const char *const officer_steps[] = {
        /* 1 */
        "CREATE TABLE officer(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " name text COLLATE \"C\" NOT NULL UNIQUE, roles bigint NOT NULL,"
        " clearance text NOT NULL, nationality text NOT NULL,"
        " disabled integer NOT NULL DEFAULT 0, created_day integer NOT NULL,"
        " last_login_day integer NOT NULL DEFAULT 0, failures bigint NOT NULL DEFAULT 0,"
        " last_failure bigint NOT NULL DEFAULT 0, totp_last_step bigint NOT NULL DEFAULT 0,"
        " version bigint NOT NULL DEFAULT 0, salt bytea, opslimit bigint NOT NULL DEFAULT 0,"
        " memlimit bigint NOT NULL DEFAULT 0, verifier bytea, pk bytea, wrapped_sk bytea,"
        " wrapped_totp bytea);"
        "CREATE TABLE label(name text COLLATE \"C\" NOT NULL, version bigint NOT NULL,"
        " pk bytea NOT NULL, PRIMARY KEY(name, version));"
        "CREATE TABLE label_wrap(name text COLLATE \"C\" NOT NULL, version bigint NOT NULL,"
        " officer_id bigint NOT NULL REFERENCES officer(id) ON DELETE CASCADE,"
        " wrap bytea NOT NULL, PRIMARY KEY(officer_id, name, version),"
        " FOREIGN KEY(name, version) REFERENCES label(name, version));"
        "CREATE INDEX label_wrap_version ON label_wrap(name, version);"
        "CREATE TABLE label_recovery(name text COLLATE \"C\" NOT NULL, version bigint NOT NULL,"
        " wrap bytea NOT NULL, PRIMARY KEY(name, version),"
        " FOREIGN KEY(name, version) REFERENCES label(name, version));",
};

const struct pg_schema_part pg_part_officer = {
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
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
static const char sql_get[] = "SELECT " COLS " FROM officer WHERE id = $1";
static const char sql_find[] = "SELECT " COLS " FROM officer WHERE name = $1";
static const char sql_list[] = "SELECT " COLS " FROM officer ORDER BY name";
static const char sql_delete[] = "DELETE FROM officer WHERE id = $1";
static const char sql_set_roles[] = "UPDATE officer SET roles = $2 WHERE id = $1";
static const char sql_set_disabled[] = "UPDATE officer SET disabled = $2 WHERE id = $1";
static const char sql_set_clearance[] = "UPDATE officer SET clearance = $2 WHERE id = $1";
static const char sql_keys_set[] =
        "UPDATE officer SET version = $2, salt = $3, opslimit = $4, memlimit = $5,"
        " verifier = $6, pk = $7, wrapped_sk = $8, wrapped_totp = $9, failures = 0,"
        " last_failure = 0, totp_last_step = 0 WHERE id = $1 AND version = $10";
static const char sql_totp_set[] = "UPDATE officer SET wrapped_totp = $3, totp_last_step = $4"
                                   " WHERE id = $1 AND version = $2 AND wrapped_totp IS NULL";
static const char sql_login_ok[] =
        "UPDATE officer SET totp_last_step = $2, last_login_day = $3, failures = 0,"
        " last_failure = 0 WHERE id = $1 AND totp_last_step < $2";
static const char sql_login_failed[] =
        "UPDATE officer SET failures = least(failures + 1, 1000000), last_failure = $2"
        " WHERE id = $1";
static const char sql_label_current[] =
        "SELECT version, pk FROM label WHERE name = $1 ORDER BY version DESC LIMIT 1";
static const char sql_label_holders[] =
        "SELECT count(*) FROM label_wrap a JOIN label_wrap b ON b.officer_id = a.officer_id"
        " JOIN officer o ON o.id = a.officer_id"
        " WHERE a.name = $1 AND a.version = $2 AND b.name = $3 AND b.version = $4"
        " AND o.disabled = 0";
static const char sql_label_insert[] = "INSERT INTO label(name, version, pk) VALUES($1, $2, $3)";
static const char sql_wrap_put[] =
        "INSERT INTO label_wrap(name, version, officer_id, wrap) VALUES($1, $2, $3, $4)"
        " ON CONFLICT(officer_id, name, version) DO UPDATE SET wrap = excluded.wrap";
static const char sql_wraps[] = "SELECT name, version, wrap FROM label_wrap WHERE officer_id = $1"
                                " ORDER BY name, version";
static const char sql_revoke[] = "DELETE FROM label_wrap WHERE name = $1 AND officer_id = $2";
static const char sql_revoke_all[] = "DELETE FROM label_wrap WHERE officer_id = $1";
static const char sql_rec_put[] = "INSERT INTO label_recovery(name, version, wrap)"
                                  " VALUES($1, $2, $3)"
                                  " ON CONFLICT(name, version) DO UPDATE SET wrap = excluded.wrap";
static const char sql_rec_list[] = "SELECT name, version, wrap FROM label_recovery"
                                   " ORDER BY name, version";
static const char sql_rec_revoke[] = "DELETE FROM label_recovery WHERE name = $1";
static const char sql_rec_delete_all[] = "DELETE FROM label_recovery";

/* ---- officers ---- */

static enum store_result row_read(const PGresult *q, int i, struct store_officer *o)
{
	enum store_result r;
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	if ((r = pg_text(q, i, 1, o->name, sizeof o->name)) != STORE_OK ||
	    (r = pg_text(q, i, 3, o->clearance, sizeof o->clearance)) != STORE_OK ||
	    (r = pg_text(q, i, 4, o->nationality, sizeof o->nationality)) != STORE_OK)
		return r;
	int64_t roles = pg_i64(q, i, 2);
	if (roles < 0 || roles > 0xffff)
		return STORE_CORRUPT;
	o->roles = (unsigned)roles;
	o->disabled = pg_i64(q, i, 5) != 0;
	o->created_day = (int32_t)pg_i64(q, i, 6);
	o->last_login_day = (int32_t)pg_i64(q, i, 7);
	o->failures = pg_i64(q, i, 8);
	o->last_failure = pg_i64(q, i, 9);
	o->totp_last_step = pg_i64(q, i, 10);
	int64_t v = pg_i64(q, i, 11), ops = pg_i64(q, i, 13), mem = pg_i64(q, i, 14);
	if (v < 0 || v > UINT32_MAX || ops < 0 || mem < 0)
		return STORE_CORRUPT;
	o->version = (uint32_t)v;
	o->opslimit = (uint64_t)ops;
	o->memlimit = (uint64_t)mem;
	if ((r = pg_bytes(q, i, 12, o->salt, sizeof o->salt, NULL, true)) != STORE_OK ||
	    (r = pg_bytes(q, i, 15, o->verifier, sizeof o->verifier, NULL, true)) != STORE_OK ||
	    (r = pg_bytes(q, i, 16, o->pk, sizeof o->pk, NULL, true)) != STORE_OK ||
	    (r = pg_bytes(q, i, 17, o->wrapped_sk, sizeof o->wrapped_sk, &o->wrapped_sk_len,
	                  false)) != STORE_OK ||
	    (r = pg_bytes(q, i, 18, o->wrapped_totp, sizeof o->wrapped_totp, &o->wrapped_totp_len,
	                  false)) != STORE_OK)
		return r;
	return STORE_OK;
}

static enum store_result of_insert(struct store *s, const struct store_officer *o, store_id *out)
{
	struct pg_params p = {0};
	bool keys = o->wrapped_sk_len > 0;
	store_id id;
	pg_param_text(&p, o->name);
	pg_param_i64(&p, o->roles);
	pg_param_text(&p, o->clearance);
	pg_param_text(&p, o->nationality);
	pg_param_i64(&p, o->disabled ? 1 : 0);
	pg_param_i64(&p, o->created_day);
	pg_param_i64(&p, o->version);
	pg_param_blob(&p, o->salt, keys ? sizeof o->salt : 0, true);
	pg_param_i64(&p, (int64_t)o->opslimit);
	pg_param_i64(&p, (int64_t)o->memlimit);
	pg_param_blob(&p, o->verifier, keys ? sizeof o->verifier : 0, true);
	pg_param_blob(&p, o->pk, keys ? sizeof o->pk : 0, true);
	pg_param_blob(&p, o->wrapped_sk, o->wrapped_sk_len, true);
	pg_param_blob(&p, o->wrapped_totp, o->wrapped_totp_len, true);
	enum store_result r = pg_returned_id(s, sql_insert, &p, &id);
	if (r == STORE_OK && out)
		*out = id;
	return r;
}

/* One officer (fn NULL: STORE_NOT_FOUND if none), or every row to fn. */
static enum store_result officers(struct store *s, const char *sql, const struct pg_params *p,
                                  struct store_officer *out,
                                  int (*fn)(void *ctx, const struct store_officer *o), void *ctx)
{
	PGresult *q;
	enum store_result r = pg_exec(s, sql, p, &q);
	if (r != STORE_OK)
		return r;
	int n = PQntuples(q);
	if (fn == NULL && n == 0)
		r = STORE_NOT_FOUND;
	for (int i = 0; i < n && r == STORE_OK; i++) {
		if ((r = row_read(q, i, out)) != STORE_OK || fn == NULL)
			break;
		if (fn(ctx, out) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result of_get(struct store *s, store_id id, struct store_officer *out)
{
	struct pg_params p = {0};
	pg_param_i64(&p, id);
	return officers(s, sql_get, &p, out, NULL, NULL);
}

static enum store_result of_find(struct store *s, const char *name, struct store_officer *out)
{
	struct pg_params p = {0};
	pg_param_text(&p, name);
	return officers(s, sql_find, &p, out, NULL, NULL);
}

static enum store_result of_list(struct store *s,
                                 int (*fn)(void *ctx, const struct store_officer *o), void *ctx)
{
	struct store_officer row;
	return officers(s, sql_list, NULL, &row, fn, ctx);
}

/* An UPDATE or DELETE of id ($1) with up to two more integers; STORE_NOT_FOUND if no row. */
static enum store_result upd(struct store *s, const char *sql, store_id id, int n, int64_t v2,
                             int64_t v3)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, id);
	if (n >= 2)
		pg_param_i64(&p, v2);
	if (n >= 3)
		pg_param_i64(&p, v3);
	enum store_result r = pg_exec_n(s, sql, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result of_delete(struct store *s, store_id id)
{
	return upd(s, sql_delete, id, 1, 0, 0); /* its wraps go with it (ON DELETE CASCADE) */
}

static enum store_result of_set_roles(struct store *s, store_id id, unsigned roles)
{
	return upd(s, sql_set_roles, id, 2, roles, 0);
}

static enum store_result of_set_disabled(struct store *s, store_id id, int disabled)
{
	return upd(s, sql_set_disabled, id, 2, disabled ? 1 : 0, 0);
}

static enum store_result of_login_ok(struct store *s, store_id id, int64_t step, int32_t day)
{
	enum store_result r = upd(s, sql_login_ok, id, 3, step, day);
	return r == STORE_NOT_FOUND ? STORE_EXISTS : r;
}

static enum store_result of_login_failed(struct store *s, store_id id, int64_t now)
{
	return upd(s, sql_login_failed, id, 2, now, 0);
}

static enum store_result of_set_clearance(struct store *s, store_id id, const char *clearance)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, id);
	pg_param_text(&p, clearance);
	enum store_result r = pg_exec_n(s, sql_set_clearance, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result of_keys_set(struct store *s, const struct store_officer *o,
                                     uint32_t expect_version)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, o->id);
	pg_param_i64(&p, o->version);
	pg_param_blob(&p, o->salt, sizeof o->salt, true);
	pg_param_i64(&p, (int64_t)o->opslimit);
	pg_param_i64(&p, (int64_t)o->memlimit);
	pg_param_blob(&p, o->verifier, sizeof o->verifier, true);
	pg_param_blob(&p, o->pk, sizeof o->pk, true);
	pg_param_blob(&p, o->wrapped_sk, o->wrapped_sk_len, true);
	pg_param_blob(&p, o->wrapped_totp, o->wrapped_totp_len, true);
	pg_param_i64(&p, expect_version);
	enum store_result r = pg_exec_n(s, sql_keys_set, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_EXISTS : STORE_OK;
}

static enum store_result of_totp_set(struct store *s, store_id id, uint32_t version,
                                     const uint8_t *wrap, size_t n, int64_t step)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, id);
	pg_param_i64(&p, version);
	pg_param_blob(&p, wrap, n, true);
	pg_param_i64(&p, step);
	enum store_result r = pg_exec_n(s, sql_totp_set, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_EXISTS : STORE_OK;
}

/* ---- labels ---- */

static enum store_result label_current(struct store *s, const char *name, uint32_t *version,
                                       uint8_t pk[STORE_PK_LEN])
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_text(&p, name);
	if ((r = pg_exec(s, sql_label_current, &p, &q)) != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		r = STORE_NOT_FOUND;
	} else {
		int64_t v = pg_i64(q, 0, 0);
		if (v <= 0 || v > UINT32_MAX)
			r = STORE_CORRUPT;
		else if ((r = pg_bytes(q, 0, 1, pk, STORE_PK_LEN, NULL, true)) == STORE_OK)
			*version = (uint32_t)v;
	}
	PQclear(q);
	return r;
}

static enum store_result of_label_current(struct store *s, const char *name, uint32_t *version,
                                          uint8_t pk[STORE_PK_LEN])
{
	return label_current(s, name, version, pk);
}

struct a_joint {
	const char *name[2];
	struct store_label_joint *out;
};

static enum store_result fn_label_joint(struct store *s, void *arg)
{
	struct a_joint *j = arg;
	enum store_result r;
	for (int i = 0; i < 2; i++)
		if ((r = label_current(s, j->name[i], &j->out->version[i], j->out->pk[i])) !=
		            STORE_OK &&
		    r != STORE_NOT_FOUND)
			return r;
	if (j->out->version[0] == 0 || j->out->version[1] == 0)
		return STORE_OK;
	struct pg_params p = {0};
	PGresult *q;
	pg_param_text(&p, j->name[0]);
	pg_param_i64(&p, j->out->version[0]);
	pg_param_text(&p, j->name[1]);
	pg_param_i64(&p, j->out->version[1]);
	if ((r = pg_exec(s, sql_label_holders, &p, &q)) != STORE_OK)
		return r;
	j->out->holders = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return STORE_OK;
}

static enum store_result of_label_joint(struct store *s, const char *a, const char *b,
                                        struct store_label_joint *out)
{
	memset(out, 0, sizeof *out);
	struct a_joint j = {.name = {a, b}, .out = out};
	return pg_read(s, fn_label_joint, &j);
}

static enum store_result wrap_put(struct store *s, const char *name, uint32_t version,
                                  const struct store_label_wrap *w)
{
	struct pg_params p = {0};
	bool rec = w->officer == STORE_RECOVERY_OFFICER;
	pg_param_text(&p, name);
	pg_param_i64(&p, version);
	if (!rec)
		pg_param_i64(&p, w->officer);
	pg_param_blob(&p, w->wrap, w->len, false);
	return pg_exec(s, rec ? sql_rec_put : sql_wrap_put, &p, NULL);
}

struct a_label {
	const char *name;
	uint32_t version;
	const uint8_t *pk;
	const struct store_label_wrap *wraps;
	size_t n;
};

static enum store_result fn_label_add(struct store *s, void *arg)
{
	struct a_label *a = arg;
	struct pg_params p = {0};
	enum store_result r;
	pg_param_text(&p, a->name);
	pg_param_i64(&p, a->version);
	pg_param_blob(&p, a->pk, STORE_PK_LEN, false);
	if ((r = pg_exec(s, sql_label_insert, &p, NULL)) != STORE_OK)
		return r;
	for (size_t i = 0; i < a->n; i++)
		if ((r = wrap_put(s, a->name, a->version, &a->wraps[i])) != STORE_OK)
			return r;
	return STORE_OK;
}

static enum store_result of_label_add(struct store *s, const char *name, uint32_t version,
                                      const uint8_t pk[STORE_PK_LEN],
                                      const struct store_label_wrap *wraps, size_t n)
{
	struct a_label a = {.name = name, .version = version, .pk = pk, .wraps = wraps, .n = n};
	return pg_tx(s, fn_label_add, &a);
}

static enum store_result of_label_wrap_put(struct store *s, const char *name, uint32_t version,
                                           const struct store_label_wrap *w)
{
	return wrap_put(s, name, version, w);
}

static enum store_result of_label_wraps(struct store *s, store_id officer,
                                        int (*fn)(void *ctx, const char *name, uint32_t version,
                                                  const uint8_t *wrap, size_t n),
                                        void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	bool rec = officer == STORE_RECOVERY_OFFICER;
	if (!rec)
		pg_param_i64(&p, officer);
	if ((r = pg_exec(s, rec ? sql_rec_list : sql_wraps, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		int64_t v = pg_i64(q, i, 1);
		int n = PQgetlength(q, i, 2);
		if (PQgetisnull(q, i, 0) || v <= 0 || v > UINT32_MAX || n <= 0)
			r = STORE_CORRUPT;
		else if (fn(ctx, PQgetvalue(q, i, 0), (uint32_t)v,
		            (const uint8_t *)PQgetvalue(q, i, 2), (size_t)n) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result of_label_revoke(struct store *s, const char *name, store_id officer)
{
	struct pg_params p = {0};
	bool rec = officer == STORE_RECOVERY_OFFICER;
	if (name != NULL)
		pg_param_text(&p, name);
	if (!rec)
		pg_param_i64(&p, officer);
	const char *sql = name == NULL ? (rec ? sql_rec_delete_all : sql_revoke_all)
	                               : (rec ? sql_rec_revoke : sql_revoke);
	return pg_exec(s, sql, p.n > 0 ? &p : NULL, NULL);
}

const struct store_officer_ops pg_officer_ops = {
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
