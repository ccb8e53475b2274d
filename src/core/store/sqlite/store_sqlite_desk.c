/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_desk: the desk's tables in the SQLite backend (core/store/store_desk.h).
 *
 * desk_source holds, per source that has submissions, the id of its newest
 * submission (indexed: the inbox order and keyset cursor), a star and a
 * label. Triggers keep it in step with the core tables, so neither the
 * intake nor the core backend knows about the desk: a committed submission
 * moves its source up, a deleted source leaves the inbox. Beside the label,
 * its blind index (indexed with the order: a filter by label finds its rows
 * without a scan).
 *
 * A filtered page: the window's floor first (the window-th row of the order
 * after the cursor, through the partial index of a star or a label), then the
 * rows between the cursor and the floor that pass the filter. A filter on
 * submissions (unread, files, marking, days) is one EXISTS over the source's
 * submissions (index submission_source): a submission that passes them all.
 * The unread submissions come through a partial index of them (step 3).
 */
#include <string.h>

#include "core/store/store_desk.h"
#include "core/store/sqlite/store_sqlite.h"

#include "lib/banned.h"

static const char *const desk_steps[] = {
        /* 1: the inbox order, stars and labels */
        "CREATE TABLE desk_source(source_id INTEGER PRIMARY KEY,"
        " newest INTEGER NOT NULL, starred INTEGER NOT NULL DEFAULT 0,"
        " label TEXT NOT NULL DEFAULT '');"
        "CREATE INDEX desk_source_newest ON desk_source(newest);"
        "CREATE INDEX desk_source_starred ON desk_source(newest) WHERE starred = 1;"
        "INSERT INTO desk_source(source_id, newest)"
        " SELECT source_id, max(id) FROM submission GROUP BY source_id;"
        "CREATE TRIGGER desk_submission_new AFTER INSERT ON submission BEGIN"
        " INSERT INTO desk_source(source_id, newest) VALUES (new.source_id, new.id)"
        " ON CONFLICT(source_id) DO UPDATE SET newest = max(newest, excluded.newest);"
        " END;"
        "CREATE TRIGGER desk_source_gone AFTER DELETE ON source BEGIN"
        " DELETE FROM desk_source WHERE source_id = old.id;"
        " END;",
        /* 2: a label's blind index, to filter by label (store_desk.h) */
        "ALTER TABLE desk_source ADD COLUMN label_index BLOB;"
        "CREATE INDEX desk_source_label ON desk_source(label_index, newest)"
        " WHERE label_index IS NOT NULL;",
        /* 3: the unread submissions, newest first (the navigation's count, issue 17) */
        "CREATE INDEX submission_unread ON submission(id) WHERE read = 0;",
};

const struct sq_schema_part sq_part_desk = {
        .name = "desk",
        .steps = desk_steps,
        .nsteps = (int)(sizeof desk_steps / sizeof desk_steps[0]),
};

#define DESK_COLS                                                                                \
	"s.id, s.pk, s.created_day, s.last_day, s.nsubmissions, s.nunread, d.newest, d.starred," \
	" d.label"

static const char q_inbox[] = "SELECT " DESK_COLS " FROM desk_source d"
                              " JOIN source s ON s.id = d.source_id"
                              " WHERE d.newest < ?1 ORDER BY d.newest DESC LIMIT ?2";
static const char q_inbox_starred[] = "SELECT " DESK_COLS " FROM desk_source d"
                                      " JOIN source s ON s.id = d.source_id"
                                      " WHERE d.newest < ?1 AND d.starred = 1"
                                      " ORDER BY d.newest DESC LIMIT ?2";
static const char q_source[] = "SELECT " DESK_COLS " FROM desk_source d"
                               " JOIN source s ON s.id = d.source_id WHERE d.source_id = ?1";
static const char q_subs[] = "SELECT id, source_id, day, message_blob, nfiles, read, marking,"
                             " seal_version FROM submission WHERE source_id = ?1 AND id < ?2"
                             " ORDER BY id DESC LIMIT ?3";
static const char q_unread[] = "SELECT id, source_id, day, message_blob, nfiles, read, marking,"
                               " seal_version FROM submission WHERE read = 0 AND id < ?1"
                               " ORDER BY id DESC LIMIT ?2";
#define FIDX "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17"
static const char q_filtered[] =
        "SELECT " DESK_COLS " FROM desk_source d JOIN source s ON s.id = d.source_id"
        " WHERE d.newest < ?1 AND d.newest >= ?2 AND (?3 = 0 OR d.starred = 1)"
        " AND (?9 = 0 OR d.label_index IN (" FIDX "))"
        " AND ((?4 = 0 AND ?5 = 0 AND ?6 = 0 AND ?7 = 0 AND ?8 = '') OR EXISTS"
        " (SELECT 1 FROM submission x WHERE x.source_id = d.source_id"
        " AND (?4 = 0 OR x.read = 0) AND (?5 = 0 OR x.nfiles > 0)"
        " AND (?6 = 0 OR x.day >= ?6) AND (?7 = 0 OR x.day <= ?7)"
        " AND (?8 = '' OR x.marking = ?8)))"
        " ORDER BY d.newest DESC LIMIT ?18";
/* with a label: its terms without an OR, so the partial label index finds the rows (bench/desk) */
static const char q_filtered_label[] =
        "SELECT " DESK_COLS " FROM desk_source d JOIN source s ON s.id = d.source_id"
        " WHERE d.newest < ?1 AND d.newest >= ?2 AND (?3 = 0 OR d.starred = 1)"
        " AND ?9 = 1 AND d.label_index IN (" FIDX ")"
        " AND ((?4 = 0 AND ?5 = 0 AND ?6 = 0 AND ?7 = 0 AND ?8 = '') OR EXISTS"
        " (SELECT 1 FROM submission x WHERE x.source_id = d.source_id"
        " AND (?4 = 0 OR x.read = 0) AND (?5 = 0 OR x.nfiles > 0)"
        " AND (?6 = 0 OR x.day >= ?6) AND (?7 = 0 OR x.day <= ?7)"
        " AND (?8 = '' OR x.marking = ?8)))"
        " ORDER BY d.newest DESC LIMIT ?18";
#define WIDX "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"
static const char q_floor[] = "SELECT newest FROM desk_source WHERE newest < ?1"
                              " ORDER BY newest DESC LIMIT 1 OFFSET ?2";
static const char q_floor_starred[] = "SELECT newest FROM desk_source WHERE newest < ?1"
                                      " AND starred = 1 ORDER BY newest DESC LIMIT 1 OFFSET ?2";
static const char q_floor_label[] = "SELECT newest FROM desk_source WHERE newest < ?1"
                                    " AND label_index IN (" WIDX ")"
                                    " ORDER BY newest DESC LIMIT 1 OFFSET ?2";
static const char q_floor_both[] = "SELECT newest FROM desk_source WHERE newest < ?1"
                                   " AND starred = 1 AND label_index IN (" WIDX ")"
                                   " ORDER BY newest DESC LIMIT 1 OFFSET ?2";
static const char q_star[] = "UPDATE desk_source SET starred = ?2 WHERE source_id = ?1";
static const char q_label[] = "UPDATE desk_source SET label = ?2, label_index = ?3"
                              " WHERE source_id = ?1";

static enum store_result read_row(sqlite3_stmt *q, struct store_desk_source *o)
{
	memset(o, 0, sizeof *o);
	o->src.id = sqlite3_column_int64(q, 0);
	if (sqlite3_column_bytes(q, 1) != STORE_PK_LEN)
		return STORE_CORRUPT;
	memcpy(o->src.pk, sqlite3_column_blob(q, 1), STORE_PK_LEN);
	o->src.created_day = sqlite3_column_int(q, 2);
	o->src.last_day = sqlite3_column_int(q, 3);
	o->src.nsubmissions = sqlite3_column_int64(q, 4);
	o->src.nunread = sqlite3_column_int64(q, 5);
	o->newest = sqlite3_column_int64(q, 6);
	o->starred = sqlite3_column_int(q, 7) != 0;
	const unsigned char *label = sqlite3_column_text(q, 8);
	int n = sqlite3_column_bytes(q, 8);
	if (n < 0 || n > STORE_DESK_LABEL_MAX)
		return STORE_CORRUPT;
	if (label != NULL)
		memcpy(o->label, label, (size_t)n);
	o->label[n] = 0;
	return STORE_OK;
}

struct list_arg {
	store_id key, before;
	int64_t limit;
	bool starred;
	store_desk_source_fn sfn;
	store_desk_sub_fn bfn;
	void *ctx;
	struct store_desk_source *one;
	const char *label;
	const uint8_t *index;
	const struct store_desk_filter *f;
	store_id floor;
};

static enum store_result step_rows(sqlite3_stmt *q, struct list_arg *a)
{
	int rc;
	enum store_result r = STORE_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (a->sfn != NULL) {
			struct store_desk_source row;
			if ((r = read_row(q, &row)) != STORE_OK)
				return r;
			if (a->sfn(a->ctx, &row) != 0)
				return STORE_STOP;
		} else {
			struct store_submission sub;
			memset(&sub, 0, sizeof sub);
			sub.id = sqlite3_column_int64(q, 0);
			sub.source_id = sqlite3_column_int64(q, 1);
			sub.day = sqlite3_column_int(q, 2);
			sub.message_blob = sqlite3_column_int64(q, 3);
			sub.nfiles = sqlite3_column_int(q, 4);
			sub.read = sqlite3_column_int(q, 5);
			const unsigned char *m = sqlite3_column_text(q, 6);
			int n = sqlite3_column_bytes(q, 6);
			if (n < 0 || n >= STORE_MARKING_MAX)
				return STORE_CORRUPT;
			if (m != NULL)
				memcpy(sub.marking, m, (size_t)n);
			int64_t v = sqlite3_column_int64(q, 7);
			if (v < 0 || v > UINT32_MAX)
				return STORE_CORRUPT;
			sub.seal_version = (uint32_t)v;
			if (a->bfn(a->ctx, &sub) != 0)
				return STORE_STOP;
		}
	}
	return rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
}

static enum store_result do_inbox(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, a->starred ? q_inbox_starred : q_inbox, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->before))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 2, a->limit))) == STORE_OK)
		r = step_rows(q, a);
	sq_done(q);
	return r;
}

/* Binds the filter's blind indexes to from..from+7 (the unused ones repeat the first). */
static enum store_result bind_indexes(sqlite3_stmt *q, int from, const struct store_desk_filter *f)
{
	static const uint8_t none[STORE_DESK_INDEX_LEN];
	enum store_result r = STORE_OK;
	for (int i = 0; i < STORE_DESK_INDEX_MAX && r == STORE_OK; i++) {
		const uint8_t *v = f->nindex == 0          ? none
		                   : (size_t)i < f->nindex ? f->index[i]
		                                           : f->index[0];
		r = sq_bind(sqlite3_bind_blob(q, from + i, v, STORE_DESK_INDEX_LEN, SQLITE_STATIC));
	}
	return r;
}

/* The window's floor into a->floor (0: the window reaches the end). */
static enum store_result window_floor(struct conn *c, struct list_arg *a)
{
	const struct store_desk_filter *f = a->f;
	const char *sql = f->nindex > 0 ? (f->starred ? q_floor_both : q_floor_label)
	                                : (f->starred ? q_floor_starred : q_floor);
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, sql, &q);
	if (r != STORE_OK)
		return r;
	a->floor = 0;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->before))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 2, f->window - 1))) == STORE_OK &&
	    (f->nindex == 0 || (r = bind_indexes(q, 3, f)) == STORE_OK)) {
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			a->floor = sqlite3_column_int64(q, 0);
		else if (rc != SQLITE_DONE)
			r = sq_map(rc);
	}
	sq_done(q);
	return r;
}

static enum store_result do_filtered(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	const struct store_desk_filter *f = a->f;
	enum store_result r;
	a->floor = 0;
	if (f->window > 0 && (r = window_floor(c, a)) != STORE_OK)
		return r;
	sqlite3_stmt *q;
	if ((r = sq_stmt(c, f->nindex > 0 ? q_filtered_label : q_filtered, &q)) != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->before))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 2, a->floor))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 3, f->starred))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 4, f->unread))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 5, f->has_files))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 6, f->day_from))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 7, f->day_to))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_text(q, 8, f->marking, -1, SQLITE_STATIC))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int(q, 9, f->nindex > 0))) == STORE_OK &&
	    (r = bind_indexes(q, 10, f)) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 18, a->limit))) == STORE_OK)
		r = step_rows(q, a);
	sq_done(q);
	return r;
}

static enum store_result do_subs(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, q_subs, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->key))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 2, a->before))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 3, a->limit))) == STORE_OK)
		r = step_rows(q, a);
	sq_done(q);
	return r;
}

static enum store_result do_unread(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, q_unread, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->before))) == STORE_OK &&
	    (r = sq_bind(sqlite3_bind_int64(q, 2, a->limit))) == STORE_OK)
		r = step_rows(q, a);
	sq_done(q);
	return r;
}

static enum store_result do_source(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, q_source, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->key))) == STORE_OK) {
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			r = read_row(q, a->one);
		else
			r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	}
	sq_done(q);
	return r;
}

static enum store_result do_update(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, a->label != NULL ? q_label : q_star, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind(sqlite3_bind_int64(q, 1, a->key))) != STORE_OK)
		goto out;
	if (a->label != NULL) {
		r = sq_bind(sqlite3_bind_text(q, 2, a->label, -1, SQLITE_STATIC));
		if (r == STORE_OK)
			r = sq_bind(a->index != NULL
			                    ? sqlite3_bind_blob(q, 3, a->index,
			                                        STORE_DESK_INDEX_LEN, SQLITE_STATIC)
			                    : sqlite3_bind_null(q, 3));
	} else
		r = sq_bind(sqlite3_bind_int(q, 2, a->starred ? 1 : 0));
	if (r != STORE_OK)
		goto out;
	r = sq_exec(q);
	q = NULL;
	if (r == STORE_OK && sq_changes(c) == 0)
		r = STORE_NOT_FOUND;
out:
	if (q != NULL)
		sq_done(q);
	return r;
}

static store_id cursor(store_id before)
{
	return before <= 0 ? INT64_MAX : before;
}

static enum store_result sq_desk_inbox(struct store *s, store_id before, int64_t limit,
                                       bool starred_only, store_desk_source_fn fn, void *ctx)
{
	struct list_arg a = {.before = cursor(before),
	                     .limit = limit,
	                     .starred = starred_only,
	                     .sfn = fn,
	                     .ctx = ctx};
	return sq_read(s, do_inbox, &a);
}

static enum store_result sq_desk_inbox_filtered(struct store *s, store_id before, int64_t limit,
                                                const struct store_desk_filter *f, store_id *floor,
                                                store_desk_source_fn fn, void *ctx)
{
	struct list_arg a = {
	        .before = cursor(before), .limit = limit, .f = f, .sfn = fn, .ctx = ctx};
	enum store_result r = sq_read(s, do_filtered, &a);
	*floor = r == STORE_OK || r == STORE_STOP ? a.floor : 0;
	return r;
}

static enum store_result sq_desk_source(struct store *s, store_id id, struct store_desk_source *out)
{
	struct list_arg a = {.key = id, .one = out};
	return sq_read(s, do_source, &a);
}

static enum store_result sq_desk_submissions(struct store *s, store_id source, store_id before,
                                             int64_t limit, store_desk_sub_fn fn, void *ctx)
{
	struct list_arg a = {
	        .key = source, .before = cursor(before), .limit = limit, .bfn = fn, .ctx = ctx};
	return sq_read(s, do_subs, &a);
}

static enum store_result sq_desk_unread(struct store *s, store_id before, int64_t limit,
                                        store_desk_sub_fn fn, void *ctx)
{
	struct list_arg a = {.before = cursor(before), .limit = limit, .bfn = fn, .ctx = ctx};
	return sq_read(s, do_unread, &a);
}

static enum store_result sq_desk_set_star(struct store *s, store_id source, bool starred)
{
	struct list_arg a = {.key = source, .starred = starred};
	return sq_write(s, true, do_update, &a);
}

static enum store_result sq_desk_set_label(struct store *s, store_id source, const char *label,
                                           const uint8_t *index)
{
	struct list_arg a = {.key = source, .label = label, .index = index};
	return sq_write(s, true, do_update, &a);
}

const struct store_desk_ops sq_desk_ops = {
        .inbox = sq_desk_inbox,
        .inbox_filtered = sq_desk_inbox_filtered,
        .source = sq_desk_source,
        .submissions = sq_desk_submissions,
        .set_star = sq_desk_set_star,
        .set_label = sq_desk_set_label,
        .unread = sq_desk_unread,
};
