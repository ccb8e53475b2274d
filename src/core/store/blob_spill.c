/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* blob_spill: the files of large pending and committed blobs (core/store/blob_spill.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/blob_spill.h"

#include "lib/banned.h"

#define FILE_CHUNK STORE_CHUNK_MAX /* the unit of reads and of shredding */

/*
 * A pending blob grown beyond its first chunk: the rest is in the file named
 * by `file`, written by the appending caller. Held in the table until a
 * commit claims the blob or a delete removes it.
 */
struct blob_spill_file {
	store_id blob;
	int64_t file;
	int fd;
	uint64_t size;
	bool sealed;        /* a commit is claiming it: no more appends */
	int refs;           /* the table's + each user's */
	pthread_mutex_t mu; /* size, sealed, writes */
};

struct blob_spill {
	int dir_fd;
	pthread_mutex_t mu; /* the table */
	struct blob_spill_file *files[SPILL_MAX];
	size_t nfiles;
	pthread_mutex_t dir_mu;
	bool dir_dirty; /* a file was created since the directory was last fsync'd */
};

static void spill_name(char out[static 20], int64_t file)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = (uint64_t)file;
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '\0';
}

/* The token of a file name made by spill_name, or 0. */
static int64_t spill_parse(const char *name)
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
	pthread_mutex_init(&bs->mu, NULL);
	pthread_mutex_init(&bs->dir_mu, NULL);
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
	close(sp->fd);
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
	close(bs->dir_fd);
	pthread_mutex_destroy(&bs->mu);
	pthread_mutex_destroy(&bs->dir_mu);
	free(bs);
	*bsp = NULL;
}

/* What a failed write, create or sync says: no space is STORE_FULL, anything else STORE_IO. */
static enum store_result errno_result(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EFBIG ? STORE_FULL : STORE_IO;
}

static enum store_result write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno_result(errno);
		if (w == 0)
			return STORE_FULL; /* no progress and no error: no room */
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return STORE_OK;
}

enum store_result blob_spill_shred(struct blob_spill *bs, int64_t file)
{
	char name[20];
	struct stat sb;
	enum store_result r = STORE_OK;
	uint8_t *zero = NULL;
	spill_name(name, file);
	int fd = openat(bs->dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_OK : STORE_IO;
	if (fstat(fd, &sb) != 0 || (zero = calloc(1, FILE_CHUNK)) == NULL) {
		r = STORE_IO;
		goto out;
	}
	for (uint64_t off = 0; off < (uint64_t)sb.st_size; off += FILE_CHUNK) {
		uint64_t left = (uint64_t)sb.st_size - off;
		if ((r = write_all(fd, zero, left < FILE_CHUNK ? (size_t)left : FILE_CHUNK, off)) !=
		    STORE_OK)
			goto out;
	}
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

/*
 * Makes blob file-backed: a new file and a table entry, returned with a
 * reference for the caller. STORE_BUSY: the table is full.
 */
static enum store_result spill_create(struct blob_spill *bs, store_id blob,
                                      struct blob_spill_file **out)
{
	char name[20];
	int64_t file = 0;
	int fd = -1;
	*out = NULL;
	do {
		uint64_t v;
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
			if (errno == EINTR)
				continue;
			return STORE_IO;
		}
		file = (int64_t)(v & INT64_MAX);
		if (file == 0)
			continue;
		spill_name(name, file);
		fd = openat(bs->dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		            0600);
	} while (file == 0 || (fd < 0 && (errno == EEXIST || errno == EINTR)));
	if (fd < 0)
		return errno_result(errno);
	pthread_mutex_lock(&bs->dir_mu);
	bs->dir_dirty = true;
	pthread_mutex_unlock(&bs->dir_mu);
	struct blob_spill_file *sp = calloc(1, sizeof(*sp));
	if (sp == NULL) {
		close(fd);
		(void)unlinkat(bs->dir_fd, name, 0);
		return STORE_NOMEM;
	}
	sp->blob = blob;
	sp->file = file;
	sp->fd = fd;
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
		close(fd);
		pthread_mutex_destroy(&sp->mu);
		free(sp);
		(void)unlinkat(bs->dir_fd, name, 0);
		if (full)
			return STORE_BUSY;
	}
	*out = have ? have : sp;
	return STORE_OK;
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
	else if (sp->size > INT64_MAX - n)
		r = STORE_TOO_LARGE;
	else if ((r = write_all(sp->fd, p, n, sp->size)) == STORE_OK)
		sp->size += n;
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
		if (fdatasync(sp->fd) != 0) {
			r = errno_result(errno);
			goto fail;
		}
	}
	if (*nclaims > 0) {
		pthread_mutex_lock(&bs->dir_mu);
		if (bs->dir_dirty) {
			bs->dir_dirty = false;
			if (fsync(bs->dir_fd) != 0) {
				bs->dir_dirty = true;
				r = errno_result(errno);
			}
		}
		pthread_mutex_unlock(&bs->dir_mu);
		if (r != STORE_OK)
			goto fail;
	}
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

/* Streams n bytes of fd from offset 0 to fn. */
static enum store_result stream_fd(int fd, uint64_t n, store_chunk_fn fn, void *ctx)
{
	enum store_result r = STORE_OK;
	uint8_t *buf = malloc(FILE_CHUNK);
	if (buf == NULL)
		return STORE_NOMEM;
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
	return r;
}

enum store_result blob_spill_read_file(struct blob_spill *bs, int64_t file, uint64_t n,
                                       store_chunk_fn fn, void *ctx)
{
	char name[20];
	spill_name(name, file);
	int fd = openat(bs->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? STORE_NOT_FOUND : STORE_IO;
	enum store_result r = stream_fd(fd, n, fn, ctx);
	close(fd);
	return r;
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
	enum store_result r = stream_fd(sp->fd, n, fn, ctx);
	spill_unref(bs, sp);
	return r;
}

enum store_result blob_spill_drop_pending(struct blob_spill *bs, store_id blob)
{
	struct blob_spill_file *sp = spill_find(bs, blob);
	if (sp == NULL)
		return STORE_OK;
	spill_remove(bs, sp);
	enum store_result r = blob_spill_shred(bs, sp->file);
	spill_unref(bs, sp);
	return r;
}

enum store_result blob_spill_remove_unclaimed(struct blob_spill *bs,
                                              enum store_result (*claimed)(void *ctx, int64_t file),
                                              void *ctx)
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
	while (r == STORE_OK && (e = readdir(d)) != NULL) {
		int64_t file = spill_parse(e->d_name);
		if (file == 0)
			continue; /* not ours */
		r = claimed(ctx, file);
		if (r == STORE_NOT_FOUND)
			r = blob_spill_shred(bs, file);
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
