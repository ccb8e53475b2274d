/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_liaison: liaison on a report's page (issue 14): where a received
 * report came from ("from PARTNER", with the originator's marking as sent
 * and the local marking it is sealed under), its topics shown, and the form
 * that sets them (the configuration's vocabulary, ticked, not typed). Each
 * is one call of core/liaison, which decides who may read and set them.
 * And the partners page (/partners, admin or releasing, read only): each
 * partner's agreement and its last bundles sent and received, through
 * liaison_partner_list and liaison_bundles, with each bundle's items
 * withheld and their reasons (ours sent, the partner's received) in a
 * <details> (liaison_withheld).
 */
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/liaison/liaison.h"
#include "lib/day.h"
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

/* ---- the partners page (/partners): admin or releasing, read only ---- */

#define PARTNERS_SHOWN 200 /* partners are few: past this, the command line */
#define BUNDLES_SHOWN 10   /* the last bundles each way, per partner */

struct partners {
	struct store_partner *v;
	size_t n;
	bool more;
};

static int keep_partner(void *ctx, const struct store_partner *p)
{
	struct partners *ps = ctx;
	if (ps->n == PARTNERS_SHOWN) {
		ps->more = true;
		return 1;
	}
	ps->v[ps->n++] = *p;
	return 0;
}

static void cell(struct w *w, const char *v)
{
	raw(w, "<td>");
	esc_str(w, v);
	raw(w, "</td>");
}

static void cell_num(struct w *w, uint64_t v)
{
	raw(w, "<td>");
	num(w, (int64_t)(v > INT64_MAX ? INT64_MAX : v));
	raw(w, "</td>");
}

static void cell_day(struct w *w, int32_t day)
{
	char d[DAY_STRLEN];
	day_format(day, d);
	raw(w, "<td class=\"day\">");
	raw(w, d); /* YYYY-MM-DD: nothing to escape */
	raw(w, "</td>");
}

struct bundle_tables {
	struct w *w;
	const struct desk_reg_in *in;
	const char *partner;
	enum store_liaison_way open; /* the table being written; 0: none yet */
	size_t id;                   /* the partner's index, for the tables' ids */
};

#define WITHHELD_SHOWN 50 /* items withheld listed per bundle; past it, "and N more" */

static int withheld_item(void *ctx, int64_t report, const char *reason)
{
	struct w *w = ctx;
	char id[24];
	int n = snprintf(id, sizeof id, "%" PRId64, report);
	if (n < 0 || (size_t)n >= sizeof id) {
		w->failed = 1;
		return 1;
	}
	raw(w, "<li>");
	text_vars(w, "desk.li.p.withheld_item",
	          (const char *const[]){"report", id, "reason", reason, NULL});
	raw(w, "</li>");
	return 0;
}

/*
 * The cell of a bundle's items withheld: their number, and when there are
 * any, a <details> listing the first WITHHELD_SHOWN with their reasons (sent:
 * ours; received: the partner's, as its bundle said), then "and N more".
 */
static void withheld_cell(struct bundle_tables *bt, const struct liaison_bundle_row *b)
{
	struct w *w = bt->w;
	raw(w, "<td class=\"withheld\">");
	if (b->way == STORE_LIAISON_SENT && b->withheld == 0) {
		num(w, 0);
		raw(w, "</td>");
		return;
	}
	struct buf list;
	buf_init(&list, 64u * 1024);
	struct w lw = {&list, w->lang, 0};
	size_t total = 0;
	enum liaison_result r =
	        liaison_withheld(bt->in->reg, bt->in->key, bt->partner, b->way, b->seq,
	                         WITHHELD_SHOWN, withheld_item, &lw, &total);
	if (r != LIAISON_OK || lw.failed) {
		buf_release(&list);
		w->failed = 1;
		return;
	}
	if (total == 0) { /* sent before the reasons were kept, or nothing withheld */
		num(w, b->way == STORE_LIAISON_SENT ? (int64_t)b->withheld : 0);
		raw(w, "</td>");
		buf_release(&list);
		return;
	}
	char n[24];
	snprintf(n, sizeof n, "%zu", total);
	raw(w, "<details class=\"withheld-items\"><summary>");
	text_vars(w,
	          b->way == STORE_LIAISON_SENT ? "desk.li.p.withheld_summary"
	                                       : "desk.li.p.partner_withheld_summary",
	          (const char *const[]){"n", n, NULL});
	raw(w, "</summary><ul>");
	if (!w->failed && buf_append(w->b, list.data, list.len) != BUF_OK)
		w->failed = 1;
	raw(w, "</ul>");
	if (total > WITHHELD_SHOWN) {
		char more[24];
		snprintf(more, sizeof more, "%zu", total - WITHHELD_SHOWN);
		raw(w, "<p class=\"muted\">");
		text_vars(w, "desk.li.p.withheld_more", (const char *const[]){"n", more, NULL});
		raw(w, "</p>");
	}
	raw(w, "</details></td>");
	buf_release(&list);
}

static void bundle_table_open(struct bundle_tables *bt, enum store_liaison_way way)
{
	struct w *w = bt->w;
	bool sent = way == STORE_LIAISON_SENT;
	if (bt->open != 0)
		raw(w, "</tbody></table></div>");
	bt->open = way;
	raw(w, sent ? "<div class=\"scroll\"><table class=\"bundles-sent\" id=\"sent-"
	            : "<div class=\"scroll\"><table class=\"bundles-received\" id=\"received-");
	num(w, (int64_t)bt->id);
	raw(w, "\"><caption>");
	text(w, sent ? "desk.li.p.sent" : "desk.li.p.received");
	raw(w, "</caption><thead><tr>");
	el(w, "<th scope=\"col\">", "desk.li.p.seq", "</th>");
	el(w, "<th scope=\"col\">", "desk.li.p.day", "</th>");
	el(w, "<th scope=\"col\">", sent ? "desk.li.p.items_sent" : "desk.li.p.items_received",
	   "</th>");
	el(w, "<th scope=\"col\">", sent ? "desk.li.p.withheld" : "desk.li.p.partner_withheld",
	   "</th>");
	if (sent)
		el(w, "<th scope=\"col\">", "desk.li.p.receipt", "</th>");
	raw(w, "</tr></thead><tbody>");
}

static int bundle_row(void *ctx, const struct liaison_bundle_row *b)
{
	struct bundle_tables *bt = ctx;
	struct w *w = bt->w;
	if (bt->open != b->way)
		bundle_table_open(bt, b->way);
	raw(w, b->way == STORE_LIAISON_SENT ? "<tr class=\"bundle-sent\">"
	                                    : "<tr class=\"bundle-received\">");
	cell_num(w, b->seq);
	cell_day(w, b->day);
	cell_num(w, b->items);
	withheld_cell(bt, b);
	if (b->way == STORE_LIAISON_SENT) {
		raw(w, "<td>");
		if (b->receipted) {
			char d[DAY_STRLEN], acc[24], ref[24];
			day_format(b->receipted, d);
			snprintf(acc, sizeof acc, "%" PRIu32, b->accepted);
			snprintf(ref, sizeof ref, "%" PRIu32, b->refused);
			text_vars(w, "desk.li.p.receipted",
			          (const char *const[]){"day", d, "accepted", acc, "refused", ref,
			                                NULL});
		} else {
			el(w, "<span class=\"state state-refused\">", "desk.li.p.outstanding",
			   "</span>");
		}
		raw(w, "</td>");
	}
	raw(w, "</tr>");
	return 0;
}

static void partner_section(struct w *w, const struct desk_reg_in *in,
                            const struct store_partner *p, size_t i)
{
	struct bundle_tables bt = {w, in, p->name, 0, i};
	raw(w, "<section class=\"partner\" aria-labelledby=\"partner-");
	num(w, (int64_t)i);
	raw(w, "\"><h2 id=\"partner-");
	num(w, (int64_t)i);
	raw(w, "\">");
	esc_str(w, p->name);
	raw(w, "</h2>");
	enum liaison_result r =
	        liaison_bundles(in->reg, in->key, p->name, BUNDLES_SHOWN, bundle_row, &bt);
	if (r != LIAISON_OK) {
		w->failed = 1;
		return;
	}
	if (bt.open != 0)
		raw(w, "</tbody></table></div>");
	if (bt.open != STORE_LIAISON_RECEIVED) {
		el(w, "<p class=\"muted\">",
		   bt.open == 0 ? "desk.li.p.no_bundles" : "desk.li.p.none_received", "</p>");
	}
	if (p->received_seq > 0) {
		char seq[24];
		snprintf(seq, sizeof seq, "%" PRIu64, p->received_seq);
		raw(w, "<p class=\"muted\">");
		text_vars(w, "desk.li.p.last_received", (const char *const[]){"seq", seq, NULL});
		raw(w, "</p>");
	}
	raw(w, "</section>");
}

void desk_liaison_partners(const struct desk_reg_in *in, struct desk_reg_out *out)
{
	struct partners ps = {0};
	if ((ps.v = calloc(PARTNERS_SHOWN, sizeof *ps.v)) == NULL)
		return desk_reg_fail(out, 500);
	enum liaison_result r = liaison_partner_list(in->reg, in->key, keep_partner, &ps);
	if (r != LIAISON_OK) {
		free(ps.v);
		/* not admin nor releasing: the page is not there for them */
		return desk_reg_fail(out, r == LIAISON_FORBIDDEN ? 404 : 500);
	}
	struct w w = {out->body, in->lang, 0};
	el(&w, "<h1>", "desk.li.p.title", "</h1>");
	el(&w, "<p class=\"muted\">", "desk.li.p.intro", "</p>");
	if (ps.n == 0)
		el(&w, "<p id=\"no-partners\">", "desk.li.p.none", "</p>");
	else {
		raw(&w, "<div class=\"scroll\"><table id=\"partners\"><thead><tr>");
		el(&w, "<th scope=\"col\">", "desk.li.p.name", "</th>");
		el(&w, "<th scope=\"col\">", "desk.li.p.country", "</th>");
		el(&w, "<th scope=\"col\">", "desk.li.p.topics", "</th>");
		el(&w, "<th scope=\"col\">", "desk.li.p.marking", "</th>");
		el(&w, "<th scope=\"col\">", "desk.li.p.rerelease", "</th>");
		el(&w, "<th scope=\"col\">", "desk.li.p.state", "</th></tr></thead><tbody>");
		for (size_t i = 0; i < ps.n; i++) {
			const struct store_partner *p = &ps.v[i];
			raw(&w, "<tr class=\"partner\" data-name=\"");
			esc_str(&w, p->name);
			raw(&w, "\"><td><a href=\"#partner-");
			num(&w, (int64_t)i);
			raw(&w, "\">");
			esc_str(&w, p->name);
			raw(&w, "</a></td>");
			cell(&w, p->country);
			raw(&w, "<td>");
			for (const char *t = p->topics; *t != 0; t++) /* [a-z0-9-] and ',' */
				raw(&w, *t == ',' ? ", " : (char[]){*t, 0});
			raw(&w, "</td><td class=\"marking\">");
			esc_str(&w, p->marking);
			raw(&w, "</td><td>");
			text(&w, p->may_rerelease ? "desk.li.p.yes" : "desk.li.p.no");
			raw(&w, "</td><td>");
			text(&w, p->disabled ? "desk.admin.disabled" : "desk.li.p.enabled");
			raw(&w, "</td></tr>");
		}
		raw(&w, "</tbody></table></div>");
		if (ps.more)
			el(&w, "<p class=\"muted\">", "desk.li.p.more", "</p>");
		for (size_t i = 0; i < ps.n && !w.failed; i++)
			partner_section(&w, in, &ps.v[i], i);
	}
	free(ps.v);
	desk_reg_finish(&w, out, 200, "desk.li.p.title");
}
