/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * digest: what `cutout digest` tells an officer (issue 17 §2): that
 * something arrived, never what, nor when more precisely than the day.
 *
 * inbox_digest counts, for one officer, the submissions sealed since the last
 * digest they were sent (ledger order: the submission.seal entries from the
 * index the last digest.sent entry of officer:NAME names) that the one access
 * decision lets them read now (registry_submission_readable; a deleted one is
 * not counted), and the deadlines of the submissions they may see that are
 * due or overdue (deadlines.h). An officer without the intake role, or
 * disabled, counts nothing. No id, title, text, file name, label or time
 * finer than the day leaves this module.
 *
 * inbox_digest_sent records that a digest was sent to officer:NAME: one
 * digest.sent entry (actor system, detail "through entry N", N the ledger
 * size the counts were read at), in its own store_write transaction, so the
 * next digest counts from there. The entry holds no count (the ledger view is
 * read by officers of other clearances).
 */
#ifndef CUTOUT_CORE_INBOX_DIGEST_H
#define CUTOUT_CORE_INBOX_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/inbox/inbox.h"
#include "core/store/store_officer.h"

#define INBOX_DIGEST_NAME_MAX STORE_OFFICER_NAME_MAX

struct inbox_digest {
	uint64_t fresh;   /* new submissions the officer may read */
	uint64_t due;     /* deadlines due (acknowledgement or feedback, in time) */
	uint64_t overdue; /* deadlines past */
	uint64_t through; /* the ledger size the counts were read at */
	int32_t last_day; /* the day of the last digest sent to the officer, 0: none */
	bool intake;      /* the officer has the intake role (else every count is 0) */
};

/* The counts for officer `name` on day today: INBOX_OK, INBOX_NOT_FOUND (no such officer). */
__attribute__((warn_unused_result)) enum inbox_result inbox_digest(struct store *s,
                                                                   struct registry *reg,
                                                                   const char *name, int32_t today,
                                                                   struct inbox_digest *out);

/* The names of the enabled officers (those `digest_officers = all` means); fn non-zero stops. */
__attribute__((warn_unused_result)) enum inbox_result
inbox_digest_officers(struct store *s, int (*fn)(void *ctx, const char *name), void *ctx);

/* The digest.sent entry of officer `name`, counted through ledger size `through`. */
__attribute__((warn_unused_result)) enum inbox_result
inbox_digest_sent(struct store *s, const char *name, uint64_t through);

#endif
