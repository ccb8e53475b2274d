/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * aead: the bulk ChaCha20-Poly1305 (RFC 8439) for age's STREAM payload.
 *
 * It wraps OpenSSL 3's EVP interface, which is about three times faster than
 * libsodium's on these machines; everything else in cutout uses libsodium.
 * One context is created per stream and reused for every chunk: the key is
 * set once, each call supplies a 12-byte nonce. No associated data.
 */
#ifndef CUTOUT_LIB_AEAD_H
#define CUTOUT_LIB_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_SIZE 32
#define AEAD_NONCE_SIZE 12
#define AEAD_TAG_SIZE 16

struct aead;

/* Returns NULL on allocation or library failure. encrypt: 1 seal, 0 open. */
struct aead *aead_new(const uint8_t key[static AEAD_KEY_SIZE], int encrypt);
void aead_free(struct aead **a);
/* A second context with the same key and direction (for another thread). NULL on failure. */
struct aead *aead_dup(const struct aead *a);
/* 1 if a seals, 0 if it opens. */
int aead_is_encrypt(const struct aead *a);

/* out receives n bytes of ciphertext then the tag. Returns 0 or -1. */
__attribute__((warn_unused_result)) int aead_seal(struct aead *a,
                                                  const uint8_t nonce[static AEAD_NONCE_SIZE],
                                                  const uint8_t *in, size_t n, uint8_t *out);
/*
 * in holds n >= 16 bytes (ciphertext then tag); out receives n - 16 bytes.
 * Returns 0, or -1 if the tag does not verify (out must then be discarded).
 */
__attribute__((warn_unused_result)) int aead_open(struct aead *a,
                                                  const uint8_t nonce[static AEAD_NONCE_SIZE],
                                                  const uint8_t *in, size_t n, uint8_t *out);

#endif
