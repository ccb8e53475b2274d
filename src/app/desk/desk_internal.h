/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_internal: what the files of the desk door share (http_desk.c: the
 * daemon, login, dispatch; desk_inbox.c: the inbox pages, downloads and
 * actions on a source; desk_admin.c: officers' administration and the ledger
 * view). Nothing outside src/app/desk includes this.
 */
#ifndef CUTOUT_APP_DESK_INTERNAL_H
#define CUTOUT_APP_DESK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>
#include <sodium.h>

#include "app/desk/desk_pages.h"
#include "app/desk/desk_registry.h"
#include "app/desk/desk_session.h"
#include "app/desk/http_desk.h"
#include "app/web/csrf.h"
#include "app/web/ratelimit.h"
#include "core/inbox/inbox.h"
#include "core/registry/registry.h"
#include "core/safeview/safeview.h"
#include "lib/buf.h"
#include "lib/web/form.h"

#define COOKIE "d"        /* the desk's session (not the intake's "s": cookies ignore ports) */
#define LOGIN_COOKIE "dl" /* the login form's CSRF binding */
#define FORM_MAX (96 * 1024)
#define PAGE_MAX (4 * 1024 * 1024)
#define PAGE_ROWS 50
#define REPLY_MAX 20000
#define PASSWORD_MAX 1000

struct desk_door {
	struct web_door *web;
	struct store *store;
	struct officers *officers;
	struct intake *in;
	struct desk_sessions *sess;
	struct registry *reg;         /* reports, lists, marking labels (app/desk_registry) */
	struct inbox *inbox;          /* the officers' inbox (core/inbox) */
	struct safeview *safeview;    /* "View safely" (core/safeview), through cfg.render */
	struct desk_arrival *arrival; /* conversion on arrival (cfg.on_arrival), or NULL */
	struct desk_door_config cfg;
	struct gate kdf;                               /* Argon2id derivations at once */
	struct csrf csrf;                              /* the forms' tokens (app/web/csrf) */
	uint8_t cursor_key[crypto_secretbox_KEYBYTES]; /* seals the inbox's page cursors */
};

enum route {
	R_NOT_FOUND,
	R_BAD_METHOD,
	R_ROOT,
	R_CSS,
	R_JS,
	R_LOGIN_GET,
	R_ENROL_GET,
	R_INBOX,
	R_SOURCE,
	R_SUBMISSION,
	R_FILE,
	R_MESSAGE_AGE,
	R_ADMIN,
	R_REG_GET, /* app/desk_registry: req.reg_route says which */
	R_LEDGER,
	R_SAFE,     /* "View safely" (desk_safe.c) */
	R_SAFE_PDF, /* its clean PDF */
	R_SAFE_PNG, /* one of its pages as an image */
	/* POSTs */
	R_LOGIN_POST,
	R_ENROL_POST,
	R_LOGOUT,
	R_STAR,
	R_LABEL,
	R_REPLY,
	R_DELETE,
	R_BULK, /* the inbox's bulk form (desk_bulk.c) */
	R_REG_POST,
	R_SAFE_POST, /* convert */
	R_API_LOGIN,
	R_ADMIN_ADD,
	R_ADMIN_DISABLE,
	R_ADMIN_ROLES,
	R_ADMIN_RESET,
	R_ADMIN_CLEARANCE,
};

struct req {
	struct desk_door *d;
	enum route route;
	enum desk_reg_route reg_route;
	char token[DESK_TOKEN_LEN + 1];
	struct desk_session *sess;
	struct desk_session_view sv;
	char csrf[CSRF_VALUE_LEN + 1]; /* the session's forms' token, "" without a session */
	char lang[16];
	char cookie[256];
	int set_cookie;
	struct buf body;
	int too_large;
	int responded;
};

/*
 * The request's language (desk_lang.c): ?lang= when it names a desk language
 * (remembered in the session, if any: returns true), else the session's
 * choice, else the browser's Accept-Language.
 */
bool desk_pick_lang(struct req *r, struct MHD_Connection *c);
/* An id from a query or form value: 0, or -1 if it is not one (> 0). */
int desk_parse_id(const char *s, int64_t *out);
void desk_page_init(struct req *r, struct desk_page *p);
enum MHD_Result desk_send_page(struct MHD_Connection *c, struct req *r, unsigned status,
                               enum desk_page_id id, const struct desk_page *p);
enum MHD_Result desk_send_error(struct MHD_Connection *c, struct req *r, unsigned status);
enum MHD_Result desk_redirect(struct MHD_Connection *c, struct req *r, const char *to);
/* The Set-Cookie value of the answer (value NULL or "": the cookie is removed). */
int desk_make_cookie(struct req *r, const char *name, const char *value);

/* desk_filter.c: the inbox's filter, from the query's values (NULL: absent) */
struct desk_filter_query {
	const char *starred, *unread, *files, *label, *marking, *from, *to;
};
/* 0, or -1 (a bad day or marking, a label too long: 400); the marking made canonical. */
int desk_filter_parse(const struct desk_filter_query *q, const struct marking_scheme *sch,
                      struct inbox_filter *f);
/* f as "&name=value..." (percent-encoded) into out[cap]: 0, or -1 if it does not fit. */
int desk_filter_query(const struct inbox_filter *f, char *out, size_t cap);
/* The filter's GET form into out (markup built with the escaper): 0 or -1. */
int desk_filter_form(struct buf *out, const char *lang, const struct inbox_filter *f);
#define DESK_FILTER_QUERY_MAX 1200 /* 3 x (64 + 255) bytes encoded, names and days */

/* desk_nav.c: the navigation's count of new submissions into p (desk_page_init) */
void desk_nav_count(struct req *r, struct desk_page *p);

/* desk_inbox.c */
/* The door's CSRF key and the inbox cursors' key: per process, or the instance's when the
   sessions are shared by several nodes (cfg.shared_sessions; from cfg.session_salt). */
void desk_door_keys(struct desk_door *d);
enum MHD_Result desk_inbox_page(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_source_page(struct MHD_Connection *c, struct req *r, store_id id,
                                 unsigned status, const char *notice);
enum MHD_Result desk_submission_page(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_download_file(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_download_message(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_source_action(struct MHD_Connection *c, struct req *r, struct form *f);

/* desk_bulk.c: the inbox's bulk form; an action's name ("read", ...) or NULL */
enum MHD_Result desk_bulk_action(struct MHD_Connection *c, struct req *r, struct form *f);
const char *desk_bulk_op_name(const char *s);
#define DESK_BULK_FIELDS (2 * INBOX_BULK_MAX + 16) /* past it, a 413 (form fields) */

/* desk_safe.c */
enum MHD_Result desk_safe_page(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_safe_convert(struct MHD_Connection *c, struct req *r, struct form *f);
enum MHD_Result desk_safe_pdf(struct MHD_Connection *c, struct req *r);
enum MHD_Result desk_safe_png(struct MHD_Connection *c, struct req *r);

/* desk_admin.c */
enum MHD_Result desk_admin_page(struct MHD_Connection *c, struct req *r, unsigned status,
                                const char *notice, int notice_ok);
enum MHD_Result desk_admin_action(struct MHD_Connection *c, struct req *r, struct form *f);
enum MHD_Result desk_ledger_view_page(struct MHD_Connection *c, struct req *r);

#endif
