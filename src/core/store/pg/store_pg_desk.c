/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_desk: the desk's table in the PostgreSQL backend
 * (core/store/store_desk.h).
 *
 * desk_source holds, per source that has submissions, the id of its newest
 * submission (indexed: the inbox order and keyset cursor), a star and a
 * label. A trigger moves a source up at each committed submission and the
 * foreign key takes a deleted source out of the inbox, so neither the intake
 * nor the core backend knows about the desk. Beside the label, its blind
 * index; a filtered page is the window's floor, then the rows between the
 * cursor and the floor that pass the filter (as in store_sqlite_desk.c).
 * The unread submissions come through a partial index of them (step 3).
 */
#include <stdint.h>
#include <string.h>

#include "core/store/pg/store_pg.h"
#include "core/store/store_desk.h"

#include "lib/banned.h"

static const char *const desk_steps[] = {
        /* 1: the inbox order, stars and labels */
        "CREATE TABLE desk_source(source_id bigint PRIMARY KEY"
        " REFERENCES source(id) ON DELETE CASCADE, newest bigint NOT NULL,"
        " starred integer NOT NULL DEFAULT 0, label text NOT NULL DEFAULT '');"
        "CREATE INDEX desk_source_newest ON desk_source(newest);"
        "CREATE INDEX desk_source_starred ON desk_source(newest) WHERE starred = 1;"
        "INSERT INTO desk_source(source_id, newest)"
        " SELECT source_id, max(id) FROM submission GROUP BY source_id;"
        "CREATE FUNCTION desk_submission_new() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        " INSERT INTO desk_source(source_id, newest) VALUES (NEW.source_id, NEW.id)"
        " ON CONFLICT(source_id) DO UPDATE"
        " SET newest = greatest(desk_source.newest, excluded.newest);"
        " RETURN NULL;"
        " END $$;"
        "CREATE TRIGGER desk_submission_new AFTER INSERT ON submission"
        " FOR EACH ROW EXECUTE FUNCTION desk_submission_new();",
        /* 2: a label's blind index, to filter by label (store_desk.h) */
        "ALTER TABLE desk_source ADD COLUMN label_index bytea;"
        "CREATE INDEX desk_source_label ON desk_source(label_index, newest)"
        " WHERE label_index IS NOT NULL;",
        /* 3: the unread submissions, newest first (the navigation's count, issue 17) */
        "CREATE INDEX submission_unread ON submission(id) WHERE NOT read;",
};

const struct pg_schema_part pg_part_desk = {
        .name = "desk",
        .steps = desk_steps,
        .nsteps = (int)(sizeof desk_steps / sizeof desk_steps[0]),
};

#define DESK_COLS                                                                                \
	"s.id, s.pk, s.created_day, s.last_day, s.nsubmissions, s.nunread, d.newest, d.starred," \
	" d.label"

static const char q_inbox[] = "SELECT " DESK_COLS " FROM desk_source d"
                              " JOIN source s ON s.id = d.source_id"
                              " WHERE d.newest < $1 ORDER BY d.newest DESC LIMIT $2";
static const char q_inbox_starred[] = "SELECT " DESK_COLS " FROM desk_source d"
                                      " JOIN source s ON s.id = d.source_id"
                                      " WHERE d.newest < $1 AND d.starred = 1"
                                      " ORDER BY d.newest DESC LIMIT $2";
static const char q_source[] = "SELECT " DESK_COLS " FROM desk_source d"
                               " JOIN source s ON s.id = d.source_id WHERE d.source_id = $1";
static const char q_subs[] = "SELECT id, source_id, day, message_blob, nfiles, read, marking,"
                             " seal_version FROM submission WHERE source_id = $1 AND id < $2"
                             " ORDER BY id DESC LIMIT $3";
static const char q_unread[] = "SELECT id, source_id, day, message_blob, nfiles, read, marking,"
                               " seal_version FROM submission WHERE NOT read AND id < $1"
                               " ORDER BY id DESC LIMIT $2";
#define FIDX "$10, $11, $12, $13, $14, $15, $16, $17"
static const char q_filtered[] =
        "SELECT " DESK_COLS " FROM desk_source d JOIN source s ON s.id = d.source_id"
        " WHERE d.newest < $1 AND d.newest >= $2 AND ($3 = 0 OR d.starred = 1)"
        " AND ($9 = 0 OR d.label_index IN (" FIDX "))"
        " AND (($4 = 0 AND $5 = 0 AND $6 = 0 AND $7 = 0 AND $8 = '') OR EXISTS"
        " (SELECT 1 FROM submission x WHERE x.source_id = d.source_id"
        " AND ($4 = 0 OR NOT x.read) AND ($5 = 0 OR x.nfiles > 0)"
        " AND ($6 = 0 OR x.day >= $6) AND ($7 = 0 OR x.day <= $7)"
        " AND ($8 = '' OR x.marking = $8)))"
        " ORDER BY d.newest DESC LIMIT $18";
/* with a label: its terms without an OR, so the partial label index finds the rows (bench/desk) */
static const char q_filtered_label[] =
        "SELECT " DESK_COLS " FROM desk_source d JOIN source s ON s.id = d.source_id"
        " WHERE d.newest < $1 AND d.newest >= $2 AND ($3 = 0 OR d.starred = 1)"
        " AND $9 = 1 AND d.label_index IN (" FIDX ")"
        " AND (($4 = 0 AND $5 = 0 AND $6 = 0 AND $7 = 0 AND $8 = '') OR EXISTS"
        " (SELECT 1 FROM submission x WHERE x.source_id = d.source_id"
        " AND ($4 = 0 OR NOT x.read) AND ($5 = 0 OR x.nfiles > 0)"
        " AND ($6 = 0 OR x.day >= $6) AND ($7 = 0 OR x.day <= $7)"
        " AND ($8 = '' OR x.marking = $8)))"
        " ORDER BY d.newest DESC LIMIT $18";
#define WIDX "$3, $4, $5, $6, $7, $8, $9, $10"
static const char q_floor[] = "SELECT newest FROM desk_source WHERE newest < $1"
                              " ORDER BY newest DESC LIMIT 1 OFFSET $2";
static const char q_floor_starred[] = "SELECT newest FROM desk_source WHERE newest < $1"
                                      " AND starred = 1 ORDER BY newest DESC LIMIT 1 OFFSET $2";
static const char q_floor_label[] = "SELECT newest FROM desk_source WHERE newest < $1"
                                    " AND label_index IN (" WIDX ")"
                                    " ORDER BY newest DESC LIMIT 1 OFFSET $2";
static const char q_floor_both[] = "SELECT newest FROM desk_source WHERE newest < $1"
                                   " AND starred = 1 AND label_index IN (" WIDX ")"
                                   " ORDER BY newest DESC LIMIT 1 OFFSET $2";
static const char q_star[] = "UPDATE desk_source SET starred = $2 WHERE source_id = $1";
static const char q_label[] = "UPDATE desk_source SET label = $2, label_index = $3"
                              " WHERE source_id = $1";

static enum store_result read_row(const PGresult *q, int i, struct store_desk_source *o)
{
	memset(o, 0, sizeof *o);
	o->src.id = pg_i64(q, i, 0);
	if (PQgetlength(q, i, 1) != STORE_PK_LEN)
		return STORE_CORRUPT;
	memcpy(o->src.pk, PQgetvalue(q, i, 1), STORE_PK_LEN);
	o->src.created_day = (int32_t)pg_i64(q, i, 2);
	o->src.last_day = (int32_t)pg_i64(q, i, 3);
	o->src.nsubmissions = pg_i64(q, i, 4);
	o->src.nunread = pg_i64(q, i, 5);
	o->newest = pg_i64(q, i, 6);
	o->starred = pg_i64(q, i, 7) != 0;
	return pg_text(q, i, 8, o->label, sizeof o->label);
}

static store_id cursor(store_id before)
{
	return before <= 0 ? INT64_MAX : before;
}

static enum store_result pd_inbox(struct store *s, store_id before, int64_t limit,
                                  bool starred_only, store_desk_source_fn fn, void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, cursor(before));
	pg_param_i64(&p, limit);
	if ((r = pg_exec(s, starred_only ? q_inbox_starred : q_inbox, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_desk_source row;
		if ((r = read_row(q, i, &row)) == STORE_OK && fn(ctx, &row) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

/* The filter's blind indexes as eight parameters (the unused ones repeat the first). */
static void param_indexes(struct pg_params *p, const struct store_desk_filter *f)
{
	static const uint8_t none[STORE_DESK_INDEX_LEN];
	for (size_t i = 0; i < STORE_DESK_INDEX_MAX; i++)
		pg_param_blob(p,
		              f->nindex == 0  ? none
		              : i < f->nindex ? f->index[i]
		                              : f->index[0],
		              STORE_DESK_INDEX_LEN, false);
}

static enum store_result window_floor(struct store *s, store_id before,
                                      const struct store_desk_filter *f, store_id *floor)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	const char *sql = f->nindex > 0 ? (f->starred ? q_floor_both : q_floor_label)
	                                : (f->starred ? q_floor_starred : q_floor);
	pg_param_i64(&p, before);
	pg_param_i64(&p, f->window - 1);
	if (f->nindex > 0)
		param_indexes(&p, f);
	if ((r = pg_exec(s, sql, &p, &q)) != STORE_OK)
		return r;
	*floor = PQntuples(q) == 1 ? pg_i64(q, 0, 0) : 0;
	PQclear(q);
	return STORE_OK;
}

static enum store_result pd_inbox_filtered(struct store *s, store_id before, int64_t limit,
                                           const struct store_desk_filter *f, store_id *floor,
                                           store_desk_source_fn fn, void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	store_id lo = 0;
	*floor = 0;
	if (f->window > 0 && (r = window_floor(s, cursor(before), f, &lo)) != STORE_OK)
		return r;
	pg_param_i64(&p, cursor(before));
	pg_param_i64(&p, lo);
	pg_param_i64(&p, f->starred);
	pg_param_i64(&p, f->unread);
	pg_param_i64(&p, f->has_files);
	pg_param_i64(&p, f->day_from);
	pg_param_i64(&p, f->day_to);
	pg_param_text(&p, f->marking);
	pg_param_i64(&p, f->nindex > 0);
	param_indexes(&p, f);
	pg_param_i64(&p, limit);
	if ((r = pg_exec(s, f->nindex > 0 ? q_filtered_label : q_filtered, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_desk_source row;
		if ((r = read_row(q, i, &row)) == STORE_OK && fn(ctx, &row) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	if (r == STORE_OK || r == STORE_STOP)
		*floor = lo;
	return r;
}

static enum store_result pd_source(struct store *s, store_id id, struct store_desk_source *out)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, id);
	if ((r = pg_exec(s, q_source, &p, &q)) != STORE_OK)
		return r;
	r = PQntuples(q) == 1 ? read_row(q, 0, out) : STORE_NOT_FOUND;
	PQclear(q);
	return r;
}

static enum store_result pd_submissions(struct store *s, store_id source, store_id before,
                                        int64_t limit, store_desk_sub_fn fn, void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, source);
	pg_param_i64(&p, cursor(before));
	pg_param_i64(&p, limit); /* the columns of pg_submission_row */
	if ((r = pg_exec(s, q_subs, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_submission sub;
		if ((r = pg_submission_row(q, i, &sub)) == STORE_OK && fn(ctx, &sub) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result pd_unread(struct store *s, store_id before, int64_t limit,
                                   store_desk_sub_fn fn, void *ctx)
{
	struct pg_params p = {0};
	PGresult *q;
	enum store_result r;
	pg_param_i64(&p, cursor(before));
	pg_param_i64(&p, limit); /* the columns of pg_submission_row */
	if ((r = pg_exec(s, q_unread, &p, &q)) != STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(q) && r == STORE_OK; i++) {
		struct store_submission sub;
		if ((r = pg_submission_row(q, i, &sub)) == STORE_OK && fn(ctx, &sub) != 0)
			r = STORE_STOP;
	}
	PQclear(q);
	return r;
}

static enum store_result pd_set_star(struct store *s, store_id source, bool starred)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, source);
	pg_param_i64(&p, starred ? 1 : 0);
	enum store_result r = pg_exec_n(s, q_star, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_result pd_set_label(struct store *s, store_id source, const char *label,
                                      const uint8_t *index)
{
	struct pg_params p = {0};
	int64_t rows;
	pg_param_i64(&p, source);
	pg_param_text(&p, label);
	pg_param_blob(&p, index, index != NULL ? STORE_DESK_INDEX_LEN : 0, index == NULL);
	enum store_result r = pg_exec_n(s, q_label, &p, &rows);
	return r != STORE_OK ? r : rows == 0 ? STORE_NOT_FOUND : STORE_OK;
}

const struct store_desk_ops pg_desk_ops = {
        .inbox = pd_inbox,
        .inbox_filtered = pd_inbox_filtered,
        .source = pd_source,
        .submissions = pd_submissions,
        .set_star = pd_set_star,
        .set_label = pd_set_label,
        .unread = pd_unread,
};
