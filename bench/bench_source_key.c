/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_source_key: how long one source key derivation (Argon2id) takes with
 * given limits, and how many new sources per second N threads can derive.
 * Reference in the same run: one crypto_pwhash with libsodium's own
 * "interactive" limits (opslimit 2, memlimit 64 MiB).
 *
 * usage: bench_source_key [OPSLIMIT [MEMLIMIT_MIB [THREADS [SECONDS]]]]
 *        (defaults: the instance defaults, 2 threads, 3 s)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/keys/source_key.h"
#include "lib/codename.h"

#include "lib/banned.h"

static uint64_t g_ops;
static size_t g_mem;
static double g_secs;
static uint8_t g_salt[SOURCE_KEY_SALT_LEN];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	long *count = arg;
	char cn[CODENAME_BUFSIZE];
	double end = now() + g_secs;
	while (now() < end) {
		struct source_key *k = NULL;
		if (codename_generate(cn, sizeof cn) != CODENAME_OK ||
		    source_key_derive(cn, g_salt, g_ops, g_mem, &k) != SOURCE_KEY_OK)
			break;
		source_key_free(&k);
		(*count)++;
	}
	sodium_memzero(cn, sizeof cn);
	return NULL;
}

static unsigned long arg(int argc, char **argv, int i, unsigned long def)
{
	if (argc <= i)
		return def;
	char *end;
	unsigned long v = strtoul(argv[i], &end, 10);
	if (*end != 0 || v == 0) {
		fprintf(stderr, "bench_source_key: bad argument '%s'\n", argv[i]);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	g_ops = arg(argc, argv, 1, SOURCE_KEY_DEFAULT_OPSLIMIT);
	g_mem = arg(argc, argv, 2, SOURCE_KEY_DEFAULT_MEMLIMIT >> 20) << 20;
	unsigned long nthreads = arg(argc, argv, 3, 2);
	g_secs = (double)arg(argc, argv, 4, 3);
	if (nthreads > 64)
		nthreads = 64;
	randombytes_buf(g_salt, sizeof g_salt);

	char cn[CODENAME_BUFSIZE];
	struct source_key *k = NULL;
	if (codename_generate(cn, sizeof cn) != CODENAME_OK)
		return 1;
	/* One derivation, best of 5. */
	double best = 1e9;
	for (int i = 0; i < 5; i++) {
		double t0 = now();
		if (source_key_derive(cn, g_salt, g_ops, g_mem, &k) != SOURCE_KEY_OK)
			return 1;
		double t = now() - t0;
		source_key_free(&k);
		if (t < best)
			best = t;
	}
	/* Reference: libsodium's interactive limits on the same input. */
	uint8_t out[64];
	double ref = 1e9;
	for (int i = 0; i < 5; i++) {
		double t0 = now();
		if (crypto_pwhash(out, sizeof out, cn, strlen(cn), g_salt,
		                  crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
		                  crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
		                  crypto_pwhash_ALG_ARGON2ID13) != 0)
			return 1;
		double t = now() - t0;
		if (t < ref)
			ref = t;
	}
	sodium_memzero(cn, sizeof cn);
	sodium_memzero(out, sizeof out);
	printf("one derivation (opslimit %llu, memlimit %zu MiB): %.1f ms (best of 5)\n",
	       (unsigned long long)g_ops, g_mem >> 20, best * 1e3);
	printf("reference crypto_pwhash interactive (2, 64 MiB): %.1f ms; ratio %.2f\n", ref * 1e3,
	       best / ref);

	pthread_t th[64];
	long counts[64] = {0};
	double t0 = now();
	for (unsigned long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, &counts[i]) != 0)
			return 1;
	long total = 0;
	for (unsigned long i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		total += counts[i];
	}
	double el = now() - t0;
	printf("%lu threads, %.1f s: %ld new sources, %.1f derivations/s\n", nthreads, el, total,
	       (double)total / el);
	return 0;
}
