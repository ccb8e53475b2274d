/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison_key: the instance's dedicated liaison key (docs/liaison.md, "The
 * liaison key"). One file, liaison-key.txt (mode 0600), holds an age X25519
 * identity: partners seal their bundles to its recipient. The Ed25519 key
 * that signs our bundles, receipts, pulls and card is derived from its
 * X25519 secret with libsodium's KDF (crypto_kdf_derive_from_key, context
 * "cutliais", subkey 1), as the witness key is from the signing key.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/liaison_internal.h"
#include "lib/age/bech32.h"

#include "lib/banned.h"

static const char key_hrp[] = "AGE-SECRET-KEY-";

/* The Ed25519 key (libsodium's 64-byte form) derived from the X25519 secret x. 0 or -1. */
static int derive(const uint8_t x[static 32], uint8_t sk[static 64])
{
	uint8_t seed[32], pk[32];
	int rc = crypto_kdf_derive_from_key(seed, sizeof seed, 1, "cutliais", x);
	if (rc == 0)
		rc = crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return rc == 0 ? 0 : -1;
}

enum liaison_result liaison_key_make(struct buf *out)
{
	uint8_t *x = sodium_malloc(32), *sk = sodium_malloc(64);
	char *text = sodium_malloc(AGE_IDENTITY_STRLEN + 1);
	char rtext[AGE_RECIPIENT_STRLEN + 1];
	struct age_identity *id = NULL;
	struct age_recipient *rcp = NULL;
	enum liaison_result rc = LIAISON_FAILED;
	if (x == NULL || sk == NULL || text == NULL)
		goto out;
	randombytes_buf(x, 32);
	if (age_identity_from_x25519(x, &id) != AGE_OK ||
	    age_identity_format(id, text, AGE_IDENTITY_STRLEN + 1) != AGE_OK ||
	    age_identity_recipient(id, &rcp) != AGE_OK ||
	    age_recipient_format(rcp, rtext, sizeof rtext) != AGE_OK || derive(x, sk) != 0)
		goto out;
	if (buf_printf(
	            out,
	            "# cutout liaison key (docs/liaison.md): partners seal their bundles to\n"
	            "# its recipient; bundles, receipts and the partner card are signed with\n"
	            "# the Ed25519 key derived from it. Only the liaison door and the liaison\n"
	            "# commands open it. Its theft lets one read the bundles partners send and\n"
	            "# sign bundles and receipts as this instance; not the reports stored here.\n"
	            "# recipient: %s\n%s\n",
	            rtext, text) != BUF_OK)
		goto out;
	rc = LIAISON_OK;
out:
	if (text != NULL)
		sodium_memzero(text, AGE_IDENTITY_STRLEN + 1);
	sodium_free(text);
	sodium_free(x);
	sodium_free(sk);
	age_identity_free(&id);
	age_recipient_free(&rcp);
	return rc;
}

enum liaison_result liaison_key_open(const uint8_t *p, size_t n, struct age_identity **id,
                                     uint8_t sk[static 64])
{
	char hrp[32];
	uint8_t *x = sodium_malloc(64);
	char *line = sodium_malloc(AGE_IDENTITY_STRLEN + 1);
	size_t len = 0;
	enum liaison_result rc = LIAISON_BAD_INPUT;
	*id = NULL;
	if (x == NULL || line == NULL) {
		rc = LIAISON_FAILED;
		goto out;
	}
	if (p == NULL || n == 0 || n > 4096 ||
	    age_identity_from_text((const char *)p, n, id) != AGE_OK ||
	    age_identity_format(*id, line, AGE_IDENTITY_STRLEN + 1) != AGE_OK ||
	    bech32_decode(line, hrp, sizeof hrp, x, 64, &len) != BECH32_OK || len != 32 ||
	    strcmp(hrp, key_hrp) != 0)
		goto out;
	if (derive(x, sk) != 0) {
		rc = LIAISON_FAILED;
		goto out;
	}
	rc = LIAISON_OK;
out:
	if (line != NULL)
		sodium_memzero(line, AGE_IDENTITY_STRLEN + 1);
	sodium_free(line);
	sodium_free(x);
	if (rc != LIAISON_OK)
		age_identity_free(id);
	return rc;
}

enum liaison_result liaison_key_record(struct registry *r, const struct officer_key *as,
                                       const char *vkey, const char *recipient,
                                       struct liaison_error *err)
{
	struct access_subject subj;
	char actor[LEDGER_TOKEN_MAX + 1], detail[LEDGER_DETAIL_MAX + 1];
	enum liaison_result rc = li_subject(r, as, ACCESS_ROLE_ADMIN, &subj, err);
	if (rc != LIAISON_OK)
		return rc;
	if (vkey == NULL || recipient == NULL || li_actor(as, actor) != 0)
		return LIAISON_BAD_INPUT;
	int k = snprintf(detail, sizeof detail, "key %s age %s", vkey, recipient);
	if (k < 0 || (size_t)k >= sizeof detail)
		return LIAISON_BAD_INPUT;
	return li_log(registry_store(r), LEDGER_LIAISON_KEY, actor, NULL, 0, NULL, detail) ==
	                       STORE_OK
	               ? LIAISON_OK
	               : LIAISON_FAILED;
}
