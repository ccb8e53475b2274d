/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Tests html (escaping, templates) and json (string output). */
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/web/html.h"
#include "lib/web/json.h"
#include "t.h"

static int esc_is(const char *in, size_t n, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	int ok = html_escape(&b, in, n) == BUF_OK && strcmp(buf_str(&b), want) == 0;
	if (!ok)
		printf("# html_escape gave '%s'\n", buf_str(&b));
	buf_release(&b);
	return ok;
}

static int json_is(const char *in, size_t n, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	int ok = json_escape_str(&b, in, n) == BUF_OK && strcmp(buf_str(&b), want) == 0;
	if (!ok)
		printf("# json_escape_str gave '%s'\n", buf_str(&b));
	buf_release(&b);
	return ok;
}

#define ESC(in, want) T_OK(esc_is(in, sizeof(in) - 1, want), "html_escape %s", #in)
#define JSON(in, want) T_OK(json_is(in, sizeof(in) - 1, want), "json_escape_str %s", #in)

static void test_escape(void)
{
	ESC("", "");
	ESC("plain text, nothing to do", "plain text, nothing to do");
	ESC("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	ESC("\"><img src=x onerror='a()'>", "&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;");
	ESC("a&amp;b", "a&amp;amp;b");
	/* Controls and the characters that reorder or hide text are shown, never obeyed. */
	T_CHECK(esc_is("nul\0inside<", 11, "nul&lt;U+0000&gt;inside&lt;"));
	ESC("tab\tnl\ncr\rbell\x07"
	    "del\x7f"
	    "esc\x1b",
	    "tab\tnl\ncrbell&lt;U+0007&gt;del&lt;U+007F&gt;esc&lt;U+001B&gt;");
	ESC("invoice\xe2\x80\xae"
	    "fdp.exe",
	    "invoice&lt;U+202E&gt;fdp.exe"); /* RLO */
	ESC("a\xe2\x81\xa6"
	    "b\xe2\x81\xa9"
	    "c\xe2\x80\x8f"
	    "d\xd8\x9c"
	    "e",
	    "a&lt;U+2066&gt;b&lt;U+2069&gt;c&lt;U+200F&gt;d&lt;U+061C&gt;e"); /* isolates, RLM, ALM
	                                                                       */
	ESC("zw\xe2\x80\x8b"
	    "sp\xef\xbb\xbf"
	    "bom\xc2\x85"
	    "nel\xe2\x80\xa8"
	    "ls",
	    "zw&lt;U+200B&gt;sp&lt;U+FEFF&gt;bom&lt;U+0085&gt;nel&lt;U+2028&gt;ls");
	ESC("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb \xd9\x85\xe2\x80\x8c\xd9\x89",
	    "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb \xd9\x85\xe2\x80\x8c\xd9\x89"); /* ZWJ,
	                                                                                     ZWNJ
	                                                                                     kept */
	/* Valid UTF-8 passes through, of every length. */
	ESC("\xd0\xbf\xe2\x82\xac\xf0\x9f\x94\x92", "\xd0\xbf\xe2\x82\xac\xf0\x9f\x94\x92");
	/* Invalid UTF-8 becomes U+FFFD, never a raw byte. */
	ESC("a\xff"
	    "b",
	    "a\xef\xbf\xbd"
	    "b");
	ESC("\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd");                 /* overlong '<' */
	ESC("\xe0\x80\xbc", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '<' */
	ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	ESC("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ESC("trunc\xe2\x82", "trunc\xef\xbf\xbd\xef\xbf\xbd");
	ESC("\xe2\x82<", "\xef\xbf\xbd\xef\xbf\xbd&lt;");
	/* The length is honoured: bytes past n are not read. */
	T_CHECK(esc_is("<b>", 2, "&lt;b"));

	struct buf small;
	buf_init(&small, 4);
	T_CHECK(html_escape(&small, "<", 1) == BUF_OK);
	T_CHECK(html_escape(&small, "<", 1) == BUF_TOO_LARGE);
	buf_release(&small);

	JSON("", "\"\"");
	JSON("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
	JSON("\n\t\0\x1f\x7f", "\"\\u000a\\u0009\\u0000\\u001f\\u007f\"");
	JSON("</script><!--&", "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
	JSON("\xd0\xbf\xe2\x80\xa8\xe2\x80\xa9", "\"\xd0\xbf\\u2028\\u2029\"");
	JSON("x\xfe\xc3", "\"x\xef\xbf\xbd\xef\xbf\xbd\"");
}

struct vars {
	const char *name;
	const char *value;
	bool trusted;
};

static int lookup(void *ctx, const char *name, size_t n, struct html_value *v)
{
	for (const struct vars *p = ctx; p->name != NULL; p++) {
		if (strlen(p->name) == n && memcmp(p->name, name, n) == 0) {
			v->s = p->value;
			v->n = strlen(p->value);
			v->trusted = p->trusted;
			return 0;
		}
	}
	return 1;
}

static enum html_result render(const char *tmpl, struct buf *out)
{
	static const struct vars vars[] = {
	        {"title", "<Tom & \"Jerry\">", false},
	        {"frag", "<p>ok</p>", true},
	        {"user.name", "it's", false},
	        {NULL, NULL, false},
	};
	buf_reset(out);
	return html_render(out, tmpl, lookup, (void *)vars);
}

static void test_render(void)
{
	struct buf b;
	buf_init(&b, 4096);
	T_CHECK(render("<h1>{{title}}</h1>{{{frag}}}<i>{{user.name}}</i>", &b) == HTML_OK &&
	        strcmp(buf_str(&b),
	               "<h1>&lt;Tom &amp; &quot;Jerry&quot;&gt;</h1><p>ok</p><i>it&#39;s</i>") ==
	                0);
	/* A trusted value is still escaped through {{ }}. */
	T_CHECK(render("{{frag}}", &b) == HTML_OK &&
	        strcmp(buf_str(&b), "&lt;p&gt;ok&lt;/p&gt;") == 0);
	T_CHECK(render("no tags { } }} {x}", &b) == HTML_OK &&
	        strcmp(buf_str(&b), "no tags { } }} {x}") == 0);
	T_CHECK(render("{{{title}}}", &b) == HTML_UNTRUSTED);
	T_CHECK(render("{{missing}}", &b) == HTML_UNKNOWN_NAME);
	T_CHECK(render("{{title}", &b) == HTML_BAD_TEMPLATE);
	T_CHECK(render("{{ title }}", &b) == HTML_BAD_TEMPLATE);
	T_CHECK(render("{{}}", &b) == HTML_BAD_TEMPLATE);
	T_CHECK(render("{{{frag}}", &b) == HTML_BAD_TEMPLATE);
	T_CHECK(render("{{title", &b) == HTML_BAD_TEMPLATE);
	buf_release(&b);
	struct buf tiny;
	buf_init(&tiny, 8);
	T_CHECK(render("{{title}}", &tiny) == HTML_TOO_LARGE);
	buf_release(&tiny);
	T_CHECK(strcmp(html_result_str(HTML_UNTRUSTED), "unknown error") != 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_escape();
	test_render();
	return t_done();
}
