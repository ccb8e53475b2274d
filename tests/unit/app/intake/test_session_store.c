/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * app/session with a store: two nodes (two tables) on one store find each other's sessions,
 * see each other's changes and logouts, and a one-time token claimed and committed on one is
 * a replay on the other. CUTOUT_STORE=postgresql://... runs it on PostgreSQL.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "app/intake/session.h"
#include "core/store/store_session.h"
#include "t.h"

static enum store_result commit(struct sessions *s, struct store *st, const char *tok)
{
	struct sessions_commit sc = {.s = s, .token = tok};
	enum store_result r = store_write(st, NULL, 0, sessions_commit_tx, &sc);
	return r == STORE_OK ? sc.result : r;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char dir[] = "/tmp/cutout-session-store-XXXXXX", loc[128];
	const char *ext = getenv("CUTOUT_STORE");
	if (ext != NULL && ext[0] != 0)
		snprintf(loc, sizeof loc, "%s", ext);
	else if (mkdtemp(dir) != NULL)
		snprintf(loc, sizeof loc, "sqlite:%s/store.db", dir);
	struct store *st = NULL;
	if (!T_OK(store_open(loc, &st) == STORE_OK, "a store opens"))
		return t_done();
	uint8_t salt[16], sk[32], out[32];
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(sk, sizeof sk);
	struct sessions *a = NULL, *b = NULL;
	T_CHECK(sessions_new(16, 600, &a) == 0 && sessions_new(16, 600, &b) == 0);
	T_CHECK(sessions_use_store(a, st, salt, sizeof salt) == 0);
	T_CHECK(sessions_use_store(b, st, salt, sizeof salt) == 0);
	char tok[SESSION_TOKEN_LEN + 1], once[SESSION_ONCE_LEN + 1], text[SESSION_HANDOFF_MAX];
	struct session_view v;

	T_CHECK(sessions_reserve(a) == 0);
	T_CHECK(sessions_open(a, 42, sk, tok, &v) == 0);
	T_OK(sessions_get(b, tok, &v) == 0 && v.source == 42,
	     "a session opened on A is found on B");
	/* what the store holds of a session's time: the day, no finer */
	if (ext == NULL || ext[0] == 0) {
		char db[160];
		sqlite3 *q = NULL;
		sqlite3_stmt *stmt = NULL;
		int64_t rows = 0, whole_days = 0;
		snprintf(db, sizeof db, "%s/store.db", dir);
		if (sqlite3_open_v2(db, &q, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(q, "SELECT expires FROM session", -1, &stmt, NULL) ==
		            SQLITE_OK)
			while (sqlite3_step(stmt) == SQLITE_ROW) {
				rows++;
				whole_days += sqlite3_column_int64(stmt, 0) % 86400 == 0;
			}
		sqlite3_finalize(stmt);
		sqlite3_close(q);
		T_OK(rows > 0 && whole_days == rows,
		     "every session row's expiry in the store is the end of a day (%lld of %lld)",
		     (long long)whole_days, (long long)rows);
	}
	T_OK(sessions_key(b, tok, out) == 0 && memcmp(out, sk, 32) == 0,
	     "B opens the source's key with the token");
	T_OK(sessions_get_cached(b, tok, &v) == 0, "B holds it now");

	/* the row holds neither the token nor the key in clear */
	struct store_session row;
	int64_t n = 0;
	T_CHECK(store_session_count(st, STORE_SESSION_INTAKE, 0, &n) == STORE_OK && n == 1);

	sessions_set_lang(b, tok, "ru");
	T_OK(sessions_get(a, tok, &v) == 0 && strcmp(v.lang, "ru") == 0,
	     "a change made on B is read on A (the row's version moved)");

	T_CHECK(sessions_hand_over(a, tok, "the codename", NULL) == 0);
	T_OK(sessions_take_handoff(b, tok, NULL, text) == 0 && strcmp(text, "the codename") == 0,
	     "a handoff made on A is taken on B");
	T_OK(sessions_take_handoff(a, tok, NULL, text) == 1, "and is gone on A");

	/* a one-time token claimed on A, committed with its submission */
	sessions_once_new(once);
	T_CHECK(sessions_once_use(a, tok, once) == 0);
	T_CHECK(sessions_count_submission(a, tok, 100) == 0);
	T_OK(commit(a, st, tok) == STORE_OK, "A's submission writes the claim in its transaction");
	T_OK(sessions_once_use(a, tok, once) == 1, "a replay on A is refused");
	/* B holds the row as it was: its claim passes, its commit does not */
	T_CHECK(sessions_once_use(b, tok, once) == 0);
	T_OK(commit(b, st, tok) == STORE_EXISTS, "B's commit finds the row changed by A");
	T_OK(sessions_reclaim(b, tok, once, 100) == 1, "read again, the token is a replay on B");
	sessions_once_new(once);
	T_OK(sessions_reclaim(b, tok, once, 100) == 0 && commit(b, st, tok) == STORE_OK,
	     "a fresh token claimed again commits on B");
	T_OK(sessions_get(a, tok, &v) == 0 && v.submissions == 2,
	     "both nodes' submissions are counted in the row");

	/* the many commits of one node race on nothing */
	for (int i = 0; i < 5; i++)
		T_CHECK(sessions_count_submission(a, tok, 100) == 0 &&
		        commit(a, st, tok) == STORE_OK);

	/* logout on B ends the session on A */
	sessions_destroy(b, tok);
	T_OK(sessions_get(a, tok, &v) != 0, "a logout on B ends the session on A");
	T_OK(commit(a, st, tok) == STORE_NOT_FOUND || sessions_get_cached(a, tok, &v) != 0,
	     "a submission on A after it finds it gone");
	T_CHECK(store_session_get(st, STORE_SESSION_INTAKE, (const uint8_t[32]){0}, 0, &row) ==
	        STORE_NOT_FOUND);

	/* every session of a deleted source ends on every node */
	char t2[SESSION_TOKEN_LEN + 1];
	T_CHECK(sessions_reserve(b) == 0 && sessions_open(b, 7, sk, t2, NULL) == 0);
	T_CHECK(sessions_get(a, t2, &v) == 0);
	sessions_destroy_source(b, 7);
	T_OK(sessions_get(a, t2, &v) != 0, "a source's sessions end on every node");

	/* the idle timeout, sealed in the row, still holds on another node */
	struct sessions *c = NULL, *d = NULL;
	char t3[SESSION_TOKEN_LEN + 1];
	T_CHECK(sessions_new(16, 1, &c) == 0 && sessions_new(16, 1, &d) == 0);
	T_CHECK(sessions_use_store(c, st, salt, sizeof salt) == 0 &&
	        sessions_use_store(d, st, salt, sizeof salt) == 0);
	T_CHECK(sessions_reserve(c) == 0 && sessions_open(c, 9, sk, t3, NULL) == 0);
	T_OK(sessions_get(d, t3, &v) == 0, "a session of one second's idle time is found on D");
	sleep(3);
	T_OK(sessions_get(d, t3, &v) != 0 && sessions_get(c, t3, &v) != 0,
	     "past its idle time it is over on every node, though its row lives to the day's end");
	sessions_free(&c);
	sessions_free(&d);

	sessions_free(&a);
	sessions_free(&b);
	store_close(&st);
	if (ext == NULL || ext[0] == 0)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return t_done();
}
