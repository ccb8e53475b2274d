/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_session: the doors' sessions in the PostgreSQL backend
 * (core/store/store_session.h), shared by every node of the database. An
 * add takes the kind's advisory lock inside its transaction, so the bound
 * holds across nodes. Adds and puts commit without waiting for the WAL
 * (synchronous_commit off: a session lost in a crash is a login again);
 * deletes are durable.
 */
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_session.h"

#include "lib/banned.h"

/* The lock that makes count-then-insert of one kind atomic across nodes (a value of ours). */
#define PG_SESSION_LOCK "7306318716131400"

static const char *const session_steps[] = {
        /* 1 */
        "CREATE TABLE session(kind integer NOT NULL, id bytea NOT NULL,"
        " owner bigint NOT NULL, expires bigint NOT NULL, version bigint NOT NULL,"
        " data bytea NOT NULL, PRIMARY KEY(kind, id));"
        "CREATE INDEX session_owner ON session(kind, owner);"
        "CREATE INDEX session_expires ON session(kind, expires);",
};

const struct pg_schema_part pg_part_session = {
        .name = "session",
        .steps = session_steps,
        .nsteps = (int)(sizeof(session_steps) / sizeof(session_steps[0])),
};

struct a_sess {
	const struct store_session *in;
	int64_t now, max;
};

static enum store_result add_fn(struct store *s, void *arg)
{
	struct a_sess *a = arg;
	const struct store_session *in = a->in;
	struct pg_params p = {0};
	PGresult *q = NULL;
	int64_t n = 0;
	enum store_result r;
	pg_param_i64(&p, in->kind);
	if ((r = pg_exec(s, "SELECT pg_advisory_xact_lock(" PG_SESSION_LOCK " + $1)", &p, NULL)) !=
	    STORE_OK)
		return r;
	pg_param_i64(&p, a->now);
	if ((r = pg_exec_n(s, "DELETE FROM session WHERE kind = $1 AND expires < $2", &p, &n)) !=
	    STORE_OK)
		return r;
	p.n = 1;
	if ((r = pg_exec(s, "SELECT count(*) FROM session WHERE kind = $1", &p, &q)) != STORE_OK)
		return r;
	n = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	if (n >= a->max)
		return STORE_FULL;
	pg_param_bytes(&p, in->id, STORE_SESSION_ID_LEN);
	pg_param_i64(&p, in->owner);
	pg_param_i64(&p, in->expires);
	pg_param_bytes(&p, in->data, in->len);
	return pg_exec(s,
	               "INSERT INTO session(kind, id, owner, expires, version, data)"
	               " VALUES ($1, $2, $3, $4, 1, $5)",
	               &p, NULL);
}

static enum store_result ps_add(struct store *s, const struct store_session *in, int64_t now,
                                int64_t max)
{
	struct a_sess a = {.in = in, .now = now, .max = max};
	return pg_tx_lazy(s, add_fn, &a);
}

static enum store_result ps_delete(struct store *s, int32_t kind, const uint8_t id[32])
{
	struct pg_params p = {0};
	int64_t n = 0;
	pg_param_i64(&p, kind);
	pg_param_bytes(&p, id, STORE_SESSION_ID_LEN);
	enum store_result r =
	        pg_exec_n(s, "DELETE FROM session WHERE kind = $1 AND id = $2", &p, &n);
	return r != STORE_OK ? r : n == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_result ps_get(struct store *s, int32_t kind, const uint8_t id[32], int64_t now,
                                struct store_session *out)
{
	struct pg_params p = {0};
	PGresult *q = NULL;
	pg_param_i64(&p, kind);
	pg_param_bytes(&p, id, STORE_SESSION_ID_LEN);
	enum store_result r = pg_exec(s,
	                              "SELECT owner, expires, version, data FROM session"
	                              " WHERE kind = $1 AND id = $2",
	                              &p, &q);
	if (r != STORE_OK)
		return r;
	if (PQntuples(q) != 1) {
		PQclear(q);
		return STORE_NOT_FOUND;
	}
	out->kind = kind;
	memcpy(out->id, id, STORE_SESSION_ID_LEN);
	out->owner = pg_i64(q, 0, 0);
	out->expires = pg_i64(q, 0, 1);
	out->version = pg_i64(q, 0, 2);
	r = pg_bytes(q, 0, 3, out->data, sizeof out->data, &out->len, false);
	PQclear(q);
	if (r == STORE_OK && out->len == 0)
		r = STORE_CORRUPT;
	if (r != STORE_OK)
		return r;
	if (out->expires < now) {
		(void)ps_delete(s, kind, id);
		return STORE_NOT_FOUND;
	}
	return STORE_OK;
}

static enum store_result put_fn(struct store *s, void *arg)
{
	const struct store_session *in = ((struct a_sess *)arg)->in;
	struct pg_params p = {0};
	int64_t n = 0;
	pg_param_i64(&p, in->kind);
	pg_param_bytes(&p, in->id, STORE_SESSION_ID_LEN);
	pg_param_i64(&p, in->expires);
	pg_param_bytes(&p, in->data, in->len);
	pg_param_i64(&p, in->version);
	enum store_result r = pg_exec_n(s,
	                                "UPDATE session SET expires = $3, data = $4,"
	                                " version = version + 1"
	                                " WHERE kind = $1 AND id = $2 AND version = $5",
	                                &p, &n);
	if (r != STORE_OK || n == 1)
		return r;
	p.n = 2;
	if ((r = pg_exec_n(s, "SELECT 1 FROM session WHERE kind = $1 AND id = $2", &p, &n)) !=
	    STORE_OK)
		return r;
	return n == 1 ? STORE_EXISTS : STORE_NOT_FOUND;
}

static enum store_result ps_put(struct store *s, const struct store_session *in)
{
	struct a_sess a = {.in = in};
	return pg_tx_lazy(s, put_fn, &a);
}

static enum store_result ps_delete_owner(struct store *s, int32_t kind, store_id owner, int64_t *n)
{
	struct pg_params p = {0};
	pg_param_i64(&p, kind);
	pg_param_i64(&p, owner);
	return pg_exec_n(s, "DELETE FROM session WHERE kind = $1 AND owner = $2", &p, n);
}

static enum store_result ps_count(struct store *s, int32_t kind, int64_t now, int64_t *n)
{
	struct pg_params p = {0};
	PGresult *q = NULL;
	int64_t k = 0;
	pg_param_i64(&p, kind);
	pg_param_i64(&p, now);
	enum store_result r =
	        pg_exec_n(s, "DELETE FROM session WHERE kind = $1 AND expires < $2", &p, &k);
	if (r != STORE_OK)
		return r;
	p.n = 1;
	if ((r = pg_exec(s, "SELECT count(*) FROM session WHERE kind = $1", &p, &q)) != STORE_OK)
		return r;
	*n = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return STORE_OK;
}

const struct store_session_ops pg_session_ops = {
        .session_add = ps_add,
        .session_get = ps_get,
        .session_put = ps_put,
        .session_delete = ps_delete,
        .session_delete_owner = ps_delete_owner,
        .session_count = ps_count,
};
