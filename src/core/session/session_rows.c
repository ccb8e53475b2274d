/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/session/session_rows.h"

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/store/store_session.h"

#include "lib/banned.h"

_Static_assert(SESSION_ROW_MAX == STORE_SESSION_DATA_MAX, "a row's data is the store's");
_Static_assert((int)SESSION_KIND_INTAKE == (int)STORE_SESSION_INTAKE &&
                       (int)SESSION_KIND_DESK == (int)STORE_SESSION_DESK,
               "the kinds are the store's");

int64_t session_rows_now(void)
{
	return (int64_t)time(NULL);
}

int64_t session_rows_expiry(uint64_t idle)
{
	int64_t i = idle < 86400 * 366 ? (int64_t)idle : 86400 * 366, q = i / 4;
	int64_t step = q > 60 ? 60 : q > 0 ? q : 1;
	return (session_rows_now() + i) / step * step;
}

int64_t session_rows_day_end(int64_t expires)
{
	return (expires / 86400 + 1) * 86400;
}

/* The store's row (on the caller's stack, wiped by it) of a door's. */
static void to_store(enum session_kind kind, const uint8_t id[32], const struct session_row *in,
                     struct store_session *row)
{
	memcpy(row->id, id, 32);
	row->kind = (int32_t)kind;
	row->owner = in->owner;
	row->expires = in->expires;
	row->version = in->version;
	row->len = in->len <= sizeof row->data ? in->len : 0; /* 0: refused by the front */
	memcpy(row->data, in->data, row->len);
}

enum store_result session_rows_add(struct store *s, enum session_kind kind,
                                   const uint8_t id[static 32], const struct session_row *in,
                                   int64_t max)
{
	struct store_session row;
	to_store(kind, id, in, &row);
	enum store_result r = store_session_add(s, &row, session_rows_now(), max);
	sodium_memzero(&row, sizeof row);
	return r;
}

enum store_result session_rows_get(struct store *s, enum session_kind kind,
                                   const uint8_t id[static 32], struct session_row *out)
{
	struct store_session row;
	enum store_result r = store_session_get(s, (int32_t)kind, id, session_rows_now(), &row);
	memset(out, 0, sizeof *out);
	if (r == STORE_OK) {
		out->owner = row.owner;
		out->expires = row.expires;
		out->version = row.version;
		out->len = row.len <= sizeof out->data ? row.len : 0;
		memcpy(out->data, row.data, out->len);
	}
	sodium_memzero(&row, sizeof row);
	return r;
}

enum store_result session_rows_put(struct store *s, enum session_kind kind,
                                   const uint8_t id[static 32], const struct session_row *in)
{
	struct store_session row;
	to_store(kind, id, in, &row);
	enum store_result r = store_session_put(s, &row);
	sodium_memzero(&row, sizeof row);
	return r;
}

enum store_result session_rows_delete(struct store *s, enum session_kind kind,
                                      const uint8_t id[static 32])
{
	return store_session_delete(s, (int32_t)kind, id);
}

enum store_result session_rows_delete_owner(struct store *s, enum session_kind kind, int64_t owner)
{
	int64_t n = 0;
	return store_session_delete_owner(s, (int32_t)kind, owner, &n);
}

enum store_result session_rows_write(struct store *s, store_tx_fn fn, void *arg)
{
	return store_write(s, NULL, 0, fn, arg);
}
