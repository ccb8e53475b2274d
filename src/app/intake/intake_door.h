/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake_door: what the files of the open door share (http_intake.c: the
 * daemon, routes, helpers, dispatch; door_upload.c: a submission streamed in
 * from multipart; door_sources.c: new sources, logins, replies, a source
 * deleting itself). Nothing outside src/app/intake includes this.
 */
#ifndef CUTOUT_APP_INTAKE_DOOR_H
#define CUTOUT_APP_INTAKE_DOOR_H

#include <stdint.h>

#include <microhttpd.h>

#include "app/intake/http_intake.h"
#include "app/intake/intake_pages.h"
#include "app/intake/session.h"
#include "app/web/csrf.h"
#include "app/web/ratelimit.h"
#include "lib/buf.h"
#include "lib/web/form.h"
#include "lib/web/multipart.h"

#define FORM_MAX 8192                /* an urlencoded form body */
#define PAGE_MAX (4 * 1024 * 1024)   /* a rendered page (replies included) */
#define MULTIPART_OVERHEAD (1 << 20) /* headers and boundaries around the content */
#define DISCARD_MAX (16u << 20)      /* body bytes read and dropped after a refusal */
#define DOOR_LANG_MAX 16
/*
 * The text of a submission refused without a session (it ended while the
 * source wrote) is read back into the page, up to this many bytes; the login
 * form that carries it back takes that much, percent-encoded, beside FORM_MAX.
 */
#define KEEP_ANON_MAX (64 * 1024)
#define LOGIN_FORM_MAX (FORM_MAX + 3 * KEEP_ANON_MAX)
#define BROWSER_COOKIE "b" /* the browser's value the forms' CSRF tokens are bound to */

struct intake_door {
	struct web_door *web;
	struct intake *in;
	struct sessions *sess;
	struct csrf csrf; /* the forms' tokens: nothing kept per visitor */
	struct intake_door_config cfg;
	struct bucket new_sources, logins, submissions;
	struct gate kdf; /* Argon2id derivations running at once */
};

enum route {
	R_NOT_FOUND,
	R_BAD_METHOD,
	R_LANDING,
	R_CSS,
	R_NEW_GET,
	R_NEW_POST,
	R_LOGIN_GET,
	R_LOGIN_POST,
	R_SUBMIT_GET,
	R_SUBMIT_POST,
	R_REPLIES_GET,
	R_REPLY_DELETE,
	R_DELETE_GET,
	R_DELETE_POST,
	R_LOGOUT,
	R_LANG,
	R_CODENAME_GET,  /* the codename, once, after the create's redirect */
	R_SUBMITTED_GET, /* "received", after the submission's redirect */
	R_API_SOURCES,
	R_API_LOGIN,
	R_API_SUBMISSIONS,
	R_API_REPLIES,
	R_API_REPLY_DELETE,
	R_API_ME_DELETE,
	R_API_LOGOUT,
};

enum part_kind { PART_NONE, PART_MESSAGE, PART_FILE, PART_SKIP };

struct req {
	struct intake_door *d;
	enum route route;
	int api;
	int is_post;
	int64_t path_id;
	char token[SESSION_TOKEN_LEN + 1];
	int have_session;
	struct session_view sv;
	char browser[CSRF_VALUE_LEN + 1]; /* the browser cookie's value, "" when none */
	char csrf[CSRF_VALUE_LEN + 1];    /* the forms' token for it, "" when none */
	char cookie[192];
	int set_cookie;
	char lang[DOOR_LANG_MAX];
	const char *url_lang; /* the language of the URL's /xx/ prefix, NULL when bare */
	char prefix[DOOR_LANG_MAX +
	            1]; /* "/xx" of that prefix, "" when bare: every link keeps it */
	struct buf body;
	/* multipart */
	struct mp *mp;
	struct intake_upload *up;
	enum part_kind part;
	char *file_name, *file_type;
	int file_open;
	struct buf message;
	int have_message;
	int salvage;         /* an HTML submission: a refusal reads on to keep the text */
	int nfiles;          /* file parts with a name, counted through refusals */
	uint64_t file_bytes; /* of the file being read */
	char *refused_name;  /* the file that was too large */
	int message_cut;     /* the text did not fit the buffer: what is kept is its start */
	char once[SESSION_ONCE_LEN + 1]; /* the form's one-time token, claimed; "" when none */
	int committed;
	/* the answer */
	uint64_t discarded; /* body bytes dropped after a refusal */
	unsigned err_status;
	const char *err_code;
	int responded;
};

void door_page_init(struct req *r, struct page *p, const char *path);
enum MHD_Result door_send_page(struct MHD_Connection *c, struct req *r, unsigned status,
                               enum page_id id, const struct page *p);
/* An error answer: a page for the HTML door, a JSON object for the API. */
enum MHD_Result door_send_error(struct MHD_Connection *c, struct req *r, unsigned status,
                                const char *code, const char *message);
unsigned door_status_of(enum intake_result ir);
/* Remembers the refusal the answer will carry, once the body is read. */
void door_fail(struct req *r, unsigned status, const char *code);
void door_set_cookie(struct req *r, const char *token);
/* A browser cookie and the CSRF token for it, for a page with forms. 0, or -1. */
int door_ensure_browser(struct req *r);
/* A 303 to path (a page of this door) under the request's language prefix. */
enum MHD_Result door_redirect(struct MHD_Connection *c, struct req *r, const char *path,
                              const char *set_cookie);
int door_csrf_ok(const struct req *r, const char *given);
int door_content_length(struct MHD_Connection *c, uint64_t *len);

/* door_upload.c */
unsigned door_upload_begin(struct req *r, struct MHD_Connection *c);
enum MHD_Result door_upload_finish(struct MHD_Connection *c, struct req *r);
void door_release_once(struct req *r);
/*
 * The refusal of an HTML submission: the submit page again, saying what went
 * wrong, with the text in the form (the login page with it when the session
 * has ended). The text is never kept on the server: only in this answer.
 */
enum MHD_Result door_send_kept(struct MHD_Connection *c, struct req *r, unsigned status,
                               const char *code);
/* The submit page again with a notice and the text kept (a refusal). */
enum MHD_Result door_send_submit(struct MHD_Connection *c, struct req *r, unsigned status,
                                 const char *notice, const char *const *vars, const char *notice2,
                                 const char *text, size_t len);

/* door_sources.c */
enum MHD_Result door_new_source(struct MHD_Connection *c, struct req *r);
enum MHD_Result door_codename(struct MHD_Connection *c, struct req *r);
/* Forgets a codename still waiting for the codename page (the source went on). */
void door_forget_codename(struct req *r);
enum MHD_Result door_login(struct MHD_Connection *c, struct req *r, struct form *f);
enum MHD_Result door_replies(struct MHD_Connection *c, struct req *r);
/* The submit page a source comes back to: replies above, what it sent below. */
enum MHD_Result door_home(struct MHD_Connection *c, struct req *r, unsigned status,
                          const char *notice, const char *text);
enum MHD_Result door_delete_me(struct MHD_Connection *c, struct req *r);

#endif
