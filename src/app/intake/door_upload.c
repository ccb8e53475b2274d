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

static int on_part_begin(void *ctx, const char *name, const char *filename,
                         const char *content_type)
{
	struct req *r = ctx;
	free(r->file_name);
	free(r->file_type);
	r->file_name = r->file_type = NULL;
	r->part = PART_SKIP;
	if (strcmp(name, "message") == 0 && filename == NULL) {
		if (r->have_message) {
			door_fail(r, 400, "duplicate_message");
			return 1;
		}
		r->have_message = 1;
		r->part = PART_MESSAGE;
	} else if (strcmp(name, "file") == 0) {
		r->part = PART_FILE;
		r->file_name = strdup(filename != NULL ? filename : "");
		r->file_type = strdup(content_type != NULL ? content_type : "");
		if (r->file_name == NULL || r->file_type == NULL) {
			door_fail(r, 500, NULL);
			return 1;
		}
		decode_browser_filename(r->file_name);
	}
	return 0;
}

static int upload_fail(struct req *r, enum intake_result ir, const char *code)
{
	door_fail(r, door_status_of(ir), code);
	return 1;
}

static int on_part_data(void *ctx, const uint8_t *p, size_t n)
{
	struct req *r = ctx;
	enum intake_result ir;
	switch (r->part) {
	case PART_MESSAGE:
		if (buf_append(&r->message, p, n) != BUF_OK) {
			door_fail(r, 413, "message_too_large");
			return 1;
		}
		return 0;
	case PART_FILE:
		if (!r->file_open) {
			/* Opened at the first byte: an empty file input sends an empty part. */
			ir = intake_upload_file_begin(r->up, r->file_name, r->file_type);
			if (ir == INTAKE_TOO_MANY)
				return upload_fail(r, INTAKE_TOO_LARGE, "too_many_files");
			if (ir != INTAKE_OK)
				return upload_fail(r, ir,
				                   ir == INTAKE_TOO_LARGE ? "name_too_long" : NULL);
			r->file_open = 1;
		}
		ir = intake_upload_file_data(r->up, p, n);
		if (ir != INTAKE_OK)
			return upload_fail(r, ir,
			                   ir == INTAKE_TOO_LARGE ? "upload_too_large" : NULL);
		return 0;
	default:
		return 0;
	}
}

static int on_part_end(void *ctx)
{
	struct req *r = ctx;
	if (r->part == PART_FILE && r->file_open) {
		r->file_open = 0;
		enum intake_result ir = intake_upload_file_end(r->up);
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

/* Checks and opens an upload before any of its body is read. Returns 0 or an HTTP status. */
unsigned door_upload_begin(struct req *r, struct MHD_Connection *c)
{
	struct intake_door *d = r->d;
	const struct intake_limits *lim = intake_limits(d->in);
	uint64_t len = 0;
	char boundary[MP_BOUNDARY_MAX + 1];

	if (!r->have_session || r->sv.source == 0)
		return r->api ? 401 : 403;
	if (!r->api && !door_csrf_ok(r, http_query(c, "csrf")))
		return 403;
	const char *ct = http_header(c, "Content-Type");
	if (ct == NULL ||
	    multipart_boundary_from_content_type(ct, boundary, sizeof boundary) != MP_OK)
		return 415;
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
	buf_init(&r->message, lim->max_message_bytes * 4);
	struct mp_limits ml = {.max_parts = (size_t)lim->max_files + 8};
	struct mp_callbacks cb = {.part_begin = on_part_begin,
	                          .part_data = on_part_data,
	                          .part_end = on_part_end,
	                          .ctx = r};
	r->mp = malloc(sizeof *r->mp);
	if (r->mp == NULL || mp_init(r->mp, boundary, &cb, &ml) != MP_OK)
		return 500;
	return 0;
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
	buf_wipe_release(&r->message);
	if (r->err_status == 0) {
		enum intake_result ir = intake_upload_commit(r->up, &id);
		if (ir != INTAKE_OK)
			door_fail(r, door_status_of(ir),
			          ir == INTAKE_EMPTY ? "empty_submission" : NULL);
	}
	if (r->err_status != 0) {
		door_release_once(r);
		return door_send_error(c, r, r->err_status, r->err_code,
		                       "the submission was refused");
	}
	r->committed = 1;
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
