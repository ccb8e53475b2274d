/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger: appends to the log over the store (core/ledger/ledger.h): one
 * batch, and the queue that coalesces concurrent appenders into one
 * transaction. Reads and proofs are in ledger_read.c, verification and
 * checkpoints in ledger_verify.c, the texts in ledger_format.c; the hashes
 * and the head in the store's front (core/store/store_ledger.c).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/ledger/ledger_internal.h"
#include "core/store/store_ledger.h"

#include "lib/banned.h"

enum ledger_result ledger_from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return LEDGER_OK;
	case STORE_NOT_FOUND:
		return LEDGER_NOT_FOUND;
	case STORE_BUSY:
		return LEDGER_BUSY;
	case STORE_CORRUPT:
		return LEDGER_TAMPERED;
	default:
		return LEDGER_FAILED;
	}
}

/* ---- append ---- */

struct batch {
	const struct ledger_event *ev;
	int32_t today;
};

static size_t encode_one(void *ctx, size_t k, uint64_t index,
                         uint8_t out[static STORE_LEDGER_ENTRY_MAX])
{
	const struct batch *b = ctx;
	const struct ledger_event *ev = &b->ev[k];
	size_t len;
	if (ledger_entry_encode(ev, index, ev->day != 0 ? ev->day : b->today, out, &len) !=
	    LEDGER_OK)
		return 0;
	return len;
}

enum ledger_result ledger_append_batch(struct store *s, const struct ledger_event *ev, size_t n,
                                       uint64_t *first)
{
	struct batch b = {.ev = ev, .today = store_today()};
	uint8_t tmp[LEDGER_ENTRY_MAX];
	size_t len;
	if (n == 0)
		return LEDGER_BAD_INPUT;
	/* Refuse a bad event here, not in the writer (index 0 stands for any). */
	for (size_t k = 0; k < n; k++)
		if (ledger_entry_encode(&ev[k], 0, ev[k].day != 0 ? ev[k].day : b.today, tmp,
		                        &len) != LEDGER_OK)
			return LEDGER_BAD_INPUT;
	return ledger_from_store(store_ledger_append(s, n, NULL, encode_one, &b, first));
}

/*
 * Coalescing (one process): concurrent ledger_append callers of one store
 * queue here. The first to find no append job pending becomes a leader: it
 * hands ONE job to the backend's writer and sleeps. When the writer starts
 * that job (take_queued, inside the write transaction), the job takes every
 * event queued by then and appends them as one batch: one transaction, one
 * fsync. From that moment the next caller to arrive leads the next job, which
 * waits in the writer's queue while this one commits, so the writer goes
 * from one batch to the next without waiting for any thread to wake up
 * (pipelining), and a batch is as large as the queue at the last moment.
 * Once its job is durable the leader wakes each of its callers with its own
 * index, each on its own semaphore (no shared lock to fight for). The backend
 * still reads the head inside its write transaction, so appenders of other
 * processes keep the one order. A caller is woken only once its entry is
 * durable.
 *
 * Invariant (under queues_mu): the queue is not empty => pending, and the
 * only job that will take it is the pending one; so a leader's own event is
 * always in its own job.
 */
#define COALESCE_MAX 4096 /* events in one coalesced append */
#define QUEUES_MAX 16     /* stores coalesced at once; past that, appends go alone */

enum waiter_state { W_QUEUED, W_LEAD, W_DONE };

struct waiter {
	const struct ledger_event *ev;
	uint64_t index;
	enum ledger_result rc;
	enum waiter_state state; /* set before the sem_post that tells it */
	sem_t sem;
	struct waiter *next;
};

struct queue {
	struct store *s; /* NULL: free slot */
	struct waiter *head, *tail;
	bool pending; /* a job that has not yet taken the queue is on its way */
	size_t users;
};

static pthread_mutex_t queues_mu = PTHREAD_MUTEX_INITIALIZER;
static struct queue queues[QUEUES_MAX];

/* The store's queue (held: users++), or NULL when every slot is taken. */
static struct queue *queue_get(struct store *s)
{
	struct queue *q = NULL, *free_slot = NULL;
	for (size_t i = 0; i < QUEUES_MAX; i++) {
		if (queues[i].s == s)
			q = &queues[i];
		else if (queues[i].s == NULL && free_slot == NULL)
			free_slot = &queues[i];
	}
	if (q == NULL && free_slot != NULL) {
		q = free_slot;
		q->s = s;
	}
	if (q != NULL)
		q->users++;
	return q;
}

/* Lets go of q (under queues_mu); the slot is free again once nobody uses it. */
static void queue_put(struct queue *q)
{
	if (--q->users == 0 && q->head == NULL && !q->pending)
		q->s = NULL;
}

/* Detaches up to max queued waiters (under queues_mu); *n set. */
static struct waiter *queue_take(struct queue *q, size_t max, size_t *n)
{
	struct waiter *list = q->head, *last = list;
	*n = 0;
	if (list == NULL)
		return NULL;
	*n = 1;
	while (last->next != NULL && *n < max) {
		last = last->next;
		(*n)++;
	}
	q->head = last->next;
	if (q->head == NULL)
		q->tail = NULL;
	last->next = NULL;
	return list;
}

struct job {
	struct queue *q;
	struct waiter *list; /* what the job took */
	size_t n;
	bool ran; /* take_queued was called */
	int32_t today;
	const struct ledger_event *ev[COALESCE_MAX];
};

/* store_ledger_take_fn, on the writer: takes the queue; the next caller leads the next job. */
static size_t take_queued(void *ctx)
{
	struct job *j = ctx;
	struct waiter *next_leader = NULL;
	pthread_mutex_lock(&queues_mu);
	j->ran = true;
	j->list = queue_take(j->q, COALESCE_MAX, &j->n);
	j->q->pending = j->q->head != NULL;
	if (j->q->pending) { /* more than COALESCE_MAX: the first left leads */
		next_leader = j->q->head;
		next_leader->state = W_LEAD;
	}
	pthread_mutex_unlock(&queues_mu);
	if (next_leader != NULL)
		sem_post(&next_leader->sem);
	size_t k = 0;
	for (struct waiter *w = j->list; w != NULL; w = w->next)
		j->ev[k++] = w->ev;
	return j->n;
}

static size_t encode_job(void *ctx, size_t k, uint64_t index,
                         uint8_t out[static STORE_LEDGER_ENTRY_MAX])
{
	const struct job *j = ctx;
	const struct ledger_event *ev = j->ev[k];
	size_t len;
	if (ledger_entry_encode(ev, index, ev->day != 0 ? ev->day : j->today, out, &len) !=
	    LEDGER_OK)
		return 0;
	return len;
}

/* The leader's work: one job through the writer, then wakes the callers it took (me too). */
static void lead(struct store *s, struct queue *q, struct waiter *me)
{
	struct job *j = malloc(sizeof *j);
	enum store_result r = STORE_NOMEM;
	uint64_t first = 0;
	if (j != NULL) {
		j->q = q;
		j->list = NULL;
		j->n = 0;
		j->ran = false;
		j->today = store_today();
		r = store_ledger_append(s, 0, take_queued, encode_job, j, &first);
	}
	struct waiter *list = NULL;
	size_t n = 0;
	if (j != NULL && j->ran) {
		list = j->list;
		n = j->n;
	} else {
		/* the job never ran (no memory, store closing): fail what it was for */
		pthread_mutex_lock(&queues_mu);
		list = queue_take(q, SIZE_MAX, &n);
		q->pending = false;
		pthread_mutex_unlock(&queues_mu);
		if (r == STORE_OK)
			r = STORE_IO;
	}
	int32_t today = j != NULL ? j->today : store_today();
	free(j);
	size_t k = 0;
	for (struct waiter *w = list; w != NULL; w = w->next, k++) {
		if (r == STORE_OK) {
			w->rc = LEDGER_OK;
			w->index = first + k;
		} else if (n > 1 && r != STORE_IO) {
			/* one bad entry must not refuse the others: each alone */
			struct batch b = {.ev = w->ev, .today = today};
			w->rc = ledger_from_store(
			        store_ledger_append(s, 1, NULL, encode_one, &b, &w->index));
		} else {
			w->rc = ledger_from_store(r);
		}
	}
	for (struct waiter *w = list, *nx; w != NULL; w = nx) {
		nx = w->next; /* w may be gone once told */
		w->state = W_DONE;
		if (w != me)
			sem_post(&w->sem);
	}
}

enum ledger_result ledger_append(struct store *s, const struct ledger_event *ev, uint64_t *index)
{
	uint8_t tmp[LEDGER_ENTRY_MAX];
	size_t len;
	if (ledger_entry_encode(ev, 0, ev->day != 0 ? ev->day : store_today(), tmp, &len) !=
	    LEDGER_OK)
		return LEDGER_BAD_INPUT;
	/*
	 * Inside a write transaction (store_write), the entry is appended in it,
	 * at once: it commits with the action, and the queue's leader would wait
	 * for the writer this thread is.
	 */
	if (store_in_write(s))
		return ledger_append_batch(s, ev, 1, index);
	struct waiter me = {.ev = ev, .rc = LEDGER_FAILED, .state = W_QUEUED};
	if (sem_init(&me.sem, 0, 0) != 0)
		return LEDGER_FAILED;
	pthread_mutex_lock(&queues_mu);
	struct queue *q = queue_get(s);
	if (q == NULL) {
		pthread_mutex_unlock(&queues_mu);
		sem_destroy(&me.sem);
		return ledger_append_batch(s, ev, 1, index);
	}
	if (q->tail != NULL)
		q->tail->next = &me;
	else
		q->head = &me;
	q->tail = &me;
	bool leader = !q->pending;
	q->pending = true;
	pthread_mutex_unlock(&queues_mu);
	for (;;) {
		if (leader)
			lead(s, q, &me);
		if (me.state == W_DONE)
			break;
		while (sem_wait(&me.sem) != 0)
			; /* EINTR */
		leader = me.state == W_LEAD;
		if (leader)
			me.state = W_QUEUED;
	}
	pthread_mutex_lock(&queues_mu);
	queue_put(q);
	pthread_mutex_unlock(&queues_mu);
	sem_destroy(&me.sem);
	if (me.rc == LEDGER_OK)
		*index = me.index;
	return me.rc;
}

enum ledger_result ledger_record(struct store *s, enum ledger_action action, const char *actor,
                                 const char *object, const char *marking, const char *detail)
{
	struct ledger_event ev = {.action = action,
	                          .actor = actor,
	                          .object = object,
	                          .marking = marking,
	                          .detail = detail};
	uint64_t index;
	return ledger_append(s, &ev, &index);
}

enum store_result ledger_record_in(struct store *s, enum ledger_action action, const char *actor,
                                   const char *object, const char *marking, const char *detail)
{
	if (!store_in_write(s))
		return STORE_CORRUPT; /* a misuse: the entry would not commit with the action */
	struct ledger_event ev = {.action = action,
	                          .actor = actor,
	                          .object = object,
	                          .marking = marking,
	                          .detail = detail};
	uint64_t index;
	switch (ledger_append_batch(s, &ev, 1, &index)) {
	case LEDGER_OK:
		return STORE_OK;
	case LEDGER_BUSY:
		return STORE_BUSY;
	case LEDGER_BAD_INPUT:
		return STORE_REFUSED;
	case LEDGER_TAMPERED:
		return STORE_CORRUPT;
	default:
		return STORE_IO;
	}
}
