/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_ledger: the ledger's persistence (core/ledger/ledger.h is the API; this is
 * what a backend provides for it). Backend-neutral operations, reached as
 * s->be->ledger->op(s, ...).
 *
 * What is stored, per entry i (one row): the entry's bytes, and its hashes:
 * the leaf hash, then the hashes of the internal nodes that appending entry i
 * completed, levels 1..t where t is the number of trailing one bits of i (so
 * node (L, k), L >= 1, lives in the row of entry (k + 1) * 2^L - 1). Plus a
 * head (size and frontier, so an append never rereads the log) and the
 * signed checkpoints.
 *
 * Ordering: append runs inside the backend's write transaction, which is
 * exclusive across processes; it reads the head there, so appenders of every
 * process get one order with no gap and no duplicate. It returns once the
 * entries are durable.
 */
#ifndef CUTOUT_CORE_STORE_LEDGER_H
#define CUTOUT_CORE_STORE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/merkle.h"

#define STORE_LEDGER_ENTRY_MAX 1024 /* bytes of one entry */
#define STORE_LEDGER_NOTE_MAX 4096  /* bytes of one checkpoint note */

/*
 * Writes entry k (0 <= k < n) of a batch, whose ledger index is `index`, into
 * out (cap STORE_LEDGER_ENTRY_MAX); returns its length, or 0 if it cannot (the
 * whole batch is then refused). Runs on the backend's writer: must not block.
 */
typedef size_t (*store_ledger_encode_fn)(void *ctx, size_t k, uint64_t index,
                                         uint8_t out[static STORE_LEDGER_ENTRY_MAX]);

/*
 * Called once on the writer, inside the transaction, before any entry is
 * encoded: returns how many entries to append (0: none). Lets a caller decide
 * the batch as late as possible (core/ledger/ledger.c gathers every append queued by
 * then). Runs on the backend's writer: must not block.
 */
typedef size_t (*store_ledger_take_fn)(void *ctx);

/* One stored row, as read back (valid during the callback only). */
struct store_ledger_row {
	uint64_t index;
	const uint8_t *entry;
	size_t entry_len;
	const uint8_t *hashes; /* leaf hash, then nodes of levels 1..t */
	size_t hashes_len;
};
typedef enum store_result (*store_ledger_row_fn)(void *ctx, const struct store_ledger_row *r);

struct store_ledger_checkpoint {
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	const uint8_t *note; /* the signed note, as issued */
	size_t note_len;
};
typedef enum store_result (*store_ledger_cp_fn)(void *ctx,
                                                const struct store_ledger_checkpoint *cp);

/*
 * A consistent snapshot of the ledger, handed to a view callback. size and the
 * frontier are the head's (as stored: the caller checks them); get reads
 * stored nodes (for merkle_*); scan streams rows [from, to) in index order,
 * stopping early if fn returns anything but STORE_OK; checkpoints lists them
 * oldest (smallest) first.
 */
struct store_ledger_view {
	uint64_t size;
	const uint8_t *frontier; /* hashes of the set bits of size, lowest level first */
	size_t frontier_len;
	merkle_get_fn get;
	void *get_ctx;
	enum store_result (*scan)(const struct store_ledger_view *v, uint64_t from, uint64_t to,
	                          store_ledger_row_fn fn, void *ctx);
	enum store_result (*checkpoints)(const struct store_ledger_view *v, store_ledger_cp_fn fn,
	                                 void *ctx);
	void *impl;
};
typedef enum store_result (*store_ledger_view_fn)(void *ctx, const struct store_ledger_view *v);

struct store_ledger_ops {
	/*
	 * Appends n >= 1 entries in one durable transaction; *first is the index
	 * of the first. With take (not NULL), n is ignored and take(ctx) says,
	 * on the writer, how many (0: nothing is written, STORE_OK). STORE_CORRUPT
	 * if an entry cannot be encoded or the head is damaged.
	 */
	enum store_result (*append)(struct store *s, size_t n, store_ledger_take_fn take,
	                            store_ledger_encode_fn enc, void *ctx, uint64_t *first);
	/* Runs fn on one read snapshot. */
	enum store_result (*view)(struct store *s, store_ledger_view_fn fn, void *ctx);
	/*
	 * Stores a checkpoint, durably, after checking inside the write
	 * transaction that size <= the ledger's size, that the stored nodes give
	 * `root` at size, and that no stored checkpoint is larger. A checkpoint
	 * of the same size and root is already there: STORE_EXISTS. Another root
	 * or a larger checkpoint: STORE_CORRUPT.
	 */
	enum store_result (*checkpoint_add)(struct store *s, uint64_t size,
	                                    const uint8_t root[static MERKLE_HASH_LEN],
	                                    const uint8_t *note, size_t note_len);
};

extern const struct store_ledger_ops store_ledger_sqlite;

#endif
