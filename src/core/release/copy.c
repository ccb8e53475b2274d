/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * copy: rendering a copy and deriving the book of a release (copy.h).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/copy.h"
#include "core/release/tardos.h"

#include "lib/banned.h"

int copy_render(const struct slots *s, const uint8_t *bits, struct buf *out)
{
	size_t pos = 0;
	for (size_t i = 0; i <= s->n; i++) {
		size_t at = i < s->n ? s->s[i].at : s->lit_len;
		if (at < pos || at > s->lit_len ||
		    buf_append(out, s->lit + pos, at - pos) != BUF_OK)
			return -1;
		pos = at;
		if (i < s->n) {
			int v = tardos_bit(bits, i);
			if (buf_append(out, s->s[i].alt[v], s->s[i].len[v]) != BUF_OK)
				return -1;
		}
	}
	return 0;
}

size_t copy_secret_record(const uint8_t secret[static 32], unsigned engine,
                          uint8_t out[static COPY_SECRET_RECORD_MAX])
{
	if (engine < SLOTS_ENGINE_FIRST || engine > SLOTS_ENGINE)
		return 0;
	memmove(out, secret, 32); /* out may be secret */
	if (engine == 1)
		return 32;
	out[32] = (uint8_t)engine;
	return 33;
}

int copy_secret_engine(const uint8_t *rec, size_t len, unsigned *engine)
{
	if (len == 32)
		*engine = 1;
	else if (len == 33 && rec[32] >= 2 && rec[32] <= SLOTS_ENGINE)
		*engine = rec[32];
	else
		return -1;
	return 0;
}

size_t copy_choices_record(const uint8_t *bits, size_t m, unsigned engine, uint8_t *out)
{
	size_t n = COPY_BITS_BYTES(m);
	if (engine < SLOTS_ENGINE_FIRST || engine > SLOTS_ENGINE || m == 0 || m > TARDOS_SLOTS_MAX)
		return 0;
	if (engine == 1) {
		memcpy(out, bits, n);
		return n;
	}
	out[0] = (uint8_t)engine;
	memcpy(out + 1, bits, n);
	return n + 1;
}

int copy_choices_parse(const uint8_t *rec, size_t len, size_t m, unsigned *engine,
                       const uint8_t **bits)
{
	size_t n = COPY_BITS_BYTES(m);
	if (m == 0 || m > TARDOS_SLOTS_MAX)
		return -1;
	if (len == n) {
		*engine = 1;
		*bits = rec;
	} else if (len == n + 1 && rec[0] >= 2 && rec[0] <= SLOTS_ENGINE) {
		*engine = rec[0];
		*bits = rec + 1;
	} else {
		return -1;
	}
	return 0;
}

int copy_book_make(struct copy_book *b, const uint8_t secret[static 32], uint64_t release,
                   uint32_t collusion, unsigned engine, size_t m, const uint64_t *ids, size_t n)
{
	memset(b, 0, sizeof *b);
	if (m == 0 || m > TARDOS_SLOTS_MAX || n == 0 || n > COPY_RECIPIENTS_MAX)
		return -1;
	b->m = m;
	b->n = n;
	b->stride = COPY_BITS_BYTES(m);
	b->p = malloc(m * sizeof *b->p);
	b->ids = malloc(n * sizeof *b->ids);
	b->bits = malloc(n * b->stride); /* <= 10^6 * 8192: no overflow */
	if (!b->p || !b->ids || !b->bits ||
	    tardos_biases(secret, release, collusion, engine, b->p, m) != 0)
		goto fail;
	memcpy(b->ids, ids, n * sizeof *ids);
	for (size_t i = 0; i < n; i++)
		if (tardos_codeword(secret, release, ids[i], b->p, m, b->bits + i * b->stride) != 0)
			goto fail;
	return 0;
fail:
	copy_book_free(b);
	return -1;
}

void copy_book_free(struct copy_book *b)
{
	if (!b)
		return;
	if (b->bits)
		sodium_memzero(b->bits, b->n * b->stride);
	free(b->bits);
	free(b->ids);
	free(b->p);
	memset(b, 0, sizeof *b);
}
