/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tardos: keyed biases and codewords, the symmetric score and its Chernoff
 * bound (tardos.h).
 */
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "core/release/tardos.h"

#include "lib/banned.h"

#define STREAM_CHUNK 256 /* slots per keystream call */

double tardos_cutoff(uint32_t collusion)
{
	/* Tardos used 1/(300c); for the short codes of a text (hundreds of slots, c of 2 or
	 * 3) a wider cutoff (biases nearer 1/2) gains more per slot read:
	 * bench/release measured 1/(20c), 1/(4c) and 1/(2c) and 1/(4c) is kept. */
	if (collusion < 1)
		collusion = 1;
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

int tardos_biases(const uint8_t secret[static 32], uint64_t release, uint32_t collusion, double *p,
                  size_t m)
{
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	if (m == 0 || m > TARDOS_SLOTS_MAX)
		return -1;
	double t = tardos_cutoff(collusion), lo = asin(sqrt(t)), hi = M_PI / 2 - lo;
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

/* log E exp(l U_j) for an innocent: U = term(y, X) with X ~ Bernoulli(p). */
static double log_mgf(double p, int y, double l)
{
	double a = l * tardos_term(y, 1, p), b = l * tardos_term(y, 0, p);
	double mx = a > b ? a : b;
	return mx + log(p * exp(a - mx) + (1 - p) * exp(b - mx));
}

static double log_bound(const double *p, const int8_t *y, size_t m, double z, double l)
{
	double s = -l * z;
	for (size_t j = 0; j < m; j++)
		if (y[j] == 0 || y[j] == 1)
			s += log_mgf(p[j], y[j], l);
	return s;
}

/* log of the Chernoff bound: minimised over l in (0, 20] by golden-section search
 * (the exponent is convex in l). */
static double log_tail(const double *p, const int8_t *y, size_t m, double z)
{
	const double g = 0.6180339887498949;
	double a = 0, b = 20, c = b - g * (b - a), d = a + g * (b - a);
	double fc = log_bound(p, y, m, z, c), fd = log_bound(p, y, m, z, d);
	for (int it = 0; it < 40; it++) {
		if (fc < fd) {
			b = d;
			d = c;
			fd = fc;
			c = b - g * (b - a);
			fc = log_bound(p, y, m, z, c);
		} else {
			a = c;
			c = d;
			fc = fd;
			d = a + g * (b - a);
			fd = log_bound(p, y, m, z, d);
		}
	}
	double best = fc < fd ? fc : fd;
	return best < 0 ? best : 0;
}

double tardos_innocent_tail(const double *p, const int8_t *y, size_t m, double z)
{
	return exp(log_tail(p, y, m, z));
}

double tardos_threshold(const double *p, const int8_t *y, size_t m,
                        const struct tardos_params *params)
{
	double target =
	        log(params->epsilon / (double)(params->recipients ? params->recipients : 1));
	double lo = 0, hi = 1;
	size_t read = 0;
	for (size_t j = 0; j < m; j++)
		read += y[j] == 0 || y[j] == 1;
	if (read == 0)
		return INFINITY;
	while (log_tail(p, y, m, hi) > target) {
		hi *= 2;
		if (hi > 1e9)
			return INFINITY;
	}
	for (int it = 0; it < 30; it++) {
		double mid = (lo + hi) / 2;
		if (log_tail(p, y, m, mid) > target)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
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
