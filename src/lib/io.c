/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/banned.h"

int io_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t io_read_full(int fd, void *p, size_t n)
{
	uint8_t *c = p;
	size_t got = 0;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int io_read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	uint8_t tmp[8192];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		enum buf_result br = buf_append(b, tmp, (size_t)r);
		if (br != BUF_OK) {
			errno = br == BUF_TOO_LARGE ? EFBIG : ENOMEM;
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int io_fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	int n;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		n = snprintf(dir, sizeof dir, "%s", path);
	} else {
		const char *slash = strrchr(path, '/');
		if (slash == NULL)
			n = snprintf(dir, sizeof dir, ".");
		else if (slash == path)
			n = snprintf(dir, sizeof dir, "/");
		else
			n = snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	}
	if (n < 0 || (size_t)n >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int io_write_new_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || io_write_all(fd, data, n) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		errno = e;
		return -1;
	}
	return io_fsync_dir_of(path);
}

int io_read_fd(int fd, struct buf *b)
{
	uint8_t chunk[16384];
	for (;;) {
		ssize_t n = io_read_full(fd, chunk, sizeof chunk);
		if (n < 0)
			return -1;
		if (n > 0 && buf_append(b, chunk, (size_t)n) != BUF_OK) {
			errno = EFBIG;
			return -1;
		}
		if ((size_t)n < sizeof chunk)
			return 0;
	}
}
