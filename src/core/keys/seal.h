/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * seal: how a submission's objects are stored. Each blob (the message, a
 * file's metadata, a file's content) is an age file sealed to the intake
 * label, itself sealed, as an age file, to the label of the submission's
 * marking ("marking:CANONICAL", core/registry/registry.h). Opening takes both keys:
 * the intake role's and the clearance's. Sealing takes only the two public
 * keys, so the internet-facing intake still holds no private key.
 *
 * A submission made while no enabled officer held both current versions has
 * the intake label's layer alone (store_submission.seal_version 0), rather
 * than a seal nobody could open; changing its marking (or `cutout inbox
 * reseal`) adds the outer layer, which needs no key at all.
 *
 * Layers, as bytes: outer = age(marking label, inner), inner = age(intake
 * label, plaintext). Both are standard age files: `age -d -i marking.key |
 * age -d -i intake.key` opens one offline.
 */
#ifndef CUTOUT_CORE_SEAL_H
#define CUTOUT_CORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/buf.h"

enum seal_result {
	SEAL_OK = 0,
	SEAL_CANNOT_OPEN, /* seal_rewrap: the key given does not open the outer layer */
	SEAL_STORE,       /* the store failed: seal_store_error() says how */
	SEAL_FAILED,      /* crypto or memory */
	SEAL_TOO_LARGE,   /* seal_to_buf: the sealed bytes would not fit one store chunk */
};

/*
 * A sealer: plaintext in, out to a new pending blob (core/store/store.h) sealed to
 * inner and that sealed to outer. Either may be NULL (one layer), not both.
 */
struct sealer;
__attribute__((warn_unused_result)) enum seal_result seal_begin(struct store *s,
                                                                const struct age_recipient *inner,
                                                                const struct age_recipient *outer,
                                                                struct sealer **out);
__attribute__((warn_unused_result)) enum seal_result seal_update(struct sealer *x, const uint8_t *p,
                                                                 size_t n);
/* Ends both layers; *blob is the pending blob, the caller's to claim or delete. */
__attribute__((warn_unused_result)) enum seal_result seal_finish(struct sealer *x, store_id *blob);
/* The store's error behind SEAL_STORE (STORE_OK if there was none). */
enum store_result seal_store_error(const struct sealer *x);
/* Frees; the blob is deleted unless seal_finish gave it away. */
void seal_free(struct sealer **x);

/* seal_begin, one update, seal_finish: a small object. *serr as seal_store_error. */
__attribute__((warn_unused_result)) enum seal_result
seal_buf(struct store *s, const struct age_recipient *inner, const struct age_recipient *outer,
         const uint8_t *p, size_t n, store_id *blob, enum store_result *serr);

/*
 * Seals a small object into memory instead of a blob: out (released first)
 * gets the sealed bytes, at most STORE_CHUNK_MAX of them (else
 * SEAL_TOO_LARGE), for the caller to store with blob_put, e.g. inside the
 * transaction that claims it (one trip to the store's writer, not two).
 */
__attribute__((warn_unused_result)) enum seal_result seal_to_buf(const struct age_recipient *inner,
                                                                 const struct age_recipient *outer,
                                                                 const uint8_t *p, size_t n,
                                                                 struct buf *out);

/*
 * A new pending blob holding blob's inner age file sealed to outer: the
 * present outer layer is opened with old, or, when old is NULL, blob is
 * taken to be the inner file alone (seal_version 0). The inner layer is
 * copied as it is: no intake key is needed.
 */
__attribute__((warn_unused_result)) enum seal_result seal_rewrap(struct store *s, store_id blob,
                                                                 const struct age_identity *old,
                                                                 const struct age_recipient *outer,
                                                                 store_id *out);

#endif
