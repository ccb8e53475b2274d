/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_safe: "View safely" (docs/safe-viewing.md). The pages of a file's
 * safe copy as images (each rendered from the clean PDF by the confined
 * converter, served under the page's CSP: img-src 'self'), the clean PDF to
 * download, the original with its warning; and the form that asks for the
 * conversion. Everything is decided in core/safeview: this parses, calls and
 * renders.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/desk/desk_internal.h"
#include "app/web/http.h"
#include "app/web/markup.h"
#include "core/safeview/safeview.h"

#include "lib/banned.h"

#define VIEW_PAGES_MAX 500 /* page images on one view (a longer copy: download it) */
#define SAFE_PDF_MAX ((size_t)1 << 30)
#define SAFE_PNG_MAX ((size_t)512 << 20)

static unsigned status_of(enum safeview_result r)
{
	switch (r) {
	case SAFEVIEW_OK:
		return 200;
	case SAFEVIEW_NOT_FOUND:
		return 404;
	case SAFEVIEW_REFUSED:
		return 422;
	case SAFEVIEW_CANNOT_OPEN:
		return 403;
	case SAFEVIEW_BUSY:
		return 503;
	default:
		return 500;
	}
}

static int file_of(struct MHD_Connection *c, const char *sub_s, const char *n_s, int64_t *sub,
                   int64_t *n)
{
	(void)c;
	return desk_parse_id(sub_s, sub) == 0 && desk_parse_id(n_s, n) == 0 ? 0 : -1;
}

/* "?sub=S&amp;n=N" */
static void file_query(struct w *w, int64_t sub, int64_t n)
{
	raw(w, "?sub=");
	num(w, sub);
	raw(w, "&amp;n=");
	num(w, n);
}

static enum MHD_Result view(struct MHD_Connection *c, struct req *r, int64_t sub, int64_t n,
                            unsigned status, const char *reason)
{
	uint32_t pages = 0;
	enum safeview_result sr = safeview_view(r->d->safeview, r->sv.key, sub, n, &pages);
	if (sr != SAFEVIEW_OK && sr != SAFEVIEW_NOT_FOUND)
		return desk_send_error(c, r, status_of(sr));
	if (sr == SAFEVIEW_NOT_FOUND) {
		/* no copy yet, or not theirs: the same answer for both until they ask */
		struct inbox_file_access a;
		enum inbox_result ir = inbox_file_access(r->d->inbox, r->sv.key, sub, n, &a);
		inbox_file_access_release(&a);
		if (ir != INBOX_OK)
			return desk_send_error(c, r, 404);
	}
	struct buf b;
	buf_init(&b, PAGE_MAX);
	struct w w = {.b = &b, .lang = r->lang};
	raw(&w, "<p><a href=\"/submission?id=");
	num(&w, sub);
	el(&w, "\">", "desk.safe.back", "</a></p>");
	if (reason != NULL) {
		el(&w, "<p class=\"notice error\" role=\"alert\">", "desk.safe.refused", " ");
		esc_str(&w, reason);
		raw(&w, "</p>");
	}
	el(&w, "<p class=\"muted\">", "desk.safe.explain", "</p>");
	if (sr == SAFEVIEW_OK) {
		raw(&w, "<p id=\"safe-pages\" data-pages=\"");
		u64(&w, pages);
		raw(&w, "\">");
		text(&w, "desk.safe.pages");
		raw(&w, " ");
		u64(&w, pages);
		raw(&w, " · <a class=\"download-safe\" href=\"/file/safe.pdf");
		file_query(&w, sub, n);
		el(&w, "\">", "desk.safe.download", "</a></p>");
		raw(&w, "<div class=\"safe-pages\">");
		for (uint32_t k = 1; k <= pages && k <= VIEW_PAGES_MAX; k++) {
			raw(&w, "<figure class=\"safe-page\"><img src=\"/file/safe.png");
			file_query(&w, sub, n);
			raw(&w, "&amp;p=");
			u64(&w, k);
			raw(&w, "\" alt=\"");
			u64(&w, k);
			raw(&w, "\" loading=\"lazy\"><figcaption>");
			u64(&w, k);
			raw(&w, "</figcaption></figure>");
		}
		raw(&w, "</div>");
		if (pages > VIEW_PAGES_MAX)
			el(&w, "<p class=\"muted\">", "desk.safe.more", "</p>");
	} else {
		raw(&w, "<form method=\"post\" action=\"/file/safe\">");
		csrf_field(&w, r->csrf);
		id_field(&w, "sub", sub);
		id_field(&w, "n", n);
		el(&w, "<button type=\"submit\" id=\"convert\">", "desk.safe.convert",
		   "</button></form>");
	}
	el(&w, "<p class=\"muted\">", "desk.submission.warning", " ");
	raw(&w, "<a class=\"download\" href=\"/file");
	file_query(&w, sub, n);
	el(&w, "\">", "desk.safe.original", "</a></p>");
	struct desk_page p;
	desk_page_init(r, &p);
	p.title_key = "desk.safe.title";
	p.body_html = buf_str(&b);
	enum MHD_Result res = w.failed ? desk_send_error(c, r, 500)
	                               : desk_send_page(c, r, status, DESK_PAGE_BODY, &p);
	buf_wipe_release(&b);
	return res;
}

enum MHD_Result desk_safe_page(struct MHD_Connection *c, struct req *r)
{
	int64_t sub, n;
	if (file_of(c, http_query(c, "sub"), http_query(c, "n"), &sub, &n) != 0)
		return desk_send_error(c, r, 400);
	return view(c, r, sub, n, 200, NULL);
}

enum MHD_Result desk_safe_convert(struct MHD_Connection *c, struct req *r, struct form *f)
{
	int64_t sub, n;
	if (file_of(c, form_get(f, "sub"), form_get(f, "n"), &sub, &n) != 0)
		return desk_send_error(c, r, 400);
	struct safeview_info info;
	char reason[SAFEVIEW_REASON_MAX];
	enum safeview_result sr =
	        safeview_convert(r->d->safeview, r->sv.key, sub, n, &info, reason);
	if (sr == SAFEVIEW_REFUSED)
		return view(c, r, sub, n, 422, reason);
	if (sr != SAFEVIEW_OK)
		return desk_send_error(c, r, status_of(sr));
	char to[96];
	int k = snprintf(to, sizeof to, "/file/safe?sub=%" PRId64 "&n=%" PRId64, sub, n);
	if (k < 0 || (size_t)k >= sizeof to)
		return desk_send_error(c, r, 500);
	return desk_redirect(c, r, to);
}

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

static enum MHD_Result send_bytes(struct MHD_Connection *c, struct req *r, const char *type,
                                  const char *disposition, const struct buf *b)
{
	struct MHD_Response *resp =
	        MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	int ok = http_add_security_headers(resp) == 0 &&
	         MHD_add_response_header(resp, "Content-Type", type) == MHD_YES &&
	         (disposition == NULL ||
	          MHD_add_response_header(resp, "Content-Disposition", disposition) == MHD_YES);
	r->responded = 1;
	enum MHD_Result res = ok ? MHD_queue_response(c, 200, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return res;
}

enum MHD_Result desk_safe_pdf(struct MHD_Connection *c, struct req *r)
{
	int64_t sub, n;
	if (file_of(c, http_query(c, "sub"), http_query(c, "n"), &sub, &n) != 0)
		return desk_send_error(c, r, 400);
	struct buf b;
	buf_init(&b, SAFE_PDF_MAX);
	enum safeview_result sr = safeview_open(r->d->safeview, r->sv.key, sub, n, to_buf, &b);
	char disp[96];
	int k = snprintf(disp, sizeof disp,
	                 "attachment; filename=\"submission-%" PRId64 "-file-%" PRId64
	                 "-safe.pdf\"",
	                 sub, n);
	enum MHD_Result res = sr != SAFEVIEW_OK ? desk_send_error(c, r, status_of(sr))
	                      : k < 0 || (size_t)k >= sizeof disp
	                              ? desk_send_error(c, r, 500)
	                              : send_bytes(c, r, "application/pdf", disp, &b);
	buf_wipe_release(&b);
	return res;
}

enum MHD_Result desk_safe_png(struct MHD_Connection *c, struct req *r)
{
	int64_t sub, n, page;
	if (file_of(c, http_query(c, "sub"), http_query(c, "n"), &sub, &n) != 0 ||
	    desk_parse_id(http_query(c, "p"), &page) != 0 || page > UINT32_MAX)
		return desk_send_error(c, r, 400);
	struct buf b;
	buf_init(&b, SAFE_PNG_MAX);
	enum safeview_result sr =
	        safeview_page(r->d->safeview, r->sv.key, sub, n, (uint32_t)page, &b);
	enum MHD_Result res = sr == SAFEVIEW_OK ? send_bytes(c, r, "image/png", NULL, &b)
	                                        : desk_send_error(c, r, status_of(sr));
	buf_wipe_release(&b);
	return res;
}
