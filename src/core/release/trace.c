/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * trace: dropping normalised classes, scoring, ranking, accusing (trace.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/trace.h"

#include "lib/banned.h"

#define NORMALISED_P 0.01 /* below this, "all the same" is not chance */
#define NORMALISED_MIN 3  /* readings of a class before it can look normalised */
#define AMERICAN_MIN 3    /* readings of a spelling class, all American, to drop it */

#define SPELLING \
	(1u << SLOT_ISE | 1u << SLOT_OUR | 1u << SLOT_YSE | 1u << SLOT_BRITISH | 1u << SLOT_PERCENT)

/* The spelling classes go together: a spelling checker changes them all. */
static const uint32_t groups[] = {
        SPELLING,
        1u << SLOT_ISE,
        1u << SLOT_OUR,
        1u << SLOT_YSE,
        1u << SLOT_BRITISH,
        1u << SLOT_NUMBER,
        1u << SLOT_PERCENT,
        1u << SLOT_SERIAL,
        1u << SLOT_HYPHEN,
        1u << SLOT_SYNONYM,
        1u << SLOT_THAT,
        1u << SLOT_COMMA,
        1u << SLOT_CONTRACTION,
        1u << SLOT_DATE,
        1u << SLOT_ORDER,
};

/*
 * Dropping readings never weakens the bound: which readings are dropped depends
 * on the readings and the biases only, never on an innocent's bits. It only
 * costs the guilty their slots when the choice is wrong; so a spelling group
 * that reads all American (variant 1) is dropped from AMERICAN_MIN readings
 * on, since a spelling checker set to American English is common and an
 * honest copy reads so only with probability 2^-n at p = 1/2 (1/8 at n = 3).
 */
static void drop_normalised(const struct slots *s, const struct copy_book *b, int8_t *y,
                            struct trace_result *res)
{
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
		size_t n = 0, ones = 0;
		double l0 = 0, l1 = 0; /* log P(all 0), log P(all 1) */
		for (size_t j = 0; j < b->m; j++) {
			if (!(groups[g] & (1u << s->s[j].cls)) || y[j] < 0)
				continue;
			n++;
			ones += (size_t)y[j];
			l0 += log(1 - b->p[j]);
			l1 += log(b->p[j]);
		}
		int american = (groups[g] & ~SPELLING) == 0 && n >= AMERICAN_MIN && ones == n;
		if (!american && (n < NORMALISED_MIN || (ones != 0 && ones != n) ||
		                  exp(l0) + exp(l1) >= NORMALISED_P))
			continue;
		res->dropped_classes |= groups[g];
		for (size_t j = 0; j < b->m; j++)
			if ((groups[g] & (1u << s->s[j].cls)) && y[j] >= 0) {
				y[j] = -1;
				res->slots_dropped++;
			}
	}
}

/*
 * The weight of a slot's term. The commas are what retyping changes most
 * (bench/release: about one reading in fifteen is wrong, under one in a
 * hundred elsewhere): a wrong comma costs half as much, and a
 * right one gains half. The weights depend on the class only, never on
 * anyone's bits, so the bound (tardos_tail_make with the same weights) holds.
 */
static double class_weight(unsigned cls)
{
	return cls == SLOT_SERIAL || cls == SLOT_COMMA ? 0.5 : 1.0;
}

static void insert_top(struct trace_result *res, uint64_t id, double score)
{
	size_t k = res->ranked < TRACE_TOP ? res->ranked++ : TRACE_TOP - 1;
	if (k == TRACE_TOP - 1 && res->ranked == TRACE_TOP && score <= res->top[k].score)
		return;
	while (k > 0 && res->top[k - 1].score < score) {
		res->top[k] = res->top[k - 1];
		k--;
	}
	memset(&res->top[k], 0, sizeof res->top[k]);
	res->top[k].recipient = id;
	res->top[k].score = score;
}

enum trace_status trace_score(const struct slots *s, const struct copy_book *b,
                              const struct tardos_params *params, int8_t *y,
                              struct trace_result *res)
{
	struct align_stats st = res->align;
	memset(res, 0, sizeof *res);
	res->align = st;
	if (s->n != b->m)
		return TRACE_TOO_LARGE;
	drop_normalised(s, b, y, res);
	uint32_t *idx = malloc((b->m + 1) * sizeof *idx);
	double *delta = malloc((b->m + 1) * sizeof *delta);
	double *w = malloc((b->m + 1) * sizeof *w);
	uint8_t *want = malloc(b->m + 1);
	if (!idx || !delta || !w || !want) {
		free(idx);
		free(delta);
		free(w);
		free(want);
		return TRACE_NOMEM;
	}
	for (size_t j = 0; j < b->m; j++)
		w[j] = class_weight(s->s[j].cls);
	size_t r = 0;
	double base = 0;
	for (size_t j = 0; j < b->m; j++) {
		if (y[j] < 0)
			continue;
		double miss = tardos_term(y[j], !y[j], b->p[j]),
		       hit = tardos_term(y[j], y[j], b->p[j]);
		base += w[j] * miss;
		idx[r] = (uint32_t)j;
		delta[r] = w[j] * (hit - miss);
		want[r] = (uint8_t)y[j];
		r++;
	}
	res->slots_read = r;
	for (size_t i = 0; i < b->n && r > 0; i++) {
		const uint8_t *bits = copy_book_bits(b, i);
		double sc = base;
		for (size_t q = 0; q < r; q++)
			if (tardos_bit(bits, idx[q]) == want[q])
				sc += delta[q];
		insert_top(res, b->ids[i], sc);
	}
	struct tardos_tail *tail = NULL;
	if (r > 0 && tardos_tail_make(b->p, y, w, b->m, &tail) != 0) {
		free(idx);
		free(delta);
		free(w);
		free(want);
		return TRACE_NOMEM;
	}
	res->threshold = tail ? tardos_tail_threshold(tail, params) : INFINITY;
	for (size_t k = 0; k < res->ranked; k++) {
		struct trace_candidate *c = &res->top[k];
		size_t i = 0;
		while (i < b->n && b->ids[i] != c->recipient)
			i++;
		for (size_t q = 0; i < b->n && q < r; q++)
			c->agree += tardos_bit(copy_book_bits(b, i), idx[q]) == want[q];
		c->bound = tardos_tail_p(tail, c->score) * (double)params->recipients;
		c->accused = c->score >= res->threshold && c->bound <= params->epsilon;
		res->accused += (size_t)c->accused;
	}
	res->words_needed = 0;
	if (!res->accused) {
		double slots = tardos_slots_needed(b->p, b->m, params, 1);
		double per_word = res->align.words && r ? (double)r / (double)res->align.words
		                                        : slots_density(s) / 100.0;
		res->words_needed = per_word > 0 ? ceil(slots / per_word) : INFINITY;
	}
	tardos_tail_free(&tail);
	free(idx);
	free(delta);
	free(w);
	free(want);
	return TRACE_OK;
}

enum trace_status trace_run(const struct slots *s, const struct align_ref *ref,
                            const struct copy_book *b, const struct tardos_params *params,
                            const char *text, size_t len, struct trace_result *res)
{
	memset(res, 0, sizeof *res);
	if (s->n != b->m || s->n == 0)
		return TRACE_TOO_LARGE;
	int8_t *y = malloc(s->n);
	if (!y)
		return TRACE_NOMEM;
	enum align_result ar = align_read(ref, text, len, y, &res->align);
	enum trace_status rc = ar == ALIGN_OK      ? trace_score(s, b, params, y, res)
	                       : ar == ALIGN_NOMEM ? TRACE_NOMEM
	                                           : TRACE_TOO_LARGE;
	free(y);
	return rc;
}
