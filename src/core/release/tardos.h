/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * tardos: the collusion-resistant binary code of the fingerprinted copies.
 *
 * The symmetric Tardos code: G. Tardos, "Optimal probabilistic fingerprint
 * codes", STOC 2003 / J. ACM 55(2), 2008 (biases from the arcsine density
 * with a cutoff t, bits X_ij ~ Bernoulli(p_j)), with the symmetric score of
 * B. Škorić, S. Katzenbeisser, M. U. Celik, "Symmetric Tardos fingerprinting
 * codes for arbitrary alphabet sizes", Des. Codes Cryptogr. 46(2), 2008: a
 * recipient gains sqrt((1-p)/p) (y=1) or sqrt(p/(1-p)) (y=0) where their bit
 * equals the leaked symbol y and loses the other one where it differs, so an
 * innocent's score has mean 0 and variance 1 per slot read.
 *
 * Accusation bound (not the Gaussian approximation): given the biases and the
 * leaked symbols, an innocent's bits are independent of them, so their score
 * is a sum of independent two-valued variables of known law. Its law is
 * computed exactly by convolution, every term rounded up to a grid of step
 * h (0.005 or more), which only moves mass upwards: the tail so computed is an
 * upper bound on the true one (the "convolution" approach of Simone and
 * Škorić, "False positive probabilities in q-ary Tardos codes", 2015, without
 * the series expansion). The union bound over the n recipients gives the
 * false-accusation probability n * P(S >= z); a recipient is accused only
 * when it is <= eps.
 *
 * Every value is a keyed function of the instance secret (32 bytes): the
 * biases of release r from BLAKE2b(key=secret, "cutout-release-bias" | r) as
 * a ChaCha20 key, the bits of recipient i from BLAKE2b(key=secret,
 * "cutout-release-copy" | r | i) likewise; 64 bits of keystream per slot
 * (docs/internals/crypto.md).
 */
#ifndef CUTOUT_CORE_RELEASE_TARDOS_H
#define CUTOUT_CORE_RELEASE_TARDOS_H

#include <stddef.h>
#include <stdint.h>

#define TARDOS_SECRET_BYTES 32
#define TARDOS_SLOTS_MAX 65536
#define TARDOS_EPSILON 1e-6
#define TARDOS_COLLUSION 2

struct tardos_params {
	uint32_t recipients; /* n */
	uint32_t collusion;  /* c, default 2 */
	double epsilon;      /* total false-accusation probability, default 1e-6 */
};

/*
 * The cutoff t of the bias density for a collusion size c with the release
 * engine `engine` (slots.h: the engine names the slots and the code): engine
 * 1, 1/(4c); from engine 2, 1/2 (every bias 1/2) for c <= 2 and 1/(4c) above
 * (docs/release.md).
 */
double tardos_cutoff(uint32_t collusion, unsigned engine);

/* The biases p[0..m) of a release. 0, or -1 if m is out of range. */
__attribute__((warn_unused_result)) int tardos_biases(const uint8_t secret[static 32],
                                                      uint64_t release, uint32_t collusion,
                                                      unsigned engine, double *p, size_t m);
/* Recipient i's bits of a release, packed LSB first into bits[(m+7)/8]. */
__attribute__((warn_unused_result)) int tardos_codeword(const uint8_t secret[static 32],
                                                        uint64_t release, uint64_t recipient,
                                                        const double *p, size_t m, uint8_t *bits);

static inline int tardos_bit(const uint8_t *bits, size_t j)
{
	return (bits[j >> 3] >> (j & 7)) & 1;
}

/* The score term of a recipient with bit x on a slot of bias p where y was read. */
double tardos_term(int y, int x, double p);

/*
 * The law of an innocent's score over the slots with y[j] in {0,1} (y[j] < 0:
 * not read), each term weighted by w[j] > 0 (w NULL: every weight 1), computed
 * by convolution with every term rounded up to a grid: an upper bound on the
 * true tail, tight to the grid step. The weights must not depend on any
 * recipient's bits (trace.c: a weight per slot class).
 */
struct tardos_tail;
__attribute__((warn_unused_result)) int tardos_tail_make(const double *p, const int8_t *y,
                                                         const double *w, size_t m,
                                                         struct tardos_tail **out);
/* An upper bound on P(an innocent's score >= z). */
double tardos_tail_p(const struct tardos_tail *t, double z);
/* The least score z with recipients * tail(z) <= epsilon (INFINITY if none). */
double tardos_tail_threshold(const struct tardos_tail *t, const struct tardos_params *params);
void tardos_tail_free(struct tardos_tail **t);
/*
 * The number of slots a single leaker's copy needs to be read for their
 * expected score to reach the threshold (Gaussian estimate, for "how much more
 * text"): 2 ln(n/eps) / mu^2 with mu = E[2 sqrt(p(1-p))]; for c colluders mu/c.
 */
double tardos_slots_needed(const double *p, size_t m, const struct tardos_params *params,
                           uint32_t colluders);

#endif
