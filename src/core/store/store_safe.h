/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_safe: the safe copies of files (docs/safe-viewing.md). A file of a
 * submission may have one safe copy: a clean PDF of images, made by the
 * converter, stored as a blob sealed like the file itself (core/keys/seal.h),
 * with the number of its pages, the day it was made, and the marking and
 * seal version of the submission it was sealed under (a copy made under
 * another marking is stale: core drops it and converts again). It goes
 * with its file (a source's deletion deletes it with its blob).
 *
 * One pointer `safe` in struct store_backend, NULL for a backend without
 * it: the front then answers STORE_UNSUPPORTED.
 */
#ifndef CUTOUT_CORE_STORE_SAFE_H
#define CUTOUT_CORE_STORE_SAFE_H

#include "core/store/store.h"

#define STORE_SAFE_PAGES_MAX 10000 /* lib/render.h's RENDER_PAGES_MAX */

struct store_safe_copy {
	store_id file_id;
	store_id blob; /* the clean PDF, sealed */
	int32_t pages; /* 1..STORE_SAFE_PAGES_MAX */
	int32_t day;
	char marking[STORE_MARKING_MAX]; /* the submission's, when it was sealed */
	uint32_t seal_version;
};

struct store_safe_ops {
	/*
	 * Claims the pending blob c->blob and records it as file c->file_id's safe
	 * copy, inside store_write (whose claim list names it). STORE_EXISTS if
	 * the file has one; STORE_NOT_FOUND if there is no such file or blob;
	 * STORE_CORRUPT outside store_write.
	 */
	enum store_result (*safe_add)(struct store *s, const struct store_safe_copy *c);
	enum store_result (*safe_get)(struct store *s, store_id file_id,
	                              struct store_safe_copy *out);
	/* Deletes the file's safe copy and its blob (STORE_NOT_FOUND if none). */
	enum store_result (*safe_delete)(struct store *s, store_id file_id);
};

/* The front: arguments checked once, for every backend (store.h's rules). */
__attribute__((warn_unused_result)) enum store_result
store_safe_add(struct store *s, const struct store_safe_copy *c);
__attribute__((warn_unused_result)) enum store_result
store_safe_get(struct store *s, store_id file_id, struct store_safe_copy *out);
__attribute__((warn_unused_result)) enum store_result store_safe_delete(struct store *s,
                                                                        store_id file_id);

#endif
