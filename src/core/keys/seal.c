/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/keys/seal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#include "lib/banned.h"

/*
 * Writes an age stream into a store blob in chunks of up to STORE_CHUNK_MAX.
 * The staging buffer grows only as far as the data: a short message never
 * costs a large allocation.
 */
struct blob_writer {
	struct store *store;
	store_id id;
	struct buf stage;
	enum store_result err;
};

/*
 * The blob is created with its first chunk (one store round trip for a small
 * object). Without a store (seal_to_buf), the stage is all there is: a
 * second chunk does not fit.
 */
static int blob_flush(struct blob_writer *w)
{
	if (w->err != STORE_OK)
		return 1;
	if (w->store == NULL) {
		if (w->stage.len < STORE_CHUNK_MAX)
			return 0;
		w->err = STORE_TOO_LARGE;
		return 1;
	}
	if (w->id == 0)
		w->err = store_blob_put(w->store, w->stage.data, w->stage.len, &w->id);
	else if (w->stage.len > 0)
		w->err = store_blob_append(w->store, w->id, w->stage.data, w->stage.len);
	buf_reset(&w->stage);
	return w->err != STORE_OK;
}

static int blob_write(void *ctx, const uint8_t *p, size_t n)
{
	struct blob_writer *w = ctx;
	while (n > 0) {
		size_t room = STORE_CHUNK_MAX - w->stage.len;
		size_t take = n < room ? n : room;
		if (buf_append(&w->stage, p, take) != BUF_OK)
			return -1;
		p += take;
		n -= take;
		if (w->stage.len == STORE_CHUNK_MAX && blob_flush(w))
			return -1;
	}
	return 0;
}

/*
 * A two-layer object past PIPE_AFTER bytes is sealed on two threads: the
 * caller's runs the inner layer and queues its output; a worker of the
 * sealer's own runs the outer layer and writes the blob. A ring of
 * PIPE_SLOTS buffers of at most PIPE_SLOT bytes bounds the memory (the
 * caller waits while it is full). The bytes are the same as on one thread.
 */
#define PIPE_AFTER (1024 * 1024)
#define PIPE_SLOTS 8
#define PIPE_SLOT (256 * 1024)

struct pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_empty;
	struct buf slot[PIPE_SLOTS];
	size_t head, count; /* the oldest queued slot; how many are queued */
	bool closing;       /* the caller has queued its last bytes */
	bool failed;        /* the outer layer or the blob failed: stop */
};

struct sealer {
	struct blob_writer w;
	struct age_encryptor *outer; /* writes to w */
	struct age_encryptor *inner; /* writes to outer (through pipe, once made), or to w */
	uint64_t fed;                /* bytes the inner layer has written */
	struct pipe *pipe;
	int finished;
};

static void *pipe_main(void *arg)
{
	struct sealer *x = arg;
	struct pipe *pp = x->pipe;
	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (pp->count == 0 && !pp->closing)
			pthread_cond_wait(&pp->cv_full, &pp->mu);
		if (pp->count == 0)
			break; /* closing, and nothing left */
		struct buf *b = &pp->slot[pp->head];
		pthread_mutex_unlock(&pp->mu);
		bool ok = pp->failed || age_encrypt_update(x->outer, b->data, b->len) == AGE_OK;
		pthread_mutex_lock(&pp->mu);
		buf_reset(b);
		pp->head = (pp->head + 1) % PIPE_SLOTS;
		pp->count--;
		if (!ok)
			pp->failed = true;
		pthread_cond_signal(&pp->cv_empty);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* Starts the worker; on failure the sealer stays on one thread (best effort). */
static void pipe_start(struct sealer *x)
{
	struct pipe *pp = calloc(1, sizeof *pp);
	if (pp == NULL)
		return;
	for (size_t i = 0; i < PIPE_SLOTS; i++)
		buf_init(&pp->slot[i], PIPE_SLOT);
	if (pthread_mutex_init(&pp->mu, NULL) != 0) {
		free(pp);
		return;
	}
	if (pthread_cond_init(&pp->cv_full, NULL) != 0 ||
	    pthread_cond_init(&pp->cv_empty, NULL) != 0) {
		pthread_mutex_destroy(&pp->mu);
		free(pp);
		return;
	}
	x->pipe = pp;
	if (pthread_create(&pp->thread, NULL, pipe_main, x) != 0) {
		pthread_cond_destroy(&pp->cv_full);
		pthread_cond_destroy(&pp->cv_empty);
		pthread_mutex_destroy(&pp->mu);
		free(pp);
		x->pipe = NULL;
	}
}

/* Lets the worker drain the ring and end; false if it failed. */
static bool pipe_stop(struct sealer *x)
{
	struct pipe *pp = x->pipe;
	if (pp == NULL)
		return true;
	pthread_mutex_lock(&pp->mu);
	pp->closing = true;
	pthread_cond_signal(&pp->cv_full);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->thread, NULL);
	bool ok = !pp->failed;
	for (size_t i = 0; i < PIPE_SLOTS; i++)
		buf_release(&pp->slot[i]);
	pthread_cond_destroy(&pp->cv_full);
	pthread_cond_destroy(&pp->cv_empty);
	pthread_mutex_destroy(&pp->mu);
	free(pp);
	x->pipe = NULL;
	return ok;
}

/* Queues n bytes for the worker, in pieces of at most PIPE_SLOT. */
static int pipe_put(struct pipe *pp, const uint8_t *p, size_t n)
{
	pthread_mutex_lock(&pp->mu);
	while (n > 0 && !pp->failed) {
		while (pp->count == PIPE_SLOTS && !pp->failed)
			pthread_cond_wait(&pp->cv_empty, &pp->mu);
		if (pp->failed)
			break;
		struct buf *b = &pp->slot[(pp->head + pp->count) % PIPE_SLOTS];
		size_t take = n < PIPE_SLOT ? n : PIPE_SLOT;
		if (buf_append(b, p, take) != BUF_OK) { /* cannot happen: take <= cap */
			pp->failed = true;
			break;
		}
		p += take;
		n -= take;
		pp->count++;
		pthread_cond_signal(&pp->cv_full);
	}
	int rc = pp->failed ? -1 : 0;
	pthread_mutex_unlock(&pp->mu);
	return rc;
}

static int to_outer(void *ctx, const uint8_t *p, size_t n)
{
	struct sealer *x = ctx;
	x->fed += n;
	if (x->pipe == NULL && x->fed > PIPE_AFTER)
		pipe_start(x);
	if (x->pipe != NULL)
		return pipe_put(x->pipe, p, n);
	return age_encrypt_update(x->outer, p, n) == AGE_OK ? 0 : -1;
}

static enum seal_result failed(const struct sealer *x)
{
	return x->w.err != STORE_OK ? SEAL_STORE : SEAL_FAILED;
}

enum seal_result seal_begin(struct store *s, const struct age_recipient *inner,
                            const struct age_recipient *outer, struct sealer **out)
{
	*out = NULL;
	if (inner == NULL && outer == NULL)
		return SEAL_FAILED;
	struct sealer *x = calloc(1, sizeof *x);
	if (x == NULL)
		return SEAL_FAILED;
	x->w.store = s;
	buf_init(&x->w.stage, STORE_CHUNK_MAX);
	const struct age_recipient *ro[1] = {outer}, *ri[1] = {inner};
	if ((outer != NULL &&
	     age_encrypt_begin(ro, 1, 0, blob_write, &x->w, &x->outer) != AGE_OK) ||
	    (inner != NULL &&
	     age_encrypt_begin(ri, 1, 0, outer ? to_outer : blob_write,
	                       outer ? (void *)x : (void *)&x->w, &x->inner) != AGE_OK)) {
		seal_free(&x);
		return SEAL_FAILED;
	}
	*out = x;
	return SEAL_OK;
}

enum seal_result seal_update(struct sealer *x, const uint8_t *p, size_t n)
{
	struct age_encryptor *e = x->inner ? x->inner : x->outer;
	return age_encrypt_update(e, p, n) == AGE_OK ? SEAL_OK : failed(x);
}

enum seal_result seal_finish(struct sealer *x, store_id *blob)
{
	*blob = 0;
	bool inner_ok = x->inner == NULL || age_encrypt_finish(x->inner) == AGE_OK;
	if (!pipe_stop(x) || !inner_ok ||
	    (x->outer != NULL && age_encrypt_finish(x->outer) != AGE_OK) || blob_flush(&x->w) != 0)
		return failed(x);
	x->finished = 1;
	*blob = x->w.id;
	return SEAL_OK;
}

enum store_result seal_store_error(const struct sealer *x)
{
	return x->w.err;
}

void seal_free(struct sealer **px)
{
	struct sealer *x = *px;
	if (x == NULL)
		return;
	(void)pipe_stop(x); /* the worker ends before what it uses goes */
	age_encryptor_free(&x->inner);
	age_encryptor_free(&x->outer);
	if (!x->finished && x->w.id != 0 && x->w.store != NULL)
		(void)store_blob_delete(x->w.store, x->w.id);
	buf_release(&x->w.stage);
	free(x);
	*px = NULL;
}

enum seal_result seal_buf(struct store *s, const struct age_recipient *inner,
                          const struct age_recipient *outer, const uint8_t *p, size_t n,
                          store_id *blob, enum store_result *serr)
{
	struct sealer *x = NULL;
	enum seal_result rc = seal_begin(s, inner, outer, &x);
	*blob = 0;
	*serr = STORE_OK;
	if (rc != SEAL_OK)
		return rc;
	if ((rc = seal_update(x, p, n)) == SEAL_OK)
		rc = seal_finish(x, blob);
	*serr = seal_store_error(x);
	seal_free(&x);
	return rc;
}

enum seal_result seal_to_buf(const struct age_recipient *inner, const struct age_recipient *outer,
                             const uint8_t *p, size_t n, struct buf *out)
{
	struct sealer *x = NULL;
	store_id none;
	enum seal_result rc = seal_begin(NULL, inner, outer, &x);
	if (rc != SEAL_OK)
		return rc;
	if ((rc = seal_update(x, p, n)) == SEAL_OK)
		rc = seal_finish(x, &none);
	if (rc == SEAL_OK) {
		buf_release(out);
		*out = x->w.stage; /* the sealed bytes (ciphertext: nothing to wipe) */
		buf_init(&x->w.stage, STORE_CHUNK_MAX);
	}
	if (rc == SEAL_STORE) /* the only store error without a store: too large */
		rc = SEAL_TOO_LARGE;
	seal_free(&x);
	return rc;
}

/* ---- rewrap ---- */

struct rewrap {
	struct sealer *x;
	struct age_decryptor *dec; /* the present outer layer, or NULL */
	enum seal_result rc;
	enum age_err aerr;
};

static int rewrap_plain(void *ctx, const uint8_t *p, size_t n)
{
	struct rewrap *rw = ctx;
	rw->rc = seal_update(rw->x, p, n);
	return rw->rc != SEAL_OK;
}

static int rewrap_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct rewrap *rw = ctx;
	if (rw->dec == NULL)
		return rewrap_plain(ctx, p, n);
	rw->aerr = age_decrypt_update(rw->dec, p, n);
	return rw->aerr != AGE_OK;
}

enum seal_result seal_rewrap(struct store *s, store_id blob, const struct age_identity *old,
                             const struct age_recipient *outer, store_id *out)
{
	struct rewrap rw = {.rc = SEAL_OK, .aerr = AGE_OK};
	enum seal_result rc;
	*out = 0;
	if (outer == NULL)
		return SEAL_FAILED;
	if ((rc = seal_begin(s, NULL, outer, &rw.x)) != SEAL_OK)
		return rc;
	const struct age_identity *ids[1] = {old};
	if (old != NULL && age_decrypt_begin(ids, 1, rewrap_plain, &rw, &rw.dec) != AGE_OK) {
		rc = SEAL_FAILED;
		goto out;
	}
	enum store_result sr = store_blob_read(s, blob, rewrap_chunk, &rw);
	if (rw.rc != SEAL_OK)
		rc = rw.rc;
	else if (rw.aerr != AGE_OK)
		rc = rw.aerr == AGE_ERR_NOMEM ? SEAL_FAILED : SEAL_CANNOT_OPEN;
	else if (sr != STORE_OK)
		rc = SEAL_STORE;
	else if (rw.dec != NULL && (rw.aerr = age_decrypt_finish(rw.dec)) != AGE_OK)
		rc = rw.rc != SEAL_OK ? rw.rc : SEAL_CANNOT_OPEN;
	else
		rc = seal_finish(rw.x, out);
out:
	age_decryptor_free(&rw.dec);
	seal_free(&rw.x);
	return rc;
}
