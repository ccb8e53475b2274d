/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_report: the reports shown. The list (titles of what the reader may
 * read), one report with the lists it went to, circulating it, the tearline
 * view, and the JSON reads GET /api/v1/reports and /api/v1/reports/{id}.
 * core/registry decides every read: a forbidden report and a missing one
 * give the same 404.
 */
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/day.h"
#include "lib/num.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"
#include "lib/web/json.h"

#include "lib/banned.h"

#define LIST_ROWS 50
#define API_LIMIT_MAX 500
#define NAMES_MAX 64 /* lists or officers in one circulation */
#define OFFICERS_MAX 4096

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

void desk_report_list(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t page = 1, total = 0;
	const char *ps = in->query(in->qctx, "page");
	if (ps != NULL && (num_parse_id(ps, &page) != 0 || page > 1000000))
		return desk_reg_fail(out, 400);
	struct listed items[LIST_ROWS];
	struct listing ls = {items, 0, LIST_ROWS};
	struct names nm = {calloc(OFFICERS_MAX, sizeof(struct officer)), 0, OFFICERS_MAX};
	if (nm.o == NULL)
		return desk_reg_fail(out, 500);
	enum registry_result rc =
	        registry_report_list(in->reg, officer_key_id(in->key), (page - 1) * LIST_ROWS,
	                             LIST_ROWS, add_listed, &ls, &total);
	if (rc != REGISTRY_OK || officer_list(in->officers, add_name, &nm) != OFFICER_OK) {
		free(nm.o);
		return desk_reg_fail(out, 500);
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
	desk_reg_finish(&w, out, 200, "desk.reg.list.title");
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

/* ---- circulation: the lists and officers chosen, not typed ---- */

static size_t split_names(const char *s, char *store, size_t cap, const char **names, size_t max);

struct choices {
	struct w *w;
	const char *field, *self;
	size_t n;
};

static void choice(struct choices *c, const char *name)
{
	if (c->n++ == 0)
		raw(c->w, "<div class=\"choices\">");
	raw(c->w, "<label class=\"check\"><input type=\"checkbox\" name=\"");
	raw(c->w, c->field);
	raw(c->w, "\" value=\"");
	esc_str(c->w, name);
	raw(c->w, "\"> ");
	esc_str(c->w, name);
	raw(c->w, "</label>");
}

static int list_choice(void *ctx, const char *name, const char *owner, const char *members)
{
	(void)owner;
	(void)members;
	choice(ctx, name);
	return 0;
}

static int officer_choice(void *ctx, const struct officer *o)
{
	struct choices *c = ctx;
	if (!o->disabled && strcmp(o->name, c->self) != 0)
		choice(c, o->name);
	return 0;
}

static void circulate_choices(struct w *w, const struct desk_reg_in *in)
{
	struct choices c = {w, "list", in->officer, 0};
	el(w, "<fieldset><legend>", "desk.reg.circulate.lists", "</legend>");
	if (registry_dist_list(in->reg, list_choice, &c) != REGISTRY_OK)
		w->failed = 1;
	if (c.n == 0)
		el(w, "<p class=\"muted\">", "desk.reg.circulate.no_lists", "</p>");
	else
		raw(w, "</div>");
	raw(w, "</fieldset>");
	c = (struct choices){w, "officer", in->officer, 0};
	el(w, "<fieldset><legend>", "desk.reg.circulate.officers", "</legend>");
	if (officer_list(in->officers, officer_choice, &c) != OFFICER_OK)
		w->failed = 1;
	if (c.n == 0)
		el(w, "<p class=\"muted\">", "desk.reg.circulate.no_officers", "</p>");
	else
		raw(w, "</div>");
	raw(w, "</fieldset>");
}

/* The names of every field `one` (a checkbox), then those of the text field `many`. */
static size_t form_names(const struct form *f, const char *one, const char *many, char *store,
                         size_t cap, const char **names)
{
	size_t n = 0, o = 0;
	for (size_t i = 0; i < f->count && n < NAMES_MAX; i++) {
		const struct form_field *x = &f->fields[i];
		if (strcmp(x->name, one) != 0 || x->value_len == 0 || o + x->value_len + 1 > cap)
			continue;
		memcpy(store + o, x->value, x->value_len + 1);
		names[n++] = store + o;
		o += x->value_len + 1;
	}
	return n + split_names(form_get(f, many), store + o, cap - o, names + n, NAMES_MAX - n);
}

void desk_report_page(const struct desk_reg_in *in, struct desk_reg_out *out, int64_t id,
                      const char *note_key, const char *note_msg, int good, unsigned status)
{
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rc == REGISTRY_NOT_FOUND)
		return desk_reg_fail(out, 404); /* forbidden or missing: one answer */
	struct w w = {out->body, in->lang, 0};
	if (note_key != NULL)
		desk_reg_notice(&w, note_key, note_msg, good);
	if (rep == NULL) {
		if (rc != REGISTRY_CANNOT_OPEN)
			return desk_reg_fail(out, 500);
		el(&w, "<p class=\"notice\" id=\"cannot-open\">", "desk.reg.cannot_open_long",
		   "</p>");
		desk_reg_finish(&w, out, 200, "desk.reg.report.title");
		return;
	}
	paras(&w, in->reg, rep);
	raw(&w, "<p class=\"muted\">");
	text(&w, "desk.reg.report.lists");
	raw(&w, " <span id=\"lists\">");
	struct names_acc acc = {&w, 0};
	if (registry_report_lists(in->reg, in->key, id, list_name, &acc) != REGISTRY_OK)
		w.failed = 1;
	raw(&w, "</span></p>");
	registry_report_free(&rep);
	desk_liaison_report_block(&w, in, id);
	if (in->roles & ROLE_RELEASING) { /* core/release decides; this is only the way there */
		raw(&w, "<p><a id=\"propose-release\" href=\"/release/new?report=");
		num(&w, id);
		el(&w, "\">", "desk.rel.new.link", "</a></p>");
	}
	/* circulate */
	el(&w, "<h2>", "desk.reg.circulate.title", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/report/circulate\" id=\"circulate-form\">");
	csrf_field(&w, in->csrf);
	id_field(&w, "id", id);
	circulate_choices(&w, in);
	el(&w, "<p><button id=\"circulate\" type=\"submit\">", "desk.reg.circulate.button",
	   "</button></p></form>");
	/* tearline */
	el(&w, "<h2>", "desk.reg.tearline.title", "</h2>");
	raw(&w, "<form method=\"get\" action=\"/report/tearline\" id=\"tearline-form\">");
	id_field(&w, "id", id);
	el(&w, "<label for=\"target\">", "desk.reg.tearline.target", "</label>");
	desk_reg_markings(&w, in->reg);
	desk_reg_input(&w, "target", "marking", "", "maxlength=\"255\" list=\"markings\" required");
	el(&w, "<p><button id=\"tearline\" type=\"submit\">", "desk.reg.tearline.button",
	   "</button></p></form>");
	desk_reg_finish(&w, out, status, "desk.reg.report.title");
}

void desk_report_show(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(in->query(in->qctx, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	const char *note = in->query(in->qctx, "circulated") != NULL ? "desk.reg.circulate.done"
	                   : in->query(in->qctx, "topics") != NULL   ? "desk.li.topics_done"
	                                                             : NULL;
	desk_report_page(in, out, id, note, NULL, 1, 200);
}

/* Splits "a, b c" into names (pointers into store). */
static size_t split_names(const char *s, char *store, size_t cap, const char **names, size_t max)
{
	size_t n = 0, o = 0;
	if (s == NULL || cap == 0)
		return 0;
	while (*s != 0 && n < max) {
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

void desk_report_circulate(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(form_get(in->form, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	char ls[2100], os[2100];
	const char *lists[NAMES_MAX], *offs[NAMES_MAX];
	size_t nl = form_names(in->form, "list", "lists", ls, sizeof ls, lists);
	size_t no = form_names(in->form, "officer", "officers", os, sizeof os, offs);
	struct registry_error err = {{0}};
	enum registry_result rc = (nl + no == 0)
	                                  ? REGISTRY_BAD_INPUT
	                                  : registry_report_circulate(in->reg, in->key, id, lists,
	                                                              nl, offs, no, &err);
	if (rc == REGISTRY_OK) {
		(void)desk_reg_redirect(out, "/report?id=", id, "&circulated=1");
		return;
	}
	if (rc == REGISTRY_NOT_FOUND)
		return desk_reg_fail(out, 404);
	if (rc == REGISTRY_FAILED || rc == REGISTRY_FULL)
		return desk_reg_fail(out, rc == REGISTRY_FULL ? 507 : 500);
	desk_report_page(in, out, id, "desk.reg.refused",
	                 err.msg[0] ? err.msg : registry_strerror(rc), 0, 400);
}

void desk_report_tearline(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(in->query(in->qctx, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rep == NULL)
		return desk_reg_fail(out, rc == REGISTRY_NOT_FOUND     ? 404
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
		desk_reg_notice(&w, "desk.reg.tearline.bad_marking", t != NULL ? merr.msg : NULL,
		                0);
		status = 400;
	} else if (registry_tearline(in->reg, rep, &target, &torn) != REGISTRY_OK) {
		registry_report_free(&rep);
		return desk_reg_fail(out, 500);
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
	desk_reg_finish(&w, out, status, "desk.reg.tearline.title");
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
	return num_parse_id(s, out);
}

void desk_report_api_list(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t offset, limit, titles, total = 0;
	out->json = true;
	if (query_num(in, "offset", 0, &offset) != 0 || query_num(in, "limit", 100, &limit) != 0 ||
	    query_num(in, "titles", 1, &titles) != 0 || limit < 1 || limit > API_LIMIT_MAX ||
	    offset > INT64_MAX / 2)
		return desk_reg_fail(out, 400);
	struct listing ls = {calloc((size_t)limit, sizeof(struct listed)), 0, (size_t)limit};
	if (ls.items == NULL)
		return desk_reg_fail(out, 500);
	if (registry_report_list(in->reg, officer_key_id(in->key), offset, limit, add_listed, &ls,
	                         &total) != REGISTRY_OK) {
		free(ls.items);
		return desk_reg_fail(out, 500);
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
		return desk_reg_fail(out, 500);
	out->status = 200;
}

void desk_report_api_one(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	out->json = true;
	if (num_parse_id(in->url + strlen("/api/v1/reports/"), &id) != 0)
		return desk_reg_fail(out, 404); /* as a missing report */
	enum registry_result rc;
	struct registry_report *rep = open_report(in, id, &rc);
	if (rep == NULL)
		return desk_reg_fail(out, rc == REGISTRY_NOT_FOUND     ? 404
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
		return desk_reg_fail(out, 500);
	out->status = 200;
}
