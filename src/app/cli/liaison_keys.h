/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison_keys: the keys the liaison commands and the liaison door exchange
 * bundles with (docs/liaison.md, "The liaison key"): the dedicated liaison
 * key (DIR/liaison-key.txt) when the instance has one, else (an instance
 * made before it) the admin identity and the instance signing key it opens.
 * And `cutout liaison keygen`, which makes or replaces the liaison key.
 */
#ifndef CUTOUT_APP_CLI_LIAISON_KEYS_H
#define CUTOUT_APP_CLI_LIAISON_KEYS_H

#include <stdbool.h>

#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/liaison/liaison.h"

#define LIAISON_KEYS_SIGN 1u /* the Ed25519 key (export, receipts, pulls, the card) */
#define LIAISON_KEYS_OPEN 2u /* the age identity bundles are sealed to (import) */

struct liaison_keys {
	struct age_identity *id;  /* the liaison key's identity, or the admin identity */
	struct age_identity *old; /* with the liaison key and OPEN: the admin identity when -i
	                             names it or DIR/admin-identity.txt is readable, else NULL */
	uint8_t *sk;              /* 64 bytes, sodium_malloc (SIGN) */
	bool dedicated;           /* the liaison key is used */
	char origin[LEDGER_ORIGIN_MAX + 1]; /* our key name (the ledger's origin) */
};

/*
 * Opens what `need` says (LIAISON_KEYS_*) for the instance in dir; ident: -i
 * (NULL: DIR/admin-identity.txt). CLI_EXIT_OK or an exit code (said).
 */
__attribute__((warn_unused_result)) int liaison_keys_open(const char *cmd, struct instance *inst,
                                                          const char *dir, const char *ident,
                                                          unsigned need, struct liaison_keys *k);
/* The liaison_self of these keys (identity, old identity, sk, marking map). */
void liaison_keys_self(const struct liaison_keys *k, const struct conf *cf,
                       struct liaison_self *self);
/* Wipes and frees. Safe on a zeroed or closed struct. */
void liaison_keys_close(struct liaison_keys *k);

/* Makes DIR/liaison-key.txt (mode 0600; noreplace: not over an existing one). CLI code. */
__attribute__((warn_unused_result)) int liaison_key_write(const char *cmd, const char *dir,
                                                          int noreplace, char *vkey, size_t vcap,
                                                          char *recipient, size_t rcap);

extern const char liaison_keygen_help[];
int liaison_keygen_main(int argc, char **argv);

#endif
