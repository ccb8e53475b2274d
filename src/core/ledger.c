/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger: the log over the store (core/ledger.h). The texts are in
 * ledger_format.c; the rows in the backend's store_<backend>_ledger.c.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger.h"
#include "core/store_ledger.h"
#include "lib/buf.h"
#include "lib/merkle.h"

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
	return from_store(ops(s)->append(s, n, encode_one, &b, first));
}

/*
 * Coalescing (one process): concurrent ledger_append callers of one store
 * queue here; the first to find no batch in flight becomes the leader, takes
 * every queued event and writes them as ONE backend append (one transaction,
 * one fsync), then wakes each caller with its own index and hands the lead
 * to the next queued caller. The backend still reads the head inside its
 * write transaction, so appenders of other processes keep the one order.
 * A caller is woken only once its entry is durable.
 */
#define COALESCE_MAX 4096 /* events in one coalesced append */
#define QUEUES_MAX 16     /* stores coalesced at once; past that, appends go alone */

struct waiter {
	const struct ledger_event *ev;
	uint64_t index;
	enum ledger_result rc;
	bool done;
	pthread_cond_t cv;
	struct waiter *next;
};

struct queue {
	struct store *s; /* NULL: free slot */
	struct waiter *head, *tail;
	bool busy; /* a leader is writing */
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
	if (--q->users == 0 && q->head == NULL && !q->busy)
		q->s = NULL;
}

struct gathered {
	const struct ledger_event **ev;
	int32_t today;
};

static size_t encode_gathered(void *ctx, size_t k, uint64_t index,
                              uint8_t out[static STORE_LEDGER_ENTRY_MAX])
{
	const struct gathered *g = ctx;
	const struct ledger_event *ev = g->ev[k];
	size_t len;
	if (ledger_entry_encode(ev, index, ev->day != 0 ? ev->day : g->today, out, &len) !=
	    LEDGER_OK)
		return 0;
	return len;
}

/* The leader's work: appends the events of list (n of them) as one batch, sets each rc/index. */
static void lead_batch(struct store *s, struct waiter *list, size_t n)
{
	const struct ledger_event **evs = malloc(n * sizeof *evs);
	struct gathered g = {.ev = evs, .today = store_today()};
	uint64_t first = 0;
	enum store_result r = STORE_NOMEM;
	size_t k = 0;
	if (evs != NULL) {
		for (struct waiter *w = list; w != NULL; w = w->next)
			evs[k++] = w->ev;
		r = ops(s)->append(s, n, encode_gathered, &g, &first);
	}
	free(evs);
	k = 0;
	for (struct waiter *w = list; w != NULL; w = w->next, k++) {
		if (r == STORE_OK) {
			w->rc = LEDGER_OK;
			w->index = first + k;
		} else if (n > 1 && r != STORE_IO) {
			/* one bad entry must not refuse the others: each alone */
			struct batch b = {.ev = w->ev, .today = g.today};
			w->rc = from_store(ops(s)->append(s, 1, encode_one, &b, &w->index));
		} else {
			w->rc = from_store(r);
		}
	}
}

enum ledger_result ledger_append(struct store *s, const struct ledger_event *ev, uint64_t *index)
{
	uint8_t tmp[LEDGER_ENTRY_MAX];
	size_t len;
	if (ops(s) == NULL || ledger_entry_encode(ev, 0, ev->day != 0 ? ev->day : store_today(),
	                                          tmp, &len) != LEDGER_OK)
		return LEDGER_BAD_INPUT;
	pthread_mutex_lock(&queues_mu);
	struct queue *q = queue_get(s);
	if (q == NULL) {
		pthread_mutex_unlock(&queues_mu);
		return ledger_append_batch(s, ev, 1, index);
	}
	struct waiter me = {.ev = ev, .rc = LEDGER_FAILED};
	if (pthread_cond_init(&me.cv, NULL) != 0) {
		queue_put(q);
		pthread_mutex_unlock(&queues_mu);
		return LEDGER_FAILED;
	}
	if (q->tail != NULL)
		q->tail->next = &me;
	else
		q->head = &me;
	q->tail = &me;
	while (!me.done) {
		if (!q->busy) {
			/* lead: take up to COALESCE_MAX queued events (me among them) */
			q->busy = true;
			struct waiter *list = q->head, *last = list;
			size_t n = 1;
			while (last->next != NULL && n < COALESCE_MAX) {
				last = last->next;
				n++;
			}
			q->head = last->next;
			if (q->head == NULL)
				q->tail = NULL;
			last->next = NULL;
			pthread_mutex_unlock(&queues_mu);
			lead_batch(s, list, n);
			pthread_mutex_lock(&queues_mu);
			for (struct waiter *w = list, *nx; w != NULL; w = nx) {
				nx = w->next; /* w may be gone once done */
				w->done = true;
				if (w != &me)
					pthread_cond_signal(&w->cv);
			}
			q->busy = false;
			if (q->head != NULL) { /* the next in line leads */
				pthread_cond_signal(&q->head->cv);
			}
		} else {
			pthread_cond_wait(&me.cv, &queues_mu);
		}
	}
	queue_put(q);
	pthread_mutex_unlock(&queues_mu);
	pthread_cond_destroy(&me.cv);
	if (me.rc == LEDGER_OK)
		*index = me.index;
	return me.rc;
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
};

static enum store_result prove_view(void *ctx, const struct store_ledger_view *v)
{
	struct prove *p = ctx;
	uint64_t size = p->kind == 0 ? p->a : p->b;
	if (size > v->size)
		return STORE_NOT_FOUND;
	switch (p->kind) {
	case 0:
		p->mr = merkle_root_at(p->a, v->get, v->get_ctx, p->root_a);
		break;
	case 1:
		p->mr = merkle_inclusion_proof(p->a, p->b, v->get, v->get_ctx, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, v->get, v->get_ctx, p->root_b);
		break;
	default:
		p->mr = merkle_consistency_proof(p->a, p->b, v->get, v->get_ctx, p->proof, p->n);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->a, v->get, v->get_ctx, p->root_a);
		if (p->mr == MERKLE_OK)
			p->mr = merkle_root_at(p->b, v->get, v->get_ctx, p->root_b);
	}
	return STORE_OK;
}

static enum ledger_result prove(struct store *s, struct prove *p)
{
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

static enum store_result recompute_row(void *ctx, const struct store_ledger_row *r)
{
	struct recompute *rc = ctx;
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
	uint8_t leaf[MERKLE_HASH_LEN];
	merkle_leaf_hash(r->entry, r->entry_len, leaf);
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
	r = v->scan(v, 0, UINT64_MAX, recompute_row, rc);
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
	r = v->scan(v, from, v->size, recompute_row, &sc->rc);
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
