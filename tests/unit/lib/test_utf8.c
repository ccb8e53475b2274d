/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include "lib/utf8.h"
#include "t.h"

static long c(const char *s)
{
	return utf8_count((const uint8_t *)s, strlen(s));
}

/* What a terminal is shown of a stranger's text (utf8_visible). */
static int vis_is(const char *in, size_t n, bool lines, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	int ok = utf8_visible(&b, in, n, lines) == BUF_OK && strcmp(buf_str(&b), want) == 0;
	if (!ok)
		printf("# utf8_visible gave '%s'\n", buf_str(&b));
	buf_release(&b);
	return ok;
}

static void test_visible(void)
{
	T_CHECK(utf8_hidden(0x202e) && utf8_hidden(0x2066) && utf8_hidden(0x1b) &&
	        utf8_hidden(0x85));
	T_CHECK(!utf8_hidden('a') && !utf8_hidden('\n') && !utf8_hidden(0x200d) &&
	        !utf8_hidden(0x43f));
	T_OK(vis_is("report\xe2\x80\xae"
	            "fdp.exe",
	            16, false, "report<U+202E>fdp.exe"),
	     "a right-to-left override in a file name is shown");
	T_OK(vis_is("\x1b[2Jclear", 9, false, "<U+001B>[2Jclear"), "an escape sequence is shown");
	T_OK(vis_is("a\nb\tc\r", 6, true, "a\nb\tc<U+000D>"),
	     "lines: newline and tab kept, CR shown");
	T_OK(vis_is("a\nb", 3, false, "a<U+000A>b"), "a name: a newline is shown");
	T_OK(vis_is("x\xffy", 3, false, "x\xef\xbf\xbdy"), "a malformed byte is U+FFFD");
	T_OK(vis_is("\xd0\xbf\xf0\x9f\x94\x92", 6, false, "\xd0\xbf\xf0\x9f\x94\x92"),
	     "other text as it is");
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
	test_visible();
	return t_done();
}
