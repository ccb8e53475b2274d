/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_check: what `cutout check` asks of the backend: SQLite's own
 * check of the database (integrity_check; quick_check, bounded in time, at a
 * door's start) and the list of the stored blobs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

struct check_arg {
	bool quick;
	char *msg;
	size_t cap;
	int64_t deadline; /* quick: ms of CLOCK_MONOTONIC when it stops */
	bool stopped;
};

#define QUICK_CHECK_MS 5000 /* a door's start waits at most this long for quick_check */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int past_deadline(void *arg)
{
	struct check_arg *a = arg;
	return a->stopped = now_ms() >= a->deadline;
}

/*
 * PRAGMA quick_check or integrity_check: one row "ok", or rows of what is
 * wrong (the first kept). quick_check is stopped at QUICK_CHECK_MS: STORE_OK
 * with a note in msg (so a door's start stays bounded on a large store).
 */
static enum store_result check_fn(struct conn *c, void *arg)
{
	struct check_arg *a = arg;
	sqlite3_stmt *q = NULL;
	const char *sql = a->quick ? "PRAGMA quick_check(1)" : "PRAGMA integrity_check(1)";
	int rc = sqlite3_prepare_v2(sq_db(c), sql, -1, &q, NULL);
	if (rc != SQLITE_OK) {
		snprintf(a->msg, a->cap, "%s", sqlite3_errmsg(sq_db(c)));
		sqlite3_finalize(q);
		return sq_map(rc) == STORE_OK ? STORE_IO : sq_map(rc);
	}
	enum store_result r = STORE_OK;
	if (a->quick) {
		a->deadline = now_ms() + QUICK_CHECK_MS;
		sqlite3_progress_handler(sq_db(c), 100000, past_deadline, a);
	}
	rc = sqlite3_step(q);
	sqlite3_progress_handler(sq_db(c), 0, NULL, NULL);
	if (rc == SQLITE_INTERRUPT && a->stopped) {
		snprintf(a->msg, a->cap,
		         "quick_check stopped after %d s (a large store): run"
		         " cutout check",
		         QUICK_CHECK_MS / 1000);
	} else if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(q, 0);
		if (t == NULL || strcmp((const char *)t, "ok") != 0) {
			snprintf(a->msg, a->cap, "%s", t != NULL ? (const char *)t : "(no answer)");
			r = STORE_CORRUPT;
		}
	} else {
		snprintf(a->msg, a->cap, "%s", sqlite3_errmsg(sq_db(c)));
		r = sq_map(rc) == STORE_OK ? STORE_CORRUPT : sq_map(rc);
	}
	sqlite3_finalize(q);
	for (char *m = a->msg; *m != '\0'; m++) /* SQLite's report spans lines: one line here */
		if (*m == '\n')
			*m = ' ';
	return r;
}

enum store_result sq_check(struct store *st, bool quick, char *msg, size_t cap)
{
	struct check_arg a = {.quick = quick, .msg = msg, .cap = cap};
	return sq_read(st, check_fn, &a);
}

struct list_arg {
	store_id after;
	store_id *ids;
	size_t cap, *n;
};

static const char BLOB_LIST[] = "SELECT id FROM blob WHERE id > ?1 AND pending = 0 ORDER BY id"
                                " LIMIT ?2";

static enum store_result list_fn(struct conn *c, void *arg)
{
	struct list_arg *a = arg;
	sqlite3_stmt *q;
	enum store_result r = sq_stmt(c, BLOB_LIST, &q);
	if (r != STORE_OK)
		return r;
	if ((r = sq_bind_i64(q, 1, a->after)) != STORE_OK ||
	    (r = sq_bind_i64(q, 2, (int64_t)a->cap)) != STORE_OK) {
		sq_done(q);
		return r;
	}
	int rc = SQLITE_DONE;
	while (*a->n < a->cap && (rc = sqlite3_step(q)) == SQLITE_ROW)
		a->ids[(*a->n)++] = sqlite3_column_int64(q, 0);
	if (*a->n < a->cap && rc != SQLITE_DONE)
		r = sq_map(rc);
	sq_done(q);
	return r;
}

enum store_result sq_blob_list(struct store *st, store_id after, store_id *ids, size_t cap,
                               size_t *n)
{
	struct list_arg a = {after, ids, cap, n};
	return sq_read(st, list_fn, &a);
}
