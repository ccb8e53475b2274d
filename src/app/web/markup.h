/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * markup.h: writing HTML for the doors' pages (intake_pages.c, desk_pages.c,
 * desk_registry.c), the one place that does it. Every value goes through
 * html_escape; catalogue texts through i18n_format (which escapes them) with
 * their {placeholders} filled by values escaped here. The first failure
 * (out of memory) sticks in w->failed, and everything after it is a no-op, so
 * a page is written straight through and checked once at the end.
 *
 * Small static functions, for the page files only.
 */
#ifndef CUTOUT_APP_MARKUP_H
#define CUTOUT_APP_MARKUP_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/day.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

struct w {
	struct buf *b;
	const char *lang;
	int failed;
};

/* Trusted markup (a literal), as is. */
static inline void raw(struct w *w, const char *s)
{
	if (!w->failed && buf_append_str(w->b, s) != BUF_OK)
		w->failed = 1;
}

static inline void esc(struct w *w, const char *s, size_t n)
{
	if (!w->failed && html_escape(w->b, s, n) != BUF_OK)
		w->failed = 1;
}

static inline void esc_str(struct w *w, const char *s)
{
	esc(w, s, strlen(s));
}

static inline void num(struct w *w, int64_t v)
{
	char s[32];
	int n = snprintf(s, sizeof s, "%" PRId64, v);
	if (n < 0 || (size_t)n >= sizeof s)
		w->failed = 1;
	else
		raw(w, s);
}

static inline void u64(struct w *w, uint64_t v)
{
	char s[32];
	int n = snprintf(s, sizeof s, "%" PRIu64, v);
	if (n < 0 || (size_t)n >= sizeof s)
		w->failed = 1;
	else
		raw(w, s);
}

/*
 * A catalogue text, its {placeholders} filled with values escaped here
 * (name, value pairs, NULL-terminated; at most 6).
 */
static inline void text_vars(struct w *w, const char *key, const char *const *vars)
{
	enum { MAXV = 6 };
	const char *names[MAXV] = {0}, *values[MAXV] = {0};
	struct buf escaped[MAXV];
	size_t n = 0;
	for (const char *const *v = vars; v != NULL && v[0] != NULL && n < MAXV; v += 2, n++) {
		buf_init(&escaped[n], 4096);
		names[n] = v[0];
		if (html_escape(&escaped[n], v[1], strlen(v[1])) != BUF_OK)
			w->failed = 1;
		values[n] = buf_str(&escaped[n]);
	}
	if (!w->failed && i18n_format(w->b, w->lang, key, n, names, values) != I18N_OK)
		w->failed = 1;
	for (size_t i = 0; i < n; i++)
		buf_release(&escaped[i]);
}

static inline void text(struct w *w, const char *key)
{
	text_vars(w, key, NULL);
}

/* open, the catalogue text, close: "<p>", "key", "</p>" */
static inline void el(struct w *w, const char *open, const char *key, const char *close)
{
	raw(w, open);
	text(w, key);
	raw(w, close);
}

static inline void csrf_field(struct w *w, const char *csrf)
{
	raw(w, "<input type=\"hidden\" name=\"csrf\" value=\"");
	esc_str(w, csrf != NULL ? csrf : "");
	raw(w, "\">");
}

static inline void id_field(struct w *w, const char *name, int64_t v)
{
	raw(w, "<input type=\"hidden\" name=\"");
	raw(w, name);
	raw(w, "\" value=\"");
	num(w, v);
	raw(w, "\">");
}

static inline void day(struct w *w, int32_t d)
{
	char s[DAY_STRLEN];
	day_format(d, s);
	esc_str(w, s);
}

#endif
