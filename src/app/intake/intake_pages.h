/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake_pages: the source pages of the open door, server-rendered HTML that
 * works without JavaScript. Every text comes from the message catalogue
 * (lib/i18n) and every value goes through the one HTML escaper (lib/html).
 */
#ifndef CUTOUT_APP_INTAKE_PAGES_H
#define CUTOUT_APP_INTAKE_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

enum page_id {
	PAGE_LANDING,
	PAGE_NEW,      /* "I'm new": explains, then a button to get a codename */
	PAGE_CODENAME, /* the codename, shown once */
	PAGE_LOGIN,
	PAGE_SUBMIT,
	PAGE_SUBMITTED,
	PAGE_REPLIES,
	PAGE_DELETE, /* confirm deleting everything */
	PAGE_DELETED,
	PAGE_LOGGED_OUT,
	PAGE_ERROR,
};

struct page_reply {
	int64_t id;
	int32_t day;
	const char *text;
	size_t len;
};

struct page_sent {
	int32_t day;
	int32_t nfiles;
	int has_message;
};

struct page {
	const char *lang;
	const char *org;
	const char *csrf;       /* the forms' CSRF token (app/web/csrf), "" when none */
	const char *prefix;     /* the language prefix every link keeps ("/ru"), "" when bare */
	const char *path;       /* the page's own path, for the language selector */
	const char *lang_query; /* appended to the selector's links ("?k=..."), or NULL */
	int logged_in;
	const char *codename; /* PAGE_CODENAME */
	const char *once;     /* PAGE_SUBMIT: the form's one-time token */
	unsigned status;      /* PAGE_ERROR: 400, 403, 404, 405, 409, 413, 429, 500, 503 */
	const char *notice;   /* a catalogue key shown above a form (e.g. "login.error") */
	const char *const *notice_vars; /* its {placeholders}: name, value pairs, NULL-ended */
	const char *notice2;            /* a second key (no placeholders) after it, or NULL */
	const char *message;   /* PAGE_SUBMIT, PAGE_LOGIN: the text kept in the form, or NULL */
	size_t message_len;    /* valid UTF-8 */
	size_t message_cut;    /* PAGE_LOGIN: not 0 when only this many characters were kept */
	unsigned idle_minutes; /* a session ends after this many minutes idle */
	const struct page_reply *replies;
	size_t nreplies;
	int conversation; /* PAGE_SUBMIT: the replies above the form, what was sent below */
	const struct page_sent *sent;
	size_t nsent;
	uint64_t max_upload_bytes;
	size_t max_message_chars;
	int max_files;
};

/* Renders page id into out. Returns 0, or -1 if out's cap was too small. */
__attribute__((warn_unused_result)) int page_render(struct buf *out, enum page_id id,
                                                    const struct page *p);
/* The stylesheet served at /style.css. */
extern const char page_css[];

#endif
