/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/desk_session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

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
};

struct desk_sessions {
	pthread_mutex_t lock;
	struct desk_session **slots;
	size_t max;
	uint64_t idle;
	uint8_t idkey[crypto_generichash_KEYBYTES];
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

static int token_id(const struct desk_sessions *s, const char *token, uint8_t id[32])
{
	uint8_t raw[32];
	size_t len;
	if (token == NULL || strlen(token) != DESK_TOKEN_LEN ||
	    sodium_base642bin(raw, sizeof raw, token, DESK_TOKEN_LEN, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof raw)
		return -1;
	crypto_generichash(id, 32, raw, sizeof raw, s->idkey, sizeof s->idkey);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

static void sweep_locked(struct desk_sessions *s, uint64_t now)
{
	for (size_t i = 0; i < s->max; i++)
		if (s->slots[i] != NULL && now - s->slots[i]->last_seen > s->idle)
			end_slot(s, i);
}

/* Puts d in a free slot and writes its token. Returns 0, or -1 when full (d is wiped). */
static int insert(struct desk_sessions *s, struct desk_session *d,
                  char token[static DESK_TOKEN_LEN + 1])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, DESK_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(d->id, 32, raw, sizeof raw, s->idkey, sizeof s->idkey);
	sodium_memzero(raw, sizeof raw);
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	d->last_seen = now;
	sweep_locked(s, now);
	for (size_t i = 0; i < s->max; i++) {
		if (s->slots[i] == NULL) {
			s->slots[i] = d;
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	sodium_memzero(token, DESK_TOKEN_LEN + 1);
	wipe(d);
	return -1;
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
	memcpy(d->name, name, nn);
	memcpy(d->password, password, pn + 1);
	memcpy(d->secret, secret, sn + 1);
	memcpy(d->uri, uri, un + 1);
	return insert(s, d, token);
}

/* The slot index of token's live session, or -1 (lock held). */
static long find(struct desk_sessions *s, const uint8_t id[32], uint64_t now)
{
	for (size_t i = 0; i < s->max; i++) {
		struct desk_session *d = s->slots[i];
		if (d != NULL && sodium_memcmp(d->id, id, 32) == 0) {
			if (now - d->last_seen > s->idle) {
				end_slot(s, i);
				return -1;
			}
			return (long)i;
		}
	}
	return -1;
}

struct desk_session *desk_sessions_acquire(struct desk_sessions *s, const char *token,
                                           struct desk_session_view *out)
{
	uint8_t id[32];
	memset(out, 0, sizeof *out);
	if (token_id(s, token, id) != 0)
		return NULL;
	pthread_mutex_lock(&s->lock);
	uint64_t now = now_s();
	long i = find(s, id, now);
	struct desk_session *d = NULL;
	if (i >= 0) {
		d = s->slots[i];
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
	pthread_mutex_unlock(&s->lock);
	return d;
}

void desk_sessions_set_lang(struct desk_sessions *s, struct desk_session *d, const char *lang)
{
	size_t n = strlen(lang);
	if (n >= sizeof d->lang)
		return;
	pthread_mutex_lock(&s->lock);
	memcpy(d->lang, lang, n + 1);
	pthread_mutex_unlock(&s->lock);
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
	pthread_mutex_lock(&s->lock);
	long i = find(s, id, now_s());
	if (i >= 0)
		end_slot(s, (size_t)i);
	pthread_mutex_unlock(&s->lock);
}

void desk_sessions_end_officer(struct desk_sessions *s, const char *name)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->max; i++)
		if (s->slots[i] != NULL && strcmp(s->slots[i]->name, name) == 0)
			end_slot(s, i);
	pthread_mutex_unlock(&s->lock);
}

void desk_sessions_sweep(struct desk_sessions *s)
{
	pthread_mutex_lock(&s->lock);
	sweep_locked(s, now_s());
	pthread_mutex_unlock(&s->lock);
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
