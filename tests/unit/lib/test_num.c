/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_num: strict decimal parsing. */
#include <stdint.h>

#include "lib/num.h"
#include "t.h"

#include "lib/banned.h"

int main(void)
{
	uint64_t u = 7;
	int64_t i = 7;
	T_OK(num_parse_u64("0", &u) == 0 && u == 0, "0");
	T_OK(num_parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "UINT64_MAX");
	T_OK(num_parse_u64("18446744073709551616", &u) == -1, "2^64 overflows");
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1e3", "١"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		T_OK(num_parse_u64(bad[k], &u) == -1, "refused: '%s'", bad[k]);
	T_OK(num_parse_u64(NULL, &u) == -1, "NULL refused");
	/* a field of n bytes: canonical only */
	T_OK(num_parse_u64n("1234xyz", 4, &u) == 0 && u == 1234, "u64n: the first 4 bytes");
	T_OK(num_parse_u64n("0", 1, &u) == 0 && u == 0, "u64n: 0");
	T_OK(num_parse_u64n("18446744073709551615", 20, &u) == 0 && u == UINT64_MAX,
	     "u64n: UINT64_MAX");
	T_OK(num_parse_u64n("18446744073709551616", 20, &u) == -1 &&
	             num_parse_u64n("012", 3, &u) == -1 && num_parse_u64n("", 0, &u) == -1 &&
	             num_parse_u64n("1 2", 3, &u) == -1 && num_parse_u64n(NULL, 1, &u) == -1,
	     "u64n: overflow, a leading zero, empty, a space, NULL refused");
	T_OK(num_parse_id("42", &i) == 0 && i == 42, "id 42");
	T_OK(num_parse_id("0", &i) == -1, "id 0 refused");
	T_OK(num_parse_id("9223372036854775807", &i) == 0 && i == INT64_MAX, "INT64_MAX id");
	T_OK(num_parse_id("9223372036854775808", &i) == -1, "INT64_MAX + 1 refused");
	return t_done();
}
