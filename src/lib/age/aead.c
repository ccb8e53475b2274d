/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/age/aead.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "lib/banned.h"

struct aead {
	EVP_CIPHER_CTX *ctx;
	int encrypt;
};

struct aead *aead_new(const uint8_t key[static AEAD_KEY_SIZE], int encrypt)
{
	struct aead *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	a->encrypt = encrypt ? 1 : 0;
	a->ctx = EVP_CIPHER_CTX_new();
	if (a->ctx == NULL ||
	    EVP_CipherInit_ex(a->ctx, EVP_chacha20_poly1305(), NULL, key, NULL, a->encrypt) != 1) {
		aead_free(&a);
		return NULL;
	}
	return a;
}

void aead_free(struct aead **a)
{
	if (a == NULL || *a == NULL)
		return;
	EVP_CIPHER_CTX_free((*a)->ctx); /* cleans the key schedule */
	free(*a);
	*a = NULL;
}

struct aead *aead_dup(const struct aead *a)
{
	struct aead *b = calloc(1, sizeof *b);
	if (b == NULL)
		return NULL;
	b->encrypt = a->encrypt;
	b->ctx = EVP_CIPHER_CTX_new();
	if (b->ctx == NULL || EVP_CIPHER_CTX_copy(b->ctx, a->ctx) != 1)
		aead_free(&b);
	return b;
}

int aead_is_encrypt(const struct aead *a)
{
	return a->encrypt;
}

int aead_seal(struct aead *a, const uint8_t nonce[static AEAD_NONCE_SIZE], const uint8_t *in,
              size_t n, uint8_t *out)
{
	int len = 0, fin = 0;
	if (n > INT_MAX || !a->encrypt)
		return -1;
	if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 1) != 1)
		return -1;
	if (n > 0 && EVP_CipherUpdate(a->ctx, out, &len, in, (int)n) != 1)
		return -1;
	if (EVP_CipherFinal_ex(a->ctx, out + len, &fin) != 1 || (size_t)len + (size_t)fin != n)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_SIZE, out + n) != 1)
		return -1;
	return 0;
}

int aead_open(struct aead *a, const uint8_t nonce[static AEAD_NONCE_SIZE], const uint8_t *in,
              size_t n, uint8_t *out)
{
	int len = 0, fin = 0;
	uint8_t tag[AEAD_TAG_SIZE];
	if (n < AEAD_TAG_SIZE || n - AEAD_TAG_SIZE > INT_MAX || a->encrypt)
		return -1;
	n -= AEAD_TAG_SIZE;
	for (size_t i = 0; i < AEAD_TAG_SIZE; i++)
		tag[i] = in[n + i];
	if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 0) != 1)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_SIZE, tag) != 1)
		return -1;
	if (n > 0 && EVP_CipherUpdate(a->ctx, out, &len, in, (int)n) != 1)
		return -1;
	if (EVP_CipherFinal_ex(a->ctx, out + len, &fin) != 1 || (size_t)len + (size_t)fin != n)
		return -1;
	return 0;
}
