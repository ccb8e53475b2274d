/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_marking: the marking parser. The first byte picks the scheme (uk, us,
 * tlp; with or without a country), the rest is the marking. Any input either
 * fails with a position within the input and a NUL-terminated message and a
 * zeroed marking, or parses; what parses must format (banner and portion)
 * within bounds and parse back to the same marking, dominate itself and
 * combine with itself into itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/marking/marking.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct marking_scheme *s, const struct marking *m, int portion)
{
	char out[MARKING_TEXT_MAX + 3];
	struct marking again;
	struct marking_error err;
	int n = marking_format(s, m, portion, out, sizeof out);
	if (n < 0 || (size_t)n != strlen(out) || (!portion && n > MARKING_TEXT_MAX))
		abort();
	if (marking_parse(s, out, (size_t)n, &again, &err) != MARKING_OK)
		abort();
	if (memcmp(&again, m, sizeof again) != 0 || !marking_equal(&again, m))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct marking_scheme schemes[6];
	static int ready;
	if (!ready) {
		struct marking_error err;
		const char *comps = "HUMINT,SIGINT,SOURCE,TK,SI,HCS,TALENT-KEYHOLE";
		for (int i = 0; i < 6; i++)
			if (marking_scheme_init(&schemes[i], (enum marking_scheme_kind)(i % 3),
			                        comps, i < 3 ? "GBR" : NULL, &err) != MARKING_OK)
				abort();
		ready = 1;
	}
	if (size < 1)
		return 0;
	const struct marking_scheme *s = &schemes[data[0] % 6];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	struct marking m, zero, c;
	struct marking_error err;
	memset(&zero, 0, sizeof zero);
	if (marking_parse(s, text, len, &m, &err) != MARKING_OK) {
		if (err.pos > len + 1 || memchr(err.msg, 0, sizeof err.msg) == NULL ||
		    strncmp(err.msg, "at ", 3) != 0 || memcmp(&m, &zero, sizeof m) != 0)
			abort();
		return 0;
	}
	roundtrip(s, &m, 0);
	roundtrip(s, &m, 1);
	if (!marking_dominates(&m, &m))
		abort();
	if (marking_combine(s, &m, &m, &c) != MARKING_OK || !marking_equal(&c, &m))
		abort();
	return 0;
}
