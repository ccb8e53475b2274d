/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/secmem.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

#define NSLOTS 512 /* 64 KiB of slots */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static uint8_t *region;            /* NSLOTS * SECMEM_SLOT, from sodium_malloc */
static uint64_t used[NSLOTS / 64]; /* one bit a slot */

static void setup(void)
{
	region = sodium_malloc((size_t)NSLOTS * SECMEM_SLOT);
	if (region != NULL)
		sodium_memzero(region, (size_t)NSLOTS * SECMEM_SLOT);
}

static int in_region(const void *p)
{
	uintptr_t a = (uintptr_t)p, r = (uintptr_t)region;
	return region != NULL && a >= r && a < r + (uintptr_t)NSLOTS * SECMEM_SLOT;
}

void *secmem_alloc(size_t n)
{
	pthread_once(&once, setup);
	if (n <= SECMEM_SLOT && region != NULL) {
		pthread_mutex_lock(&lock);
		for (size_t w = 0; w < NSLOTS / 64; w++) {
			if (used[w] == UINT64_MAX)
				continue;
			unsigned bit = (unsigned)__builtin_ctzll(~used[w]);
			used[w] |= 1ull << bit;
			pthread_mutex_unlock(&lock);
			return region + (w * 64 + bit) * SECMEM_SLOT;
		}
		pthread_mutex_unlock(&lock);
	}
	void *p = sodium_malloc(n);
	if (p != NULL)
		sodium_memzero(p, n);
	return p;
}

void secmem_free(void *p)
{
	if (p == NULL)
		return;
	if (!in_region(p)) {
		sodium_free(p);
		return;
	}
	size_t slot = (size_t)((uint8_t *)p - region) / SECMEM_SLOT;
	sodium_memzero(region + slot * SECMEM_SLOT, SECMEM_SLOT);
	pthread_mutex_lock(&lock);
	used[slot / 64] &= ~(1ull << (slot % 64));
	pthread_mutex_unlock(&lock);
}
