/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release: the use cases of controlled release (issue 13 §1, §3): outside
 * recipients, releases under the two-person rule, the copies delivered, and
 * the tracing of a leaked text. docs/release.md ("The workflow") tells the
 * story; the engine under it is slots/tardos/copy/align/trace.
 *
 * Every action is one function: it builds the acting officer's subject, asks
 * access_decide where it reads (the report released, each recipient's right
 * to receive it), and commits its change with its ledger entry in ONE
 * store_write (sealing before, as core/registry does).
 *
 *   recipients    added, listed, shown, disabled by an admin or a releasing
 *                 officer (recipient.add, recipient.disable)
 *   propose       a releasing officer who may read the report proposes the
 *                 report, or its tearline at a marking, to recipients, with a
 *                 purpose and an expiry day (release.propose). Each recipient
 *                 must be allowed by the access decision (their marking
 *                 dominates the released version's, their nationality is in
 *                 its release list) and the version must be neither ORCON nor
 *                 NOFORN: else RELEASE_REFUSED with the reason.
 *   approve       a DIFFERENT releasing officer (never the proposer, not even
 *                 an admin without the role) approves: the decision is asked
 *                 again, a random release secret is drawn, every recipient's
 *                 copy choices derived from it (symmetric Tardos code), the
 *                 secret and each copy's choices sealed to the report's
 *                 marking label, and the approval, the copies and the
 *                 release.approve entry commit together.
 *   refuse        any releasing officer, with a reason (release.refuse)
 *   export        a recipient's copy of an approved, unexpired release: the
 *                 text with its release notice and marking banners, as text,
 *                 Markdown or age (sealed to the recipient's age recipient,
 *                 or to a passphrase when they have none); release.deliver
 *                 is durable before a byte is returned.
 *   trace         a leaked text against every approved release the officer
 *                 may read: ranked recipients, accusation bounds; the
 *                 release.trace entry names who traced and the result.
 */
#ifndef CUTOUT_CORE_RELEASE_RELEASE_H
#define CUTOUT_CORE_RELEASE_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/release/trace.h"
#include "core/store/store.h"
#include "core/store/store_release.h"
#include "lib/buf.h"

#define RELEASE_MSG_MAX 400
#define RELEASE_COPY_MAX (2 * 1024 * 1024) /* bytes of a copy as exported */
#define RELEASE_PASSPHRASE_MAX 1024

enum release_result {
	RELEASE_OK = 0,
	RELEASE_NOT_FOUND,   /* no such object, or not readable: one answer */
	RELEASE_BAD_INPUT,   /* msg says what */
	RELEASE_FORBIDDEN,   /* a role is needed, or the two-person rule: msg says which */
	RELEASE_REFUSED,     /* the access decision refused a recipient: msg says why */
	RELEASE_EXISTS,      /* a recipient of that name; a release decided already */
	RELEASE_EXPIRED,     /* past its expiry day */
	RELEASE_CANNOT_OPEN, /* the session holds no key of the label version */
	RELEASE_FAILED,      /* store, crypto or memory */
};

struct release_error {
	char msg[RELEASE_MSG_MAX];
};

const char *release_strerror(enum release_result r);

/* ---- recipients ---- */

struct release_recipient_input {
	const char *name; /* unique */
	const char *org;
	const char *nationality;   /* ISO 3166-1 alpha-3 */
	const char *marking;       /* the highest they may receive (parsed, stored canonical) */
	const char *age_recipient; /* "age1...", or NULL/"" for none */
};

__attribute__((warn_unused_result)) enum release_result
release_recipient_add(struct registry *r, const struct officer_key *as,
                      const struct release_recipient_input *in, store_id *out,
                      struct release_error *err);
__attribute__((warn_unused_result)) enum release_result
release_recipient_disable(struct registry *r, const struct officer_key *as, const char *name,
                          struct release_error *err);
/* Every recipient by name (admin or releasing). */
__attribute__((warn_unused_result)) enum release_result
release_recipient_list(struct registry *r, const struct officer_key *as,
                       int (*fn)(void *ctx, const struct store_recipient *rc), void *ctx);
__attribute__((warn_unused_result)) enum release_result
release_recipient_show(struct registry *r, const struct officer_key *as, const char *name,
                       struct store_recipient *out);

/*
 * THE decision for anyone outside the instance, an outside recipient or a
 * partner service (core/liaison): their highest marking as the clearance,
 * their nationality, no distribution; never ORCON or NOFORN; nothing to a
 * disabled one. RELEASE_OK, or RELEASE_REFUSED with the reason in msg
 * (mtext: m as text, for the message).
 */
__attribute__((warn_unused_result)) enum release_result
release_recipient_allowed(const struct registry *r, const struct store_recipient *rc,
                          const struct marking *m, const char *mtext, struct release_error *err);

/*
 * The same for report (a local report id): a report received from a partner
 * service goes outside only if its originator allowed re-release (the
 * agreement's flag its bundle carried, and the report not ORCON) or
 * consented for rc's country (ORCON included); the reason says which
 * ("report 12 came from serviceA (their report 41), which has not consented
 * to re-release to DEU"). Then release_recipient_allowed (rerelease.c).
 */
__attribute__((warn_unused_result)) enum release_result
release_report_allowed(const struct registry *r, int64_t report, const struct store_recipient *rc,
                       const struct marking *m, const char *mtext, struct release_error *err);

/* ---- releases ---- */

struct release_proposal {
	store_id report;
	const char *marking; /* the tearline's marking; NULL: the whole report */
	const char *purpose;
	int32_t expiry_day;            /* after today */
	const char *const *recipients; /* names */
	size_t nrecipients;
};

__attribute__((warn_unused_result)) enum release_result
release_propose(struct registry *r, const struct officer_key *as, const struct release_proposal *in,
                store_id *out, struct release_error *err);
__attribute__((warn_unused_result)) enum release_result
release_approve(struct registry *r, const struct officer_key *as, store_id id,
                struct release_error *err);
__attribute__((warn_unused_result)) enum release_result
release_refuse(struct registry *r, const struct officer_key *as, store_id id, const char *reason,
               struct release_error *err);

/* One copy as listed by release_show. */
struct release_copy_view {
	uint32_t number;
	store_id recipient;
	char name[STORE_RECIPIENT_NAME_MAX + 1];
};

/* A release as shown. */
struct release_view {
	struct store_release row; /* recipients and sealed: not set */
	const char *state;        /* "proposed", "approved", "refused", "expired" */
	char proposer[OFFICER_NAME_MAX + 1], decider[OFFICER_NAME_MAX + 1];
	/* release_show only: the recipients' names, comma-separated, and the copies */
	char recipients[1024];
	const struct release_copy_view *copies;
	size_t ncopies;
};

/* The releases of reports `as` may read, newest first (admin or releasing). */
__attribute__((warn_unused_result)) enum release_result
release_list(struct registry *r, const struct officer_key *as,
             int (*fn)(void *ctx, const struct release_view *v), void *ctx);
__attribute__((warn_unused_result)) enum release_result
release_show(struct registry *r, const struct officer_key *as, store_id id,
             int (*fn)(void *ctx, const struct release_view *v), void *ctx);

/* The access decision, asked now, for one recipient of a release. */
struct release_decision_view {
	struct store_recipient recipient;
	bool allowed;
	char reason[RELEASE_MSG_MAX]; /* why allowed or refused, in words */
};

/*
 * The decision for each recipient of release id, in the release's order (by
 * recipient id): the same decision propose, approve and export ask (a
 * recipient disabled since, or one whose marking no longer dominates, reads
 * as refused, with the reason). Admin or releasing; a release of a report
 * `as` may not read is RELEASE_NOT_FOUND.
 */
__attribute__((warn_unused_result)) enum release_result
release_decisions(struct registry *r, const struct officer_key *as, store_id id,
                  int (*fn)(void *ctx, const struct release_decision_view *d), void *ctx);

enum release_form {
	RELEASE_FORM_TEXT = 0,
	RELEASE_FORM_MARKDOWN,
	RELEASE_FORM_AGE, /* the Markdown copy in an age file */
	RELEASE_FORM_PDF,
};

/* "text", "markdown", "age", "pdf"; 0 or -1. */
__attribute__((warn_unused_result)) int release_form_parse(const char *s, enum release_form *out);

struct release_export {
	store_id release;
	const char *recipient; /* name */
	enum release_form form;
	/* RELEASE_FORM_AGE for a recipient without an age recipient: the passphrase */
	const char *passphrase;
	size_t passphrase_len;
	int scrypt_work_factor; /* 0: the age default */
};

/* The copy into out (capped at RELEASE_COPY_MAX), after its release.deliver entry. */
__attribute__((warn_unused_result)) enum release_result
release_export(struct registry *r, const struct officer_key *as, const struct release_export *in,
               struct buf *out, struct release_error *err);

/* ---- tracing ---- */

struct release_suspect {
	store_id recipient;
	char name[STORE_RECIPIENT_NAME_MAX + 1];
	uint32_t copy;
	double score, bound;
	uint32_t agree;
	bool accused;
};

/* What the trace read against one release. */
struct release_trace_hit {
	store_id release, report;
	size_t words, aligned, slots_read, slots_dropped, recipients;
	double threshold, words_needed;
	struct release_suspect top[TRACE_TOP];
	size_t ranked, accused;
};

/*
 * Traces text against every approved release whose report `as` may read
 * (releasing role), calling fn for each release the text aligned to, the
 * best first (one that accuses someone, then the most slots read). The
 * release.trace entry (no text of the leak: the words, slots read, the
 * accused of the best release) is durable before fn is called.
 */
__attribute__((warn_unused_result)) enum release_result
release_trace(struct registry *r, const struct officer_key *as, const char *text, size_t len,
              int (*fn)(void *ctx, const struct release_trace_hit *h), void *ctx,
              struct release_error *err);

#endif
