/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_liaison: the store domain of the exchange with partner services
 * (issue 14; one pointer, `liaison`, in struct store_backend, NULL for a
 * backend without it: the front then answers STORE_UNSUPPORTED). Used only
 * by core/liaison/, which decides every read with access_decide: nothing here
 * decides access. It holds:
 *
 *   partners   a partner instance: name (unique), country (ISO 3166-1
 *              alpha-3), its Ed25519 verifier key in the C2SP note form
 *              ("name+hexid+base64(0x01||pk)", as our checkpoints use), its
 *              age recipient, an optional liaison URL, the agreement (topics,
 *              the highest marking, whether it may re-release), disabled;
 *              and the state of the exchange each way: the sequence number
 *              and hash of the last bundle sent and received, and the
 *              highest report id a sent bundle has looked at
 *   topics     a report's topics ("crime,terrorism": see below)
 *   received   a report received from a partner: the partner, the bundle's
 *              sequence number, the report's id at the partner, the local
 *              report it became, the originator's marking (kept as sent,
 *              ORCON with it)
 *   sent       a bundle sent to a partner: its sequence number, its hash, the
 *              items it carried and withheld, the day it was made, and its
 *              receipt once the partner's signed receipt is recorded (the
 *              day, the items it says it accepted and refused)
 *
 * Topics, as stored: names of 1..STORE_TOPIC_MAX bytes of [a-z0-9-], joined
 * by ',' in strictly ascending order (no duplicate), at most STORE_TOPICS_MAX
 * bytes in all; "" is no topic. Which names exist (the vocabulary) is core's.
 *
 * Orders: partners by name; received reports by id.
 */
#ifndef CUTOUT_CORE_STORE_LIAISON_H
#define CUTOUT_CORE_STORE_LIAISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "core/store/store_release.h"

#define STORE_PARTNER_NAME_MAX 128 /* bytes of UTF-8, as an organisation (CONF_ORG_MAX) */
#define STORE_PARTNER_KEY_MAX 256  /* the verifier key as text */
#define STORE_PARTNER_URL_MAX 512
#define STORE_TOPIC_MAX 32
#define STORE_TOPICS_MAX 512
#define STORE_LIAISON_HASH_LEN 32

enum store_liaison_way {
	STORE_LIAISON_SENT = 1,
	STORE_LIAISON_RECEIVED = 2,
};

struct store_partner {
	store_id id;
	char name[STORE_PARTNER_NAME_MAX + 1];
	char country[4];                                 /* "FRA" */
	char vkey[STORE_PARTNER_KEY_MAX + 1];            /* C2SP note verifier key */
	char age_recipient[STORE_AGE_RECIPIENT_MAX + 1]; /* "age1..." */
	char url[STORE_PARTNER_URL_MAX + 1];             /* "" for none */
	char topics[STORE_TOPICS_MAX + 1];               /* the agreement's */
	char marking[STORE_MARKING_MAX];                 /* the agreement's highest */
	bool may_rerelease;
	bool disabled;
	int32_t day; /* added */
	/* the exchange (read only: set by store_partner_advance) */
	uint64_t sent_seq, received_seq; /* of the last bundle; 0 before the first */
	uint8_t sent_hash[STORE_LIAISON_HASH_LEN], received_hash[STORE_LIAISON_HASH_LEN];
	store_id sent_through; /* the highest report id a sent bundle looked at */
};

/* How the exchange moves on by one bundle (store_partner_advance). */
struct store_liaison_step {
	enum store_liaison_way way;
	uint64_t from;                        /* the sequence number the partner must still be at */
	uint8_t hash[STORE_LIAISON_HASH_LEN]; /* of the bundle */
	store_id through; /* sent: the highest report id looked at (not below the stored) */
};

struct store_received {
	store_id id;
	store_id partner;
	uint64_t seq;                    /* of the bundle that carried it */
	int64_t remote;                  /* its report id at the partner */
	store_id report;                 /* the local report it became */
	char marking[STORE_MARKING_MAX]; /* the originator's */
	int32_t day;
};

/* A bundle sent (one row per partner and sequence number). */
struct store_bundle_sent {
	store_id partner;
	uint64_t seq;
	uint8_t hash[STORE_LIAISON_HASH_LEN];
	uint32_t items, withheld;   /* sent in it, withheld from it */
	int32_t day;                /* made */
	int32_t receipted;          /* the day its receipt was recorded; 0: none yet */
	uint32_t accepted, refused; /* as its receipt says */
};

#define STORE_WITHHELD_REASON_MAX 200 /* bytes of a withheld item's reason (one line) */

/*
 * An item withheld from a bundle (schema part liaison_items): sent, one we
 * withheld from a bundle to the partner (report: ours); received, one the
 * partner says it withheld from a bundle to us (report: its id there).
 */
struct store_withheld {
	store_id partner;
	enum store_liaison_way way;
	uint64_t seq; /* the bundle's sequence number */
	int64_t report;
	char reason[STORE_WITHHELD_REASON_MAX + 1];
};

/*
 * A consent to re-release (schema part liaison_items, step 2). Sent: given
 * by us, the originator, to partner for our report, to be carried by the
 * next bundle to it (seq 0 until then). Received: what the originator
 * partner allows for report (our local copy of its report): country "*" is
 * the agreement's flag (re-release allowed, ORCON excepted), else a
 * country (ORCON included).
 */
struct store_consent {
	store_id id;
	store_id partner;
	enum store_liaison_way way;
	store_id report;
	char country[4]; /* "DEU", or "*" */
	uint64_t seq;    /* the bundle that carried it; 0: not sent yet */
	int32_t day;
};

struct store_liaison_ops {
	enum store_result (*partner_add)(struct store *s, const struct store_partner *in,
	                                 store_id *out);
	enum store_result (*partner_get)(struct store *s, store_id id, struct store_partner *out);
	enum store_result (*partner_find)(struct store *s, const char *name,
	                                  struct store_partner *out);
	/* By name. fn non-zero stops. */
	enum store_result (*partners)(struct store *s,
	                              int (*fn)(void *ctx, const struct store_partner *p),
	                              void *ctx);
	enum store_result (*partner_disable)(struct store *s, store_id id);
	/* Only if the way's sequence number is still step->from (else STORE_NOT_FOUND). */
	enum store_result (*partner_advance)(struct store *s, store_id id,
	                                     const struct store_liaison_step *step);
	/* An unknown report: STORE_NOT_FOUND. */
	enum store_result (*topics_set)(struct store *s, store_id report, const char *topics);
	/* "" when none were set; an unknown report: STORE_NOT_FOUND. */
	enum store_result (*topics_get)(struct store *s, store_id report,
	                                char out[static STORE_TOPICS_MAX + 1]);
	/* STORE_EXISTS for a (partner, remote) already received. */
	enum store_result (*received_add)(struct store *s, const struct store_received *in,
	                                  store_id *out);
	/* The one that became local report `report`: STORE_NOT_FOUND if none did. */
	enum store_result (*received_of)(struct store *s, store_id report,
	                                 struct store_received *out);
	/* A partner's, by id. */
	enum store_result (*received)(struct store *s, store_id partner,
	                              int (*fn)(void *ctx, const struct store_received *r),
	                              void *ctx);
	/* STORE_EXISTS for a (partner, seq) already there; the receipt fields ignored. */
	enum store_result (*sent_add)(struct store *s, const struct store_bundle_sent *in);
	enum store_result (*sent_get)(struct store *s, store_id partner, uint64_t seq,
	                              struct store_bundle_sent *out);
	/* Only if not receipted yet (else STORE_EXISTS); none: STORE_NOT_FOUND. */
	enum store_result (*sent_receipt)(struct store *s, const struct store_bundle_sent *in);
	/* A partner's, by sequence number. */
	enum store_result (*sent)(struct store *s, store_id partner,
	                          int (*fn)(void *ctx, const struct store_bundle_sent *b),
	                          void *ctx);
	/* ---- items of bundles (schema part liaison_items; store_liaison_items.c) ---- */
	enum store_result (*withheld_add)(struct store *s, const struct store_withheld *in);
	/* One bundle's, in the order added. */
	enum store_result (*withheld)(struct store *s, store_id partner, enum store_liaison_way way,
	                              uint64_t seq,
	                              int (*fn)(void *ctx, const struct store_withheld *w),
	                              void *ctx);
	enum store_result (*item_sent_add)(struct store *s, store_id partner, uint64_t seq,
	                                   store_id report);
	/* STORE_OK if report went to partner in a bundle, else STORE_NOT_FOUND. */
	enum store_result (*item_sent_has)(struct store *s, store_id partner, store_id report);
	/* The received row of (partner, remote): STORE_NOT_FOUND if none. */
	enum store_result (*received_find)(struct store *s, store_id partner, int64_t remote,
	                                   struct store_received *out);
	enum store_result (*consent_add)(struct store *s, const struct store_consent *in,
	                                 store_id *out);
	/* A report's, one way, by id. */
	enum store_result (*consents)(struct store *s, enum store_liaison_way way, store_id report,
	                              int (*fn)(void *ctx, const struct store_consent *c),
	                              void *ctx);
	/* The consents given to partner not sent yet (seq 0), by id. */
	enum store_result (*consents_pending)(struct store *s, store_id partner,
	                                      int (*fn)(void *ctx, const struct store_consent *c),
	                                      void *ctx);
	/* Only if not sent yet (else STORE_EXISTS); none: STORE_NOT_FOUND. */
	enum store_result (*consent_sent)(struct store *s, store_id id, uint64_t seq);
};

/*
 * The front (core/store/store_liaison.c): what core calls. Each checks its
 * arguments and caps once, refusing with nothing changed: a NULL where data
 * is required or an id <= 0 (STORE_NOT_FOUND); a name empty, over
 * STORE_PARTNER_NAME_MAX, not UTF-8 or with a control character, a country
 * not three capital letters, a verifier key, age recipient or URL empty
 * (the URL may be), too long or with a byte that is not printable ASCII
 * (space excluded), topics not of the stored form above, an empty marking or
 * one of STORE_MARKING_MAX bytes or more (STORE_TOO_LARGE). A listing
 * returns STORE_STOP exactly when its callback stopped it. A backend without
 * this domain: STORE_UNSUPPORTED.
 */
__attribute__((warn_unused_result)) enum store_result
store_partner_add(struct store *s, const struct store_partner *in, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_partner_get(struct store *s, store_id id, struct store_partner *out);
__attribute__((warn_unused_result)) enum store_result
store_partner_find(struct store *s, const char *name, struct store_partner *out);
__attribute__((warn_unused_result)) enum store_result
store_partners(struct store *s, int (*fn)(void *ctx, const struct store_partner *p), void *ctx);
/* STORE_NOT_FOUND if there is no such partner; disabling twice is STORE_OK. */
__attribute__((warn_unused_result)) enum store_result store_partner_disable(struct store *s,
                                                                            store_id id);
/*
 * The exchange with partner id moves from step->from to step->from + 1 one
 * way, with the bundle's hash (and, sent, the report id looked at, which
 * never goes down). STORE_EXISTS if that way is no longer at step->from (a
 * replay, a gap, or another process first), STORE_NOT_FOUND if there is no
 * such partner; a bad way or from + 1 overflowing: STORE_TOO_LARGE.
 */
__attribute__((warn_unused_result)) enum store_result
store_partner_advance(struct store *s, store_id id, const struct store_liaison_step *step);

/* True when topics has the stored form (above). */
bool store_topics_ok(const char *topics);
__attribute__((warn_unused_result)) enum store_result
store_topics_set(struct store *s, store_id report, const char *topics);
__attribute__((warn_unused_result)) enum store_result
store_topics_get(struct store *s, store_id report, char out[static STORE_TOPICS_MAX + 1]);

/* in->partner, seq (> 0), remote (> 0), report, marking, day; the id ignored. */
__attribute__((warn_unused_result)) enum store_result
store_received_add(struct store *s, const struct store_received *in, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_received_of(struct store *s, store_id report, struct store_received *out);
__attribute__((warn_unused_result)) enum store_result
store_received(struct store *s, store_id partner,
               int (*fn)(void *ctx, const struct store_received *r), void *ctx);

/*
 * Bundles sent: in->partner, seq (> 0), hash, items, withheld, day
 * (store_bundle_sent_add; STORE_EXISTS for a sequence number recorded
 * already), and their receipt (store_bundle_receipt: in->partner, seq,
 * receipted (> 0), accepted, refused; STORE_EXISTS if that bundle's receipt
 * was recorded already, STORE_NOT_FOUND if no such bundle was sent).
 */
__attribute__((warn_unused_result)) enum store_result
store_bundle_sent_add(struct store *s, const struct store_bundle_sent *in);
__attribute__((warn_unused_result)) enum store_result
store_bundle_sent_get(struct store *s, store_id partner, uint64_t seq,
                      struct store_bundle_sent *out);
__attribute__((warn_unused_result)) enum store_result
store_bundle_receipt(struct store *s, const struct store_bundle_sent *in);
__attribute__((warn_unused_result)) enum store_result
store_bundles_sent(struct store *s, store_id partner,
                   int (*fn)(void *ctx, const struct store_bundle_sent *b), void *ctx);

/*
 * Items withheld (store_liaison_items.c): in->partner, way, seq (> 0),
 * report (> 0) and a reason of 1..STORE_WITHHELD_REASON_MAX bytes of UTF-8
 * without control characters (else STORE_TOO_LARGE); no such partner:
 * STORE_NOT_FOUND. Listed per bundle (partner, way, seq) in the order added;
 * an unknown partner or bundle lists nothing.
 */
__attribute__((warn_unused_result)) enum store_result
store_withheld_add(struct store *s, const struct store_withheld *in);
__attribute__((warn_unused_result)) enum store_result
store_withheld(struct store *s, store_id partner, enum store_liaison_way way, uint64_t seq,
               int (*fn)(void *ctx, const struct store_withheld *w), void *ctx);

/*
 * Reports sent, by bundle (store_item_sent_add: partner, seq > 0, report;
 * store_item_sent_has: STORE_OK if report went to partner, else
 * STORE_NOT_FOUND), a received report found by its id at the partner
 * (store_received_find), and consents (store_consent_add: in->partner, way,
 * report, country "*" or three capital letters (else STORE_TOO_LARGE), seq,
 * day; store_consents: a report's, one way; store_consents_pending: those
 * given to partner not sent yet; store_consent_sent: the bundle that
 * carried it, STORE_EXISTS if one did already).
 */
__attribute__((warn_unused_result)) enum store_result
store_item_sent_add(struct store *s, store_id partner, uint64_t seq, store_id report);
__attribute__((warn_unused_result)) enum store_result
store_item_sent_has(struct store *s, store_id partner, store_id report);
__attribute__((warn_unused_result)) enum store_result
store_received_find(struct store *s, store_id partner, int64_t remote, struct store_received *out);
__attribute__((warn_unused_result)) enum store_result
store_consent_add(struct store *s, const struct store_consent *in, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_consents(struct store *s, enum store_liaison_way way, store_id report,
               int (*fn)(void *ctx, const struct store_consent *c), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_consents_pending(struct store *s, store_id partner,
                       int (*fn)(void *ctx, const struct store_consent *c), void *ctx);
__attribute__((warn_unused_result)) enum store_result store_consent_sent(struct store *s,
                                                                         store_id id, uint64_t seq);

#endif
