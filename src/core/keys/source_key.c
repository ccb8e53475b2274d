/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/keys/source_key.h"

#include <string.h>

#include <sodium.h>

#include "lib/codename.h"

#include "lib/banned.h"

/* BLAKE2b personalisation: exactly crypto_generichash_blake2b_PERSONALBYTES (16). */
static const uint8_t lookup_personal[crypto_generichash_blake2b_PERSONALBYTES] = "cutout-lookup-v1";

const char *source_key_strerror(enum source_key_result r)
{
	switch (r) {
	case SOURCE_KEY_OK:
		return "ok";
	case SOURCE_KEY_ERR_CODENAME:
		return "not a valid codename";
	case SOURCE_KEY_ERR_LIMITS:
		return "Argon2id limits out of range";
	case SOURCE_KEY_ERR_NOMEM:
		return "out of memory";
	case SOURCE_KEY_ERR_CRYPTO:
		return "key derivation failed";
	}
	return "unknown source key error";
}

enum source_key_result source_key_derive(const char *codename,
                                         const uint8_t salt[static SOURCE_KEY_SALT_LEN],
                                         uint64_t opslimit, size_t memlimit,
                                         struct source_key **out)
{
	_Static_assert(SOURCE_KEY_SALT_LEN == crypto_pwhash_argon2id_SALTBYTES, "salt length");
	enum source_key_result rc = SOURCE_KEY_OK;
	char *norm = NULL;
	uint8_t *seed = NULL;
	struct source_key *k = NULL;

	*out = NULL;
	if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
	    opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
	    memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
	    memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX)
		return SOURCE_KEY_ERR_LIMITS;
	norm = sodium_malloc(CODENAME_BUFSIZE);
	seed = sodium_malloc(64);
	k = sodium_malloc(sizeof *k);
	if (norm == NULL || seed == NULL || k == NULL) {
		rc = SOURCE_KEY_ERR_NOMEM;
		goto out;
	}
	if (codename_normalize(codename, norm, CODENAME_BUFSIZE) != CODENAME_OK) {
		rc = SOURCE_KEY_ERR_CODENAME;
		goto out;
	}
	if (crypto_pwhash(seed, 64, norm, strlen(norm), salt, opslimit, memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = SOURCE_KEY_ERR_NOMEM; /* libsodium fails here only for lack of memory */
		goto out;
	}
	if (crypto_generichash_blake2b_salt_personal(k->lookup, sizeof k->lookup, seed, 32, NULL, 0,
	                                             NULL, lookup_personal) != 0) {
		rc = SOURCE_KEY_ERR_CRYPTO;
		goto out;
	}
	memcpy(k->sk, seed + 32, 32);
	if (crypto_scalarmult_base(k->pk, k->sk) != 0) {
		rc = SOURCE_KEY_ERR_CRYPTO;
		goto out;
	}
	*out = k;
	k = NULL;
out:
	if (norm != NULL)
		sodium_memzero(norm, CODENAME_BUFSIZE);
	if (seed != NULL)
		sodium_memzero(seed, 64);
	sodium_free(norm);
	sodium_free(seed);
	source_key_free(&k);
	return rc;
}

void source_key_free(struct source_key **k)
{
	if (k == NULL || *k == NULL)
		return;
	sodium_memzero(*k, sizeof **k);
	sodium_free(*k);
	*k = NULL;
}
