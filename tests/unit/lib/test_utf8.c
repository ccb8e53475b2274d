/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include "lib/utf8.h"
#include "t.h"

static long c(const char *s)
{
	return utf8_count((const uint8_t *)s, strlen(s));
}

int main(void)
{
	T_CHECK(c("") == 0);
	T_CHECK(c("hello") == 5);
	T_CHECK(c("привет") == 6);
	T_CHECK(c("€") == 1);
	T_CHECK(c("\xf0\x9f\x98\x80") == 1);  /* U+1F600 */
	T_CHECK(c("\xc0\xaf") == -1);         /* overlong '/' */
	T_CHECK(c("\xe0\x80\xaf") == -1);     /* overlong */
	T_CHECK(c("\xed\xa0\x80") == -1);     /* surrogate U+D800 */
	T_CHECK(c("\xf4\x90\x80\x80") == -1); /* > U+10FFFF */
	T_CHECK(c("\xff") == -1);
	T_CHECK(c("abc\xe2\x82") == -1);                       /* truncated */
	T_CHECK(c("\x80") == -1);                              /* lone continuation */
	T_CHECK(utf8_count((const uint8_t *)"a\0b", 3) == -1); /* NUL */
	/* utf8_prefix: where a truncated string may be cut */
	const uint8_t ya[] = {'a', 0xd1, 0x8f, 0xe2, 0x82}; /* "aя" + 2 of the 3 bytes of "€" */
	T_OK(utf8_prefix(ya, 5) == 3, "utf8_prefix drops an incomplete last character");
	T_OK(utf8_prefix(ya, 2) == 1, "utf8_prefix cuts before a split 2-byte character");
	T_OK(utf8_prefix(ya, 3) == 3, "utf8_prefix keeps whole characters");
	T_OK(utf8_prefix(ya, 0) == 0, "utf8_prefix of nothing");
	return t_done();
}
