/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bech32: BIP 173 Bech32 (not Bech32m) encoding, as age uses it for keys.
 *
 * Unlike BIP 173 there is no 90-character limit (age identities are longer).
 * Decoding rejects mixed case, characters outside the alphabet, a bad
 * checksum and data whose 5-to-8-bit conversion leaves non-zero padding.
 * The returned HRP keeps the case of the input, so callers can insist on
 * "age" (lower) or "AGE-SECRET-KEY-" (upper). Work is independent of the
 * data values (table lookups aside), so it can carry secret keys.
 */
#ifndef CUTOUT_LIB_BECH32_H
#define CUTOUT_LIB_BECH32_H

#include <stddef.h>
#include <stdint.h>

enum bech32_result {
	BECH32_OK = 0,
	BECH32_BAD,       /* malformed input or wrong checksum */
	BECH32_TOO_LARGE, /* output does not fit */
};

/*
 * Encodes hrp + "1" + data + checksum into out (with a NUL). upper: emit
 * upper case (the HRP is copied as given, so pass it in the same case).
 */
__attribute__((warn_unused_result)) enum bech32_result
bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper, char *out, size_t cap);

/*
 * Decodes s. hrp receives the human-readable part (NUL-terminated, case as in
 * s); data receives the 8-bit payload and *len its length.
 */
__attribute__((warn_unused_result)) enum bech32_result bech32_decode(const char *s, char *hrp,
                                                                     size_t hrp_cap, uint8_t *data,
                                                                     size_t data_cap, size_t *len);

#endif
