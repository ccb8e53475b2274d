/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_store: the store interface against the SQLite backend. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/store/blob_spill.h"
#include "core/store/store.h"
#include "core/store/sqlite/store_sqlite.h"
#include "lib/io.h"
#include "t.h"

#include "lib/banned.h"

static char dir[64];
static char dbpath[128];
static char loc[160];

static void path_in_dir(char *out, size_t cap, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap)
		abort();
}

static void rm_files(const char *where)
{
	DIR *d = opendir(where);
	struct dirent *e;
	char p[256];
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", where, e->d_name) >= (int)sizeof(p))
			abort();
		unlink(p);
	}
	closedir(d);
}

static char blobdir[160]; /* the store's directory of file-backed blobs */

static void rm_dir(void)
{
	rm_files(blobdir);
	rmdir(blobdir);
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[256];
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path_in_dir(p, sizeof(p), e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int mode_is_0600(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && (st.st_mode & 0777) == 0600;
}

/* Whether the file contains needle (a missing file contains nothing). */
static int file_contains(const char *path, const uint8_t *needle, size_t n)
{
	struct buf b;
	int found = 0;
	buf_init(&b, (size_t)1 << 30);
	if (io_read_file(path, &b) == 0 && b.len >= n)
		for (size_t i = 0; i + n <= b.len && !found; i++)
			found = memcmp(b.data + i, needle, n) == 0;
	buf_release(&b);
	return found;
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Runs statements (no rows); 0 or -1. */
static int sql_run(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Whether the first column of the first row is the text expect. */
static int sql_is(const char *path, const char *sql, const char *expect)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), expect) == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

struct collect {
	struct buf b;
};

static int collect_fn(void *ctx, const uint8_t *p, size_t n)
{
	struct collect *c = ctx;
	return buf_append(&c->b, p, n) != BUF_OK;
}

static int stop_fn(void *ctx, const uint8_t *p, size_t n)
{
	(*(int *)ctx)++;
	return 1;
}

/* Reads a whole blob; returns its result and fills out (capped at 16 MiB). */
static enum store_result read_blob(struct store *s, store_id id, struct buf *out)
{
	struct collect c;
	buf_init(&c.b, 16 << 20);
	enum store_result r = store_blob_read(s, id, collect_fn, &c);
	*out = c.b;
	return r;
}

static store_id make_blob(struct store *s, const void *p, size_t n)
{
	store_id id = 0;
	if (store_blob_create(s, &id) != STORE_OK)
		return 0;
	if (n && store_blob_append(s, id, p, n) != STORE_OK)
		return 0;
	return id;
}

static void lookup_of(uint8_t out[STORE_LOOKUP_LEN], int i)
{
	memset(out, 0, STORE_LOOKUP_LEN);
	memcpy(out, &i, sizeof(i));
	out[31] = 0xa5;
}

/* ---- listing callbacks ---- */

struct ids {
	store_id id[64];
	int n;
};

static int sub_ids(void *ctx, const struct store_submission *sub)
{
	struct ids *x = ctx;
	if (x->n < 64)
		x->id[x->n++] = sub->id;
	return 0;
}

static int src_ids(void *ctx, const struct store_source *src)
{
	struct ids *x = ctx;
	if (x->n < 64)
		x->id[x->n++] = src->id;
	return 0;
}

static int file_ids(void *ctx, const struct store_file *f)
{
	struct ids *x = ctx;
	if (x->n < 64)
		x->id[x->n++] = f->data_blob;
	return 0;
}

static int reply_ids(void *ctx, const struct store_reply *r)
{
	struct ids *x = ctx;
	if (x->n < 64)
		x->id[x->n++] = r->id;
	return 0;
}

/* ---- the files a confined door opens (store_files) ---- */

struct files_seen {
	char path[8][256];
	enum store_file_kind kind[8];
	int n, stop_at;
};

static int file_seen(void *ctx, const char *path, enum store_file_kind kind)
{
	struct files_seen *f = ctx;
	if (f->n == f->stop_at || f->n >= 8)
		return 1;
	snprintf(f->path[f->n], sizeof f->path[0], "%s", path);
	f->kind[f->n++] = kind;
	return 0;
}

static void test_files(struct store *s)
{
	char want[256];
	static const char *const suffix[] = {"", "-wal", "-shm", "-open", ".blobs/segments"};
	for (int role = STORE_ROLE_DESK; role <= STORE_ROLE_INTAKE; role++) {
		struct files_seen f = {.stop_at = -1};
		int ok = store_files(s, (enum store_role)role, file_seen, &f) == STORE_OK &&
		         f.n == 5;
		for (int i = 0; ok && i < 5; i++) {
			snprintf(want, sizeof want, "%s%s", dbpath, suffix[i]);
			ok = strcmp(f.path[i], want) == 0 && f.kind[i] == STORE_FILE;
		}
		T_OK(ok,
		     "store_files (role %d): the database, -wal, -shm, -open, the segment file; no "
		     "directory",
		     role);
	}
	struct files_seen f = {.stop_at = 2};
	T_OK(store_files(s, STORE_ROLE_INTAKE, file_seen, &f) == STORE_STOP && f.n == 2,
	     "store_files: a callback that stops it: STORE_STOP");
	T_OK(store_files(s, (enum store_role)7, file_seen, &f) == STORE_NOT_FOUND &&
	             store_files(NULL, STORE_ROLE_DESK, file_seen, &f) == STORE_NOT_FOUND,
	     "store_files: an unknown role or no store: refused");
}

static void test_open(void)
{
	struct store *s = NULL;
	char p[256];
	/* without libpq: STORE_UNSUPPORTED; with it, a malformed URI is refused */
	enum store_result r = store_open("postgres:dbname=x", &s);
	T_CHECK((r == STORE_UNSUPPORTED || r == STORE_NOT_FOUND) && s == NULL);
	/* a password in the location is refused before any connection (STORE_IO) is tried */
	r = store_open("postgresql://u:secret@127.0.0.1:1/x", &s);
	T_CHECK((r == STORE_UNSUPPORTED || r == STORE_NOT_FOUND) && s == NULL);
	T_CHECK(store_open("", &s) == STORE_NOT_FOUND && s == NULL);
	T_CHECK(store_open("sqlite:/nonexistent-dir/x.db", &s) == STORE_NOT_FOUND);
	T_CHECK(strcmp(store_strerror(STORE_UNSUPPORTED), "ok") != 0);

	T_CHECK(store_open(loc, &s) == STORE_OK && s != NULL);
	if (s == NULL)
		return;
	T_CHECK(strcmp(s->be->name, "sqlite") == 0);
	T_CHECK(store_meta_set(s, "salt", (const uint8_t *)"pepper", 6) == STORE_OK);
	T_OK(mode_is_0600(dbpath), "database file is 0600");
	path_in_dir(p, sizeof(p), "store.db-wal");
	T_OK(mode_is_0600(p), "-wal is 0600");
	path_in_dir(p, sizeof(p), "store.db-shm");
	T_OK(mode_is_0600(p), "-shm is 0600");
	path_in_dir(p, sizeof(p), "store.db-open");
	T_OK(mode_is_0600(p), "-open lock file is 0600");
	T_CHECK(sql_is(dbpath, "PRAGMA journal_mode", "wal"));
	store_close(&s);
	T_CHECK(s == NULL);
	store_close(&s); /* NULL is fine */

	/* Reopen (a plain path this time): the migrations do not run twice. */
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	uint8_t v[16];
	size_t n = 0;
	T_CHECK(store_meta_get(s, "salt", v, sizeof(v), &n) == STORE_OK && n == 6 &&
	        memcmp(v, "pepper", 6) == 0);
	store_close(&s);
	T_CHECK(sql_int(dbpath, "PRAGMA user_version") == 6);
	T_CHECK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'") == 1);

	/*
	 * A store made before the release part (issue 13): its tables and its
	 * schema_part row gone, the next open adds them (and keeps the rest).
	 */
	T_CHECK(sql_run(dbpath,
	                "DROP TABLE rel_copy; DROP TABLE rel_release_to; DROP TABLE rel_release;"
	                " DROP TABLE rel_recipient; DELETE FROM schema_part WHERE name = "
	                "'release'") == 0);
	T_CHECK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rel_%'") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	store_close(&s);
	T_OK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                     " name IN ('rel_recipient', 'rel_release', 'rel_release_to',"
	                     " 'rel_copy')") == 4 &&
	             sql_int(dbpath, "SELECT version FROM schema_part WHERE name = 'release'") == 1,
	     "an older store gains the release tables at open (schema part 'release' 1)");

	/* A store made before the liaison part (issue 14): the same. */
	T_CHECK(sql_run(dbpath, "DROP TABLE liai_sent; DROP TABLE liai_received;"
	                        " DROP TABLE liai_topic; DROP TABLE liai_partner; DELETE FROM "
	                        "schema_part WHERE name = "
	                        "'liaison'") == 0);
	T_CHECK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'liai_%'") ==
	        0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	store_close(&s);
	T_OK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                     " name IN ('liai_partner', 'liai_topic', 'liai_received',"
	                     " 'liai_sent')") == 4 &&
	             sql_int(dbpath, "SELECT version FROM schema_part WHERE name = 'liaison'") == 2,
	     "an older store gains the liaison tables at open (schema part 'liaison' 2)");

	/* likewise a store made before the safe copies (issue 18) */
	T_CHECK(sql_run(dbpath,
	                "DROP TABLE file_safe; DELETE FROM schema_part WHERE name = 'safe'") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	store_close(&s);
	T_OK(sql_int(dbpath, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
	                     " name = 'file_safe'") == 1 &&
	             sql_int(dbpath, "SELECT version FROM schema_part WHERE name = 'safe'") == 1,
	     "an older store gains the safe copies' table at open (schema part 'safe' 1)");
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_CHECK(store_meta_get(s, "salt", v, sizeof(v), &n) == STORE_OK && n == 6);
	store_close(&s);

	/* A schema newer than this code is refused. */
	char newer[160];
	path_in_dir(newer, sizeof(newer), "newer.db");
	T_CHECK(store_open(newer, &s) == STORE_OK);
	store_close(&s);
	sql_int(newer, "PRAGMA user_version = 99");
	T_CHECK(sql_int(newer, "PRAGMA user_version") == 99);
	T_CHECK(store_open(newer, &s) == STORE_CORRUPT && s == NULL);
}

static void test_meta(struct store *s)
{
	uint8_t v[STORE_META_MAX + 1];
	size_t n = 0;
	T_CHECK(store_meta_get(s, "nope", v, sizeof(v), &n) == STORE_NOT_FOUND);
	T_CHECK(store_meta_set(s, "k", (const uint8_t *)"one", 3) == STORE_OK);
	T_CHECK(store_meta_set(s, "k", (const uint8_t *)"second", 6) == STORE_OK);
	T_CHECK(store_meta_get(s, "k", v, sizeof(v), &n) == STORE_OK && n == 6 &&
	        memcmp(v, "second", 6) == 0);
	T_CHECK(store_meta_get(s, "k", v, 3, &n) == STORE_TOO_LARGE && n == 6);
	memset(v, 'x', sizeof(v));
	T_CHECK(store_meta_set(s, "big", v, STORE_META_MAX) == STORE_OK);
	T_CHECK(store_meta_set(s, "big", v, STORE_META_MAX + 1) == STORE_TOO_LARGE);
	T_CHECK(store_meta_set(s, "empty", v, 0) == STORE_OK);
	T_CHECK(store_meta_get(s, "empty", v, sizeof(v), &n) == STORE_OK && n == 0);
}

static void test_blobs(struct store *s)
{
	static const size_t sizes[] = {1, 1000, 65536, STORE_CHUNK_MAX, 7, 4097};
	size_t total = 0;
	uint8_t *data = malloc(STORE_CHUNK_MAX + 1);
	uint8_t *expect = malloc(2 * STORE_CHUNK_MAX);
	store_id id = 0, empty = 0;
	struct buf got;
	int ok = 1;

	T_CHECK(store_blob_create(s, &id) == STORE_OK && id > 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t k = 0; k < sizes[i]; k++)
			data[k] = (uint8_t)(k * 31 + i * 7 + (k >> 8));
		ok &= store_blob_append(s, id, data, sizes[i]) == STORE_OK;
		if (total + sizes[i] <= 2 * STORE_CHUNK_MAX)
			memcpy(expect + total, data, sizes[i]);
		total += sizes[i];
	}
	T_OK(ok, "appends of several chunk sizes");
	uint64_t size = 0;
	T_CHECK(store_blob_size(s, id, &size) == STORE_OK && size == total);
	T_CHECK(read_blob(s, id, &got) == STORE_OK);
	T_OK(got.len == total && total <= 2 * STORE_CHUNK_MAX &&
	             memcmp(got.data, expect, total) == 0,
	     "blob reads back in order");
	buf_release(&got);
	int calls = 0;
	T_CHECK(store_blob_read(s, id, stop_fn, &calls) == STORE_STOP && calls == 1);
	T_CHECK(store_blob_append(s, id, data, STORE_CHUNK_MAX + 1) == STORE_TOO_LARGE);
	T_CHECK(store_blob_size(s, id, &size) == STORE_OK && size == total);
	T_CHECK(store_blob_append(s, 999999, data, 10) == STORE_NOT_FOUND);
	T_CHECK(store_blob_read(s, 999999, collect_fn, NULL) == STORE_NOT_FOUND);
	T_CHECK(store_blob_size(s, 999999, &size) == STORE_NOT_FOUND);
	T_CHECK(store_blob_create(s, &empty) == STORE_OK && empty != id);
	T_CHECK(read_blob(s, empty, &got) == STORE_OK && got.len == 0);
	buf_release(&got);
	T_CHECK(store_blob_delete(s, id) == STORE_OK);
	T_CHECK(store_blob_read(s, id, collect_fn, NULL) == STORE_NOT_FOUND);
	T_CHECK(store_blob_delete(s, id) == STORE_NOT_FOUND);
	T_CHECK(store_blob_delete(s, empty) == STORE_OK);
	free(data);
	free(expect);
}

static void test_sources_submissions(struct store *s)
{
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN];
	store_id a = 0, b = 0, dup = 7;
	struct store_source src;
	struct store_submission sub;
	struct ids ids = {0};

	memset(pk, 0x42, sizeof(pk));
	lookup_of(lk, 1);
	T_CHECK(store_source_create(s, lk, pk, 100, &a) == STORE_OK && a > 0);
	T_CHECK(store_source_create(s, lk, pk, 100, &dup) == STORE_EXISTS && dup == 0);
	lookup_of(lk, 2);
	T_CHECK(store_source_create(s, lk, pk, 101, &b) == STORE_OK && b > a);
	T_CHECK(store_source_find(s, lk, &src) == STORE_OK && src.id == b &&
	        src.created_day == 101 && src.last_day == 101 && memcmp(src.pk, pk, 32) == 0);
	lookup_of(lk, 3);
	T_CHECK(store_source_find(s, lk, &src) == STORE_NOT_FOUND);
	T_CHECK(store_source_get(s, a, &src) == STORE_OK && src.id == a && src.nsubmissions == 0 &&
	        src.nunread == 0);
	T_CHECK(store_source_get(s, 12345, &src) == STORE_NOT_FOUND);

	/* Newest activity first: b (day 101) before a (day 100). */
	T_CHECK(store_source_list(s, 0, 10, src_ids, &ids) == STORE_OK && ids.n == 2 &&
	        ids.id[0] == b && ids.id[1] == a);

	/* A submission with two files. */
	store_id msg = make_blob(s, "hello", 5);
	struct store_new_file files[2] = {
	        {make_blob(s, "m1", 2), make_blob(s, "d1", 2)},
	        {make_blob(s, "m2", 2), make_blob(s, "d2", 2)},
	};
	store_id s1 = 0, s2 = 0, s3 = 0, bad = 5;
	T_CHECK(store_submission_commit(s, a, 102, "SECRET//HUMINT", 0, msg, files, 2, &s1) ==
	                STORE_OK &&
	        s1 > 0);
	T_CHECK(store_submission_get(s, s1, &sub) == STORE_OK && sub.source_id == a &&
	        sub.day == 102 && sub.message_blob == msg && sub.nfiles == 2 && !sub.read &&
	        strcmp(sub.marking, "SECRET//HUMINT") == 0);
	ids.n = 0;
	T_CHECK(store_submission_files(s, s1, file_ids, &ids) == STORE_OK && ids.n == 2 &&
	        ids.id[0] == files[0].data_blob && ids.id[1] == files[1].data_blob);
	/* The blobs are now claimed: no more appends, no second commit. */
	T_CHECK(store_blob_append(s, msg, (const uint8_t *)"x", 1) == STORE_NOT_FOUND);
	T_CHECK(store_submission_commit(s, a, 102, "", 0, msg, NULL, 0, &bad) == STORE_NOT_FOUND &&
	        bad == 0);
	/* A failed commit changes nothing (its savepoint is rolled back). */
	store_id m2 = make_blob(s, "again", 5);
	struct store_new_file badf = {files[0].meta_blob, make_blob(s, "x", 1)};
	T_CHECK(store_submission_commit(s, a, 102, "", 0, m2, &badf, 1, &bad) == STORE_NOT_FOUND);
	T_CHECK(store_source_get(s, a, &src) == STORE_OK && src.nsubmissions == 1 &&
	        src.nunread == 1 && src.last_day == 102);
	/* ... and m2 is still pending, so it can be used now. */
	T_CHECK(store_submission_commit(s, a, 103, "OFFICIAL", 0, m2, NULL, 0, &s2) == STORE_OK);
	T_CHECK(store_submission_commit(s, a, 103, "OFFICIAL", 0, 0, NULL, 0, &s3) == STORE_OK &&
	        s3 > s2 && s2 > s1);
	T_CHECK(store_submission_commit(s, 999, 103, "", 0, 0, NULL, 0, &bad) == STORE_NOT_FOUND);
	char longm[STORE_MARKING_MAX + 1];
	memset(longm, 'A', sizeof(longm));
	longm[STORE_MARKING_MAX] = '\0';
	T_CHECK(store_submission_commit(s, a, 103, longm, 0, 0, NULL, 0, &bad) == STORE_TOO_LARGE);
	longm[STORE_MARKING_MAX - 1] = '\0';
	store_id s4 = 0;
	T_CHECK(store_submission_commit(s, a, 103, longm, 0, 0, NULL, 0, &s4) == STORE_OK);
	T_CHECK(store_submission_get(s, s4, &sub) == STORE_OK &&
	        strlen(sub.marking) == STORE_MARKING_MAX - 1);

	T_CHECK(store_source_get(s, a, &src) == STORE_OK && src.nsubmissions == 4 &&
	        src.nunread == 4 && src.last_day == 103);
	/* a now has the newest activity. */
	ids.n = 0;
	T_CHECK(store_source_list(s, 0, 10, src_ids, &ids) == STORE_OK && ids.n == 2 &&
	        ids.id[0] == a && ids.id[1] == b);
	ids.n = 0;
	T_CHECK(store_source_list(s, 1, 10, src_ids, &ids) == STORE_OK && ids.n == 1 &&
	        ids.id[0] == b);

	/* Listing: oldest first, with paging. */
	ids.n = 0;
	T_CHECK(store_submission_list(s, a, 0, 100, sub_ids, &ids) == STORE_OK && ids.n == 4 &&
	        ids.id[0] == s1 && ids.id[1] == s2 && ids.id[2] == s3 && ids.id[3] == s4);
	ids.n = 0;
	T_CHECK(store_submission_list(s, a, 1, 2, sub_ids, &ids) == STORE_OK && ids.n == 2 &&
	        ids.id[0] == s2 && ids.id[1] == s3);
	ids.n = 0;
	T_CHECK(store_submission_list(s, b, 0, 100, sub_ids, &ids) == STORE_OK && ids.n == 0);

	int64_t count = -1;
	T_CHECK(store_submission_count_day(s, a, 103, &count) == STORE_OK && count == 3);
	/* Only the latest day is counted (the quota asks about today). */
	T_CHECK(store_submission_count_day(s, a, 102, &count) == STORE_OK && count == 0);
	T_CHECK(store_submission_count_day(s, b, 103, &count) == STORE_OK && count == 0);

	T_CHECK(store_submission_mark_read(s, s2) == STORE_OK);
	T_CHECK(store_submission_mark_read(s, s2) == STORE_OK); /* twice: counted once */
	T_CHECK(store_submission_get(s, s2, &sub) == STORE_OK && sub.read);
	T_CHECK(store_source_get(s, a, &src) == STORE_OK && src.nunread == 3 &&
	        src.nsubmissions == 4);
	T_CHECK(store_submission_mark_read(s, 99999) == STORE_NOT_FOUND);

	/* Replies. */
	store_id r1 = 0, r2 = 0, rb = make_blob(s, "reply-one", 9);
	T_CHECK(store_reply_add(s, a, 104, rb, &r1) == STORE_OK && r1 > 0);
	T_CHECK(store_reply_add(s, a, 104, rb, &bad) == STORE_NOT_FOUND); /* claimed already */
	T_CHECK(store_reply_add(s, 99999, 104, make_blob(s, "z", 1), &bad) == STORE_NOT_FOUND);
	T_CHECK(store_reply_add(s, b, 104, make_blob(s, "reply-b", 7), &r2) == STORE_OK);
	ids.n = 0;
	T_CHECK(store_reply_list(s, a, reply_ids, &ids) == STORE_OK && ids.n == 1 &&
	        ids.id[0] == r1);
	T_CHECK(store_reply_delete(s, a, r2) == STORE_NOT_FOUND); /* b's reply */
	ids.n = 0;
	T_CHECK(store_reply_list(s, b, reply_ids, &ids) == STORE_OK && ids.n == 1);
	T_CHECK(store_reply_delete(s, a, r1) == STORE_OK);
	T_CHECK(store_blob_size(s, rb, &(uint64_t){0}) == STORE_NOT_FOUND);
	ids.n = 0;
	T_CHECK(store_reply_list(s, a, reply_ids, &ids) == STORE_OK && ids.n == 0);
	store_id r3 = 0, rb3 = make_blob(s, "reply-three", 11);
	T_CHECK(store_reply_add(s, a, 104, rb3, &r3) == STORE_OK);

	/* Deleting a source removes everything of it, and nothing of others. */
	T_CHECK(store_source_delete(s, a) == STORE_OK);
	T_CHECK(store_source_get(s, a, &src) == STORE_NOT_FOUND);
	T_CHECK(store_submission_get(s, s1, &sub) == STORE_NOT_FOUND);
	T_CHECK(store_submission_get(s, s4, &sub) == STORE_NOT_FOUND);
	int gone = 1;
	store_id blobs[] = {msg,
	                    m2,
	                    files[0].meta_blob,
	                    files[0].data_blob,
	                    files[1].meta_blob,
	                    files[1].data_blob,
	                    rb3};
	for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++)
		gone &= store_blob_read(s, blobs[i], collect_fn, NULL) == STORE_NOT_FOUND;
	T_OK(gone, "source_delete removed every blob of the source");
	ids.n = 0;
	T_CHECK(store_submission_files(s, s1, file_ids, &ids) == STORE_OK && ids.n == 0);
	ids.n = 0;
	T_CHECK(store_reply_list(s, a, reply_ids, &ids) == STORE_OK && ids.n == 0);
	T_CHECK(store_source_delete(s, a) == STORE_NOT_FOUND);
	T_CHECK(store_source_get(s, b, &src) == STORE_OK);
	ids.n = 0;
	T_CHECK(store_reply_list(s, b, reply_ids, &ids) == STORE_OK && ids.n == 1);
	lookup_of(lk, 1);
	T_CHECK(store_source_create(s, lk, pk, 105, &dup) == STORE_OK); /* lookup free again */
}

/* Pending blobs are removed on reopen; deleted bytes are overwritten in the file. */
static void test_pending_and_secure_delete(void)
{
	struct store *s = NULL;
	uint8_t keep[64], pend[64], del[64];
	char wal[160];
	path_in_dir(wal, sizeof(wal), "store.db-wal");
	randombytes_buf(keep, sizeof(keep));
	randombytes_buf(pend, sizeof(pend));
	randombytes_buf(del, sizeof(del));

	if (store_open(loc, &s) != STORE_OK) {
		T_OK(0, "reopen");
		return;
	}
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {0};
	store_id src = 0, sk = 0, sd = 0;
	lookup_of(lk, 50);
	T_CHECK(store_source_create(s, lk, pk, 1, &src) == STORE_OK);
	store_id bk = make_blob(s, keep, sizeof(keep));
	store_id bd = make_blob(s, del, sizeof(del));
	T_CHECK(store_submission_commit(s, src, 1, "", 0, bk, NULL, 0, &sk) == STORE_OK);
	T_CHECK(store_submission_commit(s, src, 1, "", 0, bd, NULL, 0, &sd) == STORE_OK);
	store_id bp = make_blob(s, pend, sizeof(pend)); /* never committed */
	T_CHECK(bp > 0 && store_blob_size(s, bp, &(uint64_t){0}) == STORE_OK);
	store_close(&s);
	T_OK(file_contains(dbpath, pend, sizeof(pend)) && file_contains(dbpath, del, sizeof(del)),
	     "the bytes are in the file before deletion (the grep works)");

	T_CHECK(store_open(loc, &s) == STORE_OK);
	if (s == NULL)
		return;
	T_CHECK(store_blob_size(s, bp, &(uint64_t){0}) == STORE_NOT_FOUND);
	T_CHECK(store_blob_size(s, bk, &(uint64_t){0}) == STORE_OK);
	/* Delete via the blob, then close: the bytes must be gone from the files. */
	T_CHECK(store_blob_delete(s, bd) == STORE_OK);
	store_close(&s);
	T_OK(!file_contains(dbpath, pend, sizeof(pend)) && !file_contains(wal, pend, sizeof(pend)),
	     "a pending blob's bytes are overwritten on reopen");
	T_OK(!file_contains(dbpath, del, sizeof(del)) && !file_contains(wal, del, sizeof(del)),
	     "a deleted blob's bytes are overwritten (secure_delete)");
	T_OK(file_contains(dbpath, keep, sizeof(keep)), "committed bytes kept");
}

/* ---- blobs beyond their first chunk (file-backed) ---- */

/* Whether any file of the store (database, WAL, blob files) contains needle. */
static int store_contains(const uint8_t *needle, size_t n)
{
	const char *where[] = {dir, blobdir};
	int found = 0;
	for (size_t w = 0; w < 2; w++) {
		DIR *d = opendir(where[w]);
		struct dirent *e;
		char p[256];
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' ||
			    snprintf(p, sizeof(p), "%s/%s", where[w], e->d_name) >= (int)sizeof(p))
				continue;
			found |= file_contains(p, needle, n);
		}
		closedir(d);
	}
	return found;
}

static int count_files(const char *where)
{
	DIR *d = opendir(where);
	struct dirent *e;
	int n = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The large blobs in the segment file of the blob directory (one file for all). */
static int count_blobs(void)
{
	struct blob_spill *bs = NULL;
	uint64_t blobs = 0, extents = 0;
	int n = -1;
	if (blob_spill_open(blobdir, &bs) == STORE_OK &&
	    blob_spill_usage(bs, &blobs, &extents) == STORE_OK && count_files(blobdir) == 1)
		n = (int)blobs;
	blob_spill_close(&bs);
	return n;
}

/* A blob of n bytes from p, in irregular chunks (the first one by blob_put). */
static store_id make_big(struct store *s, const uint8_t *p, size_t n)
{
	store_id b = 0;
	size_t first = n < 100000 ? n : 100000, off = first;
	if (store_blob_put(s, p, first, &b) != STORE_OK)
		return 0;
	for (size_t k = 0; off < n; k++) {
		size_t c = 1 + (k * 7919 + 12345) % STORE_CHUNK_MAX;
		if (c > n - off)
			c = n - off;
		if (store_blob_append(s, b, p + off, c) != STORE_OK)
			return 0;
		off += c;
	}
	return b;
}

static void test_file_blobs(void)
{
	const size_t big = 5 * 1024 * 1024;
	struct store *s = NULL;
	struct buf got;
	uint8_t *a = malloc(big), *pend = malloc(600000), *del = malloc(600000);
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {0};
	store_id src = 0, src2 = 0, sub = 0;
	struct stat sb;
	if (a == NULL || pend == NULL || del == NULL || store_open(loc, &s) != STORE_OK) {
		T_OK(0, "file blobs setup");
		goto out;
	}
	randombytes_buf(a, big);
	randombytes_buf(pend, 600000);
	randombytes_buf(del, 600000);
	lookup_of(lk, 60);
	T_CHECK(store_source_create(s, lk, pk, 1, &src) == STORE_OK);
	lookup_of(lk, 61);
	T_CHECK(store_source_create(s, lk, pk, 1, &src2) == STORE_OK);

	store_id ba = make_big(s, a, big);
	uint64_t size = 0;
	T_CHECK(ba > 0 && store_blob_size(s, ba, &size) == STORE_OK && size == big);
	T_CHECK(count_blobs() >= 1); /* and the segment file alone in the directory */
	T_CHECK(stat(blobdir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	T_OK(read_blob(s, ba, &got) == STORE_OK && got.len == big && memcmp(got.data, a, big) == 0,
	     "a pending 5 MiB blob reads back");
	buf_release(&got);
	T_CHECK(store_submission_commit(s, src, 1, "", 0, ba, NULL, 0, &sub) == STORE_OK);
	T_CHECK(store_blob_append(s, ba, a, 10) == STORE_NOT_FOUND); /* claimed: closed */
	T_CHECK(store_blob_size(s, ba, &size) == STORE_OK && size == big);
	T_CHECK(sql_int(dbpath, "SELECT count(*) FROM blob WHERE file IS NOT NULL") >= 1);

	store_id bp = make_big(s, pend, 600000); /* never committed */
	store_id bd = make_big(s, del, 600000);
	T_CHECK(bp > 0 && bd > 0 &&
	        store_submission_commit(s, src, 1, "", 0, bd, NULL, 0, &sub) == STORE_OK);
	/* a second source with a file-backed file and reply, removed by source_delete */
	store_id m = make_blob(s, "m", 1), fm = make_blob(s, "f", 1);
	store_id fd = make_big(s, a + 1000, 700000), rb = make_big(s, a + 2000, 300000);
	struct store_new_file nf = {fm, fd};
	store_id rid = 0;
	T_CHECK(store_submission_commit(s, src2, 1, "", 0, m, &nf, 1, &sub) == STORE_OK);
	T_CHECK(store_reply_add(s, src2, 1, rb, &rid) == STORE_OK);
	store_close(&s);
	int before = count_blobs();
	T_OK(store_contains(pend + 300000, 64) && store_contains(del + 300000, 64),
	     "file-backed bytes are in the store directory before deletion (the grep works)");

	T_CHECK(store_open(loc, &s) == STORE_OK);
	if (s == NULL)
		goto out;
	T_CHECK(count_blobs() == before - 1);
	T_OK(!store_contains(pend + 300000, 64),
	     "a pending file-backed blob's file is removed on reopen");
	T_CHECK(store_blob_delete(s, bd) == STORE_OK);
	T_OK(!store_contains(del + 300000, 64) && count_blobs() == before - 2,
	     "a deleted file-backed blob's bytes are gone from the store directory");
	T_CHECK(store_source_delete(s, src2) == STORE_OK);
	T_OK(count_blobs() == before - 4 && count_blobs() == 1,
	     "source_delete removes its file-backed blobs");
	T_OK(read_blob(s, ba, &got) == STORE_OK && got.len == big && memcmp(got.data, a, big) == 0,
	     "a committed 5 MiB blob in irregular chunks reads back after reopen");
	buf_release(&got);
	/* a pending file-backed blob deleted before any commit */
	store_id bq = make_big(s, pend, 600000);
	int with = count_blobs();
	T_CHECK(bq > 0 && store_blob_delete(s, bq) == STORE_OK && count_blobs() == with - 1);
	store_close(&s);
out:
	free(a);
	free(pend);
	free(del);
}

/* A store made before the segment file: a large blob's rest in a file of its own. */
static void test_legacy_move(void)
{
	const size_t big = 1500000, first = 100000; /* make_big: the first 100,000 bytes in a row */
	struct store *s = NULL;
	struct buf got;
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {0};
	store_id src = 0, sub = 0;
	uint8_t *a = malloc(big);
	char p[512], q[256];
	if (a == NULL || store_open(loc, &s) != STORE_OK) {
		T_OK(0, "legacy setup");
		free(a);
		return;
	}
	randombytes_buf(a, big);
	lookup_of(lk, 70);
	T_CHECK(store_source_create(s, lk, pk, 1, &src) == STORE_OK);
	store_id b = make_big(s, a, big);
	T_CHECK(b > 0 && store_submission_commit(s, src, 1, "", 0, b, NULL, 0, &sub) == STORE_OK);
	store_close(&s);
	const long long legacy = 0x0123456789abcdefLL;
	snprintf(p, sizeof p, "%s/0123456789abcdef", blobdir);
	FILE *f = fopen(p, "wb");
	T_CHECK(f != NULL && fwrite(a + first, 1, big - first, f) == big - first);
	if (f)
		fclose(f);
	snprintf(q, sizeof q, "UPDATE blob SET file = %lld WHERE id = %lld", legacy, (long long)b);
	T_CHECK(sql_run(dbpath, q) == 0);
	T_CHECK(store_open(loc, &s) == STORE_OK);
	snprintf(q, sizeof q, "SELECT file FROM blob WHERE id = %lld", (long long)b);
	int64_t tok = sql_int(dbpath, q);
	T_OK(s != NULL && access(p, F_OK) != 0 && tok > 0 && tok != legacy &&
	             count_files(blobdir) == 1 && read_blob(s, b, &got) == STORE_OK &&
	             got.len == big && memcmp(got.data, a, big) == 0,
	     "a per-blob file of an older store moves into the segment file at the first open: "
	     "its row names the new blob, the file is gone, the blob reads back whole");
	buf_release(&got);
	store_close(&s);
	free(a);
}

/* ---- concurrency ---- */

#define NTHREADS 16
#define PER_THREAD 200
#define NSRC 4

struct worker {
	struct store *s;
	store_id src[NSRC];
	store_id ids[PER_THREAD];
	int n;
	int errors;
	int idx;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t msg[1024];
	memset(msg, w->idx, sizeof(msg));
	for (int i = 0; i < PER_THREAD; i++) {
		store_id b = make_blob(w->s, msg, sizeof(msg)), id = 0;
		if (b == 0 || store_submission_commit(w->s, w->src[(w->idx + i) % NSRC], 200,
		                                      "OFFICIAL", 0, b, NULL, 0, &id) != STORE_OK) {
			w->errors++;
			continue;
		}
		w->ids[w->n++] = id;
	}
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	store_id x = *(const store_id *)a, y = *(const store_id *)b;
	return (x > y) - (x < y);
}

static void test_concurrency(void)
{
	struct store *s = NULL;
	static struct worker w[NTHREADS];
	static store_id all[NTHREADS * PER_THREAD];
	pthread_t th[NTHREADS];
	store_id src[NSRC];
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {0};
	if (store_open(loc, &s) != STORE_OK) {
		T_OK(0, "open for concurrency");
		return;
	}
	int ok = 1;
	for (int i = 0; i < NSRC; i++) {
		lookup_of(lk, 1000 + i);
		ok &= store_source_create(s, lk, pk, 200, &src[i]) == STORE_OK;
	}
	T_CHECK(ok);
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.s = s, .idx = i};
		memcpy(w[i].src, src, sizeof(src));
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			abort();
	}
	int n = 0, errors = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		errors += w[i].errors;
		for (int k = 0; k < w[i].n; k++)
			all[n++] = w[i].ids[k];
	}
	T_OK(errors == 0 && n == NTHREADS * PER_THREAD, "%d threads x %d durable commits", NTHREADS,
	     PER_THREAD);
	qsort(all, (size_t)n, sizeof(all[0]), cmp_id);
	int distinct = n > 0;
	for (int i = 1; i < n; i++)
		distinct &= all[i] != all[i - 1];
	T_OK(distinct, "all submission ids distinct");
	int64_t total = 0, unread = 0, day = 0;
	for (int i = 0; i < NSRC; i++) {
		struct store_source x;
		int64_t c = 0;
		if (store_source_get(s, src[i], &x) == STORE_OK) {
			total += x.nsubmissions;
			unread += x.nunread;
		}
		if (store_submission_count_day(s, src[i], 200, &c) == STORE_OK)
			day += c;
	}
	T_CHECK(total == NTHREADS * PER_THREAD && unread == total && day == total);
	store_close(&s);
}

/* ---- crash: kill -9 a committing child; every acknowledged commit survives ---- */

/* Every 4th crash-test blob is file-backed: its size and bytes follow from i. */
static size_t crash_size(uint32_t i)
{
	return i % 4 == 3 ? 300000 + (i % 7) * 1000 : 1024;
}

static void crash_bytes(uint8_t *p, size_t n, uint32_t i)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)(i + k * 31 + (k >> 10));
}

static void crash_child(int wfd, store_id src)
{
	struct store *s = NULL;
	static uint8_t msg[400000];
	char line[96];
	if (store_open(loc, &s) != STORE_OK)
		_exit(2);
	for (uint32_t i = 0;; i++) {
		store_id b = 0, id = 0;
		size_t n = crash_size(i);
		crash_bytes(msg, n, i);
		if (n > 1024) {
			if ((b = make_big(s, msg, n)) == 0)
				_exit(3);
		} else if (store_blob_create(s, &b) != STORE_OK ||
		           store_blob_append(s, b, msg, n) != STORE_OK)
			_exit(3);
		if (store_submission_commit(s, src, 300, "", 0, b, NULL, 0, &id) != STORE_OK)
			_exit(4);
		int k = snprintf(line, sizeof(line), "%lld %lld %u\n", (long long)id, (long long)b,
		                 i);
		if (k < 0 || (size_t)k >= sizeof(line) || io_write_all(wfd, line, (size_t)k) != 0)
			_exit(5);
	}
}

static void test_crash(void)
{
	struct store *s = NULL;
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {0};
	store_id src = 0;
	int rounds_ok = 0, total_acked = 0, acked_big = 0;
	const int rounds = 10;
	lookup_of(lk, 77);
	if (store_open(loc, &s) != STORE_OK ||
	    store_source_create(s, lk, pk, 300, &src) != STORE_OK) {
		T_OK(0, "crash test setup");
		store_close(&s);
		return;
	}
	store_close(&s);
	for (int round = 0; round < rounds; round++) {
		int p[2];
		if (pipe(p) != 0)
			break;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			close(p[0]);
			crash_child(p[1], src);
		}
		close(p[1]);
		FILE *f = fdopen(p[0], "r");
		/* Wait for the first acknowledgement (a loaded machine may be slow), then kill. */
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		(void)poll(&pf, 1, 20000);
		usleep(50000 + randombytes_uniform(250000));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		int acked = 0, ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (store_open(loc, &s) != STORE_OK) {
			if (f)
				fclose(f);
			break;
		}
		long long id, b;
		unsigned i;
		static uint8_t want[400000];
		while (f && fscanf(f, "%lld %lld %u", &id, &b, &i) == 3) {
			struct store_submission sub;
			struct buf got;
			uint64_t size = 0;
			uint8_t h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
			size_t n = crash_size(i);
			acked++;
			crash_bytes(want, n, i);
			crypto_hash_sha256(h1, want, n);
			ok &= store_submission_get(s, id, &sub) == STORE_OK &&
			      sub.message_blob == b && store_blob_size(s, b, &size) == STORE_OK &&
			      size == n;
			ok &= read_blob(s, b, &got) == STORE_OK && got.len == n;
			crypto_hash_sha256(h2, got.data, got.len);
			ok &= memcmp(h1, h2, sizeof(h1)) == 0;
			acked_big += n > 1024;
			buf_release(&got);
		}
		if (f)
			fclose(f);
		store_close(&s);
		ok &= sql_int(dbpath, "SELECT count(*) FROM blob WHERE pending = 1") == 0;
		ok &= sql_is(dbpath, "PRAGMA integrity_check", "ok");
		total_acked += acked;
		if (!ok)
			printf("# crash round %d: %d acknowledged, a check failed\n", round, acked);
		rounds_ok += ok;
	}
	T_OK(rounds_ok == rounds && total_acked > 0 && acked_big > 0,
	     "kill -9 x %d: every acknowledged commit survived whole, same SHA-256 (%d acked, %d "
	     "file-backed), no pending blob left",
	     rounds, total_acked, acked_big);
	T_OK(count_blobs() == sql_int(dbpath, "SELECT count(*) FROM blob WHERE file IS NOT NULL"),
	     "after the crashes, the segment file holds exactly the claimed blobs");
	struct store_source x;
	T_CHECK(store_open(loc, &s) == STORE_OK && store_source_get(s, src, &x) == STORE_OK &&
	        x.nsubmissions >= total_acked);
	store_close(&s);
}

/* ---- the domain-file hooks (store_sqlite.h) ---- */

static const char SQL_PUT[] = "INSERT INTO meta(key, val) VALUES (?1, ?2)";
static const char SQL_GET[] = "SELECT val FROM meta WHERE key = ?1";

struct hook_arg {
	const char *key;
	int64_t val;
	bool fail_after_insert;
};

static enum store_result hook_put(struct conn *c, void *arg)
{
	struct hook_arg *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, SQL_PUT, &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_text(st, 1, a->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->val);
	if ((r = sq_exec(st)) != STORE_OK)
		return r;
	return a->fail_after_insert ? STORE_CORRUPT : STORE_OK;
}

static enum store_result hook_get(struct conn *c, void *arg)
{
	struct hook_arg *a = arg;
	sqlite3_stmt *st;
	enum store_result r = sq_stmt(c, SQL_GET, &st);
	if (r != STORE_OK)
		return r;
	sqlite3_bind_text(st, 1, a->key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		a->val = sqlite3_column_int64(st, 0);
	r = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_map(rc);
	sq_done(st);
	return r;
}

static void test_hooks(struct store *s)
{
	struct hook_arg a = {.key = "hook-a", .val = 42};
	T_OK(sq_write(s, true, hook_put, &a) == STORE_OK,
	     "sq_write runs a domain function durably");
	struct hook_arg g = {.key = "hook-a"};
	T_OK(sq_read(s, hook_get, &g) == STORE_OK && g.val == 42, "sq_read sees what it wrote");
	T_OK(sq_write(s, true, hook_put, &a) == STORE_EXISTS,
	     "a unique violation in a domain function is STORE_EXISTS");
	struct hook_arg b = {.key = "hook-b", .val = 7, .fail_after_insert = true};
	T_OK(sq_write(s, false, hook_put, &b) == STORE_CORRUPT,
	     "a failing domain function returns its result");
	struct hook_arg gb = {.key = "hook-b"};
	T_OK(sq_read(s, hook_get, &gb) == STORE_NOT_FOUND,
	     "and its savepoint is rolled back: nothing it wrote remains");
	T_OK(sql_int(dbpath, "SELECT count(*) FROM schema_part") >= 0,
	     "the schema_part table exists");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	memcpy(dir, "/tmp/cutout-store-XXXXXX", sizeof("/tmp/cutout-store-XXXXXX"));
	if (mkdtemp(dir) == NULL)
		return 1;
	path_in_dir(dbpath, sizeof(dbpath), "store.db");
	if (snprintf(loc, sizeof(loc), "sqlite:%s", dbpath) >= (int)sizeof(loc) ||
	    snprintf(blobdir, sizeof(blobdir), "%s.blobs", dbpath) >= (int)sizeof(blobdir))
		return 1;

	test_open();
	struct store *s = NULL;
	T_CHECK(store_open(loc, &s) == STORE_OK);
	if (s) {
		test_meta(s);
		test_files(s);
		test_hooks(s);
		test_blobs(s);
		test_sources_submissions(s);
		store_close(&s);
	}
	test_pending_and_secure_delete();
	test_file_blobs();
	test_legacy_move();
	test_concurrency();
	test_crash();
	rm_dir();
	return t_done();
}
