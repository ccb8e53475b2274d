/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cli: the command table and helpers shared by the cmd_*.c front ends.
 *
 * Every subcommand is a <name>_main(argc, argv) in its own cmd_<name>.c,
 * listed once in the table in main.c (after wireguard-tools' wg.c). argv[0]
 * is the subcommand's name. Exit codes: 0 success, 1 failure, 2 usage error.
 */
#ifndef CUTOUT_APP_CLI_H
#define CUTOUT_APP_CLI_H

#include <stddef.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

struct cli_command {
	const char *name;
	const char *summary; /* one line for `cutout help` */
	const char *help;    /* the full text for `cutout help NAME` */
	int (*main)(int argc, char **argv);
};

extern const struct cli_command cli_commands[];

const struct cli_command *cli_find(const char *name);
/* Prints the command's help text to stdout. */
void cli_print_help(const struct cli_command *c);
/* True when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* "cutout CMD: message" on stderr; returns CLI_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int cli_usage(const char *cmd, const char *fmt, ...);

/* A subcommand and how many arguments follow it. */
struct cli_sub {
	const char *name;
	int min, max; /* how many arguments it takes; max -1: no limit */
};
/*
 * The index in subs[n] of args[0] (nargs words: the subcommand and its
 * arguments), or -1 after a usage message (no command, an unknown one, or the
 * wrong number of arguments).
 */
int cli_subcommand(const char *cmd, const struct cli_sub *subs, size_t n, int nargs,
                   char *const *args);
/* "cutout CMD: message" on stderr; returns CLI_EXIT_FAIL. */
__attribute__((format(printf, 2, 3))) int cli_fail(const char *cmd, const char *fmt, ...);

/*
 * Reads a secret: from the environment variable env if set, else from the
 * terminal with echo off after printing prompt on it (and a second time with
 * confirm_prompt if not NULL). Writes at most cap-1 bytes and a NUL into out
 * (which should be sodium_malloc'd). Returns the length, or -1 with a message
 * already printed.
 */
long cli_read_secret(const char *cmd, const char *env, const char *prompt,
                     const char *confirm_prompt, char *out, size_t cap);

#endif
