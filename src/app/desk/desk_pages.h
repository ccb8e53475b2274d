/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_pages: the officers' pages of the desk, server-rendered HTML. Every
 * text comes from the message catalogue (lib/i18n, keys "desk.*") and every
 * value goes through the one HTML escaper (lib/html). The pages use no inline
 * script and no outside asset: one stylesheet and one small script, both
 * served by the desk, and the enrolment QR code as inline SVG.
 */
#ifndef CUTOUT_APP_DESK_PAGES_H
#define CUTOUT_APP_DESK_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inbox/deadlines.h"
#include "core/inbox/inbox.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/registry/ledger_view.h"
#include "lib/buf.h"

enum desk_page_id {
	DESK_PAGE_LOGIN,
	DESK_PAGE_ENROL,
	DESK_PAGE_INBOX,
	DESK_PAGE_SOURCE,
	DESK_PAGE_SUBMISSION,
	DESK_PAGE_ADMIN,
	DESK_PAGE_DONE, /* a short confirmation: title + text keys, a link back */
	DESK_PAGE_LOGGED_OUT,
	DESK_PAGE_ERROR,
	DESK_PAGE_BODY, /* the registry's pages (app/desk_registry): title_key + body_html */
};

/* What the source page shows of a reply beyond its row (core/inbox/inbox.h). */
struct desk_reply {
	const char *author; /* the officer's name; "" when not known */
	const char *text;   /* its text when this officer may read it, else NULL */
	size_t len;
};

struct desk_page {
	const char *lang;
	const char *org;
	const char *csrf;    /* the forms' CSRF token (app/web/csrf) */
	const char *officer; /* logged-in officer's name; NULL when not logged in */
	unsigned roles;
	unsigned status;    /* DESK_PAGE_ERROR */
	const char *notice; /* a catalogue key shown above the content */
	int notice_ok;      /* the notice reports success */
	/* login */
	const char *name;
	/* enrol */
	const char *qr_svg; /* an SVG fragment built by the door (trusted markup) */
	const char *secret;
	const char *uri;
	/* inbox */
	const struct store_desk_source *sources;
	size_t nsources;
	store_id next;           /* cursor of the next page, 0 if none */
	const char *next_cursor; /* inbox: the next page's sealed cursor, NULL if none */
	bool starred_only;
	bool overdue_only; /* inbox: the overdue view */
	/* inbox: each row's most urgent deadline (source 0: none shown); source page: the source's,
	   or NULL (core/inbox/deadlines.h) */
	const struct inbox_due *dues;
	const char *bulk_op; /* inbox: the bulk action just done ("read", ...), or NULL */
	uint64_t bulk_done, bulk_refused;
	bool filtered;          /* inbox: a filter beyond the star is set */
	const char *next_query; /* inbox: "&name=value..." carried by the next link (URL-safe) */
	/* source */
	const struct store_desk_source *source;
	const struct store_submission *subs; /* newest first; next: the older page */
	size_t nsubs;
	const struct store_reply *replies;    /* oldest first, interleaved by day */
	const struct desk_reply *reply_views; /* one per reply (NULL: none) */
	size_t nreplies;
	bool replies_more; /* more replies than shown */
	bool first_page;   /* the newest submissions: the newest replies belong here */
	int32_t newer_day; /* an older page: the day of the newer page's oldest submission (0:
	                      unknown) */
	/* submission */
	const struct store_submission *sub;
	const char *message; /* decrypted text, NULL if none */
	size_t message_len;
	int message_failed;
	const struct inbox_file *files; /* core/inbox/inbox.h */
	size_t nfiles;
	/* admin */
	const struct officer *officers;
	size_t nofficers;
	const char *default_clearance;
	/* done */
	const char *done_title, *done_text, *done_back;
	/* DESK_PAGE_BODY; extra_html also ends the submission page (the marking form) */
	const char *title_key;
	const char *body_html; /* trusted markup built with the escaper */
	const char *extra_html;
	/* the navigation: new submissions the officer may read (desk_nav.c); -1: not shown */
	int64_t nav_unread;
	bool nav_unread_more; /* nav_unread is a lower bound */
};

__attribute__((warn_unused_result)) int desk_page_render(struct buf *out, enum desk_page_id id,
                                                         const struct desk_page *p);

/* desk_nav.c: the navigation's Inbox link, with its count of new submissions. */
struct w;
void desk_nav_inbox(struct w *w, const struct desk_page *p);

/* The desk's languages (catalogues with its "desk.*" keys): the static tag equal to lang ignoring
 * case, or NULL. */
const char *desk_lang_supported(const char *lang);

/* desk_inbox_list.c: the inbox's content (after the page's head), a bulk form around its rows;
 * a source's deadline in words */
struct w;
void desk_inbox_body(struct w *w, const struct desk_page *p);
void desk_due_words(struct w *w, const struct inbox_due *u);

extern const char desk_css[];
extern const char desk_js[];

#endif
