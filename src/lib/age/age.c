/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age: the push API that ties header, STREAM payload and armor together,
 * plus whole-stream helpers (fd, buf) and age_add_recipient().
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/age/age_internal.h"
#include "lib/secmem.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/banned.h"

const char *age_strerror(enum age_err e)
{
	switch (e) {
	case AGE_OK:
		return "success";
	case AGE_ERR_HEADER:
		return "malformed or unsupported age header";
	case AGE_ERR_NO_MATCH:
		return "no identity matched any recipient";
	case AGE_ERR_HMAC:
		return "age header MAC mismatch";
	case AGE_ERR_PAYLOAD:
		return "corrupted or truncated age payload";
	case AGE_ERR_ARMOR:
		return "malformed age ASCII armor";
	case AGE_ERR_IO:
		return "write failed";
	case AGE_ERR_NOMEM:
		return "out of memory";
	case AGE_ERR_ARG:
		return "invalid argument";
	case AGE_ERR_CRYPTO:
		return "cryptographic failure";
	}
	return "unknown age error";
}

/* ---- encryption ---- */

struct age_encryptor {
	age_write_fn w;
	void *wctx;
	struct age_armor_enc *armor;
	struct age_stream *stream;
	enum age_err err;
	int finished;
};

static enum age_err to_writer(void *ctx, const uint8_t *p, size_t n)
{
	struct age_encryptor *e = ctx;
	return e->w(e->wctx, p, n) == 0 ? AGE_OK : AGE_ERR_IO;
}

static enum age_err to_armor(void *ctx, const uint8_t *p, size_t n)
{
	struct age_encryptor *e = ctx;
	return age_armor_enc_update(e->armor, p, n);
}

static enum age_err enc_emit(struct age_encryptor *e, const uint8_t *p, size_t n)
{
	return e->armor ? to_armor(e, p, n) : to_writer(e, p, n);
}

enum age_err age_encrypt_begin(const struct age_recipient *const *recipients, size_t nrecipients,
                               int armor, age_write_fn w, void *wctx, struct age_encryptor **out)
{
	enum age_err rc = AGE_ERR_ARG;
	struct age_encryptor *e = NULL;
	uint8_t *file_key = NULL;
	uint8_t nonce[AGE_NONCE_SIZE];
	struct buf hdr;
	buf_init(&hdr, AGE_MAX_HEADER);

	*out = NULL;
	if (recipients == NULL || nrecipients == 0 || nrecipients > AGE_MAX_STANZAS || w == NULL)
		goto out;
	for (size_t i = 0; i < nrecipients; i++)
		if (recipients[i] == NULL ||
		    (recipients[i]->kind == AGE_KIND_SCRYPT && nrecipients != 1))
			goto out;
	rc = AGE_ERR_NOMEM;
	e = calloc(1, sizeof *e);
	file_key = secmem_alloc(AGE_FILE_KEY_SIZE);
	if (e == NULL || file_key == NULL)
		goto out;
	e->w = w;
	e->wctx = wctx;
	if (armor && (rc = age_armor_enc_new(to_writer, e, &e->armor)) != AGE_OK)
		goto out;
	randombytes_buf(file_key, AGE_FILE_KEY_SIZE);
	randombytes_buf(nonce, sizeof nonce);

	rc = AGE_ERR_NOMEM;
	if (buf_append_str(&hdr, AGE_VERSION_LINE "\n") != BUF_OK)
		goto out;
	for (size_t i = 0; i < nrecipients; i++)
		if ((rc = age_stanza_append(&hdr, recipients[i], file_key)) != AGE_OK)
			goto out;
	if ((rc = age_header_append_mac(&hdr, file_key)) != AGE_OK)
		goto out;
	if ((rc = enc_emit(e, hdr.data, hdr.len)) != AGE_OK ||
	    (rc = enc_emit(e, nonce, sizeof nonce)) != AGE_OK)
		goto out;
	if ((rc = age_stream_new(file_key, nonce, 1, e->armor ? to_armor : to_writer, e,
	                         &e->stream)) != AGE_OK)
		goto out;
	*out = e;
	e = NULL;
out:
	secmem_free(file_key);
	buf_release(&hdr);
	age_encryptor_free(&e);
	return rc;
}

enum age_err age_encrypt_update(struct age_encryptor *e, const uint8_t *p, size_t n)
{
	if (e == NULL || (p == NULL && n > 0))
		return AGE_ERR_ARG;
	if (e->err != AGE_OK)
		return e->err;
	if (e->finished)
		return AGE_ERR_ARG;
	return e->err = age_stream_update(e->stream, p, n);
}

void age_encrypt_parallel(struct age_encryptor *e)
{
	if (e != NULL && e->stream != NULL)
		age_stream_parallel(e->stream);
}

enum age_err age_encrypt_finish(struct age_encryptor *e)
{
	if (e == NULL)
		return AGE_ERR_ARG;
	if (e->err != AGE_OK)
		return e->err;
	if (e->finished)
		return AGE_ERR_ARG;
	e->finished = 1;
	if ((e->err = age_stream_finish(e->stream)) != AGE_OK)
		return e->err;
	if (e->armor)
		e->err = age_armor_enc_finish(e->armor);
	return e->err;
}

void age_encryptor_free(struct age_encryptor **e)
{
	if (e == NULL || *e == NULL)
		return;
	age_stream_free(&(*e)->stream);
	age_armor_enc_free(&(*e)->armor);
	free(*e);
	*e = NULL;
}

/* ---- decryption ---- */

enum dec_state {
	D_HEADER,
	D_NONCE,
	D_PAYLOAD,
};

struct age_decryptor {
	const struct age_identity **ids;
	size_t nids;
	age_write_fn w;
	void *wctx;
	int mode; /* 0: not yet known, 1: binary, 2: armored */
	struct age_armor_dec *armor;
	enum dec_state state;
	struct buf hdr;
	size_t hdr_scan;
	uint8_t nonce[AGE_NONCE_SIZE];
	size_t nonce_len;
	uint8_t *file_key;
	struct age_stream *stream;
	enum age_err err;
	int finished;
	int parallel;
};

enum age_err age_decrypt_begin(const struct age_identity *const *identities, size_t nidentities,
                               age_write_fn w, void *wctx, struct age_decryptor **out)
{
	struct age_decryptor *d = NULL;
	*out = NULL;
	if (identities == NULL || nidentities == 0 || nidentities > SIZE_MAX / sizeof *d->ids ||
	    w == NULL)
		return AGE_ERR_ARG;
	for (size_t i = 0; i < nidentities; i++)
		if (identities[i] == NULL)
			return AGE_ERR_ARG;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return AGE_ERR_NOMEM;
	buf_init(&d->hdr, AGE_MAX_HEADER);
	d->ids = calloc(nidentities, sizeof *d->ids);
	d->file_key = secmem_alloc(AGE_FILE_KEY_SIZE);
	if (d->ids == NULL || d->file_key == NULL) {
		age_decryptor_free(&d);
		return AGE_ERR_NOMEM;
	}
	memcpy(d->ids, identities, nidentities * sizeof *d->ids);
	d->nids = nidentities;
	d->w = w;
	d->wctx = wctx;
	*out = d;
	return AGE_OK;
}

static enum age_err plain_out(void *ctx, const uint8_t *p, size_t n)
{
	struct age_decryptor *d = ctx;
	return d->w(d->wctx, p, n) == 0 ? AGE_OK : AGE_ERR_IO;
}

static enum age_err open_header(struct age_decryptor *d)
{
	enum age_err rc;
	struct age_header h;
	uint8_t mac[32];
	if ((rc = age_header_parse(d->hdr.data, d->hdr.len, &h)) != AGE_OK)
		return rc;
	if ((rc = age_header_unwrap(&h, d->ids, d->nids, d->file_key)) != AGE_OK)
		goto out;
	if ((rc = age_header_mac(d->hdr.data, h.mac_off, d->file_key, mac)) != AGE_OK)
		goto out;
	if (sodium_memcmp(mac, h.mac, sizeof mac) != 0)
		rc = AGE_ERR_HMAC;
out:
	age_header_release(&h);
	return rc;
}

/* The binary age file, after any armor. */
static enum age_err inner_feed(void *ctx, const uint8_t *p, size_t n)
{
	struct age_decryptor *d = ctx;
	enum age_err rc;
	if (n > 0 && d->state == D_HEADER) {
		size_t old = d->hdr.len;
		size_t take = AGE_MAX_HEADER - old < n ? AGE_MAX_HEADER - old : n;
		if (buf_append(&d->hdr, p, take) != BUF_OK)
			return AGE_ERR_NOMEM;
		size_t end = age_header_find_end(d->hdr.data, d->hdr.len, &d->hdr_scan);
		if (end == 0) {
			if (d->hdr.len == AGE_MAX_HEADER)
				return AGE_ERR_HEADER;
			return AGE_OK;
		}
		/* Give back what followed the header. */
		size_t used = end - old;
		d->hdr.len = end;
		p += used;
		n -= used;
		if ((rc = open_header(d)) != AGE_OK)
			return rc;
		buf_release(&d->hdr);
		d->state = D_NONCE;
	}
	if (n > 0 && d->state == D_NONCE) {
		size_t take = AGE_NONCE_SIZE - d->nonce_len < n ? AGE_NONCE_SIZE - d->nonce_len : n;
		memcpy(d->nonce + d->nonce_len, p, take);
		d->nonce_len += take;
		p += take;
		n -= take;
		if (d->nonce_len < AGE_NONCE_SIZE)
			return AGE_OK;
		rc = age_stream_new(d->file_key, d->nonce, 0, plain_out, d, &d->stream);
		sodium_memzero(d->file_key, AGE_FILE_KEY_SIZE);
		if (rc != AGE_OK)
			return rc;
		if (d->parallel)
			age_stream_parallel(d->stream);
		d->state = D_PAYLOAD;
	}
	if (n > 0)
		return age_stream_update(d->stream, p, n);
	return AGE_OK;
}

enum age_err age_decrypt_update(struct age_decryptor *d, const uint8_t *p, size_t n)
{
	if (d == NULL || (p == NULL && n > 0))
		return AGE_ERR_ARG;
	if (d->err != AGE_OK)
		return d->err;
	if (d->finished)
		return AGE_ERR_ARG;
	if (n == 0)
		return AGE_OK;
	if (d->mode == 0) {
		/* A binary file starts with "age-encryption.org/"; anything else is armor. */
		d->mode = p[0] == 'a' ? 1 : 2;
		if (d->mode == 2 &&
		    (d->err = age_armor_dec_new(inner_feed, d, &d->armor)) != AGE_OK)
			return d->err;
	}
	if (d->mode == 2)
		d->err = age_armor_dec_update(d->armor, p, n);
	else
		d->err = inner_feed(d, p, n);
	return d->err;
}

void age_decrypt_parallel(struct age_decryptor *d)
{
	if (d == NULL)
		return;
	d->parallel = 1;
	if (d->stream != NULL)
		age_stream_parallel(d->stream);
}

enum age_err age_decrypt_finish(struct age_decryptor *d)
{
	if (d == NULL)
		return AGE_ERR_ARG;
	if (d->err != AGE_OK)
		return d->err;
	if (d->finished)
		return AGE_ERR_ARG;
	d->finished = 1;
	if (d->mode == 2 && (d->err = age_armor_dec_finish(d->armor)) != AGE_OK)
		return d->err;
	if (d->state != D_PAYLOAD)
		return d->err = AGE_ERR_HEADER; /* header or nonce cut short */
	return d->err = age_stream_finish(d->stream);
}

void age_decryptor_free(struct age_decryptor **d)
{
	if (d == NULL || *d == NULL)
		return;
	age_stream_free(&(*d)->stream);
	age_armor_dec_free(&(*d)->armor);
	secmem_free((*d)->file_key);
	buf_release(&(*d)->hdr);
	free((*d)->ids);
	free(*d);
	*d = NULL;
}

/* ---- whole streams ---- */

static int fd_write(void *ctx, const uint8_t *p, size_t n)
{
	return io_write_all(*(int *)ctx, p, n);
}

static enum age_err pump(int in_fd, enum age_err (*update)(void *, const uint8_t *, size_t),
                         void *obj)
{
	enum age_err rc = AGE_OK;
	size_t hi = 0;
	/* Page-aligned: the kernel copies into it markedly faster. */
	uint8_t *block = aligned_alloc(4096, AGE_PAR_BATCH);
	if (block == NULL)
		return AGE_ERR_NOMEM;
	for (;;) {
		ssize_t got = read(in_fd, block, AGE_PAR_BATCH);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = AGE_ERR_IO;
			break;
		}
		if (got == 0)
			break;
		if ((size_t)got > hi)
			hi = (size_t)got;
		if ((rc = update(obj, block, (size_t)got)) != AGE_OK)
			break;
	}
	sodium_memzero(block, hi); /* plaintext (encryption) */
	free(block);
	return rc;
}

static enum age_err enc_update_v(void *e, const uint8_t *p, size_t n)
{
	return age_encrypt_update(e, p, n);
}

static enum age_err dec_update_v(void *d, const uint8_t *p, size_t n)
{
	return age_decrypt_update(d, p, n);
}

enum age_err age_encrypt_fd(const struct age_recipient *const *recipients, size_t nrecipients,
                            int armor, int in_fd, int out_fd)
{
	struct age_encryptor *e = NULL;
	enum age_err rc = age_encrypt_begin(recipients, nrecipients, armor, fd_write, &out_fd, &e);
	age_encrypt_parallel(e);
	if (rc == AGE_OK && (rc = pump(in_fd, enc_update_v, e)) == AGE_OK)
		rc = age_encrypt_finish(e);
	age_encryptor_free(&e);
	return rc;
}

enum age_err age_decrypt_fd(const struct age_identity *const *identities, size_t nidentities,
                            int in_fd, int out_fd)
{
	struct age_decryptor *d = NULL;
	enum age_err rc = age_decrypt_begin(identities, nidentities, fd_write, &out_fd, &d);
	age_decrypt_parallel(d);
	if (rc == AGE_OK && (rc = pump(in_fd, dec_update_v, d)) == AGE_OK)
		rc = age_decrypt_finish(d);
	age_decryptor_free(&d);
	return rc;
}

static int buf_write(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

enum age_err age_encrypt_buf(const struct age_recipient *const *recipients, size_t nrecipients,
                             const uint8_t *p, size_t n, struct buf *out)
{
	struct age_encryptor *e = NULL;
	enum age_err rc = age_encrypt_begin(recipients, nrecipients, 0, buf_write, out, &e);
	if (rc == AGE_OK && (rc = age_encrypt_update(e, p, n)) == AGE_OK)
		rc = age_encrypt_finish(e);
	age_encryptor_free(&e);
	return rc;
}

enum age_err age_decrypt_buf(const struct age_identity *const *identities, size_t nidentities,
                             const uint8_t *p, size_t n, struct buf *out)
{
	struct age_decryptor *d = NULL;
	enum age_err rc = age_decrypt_begin(identities, nidentities, buf_write, out, &d);
	if (rc == AGE_OK && (rc = age_decrypt_update(d, p, n)) == AGE_OK)
		rc = age_decrypt_finish(d);
	age_decryptor_free(&d);
	return rc;
}

/* ---- granting access ---- */

enum age_err age_add_recipient(const uint8_t *in, size_t in_len,
                               const struct age_identity *identity,
                               const struct age_recipient *recipient, struct buf *new_header,
                               size_t *old_header_len)
{
	enum age_err rc = AGE_ERR_ARG;
	struct age_header h = {0};
	uint8_t mac[32];
	size_t scan = 0;
	uint8_t *file_key = NULL;

	if (in == NULL || identity == NULL || recipient == NULL || new_header == NULL ||
	    old_header_len == NULL)
		return AGE_ERR_ARG;
	size_t len =
	        age_header_find_end(in, in_len < AGE_MAX_HEADER ? in_len : AGE_MAX_HEADER, &scan);
	if (len == 0)
		return AGE_ERR_HEADER;
	if ((rc = age_header_parse(in, len, &h)) != AGE_OK)
		return rc;
	file_key = secmem_alloc(AGE_FILE_KEY_SIZE);
	if (file_key == NULL) {
		rc = AGE_ERR_NOMEM;
		goto out;
	}
	if ((rc = age_header_unwrap(&h, &identity, 1, file_key)) != AGE_OK)
		goto out;
	if ((rc = age_header_mac(in, h.mac_off, file_key, mac)) != AGE_OK)
		goto out;
	if (sodium_memcmp(mac, h.mac, sizeof mac) != 0) {
		rc = AGE_ERR_HMAC;
		goto out;
	}
	/* scrypt must stay alone; the unwrap above already refused a mixed header. */
	rc = AGE_ERR_ARG;
	if (recipient->kind == AGE_KIND_SCRYPT || identity->kind == AGE_KIND_SCRYPT ||
	    h.nstanzas >= AGE_MAX_STANZAS)
		goto out;
	/* The old stanzas verbatim (they were parsed strictly), the new one, a fresh MAC. */
	rc = AGE_ERR_NOMEM;
	buf_reset(new_header);
	if (buf_append(new_header, in, h.mac_off - 3) != BUF_OK)
		goto out;
	if ((rc = age_stanza_append(new_header, recipient, file_key)) != AGE_OK)
		goto out;
	if ((rc = age_header_append_mac(new_header, file_key)) != AGE_OK)
		goto out;
	*old_header_len = len;
out:
	if (rc != AGE_OK)
		buf_reset(new_header);
	secmem_free(file_key);
	age_header_release(&h);
	return rc;
}
