/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_release: releases in the desk (issue 13): the list, the proposal of a
 * report (from its page: recipients chosen from the list, purpose, expiry),
 * one release with the access decision for each recipient, its approval or
 * refusal by a second releasing officer, and each copy downloaded as text,
 * Markdown, age or PDF. core/release decides roles, the two-person rule and
 * every access; a page here parses, calls it, and renders (html_escape for
 * every value). Forms POST, then redirect to the release's page.
 */
#include "app/desk/desk_reg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/release/release.h"
#include "lib/day.h"
#include "lib/num.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

#define PROPOSE_MAX 200 /* recipients ticked in one proposal (the door's form has 256 fields) */
#define EXPIRY_DEFAULT_DAYS 30

unsigned desk_release_status(int release_result)
{
	switch ((enum release_result)release_result) {
	case RELEASE_OK:
		return 200;
	case RELEASE_NOT_FOUND:
		return 404;
	case RELEASE_BAD_INPUT:
		return 400;
	case RELEASE_FORBIDDEN:
	case RELEASE_REFUSED:
	case RELEASE_CANNOT_OPEN:
		return 403;
	case RELEASE_EXISTS:
	case RELEASE_EXPIRED:
		return 409;
	case RELEASE_FAILED:
		break;
	}
	return 500;
}

static int32_t today(void)
{
	time_t now = time(NULL);
	return now > 0 ? (int32_t)(now / 86400) : 0;
}

static void state_badge(struct w *w, const char *state)
{
	raw(w, "<span class=\"state state-");
	esc_str(w, state);
	raw(w, "\">");
	esc_str(w, state);
	raw(w, "</span>");
}

static void release_link(struct w *w, store_id id)
{
	raw(w, "<a href=\"/release?id=");
	num(w, id);
	raw(w, "\">");
	num(w, id);
	raw(w, "</a>");
}

static void report_link(struct w *w, store_id id)
{
	raw(w, "<a href=\"/report?id=");
	num(w, id);
	raw(w, "\">");
	num(w, id);
	raw(w, "</a>");
}

/* ---- the list ---- */

static int list_row(void *ctx, const struct release_view *v)
{
	struct w *w = ctx;
	raw(w, "<tr class=\"release\" data-id=\"");
	num(w, v->row.id);
	raw(w, "\" data-state=\"");
	esc_str(w, v->state);
	raw(w, "\"><td>");
	release_link(w, v->row.id);
	raw(w, "</td><td>");
	report_link(w, v->row.report);
	raw(w, "</td><td class=\"marking\">");
	esc_str(w, v->row.marking);
	raw(w, "</td><td>");
	state_badge(w, v->state);
	raw(w, "</td><td>");
	esc_str(w, v->proposer);
	raw(w, "</td><td>");
	esc_str(w, v->decider);
	raw(w, "</td><td>");
	day(w, v->row.expiry_day);
	raw(w, "</td><td>");
	u64(w, v->row.nrecipients);
	raw(w, "</td></tr>");
	return 0;
}

static void list_page(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.rel.list.title", "</h1>");
	el(&w, "<p class=\"muted\">", "desk.rel.list.intro", "</p>");
	el(&w, "<p><a id=\"to-recipients\" href=\"/recipients\">", "desk.rel.rcp.title", "</a> · ");
	el(&w, "<a id=\"to-trace\" href=\"/trace\">", "desk.rel.trace.title", "</a></p>");
	raw(&w, "<table id=\"releases\"><thead><tr>");
	static const char *const th[] = {
	        "desk.reg.list.id",  "desk.rel.report",  "desk.reg.marking", "desk.rel.state",
	        "desk.rel.proposer", "desk.rel.decider", "desk.rel.expires", "desk.rel.recipients"};
	for (size_t i = 0; i < sizeof th / sizeof *th; i++)
		el(&w, "<th scope=\"col\">", th[i], "</th>");
	raw(&w, "</tr></thead><tbody>");
	enum release_result rc = release_list(in->reg, in->key, list_row, &w);
	if (rc != RELEASE_OK)
		return desk_reg_fail(out, desk_release_status(rc));
	raw(&w, "</tbody></table>");
	desk_reg_finish(&w, out, 200, "desk.rel.list.title");
}

/* ---- proposing ---- */

static int pick_row(void *ctx, const struct store_recipient *rc)
{
	struct w *w = ctx;
	if (rc->disabled)
		return 0;
	raw(w, "<li><label class=\"check\"><input type=\"checkbox\" name=\"to\" value=\"");
	esc_str(w, rc->name);
	raw(w, "\"> ");
	esc_str(w, rc->name);
	raw(w, "</label> <span class=\"muted\">");
	esc_str(w, rc->org);
	raw(w, " · ");
	esc_str(w, rc->nationality);
	raw(w, " · ");
	esc_str(w, rc->marking);
	raw(w, "</span></li>");
	return 0;
}

static void new_page(const struct desk_reg_in *in, struct desk_reg_out *out, int64_t report,
                     const char *note, const char *msg, unsigned status)
{
	struct w w = {out->body, in->lang, 0};
	const struct form *f = in->form;
	char report_s[24], expiry[DAY_STRLEN];
	int n = snprintf(report_s, sizeof report_s, "%lld", (long long)report);
	if (n < 0 || (size_t)n >= sizeof report_s)
		return desk_reg_fail(out, 500);
	day_format(today() + EXPIRY_DEFAULT_DAYS, expiry);
	raw(&w, "<h1>");
	text_vars(&w, "desk.rel.new.title", (const char *const[]){"id", report_s, NULL});
	raw(&w, "</h1>");
	el(&w, "<p class=\"muted\">", "desk.rel.new.intro", "</p>");
	if (note != NULL)
		desk_reg_notice(&w, note, msg, 0);
	raw(&w, "<form method=\"post\" action=\"/release/new\" id=\"propose-form\">");
	csrf_field(&w, in->csrf);
	id_field(&w, "report", report);
	el(&w, "<fieldset><legend>", "desk.rel.new.recipients", "</legend><ul id=\"pick\">");
	enum release_result rc = release_recipient_list(in->reg, in->key, pick_row, &w);
	if (rc != RELEASE_OK)
		return desk_reg_fail(out, desk_release_status(rc));
	raw(&w, "</ul><p><a href=\"/recipients\">");
	el(&w, "", "desk.rel.rcp.add", "</a></p></fieldset>");
	el(&w, "<label for=\"rel-marking\">", "desk.rel.new.marking", "</label>");
	desk_reg_input(&w, "rel-marking", "marking", f ? form_get(f, "marking") : "",
	               "maxlength=\"255\"");
	el(&w, "<label for=\"rel-purpose\">", "desk.rel.purpose", "</label>");
	raw(&w, "<textarea id=\"rel-purpose\" name=\"purpose\" maxlength=\"400\" required>");
	esc_str(&w, f && form_get(f, "purpose") ? form_get(f, "purpose") : "");
	raw(&w, "</textarea>");
	el(&w, "<label for=\"rel-expires\">", "desk.rel.expires", "</label>");
	raw(&w, "<input type=\"date\" id=\"rel-expires\" name=\"expires\" required value=\"");
	esc_str(&w, f && form_get(f, "expires") ? form_get(f, "expires") : expiry);
	raw(&w, "\">");
	el(&w, "<p><button id=\"propose\" type=\"submit\">", "desk.rel.new.button",
	   "</button></p></form>");
	desk_reg_finish(&w, out, status, "desk.rel.new.page");
}

static void propose(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t report;
	int32_t expires = 0;
	const char *to[PROPOSE_MAX];
	size_t nto = 0;
	if (num_parse_id(form_get(in->form, "report"), &report) != 0)
		return desk_reg_fail(out, 404);
	for (size_t i = 0; i < in->form->count && nto < PROPOSE_MAX; i++)
		if (strcmp(in->form->fields[i].name, "to") == 0)
			to[nto++] = in->form->fields[i].value;
	const char *marking = form_get(in->form, "marking");
	const char *purpose = form_get(in->form, "purpose");
	const char *exp = form_get(in->form, "expires");
	struct release_error err = {{0}};
	enum release_result rc = RELEASE_BAD_INPUT;
	const char *note = "desk.reg.refused";
	if (nto == 0)
		note = "desk.rel.new.no_recipient";
	else if (exp == NULL || day_parse(exp, &expires) != 0)
		note = "desk.rel.new.bad_expiry";
	else if (purpose == NULL || purpose[0] == 0)
		note = "desk.rel.new.no_purpose";
	else {
		struct release_proposal p = {.report = report,
		                             .marking = marking && marking[0] ? marking : NULL,
		                             .purpose = purpose,
		                             .expiry_day = expires,
		                             .recipients = to,
		                             .nrecipients = nto};
		store_id id = 0;
		rc = release_propose(in->reg, in->key, &p, &id, &err);
		if (rc == RELEASE_OK) {
			(void)desk_reg_redirect(out, "/release?id=", id, "&done=proposed");
			return;
		}
		if (rc == RELEASE_NOT_FOUND || rc == RELEASE_FAILED)
			return desk_reg_fail(out, desk_release_status(rc));
	}
	new_page(in, out, report, note, err.msg[0] ? err.msg : NULL, desk_release_status(rc));
}

/* ---- one release ---- */

struct shown {
	struct w *w;
	const struct desk_reg_in *in;
	bool proposer_is_me; /* the viewer proposed it */
	char state[16];
	store_id id;
	struct release_copy_view *copies;
	bool *no_key; /* by copy: its recipient has no age recipient (a passphrase) */
	size_t ncopies;
	int failed;
};

static void row(struct w *w, const char *key, const char *id)
{
	raw(w, "<tr><th scope=\"row\">");
	text(w, key);
	raw(w, "</th><td");
	if (id != NULL) {
		raw(w, " id=\"");
		raw(w, id);
		raw(w, "\"");
	}
	raw(w, ">");
}

static int show_view(void *ctx, const struct release_view *v)
{
	struct shown *s = ctx;
	struct w *w = s->w;
	char id_s[24];
	int n = snprintf(id_s, sizeof id_s, "%lld", (long long)v->row.id);
	if (n < 0 || (size_t)n >= sizeof id_s)
		w->failed = 1;
	raw(w, "<h1>");
	text_vars(w, "desk.rel.show.title", (const char *const[]){"id", id_s, NULL});
	raw(w, " ");
	state_badge(w, v->state);
	raw(w, "</h1><table id=\"release\"><tbody>");
	row(w, "desk.rel.report", NULL);
	report_link(w, v->row.report);
	row(w, "desk.reg.marking", "rel-marking");
	raw(w, "<span class=\"marking\">");
	esc_str(w, v->row.marking);
	raw(w, "</span></td></tr>");
	row(w, "desk.rel.purpose", "rel-purpose");
	esc_str(w, v->row.purpose);
	raw(w, "</td></tr>");
	row(w, "desk.rel.proposer", "rel-proposer");
	esc_str(w, v->proposer);
	raw(w, " · ");
	day(w, v->row.day);
	raw(w, "</td></tr>");
	row(w, "desk.rel.expires", NULL);
	day(w, v->row.expiry_day);
	raw(w, "</td></tr>");
	if (v->row.decider > 0) {
		row(w, "desk.rel.decider", "rel-decider");
		esc_str(w, v->decider);
		raw(w, " · ");
		day(w, v->row.decided_day);
		raw(w, "</td></tr>");
	}
	if (v->row.state == STORE_RELEASE_REFUSED) {
		row(w, "desk.rel.reason", "refusal-reason");
		esc_str(w, v->row.reason);
		raw(w, "</td></tr>");
	}
	if (v->row.nslots > 0) {
		row(w, "desk.rel.slots", NULL);
		u64(w, v->row.nslots);
		raw(w, "</td></tr>");
	}
	raw(w, "</tbody></table>");
	s->proposer_is_me = strcmp(v->proposer, s->in->officer) == 0;
	snprintf(s->state, sizeof s->state, "%s", v->state);
	s->id = v->row.id;
	if (v->ncopies > 0) {
		s->copies = calloc(v->ncopies, sizeof *s->copies);
		s->no_key = calloc(v->ncopies, sizeof *s->no_key);
		if (s->copies == NULL || s->no_key == NULL) {
			s->failed = 1;
			return 1;
		}
		memcpy(s->copies, v->copies, v->ncopies * sizeof *s->copies);
		s->ncopies = v->ncopies;
	}
	return 0;
}

static int decision_row(void *ctx, const struct release_decision_view *d)
{
	struct shown *s = ctx;
	struct w *w = s->w;
	for (size_t i = 0; i < s->ncopies; i++)
		if (s->copies[i].recipient == d->recipient.id)
			s->no_key[i] = d->recipient.age_recipient[0] == '\0';
	raw(w, "<tr class=\"decision\" data-allowed=\"");
	raw(w, d->allowed ? "1" : "0");
	raw(w, "\"><td><a href=\"/recipient?name=");
	desk_reg_query_value(w, d->recipient.name);
	raw(w, "\">");
	esc_str(w, d->recipient.name);
	raw(w, "</a></td><td>");
	esc_str(w, d->recipient.org);
	raw(w, "</td><td>");
	el(w,
	   d->allowed ? "<span class=\"state state-approved\">"
	              : "<span class=\"state "
	                "state-refused\">",
	   d->allowed ? "desk.rel.allowed" : "desk.rel.not_allowed", "</span>");
	raw(w, "</td><td class=\"reason\">");
	esc_str(w, d->reason);
	raw(w, "</td></tr>");
	return 0;
}

static void decide_forms(struct w *w, const struct desk_reg_in *in, const struct shown *s)
{
	if (strcmp(s->state, "proposed") != 0)
		return;
	el(w, "<h2>", "desk.rel.decide", "</h2>");
	if (!(in->roles & ROLE_RELEASING)) {
		el(w, "<p class=\"notice\" id=\"two-person\">", "desk.rel.needs_role", "</p>");
		return;
	}
	if (s->proposer_is_me) {
		el(w, "<p class=\"notice\" id=\"two-person\">", "desk.rel.own", "</p>");
	} else {
		el(w, "<p class=\"muted\">", "desk.rel.approve_text", "</p>");
		raw(w, "<form method=\"post\" action=\"/release/approve\" id=\"approve-form\">");
		csrf_field(w, in->csrf);
		id_field(w, "id", s->id);
		el(w, "<p><button id=\"approve\" type=\"submit\">", "desk.rel.approve",
		   "</button></p></form>");
	}
	raw(w, "<form method=\"post\" action=\"/release/refuse\" id=\"refuse-form\">");
	csrf_field(w, in->csrf);
	id_field(w, "id", s->id);
	el(w, "<label for=\"refuse-reason\">", "desk.rel.reason", "</label>");
	raw(w, "<textarea id=\"refuse-reason\" name=\"reason\" maxlength=\"400\" required>"
	       "</textarea>");
	el(w, "<p><button class=\"danger\" id=\"refuse\" type=\"submit\">", "desk.rel.refuse",
	   "</button></p></form>");
}

static void copies_table(struct w *w, const struct desk_reg_in *in, const struct shown *s)
{
	static const char *const forms[] = {"text", "markdown", "age", "pdf"};
	static const char *const keys[] = {"desk.rel.form.text", "desk.rel.form.markdown",
	                                   "desk.rel.form.age", "desk.rel.form.pdf"};
	if (strcmp(s->state, "approved") != 0 || s->ncopies == 0)
		return;
	el(w, "<h2>", "desk.rel.copies", "</h2>");
	el(w, "<p class=\"muted\">", "desk.rel.copies_text", "</p>");
	raw(w, "<table id=\"copies\"><thead><tr>");
	el(w, "<th scope=\"col\">", "desk.rel.copy", "</th>");
	el(w, "<th scope=\"col\">", "desk.rel.rcp.name", "</th>");
	el(w, "<th scope=\"col\">", "desk.rel.download", "</th></tr></thead><tbody>");
	for (size_t i = 0; i < s->ncopies; i++) {
		const struct release_copy_view *c = &s->copies[i];
		bool no_key = s->no_key[i];
		raw(w, "<tr class=\"copy\" data-recipient=\"");
		esc_str(w, c->name);
		raw(w, "\"><td>");
		u64(w, c->number);
		raw(w, "</td><td>");
		esc_str(w, c->name);
		raw(w,
		    "</td><td><form method=\"post\" action=\"/release/export\" class=\"export\">");
		csrf_field(w, in->csrf);
		id_field(w, "id", s->id);
		id_field(w, "n", c->number);
		raw(w, "<input type=\"hidden\" name=\"recipient\" value=\"");
		esc_str(w, c->name);
		raw(w, "\">");
		if (no_key) {
			raw(w, "<label for=\"pass-");
			u64(w, c->number);
			raw(w, "\">");
			text(w, "desk.rel.passphrase");
			raw(w, "</label><input type=\"password\" autocomplete=\"new-password\" "
			       "name=\"passphrase\" maxlength=\"1024\" id=\"pass-");
			u64(w, c->number);
			raw(w, "\"> ");
		}
		for (size_t k = 0; k < 4; k++) {
			raw(w, "<button class=\"link\" type=\"submit\" name=\"form\" value=\"");
			raw(w, forms[k]);
			raw(w, "\">");
			text(w, keys[k]);
			raw(w, "</button> ");
		}
		raw(w, "</form></td></tr>");
	}
	raw(w, "</tbody></table>");
}

static void show_page(const struct desk_reg_in *in, struct desk_reg_out *out, int64_t id,
                      const char *note, const char *msg, int good, unsigned status)
{
	struct w w = {out->body, in->lang, 0};
	struct shown s = {.w = &w, .in = in};
	if (note != NULL)
		desk_reg_notice(&w, note, msg, good);
	enum release_result rc = release_show(in->reg, in->key, id, show_view, &s);
	if (rc == RELEASE_OK && !s.failed) {
		el(&w, "<h2>", "desk.rel.decisions", "</h2>");
		el(&w, "<p class=\"muted\">", "desk.rel.decisions_text", "</p>");
		raw(&w, "<table id=\"decisions\"><thead><tr>");
		el(&w, "<th scope=\"col\">", "desk.rel.rcp.name", "</th>");
		el(&w, "<th scope=\"col\">", "desk.rel.rcp.org", "</th>");
		el(&w, "<th scope=\"col\">", "desk.rel.decision", "</th>");
		el(&w, "<th scope=\"col\">", "desk.rel.why", "</th></tr></thead><tbody>");
		rc = release_decisions(in->reg, in->key, id, decision_row, &s);
		raw(&w, "</tbody></table>");
	}
	if (rc == RELEASE_OK && !s.failed) {
		decide_forms(&w, in, &s);
		copies_table(&w, in, &s);
		el(&w, "<p><a id=\"back\" href=\"/releases\">", "desk.rel.back", "</a></p>");
	}
	free(s.copies);
	free(s.no_key);
	if (rc != RELEASE_OK || s.failed)
		return desk_reg_fail(out, s.failed ? 500 : desk_release_status(rc));
	desk_reg_finish(&w, out, status, "desk.rel.show.page");
}

static void show(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(in->query(in->qctx, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	const char *done = in->query(in->qctx, "done");
	const char *key = NULL;
	if (done != NULL)
		key = strcmp(done, "proposed") == 0   ? "desk.rel.done.proposed"
		      : strcmp(done, "approved") == 0 ? "desk.rel.done.approved"
		      : strcmp(done, "refused") == 0  ? "desk.rel.done.refused"
		                                      : NULL;
	show_page(in, out, id, key, NULL, 1, 200);
}

static void decide(enum desk_reg_route rt, const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(form_get(in->form, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	struct release_error err = {{0}};
	enum release_result rc;
	if (rt == DR_RELEASE_APPROVE) {
		rc = release_approve(in->reg, in->key, id, &err);
	} else {
		const char *why = form_get(in->form, "reason");
		rc = why == NULL ? RELEASE_BAD_INPUT
		                 : release_refuse(in->reg, in->key, id, why, &err);
	}
	if (rc == RELEASE_OK) {
		(void)desk_reg_redirect(out, "/release?id=", id,
		                        rt == DR_RELEASE_APPROVE ? "&done=approved"
		                                                 : "&done=refused");
		return;
	}
	if (rc == RELEASE_NOT_FOUND || rc == RELEASE_FAILED)
		return desk_reg_fail(out, desk_release_status(rc));
	show_page(in, out, id, "desk.reg.refused", err.msg[0] ? err.msg : release_strerror(rc), 0,
	          desk_release_status(rc));
}

/* ---- a copy downloaded ---- */

static void export_copy(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	static const char *const ext[] = {"txt", "md", "md.age", "pdf"};
	static const char *const type[] = {"text/plain; charset=utf-8",
	                                   "text/markdown; charset=utf-8",
	                                   "application/octet-stream", "application/pdf"};
	int64_t id, number;
	struct release_export ex = {0};
	if (num_parse_id(form_get(in->form, "id"), &id) != 0 ||
	    num_parse_id(form_get(in->form, "n"), &number) != 0 ||
	    release_form_parse(form_get(in->form, "form"), &ex.form) != 0 ||
	    (ex.recipient = form_get(in->form, "recipient")) == NULL)
		return desk_reg_fail(out, 400);
	const char *pass = form_get(in->form, "passphrase");
	ex.release = id;
	if (pass != NULL && pass[0] != 0 && ex.form == RELEASE_FORM_AGE) {
		ex.passphrase = pass; /* the door wipes the form's storage */
		ex.passphrase_len = strlen(pass);
	}
	struct release_error err = {{0}};
	buf_reset(out->body);
	enum release_result rc = release_export(in->reg, in->key, &ex, out->body, &err);
	if (rc == RELEASE_OK) {
		int n = snprintf(out->filename, sizeof out->filename, "release-%lld-copy-%lld.%s",
		                 (long long)id, (long long)number, ext[ex.form]);
		if (n < 0 || (size_t)n >= sizeof out->filename)
			return desk_reg_fail(out, 500);
		out->download_type = type[ex.form];
		out->status = 200;
		return;
	}
	buf_reset(out->body);
	if (rc == RELEASE_NOT_FOUND || rc == RELEASE_FAILED)
		return desk_reg_fail(out, desk_release_status(rc));
	show_page(in, out, id, "desk.reg.refused", err.msg[0] ? err.msg : release_strerror(rc), 0,
	          desk_release_status(rc));
}

void desk_release_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                         struct desk_reg_out *out)
{
	int64_t report;
	switch (rt) {
	case DR_RELEASES:
		return list_page(in, out);
	case DR_RELEASE:
		return show(in, out);
	case DR_RELEASE_NEW:
		if (num_parse_id(in->query(in->qctx, "report"), &report) != 0)
			return desk_reg_fail(out, 404);
		return new_page(in, out, report, NULL, NULL, 200);
	case DR_RELEASE_PROPOSE:
		return propose(in, out);
	case DR_RELEASE_APPROVE:
	case DR_RELEASE_REFUSE:
		return decide(rt, in, out);
	case DR_RELEASE_EXPORT:
		return export_copy(in, out);
	default:
		return desk_reg_fail(out, 404);
	}
}
