/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * password: the officers' password policy (NIST SP 800-63B style: length and a
 * blocklist, no composition rules).
 *
 * A password is accepted when it is valid UTF-8, has at least PASSWORD_MIN
 * code points and at most PASSWORD_MAX_BYTES bytes, is not the user name
 * (compared case-insensitively), and is not in the list of common passwords
 * compiled into the binary (data/common_passwords.txt, see its header for the
 * source and licence), compared case-insensitively (ASCII folding) by binary
 * search. The check is not secret-dependent in any way that matters: the
 * caller wipes the password.
 */
#ifndef CUTOUT_LIB_PASSWORD_H
#define CUTOUT_LIB_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN 12         /* code points */
#define PASSWORD_MAX_BYTES 1024 /* bytes of UTF-8; a buffer of PASSWORD_MAX_BYTES + 1 holds any */

enum password_verdict {
	PASSWORD_OK = 0,
	PASSWORD_TOO_SHORT,
	PASSWORD_TOO_LONG,
	PASSWORD_COMMON, /* in the list of common passwords, or the user name */
	PASSWORD_NOT_UTF8,
};

/* username may be NULL. */
enum password_verdict password_check(const char *pw, const char *username);
const char *password_verdict_str(enum password_verdict v);

/* True if pw is in the common list (case-insensitively). For tests and tools. */
int password_is_common(const char *pw);
/* The number of entries compiled in. */
size_t password_common_count(void);

#endif
