/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "lib/num.h"

#include "lib/banned.h"

int num_parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int num_parse_u64n(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (s == NULL || n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int num_parse_id(const char *s, int64_t *out)
{
	uint64_t v;
	if (num_parse_u64(s, &v) != 0 || v == 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}
