/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_day: days as text and back. */
#include <stdint.h>
#include <string.h>

#include "lib/day.h"
#include "t.h"

#include "lib/banned.h"

int main(void)
{
	int32_t d = 7;
	char out[DAY_STRLEN];
	T_OK(day_parse("1970-01-01", &d) == 0 && d == 0, "1970-01-01 is day 0");
	T_OK(day_parse("2000-03-01", &d) == 0 && d == 11017, "2000-03-01 is day 11017");
	T_OK(day_parse("2024-02-29", &d) == 0 && d == 19782, "a leap day");
	int ok = 1;
	for (int32_t k = 0; k < 40000; k += 7) {
		day_format(k, out);
		ok &= day_parse(out, &d) == 0 && d == k;
	}
	T_OK(ok, "day_parse(day_format(k)) == k from 1970 to 2079");
	static const struct {
		const char *from;
		int months;
		const char *to;
	} add[] = {
	        {"2026-12-05", 3, "2027-03-05"},  {"2026-11-30", 3, "2027-02-28"},
	        {"2027-11-30", 3, "2028-02-29"},  {"2026-01-31", 1, "2026-02-28"},
	        {"2026-03-31", -1, "2026-02-28"}, {"2026-01-15", -13, "2024-12-15"},
	        {"2026-05-31", 0, "2026-05-31"},
	};
	for (size_t i = 0; i < sizeof add / sizeof *add; i++) {
		int32_t from = 0;
		char got[DAY_STRLEN];
		T_CHECK(day_parse(add[i].from, &from) == 0);
		day_format(day_add_months(from, add[i].months), got);
		T_OK(strcmp(got, add[i].to) == 0, "%s %+d months is %s (%s)", add[i].from,
		     add[i].months, add[i].to, got);
	}
	static const char *const bad[] = {"",           "2023-02-29",  "2100-02-29", "2024-13-01",
	                                  "2024-00-10", "2024-04-31",  "1969-12-31", "2024-1-01",
	                                  "2024/01/01", "2024-01-01x", "20240101",   "２024-01-01"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		T_OK(day_parse(bad[k], &d) == -1 && d == 0, "refused: '%s'", bad[k]);
	T_OK(day_parse(NULL, &d) == -1, "NULL refused");
	return t_done();
}
