/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_officer: the front of the officers' and label keys' store domain
 * (core/store/store_officer.h). Each function checks its arguments and caps
 * once; the backend's operations only store and fetch rows.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store_officer.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->officer)
#define ROLES_MAX 0xffffu /* what a stored roles value may hold */

/* 1..max bytes, no control character (so never shown or logged as a trick). */
static bool name_ok(const char *t, size_t max)
{
	if (t == NULL)
		return false;
	size_t n = strnlen(t, max + 1);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

/* A NUL within the array (its text fits the column). */
static bool terminated(const char *t, size_t cap)
{
	return memchr(t, '\0', cap) != NULL;
}

/* The fields insert and keys_set store, in their bounds. */
static bool officer_ok(const struct store_officer *o)
{
	return o != NULL && name_ok(o->name, STORE_OFFICER_NAME_MAX) &&
	       terminated(o->clearance, sizeof o->clearance) &&
	       terminated(o->nationality, sizeof o->nationality) && o->roles <= ROLES_MAX &&
	       o->wrapped_sk_len <= STORE_OFFICER_WRAP_MAX &&
	       o->wrapped_totp_len <= STORE_OFFICER_WRAP_MAX;
}

static bool wrap_ok(const struct store_label_wrap *w)
{
	return w != NULL && w->wrap != NULL && w->len > 0 && w->len <= STORE_LABEL_WRAP_MAX &&
	       w->officer >= 0;
}

/* The listings' callbacks, through these: STORE_STOP exactly when fn stopped. */
struct list_stop {
	int (*fn)(void *ctx, const struct store_officer *o);
	void *ctx;
	bool stopped;
};

static int list_one(void *ctx, const struct store_officer *o)
{
	struct list_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, o) != 0);
}

struct wraps_stop {
	int (*fn)(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n);
	void *ctx;
	bool stopped;
};

static int wraps_one(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct wraps_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, name, version, wrap, n) != 0);
}

/*
 * A refusal the backend gives as STORE_EXISTS ("changed meanwhile") is
 * STORE_NOT_FOUND when there is no such officer.
 */
static enum store_result unknown_is_not_found(struct store *s, store_id id, enum store_result r)
{
	if (r != STORE_EXISTS)
		return r;
	struct store_officer o;
	enum store_result g = OPS(s)->get(s, id, &o);
	memset(&o, 0, sizeof o);
	return g == STORE_NOT_FOUND ? STORE_NOT_FOUND : r;
}

enum store_result store_officer_insert(struct store *s, const struct store_officer *o,
                                       store_id *out)
{
	if (!officer_ok(o))
		return STORE_TOO_LARGE;
	return OPS(s)->insert(s, o, out);
}

enum store_result store_officer_get(struct store *s, store_id id, struct store_officer *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	return OPS(s)->get(s, id, out);
}

enum store_result store_officer_find(struct store *s, const char *name, struct store_officer *out)
{
	if (out == NULL || !name_ok(name, STORE_OFFICER_NAME_MAX))
		return STORE_NOT_FOUND; /* no officer has such a name */
	return OPS(s)->find(s, name, out);
}

enum store_result store_officer_list(struct store *s,
                                     int (*fn)(void *ctx, const struct store_officer *o), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	struct list_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->list(s, list_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_officer_delete(struct store *s, store_id id)
{
	return OPS(s)->delete (s, id);
}

enum store_result store_officer_set_roles(struct store *s, store_id id, unsigned roles)
{
	if (roles > ROLES_MAX)
		return STORE_TOO_LARGE;
	return OPS(s)->set_roles(s, id, roles);
}

enum store_result store_officer_set_disabled(struct store *s, store_id id, int disabled)
{
	return OPS(s)->set_disabled(s, id, disabled != 0);
}

enum store_result store_officer_set_clearance(struct store *s, store_id id, const char *clearance)
{
	if (clearance == NULL || strnlen(clearance, STORE_MARKING_MAX) >= STORE_MARKING_MAX)
		return STORE_TOO_LARGE;
	return OPS(s)->set_clearance(s, id, clearance);
}

enum store_result store_officer_keys_set(struct store *s, const struct store_officer *o,
                                         uint32_t expect_version)
{
	if (o == NULL || o->wrapped_sk_len == 0 || o->wrapped_sk_len > STORE_OFFICER_WRAP_MAX ||
	    o->wrapped_totp_len > STORE_OFFICER_WRAP_MAX)
		return STORE_TOO_LARGE;
	return unknown_is_not_found(s, o->id, OPS(s)->keys_set(s, o, expect_version));
}

enum store_result store_officer_totp_set(struct store *s, store_id id, uint32_t version,
                                         const uint8_t *wrap, size_t n, int64_t step)
{
	if (wrap == NULL || n == 0 || n > STORE_OFFICER_WRAP_MAX)
		return STORE_TOO_LARGE;
	return unknown_is_not_found(s, id, OPS(s)->totp_set(s, id, version, wrap, n, step));
}

enum store_result store_officer_login_ok(struct store *s, store_id id, int64_t step, int32_t day)
{
	return unknown_is_not_found(s, id, OPS(s)->login_ok(s, id, step, day));
}

enum store_result store_officer_login_failed(struct store *s, store_id id, int64_t now)
{
	return OPS(s)->login_failed(s, id, now);
}

/* ---- labels ---- */

enum store_result store_label_current(struct store *s, const char *name, uint32_t *version,
                                      uint8_t pk[STORE_PK_LEN])
{
	if (!name_ok(name, STORE_LABEL_NAME_MAX) || version == NULL || pk == NULL)
		return STORE_NOT_FOUND; /* no label has such a name */
	return OPS(s)->label_current(s, name, version, pk);
}

enum store_result store_label_add(struct store *s, const char *name, uint32_t version,
                                  const uint8_t pk[STORE_PK_LEN],
                                  const struct store_label_wrap *wraps, size_t n)
{
	if (!name_ok(name, STORE_LABEL_NAME_MAX) || version == 0 || pk == NULL ||
	    n > STORE_LABEL_WRAPS_MAX || (n > 0 && wraps == NULL))
		return STORE_TOO_LARGE;
	for (size_t i = 0; i < n; i++)
		if (!wrap_ok(&wraps[i]))
			return STORE_TOO_LARGE;
	return OPS(s)->label_add(s, name, version, pk, wraps, n);
}

enum store_result store_label_wrap_put(struct store *s, const char *name, uint32_t version,
                                       const struct store_label_wrap *w)
{
	if (!name_ok(name, STORE_LABEL_NAME_MAX) || !wrap_ok(w))
		return STORE_TOO_LARGE;
	return OPS(s)->label_wrap_put(s, name, version, w);
}

enum store_result store_label_wraps(struct store *s, store_id officer,
                                    int (*fn)(void *ctx, const char *name, uint32_t version,
                                              const uint8_t *wrap, size_t n),
                                    void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	struct wraps_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->label_wraps(s, officer, wraps_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_label_revoke(struct store *s, const char *name, store_id officer)
{
	if (name != NULL && !name_ok(name, STORE_LABEL_NAME_MAX))
		return STORE_OK; /* no wrap of such a name: nothing to delete */
	return OPS(s)->label_revoke(s, name, officer);
}

enum store_result store_label_joint(struct store *s, const char *a, const char *b,
                                    struct store_label_joint *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	if (!name_ok(a, STORE_LABEL_NAME_MAX) || !name_ok(b, STORE_LABEL_NAME_MAX)) {
		memset(out, 0, sizeof *out); /* no such label: version 0, no holder */
		return STORE_OK;
	}
	return OPS(s)->label_joint(s, a, b, out);
}
