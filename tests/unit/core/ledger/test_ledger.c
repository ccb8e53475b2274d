/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_ledger: entries, the log over the SQLite store, proofs, checkpoints, verification. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "lib/buf.h"
#include "lib/merkle.h"
#include "lib/web/i18n.h"
#include "t.h"

#include "lib/banned.h"

static char dir[64];
static char dbpath[128];

static const char example[] = "cutout-ledger v1\n"
                              "index 12\n"
                              "day 2024-02-29\n"
                              "actor officer:alice\n"
                              "action marking.downgrade\n"
                              "object submission:7\n"
                              "marking SECRET//HUMINT//REL TO GBR, USA\n"
                              "detail sanitised: names removed — per policy\n";

#define DAY_2024_02_29 19782

static void test_entry(void)
{
	uint8_t out[LEDGER_ENTRY_MAX];
	size_t len;
	struct ledger_event ev = {.action = LEDGER_MARKING_DOWNGRADE,
	                          .actor = "officer:alice",
	                          .object = "submission:7",
	                          .marking = "SECRET//HUMINT//REL TO GBR, USA",
	                          .detail = "sanitised: names removed — per policy"};
	T_CHECK(ledger_entry_encode(&ev, 12, DAY_2024_02_29, out, &len) == LEDGER_OK);
	T_OK(len == strlen(example) && memcmp(out, example, len) == 0, "encode: exact bytes");
	struct ledger_entry e;
	T_CHECK(ledger_entry_parse(out, len, &e) == LEDGER_OK);
	T_OK(e.index == 12 && e.day == 19782 && e.action == LEDGER_MARKING_DOWNGRADE &&
	             strcmp(e.actor, "officer:alice") == 0 &&
	             strcmp(e.object, "submission:7") == 0 && strcmp(e.marking, ev.marking) == 0 &&
	             strcmp(e.detail, ev.detail) == 0,
	     "parse gives the fields back");

	/* empty optional fields: "key\n" */
	struct ledger_event login = {.action = LEDGER_OFFICER_LOGIN, .actor = "officer:bob"};
	T_CHECK(ledger_entry_encode(&login, 0, 0, out, &len) == LEDGER_OK);
	static const char login_text[] = "cutout-ledger v1\nindex 0\nday 1970-01-01\n"
	                                 "actor officer:bob\naction officer.login\nobject\n"
	                                 "marking\ndetail\n";
	T_OK(len == strlen(login_text) && memcmp(out, login_text, len) == 0,
	     "empty fields are the bare key");
	T_CHECK(ledger_entry_parse(out, len, &e) == LEDGER_OK && e.object[0] == '\0');

	/* events the encoder refuses */
	struct ledger_event bad[] = {
	        {.action = LEDGER_OBJECT_READ, .actor = NULL},
	        {.action = LEDGER_OBJECT_READ, .actor = "Officer:alice"},
	        {.action = LEDGER_OBJECT_READ, .actor = "officer:"},
	        {.action = LEDGER_OBJECT_READ, .actor = "officer:a b"},
	        {.action = LEDGER_OBJECT_READ, .actor = "officer:a\nindex 3"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .object = "x:1\n"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .marking = " SECRET"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .marking = "SECRET\t"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .detail = "a\nb"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .detail = "\x1b[31m"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .detail = "\xc3\x28"},
	        {.action = LEDGER_OBJECT_READ, .actor = "source:1", .detail = "\xc2\x85"},
	        {.action = LEDGER_ACTION_COUNT, .actor = "source:1"},
	};
	int refused = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused += ledger_entry_encode(&bad[i], 1, 1, out, &len) == LEDGER_BAD_INPUT;
	T_OK(refused == (int)(sizeof bad / sizeof bad[0]), "encoder refuses %d bad events",
	     refused);
	char longd[LEDGER_DETAIL_MAX + 2];
	memset(longd, 'a', sizeof longd - 1);
	longd[sizeof longd - 1] = '\0';
	struct ledger_event big = {.action = LEDGER_OBJECT_READ, .actor = "a", .detail = longd};
	T_CHECK(ledger_entry_encode(&big, 1, 1, out, &len) == LEDGER_BAD_INPUT);
	longd[LEDGER_DETAIL_MAX] = '\0';
	T_CHECK(ledger_entry_encode(&big, 1, 1, out, &len) == LEDGER_OK);

	/* the strict parser: every near miss refused */
	static const char *const near[] = {
	        "cutout-ledger v2\nindex 12\n",
	        "cutout-ledger v1\nindex 012\nday 2024-02-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 2023-02-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 1969-12-31\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 2024-2-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\naction object.peek\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\naction object.read\nobject \n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\nextra 1\n",
	        "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail",
	        "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\naction object.read\n"
	        "marking\nobject\ndetail\n",
	        "cutout-ledger v1\nindex 12\r\nday 2024-02-29\nactor a\naction "
	        "object.read\nobject\n"
	        "marking\ndetail\n",
	        "cutout-ledger v1\nindex 18446744073709551616\nday 2024-02-29\nactor a\n"
	        "action object.read\nobject\nmarking\ndetail\n",
	        "cutout-ledger v1\nindex  12\nday 2024-02-29\nactor a\naction object.read\nobject\n"
	        "marking\ndetail\n",
	};
	int rejected = 0;
	for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
		rejected += ledger_entry_parse((const uint8_t *)near[i], strlen(near[i]), &e) ==
		            LEDGER_BAD_INPUT;
	T_OK(rejected == (int)(sizeof near / sizeof near[0]), "parser refuses %d near misses",
	     rejected);
	static const char ok_text[] = "cutout-ledger v1\nindex 12\nday 2024-02-29\nactor a\n"
	                              "action object.read\nobject\nmarking\ndetail\n";
	T_CHECK(ledger_entry_parse((const uint8_t *)ok_text, strlen(ok_text), &e) == LEDGER_OK);
	/* a NUL inside */
	uint8_t withnul[sizeof example];
	memcpy(withnul, example, sizeof example);
	withnul[strlen(example) - 3] = 0;
	T_CHECK(ledger_entry_parse(withnul, strlen(example), &e) == LEDGER_BAD_INPUT);

	/* action names: unique, stable, round trip */
	int names_ok = 1;
	for (int a = 0; a < LEDGER_ACTION_COUNT; a++) {
		enum ledger_action back;
		const char *n = ledger_action_name((enum ledger_action)a);
		names_ok &= n != NULL && ledger_action_parse(n, strlen(n), &back) == 0 &&
		            (int)back == a;
	}
	T_OK(names_ok, "every action name parses back to its action");
	T_CHECK(strcmp(ledger_action_name(LEDGER_SUBMISSION_SEAL), "submission.seal") == 0);
	T_CHECK(ledger_action_name(LEDGER_ACTION_COUNT) == NULL);
}

/* The C2SP signed-note example key (Go's golang.org/x/mod/sumdb/note tests). */
static void test_note_vector(void)
{
	static const char text[] = "If you think cryptography is the answer to your problem,\n"
	                           "then you don't know what your problem is.\n";
	static const char skey[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
	static const char want[] = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
	                           "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
	uint8_t k[33], pk[32], sk[64], sig[68], id[4];
	size_t len;
	char got[128];
	T_CHECK(sodium_base642bin(k, sizeof k, skey, strlen(skey), NULL, &len, NULL,
	                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
	        len == 33 && k[0] == 1);
	crypto_sign_seed_keypair(pk, sk, k + 1);
	ledger_key_id("PeterNeumann", pk, id);
	T_OK(id[0] == 0xc7 && id[1] == 0x4f && id[2] == 0x20 && id[3] == 0xa3,
	     "key id of the C2SP example key is c74f20a3");
	memcpy(sig, id, 4);
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, strlen(text), sk);
	sodium_bin2base64(got, sizeof got, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	T_OK(strcmp(got, want) == 0, "signature line of the C2SP example matches");
	struct buf vk;
	buf_init(&vk, 512);
	T_CHECK(ledger_vkey("PeterNeumann", pk, &vk) == 0 &&
	        strcmp(buf_str(&vk),
	               "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") == 0);
	buf_release(&vk);
	sodium_memzero(sk, sizeof sk);
}

/* ---- the log ---- */

struct collect_ctx {
	struct merkle_tree_state t;
	uint64_t n;
	int bad;
};

static int collect_leaf(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct collect_ctx *c = ctx;
	uint8_t leaf[32];
	struct ledger_entry e;
	if (index != c->n || ledger_entry_parse(entry, len, &e) != LEDGER_OK || e.index != index)
		c->bad = 1;
	merkle_leaf_hash(entry, len, leaf);
	if (merkle_append(&c->t, leaf, NULL, NULL) != MERKLE_OK)
		c->bad = 1;
	c->n++;
	return 0;
}

static void test_log(struct store *s)
{
	uint64_t size = 1, idx;
	T_CHECK(ledger_size(s, &size) == LEDGER_OK && size == 0);
	uint8_t root[32], empty[32];
	merkle_empty_root(empty);
	T_CHECK(ledger_root(s, 0, root) == LEDGER_OK && memcmp(root, empty, 32) == 0);
	struct ledger_event bad = {.action = LEDGER_OBJECT_READ, .actor = "No Such"};
	T_CHECK(ledger_append(s, &bad, &idx) == LEDGER_BAD_INPUT);

	int idx_ok = 1;
	char obj[32];
	for (int i = 0; i < 70; i++) {
		int w = snprintf(obj, sizeof obj, "submission:%d", i);
		if (w < 0 || (size_t)w >= sizeof obj)
			abort();
		struct ledger_event ev = {
		        .action = LEDGER_SUBMISSION_SEAL, .actor = "source:3", .object = obj};
		idx_ok &= ledger_append(s, &ev, &idx) == LEDGER_OK && idx == (uint64_t)i;
	}
	struct ledger_event evs[30];
	for (int i = 0; i < 30; i++)
		evs[i] = (struct ledger_event){.action = LEDGER_OBJECT_READ, .actor = "officer:x"};
	T_OK(idx_ok, "append gives consecutive indexes");
	T_CHECK(ledger_append_batch(s, evs, 30, &idx) == LEDGER_OK && idx == 70);
	T_CHECK(ledger_size(s, &size) == LEDGER_OK && size == 100);

	/* roots against an independent recomputation from the entries */
	struct collect_ctx c = {.n = 0};
	merkle_tree_init(&c.t);
	int roots_ok = 1;
	for (uint64_t n = 1; n <= 100; n++) {
		uint8_t want[32];
		if (ledger_entries(s, n - 1, n, collect_leaf, &c) != LEDGER_OK)
			roots_ok = 0;
		merkle_root(&c.t, want);
		roots_ok &= ledger_root(s, n, root) == LEDGER_OK && memcmp(root, want, 32) == 0;
	}
	T_OK(roots_ok && !c.bad,
	     "ledger_root(n) equals the root recomputed from entries, n=1..100");
	T_CHECK(ledger_root(s, 101, root) == LEDGER_RANGE);

	/* every inclusion proof for a few sizes verifies; a wrong leaf does not */
	uint8_t proof[MERKLE_PROOF_MAX][32];
	size_t np;
	int incl_ok = 1, incl_bad = 0, cons_ok = 1;
	uint64_t sizes[] = {1, 2, 3, 7, 8, 33, 64, 99, 100};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		uint64_t sz = sizes[k];
		for (uint64_t i = 0; i < sz; i++) {
			uint8_t entry[LEDGER_ENTRY_MAX], leaf[32];
			size_t len;
			if (ledger_entry(s, i, entry, &len) != LEDGER_OK ||
			    ledger_prove_inclusion(s, i, sz, proof, &np, root) != LEDGER_OK) {
				incl_ok = 0;
				continue;
			}
			merkle_leaf_hash(entry, len, leaf);
			incl_ok &= merkle_verify_inclusion(leaf, i, sz, (const uint8_t(*)[32])proof,
			                                   np, root) == MERKLE_OK;
			leaf[0] ^= 1;
			incl_bad +=
			        merkle_verify_inclusion(leaf, i, sz, (const uint8_t(*)[32])proof,
			                                np, root) == MERKLE_MISMATCH;
		}
		for (uint64_t old = 1; old <= sz; old++) {
			uint8_t r1[32], r2[32];
			cons_ok &= ledger_prove_consistency(s, old, sz, proof, &np, r1, r2) ==
			                   LEDGER_OK &&
			           merkle_verify_consistency(old, sz, (const uint8_t(*)[32])proof,
			                                     np, r1, r2) == MERKLE_OK;
		}
	}
	T_OK(incl_ok, "every inclusion proof verifies");
	T_OK(incl_bad == 1 + 2 + 3 + 7 + 8 + 33 + 64 + 99 + 100, "a changed leaf never verifies");
	T_OK(cons_ok, "every consistency proof verifies");
	T_CHECK(ledger_prove_inclusion(s, 100, 100, proof, &np, root) == LEDGER_RANGE);
	T_CHECK(ledger_prove_inclusion(s, 5, 101, proof, &np, root) == LEDGER_RANGE);
}

/* ---- concurrency (threads; processes are in tests/integration/test_ledger) ---- */

#define THREADS 8
#define PER_THREAD 150

static struct store *cs;
static uint64_t got_idx[THREADS][PER_THREAD];

static void *appender(void *arg)
{
	long t = (long)(intptr_t)arg;
	char obj[32];
	for (int i = 0; i < PER_THREAD; i++) {
		int w = snprintf(obj, sizeof obj, "note:t%ld-%d", t, i);
		if (w < 0 || (size_t)w >= sizeof obj)
			abort();
		struct ledger_event ev = {
		        .action = LEDGER_OBJECT_READ, .actor = "system", .object = obj};
		if (ledger_append(cs, &ev, &got_idx[t][i]) != LEDGER_OK)
			got_idx[t][i] = UINT64_MAX;
	}
	return NULL;
}

struct seen {
	uint8_t *mark;
	uint64_t base;
	int bad;
};

static int check_seen(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct seen *sn = ctx;
	struct ledger_entry e;
	long t;
	int i, used = 0;
	if (ledger_entry_parse(entry, len, &e) != LEDGER_OK || e.index != index ||
	    sscanf(e.object, "note:t%ld-%d%n", &t, &i, &used) != 2 || t < 0 || t >= THREADS ||
	    i < 0 || i >= PER_THREAD || got_idx[t][i] != index || sn->mark[t * PER_THREAD + i]) {
		sn->bad = 1;
		return 0;
	}
	sn->mark[t * PER_THREAD + i] = 1;
	return 0;
}

static void test_threads(struct store *s)
{
	uint64_t base;
	cs = s;
	T_CHECK(ledger_size(s, &base) == LEDGER_OK);
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, appender, (void *)(intptr_t)t);
	for (long t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	uint64_t size;
	T_CHECK(ledger_size(s, &size) == LEDGER_OK && size == base + THREADS * PER_THREAD);
	struct seen sn = {.mark = calloc(THREADS * PER_THREAD, 1), .base = base};
	T_CHECK(ledger_entries(s, base, size, check_seen, &sn) == LEDGER_OK);
	int all = 1;
	for (int k = 0; k < THREADS * PER_THREAD; k++)
		all &= sn.mark[k];
	T_OK(!sn.bad && all,
	     "%d threads: every acknowledged index holds its own event, once; no gap", THREADS);
	free(sn.mark);
	struct ledger_verify_report rep;
	T_CHECK(ledger_verify(s, NULL, &rep) == LEDGER_OK && rep.size == size);
}

/* ---- checkpoints and tampering ---- */

static int sql(const char *q)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(dbpath, &db) == SQLITE_OK &&
	                         sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK
	                 ? 0
	                 : -1;
	sqlite3_close(db);
	return rc;
}

static void test_checkpoints(void)
{
	struct store *s = NULL;
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	char msg[LEDGER_MSG_MAX];
	struct buf note, note2;
	struct ledger_checkpoint cp;
	struct ledger_verify_report rep;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	buf_init(&note, LEDGER_NOTE_MAX);
	buf_init(&note2, LEDGER_NOTE_MAX);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	if (s == NULL)
		return;
	uint64_t size;
	T_CHECK(ledger_size(s, &size) == LEDGER_OK);
	T_CHECK(ledger_checkpoint_latest(s, &note) == LEDGER_NOT_FOUND);
	T_CHECK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note, msg) ==
	        LEDGER_OK);
	T_CHECK(ledger_checkpoint_open(note.data, note.len, NULL, pk, &cp) == LEDGER_OK &&
	        cp.size == size && strcmp(cp.origin, "example.org/cutout-ledger") == 0);
	uint8_t root[32];
	T_CHECK(ledger_root(s, size, root) == LEDGER_OK && memcmp(root, cp.root, 32) == 0);
	T_CHECK(ledger_checkpoint_open(note.data, note.len, NULL, pk2, &cp) == LEDGER_TAMPERED);
	T_CHECK(ledger_checkpoint_open(note.data, note.len, "other", pk, &cp) == LEDGER_TAMPERED);
	/* the body changed: the signature fails */
	note.data[note.len / 3] ^= 1;
	T_CHECK(ledger_checkpoint_open(note.data, note.len, NULL, pk, &cp) != LEDGER_OK);
	note.data[note.len / 3] ^= 1;
	/* the same size again: the stored one */
	T_CHECK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note2, msg) ==
	                LEDGER_OK &&
	        note2.len == note.len && memcmp(note2.data, note.data, note.len) == 0);
	/* another origin later: refused */
	struct ledger_event ev = {.action = LEDGER_LABEL_ROTATE, .actor = "admin"};
	uint64_t idx;
	T_CHECK(ledger_append(s, &ev, &idx) == LEDGER_OK);
	buf_reset(&note2);
	T_CHECK(ledger_checkpoint_sign(s, "evil.example/log", sk, &note2, msg) == LEDGER_REFUSED);
	T_CHECK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note2, msg) ==
	        LEDGER_OK);
	T_CHECK(ledger_verify(s, pk, &rep) == LEDGER_OK && rep.checkpoints == 2);
	T_CHECK(ledger_verify(s, pk2, &rep) == LEDGER_TAMPERED && rep.bad_checkpoint);
	store_close(&s);

	/* an entry changed behind the ledger's back: located, and no checkpoint signed over it */
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'officer:x', 'officer:y') "
	            "AS BLOB)"
	            " WHERE idx = 77") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_CHECK(ledger_verify(s, pk, &rep) == LEDGER_TAMPERED && rep.bad_entry &&
	        rep.bad_index == 77);
	T_OK(rep.bad_index == 77, "a changed entry is located: %s", rep.msg);
	store_close(&s);
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'officer:y', 'officer:x') "
	            "AS BLOB)"
	            " WHERE idx = 77") == 0);
	/* restored: verifies again; then the newest entry changed before a checkpoint */
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_CHECK(ledger_verify(s, pk, &rep) == LEDGER_OK);
	T_CHECK(ledger_append(s, &ev, &idx) == LEDGER_OK);
	store_close(&s);
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'label.rotate',"
	            " 'object.read') AS BLOB) WHERE idx = (SELECT max(idx) FROM ledger_entry)") ==
	        0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	buf_reset(&note2);
	T_OK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note2, msg) ==
	             LEDGER_REFUSED,
	     "no checkpoint over a changed entry: %s", msg);
	store_close(&s);
	buf_release(&note);
	buf_release(&note2);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(sk2, sizeof sk2);
}

/*
 * More than 8,192 entries: verification and checkpoint signing run over two
 * threads (ledger.c, recompute_scan); the report must name the same entry.
 */
/*
 * Proofs at sizes n1 and n2 (entries [0, n2) stored) for `count` random
 * indexes, through ledger_prove_entry: the entry must be ledger_entry's and
 * the proof must verify against roots recomputed here from the entries.
 * Returns 1 if every one does.
 */
static int proofs_check(struct store *s, uint64_t n1, uint64_t n2, int count)
{
	struct collect_ctx c = {.n = 0};
	uint8_t want1[32], want2[32];
	merkle_tree_init(&c.t);
	if (ledger_entries(s, 0, n1, collect_leaf, &c) != LEDGER_OK)
		return 0;
	merkle_root(&c.t, want1);
	if (ledger_entries(s, n1, n2, collect_leaf, &c) != LEDGER_OK || c.bad)
		return 0;
	merkle_root(&c.t, want2);
	int ok = 1;
	for (int k = 0; k < count; k++) {
		uint64_t size = k % 2 ? n1 : n2;
		uint64_t i =
		        k < 4 ? (uint64_t)k * (size - 1) / 3 : randombytes_uniform((uint32_t)size);
		uint8_t proof[MERKLE_PROOF_MAX][32], root[32], entry[LEDGER_ENTRY_MAX],
		        again[LEDGER_ENTRY_MAX], leaf[32];
		size_t np, len, len2;
		if (ledger_prove_entry(s, i, size, entry, &len, proof, &np, root) != LEDGER_OK ||
		    ledger_entry(s, i, again, &len2) != LEDGER_OK || len != len2 ||
		    memcmp(entry, again, len) != 0 ||
		    memcmp(root, size == n1 ? want1 : want2, 32) != 0)
			return 0;
		merkle_leaf_hash(entry, len, leaf);
		ok &= merkle_verify_inclusion(leaf, i, size, (const uint8_t(*)[32])proof, np,
		                              root) == MERKLE_OK;
	}
	return ok;
}

static void test_large(void)
{
	enum { N = 20000, B = 2000 };
	struct store *s = NULL;
	struct ledger_verify_report rep;
	uint8_t pk[32], sk[64];
	char msg[LEDGER_MSG_MAX];
	struct buf note;
	crypto_sign_keypair(pk, sk);
	buf_init(&note, LEDGER_NOTE_MAX);
	int n = snprintf(dbpath, sizeof dbpath, "%s/large.db", dir);
	T_CHECK(n > 0 && (size_t)n < sizeof dbpath);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	if (s == NULL)
		return;
	static struct ledger_event ev[B];
	static char obj[B][32];
	uint64_t first;
	int ok = 1;
	for (int b = 0; b < N / B; b++) {
		for (int k = 0; k < B; k++) {
			n = snprintf(obj[k], sizeof obj[k], "submission:%d", b * B + k);
			ev[k] = (struct ledger_event){.action = LEDGER_OBJECT_READ,
			                              .actor = "officer:x",
			                              .object = obj[k]};
		}
		ok &= ledger_append_batch(s, ev, B, &first) == LEDGER_OK;
	}
	T_CHECK(ok);
	T_CHECK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note, msg) ==
	        LEDGER_OK);
	T_OK(ledger_verify(s, pk, &rep) == LEDGER_OK && rep.size == N && rep.checkpoints == 1,
	     "%d entries verify over two threads, checkpoint at the end checked", N);
	/* the node cache and the leaf's block: cold, warm, at a size that is not the head's */
	T_OK(proofs_check(s, 12345, N, 600),
	     "600 proofs (cache cold) verify against recomputed roots");
	T_OK(proofs_check(s, 12345, N, 600), "600 more (cache warm) verify");
	T_CHECK(ledger_append_batch(s, ev, B, &first) == LEDGER_OK);
	T_OK(proofs_check(s, 12345, N, 600), "after the log grew, cached nodes still prove size %d",
	     N);
	T_OK(proofs_check(s, N, N + B, 300), "and the new size %d", N + B);
	uint8_t proof[MERKLE_PROOF_MAX][32], root[32], entry[LEDGER_ENTRY_MAX];
	size_t np, len;
	T_CHECK(ledger_prove_entry(s, N + B, N + B, entry, &len, proof, &np, root) == LEDGER_RANGE);
	T_CHECK(ledger_prove_entry(s, 5, N + B + 1, entry, &len, proof, &np, root) == LEDGER_RANGE);
	store_close(&s);

	/* a changed entry deep in the log */
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'officer:x', 'officer:y') "
	            "AS BLOB) WHERE idx = 15001") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_OK(ledger_verify(s, pk, &rep) == LEDGER_TAMPERED && rep.bad_entry &&
	             rep.bad_index == 15001,
	     "two threads: a changed entry is located: %s", rep.msg);
	store_close(&s);
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'officer:y', 'officer:x') "
	            "AS BLOB) WHERE idx = 15001") == 0);
	/* hashes longer than any row may have, then a deleted row before it */
	T_CHECK(sql("UPDATE ledger_entry SET hashes = zeroblob(5000) WHERE idx = 12345") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_OK(ledger_verify(s, pk, &rep) == LEDGER_TAMPERED && rep.bad_index == 12345,
	     "two threads: oversized stored hashes located: %s", rep.msg);
	store_close(&s);
	T_CHECK(sql("DELETE FROM ledger_entry WHERE idx = 9000") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_OK(ledger_verify(s, pk, &rep) == LEDGER_TAMPERED && rep.bad_index == 9000,
	     "two threads: the first of two problems is named: %s", rep.msg);
	store_close(&s);
	/* entries since the checkpoint (more than 8,192 of them) recomputed before signing */
	T_CHECK(sql("UPDATE ledger_entry SET entry = CAST(replace(entry, 'officer:x', 'officer:y') "
	            "AS BLOB) WHERE idx = 21500") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	buf_reset(&note);
	T_OK(ledger_checkpoint_sign(s, "example.org/cutout-ledger", sk, &note, msg) ==
	             LEDGER_REFUSED,
	     "no checkpoint over a changed entry among many: %s", msg);
	store_close(&s);

	/* a stored node the proof needs is damaged: the proof says so (a fresh cache) */
	T_CHECK(sql("UPDATE ledger_entry SET hashes = substr(hashes, 1, 32) WHERE idx = 16383") ==
	        0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_OK(ledger_prove_entry(s, 100, N, entry, &len, proof, &np, root) == LEDGER_TAMPERED,
	     "a missing stored node fails the proof");
	T_OK(ledger_prove_entry(s, 16380, N, entry, &len, proof, &np, root) == LEDGER_TAMPERED,
	     "also when the node is in the leaf's own block");
	store_close(&s);
	T_CHECK(sql("DELETE FROM ledger_entry WHERE idx = 16000") == 0);
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	T_OK(ledger_prove_entry(s, 16000, N, entry, &len, proof, &np, root) == LEDGER_TAMPERED,
	     "a missing entry fails the proof");
	store_close(&s);
	buf_release(&note);
	sodium_memzero(sk, sizeof sk);
}

/* Every action has a name, parses back, and is named in words in English and Russian
 * (the desk's ledger view: desk.ledger.a.NAME in data/i18n). */
static void action_names(void)
{
	size_t bad = 0;
	for (int a = 0; a < (int)LEDGER_ACTION_COUNT; a++) {
		const char *name = ledger_action_name((enum ledger_action)a);
		enum ledger_action back;
		char key[96];
		if (name == NULL || ledger_action_parse(name, strlen(name), &back) != 0 ||
		    (int)back != a) {
			bad++;
			continue;
		}
		snprintf(key, sizeof key, "desk.ledger.a.%s", name);
		const char *en = i18n_get("en", key), *ru = i18n_get("ru", key);
		if (en == NULL || ru == NULL || ru == en) {
			T_OK(0, "%s is named in English and Russian", name);
			bad++;
		}
	}
	T_OK(bad == 0, "every action (%d) named, parsed back, in words in en and ru",
	     (int)LEDGER_ACTION_COUNT);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	action_names();
	memcpy(dir, "/tmp/cutout-ledger-XXXXXX", sizeof("/tmp/cutout-ledger-XXXXXX"));
	if (mkdtemp(dir) == NULL)
		return 1;
	int n = snprintf(dbpath, sizeof dbpath, "%s/store.db", dir);
	if (n < 0 || (size_t)n >= sizeof dbpath)
		return 1;
	test_entry();
	test_note_vector();
	struct store *s = NULL;
	T_CHECK(store_open(dbpath, &s) == STORE_OK);
	if (s) {
		test_log(s);
		test_threads(s);
		store_close(&s);
	}
	test_checkpoints();
	test_large();
	char cmd[256];
	n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
