/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * merkle: the RFC 9162 (Certificate Transparency v2) Merkle tree over SHA-256.
 *
 *   leaf hash  = SHA-256(0x00 || entry)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty root = SHA-256("")
 *
 * Nodes are named (level, index): the node at level L and index i is the root
 * of the perfect subtree over leaves [i * 2^L, (i + 1) * 2^L); level 0 holds
 * the leaf hashes. A tree of any size is made of such perfect subtrees plus a
 * right edge whose hashes are recomputed from them.
 *
 * Three parts:
 *  - struct merkle_tree_state, the "frontier" (compact range): the roots of
 *    the perfect subtrees that make up a tree of `size` leaves, one per set
 *    bit of size (at most 64). merkle_append() adds a leaf in O(log n) without
 *    rereading anything and hands every node it completes to a callback, so
 *    the caller can persist it; merkle_root() gives the root of the current
 *    size.
 *  - proof generation (RFC 9162 2.1.3.1 and 2.1.4.1) over a hash source: a
 *    callback that returns the stored node (level, index) of a perfect
 *    subtree. A proof needs O(log n) lookups, whatever the tree size.
 *  - proof verification (RFC 9162 2.1.3.2 and 2.1.4.2).
 *
 * Proofs are arrays of 32-byte hashes, ordered from the leaves up to the root,
 * exactly as RFC 9162 defines them; a proof never has more than
 * MERKLE_PROOF_MAX hashes.
 *
 * Hashing uses OpenSSL's EVP SHA-256 with one context per thread (SHA-NI makes
 * it about 3 times faster than libsodium's here; see bench/merkle.c), and
 * falls back to libsodium's crypto_hash_sha256 if OpenSSL fails, so the hash
 * functions cannot fail. Everything is thread-safe; a merkle_tree_state must
 * not be used by two threads at once.
 */
#ifndef CUTOUT_LIB_MERKLE_H
#define CUTOUT_LIB_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN 32
#define MERKLE_LEVELS 64    /* a tree holds at most 2^64 - 1 leaves */
#define MERKLE_PROOF_MAX 65 /* longest possible proof (consistency: 64 + 1) */

enum merkle_result {
	MERKLE_OK = 0,
	MERKLE_RANGE,     /* index >= size, size1 > size2, size1 == 0, or tree full */
	MERKLE_BAD_PROOF, /* the proof has the wrong number of hashes for the sizes */
	MERKLE_MISMATCH,  /* the proof does not lead to the given root(s) */
	MERKLE_SOURCE,    /* a get/put callback failed */
};

const char *merkle_strerror(enum merkle_result r);

/* SHA-256(0x00 || entry). entry may be NULL when len is 0. */
void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[static MERKLE_HASH_LEN]);
/* SHA-256(0x01 || left || right). out may alias left or right. */
void merkle_node_hash(const uint8_t left[static MERKLE_HASH_LEN],
                      const uint8_t right[static MERKLE_HASH_LEN],
                      uint8_t out[static MERKLE_HASH_LEN]);
/* The root of the empty tree, SHA-256(""). */
void merkle_empty_root(uint8_t out[static MERKLE_HASH_LEN]);

/*
 * A hash source: writes the stored hash of node (level, index) to out and
 * returns 0, or returns non-zero if it cannot (not stored, I/O error). It is
 * only asked for nodes of complete perfect subtrees of the tree in question.
 */
typedef int (*merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[static MERKLE_HASH_LEN]);
/* A node sink: stores node (level, index); returns 0, or non-zero on failure. */
typedef int (*merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
                             const uint8_t hash[static MERKLE_HASH_LEN]);

/*
 * The frontier. A plain value (about 2 KiB) that callers may embed or copy;
 * its fields are private to merkle.c.
 */
struct merkle_tree_state {
	uint64_t size;
	/* node[L]: root of the perfect subtree of 2^L leaves; valid when bit L of size is set */
	uint8_t node[MERKLE_LEVELS][MERKLE_HASH_LEN];
};

/* The empty tree. */
void merkle_tree_init(struct merkle_tree_state *t);
uint64_t merkle_tree_size(const struct merkle_tree_state *t);

/*
 * Rebuilds the frontier of a tree of `size` leaves from stored nodes (at most
 * 64 lookups), e.g. when a ledger is reopened. On failure t is the empty tree.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_tree_restore(struct merkle_tree_state *t, uint64_t size, merkle_get_fn get, void *ctx);

/*
 * Appends one leaf hash. If put is not NULL it is called for the leaf (level
 * 0, index = old size) and then for every node the leaf completes, lowest
 * level first. If put fails, t is unchanged and MERKLE_SOURCE is returned;
 * the nodes already handed over are correct and may be written again on a
 * retry. MERKLE_RANGE when the tree already holds 2^64 - 1 leaves.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_append(struct merkle_tree_state *t, const uint8_t leaf[static MERKLE_HASH_LEN],
              merkle_put_fn put, void *ctx);

/*
 * The frontier node of `level` (the root of the perfect subtree of 2^level
 * leaves that ends the tree): 0 and out set if bit `level` of the size is
 * set, else -1. A caller persists the frontier with it.
 */
int merkle_tree_node(const struct merkle_tree_state *t, unsigned level,
                     uint8_t out[static MERKLE_HASH_LEN]);

/* The root hash of the tree at its current size (the empty root when size is 0). */
void merkle_root(const struct merkle_tree_state *t, uint8_t out[static MERKLE_HASH_LEN]);

/*
 * The root of the tree of the first `size` leaves, from stored nodes (at most
 * 64 lookups). Used for old tree heads.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_root_at(uint64_t size, merkle_get_fn get, void *ctx, uint8_t out[static MERKLE_HASH_LEN]);

/*
 * Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162
 * 2.1.3.1). Writes *n hashes to proof. MERKLE_RANGE if index >= size.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_get_fn get, void *ctx,
                       uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *n);

/*
 * Consistency proof between the trees of size1 and size2 leaves (RFC 9162
 * 2.1.4.1). size1 == size2 gives an empty proof; MERKLE_RANGE if size1 == 0
 * or size1 > size2.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_consistency_proof(uint64_t size1, uint64_t size2, merkle_get_fn get, void *ctx,
                         uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *n);

/*
 * RFC 9162 2.1.3.2: MERKLE_OK if `proof` (n hashes) proves that `leaf` is the
 * leaf hash at `index` in the tree of `size` leaves with root `root`.
 * MERKLE_RANGE if index >= size, MERKLE_BAD_PROOF if the proof is too long
 * or too short, MERKLE_MISMATCH if it leads to another root.
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_verify_inclusion(const uint8_t leaf[static MERKLE_HASH_LEN], uint64_t index, uint64_t size,
                        const uint8_t (*proof)[MERKLE_HASH_LEN], size_t n,
                        const uint8_t root[static MERKLE_HASH_LEN]);

/*
 * RFC 9162 2.1.4.2: MERKLE_OK if `proof` (n hashes) proves that the tree of
 * size1 leaves with root1 is a prefix of the tree of size2 leaves with root2.
 * size1 == size2 needs an empty proof and root1 == root2. size1 == 0 is
 * always refused (MERKLE_RANGE), even with size2 == 0: every tree extends the
 * empty tree, so such a check proves nothing (RFC 9162 defines proofs for
 * 0 < size1 < size2 only; the transparency-dev vectors expect an error).
 */
__attribute__((warn_unused_result)) enum merkle_result
merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t (*proof)[MERKLE_HASH_LEN],
                          size_t n, const uint8_t root1[static MERKLE_HASH_LEN],
                          const uint8_t root2[static MERKLE_HASH_LEN]);

#endif
