/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Each intake action commits with its ledger entry in one transaction
 * (store_write): after a success both are there; when the append fails
 * (a damaged ledger head, injected through a second SQLite connection),
 * neither is. Also: the daily quota checked at commit, nested transactions,
 * and a file-backed blob claimed inside a transaction.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/intake/intake.h"
#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "lib/age/age.h"
#include "t.h"

static char dbpath[256];
static struct store *s;
static struct intake *in;

static uint64_t ledger_len(void)
{
	uint64_t n = 0;
	if (ledger_size(s, &n) != LEDGER_OK)
		return UINT64_MAX;
	return n;
}

/* The last entry's action and object. */
static int last_entry(enum ledger_action *action, char object[static LEDGER_TOKEN_MAX + 1])
{
	uint8_t e[LEDGER_ENTRY_MAX];
	size_t len;
	struct ledger_entry pe;
	uint64_t n = ledger_len();
	if (n == 0 || n == UINT64_MAX || ledger_entry(s, n - 1, e, &len) != LEDGER_OK ||
	    ledger_entry_parse(e, len, &pe) != LEDGER_OK)
		return -1;
	*action = pe.action;
	memcpy(object, pe.object, sizeof pe.object);
	return 0;
}

static int last_is(enum ledger_action action, const char *kind, store_id id)
{
	enum ledger_action a;
	char obj[LEDGER_TOKEN_MAX + 1], want[LEDGER_TOKEN_MAX + 1];
	snprintf(want, sizeof want, "%s:%lld", kind, (long long)id);
	return last_entry(&a, obj) == 0 && a == action && strcmp(obj, want) == 0;
}

/* Runs one SQL statement on a connection of its own (the injected fault). */
static int sql(const char *q)
{
	sqlite3 *db = NULL;
	int ok = sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	         sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	         sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok ? 0 : -1;
}

/* Breaks the ledger's head (an append then fails), and mends it. */
static int break_ledger(void)
{
	return sql("CREATE TABLE IF NOT EXISTS saved_head AS SELECT * FROM ledger_head;"
	           "UPDATE ledger_head SET frontier = x'00'");
}

static int mend_ledger(void)
{
	return sql("UPDATE ledger_head SET frontier = (SELECT frontier FROM saved_head);"
	           "DROP TABLE saved_head");
}

static int count_cb(void *ctx, const void *row)
{
	(void)row;
	++*(int64_t *)ctx;
	return 0;
}

static int count_sources_cb(void *ctx, const struct store_source *src)
{
	return count_cb(ctx, src);
}

static int count_subs_cb(void *ctx, const struct store_submission *sub)
{
	return count_cb(ctx, sub);
}

/* the replies not deleted by the source (a deleted one keeps a row without blobs) */
static int count_replies_cb(void *ctx, const struct store_reply *r)
{
	return r->deleted_day != 0 ? 0 : count_cb(ctx, r);
}

static int64_t nsources(void)
{
	int64_t n = 0;
	return store_source_list(s, 0, 1000, count_sources_cb, &n) == STORE_OK ? n : -1;
}

static int64_t nsubs(store_id src)
{
	int64_t n = 0;
	return store_submission_list(s, src, 0, 1000, count_subs_cb, &n) == STORE_OK ? n : -1;
}

static int64_t nreplies(store_id src)
{
	int64_t n = 0;
	return store_reply_list(s, src, count_replies_cb, &n) == STORE_OK ? n : -1;
}

static enum intake_result submit(store_id src, const char *msg, size_t file_bytes, store_id *sub)
{
	struct intake_upload *up = NULL;
	enum intake_result r = intake_upload_begin(in, src, &up);
	if (r != INTAKE_OK)
		return r;
	if (msg != NULL)
		r = intake_upload_message(up, msg, strlen(msg));
	if (r == INTAKE_OK && file_bytes > 0) {
		uint8_t chunk[4096];
		randombytes_buf(chunk, sizeof chunk);
		r = intake_upload_file_begin(up, "f.bin", "application/octet-stream");
		for (size_t done = 0; r == INTAKE_OK && done < file_bytes; done += sizeof chunk)
			r = intake_upload_file_data(up, chunk, sizeof chunk);
		if (r == INTAKE_OK)
			r = intake_upload_file_end(up);
	}
	if (r == INTAKE_OK)
		r = intake_upload_commit(up, sub);
	intake_upload_free(&up);
	return r;
}

/* ---- nested transactions ---- */

struct nest {
	int inner_fails, outer_fails;
	store_id a, b;
};

static enum store_result inner_tx(struct store *st, void *arg)
{
	struct nest *n = arg;
	uint8_t lookup[32], pk[32];
	randombytes_buf(lookup, sizeof lookup);
	randombytes_buf(pk, sizeof pk);
	enum store_result r = store_source_create(st, lookup, pk, store_today(), &n->b);
	if (r != STORE_OK)
		return r;
	return n->inner_fails ? STORE_REFUSED : STORE_OK;
}

static enum store_result outer_tx(struct store *st, void *arg)
{
	struct nest *n = arg;
	uint8_t lookup[32], pk[32];
	randombytes_buf(lookup, sizeof lookup);
	randombytes_buf(pk, sizeof pk);
	if (!store_in_write(st))
		return STORE_CORRUPT;
	enum store_result r = store_source_create(st, lookup, pk, store_today(), &n->a);
	if (r != STORE_OK)
		return r;
	/* a read inside the transaction sees its own write */
	struct store_source got;
	if (store_source_get(st, n->a, &got) != STORE_OK)
		return STORE_CORRUPT;
	/* its failure is its own */
	if (store_write(st, NULL, 0, inner_tx, n) != (n->inner_fails ? STORE_REFUSED : STORE_OK))
		return STORE_CORRUPT;
	return n->outer_fails ? STORE_REFUSED : STORE_OK;
}

/* ---- the quota under concurrent commits ---- */

#define RACERS 16

struct racer {
	store_id src;
	struct intake_upload *up;
	enum intake_result rc;
};

static void *race_commit(void *arg)
{
	struct racer *r = arg;
	store_id sub;
	r->rc = intake_upload_commit(r->up, &sub);
	return NULL;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char dir[] = "/tmp/cutout-test-intake-tx-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof dbpath, "%s/store.db", dir);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	struct age_identity *label = NULL;
	struct age_recipient *label_r = NULL;
	uint8_t label_pk[32], salt[16], sk[32];
	T_CHECK(age_identity_generate(&label) == AGE_OK);
	T_CHECK(age_identity_recipient(label, &label_r) == AGE_OK);
	T_CHECK(age_recipient_x25519(label_r, label_pk) == AGE_OK);
	randombytes_buf(salt, sizeof salt);
	struct intake_kdf kdf = {1, 8u << 20};
	struct intake_limits lim = {.max_upload_bytes = 4 << 20,
	                            .max_message_bytes = 1000,
	                            .max_files = 2,
	                            .submissions_per_day = 4};
	T_CHECK(intake_new(s, label_pk, salt, &kdf, &lim, "SECRET//SOURCE", &in) == INTAKE_OK);
	char codename[INTAKE_CODENAME_MAX];

	/* successes: each action and its entry */
	store_id src = 0, sub = 0, big = 0, rid = 0;
	uint64_t n0 = ledger_len();
	T_CHECK(intake_source_create(in, codename, sizeof codename, &src, sk) == INTAKE_OK);
	T_OK(ledger_len() == n0 + 1 && last_is(LEDGER_SOURCE_CREATE, "source", src),
	     "source create: the source and its source.create entry");
	T_CHECK(submit(src, "hello", 0, &sub) == INTAKE_OK);
	T_OK(ledger_len() == n0 + 2 && last_is(LEDGER_SUBMISSION_SEAL, "submission", sub),
	     "submission: the submission and its submission.seal entry");
	T_CHECK(submit(src, NULL, 600 * 1024, &big) == INTAKE_OK); /* file-backed blob */
	T_OK(ledger_len() == n0 + 3 && last_is(LEDGER_SUBMISSION_SEAL, "submission", big),
	     "a 600 KiB file (kept in a spill file) commits inside the transaction");
	T_OK(nsubs(src) == 2, "both submissions stored");
	T_CHECK(intake_reply_seal(in, "officer:alice", src, "thanks", 6, &rid) == INTAKE_OK);
	T_OK(ledger_len() == n0 + 4 && last_is(LEDGER_REPLY_SEAL, "reply", rid) &&
	             nreplies(src) == 1,
	     "reply: the reply and its reply.seal entry");

	/* failures: the append fails, so the action leaves nothing */
	int64_t srcs = nsources();
	T_CHECK(break_ledger() == 0);
	store_id x = 0;
	T_OK(intake_source_create(in, codename, sizeof codename, &x, sk) == INTAKE_FAILED &&
	             nsources() == srcs,
	     "a failed append: no source was created");
	T_OK(submit(src, "lost", 0, &x) == INTAKE_FAILED && nsubs(src) == 2,
	     "a failed append: no submission was stored");
	T_OK(submit(src, NULL, 600 * 1024, &x) == INTAKE_FAILED && nsubs(src) == 2,
	     "a failed append: no file-backed submission was stored");
	T_OK(intake_reply_seal(in, "officer:alice", src, "again", 5, &x) == INTAKE_FAILED &&
	             nreplies(src) == 1,
	     "a failed append: no reply was stored");
	T_OK(intake_reply_delete(in, src, rid) == INTAKE_FAILED && nreplies(src) == 1,
	     "a failed append: the reply was not deleted");
	T_OK(intake_source_delete(in, NULL, src) == INTAKE_FAILED && nsources() == srcs &&
	             nsubs(src) == 2,
	     "a failed append: the source and its submissions were not deleted");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 + 4, "nothing reached the ledger meanwhile");

	T_CHECK(intake_reply_delete(in, src, rid) == INTAKE_OK);
	T_OK(last_is(LEDGER_REPLY_DELETE, "reply", rid) && nreplies(src) == 0,
	     "reply delete: gone, with its reply.delete entry");

	/* the quota: 2 used; four uploads begun, two fit */
	struct intake_upload *ups[4] = {0};
	for (int i = 0; i < 4; i++)
		T_CHECK(intake_upload_begin(in, src, &ups[i]) == INTAKE_OK &&
		        intake_upload_message(ups[i], "q", 1) == INTAKE_OK);
	int ok = 0, over = 0;
	for (int i = 0; i < 4; i++) {
		enum intake_result r = intake_upload_commit(ups[i], &x);
		ok += r == INTAKE_OK;
		over += r == INTAKE_TOO_MANY;
		intake_upload_free(&ups[i]);
	}
	T_OK(ok == 2 && over == 2 && nsubs(src) == 4,
	     "the daily quota holds at commit for uploads begun before it was reached (%d ok, "
	     "%d over)",
	     ok, over);

	/* the quota under 16 concurrent commits */
	store_id src2 = 0;
	T_CHECK(intake_source_create(in, codename, sizeof codename, &src2, sk) == INTAKE_OK);
	struct racer rs[RACERS];
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++) {
		rs[i] = (struct racer){.src = src2};
		T_CHECK(intake_upload_begin(in, src2, &rs[i].up) == INTAKE_OK &&
		        intake_upload_message(rs[i].up, "race", 4) == INTAKE_OK);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_create(&th[i], NULL, race_commit, &rs[i]);
	ok = over = 0;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		ok += rs[i].rc == INTAKE_OK;
		over += rs[i].rc == INTAKE_TOO_MANY;
		intake_upload_free(&rs[i].up);
	}
	T_OK(ok == 4 && over == RACERS - 4 && nsubs(src2) == 4,
	     "16 concurrent commits: exactly the quota of 4 stored (%d ok, %d over)", ok, over);

	/* the source deleting itself */
	T_CHECK(intake_source_delete(in, NULL, src2) == INTAKE_OK);
	T_OK(last_is(LEDGER_SOURCE_DELETE, "source", src2) && nsubs(src2) == 0,
	     "source delete: gone with its submissions, with its source.delete entry");

	/* nested transactions are savepoints */
	struct nest nest = {.inner_fails = 1};
	srcs = nsources();
	T_CHECK(store_write(s, NULL, 0, outer_tx, &nest) == STORE_OK);
	struct store_source got;
	T_OK(nsources() == srcs + 1 && store_source_get(s, nest.a, &got) == STORE_OK &&
	             store_source_get(s, nest.b, &got) == STORE_NOT_FOUND,
	     "a failing nested transaction rolls back alone");
	nest = (struct nest){.outer_fails = 1};
	T_CHECK(store_write(s, NULL, 0, outer_tx, &nest) == STORE_REFUSED);
	T_OK(nsources() == srcs + 1 && store_source_get(s, nest.a, &got) == STORE_NOT_FOUND &&
	             store_source_get(s, nest.b, &got) == STORE_NOT_FOUND,
	     "a failing outer transaction rolls back its nested ones too");
	T_OK(!store_in_write(s), "outside a transaction, store_in_write is false");
	T_OK(ledger_record_in(s, LEDGER_SOURCE_CREATE, "system", NULL, NULL, NULL) == STORE_CORRUPT,
	     "ledger_record_in outside a transaction is refused");

	struct ledger_verify_report rep;
	T_OK(ledger_verify(s, NULL, &rep) == LEDGER_OK, "the ledger verifies");

	intake_free(&in);
	age_recipient_free(&label_r);
	age_identity_free(&label);
	store_close(&s);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
