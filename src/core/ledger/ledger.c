/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger: the log over the store (core/ledger/ledger.h). The texts are in
 * ledger_format.c; the rows in the backend's store_<backend>_ledger.c.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/store/store_ledger.h"
#include "lib/buf.h"
#include "lib/merkle.h"
#include "lib/merkle_cache.h"

#include "lib/banned.h"

static enum ledger_result from_store(enum store_result r)
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

static const struct store_ledger_ops *ops(struct store *s)
{
	return s->be->ledger;
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
	if (n == 0 || ops(s) == NULL)
		return LEDGER_BAD_INPUT;
	/* Refuse a bad event here, not in the writer (index 0 stands for any). */
	for (size_t k = 0; k < n; k++)
		if (ledger_entry_encode(&ev[k], 0, ev[k].day != 0 ? ev[k].day : b.today, tmp,
		                        &len) != LEDGER_OK)
			return LEDGER_BAD_INPUT;
	return from_store(ops(s)->append(s, n, NULL, encode_one, &b, first));
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
		r = ops(s)->append(s, 0, take_queued, encode_job, j, &first);
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
			w->rc = from_store(ops(s)->append(s, 1, NULL, encode_one, &b, &w->index));
		} else {
			w->rc = from_store(r);
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
	if (ops(s) == NULL || ledger_entry_encode(ev, 0, ev->day != 0 ? ev->day : store_today(),
	                                          tmp, &len) != LEDGER_OK)
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

/* ---- reads ---- */

static enum store_result size_view(void *ctx, const struct store_ledger_view *v)
{
	*(uint64_t *)ctx = v->size;
	return STORE_OK;
}

enum ledger_result ledger_size(struct store *s, uint64_t *size)
{
	*size = 0;
	return from_store(ops(s)->view(s, size_view, size));
}

struct entries_ctx {
	uint64_t next;
	int (*fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len);
	void *ctx;
	uint64_t from, to;
	bool stopped;
};

static enum store_result entries_row(void *ctx, const struct store_ledger_row *r)
{
	struct entries_ctx *e = ctx;
	if (r->index != e->next)
		return STORE_CORRUPT; /* a gap: ledger_verify says where */
	e->next++;
	if (e->fn(e->ctx, r->index, r->entry, r->entry_len) != 0) {
		e->stopped = true;
		return STORE_STOP;
	}
	return STORE_OK;
}

static enum store_result entries_view(void *ctx, const struct store_ledger_view *v)
{
	struct entries_ctx *e = ctx;
	if (e->from >= v->size || e->to > v->size || e->from >= e->to)
		return STORE_NOT_FOUND;
	return v->scan(v, e->from, e->to, entries_row, e);
}

enum ledger_result
ledger_entries(struct store *s, uint64_t from, uint64_t to,
               int (*fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len), void *ctx)
{
	struct entries_ctx e = {.next = from, .fn = fn, .ctx = ctx, .from = from, .to = to};
	enum store_result r = ops(s)->view(s, entries_view, &e);
	if (r == STORE_STOP)
		return LEDGER_OK;
	if (r == STORE_NOT_FOUND)
		return LEDGER_RANGE;
	if (r == STORE_OK && !e.stopped && e.next != to)
		return LEDGER_TAMPERED; /* rows missing */
	return from_store(r);
}

struct one_entry {
	uint8_t *out;
	size_t len;
};

static int copy_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct one_entry *o = ctx;
	(void)index;
	if (len > LEDGER_ENTRY_MAX)
		return 1;
	if (len > 0)
		memcpy(o->out, entry, len);
	o->len = len;
	return 0;
}

enum ledger_result ledger_entry(struct store *s, uint64_t index,
                                uint8_t out[static LEDGER_ENTRY_MAX], size_t *len)
{
	struct one_entry o = {.out = out, .len = SIZE_MAX};
	*len = 0;
	if (index == UINT64_MAX)
		return LEDGER_RANGE;
	enum ledger_result r = ledger_entries(s, index, index + 1, copy_entry, &o);
	if (r == LEDGER_OK && o.len == SIZE_MAX)
		return LEDGER_TAMPERED;
	if (r == LEDGER_OK)
		*len = o.len;
	return r;
}

/* ---- roots and proofs ---- */

struct prove {
	int kind; /* 0 root, 1 inclusion, 2 consistency */
	uint64_t a, b;
	uint8_t (*proof)[MERKLE_HASH_LEN];
	size_t *n;
	uint8_t *root_a, *root_b;
	enum merkle_result mr;
	struct merkle_cache *nodes;
	uint8_t *entry; /* inclusion: also the entry, from the same snapshot */
	size_t entry_len;
};

/*
 * Proofs and roots read their nodes through the store's node cache: a node of
 * a perfect subtree never changes, and the upper levels are on every path.
 * Levels below NODES_MIN_LEVEL are always read from the store (there are too
 * many of them to keep); NODES_SLOTS slots take about 3 MiB, made at the
 * first proof. Verification and checkpoint signing never use the cache.
 */
#define NODES_MIN_LEVEL 8
#define NODES_SLOTS (UINT64_C(1) << 17)

/*
 * An inclusion proof's lowest levels are the siblings next to its leaf, all
 * stored in the rows of the leaf's aligned block of WIN rows. One scan of that
 * block serves them (and the entry) instead of one lookup each.
 */
#define WIN 16       /* rows */
#define WIN_LEVELS 4 /* levels 0..3: the subtrees inside a block of 16 */

struct cached {
	merkle_get_fn get;
	void *ctx;
	struct merkle_cache *nodes;
	uint64_t win_lo;    /* the block's first row */
	uint8_t win_n[WIN]; /* levels held per row (0: row not read) */
	uint8_t win[WIN][WIN_LEVELS][MERKLE_HASH_LEN];
};

static int cached_get(void *ctx, unsigned level, uint64_t index, uint8_t out[static 32])
{
	struct cached *g = ctx;
	if (level < WIN_LEVELS) {
		uint64_t row = ((index + 1) << level) - 1; /* node (level, index) lives there */
		if (row >= g->win_lo && row - g->win_lo < WIN &&
		    g->win_n[row - g->win_lo] > level) {
			memcpy(out, g->win[row - g->win_lo][level], MERKLE_HASH_LEN);
			return 0;
		}
	}
	if (merkle_cache_get(g->nodes, level, index, out) == 0)
		return 0;
	if (g->get(g->ctx, level, index, out) != 0)
		return -1;
	merkle_cache_put(g->nodes, level, index, out);
	return 0;
}

/* The store's node cache, made once (NULL if memory is short: then no cache). */
static struct merkle_cache *nodes_of(struct store *s)
{
	struct merkle_cache *c = __atomic_load_n(&s->ledger_nodes, __ATOMIC_ACQUIRE);
	if (c != NULL)
		return c;
	struct merkle_cache *fresh = merkle_cache_new(NODES_MIN_LEVEL, NODES_SLOTS);
	if (fresh == NULL)
		return NULL;
	if (__atomic_compare_exchange_n(&s->ledger_nodes, &c, fresh, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		return fresh;
	merkle_cache_free(fresh); /* another thread made it first: c is theirs */
	return c;
}

struct window {
	struct prove *p;
	struct cached *g;
};

/* A row of the leaf's block: its lowest hashes, and the entry if it is the leaf's. */
static enum store_result window_row(void *ctx, const struct store_ledger_row *r)
{
	struct window *w = ctx;
	struct cached *g = w->g;
	if (r->index < g->win_lo || r->index - g->win_lo >= WIN)
		return STORE_CORRUPT;
	size_t k = (size_t)(r->index - g->win_lo);
	if (r->hashes != NULL && r->hashes_len % MERKLE_HASH_LEN == 0) {
		size_t n = r->hashes_len / MERKLE_HASH_LEN;
		if (n > WIN_LEVELS)
			n = WIN_LEVELS;
		memcpy(g->win[k], r->hashes, n * MERKLE_HASH_LEN);
		g->win_n[k] = (uint8_t)n;
	}
	struct prove *p = w->p;
	if (p->entry != NULL && r->index == p->a) {
		if (r->entry == NULL || r->entry_len > LEDGER_ENTRY_MAX)
			return STORE_CORRUPT;
		memcpy(p->entry, r->entry, r->entry_len);
		p->entry_len = r->entry_len;
	}
	return STORE_OK;
}

static enum store_result prove_view(void *ctx, const struct store_ledger_view *v)
{
	struct prove *p = ctx;
	uint64_t size = p->kind == 0 ? p->a : p->b;
	if (size > v->size)
		return STORE_NOT_FOUND;
	struct cached g = {.get = v->get, .ctx = v->get_ctx, .nodes = p->nodes};
	switch (p->kind) {
	case 0:
		p->mr = merkle_root_at(p->a, cached_get, &g, p->root_a);
		break;
	case 1:
		if (p->a < p->b) {
			/* rows past the tree of size b are not read: their nodes are not its */
			struct window w = {.p = p, .g = &g};
			g.win_lo = p->a & ~(uint64_t)(WIN - 1);
			uint64_t hi = p->b - g.win_lo < WIN ? p->b : g.win_lo + WIN;
			p->entry_len = SIZE_MAX;
			enum store_result r = v->scan(v, g.win_lo, hi, window_row, &w);
			if (r == STORE_OK && p->entry != NULL && p->entry_len == SIZE_MAX)
				r = STORE_CORRUPT; /* the row is missing */
			if (r != STORE_OK)
				return r;
		}
		p->mr = merkle_inclusion_proof(p->a, p->b, cached_get, &g, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, cached_get, &g, p->root_b);
		break;
	default:
		p->mr = merkle_consistency_proof(p->a, p->b, cached_get, &g, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->a, cached_get, &g, p->root_a);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, cached_get, &g, p->root_b);
	}
	return STORE_OK;
}

static enum ledger_result prove(struct store *s, struct prove *p)
{
	p->nodes = nodes_of(s);
	enum store_result r = ops(s)->view(s, prove_view, p);
	if (r == STORE_NOT_FOUND)
		return LEDGER_RANGE;
	if (r != STORE_OK)
		return from_store(r);
	switch (p->mr) {
	case MERKLE_OK:
		return LEDGER_OK;
	case MERKLE_RANGE:
		return LEDGER_RANGE;
	case MERKLE_SOURCE:
		return LEDGER_TAMPERED; /* a stored node is missing or damaged */
	default:
		return LEDGER_FAILED;
	}
}

enum ledger_result ledger_root(struct store *s, uint64_t size, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 0, .a = size, .root_a = root};
	return prove(s, &p);
}

enum ledger_result ledger_prove_inclusion(struct store *s, uint64_t index, uint64_t size,
                                          uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                          size_t *n, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 1, .a = index, .b = size, .proof = proof, .n = n, .root_b = root};
	*n = 0;
	return prove(s, &p);
}

enum ledger_result ledger_prove_entry(struct store *s, uint64_t index, uint64_t size,
                                      uint8_t entry[static LEDGER_ENTRY_MAX], size_t *len,
                                      uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                      size_t *n, uint8_t root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 1,
	                  .a = index,
	                  .b = size,
	                  .proof = proof,
	                  .n = n,
	                  .root_b = root,
	                  .entry = entry};
	*n = 0;
	*len = 0;
	if (index >= size)
		return LEDGER_RANGE;
	enum ledger_result r = prove(s, &p);
	if (r == LEDGER_OK)
		*len = p.entry_len;
	return r;
}

enum ledger_result ledger_prove_consistency(struct store *s, uint64_t old_size, uint64_t new_size,
                                            uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
                                            size_t *n, uint8_t old_root[static MERKLE_HASH_LEN],
                                            uint8_t new_root[static MERKLE_HASH_LEN])
{
	struct prove p = {.kind = 2,
	                  .a = old_size,
	                  .b = new_size,
	                  .proof = proof,
	                  .n = n,
	                  .root_a = old_root,
	                  .root_b = new_root};
	*n = 0;
	return prove(s, &p);
}

/* ---- recomputation: shared by verify and checkpoint signing ---- */

struct recompute {
	struct merkle_tree_state t;
	uint64_t next;      /* the index expected next */
	const uint8_t *row; /* the stored hashes of the row being checked */
	size_t row_len;
	bool parse; /* also parse every entry strictly */
	/* stop points: the checkpoints (sizes ascending), checked as the tree passes them */
	struct cp_item *cps;
	size_t ncps, cp_next;
	struct ledger_verify_report *rep;
	const uint8_t *pk;
	bool failed;
};

struct cp_item {
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	uint8_t *note;
	size_t note_len;
};

static __attribute__((format(printf, 2, 3))) void report(struct recompute *rc, const char *fmt, ...)
{
	va_list ap;
	rc->failed = true;
	if (rc->rep == NULL || rc->rep->msg[0] != '\0')
		return;
	va_start(ap, fmt);
	int n = vsnprintf(rc->rep->msg, sizeof rc->rep->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		rc->rep->msg[0] = '?';
}

static void bad_entry(struct recompute *rc, uint64_t index)
{
	if (rc->rep && !rc->rep->bad_entry) {
		rc->rep->bad_entry = true;
		rc->rep->bad_index = index;
	}
}

static void bad_cp(struct recompute *rc, uint64_t size)
{
	if (rc->rep && !rc->rep->bad_checkpoint) {
		rc->rep->bad_checkpoint = true;
		rc->rep->bad_cp_size = size;
	}
}

/* merkle_put_fn: compares a recomputed node with the row's stored one. */
static int check_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[static 32])
{
	struct recompute *rc = ctx;
	(void)index;
	size_t off = (size_t)level * MERKLE_HASH_LEN;
	if (off + MERKLE_HASH_LEN > rc->row_len ||
	    memcmp(rc->row + off, hash, MERKLE_HASH_LEN) != 0)
		return -1;
	return 0;
}

/* Checks the checkpoints the tree has just reached. */
static void check_cps(struct recompute *rc)
{
	uint64_t size = merkle_tree_size(&rc->t);
	while (rc->cp_next < rc->ncps && rc->cps[rc->cp_next].size <= size) {
		struct cp_item *cp = &rc->cps[rc->cp_next++];
		if (cp->size < size)
			continue; /* an earlier size (only when starting past it) */
		uint8_t root[MERKLE_HASH_LEN];
		merkle_root(&rc->t, root);
		if (memcmp(root, cp->root, MERKLE_HASH_LEN) != 0) {
			bad_cp(rc, cp->size);
			report(rc,
			       "checkpoint at size %llu: the entries before it give another root"
			       " (an entry before %llu was changed, or the checkpoint replaced)",
			       (unsigned long long)cp->size, (unsigned long long)cp->size);
			continue;
		}
		struct ledger_checkpoint parsed;
		enum ledger_result r =
		        rc->pk ? ledger_checkpoint_open(cp->note, cp->note_len, NULL, rc->pk,
		                                        &parsed)
		               : ledger_checkpoint_parse(cp->note, cp->note_len, &parsed);
		if (r != LEDGER_OK || parsed.size != cp->size ||
		    memcmp(parsed.root, cp->root, MERKLE_HASH_LEN) != 0) {
			bad_cp(rc, cp->size);
			report(rc, "checkpoint at size %llu: %s", (unsigned long long)cp->size,
			       r == LEDGER_TAMPERED ? "bad signature"
			       : r != LEDGER_OK     ? "malformed note"
			                            : "the note does not say what its row says");
			continue;
		}
		if (rc->rep)
			rc->rep->checkpoints++;
	}
}

/* Checks row r (its leaf hash already computed) as the next entry of the tree. */
static enum store_result recompute_one(struct recompute *rc, const struct store_ledger_row *r,
                                       const uint8_t leaf[static MERKLE_HASH_LEN])
{
	uint64_t i = rc->next;
	if (r->index != i) {
		bad_entry(rc, i);
		report(rc, "entry %llu is missing (the next stored is %llu)", (unsigned long long)i,
		       (unsigned long long)r->index);
		return STORE_STOP;
	}
	if (rc->parse) {
		struct ledger_entry e;
		if (ledger_entry_parse(r->entry, r->entry_len, &e) != LEDGER_OK) {
			bad_entry(rc, i);
			report(rc, "entry %llu is malformed", (unsigned long long)i);
			return STORE_STOP;
		}
		if (e.index != i) {
			bad_entry(rc, i);
			report(rc, "entry %llu says it is entry %llu (moved)",
			       (unsigned long long)i, (unsigned long long)e.index);
			return STORE_STOP;
		}
	}
	unsigned t = (unsigned)__builtin_ctzll(~i); /* trailing ones of i */
	rc->row = r->hashes;
	rc->row_len = r->hashes_len;
	if (r->hashes_len != ((size_t)t + 1) * MERKLE_HASH_LEN ||
	    merkle_append(&rc->t, leaf, check_put, rc) != MERKLE_OK) {
		bad_entry(rc, i);
		report(rc, "entry %llu does not match its stored hashes (changed)",
		       (unsigned long long)i);
		return STORE_STOP;
	}
	rc->next++;
	if (rc->cp_next < rc->ncps && rc->cps[rc->cp_next].size == rc->next)
		check_cps(rc);
	return STORE_OK;
}

static enum store_result recompute_row(void *ctx, const struct store_ledger_row *r)
{
	uint8_t leaf[MERKLE_HASH_LEN];
	merkle_leaf_hash(r->entry, r->entry_len, leaf);
	return recompute_one(ctx, r, leaf);
}

/*
 * The same over two threads: the scanning thread (the store's, in the view)
 * copies each row into a chunk and hashes its entry (the leaf hash needs no
 * order); a checker thread takes the chunks in order and does the rest
 * (strict parse, the tree, the stored hashes, the checkpoints) exactly as
 * recompute_row, so the report is the same. Small ranges, or no thread: one
 * thread.
 */
#define PIPE_ROWS 1024          /* rows per chunk */
#define PIPE_BYTES (512 * 1024) /* bytes of entries and hashes per chunk */
#define PIPE_CHUNKS 4           /* chunks in flight */
#define PIPE_MIN 8192           /* fewer rows than this: one thread */
#define PIPE_HASHES_MAX ((size_t)MERKLE_LEVELS * MERKLE_HASH_LEN)

struct pipe_row {
	uint64_t index;
	size_t entry_off, entry_len, hashes_off, hashes_len;
	bool hashes_copied; /* else longer than any row may be: hashes_len is all we keep */
	uint8_t leaf[MERKLE_HASH_LEN];
};

struct pipe_chunk {
	size_t n, used;
	bool last; /* the scan has ended: nothing after this one */
	struct pipe_row rows[PIPE_ROWS];
	uint8_t bytes[PIPE_BYTES];
};

struct pipe {
	struct recompute *rc;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pipe_chunk *chunks[PIPE_CHUNKS];
	size_t filled;          /* chunks handed to the checker so far */
	size_t checked;         /* chunks the checker is done with */
	atomic_bool stop;       /* the checker found a bad entry */
	struct pipe_chunk *cur; /* being filled by the scanner */
};

static void *pipe_checker(void *arg)
{
	struct pipe *p = arg;
	for (size_t k = 0;; k++) {
		pthread_mutex_lock(&p->mu);
		while (p->filled <= k)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		struct pipe_chunk *c = p->chunks[k % PIPE_CHUNKS];
		bool last = c->last;
		for (size_t i = 0;
		     i < c->n && !atomic_load_explicit(&p->stop, memory_order_relaxed); i++) {
			const struct pipe_row *pr = &c->rows[i];
			struct store_ledger_row r = {
			        .index = pr->index,
			        .entry = pr->entry_len > 0 ? c->bytes + pr->entry_off : NULL,
			        .entry_len = pr->entry_len,
			        .hashes = pr->hashes_copied && pr->hashes_len > 0
			                          ? c->bytes + pr->hashes_off
			                          : NULL,
			        .hashes_len = pr->hashes_len,
			};
			if (recompute_one(p->rc, &r, pr->leaf) != STORE_OK)
				atomic_store(&p->stop, true);
		}
		pthread_mutex_lock(&p->mu);
		p->checked = k + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (last)
			return NULL;
	}
}

/* Hands the current chunk to the checker and takes the next free one. */
static void pipe_publish(struct pipe *p, bool last)
{
	p->cur->last = last;
	pthread_mutex_lock(&p->mu);
	p->filled++;
	pthread_cond_broadcast(&p->cv);
	if (!last) {
		while (p->filled - p->checked >= PIPE_CHUNKS)
			pthread_cond_wait(&p->cv, &p->mu);
		p->cur = p->chunks[p->filled % PIPE_CHUNKS];
		p->cur->n = 0;
		p->cur->used = 0;
	}
	pthread_mutex_unlock(&p->mu);
}

static enum store_result pipe_row_fn(void *ctx, const struct store_ledger_row *r)
{
	struct pipe *p = ctx;
	if (atomic_load_explicit(&p->stop, memory_order_relaxed))
		return STORE_STOP;
	/* an entry longer than any may be is cut to LEDGER_ENTRY_MAX + 1: still refused */
	size_t elen = r->entry_len > LEDGER_ENTRY_MAX ? LEDGER_ENTRY_MAX + 1 : r->entry_len;
	bool hcopy = r->hashes_len <= PIPE_HASHES_MAX;
	size_t hlen = hcopy ? r->hashes_len : 0;
	struct pipe_chunk *c = p->cur;
	if (c->n == PIPE_ROWS || PIPE_BYTES - c->used < elen + hlen) {
		pipe_publish(p, false);
		c = p->cur;
	}
	struct pipe_row *pr = &c->rows[c->n++];
	pr->index = r->index;
	pr->entry_off = c->used;
	pr->entry_len = elen;
	if (elen > 0)
		memcpy(c->bytes + c->used, r->entry, elen);
	c->used += elen;
	pr->hashes_off = c->used;
	pr->hashes_len = r->hashes_len;
	pr->hashes_copied = hcopy;
	if (hlen > 0)
		memcpy(c->bytes + c->used, r->hashes, hlen);
	c->used += hlen;
	merkle_leaf_hash(r->entry, r->entry_len, pr->leaf);
	return STORE_OK;
}

/* v->scan(from, to, recompute_row, rc), over two threads when it is worth it. */
static enum store_result recompute_scan(const struct store_ledger_view *v, uint64_t from,
                                        uint64_t to, struct recompute *rc)
{
	uint64_t end = to < v->size ? to : v->size;
	if (end < from || end - from < PIPE_MIN)
		return v->scan(v, from, to, recompute_row, rc);
	struct pipe p = {.rc = rc};
	size_t k;
	for (k = 0; k < PIPE_CHUNKS; k++)
		if ((p.chunks[k] = malloc(sizeof *p.chunks[k])) == NULL)
			break;
	pthread_t th;
	bool ok = k == PIPE_CHUNKS && pthread_mutex_init(&p.mu, NULL) == 0;
	if (ok && pthread_cond_init(&p.cv, NULL) != 0) {
		pthread_mutex_destroy(&p.mu);
		ok = false;
	}
	if (ok && pthread_create(&th, NULL, pipe_checker, &p) != 0) {
		pthread_cond_destroy(&p.cv);
		pthread_mutex_destroy(&p.mu);
		ok = false;
	}
	if (!ok) {
		while (k > 0)
			free(p.chunks[--k]);
		return v->scan(v, from, to, recompute_row, rc);
	}
	atomic_init(&p.stop, false);
	p.cur = p.chunks[0];
	p.cur->n = 0;
	p.cur->used = 0;
	enum store_result r = v->scan(v, from, to, pipe_row_fn, &p);
	pipe_publish(&p, true);
	pthread_join(th, NULL);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	for (k = 0; k < PIPE_CHUNKS; k++)
		free(p.chunks[k]);
	if (r == STORE_OK && atomic_load(&p.stop))
		r = STORE_STOP;
	return r;
}

static void cps_free(struct recompute *rc)
{
	for (size_t i = 0; i < rc->ncps; i++)
		free(rc->cps[i].note);
	free(rc->cps);
	rc->cps = NULL;
	rc->ncps = 0;
}

static enum store_result collect_cp(void *ctx, const struct store_ledger_checkpoint *cp)
{
	struct recompute *rc = ctx;
	if (rc->ncps % 64 == 0) {
		if (rc->ncps > SIZE_MAX / sizeof(*rc->cps) - 64)
			return STORE_NOMEM;
		struct cp_item *n = realloc(rc->cps, (rc->ncps + 64) * sizeof(*rc->cps));
		if (n == NULL)
			return STORE_NOMEM;
		rc->cps = n;
	}
	struct cp_item *it = &rc->cps[rc->ncps];
	it->size = cp->size;
	memcpy(it->root, cp->root, MERKLE_HASH_LEN);
	it->note_len = cp->note_len;
	it->note = malloc(cp->note_len + 1);
	if (it->note == NULL)
		return STORE_NOMEM;
	if (cp->note_len > 0)
		memcpy(it->note, cp->note, cp->note_len);
	rc->ncps++;
	return STORE_OK;
}

/* ---- verify ---- */

static enum store_result verify_view(void *ctx, const struct store_ledger_view *v)
{
	struct recompute *rc = ctx;
	enum store_result r = v->checkpoints(v, collect_cp, rc);
	if (r != STORE_OK)
		return r;
	rc->rep->size = v->size;
	if (rc->ncps > 0 && rc->cps[0].size == 0)
		check_cps(rc); /* a checkpoint of the empty log */
	r = recompute_scan(v, 0, UINT64_MAX, rc);
	if (r != STORE_OK && r != STORE_STOP)
		return r;
	if (rc->failed)
		return STORE_OK;
	if (rc->next < v->size) {
		bad_entry(rc, rc->next);
		report(rc,
		       "the log ends at %llu entries but its head says %llu: entries from %llu"
		       " are missing (truncated)",
		       (unsigned long long)rc->next, (unsigned long long)v->size,
		       (unsigned long long)rc->next);
	} else if (rc->next > v->size) {
		bad_entry(rc, v->size);
		report(rc, "entries past the head's size %llu (added behind the ledger's back)",
		       (unsigned long long)v->size);
	} else {
		/* the head's frontier */
		size_t k = 0;
		for (unsigned level = 0; level < MERKLE_LEVELS; level++) {
			uint8_t h[MERKLE_HASH_LEN];
			if (merkle_tree_node(&rc->t, level, h) != 0)
				continue;
			if ((k + 1) * MERKLE_HASH_LEN > v->frontier_len ||
			    memcmp(v->frontier + k * MERKLE_HASH_LEN, h, MERKLE_HASH_LEN) != 0) {
				report(rc,
				       "the head (size and frontier) does not match the entries");
				break;
			}
			k++;
		}
	}
	/* checkpoints past the end */
	for (; rc->cp_next < rc->ncps; rc->cp_next++) {
		struct cp_item *cp = &rc->cps[rc->cp_next];
		if (cp->size <= rc->next)
			continue;
		bad_cp(rc, cp->size);
		bad_entry(rc, rc->next);
		report(rc,
		       "checkpoint at size %llu but the log holds %llu entries: entries from %llu"
		       " are missing (truncated)",
		       (unsigned long long)cp->size, (unsigned long long)rc->next,
		       (unsigned long long)rc->next);
	}
	return STORE_OK;
}

enum ledger_result ledger_verify(struct store *s, const uint8_t *pk,
                                 struct ledger_verify_report *rep)
{
	struct recompute rc = {.parse = true, .rep = rep, .pk = pk};
	memset(rep, 0, sizeof *rep);
	merkle_tree_init(&rc.t);
	enum store_result r = ops(s)->view(s, verify_view, &rc);
	cps_free(&rc);
	if (r != STORE_OK)
		return from_store(r);
	return rc.failed ? LEDGER_TAMPERED : LEDGER_OK;
}

/* ---- checkpoints ---- */

struct sign_ctx {
	const char *origin;
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	struct recompute rc;
	uint8_t *existing; /* the note of the latest checkpoint */
	size_t existing_len;
	uint64_t last_size;
	uint8_t last_root[MERKLE_HASH_LEN];
	bool have_last;
	char *msg;
};

static enum store_result latest_cp(void *ctx, const struct store_ledger_checkpoint *cp)
{
	struct sign_ctx *sc = ctx;
	free(sc->existing);
	sc->existing = malloc(cp->note_len + 1);
	if (sc->existing == NULL)
		return STORE_NOMEM;
	memcpy(sc->existing, cp->note, cp->note_len);
	sc->existing_len = cp->note_len;
	sc->last_size = cp->size;
	memcpy(sc->last_root, cp->root, MERKLE_HASH_LEN);
	sc->have_last = true;
	return STORE_OK;
}

static __attribute__((format(printf, 2, 3))) void set_msg(char *msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, LEDGER_MSG_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
}

/*
 * In one snapshot: the latest checkpoint; the frontier at its size from the
 * stored nodes, which must give its root; the entries since then, recomputed
 * (parsed, checked against their stored hashes) on top of it; their root is
 * the one to sign.
 */
static enum store_result sign_view(void *ctx, const struct store_ledger_view *v)
{
	struct sign_ctx *sc = ctx;
	enum store_result r = v->checkpoints(v, latest_cp, sc);
	if (r != STORE_OK)
		return r;
	sc->size = v->size;
	uint64_t from = 0;
	merkle_tree_init(&sc->rc.t);
	if (sc->have_last) {
		struct ledger_checkpoint cp;
		uint8_t root[MERKLE_HASH_LEN];
		if (ledger_checkpoint_parse(sc->existing, sc->existing_len, &cp) != LEDGER_OK ||
		    cp.size != sc->last_size || memcmp(cp.root, sc->last_root, 32) != 0) {
			set_msg(sc->msg, "the latest checkpoint (size %llu) is damaged",
			        (unsigned long long)sc->last_size);
			return STORE_CORRUPT;
		}
		if (strcmp(cp.origin, sc->origin) != 0) {
			set_msg(sc->msg, "the latest checkpoint has origin '%s', not '%s'",
			        cp.origin, sc->origin);
			return STORE_CORRUPT;
		}
		if (sc->last_size > v->size) {
			set_msg(sc->msg,
			        "the latest checkpoint is at size %llu but the log holds %llu "
			        "entries",
			        (unsigned long long)sc->last_size, (unsigned long long)v->size);
			return STORE_CORRUPT;
		}
		if (merkle_tree_restore(&sc->rc.t, sc->last_size, v->get, v->get_ctx) !=
		    MERKLE_OK) {
			set_msg(sc->msg, "stored nodes of the checkpoint at %llu are missing",
			        (unsigned long long)sc->last_size);
			return STORE_CORRUPT;
		}
		merkle_root(&sc->rc.t, root);
		if (memcmp(root, sc->last_root, MERKLE_HASH_LEN) != 0) {
			set_msg(sc->msg,
			        "the stored log no longer gives the root of the checkpoint at %llu",
			        (unsigned long long)sc->last_size);
			return STORE_CORRUPT;
		}
		from = sc->last_size;
	}
	sc->rc.next = from;
	sc->rc.parse = true;
	r = recompute_scan(v, from, v->size, &sc->rc);
	if (r != STORE_OK && r != STORE_STOP)
		return r;
	if (sc->rc.failed || sc->rc.next != v->size) {
		set_msg(sc->msg, "entries since the latest checkpoint do not verify (entry %llu)",
		        (unsigned long long)sc->rc.next);
		return STORE_CORRUPT;
	}
	merkle_root(&sc->rc.t, sc->root);
	return STORE_OK;
}

enum ledger_result ledger_checkpoint_sign(struct store *s, const char *origin,
                                          const uint8_t sk[static 64], struct buf *out,
                                          char msg[static LEDGER_MSG_MAX])
{
	struct sign_ctx sc = {.origin = origin, .msg = msg};
	struct ledger_checkpoint cp;
	struct buf body;
	uint8_t pk[32], sig[4 + LEDGER_SIG_LEN];
	enum ledger_result lr;
	msg[0] = '\0';
	buf_init(&body, LEDGER_NOTE_MAX);

	enum store_result r = ops(s)->view(s, sign_view, &sc);
	if (r != STORE_OK) {
		lr = r == STORE_CORRUPT ? LEDGER_REFUSED : from_store(r);
		goto out;
	}
	if (sc.have_last && sc.last_size == sc.size) {
		/* nothing new: the latest checkpoint stands */
		lr = buf_append(out, sc.existing, sc.existing_len) == BUF_OK ? LEDGER_OK
		                                                             : LEDGER_FAILED;
		goto out;
	}
	memset(&cp, 0, sizeof cp);
	size_t on = strnlen(origin, LEDGER_ORIGIN_MAX + 1);
	if (on > LEDGER_ORIGIN_MAX) {
		lr = LEDGER_BAD_INPUT;
		goto out;
	}
	memcpy(cp.origin, origin, on);
	cp.size = sc.size;
	memcpy(cp.root, sc.root, MERKLE_HASH_LEN);
	if ((lr = ledger_checkpoint_body(&cp, &body)) != LEDGER_OK)
		goto out;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	ledger_key_id(origin, pk, sig);
	crypto_sign_detached(sig + 4, NULL, body.data, body.len, sk);
	char sig64[sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	size_t body_len = body.len;
	if (buf_printf(&body, "\n\xe2\x80\x94 %s %s\n", origin, sig64) != BUF_OK) {
		lr = LEDGER_FAILED;
		goto out;
	}
	r = ops(s)->checkpoint_add(s, cp.size, cp.root, body.data, body.len);
	if (r == STORE_EXISTS) {
		/* another signer stored this size meanwhile: same root, so consistent */
		buf_release(&body);
		lr = ledger_checkpoint_latest(s, out);
		goto out;
	}
	if (r != STORE_OK) {
		set_msg(msg, "the store refused the checkpoint (%s)", store_strerror(r));
		lr = r == STORE_CORRUPT ? LEDGER_REFUSED : from_store(r);
		goto out;
	}
	(void)body_len;
	lr = buf_append(out, body.data, body.len) == BUF_OK ? LEDGER_OK : LEDGER_FAILED;
out:
	free(sc.existing);
	buf_release(&body);
	return lr;
}

static enum store_result latest_view(void *ctx, const struct store_ledger_view *v)
{
	return v->checkpoints(v, latest_cp, ctx);
}

enum ledger_result ledger_checkpoint_latest(struct store *s, struct buf *out)
{
	struct sign_ctx sc = {0};
	enum store_result r = ops(s)->view(s, latest_view, &sc);
	enum ledger_result lr = from_store(r);
	if (lr == LEDGER_OK && !sc.have_last)
		lr = LEDGER_NOT_FOUND;
	if (lr == LEDGER_OK && buf_append(out, sc.existing, sc.existing_len) != BUF_OK)
		lr = LEDGER_FAILED;
	free(sc.existing);
	return lr;
}
