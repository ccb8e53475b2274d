/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release: what the use cases of core/release share (release_internal.h):
 * subjects and roles, messages, ledger entries, the released version of a
 * report, and THE decision for an outside recipient.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/release_internal.h"

#include "lib/banned.h"

const char *release_strerror(enum release_result r)
{
	switch (r) {
	case RELEASE_OK:
		return "ok";
	case RELEASE_NOT_FOUND:
		return "not found";
	case RELEASE_BAD_INPUT:
		return "bad input";
	case RELEASE_FORBIDDEN:
		return "forbidden";
	case RELEASE_REFUSED:
		return "refused";
	case RELEASE_EXISTS:
		return "already exists or decided";
	case RELEASE_EXPIRED:
		return "expired";
	case RELEASE_CANNOT_OPEN:
		return "this session holds no key to open it";
	case RELEASE_FAILED:
		return "failed";
	}
	return "unknown";
}

void rl_say(struct release_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0'; /* a truncated message is still a message */
}

enum release_result rl_subject(struct registry *r, const struct officer_key *as, uint32_t roles,
                               struct access_subject *subj, struct release_error *err)
{
	if (as == NULL)
		return RELEASE_FORBIDDEN;
	enum registry_result rc = registry_subject(r, officer_key_id(as), subj);
	if (rc == REGISTRY_FAILED)
		return RELEASE_FAILED;
	if (rc != REGISTRY_OK) {
		rl_say(err, "no such officer");
		return RELEASE_FORBIDDEN;
	}
	if ((subj->roles & roles) == 0) {
		rl_say(err, "this needs the %s role",
		       roles == ACCESS_ROLE_RELEASING ? "releasing" : "admin or releasing");
		return RELEASE_FORBIDDEN;
	}
	return RELEASE_OK;
}

int rl_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1])
{
	return officer_key_actor(as, actor, LEDGER_TOKEN_MAX + 1);
}

enum store_result rl_log_in(struct store *s, enum ledger_action action, const char *actor,
                            const char *kind, int64_t id, const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1] = "";
	if (id > 0) {
		int n = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
		if (n < 0 || (size_t)n >= sizeof obj)
			return STORE_TOO_LARGE;
	}
	return ledger_record_in(s, action, actor, obj, marking, detail);
}

/* ---- the released version ---- */

enum release_result rl_version_open(struct registry *r, const struct officer_key *as,
                                    store_id report, const struct marking *target,
                                    struct rl_version *v, struct release_error *err)
{
	struct slots_error se;
	memset(v, 0, sizeof *v);
	buf_init(&v->text, RL_TEXT_MAX);
	enum registry_result rc = registry_report_open(r, as, report, &v->rep);
	if (rc == REGISTRY_NOT_FOUND) {
		rl_say(err, "report %lld: no such report", (long long)report);
		return RELEASE_NOT_FOUND;
	}
	if (rc == REGISTRY_CANNOT_OPEN) {
		rl_say(err, "report %lld: this session holds no key of its label",
		       (long long)report);
		return RELEASE_CANNOT_OPEN;
	}
	if (rc != REGISTRY_OK)
		return RELEASE_FAILED;
	v->report_marking = v->rep->marking;
	if (registry_tearline(r, v->rep, target ? target : &v->rep->marking, &v->tl) != REGISTRY_OK)
		return RELEASE_FAILED;
	if (v->tl->nparas <= 1) {
		rl_say(err, "nothing of report %lld is at or below that marking",
		       (long long)report);
		return RELEASE_BAD_INPUT;
	}
	v->marking = v->tl->marking;
	if (marking_format(registry_scheme(r), &v->marking, false, v->marking_text,
	                   sizeof v->marking_text) < 0 ||
	    registry_report_format(r, v->tl, &v->text) != REGISTRY_OK)
		return RELEASE_FAILED;
	enum slots_result sr = slots_find((const char *)v->text.data, v->text.len, &v->slots, &se);
	if (sr == SLOTS_BAD_MARKUP) {
		rl_say(err, "the report's alternatives: %s", se.msg);
		return RELEASE_BAD_INPUT;
	}
	if (sr != SLOTS_OK)
		return sr == SLOTS_TOO_LARGE ? RELEASE_BAD_INPUT : RELEASE_FAILED;
	/* ORCON or NOFORN: the decision for the recipients (rl_recipient_allowed) refuses
	   it whatever its slots, and its reason is the one to give */
	if (v->slots.n == 0 && !(v->marking.flags & (MARKING_ORCON | MARKING_NOFORN))) {
		rl_say(err, "the released text has no place where copies can differ: mark "
		            "alternatives {a|b} in the report");
		return RELEASE_BAD_INPUT;
	}
	return RELEASE_OK;
}

enum release_result rl_version_engine(struct rl_version *v, unsigned engine)
{
	struct slots_error se;
	if (v->slots.engine == engine)
		return RELEASE_OK;
	slots_free(&v->slots);
	return slots_find_engine((const char *)v->text.data, v->text.len, engine, &v->slots, &se) ==
	                       SLOTS_OK
	               ? RELEASE_OK
	               : RELEASE_FAILED;
}

void rl_version_free(struct rl_version *v)
{
	registry_report_free(&v->rep);
	registry_report_free(&v->tl);
	buf_wipe_release(&v->text);
	slots_free(&v->slots);
}

/* ---- THE decision for an outside recipient ---- */

enum release_result rl_recipient_allowed(const struct registry *r, const struct store_recipient *rc,
                                         const struct marking *m, const char *mtext,
                                         struct release_error *err)
{
	struct access_subject subj;
	enum access_reason why = ACCESS_OK;
	memset(&subj, 0, sizeof subj);
	if (rc->disabled) {
		rl_say(err, "recipient '%s' is disabled", rc->name);
		return RELEASE_REFUSED;
	}
	if (m->flags & (MARKING_ORCON | MARKING_NOFORN)) {
		rl_say(err, "%s is %s: it is never released to an outside recipient", mtext,
		       (m->flags & MARKING_ORCON) ? "ORCON" : "NOFORN");
		return RELEASE_REFUSED;
	}
	if (marking_parse(registry_scheme(r), rc->marking, strlen(rc->marking), &subj.clearance,
	                  NULL) != MARKING_OK) {
		rl_say(err, "recipient '%s': their marking is not of this instance's scheme",
		       rc->name);
		return RELEASE_REFUSED;
	}
	subj.id = rc->id;
	subj.nationality = marking_country_find(rc->nationality, 3);
	struct access_object obj = {.marking = *m, .dist_unrestricted = true};
	if (access_decide(&subj, &obj, &why) == ACCESS_ALLOW)
		return RELEASE_OK;
	if (why == ACCESS_NATIONALITY)
		rl_say(err, "recipient '%s': nationality %s is not in the release list of %s",
		       rc->name, rc->nationality, mtext);
	else
		rl_say(err, "recipient '%s' may receive up to %s, not %s (%s)", rc->name,
		       rc->marking, mtext, access_reason_name(why));
	return RELEASE_REFUSED;
}

enum release_result release_recipient_allowed(const struct registry *r,
                                              const struct store_recipient *rc,
                                              const struct marking *m, const char *mtext,
                                              struct release_error *err)
{
	return rl_recipient_allowed(r, rc, m, mtext, err);
}

const char *rl_state(const struct store_release *row, int32_t today)
{
	if (row->state == STORE_RELEASE_REFUSED)
		return "refused";
	if (today > row->expiry_day)
		return "expired";
	return row->state == STORE_RELEASE_APPROVED ? "approved" : "proposed";
}

/* ---- a release row ---- */

static int row_copy(void *ctx, const struct store_release *sr)
{
	struct rl_row *w = ctx;
	w->row = *sr;
	w->row.recipients = NULL;
	w->row.sealed = NULL;
	w->recipients = malloc((sr->nrecipients ? sr->nrecipients : 1) * sizeof *w->recipients);
	w->sealed = malloc(sr->sealed_len ? sr->sealed_len : 1);
	if (w->recipients == NULL || w->sealed == NULL) {
		w->failed = 1;
		return 1;
	}
	if (sr->nrecipients)
		memcpy(w->recipients, sr->recipients, sr->nrecipients * sizeof *w->recipients);
	if (sr->sealed_len)
		memcpy(w->sealed, sr->sealed, sr->sealed_len);
	w->row.recipients = w->recipients;
	w->row.sealed = w->sealed;
	return 0;
}

enum release_result rl_row_get(struct registry *r, store_id id, struct rl_row *w)
{
	memset(w, 0, sizeof *w);
	enum store_result sr = store_release_get(registry_store(r), id, row_copy, w);
	if (sr == STORE_OK && !w->failed)
		return RELEASE_OK;
	rl_row_free(w);
	return sr == STORE_NOT_FOUND ? RELEASE_NOT_FOUND : RELEASE_FAILED;
}

void rl_row_free(struct rl_row *w)
{
	free(w->recipients);
	free(w->sealed);
	w->recipients = NULL;
	w->sealed = NULL;
}
