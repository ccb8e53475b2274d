/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * deadlines: the EU Whistleblowing Directive's (2019/1937, art. 9(1)(b), (f))
 * deadlines of every submission, read from the ledger, which proves them.
 *
 * A submission must be acknowledged within 7 days of its arrival, and the
 * source given feedback within three months of the acknowledgement (or, when
 * none was sent in time, of the end of those 7 days). Every reply to a source
 * acknowledges what it sent before it (ledger order, so a reply of the same
 * day counts only when it came after); a reply sealed as feedback
 * (INTAKE_REPLY_FEEDBACK) gives the feedback. Days only: the ledger keeps no
 * finer time. Who may see them: an officer with the intake role (replies are
 * source activity), and of the submissions only those the one access
 * decision lets them see in the ledger (registry_ledger_visible).
 */
#ifndef CUTOUT_CORE_INBOX_DEADLINES_H
#define CUTOUT_CORE_INBOX_DEADLINES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/inbox/inbox.h"

#define DEADLINE_ACK_DAYS 7
#define DEADLINE_FEEDBACK_MONTHS 3
#define DEADLINES_MAX 10000000 /* submissions or replies read from one ledger */

struct inbox_deadline {
	int64_t source, submission;
	int32_t arrived, ack_by, feedback_by;
	int32_t acked, feedback; /* the day of the reply, 0 when none yet */
	bool auto_ack;           /* acknowledged by the automatic reply */
	bool source_deleted;     /* the source was deleted since */
};

enum deadline_status {
	DEADLINE_ACK_DUE = 0,  /* not acknowledged, the 7 days not over */
	DEADLINE_ACK_OVERDUE,  /* not acknowledged, the 7 days over */
	DEADLINE_FEEDBACK_DUE, /* acknowledged, no feedback, still in time */
	DEADLINE_FEEDBACK_OVERDUE,
	DEADLINE_DONE,      /* acknowledged and fed back, both in time */
	DEADLINE_DONE_LATE, /* both given, one of them late */
};

/* The status on day `today`. */
enum deadline_status deadline_status(const struct inbox_deadline *d, int32_t today);
/* "acknowledgement due", "acknowledgement overdue", ... */
const char *deadline_status_name(enum deadline_status s);

/*
 * Every submission the officer may see in the ledger, by source then
 * submission, with its deadlines; fn returns non-zero to stop.
 * INBOX_FORBIDDEN without the intake role. *unplaced (may be NULL): replies
 * recorded before the ledger named their source (not counted).
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_deadlines(struct inbox *ib, const struct officer_key *who,
                int (*fn)(void *ctx, const struct inbox_deadline *d), void *ctx,
                uint64_t *unplaced);

/* The same for an access subject (registry_subject), without a login: `cutout digest`. */
struct access_subject;
__attribute__((warn_unused_result)) enum inbox_result
inbox_deadlines_of(struct store *s, struct registry *reg, const struct access_subject *subj,
                   int (*fn)(void *ctx, const struct inbox_deadline *d), void *ctx,
                   uint64_t *unplaced);

#endif
