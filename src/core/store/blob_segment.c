/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * blob_segment: the shared segment file of large blobs (core/store/blob_segment.h).
 *
 * The file LOCATION.blobs/segments, made at the store's first open:
 *
 *   0 .. 4 KiB          a header: SEG_MAGIC, and at HINT_OFF the allocation
 *                       hint (no extent below it is free);
 *   TABLE_OFF ..        the table, one ENTRY_SIZE entry per extent: the token
 *                       of the blob that holds it (0: free), its place in the
 *                       blob (seq), the next extent of the blob (NO_EXT: the
 *                       last), and in a blob's first extent its size once a
 *                       commit claims it;
 *   DATA_OFF ..         the extents, EXT_SIZE bytes each, EXT_MAX of them.
 *
 * Table and extents are written in place (pwrite), never created or removed
 * one by one, so no file or directory is timed by a blob's arrival: the
 * file's mtime and ctime are those of the store's last blob write. Blocks of
 * a freed extent are overwritten with zeros, synced, then given back to the
 * filesystem (FALLOC_FL_PUNCH_HOLE where it can) before the extent is marked
 * free. Allocation and freeing hold an OFD lock on the header's first byte
 * (processes) and a mutex (threads of one).
 *
 * A blob's token is a random 31-bit number above its first extent's index
 * (token >> 32 != 0), so a token is never reused and names its first extent.
 * Stores made before the segment file keep their per-blob files (named by
 * 16 hex digits of the token): they are still read, shredded and swept, never
 * made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/blob_segment.h"

#include "lib/banned.h"

#define FILE_CHUNK STORE_CHUNK_MAX /* the unit of reads and of shredding */

#define SEG_FILE "segments"
#define SEG_MAGIC "cutout segments 1"
#define HINT_OFF 32
#define TABLE_OFF 4096
#define ENTRY_SIZE 32
#define EXT_SIZE BLOB_SEGMENT_EXTENT
#define DATA_OFF (TABLE_OFF + (uint64_t)BLOB_SEGMENT_EXTENTS * ENTRY_SIZE) /* 4 KiB + 32 MiB */
#define NO_EXT BLOB_SEGMENT_NONE
#define SCAN_ENTRIES 2048 /* entries read at once when looking for a free one */

struct entry {
	int64_t token; /* 0: free */
	uint64_t size; /* first extent of a claimed blob: the blob's bytes in the file */
	uint32_t seq, next;
};

struct blob_segment {
	int fd;
	pthread_mutex_t mu; /* with the OFD lock: the free entries, the hint */
};

/* ---- the segment file ---- */

/* What a failed write, create or sync says: no space is STORE_FULL, anything else STORE_IO. */
enum store_result blob_segment_errno(int e)
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
			return blob_segment_errno(errno);
		if (w == 0)
			return STORE_FULL; /* no progress and no error: no room */
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return STORE_OK;
}

/* Reads up to n bytes at off; what lies beyond the file's end reads as zeros. */
static enum store_result read_zfill(int fd, uint8_t *p, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return STORE_IO;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	memset(p + got, 0, n - got);
	return STORE_OK;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void entry_decode(const uint8_t p[static ENTRY_SIZE], struct entry *e)
{
	e->token = (int64_t)(get64(p) & INT64_MAX);
	e->size = get64(p + 8);
	e->seq = get32(p + 16);
	e->next = get32(p + 20);
}

static enum store_result entry_read(struct blob_segment *g, uint32_t k, struct entry *e)
{
	uint8_t b[ENTRY_SIZE];
	enum store_result r = read_zfill(g->fd, b, sizeof b, TABLE_OFF + (uint64_t)k * ENTRY_SIZE);
	if (r == STORE_OK)
		entry_decode(b, e);
	return r;
}

static enum store_result entry_write(struct blob_segment *g, uint32_t k, const struct entry *e)
{
	uint8_t b[ENTRY_SIZE] = {0};
	put64(b, (uint64_t)e->token);
	put64(b + 8, e->size);
	put32(b + 16, e->seq);
	put32(b + 20, e->next);
	return write_all(g->fd, b, sizeof b, TABLE_OFF + (uint64_t)k * ENTRY_SIZE);
}

/* The first extent a token names, or NO_EXT when it is no segment token (a legacy file). */
static uint32_t token_head(int64_t token)
{
	uint64_t k = (uint64_t)token & 0xffffffffu;
	return token > 0 && (uint64_t)token >> 32 != 0 && k < BLOB_SEGMENT_EXTENTS ? (uint32_t)k
	                                                                           : NO_EXT;
}

static enum store_result table_lock(struct blob_segment *g)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	pthread_mutex_lock(&g->mu);
	int rc;
	do
		rc = fcntl(g->fd, F_OFD_SETLKW, &l);
	while (rc != 0 && errno == EINTR);
	if (rc != 0) {
		pthread_mutex_unlock(&g->mu);
		return STORE_IO;
	}
	return STORE_OK;
}

static void table_unlock(struct blob_segment *g)
{
	struct flock l = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	(void)fcntl(g->fd, F_OFD_SETLK, &l);
	pthread_mutex_unlock(&g->mu);
}

static enum store_result hint_read(struct blob_segment *g, uint32_t *hint)
{
	uint8_t b[4];
	enum store_result r = read_zfill(g->fd, b, sizeof b, HINT_OFF);
	*hint = get32(b);
	return r;
}

static enum store_result hint_write(struct blob_segment *g, uint32_t hint)
{
	uint8_t b[4];
	put32(b, hint);
	return write_all(g->fd, b, sizeof b, HINT_OFF);
}

/*
 * Takes the lowest free extent for the blob `token` (0: a new blob, whose
 * token is made here from the extent), at place seq of the blob.
 * STORE_FULL: every extent is taken.
 */
static enum store_result extent_alloc(struct blob_segment *g, int64_t *token, uint32_t seq,
                                      uint32_t *out)
{
	enum store_result r;
	uint32_t hint, k = NO_EXT;
	uint8_t *b = malloc((size_t)SCAN_ENTRIES * ENTRY_SIZE);
	if (b == NULL)
		return STORE_NOMEM;
	if ((r = table_lock(g)) != STORE_OK) {
		free(b);
		return r;
	}
	if ((r = hint_read(g, &hint)) != STORE_OK)
		goto out;
	for (uint32_t at = hint; k == NO_EXT && at < BLOB_SEGMENT_EXTENTS; at += SCAN_ENTRIES) {
		uint32_t n = BLOB_SEGMENT_EXTENTS - at < SCAN_ENTRIES ? BLOB_SEGMENT_EXTENTS - at
		                                                      : SCAN_ENTRIES;
		if ((r = read_zfill(g->fd, b, (size_t)n * ENTRY_SIZE,
		                    TABLE_OFF + (uint64_t)at * ENTRY_SIZE)) != STORE_OK)
			goto out;
		for (uint32_t i = 0; i < n && k == NO_EXT; i++)
			if ((get64(b + (size_t)i * ENTRY_SIZE) & INT64_MAX) == 0)
				k = at + i;
	}
	if (k == NO_EXT) {
		r = STORE_FULL;
		goto out;
	}
	while (*token == 0) {
		uint32_t v;
		if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
			if (errno == EINTR)
				continue;
			r = STORE_IO;
			goto out;
		}
		*token = (int64_t)((uint64_t)(v & INT32_MAX) << 32 | k);
		if ((v & INT32_MAX) == 0)
			*token = 0;
	}
	struct entry e = {*token, 0, seq, NO_EXT};
	if ((r = entry_write(g, k, &e)) == STORE_OK && (r = hint_write(g, k + 1)) == STORE_OK)
		*out = k;
out:
	table_unlock(g);
	free(b);
	return r;
}

/* Overwrites with zeros the blocks the file holds in [off, off + len) (holes stay holes). */
enum store_result blob_segment_zero(int fd, uint64_t off, uint64_t len, const uint8_t *zero)
{
	uint64_t end = off + len, pos = off;
	while (pos < end) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA);
		if (d < 0)
			return errno == ENXIO ? STORE_OK : STORE_IO; /* no data past pos */
		if ((uint64_t)d >= end)
			break;
		off_t h = lseek(fd, d, SEEK_HOLE);
		if (h < 0)
			return STORE_IO;
		uint64_t stop = (uint64_t)h < end ? (uint64_t)h : end;
		for (uint64_t at = (uint64_t)d; at < stop; at += FILE_CHUNK) {
			uint64_t left = stop - at;
			enum store_result r = write_all(
			        fd, zero, left < FILE_CHUNK ? (size_t)left : FILE_CHUNK, at);
			if (r != STORE_OK)
				return r;
		}
		pos = stop;
	}
	return STORE_OK;
}

/*
 * Frees extents: overwritten with zeros and synced, their blocks given back
 * (where the filesystem can), then marked free. A crash before the last step
 * leaves them taken by a token no row claims: the next first open frees them.
 */
static enum store_result extents_free(struct blob_segment *g, const uint32_t *ks, size_t n)
{
	enum store_result r = STORE_OK;
	uint8_t *zero;
	if (n == 0)
		return STORE_OK;
	if ((zero = calloc(1, FILE_CHUNK)) == NULL)
		return STORE_NOMEM;
	for (size_t i = 0; i < n && r == STORE_OK; i++)
		r = blob_segment_zero(g->fd, DATA_OFF + ks[i] * EXT_SIZE, EXT_SIZE, zero);
	free(zero);
	if (r == STORE_OK && fdatasync(g->fd) != 0)
		r = blob_segment_errno(errno);
	if (r != STORE_OK)
		return r;
	for (size_t i = 0; i < n; i++) /* the zeros are durable: the blocks may go */
		(void)fallocate(g->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		                (off_t)(DATA_OFF + ks[i] * EXT_SIZE), (off_t)EXT_SIZE);
	uint32_t hint, low = NO_EXT;
	if ((r = table_lock(g)) != STORE_OK)
		return r;
	struct entry none = {0, 0, 0, 0};
	for (size_t i = 0; i < n && r == STORE_OK; i++) {
		r = entry_write(g, ks[i], &none);
		low = ks[i] < low ? ks[i] : low;
	}
	if (r == STORE_OK && (r = hint_read(g, &hint)) == STORE_OK && low < hint)
		r = hint_write(g, low);
	table_unlock(g);
	return r;
}

/* A list of extents, bounded by BLOB_SEGMENT_EXTENTS. */
struct extents {
	uint32_t *v;
	size_t n, cap;
};

static enum store_result extents_add(struct extents *l, uint32_t k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		uint32_t *p = reallocarray(l->v, cap, sizeof *p);
		if (p == NULL)
			return STORE_NOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = k;
	return STORE_OK;
}

/* The extents of a blob's chain from its head, as far as they carry its token in order. */
static enum store_result chain_collect(struct blob_segment *g, int64_t token, struct extents *l)
{
	enum store_result r = STORE_OK;
	struct entry e;
	for (uint32_t k = token_head(token), seq = 0; k != NO_EXT && seq < BLOB_SEGMENT_EXTENTS;
	     k = e.next, seq++) {
		if ((r = entry_read(g, k, &e)) != STORE_OK)
			return r;
		if (e.token != token || e.seq != seq ||
		    (e.next != NO_EXT && e.next >= BLOB_SEGMENT_EXTENTS))
			break;
		if ((r = extents_add(l, k)) != STORE_OK)
			return r;
	}
	return r;
}

/* Whether token names a blob of the segment file (its first extent carries it). */
bool blob_segment_has(struct blob_segment *g, int64_t token)
{
	struct entry e;
	uint32_t k = token_head(token);
	return k != NO_EXT && entry_read(g, k, &e) == STORE_OK && e.token == token && e.seq == 0;
}

/* Frees a blob's extents: overwritten, synced, given back, then marked free. */
enum store_result blob_segment_free(struct blob_segment *g, int64_t token)
{
	struct extents l = {0};
	enum store_result r = chain_collect(g, token, &l);
	if (r == STORE_OK)
		r = extents_free(g, l.v, l.n);
	free(l.v);
	return r;
}

enum store_result blob_segment_read(struct blob_segment *g, int64_t token, uint64_t n, bool claimed,
                                    store_chunk_fn fn, void *ctx)
{
	enum store_result r = STORE_OK;
	struct entry e;
	uint8_t *buf = malloc(FILE_CHUNK);
	if (buf == NULL)
		return STORE_NOMEM;
	uint32_t k = token_head(token), seq = 0;
	for (uint64_t off = 0; off < n && r == STORE_OK; k = e.next, seq++) {
		if (claimed && seq == 0 && k != NO_EXT && (r = entry_read(g, k, &e)) == STORE_OK &&
		    e.token == token && n > e.size) {
			r = STORE_CORRUPT; /* the row says more than was written */
			break;
		}
		if (k == NO_EXT || k >= BLOB_SEGMENT_EXTENTS) {
			r = STORE_CORRUPT;
			break;
		}
		if ((r = entry_read(g, k, &e)) != STORE_OK)
			break;
		if (e.token != token || e.seq != seq) {
			r = STORE_CORRUPT;
			break;
		}
		uint64_t in = n - off < EXT_SIZE ? n - off : EXT_SIZE;
		for (uint64_t at = 0; at < in && r == STORE_OK; at += FILE_CHUNK) {
			size_t want = in - at < FILE_CHUNK ? (size_t)(in - at) : FILE_CHUNK;
			if ((r = read_zfill(g->fd, buf, want, DATA_OFF + k * EXT_SIZE + at)) ==
			            STORE_OK &&
			    fn(ctx, buf, want) != 0)
				r = STORE_STOP;
		}
		off += in;
	}
	free(buf);
	return r;
}

/* Opens (made if missing: a header, synced with the directory) the segment file. */
static enum store_result seg_open(struct blob_segment *g, int dir_fd)
{
	const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
	bool made = false;
	int fd;
	do {
		fd = openat(dir_fd, SEG_FILE, flags | O_NOATIME);
		if (fd < 0 && errno == EPERM) /* O_NOATIME needs the owner */
			fd = openat(dir_fd, SEG_FILE, flags);
		if (fd < 0 && errno == ENOENT) {
			fd = openat(dir_fd, SEG_FILE, flags | O_CREAT | O_EXCL, 0600);
			made = fd >= 0;
		}
	} while (fd < 0 && (errno == EINTR || errno == EEXIST));
	if (fd < 0)
		return blob_segment_errno(errno);
	g->fd = fd;
	uint8_t head[sizeof SEG_MAGIC];
	enum store_result r;
	if (made) {
		if ((r = write_all(fd, (const uint8_t *)SEG_MAGIC, sizeof SEG_MAGIC, 0)) !=
		    STORE_OK)
			return r;
		if (fsync(fd) != 0 || fsync(dir_fd) != 0)
			return blob_segment_errno(errno);
		return STORE_OK;
	}
	if ((r = read_zfill(fd, head, sizeof head, 0)) != STORE_OK)
		return r;
	static const uint8_t empty[sizeof SEG_MAGIC];
	/* all zeros: another opener made it and is about to write its header */
	if (memcmp(head, SEG_MAGIC, sizeof head) != 0 && memcmp(head, empty, sizeof head) != 0)
		return STORE_CORRUPT;
	return STORE_OK;
}

/* The extents of the segment file no committed row claims, freed; the hint back to 0. */
enum store_result blob_segment_sweep(struct blob_segment *g,
                                     enum store_result (*claimed)(void *ctx, int64_t file),
                                     void *ctx)
{
	enum store_result r = STORE_OK, known = STORE_OK;
	struct extents l = {0};
	struct stat sb;
	int64_t last = 0;
	uint8_t *b = malloc((size_t)SCAN_ENTRIES * ENTRY_SIZE);
	if (b == NULL)
		return STORE_NOMEM;
	if (fstat(g->fd, &sb) != 0) {
		free(b);
		return STORE_IO;
	}
	uint64_t size = (uint64_t)sb.st_size, used = 0;
	if (size > TABLE_OFF)
		used = (size - TABLE_OFF + ENTRY_SIZE - 1) / ENTRY_SIZE;
	if (used > BLOB_SEGMENT_EXTENTS)
		used = BLOB_SEGMENT_EXTENTS;
	for (uint32_t at = 0; r == STORE_OK && at < used; at += SCAN_ENTRIES) {
		uint32_t n = used - at < SCAN_ENTRIES ? (uint32_t)(used - at) : SCAN_ENTRIES;
		if ((r = read_zfill(g->fd, b, (size_t)n * ENTRY_SIZE,
		                    TABLE_OFF + (uint64_t)at * ENTRY_SIZE)) != STORE_OK)
			break;
		for (uint32_t i = 0; i < n && r == STORE_OK; i++) {
			struct entry e;
			entry_decode(b + (size_t)i * ENTRY_SIZE, &e);
			if (e.token == 0)
				continue;
			if (e.token != last) { /* a blob's extents are mostly adjacent: ask once */
				last = e.token;
				known = claimed(ctx, e.token);
			}
			if (known == STORE_NOT_FOUND)
				r = extents_add(&l, at + i);
			else if (known != STORE_OK)
				r = known;
		}
	}
	free(b);
	if (r == STORE_OK)
		r = extents_free(g, l.v, l.n);
	free(l.v);
	if (r == STORE_OK && (r = table_lock(g)) == STORE_OK) {
		r = hint_write(g, 0);
		table_unlock(g);
	}
	return r;
}

enum store_result blob_segment_usage(struct blob_segment *g, uint64_t *blobs, uint64_t *extents)
{
	enum store_result r = STORE_OK;
	struct stat sb;
	*blobs = *extents = 0;
	uint8_t *b = malloc((size_t)SCAN_ENTRIES * ENTRY_SIZE);
	if (b == NULL)
		return STORE_NOMEM;
	if (fstat(g->fd, &sb) != 0) {
		free(b);
		return STORE_IO;
	}
	uint64_t size = (uint64_t)sb.st_size, used = 0;
	if (size > TABLE_OFF)
		used = (size - TABLE_OFF + ENTRY_SIZE - 1) / ENTRY_SIZE;
	if (used > BLOB_SEGMENT_EXTENTS)
		used = BLOB_SEGMENT_EXTENTS;
	for (uint32_t at = 0; r == STORE_OK && at < used; at += SCAN_ENTRIES) {
		uint32_t n = used - at < SCAN_ENTRIES ? (uint32_t)(used - at) : SCAN_ENTRIES;
		if ((r = read_zfill(g->fd, b, (size_t)n * ENTRY_SIZE,
		                    TABLE_OFF + (uint64_t)at * ENTRY_SIZE)) != STORE_OK)
			break;
		for (uint32_t i = 0; i < n; i++) {
			struct entry e;
			entry_decode(b + (size_t)i * ENTRY_SIZE, &e);
			*extents += e.token != 0;
			*blobs += e.token != 0 && e.seq == 0;
		}
	}
	free(b);
	return r;
}

enum store_result blob_segment_open(int dir_fd, struct blob_segment **out)
{
	*out = NULL;
	struct blob_segment *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return STORE_NOMEM;
	g->fd = -1;
	enum store_result r = seg_open(g, dir_fd);
	if (r != STORE_OK) {
		if (g->fd >= 0)
			close(g->fd);
		free(g);
		return r;
	}
	pthread_mutex_init(&g->mu, NULL);
	*out = g;
	return STORE_OK;
}

void blob_segment_close(struct blob_segment **gp)
{
	if (gp == NULL || *gp == NULL)
		return;
	close((*gp)->fd);
	pthread_mutex_destroy(&(*gp)->mu);
	free(*gp);
	*gp = NULL;
}

enum store_result blob_segment_take(struct blob_segment *g, int64_t *token, uint32_t seq,
                                    uint32_t prev, uint32_t *k)
{
	struct entry e;
	enum store_result r;
	if (seq >= BLOB_SEGMENT_EXTENTS)
		return STORE_FULL;
	if ((r = extent_alloc(g, token, seq, k)) != STORE_OK || prev == NO_EXT)
		return r;
	if ((r = entry_read(g, prev, &e)) != STORE_OK)
		return r;
	e.next = *k; /* only the blob's writer changes its entries */
	return entry_write(g, prev, &e);
}

enum store_result blob_segment_write(struct blob_segment *g, uint32_t k, uint64_t at,
                                     const uint8_t *p, size_t n)
{
	if (k >= BLOB_SEGMENT_EXTENTS || at > EXT_SIZE || n > EXT_SIZE - at)
		return STORE_TOO_LARGE;
	return write_all(g->fd, p, n, DATA_OFF + k * EXT_SIZE + at);
}

enum store_result blob_segment_seal(struct blob_segment *g, int64_t token, uint64_t size)
{
	uint8_t b[8];
	uint32_t k = token_head(token);
	if (k == NO_EXT)
		return STORE_NOT_FOUND;
	put64(b, size);
	return write_all(g->fd, b, sizeof b, TABLE_OFF + (uint64_t)k * ENTRY_SIZE + 8);
}

void blob_segment_touch(struct blob_segment *g)
{
	(void)futimens(g->fd, NULL);
}

enum store_result blob_segment_sync(struct blob_segment *g)
{
	return fdatasync(g->fd) == 0 ? STORE_OK : blob_segment_errno(errno);
}
