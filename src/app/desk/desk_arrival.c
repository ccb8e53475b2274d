/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* desk_arrival: the desk's worker converting new files (app/desk/desk_arrival.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/desk/desk_arrival.h"
#include "core/officer/officer.h"

#include "lib/banned.h"

struct tried {
	store_id sub;
	int64_t n;
};

struct desk_arrival {
	struct safeview *sv;
	struct desk_sessions *sess;
	unsigned period;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	struct tried tried[ARRIVAL_TRIED_MAX]; /* refused, or failed: not tried again */
	size_t ntried, next;
};

static int skip(void *ctx, store_id sub, int64_t n)
{
	struct desk_arrival *a = ctx;
	for (size_t i = 0; i < a->ntried; i++)
		if (a->tried[i].sub == sub && a->tried[i].n == n)
			return 1;
	return 0;
}

static void heard(void *ctx, store_id sub, int64_t n, enum safeview_result r,
                  const struct safeview_info *info, const char *reason)
{
	struct desk_arrival *a = ctx;
	(void)info;
	(void)reason;
	if (r != SAFEVIEW_REFUSED && r != SAFEVIEW_FAILED)
		return;
	a->tried[a->next] = (struct tried){sub, n};
	a->next = (a->next + 1) % ARRIVAL_TRIED_MAX;
	if (a->ntried < ARRIVAL_TRIED_MAX)
		a->ntried++;
}

/* One tick: at most ARRIVAL_PER_TICK files, officer by officer. */
static void tick(struct desk_arrival *a)
{
	uint32_t budget = ARRIVAL_PER_TICK;
	size_t cursor = 0;
	struct desk_session_view v;
	struct desk_session *d;
	while (budget > 0 && (d = desk_sessions_borrow_next(a->sess, &cursor, &v)) != NULL) {
		if (v.roles & ROLE_INTAKE) {
			struct safeview_pending p;
			struct safeview_pending_opts o = {.max = budget,
			                                  .unread_only = true,
			                                  .by_desk = true,
			                                  .fn = heard,
			                                  .skip = skip,
			                                  .ctx = a};
			enum safeview_result r = safeview_convert_pending(a->sv, v.key, &o, &p);
			if (r != SAFEVIEW_OK && r != SAFEVIEW_NOT_FOUND)
				fprintf(stderr, "cutout desk: conversion on arrival: %s\n",
				        safeview_strerror(r));
			uint32_t used = p.converted + p.refused;
			budget = used < budget ? budget - used : 0;
		}
		desk_sessions_release(a->sess, &d);
	}
}

static void *run(void *arg)
{
	struct desk_arrival *a = arg;
	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += a->period;
		while (!a->stop && pthread_cond_timedwait(&a->wake, &a->lock, &until) != ETIMEDOUT)
			;
		if (a->stop)
			break;
		pthread_mutex_unlock(&a->lock);
		tick(a);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int desk_arrival_start(struct safeview *sv, struct desk_sessions *sess, unsigned period_seconds,
                       struct desk_arrival **out)
{
	*out = NULL;
	struct desk_arrival *a = calloc(1, sizeof *a);
	if (a == NULL)
		return -1;
	a->sv = sv;
	a->sess = sess;
	a->period = period_seconds ? period_seconds : 1;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, run, a) != 0) {
		pthread_cond_destroy(&a->wake);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void desk_arrival_stop(struct desk_arrival **pa)
{
	struct desk_arrival *a = *pa;
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
	*pa = NULL;
}
