/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_ids: ids that name one object for the instance's life.
 *
 * A table keyed by `id INTEGER PRIMARY KEY` gives a new row max(id) + 1: after
 * the newest source is deleted, the next source gets its id, and "source:13"
 * in the ledger, or a report's citation of "submission:7", names two objects.
 * With AUTOINCREMENT, SQLite gives max(id ever, kept in sqlite_sequence) + 1
 * instead, in the same insert (no statement of the backend changes).
 *
 * This part, the last one migrated, has one step, in C: for a store made
 * before it (or a new one: its tables were just created by the parts before),
 *
 *  1. every table in tables[] is rebuilt with AUTOINCREMENT (SQLite cannot
 *     ALTER it in), by SQLite's procedure: its CREATE text as stored (so with
 *     every column any step added) with AUTOINCREMENT after the key, the
 *     rows copied, the table dropped, the copy renamed, its indexes and
 *     triggers created again; foreign keys are off meanwhile and checked
 *     before the commit (store_sqlite_schema.c, sq_migrate);
 *  2. sqlite_sequence, which the copy set to max(id), is raised to the
 *     highest id the store still names anywhere: the actors and objects of
 *     the ledger's entries ("source:3", "report:7"), and the columns that name
 *     an id without a foreign key (a report's citations, marking changes,
 *     authors...), rows that can outlive their object. So an id deleted
 *     before the migration is not given out again either, as far as any
 *     record of it remains.
 *
 * A table added later declares `id INTEGER PRIMARY KEY AUTOINCREMENT` in its
 * own step (test_store_ids checks every table of the schema).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/store/store_registry.h"
#include "core/store/sqlite/store_sqlite.h"
#include "lib/buf.h"

#include "lib/banned.h"

/* The tables whose ids never come back: every table keyed by an id of its own. */
enum table {
	T_BLOB,
	T_SOURCE,
	T_SUBMISSION,
	T_FILE,
	T_REPLY,
	T_OFFICER,
	T_MARKING,
	T_REPORT,
	T_LIST,
	T_CHANGE,
	T_COUNT,
};
static const char *const tables[T_COUNT] = {
        /* store_sqlite_schema.c */
        [T_BLOB] = "blob",
        [T_SOURCE] = "source",
        [T_SUBMISSION] = "submission",
        [T_FILE] = "file",
        [T_REPLY] = "reply",
        /* store_sqlite_officer.c */
        [T_OFFICER] = "officer",
        /* store_sqlite_registry.c */
        [T_MARKING] = "reg_marking",
        [T_REPORT] = "report",
        [T_LIST] = "dist_list",
        [T_CHANGE] = "marking_change",
};

/* The kinds of "kind:ID" in ledger entries (and marking_change.kind) with a table. */
static const struct {
	const char *kind;
	enum table table;
} kinds[] = {
        {"source", T_SOURCE},
        {"submission", T_SUBMISSION},
        {"reply", T_REPLY},
        {"report", T_REPORT},
};

_Static_assert(STORE_CITE_SUBMISSION == 1 && STORE_CITE_REPORT == 2, "report_cite.kind below");
/* The columns that name an id without a foreign key, and so may outlive the row. */
static const struct {
	enum table table;
	const char *sql; /* one row: the highest id named (NULL: none) */
} refs[] = {
        {T_BLOB, "SELECT max(message_blob) FROM submission"},
        {T_BLOB, "SELECT max(max(meta_blob, data_blob)) FROM file"},
        {T_BLOB, "SELECT max(blob) FROM reply"},
        {T_BLOB, "SELECT max(desk_blob) FROM reply"},
        {T_SUBMISSION, "SELECT max(submission_id) FROM reply"},
        {T_OFFICER, "SELECT max(author) FROM reply"},
        {T_SUBMISSION, "SELECT max(newest) FROM desk_source"},
        {T_SUBMISSION, "SELECT max(object) FROM report_cite WHERE kind = 1"},
        {T_SUBMISSION, "SELECT max(object) FROM marking_change WHERE kind = 'submission'"},
        {T_REPORT, "SELECT max(object) FROM report_cite WHERE kind = 2"},
        {T_OFFICER, "SELECT max(author) FROM report"},
        {T_OFFICER, "SELECT max(officer) FROM report_reader"},
        {T_OFFICER, "SELECT max(owner) FROM dist_list"},
        {T_OFFICER, "SELECT max(officer) FROM dist_member"},
        {T_OFFICER, "SELECT max(actor) FROM marking_change"},
};

#define SQL_MAX ((size_t)1 << 16) /* a table's CREATE text, its indexes' and triggers' */
#define KEY "id INTEGER PRIMARY KEY"

static enum store_result exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
	               ? STORE_OK
	               : sq_map(sqlite3_extended_errcode(db));
}

/*
 * The `sql` of the schema rows of `table` (?1) that q selects, each ended by
 * a NUL, into out. q's first column is the text.
 */
static enum store_result schema_texts(sqlite3 *db, const char *q, const char *table,
                                      struct buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (t == NULL || buf_append_str(out, (const char *)t) != BUF_OK ||
		    buf_append_byte(out, 0) != BUF_OK)
			rc = SQLITE_NOMEM;
		else
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
}

/*
 * Rebuilds `table` (a name from tables[], never a value) with AUTOINCREMENT;
 * nothing if it has it. STORE_CORRUPT if its first column is not KEY.
 */
static enum store_result rebuild(sqlite3 *db, const char *table)
{
	struct buf create, deps, sql;
	buf_init(&create, SQL_MAX);
	buf_init(&deps, SQL_MAX);
	buf_init(&sql, 2 * SQL_MAX);
	enum store_result r =
	        schema_texts(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
	                     table, &create);
	if (r != STORE_OK)
		goto out;
	r = STORE_CORRUPT;
	if (create.len == 0)
		goto out; /* no such table */
	/* "CREATE TABLE name(id INTEGER PRIMARY KEY, ..." (a space may follow the parenthesis) */
	const char *text = (const char *)create.data;
	const char *open = strchr(text, '(');
	if (open == NULL)
		goto out;
	const char *key = open + 1;
	while (*key == ' ')
		key++;
	if (strncmp(key, KEY, strlen(KEY)) != 0)
		goto out;
	const char *after = key + strlen(KEY);
	if (strncmp(after, " AUTOINCREMENT", strlen(" AUTOINCREMENT")) == 0) {
		r = STORE_OK; /* done already */
		goto out;
	}
	if (*after != ',')
		goto out;
	/* Its indexes and triggers: DROP TABLE drops them (automatic indexes have no sql). */
	if ((r = schema_texts(
	             db,
	             "SELECT sql FROM sqlite_master WHERE tbl_name = ?1"
	             " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
	             table, &deps)) != STORE_OK)
		goto out;
	r = STORE_NOMEM;
	if (buf_printf(&sql,
	               "CREATE TABLE ids_new%.*s AUTOINCREMENT%s;"
	               " INSERT INTO ids_new SELECT * FROM %s; DROP TABLE %s;"
	               " ALTER TABLE ids_new RENAME TO %s;",
	               (int)(after - open), open, after, table, table, table) != BUF_OK)
		goto out;
	if ((r = exec(db, buf_str(&sql))) != STORE_OK)
		goto out;
	for (size_t i = 0; i < deps.len; i += strlen((const char *)deps.data + i) + 1)
		if ((r = exec(db, (const char *)deps.data + i)) != STORE_OK)
			goto out;
	r = STORE_OK;
out:
	buf_release(&create);
	buf_release(&deps);
	buf_release(&sql);
	return r;
}

/* Notes the id of a token "kind:ID" whose kind has a table (anything else is ignored). */
static void note_token(int64_t floor[T_COUNT], const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	if (colon == NULL)
		return;
	size_t kn = (size_t)(colon - p), dn = n - kn - 1;
	const char *d = colon + 1;
	if (dn == 0 || dn > 18)
		return;
	int64_t id = 0;
	for (size_t i = 0; i < dn; i++) {
		if (d[i] < '0' || d[i] > '9')
			return;
		id = id * 10 + (d[i] - '0');
	}
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strlen(kinds[k].kind) == kn && memcmp(kinds[k].kind, p, kn) == 0 &&
		    id > floor[kinds[k].table])
			floor[kinds[k].table] = id;
}

/*
 * The ids the ledger names. An entry (core/ledger/ledger_format.c) is lines
 * "key value"; the actor's and the object's are tokens, "source:3". No value
 * holds a newline, so a line that starts "actor " is the actor's.
 */
static enum store_result ledger_floors(sqlite3 *db, int64_t floor[T_COUNT])
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT entry FROM ledger_entry", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *e = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		for (size_t i = 0; e != NULL && i < n;) {
			const char *nl = memchr(e + i, '\n', n - i);
			size_t len = nl != NULL ? (size_t)(nl - (e + i)) : n - i;
			if (len > 6 && memcmp(e + i, "actor ", 6) == 0)
				note_token(floor, e + i + 6, len - 6);
			else if (len > 7 && memcmp(e + i, "object ", 7) == 0)
				note_token(floor, e + i + 7, len - 7);
			i += len + 1;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : sq_map(rc);
}

static enum store_result ref_floors(sqlite3 *db, int64_t floor[T_COUNT])
{
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, refs[i].sql, -1, &st, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t v = sqlite3_column_int64(st, 0);
			if (v > floor[refs[i].table])
				floor[refs[i].table] = v;
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return sq_map(rc);
	}
	return STORE_OK;
}

/* sqlite_sequence's row of table raised to at least v. */
static enum store_result raise_seq(sqlite3 *db, const char *table, int64_t v)
{
	static const char *const q[] = {
	        "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1 AND seq < ?2",
	        "INSERT INTO sqlite_sequence(name, seq) SELECT ?1, ?2"
	        " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 2, v);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return sq_map(rc == SQLITE_OK ? SQLITE_ERROR : rc);
	}
	return STORE_OK;
}

static enum store_result never_reused(sqlite3 *db)
{
	enum store_result r;
	int64_t floor[T_COUNT] = {0};
	for (int t = 0; t < T_COUNT; t++)
		if ((r = rebuild(db, tables[t])) != STORE_OK)
			return r;
	if ((r = ledger_floors(db, floor)) != STORE_OK || (r = ref_floors(db, floor)) != STORE_OK)
		return r;
	for (int t = 0; t < T_COUNT; t++)
		if (floor[t] > 0 && (r = raise_seq(db, tables[t], floor[t])) != STORE_OK)
			return r;
	return STORE_OK;
}

static const char *const ids_steps[] = {
        /* 1: AUTOINCREMENT, and sqlite_sequence from the ledger (C: never_reused) */
        NULL,
};
static const sq_step_fn ids_fns[] = {
        never_reused,
};
_Static_assert(sizeof ids_steps / sizeof ids_steps[0] == sizeof ids_fns / sizeof ids_fns[0],
               "one function (or NULL) per step");

const struct sq_schema_part sq_part_ids = {
        .name = "ids",
        .steps = ids_steps,
        .nsteps = (int)(sizeof ids_steps / sizeof ids_steps[0]),
        .fns = ids_fns,
};
