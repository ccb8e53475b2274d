/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/intake/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/intake/session_internal.h"
#include "core/session/session_rows.h"

#include "lib/banned.h"

uint64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

int sessions_new(size_t max, unsigned idle_seconds, struct sessions **out)
{
	*out = NULL;
	if (max == 0 || max > (1u << 22))
		return -1;
	struct sessions *s = calloc(1, sizeof *s);
	if (s == NULL)
		return -1;
	size_t n = 16;
	while (n < 2 * max)
		n *= 2;
	s->slots = calloc(n, sizeof *s->slots);
	if (s->slots == NULL) {
		free(s);
		return -1;
	}
	s->nslots = n;
	s->max = max;
	s->idle = idle_seconds;
	randombytes_buf(s->idkey, sizeof s->idkey);
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

void sessions_free(struct sessions **ps)
{
	struct sessions *s = *ps;
	if (s == NULL)
		return;
	sodium_memzero(s->slots, s->nslots * sizeof *s->slots);
	free(s->slots);
	pthread_mutex_destroy(&s->lock);
	sodium_memzero(s, sizeof *s);
	free(s);
	*ps = NULL;
}

/* Decodes a cookie token; returns 0 if it is 43 chars of base64url giving 32 bytes. */
int token_decode(const char *token, uint8_t raw[32])
{
	size_t len;
	if (token == NULL || strlen(token) != SESSION_TOKEN_LEN)
		return -1;
	if (sodium_base642bin(raw, 32, token, SESSION_TOKEN_LEN, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != 32)
		return -1;
	return 0;
}

void token_id(const struct sessions *s, const uint8_t raw[32], uint8_t id[32])
{
	crypto_generichash(id, 32, raw, 32, s->idkey, sizeof s->idkey);
}

/* The key that wraps the source's secret key: derived from the token alone. */
static void token_wrap_key(const uint8_t raw[32], uint8_t key[32])
{
	static const uint8_t ctx[] = "cutout intake session key wrap v1";
	crypto_generichash(key, 32, ctx, sizeof ctx - 1, raw, 32);
}

void slot_wipe(struct sessions *s, struct slot *sl)
{
	sodium_memzero(sl, sizeof *sl);
	sl->state = SLOT_DEAD;
	s->used--;
	s->dead++;
}

static int expired(const struct sessions *s, const struct slot *sl, uint64_t now)
{
	return now - sl->last_seen > s->idle;
}

static size_t index_of(const struct sessions *s, const uint8_t id[32])
{
	uint64_t h;
	memcpy(&h, id, sizeof h);
	return (size_t)h & (s->nslots - 1);
}

/* Finds the live slot of id, or NULL. Expired sessions are removed on the way. */
struct slot *find(struct sessions *s, const uint8_t id[32], uint64_t now)
{
	size_t i = index_of(s, id);
	for (size_t probe = 0; probe < s->nslots; probe++, i = (i + 1) & (s->nslots - 1)) {
		struct slot *sl = &s->slots[i];
		if (sl->state == SLOT_EMPTY)
			return NULL;
		if (sl->state == SLOT_USED && sodium_memcmp(sl->id, id, 32) == 0) {
			if (expired(s, sl, now)) {
				slot_wipe(s, sl);
				return NULL;
			}
			return sl;
		}
	}
	return NULL;
}

/* Rebuilds the table without dead and expired slots. */
void compact(struct sessions *s, uint64_t now)
{
	size_t n = s->nslots;
	struct slot *old = s->slots;
	struct slot *fresh = calloc(n, sizeof *fresh);
	if (fresh == NULL)
		return;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (old[i].state != SLOT_USED || expired(s, &old[i], now))
			continue;
		size_t j = index_of(s, old[i].id);
		while (fresh[j].state != SLOT_EMPTY)
			j = (j + 1) & (n - 1);
		fresh[j] = old[i];
		used++;
	}
	sodium_memzero(old, n * sizeof *old);
	free(old);
	s->slots = fresh;
	s->used = used;
	s->dead = 0;
}

struct slot *insert(struct sessions *s, const uint8_t id[32], uint64_t now)
{
	if (s->used + s->dead >= s->nslots * 3 / 4)
		compact(s, now);
	size_t i = index_of(s, id);
	while (s->slots[i].state == SLOT_USED)
		i = (i + 1) & (s->nslots - 1);
	struct slot *sl = &s->slots[i];
	if (sl->state == SLOT_DEAD)
		s->dead--;
	memset(sl, 0, sizeof *sl);
	sl->state = SLOT_USED;
	memcpy(sl->id, id, 32);
	sl->last_seen = now;
	s->used++;
	return sl;
}

static void view_of(const struct slot *sl, struct session_view *v)
{
	if (v == NULL)
		return;
	v->source = sl->source;
	v->submissions = sl->submissions;
	memcpy(v->lang, sl->lang, sizeof v->lang);
}

static void new_token(uint8_t raw[32], char token[SESSION_TOKEN_LEN + 1])
{
	randombytes_buf(raw, 32);
	sodium_bin2base64(token, SESSION_TOKEN_LEN + 1, raw, 32,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int sessions_reserve(struct sessions *s)
{
	int rc = 0;
	pthread_mutex_lock(&s->lock);
	if (s->used + s->reserved >= s->max)
		compact(s, now_s());
	if (s->used + s->reserved >= s->max)
		rc = -1;
	else
		s->reserved++;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void sessions_unreserve(struct sessions *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->reserved > 0)
		s->reserved--;
	pthread_mutex_unlock(&s->lock);
}

int sessions_open(struct sessions *s, int64_t source, const uint8_t sk[static 32],
                  char token[static SESSION_TOKEN_LEN + 1], struct session_view *out)
{
	uint8_t raw[32], id[32], key[32];
	new_token(raw, token);
	token_id(s, raw, id);
	token_wrap_key(raw, key);
	pthread_mutex_lock(&s->lock);
	/* The reservation guarantees the place: used + reserved <= max < nslots. */
	if (s->reserved > 0)
		s->reserved--;
	struct slot *sl = insert(s, id, now_s());
	sl->source = source;
	randombytes_buf(sl->nonce, sizeof sl->nonce);
	crypto_secretbox_easy(sl->wrapped, sk, 32, sl->nonce, key);
	view_of(sl, out);
	pthread_mutex_unlock(&s->lock);
	sodium_memzero(key, sizeof key);
	int rc = s->store != NULL ? sessions_row_add(s, raw, id) : 0;
	sodium_memzero(raw, sizeof raw);
	if (rc != 0)
		sodium_memzero(token, SESSION_TOKEN_LEN + 1);
	return rc;
}

static int with_slot(struct sessions *s, const char *token,
                     int (*fn)(struct sessions *s, struct slot *sl, void *arg,
                               const uint8_t raw[32]),
                     void *arg)
{
	return sessions_with(s, token, fn, arg, 0);
}

static int get_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	view_of(sl, arg);
	return 0;
}

int sessions_get(struct sessions *s, const char *token, struct session_view *out)
{
	return with_slot(s, token, get_fn, out);
}

int sessions_get_cached(struct sessions *s, const char *token, struct session_view *out)
{
	return sessions_with(s, token, get_fn, out, W_CACHED);
}

static int key_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	uint8_t key[32];
	token_wrap_key(raw, key);
	int rc = crypto_secretbox_open_easy(arg, sl->wrapped, WRAPPED_LEN, sl->nonce, key);
	sodium_memzero(key, sizeof key);
	return rc == 0 ? 0 : -1;
}

int sessions_key(struct sessions *s, const char *token, uint8_t sk[static 32])
{
	int rc = with_slot(s, token, key_fn, sk);
	if (rc != 0)
		sodium_memzero(sk, 32);
	return rc;
}

static int count_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	int max = *(int *)arg;
	if (sl->submissions >= max)
		return 1;
	sl->submissions++;
	return 0;
}

int sessions_count_submission(struct sessions *s, const char *token, int max)
{
	return sessions_with(s, token, count_fn, &max, W_CACHED) == 0 ? 0 : 1;
}

/* The handoff's key: derived from the token alone, apart from the key wrap's. */
static void token_handoff_key(const uint8_t raw[32], uint8_t key[32])
{
	static const uint8_t ctx[] = "cutout intake session handoff v1";
	crypto_generichash(key, 32, ctx, sizeof ctx - 1, raw, 32);
}

static int once_decode(const char *once, uint8_t raw[16]);
static const uint8_t no_once[16];

struct handoff_arg {
	const char *text; /* hand_over */
	char *out;        /* take */
	uint8_t tag[16];
};

static int hand_over_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	struct handoff_arg *a = arg;
	uint8_t key[32];
	uint8_t plain[SESSION_HANDOFF_MAX] = {0};
	memcpy(plain, a->text, strlen(a->text));
	token_handoff_key(raw, key);
	randombytes_buf(sl->handoff_nonce, sizeof sl->handoff_nonce);
	crypto_secretbox_easy(sl->handoff_sealed, plain, sizeof plain, sl->handoff_nonce, key);
	memcpy(sl->handoff_tag, a->tag, sizeof sl->handoff_tag);
	sl->handoff = 1;
	sodium_memzero(plain, sizeof plain);
	sodium_memzero(key, sizeof key);
	return 0;
}

/* The tag's 16 bytes: zero for none (NULL or ""); -1 if malformed. */
static int tag_of(const char *tag, uint8_t raw[16])
{
	memset(raw, 0, 16);
	if (tag == NULL || tag[0] == 0)
		return 0;
	return once_decode(tag, raw) == 0 && memcmp(raw, no_once, 16) != 0 ? 0 : -1;
}

int sessions_hand_over(struct sessions *s, const char *token, const char *text, const char *tag)
{
	struct handoff_arg a = {.text = text};
	if (strlen(text) >= SESSION_HANDOFF_MAX || tag_of(tag, a.tag) != 0)
		return -1;
	return sessions_with(s, token, hand_over_fn, &a, W_PUT);
}

static int take_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	struct handoff_arg *a = arg;
	uint8_t key[32];
	if (!sl->handoff)
		return 1;
	int match = sodium_memcmp(sl->handoff_tag, a->tag, sizeof a->tag) == 0;
	int rc = 1;
	if (match) {
		token_handoff_key(raw, key);
		rc = crypto_secretbox_open_easy((unsigned char *)a->out, sl->handoff_sealed,
		                                sizeof sl->handoff_sealed, sl->handoff_nonce,
		                                key) == 0
		             ? 0
		             : -1;
		sodium_memzero(key, sizeof key);
	}
	/* Taken, or asked for with another tag (a reload): forgotten either way. */
	sl->handoff = 0;
	sodium_memzero(sl->handoff_tag, sizeof sl->handoff_tag);
	sodium_memzero(sl->handoff_sealed, sizeof sl->handoff_sealed);
	if (rc == 0)
		a->out[SESSION_HANDOFF_MAX - 1] = 0;
	return rc;
}

int sessions_take_handoff(struct sessions *s, const char *token, const char *tag,
                          char out[static SESSION_HANDOFF_MAX])
{
	struct handoff_arg a = {.out = out};
	int rc = tag_of(tag, a.tag) != 0 ? 1 : sessions_with(s, token, take_fn, &a, W_PUT);
	if (rc != 0)
		sodium_memzero(out, SESSION_HANDOFF_MAX);
	return rc;
}

static int lang_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	size_t n = strlen(arg);
	if (n >= sizeof sl->lang)
		return -1;
	memcpy(sl->lang, arg, n + 1);
	return 0;
}

void sessions_set_lang(struct sessions *s, const char *token, const char *lang)
{
	(void)sessions_with(s, token, lang_fn, (void *)lang, W_PUT);
}

void sessions_once_new(char out[static SESSION_ONCE_LEN + 1])
{
	uint8_t raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, SESSION_ONCE_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int once_decode(const char *once, uint8_t raw[16])
{
	size_t len;
	if (once == NULL || strlen(once) != SESSION_ONCE_LEN ||
	    sodium_base642bin(raw, 16, once, SESSION_ONCE_LEN, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != 16)
		return -1;
	return 0;
}

static int once_use_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	for (size_t i = 0; i < SESSION_ONCE_KEEP; i++)
		if (memcmp(sl->once[i], arg, 16) == 0)
			return 1;
	memcpy(sl->once[sl->once_next], arg, 16);
	sl->once_next = (uint8_t)((sl->once_next + 1) % SESSION_ONCE_KEEP);
	return 0;
}

int sessions_once_use(struct sessions *s, const char *token, const char *once)
{
	uint8_t raw[16];
	if (once_decode(once, raw) != 0 || memcmp(raw, no_once, 16) == 0)
		return -1;
	return sessions_with(s, token, once_use_fn, raw, W_CACHED);
}

static int once_release_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	for (size_t i = 0; i < SESSION_ONCE_KEEP; i++)
		if (memcmp(sl->once[i], arg, 16) == 0)
			memset(sl->once[i], 0, 16);
	return 0;
}

void sessions_once_release(struct sessions *s, const char *token, const char *once)
{
	uint8_t raw[16];
	if (once_decode(once, raw) == 0 && memcmp(raw, no_once, 16) != 0)
		(void)sessions_with(s, token, once_release_fn, raw, W_CACHED);
}

static int destroy_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	slot_wipe(s, sl);
	return 0;
}

void sessions_destroy(struct sessions *s, const char *token)
{
	uint8_t raw[32], id[32];
	if (s->store != NULL && token_decode(token, raw) == 0) {
		token_id(s, raw, id);
		(void)session_rows_delete(s->store, SESSION_KIND_INTAKE, id);
		sodium_memzero(raw, sizeof raw);
	}
	(void)sessions_with(s, token, destroy_fn, NULL, W_CACHED);
}

void sessions_destroy_source(struct sessions *s, int64_t source)
{
	if (s->store != NULL && source > 0)
		(void)session_rows_delete_owner(s->store, SESSION_KIND_INTAKE, source);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].state == SLOT_USED && s->slots[i].source == source)
			slot_wipe(s, &s->slots[i]);
	pthread_mutex_unlock(&s->lock);
}

size_t sessions_count(struct sessions *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->used;
	pthread_mutex_unlock(&s->lock);
	return n;
}

struct reclaim_arg {
	const uint8_t *once; /* NULL: none */
	int max;
};

static int reclaim_fn(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32])
{
	struct reclaim_arg *a = arg;
	if (a->once != NULL && once_use_fn(s, sl, (void *)a->once, raw) != 0)
		return 1;
	return count_fn(s, sl, &a->max, raw);
}

int sessions_reclaim(struct sessions *s, const char *token, const char *once, int max)
{
	uint8_t raw[16];
	struct reclaim_arg a = {.max = max};
	if (once != NULL) {
		if (once_decode(once, raw) != 0 || memcmp(raw, no_once, 16) == 0)
			return -1;
		a.once = raw;
	}
	return sessions_with(s, token, reclaim_fn, &a, 0);
}
