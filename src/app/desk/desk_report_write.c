/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_report_write: the page that writes a report. The form's fields (the
 * title and its portion marking, paragraph slots of a portion marking and a
 * text each, the citations) become the typed input of core/registry
 * (struct registry_report_input) directly: a preview shows the overall
 * marking core computes (registry_report_draft), writing sends it back as the
 * declared marking, checked (registry_report_write).
 */
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/num.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

#define PARA_SLOTS 4
#define PARA_SLOTS_MAX 50

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

/* A paragraph's text with blank lines dropped and CR removed (a textarea's
 * lines end in CRLF; a blank line would end the paragraph in the text form). */
static int add_para_text(struct buf *b, const char *t)
{
	bool line_has = false;
	size_t start = b->len;
	for (const char *p = t; p != NULL && *p != 0; p++) {
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

/* The form as the typed input of core/registry: unused slots skipped, the
 * texts of the others cleaned into clean (which must outlive in). 0 or -1. */
static int draft_input(const struct draft_form *d, struct buf *clean,
                       struct registry_input_para paras[static PARA_SLOTS_MAX],
                       struct registry_report_input *in)
{
	size_t off[PARA_SLOTS_MAX], n = 0;
	memset(in, 0, sizeof *in);
	for (size_t i = 0; i < d->npara; i++) {
		if (blank_str(d->pt[i]) && blank_str(d->pm[i]))
			continue; /* an unused slot */
		off[n] = clean->len;
		if (add_para_text(clean, d->pt[i]) != 0)
			return -1;
		paras[n] = (struct registry_input_para){.portion = d->pm[i],
		                                        .portion_len = strlen(d->pm[i]),
		                                        .len = clean->len - off[n]};
		n++;
	}
	for (size_t i = 0; i < n; i++) /* clean no longer moves */
		paras[i].text = (const char *)clean->data + off[i];
	const char *tm = d->tm != NULL ? d->tm : "", *title = d->title != NULL ? d->title : "";
	in->title = (struct registry_input_para){tm, strlen(tm), title, strlen(title)};
	in->paras = paras;
	in->nparas = n;
	in->declared = d->declared;
	return 0;
}

static void write_form(struct w *w, const struct desk_reg_in *in, const struct draft_form *d,
                       const char *overall, size_t slots)
{
	el(w, "<h1>", "desk.reg.write.title", "</h1>");
	el(w, "<p class=\"muted\">", "desk.reg.write.help", "</p>");
	raw(w, "<form method=\"post\" action=\"/report/new\" id=\"write-form\">");
	csrf_field(w, in->csrf);
	el(w, "<label for=\"tm\">", "desk.reg.write.title_marking", "</label>");
	desk_reg_markings(w, in->reg);
	desk_reg_input(w, "tm", "tm", d->tm, "maxlength=\"255\" list=\"markings\" required");
	el(w, "<label for=\"title\">", "desk.reg.write.report_title", "</label>");
	desk_reg_input(w, "title", "title", d->title, "maxlength=\"512\" required");
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
		desk_reg_input(w, id, "pm", i < d->npara ? d->pm[i] : "",
		               "maxlength=\"255\" list=\"markings\"");
		raw(w, "<textarea name=\"pt\" id=\"pt");
		num(w, (int64_t)i);
		raw(w, "\" aria-label=\"text\">");
		if (i < d->npara)
			esc_str(w, d->pt[i]);
		raw(w, "</textarea></fieldset>");
	}
	el(w, "<label for=\"cite\">", "desk.reg.write.cite", "</label>");
	desk_reg_input(w, "cite", "cite", d->cite,
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
		   "desk.reg.write.button", "</button> ");
	/* more paragraphs: the same form posted back, so nothing typed is lost */
	if (slots < PARA_SLOTS_MAX)
		el(w,
		   "<button id=\"more\" class=\"link\" type=\"submit\" name=\"action\" "
		   "value=\"more\" formnovalidate>",
		   "desk.reg.write.more", "</button>");
	raw(w, "</p></form>");
}

void desk_report_new(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	int64_t slots = PARA_SLOTS;
	const char *s = in->query(in->qctx, "slots");
	if (s != NULL && (num_parse_id(s, &slots) != 0 || slots > PARA_SLOTS_MAX))
		return desk_reg_fail(out, 400);
	struct draft_form d;
	memset(&d, 0, sizeof d);
	struct w w = {out->body, in->lang, 0};
	write_form(&w, in, &d, NULL, (size_t)slots);
	desk_reg_finish(&w, out, 200, "desk.reg.write.title");
}

void desk_report_write(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	struct draft_form d;
	draft_from_form(in->form, &d);
	size_t slots = d.npara > PARA_SLOTS ? d.npara : PARA_SLOTS;
	const char *action = form_get(in->form, "action");
	bool write = action != NULL && strcmp(action, "write") == 0;
	if (action != NULL && strcmp(action, "more") == 0) {
		struct w mw = {out->body, in->lang, 0};
		write_form(&mw, in, &d, NULL,
		           slots + PARA_SLOTS > PARA_SLOTS_MAX ? PARA_SLOTS_MAX
		                                               : slots + PARA_SLOTS);
		desk_reg_finish(&mw, out, 200, "desk.reg.write.title");
		return;
	}
	struct buf clean;
	buf_init(&clean, REGISTRY_TEXT_MAX);
	struct registry_input_para paras[PARA_SLOTS_MAX];
	struct registry_report_input input;
	struct registry_report *rep = NULL;
	struct registry_error err = {{0}};
	struct registry_cite cites[REGISTRY_CITES_MAX];
	struct w w = {out->body, in->lang, 0};
	unsigned status = 200;
	const char *overall = NULL;
	enum registry_result rc;

	if (draft_input(&d, &clean, paras, &input) != 0) {
		desk_reg_notice(&w, "desk.reg.refused", registry_strerror(REGISTRY_BAD_INPUT), 0);
		status = 400;
		goto form;
	}
	rc = registry_report_draft(in->reg, &input, &rep, &err);
	if (rc != REGISTRY_OK) {
		desk_reg_notice(&w, "desk.reg.refused", err.msg, 0);
		status = rc == REGISTRY_FAILED ? 500 : 400;
		goto form;
	}
	overall = rep->marking_text;
	if (registry_cites_parse(d.cite, cites, REGISTRY_CITES_MAX, &input.ncites) != REGISTRY_OK) {
		desk_reg_notice(&w, "desk.reg.write.bad_cite", NULL, 0);
		status = 400;
		goto form;
	}
	input.cites = cites;
	if (!write)
		goto form; /* the preview: the computed overall marking, to check */
	if (d.declared == NULL || d.declared[0] == 0) {
		desk_reg_notice(&w, "desk.reg.write.check", NULL, 0);
		status = 400;
		goto form;
	}
	struct registry_written done = {0};
	rc = registry_report_write(in->reg, in->key, &input, &done, &err);
	if (rc == REGISTRY_OK) {
		registry_report_free(&rep);
		buf_wipe_release(&clean);
		buf_reset(out->body);
		(void)desk_reg_redirect(out, "/report?id=", done.id, "");
		return;
	}
	desk_reg_notice(&w, "desk.reg.refused", err.msg[0] ? err.msg : registry_strerror(rc), 0);
	status = rc == REGISTRY_FAILED      ? 500
	         : rc == REGISTRY_FULL      ? 507
	         : rc == REGISTRY_FORBIDDEN ? 403
	                                    : 400;
form:
	write_form(&w, in, &d, overall, slots);
	registry_report_free(&rep);
	buf_wipe_release(&clean);
	desk_reg_finish(&w, out, status, "desk.reg.write.title");
}
