/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/desk_pages.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/web/markup.h"
#include "lib/day.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

const char desk_css[] =
        ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fbfbf8;--muted:#5d5d5d;--accent:#124e78;"
        "--warn:#8a1c1c;--ok:#1d5e2a;--line:#d8d8d2}\n"
        "@media (prefers-color-scheme:dark){:root{--fg:#e8e8e3;--bg:#161616;--muted:#a8a8a0;"
        "--accent:#8cc4ee;--warn:#f09a9a;--ok:#9ad7a6;--line:#3a3a36}}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0 auto;max-width:64rem;padding:1rem;font:1rem/1.5 system-ui,sans-serif;"
        "color:var(--fg);background:var(--bg)}\n"
        "header nav{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline}\n"
        "main{overflow-x:auto}\n"
        "header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;"
        "align-items:baseline;border-bottom:1px solid var(--line);padding-bottom:.5rem}\n"
        ".org{font-weight:700;color:var(--fg);text-decoration:none}\n"
        "nav a,nav button,nav span{margin-right:.8rem}\n"
        "a{color:var(--accent)}\n"
        "h1{font-size:1.4rem}\n"
        "table{border-collapse:collapse;width:100%}\n"
        "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);"
        "vertical-align:top}\n"
        "input[type=text],input[type=password],input[type=date],input[type=file],select,textarea{"
        "font:inherit;padding:.4rem;border:1px solid var(--muted);background:var(--bg);"
        "color:var(--fg)}\n"
        ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}\n"
        ".skip{position:absolute;inset-inline-start:-100vw}\n"
        ".skip:focus{position:static;display:block;margin-bottom:.5rem}\n"
        ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);"
        "white-space:nowrap;margin:0}\n"
        "nav a .badge{margin:0 0 0 .3rem}\n"
        "textarea{width:100%;min-height:8rem}\n"
        "button{font:inherit;padding:.4rem .9rem;border:1px solid var(--accent);"
        "background:var(--accent);color:var(--bg);cursor:pointer}\n"
        ".link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}"
        "\n"
        ".danger{background:var(--warn);border-color:var(--warn)}\n"
        ".notice{border-left:4px solid var(--warn);padding:.5rem .8rem}\n"
        ".notice.ok{border-color:var(--ok)}\n"
        ".unread{font-weight:700}\n"
        ".due-overdue{color:var(--warn)}\n"
        "@media (max-width:40rem){#inbox thead "
        "tr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}"
        "#inbox tr{display:block;border-bottom:1px solid var(--line);padding:.3rem 0}"
        "#inbox td{display:inline-block;border:0;padding:.15rem .4rem}}\n"
        ".badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;background:var(--accent);"
        "color:var(--bg);font-size:.85rem}\n"
        ".message{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid var(--line);"
        "padding:.8rem}\n"
        ".secret{font:1.1rem ui-monospace,monospace;word-break:break-all}\n"
        ".qr svg{width:16rem;height:16rem;background:#fff}\n"
        ".muted,footer{color:var(--muted);font-size:.9rem}\n"
        "form.inline{display:inline}\n"
        "label{display:block;margin:.7rem 0 .2rem;font-weight:600}\n"
        ".check{display:inline-block;font-weight:400;margin:.2rem 1.2rem .2rem 0}\n"
        "form.search{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));"
        "gap:0 1rem;align-items:end}\n"
        "form.search>h2,form.search>p{grid-column:1/-1}\n"
        "form.search input,form.search select{width:100%;padding:.45rem;font:inherit}\n"
        "label.check{display:inline;font-weight:400;margin-right:.8rem}\n"
        ".choices{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem}\n"
        ".scroll{overflow-x:auto}\n"
        "td.day{white-space:nowrap}\n"
        ".choices label.check{display:inline-flex;align-items:center;gap:.3rem;"
        "white-space:nowrap;margin:0}\n"
        ".state{display:inline-block;padding:0 .45rem;border:1px solid currentColor;"
        "border-radius:.6rem;font-size:.85rem;font-weight:400;vertical-align:middle}\n"
        ".state-approved{color:var(--ok)}\n"
        ".state-refused,.state-expired{color:var(--warn)}\n"
        ".state-proposed{color:var(--accent)}\n"
        "fieldset{border:1px solid var(--line);margin:.7rem 0;padding:.5rem .9rem}\n"
        "fieldset ul{list-style:none;padding:0;margin:.3rem 0}\n"
        "th[scope=row]{width:12rem;font-weight:600}\n"
        ".hit{border-top:1px solid var(--line);margin-top:1rem}\n"
        "tr.accused td.name{font-weight:700}\n"
        "input.wide{width:100%}\n"
        ".filter .fields{display:flex;flex-wrap:wrap;gap:0 1rem}\n"
        ".filter .field{flex:1 1 12rem}\n"
        ".filter .field input{width:100%}\n"
        "input[type=date]{font:inherit;padding:.35rem;border:1px solid var(--line);"
        "background:var(--bg);color:var(--fg)}\n"
        "nav.langs{font-size:.9rem}\n"
        "#conversation td{overflow-wrap:anywhere}\n"
        "nav.langs a[aria-current]{font-weight:700;text-decoration:none}\n"
        ".safe-page{margin:1rem 0;text-align:center;color:var(--muted)}\n"
        ".safe-page img{max-width:100%;height:auto;border:1px solid var(--line);background:#fff}\n";

/*
 * The desk's one script: a character count under the reply box, and a file
 * chosen on the trace page read into its paste box. No inline script anywhere.
 */
const char desk_js[] = "'use strict';\n"
                       "document.addEventListener('DOMContentLoaded', function () {\n"
                       "  var ff = document.getElementById('trace-file');\n"
                       "  var ft = document.getElementById('trace-text');\n"
                       "  if (ff && ft) ff.addEventListener('change', function () {\n"
                       "    var f = ff.files && ff.files[0];\n"
                       "    if (f) f.text().then(function (s) { ft.value = s; });\n"
                       "  });\n"
                       "  var t = document.getElementById('reply-text');\n"
                       "  var c = document.getElementById('reply-count');\n"
                       "  if (!t || !c) return;\n"
                       "  var f = function () { c.textContent = String(t.value.length); };\n"
                       "  t.addEventListener('input', f);\n"
                       "  f();\n"
                       "});\n";

static void size_text(struct w *w, uint64_t bytes)
{
	char s[32];
	int n;
	if (bytes >= (1u << 20))
		n = snprintf(s, sizeof s, "%.1f MiB", (double)bytes / (double)(1u << 20));
	else if (bytes >= 1024)
		n = snprintf(s, sizeof s, "%.1f KiB", (double)bytes / 1024.0);
	else
		n = snprintf(s, sizeof s, "%" PRIu64 " B", bytes);
	if (n < 0 || (size_t)n >= sizeof s)
		w->failed = 1;
	else
		raw(w, s);
}

/* The desk's languages, each named in itself. */
static const struct {
	const char *tag, *name;
} desk_langs[] = {{"en", "English"}, {"ru", "Русский"}};

const char *desk_lang_supported(const char *lang)
{
	for (size_t i = 0; i < sizeof desk_langs / sizeof desk_langs[0]; i++)
		if (strcasecmp(lang, desk_langs[i].tag) == 0)
			return desk_langs[i].tag;
	return NULL;
}

/* Links, no script: ?lang= is remembered in the session (desk_lang.c). */
static void lang_selector(struct w *w)
{
	raw(w, "<nav class=\"langs\" aria-label=\"");
	text(w, "desk.nav.language");
	raw(w, "\">");
	for (size_t i = 0; i < sizeof desk_langs / sizeof desk_langs[0]; i++) {
		bool cur = strcmp(w->lang, desk_langs[i].tag) == 0;
		raw(w, "<a href=\"/?lang=");
		raw(w, desk_langs[i].tag);
		raw(w, "\" hreflang=\"");
		raw(w, desk_langs[i].tag);
		raw(w, "\" lang=\"");
		raw(w, desk_langs[i].tag);
		raw(w, cur ? "\" aria-current=\"true\">" : "\">");
		raw(w, desk_langs[i].name);
		raw(w, "</a>");
	}
	raw(w, "</nav>");
}

static void head(struct w *w, const struct desk_page *p, const char *title_key)
{
	raw(w, "<!doctype html>\n<html lang=\"");
	esc_str(w, w->lang);
	raw(w, "\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	       "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	text(w, title_key);
	raw(w, " — ");
	esc_str(w, p->org);
	raw(w, "</title><link rel=\"stylesheet\" href=\"/style.css\">"
	       "<script src=\"/desk.js\" defer></script></head>\n<body>"
	       "<a class=\"skip\" href=\"#main\">");
	text(w, "skip.main");
	raw(w, "</a><header><a class=\"org\" href=\"/\">");
	esc_str(w, p->org);
	raw(w, " · ");
	text(w, "desk.name");
	raw(w, "</a>");
	if (p->officer != NULL) {
		raw(w, "<nav>");
		if (p->roles & ROLE_INTAKE)
			desk_nav_inbox(w, p);
		if (p->roles & ROLE_ADMIN)
			el(w, "<a href=\"/admin\" id=\"nav-admin\">", "desk.nav.admin", "</a>");
		el(w, "<a href=\"/reports\" id=\"nav-reports\">", "desk.nav.reports", "</a>");
		el(w, "<a href=\"/dist\" id=\"nav-dist\">", "desk.nav.dist", "</a>");
		if (p->roles & ROLE_RELEASING)
			el(w, "<a href=\"/releases\" id=\"nav-releases\">", "desk.nav.releases",
			   "</a>");
		if (p->roles & (ROLE_ADMIN | ROLE_RELEASING))
			el(w, "<a href=\"/partners\" id=\"nav-partners\">", "desk.nav.partners",
			   "</a>");
		el(w, "<a href=\"/ledger\" id=\"nav-ledger\">", "desk.nav.ledger", "</a>");
		raw(w, "<span class=\"muted\" id=\"whoami\">");
		esc_str(w, p->officer);
		raw(w, "</span><form class=\"inline\" method=\"post\" action=\"/logout\">");
		csrf_field(w, p->csrf);
		el(w, "<button class=\"link\" id=\"logout\" type=\"submit\">", "desk.nav.logout",
		   "</button></form></nav>");
	}
	lang_selector(w);
	raw(w, "</header>\n<main id=\"main\">");
	if (p->notice != NULL) {
		raw(w, p->notice_ok ? "<p class=\"notice ok\" role=\"status\">"
		                    : "<p class=\"notice\" role=\"alert\">");
		text(w, p->notice);
		raw(w, "</p>");
	}
}

static void foot(struct w *w)
{
	el(w, "</main>\n<footer><p>", "desk.footer", "</p></footer></body></html>\n");
}

static void login_page(struct w *w, const struct desk_page *p)
{
	head(w, p, "desk.login.title");
	el(w, "<h1>", "desk.login.title", "</h1>");
	raw(w, "<form method=\"post\" action=\"/login\">");
	csrf_field(w, p->csrf);
	el(w, "<label for=\"name\">", "desk.login.name", "</label>");
	raw(w, "<input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\" "
	       "autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"64\" value=\"");
	esc_str(w, p->name != NULL ? p->name : "");
	raw(w, "\">");
	el(w, "<label for=\"password\">", "desk.login.password", "</label>");
	raw(w, "<input type=\"password\" id=\"password\" name=\"password\" "
	       "autocomplete=\"current-password\" required maxlength=\"1000\">");
	el(w, "<label for=\"totp\">", "desk.login.totp", "</label>");
	raw(w, "<input type=\"text\" id=\"totp\" name=\"totp\" inputmode=\"numeric\" "
	       "autocomplete=\"one-time-code\" maxlength=\"6\" pattern=\"[0-9]{6}\">");
	el(w, "<p class=\"muted\">", "desk.login.totp_help", "</p>");
	el(w, "<p><button id=\"login\" type=\"submit\">", "desk.login.button",
	   "</button></p></form>");
}

static void enrol_page(struct w *w, const struct desk_page *p)
{
	head(w, p, "desk.enrol.title");
	el(w, "<h1>", "desk.enrol.title", "</h1>");
	el(w, "<p>", "desk.enrol.text", "</p>");
	raw(w, "<div class=\"qr\" id=\"qr\">");
	raw(w, p->qr_svg != NULL ? p->qr_svg : ""); /* markup built by the door from the URI */
	raw(w, "</div>");
	el(w, "<p>", "desk.enrol.secret", "</p>");
	raw(w, "<p class=\"secret\" id=\"secret\">");
	esc_str(w, p->secret != NULL ? p->secret : "");
	raw(w, "</p><details><summary>");
	text(w, "desk.enrol.uri");
	raw(w, "</summary><p class=\"secret\" id=\"uri\">");
	esc_str(w, p->uri != NULL ? p->uri : "");
	raw(w, "</p></details><form method=\"post\" action=\"/enrol\">");
	csrf_field(w, p->csrf);
	el(w, "<label for=\"code\">", "desk.enrol.code", "</label>");
	raw(w, "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" "
	       "autocomplete=\"one-time-code\" required maxlength=\"6\" pattern=\"[0-9]{6}\">");
	el(w, "<p><button id=\"enrol\" type=\"submit\">", "desk.enrol.button",
	   "</button></p></form>");
}

static void submission_row(struct w *w, const struct store_submission *b)
{
	raw(w, b->read ? "<tr class=\"submission\">" : "<tr class=\"submission unread\">");
	raw(w, "<td><a href=\"/submission?id=");
	num(w, b->id);
	raw(w, "\">");
	char sid[32];
	int n = snprintf(sid, sizeof sid, "%" PRId64, b->id);
	if (n < 0 || (size_t)n >= sizeof sid) {
		w->failed = 1;
		return;
	}
	const char *sv[] = {"id", sid, NULL};
	text_vars(w, "desk.submission.name", sv);
	raw(w, "</a>");
	if (!b->read)
		el(w, " <span class=\"badge\">", "desk.new", "</span>");
	raw(w, "</td><td>");
	day(w, b->day);
	raw(w, "</td><td>");
	char nf[16];
	n = snprintf(nf, sizeof nf, "%d", (int)b->nfiles);
	if (n < 0 || (size_t)n >= sizeof nf) {
		w->failed = 1;
		return;
	}
	const char *fv[] = {"n", nf, NULL};
	text_vars(w, "desk.submission.nfiles", fv);
	raw(w, "</td><td>");
	esc_str(w, b->marking);
	raw(w, "</td></tr>");
}

/*
 * A reply of the conversation: its day, its author, whether the source has
 * read or deleted it, and its text when this officer may read it.
 */
static void reply_row(struct w *w, const struct store_reply *r, const struct desk_reply *v)
{
	raw(w, "<tr class=\"reply\" id=\"reply-");
	num(w, r->id);
	raw(w, "\"><td>");
	text(w, "desk.conv.reply");
	raw(w, "</td><td>");
	day(w, r->day);
	raw(w, "</td><td colspan=\"2\"><span class=\"reply-author\">");
	if (v != NULL && v->author[0] != '\0') {
		const char *vars[] = {"name", v->author, NULL};
		text_vars(w, "desk.conv.by", vars);
	} else {
		text(w, "desk.conv.author_unknown");
	}
	raw(w, "</span> · <span class=\"reply-state\">");
	text(w, r->deleted_day != 0 ? "desk.conv.deleted"
	        : r->read_day != 0  ? "desk.conv.read"
	                            : "desk.conv.unread");
	raw(w, "</span>");
	if (r->deleted_day != 0) {
		/* nothing left to show */
	} else if (v != NULL && v->text != NULL) {
		raw(w, "<div class=\"message reply-text\">");
		esc(w, v->text, v->len);
		raw(w, "</div>");
	} else {
		raw(w, "<div class=\"muted reply-sealed\">");
		text(w, r->desk_blob != 0 ? "desk.conv.not_readable" : "desk.conv.sealed_source");
		raw(w, "</div>");
	}
	raw(w, "</td></tr>");
}

/*
 * The conversation, oldest first: this page's submissions (the store gives
 * them newest first) and the replies of their days, a submission before a
 * reply of the same day. The newest page also holds the replies after its
 * newest submission; a page with older ones, only the replies from its oldest
 * day (when there is an older page) up to the day before the newer page's
 * oldest submission, so that every reply is on exactly one page.
 */
static void conversation(struct w *w, const struct desk_page *p)
{
	int32_t lo = p->next > 0 && p->nsubs > 0 ? p->subs[p->nsubs - 1].day : INT32_MIN;
	int32_t hi = p->first_page      ? INT32_MAX
	             : p->newer_day > 0 ? p->newer_day - 1
	             : p->nsubs > 0     ? p->subs[0].day
	                                : INT32_MAX;
	size_t si = p->nsubs, ri = 0;
	while (ri < p->nreplies && p->replies[ri].day < lo)
		ri++;
	while (si > 0 || (ri < p->nreplies && p->replies[ri].day <= hi)) {
		bool reply = ri < p->nreplies && p->replies[ri].day <= hi &&
		             (si == 0 || p->replies[ri].day < p->subs[si - 1].day);
		if (reply) {
			reply_row(w, &p->replies[ri], p->reply_views ? &p->reply_views[ri] : NULL);
			ri++;
		} else
			submission_row(w, &p->subs[--si]);
	}
}

static void source_page(struct w *w, const struct desk_page *p)
{
	const struct store_desk_source *s = p->source;
	char id[32];
	int n = snprintf(id, sizeof id, "%" PRId64, s->src.id);
	if (n < 0 || (size_t)n >= sizeof id) {
		w->failed = 1;
		return;
	}
	const char *vars[] = {"id", id, NULL};
	head(w, p, "desk.source.title");
	raw(w, "<h1>");
	text_vars(w, "desk.source.name", vars);
	raw(w, "</h1><p class=\"muted\">");
	text(w, "desk.source.first");
	raw(w, " ");
	day(w, s->src.created_day);
	raw(w, "</p>");
	if (p->dues != NULL) { /* the Directive's deadlines (core/inbox/deadlines.c) */
		raw(w, "<p id=\"due\">");
		desk_due_words(w, p->dues);
		raw(w, "</p>");
	}
	/* star and label */
	raw(w, "<form class=\"inline\" method=\"post\" action=\"/source/star\">");
	csrf_field(w, p->csrf);
	id_field(w, "id", s->src.id);
	raw(w, s->starred ? "<input type=\"hidden\" name=\"on\" value=\"0\">"
	                  : "<input type=\"hidden\" name=\"on\" value=\"1\">");
	el(w, "<button id=\"star\" type=\"submit\">",
	   s->starred ? "desk.source.unstar" : "desk.source.star", "</button></form> ");
	raw(w, "<form class=\"inline\" method=\"post\" action=\"/source/label\">");
	csrf_field(w, p->csrf);
	id_field(w, "id", s->src.id);
	raw(w, "<input type=\"text\" name=\"label\" id=\"label\" maxlength=\"64\" aria-label=\"");
	text(w, "desk.source.label_name");
	raw(w, "\" value=\"");
	esc_str(w, s->label);
	raw(w, "\"> ");
	el(w, "<button type=\"submit\" id=\"set-label\">", "desk.source.label", "</button></form>");

	el(w, "<h2>", "desk.conv.title", "</h2>");
	raw(w, "<table id=\"conversation\"><tbody>");
	conversation(w, p);
	raw(w, "</tbody></table>");
	if (p->replies_more)
		el(w, "<p class=\"muted\">", "desk.conv.more_replies", "</p>");
	if (p->next > 0) {
		raw(w, "<p><a id=\"next\" href=\"/source?id=");
		num(w, s->src.id);
		raw(w, "&amp;before=");
		num(w, p->next);
		el(w, "\">", "desk.next", "</a></p>");
	}
	/* reply */
	el(w, "<h2 id=\"reply-title\">", "desk.reply.title", "</h2>");
	el(w, "<p class=\"muted\" id=\"reply-help\">", "desk.reply.text", "</p>");
	raw(w, "<form method=\"post\" action=\"/source/reply\">");
	csrf_field(w, p->csrf);
	id_field(w, "id", s->src.id);
	raw(w, "<textarea id=\"reply-text\" name=\"text\" required maxlength=\"20000\" "
	       "aria-labelledby=\"reply-title\" aria-describedby=\"reply-help\"></textarea>"
	       "<p class=\"muted\"><span id=\"reply-count\">0</span> / 20000</p>"
	       "<p><label class=\"check\"><input type=\"checkbox\" name=\"feedback\" "
	       "value=\"1\" id=\"reply-feedback\"> ");
	el(w, "", "desk.reply.feedback", "</label></p><p>");
	el(w, "<button id=\"send-reply\" type=\"submit\">", "desk.reply.button",
	   "</button></p></form>");
	/* delete */
	el(w, "<h2>", "desk.delete.title", "</h2>");
	el(w, "<p>", "desk.delete.text", "</p>");
	raw(w, "<form method=\"post\" action=\"/source/delete\">");
	csrf_field(w, p->csrf);
	id_field(w, "id", s->src.id);
	raw(w, "<label class=\"check\"><input type=\"checkbox\" name=\"confirm\" value=\"yes\" "
	       "required id=\"delete-confirm\"> ");
	text(w, "desk.delete.confirm");
	el(w, "</label> <button class=\"danger\" id=\"delete-source\" type=\"submit\">",
	   "desk.delete.button", "</button></form>");
}

static void submission_page(struct w *w, const struct desk_page *p)
{
	const struct store_submission *b = p->sub;
	char id[32], src[32];
	int n1 = snprintf(id, sizeof id, "%" PRId64, b->id);
	int n2 = snprintf(src, sizeof src, "%" PRId64, b->source_id);
	if (n1 < 0 || (size_t)n1 >= sizeof id || n2 < 0 || (size_t)n2 >= sizeof src) {
		w->failed = 1;
		return;
	}
	const char *vars[] = {"id", id, NULL};
	const char *svars[] = {"id", src, NULL};
	head(w, p, "desk.submission.title");
	raw(w, "<h1>");
	text_vars(w, "desk.submission.name", vars);
	raw(w, "</h1><p class=\"muted\"><a id=\"back\" href=\"/source?id=");
	esc_str(w, src);
	raw(w, "\">");
	text_vars(w, "desk.source.name", svars);
	raw(w, "</a> · ");
	day(w, b->day);
	raw(w, " · <span id=\"marking\">");
	esc_str(w, b->marking);
	raw(w, "</span></p>");
	el(w, "<h2>", "desk.submission.message", "</h2>");
	if (p->message_failed)
		el(w, "<p class=\"notice\">", "desk.submission.cannot_open", "</p>");
	else if (p->message == NULL)
		el(w, "<p class=\"muted\">", "desk.submission.no_message", "</p>");
	else {
		raw(w, "<div class=\"message\" id=\"message\">");
		esc(w, p->message, p->message_len);
		raw(w, "</div>");
	}
	if (b->message_blob != 0) {
		raw(w, "<p class=\"muted\"><a href=\"/message.age?id=");
		esc_str(w, id);
		el(w, "\">", "desk.submission.message_age", "</a></p>");
	}
	el(w, "<h2>", "desk.submission.files", "</h2>");
	if (p->nfiles == 0)
		el(w, "<p class=\"muted\">", "desk.submission.no_files", "</p>");
	else {
		raw(w, "<table id=\"files\"><tbody>");
		for (size_t i = 0; i < p->nfiles; i++) {
			const struct inbox_file *f = &p->files[i];
			raw(w, "<tr class=\"file\"><td class=\"name\">");
			if (f->opened)
				esc_str(w, f->name);
			else
				text(w, "desk.submission.cannot_open");
			raw(w, "</td><td>");
			esc_str(w, f->type);
			raw(w, "</td><td>");
			if (f->opened)
				size_text(w, f->size);
			raw(w, "</td><td><a class=\"download\" href=\"/file?sub=");
			num(w, b->id);
			raw(w, "&amp;n=");
			num(w, f->n);
			el(w, "\">", "desk.submission.download", "</a> · ");
			raw(w, "<a class=\"download-age\" href=\"/file?sub=");
			num(w, b->id);
			raw(w, "&amp;n=");
			num(w, f->n);
			el(w, "&amp;raw=1\">", "desk.submission.download_age", "</a> · ");
			raw(w, "<a class=\"view-safe\" href=\"/file/safe?sub=");
			num(w, b->id);
			raw(w, "&amp;n=");
			num(w, f->n);
			el(w, "\">", "desk.submission.view_safe", "</a></td></tr>");
		}
		raw(w, "</tbody></table>");
	}
	el(w, "<p class=\"muted\">", "desk.submission.warning", "</p>");
	if (p->extra_html != NULL)
		raw(w, p->extra_html);
}

static void roles_boxes(struct w *w, unsigned roles, const char *prefix)
{
	static const struct {
		unsigned bit;
		const char *name;
	} all[] = {{ROLE_ADMIN, "admin"},
	           {ROLE_INTAKE, "intake"},
	           {ROLE_ANALYST, "analyst"},
	           {ROLE_RELEASING, "releasing"}};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		raw(w, "<label class=\"check\"><input type=\"checkbox\" name=\"role\" value=\"");
		raw(w, all[i].name);
		raw(w, "\" id=\"");
		esc_str(w, prefix);
		raw(w, all[i].name);
		raw(w, "\"");
		if (roles & all[i].bit)
			raw(w, " checked");
		raw(w, "> ");
		raw(w, all[i].name);
		raw(w, "</label>");
	}
}

static void admin_page(struct w *w, const struct desk_page *p)
{
	head(w, p, "desk.admin.title");
	el(w, "<h1>", "desk.admin.title", "</h1>");
	raw(w, "<table id=\"officers\"><thead><tr>");
	el(w, "<th>", "desk.admin.name", "</th>");
	el(w, "<th>", "desk.admin.roles", "</th>");
	el(w, "<th>", "desk.admin.state", "</th>");
	el(w, "<th>", "desk.admin.actions", "</th></tr></thead><tbody>");
	for (size_t i = 0; i < p->nofficers; i++) {
		const struct officer *o = &p->officers[i];
		char roles[OFFICER_ROLES_MAX], prefix[OFFICER_NAME_MAX + 8];
		if (officer_roles_format(o->roles, roles, sizeof roles) < 0)
			roles[0] = 0;
		int n = snprintf(prefix, sizeof prefix, "%s-", o->name);
		if (n < 0 || (size_t)n >= sizeof prefix) {
			w->failed = 1;
			return;
		}
		raw(w, "<tr class=\"officer\" data-name=\"");
		esc_str(w, o->name);
		raw(w, "\"><td>");
		esc_str(w, o->name);
		raw(w, "</td><td>");
		esc_str(w, roles);
		raw(w, "</td><td>");
		text(w, o->disabled   ? "desk.admin.disabled"
		        : o->enrolled ? "desk.admin.active"
		                      : "desk.admin.not_enrolled");
		if (o->last_login_day > 0) {
			raw(w, "<br><span class=\"muted\">");
			text(w, "desk.admin.last_login");
			raw(w, " ");
			day(w, o->last_login_day);
			raw(w, "</span>");
		}
		raw(w,
		    "</td><td><form class=\"inline\" method=\"post\" action=\"/admin/disable\">");
		csrf_field(w, p->csrf);
		raw(w, "<input type=\"hidden\" name=\"name\" value=\"");
		esc_str(w, o->name);
		raw(w, o->disabled ? "\"><input type=\"hidden\" name=\"disabled\" value=\"0\">"
		                   : "\"><input type=\"hidden\" name=\"disabled\" value=\"1\">");
		el(w, "<button class=\"link disable\" type=\"submit\">",
		   o->disabled ? "desk.admin.enable" : "desk.admin.disable", "</button></form>");
		raw(w, "<form method=\"post\" action=\"/admin/roles\">");
		csrf_field(w, p->csrf);
		raw(w, "<input type=\"hidden\" name=\"name\" value=\"");
		esc_str(w, o->name);
		raw(w, "\">");
		roles_boxes(w, o->roles, prefix);
		el(w, "<button class=\"link\" type=\"submit\">", "desk.admin.set_roles",
		   "</button></form>");
		raw(w, "<form method=\"post\" action=\"/admin/clearance\">");
		csrf_field(w, p->csrf);
		raw(w, "<input type=\"hidden\" name=\"name\" value=\"");
		esc_str(w, o->name);
		raw(w, "\"><input type=\"text\" name=\"clearance\" class=\"clearance\" "
		       "maxlength=\"255\" required aria-label=\"clearance\" value=\"");
		esc_str(w, o->clearance);
		raw(w, "\"> ");
		el(w, "<button class=\"link\" type=\"submit\">", "desk.admin.set_clearance",
		   "</button></form>");
		raw(w, "<form method=\"post\" action=\"/admin/reset\">");
		csrf_field(w, p->csrf);
		raw(w, "<input type=\"hidden\" name=\"name\" value=\"");
		esc_str(w, o->name);
		raw(w,
		    "\"><input type=\"password\" name=\"password\" autocomplete=\"new-password\" "
		    "required maxlength=\"1000\" aria-label=\"password\"> ");
		el(w, "<button class=\"link\" type=\"submit\">", "desk.admin.reset",
		   "</button></form></td></tr>");
	}
	raw(w, "</tbody></table>");
	el(w, "<h2>", "desk.admin.add", "</h2>");
	raw(w, "<form method=\"post\" action=\"/admin/add\" id=\"add-officer\">");
	csrf_field(w, p->csrf);
	el(w, "<label for=\"new-name\">", "desk.admin.name", "</label>");
	raw(w, "<input type=\"text\" id=\"new-name\" name=\"name\" required maxlength=\"64\" "
	       "autocapitalize=\"none\" spellcheck=\"false\">");
	el(w, "<label for=\"new-password\">", "desk.admin.password", "</label>");
	raw(w, "<input type=\"password\" id=\"new-password\" name=\"password\" required "
	       "autocomplete=\"new-password\" maxlength=\"1000\">");
	el(w, "<p class=\"muted\">", "desk.admin.password_help", "</p>");
	el(w, "<label>", "desk.admin.roles", "</label>");
	roles_boxes(w, ROLE_INTAKE, "new-");
	el(w, "<label for=\"new-clearance\">", "desk.admin.clearance", "</label>");
	raw(w, "<input type=\"text\" id=\"new-clearance\" name=\"clearance\" maxlength=\"255\" "
	       "value=\"");
	esc_str(w, p->default_clearance != NULL ? p->default_clearance : "");
	raw(w, "\">");
	el(w, "<label for=\"new-nationality\">", "desk.admin.nationality", "</label>");
	raw(w, "<input type=\"text\" id=\"new-nationality\" name=\"nationality\" maxlength=\"3\" "
	       "pattern=\"[A-Z]{3}\" required><p>");
	el(w, "<button id=\"add\" type=\"submit\">", "desk.admin.add_button",
	   "</button></p></form>");
}

static void done_page(struct w *w, const struct desk_page *p)
{
	head(w, p, p->done_title);
	el(w, "<h1>", p->done_title, "</h1>");
	el(w, "<p>", p->done_text, "</p><p><a id=\"back\" href=\"");
	esc_str(w, p->done_back != NULL ? p->done_back : "/");
	el(w, "\">", "desk.back", "</a></p>");
}

static void error_page(struct w *w, const struct desk_page *p)
{
	static const unsigned known[] = {400, 403, 404, 405, 413, 415, 429, 500, 503, 507};
	unsigned st = 500;
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (p->status == known[i])
			st = known[i];
	char key[24];
	int n = snprintf(key, sizeof key, "error.%u", st);
	if (n < 0 || (size_t)n >= sizeof key) {
		w->failed = 1;
		return;
	}
	head(w, p, "error.title");
	el(w, "<h1>", "error.title", "</h1>");
	raw(w, "<p id=\"error\" data-status=\"");
	num(w, st);
	raw(w, "\">");
	text(w, st == 403 ? "desk.error.403" : key);
	el(w, "</p><p><a href=\"/\">", "desk.back", "</a></p>");
}

int desk_page_render(struct buf *out, enum desk_page_id id, const struct desk_page *p)
{
	struct w w = {out, i18n_is_supported(p->lang) ? p->lang : "en", 0};
	switch (id) {
	case DESK_PAGE_LOGIN:
		login_page(&w, p);
		break;
	case DESK_PAGE_ENROL:
		enrol_page(&w, p);
		break;
	case DESK_PAGE_INBOX:
		head(&w, p, "desk.inbox.title");
		desk_inbox_body(&w, p);
		break;
	case DESK_PAGE_SOURCE:
		source_page(&w, p);
		break;
	case DESK_PAGE_SUBMISSION:
		submission_page(&w, p);
		break;
	case DESK_PAGE_ADMIN:
		admin_page(&w, p);
		break;
	case DESK_PAGE_DONE:
		done_page(&w, p);
		break;
	case DESK_PAGE_LOGGED_OUT: {
		struct desk_page q = *p;
		q.done_title = "desk.loggedout.title";
		q.done_text = "desk.loggedout.text";
		q.done_back = "/login";
		done_page(&w, &q);
		break;
	}
	case DESK_PAGE_ERROR:
		error_page(&w, p);
		break;
	case DESK_PAGE_BODY:
		head(&w, p, p->title_key != NULL ? p->title_key : "desk.name");
		raw(&w, p->body_html != NULL ? p->body_html : "");
		break;
	}
	if (!w.failed)
		foot(&w);
	return w.failed ? -1 : 0;
}
