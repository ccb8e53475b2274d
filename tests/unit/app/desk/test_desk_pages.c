/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_desk_pages: a source's conversation paged (desk_pages.c): every reply
 * is on exactly one page, those dated between two pages' submissions too,
 * each in day order among the submissions. The navigation's count of new
 * submissions (desk_nav.c): shown to the intake role only, "999+" past 999,
 * said in words to a screen reader.
 */
#include <stdio.h>
#include <string.h>

#include "app/desk/desk_pages.h"
#include "t.h"

#include "lib/banned.h"

/* How many reply rows of the page show day d. */
static int replies_of_day(const char *html, const char *d)
{
	char pat[96];
	snprintf(pat, sizeof pat, "\"><td>Reply</td><td>%s</td>", d);
	int n = 0;
	for (const char *p = strstr(html, pat); p != NULL; p = strstr(p + 1, pat))
		n++;
	return n;
}

static void render(const struct store_submission *subs, size_t n, store_id next, bool first,
                   int32_t newer_day, const struct store_reply *rs, size_t nr, struct buf *out)
{
	static struct store_desk_source src = {.src = {.id = 7}};
	struct desk_page p = {.lang = "en",
	                      .org = "t",
	                      .csrf = "x",
	                      .officer = "o",
	                      .source = &src,
	                      .subs = subs,
	                      .nsubs = n,
	                      .next = next,
	                      .replies = rs,
	                      .nreplies = nr,
	                      .first_page = first,
	                      .newer_day = newer_day};
	buf_reset(out);
	T_CHECK(desk_page_render(out, DESK_PAGE_SOURCE, &p) == 0);
}

/* The inbox page's header with the count n (more: a lower bound), for roles. */
static void nav(int64_t n, bool more, unsigned roles, struct buf *out)
{
	struct desk_page p = {.lang = "en",
	                      .org = "t",
	                      .csrf = "x",
	                      .officer = "o",
	                      .roles = roles,
	                      .nav_unread = n,
	                      .nav_unread_more = more};
	buf_reset(out);
	T_CHECK(desk_page_render(out, DESK_PAGE_INBOX, &p) == 0);
}

static void test_nav(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	nav(3, false, ROLE_INTAKE, &b);
	T_OK(strstr(buf_str(&b), ">Inbox<span class=\"badge\" id=\"nav-unread\" "
	                         "aria-hidden=\"true\">3</span><span class=\"vh\"> 3 unread"
	                         "</span></a>") != NULL,
	     "3 new: a badge hidden from screen readers, and \"3 unread\" in words");
	nav(1000, true, ROLE_INTAKE, &b);
	T_OK(strstr(buf_str(&b), "aria-hidden=\"true\">999+</span>") != NULL &&
	             strstr(buf_str(&b), "at least 1000 unread") != NULL,
	     "the cap: 999+, \"at least 1000 unread\"");
	nav(12, true, ROLE_INTAKE, &b);
	T_OK(strstr(buf_str(&b), ">12+</span>") != NULL &&
	             strstr(buf_str(&b), "at least 12 unread") != NULL,
	     "a lower bound below the cap: 12+");
	nav(0, false, ROLE_INTAKE, &b);
	T_OK(strstr(buf_str(&b), "id=\"nav-inbox\">Inbox</a>") != NULL &&
	             strstr(buf_str(&b), "nav-unread") == NULL,
	     "none: the link alone");
	nav(-1, false, ROLE_INTAKE, &b);
	T_OK(strstr(buf_str(&b), "id=\"nav-inbox\">Inbox</a>") != NULL,
	     "not counted: the link alone");
	nav(3, false, ROLE_ADMIN, &b);
	T_OK(strstr(buf_str(&b), "nav-inbox") == NULL && strstr(buf_str(&b), "nav-unread") == NULL,
	     "without the intake role: no Inbox link, no count");
	buf_release(&b);
}

int main(void)
{
	test_nav();
	/* submissions on days 100, 101 | 110, 111 | 120, 121 (three pages, newest first) */
	struct store_submission s[6];
	memset(s, 0, sizeof s);
	const int32_t sd[6] = {100, 101, 110, 111, 120, 121};
	for (int i = 0; i < 6; i++) {
		s[i].id = i + 1;
		s[i].source_id = 7;
		s[i].day = sd[i];
		memcpy(s[i].marking, "OFFICIAL", sizeof "OFFICIAL");
	}
	struct store_submission a[2] = {s[5], s[4]}, b[2] = {s[3], s[2]}, c[2] = {s[1], s[0]};
	/* replies on the submissions' days, between the pages (105, 115) and after (130) */
	const int32_t rd[6] = {100, 105, 111, 115, 121, 130};
	const char *names[6] = {"1970-04-11", "1970-04-16", "1970-04-22",
	                        "1970-04-26", "1970-05-02", "1970-05-11"};
	struct store_reply r[6];
	for (int i = 0; i < 6; i++)
		r[i] = (struct store_reply){.id = i + 1, .source_id = 7, .day = rd[i], .blob = 1};
	struct buf pa, pb, pc;
	buf_init(&pa, 1 << 20);
	buf_init(&pb, 1 << 20);
	buf_init(&pc, 1 << 20);
	render(a, 2, 5, true, 0, r, 6, &pa);
	render(b, 2, 3, false, 120, r, 6, &pb);
	render(c, 2, 0, false, 110, r, 6, &pc);
	for (int i = 0; i < 6; i++) {
		int na = replies_of_day(buf_str(&pa), names[i]),
		    nb = replies_of_day(buf_str(&pb), names[i]),
		    nc = replies_of_day(buf_str(&pc), names[i]);
		T_OK(na + nb + nc == 1, "the reply of day %d is on exactly one page (%d, %d, %d)",
		     rd[i], na, nb, nc);
	}
	T_OK(replies_of_day(buf_str(&pb), names[3]) == 1 &&
	             replies_of_day(buf_str(&pc), names[1]) == 1,
	     "a reply dated between two pages is on the older one");
	const char *pg = buf_str(&pb), *r115 = strstr(pg, names[3]),
	           *s111 = strstr(pg, "1970-04-22");
	T_OK(r115 != NULL && s111 != NULL && s111 < r115, "in day order among the submissions");
	/* the newer page unknown (its oldest submission not readable): the page's own days */
	render(b, 2, 3, false, 0, r, 6, &pb);
	T_OK(replies_of_day(buf_str(&pb), names[2]) == 1 &&
	             replies_of_day(buf_str(&pb), names[3]) == 0,
	     "without the newer page's day: up to the page's newest submission");
	buf_release(&pa);
	buf_release(&pb);
	buf_release(&pc);
	return t_done();
}
