/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_filter: the inbox's filter (issue 17): read from the URL's query, so a
 * filtered inbox is a bookmark and needs no script, carried on by the "Older"
 * link, and shown as a GET form. core/inbox decides what a filter lists.
 */
#include "app/desk/desk_internal.h"

#include <stdio.h>
#include <string.h>

#include "app/web/http.h"
#include "app/web/markup.h"
#include "core/marking/marking.h"
#include "lib/day.h"

#include "lib/banned.h"

static bool flag(const char *v)
{
	return v != NULL && strcmp(v, "1") == 0;
}

static int parse_day(const char *v, int32_t *out)
{
	*out = 0;
	return v == NULL || v[0] == '\0' ? 0 : day_parse(v, out);
}

int desk_filter_parse(const struct desk_filter_query *q, const struct marking_scheme *sch,
                      struct inbox_filter *f)
{
	memset(f, 0, sizeof *f);
	f->starred = flag(q->starred);
	f->unread = flag(q->unread);
	f->has_files = flag(q->files);
	if (parse_day(q->from, &f->day_from) != 0 || parse_day(q->to, &f->day_to) != 0)
		return -1;
	if (q->label != NULL) {
		size_t n = strnlen(q->label, sizeof f->label);
		if (n >= sizeof f->label)
			return -1;
		memcpy(f->label, q->label, n); /* checked by core/inbox (a bad one: 400) */
	}
	if (q->marking != NULL && q->marking[0] != '\0') {
		struct marking m;
		size_t n = strnlen(q->marking, MARKING_TEXT_MAX + 1);
		if (n > MARKING_TEXT_MAX ||
		    marking_parse(sch, q->marking, n, &m, NULL) != MARKING_OK ||
		    marking_format(sch, &m, false, f->marking, sizeof f->marking) < 0)
			return -1;
	}
	return 0;
}

/* s percent-encoded (RFC 3986 unreserved characters as they are) after out[*n]. */
static int pct(char *out, size_t cap, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
		if (*n + 4 > cap)
			return -1;
		if (plain) {
			out[(*n)++] = (char)c;
		} else {
			out[(*n)++] = '%';
			out[(*n)++] = hex[c >> 4];
			out[(*n)++] = hex[c & 15];
		}
	}
	out[*n] = '\0';
	return 0;
}

static int add(char *out, size_t cap, size_t *n, const char *name, const char *value)
{
	size_t k = strlen(name);
	if (*n + k + 3 > cap)
		return -1;
	out[(*n)++] = '&';
	memcpy(out + *n, name, k);
	*n += k;
	out[(*n)++] = '=';
	out[*n] = '\0';
	return pct(out, cap, n, value);
}

int desk_filter_query(const struct inbox_filter *f, char *out, size_t cap)
{
	size_t n = 0;
	char d[DAY_STRLEN];
	if (cap == 0)
		return -1;
	out[0] = '\0';
	if ((f->starred && add(out, cap, &n, "starred", "1") != 0) ||
	    (f->unread && add(out, cap, &n, "unread", "1") != 0) ||
	    (f->has_files && add(out, cap, &n, "files", "1") != 0) ||
	    (f->label[0] != '\0' && add(out, cap, &n, "label", f->label) != 0) ||
	    (f->marking[0] != '\0' && add(out, cap, &n, "marking", f->marking) != 0))
		return -1;
	if (f->day_from != 0) {
		day_format(f->day_from, d);
		if (add(out, cap, &n, "from", d) != 0)
			return -1;
	}
	if (f->day_to != 0) {
		day_format(f->day_to, d);
		if (add(out, cap, &n, "to", d) != 0)
			return -1;
	}
	return 0;
}

static void check(struct w *w, const char *name, bool on, const char *key)
{
	raw(w, "<label class=\"check\"><input type=\"checkbox\" name=\"");
	raw(w, name);
	raw(w, "\" id=\"f-");
	raw(w, name);
	raw(w, on ? "\" value=\"1\" checked> " : "\" value=\"1\"> ");
	el(w, "", key, "</label>");
}

static void date_field(struct w *w, const char *name, int32_t v, const char *key)
{
	char d[DAY_STRLEN];
	raw(w, "<span class=\"field\"><label for=\"f-");
	raw(w, name);
	el(w, "\">", key, "</label><input type=\"date\" id=\"f-");
	raw(w, name);
	raw(w, "\" name=\"");
	raw(w, name);
	raw(w, "\" value=\"");
	if (v != 0) {
		day_format(v, d);
		esc_str(w, d);
	}
	raw(w, "\"></span>");
}

int desk_filter_form(struct buf *out, const char *lang, const struct inbox_filter *f)
{
	struct w w = {out, i18n_is_supported(lang) ? lang : "en", 0};
	raw(&w, "<form method=\"get\" action=\"/inbox\" id=\"filter\" class=\"filter\">");
	el(&w, "<fieldset><legend>", "desk.filter.title", "</legend><p>");
	check(&w, "starred", f->starred, "desk.inbox.starred");
	check(&w, "unread", f->unread, "desk.filter.unread");
	check(&w, "files", f->has_files, "desk.filter.files");
	raw(&w, "</p><div class=\"fields\"><span class=\"field\">");
	el(&w, "<label for=\"f-label\">", "desk.inbox.label", "</label>");
	raw(&w, "<input type=\"text\" id=\"f-label\" name=\"label\" maxlength=\"64\" value=\"");
	esc_str(&w, f->label);
	raw(&w, "\"></span><span class=\"field\">");
	el(&w, "<label for=\"f-marking\">", "desk.filter.marking", "</label>");
	raw(&w,
	    "<input type=\"text\" id=\"f-marking\" name=\"marking\" maxlength=\"255\" value=\"");
	esc_str(&w, f->marking);
	raw(&w, "\"></span>");
	date_field(&w, "from", f->day_from, "desk.filter.from");
	date_field(&w, "to", f->day_to, "desk.filter.to");
	el(&w, "</div><p><button type=\"submit\" id=\"filter-go\">", "desk.filter.button",
	   "</button> ");
	el(&w, "<a href=\"/inbox\" id=\"filter-clear\">", "desk.filter.clear",
	   "</a></p></fieldset></form>");
	return w.failed ? -1 : 0;
}
