/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/web/ratelimit.h"

#include <time.h>

#include "lib/banned.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bucket_init(struct bucket *b, double rate, double burst)
{
	pthread_mutex_init(&b->lock, NULL);
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst;
	b->last_ns = now_ns();
}

int bucket_take(struct bucket *b)
{
	pthread_mutex_lock(&b->lock);
	uint64_t now = now_ns();
	b->tokens += (double)(now - b->last_ns) / 1e9 * b->rate;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last_ns = now;
	int ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	pthread_mutex_unlock(&b->lock);
	return ok;
}

void gate_init(struct gate *g, int max_running, int max_waiting)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->running = 0;
	g->waiting = 0;
	g->max_running = max_running;
	g->max_waiting = max_waiting;
}

int gate_enter(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->running >= g->max_running) {
		if (g->waiting >= g->max_waiting) {
			pthread_mutex_unlock(&g->lock);
			return -1;
		}
		g->waiting++;
		while (g->running >= g->max_running)
			pthread_cond_wait(&g->cond, &g->lock);
		g->waiting--;
	}
	g->running++;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

void gate_leave(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->running--;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
}
