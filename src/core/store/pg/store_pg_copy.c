/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_copy: the PostgreSQL backend's side of a copy from another
 * backend (core/store/store_copy.h): a row inserted as given, its id too
 * (OVERRIDING SYSTEM VALUE), and the identity sequences raised past the
 * highest id the other store ever gave. Table and column names are the
 * front's constants, checked to be identifiers before they go into SQL;
 * every value is a bound parameter.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_copy.h"

#include "lib/banned.h"

/* Lower-case letters and '_' only: one of our table or column names. */
static bool ident(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return false;
	return true;
}

/* "A, B, C" or "$1, $2, $3" (dollar) into out at *at. */
static bool list(char *out, size_t cap, size_t *at, const char *const *cols, size_t n, bool dollar)
{
	for (size_t i = 0; i < n; i++) {
		if (!dollar && !ident(cols[i]))
			return false;
		int k = dollar ? snprintf(out + *at, cap - *at, "%s$%zu", i > 0 ? ", " : "", i + 1)
		               : snprintf(out + *at, cap - *at, "%s%s", i > 0 ? ", " : "", cols[i]);
		if (k < 0 || (size_t)k >= cap - *at)
			return false;
		*at += (size_t)k;
	}
	return true;
}

static enum store_result pc_dump(struct store *s, const char *table, const char *const *cols,
                                 size_t ncols, store_copy_row_fn fn, void *ctx)
{
	char sql[1024];
	size_t at = 0;
	PGresult *q;
	struct store_copy_value v[STORE_COPY_COLS_MAX];
	enum store_result r;
	int k = snprintf(sql, sizeof sql, "SELECT ");
	if (ncols == 0 || ncols > STORE_COPY_COLS_MAX || !ident(table) || k < 0)
		return STORE_CORRUPT;
	at = (size_t)k;
	if (!list(sql, sizeof sql, &at, cols, ncols, false))
		return STORE_CORRUPT;
	k = snprintf(sql + at, sizeof sql - at, " FROM %s ORDER BY 1", table);
	if (k < 0 || (size_t)k >= sizeof sql - at)
		return STORE_TOO_LARGE;
	/* results in binary: integers are 8 bytes or less, text and bytea their bytes */
	if ((r = pg_exec(s, sql, NULL, &q)) != STORE_OK)
		return r;
	for (int row = 0; row < PQntuples(q) && r == STORE_OK; row++) {
		for (size_t i = 0; i < ncols; i++) {
			Oid t = PQftype(q, (int)i);
			memset(&v[i], 0, sizeof v[i]);
			if (PQgetisnull(q, row, (int)i)) {
				v[i].type = STORE_COPY_NULL;
			} else if (t == 20 || t == 21 || t == 23 || t == 16) { /* int8/2/4, bool */
				v[i].type = STORE_COPY_INT;
				v[i].i = pg_i64(q, row, (int)i);
			} else {
				v[i].type =
				        t == 17 ? STORE_COPY_BYTES : STORE_COPY_TEXT; /* bytea */
				v[i].p = (const uint8_t *)PQgetvalue(q, row, (int)i);
				v[i].n = (size_t)PQgetlength(q, row, (int)i);
			}
		}
		struct store_copy_row cr = {.n = ncols, .v = v};
		r = fn(ctx, &cr);
	}
	PQclear(q);
	return r;
}

/* A chunk of a copied blob: appended, the blob's size and count grown. */
static enum store_result load_chunk(struct store *s, const struct store_copy_row *row)
{
	struct pg_params p = {0};
	if (row->n != 2 || row->v[0].type != STORE_COPY_INT || row->v[1].type != STORE_COPY_BYTES ||
	    row->v[1].n == 0 || row->v[1].n > STORE_CHUNK_MAX)
		return STORE_CORRUPT;
	pg_param_i64(&p, row->v[0].i);
	pg_param_bytes(&p, row->v[1].p, row->v[1].n);
	return pg_exec(
	        s,
	        "WITH b AS (UPDATE blob SET size = size + length($2::bytea), nchunks = nchunks + 1"
	        " WHERE id = $1 RETURNING nchunks - 1 AS seq)"
	        " INSERT INTO blob_chunk(blob_id, seq, data) SELECT $1, seq, $2::bytea FROM b",
	        &p, NULL);
}

static enum store_result pc_load(struct store *s, const char *table, const char *const *cols,
                                 const struct store_copy_row *row)
{
	char sql[2048];
	size_t at = 0;
	struct pg_params p = {0};
	if (strcmp(table, "blob_chunk") == 0)
		return load_chunk(s, row);
	if (row->n == 0 || row->n > PG_PARAMS_MAX || !ident(table))
		return STORE_CORRUPT;
	bool blob = strcmp(table, "blob") == 0; /* (id): a stored blob, empty so far */
	int k = snprintf(sql, sizeof sql, "INSERT INTO %s(", table);
	if (k < 0 || (size_t)k >= sizeof sql)
		return STORE_CORRUPT;
	at = (size_t)k;
	if (!list(sql, sizeof sql, &at, cols, row->n, false))
		return STORE_CORRUPT;
	k = snprintf(sql + at, sizeof sql - at, "%s) OVERRIDING SYSTEM VALUE VALUES (",
	             blob ? ", pending" : "");
	if (k < 0 || (size_t)k >= sizeof sql - at)
		return STORE_TOO_LARGE;
	at += (size_t)k;
	if (!list(sql, sizeof sql, &at, cols, row->n, true))
		return STORE_TOO_LARGE;
	k = snprintf(sql + at, sizeof sql - at, "%s)", blob ? ", false" : "");
	if (k < 0 || (size_t)k >= sizeof sql - at)
		return STORE_TOO_LARGE;
	/*
	 * Values as text, bytes in binary; the server converts a text to the
	 * column's type (an integer 0 or 1 to a boolean too).
	 */
	for (size_t i = 0; i < row->n; i++) {
		const struct store_copy_value *v = &row->v[i];
		if (v->type == STORE_COPY_INT) {
			pg_param_i64(&p, v->i);
		} else if (v->type == STORE_COPY_NULL) {
			pg_param_blob(&p, NULL, 0, true);
		} else if (v->n > PG_VALUE_MAX ||
		           (v->type == STORE_COPY_TEXT && memchr(v->p, '\0', v->n) != NULL)) {
			return STORE_CORRUPT;
		} else {
			pg_param_blob(&p, v->p, v->n, false);
			if (v->type == STORE_COPY_TEXT)
				p.fmt[p.n - 1] = 0; /* as text: a dump's text is NUL-terminated */
		}
	}
	return pg_exec(s, sql, &p, NULL);
}

/* The identity sequence's last value (0: none given). */
static enum store_result pc_id_high(struct store *s, const char *table, int64_t *high)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	*high = 0;
	pg_param_text(&p, table);
	if ((r = pg_exec(
	             s,
	             "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')), 0)",
	             &p, &q)) != STORE_OK)
		return r;
	*high = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return STORE_OK;
}

static enum store_result pc_ids_above(struct store *s, const char *table, int64_t high)
{
	char sql[512];
	struct pg_params p = {0};
	if (!ident(table) || high < 0)
		return STORE_CORRUPT;
	int k = snprintf(sql, sizeof sql,
	                 "SELECT setval(pg_get_serial_sequence($1, 'id'), greatest(v, 1), v > 0)"
	                 " FROM (SELECT greatest($2::bigint, (SELECT coalesce(max(id), 0) FROM %s))"
	                 " AS v) m",
	                 table);
	if (k < 0 || (size_t)k >= sizeof sql)
		return STORE_TOO_LARGE;
	pg_param_text(&p, table);
	pg_param_i64(&p, high);
	return pg_exec(s, sql, &p, NULL);
}

const struct store_copy_ops pg_copy_ops = {
        .dump = pc_dump,
        .load = pc_load,
        .id_high = pc_id_high,
        .ids_above = pc_ids_above,
};
