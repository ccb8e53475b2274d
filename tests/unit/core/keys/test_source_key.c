/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include <sodium.h>

#include "core/keys/source_key.h"
#include "lib/codename.h"
#include "t.h"

/* Low limits for speed; the derivation is the same function. */
#define OPS 1
#define MEM (8u * 1024 * 1024)

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	uint8_t salt[SOURCE_KEY_SALT_LEN], salt2[SOURCE_KEY_SALT_LEN];
	char cn[CODENAME_BUFSIZE];
	struct source_key *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
	randombytes_buf(salt, sizeof salt);
	memcpy(salt2, salt, sizeof salt);
	salt2[0] ^= 1;
	if (codename_generate(cn, sizeof cn) != CODENAME_OK)
		return 1;

	T_CHECK(source_key_derive(cn, salt, OPS, MEM, &a) == SOURCE_KEY_OK && a != NULL);
	T_CHECK(source_key_derive(cn, salt, OPS, MEM, &b) == SOURCE_KEY_OK && b != NULL);
	T_OK(a && b && memcmp(a, b, sizeof *a) == 0, "same codename and salt: same keys");
	T_CHECK(source_key_derive(cn, salt2, OPS, MEM, &c) == SOURCE_KEY_OK);
	T_OK(a && c && memcmp(a->lookup, c->lookup, 32) != 0 && memcmp(a->pk, c->pk, 32) != 0,
	     "another salt: other lookup and key");
	T_OK(a && memcmp(a->lookup, a->pk, 32) != 0 && memcmp(a->lookup, a->sk, 32) != 0,
	     "lookup is neither pk nor sk");
	uint8_t pk[32];
	T_OK(a && crypto_scalarmult_base(pk, a->sk) == 0 && memcmp(pk, a->pk, 32) == 0,
	     "pk = X25519(sk)");

	/* The derivation as specified, recomputed here. */
	uint8_t seed[64], lookup[32];
	const uint8_t personal[16] = {'c', 'u', 't', 'o', 'u', 't', '-', 'l',
	                              'o', 'o', 'k', 'u', 'p', '-', 'v', '1'};
	int ok = crypto_pwhash(seed, 64, cn, strlen(cn), salt, OPS, MEM,
	                       crypto_pwhash_ALG_ARGON2ID13) == 0 &&
	         crypto_generichash_blake2b_salt_personal(lookup, 32, seed, 32, NULL, 0, NULL,
	                                                  personal) == 0;
	T_OK(ok && a && memcmp(a->sk, seed + 32, 32) == 0, "sk = Argon2id(...)[32..64)");
	T_OK(ok && a && memcmp(a->lookup, lookup, 32) == 0,
	     "lookup = BLAKE2b(Argon2id(...)[0..32), personal cutout-lookup-v1)");
	sodium_memzero(seed, sizeof seed);

	/* What the source types is normalized. */
	char typed[CODENAME_BUFSIZE * 3];
	size_t j = 0;
	typed[j++] = ' ';
	for (size_t i = 0; cn[i] != 0; i++) {
		char ch = cn[i];
		if (ch == ' ') {
			typed[j++] = ' ';
			typed[j++] = '\t';
		} else {
			typed[j++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
		}
	}
	typed[j++] = '\n';
	typed[j] = 0;
	T_CHECK(source_key_derive(typed, salt, OPS, MEM, &d) == SOURCE_KEY_OK);
	T_OK(a && d && memcmp(a, d, sizeof *a) == 0, "capitals and extra spaces: same keys");

	/* Another codename: other keys. */
	char cn2[CODENAME_BUFSIZE];
	T_CHECK(codename_generate(cn2, sizeof cn2) == CODENAME_OK);
	T_CHECK(source_key_derive(cn2, salt, OPS, MEM, &e) == SOURCE_KEY_OK);
	T_OK(a && e && memcmp(a->lookup, e->lookup, 32) != 0 && memcmp(a->sk, e->sk, 32) != 0,
	     "another codename: other keys");

	struct source_key *x = (struct source_key *)1;
	T_CHECK(source_key_derive("not a codename", salt, OPS, MEM, &x) ==
	                SOURCE_KEY_ERR_CODENAME &&
	        x == NULL);
	T_CHECK(source_key_derive(cn, salt, 0, MEM, &x) == SOURCE_KEY_ERR_LIMITS && x == NULL);
	T_CHECK(source_key_derive(cn, salt, OPS, 1024, &x) == SOURCE_KEY_ERR_LIMITS && x == NULL);

	source_key_free(&a);
	T_CHECK(a == NULL);
	source_key_free(&a);
	source_key_free(NULL);
	source_key_free(&b);
	source_key_free(&c);
	source_key_free(&d);
	source_key_free(&e);
	sodium_memzero(cn, sizeof cn);
	sodium_memzero(typed, sizeof typed);
	return t_done();
}
