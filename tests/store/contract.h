/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract.h: what every test of the store contract suite (tests/store/)
 * shares. Header-only, one per test program, after t.h.
 *
 * The suite reaches the store only through its public interface
 * (core/store/store.h and the store_<domain>.h headers, core/ledger/ledger.h
 * for entries): nothing here knows which backend it runs against.
 *
 * Where the store lives:
 *  - CUTOUT_STORE unset: each test group gets a fresh SQLite store, a new
 *    file "sqlite:DIR/store.db" in a new temporary directory, removed at the
 *    end (contract_done).
 *  - CUTOUT_STORE=LOCATION (e.g. "postgresql://..." once that backend
 *    exists): every group opens LOCATION. It must name an EMPTY database when
 *    the suite starts (the suite cannot create or drop databases of another
 *    backend); the groups and programs that follow each other on it write
 *    only objects of their own (names and lookups carry a random tag) and
 *    never assume the store is empty, so one empty database serves a whole
 *    run. Empty it again before the next run.
 *
 * Every check is made in the main thread (t.h is not thread-safe): threads
 * and child processes report, the main thread asserts.
 */
#ifndef CUTOUT_TESTS_STORE_CONTRACT_H
#define CUTOUT_TESTS_STORE_CONTRACT_H

#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/store/store.h"

#define CONTRACT_LOC_MAX 4096
#define CONTRACT_DIRS_MAX 64

static char contract_loc[CONTRACT_LOC_MAX]; /* the location of the current group */
static char contract_tag_hex[17];           /* random, per run: names of our own */
static char contract_dirs[CONTRACT_DIRS_MAX][256];
static int contract_ndirs;

/* Whether the store was named by CUTOUT_STORE (shared by every group). */
static inline int contract_external(void)
{
	const char *e = getenv("CUTOUT_STORE");
	return e != NULL && e[0] != '\0';
}

static inline void contract_init(const char *program)
{
	uint8_t tag[8];
	if (sodium_init() < 0)
		abort();
	signal(SIGPIPE, SIG_IGN);
	randombytes_buf(tag, sizeof tag);
	for (size_t i = 0; i < sizeof tag; i++)
		snprintf(contract_tag_hex + 2 * i, 3, "%02x", tag[i]);
	printf("# %s: store contract, against %s\n", program,
	       contract_external() ? getenv("CUTOUT_STORE") : "a fresh SQLite store per group");
}

/* A random tag of this run, for names that must not collide with another run's. */
static inline const char *contract_tag(void)
{
	return contract_tag_hex;
}

/* Fills contract_loc with a fresh location (see above); 0 or -1. */
static inline int contract_fresh(void)
{
	if (contract_external()) {
		int n = snprintf(contract_loc, sizeof contract_loc, "%s", getenv("CUTOUT_STORE"));
		return n > 0 && (size_t)n < sizeof contract_loc ? 0 : -1;
	}
	if (contract_ndirs >= CONTRACT_DIRS_MAX)
		return -1;
	const char *tmp = getenv("TMPDIR");
	char *d = contract_dirs[contract_ndirs];
	int n = snprintf(d, sizeof contract_dirs[0], "%s/cutout-contract-XXXXXX",
	                 tmp && tmp[0] ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof contract_dirs[0] || mkdtemp(d) == NULL)
		return -1;
	contract_ndirs++;
	n = snprintf(contract_loc, sizeof contract_loc, "sqlite:%s/store.db", d);
	return n > 0 && (size_t)n < sizeof contract_loc ? 0 : -1;
}

/* A fresh store for one test group (NULL and a failed check if it cannot be had). */
static inline struct store *contract_open_fresh(void)
{
	struct store *s = NULL;
	enum store_result r = contract_fresh() == 0 ? store_open(contract_loc, &s) : STORE_IO;
	if (!T_OK(r == STORE_OK && s != NULL, "a fresh store opens (%s)", store_strerror(r)))
		return NULL;
	return s;
}

/* Closes *s and opens the same location again (the group's store after a restart). */
static inline int contract_reopen(struct store **s)
{
	store_close(s);
	return store_open(contract_loc, s) == STORE_OK ? 0 : -1;
}

static int contract_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0; /* go on: remove what can be removed */
}

/* Removes the temporary stores, prints the plan, returns the exit status. */
static inline int contract_done(void)
{
	for (int i = 0; i < contract_ndirs; i++)
		(void)nftw(contract_dirs[i], contract_rm, 16, FTW_DEPTH | FTW_PHYS);
	contract_ndirs = 0;
	return t_done();
}

/* ---- values ---- */

/* A random source lookup hash (never another run's). */
static inline void contract_lookup(uint8_t out[STORE_LOOKUP_LEN])
{
	randombytes_buf(out, STORE_LOOKUP_LEN);
}

/* Byte k of the test pattern `seed`: what a blob made by contract_blob holds. */
static inline uint8_t contract_byte(uint64_t seed, uint64_t k)
{
	uint64_t x =
	        (seed + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ (k >> 3) * UINT64_C(0xBF58476D1CE4E5B9);
	x ^= x >> 31;
	x *= UINT64_C(0x94D049BB133111EB);
	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (k & 7)));
}

static inline void contract_fill(uint8_t *p, size_t n, uint64_t seed, uint64_t from)
{
	for (size_t i = 0; i < n; i++)
		p[i] = contract_byte(seed, from + i);
}

/*
 * A pending blob of n pattern bytes: the first chunk by blob_put, the rest by
 * blob_append in irregular chunks of at most STORE_CHUNK_MAX. 0 on failure.
 */
static inline store_id contract_blob(struct store *s, uint64_t seed, size_t n)
{
	static _Thread_local uint8_t buf[STORE_CHUNK_MAX];
	store_id b = 0;
	size_t off = n < 1000 ? n : 1000 + (size_t)(seed % 7000);
	if (off > n)
		off = n;
	contract_fill(buf, off, seed, 0);
	if (store_blob_put(s, buf, off, &b) != STORE_OK || b <= 0)
		return 0;
	for (size_t k = 0; off < n; k++) {
		size_t c = 1 + (size_t)((k * 7919 + seed * 31 + 12345) % STORE_CHUNK_MAX);
		if (c > n - off)
			c = n - off;
		contract_fill(buf, c, seed, off);
		if (store_blob_append(s, b, buf, c) != STORE_OK)
			return 0;
		off += c;
	}
	return b;
}

struct contract_cmp {
	uint64_t seed, off;
	int bad;
	int calls;
};

static int contract_cmp_fn(void *ctx, const uint8_t *p, size_t n)
{
	struct contract_cmp *c = ctx;
	c->calls++;
	for (size_t i = 0; i < n && !c->bad; i++)
		c->bad = p[i] != contract_byte(c->seed, c->off + i);
	c->off += n;
	return 0;
}

/* Whether blob holds exactly the n pattern bytes of seed (size and content). */
static inline int contract_blob_is(struct store *s, store_id blob, uint64_t seed, size_t n)
{
	struct contract_cmp c = {.seed = seed};
	uint64_t size = UINT64_MAX;
	return store_blob_size(s, blob, &size) == STORE_OK && size == n &&
	       store_blob_read(s, blob, contract_cmp_fn, &c) == STORE_OK && !c.bad && c.off == n;
}

/* A new source with a random lookup and pk filled with `fill`; 0 on failure. */
static inline store_id contract_source(struct store *s, int32_t day, uint8_t fill)
{
	uint8_t lk[STORE_LOOKUP_LEN], pk[STORE_PK_LEN];
	store_id id = 0;
	contract_lookup(lk);
	memset(pk, fill, sizeof pk);
	return store_source_create(s, lk, pk, day, &id) == STORE_OK ? id : 0;
}

/* A list of ids, for "never reused" and "all distinct" checks. */
struct contract_ids {
	store_id *v;
	size_t n, cap;
};

static inline void contract_ids_add(struct contract_ids *a, store_id id)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		store_id *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL)
			abort();
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = id;
}

static inline int contract_ids_has(const struct contract_ids *a, store_id id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == id)
			return 1;
	return 0;
}

static int contract_id_cmp(const void *a, const void *b)
{
	store_id x = *(const store_id *)a, y = *(const store_id *)b;
	return (x > y) - (x < y);
}

/* Whether every id is > 0 and no two are equal (sorts the list). */
static inline int contract_ids_distinct(struct contract_ids *a)
{
	qsort(a->v, a->n, sizeof *a->v, contract_id_cmp);
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] <= 0 || (i > 0 && a->v[i] == a->v[i - 1]))
			return 0;
	return 1;
}

static inline void contract_ids_free(struct contract_ids *a)
{
	free(a->v);
	*a = (struct contract_ids){0};
}

#endif
