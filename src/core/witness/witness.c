/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * witness: the add-checkpoint call of C2SP tlog-witness (core/witness/witness.h):
 * the request's parser, and the checks, the state and the ledger entries in
 * one store transaction.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/store/store_liaison.h"
#include "core/store/store_witness.h"
#include "core/witness/witness.h"

#include "lib/num.h"

#include "lib/banned.h"

/* One hash in strict standard base64 (44 characters). */
static int parse_hash(const char *s, size_t n, uint8_t out[static MERKLE_HASH_LEN])
{
	char tmp[sodium_base64_ENCODED_LEN(MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
	const char *end = NULL;
	size_t len = 0;
	if (n != sizeof tmp - 1 ||
	    sodium_base642bin(out, MERKLE_HASH_LEN, s, n, NULL, &len, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + n || len != MERKLE_HASH_LEN)
		return -1;
	sodium_bin2base64(tmp, sizeof tmp, out, MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	return memcmp(tmp, s, n) == 0 ? 0 : -1;
}

int witness_request_parse(const uint8_t *body, size_t n, struct witness_request *out)
{
	memset(out, 0, sizeof *out);
	if (body == NULL || n == 0 || n > WITNESS_REQUEST_MAX)
		return -1;
	const char *s = (const char *)body;
	const char *nl = memchr(s, '\n', n);
	if (nl == NULL || nl - s < 5 || memcmp(s, "old ", 4) != 0 ||
	    num_parse_u64n(s + 4, (size_t)(nl - s) - 4, &out->old_size) != 0)
		return -1;
	size_t pos = (size_t)(nl - s) + 1;
	for (;;) {
		if (pos >= n)
			return -1;
		nl = memchr(s + pos, '\n', n - pos);
		if (nl == NULL)
			return -1;
		size_t ln = (size_t)(nl - (s + pos));
		if (ln == 0)
			break;
		if (out->nproof == WITNESS_PROOF_MAX ||
		    parse_hash(s + pos, ln, out->proof[out->nproof]) != 0)
			return -1;
		out->nproof++;
		pos += ln + 1;
	}
	pos++;
	if (pos >= n || (out->old_size == 0 && out->nproof != 0))
		return -1;
	out->note = body + pos;
	out->note_len = n - pos;
	return 0;
}

int witness_request_format(uint64_t old_size, const uint8_t (*proof)[MERKLE_HASH_LEN], size_t n,
                           const uint8_t *note, size_t note_len, struct buf *out)
{
	char b64[sodium_base64_ENCODED_LEN(MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
	if (n > WITNESS_PROOF_MAX ||
	    buf_printf(out, "old %llu\n", (unsigned long long)old_size) != BUF_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sodium_bin2base64(b64, sizeof b64, proof[i], MERKLE_HASH_LEN,
		                  sodium_base64_VARIANT_ORIGINAL);
		if (buf_printf(out, "%s\n", b64) != BUF_OK)
			return -1;
	}
	return buf_append(out, "\n", 1) == BUF_OK && buf_append(out, note, note_len) == BUF_OK ? 0
	                                                                                       : -1;
}

/* ---- add-checkpoint ---- */

struct add {
	const char *name;
	const uint8_t *sk;
	uint64_t now;
	struct witness_request req;
	struct ledger_checkpoint cp;
	struct buf *out;
	int status;
};

static enum store_result answer(struct add *a, int status, const char *text)
{
	a->status = status;
	buf_reset(a->out);
	return buf_append_str(a->out, text) == BUF_OK ? STORE_OK : STORE_NOMEM;
}

static void b64_root(const uint8_t root[static MERKLE_HASH_LEN], char *out, size_t cap)
{
	sodium_bin2base64(out, cap, root, MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
}

/* A split view: both notes kept, a witness.conflict entry; the refusal answered. */
static enum store_result split_view(struct store *s, struct add *a,
                                    const struct store_witness_log *log, int status,
                                    const char *why)
{
	struct store_witness_conflict *c = sodium_malloc(sizeof *c);
	if (c == NULL)
		return STORE_NOMEM;
	memset(c, 0, sizeof *c);
	c->log = log->id;
	c->size = a->cp.size;
	c->day = store_today();
	memcpy(c->held, log->note, strnlen(log->note, sizeof c->held - 1));
	memcpy(c->offered, a->req.note, a->req.note_len); /* <= LEDGER_NOTE_MAX, parsed */
	store_id id = 0;
	enum store_result r = store_witness_conflict_add(s, c, &id);
	sodium_free(c);
	if (r != STORE_OK)
		return r;
	char object[32], detail[LEDGER_DETAIL_MAX + 1], held[48], offered[48];
	b64_root(log->root, held, sizeof held);
	b64_root(a->cp.root, offered, sizeof offered);
	int k = snprintf(detail, sizeof detail, "%s held %llu %s offered %llu %s: %.*s",
	                 log->origin, (unsigned long long)log->size, held,
	                 (unsigned long long)a->cp.size, offered, (int)strcspn(why, "\n"), why);
	if (snprintf(object, sizeof object, "conflict:%lld", (long long)id) >= (int)sizeof object ||
	    k < 0 || k >= (int)sizeof detail)
		return STORE_REFUSED;
	if ((r = ledger_record_in(s, LEDGER_WITNESS_CONFLICT, "system", object, NULL, detail)) !=
	    STORE_OK)
		return r;
	return answer(a, status, why);
}

static enum store_result fn_add(struct store *s, void *arg)
{
	struct add *a = arg;
	struct store_witness_log *log = sodium_malloc(sizeof *log);
	if (log == NULL)
		return STORE_NOMEM;
	enum store_result r = store_witness_log_get(s, a->cp.origin, log);
	if (r == STORE_NOT_FOUND) {
		r = answer(a, 404, "unknown log\n");
		goto out;
	}
	if (r != STORE_OK)
		goto out;
	char name[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32];
	struct ledger_checkpoint cp;
	if (ledger_vkey_parse(log->vkey, strlen(log->vkey), name, pk) != 0 ||
	    ledger_checkpoint_open(a->req.note, a->req.note_len, name, pk, &cp) != LEDGER_OK) {
		r = answer(a, 403, "no valid signature by the log's key\n");
		goto out;
	}
	if (a->req.old_size > a->cp.size) {
		r = answer(a, 400, "old size above the checkpoint's\n");
		goto out;
	}
	if (a->req.old_size != log->size) {
		a->status = 409;
		buf_reset(a->out);
		r = buf_printf(a->out, "%llu\n", (unsigned long long)log->size) == BUF_OK
		            ? STORE_OK
		            : STORE_NOMEM;
		goto out;
	}
	if (log->size == a->cp.size) {
		if (a->req.nproof != 0) {
			r = answer(a, 422, "a proof between equal sizes must be empty\n");
			goto out;
		}
		if (sodium_memcmp(log->root, a->cp.root, MERKLE_HASH_LEN) != 0) {
			r = split_view(s, a, log, 409,
			               "split view: another root for a size already cosigned\n");
			goto out;
		}
	} else if (log->size > 0 &&
	           merkle_verify_consistency(log->size, a->cp.size,
	                                     (const uint8_t(*)[MERKLE_HASH_LEN])a->req.proof,
	                                     a->req.nproof, log->root, a->cp.root) != MERKLE_OK) {
		r = split_view(s, a, log, 422,
		               "split view: the checkpoint does not extend the one cosigned\n");
		goto out;
	}
	/* Every check passed: persist, record, then cosign. */
	char note[STORE_WITNESS_NOTE_MAX + 1];
	memcpy(note, a->req.note, a->req.note_len);
	note[a->req.note_len] = '\0';
	if ((r = store_witness_log_advance(s, log->id, log->size, a->cp.size, a->cp.root, note,
	                                   store_today())) != STORE_OK)
		goto out;
	char object[32], detail[LEDGER_DETAIL_MAX + 1], root[48];
	b64_root(a->cp.root, root, sizeof root);
	int k = snprintf(detail, sizeof detail, "%s size %llu root %s", a->cp.origin,
	                 (unsigned long long)a->cp.size, root);
	if (snprintf(object, sizeof object, "log:%lld", (long long)log->id) >= (int)sizeof object ||
	    k < 0 || k >= (int)sizeof detail) {
		r = STORE_REFUSED;
		goto out;
	}
	if ((r = ledger_record_in(s, LEDGER_WITNESS_COSIGN, "system", object, NULL, detail)) !=
	    STORE_OK)
		goto out;
	buf_reset(a->out);
	a->status = 200;
	r = witness_cosign(a->name, a->sk, &a->cp, a->now, a->out) == 0 ? STORE_OK : STORE_NOMEM;
out:
	sodium_free(log);
	return r;
}

/* status with text as the body (an empty body if even that does not fit). */
static int say(struct buf *out, int status, const char *text)
{
	buf_reset(out);
	if (buf_append_str(out, text) != BUF_OK)
		buf_reset(out);
	return status;
}

int witness_add_checkpoint(struct store *s, const char *name, const uint8_t sk[static 64],
                           const uint8_t *body, size_t n, uint64_t now, struct buf *out)
{
	struct add *a = sodium_malloc(sizeof *a);
	if (a == NULL) {
		return say(out, 503, "out of memory\n");
	}
	memset(a, 0, sizeof *a);
	a->name = name;
	a->sk = sk;
	a->now = now;
	a->out = out;
	int status;
	if (witness_request_parse(body, n, &a->req) != 0 ||
	    ledger_checkpoint_parse(a->req.note, a->req.note_len, &a->cp) != LEDGER_OK ||
	    a->req.note_len > STORE_WITNESS_NOTE_MAX) {
		status = say(out, 400, "malformed request\n");
		goto done;
	}
	enum store_result r = store_write(s, NULL, 0, fn_add, a);
	if (r != STORE_OK) {
		status = say(out, 503, "the witness's store failed\n");
	} else {
		status = a->status;
	}
done:
	sodium_free(a);
	return status;
}

/* ---- the logs witnessed ---- */

struct log_add {
	const char *actor, *origin, *vkey;
	store_id id;
};

static enum store_result fn_log_add(struct store *s, void *arg)
{
	struct log_add *a = arg;
	enum store_result r = store_witness_log_add(s, a->origin, a->vkey, store_today(), &a->id);
	if (r != STORE_OK)
		return r;
	char object[32];
	if (snprintf(object, sizeof object, "log:%lld", (long long)a->id) >= (int)sizeof object)
		return STORE_REFUSED;
	return ledger_record_in(s, LEDGER_WITNESS_ADD, a->actor, object, NULL, a->origin);
}

enum witness_result witness_log_add(struct store *s, const char *actor, const char *vkey,
                                    char msg[static WITNESS_MSG_MAX])
{
	char origin[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32];
	msg[0] = '\0';
	if (vkey == NULL || ledger_vkey_parse(vkey, strlen(vkey), origin, pk) != 0) {
		snprintf(msg, WITNESS_MSG_MAX,
		         "not a log verifier key (name+id+base64 of an Ed25519 key, type 0x01)");
		return WITNESS_BAD_INPUT;
	}
	struct log_add a = {.actor = actor, .origin = origin, .vkey = vkey};
	enum store_result r = store_write(s, NULL, 0, fn_log_add, &a);
	if (r == STORE_EXISTS) {
		snprintf(msg, WITNESS_MSG_MAX, "%s is witnessed already", origin);
		return WITNESS_EXISTS;
	}
	if (r != STORE_OK) {
		snprintf(msg, WITNESS_MSG_MAX, "the store failed (%d)", (int)r);
		return WITNESS_FAILED;
	}
	return WITNESS_OK;
}

enum store_result witness_logs(struct store *s,
                               int (*fn)(void *ctx, const struct store_witness_log *l), void *ctx)
{
	return store_witness_logs(s, fn, ctx);
}

enum store_result witness_conflicts(struct store *s,
                                    int (*fn)(void *ctx, const struct store_witness_conflict *c),
                                    void *ctx)
{
	return store_witness_conflicts(s, fn, ctx);
}

/* ---- our own checkpoints' cosignatures ---- */

enum store_result witness_cosig_keep(struct store *s, const struct ledger_checkpoint *cp,
                                     const char *name, const uint8_t pk[static 32],
                                     const char *line, size_t n)
{
	char copy[STORE_WITNESS_LINE_MAX + 1];
	uint64_t t;
	if (n == 0 || n > STORE_WITNESS_LINE_MAX)
		return STORE_TOO_LARGE;
	if (witness_cosig_verify(line, n, name, pk, cp, &t) != LEDGER_OK)
		return STORE_REFUSED;
	memcpy(copy, line, n);
	copy[n] = '\0';
	return store_witness_cosig_add(s, cp->size, name, copy);
}

static int append_cosig(void *ctx, const char *witness, const char *line)
{
	(void)witness;
	return buf_append_str(ctx, line) == BUF_OK ? 0 : 1;
}

int witness_cosigned_latest(struct store *s, struct buf *note)
{
	struct ledger_checkpoint cp;
	if (ledger_checkpoint_latest(s, note) != LEDGER_OK ||
	    ledger_checkpoint_parse(note->data, note->len, &cp) != LEDGER_OK)
		return -1;
	enum store_result r = store_witness_cosigs(s, cp.size, append_cosig, note);
	return r == STORE_OK || r == STORE_UNSUPPORTED ? 0 : -1;
}

struct urls {
	int (*fn)(void *ctx, const char *url);
	void *ctx;
};

static int partner_url(void *ctx, const struct store_partner *p)
{
	struct urls *u = ctx;
	return !p->disabled && p->url[0] != '\0' ? u->fn(u->ctx, p->url) : 0;
}

enum store_result witness_partner_urls(struct store *s, int (*fn)(void *ctx, const char *url),
                                       void *ctx)
{
	struct urls u = {.fn = fn, .ctx = ctx};
	return store_partners(s, partner_url, &u);
}
