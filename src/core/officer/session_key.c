/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session_key: struct officer_key, the keys one session holds (the officer's
 * own identity and the label versions wrapped to them), in sodium_malloc
 * memory, wiped by officer_key_free.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys/label.h"
#include "core/officer/officer_internal.h"

#include "lib/banned.h"

void officer_key_free(struct officer_key **k)
{
	if (k == NULL || *k == NULL)
		return;
	struct officer_key *key = *k;
	for (size_t i = 0; i < key->n; i++)
		age_identity_free(&key->ids[i]);
	free(key->ids);
	free(key->labels);
	sodium_free(key);
	*k = NULL;
}

int officer_key_label_at(const struct officer_key *k, size_t i,
                         char name[static LABEL_NAME_MAX + 1], uint32_t *version)
{
	if (k == NULL || i == 0 || i >= k->n)
		return -1;
	memcpy(name, k->labels[i].name, LABEL_NAME_MAX + 1);
	*version = k->labels[i].version;
	return 0;
}

bool officer_key_is_recovery(const struct officer_key *k)
{
	return k != NULL && k->id == STORE_RECOVERY_OFFICER && k->roles == 0;
}

int officer_key_actor(const struct officer_key *k, char *out, size_t cap)
{
	int n = k == NULL                    ? snprintf(out, cap, "admin")
	        : officer_key_is_recovery(k) ? snprintf(out, cap, "recovery")
	                                     : snprintf(out, cap, "officer:%s", k->name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

store_id officer_key_id(const struct officer_key *k)
{
	return k ? k->id : 0;
}

unsigned officer_key_roles(const struct officer_key *k)
{
	return k ? k->roles : 0;
}

const char *officer_key_name(const struct officer_key *k)
{
	return k ? k->name : "";
}

size_t officer_key_identities(const struct officer_key *k, const struct age_identity *const **out)
{
	if (k == NULL) {
		*out = NULL;
		return 0;
	}
	*out = (const struct age_identity *const *)k->ids;
	return k->n;
}

const struct age_identity *officer_key_label(const struct officer_key *k, const char *name,
                                             uint32_t version)
{
	if (k == NULL || name == NULL)
		return NULL;
	for (size_t i = 1; i < k->n; i++)
		if (k->labels[i].version == version && strcmp(k->labels[i].name, name) == 0)
			return k->ids[i];
	return NULL;
}

int officer_key_push(struct officer_key *k, struct age_identity *id, const char *name,
                     uint32_t version)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		if (cap > KEY_LABELS_MAX)
			goto fail;
		struct age_identity **ids = realloc(k->ids, cap * sizeof *ids);
		if (ids == NULL)
			goto fail;
		k->ids = ids;
		struct key_label *l = realloc(k->labels, cap * sizeof *l);
		if (l == NULL)
			goto fail;
		k->labels = l;
		k->cap = cap;
	}
	k->ids[k->n] = id;
	memset(&k->labels[k->n], 0, sizeof k->labels[k->n]);
	if (name) {
		size_t n = strlen(name);
		if (n > LABEL_NAME_MAX)
			goto fail;
		memcpy(k->labels[k->n].name, name, n + 1);
	}
	k->labels[k->n].version = version;
	k->n++;
	return 0;
fail:
	age_identity_free(&id);
	return -1;
}

struct load_ctx {
	struct officer_key *k;
	int failed;
};

static int load_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct load_ctx *c = ctx;
	struct age_identity *id = NULL;
	/* a wrap that does not open (e.g. made for an older identity) is skipped */
	if (label_open(c->k->ids[0], wrap, n, &id) != LABEL_OK)
		return 0;
	if (officer_key_push(c->k, id, name, version) != 0) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

enum officer_result officer_key_load(struct store *s, struct officer_key *k, store_id who)
{
	struct load_ctx c = {.k = k};
	if (label_wraps(s, who, load_wrap, &c) != LABEL_OK || c.failed)
		return OFFICER_FAILED;
	return OFFICER_OK;
}

enum officer_result officer_key_build(struct officers *o, const struct store_officer *row,
                                      struct age_identity **self, struct officer_key **out)
{
	struct officer_key *k = sodium_malloc(sizeof *k);
	if (k == NULL) {
		age_identity_free(self);
		return OFFICER_FAILED;
	}
	memset(k, 0, sizeof *k);
	k->id = row->id;
	k->roles = row->roles;
	memcpy(k->name, row->name, sizeof k->name);
	if (officer_key_push(k, *self, NULL, 0) != 0) {
		*self = NULL;
		officer_key_free(&k);
		return OFFICER_FAILED;
	}
	*self = NULL;
	if (officer_key_load(o->s, k, row->id) != OFFICER_OK) {
		officer_key_free(&k);
		return OFFICER_FAILED;
	}
	*out = k;
	return OFFICER_OK;
}

_Static_assert(OFFICER_KEY_TEXT_MAX >= AGE_IDENTITY_STRLEN + 1, "an identity's text fits");

int officer_key_export(const struct officer_key *k, char out[static OFFICER_KEY_TEXT_MAX])
{
	memset(out, 0, OFFICER_KEY_TEXT_MAX);
	if (k == NULL || k->n == 0 || officer_key_is_recovery(k) ||
	    age_identity_format(k->ids[0], out, OFFICER_KEY_TEXT_MAX) != AGE_OK) {
		sodium_memzero(out, OFFICER_KEY_TEXT_MAX);
		return -1;
	}
	return 0;
}

enum officer_result officer_key_resume(struct officers *o, store_id id, const char *text,
                                       struct officer_key **out)
{
	struct store_officer row;
	struct age_identity *self = NULL;
	struct age_recipient *rcpt = NULL;
	uint8_t pk[32];
	enum officer_result rc = OFFICER_DENIED;

	*out = NULL;
	if (id <= 0 || text == NULL || strnlen(text, OFFICER_KEY_TEXT_MAX) >= OFFICER_KEY_TEXT_MAX)
		return OFFICER_DENIED;
	enum store_result sr = store_officer_get(o->s, id, &row);
	if (sr != STORE_OK) {
		rc = sr == STORE_NOT_FOUND ? OFFICER_DENIED : OFFICER_FAILED;
		goto out;
	}
	_Static_assert(sizeof row.pk == sizeof pk, "an X25519 public key");
	if (row.disabled || row.wrapped_sk_len == 0 || row.wrapped_totp_len == 0 ||
	    age_identity_parse(text, &self) != AGE_OK ||
	    age_identity_recipient(self, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, pk) != AGE_OK || sodium_memcmp(pk, row.pk, sizeof pk) != 0)
		goto out;
	rc = officer_key_build(o, &row, &self, out);
out:
	age_identity_free(&self);
	age_recipient_free(&rcpt);
	sodium_memzero(&row, sizeof row);
	return rc;
}
