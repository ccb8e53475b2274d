/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake_internal: what the files of core/intake share (intake.c: the
 * instance's intake and sources; upload.c: submissions; reply.c: replies).
 * Nothing outside core/intake includes this.
 */
#ifndef CUTOUT_CORE_INTAKE_INTERNAL_H
#define CUTOUT_CORE_INTAKE_INTERNAL_H

#include "core/intake/intake.h"
#include "core/keys/label.h"
#include "core/keys/seal.h"
#include "core/ledger/ledger.h"
#include "lib/age/age.h"

#define MAX_NAME 1024 /* file name, bytes */
#define MAX_TYPE 256  /* content type, bytes */

struct intake {
	struct store *store;
	struct age_recipient *label;
	uint8_t label_pk[32]; /* until the store has an intake label (before the first officer) */
	uint8_t salt[16];
	struct intake_kdf kdf;
	struct intake_limits limits;
	char marking[STORE_MARKING_MAX];
	char marking_label[LABEL_NAME_MAX]; /* "marking:" + the default marking */
};

enum intake_result intake_from_store(enum store_result r);
enum intake_result intake_from_seal(enum seal_result r, enum store_result sr);
/*
 * The recipients of what is sealed as a submission's blobs are
 * (core/keys/seal.h), read now (a rotation by another process applies at
 * once): inner, the intake label's current version; outer, the current
 * version of marking_label ("marking:CANONICAL"), NULL while no enabled
 * officer holds both (then *version 0). Free both with age_recipient_free.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_seal_recipients(struct intake *in, const char *marking_label, struct age_recipient **inner,
                       struct age_recipient **outer, uint32_t *version);
/* Seals a small plaintext into a new blob (to outer too, when given). */
__attribute__((warn_unused_result)) enum intake_result
intake_seal_small(struct store *store, const struct age_recipient *r,
                  const struct age_recipient *outer, const uint8_t *p, size_t n, store_id *out);
/*
 * Inside a store_write function: the ledger entry of an intake event, in the
 * same transaction. actor: "source:ID" (a source is never named beyond its
 * store id) when actor is NULL, else the officer's; object "KIND:ID".
 */
__attribute__((warn_unused_result)) enum store_result
intake_log_in(struct store *s, enum ledger_action action, const char *actor, store_id source,
              const char *kind, store_id object, const char *marking);

#endif
