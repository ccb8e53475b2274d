/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The open door: a submission streamed in from multipart/form-data, sealed as it arrives. */
#include "app/intake/intake_door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app/web/http.h"
#include "lib/day.h"
#include "lib/web/i18n.h"
#include "lib/utf8.h"
#include "lib/web/json.h"

#include "lib/banned.h"

/* ---- multipart upload ---- */

/*
 * Browsers send '"', CR and LF in a file name as %22, %0D and %0A (WHATWG
 * HTML, multipart/form-data encoding); other clients escape with '\\'.
 * Decodes exactly those three escapes, in place.
 */
static void decode_browser_filename(char *s)
{
	char *o = s;
	for (const char *p = s; *p != 0; p++) {
		if (p[0] == '%' && p[1] == '2' && p[2] == '2') {
			*o++ = '"';
			p += 2;
		} else if (p[0] == '%' && p[1] == '0' && (p[2] == 'D' || p[2] == 'A')) {
			*o++ = p[2] == 'D' ? '\r' : '\n';
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
}

/* A refusal: the API stops reading; a page reads on to keep the text and count the files. */
static int refuse(struct req *r, unsigned status, const char *code)
{
	door_fail(r, status, code);
	return r->salvage ? 0 : 1;
}

static int on_part_begin(void *ctx, const char *name, const char *filename,
                         const char *content_type)
{
	struct req *r = ctx;
	free(r->file_name);
	free(r->file_type);
	r->file_name = r->file_type = NULL;
	r->file_bytes = 0;
	r->part = PART_SKIP;
	if (strcmp(name, "message") == 0 && filename == NULL) {
		if (r->have_message)
			return refuse(r, 400, "duplicate_message");
		r->have_message = 1;
		r->part = PART_MESSAGE;
	} else if (strcmp(name, "file") == 0) {
		if (filename != NULL && filename[0] != 0)
			r->nfiles++;
		r->part = PART_FILE;
		r->file_name = strdup(filename != NULL ? filename : "");
		r->file_type = strdup(content_type != NULL ? content_type : "");
		if (r->file_name == NULL || r->file_type == NULL)
			return refuse(r, 500, NULL);
		decode_browser_filename(r->file_name);
	}
	return 0;
}

static int upload_fail(struct req *r, enum intake_result ir, const char *code)
{
	return refuse(r, door_status_of(ir), code);
}

/* A file too large: alone, or with the ones before it. */
static int too_large(struct req *r, size_t n)
{
	uint64_t max = intake_limits(r->d->in)->max_upload_bytes;
	int alone = r->file_bytes + n > max;
	if (r->err_status == 0 && alone && r->refused_name == NULL)
		r->refused_name = strdup(r->file_name != NULL ? r->file_name : "");
	return refuse(r, 413, alone ? "file_too_large" : "upload_too_large");
}

static int on_part_data(void *ctx, const uint8_t *p, size_t n)
{
	struct req *r = ctx;
	enum intake_result ir;
	if (r->part == PART_MESSAGE) {
		if (buf_append(&r->message, p, n) != BUF_OK) {
			r->message_cut = 1;
			return refuse(r, 413, "message_too_large");
		}
		return 0;
	}
	if (r->part != PART_FILE || r->err_status != 0)
		return 0; /* after a refusal only the text is kept */
	if (!r->file_open) {
		/* Opened at the first byte: an empty file input sends an empty part. */
		ir = intake_upload_file_begin(r->up, r->file_name, r->file_type);
		if (ir == INTAKE_TOO_MANY)
			return upload_fail(r, INTAKE_TOO_LARGE, "too_many_files");
		if (ir != INTAKE_OK)
			return upload_fail(r, ir, ir == INTAKE_TOO_LARGE ? "name_too_long" : NULL);
		r->file_open = 1;
	}
	ir = intake_upload_file_data(r->up, p, n);
	if (ir == INTAKE_TOO_LARGE)
		return too_large(r, n);
	if (ir != INTAKE_OK)
		return upload_fail(r, ir, NULL);
	r->file_bytes += n;
	return 0;
}

static int on_part_end(void *ctx)
{
	struct req *r = ctx;
	if (r->part == PART_FILE && r->file_open) {
		r->file_open = 0;
		enum intake_result ir =
		        r->err_status == 0 ? intake_upload_file_end(r->up) : INTAKE_OK;
		if (ir != INTAKE_OK)
			return upload_fail(r, ir, NULL);
	}
	r->part = PART_NONE;
	return 0;
}

/* Gives back the form's one-time token of an upload that was not committed. */
void door_release_once(struct req *r)
{
	if (r->once[0] != 0 && !r->committed)
		sessions_once_release(r->d->sess, r->token, r->once);
	r->once[0] = 0;
}

/* The checks before any of the body is read, in order. Returns 0 or an HTTP status. */
static unsigned upload_check(struct req *r, struct MHD_Connection *c)
{
	struct intake_door *d = r->d;
	const struct intake_limits *lim = intake_limits(d->in);
	uint64_t len = 0;
	if (!r->have_session || r->sv.source == 0)
		return r->api ? 401 : 403;
	if (!r->api && !door_csrf_ok(r, http_query(c, "csrf")))
		return 403;
	if (!r->api) {
		/* A replay of a form already sent (reload, Back, a second tab) stores nothing. */
		const char *once = http_query(c, "once");
		int u = sessions_once_use(d->sess, r->token, once);
		if (u != 0)
			return u > 0 ? 409 : 400;
		memcpy(r->once, once, SESSION_ONCE_LEN + 1);
	}
	int have_len = door_content_length(c, &len);
	if (have_len < 0)
		return 400;
	if (have_len &&
	    len > lim->max_upload_bytes + lim->max_message_bytes * 4 + MULTIPART_OVERHEAD)
		return 413;
	if (!bucket_take(&d->submissions))
		return 429;
	if (sessions_count_submission(d->sess, r->token, d->cfg.submissions_per_session) != 0)
		return 429;
	enum intake_result ir = intake_upload_begin(d->in, r->sv.source, &r->up);
	if (ir != INTAKE_OK)
		return door_status_of(ir);
	return 0;
}

/*
 * Checks and opens an upload before any of its body is read. Returns 0 or an
 * HTTP status. A page's refusal (but a replay's) is 0 too: the body is read
 * on, within DISCARD_MAX, to give the text back (door_send_kept).
 */
unsigned door_upload_begin(struct req *r, struct MHD_Connection *c)
{
	const struct intake_limits *lim = intake_limits(r->d->in);
	char boundary[MP_BOUNDARY_MAX + 1];
	const char *ct = http_header(c, "Content-Type");
	if (ct == NULL ||
	    multipart_boundary_from_content_type(ct, boundary, sizeof boundary) != MP_OK)
		return 415;
	unsigned st = upload_check(r, c);
	if (st != 0 && (r->api || st == 409))
		return st;
	r->salvage = !r->api;
	size_t keep = lim->max_message_bytes * 4;
	if (!r->have_session && keep > KEEP_ANON_MAX)
		keep = KEEP_ANON_MAX; /* nobody's: bounded like a form */
	buf_init(&r->message, keep);
	if (st != 0)
		door_fail(r, st, st == 403 ? "no_session" : NULL);
	/* parts enough to count the files of a form that has too many */
	struct mp_limits ml = {.max_parts = (size_t)lim->max_files + 64};
	struct mp_callbacks cb = {.part_begin = on_part_begin,
	                          .part_data = on_part_data,
	                          .part_end = on_part_end,
	                          .ctx = r};
	r->mp = malloc(sizeof *r->mp);
	if (r->mp == NULL || mp_init(r->mp, boundary, &cb, &ml) != MP_OK) {
		r->salvage = 0;
		return 500;
	}
	return 0;
}

/*
 * The automatic acknowledgement of a source's first submission (cutout.conf
 * acknowledgement), in the page's language: the operator's text for it, else
 * the catalogue's. Its failure costs the source nothing: the submission is
 * in, and report-deadlines shows it unacknowledged.
 */
static void acknowledge(struct req *r)
{
	const struct intake_door_config *cf = &r->d->cfg;
	if (!cf->acknowledge)
		return;
	const char *text = NULL;
	for (size_t i = 0; i < INTAKE_ACK_LANGS && cf->ack_lang[i] != NULL; i++)
		if (strcmp(cf->ack_lang[i], r->lang) == 0)
			text = cf->ack_text[i];
	if (text == NULL)
		text = i18n_get(r->lang[0] != '\0' ? r->lang : "en", "ack.text");
	store_id reply = 0;
	if (text == NULL ||
	    intake_acknowledge(r->d->in, r->sv.source, text, strlen(text), &reply) != INTAKE_OK)
		fprintf(stderr,
		        "cutout intake: an automatic acknowledgement could not be sealed\n");
}

/*
 * Commits the upload with the session's row (its one-time token and count) in the same
 * transaction; when another node changed the row meanwhile, reads it again, claims again
 * (a replay now: 409) and commits again.
 */
static void commit(struct req *r, store_id *id)
{
	struct intake_door *d = r->d;
	struct sessions_commit sc = {.s = d->sess, .token = r->token};
	intake_upload_on_commit(r->up, sessions_commit_tx, &sc);
	for (int attempt = 0;; attempt++) {
		sc.result = STORE_OK;
		enum intake_result ir = intake_upload_commit(r->up, id);
		if (ir == INTAKE_OK)
			return;
		if (sc.result == STORE_NOT_FOUND) {
			door_fail(r, r->api ? 401 : 403, "no_session");
			return;
		}
		if (sc.result != STORE_EXISTS || attempt == 2) {
			door_fail(r, door_status_of(ir),
			          ir == INTAKE_EMPTY ? "empty_submission" : NULL);
			return;
		}
		int u = sessions_reclaim(d->sess, r->token, r->api ? NULL : r->once,
		                         d->cfg.submissions_per_session);
		if (u != 0) {
			if (u > 0 && !r->api)
				r->once[0] =
				        0; /* claimed by the other node: not ours to give back */
			door_fail(r,
			          u < 0    ? (r->api ? 401 : 403)
			          : r->api ? 429
			                   : 409,
			          u < 0 ? "no_session" : NULL);
			return;
		}
	}
}

enum MHD_Result door_upload_finish(struct MHD_Connection *c, struct req *r)
{
	store_id id = 0;
	if (r->err_status == 0) {
		enum mp_result mr = mp_finish(r->mp);
		if (mr == MP_ERR_ABORTED && r->err_status != 0)
			; /* a callback already said why */
		else if (mr != MP_OK)
			door_fail(r, 400, "malformed_multipart");
	}
	if (r->err_status == 0 && r->message.len > 0) {
		enum intake_result ir =
		        intake_upload_message(r->up, buf_str(&r->message), r->message.len);
		if (ir != INTAKE_OK)
			door_fail(r, door_status_of(ir),
			          ir == INTAKE_TOO_LARGE   ? "message_too_large"
			          : ir == INTAKE_BAD_INPUT ? "message_not_utf8"
			                                   : NULL);
	}
	if (r->err_status == 0)
		commit(r, &id);
	if (r->err_status != 0) {
		door_release_once(r);
		enum MHD_Result res = door_send_error(c, r, r->err_status, r->err_code,
		                                      "the submission was refused");
		buf_wipe_release(&r->message);
		return res;
	}
	buf_wipe_release(&r->message);
	r->committed = 1;
	acknowledge(r);
	if (r->api) {
		r->responded = 1;
		struct buf b;
		buf_init(&b, 256);
		enum MHD_Result res = MHD_NO;
		if (buf_printf(&b, "{\"id\":%lld}\n", (long long)id) == BUF_OK)
			res = http_send_json(c, 201, &b);
		buf_release(&b);
		return res;
	}
	/* POST/redirect/GET: reloading "received" shows it again, sends nothing. */
	return door_redirect(c, r, "/submitted", NULL);
}

/* ---- the answers that keep the text ---- */

enum MHD_Result door_send_submit(struct MHD_Connection *c, struct req *r, unsigned status,
                                 const char *notice, const char *const *vars, const char *notice2,
                                 const char *text, size_t len)
{
	char once[SESSION_ONCE_LEN + 1];
	struct page p;
	if (door_ensure_browser(r) != 0)
		return door_send_error(c, r, 500, NULL, "internal error");
	sessions_once_new(once);
	door_page_init(r, &p, "/submit");
	p.once = once;
	p.notice = notice;
	p.notice_vars = vars;
	p.notice2 = notice2;
	p.message = text;
	p.message_len = text != NULL ? utf8_prefix((const uint8_t *)text, len) : 0;
	return door_send_page(c, r, status, PAGE_SUBMIT, &p);
}

/* The login page, the text in its form: the session ended while the source wrote. */
static enum MHD_Result send_relogin(struct MHD_Connection *c, struct req *r, unsigned status,
                                    const char *text, size_t len, int cut)
{
	char minutes[32];
	struct page p;
	if (door_ensure_browser(r) != 0 ||
	    i18n_number(r->lang, (r->d->cfg.idle_seconds + 59) / 60, minutes, sizeof minutes) != 0)
		return door_send_error(c, r, 500, NULL, "internal error");
	const char *vars[] = {"minutes", minutes, NULL};
	door_page_init(r, &p, "/login");
	p.notice = "login.expired";
	p.notice_vars = vars;
	p.message = text;
	p.message_len = utf8_prefix((const uint8_t *)text, len);
	long chars = utf8_count((const uint8_t *)text, p.message_len);
	p.message_cut = cut && chars > 0 ? (size_t)chars : 0;
	return door_send_page(c, r, status, PAGE_LOGIN, &p);
}

enum MHD_Result door_send_kept(struct MHD_Connection *c, struct req *r, unsigned status,
                               const char *code)
{
	const struct intake_limits *lim = intake_limits(r->d->in);
	const char *text = r->message.data != NULL ? buf_str(&r->message) : "";
	size_t len = r->message.data != NULL ? r->message.len : 0;
	r->salvage = 0; /* once: the answers below may refuse with a plain page */
	if (!r->have_session || r->sv.source == 0)
		return send_relogin(c, r, status, text, len, r->message_cut);
	char n[32], max[32], size[48], key[24];
	int ok = i18n_number(r->lang, (uint64_t)r->nfiles, n, sizeof n) == 0 &&
	         i18n_number(r->lang, (uint64_t)(lim->max_files > 0 ? lim->max_files : 0), max,
	                     sizeof max) == 0 &&
	         i18n_size(r->lang, lim->max_upload_bytes, size, sizeof size) == 0;
	int kn = snprintf(key, sizeof key, "error.%u", status);
	if (!ok || kn < 0 || (size_t)kn >= sizeof key)
		return door_send_error(c, r, 500, NULL, "internal error");
	/* the name as sent: any bidi control in it is shown as <U+XXXX> by the escaper */
	char name[MP_FILENAME_MAX + 8];
	int nn = snprintf(name, sizeof name, "%s", r->refused_name != NULL ? r->refused_name : "");
	if (nn < 0 || (size_t)nn >= sizeof name)
		name[0] = 0;
	const char *files[] = {"n", n, "max", max, NULL};
	const char *big[] = {"name", name, "max_size", size, NULL};
	const char *all[] = {"max_size", size, NULL};
	char chars[32];
	if (i18n_number(r->lang, lim->max_message_bytes, chars, sizeof chars) != 0)
		return door_send_error(c, r, 500, NULL, "internal error");
	const char *msg[] = {"max_chars", chars, NULL};
	static const struct {
		const char *code, *key;
	} say[] = {
	        {"too_many_files", "submit.error.too_many_files"},
	        {"file_too_large", "submit.error.file_too_large"},
	        {"upload_too_large", "submit.error.files_too_large"},
	        {"message_too_large", "submit.error.message_too_large"},
	        {"empty_submission", "submit.error.empty"},
	        {"name_too_long", "submit.error.name_too_long"},
	};
	const char *const *vars[] = {files, big, all, msg, NULL, NULL};
	for (size_t i = 0; code != NULL && i < sizeof say / sizeof *say; i++)
		if (strcmp(code, say[i].code) == 0)
			return door_send_submit(c, r, status, say[i].key, vars[i], NULL, text, len);
	return door_send_submit(c, r, status, key, NULL, "submit.error.other", text, len);
}
