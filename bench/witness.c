/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_witness: add-checkpoint round trips per second (core/witness), in
 * process and through the CLI (`cutout witness add-checkpoint`, one process
 * per request, as --via-cli does), against the reference measured in the
 * same run: one Ed25519 verify + one sign (the crypto floor of a round trip).
 *
 *   bench_witness [N] [CUTOUT]     (N rounds, default 2000; CUTOUT: the binary, for the CLI)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/witness/witness.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The requests: the log grows by one entry per round, each with its proof from the last. */
static struct buf *make_requests(struct store *log, const uint8_t sk[64], int n)
{
	struct buf *req = calloc((size_t)n, sizeof *req);
	struct buf note;
	char msg[LEDGER_MSG_MAX];
	uint64_t old = 0;
	buf_init(&note, LEDGER_NOTE_MAX);
	for (int i = 0; req != NULL && i < n; i++) {
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], r1[32], r2[32];
		size_t np = 0;
		struct ledger_checkpoint cp;
		buf_reset(&note);
		buf_init(&req[i], WITNESS_REQUEST_MAX);
		if (ledger_record(log, LEDGER_LABEL_ROTATE, "system", NULL, NULL, NULL) !=
		            LEDGER_OK ||
		    ledger_checkpoint_sign(log, "bench.example/cutout-ledger", sk, &note, msg) !=
		            LEDGER_OK ||
		    ledger_checkpoint_parse(note.data, note.len, &cp) != LEDGER_OK ||
		    (old > 0 && ledger_prove_consistency(log, old, cp.size, proof, &np, r1, r2) !=
		                        LEDGER_OK) ||
		    witness_request_format(old, (const uint8_t(*)[MERKLE_HASH_LEN])proof, np,
		                           note.data, note.len, &req[i]) != 0) {
			fprintf(stderr, "bench_witness: could not make request %d\n", i);
			exit(1);
		}
		old = cp.size;
	}
	buf_release(&note);
	return req;
}

static int via_cli(const char *cutout, const char *dir, const struct buf *req)
{
	int in[2];
	if (pipe(in) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 || freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		close(in[0]);
		close(in[1]);
		execl(cutout, "cutout", "witness", "add-checkpoint", "-d", dir, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	int ok = io_write_all(in[1], req->data, req->len) == 0;
	close(in[1]);
	int st = 0;
	return pid > 0 && waitpid(pid, &st, 0) == pid && ok && WIFEXITED(st) && WEXITSTATUS(st) == 0
	               ? 0
	               : -1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 2000;
	const char *cutout = argc > 2 ? argv[2] : NULL;
	char dir[] = "/tmp/cutout-bench-witness-XXXXXX", path[256];
	uint8_t pk[32], sk[64], wsk[64];
	if (n < 1 || sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(wsk + 32, wsk);
	struct store *log = NULL, *w = NULL;
	snprintf(path, sizeof path, "%s/log.db", dir);
	if (store_open(path, &log) != STORE_OK)
		return 1;
	snprintf(path, sizeof path, "%s/witness.db", dir);
	if (store_open(path, &w) != STORE_OK)
		return 1;
	struct buf vk, out;
	buf_init(&vk, 512);
	buf_init(&out, 4096);
	char msg[WITNESS_MSG_MAX];
	if (ledger_vkey("bench.example/cutout-ledger", pk, &vk) != 0 ||
	    witness_log_add(w, "admin", (const char *)vk.data, msg) != WITNESS_OK)
		return 1;
	struct buf *req = make_requests(log, sk, n);

	/* the reference: a verify and a sign of a checkpoint-sized message */
	uint8_t m[200], sig[64];
	randombytes_buf(m, sizeof m);
	crypto_sign_detached(sig, NULL, m, sizeof m, sk);
	double t0 = now_s();
	int bad = 0;
	for (int i = 0; i < n; i++) {
		bad |= crypto_sign_verify_detached(sig, m, sizeof m, pk);
		crypto_sign_detached(sig, NULL, m, sizeof m, sk);
	}
	double ref = n / (now_s() - t0);

	t0 = now_s();
	for (int i = 0; i < n; i++)
		if (witness_add_checkpoint(w, "bench.example/w", wsk, req[i].data, req[i].len,
		                           1700000000, &out) != 200)
			bad = 1;
	double inproc = n / (now_s() - t0);
	printf("witness add-checkpoint, %d round trips (a durable store transaction each)\n", n);
	printf("  reference Ed25519 verify+sign:  %10.0f /s\n", ref);
	printf("  in process:                     %10.0f /s  (%.3f of the reference)\n", inproc,
	       inproc / ref);

	fflush(stdout); /* the children must not inherit a buffered copy */
	if (cutout != NULL) {
		/* the CLI: a fresh instance witnessing the same log, one process per request */
		char idir[300], cmd[700];
		int cn = n < 200 ? n : 200;
		snprintf(idir, sizeof idir, "%s/inst", dir);
		snprintf(cmd, sizeof cmd,
		         "'%s' init '%s' --organisation Bench >/dev/null && '%s' witness add '%s' "
		         "-d "
		         "'%s' >/dev/null",
		         cutout, idir, cutout, (const char *)vk.data, idir);
		if (system(cmd) != 0)
			return 1;
		t0 = now_s();
		for (int i = 0; i < cn; i++)
			if (via_cli(cutout, idir, &req[i]) != 0)
				bad = 1;
		double cli = cn / (now_s() - t0);
		printf("  via the CLI (%d requests):     %10.1f /s  (%.4f of the reference)\n", cn,
		       cli, cli / ref);
	}
	for (int i = 0; i < n; i++)
		buf_release(&req[i]);
	free(req);
	store_close(&log);
	store_close(&w);
	char rm[128];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	if (system(rm) != 0)
		bad = 1;
	if (bad)
		fprintf(stderr, "bench_witness: a round trip failed\n");
	return bad ? 1 : 0;
}
