/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_store_ids: an id names one object for the instance's life. Delete the
 * newest source, submission, file, reply, blob or officer and create another:
 * its id is new, also across a close and reopen. The migration's seeding (ids
 * the ledger and stored references name) and its foreign-key check. The
 * migration from the previous schema itself: tests/integration/test_ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/store/store.h"
#include "core/store/store_officer.h"
#include "core/store/store_registry.h"
#include "t.h"

#include "lib/banned.h"

static char dir[] = "/tmp/cutout-test-ids-XXXXXX";
static char path[128];

/* Raw SQL on the database, outside the store (foreign keys off: SQLite's default). */
static int sql(const char *q)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, q, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int64_t sql_int(const char *q)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static store_id source(struct store *s, int i)
{
	uint8_t lookup[STORE_LOOKUP_LEN] = {0}, pk[STORE_PK_LEN] = {0};
	store_id id = 0;
	memcpy(lookup, &i, sizeof i);
	return store_source_create(s, lookup, pk, 100, &id) == STORE_OK ? id : 0;
}

static store_id blob(struct store *s)
{
	store_id id = 0;
	return store_blob_put(s, (const uint8_t *)"sealed", 6, &id) == STORE_OK ? id : 0;
}

/* A submission with one file; *file gets the file's id. */
static store_id submit(struct store *s, store_id src, store_id *file)
{
	struct store_new_file f = {.meta_blob = blob(s), .data_blob = blob(s)};
	store_id id = 0;
	if (store_submission_commit(s, src, 100, "OFFICIAL", 0, blob(s), &f, 1, &id) != STORE_OK)
		return 0;
	return id;
}

static int file_id(void *ctx, const struct store_file *f)
{
	*(store_id *)ctx = f->id;
	return 0;
}

static store_id file_of(struct store *s, store_id sub)
{
	store_id id = 0;
	return store_submission_files(s, sub, file_id, &id) == STORE_OK ? id : 0;
}

static store_id reply(struct store *s, store_id src)
{
	store_id id = 0;
	return store_reply_add(s, src, 100, blob(s), &id) == STORE_OK ? id : 0;
}

static store_id officer(struct store *s, const char *name)
{
	struct store_officer *o = calloc(1, sizeof *o);
	store_id id = 0;
	if (o == NULL)
		return 0;
	memcpy(o->name, name, strlen(name) + 1);
	o->roles = 1;
	memcpy(o->clearance, "OFFICIAL", sizeof "OFFICIAL");
	memcpy(o->nationality, "GBR", 4);
	if (store_officer_insert(s, o, &id) != STORE_OK)
		id = 0;
	free(o);
	return id;
}

static store_id report(struct store *s, const struct store_cite *cites, size_t ncites)
{
	store_id mid = 0, id = 0;
	int64_t reader = 1;
	if (store_marking_id(s, "OFFICIAL", &mid) != STORE_OK ||
	    store_report_insert(s, 1, 100, mid, 1, (const uint8_t *)"body", 4, &reader, 1, cites,
	                        ncites, &id) != STORE_OK)
		return 0;
	return id;
}

static void reopen(struct store **s)
{
	store_close(s);
	T_CHECK(store_open(path, s) == STORE_OK);
}

/* Delete the newest of each kind, create another: never the same id. */
static void test_never_reused(struct store **sp)
{
	struct store *s = *sp;
	store_id a = source(s, 1), b = source(s, 2);
	store_id fa = 0, fb = 0;
	store_id sa = submit(s, a, &fa), sb = submit(s, b, &fb);
	fa = file_of(s, sa);
	fb = file_of(s, sb);
	store_id ra = reply(s, a), rb = reply(s, b);
	T_CHECK(a && b && sa && sb && fa && fb && ra && rb && b > a && sb > sa && rb > ra);

	store_id x1 = blob(s);
	T_CHECK(x1 && store_blob_delete(s, x1) == STORE_OK);
	store_id x2 = blob(s);
	T_OK(x2 > x1, "a blob after the newest was deleted: %lld, not %lld again", (long long)x2,
	     (long long)x1);

	/* b is the newest source; its submission, file and reply are the newest too */
	T_CHECK(store_source_delete(s, b) == STORE_OK);
	store_id c = source(s, 3), fc = 0, sc = submit(s, c, &fc), rc = reply(s, c);
	fc = file_of(s, sc);
	T_OK(c > b, "a source after the newest was deleted: %lld, not %lld again", (long long)c,
	     (long long)b);
	T_OK(sc > sb, "its submission: %lld, not %lld again", (long long)sc, (long long)sb);
	T_OK(fc > fb, "its file: %lld, not %lld again", (long long)fc, (long long)fb);
	T_OK(rc > rb, "its reply: %lld, not %lld again", (long long)rc, (long long)rb);

	T_CHECK(store_reply_delete(s, c, rc) == STORE_OK);
	store_id rc2 = reply(s, c);
	T_OK(rc2 > rc, "a reply after the newest was deleted: %lld, not %lld", (long long)rc2,
	     (long long)rc);
	store_id o1 = officer(s, "first");
	T_CHECK(o1 > 0 && store_officer_delete(s, o1) == STORE_OK);
	store_id o2 = officer(s, "second");
	T_OK(o2 > o1, "an officer after the newest was deleted: %lld, not %lld", (long long)o2,
	     (long long)o1);

	/* across a close and reopen */
	T_CHECK(store_source_delete(s, c) == STORE_OK);
	T_CHECK(store_officer_delete(s, o2) == STORE_OK);
	reopen(sp);
	s = *sp;
	if (s == NULL)
		return;
	store_id d = source(s, 4), fd = 0, sd = submit(s, d, &fd), rd = reply(s, d);
	fd = file_of(s, sd);
	T_OK(d > c && sd > sc && fd > fc && rd > rc2,
	     "after a reopen: source %lld > %lld, submission %lld > %lld, file %lld > %lld,"
	     " reply %lld > %lld",
	     (long long)d, (long long)c, (long long)sd, (long long)sc, (long long)fd, (long long)fc,
	     (long long)rd, (long long)rc2);
	store_id o3 = officer(s, "third");
	T_OK(o3 > o2, "and an officer %lld > %lld", (long long)o3, (long long)o2);
}

/* Every table keyed by an id of its own is AUTOINCREMENT (a table added later too). */
static void test_schema(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int keyed = 0, bad = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'", -1,
	                       &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			const char *text = (const char *)sqlite3_column_text(st, 1);
			const char *open = text ? strchr(text, '(') : NULL;
			if (name == NULL || open == NULL)
				continue;
			while (*++open == ' ')
				;
			if (strncmp(open, "id INTEGER PRIMARY KEY", 22) != 0)
				continue;
			/* blob_chunk: a blob's chunk rows, named by (blob, seq); ledger_head: one
			 * row */
			if (strcmp(name, "blob_chunk") == 0 || strcmp(name, "ledger_head") == 0)
				continue;
			keyed++;
			if (strncmp(open + 22, " AUTOINCREMENT", 14) != 0) {
				bad++;
				printf("# %s: %s\n", name, text);
			}
		}
	sqlite3_finalize(st);
	sqlite3_close(db);
	T_OK(keyed >= 10 && bad == 0, "%d tables keyed by their id, all AUTOINCREMENT", keyed);
}

/*
 * The seeding: a store whose ids step has not run (its schema_part row and
 * sqlite_sequence removed) names ids in its ledger and in references that
 * outlive their rows. Reopened, the step runs again: ids start above them.
 */
static void test_seed(struct store **sp)
{
	T_CHECK(report(*sp, NULL, 0) > 0); /* cited below */
	store_close(sp);
	int setup = sql("DELETE FROM schema_part WHERE name = 'ids'; DELETE FROM sqlite_sequence;"
	                "INSERT INTO ledger_entry(idx, entry, hashes) VALUES"
	                " (1000, 'cutout-ledger v1' || char(10) || 'index 1000' || char(10) ||"
	                " 'day 2026-01-01' || char(10) || 'actor source:40' || char(10) ||"
	                " 'action submission.seal' || char(10) || 'object submission:41' ||"
	                " char(10) || 'marking' || char(10) || 'detail' || char(10), x''),"
	                " (1001, 'cutout-ledger v1' || char(10) || 'index 1001' || char(10) ||"
	                " 'actor officer:chief' || char(10) || 'object reply:42' || char(10), x''),"
	                " (1002, 'actor admin' || char(10) || 'object report:43' || char(10) ||"
	                " 'object file:900' || char(10) || 'object reply:4x2' || char(10) ||"
	                " 'detail object source:999' || char(10), x'');"
	                "INSERT INTO marking_change(kind, object, actor, day, old, new, reason)"
	                " VALUES ('submission', 55, 9, 100, 'OFFICIAL', 'SECRET', '');"
	                "INSERT INTO report_cite(report, kind, object)"
	                " SELECT max(id), 2, 60 FROM report;");
	T_CHECK(setup == 0);
	T_CHECK(store_open(path, sp) == STORE_OK);
	struct store *s = *sp;
	if (s == NULL)
		return;
	T_CHECK(sql_int("SELECT version FROM schema_part WHERE name = 'ids'") == 1);
	store_id src = source(s, 5), f = 0, sub = submit(s, src, &f), r = reply(s, src);
	store_id o = officer(s, "fourth");
	T_OK(src == 41, "a source above source:40, the ledger's actor: %lld", (long long)src);
	T_OK(sub == 56,
	     "a submission above those the ledger (41) and a marking change (55) name: %lld",
	     (long long)sub);
	T_OK(r == 43, "a reply above reply:42: %lld (malformed tokens ignored)", (long long)r);
	T_OK(o == 10, "an officer above a marking change's actor (9): %lld", (long long)o);
	T_OK(report(s, NULL, 0) == 61, "a report above report:43 and a citation of report 60");
	T_OK(sql_int("SELECT seq FROM sqlite_sequence WHERE name = 'source'") == 41 &&
	             sql_int("SELECT seq FROM sqlite_sequence WHERE name = 'file'") < 900,
	     "only actors' and objects' ids of kinds the ledger names count: not source:999 in a"
	     " detail, nor file:900");
}

/* A migration that would leave a dangling foreign key is not committed. */
static void test_foreign_keys(struct store **sp)
{
	store_close(sp);
	T_CHECK(sql("DELETE FROM schema_part WHERE name = 'ids';"
	            "INSERT INTO reply(source_id, day, blob) VALUES (999999, 100, 1);") == 0);
	T_OK(store_open(path, sp) == STORE_CORRUPT && *sp == NULL,
	     "a dangling reference found while migrating: the store does not open");
	T_OK(sql_int("SELECT count(*) FROM schema_part WHERE name = 'ids'") == 0,
	     "and the migration was rolled back");
	T_CHECK(sql("DELETE FROM reply WHERE source_id = 999999") == 0);
	T_CHECK(store_open(path, sp) == STORE_OK);
	T_OK(sql_int("SELECT version FROM schema_part WHERE name = 'ids'") == 1,
	     "removed, the store migrates and opens");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	int n = snprintf(path, sizeof path, "%s/store.db", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return 1;
	struct store *s = NULL;
	T_CHECK(store_open(path, &s) == STORE_OK);
	if (s != NULL)
		test_never_reused(&s);
	test_schema();
	if (s != NULL)
		test_seed(&s);
	if (s != NULL)
		test_foreign_keys(&s);
	store_close(&s);
	char cmd[256];
	n = snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return t_done();
}
