/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* session_store: the intake's sessions as rows of the store (app/intake/session.h). */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/intake/session_internal.h"
#include "core/session/session_rows.h"

#include "lib/banned.h"

/* ---- the rows in the store (sessions_use_store): every node finds every session ---- */

/* What a row holds, sealed under a key derived from the token (the cache's slot, but its id). */
struct row_plain {
	int64_t expires; /* row_expiry: known only to who holds the token */
	int64_t source;
	int32_t submissions;
	uint8_t once_next, handoff, pad[2];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t wrapped[WRAPPED_LEN];
	uint8_t once[SESSION_ONCE_KEEP][16];
	uint8_t handoff_tag[16];
	char lang[SESSION_LANG_MAX];
	uint8_t handoff_nonce[crypto_secretbox_NONCEBYTES];
	uint8_t handoff_sealed[SESSION_HANDOFF_MAX + crypto_secretbox_MACBYTES];
};

#define ROW_LEN (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof(struct row_plain))
_Static_assert(ROW_LEN <= SESSION_ROW_MAX, "a session fits a row");

static int64_t wall_now(void)
{
	return session_rows_now();
}

/* A session's expiry (sealed in its row), and the end of its day (what the store sees of it:
   docs/threat-model.md): core/session/session_rows.h. */
static int64_t row_expiry(const struct sessions *s)
{
	return session_rows_expiry(s->idle);
}

static int64_t row_day_end(int64_t expires)
{
	return session_rows_day_end(expires);
}

static void token_row_key(const uint8_t raw[32], uint8_t key[32])
{
	static const uint8_t ctx[] = "cutout intake session row v1";
	crypto_generichash(key, 32, ctx, sizeof ctx - 1, raw, 32);
}

static void plain_of(const struct slot *sl, struct row_plain *p)
{
	memset(p, 0, sizeof *p);
	p->source = sl->source;
	p->submissions = sl->submissions;
	p->once_next = sl->once_next;
	p->handoff = sl->handoff;
	memcpy(p->nonce, sl->nonce, sizeof p->nonce);
	memcpy(p->wrapped, sl->wrapped, sizeof p->wrapped);
	memcpy(p->once, sl->once, sizeof p->once);
	memcpy(p->handoff_tag, sl->handoff_tag, sizeof p->handoff_tag);
	memcpy(p->lang, sl->lang, sizeof p->lang);
	memcpy(p->handoff_nonce, sl->handoff_nonce, sizeof p->handoff_nonce);
	memcpy(p->handoff_sealed, sl->handoff_sealed, sizeof p->handoff_sealed);
}

static void slot_from(struct slot *sl, const struct row_plain *p)
{
	sl->source = p->source;
	sl->submissions = p->submissions;
	sl->once_next = (uint8_t)(p->once_next % SESSION_ONCE_KEEP);
	sl->handoff = p->handoff;
	memcpy(sl->nonce, p->nonce, sizeof p->nonce);
	memcpy(sl->wrapped, p->wrapped, sizeof p->wrapped);
	memcpy(sl->once, p->once, sizeof p->once);
	memcpy(sl->handoff_tag, p->handoff_tag, sizeof p->handoff_tag);
	memcpy(sl->lang, p->lang, sizeof sl->lang);
	sl->lang[sizeof sl->lang - 1] = 0;
	memcpy(sl->handoff_nonce, p->handoff_nonce, sizeof p->handoff_nonce);
	memcpy(sl->handoff_sealed, p->handoff_sealed, sizeof p->handoff_sealed);
}

static void row_seal(const uint8_t raw[32], const struct row_plain *p, struct session_row *row)
{
	uint8_t key[32];
	token_row_key(raw, key);
	randombytes_buf(row->data, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(row->data + crypto_secretbox_NONCEBYTES, (const uint8_t *)p,
	                      sizeof *p, row->data, key);
	row->len = ROW_LEN;
	sodium_memzero(key, sizeof key);
}

static int row_open(const uint8_t raw[32], const struct session_row *row, struct row_plain *p)
{
	uint8_t key[32];
	if (row->len != ROW_LEN)
		return -1;
	token_row_key(raw, key);
	int rc = crypto_secretbox_open_easy((uint8_t *)p, row->data + crypto_secretbox_NONCEBYTES,
	                                    ROW_LEN - crypto_secretbox_NONCEBYTES, row->data, key);
	sodium_memzero(key, sizeof key);
	return rc == 0 && p->source > 0 ? 0 : -1;
}

/* A place in the cache for a row read: the least recently used slot goes when it is full. */
static struct slot *insert_evict(struct sessions *s, const uint8_t id[32], uint64_t now)
{
	if (s->used + s->reserved >= s->max)
		compact(s, now);
	if (s->used + s->reserved >= s->max) {
		struct slot *old = NULL;
		for (size_t i = 0; i < s->nslots; i++)
			if (s->slots[i].state == SLOT_USED &&
			    (old == NULL || s->slots[i].last_seen < old->last_seen))
				old = &s->slots[i];
		if (old != NULL)
			slot_wipe(s, old); /* still in the store: read again when asked for */
	}
	return insert(s, id, now);
}

/*
 * Reads the row of id into the cache (a stale slot is replaced, a gone one forgotten). 0, or
 * -1 (no live row, or the store failed). Called without the lock.
 */
static int refresh(struct sessions *s, const uint8_t raw[32], const uint8_t id[32])
{
	struct session_row row;
	struct row_plain p;
	enum store_result r = session_rows_get(s->store, SESSION_KIND_INTAKE, id, &row);
	int rc = -1;
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	struct slot *sl = find(s, id, now);
	if (r == STORE_NOT_FOUND && sl != NULL)
		slot_wipe(s, sl);
	if (r == STORE_OK && sl != NULL && sl->version == row.version) {
		rc = 0;
	} else if (r == STORE_OK && row_open(raw, &row, &p) == 0 && p.expires >= wall_now()) {
		if (sl == NULL)
			sl = insert_evict(s, id, now);
		slot_from(sl, &p);
		sl->version = row.version;
		sl->row_expires = p.expires;
		rc = 0;
	} else if (r == STORE_OK && sl != NULL) {
		slot_wipe(s, sl); /* its idle time is over: as gone */
	}
	pthread_mutex_unlock(&s->lock);
	sodium_memzero(&row, sizeof row);
	sodium_memzero(&p, sizeof p);
	return rc;
}

struct put_arg {
	struct sessions *s;
	const uint8_t *raw, *id;
};

/*
 * Writes the cached slot of a->id to its row if the row still holds the version the slot was
 * read at or last written as: STORE_EXISTS when another node changed it meanwhile,
 * STORE_NOT_FOUND when it is gone. A store_tx_fn: joins the transaction it runs in.
 */
static enum store_result put_tx(struct store *st, void *arg)
{
	struct put_arg *a = arg;
	struct sessions *s = a->s;
	struct session_row row;
	struct row_plain p;
	memset(&row, 0, sizeof row);
	pthread_mutex_lock(&s->lock);
	struct slot *sl = find(s, a->id, now_s());
	if (sl == NULL) {
		pthread_mutex_unlock(&s->lock);
		return STORE_NOT_FOUND;
	}
	plain_of(sl, &p);
	row.owner = sl->source;
	row.version = sl->version;
	pthread_mutex_unlock(&s->lock);
	int64_t expires = p.expires = row_expiry(s);
	row.expires = row_day_end(expires);
	row_seal(a->raw, &p, &row);
	sodium_memzero(&p, sizeof p);
	enum store_result r = session_rows_put(st, SESSION_KIND_INTAKE, a->id, &row);
	if (r == STORE_OK) {
		pthread_mutex_lock(&s->lock);
		sl = find(s, a->id, now_s());
		if (sl != NULL && sl->version == row.version) {
			sl->version = row.version + 1;
			sl->row_expires = expires;
		}
		pthread_mutex_unlock(&s->lock);
	}
	sodium_memzero(&row, sizeof row);
	return r;
}

/* The new slot's row (version 1); the slot goes if the store cannot take it. */
int sessions_row_add(struct sessions *s, const uint8_t raw[32], const uint8_t id[32])
{
	struct session_row row;
	struct row_plain p;
	memset(&row, 0, sizeof row);
	pthread_mutex_lock(&s->lock);
	struct slot *sl = find(s, id, now_s());
	if (sl != NULL)
		plain_of(sl, &p);
	pthread_mutex_unlock(&s->lock);
	if (sl == NULL)
		return -1;
	row.owner = p.source;
	int64_t expires = p.expires = row_expiry(s);
	row.expires = row_day_end(expires);
	row_seal(raw, &p, &row);
	sodium_memzero(&p, sizeof p);
	enum store_result r =
	        session_rows_add(s->store, SESSION_KIND_INTAKE, id, &row, (int64_t)s->max);
	pthread_mutex_lock(&s->lock);
	sl = find(s, id, now_s());
	if (sl != NULL && r == STORE_OK) {
		sl->version = 1;
		sl->row_expires = expires;
	} else if (sl != NULL) {
		slot_wipe(s, sl);
	}
	pthread_mutex_unlock(&s->lock);
	sodium_memzero(&row, sizeof row);
	return r == STORE_OK ? 0 : -1;
}

/*
 * Runs fn on the live slot of token under the lock. With a store, the slot is first read
 * from its row (W_CACHED: only when this node does not hold it), and after fn the row is
 * written (W_PUT, or when its expiry would move); a row another node changed meanwhile is
 * read again and fn run again on it.
 */
int sessions_with(struct sessions *s, const char *token,
                  int (*fn)(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32]),
                  void *arg, int flags)
{
	uint8_t raw[32], id[32];
	if (token_decode(token, raw) != 0)
		return -1;
	token_id(s, raw, id);
	int rc = -1;
	for (int attempt = 0; attempt < 3; attempt++) {
		if (s->store != NULL) {
			int hit = 0;
			if ((flags & W_CACHED) != 0 && attempt == 0) {
				pthread_mutex_lock(&s->lock);
				hit = find(s, id, now_s()) != NULL;
				pthread_mutex_unlock(&s->lock);
			}
			if (!hit && refresh(s, raw, id) != 0) {
				rc = -1;
				break;
			}
		}
		int put = 0;
		rc = -1;
		pthread_mutex_lock(&s->lock);
		uint64_t now = now_s();
		struct slot *sl = find(s, id, now);
		if (sl != NULL) {
			sl->last_seen = now;
			rc = fn(s, sl, arg, raw);
			put = s->store != NULL &&
			      ((flags & W_PUT) != 0 || ((flags & W_CACHED) == 0 && rc == 0 &&
			                                row_expiry(s) > sl->row_expires));
		}
		pthread_mutex_unlock(&s->lock);
		if (!put)
			break;
		struct put_arg pa = {.s = s, .raw = raw, .id = id};
		if (session_rows_write(s->store, put_tx, &pa) != STORE_EXISTS)
			break; /* a failed write leaves this node's copy, and the row, as they were
			        */
	}
	sodium_memzero(raw, sizeof raw);
	return rc;
}

int sessions_use_store(struct sessions *s, struct store *store, const uint8_t *salt, size_t len)
{
	static const uint8_t ctx[] = "cutout intake session id v1";
	if (store == NULL || salt == NULL || len < crypto_generichash_KEYBYTES_MIN ||
	    len > crypto_generichash_KEYBYTES_MAX || s->used != 0)
		return -1;
	crypto_generichash(s->idkey, sizeof s->idkey, ctx, sizeof ctx - 1, salt, len);
	s->store = store;
	return 0;
}

enum store_result sessions_commit_tx(struct store *st, void *arg)
{
	struct sessions_commit *c = arg;
	uint8_t raw[32], id[32];
	c->result = STORE_NOT_FOUND;
	if (c->s->store == NULL)
		return c->result = STORE_OK;
	if (token_decode(c->token, raw) != 0)
		return c->result;
	token_id(c->s, raw, id);
	struct put_arg pa = {.s = c->s, .raw = raw, .id = id};
	c->result = put_tx(st, &pa);
	sodium_memzero(raw, sizeof raw);
	return c->result;
}
