/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison: the use cases of the exchange with partner services (issue 14
 * §1, §2 by file): partners and their agreements, partner cards, report
 * topics, and bundles exported to and imported from a partner.
 * docs/liaison.md tells the story.
 *
 * Every action is one function: it builds the acting officer's subject, asks
 * access_decide where it reads (each report exported goes through THE
 * decision core/release applies to outside recipients,
 * release_recipient_allowed), and commits its change with its ledger entries
 * in ONE store_write (sealing and signing before it).
 *
 *   partners   added (from a partner card or typed), listed, shown, disabled
 *              by an admin or a releasing officer (partner.add,
 *              partner.disable)
 *   cards      this instance's partner card (name, country, verifier key, age
 *              recipient, URL), signed with the instance key; a card read
 *              back checks its own signature
 *   topics     a report's topics, from the configured vocabulary, set by an
 *              analyst who may read it (report.topics)
 *   export     a releasing officer's bundle for a partner: sealed to the
 *              partner's age recipient, signed with the instance key, with
 *              the next sequence number, the previous bundle's hash, every
 *              report on an agreed topic the decision allows (the report, or
 *              its tearline at the agreement's highest marking for the
 *              partner's country), and what was withheld and why (without
 *              its content). liaison.send and liaison.withhold for each item
 *              and liaison.export commit with the new sequence number.
 *   import     an analyst's import of a partner's bundle: the signature, the
 *              addressee, the sequence (no gap, no replay) and the hash
 *              chain checked before anything is decrypted; each report
 *              stored as a report written by the importing officer under its
 *              originator's marking (ORCON kept), once; liaison.receive,
 *              liaison.refuse, liaison.withheld per item and liaison.import
 *              commit with the new sequence number. A bundle refused whole is
 *              a liaison.refuse entry with its reason.
 */
#ifndef CUTOUT_CORE_LIAISON_H
#define CUTOUT_CORE_LIAISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/store/store.h"
#include "core/store/store_liaison.h"
#include "lib/age/age.h"
#include "lib/buf.h"

#define LIAISON_MSG_MAX 400
#define LIAISON_ITEMS_MAX 10000                /* reports looked at for one bundle */
#define LIAISON_BUNDLE_MAX (64u * 1024 * 1024) /* bytes of a bundle file */
#define LIAISON_CARD_MAX 4096                  /* bytes of a partner card */
#define LIAISON_REASON_MAX 200                 /* bytes of a withheld item's reason */

enum liaison_result {
	LIAISON_OK = 0,
	LIAISON_NOT_FOUND,   /* no such partner or report, or not readable: one answer */
	LIAISON_BAD_INPUT,   /* msg says what */
	LIAISON_FORBIDDEN,   /* a role is needed: msg says which */
	LIAISON_EXISTS,      /* a partner of that name */
	LIAISON_REFUSED,     /* a bundle or card refused: msg says why (recorded) */
	LIAISON_CANNOT_OPEN, /* the session holds no key of a label version */
	LIAISON_FAILED,      /* store, crypto or memory */
};

struct liaison_error {
	char msg[LIAISON_MSG_MAX];
};

const char *liaison_strerror(enum liaison_result r);

/*
 * Topics as a person types them ("terrorism, organised-crime"), each one of
 * vocabulary (the configuration's liaison_topics, comma-separated), into the
 * stored form (sorted, distinct, comma-joined: store_liaison.h). "" and
 * "none" are no topic. LIAISON_BAD_INPUT naming an unknown topic.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_topics_parse(const char *vocabulary, const char *in, char out[static STORE_TOPICS_MAX + 1],
                     struct liaison_error *err);

/* ---- partners ---- */

struct liaison_partner_input {
	const char *name;
	const char *country;       /* ISO 3166-1 alpha-3 */
	const char *vkey;          /* "name+hexid+base64(0x01||pk)" */
	const char *age_recipient; /* "age1..." */
	const char *url;           /* NULL or "" for none */
	const char *topics;        /* typed: liaison_topics_parse */
	const char *marking;       /* the agreement's highest (parsed, stored canonical) */
	bool may_rerelease;
};

__attribute__((warn_unused_result)) enum liaison_result
liaison_partner_add(struct registry *r, const struct officer_key *as, const char *vocabulary,
                    const struct liaison_partner_input *in, store_id *out,
                    struct liaison_error *err);
__attribute__((warn_unused_result)) enum liaison_result
liaison_partner_disable(struct registry *r, const struct officer_key *as, const char *name,
                        struct liaison_error *err);
/* Every partner by name (admin or releasing). */
__attribute__((warn_unused_result)) enum liaison_result
liaison_partner_list(struct registry *r, const struct officer_key *as,
                     int (*fn)(void *ctx, const struct store_partner *p), void *ctx);
__attribute__((warn_unused_result)) enum liaison_result
liaison_partner_show(struct registry *r, const struct officer_key *as, const char *name,
                     struct store_partner *out);

/* ---- partner cards ---- */

struct liaison_card {
	char name[STORE_PARTNER_NAME_MAX + 1];
	char country[4];
	char vkey[STORE_PARTNER_KEY_MAX + 1];
	char age_recipient[STORE_AGE_RECIPIENT_MAX + 1];
	char url[STORE_PARTNER_URL_MAX + 1];
	/*
	 * A v2 card (made with the liaison key): the instance's ledger
	 * (checkpoint) verifier key; vkey and age_recipient are then the
	 * liaison key's. "" in a v1 card (vkey: the checkpoint key; age: the
	 * admin identity's).
	 */
	char ledger_vkey[STORE_PARTNER_KEY_MAX + 1];
};

/*
 * The card as a signed note: "cutout-partner-card v1" (v2 when ledger_vkey
 * is set: then a "ledger" line), one "key value" line per field, a blank
 * line, the signature of vkey's key (sk: libsodium's 64-byte form, its public
 * half the vkey's key). Both versions are read.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_card_make(const struct liaison_card *c, const uint8_t sk[static 64], struct buf *out,
                  struct liaison_error *err);
/* Parses a card (strict) and checks it is signed by the key it names. */
__attribute__((warn_unused_result)) enum liaison_result
liaison_card_open(const uint8_t *p, size_t n, struct liaison_card *out, struct liaison_error *err);

/* ---- the liaison key (liaison_key.c) ---- */

/* Its file in the instance directory (mode 0600). */
#define LIAISON_KEY_FILE "liaison-key.txt"

/*
 * A new liaison key's file text (comments, "# recipient: age1...", one
 * AGE-SECRET-KEY-1 line) appended to out, which the caller wipes.
 */
__attribute__((warn_unused_result)) enum liaison_result liaison_key_make(struct buf *out);
/*
 * The key file's text: its age identity (*id, the caller frees it) and the
 * Ed25519 key derived from it (sk, libsodium's 64-byte form, sodium_malloc
 * memory the caller wipes). LIAISON_BAD_INPUT for a text that is not one.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_key_open(const uint8_t *p, size_t n, struct age_identity **id, uint8_t sk[static 64]);

/*
 * Records a new liaison key (an admin): one liaison.key entry naming its
 * verifier key and age recipient (the CLI wrote the key file just before).
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_key_record(struct registry *r, const struct officer_key *as, const char *vkey,
                   const char *recipient, struct liaison_error *err);

/* ---- report topics ---- */

/* Sets report's topics (analyst who may read it; report.topics). */
__attribute__((warn_unused_result)) enum liaison_result
liaison_report_topics_set(struct registry *r, const struct officer_key *as, const char *vocabulary,
                          store_id report, const char *topics, struct liaison_error *err);
/* The stored form, for an officer who may read the report. */
__attribute__((warn_unused_result)) enum liaison_result
liaison_report_topics_get(struct registry *r, const struct officer_key *as, store_id report,
                          char out[static STORE_TOPICS_MAX + 1]);

/* Where a received report came from (liaison_report_origin). */
struct liaison_origin {
	struct store_partner partner;    /* name "" for a report of this instance */
	uint64_t seq;                    /* the bundle that carried it */
	int64_t remote;                  /* its id at the partner */
	char marking[STORE_MARKING_MAX]; /* the originator's marking, as sent */
	char local[STORE_MARKING_MAX];   /* the marking it is sealed under here */
};

/*
 * The origin of a report (an officer who may read it): "from PARTNER", with
 * the originator's marking as sent; partner.name "" for a report written
 * here.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_report_origin(struct registry *r, const struct officer_key *as, store_id report,
                      struct liaison_origin *out);

/*
 * The configuration's liaison_marking_map ("UK SECRET = SECRET; UK
 * OFFICIAL-SENSITIVE = CONFIDENTIAL": a partner's marking, exactly as its
 * bundles carry it, and the local marking it is sealed under; "none", "" or
 * NULL: no map) looked up:
 * 1 and out[cap] set for a marking it maps, 0 for one it does not, -1 for a
 * map that is malformed (an entry without "=", an empty side).
 */
__attribute__((warn_unused_result)) int liaison_marking_map(const char *map, const char *marking,
                                                            char *out, size_t cap);

/* ---- bundles ---- */

/* The instance as a signer and an addressee: its key name (the ledger's origin). */
struct liaison_self {
	const char *name;
	const uint8_t *sk;                   /* export: the signing key (64 bytes); import: NULL */
	const struct age_identity *identity; /* import: the key bundles are sealed to */
	const struct age_identity *identity_old; /* import: NULL, or the admin identity, which
	                                            partners holding a v1 card seal to */
	const char *marking_map; /* import: liaison_marking_map (NULL or "": none) */
};

enum liaison_item_kind {
	LIAISON_ITEM_SENT = 1,
	LIAISON_ITEM_WITHHELD,         /* export: kept back, with the reason */
	LIAISON_ITEM_RECEIVED,         /* import: stored as a local report */
	LIAISON_ITEM_REFUSED,          /* import: not stored, with the reason */
	LIAISON_ITEM_PARTNER_WITHHELD, /* import: what the partner says it kept back */
};

struct liaison_item {
	enum liaison_item_kind kind;
	int64_t remote;  /* the report's id at the sender */
	store_id report; /* the local report (sent, received), else 0 */
	const char *marking;
	const char *reason; /* withheld or refused; "tearline at M" for a tearline sent */
};

struct liaison_summary {
	char partner[STORE_PARTNER_NAME_MAX + 1];
	uint64_t seq;
	uint8_t hash[STORE_LIAISON_HASH_LEN]; /* of the bundle file */
	size_t sent, withheld, received, refused, partner_withheld;
	size_t skipped;   /* export: reports on no agreed topic, not considered */
	store_id through; /* export: the highest report id looked at */
	bool more;        /* export: reports left for the next bundle (items or size cap) */
};

/*
 * The next bundle for partner (a releasing officer) into out (capped at
 * LIAISON_BUNDLE_MAX), the reports after report id since (-1: after the
 * last looked at), at most LIAISON_ITEMS_MAX and as many as fit in
 * LIAISON_BUNDLE_MAX (sum->more: the rest is for the next bundle). fn (may
 * be NULL) is told each item once the bundle is recorded.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_export(struct registry *r, const struct officer_key *as, const struct liaison_self *self,
               const char *partner, int64_t since, struct buf *out, struct liaison_summary *sum,
               int (*fn)(void *ctx, const struct liaison_item *it), void *ctx,
               struct liaison_error *err);

/*
 * Imports a bundle (an analyst). LIAISON_REFUSED with the reason for a
 * bundle refused whole (not signed by a partner, not addressed to self, a
 * replay, a gap, a fork, a bad format), recorded; else LIAISON_OK, fn told
 * each item once it is recorded, and receipt (NULL: none; else an empty
 * buffer, and self->sk set) the signed receipt for the sender naming the
 * bundle and each item accepted and refused with its reason (bundle.h).
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_import(struct registry *r, const struct officer_key *as, const struct liaison_self *self,
               const uint8_t *p, size_t n, struct liaison_summary *sum,
               int (*fn)(void *ctx, const struct liaison_item *it), void *ctx, struct buf *receipt,
               struct liaison_error *err);

/* What a partner's receipt said (liaison_receipt). */
struct liaison_receipt_summary {
	char partner[STORE_PARTNER_NAME_MAX + 1];
	uint64_t seq;
	size_t accepted, refused;
};

/*
 * Records a partner's receipt of a bundle sent to it (a releasing officer):
 * the format, the signer (a partner's key) and its signature, the addressee
 * (self->name), the bundle (one sent to that partner with that sequence
 * number and hash), not receipted before (a replay), and the items counted
 * (accepted and refused are the items the bundle carried). LIAISON_REFUSED
 * with the reason (recorded as a liaison.refuse entry); else the receipt
 * commits with its liaison.receipt entries (one for the bundle, one per item
 * the partner refused, with its reason) in one transaction, and fn (may be
 * NULL) is told each item (id, reason NULL for accepted).
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_receipt(struct registry *r, const struct officer_key *as, const struct liaison_self *self,
                const uint8_t *p, size_t n, struct liaison_receipt_summary *sum,
                int (*fn)(void *ctx, int64_t id, const char *reason), void *ctx,
                struct liaison_error *err);

/* The exchange with a partner as it stands (liaison_status). */
struct liaison_status {
	struct store_partner partner;
	uint64_t sent, receipted, outstanding;  /* bundles sent; with a receipt; without */
	uint64_t items_sent, items_withheld;    /* in the bundles sent */
	uint64_t items_accepted, items_refused; /* as the partner's receipts say */
	uint64_t items_unreceipted;             /* sent in bundles without a receipt */
	uint64_t received, items_received;      /* bundles and reports received */
	int32_t oldest_outstanding;             /* the day the oldest unreceipted one was made; 0 */
	int32_t late_days; /* > 0: that bundle is older than the configured days: it stopped */
};

/*
 * The exchange with partner (admin or releasing): bundles and items sent,
 * receipted, outstanding, received; late_days > 0 when a bundle sent has
 * waited more than receipt_days days (day granularity) for its receipt,
 * counted to today (store_today()'s form; 0: today).
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_status(struct registry *r, const struct officer_key *as, const char *partner,
               int32_t receipt_days, int32_t today, struct liaison_status *out,
               struct liaison_error *err);

/* One bundle of the exchange with a partner (liaison_bundles). */
struct liaison_bundle_row {
	enum store_liaison_way way; /* sent or received */
	uint64_t seq;
	int32_t day;                /* sent: made; received: its first report stored */
	uint32_t items;             /* sent: reports carried; received: reports stored here */
	uint32_t withheld;          /* sent: withheld from it (the reasons: the ledger) */
	int32_t receipted;          /* sent: the day its receipt was recorded; 0: none yet */
	uint32_t accepted, refused; /* sent: as its receipt says */
};

#define LIAISON_BUNDLES_LAST_MAX 50

/*
 * The last `last` (1..LIAISON_BUNDLES_LAST_MAX) bundles sent to partner
 * (highest sequence first), then the last `last` received from it that
 * brought a report (by the received reports; highest first), to fn (admin
 * or releasing; read only). fn non-zero stops.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_bundles(struct registry *r, const struct officer_key *as, const char *partner, size_t last,
                int (*fn)(void *ctx, const struct liaison_bundle_row *b), void *ctx);

/* ---- pull: a partner fetches its next bundle (pull.c) ---- */

/*
 * The Cutout-Signature header of a pull, "KEYNAME DAY BASE64SIG" (the
 * partner's key name as its verifier key names it, the day YYYY-MM-DD UTC,
 * the Ed25519 signature in standard base64 over "GET /v1/bundle DAY"),
 * parsed strictly. 0, or -1 for anything else.
 */
__attribute__((warn_unused_result)) int
liaison_pull_auth_parse(const char *h, size_t n, char key[static LEDGER_ORIGIN_MAX + 1],
                        int32_t *day, uint8_t sig[static 64]);
/* "METHOD PATH DAY", what the header signs. 0 or -1 (too long). */
__attribute__((warn_unused_result)) int liaison_pull_message(const char *method, const char *path,
                                                             int32_t day, char *out, size_t cap);
/* The header's value for key (our key name) and sk (the instance key). 0 or -1. */
__attribute__((warn_unused_result)) int liaison_pull_sign(const char *key,
                                                          const uint8_t sk[static 64],
                                                          const char *method, const char *path,
                                                          int32_t day, char *out, size_t cap);
/*
 * A partner's pull (a releasing officer: the door's): the header checked (a
 * partner's key, not disabled; the day today +-1, today 0: store_today();
 * the signature), then liaison_export for that partner. LIAISON_BAD_INPUT
 * for a malformed header, LIAISON_REFUSED for one not accepted (msg says
 * why; nothing is recorded), else liaison_export's result; but when there is
 * nothing new for the partner (no report to send or withhold, none left for
 * a next bundle), LIAISON_OK with out empty and sum->seq 0: no bundle is
 * made, no sequence number used, nothing written (the door's 204).
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_pull(struct registry *r, const struct officer_key *as, const struct liaison_self *self,
             const char *header, int32_t today, int64_t since, struct buf *out,
             struct liaison_summary *sum, struct liaison_error *err);

/*
 * The liaison door's refused requests (any 4xx) since its last summary: one
 * `liaison.refusals` entry with the count (none for 0), so that a flood of
 * junk costs the ledger one entry a minute, never one per request.
 */
__attribute__((warn_unused_result)) enum liaison_result
liaison_refusals_record(struct store *s, uint64_t count, unsigned seconds);

#endif
