/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake_label: the intake label's grants and rotations (officer.h, "The
 * intake label"). A plan is made before the action's transaction (key
 * generation and sealing, which must not run on the store's writer) and
 * applied in it (the wraps, the new version, the store meta and the
 * label.rotate entry), so that the officer change, the label and the ledger
 * commit together. DIR/intake.pub follows after the commit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/instance/instance.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"

#include "lib/banned.h"

#define HOLDERS_MAX 100000

void officer_plan_init(struct officer_plan *p)
{
	memset(p, 0, sizeof *p);
	p->target = -1;
}

void officer_plan_free(struct officer_plan *p)
{
	/* wraps are age files (sealed to public keys): nothing secret to wipe */
	free(p->grants);
	free(p->ids);
	free(p->pks);
	free(p->wrap);
	free(p->sw);
	officer_plan_init(p);
}

/* The label's current version and the recovery key, read once per plan. */
static enum officer_result snapshot(struct store *s, struct officer_plan *p)
{
	if (p->taken)
		return OFFICER_OK;
	enum label_result lr = label_current(s, LABEL_INTAKE, &p->cur, p->cur_pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return OFFICER_FAILED;
	p->has_cur = lr == LABEL_OK;
	lr = label_recovery_pk(s, p->rpk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return OFFICER_FAILED;
	p->has_rpk = lr == LABEL_OK;
	p->taken = true;
	return OFFICER_OK;
}

/* ---- who holds the label ---- */

struct holders {
	store_id *ids;
	uint8_t (*pks)[32];
	size_t n, cap;
	store_id except, target; /* left out (target: its key is given apart) */
	int failed;
};

static int holders_push(struct holders *h, store_id id, const uint8_t pk[static 32])
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		if (cap > HOLDERS_MAX)
			goto fail;
		store_id *ids = realloc(h->ids, cap * sizeof *ids);
		if (ids == NULL)
			goto fail;
		h->ids = ids;
		uint8_t(*pks)[32] = realloc(h->pks, cap * sizeof *pks);
		if (pks == NULL)
			goto fail;
		h->pks = pks;
		h->cap = cap;
	}
	h->ids[h->n] = id;
	memcpy(h->pks[h->n], pk, 32);
	h->n++;
	return 0;
fail:
	h->failed = 1;
	return 1;
}

static int collect_holder(void *ctx, const struct store_officer *r)
{
	struct holders *h = ctx;
	if (!(r->roles & ROLE_INTAKE) || r->disabled || r->wrapped_sk_len == 0 ||
	    r->id == h->except || (h->target != 0 && r->id == h->target))
		return 0;
	return holders_push(h, r->id, r->pk);
}

static void holders_free(struct holders *h)
{
	free(h->ids);
	free(h->pks);
	h->ids = NULL;
	h->pks = NULL;
}

/* ---- planning (before the transaction) ---- */

/* The new version's key pair (identity, else a fresh one) sealed to the holders and the
 * recovery key. */
static enum officer_result seal_version(struct officer_plan *p, const struct age_identity *identity)
{
	enum officer_result rc = OFFICER_FAILED;
	struct age_identity *fresh = NULL;
	struct age_recipient *rcpt = NULL;
	size_t total = p->n + (p->has_rpk ? 1 : 0);

	if (identity == NULL) {
		if (age_identity_generate(&fresh) != AGE_OK)
			goto out;
		identity = fresh;
	}
	if (age_identity_recipient(identity, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, p->pk) != AGE_OK)
		goto out;
	p->wrap = calloc(total ? total : 1, sizeof *p->wrap);
	p->sw = calloc(total ? total : 1, sizeof *p->sw);
	if (p->wrap == NULL || p->sw == NULL)
		goto out;
	for (size_t i = 0; i < total; i++) {
		bool rec = i == p->n;
		if (label_seal(identity, rec ? p->rpk : p->pks[i], p->wrap[i].bytes,
		               sizeof p->wrap[i].bytes, &p->wrap[i].len) != LABEL_OK)
			goto out;
		p->wrap[i].version = p->version;
		p->sw[i] = (struct store_label_wrap){.officer = rec ? STORE_RECOVERY_OFFICER
		                                                    : p->ids[i],
		                                     .wrap = p->wrap[i].bytes,
		                                     .len = p->wrap[i].len};
	}
	rc = OFFICER_OK;
out:
	age_recipient_free(&rcpt);
	age_identity_free(&fresh); /* wipes: the private key lives on only in the wraps */
	return rc;
}

enum officer_result officer_plan_rotate(struct officers *o, struct officer_plan *p, store_id except,
                                        store_id target, const uint8_t *target_pk)
{
	struct holders h = {.except = except, .target = target};
	enum officer_result rc = snapshot(o->s, p);
	if (rc != OFFICER_OK)
		return rc;
	if (p->kind != PLAN_NONE || (p->has_cur && p->cur == UINT32_MAX))
		return OFFICER_FAILED;
	if (store_officer_list(o->s, collect_holder, &h) != STORE_OK || h.failed ||
	    (target_pk != NULL && holders_push(&h, target, target_pk) != 0)) {
		holders_free(&h);
		return OFFICER_FAILED;
	}
	if (h.n == 0) {
		holders_free(&h);
		return OFFICER_LAST_INTAKE;
	}
	p->kind = PLAN_ROTATE;
	p->version = p->has_cur ? p->cur + 1 : 1;
	p->except = except;
	p->ids = h.ids;
	p->pks = h.pks;
	p->n = h.n;
	p->target = target_pk != NULL ? (ptrdiff_t)h.n - 1 : -1;
	return seal_version(p, NULL);
}

enum officer_result officer_plan_grant(struct officers *o, struct officer_plan *p,
                                       const struct officer_key *as, store_id target,
                                       const uint8_t pk[static 32])
{
	bool has_current = false;
	enum officer_result rc = snapshot(o->s, p);
	if (rc != OFFICER_OK)
		return rc;
	size_t n = 0;
	for (size_t i = 1; as && i < as->n; i++)
		n += strcmp(as->labels[i].name, LABEL_INTAKE) == 0;
	if (n > 0 && (p->grants = calloc(n, sizeof *p->grants)) == NULL)
		return OFFICER_FAILED;
	for (size_t i = 1; as && i < as->n; i++) {
		if (strcmp(as->labels[i].name, LABEL_INTAKE) != 0)
			continue;
		struct officer_plan_wrap *g = &p->grants[p->ngrants];
		if (label_seal(as->ids[i], pk, g->bytes, sizeof g->bytes, &g->len) != LABEL_OK)
			return OFFICER_FAILED;
		g->version = as->labels[i].version;
		p->ngrants++;
		if (p->has_cur && g->version == p->cur)
			has_current = true;
	}
	if (has_current)
		return OFFICER_OK;
	return officer_plan_rotate(o, p, 0, target, pk);
}

enum officer_result officer_plan_import(struct officers *o, struct officer_plan *p,
                                        const struct age_identity *identity,
                                        const uint8_t *target_pk)
{
	enum officer_result rc = snapshot(o->s, p);
	if (rc != OFFICER_OK)
		return rc;
	if (p->kind != PLAN_NONE || identity == NULL)
		return OFFICER_FAILED;
	p->kind = PLAN_IMPORT;
	p->version = 1;
	if (target_pk != NULL) {
		p->ids = calloc(1, sizeof *p->ids);
		p->pks = calloc(1, sizeof *p->pks);
		if (p->ids == NULL || p->pks == NULL)
			return OFFICER_FAILED;
		memcpy(p->pks[0], target_pk, 32);
		p->n = 1;
		p->target = 0;
	}
	return seal_version(p, identity);
}

/* ---- applying (in the transaction) ---- */

/* Whether the intake holders now are exactly the plan's (the target's id filled in). */
static enum store_result same_holders(struct store *s, const struct officer_plan *p, bool *same)
{
	struct holders h = {.except = p->except};
	enum store_result r = store_officer_list(s, collect_holder, &h);
	if (r == STORE_OK && h.failed)
		r = STORE_NOMEM;
	*same = r == STORE_OK && h.n == p->n;
	/* a few officers: quadratic is fine (HOLDERS_MAX bounds it) */
	for (size_t i = 0; *same && i < p->n; i++) {
		bool found = false;
		for (size_t j = 0; !found && j < h.n; j++)
			found = h.ids[j] == p->ids[i] && memcmp(h.pks[j], p->pks[i], 32) == 0;
		*same = found;
	}
	holders_free(&h);
	return r;
}

enum store_result officer_plan_apply(struct store *s, struct officer_plan *p, store_id target,
                                     const char *actor_name, bool *conflict)
{
	uint32_t cur = 0;
	uint8_t pk[32];
	enum store_result r;

	if (!p->taken)
		return STORE_OK;
	/* what the plan was made against */
	enum label_result lr = label_current(s, LABEL_INTAKE, &cur, pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return STORE_IO;
	if ((lr == LABEL_OK) != p->has_cur ||
	    (p->has_cur && (cur != p->cur || memcmp(pk, p->cur_pk, 32) != 0)))
		goto changed;
	lr = label_recovery_pk(s, pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return STORE_IO;
	if ((lr == LABEL_OK) != p->has_rpk || (p->has_rpk && memcmp(pk, p->rpk, 32) != 0))
		goto changed;

	for (size_t i = 0; i < p->ngrants; i++) {
		struct store_label_wrap w = {
		        .officer = target, .wrap = p->grants[i].bytes, .len = p->grants[i].len};
		if ((r = store_label_wrap_put(s, LABEL_INTAKE, p->grants[i].version, &w)) !=
		    STORE_OK)
			return r;
	}
	if (p->kind == PLAN_NONE)
		return STORE_OK;
	if (p->target >= 0) {
		p->ids[p->target] = target;
		p->sw[p->target].officer = target;
	}
	if (p->kind == PLAN_ROTATE) {
		bool same = false;
		if ((r = same_holders(s, p, &same)) != STORE_OK)
			return r;
		if (!same)
			goto changed;
	}
	r = store_label_add(s, LABEL_INTAKE, p->version, p->pk, p->sw, p->n + (p->has_rpk ? 1 : 0));
	if (r == STORE_EXISTS)
		goto changed;
	if (r != STORE_OK || p->kind == PLAN_IMPORT)
		return r;
	if ((r = store_meta_set(s, INSTANCE_META_INTAKE_PK, p->pk, 32)) != STORE_OK)
		return r;
	char actor[LEDGER_TOKEN_MAX + 1], detail[32];
	int n = snprintf(detail, sizeof detail, "version %u", (unsigned)p->version);
	if (n < 0 || (size_t)n >= sizeof detail)
		return STORE_TOO_LARGE;
	officer_actor_of(actor_name, actor);
	return ledger_record_in(s, LEDGER_LABEL_ROTATE, actor, "label:" LABEL_INTAKE, NULL, detail);
changed:
	*conflict = true;
	return STORE_REFUSED;
}

/* ---- after the commit ---- */

enum officer_result officer_plan_publish(struct officers *o, const struct officer_plan *p)
{
	enum officer_result rc = OFFICER_FAILED;
	struct age_recipient *r = NULL;
	char text[AGE_RECIPIENT_STRLEN + 2];
	char path[4096], tmp[4096];
	int fd = -1;

	if (p->kind != PLAN_ROTATE || o->dir == NULL)
		return OFFICER_OK;
	if (age_recipient_from_x25519(p->pk, &r) != AGE_OK ||
	    age_recipient_format(r, text, sizeof text) != AGE_OK)
		goto out;
	int n1 = snprintf(path, sizeof path, "%s/%s", o->dir, INSTANCE_INTAKE_PUB);
	int n2 = snprintf(tmp, sizeof tmp, "%s/%s.tmp", o->dir, INSTANCE_INTAKE_PUB);
	if (n1 < 0 || (size_t)n1 >= sizeof path || n2 < 0 || (size_t)n2 >= sizeof tmp)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		goto out;
	size_t tl = strlen(text);
	text[tl++] = '\n';
	if (write(fd, text, tl) != (ssize_t)tl || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = OFFICER_OK;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	age_recipient_free(&r);
	return rc;
}
