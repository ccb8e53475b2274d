/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_merkle: the Merkle module at ledger scale.
 *
 *   build/bench/bench_merkle [LEAVES]      (default 10,000,000; needs ~64 bytes/leaf)
 *
 * Builds a tree of LEAVES synthetic 100-byte entries into an in-memory node
 * store (one array per level, filled by merkle_append's put callback), then
 * measures proof generation and verification at that size over 10,000 random
 * indices, and a full recomputation of the root from the entries. The
 * reference is the raw SHA-256 speed on 65-byte inputs (a node hash), measured
 * in the same run for libsodium and OpenSSL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "lib/merkle.h"

#include "lib/banned.h"

#define SAMPLES 10000
#define ENTRY_LEN 100

struct store {
	uint8_t (*lv[MERKLE_LEVELS])[MERKLE_HASH_LEN];
	uint64_t cap[MERKLE_LEVELS];
	uint64_t gets;
};

static int store_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[static 32])
{
	struct store *s = ctx;
	if (index >= s->cap[level])
		return -1;
	memcpy(s->lv[level][index], h, MERKLE_HASH_LEN);
	return 0;
}

static int store_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct store *s = ctx;
	s->gets++;
	if (level >= MERKLE_LEVELS || index >= s->cap[level])
		return -1;
	memcpy(out, s->lv[level][index], MERKLE_HASH_LEN);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void make_entry(uint64_t i, uint8_t e[static ENTRY_LEN])
{
	memset(e, 'x', ENTRY_LEN);
	memcpy(e, &i, sizeof(i));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void percentiles(double *v, size_t n, double *p50, double *p99)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100];
}

/* Raw SHA-256 of 65-byte inputs, hashes per second. */
static double sha_sodium(uint64_t n)
{
	uint8_t in[65] = {1}, out[32];
	double t = now();
	for (uint64_t i = 0; i < n; i++) {
		crypto_hash_sha256(out, in, sizeof(in));
		in[1] = out[0];
	}
	return (double)n / (now() - t);
}

static double sha_openssl(uint64_t n)
{
	uint8_t in[65] = {1}, out[32];
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	double rate = 0;
	if (md == NULL || c == NULL)
		goto out;
	double t = now();
	for (uint64_t i = 0; i < n; i++) {
		unsigned int ol;
		if (EVP_DigestInit_ex2(c, md, NULL) != 1 ||
		    EVP_DigestUpdate(c, in, sizeof(in)) != 1 ||
		    EVP_DigestFinal_ex(c, out, &ol) != 1)
			goto out;
		in[1] = out[0];
	}
	rate = (double)n / (now() - t);
out:
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return rate;
}

static double node_hash_rate(uint64_t n)
{
	uint8_t a[32] = {1}, b[32] = {2};
	double t = now();
	for (uint64_t i = 0; i < n; i++)
		merkle_node_hash(a, b, a);
	return (double)n / (now() - t);
}

int main(int argc, char **argv)
{
	uint64_t leaves = 10000000;
	if (argc > 1) {
		char *end;
		leaves = strtoull(argv[1], &end, 10);
		if (*end != '\0' || leaves < 2 || leaves > (UINT64_C(1) << 32)) {
			fprintf(stderr, "usage: %s [LEAVES >= 2]\n", argv[0]);
			return 2;
		}
	}
	if (sodium_init() < 0)
		return 1;
	int rc = 1;
	struct store s;
	memset(&s, 0, sizeof(s));
	double *lat = malloc(SAMPLES * sizeof(double));
	double *lat2 = malloc(SAMPLES * sizeof(double));
	uint64_t *idx = malloc(SAMPLES * sizeof(uint64_t));
	uint8_t(*proofs)[MERKLE_PROOF_MAX][MERKLE_HASH_LEN] = malloc(SAMPLES * sizeof(*proofs));
	size_t *plen = malloc(SAMPLES * sizeof(size_t));
	if (lat == NULL || lat2 == NULL || idx == NULL || proofs == NULL || plen == NULL)
		goto out;
	for (unsigned l = 0; l < MERKLE_LEVELS && (leaves >> l) != 0; l++) {
		s.cap[l] = leaves >> l;
		s.lv[l] = malloc((size_t)s.cap[l] * MERKLE_HASH_LEN);
		if (s.lv[l] == NULL) {
			fprintf(stderr, "out of memory for level %u\n", l);
			goto out;
		}
	}

	/* Reference: raw SHA-256 on 65-byte inputs (one node hash). */
	double r_sodium = sha_sodium(1000000), r_ossl = sha_openssl(1000000);
	double r_node = node_hash_rate(1000000);
	printf("reference: SHA-256 of 65 bytes: libsodium %.2f M/s, OpenSSL EVP %.2f M/s "
	       "(OpenSSL/libsodium %.2fx)\n",
	       r_sodium / 1e6, r_ossl / 1e6, r_ossl / r_sodium);
	printf("merkle_node_hash: %.2f M/s (%.2fx OpenSSL raw)\n", r_node / 1e6, r_node / r_ossl);

	/* Build: leaf hash + append + store every completed node. */
	struct merkle_tree_state t;
	merkle_tree_init(&t);
	uint8_t entry[ENTRY_LEN], lh[32], root[32], root2[32];
	double t0 = now();
	for (uint64_t i = 0; i < leaves; i++) {
		make_entry(i, entry);
		merkle_leaf_hash(entry, sizeof(entry), lh);
		if (merkle_append(&t, lh, store_put, &s) != MERKLE_OK) {
			fprintf(stderr, "append %" PRIu64 " failed\n", i);
			goto out;
		}
	}
	double build = now() - t0;
	merkle_root(&t, root);
	printf("build %" PRIu64 " leaves: %.2f s, %.0f appends/s (leaf hash + append + store; "
	       "%.2fx of raw OpenSSL SHA-256 / 2)\n",
	       leaves, build, (double)leaves / build, (double)leaves / build / (r_ossl / 2));

	/* Inclusion proofs at full size over random indices. */
	for (size_t i = 0; i < SAMPLES; i++)
		idx[i] = rng() % leaves;
	s.gets = 0;
	for (size_t i = 0; i < SAMPLES; i++) {
		double a = now();
		if (merkle_inclusion_proof(idx[i], leaves, store_get, &s, proofs[i], &plen[i]) !=
		    MERKLE_OK)
			goto out;
		lat[i] = now() - a;
	}
	uint64_t gets = s.gets;
	size_t bad = 0;
	for (size_t i = 0; i < SAMPLES; i++) {
		uint8_t leaf[32];
		make_entry(idx[i], entry);
		merkle_leaf_hash(entry, sizeof(entry), leaf);
		double a = now();
		enum merkle_result v = merkle_verify_inclusion(
		        leaf, idx[i], leaves, (const uint8_t(*)[32])proofs[i], plen[i], root);
		lat2[i] = now() - a;
		bad += v != MERKLE_OK;
	}
	double p50, p99, v50, v99;
	percentiles(lat, SAMPLES, &p50, &p99);
	percentiles(lat2, SAMPLES, &v50, &v99);
	printf("inclusion proof at %" PRIu64 ": generate p50 %.2f us p99 %.2f us "
	       "(%.1f lookups/proof); verify p50 %.2f us p99 %.2f us; %zu failed\n",
	       leaves, p50 * 1e6, p99 * 1e6, (double)gets / SAMPLES, v50 * 1e6, v99 * 1e6, bad);

	/* Consistency proofs from random older sizes to the full size. */
	bad = 0;
	for (size_t i = 0; i < SAMPLES; i++) {
		uint64_t m = 1 + rng() % (leaves - 1);
		uint8_t r1[32];
		double a = now();
		enum merkle_result g =
		        merkle_consistency_proof(m, leaves, store_get, &s, proofs[0], &plen[0]);
		lat[i] = now() - a;
		if (g != MERKLE_OK || merkle_root_at(m, store_get, &s, r1) != MERKLE_OK)
			goto out;
		a = now();
		bad += merkle_verify_consistency(m, leaves, (const uint8_t(*)[32])proofs[0],
		                                 plen[0], r1, root) != MERKLE_OK;
		lat2[i] = now() - a;
	}
	percentiles(lat, SAMPLES, &p50, &p99);
	percentiles(lat2, SAMPLES, &v50, &v99);
	printf("consistency proof to %" PRIu64 ": generate p50 %.2f us p99 %.2f us; verify p50 "
	       "%.2f us p99 %.2f us; %zu failed\n",
	       leaves, p50 * 1e6, p99 * 1e6, v50 * 1e6, v99 * 1e6, bad);

	/* Full verification: recompute the root from every entry (no store). */
	merkle_tree_init(&t);
	t0 = now();
	for (uint64_t i = 0; i < leaves; i++) {
		make_entry(i, entry);
		merkle_leaf_hash(entry, sizeof(entry), lh);
		if (merkle_append(&t, lh, NULL, NULL) != MERKLE_OK)
			goto out;
	}
	merkle_root(&t, root2);
	double full = now() - t0;
	printf("full recomputation: %.2f s, %.0f leaves/s (%" PRIu64 " leaf + %" PRIu64
	       " node hashes; %.2fx of raw OpenSSL SHA-256 / 2), root %s\n",
	       full, (double)leaves / full, leaves, leaves - 1,
	       (double)leaves / full / (r_ossl / 2),
	       memcmp(root, root2, 32) == 0 ? "matches" : "DIFFERS");
	if (memcmp(root, root2, 32) != 0 || bad != 0)
		goto out;
	rc = 0;
out:
	for (unsigned l = 0; l < MERKLE_LEVELS; l++)
		free(s.lv[l]);
	free(lat);
	free(lat2);
	free(idx);
	free(proofs);
	free(plen);
	if (rc != 0)
		fprintf(stderr, "bench_merkle: failed\n");
	return rc;
}
