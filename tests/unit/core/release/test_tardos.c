/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_tardos: core/release/tardos — determinism, key separation (another
 * secret, release or recipient gives other values), the biases follow the
 * arcsine law within the cutoff, the bits follow their biases, an innocent's
 * score terms have mean 0 and variance 1, and the tail of an innocent's score
 * (convolution, rounded up) bounds simulated innocents tightly and decides the
 * threshold. Engine 1's code is frozen (its releases re-derive their biases);
 * from engine 2 a c = 2 code has every bias 1/2, the best for two colluders
 * whatever they do, and its innocent's law is the binomial one exactly, with
 * weighted terms too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/tardos.h"
#include "release_sim.h"
#include "t.h"

#include "lib/banned.h"

#define M 4000
#define ENGINE1_P0 0.70704475572705738 /* computed by the code of main before engine 2 */
#define ENGINE1_P1 0.31329418824657718

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
	T_CHECK(tardos_biases(k1, 7, 2, 1, p, M) == 0 && tardos_biases(k1, 7, 2, 1, q, M) == 0);
	T_OK(memcmp(p, q, sizeof p) == 0, "the biases are a function of secret and release");
	T_CHECK(tardos_biases(k1, 8, 2, 1, r, M) == 0);
	size_t same = 0;
	for (size_t j = 0; j < M; j++)
		same += p[j] == r[j];
	T_OK(same == 0, "another release has other biases");
	T_CHECK(tardos_biases(k2, 7, 2, 1, r, M) == 0);
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
	T_CHECK(tardos_biases(k1, 7, 2, 1, p, 0) == -1 &&
	        tardos_biases(k1, 7, 2, 2, p, TARDOS_SLOTS_MAX + 1) == -1);
}

static void distributions(void)
{
	static double p[M];
	double t = tardos_cutoff(2, 1), lo = asin(sqrt(t)), hi = M_PI / 2 - lo;
	T_CHECK(tardos_biases(k1, 99, 2, 1, p, M) == 0);
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
	T_CHECK(tardos_biases(k1, 5, 2, 1, p, R) == 0);
	struct sim_rng rng = {5};
	for (size_t j = 0; j < R; j++)
		y[j] = (int8_t)(sim_next(&rng) & 1);
	y[3] = -1; /* not read */
	struct tardos_tail *tl;
	T_CHECK(tardos_tail_make(p, y, NULL, R, &tl) == 0);
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
	T_CHECK(tardos_tail_make(p, none, NULL, R, &tl) == 0);
	T_OK(isinf(tardos_tail_threshold(tl, &prm)), "nothing read: nobody can be accused");
	tardos_tail_free(&tl);
	T_OK(tardos_slots_needed(p, R, &prm, 1) > 40 &&
	             tardos_slots_needed(p, R, &prm, 2) > 3.9 * tardos_slots_needed(p, R, &prm, 1),
	     "slots needed: %.0f for one leaker, 4x for two", tardos_slots_needed(p, R, &prm, 1));
}

/* Engine 1 frozen; engine 2's c = 2 code: biases 1/2, the best whatever two colluders do. */
static void engines(void)
{
	static double p[M];
	T_CHECK(tardos_cutoff(2, 1) == 0.125 && tardos_cutoff(1, 2) == 0.5 &&
	        tardos_cutoff(2, 2) == 0.5 && fabs(tardos_cutoff(3, 2) - 1.0 / 12) < 1e-15);
	/* the first biases of an engine-1 release, as its copies were made with them */
	T_CHECK(tardos_biases(k1, 7, 2, 1, p, M) == 0);
	T_OK(fabs(p[0] - ENGINE1_P0) < 1e-12 && fabs(p[1] - ENGINE1_P1) < 1e-12,
	     "engine 1's biases are what they were (%.17g %.17g)", p[0], p[1]);
	T_CHECK(tardos_biases(k1, 7, 2, 2, p, M) == 0);
	int half = 1;
	for (size_t j = 0; j < M; j++)
		half &= p[j] == 0.5;
	T_OK(half, "engine 2, c = 2: every bias is 1/2");
	T_CHECK(tardos_biases(k1, 7, 3, 2, p, M) == 0);
	int spread = 0;
	for (size_t j = 0; j < M; j++)
		spread += p[j] < 0.2 || p[j] > 0.8;
	T_OK(spread > M / 10, "engine 2, c = 3: the arcsine law stays (%d of %d outside [.2,.8])",
	     spread, M);
	/*
	 * Two colluders, under the marking assumption: equal bits force y and both gain; where
	 * the bits differ they choose y, and one gains g1 where the other loses g0. Their
	 * expected sum per slot is at least 2 sqrt(p(1-p)) (1 - |1 - 2p|) whatever they choose:
	 * largest, 1, at p = 1/2, where it does not depend on their choice.
	 */
	int ok = 1;
	double best = 0, at = 0;
	for (int i = 5; i <= 95; i++) {
		double q = i / 100.0, worst = INFINITY;
		double forced = q * q * 2 * tardos_term(1, 1, q) +
		                (1 - q) * (1 - q) * 2 * tardos_term(0, 0, q);
		for (int yy = 0; yy < 2; yy++) {
			double sum =
			        forced +
			        2 * q * (1 - q) * (tardos_term(yy, 1, q) + tardos_term(yy, 0, q));
			worst = sum < worst ? sum : worst;
		}
		ok &= fabs(worst - 2 * sqrt(q * (1 - q)) * (1 - fabs(1 - 2 * q))) < 1e-12;
		if (worst > best) {
			best = worst;
			at = q;
		}
	}
	T_OK(ok && at == 0.5 && fabs(best - 1) < 1e-12,
	     "two colluders' least expected sum is 2 sqrt(p(1-p)) (1 - |1-2p|), 1 at p = 1/2");
	/* at p = 1/2 the innocent's score is 2 Bin(r, 1/2) - r: the convolution is exact */
	enum { R = 60 };
	static int8_t y[R];
	for (size_t j = 0; j < R; j++) {
		p[j] = 0.5;
		y[j] = (int8_t)(j % 3 == 0);
	}
	struct tardos_tail *tl;
	T_CHECK(tardos_tail_make(p, y, NULL, R, &tl) == 0);
	double tail = 0, c = 1; /* P(Bin(R, 1/2) >= k) for k from R down */
	int exact = 1;
	for (int k = R; k >= 0; k--) {
		if (k < R)
			c = c * (double)(k + 1) / (double)(R - k); /* C(R, k) from C(R, k + 1) */
		tail += c * pow(0.5, R);
		double got = tardos_tail_p(tl, 2.0 * k - R);
		exact &= fabs(got - tail) <= 1e-9 * tail + 1e-300;
	}
	T_OK(exact, "at p = 1/2 the tail is the binomial tail");
	struct tardos_params prm = {1000, 2, 1e-6};
	double z = tardos_tail_threshold(tl, &prm);
	/* P(Bin(60, 1/2) >= 52) = 2.6e-9 > 1e-9 >= P(>= 53) = 3.8e-10 */
	T_OK(z > 2.0 * 52 - R && z <= 2.0 * 53 - R,
	     "60 readings: accused from 53 agreeing (threshold %.3f)", z);
	tardos_tail_free(&tl);
	/* weighted terms (trace.c: the commas at 1/2): the law by enumeration of 2^12 innocents */
	enum { Q = 12 };
	double wq[Q], pq[Q];
	int8_t yq[Q];
	for (size_t j = 0; j < Q; j++) {
		wq[j] = j % 3 ? 1 : 0.5;
		pq[j] = 0.5;
		yq[j] = (int8_t)(j & 1);
	}
	T_CHECK(tardos_tail_make(pq, yq, wq, Q, &tl) == 0);
	int wexact = 1;
	for (double zz = -13; zz <= 13; zz += 0.5) {
		size_t over = 0;
		for (unsigned x = 0; x < (1u << Q); x++) {
			double sc = 0;
			for (size_t j = 0; j < Q; j++)
				sc += wq[j] * tardos_term(yq[j], (int)((x >> j) & 1), 0.5);
			over += sc >= zz - 1e-9;
		}
		wexact &= fabs(tardos_tail_p(tl, zz) - (double)over / (1u << Q)) < 1e-12;
	}
	T_OK(wexact, "weighted terms: the tail is the enumerated law");
	tardos_tail_free(&tl);
	wq[0] = 0;
	T_OK(tardos_tail_make(pq, yq, wq, Q, &tl) != 0 && tl == NULL, "a weight must be > 0");
	T_OK(fabs(tardos_slots_needed(p, R, &prm, 1) - 2 * log(1e9)) < 1e-9,
	     "slots needed at p = 1/2: 2 ln(n/eps) = %.1f", tardos_slots_needed(p, R, &prm, 1));
}

int main(void)
{
	engines();
	determinism_and_keys();
	distributions();
	score();
	tail_bound();
	return t_done();
}
