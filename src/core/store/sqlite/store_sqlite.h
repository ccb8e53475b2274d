/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite.h: the inside of the SQLite backend, for its domain files only
 * (store_sqlite_<domain>.c). Nothing outside the backend includes this.
 *
 * Each domain (officers, labels, ledger, registry, ...) keeps its tables, its
 * SQL and its operations in its own file, and plugs in through:
 *
 *  - a schema part: its own ordered migration steps, applied at open after the
 *    core schema, in the order of sq_schema_parts[] in store_sqlite_schema.c. The
 *    version of each part is kept in the table schema_part(name, version).
 *    Never edit a released step: append a new one. A step is SQL, and may
 *    add a C function for what SQL cannot say (fns): it runs after the
 *    step's SQL, in the same transaction. Migrations run with foreign keys
 *    off (a table rebuilt by SQLite's drop-and-rename procedure), and every
 *    foreign key is checked before they commit.
 *
 *  - sq_write(): runs fn inside the writer thread's batch transaction, in a
 *    savepoint of its own (a failing fn is rolled back alone). With durable,
 *    sq_write returns only once the batch is committed with an fsync (group
 *    commit: one fsync for all the callers queued at that moment). fn must not
 *    block on anything but SQLite, and must not call sq_write/sq_read.
 *
 *  - sq_read(): runs fn on a pooled read connection inside one read
 *    transaction (a consistent snapshot).
 *
 *  - sq_stmt(): a prepared statement of c, cached per connection and keyed by
 *    the ADDRESS of sql, which must therefore be a string with static storage
 *    (a `static const char X[] = "..."`). Bind with sqlite3_bind_*, step, and
 *    give it back with sq_done() (reset + clear bindings). sq_exec() steps a
 *    statement that returns no row and gives it back.
 *
 * Only bound parameters: never build SQL from values.
 */
#ifndef CUTOUT_CORE_STORE_SQLITE_H
#define CUTOUT_CORE_STORE_SQLITE_H

#include <stdbool.h>

#include <sqlite3.h>

#include "core/store/store.h"

struct conn; /* one SQLite connection and its statement cache */

typedef enum store_result (*sq_fn)(struct conn *c, void *arg);

/* A migration step's C part: db is the migrating connection, inside its transaction. */
typedef enum store_result (*sq_step_fn)(sqlite3 *db);

struct sq_schema_part {
	const char *name;         /* unique, e.g. "officer" */
	const char *const *steps; /* each step one or more SQL statements (NULL: none) */
	int nsteps;
	const sq_step_fn *fns; /* NULL, or one per step, run after its SQL (NULL: none) */
};

__attribute__((warn_unused_result)) enum store_result sq_write(struct store *st, bool durable,
                                                               sq_fn fn, void *arg);
__attribute__((warn_unused_result)) enum store_result sq_read(struct store *st, sq_fn fn,
                                                              void *arg);
/*
 * sq_write (durable) for a fn that swaps blobs: it may claim the pending
 * blobs listed in claim (sq_claim; file-backed ones are made durable before
 * the transaction) and delete stored ones (sq_blob_drop; their files are
 * overwritten and removed after the commit). A failing fn leaves both as
 * they were.
 */
__attribute__((warn_unused_result)) enum store_result
sq_write_blobs(struct store *st, sq_fn fn, void *arg, const store_id *claim, size_t n);
/* Inside sq_write_blobs' fn: a pending blob becomes stored (else STORE_NOT_FOUND). */
__attribute__((warn_unused_result)) enum store_result sq_claim(struct conn *c, store_id blob);
/* Inside sq_write_blobs' fn: deletes a blob (STORE_NOT_FOUND if there is none). */
__attribute__((warn_unused_result)) enum store_result sq_blob_drop(struct conn *c, store_id blob);

__attribute__((warn_unused_result)) enum store_result sq_stmt(struct conn *c, const char *sql,
                                                              sqlite3_stmt **out);
void sq_done(sqlite3_stmt *st);
/* sq_stmt with ?1 bound to v (a text is copied); on failure nothing is left to give back. */
__attribute__((warn_unused_result)) enum store_result
sq_stmt_text(struct conn *c, const char *sql, const char *v, sqlite3_stmt **out);
__attribute__((warn_unused_result)) enum store_result sq_stmt_i64(struct conn *c, const char *sql,
                                                                  int64_t v, sqlite3_stmt **out);
/* sqlite3_bind_text (copied) and sqlite3_bind_int64, as store results. */
enum store_result sq_bind_text(sqlite3_stmt *st, int i, const char *s);
enum store_result sq_bind_i64(sqlite3_stmt *st, int i, int64_t v);
/* Steps a statement that returns no row (or ignores its row), then sq_done(). */
__attribute__((warn_unused_result)) enum store_result sq_exec(sqlite3_stmt *st);
/* An SQLite result code as a store result (SQLITE_ROW/DONE are STORE_OK). */
enum store_result sq_map(int rc);
/* sqlite3_bind_* result as a store result. */
enum store_result sq_bind(int rc);
sqlite3 *sq_db(struct conn *c);
/* Rows changed by the last statement of c. */
int sq_changes(struct conn *c);

#endif
