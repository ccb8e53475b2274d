/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * keys: an officer's keys at rest. Argon2id of the password gives a verifier
 * (stored) and a KEK (never stored) that wraps the officer's X25519 identity
 * and TOTP secret (officer.h). Nothing here touches the store.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/officer/officer_internal.h"
#include "lib/password.h"
#include "lib/secmem.h"

#include "lib/banned.h"

#define AD_MAX (32 + 1 + 8 + 4 + OFFICER_NAME_MAX)

/* ---- keys at rest ---- */

static size_t make_ad(uint8_t ad[static AD_MAX], const char *field, const struct store_officer *r,
                      uint32_t version)
{
	static const char tag[] = "cutout-officer-v1";
	size_t n = 0, fl = strlen(field), nl = strnlen(r->name, OFFICER_NAME_MAX);
	memcpy(ad + n, tag, sizeof tag);
	n += sizeof tag;
	memcpy(ad + n, field, fl);
	n += fl;
	ad[n++] = 0;
	for (int i = 0; i < 8; i++)
		ad[n++] = (uint8_t)((uint64_t)r->id >> (8 * i));
	for (int i = 0; i < 4; i++)
		ad[n++] = (uint8_t)(version >> (8 * i));
	memcpy(ad + n, r->name, nl);
	n += nl;
	return n;
}

int officer_wrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                        const struct store_officer *r, uint32_t version, const uint8_t *p, size_t n,
                        uint8_t *out, size_t cap, size_t *len)
{
	uint8_t ad[AD_MAX];
	size_t adn = make_ad(ad, field, r, version);
	if (n > cap || cap - n < NONCE_LEN + TAG_LEN)
		return -1;
	randombytes_buf(out, NONCE_LEN);
	unsigned long long cl = 0;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_LEN, &cl, p, n, ad, adn, NULL,
	                                               out, kek) != 0)
		return -1;
	*len = NONCE_LEN + (size_t)cl;
	return 0;
}

/* out must hold n - NONCE_LEN - TAG_LEN bytes. */
int officer_unwrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                          const struct store_officer *r, uint32_t version, const uint8_t *w,
                          size_t n, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t ad[AD_MAX];
	size_t adn = make_ad(ad, field, r, version);
	if (n < NONCE_LEN + TAG_LEN || n - NONCE_LEN - TAG_LEN > cap)
		return -1;
	unsigned long long ml = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &ml, NULL, w + NONCE_LEN, n - NONCE_LEN,
	                                               ad, adn, w, kek) != 0)
		return -1;
	*len = (size_t)ml;
	return 0;
}

/* Argon2id(password) -> seed (SEED_LEN bytes of secmem). */
int officer_derive(const char *password, const uint8_t salt[static STORE_OFFICER_SALT_LEN],
                   uint64_t ops, uint64_t mem, uint8_t *seed)
{
	size_t pl = password ? strnlen(password, PASSWORD_MAX_BYTES + 1) : 0;
	if (pl > PASSWORD_MAX_BYTES)
		pl = PASSWORD_MAX_BYTES; /* still do the work; the verifier will not match */
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_MAX)
		return -1;
	return crypto_pwhash(seed, SEED_LEN, password ? password : "", pl, salt,
	                     (unsigned long long)ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

enum officer_result officer_keys_prepare(struct officers *o, struct store_officer *r,
                                         const char *password, uint32_t version,
                                         struct officer_fresh_keys *fk)
{
	enum officer_result rc = OFFICER_FAILED;
	uint8_t *seed = secmem_alloc(SEED_LEN);
	struct age_identity *id = NULL;
	struct age_recipient *rcpt = NULL;

	memset(fk, 0, sizeof *fk);
	fk->kek = secmem_alloc(KEK_LEN);
	fk->text = secmem_alloc(ID_TEXT_CAP);
	if (seed == NULL || fk->kek == NULL || fk->text == NULL)
		goto out;
	r->version = version;
	randombytes_buf(r->salt, sizeof r->salt);
	r->opslimit = o->kdf.opslimit;
	r->memlimit = o->kdf.memlimit;
	if (officer_derive(password, r->salt, r->opslimit, r->memlimit, seed) != 0)
		goto out;
	memcpy(r->verifier, seed, STORE_OFFICER_VERIFIER_LEN);
	memcpy(fk->kek, seed + 32, KEK_LEN);
	if (age_identity_generate(&id) != AGE_OK || age_identity_recipient(id, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, r->pk) != AGE_OK ||
	    age_identity_format(id, fk->text, ID_TEXT_CAP) != AGE_OK)
		goto out;
	fk->tl = strlen(fk->text);
	r->wrapped_sk_len = 0;
	r->wrapped_totp_len = 0;
	rc = OFFICER_OK;
out:
	secmem_free(seed);
	age_identity_free(&id);
	age_recipient_free(&rcpt);
	if (rc != OFFICER_OK)
		officer_keys_wipe(fk);
	return rc;
}

int officer_keys_seal(const struct officer_fresh_keys *fk, struct store_officer *r)
{
	if (fk->kek == NULL || fk->text == NULL)
		return -1;
	return officer_wrap_secret(fk->kek, "sk", r, r->version, (const uint8_t *)fk->text, fk->tl,
	                           r->wrapped_sk, sizeof r->wrapped_sk, &r->wrapped_sk_len);
}

void officer_keys_wipe(struct officer_fresh_keys *fk)
{
	secmem_free(fk->kek); /* wipes */
	secmem_free(fk->text);
	memset(fk, 0, sizeof *fk);
}
