/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_reg_internal: what the registry's pages of the desk share, one concern
 * a file: desk_registry.c (routes, dispatch, the distribution lists, a
 * submission's marking), desk_report.c (the reports shown: list, one report,
 * circulation, tearline, the JSON reads) and desk_report_write.c (the
 * writing page). Nothing outside src/app/desk includes this.
 */
#ifndef CUTOUT_APP_DESK_REG_INTERNAL_H
#define CUTOUT_APP_DESK_REG_INTERNAL_H

#include <stdint.h>

#include "app/desk/desk_registry.h"
#include "app/web/markup.h"

/* A notice: a catalogue key and, when given, the registry's own message (escaped). */
void desk_reg_notice(struct w *w, const char *key, const char *msg, int good);
/* The page written into out->body: status and title, or 500 if writing failed. */
void desk_reg_finish(struct w *w, struct desk_reg_out *out, unsigned status, const char *title);
/* No page: the door renders status. */
void desk_reg_fail(struct desk_reg_out *out, unsigned status);
/* 303 to prefix ID suffix. 0, or -1 (then a 500). */
int desk_reg_redirect(struct desk_reg_out *out, const char *prefix, int64_t id, const char *suffix);
/* <datalist id="markings">: the scheme's levels, alone and with each declared compartment,
 * offered by the marking inputs (list="markings"), which still take any marking typed. */
void desk_reg_markings(struct w *w, const struct registry *reg);
/* A value in a URL's query, percent-encoded (RFC 3986 unreserved bytes kept). */
void desk_reg_query_value(struct w *w, const char *v);
/* A text input with its value escaped. */
void desk_reg_input(struct w *w, const char *id, const char *name, const char *value,
                    const char *extra);

/* desk_report.c */
/* A report's page, with a notice (note_key NULL: none) and an HTTP status. */
void desk_report_page(const struct desk_reg_in *in, struct desk_reg_out *out, int64_t id,
                      const char *note_key, const char *note_msg, int good, unsigned status);
void desk_report_list(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_show(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_circulate(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_tearline(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_api_list(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_api_one(const struct desk_reg_in *in, struct desk_reg_out *out);

/* Controlled release (core/release): desk_recipients.c, desk_release.c, desk_trace.c. */
void desk_recipients_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                            struct desk_reg_out *out);
void desk_release_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                         struct desk_reg_out *out);
void desk_trace_handle(enum desk_reg_route rt, const struct desk_reg_in *in,
                       struct desk_reg_out *out);
/* The HTTP status of a refusal by core/release (desk_release.c). */
unsigned desk_release_status(int release_result);

/* desk_liaison.c: "from PARTNER" and the topics of a report's page, and the form's POST. */
void desk_liaison_report_block(struct w *w, const struct desk_reg_in *in, int64_t id);
void desk_liaison_topics_post(const struct desk_reg_in *in, struct desk_reg_out *out);
/* The partners page (/partners): 404 for an officer neither admin nor releasing. */
void desk_liaison_partners(const struct desk_reg_in *in, struct desk_reg_out *out);

/* desk_report_write.c */
void desk_report_new(const struct desk_reg_in *in, struct desk_reg_out *out);
void desk_report_write(const struct desk_reg_in *in, struct desk_reg_out *out);

#endif
