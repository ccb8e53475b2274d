/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_stream: the age payload, ChaCha20-Poly1305 STREAM in 64 KiB chunks.
 *
 * Chunk i is sealed under the nonce (11-byte big-endian i || last flag).
 * Both directions hold back one full chunk until they know whether more
 * input follows, so the last chunk is marked (encryption) or checked
 * (decryption) correctly; a full-size last chunk is legal. Decryption
 * releases a chunk's plaintext only after its tag verified.
 *
 * With age_stream_parallel(), an update that holds several whole non-last
 * chunks seals (opens) the first half of them on the caller's thread and the
 * second half on one worker thread with its own cipher context, then hands
 * the batch on in order in one sink call. Chunks are independent (the nonce
 * is the counter), so the bytes are the same as single-threaded.
 */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/age/aead.h"
#include "lib/age/age_internal.h"
#include "lib/secmem.h"
#include "lib/age/hkdf.h"
#include "lib/banned.h"

#define PAGE 4096
#define PAR_OUT_SIZE (((size_t)AGE_PAR_CHUNKS * AGE_ENC_CHUNK_SIZE + PAGE - 1) / PAGE * PAGE)

/* The worker thread and its job; the fields below mu are guarded by it. */
struct par {
	pthread_t thread;
	struct aead *aead; /* the worker's own context */
	uint8_t *out;      /* AGE_PAR_CHUNKS * AGE_ENC_CHUNK_SIZE, page-aligned */
	size_t out_hi;     /* bytes of out ever written (wiped at the end) */
	pthread_mutex_t mu;
	pthread_cond_t cv_job;
	pthread_cond_t cv_done;
	int job; /* 1: a job is posted, 0: done */
	int quit;
	const uint8_t *const *chunks; /* the job: chunks[from..to), counter of chunk 0 */
	size_t from, to;
	uint64_t counter;
	size_t ok; /* result: chunks processed before the first failure */
};

struct age_stream {
	struct aead *aead;
	struct par *par;
	int want_par;
	size_t in_hi;  /* bytes of in ever written (wiped at the end) */
	size_t out_hi; /* the same for out */
	int encrypt;
	int failed;
	uint64_t counter;
	uint8_t *in; /* pending input: plaintext (enc) or ciphertext (dec) */
	size_t in_len;
	size_t in_cap;
	uint8_t *out; /* AGE_ENC_CHUNK_SIZE */
	age_sink_fn sink;
	void *sink_ctx;
};

enum age_err age_stream_new(const uint8_t file_key[static AGE_FILE_KEY_SIZE],
                            const uint8_t nonce[static AGE_NONCE_SIZE], int encrypt,
                            age_sink_fn sink, void *sink_ctx, struct age_stream **out)
{
	enum age_err rc = AGE_ERR_NOMEM;
	uint8_t *key = secmem_alloc(32);
	struct age_stream *s = calloc(1, sizeof *s);
	*out = NULL;
	if (key == NULL || s == NULL)
		goto out;
	s->encrypt = encrypt ? 1 : 0;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	s->in_cap = encrypt ? AGE_CHUNK_SIZE : AGE_ENC_CHUNK_SIZE;
	s->in = malloc(s->in_cap);
	s->out = malloc(AGE_ENC_CHUNK_SIZE);
	if (s->in == NULL || s->out == NULL)
		goto out;
	rc = AGE_ERR_CRYPTO;
	if (hkdf_sha256(key, 32, file_key, AGE_FILE_KEY_SIZE, nonce, AGE_NONCE_SIZE,
	                (const uint8_t *)"payload", 7) != 0)
		goto out;
	s->aead = aead_new(key, s->encrypt);
	if (s->aead == NULL)
		goto out;
	*out = s;
	s = NULL;
	rc = AGE_OK;
out:
	secmem_free(key);
	age_stream_free(&s);
	return rc;
}

static void par_free(struct par **pp)
{
	struct par *w = *pp;
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->cv_job);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv_job);
	pthread_cond_destroy(&w->cv_done);
	pthread_mutex_destroy(&w->mu);
	aead_free(&w->aead);
	sodium_memzero(w->out, w->out_hi);
	free(w->out);
	free(w);
	*pp = NULL;
}

void age_stream_free(struct age_stream **s)
{
	if (s == NULL || *s == NULL)
		return;
	par_free(&(*s)->par);
	aead_free(&(*s)->aead);
	if ((*s)->in != NULL)
		sodium_memzero((*s)->in, (*s)->in_hi);
	if ((*s)->out != NULL)
		sodium_memzero((*s)->out, (*s)->out_hi);
	free((*s)->in);
	free((*s)->out);
	free(*s);
	*s = NULL;
}

static void make_nonce(uint64_t counter, int last, uint8_t nonce[static AEAD_NONCE_SIZE])
{
	memset(nonce, 0, 3);
	for (int i = 0; i < 8; i++)
		nonce[3 + i] = (uint8_t)(counter >> (56 - 8 * i));
	nonce[11] = last ? 1 : 0;
}

/*
 * Seals or opens the whole non-last chunks chunks[from..to), chunk i under
 * counter + i, into out + i * AGE_ENC_CHUNK_SIZE. Returns how many succeeded
 * before the first failure (decryption: a tag that does not verify).
 */
static size_t run_chunks(struct aead *a, int encrypt, const uint8_t *const *chunks, size_t from,
                         size_t to, uint64_t counter, uint8_t *out)
{
	uint8_t nonce[AEAD_NONCE_SIZE];
	for (size_t i = from; i < to; i++) {
		uint8_t *o = out + i * AGE_ENC_CHUNK_SIZE;
		make_nonce(counter + i, 0, nonce);
		if (encrypt ? aead_seal(a, nonce, chunks[i], AGE_CHUNK_SIZE, o) != 0
		            : aead_open(a, nonce, chunks[i], AGE_ENC_CHUNK_SIZE, o) != 0)
			return i - from;
	}
	return to - from;
}

static void *par_main(void *arg)
{
	struct par *w = arg;
	int encrypt = -1;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cv_job, &w->mu);
		if (w->quit)
			break;
		pthread_mutex_unlock(&w->mu);
		if (encrypt < 0)
			encrypt = aead_is_encrypt(w->aead);
		size_t ok =
		        run_chunks(w->aead, encrypt, w->chunks, w->from, w->to, w->counter, w->out);
		pthread_mutex_lock(&w->mu);
		w->ok = ok;
		w->job = 0;
		pthread_cond_signal(&w->cv_done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void age_stream_parallel(struct age_stream *s)
{
	s->want_par = 1;
}

/* Starts the worker on first use; NULL (single-threaded) if that fails. */
static struct par *par_get(struct age_stream *s)
{
	struct par *w;
	pthread_attr_t attr;
	sigset_t all, old;
	int ok;
	if (s->par != NULL || !s->want_par)
		return s->par;
	s->want_par = 0; /* one attempt */
	w = calloc(1, sizeof *w);
	if (w == NULL)
		return NULL;
	w->out = aligned_alloc(PAGE, PAR_OUT_SIZE);
	w->aead = aead_dup(s->aead);
	if (w->out == NULL || w->aead == NULL)
		goto fail;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->cv_job, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	if (pthread_cond_init(&w->cv_done, NULL) != 0) {
		pthread_cond_destroy(&w->cv_job);
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	/* The worker takes no signals: the caller's handlers stay on the caller's thread. */
	ok = pthread_attr_init(&attr) == 0;
	if (ok) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		ok = pthread_attr_setstacksize(&attr, 256 * 1024) == 0 &&
		     pthread_create(&w->thread, &attr, par_main, w) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
	}
	if (!ok) {
		pthread_cond_destroy(&w->cv_done);
		pthread_cond_destroy(&w->cv_job);
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	s->par = w;
	return w;
fail:
	aead_free(&w->aead);
	free(w->out);
	free(w);
	return NULL;
}

static enum age_err do_chunk(struct age_stream *s, const uint8_t *p, size_t n, int last);

/*
 * Processes m >= 2 whole non-last chunks on two threads and hands them on in
 * order. Decryption releases the chunks before the first failing one, then
 * lets do_chunk() decide about that one (it may have been a final chunk).
 */
static enum age_err do_batch(struct age_stream *s, struct par *w, const uint8_t *const *chunks,
                             size_t m)
{
	enum age_err rc = AGE_OK;
	size_t h = m / 2, ok_main, ok_worker, good;
	pthread_mutex_lock(&w->mu);
	w->chunks = chunks;
	w->from = h;
	w->to = m;
	w->counter = s->counter;
	w->job = 1;
	pthread_cond_signal(&w->cv_job);
	pthread_mutex_unlock(&w->mu);

	ok_main = run_chunks(s->aead, s->encrypt, chunks, 0, h, s->counter, w->out);

	pthread_mutex_lock(&w->mu);
	while (w->job)
		pthread_cond_wait(&w->cv_done, &w->mu);
	ok_worker = w->ok;
	pthread_mutex_unlock(&w->mu);
	if (m * AGE_ENC_CHUNK_SIZE > w->out_hi)
		w->out_hi = m * AGE_ENC_CHUNK_SIZE;

	if (s->encrypt) {
		if (ok_main != h || ok_worker != m - h)
			return AGE_ERR_CRYPTO;
		s->counter += m;
		return s->sink(s->sink_ctx, w->out, m * AGE_ENC_CHUNK_SIZE);
	}
	good = ok_main < h ? ok_main : h + ok_worker;
	/* Plaintexts sit at a stride of AGE_ENC_CHUNK_SIZE: one sink call per chunk. */
	for (size_t i = 0; i < good && rc == AGE_OK; i++)
		rc = s->sink(s->sink_ctx, w->out + i * AGE_ENC_CHUNK_SIZE, AGE_CHUNK_SIZE);
	if (rc != AGE_OK)
		return rc;
	s->counter += good;
	if (good < m)
		return do_chunk(s, chunks[good], AGE_ENC_CHUNK_SIZE, 0);
	return AGE_OK;
}

/*
 * Seals (enc) or opens (dec) one chunk p[0..n) and hands the result on.
 * A full-size chunk that fails to open under the expected last flag but
 * opens under the other one did authenticate: its plaintext is released and
 * the stream fails (a final chunk followed by data, or a missing final chunk).
 */
static enum age_err do_chunk(struct age_stream *s, const uint8_t *p, size_t n, int last)
{
	uint8_t nonce[AEAD_NONCE_SIZE];
	if (s->counter == UINT64_MAX)
		return AGE_ERR_PAYLOAD;
	make_nonce(s->counter, last, nonce);
	if (n + AGE_TAG_SIZE > s->out_hi)
		s->out_hi = n + AGE_TAG_SIZE <= AGE_ENC_CHUNK_SIZE ? n + AGE_TAG_SIZE
		                                                   : AGE_ENC_CHUNK_SIZE;
	if (s->encrypt) {
		s->counter++;
		if (aead_seal(s->aead, nonce, p, n, s->out) != 0)
			return AGE_ERR_CRYPTO;
		return s->sink(s->sink_ctx, s->out, n + AGE_TAG_SIZE);
	}
	if (n < AGE_TAG_SIZE)
		return AGE_ERR_PAYLOAD;
	if (aead_open(s->aead, nonce, p, n, s->out) != 0) {
		enum age_err rc;
		if (n != AGE_ENC_CHUNK_SIZE)
			return AGE_ERR_PAYLOAD;
		make_nonce(s->counter, !last, nonce);
		if (aead_open(s->aead, nonce, p, n, s->out) != 0)
			return AGE_ERR_PAYLOAD;
		s->counter++;
		rc = s->sink(s->sink_ctx, s->out, n - AGE_TAG_SIZE);
		return rc != AGE_OK ? rc : AGE_ERR_PAYLOAD;
	}
	s->counter++;
	/* The last chunk may be empty only when it is the only one. */
	if (last && n == AGE_TAG_SIZE && s->counter > 1)
		return AGE_ERR_PAYLOAD;
	return n > AGE_TAG_SIZE ? s->sink(s->sink_ctx, s->out, n - AGE_TAG_SIZE) : AGE_OK;
}

enum age_err age_stream_update(struct age_stream *s, const uint8_t *p, size_t n)
{
	enum age_err rc = AGE_OK;
	if (s->failed)
		return AGE_ERR_ARG;
	while (n > 0) {
		struct par *w;
		if ((s->in_len == s->in_cap || (s->in_len == 0 && n > s->in_cap)) &&
		    s->counter < UINT64_MAX - AGE_PAR_CHUNKS && (w = par_get(s)) != NULL) {
			/* Every whole chunk with input after it, the held one first. */
			const uint8_t *chunks[AGE_PAR_CHUNKS];
			size_t m = 0, used = 0;
			if (s->in_len == s->in_cap)
				chunks[m++] = s->in;
			while (m < AGE_PAR_CHUNKS && n - used > s->in_cap) {
				chunks[m++] = p + used;
				used += s->in_cap;
			}
			if (m >= 2) {
				if ((rc = do_batch(s, w, chunks, m)) != AGE_OK)
					goto out;
				s->in_len = 0;
				p += used;
				n -= used;
				continue;
			}
		}
		if (s->in_len == s->in_cap) {
			/* More input follows, so the held chunk is not the last. */
			if ((rc = do_chunk(s, s->in, s->in_len, 0)) != AGE_OK)
				goto out;
			s->in_len = 0;
		}
		if (s->in_len == 0 && n > s->in_cap) {
			/* Whole chunks with input after them: no copy. */
			if ((rc = do_chunk(s, p, s->in_cap, 0)) != AGE_OK)
				goto out;
			p += s->in_cap;
			n -= s->in_cap;
			continue;
		}
		size_t take = s->in_cap - s->in_len;
		if (take > n)
			take = n;
		memcpy(s->in + s->in_len, p, take);
		s->in_len += take;
		if (s->in_len > s->in_hi)
			s->in_hi = s->in_len;
		p += take;
		n -= take;
	}
out:
	if (rc != AGE_OK)
		s->failed = 1;
	return rc;
}

enum age_err age_stream_finish(struct age_stream *s)
{
	enum age_err rc;
	if (s->failed)
		return AGE_ERR_ARG;
	s->failed = 1; /* no use after finish */
	if (!s->encrypt && s->in_len < AGE_TAG_SIZE)
		return AGE_ERR_PAYLOAD; /* no chunk, no final chunk, or a cut tag */
	rc = do_chunk(s, s->in, s->in_len, 1);
	s->in_len = 0;
	return rc;
}
