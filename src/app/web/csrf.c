/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/web/csrf.h"

#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

_Static_assert(crypto_auth_KEYBYTES == 32, "the key is 32 bytes");
_Static_assert(crypto_auth_BYTES == 32, "the token is the base64url of 32 bytes");

void csrf_init(struct csrf *k)
{
	crypto_auth_keygen(k->key);
}

void csrf_init_shared(struct csrf *k, const uint8_t *seed, size_t len)
{
	static const uint8_t ctx[] = "cutout intake csrf key v1";
	_Static_assert(sizeof k->key >= crypto_generichash_BYTES_MIN &&
	                       sizeof k->key <= crypto_generichash_BYTES_MAX,
	               "a key generichash makes");
	if (seed == NULL || len < crypto_generichash_KEYBYTES_MIN ||
	    len > crypto_generichash_KEYBYTES_MAX) {
		csrf_init(k);
		return;
	}
	crypto_generichash(k->key, sizeof k->key, ctx, sizeof ctx - 1, seed, len);
}

void csrf_release(struct csrf *k)
{
	sodium_memzero(k->key, sizeof k->key);
}

void csrf_new_browser(char out[static CSRF_VALUE_LEN + 1])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, CSRF_VALUE_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

int csrf_is_browser(const char *s)
{
	uint8_t raw[32];
	size_t len;
	if (s == NULL || strlen(s) != CSRF_VALUE_LEN)
		return 0;
	int ok = sodium_base642bin(raw, sizeof raw, s, CSRF_VALUE_LEN, NULL, &len, NULL,
	                           sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	         len == sizeof raw;
	sodium_memzero(raw, sizeof raw);
	return ok;
}

int csrf_token(const struct csrf *k, const char *browser, char out[static CSRF_VALUE_LEN + 1])
{
	uint8_t mac[crypto_auth_BYTES];
	out[0] = 0;
	if (!csrf_is_browser(browser))
		return -1;
	crypto_auth(mac, (const uint8_t *)browser, CSRF_VALUE_LEN, k->key);
	sodium_bin2base64(out, CSRF_VALUE_LEN + 1, mac, sizeof mac,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int csrf_check(const struct csrf *k, const char *browser, const char *given)
{
	char want[CSRF_VALUE_LEN + 1];
	if (given == NULL || strlen(given) != CSRF_VALUE_LEN || csrf_token(k, browser, want) != 0)
		return 0;
	int ok = sodium_memcmp(given, want, CSRF_VALUE_LEN) == 0;
	sodium_memzero(want, sizeof want);
	return ok;
}
