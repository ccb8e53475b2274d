/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/inbox.h"

#include "lib/banned.h"

struct feed {
	struct age_decryptor *dec;
	enum age_err err;
};

static int feed_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct feed *f = ctx;
	f->err = age_decrypt_update(f->dec, p, n);
	return f->err != AGE_OK;
}

enum inbox_result inbox_open_blob(struct store *s, store_id blob,
                                  const struct age_identity *const *ids, size_t n, age_write_fn w,
                                  void *wctx)
{
	struct feed f = {0};
	if (age_decrypt_begin(ids, n, w, wctx, &f.dec) != AGE_OK)
		return INBOX_FAILED;
	enum store_result sr = s->be->blob_read(s, blob, feed_chunk, &f);
	enum inbox_result rc = INBOX_OK;
	if (sr == STORE_NOT_FOUND)
		rc = INBOX_NOT_FOUND;
	else if (f.err != AGE_OK)
		rc = f.err == AGE_ERR_IO ? INBOX_FAILED : INBOX_CANNOT_OPEN;
	else if (sr != STORE_OK)
		rc = INBOX_FAILED;
	else if ((f.err = age_decrypt_finish(f.dec)) != AGE_OK)
		rc = f.err == AGE_ERR_IO ? INBOX_FAILED : INBOX_CANNOT_OPEN;
	age_decryptor_free(&f.dec);
	return rc;
}

struct pass {
	age_write_fn w;
	void *wctx;
	int failed;
};

static int pass_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct pass *ps = ctx;
	ps->failed = ps->w(ps->wctx, p, n) != 0;
	return ps->failed;
}

enum inbox_result inbox_export_blob(struct store *s, store_id blob, age_write_fn w, void *wctx)
{
	struct pass ps = {w, wctx, 0};
	enum store_result sr = s->be->blob_read(s, blob, pass_chunk, &ps);
	if (sr == STORE_NOT_FOUND)
		return INBOX_NOT_FOUND;
	return sr == STORE_OK && !ps.failed ? INBOX_OK : INBOX_FAILED;
}
