/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/http_desk.h"
#include "app/desk/desk_arrival.h"
#include "app/desk/desk_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "app/desk/desk_pages.h"
#include "app/desk/desk_qr.h"
#include "app/desk/desk_registry.h"
#include "app/desk/desk_session.h"
#include "app/web/csrf.h"
#include "app/web/host.h"
#include "app/web/http.h"
#include "app/web/ratelimit.h"
#include "core/inbox/inbox.h"
#include "core/registry/registry.h"
#include "core/ledger/ledger.h"
#include "lib/buf.h"
#include "lib/web/form.h"
#include "lib/web/i18n.h"
#include "lib/web/json.h"
#include "lib/utf8.h"
#include "lib/num.h"

#include "lib/banned.h"

/* ---- small helpers ---- */

int desk_parse_id(const char *s, int64_t *out)
{
	uint64_t v;
	if (s == NULL || http_parse_u64(s, &v) != 0 || v == 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static void route(struct req *r, const char *method, const char *url)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;
	static const struct {
		const char *path;
		enum route get, post;
	} pages[] = {
	        {"/", R_ROOT, R_BAD_METHOD},
	        {"/style.css", R_CSS, R_BAD_METHOD},
	        {"/desk.js", R_JS, R_BAD_METHOD},
	        {"/login", R_LOGIN_GET, R_LOGIN_POST},
	        {"/enrol", R_ENROL_GET, R_ENROL_POST},
	        {"/logout", R_BAD_METHOD, R_LOGOUT},
	        {"/inbox", R_INBOX, R_BULK},
	        {"/source", R_SOURCE, R_BAD_METHOD},
	        {"/source/star", R_BAD_METHOD, R_STAR},
	        {"/source/label", R_BAD_METHOD, R_LABEL},
	        {"/source/reply", R_BAD_METHOD, R_REPLY},
	        {"/source/delete", R_BAD_METHOD, R_DELETE},
	        {"/submission", R_SUBMISSION, R_BAD_METHOD},
	        {"/file", R_FILE, R_BAD_METHOD},
	        {"/message.age", R_MESSAGE_AGE, R_BAD_METHOD},
	        {"/file/safe", R_SAFE, R_SAFE_POST},
	        {"/file/safe.pdf", R_SAFE_PDF, R_BAD_METHOD},
	        {"/file/safe.png", R_SAFE_PNG, R_BAD_METHOD},
	        {"/admin", R_ADMIN, R_BAD_METHOD},
	        {"/ledger", R_LEDGER, R_BAD_METHOD},
	        {"/admin/add", R_BAD_METHOD, R_ADMIN_ADD},
	        {"/admin/disable", R_BAD_METHOD, R_ADMIN_DISABLE},
	        {"/admin/roles", R_BAD_METHOD, R_ADMIN_ROLES},
	        {"/admin/reset", R_BAD_METHOD, R_ADMIN_RESET},
	        {"/admin/clearance", R_BAD_METHOD, R_ADMIN_CLEARANCE},
	        {"/api/v1/login", R_BAD_METHOD, R_API_LOGIN},
	};
	r->route = R_NOT_FOUND;
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
		if (strcmp(url, pages[i].path) == 0) {
			r->route = get ? pages[i].get : post ? pages[i].post : R_BAD_METHOD;
			return;
		}
	bool bad = false;
	r->reg_route = desk_registry_route(get ? "GET" : method, url, &bad);
	if (bad)
		r->route = R_BAD_METHOD;
	else if (r->reg_route != DR_NONE)
		r->route = r->reg_route >= DR_POST_FIRST ? R_REG_POST : R_REG_GET;
}

/* Where a logged-in officer starts: the inbox (intake), the officers (admin), else reports. */
static const char *home(unsigned roles)
{
	return (roles & ROLE_INTAKE) ? "/inbox" : (roles & ROLE_ADMIN) ? "/admin" : "/reports";
}

void desk_page_init(struct req *r, struct desk_page *p)
{
	memset(p, 0, sizeof *p);
	p->lang = r->lang;
	p->org = r->d->cfg.org;
	if (r->sess != NULL) {
		p->csrf = r->csrf;
		if (!r->sv.enrolling) {
			p->officer = r->sv.name;
			p->roles = r->sv.roles;
		}
	}
	desk_nav_count(r, p);
}

enum MHD_Result desk_send_page(struct MHD_Connection *c, struct req *r, unsigned status,
                               enum desk_page_id id, const struct desk_page *p)
{
	struct buf b;
	buf_init(&b, PAGE_MAX);
	enum MHD_Result res;
	r->responded = 1;
	if (desk_page_render(&b, id, p) != 0)
		res = http_send(c, 500, "text/plain; charset=utf-8", "internal error\n", 15, NULL,
		                NULL);
	else
		res = http_send_html(c, status, &b, r->set_cookie ? r->cookie : NULL);
	buf_wipe_release(&b);
	return res;
}

/* One line per refusal for a full store: the store, never the officer or the request. */
static void log_full(const struct req *r)
{
	fprintf(stderr, "cutout: desk: the store %s has no space left; refused until freed\n",
	        r->d->cfg.store_name != NULL ? r->d->cfg.store_name : "(unnamed)");
}

enum MHD_Result desk_send_error(struct MHD_Connection *c, struct req *r, unsigned status)
{
	if (status == 507)
		log_full(r);
	struct desk_page p;
	desk_page_init(r, &p);
	p.status = status;
	return desk_send_page(c, r, status, DESK_PAGE_ERROR, &p);
}

enum MHD_Result desk_redirect(struct MHD_Connection *c, struct req *r, const char *to)
{
	r->responded = 1;
	return http_redirect(c, to, r->set_cookie ? r->cookie : NULL);
}

int desk_make_cookie(struct req *r, const char *name, const char *value)
{
	r->set_cookie = http_cookie_header(r->cookie, sizeof r->cookie, name, value,
	                                   r->d->cfg.secure_cookie) == 0;
	return r->set_cookie ? 0 : -1;
}

static void load_session(struct req *r, struct MHD_Connection *c)
{
	const char *tok = http_cookie(c, COOKIE);
	if (tok == NULL || strlen(tok) != DESK_TOKEN_LEN)
		return;
	r->sess = desk_sessions_acquire(r->d->sess, tok, &r->sv);
	if (r->sess == NULL)
		return;
	memcpy(r->token, tok, DESK_TOKEN_LEN + 1);
	/* The session's forms carry the MAC of its cookie (app/web/csrf): nothing kept. */
	if (csrf_token(&r->d->csrf, r->token, r->csrf) != 0)
		r->csrf[0] = 0;
}

static int csrf_ok(const struct req *r, struct MHD_Connection *c, const char *given)
{
	if (given == NULL)
		return 0;
	/* One helper (app/web/csrf): the login form's token is bound to the pre-login
	   cookie, every other form's to the session's cookie. */
	if (r->route == R_LOGIN_POST)
		return csrf_check(&r->d->csrf, http_cookie(c, LOGIN_COOKIE), given);
	return r->sess != NULL && csrf_check(&r->d->csrf, r->token, given);
}

/* ---- login and enrolment ---- */

static enum MHD_Result login_page(struct MHD_Connection *c, struct req *r, unsigned status,
                                  const char *notice, int notice_ok, const char *name)
{
	const char *have = http_cookie(c, LOGIN_COOKIE);
	char fresh[CSRF_VALUE_LEN + 1], csrf[CSRF_VALUE_LEN + 1];
	if (!csrf_is_browser(have)) {
		csrf_new_browser(fresh);
		have = fresh;
		if (desk_make_cookie(r, LOGIN_COOKIE, fresh) != 0)
			return desk_send_error(c, r, 500);
	}
	if (csrf_token(&r->d->csrf, have, csrf) != 0)
		return desk_send_error(c, r, 500);
	struct desk_page p;
	desk_page_init(r, &p);
	p.officer = NULL;
	p.csrf = csrf;
	p.notice = notice;
	p.notice_ok = notice_ok;
	p.name = name;
	return desk_send_page(c, r, status, DESK_PAGE_LOGIN, &p);
}

static enum MHD_Result start_session(struct MHD_Connection *c, struct req *r,
                                     struct officer_key **key)
{
	char token[DESK_TOKEN_LEN + 1];
	unsigned roles = officer_key_roles(*key);
	if (desk_sessions_login(r->d->sess, key, token) != 0)
		return desk_send_error(c, r, 503);
	int ok = desk_make_cookie(r, COOKIE, token) == 0;
	sodium_memzero(token, sizeof token);
	if (!ok)
		return desk_send_error(c, r, 500);
	return desk_redirect(c, r, home(roles));
}

static enum MHD_Result do_login(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct desk_door *d = r->d;
	const char *name = form_get(f, "name"), *pw = form_get(f, "password");
	const char *totp = form_get(f, "totp");
	struct officer_key *key = NULL;
	if (name == NULL || pw == NULL || strlen(name) > OFFICER_NAME_MAX ||
	    strlen(pw) > PASSWORD_MAX)
		return login_page(c, r, 401, "desk.login.error", 0, NULL);
	if (gate_enter(&d->kdf) != 0)
		return desk_send_error(c, r, 429);
	uint64_t now = (uint64_t)time(NULL);
	enum officer_result orc =
	        officer_login(d->officers, name, pw, totp != NULL ? totp : "", now, &key, NULL);
	if (orc == OFFICER_ENROL) {
		char secret[TOTP_B32_MAX], uri[TOTP_URI_MAX], token[DESK_TOKEN_LEN + 1];
		orc = officer_enrol_begin(d->officers, name, pw, now, secret, uri, sizeof uri);
		gate_leave(&d->kdf);
		enum MHD_Result res;
		if (orc != OFFICER_OK)
			res = login_page(c, r, 401, "desk.login.error", 0, NULL);
		else if (desk_sessions_enrol(d->sess, name, pw, secret, uri, token) != 0)
			res = desk_send_error(c, r, 503);
		else if (desk_make_cookie(r, COOKIE, token) != 0)
			res = desk_send_error(c, r, 500);
		else
			res = desk_redirect(c, r, "/enrol");
		sodium_memzero(secret, sizeof secret);
		sodium_memzero(token, sizeof token);
		return res;
	}
	gate_leave(&d->kdf);
	if (orc != OFFICER_OK) {
		officer_key_free(&key);
		/* One answer for every failure: no hint which field was wrong. */
		return login_page(c, r, 401, "desk.login.error", 0, NULL);
	}
	/* A new session, a new token: whatever cookie came in is dropped (no fixation). */
	if (r->sess != NULL)
		desk_sessions_end(d->sess, r->token);
	return start_session(c, r, &key);
}

static enum MHD_Result enrol_page(struct MHD_Connection *c, struct req *r, unsigned status,
                                  const char *notice)
{
	struct buf svg;
	buf_init(&svg, 256 * 1024);
	enum MHD_Result res;
	if (desk_qr_svg(&svg, r->sv.enrol_uri) != 0) {
		res = desk_send_error(c, r, 500);
		goto out;
	}
	struct desk_page p;
	desk_page_init(r, &p);
	p.qr_svg = buf_str(&svg);
	p.secret = r->sv.enrol_secret;
	p.uri = r->sv.enrol_uri;
	p.notice = notice;
	res = desk_send_page(c, r, status, DESK_PAGE_ENROL, &p);
out:
	buf_release(&svg);
	return res;
}

static enum MHD_Result do_enrol(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct desk_door *d = r->d;
	const char *code = form_get(f, "code");
	if (!r->sv.enrolling)
		return desk_redirect(c, r, "/");
	if (code == NULL)
		return enrol_page(c, r, 400, "desk.enrol.error");
	if (gate_enter(&d->kdf) != 0)
		return desk_send_error(c, r, 429);
	enum officer_result orc =
	        officer_enrol_finish(d->officers, r->sv.name, r->sv.enrol_password,
	                             r->sv.enrol_secret, code, (uint64_t)time(NULL));
	gate_leave(&d->kdf);
	if (orc != OFFICER_OK)
		return enrol_page(c, r, 400, "desk.enrol.error");
	/* Enrolled: the enrolment session (and the password it held) ends; log in again. */
	desk_sessions_end(d->sess, r->token);
	desk_sessions_release(d->sess, &r->sess);
	desk_make_cookie(r, COOKIE, "");
	return login_page(c, r, 200, "desk.enrol.done", 1, NULL);
}

/* ---- the registry (app/desk_registry) and the JSON login ---- */

static const char *query_of(void *ctx, const char *name)
{
	return http_query(ctx, name);
}

/* body as an attachment named filename (a name the page built: no quote or control byte). */
static enum MHD_Result send_download(struct MHD_Connection *c, struct req *r, const char *type,
                                     const char *filename, const struct buf *body)
{
	char disp[160];
	int n = snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	        body->len, body->len ? body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
	r->responded = 1;
	if (resp == NULL)
		return MHD_NO;
	int ok = n > 0 && (size_t)n < sizeof disp && http_add_security_headers(resp) == 0 &&
	         MHD_add_response_header(resp, "Content-Type", type) == MHD_YES &&
	         MHD_add_response_header(resp, "Content-Disposition", disp) == MHD_YES;
	enum MHD_Result res = ok ? MHD_queue_response(c, 200, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return res;
}

static enum MHD_Result registry_request(struct MHD_Connection *c, struct req *r,
                                        const struct form *f, const char *url)
{
	struct buf b;
	buf_init(&b, PAGE_MAX);
	struct desk_reg_in in = {.reg = r->d->reg,
	                         .officers = r->d->officers,
	                         .key = r->sv.key,
	                         .officer = r->sv.name,
	                         .roles = r->sv.roles,
	                         .csrf = r->csrf,
	                         .lang = r->lang,
	                         .org = r->d->cfg.org,
	                         .url = url,
	                         .topics = r->d->cfg.topics,
	                         .query = query_of,
	                         .qctx = c,
	                         .form = f};
	struct desk_reg_out out = {.status = 500, .body = &b};
	desk_registry_handle(r->reg_route, &in, &out);
	enum MHD_Result res;
	if (out.status == 507 && (out.location[0] != 0 || out.json || b.len > 0))
		log_full(r); /* desk_send_error logs its own */
	if (out.location[0] != 0) {
		res = desk_redirect(c, r, out.location);
	} else if (out.download_type != NULL && out.status == 200) {
		res = send_download(c, r, out.download_type, out.filename, &b);
	} else if (out.json) {
		r->responded = 1;
		res = b.len > 0 ? http_send_json(c, out.status, &b)
		      : out.status == 404
		              ? http_send_json_error(c, 404, "not_found", "no such report")
		              : http_send_json_error(c, out.status, "error", "request failed");
	} else if (b.len == 0) {
		res = desk_send_error(c, r, out.status);
	} else {
		struct desk_page p;
		desk_page_init(r, &p);
		p.title_key = out.title_key;
		p.body_html = buf_str(&b);
		res = desk_send_page(c, r, out.status, DESK_PAGE_BODY, &p);
	}
	buf_wipe_release(&b);
	return res;
}

/*
 * POST /api/v1/login (name, password, totp; form-encoded) for scripts: the
 * same officer_login (failure delay, no replayed code, one answer for every
 * failure) and the same session cookie as the login form. Instead of the
 * form's CSRF token it demands the header "X-Cutout-Api: 1", which a page of
 * another site cannot send without a CORS preflight this door never grants.
 */
static enum MHD_Result api_login(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct desk_door *d = r->d;
	const char *name = form_get(f, "name"), *pw = form_get(f, "password");
	const char *totp = form_get(f, "totp");
	struct officer_key *key = NULL;
	r->responded = 1;
	if (name == NULL || pw == NULL || strlen(name) > OFFICER_NAME_MAX ||
	    strlen(pw) > PASSWORD_MAX)
		return http_send_json_error(c, 401, "login_failed", "login failed");
	if (gate_enter(&d->kdf) != 0)
		return http_send_json_error(c, 429, "busy", "too many logins at once");
	enum officer_result orc = officer_login(d->officers, name, pw, totp != NULL ? totp : "",
	                                        (uint64_t)time(NULL), &key, NULL);
	gate_leave(&d->kdf);
	if (orc == OFFICER_ENROL)
		return http_send_json_error(c, 403, "enrol", "enrol the second factor in the desk");
	if (orc != OFFICER_OK) {
		officer_key_free(&key);
		return http_send_json_error(c, 401, "login_failed", "login failed");
	}
	if (r->sess != NULL)
		desk_sessions_end(d->sess, r->token);
	char token[DESK_TOKEN_LEN + 1];
	if (desk_sessions_login(d->sess, &key, token) != 0)
		return http_send_json_error(c, 503, "busy", "no session available");
	int okc = desk_make_cookie(r, COOKIE, token) == 0;
	sodium_memzero(token, sizeof token);
	if (!okc)
		return http_send_json_error(c, 500, "error", "cookie");
	struct buf b;
	buf_init(&b, 1024);
	enum MHD_Result res;
	if (buf_append_str(&b, "{\"officer\":") != BUF_OK ||
	    json_escape_str(&b, name, strlen(name)) != BUF_OK || buf_append_str(&b, "}") != BUF_OK)
		res = http_send_json_error(c, 500, "error", "response");
	else
		res = http_send(c, 200, "application/json", b.data, b.len, r->cookie, NULL);
	buf_release(&b);
	return res;
}

/* ---- dispatch ---- */

/* Whether the request may go on: a logged-in (enrolled) officer holding `roles`. */
static enum MHD_Result gate(struct MHD_Connection *c, struct req *r, unsigned roles, int *go)
{
	*go = 0;
	if (desk_registry_is_api(r->reg_route) &&
	    (r->sess == NULL || r->sv.enrolling || (r->sv.roles & roles) != roles ||
	     r->sv.key == NULL)) {
		r->responded = 1;
		return r->sess == NULL || r->sv.enrolling
		               ? http_send_json_error(c, 401, "login", "log in first")
		               : http_send_json_error(c, 403, "forbidden", "forbidden");
	}
	if (r->sess == NULL) {
		if (r->route >= R_LOGIN_POST)
			return desk_send_error(c, r, 403);
		return desk_redirect(c, r, "/login");
	}
	if (r->sv.enrolling) {
		if (r->route >= R_LOGIN_POST)
			return desk_send_error(c, r, 403);
		return desk_redirect(c, r, "/enrol");
	}
	if ((r->sv.roles & roles) != roles || r->sv.key == NULL)
		return desk_send_error(c, r, 403);
	*go = 1;
	return MHD_YES;
}

static unsigned route_roles(const struct req *r)
{
	switch (r->route) {
	case R_INBOX:
	case R_SOURCE:
	case R_SUBMISSION:
	case R_FILE:
	case R_MESSAGE_AGE:
	case R_SAFE:
	case R_SAFE_PDF:
	case R_SAFE_PNG:
	case R_SAFE_POST:
	case R_STAR:
	case R_LABEL:
	case R_REPLY:
	case R_DELETE:
	case R_BULK:
		return ROLE_INTAKE;
	case R_ADMIN:
	case R_ADMIN_ADD:
	case R_ADMIN_DISABLE:
	case R_ADMIN_ROLES:
	case R_ADMIN_RESET:
	case R_ADMIN_CLEARANCE:
		return ROLE_ADMIN;
	case R_REG_GET:
	case R_REG_POST:
		return desk_registry_roles(r->reg_route);
	default:
		return 0;
	}
}

static enum MHD_Result get(struct MHD_Connection *c, struct req *r, const char *url)
{
	int go;
	enum MHD_Result res;
	switch (r->route) {
	case R_NOT_FOUND:
		return desk_send_error(c, r, 404);
	case R_BAD_METHOD:
		return desk_send_error(c, r, 405);
	case R_CSS:
		r->responded = 1;
		return http_send(c, 200, "text/css; charset=utf-8", desk_css, strlen(desk_css),
		                 NULL, NULL);
	case R_JS:
		r->responded = 1;
		return http_send(c, 200, "text/javascript; charset=utf-8", desk_js, strlen(desk_js),
		                 NULL, NULL);
	case R_LOGIN_GET:
		return login_page(c, r, 200, NULL, 0, NULL);
	case R_ROOT:
		if (r->sess == NULL)
			return desk_redirect(c, r, "/login");
		if (r->sv.enrolling)
			return desk_redirect(c, r, "/enrol");
		return desk_redirect(c, r, home(r->sv.roles));
	case R_ENROL_GET:
		if (r->sess == NULL || !r->sv.enrolling)
			return desk_redirect(c, r, "/login");
		return enrol_page(c, r, 200, NULL);
	default:
		break;
	}
	res = gate(c, r, route_roles(r), &go);
	if (!go)
		return res;
	switch (r->route) {
	case R_INBOX:
		return desk_inbox_page(c, r);
	case R_SOURCE: {
		int64_t id;
		if (desk_parse_id(http_query(c, "id"), &id) != 0)
			return desk_send_error(c, r, 400);
		return desk_source_page(c, r, id, 200, NULL);
	}
	case R_SUBMISSION:
		return desk_submission_page(c, r);
	case R_FILE:
		return desk_download_file(c, r);
	case R_MESSAGE_AGE:
		return desk_download_message(c, r);
	case R_SAFE:
		return desk_safe_page(c, r);
	case R_SAFE_PDF:
		return desk_safe_pdf(c, r);
	case R_SAFE_PNG:
		return desk_safe_png(c, r);
	case R_ADMIN:
		return desk_admin_page(c, r, 200, NULL, 0);
	case R_REG_GET:
		return registry_request(c, r, NULL, url);
	case R_LEDGER:
		return desk_ledger_view_page(c, r);
	default:
		return desk_send_error(c, r, 404);
	}
}

static enum MHD_Result post(struct MHD_Connection *c, struct req *r)
{
	struct form f;
	memset(&f, 0, sizeof f);
	struct form_limits lim = form_default_limits;
	lim.max_body = FORM_MAX;
	lim.max_fields = r->route == R_BULK ? DESK_BULK_FIELDS : 256; /* ticked boxes */
	lim.max_value = FORM_MAX;
	enum MHD_Result res;
	if (r->too_large)
		return desk_send_error(c, r, 413);
	enum form_result fr = form_parse(&f, r->body.data != NULL ? (const char *)r->body.data : "",
	                                 r->body.len, &lim);
	if (fr != FORM_OK)
		return desk_send_error(c, r, r->route == R_BULK && fr == FORM_TOO_MANY ? 413 : 400);
	if (r->route == R_API_LOGIN) {
		const char *h = http_header(c, "X-Cutout-Api");
		res = h != NULL && strcmp(h, "1") == 0
		              ? api_login(c, r, &f)
		              : (r->responded = 1,
		                 http_send_json_error(c, 403, "header", "send X-Cutout-Api: 1"));
		goto out;
	}
	/* Every form carries its CSRF token, checked before anything else. */
	if (!csrf_ok(r, c, form_get(&f, "csrf"))) {
		res = desk_send_error(c, r, 403);
		goto out;
	}
	if (r->route == R_LOGIN_POST) {
		res = do_login(c, r, &f);
		goto out;
	}
	if (r->route == R_ENROL_POST) {
		res = r->sess != NULL ? do_enrol(c, r, &f) : desk_send_error(c, r, 403);
		goto out;
	}
	if (r->route == R_LOGOUT) {
		if (r->sess != NULL && !r->sv.enrolling &&
		    officer_logout(r->d->officers, r->sv.key) != OFFICER_OK) {
			res = desk_send_error(c, r, 500);
			goto out;
		}
		desk_sessions_end(r->d->sess, r->token);
		desk_sessions_release(r->d->sess, &r->sess);
		desk_make_cookie(r, COOKIE, "");
		struct desk_page p;
		desk_page_init(r, &p);
		res = desk_send_page(c, r, 200, DESK_PAGE_LOGGED_OUT, &p);
		goto out;
	}
	int go;
	res = gate(c, r, route_roles(r), &go);
	if (!go)
		goto out;
	if (r->route == R_REG_POST)
		res = registry_request(c, r, &f, "");
	else if (r->route == R_SAFE_POST)
		res = desk_safe_convert(c, r, &f);
	else if (r->route >= R_ADMIN_ADD)
		res = desk_admin_action(c, r, &f);
	else
		res = desk_source_action(c, r, &f);
out:
	/* Passwords and replies were in there. */
	if (f.storage != NULL)
		sodium_memzero(f.storage, f.storage_len);
	form_release(&f);
	return res;
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
		/* Only the configured names (DNS rebinding): before any session is looked at. */
		if (!http_host_allowed(http_header(c, "Host"),
		                       r->d->cfg.hosts != NULL ? r->d->cfg.hosts : "listen",
		                       r->d->cfg.host, desk_door_port(r->d))) {
			r->responded = 1;
			static const char why[] = "421 this door does not answer to that Host name "
			                          "(desk_hosts in cutout.conf)\n";
			return http_send(c, 421, "text/plain; charset=utf-8", why, sizeof why - 1,
			                 NULL, NULL);
		}
		load_session(r, c);
		if (desk_pick_lang(r, c) && r->sess != NULL && r->route < R_LOGIN_POST)
			return desk_redirect(c, r, "/"); /* remembered: the page without ?lang */
		if (r->route < R_LOGIN_POST)
			return get(c, r, url);
		const char *cl = http_header(c, "Content-Length");
		uint64_t len = 0;
		if (cl != NULL && (http_parse_u64(cl, &len) != 0 || len > FORM_MAX))
			return desk_send_error(c, r, 413);
		if (!http_form_type_ok(c))
			return desk_send_error(c, r, 415);
		buf_init(&r->body, FORM_MAX);
		return MHD_YES;
	}
	if (*size > 0) {
		if (!r->responded && !r->too_large && buf_append(&r->body, data, *size) != BUF_OK)
			r->too_large = 1;
		*size = 0;
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	return post(c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (r == NULL)
		return;
	desk_sessions_release(r->d->sess, &r->sess);
	buf_wipe_release(&r->body);
	sodium_memzero(r, sizeof *r);
	free(r);
	*con_cls = NULL;
}

void desk_door_defaults(struct desk_door_config *c)
{
	memset(c, 0, sizeof *c);
	c->host = "127.0.0.1";
	c->port = 8081;
	c->org = "cutout";
	c->default_clearance = "OFFICIAL";
	c->idle_seconds = 900;
	c->max_sessions = 1024;
	web_door_limits_default(&c->web);
	c->web.thread_stack = 1024 * 1024;
	render_limits_default(&c->render_limits);
}

int desk_door_start(const struct desk_door_config *cfg, struct store *store,
                    struct officers *officers, struct intake *in, struct desk_door **out)
{
	*out = NULL;
	struct desk_door *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	d->cfg = *cfg;
	d->store = store;
	d->officers = officers;
	d->in = in;
	desk_door_keys(d); /* the forms' CSRF key and the inbox cursors' */
	if (!cfg->scheme_set || registry_new(store, &cfg->scheme, &d->reg) != REGISTRY_OK) {
		free(d);
		return -1;
	}
	char helper[4096];
	if (inbox_new(store, d->reg, in, &d->inbox) != INBOX_OK ||
	    render_helper_path(helper, sizeof helper) != 0 ||
	    safeview_new(store, d->reg, d->inbox, helper, &cfg->render_limits, cfg->render,
	                 &d->safeview) != SAFEVIEW_OK) {
		inbox_free(&d->inbox);
		registry_free(&d->reg);
		free(d);
		return -1;
	}
	gate_init(&d->kdf, 2, web_door_queue_bound(&cfg->web, 2, 32)); /* waiters hold threads */
	if (desk_sessions_new(cfg->max_sessions, cfg->idle_seconds, &d->sess) != 0 ||
	    (cfg->shared_sessions &&
	     desk_sessions_use_store(d->sess, store, officers, cfg->session_salt,
	                             sizeof cfg->session_salt) != 0)) {
		desk_sessions_free(&d->sess);
		safeview_free(&d->safeview);
		inbox_free(&d->inbox);
		registry_free(&d->reg);
		free(d);
		return -1;
	}
	http_allow_self_scripts();
	if (web_door_start(cfg->host, cfg->port, &cfg->web, handler, d, completed, d, &d->web) !=
	    0) {
		desk_sessions_free(&d->sess);
		safeview_free(&d->safeview);
		inbox_free(&d->inbox);
		registry_free(&d->reg);
		free(d);
		return -1;
	}
	if (cfg->on_arrival && cfg->render != NULL &&
	    desk_arrival_start(d->safeview, d->sess, 2, &d->arrival) != 0)
		fprintf(stderr, "cutout desk: no conversion on arrival (no thread)\n");
	*out = d;
	return 0;
}

uint16_t desk_door_port(const struct desk_door *d)
{
	return web_door_port(d->web);
}

void desk_door_tick(struct desk_door *d)
{
	desk_sessions_sweep(d->sess);
}

void desk_door_stop(struct desk_door **pd)
{
	struct desk_door *d = *pd;
	if (d == NULL)
		return;
	desk_arrival_stop(&d->arrival);
	web_door_stop(&d->web);
	desk_sessions_free(&d->sess);
	safeview_free(&d->safeview);
	inbox_free(&d->inbox);
	registry_free(&d->reg);
	csrf_release(&d->csrf);
	sodium_memzero(d->cursor_key, sizeof d->cursor_key);
	free(d);
	*pd = NULL;
}
