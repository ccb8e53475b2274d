/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/banned.h"

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void cli_print_help(const struct cli_command *c)
{
	fputs(c->help, stdout);
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

static void vmsg(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "cutout %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_subcommand(const char *cmd, const struct cli_sub *subs, size_t n, int nargs,
                   char *const *args)
{
	if (nargs < 1) {
		cli_usage(cmd, "which command? (see 'cutout help %s')", cmd);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(args[0], subs[i].name) != 0)
			continue;
		if (nargs - 1 < subs[i].min || (subs[i].max >= 0 && nargs - 1 > subs[i].max)) {
			cli_usage(cmd, "wrong number of arguments for '%s' (see 'cutout help %s')",
			          args[0], cmd);
			return -1;
		}
		return (int)i;
	}
	cli_usage(cmd, "unknown command '%s' (see 'cutout help %s')", args[0], cmd);
	return -1;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

/* Reads one line from the terminal with echo off. Returns length or -1. */
static long tty_read_line(int fd, const char *prompt, char *out, size_t cap)
{
	struct termios old, noecho;
	int have_term = tcgetattr(fd, &old) == 0;
	/*
	 * Echo off (flushing typeahead) before the prompt, as readpassphrase(3)
	 * does: an answer typed right after the prompt must not be flushed.
	 */
	if (have_term) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		noecho.c_lflag |= ECHONL;
		if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
			return -1;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		if (have_term)
			(void)tcsetattr(fd, TCSAFLUSH, &old);
		return -1;
	}
	size_t n = 0;
	long rc = -1;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (ch == '\n' || ch == '\r') {
			rc = (long)n;
			break;
		}
		if (n + 1 >= cap) {
			rc = -2;
			break;
		}
		out[n++] = ch;
	}
	if (have_term)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	out[n < cap ? n : cap - 1] = 0;
	if (rc < 0)
		sodium_memzero(out, cap);
	return rc;
}

long cli_read_secret(const char *cmd, const char *env, const char *prompt,
                     const char *confirm_prompt, char *out, size_t cap)
{
	const char *e = env != NULL ? getenv(env) : NULL;
	if (e != NULL) {
		size_t n = strlen(e);
		if (n + 1 > cap) {
			cli_fail(cmd, "%s is too long (at most %zu bytes)", env, cap - 1);
			return -1;
		}
		memcpy(out, e, n + 1);
		return (long)n;
	}
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cli_fail(cmd, "no terminal to read the passphrase from (set %s for scripts)",
		         env != NULL ? env : "it in the environment");
		return -1;
	}
	long n = tty_read_line(fd, prompt, out, cap);
	if (n >= 0 && confirm_prompt != NULL) {
		char *again = sodium_malloc(cap);
		if (again == NULL) {
			n = -1;
		} else {
			long m = tty_read_line(fd, confirm_prompt, again, cap);
			if (m != n || sodium_memcmp(out, again, (size_t)n) != 0) {
				n = -3;
			}
			sodium_free(again);
		}
	}
	close(fd);
	if (n == -2)
		cli_fail(cmd, "passphrase too long (at most %zu bytes)", cap - 1);
	else if (n == -3)
		cli_fail(cmd, "the passphrases do not match");
	else if (n < 0)
		cli_fail(cmd, "could not read the passphrase from the terminal");
	if (n < 0) {
		sodium_memzero(out, cap);
		return -1;
	}
	return n;
}
