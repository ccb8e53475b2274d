/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_recipients: the outside recipients of controlled release (issue 13):
 * the list with the form that adds one, one recipient shown, disabling one.
 * Each page parses, calls one use case of core/release (which decides the
 * role: admin or releasing), and renders; every value through html_escape.
 */
#include "app/desk/desk_reg_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/release/release.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

/* ---- the list ---- */

static void cell(struct w *w, const char *v)
{
	raw(w, "<td>");
	esc_str(w, v);
	raw(w, "</td>");
}

static int rcp_row(void *ctx, const struct store_recipient *rc)
{
	struct w *w = ctx;
	raw(w, rc->disabled ? "<tr class=\"recipient disabled\" data-name=\""
	                    : "<tr class=\"recipient\" data-name=\"");
	esc_str(w, rc->name);
	raw(w, "\"><td><a href=\"/recipient?name=");
	desk_reg_query_value(w, rc->name);
	raw(w, "\">");
	esc_str(w, rc->name);
	raw(w, "</a></td>");
	cell(w, rc->org);
	cell(w, rc->nationality);
	raw(w, "<td class=\"marking\">");
	esc_str(w, rc->marking);
	raw(w, "</td><td>");
	text(w, rc->age_recipient[0] ? "desk.rel.rcp.age_key" : "desk.rel.rcp.passphrase");
	raw(w, "</td><td>");
	text(w, rc->disabled ? "desk.admin.disabled" : "desk.admin.active");
	raw(w, "</td></tr>");
	return 0;
}

static void field(struct w *w, const char *id, const char *name, const char *label,
                  const char *value, const char *extra)
{
	raw(w, "<label for=\"");
	raw(w, id);
	raw(w, "\">");
	text(w, label);
	raw(w, "</label>");
	desk_reg_input(w, id, name, value, extra);
}

static void list_page(const struct desk_reg_in *in, struct desk_reg_out *out, const char *note,
                      const char *msg, int good, unsigned status)
{
	struct w w = {out->body, in->lang, 0};
	const struct form *f = in->form; /* a refused add: its values again */
	el(&w, "<h1>", "desk.rel.rcp.title", "</h1>");
	el(&w, "<p class=\"muted\">", "desk.rel.rcp.intro", "</p>");
	if (note != NULL)
		desk_reg_notice(&w, note, msg, good);
	raw(&w, "<table id=\"recipients\"><thead><tr>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.name", "</th>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.org", "</th>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.nationality", "</th>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.marking", "</th>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.delivery", "</th>");
	el(&w, "<th scope=\"col\">", "desk.rel.rcp.state", "</th></tr></thead><tbody>");
	enum release_result rc = release_recipient_list(in->reg, in->key, rcp_row, &w);
	if (rc != RELEASE_OK)
		return desk_reg_fail(out, desk_release_status(rc));
	raw(&w, "</tbody></table>");
	el(&w, "<h2>", "desk.rel.rcp.add", "</h2>");
	raw(&w, "<form method=\"post\" action=\"/recipient/add\" id=\"recipient-add\">");
	csrf_field(&w, in->csrf);
	field(&w, "rcp-name", "name", "desk.rel.rcp.name", f ? form_get(f, "name") : "",
	      "maxlength=\"128\" required");
	field(&w, "rcp-org", "org", "desk.rel.rcp.org", f ? form_get(f, "org") : "",
	      "maxlength=\"128\" required");
	field(&w, "rcp-nationality", "nationality", "desk.admin.nationality",
	      f ? form_get(f, "nationality") : "",
	      "maxlength=\"3\" required pattern=\"[A-Z]{3}\" autocapitalize=\"characters\"");
	field(&w, "rcp-marking", "marking", "desk.rel.rcp.marking_long",
	      f ? form_get(f, "marking") : "", "maxlength=\"255\" required");
	field(&w, "rcp-age", "age", "desk.rel.rcp.age", f ? form_get(f, "age") : "",
	      "class=\"wide\" maxlength=\"256\" spellcheck=\"false\" autocapitalize=\"none\"");
	el(&w, "<p><button id=\"add-recipient\" type=\"submit\">", "desk.rel.rcp.add_button",
	   "</button></p></form>");
	desk_reg_finish(&w, out, status, "desk.rel.rcp.title");
}

static void show_page(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	const char *name = in->query(in->qctx, "name");
	struct store_recipient rc;
	if (name == NULL)
		return desk_reg_fail(out, 404);
	enum release_result r = release_recipient_show(in->reg, in->key, name, &rc);
	if (r != RELEASE_OK)
		return desk_reg_fail(out, desk_release_status(r));
	struct w w = {out->body, in->lang, 0};
	const char *done = in->query(in->qctx, "done");
	if (done != NULL)
		desk_reg_notice(&w,
		                strcmp(done, "disabled") == 0 ? "desk.rel.rcp.disabled_done"
		                                              : "desk.rel.rcp.added",
		                NULL, 1);
	raw(&w, "<h1 id=\"recipient-name\">");
	esc_str(&w, rc.name);
	raw(&w, "</h1><table id=\"recipient\"><tbody>");
	static const char *const keys[] = {"desk.rel.rcp.org", "desk.rel.rcp.nationality",
	                                   "desk.rel.rcp.marking_long", "desk.rel.rcp.delivery"};
	const char *vals[] = {rc.org, rc.nationality, rc.marking, rc.age_recipient};
	for (size_t i = 0; i < 4; i++) {
		el(&w, "<tr><th scope=\"row\">", keys[i], "</th><td>");
		if (vals[i][0])
			esc_str(&w, vals[i]);
		else
			text(&w, "desk.rel.rcp.passphrase");
		raw(&w, "</td></tr>");
	}
	el(&w, "<tr><th scope=\"row\">", "desk.rel.rcp.since", "</th><td>");
	day(&w, rc.day);
	el(&w, "</td></tr><tr><th scope=\"row\">", "desk.rel.rcp.state", "</th><td id=\"state\">");
	text(&w, rc.disabled ? "desk.admin.disabled" : "desk.admin.active");
	raw(&w, "</td></tr></tbody></table>");
	if (!rc.disabled) {
		raw(&w, "<form method=\"post\" action=\"/recipient/disable\" "
		        "id=\"recipient-disable\">");
		csrf_field(&w, in->csrf);
		raw(&w, "<input type=\"hidden\" name=\"name\" value=\"");
		esc_str(&w, rc.name);
		raw(&w, "\">");
		el(&w, "<p class=\"muted\">", "desk.rel.rcp.disable_text", "</p>");
		el(&w, "<p><button class=\"danger\" id=\"disable\" type=\"submit\">",
		   "desk.admin.disable", "</button></p></form>");
	}
	el(&w, "<p><a id=\"back\" href=\"/recipients\">", "desk.rel.rcp.back", "</a></p>");
	desk_reg_finish(&w, out, 200, "desk.rel.rcp.one");
}

/* 303 to /recipient?done=WHAT&name=NAME. */
static void to_recipient(struct desk_reg_out *out, const char *name, const char *what)
{
	struct buf b;
	buf_init(&b, sizeof out->location - 1);
	struct w w = {&b, "en", 0};
	raw(&w, "/recipient?done=");
	raw(&w, what);
	raw(&w, "&name=");
	desk_reg_query_value(&w, name);
	if (w.failed) {
		buf_release(&b);
		return desk_reg_fail(out, 500);
	}
	memcpy(out->location, b.data, b.len);
	out->location[b.len] = 0;
	buf_release(&b);
}

static void action(enum desk_reg_route rt, const struct desk_reg_in *in, struct desk_reg_out *out)
{
	struct release_error err = {{0}};
	const char *name = form_get(in->form, "name");
	enum release_result rc;
	if (rt == DR_RECIPIENT_ADD) {
		struct release_recipient_input ri = {.name = name,
		                                     .org = form_get(in->form, "org"),
		                                     .nationality =
		                                             form_get(in->form, "nationality"),
		                                     .marking = form_get(in->form, "marking"),
		                                     .age_recipient = form_get(in->form, "age")};
		store_id id = 0;
		rc = name == NULL || ri.org == NULL || ri.nationality == NULL || ri.marking == NULL
		             ? RELEASE_BAD_INPUT
		             : release_recipient_add(in->reg, in->key, &ri, &id, &err);
	} else {
		rc = name == NULL ? RELEASE_BAD_INPUT
		                  : release_recipient_disable(in->reg, in->key, name, &err);
	}
	if (rc == RELEASE_OK)
		return to_recipient(out, name, rt == DR_RECIPIENT_ADD ? "added" : "disabled");
	if (rc == RELEASE_FAILED)
		return desk_reg_fail(out, 500);
	list_page(in, out, "desk.reg.refused", err.msg[0] ? err.msg : release_strerror(rc), 0,
	          desk_release_status(rc));
}

void desk_recipients_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                            struct desk_reg_out *out)
{
	switch (rt) {
	case DR_RECIPIENTS:
		return list_page(in, out, NULL, NULL, 0, 200);
	case DR_RECIPIENT:
		return show_page(in, out);
	case DR_RECIPIENT_ADD:
	case DR_RECIPIENT_DISABLE:
		return action(rt, in, out);
	default:
		return desk_reg_fail(out, 404);
	}
}
