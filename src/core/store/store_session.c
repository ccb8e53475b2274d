/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_session: the front of the doors' sessions (core/store/store_session.h). */
#include <string.h>

#include "core/store/store_session.h"

#include "lib/banned.h"

#define HAS(s) ((s) != NULL && (s)->be->session != NULL)

static bool kind_ok(int32_t kind)
{
	return kind == STORE_SESSION_INTAKE || kind == STORE_SESSION_DESK;
}

static enum store_result row_ok(const struct store_session *in)
{
	if (in == NULL || !kind_ok(in->kind) || in->owner <= 0)
		return STORE_NOT_FOUND;
	if (in->len == 0 || in->len > STORE_SESSION_DATA_MAX)
		return STORE_TOO_LARGE;
	return STORE_OK;
}

enum store_result store_session_add(struct store *s, const struct store_session *in, int64_t now,
                                    int64_t max)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	enum store_result r = row_ok(in);
	if (r != STORE_OK)
		return r;
	if (max < 1 || max > STORE_SESSION_MAX)
		return STORE_TOO_LARGE;
	return s->be->session->session_add(s, in, now, max);
}

enum store_result store_session_get(struct store *s, int32_t kind, const uint8_t id[static 32],
                                    int64_t now, struct store_session *out)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (!kind_ok(kind) || id == NULL || out == NULL)
		return STORE_NOT_FOUND;
	enum store_result r = s->be->session->session_get(s, kind, id, now, out);
	if (r != STORE_OK)
		memset(out, 0, sizeof *out);
	return r;
}

enum store_result store_session_put(struct store *s, const struct store_session *in)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	enum store_result r = row_ok(in);
	if (r != STORE_OK)
		return r;
	return s->be->session->session_put(s, in);
}

enum store_result store_session_delete(struct store *s, int32_t kind, const uint8_t id[static 32])
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (!kind_ok(kind) || id == NULL)
		return STORE_NOT_FOUND;
	return s->be->session->session_delete(s, kind, id);
}

enum store_result store_session_delete_owner(struct store *s, int32_t kind, store_id owner,
                                             int64_t *n)
{
	int64_t k = 0;
	if (n == NULL)
		n = &k;
	*n = 0;
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (!kind_ok(kind) || owner <= 0)
		return STORE_NOT_FOUND;
	return s->be->session->session_delete_owner(s, kind, owner, n);
}

enum store_result store_session_count(struct store *s, int32_t kind, int64_t now, int64_t *n)
{
	if (n != NULL)
		*n = 0;
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (!kind_ok(kind) || n == NULL)
		return STORE_NOT_FOUND;
	return s->be->session->session_count(s, kind, now, n);
}
