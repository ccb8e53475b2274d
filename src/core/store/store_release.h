/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_release: the store domain of controlled release (issue 13; one
 * pointer, `release`, in struct store_backend). Used only by core/release/,
 * which decides every read with access_decide: nothing here decides access.
 * It holds:
 *
 *   recipients  outside recipients (not officers): name (unique), organisation,
 *               nationality (ISO 3166-1 alpha-3), the highest marking they may
 *               receive, an optional age recipient ("age1..."), disabled
 *   releases    of one report (the report, or its tearline at a marking): the
 *               marking released, purpose, expiry day, proposer, the officer
 *               who approved or refused and why, state, the recipients; once
 *               approved, the release's sealed secret (an age file sealed to
 *               the report's marking label) and its number of slots
 *   copies      one per recipient of an approved release: the copy number
 *               and the copy's choices (one bit per slot), sealed like the
 *               secret
 *
 * Ids are never reused (store_sqlite_ids.c); "expired" is not stored: a
 * release past its expiry day reads as expired (core/release).
 */
#ifndef CUTOUT_CORE_STORE_RELEASE_H
#define CUTOUT_CORE_STORE_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_RECIPIENT_NAME_MAX 128 /* bytes of UTF-8, name and organisation */
#define STORE_AGE_RECIPIENT_MAX 256  /* "age1..." */
#define STORE_RELEASE_TEXT_MAX 400   /* purpose, reason: bytes of UTF-8 */
#define STORE_RELEASE_RECIPIENTS_MAX 10000
#define STORE_RELEASE_SEALED_MAX (64 * 1024) /* a sealed secret or a copy's sealed choices */

enum store_release_state {
	STORE_RELEASE_PROPOSED = 1,
	STORE_RELEASE_APPROVED = 2,
	STORE_RELEASE_REFUSED = 3,
};

struct store_recipient {
	store_id id;
	char name[STORE_RECIPIENT_NAME_MAX + 1];
	char org[STORE_RECIPIENT_NAME_MAX + 1];
	char nationality[4]; /* "GBR" */
	char marking[STORE_MARKING_MAX];
	char age_recipient[STORE_AGE_RECIPIENT_MAX + 1]; /* "" for none */
	bool disabled;
	int32_t day; /* added */
};

/*
 * A release. recipients (sorted ascending) and sealed are owned by the store
 * call (release_get only; a listing gives nrecipients alone).
 */
struct store_release {
	store_id id;
	store_id report;
	char marking[STORE_MARKING_MAX]; /* of the version released */
	char purpose[STORE_RELEASE_TEXT_MAX + 1];
	char reason[STORE_RELEASE_TEXT_MAX + 1]; /* of a refusal */
	int32_t day, expiry_day, decided_day;
	store_id proposer, decider; /* officer ids; decider 0 while proposed */
	int state;                  /* enum store_release_state */
	uint32_t nslots, label_version;
	const int64_t *recipients;
	size_t nrecipients;
	const uint8_t *sealed;
	size_t sealed_len;
};

struct store_copy {
	store_id id;
	store_id release, recipient;
	uint32_t number;        /* 1.. within its release */
	const uint8_t *choices; /* sealed; valid during the callback */
	size_t choices_len;
};

/* How a release is decided (store_release_decide). */
struct store_release_decision {
	int state; /* STORE_RELEASE_APPROVED or STORE_RELEASE_REFUSED */
	store_id decider;
	int32_t day;
	const char *reason;    /* refused: why ("" allowed); approved: NULL */
	const uint8_t *sealed; /* approved: the sealed secret */
	size_t sealed_len;
	uint32_t nslots, label_version;
};

struct store_release_ops {
	enum store_result (*recipient_add)(struct store *s, const struct store_recipient *in,
	                                   store_id *out);
	enum store_result (*recipient_get)(struct store *s, store_id id,
	                                   struct store_recipient *out);
	enum store_result (*recipient_find)(struct store *s, const char *name,
	                                    struct store_recipient *out);
	/* By name. fn non-zero stops. */
	enum store_result (*recipients)(struct store *s,
	                                int (*fn)(void *ctx, const struct store_recipient *r),
	                                void *ctx);
	enum store_result (*recipient_disable)(struct store *s, store_id id);

	/* A release in state proposed, with its recipients (distinct, existing). */
	enum store_result (*release_insert)(struct store *s, const struct store_release *in,
	                                    store_id *out);
	enum store_result (*release_get)(struct store *s, store_id id,
	                                 int (*fn)(void *ctx, const struct store_release *r),
	                                 void *ctx);
	/* Newest first, without recipients or sealed secret. */
	enum store_result (*releases)(struct store *s,
	                              int (*fn)(void *ctx, const struct store_release *r),
	                              void *ctx);
	/* Sets the decision only if the release is still proposed (else STORE_NOT_FOUND). */
	enum store_result (*release_decide)(struct store *s, store_id id,
	                                    const struct store_release_decision *d);
	enum store_result (*copy_insert)(struct store *s, store_id release, store_id recipient,
	                                 uint32_t number, const uint8_t *choices, size_t len,
	                                 store_id *out);
	/* The copies of a release by number. */
	enum store_result (*copies)(struct store *s, store_id release,
	                            int (*fn)(void *ctx, const struct store_copy *c), void *ctx);
};

/*
 * The front (core/store/store_release.c): what core calls. Each checks its
 * arguments and caps once, refusing with nothing changed: a NULL where data is
 * required or an id <= 0 (STORE_NOT_FOUND); a name or organisation empty,
 * over STORE_RECIPIENT_NAME_MAX, not UTF-8 or with a control character, a
 * nationality not three capital letters, an empty marking or one of
 * STORE_MARKING_MAX bytes or more, an age recipient over
 * STORE_AGE_RECIPIENT_MAX or with a byte that is not printable ASCII, a
 * purpose or reason over STORE_RELEASE_TEXT_MAX or with a control character,
 * no recipient or more than STORE_RELEASE_RECIPIENTS_MAX, a recipient named
 * twice, a sealed blob empty or over STORE_RELEASE_SEALED_MAX (STORE_TOO_LARGE).
 * A backend without this domain: STORE_UNSUPPORTED.
 *
 * The listings (recipients by name, releases by id descending, copies by
 * number, and release_get's one row) keep store.h's rule: STORE_STOP exactly
 * when fn stopped them (the front records it, store_listed()); copies of an
 * unknown release is STORE_OK with no row, release_get of one STORE_NOT_FOUND.
 */
__attribute__((warn_unused_result)) enum store_result
store_recipient_add(struct store *s, const struct store_recipient *in, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_recipient_get(struct store *s, store_id id, struct store_recipient *out);
__attribute__((warn_unused_result)) enum store_result
store_recipient_find(struct store *s, const char *name, struct store_recipient *out);
__attribute__((warn_unused_result)) enum store_result
store_recipients(struct store *s, int (*fn)(void *ctx, const struct store_recipient *r), void *ctx);
/* STORE_NOT_FOUND if there is no such recipient; disabling twice is STORE_OK. */
__attribute__((warn_unused_result)) enum store_result store_recipient_disable(struct store *s,
                                                                              store_id id);

/* in->report, marking, purpose, expiry_day, proposer, day, recipients; the rest ignored. */
__attribute__((warn_unused_result)) enum store_result
store_release_insert(struct store *s, const struct store_release *in, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_release_get(struct store *s, store_id id, int (*fn)(void *ctx, const struct store_release *r),
                  void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_releases(struct store *s, int (*fn)(void *ctx, const struct store_release *r), void *ctx);
/*
 * Decides a proposed release: STORE_NOT_FOUND if there is none, STORE_EXISTS
 * if it is no longer proposed (decided already), nothing changed.
 */
__attribute__((warn_unused_result)) enum store_result
store_release_decide(struct store *s, store_id id, const struct store_release_decision *d);
/* A copy of an approved release: STORE_EXISTS for a second copy of one recipient. */
__attribute__((warn_unused_result)) enum store_result
store_copy_insert(struct store *s, store_id release, store_id recipient, uint32_t number,
                  const uint8_t *choices, size_t len, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_copies(struct store *s, store_id release, int (*fn)(void *ctx, const struct store_copy *c),
             void *ctx);

#endif
