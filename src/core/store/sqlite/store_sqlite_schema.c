/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_schema: the core schema of the SQLite backend, its numbered
 * steps, and the migration at open that applies them and then the schema
 * parts of the domain files (store_sqlite.h), in one transaction.
 */
#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

/* ---- the schema, migrated in order; PRAGMA user_version counts applied steps ---- */

static const char *const migrations[] = {
        /* 1: the first schema */
        "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, val BLOB NOT NULL);"
        "CREATE TABLE blob(id INTEGER PRIMARY KEY, size INTEGER NOT NULL DEFAULT 0,"
        " nchunks INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 1);"
        "CREATE INDEX blob_pending ON blob(pending) WHERE pending = 1;"
        "CREATE TABLE blob_chunk(id INTEGER PRIMARY KEY,"
        " blob_id INTEGER NOT NULL REFERENCES blob(id) ON DELETE CASCADE,"
        " seq INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE(blob_id, seq));"
        "CREATE TABLE source(id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE,"
        " pk BLOB NOT NULL, created_day INTEGER NOT NULL, last_day INTEGER NOT NULL,"
        " nsubmissions INTEGER NOT NULL DEFAULT 0, nunread INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX source_activity ON source(last_day);"
        "CREATE TABLE submission(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES source(id), day INTEGER NOT NULL,"
        " marking TEXT NOT NULL, message_blob INTEGER NOT NULL, nfiles INTEGER NOT NULL,"
        " read INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX submission_source ON submission(source_id);"
        "CREATE INDEX submission_day ON submission(source_id, day);"
        "CREATE TABLE file(id INTEGER PRIMARY KEY,"
        " submission_id INTEGER NOT NULL REFERENCES submission(id),"
        " meta_blob INTEGER NOT NULL, data_blob INTEGER NOT NULL);"
        "CREATE INDEX file_submission ON file(submission_id);"
        "CREATE TABLE reply(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES source(id), day INTEGER NOT NULL,"
        " blob INTEGER NOT NULL);"
        "CREATE INDEX reply_source ON reply(source_id);",
        /* 2: the per-day count kept in the source row, so a quota check is O(1) */
        "ALTER TABLE source ADD COLUMN day_count INTEGER NOT NULL DEFAULT 0;"
        "UPDATE source SET day_count = (SELECT count(*) FROM submission s"
        " WHERE s.source_id = source.id AND s.day = source.last_day);",
        /* 3: a blob grown beyond its first chunk keeps the rest in the file named by `file` */
        "ALTER TABLE blob ADD COLUMN file INTEGER;"
        "CREATE INDEX blob_file ON blob(file) WHERE file IS NOT NULL;",
        /* 4: the versions of the domain schema parts (store_sqlite.h) */
        "CREATE TABLE schema_part(name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);",
        /*
         * 5: the version of the marking label a submission's blobs are sealed
         * to, outside the intake label's layer (0: the intake label alone)
         */
        "ALTER TABLE submission ADD COLUMN seal_version INTEGER NOT NULL DEFAULT 0;",
        /*
         * 6: a reply's author, the days the source read or deleted it (a
         * deleted reply keeps its row, without blobs), and the desk's copy
         * sealed as the submission it answers (store.h, struct store_reply).
         * Replies from before: author 0 (not known), no desk copy, not read.
         */
        "ALTER TABLE reply ADD COLUMN author INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN read_day INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN deleted_day INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN desk_blob INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN submission_id INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN seal_version INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE reply ADD COLUMN marking TEXT NOT NULL DEFAULT '';",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * The domain parts, migrated after the core schema in this order (a part may
 * refer to the tables of the parts before it). One line per domain file.
 */
extern const struct sq_schema_part sq_schema_ledger; /* store_sqlite_ledger.c */
extern const struct sq_schema_part sq_part_officer;  /* store_sqlite_officer.c */
extern const struct sq_schema_part sq_part_desk;     /* store_sqlite_desk.c */
extern const struct sq_schema_part sq_part_registry; /* store_sqlite_registry.c */
extern const struct sq_schema_part sq_part_release;  /* store_sqlite_release.c */
extern const struct sq_schema_part sq_part_liaison;  /* store_sqlite_liaison.c */
extern const struct sq_schema_part sq_part_ids;      /* store_sqlite_ids.c  */
extern const struct sq_schema_part sq_part_safe;     /* store_sqlite_safe.c (after ids) */
extern const struct sq_schema_part sq_part_witness;  /* store_sqlite_witness.c */
extern const struct sq_schema_part sq_part_session;  /* store_sqlite_session.c */
static const struct sq_schema_part *const sq_schema_parts[] = {
        NULL, /* (keeps the array non-empty) */
        &sq_schema_ledger,
        &sq_part_officer,
        &sq_part_desk,
        &sq_part_registry,
        &sq_part_release,
        &sq_part_liaison,
        &sq_part_ids,
        &sq_part_safe,
        &sq_part_witness,
        &sq_part_session,
};
#define NPARTS (sizeof(sq_schema_parts) / sizeof(sq_schema_parts[0]))

/* ---- schema migration (at open, on the writer connection, before the threads) ---- */

static enum store_result user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? STORE_OK : sq_map(rc);
}

/*
 * Applies the steps of every domain part not yet applied (inside migrate's
 * transaction); *ran is set if one was.
 */
static enum store_result migrate_parts(sqlite3 *db, bool *ran)
{
	sqlite3_stmt *get = NULL, *set = NULL;
	enum store_result r = STORE_OK;
	int rc = sqlite3_prepare_v2(db, "SELECT version FROM schema_part WHERE name = ?1", -1, &get,
	                            NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        db,
		        "INSERT INTO schema_part(name, version) VALUES (?1, ?2)"
		        " ON CONFLICT(name) DO UPDATE SET version = excluded.version",
		        -1, &set, NULL);
	if (rc != SQLITE_OK) {
		r = sq_map(rc);
		goto out;
	}
	for (size_t i = 0; i < NPARTS; i++) {
		const struct sq_schema_part *p = sq_schema_parts[i];
		if (p == NULL)
			continue;
		int v = 0;
		sqlite3_bind_text(get, 1, p->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(get);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int(get, 0);
		else if (rc != SQLITE_DONE)
			r = sq_map(rc);
		sqlite3_reset(get);
		if (r != STORE_OK)
			goto out;
		if (v < 0 || v > p->nsteps) {
			r = STORE_CORRUPT; /* written by a newer cutout */
			goto out;
		}
		if (v == p->nsteps)
			continue;
		for (int k = v; k < p->nsteps; k++) {
			if (p->steps[k] != NULL &&
			    sqlite3_exec(db, p->steps[k], NULL, NULL, NULL) != SQLITE_OK) {
				r = sq_map(sqlite3_extended_errcode(db));
				goto out;
			}
			if (p->fns != NULL && p->fns[k] != NULL && (r = p->fns[k](db)) != STORE_OK)
				goto out;
		}
		*ran = true;
		sqlite3_bind_text(set, 1, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(set, 2, p->nsteps);
		rc = sqlite3_step(set);
		sqlite3_reset(set);
		if (rc != SQLITE_DONE) {
			r = sq_map(rc);
			goto out;
		}
	}
out:
	sqlite3_finalize(get);
	sqlite3_finalize(set);
	return r;
}

/* STORE_CORRUPT if a row refers to a row that is not there (PRAGMA foreign_key_check). */
static enum store_result foreign_keys_hold(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : rc == SQLITE_ROW ? STORE_CORRUPT : sq_map(rc);
}

/*
 * Runs the steps not yet applied, in one transaction. Foreign keys are off
 * meanwhile (a table is rebuilt by SQLite's procedure: create, copy, drop,
 * rename; a DROP TABLE would otherwise delete rows, even cascade) and checked
 * before the commit. The pragma is a no-op inside a transaction.
 */
enum store_result sq_migrate(struct conn *c)
{
	enum store_result r;
	int v = 0;
	bool ran = false; /* a step was applied */
	char sql[64];
	if (sq_set_sync(c, true) != STORE_OK) /* not allowed inside a transaction */
		return STORE_IO;
	if (sqlite3_exec(c->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK)
		return sq_map(sqlite3_extended_errcode(c->db));
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		r = sq_map(sqlite3_extended_errcode(c->db));
		goto fk_on;
	}
	if ((r = user_version(c->db, &v)) != STORE_OK)
		goto out;
	if (v > NMIGRATIONS || v < 0) {
		r = STORE_CORRUPT; /* written by a newer cutout */
		goto out;
	}
	for (int i = v; i < NMIGRATIONS; i++) {
		if (sqlite3_exec(c->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			r = sq_map(sqlite3_extended_errcode(c->db));
			goto out;
		}
	}
	ran = v < NMIGRATIONS;
	if ((r = migrate_parts(c->db, &ran)) != STORE_OK)
		goto out;
	if (ran && (r = foreign_keys_hold(c->db)) != STORE_OK)
		goto out;
	if (v < NMIGRATIONS) {
		/* PRAGMA takes no parameters; the value is our own constant. */
		int n = snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NMIGRATIONS);
		if (n < 0 || (size_t)n >= sizeof(sql)) {
			r = STORE_IO;
			goto out;
		}
		if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			r = sq_map(sqlite3_extended_errcode(c->db));
			goto out;
		}
	}
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		r = sq_map(sqlite3_extended_errcode(c->db));
		goto out;
	}
	goto fk_on;
out:
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (r == STORE_OK)
		r = STORE_IO;
fk_on:
	if (sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK &&
	    r == STORE_OK)
		r = STORE_IO;
	return r;
}
