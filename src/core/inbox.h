/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * inbox: the reading side of submissions, for whoever holds the intake label
 * identity (until officer accounts exist, the admin identity unwraps it).
 * Opens sealed blobs as streams; exports them raw for the offline `age` tool.
 */
#ifndef CUTOUT_CORE_INBOX_H
#define CUTOUT_CORE_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "lib/age.h"

enum inbox_result {
	INBOX_OK = 0,
	INBOX_NOT_FOUND,
	INBOX_CANNOT_OPEN, /* no identity given opens it, or it is damaged */
	INBOX_FAILED,
};

/* Decrypts blob with the identities; plaintext leaves through w. */
__attribute__((warn_unused_result)) enum inbox_result
inbox_open_blob(struct store *s, store_id blob, const struct age_identity *const *ids, size_t n,
                age_write_fn w, void *wctx);
/* Writes the blob's age file, as stored, through w. */
__attribute__((warn_unused_result)) enum inbox_result
inbox_export_blob(struct store *s, store_id blob, age_write_fn w, void *wctx);

#endif
