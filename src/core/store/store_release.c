/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_release: the front of the release domain (core/store/store_release.h).
 * Each function checks its arguments and caps once; the backend's operations
 * only store and fetch rows.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store_release.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->release)
#define HAS(s) ((s) != NULL && (s)->be->release != NULL)

/* The listings' callbacks, through these: STORE_STOP exactly when fn stopped. */
struct rcp_stop {
	int (*fn)(void *ctx, const struct store_recipient *r);
	void *ctx;
	bool stopped;
};

static int rcp_one(void *ctx, const struct store_recipient *r)
{
	struct rcp_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, r) != 0);
}

struct rel_stop {
	int (*fn)(void *ctx, const struct store_release *r);
	void *ctx;
	bool stopped;
};

static int rel_one(void *ctx, const struct store_release *r)
{
	struct rel_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, r) != 0);
}

struct copy_stop {
	int (*fn)(void *ctx, const struct store_copy *c);
	void *ctx;
	bool stopped;
};

static int copy_one(void *ctx, const struct store_copy *c)
{
	struct copy_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, c) != 0);
}

/* UTF-8 of at most max bytes without control characters; empty only if may_be_empty. */
static bool text_ok(const char *t, size_t max, bool may_be_empty)
{
	if (t == NULL)
		return false;
	size_t n = strnlen(t, max + 1);
	if (n > max || (n == 0 && !may_be_empty))
		return false;
	if (utf8_count((const uint8_t *)t, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

static bool marking_ok(const char *m)
{
	size_t n = strnlen(m, STORE_MARKING_MAX);
	return n > 0 && n < STORE_MARKING_MAX && text_ok(m, STORE_MARKING_MAX - 1, false);
}

static bool recipient_ok(const struct store_recipient *in)
{
	const char *c = in->nationality;
	if (!text_ok(in->name, STORE_RECIPIENT_NAME_MAX, false) ||
	    !text_ok(in->org, STORE_RECIPIENT_NAME_MAX, false) || !marking_ok(in->marking))
		return false;
	if (strnlen(c, sizeof in->nationality) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return false;
	size_t n = strnlen(in->age_recipient, sizeof in->age_recipient);
	if (n > STORE_AGE_RECIPIENT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (in->age_recipient[i] <= 0x20 || in->age_recipient[i] >= 0x7f)
			return false;
	return true;
}

enum store_result store_recipient_add(struct store *s, const struct store_recipient *in,
                                      store_id *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (!recipient_ok(in))
		return STORE_TOO_LARGE;
	return OPS(s)->recipient_add(s, in, out);
}

enum store_result store_recipient_get(struct store *s, store_id id, struct store_recipient *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || id <= 0)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	return OPS(s)->recipient_get(s, id, out);
}

enum store_result store_recipient_find(struct store *s, const char *name,
                                       struct store_recipient *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || name == NULL)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	if (strnlen(name, STORE_RECIPIENT_NAME_MAX + 1) > STORE_RECIPIENT_NAME_MAX)
		return STORE_NOT_FOUND; /* nobody has such a name */
	return OPS(s)->recipient_find(s, name, out);
}

enum store_result store_recipients(struct store *s,
                                   int (*fn)(void *ctx, const struct store_recipient *r), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL)
		return STORE_NOT_FOUND;
	struct rcp_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->recipients(s, rcp_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_recipient_disable(struct store *s, store_id id)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (id <= 0)
		return STORE_NOT_FOUND;
	return OPS(s)->recipient_disable(s, id);
}

enum store_result store_release_insert(struct store *s, const struct store_release *in,
                                       store_id *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || out == NULL || in->report <= 0 || in->proposer <= 0)
		return STORE_NOT_FOUND;
	*out = 0;
	if (!marking_ok(in->marking) || !text_ok(in->purpose, STORE_RELEASE_TEXT_MAX, false) ||
	    in->nrecipients == 0 || in->nrecipients > STORE_RELEASE_RECIPIENTS_MAX ||
	    in->recipients == NULL)
		return STORE_TOO_LARGE;
	for (size_t i = 0; i < in->nrecipients; i++) {
		if (in->recipients[i] <= 0)
			return STORE_NOT_FOUND;
		for (size_t k = 0; k < i; k++)
			if (in->recipients[k] == in->recipients[i])
				return STORE_TOO_LARGE; /* named twice */
	}
	return OPS(s)->release_insert(s, in, out);
}

enum store_result store_release_get(struct store *s, store_id id,
                                    int (*fn)(void *ctx, const struct store_release *r), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL || id <= 0)
		return STORE_NOT_FOUND;
	struct rel_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->release_get(s, id, rel_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_releases(struct store *s,
                                 int (*fn)(void *ctx, const struct store_release *r), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL)
		return STORE_NOT_FOUND;
	struct rel_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->releases(s, rel_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

static int exists_fn(void *ctx, const struct store_release *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

enum store_result store_release_decide(struct store *s, store_id id,
                                       const struct store_release_decision *d)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (d == NULL || id <= 0 || d->decider <= 0)
		return STORE_NOT_FOUND;
	if (d->state == STORE_RELEASE_APPROVED) {
		if (d->sealed == NULL || d->sealed_len == 0 ||
		    d->sealed_len > STORE_RELEASE_SEALED_MAX || d->nslots == 0)
			return STORE_TOO_LARGE;
	} else if (d->state == STORE_RELEASE_REFUSED) {
		if (!text_ok(d->reason, STORE_RELEASE_TEXT_MAX, true))
			return STORE_TOO_LARGE;
	} else {
		return STORE_NOT_FOUND;
	}
	enum store_result r = OPS(s)->release_decide(s, id, d);
	if (r == STORE_NOT_FOUND && OPS(s)->release_get(s, id, exists_fn, NULL) == STORE_OK)
		return STORE_EXISTS; /* there is one, no longer proposed */
	return r;
}

enum store_result store_copy_insert(struct store *s, store_id release, store_id recipient,
                                    uint32_t number, const uint8_t *choices, size_t len,
                                    store_id *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (choices == NULL || out == NULL || release <= 0 || recipient <= 0 || number == 0)
		return STORE_NOT_FOUND;
	*out = 0;
	if (len == 0 || len > STORE_RELEASE_SEALED_MAX)
		return STORE_TOO_LARGE;
	return OPS(s)->copy_insert(s, release, recipient, number, choices, len, out);
}

enum store_result store_copies(struct store *s, store_id release,
                               int (*fn)(void *ctx, const struct store_copy *c), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL || release <= 0)
		return STORE_NOT_FOUND;
	struct copy_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->copies(s, release, copy_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}
