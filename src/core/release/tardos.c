/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tardos: keyed biases and codewords, the symmetric score and the law of an
 * innocent's score (tardos.h).
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/tardos.h"

#include "lib/banned.h"

#define STREAM_CHUNK 256 /* slots per keystream call */

double tardos_cutoff(uint32_t collusion, unsigned engine)
{
	/* Engine 1 kept 1/(4c), measured against 1/(20c) and 1/(2c) (Tardos used 1/(300c)).
	 * From engine 2, for c <= 2 every bias is 1/2: whatever two colluders do under the
	 * marking assumption, the sum of their expected scores per slot is E[2 sqrt(p(1-p))]
	 * (both bits equal: both gain; bits differ: one gains what the other loses), as is a
	 * single leaker's, and that is largest, 1, at p = 1/2 (docs/release.md). For c >= 3 the
	 * minority vote would cancel it at p = 1/2: the arcsine law with 1/(4c) stays. */
	if (collusion < 1)
		collusion = 1;
	if (engine >= 2 && collusion <= 2)
		return 0.5;
	return 1.0 / (4.0 * (double)collusion);
}

static void derive(const uint8_t secret[static 32], const char *label, uint64_t a, uint64_t b,
                   int two, uint8_t key[static crypto_stream_chacha20_KEYBYTES])
{
	uint8_t msg[40];
	size_t ll = strlen(label), n = ll;
	memcpy(msg, label, ll);
	for (int i = 0; i < 8; i++)
		msg[n++] = (uint8_t)(a >> (8 * i));
	if (two)
		for (int i = 0; i < 8; i++)
			msg[n++] = (uint8_t)(b >> (8 * i));
	crypto_generichash(key, crypto_stream_chacha20_KEYBYTES, msg, n, secret, 32);
	sodium_memzero(msg, sizeof msg);
}

/* 53-bit uniforms in [0,1) from the keystream of key, slots [from, from+n). */
static void uniforms(const uint8_t *key, size_t from, size_t n, double *u)
{
	static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t ks[STREAM_CHUNK * 8];
	crypto_stream_chacha20_xor_ic(ks, (const uint8_t[STREAM_CHUNK * 8]){0}, n * 8, nonce,
	                              (uint64_t)from / 8, key);
	for (size_t j = 0; j < n; j++) {
		uint64_t v = 0;
		for (int b = 0; b < 8; b++)
			v |= (uint64_t)ks[8 * j + (size_t)b] << (8 * b);
		u[j] = (double)(v >> 11) * 0x1.0p-53;
	}
	sodium_memzero(ks, sizeof ks);
}

int tardos_biases(const uint8_t secret[static 32], uint64_t release, uint32_t collusion,
                  unsigned engine, double *p, size_t m)
{
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	if (m == 0 || m > TARDOS_SLOTS_MAX)
		return -1;
	double t = tardos_cutoff(collusion, engine), lo = asin(sqrt(t)), hi = M_PI / 2 - lo;
	if (t >= 0.5) {
		for (size_t j = 0; j < m; j++)
			p[j] = 0.5;
		return 0;
	}
	derive(secret, "cutout-release-bias", release, 0, 0, key);
	for (size_t j = 0; j < m; j += STREAM_CHUNK) {
		size_t n = m - j < STREAM_CHUNK ? m - j : STREAM_CHUNK;
		uniforms(key, j, n, p + j);
		for (size_t k = 0; k < n; k++) {
			double s = sin(lo + (hi - lo) * p[j + k]);
			p[j + k] = s * s;
		}
	}
	sodium_memzero(key, sizeof key);
	return 0;
}

int tardos_codeword(const uint8_t secret[static 32], uint64_t release, uint64_t recipient,
                    const double *p, size_t m, uint8_t *bits)
{
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	double u[STREAM_CHUNK];
	if (m == 0 || m > TARDOS_SLOTS_MAX)
		return -1;
	memset(bits, 0, (m + 7) / 8);
	derive(secret, "cutout-release-copy", release, recipient, 1, key);
	for (size_t j = 0; j < m; j += STREAM_CHUNK) {
		size_t n = m - j < STREAM_CHUNK ? m - j : STREAM_CHUNK;
		uniforms(key, j, n, u);
		for (size_t k = 0; k < n; k++)
			if (u[k] < p[j + k])
				bits[(j + k) >> 3] |= (uint8_t)(1u << ((j + k) & 7));
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(u, sizeof u);
	return 0;
}

double tardos_term(int y, int x, double p)
{
	double g1 = sqrt((1 - p) / p), g0 = sqrt(p / (1 - p));
	if (y)
		return x ? g1 : -g0;
	return x ? -g1 : g0;
}

/*
 * The exact law of an innocent's score, made conservative: every term's two
 * values are rounded up to a grid of step h, so the rounded sum is at least
 * the true one and its tail bounds the true tail from above. The law is the
 * convolution of the two-point laws, one slot after the other.
 */
struct tardos_tail {
	double h;
	long base; /* grid index of sf[0] */
	size_t len;
	double *sf; /* sf[k] = P(rounded sum >= (base + k) h) */
};

#define TAIL_BINS_MAX (1u << 21)

int tardos_tail_make(const double *p, const int8_t *y, const double *w, size_t m,
                     struct tardos_tail **out)
{
	double spread = 0;
	*out = NULL;
	for (size_t j = 0; j < m; j++) {
		if (y[j] != 0 && y[j] != 1)
			continue;
		if (w && !(w[j] > 0 && w[j] <= 1e6))
			return -1;
		spread += (w ? w[j] : 1) *
		          fabs(tardos_term(y[j], 1, p[j]) - tardos_term(y[j], 0, p[j]));
	}
	double h = spread / (TAIL_BINS_MAX / 2) > 0.005 ? spread / (TAIL_BINS_MAX / 2) : 0.005;
	size_t bins = (size_t)(spread / h) + m + 2;
	struct tardos_tail *t = calloc(1, sizeof *t);
	double *pmf = calloc(bins, sizeof *pmf);
	if (!t || !pmf || bins > TAIL_BINS_MAX) {
		free(t);
		free(pmf);
		return -1;
	}
	size_t len = 1;
	long base = 0;
	pmf[0] = 1;
	for (size_t j = 0; j < m; j++) {
		if (y[j] != 0 && y[j] != 1)
			continue;
		double q1 = y[j] ? p[j] : 1 - p[j]; /* P(the innocent's bit equals y) */
		double wj = w ? w[j] : 1;
		long a = (long)ceil(wj * tardos_term(y[j], y[j], p[j]) / h);
		long b = (long)ceil(wj * tardos_term(y[j], !y[j], p[j]) / h); /* b < 0 < a */
		size_t d = (size_t)(a - b);
		if (len + d > bins) { /* cannot happen: bins covers the spread */
			free(t);
			free(pmf);
			return -1;
		}
		for (size_t k = len + d; k-- > 0;)
			pmf[k] = (k < len ? (1 - q1) * pmf[k] : 0) + (k >= d ? q1 * pmf[k - d] : 0);
		len += d;
		base += b;
	}
	for (size_t k = len - 1; k-- > 0;)
		pmf[k] += pmf[k + 1];
	t->h = h;
	t->base = base;
	t->len = len;
	t->sf = pmf;
	*out = t;
	return 0;
}

double tardos_tail_p(const struct tardos_tail *t, double z)
{
	double k = ceil(z / t->h - 1e-9) - (double)t->base;
	if (k <= 0)
		return 1;
	if (k >= (double)t->len)
		return 0;
	double v = t->sf[(size_t)k];
	return v < 1 ? v : 1;
}

double tardos_tail_threshold(const struct tardos_tail *t, const struct tardos_params *params)
{
	double target = params->epsilon / (double)(params->recipients ? params->recipients : 1);
	for (size_t k = 0; k < t->len; k++)
		if (t->sf[k] <= target)
			return (double)((long)k + t->base) * t->h;
	return INFINITY; /* even the best score could be an innocent's */
}

void tardos_tail_free(struct tardos_tail **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->sf);
	free(*tp);
	*tp = NULL;
}

double tardos_slots_needed(const double *p, size_t m, const struct tardos_params *params,
                           uint32_t colluders)
{
	double mu = 0;
	for (size_t j = 0; j < m; j++)
		mu += 2 * sqrt(p[j] * (1 - p[j]));
	mu /= (double)(m ? m : 1);
	mu /= (double)(colluders ? colluders : 1);
	double n = params->recipients ? params->recipients : 1;
	return 2 * log(n / params->epsilon) / (mu * mu);
}
