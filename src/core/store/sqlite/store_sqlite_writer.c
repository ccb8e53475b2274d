/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_writer: the writes of the SQLite backend.
 *
 * One writer thread owns the only writing connection. Callers queue a job and
 * sleep on it; the writer takes every queued job at once and runs the
 * non-durable ones (blob create/append, mark read) in one transaction with
 * synchronous=NORMAL (no fsync), then the durable ones in one transaction with
 * synchronous=FULL (the commit fsyncs the WAL, which also covers every earlier
 * non-durable frame). Each job runs inside its own SAVEPOINT, so a failing job
 * is rolled back alone. This is group commit: one fsync for many callers.
 *
 * A job is a function on the writer's connection (J_FN: sq_write,
 * sq_write_blobs, which every write of the backend goes through) or a
 * transaction's function (J_TX: store_write). A J_TX job runs the caller's
 * function on the writer, in its own savepoint of the batch, with
 * tx_store/tx_job set (thread locals of the writer). A store call the function
 * makes then runs on the writer's connection at once instead of being queued
 * (it would wait for itself): a write as a nested savepoint, a read on the
 * writer's connection (so it sees the transaction's own changes). What a
 * nested job leaves for after the commit (files to shred) moves to the J_TX
 * job; the blobs it claims are the ones the J_TX job prepared.
 */
#include <pthread.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "core/store/blob_spill.h"
#include "core/store/sqlite/store_sqlite_internal.h"

#include "lib/banned.h"

/*
 * The transaction the writer thread runs now (J_TX), if any: set only on the
 * writer thread, only while the transaction's function runs.
 */
static _Thread_local struct sq *tx_store;
static _Thread_local struct job *tx_job;

static bool in_tx(const struct sq *s)
{
	return tx_store == s && s != NULL;
}

bool sq_in_tx(const struct sq *s)
{
	return in_tx(s);
}

static enum store_result run_job(struct sq *s, struct conn *c, struct job *j)
{
	enum store_result r;
	if (j->kind == J_FN) {
		struct job *was = c->job;
		c->job = j;
		r = j->fn(c, j->fn_arg);
		c->job = was;
		return r;
	}
	struct sq *was_store = tx_store;
	struct job *was_job = tx_job;
	tx_store = s;
	tx_job = j;
	r = j->tx_fn(&s->base, j->fn_arg);
	tx_store = was_store;
	tx_job = was_job;
	return r;
}

static bool job_deletes(const struct job *j)
{
	return j->dropped;
}

/*
 * After a commit: every file of the store takes its time as access and
 * modification time (and so change time), so that the filesystem shows the
 * store's last write and no earlier one: not the arrival of the last large
 * blob (the segment file), not a write that happened to dirty the WAL index
 * after its pages were last written back (PATH-shm), not the last checkpoint
 * (PATH). Issue 16 §3; what remains visible: docs/threat-model.md.
 */
static void touch_files(struct sq *s)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char name[4096];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		int n = snprintf(name, sizeof name, "%s%s", s->path, suffix[i]);
		if (n > 0 && (size_t)n < sizeof name)
			(void)utimensat(AT_FDCWD, name, NULL, 0);
	}
	blob_spill_touch(s->spill);
}

/* Runs a list of jobs in one transaction, then wakes their callers. */
static void run_batch(struct sq *s, struct job *list, bool durable)
{
	struct conn *c = &s->writer;
	enum store_result r;
	bool deleted = false;

	if ((r = sq_set_sync(c, durable)) == STORE_OK)
		r = sq_core_exec(c, S_BEGIN);
	if (r != STORE_OK) {
		for (struct job *j = list; j; j = j->next)
			j->rc = r;
		goto out;
	}
	for (struct job *j = list; j; j = j->next) {
		if ((r = sq_core_exec(c, S_SAVEPOINT)) != STORE_OK) {
			j->rc = r;
			continue;
		}
		j->rc = run_job(s, c, j);
		if (j->rc != STORE_OK) {
			if (sq_core_exec(c, S_ROLLBACK_TO) != STORE_OK)
				j->rc = STORE_IO;
		} else if (job_deletes(j)) {
			deleted = true;
		}
		(void)sq_core_exec(c, S_RELEASE);
	}
	r = sq_core_exec(c, S_COMMIT);
	if (r != STORE_OK) {
		if (!sqlite3_get_autocommit(c->db))
			(void)sq_core_exec(c, S_ROLLBACK);
		for (struct job *j = list; j; j = j->next) {
			if (j->rc == STORE_OK)
				j->rc = r;
		}
		deleted = false;
	}
out:
	if (deleted)
		sq_ck_wake(s, true);
	pthread_mutex_lock(&s->mu);
	while (list) {
		struct job *next = list->next; /* the caller may free list once done */
		list->done = true;
		pthread_cond_signal(&list->cv);
		list = next;
	}
	pthread_mutex_unlock(&s->mu);
	if (r == STORE_OK) /* after the callers are woken: no acknowledgment waits for it */
		touch_files(s);
}

void *sq_writer_main(void *arg)
{
	struct sq *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stop)
			pthread_cond_wait(&s->work_cv, &s->mu);
		struct job *all = s->head;
		s->head = s->tail = NULL;
		pthread_mutex_unlock(&s->mu);
		if (all == NULL)
			break; /* stopping, and nothing left to do */
		struct job *fast = NULL, **ft = &fast, *slow = NULL, **sl = &slow;
		while (all) {
			struct job *next = all->next;
			all->next = NULL;
			if (all->durable) {
				*sl = all;
				sl = &all->next;
			} else {
				*ft = all;
				ft = &all->next;
			}
			all = next;
		}
		if (fast)
			run_batch(s, fast, false);
		if (slow)
			run_batch(s, slow, true);
	}
	return NULL;
}

/*
 * Inside a transaction (on the writer): runs j at once in a savepoint of its
 * own. Its claims are the transaction's; the files it would shred after the
 * commit become the transaction's to shred.
 */
static enum store_result run_nested(struct sq *s, struct job *j)
{
	struct conn *c = &s->writer;
	struct job *outer = tx_job;
	enum store_result r;
	j->rc = STORE_IO;
	/* the caller releases what it prepared (nothing, inside a transaction) */
	const struct blob_spill_claim *own = j->claims;
	size_t nown = j->nclaims;
	if (own == NULL) {
		j->claims = outer->claims;
		j->nclaims = outer->nclaims;
	}
	if ((r = sq_core_exec(c, S_SAVEPOINT)) != STORE_OK)
		return r;
	r = run_job(s, c, j);
	j->claims = own;
	j->nclaims = nown;
	if (r != STORE_OK && sq_core_exec(c, S_ROLLBACK_TO) != STORE_OK)
		r = STORE_IO;
	if (sq_core_exec(c, S_RELEASE) != STORE_OK && r == STORE_OK)
		r = STORE_IO;
	if (r == STORE_OK && job_deletes(j))
		outer->dropped = true;
	/* STORE_NOMEM rolls the transaction back: nothing is lost */
	for (size_t i = 0; r == STORE_OK && i < j->shred.n; i++)
		r = blob_files_add(&outer->shred, j->shred.v[i]);
	blob_files_clear(&j->shred);
	j->rc = r;
	return r;
}

/* Queues j and sleeps until the writer has run it (inside a transaction: runs it now). */
static enum store_result submit(struct sq *s, struct job *j, enum job_kind kind)
{
	j->kind = kind;
	if (in_tx(s))
		return run_nested(s, j);
	j->done = false;
	j->next = NULL;
	j->rc = STORE_IO;
	if (pthread_cond_init(&j->cv, NULL) != 0)
		return STORE_NOMEM;
	pthread_mutex_lock(&s->mu);
	if (s->stop) {
		pthread_mutex_unlock(&s->mu);
		pthread_cond_destroy(&j->cv);
		return STORE_IO;
	}
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->work_cv);
	while (!j->done)
		pthread_cond_wait(&j->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&j->cv);
	return j->rc;
}

/*
 * Before a durable job that claims ids: the file-backed ones are sealed and
 * made durable (blob_spill_claims_prepare). Inside a transaction, the claims
 * are the transaction's, prepared before it started: a file-backed blob it
 * did not name would be claimed without its file.
 */
static enum store_result claims_prepare(struct sq *s, const store_id *ids, size_t nids,
                                        struct blob_spill_claim *claims, size_t *nclaims)
{
	*nclaims = 0;
	if (!in_tx(s))
		return blob_spill_claims_prepare(s->spill, ids, nids, claims, nclaims);
	for (size_t i = 0; i < nids; i++) {
		if (!blob_spill_has(s->spill, ids[i]))
			continue;
		bool named = false;
		for (size_t k = 0; k < tx_job->nclaims && !named; k++)
			named = tx_job->claims[k].blob == ids[i];
		if (!named)
			return STORE_CORRUPT;
	}
	return STORE_OK;
}

/* Runs j (J_FN or J_TX) durably, claiming ids; shreds what it deleted once committed. */
static enum store_result submit_claiming(struct sq *s, struct job *j, enum job_kind kind,
                                         const store_id *ids, size_t n)
{
	if (n > SIZE_MAX / sizeof(struct blob_spill_claim))
		return STORE_TOO_LARGE;
	struct blob_spill_claim *claims = calloc(n ? n : 1, sizeof *claims);
	if (claims == NULL)
		return STORE_NOMEM;
	enum store_result r = claims_prepare(s, ids, n, claims, &j->nclaims);
	if (r == STORE_OK) {
		j->claims =
		        j->nclaims > 0 ? claims : NULL; /* in a transaction: the transaction's */
		r = submit(s, j, kind);
		blob_spill_claims_release(s->spill, claims, j->nclaims, r == STORE_OK);
	}
	free(claims);
	/* nested: what it left to shred is the outer transaction's now (j->shred is empty) */
	return blob_files_shred(s->spill, &j->shred, r);
}

enum store_result sq_write(struct store *st, bool durable, sq_fn fn, void *arg)
{
	struct sq *s = SQ(st);
	struct job j = {.fn = fn, .fn_arg = arg, .durable = durable};
	return blob_files_shred(s->spill, &j.shred, submit(s, &j, J_FN));
}

enum store_result sq_write_blobs(struct store *st, sq_fn fn, void *arg, const store_id *claim,
                                 size_t n)
{
	struct job j = {.fn = fn, .fn_arg = arg, .durable = true};
	return submit_claiming(SQ(st), &j, J_FN, claim, n);
}

enum store_result sq_tx(struct store *st, const store_id *claim, size_t n, store_tx_fn fn,
                        void *arg)
{
	struct job j = {.tx_fn = fn, .fn_arg = arg, .durable = true};
	return submit_claiming(SQ(st), &j, J_TX, claim, n);
}

bool sq_in_write(struct store *st)
{
	return in_tx(SQ(st));
}

/* A claim of the running job: its file and size go into the blob's row. */
const struct blob_spill_claim *sq_job_claim(struct conn *c, store_id blob)
{
	const struct job *j = c->job;
	for (size_t i = 0; j != NULL && i < j->nclaims; i++)
		if (j->claims[i].blob == blob)
			return &j->claims[i];
	return NULL;
}
