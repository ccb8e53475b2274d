/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_client: one HTTP request with libcurl, for the CLI's liaison clients
 * (`liaison push`, `ledger cosign`): http and https only, a timeout on the
 * whole request, the answer's body capped, and an optional SOCKS5h proxy
 * (liaison_socks: Tor's, names resolved by the proxy). No redirect is
 * followed. The caller calls curl_global_init once.
 */
#ifndef CUTOUT_APP_CLI_HTTP_CLIENT_H
#define CUTOUT_APP_CLI_HTTP_CLIENT_H

#include <stddef.h>

#include "lib/buf.h"

struct http_client_req {
	const char *url;
	const char *method;       /* "GET" or "POST" */
	const char *content_type; /* POST */
	const void *body;         /* POST */
	size_t len;
	const char *header;     /* one extra header line, or NULL */
	const char *socks;      /* "socks5h://host:port", or NULL / "" / "none" */
	long timeout;           /* seconds for the whole request */
	size_t max;             /* bytes of the answer's body */
	char *content_type_out; /* the answer's Content-Type (may be NULL) */
	size_t content_type_cap;
};

/* The status (100..599) and the body in out, or -1 (no answer, or over max). */
__attribute__((warn_unused_result)) int http_client_do(const struct http_client_req *rq,
                                                       struct buf *out);

#endif
