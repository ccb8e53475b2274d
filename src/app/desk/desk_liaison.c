/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_liaison: liaison on a report's page (issue 14): where a received
 * report came from ("from PARTNER", with the originator's marking as sent
 * and the local marking it is sealed under), its topics shown, and the form
 * that sets them (the configuration's vocabulary, ticked, not typed). Each
 * is one call of core/liaison, which decides who may read and set them.
 */
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/liaison/liaison.h"
#include "lib/num.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

#define TOPIC_FIELD "topic"

/* Whether name is one of the stored form's comma-joined topics. */
static int has_topic(const char *stored, const char *name, size_t len)
{
	for (const char *p = stored; *p != 0;) {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == len && memcmp(p, name, n) == 0)
			return 1;
		p += n + (e != NULL);
	}
	return 0;
}

/* One checkbox per topic of the vocabulary ("a, b,c"), ticked when stored has it. */
static void topic_choices(struct w *w, const char *vocabulary, const char *stored)
{
	size_t n = 0;
	for (const char *p = vocabulary; p != NULL && *p != 0;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		size_t len = strcspn(p, ", \t");
		if (len == 0)
			break;
		char name[STORE_TOPICS_MAX + 1];
		if (len > STORE_TOPICS_MAX) {
			p += len;
			continue;
		}
		memcpy(name, p, len);
		name[len] = 0;
		p += len;
		if (n++ == 0)
			raw(w, "<div class=\"choices\">");
		raw(w, "<label class=\"check\"><input type=\"checkbox\" name=\"" TOPIC_FIELD
		       "\" value=\"");
		esc_str(w, name);
		raw(w, has_topic(stored, name, len) ? "\" checked> " : "\"> ");
		esc_str(w, name);
		raw(w, "</label>");
	}
	if (n > 0)
		raw(w, "</div>");
	else
		el(w, "<p class=\"muted\">", "desk.li.no_topics", "</p>");
}

/* "from PARTNER: their marking M, sealed here under L", for a received report. */
static void origin_line(struct w *w, const struct desk_reg_in *in, int64_t id)
{
	struct liaison_origin o;
	memset(&o, 0, sizeof o);
	enum liaison_result r = liaison_report_origin(in->reg, in->key, id, &o);
	if (r == LIAISON_NOT_FOUND)
		return; /* written here: nothing to say */
	if (r != LIAISON_OK) {
		w->failed = 1;
		return;
	}
	if (o.partner.name[0] == 0)
		return;
	char seq[24], remote[24];
	int a = snprintf(seq, sizeof seq, "%" PRIu64, o.seq);
	int b = snprintf(remote, sizeof remote, "%" PRId64, o.remote);
	if (a < 0 || (size_t)a >= sizeof seq || b < 0 || (size_t)b >= sizeof remote) {
		w->failed = 1;
		return;
	}
	raw(w, "<p class=\"notice\" id=\"origin\">");
	text_vars(w, "desk.li.from",
	          (const char *const[]){"partner", o.partner.name, "marking", o.marking, "local",
	                                o.local, "bundle", seq, "remote", remote, NULL});
	raw(w, "</p>");
}

void desk_liaison_report_block(struct w *w, const struct desk_reg_in *in, int64_t id)
{
	origin_line(w, in, id);
	char stored[STORE_TOPICS_MAX + 1];
	enum liaison_result r = liaison_report_topics_get(in->reg, in->key, id, stored);
	if (r != LIAISON_OK) {
		if (r != LIAISON_NOT_FOUND && r != LIAISON_CANNOT_OPEN)
			w->failed = 1;
		return;
	}
	raw(w, "<p class=\"muted\">");
	text(w, "desk.li.topics");
	raw(w, " <span id=\"topics\">");
	if (stored[0] != 0)
		for (const char *p = stored; *p != 0;
		     p++) /* [a-z0-9-] and ',': nothing to escape */
			raw(w, *p == ',' ? ", " : (char[]){*p, 0});
	else
		text(w, "desk.li.topics_none");
	raw(w, "</span></p>");
	el(w, "<details><summary>", "desk.li.topics_edit", "</summary>");
	raw(w, "<form method=\"post\" action=\"/report/topics\" id=\"topics-form\">");
	csrf_field(w, in->csrf);
	raw(w, "<input type=\"hidden\" name=\"id\" value=\"");
	num(w, id);
	raw(w, "\"><fieldset><legend>");
	text(w, "desk.li.topics_legend");
	raw(w, "</legend>");
	topic_choices(w, in->topics, stored);
	el(w, "</fieldset><p><button id=\"set-topics\" type=\"submit\">", "desk.li.topics_button",
	   "</button></p></form></details>");
}

/*
 * The ticked topics joined as the typed form liaison_topics_parse reads
 * ("a,b"; "none" when none is ticked). 0, or -1 when they do not fit.
 */
static int ticked(const struct form *f, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *x = &f->fields[i];
		if (strcmp(x->name, TOPIC_FIELD) != 0 || x->value_len == 0)
			continue;
		if (x->value_len + 2 > cap - o)
			return -1;
		if (o > 0)
			out[o++] = ',';
		memcpy(out + o, x->value, x->value_len);
		o += x->value_len;
	}
	if (o == 0)
		return snprintf(out, cap, "none") < (int)cap ? 0 : -1;
	out[o] = 0;
	return 0;
}

void desk_liaison_topics_post(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t id;
	if (num_parse_id(form_get(in->form, "id"), &id) != 0)
		return desk_reg_fail(out, 404);
	char typed[STORE_TOPICS_MAX + 1];
	struct liaison_error err = {{0}};
	enum liaison_result r = LIAISON_BAD_INPUT;
	if (ticked(in->form, typed, sizeof typed) != 0)
		snprintf(err.msg, sizeof err.msg, "too many topics");
	else
		r = liaison_report_topics_set(in->reg, in->key, in->topics, id, typed, &err);
	if (r == LIAISON_OK) {
		(void)desk_reg_redirect(out, "/report?id=", id, "&topics=1");
		return;
	}
	if (r == LIAISON_NOT_FOUND)
		return desk_reg_fail(out, 404);
	if (r == LIAISON_FAILED)
		return desk_reg_fail(out, 500);
	desk_report_page(in, out, id, "desk.reg.refused",
	                 err.msg[0] ? err.msg : liaison_strerror(r), 0,
	                 r == LIAISON_FORBIDDEN || r == LIAISON_CANNOT_OPEN ? 403 : 400);
}
