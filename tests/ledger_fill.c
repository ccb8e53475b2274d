/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_fill: a test helper (not a test): appends events to the ledger of a
 * store, for the integration tests (tampering, concurrency, crash).
 *
 *   ledger_fill STORE N [THREADS [BATCH]]
 *
 * Appends N events from THREADS threads (default 1), BATCH events per call
 * (default 1). Prints "ack INDEX TAG" once each append is acknowledged (so a
 * killed run tells what was durable), where TAG is "pPID-tTHREAD-K", the
 * object of the event, unique per event.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"

#include "lib/banned.h"

static struct store *st;
static long per_thread, batch;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg)
{
	long t = (long)(intptr_t)arg;
	struct ledger_event ev[64];
	char obj[64][LEDGER_TOKEN_MAX + 1];
	for (long k = 0; k < per_thread; k += batch) {
		long n = per_thread - k < batch ? per_thread - k : batch;
		for (long j = 0; j < n; j++) {
			int w = snprintf(obj[j], sizeof obj[j], "note:p%ld-t%ld-%ld",
			                 (long)getpid(), t, k + j);
			if (w < 0 || (size_t)w >= sizeof obj[j])
				abort();
			ev[j] = (struct ledger_event){.action = LEDGER_OBJECT_READ,
			                              .actor = "officer:fill",
			                              .object = obj[j],
			                              .marking = "OFFICIAL",
			                              .detail = "fill"};
		}
		uint64_t first;
		enum ledger_result r = ledger_append_batch(st, ev, (size_t)n, &first);
		if (r != LEDGER_OK) {
			fprintf(stderr, "ledger_fill: append: %s\n", ledger_strerror(r));
			exit(1);
		}
		pthread_mutex_lock(&out_mu);
		for (long j = 0; j < n; j++)
			printf("ack %llu %s\n", (unsigned long long)(first + (uint64_t)j),
			       obj[j] + 5);
		fflush(stdout);
		pthread_mutex_unlock(&out_mu);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3 || sodium_init() < 0) {
		fputs("usage: ledger_fill STORE N [THREADS [BATCH]]\n", stderr);
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	long threads = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
	batch = argc > 4 ? strtol(argv[4], NULL, 10) : 1;
	if (n < 0 || threads < 1 || threads > 1024 || batch < 1 || batch > 64)
		return 2;
	per_thread = n / threads;
	if (store_open(argv[1], &st) != STORE_OK) {
		fputs("ledger_fill: cannot open the store\n", stderr);
		return 1;
	}
	pthread_t th[1024];
	for (long t = 0; t < threads; t++)
		if (pthread_create(&th[t], NULL, run, (void *)(intptr_t)t) != 0)
			return 1;
	for (long t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	store_close(&st);
	return 0;
}
