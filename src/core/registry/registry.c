/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * registry: the registry over a store, the officers as the access decision
 * sees them, and the ledger entries of the registry's actions.
 */
#include "core/registry/registry_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

const char *registry_strerror(enum registry_result r)
{
	switch (r) {
	case REGISTRY_OK:
		return "ok";
	case REGISTRY_NOT_FOUND:
		return "no such object";
	case REGISTRY_BAD_INPUT:
		return "bad input";
	case REGISTRY_ABOVE_CLEARANCE:
		return "the marking is above your clearance";
	case REGISTRY_WRITE_DOWN:
		return "refused: no write down";
	case REGISTRY_NEEDS_REASON:
		return "lowering a marking is a downgrade: give a written reason";
	case REGISTRY_FORBIDDEN:
		return "not allowed for this officer";
	case REGISTRY_EXISTS:
		return "it exists already";
	case REGISTRY_CANNOT_OPEN:
		return "your session holds no key for this object (log in again)";
	case REGISTRY_FAILED:
		return "internal failure (store, crypto or memory)";
	case REGISTRY_FULL:
		return "the store has no space left";
	}
	return "unknown result";
}

void reg_say(struct registry_error *err, const char *fmt, ...)
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

enum registry_result registry_new(struct store *s, const struct marking_scheme *scheme,
                                  struct registry **out)
{
	*out = NULL;
	if (!store_has_domains(s) || scheme == NULL)
		return REGISTRY_FAILED;
	struct registry *r = calloc(1, sizeof *r);
	if (r == NULL)
		return REGISTRY_FAILED;
	r->s = s;
	r->scheme = *scheme;
	*out = r;
	return REGISTRY_OK;
}

void registry_free(struct registry **r)
{
	if (r == NULL || *r == NULL)
		return;
	free(*r);
	*r = NULL;
}

const struct marking_scheme *registry_scheme(const struct registry *r)
{
	return &r->scheme;
}

struct store *registry_store(const struct registry *r)
{
	return r->s;
}

/* ---- subjects ---- */

static void subject_of(const struct registry *r, const struct store_officer *o,
                       struct access_subject *out)
{
	memset(out, 0, sizeof *out);
	out->nationality = marking_country_find(o->nationality, strnlen(o->nationality, 3));
	out->roles = o->roles;
	/* an unparsable clearance, or a disabled officer: id 0, which access_decide denies */
	if (o->disabled || marking_parse(&r->scheme, o->clearance, strlen(o->clearance),
	                                 &out->clearance, NULL) != MARKING_OK)
		return;
	out->id = o->id;
}

enum registry_result registry_subject(struct registry *r, store_id officer,
                                      struct access_subject *out)
{
	struct store_officer row;
	enum store_result sr = store_officer_get(r->s, officer, &row);
	memset(out, 0, sizeof *out);
	if (sr == STORE_NOT_FOUND)
		return REGISTRY_NOT_FOUND;
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	if (row.disabled)
		return REGISTRY_NOT_FOUND;
	subject_of(r, &row, out);
	sodium_memzero(&row, sizeof row);
	return REGISTRY_OK;
}

/* ---- every officer, for label wrapping ---- */

static int offs_push(void *ctx, const struct store_officer *o)
{
	struct offs *a = ctx;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		if (cap > OFFICERS_MAX)
			goto fail;
		struct off *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		a->v = v;
		a->cap = cap;
	}
	struct off *f = &a->v[a->n++];
	memset(f, 0, sizeof *f);
	f->id = o->id;
	memcpy(f->name, o->name, sizeof f->name);
	memcpy(f->pk, o->pk, 32);
	f->usable = !o->disabled && o->wrapped_sk_len > 0;
	subject_of(a->r, o, &f->subj);
	return 0;
fail:
	a->failed = 1;
	return 1;
}

enum registry_result reg_offs_load(struct registry *r, struct offs *a)
{
	memset(a, 0, sizeof *a);
	a->r = r;
	if (store_officer_list(r->s, offs_push, a) != STORE_OK || a->failed) {
		free(a->v);
		a->v = NULL;
		return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

const struct off *reg_offs_by_name(const struct offs *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

const char *reg_offs_name(const struct offs *a, store_id id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].id == id)
			return a->v[i].name;
	return "?";
}

bool reg_covers(const struct off *f, const struct marking *m)
{
	return f->usable && access_clearance_covers(&f->subj, m, NULL) == ACCESS_ALLOW;
}

/* ---- id lists ---- */

int reg_ids_push(void *ctx, store_id x)
{
	struct reg_ids *a = ctx;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		if (cap > STORE_READERS_MAX) {
			a->failed = 1;
			return 1;
		}
		int64_t *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL) {
			a->failed = 1;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

/* ---- ledger entries ---- */

/*
 * The action is reported done only once its entry is durable: every action
 * appends its entries inside the store_write that makes the change, so both
 * commit or neither.
 */
int reg_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1])
{
	return officer_key_actor(as, actor, LEDGER_TOKEN_MAX + 1);
}

enum store_result reg_log_id_in(struct store *s, enum ledger_action action, const char *actor,
                                const char *kind, int64_t id, const char *marking,
                                const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
	if (n < 0 || (size_t)n >= sizeof obj)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, action, actor, obj, marking, detail);
}
