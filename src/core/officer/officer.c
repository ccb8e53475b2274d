/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * officer: the module (struct officers), names, roles and results, reading
 * accounts, and what every action shares: the ledger's names for actors and
 * objects, and the admin check (officer_internal.h says how the folder is cut).
 */
#include "core/officer/officer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"

#include "lib/banned.h"

/* ---- small things ---- */

const char *officer_strerror(enum officer_result r)
{
	switch (r) {
	case OFFICER_OK:
		return "ok";
	case OFFICER_DENIED:
		return "login failed (wrong name, password or code, or too many attempts: wait and "
		       "try again)";
	case OFFICER_ENROL:
		return "the second factor (TOTP) is not enrolled yet";
	case OFFICER_EXISTS:
		return "an officer of that name exists";
	case OFFICER_NOT_FOUND:
		return "no such officer";
	case OFFICER_BAD_INPUT:
		return "bad input (name [a-z0-9._-] up to 64, roles, clearance, 3-letter "
		       "nationality)";
	case OFFICER_WEAK_PASSWORD:
		return "the password is too weak (at least 12 characters, not common, not the "
		       "name)";
	case OFFICER_FORBIDDEN:
		return "not allowed for this officer";
	case OFFICER_FAILED:
		return "internal failure (store, crypto or memory)";
	case OFFICER_LAST_INTAKE:
		return "refused: no intake officer would be left to read new submissions (add "
		       "another first)";
	}
	return "unknown result";
}

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
        {"admin", ROLE_ADMIN},
        {"intake", ROLE_INTAKE},
        {"analyst", ROLE_ANALYST},
        {"releasing", ROLE_RELEASING},
};
#define NROLES (sizeof role_names / sizeof role_names[0])

int officer_roles_parse(const char *csv, unsigned *roles)
{
	unsigned r = 0;
	const char *p = csv;

	if (csv == NULL || roles == NULL || *csv == '\0')
		return -1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned bit = 0;
		for (size_t i = 0; i < NROLES; i++)
			if (strlen(role_names[i].name) == n &&
			    memcmp(role_names[i].name, p, n) == 0)
				bit = role_names[i].bit;
		if (bit == 0 || (r & bit))
			return -1;
		r |= bit;
		if (e == NULL)
			break;
		p = e + 1;
		if (*p == '\0')
			return -1; /* a trailing comma */
	}
	*roles = r;
	return 0;
}

int officer_roles_format(unsigned roles, char *out, size_t cap)
{
	size_t o = 0;
	if (out == NULL || cap == 0 || cap > INT32_MAX)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < NROLES; i++) {
		if (!(roles & role_names[i].bit))
			continue;
		size_t n = strlen(role_names[i].name);
		if (o + (o ? 1 : 0) + n >= cap)
			return -1;
		if (o)
			out[o++] = ',';
		memcpy(out + o, role_names[i].name, n);
		o += n;
		out[o] = '\0';
	}
	return (int)o;
}

bool officer_name_valid(const char *name)
{
	if (name == NULL)
		return false;
	size_t n = strnlen(name, OFFICER_NAME_MAX + 1);
	if (n == 0 || n > OFFICER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool officer_nationality_valid(const char *cc)
{
	if (cc == NULL || strnlen(cc, 4) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (cc[i] < 'A' || cc[i] > 'Z')
			return false;
	return true;
}

bool officer_clearance_valid(const char *m)
{
	if (m == NULL)
		return false;
	size_t n = strnlen(m, STORE_MARKING_MAX);
	if (n == 0 || n >= STORE_MARKING_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] > 0x7e)
			return false;
	return true;
}

enum officer_result officer_from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return OFFICER_OK;
	case STORE_NOT_FOUND:
		return OFFICER_NOT_FOUND;
	case STORE_EXISTS:
		return OFFICER_EXISTS;
	default:
		return OFFICER_FAILED;
	}
}

void officer_to_public(const struct store_officer *r, struct officer *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	out->id = r->id;
	memcpy(out->name, r->name, sizeof out->name);
	out->roles = r->roles;
	memcpy(out->clearance, r->clearance, sizeof out->clearance);
	memcpy(out->nationality, r->nationality, sizeof out->nationality);
	out->disabled = r->disabled != 0;
	out->enrolled = r->wrapped_totp_len > 0;
	out->created_day = r->created_day;
	out->last_login_day = r->last_login_day;
}

/* ---- the ledger (core/ledger/ledger.h): entries appended in the action's transaction ---- */

void officer_actor_of(const char *name, char out[static LEDGER_TOKEN_MAX + 1])
{
	if (name == NULL) {
		memcpy(out, "admin", sizeof "admin");
		return;
	}
	int n = officer_name_valid(name) ? snprintf(out, LEDGER_TOKEN_MAX + 1, "officer:%s", name)
	                                 : -1;
	if (n < 0 || n > LEDGER_TOKEN_MAX)
		memcpy(out, "officer", sizeof "officer");
}

enum store_result officer_log_about(struct store *s, enum ledger_action action,
                                    const struct officer_key *as, const char *name,
                                    const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1], actor[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "officer:%s", name);
	if (n < 0 || (size_t)n >= sizeof obj || officer_key_actor(as, actor, sizeof actor) != 0)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, action, actor, obj, marking, detail);
}

enum officer_result officer_roles_detail(unsigned roles, const char *nationality,
                                         char out[static 96])
{
	char csv[OFFICER_ROLES_MAX];
	if (officer_roles_format(roles, csv, sizeof csv) < 0)
		return OFFICER_FAILED;
	int n = nationality != NULL ? snprintf(out, 96, "roles %s nationality %s", csv, nationality)
	                            : snprintf(out, 96, "roles %s", csv);
	return n < 0 || n >= 96 ? OFFICER_FAILED : OFFICER_OK;
}

/* ---- who may act ---- */

static bool is_admin(const struct store_officer *row)
{
	return (row->roles & ROLE_ADMIN) && !row->disabled;
}

enum officer_result officer_check_admin(struct officers *o, const struct officer_key *as)
{
	struct store_officer row;
	if (as == NULL)
		return OFFICER_FORBIDDEN;
	/* the roles and state now, not those of the login */
	enum store_result sr = store_officer_get(o->s, as->id, &row);
	if (sr == STORE_NOT_FOUND)
		return OFFICER_FORBIDDEN;
	if (sr != STORE_OK)
		return OFFICER_FAILED;
	return is_admin(&row) ? OFFICER_OK : OFFICER_FORBIDDEN;
}

enum store_result officer_still(struct store *s, const struct officer_key *as,
                                const struct store_officer *was, bool *conflict)
{
	struct store_officer row;
	enum store_result r;
	if (as != NULL) {
		r = store_officer_get(s, as->id, &row);
		if (r != STORE_OK && r != STORE_NOT_FOUND)
			return r;
		if (r == STORE_NOT_FOUND || !is_admin(&row))
			goto changed;
	}
	if (was != NULL) {
		r = store_officer_get(s, was->id, &row);
		if (r != STORE_OK && r != STORE_NOT_FOUND)
			return r;
		if (r == STORE_NOT_FOUND || row.roles != was->roles ||
		    (row.disabled != 0) != (was->disabled != 0) || row.version != was->version ||
		    row.wrapped_sk_len != was->wrapped_sk_len || memcmp(row.pk, was->pk, 32) != 0)
			goto changed;
	}
	return STORE_OK;
changed:
	*conflict = true;
	return STORE_REFUSED;
}

/* ---- the module ---- */

enum officer_result officers_new(struct store *s, const struct officer_kdf *kdf,
                                 struct officers **out)
{
	*out = NULL;
	if (!store_has_domains(s) || kdf == NULL || kdf->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    kdf->opslimit > crypto_pwhash_OPSLIMIT_MAX ||
	    kdf->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    kdf->memlimit > crypto_pwhash_MEMLIMIT_MAX)
		return OFFICER_BAD_INPUT;
	struct officers *o = calloc(1, sizeof *o);
	if (o == NULL)
		return OFFICER_FAILED;
	o->s = s;
	o->kdf = *kdf;
	memcpy(o->issuer, "cutout", sizeof "cutout");
	randombytes_buf(o->dummy_salt, sizeof o->dummy_salt);
	*out = o;
	return OFFICER_OK;
}

void officers_free(struct officers **o)
{
	if (o == NULL || *o == NULL)
		return;
	free((*o)->dir);
	free(*o);
	*o = NULL;
}

enum officer_result officers_set_instance_dir(struct officers *o, const char *dir)
{
	char *d = dir ? strdup(dir) : NULL;
	if (dir && d == NULL)
		return OFFICER_FAILED;
	free(o->dir);
	o->dir = d;
	return OFFICER_OK;
}

enum officer_result officers_set_issuer(struct officers *o, const char *issuer)
{
	size_t n = issuer ? strlen(issuer) : 0;
	if (n == 0 || n >= sizeof o->issuer)
		return OFFICER_BAD_INPUT;
	memcpy(o->issuer, issuer, n + 1);
	return OFFICER_OK;
}

/* ---- reading accounts ---- */

enum officer_result officer_get(struct officers *o, const char *name, struct officer *out)
{
	struct store_officer row;
	if (!officer_name_valid(name))
		return OFFICER_NOT_FOUND;
	enum officer_result rc = officer_from_store(store_officer_find(o->s, name, &row));
	if (rc == OFFICER_OK)
		officer_to_public(&row, out);
	return rc;
}

struct list_ctx {
	int (*fn)(void *ctx, const struct officer *of);
	void *ctx;
};

static int list_one(void *ctx, const struct store_officer *r)
{
	struct list_ctx *c = ctx;
	struct officer of;
	officer_to_public(r, &of);
	return c->fn(c->ctx, &of);
}

enum officer_result officer_list(struct officers *o, int (*fn)(void *ctx, const struct officer *of),
                                 void *ctx)
{
	struct list_ctx c = {.fn = fn, .ctx = ctx};
	enum store_result r = store_officer_list(o->s, list_one, &c);
	return officer_from_store(r == STORE_STOP ? STORE_OK : r); /* fn stopped it */
}
