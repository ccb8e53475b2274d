/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * safeview: safe viewing of the files sources sent (docs/safe-viewing.md),
 * for the desk and the CLI alike.
 *
 * - Converting file n of a submission: the access decision of the inbox
 *   (inbox_file_access: what the officer may not read answers as missing,
 *   SAFEVIEW_NOT_FOUND), the file opened with their keys, rendered to pixels
 *   by the confined converter (lib/render.h) and rebuilt as a PDF of images,
 *   sealed like the file itself (to the intake label, inside the label of the
 *   submission's marking at its seal version: core/keys/seal.h) and stored
 *   as the file's safe copy (core/store/store_safe.h) with its object.convert
 *   entry (officer, submission, detail "file N, P pages") in one store_write.
 *   A refusal (a format not read, a limit, a timeout) is recorded too
 *   (object.convert, detail "file N refused: REASON"), and stores nothing.
 * - A file that has a safe copy made under its submission's present marking
 *   and seal version is not converted again; one made under another is
 *   dropped and made anew.
 * - Opening the safe copy records object.download ("safe copy of file N"),
 *   durable before a byte is given, as inbox_download does.
 *
 * Thread safety: a struct safeview may be shared by all threads; each
 * conversion runs its own child process.
 */
#ifndef CUTOUT_CORE_SAFEVIEW_H
#define CUTOUT_CORE_SAFEVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/inbox/inbox.h"
#include "lib/age/age.h"
#include "lib/conf.h"
#include "lib/render.h"

#define SAFEVIEW_REASON_MAX 160

enum safeview_result {
	SAFEVIEW_OK = 0,
	SAFEVIEW_NOT_FOUND,   /* missing, or not the officer's to read: one answer */
	SAFEVIEW_REFUSED,     /* the converter refused the file: reason says why */
	SAFEVIEW_CANNOT_OPEN, /* the officer's keys do not open the file */
	SAFEVIEW_UNSUPPORTED, /* this store has no safe copies */
	SAFEVIEW_BUSY,
	SAFEVIEW_FAILED,
};

const char *safeview_strerror(enum safeview_result r);

struct safeview;

/* The converter's limits from cutout.conf's safeview_* keys. */
void safeview_limits(const struct conf *c, struct render_limits *out);

/*
 * Safe viewing over the instance's store, registry and inbox (borrowed),
 * with the converter helper at `helper` (render_helper_path) and limits l;
 * through the converter service svc (borrowed) when not NULL (a process that
 * may not fork: the desk), else by starting the helper itself (the CLI).
 */
__attribute__((warn_unused_result)) enum safeview_result
safeview_new(struct store *s, struct registry *reg, struct inbox *ib, const char *helper,
             const struct render_limits *l, struct render_service *svc, struct safeview **out);
void safeview_free(struct safeview **sv);

struct safeview_info {
	uint32_t pages;
	bool made; /* converted now (false: the copy was there already) */
};

/*
 * Converts file n (from 1) of submission sub for who (see above). On
 * SAFEVIEW_REFUSED, reason (NUL-terminated) says why, in words for the officer.
 */
__attribute__((warn_unused_result)) enum safeview_result
safeview_convert(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
                 struct safeview_info *info, char reason[static SAFEVIEW_REASON_MAX]);

/*
 * Converts the files pending (without a fresh safe copy) that who may read,
 * source by source and newest first, each as safeview_convert does (its
 * object.convert entry in the same transaction), at most o->max of them
 * (refusals included). A refused file stores nothing, so a later call tries
 * it again (and records it again) unless o->skip says to pass it over. Files
 * the keys do not open are passed over. out->more: max was reached.
 * o->by_desk: the desk's worker converting on arrival: the entries' actor is
 * `system`, their detail ends "(on arrival, with the keys of officer:NAME)".
 */
struct safeview_pending {
	uint32_t converted, refused, skipped;
	bool more;
};
typedef void (*safeview_pending_fn)(void *ctx, store_id sub, int64_t n, enum safeview_result r,
                                    const struct safeview_info *info, const char *reason);
struct safeview_pending_opts {
	uint32_t max;
	bool unread_only;       /* only submissions no officer has read yet ("new") */
	bool by_desk;           /* see above */
	safeview_pending_fn fn; /* may be NULL: hears of each file tried */
	int (*skip)(void *ctx, store_id sub, int64_t n); /* may be NULL; 1: pass it over */
	void *ctx;
};
__attribute__((warn_unused_result)) enum safeview_result
safeview_convert_pending(struct safeview *sv, const struct officer_key *who,
                         const struct safeview_pending_opts *o, struct safeview_pending *out);

/* Whether file n has a fresh safe copy, and its pages (no entry: a listing). */
__attribute__((warn_unused_result)) enum safeview_result
safeview_status(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
                uint32_t *pages);

/*
 * The clean PDF of file n, through w (its object.download entry durable
 * first). SAFEVIEW_NOT_FOUND also when it has no fresh safe copy.
 */
__attribute__((warn_unused_result)) enum safeview_result
safeview_open(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
              age_write_fn w, void *ctx);

/*
 * The desk's view of a safe copy: its pages (SAFEVIEW_NOT_FOUND without a
 * fresh one), with object.read "safe view of file N" durable first.
 */
__attribute__((warn_unused_result)) enum safeview_result
safeview_view(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
              uint32_t *pages);

/*
 * Page `page` (from 1) of file n's safe copy as a PNG appended to png,
 * rendered from the clean PDF by the confined converter (no entry: the view
 * that shows it was recorded).
 */
__attribute__((warn_unused_result)) enum safeview_result
safeview_page(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
              uint32_t page, struct buf *png);

#endif
