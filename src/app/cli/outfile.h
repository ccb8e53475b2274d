/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * outfile: the CLI's output files. Output goes to a temporary file next to
 * the target, is fsync'd, and only then renamed over the target (or linked,
 * never replacing an existing file); on failure, or on SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT meanwhile, the temporary file is removed. So a command
 * never leaves a partial output file behind. Standard output ("-" or NULL)
 * and existing non-regular files (a device, a FIFO) are written directly.
 * One temporary file per process at a time.
 */
#ifndef CUTOUT_APP_OUTFILE_H
#define CUTOUT_APP_OUTFILE_H

#include <limits.h>
#include <sys/types.h>

struct outfile {
	int fd;
	int temp;         /* 1 while writing the temporary file */
	const char *cmd;  /* for messages: "cutout CMD: ..." */
	const char *name; /* for messages */
	char path[PATH_MAX];
};

/* Opens the output (temporary files get mode). Returns 0 or a CLI exit code, said. */
__attribute__((warn_unused_result)) int outfile_open(struct outfile *o, const char *cmd,
                                                     const char *path, mode_t mode);
/* Removes the temporary file, if any, and closes. Safe to call twice. */
void outfile_abort(struct outfile *o);
/*
 * Makes the output durable and visible: fsync, rename over the target (with
 * noreplace: link, refusing an existing file), fsync the directory. Returns 0
 * or a CLI exit code (after outfile_abort).
 */
__attribute__((warn_unused_result)) int outfile_commit(struct outfile *o, int noreplace);

#endif
