/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* day: the only time cutout keeps, days since 1970-01-01 UTC, as text. */
#ifndef CUTOUT_LIB_DAY_H
#define CUTOUT_LIB_DAY_H

#include <stdint.h>

#define DAY_STRLEN 16

/* Writes "YYYY-MM-DD" (or "?" if the day cannot be represented). */
void day_format(int32_t day, char out[static DAY_STRLEN]);
/* "YYYY-MM-DD" (a real date, 1970 or later) into *out; 0, or -1 (and *out 0). */
__attribute__((warn_unused_result)) int day_parse(const char *s, int32_t *out);

/*
 * The day `months` calendar months after day (the same day of the month, or
 * the month's last day when it has fewer: 31 January + 1 = 28/29 February).
 */
int32_t day_add_months(int32_t day, int months);

#endif
