/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * equiv: the curated table of English equivalences that give automatic slots
 * (docs/release.md lists the classes and how the table was chosen).
 *
 * Each entry is a pair (variant 0, variant 1) of lowercase word sequences
 * (words separated by one space; a hyphenated compound is one word). Some
 * entries are found only from one side: "approximately" may become "about",
 * but not every "about" may become "approximately".
 */
#ifndef CUTOUT_CORE_RELEASE_EQUIV_H
#define CUTOUT_CORE_RELEASE_EQUIV_H

#include <stddef.h>
#include <stdint.h>

#define EQUIV_WORDS_MAX 4 /* words of the longest side */
#define EQUIV_TEXT_MAX 40 /* bytes of the longest side */

struct equiv {
	char v[2][EQUIV_TEXT_MAX + 1];
	uint8_t words[2];  /* words of each side */
	uint8_t cls;       /* enum slot_class */
	uint8_t from0only; /* 1: found only when the text has variant 0; 2: only variant 1 */
	uint8_t since;     /* the slot engine that added it (slots.h, SLOTS_ENGINE) */
};

/*
 * Finds the entry of the table of engine `engine` (the entries with since <=
 * engine) with the most words whose side matches the lowercase words
 * w[0..nw) (each w[i] of length wl[i]); stores which side matched. NULL when
 * none does. The table is built once, on first use (thread-safe).
 */
const struct equiv *equiv_match(const char *const *w, const size_t *wl, size_t nw, unsigned engine,
                                int *side);
/* The number of entries (for the tests). */
size_t equiv_size(void);
const struct equiv *equiv_at(size_t i);

#endif
