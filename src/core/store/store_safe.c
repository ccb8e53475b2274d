/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_safe: the front of the safe copies (core/store/store_safe.h). */
#include <string.h>

#include "core/store/store_safe.h"

#include "lib/banned.h"

#define HAS(s) ((s) != NULL && (s)->be->safe != NULL)

enum store_result store_safe_add(struct store *s, const struct store_safe_copy *c)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (c == NULL || c->file_id <= 0 || c->blob <= 0)
		return STORE_NOT_FOUND;
	size_t m = strnlen(c->marking, sizeof c->marking);
	if (c->pages < 1 || c->pages > STORE_SAFE_PAGES_MAX || m == 0 || m >= sizeof c->marking)
		return STORE_TOO_LARGE;
	if (!store_in_write(s))
		return STORE_CORRUPT; /* a claim outside a transaction (a caller's bug) */
	return s->be->safe->safe_add(s, c);
}

enum store_result store_safe_get(struct store *s, store_id file_id, struct store_safe_copy *out)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (file_id <= 0 || out == NULL)
		return STORE_NOT_FOUND;
	return s->be->safe->safe_get(s, file_id, out);
}

enum store_result store_safe_delete(struct store *s, store_id file_id)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (file_id <= 0)
		return STORE_NOT_FOUND;
	return s->be->safe->safe_delete(s, file_id);
}
