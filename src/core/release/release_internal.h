/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release_internal: what the use-case files of core/release share (nothing
 * outside the folder includes it):
 *
 *   release.c       subjects, messages, ledger entries, the released version
 *   recipients.c    outside recipients
 *   workflow.c      propose, approve, refuse (the two-person rule)
 *   release_read.c  list, show, export (the copy, its notice, its forms)
 *   release_trace.c a leaked text traced against the releases
 */
#ifndef CUTOUT_CORE_RELEASE_INTERNAL_H
#define CUTOUT_CORE_RELEASE_INTERNAL_H

#include "core/access/access.h"
#include "core/ledger/ledger.h"
#include "core/marking/marking.h"
#include "core/release/release.h"
#include "core/release/slots.h"

#define RL_SECRET_BYTES 32
#define RL_TEXT_MAX (REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64)

__attribute__((format(printf, 2, 3))) void rl_say(struct release_error *err, const char *fmt, ...);

/*
 * The acting officer's subject; RELEASE_FORBIDDEN (with msg) unless they hold
 * one of roles (ACCESS_ROLE_* bits).
 */
enum release_result rl_subject(struct registry *r, const struct officer_key *as, uint32_t roles,
                               struct access_subject *subj, struct release_error *err);
/* The actor of an entry by `as` ("officer:NAME"); 0 or -1. */
int rl_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1]);
/* Inside a store_write function: the entry about "kind:id" (id 0: no object). */
enum store_result rl_log_in(struct store *s, enum ledger_action action, const char *actor,
                            const char *kind, int64_t id, const char *marking, const char *detail);

/* The released version of a report: the tearline at a marking, as text, and its slots. */
struct rl_version {
	struct registry_report *rep, *tl;
	struct marking report_marking; /* the whole report's: its label seals the release */
	struct marking marking;        /* the version's */
	char marking_text[MARKING_TEXT_MAX + 3];
	struct buf text;
	struct slots slots;
};

/*
 * Opens report (the decision for `as`: RELEASE_NOT_FOUND), takes its tearline
 * at target (NULL: its own marking), formats it and finds its slots. A
 * tearline with nothing left, or a text without slots or with a bad markup:
 * RELEASE_BAD_INPUT with msg.
 */
enum release_result rl_version_open(struct registry *r, const struct officer_key *as,
                                    store_id report, const struct marking *target,
                                    struct rl_version *v, struct release_error *err);
void rl_version_free(struct rl_version *v);
/*
 * The version's slots found again with the slot engine a stored release was
 * made with (copy.h); nothing to do when they already are. RELEASE_OK or
 * RELEASE_FAILED.
 */
enum release_result rl_version_engine(struct rl_version *v, unsigned engine);

/*
 * THE decision for an outside recipient: their marking as the clearance,
 * their nationality, no distribution; and never ORCON or NOFORN. RELEASE_OK,
 * or RELEASE_REFUSED with the reason in msg.
 */
enum release_result rl_recipient_allowed(const struct registry *r, const struct store_recipient *rc,
                                         const struct marking *m, const char *mtext,
                                         struct release_error *err);
/* rl_recipient_allowed for a report, the originator's consent first (rerelease.c). */
enum release_result rl_report_allowed(const struct registry *r, int64_t report,
                                      const struct store_recipient *rc, const struct marking *m,
                                      const char *mtext, struct release_error *err);

/* "proposed", "approved", "refused", "expired" (approved or proposed past its day). */
const char *rl_state(const struct store_release *row, int32_t today);

/* The release row and its recipients (copied: free rl_row_free). */
struct rl_row {
	struct store_release row;
	int64_t *recipients;
	uint8_t *sealed;
	int failed;
};
enum release_result rl_row_get(struct registry *r, store_id id, struct rl_row *w);
void rl_row_free(struct rl_row *w);

#endif
