/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * blob_spill: the file side of large blobs, shared by the backends. A blob's
 * first chunk lives in the backend's rows; a pending blob grown beyond it
 * "spills": the rest goes to extents of the store's one segment file
 * (LOCATION.blobs/segments, core/store/blob_segment.h), named by a token that
 * is never reused. No file is made or removed per blob, so the filesystem
 * times no blob's arrival. The backend keeps only its rows: the blob's size,
 * first chunk and, once a commit claims it, the token.
 *
 * The lifecycle, and what the backend does at each step:
 *
 *  - append (blob_spill_append): the appending caller writes at its end,
 *    taking extents as it grows. The table of pending file-backed blobs is bounded (SPILL_MAX);
 *    beyond, the backend keeps the chunk in its rows.
 *  - claim: before a durable transaction that claims blobs,
 *    blob_spill_claims_prepare seals each file-backed one (no more appends),
 *    records its size and fdatasyncs the segment file once, and says for
 *    each its token and size, which the transaction writes into the blob's row. After
 *    the transaction, blob_spill_claims_release: committed, they leave the
 *    table; rolled back, they are unsealed as they were.
 *  - delete: the backend collects the files of the rows it deletes
 *    (struct blob_files) and shreds them (overwritten with zeros, synced,
 *    freed) only after the delete committed: a crash in between leaves
 *    extents that no row claims, which the next first open frees.
 *  - open: the first opener of a store (no other live one) frees every
 *    extent (and legacy file) no committed row claims (blob_spill_remove_unclaimed): a crashed
 *    upload, or a delete that crashed before it shredded.
 *  - read: a committed blob is streamed by its token, a pending one's
 *    from the table.
 *
 * Stores made before the segment file have one file per large blob, named by
 * its token in 16 hex digits: the first open moves them into the segment
 * file (blob_spill_migrate); until then they are read, shredded (and
 * unlinked) and swept as before, never made.
 *
 * Thread safety: a struct blob_spill may be used from many threads at once.
 */
#ifndef CUTOUT_CORE_STORE_BLOB_SPILL_H
#define CUTOUT_CORE_STORE_BLOB_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define SPILL_MAX 1024 /* concurrent file-backed pending blobs; beyond, chunks stay in rows */

struct blob_spill;
struct blob_spill_file; /* one pending file-backed blob */

/* What a claiming transaction writes into a file-backed blob's row. */
struct blob_spill_claim {
	store_id blob;
	int64_t file;  /* its token */
	uint64_t size; /* bytes in the file (after the row's first chunk) */
	struct blob_spill_file *sp;
};

/* Files to shred once a delete commits: grown by the backend, bounded by memory. */
struct blob_files {
	int64_t *v;
	size_t n, cap;
};

/* Creates (0700) and opens the directory PATH (e.g. the database's path + ".blobs"). */
__attribute__((warn_unused_result)) enum store_result blob_spill_open(const char *dir,
                                                                      struct blob_spill **out);
/* Pending file-backed blobs are forgotten: their files go at the next first open. */
void blob_spill_close(struct blob_spill **bs);

/*
 * Appends n bytes to blob's file, if it has one (*spilled true). Without one:
 * with create, makes it (its first extent and a table entry) and appends; without,
 * or with the table full, leaves it to the caller (*spilled false, STORE_OK).
 * STORE_NOT_FOUND: the blob is being claimed (appending now is the caller's bug).
 */
__attribute__((warn_unused_result)) enum store_result blob_spill_append(struct blob_spill *bs,
                                                                        store_id blob,
                                                                        const uint8_t *p, size_t n,
                                                                        bool create, bool *spilled);
/* Whether blob is pending and file-backed. */
bool blob_spill_has(struct blob_spill *bs, store_id blob);
/* The bytes in the file of a pending blob (0: none). */
uint64_t blob_spill_pending_size(struct blob_spill *bs, store_id blob);

/*
 * Before a durable transaction that claims ids: seals each file-backed one,
 * records its size and fdatasyncs the segment file once, filling claims (room for
 * nids) and *nclaims. A blob sealed already (claimed twice): STORE_NOT_FOUND.
 * On failure nothing is left sealed.
 */
__attribute__((warn_unused_result)) enum store_result
blob_spill_claims_prepare(struct blob_spill *bs, const store_id *ids, size_t nids,
                          struct blob_spill_claim *claims, size_t *nclaims);
/* After it: claimed (committed) ones leave the table; otherwise they are unsealed. */
void blob_spill_claims_release(struct blob_spill *bs, struct blob_spill_claim *claims, size_t n,
                               bool claimed);

/* Streams n bytes of the committed file `file` to fn (STORE_NOT_FOUND: no such file). */
__attribute__((warn_unused_result)) enum store_result
blob_spill_read_file(struct blob_spill *bs, int64_t file, uint64_t n, store_chunk_fn fn, void *ctx);
/* Streams the file of a pending blob, as far as written, to fn (none: STORE_OK). */
__attribute__((warn_unused_result)) enum store_result
blob_spill_read_pending(struct blob_spill *bs, store_id blob, store_chunk_fn fn, void *ctx);

/* Frees the blob's extents (or legacy file): zeros, synced, then freed. Unknown: fine. */
__attribute__((warn_unused_result)) enum store_result blob_spill_shred(struct blob_spill *bs,
                                                                       int64_t file);
/* After a delete of a pending blob committed: its file, if any, leaves the table and is shredded.
 */
__attribute__((warn_unused_result)) enum store_result blob_spill_drop_pending(struct blob_spill *bs,
                                                                              store_id blob);

/*
 * At the first open: frees every extent (and shreds every legacy file) that
 * no committed row claims. claimed(ctx, file) answers STORE_OK (claimed), STORE_NOT_FOUND
 * (not), or an error, which stops the walk.
 */
__attribute__((warn_unused_result)) enum store_result
blob_spill_remove_unclaimed(struct blob_spill *bs,
                            enum store_result (*claimed)(void *ctx, int64_t file), void *ctx);

/*
 * At the first open, after blob_spill_remove_unclaimed: moves every legacy
 * per-blob file into the segment file, so that no blob keeps a file (and
 * its times) of its own, and a confined door needs no right to make or
 * remove files in the directory. For each: its bytes are copied into new
 * extents and synced; retoken(ctx, old, new) makes the row that claims the
 * old token claim the new one, durably; then the file is shredded. A crash
 * before retoken's commit leaves the new extents unclaimed (freed at the
 * next first open) and the file as it was; after it, the file unclaimed
 * (shredded at the next first open). The first error stops it.
 */
__attribute__((warn_unused_result)) enum store_result
blob_spill_migrate(struct blob_spill *bs,
                   enum store_result (*retoken)(void *ctx, int64_t old, int64_t new), void *ctx);

/* After a commit: the segment file's times become now (blob_segment_touch). */
void blob_spill_touch(struct blob_spill *bs);

/* The large blobs and extents in the segment file (cutout check, the tests). */
__attribute__((warn_unused_result)) enum store_result
blob_spill_usage(struct blob_spill *bs, uint64_t *blobs, uint64_t *extents);

/* Adds a file to the list (STORE_NOMEM when it cannot grow). */
__attribute__((warn_unused_result)) enum store_result blob_files_add(struct blob_files *l,
                                                                     int64_t file);
/*
 * After the delete that collected them: with r STORE_OK, shreds them (the
 * first failure is the result; one left behind goes at the next first open);
 * otherwise shreds nothing. Empties the list either way; returns the result.
 */
enum store_result blob_files_shred(struct blob_spill *bs, struct blob_files *l,
                                   enum store_result r);
void blob_files_clear(struct blob_files *l);

#endif
