/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * witness_note: the witness key, its verifier key and the cosignature lines
 * (C2SP tlog-cosignature, Ed25519 cosignature/v1), and counting the valid
 * cosignatures of a note against a quorum's keys.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/witness/witness.h"

#include "lib/banned.h"

static const char em_dash[] = "\xe2\x80\x94 "; /* U+2014, space */
#define COSIG_LEN (4 + 8 + 64)

int witness_key_derive(const uint8_t signing_sk[static 64], uint8_t sk[static 64])
{
	uint8_t seed[32], pk[32];
	int rc = crypto_kdf_derive_from_key(seed, sizeof seed, 1, "cutwitns", signing_sk);
	if (rc == 0)
		rc = crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return rc == 0 ? 0 : -1;
}

void witness_name(const char *organisation, char out[static LEDGER_ORIGIN_MAX + 1])
{
	static const char ledger[] = "/cutout-ledger", witness[] = "/cutout-witness";
	ledger_origin(organisation, out);
	size_t n = strlen(out), l = sizeof ledger - 1;
	if (n >= l && n - l + sizeof witness <= LEDGER_ORIGIN_MAX + 1)
		memcpy(out + n - l, witness, sizeof witness);
}

void witness_key_id(const char *name, const uint8_t pk[static 32], uint8_t id[static 4])
{
	ledger_key_id_typed(name, LEDGER_KEY_COSIGNATURE, pk, id);
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > LEDGER_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
			return false;
	return true;
}

int witness_vkey(const char *name, const uint8_t pk[static 32], struct buf *out)
{
	return ledger_vkey_typed(name, LEDGER_KEY_COSIGNATURE, pk, out);
}

/* Strict standard base64 of exactly want bytes. */
static int b64_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	char tmp[sodium_base64_ENCODED_LEN(128, sodium_base64_VARIANT_ORIGINAL)];
	const char *end = NULL;
	size_t len = 0;
	if (want > 128 ||
	    n != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1 ||
	    sodium_base642bin(out, want, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) !=
	            0 ||
	    end != s + n || len != want)
		return -1;
	sodium_bin2base64(tmp, sizeof tmp, out, want, sodium_base64_VARIANT_ORIGINAL);
	return memcmp(tmp, s, n) == 0 ? 0 : -1;
}

int witness_vkey_parse(const char *text, size_t n, char name[static LEDGER_ORIGIN_MAX + 1],
                       uint8_t pk[static 32])
{
	return ledger_vkey_parse_typed(text, n, LEDGER_KEY_COSIGNATURE, name, pk);
}

/* "cosignature/v1\ntime T\n" || the checkpoint's body. */
static int cosig_message(const struct ledger_checkpoint *cp, uint64_t time, struct buf *m)
{
	if (buf_printf(m, "cosignature/v1\ntime %llu\n", (unsigned long long)time) != BUF_OK)
		return -1;
	return ledger_checkpoint_body(cp, m) == LEDGER_OK ? 0 : -1;
}

int witness_cosign(const char *name, const uint8_t sk[static 64],
                   const struct ledger_checkpoint *cp, uint64_t time, struct buf *out)
{
	uint8_t sig[COSIG_LEN];
	char b64[sodium_base64_ENCODED_LEN(COSIG_LEN, sodium_base64_VARIANT_ORIGINAL)];
	struct buf m;
	int rc = -1;
	buf_init(&m, 1024);
	if (time > (uint64_t)INT64_MAX || !name_ok(name, strnlen(name, LEDGER_ORIGIN_MAX + 1)) ||
	    cosig_message(cp, time, &m) != 0)
		goto out;
	witness_key_id(name, sk + 32, sig);
	for (int i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(time >> (56 - 8 * i));
	if (crypto_sign_detached(sig + 12, NULL, m.data, m.len, sk) != 0)
		goto out;
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	rc = buf_printf(out, "%s%s %s\n", em_dash, name, b64) == BUF_OK ? 0 : -1;
out:
	buf_release(&m);
	return rc;
}

enum ledger_result witness_cosig_verify(const char *line, size_t n, const char *name,
                                        const uint8_t pk[static 32],
                                        const struct ledger_checkpoint *cp, uint64_t *time)
{
	size_t dn = sizeof em_dash - 1, kn = strlen(name);
	uint8_t sig[COSIG_LEN], id[4];
	*time = 0;
	if (n < dn + kn + 2 || line[n - 1] != '\n' || memcmp(line, em_dash, dn) != 0 ||
	    memcmp(line + dn, name, kn) != 0 || line[dn + kn] != ' ')
		return LEDGER_BAD_INPUT;
	const char *b = line + dn + kn + 1;
	if (b64_exact(b, n - 1 - (size_t)(b - line), sig, sizeof sig) != 0)
		return LEDGER_BAD_INPUT;
	witness_key_id(name, pk, id);
	if (memcmp(id, sig, 4) != 0)
		return LEDGER_TAMPERED;
	uint64_t t = 0;
	for (int i = 0; i < 8; i++)
		t = t << 8 | sig[4 + i];
	if (t > (uint64_t)INT64_MAX)
		return LEDGER_TAMPERED;
	struct buf m;
	enum ledger_result r = LEDGER_FAILED;
	buf_init(&m, 1024);
	if (cosig_message(cp, t, &m) == 0)
		r = crypto_sign_verify_detached(sig + 12, m.data, m.len, pk) == 0 ? LEDGER_OK
		                                                                  : LEDGER_TAMPERED;
	buf_release(&m);
	if (r == LEDGER_OK)
		*time = t;
	return r;
}

int witness_count(const uint8_t *note, size_t n, const char *const *vkeys, size_t nkeys,
                  size_t *valid)
{
	struct ledger_checkpoint cp;
	*valid = 0;
	if (ledger_checkpoint_parse(note, n, &cp) != LEDGER_OK)
		return -1;
	const char *s = (const char *)note;
	size_t start = 0;
	for (size_t i = n - 1; i > 0; i--)
		if (s[i] == '\n' && s[i - 1] == '\n') {
			start = i + 1;
			break;
		}
	for (size_t k = 0; k < nkeys; k++) {
		char name[LEDGER_ORIGIN_MAX + 1];
		uint8_t pk[32];
		if (witness_vkey_parse(vkeys[k], strlen(vkeys[k]), name, pk) != 0)
			return -1;
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup = dup || strcmp(vkeys[j], vkeys[k]) == 0;
		if (dup)
			continue;
		for (size_t pos = start; pos < n;) {
			const char *nl = memchr(s + pos, '\n', n - pos);
			size_t ln = (size_t)(nl - (s + pos)) + 1;
			uint64_t t;
			if (witness_cosig_verify(s + pos, ln, name, pk, &cp, &t) == LEDGER_OK) {
				(*valid)++;
				break;
			}
			pos += ln;
		}
	}
	return 0;
}
