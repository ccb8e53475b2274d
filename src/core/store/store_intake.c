/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_intake: the front of the intake's operations (sources, submissions,
 * files, replies; core/store/store.h): every argument and cap checked once,
 * then dispatched to the backend, which keeps only its rows.
 */
#include <stdbool.h>
#include <string.h>

#include "core/store/store.h"

#include "lib/banned.h"

/*
 * The most files a submission may name: its row keeps the count in an int32,
 * and a backend may count the 1 + 2 * nfiles blobs it claims in a size_t
 * (it still checks that count times its element size with calloc).
 */
static bool nfiles_ok(size_t nfiles)
{
	return nfiles <= INT32_MAX && nfiles <= (SIZE_MAX - 1) / 2;
}

enum store_result store_source_create(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                      const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (lookup == NULL || pk == NULL)
		return STORE_NOT_FOUND;
	return s->be->source_create(s, lookup, pk, day, out);
}

enum store_result store_source_find(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                                    struct store_source *out)
{
	if (lookup == NULL || out == NULL)
		return STORE_NOT_FOUND;
	return s->be->source_find(s, lookup, out);
}

enum store_result store_source_get(struct store *s, store_id id, struct store_source *out)
{
	if (id <= 0 || out == NULL)
		return STORE_NOT_FOUND;
	return s->be->source_get(s, id, out);
}

enum store_result store_source_delete(struct store *s, store_id id)
{
	if (id <= 0)
		return STORE_NOT_FOUND;
	return s->be->source_delete(s, id);
}

enum store_result store_source_list(struct store *s, int64_t offset, int64_t limit,
                                    int (*fn)(void *ctx, const struct store_source *src), void *ctx)
{
	if (offset < 0 || limit < 0 || fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->source_list(s, offset, limit, fn, ctx);
}

enum store_result store_submission_commit(struct store *s, store_id source_id, int32_t day,
                                          const char *marking, uint32_t seal_version,
                                          store_id message_blob, const struct store_new_file *files,
                                          size_t nfiles, store_id *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (marking == NULL)
		marking = "";
	if (strnlen(marking, STORE_MARKING_MAX) >= STORE_MARKING_MAX || !nfiles_ok(nfiles))
		return STORE_TOO_LARGE;
	if (source_id <= 0 || message_blob < 0 || (nfiles > 0 && files == NULL))
		return STORE_NOT_FOUND;
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].meta_blob <= 0 || files[i].data_blob <= 0)
			return STORE_NOT_FOUND;
	return s->be->submission_commit(s, source_id, day, marking, seal_version, message_blob,
	                                files, nfiles, out);
}

enum store_result store_submission_get(struct store *s, store_id id, struct store_submission *out)
{
	if (id <= 0 || out == NULL)
		return STORE_NOT_FOUND;
	return s->be->submission_get(s, id, out);
}

enum store_result store_submission_list(struct store *s, store_id source_id, int64_t offset,
                                        int64_t limit,
                                        int (*fn)(void *ctx, const struct store_submission *sub),
                                        void *ctx)
{
	if (source_id <= 0 || offset < 0 || limit < 0 || fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->submission_list(s, source_id, offset, limit, fn, ctx);
}

enum store_result store_submission_files(struct store *s, store_id submission_id,
                                         int (*fn)(void *ctx, const struct store_file *f),
                                         void *ctx)
{
	if (submission_id <= 0 || fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->submission_files(s, submission_id, fn, ctx);
}

enum store_result store_submission_mark_read(struct store *s, store_id id)
{
	if (id <= 0)
		return STORE_NOT_FOUND;
	return s->be->submission_mark_read(s, id);
}

enum store_result store_submission_count_day(struct store *s, store_id source_id, int32_t day,
                                             int64_t *count)
{
	if (count == NULL)
		return STORE_NOT_FOUND;
	*count = 0;
	if (source_id <= 0)
		return STORE_NOT_FOUND;
	return s->be->submission_count_day(s, source_id, day, count);
}

enum store_result store_reply_add(struct store *s, store_id source_id, int32_t day, store_id blob,
                                  store_id *out)
{
	if (out == NULL)
		return STORE_NOT_FOUND;
	*out = 0;
	if (source_id <= 0 || blob <= 0)
		return STORE_NOT_FOUND;
	return s->be->reply_add(s, source_id, day, blob, out);
}

enum store_result store_reply_list(struct store *s, store_id source_id,
                                   int (*fn)(void *ctx, const struct store_reply *r), void *ctx)
{
	if (source_id <= 0 || fn == NULL)
		return STORE_NOT_FOUND;
	return s->be->reply_list(s, source_id, fn, ctx);
}

enum store_result store_reply_delete(struct store *s, store_id source_id, store_id id)
{
	if (source_id <= 0 || id <= 0)
		return STORE_NOT_FOUND;
	return s->be->reply_delete(s, source_id, id);
}

enum store_result store_reply_seal(struct store *s, store_id source_id, store_id id,
                                   const struct store_reply_seal *rs)
{
	if (source_id <= 0 || id <= 0 || rs == NULL || rs->desk_blob <= 0 || rs->author < 0 ||
	    rs->submission < 0)
		return STORE_NOT_FOUND;
	if (rs->marking == NULL || strnlen(rs->marking, STORE_MARKING_MAX) >= STORE_MARKING_MAX)
		return STORE_TOO_LARGE;
	return s->be->reply_seal(s, source_id, id, rs);
}

enum store_result store_reply_read(struct store *s, store_id source_id, int32_t day)
{
	if (source_id <= 0 || day <= 0)
		return STORE_NOT_FOUND;
	return s->be->reply_read(s, source_id, day);
}

enum store_result store_reply_tombstone(struct store *s, store_id source_id, store_id id,
                                        int32_t day)
{
	if (source_id <= 0 || id <= 0 || day <= 0)
		return STORE_NOT_FOUND;
	return s->be->reply_tombstone(s, source_id, id, day);
}

enum store_result store_expire(struct store *s, enum store_expire kind, int32_t before,
                               struct store_expired *out, size_t max, size_t *n)
{
	if (n == NULL)
		return STORE_NOT_FOUND;
	*n = 0;
	if (out == NULL || max == 0 || max > STORE_EXPIRE_MAX ||
	    (kind != STORE_EXPIRE_SUBMISSIONS && kind != STORE_EXPIRE_REPLIES))
		return STORE_TOO_LARGE;
	if (s->be->expire == NULL)
		return STORE_UNSUPPORTED;
	if (!store_in_write(s))
		return STORE_CORRUPT; /* each deletion commits with its ledger entry */
	return s->be->expire(s, kind, before, out, max, n);
}
