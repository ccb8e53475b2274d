/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/desk_session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/session/session_rows.h"

#include "lib/banned.h"

#define PASSWORD_MAX 1024

struct desk_session {
	uint8_t id[32]; /* keyed hash of the token */
	uint64_t last_seen;
	int refs;  /* requests using it */
	int ended; /* removed from the table; wiped at the last release */
	struct officer_key *key;
	store_id officer;
	char name[OFFICER_NAME_MAX + 1];
	unsigned roles;
	int enrolling;
	char *password; /* sodium_malloc, enrolling only */
	char secret[TOTP_B32_MAX];
	char uri[TOTP_URI_MAX];
	char lang[DESK_LANG_MAX]; /* the officer's chosen language, "" for the browser's */
	/* with a store: the row's version this copy holds, the exact expiry last written to
	   it (seconds since 1970, UTC) and the key its data is sealed under (from the token) */
	int64_t version;
	int64_t row_expires;
	uint8_t row_key[32];
};

struct desk_sessions {
	pthread_mutex_t lock;
	struct desk_session **slots;
	size_t max;
	uint64_t idle;
	uint8_t idkey[crypto_generichash_KEYBYTES]; /* per process, or the instance's (a store) */
	struct store *store;                        /* NULL: this process's memory alone */
	struct officers *officers;                  /* with a store: to open another node's */
};

static uint64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

int desk_sessions_new(size_t max, unsigned idle_seconds, struct desk_sessions **out)
{
	*out = NULL;
	if (max == 0 || max > 65536 || idle_seconds == 0)
		return -1;
	struct desk_sessions *s = calloc(1, sizeof *s);
	if (s == NULL)
		return -1;
	s->slots = calloc(max, sizeof *s->slots);
	if (s->slots == NULL) {
		free(s);
		return -1;
	}
	s->max = max;
	s->idle = idle_seconds;
	randombytes_buf(s->idkey, sizeof s->idkey);
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

/* Wipes and frees a session nobody uses any more. */
static void wipe(struct desk_session *d)
{
	if (d == NULL)
		return;
	officer_key_free(&d->key);
	if (d->password != NULL) {
		sodium_memzero(d->password, PASSWORD_MAX);
		sodium_free(d->password);
	}
	sodium_memzero(d, sizeof *d);
	free(d);
}

/* Takes slot i out of the table (lock held). */
static void end_slot(struct desk_sessions *s, size_t i)
{
	struct desk_session *d = s->slots[i];
	s->slots[i] = NULL;
	if (d == NULL)
		return;
	if (d->refs > 0) {
		/* Out of the table now; the keys are wiped at the last release. */
		d->ended = 1;
		return;
	}
	wipe(d);
}

void desk_sessions_free(struct desk_sessions **ps)
{
	struct desk_sessions *s = *ps;
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->max; i++)
		wipe(s->slots[i]); /* no request runs any more */
	free(s->slots);
	pthread_mutex_destroy(&s->lock);
	sodium_memzero(s, sizeof *s);
	free(s);
	*ps = NULL;
}

static int token_raw(const char *token, uint8_t raw[32])
{
	size_t len;
	if (token == NULL || strlen(token) != DESK_TOKEN_LEN ||
	    sodium_base642bin(raw, 32, token, DESK_TOKEN_LEN, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != 32) {
		sodium_memzero(raw, 32);
		return -1;
	}
	return 0;
}

static int token_id(const struct desk_sessions *s, const char *token, uint8_t id[32])
{
	uint8_t raw[32];
	if (token_raw(token, raw) != 0)
		return -1;
	crypto_generichash(id, 32, raw, sizeof raw, s->idkey, sizeof s->idkey);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

/* ---- the rows in the store (desk_sessions_use_store): every node finds every session ---- */

/* What a row holds, sealed under row_key (derived from the token). */
struct row_plain {
	int64_t expires; /* row_expiry: known only to who holds the token */
	int64_t officer;
	uint8_t enrolling, pad[7];
	char key[OFFICER_KEY_TEXT_MAX]; /* logged in: the officer's own identity */
	char name[OFFICER_NAME_MAX + 1];
	char lang[DESK_LANG_MAX];
	char password[PASSWORD_MAX]; /* enrolling: name, password, TOTP secret and URI */
	char secret[TOTP_B32_MAX];
	char uri[TOTP_URI_MAX];
};

#define ROW_LEN (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof(struct row_plain))
_Static_assert(ROW_LEN <= SESSION_ROW_MAX, "a session fits a row");

static void row_key_of(const uint8_t raw[32], uint8_t key[32])
{
	static const uint8_t ctx[] = "cutout desk session row v1";
	crypto_generichash(key, 32, ctx, sizeof ctx - 1, raw, 32);
}

/* A session's expiry, sealed inside its row; the store sees only the end of its day. */
static int64_t row_expiry(const struct desk_sessions *s)
{
	return session_rows_expiry(s->idle);
}

static int64_t row_day_end(int64_t expires)
{
	return session_rows_day_end(expires);
}

/* d's row (lock held: d's fields are read), sealed; p is wiped. */
static int row_make(const struct desk_session *d, int64_t expires, struct session_row *row)
{
	struct row_plain p;
	memset(&p, 0, sizeof p);
	memset(row, 0, sizeof *row);
	p.expires = expires;
	p.officer = d->officer;
	p.enrolling = (uint8_t)(d->enrolling != 0);
	memcpy(p.name, d->name, sizeof p.name);
	memcpy(p.lang, d->lang, sizeof p.lang);
	int rc = 0;
	if (d->enrolling) {
		memcpy(p.password, d->password, sizeof p.password);
		memcpy(p.secret, d->secret, sizeof p.secret);
		memcpy(p.uri, d->uri, sizeof p.uri);
	} else if (officer_key_export(d->key, p.key) != 0) {
		rc = -1;
	}
	if (rc == 0) {
		row->owner = d->officer;
		row->version = d->version;
		row->expires = row_day_end(expires);
		randombytes_buf(row->data, crypto_secretbox_NONCEBYTES);
		crypto_secretbox_easy(row->data + crypto_secretbox_NONCEBYTES, (const uint8_t *)&p,
		                      sizeof p, row->data, d->row_key);
		row->len = ROW_LEN;
	}
	sodium_memzero(&p, sizeof p);
	return rc;
}

static int row_open(const uint8_t key[32], const struct session_row *row, struct row_plain *p)
{
	if (row->len != ROW_LEN ||
	    crypto_secretbox_open_easy((uint8_t *)p, row->data + crypto_secretbox_NONCEBYTES,
	                               ROW_LEN - crypto_secretbox_NONCEBYTES, row->data,
	                               key) != 0) {
		sodium_memzero(p, sizeof *p);
		return -1;
	}
	p->key[sizeof p->key - 1] = 0;
	p->name[sizeof p->name - 1] = 0;
	p->lang[sizeof p->lang - 1] = 0;
	p->password[sizeof p->password - 1] = 0;
	p->secret[sizeof p->secret - 1] = 0;
	p->uri[sizeof p->uri - 1] = 0;
	return p->officer == row->owner && p->officer > 0 ? 0 : -1;
}

/*
 * Writes d's row again (its expiry moved, or its language changed) if the row still holds
 * the version d was read at or last written as; another node's change wins (d is read
 * again at the next request). d is borrowed by the caller.
 */
static void row_put(struct desk_sessions *s, struct desk_session *d)
{
	struct session_row row;
	int64_t expires = row_expiry(s);
	pthread_mutex_lock(&s->lock);
	int rc = row_make(d, expires, &row);
	pthread_mutex_unlock(&s->lock);
	if (rc == 0 && session_rows_put(s->store, SESSION_KIND_DESK, d->id, &row) == STORE_OK) {
		pthread_mutex_lock(&s->lock);
		if (d->version == row.version) {
			d->version = row.version + 1;
			d->row_expires = expires;
		}
		pthread_mutex_unlock(&s->lock);
	}
	sodium_memzero(&row, sizeof row);
}

/*
 * The session a row holds, opened with the token's key: its keys got again (resume), or
 * its enrolment. NULL if it does not open, its idle time is over (its row is deleted) or
 * the officer may no longer have it. Called without the lock (it reads the store).
 */
static struct desk_session *row_load(struct desk_sessions *s, const uint8_t id[32],
                                     const uint8_t key[32], const struct session_row *row)
{
	struct row_plain p;
	struct desk_session *d = NULL;
	if (row_open(key, row, &p) != 0)
		goto out;
	if (p.expires < session_rows_now()) {
		(void)session_rows_delete(s->store, SESSION_KIND_DESK, id);
		goto out;
	}
	size_t nn = strlen(p.name);
	if ((d = calloc(1, sizeof *d)) == NULL || nn > OFFICER_NAME_MAX)
		goto fail;
	d->officer = p.officer;
	memcpy(d->name, p.name, nn + 1);
	memcpy(d->lang, p.lang, sizeof d->lang);
	if (p.enrolling) {
		if ((d->password = sodium_malloc(PASSWORD_MAX)) == NULL)
			goto fail;
		d->enrolling = 1;
		memcpy(d->password, p.password, PASSWORD_MAX);
		memcpy(d->secret, p.secret, sizeof d->secret);
		memcpy(d->uri, p.uri, sizeof d->uri);
	} else {
		if (officer_key_resume(s->officers, p.officer, p.key, &d->key) != OFFICER_OK ||
		    strcmp(officer_key_name(d->key), d->name) != 0)
			goto fail;
		d->roles = officer_key_roles(d->key);
	}
	memcpy(d->id, id, 32);
	memcpy(d->row_key, key, 32);
	d->version = row->version;
	d->row_expires = p.expires;
	goto out;
fail:
	wipe(d);
	d = NULL;
out:
	sodium_memzero(&p, sizeof p);
	return d;
}

/* ---- the table ---- */

/* The slot index of id, live or not, or -1 (lock held). */
static long find_any(struct desk_sessions *s, const uint8_t id[32])
{
	for (size_t i = 0; i < s->max; i++)
		if (s->slots[i] != NULL && sodium_memcmp(s->slots[i]->id, id, 32) == 0)
			return (long)i;
	return -1;
}

static void sweep_locked(struct desk_sessions *s, uint64_t now)
{
	for (size_t i = 0; i < s->max; i++)
		if (s->slots[i] != NULL && now - s->slots[i]->last_seen > s->idle)
			end_slot(s, i);
}

/*
 * A free slot for d (lock held): with a store, the table is a cache and its least recently
 * used session goes when it is full (its row stays: read again when asked for). 0, or -1.
 */
static int place(struct desk_sessions *s, struct desk_session *d)
{
	long lru = -1;
	for (size_t i = 0; i < s->max; i++) {
		if (s->slots[i] == NULL) {
			s->slots[i] = d;
			return 0;
		}
		if (lru < 0 || s->slots[i]->last_seen < s->slots[lru]->last_seen)
			lru = (long)i;
	}
	if (s->store == NULL || lru < 0)
		return -1;
	end_slot(s, (size_t)lru);
	s->slots[lru] = d;
	return 0;
}

/* Puts d in a free slot and writes its token (and its row). 0, or -1 when full (d wiped). */
static int insert(struct desk_sessions *s, struct desk_session *d,
                  char token[static DESK_TOKEN_LEN + 1])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, DESK_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(d->id, 32, raw, sizeof raw, s->idkey, sizeof s->idkey);
	row_key_of(raw, d->row_key);
	sodium_memzero(raw, sizeof raw);
	if (s->store != NULL) {
		struct session_row row;
		int64_t expires = row_expiry(s);
		d->version = 1;
		int rc = row_make(d, expires, &row);
		if (rc == 0 && session_rows_add(s->store, SESSION_KIND_DESK, d->id, &row,
		                                (int64_t)s->max) != STORE_OK)
			rc = -1;
		sodium_memzero(&row, sizeof row);
		d->row_expires = expires;
		if (rc != 0)
			goto fail;
	}
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	d->last_seen = now;
	if (s->store == NULL)
		sweep_locked(s, now);
	if (place(s, d) == 0) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (s->store != NULL)
		(void)session_rows_delete(s->store, SESSION_KIND_DESK, d->id);
fail:
	sodium_memzero(token, DESK_TOKEN_LEN + 1);
	wipe(d);
	return -1;
}

int desk_sessions_use_store(struct desk_sessions *s, struct store *store, struct officers *officers,
                            const uint8_t *salt, size_t len)
{
	static const uint8_t ctx[] = "cutout desk session id v1";
	if (store == NULL || officers == NULL || salt == NULL ||
	    len < crypto_generichash_KEYBYTES_MIN || len > crypto_generichash_KEYBYTES_MAX ||
	    desk_sessions_count(s) != 0)
		return -1;
	crypto_generichash(s->idkey, sizeof s->idkey, ctx, sizeof ctx - 1, salt, len);
	s->store = store;
	s->officers = officers;
	return 0;
}

int desk_sessions_login(struct desk_sessions *s, struct officer_key **key,
                        char token[static DESK_TOKEN_LEN + 1])
{
	struct desk_session *d = calloc(1, sizeof *d);
	if (d == NULL) {
		officer_key_free(key);
		return -1;
	}
	d->key = *key;
	*key = NULL;
	d->officer = officer_key_id(d->key);
	d->roles = officer_key_roles(d->key);
	const char *name = officer_key_name(d->key);
	size_t n = name != NULL ? strlen(name) : 0;
	if (n > OFFICER_NAME_MAX) {
		wipe(d);
		return -1;
	}
	memcpy(d->name, name, n);
	return insert(s, d, token);
}

int desk_sessions_enrol(struct desk_sessions *s, const char *name, const char *password,
                        const char *secret, const char *uri, char token[static DESK_TOKEN_LEN + 1])
{
	size_t nn = strlen(name), pn = strlen(password), sn = strlen(secret), un = strlen(uri);
	if (nn > OFFICER_NAME_MAX || pn >= PASSWORD_MAX || sn >= TOTP_B32_MAX || un >= TOTP_URI_MAX)
		return -1;
	struct desk_session *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	d->password = sodium_malloc(PASSWORD_MAX);
	if (d->password == NULL) {
		wipe(d);
		return -1;
	}
	d->enrolling = 1;
	memset(d->password, 0, PASSWORD_MAX);
	memcpy(d->name, name, nn);
	memcpy(d->password, password, pn + 1);
	memcpy(d->secret, secret, sn + 1);
	memcpy(d->uri, uri, un + 1);
	if (s->store != NULL) { /* its row names the officer (who ends it: an admin's change) */
		struct officer of;
		if (officer_get(s->officers, name, &of) != OFFICER_OK) {
			wipe(d);
			return -1;
		}
		d->officer = of.id;
	}
	return insert(s, d, token);
}

/* The slot index of token's live session, or -1 (lock held). */
static long find(struct desk_sessions *s, const uint8_t id[32], uint64_t now)
{
	long i = find_any(s, id);
	if (i >= 0 && now - s->slots[i]->last_seen > s->idle) {
		end_slot(s, (size_t)i);
		return -1;
	}
	return i;
}

/* Borrows d into out (lock held). */
static void borrow(struct desk_session *d, uint64_t now, struct desk_session_view *out)
{
	d->last_seen = now;
	d->refs++;
	out->officer = d->officer;
	memcpy(out->name, d->name, sizeof out->name);
	out->roles = d->roles;
	out->enrolling = d->enrolling;
	out->key = d->key;
	memcpy(out->lang, d->lang, sizeof out->lang);
	if (d->enrolling) {
		out->enrol_password = d->password;
		out->enrol_secret = d->secret;
		out->enrol_uri = d->uri;
	}
}

/*
 * With a store: the session of id as its row says (one read): the cached copy if the row
 * still has its version, else the row opened again; a row gone ends the cached copy.
 */
static struct desk_session *acquire_stored(struct desk_sessions *s, const uint8_t raw[32],
                                           const uint8_t id[32], struct desk_session_view *out)
{
	struct session_row row;
	struct desk_session *d = NULL;
	uint8_t key[32];
	int put = 0;
	enum store_result r = session_rows_get(s->store, SESSION_KIND_DESK, id, &row);
	pthread_mutex_lock(&s->lock);
	long i = find_any(s, id);
	if (r == STORE_NOT_FOUND && i >= 0)
		end_slot(s, (size_t)i); /* ended on another node */
	if (r == STORE_OK && i >= 0 && s->slots[i]->version == row.version) {
		d = s->slots[i];
		if (session_rows_now() > d->row_expires) {
			end_slot(s, (size_t)i);
			pthread_mutex_unlock(&s->lock);
			(void)session_rows_delete(s->store, SESSION_KIND_DESK, id);
			goto out_null;
		}
		borrow(d, now_s(), out);
		put = row_expiry(s) > d->row_expires;
	}
	pthread_mutex_unlock(&s->lock);
	if (r != STORE_OK)
		goto out_null;
	if (d == NULL) {
		row_key_of(raw, key);
		struct desk_session *n = row_load(s, id, key, &row);
		sodium_memzero(key, sizeof key);
		if (n == NULL)
			goto out_null;
		pthread_mutex_lock(&s->lock);
		n->last_seen = now_s();
		if ((i = find_any(s, id)) >= 0)
			end_slot(s, (size_t)i); /* a stale copy */
		if (place(s, n) == 0) {
			d = n;
			borrow(d, now_s(), out);
			put = row_expiry(s) > d->row_expires;
		}
		pthread_mutex_unlock(&s->lock);
		if (d == NULL) {
			wipe(n);
			goto out_null;
		}
	}
	sodium_memzero(&row, sizeof row);
	if (put)
		row_put(s, d);
	return d;
out_null:
	sodium_memzero(&row, sizeof row);
	memset(out, 0, sizeof *out);
	return NULL;
}

struct desk_session *desk_sessions_acquire(struct desk_sessions *s, const char *token,
                                           struct desk_session_view *out)
{
	uint8_t raw[32], id[32];
	memset(out, 0, sizeof *out);
	if (token_raw(token, raw) != 0)
		return NULL;
	crypto_generichash(id, 32, raw, sizeof raw, s->idkey, sizeof s->idkey);
	struct desk_session *d = NULL;
	if (s->store != NULL) {
		d = acquire_stored(s, raw, id, out);
	} else {
		pthread_mutex_lock(&s->lock);
		uint64_t now = now_s();
		long i = find(s, id, now);
		if (i >= 0) {
			d = s->slots[i];
			borrow(d, now, out);
		}
		pthread_mutex_unlock(&s->lock);
	}
	sodium_memzero(raw, sizeof raw);
	return d;
}

void desk_sessions_set_lang(struct desk_sessions *s, struct desk_session *d, const char *lang)
{
	size_t n = strlen(lang);
	if (n >= sizeof d->lang)
		return;
	pthread_mutex_lock(&s->lock);
	memcpy(d->lang, lang, n + 1);
	int put = s->store != NULL && !d->ended;
	pthread_mutex_unlock(&s->lock);
	if (put)
		row_put(s, d); /* every node shows the officer's language */
}

struct desk_session *desk_sessions_borrow_next(struct desk_sessions *s, size_t *cursor,
                                               struct desk_session_view *out)
{
	memset(out, 0, sizeof *out);
	struct desk_session *d = NULL;
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	for (; *cursor < s->max && d == NULL; (*cursor)++) {
		struct desk_session *c = s->slots[*cursor];
		if (c == NULL || c->enrolling || c->key == NULL || now - c->last_seen > s->idle)
			continue;
		d = c;
		d->refs++;
		out->officer = d->officer;
		memcpy(out->name, d->name, sizeof out->name);
		out->roles = d->roles;
		out->key = d->key;
	}
	pthread_mutex_unlock(&s->lock);
	return d;
}

void desk_sessions_release(struct desk_sessions *s, struct desk_session **pd)
{
	struct desk_session *d = *pd;
	if (d == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	d->refs--;
	if (d->refs == 0 && d->ended)
		wipe(d);
	pthread_mutex_unlock(&s->lock);
	*pd = NULL;
}

void desk_sessions_end(struct desk_sessions *s, const char *token)
{
	uint8_t id[32];
	if (token_id(s, token, id) != 0)
		return;
	if (s->store != NULL) /* every node's copy ends at its next request */
		(void)session_rows_delete(s->store, SESSION_KIND_DESK, id);
	pthread_mutex_lock(&s->lock);
	long i = find_any(s, id);
	if (i >= 0)
		end_slot(s, (size_t)i);
	pthread_mutex_unlock(&s->lock);
}

void desk_sessions_end_officer(struct desk_sessions *s, const char *name)
{
	struct officer of;
	if (s->store != NULL && officer_get(s->officers, name, &of) == OFFICER_OK)
		(void)session_rows_delete_owner(s->store, SESSION_KIND_DESK, of.id);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->max; i++)
		if (s->slots[i] != NULL && strcmp(s->slots[i]->name, name) == 0)
			end_slot(s, i);
	pthread_mutex_unlock(&s->lock);
}

#define SWEEP_ROWS 32 /* rows of idle sessions looked at per sweep (the rest: the next one) */

void desk_sessions_sweep(struct desk_sessions *s)
{
	uint8_t ids[SWEEP_ROWS][32];
	int64_t versions[SWEEP_ROWS];
	size_t n = 0;
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	int64_t wall = s->store != NULL ? session_rows_now() : 0;
	for (size_t i = 0; i < s->max; i++) {
		struct desk_session *d = s->slots[i];
		if (d == NULL || now - d->last_seen <= s->idle)
			continue;
		/* With a store, a copy idle here may be in use on another node: its row is
		   deleted only if nobody wrote it since this node did and its expiry passed. */
		if (s->store != NULL && wall > d->row_expires) {
			if (n == SWEEP_ROWS)
				continue;
			memcpy(ids[n], d->id, 32);
			versions[n++] = d->version;
		}
		end_slot(s, i);
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t k = 0; k < n; k++) {
		struct session_row row;
		if (session_rows_get(s->store, SESSION_KIND_DESK, ids[k], &row) == STORE_OK &&
		    row.version == versions[k])
			(void)session_rows_delete(s->store, SESSION_KIND_DESK, ids[k]);
		sodium_memzero(&row, sizeof row);
	}
}

size_t desk_sessions_count(struct desk_sessions *s)
{
	size_t n = 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->max; i++)
		n += s->slots[i] != NULL;
	pthread_mutex_unlock(&s->lock);
	return n;
}
