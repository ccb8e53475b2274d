/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_trace: a leaked text traced against a fixed small report and eight
 * recipients. Any input is aligned and scored without error; readings,
 * rankings and bounds stay within their ranges.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/align.h"
#include "core/release/copy.h"
#include "core/release/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char report[] =
        "Prior to the meeting, the Minister emphasised that the organisation would, whilst "
        "under review, analyse three options {towards|toward} a settlement: sanctions, talks "
        "and a pause. Approximately 40 per cent of the decision-making staff were in favour. "
        "In order to assist, additional resources were obtained {last spring|in the spring}.";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct slots s;
	static struct copy_book book;
	static struct align_ref *ref;
	static int ready;
	if (!ready) {
		struct slots_error err;
		static const uint8_t secret[32] = "fuzz";
		uint64_t ids[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		if (slots_find(report, sizeof report - 1, &s, &err) != SLOTS_OK ||
		    copy_book_make(&book, secret, 1, 2, s.engine, s.n, ids, 8) != 0 ||
		    align_ref_make(&s, &ref) != ALIGN_OK)
			abort();
		ready = 1;
	}
	struct tardos_params prm = {8, 2, 1e-6};
	struct trace_result res;
	enum trace_status r = trace_run(&s, ref, &book, &prm, (const char *)data, size, &res);
	if (r == TRACE_TOO_LARGE)
		return 0;
	if (r != TRACE_OK || res.slots_read + res.slots_dropped > s.n || res.ranked > 8 ||
	    res.accused > res.ranked || res.align.aligned > res.align.words || isnan(res.threshold))
		abort();
	for (size_t k = 0; k < res.ranked; k++)
		if (res.top[k].recipient < 1 || res.top[k].recipient > 8 ||
		    res.top[k].agree > res.slots_read || isnan(res.top[k].score) ||
		    (k && res.top[k].score > res.top[k - 1].score))
			abort();
	return 0;
}
