/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * unseal: the reading side of seal.h, for whoever holds both the intake
 * label's and the marking label's keys. Opens sealed blobs as streams;
 * exports them for the offline `age` tool. (Who may: core/inbox decides.)
 */
#ifndef CUTOUT_CORE_KEYS_UNSEAL_H
#define CUTOUT_CORE_KEYS_UNSEAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/age/age.h"

enum unseal_result {
	UNSEAL_OK = 0,
	UNSEAL_NOT_FOUND,
	UNSEAL_CANNOT_OPEN, /* no identity given opens it, or it is damaged */
	UNSEAL_FAILED,
};

/*
 * The keys that open one submission's blobs (core/keys/seal.h), as
 * registry_submission_keys gives them: the session's identities for the
 * intake label's layer and, when the blob is layered, the key of the marking
 * label version it is sealed to (NULL when the reader does not hold it).
 */
struct unseal_keys {
	const struct age_identity *const *ids;
	size_t n;
	int layered;
	const struct age_identity *outer;
	struct age_identity *owned; /* outer, opened from the store for this reading */
	/* intake label versions wrapped since the login, opened from the store;
	   then ids is `all`: the session's identities and these */
	struct age_identity **fresh;
	size_t nfresh;
	const struct age_identity **all;
};
void unseal_keys_release(struct unseal_keys *k);

/* Decrypts both layers of blob with k; plaintext leaves through w. */
__attribute__((warn_unused_result)) enum unseal_result unseal_blob(struct store *s, store_id blob,
                                                                   const struct unseal_keys *k,
                                                                   age_write_fn w, void *wctx);
/*
 * Writes the blob's age file sealed to the intake label through w: as
 * stored, or with the marking label's layer taken off (it needs k->outer),
 * so that the offline `age` tool opens it with the intake label's key.
 */
__attribute__((warn_unused_result)) enum unseal_result unseal_export(struct store *s, store_id blob,
                                                                     const struct unseal_keys *k,
                                                                     age_write_fn w, void *wctx);

#endif
