/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_liaison: the front of the liaison domain (core/store/store_liaison.h).
 * Each function checks its arguments and caps once; the backend's operations
 * only store and fetch rows.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store_liaison.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->liaison)
#define HAS(s) ((s) != NULL && (s)->be->liaison != NULL)

/* UTF-8 of 1..max bytes without control characters. */
static bool text_ok(const char *t, size_t max)
{
	size_t n = strnlen(t, max + 1);
	if (n == 0 || n > max || utf8_count((const uint8_t *)t, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

/* Printable ASCII without space, at most max bytes, empty only if may_be_empty. */
static bool ascii_ok(const char *t, size_t max, bool may_be_empty)
{
	size_t n = strnlen(t, max + 1);
	if (n > max || (n == 0 && !may_be_empty))
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return false;
	return true;
}

static bool marking_ok(const char *m)
{
	size_t n = strnlen(m, STORE_MARKING_MAX);
	return n > 0 && n < STORE_MARKING_MAX && text_ok(m, STORE_MARKING_MAX - 1);
}

bool store_topics_ok(const char *t)
{
	if (t == NULL)
		return false;
	size_t n = strnlen(t, STORE_TOPICS_MAX + 1);
	if (n > STORE_TOPICS_MAX)
		return false;
	const char *prev = NULL;
	size_t prevlen = 0;
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && t[k] != ',') {
			char c = t[k];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
				return false;
			k++;
		}
		size_t len = k - i;
		if (len == 0 || len > STORE_TOPIC_MAX)
			return false;
		if (prev != NULL) { /* strictly ascending, bytewise */
			size_t m = len < prevlen ? len : prevlen;
			int c = memcmp(prev, t + i, m);
			if (c > 0 || (c == 0 && prevlen >= len))
				return false;
		}
		prev = t + i;
		prevlen = len;
		if (k == n)
			break;
		i = k + 1;
		if (i == n)
			return false; /* a trailing comma */
	}
	return true;
}

static bool partner_ok(const struct store_partner *in)
{
	const char *c = in->country;
	if (!text_ok(in->name, STORE_PARTNER_NAME_MAX) || !marking_ok(in->marking) ||
	    !ascii_ok(in->vkey, STORE_PARTNER_KEY_MAX, false) ||
	    !ascii_ok(in->age_recipient, STORE_AGE_RECIPIENT_MAX, false) ||
	    !ascii_ok(in->url, STORE_PARTNER_URL_MAX, true) || !store_topics_ok(in->topics))
		return false;
	if (strnlen(c, sizeof in->country) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return false;
	return true;
}

/* The listings' callbacks, through these: STORE_STOP exactly when fn stopped. */
struct partners_stop {
	int (*fn)(void *ctx, const struct store_partner *p);
	void *ctx;
	bool stopped;
};

static int partners_one(void *ctx, const struct store_partner *p)
{
	struct partners_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, p) != 0);
}

struct received_stop {
	int (*fn)(void *ctx, const struct store_received *r);
	void *ctx;
	bool stopped;
};

static int received_one(void *ctx, const struct store_received *r)
{
	struct received_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, r) != 0);
}

enum store_result store_partner_add(struct store *s, const struct store_partner *in, store_id *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (!partner_ok(in))
		return STORE_TOO_LARGE;
	return OPS(s)->partner_add(s, in, out);
}

enum store_result store_partner_get(struct store *s, store_id id, struct store_partner *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || id <= 0)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	return OPS(s)->partner_get(s, id, out);
}

enum store_result store_partner_find(struct store *s, const char *name, struct store_partner *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || name == NULL)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	if (strnlen(name, STORE_PARTNER_NAME_MAX + 1) > STORE_PARTNER_NAME_MAX)
		return STORE_NOT_FOUND; /* nobody has such a name */
	return OPS(s)->partner_find(s, name, out);
}

enum store_result store_partners(struct store *s,
                                 int (*fn)(void *ctx, const struct store_partner *p), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL)
		return STORE_NOT_FOUND;
	struct partners_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->partners(s, partners_one, &t);
	return store_listed(r, t.stopped);
}

enum store_result store_partner_disable(struct store *s, store_id id)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (id <= 0)
		return STORE_NOT_FOUND;
	return OPS(s)->partner_disable(s, id);
}

enum store_result store_partner_advance(struct store *s, store_id id,
                                        const struct store_liaison_step *step)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (step == NULL || id <= 0)
		return STORE_NOT_FOUND;
	if ((step->way != STORE_LIAISON_SENT && step->way != STORE_LIAISON_RECEIVED) ||
	    step->from >= (uint64_t)INT64_MAX || step->through < 0)
		return STORE_TOO_LARGE;
	struct store_partner p;
	enum store_result r = OPS(s)->partner_get(s, id, &p);
	if (r != STORE_OK)
		return r;
	if (step->way == STORE_LIAISON_SENT && step->through < p.sent_through)
		return STORE_TOO_LARGE; /* never goes down */
	r = OPS(s)->partner_advance(s, id, step);
	if (r == STORE_NOT_FOUND) /* the partner exists: it moved on meanwhile */
		return STORE_EXISTS;
	return r;
}

enum store_result store_topics_set(struct store *s, store_id report, const char *topics)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (topics == NULL || report <= 0)
		return STORE_NOT_FOUND;
	if (!store_topics_ok(topics))
		return STORE_TOO_LARGE;
	return OPS(s)->topics_set(s, report, topics);
}

enum store_result store_topics_get(struct store *s, store_id report,
                                   char out[static STORE_TOPICS_MAX + 1])
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || report <= 0)
		return STORE_NOT_FOUND;
	out[0] = '\0';
	return OPS(s)->topics_get(s, report, out);
}

enum store_result store_received_add(struct store *s, const struct store_received *in,
                                     store_id *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || out == NULL || in->partner <= 0 || in->report <= 0)
		return STORE_NOT_FOUND;
	*out = 0;
	if (in->seq == 0 || in->seq >= (uint64_t)INT64_MAX || in->remote <= 0 ||
	    !marking_ok(in->marking))
		return STORE_TOO_LARGE;
	return OPS(s)->received_add(s, in, out);
}

enum store_result store_received_of(struct store *s, store_id report, struct store_received *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || report <= 0)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	return OPS(s)->received_of(s, report, out);
}

enum store_result store_received(struct store *s, store_id partner,
                                 int (*fn)(void *ctx, const struct store_received *r), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL || partner <= 0)
		return STORE_NOT_FOUND;
	struct received_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->received(s, partner, received_one, &t);
	return store_listed(r, t.stopped);
}

/* ---- bundles sent ---- */

struct sent_stop {
	int (*fn)(void *ctx, const struct store_bundle_sent *b);
	void *ctx;
	bool stopped;
};

static int sent_one(void *ctx, const struct store_bundle_sent *b)
{
	struct sent_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, b) != 0);
}

enum store_result store_bundle_sent_add(struct store *s, const struct store_bundle_sent *in)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || in->partner <= 0)
		return STORE_NOT_FOUND;
	if (in->seq == 0 || in->seq >= (uint64_t)INT64_MAX || in->day < 0)
		return STORE_TOO_LARGE;
	return OPS(s)->sent_add(s, in);
}

enum store_result store_bundle_sent_get(struct store *s, store_id partner, uint64_t seq,
                                        struct store_bundle_sent *out)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (out == NULL || partner <= 0 || seq == 0 || seq >= (uint64_t)INT64_MAX)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	return OPS(s)->sent_get(s, partner, seq, out);
}

enum store_result store_bundle_receipt(struct store *s, const struct store_bundle_sent *in)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (in == NULL || in->partner <= 0 || in->seq == 0 || in->seq >= (uint64_t)INT64_MAX)
		return STORE_NOT_FOUND;
	if (in->receipted <= 0)
		return STORE_TOO_LARGE;
	return OPS(s)->sent_receipt(s, in);
}

enum store_result store_bundles_sent(struct store *s, store_id partner,
                                     int (*fn)(void *ctx, const struct store_bundle_sent *b),
                                     void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL || partner <= 0)
		return STORE_NOT_FOUND;
	struct sent_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->sent(s, partner, sent_one, &t);
	return store_listed(r, t.stopped);
}
