/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_safe: the safe copies of files in the PostgreSQL backend
 * (core/store/store_safe.h): one row per file that has one, keyed by the
 * file's id (no id of its own), its blob a stored blob of chunk rows like
 * every other. Only rows: the rules are the front's (core/store/store_safe.c)
 * and core's (core/safeview/). The row goes with its file (ON DELETE
 * CASCADE); its blob is among the blobs a source's deletion and retention
 * delete (store_pg_intake.c, store_pg_retention.c).
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_safe.h"

#include "lib/banned.h"

static const char *const safe_steps[] = {
        /* 1 */
        "CREATE TABLE file_safe(file_id bigint PRIMARY KEY REFERENCES file(id) ON DELETE CASCADE,"
        " blob bigint NOT NULL, pages integer NOT NULL, day integer NOT NULL,"
        " marking text NOT NULL, seal_version bigint NOT NULL);",
};

const struct pg_schema_part pg_part_safe = {
        .name = "safe",
        .steps = safe_steps,
        .nsteps = (int)(sizeof(safe_steps) / sizeof(safe_steps[0])),
};

/* no such file: no row inserted; one already there: unique_violation (STORE_EXISTS) */
static const char sql_add[] = "INSERT INTO file_safe(file_id, blob, pages, day, marking,"
                              " seal_version) SELECT id, $2, $3, $4, $5, $6 FROM file"
                              " WHERE id = $1";
static const char sql_get[] = "SELECT file_id, blob, pages, day, marking, seal_version"
                              " FROM file_safe WHERE file_id = $1";
static const char sql_delete[] = "DELETE FROM file_safe WHERE file_id = $1 RETURNING blob";
static const char sql_blob_delete[] = "DELETE FROM blob WHERE id = $1";

static enum store_result fn_add(struct store *s, void *arg)
{
	const struct store_safe_copy *in = arg;
	struct pg_params p = {0};
	int64_t rows;
	enum store_result r;
	pg_param_i64(&p, in->file_id);
	pg_param_i64(&p, in->blob);
	pg_param_i64(&p, in->pages);
	pg_param_i64(&p, in->day);
	pg_param_text(&p, in->marking);
	pg_param_i64(&p, in->seal_version);
	if ((r = pg_exec_n(s, sql_add, &p, &rows)) != STORE_OK)
		return r;
	if (rows != 1)
		return STORE_NOT_FOUND; /* no such file */
	return pg_claim(s, in->blob);   /* not pending: STORE_NOT_FOUND, the row undone */
}

static enum store_result ps_add(struct store *s, const struct store_safe_copy *in)
{
	if (!pg_in_tx(s))
		return STORE_CORRUPT; /* the claim must commit with the row (the front checks too)
		                       */
	return pg_tx(s, fn_add, (void *)in);
}

static enum store_result each_get(const PGresult *q, int i, void *ctx)
{
	struct store_safe_copy *o = ctx;
	memset(o, 0, sizeof *o);
	o->file_id = pg_i64(q, i, 0);
	o->blob = pg_i64(q, i, 1);
	o->pages = (int32_t)pg_i64(q, i, 2);
	o->day = (int32_t)pg_i64(q, i, 3);
	o->seal_version = (uint32_t)pg_i64(q, i, 5);
	return pg_text(q, i, 4, o->marking, sizeof o->marking);
}

static enum store_result ps_get(struct store *s, store_id file_id, struct store_safe_copy *out)
{
	struct pg_params p = {0};
	pg_param_i64(&p, file_id);
	return pg_rows(s, sql_get, &p, true, false, each_get, out);
}

static enum store_result fn_delete(struct store *s, void *arg)
{
	store_id file_id = *(const store_id *)arg;
	PGresult *q;
	int64_t rows;
	struct pg_params p = {0};
	pg_param_i64(&p, file_id);
	enum store_result r = pg_exec(s, sql_delete, &p, &q);
	if (r != STORE_OK)
		return r;
	store_id blob = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	if (blob <= 0)
		return STORE_NOT_FOUND; /* none */
	return pg_exec_id(s, sql_blob_delete, blob, &rows);
}

static enum store_result ps_delete(struct store *s, store_id file_id)
{
	return pg_tx(s, fn_delete, &file_id);
}

const struct store_safe_ops pg_safe_ops = {
        .safe_add = ps_add,
        .safe_get = ps_get,
        .safe_delete = ps_delete,
};
