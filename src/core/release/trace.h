/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * trace: from a leaked text to the ranked recipients of a release.
 *
 * The text is aligned to the report and its slots read (align.h); a class of
 * automatic slots (or the spelling classes together) whose every reading shows
 * the same variant, when honest copies would do so with probability under 1%,
 * looks normalised (a spelling checker, a house style) and is dropped, as is a
 * spelling class (or the spelling classes together) whose three or more
 * readings are all American; every recipient is scored with the symmetric
 * Tardos score over the slots read (tardos.h; the comma classes' terms
 * weighted 1/2), ranked, and accused only when the false-accusation bound
 * n * P(innocent score >= theirs) is at most epsilon. When nobody is accused,
 * the result says how many words of this report a single leaker's text would
 * need.
 */
#ifndef CUTOUT_CORE_RELEASE_TRACE_H
#define CUTOUT_CORE_RELEASE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "core/release/align.h"
#include "core/release/copy.h"
#include "core/release/slots.h"
#include "core/release/tardos.h"

#define TRACE_TOP 10

struct trace_candidate {
	uint64_t recipient;
	double score;
	uint32_t agree; /* slots read that show this recipient's variant */
	double bound;   /* n * P(an innocent scores this much): the false-accusation bound */
	int accused;
};

struct trace_result {
	struct align_stats align;
	size_t slots_read;        /* after dropping normalised classes */
	size_t slots_dropped;     /* read but dropped */
	uint32_t dropped_classes; /* bit (1 << enum slot_class) */
	double threshold;         /* the score an accusation needs */
	size_t ranked;            /* entries of top */
	struct trace_candidate top[TRACE_TOP];
	size_t accused;
	double words_needed; /* nobody accused: words of this report one leaker's text would need */
};

enum trace_status {
	TRACE_OK = 0,
	TRACE_NOMEM,
	TRACE_TOO_LARGE,
};

__attribute__((warn_unused_result)) enum trace_status
trace_run(const struct slots *s, const struct align_ref *ref, const struct copy_book *book,
          const struct tardos_params *params, const char *text, size_t len,
          struct trace_result *res);

/* Scores the readings y[0..book->m) (the part of trace_run after alignment; y may be changed:
 * dropped classes are set to -1); keeps res->align, clears the rest. */
__attribute__((warn_unused_result)) enum trace_status
trace_score(const struct slots *s, const struct copy_book *book, const struct tardos_params *params,
            int8_t *y, struct trace_result *res);

#endif
