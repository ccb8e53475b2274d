/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * csrf: the forms' CSRF tokens of both doors, kept by nobody.
 *
 * A browser gets a random value in a cookie (csrf_new_browser: 32 random
 * bytes, base64url); every form it is shown carries the MAC of that value
 * under a per-process random key (crypto_auth, HMAC-SHA512-256). A POST is
 * accepted when its form's token is the MAC of the cookie it came with,
 * compared in constant time. So an anonymous page costs the server nothing
 * (no table entry to fill), a token of another browser or a forged one is
 * refused, and a restart of the door invalidates every form shown before.
 * A page of another site can neither read the cookie nor the token.
 */
#ifndef CUTOUT_APP_CSRF_H
#define CUTOUT_APP_CSRF_H

#include <stddef.h>
#include <stdint.h>

#define CSRF_VALUE_LEN 43 /* base64url of 32 bytes, no padding: the cookie and the token */

struct csrf {
	uint8_t key[32];
};

/* A fresh per-process key. */
void csrf_init(struct csrf *k);
/*
 * The key derived from an instance's secret seed instead: every node of one instance
 * (issue 15 §2) checks the tokens the others made (a form got on one, sent to another).
 */
void csrf_init_shared(struct csrf *k, const uint8_t *seed, size_t len);
/* Wipes the key. */
void csrf_release(struct csrf *k);

/* A fresh browser value (for the cookie). */
void csrf_new_browser(char out[static CSRF_VALUE_LEN + 1]);
/* Whether s has the shape of a browser value (43 base64url characters). */
int csrf_is_browser(const char *s);
/* The forms' token for browser (a browser value). Returns 0, or -1 if it is malformed. */
__attribute__((warn_unused_result)) int csrf_token(const struct csrf *k, const char *browser,
                                                   char out[static CSRF_VALUE_LEN + 1]);
/* 1 if given is the token of browser, else 0 (a NULL, malformed or other token). */
int csrf_check(const struct csrf *k, const char *browser, const char *given);

#endif
