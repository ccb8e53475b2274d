/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * The officer-facing parsers: base32 (TOTP secrets typed or pasted), TOTP code
 * checking, the roles list, and the password policy, on arbitrary bytes.
 * Checks: base32 round-trips; a parsed roles list formats back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/officer/officer.h"
#include "lib/password.h"
#include "lib/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	uint8_t key[TOTP_KEY_MAX];
	int n = totp_base32_decode(s, key, sizeof key);
	if (n > 0) {
		char b32[TOTP_B32_MAX], again[TOTP_B32_MAX];
		uint8_t key2[TOTP_KEY_MAX];
		if (totp_base32(key, (size_t)n, b32, sizeof b32) < 0 ||
		    totp_base32_decode(b32, key2, sizeof key2) != n ||
		    memcmp(key, key2, (size_t)n) != 0 ||
		    totp_base32(key2, (size_t)n, again, sizeof again) < 0 ||
		    strcmp(b32, again) != 0)
			abort();
		(void)totp_verify(key, (size_t)n, 1700000000, s, 0);
	}
	unsigned roles = 0;
	if (officer_roles_parse(s, &roles) == 0) {
		char out[OFFICER_ROLES_MAX];
		unsigned back = 0;
		if (officer_roles_format(roles, out, sizeof out) < 0 ||
		    officer_roles_parse(out, &back) != 0 || back != roles)
			abort();
	}
	(void)password_check(s, "alice");
	free(s);
	return 0;
}
