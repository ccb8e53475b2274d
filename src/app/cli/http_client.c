/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* http_client: one request with libcurl (app/cli/http_client.h). */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "app/cli/http_client.h"

#include "lib/banned.h"

struct sink {
	struct buf *b;
	size_t max;
	int too_large;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	if (size != 1 || nmemb > s->max - s->b->len || buf_append(s->b, p, nmemb) != BUF_OK) {
		s->too_large = 1;
		return 0;
	}
	return nmemb;
}

int http_client_do(const struct http_client_req *rq, struct buf *out)
{
	CURL *h = curl_easy_init();
	if (h == NULL)
		return -1;
	struct sink s = {.b = out, .max = rq->max};
	struct curl_slist *hdr = NULL, *t;
	char line[256];
	int post = strcmp(rq->method, "POST") == 0, okh = 1;
	if (post && rq->content_type != NULL) {
		int n = snprintf(line, sizeof line, "Content-Type: %s", rq->content_type);
		okh = n > 0 && (size_t)n < sizeof line &&
		      (t = curl_slist_append(hdr, line)) != NULL;
		if (okh)
			hdr = t;
	}
	if (okh && rq->header != NULL) {
		okh = (t = curl_slist_append(hdr, rq->header)) != NULL;
		if (okh)
			hdr = t;
	}
	if (okh && post) { /* no "Expect: 100-continue" round trip */
		okh = (t = curl_slist_append(hdr, "Expect:")) != NULL;
		if (okh)
			hdr = t;
	}
	long code = -1;
	int proxy = rq->socks != NULL && rq->socks[0] != '\0' && strcmp(rq->socks, "none") != 0;
	if (okh && out->len <= rq->max && curl_easy_setopt(h, CURLOPT_URL, rq->url) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	    (!post ||
	     (curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)rq->body) == CURLE_OK &&
	      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len) == CURLE_OK)) &&
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, rq->timeout) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, rq->timeout < 30 ? rq->timeout : 30L) ==
	            CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    (!proxy || curl_easy_setopt(h, CURLOPT_PROXY, rq->socks) == CURLE_OK) &&
	    curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		char *ct = NULL;
		if (rq->content_type_out != NULL && rq->content_type_cap > 0) {
			rq->content_type_out[0] = '\0';
			if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
			    ct != NULL && strlen(ct) < rq->content_type_cap)
				memcpy(rq->content_type_out, ct, strlen(ct) + 1);
		}
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return code >= 100 && code < 600 && !s.too_large ? (int)code : -1;
}
