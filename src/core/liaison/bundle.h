/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bundle: the format of a liaison bundle (docs/liaison.md), pure: no store,
 * no key but the one given. Strict parsers: they accept exactly what the
 * writers write.
 *
 * The file (the envelope), every line ending in "\n":
 *
 *   cutout-liaison-bundle v1
 *   from FROM          the sender's key name
 *   to TO              the addressee's key name
 *   seq N              1, 2, ... per (sender, addressee)
 *   prev HEX           SHA-256 of the previous bundle file (64 zeros before the first)
 *   size N             bytes of the payload
 *   (blank line)
 *   PAYLOAD            an age file, sealed to the addressee
 *   — FROM base64(key id || Ed25519 signature of every byte before this line)
 *
 * The payload's plaintext (the content) repeats from, to, seq and prev, then:
 *
 *   rerelease yes|no             the agreement's flag (absent in older bundles: no)
 *   consent ID COUNTRY           the originator's consent to re-release its report
 *                                ID (ours, sent before) to COUNTRY; at most
 *                                BUNDLE_CONSENTS_MAX, before any item
 *   item ID LEN TOPICS MARKING   then LEN bytes of the report's text and "\n"
 *   withheld ID REASON
 *   end ITEMS WITHHELD
 *
 * The receipt the addressee returns (signed by it, names the bundle):
 *
 *   cutout-liaison-receipt v1
 *   from FROM          the receipt's signer: the bundle's addressee
 *   to TO              the bundle's sender
 *   seq N              the bundle's sequence number
 *   bundle HEX         SHA-256 of the bundle file
 *   accepted ID        per item stored (ID: the report's id at the sender)
 *   refused ID REASON  per item refused, with the reason
 *   end ACCEPTED REFUSED
 *   — FROM base64(key id || Ed25519 signature of every byte before this line)
 */
#ifndef CUTOUT_CORE_LIAISON_BUNDLE_H
#define CUTOUT_CORE_LIAISON_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/store/store_liaison.h"
#include "lib/buf.h"

#define BUNDLE_HASH_LEN 32
#define BUNDLE_TEXT_MAX (4u * 1024 * 1024) /* bytes of one report's text */
#define BUNDLE_REASON_MAX 200
#define BUNDLE_CONSENTS_MAX 10000 /* consent lines in one bundle */

struct bundle_head {
	char from[LEDGER_ORIGIN_MAX + 1];
	char to[LEDGER_ORIGIN_MAX + 1];
	uint64_t seq;
	uint8_t prev[BUNDLE_HASH_LEN];
};

/* The envelope as parsed: pointers into the bytes given. */
struct bundle_envelope {
	struct bundle_head head;
	const uint8_t *payload;
	size_t payload_len;
	const char *sig_line; /* the signature line, its newline included */
	size_t sig_len;
	size_t signed_len; /* bytes before the signature line */
};

/* Writes the envelope around payload, signed by sk as head->from. 0 or -1. */
__attribute__((warn_unused_result)) int bundle_envelope_write(const struct bundle_head *head,
                                                              const uint8_t *payload, size_t n,
                                                              const uint8_t sk[static 64],
                                                              struct buf *out);
/* Parses (no signature check); 0 or -1 with msg. */
__attribute__((warn_unused_result)) int
bundle_envelope_parse(const uint8_t *p, size_t n, struct bundle_envelope *e, char msg[static 128]);

/* The content. */
__attribute__((warn_unused_result)) int bundle_content_begin(const struct bundle_head *head,
                                                             struct buf *out);
/* Right after begin: the agreement's re-release flag. */
__attribute__((warn_unused_result)) int bundle_content_rerelease(bool yes, struct buf *out);
/* After the flag, before any item: a consent (country: three capital letters). */
__attribute__((warn_unused_result)) int bundle_content_consent(int64_t id, const char *country,
                                                               struct buf *out);
/* topics in the stored form, not empty; marking one line. */
__attribute__((warn_unused_result)) int bundle_content_item(int64_t id, const char *topics,
                                                            const char *marking,
                                                            const uint8_t *text, size_t len,
                                                            struct buf *out);
/* reason: one line of at most BUNDLE_REASON_MAX bytes (cut on a character). */
__attribute__((warn_unused_result)) int bundle_content_withheld(int64_t id, const char *reason,
                                                                struct buf *out);
__attribute__((warn_unused_result)) int bundle_content_end(size_t items, size_t withheld,
                                                           struct buf *out);

struct bundle_item {
	int64_t id;
	char topics[STORE_TOPICS_MAX + 1];
	char marking[STORE_MARKING_MAX];
	const uint8_t *text;
	size_t len;
};

/* What the content says besides its items (bundle_content_parse). */
struct bundle_extra {
	bool rerelease; /* the agreement's flag; false when the line is absent */
	int (*consent)(void *ctx, int64_t id, const char *country); /* NULL: ignored */
};

/*
 * Parses the content, calling item and withheld (non-zero stops: -1) for
 * each in order, and extra->consent (extra may be NULL) for each consent
 * line. 0, or -1 with msg.
 */
__attribute__((warn_unused_result)) int
bundle_content_parse(const uint8_t *p, size_t n, struct bundle_head *head,
                     int (*item)(void *ctx, const struct bundle_item *it),
                     int (*withheld)(void *ctx, int64_t id, const char *reason), void *ctx,
                     struct bundle_extra *extra, char msg[static 128]);

/* ---- receipts ---- */

#define BUNDLE_RECEIPT_MAX (4u * 1024 * 1024) /* bytes of a receipt */

/* A receipt as parsed: head.prev holds the bundle's hash; pointers into the bytes given. */
struct bundle_receipt {
	struct bundle_head head;
	size_t accepted, refused;
	const char *sig_line; /* its newline included */
	size_t sig_len;
	size_t signed_len; /* bytes before the signature line */
};

/* The receipt, written in order into an empty out: begin, items, end (which signs it). */
__attribute__((warn_unused_result)) int bundle_receipt_begin(const struct bundle_head *head,
                                                             struct buf *out);
/* reason NULL: accepted; else refused, the reason made to fit (bundle_reason_fit). */
__attribute__((warn_unused_result)) int bundle_receipt_item(int64_t id, const char *reason,
                                                            struct buf *out);
/* The end line and the signature of sk as from (head->from) over all of out. */
__attribute__((warn_unused_result)) int bundle_receipt_end(const char *from, size_t accepted,
                                                           size_t refused,
                                                           const uint8_t sk[static 64],
                                                           struct buf *out);
/*
 * Parses a receipt (no signature check), calling item (reason NULL for
 * accepted; non-zero stops: -1) for each in order. 0, or -1 with msg.
 */
__attribute__((warn_unused_result)) int
bundle_receipt_parse(const uint8_t *p, size_t n, struct bundle_receipt *rc,
                     int (*item)(void *ctx, int64_t id, const char *reason), void *ctx,
                     char msg[static 128]);

/* A reason made to fit: one line, at most max bytes, cut on a UTF-8 character. */
void bundle_reason_fit(const char *in, char *out, size_t max);

#endif
