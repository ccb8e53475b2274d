/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_trace: tracing a leaked text in the desk (issue 13 §3): a paste box
 * (a file is read into it by desk.js), and the answer of core/release's
 * release_trace for each release the text aligned to: the ranked
 * recipients, their scores, the slots read and agreeing, the
 * false-accusation bound, or nobody accused and how many more words would be
 * needed. The trace is a ledger entry (core/release writes it); the answer is
 * rendered straight back from the POST (nothing is stored to redirect to,
 * and the leaked text is never kept).
 */
#include "app/desk/desk_reg_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/release/release.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

#define TRACE_FORM_MAX (90 * 1024) /* bytes of pasted text (the door's form is 96 KiB) */

/* v with two significant digits (g: a bound) or two decimals. */
static void fmt(struct w *w, bool g, double v)
{
	char s[32];
	int n = g ? snprintf(s, sizeof s, "%.2g", v) : snprintf(s, sizeof s, "%.2f", v);
	if (n < 0 || (size_t)n >= sizeof s)
		w->failed = 1;
	else
		raw(w, s);
}

static void form(struct w *w, const struct desk_reg_in *in)
{
	el(w, "<h1>", "desk.rel.trace.title", "</h1>");
	el(w, "<p class=\"muted\">", "desk.rel.trace.intro", "</p>");
	raw(w, "<form method=\"post\" action=\"/trace\" id=\"trace-form\">");
	csrf_field(w, in->csrf);
	el(w, "<label for=\"trace-file\">", "desk.rel.trace.file", "</label>");
	raw(w,
	    "<input type=\"file\" id=\"trace-file\" accept=\"text/plain,text/markdown,.txt,.md\">");
	el(w, "<label for=\"trace-text\">", "desk.rel.trace.text", "</label>");
	raw(w, "<textarea id=\"trace-text\" name=\"text\" required maxlength=\"92160\" "
	       "spellcheck=\"false\"></textarea>");
	el(w, "<p><button id=\"trace\" type=\"submit\">", "desk.rel.trace.button",
	   "</button></p></form>");
}

struct traced {
	struct w *w;
	int n;
};

static int hit(void *ctx, const struct release_trace_hit *h)
{
	struct traced *t = ctx;
	struct w *w = t->w;
	char rel[24], rep[24], al[24], words[24], slots[24], rcps[24];
	int ok = snprintf(rel, sizeof rel, "%lld", (long long)h->release) > 0 &&
	         snprintf(rep, sizeof rep, "%lld", (long long)h->report) > 0 &&
	         snprintf(al, sizeof al, "%zu", h->aligned) > 0 &&
	         snprintf(words, sizeof words, "%zu", h->words) > 0 &&
	         snprintf(slots, sizeof slots, "%zu", h->slots_read) > 0 &&
	         snprintf(rcps, sizeof rcps, "%zu", h->recipients) > 0;
	if (!ok)
		w->failed = 1;
	t->n++;
	raw(w, "<section class=\"hit\" data-release=\"");
	num(w, h->release);
	raw(w, "\"><h2><a href=\"/release?id=");
	num(w, h->release);
	raw(w, "\">");
	text_vars(w, "desk.rel.trace.hit", (const char *const[]){"id", rel, "report", rep, NULL});
	raw(w, "</a></h2><p class=\"muted\">");
	text_vars(w, "desk.rel.trace.read",
	          (const char *const[]){"aligned", al, "words", words, "slots", slots, "n", rcps,
	                                NULL});
	raw(w, " ");
	text(w, "desk.rel.trace.threshold");
	raw(w, " ");
	fmt(w, false, h->threshold);
	raw(w, "</p>");
	if (h->ranked > 0) {
		raw(w, "<table class=\"ranked\"><thead><tr>");
		static const char *const th[] = {"desk.rel.trace.rank",   "desk.rel.rcp.name",
		                                 "desk.rel.copy",         "desk.rel.trace.score",
		                                 "desk.rel.trace.agree",  "desk.rel.trace.bound",
		                                 "desk.rel.trace.verdict"};
		for (size_t i = 0; i < sizeof th / sizeof *th; i++)
			el(w, "<th scope=\"col\">", th[i], "</th>");
		raw(w, "</tr></thead><tbody>");
	}
	for (size_t i = 0; i < h->ranked && i < TRACE_TOP; i++) {
		const struct release_suspect *s = &h->top[i];
		raw(w, s->accused ? "<tr class=\"suspect accused\"" : "<tr class=\"suspect\"");
		raw(w, " data-name=\"");
		esc_str(w, s->name);
		raw(w, "\"><td>");
		u64(w, i + 1);
		raw(w, "</td><td class=\"name\">");
		esc_str(w, s->name);
		raw(w, "</td><td>");
		u64(w, s->copy);
		raw(w, "</td><td>");
		fmt(w, false, s->score);
		raw(w, "</td><td>");
		u64(w, s->agree);
		raw(w, " / ");
		u64(w, h->slots_read);
		raw(w, "</td><td>");
		fmt(w, true, s->bound);
		raw(w, "</td><td>");
		el(w, s->accused ? "<span class=\"state state-refused\">" : "<span>",
		   s->accused ? "desk.rel.trace.accused" : "desk.rel.trace.not_accused", "</span>");
		raw(w, "</td></tr>");
	}
	if (h->ranked > 0)
		raw(w, "</tbody></table>");
	if (h->accused == 0) {
		double more = h->words_needed - (double)h->aligned;
		char m[24], all[24];
		int n1 = snprintf(m, sizeof m, "%.0f", more > 0 ? more : 0.0);
		int n2 = snprintf(all, sizeof all, "%.0f", h->words_needed);
		if (n1 < 0 || (size_t)n1 >= sizeof m || n2 < 0 || (size_t)n2 >= sizeof all)
			w->failed = 1;
		raw(w, "<p class=\"notice\" id=\"nobody\">");
		text_vars(w, "desk.rel.trace.nobody",
		          (const char *const[]){"n", m, "all", all, NULL});
		raw(w, "</p>");
	}
	raw(w, "</section>");
	return 0;
}

static void run(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	const char *text = form_get(in->form, "text");
	size_t len = text != NULL ? strnlen(text, TRACE_FORM_MAX + 1) : 0;
	struct w w = {out->body, in->lang, 0};
	struct release_error err = {{0}};
	struct traced t = {&w, 0};
	enum release_result rc = RELEASE_BAD_INPUT;
	form(&w, in);
	raw(&w, "<div id=\"result\">");
	if (len > 0 && len <= TRACE_FORM_MAX)
		rc = release_trace(in->reg, in->key, text, len, hit, &t, &err);
	if (rc == RELEASE_FAILED)
		return desk_reg_fail(out, 500);
	if (rc != RELEASE_OK)
		desk_reg_notice(&w, "desk.reg.refused", err.msg[0] ? err.msg : release_strerror(rc),
		                0);
	else if (t.n == 0)
		el(&w, "<p class=\"notice\" id=\"nobody\">", "desk.rel.trace.no_match", "</p>");
	raw(&w, "</div>");
	desk_reg_finish(&w, out, desk_release_status(rc), "desk.rel.trace.title");
}

void desk_trace_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                       struct desk_reg_out *out)
{
	if (rt == DR_TRACE_RUN)
		return run(in, out);
	struct w w = {out->body, in->lang, 0};
	form(&w, in);
	desk_reg_finish(&w, out, 200, "desk.rel.trace.title");
}
