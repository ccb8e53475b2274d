/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * recovery: the offline recovery key (core/keys/label.h), when the operator
 * configured one. Setting and clearing it (an admin; setting also needs the
 * instance's admin identity) and restoring an officer's intake label with it
 * each commit with their entry (recovery.set, recovery.clear, label.recover).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"
#include "lib/secmem.h"

#include "lib/banned.h"

/* ---- the key as a session key ---- */

enum officer_result officer_recovery_key(struct officers *o, const struct age_identity *recovery,
                                         struct officer_key **out)
{
	enum officer_result rc = OFFICER_FAILED;
	struct age_recipient *r = NULL;
	struct age_identity *copy = NULL;
	char *text = NULL;
	uint8_t want[32], got[32];
	*out = NULL;

	enum label_result lr = label_recovery_pk(o->s, want);
	if (lr == LABEL_NOT_FOUND)
		return OFFICER_NOT_FOUND;
	if (lr != LABEL_OK || recovery == NULL)
		return OFFICER_FAILED;
	if (age_identity_recipient(recovery, &r) != AGE_OK ||
	    age_recipient_x25519(r, got) != AGE_OK)
		goto out;
	if (sodium_memcmp(want, got, 32) != 0) {
		rc = OFFICER_FORBIDDEN;
		goto out;
	}
	/* the key owns its identities: a copy, through its text in guarded memory */
	text = secmem_alloc(ID_TEXT_CAP);
	if (text == NULL || age_identity_format(recovery, text, ID_TEXT_CAP) != AGE_OK ||
	    age_identity_parse(text, &copy) != AGE_OK)
		goto out;
	struct officer_key *k = sodium_malloc(sizeof *k);
	if (k == NULL)
		goto out;
	memset(k, 0, sizeof *k);
	k->id = STORE_RECOVERY_OFFICER;
	k->roles = 0; /* it holds keys, it authorises nothing */
	memcpy(k->name, "recovery", sizeof "recovery");
	if (officer_key_push(k, copy, NULL, 0) != 0) {
		copy = NULL;
		officer_key_free(&k);
		goto out;
	}
	copy = NULL;
	if (officer_key_load(o->s, k, STORE_RECOVERY_OFFICER) != OFFICER_OK) {
		officer_key_free(&k);
		goto out;
	}
	*out = k;
	rc = OFFICER_OK;
out:
	secmem_free(text); /* wipes */
	age_identity_free(&copy);
	age_recipient_free(&r);
	return rc;
}

/* ---- restore ---- */

struct restore_tx {
	const struct officer_key *rk;
	const struct store_officer *was;
	struct officer_plan *plan;
	bool conflict;
};

static enum store_result restore_tx(struct store *s, void *arg)
{
	struct restore_tx *a = arg;
	enum store_result r = officer_still(s, NULL, a->was, &a->conflict);
	if (r == STORE_OK)
		r = officer_plan_apply(s, a->plan, a->was->id, a->rk->name, &a->conflict);
	if (r != STORE_OK)
		return r;
	return officer_log_about(s, LEDGER_LABEL_RECOVER, a->rk, a->was->name, NULL,
	                         (a->was->roles & ROLE_INTAKE) ? "intake label" : "no intake role");
}

enum officer_result officer_restore(struct officers *o, const struct officer_key *recovery,
                                    const char *name)
{
	enum officer_result rc = OFFICER_FAILED;
	bool conflict = true;
	if (!officer_key_is_recovery(recovery))
		return OFFICER_FORBIDDEN;
	if (!officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		struct store_officer row;
		struct officer_plan plan;
		conflict = false;
		if ((rc = officer_from_store(store_officer_find(o->s, name, &row))) != OFFICER_OK)
			break;
		if (row.disabled || row.wrapped_sk_len == 0) {
			rc = OFFICER_FORBIDDEN;
			break;
		}
		officer_plan_init(&plan);
		if (row.roles & ROLE_INTAKE)
			rc = officer_plan_grant(o, &plan, recovery, row.id, row.pk);
		if (rc == OFFICER_OK) {
			struct restore_tx a = {.rk = recovery, .was = &row, .plan = &plan};
			rc = store_write(o->s, NULL, 0, restore_tx, &a) == STORE_OK
			             ? officer_plan_publish(o, &plan)
			             : OFFICER_FAILED;
			conflict = a.conflict;
		}
		officer_plan_free(&plan);
	}
	return rc;
}

/* ---- set, clear, show ---- */

struct recovery_wrap {
	char name[LABEL_NAME_MAX + 1];
	uint32_t version;
	size_t len;
	uint8_t bytes[LABEL_WRAP_MAX];
};

struct recovery_tx {
	const struct officer_key *as;
	const uint8_t *pk; /* NULL: clear */
	const struct recovery_wrap *w;
	size_t n;
	const char *recipient;
	bool conflict;
};

static enum store_result recovery_tx(struct store *s, void *arg)
{
	struct recovery_tx *a = arg;
	char actor[LEDGER_TOKEN_MAX + 1];
	enum store_result r = officer_still(s, a->as, NULL, &a->conflict);
	if (r != STORE_OK)
		return r;
	/* the key (or none), the wraps to the previous one deleted */
	if (label_recovery_set(s, a->pk) != LABEL_OK)
		return STORE_IO;
	for (size_t i = 0; i < a->n; i++) {
		struct store_label_wrap w = {.officer = STORE_RECOVERY_OFFICER,
		                             .wrap = a->w[i].bytes,
		                             .len = a->w[i].len};
		if ((r = store_label_wrap_put(s, a->w[i].name, a->w[i].version, &w)) != STORE_OK)
			return r;
	}
	if (officer_key_actor(a->as, actor, sizeof actor) != 0)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, a->pk ? LEDGER_RECOVERY_SET : LEDGER_RECOVERY_CLEAR, actor,
	                        "label:recovery", NULL, a->recipient);
}

/* The versions `as` holds, sealed to pk. *out: the caller frees it. */
static enum officer_result seal_held(const struct officer_key *as, const uint8_t pk[static 32],
                                     struct recovery_wrap **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (as->n <= 1)
		return OFFICER_OK;
	struct recovery_wrap *w = calloc(as->n - 1, sizeof *w);
	if (w == NULL)
		return OFFICER_FAILED;
	for (size_t i = 1; i < as->n; i++) {
		struct recovery_wrap *x = &w[*n];
		memcpy(x->name, as->labels[i].name, sizeof x->name);
		x->version = as->labels[i].version;
		if (label_seal(as->ids[i], pk, x->bytes, sizeof x->bytes, &x->len) != LABEL_OK) {
			free(w);
			*n = 0;
			return OFFICER_FAILED;
		}
		(*n)++;
	}
	*out = w;
	return OFFICER_OK;
}

/* Runs a set (pk) or a clear (pk NULL) for an admin. */
static enum officer_result recovery_change(struct officers *o, const struct officer_key *as,
                                           const uint8_t *pk, const char *recipient,
                                           size_t *wrapped)
{
	enum officer_result rc = OFFICER_FAILED;
	bool conflict = true;
	for (int tries = 0; conflict && tries < OFFICER_TX_TRIES; tries++) {
		struct recovery_wrap *w = NULL;
		size_t n = 0;
		conflict = false;
		if ((rc = officer_check_admin(o, as)) != OFFICER_OK)
			break;
		if (pk != NULL && (rc = seal_held(as, pk, &w, &n)) != OFFICER_OK)
			break;
		struct recovery_tx a = {.as = as, .pk = pk, .w = w, .n = n, .recipient = recipient};
		rc = store_write(o->s, NULL, 0, recovery_tx, &a) == STORE_OK ? OFFICER_OK
		                                                             : OFFICER_FAILED;
		conflict = a.conflict;
		free(w);
		if (rc == OFFICER_OK && wrapped != NULL)
			*wrapped = n;
	}
	return rc;
}

enum officer_result officer_recovery_set(struct officers *o, const struct officer_key *as,
                                         const struct age_identity *admin_identity,
                                         const uint8_t pk[static 32], size_t *wrapped)
{
	struct age_recipient *r = NULL;
	char recipient[AGE_RECIPIENT_STRLEN + 2];
	enum officer_result rc = officer_check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	/* the operator's decision, not an admin's alone */
	if (!officer_is_admin_identity(o, admin_identity))
		return OFFICER_FORBIDDEN;
	if (age_recipient_from_x25519(pk, &r) != AGE_OK ||
	    age_recipient_format(r, recipient, sizeof recipient) != AGE_OK) {
		age_recipient_free(&r);
		return OFFICER_BAD_INPUT;
	}
	age_recipient_free(&r);
	return recovery_change(o, as, pk, recipient, wrapped);
}

enum officer_result officer_recovery_clear(struct officers *o, const struct officer_key *as)
{
	return recovery_change(o, as, NULL, NULL, NULL);
}

struct show_ctx {
	int (*fn)(void *ctx, const char *label, uint32_t version);
	void *ctx;
};

static int show_one(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct show_ctx *c = ctx;
	(void)wrap;
	(void)n;
	return c->fn(c->ctx, name, version);
}

enum officer_result officer_recovery_show(struct officers *o, uint8_t pk[static 32],
                                          uint32_t *intake_version,
                                          int (*fn)(void *ctx, const char *label, uint32_t version),
                                          void *ctx)
{
	uint8_t cur_pk[32];
	enum label_result lr = label_recovery_pk(o->s, pk);
	if (lr == LABEL_NOT_FOUND)
		return OFFICER_NOT_FOUND;
	if (lr != LABEL_OK)
		return OFFICER_FAILED;
	struct show_ctx c = {.fn = fn, .ctx = ctx};
	if (fn != NULL && label_wraps(o->s, STORE_RECOVERY_OFFICER, show_one, &c) != LABEL_OK)
		return OFFICER_FAILED;
	*intake_version = 0;
	lr = label_current(o->s, LABEL_INTAKE, intake_version, cur_pk);
	if (lr == LABEL_NOT_FOUND)
		*intake_version = 0;
	else if (lr != LABEL_OK)
		return OFFICER_FAILED;
	return OFFICER_OK;
}
