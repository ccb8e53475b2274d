/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * blob_segment: the one file that holds the large blobs of a store,
 * LOCATION.blobs/segments, in fixed extents of BLOB_SEGMENT_EXTENT bytes
 * reused after they are shredded (issue 16 §3). No file or directory entry is
 * made or removed per blob, so the filesystem times no blob's arrival: the
 * file's times are those of the store's last blob write (and read, where the
 * filesystem keeps access times and the owner cannot open it O_NOATIME).
 *
 * A blob is a chain of extents named by its token; its first extent's entry
 * holds the size once a commit claims it. Used by core/store/blob_spill.c
 * only, which keeps the pending blobs and the lifecycle.
 *
 * Thread and process safety: extents are taken and freed under a mutex and
 * an OFD lock on the file; a blob's extents are written by its one writer.
 */
#ifndef CUTOUT_CORE_STORE_BLOB_SEGMENT_H
#define CUTOUT_CORE_STORE_BLOB_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define BLOB_SEGMENT_EXTENT ((uint64_t)1 << 20)  /* bytes of blob per extent */
#define BLOB_SEGMENT_EXTENTS ((uint32_t)1 << 20) /* extents: 1 TiB of large blobs a store */
#define BLOB_SEGMENT_NONE UINT32_MAX             /* no extent */

struct blob_segment;

/* Opens, or makes (synced with the directory dir_fd), the segment file in dir_fd. */
__attribute__((warn_unused_result)) enum store_result blob_segment_open(int dir_fd,
                                                                        struct blob_segment **out);
void blob_segment_close(struct blob_segment **g);

/*
 * Takes the lowest free extent *k for place seq of the blob *token (0: a new
 * blob, whose token is made here), linked after extent prev
 * (BLOB_SEGMENT_NONE: the blob's first). STORE_FULL: none is free.
 */
__attribute__((warn_unused_result)) enum store_result
blob_segment_take(struct blob_segment *g, int64_t *token, uint32_t seq, uint32_t prev, uint32_t *k);
/* Writes n bytes at offset at of extent k (at + n <= BLOB_SEGMENT_EXTENT). */
__attribute__((warn_unused_result)) enum store_result
blob_segment_write(struct blob_segment *g, uint32_t k, uint64_t at, const uint8_t *p, size_t n);
/* Records the blob's size in its first extent (before the sync of a claim). */
__attribute__((warn_unused_result)) enum store_result
blob_segment_seal(struct blob_segment *g, int64_t token, uint64_t size);
/* fdatasync of the file: every blob written so far is durable. */
__attribute__((warn_unused_result)) enum store_result blob_segment_sync(struct blob_segment *g);

/*
 * Sets the file's access and modification times (and so its change time) to
 * now: after every commit of the store, whether it wrote a blob or not, so
 * that they are the store's last write, never the last large blob's arrival.
 */
void blob_segment_touch(struct blob_segment *g);

/* Whether token names a blob of the file. */
bool blob_segment_has(struct blob_segment *g, int64_t token);
/*
 * Streams the first n bytes of the blob to fn; with claimed, n beyond its
 * sealed size is STORE_CORRUPT, as is a broken chain.
 */
__attribute__((warn_unused_result)) enum store_result
blob_segment_read(struct blob_segment *g, int64_t token, uint64_t n, bool claimed,
                  store_chunk_fn fn, void *ctx);
/*
 * Frees the blob's extents: overwritten with zeros and synced, their blocks
 * given back to the filesystem where it can punch holes, then marked free.
 * An unknown token is fine.
 */
__attribute__((warn_unused_result)) enum store_result blob_segment_free(struct blob_segment *g,
                                                                        int64_t token);
/*
 * At the first open: frees every extent whose blob claimed(ctx, token) says
 * no committed row claims (STORE_NOT_FOUND); an error stops the sweep.
 */
__attribute__((warn_unused_result)) enum store_result
blob_segment_sweep(struct blob_segment *g, enum store_result (*claimed)(void *ctx, int64_t token),
                   void *ctx);
/* The blobs and extents in use (cutout check, the tests). */
__attribute__((warn_unused_result)) enum store_result
blob_segment_usage(struct blob_segment *g, uint64_t *blobs, uint64_t *extents);

/* No space (ENOSPC, EDQUOT, EFBIG) is STORE_FULL, any other errno STORE_IO. */
enum store_result blob_segment_errno(int e);
/* Overwrites with zeros (from zero, STORE_CHUNK_MAX bytes) the blocks fd holds in [off, off + len).
 */
__attribute__((warn_unused_result)) enum store_result
blob_segment_zero(int fd, uint64_t off, uint64_t len, const uint8_t *zero);

#endif
