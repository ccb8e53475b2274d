/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_liaison_push: `cutout liaison push PARTNER`, the online client of the
 * exchange: the next bundle for PARTNER (liaison_export, as `liaison
 * export`), POSTed to the partner's liaison door (its URL + /v1/bundle,
 * through liaison_socks when set), and the signed receipt it answers
 * recorded (liaison_receipt, as `liaison receipt`). The same use cases as
 * the file path: the ledger holds the same entries either way.
 * `cutout liaison pull PARTNER` is the other way: a GET of the partner's
 * /v1/bundle signed with the instance key (Cutout-Signature, liaison.h), the
 * bundle imported (liaison_import) and its receipt POSTed to /v1/receipt.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/liaison_keys.h"
#include "app/cli/http_client.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

#define L "liaison"

/* PARTNER's URL + path into url. 0, or -1 (said). */
static int partner_url(struct officer_cli_sess *s, const char *partner, const char *path, char *url,
                       size_t cap)
{
	struct store_partner p;
	const char *why = NULL;
	if (liaison_partner_show(s->reg, s->key, partner, &p) != LIAISON_OK)
		why = "no such partner (or not allowed to see it)";
	else if (p.url[0] == '\0')
		why = "no liaison URL (exchange by file)";
	if (why == NULL) {
		size_t n = strlen(p.url);
		int k = snprintf(url, cap, "%s%s", p.url, p.url[n - 1] == '/' ? path + 1 : path);
		if (k < 0 || (size_t)k >= cap)
			why = "its URL is too long";
	}
	if (why != NULL) {
		cli_fail(L, "partner %s: %s", partner, why);
		return -1;
	}
	return 0;
}

static int print_receipt_item(void *ctx, int64_t id, const char *reason)
{
	(void)ctx;
	if (reason != NULL)
		printf("refused\t%lld\t%s\n", (long long)id, reason);
	return 0;
}

/* A partner's door that did not answer 200: said, with the first line of its answer. */
static void http_refused(const char *url, const char *what, int st, const struct buf *answer,
                         const char *after)
{
	cli_fail(L, "%s: %s%s%d: %.*s%s", url, what, st < 0 ? "no answer " : "status ", st,
	         (int)strcspn(buf_str(answer), "\n"), buf_str(answer), after);
}

int liaison_push(const char *dir, const char *as, const char *ident, const char *partner)
{
	struct officer_cli_sess s;
	int rc = officer_cli_sess_open(L, dir, as, &s);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_FAIL;
	struct liaison_error err = {{0}};
	struct liaison_summary sum;
	struct liaison_receipt_summary rs;
	struct buf b, answer;
	struct liaison_keys keys;
	struct liaison_self self;
	char url[1024], after[160];
	buf_init(&b, LIAISON_BUNDLE_MAX);
	buf_init(&answer, BUNDLE_RECEIPT_MAX);
	memset(&keys, 0, sizeof keys);
	const struct conf *cf = instance_conf(s.inst);
	if (partner_url(&s, partner, "/v1/bundle", url, sizeof url) != 0 ||
	    liaison_keys_open(L, s.inst, dir, ident, LIAISON_KEYS_SIGN, &keys) != CLI_EXIT_OK)
		goto out;
	liaison_keys_self(&keys, cf, &self);
	enum liaison_result r =
	        liaison_export(s.reg, s.key, &self, partner, -1, &b, &sum, NULL, NULL, &err);
	sodium_memzero(keys.sk, 64);
	if (r != LIAISON_OK) {
		cli_fail(L, "%s%s%s", liaison_strerror(r), err.msg[0] ? ": " : "", err.msg);
		goto out;
	}
	printf("bundle %llu for %s: %zu sent, %zu withheld\n", (unsigned long long)sum.seq,
	       sum.partner, sum.sent, sum.withheld);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct http_client_req rq = {.url = url,
	                             .method = "POST",
	                             .content_type = "application/octet-stream",
	                             .body = b.data,
	                             .len = b.len,
	                             .socks = cf->liaison_socks,
	                             .timeout = 300,
	                             .max = BUNDLE_RECEIPT_MAX};
	int st = http_client_do(&rq, &answer);
	curl_global_cleanup();
	if (st != 200) {
		snprintf(after, sizeof after,
		         " (bundle %llu is recorded as sent, without a receipt: push the next one "
		         "once the partner takes it, or send it by file)",
		         (unsigned long long)sum.seq);
		http_refused(url, "", st, &answer, after);
		goto out;
	}
	r = liaison_receipt(s.reg, s.key, &self, answer.data, answer.len, &rs, print_receipt_item,
	                    NULL, &err);
	if (r != LIAISON_OK) {
		cli_fail(L, "the partner's receipt: %s%s%s", liaison_strerror(r),
		         err.msg[0] ? ": " : "", err.msg);
		goto out;
	}
	printf("receipt of bundle %llu from %s recorded: %zu accepted, %zu refused\n",
	       (unsigned long long)rs.seq, rs.partner, rs.accepted, rs.refused);
	if (sum.more)
		printf("more reports are left for the next bundle: push again\n");
	rc = CLI_EXIT_OK;
out:
	liaison_keys_close(&keys);
	buf_release(&b);
	buf_release(&answer);
	officer_cli_sess_close(&s);
	return rc;
}

int liaison_pull_cmd(const char *dir, const char *as, const char *ident, const char *partner)
{
	struct officer_cli_sess s;
	int rc = officer_cli_sess_open(L, dir, as, &s);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_FAIL;
	struct liaison_error err = {{0}};
	struct liaison_summary sum;
	struct liaison_keys keys;
	struct liaison_self self;
	struct buf b, rcp, answer;
	char url[1024], rurl[1024], hdr[512];
	memset(&keys, 0, sizeof keys);
	buf_init(&b, LIAISON_BUNDLE_MAX);
	buf_init(&rcp, BUNDLE_RECEIPT_MAX);
	buf_init(&answer, 4096);
	const struct conf *cf = instance_conf(s.inst);
	if (partner_url(&s, partner, "/v1/bundle", url, sizeof url) != 0 ||
	    partner_url(&s, partner, "/v1/receipt", rurl, sizeof rurl) != 0 ||
	    liaison_keys_open(L, s.inst, dir, ident, LIAISON_KEYS_SIGN | LIAISON_KEYS_OPEN,
	                      &keys) != CLI_EXIT_OK)
		goto out;
	liaison_keys_self(&keys, cf, &self);
	memcpy(hdr, "Cutout-Signature: ", 18);
	if (liaison_pull_sign(keys.origin, keys.sk, "GET", "/v1/bundle", store_today(), hdr + 18,
	                      sizeof hdr - 18) != 0) {
		cli_fail(L, "could not sign the request");
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct http_client_req rq = {.url = url,
	                             .method = "GET",
	                             .header = hdr,
	                             .socks = cf->liaison_socks,
	                             .timeout = 300,
	                             .max = LIAISON_BUNDLE_MAX};
	int st = http_client_do(&rq, &b);
	if (st == 204) {
		printf("nothing new from %s\n", partner);
		rc = CLI_EXIT_OK;
		goto out_curl;
	}
	if (st != 200) {
		http_refused(url, "", st, &b, "");
		goto out_curl;
	}
	enum liaison_result r =
	        liaison_import(s.reg, s.key, &self, b.data, b.len, &sum, NULL, NULL, &rcp, &err);
	if (r != LIAISON_OK) {
		cli_fail(L, "%s%s%s", liaison_strerror(r), err.msg[0] ? ": " : "", err.msg);
		goto out_curl;
	}
	printf("bundle %llu from %s: %zu received, %zu refused, %zu withheld by the partner\n",
	       (unsigned long long)sum.seq, sum.partner, sum.received, sum.refused,
	       sum.partner_withheld);
	struct http_client_req rr = {.url = rurl,
	                             .method = "POST",
	                             .content_type = "text/plain; charset=utf-8",
	                             .body = rcp.data,
	                             .len = rcp.len,
	                             .socks = cf->liaison_socks,
	                             .timeout = 60,
	                             .max = 4096};
	st = http_client_do(&rr, &answer);
	if (st != 200) {
		http_refused(rurl, "the receipt: ", st, &answer, "");
		goto out_curl;
	}
	printf("receipt of bundle %llu sent to %s: recorded\n", (unsigned long long)sum.seq,
	       sum.partner);
	rc = CLI_EXIT_OK;
out_curl:
	curl_global_cleanup();
out:
	liaison_keys_close(&keys);
	buf_release(&b);
	buf_release(&rcp);
	buf_release(&answer);
	officer_cli_sess_close(&s);
	return rc;
}
