/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/age/hkdf.h"

#include <sodium.h>
#include <string.h>

#include "lib/banned.h"

int hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *ikm, size_t ikm_len,
                const uint8_t *salt, size_t salt_len, const uint8_t *info, size_t info_len)
{
	static const uint8_t empty[1];
	uint8_t prk[32], t[32];
	crypto_auth_hmacsha256_state st;

	if (out_len > 255 * 32)
		return -1;
	crypto_auth_hmacsha256_init(&st, salt_len ? salt : empty, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm_len ? ikm : empty, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);

	size_t done = 0;
	for (uint8_t i = 1; done < out_len; i++) {
		uint8_t ctr = i;
		crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
		if (i > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof t);
		crypto_auth_hmacsha256_update(&st, info_len ? info : empty, info_len);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		size_t take = out_len - done < 32 ? out_len - done : 32;
		memcpy(out + done, t, take);
		done += take;
	}
	sodium_memzero(prk, sizeof prk);
	sodium_memzero(t, sizeof t);
	sodium_memzero(&st, sizeof st);
	return 0;
}
