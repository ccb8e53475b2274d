/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/day.h"

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
