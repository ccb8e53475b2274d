/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/desk_registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/web/markup.h"
#include "core/store/store_registry.h"
#include "lib/day.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"
#include "lib/web/json.h"

#include "lib/banned.h"

#define LIST_ROWS 50
#define API_LIMIT_MAX 500
#define PARA_SLOTS 4
#define PARA_SLOTS_MAX 50
#define NAMES_MAX 64  /* lists or officers in one circulation */
#define CITES_MAX 100 /* citations in one report */
#define OFFICERS_MAX 4096

/* ---- writing markup: every value through html_escape ---- */

/* A notice: a catalogue key and, when given, the registry's own message (escaped). */
static void notice(struct w *w, const char *key, const char *msg, int good)
{
	raw(w, good ? "<p class=\"notice ok\" role=\"status\" id=\"notice\">"
	            : "<p class=\"notice\" role=\"alert\" id=\"notice\">");
	text(w, key);
	if (msg != NULL && msg[0] != 0) {
		raw(w, " <span id=\"reason\">");
		esc_str(w, msg);
		raw(w, "</span>");
	}
	raw(w, "</p>");
}

static void finish(struct w *w, struct desk_reg_out *out, unsigned status, const char *title)
{
	if (w->failed) {
		buf_reset(out->body);
		out->status = 500;
		return;
	}
	out->status = status;
	out->title_key = title;
}

static void fail(struct desk_reg_out *out, unsigned status)
{
	buf_reset(out->body);
	out->status = status;
}

static int parse_id(const char *s, int64_t *out)
{
	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	int64_t v = 0;
	for (const char *p = s; *p != 0; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

/* 303 to prefix ID suffix. */
static int redirect_to(struct desk_reg_out *out, const char *prefix, int64_t id, const char *suffix)
{
	int n = snprintf(out->location, sizeof out->location, "%s%" PRId64 "%s", prefix, id,
	                 suffix);
	if (n < 0 || (size_t)n >= sizeof out->location) {
		out->location[0] = 0;
		fail(out, 500);
		return -1;
	}
	return 0;
}

/* ---- routes ---- */

enum desk_reg_route desk_registry_route(const char *method, const char *url, bool *bad_method)
{
	static const struct {
		const char *path;
		enum desk_reg_route get, post;
	} t[] = {
	        {"/reports", DR_REPORTS, DR_NONE},
	        {"/report", DR_REPORT, DR_NONE},
	        {"/report/new", DR_REPORT_NEW, DR_REPORT_WRITE},
	        {"/report/tearline", DR_TEARLINE, DR_NONE},
	        {"/report/circulate", DR_NONE, DR_CIRCULATE},
	        {"/dist", DR_DIST, DR_NONE},
	        {"/dist/create", DR_NONE, DR_DIST_CREATE},
	        {"/dist/add", DR_NONE, DR_DIST_ADD},
	        {"/dist/remove", DR_NONE, DR_DIST_REMOVE},
	        {"/submission/mark", DR_NONE, DR_SUB_MARK},
	        {"/api/v1/reports", DR_API_REPORTS, DR_NONE},
	};
	static const char api_one[] = "/api/v1/reports/";
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	*bad_method = false;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (strcmp(url, t[i].path) == 0) {
			enum desk_reg_route rt = get ? t[i].get : post ? t[i].post : DR_NONE;
			*bad_method = rt == DR_NONE;
			return rt;
		}
	if (strncmp(url, api_one, sizeof api_one - 1) == 0 && url[sizeof api_one - 1] != 0) {
		*bad_method = !get;
		return get ? DR_API_REPORT : DR_NONE;
	}
	return DR_NONE;
}

unsigned desk_registry_roles(enum desk_reg_route rt)
{
	/* Reading needs no role (the decision decides); writing checks its role in core/registry.
	 */
	return rt == DR_SUB_MARK ? ROLE_INTAKE : 0;
}

/* ---- submissions under the decision ---- */

int desk_reg_subject(struct registry *reg, store_id officer, struct access_subject *out)
{
	return registry_subject(reg, officer, out) == REGISTRY_OK ? 0 : -1;
}

int desk_registry_mark_form(struct buf *out, const char *lang, const char *csrf,
                            const struct store_submission *sub)
{
	struct w w = {out, i18n_is_supported(lang) ? lang : "en", 0};
	el(&w, "<h2>", "desk.reg.mark.title", "</h2>");
	el(&w, "<p class=\"muted\">", "desk.reg.mark.text", "</p>");
	if (sub->seal_version == 0) /* core/keys/seal.h: the intake label's layer alone */
		el(&w, "<p class=\"notice\" id=\"one-layer\">", "desk.reg.mark.one_layer", "</p>");
	raw(&w, "<form method=\"post\" action=\"/submission/mark\" id=\"mark-form\">");
	csrf_field(&w, csrf);
	id_field(&w, "id", sub->id);
	el(&w, "<label for=\"new-marking\">", "desk.reg.mark.marking", "</label>");
	raw(&w, "<input type=\"text\" id=\"new-marking\" name=\"marking\" required "
	        "maxlength=\"255\" value=\"");
	esc(&w, sub->marking, strnlen(sub->marking, sizeof sub->marking));
	raw(&w, "\">");
	el(&w, "<label for=\"mark-reason\">", "desk.reg.mark.reason", "</label>");
	raw(&w, "<textarea id=\"mark-reason\" name=\"reason\" maxlength=\"1000\"></textarea><p>");
	el(&w, "<button id=\"mark\" type=\"submit\">", "desk.reg.mark.button",
	   "</button></p></form>");
	return w.failed ? -1 : 0;
}

static void sub_mark(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (parse_id(form_get(in->form, "id"), &id) != 0)
		return fail(out, 400);
	const char *reason = form_get(in->form, "reason");
	if (reason != NULL && reason[0] == 0)
		reason = NULL;
	struct registry_error err = {{0}};
	enum registry_result rc = registry_submission_mark(
	        in->reg, in->key, id, form_get(in->form, "marking"), reason, &err);
	if (rc == REGISTRY_OK) {
		(void)redirect_to(out, "/submission?id=", id, "");
		return;
	}
	if (rc == REGISTRY_NOT_FOUND || rc == REGISTRY_FAILED)
		return fail(out, rc == REGISTRY_FAILED ? 500 : 404);
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.reg.mark.title", "</h1>");
	notice(&w, rc == REGISTRY_NEEDS_REASON ? "desk.reg.mark.needs_reason" : "desk.reg.refused",
	       err.msg, 0);
	raw(&w, "<p><a id=\"back\" href=\"/submission?id=");
	num(&w, id);
	el(&w, "\">", "desk.back", "</a></p>");
	finish(&w, out, rc == REGISTRY_FORBIDDEN ? 403 : 400, "desk.reg.mark.title");
}

/* ---- officer names (for authors) ---- */

struct names {
	struct officer *o;
	size_t n, cap;
};

static int add_name(void *ctx, const struct officer *o)
{
	struct names *nm = ctx;
	if (nm->n >= nm->cap)
		return 1;
	nm->o[nm->n++] = *o;
	return 0;
}

static const char *name_of(const struct names *nm, store_id id)
{
	for (size_t i = 0; i < nm->n; i++)
		if (nm->o[i].id == id)
			return nm->o[i].name;
	return "?";
}

/* ---- listing ---- */

struct listed {
	store_id id, author;
	int32_t day;
	char marking[STORE_MARKING_MAX];
};

struct listing {
	struct listed *items;
	size_t n, cap;
};

static int add_listed(void *ctx, const struct registry_listing *l)
{
	struct listing *ls = ctx;
	if (ls->n >= ls->cap)
		return 1;
	struct listed *x = &ls->items[ls->n++];
	x->id = l->id;
	x->author = l->author;
	x->day = l->day;
	size_t n = strnlen(l->marking, sizeof x->marking - 1);
	memcpy(x->marking, l->marking, n);
	x->marking[n] = 0;
	return 0;
}

/* The title of a report the reader may read (NULL if the session holds no key for it). */
static struct registry_report *open_report(const struct desk_reg_in *in, store_id id,
                                           enum registry_result *rc)
{
	struct registry_report *rep = NULL;
	*rc = registry_report_open(in->reg, in->key, id, &rep);
	return *rc == REGISTRY_OK ? rep : NULL;
}

static void report_list(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t page = 1, total = 0;
	const char *ps = in->query(in->qctx, "page");
	if (ps != NULL && (parse_id(ps, &page) != 0 || page > 1000000))
		return fail(out, 400);
	struct listed items[LIST_ROWS];
	struct listing ls = {items, 0, LIST_ROWS};
	struct names nm = {calloc(OFFICERS_MAX, sizeof(struct officer)), 0, OFFICERS_MAX};
	if (nm.o == NULL)
		return fail(out, 500);
	enum registry_result rc =
	        registry_report_list(in->reg, officer_key_id(in->key), (page - 1) * LIST_ROWS,
	                             LIST_ROWS, add_listed, &ls, &total);
	if (rc != REGISTRY_OK || officer_list(in->officers, add_name, &nm) != OFFICER_OK) {
		free(nm.o);
		return fail(out, 500);
	}
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.reg.list.title", "</h1>");
	el(&w, "<p><a id=\"write\" href=\"/report/new\">", "desk.reg.list.write", "</a></p>");
	char tot[32];
	int n = snprintf(tot, sizeof tot, "%" PRId64, total);
	if (n < 0 || (size_t)n >= sizeof tot)
		w.failed = 1;
	raw(&w, "<p class=\"muted\" id=\"count\">");
	text_vars(&w, "desk.reg.list.count", (const char *const[]){"n", tot, NULL});
	raw(&w, "</p>");
	if (ls.n == 0)
		el(&w, "<p id=\"empty\">", "desk.reg.list.empty", "</p>");
	else {
		raw(&w, "<table id=\"reports\"><thead><tr>");
		el(&w, "<th>", "desk.reg.list.id", "</th>");
		el(&w, "<th>", "desk.reg.list.report", "</th>");
		el(&w, "<th>", "desk.reg.marking", "</th>");
		el(&w, "<th>", "desk.reg.list.author", "</th>");
		el(&w, "<th>", "desk.reg.list.day", "</th></tr></thead><tbody>");
		for (size_t i = 0; i < ls.n; i++) {
			raw(&w, "<tr class=\"report\" data-id=\"");
			num(&w, ls.items[i].id);
			raw(&w, "\"><td>");
			num(&w, ls.items[i].id);
			raw(&w, "</td><td><a class=\"title\" href=\"/report?id=");
			num(&w, ls.items[i].id);
			raw(&w, "\">");
			enum registry_result orc;
			struct registry_report *rep = open_report(in, ls.items[i].id, &orc);
			if (rep != NULL && rep->nparas > 0)
				esc(&w, rep->paras[0].text, rep->paras[0].len);
			else
				text(&w, "desk.reg.cannot_open");
			registry_report_free(&rep);
			raw(&w, "</a></td><td class=\"marking\">");
			esc_str(&w, ls.items[i].marking);
			raw(&w, "</td><td>");
			esc_str(&w, name_of(&nm, ls.items[i].author));
			raw(&w, "</td><td>");
			day(&w, ls.items[i].day);
			raw(&w, "</td></tr>");
		}
		raw(&w, "</tbody></table><p>");
		if (page > 1) {
			raw(&w, "<a id=\"prev\" href=\"/reports?page=");
			num(&w, page - 1);
			el(&w, "\">", "desk.reg.prev", "</a> ");
		}
		if (page * LIST_ROWS < total) {
			raw(&w, "<a id=\"next\" href=\"/reports?page=");
			num(&w, page + 1);
			el(&w, "\">", "desk.next", "</a>");
		}
		raw(&w, "</p>");
	}
	free(nm.o);
	finish(&w, out, 200, "desk.reg.list.title");
}

/* ---- writing ---- */

struct draft_form {
	const char *tm, *title, *cite, *declared;
	const char *pm[PARA_SLOTS_MAX], *pt[PARA_SLOTS_MAX];
	size_t npara;
};

static void draft_from_form(const struct form *f, struct draft_form *d)
{
	memset(d, 0, sizeof *d);
	d->tm = form_get(f, "tm");
	d->title = form_get(f, "title");
	d->cite = form_get(f, "cite");
	d->declared = form_get(f, "declared");
	size_t np = 0, nt = 0;
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, "pm") == 0 && np < PARA_SLOTS_MAX)
			d->pm[np++] = f->fields[i].value;
		else if (strcmp(f->fields[i].name, "pt") == 0 && nt < PARA_SLOTS_MAX)
			d->pt[nt++] = f->fields[i].value;
	}
	d->npara = np < nt ? np : nt;
}

static bool blank_str(const char *s)
{
	for (; s != NULL && *s != 0; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* A portion marking as typed: "S" or "(S)". One line, no parentheses inside. */
static int add_portion(struct buf *b, const char *m)
{
	if (m == NULL)
		m = "";
	while (*m == ' ')
		m++;
	size_t n = strlen(m);
	while (n > 0 && m[n - 1] == ' ')
		n--;
	if (n >= 2 && m[0] == '(' && m[n - 1] == ')') {
		m++;
		n -= 2;
	}
	for (size_t i = 0; i < n; i++)
		if (m[i] == '(' || m[i] == ')' || (unsigned char)m[i] < 0x20)
			return -1;
	return buf_append_byte(b, '(') == BUF_OK && buf_append(b, m, n) == BUF_OK &&
	                       buf_append_str(b, ") ") == BUF_OK
	               ? 0
	               : -1;
}

/* A paragraph's text with blank lines dropped and CR removed (a blank line would end it). */
static int add_para_text(struct buf *b, const char *t)
{
	bool line_has = false;
	size_t start = b->len;
	for (const char *p = t; *p != 0; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			if (line_has && buf_append_byte(b, '\n') != BUF_OK)
				return -1;
			line_has = false;
			continue;
		}
		if (!line_has && (*p == ' ' || *p == '\t'))
			continue; /* a line of spaces only would be blank */
		if (buf_append_byte(b, (uint8_t)*p) != BUF_OK)
			return -1;
		line_has = true;
	}
	while (b->len > start && b->data[b->len - 1] == '\n')
		b->len--;
	return 0;
}

/* The input text of core/registry from the form; -1 when something cannot be expressed. */
static int draft_text(const struct draft_form *d, struct buf *b)
{
	if (add_portion(b, d->tm) != 0 || buf_append_str(b, d->title ? d->title : "") != BUF_OK)
		return -1;
	for (size_t i = 0; i < d->npara; i++) {
		if (blank_str(d->pt[i]) && blank_str(d->pm[i]))
			continue; /* an unused slot */
		if (buf_append_str(b, "\n\n") != BUF_OK || add_portion(b, d->pm[i]) != 0 ||
		    add_para_text(b, d->pt[i]) != 0)
			return -1;
	}
	return buf_append_byte(b, '\n') == BUF_OK ? 0 : -1;
}

/* "report:N, submission:M" into cites. -1 on a malformed one. */
static int parse_cites(const char *s, struct store_cite *cites, size_t *n)
{
	*n = 0;
	while (s != NULL && *s != 0) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == 0)
			break;
		int kind;
		if (strncmp(s, "report:", 7) == 0) {
			kind = STORE_CITE_REPORT;
			s += 7;
		} else if (strncmp(s, "submission:", 11) == 0) {
			kind = STORE_CITE_SUBMISSION;
			s += 11;
		} else
			return -1;
		char digits[24];
		size_t k = 0;
		while (*s >= '0' && *s <= '9' && k + 1 < sizeof digits)
			digits[k++] = *s++;
		digits[k] = 0;
		int64_t id;
		if (parse_id(digits, &id) != 0 || (*s != 0 && *s != ',' && *s != ' ') ||
		    *n >= CITES_MAX)
			return -1;
		cites[*n].kind = kind;
		cites[*n].id = id;
		(*n)++;
	}
	return 0;
}

static void input(struct w *w, const char *id, const char *name, const char *value,
                  const char *extra)
{
	raw(w, "<input type=\"text\" id=\"");
	raw(w, id);
	raw(w, "\" name=\"");
	raw(w, name);
	raw(w, "\" ");
	raw(w, extra);
	raw(w, " value=\"");
	esc_str(w, value != NULL ? value : "");
	raw(w, "\">");
}

static void write_form(struct w *w, const struct desk_reg_in *in, const struct draft_form *d,
                       const char *overall, size_t slots)
{
	el(w, "<h1>", "desk.reg.write.title", "</h1>");
	el(w, "<p class=\"muted\">", "desk.reg.write.help", "</p>");
	raw(w, "<form method=\"post\" action=\"/report/new\" id=\"write-form\">");
	csrf_field(w, in->csrf);
	el(w, "<label for=\"tm\">", "desk.reg.write.title_marking", "</label>");
	input(w, "tm", "tm", d->tm, "maxlength=\"255\" required");
	el(w, "<label for=\"title\">", "desk.reg.write.report_title", "</label>");
	input(w, "title", "title", d->title, "maxlength=\"512\" required");
	for (size_t i = 0; i < slots; i++) {
		char id[32];
		int n = snprintf(id, sizeof id, "pm%zu", i);
		if (n < 0 || (size_t)n >= sizeof id) {
			w->failed = 1;
			return;
		}
		char nv[16];
		n = snprintf(nv, sizeof nv, "%zu", i + 1);
		if (n < 0 || (size_t)n >= sizeof nv) {
			w->failed = 1;
			return;
		}
		raw(w, "<fieldset class=\"para\"><legend>");
		text_vars(w, "desk.reg.write.paragraph", (const char *const[]){"n", nv, NULL});
		raw(w, "</legend><label for=\"");
		raw(w, id);
		raw(w, "\">");
		text(w, "desk.reg.write.portion");
		raw(w, "</label>");
		input(w, id, "pm", i < d->npara ? d->pm[i] : "", "maxlength=\"255\"");
		raw(w, "<textarea name=\"pt\" id=\"pt");
		num(w, (int64_t)i);
		raw(w, "\" aria-label=\"text\">");
		if (i < d->npara)
			esc_str(w, d->pt[i]);
		raw(w, "</textarea></fieldset>");
	}
	el(w, "<label for=\"cite\">", "desk.reg.write.cite", "</label>");
	input(w, "cite", "cite", d->cite,
	      "maxlength=\"2000\" placeholder=\"report:1, submission:2\"");
	if (overall != NULL) {
		raw(w, "<p class=\"overall\">");
		text(w, "desk.reg.write.overall");
		raw(w, " <strong id=\"overall\">");
		esc_str(w, overall);
		raw(w, "</strong></p><input type=\"hidden\" name=\"declared\" value=\"");
		esc_str(w, overall);
		raw(w, "\">");
	}
	raw(w, "<p><button id=\"preview\" type=\"submit\" name=\"action\" value=\"preview\">");
	text(w, "desk.reg.write.preview");
	raw(w, "</button> ");
	if (overall != NULL)
		el(w,
		   "<button id=\"write-report\" type=\"submit\" name=\"action\" value=\"write\">",
		   "desk.reg.write.button", "</button>");
	raw(w, "</p></form>");
	if (slots < PARA_SLOTS_MAX) {
		raw(w, "<p class=\"muted\"><a id=\"more\" href=\"/report/new?slots=");
		num(w, (int64_t)(slots + PARA_SLOTS > PARA_SLOTS_MAX ? PARA_SLOTS_MAX
		                                                     : slots + PARA_SLOTS));
		el(w, "\">", "desk.reg.write.more", "</a></p>");
	}
}

static void report_new(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t slots = PARA_SLOTS;
	const char *s = in->query(in->qctx, "slots");
	if (s != NULL && (parse_id(s, &slots) != 0 || slots > PARA_SLOTS_MAX))
		return fail(out, 400);
	struct draft_form d;
	memset(&d, 0, sizeof d);
	struct w w = {out->body, in->lang, 0};
	write_form(&w, in, &d, NULL, (size_t)slots);
	finish(&w, out, 200, "desk.reg.write.title");
}

static void report_write(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	struct draft_form d;
	draft_from_form(in->form, &d);
	size_t slots = d.npara > PARA_SLOTS ? d.npara : PARA_SLOTS;
	const char *action = form_get(in->form, "action");
	bool write = action != NULL && strcmp(action, "write") == 0;
	struct buf text;
	buf_init(&text, REGISTRY_TEXT_MAX);
	struct registry_report *rep = NULL;
	struct registry_error err = {{0}};
	struct store_cite cites[CITES_MAX];
	size_t ncites = 0;
	struct w w = {out->body, in->lang, 0};
	unsigned status = 200;
	const char *overall = NULL;
	enum registry_result rc;

	if (draft_text(&d, &text) != 0) {
		notice(&w, "desk.reg.write.bad_portion", NULL, 0);
		status = 400;
		goto form;
	}
	rc = registry_report_parse(in->reg, (const char *)text.data, text.len, &rep, &err);
	if (rc != REGISTRY_OK) {
		notice(&w, "desk.reg.refused", err.msg, 0);
		status = rc == REGISTRY_FAILED ? 500 : 400;
		goto form;
	}
	overall = rep->marking_text;
	if (parse_cites(d.cite, cites, &ncites) != 0) {
		notice(&w, "desk.reg.write.bad_cite", NULL, 0);
		status = 400;
		goto form;
	}
	if (!write)
		goto form; /* the preview: the computed overall marking, to check */
	if (d.declared == NULL || d.declared[0] == 0) {
		notice(&w, "desk.reg.write.check", NULL, 0);
		status = 400;
		goto form;
	}
	store_id id = 0;
	rc = registry_report_write(in->reg, in->key, rep, d.declared, cites, ncites, &id, &err);
	if (rc == REGISTRY_OK) {
		registry_report_free(&rep);
		buf_wipe_release(&text);
		buf_reset(out->body);
		(void)redirect_to(out, "/report?id=", id, "");
		return;
	}
	notice(&w, "desk.reg.refused", err.msg[0] ? err.msg : registry_strerror(rc), 0);
	status = rc == REGISTRY_FAILED ? 500 : rc == REGISTRY_FORBIDDEN ? 403 : 400;
form:
	write_form(&w, in, &d, overall, slots);
	registry_report_free(&rep);
	buf_wipe_release(&text);
	finish(&w, out, status, "desk.reg.write.title");
}

/* ---- showing ---- */

struct names_acc {
	struct w *w;
	int n;
};

static int list_name(void *ctx, const char *name)
{
	struct names_acc *a = ctx;
	raw(a->w, a->n++ ? ", " : "");
	esc_str(a->w, name);
	return 0;
}

static void paras(struct w *w, const struct registry *reg, const struct registry_report *rep)
{
	char pm[MARKING_TEXT_MAX + 3];
	raw(w, "<p class=\"banner\" id=\"overall\">");
	esc_str(w, rep->marking_text);
	raw(w, "</p><h1 id=\"report-title\"><span class=\"portion\">");
	if (marking_format(registry_scheme(reg), &rep->paras[0].portion, true, pm, sizeof pm) < 0)
		w->failed = 1;
	else
		esc_str(w, pm);
	raw(w, "</span> ");
	esc(w, rep->paras[0].text, rep->paras[0].len);
	raw(w, "</h1><div id=\"paragraphs\">");
	for (size_t i = 1; i < rep->nparas; i++) {
		raw(w, "<p class=\"para\"><span class=\"portion\">");
		if (marking_format(registry_scheme(reg), &rep->paras[i].portion, true, pm,
		                   sizeof pm) < 0)
			w->failed = 1;
		else
			esc_str(w, pm);
		raw(w, "</span> <span class=\"text\">");
		esc(w, rep->paras[i].text, rep->paras[i].len);
		raw(w, "</span></p>");
	}
	raw(w, "</div><p class=\"banner\">");
	esc_str(w, rep->marking_text);
	raw(w, "</p>");
}

static void report_page(const struct desk_reg_in *in, struct desk_reg_out *out, int64_t id,
                        const char *note_key, const char *note_msg, int good, unsigned status)
{
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rc == REGISTRY_NOT_FOUND)
		return fail(out, 404); /* forbidden or missing: one answer */
	struct w w = {out->body, in->lang, 0};
	if (note_key != NULL)
		notice(&w, note_key, note_msg, good);
	if (rep == NULL) {
		if (rc != REGISTRY_CANNOT_OPEN)
			return fail(out, 500);
		el(&w, "<p class=\"notice\" id=\"cannot-open\">", "desk.reg.cannot_open_long",
		   "</p>");
		finish(&w, out, 200, "desk.reg.report.title");
		return;
	}
	paras(&w, in->reg, rep);
	raw(&w, "<p class=\"muted\">");
	text(&w, "desk.reg.report.lists");
	raw(&w, " <span id=\"lists\">");
	struct names_acc acc = {&w, 0};
	if (in->store->be->registry->report_lists(in->store, id, list_name, &acc) != STORE_OK)
		w.failed = 1;
	raw(&w, "</span></p>");
	registry_report_free(&rep);
	/* circulate */
	el(&w, "<h2>", "desk.reg.circulate.title", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/report/circulate\" id=\"circulate-form\">");
	csrf_field(&w, in->csrf);
	id_field(&w, "id", id);
	el(&w, "<label for=\"circ-lists\">", "desk.reg.circulate.lists", "</label>");
	input(&w, "circ-lists", "lists", "", "maxlength=\"2000\"");
	el(&w, "<label for=\"circ-officers\">", "desk.reg.circulate.officers", "</label>");
	input(&w, "circ-officers", "officers", "", "maxlength=\"2000\"");
	el(&w, "<p><button id=\"circulate\" type=\"submit\">", "desk.reg.circulate.button",
	   "</button></p></form>");
	/* tearline */
	el(&w, "<h2>", "desk.reg.tearline.title", "</h2>");
	raw(&w, "<form method=\"get\" action=\"/report/tearline\" id=\"tearline-form\">");
	id_field(&w, "id", id);
	el(&w, "<label for=\"target\">", "desk.reg.tearline.target", "</label>");
	input(&w, "target", "marking", "", "maxlength=\"255\" required");
	el(&w, "<p><button id=\"tearline\" type=\"submit\">", "desk.reg.tearline.button",
	   "</button></p></form>");
	finish(&w, out, status, "desk.reg.report.title");
}

static void report_show(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (parse_id(in->query(in->qctx, "id"), &id) != 0)
		return fail(out, 404);
	const char *c = in->query(in->qctx, "circulated");
	report_page(in, out, id, c != NULL ? "desk.reg.circulate.done" : NULL, NULL, 1, 200);
}

/* Splits "a, b c" into names (pointers into store). */
static size_t split_names(const char *s, char *store, size_t cap, const char **names)
{
	size_t n = 0, o = 0;
	if (s == NULL)
		return 0;
	while (*s != 0 && n < NAMES_MAX) {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (*s == 0)
			break;
		if (o >= cap)
			break;
		names[n++] = store + o;
		while (*s != 0 && *s != ' ' && *s != ',' && *s != '\t' && o + 1 < cap)
			store[o++] = *s++;
		store[o++] = 0;
	}
	return n;
}

static void circulate(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (parse_id(form_get(in->form, "id"), &id) != 0)
		return fail(out, 404);
	char ls[2100], os[2100];
	const char *lists[NAMES_MAX], *offs[NAMES_MAX];
	size_t nl = split_names(form_get(in->form, "lists"), ls, sizeof ls, lists);
	size_t no = split_names(form_get(in->form, "officers"), os, sizeof os, offs);
	struct registry_error err = {{0}};
	enum registry_result rc = (nl + no == 0)
	                                  ? REGISTRY_BAD_INPUT
	                                  : registry_report_circulate(in->reg, in->key, id, lists,
	                                                              nl, offs, no, &err);
	if (rc == REGISTRY_OK) {
		(void)redirect_to(out, "/report?id=", id, "&circulated=1");
		return;
	}
	if (rc == REGISTRY_NOT_FOUND)
		return fail(out, 404);
	if (rc == REGISTRY_FAILED)
		return fail(out, 500);
	report_page(in, out, id, "desk.reg.refused", err.msg[0] ? err.msg : registry_strerror(rc),
	            0, 400);
}

static void tearline(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (parse_id(in->query(in->qctx, "id"), &id) != 0)
		return fail(out, 404);
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rep == NULL)
		return fail(out, rc == REGISTRY_NOT_FOUND     ? 404
		                 : rc == REGISTRY_CANNOT_OPEN ? 403
		                                              : 500);
	const char *t = in->query(in->qctx, "marking");
	struct marking target;
	struct marking_error merr;
	struct w w = {out->body, in->lang, 0};
	struct registry_report *torn = NULL;
	unsigned status = 200;
	if (t == NULL ||
	    marking_parse(registry_scheme(in->reg), t, strlen(t), &target, &merr) != MARKING_OK) {
		notice(&w, "desk.reg.tearline.bad_marking", t != NULL ? merr.msg : NULL, 0);
		status = 400;
	} else if (registry_tearline(in->reg, rep, &target, &torn) != REGISTRY_OK) {
		registry_report_free(&rep);
		return fail(out, 500);
	} else {
		raw(&w, "<p class=\"muted\" id=\"tearline-of\">");
		char idt[32];
		int n = snprintf(idt, sizeof idt, "%" PRId64, id);
		if (n < 0 || (size_t)n >= sizeof idt)
			w.failed = 1;
		text_vars(&w, "desk.reg.tearline.of", (const char *const[]){"id", idt, NULL});
		raw(&w, "</p>");
		paras(&w, in->reg, torn);
	}
	raw(&w, "<p><a id=\"back\" href=\"/report?id=");
	num(&w, id);
	el(&w, "\">", "desk.back", "</a></p>");
	registry_report_free(&torn);
	registry_report_free(&rep);
	finish(&w, out, status, "desk.reg.tearline.title");
}

/* ---- distribution lists ---- */

static int dist_row(void *ctx, const char *name, const char *owner, const char *members)
{
	struct w *w = ctx;
	raw(w, "<tr class=\"list\" data-name=\"");
	esc_str(w, name);
	raw(w, "\"><td>");
	esc_str(w, name);
	raw(w, "</td><td>");
	esc_str(w, owner);
	raw(w, "</td><td class=\"members\">");
	esc_str(w, members);
	raw(w, "</td></tr>");
	return 0;
}

static void dist_page(const struct desk_reg_in *in, struct desk_reg_out *out, const char *note,
                      const char *msg, int good, unsigned status)
{
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.reg.dist.title", "</h1>");
	if (note != NULL)
		notice(&w, note, msg, good);
	raw(&w, "<table id=\"lists\"><thead><tr>");
	el(&w, "<th>", "desk.reg.dist.name", "</th>");
	el(&w, "<th>", "desk.reg.dist.owner", "</th>");
	el(&w, "<th>", "desk.reg.dist.members", "</th></tr></thead><tbody>");
	if (registry_dist_list(in->reg, dist_row, &w) != REGISTRY_OK)
		return fail(out, 500);
	raw(&w, "</tbody></table>");
	el(&w, "<h2>", "desk.reg.dist.create", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/dist/create\" id=\"dist-create\">");
	csrf_field(&w, in->csrf);
	el(&w, "<label for=\"list-name\">", "desk.reg.dist.name", "</label>");
	input(&w, "list-name", "name", "", "maxlength=\"64\" required");
	el(&w, "<p><button id=\"create-list\" type=\"submit\">", "desk.reg.dist.create_button",
	   "</button></p></form>");
	el(&w, "<h2>", "desk.reg.dist.member", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/dist/add\" id=\"dist-member\">");
	csrf_field(&w, in->csrf);
	el(&w, "<label for=\"member-list\">", "desk.reg.dist.name", "</label>");
	input(&w, "member-list", "list", "", "maxlength=\"64\" required");
	el(&w, "<label for=\"member-officer\">", "desk.reg.dist.officer", "</label>");
	input(&w, "member-officer", "officer", "", "maxlength=\"64\" required");
	el(&w, "<p><button id=\"add-member\" type=\"submit\">", "desk.reg.dist.add", "</button> ");
	el(&w, "<button id=\"remove-member\" type=\"submit\" formaction=\"/dist/remove\">",
	   "desk.reg.dist.remove", "</button></p></form>");
	finish(&w, out, status, "desk.reg.dist.title");
}

static void dist_action(enum desk_reg_route rt, const struct desk_reg_in *in,
                        struct desk_reg_out *out)
{
	struct registry_error err = {{0}};
	enum registry_result rc;
	if (rt == DR_DIST_CREATE) {
		const char *name = form_get(in->form, "name");
		rc = name == NULL ? REGISTRY_BAD_INPUT
		                  : registry_dist_create(in->reg, in->key, name, &err);
	} else {
		const char *list = form_get(in->form, "list"), *off = form_get(in->form, "officer");
		rc = list == NULL || off == NULL ? REGISTRY_BAD_INPUT
		                                 : registry_dist_member(in->reg, in->key, list, off,
		                                                        rt == DR_DIST_ADD, &err);
	}
	if (rc == REGISTRY_OK) {
		int n = snprintf(out->location, sizeof out->location, "/dist");
		if (n < 0 || (size_t)n >= sizeof out->location)
			fail(out, 500);
		return;
	}
	if (rc == REGISTRY_FAILED)
		return fail(out, 500);
	dist_page(in, out, "desk.reg.refused", err.msg[0] ? err.msg : registry_strerror(rc), 0,
	          rc == REGISTRY_FORBIDDEN ? 403
	          : rc == REGISTRY_EXISTS  ? 409
	                                   : 400);
}

/* ---- JSON ---- */

struct jw {
	struct buf *b;
	int failed;
};

static void jraw(struct jw *j, const char *s)
{
	if (!j->failed && buf_append_str(j->b, s) != BUF_OK)
		j->failed = 1;
}

static void jstr(struct jw *j, const char *s, size_t n)
{
	if (!j->failed && json_escape_str(j->b, s, n) != BUF_OK)
		j->failed = 1;
}

static void jnum(struct jw *j, int64_t v)
{
	if (!j->failed && buf_printf(j->b, "%" PRId64, v) != BUF_OK)
		j->failed = 1;
}

static void jday(struct jw *j, int32_t d)
{
	char s[DAY_STRLEN];
	day_format(d, s);
	jstr(j, s, strlen(s));
}

static int query_num(const struct desk_reg_in *in, const char *name, int64_t dflt, int64_t *out)
{
	const char *s = in->query(in->qctx, name);
	*out = dflt;
	if (s == NULL)
		return 0;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	return parse_id(s, out);
}

static void api_list(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t offset, limit, titles, total = 0;
	out->json = true;
	if (query_num(in, "offset", 0, &offset) != 0 || query_num(in, "limit", 100, &limit) != 0 ||
	    query_num(in, "titles", 1, &titles) != 0 || limit < 1 || limit > API_LIMIT_MAX ||
	    offset > INT64_MAX / 2)
		return fail(out, 400);
	struct listing ls = {calloc((size_t)limit, sizeof(struct listed)), 0, (size_t)limit};
	if (ls.items == NULL)
		return fail(out, 500);
	if (registry_report_list(in->reg, officer_key_id(in->key), offset, limit, add_listed, &ls,
	                         &total) != REGISTRY_OK) {
		free(ls.items);
		return fail(out, 500);
	}
	struct jw j = {out->body, 0};
	jraw(&j, "{\"total\":");
	jnum(&j, total);
	jraw(&j, ",\"offset\":");
	jnum(&j, offset);
	jraw(&j, ",\"limit\":");
	jnum(&j, limit);
	jraw(&j, ",\"reports\":[");
	for (size_t i = 0; i < ls.n; i++) {
		const struct listed *x = &ls.items[i];
		jraw(&j, i ? ",{\"id\":" : "{\"id\":");
		jnum(&j, x->id);
		jraw(&j, ",\"marking\":");
		jstr(&j, x->marking, strlen(x->marking));
		jraw(&j, ",\"day\":");
		jday(&j, x->day);
		jraw(&j, ",\"author\":");
		jnum(&j, x->author);
		if (titles) {
			enum registry_result rc;
			struct registry_report *rep = open_report(in, x->id, &rc);
			jraw(&j, ",\"title\":");
			if (rep != NULL && rep->nparas > 0)
				jstr(&j, rep->paras[0].text, rep->paras[0].len);
			else
				jraw(&j, "null");
			registry_report_free(&rep);
		}
		jraw(&j, "}");
	}
	jraw(&j, "]}");
	free(ls.items);
	if (j.failed)
		return fail(out, 500);
	out->status = 200;
}

static void api_one(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	out->json = true;
	if (parse_id(in->url + strlen("/api/v1/reports/"), &id) != 0)
		return fail(out, 404); /* as a missing report */
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rep == NULL)
		return fail(out, rc == REGISTRY_NOT_FOUND     ? 404
		                 : rc == REGISTRY_CANNOT_OPEN ? 403
		                                              : 500);
	struct jw j = {out->body, 0};
	char pm[MARKING_TEXT_MAX + 3];
	jraw(&j, "{\"id\":");
	jnum(&j, id);
	jraw(&j, ",\"marking\":");
	jstr(&j, rep->marking_text, strlen(rep->marking_text));
	jraw(&j, ",\"day\":");
	jday(&j, rep->day);
	jraw(&j, ",\"author\":");
	jnum(&j, rep->author);
	jraw(&j, ",\"title\":");
	jstr(&j, rep->paras[0].text, rep->paras[0].len);
	jraw(&j, ",\"paragraphs\":[");
	for (size_t i = 0; i < rep->nparas; i++) {
		if (marking_format(registry_scheme(in->reg), &rep->paras[i].portion, true, pm,
		                   sizeof pm) < 0)
			j.failed = 1;
		if (i == 0)
			continue;
		jraw(&j, i > 1 ? ",{\"portion\":" : "{\"portion\":");
		jstr(&j, pm, strnlen(pm, sizeof pm));
		jraw(&j, ",\"text\":");
		jstr(&j, rep->paras[i].text, rep->paras[i].len);
		jraw(&j, "}");
	}
	jraw(&j, "]}");
	registry_report_free(&rep);
	if (j.failed)
		return fail(out, 500);
	out->status = 200;
}

/* ---- dispatch ---- */

void desk_registry_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                          struct desk_reg_out *out)
{
	out->status = 500;
	out->location[0] = 0;
	if (rt >= DR_POST_FIRST && in->form == NULL)
		return fail(out, 400);
	switch (rt) {
	case DR_REPORTS:
		return report_list(in, out);
	case DR_REPORT:
		return report_show(in, out);
	case DR_REPORT_NEW:
		return report_new(in, out);
	case DR_TEARLINE:
		return tearline(in, out);
	case DR_DIST:
		return dist_page(in, out, NULL, NULL, 0, 200);
	case DR_API_REPORTS:
		return api_list(in, out);
	case DR_API_REPORT:
		return api_one(in, out);
	case DR_REPORT_WRITE:
		return report_write(in, out);
	case DR_CIRCULATE:
		return circulate(in, out);
	case DR_DIST_CREATE:
	case DR_DIST_ADD:
	case DR_DIST_REMOVE:
		return dist_action(rt, in, out);
	case DR_SUB_MARK:
		return sub_mark(in, out);
	case DR_NONE:
		break;
	}
	fail(out, 404);
}
