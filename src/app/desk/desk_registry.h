/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_registry: the registry in the officers' door (issue 5): the report
 * list, writing a report (portion-marked paragraphs, the computed overall
 * marking shown and checked, citations), showing one, circulating it, the
 * tearline view, the distribution lists, a submission's marking change, and
 * the JSON reads GET /api/v1/reports and /api/v1/reports/{id}.
 *
 * http_desk.c owns the connection, the session and CSRF; it routes here with
 * desk_registry_route(), gates the session, and sends what
 * desk_registry_handle() put in struct desk_reg_out. Every read is decided by
 * core/registry (the access decision): a forbidden report and a missing one
 * give the same page (404), a listing shows only what the reader may read.
 * A report is written from its form as the typed input of core/registry
 * (struct registry_report_input), never as text. The pages are
 * desk_registry.c, desk_report.c and desk_report_write.c
 * (desk_reg_internal.h).
 *
 * Controlled release (issue 13) rides on the same routes and output:
 * recipients (desk_recipients.c), releases proposed, decided and their copies
 * downloaded (desk_release.c), and the trace of a leaked text
 * (desk_trace.c), each a thin page over one use case of core/release, which
 * decides roles, the two-person rule and every access.
 *
 * Submissions: their distribution is the holders of the intake role (see
 * docs/desk.md); registry_submission_readable() decides with the
 * submission's marking and that distribution. The inbox, a source's page,
 * a submission, its downloads and the actions on a source all ask it.
 *
 * Every value in a page goes through html_escape, every text is a catalogue
 * key "desk.reg.*" (the registry's own error messages are shown as they are,
 * escaped: they name markings and paragraphs).
 */
#ifndef CUTOUT_APP_DESK_REGISTRY_H
#define CUTOUT_APP_DESK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/access/access.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "lib/buf.h"
#include "lib/web/form.h"

enum desk_reg_route {
	DR_NONE = 0,
	/* GET */
	DR_REPORTS,     /* /reports?page=N */
	DR_REPORT,      /* /report?id=N */
	DR_REPORT_NEW,  /* /report/new */
	DR_TEARLINE,    /* /report/tearline?id=N&marking=M */
	DR_DIST,        /* /dist */
	DR_API_REPORTS, /* /api/v1/reports?offset=&limit= */
	DR_API_REPORT,  /* /api/v1/reports/{id} */
	DR_RECIPIENTS,  /* /recipients */
	DR_RECIPIENT,   /* /recipient?name=N */
	DR_RELEASES,    /* /releases */
	DR_RELEASE,     /* /release?id=N */
	DR_RELEASE_NEW, /* /release/new?report=N */
	DR_TRACE,       /* /trace */
	DR_PARTNERS,    /* /partners (desk_liaison.c) */
	/* POST (form, CSRF checked by the door) */
	DR_POST_FIRST,
	DR_REPORT_WRITE = DR_POST_FIRST, /* /report/new: preview or write */
	DR_CIRCULATE,                    /* /report/circulate */
	DR_DIST_CREATE,                  /* /dist/create */
	DR_DIST_ADD,                     /* /dist/add */
	DR_DIST_REMOVE,                  /* /dist/remove */
	DR_SUB_MARK,                     /* /submission/mark */
	DR_RECIPIENT_ADD,                /* /recipient/add */
	DR_RECIPIENT_DISABLE,            /* /recipient/disable */
	DR_RELEASE_PROPOSE,              /* /release/new */
	DR_RELEASE_APPROVE,              /* /release/approve */
	DR_RELEASE_REFUSE,               /* /release/refuse */
	DR_RELEASE_EXPORT,               /* /release/export: a copy, as a download */
	DR_TRACE_RUN,                    /* /trace */
	DR_REPORT_TOPICS,                /* /report/topics (desk_liaison.c) */
};

/* The route of a request, DR_NONE if not the registry's. *bad_method: a known path, wrong verb. */
enum desk_reg_route desk_registry_route(const char *method, const char *url, bool *bad_method);
/* The roles a route needs (ROLE_*; 0: any logged-in officer). */
unsigned desk_registry_roles(enum desk_reg_route rt);
static inline bool desk_registry_is_api(enum desk_reg_route rt)
{
	return rt == DR_API_REPORTS || rt == DR_API_REPORT;
}

struct desk_reg_in {
	struct registry *reg;
	struct officers *officers;
	const struct officer_key *key; /* the session's keys */
	const char *officer;
	unsigned roles;
	const char *csrf;
	const char *lang;
	const char *org;
	const char *url;
	const char *topics; /* the configuration's liaison_topics (the vocabulary); NULL: none */
	const char *(*query)(void *ctx, const char *name);
	void *qctx;
	const struct form *form; /* POST only */
};

struct desk_reg_out {
	unsigned status;       /* 200, or an error: the door renders it when body is empty */
	bool json;             /* body is application/json */
	const char *title_key; /* the page's title (catalogue key) */
	struct buf *body;      /* the page or the JSON (the door's capped buffer) */
	char location[160];    /* non-empty: 303 to this local path */
	/* non-NULL: body is a download of this type, named filename (an attachment) */
	const char *download_type;
	char filename[96];
};

/* Handles a routed, gated request. */
void desk_registry_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                          struct desk_reg_out *out);

/*
 * Submissions. desk_reg_subject: the officer as the decision sees them now
 * (0, or -1: nothing is readable). Then registry_submission_readable (core/registry/registry.h).
 */
__attribute__((warn_unused_result)) int desk_reg_subject(struct registry *reg, store_id officer,
                                                         struct access_subject *out);

/* The marking-change form of the submission page (trusted markup, values escaped). 0 or -1. */
__attribute__((warn_unused_result)) int desk_registry_mark_form(struct buf *out, const char *lang,
                                                                const char *csrf,
                                                                const struct store_submission *sub);

#endif
