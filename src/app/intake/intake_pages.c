/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/intake/intake_pages.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/web/markup.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"
#include "lib/day.h"

#include "lib/banned.h"

const char page_css[] =
        ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfb;--muted:#5d5d5d;--accent:#124e78;"
        "--warn:#8a1c1c;--line:#d8d8d2}\n"
        "@media (prefers-color-scheme:dark){:root{--fg:#e8e8e3;--bg:#161616;--muted:#a8a8a0;"
        "--accent:#8cc4ee;--warn:#f09a9a;--line:#3a3a36}}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0 auto;max-width:42rem;padding:1rem;font:1.05rem/1.55 system-ui,sans-serif;"
        "color:var(--fg);background:var(--bg)}\n"
        "header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;"
        "align-items:baseline;border-bottom:1px solid var(--line);padding-bottom:.5rem}\n"
        ".org{font-weight:700;color:var(--fg);text-decoration:none}\n"
        "nav{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline}\n"
        "a{color:var(--accent)}\n"
        "h1{font-size:1.5rem;line-height:1.25}\n"
        "textarea,input[type=text],input[type=password],input[type=file]{width:100%;font:inherit;"
        "padding:.5rem;border:1px solid var(--muted);background:var(--bg);color:var(--fg)}\n"
        ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}\n"
        ".skip{position:absolute;inset-inline-start:-100vw}\n"
        ".skip:focus{position:static;display:block;margin-bottom:.5rem}\n"
        "textarea{min-height:12rem}\n"
        "button,.button{font:inherit;padding:.55rem 1.1rem;border:1px solid var(--accent);"
        "background:var(--accent);color:var(--bg);cursor:pointer;text-decoration:none;"
        "display:inline-block}\n"
        ".link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}"
        "\n"
        ".danger{background:var(--warn);border-color:var(--warn)}\n"
        ".codename{font:1.35rem/1.6 ui-monospace,monospace;padding:1rem;border:2px dashed "
        "var(--accent);"
        "word-spacing:.4rem}\n"
        ".notice{border-inline-start:4px solid var(--warn);padding:.5rem .8rem}\n"
        ".reply{border:1px solid var(--line);padding:.8rem;margin:1rem 0}\n"
        ".reply .text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
        ".muted,footer{color:var(--muted);font-size:.9rem}\n"
        "footer{border-top:1px solid var(--line);margin-top:2rem;padding-top:.5rem}\n"
        "form.inline{display:inline}\n"
        "label{display:block;margin:1rem 0 .3rem;font-weight:600}\n";

/* ---- writing, always through html_escape ---- */

/*
 * A day as a value for a text. Not wrapped in directional isolates: the one
 * escaper shows every bidi control as <U+XXXX> (issue 16), and digits joined
 * by hyphens read left to right inside a right-to-left sentence anyway.
 */
static void day_value(int32_t d, char out[static DAY_STRLEN + 8])
{
	day_format(d, out);
}

/* ---- links: every one keeps the page's language prefix ---- */

static void url(struct w *w, const struct page *p, const char *path)
{
	esc_str(w, p->prefix != NULL ? p->prefix : "");
	esc_str(w, path);
}

/* ` href="/ru/path"` */
static void href(struct w *w, const struct page *p, const char *path)
{
	raw(w, " href=\"");
	url(w, p, path);
	raw(w, "\"");
}

/* ` action="/ru/path">` (closes the form tag) */
static void action(struct w *w, const struct page *p, const char *path)
{
	raw(w, " action=\"");
	url(w, p, path);
	raw(w, "\">");
}

/* ---- frame ---- */

/* Whether lang is written right to left (its catalogue's language.dir). */
static int is_rtl(const char *lang)
{
	const char *d = i18n_get(lang, "language.dir");
	return d != NULL && strcmp(d, "rtl") == 0;
}

static void head(struct w *w, const struct page *p, const char *title_key)
{
	raw(w, "<!doctype html>\n<html lang=\"");
	esc_str(w, w->lang);
	raw(w, "\" dir=\"");
	raw(w, is_rtl(w->lang) ? "rtl" : "ltr");
	raw(w, "\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	       "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	const char *vars[] = {"org", p->org, NULL};
	text_vars(w, title_key, vars);
	raw(w, " — ");
	esc_str(w, p->org);
	raw(w, "</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n<body>"
	       "<a class=\"skip\" href=\"#main\">");
	text(w, "skip.main");
	raw(w, "</a><header><a class=\"org\"");
	href(w, p, "/");
	raw(w, ">");
	esc_str(w, p->org);
	raw(w, "</a><nav class=\"lang\" aria-label=\"");
	text(w, "lang.label");
	raw(w, "\">");
	size_t n = 0;
	const struct i18n_language *langs = i18n_languages(&n);
	for (size_t i = 0; i < n; i++) {
		const char *tag = langs[i].tag;
		/* the same page in another language (the codename page: with its tag) */
		raw(w, "<a href=\"/");
		esc_str(w, tag);
		esc_str(w, p->path != NULL ? p->path : "/");
		if (p->lang_query != NULL)
			esc_str(w, p->lang_query);
		raw(w, strcmp(tag, w->lang) == 0 ? "\" aria-current=\"true\" hreflang=\""
		                                 : "\" hreflang=\"");
		esc_str(w, tag);
		raw(w, "\" lang=\"");
		esc_str(w, tag);
		raw(w, is_rtl(tag) ? "\" dir=\"rtl\">" : "\" dir=\"ltr\">");
		esc_str(w, langs[i].name);
		raw(w, "</a>");
	}
	raw(w, "</nav>");
	if (p->logged_in) {
		raw(w, "<nav class=\"source\">");
		raw(w, "<a");
		href(w, p, "/submit");
		el(w, ">", "nav.submit", "</a>");
		raw(w, "<a");
		href(w, p, "/replies");
		el(w, ">", "nav.replies", "</a>");
		raw(w, "<a");
		href(w, p, "/delete");
		el(w, ">", "nav.delete", "</a>");
		raw(w, "<form class=\"inline\" method=\"post\"");
		action(w, p, "/logout");
		csrf_field(w, p->csrf);
		el(w, "<button class=\"link\" id=\"logout\" type=\"submit\">", "nav.logout",
		   "</button></form>");
		raw(w, "</nav>");
	}
	raw(w, "</header>\n<main id=\"main\">");
	if (p->notice != NULL) {
		raw(w, "<p class=\"notice\" role=\"alert\" id=\"notice\">");
		text_vars(w, p->notice, p->notice_vars);
		if (p->notice2 != NULL) {
			raw(w, " ");
			text(w, p->notice2);
		}
		raw(w, "</p>");
	}
}

static void foot(struct w *w)
{
	el(w, "</main>\n<footer><p>", "footer", "</p></footer></body></html>\n");
}

/* ---- pages ---- */

static void landing(struct w *w, const struct page *p)
{
	const char *vars[] = {"org", p->org, NULL};
	head(w, p, "landing.title");
	raw(w, "<h1>");
	text_vars(w, "landing.title", vars);
	raw(w, "</h1><p>");
	text_vars(w, "landing.intro", vars);
	raw(w, "</p>");
	el(w, "<h2>", "landing.expect.title", "</h2><ol>");
	el(w, "<li>", "landing.expect.1", "</li>");
	el(w, "<li>", "landing.expect.2", "</li>");
	el(w, "<li>", "landing.expect.3", "</li></ol>");
	el(w, "<h2>", "landing.safety.title", "</h2><ul>");
	el(w, "<li>", "landing.safety.1", "</li>");
	el(w, "<li>", "landing.safety.2", "</li>");
	el(w, "<li>", "landing.safety.3", "</li>");
	el(w, "<li>", "landing.safety.4", "</li>");
	el(w, "<li>", "landing.safety.5", "</li></ul><p>");
	if (p->logged_in) {
		raw(w, "<a class=\"button\"");
		href(w, p, "/submit");
		el(w, ">", "nav.submit", "</a>");
	} else {
		raw(w, "<a class=\"button\"");
		href(w, p, "/new");
		el(w, ">", "landing.new", "</a> ");
		raw(w, "<a class=\"button\"");
		href(w, p, "/login");
		el(w, ">", "landing.returning", "</a>");
	}
	raw(w, "</p>");
}

static void new_page(struct w *w, const struct page *p)
{
	head(w, p, "new.title");
	el(w, "<h1>", "new.title", "</h1>");
	el(w, "<p>", "new.text", "</p>");
	raw(w, "<form method=\"post\"");
	action(w, p, "/new");
	csrf_field(w, p->csrf);
	el(w, "<button id=\"get-codename\" type=\"submit\">", "new.button", "</button></form>");
}

static void codename_page(struct w *w, const struct page *p)
{
	head(w, p, "codename.title");
	el(w, "<h1>", "codename.title", "</h1>");
	if (p->codename == NULL) {
		/* Already shown once (a reload, Back, a second tab): say so, make nothing. */
		el(w, "<p class=\"notice\" id=\"already\">", "codename.already", "</p>");
		raw(w, "<p><a class=\"button\"");
		href(w, p, "/submit");
		el(w, ">", "codename.continue_logged_in", "</a></p>");
		return;
	}
	el(w, "<p>", "codename.intro", "</p>");
	raw(w, "<p dir=\"ltr\" class=\"codename\" id=\"codename\">");
	esc_str(w, p->codename);
	raw(w, "</p>");
	el(w, "<p class=\"notice\">", "codename.warning", "</p>");
	raw(w, "<p><a class=\"button\"");
	href(w, p, "/submit");
	el(w, ">", "codename.continue", "</a></p>");
}

/*
 * The message textarea, holding the kept text if any. The newline after the
 * tag is eaten by the HTML parser, so a text that starts with one keeps it.
 */
static void kept_text_max(struct w *w, const struct page *p, const char *maxlength)
{
	raw(w, "<textarea id=\"message\" name=\"message\" dir=\"auto\"");
	if (maxlength != NULL) {
		raw(w, " maxlength=\"");
		esc_str(w, maxlength);
		raw(w, "\"");
	}
	raw(w, ">\n");
	if (p->message != NULL)
		esc(w, p->message, p->message_len);
	raw(w, "</textarea>");
}

static void kept_text(struct w *w, const struct page *p)
{
	kept_text_max(w, p, NULL);
}

static void login_page(struct w *w, const struct page *p)
{
	head(w, p, "login.title");
	el(w, "<h1>", "login.title", "</h1>");
	raw(w, "<form method=\"post\"");
	action(w, p, "/login");
	csrf_field(w, p->csrf);
	el(w, "<label for=\"codename\">", "login.label", "</label>");
	raw(w, "<input type=\"text\" id=\"codename\" name=\"codename\" dir=\"ltr\" "
	       "autocomplete=\"off\" "
	       "autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"200\">");
	if (p->message != NULL) {
		/* the text of a submission refused for an ended session: back to the form */
		if (p->message_cut > 0) {
			char n[32];
			if (i18n_number(w->lang, p->message_cut, n, sizeof n) != 0)
				w->failed = 1;
			const char *vars[] = {"n", n, NULL};
			raw(w, "<p class=\"notice\" id=\"cut\">");
			text_vars(w, "login.expired_cut", vars);
			raw(w, "</p>");
		}
		el(w, "<label for=\"message\">", "login.message", "</label>");
		kept_text(w, p);
	}
	el(w, "<p><button id=\"login\" type=\"submit\">", "login.button", "</button></p></form>");
	raw(w, "<p class=\"muted\"><a");
	href(w, p, "/new");
	el(w, ">", "login.new", "</a></p>");
}

/* The replies, newest first, each with its delete form (back: the page to return to). */
static void reply_items(struct w *w, const struct page *p, const char *back)
{
	for (size_t i = 0; i < p->nreplies; i++) {
		const struct page_reply *r = &p->replies[i];
		char day[DAY_STRLEN + 8];
		day_value(r->day, day);
		const char *vars[] = {"day", day, NULL};
		raw(w, "<article class=\"reply\"><p class=\"muted\">");
		text_vars(w, "replies.received", vars);
		raw(w, "</p><div class=\"text\" dir=\"auto\">");
		esc(w, r->text, r->len);
		raw(w, "</div><form method=\"post\"");
		action(w, p, "/replies/delete");
		csrf_field(w, p->csrf);
		id_field(w, "id", r->id);
		if (back != NULL) {
			raw(w, "<input type=\"hidden\" name=\"back\" value=\"");
			esc_str(w, back);
			raw(w, "\">");
		}
		el(w, "<button class=\"link\" type=\"submit\">", "replies.delete",
		   "</button></form></article>");
	}
}

static void replies_page(struct w *w, const struct page *p)
{
	head(w, p, "replies.title");
	el(w, "<h1>", "replies.title", "</h1>");
	if (p->nreplies == 0)
		el(w, "<p>", "replies.none", "</p>");
	reply_items(w, p, NULL);
}

/* Coming back: whether a reply waits, the replies, above the send form. */
static void conversation(struct w *w, const struct page *p)
{
	char n[32];
	if (i18n_number(w->lang, p->nreplies, n, sizeof n) != 0) {
		w->failed = 1;
		return;
	}
	const char *vars[] = {"n", n, NULL};
	raw(w, "<section id=\"replies\">");
	el(w, "<h2>", "replies.title", "</h2>");
	if (p->nreplies == 0) {
		el(w, "<p id=\"waiting\">", "replies.none", "</p>");
	} else {
		raw(w, "<p class=\"notice\" id=\"waiting\">");
		text_vars(w, "replies.waiting", vars);
		raw(w, "</p>");
	}
	reply_items(w, p, "/submit");
	raw(w, "</section>");
}

/* What the source sent: the day and the number of files, never the content. */
static void sent_list(struct w *w, const struct page *p)
{
	raw(w, "<section id=\"sent\">");
	el(w, "<h2>", "sent.title", "</h2>");
	if (p->nsent == 0)
		el(w, "<p>", "sent.none", "</p>");
	else
		raw(w, "<ul>");
	for (size_t i = 0; i < p->nsent; i++) {
		char day[DAY_STRLEN + 8], n[32];
		day_value(p->sent[i].day, day);
		if (i18n_number(w->lang, (uint64_t)(p->sent[i].nfiles > 0 ? p->sent[i].nfiles : 0),
		                n, sizeof n) != 0) {
			w->failed = 1;
			return;
		}
		const char *vars[] = {"day", day, "n", n, NULL};
		raw(w, "<li>");
		text_vars(w, p->sent[i].has_message ? "sent.with_message" : "sent.files_only",
		          vars);
		raw(w, "</li>");
	}
	if (p->nsent > 0)
		raw(w, "</ul>");
	el(w, "<p class=\"muted\">", "sent.note", "</p></section>");
}

static void submit_page(struct w *w, const struct page *p)
{
	char size[48], chars[32], files[32], maxlen[32], minutes[32];
	int n = snprintf(maxlen, sizeof maxlen, "%zu", p->max_message_chars);
	if (i18n_size(w->lang, p->max_upload_bytes, size, sizeof size) != 0 ||
	    i18n_number(w->lang, p->max_message_chars, chars, sizeof chars) != 0 ||
	    i18n_number(w->lang, p->max_files > 0 ? (uint64_t)p->max_files : 0, files,
	                sizeof files) != 0 ||
	    i18n_number(w->lang, p->idle_minutes, minutes, sizeof minutes) != 0 || n < 0 ||
	    (size_t)n >= sizeof maxlen) {
		w->failed = 1;
		return;
	}
	const char *vars[] = {"max_size", size, "max_chars", chars, "max_files", files, NULL};
	const char *idle[] = {"minutes", minutes, NULL};
	head(w, p, "submit.title");
	el(w, "<h1>", "submit.title", "</h1>");
	if (p->conversation)
		conversation(w, p);
	el(w, "<p>", "submit.text", "</p>");
	/*
	 * The CSRF token and the form's one-time token ride in the URL so they
	 * are checked before any byte is sealed.
	 */
	raw(w, "<form method=\"post\" enctype=\"multipart/form-data\" action=\"");
	url(w, p, "/submit?csrf=");
	esc_str(w, p->csrf);
	raw(w, "&amp;once=");
	esc_str(w, p->once != NULL ? p->once : "");
	raw(w, "\">");
	el(w, "<label for=\"message\">", "submit.message", "</label>");
	kept_text_max(w, p, maxlen);
	el(w, "<label for=\"file\">", "submit.files", "</label>");
	raw(w, "<input type=\"file\" id=\"file\" name=\"file\" multiple><p class=\"muted\" "
	       "id=\"limits\">");
	text_vars(w, "submit.limits", vars);
	raw(w, "</p>");
	if (p->message != NULL)
		el(w, "<p class=\"muted\">", "submit.files_again", "</p>");
	el(w, "<p class=\"muted\">", "submit.metadata", "</p><p>");
	el(w, "<button id=\"send\" type=\"submit\">", "submit.button", "</button></p></form>");
	raw(w, "<p class=\"muted\" id=\"idle\">");
	text_vars(w, "submit.idle", idle);
	raw(w, "</p>");
	if (p->conversation)
		sent_list(w, p);
}

static void submitted_page(struct w *w, const struct page *p)
{
	head(w, p, "submitted.title");
	el(w, "<h1>", "submitted.title", "</h1>");
	el(w, "<p>", "submitted.text", "</p>");
	el(w, "<p>", "submitted.next", "</p><p>");
	raw(w, "<a class=\"button\"");
	href(w, p, "/submit");
	el(w, ">", "submitted.more", "</a> ");
	raw(w, "<a");
	href(w, p, "/replies");
	el(w, ">", "nav.replies", "</a></p>");
}

static void delete_page(struct w *w, const struct page *p)
{
	head(w, p, "delete.title");
	el(w, "<h1>", "delete.title", "</h1>");
	el(w, "<p>", "delete.text", "</p>");
	raw(w, "<form method=\"post\"");
	action(w, p, "/delete");
	csrf_field(w, p->csrf);
	el(w, "<p><button class=\"danger\" id=\"delete-all\" type=\"submit\">", "delete.button",
	   "</button> ");
	raw(w, "<a");
	href(w, p, "/submit");
	el(w, ">", "delete.cancel", "</a></p></form>");
}

static void simple_page(struct w *w, const struct page *p, const char *title, const char *body)
{
	head(w, p, title);
	el(w, "<h1>", title, "</h1>");
	el(w, "<p>", body, "</p>");
	raw(w, "<p><a");
	href(w, p, "/");
	el(w, ">", "error.home", "</a></p>");
}

static void error_page(struct w *w, const struct page *p)
{
	static const unsigned known[] = {400, 403, 404, 405, 409, 413, 415, 429, 500, 503, 507};
	unsigned st = 500;
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (p->status == known[i])
			st = known[i];
	char key[16];
	int n = snprintf(key, sizeof key, "error.%u", st);
	if (n < 0 || (size_t)n >= sizeof key) {
		w->failed = 1;
		return;
	}
	simple_page(w, p, "error.title", key);
}

int page_render(struct buf *out, enum page_id id, const struct page *p)
{
	struct w w = {out, i18n_is_supported(p->lang) ? p->lang : "en", 0};
	switch (id) {
	case PAGE_LANDING:
		landing(&w, p);
		break;
	case PAGE_NEW:
		new_page(&w, p);
		break;
	case PAGE_CODENAME:
		codename_page(&w, p);
		break;
	case PAGE_LOGIN:
		login_page(&w, p);
		break;
	case PAGE_SUBMIT:
		submit_page(&w, p);
		break;
	case PAGE_SUBMITTED:
		submitted_page(&w, p);
		break;
	case PAGE_REPLIES:
		replies_page(&w, p);
		break;
	case PAGE_DELETE:
		delete_page(&w, p);
		break;
	case PAGE_DELETED:
		simple_page(&w, p, "deleted.title", "deleted.text");
		break;
	case PAGE_LOGGED_OUT:
		simple_page(&w, p, "loggedout.title", "loggedout.text");
		break;
	case PAGE_ERROR:
		error_page(&w, p);
		break;
	}
	if (!w.failed)
		foot(&w);
	return w.failed ? -1 : 0;
}
