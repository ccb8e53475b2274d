/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The open door: new sources, logins, replies, and a source deleting itself. */
#include "app/intake/intake_door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app/web/http.h"
#include "lib/day.h"
#include "lib/utf8.h"
#include "lib/web/i18n.h"
#include "lib/web/json.h"

#include "lib/banned.h"

/* ---- the handlers that answer after the whole body ---- */

static enum MHD_Result json_token(struct MHD_Connection *c, struct req *r, unsigned status,
                                  const char *codename)
{
	struct buf b;
	buf_init(&b, 1024);
	enum MHD_Result res = MHD_NO;
	int ok = buf_append_str(&b, "{") == BUF_OK;
	if (ok && codename != NULL)
		ok = buf_append_str(&b, "\"codename\":") == BUF_OK &&
		     json_escape_str(&b, codename, strlen(codename)) == 0 &&
		     buf_append_str(&b, ",") == BUF_OK;
	ok = ok && buf_printf(&b, "\"token\":\"%s\"}\n", r->token) == BUF_OK;
	if (ok)
		res = http_send_json(c, status, &b);
	buf_wipe_release(&b);
	r->responded = 1;
	return res;
}

/*
 * Opens a new session, logged in as source id, on the reservation the caller
 * took; whatever session the request came with ends (no fixation). 0, or -1
 * when the store could not take it (the caller answers 503).
 */
static int bind_source(struct req *r, int64_t id, const uint8_t *sk)
{
	if (r->have_session)
		sessions_destroy(r->d->sess, r->token);
	r->have_session = 0;
	if (sessions_open(r->d->sess, id, sk, r->token, &r->sv) != 0)
		return -1;
	r->have_session = 1;
	return 0;
}

/*
 * Creates a source and logs this request in as it. The session's place is
 * reserved first: a full table refuses before a source is made, so no
 * codename is created that nobody receives.
 */
enum MHD_Result door_new_source(struct MHD_Connection *c, struct req *r)
{
	struct intake_door *d = r->d;
	char *codename = sodium_malloc(INTAKE_CODENAME_MAX);
	uint8_t *sk = sodium_malloc(INTAKE_KEY_LEN);
	enum MHD_Result res;
	store_id id;
	int reserved = 0;
	if (codename == NULL || sk == NULL) {
		res = door_send_error(c, r, 500, NULL, "out of memory");
		goto out;
	}
	if (!r->api && r->have_session && r->sv.source != 0) {
		/* A reload, Back or a second tab: no second source; the page says so. */
		res = door_redirect(c, r, "/codename", NULL);
		goto out;
	}
	if (sessions_reserve(d->sess) != 0) {
		res = door_send_error(c, r, 503, NULL, "too many sessions; try again later");
		goto out;
	}
	reserved = 1;
	if (!bucket_take(&d->new_sources) || gate_enter(&d->kdf) != 0) {
		res = door_send_error(c, r, 429, NULL,
		                      "too many new sources right now; try again later");
		goto out;
	}
	enum intake_result ir = intake_source_create(d->in, codename, INTAKE_CODENAME_MAX, &id, sk);
	gate_leave(&d->kdf);
	if (ir != INTAKE_OK) {
		res = door_send_error(c, r, door_status_of(ir), NULL, "could not create a source");
		goto out;
	}
	reserved = 0;
	if (bind_source(r, id, sk) != 0) {
		res = door_send_error(c, r, 503, NULL, "too many sessions; try again later");
		goto out;
	}
	if (r->api) {
		res = json_token(c, r, 201, codename);
	} else {
		/* POST/redirect/GET: the codename is handed, sealed, to the one GET that follows.
		 */
		door_set_cookie(r, r->token);
		if (sessions_hand_over(d->sess, r->token, codename, NULL) != 0) {
			res = door_send_error(c, r, 500, NULL, "internal error");
			goto out;
		}
		res = door_redirect(c, r, "/codename", r->cookie);
	}
out:
	if (reserved)
		sessions_unreserve(d->sess);
	if (codename != NULL)
		sodium_free(codename);
	if (sk != NULL)
		sodium_free(sk);
	return res;
}

/*
 * The codename, shown once: the first GET after the create takes it from the
 * session; a reload (or a logged-in source asking again) is told it is
 * already logged in, and no second source is made. Shown, it is handed over
 * again under a fresh tag that only this page's language links carry, so the
 * same page in another language shows it once more; a reload does not, and
 * going on to /submit forgets it (door_forget_codename).
 */
enum MHD_Result door_codename(struct MHD_Connection *c, struct req *r)
{
	if (!r->have_session || r->sv.source == 0)
		return door_redirect(c, r, "/login", NULL);
	char *codename = sodium_malloc(SESSION_HANDOFF_MAX);
	if (codename == NULL)
		return door_send_error(c, r, 500, NULL, "out of memory");
	int taken = sessions_take_handoff(r->d->sess, r->token, http_query(c, "k"), codename);
	char tag[SESSION_ONCE_LEN + 1], query[SESSION_ONCE_LEN + 4];
	enum MHD_Result res;
	if (taken < 0) {
		res = door_send_error(c, r, 403, NULL, "the session has ended");
	} else {
		struct page p;
		door_page_init(r, &p, "/codename");
		if (taken == 0) {
			sessions_once_new(tag);
			int n = snprintf(query, sizeof query, "?k=%s", tag);
			p.codename = codename; /* else the page says it was already shown */
			if (n > 0 && (size_t)n < sizeof query &&
			    sessions_hand_over(r->d->sess, r->token, codename, tag) == 0)
				p.lang_query = query;
		}
		res = door_send_page(c, r, 200, PAGE_CODENAME, &p);
	}
	sodium_free(codename);
	return res;
}

void door_forget_codename(struct req *r)
{
	char *scratch = sodium_malloc(SESSION_HANDOFF_MAX);
	if (scratch == NULL)
		return;
	if (sessions_take_handoff(r->d->sess, r->token, NULL, scratch) == 0)
		sodium_memzero(scratch, SESSION_HANDOFF_MAX); /* sodium_free wipes too */
	sodium_free(scratch);
}

enum MHD_Result door_login(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct intake_door *d = r->d;
	const char *codename = form_get(f, "codename");
	/* the text of a submission refused when the session ended, carried back */
	const char *text = r->api ? NULL : form_get(f, "message");
	uint8_t *sk = sodium_malloc(INTAKE_KEY_LEN);
	enum MHD_Result res;
	store_id id;
	int reserved = 0;
	if (sk == NULL)
		return door_send_error(c, r, 500, NULL, "out of memory");
	if (codename == NULL) {
		res = door_send_error(c, r, 400, "missing_codename", "the codename is missing");
		goto out;
	}
	if (sessions_reserve(d->sess) != 0) {
		res = door_send_error(c, r, 503, NULL, "too many sessions; try again later");
		goto out;
	}
	reserved = 1;
	if (!bucket_take(&d->logins) || gate_enter(&d->kdf) != 0) {
		res = door_send_error(c, r, 429, NULL,
		                      "too many logins right now; try again later");
		goto out;
	}
	enum intake_result ir = intake_source_login(d->in, codename, d->cfg.login_min_ms, &id, sk);
	gate_leave(&d->kdf);
	if (ir == INTAKE_UNKNOWN) {
		if (r->api) {
			res = door_send_error(c, r, 401, "unknown_codename",
			                      "that codename was not recognised");
		} else {
			struct page p;
			door_page_init(r, &p, "/login");
			p.notice = "login.error";
			p.message = text;
			p.message_len =
			        text != NULL ? utf8_prefix((const uint8_t *)text, strlen(text)) : 0;
			res = door_send_page(c, r, 401, PAGE_LOGIN, &p);
		}
		goto out;
	}
	if (ir != INTAKE_OK) {
		res = door_send_error(c, r, door_status_of(ir), NULL, "could not log in");
		goto out;
	}
	reserved = 0;
	if (bind_source(r, id, sk) != 0) {
		res = door_send_error(c, r, 503, NULL, "too many sessions; try again later");
		goto out;
	}
	if (r->api) {
		res = json_token(c, r, 200, NULL);
	} else if (text != NULL && text[0] != 0) {
		/* the submit page itself, the text in its form: it is kept nowhere else */
		door_set_cookie(r, r->token);
		res = door_send_submit(c, r, 200, "submit.relogged", NULL, NULL, text,
		                       strlen(text));
	} else {
		door_set_cookie(r, r->token);
		res = door_redirect(c, r, "/submit", r->cookie);
	}
out:
	if (reserved)
		sessions_unreserve(d->sess);
	sodium_free(sk);
	return res;
}

struct replies_ctx {
	struct page_reply *items;
	size_t n, cap;
	struct buf *json;
	int failed;
};

static int reply_to_page(void *ctx, const struct intake_reply_view *v)
{
	struct replies_ctx *rc = ctx;
	if (rc->n >= rc->cap)
		return 1;
	char *copy = sodium_malloc(v->len + 1);
	if (copy == NULL) {
		rc->failed = 1;
		return 1;
	}
	memcpy(copy, v->text, v->len + 1);
	rc->items[rc->n++] = (struct page_reply){v->id, v->day, copy, v->len};
	return 0;
}

static int reply_to_json(void *ctx, const struct intake_reply_view *v)
{
	struct replies_ctx *rc = ctx;
	char day[16];
	day_format(v->day, day);
	if ((rc->n++ > 0 && buf_append_str(rc->json, ",") != BUF_OK) ||
	    buf_printf(rc->json, "{\"id\":%lld,\"day\":\"%s\",\"text\":", (long long)v->id, day) !=
	            BUF_OK ||
	    json_escape_str(rc->json, v->text, v->len) != 0 ||
	    buf_append_str(rc->json, "}") != BUF_OK) {
		rc->failed = 1;
		return 1;
	}
	return 0;
}

static void replies_free(struct replies_ctx *rc)
{
	for (size_t i = 0; rc->items != NULL && i < rc->n; i++)
		sodium_free((void *)rc->items[i].text);
	free(rc->items);
	rc->items = NULL;
	rc->n = 0;
}

/* Opens the session's replies for a page into rc. 0, or an HTTP status. */
static unsigned replies_for_page(struct req *r, struct replies_ctx *rc)
{
	uint8_t *sk = sodium_malloc(INTAKE_KEY_LEN);
	unsigned st = 0;
	if (sk == NULL)
		return 500;
	rc->cap = 200;
	rc->items = calloc(rc->cap, sizeof *rc->items);
	if (rc->items == NULL) {
		st = 500;
	} else if (sessions_key(r->d->sess, r->token, sk) != 0) {
		st = 403;
	} else {
		enum intake_result ir =
		        intake_replies(r->d->in, r->sv.source, sk, reply_to_page, rc);
		if (ir != INTAKE_OK || rc->failed)
			st = ir != INTAKE_OK ? door_status_of(ir) : 500;
	}
	sodium_free(sk);
	return st;
}

enum MHD_Result door_replies(struct MHD_Connection *c, struct req *r)
{
	enum MHD_Result res;
	struct replies_ctx rc = {0};
	if (!r->api) {
		unsigned st = replies_for_page(r, &rc);
		if (st != 0) {
			res = door_send_error(c, r, st, NULL, "could not open the replies");
		} else {
			struct page p;
			door_page_init(r, &p, "/replies");
			p.replies = rc.items;
			p.nreplies = rc.n;
			res = door_send_page(c, r, 200, PAGE_REPLIES, &p);
		}
		replies_free(&rc);
		return res;
	}
	uint8_t *sk = sodium_malloc(INTAKE_KEY_LEN);
	struct buf json;
	buf_init(&json, PAGE_MAX);
	if (sk == NULL)
		return door_send_error(c, r, 500, NULL, "out of memory");
	if (sessions_key(r->d->sess, r->token, sk) != 0) {
		res = door_send_error(c, r, 401, NULL, "the session has ended");
		goto out;
	}
	rc.json = &json;
	if (buf_append_str(&json, "{\"replies\":[") != BUF_OK) {
		res = door_send_error(c, r, 500, NULL, "out of memory");
		goto out;
	}
	enum intake_result ir = intake_replies(r->d->in, r->sv.source, sk, reply_to_json, &rc);
	if (ir != INTAKE_OK || rc.failed || buf_append_str(&json, "]}\n") != BUF_OK) {
		res = door_send_error(c, r, ir != INTAKE_OK ? door_status_of(ir) : 500, NULL,
		                      "could not open the replies");
		goto out;
	}
	r->responded = 1;
	res = http_send_json(c, 200, &json);
out:
	buf_wipe_release(&json);
	sodium_free(sk);
	return res;
}

struct sent_ctx {
	struct page_sent items[INTAKE_SENT_MAX];
	size_t n;
};

static int sent_to_page(void *ctx, const struct intake_sent_view *v)
{
	struct sent_ctx *sc = ctx;
	if (sc->n >= INTAKE_SENT_MAX)
		return 1;
	sc->items[sc->n++] = (struct page_sent){v->day, v->nfiles, v->has_message};
	return 0;
}

/*
 * Coming back: the submit form with the replies above it (and whether one is
 * waiting) and what the source sent below (days and numbers of files). The
 * notice and text are those of a login that carried a text back, or NULL.
 */
enum MHD_Result door_home(struct MHD_Connection *c, struct req *r, unsigned status,
                          const char *notice, const char *text)
{
	struct replies_ctx rc = {0};
	struct sent_ctx *sc = calloc(1, sizeof *sc);
	char once[SESSION_ONCE_LEN + 1];
	enum MHD_Result res;
	unsigned st = sc == NULL ? 500 : replies_for_page(r, &rc);
	enum intake_result ir =
	        st == 0 ? intake_sent(r->d->in, r->sv.source, sent_to_page, sc) : INTAKE_OK;
	if (st == 0 && ir != INTAKE_OK)
		st = door_status_of(ir);
	if (st == 0 && door_ensure_browser(r) != 0)
		st = 500;
	if (st != 0) {
		res = door_send_error(c, r, st, NULL, "could not open the replies");
	} else {
		struct page p;
		sessions_once_new(once);
		door_page_init(r, &p, "/submit");
		p.once = once;
		p.conversation = 1;
		p.replies = rc.items;
		p.nreplies = rc.n;
		p.sent = sc->items;
		p.nsent = sc->n;
		p.notice = notice;
		p.message = text;
		p.message_len = text != NULL ? utf8_prefix((const uint8_t *)text, strlen(text)) : 0;
		res = door_send_page(c, r, status, PAGE_SUBMIT, &p);
	}
	replies_free(&rc);
	free(sc);
	return res;
}

enum MHD_Result door_delete_me(struct MHD_Connection *c, struct req *r)
{
	enum intake_result ir = intake_source_delete(r->d->in, NULL, r->sv.source);
	if (ir != INTAKE_OK)
		return door_send_error(c, r, door_status_of(ir), NULL, "could not delete");
	sessions_destroy_source(r->d->sess, r->sv.source);
	r->responded = 1;
	if (r->api)
		return http_send(c, 204, NULL, "", 0, NULL, NULL);
	r->have_session = 0;
	door_set_cookie(r, "");
	struct page p;
	door_page_init(r, &p, "/");
	return door_send_page(c, r, 200, PAGE_DELETED, &p);
}
