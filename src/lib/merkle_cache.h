/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * merkle_cache: a bounded, thread-safe memory cache of Merkle tree nodes, for
 * proofs over a large stored tree.
 *
 * A node (level, index) of a perfect subtree never changes once the tree has
 * grown over it, so a node read once from storage can be served from memory
 * afterwards. The upper levels of the tree are few and on every proof's path
 * (at 10^7 leaves, levels >= 10 hold under 20,000 nodes), so keeping them
 * removes most of a proof's storage lookups.
 *
 * The cache is direct-mapped: each (level, index) has one slot, and a put
 * replaces whatever was there. It keeps only nodes of level >= min_level.
 * Memory is fixed at creation (about 48 bytes per slot). Any thread may call
 * get and put at any time; a get sees either nothing or a complete hash that
 * was put for that same node.
 *
 * The cache trusts what it is given: put only hashes read from the store for
 * complete perfect subtrees. Verification of the stored tree (ledger_verify)
 * must read the store, never this cache.
 */
#ifndef CUTOUT_LIB_MERKLE_CACHE_H
#define CUTOUT_LIB_MERKLE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/merkle.h"

struct merkle_cache;

/* slots is rounded down to a power of two, at least 64. NULL on failure. */
struct merkle_cache *merkle_cache_new(unsigned min_level, size_t slots);
void merkle_cache_free(struct merkle_cache *c);

/* 0 and the hash in out if (level, index) is held, else -1. c may be NULL. */
int merkle_cache_get(struct merkle_cache *c, unsigned level, uint64_t index,
                     uint8_t out[static MERKLE_HASH_LEN]);
/* Keeps the hash of (level, index) if level >= min_level. c may be NULL. */
void merkle_cache_put(struct merkle_cache *c, unsigned level, uint64_t index,
                      const uint8_t hash[static MERKLE_HASH_LEN]);

#endif
