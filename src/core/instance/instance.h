/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * instance: the instance directory, created by `cutout init` and opened by
 * every other command and door.
 *
 * instance_init(DIR) creates DIR (mode 0700; an existing directory must be
 * empty) holding:
 *
 *   cutout.conf           0600  the configuration, every key documented (lib/conf.h)
 *   store.db              0600  the SQLite store (core/store/store.h), unless the
 *                               configuration's `store` names a PostgreSQL database
 *                               (init --store postgresql://...), with meta:
 *                                 codename_salt    16 random bytes (source keys)
 *                                 intake_label_pk  X25519 public key of the intake label
 *                                 signing_pk       Ed25519 public key of the instance
 *                                 admin_recipient  "age1..." of the admin identity
 *   admin-identity.txt    0600  the admin's age identity (AGE-SECRET-KEY-1...). The
 *                               one secret written in clear: move it OFFLINE.
 *   intake-label.key.age  0600  the intake label's age identity, as an age file
 *                               sealed to the admin identity
 *   intake.pub            0644  the intake label recipient ("age1...")
 *   signing.key.age       0600  the instance's Ed25519 seed (base64), as an age file
 *                               sealed to the admin identity
 *   signing.pub           0644  the Ed25519 public key (base64)
 *
 * No other secret is ever written in clear. Every secret is generated in
 * sodium_malloc memory and wiped. If instance_init fails, it removes what it
 * created (and DIR, if it created DIR).
 *
 * instance_open(DIR) refuses a DIR that other users can access, reads and
 * validates the configuration (the marking scheme and default_marking too), opens the store and
 * reads the public values above from its meta. An instance never holds a private key.
 */
#ifndef CUTOUT_CORE_INSTANCE_H
#define CUTOUT_CORE_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/conf.h"

#define INSTANCE_CONF "cutout.conf"
#define INSTANCE_STORE "store.db"
#define INSTANCE_ADMIN_IDENTITY "admin-identity.txt"
/* the liaison key (core/liaison: LIAISON_KEY_FILE, the same name), made by the CLI */
#define INSTANCE_LIAISON_KEY "liaison-key.txt"
#define INSTANCE_INTAKE_KEY "intake-label.key.age"
#define INSTANCE_INTAKE_PUB "intake.pub"
#define INSTANCE_SIGNING_KEY "signing.key.age"
#define INSTANCE_SIGNING_PUB "signing.pub"

#define INSTANCE_META_SALT "codename_salt"
#define INSTANCE_META_INTAKE_PK "intake_label_pk"
#define INSTANCE_META_SIGNING_PK "signing_pk"
#define INSTANCE_META_ADMIN_RECIPIENT "admin_recipient"

#define INSTANCE_SALT_LEN 16
#define INSTANCE_RECIPIENT_MAX 64 /* "age1..." + NUL, with room */
#define INSTANCE_ERR_MAX 512

enum instance_result {
	INSTANCE_OK = 0,
	INSTANCE_ERR_ARG,       /* a bad argument (e.g. organisation name) */
	INSTANCE_ERR_NOT_EMPTY, /* init: the directory exists and is not empty */
	INSTANCE_ERR_MODE,      /* open: the directory is accessible to other users */
	INSTANCE_ERR_IO,
	INSTANCE_ERR_CONF, /* the configuration file is invalid */
	INSTANCE_ERR_STORE,
	INSTANCE_ERR_CORRUPT, /* the store lacks a value init writes */
	INSTANCE_ERR_CRYPTO,
	INSTANCE_ERR_NOMEM,
};

struct instance_error {
	char msg[INSTANCE_ERR_MAX];
};

struct instance_options {
	const char *organisation; /* NULL: the default */
	/*
	 * NULL: the SQLite store, store.db; else a postgresql:// location
	 * (conf_check_store: no password in it), whose database must hold no
	 * instance yet. It is written to cutout.conf as `store`.
	 */
	const char *store;
};

/* What init made, for the command to print (all public). */
struct instance_created {
	char admin_recipient[INSTANCE_RECIPIENT_MAX];
	char intake_recipient[INSTANCE_RECIPIENT_MAX];
	char signing_pub[64]; /* base64 */
};

struct instance; /* opaque */

__attribute__((warn_unused_result)) enum instance_result
instance_init(const char *dir, const struct instance_options *opt, struct instance_created *created,
              struct instance_error *err);

__attribute__((warn_unused_result)) enum instance_result
instance_open(const char *dir, struct instance **out, struct instance_error *err);

/*
 * Sets `store` in DIR/cutout.conf to location (conf_check_store), keeping
 * every other line; the file is replaced at once (a new file renamed over
 * it). instance_store.c.
 */
__attribute__((warn_unused_result)) enum instance_result
instance_set_store(const char *dir, const char *location, struct instance_error *err);

/* What instance_store_copy moved. */
struct instance_copy_report {
	uint64_t rows, blobs, bytes;
};
/*
 * `cutout store migrate`: copies the instance's SQLite store, every row with
 * its id and every blob, to the empty store at location (a postgresql://
 * one), in one transaction of it (core/store/store_copy.h); *to is that store,
 * open, for the caller to verify and close. The instance's doors must be
 * stopped. instance_store.c.
 */
__attribute__((warn_unused_result)) enum instance_result
instance_store_copy(struct instance *inst, const char *location, struct store **to,
                    struct instance_copy_report *rep, struct instance_error *err);

/* Closes the store and frees; sets *inst to NULL. Accepts NULL. */
void instance_close(struct instance **inst);
/*
 * The store's own check (store_check): 0, or -1 with what is wrong in msg
 * (cap >= 1). quick: bounded time, for a door's start.
 */
__attribute__((warn_unused_result)) int instance_check_store(struct instance *inst, bool quick,
                                                             char *msg, size_t cap);

/* check.c: every stored blob read and checked as an age file. */
struct instance_blob_count {
	uint64_t blobs;  /* checked */
	uint64_t opened; /* of those, opened with one of the identities (header MAC, every tag) */
	uint64_t bad;
};
typedef void (*instance_bad_blob_fn)(void *ctx, int64_t blob, const char *what);
/*
 * Reads every stored blob: its length against the store's record, its shape
 * as an age file (age_shape: header, STREAM chunk sizes), and, when one of
 * ids opens it, its header MAC and every chunk's tag. Each bad blob goes to
 * bad(); a store failure is returned (STORE_OK when all were read).
 */
__attribute__((warn_unused_result)) enum store_result
instance_check_blobs(struct instance *inst, const struct age_identity *const *ids, size_t nids,
                     instance_bad_blob_fn bad, void *ctx, struct instance_blob_count *count);

const struct conf *instance_conf(const struct instance *inst);
/* The marking scheme of the configuration (checked at open, with default_marking). */
struct marking_scheme;
const struct marking_scheme *instance_marking_scheme(const struct instance *inst);
struct store *instance_store(struct instance *inst);
/*
 * The files a confined door of `role` may open once it serves: its store's
 * (store_files), from which app/cli/door_sandbox.c makes its Landlock rules.
 */
__attribute__((warn_unused_result)) enum store_result
instance_door_files(struct instance *inst, enum store_role role, store_file_fn fn, void *ctx);
const char *instance_dir(const struct instance *inst);
void instance_codename_salt(const struct instance *inst, uint8_t out[static INSTANCE_SALT_LEN]);
void instance_intake_label_pk(const struct instance *inst, uint8_t out[static 32]);
void instance_signing_pk(const struct instance *inst, uint8_t out[static 32]);

/*
 * Opens the intake label identity (intake-label.key.age) with the admin
 * identity in the file admin_identity_path. Until officer accounts exist this
 * is how submissions are read. The caller frees *out.
 */
__attribute__((warn_unused_result)) enum instance_result
instance_intake_identity(const struct instance *inst, const char *admin_identity_path,
                         struct age_identity **out, struct instance_error *err);

/*
 * Opens the instance's Ed25519 signing key (signing.key.age) with the admin
 * identity in admin_identity_path, checks it against the stored public key,
 * and writes the 64-byte secret key (libsodium's seed || pk form) to sk, which
 * the caller allocates with sodium_malloc and wipes.
 */
__attribute__((warn_unused_result)) enum instance_result
instance_signing_key(const struct instance *inst, const char *admin_identity_path,
                     uint8_t sk[static 64], struct instance_error *err);

#endif
