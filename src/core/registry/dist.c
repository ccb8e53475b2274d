/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * dist: distribution lists, each owned by its creator (analyst or admin) and
 * changed by its owner or an admin.
 */
#include "core/registry/registry_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

static bool list_name_valid(const char *name)
{
	return officer_name_valid(name); /* the same alphabet: [a-z0-9._-], 1..64 */
}

enum registry_result registry_dist_create(struct registry *r, const struct officer_key *as,
                                          const char *name, struct registry_error *err)
{
	struct access_subject subj;
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	if (!(subj.roles & (ROLE_ANALYST | ROLE_ADMIN))) {
		reg_say(err, "creating lists needs the analyst or admin role");
		return REGISTRY_FORBIDDEN;
	}
	if (!list_name_valid(name)) {
		reg_say(err, "a list name is 1 to 64 of [a-z0-9._-]");
		return REGISTRY_BAD_INPUT;
	}
	enum store_result sr =
	        store_dist_create(r->s, name, officer_key_id(as), store_today(), NULL);
	if (sr == STORE_EXISTS) {
		reg_say(err, "a list named '%s' exists", name);
		return REGISTRY_EXISTS;
	}
	return sr == STORE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

enum registry_result registry_dist_member(struct registry *r, const struct officer_key *as,
                                          const char *list, const char *officer, bool add,
                                          struct registry_error *err)
{
	struct access_subject subj;
	store_id lid = 0, owner = 0;
	struct store_officer row;
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	enum store_result sr = list && list_name_valid(list)
	                               ? store_dist_find(r->s, list, &lid, &owner)
	                               : STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND) {
		reg_say(err, "no distribution list '%s'", list ? list : "");
		return REGISTRY_BAD_INPUT;
	}
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	if (owner != subj.id && !(subj.roles & ROLE_ADMIN)) {
		reg_say(err, "only the list's owner or an admin changes it");
		return REGISTRY_FORBIDDEN;
	}
	sr = officer && officer_name_valid(officer) ? store_officer_find(r->s, officer, &row)
	                                            : STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND) {
		reg_say(err, "no officer '%s'", officer ? officer : "");
		return REGISTRY_BAD_INPUT;
	}
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	store_id oid = row.id;
	sodium_memzero(&row, sizeof row);
	return store_dist_member(r->s, lid, oid, add) == STORE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

struct dl {
	store_id *ids, *owners;
	char (*names)[STORE_DIST_NAME_MAX + 1];
	size_t n, cap;
	int failed;
};

static int dl_push(void *ctx, store_id id, const char *name, store_id owner)
{
	struct dl *d = ctx;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		store_id *i = realloc(d->ids, cap * sizeof *i);
		if (i)
			d->ids = i;
		store_id *o = realloc(d->owners, cap * sizeof *o);
		if (o)
			d->owners = o;
		char(*nm)[STORE_DIST_NAME_MAX + 1] = realloc(d->names, cap * sizeof *nm);
		if (nm)
			d->names = nm;
		if (i == NULL || o == NULL || nm == NULL || cap > OFFICERS_MAX) {
			d->failed = 1;
			return 1;
		}
		d->cap = cap;
	}
	d->ids[d->n] = id;
	d->owners[d->n] = owner;
	size_t n = strnlen(name, STORE_DIST_NAME_MAX);
	memcpy(d->names[d->n], name, n);
	d->names[d->n][n] = '\0';
	d->n++;
	return 0;
}

enum registry_result registry_dist_list(struct registry *r,
                                        int (*fn)(void *ctx, const char *name, const char *owner,
                                                  const char *members),
                                        void *ctx)
{
	enum registry_result rc = REGISTRY_FAILED;
	struct dl d = {0};
	struct offs a = {0};
	struct buf b;
	buf_init(&b, (size_t)(STORE_OFFICER_NAME_MAX + 1) * 100000);
	if (store_dist_lists(r->s, dl_push, &d) != STORE_OK || d.failed ||
	    reg_offs_load(r, &a) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < d.n; i++) {
		struct reg_ids m = {0};
		if (store_dist_members(r->s, d.ids[i], reg_ids_push, &m) != STORE_OK || m.failed) {
			free(m.v);
			goto out;
		}
		buf_reset(&b);
		bool bad = false;
		for (size_t k = 0; k < m.n && !bad; k++)
			bad = (k && buf_append_byte(&b, ',') != BUF_OK) ||
			      buf_append_str(&b, reg_offs_name(&a, m.v[k])) != BUF_OK;
		free(m.v);
		if (bad || buf_append_byte(&b, 0) != BUF_OK)
			goto out;
		if (fn(ctx, d.names[i], reg_offs_name(&a, d.owners[i]), (const char *)b.data) != 0)
			break;
	}
	rc = REGISTRY_OK;
out:
	free(d.ids);
	free(d.owners);
	free(d.names);
	free(a.v);
	buf_release(&b);
	return rc;
}
