/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_blob_spill: large blobs in the segment file (core/store/blob_spill.h), without a backend. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store/blob_spill.h"
#include "t.h"

#include "lib/banned.h"

static char dir[64];

static struct blob_spill *bs = NULL;

/* Large blobs in the segment file (pending or committed). */
static int nfiles(void)
{
	uint64_t blobs = 0, extents = 0;
	if (bs == NULL || blob_spill_usage(bs, &blobs, &extents) != STORE_OK)
		return -1;
	return (int)blobs;
}

/* Entries in dir (not . and ..). */
static int nentries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct sink {
	uint8_t buf[4096];
	size_t n;
};

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *s = ctx;
	if (n > sizeof s->buf - s->n)
		return 1;
	memcpy(s->buf + s->n, p, n);
	s->n += n;
	return 0;
}

static int64_t claimed_file; /* the one file file_claimed says a row claims */

static enum store_result file_claimed(void *ctx, int64_t file)
{
	(*(int *)ctx)++;
	return file == claimed_file ? STORE_OK : STORE_NOT_FOUND;
}

/* Whether the segment file holds needle anywhere. */
static bool seg_contains(const uint8_t *needle, size_t n)
{
	char p[128];
	snprintf(p, sizeof p, "%s/segments", dir);
	FILE *f = fopen(p, "rb");
	static uint8_t buf[1 << 20];
	size_t have = 0, got;
	bool found = false;
	if (f == NULL)
		return false;
	while (!found && (got = fread(buf + have, 1, sizeof buf - have, f)) > 0) {
		have += got;
		for (size_t i = 0; !found && i + n <= have; i++)
			found = memcmp(buf + i, needle, n) == 0;
		size_t keep = have < n ? have : n - 1;
		memmove(buf, buf + have - keep, keep);
		have = keep;
	}
	fclose(f);
	return found;
}

static off_t seg_size(void)
{
	char p[128];
	struct stat sb;
	snprintf(p, sizeof p, "%s/segments", dir);
	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

struct hash_sink {
	uint8_t *buf;
	size_t n, cap;
};

static int collect_big(void *ctx, const uint8_t *p, size_t n)
{
	struct hash_sink *h = ctx;
	if (n > h->cap - h->n)
		return 1;
	memcpy(h->buf + h->n, p, n);
	h->n += n;
	return 0;
}

static int64_t retoken_old, retoken_new;
static enum store_result retoken_result;

static enum store_result retoken(void *ctx, int64_t old, int64_t new)
{
	(void)ctx;
	retoken_old = old;
	retoken_new = new;
	return retoken_result;
}

/* Blobs over several extents, their reuse after a shred, and a legacy per-blob file. */
static void test_extents(struct blob_spill *b, int64_t keep)
{
	const size_t big = 3 * 1024 * 1024 + 12345;
	uint8_t *a = malloc(big), *got = malloc(big);
	struct blob_spill_claim cl[1];
	size_t ncl = 0;
	bool spilled;
	int asked = 0;
	if (a == NULL || got == NULL) {
		T_OK(0, "extents setup");
		goto out;
	}
	for (size_t i = 0; i < big; i++)
		a[i] = (uint8_t)(i * 2654435761u >> 13);
	store_id id = 40;
	enum store_result r = STORE_OK;
	for (size_t off = 0; off < big && r == STORE_OK; off += 100000)
		r = blob_spill_append(b, id, a + off, big - off < 100000 ? big - off : 100000, true,
		                      &spilled);
	struct hash_sink h = {got, 0, big};
	T_OK(r == STORE_OK && blob_spill_pending_size(b, id) == big &&
	             blob_spill_read_pending(b, id, collect_big, &h) == STORE_OK && h.n == big &&
	             memcmp(got, a, big) == 0,
	     "a pending blob over four extents reads back");
	T_OK(blob_spill_claims_prepare(b, &id, 1, cl, &ncl) == STORE_OK && ncl == 1, "claimed");
	int64_t f = cl[0].file;
	blob_spill_claims_release(b, cl, ncl, true);
	h.n = 0;
	T_OK(blob_spill_read_file(b, f, big, collect_big, &h) == STORE_OK && h.n == big &&
	             memcmp(got, a, big) == 0,
	     "committed, it reads back by its token");
	off_t size = seg_size();
	T_OK(seg_contains(a + 2 * 1024 * 1024, 64), "its bytes are in the segment file");
	T_OK(blob_spill_shred(b, f) == STORE_OK && !seg_contains(a + 2 * 1024 * 1024, 64) &&
	             !seg_contains(a + 7, 64) && nfiles() == 1,
	     "shredded: its bytes are gone from the segment file");
	T_OK(blob_spill_read_file(b, f, big, collect_big, &h) == STORE_NOT_FOUND,
	     "a shredded blob is not found");
	id = 41;
	for (size_t off = 0; off < big && r == STORE_OK; off += 100000)
		r = blob_spill_append(b, id, a + off, big - off < 100000 ? big - off : 100000, true,
		                      &spilled);
	T_OK(r == STORE_OK && seg_size() == size, "the next blob reuses the freed extents");
	T_OK(blob_spill_drop_pending(b, id) == STORE_OK && !seg_contains(a + 7, 64),
	     "a dropped pending blob's bytes are gone too");

	/* a legacy per-blob file, as stores made before the segment file have them */
	char p[128];
	int64_t legacy = 0x1234567890abcdef;
	snprintf(p, sizeof p, "%s/1234567890abcdef", dir);
	FILE *lf = fopen(p, "wb");
	if (lf) {
		fwrite("legacy!", 1, 7, lf);
		fclose(lf);
	}
	struct sink sk = {0};
	T_OK(blob_spill_read_file(b, legacy, 7, collect, &sk) == STORE_OK && sk.n == 7 &&
	             memcmp(sk.buf, "legacy!", 7) == 0,
	     "a legacy file reads by its token");
	claimed_file = keep;
	r = blob_spill_remove_unclaimed(b, file_claimed, &asked);
	T_OK(r == STORE_OK && access(p, F_OK) != 0 && nfiles() == 1,
	     "an unclaimed legacy file is shredded at the first open, the claimed blob stays");

	/* a claimed legacy file moves into the segment file at the first open */
	lf = fopen(p, "wb");
	if (lf) {
		fwrite(a, 1, big, lf);
		fclose(lf);
	}
	claimed_file = legacy;
	retoken_old = retoken_new = 0;
	uint64_t blobs0 = 0, ext0 = 0, blobs1 = 0, ext1 = 0;
	T_CHECK(blob_spill_usage(b, &blobs0, &ext0) == STORE_OK);
	retoken_result = STORE_IO;
	T_OK(blob_spill_migrate(b, retoken, NULL) == STORE_IO && access(p, F_OK) == 0 &&
	             blob_spill_usage(b, &blobs1, &ext1) == STORE_OK && ext1 == ext0,
	     "a move whose row cannot be changed: the file stays, the new extents are freed");
	retoken_result = STORE_OK;
	h.n = 0;
	T_OK(blob_spill_migrate(b, retoken, NULL) == STORE_OK && retoken_old == legacy &&
	             retoken_new > 0 && access(p, F_OK) != 0 &&
	             blob_spill_read_file(b, retoken_new, big, collect_big, &h) == STORE_OK &&
	             h.n == big && memcmp(got, a, big) == 0,
	     "moved: its row gets the new token, the file is shredded, the bytes read back");
	T_OK(blob_spill_shred(b, retoken_new) == STORE_OK, "and it shreds like any blob");
out:
	free(a);
	free(got);
}

/* Each of NPROC processes writes NPER blobs of 2.5 MiB (three extents) at once and claims them. */
#define NPROC 3
#define NPER 4
#define BIG_N (5 * 512 * 1024)

static void fill(uint8_t *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 2654435761u + (size_t)seed * 40503u) >> 11);
}

static int child(int fd, int k)
{
	struct blob_spill *c = NULL;
	uint8_t *p = malloc(BIG_N);
	bool spilled;
	if (p == NULL || blob_spill_open(dir, &c) != STORE_OK)
		return 1;
	for (int i = 0; i < NPER; i++) {
		store_id id = 1000 * (k + 1) + i;
		struct blob_spill_claim cl[1];
		size_t ncl = 0;
		fill(p, BIG_N, k * NPER + i);
		for (size_t off = 0; off < BIG_N; off += 65536)
			if (blob_spill_append(c, id, p + off, 65536, true, &spilled) != STORE_OK)
				return 1;
		if (blob_spill_claims_prepare(c, &id, 1, cl, &ncl) != STORE_OK || ncl != 1)
			return 1;
		int64_t tok = cl[0].file;
		blob_spill_claims_release(c, cl, ncl, true);
		if (write(fd, &tok, sizeof tok) != (ssize_t)sizeof tok)
			return 1;
	}
	blob_spill_close(&c);
	free(p);
	return 0;
}

static void test_processes(struct blob_spill *b)
{
	int pfd[2];
	pid_t pid[NPROC];
	int ok = pipe(pfd) == 0, exited = 0;
	uint64_t blobs0 = 0, ext0 = 0, blobs1 = 0, ext1 = 0;
	ok = ok && blob_spill_usage(b, &blobs0, &ext0) == STORE_OK;
	for (int k = 0; ok && k < NPROC; k++)
		if ((pid[k] = fork()) == 0) {
			close(pfd[0]);
			_exit(child(pfd[1], k));
		}
	close(pfd[1]);
	for (int k = 0; ok && k < NPROC; k++) {
		int st;
		exited +=
		        waitpid(pid[k], &st, 0) == pid[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	/* each child wrote its tokens in order; the pipe interleaves whole 8-byte writes */
	int64_t all[NPROC * NPER];
	size_t n = 0;
	while (ok && n < NPROC * NPER && read(pfd[0], &all[n], sizeof all[0]) == sizeof all[0])
		n++;
	close(pfd[0]);
	T_OK(ok && exited == NPROC && n == NPROC * NPER,
	     "three processes wrote and claimed four 2.5 MiB blobs each at once");
	uint8_t *want = malloc(BIG_N), *got = malloc(BIG_N);
	int whole = 0;
	for (size_t i = 0; want && got && i < n; i++) {
		struct hash_sink h = {got, 0, BIG_N};
		if (blob_spill_read_file(b, all[i], BIG_N, collect_big, &h) != STORE_OK ||
		    h.n != BIG_N)
			continue;
		for (int seed = 0; seed < NPROC * NPER; seed++) {
			fill(want, BIG_N, seed);
			if (memcmp(want, got, BIG_N) == 0) {
				whole++;
				break;
			}
		}
	}
	enum store_result ur = blob_spill_usage(b, &blobs1, &ext1);
	T_OK(whole == NPROC * NPER && ur == STORE_OK && blobs1 - blobs0 == NPROC * NPER &&
	             ext1 - ext0 == 3 * NPROC * NPER,
	     "each reads back whole, in three extents of its own (%d whole, %llu extents)", whole,
	     (unsigned long long)(ext1 - ext0));
	for (size_t i = 0; i < n; i++)
		if (blob_spill_shred(b, all[i]) != STORE_OK)
			whole = -1;
	T_OK(whole >= 0 && blob_spill_usage(b, &blobs1, &ext1) == STORE_OK && ext1 == ext0,
	     "shredded, their extents are free again");
	free(want);
	free(got);
}

int main(void)
{
	struct blob_spill_claim claims[3];
	struct sink sk = {0};
	size_t nclaims = 9;
	bool spilled = true;
	snprintf(dir, sizeof dir, "/tmp/test-blob-spill-XXXXXX");
	if (mkdtemp(dir) == NULL || rmdir(dir) != 0)
		return 1;

	T_OK(blob_spill_open(dir, &bs) == STORE_OK && bs != NULL, "open makes the directory");
	struct stat sb;
	T_OK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "0700");

	T_OK(blob_spill_append(bs, 5, (const uint8_t *)"abc", 3, false, &spilled) == STORE_OK &&
	             !spilled && nfiles() == 0 && !blob_spill_has(bs, 5),
	     "append without create: a blob without a file is left to the caller");
	T_OK(blob_spill_append(bs, 5, (const uint8_t *)"abc", 3, true, &spilled) == STORE_OK &&
	             spilled && nfiles() == 1 && blob_spill_has(bs, 5),
	     "with create: a file of its own");
	T_OK(blob_spill_append(bs, 5, (const uint8_t *)"defg", 4, false, &spilled) == STORE_OK &&
	             spilled && blob_spill_pending_size(bs, 5) == 7,
	     "appends go at its end");
	T_OK(blob_spill_read_pending(bs, 5, collect, &sk) == STORE_OK && sk.n == 7 &&
	             memcmp(sk.buf, "abcdefg", 7) == 0,
	     "a pending blob reads back as far as written");
	T_OK(blob_spill_append(bs, 6, (const uint8_t *)"xy", 2, true, &spilled) == STORE_OK &&
	             nfiles() == 2,
	     "another blob, another file");

	store_id ids[] = {5, 6, 77};
	T_OK(blob_spill_claims_prepare(bs, ids, 3, claims, &nclaims) == STORE_OK && nclaims == 2 &&
	             claims[0].blob == 5 && claims[0].size == 7 && claims[0].file > 0 &&
	             claims[1].blob == 6 && claims[1].size == 2,
	     "claims: the file-backed ones, with their files and sizes");
	T_OK(blob_spill_append(bs, 5, (const uint8_t *)"h", 1, false, &spilled) == STORE_NOT_FOUND,
	     "a sealed blob takes no more appends");
	size_t again = 9;
	T_OK(blob_spill_claims_prepare(bs, ids, 1, claims + 2, &again) == STORE_NOT_FOUND &&
	             again == 0,
	     "a blob claimed twice: STORE_NOT_FOUND");
	blob_spill_claims_release(bs, claims, nclaims, false);
	T_OK(blob_spill_append(bs, 5, (const uint8_t *)"h", 1, false, &spilled) == STORE_OK &&
	             blob_spill_pending_size(bs, 5) == 8,
	     "rolled back: unsealed, appends again");

	T_OK(blob_spill_claims_prepare(bs, ids, 2, claims, &nclaims) == STORE_OK && nclaims == 2,
	     "claimed again");
	int64_t f5 = claims[0].file, f6 = claims[1].file;
	blob_spill_claims_release(bs, claims, nclaims, true);
	T_OK(!blob_spill_has(bs, 5) && !blob_spill_has(bs, 6) && nfiles() == 2,
	     "committed: they leave the table, their files stay");
	sk.n = 0;
	T_OK(blob_spill_read_file(bs, f5, 8, collect, &sk) == STORE_OK && sk.n == 8 &&
	             memcmp(sk.buf, "abcdefgh", 8) == 0,
	     "a committed file reads back by its token");
	T_OK(blob_spill_read_file(bs, f5, 9, collect, &sk) == STORE_CORRUPT,
	     "a file shorter than its row says: STORE_CORRUPT");

	struct blob_files del = {0};
	T_OK(blob_files_add(&del, f6) == STORE_OK &&
	             blob_files_shred(bs, &del, STORE_IO) == STORE_IO && nfiles() == 2 &&
	             del.n == 0,
	     "a delete that failed shreds nothing");
	T_OK(blob_files_add(&del, f6) == STORE_OK &&
	             blob_files_shred(bs, &del, STORE_OK) == STORE_OK && nfiles() == 1 &&
	             blob_spill_read_file(bs, f6, 2, collect, &sk) == STORE_NOT_FOUND,
	     "a committed delete shreds its files");

	T_OK(blob_spill_append(bs, 8, (const uint8_t *)"zz", 2, true, &spilled) == STORE_OK &&
	             nfiles() == 2 && blob_spill_drop_pending(bs, 8) == STORE_OK &&
	             !blob_spill_has(bs, 8) && nfiles() == 1,
	     "a pending blob's file goes with its delete");

	T_OK(blob_spill_append(bs, 9, (const uint8_t *)"zz", 2, true, &spilled) == STORE_OK,
	     "one more pending");
	blob_spill_close(&bs);
	T_OK(bs == NULL && nentries() == 1,
	     "close forgets pending blobs; one file in the directory");
	FILE *junk = NULL;
	char p[128];
	snprintf(p, sizeof p, "%s/not-a-blob", dir);
	junk = fopen(p, "w");
	if (junk)
		fclose(junk);
	int asked = 0;
	claimed_file = f5;
	T_OK(blob_spill_open(dir, &bs) == STORE_OK && nfiles() == 2 &&
	             blob_spill_remove_unclaimed(bs, file_claimed, &asked) == STORE_OK &&
	             asked == 2 && nfiles() == 1 && nentries() == 2,
	     "at the first open: the unclaimed blob goes, the claimed one and foreign names stay");
	sk.n = 0;
	T_OK(blob_spill_read_file(bs, f5, 8, collect, &sk) == STORE_OK && sk.n == 8,
	     "the claimed one whole");
	test_extents(bs, f5);
	test_processes(bs);
	blob_spill_close(&bs);
	blob_spill_close(&bs); /* NULL is fine */

	unlink(p);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char q[sizeof dir + 1 + sizeof e->d_name];
		if (e->d_name[0] == '.')
			continue;
		int n = snprintf(q, sizeof q, "%s/%s", dir, e->d_name);
		if (n > 0 && (size_t)n < sizeof q)
			unlink(q);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return t_done();
}
