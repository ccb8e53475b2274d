/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/keys/unseal.h"

#include <stdlib.h>

#include "lib/banned.h"

void unseal_keys_release(struct unseal_keys *k)
{
	age_identity_free(&k->owned);
	k->outer = NULL;
	for (size_t i = 0; i < k->nfresh; i++)
		age_identity_free(&k->fresh[i]);
	free(k->fresh);
	free(k->all);
	k->fresh = NULL;
	k->all = NULL;
	k->nfresh = 0;
	k->ids = NULL;
	k->n = 0;
}

/*
 * The reading chain: stored bytes -> outer decryptor (if layered) -> inner
 * decryptor -> w. Each stage records its own error, so that a key missing
 * at either layer reads as UNSEAL_CANNOT_OPEN and a failing w as UNSEAL_FAILED.
 */
struct feed {
	struct age_decryptor *outer, *inner;
	enum age_err outer_err, inner_err;
};

static int feed_inner(void *ctx, const uint8_t *p, size_t n)
{
	struct feed *f = ctx;
	f->inner_err = age_decrypt_update(f->inner, p, n);
	return f->inner_err != AGE_OK;
}

static int feed_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct feed *f = ctx;
	if (f->outer == NULL)
		return feed_inner(ctx, p, n);
	f->outer_err = age_decrypt_update(f->outer, p, n);
	return f->outer_err != AGE_OK;
}

static enum unseal_result from_age(enum age_err e)
{
	return e == AGE_OK                             ? UNSEAL_OK
	       : e == AGE_ERR_IO || e == AGE_ERR_NOMEM ? UNSEAL_FAILED
	                                               : UNSEAL_CANNOT_OPEN;
}

/* The first error along the chain, innermost first (an outer IO error is the inner's). */
static enum unseal_result chain_result(const struct feed *f)
{
	if (f->inner_err != AGE_OK)
		return from_age(f->inner_err);
	return from_age(f->outer_err);
}

/*
 * Reads blob through the outer layer (when k is layered) into w: the inner
 * age file when inner is 0, else (with the inner decryptor) its plaintext.
 */
static enum unseal_result open_chain(struct store *s, store_id blob, const struct unseal_keys *k,
                                     int inner, age_write_fn w, void *wctx)
{
	struct feed f = {.outer_err = AGE_OK, .inner_err = AGE_OK};
	enum unseal_result rc = UNSEAL_OK;
	if (k->layered && k->outer == NULL)
		return UNSEAL_CANNOT_OPEN;
	if (inner && age_decrypt_begin(k->ids, k->n, w, wctx, &f.inner) != AGE_OK)
		return UNSEAL_FAILED;
	const struct age_identity *const outer[1] = {k->outer};
	if (k->layered && age_decrypt_begin(outer, 1, inner ? feed_inner : w,
	                                    inner ? (void *)&f : wctx, &f.outer) != AGE_OK) {
		age_decryptor_free(&f.inner);
		return UNSEAL_FAILED;
	}
	enum store_result sr = store_blob_read(s, blob, feed_chunk, &f);
	if (sr == STORE_NOT_FOUND)
		rc = UNSEAL_NOT_FOUND;
	else if ((rc = chain_result(&f)) != UNSEAL_OK)
		;
	else if (sr != STORE_OK)
		rc = UNSEAL_FAILED;
	else if (f.outer != NULL && (f.outer_err = age_decrypt_finish(f.outer)) != AGE_OK)
		rc = chain_result(&f);
	else if (f.inner != NULL && (f.inner_err = age_decrypt_finish(f.inner)) != AGE_OK)
		rc = chain_result(&f);
	age_decryptor_free(&f.outer);
	age_decryptor_free(&f.inner);
	return rc;
}

enum unseal_result unseal_blob(struct store *s, store_id blob, const struct unseal_keys *k,
                               age_write_fn w, void *wctx)
{
	return open_chain(s, blob, k, 1, w, wctx);
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

enum unseal_result unseal_export(struct store *s, store_id blob, const struct unseal_keys *k,
                                 age_write_fn w, void *wctx)
{
	if (k->layered)
		return open_chain(s, blob, k, 0, w, wctx);
	struct pass ps = {w, wctx, 0};
	enum store_result sr = store_blob_read(s, blob, pass_chunk, &ps);
	if (sr == STORE_NOT_FOUND)
		return UNSEAL_NOT_FOUND;
	return sr == STORE_OK && !ps.failed ? UNSEAL_OK : UNSEAL_FAILED;
}
