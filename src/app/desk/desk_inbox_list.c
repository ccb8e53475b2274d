/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_inbox_list: the inbox's content (the head is desk_pages.c's): the
 * views (all, starred, overdue), the filter form, the rows with each
 * source's most urgent deadline in words, and the bulk form around them.
 * The deadlines are core/inbox/deadlines.c's; this only writes them.
 */
#include "app/desk/desk_pages.h"

#include <inttypes.h>
#include <stdio.h>

#include "app/web/markup.h"

#include "lib/banned.h"

static void view_link(struct w *w, bool current, const char *href, const char *id, const char *key,
                      const char *after)
{
	if (current) {
		el(w, "<strong aria-current=\"page\">", key, "</strong>");
	} else {
		raw(w, "<a href=\"");
		raw(w, href);
		raw(w, "\" id=\"");
		raw(w, id);
		el(w, "\">", key, "</a>");
	}
	raw(w, after);
}

void desk_due_words(struct w *w, const struct inbox_due *u)
{
	char by[DAY_STRLEN], acked[DAY_STRLEN];
	day_format(u->by, by);
	day_format(u->d.acked, acked);
	const char *vars[] = {"day", by, "acked", acked, NULL};
	const char *state, *words;
	switch (u->status) {
	case DEADLINE_ACK_DUE:
	case DEADLINE_ACK_OVERDUE:
		words = "desk.due.ack";
		break;
	case DEADLINE_FEEDBACK_DUE:
	case DEADLINE_FEEDBACK_OVERDUE:
		words = "desk.due.feedback";
		break;
	default:
		words = "desk.due.done";
		break;
	}
	switch (u->status) {
	case DEADLINE_ACK_OVERDUE:
	case DEADLINE_FEEDBACK_OVERDUE:
		state = "overdue";
		break;
	case DEADLINE_DONE:
		state = "done";
		break;
	case DEADLINE_DONE_LATE:
		state = "late";
		break;
	default:
		state = "due";
		break;
	}
	raw(w, "<span class=\"due due-");
	raw(w, state);
	raw(w, "\" data-status=\"");
	raw(w, state);
	raw(w, "\" data-by=\"");
	raw(w, by);
	raw(w, "\">");
	text_vars(w, words, vars);
	raw(w, " — <strong>");
	text(w, strcmp(state, "overdue") == 0 ? "desk.due.s.overdue"
	        : strcmp(state, "done") == 0  ? "desk.due.s.done"
	        : strcmp(state, "late") == 0  ? "desk.due.s.late"
	                                      : "desk.due.s.due");
	raw(w, "</strong></span>");
}

static void row(struct w *w, const struct desk_page *p, size_t i)
{
	const struct store_desk_source *s = &p->sources[i];
	char id[32];
	int n = snprintf(id, sizeof id, "%" PRId64, s->src.id);
	if (n < 0 || (size_t)n >= sizeof id) {
		w->failed = 1;
		return;
	}
	const char *vars[] = {"id", id, NULL};
	raw(w, s->src.nunread > 0 ? "<tr class=\"source unread\">" : "<tr class=\"source\">");
	raw(w, "<td><input type=\"checkbox\" name=\"id\" value=\"");
	raw(w, id);
	raw(w, "\" id=\"pick-");
	raw(w, id);
	raw(w, "\" aria-label=\"");
	text_vars(w, "desk.source.name", vars);
	raw(w, "\"></td><td>");
	if (s->starred)
		raw(w, "<span title=\"starred\" class=\"star\">★</span> ");
	raw(w, "<a href=\"/source?id=");
	raw(w, id);
	raw(w, "\">");
	text_vars(w, "desk.source.name", vars);
	raw(w, "</a></td><td>");
	esc_str(w, s->label);
	raw(w, "</td><td>");
	num(w, s->src.nsubmissions);
	if (s->src.nunread > 0) {
		char u[32];
		n = snprintf(u, sizeof u, "%" PRId64, s->src.nunread);
		if (n < 0 || (size_t)n >= sizeof u) {
			w->failed = 1;
			return;
		}
		const char *uv[] = {"n", u, NULL};
		raw(w, " <span class=\"badge\">");
		text_vars(w, "desk.inbox.unread", uv);
		raw(w, "</span>");
	}
	raw(w, "</td><td>");
	day(w, s->src.last_day);
	raw(w, "</td><td>");
	if (p->dues != NULL && p->dues[i].source == s->src.id)
		desk_due_words(w, &p->dues[i]);
	raw(w, "</td></tr>");
}

static void table(struct w *w, const struct desk_page *p)
{
	raw(w, "<form method=\"post\" action=\"/inbox\" id=\"bulk\">");
	csrf_field(w, p->csrf);
	el(w, "<fieldset class=\"bulk\"><legend>", "desk.bulk.legend", "</legend>");
	el(w, "<span class=\"field\"><label for=\"bulk-do\">", "desk.bulk.action",
	   "</label><select id=\"bulk-do\" name=\"do\">");
	static const char *const acts[][2] = {
	        {"read", "desk.bulk.op.read"},     {"unread", "desk.bulk.op.unread"},
	        {"star", "desk.bulk.op.star"},     {"unstar", "desk.bulk.op.unstar"},
	        {"label", "desk.bulk.op.label"},   {"download", "desk.bulk.op.download"},
	        {"delete", "desk.bulk.op.delete"},
	};
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
		raw(w, "<option value=\"");
		raw(w, acts[i][0]);
		el(w, "\">", acts[i][1], "</option>");
	}
	el(w, "</select></span> <span class=\"field\"><label for=\"bulk-label\">",
	   "desk.bulk.label", "</label>");
	raw(w, "<input type=\"text\" id=\"bulk-label\" name=\"label\" maxlength=\"64\"></span> ");
	el(w, "<button type=\"submit\" id=\"bulk-go\">", "desk.bulk.button",
	   "</button></fieldset>");
	raw(w, "<table id=\"inbox\"><thead><tr>");
	el(w, "<th>", "desk.bulk.pick", "</th>");
	el(w, "<th>", "desk.inbox.source", "</th>");
	el(w, "<th>", "desk.inbox.label", "</th>");
	el(w, "<th>", "desk.inbox.submissions", "</th>");
	el(w, "<th>", "desk.inbox.last", "</th>");
	el(w, "<th>", "desk.inbox.deadline", "</th></tr></thead><tbody>");
	for (size_t i = 0; i < p->nsources && !w->failed; i++)
		row(w, p, i);
	raw(w, "</tbody></table></form>");
}

/* "4 marked read; 1 not permitted": a bulk action's result, after its redirect. */
static void bulk_notice(struct w *w, const struct desk_page *p)
{
	char key[32], d[32], f[32];
	int n = snprintf(key, sizeof key, "desk.bulk.done.%s", p->bulk_op);
	if (n < 0 || (size_t)n >= sizeof key)
		return;
	n = snprintf(d, sizeof d, "%" PRIu64, p->bulk_done);
	if (n < 0 || (size_t)n >= sizeof d)
		return;
	n = snprintf(f, sizeof f, "%" PRIu64, p->bulk_refused);
	if (n < 0 || (size_t)n >= sizeof f)
		return;
	const char *dv[] = {"n", d, NULL}, *fv[] = {"n", f, NULL};
	raw(w, "<p class=\"notice ok\" role=\"status\" id=\"bulk-result\">");
	text_vars(w, key, dv);
	if (p->bulk_refused > 0) {
		raw(w, "; ");
		text_vars(w, "desk.bulk.refused", fv);
	}
	raw(w, "</p>");
}

void desk_inbox_body(struct w *w, const struct desk_page *p)
{
	bool all = !p->starred_only && !p->overdue_only;
	el(w, "<h1>", "desk.inbox.title", "</h1>");
	if (p->bulk_op != NULL)
		bulk_notice(w, p);
	raw(w, "<p>");
	view_link(w, all, "/inbox", "all", "desk.inbox.all", " · ");
	view_link(w, p->starred_only, "/inbox?starred=1", "starred", "desk.inbox.starred", " · ");
	view_link(w, p->overdue_only, "/inbox?overdue=1", "overdue", "desk.inbox.overdue", "</p>");
	if (p->extra_html != NULL)
		raw(w, p->extra_html); /* the filter form */
	if (p->nsources == 0)
		el(w, "<p id=\"empty\">",
		   p->filtered || !all ? "desk.filter.none" : "desk.inbox.empty", "</p>");
	else
		table(w, p);
	if (p->next_cursor != NULL) {
		raw(w, "<p><a id=\"next\" href=\"/inbox?before=");
		esc_str(w, p->next_cursor);
		if (p->next_query != NULL)
			esc_str(w, p->next_query);
		el(w, "\">", "desk.next", "</a></p>");
	}
}
