/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_nav: the count of new submissions on the navigation's Inbox link
 * (issue 17 §2): the unread submissions the officer may read, as core/inbox
 * decides and bounds them (inbox_unread_count), shown as "999+" past 999
 * and said in words to a screen reader ("3 unread").
 */
#include "app/desk/desk_internal.h"

#include <inttypes.h>
#include <stdio.h>

#include "app/web/markup.h"

#include "lib/banned.h"

void desk_nav_count(struct req *r, struct desk_page *p)
{
	int64_t n = 0;
	bool more = false;
	p->nav_unread = -1; /* not shown */
	if (p->officer == NULL || !(p->roles & ROLE_INTAKE) || r->sv.key == NULL)
		return;
	if (inbox_unread_count(r->d->inbox, r->sv.key, &n, &more) != INBOX_OK)
		return; /* a busy store: the page without its count */
	if (n == 0 && more)
		return; /* none among the newest examined: the count is unknown, not zero */
	p->nav_unread = n;
	p->nav_unread_more = more;
}

#define NAV_SHOWN_MAX 999 /* past it: "999+" */

void desk_nav_inbox(struct w *w, const struct desk_page *p)
{
	char shown[32], said[32];
	int64_t n = p->nav_unread;
	bool plus = p->nav_unread_more || n > NAV_SHOWN_MAX;
	raw(w, "<a href=\"/inbox\" id=\"nav-inbox\">");
	text(w, "desk.nav.inbox");
	if (n > 0) {
		int a = snprintf(shown, sizeof shown, "%" PRId64 "%s",
		                 n > NAV_SHOWN_MAX ? (int64_t)NAV_SHOWN_MAX : n, plus ? "+" : "");
		int b = snprintf(said, sizeof said, "%" PRId64, n);
		if (a < 0 || (size_t)a >= sizeof shown || b < 0 || (size_t)b >= sizeof said) {
			w->failed = 1;
			return;
		}
		const char *vars[] = {"n", said, NULL};
		raw(w, "<span class=\"badge\" id=\"nav-unread\" aria-hidden=\"true\">");
		esc_str(w, shown);
		raw(w, "</span><span class=\"vh\"> ");
		text_vars(w, plus ? "desk.nav.unread_least" : "desk.nav.unread", vars);
		raw(w, "</span>");
	}
	raw(w, "</a>");
}
