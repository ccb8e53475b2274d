/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_bulk: the inbox's bulk form (POST /inbox): the ticked sources' ids, an
 * action (mark read, mark unread, star, unstar, label, delete, download) and, for a label, its
 * text. core/inbox (inbox_bulk) acts on each through its own use case with the access decision
 * applied to each; this parses, asks before a deletion (a second page), and answers with a redirect
 * to the inbox that says how many were done and how many were not permitted (POST/redirect/GET). A
 * download answers with the archive itself (inbox_archive: a ZIP of what the officer may read,
 * streamed from a decrypting thread; its contents.txt counts what was not permitted), or a 413 that
 * says the bound.
 */
#include "app/desk/desk_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/web/markup.h"

#include "lib/banned.h"

static const struct {
	const char *name;
	enum inbox_bulk_op op;
} ops[] = {
        {"read", INBOX_BULK_READ},     {"unread", INBOX_BULK_UNREAD}, {"star", INBOX_BULK_STAR},
        {"unstar", INBOX_BULK_UNSTAR}, {"label", INBOX_BULK_LABEL},   {"delete", INBOX_BULK_DELETE},
};

/* The name of an action from the form or the redirect ("read", ...), or NULL. */
const char *desk_bulk_op_name(const char *s)
{
	for (size_t i = 0; s != NULL && i < sizeof ops / sizeof *ops; i++)
		if (strcmp(s, ops[i].name) == 0)
			return ops[i].name;
	return NULL;
}

/* v in decimal into out[32] (always fits: checked all the same); sets w->failed if not. */
static void dec(struct w *w, uint64_t v, char out[static 32])
{
	int n = snprintf(out, 32, "%" PRIu64, v);
	if (n < 0 || n >= 32) {
		out[0] = '\0';
		w->failed = 1;
	}
}

/* A page of its own: the reason a bulk request was refused, or the deletion's question. */
static enum MHD_Result body_page(struct MHD_Connection *c, struct req *r, unsigned status,
                                 struct buf *html)
{
	struct desk_page p;
	desk_page_init(r, &p);
	p.title_key = "desk.bulk.title";
	p.body_html = buf_str(html);
	enum MHD_Result res = desk_send_page(c, r, status, DESK_PAGE_BODY, &p);
	buf_release(html);
	return res;
}

static enum MHD_Result refuse(struct MHD_Connection *c, struct req *r, unsigned status,
                              const char *key, size_t n)
{
	struct buf html;
	buf_init(&html, 4096);
	struct w w = {&html, r->lang, 0};
	char a[32], b[32];
	dec(&w, n, a);
	dec(&w, INBOX_BULK_MAX, b);
	const char *vars[] = {"n", a, "max", b, NULL};
	el(&w, "<h1>", "desk.bulk.title",
	   "</h1><p class=\"notice\" role=\"alert\" id=\"bulk-error\">");
	text_vars(&w, key, vars);
	el(&w, "</p><p><a href=\"/inbox\">", "desk.back", "</a></p>");
	if (w.failed) {
		buf_release(&html);
		return desk_send_error(c, r, 500);
	}
	return body_page(c, r, status, &html);
}

/* The question before a deletion: the same form again, with confirm=yes. */
static enum MHD_Result confirm_page(struct MHD_Connection *c, struct req *r, const store_id *ids,
                                    size_t n)
{
	struct buf html;
	buf_init(&html, 4096 + n * 64);
	struct w w = {&html, r->lang, 0};
	char a[32];
	dec(&w, n, a);
	const char *vars[] = {"n", a, NULL};
	el(&w, "<h1>", "desk.bulk.delete_title", "</h1><p id=\"bulk-confirm-text\">");
	text_vars(&w, "desk.bulk.delete_text", vars);
	raw(&w, "</p><form method=\"post\" action=\"/inbox\">");
	csrf_field(&w, r->csrf);
	raw(&w, "<input type=\"hidden\" name=\"do\" value=\"delete\">"
	        "<input type=\"hidden\" name=\"confirm\" value=\"yes\"><ul>");
	for (size_t i = 0; i < n; i++) {
		char id[32];
		dec(&w, (uint64_t)ids[i], id); /* ids are > 0 (desk_parse_id) */
		const char *iv[] = {"id", id, NULL};
		id_field(&w, "id", ids[i]);
		raw(&w, "<li>");
		text_vars(&w, "desk.source.name", iv);
		raw(&w, "</li>");
	}
	el(&w, "</ul><p><button class=\"danger\" type=\"submit\" id=\"bulk-delete-yes\">",
	   "desk.bulk.delete_yes", "</button> ");
	el(&w, "<a href=\"/inbox\" id=\"bulk-delete-no\">", "desk.bulk.delete_no",
	   "</a></p></form>");
	if (w.failed) {
		buf_release(&html);
		return desk_send_error(c, r, 500);
	}
	return body_page(c, r, 200, &html);
}

/* The chosen sources' submissions as one ZIP archive (inbox_archive), streamed. */
static enum MHD_Result download(struct MHD_Connection *c, struct req *r, const store_id *ids,
                                size_t n)
{
	struct inbox_archive *ar = NULL;
	struct inbox_archive_counts counts;
	enum inbox_result ir = inbox_archive(r->d->inbox, r->sv.key, ids, n, &ar, &counts);
	if (ir == INBOX_OK && counts.too_large)
		return refuse(c, r, 413, "desk.bulk.archive_too_large", 0);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, ir == INBOX_BUSY ? 503 : ir == INBOX_FULL ? 507 : 500);
	if (counts.sources == 0) {
		inbox_archive_free(&ar);
		return refuse(c, r, 404, "desk.bulk.archive_none", 0);
	}
	return desk_send_archive(c, r, &ar, "sources.zip");
}

enum MHD_Result desk_bulk_action(struct MHD_Connection *c, struct req *r, struct form *f)
{
	const char *doing = form_get(f, "do");
	bool is_download = doing != NULL && strcmp(doing, "download") == 0;
	const char *name = desk_bulk_op_name(doing);
	enum inbox_bulk_op op = 0;
	for (size_t i = 0; name != NULL && i < sizeof ops / sizeof *ops; i++)
		if (ops[i].name == name)
			op = ops[i].op;
	if (op == 0 && !is_download)
		return refuse(c, r, 400, "desk.bulk.no_action", 0);
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++)
		n += strcmp(f->fields[i].name, "id") == 0;
	if (n == 0)
		return refuse(c, r, 400, "desk.bulk.none", 0);
	if (n > INBOX_BULK_MAX)
		return refuse(c, r, 413, "desk.bulk.too_many", n);
	store_id ids[INBOX_BULK_MAX];
	size_t k = 0;
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, "id") != 0)
			continue;
		if (desk_parse_id(f->fields[i].value, &ids[k]) != 0)
			return desk_send_error(c, r, 400);
		k++;
	}
	if (is_download)
		return download(c, r, ids, n);
	const char *confirm = form_get(f, "confirm");
	if (op == INBOX_BULK_DELETE && (confirm == NULL || strcmp(confirm, "yes") != 0))
		return confirm_page(c, r, ids, n);
	const char *label = form_get(f, "label");
	struct inbox_bulk_result res;
	enum inbox_result ir =
	        inbox_bulk(r->d->inbox, r->sv.key, op, ids, n, label != NULL ? label : "", &res);
	if (ir == INBOX_BAD_INPUT && op == INBOX_BULK_LABEL)
		return refuse(c, r, 400, "desk.bulk.bad_label", 0);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, ir == INBOX_BUSY ? 503 : ir == INBOX_FULL ? 507 : 500);
	char to[96];
	int m = snprintf(to, sizeof to, "/inbox?bulk=%s&done=%zu&refused=%zu", name, res.done,
	                 res.refused);
	if (m < 0 || (size_t)m >= sizeof to)
		return desk_send_error(c, r, 500);
	return desk_redirect(c, r, to);
}
