/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_registry: the registry's routes and dispatch, the helpers its pages
 * share (desk_reg_internal.h), the distribution lists and a submission's
 * marking change. The reports' pages are desk_report.c and
 * desk_report_write.c.
 */
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/marking/marking.h"
#include "lib/num.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

/* ---- writing markup: every value through html_escape ---- */

/* A notice: a catalogue key and, when given, the registry's own message (escaped). */
void desk_reg_notice(struct w *w, const char *key, const char *msg, int good)
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

void desk_reg_finish(struct w *w, struct desk_reg_out *out, unsigned status, const char *title)
{
	if (w->failed) {
		buf_reset(out->body);
		out->status = 500;
		return;
	}
	out->status = status;
	out->title_key = title;
}

void desk_reg_fail(struct desk_reg_out *out, unsigned status)
{
	buf_reset(out->body);
	out->status = status;
}

/* 303 to prefix ID suffix. */
int desk_reg_redirect(struct desk_reg_out *out, const char *prefix, int64_t id, const char *suffix)
{
	int n = snprintf(out->location, sizeof out->location, "%s%" PRId64 "%s", prefix, id,
	                 suffix);
	if (n < 0 || (size_t)n >= sizeof out->location) {
		out->location[0] = 0;
		desk_reg_fail(out, 500);
		return -1;
	}
	return 0;
}

void desk_reg_input(struct w *w, const char *id, const char *name, const char *value,
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

void desk_reg_markings(struct w *w, const struct registry *reg)
{
	/* every level of the scheme (the abbreviations of every scheme, kept where they
	   parse), alone and with each declared compartment; canonical portion form */
	static const char *const levels[] = {"U",         "O",         "C",
	                                     "S",         "TS",        "TLP:CLEAR",
	                                     "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
	                                     "TLP:RED"};
	const struct marking_scheme *sc = registry_scheme(reg);
	char out[MARKING_TEXT_MAX + 3];
	raw(w, "<datalist id=\"markings\">");
	for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
		struct marking m;
		if (marking_parse(sc, levels[i], strlen(levels[i]), &m, NULL) != MARKING_OK)
			continue;
		for (int c = -1; c < (int)sc->ncompartments; c++) {
			struct marking mc = m;
			if (c >= 0)
				mc.compartments = (uint64_t)1 << c;
			if (marking_format(sc, &mc, true, out, sizeof out) < 0)
				continue;
			raw(w, "<option value=\"");
			esc_str(w, out);
			raw(w, "\">");
		}
	}
	raw(w, "</datalist>");
}

void desk_reg_query_value(struct w *w, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)v; *p != 0 && !w->failed; p++) {
		char one[4] = {(char)*p, 0, 0, 0};
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
		      *p == '~')) {
			one[0] = '%';
			one[1] = hex[*p >> 4];
			one[2] = hex[*p & 15];
		}
		raw(w, one);
	}
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
	        {"/report/topics", DR_NONE, DR_REPORT_TOPICS},
	        {"/dist", DR_DIST, DR_NONE},
	        {"/dist/create", DR_NONE, DR_DIST_CREATE},
	        {"/dist/add", DR_NONE, DR_DIST_ADD},
	        {"/dist/remove", DR_NONE, DR_DIST_REMOVE},
	        {"/submission/mark", DR_NONE, DR_SUB_MARK},
	        {"/api/v1/reports", DR_API_REPORTS, DR_NONE},
	        {"/recipients", DR_RECIPIENTS, DR_NONE},
	        {"/recipient", DR_RECIPIENT, DR_NONE},
	        {"/recipient/add", DR_NONE, DR_RECIPIENT_ADD},
	        {"/recipient/disable", DR_NONE, DR_RECIPIENT_DISABLE},
	        {"/releases", DR_RELEASES, DR_NONE},
	        {"/release", DR_RELEASE, DR_NONE},
	        {"/release/new", DR_RELEASE_NEW, DR_RELEASE_PROPOSE},
	        {"/release/approve", DR_NONE, DR_RELEASE_APPROVE},
	        {"/release/refuse", DR_NONE, DR_RELEASE_REFUSE},
	        {"/release/export", DR_NONE, DR_RELEASE_EXPORT},
	        {"/trace", DR_TRACE, DR_TRACE_RUN},
	        {"/partners", DR_PARTNERS, DR_NONE},
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
	if (num_parse_id(form_get(in->form, "id"), &id) != 0)
		return desk_reg_fail(out, 400);
	const char *reason = form_get(in->form, "reason");
	if (reason != NULL && reason[0] == 0)
		reason = NULL;
	struct registry_error err = {{0}};
	enum registry_result rc = registry_submission_mark(
	        in->reg, in->key, id, form_get(in->form, "marking"), reason, &err);
	if (rc == REGISTRY_OK) {
		(void)desk_reg_redirect(out, "/submission?id=", id, "");
		return;
	}
	if (rc == REGISTRY_NOT_FOUND || rc == REGISTRY_FAILED || rc == REGISTRY_FULL)
		return desk_reg_fail(out, rc == REGISTRY_FAILED ? 500
		                          : rc == REGISTRY_FULL ? 507
		                                                : 404);
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.reg.mark.title", "</h1>");
	desk_reg_notice(
	        &w, rc == REGISTRY_NEEDS_REASON ? "desk.reg.mark.needs_reason" : "desk.reg.refused",
	        err.msg, 0);
	raw(&w, "<p><a id=\"back\" href=\"/submission?id=");
	num(&w, id);
	el(&w, "\">", "desk.back", "</a></p>");
	desk_reg_finish(&w, out, rc == REGISTRY_FORBIDDEN ? 403 : 400, "desk.reg.mark.title");
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
		desk_reg_notice(&w, note, msg, good);
	raw(&w, "<table id=\"lists\"><thead><tr>");
	el(&w, "<th>", "desk.reg.dist.name", "</th>");
	el(&w, "<th>", "desk.reg.dist.owner", "</th>");
	el(&w, "<th>", "desk.reg.dist.members", "</th></tr></thead><tbody>");
	if (registry_dist_list(in->reg, dist_row, &w) != REGISTRY_OK)
		return desk_reg_fail(out, 500);
	raw(&w, "</tbody></table>");
	el(&w, "<h2>", "desk.reg.dist.create", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/dist/create\" id=\"dist-create\">");
	csrf_field(&w, in->csrf);
	el(&w, "<label for=\"list-name\">", "desk.reg.dist.name", "</label>");
	desk_reg_input(&w, "list-name", "name", "", "maxlength=\"64\" required");
	el(&w, "<p><button id=\"create-list\" type=\"submit\">", "desk.reg.dist.create_button",
	   "</button></p></form>");
	el(&w, "<h2>", "desk.reg.dist.member", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/dist/add\" id=\"dist-member\">");
	csrf_field(&w, in->csrf);
	el(&w, "<label for=\"member-list\">", "desk.reg.dist.name", "</label>");
	desk_reg_input(&w, "member-list", "list", "", "maxlength=\"64\" required");
	el(&w, "<label for=\"member-officer\">", "desk.reg.dist.officer", "</label>");
	desk_reg_input(&w, "member-officer", "officer", "", "maxlength=\"64\" required");
	el(&w, "<p><button id=\"add-member\" type=\"submit\">", "desk.reg.dist.add", "</button> ");
	el(&w, "<button id=\"remove-member\" type=\"submit\" formaction=\"/dist/remove\">",
	   "desk.reg.dist.remove", "</button></p></form>");
	desk_reg_finish(&w, out, status, "desk.reg.dist.title");
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
			desk_reg_fail(out, 500);
		return;
	}
	if (rc == REGISTRY_FAILED)
		return desk_reg_fail(out, 500);
	dist_page(in, out, "desk.reg.refused", err.msg[0] ? err.msg : registry_strerror(rc), 0,
	          rc == REGISTRY_FORBIDDEN ? 403
	          : rc == REGISTRY_EXISTS  ? 409
	                                   : 400);
}

/* ---- dispatch ---- */

void desk_registry_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                          struct desk_reg_out *out)
{
	out->status = 500;
	out->location[0] = 0;
	if (rt >= DR_POST_FIRST && in->form == NULL)
		return desk_reg_fail(out, 400);
	switch (rt) {
	case DR_REPORTS:
		return desk_report_list(in, out);
	case DR_REPORT:
		return desk_report_show(in, out);
	case DR_REPORT_NEW:
		return desk_report_new(in, out);
	case DR_TEARLINE:
		return desk_report_tearline(in, out);
	case DR_DIST:
		return dist_page(in, out, NULL, NULL, 0, 200);
	case DR_API_REPORTS:
		return desk_report_api_list(in, out);
	case DR_API_REPORT:
		return desk_report_api_one(in, out);
	case DR_REPORT_WRITE:
		return desk_report_write(in, out);
	case DR_CIRCULATE:
		return desk_report_circulate(in, out);
	case DR_REPORT_TOPICS:
		return desk_liaison_topics_post(in, out);
	case DR_DIST_CREATE:
	case DR_DIST_ADD:
	case DR_DIST_REMOVE:
		return dist_action(rt, in, out);
	case DR_SUB_MARK:
		return sub_mark(in, out);
	case DR_RECIPIENTS:
	case DR_RECIPIENT:
	case DR_RECIPIENT_ADD:
	case DR_RECIPIENT_DISABLE:
		return desk_recipients_handle(rt, in, out);
	case DR_RELEASES:
	case DR_RELEASE:
	case DR_RELEASE_NEW:
	case DR_RELEASE_PROPOSE:
	case DR_RELEASE_APPROVE:
	case DR_RELEASE_REFUSE:
	case DR_RELEASE_EXPORT:
		return desk_release_handle(rt, in, out);
	case DR_TRACE:
	case DR_TRACE_RUN:
		return desk_trace_handle(rt, in, out);
	case DR_PARTNERS:
		return desk_liaison_partners(in, out);
	case DR_NONE:
		break;
	}
	desk_reg_fail(out, 404);
}
