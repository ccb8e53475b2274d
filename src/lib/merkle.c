/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/merkle.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

/* SHA256_Init/Update/Final are deprecated in OpenSSL 3, not gone: see below. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "lib/banned.h"

const char *merkle_strerror(enum merkle_result r)
{
	switch (r) {
	case MERKLE_OK:
		return "ok";
	case MERKLE_RANGE:
		return "index or tree size out of range";
	case MERKLE_BAD_PROOF:
		return "proof has the wrong length";
	case MERKLE_MISMATCH:
		return "proof does not match the root";
	case MERKLE_SOURCE:
		return "node store failed";
	}
	return "unknown merkle error";
}

/*
 * SHA-256 through OpenSSL's one-shot block functions (SHA256_Init/Update/Final:
 * SHA-NI where the CPU has it, no allocation, no provider dispatch). Since
 * OpenSSL 3 they are marked deprecated in favour of EVP, whose
 * EVP_DigestInit_ex2 allocates and frees the provider's context on every
 * digest: for the 65-byte inputs of a Merkle tree that doubles the cost
 * (bench/merkle.c). Where they are gone (OpenSSL >= 4), EVP with one context
 * per thread; if an EVP step fails, libsodium. Hashing never fails.
 */
#if OPENSSL_VERSION_MAJOR < 4
#define MERKLE_SHA_DIRECT 1
#endif

#ifdef MERKLE_SHA_DIRECT
/* SHA-256(prefix || a || b); b may be NULL. */
static void sha256_prefixed(uint8_t prefix, const void *a, size_t alen, const void *b, size_t blen,
                            uint8_t out[static MERKLE_HASH_LEN])
{
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	if (alen != 0)
		SHA256_Update(&c, a, alen);
	if (blen != 0)
		SHA256_Update(&c, b, blen);
	SHA256_Final(out, &c);
}

/* SHA-256(in[0..len)) after setting in[0] = prefix: the caller left room for it. */
static void sha256_gathered(uint8_t prefix, uint8_t *in, size_t len,
                            uint8_t out[static MERKLE_HASH_LEN])
{
	SHA256_CTX c;
	in[0] = prefix;
	SHA256_Init(&c);
	SHA256_Update(&c, in, len);
	SHA256_Final(out, &c);
}
#else
/*
 * SHA-256 through OpenSSL's EVP with one reusable context per thread (kept in
 * a pthread key, freed when the thread exits). If any OpenSSL step fails the
 * hash is computed with libsodium instead, so hashing never fails.
 */
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha_key;
static int sha_key_ok;
static EVP_MD *sha_md;

static void sha_ctx_free(void *p)
{
	EVP_MD_CTX_free(p);
}

static void sha_init_once(void)
{
	sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	sha_key_ok = pthread_key_create(&sha_key, sha_ctx_free) == 0;
}

static EVP_MD_CTX *sha_thread_ctx(void)
{
	if (pthread_once(&sha_once, sha_init_once) != 0 || !sha_key_ok || sha_md == NULL)
		return NULL;
	EVP_MD_CTX *c = pthread_getspecific(sha_key);
	if (c != NULL)
		return c;
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return NULL;
	if (pthread_setspecific(sha_key, c) != 0) {
		EVP_MD_CTX_free(c);
		return NULL;
	}
	return c;
}

/* SHA-256(prefix || a || b); b may be NULL. */
static void sha256_prefixed(uint8_t prefix, const void *a, size_t alen, const void *b, size_t blen,
                            uint8_t out[static MERKLE_HASH_LEN])
{
	EVP_MD_CTX *c = sha_thread_ctx();
	unsigned int olen = 0;
	if (c != NULL && EVP_DigestInit_ex2(c, sha_md, NULL) == 1 &&
	    EVP_DigestUpdate(c, &prefix, 1) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(c, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(c, b, blen) == 1) &&
	    EVP_DigestFinal_ex(c, out, &olen) == 1 && olen == MERKLE_HASH_LEN)
		return;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	if (alen != 0)
		crypto_hash_sha256_update(&st, a, alen);
	if (blen != 0)
		crypto_hash_sha256_update(&st, b, blen);
	crypto_hash_sha256_final(&st, out);
}

/* SHA-256(in[0..len)) after setting in[0] = prefix: the caller left room for it. */
static void sha256_gathered(uint8_t prefix, uint8_t *in, size_t len,
                            uint8_t out[static MERKLE_HASH_LEN])
{
	in[0] = prefix;
	EVP_MD_CTX *c = sha_thread_ctx();
	unsigned int olen = 0;
	if (c != NULL && EVP_DigestInit_ex2(c, sha_md, NULL) == 1 &&
	    EVP_DigestUpdate(c, in, len) == 1 && EVP_DigestFinal_ex(c, out, &olen) == 1 &&
	    olen == MERKLE_HASH_LEN)
		return;
	crypto_hash_sha256(out, in, len);
}

#endif

/*
 * One EVP update costs noticeably less than three, so short inputs are
 * gathered into one buffer first.
 */
#define GATHER_MAX 256

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[static MERKLE_HASH_LEN])
{
	if (len >= GATHER_MAX) {
		sha256_prefixed(0x00, entry, len, NULL, 0, out);
		return;
	}
	uint8_t in[GATHER_MAX];
	if (len != 0)
		memcpy(in + 1, entry, len);
	sha256_gathered(0x00, in, len + 1, out);
}

void merkle_node_hash(const uint8_t left[static MERKLE_HASH_LEN],
                      const uint8_t right[static MERKLE_HASH_LEN],
                      uint8_t out[static MERKLE_HASH_LEN])
{
	uint8_t in[1 + 2 * MERKLE_HASH_LEN];
	memcpy(in + 1, left, MERKLE_HASH_LEN);
	memcpy(in + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
	sha256_gathered(0x01, in, sizeof(in), out);
}

void merkle_empty_root(uint8_t out[static MERKLE_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)"", 0);
}

/* The largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	assert(n >= 2);
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/*
 * MTH(D[begin:end]) for a range that is a node of the RFC 9162 tree (begin is
 * a multiple of a power of two >= end - begin). The range splits into perfect
 * subtrees, one per set bit of its length, largest on the left; they are
 * fetched from the right and folded: r = H(p1, H(p2, ... H(pk-1, pk))).
 */
static enum merkle_result range_hash(uint64_t begin, uint64_t end, merkle_get_fn get, void *ctx,
                                     uint8_t out[static MERKLE_HASH_LEN])
{
	assert(begin < end);
	uint64_t rem = end - begin, pos = end;
	int first = 1;
	while (rem != 0) {
		unsigned level = (unsigned)__builtin_ctzll(rem);
		uint8_t piece[MERKLE_HASH_LEN];
		pos -= UINT64_C(1) << level;
		if (get(ctx, level, pos >> level, piece) != 0)
			return MERKLE_SOURCE;
		if (first)
			memcpy(out, piece, MERKLE_HASH_LEN);
		else
			merkle_node_hash(piece, out, out);
		first = 0;
		rem &= rem - 1;
	}
	return MERKLE_OK;
}

void merkle_tree_init(struct merkle_tree_state *t)
{
	memset(t, 0, sizeof(*t));
}

uint64_t merkle_tree_size(const struct merkle_tree_state *t)
{
	return t->size;
}

enum merkle_result merkle_tree_restore(struct merkle_tree_state *t, uint64_t size,
                                       merkle_get_fn get, void *ctx)
{
	merkle_tree_init(t);
	for (unsigned level = 0; level < MERKLE_LEVELS; level++) {
		if (!((size >> level) & 1))
			continue;
		if (get(ctx, level, (size >> level) - 1, t->node[level]) != 0) {
			merkle_tree_init(t);
			return MERKLE_SOURCE;
		}
	}
	t->size = size;
	return MERKLE_OK;
}

int merkle_tree_node(const struct merkle_tree_state *t, unsigned level,
                     uint8_t out[static MERKLE_HASH_LEN])
{
	if (level >= MERKLE_LEVELS || !((t->size >> level) & 1))
		return -1;
	memcpy(out, t->node[level], MERKLE_HASH_LEN);
	return 0;
}

enum merkle_result merkle_append(struct merkle_tree_state *t,
                                 const uint8_t leaf[static MERKLE_HASH_LEN], merkle_put_fn put,
                                 void *ctx)
{
	uint64_t s = t->size;
	if (s == UINT64_MAX)
		return MERKLE_RANGE;
	uint8_t h[MERKLE_HASH_LEN];
	memcpy(h, leaf, sizeof(h));
	if (put != NULL && put(ctx, 0, s, h) != 0)
		return MERKLE_SOURCE;
	/* Every set low bit of s is a perfect subtree the new leaf completes. */
	unsigned level = 0;
	while ((s >> level) & 1) {
		merkle_node_hash(t->node[level], h, h);
		level++;
		if (put != NULL && put(ctx, level, s >> level, h) != 0)
			return MERKLE_SOURCE;
	}
	assert(level < MERKLE_LEVELS);
	memcpy(t->node[level], h, sizeof(h));
	t->size = s + 1;
	return MERKLE_OK;
}

void merkle_root(const struct merkle_tree_state *t, uint8_t out[static MERKLE_HASH_LEN])
{
	uint64_t s = t->size;
	if (s == 0) {
		merkle_empty_root(out);
		return;
	}
	unsigned level = (unsigned)__builtin_ctzll(s);
	memcpy(out, t->node[level], MERKLE_HASH_LEN);
	for (level++; level < MERKLE_LEVELS; level++)
		if ((s >> level) & 1)
			merkle_node_hash(t->node[level], out, out);
}

enum merkle_result merkle_root_at(uint64_t size, merkle_get_fn get, void *ctx,
                                  uint8_t out[static MERKLE_HASH_LEN])
{
	if (size == 0) {
		merkle_empty_root(out);
		return MERKLE_OK;
	}
	return range_hash(0, size, get, ctx, out);
}

/* Hashes were collected root first; proofs list them leaf first. */
static void reverse_into(uint8_t (*tmp)[MERKLE_HASH_LEN], size_t count,
                         uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN])
{
	for (size_t i = 0; i < count; i++)
		memcpy(proof[i], tmp[count - 1 - i], MERKLE_HASH_LEN);
}

enum merkle_result merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get,
                                          void *ctx,
                                          uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                          size_t *n)
{
	uint8_t tmp[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	size_t count = 0;
	enum merkle_result rc = MERKLE_OK;
	*n = 0;
	if (index >= size)
		return MERKLE_RANGE;
	/* PATH(m, D[a:b]): descend towards the leaf, taking the other side each time. */
	uint64_t a = 0, b = size;
	while (b - a > 1) {
		uint64_t k = split_point(b - a);
		assert(count < MERKLE_PROOF_MAX);
		if (index < a + k) {
			rc = range_hash(a + k, b, get, ctx, tmp[count]);
			b = a + k;
		} else {
			rc = range_hash(a, a + k, get, ctx, tmp[count]);
			a += k;
		}
		if (rc != MERKLE_OK)
			goto out;
		count++;
	}
	reverse_into(tmp, count, proof);
	*n = count;
out:
	return rc;
}

enum merkle_result merkle_consistency_proof(uint64_t size1, uint64_t size2, merkle_get_fn get,
                                            void *ctx,
                                            uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                            size_t *n)
{
	uint8_t tmp[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	size_t count = 0;
	enum merkle_result rc = MERKLE_OK;
	*n = 0;
	if (size1 == 0 || size1 > size2)
		return MERKLE_RANGE;
	/* SUBPROOF(m, D[a:a+len], whole) of RFC 9162 2.1.4.1, unrolled. */
	uint64_t m = size1, a = 0, len = size2;
	int whole = 1;
	while (m != len) {
		uint64_t k = split_point(len);
		assert(count < MERKLE_PROOF_MAX);
		if (m <= k) {
			rc = range_hash(a + k, a + len, get, ctx, tmp[count]);
			len = k;
		} else {
			rc = range_hash(a, a + k, get, ctx, tmp[count]);
			m -= k;
			a += k;
			len -= k;
			whole = 0;
		}
		if (rc != MERKLE_OK)
			goto out;
		count++;
	}
	if (!whole) {
		assert(count < MERKLE_PROOF_MAX);
		rc = range_hash(a, a + len, get, ctx, tmp[count]);
		if (rc != MERKLE_OK)
			goto out;
		count++;
	}
	reverse_into(tmp, count, proof);
	*n = count;
out:
	return rc;
}

static int hash_eq(const uint8_t a[static MERKLE_HASH_LEN], const uint8_t b[static MERKLE_HASH_LEN])
{
	return memcmp(a, b, MERKLE_HASH_LEN) == 0;
}

enum merkle_result merkle_verify_inclusion(const uint8_t leaf[static MERKLE_HASH_LEN],
                                           uint64_t index, uint64_t size,
                                           const uint8_t (*proof)[MERKLE_HASH_LEN], size_t n,
                                           const uint8_t root[static MERKLE_HASH_LEN])
{
	if (index >= size)
		return MERKLE_RANGE;
	if (n > MERKLE_PROOF_MAX)
		return MERKLE_BAD_PROOF;
	uint64_t fn = index, sn = size - 1;
	uint8_t r[MERKLE_HASH_LEN];
	memcpy(r, leaf, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return MERKLE_BAD_PROOF; /* too long */
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return MERKLE_BAD_PROOF; /* too short */
	return hash_eq(r, root) ? MERKLE_OK : MERKLE_MISMATCH;
}

enum merkle_result merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                             const uint8_t (*proof)[MERKLE_HASH_LEN], size_t n,
                                             const uint8_t root1[static MERKLE_HASH_LEN],
                                             const uint8_t root2[static MERKLE_HASH_LEN])
{
	if (size1 == 0 || size1 > size2)
		return MERKLE_RANGE;
	if (n > MERKLE_PROOF_MAX)
		return MERKLE_BAD_PROOF;
	if (size1 == size2) {
		if (n != 0)
			return MERKLE_BAD_PROOF;
		return hash_eq(root1, root2) ? MERKLE_OK : MERKLE_MISMATCH;
	}
	if (n == 0)
		return MERKLE_BAD_PROOF;
	/* Step 2: when size1 is a power of two, root1 is the (implicit) first hash. */
	int implicit = (size1 & (size1 - 1)) == 0;
	size_t total = n + (size_t)implicit, i = 0;
	const uint8_t *first = implicit ? root1 : proof[0];
	uint64_t fn = size1 - 1, sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	memcpy(fr, first, sizeof(fr));
	memcpy(sr, first, sizeof(sr));
	for (i = 1; i < total; i++) {
		const uint8_t *c = proof[i - (size_t)implicit];
		if (sn == 0)
			return MERKLE_BAD_PROOF; /* too long */
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(c, fr, fr);
			merkle_node_hash(c, sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return MERKLE_BAD_PROOF; /* too short */
	return hash_eq(fr, root1) && hash_eq(sr, root2) ? MERKLE_OK : MERKLE_MISMATCH;
}
