/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ratelimit: global token buckets (no per-address state: the door never
 * looks at addresses) and a counting gate for expensive concurrent work.
 */
#ifndef CUTOUT_APP_RATELIMIT_H
#define CUTOUT_APP_RATELIMIT_H

#include <pthread.h>
#include <stdint.h>

struct bucket {
	pthread_mutex_t lock;
	double rate;  /* tokens per second */
	double burst; /* capacity */
	double tokens;
	uint64_t last_ns;
};

void bucket_init(struct bucket *b, double rate, double burst);
/* Takes one token; returns 1 if allowed, 0 if the caller should answer 429. */
int bucket_take(struct bucket *b);

/*
 * gate: at most `running` holders at once, at most `waiting` more queued;
 * gate_enter returns 0 when entered, -1 when the queue is full (answer 429).
 */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running, max_running, waiting, max_waiting;
};

void gate_init(struct gate *g, int max_running, int max_waiting);
int gate_enter(struct gate *g);
void gate_leave(struct gate *g);

#endif
