/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_shape: what can be checked of a binary age file without its key. The
 * header must parse (version line, stanzas, a MAC line), and the payload must
 * have the STREAM shape: a 16-byte nonce, then chunks of 64 KiB + 16, the
 * last one 16..64 KiB + 16 bytes and empty only if it is the only one. That
 * catches a blob cut inside a chunk or one with bytes appended after a short
 * last chunk; one cut at a chunk boundary, or changed bytes, need the key
 * (the header MAC and the chunk tags: age_decrypt_*).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/age/age.h"
#include "lib/age/age_internal.h"

#include "lib/banned.h"

struct age_shape {
	uint8_t hdr[AGE_MAX_HEADER]; /* the header, until its end is found */
	size_t hlen, scan;
	int in_payload;
	uint64_t payload; /* payload bytes seen */
	enum age_err err;
};

enum age_err age_shape_begin(struct age_shape **out)
{
	*out = calloc(1, sizeof **out);
	return *out != NULL ? AGE_OK : AGE_ERR_NOMEM;
}

enum age_err age_shape_update(struct age_shape *s, const uint8_t *p, size_t n)
{
	if (s->err != AGE_OK)
		return s->err;
	if (!s->in_payload) {
		size_t take = sizeof s->hdr - s->hlen;
		if (take > n)
			take = n;
		memcpy(s->hdr + s->hlen, p, take);
		s->hlen += take;
		size_t end = age_header_find_end(s->hdr, s->hlen, &s->scan);
		if (end == 0) {
			if (s->hlen == sizeof s->hdr)
				s->err = AGE_ERR_HEADER; /* no end within the largest header */
			return s->err;
		}
		struct age_header h;
		enum age_err e = age_header_parse(s->hdr, end, &h);
		if (e != AGE_OK)
			return s->err = e;
		if (h.nstanzas == 0)
			e = AGE_ERR_HEADER;
		age_header_release(&h);
		if (e != AGE_OK)
			return s->err = e;
		s->in_payload = 1;
		/* what followed the header in this call and earlier ones is payload */
		s->payload = (uint64_t)(s->hlen - end) + (n - take);
		return AGE_OK;
	}
	s->payload += n;
	return AGE_OK;
}

enum age_err age_shape_finish(struct age_shape *s)
{
	if (s->err != AGE_OK)
		return s->err;
	if (!s->in_payload)
		return s->err = AGE_ERR_HEADER; /* cut inside the header */
	if (s->payload < AGE_NONCE_SIZE + AGE_TAG_SIZE)
		return s->err = AGE_ERR_PAYLOAD;
	uint64_t body = s->payload - AGE_NONCE_SIZE;
	uint64_t last = body % AGE_ENC_CHUNK_SIZE;
	if (last == 0)
		last = AGE_ENC_CHUNK_SIZE;
	if (last < AGE_TAG_SIZE || (last == AGE_TAG_SIZE && body != AGE_TAG_SIZE))
		return s->err = AGE_ERR_PAYLOAD; /* a cut chunk, or an empty last chunk */
	return AGE_OK;
}

void age_shape_free(struct age_shape **s)
{
	if (s == NULL || *s == NULL)
		return;
	free(*s);
	*s = NULL;
}
