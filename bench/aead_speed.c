/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * aead_speed: the raw ChaCha20-Poly1305 (IETF, 12-byte nonce) speed of
 * libsodium and of OpenSSL's EVP interface, in 64 KiB chunks as age's STREAM
 * uses them, sealing and opening. The reference for bench/age.
 *
 * usage: aead_speed [MIB]   (default 256 MiB per measurement; best of 3)
 * Prints one line per measurement: "<library> <seal|open> <MB/s>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "lib/banned.h"

#define CHUNK 65536
#define TAG 16

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * nchunks seals (or opens) of one 64 KiB chunk, as the STREAM does; the nonce
 * is the same each time (its value does not change the work), so opening can
 * reuse one valid sealed chunk. Returns seconds, or -1 on failure.
 */
static double run_sodium(int seal, const uint8_t *key, uint8_t *pt, uint8_t *ct, size_t nchunks)
{
	const uint8_t nonce[12] = {0};
	double t0 = now();
	for (size_t i = 0; i < nchunks; i++) {
		if (seal)
			crypto_aead_chacha20poly1305_ietf_encrypt_detached(
			        ct, ct + CHUNK, NULL, pt, CHUNK, NULL, 0, NULL, nonce, key);
		else if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		                 pt, NULL, ct, CHUNK, ct + CHUNK, NULL, 0, nonce, key) != 0)
			return -1;
	}
	return now() - t0;
}

/* The same with one EVP context, re-keyed with the nonce per chunk (as lib/age/aead.c). */
static double run_openssl(int seal, const uint8_t *key, uint8_t *pt, uint8_t *ct, size_t nchunks)
{
	const uint8_t nonce[12] = {0};
	int len, fin;
	double t = -1;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL, seal) != 1)
		goto out;
	double t0 = now();
	for (size_t i = 0; i < nchunks; i++) {
		if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, seal) != 1)
			goto out;
		if (seal) {
			if (EVP_CipherUpdate(ctx, ct, &len, pt, CHUNK) != 1 ||
			    EVP_CipherFinal_ex(ctx, ct + len, &fin) != 1 ||
			    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, ct + CHUNK) != 1)
				goto out;
		} else if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, ct + CHUNK) != 1 ||
		           EVP_CipherUpdate(ctx, pt, &len, ct, CHUNK) != 1 ||
		           EVP_CipherFinal_ex(ctx, pt + len, &fin) != 1) {
			goto out;
		}
	}
	t = now() - t0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return t;
}

int main(int argc, char **argv)
{
	long mib = 256;
	if (argc > 1) {
		char *end;
		mib = strtol(argv[1], &end, 10);
		if (*end != 0 || mib < 1 || mib > 65536) {
			fprintf(stderr, "usage: aead_speed [MIB]\n");
			return 2;
		}
	}
	if (sodium_init() < 0)
		return 1;
	size_t nchunks = (size_t)mib * 16; /* 16 chunks of 64 KiB per MiB */
	uint8_t key[32];
	uint8_t *pt = malloc(CHUNK), *ct = malloc(CHUNK + TAG);
	if (pt == NULL || ct == NULL)
		return 1;
	randombytes_buf(key, sizeof key);
	randombytes_buf(pt, CHUNK);
	const char *names[2] = {"libsodium", "openssl"};
	double (*const run[2])(int, const uint8_t *, uint8_t *, uint8_t *, size_t) = {run_sodium,
	                                                                              run_openssl};
	for (int lib = 0; lib < 2; lib++) {
		for (int seal = 1; seal >= 0; seal--) {
			double best = -1;
			/* A valid sealed chunk for opening. */
			if (run_sodium(1, key, pt, ct, 1) < 0)
				return 1;
			for (int rep = 0; rep < 3; rep++) {
				double t = run[lib](seal, key, pt, ct, nchunks);
				if (t <= 0) {
					fprintf(stderr, "aead_speed: %s %s failed\n", names[lib],
					        seal ? "seal" : "open");
					return 1;
				}
				if (best < 0 || t < best)
					best = t;
			}
			printf("%s %s %.0f\n", names[lib], seal ? "seal" : "open",
			       (double)nchunks * CHUNK / 1e6 / best);
		}
	}
	free(pt);
	free(ct);
	return 0;
}
