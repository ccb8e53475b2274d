/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/web/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/web/json.h"
#include "lib/num.h"

#include "lib/banned.h"

static const char csp_no_script[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
                                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
static const char csp_self_script[] =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
static const char *csp = csp_no_script;

void http_allow_self_scripts(void)
{
	csp = csp_self_script;
}

int http_add_security_headers(struct MHD_Response *r)
{
	int ok = 1;
	ok &= MHD_add_response_header(r, "Content-Security-Policy", csp) == MHD_YES;
	ok &= MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES;
	ok &= MHD_add_response_header(r, "X-Frame-Options", "DENY") == MHD_YES;
	ok &= MHD_add_response_header(r, "Referrer-Policy", "no-referrer") == MHD_YES;
	ok &= MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES;
	ok &= MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin") == MHD_YES;
	ok &= MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin") == MHD_YES;
	ok &= MHD_add_response_header(r, "Permissions-Policy",
	                              "camera=(), microphone=(), geolocation=()") == MHD_YES;
	return ok ? 0 : -1;
}

enum MHD_Result http_send(struct MHD_Connection *c, unsigned status, const char *content_type,
                          const void *body, size_t len, const char *set_cookie,
                          const char *location)
{
	struct MHD_Response *r =
	        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	int ok = 1;
	if (content_type != NULL)
		ok &= MHD_add_response_header(r, "Content-Type", content_type) == MHD_YES;
	ok &= http_add_security_headers(r) == 0;
	if (set_cookie != NULL)
		ok &= MHD_add_response_header(r, "Set-Cookie", set_cookie) == MHD_YES;
	if (location != NULL)
		ok &= MHD_add_response_header(r, "Location", location) == MHD_YES;
	enum MHD_Result res = ok ? MHD_queue_response(c, status, r) : MHD_NO;
	MHD_destroy_response(r);
	return res;
}

enum MHD_Result http_send_html(struct MHD_Connection *c, unsigned status, const struct buf *b,
                               const char *set_cookie)
{
	return http_send(c, status, "text/html; charset=utf-8", buf_str(b), b->len, set_cookie,
	                 NULL);
}

enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const struct buf *b)
{
	return http_send(c, status, "application/json", buf_str(b), b->len, NULL, NULL);
}

enum MHD_Result http_send_json_error(struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *message)
{
	struct buf b;
	buf_init(&b, 4096);
	enum MHD_Result r = MHD_NO;
	if (buf_append_str(&b, "{\"error\":") == BUF_OK &&
	    json_escape_str(&b, code, strlen(code)) == 0 &&
	    buf_append_str(&b, ",\"message\":") == BUF_OK &&
	    json_escape_str(&b, message, strlen(message)) == 0 &&
	    buf_append_str(&b, "}\n") == BUF_OK)
		r = http_send_json(c, status, &b);
	buf_release(&b);
	return r;
}

enum MHD_Result http_redirect(struct MHD_Connection *c, const char *path, const char *set_cookie)
{
	return http_send(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, set_cookie,
	                 path);
}

const char *http_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

const char *http_query(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_COOKIE_KIND, name);
}

int http_cookie_header(char *out, size_t cap, const char *name, const char *value, int secure)
{
	int n;
	if (value == NULL || value[0] == 0)
		n = snprintf(out, cap, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", name,
		             secure ? "; Secure" : "");
	else
		n = snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", name, value,
		             secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int http_session_cookie(char *out, size_t cap, const char *token, int secure)
{
	return http_cookie_header(out, cap, HTTP_COOKIE_NAME, token, secure);
}

int http_form_type_ok(struct MHD_Connection *c)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const size_t n = sizeof form - 1;
	const char *ct = http_header(c, "Content-Type");
	if (ct != NULL)
		return strncasecmp(ct, form, n) == 0 && (ct[n] == 0 || ct[n] == ';');
	/* No type: only a body said to be empty (a chunked one may not be). */
	const char *cl = http_header(c, "Content-Length");
	uint64_t len;
	if (http_header(c, "Transfer-Encoding") != NULL)
		return 0;
	return cl == NULL || (num_parse_u64(cl, &len) == 0 && len == 0);
}

int http_parse_u64(const char *s, uint64_t *out)
{
	return num_parse_u64(s, out);
}
