/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * accounts: the admin operations on officers (add, roles, clearance,
 * disable/enable, reset), each one use case: checks, the slow work (Argon2id,
 * the intake label's keys: officer_internal.h), then one transaction that
 * checks nothing it relied on changed, makes the change, the intake label's
 * with it, and appends the entries.
 */
#include <stdio.h>
#include <string.h>

#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"
#include "lib/password.h"

#include "lib/banned.h"

enum officer_result officer_new_row(const char *name, unsigned roles, const char *clearance,
                                    const char *nationality, const char *password,
                                    struct store_officer *r)
{
	if (!officer_name_valid(name) || roles == 0 || (roles & ~(unsigned)ROLE_ALL) ||
	    !officer_clearance_valid(clearance) || !officer_nationality_valid(nationality))
		return OFFICER_BAD_INPUT;
	if (password_check(password, name) != PASSWORD_OK)
		return OFFICER_WEAK_PASSWORD;
	memset(r, 0, sizeof *r);
	memcpy(r->name, name, strlen(name) + 1);
	r->roles = roles;
	memcpy(r->clearance, clearance, strlen(clearance) + 1);
	memcpy(r->nationality, nationality, 4);
	r->created_day = store_today();
	return OFFICER_OK;
}

enum store_result officer_insert_in(struct store *s, struct store_officer *r,
                                    const struct officer_fresh_keys *fk)
{
	struct store_officer bare;
	store_id id = 0;
	memset(&bare, 0, sizeof bare);
	memcpy(bare.name, r->name, sizeof bare.name);
	bare.roles = r->roles;
	memcpy(bare.clearance, r->clearance, sizeof bare.clearance);
	memcpy(bare.nationality, r->nationality, sizeof bare.nationality);
	bare.created_day = r->created_day;
	enum store_result sr = store_officer_insert(s, &bare, &id);
	if (sr != STORE_OK)
		return sr; /* STORE_EXISTS: the name is taken */
	r->id = id;
	/* the identity's wrap names the id, known only now: one small AEAD, no Argon2id */
	if (officer_keys_seal(fk, r) != 0)
		return STORE_NOMEM;
	sr = store_officer_keys_set(s, r, 0);
	return sr == STORE_EXISTS ? STORE_CORRUPT : sr;
}

/* ---- add ---- */

struct add_tx {
	const struct officer_key *as;
	struct store_officer *row;
	const struct officer_fresh_keys *fk;
	struct officer_plan *plan;
	const char *detail;
	bool conflict;
};

static enum store_result add_tx(struct store *s, void *arg)
{
	struct add_tx *a = arg;
	enum store_result r = officer_still(s, a->as, NULL, &a->conflict);
	if (r == STORE_OK)
		r = officer_insert_in(s, a->row, a->fk);
	if (r == STORE_OK)
		r = officer_plan_apply(s, a->plan, a->row->id, a->as->name, &a->conflict);
	if (r != STORE_OK)
		return r;
	return officer_log_about(s, LEDGER_OFFICER_ADD, a->as, a->row->name, a->row->clearance,
	                         a->detail);
}

enum officer_result officer_add(struct officers *o, const struct officer_key *as, const char *name,
                                unsigned roles, const char *clearance, const char *nationality,
                                const char *password, store_id *id)
{
	struct store_officer row;
	struct officer_fresh_keys fk;
	char detail[96];
	enum officer_result rc = officer_check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if ((rc = officer_new_row(name, roles, clearance, nationality, password, &row)) !=
	            OFFICER_OK ||
	    (rc = officer_roles_detail(roles, nationality, detail)) != OFFICER_OK)
		return rc;
	if ((rc = officer_keys_prepare(o, &row, password, 1, &fk)) != OFFICER_OK)
		return rc;
	for (int tries = 0; tries < OFFICER_TX_TRIES; tries++) {
		struct officer_plan plan;
		struct add_tx a = {
		        .as = as, .row = &row, .fk = &fk, .plan = &plan, .detail = detail};
		officer_plan_init(&plan);
		rc = officer_check_admin(o, as);
		if (rc == OFFICER_OK && (roles & ROLE_INTAKE))
			rc = officer_plan_grant(o, &plan, as, 0, row.pk);
		if (rc == OFFICER_OK) {
			enum store_result sr = store_write(o->s, NULL, 0, add_tx, &a);
			rc = sr == STORE_OK       ? officer_plan_publish(o, &plan)
			     : sr == STORE_EXISTS ? OFFICER_EXISTS
			                          : OFFICER_FAILED;
		}
		officer_plan_free(&plan);
		if (!a.conflict)
			break;
	}
	officer_keys_wipe(&fk);
	if (rc == OFFICER_OK && id)
		*id = row.id;
	sodium_memzero(&row, sizeof row);
	return rc;
}

/* ---- roles, disable/enable, reset: a change to an existing officer ---- */

enum change { CHANGE_ROLES, CHANGE_DISABLED, CHANGE_KEYS };

struct change_tx {
	enum change what;
	const struct officer_key *as;
	const struct store_officer *was; /* the row as the action read it */
	unsigned roles;
	bool disabled;
	const struct store_officer *keys; /* CHANGE_KEYS: the row with its new keys */
	const char *revoke;               /* drop their wraps of this label ("": every label) */
	struct officer_plan *plan;
	enum ledger_action action;
	const char *detail;
	bool conflict;
};

static enum store_result change_tx(struct store *s, void *arg)
{
	struct change_tx *a = arg;
	store_id id = a->was->id;
	enum store_result r = officer_still(s, a->as, a->was, &a->conflict);
	if (r != STORE_OK)
		return r;
	switch (a->what) {
	case CHANGE_ROLES:
		r = store_officer_set_roles(s, id, a->roles);
		break;
	case CHANGE_DISABLED:
		r = store_officer_set_disabled(s, id, a->disabled);
		break;
	case CHANGE_KEYS:
		/* the version was checked above: another reset would have been a conflict */
		r = store_officer_keys_set(s, a->keys, a->was->version);
		if (r == STORE_EXISTS)
			r = STORE_CORRUPT;
		break;
	}
	if (r == STORE_OK && a->revoke != NULL)
		r = store_label_revoke(s, *a->revoke ? a->revoke : NULL, id);
	if (r == STORE_OK)
		r = officer_plan_apply(s, a->plan, id, a->as->name, &a->conflict);
	if (r != STORE_OK)
		return r;
	return officer_log_about(s, a->action, a->as, a->was->name, NULL, a->detail);
}

/* Runs a prepared change; DIR/intake.pub follows a rotation once committed. */
static enum officer_result change_run(struct officers *o, struct change_tx *a)
{
	enum store_result sr = store_write(o->s, NULL, 0, change_tx, a);
	if (sr != STORE_OK)
		return OFFICER_FAILED;
	return officer_plan_publish(o, a->plan);
}

/* An admin `as`, and the officer `name` as stored now. */
static enum officer_result target(struct officers *o, const struct officer_key *as,
                                  const char *name, struct store_officer *row)
{
	enum officer_result rc = officer_check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (!officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	return officer_from_store(store_officer_find(o->s, name, row));
}

static enum officer_result roles_once(struct officers *o, const struct officer_key *as,
                                      const char *name, unsigned roles, bool *conflict)
{
	struct store_officer row;
	struct officer_plan plan;
	char detail[96];
	enum officer_result rc = officer_check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (roles == 0 || (roles & ~(unsigned)ROLE_ALL))
		return OFFICER_BAD_INPUT;
	if ((rc = target(o, as, name, &row)) != OFFICER_OK)
		return rc;
	if (row.id == as->id && !(roles & ROLE_ADMIN))
		return OFFICER_FORBIDDEN;
	if ((rc = officer_roles_detail(roles, NULL, detail)) != OFFICER_OK)
		return rc;
	bool had = row.roles & ROLE_INTAKE, has = roles & ROLE_INTAKE;
	officer_plan_init(&plan);
	if (had && !has && !row.disabled)
		rc = officer_plan_rotate(o, &plan, row.id, 0, NULL);
	else if (!had && has && !row.disabled && row.wrapped_sk_len > 0)
		rc = officer_plan_grant(o, &plan, as, row.id, row.pk);
	if (rc == OFFICER_OK) {
		struct change_tx a = {.what = CHANGE_ROLES,
		                      .as = as,
		                      .was = &row,
		                      .roles = roles,
		                      .revoke = had && !has ? LABEL_INTAKE : NULL,
		                      .plan = &plan,
		                      .action = LEDGER_OFFICER_ROLES,
		                      .detail = detail};
		rc = change_run(o, &a);
		*conflict = a.conflict;
	}
	officer_plan_free(&plan);
	return rc;
}

enum officer_result officer_set_roles(struct officers *o, const struct officer_key *as,
                                      const char *name, unsigned roles)
{
	enum officer_result rc = OFFICER_FAILED;
	bool conflict = true;
	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		conflict = false;
		rc = roles_once(o, as, name, roles, &conflict);
	}
	return rc;
}

/*
 * No entry of its own: the clearance.grant / clearance.revoke entries are
 * registry_officer_changed's (core/registry), which the caller runs next.
 */
enum officer_result officer_set_clearance(struct officers *o, const struct officer_key *as,
                                          const char *name, const char *clearance)
{
	struct store_officer row;
	enum officer_result rc = officer_check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (!officer_name_valid(name) || !officer_clearance_valid(clearance))
		return OFFICER_BAD_INPUT;
	if ((rc = officer_from_store(store_officer_find(o->s, name, &row))) != OFFICER_OK)
		return rc;
	return officer_from_store(store_officer_set_clearance(o->s, row.id, clearance));
}

static enum officer_result disable_once(struct officers *o, const struct officer_key *as,
                                        const char *name, bool disabled, bool *conflict)
{
	struct store_officer row;
	struct officer_plan plan;
	enum officer_result rc = target(o, as, name, &row);
	if (rc != OFFICER_OK)
		return rc;
	if (row.id == as->id)
		return OFFICER_FORBIDDEN;
	if ((row.disabled != 0) == disabled)
		return OFFICER_OK;
	bool intake = row.roles & ROLE_INTAKE;
	officer_plan_init(&plan);
	if (disabled && intake)
		rc = officer_plan_rotate(o, &plan, row.id, 0, NULL);
	else if (!disabled && intake && row.wrapped_sk_len > 0)
		rc = officer_plan_grant(o, &plan, as, row.id, row.pk);
	if (rc == OFFICER_OK) {
		struct change_tx a = {.what = CHANGE_DISABLED,
		                      .as = as,
		                      .was = &row,
		                      .disabled = disabled,
		                      .revoke = disabled && intake ? LABEL_INTAKE : NULL,
		                      .plan = &plan,
		                      .action = disabled ? LEDGER_OFFICER_DISABLE
		                                         : LEDGER_OFFICER_ENABLE};
		rc = change_run(o, &a);
		*conflict = a.conflict;
	}
	officer_plan_free(&plan);
	return rc;
}

enum officer_result officer_disable(struct officers *o, const struct officer_key *as,
                                    const char *name, bool disabled)
{
	enum officer_result rc = OFFICER_FAILED;
	bool conflict = true;
	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		conflict = false;
		rc = disable_once(o, as, name, disabled, &conflict);
	}
	return rc;
}

enum officer_result officer_reset(struct officers *o, const struct officer_key *as,
                                  const char *name, const char *new_password)
{
	struct store_officer row, keys;
	struct officer_fresh_keys fk;
	enum officer_result rc = OFFICER_FAILED;
	bool conflict = true;

	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		struct officer_plan plan;
		conflict = false;
		if ((rc = target(o, as, name, &row)) != OFFICER_OK)
			break;
		if (password_check(new_password, name) != PASSWORD_OK) {
			rc = OFFICER_WEAK_PASSWORD;
			break;
		}
		if (row.version == UINT32_MAX) {
			rc = OFFICER_FAILED;
			break;
		}
		/* new password keys: Argon2id, a new identity and its wrap (the id is known) */
		keys = row;
		if ((rc = officer_keys_prepare(o, &keys, new_password, row.version + 1, &fk)) !=
		    OFFICER_OK)
			break;
		int sealed = officer_keys_seal(&fk, &keys);
		officer_keys_wipe(&fk);
		if (sealed != 0) {
			rc = OFFICER_FAILED;
			break;
		}
		officer_plan_init(&plan);
		if ((row.roles & ROLE_INTAKE) && !row.disabled)
			rc = officer_plan_grant(o, &plan, as, row.id, keys.pk);
		if (rc == OFFICER_OK) {
			/* the old identity's wraps are useless now: dropped, wrapped anew */
			struct change_tx a = {.what = CHANGE_KEYS,
			                      .as = as,
			                      .was = &row,
			                      .keys = &keys,
			                      .revoke = "",
			                      .plan = &plan,
			                      .action = LEDGER_OFFICER_RESET};
			rc = change_run(o, &a);
			conflict = a.conflict;
		}
		officer_plan_free(&plan);
	}
	sodium_memzero(&keys, sizeof keys);
	return rc;
}
