/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_witness: the front of the witnessing domain (core/store/store_witness.h). */
#include <string.h>

#include "core/store/store_witness.h"

#include "lib/banned.h"

#define HAS(s) ((s) != NULL && (s)->be->witness != NULL)

/* A non-empty text of fewer than cap bytes. */
static int text_ok(const char *t, size_t cap)
{
	if (t == NULL)
		return 0;
	size_t n = strnlen(t, cap);
	return n > 0 && n < cap;
}

enum store_result store_witness_log_add(struct store *s, const char *origin, const char *vkey,
                                        int32_t day, store_id *id)
{
	if (id != NULL)
		*id = 0;
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (origin == NULL || vkey == NULL || id == NULL)
		return STORE_NOT_FOUND;
	if (!text_ok(origin, STORE_WITNESS_ORIGIN_MAX + 1) ||
	    !text_ok(vkey, STORE_WITNESS_KEY_MAX + 1))
		return STORE_TOO_LARGE;
	return s->be->witness->log_add(s, origin, vkey, day, id);
}

enum store_result store_witness_log_get(struct store *s, const char *origin,
                                        struct store_witness_log *out)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (origin == NULL || out == NULL || !text_ok(origin, STORE_WITNESS_ORIGIN_MAX + 1))
		return STORE_NOT_FOUND;
	return s->be->witness->log_get(s, origin, out);
}

enum store_result store_witness_logs(struct store *s,
                                     int (*fn)(void *ctx, const struct store_witness_log *l),
                                     void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->witness->logs(s, fn, ctx);
}

enum store_result store_witness_log_advance(struct store *s, store_id log, uint64_t old_size,
                                            uint64_t size,
                                            const uint8_t root[static STORE_WITNESS_HASH_LEN],
                                            const char *note, int32_t day)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (log <= 0 || root == NULL || note == NULL)
		return STORE_NOT_FOUND;
	if (size < old_size || size > INT64_MAX || !text_ok(note, STORE_WITNESS_NOTE_MAX + 1))
		return STORE_TOO_LARGE;
	if (!store_in_write(s))
		return STORE_CORRUPT; /* check and persist must be one transaction */
	return s->be->witness->log_advance(s, log, old_size, size, root, note, day);
}

enum store_result store_witness_conflict_add(struct store *s,
                                             const struct store_witness_conflict *c, store_id *id)
{
	if (id != NULL)
		*id = 0;
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (c == NULL || id == NULL || c->log <= 0)
		return STORE_NOT_FOUND;
	if (c->size > INT64_MAX || !text_ok(c->offered, sizeof c->offered) ||
	    strnlen(c->held, sizeof c->held) >= sizeof c->held)
		return STORE_TOO_LARGE;
	return s->be->witness->conflict_add(s, c, id);
}

enum store_result
store_witness_conflicts(struct store *s,
                        int (*fn)(void *ctx, const struct store_witness_conflict *c), void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->witness->conflicts(s, fn, ctx);
}

enum store_result store_witness_cosig_add(struct store *s, uint64_t size, const char *witness,
                                          const char *line)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (witness == NULL || line == NULL || size == 0)
		return STORE_NOT_FOUND;
	if (size > INT64_MAX || !text_ok(witness, STORE_WITNESS_ORIGIN_MAX + 1) ||
	    !text_ok(line, STORE_WITNESS_LINE_MAX + 1))
		return STORE_TOO_LARGE;
	return s->be->witness->cosig_add(s, size, witness, line);
}

enum store_result store_witness_cosigs(struct store *s, uint64_t size,
                                       int (*fn)(void *ctx, const char *witness, const char *line),
                                       void *ctx)
{
	if (!HAS(s))
		return STORE_UNSUPPORTED;
	if (fn == NULL || size == 0 || size > INT64_MAX)
		return STORE_NOT_FOUND;
	return s->be->witness->cosigs(s, size, fn, ctx);
}
