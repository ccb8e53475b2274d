/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * labels: the label of every marking in use, "marking:CANONICAL" (core/keys/label.h).
 * A label is made (version 1) wrapped to every covering officer; rotated (a
 * new version for the officers who keep access) when one loses it; and an
 * officer's wraps are kept in step with their clearance
 * (registry_officer_changed). The keys are made and wrapped before a
 * store_write, whose function stores the versions, wraps and revocations
 * with their ledger entries (label.rotate, clearance.grant, clearance.revoke).
 */
#include "core/registry/registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys/label.h"

#include "lib/banned.h"

#define TRIES 3 /* the recovery key changed between the wrapping and the transaction */

int registry_label_name(const struct registry *r, const struct marking *m, char *out, size_t cap)
{
	char text[MARKING_TEXT_MAX + 3];
	if (marking_format(&r->scheme, m, false, text, sizeof text) < 0)
		return -1;
	int n = snprintf(out, cap, "%s%s", REGISTRY_LABEL_PREFIX, text);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* ---- a new version of a marking's label ---- */

/* Made ready before a transaction (the key pair and its wraps), stored inside one. */
struct rotation {
	char lname[LNAME_MAX]; /* a copy: a rotation moves with the plan it is in */
	uint32_t version;      /* 1: the label's creation; 0: the next version */
	struct label_prepared *p;
	bool stale;    /* the recovery key changed meanwhile: prepare again */
	uint32_t made; /* the version stored */
	uint8_t pk[32];
};

/* A new version of lname wrapped to every officer covering m. */
static enum registry_result rotation_prepare(struct store *s, const struct offs *a,
                                             const char *lname, const struct marking *m,
                                             uint32_t version, struct rotation *rt)
{
	enum registry_result rc = REGISTRY_FAILED;
	store_id *ids = calloc(a->n ? a->n : 1, sizeof *ids);
	uint8_t(*pks)[32] = calloc(a->n ? a->n : 1, sizeof *pks);
	size_t n = 0;

	memset(rt, 0, sizeof *rt);
	memcpy(rt->lname, lname, strlen(lname) + 1);
	rt->version = version;
	if (ids == NULL || pks == NULL)
		goto out;
	for (size_t i = 0; i < a->n; i++)
		if (reg_covers(&a->v[i], m)) {
			ids[n] = a->v[i].id;
			memcpy(pks[n], a->v[i].pk, 32);
			n++;
		}
	if (label_prepare(s, NULL, ids, (const uint8_t(*)[32])pks, n, &rt->p) == LABEL_OK)
		rc = REGISTRY_OK;
out:
	free(ids);
	free(pks);
	return rc;
}

static void rotation_free(struct rotation *rt)
{
	label_prepared_free(&rt->p);
}

/*
 * Inside a store_write function: the version and its label.rotate entry (by
 * the instance's admin identity; version 1 is the label's creation).
 * STORE_EXISTS: the version exists (a concurrent writer made it).
 */
static enum store_result rotation_apply(struct store *s, struct rotation *rt)
{
	enum label_result lr =
	        label_add_prepared(s, rt->lname, rt->version, rt->p, &rt->made, rt->pk);
	if (lr == LABEL_STALE) {
		rt->stale = true;
		return STORE_REFUSED;
	}
	if (lr != LABEL_OK)
		return lr == LABEL_EXISTS ? STORE_EXISTS : lr == LABEL_FULL ? STORE_FULL : STORE_IO;
	char detail[64];
	int k = snprintf(detail, sizeof detail, "version %u wrapped to %zu officers",
	                 (unsigned)rt->made, label_prepared_count(rt->p));
	if (k < 0 || (size_t)k >= sizeof detail)
		return STORE_TOO_LARGE;
	const char *text = rt->lname + strlen(REGISTRY_LABEL_PREFIX); /* the marking */
	return ledger_record_in(s, LEDGER_LABEL_ROTATE, "admin", "label:marking", text, detail);
}

static enum store_result rotation_tx(struct store *s, void *arg)
{
	return rotation_apply(s, arg);
}

enum registry_result registry_label(struct registry *r, const struct marking *m, uint32_t *version,
                                    uint8_t pk[static 32])
{
	char lname[LNAME_MAX];
	if (registry_label_name(r, m, lname, sizeof lname) != 0)
		return REGISTRY_BAD_INPUT;
	store_id mid = 0;
	enum store_result mr = store_marking_id(r->s, lname + strlen(REGISTRY_LABEL_PREFIX), &mid);
	if (mr != STORE_OK)
		return mr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
	for (int i = 0; i < TRIES; i++) {
		enum label_result lr = label_current(r->s, lname, version, pk);
		if (lr == LABEL_OK)
			return REGISTRY_OK;
		if (lr != LABEL_NOT_FOUND)
			return REGISTRY_FAILED;
		struct offs a;
		struct rotation rt;
		if (reg_offs_load(r, &a) != REGISTRY_OK)
			return REGISTRY_FAILED;
		enum registry_result rc = rotation_prepare(r->s, &a, lname, m, 1, &rt);
		free(a.v);
		if (rc != REGISTRY_OK)
			return rc;
		enum store_result sr = store_write(r->s, NULL, 0, rotation_tx, &rt);
		rotation_free(&rt);
		if (sr == STORE_OK) {
			*version = rt.made;
			memcpy(pk, rt.pk, 32);
			return REGISTRY_OK;
		}
		/* made meanwhile by another writer (the next turn reads it), or stale */
		if (sr != STORE_EXISTS && !rt.stale)
			return sr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
	}
	return REGISTRY_FAILED;
}

/* ---- an officer's wraps ---- */

struct held {
	char (*names)[LNAME_MAX];
	uint32_t *versions;
	size_t n, cap;
	int failed;
};

static int held_push(void *ctx, const char *name, uint32_t version, const uint8_t *w, size_t n)
{
	(void)w;
	(void)n;
	struct held *h = ctx;
	if (strncmp(name, REGISTRY_LABEL_PREFIX, strlen(REGISTRY_LABEL_PREFIX)) != 0 ||
	    strlen(name) >= LNAME_MAX)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		if (cap > MARKINGS_MAX)
			goto fail;
		char(*nm)[LNAME_MAX] = realloc(h->names, cap * sizeof *nm);
		if (nm == NULL)
			goto fail;
		h->names = nm;
		uint32_t *v = realloc(h->versions, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		h->versions = v;
		h->cap = cap;
	}
	memcpy(h->names[h->n], name, strlen(name) + 1);
	h->versions[h->n] = version;
	h->n++;
	return 0;
fail:
	h->failed = 1;
	return 1;
}

/* Whether h holds name (at version, or any version when version is 0). */
static bool held_has(const struct held *h, const char *name, uint32_t version)
{
	for (size_t i = 0; i < h->n; i++)
		if ((version == 0 || h->versions[i] == version) && strcmp(h->names[i], name) == 0)
			return true;
	return false;
}

struct texts {
	char (*v)[STORE_MARKING_MAX];
	size_t n, cap;
	int failed;
};

static int texts_push(void *ctx, store_id id, const char *text)
{
	(void)id;
	struct texts *t = ctx;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		if (cap > MARKINGS_MAX)
			goto fail;
		char(*v)[STORE_MARKING_MAX] = realloc(t->v, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		t->v = v;
		t->cap = cap;
	}
	size_t n = strnlen(text, STORE_MARKING_MAX - 1);
	memcpy(t->v[t->n], text, n);
	t->v[t->n][n] = '\0';
	t->n++;
	return 0;
fail:
	t->failed = 1;
	return 1;
}

/* The officer's wrap of one label version, found in the store (label_wraps). */
struct fresh_wrap {
	const char *name;
	uint32_t version;
	uint8_t *wrap;
	size_t len;
	struct age_identity *opened;
};

static int find_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct fresh_wrap *fw = ctx;
	if (fw->wrap != NULL || version != fw->version || strcmp(name, fw->name) != 0 || n == 0)
		return 0;
	fw->wrap = malloc(n);
	if (fw->wrap == NULL)
		return 1;
	memcpy(fw->wrap, wrap, n);
	fw->len = n;
	return 1;
}

/* reg_label_identity: registry_internal.h */
const struct age_identity *reg_label_identity(const struct registry *r,
                                              const struct officer_key *as, const char *lname,
                                              uint32_t v, struct age_identity **owned)
{
	*owned = NULL;
	const struct age_identity *id = officer_key_label(as, lname, v);
	if (id != NULL)
		return id;
	struct fresh_wrap fw = {.name = lname, .version = v};
	const struct age_identity *const *own = NULL;
	if (officer_key_identities(as, &own) > 0 &&
	    label_wraps(r->s, officer_key_id(as), find_wrap, &fw) == LABEL_OK && fw.wrap != NULL &&
	    label_open(own[0], fw.wrap, fw.len, &fw.opened) == LABEL_OK)
		*owned = fw.opened;
	free(fw.wrap);
	return *owned;
}

/* ---- clearance changes ---- */

/* A wrap of one version of a label for the officer, sealed before the transaction. */
struct grant {
	uint32_t version;
	size_t len;
	uint8_t wrap[LABEL_WRAP_MAX];
};

/* What registry_officer_changed does to one marking's label. */
struct step {
	enum { STEP_MADE, STEP_GRANT, STEP_REVOKE } kind;
	char lname[LNAME_MAX];
	const char *text; /* the marking, canonical */
	struct grant *grants;
	size_t ngrants;
	bool rotate;
	struct rotation rot;
};

struct steps {
	struct step *v;
	size_t n, cap;
};

static struct step *step_new(struct steps *p, const char *lname, const char *text)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		if (cap > MARKINGS_MAX)
			return NULL;
		struct step *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	struct step *st = &p->v[p->n++];
	memset(st, 0, sizeof *st);
	memcpy(st->lname, lname, strlen(lname) + 1);
	st->text = text;
	return st;
}

static void steps_free(struct steps *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].grants);
		rotation_free(&p->v[i].rot);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* Every step in one transaction, with the entries: clearance.grant/revoke by `actor`. */
struct changed_tx {
	const struct steps *plan;
	const char *actor;
	const char *object; /* officer:NAME */
	store_id target;
	bool stale;
};

static enum store_result step_apply(struct store *s, struct changed_tx *a, struct step *st)
{
	enum store_result r = STORE_OK;
	switch (st->kind) {
	case STEP_MADE:
		/* a marking in use with no label yet: made now that someone can hold it,
		   wrapped to all who do (by another writer meanwhile: theirs stands) */
		r = rotation_apply(s, &st->rot);
		if (r != STORE_OK && r != STORE_EXISTS)
			break;
		r = ledger_record_in(s, LEDGER_CLEARANCE_GRANT, a->actor, a->object, st->text,
		                     "label key");
		break;
	case STEP_GRANT:
		for (size_t i = 0; i < st->ngrants && r == STORE_OK; i++)
			if (label_grant_wrap(s, st->lname, st->grants[i].version, a->target,
			                     st->grants[i].wrap, st->grants[i].len) != LABEL_OK)
				r = STORE_IO;
		if (r == STORE_OK)
			r = ledger_record_in(s, LEDGER_CLEARANCE_GRANT, a->actor, a->object,
			                     st->text, "label key");
		if (r == STORE_OK && st->rotate)
			r = rotation_apply(s, &st->rot);
		break;
	case STEP_REVOKE:
		/* a new version for those who keep access, then their wraps go */
		r = rotation_apply(s, &st->rot);
		if (r == STORE_OK && label_revoke(s, st->lname, a->target) != LABEL_OK)
			r = STORE_IO;
		if (r == STORE_OK)
			r = ledger_record_in(s, LEDGER_CLEARANCE_REVOKE, a->actor, a->object,
			                     st->text, "label key");
		break;
	}
	if (st->rot.stale)
		a->stale = true;
	return r;
}

static enum store_result changed_tx(struct store *s, void *arg)
{
	struct changed_tx *a = arg;
	for (size_t i = 0; i < a->plan->n; i++) {
		enum store_result r = step_apply(s, a, &a->plan->v[i]);
		if (r != STORE_OK)
			return r;
	}
	return STORE_OK;
}

/*
 * The wraps the target lacks of lname's versions 1..cur that `as` holds
 * (older ones too: objects sealed before a reset open again), sealed to them.
 */
static enum registry_result grants_prepare(const struct registry *r, const struct officer_key *as,
                                           const struct off *target, const struct held *h,
                                           uint32_t cur, struct step *st, bool *got_current)
{
	for (uint32_t v = 1; v <= cur; v++) {
		if (held_has(h, st->lname, v))
			continue;
		struct age_identity *owned = NULL;
		const struct age_identity *id = reg_label_identity(r, as, st->lname, v, &owned);
		if (id == NULL)
			continue;
		struct grant *g = realloc(st->grants, (st->ngrants + 1) * sizeof *g);
		if (g == NULL) {
			age_identity_free(&owned);
			return REGISTRY_FAILED;
		}
		st->grants = g;
		g = &st->grants[st->ngrants];
		g->version = v;
		enum label_result lr = label_seal(id, target->pk, g->wrap, sizeof g->wrap, &g->len);
		age_identity_free(&owned);
		if (lr != LABEL_OK)
			return REGISTRY_FAILED;
		st->ngrants++;
		*got_current = *got_current || v == cur;
	}
	return REGISTRY_OK;
}

/* What the change does to every marking's label, made ready (the crypto done). */
static enum registry_result plan(struct registry *r, const struct officer_key *as,
                                 const struct offs *a, const struct off *target,
                                 const struct held *h, const struct texts *t, struct steps *p)
{
	for (size_t i = 0; i < t->n; i++) {
		struct marking m;
		char lname[LNAME_MAX];
		uint32_t cur = 0;
		uint8_t pk[32];
		if (marking_parse(&r->scheme, t->v[i], strlen(t->v[i]), &m, NULL) != MARKING_OK ||
		    registry_label_name(r, &m, lname, sizeof lname) != 0)
			continue; /* a marking of another scheme: nobody covers it */
		enum label_result lr = label_current(r->s, lname, &cur, pk);
		if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
			return REGISTRY_FAILED;
		bool covered = reg_covers(target, &m), held = held_has(h, lname, 0);
		if (lr == LABEL_NOT_FOUND ? !covered : covered ? false : !held)
			continue;
		struct step *st = step_new(p, lname, t->v[i]);
		if (st == NULL)
			return REGISTRY_FAILED;
		if (lr == LABEL_NOT_FOUND) {
			st->kind = STEP_MADE;
			if (rotation_prepare(r->s, a, st->lname, &m, 1, &st->rot) != REGISTRY_OK)
				return REGISTRY_FAILED;
		} else if (covered) {
			/* every version they lack that `as` holds, then the current one */
			bool has_current = held_has(h, lname, cur), got_current = has_current;
			st->kind = STEP_GRANT;
			if (grants_prepare(r, as, target, h, cur, st, &got_current) != REGISTRY_OK)
				return REGISTRY_FAILED;
			if (has_current && st->ngrants == 0) {
				p->n--; /* nothing to do */
				continue;
			}
			/* neither holds the current version: a new one, wrapped to all */
			st->rotate = !got_current;
			if (st->rotate &&
			    rotation_prepare(r->s, a, st->lname, &m, 0, &st->rot) != REGISTRY_OK)
				return REGISTRY_FAILED;
		} else {
			st->kind = STEP_REVOKE;
			if (rotation_prepare(r->s, a, st->lname, &m, 0, &st->rot) != REGISTRY_OK)
				return REGISTRY_FAILED;
		}
	}
	return REGISTRY_OK;
}

static enum registry_result officer_changed(struct registry *r, const struct officer_key *as,
                                            const char *name, bool *stale)
{
	enum registry_result rc = REGISTRY_FAILED;
	struct offs a = {0};
	struct held h = {0};
	struct texts t = {0};
	struct steps p = {0};
	char actor[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1];

	if (reg_offs_load(r, &a) != REGISTRY_OK)
		goto out;
	const struct off *target = name ? reg_offs_by_name(&a, name) : NULL;
	if (target == NULL) {
		rc = REGISTRY_NOT_FOUND;
		goto out;
	}
	int n = snprintf(obj, sizeof obj, "officer:%s", target->name);
	if (n < 0 || (size_t)n >= sizeof obj || reg_actor(as, actor) != 0)
		goto out;
	if (label_wraps(r->s, target->id, held_push, &h) != LABEL_OK || h.failed)
		goto out;
	if (store_markings(r->s, texts_push, &t) != STORE_OK || t.failed)
		goto out;
	if (plan(r, as, &a, target, &h, &t, &p) != REGISTRY_OK)
		goto out;
	if (p.n == 0) {
		rc = REGISTRY_OK;
		goto out;
	}
	struct changed_tx tx = {.plan = &p, .actor = actor, .object = obj, .target = target->id};
	enum store_result sr = store_write(r->s, NULL, 0, changed_tx, &tx);
	*stale = tx.stale;
	rc = sr == STORE_OK ? REGISTRY_OK : sr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
out:
	steps_free(&p);
	free(a.v);
	free(h.names);
	free(h.versions);
	free(t.v);
	return rc;
}

enum registry_result registry_officer_changed(struct registry *r, const struct officer_key *as,
                                              const char *name)
{
	enum registry_result rc = REGISTRY_FAILED;
	for (int i = 0; i < TRIES; i++) {
		bool stale = false;
		rc = officer_changed(r, as, name, &stale);
		if (rc == REGISTRY_OK || !stale)
			break;
	}
	return rc;
}
