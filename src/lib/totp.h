/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * totp: one-time passwords for the officers' second factor.
 *
 * - totp_code: RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA-1 (OpenSSL's
 *   libcrypto: libsodium has no SHA-1), a 30 s step from the Unix epoch, and
 *   6..9 digits (6 for logins; the RFC 6238 Appendix B vectors use 8).
 * - totp_verify: accepts the code of the current step or of one step before
 *   or after (clock drift), compared in constant time, and refuses any step
 *   <= last_step, so a code that has been used once (or an older one) is never
 *   accepted again. The caller stores the returned step as the new last_step.
 * - base32 (RFC 4648, upper case, no padding) for the secret as shown to the
 *   officer, and the otpauth:// URI that authenticator apps read from a QR code
 *   (Google Authenticator "Key Uri Format"), with its labels percent-encoded.
 *
 * The key is the shared secret (TOTP_KEY_LEN = 20 bytes, as RFC 4226 advises).
 * Nothing here allocates; the caller wipes keys.
 */
#ifndef CUTOUT_LIB_TOTP_H
#define CUTOUT_LIB_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_KEY_LEN 20  /* the secret we generate (160 bits) */
#define TOTP_KEY_MAX 64  /* the longest secret accepted */
#define TOTP_STEP 30     /* seconds */
#define TOTP_DIGITS 6    /* for logins */
#define TOTP_B32_MAX 104 /* base32 of TOTP_KEY_MAX bytes, + NUL */
#define TOTP_URI_MAX 512

/*
 * The HOTP value of the step holding unix_time, as an integer of `digits`
 * digits (6..9; print it zero-padded). -1 on a bad argument or library failure.
 */
__attribute__((warn_unused_result)) int totp_code(const uint8_t *key, size_t keylen,
                                                  uint64_t unix_time, unsigned digits);
/* The same for an explicit counter (HOTP, RFC 4226). */
__attribute__((warn_unused_result)) int totp_hotp(const uint8_t *key, size_t keylen,
                                                  uint64_t counter, unsigned digits);
/* The time step of unix_time (unix_time / 30). */
int64_t totp_step(uint64_t unix_time);

/*
 * Checks `code` (exactly TOTP_DIGITS decimal digits, nothing else) against the
 * steps t-1, t, t+1 of unix_time, skipping every step <= last_step. Returns
 * the matched step (> 0), or -1 (wrong, malformed, replayed, or failure).
 */
__attribute__((warn_unused_result)) int64_t totp_verify(const uint8_t *key, size_t keylen,
                                                        uint64_t unix_time, const char *code,
                                                        int64_t last_step);
/* Like totp_verify with a number of digits (6..9). */
__attribute__((warn_unused_result)) int64_t totp_verify_digits(const uint8_t *key, size_t keylen,
                                                               uint64_t unix_time, const char *code,
                                                               unsigned digits, int64_t last_step);

/*
 * RFC 4648 base32, upper case, no padding. Writes a NUL-terminated string;
 * returns its length, or -1 if it does not fit in cap.
 */
__attribute__((warn_unused_result)) int totp_base32(const uint8_t *key, size_t n, char *out,
                                                    size_t cap);
/*
 * Decodes base32 (either case; spaces and '=' padding ignored) into out.
 * Returns the number of bytes, or -1 on a bad character, non-zero trailing
 * bits, an impossible length, or more than cap bytes.
 */
__attribute__((warn_unused_result)) int totp_base32_decode(const char *s, uint8_t *out, size_t cap);

/*
 * "otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30"
 * with issuer and account percent-encoded (RFC 3986 unreserved bytes kept).
 * Returns the length, or -1 if it does not fit, or an argument is empty.
 */
__attribute__((warn_unused_result)) int totp_uri(const char *issuer, const char *account,
                                                 const char *secret_b32, char *out, size_t cap);

#endif
