/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* merkle_cache: see merkle_cache.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/merkle_cache.h"

#include "lib/banned.h"

#define STRIPES 64 /* locks, each guarding every STRIPES-th slot */

struct slot {
	uint64_t index;
	uint8_t level; /* 0: empty (only levels >= 1 are ever kept) */
	uint8_t hash[MERKLE_HASH_LEN];
};

struct merkle_cache {
	unsigned min_level;
	size_t mask;
	pthread_mutex_t mu[STRIPES];
	struct slot *slots;
};

struct merkle_cache *merkle_cache_new(unsigned min_level, size_t slots)
{
	if (min_level == 0 || min_level >= MERKLE_LEVELS || slots < 64)
		return NULL;
	size_t n = 64;
	while (n <= slots / 2)
		n *= 2;
	struct merkle_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->slots = calloc(n, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	c->min_level = min_level;
	c->mask = n - 1;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->mu[i], NULL);
	return c;
}

void merkle_cache_free(struct merkle_cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->mu[i]);
	free(c->slots);
	free(c);
}

/* The slot of (level, index): splitmix64's finaliser over both. */
static size_t slot_of(const struct merkle_cache *c, unsigned level, uint64_t index)
{
	uint64_t k = index + (uint64_t)level * UINT64_C(0x9E3779B97F4A7C15);
	k = (k ^ (k >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	k = (k ^ (k >> 27)) * UINT64_C(0x94D049BB133111EB);
	k ^= k >> 31;
	return (size_t)(k & c->mask);
}

static bool kept(const struct merkle_cache *c, unsigned level)
{
	return c != NULL && level >= c->min_level && level < MERKLE_LEVELS;
}

int merkle_cache_get(struct merkle_cache *c, unsigned level, uint64_t index,
                     uint8_t out[static MERKLE_HASH_LEN])
{
	if (!kept(c, level))
		return -1;
	size_t i = slot_of(c, level, index);
	int r = -1;
	pthread_mutex_lock(&c->mu[i % STRIPES]);
	const struct slot *s = &c->slots[i];
	if (s->level == level && s->index == index) {
		memcpy(out, s->hash, MERKLE_HASH_LEN);
		r = 0;
	}
	pthread_mutex_unlock(&c->mu[i % STRIPES]);
	return r;
}

void merkle_cache_put(struct merkle_cache *c, unsigned level, uint64_t index,
                      const uint8_t hash[static MERKLE_HASH_LEN])
{
	if (!kept(c, level))
		return;
	size_t i = slot_of(c, level, index);
	pthread_mutex_lock(&c->mu[i % STRIPES]);
	struct slot *s = &c->slots[i];
	s->level = (uint8_t)level;
	s->index = index;
	memcpy(s->hash, hash, MERKLE_HASH_LEN);
	pthread_mutex_unlock(&c->mu[i % STRIPES]);
}
