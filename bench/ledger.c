/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_ledger: the ledger's goal figures (issue 6), each with a reference
 * measured in the same run.
 *
 *   bench_ledger [DIR [N_SEED [SECONDS [THREADS]]]]
 *
 * 1. durable appends/s with 1, 16, 256 and 1024 threads (or the comma-separated
 *    list THREADS) each calling ledger_append
 *    (one event per call); references: write+fdatasync of one entry-sized
 *    record per call to a plain file, and plain SQLite inserts of the same
 *    rows in one transaction (the ceiling of one writer);
 * 2. seeds the ledger to N_SEED entries (default 10,000,000) with
 *    ledger_append_batch (10,000 per call);
 * 3. inclusion proof latency (ledger_prove_entry + leaf hash + verification),
 *    p50 and p99 over 10,000 random indexes at that size: first with the
 *    proof node cache cold (the first proofs of the process), then warm
 *    (after 100,000 more);
 * 4. full verification (ledger_verify) in entries/s.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "lib/merkle.h"

#include "lib/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct store *st;
static atomic_int stop;
static atomic_long done;

static void event(struct ledger_event *ev, char *obj, size_t cap, long t, long k)
{
	int w = snprintf(obj, cap, "submission:%ld", t * 1000000 + k);
	if (w < 0 || (size_t)w >= cap)
		abort();
	*ev = (struct ledger_event){.action = LEDGER_OBJECT_READ,
	                            .actor = "officer:alice",
	                            .object = obj,
	                            .marking = "SECRET//HUMINT"};
}

static void *appender(void *arg)
{
	long t = (long)(intptr_t)arg;
	char obj[LEDGER_TOKEN_MAX + 1];
	struct ledger_event ev;
	uint64_t idx;
	for (long k = 0; !atomic_load(&stop); k++) {
		event(&ev, obj, sizeof obj, t, k);
		if (ledger_append(st, &ev, &idx) != LEDGER_OK) {
			fputs("append failed\n", stderr);
			exit(1);
		}
		atomic_fetch_add(&done, 1);
	}
	return NULL;
}

static double run_appenders(int threads, double secs)
{
	pthread_t *th = calloc((size_t)threads, sizeof *th);
	if (th == NULL)
		exit(1);
	atomic_store(&stop, 0);
	atomic_store(&done, 0);
	double t0 = now();
	for (long t = 0; t < threads; t++)
		if (pthread_create(&th[t], NULL, appender, (void *)(intptr_t)t) != 0)
			exit(1);
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (int t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	double dt = now() - t0;
	free(th);
	return (double)atomic_load(&done) / dt;
}

/* Reference: one 200-byte record + fdatasync per call, for secs. */
static double ref_fsync(const char *dir, double secs)
{
	char path[512];
	uint8_t rec[200];
	memset(rec, 'x', sizeof rec);
	int n = snprintf(path, sizeof path, "%s/ref.fsync", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		exit(1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		exit(1);
	long k = 0;
	double t0 = now();
	while (now() - t0 < secs) {
		if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec || fdatasync(fd) != 0)
			exit(1);
		k++;
	}
	double dt = now() - t0;
	close(fd);
	unlink(path);
	return (double)k / dt;
}

/* Reference: plain SQLite inserts of entry-sized rows in one transaction. */
static double ref_sqlite(const char *dir, long rows)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *ins;
	uint8_t entry[180], hashes[64];
	memset(entry, 'e', sizeof entry);
	memset(hashes, 'h', sizeof hashes);
	int n = snprintf(path, sizeof path, "%s/ref.db", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		exit(1);
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 " CREATE TABLE t(idx INTEGER PRIMARY KEY, entry BLOB, hashes BLOB);",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1, ?2, ?3)", -1, &ins, NULL) !=
	            SQLITE_OK)
		exit(1);
	double t0 = now();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long i = 0; i < rows; i++) {
		sqlite3_bind_int64(ins, 1, i);
		sqlite3_bind_blob(ins, 2, entry, sizeof entry, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 3, hashes, (int)(32 + 32 * (i & 1)), SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			exit(1);
		sqlite3_reset(ins);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	double dt = now() - t0;
	sqlite3_finalize(ins);
	sqlite3_close(db);
	unlink(path);
	char wal[600];
	n = snprintf(wal, sizeof wal, "%s-wal", path);
	if (n > 0 && (size_t)n < sizeof wal)
		unlink(wal);
	return (double)rows / dt;
}

/*
 * n proofs of random entries at size: ledger_prove_entry (entry and proof from
 * one snapshot), then the leaf hash and the proof verified. Latencies in us to
 * lat if not NULL.
 */
static int proofs(uint64_t size, int n, double *lat)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], root[32], entry[LEDGER_ENTRY_MAX],
	        leaf[32];
	size_t np, len;
	for (int i = 0; i < n; i++) {
		uint64_t idx = randombytes_uniform(UINT32_MAX) % size;
		double a = now();
		if (ledger_prove_entry(st, idx, size, entry, &len, proof, &np, root) != LEDGER_OK)
			return 1;
		merkle_leaf_hash(entry, len, leaf);
		if (merkle_verify_inclusion(leaf, idx, size, (const uint8_t(*)[32])proof, np,
		                            root) != MERKLE_OK)
			return 1;
		if (lat != NULL)
			lat[i] = (now() - a) * 1e6;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	long nseed = argc > 2 ? strtol(argv[2], NULL, 10) : 10000000L;
	double secs = argc > 3 ? strtod(argv[3], NULL) : 3.0;
	char path[512];
	if (sodium_init() < 0 || nseed < 1)
		return 1;
	int n = snprintf(path, sizeof path, "%s/bench-ledger.db", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return 1;
	char rm[600];
	n = snprintf(rm, sizeof rm, "rm -rf '%s' '%s-wal' '%s-shm' '%s.blobs'", path, path, path,
	             path);
	if (n < 0 || (size_t)n >= sizeof rm || system(rm) != 0)
		return 1;
	if (store_open(path, &st) != STORE_OK)
		return 1;

	/* 1. durable appends */
	double fs = ref_fsync(dir, 1.0);
	double sq = ref_sqlite(dir, 300000);
	printf("reference: write+fdatasync      %10.0f records/s\n", fs);
	printf("reference: sqlite one txn       %10.0f rows/s (one writer's ceiling)\n", sq);
	int threads[8] = {1, 16, 256, 1024}, nthreads = 4;
	if (argc > 4) { /* THREADS: a comma-separated list */
		char *p = argv[4], *end;
		for (nthreads = 0; nthreads < 8 && *p != '\0'; p = *end == ',' ? end + 1 : end) {
			long v = strtol(p, &end, 10);
			if (end == p || v < 1 || v > 4096)
				return 1;
			threads[nthreads++] = (int)v;
		}
	}
	for (int i = 0; i < nthreads; i++) {
		double r = run_appenders(threads[i], secs);
		printf("durable appends, %4d threads   %10.0f /s  (%.1fx fdatasync rate, %.2f of "
		       "sqlite ceiling)\n",
		       threads[i], r, r / fs, r / sq);
		fflush(stdout);
	}

	/* 2. seed */
	uint64_t size;
	if (ledger_size(st, &size) != LEDGER_OK)
		return 1;
	enum { B = 10000 };
	struct ledger_event *evs = calloc(B, sizeof *evs);
	char(*objs)[LEDGER_TOKEN_MAX + 1] = calloc(B, sizeof *objs);
	if (evs == NULL || objs == NULL)
		return 1;
	double t0 = now();
	uint64_t seeded = 0;
	while (size < (uint64_t)nseed) {
		uint64_t want = (uint64_t)nseed - size, first;
		size_t k = want < B ? (size_t)want : B;
		for (size_t j = 0; j < k; j++)
			event(&evs[j], objs[j], sizeof objs[j], 999, (long)(size + j));
		if (ledger_append_batch(st, evs, k, &first) != LEDGER_OK)
			return 1;
		size += k;
		seeded += k;
	}
	double dt = now() - t0;
	printf("seeded %llu entries in %.1f s (%.0f /s, batches of %d)\n",
	       (unsigned long long)seeded, dt, (double)seeded / dt, B);
	free(evs);
	free(objs);

	/* 3. inclusion proofs: cold (the first P proofs of this process), then warm */
	enum { P = 10000, WARM = 100000 };
	double *lat = calloc(P, sizeof *lat);
	if (lat == NULL)
		return 1;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && proofs(size, WARM, NULL) != 0) /* warm-up, not timed */
			return 1;
		if (proofs(size, P, lat) != 0)
			return 1;
		qsort(lat, P, sizeof *lat, cmp_double);
		printf("inclusion proof (entry + proof + verify) at %llu entries, %s: p50 %.1f us, "
		       "p99 %.1f us\n",
		       (unsigned long long)size,
		       pass == 0 ? "cold (first 10,000 of the process)"
		                 : "warm (after 100,000 more)",
		       lat[P / 2], lat[P * 99 / 100]);
	}
	free(lat);

	/* 4. full verification */
	struct ledger_verify_report rep;
	t0 = now();
	if (ledger_verify(st, NULL, &rep) != LEDGER_OK)
		return 1;
	dt = now() - t0;
	printf("full verification: %llu entries in %.2f s = %.0f entries/s\n",
	       (unsigned long long)rep.size, dt, (double)rep.size / dt);
	store_close(&st);
	if (system(rm) != 0)
		return 1;
	return 0;
}
