/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_liaison_items: the fronts of the liaison domain's items of bundles
 * (core/store/store_liaison.h, schema part liaison_items): the items
 * withheld from a bundle each way, with their reasons. Each function checks
 * its arguments and caps once; the backend's operations only store and
 * fetch rows.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store_liaison.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->liaison)
#define HAS(s, op) ((s) != NULL && (s)->be->liaison != NULL && (s)->be->liaison->op != NULL)

/* UTF-8 of 1..max bytes without control characters. */
static bool line_ok(const char *t, size_t max)
{
	size_t n = strnlen(t, max + 1);
	if (n == 0 || n > max || utf8_count((const uint8_t *)t, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

static bool way_ok(enum store_liaison_way way)
{
	return way == STORE_LIAISON_SENT || way == STORE_LIAISON_RECEIVED;
}

enum store_result store_withheld_add(struct store *s, const struct store_withheld *in)
{
	if (!HAS(s, withheld_add))
		return STORE_UNSUPPORTED;
	if (in == NULL || in->partner <= 0)
		return STORE_NOT_FOUND;
	if (!way_ok(in->way) || in->seq == 0 || in->seq >= (uint64_t)INT64_MAX || in->report <= 0 ||
	    !line_ok(in->reason, STORE_WITHHELD_REASON_MAX))
		return STORE_TOO_LARGE;
	return OPS(s)->withheld_add(s, in);
}

struct withheld_stop {
	int (*fn)(void *ctx, const struct store_withheld *w);
	void *ctx;
	bool stopped;
};

static int withheld_one(void *ctx, const struct store_withheld *w)
{
	struct withheld_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, w) != 0);
}

enum store_result store_withheld(struct store *s, store_id partner, enum store_liaison_way way,
                                 uint64_t seq, int (*fn)(void *ctx, const struct store_withheld *w),
                                 void *ctx)
{
	if (!HAS(s, withheld))
		return STORE_UNSUPPORTED;
	if (fn == NULL || partner <= 0)
		return STORE_NOT_FOUND;
	if (!way_ok(way) || seq == 0 || seq >= (uint64_t)INT64_MAX)
		return STORE_TOO_LARGE;
	struct withheld_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->withheld(s, partner, way, seq, withheld_one, &t);
	return store_listed(r, t.stopped);
}

/* ---- reports sent, received ones found, consents ---- */

enum store_result store_item_sent_add(struct store *s, store_id partner, uint64_t seq,
                                      store_id report)
{
	if (!HAS(s, item_sent_add))
		return STORE_UNSUPPORTED;
	if (partner <= 0 || report <= 0)
		return STORE_NOT_FOUND;
	if (seq == 0 || seq >= (uint64_t)INT64_MAX)
		return STORE_TOO_LARGE;
	return OPS(s)->item_sent_add(s, partner, seq, report);
}

enum store_result store_item_sent_has(struct store *s, store_id partner, store_id report)
{
	if (!HAS(s, item_sent_has))
		return STORE_UNSUPPORTED;
	if (partner <= 0 || report <= 0)
		return STORE_NOT_FOUND;
	return OPS(s)->item_sent_has(s, partner, report);
}

enum store_result store_received_find(struct store *s, store_id partner, int64_t remote,
                                      struct store_received *out)
{
	if (!HAS(s, received_find))
		return STORE_UNSUPPORTED;
	if (out == NULL || partner <= 0 || remote <= 0)
		return STORE_NOT_FOUND;
	memset(out, 0, sizeof *out);
	return OPS(s)->received_find(s, partner, remote, out);
}

static bool country_ok(const char *c)
{
	if (strcmp(c, "*") == 0)
		return true;
	for (int i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return false;
	return c[3] == '\0';
}

enum store_result store_consent_add(struct store *s, const struct store_consent *in, store_id *out)
{
	if (!HAS(s, consent_add))
		return STORE_UNSUPPORTED;
	if (in == NULL || out == NULL || in->partner <= 0 || in->report <= 0)
		return STORE_NOT_FOUND;
	*out = 0;
	if (!way_ok(in->way) || !country_ok(in->country) || in->seq >= (uint64_t)INT64_MAX ||
	    in->day < 0)
		return STORE_TOO_LARGE;
	return OPS(s)->consent_add(s, in, out);
}

struct consent_stop {
	int (*fn)(void *ctx, const struct store_consent *c);
	void *ctx;
	bool stopped;
};

static int consent_one(void *ctx, const struct store_consent *c)
{
	struct consent_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, c) != 0);
}

enum store_result store_consents(struct store *s, enum store_liaison_way way, store_id report,
                                 int (*fn)(void *ctx, const struct store_consent *c), void *ctx)
{
	if (!HAS(s, consents))
		return STORE_UNSUPPORTED;
	if (fn == NULL || report <= 0)
		return STORE_NOT_FOUND;
	if (!way_ok(way))
		return STORE_TOO_LARGE;
	struct consent_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->consents(s, way, report, consent_one, &t);
	return store_listed(r, t.stopped);
}

enum store_result store_consents_pending(struct store *s, store_id partner,
                                         int (*fn)(void *ctx, const struct store_consent *c),
                                         void *ctx)
{
	if (!HAS(s, consents_pending))
		return STORE_UNSUPPORTED;
	if (fn == NULL || partner <= 0)
		return STORE_NOT_FOUND;
	struct consent_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->consents_pending(s, partner, consent_one, &t);
	return store_listed(r, t.stopped);
}

enum store_result store_consent_sent(struct store *s, store_id id, uint64_t seq)
{
	if (!HAS(s, consent_sent))
		return STORE_UNSUPPORTED;
	if (id <= 0)
		return STORE_NOT_FOUND;
	if (seq == 0 || seq >= (uint64_t)INT64_MAX)
		return STORE_TOO_LARGE;
	return OPS(s)->consent_sent(s, id, seq);
}
