/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_witness: the witnessing tables of the PostgreSQL backend
 * (core/store/store_witness.h): the logs witnessed with the latest checkpoint
 * cosigned, the split views caught, and the cosignatures collected for our
 * own checkpoints. Only rows: the rules are core/witness/'s. The tables are
 * wit_* as in the SQLite backend; ids come from identity columns (never
 * reused); origins and witness names compare bytewise (COLLATE "C").
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_witness.h"

#include "lib/banned.h"

static const char *const witness_steps[] = {
        /* 1 */
        "CREATE TABLE wit_log(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " origin text COLLATE \"C\" NOT NULL UNIQUE, vkey text NOT NULL,"
        " size bigint NOT NULL DEFAULT 0, root bytea, day integer NOT NULL,"
        " note text NOT NULL DEFAULT '');"
        "CREATE TABLE wit_conflict(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " log bigint NOT NULL REFERENCES wit_log(id), size bigint NOT NULL,"
        " day integer NOT NULL, held text NOT NULL, offered text NOT NULL);"
        "CREATE TABLE wit_cosig(size bigint NOT NULL, witness text COLLATE \"C\" NOT NULL,"
        " line text NOT NULL, PRIMARY KEY(size, witness));",
};

const struct pg_schema_part pg_part_witness = {
        .name = "witness",
        .steps = witness_steps,
        .nsteps = (int)(sizeof(witness_steps) / sizeof(witness_steps[0])),
};

#define LOG_COLS "id, origin, vkey, size, root, day, note"
static const char sql_l_add[] =
        "INSERT INTO wit_log(origin, vkey, day) VALUES($1, $2, $3) RETURNING id";
static const char sql_l_get[] = "SELECT " LOG_COLS " FROM wit_log WHERE origin = $1";
static const char sql_l_list[] = "SELECT " LOG_COLS " FROM wit_log ORDER BY origin";
/* One statement: whether it moved now, and whether the log was there before. */
static const char sql_l_advance[] =
        "WITH u AS (UPDATE wit_log SET size = $3, root = $4, note = $5, day = $6"
        " WHERE id = $1 AND size = $2 RETURNING 1)"
        " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM wit_log WHERE id = $1)";
static const char sql_c_add[] = "INSERT INTO wit_conflict(log, size, day, held, offered)"
                                " VALUES($1, $2, $3, $4, $5) RETURNING id";
static const char sql_c_list[] = "SELECT id, log, size, day, held, offered FROM wit_conflict"
                                 " ORDER BY id";
static const char sql_s_add[] = "INSERT INTO wit_cosig(size, witness, line) VALUES($1, $2, $3)";
static const char sql_s_list[] = "SELECT witness, line FROM wit_cosig WHERE size = $1"
                                 " ORDER BY witness";

struct a_w {
	struct store_witness_log *out;
	int (*log_fn)(void *ctx, const struct store_witness_log *l);
	int (*conflict_fn)(void *ctx, const struct store_witness_conflict *c);
	int (*cosig_fn)(void *ctx, const char *witness, const char *line);
	void *ctx;
};

static enum store_result each_log(const PGresult *q, int i, void *ctx)
{
	struct a_w *a = ctx;
	struct store_witness_log row, *o = a->out ? a->out : &row;
	enum store_result r;
	memset(o, 0, sizeof *o);
	o->id = pg_i64(q, i, 0);
	o->size = (uint64_t)pg_i64(q, i, 3);
	o->day = (int32_t)pg_i64(q, i, 5);
	if ((r = pg_text(q, i, 1, o->origin, sizeof o->origin)) != STORE_OK ||
	    (r = pg_text(q, i, 2, o->vkey, sizeof o->vkey)) != STORE_OK ||
	    (r = pg_bytes(q, i, 4, o->root, sizeof o->root, NULL, true)) != STORE_OK ||
	    (r = pg_text(q, i, 6, o->note, sizeof o->note)) != STORE_OK)
		return r;
	return a->log_fn != NULL && a->log_fn(a->ctx, o) != 0 ? STORE_STOP : STORE_OK;
}

static enum store_result pw_log_add(struct store *s, const char *origin, const char *vkey,
                                    int32_t day, store_id *id)
{
	struct pg_params p = {0};
	pg_param_text(&p, origin);
	pg_param_text(&p, vkey);
	pg_param_i64(&p, day);
	return pg_returned_id(s, sql_l_add, &p, id); /* a known origin: STORE_EXISTS */
}

static enum store_result pw_log_get(struct store *s, const char *origin,
                                    struct store_witness_log *out)
{
	struct pg_params p = {0};
	struct a_w a = {.out = out};
	pg_param_text(&p, origin);
	return pg_rows(s, sql_l_get, &p, true, false, each_log, &a);
}

static enum store_result pw_logs(struct store *s,
                                 int (*fn)(void *ctx, const struct store_witness_log *l), void *ctx)
{
	struct a_w a = {.log_fn = fn, .ctx = ctx};
	return pg_rows(s, sql_l_list, NULL, false, false, each_log, &a);
}

static enum store_result pw_log_advance(struct store *s, store_id log, uint64_t old_size,
                                        uint64_t size, const uint8_t root[STORE_WITNESS_HASH_LEN],
                                        const char *note, int32_t day)
{
	struct pg_params p = {0};
	PGresult *q;
	pg_param_i64(&p, log);
	pg_param_i64(&p, (int64_t)old_size); /* <= INT64_MAX: the front */
	pg_param_i64(&p, (int64_t)size);
	pg_param_bytes(&p, root, STORE_WITNESS_HASH_LEN);
	pg_param_text(&p, note);
	pg_param_i64(&p, day);
	enum store_result r = pg_exec(s, sql_l_advance, &p, &q);
	if (r != STORE_OK)
		return r;
	r = PQntuples(q) != 1      ? STORE_CORRUPT
	    : pg_i64(q, 0, 0) == 1 ? STORE_OK
	    : pg_i64(q, 0, 1) == 1 ? STORE_EXISTS /* its size moved */
	                           : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

static enum store_result pw_conflict_add(struct store *s, const struct store_witness_conflict *c,
                                         store_id *id)
{
	struct pg_params p = {0};
	pg_param_i64(&p, c->log);
	pg_param_i64(&p, (int64_t)c->size);
	pg_param_i64(&p, c->day);
	pg_param_text(&p, c->held);
	pg_param_text(&p, c->offered);
	return pg_returned_id(s, sql_c_add, &p, id); /* no such log: STORE_NOT_FOUND */
}

static enum store_result each_conflict(const PGresult *q, int i, void *ctx)
{
	struct a_w *a = ctx;
	struct store_witness_conflict o;
	enum store_result r;
	memset(&o, 0, sizeof o);
	o.id = pg_i64(q, i, 0);
	o.log = pg_i64(q, i, 1);
	o.size = (uint64_t)pg_i64(q, i, 2);
	o.day = (int32_t)pg_i64(q, i, 3);
	if ((r = pg_text(q, i, 4, o.held, sizeof o.held)) != STORE_OK ||
	    (r = pg_text(q, i, 5, o.offered, sizeof o.offered)) != STORE_OK)
		return r;
	return a->conflict_fn(a->ctx, &o) != 0 ? STORE_STOP : STORE_OK;
}

static enum store_result pw_conflicts(struct store *s,
                                      int (*fn)(void *ctx, const struct store_witness_conflict *c),
                                      void *ctx)
{
	struct a_w a = {.conflict_fn = fn, .ctx = ctx};
	return pg_rows(s, sql_c_list, NULL, false, false, each_conflict, &a);
}

static enum store_result pw_cosig_add(struct store *s, uint64_t size, const char *witness,
                                      const char *line)
{
	struct pg_params p = {0};
	pg_param_i64(&p, (int64_t)size);
	pg_param_text(&p, witness);
	pg_param_text(&p, line);
	return pg_exec(s, sql_s_add, &p, NULL); /* that witness's again: STORE_EXISTS */
}

static enum store_result each_cosig(const PGresult *q, int i, void *ctx)
{
	struct a_w *a = ctx;
	char witness[STORE_WITNESS_ORIGIN_MAX + 1], line[STORE_WITNESS_LINE_MAX + 1];
	enum store_result r;
	if ((r = pg_text(q, i, 0, witness, sizeof witness)) != STORE_OK ||
	    (r = pg_text(q, i, 1, line, sizeof line)) != STORE_OK)
		return r;
	return a->cosig_fn(a->ctx, witness, line) != 0 ? STORE_STOP : STORE_OK;
}

static enum store_result pw_cosigs(struct store *s, uint64_t size,
                                   int (*fn)(void *ctx, const char *witness, const char *line),
                                   void *ctx)
{
	struct pg_params p = {0};
	struct a_w a = {.cosig_fn = fn, .ctx = ctx};
	pg_param_i64(&p, (int64_t)size);
	return pg_rows(s, sql_s_list, &p, false, false, each_cosig, &a);
}

const struct store_witness_ops pg_witness_ops = {
        .log_add = pw_log_add,
        .log_get = pw_log_get,
        .logs = pw_logs,
        .log_advance = pw_log_advance,
        .conflict_add = pw_conflict_add,
        .conflicts = pw_conflicts,
        .cosig_add = pw_cosig_add,
        .cosigs = pw_cosigs,
};
