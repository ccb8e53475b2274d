/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_crash: the store contract (tests/store/README.md) across kill -9.
 *
 * A child process writes in a loop: sources, submissions with blobs (some
 * large) committed in a transaction with their ledger entry, plain ledger
 * appends, source deletes, and pending blobs it never commits. It reports
 * each acknowledged write to the parent through a pipe, one line each
 * (atomic: shorter than PIPE_BUF). The parent kills it at a random moment,
 * reopens the store and checks (core/store/store.h "Durability",
 * docs/internals/store.md):
 *
 *  - every acknowledged write is there and whole; every acknowledged delete
 *    holds;
 *  - no partial submission is visible: every submission in the store,
 *    acknowledged or not, has its message and files whole (its marking names
 *    the seed they were made from) and its ledger entry, and every entry the
 *    child's transactions wrote names such a submission;
 *  - pending blobs the child never committed are gone;
 *  - ids are never reused after a reopen;
 *  - the ledger verifies.
 * Ten rounds, a few seconds in all.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "t.h"
#include "contract.h"

#define ROUNDS 10

/* ---- what a submission made from `seed` holds ---- */

static size_t nfiles_of(uint64_t seed)
{
	return (size_t)(seed % 3);
}

static size_t msg_size(uint64_t seed)
{
	return seed % 3 == 1 ? 300000 + (size_t)(seed % 1000) : 1000 + (size_t)(seed % 500);
}

static uint64_t meta_seed(uint64_t seed, size_t k)
{
	return seed * 8 + 2 * k + 1;
}

static uint64_t data_seed(uint64_t seed, size_t k)
{
	return seed * 8 + 2 * k + 2;
}

static size_t data_size(uint64_t seed, size_t k)
{
	return (seed + k) % 4 == 0 ? 280000 : 2000 + k;
}

/* ---- the child ---- */

struct sub_tx {
	store_id src, msg, sub;
	struct store_new_file f[2];
	size_t nf;
	char marking[40];
};

static enum store_result sub_fn(struct store *s, void *arg)
{
	struct sub_tx *a = arg;
	char actor[32], object[32];
	enum store_result r = store_submission_commit(s, a->src, store_today(), a->marking, 0,
	                                              a->msg, a->f, a->nf, &a->sub);
	if (r != STORE_OK)
		return r;
	snprintf(actor, sizeof actor, "source:%lld", (long long)a->src);
	snprintf(object, sizeof object, "submission:%lld", (long long)a->sub);
	return ledger_record_in(s, LEDGER_SUBMISSION_SEAL, actor, object, NULL, NULL);
}

__attribute__((format(printf, 2, 3))) static void say(int fd, const char *fmt, ...)
{
	char line[96];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof line || write(fd, line, (size_t)n) != n)
		_exit(5);
}

/* The child's sources: pk = the run's tag, then `fill` (the parent finds them by it). */
static void pk_of(uint8_t pk[STORE_PK_LEN], uint8_t fill)
{
	memset(pk, fill, STORE_PK_LEN);
	memcpy(pk, contract_tag(), 16);
}

static store_id child_source(struct store *s, int fd, uint8_t fill)
{
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN];
	store_id id = 0;
	contract_lookup(lk);
	pk_of(pk, fill);
	if (store_source_create(s, lk, pk, store_today(), &id) != STORE_OK)
		_exit(3);
	say(fd, "S %lld %d 0\n", (long long)id, fill);
	return id;
}

static void child(int fd, int round)
{
	struct store *s = NULL;
	if (store_open(contract_loc, &s) != STORE_OK)
		_exit(2);
	store_id src = child_source(s, fd, (uint8_t)round);
	for (uint64_t i = 1;; i++) {
		uint64_t seed = (uint64_t)round * 100000 + i;
		switch (i % 8) {
		case 0: /* a new source for what follows */
			src = child_source(s, fd, (uint8_t)(round + i));
			break;
		case 5: {
			char detail[64];
			uint64_t index = 0;
			snprintf(detail, sizeof detail, "crash %s %d %" PRIu64, contract_tag(),
			         round, i);
			struct ledger_event ev = {
			        .action = LEDGER_OBJECT_READ, .actor = "system", .detail = detail};
			if (ledger_append(s, &ev, &index) != LEDGER_OK)
				_exit(6);
			say(fd, "L %" PRIu64 " %d %" PRIu64 "\n", index, round, i);
			break;
		}
		case 6: { /* a pending blob, never committed */
			store_id b = contract_blob(s, seed, i % 16 == 6 ? 300000 : 500);
			if (b == 0)
				_exit(7);
			say(fd, "P %lld 0 0\n", (long long)b);
			break;
		}
		case 7: { /* a source deleted */
			store_id d = child_source(s, fd, 0xdd);
			if (store_source_delete(s, d) != STORE_OK)
				_exit(8);
			say(fd, "D %lld 0 0\n", (long long)d);
			break;
		}
		default: {
			struct sub_tx a = {.src = src, .nf = nfiles_of(seed)};
			store_id claim[5];
			size_t nc = 0;
			snprintf(a.marking, sizeof a.marking, "SEED-%" PRIu64, seed);
			claim[nc++] = a.msg = contract_blob(s, seed, msg_size(seed));
			for (size_t k = 0; k < a.nf; k++) {
				claim[nc++] = a.f[k].meta_blob =
				        contract_blob(s, meta_seed(seed, k), 40 + k);
				claim[nc++] = a.f[k].data_blob =
				        contract_blob(s, data_seed(seed, k), data_size(seed, k));
			}
			for (size_t k = 0; k < nc; k++)
				if (claim[k] == 0)
					_exit(9);
			if (store_write(s, claim, nc, sub_fn, &a) != STORE_OK)
				_exit(10);
			say(fd, "U %lld %lld %" PRIu64 "\n", (long long)a.sub, (long long)a.src,
			    seed);
		}
		}
	}
}

/* ---- the parent ---- */

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct acked {
	char kind;
	long long a, b, c;
};

static struct {
	struct acked *v;
	size_t n, cap;
} acks;

static void parse_lines(char *buf, size_t len, int *bad)
{
	char *p = buf, *end = buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break; /* a line cut by the kill cannot happen (atomic writes) */
		*nl = '\0';
		struct acked x;
		if (sscanf(p, "%c %lld %lld %lld", &x.kind, &x.a, &x.b, &x.c) != 4) {
			(*bad)++;
		} else {
			if (acks.n == acks.cap) {
				acks.cap = acks.cap ? 2 * acks.cap : 256;
				acks.v = realloc(acks.v, acks.cap * sizeof *acks.v);
				if (acks.v == NULL)
					abort();
			}
			acks.v[acks.n++] = x;
		}
		p = nl + 1;
	}
}

/* Whether submission `sub` is whole: message and files as its marking's seed made them. */
struct files {
	struct store_file f[4];
	int n;
};

static int file_row(void *ctx, const struct store_file *f)
{
	struct files *x = ctx;
	if (x->n < 4)
		x->f[x->n] = *f;
	x->n++;
	return 0;
}

static int whole(struct store *s, const struct store_submission *sub)
{
	uint64_t seed;
	struct files fs = {0};
	if (sscanf(sub->marking, "SEED-%" SCNu64, &seed) != 1 ||
	    !contract_blob_is(s, sub->message_blob, seed, msg_size(seed)) ||
	    sub->nfiles != (int32_t)nfiles_of(seed) ||
	    store_submission_files(s, sub->id, file_row, &fs) != STORE_OK ||
	    fs.n != (int)nfiles_of(seed))
		return 0;
	for (int i = 0; i < fs.n; i++) {
		uint64_t size = 0;
		if (store_blob_size(s, fs.f[i].meta_blob, &size) != STORE_OK || size < 40 ||
		    size > 41)
			return 0;
		size_t k = (size_t)(size - 40);
		if (!contract_blob_is(s, fs.f[i].meta_blob, meta_seed(seed, k), 40 + k) ||
		    !contract_blob_is(s, fs.f[i].data_blob, data_seed(seed, k), data_size(seed, k)))
			return 0;
	}
	return 1;
}

struct sweep {
	struct store *s;
	struct contract_ids srcs, subs; /* the child's, visible now */
	size_t listed;
	int partial;
};

static int sub_visit(void *ctx, const struct store_submission *sub)
{
	struct sweep *w = ctx;
	contract_ids_add(&w->subs, sub->id);
	w->partial += !whole(w->s, sub);
	return 0;
}

static int src_visit(void *ctx, const struct store_source *src)
{
	struct sweep *w = ctx;
	w->listed++;
	if (memcmp(src->pk, contract_tag(), 16) == 0) /* the child's */
		contract_ids_add(&w->srcs, src->id);
	return 0;
}

/* The ledger from `from` on: the submissions its seal entries name, the plain appends. */
struct led {
	struct contract_ids sealed;
	int bad, dup;
};

static int led_entry(void *ctx, uint64_t index, const uint8_t *e, size_t len)
{
	struct led *l = ctx;
	struct ledger_entry pe;
	long long id;
	if (ledger_entry_parse(e, len, &pe) != LEDGER_OK) {
		l->bad++;
		return 0;
	}
	if (pe.action == LEDGER_SUBMISSION_SEAL && sscanf(pe.object, "submission:%lld", &id) == 1) {
		l->dup += contract_ids_has(&l->sealed, id);
		contract_ids_add(&l->sealed, id);
	}
	return 0;
}

static int entry_is(struct store *s, uint64_t index, int round, long long i)
{
	uint8_t e[LEDGER_ENTRY_MAX];
	size_t len = 0;
	struct ledger_entry pe;
	char want[64];
	snprintf(want, sizeof want, "crash %s %d %lld", contract_tag(), round, i);
	return ledger_entry(s, index, e, &len) == LEDGER_OK &&
	       ledger_entry_parse(e, len, &pe) == LEDGER_OK && strcmp(pe.detail, want) == 0;
}

int main(void)
{
	contract_init("contract_crash");
	struct store *s = contract_open_fresh();
	uint64_t ledger0 = 0;
	/* every source and submission id seen before this round */
	struct contract_ids seen_src = {0}, seen_sub = {0};
	int killed = 0, rounds_acked = 0, lost = 0, partial = 0, unsealed = 0, ghost = 0,
	    pending_left = 0, reused = 0, verify_bad = 0, bad_lines = 0, reopen_bad = 0;
	int nS = 0, nU = 0, nL = 0, nP = 0, nD = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (s == NULL || ledger_size(s, &ledger0) != LEDGER_OK)
		return contract_done();
	store_close(&s);
	for (int round = 1; round <= ROUNDS; round++) {
		int p[2];
		if (pipe(p) != 0)
			break;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			close(p[0]);
			child(p[1], round);
		}
		close(p[1]);
		/* read until a random moment after the first acknowledgement, then kill */
		size_t cap = 1 << 20, len = 0;
		char *buf = malloc(cap);
		int64_t deadline = now_ms() + 10000; /* the first acknowledgement, loaded or not */
		int first = 1;
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		while (buf && len < cap && now_ms() < deadline &&
		       poll(&pf, 1, (int)(deadline - now_ms())) > 0) {
			ssize_t k = read(p[0], buf + len, cap - len);
			if (k <= 0)
				break;
			len += (size_t)k;
			if (first) { /* then a random moment */
				first = 0;
				deadline = now_ms() + 20 + (int64_t)randombytes_uniform(280);
			}
		}
		kill(pid, SIGKILL);
		int st = 0;
		waitpid(pid, &st, 0);
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		ssize_t k;
		while (buf && len < cap && (k = read(p[0], buf + len, cap - len)) > 0)
			len += (size_t)k;
		close(p[0]);
		size_t from = acks.n;
		if (buf)
			parse_lines(buf, len, &bad_lines);
		free(buf);
		rounds_acked += acks.n > from;

		/*
		 * A database server (CUTOUT_STORE: another backend than the local
		 * file) sees the killed client's connection close only when that
		 * connection's server process next reads from it; until then its
		 * pending blobs look like the upload of a live client (another
		 * node's), which the reopening sweep must leave alone. Give the
		 * server a moment to notice the crash, as a real restart would.
		 */
		if (getenv("CUTOUT_STORE") != NULL)
			nanosleep(&(struct timespec){.tv_nsec = 500 * 1000 * 1000}, NULL);

		/* reopen and check */
		if (store_open(contract_loc, &s) != STORE_OK) {
			reopen_bad++;
			break;
		}
		for (size_t i = from; i < acks.n; i++) {
			struct acked *x = &acks.v[i];
			struct store_source src;
			struct store_submission sub;
			/* made in this round: ids no earlier round saw */
			if (x->kind == 'S')
				reused += contract_ids_has(&seen_src, x->a);
			if (x->kind == 'U')
				reused += contract_ids_has(&seen_sub, x->a);
			switch (x->kind) {
			case 'S':
				nS++;
				lost += x->b != 0xdd &&
				        (store_source_get(s, x->a, &src) != STORE_OK ||
				         memcmp(src.pk, contract_tag(), 16) != 0 ||
				         src.pk[31] != (uint8_t)x->b);
				break;
			case 'D':
				nD++;
				lost += store_source_get(s, x->a, &src) != STORE_NOT_FOUND;
				break;
			case 'U':
				nU++;
				lost += store_submission_get(s, x->a, &sub) != STORE_OK ||
				        sub.source_id != x->b || !whole(s, &sub);
				break;
			case 'L':
				nL++;
				lost += !entry_is(s, (uint64_t)x->a, (int)x->b, x->c);
				break;
			case 'P':
				nP++;
				pending_left +=
				        store_blob_size(s, x->a, &(uint64_t){0}) != STORE_NOT_FOUND;
				break;
			}
		}
		/* everything visible: whole, sealed in the ledger, and the ledger's seals real */
		struct sweep w = {.s = s};
		int64_t off = 0;
		for (;;) {
			size_t before = w.listed;
			if (store_source_list(s, off, 500, src_visit, &w) != STORE_OK ||
			    w.listed == before)
				break;
			off += (int64_t)(w.listed - before);
		}
		for (size_t i = 0; i < w.srcs.n; i++)
			if (store_submission_list(s, w.srcs.v[i], 0, INT64_MAX, sub_visit, &w) !=
			    STORE_OK)
				partial++; /* a listing that fails hides what it should show */
		partial += w.partial;
		struct led l = {0};
		uint64_t size = 0;
		if (ledger_size(s, &size) != LEDGER_OK ||
		    (size > ledger0 &&
		     ledger_entries(s, ledger0, size, led_entry, &l) != LEDGER_OK))
			verify_bad++;
		for (size_t i = 0; i < w.subs.n; i++)
			unsealed += !contract_ids_has(&l.sealed, w.subs.v[i]);
		for (size_t i = 0; i < l.sealed.n; i++)
			ghost += !contract_ids_has(&w.subs, l.sealed.v[i]);
		ghost += l.dup + l.bad;
		struct ledger_verify_report rep;
		verify_bad += ledger_verify(s, NULL, &rep) != LEDGER_OK;
		/* ids made after the reopen are new */
		for (size_t i = 0; i < w.srcs.n; i++)
			contract_ids_add(&seen_src, w.srcs.v[i]);
		for (size_t i = 0; i < w.subs.n; i++)
			contract_ids_add(&seen_sub, w.subs.v[i]);
		for (size_t i = from; i < acks.n; i++)
			if (acks.v[i].kind == 'S' || acks.v[i].kind == 'D')
				contract_ids_add(&seen_src, acks.v[i].a);
			else if (acks.v[i].kind == 'U')
				contract_ids_add(&seen_sub, acks.v[i].a);
		store_id ns = contract_source(s, store_today(), 0xee), nsub = 0;
		if (ns != 0 && store_submission_commit(s, ns, store_today(), "", 0, 0, NULL, 0,
		                                       &nsub) == STORE_OK) {
			reused +=
			        contract_ids_has(&seen_src, ns) + contract_ids_has(&seen_sub, nsub);
			(void)store_source_delete(s,
			                          ns); /* the child's next ids must pass it too */
			contract_ids_add(&seen_src, ns);
			contract_ids_add(&seen_sub, nsub);
		} else {
			reused++;
		}
		contract_ids_free(&w.srcs);
		contract_ids_free(&w.subs);
		contract_ids_free(&l.sealed);
		store_close(&s);
		if (lost || partial || unsealed || ghost || pending_left || reused || verify_bad)
			printf("# after round %d: lost %d partial %d unsealed %d ghost %d pending "
			       "%d "
			       "reused %d verify %d\n",
			       round, lost, partial, unsealed, ghost, pending_left, reused,
			       verify_bad);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	T_OK(killed == ROUNDS && rounds_acked == ROUNDS && reopen_bad == 0 && bad_lines == 0,
	     "%d rounds: a writing child killed with SIGKILL after acknowledging writes, the store "
	     "reopened (%.1f s)",
	     ROUNDS, secs);
	T_OK(nU > 0 && nS > 0 && nL > 0 && nP > 0 && nD > 0,
	     "acknowledged: %d submissions, %d sources, %d ledger appends, %d deletes, %d pending "
	     "blobs",
	     nU, nS, nL, nD, nP);
	T_OK(lost == 0, "every acknowledged write is there and whole, every acknowledged delete "
	                "holds");
	T_OK(partial == 0, "no partial submission is visible (message and files whole)");
	T_OK(unsealed == 0 && ghost == 0,
	     "each submission has its ledger entry, and each entry its submission (both or "
	     "neither)");
	T_OK(pending_left == 0, "pending blobs never committed are gone after the reopen");
	T_OK(reused == 0, "ids are never reused after a reopen");
	T_OK(verify_bad == 0, "the ledger verifies after every crash");
	T_OK(secs < 20, "in under 20 s");
	contract_ids_free(&seen_src);
	contract_ids_free(&seen_sub);
	free(acks.v);
	return contract_done();
}
