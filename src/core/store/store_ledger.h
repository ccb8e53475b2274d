/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_ledger: the ledger's persistence (core/ledger/ledger.h is the API;
 * this is what it stands on). Two parts:
 *
 *  - the front (store_ledger.c, every backend shares it): store_ledger_append,
 *    store_ledger_view and store_ledger_checkpoint_add. It computes the leaf
 *    and node hashes and the frontier, decides where each node is kept, and
 *    checks the head and the checkpoints;
 *  - the backend's rows (struct store_ledger_ops, s->be->ledger): a head row,
 *    one row per entry, the checkpoint rows, read in one snapshot and written
 *    inside the front's store_write. A backend stores and reads them with its
 *    own SQL and decides nothing about them.
 *
 * What is stored, per entry i (one row): the entry's bytes, and its hashes:
 * the leaf hash, then the hashes of the internal nodes that appending entry i
 * completed, levels 1..t where t is the number of trailing one bits of i (so
 * node (L, k), L >= 1, lives in the row of entry (k + 1) * 2^L - 1, at hash
 * L). Plus a head (size and frontier, so an append never rereads the log)
 * and the signed checkpoints.
 *
 * Ordering: an append runs inside store_write (one durable transaction,
 * exclusive across processes; called inside one, it joins it); it reads the
 * head there, so appenders of every process get one order with no gap and no
 * duplicate. It returns once the entries are durable (or, inside a
 * transaction, commit with it).
 */
#ifndef CUTOUT_CORE_STORE_LEDGER_H
#define CUTOUT_CORE_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/merkle.h"

#define STORE_LEDGER_ENTRY_MAX 1024 /* bytes of one entry */
#define STORE_LEDGER_NOTE_MAX 4096  /* bytes of one checkpoint note */
/* bytes of a row's hashes: the leaf and at most 63 internal nodes */
#define STORE_LEDGER_HASHES_MAX (MERKLE_LEVELS * MERKLE_HASH_LEN)
/* bytes of the head's frontier: one hash per set bit of the size */
#define STORE_LEDGER_FRONTIER_MAX (MERKLE_LEVELS * MERKLE_HASH_LEN)

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

/* One entry row: as read back (valid during the callback only), or to insert. */
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
 * frontier are the head's (checked by the front: a frontier that is not one
 * hash per set bit of size is STORE_CORRUPT before fn runs); get reads stored
 * nodes (for merkle_*: the frontier's first, then the rows); scan streams rows
 * [from, to) in index order, stopping early if fn returns anything but
 * STORE_OK (and returning that); checkpoints lists them oldest (smallest)
 * first.
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

/* ---- the front ---- */

/*
 * Appends n >= 1 entries in one durable transaction (inside store_write's
 * fn: in that transaction); *first is the index of the first. With take
 * (not NULL), n is ignored and take(ctx) says, on the writer, how many (0:
 * nothing is written, STORE_OK). STORE_CORRUPT if an entry cannot be encoded
 * or the head is damaged; nothing of the batch is then written.
 */
__attribute__((warn_unused_result)) enum store_result
store_ledger_append(struct store *s, size_t n, store_ledger_take_fn take,
                    store_ledger_encode_fn enc, void *ctx, uint64_t *first);
/* Runs fn on one read snapshot (inside store_write's fn: the transaction's). */
__attribute__((warn_unused_result)) enum store_result
store_ledger_view(struct store *s, store_ledger_view_fn fn, void *ctx);
/*
 * Stores a checkpoint, durably, after checking inside the write
 * transaction that size <= the ledger's size, that the stored nodes give
 * `root` at size, and that no stored checkpoint is larger. A checkpoint
 * of the same size and root is already there: STORE_EXISTS. Another root
 * or a larger checkpoint: STORE_CORRUPT. A note empty or over
 * STORE_LEDGER_NOTE_MAX: STORE_TOO_LARGE.
 */
__attribute__((warn_unused_result)) enum store_result
store_ledger_checkpoint_add(struct store *s, uint64_t size,
                            const uint8_t root[static MERKLE_HASH_LEN], const uint8_t *note,
                            size_t note_len);

/* ---- the backend's rows ---- */

/* A backend's read handle: one snapshot, or the write transaction it runs in. */
struct store_ledger_rd;
typedef enum store_result (*store_ledger_rd_fn)(void *ctx, struct store_ledger_rd *rd);

struct store_ledger_ops {
	/*
	 * Runs fn on one read snapshot: every read fn makes through rd sees
	 * it, and returns fn's result. Inside store_write's fn, rd reads the
	 * transaction itself (its own writes included) and fn may write.
	 */
	enum store_result (*read)(struct store *s, store_ledger_rd_fn fn, void *ctx);
	/*
	 * The head row: its size and frontier bytes (copied to frontier, cap
	 * bytes). STORE_NOT_FOUND: there is none yet. STORE_CORRUPT: a size
	 * that is not a non-negative integer below 2^63, or a frontier that is
	 * not bytes or longer than cap.
	 */
	enum store_result (*head)(struct store_ledger_rd *rd, uint64_t *size, uint8_t *frontier,
	                          size_t cap, size_t *len);
	/*
	 * Hash k (the 32 bytes at k * 32 of its hashes) of row `index`: 0, or
	 * -1 if there is no such row or its hashes are shorter.
	 */
	int (*hash)(struct store_ledger_rd *rd, uint64_t index, unsigned k,
	            uint8_t out[static MERKLE_HASH_LEN]);
	/*
	 * The rows [from, to) in index order (bounds above 2^63 - 1 count as
	 * 2^63 - 1), as store_ledger_view's scan; a row whose columns are not
	 * bytes is handed over with NULL entry and hashes of length 0.
	 */
	enum store_result (*scan)(struct store_ledger_rd *rd, uint64_t from, uint64_t to,
	                          store_ledger_row_fn fn, void *ctx);
	/*
	 * The checkpoint rows, smallest size first (a root that is not 32
	 * bytes is handed over as zeros); fn's first result other than
	 * STORE_OK stops the listing and is returned. last: only the largest.
	 */
	enum store_result (*checkpoints)(struct store_ledger_rd *rd, bool last,
	                                 store_ledger_cp_fn fn, void *ctx);

	/* Writes: the front calls them inside store_write only. */
	/* The head row, created or replaced (size < 2^63, len <= STORE_LEDGER_FRONTIER_MAX). */
	enum store_result (*head_put)(struct store *s, uint64_t size, const uint8_t *frontier,
	                              size_t len);
	/*
	 * Inserts n rows (index < 2^63, entry of 1..STORE_LEDGER_ENTRY_MAX
	 * bytes, hashes of 1..STORE_LEDGER_HASHES_MAX): all or none.
	 * STORE_EXISTS if an index is taken.
	 */
	enum store_result (*rows_put)(struct store *s, const struct store_ledger_row *rows,
	                              size_t n);
	/* Inserts a checkpoint row (size < 2^63). STORE_EXISTS if the size is taken. */
	enum store_result (*checkpoint_put)(struct store *s, uint64_t size,
	                                    const uint8_t root[static MERKLE_HASH_LEN],
	                                    const uint8_t *note, size_t note_len);
};

extern const struct store_ledger_ops store_ledger_sqlite;

#endif
