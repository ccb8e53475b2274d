/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_age_header: feeds arbitrary bytes to the age decryptor (header parser,
 * stanza unwrapping, MAC, STREAM) with a fixed X25519 identity and a
 * low-work-factor passphrase, in two pieces split at the first input byte.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/age/age.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const uint8_t *p, size_t n)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct age_identity *ids[2];
	if (ids[0] == NULL) {
		if (sodium_init() < 0 ||
		    age_identity_parse(
		            "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR4"
		            "8UAWX40Q2P2LM0",
		            &ids[0]) != AGE_OK ||
		    age_identity_scrypt("password", 8, 10, &ids[1]) != AGE_OK)
			__builtin_trap();
	}
	struct age_decryptor *d = NULL;
	if (age_decrypt_begin((const struct age_identity *const *)ids, 2, sink, NULL, &d) != AGE_OK)
		__builtin_trap();
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;
	if (age_decrypt_update(d, data, cut) == AGE_OK &&
	    age_decrypt_update(d, data + cut, size - cut) == AGE_OK)
		(void)age_decrypt_finish(d);
	age_decryptor_free(&d);
	return 0;
}
