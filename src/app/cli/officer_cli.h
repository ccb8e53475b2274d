/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * officer_cli: how the CLI commands (officer, inbox) log an officer in.
 *
 * The name comes from --as NAME, else $CUTOUT_OFFICER, else the terminal; the
 * password from $CUTOUT_PASSWORD, else the terminal (echo off); the TOTP code
 * from $CUTOUT_TOTP, else the terminal. Secrets are read into sodium_malloc
 * memory and wiped. Every login failure prints the one generic message.
 */
#ifndef CUTOUT_APP_OFFICER_CLI_H
#define CUTOUT_APP_OFFICER_CLI_H

#include "core/instance/instance.h"
#include "core/officer/officer.h"

/* The officers module of an instance: its configured Argon2id limits, dir, issuer. */
__attribute__((warn_unused_result)) int officer_cli_open(const char *cmd, struct instance *inst,
                                                         struct officers **out);
/* Reads the officer's name (as_name, the environment, or the terminal). 0 or -1. */
__attribute__((warn_unused_result)) int officer_cli_name(const char *cmd, const char *as_name,
                                                         char out[OFFICER_NAME_MAX + 2]);
/* Logs in; 0 with *key set, or -1 with a message printed. need_roles: all required. */
__attribute__((warn_unused_result)) int officer_cli_login(const char *cmd, struct officers *o,
                                                          const char *as_name, unsigned need_roles,
                                                          struct officer_key **key);

/* A session of a command: the instance, the officers, the key and the registry. */
struct registry;
struct officer_cli_sess {
	struct instance *inst;
	struct officers *offs;
	struct officer_key *key;
	struct registry *reg;
};
/* Opens DIR (NULL: a usage error), logs --as in, opens the registry. A CLI exit code. */
__attribute__((warn_unused_result)) int
officer_cli_sess_open(const char *cmd, const char *dir, const char *as, struct officer_cli_sess *s);
void officer_cli_sess_close(struct officer_cli_sess *s);

/*
 * After officer `name` was added or changed as `as` (NULL: the instance's
 * admin identity, or the recovery key's session): the marking label keys
 * follow (registry_officer_changed). 0, or -1 with a message.
 */
__attribute__((warn_unused_result)) int officer_cli_labels_follow(const char *cmd,
                                                                  struct instance *inst,
                                                                  const struct officer_key *as,
                                                                  const char *name);

/*
 * For `cutout demo`: bootstraps an admin officer `name` with every role (with
 * DIR/admin-identity.txt), a generated passphrase (written to password, cap >=
 * CODENAME_BUFSIZE) and TOTP already enrolled (the secret in secret_b32, its
 * otpauth URI in uri), so the demo prints them. 0, or -1 with a message.
 */
__attribute__((warn_unused_result)) int
officer_cli_demo_admin(struct instance *inst, const char *name, char *password, size_t cap,
                       char secret_b32[TOTP_B32_MAX], char *uri, size_t uri_cap);

#endif
