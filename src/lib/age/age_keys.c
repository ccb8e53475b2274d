/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_keys: X25519 and scrypt recipients and identities, and their Bech32
 * string forms ("age1..." and "AGE-SECRET-KEY-1...").
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/age/age_internal.h"
#include "lib/secmem.h"
#include "lib/age/bech32.h"
#include "lib/banned.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "AGE-SECRET-KEY-"
#define MAX_PASSPHRASE (64 * 1024)

void age_recipient_free(struct age_recipient **r)
{
	if (r == NULL || *r == NULL)
		return;
	secmem_free((*r)->pass);
	sodium_memzero(*r, sizeof **r);
	free(*r);
	*r = NULL;
}

void age_identity_free(struct age_identity **id)
{
	if (id == NULL || *id == NULL)
		return;
	secmem_free((*id)->sk);
	secmem_free((*id)->pass);
	sodium_memzero(*id, sizeof **id);
	free(*id);
	*id = NULL;
}

enum age_err age_recipient_from_x25519(const uint8_t pk[static 32], struct age_recipient **out)
{
	struct age_recipient *r = calloc(1, sizeof *r);
	*out = NULL;
	if (r == NULL)
		return AGE_ERR_NOMEM;
	r->kind = AGE_KIND_X25519;
	memcpy(r->pk, pk, 32);
	*out = r;
	return AGE_OK;
}

enum age_err age_recipient_parse(const char *s, struct age_recipient **out)
{
	char hrp[8];
	uint8_t pk[40];
	size_t len = 0;
	*out = NULL;
	if (s == NULL || strlen(s) != AGE_RECIPIENT_STRLEN)
		return AGE_ERR_ARG;
	if (bech32_decode(s, hrp, sizeof hrp, pk, sizeof pk, &len) != BECH32_OK || len != 32 ||
	    strcmp(hrp, RECIPIENT_HRP) != 0)
		return AGE_ERR_ARG;
	return age_recipient_from_x25519(pk, out);
}

enum age_err age_recipient_scrypt(const char *pass, size_t len, int work_factor,
                                  struct age_recipient **out)
{
	*out = NULL;
	if (pass == NULL || len == 0 || len > MAX_PASSPHRASE || work_factor < 1 || work_factor > 30)
		return AGE_ERR_ARG;
	struct age_recipient *r = calloc(1, sizeof *r);
	if (r == NULL)
		return AGE_ERR_NOMEM;
	r->pass = secmem_alloc(len);
	if (r->pass == NULL) {
		age_recipient_free(&r);
		return AGE_ERR_NOMEM;
	}
	memcpy(r->pass, pass, len);
	r->pass_len = len;
	r->kind = AGE_KIND_SCRYPT;
	r->work_factor = work_factor;
	*out = r;
	return AGE_OK;
}

enum age_err age_recipient_format(const struct age_recipient *r, char *out, size_t cap)
{
	if (r == NULL || r->kind != AGE_KIND_X25519 || cap < AGE_RECIPIENT_STRLEN + 1)
		return AGE_ERR_ARG;
	if (bech32_encode(RECIPIENT_HRP, r->pk, 32, 0, out, cap) != BECH32_OK)
		return AGE_ERR_ARG;
	return AGE_OK;
}

enum age_err age_recipient_x25519(const struct age_recipient *r, uint8_t pk[static 32])
{
	if (r == NULL || r->kind != AGE_KIND_X25519)
		return AGE_ERR_ARG;
	memcpy(pk, r->pk, 32);
	return AGE_OK;
}

enum age_err age_identity_from_x25519(const uint8_t sk[static 32], struct age_identity **out)
{
	struct age_identity *id = calloc(1, sizeof *id);
	*out = NULL;
	if (id == NULL)
		return AGE_ERR_NOMEM;
	id->kind = AGE_KIND_X25519;
	id->sk = secmem_alloc(32);
	if (id->sk == NULL) {
		age_identity_free(&id);
		return AGE_ERR_NOMEM;
	}
	memcpy(id->sk, sk, 32);
	if (crypto_scalarmult_base(id->pk, id->sk) != 0) {
		age_identity_free(&id);
		return AGE_ERR_CRYPTO;
	}
	*out = id;
	return AGE_OK;
}

enum age_err age_identity_generate(struct age_identity **out)
{
	enum age_err rc;
	uint8_t *sk = secmem_alloc(32);
	*out = NULL;
	if (sk == NULL)
		return AGE_ERR_NOMEM;
	randombytes_buf(sk, 32);
	rc = age_identity_from_x25519(sk, out);
	secmem_free(sk);
	return rc;
}

enum age_err age_identity_parse(const char *s, struct age_identity **out)
{
	enum age_err rc = AGE_ERR_ARG;
	char hrp[24];
	size_t len = 0;
	uint8_t *sk = secmem_alloc(40);
	*out = NULL;
	if (sk == NULL)
		return AGE_ERR_NOMEM;
	if (s == NULL || strlen(s) != AGE_IDENTITY_STRLEN)
		goto out;
	if (bech32_decode(s, hrp, sizeof hrp, sk, 40, &len) != BECH32_OK || len != 32 ||
	    strcmp(hrp, IDENTITY_HRP) != 0)
		goto out;
	rc = age_identity_from_x25519(sk, out);
out:
	secmem_free(sk);
	return rc;
}

enum age_err age_identity_scrypt(const char *pass, size_t len, int max_work_factor,
                                 struct age_identity **out)
{
	*out = NULL;
	if (pass == NULL || len == 0 || len > MAX_PASSPHRASE || max_work_factor < 1 ||
	    max_work_factor > 30)
		return AGE_ERR_ARG;
	struct age_identity *id = calloc(1, sizeof *id);
	if (id == NULL)
		return AGE_ERR_NOMEM;
	id->pass = secmem_alloc(len);
	if (id->pass == NULL) {
		age_identity_free(&id);
		return AGE_ERR_NOMEM;
	}
	memcpy(id->pass, pass, len);
	id->pass_len = len;
	id->kind = AGE_KIND_SCRYPT;
	id->max_work_factor = max_work_factor;
	*out = id;
	return AGE_OK;
}

enum age_err age_identity_format(const struct age_identity *id, char *out, size_t cap)
{
	if (id == NULL || id->kind != AGE_KIND_X25519 || cap < AGE_IDENTITY_STRLEN + 1)
		return AGE_ERR_ARG;
	if (bech32_encode(IDENTITY_HRP, id->sk, 32, 1, out, cap) != BECH32_OK)
		return AGE_ERR_ARG;
	return AGE_OK;
}

enum age_err age_identity_recipient(const struct age_identity *id, struct age_recipient **out)
{
	*out = NULL;
	if (id == NULL || id->kind != AGE_KIND_X25519)
		return AGE_ERR_ARG;
	return age_recipient_from_x25519(id->pk, out);
}
