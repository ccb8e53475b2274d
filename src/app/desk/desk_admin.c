/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The desk: officers' administration (the ledger view: desk_ledger.c). */
#include "app/desk/desk_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/web/http.h"
#include "core/ledger/ledger.h"
#include "lib/num.h"
#include "lib/utf8.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

/* ---- administration ---- */

struct officers_ctx {
	struct officer *items;
	size_t n, cap;
};

static int add_officer(void *ctx, const struct officer *o)
{
	struct officers_ctx *oc = ctx;
	if (oc->n >= oc->cap)
		return 1;
	oc->items[oc->n++] = *o;
	return 0;
}

enum MHD_Result desk_admin_page(struct MHD_Connection *c, struct req *r, unsigned status,
                                const char *notice, int notice_ok)
{
	struct officers_ctx oc = {.cap = 1000};
	oc.items = calloc(oc.cap, sizeof *oc.items);
	if (oc.items == NULL)
		return desk_send_error(c, r, 500);
	enum MHD_Result res;
	if (officer_list(r->d->officers, add_officer, &oc) != OFFICER_OK) {
		res = desk_send_error(c, r, 500);
	} else {
		struct desk_page p;
		desk_page_init(r, &p);
		p.officers = oc.items;
		p.nofficers = oc.n;
		p.default_clearance = r->d->cfg.default_clearance;
		p.notice = notice;
		p.notice_ok = notice_ok;
		res = desk_send_page(c, r, status, DESK_PAGE_ADMIN, &p);
	}
	free(oc.items);
	return res;
}

static const char *admin_notice(enum officer_result orc, unsigned *status)
{
	switch (orc) {
	case OFFICER_OK:
		*status = 200;
		return "desk.admin.done";
	case OFFICER_EXISTS:
		*status = 409;
		return "desk.admin.exists";
	case OFFICER_NOT_FOUND:
		*status = 404;
		return "desk.admin.not_found";
	case OFFICER_BAD_INPUT:
		*status = 400;
		return "desk.admin.bad_input";
	case OFFICER_WEAK_PASSWORD:
		*status = 400;
		return "desk.admin.weak_password";
	case OFFICER_FORBIDDEN:
	case OFFICER_DENIED:
		*status = 403;
		return "desk.admin.forbidden";
	default:
		*status = 500;
		return "desk.admin.failed";
	}
}

/* The checked "role" boxes of the form; -1 if a value is unknown. */
static int form_roles(const struct form *f, unsigned *roles)
{
	*roles = 0;
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->fields[i].name, "role") != 0)
			continue;
		unsigned one;
		if (officer_roles_parse(f->fields[i].value, &one) != 0)
			return -1;
		*roles |= one;
	}
	return 0;
}

enum MHD_Result desk_admin_action(struct MHD_Connection *c, struct req *r, struct form *f)
{
	struct desk_door *d = r->d;
	const char *name = form_get(f, "name");
	enum officer_result orc = OFFICER_BAD_INPUT;
	bool labels_done = false; /* the use case did the labels' follow-up itself */
	unsigned roles = 0, status;
	if (name == NULL)
		return desk_admin_page(c, r, 400, "desk.admin.bad_input", 0);
	switch (r->route) {
	case R_ADMIN_ADD: {
		const char *pw = form_get(f, "password"), *cl = form_get(f, "clearance");
		const char *nat = form_get(f, "nationality");
		store_id id;
		if (pw == NULL || nat == NULL || form_roles(f, &roles) != 0)
			break;
		if (gate_enter(&d->kdf) != 0)
			return desk_send_error(c, r, 429);
		orc = officer_add(d->officers, r->sv.key, name, roles,
		                  cl != NULL && cl[0] != 0 ? cl : d->cfg.default_clearance, nat, pw,
		                  &id);
		gate_leave(&d->kdf);
		break;
	}
	case R_ADMIN_DISABLE: {
		const char *v = form_get(f, "disabled");
		if (v == NULL || (strcmp(v, "1") != 0 && strcmp(v, "0") != 0))
			break;
		orc = officer_disable(d->officers, r->sv.key, name, v[0] == '1');
		break;
	}
	case R_ADMIN_ROLES:
		if (form_roles(f, &roles) != 0)
			break;
		orc = officer_set_roles(d->officers, r->sv.key, name, roles);
		break;
	case R_ADMIN_RESET: {
		const char *pw = form_get(f, "password");
		if (pw == NULL)
			break;
		if (gate_enter(&d->kdf) != 0)
			return desk_send_error(c, r, 429);
		orc = officer_reset(d->officers, r->sv.key, name, pw);
		gate_leave(&d->kdf);
		break;
	}
	case R_ADMIN_CLEARANCE: {
		/* the clearance and its marking labels in one transaction (core/registry) */
		const char *cl = form_get(f, "clearance");
		if (cl == NULL)
			break;
		enum registry_result rr =
		        registry_officer_clearance(d->reg, d->officers, r->sv.key, name, cl, &orc);
		if (rr == REGISTRY_BAD_INPUT)
			orc = OFFICER_BAD_INPUT;
		else if (rr != REGISTRY_OK && orc == OFFICER_OK)
			return desk_admin_page(c, r, 500, "desk.admin.labels_failed", 0);
		labels_done = true;
		break;
	}
	default:
		return desk_send_error(c, r, 404);
	}
	/* The marking labels follow the change, as `cutout officer` does
	 * (core/registry/registry.h). */
	if (orc == OFFICER_OK && !labels_done &&
	    registry_officer_changed(d->reg, r->sv.key, name) != REGISTRY_OK) {
		desk_sessions_end_officer(d->sess, name);
		return desk_admin_page(c, r, 500, "desk.admin.labels_failed", 0);
	}
	/* The officer's live sessions hold stale keys or roles: they end. */
	if (orc == OFFICER_OK && r->route != R_ADMIN_ADD)
		desk_sessions_end_officer(d->sess, name);
	const char *notice = admin_notice(orc, &status);
	if (orc == OFFICER_OK && strcmp(name, r->sv.name) == 0 && r->route != R_ADMIN_ADD) {
		/* The admin changed themself: their session ended with the others. */
		desk_make_cookie(r, COOKIE, "");
		return desk_redirect(c, r, "/login");
	}
	return desk_admin_page(c, r, status, notice, orc == OFFICER_OK);
}
