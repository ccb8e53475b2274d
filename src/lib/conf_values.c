/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* conf_values: checks of configuration values that other code also asks for (conf.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/conf.h"

#include "lib/banned.h"

__attribute__((format(printf, 2, 3))) static enum conf_result fail(struct conf_error *err,
                                                                   const char *fmt, ...)
{
	if (err == NULL)
		return CONF_ERR_VALUE;
	err->line = 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = 0;
	return CONF_ERR_VALUE;
}

/* The store's location: see conf_check_store. */
static enum conf_result check_store(const char *v, size_t n, struct conf_error *err)
{
	static const char *const uri[] = {"postgresql://", "postgres://"};
	size_t file = sizeof CONF_STORE_FILE - 1;
	if (n == file && memcmp(v, CONF_STORE_FILE, file) == 0)
		return CONF_OK;
	size_t at = 0;
	for (size_t i = 0; i < sizeof uri / sizeof uri[0]; i++)
		if (n > strlen(uri[i]) && strncmp(v, uri[i], strlen(uri[i])) == 0)
			at = strlen(uri[i]);
	if (at == 0)
		return fail(err, "store: want %s or a postgresql:// location", CONF_STORE_FILE);
	if (n > CONF_STORE_MAX)
		return fail(err, "store: longer than %d bytes", CONF_STORE_MAX);
	size_t auth_end = at;
	while (auth_end < n && v[auth_end] != '/' && v[auth_end] != '?')
		auth_end++;
	for (size_t i = 0; i < n; i++) {
		if (v[i] <= ' ' || v[i] > '~')
			return fail(err, "store: not printable ASCII without blanks");
		/* "user:password@host" in the authority */
		bool pass = i >= at && i < auth_end && v[i] == '@' && memchr(v + at, ':', i - at);
		/* a password parameter, or one whose name hides it (%-encoded) */
		bool param = i + 8 <= n && strncasecmp(v + i, "password", 8) == 0;
		if (pass || param || (i > auth_end && v[i] == '%'))
			return fail(err, "store: no password in the location: libpq reads it from "
			                 "PGPASSFILE or ~/.pgpass");
	}
	return CONF_OK;
}

enum conf_result conf_check_store(const char *v, struct conf_error *err)
{
	return check_store(v, strlen(v), err);
}

int conf_command_argv(const char *v, char *buf, size_t cap, char *argv[CONF_COMMAND_ARGS_MAX + 1])
{
	size_t n = strlen(v), words = 0;
	if (n == 0 || n >= cap || strcmp(v, "none") == 0 || v[0] != '/')
		return -1;
	memcpy(buf, v, n + 1);
	for (size_t i = 0; i < n;) {
		if (buf[i] == ' ') {
			buf[i++] = 0;
			continue;
		}
		if (buf[i] == '"' || buf[i] == '\'' || (unsigned char)buf[i] < ' ')
			return -1; /* no quoting: say so rather than guess */
		if (words == CONF_COMMAND_ARGS_MAX)
			return -1;
		argv[words++] = buf + i;
		while (i < n && buf[i] != ' ') {
			if (buf[i] == '"' || buf[i] == '\'' || (unsigned char)buf[i] < ' ')
				return -1;
			i++;
		}
	}
	argv[words] = NULL;
	return words > 0 ? (int)words : -1;
}

bool conf_command_ok(const char *v, size_t n)
{
	char cmd[CONF_COMMAND_MAX + 1], buf[CONF_COMMAND_MAX + 1];
	char *argv[CONF_COMMAND_ARGS_MAX + 1];
	if (n == 4 && memcmp(v, "none", 4) == 0)
		return true;
	if (n >= sizeof cmd)
		return false;
	memcpy(cmd, v, n);
	cmd[n] = 0;
	return conf_command_argv(cmd, buf, sizeof buf, argv) > 0;
}
