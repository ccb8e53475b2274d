/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_blob: one large blob through the store (blob_put + blob_append of
 * STORE_CHUNK_MAX chunks, then the durable submission_commit that claims it),
 * against write(1 MiB) + fdatasync of the same bytes to a file in the same
 * directory, measured in the same run.
 * usage: build/bench/bench_store_blob [DIR] [MIB]   (default: build dir's cwd, 64)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store/store.h"

#include "lib/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int path_of(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	long mib = argc > 2 ? strtol(argv[2], NULL, 10) : 64;
	char db[4096], ref[4096];
	if (mib <= 0 || mib > 4096 || path_of(db, sizeof(db), dir, "bench-store.db") != 0 ||
	    path_of(ref, sizeof(ref), dir, "bench-ref.bin") != 0)
		return 2;
	size_t total = (size_t)mib * 1024 * 1024;
	uint8_t *buf = malloc(1024 * 1024);
	if (buf == NULL)
		return 1;
	for (size_t i = 0; i < 1024 * 1024; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);

	/* reference: write + fdatasync */
	int fd = open(ref, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	double t0 = now();
	for (size_t off = 0; off < total; off += 1024 * 1024)
		if (write(fd, buf, 1024 * 1024) != 1024 * 1024)
			return 1;
	if (fdatasync(fd) != 0)
		return 1;
	double tref = now() - t0;
	close(fd);
	unlink(ref);

	struct store *s;
	if (store_open(db, &s) != STORE_OK)
		return 1;
	uint8_t lookup[STORE_LOOKUP_LEN] = {1}, pk[STORE_PK_LEN] = {2};
	store_id src, blob, sub;
	lookup[1] = (uint8_t)getpid();
	lookup[2] = (uint8_t)(getpid() >> 8);
	if (store_source_create(s, lookup, pk, store_today(), &src) != STORE_OK)
		return 1;
	t0 = now();
	if (store_blob_put(s, buf, STORE_CHUNK_MAX, &blob) != STORE_OK)
		return 1;
	for (size_t off = STORE_CHUNK_MAX; off < total; off += STORE_CHUNK_MAX)
		if (store_blob_append(s, blob, buf + off % (1024 * 1024), STORE_CHUNK_MAX) !=
		    STORE_OK)
			return 1;
	if (store_submission_commit(s, src, store_today(), "", 0, blob, NULL, 0, &sub) != STORE_OK)
		return 1;
	double tstore = now() - t0;
	store_close(&s);
	free(buf);

	double mb = (double)total / 1e6;
	printf("store blob %ld MiB: %.1f MB/s; write+fdatasync: %.1f MB/s; ratio %.2f\n", mib,
	       mb / tstore, mb / tref, tref / tstore);
	return 0;
}
