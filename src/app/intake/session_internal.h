/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session_internal: what session.c (the table, the cache) and session_store.c
 * (its rows in the store) share. Only those two include it.
 */
#ifndef CUTOUT_APP_INTAKE_SESSION_INTERNAL_H
#define CUTOUT_APP_INTAKE_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <sodium.h>

#include "app/intake/session.h"

#define WRAPPED_LEN (32 + crypto_secretbox_MACBYTES)

enum slot_state { SLOT_EMPTY = 0, SLOT_USED, SLOT_DEAD };

struct slot {
	uint8_t state;
	uint8_t id[32]; /* keyed hash of the token */
	uint64_t last_seen;
	int64_t source;
	int submissions;
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t wrapped[WRAPPED_LEN];
	uint8_t once[SESSION_ONCE_KEEP][16]; /* the forms' one-time tokens claimed (a ring) */
	uint8_t once_next;
	uint8_t handoff;             /* a sealed handoff is waiting */
	uint8_t handoff_tag[16];     /* the tag that takes it (zero: none) */
	char lang[SESSION_LANG_MAX]; /* the language of the last page asked for by URL */
	uint8_t handoff_nonce[crypto_secretbox_NONCEBYTES];
	uint8_t handoff_sealed[SESSION_HANDOFF_MAX + crypto_secretbox_MACBYTES];
	int64_t version;     /* with a store: the row's version this slot holds (0: none) */
	int64_t row_expires; /* with a store: the expiry last written to the row */
};

struct sessions {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t nslots; /* a power of two, >= 2 * max */
	size_t max, used, dead;
	size_t reserved; /* places promised to a sessions_open */
	uint64_t idle;
	uint8_t idkey[crypto_generichash_KEYBYTES]; /* per process, or the instance's (a store) */
	struct store *store;                        /* NULL: this process's memory alone */
};

typedef int (*slot_fn)(struct sessions *s, struct slot *sl, void *arg, const uint8_t raw[32]);

/* session.c, under s->lock */
uint64_t now_s(void);
int token_decode(const char *token, uint8_t raw[32]);
void token_id(const struct sessions *s, const uint8_t raw[32], uint8_t id[32]);
void slot_wipe(struct sessions *s, struct slot *sl);
struct slot *find(struct sessions *s, const uint8_t id[32], uint64_t now);
void compact(struct sessions *s, uint64_t now);
struct slot *insert(struct sessions *s, const uint8_t id[32], uint64_t now);

/* session_store.c */
enum { W_PUT = 1, W_CACHED = 2 };
/* The new slot's row (version 1); the slot goes if the store cannot take it. 0, or -1. */
int sessions_row_add(struct sessions *s, const uint8_t raw[32], const uint8_t id[32]);
/*
 * Runs fn on the live slot of token under the lock. With a store, the slot is first read
 * from its row (W_CACHED: only when this node does not hold it), and after fn the row is
 * written (W_PUT, or when its expiry would move); a row another node changed meanwhile is
 * read again and fn run again on it.
 */
int sessions_with(struct sessions *s, const char *token, slot_fn fn, void *arg, int flags);

#endif
