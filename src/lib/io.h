/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * io: small, careful file-descriptor helpers.
 *
 * All functions retry on EINTR and report failure with -1 and errno set.
 */
#ifndef CUTOUT_LIB_IO_H
#define CUTOUT_LIB_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"

/* Writes all n bytes. Returns 0 or -1. */
__attribute__((warn_unused_result)) int io_write_all(int fd, const void *p, size_t n);
/* Reads until n bytes or EOF. Returns the count read (< n only at EOF), or -1. */
__attribute__((warn_unused_result)) ssize_t io_read_full(int fd, void *p, size_t n);
/*
 * Reads a whole file into b (which carries the cap). Returns 0, or -1 with
 * errno (EFBIG when the file is larger than the buffer's cap).
 */
__attribute__((warn_unused_result)) int io_read_file(const char *path, struct buf *b);
/* Reads fd until EOF into b (its cap). 0, or -1 with errno (EFBIG past the cap). */
__attribute__((warn_unused_result)) int io_read_fd(int fd, struct buf *b);
/*
 * Creates path with the given mode, writes data, fsyncs it and its directory.
 * Fails (EEXIST) if path exists. Returns 0 or -1; on failure nothing is left.
 */
__attribute__((warn_unused_result)) int io_write_new_file(const char *path, const void *data,
                                                          size_t n, mode_t mode);
/* fsyncs the directory that contains path (or path itself if it is a dir). */
__attribute__((warn_unused_result)) int io_fsync_dir_of(const char *path);

#endif
