/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * t.h: a tiny TAP producer for the unit tests. One `ok`/`not ok` line per
 * check; tests/run adds them up. Header-only, one per test program.
 *
 *   T_CHECK(x == 1);                    // description is the expression
 *   T_OK(cond, "vector %s", name);      // description given
 *   T_SKIP("hybrid %s: no ML-KEM", n);
 *   return t_done();
 */
#ifndef CUTOUT_TESTS_T_H
#define CUTOUT_TESTS_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int t_count, t_failed;

__attribute__((format(printf, 4, 5))) static inline int t_ok(int ok, const char *file, int line,
                                                             const char *fmt, ...)
{
	va_list ap;
	t_count++;
	printf("%s %d - ", ok ? "ok" : "not ok", t_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok) {
		t_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return ok;
}

#define T_OK(cond, ...) t_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define T_CHECK(cond) t_ok(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define T_SKIP(...)                               \
	do {                                      \
		t_count++;                        \
		printf("ok %d # SKIP ", t_count); \
		printf(__VA_ARGS__);              \
		printf("\n");                     \
	} while (0)

static inline int t_done(void)
{
	printf("1..%d\n", t_count);
	return t_failed ? 1 : 0;
}

#endif
