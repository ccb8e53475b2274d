/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bootstrap: the first admin (and `cutout demo`, and recovery when no enabled
 * admin is left), authorised by the instance's admin identity instead of an
 * admin session. The first time, the instance's intake label becomes version
 * 1 of the label "intake". The officer, the label and the officer.add entry
 * (by "admin") commit together.
 */
#include <string.h>

#include "core/instance/instance.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"

#include "lib/banned.h"

static int any_admin(void *ctx, const struct store_officer *r)
{
	if ((r->roles & ROLE_ADMIN) && !r->disabled && r->wrapped_sk_len > 0) {
		*(int *)ctx = 1;
		return 1;
	}
	return 0;
}

static bool identity_is(const struct age_identity *id, const uint8_t *want, size_t wn, bool as_text)
{
	struct age_recipient *r = NULL;
	char text[AGE_RECIPIENT_STRLEN + 2];
	uint8_t pk[32];
	bool ok = false;
	if (id == NULL || age_identity_recipient(id, &r) != AGE_OK)
		goto out;
	if (as_text) {
		if (age_recipient_format(r, text, sizeof text) != AGE_OK)
			goto out;
		ok = strlen(text) == wn && memcmp(text, want, wn) == 0;
	} else {
		ok = age_recipient_x25519(r, pk) == AGE_OK && wn == 32 && memcmp(pk, want, 32) == 0;
	}
out:
	age_recipient_free(&r);
	return ok;
}

bool officer_is_admin_identity(struct officers *o, const struct age_identity *id)
{
	uint8_t meta[STORE_META_MAX];
	size_t ml = 0;
	if (id == NULL ||
	    store_meta_get(o->s, INSTANCE_META_ADMIN_RECIPIENT, meta, sizeof meta, &ml) != STORE_OK)
		return false;
	return identity_is(id, meta, ml, true);
}

struct boot_tx {
	struct store_officer *row;
	const struct officer_fresh_keys *fk;
	struct officer_plan *plan;
	const char *detail;
	bool conflict;
};

static enum store_result boot_tx(struct store *s, void *arg)
{
	struct boot_tx *a = arg;
	int exists = 0;
	enum store_result r = store_officer_list(s, any_admin, &exists);
	if (r != STORE_OK && r != STORE_STOP)
		return r;
	if (exists) { /* another bootstrap won meanwhile */
		a->conflict = true;
		return STORE_REFUSED;
	}
	if ((r = officer_insert_in(s, a->row, a->fk)) != STORE_OK ||
	    (r = officer_plan_apply(s, a->plan, a->row->id, NULL, &a->conflict)) != STORE_OK)
		return r;
	return officer_log_about(s, LEDGER_OFFICER_ADD, NULL, a->row->name, a->row->clearance,
	                         a->detail);
}

/*
 * The checks of a bootstrap: the admin identity, no enabled admin, and the
 * first time the instance's intake identity. *first: no intake label yet.
 */
static enum officer_result boot_check(struct officers *o, const struct age_identity *admin_identity,
                                      const struct age_identity *intake_identity, bool *first)
{
	uint8_t meta[STORE_META_MAX];
	size_t ml = 0;
	int exists = 0;

	if (store_meta_get(o->s, INSTANCE_META_ADMIN_RECIPIENT, meta, sizeof meta, &ml) != STORE_OK)
		return OFFICER_FAILED;
	if (!identity_is(admin_identity, meta, ml, true))
		return OFFICER_FORBIDDEN;
	enum store_result r = store_officer_list(o->s, any_admin, &exists);
	if (r != STORE_OK && r != STORE_STOP) /* any_admin stops at the first */
		return OFFICER_FAILED;
	if (exists)
		return OFFICER_FORBIDDEN;
	uint32_t cur = 0;
	uint8_t cur_pk[32];
	enum label_result lr = label_current(o->s, LABEL_INTAKE, &cur, cur_pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return OFFICER_FAILED;
	*first = lr == LABEL_NOT_FOUND;
	if (*first) {
		/* the first time: the instance's intake label becomes version 1 */
		if (store_meta_get(o->s, INSTANCE_META_INTAKE_PK, meta, sizeof meta, &ml) !=
		    STORE_OK)
			return OFFICER_FAILED;
		if (!identity_is(intake_identity, meta, ml, false))
			return OFFICER_BAD_INPUT;
	}
	return OFFICER_OK;
}

enum officer_result officer_bootstrap(struct officers *o, const struct age_identity *admin_identity,
                                      const struct age_identity *intake_identity, const char *name,
                                      unsigned roles, const char *clearance,
                                      const char *nationality, const char *password, store_id *id)
{
	struct store_officer row;
	struct officer_fresh_keys fk;
	char detail[96];
	bool first = false, conflict = true;
	enum officer_result rc;

	if (!(roles & ROLE_ADMIN))
		return OFFICER_BAD_INPUT;
	if ((rc = boot_check(o, admin_identity, intake_identity, &first)) != OFFICER_OK ||
	    (rc = officer_new_row(name, roles, clearance, nationality, password, &row)) !=
	            OFFICER_OK ||
	    (rc = officer_roles_detail(roles, nationality, detail)) != OFFICER_OK)
		return rc;
	if ((rc = officer_keys_prepare(o, &row, password, 1, &fk)) != OFFICER_OK)
		return rc;
	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		struct officer_plan plan;
		struct boot_tx a = {.row = &row, .fk = &fk, .plan = &plan, .detail = detail};
		officer_plan_init(&plan);
		conflict = false;
		if (tries > 0 &&
		    (rc = boot_check(o, admin_identity, intake_identity, &first)) != OFFICER_OK) {
			officer_plan_free(&plan);
			break;
		}
		if (first)
			rc = officer_plan_import(o, &plan, intake_identity,
			                         (roles & ROLE_INTAKE) ? row.pk : NULL);
		else if (roles &
		         ROLE_INTAKE) /* recovery: the new admin holds only versions from now on */
			rc = officer_plan_rotate(o, &plan, 0, 0, row.pk);
		if (rc == OFFICER_OK) {
			enum store_result sr = store_write(o->s, NULL, 0, boot_tx, &a);
			rc = sr == STORE_OK       ? officer_plan_publish(o, &plan)
			     : sr == STORE_EXISTS ? OFFICER_EXISTS
			                          : OFFICER_FAILED;
			conflict = a.conflict;
		}
		officer_plan_free(&plan);
	}
	officer_keys_wipe(&fk);
	if (rc == OFFICER_OK && id)
		*id = row.id;
	sodium_memzero(&row, sizeof row);
	return rc;
}
