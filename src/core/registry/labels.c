/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * labels: the label of every marking in use, "marking:CANONICAL" (core/keys/label.h).
 * A label is made (version 1) wrapped to every covering officer; rotated (a
 * new version for the officers who keep access) when one loses it; and an
 * officer's wraps are kept in step with their clearance
 * (registry_officer_changed), each with its ledger entry (label.rotate,
 * clearance.grant, clearance.revoke).
 */
#include "core/registry/registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys/label.h"

#include "lib/banned.h"

int registry_label_name(const struct registry *r, const struct marking *m, char *out, size_t cap)
{
	char text[MARKING_TEXT_MAX + 3];
	if (marking_format(&r->scheme, m, false, text, sizeof text) < 0)
		return -1;
	int n = snprintf(out, cap, "%s%s", REGISTRY_LABEL_PREFIX, text);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* A new version of m's label wrapped to every officer covering m (version 0: next). */
static enum registry_result label_rotate(struct registry *r, const struct offs *a,
                                         const char *lname, const struct marking *m,
                                         uint32_t version, uint32_t *out_version,
                                         uint8_t out_pk[32])
{
	enum registry_result rc = REGISTRY_FAILED;
	store_id *ids = calloc(a->n ? a->n : 1, sizeof *ids);
	uint8_t(*pks)[32] = calloc(a->n ? a->n : 1, sizeof *pks);
	size_t n = 0;
	if (ids == NULL || pks == NULL)
		goto out;
	for (size_t i = 0; i < a->n; i++)
		if (reg_covers(&a->v[i], m)) {
			ids[n] = a->v[i].id;
			memcpy(pks[n], a->v[i].pk, 32);
			n++;
		}
	uint32_t made = 0;
	enum label_result lr = label_add_version(r->s, lname, version, NULL, ids,
	                                         (const uint8_t(*)[32])pks, n, &made, out_pk);
	rc = lr == LABEL_OK ? REGISTRY_OK : lr == LABEL_EXISTS ? REGISTRY_EXISTS : REGISTRY_FAILED;
	if (out_version != NULL)
		*out_version = made;
	if (rc == REGISTRY_OK) {
		/* a marking label's new version (version 1 is its creation) */
		char detail[64], text[MARKING_TEXT_MAX + 1];
		int k = snprintf(detail, sizeof detail, "version %u wrapped to %zu officers",
		                 (unsigned)made, n);
		if (k < 0 || (size_t)k >= sizeof detail ||
		    marking_format(&r->scheme, m, false, text, sizeof text) < 0)
			rc = REGISTRY_FAILED;
		else
			rc = reg_log(r, LEDGER_LABEL_ROTATE, NULL, "label:marking", text, detail);
	}
out:
	free(ids);
	free(pks);
	return rc;
}

enum registry_result registry_label(struct registry *r, const struct marking *m, uint32_t *version,
                                    uint8_t pk[static 32])
{
	char lname[LNAME_MAX];
	if (registry_label_name(r, m, lname, sizeof lname) != 0)
		return REGISTRY_BAD_INPUT;
	store_id mid = 0;
	if (r->s->be->registry->marking_id(r->s, lname + strlen(REGISTRY_LABEL_PREFIX), &mid) !=
	    STORE_OK)
		return REGISTRY_FAILED;
	enum label_result lr = label_current(r->s, lname, version, pk);
	if (lr == LABEL_OK)
		return REGISTRY_OK;
	if (lr != LABEL_NOT_FOUND)
		return REGISTRY_FAILED;
	struct offs a;
	if (reg_offs_load(r, &a) != REGISTRY_OK)
		return REGISTRY_FAILED;
	enum registry_result rc = label_rotate(r, &a, lname, m, 1, version, pk);
	free(a.v);
	if (rc == REGISTRY_EXISTS) /* made meanwhile by another writer */
		rc = label_current(r->s, lname, version, pk) == LABEL_OK ? REGISTRY_OK
		                                                         : REGISTRY_FAILED;
	return rc;
}

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

/* clearance.grant / clearance.revoke: officer `target` gained or lost marking's label. */
static enum registry_result reg_log_officer(struct registry *r, enum ledger_action action,
                                            const struct officer_key *as, const struct off *target,
                                            const char *marking)
{
	char obj[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "officer:%s", target->name);
	if (n < 0 || (size_t)n >= sizeof obj)
		return REGISTRY_FAILED;
	return reg_log(r, action, as, obj, marking, "label key");
}

enum registry_result registry_officer_changed(struct registry *r, const struct officer_key *as,
                                              const char *name)
{
	enum registry_result rc = REGISTRY_FAILED;
	struct offs a = {0};
	struct held h = {0};
	struct texts t = {0};

	if (reg_offs_load(r, &a) != REGISTRY_OK)
		goto out;
	const struct off *target = name ? reg_offs_by_name(&a, name) : NULL;
	if (target == NULL) {
		rc = REGISTRY_NOT_FOUND;
		goto out;
	}
	if (label_wraps(r->s, target->id, held_push, &h) != LABEL_OK || h.failed)
		goto out;
	if (r->s->be->registry->markings(r->s, texts_push, &t) != STORE_OK || t.failed)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct marking m;
		char lname[LNAME_MAX];
		uint32_t cur = 0;
		uint8_t pk[32];
		if (marking_parse(&r->scheme, t.v[i], strlen(t.v[i]), &m, NULL) != MARKING_OK ||
		    registry_label_name(r, &m, lname, sizeof lname) != 0)
			continue; /* a marking of another scheme: nobody covers it */
		enum label_result lr = label_current(r->s, lname, &cur, pk);
		if (lr == LABEL_NOT_FOUND && reg_covers(target, &m)) {
			/* a marking in use (the default of submissions) with no label
			   yet: made now that someone can hold it, wrapped to all who do */
			enum registry_result mr = label_rotate(r, &a, lname, &m, 1, NULL, NULL);
			if (mr != REGISTRY_OK && mr != REGISTRY_EXISTS)
				goto out;
			if (reg_log_officer(r, LEDGER_CLEARANCE_GRANT, as, target, t.v[i]) !=
			    REGISTRY_OK)
				goto out;
			continue;
		}
		if (lr == LABEL_NOT_FOUND)
			continue;
		if (lr != LABEL_OK)
			goto out;
		if (reg_covers(target, &m)) {
			/* every version they lack that `as` holds (older ones too: objects
			 * sealed before a reset open again), then the current one */
			bool has_current = held_has(&h, lname, cur), granted = false;
			bool got_current = has_current;
			for (uint32_t v = 1; v <= cur; v++) {
				if (held_has(&h, lname, v))
					continue;
				struct age_identity *owned = NULL;
				const struct age_identity *id =
				        reg_label_identity(r, as, lname, v, &owned);
				if (id == NULL)
					continue;
				enum label_result gr =
				        label_grant(r->s, lname, v, target->id, id, target->pk);
				age_identity_free(&owned);
				if (gr != LABEL_OK)
					goto out;
				granted = true;
				got_current = got_current || v == cur;
			}
			if (has_current && !granted)
				continue;
			if (reg_log_officer(r, LEDGER_CLEARANCE_GRANT, as, target, t.v[i]) !=
			    REGISTRY_OK)
				goto out;
			if (!got_current &&
			    label_rotate(r, &a, lname, &m, 0, NULL, NULL) != REGISTRY_OK)
				goto out;
		} else if (held_has(&h, lname, 0)) {
			/* rotate first: a crash after it leaves the officer without the new key */
			if (label_rotate(r, &a, lname, &m, 0, NULL, NULL) != REGISTRY_OK ||
			    label_revoke(r->s, lname, target->id) != LABEL_OK ||
			    reg_log_officer(r, LEDGER_CLEARANCE_REVOKE, as, target, t.v[i]) !=
			            REGISTRY_OK)
				goto out;
		}
	}
	rc = REGISTRY_OK;
out:
	free(a.v);
	free(h.names);
	free(h.versions);
	free(t.v);
	return rc;
}
