/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_header: parsing, unwrapping and writing the age v1 header (the version
 * line, the recipient stanzas and the MAC), strictly and canonically.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/age/age_internal.h"
#include "lib/secmem.h"
#include "lib/age/hkdf.h"
#include "lib/banned.h"

#define COLUMNS 64

int age_b64_decode(const char *s, size_t n, int padded, uint8_t *out, size_t cap, size_t *out_len)
{
	int variant =
	        padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	/* libsodium rejects non-zero trailing bits and (with b64_end NULL) any leftover. */
	*out_len = 0;
	if (n == 0)
		return 0;
	if (cap == 0)
		return -1;
	return sodium_base642bin(out, cap, s, n, NULL, out_len, NULL, variant) == 0 ? 0 : -1;
}

enum age_err age_b64_append(struct buf *b, const uint8_t *p, size_t n)
{
	char tmp[sodium_base64_ENCODED_LEN(48, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	while (n > 0) {
		size_t take = n < 48 ? n : 48;
		sodium_bin2base64(tmp, sizeof tmp, p, take,
		                  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		if (buf_append_str(b, tmp) != BUF_OK)
			return AGE_ERR_NOMEM;
		p += take;
		n -= take;
	}
	return AGE_OK;
}

size_t age_header_find_end(const uint8_t *p, size_t n, size_t *scan)
{
	size_t i = *scan;
	for (; i + 4 <= n; i++) {
		if (p[i] == '\n' && p[i + 1] == '-' && p[i + 2] == '-' && p[i + 3] == '-') {
			const uint8_t *nl = memchr(p + i + 4, '\n', n - i - 4);
			*scan = i;
			return nl ? (size_t)(nl - p) + 1 : 0;
		}
	}
	*scan = i;
	return 0;
}

static int is_vchar(uint8_t c)
{
	return c >= 33 && c <= 126;
}

/* Splits "-> a b c" into h's stanza; returns 0 or -1. */
static int parse_args(const uint8_t *line, size_t n, struct age_stanza *st)
{
	if (n < 3 || line[0] != '-' || line[1] != '>' || line[2] != ' ')
		return -1;
	size_t i = 3;
	st->nargs = 0;
	for (;;) {
		size_t start = i;
		while (i < n && line[i] != ' ') {
			if (!is_vchar(line[i]))
				return -1;
			i++;
		}
		if (i == start)
			return -1; /* empty argument */
		if (st->nargs < AGE_STANZA_ARGS) {
			st->args[st->nargs].p = (const char *)line + start;
			st->args[st->nargs].n = i - start;
		}
		st->nargs++;
		if (i == n)
			return 0;
		i++; /* the space */
	}
}

enum age_err age_header_parse(const uint8_t *p, size_t n, struct age_header *h)
{
	enum age_err rc = AGE_ERR_HEADER;
	const size_t vlen = sizeof AGE_VERSION_LINE - 1;
	memset(h, 0, sizeof *h);

	if (n < vlen + 1 || p[n - 1] != '\n' || memcmp(p, AGE_VERSION_LINE "\n", vlen + 1) != 0)
		goto out;
	size_t count = 0;
	for (size_t i = 0; i + 2 < n; i++)
		if (p[i] == '\n' && p[i + 1] == '-' && p[i + 2] == '>')
			count++;
	if (count > 0) {
		h->stanzas = calloc(count, sizeof *h->stanzas);
		h->bodies = malloc(n);
		if (h->stanzas == NULL || h->bodies == NULL) {
			rc = AGE_ERR_NOMEM;
			goto out;
		}
	}
	size_t pos = vlen + 1, used = 0;
	h->stanzas_off = pos;
	for (;;) {
		const uint8_t *line = p + pos;
		const uint8_t *nl = memchr(line, '\n', n - pos);
		if (nl == NULL)
			goto out;
		size_t len = (size_t)(nl - line);
		if (len >= 3 && memcmp(line, "---", 3) == 0) {
			/* "--- " + 43 base64 characters, and the end of the header. */
			size_t mlen = 0;
			if (len != 4 + 43 || line[3] != ' ' || pos + len + 1 != n)
				goto out;
			if (age_b64_decode((const char *)line + 4, 43, 0, h->mac, sizeof h->mac,
			                   &mlen) != 0 ||
			    mlen != 32)
				goto out;
			h->mac_off = pos + 3;
			break;
		}
		if (h->nstanzas >= count)
			goto out; /* neither a stanza nor the MAC line */
		struct age_stanza *st = &h->stanzas[h->nstanzas];
		if (parse_args(line, len, st) != 0)
			goto out;
		pos += len + 1;
		st->body = h->bodies + used;
		for (;;) {
			line = p + pos;
			nl = memchr(line, '\n', n - pos);
			if (nl == NULL)
				goto out;
			len = (size_t)(nl - line);
			size_t dlen = 0;
			if (len > COLUMNS)
				goto out;
			if (age_b64_decode((const char *)line, len, 0, h->bodies + used, n - used,
			                   &dlen) != 0)
				goto out;
			used += dlen;
			pos += len + 1;
			if (len < COLUMNS)
				break;
		}
		st->body_len = (size_t)(h->bodies + used - st->body);
		h->nstanzas++;
	}
	rc = AGE_OK;
out:
	if (rc != AGE_OK)
		age_header_release(h);
	return rc;
}

void age_header_release(struct age_header *h)
{
	free(h->stanzas);
	free(h->bodies);
	memset(h, 0, sizeof *h);
}

static int arg_is(const struct age_arg *a, const char *s)
{
	size_t n = strlen(s);
	return a->n == n && memcmp(a->p, s, n) == 0;
}

/* AGE_OK with the key, AGE_ERR_NO_MATCH to go on, or a header failure. */
static enum age_err unwrap_x25519(const struct age_stanza *st, const struct age_identity *id,
                                  uint8_t file_key[static AGE_FILE_KEY_SIZE])
{
	enum age_err rc = AGE_ERR_HEADER;
	uint8_t share[32], salt[64];
	size_t slen = 0;
	uint8_t *secrets = NULL; /* shared[32] || wrap_key[32] */

	if (st->nargs != 2 || st->body_len != AGE_FILE_KEY_SIZE + AGE_TAG_SIZE)
		goto out;
	if (age_b64_decode(st->args[1].p, st->args[1].n, 0, share, sizeof share, &slen) != 0 ||
	    slen != 32)
		goto out;
	secrets = secmem_alloc(64);
	if (secrets == NULL) {
		rc = AGE_ERR_NOMEM;
		goto out;
	}
	if (crypto_scalarmult(secrets, id->sk, share) != 0)
		goto out; /* low-order share: all-zero shared secret */
	memcpy(salt, share, 32);
	memcpy(salt + 32, id->pk, 32);
	if (hkdf_sha256(secrets + 32, 32, secrets, 32, salt, sizeof salt,
	                (const uint8_t *)AGE_X25519_LABEL, sizeof AGE_X25519_LABEL - 1) != 0) {
		rc = AGE_ERR_CRYPTO;
		goto out;
	}
	static const uint8_t zero_nonce[12];
	if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, st->body, st->body_len,
	                                              NULL, 0, zero_nonce, secrets + 32) != 0) {
		rc = AGE_ERR_NO_MATCH;
		goto out;
	}
	rc = AGE_OK;
out:
	secmem_free(secrets);
	return rc;
}

/* Parses a canonical decimal work factor (no sign, no leading zero); -1 if bad. */
static int parse_work_factor(const struct age_arg *a)
{
	if (a->n == 0 || a->n > 2 || a->p[0] < '1' || a->p[0] > '9')
		return -1;
	int v = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->p[i] < '0' || a->p[i] > '9')
			return -1;
		v = v * 10 + (a->p[i] - '0');
	}
	return v;
}

static enum age_err scrypt_key(const uint8_t *pass, size_t pass_len, const uint8_t salt[16],
                               int work_factor, uint8_t key[static 32])
{
	uint8_t full[sizeof AGE_SCRYPT_SALT_LABEL - 1 + 16];
	memcpy(full, AGE_SCRYPT_SALT_LABEL, sizeof AGE_SCRYPT_SALT_LABEL - 1);
	memcpy(full + sizeof AGE_SCRYPT_SALT_LABEL - 1, salt, 16);
	if (work_factor < 1 || work_factor > 40)
		return AGE_ERR_ARG;
	if (crypto_pwhash_scryptsalsa208sha256_ll(pass, pass_len, full, sizeof full,
	                                          (uint64_t)1 << work_factor, 8, 1, key, 32) != 0)
		return AGE_ERR_NOMEM;
	return AGE_OK;
}

static enum age_err unwrap_scrypt(const struct age_stanza *st, const struct age_identity *id,
                                  uint8_t file_key[static AGE_FILE_KEY_SIZE])
{
	enum age_err rc = AGE_ERR_HEADER;
	uint8_t salt[16];
	size_t slen = 0;
	uint8_t *key = NULL;

	if (st->nargs != 3 || st->body_len != AGE_FILE_KEY_SIZE + AGE_TAG_SIZE)
		goto out;
	if (age_b64_decode(st->args[1].p, st->args[1].n, 0, salt, sizeof salt, &slen) != 0 ||
	    slen != sizeof salt)
		goto out;
	int wf = parse_work_factor(&st->args[2]);
	if (wf < 1 || wf > id->max_work_factor)
		goto out;
	key = secmem_alloc(32);
	if (key == NULL) {
		rc = AGE_ERR_NOMEM;
		goto out;
	}
	if ((rc = scrypt_key(id->pass, id->pass_len, salt, wf, key)) != AGE_OK)
		goto out;
	static const uint8_t zero_nonce[12];
	if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, st->body, st->body_len,
	                                              NULL, 0, zero_nonce, key) != 0) {
		rc = AGE_ERR_NO_MATCH;
		goto out;
	}
	rc = AGE_OK;
out:
	secmem_free(key);
	return rc;
}

enum age_err age_header_unwrap(const struct age_header *h, const struct age_identity *const *ids,
                               size_t nids, uint8_t file_key[static AGE_FILE_KEY_SIZE])
{
	for (size_t i = 0; i < h->nstanzas; i++)
		if (arg_is(&h->stanzas[i].args[0], "scrypt") && h->nstanzas != 1)
			return AGE_ERR_HEADER; /* an scrypt stanza must be alone */
	for (size_t k = 0; k < nids; k++) {
		const struct age_identity *id = ids[k];
		for (size_t i = 0; i < h->nstanzas; i++) {
			const struct age_stanza *st = &h->stanzas[i];
			enum age_err rc = AGE_ERR_NO_MATCH;
			if (id->kind == AGE_KIND_X25519 && arg_is(&st->args[0], "X25519"))
				rc = unwrap_x25519(st, id, file_key);
			else if (id->kind == AGE_KIND_SCRYPT && arg_is(&st->args[0], "scrypt"))
				rc = unwrap_scrypt(st, id, file_key);
			if (rc != AGE_ERR_NO_MATCH)
				return rc;
		}
	}
	sodium_memzero(file_key, AGE_FILE_KEY_SIZE);
	return AGE_ERR_NO_MATCH;
}

enum age_err age_header_mac(const uint8_t *p, size_t n,
                            const uint8_t file_key[static AGE_FILE_KEY_SIZE],
                            uint8_t mac[static 32])
{
	uint8_t *key = secmem_alloc(32);
	if (key == NULL)
		return AGE_ERR_NOMEM;
	if (hkdf_sha256(key, 32, file_key, AGE_FILE_KEY_SIZE, NULL, 0, (const uint8_t *)"header",
	                6) != 0) {
		secmem_free(key);
		return AGE_ERR_CRYPTO;
	}
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, 32);
	crypto_auth_hmacsha256_update(&st, p, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	secmem_free(key);
	return AGE_OK;
}

/* Appends a body: 64-column lines, ending with a short (possibly empty) line. */
static enum age_err append_body(struct buf *b, const uint8_t *p, size_t n)
{
	enum age_err rc;
	for (;;) {
		size_t take = n < 48 ? n : 48;
		if ((rc = age_b64_append(b, p, take)) != AGE_OK)
			return rc;
		if (buf_append_byte(b, '\n') != BUF_OK)
			return AGE_ERR_NOMEM;
		p += take;
		n -= take;
		if (take < 48)
			return AGE_OK;
	}
}

enum age_err age_stanza_append(struct buf *b, const struct age_recipient *r,
                               const uint8_t file_key[static AGE_FILE_KEY_SIZE])
{
	enum age_err rc = AGE_ERR_CRYPTO;
	static const uint8_t zero_nonce[12];
	uint8_t body[AGE_FILE_KEY_SIZE + AGE_TAG_SIZE];
	/* eph[32] || shared[32] || wrap_key[32] */
	uint8_t *secrets = secmem_alloc(96);
	if (secrets == NULL)
		return AGE_ERR_NOMEM;

	if (r->kind == AGE_KIND_X25519) {
		uint8_t share[32], salt[64];
		randombytes_buf(secrets, 32);
		if (crypto_scalarmult_base(share, secrets) != 0 ||
		    crypto_scalarmult(secrets + 32, secrets, r->pk) != 0)
			goto out; /* low-order recipient key */
		memcpy(salt, share, 32);
		memcpy(salt + 32, r->pk, 32);
		if (hkdf_sha256(secrets + 64, 32, secrets + 32, 32, salt, sizeof salt,
		                (const uint8_t *)AGE_X25519_LABEL,
		                sizeof AGE_X25519_LABEL - 1) != 0)
			goto out;
		crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key, AGE_FILE_KEY_SIZE,
		                                          NULL, 0, NULL, zero_nonce, secrets + 64);
		rc = AGE_ERR_NOMEM;
		if (buf_append_str(b, "-> X25519 ") != BUF_OK)
			goto out;
		if ((rc = age_b64_append(b, share, sizeof share)) != AGE_OK)
			goto out;
	} else if (r->kind == AGE_KIND_SCRYPT) {
		uint8_t salt[16];
		randombytes_buf(salt, sizeof salt);
		if ((rc = scrypt_key(r->pass, r->pass_len, salt, r->work_factor, secrets + 64)) !=
		    AGE_OK)
			goto out;
		crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key, AGE_FILE_KEY_SIZE,
		                                          NULL, 0, NULL, zero_nonce, secrets + 64);
		rc = AGE_ERR_NOMEM;
		if (buf_append_str(b, "-> scrypt ") != BUF_OK)
			goto out;
		if ((rc = age_b64_append(b, salt, sizeof salt)) != AGE_OK)
			goto out;
		rc = AGE_ERR_NOMEM;
		if (buf_printf(b, " %d", r->work_factor) != BUF_OK)
			goto out;
	} else {
		rc = AGE_ERR_ARG;
		goto out;
	}
	rc = AGE_ERR_NOMEM;
	if (buf_append_byte(b, '\n') != BUF_OK)
		goto out;
	rc = append_body(b, body, sizeof body);
out:
	secmem_free(secrets);
	return rc;
}

enum age_err age_header_append_mac(struct buf *b, const uint8_t file_key[static AGE_FILE_KEY_SIZE])
{
	enum age_err rc;
	uint8_t mac[32];
	if (buf_append_str(b, "---") != BUF_OK)
		return AGE_ERR_NOMEM;
	if ((rc = age_header_mac(b->data, b->len, file_key, mac)) != AGE_OK)
		return rc;
	if (buf_append_byte(b, ' ') != BUF_OK)
		return AGE_ERR_NOMEM;
	if ((rc = age_b64_append(b, mac, sizeof mac)) != AGE_OK)
		return rc;
	if (buf_append_byte(b, '\n') != BUF_OK)
		return AGE_ERR_NOMEM;
	return AGE_OK;
}
