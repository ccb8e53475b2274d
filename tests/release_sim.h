/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release_sim: what happens to a leaked copy, simulated for the tests of
 * core/release and for bench/release. Independent of the engine: the
 * spelling "correction" is its own list, as a spelling checker's would be.
 *
 * - sim_retype: typos (substitution, deletion, insertion, transposition),
 *   dropped and duplicated words, commas dropped and added, case changes,
 *   line breaks, OCR-like confusions (m/rn, l/1, o/0);
 * - sim_americanise: British spellings "corrected" to American;
 * - sim_excerpt: a contiguous run of words;
 * - sim_mix: two copies mixed sentence by sentence (two colluders);
 *   sim_majority: the majority of three copies' choices (three colluders).
 */
#ifndef CUTOUT_TESTS_RELEASE_SIM_H
#define CUTOUT_TESTS_RELEASE_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct sim_rng {
	uint64_t s;
};
uint64_t sim_next(struct sim_rng *r);
double sim_unif(struct sim_rng *r);

struct sim_noise {
	double typo, drop, dup, comma, caps, newline, ocr; /* per word */
};
/* The noise of "retyped": 2% typos, 1% dropped, 0.5% duplicated words, ... */
extern const struct sim_noise sim_retyped;

int sim_retype(const char *in, size_t len, struct sim_rng *r, const struct sim_noise *n,
               struct buf *out);
int sim_americanise(const char *in, size_t len, struct buf *out);
/* words consecutive words from a random start (all of them if words is 0 or more). */
int sim_excerpt(const char *in, size_t len, size_t words, struct sim_rng *r, struct buf *out);
/* Sentence by sentence from a or b (same report, so the same sentences). */
int sim_mix(const char *a, const char *b, struct sim_rng *r, struct buf *out);
void sim_majority(const uint8_t *a, const uint8_t *b, const uint8_t *c, size_t bytes, uint8_t *out);

#endif
