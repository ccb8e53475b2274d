/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_desk: the dispatchers of the desk's store operations (core/store/store_desk.h). */
#include "core/store/store_desk.h"

#include "lib/banned.h"

enum store_result store_desk_inbox(struct store *s, store_id before, int64_t limit,
                                   bool starred_only, store_desk_source_fn fn, void *ctx)
{
	return s->be->desk->inbox(s, before, limit, starred_only, fn, ctx);
}

enum store_result store_desk_source(struct store *s, store_id id, struct store_desk_source *out)
{
	return s->be->desk->source(s, id, out);
}

enum store_result store_desk_submissions(struct store *s, store_id source, store_id before,
                                         int64_t limit, store_desk_sub_fn fn, void *ctx)
{
	return s->be->desk->submissions(s, source, before, limit, fn, ctx);
}

enum store_result store_desk_set_star(struct store *s, store_id source, bool starred)
{
	return s->be->desk->set_star(s, source, starred);
}

enum store_result store_desk_set_label(struct store *s, store_id source, const char *label)
{
	return s->be->desk->set_label(s, source, label);
}
