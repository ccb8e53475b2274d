/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * blob_spill: pending and committed large blobs (core/store/blob_spill.h),
 * their bytes in the segment file (core/store/blob_segment.c). Stores made
 * before the segment file have per-blob files (named by 16 hex digits of the
 * token): the first open moves them into it; until then they are read,
 * shredded and swept, never made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/blob_segment.h"
#include "core/store/blob_spill.h"

#include "lib/banned.h"

#define FILE_CHUNK STORE_CHUNK_MAX /* the unit of reads and of shredding */
#define EXT_SIZE BLOB_SEGMENT_EXTENT

/*
 * A pending blob grown beyond its first chunk: the rest is in its extents,
 * written by the appending caller. Held in the table until a commit claims
 * the blob or a delete removes it.
 */
struct blob_spill_file {
	store_id blob;
	int64_t file;  /* its token */
	uint32_t last; /* its last extent */
	uint64_t next; /* its number of extents */
	uint64_t size;
	bool sealed;        /* a commit is claiming it: no more appends */
	int refs;           /* the table's + each user's */
	pthread_mutex_t mu; /* size, sealed, writes */
};

struct blob_spill {
	int dir_fd;
	struct blob_segment *seg;
	pthread_mutex_t mu; /* the table */
	struct blob_spill_file *files[SPILL_MAX];
	size_t nfiles;
};

/* ---- legacy per-blob files (stores made before the segment file) ---- */

static void legacy_name(char out[static 20], int64_t file)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = (uint64_t)file;
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '\0';
}

/* The token of a file name made by legacy_name, or 0. */
static int64_t legacy_parse(const char *name)
{
	uint64_t v = 0;
	size_t i;
	for (i = 0; name[i] != '\0'; i++) {
		char ch = name[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (d < 0 || i >= 16)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return i == 16 && v <= INT64_MAX ? (int64_t)v : 0;
}

/* Overwrites a legacy file with zeros, syncs it, unlinks it. A missing file is fine. */
static enum store_result legacy_shred(struct blob_spill *bs, int64_t file)
{
	char name[20];
	struct stat sb;
	enum store_result r = STORE_OK;
	uint8_t *zero = NULL;
	legacy_name(name, file);
	int fd = openat(bs->dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_OK : STORE_IO;
	if (fstat(fd, &sb) != 0 || (zero = calloc(1, FILE_CHUNK)) == NULL) {
		r = STORE_IO;
		goto out;
	}
	if ((r = blob_segment_zero(fd, 0, (uint64_t)sb.st_size, zero)) != STORE_OK)
		goto out;
	if (fdatasync(fd) != 0) {
		r = STORE_IO;
		goto out;
	}
	if (unlinkat(bs->dir_fd, name, 0) != 0 && errno != ENOENT)
		r = STORE_IO;
out:
	free(zero);
	close(fd);
	return r;
}

static enum store_result legacy_read(struct blob_spill *bs, int64_t file, uint64_t n,
                                     store_chunk_fn fn, void *ctx)
{
	char name[20];
	enum store_result r = STORE_OK;
	uint8_t *buf = NULL;
	legacy_name(name, file);
	int fd = openat(bs->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_NOT_FOUND : STORE_IO;
	if ((buf = malloc(FILE_CHUNK)) == NULL) {
		close(fd);
		return STORE_NOMEM;
	}
	for (uint64_t off = 0; off < n;) {
		uint64_t left = n - off;
		size_t want = left < FILE_CHUNK ? (size_t)left : FILE_CHUNK;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got == 0 ? STORE_CORRUPT : STORE_IO;
			break;
		}
		off += (uint64_t)got;
		if (fn(ctx, buf, (size_t)got) != 0) {
			r = STORE_STOP;
			break;
		}
	}
	free(buf);
	close(fd);
	return r;
}

/* ---- open, close ---- */

enum store_result blob_spill_open(const char *dir, struct blob_spill **out)
{
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return STORE_IO;
	struct blob_spill *bs = calloc(1, sizeof(*bs));
	if (bs == NULL)
		return STORE_NOMEM;
	bs->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (bs->dir_fd < 0) {
		free(bs);
		return STORE_IO;
	}
	enum store_result r = blob_segment_open(bs->dir_fd, &bs->seg);
	if (r != STORE_OK) {
		close(bs->dir_fd);
		free(bs);
		return r;
	}
	pthread_mutex_init(&bs->mu, NULL);
	*out = bs;
	return STORE_OK;
}

static void spill_unref(struct blob_spill *bs, struct blob_spill_file *sp)
{
	pthread_mutex_lock(&bs->mu);
	bool last = --sp->refs == 0;
	pthread_mutex_unlock(&bs->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&sp->mu);
	free(sp);
}

/* The table's entry for blob, with a reference for the caller, or NULL. */
static struct blob_spill_file *spill_find(struct blob_spill *bs, store_id blob)
{
	struct blob_spill_file *sp = NULL;
	pthread_mutex_lock(&bs->mu);
	for (size_t i = 0; i < bs->nfiles; i++)
		if (bs->files[i]->blob == blob) {
			sp = bs->files[i];
			sp->refs++;
			break;
		}
	pthread_mutex_unlock(&bs->mu);
	return sp;
}

/* Removes sp from the table (if still there) and drops the table's reference. */
static void spill_remove(struct blob_spill *bs, struct blob_spill_file *sp)
{
	bool found = false;
	pthread_mutex_lock(&bs->mu);
	for (size_t i = 0; i < bs->nfiles; i++)
		if (bs->files[i] == sp) {
			bs->files[i] = bs->files[--bs->nfiles];
			found = true;
			break;
		}
	pthread_mutex_unlock(&bs->mu);
	if (found)
		spill_unref(bs, sp);
}

void blob_spill_close(struct blob_spill **bsp)
{
	if (bsp == NULL || *bsp == NULL)
		return;
	struct blob_spill *bs = *bsp;
	while (bs->nfiles > 0)
		spill_remove(bs, bs->files[bs->nfiles - 1]);
	blob_segment_close(&bs->seg);
	close(bs->dir_fd);
	pthread_mutex_destroy(&bs->mu);
	free(bs);
	*bsp = NULL;
}

/* ---- pending blobs ---- */

/* Gives back extents taken in vain; if that fails, the next first open frees them. */
static void spill_untake(struct blob_spill *bs, int64_t token)
{
	enum store_result r = blob_segment_free(bs->seg, token);
	(void)r;
}

/*
 * Makes blob file-backed: its first extent and a table entry, returned with
 * a reference for the caller. STORE_BUSY: the table is full.
 */
static enum store_result spill_create(struct blob_spill *bs, store_id blob,
                                      struct blob_spill_file **out)
{
	int64_t token = 0;
	uint32_t head;
	*out = NULL;
	enum store_result r = blob_segment_take(bs->seg, &token, 0, BLOB_SEGMENT_NONE, &head);
	if (r != STORE_OK)
		return r;
	struct blob_spill_file *sp = calloc(1, sizeof(*sp));
	if (sp == NULL) {
		spill_untake(bs, token);
		return STORE_NOMEM;
	}
	sp->blob = blob;
	sp->file = token;
	sp->last = head;
	sp->next = 1;
	sp->refs = 2; /* the table's and the caller's */
	pthread_mutex_init(&sp->mu, NULL);
	struct blob_spill_file *have = NULL;
	bool full = false;
	pthread_mutex_lock(&bs->mu);
	for (size_t i = 0; i < bs->nfiles && have == NULL; i++)
		if (bs->files[i]->blob == blob) {
			have = bs->files[i];
			have->refs++;
		}
	if (have == NULL && bs->nfiles < SPILL_MAX)
		bs->files[bs->nfiles++] = sp;
	else
		full = have == NULL;
	pthread_mutex_unlock(&bs->mu);
	if (have != NULL || full) {
		/* another append to the same blob won the race, or no room: undo ours */
		pthread_mutex_destroy(&sp->mu);
		free(sp);
		spill_untake(bs, token);
		if (full)
			return STORE_BUSY;
	}
	*out = have ? have : sp;
	return STORE_OK;
}

/* Writes n bytes at the blob's end, taking extents as it grows (sp->mu held). */
static enum store_result spill_write(struct blob_spill *bs, struct blob_spill_file *sp,
                                     const uint8_t *p, size_t n)
{
	enum store_result r = STORE_OK;
	while (n > 0) {
		uint64_t at = sp->size % EXT_SIZE, idx = sp->size / EXT_SIZE;
		if (idx == sp->next) { /* the last extent is full: the next one */
			uint32_t k;
			if (idx >= BLOB_SEGMENT_EXTENTS)
				return STORE_FULL;
			if ((r = blob_segment_take(bs->seg, &sp->file, (uint32_t)idx, sp->last,
			                           &k)) != STORE_OK)
				return r;
			sp->last = k;
			sp->next++;
		}
		size_t w = EXT_SIZE - at < n ? (size_t)(EXT_SIZE - at) : n;
		if ((r = blob_segment_write(bs->seg, sp->last, at, p, w)) != STORE_OK)
			return r;
		sp->size += w;
		p += w;
		n -= w;
	}
	return r;
}

enum store_result blob_spill_append(struct blob_spill *bs, store_id blob, const uint8_t *p,
                                    size_t n, bool create, bool *spilled)
{
	enum store_result r;
	*spilled = false;
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp == NULL) {
		if (!create)
			return STORE_OK;
		r = spill_create(bs, blob, &sp);
		if (r == STORE_BUSY)
			return STORE_OK; /* the table is full: the caller keeps it in its rows */
		if (r != STORE_OK)
			return r;
	}
	*spilled = true;
	pthread_mutex_lock(&sp->mu);
	if (sp->sealed)
		r = STORE_NOT_FOUND; /* being claimed: appending now is the caller's bug */
	else if (n > BLOB_SEGMENT_EXTENTS * EXT_SIZE - sp->size)
		r = STORE_FULL; /* beyond the segment file's extents */
	else
		r = spill_write(bs, sp, p, n);
	pthread_mutex_unlock(&sp->mu);
	spill_unref(bs, sp);
	return r;
}

bool blob_spill_has(struct blob_spill *bs, store_id blob)
{
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp != NULL)
		spill_unref(bs, sp);
	return sp != NULL;
}

uint64_t blob_spill_pending_size(struct blob_spill *bs, store_id blob)
{
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp == NULL)
		return 0;
	pthread_mutex_lock(&sp->mu);
	uint64_t n = sp->size;
	pthread_mutex_unlock(&sp->mu);
	spill_unref(bs, sp);
	return n;
}

/* ---- claims ---- */

enum store_result blob_spill_claims_prepare(struct blob_spill *bs, const store_id *ids, size_t nids,
                                            struct blob_spill_claim *claims, size_t *nclaims)
{
	enum store_result r = STORE_OK;
	*nclaims = 0;
	for (size_t i = 0; i < nids; i++) {
		struct blob_spill_file *sp = spill_find(bs, ids[i]);
		if (sp == NULL)
			continue;
		pthread_mutex_lock(&sp->mu);
		bool sealed = sp->sealed;
		sp->sealed = true;
		uint64_t size = sp->size;
		pthread_mutex_unlock(&sp->mu);
		if (sealed) { /* claimed twice, by this commit or a concurrent one */
			spill_unref(bs, sp);
			r = STORE_NOT_FOUND;
			goto fail;
		}
		claims[(*nclaims)++] = (struct blob_spill_claim){ids[i], sp->file, size, sp};
		/* the first extent says the size, for a read to check the row against */
		if ((r = blob_segment_seal(bs->seg, sp->file, size)) != STORE_OK)
			goto fail;
	}
	if (*nclaims > 0 && (r = blob_segment_sync(bs->seg)) != STORE_OK) /* one sync for all */
		goto fail;
	return STORE_OK;
fail:
	blob_spill_claims_release(bs, claims, *nclaims, false);
	*nclaims = 0;
	return r;
}

void blob_spill_claims_release(struct blob_spill *bs, struct blob_spill_claim *claims, size_t n,
                               bool claimed)
{
	for (size_t i = 0; i < n; i++) {
		struct blob_spill_file *sp = claims[i].sp;
		if (claimed) {
			spill_remove(bs, sp);
		} else {
			pthread_mutex_lock(&sp->mu);
			sp->sealed = false;
			pthread_mutex_unlock(&sp->mu);
		}
		spill_unref(bs, sp);
	}
}

/* ---- reads ---- */

enum store_result blob_spill_read_file(struct blob_spill *bs, int64_t file, uint64_t n,
                                       store_chunk_fn fn, void *ctx)
{
	if (!blob_segment_has(bs->seg, file))
		return legacy_read(bs, file, n, fn, ctx);
	return blob_segment_read(bs->seg, file, n, true, fn, ctx);
}

enum store_result blob_spill_read_pending(struct blob_spill *bs, store_id blob, store_chunk_fn fn,
                                          void *ctx)
{
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp == NULL)
		return STORE_OK;
	pthread_mutex_lock(&sp->mu);
	uint64_t n = sp->size;
	pthread_mutex_unlock(&sp->mu);
	enum store_result r = blob_segment_read(bs->seg, sp->file, n, false, fn, ctx);
	spill_unref(bs, sp);
	return r;
}

/* ---- deletes ---- */

enum store_result blob_spill_shred(struct blob_spill *bs, int64_t file)
{
	return blob_segment_has(bs->seg, file) ? blob_segment_free(bs->seg, file)
	                                       : legacy_shred(bs, file);
}

enum store_result blob_spill_drop_pending(struct blob_spill *bs, store_id blob)
{
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp == NULL)
		return STORE_OK;
	spill_remove(bs, sp);
	pthread_mutex_lock(&sp->mu); /* no append is writing its extents */
	enum store_result r = blob_segment_free(bs->seg, sp->file);
	pthread_mutex_unlock(&sp->mu);
	spill_unref(bs, sp);
	return r;
}

enum store_result blob_spill_remove_unclaimed(struct blob_spill *bs,
                                              enum store_result (*claimed)(void *ctx, int64_t file),
                                              void *ctx)
{
	enum store_result r = blob_segment_sweep(bs->seg, claimed, ctx);
	int fd = r == STORE_OK ? dup(bs->dir_fd) : -1;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return r != STORE_OK ? r : STORE_IO;
	}
	rewinddir(d); /* the dup shares dir_fd's offset, at its end after an earlier walk */
	while (r == STORE_OK && (e = readdir(d)) != NULL) {
		int64_t file = legacy_parse(e->d_name);
		if (file == 0)
			continue; /* not a legacy file: the segment file, or not ours */
		r = claimed(ctx, file);
		if (r == STORE_NOT_FOUND)
			r = legacy_shred(bs, file);
	}
	closedir(d);
	return r;
}

enum store_result blob_files_add(struct blob_files *l, int64_t file)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		int64_t *p = reallocarray(l->v, cap, sizeof *p);
		if (p == NULL)
			return STORE_NOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = file;
	return STORE_OK;
}

enum store_result blob_files_shred(struct blob_spill *bs, struct blob_files *l, enum store_result r)
{
	for (size_t i = 0; r == STORE_OK && i < l->n; i++) /* none if the delete failed */
		r = blob_spill_shred(bs, l->v[i]); /* one left behind goes at the next first open */
	blob_files_clear(l);
	return r;
}

void blob_files_clear(struct blob_files *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Moves one legacy file into new extents, then its row to them, then shreds the file. */
static enum store_result
migrate_one(struct blob_spill *bs, int64_t old,
            enum store_result (*retoken)(void *ctx, int64_t old, int64_t new), void *ctx)
{
	char name[20];
	struct blob_spill_file *sp = NULL;
	enum store_result r = STORE_OK;
	int64_t token = 0;
	legacy_name(name, old);
	int fd = openat(bs->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_OK : STORE_IO;
	uint8_t *buf = malloc(FILE_CHUNK);
	if (buf == NULL)
		r = STORE_NOMEM;
	else if ((r = spill_create(bs, -1, &sp)) == STORE_BUSY) /* -1: no blob's id */
		r = STORE_IO;
	while (r == STORE_OK) {
		ssize_t got = read(fd, buf, FILE_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got == 0 ? STORE_OK : STORE_IO;
			break;
		}
		pthread_mutex_lock(&sp->mu);
		r = spill_write(bs, sp, buf, (size_t)got);
		pthread_mutex_unlock(&sp->mu);
	}
	if (sp != NULL) {
		token = sp->file;
		if (r == STORE_OK && (r = blob_segment_seal(bs->seg, token, sp->size)) == STORE_OK)
			r = blob_segment_sync(bs->seg);
		spill_remove(bs, sp);
		spill_unref(bs, sp);
	}
	free(buf);
	close(fd);
	if (r == STORE_OK)
		r = retoken(ctx, old, token); /* durable: the row names the new extents */
	if (r != STORE_OK) {
		if (token != 0)
			spill_untake(bs, token); /* the file stays, and its row */
		return r;
	}
	return legacy_shred(bs, old);
}

enum store_result
blob_spill_migrate(struct blob_spill *bs,
                   enum store_result (*retoken)(void *ctx, int64_t old, int64_t new), void *ctx)
{
	enum store_result r = STORE_OK;
	int fd = dup(bs->dir_fd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return STORE_IO;
	}
	rewinddir(d);
	while (r == STORE_OK && (e = readdir(d)) != NULL) {
		int64_t file = legacy_parse(e->d_name);
		if (file != 0)
			r = migrate_one(bs, file, retoken, ctx);
	}
	closedir(d);
	return r;
}

enum store_result blob_spill_usage(struct blob_spill *bs, uint64_t *blobs, uint64_t *extents)
{
	return blob_segment_usage(bs->seg, blobs, extents);
}

void blob_spill_touch(struct blob_spill *bs)
{
	blob_segment_touch(bs->seg);
}
