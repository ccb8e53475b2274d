/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_concurrency: the store contract (tests/store/README.md) under
 * concurrency (core/store/store.h: "a struct store may be used from many
 * threads at once"; core/store/store_ledger.h: one order without gap or
 * duplicate for appenders of every thread and process).
 *
 *  - 16 threads mix durable writes (sources, submissions with blobs, some of
 *    them large, transactions with a ledger entry, ledger appends) with reads:
 *    no lost write, every id unique, reads see every acknowledged write, the
 *    ledger has each entry once, without gap, and verifies;
 *  - 16 threads race for a daily quota checked inside store_write: exactly
 *    the quota commits (transactions are serialisable);
 *  - three processes append to one ledger at once: one order, no gap, no
 *    duplicate.
 *
 * Threads and children only record; the main thread checks.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "core/store/store_ledger.h"
#include "t.h"
#include "contract.h"

#define NTHREADS 16
#define PER_THREAD 50 /* a multiple of 5: 3 submissions, 1 append, 1 read in 5 */

struct sub_rec {
	store_id id, blob;
	uint64_t seed;
	size_t size;
};

struct worker {
	struct store *s;
	int t;
	store_id src;
	struct sub_rec sub[PER_THREAD];
	int nsub;
	uint64_t index[PER_THREAD]; /* ledger_append's answers */
	int nindex;
	store_id tx_sub[PER_THREAD]; /* submissions committed with their entry */
	int ntx;
	int errors, stale_reads, bad_blobs, bad_views;
};

static size_t blob_size_of(int t, int i)
{
	return (t + i) % 9 == 0 ? 300000 : 1500 + (size_t)(t * 7 + i);
}

struct tx_arg {
	store_id src, blob, sub;
};

static enum store_result tx_commit(struct store *s, void *arg)
{
	struct tx_arg *a = arg;
	char actor[32], object[32];
	enum store_result r = store_submission_commit(s, a->src, store_today(), "OFFICIAL", 0,
	                                              a->blob, NULL, 0, &a->sub);
	if (r != STORE_OK)
		return r;
	snprintf(actor, sizeof actor, "source:%lld", (long long)a->src);
	snprintf(object, sizeof object, "submission:%lld", (long long)a->sub);
	return ledger_record_in(s, LEDGER_SUBMISSION_SEAL, actor, object, NULL, NULL);
}

struct view_check {
	uint64_t size, rows, last;
};

static enum store_result count_rows(void *ctx, const struct store_ledger_row *r)
{
	struct view_check *v = ctx;
	v->rows++;
	v->last = r->index;
	return STORE_OK;
}

static enum store_result snapshot(void *ctx, const struct store_ledger_view *v)
{
	struct view_check *c = ctx;
	c->size = v->size;
	return v->scan(v, 0, v->size, count_rows, c);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct store *s = w->s;
	w->src = contract_source(s, store_today(), (uint8_t)w->t);
	if (w->src == 0) {
		w->errors++;
		return NULL;
	}
	for (int i = 0; i < PER_THREAD; i++) {
		uint64_t seed = (uint64_t)w->t * 1000 + (uint64_t)i;
		size_t n = blob_size_of(w->t, i);
		switch (i % 5) {
		case 0:
		case 1: {
			store_id b = contract_blob(s, seed, n), id = 0;
			if (b == 0 || store_submission_commit(s, w->src, store_today(), "", 0, b,
			                                      NULL, 0, &id) != STORE_OK) {
				w->errors++;
				break;
			}
			w->sub[w->nsub++] = (struct sub_rec){id, b, seed, n};
			break;
		}
		case 2: {
			struct tx_arg a = {.src = w->src, .blob = contract_blob(s, seed, n)};
			if (a.blob == 0 || store_write(s, &a.blob, 1, tx_commit, &a) != STORE_OK) {
				w->errors++;
				break;
			}
			w->sub[w->nsub++] = (struct sub_rec){a.sub, a.blob, seed, n};
			w->tx_sub[w->ntx++] = a.sub;
			break;
		}
		case 3: {
			char detail[48];
			snprintf(detail, sizeof detail, "contract %s t%d i%d", contract_tag(), w->t,
			         i);
			struct ledger_event ev = {
			        .action = LEDGER_OBJECT_READ, .actor = "system", .detail = detail};
			if (ledger_append(s, &ev, &w->index[w->nindex]) != LEDGER_OK)
				w->errors++;
			else
				w->nindex++;
			break;
		}
		default: {
			/* reads: every write this thread had acknowledged is visible */
			struct store_source src;
			struct view_check v = {0};
			if (store_source_get(s, w->src, &src) != STORE_OK ||
			    src.nsubmissions != w->nsub)
				w->stale_reads++;
			for (int k = 0; k < w->nsub; k += 3) {
				struct store_submission sub;
				if (store_submission_get(s, w->sub[k].id, &sub) != STORE_OK ||
				    sub.message_blob != w->sub[k].blob)
					w->stale_reads++;
			}
			if (w->nsub > 0 &&
			    !contract_blob_is(s, w->sub[w->nsub - 1].blob, w->sub[w->nsub - 1].seed,
			                      w->sub[w->nsub - 1].size))
				w->bad_blobs++;
			if (store_ledger_view(s, snapshot, &v) != STORE_OK || v.rows != v.size ||
			    (v.size > 0 && v.last != v.size - 1) ||
			    (w->nindex > 0 && v.size <= w->index[w->nindex - 1]))
				w->bad_views++;
		}
		}
	}
	return NULL;
}

/* What the ledger holds from first on: our appends and transaction entries, each once. */
struct tally {
	struct worker *w;
	uint64_t first, next;
	int gaps, foreign, dup_append, dup_tx, bad_parse, append_index_wrong;
	unsigned char seen_append[NTHREADS][PER_THREAD];
	struct contract_ids tx_seen;
};

static int tally_entry(void *ctx, uint64_t index, const uint8_t *e, size_t len)
{
	struct tally *t = ctx;
	struct ledger_entry pe;
	int th, i;
	char tag[17];
	t->gaps += index != t->next;
	t->next = index + 1;
	if (ledger_entry_parse(e, len, &pe) != LEDGER_OK) {
		t->bad_parse++;
		return 0;
	}
	if (pe.action == LEDGER_OBJECT_READ &&
	    sscanf(pe.detail, "contract %16s t%d i%d", tag, &th, &i) == 3 &&
	    strcmp(tag, contract_tag()) == 0 && th >= 0 && th < NTHREADS && i >= 0 &&
	    i < PER_THREAD) {
		t->dup_append += t->seen_append[th][i]++ > 0;
		int found = 0;
		for (int k = 0; k < t->w[th].nindex; k++)
			found |= t->w[th].index[k] == index;
		t->append_index_wrong += !found;
	} else if (pe.action == LEDGER_SUBMISSION_SEAL) {
		long long id = 0;
		if (sscanf(pe.object, "submission:%lld", &id) != 1)
			t->foreign++;
		t->dup_tx += contract_ids_has(&t->tx_seen, id);
		contract_ids_add(&t->tx_seen, id);
	} else {
		t->foreign++;
	}
	return 0;
}

static void test_mixed(void)
{
	static struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct store *s = contract_open_fresh();
	uint64_t first = 0, size = 0;
	if (s == NULL)
		return;
	T_OK(ledger_size(s, &first) == LEDGER_OK, "the ledger's size before");
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.s = s, .t = i};
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			abort();
	}
	int errors = 0, stale = 0, bad_blobs = 0, bad_views = 0, nsub = 0, nidx = 0, ntx = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		errors += w[i].errors;
		stale += w[i].stale_reads;
		bad_blobs += w[i].bad_blobs;
		bad_views += w[i].bad_views;
		nsub += w[i].nsub;
		nidx += w[i].nindex;
		ntx += w[i].ntx;
	}
	T_OK(errors == 0 && nsub == NTHREADS * PER_THREAD / 5 * 3 &&
	             nidx == NTHREADS * PER_THREAD / 5,
	     "%d threads: %d submissions (%d with a ledger entry), %d ledger appends, %d errors",
	     NTHREADS, nsub, ntx, nidx, errors);
	T_OK(stale == 0, "reads during the load saw every write acknowledged before them");
	T_OK(bad_blobs == 0, "blobs read during the load were whole");
	T_OK(bad_views == 0, "every ledger view was a snapshot without gap, holding every "
	                     "acknowledged append");

	struct contract_ids subs = {0}, srcs = {0}, blobs = {0}, idx = {0};
	int missing = 0, broken = 0, counts = 0;
	for (int i = 0; i < NTHREADS; i++) {
		struct store_source src;
		contract_ids_add(&srcs, w[i].src);
		counts += store_source_get(s, w[i].src, &src) != STORE_OK ||
		          src.nsubmissions != w[i].nsub || src.nunread != w[i].nsub;
		for (int k = 0; k < w[i].nsub; k++) {
			struct store_submission sub;
			contract_ids_add(&subs, w[i].sub[k].id);
			contract_ids_add(&blobs, w[i].sub[k].blob);
			missing += store_submission_get(s, w[i].sub[k].id, &sub) != STORE_OK ||
			           sub.source_id != w[i].src ||
			           sub.message_blob != w[i].sub[k].blob;
			broken += !contract_blob_is(s, w[i].sub[k].blob, w[i].sub[k].seed,
			                            w[i].sub[k].size);
		}
		for (int k = 0; k < w[i].nindex; k++)
			contract_ids_add(&idx, (store_id)w[i].index[k] + 1);
	}
	T_OK(missing == 0 && broken == 0, "no lost write: every acknowledged submission is there, "
	                                  "its blob whole");
	T_OK(counts == 0, "each source counts exactly its acknowledged submissions");
	T_OK(contract_ids_distinct(&srcs) && contract_ids_distinct(&subs) &&
	             contract_ids_distinct(&blobs),
	     "source, submission and blob ids are all distinct");
	T_OK(contract_ids_distinct(&idx), "ledger_append gave every append its own index");

	struct tally t = {.w = w, .first = first, .next = first};
	T_OK(ledger_size(s, &size) == LEDGER_OK && size == first + (uint64_t)(nidx + ntx),
	     "the ledger grew by exactly the acknowledged entries (%llu)",
	     (unsigned long long)(size - first));
	T_OK(size > first && ledger_entries(s, first, size, tally_entry, &t) == LEDGER_OK &&
	             t.gaps == 0 && t.next == size && t.bad_parse == 0 && t.foreign == 0,
	     "its entries follow each other without gap, each well-formed");
	int once = t.dup_append == 0 && t.dup_tx == 0 && t.append_index_wrong == 0;
	for (int i = 0; i < NTHREADS; i++)
		for (int k = 0; k < PER_THREAD; k++)
			once &= t.seen_append[i][k] == (k % 5 == 3);
	for (int i = 0; i < NTHREADS; i++)
		for (int k = 0; k < w[i].ntx; k++)
			once &= contract_ids_has(&t.tx_seen, w[i].tx_sub[k]);
	T_OK(once && (int)t.tx_seen.n == ntx,
	     "each append once, at the index it was given; each transaction's entry once");
	struct ledger_verify_report rep;
	T_OK(ledger_verify(s, NULL, &rep) == LEDGER_OK, "the ledger verifies");
	contract_ids_free(&subs);
	contract_ids_free(&srcs);
	contract_ids_free(&blobs);
	contract_ids_free(&idx);
	contract_ids_free(&t.tx_seen);
	store_close(&s);
}

/* ---- a quota checked inside the transaction holds under contention ---- */

#define QUOTA 20
#define TRIES 4

struct quota {
	struct store *s;
	store_id src;
	int committed, refused, errors;
};

struct quota_tx {
	store_id src, sub;
	int64_t seen;
};

static enum store_result quota_fn(struct store *s, void *arg)
{
	struct quota_tx *a = arg;
	enum store_result r = store_submission_count_day(s, a->src, store_today(), &a->seen);
	if (r != STORE_OK)
		return r;
	if (a->seen >= QUOTA)
		return STORE_REFUSED;
	return store_submission_commit(s, a->src, store_today(), "", 0, 0, NULL, 0, &a->sub);
}

static void *quota_main(void *arg)
{
	struct quota *q = arg;
	for (int i = 0; i < TRIES; i++) {
		struct quota_tx a = {.src = q->src};
		enum store_result r = store_write(q->s, NULL, 0, quota_fn, &a);
		if (r == STORE_OK)
			q->committed++;
		else if (r == STORE_REFUSED)
			q->refused++;
		else
			q->errors++;
	}
	return NULL;
}

static void test_quota(void)
{
	static struct quota q[NTHREADS];
	pthread_t th[NTHREADS];
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return;
	store_id src = contract_source(s, store_today(), 99);
	for (int i = 0; i < NTHREADS; i++) {
		q[i] = (struct quota){.s = s, .src = src};
		if (pthread_create(&th[i], NULL, quota_main, &q[i]) != 0)
			abort();
	}
	int committed = 0, refused = 0, errors = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		committed += q[i].committed;
		refused += q[i].refused;
		errors += q[i].errors;
	}
	struct store_source x;
	int64_t n = -1;
	T_OK(errors == 0 && committed == QUOTA && refused == NTHREADS * TRIES - QUOTA,
	     "%d threads x %d transactions checking a quota of %d inside: %d committed, %d "
	     "refused, %d errors",
	     NTHREADS, TRIES, QUOTA, committed, refused, errors);
	T_OK(store_submission_count_day(s, src, store_today(), &n) == STORE_OK && n == QUOTA &&
	             store_source_get(s, src, &x) == STORE_OK && x.nsubmissions == QUOTA,
	     "the store holds exactly the quota");
	store_close(&s);
}

/* ---- several processes append to one ledger ---- */

#define PROCS 2
#define PER_PROC 120

static void append_loop(struct store *s, int p, int *errors)
{
	for (int i = 0; i < PER_PROC; i++) {
		char detail[48];
		uint64_t index = 0;
		snprintf(detail, sizeof detail, "contract %s p%d i%d", contract_tag(), p, i);
		struct ledger_event ev = {
		        .action = LEDGER_OBJECT_READ, .actor = "system", .detail = detail};
		*errors += ledger_append(s, &ev, &index) != LEDGER_OK;
	}
}

struct ptally {
	uint64_t next;
	int gaps, bad, dup;
	unsigned char seen[PROCS + 1][PER_PROC];
};

static int ptally_entry(void *ctx, uint64_t index, const uint8_t *e, size_t len)
{
	struct ptally *t = ctx;
	struct ledger_entry pe;
	char tag[17];
	int p, i;
	t->gaps += index != t->next;
	t->next = index + 1;
	if (ledger_entry_parse(e, len, &pe) != LEDGER_OK ||
	    sscanf(pe.detail, "contract %16s p%d i%d", tag, &p, &i) != 3 ||
	    strcmp(tag, contract_tag()) != 0 || p < 0 || p > PROCS || i < 0 || i >= PER_PROC) {
		t->bad++;
		return 0;
	}
	t->dup += t->seen[p][i]++ > 0;
	return 0;
}

static void test_processes(void)
{
	struct store *s = contract_open_fresh();
	uint64_t first = 0, size = 0;
	int go[2];
	pid_t pid[PROCS];
	if (s == NULL)
		return;
	T_OK(ledger_size(s, &first) == LEDGER_OK, "the ledger's size before");
	store_close(&s); /* no store threads while forking */
	if (pipe(go) != 0)
		return;
	fflush(stdout);
	for (int p = 0; p < PROCS; p++) {
		if ((pid[p] = fork()) == 0) {
			char c;
			int errors = 0;
			close(go[1]);
			if (read(go[0], &c, 1) != 0) /* EOF: go */
				_exit(4);
			if (store_open(contract_loc, &s) != STORE_OK)
				_exit(2);
			append_loop(s, p + 1, &errors);
			store_close(&s);
			_exit(errors ? 3 : 0);
		}
	}
	close(go[0]);
	int errors = 0, ok = store_open(contract_loc, &s) == STORE_OK;
	close(go[1]);
	if (ok)
		append_loop(s, 0, &errors);
	int children = 1;
	for (int p = 0; p < PROCS; p++) {
		int st = 0;
		children &= pid[p] > 0 && waitpid(pid[p], &st, 0) == pid[p] && WIFEXITED(st) &&
		            WEXITSTATUS(st) == 0;
	}
	T_OK(ok && errors == 0 && children, "%d processes appended %d entries each at once",
	     PROCS + 1, PER_PROC);
	struct ptally t = {.next = first};
	T_OK(s != NULL && ledger_size(s, &size) == LEDGER_OK &&
	             size == first + (PROCS + 1) * PER_PROC &&
	             ledger_entries(s, first, size, ptally_entry, &t) == LEDGER_OK && t.gaps == 0 &&
	             t.bad == 0 && t.dup == 0,
	     "one order: every entry once, no gap, no duplicate");
	struct ledger_verify_report rep;
	T_OK(s != NULL && ledger_verify(s, NULL, &rep) == LEDGER_OK, "the ledger verifies");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_concurrency");
	test_mixed();
	test_quota();
	test_processes();
	return contract_done();
}
