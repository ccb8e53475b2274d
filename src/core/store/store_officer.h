/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_officer: the store domain of officers and label keys (backend-neutral
 * operations; one pointer, `officer`, in struct store_backend). Used only by
 * core/officer/, core/keys/label.c and core/registry/ (which reads officers'
 * public keys and clearances to wrap marking labels). Holds only public values and wrapped
 * secrets: salts, verifiers, public keys, AEAD-wrapped keys, age files.
 *
 * Time: besides days, two values are kept in seconds/steps because the login
 * rules need them: last_failure (unix seconds, for the failure delay) and
 * totp_last_step (the last TOTP step used, so a code is never accepted twice).
 */
#ifndef CUTOUT_CORE_STORE_OFFICER_H
#define CUTOUT_CORE_STORE_OFFICER_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_OFFICER_NAME_MAX 64
#define STORE_OFFICER_SALT_LEN 16
#define STORE_OFFICER_VERIFIER_LEN 32
#define STORE_OFFICER_WRAP_MAX 128 /* nonce 24 + secret + tag 16 */
#define STORE_LABEL_NAME_MAX 256
#define STORE_LABEL_WRAP_MAX 1024
#define STORE_LABEL_WRAPS_MAX 100001 /* wraps of one version: officers and the recovery key */

struct store_officer {
	store_id id;
	char name[STORE_OFFICER_NAME_MAX + 1];
	unsigned roles;
	char clearance[STORE_MARKING_MAX];
	char nationality[4];
	int disabled;
	int32_t created_day;
	int32_t last_login_day;
	int64_t failures;
	int64_t last_failure; /* unix seconds; 0: none */
	int64_t totp_last_step;
	/* the password and keys: all replaced together (officer_keys_set) */
	uint32_t version; /* key version, bumped at each reset */
	uint8_t salt[STORE_OFFICER_SALT_LEN];
	uint64_t opslimit;
	uint64_t memlimit;
	uint8_t verifier[STORE_OFFICER_VERIFIER_LEN];
	uint8_t pk[STORE_PK_LEN];
	uint8_t wrapped_sk[STORE_OFFICER_WRAP_MAX];
	size_t wrapped_sk_len; /* 0: no keys yet */
	uint8_t wrapped_totp[STORE_OFFICER_WRAP_MAX];
	size_t wrapped_totp_len; /* 0: not enrolled */
};

/*
 * The officer id that stands for the offline recovery key, when the operator
 * configured one (core/keys/label.h): its wraps are kept apart (no officer row),
 * and label_add, label_wrap_put, label_wraps and label_revoke take it like any
 * officer id.
 */
#define STORE_RECOVERY_OFFICER 0

struct store_label_joint {
	uint32_t version[2];
	uint8_t pk[2][STORE_PK_LEN];
	int64_t holders;
};

struct store_label_wrap {
	store_id officer; /* or STORE_RECOVERY_OFFICER */
	const uint8_t *wrap;
	size_t len;
};

struct store_officer_ops {
	/* Inserts the row (id ignored; key fields may be empty): STORE_EXISTS if the name is taken.
	 */
	enum store_result (*insert)(struct store *s, const struct store_officer *o, store_id *out);
	enum store_result (*get)(struct store *s, store_id id, struct store_officer *out);
	enum store_result (*find)(struct store *s, const char *name, struct store_officer *out);
	/* Every officer, by name (bytewise); fn non-zero stops (STORE_STOP). */
	enum store_result (*list)(struct store *s,
	                          int (*fn)(void *ctx, const struct store_officer *o), void *ctx);
	enum store_result (*delete)(struct store *s, store_id id);
	enum store_result (*set_roles)(struct store *s, store_id id, unsigned roles);
	enum store_result (*set_disabled)(struct store *s, store_id id, int disabled);
	enum store_result (*set_clearance)(struct store *s, store_id id, const char *clearance);
	/*
	 * Replaces version, salt, limits, verifier, pk, wrapped_sk and wrapped_totp
	 * from o; clears failures and totp_last_step. Only if the stored version is
	 * expect_version (else STORE_EXISTS: someone else changed it). No such
	 * officer: STORE_NOT_FOUND.
	 */
	enum store_result (*keys_set)(struct store *s, const struct store_officer *o,
	                              uint32_t expect_version);
	/*
	 * Enrolment: sets wrapped_totp and the step, only if none yet and the
	 * version matches (else STORE_EXISTS); no such officer: STORE_NOT_FOUND.
	 */
	enum store_result (*totp_set)(struct store *s, store_id id, uint32_t version,
	                              const uint8_t *wrap, size_t n, int64_t step);
	/*
	 * A successful login: only if totp_last_step < step (else STORE_EXISTS: the
	 * code was used meanwhile); sets it, clears failures, sets last_login_day.
	 * No such officer: STORE_NOT_FOUND.
	 */
	enum store_result (*login_ok)(struct store *s, store_id id, int64_t step, int32_t day);
	/* A failed login: failures + 1, last_failure = now. */
	enum store_result (*login_failed)(struct store *s, store_id id, int64_t now);

	/* ---- labels ---- */
	/* The highest version of name. STORE_NOT_FOUND if none. */
	enum store_result (*label_current)(struct store *s, const char *name, uint32_t *version,
	                                   uint8_t pk[STORE_PK_LEN]);
	/*
	 * A new version (>= 1; 0: STORE_TOO_LARGE) and its wraps, in one
	 * transaction. STORE_EXISTS if the version exists; a wrap to an officer
	 * id that names no officer (and is not STORE_RECOVERY_OFFICER):
	 * STORE_NOT_FOUND, nothing added.
	 */
	enum store_result (*label_add)(struct store *s, const char *name, uint32_t version,
	                               const uint8_t pk[STORE_PK_LEN],
	                               const struct store_label_wrap *wraps, size_t n);
	/* Inserts or replaces one wrap of an existing version (else, or no such officer:
	 * STORE_NOT_FOUND). */
	enum store_result (*label_wrap_put)(struct store *s, const char *name, uint32_t version,
	                                    const struct store_label_wrap *w);
	/* The officer's wraps, by label name (bytewise) then version; fn non-zero stops
	 * (STORE_STOP). */
	enum store_result (*label_wraps)(struct store *s, store_id officer,
	                                 int (*fn)(void *ctx, const char *name, uint32_t version,
	                                           const uint8_t *wrap, size_t n),
	                                 void *ctx);
	/* Deletes the officer's wraps of name (NULL: all). */
	enum store_result (*label_revoke)(struct store *s, const char *name, store_id officer);
	/*
	 * In one snapshot: the current versions of labels a and b (version 0: no
	 * such label) and how many enabled officers hold a wrap of both.
	 */
	enum store_result (*label_joint)(struct store *s, const char *a, const char *b,
	                                 struct store_label_joint *out);
};

/*
 * The front (core/store/store_officer.c): what core calls. Each checks its
 * arguments and caps once (STORE_TOO_LARGE; a name that cannot exist:
 * STORE_NOT_FOUND), then calls the backend's operation above. An officer's
 * name is 1..STORE_OFFICER_NAME_MAX bytes without control characters; its
 * clearance and nationality are NUL-terminated within their arrays.
 */
__attribute__((warn_unused_result)) enum store_result
store_officer_insert(struct store *s, const struct store_officer *o, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_officer_get(struct store *s, store_id id, struct store_officer *out);
__attribute__((warn_unused_result)) enum store_result
store_officer_find(struct store *s, const char *name, struct store_officer *out);
__attribute__((warn_unused_result)) enum store_result
store_officer_list(struct store *s, int (*fn)(void *ctx, const struct store_officer *o), void *ctx);
__attribute__((warn_unused_result)) enum store_result store_officer_delete(struct store *s,
                                                                           store_id id);
__attribute__((warn_unused_result)) enum store_result
store_officer_set_roles(struct store *s, store_id id, unsigned roles);
__attribute__((warn_unused_result)) enum store_result
store_officer_set_disabled(struct store *s, store_id id, int disabled);
__attribute__((warn_unused_result)) enum store_result
store_officer_set_clearance(struct store *s, store_id id, const char *clearance);
__attribute__((warn_unused_result)) enum store_result
store_officer_keys_set(struct store *s, const struct store_officer *o, uint32_t expect_version);
__attribute__((warn_unused_result)) enum store_result
store_officer_totp_set(struct store *s, store_id id, uint32_t version, const uint8_t *wrap,
                       size_t n, int64_t step);
__attribute__((warn_unused_result)) enum store_result
store_officer_login_ok(struct store *s, store_id id, int64_t step, int32_t day);
__attribute__((warn_unused_result)) enum store_result
store_officer_login_failed(struct store *s, store_id id, int64_t now);
/*
 * Labels: a name is 1..STORE_LABEL_NAME_MAX bytes without control characters;
 * a wrap 1..STORE_LABEL_WRAP_MAX bytes. A name that cannot exist: label_current
 * STORE_NOT_FOUND, label_revoke deletes nothing (STORE_OK), label_joint
 * version 0 and no holder.
 */
__attribute__((warn_unused_result)) enum store_result
store_label_current(struct store *s, const char *name, uint32_t *version, uint8_t pk[STORE_PK_LEN]);
__attribute__((warn_unused_result)) enum store_result
store_label_add(struct store *s, const char *name, uint32_t version, const uint8_t pk[STORE_PK_LEN],
                const struct store_label_wrap *wraps, size_t n);
__attribute__((warn_unused_result)) enum store_result
store_label_wrap_put(struct store *s, const char *name, uint32_t version,
                     const struct store_label_wrap *w);
__attribute__((warn_unused_result)) enum store_result store_label_wraps(
        struct store *s, store_id officer,
        int (*fn)(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n),
        void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_label_revoke(struct store *s, const char *name, store_id officer);
__attribute__((warn_unused_result)) enum store_result
store_label_joint(struct store *s, const char *a, const char *b, struct store_label_joint *out);

#endif
