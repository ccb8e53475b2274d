/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_merkle: the transparency-dev vectors (tests/vectors/merkle) plus
 * property tests against a naive implementation of RFC 9162's definitions
 * (MTH, PATH, SUBPROOF) written out recursively below.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/io.h"
#include "lib/merkle.h"
#include "lib/merkle_cache.h"
#include "json_min.h"
#include "t.h"

#include "lib/banned.h"

typedef uint8_t hash_t[MERKLE_HASH_LEN];

/* ---- an in-memory node store: one growable array per level ---- */

struct mem_store {
	hash_t *lv[MERKLE_LEVELS];
	uint64_t len[MERKLE_LEVELS], cap[MERKLE_LEVELS];
	uint64_t gets;
	int fail_put_at_level; /* put fails for this level (-1: never) */
};

static int mem_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[static 32])
{
	struct mem_store *s = ctx;
	if ((int)level == s->fail_put_at_level)
		return -1;
	if (index > s->len[level])
		return -1; /* nodes of a level arrive in order */
	if (index == s->cap[level]) {
		uint64_t nc = s->cap[level] ? s->cap[level] * 2 : 16;
		hash_t *p = realloc(s->lv[level], (size_t)nc * sizeof(hash_t));
		if (p == NULL)
			return -1;
		s->lv[level] = p;
		s->cap[level] = nc;
	}
	memcpy(s->lv[level][index], h, 32);
	if (index == s->len[level])
		s->len[level]++;
	return 0;
}

static int mem_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct mem_store *s = ctx;
	s->gets++;
	if (level >= MERKLE_LEVELS || index >= s->len[level])
		return -1;
	memcpy(out, s->lv[level][index], 32);
	return 0;
}

static void mem_free(struct mem_store *s)
{
	for (int i = 0; i < MERKLE_LEVELS; i++)
		free(s->lv[i]);
	memset(s, 0, sizeof(*s));
}

static int const_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	memset(out, (int)level, 32);
	return 0;
}

static int fail_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	return -1;
}

/* ---- RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1, written as defined ---- */

static void naive_mth_compute(const hash_t *d, uint64_t n, uint8_t out[static 32]);
static void naive_mth(const hash_t *d, uint64_t n, uint8_t out[static 32]);

static uint64_t naive_k(uint64_t n)
{
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

/*
 * naive_mth is a pure function of (offset, n) over one leaf array; the
 * property tests memoise it (for ranges inside the first MEMO_N leaves) so
 * that checking every proof against it stays fast.
 */
#define MEMO_N 301
static const hash_t *memo_base;
static hash_t *memo;
static uint8_t *memo_valid;

static void naive_mth(const hash_t *d, uint64_t n, uint8_t out[static 32])
{
	size_t slot = 0;
	int memoised = memo != NULL && d >= memo_base && d < memo_base + MEMO_N && n < MEMO_N;
	if (memoised) {
		slot = (size_t)(d - memo_base) * MEMO_N + (size_t)n;
		if (memo_valid[slot]) {
			memcpy(out, memo[slot], 32);
			return;
		}
	}
	naive_mth_compute(d, n, out);
	if (memoised) {
		memcpy(memo[slot], out, 32);
		memo_valid[slot] = 1;
	}
}

static void naive_mth_compute(const hash_t *d, uint64_t n, uint8_t out[static 32])
{
	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], 32);
		return;
	}
	uint64_t k = naive_k(n);
	hash_t l, r;
	naive_mth(d, k, l);
	naive_mth(d + k, n - k, r);
	uint8_t in[65];
	in[0] = 1;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	crypto_hash_sha256(out, in, sizeof(in));
}

static void naive_path(uint64_t m, const hash_t *d, uint64_t n, hash_t *out, size_t *count)
{
	if (n <= 1)
		return;
	uint64_t k = naive_k(n);
	if (m < k) {
		naive_path(m, d, k, out, count);
		naive_mth(d + k, n - k, out[(*count)++]);
	} else {
		naive_path(m - k, d + k, n - k, out, count);
		naive_mth(d, k, out[(*count)++]);
	}
}

static void naive_subproof(uint64_t m, const hash_t *d, uint64_t n, int b, hash_t *out,
                           size_t *count)
{
	if (m == n) {
		if (!b)
			naive_mth(d, n, out[(*count)++]);
		return;
	}
	uint64_t k = naive_k(n);
	if (m <= k) {
		naive_subproof(m, d, k, b, out, count);
		naive_mth(d + k, n - k, out[(*count)++]);
	} else {
		naive_subproof(m - k, d + k, n - k, 0, out, count);
		naive_mth(d, k, out[(*count)++]);
	}
}

static unsigned ceil_log2(uint64_t n)
{
	unsigned d = 0;
	while ((UINT64_C(1) << d) < n)
		d++;
	return d;
}

/* ---- the transparency-dev vectors ---- */

static char vec_root[4096];

/*
 * Decodes a base64 string. Go's verifier takes byte slices of any length; a C
 * caller holds 32-byte arrays. A value of another length is mapped to a
 * 32-byte token that no hash computation produces and that keeps equality
 * (SHA-256 of a tag and the bytes), so root comparisons behave as in Go.
 * *is_hash says whether the value really was 32 bytes.
 */
static int decode_hash(const struct jdoc *d, size_t n, uint8_t out[static 32], int *is_hash)
{
	uint8_t raw[256];
	size_t rawlen = 0;
	if (n == J_NONE || d->node[n].type != J_STR)
		return -1;
	if (d->node[n].len > 0 &&
	    sodium_base642bin(raw, sizeof(raw), d->node[n].str, d->node[n].len, NULL, &rawlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	*is_hash = rawlen == 32;
	if (*is_hash) {
		memcpy(out, raw, 32);
		return 0;
	}
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"test: not a hash", 16);
	crypto_hash_sha256_update(&st, raw, rawlen);
	crypto_hash_sha256_final(&st, out);
	return 0;
}

#define VEC_PROOF_MAX 128

static int decode_proof(const struct jdoc *d, size_t n, hash_t *proof, size_t *count)
{
	*count = 0;
	if (n == J_NONE)
		return -1;
	if (d->node[n].type == J_NULL)
		return 0;
	if (d->node[n].type != J_ARR)
		return -1;
	for (size_t c = d->node[n].child; c != J_NONE; c = d->node[c].next) {
		int is_hash;
		if (*count >= VEC_PROOF_MAX || decode_hash(d, c, proof[*count], &is_hash) != 0)
			return -1;
		(*count)++;
	}
	return 0;
}

static int get_u64(const struct jdoc *d, size_t obj, const char *key, uint64_t *v)
{
	size_t n = json_get(d, obj, key);
	if (n == J_NONE || d->node[n].type != J_NUM)
		return -1;
	*v = d->node[n].num;
	return 0;
}

/* Returns 1 if the vector file gave its expected result, 0 if not, -1 if unreadable. */
static int run_vector(const char *path, int is_inclusion, char *desc, size_t desclen)
{
	struct buf b;
	struct jdoc *d = malloc(sizeof(*d));
	hash_t *proof = malloc(VEC_PROOF_MAX * sizeof(hash_t));
	int ret = -1;
	buf_init(&b, 1 << 20);
	if (d == NULL || proof == NULL || io_read_file(path, &b) != 0)
		goto out;
	size_t root = json_parse(d, (const char *)b.data, b.len);
	size_t dn = json_get(d, root, "desc"), wn = json_get(d, root, "wantErr");
	if (root == J_NONE || dn == J_NONE || wn == J_NONE || d->node[wn].type != J_BOOL)
		goto out;
	int n = snprintf(desc, desclen, "%.*s", (int)d->node[dn].len, d->node[dn].str);
	if (n < 0)
		goto out;
	int want_err = d->node[wn].boolean;
	size_t count;
	if (decode_proof(d, json_get(d, root, "proof"), proof, &count) != 0)
		goto out;
	enum merkle_result rc;
	if (is_inclusion) {
		uint64_t index, size;
		hash_t leaf, rt;
		int leaf_is_hash, root_is_hash;
		if (get_u64(d, root, "leafIdx", &index) != 0 ||
		    get_u64(d, root, "treeSize", &size) != 0 ||
		    decode_hash(d, json_get(d, root, "leafHash"), leaf, &leaf_is_hash) != 0 ||
		    decode_hash(d, json_get(d, root, "root"), rt, &root_is_hash) != 0)
			goto out;
		/* Go rejects a leaf hash that is not 32 bytes; in C that is the parameter type. */
		if (!leaf_is_hash)
			rc = MERKLE_MISMATCH;
		else
			rc = merkle_verify_inclusion(leaf, index, size, (const hash_t *)proof,
			                             count, rt);
	} else {
		uint64_t size1, size2;
		hash_t r1, r2;
		int h1, h2;
		if (get_u64(d, root, "size1", &size1) != 0 ||
		    get_u64(d, root, "size2", &size2) != 0 ||
		    decode_hash(d, json_get(d, root, "root1"), r1, &h1) != 0 ||
		    decode_hash(d, json_get(d, root, "root2"), r2, &h2) != 0)
			goto out;
		rc = merkle_verify_consistency(size1, size2, (const hash_t *)proof, count, r1, r2);
	}
	ret = (rc != MERKLE_OK) == want_err;
out:
	buf_release(&b);
	free(proof);
	free(d);
	return ret;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs every .json file under dir (recursively, in name order); returns the count. */
static int run_dir(const char *dir, int is_inclusion)
{
	struct dirent **names;
	int total = 0;
	int n = scandir(dir, &names, NULL, name_cmp);
	if (n < 0) {
		T_OK(0, "read directory %s", dir);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		char path[4096], desc[256] = "";
		int len = snprintf(path, sizeof(path), "%s/%s", dir, nm);
		if (nm[0] == '.' || len < 0 || (size_t)len >= sizeof(path))
			goto next;
		size_t nl = strlen(nm);
		if (nl > 5 && strcmp(nm + nl - 5, ".json") == 0) {
			int r = run_vector(path, is_inclusion, desc, sizeof(desc));
			T_OK(r == 1, "%s (%s)", path + strlen(vec_root) + 1, desc);
			total++;
		} else if (names[i]->d_type == DT_DIR) {
			total += run_dir(path, is_inclusion);
		}
	next:
		free(names[i]);
	}
	free(names);
	return total;
}

static void test_roots_json(void)
{
	char path[4200];
	struct buf b;
	struct jdoc *d = malloc(sizeof(*d));
	buf_init(&b, 1 << 20);
	int len = snprintf(path, sizeof(path), "%s/roots.json", vec_root);
	size_t root = J_NONE;
	if (d != NULL && len > 0 && (size_t)len < sizeof(path) && io_read_file(path, &b) == 0)
		root = json_parse(d, (const char *)b.data, b.len);
	size_t leaves = json_get(d, root, "leaves"), roots = json_get(d, root, "roots");
	if (!T_OK(leaves != J_NONE && roots != J_NONE, "roots.json parses"))
		goto out;
	struct merkle_tree_state t;
	merkle_tree_init(&t);
	size_t leaf = d->node[leaves].child;
	int i = 0;
	for (size_t r = d->node[roots].child; r != J_NONE; r = d->node[r].next, i++) {
		uint8_t want[32], got[32];
		if (i > 0) {
			uint8_t entry[64], lh[32];
			size_t elen = 0;
			if (!T_OK(leaf != J_NONE &&
			                  sodium_hex2bin(entry, sizeof(entry), d->node[leaf].str,
			                                 d->node[leaf].len, NULL, &elen, NULL) == 0,
			          "roots.json leaf %d", i - 1))
				goto out;
			merkle_leaf_hash(entry, elen, lh);
			if (!T_OK(merkle_append(&t, lh, NULL, NULL) == MERKLE_OK, "append leaf %d",
			          i - 1))
				goto out;
			leaf = d->node[leaf].next;
		}
		size_t wl = 0;
		merkle_root(&t, got);
		T_OK(sodium_hex2bin(want, 32, d->node[r].str, d->node[r].len, NULL, &wl, NULL) ==
		                     0 &&
		             wl == 32 && memcmp(got, want, 32) == 0,
		     "roots.json: root of the first %d leaves", i);
	}
	T_OK(i == 9, "roots.json has roots for 0..8 leaves (%d)", i);
out:
	buf_release(&b);
	free(d);
}

/* ---- fixed cases ---- */

static void test_known_answers(void)
{
	uint8_t h[32], want[32];
	size_t wl;
	merkle_empty_root(h);
	T_CHECK(sodium_hex2bin(want, 32,
	                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	                       64, NULL, &wl, NULL) == 0 &&
	        memcmp(h, want, 32) == 0);
	/* Leaf hash of the empty entry: SHA-256(0x00). */
	merkle_leaf_hash(NULL, 0, h);
	T_CHECK(sodium_hex2bin(want, 32,
	                       "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	                       64, NULL, &wl, NULL) == 0 &&
	        memcmp(h, want, 32) == 0);
	/* Node hash = SHA-256(0x01 || l || r), and out may alias an input. */
	uint8_t l[32], r[32], in[65], ref[32];
	memset(l, 0xaa, 32);
	memset(r, 0x55, 32);
	in[0] = 1;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	crypto_hash_sha256(ref, in, sizeof(in));
	merkle_node_hash(l, r, l);
	T_OK(memcmp(l, ref, 32) == 0, "node hash matches SHA-256(0x01||l||r), aliased output");
	/* Short entries are gathered into one buffer, long ones are not: both sides of the limit.
	 */
	uint8_t big[1000], bigin[1001];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	bigin[0] = 0;
	memcpy(bigin + 1, big, sizeof(big));
	static const size_t lens[] = {1, 63, 64, 254, 255, 256, 257, 1000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		crypto_hash_sha256(ref, bigin, lens[i] + 1);
		merkle_leaf_hash(big, lens[i], h);
		T_OK(memcmp(h, ref, 32) == 0, "leaf hash of a %zu-byte entry", lens[i]);
	}
}

static void test_edges(void)
{
	uint8_t leaf[32], root[32], other[32];
	uint8_t proof[MERKLE_PROOF_MAX + 2][32];
	size_t n = 99;
	memset(leaf, 1, 32);
	memset(root, 1, 32);
	memset(other, 2, 32);
	memset(proof, 3, sizeof(proof));

	/* Verification: inclusion. */
	T_CHECK(merkle_verify_inclusion(leaf, 0, 1, NULL, 0, root) == MERKLE_OK);
	T_CHECK(merkle_verify_inclusion(leaf, 0, 1, NULL, 0, other) == MERKLE_MISMATCH);
	T_CHECK(merkle_verify_inclusion(leaf, 1, 1, NULL, 0, root) == MERKLE_RANGE);
	T_CHECK(merkle_verify_inclusion(leaf, 0, 0, NULL, 0, root) == MERKLE_RANGE);
	T_CHECK(merkle_verify_inclusion(leaf, UINT64_MAX, UINT64_MAX, NULL, 0, root) ==
	        MERKLE_RANGE);
	T_CHECK(merkle_verify_inclusion(leaf, 0, 1, (const hash_t *)proof, 1, root) ==
	        MERKLE_BAD_PROOF);
	T_CHECK(merkle_verify_inclusion(leaf, 0, 2, NULL, 0, root) == MERKLE_BAD_PROOF);
	T_CHECK(merkle_verify_inclusion(leaf, 5, UINT64_MAX, (const hash_t *)proof,
	                                MERKLE_PROOF_MAX + 1, root) == MERKLE_BAD_PROOF);

	/* Verification: consistency. */
	T_CHECK(merkle_verify_consistency(3, 2, NULL, 0, root, root) == MERKLE_RANGE);
	T_CHECK(merkle_verify_consistency(5, 5, NULL, 0, root, root) == MERKLE_OK);
	T_CHECK(merkle_verify_consistency(0, 0, NULL, 0, root, root) == MERKLE_RANGE);
	T_CHECK(merkle_verify_consistency(5, 5, NULL, 0, root, other) == MERKLE_MISMATCH);
	T_CHECK(merkle_verify_consistency(5, 5, (const hash_t *)proof, 1, root, root) ==
	        MERKLE_BAD_PROOF);
	T_CHECK(merkle_verify_consistency(0, 1, NULL, 0, root, root) == MERKLE_RANGE);
	T_CHECK(merkle_verify_consistency(0, 4, (const hash_t *)proof, 1, root, root) ==
	        MERKLE_RANGE);
	T_CHECK(merkle_verify_consistency(3, 4, NULL, 0, root, root) == MERKLE_BAD_PROOF);
	T_CHECK(merkle_verify_consistency(3, UINT64_MAX, (const hash_t *)proof,
	                                  MERKLE_PROOF_MAX + 1, root, root) == MERKLE_BAD_PROOF);

	/* Generation. */
	T_CHECK(merkle_inclusion_proof(4, 4, const_get, NULL, proof, &n) == MERKLE_RANGE && n == 0);
	T_CHECK(merkle_inclusion_proof(0, 0, const_get, NULL, proof, &n) == MERKLE_RANGE);
	T_CHECK(merkle_inclusion_proof(0, 1, fail_get, NULL, proof, &n) == MERKLE_OK && n == 0);
	T_CHECK(merkle_inclusion_proof(0, 2, fail_get, NULL, proof, &n) == MERKLE_SOURCE && n == 0);
	T_CHECK(merkle_consistency_proof(0, 4, const_get, NULL, proof, &n) == MERKLE_RANGE);
	T_CHECK(merkle_consistency_proof(5, 4, const_get, NULL, proof, &n) == MERKLE_RANGE);
	T_CHECK(merkle_consistency_proof(4, 4, fail_get, NULL, proof, &n) == MERKLE_OK && n == 0);
	T_CHECK(merkle_consistency_proof(3, 4, fail_get, NULL, proof, &n) == MERKLE_SOURCE);
	T_CHECK(merkle_root_at(3, fail_get, NULL, root) == MERKLE_SOURCE);

	/* The largest trees: 64 levels, longest proofs, a full tree refuses appends. */
	T_CHECK(merkle_inclusion_proof(0, UINT64_MAX, const_get, NULL, proof, &n) == MERKLE_OK &&
	        n == 64);
	T_CHECK(merkle_consistency_proof(UINT64_MAX - 1, UINT64_MAX, const_get, NULL, proof, &n) ==
	                MERKLE_OK &&
	        n <= MERKLE_PROOF_MAX);
	struct merkle_tree_state t;
	T_CHECK(merkle_tree_restore(&t, UINT64_MAX, const_get, NULL) == MERKLE_OK &&
	        merkle_tree_size(&t) == UINT64_MAX);
	T_CHECK(merkle_append(&t, leaf, NULL, NULL) == MERKLE_RANGE &&
	        merkle_tree_size(&t) == UINT64_MAX);
	T_CHECK(merkle_tree_restore(&t, 6, fail_get, NULL) == MERKLE_SOURCE &&
	        merkle_tree_size(&t) == 0);
	T_CHECK(merkle_strerror(MERKLE_MISMATCH) != NULL &&
	        strcmp(merkle_strerror(MERKLE_OK), "ok") == 0);
}

/* A failing put leaves the tree as it was; a retry then gives the right root. */
static void test_append_failure(void)
{
	struct mem_store s = {.fail_put_at_level = -1};
	struct merkle_tree_state t, before;
	hash_t lh, r1, r2;
	merkle_tree_init(&t);
	for (int i = 0; i < 7; i++) {
		merkle_leaf_hash(&i, sizeof(i), lh);
		if (merkle_append(&t, lh, mem_put, &s) != MERKLE_OK)
			break;
	}
	before = t;
	int i = 7;
	merkle_leaf_hash(&i, sizeof(i), lh);
	s.fail_put_at_level = 2; /* the 8th leaf completes nodes at levels 1, 2, 3 */
	T_CHECK(merkle_append(&t, lh, mem_put, &s) == MERKLE_SOURCE);
	T_CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	s.fail_put_at_level = -1;
	T_CHECK(merkle_append(&t, lh, mem_put, &s) == MERKLE_OK && merkle_tree_size(&t) == 8);
	merkle_root(&t, r1);
	T_CHECK(s.len[3] == 1 && memcmp(s.lv[3][0], r1, 32) == 0);
	T_CHECK(merkle_root_at(8, mem_get, &s, r2) == MERKLE_OK && memcmp(r1, r2, 32) == 0);
	mem_free(&s);
}

/* ---- properties ---- */

#define PROP_ROOTS 1000
#define PROP_INCL 300
#define PROP_CONS 130

static void test_properties(void)
{
	struct mem_store s = {.fail_put_at_level = -1};
	struct merkle_tree_state t;
	hash_t *leaves = malloc((PROP_ROOTS + 1) * sizeof(hash_t));
	hash_t *proof = malloc((MERKLE_PROOF_MAX + 1) * sizeof(hash_t));
	hash_t *want = malloc((MERKLE_PROOF_MAX + 1) * sizeof(hash_t));
	if (!T_OK(leaves && proof && want, "allocate"))
		goto out;
	merkle_tree_init(&t);

	/* Roots: frontier == naive MTH == root_at from stored nodes == restored frontier. */
	uint64_t bad_root = 0, bad_at = 0, bad_restore = 0;
	hash_t ra, rb, rc;
	for (uint64_t n = 0; n <= PROP_ROOTS; n++) {
		if (n > 0) {
			uint8_t entry[16];
			memcpy(entry, &n, sizeof(n));
			memset(entry + 8, (int)n, 8);
			merkle_leaf_hash(entry, (size_t)(n % 17), leaves[n - 1]);
			if (merkle_append(&t, leaves[n - 1], mem_put, &s) != MERKLE_OK) {
				T_OK(0, "append %llu", (unsigned long long)n);
				goto out;
			}
		}
		merkle_root(&t, ra);
		naive_mth(leaves, n, rb);
		if (memcmp(ra, rb, 32) != 0 && bad_root == 0)
			bad_root = n + 1;
		if ((merkle_root_at(n, mem_get, &s, rc) != MERKLE_OK || memcmp(rc, rb, 32) != 0) &&
		    bad_at == 0)
			bad_at = n + 1;
		struct merkle_tree_state t2;
		if (merkle_tree_restore(&t2, n, mem_get, &s) != MERKLE_OK || t2.size != n)
			bad_restore = n + 1;
		merkle_root(&t2, rc);
		if (memcmp(rc, rb, 32) != 0 && bad_restore == 0)
			bad_restore = n + 1;
	}
	T_OK(bad_root == 0, "frontier root == naive MTH for sizes 0..%d (first bad: %llu)",
	     PROP_ROOTS, (unsigned long long)bad_root - 1);
	T_OK(bad_at == 0, "root_at from stored nodes == naive MTH for sizes 0..%d", PROP_ROOTS);
	T_OK(bad_restore == 0, "restored frontier gives the same root for sizes 0..%d", PROP_ROOTS);
	T_OK(s.len[0] == PROP_ROOTS && s.len[9] == PROP_ROOTS / 512 && s.len[10] == 0,
	     "append emitted every leaf and completed node");

	/* Inclusion: every index of every size 1..300. The leaves are final now. */
	memo_base = leaves;
	memo = malloc((size_t)MEMO_N * MEMO_N * sizeof(hash_t));
	memo_valid = calloc((size_t)MEMO_N * MEMO_N, 1);
	if (memo == NULL || memo_valid == NULL) {
		free(memo);
		free(memo_valid);
		memo = NULL;
		memo_valid = NULL;
	}
	hash_t roots_any[PROP_INCL + 1];
	for (uint64_t n = 0; n <= PROP_INCL; n++)
		naive_mth(leaves, n, roots_any[n]);
	for (uint64_t size = 1; size <= PROP_INCL; size++) {
		const uint8_t *root = roots_any[size];
		int ok = 1, gen_ok = 1, bad_ok = 1, cheap = 1;
		for (uint64_t i = 0; i < size; i++) {
			size_t n = 0, wn = 0;
			s.gets = 0;
			if (merkle_inclusion_proof(i, size, mem_get, &s, proof, &n) != MERKLE_OK) {
				gen_ok = 0;
				continue;
			}
			if (s.gets > 2 * ceil_log2(size))
				cheap = 0;
			naive_path(i, leaves, size, want, &wn);
			if (n != wn || memcmp(proof, want, n * 32) != 0)
				gen_ok = 0;
			if (merkle_verify_inclusion(leaves[i], i, size, (const hash_t *)proof, n,
			                            root) != MERKLE_OK)
				ok = 0;
			/* Corruptions: each must fail. */
			if (merkle_verify_inclusion(leaves[(i + 1) % PROP_ROOTS], i, size,
			                            (const hash_t *)proof, n, root) == MERKLE_OK)
				bad_ok = 0;
			if (size > 1 &&
			    merkle_verify_inclusion(leaves[i], i ^ 1, size, (const hash_t *)proof,
			                            n, root) == MERKLE_OK)
				bad_ok = 0;
			if (n > 0) {
				proof[i % n][(i * 5) % 32] ^= (uint8_t)(1u << (i % 8));
				if (merkle_verify_inclusion(leaves[i], i, size,
				                            (const hash_t *)proof, n,
				                            root) != MERKLE_MISMATCH)
					bad_ok = 0;
				proof[i % n][(i * 5) % 32] ^= (uint8_t)(1u << (i % 8));
				if (merkle_verify_inclusion(leaves[i], i, size,
				                            (const hash_t *)proof, n - 1,
				                            root) == MERKLE_OK)
					bad_ok = 0;
			}
			memcpy(proof[n], root, 32);
			if (merkle_verify_inclusion(leaves[i], i, size, (const hash_t *)proof,
			                            n + 1, root) == MERKLE_OK)
				bad_ok = 0;
			if (merkle_verify_inclusion(leaves[i], i, size, (const hash_t *)proof, n,
			                            roots_any[size - 1]) == MERKLE_OK)
				bad_ok = 0;
		}
		T_OK(gen_ok && ok && bad_ok && cheap,
		     "size %llu: all inclusion proofs == RFC PATH (%d), verify (%d), corrupted "
		     "fail "
		     "(%d), <= 2*log2(n) lookups (%d)",
		     (unsigned long long)size, gen_ok, ok, bad_ok, cheap);
	}

	/* Consistency: every 1 <= m <= n <= 130. */
	hash_t *roots = roots_any;
	for (uint64_t n2 = 1; n2 <= PROP_CONS; n2++) {
		int ok = 1, gen_ok = 1, bad_ok = 1, cheap = 1;
		for (uint64_t m = 1; m <= n2; m++) {
			size_t n = 0, wn = 0;
			s.gets = 0;
			if (merkle_consistency_proof(m, n2, mem_get, &s, proof, &n) != MERKLE_OK) {
				gen_ok = 0;
				continue;
			}
			if (s.gets > 3 * ceil_log2(n2) + 1)
				cheap = 0;
			if (m < n2)
				naive_subproof(m, leaves, n2, 1, want, &wn);
			if (n != wn || memcmp(proof, want, n * 32) != 0)
				gen_ok = 0;
			if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n, roots[m],
			                              roots[n2]) != MERKLE_OK)
				ok = 0;
			/* Corruptions. */
			if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n, roots[m - 1],
			                              roots[n2]) == MERKLE_OK)
				bad_ok = 0;
			if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n, roots[m],
			                              roots[n2 - 1]) == MERKLE_OK)
				bad_ok = 0;
			if (n > 0) {
				proof[m % n][(m * 3) % 32] ^= 0x80;
				if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n,
				                              roots[m], roots[n2]) == MERKLE_OK)
					bad_ok = 0;
				proof[m % n][(m * 3) % 32] ^= 0x80;
				if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n - 1,
				                              roots[m], roots[n2]) == MERKLE_OK)
					bad_ok = 0;
			}
			memcpy(proof[n], roots[n2], 32);
			if (merkle_verify_consistency(m, n2, (const hash_t *)proof, n + 1, roots[m],
			                              roots[n2]) == MERKLE_OK)
				bad_ok = 0;
		}
		T_OK(gen_ok && ok && bad_ok && cheap,
		     "size2 %llu: all consistency proofs == RFC SUBPROOF (%d), verify (%d), "
		     "corrupted "
		     "fail (%d), few lookups (%d)",
		     (unsigned long long)n2, gen_ok, ok, bad_ok, cheap);
	}
out:
	free(memo);
	free(memo_valid);
	memo = NULL;
	memo_valid = NULL;
	free(leaves);
	free(proof);
	free(want);
	mem_free(&s);
}

/* A distinct hash per (level, index), so a slot never passes for another node. */
static void node_of(unsigned level, uint64_t index, uint8_t out[32])
{
	uint8_t in[9];
	in[0] = (uint8_t)level;
	for (int i = 0; i < 8; i++)
		in[1 + i] = (uint8_t)(index >> (8 * i));
	crypto_generichash(out, 32, in, sizeof in, NULL, 0);
}

static void test_cache(void)
{
	uint8_t h[32], got[32];
	T_CHECK(merkle_cache_new(0, 1024) == NULL);
	T_CHECK(merkle_cache_new(64, 1024) == NULL);
	T_CHECK(merkle_cache_new(8, 10) == NULL);
	T_CHECK(merkle_cache_get(NULL, 9, 1, got) == -1);
	node_of(9, 1, h);
	merkle_cache_put(NULL, 9, 1, h); /* no cache: nothing, no crash */

	struct merkle_cache *c = merkle_cache_new(8, 4096);
	T_CHECK(c != NULL);
	if (c == NULL)
		return;
	T_CHECK(merkle_cache_get(c, 9, 1, got) == -1);
	merkle_cache_put(c, 7, 1, h);
	T_OK(merkle_cache_get(c, 7, 1, got) == -1, "levels below the minimum are not kept");
	merkle_cache_put(c, 9, 1, h);
	T_CHECK(merkle_cache_get(c, 9, 1, got) == 0 && memcmp(got, h, 32) == 0);
	T_OK(merkle_cache_get(c, 10, 1, got) == -1 && merkle_cache_get(c, 9, 0, got) == -1,
	     "another level or index is not served");

	/* the top of a tree: index 0..3 at every level; few enough to be held together */
	int all = 1;
	for (unsigned l = 8; l < 63; l++)
		for (uint64_t i = 0; i < 4; i++) {
			node_of(l, i, h);
			merkle_cache_put(c, l, i, h);
		}
	int held = 0;
	for (unsigned l = 8; l < 63; l++)
		for (uint64_t i = 0; i < 4; i++) {
			node_of(l, i, h);
			int r = merkle_cache_get(c, l, i, got);
			held += r == 0;
			all &= r == -1 || memcmp(got, h, 32) == 0;
		}
	T_OK(all, "a hit is always the node's own hash");
	T_OK(held >= 55 * 4 * 9 / 10, "the top of a tree is held (%d of %d)", held, 55 * 4);

	/* many more nodes than slots: hits are right, misses are allowed */
	all = 1;
	for (uint64_t i = 0; i < 100000; i++) {
		unsigned l = 8 + (unsigned)(i % 40);
		node_of(l, i * 7919, h);
		merkle_cache_put(c, l, i * 7919, h);
	}
	held = 0;
	for (uint64_t i = 0; i < 100000; i++) {
		unsigned l = 8 + (unsigned)(i % 40);
		node_of(l, i * 7919, h);
		int r = merkle_cache_get(c, l, i * 7919, got);
		held += r == 0;
		all &= r == -1 || memcmp(got, h, 32) == 0;
	}
	T_OK(all && held > 0 && held <= 4096, "overfull: %d hits, each the right hash", held);
	merkle_cache_free(c);
	merkle_cache_free(NULL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const char *env = getenv("CUTOUT_VECTORS");
	int len;
	if (env != NULL && env[0] != '\0') {
		len = snprintf(vec_root, sizeof(vec_root), "%s/merkle", env);
	} else {
		/* Built from meson: __FILE__ is .../tests/unit/test_merkle.c */
		const char *f = __FILE__;
		size_t fl = strlen(f), sl = strlen("unit/test_merkle.c");
		len = snprintf(vec_root, sizeof(vec_root), "%.*svectors/merkle",
		               (int)(fl >= sl ? fl - sl : 0), f);
	}
	if (len < 0 || (size_t)len >= sizeof(vec_root))
		return 1;

	test_known_answers();
	test_edges();
	test_append_failure();
	test_cache();

	char dir[4200];
	len = snprintf(dir, sizeof(dir), "%s/inclusion", vec_root);
	int ni = len > 0 && (size_t)len < sizeof(dir) ? run_dir(dir, 1) : 0;
	len = snprintf(dir, sizeof(dir), "%s/consistency", vec_root);
	int nc = len > 0 && (size_t)len < sizeof(dir) ? run_dir(dir, 0) : 0;
	T_OK(ni == 98 && nc == 98, "all vector files ran (%d inclusion, %d consistency)", ni, nc);
	test_roots_json();

	test_properties();
	return t_done();
}
