/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_blob_spill: the files of large blobs (core/store/blob_spill.h), without a backend. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/blob_spill.h"
#include "t.h"

#include "lib/banned.h"

static char dir[64];

/* Files in dir (not . and ..). */
static int nfiles(void)
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

int main(void)
{
	struct blob_spill *bs = NULL;
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
	T_OK(bs == NULL && nfiles() == 2, "close forgets pending blobs, leaves their files");
	FILE *junk = NULL;
	char p[128];
	snprintf(p, sizeof p, "%s/not-a-blob", dir);
	junk = fopen(p, "w");
	if (junk)
		fclose(junk);
	int asked = 0;
	claimed_file = f5;
	T_OK(blob_spill_open(dir, &bs) == STORE_OK &&
	             blob_spill_remove_unclaimed(bs, file_claimed, &asked) == STORE_OK &&
	             asked == 2 && nfiles() == 2,
	     "at the first open: the unclaimed file goes, the claimed one and foreign names stay");
	sk.n = 0;
	T_OK(blob_spill_read_file(bs, f5, 8, collect, &sk) == STORE_OK && sk.n == 8,
	     "the claimed one whole");
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
