/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * align: aligning a leaked text to a report's words and reading its slots.
 *
 * Both texts become word tokens, normalised (case folded, apostrophes and
 * punctuation dropped but for commas, which are tokens of their own; the OCR
 * confusions 1/l, 0/o and rn/m folded), and the report is a sequence of
 * literal words and slots with two variant word sequences. A local alignment
 * (Smith-Waterman with a slot item that matches either variant) scores words
 * as exact, one or two edits away, or different, with gaps for dropped and
 * inserted words; the best local alignment is taken, then the best in what is
 * left of the leaked text on either side, so that several quotes are read. A
 * slot is read as the variant the alignment chose when that variant matches
 * the leaked words strictly better than the other one; otherwise it is erased.
 */
#ifndef CUTOUT_CORE_RELEASE_ALIGN_H
#define CUTOUT_CORE_RELEASE_ALIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/release/slots.h"

#define ALIGN_TEXT_MAX (1u << 20)  /* bytes of a leaked text */
#define ALIGN_CELLS_MAX (1u << 26) /* report items x leaked words of one alignment */

enum align_result {
	ALIGN_OK = 0,
	ALIGN_NOMEM,
	ALIGN_TOO_LARGE,
};

struct align_ref; /* a report prepared for alignment */

__attribute__((warn_unused_result)) enum align_result align_ref_make(const struct slots *s,
                                                                     struct align_ref **out);
void align_ref_free(struct align_ref **r);

struct align_stats {
	size_t words;   /* tokens of the leaked text (commas not counted) */
	size_t aligned; /* of them, aligned to the report */
	size_t read;    /* slots read */
	size_t erased;  /* slots the alignment crossed but could not read */
};

/*
 * Aligns text[0..len) to the report and stores each slot's reading in
 * y[0..s->n): 0 or 1 (the variant), -1 (not read).
 */
__attribute__((warn_unused_result)) enum align_result align_read(const struct align_ref *r,
                                                                 const char *text, size_t len,
                                                                 int8_t *y, struct align_stats *st);

#endif
