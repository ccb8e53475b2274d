/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_stream: the age payload, ChaCha20-Poly1305 STREAM in 64 KiB chunks.
 *
 * Chunk i is sealed under the nonce (11-byte big-endian i || last flag).
 * Both directions hold back one full chunk until they know whether more
 * input follows, so the last chunk is marked (encryption) or checked
 * (decryption) correctly; a full-size last chunk is legal. Decryption
 * releases a chunk's plaintext only after its tag verified.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aead.h"
#include "lib/age_internal.h"
#include "lib/secmem.h"
#include "lib/hkdf.h"
#include "lib/banned.h"

struct age_stream {
	struct aead *aead;
	int encrypt;
	int failed;
	uint64_t counter;
	uint8_t *in; /* pending input: plaintext (enc) or ciphertext (dec) */
	size_t in_len;
	size_t in_cap;
	uint8_t *out; /* AGE_ENC_CHUNK_SIZE */
	age_sink_fn sink;
	void *sink_ctx;
};

enum age_err age_stream_new(const uint8_t file_key[static AGE_FILE_KEY_SIZE],
                            const uint8_t nonce[static AGE_NONCE_SIZE], int encrypt,
                            age_sink_fn sink, void *sink_ctx, struct age_stream **out)
{
	enum age_err rc = AGE_ERR_NOMEM;
	uint8_t *key = secmem_alloc(32);
	struct age_stream *s = calloc(1, sizeof *s);
	*out = NULL;
	if (key == NULL || s == NULL)
		goto out;
	s->encrypt = encrypt ? 1 : 0;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	s->in_cap = encrypt ? AGE_CHUNK_SIZE : AGE_ENC_CHUNK_SIZE;
	s->in = malloc(s->in_cap);
	s->out = malloc(AGE_ENC_CHUNK_SIZE);
	if (s->in == NULL || s->out == NULL)
		goto out;
	rc = AGE_ERR_CRYPTO;
	if (hkdf_sha256(key, 32, file_key, AGE_FILE_KEY_SIZE, nonce, AGE_NONCE_SIZE,
	                (const uint8_t *)"payload", 7) != 0)
		goto out;
	s->aead = aead_new(key, s->encrypt);
	if (s->aead == NULL)
		goto out;
	*out = s;
	s = NULL;
	rc = AGE_OK;
out:
	secmem_free(key);
	age_stream_free(&s);
	return rc;
}

void age_stream_free(struct age_stream **s)
{
	if (s == NULL || *s == NULL)
		return;
	aead_free(&(*s)->aead);
	if ((*s)->in != NULL)
		sodium_memzero((*s)->in, (*s)->in_cap);
	if ((*s)->out != NULL)
		sodium_memzero((*s)->out, AGE_ENC_CHUNK_SIZE);
	free((*s)->in);
	free((*s)->out);
	free(*s);
	*s = NULL;
}

static void make_nonce(uint64_t counter, int last, uint8_t nonce[static AEAD_NONCE_SIZE])
{
	memset(nonce, 0, 3);
	for (int i = 0; i < 8; i++)
		nonce[3 + i] = (uint8_t)(counter >> (56 - 8 * i));
	nonce[11] = last ? 1 : 0;
}

/*
 * Seals (enc) or opens (dec) one chunk p[0..n) and hands the result on.
 * A full-size chunk that fails to open under the expected last flag but
 * opens under the other one did authenticate: its plaintext is released and
 * the stream fails (a final chunk followed by data, or a missing final chunk).
 */
static enum age_err do_chunk(struct age_stream *s, const uint8_t *p, size_t n, int last)
{
	uint8_t nonce[AEAD_NONCE_SIZE];
	if (s->counter == UINT64_MAX)
		return AGE_ERR_PAYLOAD;
	make_nonce(s->counter, last, nonce);
	if (s->encrypt) {
		s->counter++;
		if (aead_seal(s->aead, nonce, p, n, s->out) != 0)
			return AGE_ERR_CRYPTO;
		return s->sink(s->sink_ctx, s->out, n + AGE_TAG_SIZE);
	}
	if (n < AGE_TAG_SIZE)
		return AGE_ERR_PAYLOAD;
	if (aead_open(s->aead, nonce, p, n, s->out) != 0) {
		enum age_err rc;
		if (n != AGE_ENC_CHUNK_SIZE)
			return AGE_ERR_PAYLOAD;
		make_nonce(s->counter, !last, nonce);
		if (aead_open(s->aead, nonce, p, n, s->out) != 0)
			return AGE_ERR_PAYLOAD;
		s->counter++;
		rc = s->sink(s->sink_ctx, s->out, n - AGE_TAG_SIZE);
		return rc != AGE_OK ? rc : AGE_ERR_PAYLOAD;
	}
	s->counter++;
	/* The last chunk may be empty only when it is the only one. */
	if (last && n == AGE_TAG_SIZE && s->counter > 1)
		return AGE_ERR_PAYLOAD;
	return n > AGE_TAG_SIZE ? s->sink(s->sink_ctx, s->out, n - AGE_TAG_SIZE) : AGE_OK;
}

enum age_err age_stream_update(struct age_stream *s, const uint8_t *p, size_t n)
{
	enum age_err rc = AGE_OK;
	if (s->failed)
		return AGE_ERR_ARG;
	while (n > 0) {
		if (s->in_len == s->in_cap) {
			/* More input follows, so the held chunk is not the last. */
			if ((rc = do_chunk(s, s->in, s->in_len, 0)) != AGE_OK)
				goto out;
			s->in_len = 0;
		}
		if (s->in_len == 0 && n > s->in_cap) {
			/* Whole chunks with input after them: no copy. */
			if ((rc = do_chunk(s, p, s->in_cap, 0)) != AGE_OK)
				goto out;
			p += s->in_cap;
			n -= s->in_cap;
			continue;
		}
		size_t take = s->in_cap - s->in_len;
		if (take > n)
			take = n;
		memcpy(s->in + s->in_len, p, take);
		s->in_len += take;
		p += take;
		n -= take;
	}
out:
	if (rc != AGE_OK)
		s->failed = 1;
	return rc;
}

enum age_err age_stream_finish(struct age_stream *s)
{
	enum age_err rc;
	if (s->failed)
		return AGE_ERR_ARG;
	s->failed = 1; /* no use after finish */
	if (!s->encrypt && s->in_len < AGE_TAG_SIZE)
		return AGE_ERR_PAYLOAD; /* no chunk, no final chunk, or a cut tag */
	rc = do_chunk(s, s->in, s->in_len, 1);
	s->in_len = 0;
	return rc;
}
