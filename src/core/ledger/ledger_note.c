/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_note: the C2SP signed-note pieces other signed texts reuse (partner
 * cards and bundles, core/liaison): a verifier key read back from its text
 * form, and one signature line "— name base64(key id || Ed25519 signature)"
 * made and checked over a message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"

#include "lib/banned.h"

static const char em_dash[] = "\xe2\x80\x94 "; /* U+2014, space */

int ledger_b64_strict(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	char tmp[sodium_base64_ENCODED_LEN(128, sodium_base64_VARIANT_ORIGINAL)];
	const char *end = NULL;
	if (n == 0 || n % 4 != 0 || cap > 128 ||
	    sodium_base642bin(out, cap, s, n, NULL, len, &end, sodium_base64_VARIANT_ORIGINAL) !=
	            0 ||
	    end != s + n)
		return -1;
	sodium_bin2base64(tmp, sizeof tmp, out, *len, sodium_base64_VARIANT_ORIGINAL);
	return strlen(tmp) == n && memcmp(tmp, s, n) == 0 ? 0 : -1;
}

/* A key name: printable ASCII without '+' or space, 1..LEDGER_ORIGIN_MAX bytes. */
static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > LEDGER_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
			return false;
	return true;
}

int ledger_vkey_parse(const char *text, size_t n, char name[static LEDGER_ORIGIN_MAX + 1],
                      uint8_t pk[static 32])
{
	return ledger_vkey_parse_typed(text, n, LEDGER_KEY_ED25519, name, pk);
}

int ledger_vkey_parse_typed(const char *text, size_t n, uint8_t type,
                            char name[static LEDGER_ORIGIN_MAX + 1], uint8_t pk[static 32])
{
	const char *p1 = memchr(text, '+', n);
	if (p1 == NULL)
		return -1;
	size_t nl = (size_t)(p1 - text);
	const char *p2 = memchr(p1 + 1, '+', n - nl - 1);
	if (p2 == NULL || p2 - p1 - 1 != 8 || !name_ok(text, nl))
		return -1;
	uint8_t k[33], id[4];
	size_t len = 0;
	const char *b = p2 + 1;
	if (ledger_b64_strict(b, n - (size_t)(b - text), k, sizeof k, &len) != 0 || len != 33 ||
	    k[0] != type)
		return -1;
	memcpy(name, text, nl);
	name[nl] = '\0';
	ledger_key_id_typed(name, type, k + 1, id);
	char want[9];
	if (snprintf(want, sizeof want, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]) != 8 ||
	    memcmp(want, p1 + 1, 8) != 0)
		return -1;
	memcpy(pk, k + 1, 32);
	return 0;
}

int ledger_note_sign(const char *name, const uint8_t sk[static 64], const uint8_t *msg, size_t n,
                     struct buf *out)
{
	uint8_t sig[4 + LEDGER_SIG_LEN];
	char b64[sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL)];
	if (!name_ok(name, strnlen(name, LEDGER_ORIGIN_MAX + 1)))
		return -1;
	ledger_key_id(name, sk + 32, sig);
	if (crypto_sign_detached(sig + 4, NULL, msg, n, sk) != 0)
		return -1;
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	return buf_printf(out, "%s%s %s\n", em_dash, name, b64) == BUF_OK ? 0 : -1;
}

enum ledger_result ledger_note_verify(const char *line, size_t n, const char *name,
                                      const uint8_t pk[static 32], const uint8_t *msg, size_t mlen)
{
	size_t dn = sizeof em_dash - 1, kn = strlen(name);
	uint8_t sig[4 + LEDGER_SIG_LEN], id[4];
	size_t len = 0;
	if (n < dn + kn + 2 || line[n - 1] != '\n' || memcmp(line, em_dash, dn) != 0 ||
	    memcmp(line + dn, name, kn) != 0 || line[dn + kn] != ' ')
		return LEDGER_BAD_INPUT;
	const char *b = line + dn + kn + 1;
	if (ledger_b64_strict(b, n - 1 - (size_t)(b - line), sig, sizeof sig, &len) != 0 ||
	    len != sizeof sig)
		return LEDGER_BAD_INPUT;
	ledger_key_id(name, pk, id);
	if (memcmp(id, sig, 4) != 0 || crypto_sign_verify_detached(sig + 4, msg, mlen, pk) != 0)
		return LEDGER_TAMPERED;
	return LEDGER_OK;
}
