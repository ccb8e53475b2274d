/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * hkdf: HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256.
 *
 * out_len is at most 255 * 32. An empty salt means a zero-length HMAC key
 * (as RFC 5869 says for an absent salt, which pads to the same block).
 * Intermediate keys are wiped.
 */
#ifndef CUTOUT_LIB_HKDF_H
#define CUTOUT_LIB_HKDF_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0, or -1 if out_len is too large. */
__attribute__((warn_unused_result)) int hkdf_sha256(uint8_t *out, size_t out_len,
                                                    const uint8_t *ikm, size_t ikm_len,
                                                    const uint8_t *salt, size_t salt_len,
                                                    const uint8_t *info, size_t info_len);

#endif
