/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/day.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "lib/banned.h"

void day_format(int32_t day, char out[static DAY_STRLEN])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, DAY_STRLEN, "%Y-%m-%d", &tm) == 0)
		memcpy(out, "?", 2);
}

/* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int day_parse(const char *s, int32_t *out)
{
	int v[3] = {0, 0, 0};
	const int width[3] = {4, 2, 2};
	*out = 0;
	if (s == NULL || strnlen(s, 11) != 10)
		return -1;
	for (int f = 0, i = 0; f < 3; f++) {
		for (int k = 0; k < width[f]; k++, i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v[f] = v[f] * 10 + (s[i] - '0');
		}
		if (f < 2 && s[i++] != '-')
			return -1;
	}
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1])
		return -1;
	bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
	if (v[1] == 2 && v[2] == 29 && !leap)
		return -1;
	*out = (int32_t)days_from_civil(v[0], v[1], v[2]);
	return 0;
}

/* The proleptic Gregorian date of a day from 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int32_t day_add_months(int32_t day, int months)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y, m, d;
	civil_from_days(day, &y, &m, &d);
	int64_t mm = (m - 1) + months;
	y += mm >= 0 ? mm / 12 : (mm - 11) / 12;
	m = ((mm % 12) + 12) % 12 + 1;
	int64_t last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > last)
		d = last;
	int64_t r = days_from_civil(y, m, d);
	return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}
