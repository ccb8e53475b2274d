/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * The desk's ledger view: entries newest first, or a search by action, actor,
 * object and days (core/registry/ledger_view.h decides what each officer sees
 * and what matches); actions named in the officer's language.
 */
#include "app/desk/desk_internal.h"
#include "app/desk/desk_reg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/web/http.h"
#include "app/web/markup.h"
#include "core/ledger/ledger.h"
#include "core/registry/ledger_view.h"
#include "core/witness/witness.h"
#include "lib/day.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

/* An action in the officer's language, its name kept in the title. */
static void action_cell(struct w *w, enum ledger_action a)
{
	const char *name = ledger_action_name(a);
	char key[96];
	int k = snprintf(key, sizeof key, "desk.ledger.a.%s", name != NULL ? name : "");
	raw(w, "<td><span title=\"");
	esc_str(w, name != NULL ? name : "");
	raw(w, "\" data-action=\"");
	esc_str(w, name != NULL ? name : "");
	raw(w, "\">");
	if (name != NULL && k > 0 && (size_t)k < sizeof key && i18n_get(w->lang, key) != NULL)
		text(w, key);
	else
		esc_str(w, name != NULL ? name : "?");
	raw(w, "</span></td>");
}

/* The query of the current search, for the "older" link (each value percent-encoded). */
static void search_query(struct w *w, const struct ledger_filter *f)
{
	char day[DAY_STRLEN];
	if (f->action >= 0) {
		raw(w, "&amp;action=");
		desk_reg_query_value(w, ledger_action_name((enum ledger_action)f->action));
	}
	if (f->actor[0]) {
		raw(w, "&amp;actor=");
		desk_reg_query_value(w, f->actor);
	}
	if (f->object[0]) {
		raw(w, "&amp;object=");
		desk_reg_query_value(w, f->object);
	}
	if (f->day_from) {
		day_format(f->day_from, day);
		raw(w, "&amp;from=");
		raw(w, day);
	}
	if (f->day_to) {
		day_format(f->day_to, day);
		raw(w, "&amp;to=");
		raw(w, day);
	}
}

static void day_input(struct w *w, const char *id, const char *key, int32_t d)
{
	char day[DAY_STRLEN] = "";
	if (d)
		day_format(d, day);
	raw(w, "<div><label for=\"");
	raw(w, id);
	raw(w, "\">");
	text(w, key);
	raw(w, "</label><input type=\"date\" id=\"");
	raw(w, id);
	raw(w, "\" name=\"");
	raw(w, id + 2); /* "l-from" -> "from" */
	raw(w, "\" value=\"");
	raw(w, day);
	raw(w, "\"></div>");
}

static void search_form(struct w *w, const struct ledger_filter *f)
{
	raw(w, "<form method=\"get\" action=\"/ledger\" id=\"ledger-search\" class=\"search\">");
	el(w, "<h2>", "desk.ledger.search", "</h2>");
	el(w, "<div><label for=\"l-action\">", "desk.ledger.action", "</label>");
	raw(w, "<select id=\"l-action\" name=\"action\"><option value=\"\">");
	text(w, "desk.ledger.any");
	raw(w, "</option>");
	for (int a = 0; a < (int)LEDGER_ACTION_COUNT; a++) {
		const char *name = ledger_action_name((enum ledger_action)a);
		char key[96];
		int k = snprintf(key, sizeof key, "desk.ledger.a.%s", name);
		raw(w, "<option value=\"");
		esc_str(w, name);
		raw(w, a == f->action ? "\" selected>" : "\">");
		if (k > 0 && (size_t)k < sizeof key && i18n_get(w->lang, key) != NULL)
			text(w, key);
		else
			esc_str(w, name);
		raw(w, "</option>");
	}
	raw(w, "</select></div>");
	el(w, "<div><label for=\"l-actor\">", "desk.ledger.actor", "</label>");
	raw(w, "<input type=\"text\" id=\"l-actor\" name=\"actor\" maxlength=\"64\" value=\"");
	esc_str(w, f->actor);
	raw(w, "\"></div>");
	el(w, "<div><label for=\"l-object\">", "desk.ledger.object", "</label>");
	raw(w, "<input type=\"text\" id=\"l-object\" name=\"object\" maxlength=\"64\" value=\"");
	esc_str(w, f->object);
	raw(w, "\"></div>");
	day_input(w, "l-from", "desk.ledger.from", f->day_from);
	day_input(w, "l-to", "desk.ledger.to", f->day_to);
	el(w, "<p class=\"muted\">", "desk.ledger.hint", "</p>");
	el(w, "<p><button type=\"submit\" id=\"ledger-find\">", "desk.ledger.find", "</button> ");
	el(w, "<a href=\"/ledger\" id=\"ledger-clear\">", "desk.ledger.clear", "</a></p></form>");
}

struct view {
	uint64_t size, from;
	const char *checkpoint;
	const struct ledger_view_row *rows;
	size_t n;
	const struct ledger_filter *f;
	bool searching;
};

/*
 * Who cosigned the checkpoint note: the name of every signature line ("— NAME
 * base64") other than the log's own (its origin, the note's first line).
 * The witnesses' signatures are checked where they are kept
 * (witness_cosig_keep) and by `cutout ledger verify-checkpoint --quorum`.
 */
static void cosigners(struct w *w, const char *note)
{
	static const char dash[] = "\xe2\x80\x94 ";
	size_t olen = strcspn(note, "\n"), n = 0;
	for (const char *p = strstr(note, "\n\n"); p != NULL; p = strchr(p + 1, '\n')) {
		const char *name = p + 1;
		if (strncmp(name, dash, sizeof dash - 1) != 0)
			continue;
		name += sizeof dash - 1;
		size_t len = strcspn(name, " \n");
		if (len == olen && memcmp(name, note, len) == 0)
			continue;
		if (n++ == 0) {
			raw(w, "<p id=\"cosigned\">");
			text(w, "desk.ledger.cosigned");
			raw(w, " ");
		} else {
			raw(w, ", ");
		}
		raw(w, "<span class=\"witness\">");
		esc(w, name, len);
		raw(w, "</span>");
	}
	if (n > 0)
		raw(w, "</p>");
	else
		el(w, "<p class=\"muted\" id=\"cosigned-none\">", "desk.ledger.cosigned_none",
		   "</p>");
}

static void render(struct w *w, const struct view *v)
{
	char n[32], day[DAY_STRLEN];
	el(w, "<h1>", "desk.ledger.title", "</h1>");
	int k = snprintf(n, sizeof n, "%" PRIu64, v->size);
	if (k < 0 || (size_t)k >= sizeof n) {
		w->failed = 1;
		return;
	}
	raw(w, "<p id=\"ledger-size\" data-size=\"");
	raw(w, n);
	raw(w, "\">");
	text_vars(w, "desk.ledger.size", (const char *const[]){"n", n, NULL});
	raw(w, "</p>");
	search_form(w, v->f);
	if (v->searching) {
		k = snprintf(n, sizeof n, "%" PRIu64, v->from);
		raw(w, "<p id=\"ledger-found\">");
		text_vars(w, "desk.ledger.found", (const char *const[]){"n", n, NULL});
		raw(w, "</p>");
		if (v->n == 0)
			el(w, "<p class=\"muted\" id=\"ledger-none\">", "desk.ledger.none", "</p>");
	}
	raw(w, "<table id=\"ledger\"><thead><tr>");
	static const char *const cols[] = {"desk.ledger.index",  "desk.ledger.day",
	                                   "desk.ledger.action", "desk.ledger.actor",
	                                   "desk.ledger.object", "desk.ledger.marking",
	                                   "desk.ledger.detail"};
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
		el(w, "<th>", cols[i], "</th>");
	raw(w, "</tr></thead><tbody>");
	for (size_t i = 0; i < v->n; i++) {
		const struct ledger_view_row *r = &v->rows[i];
		day_format(r->e.day, day);
		raw(w, r->shown ? "<tr class=\"entry\" data-index=\""
		                : "<tr class=\"entry hidden\" data-index=\"");
		u64(w, r->e.index);
		raw(w, "\"><td>");
		u64(w, r->e.index);
		raw(w, "</td><td>");
		esc_str(w, day);
		raw(w, "</td>");
		if (!r->shown) {
			el(w, "<td colspan=\"5\" class=\"muted\">", "desk.ledger.hidden",
			   "</td></tr>");
			continue;
		}
		action_cell(w, r->e.action);
		const char *fields[] = {r->e.actor, r->e.object, r->e.marking, r->e.detail};
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
			raw(w, "<td>");
			esc_str(w, fields[f]);
			raw(w, "</td>");
		}
		raw(w, "</tr>");
	}
	raw(w, "</tbody></table>");
	if (v->from > 0) {
		raw(w, "<p><a id=\"older\" href=\"/ledger?before=");
		u64(w, v->from);
		search_query(w, v->f);
		el(w, "\">", v->searching ? "desk.ledger.more" : "desk.ledger.older", "</a></p>");
	}
	el(w, "<h2>", "desk.ledger.checkpoint", "</h2>");
	if (v->checkpoint != NULL) {
		raw(w, "<pre class=\"message\" id=\"checkpoint\">");
		esc_str(w, v->checkpoint);
		raw(w, "</pre>");
		cosigners(w, v->checkpoint);
	} else {
		el(w, "<p class=\"muted\" id=\"checkpoint-none\">", "desk.ledger.no_checkpoint",
		   "</p>");
	}
}

/* The search from the query: 0, or -1 (a 400). */
static int parse_filter(struct MHD_Connection *c, struct ledger_filter *f)
{
	memset(f, 0, sizeof *f);
	f->action = -1;
	const char *a = http_query(c, "action"), *actor = http_query(c, "actor"),
	           *obj = http_query(c, "object"), *from = http_query(c, "from"),
	           *to = http_query(c, "to");
	if (a != NULL && a[0]) {
		enum ledger_action act;
		if (ledger_action_parse(a, strlen(a), &act) != 0)
			return -1;
		f->action = (int)act;
	}
	if ((actor != NULL && strlen(actor) > LEDGER_TOKEN_MAX) ||
	    (obj != NULL && strlen(obj) > LEDGER_TOKEN_MAX))
		return -1;
	if (actor != NULL)
		memcpy(f->actor, actor, strlen(actor) + 1);
	if (obj != NULL)
		memcpy(f->object, obj, strlen(obj) + 1);
	if ((from != NULL && from[0] && day_parse(from, &f->day_from) != 0) ||
	    (to != NULL && to[0] && day_parse(to, &f->day_to) != 0))
		return -1;
	return 0;
}

enum MHD_Result desk_ledger_view_page(struct MHD_Connection *c, struct req *r)
{
	struct desk_door *d = r->d;
	struct ledger_filter f;
	struct buf cp, body;
	uint64_t size, before = UINT64_MAX, from;
	size_t n;
	enum MHD_Result res;
	const char *bq = http_query(c, "before");
	if ((bq != NULL && (http_parse_u64(bq, &before) != 0 || before == UINT64_MAX)) ||
	    parse_filter(c, &f) != 0)
		return desk_send_error(c, r, 400);
	struct ledger_view_row *rows = calloc(PAGE_ROWS, sizeof *rows);
	if (rows == NULL)
		return desk_send_error(c, r, 500);
	buf_init(&cp, LEDGER_NOTE_MAX);
	buf_init(&body, PAGE_MAX);
	enum registry_result rr = registry_ledger_search(d->reg, r->sv.officer, before, &f, rows,
	                                                 PAGE_ROWS, &n, &size, &from);
	if (rr != REGISTRY_OK) {
		res = desk_send_error(c, r, rr == REGISTRY_BAD_INPUT ? 400 : 500);
		goto out;
	}
	enum ledger_result cr = ledger_checkpoint_latest(d->store, &cp);
	if (cr == LEDGER_OK) { /* again, with the witnesses' cosignatures kept for it */
		buf_reset(&cp);
		if (witness_cosigned_latest(d->store, &cp) != 0)
			cr = LEDGER_FAILED;
	}
	if (cr != LEDGER_OK && cr != LEDGER_NOT_FOUND) {
		res = desk_send_error(c, r, 500);
		goto out;
	}
	struct desk_page p;
	desk_page_init(r, &p);
	struct w w = {&body, i18n_is_supported(p.lang) ? p.lang : "en", 0};
	struct view v = {.size = size,
	                 .from = from,
	                 .checkpoint = cr == LEDGER_OK ? buf_str(&cp) : NULL,
	                 .rows = rows,
	                 .n = n,
	                 .f = &f,
	                 .searching = ledger_filter_active(&f)};
	render(&w, &v);
	if (w.failed) {
		res = desk_send_error(c, r, 500);
		goto out;
	}
	p.title_key = "desk.ledger.title";
	p.body_html = buf_str(&body);
	res = desk_send_page(c, r, 200, DESK_PAGE_BODY, &p);
out:
	free(rows);
	buf_release(&cp);
	buf_release(&body);
	return res;
}
