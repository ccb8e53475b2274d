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

/*
 * A source's most urgent deadline (for the desk's inbox rows): of its
 * submissions the officer may see, the one whose status comes first in
 * deadline_urgency's order, and the day that status is about (`by`: the
 * acknowledge-by day while not acknowledged, the feedback-by day while no
 * feedback was given, the feedback's day once done).
 */
struct inbox_due {
	int64_t source; /* 0: none of its submissions is visible in the ledger */
	struct inbox_deadline d;
	enum deadline_status status;
	int32_t by;
};
/* The order of urgency: overdue acknowledgement, overdue feedback, acknowledgement due,
 * feedback due, done late, done; then the earlier `by`. Negative when a comes first. */
int deadline_urgency(const struct inbox_due *a, const struct inbox_due *b);
/*
 * For each of the sources src[0..n) (n <= DEADLINES_DUES_MAX), its most
 * urgent deadline on day today into out[i] (out[i].source 0 when the officer
 * sees none of its submissions). The events kept by the inbox (only the
 * ledger's new entries are read: deadline_events.h); the access
 * decision and the roles as inbox_deadlines'.
 */
#define DEADLINES_DUES_MAX 500
__attribute__((warn_unused_result)) enum inbox_result inbox_dues(struct inbox *ib,
                                                                 const struct officer_key *who,
                                                                 int32_t today, const int64_t *src,
                                                                 size_t n, struct inbox_due *out);
/*
 * The sources (not deleted) with an overdue deadline on day today, most
 * urgent first: rows [offset, offset + max) into out, *n of them, and
 * *total, how many there are. The access decision as inbox_deadlines'.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_overdue(struct inbox *ib, const struct officer_key *who, int32_t today, size_t offset,
              struct inbox_due *out, size_t max, size_t *n, size_t *total);
/* The same for an access subject (registry_subject), without a login: `cutout digest`. */
struct access_subject;
__attribute__((warn_unused_result)) enum inbox_result
inbox_deadlines_of(struct store *s, struct registry *reg, const struct access_subject *subj,
                   int (*fn)(void *ctx, const struct inbox_deadline *d), void *ctx,
                   uint64_t *unplaced);

#endif
