/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_blob: the front of the blob operations (core/store/store.h): checked once, then dispatched.
 */
#include "core/store/store.h"

#include "lib/banned.h"

enum store_result store_blob_create(struct store *s, store_id *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	return s->be->blob_create(s, out);
}

enum store_result store_blob_append(struct store *s, store_id blob, const uint8_t *p, size_t n)
{
	if (blob <= 0 || (p == NULL && n > 0))
		return STORE_NOT_FOUND;
	if (n > STORE_CHUNK_MAX)
		return STORE_TOO_LARGE;
	if (n == 0)
		return STORE_OK;
	return s->be->blob_append(s, blob, p, n);
}

enum store_result store_blob_put(struct store *s, const uint8_t *p, size_t n, store_id *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (p == NULL && n > 0)
		return STORE_NOT_FOUND;
	if (n > STORE_CHUNK_MAX)
		return STORE_TOO_LARGE;
	return s->be->blob_put(s, p, n, out);
}

enum store_result store_blob_read(struct store *s, store_id blob, store_chunk_fn fn, void *ctx)
{
	if (blob <= 0 || fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->blob_read(s, blob, fn, ctx);
}

enum store_result store_blob_size(struct store *s, store_id blob, uint64_t *size)
{
	if (size == NULL)
		return STORE_NOT_FOUND;
	*size = 0;
	if (blob <= 0)
		return STORE_NOT_FOUND;
	return s->be->blob_size(s, blob, size);
}

enum store_result store_blob_list(struct store *s, store_id after, store_id *ids, size_t cap,
                                  size_t *n)
{
	if (n == NULL)
		return STORE_NOT_FOUND;
	*n = 0;
	if (ids == NULL || cap == 0 || cap > STORE_LIST_MAX)
		return STORE_TOO_LARGE;
	return s->be->blob_list(s, after < 0 ? 0 : after, ids, cap, n);
}

enum store_result store_blob_delete(struct store *s, store_id blob)
{
	if (blob <= 0)
		return STORE_NOT_FOUND;
	return s->be->blob_delete(s, blob);
}
