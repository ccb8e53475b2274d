/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * label: label keys, how need-to-know becomes cryptography.
 *
 * A label (the intake label "intake"; later one per marking) has versions
 * 1, 2, ...; each version is an X25519 key pair. The store keeps the public
 * key of every version (label table) and, per officer allowed to read it, the
 * version's age identity ("AGE-SECRET-KEY-1...") as an age file sealed to the
 * officer's X25519 public key (label_wrap table). The highest version is the
 * current one: new objects are sealed to it. Rotating = adding a version
 * wrapped to the officers who keep access (only their public keys are needed);
 * whoever lost access holds no wrap of it.
 *
 * Nothing here holds a private key beyond the call: identities passed in are
 * the caller's, generated ones are wiped before returning.
 */
#ifndef CUTOUT_CORE_LABEL_H
#define CUTOUT_CORE_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/age/age.h"

#define LABEL_INTAKE "intake"
#define LABEL_MARKING_PREFIX "marking:" /* + a canonical marking (core/registry/registry.h) */
#define LABEL_NAME_MAX 256
#define LABEL_WRAP_MAX 1024 /* an age file of one identity sealed to one recipient */

enum label_result {
	LABEL_OK = 0,
	LABEL_NOT_FOUND, /* no such label (no version yet) */
	LABEL_EXISTS,    /* the version exists already (a concurrent rotation) */
	LABEL_CANNOT_OPEN,
	LABEL_FAILED,
	LABEL_STALE, /* label_add_prepared: the recovery key changed since label_prepare */
	LABEL_FULL,  /* the store has no space left (STORE_FULL) */
};

/* The current (highest) version of a label and its public key. */
__attribute__((warn_unused_result)) enum label_result
label_current(struct store *s, const char *name, uint32_t *version, uint8_t pk[static 32]);

/* Seals identity (of label name/version) to the X25519 public key pk: the wrap's bytes. */
__attribute__((warn_unused_result)) enum label_result
label_seal(const struct age_identity *identity, const uint8_t pk[static 32], uint8_t *out,
           size_t cap, size_t *len);
/* Opens a wrap with the officer's identity. The caller frees *out. */
__attribute__((warn_unused_result)) enum label_result label_open(const struct age_identity *officer,
                                                                 const uint8_t *wrap, size_t n,
                                                                 struct age_identity **out);

/* Stores a wrap of an existing version for officer (replaces one already there). */
__attribute__((warn_unused_result)) enum label_result
label_grant(struct store *s, const char *name, uint32_t version, store_id officer,
            const struct age_identity *identity, const uint8_t officer_pk[static 32]);

/*
 * Adds a version: `identity` when given (an import), else a fresh key pair;
 * wrapped to each of n officers (ids[i], pks[i]) in the same transaction.
 * version 0 = current + 1. *out_version and out_pk (may be NULL) receive it.
 */
__attribute__((warn_unused_result)) enum label_result
label_add_version(struct store *s, const char *name, uint32_t version,
                  const struct age_identity *identity, const store_id *ids,
                  const uint8_t (*pks)[32], size_t n, uint32_t *out_version, uint8_t out_pk[32]);

/*
 * label_add_version in two steps, for a store_write transaction
 * (core/store/store.h), whose function must not seal: label_prepare does the
 * crypto before it (a key pair, or `identity`, wrapped to each of n officers
 * and to the recovery key if one is set), label_add_prepared stores the
 * version inside it (store calls only). LABEL_STALE: the recovery key changed
 * in between (prepare again); LABEL_EXISTS: the version exists.
 */
struct label_prepared;
__attribute__((warn_unused_result)) enum label_result
label_prepare(struct store *s, const struct age_identity *identity, const store_id *ids,
              const uint8_t (*pks)[32], size_t n, struct label_prepared **out);
__attribute__((warn_unused_result)) enum label_result
label_add_prepared(struct store *s, const char *name, uint32_t version,
                   const struct label_prepared *p, uint32_t *out_version, uint8_t out_pk[32]);
/* How many officers (the recovery key not counted) the prepared version is wrapped to. */
size_t label_prepared_count(const struct label_prepared *p);
void label_prepared_free(struct label_prepared **p);
/*
 * label_grant in two steps likewise: label_seal the identity to the officer's
 * key before the transaction, then store the wrap inside it.
 */
__attribute__((warn_unused_result)) enum label_result
label_grant_wrap(struct store *s, const char *name, uint32_t version, store_id officer,
                 const uint8_t *wrap, size_t len);

/* Every wrap held by officer: fn(ctx, label name, version, wrap bytes). */
__attribute__((warn_unused_result)) enum label_result
label_wraps(struct store *s, store_id officer,
            int (*fn)(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n),
            void *ctx);
/* Drops the officer's wraps of label name (NULL: of every label). */
__attribute__((warn_unused_result)) enum label_result
label_revoke(struct store *s, const char *name, store_id officer);

/*
 * The offline recovery key (none unless the operator configures one: `cutout
 * recovery set`). Its public key is the store meta LABEL_META_RECOVERY; while
 * it is set, every new label version is also wrapped to it (in the same
 * transaction as the version), as STORE_RECOVERY_OFFICER's wrap. Its private
 * key stays offline; with it, `cutout recovery restore` wraps the label keys
 * again to an officer who is entitled to them.
 */
#define LABEL_META_RECOVERY "recovery_pk"

/* LABEL_OK and the X25519 public key if one is set; LABEL_NOT_FOUND if none. */
__attribute__((warn_unused_result)) enum label_result label_recovery_pk(struct store *s,
                                                                        uint8_t pk[static 32]);
/*
 * Sets the recovery public key (NULL: none). Either way the wraps to the
 * previous key are deleted; the caller wraps what it holds with
 * label_recovery_grant.
 */
__attribute__((warn_unused_result)) enum label_result label_recovery_set(struct store *s,
                                                                         const uint8_t pk[32]);
/* Wraps an existing version to the recovery key. LABEL_NOT_FOUND if none is set. */
__attribute__((warn_unused_result)) enum label_result
label_recovery_grant(struct store *s, const char *name, uint32_t version,
                     const struct age_identity *identity);

#endif
