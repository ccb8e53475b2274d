/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_tardos: core/release/tardos — determinism, key separation (another
 * secret, release or recipient gives other values), the biases follow the
 * arcsine law within the cutoff, the bits follow their biases, an innocent's
 * score terms have mean 0 and variance 1, and the tail of an innocent's score
 * (convolution, rounded up) bounds simulated innocents tightly and decides the
 * threshold.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/tardos.h"
#include "release_sim.h"
#include "t.h"

#include "lib/banned.h"

#define M 4000

static const uint8_t k1[32] = "first instance secret..........";
static const uint8_t k2[32] = "second instance secret.........";

static size_t hamming(const uint8_t *a, const uint8_t *b, size_t bytes)
{
	size_t d = 0;
	for (size_t i = 0; i < bytes; i++)
		d += (size_t)__builtin_popcount(a[i] ^ b[i]);
	return d;
}

static void determinism_and_keys(void)
{
	static double p[M], q[M], r[M];
	static uint8_t a[M / 8], b[M / 8], c[M / 8], d[M / 8], e[M / 8];
	T_CHECK(tardos_biases(k1, 7, 2, p, M) == 0 && tardos_biases(k1, 7, 2, q, M) == 0);
	T_OK(memcmp(p, q, sizeof p) == 0, "the biases are a function of secret and release");
	T_CHECK(tardos_biases(k1, 8, 2, r, M) == 0);
	size_t same = 0;
	for (size_t j = 0; j < M; j++)
		same += p[j] == r[j];
	T_OK(same == 0, "another release has other biases");
	T_CHECK(tardos_biases(k2, 7, 2, r, M) == 0);
	same = 0;
	for (size_t j = 0; j < M; j++)
		same += p[j] == r[j];
	T_OK(same == 0, "another secret gives other biases");
	T_CHECK(tardos_codeword(k1, 7, 1, p, M, a) == 0 && tardos_codeword(k1, 7, 1, p, M, b) == 0);
	T_OK(memcmp(a, b, sizeof a) == 0, "a codeword is a function of secret, release, recipient");
	T_CHECK(tardos_codeword(k1, 7, 2, p, M, c) == 0);
	T_CHECK(tardos_codeword(k2, 7, 1, p, M, d) == 0);
	T_CHECK(tardos_codeword(k1, 8, 1, p, M, e) == 0);
	/* two independent codewords differ where the bits differ: 2 p (1 - p) on average */
	double expect = 0;
	for (size_t j = 0; j < M; j++)
		expect += 2 * p[j] * (1 - p[j]);
	size_t dc = hamming(a, c, sizeof a), dd = hamming(a, d, sizeof a),
	       de = hamming(a, e, sizeof a);
	T_OK(fabs((double)dc - expect) < 5 * sqrt(expect),
	     "another recipient: %zu bits differ (%.0f)", dc, expect);
	T_OK(fabs((double)dd - expect) < 5 * sqrt(expect), "another secret: %zu bits differ", dd);
	T_OK(fabs((double)de - expect) < 5 * sqrt(expect), "another release: %zu bits differ", de);
	T_CHECK(tardos_biases(k1, 7, 2, p, 0) == -1 &&
	        tardos_biases(k1, 7, 2, p, TARDOS_SLOTS_MAX + 1) == -1);
}

static void distributions(void)
{
	static double p[M];
	double t = tardos_cutoff(2), lo = asin(sqrt(t)), hi = M_PI / 2 - lo;
	T_CHECK(tardos_biases(k1, 99, 2, p, M) == 0);
	int inside = 1;
	for (size_t j = 0; j < M; j++)
		inside &= p[j] >= t - 1e-12 && p[j] <= 1 - t + 1e-12;
	T_OK(inside, "every bias is within the cutoff [%.3f, %.3f]", t, 1 - t);
	/* Kolmogorov-Smirnov distance to the cut arcsine law F(x) = (asin(sqrt x) - lo) / (hi - lo)
	 */
	double dmax = 0;
	for (double x = t; x <= 1 - t; x += 0.01) {
		size_t below = 0;
		for (size_t j = 0; j < M; j++)
			below += p[j] <= x;
		double f = (asin(sqrt(x)) - lo) / (hi - lo), d = fabs((double)below / M - f);
		if (d > dmax)
			dmax = d;
	}
	T_OK(dmax < 1.63 / sqrt(M), "biases follow the arcsine law (KS distance %.4f)", dmax);
	/* bits follow their biases: sum of (x - p) over 200 recipients is centred */
	double dev = 0, var = 0;
	static uint8_t bits[M / 8];
	size_t fails = 0;
	for (uint64_t i = 0; i < 200; i++) {
		fails += tardos_codeword(k1, 99, i, p, M, bits) != 0;
		for (size_t j = 0; j < M; j++) {
			dev += tardos_bit(bits, j) - p[j];
			var += p[j] * (1 - p[j]);
		}
	}
	T_CHECK(fails == 0);
	T_OK(fabs(dev) < 5 * sqrt(var), "bits are Bernoulli(p): deviation %.1f sd",
	     dev / sqrt(var));
}

static void score(void)
{
	int ok = 1;
	for (double p = 0.05; p < 0.96; p += 0.05)
		for (int y = 0; y < 2; y++) {
			double m = p * tardos_term(y, 1, p) + (1 - p) * tardos_term(y, 0, p);
			double v = p * pow(tardos_term(y, 1, p), 2) +
			           (1 - p) * pow(tardos_term(y, 0, p), 2);
			ok &= fabs(m) < 1e-12 && fabs(v - 1) < 1e-12;
		}
	T_OK(ok, "an innocent's term has mean 0 and variance 1");
	T_CHECK(tardos_term(1, 1, 0.2) > 0 && tardos_term(1, 0, 0.2) < 0 &&
	        tardos_term(0, 0, 0.2) > 0 && tardos_term(0, 1, 0.2) < 0);
}

static void tail_bound(void)
{
	enum { R = 80, N = 20000 };
	static double p[R];
	static int8_t y[R];
	static uint8_t bits[R / 8 + 1];
	T_CHECK(tardos_biases(k1, 5, 2, p, R) == 0);
	struct sim_rng rng = {5};
	for (size_t j = 0; j < R; j++)
		y[j] = (int8_t)(sim_next(&rng) & 1);
	y[3] = -1; /* not read */
	struct tardos_tail *tl;
	T_CHECK(tardos_tail_make(p, y, R, &tl) == 0);
	double z1 = 10, z2 = 20, t1 = tardos_tail_p(tl, z1), t2 = tardos_tail_p(tl, z2);
	T_OK(t1 <= 1 && t2 < t1 && tardos_tail_p(tl, -1000) == 1 && tardos_tail_p(tl, 1e6) == 0,
	     "the tail decreases from 1 to 0");
	size_t over1 = 0, over2 = 0, fails = 0;
	for (uint64_t i = 0; i < N; i++) {
		fails += tardos_codeword(k2, 5, i, p, R, bits) != 0;
		double s = 0;
		for (size_t j = 0; j < R; j++)
			if (y[j] >= 0)
				s += tardos_term(y[j], tardos_bit(bits, j), p[j]);
		over1 += s >= z1;
		over2 += s >= z2;
	}
	T_CHECK(fails == 0);
	/* an upper bound, and a tight one: the empirical tail is within a few sd below it */
	double e1 = (double)over1 / N, e2 = (double)over2 / N;
	T_OK(e1 <= t1 + 4 * sqrt(t1 / N) && e1 >= t1 * 0.8 - 4 * sqrt(t1 / N),
	     "P(S >= %.0f) = %.4f, bound %.4f", z1, e1, t1);
	T_OK(e2 <= t2 + 4 * sqrt(t2 / N) + 1.0 / N && e2 >= t2 * 0.6 - 4 * sqrt(t2 / N),
	     "P(S >= %.0f) = %.5f, bound %.5f", z2, e2, t2);
	struct tardos_params prm = {1000, 2, 1e-6};
	double z = tardos_tail_threshold(tl, &prm);
	T_OK(1000 * tardos_tail_p(tl, z) <= 1e-6 && 1000 * tardos_tail_p(tl, z - 0.01) > 1e-6,
	     "the threshold %.2f is the least score with n * tail <= eps", z);
	/* the Gaussian approximation would put it at 6.0 sd; the bound is near it */
	T_OK(z > 5.5 * sqrt(R - 1) && z < 7.5 * sqrt(R - 1), "threshold %.1f sd", z / sqrt(R - 1));
	tardos_tail_free(&tl);
	T_CHECK(tl == NULL);
	int8_t none[R];
	memset(none, 0xff, sizeof none);
	T_CHECK(tardos_tail_make(p, none, R, &tl) == 0);
	T_OK(isinf(tardos_tail_threshold(tl, &prm)), "nothing read: nobody can be accused");
	tardos_tail_free(&tl);
	T_OK(tardos_slots_needed(p, R, &prm, 1) > 40 &&
	             tardos_slots_needed(p, R, &prm, 2) > 3.9 * tardos_slots_needed(p, R, &prm, 1),
	     "slots needed: %.0f for one leaker, 4x for two", tardos_slots_needed(p, R, &prm, 1));
}

int main(void)
{
	determinism_and_keys();
	distributions();
	score();
	tail_bound();
	return t_done();
}
