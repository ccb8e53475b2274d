/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/witness: the add-checkpoint request's parser, every refusal in the
 * spec's order (400, 404, 403, 409 with the size, 422), a split view caught
 * and recorded, the cosignature (C2SP cosignature/v1) and the quorum count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/store/store_witness.h"
#include "core/witness/witness.h"
#include "t.h"

static char dir[64];

static struct store *open_store(const char *name)
{
	char path[128];
	struct store *s = NULL;
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path || store_open(path, &s) != STORE_OK)
		return NULL;
	return s;
}

static void append(struct store *s, int n, const char *actor)
{
	for (int i = 0; i < n; i++)
		T_CHECK(ledger_record(s, LEDGER_LABEL_ROTATE, actor, NULL, NULL, NULL) ==
		        LEDGER_OK);
}

static int parse(const char *text)
{
	struct witness_request r;
	return witness_request_parse((const uint8_t *)text, strlen(text), &r);
}

static void test_parser(void)
{
	const char *h = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=";
	char ok[256];
	snprintf(ok, sizeof ok, "old 20\n%s\n%s\n\nnote\n", h, h);
	struct witness_request r;
	T_CHECK(witness_request_parse((const uint8_t *)ok, strlen(ok), &r) == 0 &&
	        r.old_size == 20 && r.nproof == 2 && r.note_len == 5 &&
	        memcmp(r.note, "note\n", 5) == 0);
	T_CHECK(parse("old 0\n\nnote\n") == 0);
	T_OK(parse("old 01\n\nnote\n") != 0, "a leading zero");
	T_OK(parse("old -1\n\nnote\n") != 0, "a sign");
	T_OK(parse("old 18446744073709551616\n\nnote\n") != 0, "past 2^64");
	T_OK(parse("old  1\n\nnote\n") != 0, "two spaces");
	T_OK(parse("new 1\n\nnote\n") != 0, "not old");
	T_OK(parse("old 1\nnote\n") != 0, "no blank line");
	T_OK(parse("old 1\n\n") != 0, "no note");
	T_OK(parse("old 1") != 0, "no newline");
	T_OK(parse("") != 0, "empty");
	T_OK(parse("old 1\r\n\nnote\n") != 0, "CR");
	snprintf(ok, sizeof ok, "old 0\n%s\n\nnote\n", h);
	T_OK(parse(ok) != 0, "a proof from size 0");
	snprintf(ok, sizeof ok, "old 3\n%.43s\n\nnote\n", h);
	T_OK(parse(ok) != 0, "a short hash");
	snprintf(ok, sizeof ok, "old 3\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=\n\nnote\n");
	T_OK(parse(ok) != 0, "non-canonical base64");
	struct buf b;
	buf_init(&b, 8192);
	T_CHECK(buf_printf(&b, "old 5\n") == BUF_OK);
	for (int i = 0; i < WITNESS_PROOF_MAX + 1; i++)
		T_CHECK(buf_printf(&b, "%s\n", h) == BUF_OK);
	T_CHECK(buf_printf(&b, "\nnote\n") == BUF_OK);
	T_OK(witness_request_parse(b.data, b.len, &r) != 0, "64 proof lines");
	buf_release(&b);
	T_OK(witness_request_parse(NULL, 0, &r) != 0, "NULL");
}

struct count {
	int n;
	uint64_t size;
	char held[64];
};
static int count_conflict(void *ctx, const struct store_witness_conflict *c)
{
	struct count *k = ctx;
	k->n++;
	k->size = c->size;
	snprintf(k->held, sizeof k->held, "%.63s", c->held);
	return 0;
}

struct actions {
	int cosign, conflict, add;
};
static int count_actions(void *ctx, uint64_t index, const uint8_t *e, size_t len)
{
	struct actions *a = ctx;
	struct ledger_entry en;
	(void)index;
	if (ledger_entry_parse(e, len, &en) == LEDGER_OK) {
		a->cosign += en.action == LEDGER_WITNESS_COSIGN;
		a->conflict += en.action == LEDGER_WITNESS_CONFLICT;
		a->add += en.action == LEDGER_WITNESS_ADD;
	}
	return 0;
}

/* Sends note with a proof from old (from log) to the witness. */
static int send(struct store *w, const char *wname, const uint8_t wsk[64], struct store *log,
                uint64_t old, const struct buf *note, struct buf *out)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], r1[32], r2[32];
	size_t n = 0;
	struct ledger_checkpoint cp;
	if (ledger_checkpoint_parse(note->data, note->len, &cp) != LEDGER_OK)
		return -1;
	if (old > 0 && old < cp.size &&
	    ledger_prove_consistency(log, old, cp.size, proof, &n, r1, r2) != LEDGER_OK)
		return -1;
	struct buf req;
	buf_init(&req, WITNESS_REQUEST_MAX);
	int st = -1;
	if (witness_request_format(old, (const uint8_t(*)[MERKLE_HASH_LEN])proof, n, note->data,
	                           note->len, &req) == 0)
		st = witness_add_checkpoint(w, wname, wsk, req.data, req.len, 1700000000, out);
	buf_release(&req);
	return st;
}

static void test_witness(void)
{
	struct store *log = open_store("log.db"), *fork = open_store("fork.db"),
	             *w = open_store("witness.db");
	T_CHECK(log != NULL && fork != NULL && w != NULL);
	if (log == NULL || fork == NULL || w == NULL)
		return;
	const char *origin = "example.org/cutout-ledger";
	uint8_t pk[32], sk[64], pk2[32], sk2[64], wsk[64];
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	T_CHECK(witness_key_derive(sk2, wsk) == 0);
	char wname[LEDGER_ORIGIN_MAX + 1], msg[WITNESS_MSG_MAX], lmsg[LEDGER_MSG_MAX];
	witness_name("Witness Org", wname);
	T_CHECK(strcmp(wname, "witness-org/cutout-witness") == 0);
	struct buf note, out, vk, wvk, other;
	buf_init(&note, LEDGER_NOTE_MAX);
	buf_init(&other, LEDGER_NOTE_MAX);
	buf_init(&out, 4096);
	buf_init(&vk, 512);
	buf_init(&wvk, 512);
	T_CHECK(ledger_vkey(origin, pk, &vk) == 0);
	T_CHECK(witness_vkey(wname, wsk + 32, &wvk) == 0);
	char pname[LEDGER_ORIGIN_MAX + 1];
	uint8_t ppk[32];
	T_CHECK(witness_vkey_parse(wvk.data ? (const char *)wvk.data : "", wvk.len, pname, ppk) ==
	                0 &&
	        strcmp(pname, wname) == 0 && memcmp(ppk, wsk + 32, 32) == 0);
	T_OK(witness_vkey_parse((const char *)vk.data, vk.len, pname, ppk) != 0,
	     "a log key (type 0x01) is not a witness key");

	append(log, 5, "admin");
	buf_reset(&note);
	T_CHECK(ledger_checkpoint_sign(log, origin, sk, &note, lmsg) == LEDGER_OK);

	/* 400: malformed */
	T_CHECK(witness_add_checkpoint(w, wname, wsk, (const uint8_t *)"old 0\n", 6, 1, &out) ==
	        400);
	/* 404: unknown origin */
	T_CHECK(send(w, wname, wsk, log, 0, &note, &out) == 404);
	T_CHECK(witness_log_add(w, "admin", (const char *)vk.data, msg) == WITNESS_OK);
	T_CHECK(witness_log_add(w, "admin", (const char *)vk.data, msg) == WITNESS_EXISTS);
	T_CHECK(witness_log_add(w, "admin", "nonsense", msg) == WITNESS_BAD_INPUT);
	/* 403: signed by another key under the same origin */
	append(fork, 5, "admin");
	buf_reset(&other);
	T_CHECK(ledger_checkpoint_sign(fork, origin, sk2, &other, lmsg) == LEDGER_OK);
	T_CHECK(send(w, wname, wsk, fork, 0, &other, &out) == 403);
	/* 409: an old size the witness does not hold; the body is its size */
	T_CHECK(send(w, wname, wsk, log, 3, &note, &out) == 409 && out.len == 2 &&
	        memcmp(out.data, "0\n", 2) == 0);
	/* 200: the first checkpoint, from 0 */
	T_CHECK(send(w, wname, wsk, log, 0, &note, &out) == 200);
	struct ledger_checkpoint cp;
	uint64_t t = 0;
	T_CHECK(ledger_checkpoint_parse(note.data, note.len, &cp) == LEDGER_OK);
	T_CHECK(witness_cosig_verify((const char *)out.data, out.len, wname, wsk + 32, &cp, &t) ==
	                LEDGER_OK &&
	        t == 1700000000);
	T_CHECK(witness_cosig_verify((const char *)out.data, out.len, wname, pk, &cp, &t) ==
	        LEDGER_TAMPERED);
	struct ledger_checkpoint cp9 = cp;
	cp9.size++;
	T_CHECK(witness_cosig_verify((const char *)out.data, out.len, wname, wsk + 32, &cp9, &t) ==
	        LEDGER_TAMPERED);
	/* a quorum count: the note with the cosignature appended */
	struct buf full;
	buf_init(&full, LEDGER_NOTE_MAX);
	T_CHECK(buf_append(&full, note.data, note.len) == BUF_OK &&
	        buf_append(&full, out.data, out.len) == BUF_OK);
	const char *keys[3] = {(const char *)wvk.data, (const char *)wvk.data, NULL};
	size_t valid = 99;
	{
		int rc = witness_count(full.data, full.len, keys, 2, &valid);
		T_OK(rc == 0 && valid == 1, "rc %d valid %zu [%s]", rc, valid, buf_str(&full));
	}
	T_CHECK(witness_count(note.data, note.len, keys, 1, &valid) == 0 && valid == 0);
	keys[2] = "bad";
	T_CHECK(witness_count(full.data, full.len, keys, 3, &valid) == -1);
	buf_release(&full);

	/* the same checkpoint again: cosigned again */
	T_CHECK(send(w, wname, wsk, log, 5, &note, &out) == 200);
	/* 400: old above the checkpoint's size */
	T_CHECK(send(w, wname, wsk, log, 6, &note, &out) == 400);

	/* the log grows: a consistency proof from 5 */
	append(log, 4, "admin");
	buf_reset(&note);
	T_CHECK(ledger_checkpoint_sign(log, origin, sk, &note, lmsg) == LEDGER_OK);
	{
		int st = send(w, wname, wsk, log, 0, &note, &out);
		T_OK(st == 409 && memcmp(out.data, "5\n", 2) == 0, "st %d %s", st, buf_str(&out));
	}
	/* 422: a wrong proof (from another size's proof) is a split view */
	{
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], r1[32], r2[32];
		size_t n = 0;
		struct buf req;
		buf_init(&req, WITNESS_REQUEST_MAX);
		T_CHECK(ledger_prove_consistency(log, 5, 9, proof, &n, r1, r2) == LEDGER_OK);
		proof[0][3] ^= 1;
		T_CHECK(witness_request_format(5, (const uint8_t(*)[MERKLE_HASH_LEN])proof, n,
		                               note.data, note.len, &req) == 0);
		T_CHECK(witness_add_checkpoint(w, wname, wsk, req.data, req.len, 2, &out) == 422);
		buf_release(&req);
	}
	T_CHECK(send(w, wname, wsk, log, 5, &note, &out) == 200);
	T_CHECK(send(w, wname, wsk, log, 5, &note, &out) == 409 && memcmp(out.data, "9\n", 2) == 0);

	/* a split view: the same key signs another history of the same size */
	struct store *fork2 = open_store("fork2.db");
	T_CHECK(fork2 != NULL);
	if (fork2 != NULL) {
		append(fork2, 9, "system");
		buf_reset(&other);
		T_CHECK(ledger_checkpoint_sign(fork2, origin, sk, &other, lmsg) == LEDGER_OK);
		T_CHECK(send(w, wname, wsk, fork2, 9, &other, &out) == 409);
		/* a truncated log: a smaller checkpoint from the size held */
		struct store *trunc = open_store("trunc.db");
		T_CHECK(trunc != NULL);
		if (trunc != NULL) {
			append(trunc, 7, "system");
			buf_reset(&other);
			T_CHECK(ledger_checkpoint_sign(trunc, origin, sk, &other, lmsg) ==
			        LEDGER_OK);
			T_CHECK(send(w, wname, wsk, trunc, 9, &other, &out) == 400);
			T_CHECK(send(w, wname, wsk, trunc, 0, &other, &out) == 409);
			store_close(&trunc);
		}
		/* a rewritten history growing from 9: its proof does not lead to the root held */
		append(fork2, 3, "system");
		buf_reset(&other);
		T_CHECK(ledger_checkpoint_sign(fork2, origin, sk, &other, lmsg) == LEDGER_OK);
		T_CHECK(send(w, wname, wsk, fork2, 9, &other, &out) == 422);
		store_close(&fork2);
	}
	struct count k = {0};
	T_CHECK(store_witness_conflicts(w, count_conflict, &k) == STORE_OK && k.n == 3);
	T_CHECK(strncmp(k.held, origin, strlen(origin)) == 0);
	struct store_witness_log l;
	T_CHECK(store_witness_log_get(w, origin, &l) == STORE_OK && l.size == 9);
	struct actions a = {0};
	uint64_t size = 0;
	T_CHECK(ledger_size(w, &size) == LEDGER_OK);
	T_CHECK(ledger_entries(w, 0, size, count_actions, &a) == LEDGER_OK);
	T_OK(a.add == 1 && a.cosign == 3 && a.conflict == 3,
	     "ledger: %d add, %d cosign, %d conflict", a.add, a.cosign, a.conflict);
	struct ledger_verify_report rep;
	T_CHECK(ledger_verify(w, NULL, &rep) == LEDGER_OK);

	buf_release(&note);
	buf_release(&other);
	buf_release(&out);
	buf_release(&vk);
	buf_release(&wvk);
	store_close(&log);
	store_close(&fork);
	store_close(&w);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	memcpy(dir, "/tmp/cutout-witness-XXXXXX", sizeof("/tmp/cutout-witness-XXXXXX"));
	if (mkdtemp(dir) == NULL)
		return 1;
	test_parser();
	test_witness();
	char cmd[128];
	int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
