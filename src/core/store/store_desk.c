/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_desk: the front of the desk's store operations (core/store/store_desk.h):
 * each checks its arguments once and holds the domain's rules (what a label may
 * be); the backend's operations only store and fetch rows.
 */
#include <stdint.h>
#include <string.h>

#include "core/store/store_desk.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->desk)

/* The listings' callbacks, through these: STORE_STOP exactly when fn stopped. */
struct inbox_stop {
	store_desk_source_fn fn;
	void *ctx;
	bool stopped;
};

static int inbox_one(void *ctx, const struct store_desk_source *src)
{
	struct inbox_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, src) != 0);
}

struct subs_stop {
	store_desk_sub_fn fn;
	void *ctx;
	bool stopped;
};

static int subs_one(void *ctx, const struct store_submission *sub)
{
	struct subs_stop *t = ctx;
	return (t->stopped = t->fn(t->ctx, sub) != 0);
}

enum store_result store_desk_inbox(struct store *s, store_id before, int64_t limit,
                                   bool starred_only, store_desk_source_fn fn, void *ctx)
{
	if (limit < 0 || fn == NULL)
		return STORE_NOT_FOUND;
	struct inbox_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->inbox(s, before, limit, starred_only, inbox_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_desk_inbox_filtered(struct store *s, store_id before, int64_t limit,
                                            const struct store_desk_filter *f, store_id *floor,
                                            store_desk_source_fn fn, void *ctx)
{
	if (limit < 0 || fn == NULL || f == NULL || floor == NULL || f->window < 0 ||
	    f->nindex > STORE_DESK_INDEX_MAX || f->day_from < 0 || f->day_to < 0 ||
	    memchr(f->marking, 0, sizeof f->marking) == NULL)
		return STORE_NOT_FOUND;
	*floor = 0;
	struct inbox_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->inbox_filtered(s, before, limit, f, floor, inbox_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_desk_source(struct store *s, store_id id, struct store_desk_source *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	return OPS(s)->source(s, id, out);
}

enum store_result store_desk_submissions(struct store *s, store_id source, store_id before,
                                         int64_t limit, store_desk_sub_fn fn, void *ctx)
{
	if (limit < 0 || fn == NULL)
		return STORE_NOT_FOUND;
	struct subs_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->submissions(s, source, before, limit, subs_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_desk_unread(struct store *s, store_id before, int64_t limit,
                                    store_desk_sub_fn fn, void *ctx)
{
	if (limit < 0 || fn == NULL)
		return STORE_NOT_FOUND;
	struct subs_stop t = {.fn = fn, .ctx = ctx};
	enum store_result r = OPS(s)->unread(s, before, limit, subs_one, &t);
	return store_listed(r, t.stopped); /* after the call */
}

enum store_result store_desk_set_star(struct store *s, store_id source, bool starred)
{
	return OPS(s)->set_star(s, source, starred);
}

enum store_result store_desk_set_label(struct store *s, store_id source, const char *label)
{
	return store_desk_set_label_indexed(s, source, label, NULL);
}

enum store_result store_desk_set_label_indexed(struct store *s, store_id source, const char *label,
                                               const uint8_t *index)
{
	if (label == NULL)
		return STORE_NOT_FOUND;
	size_t n = strnlen(label, STORE_DESK_LABEL_MAX + 1);
	if (n > STORE_DESK_LABEL_MAX)
		return STORE_TOO_LARGE;
	if (utf8_count((const uint8_t *)label, n) < 0)
		return STORE_NOT_FOUND;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
			return STORE_NOT_FOUND;
	return OPS(s)->set_label(s, source, label, label[0] != '\0' ? index : NULL);
}
