/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * source_key: a source's keys, derived from their codename.
 *
 *   seed   = Argon2id(normalized codename, instance salt (16 bytes),
 *                     opslimit, memlimit) -> 64 bytes
 *   lookup = BLAKE2b-256(seed[0..32), personal "cutout-lookup-v1")
 *   sk     = seed[32..64)  (X25519 secret key; clamped by X25519 itself)
 *   pk     = X25519(sk, basepoint)
 *
 * The store keeps only lookup (to find the source at login) and pk (replies
 * are sealed to it). sk is never stored: a logged-in source's replies are
 * opened with the sk derived from the codename in the request, then wiped.
 *
 * The codename is normalized first (lib/codename.h), so a source typing it
 * with capitals or extra spaces gets the same keys. The Argon2id limits must
 * never change for an instance once sources exist: they are part of the key.
 *
 * struct source_key lives in sodium_malloc memory and is wiped when freed.
 */
#ifndef CUTOUT_CORE_SOURCE_KEY_H
#define CUTOUT_CORE_SOURCE_KEY_H

#include <stddef.h>
#include <stdint.h>

#define SOURCE_KEY_SALT_LEN 16
#define SOURCE_KEY_LOOKUP_LEN 32
#define SOURCE_KEY_PK_LEN 32
#define SOURCE_KEY_SK_LEN 32
/* The defaults: about 0.1-0.15 s per derivation on one core of the reference machine. */
#define SOURCE_KEY_DEFAULT_OPSLIMIT 2
#define SOURCE_KEY_DEFAULT_MEMLIMIT (64u * 1024 * 1024)

struct source_key {
	uint8_t lookup[SOURCE_KEY_LOOKUP_LEN];
	uint8_t pk[SOURCE_KEY_PK_LEN];
	uint8_t sk[SOURCE_KEY_SK_LEN]; /* secret */
};

enum source_key_result {
	SOURCE_KEY_OK = 0,
	SOURCE_KEY_ERR_CODENAME, /* not a codename (not 7 words of the list) */
	SOURCE_KEY_ERR_LIMITS,   /* opslimit/memlimit outside what Argon2id accepts */
	SOURCE_KEY_ERR_NOMEM,    /* also: Argon2id could not get its memory */
	SOURCE_KEY_ERR_CRYPTO,
};

const char *source_key_strerror(enum source_key_result r);

/*
 * Derives the keys of the source holding `codename` (as typed; it is
 * normalized here). *out is allocated with sodium_malloc; free it with
 * source_key_free().
 */
__attribute__((warn_unused_result)) enum source_key_result
source_key_derive(const char *codename, const uint8_t salt[static SOURCE_KEY_SALT_LEN],
                  uint64_t opslimit, size_t memlimit, struct source_key **out);

/* Wipes and frees *k; sets *k to NULL. Accepts NULL. */
void source_key_free(struct source_key **k);

#endif
