/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * officer: staff accounts, their keys and their login.
 *
 * An officer has a name ([a-z0-9._-], 1..OFFICER_NAME_MAX, unique, never
 * changed), roles (admin, intake, analyst, releasing), a clearance (a marking
 * string, opaque here), a nationality (3 letters A-Z, ISO 3166 alpha-3), a
 * disabled flag, the day of creation and of the last login.
 *
 * Keys at rest (never in clear):
 *   seed    = Argon2id(password, per-officer 16-byte salt, opslimit, memlimit) -> 64 bytes
 *   verifier = seed[0..32)   stored; compared with sodium_memcmp at login
 *   kek      = seed[32..64)  never stored; wraps with XChaCha20-Poly1305:
 *      - the officer's X25519 identity (32 bytes)
 *      - the TOTP secret, once enrolled (20 bytes)
 *   each with the associated data "cutout-officer-v1", the field, the officer
 *   id, name and key version, so a wrapped value cannot be moved to another
 *   officer, field or version. The limits are stored per officer, so a new
 *   configuration applies to new passwords and never locks anyone out.
 * Label identities (core/keys/label.h) are age files sealed to the officer's X25519
 * public key; the admin who grants or resets wraps them (only public keys are
 * needed to wrap a NEW label version, so rotation never needs a private key
 * of the others).
 *
 * Login: one answer, OFFICER_DENIED, for an unknown name, a disabled account,
 * a wrong password, a wrong, malformed or replayed TOTP code, and an account
 * in its failure delay; every one of them costs the same Argon2id work. Each
 * failure of a known account is recorded in the store (failures, time of the
 * last one): attempts before last_failure + min(2^failures, 300) seconds are
 * refused without looking at the password, and do not count. A success resets
 * the counter. A password that is right for an officer who has not enrolled
 * TOTP yet gives OFFICER_ENROL (and no key): enrol first.
 *
 * The intake label: submissions are sealed to the current version of the label
 * "intake" (core/intake/intake.c reads it at each upload). Granting the intake role
 * wraps every intake version the acting admin holds to the officer; removing
 * it (or disabling the officer) rotates: a new version, wrapped to the
 * remaining intake officers, becomes current, and the store meta
 * intake_label_pk (and DIR/intake.pub, see officers_set_instance_dir) follow.
 *
 * Transactions: every action that changes the store commits the change and
 * its ledger entries (officer.add, officer.roles, officer.disable,
 * officer.enable, officer.reset, officer.login, officer.login.failed,
 * label.rotate, label.recover, recovery.set, recovery.clear) in one durable
 * transaction (store_write, core/store/store.h): a crash or a failed append
 * leaves both or neither. Argon2id, key generation and sealing run before it.
 * Setting a clearance has no entry of its own (registry_officer_changed's
 * clearance.grant/revoke follow); enrolment has none (the login after it has).
 *
 * Thread safety: a struct officers may be shared by threads; a struct
 * officer_key belongs to one session at a time.
 */
#ifndef CUTOUT_CORE_OFFICER_H
#define CUTOUT_CORE_OFFICER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keys/label.h"
#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/totp.h"

#define OFFICER_NAME_MAX 64   /* [a-z0-9._-], 1..64 */
#define OFFICER_ROLES_MAX 64  /* "admin,intake,analyst,releasing" + NUL fits */
#define OFFICER_DELAY_MAX 300 /* seconds: the longest failure delay */
/* The defaults: about 0.55 s and 256 MiB per login on the reference machine (measured). */
#define OFFICER_DEFAULT_OPSLIMIT 3
#define OFFICER_DEFAULT_MEMLIMIT (256u * 1024 * 1024)

enum officer_role { ROLE_ADMIN = 1, ROLE_INTAKE = 2, ROLE_ANALYST = 4, ROLE_RELEASING = 8 };
#define ROLE_ALL (ROLE_ADMIN | ROLE_INTAKE | ROLE_ANALYST | ROLE_RELEASING)

/* "admin,intake" (no spaces, no repeats, at least one) -> roles. 0 or -1. */
__attribute__((warn_unused_result)) int officer_roles_parse(const char *csv, unsigned *roles);
/* roles -> "admin,intake" (in the enum's order; "" for none). Length, or -1 if too small. */
__attribute__((warn_unused_result)) int officer_roles_format(unsigned roles, char *out, size_t cap);
/* True for a valid name / nationality. */
bool officer_name_valid(const char *name);
bool officer_nationality_valid(const char *cc);

struct officer {
	store_id id;
	char name[OFFICER_NAME_MAX + 1];
	unsigned roles;
	char clearance[STORE_MARKING_MAX];
	char nationality[4]; /* ISO 3166 alpha-3 */
	bool disabled;
	bool enrolled; /* TOTP confirmed */
	int32_t created_day;
	int32_t last_login_day; /* 0: never */
};

enum officer_result {
	OFFICER_OK = 0,
	OFFICER_DENIED, /* any login failure: one answer */
	OFFICER_ENROL,  /* password right, TOTP not yet enrolled: must enrol */
	OFFICER_EXISTS, /* the name is taken */
	OFFICER_NOT_FOUND,
	OFFICER_BAD_INPUT, /* a bad name, roles, nationality, clearance or TOTP secret */
	OFFICER_WEAK_PASSWORD,
	OFFICER_FORBIDDEN,   /* the acting session lacks a role or a key */
	OFFICER_FAILED,      /* store, crypto or memory failure */
	OFFICER_LAST_INTAKE, /* removing the intake role (or disabling) would leave nobody to
	                        read new submissions: add another intake officer first */
};

const char *officer_strerror(enum officer_result r);

/* Argon2id limits for new passwords (crypto_pwhash bounds; fast in tests). */
struct officer_kdf {
	uint64_t opslimit;
	size_t memlimit;
};

/*
 * An officer's unlocked keys for one session: their X25519 identity and every
 * label identity wrapped to them (all the versions of the intake label they
 * hold; later, marking labels). Lives in sodium_malloc memory;
 * officer_key_free wipes it.
 */
struct officer_key;
void officer_key_free(struct officer_key **k);
store_id officer_key_id(const struct officer_key *k);
/* The label name and version of identity i (1 <= i < n) of officer_key_identities. 0 or -1. */
int officer_key_label_at(const struct officer_key *k, size_t i,
                         char name[static LABEL_NAME_MAX + 1], uint32_t *version);
/* The key made by officer_recovery_key (it holds label keys and authorises nothing). */
bool officer_key_is_recovery(const struct officer_key *k);
/*
 * Who acts, as the ledger names them: "officer:NAME", "recovery" for the
 * recovery key, "admin" for k NULL (the instance's admin identity). 0, or -1
 * if it does not fit in cap.
 */
int officer_key_actor(const struct officer_key *k, char *out, size_t cap);
unsigned officer_key_roles(const struct officer_key *k);
const char *officer_key_name(const struct officer_key *k);
/*
 * The identities for age_decrypt / unseal_blob: the officer's own first,
 * then every label version held. Valid until officer_key_free.
 */
size_t officer_key_identities(const struct officer_key *k, const struct age_identity *const **out);
/* The identity of label `name`, `version` if held (not owned by the caller), else NULL. */
const struct age_identity *officer_key_label(const struct officer_key *k, const char *name,
                                             uint32_t version);

/*
 * A session kept on several nodes (issue 15 §2, app/desk/desk_session.c): the
 * officer's own identity of k as text ("AGE-SECRET-KEY-1...", NUL ended), for the
 * door to seal under its session token; the caller wipes out. 0, or -1 (a recovery
 * key, or no identity).
 */
#define OFFICER_KEY_TEXT_MAX 80 /* >= AGE_IDENTITY_STRLEN + 1 */
__attribute__((warn_unused_result)) int officer_key_export(const struct officer_key *k,
                                                           char out[static OFFICER_KEY_TEXT_MAX]);

struct officers; /* the module over a struct store */

__attribute__((warn_unused_result)) enum officer_result
officers_new(struct store *s, const struct officer_kdf *kdf, struct officers **out);
void officers_free(struct officers **o);
/*
 * Optional: the instance directory, so an intake label rotation also rewrites
 * DIR/intake.pub (the store meta intake_label_pk is always updated). Copied.
 */
__attribute__((warn_unused_result)) enum officer_result
officers_set_instance_dir(struct officers *o, const char *dir);
/* The issuer shown in authenticator apps (default "cutout"). Copied. */
__attribute__((warn_unused_result)) enum officer_result officers_set_issuer(struct officers *o,
                                                                            const char *issuer);

/*
 * Login: password, and the TOTP code once enrolled. now = unix time (tests
 * pass it). On OFFICER_OK, *key holds the unlocked keys and *out (may be NULL)
 * the account; the failure counter is cleared and the last login day set.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_login(struct officers *o, const char *name, const char *password, const char *totp,
              uint64_t now, struct officer_key **key, struct officer *out);
/*
 * A logout of the officer holding key: its officer.logout entry, durable
 * before the caller ends the session (which wipes the keys).
 */
__attribute__((warn_unused_result)) enum officer_result
officer_logout(struct officers *o, const struct officer_key *key);

/*
 * Enrolment (after OFFICER_ENROL): begin checks the password (as a login, with
 * the same delay rules) and gives a fresh secret to show (base32) and its
 * otpauth URI; finish checks the password again and a code of that secret,
 * then stores the secret wrapped. Nothing is stored by begin.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_enrol_begin(struct officers *o, const char *name, const char *password, uint64_t now,
                    char secret_b32[static TOTP_B32_MAX], char *uri, size_t uri_cap);
__attribute__((warn_unused_result)) enum officer_result
officer_enrol_finish(struct officers *o, const char *name, const char *password,
                     const char *secret_b32, const char *code, uint64_t now);

/* ---- admin operations: `as` is an admin's unlocked key (roles checked here) ---- */

/* A new officer (not enrolled). The password must pass lib/password.h. */
__attribute__((warn_unused_result)) enum officer_result
officer_add(struct officers *o, const struct officer_key *as, const char *name, unsigned roles,
            const char *clearance, const char *nationality, const char *password, store_id *id);
/*
 * Adding intake: wraps every intake label version held by `as` to them (and
 * rotates if `as` lacks the current one); removing intake: rotates the intake
 * label (a new key pair wrapped to the remaining intake officers) and drops
 * their intake wraps. An admin cannot remove their own admin role.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_set_roles(struct officers *o, const struct officer_key *as, const char *name,
                  unsigned roles);
/*
 * Sets the clearance (a marking string, opaque here; the caller checks it
 * against the scheme). The marking labels follow through
 * registry_officer_changed (core/registry/registry.h), which the caller runs next.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_set_clearance(struct officers *o, const struct officer_key *as, const char *name,
                      const char *clearance);
/* Disabling an intake officer rotates the intake label too. Not oneself. */
__attribute__((warn_unused_result)) enum officer_result
officer_disable(struct officers *o, const struct officer_key *as, const char *name, bool disabled);
/* A new password and identity, TOTP cleared (re-enrol), failures cleared, labels re-wrapped
 * from `as` (rotating if `as` lacks the current intake version). */
__attribute__((warn_unused_result)) enum officer_result officer_reset(struct officers *o,
                                                                      const struct officer_key *as,
                                                                      const char *name,
                                                                      const char *new_password);

__attribute__((warn_unused_result)) enum officer_result
officer_get(struct officers *o, const char *name, struct officer *out);
/*
 * The keys of a session another node opened (officer_key_export's text): the officer
 * `id` must still be enabled and enrolled, and text its current identity (a reset
 * changes it); the label versions wrapped to it are read again, the roles are the
 * account's now. Writes nothing (the login's entry was written where it happened).
 * OFFICER_DENIED if any of that fails.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_key_resume(struct officers *o, store_id id, const char *text, struct officer_key **out);
/* By name; fn returns non-zero to stop. */
__attribute__((warn_unused_result)) enum officer_result
officer_list(struct officers *o, int (*fn)(void *ctx, const struct officer *of), void *ctx);

/*
 * Bootstrap (the first admin, `cutout demo`, and recovery when no enabled
 * admin is left): authorised by the instance's admin identity
 * (admin-identity.txt) instead of an admin session. The first time, imports
 * the instance's intake label (intake-label.key.age, opened by the caller
 * with instance_intake_identity) as version 1 of the label "intake".
 * roles must include ROLE_ADMIN. OFFICER_FORBIDDEN if an enabled admin exists,
 * or if admin_identity is not the instance's admin (store meta admin_recipient).
 */
__attribute__((warn_unused_result)) enum officer_result
officer_bootstrap(struct officers *o, const struct age_identity *admin_identity,
                  const struct age_identity *intake_identity, const char *name, unsigned roles,
                  const char *clearance, const char *nationality, const char *password,
                  store_id *id);

/* Whether id is the instance's admin identity (admin-identity.txt; store meta admin_recipient). */
bool officer_is_admin_identity(struct officers *o, const struct age_identity *id);

/*
 * The offline recovery key (core/keys/label.h), when the operator configured one:
 * the label keys wrapped to it, as a session key that holds them and
 * authorises nothing (every admin operation refuses it). OFFICER_NOT_FOUND if
 * no recovery key is configured, OFFICER_FORBIDDEN if `recovery` is not it.
 */
__attribute__((warn_unused_result)) enum officer_result
officer_recovery_key(struct officers *o, const struct age_identity *recovery,
                     struct officer_key **out);
/*
 * Wraps to officer `name` (enabled, with keys) the intake label versions the
 * recovery key holds, if they have the intake role (rotating if it lacks the
 * current version), and records label.recover. The marking labels follow
 * with registry_officer_changed(reg, recovery, name).
 */
__attribute__((warn_unused_result)) enum officer_result
officer_restore(struct officers *o, const struct officer_key *recovery, const char *name);

/*
 * Sets the recovery key to the X25519 public key pk: an admin `as` with the
 * instance's admin identity (the operator's decision, not an admin's alone;
 * else OFFICER_FORBIDDEN). The wraps to a previous key are deleted; every
 * label version `as` holds is wrapped to it (*wrapped: how many, may be
 * NULL), and every new version will be. Records recovery.set with the
 * recipient (age1...).
 */
__attribute__((warn_unused_result)) enum officer_result
officer_recovery_set(struct officers *o, const struct officer_key *as,
                     const struct age_identity *admin_identity, const uint8_t pk[static 32],
                     size_t *wrapped);
/* No recovery key any more (an admin): its wraps are deleted; records recovery.clear. */
__attribute__((warn_unused_result)) enum officer_result
officer_recovery_clear(struct officers *o, const struct officer_key *as);
/*
 * The recovery key (OFFICER_NOT_FOUND if none): its public key (set before
 * fn's first call), fn (may be NULL; non-zero stops) for each label version
 * wrapped to it, and the intake label's current version (0: none).
 */
__attribute__((warn_unused_result)) enum officer_result
officer_recovery_show(struct officers *o, uint8_t pk[static 32], uint32_t *intake_version,
                      int (*fn)(void *ctx, const char *label, uint32_t version), void *ctx);

#endif
