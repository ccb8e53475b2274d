/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * officer_internal: what the files of core/officer share, and nothing else
 * includes. officer.h says what the module does; here is how it is cut:
 *
 *   officer.c       the module, names, roles, results, reads; the ledger helpers
 *   keys.c          keys at rest: Argon2id, the wrapped identity and TOTP secret
 *   session_key.c   struct officer_key: the keys a session holds
 *   intake_label.c  the intake label: grants and rotations, planned then applied
 *   login.c         login and TOTP enrolment
 *   accounts.c      the admin operations: add, roles, clearance, disable, reset
 *   bootstrap.c     the first admin, by the instance's admin identity
 *   recovery.c      the offline recovery key: set, clear, show, restore
 *
 * Every action that changes the store follows one shape (docs/internals/store.md):
 * the slow and secret work first (Argon2id, key generation, sealing), then one
 * store_write whose function checks that what the work was based on has not
 * changed meanwhile (else `conflict`: the action is prepared again, at most
 * OFFICER_TX_TRIES times), makes the change and appends its ledger entries.
 */
#ifndef CUTOUT_CORE_OFFICER_INTERNAL_H
#define CUTOUT_CORE_OFFICER_INTERNAL_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/store/store_officer.h"

#define SEED_LEN 64
#define KEK_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define ID_TEXT_CAP (AGE_IDENTITY_STRLEN + 2)
#define KEY_LABELS_MAX 4096
/* How many times an action is prepared again when the store changed under it. */
#define OFFICER_TX_TRIES 4

struct officers {
	struct store *s;
	struct officer_kdf kdf;
	char *dir;
	char issuer[64];
	uint8_t dummy_salt[STORE_OFFICER_SALT_LEN];
};

struct key_label {
	char name[LABEL_NAME_MAX + 1];
	uint32_t version;
};

struct officer_key {
	store_id id;
	unsigned roles;
	char name[OFFICER_NAME_MAX + 1];
	size_t n;                  /* ids[0] is the officer's own identity */
	struct age_identity **ids; /* n entries */
	struct key_label *labels;  /* n entries; labels[0] unused */
	size_t cap;
};

/* ---- officer.c ---- */

enum officer_result officer_from_store(enum store_result r);
void officer_to_public(const struct store_officer *r, struct officer *out);
bool officer_clearance_valid(const char *m);
/* officer.roles / officer.add detail: "roles admin,intake[ nationality GBR]". */
enum officer_result officer_roles_detail(unsigned roles, const char *nationality,
                                         char out[static 96]);
/*
 * The actor as the ledger names it: "officer:NAME" for a valid officer name,
 * else "officer" (a login typed with a name no officer could have); NULL:
 * "admin" (the instance's admin identity).
 */
void officer_actor_of(const char *name, char out[static LEDGER_TOKEN_MAX + 1]);
/*
 * Inside a store_write function: an entry about officer `name` (object
 * "officer:NAME") by `as` (NULL: the admin identity), in that transaction.
 */
enum store_result officer_log_about(struct store *s, enum ledger_action action,
                                    const struct officer_key *as, const char *name,
                                    const char *marking, const char *detail);
/* Outside a transaction: `as` is an enabled admin now (not at their login). */
enum officer_result officer_check_admin(struct officers *o, const struct officer_key *as);
/*
 * Inside one: the same check again, and that the row `was` (read when the
 * action was prepared) is unchanged in what the action relied on (roles,
 * disabled, key version, public key). A difference sets *conflict and gives
 * STORE_REFUSED. Either may be NULL.
 */
enum store_result officer_still(struct store *s, const struct officer_key *as,
                                const struct store_officer *was, bool *conflict);

/* ---- keys.c: keys at rest ---- */

/* Argon2id(password) -> seed (SEED_LEN bytes). 0 or -1. */
int officer_derive(const char *password, const uint8_t salt[static STORE_OFFICER_SALT_LEN],
                   uint64_t ops, uint64_t mem, uint8_t *seed);
/* XChaCha20-Poly1305 under kek, bound to the field, r's id and name, and version. 0 or -1. */
int officer_wrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                        const struct store_officer *r, uint32_t version, const uint8_t *p, size_t n,
                        uint8_t *out, size_t cap, size_t *len);
int officer_unwrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                          const struct store_officer *r, uint32_t version, const uint8_t *w,
                          size_t n, uint8_t *out, size_t cap, size_t *len);

/* New password keys, made before the transaction that stores them. */
struct officer_fresh_keys {
	uint8_t *kek; /* secmem, KEK_LEN */
	char *text;   /* secmem: the new identity, as text */
	size_t tl;
};
/*
 * Argon2id of password with a fresh salt, and a fresh identity: fills r's
 * version, salt, limits, verifier and pk; clears wrapped_sk and wrapped_totp.
 * The KEK and the identity stay in fk for officer_keys_seal.
 */
enum officer_result officer_keys_prepare(struct officers *o, struct store_officer *r,
                                         const char *password, uint32_t version,
                                         struct officer_fresh_keys *fk);
/*
 * Wraps fk's identity for r (r->id set): r->wrapped_sk. One AEAD of ~60
 * bytes, so that a new officer's may run in the transaction that gives their
 * id. 0 or -1.
 */
int officer_keys_seal(const struct officer_fresh_keys *fk, struct store_officer *r);
void officer_keys_wipe(struct officer_fresh_keys *fk);

/* ---- accounts.c ---- */

/* A new officer's row from validated input (no id, no keys yet): BAD_INPUT, WEAK_PASSWORD. */
enum officer_result officer_new_row(const char *name, unsigned roles, const char *clearance,
                                    const char *nationality, const char *password,
                                    struct store_officer *r);
/*
 * Inside a transaction: inserts r (as officer_keys_prepare left it) and its
 * keys, fk's identity wrapped now that the id is known (r->id is set).
 * STORE_EXISTS if the name is taken.
 */
enum store_result officer_insert_in(struct store *s, struct store_officer *r,
                                    const struct officer_fresh_keys *fk);

/* ---- session_key.c ---- */

/* Takes ownership of id (freed on failure too). 0 or -1. */
int officer_key_push(struct officer_key *k, struct age_identity *id, const char *name,
                     uint32_t version);
/* Adds every label wrap the store holds for `who` that k's own identity opens. */
enum officer_result officer_key_load(struct store *s, struct officer_key *k, store_id who);
/* The session key of row: *self (taken) and the label versions wrapped to them. */
enum officer_result officer_key_build(struct officers *o, const struct store_officer *row,
                                      struct age_identity **self, struct officer_key **out);

/* ---- intake_label.c ---- */

enum officer_plan_kind { PLAN_NONE, PLAN_ROTATE, PLAN_IMPORT };

struct officer_plan_wrap {
	uint32_t version;
	size_t len;
	uint8_t bytes[LABEL_WRAP_MAX];
};

/*
 * A change of the intake label, sealed before the transaction and applied in
 * it: grants (versions `as` holds, sealed to the target) and maybe a new
 * version (a rotation wrapped to every intake officer who keeps the label, or
 * the import of the instance's intake label as version 1), each also wrapped
 * to the recovery key if one is set. It records the label's current version,
 * the recovery key and the holders it was made for; officer_plan_apply
 * refuses (conflict) if any of them changed.
 */
struct officer_plan {
	bool taken; /* the snapshot below was read */
	bool has_cur;
	uint32_t cur;
	uint8_t cur_pk[32];
	bool has_rpk;
	uint8_t rpk[32];
	size_t ngrants;
	struct officer_plan_wrap *grants;
	enum officer_plan_kind kind;
	uint32_t version; /* the new one */
	uint8_t pk[32];
	store_id except;
	size_t n; /* holders */
	store_id *ids;
	uint8_t (*pks)[32];
	ptrdiff_t target;               /* index of the target in ids (id given at apply), or -1 */
	struct officer_plan_wrap *wrap; /* n + has_rpk */
	struct store_label_wrap *sw;    /* the same, as the store takes them */
};

void officer_plan_init(struct officer_plan *p);
void officer_plan_free(struct officer_plan *p);
/*
 * Gives the target (an enabled intake officer with public key pk; id 0: a new
 * officer whose id comes at apply) every intake version `as` holds; if that
 * misses the current version, plans a rotation to a new one every intake
 * officer, target included, holds.
 */
enum officer_result officer_plan_grant(struct officers *o, struct officer_plan *p,
                                       const struct officer_key *as, store_id target,
                                       const uint8_t pk[static 32]);
/*
 * A new intake version wrapped to every enabled intake officer but `except`
 * and `target`, and to the target with target_pk if given (its key as it
 * will be). OFFICER_LAST_INTAKE if nobody would hold it.
 */
enum officer_result officer_plan_rotate(struct officers *o, struct officer_plan *p, store_id except,
                                        store_id target, const uint8_t *target_pk);
/* Version 1: the instance's intake identity, wrapped to the target if target_pk. */
enum officer_result officer_plan_import(struct officers *o, struct officer_plan *p,
                                        const struct age_identity *identity,
                                        const uint8_t *target_pk);
/*
 * Inside the transaction, after the officer change it goes with: checks the
 * snapshot, stores the grants and the new version (target: the target's id),
 * sets the store meta intake_label_pk and appends label.rotate by actor_name
 * (officer_actor_of). A change since the plan sets *conflict.
 */
enum store_result officer_plan_apply(struct store *s, struct officer_plan *p, store_id target,
                                     const char *actor_name, bool *conflict);
/* After the commit: DIR/intake.pub follows a rotation (see officers_set_instance_dir). */
enum officer_result officer_plan_publish(struct officers *o, const struct officer_plan *p);

#endif
