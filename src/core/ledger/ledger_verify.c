/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_verify: recomputing the ledger from its entries (core/ledger/ledger.h):
 * ledger_verify, and the checkpoints (signing, the latest), whose signing
 * recomputes the entries since the latest one.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/ledger/ledger_internal.h"
#include "core/store/store_ledger.h"
#include "lib/buf.h"
#include "lib/merkle.h"

#include "lib/banned.h"

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
	enum store_result r = store_ledger_view(s, verify_view, &rc);
	cps_free(&rc);
	if (r != STORE_OK)
		return ledger_from_store(r);
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

	enum store_result r = store_ledger_view(s, sign_view, &sc);
	if (r != STORE_OK) {
		lr = r == STORE_CORRUPT ? LEDGER_REFUSED : ledger_from_store(r);
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
	r = store_ledger_checkpoint_add(s, cp.size, cp.root, body.data, body.len);
	if (r == STORE_EXISTS) {
		/* another signer stored this size meanwhile: same root, so consistent */
		buf_release(&body);
		lr = ledger_checkpoint_latest(s, out);
		goto out;
	}
	if (r != STORE_OK) {
		set_msg(msg, "the store refused the checkpoint (%s)", store_strerror(r));
		lr = r == STORE_CORRUPT ? LEDGER_REFUSED : ledger_from_store(r);
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
	enum store_result r = store_ledger_view(s, latest_view, &sc);
	enum ledger_result lr = ledger_from_store(r);
	if (lr == LEDGER_OK && !sc.have_last)
		lr = LEDGER_NOT_FOUND;
	if (lr == LEDGER_OK && buf_append(out, sc.existing, sc.existing_len) != BUF_OK)
		lr = LEDGER_FAILED;
	free(sc.existing);
	return lr;
}
