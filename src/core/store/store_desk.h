/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_desk: what the officers' desk needs from the store beyond the base
 * interface: the inbox in newest-submission order with keyset pagination,
 * a source's submissions newest first, the unread submissions newest first
 * (the navigation's count), and an officer's star and label on a source.
 *
 * Keyset pagination: a page is asked for with the cursor of the last row
 * the previous page showed (0 for the first page), never with an OFFSET, so
 * the cost of a page does not grow with the store. The inbox cursor is the id
 * of a source's newest submission (unique, so the order is total).
 *
 * The backend keeps the inbox order up to date by itself (every committed
 * submission moves its source to the top; a deleted source leaves the inbox).
 * Stars and labels are shared by every officer of the instance. A label is
 * text to the store; core/inbox keeps it sealed (the base64 of an age file,
 * core/inbox/label.c) and the caller escapes it when showing it. Beside it
 * the store keeps the label's blind index (a keyed hash, core/inbox/label.c,
 * docs/internals/crypto.md) so that it can find the sources of a label
 * without seeing the label.
 *
 * Filters (struct store_desk_filter) narrow the inbox in the store. They may
 * let through more than they should (a source's unread count and "has files"
 * cover every submission, not only what an officer may read): core/inbox
 * checks each row again under the access decision. A filtered listing is
 * still keyset-paged, and its work bounded by the window: it examines at most
 * `window` rows of the inbox order (only starred ones with starred, only
 * those with the label with a label) and says where it stopped (*floor).
 */
#ifndef CUTOUT_CORE_STORE_DESK_H
#define CUTOUT_CORE_STORE_DESK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_DESK_LABEL_MAX 512 /* bytes of UTF-8: core/inbox keeps a sealed label's base64 */

#define STORE_DESK_INDEX_LEN 32 /* bytes of a label's blind index */
#define STORE_DESK_INDEX_MAX 8  /* blind indexes a filter may ask for at once */

struct store_desk_filter {
	bool starred;                    /* starred sources */
	bool unread;                     /* sources with an unread submission */
	bool has_files;                  /* sources with a submission that has files */
	int32_t day_from, day_to;        /* a submission on a day in [from, to]; 0: unbounded */
	char marking[STORE_MARKING_MAX]; /* a submission of exactly this marking; "": any */
	size_t nindex;                   /* > 0: the label's blind index is one of these */
	uint8_t index[STORE_DESK_INDEX_MAX][STORE_DESK_INDEX_LEN];
	int64_t window; /* > 0: examine at most this many rows */
};

struct store_desk_source {
	struct store_source src;
	store_id newest; /* id of the newest submission: the inbox cursor */
	bool starred;
	char label[STORE_DESK_LABEL_MAX + 1];
};

typedef int (*store_desk_source_fn)(void *ctx, const struct store_desk_source *s);
typedef int (*store_desk_sub_fn)(void *ctx, const struct store_submission *sub);

struct store_desk_ops {
	/*
	 * Sources that have submissions, newest submission first, starting after
	 * cursor `before` (0: from the top), at most limit rows. starred_only
	 * lists only starred sources. fn returns non-zero to stop (STORE_STOP).
	 */
	enum store_result (*inbox)(struct store *s, store_id before, int64_t limit,
	                           bool starred_only, store_desk_source_fn fn, void *ctx);
	/*
	 * The same order and cursor, through the filter f: the rows that pass
	 * it, at most limit. With f->window > 0, only the first window rows of
	 * the order after `before` (only starred ones with f->starred, only
	 * those of the blind indexes with f->nindex) are examined, and *floor is
	 * the cursor of the last one examined (0: the window reached the end),
	 * to go on from when fewer than limit rows came; without a window *floor
	 * is 0. Dates and filters are only compared: nothing is decided here.
	 */
	enum store_result (*inbox_filtered)(struct store *s, store_id before, int64_t limit,
	                                    const struct store_desk_filter *f, store_id *floor,
	                                    store_desk_source_fn fn, void *ctx);
	/* One source with its desk fields (STORE_NOT_FOUND if it has no submission). */
	enum store_result (*source)(struct store *s, store_id id, struct store_desk_source *out);
	/*
	 * The source's submissions with id < before (0: from the newest), newest
	 * first, at most limit; fn non-zero stops (STORE_STOP).
	 */
	enum store_result (*submissions)(struct store *s, store_id source, store_id before,
	                                 int64_t limit, store_desk_sub_fn fn, void *ctx);
	/*
	 * A star or a label is kept on the source's desk row: a source without
	 * submissions (or none) has none, and both are STORE_NOT_FOUND for it.
	 */
	enum store_result (*set_star)(struct store *s, store_id source, bool starred);
	/* label: "" clears; checked by the front (store_desk_set_label); index: its
	   blind index, or NULL (none: a filter by label never finds it) */
	enum store_result (*set_label)(struct store *s, store_id source, const char *label,
	                               const uint8_t *index);
	/*
	 * The unread submissions with id < before (0: from the newest), newest
	 * first, at most limit, through an index of the unread ones only: the
	 * cost follows the rows listed, not the size of the store. fn non-zero
	 * stops (STORE_STOP). Nothing is decided here (the desk's count of new
	 * submissions, core/inbox/count.c).
	 */
	enum store_result (*unread)(struct store *s, store_id before, int64_t limit,
	                            store_desk_sub_fn fn, void *ctx);
};

/*
 * The front (core/store/store_desk.c): what core calls. Each checks its
 * arguments once (a negative limit or no callback: STORE_NOT_FOUND) and then
 * calls the backend's operation. A label is UTF-8 without control
 * characters, at most STORE_DESK_LABEL_MAX bytes (longer: STORE_TOO_LARGE;
 * bad UTF-8 or a control character: STORE_NOT_FOUND); "" clears it. The
 * listings return STORE_STOP exactly when their fn stopped them.
 */
__attribute__((warn_unused_result)) enum store_result
store_desk_inbox(struct store *s, store_id before, int64_t limit, bool starred_only,
                 store_desk_source_fn fn, void *ctx);
/* The filtered inbox (the operation inbox_filtered; a bad filter: STORE_NOT_FOUND). */
__attribute__((warn_unused_result)) enum store_result
store_desk_inbox_filtered(struct store *s, store_id before, int64_t limit,
                          const struct store_desk_filter *f, store_id *floor,
                          store_desk_source_fn fn, void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_desk_source(struct store *s, store_id id, struct store_desk_source *out);
__attribute__((warn_unused_result)) enum store_result
store_desk_submissions(struct store *s, store_id source, store_id before, int64_t limit,
                       store_desk_sub_fn fn, void *ctx);
/* The unread submissions, newest first (the operation unread). */
__attribute__((warn_unused_result)) enum store_result
store_desk_unread(struct store *s, store_id before, int64_t limit, store_desk_sub_fn fn, void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_desk_set_star(struct store *s, store_id source, bool starred);
__attribute__((warn_unused_result)) enum store_result
store_desk_set_label(struct store *s, store_id source, const char *label);
/* The same, with the label's blind index (STORE_DESK_INDEX_LEN bytes; NULL: none). */
__attribute__((warn_unused_result)) enum store_result
store_desk_set_label_indexed(struct store *s, store_id source, const char *label,
                             const uint8_t *index);

#endif
