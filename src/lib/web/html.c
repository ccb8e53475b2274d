/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/web/html.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/utf8.h"

#include "lib/banned.h"

enum buf_result html_escape(struct buf *out, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, run = 0; /* p[run..i) is pending verbatim output */
	enum buf_result r = BUF_OK;
	while (i < n) {
		uint8_t c = p[i];
		const char *rep = NULL;
		size_t used = 1;
		char vis[24]; /* "&lt;U+XXXX&gt;" */
		if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
			uint32_t cp;
			used = utf8_decode(p + i, n - i, &cp);
			if (used > 0 && !utf8_hidden(cp)) {
				i += used;
				continue;
			}
			if (used > 0) { /* shown, never obeyed: "<U+202E>" */
				char name[12];
				size_t k = utf8_visible_name(cp, name);
				int w = snprintf(vis, sizeof vis, "&lt;%.*s&gt;",
				                 k > 2 ? (int)k - 2 : 0, name + 1);
				rep = w > 0 && (size_t)w < sizeof vis ? vis : "\xef\xbf\xbd";
			} else {
				used = 1;
				rep = "\xef\xbf\xbd";
			}
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"') {
			rep = "&quot;";
		} else if (c == '\'') {
			rep = "&#39;";
		} else if (c == '\r') {
			rep = ""; /* a form's CRLF is a line end */
		} else {
			i++;
			continue;
		}
		if ((r = buf_append(out, p + run, i - run)) != BUF_OK)
			return r;
		if ((r = buf_append_str(out, rep)) != BUF_OK)
			return r;
		i += used;
		run = i;
	}
	return buf_append(out, p + run, i - run);
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static enum html_result from_buf(enum buf_result r)
{
	switch (r) {
	case BUF_OK:
		return HTML_OK;
	case BUF_TOO_LARGE:
		return HTML_TOO_LARGE;
	case BUF_NOMEM:
	default:
		return HTML_NOMEM;
	}
}

enum html_result html_render(struct buf *out, const char *tmpl, html_lookup_fn lookup, void *ctx)
{
	const char *p = tmpl;
	for (;;) {
		const char *open = strstr(p, "{{");
		if (open == NULL)
			return from_buf(buf_append_str(out, p));
		enum buf_result br = buf_append(out, p, (size_t)(open - p));
		if (br != BUF_OK)
			return from_buf(br);
		bool raw = open[2] == '{';
		const char *name = open + (raw ? 3 : 2);
		size_t len = 0;
		while (is_name_char(name[len]) && len <= 64)
			len++;
		if (len == 0 || len > 64)
			return HTML_BAD_TEMPLATE;
		const char *close = raw ? "}}}" : "}}";
		size_t close_len = raw ? 3 : 2;
		if (strncmp(name + len, close, close_len) != 0)
			return HTML_BAD_TEMPLATE;
		struct html_value v = {0};
		if (lookup(ctx, name, len, &v) != 0)
			return HTML_UNKNOWN_NAME;
		if (v.s == NULL && v.n > 0)
			return HTML_UNKNOWN_NAME;
		if (raw) {
			if (!v.trusted)
				return HTML_UNTRUSTED;
			br = buf_append(out, v.s != NULL ? v.s : "", v.n);
		} else {
			br = html_escape(out, v.s != NULL ? v.s : "", v.n);
		}
		if (br != BUF_OK)
			return from_buf(br);
		p = name + len + close_len;
	}
}

const char *html_result_str(enum html_result r)
{
	switch (r) {
	case HTML_OK:
		return "ok";
	case HTML_NOMEM:
		return "out of memory";
	case HTML_TOO_LARGE:
		return "output too large";
	case HTML_BAD_TEMPLATE:
		return "malformed template tag";
	case HTML_UNKNOWN_NAME:
		return "unknown template name";
	case HTML_UNTRUSTED:
		return "raw template value not marked trusted";
	}
	return "unknown error";
}
