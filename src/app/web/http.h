/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http: what every door's libmicrohttpd handler shares: responses with the
 * security headers, cookies, query and header lookups.
 *
 * Every response carries a strict Content-Security-Policy, no-referrer,
 * nosniff, DENY framing and no-store caching. No response names the server
 * software, and no function here logs anything about a client.
 */
#ifndef CUTOUT_APP_HTTP_H
#define CUTOUT_APP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "lib/buf.h"

#define HTTP_COOKIE_NAME "s"

/* Queues body (copied) with the security headers. Returns MHD_YES/MHD_NO. */
enum MHD_Result http_send(struct MHD_Connection *c, unsigned status, const char *content_type,
                          const void *body, size_t len, const char *set_cookie,
                          const char *location);
enum MHD_Result http_send_html(struct MHD_Connection *c, unsigned status, const struct buf *b,
                               const char *set_cookie);
enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const struct buf *b);
/* A small JSON error: {"error":"code","message":"..."} */
enum MHD_Result http_send_json_error(struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *message);
/* 303 See Other to a local path. */
enum MHD_Result http_redirect(struct MHD_Connection *c, const char *path, const char *set_cookie);

/* Adds the security headers every response carries. 0 or -1. */
int http_add_security_headers(struct MHD_Response *r);
/*
 * For the whole process: the CSP also allows scripts from the door itself
 * (script-src 'self'; never inline). The desk calls it; the intake never does,
 * and each door runs in its own process.
 */
void http_allow_self_scripts(void);

/* Header / query / cookie values (NULL when absent). */
const char *http_header(struct MHD_Connection *c, const char *name);
const char *http_query(struct MHD_Connection *c, const char *name);
const char *http_cookie(struct MHD_Connection *c, const char *name);

/*
 * Formats a Set-Cookie value: name=value; HttpOnly, SameSite=Strict, Path=/,
 * no Expires (it ends with the browser session); an empty value clears it.
 */
int http_cookie_header(char *out, size_t cap, const char *name, const char *value, int secure);
/*
 * Formats the Set-Cookie value for the session cookie (HttpOnly,
 * SameSite=Strict, Path=/, no Expires: it ends with the browser session);
 * an empty token clears it.
 */
int http_session_cookie(char *out, size_t cap, const char *token, int secure);

/*
 * Whether a POST's body may be read as a form, whatever its framing: its
 * Content-Type is application/x-www-form-urlencoded, or it has no type and
 * says it has no body (no Transfer-Encoding, Content-Length absent or 0).
 * Otherwise the door answers 415.
 */
int http_form_type_ok(struct MHD_Connection *c);

/* Parses a decimal uint64 strictly (no sign, no spaces). Returns 0 or -1. */
int http_parse_u64(const char *s, uint64_t *out);

#endif
