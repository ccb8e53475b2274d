/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The desk: the inbox, its pages and downloads, and actions on a source (core/inbox decides). */
#include "app/desk/desk_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/web/http.h"
#include "core/inbox/deadlines.h"
#include "core/ledger/ledger.h"
#include "lib/num.h"
#include "lib/utf8.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

/* ---- the inbox: core/inbox decides what the officer may see and do; this renders ---- */

static unsigned inbox_status(enum inbox_result ir)
{
	switch (ir) {
	case INBOX_OK:
		return 200;
	case INBOX_NOT_FOUND:
		return 404;
	case INBOX_FORBIDDEN:
		return 403;
	case INBOX_BAD_INPUT:
		return 400;
	case INBOX_BUSY:
		return 503;
	case INBOX_FULL:
		return 507;
	case INBOX_FAILED:
		break;
	}
	return 500;
}

/*
 * The inbox's page cursor is the position (a submission id) where the next
 * page starts; that submission may be one the reader may not read, so the
 * cursor leaves the door sealed (secretbox under a key of this process, or of
 * the instance when its sessions are shared by several nodes) and tells the
 * reader nothing. A cursor from another key is a 400; a plain number is taken
 * as a position the reader chose.
 */
#define CURSOR_RAW (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 8)
#define CURSOR_LEN 64 /* base64url of CURSOR_RAW (48) bytes, no padding */

void desk_door_keys(struct desk_door *d)
{
	if (!d->cfg.shared_sessions) {
		csrf_init(&d->csrf);
		randombytes_buf(d->cursor_key, sizeof d->cursor_key);
		return;
	}
	/* several nodes: a form or a cursor one node made, another takes */
	static const uint8_t cctx[] = "cutout desk csrf seed v1", kctx[] = "cutout desk cursor v1";
	uint8_t seed[32];
	crypto_generichash(seed, sizeof seed, cctx, sizeof cctx - 1, d->cfg.session_salt,
	                   sizeof d->cfg.session_salt);
	csrf_init_shared(&d->csrf, seed, sizeof seed);
	sodium_memzero(seed, sizeof seed);
	crypto_generichash(d->cursor_key, sizeof d->cursor_key, kctx, sizeof kctx - 1,
	                   d->cfg.session_salt, sizeof d->cfg.session_salt);
}

static void cursor_seal(const struct desk_door *d, int64_t v, char out[static CURSOR_LEN + 1])
{
	uint8_t m[8], c[CURSOR_RAW];
	for (int i = 0; i < 8; i++)
		m[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	randombytes_buf(c, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(c + crypto_secretbox_NONCEBYTES, m, sizeof m, c, d->cursor_key);
	sodium_bin2base64(out, CURSOR_LEN + 1, c, sizeof c,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int cursor_open(const struct desk_door *d, const char *s, int64_t *v)
{
	uint8_t c[CURSOR_RAW], m[8];
	size_t n = 0;
	if (strlen(s) != CURSOR_LEN ||
	    sodium_base642bin(c, sizeof c, s, CURSOR_LEN, NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof c ||
	    crypto_secretbox_open_easy(m, c + crypto_secretbox_NONCEBYTES,
	                               sizeof c - crypto_secretbox_NONCEBYTES, c,
	                               d->cursor_key) != 0)
		return -1;
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = u << 8 | m[i];
	if (u == 0 || u > INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

/* Today, the day the deadlines' statuses are about (UTC, as the ledger's days). */
static int32_t today(void)
{
	return (int32_t)(time(NULL) / 86400);
}

/*
 * The overdue view (?overdue=1): the sources with an overdue deadline, most
 * urgent first (core/inbox/deadlines.c orders them), paged by a sealed offset;
 * each row read through inbox_source, the access decision.
 */
static enum inbox_result overdue_rows(struct req *r, int64_t offset, struct store_desk_source *rows,
                                      struct inbox_due *dues, size_t *n, int64_t *next)
{
	struct inbox_due found[PAGE_ROWS];
	size_t nf, total;
	*n = 0;
	*next = 0;
	enum inbox_result ir = inbox_overdue(r->d->inbox, r->sv.key, today(), (size_t)offset, found,
	                                     PAGE_ROWS, &nf, &total);
	if (ir != INBOX_OK)
		return ir;
	for (size_t i = 0; i < nf; i++) {
		if (inbox_source(r->d->inbox, r->sv.key, found[i].source, &rows[*n]) != INBOX_OK)
			continue; /* not the officer's to see (any more): left out */
		dues[(*n)++] = found[i];
	}
	if ((size_t)offset + nf < total)
		*next = offset + (int64_t)nf;
	return INBOX_OK;
}

enum MHD_Result desk_inbox_page(struct MHD_Connection *c, struct req *r)
{
	int64_t before = 0;
	const char *b = http_query(c, "before");
	/* a sealed cursor from a "next" link, or a position the reader chose (it reveals nothing)
	 */
	if (b != NULL && cursor_open(r->d, b, &before) != 0 && desk_parse_id(b, &before) != 0)
		return desk_send_error(c, r, 400);
	struct desk_filter_query q = {http_query(c, "starred"), http_query(c, "unread"),
	                              http_query(c, "files"),   http_query(c, "label"),
	                              http_query(c, "marking"), http_query(c, "from"),
	                              http_query(c, "to")};
	const char *ov = http_query(c, "overdue");
	bool overdue = ov != NULL && strcmp(ov, "1") == 0;
	struct inbox_filter f;
	char query[DESK_FILTER_QUERY_MAX];
	if (desk_filter_parse(&q, registry_scheme(r->d->reg), &f) != 0 ||
	    desk_filter_query(&f, query, sizeof query) != 0)
		return desk_send_error(c, r, 400);
	if (overdue && inbox_filter_any(&f)) /* the overdue view is a view of its own */
		return desk_send_error(c, r, 400);
	struct store_desk_source rows[PAGE_ROWS];
	struct inbox_due dues[PAGE_ROWS];
	size_t n;
	store_id next;
	enum inbox_result ir;
	if (overdue) {
		ir = overdue_rows(r, before, rows, dues, &n, &next);
	} else {
		ir = inbox_sources_filtered(r->d->inbox, r->sv.key, before, &f, rows, PAGE_ROWS, &n,
		                            &next);
		int64_t ids[PAGE_ROWS];
		for (size_t i = 0; ir == INBOX_OK && i < n; i++)
			ids[i] = rows[i].src.id;
		if (ir == INBOX_OK &&
		    inbox_dues(r->d->inbox, r->sv.key, today(), ids, n, dues) != INBOX_OK)
			memset(dues, 0, sizeof dues); /* no deadlines shown, the inbox still is */
	}
	if (ir != INBOX_OK)
		return desk_send_error(c, r, inbox_status(ir));
	struct buf form;
	buf_init(&form, 16 * 1024);
	struct desk_page p;
	desk_page_init(r, &p);
	p.sources = rows;
	p.nsources = n;
	p.dues = dues;
	char cursor[CURSOR_LEN + 1];
	if (next != 0) {
		cursor_seal(r->d, next, cursor);
		p.next_cursor = cursor;
	}
	p.starred_only = f.starred;
	p.overdue_only = overdue;
	p.filtered = inbox_filter_any(&f);
	p.next_query = overdue ? "&overdue=1" : query;
	uint64_t bd = 0, br = 0; /* a bulk action's result, after its redirect */
	p.bulk_op = desk_bulk_op_name(http_query(c, "bulk"));
	if (p.bulk_op != NULL && (num_parse_u64(http_query(c, "done"), &bd) != 0 ||
	                          num_parse_u64(http_query(c, "refused"), &br) != 0))
		p.bulk_op = NULL;
	p.bulk_done = bd;
	p.bulk_refused = br;
	if (!overdue && desk_filter_form(&form, r->lang, &f) == 0)
		p.extra_html = buf_str(&form);
	enum MHD_Result res = desk_send_page(c, r, 200, DESK_PAGE_INBOX, &p);
	buf_release(&form);
	sodium_memzero(&f, sizeof f);
	return res;
}

/* The source's replies with their authors and, where this officer may read them, texts. */
struct replies {
	struct store_reply *rows;
	struct desk_reply *views;
	struct buf *texts;
	char (*names)[INBOX_OFFICER_NAME_MAX + 1];
	size_t n;
	bool more;
};

static void replies_release(struct replies *rp)
{
	for (size_t i = 0; rp->texts != NULL && i < rp->n; i++)
		buf_wipe_release(&rp->texts[i]);
	free(rp->rows);
	free(rp->views);
	free(rp->texts);
	free(rp->names);
	memset(rp, 0, sizeof *rp);
}

static enum inbox_result source_replies(struct req *r, store_id source, struct replies *rp)
{
	memset(rp, 0, sizeof *rp);
	rp->rows = calloc(INBOX_REPLIES_MAX, sizeof *rp->rows);
	rp->views = calloc(INBOX_REPLIES_MAX, sizeof *rp->views);
	rp->texts = calloc(INBOX_REPLIES_MAX, sizeof *rp->texts);
	rp->names = calloc(INBOX_REPLIES_MAX, sizeof *rp->names);
	if (rp->rows == NULL || rp->views == NULL || rp->texts == NULL || rp->names == NULL)
		return INBOX_FAILED;
	enum inbox_result ir = inbox_replies(r->d->inbox, r->sv.key, source, rp->rows,
	                                     INBOX_REPLIES_MAX, &rp->n, &rp->more);
	if (ir != INBOX_OK)
		return ir;
	for (size_t i = 0; i < rp->n; i++) {
		buf_init(&rp->texts[i], 0);
		if (inbox_officer_name(r->d->inbox, rp->rows[i].author, rp->names[i]) != 0)
			return INBOX_FAILED;
		rp->views[i].author = rp->names[i];
		ir = inbox_reply_open(r->d->inbox, r->sv.key, &rp->rows[i], &rp->texts[i]);
		if (ir == INBOX_FAILED)
			return ir;
		if (ir == INBOX_OK) {
			rp->views[i].text = buf_str(&rp->texts[i]);
			rp->views[i].len = rp->texts[i].len;
		}
	}
	return INBOX_OK;
}

enum MHD_Result desk_source_page(struct MHD_Connection *c, struct req *r, store_id id,
                                 unsigned status, const char *notice)
{
	int64_t before = 0;
	const char *b = http_query(c, "before");
	if (b != NULL && desk_parse_id(b, &before) != 0)
		return desk_send_error(c, r, 400);
	struct store_desk_source src;
	enum inbox_result ir = inbox_source(r->d->inbox, r->sv.key, id, &src);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, inbox_status(ir));
	struct store_submission subs[PAGE_ROWS];
	size_t n;
	store_id next;
	ir = inbox_submissions(r->d->inbox, r->sv.key, id, before, subs, PAGE_ROWS, &n, &next);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, inbox_status(ir));
	struct replies rp;
	if ((ir = source_replies(r, id, &rp)) != INBOX_OK) {
		replies_release(&rp);
		return desk_send_error(c, r, inbox_status(ir));
	}
	struct desk_page p;
	desk_page_init(r, &p);
	p.source = &src;
	p.subs = subs;
	p.nsubs = n;
	p.next = next;
	p.replies = rp.rows;
	p.reply_views = rp.views;
	p.nreplies = rp.n;
	p.replies_more = rp.more;
	p.first_page = before == 0;
	struct store_submission newer; /* the replies up to the newer page's oldest day are here */
	if (before != 0 && inbox_submission(r->d->inbox, r->sv.key, before, &newer) == INBOX_OK)
		p.newer_day = newer.day;
	struct inbox_due due;
	if (inbox_dues(r->d->inbox, r->sv.key, today(), &id, 1, &due) == INBOX_OK &&
	    due.source != 0)
		p.dues = &due;
	p.notice = notice;
	p.notice_ok = status < 400;
	enum MHD_Result mr = desk_send_page(c, r, status, DESK_PAGE_SOURCE, &p);
	replies_release(&rp);
	return mr;
}

enum MHD_Result desk_submission_page(struct MHD_Connection *c, struct req *r)
{
	int64_t id;
	if (desk_parse_id(http_query(c, "id"), &id) != 0)
		return desk_send_error(c, r, 400);
	struct inbox_reading rd;
	enum inbox_result ir = inbox_read(r->d->inbox, r->sv.key, id, &rd);
	if (ir != INBOX_OK) {
		inbox_reading_release(&rd);
		return desk_send_error(c, r, inbox_status(ir));
	}
	struct buf form;
	buf_init(&form, 64 * 1024);
	struct desk_page p;
	desk_page_init(r, &p);
	p.sub = &rd.sub;
	if ((r->sv.roles & ROLE_INTAKE) &&
	    desk_registry_mark_form(&form, r->lang, r->csrf, &rd.sub) == 0)
		p.extra_html = buf_str(&form);
	if (rd.sub.message_blob != 0) {
		p.message_failed = rd.message_failed;
		p.message = rd.message.data != NULL ? (const char *)rd.message.data : "";
		p.message_len = rd.message.len;
	}
	p.files = rd.files;
	p.nfiles = rd.nfiles;
	enum MHD_Result res = desk_send_page(c, r, 200, DESK_PAGE_SUBMISSION, &p);
	buf_release(&form);
	inbox_reading_release(&rd);
	return res;
}

/* ---- downloads, streamed from a decrypting thread through a pipe ---- */

struct stream {
	struct desk_door *d;
	struct desk_session *sess; /* borrowed: keeps the keys alive while the thread runs */
	struct inbox_download *dl; /* its keys point into the session's */
	int rfd, wfd;
	pthread_t th;
	int started;
	int failed;
};

static int pipe_write(void *ctx, const uint8_t *p, size_t n)
{
	struct stream *s = ctx;
	while (n > 0) {
		ssize_t w = write(s->wfd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* the reader is gone (EPIPE): stop decrypting */
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *stream_thread(void *arg)
{
	struct stream *s = arg;
	s->failed = inbox_download_run(s->dl, pipe_write, s) != INBOX_OK;
	close(s->wfd);
	s->wfd = -1;
	return NULL;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	for (;;) {
		ssize_t n = read(s->rfd, buf, max);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			return n;
		if (n == 0) {
			pthread_join(s->th, NULL);
			s->started = 0;
			/* A failure midway ends the answer without its last chunk: the
			   client sees an incomplete download, never a silent short file. */
			return s->failed ? MHD_CONTENT_READER_END_WITH_ERROR
			                 : MHD_CONTENT_READER_END_OF_STREAM;
		}
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	if (s == NULL)
		return;
	if (s->rfd >= 0)
		close(s->rfd); /* the writer now fails with EPIPE and stops */
	if (s->started)
		pthread_join(s->th, NULL);
	if (s->wfd >= 0)
		close(s->wfd);
	inbox_download_free(&s->dl);
	desk_sessions_release(s->d->sess, &s->sess);
	free(s);
}

/* A file name safe in a header: [A-Za-z0-9._ -], no leading dot, at most 100 bytes. */
static void safe_filename(const char *name, const char *suffix, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = name; *p != 0 && o + 1 < cap && o < 100; p++) {
		char ch = *p;
		int okc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' ||
		          ch == ' ';
		if (o == 0 && (ch == '.' || ch == ' '))
			continue;
		out[o++] = okc ? ch : '_';
	}
	if (o == 0) {
		const char *dflt = "file";
		for (; *dflt != 0 && o + 1 < cap; dflt++)
			out[o++] = *dflt;
	}
	for (; *suffix != 0 && o + 1 < cap; suffix++)
		out[o++] = *suffix;
	out[o] = 0;
}

/* Streams a download, which the stream takes over (its keys point into the session's). */
static enum MHD_Result send_stream(struct MHD_Connection *c, struct req *r,
                                   struct inbox_download **dl, const char *filename)
{
	struct stream *s = calloc(1, sizeof *s);
	int fds[2];
	if (s == NULL) {
		inbox_download_free(dl);
		return desk_send_error(c, r, 500);
	}
	s->dl = *dl;
	*dl = NULL;
	s->d = r->d;
	s->rfd = s->wfd = -1;
	struct desk_session_view sv;
	s->sess = desk_sessions_acquire(r->d->sess, r->token, &sv);
	if (s->sess == NULL || sv.key == NULL || sv.key != r->sv.key) { /* keys point into it */
		stream_free(s);
		return desk_send_error(c, r, 403);
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		stream_free(s);
		return desk_send_error(c, r, 500);
	}
	s->rfd = fds[0];
	s->wfd = fds[1];
	if (pthread_create(&s->th, NULL, stream_thread, s) != 0) {
		stream_free(s);
		return desk_send_error(c, r, 500);
	}
	s->started = 1;
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
	                                                              stream_read, s, stream_free);
	if (resp == NULL) {
		stream_free(s);
		return MHD_NO;
	}
	char disp[256];
	int n = snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
	int ok = n > 0 && (size_t)n < sizeof disp;
	ok = ok && http_add_security_headers(resp) == 0;
	ok = ok &&
	     MHD_add_response_header(resp, "Content-Type", "application/octet-stream") == MHD_YES;
	ok = ok && MHD_add_response_header(resp, "Content-Disposition", disp) == MHD_YES;
	r->responded = 1;
	enum MHD_Result res = ok ? MHD_queue_response(c, 200, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return res;
}

enum MHD_Result desk_download_file(struct MHD_Connection *c, struct req *r)
{
	int64_t sub, idx;
	if (desk_parse_id(http_query(c, "sub"), &sub) != 0 ||
	    desk_parse_id(http_query(c, "n"), &idx) != 0)
		return desk_send_error(c, r, 400);
	const char *rq = http_query(c, "raw");
	bool raw = rq != NULL && strcmp(rq, "1") == 0;
	char name[INBOX_NAME_MAX + 1], safe[128];
	struct inbox_download *dl = NULL;
	enum inbox_result ir = inbox_download(r->d->inbox, r->sv.key, sub, idx, raw, name, &dl);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, inbox_status(ir));
	safe_filename(name, raw ? ".age" : "", safe, sizeof safe);
	sodium_memzero(name, sizeof name);
	return send_stream(c, r, &dl, safe);
}

enum MHD_Result desk_download_message(struct MHD_Connection *c, struct req *r)
{
	int64_t id;
	if (desk_parse_id(http_query(c, "id"), &id) != 0)
		return desk_send_error(c, r, 400);
	char name[INBOX_NAME_MAX + 1], fname[64];
	struct inbox_download *dl = NULL;
	int n = snprintf(fname, sizeof fname, "submission-%" PRId64 "-message.age", id);
	if (n < 0 || (size_t)n >= sizeof fname)
		return desk_send_error(c, r, 500);
	enum inbox_result ir = inbox_download(r->d->inbox, r->sv.key, id, 0, true, name, &dl);
	if (ir != INBOX_OK)
		return desk_send_error(c, r, inbox_status(ir));
	return send_stream(c, r, &dl, fname);
}

/* ---- acting on a source ---- */

enum MHD_Result desk_source_action(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct inbox *ib = r->d->inbox;
	int64_t id;
	enum inbox_result ir;
	if (r->route == R_BULK)
		return desk_bulk_action(c, r, f);
	if (desk_parse_id(form_get(f, "id"), &id) != 0)
		return desk_send_error(c, r, 400);
	char to[64];
	int n = snprintf(to, sizeof to, "/source?id=%" PRId64, id);
	if (n < 0 || (size_t)n >= sizeof to)
		return desk_send_error(c, r, 500);
	struct desk_page p;
	switch (r->route) {
	case R_STAR: {
		const char *on = form_get(f, "on");
		ir = inbox_star(ib, r->sv.key, id, on != NULL && strcmp(on, "1") == 0);
		return ir == INBOX_OK ? desk_redirect(c, r, to)
		                      : desk_send_error(c, r, inbox_status(ir));
	}
	case R_LABEL:
		ir = inbox_label(ib, r->sv.key, id, form_get(f, "label"));
		return ir == INBOX_OK ? desk_redirect(c, r, to)
		                      : desk_send_error(c, r, inbox_status(ir));
	case R_REPLY: {
		const char *text = form_get(f, "text");
		size_t len = text != NULL ? strlen(text) : 0;
		long chars = text != NULL ? utf8_count((const uint8_t *)text, len) : -1;
		store_id rid;
		if (chars <= 0 || chars > REPLY_MAX) {
			struct store_desk_source
			        src; /* a source the officer may not see: 404 first */
			ir = inbox_source(ib, r->sv.key, id, &src);
			return desk_send_error(c, r, ir != INBOX_OK ? inbox_status(ir) : 400);
		}
		const char *fb = form_get(f, "feedback"); /* Directive 2019/1937's feedback */
		ir = inbox_reply_kind(ib, r->sv.key, id, text, len,
		                      fb != NULL && strcmp(fb, "1") == 0 ? INTAKE_REPLY_FEEDBACK
		                                                         : INTAKE_REPLY_PLAIN,
		                      &rid);
		if (ir != INBOX_OK)
			return desk_send_error(c, r, inbox_status(ir));
		desk_page_init(r, &p);
		p.done_title = "desk.reply.sent_title";
		p.done_text = "desk.reply.sent";
		p.done_back = to;
		return desk_send_page(c, r, 200, DESK_PAGE_DONE, &p);
	}
	case R_DELETE: {
		const char *confirm = form_get(f, "confirm");
		if (confirm == NULL || strcmp(confirm, "yes") != 0) {
			struct store_desk_source src;
			ir = inbox_source(ib, r->sv.key, id, &src);
			return desk_send_error(c, r, ir != INBOX_OK ? inbox_status(ir) : 400);
		}
		ir = inbox_delete_source(ib, r->sv.key, id);
		if (ir == INBOX_FORBIDDEN)
			return desk_source_page(c, r, id, 403, "desk.delete.forbidden");
		if (ir != INBOX_OK)
			return desk_send_error(c, r, inbox_status(ir));
		desk_page_init(r, &p);
		p.done_title = "desk.delete.done_title";
		p.done_text = "desk.delete.done";
		p.done_back = "/inbox";
		return desk_send_page(c, r, 200, DESK_PAGE_DONE, &p);
	}
	default:
		return desk_send_error(c, r, 404);
	}
}
