/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/intake/http_intake.h"
#include "app/intake/intake_door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "app/web/door.h"
#include "app/web/http.h"
#include "app/intake/intake_pages.h"
#include "app/web/ratelimit.h"
#include "app/intake/session.h"
#include "lib/buf.h"
#include "lib/web/form.h"
#include "lib/web/i18n.h"
#include "lib/web/json.h"
#include "lib/web/multipart.h"
#include "lib/day.h"

#include "lib/banned.h"

/* ---- small helpers ---- */

static int is_post(const char *m)
{
	return strcmp(m, "POST") == 0;
}

static int parse_id(const char *s, int64_t *out)
{
	uint64_t v;
	if (http_parse_u64(s, &v) != 0 || v == 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/*
 * The language in the URL: "/ru/login" is "/login" in Russian, "/ru" and
 * "/ru/" the landing page. Returns the path without the prefix.
 */
static const char *strip_lang(struct req *r, const char *url)
{
	if (url[0] != '/')
		return url;
	const char *end = strchr(url + 1, '/');
	size_t n = end != NULL ? (size_t)(end - url - 1) : strlen(url + 1);
	char tag[DOOR_LANG_MAX];
	if (n == 0 || n >= sizeof tag)
		return url;
	memcpy(tag, url + 1, n);
	tag[n] = 0;
	const char *canon = i18n_canonical(tag);
	if (canon == NULL || strcmp(canon, tag) != 0)
		return url;
	r->url_lang = canon;
	int k = snprintf(r->prefix, sizeof r->prefix, "/%s", canon);
	if (k < 0 || (size_t)k >= sizeof r->prefix) {
		r->url_lang = NULL;
		r->prefix[0] = 0;
		return url;
	}
	return end != NULL ? end : "/";
}

static void route(struct req *r, const char *method, const char *url)
{
	url = strip_lang(r, url);
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = is_post(method);
	int del = strcmp(method, "DELETE") == 0;
	r->is_post = post;
	r->route = R_NOT_FOUND;
	struct {
		const char *path;
		enum route get, post;
	} pages[] = {
	        {"/", R_LANDING, R_BAD_METHOD},
	        {"/style.css", R_CSS, R_BAD_METHOD},
	        {"/new", R_NEW_GET, R_NEW_POST},
	        {"/login", R_LOGIN_GET, R_LOGIN_POST},
	        {"/submit", R_SUBMIT_GET, R_SUBMIT_POST},
	        {"/replies", R_REPLIES_GET, R_BAD_METHOD},
	        {"/replies/delete", R_BAD_METHOD, R_REPLY_DELETE},
	        {"/delete", R_DELETE_GET, R_DELETE_POST},
	        {"/logout", R_BAD_METHOD, R_LOGOUT},
	        {"/lang", R_LANG, R_BAD_METHOD},
	        {"/codename", R_CODENAME_GET, R_BAD_METHOD},
	        {"/submitted", R_SUBMITTED_GET, R_BAD_METHOD},
	};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		if (strcmp(url, pages[i].path) != 0)
			continue;
		r->route = get ? pages[i].get : post ? pages[i].post : R_BAD_METHOD;
		return;
	}
	if (strncmp(url, "/api/", 5) != 0 || r->url_lang != NULL)
		return;
	r->api = 1;
	if (strcmp(url, "/api/v1/sources") == 0)
		r->route = post ? R_API_SOURCES : R_BAD_METHOD;
	else if (strcmp(url, "/api/v1/login") == 0)
		r->route = post ? R_API_LOGIN : R_BAD_METHOD;
	else if (strcmp(url, "/api/v1/logout") == 0)
		r->route = post ? R_API_LOGOUT : R_BAD_METHOD;
	else if (strcmp(url, "/api/v1/submissions") == 0)
		r->route = post ? R_API_SUBMISSIONS : R_BAD_METHOD;
	else if (strcmp(url, "/api/v1/replies") == 0)
		r->route = get ? R_API_REPLIES : R_BAD_METHOD;
	else if (strcmp(url, "/api/v1/me") == 0)
		r->route = del ? R_API_ME_DELETE : R_BAD_METHOD;
	else if (strncmp(url, "/api/v1/replies/", 16) == 0 && parse_id(url + 16, &r->path_id) == 0)
		r->route = del ? R_API_REPLY_DELETE : R_BAD_METHOD;
}

static const char *status_code_name(unsigned status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "already_received";
	case 413:
		return "too_large";
	case 415:
		return "unsupported_media_type";
	case 429:
		return "too_many_requests";
	case 503:
		return "busy";
	case 507:
		return "insufficient_storage";
	default:
		return "internal_error";
	}
}

void door_page_init(struct req *r, struct page *p, const char *path)
{
	memset(p, 0, sizeof *p);
	const struct intake_limits *lim = intake_limits(r->d->in);
	p->lang = r->lang;
	p->org = r->d->cfg.org;
	p->csrf = r->csrf;
	p->path = path;
	p->prefix = r->prefix;
	p->logged_in = r->have_session && r->sv.source != 0;
	p->max_upload_bytes = lim->max_upload_bytes;
	p->max_message_chars = lim->max_message_bytes;
	p->max_files = lim->max_files;
	p->idle_minutes = (r->d->cfg.idle_seconds + 59) / 60;
}

enum MHD_Result door_send_page(struct MHD_Connection *c, struct req *r, unsigned status,
                               enum page_id id, const struct page *p)
{
	struct buf b;
	buf_init(&b, PAGE_MAX);
	enum MHD_Result res;
	if (page_render(&b, id, p) != 0)
		res = http_send(c, 500, "text/plain; charset=utf-8", "internal error\n", 15, NULL,
		                NULL);
	else
		res = http_send_html(c, status, &b, r->set_cookie ? r->cookie : NULL);
	buf_wipe_release(&b);
	r->responded = 1;
	return res;
}

/* An error answer: a page for the HTML door, a JSON object for the API. */
enum MHD_Result door_send_error(struct MHD_Connection *c, struct req *r, unsigned status,
                                const char *code, const char *message)
{
	if (status == 507) /* one line per refusal: the store, never the source or the request */
		fprintf(stderr,
		        "cutout: intake: the store %s has no space left; refused until freed\n",
		        r->d->cfg.store_name != NULL ? r->d->cfg.store_name : "(unnamed)");
	if (r->salvage && status != 409) /* an HTML submission: its form again, the text kept */
		return door_send_kept(c, r, status, code);
	r->responded = 1;
	if (r->api)
		return http_send_json_error(
		        c, status, code != NULL ? code : status_code_name(status), message);
	struct page p;
	door_page_init(r, &p, "/");
	p.status = status;
	return door_send_page(c, r, status, PAGE_ERROR, &p);
}

unsigned door_status_of(enum intake_result ir)
{
	switch (ir) {
	case INTAKE_OK:
		return 200;
	case INTAKE_UNKNOWN:
		return 404;
	case INTAKE_EMPTY:
	case INTAKE_BAD_INPUT:
		return 400;
	case INTAKE_REFUSED:
		return 403;
	case INTAKE_TOO_LARGE:
		return 413;
	case INTAKE_TOO_MANY:
		return 429;
	case INTAKE_BUSY:
		return 503;
	case INTAKE_FULL:
		return 507;
	case INTAKE_FAILED:
		break;
	}
	return 500;
}

void door_fail(struct req *r, unsigned status, const char *code)
{
	if (r->err_status == 0) {
		r->err_status = status;
		r->err_code = code;
	}
}

/*
 * The language: the URL's prefix; on a bare path the one the session last
 * asked for, else Accept-Language (Tor Browser sends English by design).
 */
static void pick_lang(struct req *r, struct MHD_Connection *c)
{
	const char *l = r->url_lang;
	if (l != NULL && r->have_session && strcmp(r->sv.lang, l) != 0)
		sessions_set_lang(r->d->sess, r->token, l);
	if (l == NULL && r->have_session && i18n_is_supported(r->sv.lang))
		l = i18n_canonical(r->sv.lang);
	if (l == NULL)
		l = i18n_lang_from_accept_language(http_header(c, "Accept-Language"));
	size_t n = strlen(l);
	if (n >= sizeof r->lang)
		n = 0;
	memcpy(r->lang, l, n);
	r->lang[n] = 0;
}

enum MHD_Result door_redirect(struct MHD_Connection *c, struct req *r, const char *path,
                              const char *set_cookie)
{
	char to[128];
	int n = snprintf(to, sizeof to, "%s%s", r->prefix, path);
	r->responded = 1;
	if (n < 0 || (size_t)n >= sizeof to)
		return http_send(c, 500, "text/plain; charset=utf-8", "internal error\n", 15, NULL,
		                 NULL);
	return http_redirect(c, to, set_cookie);
}

void door_set_cookie(struct req *r, const char *token)
{
	r->set_cookie = http_session_cookie(r->cookie, sizeof r->cookie, token,
	                                    r->d->cfg.secure_cookie) == 0;
}

/* Finds the caller's session: the cookie for pages, the bearer token for the API. */
static void load_session(struct req *r, struct MHD_Connection *c)
{
	const char *tok = NULL;
	if (r->api) {
		const char *auth = http_header(c, "Authorization");
		if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
			tok = auth + 7;
	} else {
		tok = http_cookie(c, HTTP_COOKIE_NAME);
	}
	if (tok == NULL || strlen(tok) != SESSION_TOKEN_LEN)
		return;
	/* a submission reads no row: its own transaction checks the row's version */
	int upload = r->route == R_SUBMIT_POST || r->route == R_API_SUBMISSIONS;
	if ((upload ? sessions_get_cached(r->d->sess, tok, &r->sv)
	            : sessions_get(r->d->sess, tok, &r->sv)) == 0) {
		memcpy(r->token, tok, SESSION_TOKEN_LEN + 1);
		r->have_session = 1;
	}
}

/* The browser's value (its cookie) and the forms' CSRF token bound to it. */
static void load_browser(struct req *r, struct MHD_Connection *c)
{
	const char *b = http_cookie(c, BROWSER_COOKIE);
	if (r->api || !csrf_is_browser(b) || csrf_token(&r->d->csrf, b, r->csrf) != 0)
		return;
	memcpy(r->browser, b, CSRF_VALUE_LEN + 1);
}

/*
 * A page with forms for a browser without the cookie: a fresh value in a
 * cookie, and the token for it. Nothing is kept on the server.
 */
int door_ensure_browser(struct req *r)
{
	if (r->browser[0] != 0)
		return 0;
	csrf_new_browser(r->browser);
	if (csrf_token(&r->d->csrf, r->browser, r->csrf) != 0)
		return -1;
	r->set_cookie = http_cookie_header(r->cookie, sizeof r->cookie, BROWSER_COOKIE, r->browser,
	                                   r->d->cfg.secure_cookie) == 0;
	return r->set_cookie ? 0 : -1;
}

int door_csrf_ok(const struct req *r, const char *given)
{
	return r->browser[0] != 0 && csrf_check(&r->d->csrf, r->browser, given);
}

int door_content_length(struct MHD_Connection *c, uint64_t *len)
{
	const char *cl = http_header(c, "Content-Length");
	if (cl == NULL)
		return 0;
	return http_parse_u64(cl, len) == 0 ? 1 : -1;
}

/* ---- forms ---- */

/* Parses the urlencoded body; NULL and a 400 on failure. */
static struct form *body_form(struct req *r)
{
	struct form *f = NULL;
	struct form_limits lim = form_default_limits;
	lim.max_body = r->route == R_LOGIN_POST ? LOGIN_FORM_MAX : FORM_MAX;
	lim.max_fields = 16;
	lim.max_value = lim.max_body;
	f = calloc(1, sizeof *f);
	if (f == NULL) {
		door_fail(r, 500, NULL);
		return NULL;
	}
	if (form_parse(f, r->body.data != NULL ? (const char *)r->body.data : "", r->body.len,
	               &lim) != FORM_OK) {
		free(f);
		door_fail(r, 400, "malformed_form");
		return NULL;
	}
	return f;
}

static enum MHD_Result finish(struct MHD_Connection *c, struct req *r)
{
	struct form *f = NULL;
	enum MHD_Result res;
	int need_source = r->route == R_REPLY_DELETE || r->route == R_DELETE_POST ||
	                  r->route == R_LOGOUT || r->route >= R_API_REPLIES;

	if (r->route == R_SUBMIT_POST || r->route == R_API_SUBMISSIONS)
		return door_upload_finish(c, r);
	if (r->err_status != 0)
		return door_send_error(c, r, r->err_status, r->err_code, "the request was refused");
	if (need_source && (!r->have_session || r->sv.source == 0))
		return door_send_error(c, r, r->api ? 401 : 403, "no_session", "not logged in");
	if (r->route == R_API_LOGOUT) {
		sessions_destroy(r->d->sess, r->token);
		r->responded = 1;
		return http_send(c, 204, NULL, "", 0, NULL, NULL);
	}
	if (r->route == R_API_ME_DELETE)
		return door_delete_me(c, r);
	if (r->route == R_API_REPLY_DELETE) {
		enum intake_result ir = intake_reply_delete(r->d->in, r->sv.source, r->path_id);
		if (ir != INTAKE_OK)
			return door_send_error(c, r, door_status_of(ir), NULL, "no such reply");
		r->responded = 1;
		return http_send(c, 204, NULL, "", 0, NULL, NULL);
	}
	if (r->route == R_API_SOURCES)
		return door_new_source(c, r);
	if ((f = body_form(r)) == NULL)
		return door_send_error(c, r, r->err_status, r->err_code, "malformed form");
	if (r->route == R_API_LOGIN) {
		res = door_login(c, r, f);
		goto out;
	}
	/* Every HTML form carries the session's CSRF token. */
	if (!door_csrf_ok(r, form_get(f, "csrf"))) {
		res = door_send_error(c, r, 403, "bad_csrf",
		                      "the form has expired; reload the page");
		goto out;
	}
	switch (r->route) {
	case R_NEW_POST:
		res = door_new_source(c, r);
		break;
	case R_LOGIN_POST:
		res = door_login(c, r, f);
		break;
	case R_REPLY_DELETE: {
		int64_t id;
		const char *s = form_get(f, "id");
		if (s == NULL || parse_id(s, &id) != 0) {
			res = door_send_error(c, r, 400, NULL, "bad reply id");
			break;
		}
		enum intake_result ir = intake_reply_delete(r->d->in, r->sv.source, id);
		if (ir != INTAKE_OK && ir != INTAKE_UNKNOWN) {
			res = door_send_error(c, r, door_status_of(ir), NULL, "could not delete");
			break;
		}
		const char *back = form_get(f, "back");
		res = door_redirect(
		        c, r, back != NULL && strcmp(back, "/submit") == 0 ? "/submit" : "/replies",
		        NULL);
		break;
	}
	case R_DELETE_POST:
		res = door_delete_me(c, r);
		break;
	case R_LOGOUT: {
		sessions_destroy(r->d->sess, r->token);
		r->have_session = 0;
		door_set_cookie(r, "");
		struct page p;
		door_page_init(r, &p, "/");
		res = door_send_page(c, r, 200, PAGE_LOGGED_OUT, &p);
		break;
	}
	default:
		res = door_send_error(c, r, 404, NULL, "not found");
		break;
	}
out:
	form_release(f);
	free(f);
	return res;
}

/* ---- the first call: everything decided from the request line and headers ---- */

static const char *const lang_return_paths[] = {"/",       "/new",     "/login",
                                                "/submit", "/replies", "/delete"};

static enum MHD_Result begin(struct MHD_Connection *c, struct req *r)
{
	load_session(r, c);
	load_browser(r, c);
	pick_lang(r, c);
	struct page p;

	switch (r->route) {
	case R_NOT_FOUND:
		return door_send_error(c, r, 404, NULL, "not found");
	case R_BAD_METHOD:
		return door_send_error(c, r, 405, NULL, "method not allowed");
	case R_CSS:
		r->responded = 1;
		return http_send(c, 200, "text/css; charset=utf-8", page_css, strlen(page_css),
		                 NULL, NULL);
	case R_LANG: {
		/* The old selector, for bookmarks: on to the page under the language's prefix. */
		const char *l = i18n_canonical(http_query(c, "l"));
		const char *next = http_query(c, "next");
		const char *to = "/";
		for (size_t i = 0;
		     next != NULL && i < sizeof lang_return_paths / sizeof *lang_return_paths; i++)
			if (strcmp(next, lang_return_paths[i]) == 0)
				to = lang_return_paths[i];
		if (l == NULL)
			return door_send_error(c, r, 400, NULL, "unsupported language");
		int n = snprintf(r->prefix, sizeof r->prefix, "/%s", l);
		if (n < 0 || (size_t)n >= sizeof r->prefix)
			return door_send_error(c, r, 500, NULL, "internal error");
		return door_redirect(c, r, to, NULL);
	}
	case R_CODENAME_GET:
		return door_codename(c, r);
	case R_NEW_GET:
		if (r->have_session && r->sv.source != 0) {
			/* Already logged in: no second codename; the page says so. */
			return door_redirect(c, r, "/codename", NULL);
		}
		__attribute__((fallthrough)); /* the page of a new codename */
	case R_LANDING:
	case R_LOGIN_GET:
		if (door_ensure_browser(r) != 0)
			return door_send_error(c, r, 500, NULL, "internal error");
		door_page_init(r, &p,
		               r->route == R_LANDING   ? "/"
		               : r->route == R_NEW_GET ? "/new"
		                                       : "/login");
		return door_send_page(c, r, 200,
		                      r->route == R_LANDING   ? PAGE_LANDING
		                      : r->route == R_NEW_GET ? PAGE_NEW
		                                              : PAGE_LOGIN,
		                      &p);
	case R_SUBMIT_GET:
	case R_SUBMITTED_GET:
	case R_DELETE_GET:
		if (!r->have_session || r->sv.source == 0) {
			return door_redirect(c, r, "/login", NULL);
		}
		if (door_ensure_browser(r) != 0)
			return door_send_error(c, r, 500, NULL, "internal error");
		if (r->route == R_SUBMIT_GET) {
			door_forget_codename(r);
			return door_home(c, r, 200, NULL, NULL);
		}
		char once[SESSION_ONCE_LEN + 1];
		sessions_once_new(once);
		door_page_init(r, &p,
		               r->route == R_SUBMIT_GET      ? "/submit"
		               : r->route == R_SUBMITTED_GET ? "/submitted"
		                                             : "/delete");
		p.once = once;
		return door_send_page(c, r, 200,
		                      r->route == R_SUBMIT_GET      ? PAGE_SUBMIT
		                      : r->route == R_SUBMITTED_GET ? PAGE_SUBMITTED
		                                                    : PAGE_DELETE,
		                      &p);
	case R_REPLIES_GET:
		if (!r->have_session || r->sv.source == 0) {
			return door_redirect(c, r, "/login", NULL);
		}
		if (door_ensure_browser(r) != 0)
			return door_send_error(c, r, 500, NULL, "internal error");
		return door_replies(c, r);
	case R_API_REPLIES:
		if (!r->have_session || r->sv.source == 0)
			return door_send_error(c, r, 401, "no_session", "not logged in");
		return door_replies(c, r);
	case R_SUBMIT_POST:
	case R_API_SUBMISSIONS: {
		unsigned st = door_upload_begin(r, c);
		if (st != 0)
			return door_send_error(c, r, st, NULL, "the submission was refused");
		return MHD_YES;
	}
	default:
		break;
	}
	/* The other POSTs carry a small urlencoded form (or nothing). */
	uint64_t len = 0;
	int have_len = door_content_length(c, &len);
	if (have_len < 0)
		return door_send_error(c, r, 400, NULL, "bad Content-Length");
	/* a login may carry back the text of a submission its ended session refused */
	size_t max = r->route == R_LOGIN_POST ? LOGIN_FORM_MAX : FORM_MAX;
	if (have_len && len > max)
		return door_send_error(c, r, 413, NULL, "the form is too large");
	if (!http_form_type_ok(c))
		return door_send_error(c, r, 415, NULL,
		                       "send the form as application/x-www-form-urlencoded");
	buf_init(&r->body, max);
	return MHD_YES;
}

static void body_data(struct req *r, const char *data, size_t n)
{
	if (r->err_status != 0 && !r->salvage)
		return;
	if (r->mp != NULL) {
		if (mp_feed(r->mp, data, n) != MP_OK)
			door_fail(r, 400, "malformed_multipart");
		return;
	}
	if (buf_append(&r->body, data, n) != BUF_OK)
		door_fail(r, 413, "form_too_large");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
	struct req *r = *con_cls;
	if (r == NULL) {
		r = calloc(1, sizeof *r);
		if (r == NULL)
			return MHD_NO;
		r->d = cls;
		*con_cls = r;
		route(r, method, url);
		return begin(c, r);
	}
	if (*size > 0) {
		if (!r->responded) {
			if (r->err_status == 0 || r->salvage)
				body_data(r, data, *size);
			if (r->err_status != 0)
				r->discarded += *size;
			/*
			 * A refused body is read and dropped, so that the client
			 * sees the answer (closing on a sender loses it); past
			 * DISCARD_MAX the connection is answered and closed.
			 */
			if (r->err_status != 0 && r->discarded > DISCARD_MAX &&
			    door_send_error(c, r, r->err_status, r->err_code, "refused") != MHD_YES)
				return MHD_NO;
		}
		*size = 0;
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	return finish(c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (r == NULL)
		return;
	/* An upload not committed (client gone, refused) leaves nothing behind. */
	door_release_once(r);
	intake_upload_free(&r->up);
	if (r->mp != NULL)
		sodium_memzero(r->mp, sizeof *r->mp);
	free(r->mp);
	free(r->file_name);
	free(r->file_type);
	free(r->refused_name);
	buf_wipe_release(&r->message);
	buf_wipe_release(&r->body);
	sodium_memzero(r, sizeof *r);
	free(r);
	*con_cls = NULL;
}

void intake_door_defaults(struct intake_door_config *c)
{
	memset(c, 0, sizeof *c);
	c->host = "127.0.0.1";
	c->port = 8080;
	c->org = "cutout";
	c->idle_seconds = 600;
	c->max_sessions = 16384;
	web_door_limits_default(&c->web);
	c->submissions_per_session = 1000;
	c->new_sources_per_second = 20;
	c->logins_per_second = 20;
	c->submissions_per_second = 20000;
	c->login_min_ms = 400;
}

int intake_door_start(const struct intake_door_config *cfg, struct intake *in,
                      struct intake_door **out)
{
	*out = NULL;
	struct intake_door *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	d->cfg = *cfg;
	d->in = in;
	if (sessions_new(cfg->max_sessions, cfg->idle_seconds, &d->sess) != 0) {
		free(d);
		return -1;
	}
	if (cfg->store != NULL && sessions_use_store(d->sess, cfg->store, cfg->session_salt,
	                                             sizeof cfg->session_salt) != 0) {
		sessions_free(&d->sess);
		free(d);
		return -1;
	}
	if (cfg->store != NULL) /* several nodes: a form made on one is sent to another */
		csrf_init_shared(&d->csrf, cfg->session_salt, sizeof cfg->session_salt);
	else
		csrf_init(&d->csrf);
	bucket_init(&d->new_sources, cfg->new_sources_per_second, cfg->new_sources_per_second * 2);
	bucket_init(&d->logins, cfg->logins_per_second, cfg->logins_per_second * 2);
	bucket_init(&d->submissions, cfg->submissions_per_second, cfg->submissions_per_second);
	/* each waiter holds an event thread (app/web/door.h) */
	gate_init(&d->kdf, 4, web_door_queue_bound(&cfg->web, 4, 64));

	if (web_door_start(cfg->host, cfg->port, &cfg->web, handler, d, completed, d, &d->web) !=
	    0) {
		sessions_free(&d->sess);
		free(d);
		return -1;
	}
	*out = d;
	return 0;
}

uint16_t intake_door_port(const struct intake_door *d)
{
	return web_door_port(d->web);
}

void intake_door_stop(struct intake_door **pd)
{
	struct intake_door *d = *pd;
	if (d == NULL)
		return;
	web_door_stop(&d->web);
	sessions_free(&d->sess);
	csrf_release(&d->csrf);
	free(d);
	*pd = NULL;
}
