/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include <sodium.h>

#include "lib/web/form.h"
#include "t.h"

static enum form_result parse(struct form *f, const char *s, const struct form_limits *lim)
{
	return form_parse(f, s, strlen(s), lim);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct form f;
	T_CHECK(parse(&f, "codename=one+two%20three&lang=ru&x=%E2%82%AC%2b%26%3D", NULL) ==
	        FORM_OK);
	T_CHECK(f.count == 3);
	T_CHECK(form_get(&f, "codename") && strcmp(form_get(&f, "codename"), "one two three") == 0);
	T_CHECK(form_get(&f, "lang") && strcmp(form_get(&f, "lang"), "ru") == 0);
	T_CHECK(form_get(&f, "x") && strcmp(form_get(&f, "x"), "\xe2\x82\xac+&=") == 0);
	T_CHECK(f.fields[2].value_len == 6);
	T_CHECK(form_get(&f, "missing") == NULL);
	T_CHECK(form_get(&f, "code") == NULL);
	form_release(&f);
	T_CHECK(f.fields == NULL && f.count == 0);
	form_release(&f);
	form_release(NULL);

	/* Empty pairs skipped, bare names, empty values, first of duplicates, escaped names. */
	T_CHECK(parse(&f, "&a=1&&flag&b=&a=2&n%61me=v=w&", NULL) == FORM_OK && f.count == 5);
	T_CHECK(strcmp(form_get(&f, "a"), "1") == 0);
	T_CHECK(form_get(&f, "flag") != NULL && strcmp(form_get(&f, "flag"), "") == 0);
	T_CHECK(form_get(&f, "b") != NULL && strcmp(form_get(&f, "b"), "") == 0);
	T_CHECK(form_get(&f, "name") != NULL && strcmp(form_get(&f, "name"), "v=w") == 0);
	form_release(&f);

	T_CHECK(parse(&f, "", NULL) == FORM_OK && f.count == 0 && form_get(&f, "a") == NULL);
	form_release(&f);
	T_CHECK(parse(&f, "&&&", NULL) == FORM_OK && f.count == 0);
	form_release(&f);

	static const char *bad[] = {"a=%", "a=%4", "a=%4g", "a=%g4", "%zz=1", "a=%00", "a=1&b=%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_OK(parse(&f, bad[i], NULL) == FORM_MALFORMED && f.count == 0 && f.fields == NULL,
		     "malformed: %s", bad[i]);
		form_release(&f);
	}
	/* A NUL byte in the body itself is malformed too. */
	T_CHECK(form_parse(&f, "a=b\0c", 5, NULL) == FORM_MALFORMED);

	struct form_limits lim = {.max_body = 32, .max_fields = 2, .max_name = 4, .max_value = 5};
	T_CHECK(parse(&f, "a=1&b=2", &lim) == FORM_OK && f.count == 2);
	form_release(&f);
	T_CHECK(parse(&f, "a=1&b=2&c=3", &lim) == FORM_TOO_MANY);
	T_CHECK(parse(&f, "abcd=12345", &lim) == FORM_OK);
	form_release(&f);
	T_CHECK(parse(&f, "abcde=1", &lim) == FORM_TOO_LARGE);
	T_CHECK(parse(&f, "a=123456", &lim) == FORM_TOO_LARGE);
	/* Limits count decoded bytes: 5 escapes are 5 bytes. */
	T_CHECK(parse(&f, "a=%41%42%43%44%45", &lim) == FORM_OK &&
	        strcmp(form_get(&f, "a"), "ABCDE") == 0);
	form_release(&f);
	T_CHECK(parse(&f, "a=123456789012345678901234567890123", &lim) == FORM_TOO_LARGE);
	T_CHECK(strcmp(form_result_str(FORM_TOO_MANY), "unknown error") != 0);
	return t_done();
}
