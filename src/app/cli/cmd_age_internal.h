/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_age_internal: what the files of `cutout age` share (cmd_age.c: keygen,
 * encrypt, dispatch and the helpers; cmd_age_decrypt.c: decrypt).
 */
#ifndef CUTOUT_APP_CLI_CMD_AGE_INTERNAL_H
#define CUTOUT_APP_CLI_CMD_AGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/age/age.h"

#define CMD "age"
#define PASS_ENV "CUTOUT_PASSPHRASE"
#define PASS_CAP 1024                  /* longest passphrase + 1 */
#define IDENTITY_FILE_CAP (256 * 1024) /* an identity file is small */
#define RECIPIENT_FILE_CAP (1024 * 1024)
#define MAX_IDENTITIES 1024
#define IO_BUF_SIZE AGE_PAR_BATCH   /* whole chunks for the two sealing threads */
#define MAX_SOURCES AGE_MAX_STANZAS /* -r/-R or -i options */

/* A -r, -R or -i argument, kept in command-line order. */
struct source {
	int file; /* -R or -i: a file name; else a recipient string */
	const char *arg;
};

/* Where the output goes: a file descriptor, and the errno of its first failed write. */
struct sink {
	int fd;
	int err;
};
/* age_write_fn over a struct sink. */
int age_cli_sink_write(void *ctx, const uint8_t *p, size_t n);

int age_cli_is_stdin(const char *path);
/* Opens INPUT ('-' or NULL: stdin); -1 (with a message) if it cannot. */
int age_cli_input_open(const char *path);
const char *age_cli_input_name(const char *path);
/* Reads a small file (cap bytes at most) into dst; its length, or -1 (errno). */
ssize_t age_cli_read_small_file(const char *path, char *dst, size_t cap);
/* Calls fn on each line of text (trimmed of its end of line) with its number. */
int age_cli_for_each_line(char *text, size_t len, int (*fn)(void *ctx, char *line, size_t lineno),
                          void *ctx);
/* Maps a library failure to a message (and exit status); in/out name the streams. */
int age_cli_report_err(enum age_err ae, const char *what, const char *in, const char *out,
                       const struct sink *sk, int scrypt);
mode_t age_cli_default_mode(void);
int age_cli_decrypt_main(int argc, char **argv);

#endif
