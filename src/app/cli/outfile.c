/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/cli/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli/cli.h"
#include "lib/io.h"

#include "lib/banned.h"

static char g_tmp_path[PATH_MAX];
static volatile sig_atomic_t g_tmp_armed;

static void on_fatal_signal(int sig)
{
	if (g_tmp_armed)
		(void)unlink(g_tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void tmp_guard(int on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_fatal_signal : SIG_DFL;
	g_tmp_armed = on;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		(void)sigaction(fatal_signals[i], &sa, NULL);
}

/* Splits path into its directory (for the temporary file) and base name. */
static int make_tmp_template(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int n;
	if (slash == NULL)
		n = snprintf(out, cap, ".%s.cutout-XXXXXX", path);
	else
		n = snprintf(out, cap, "%.*s/.%s.cutout-XXXXXX", (int)(slash - path), path,
		             slash + 1);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int outfile_open(struct outfile *o, const char *cmd, const char *path, mode_t mode)
{
	o->cmd = cmd;
	o->fd = -1;
	o->temp = 0;
	o->path[0] = 0;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->name = "standard output";
		return 0;
	}
	o->name = path;
	int n = snprintf(o->path, sizeof o->path, "%s", path);
	if (n < 0 || (size_t)n >= sizeof o->path)
		return cli_fail(o->cmd, "%s: file name too long", path);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* Replace the file the link points to, not the link. */
		char *real = realpath(path, NULL);
		if (real != NULL) {
			n = snprintf(o->path, sizeof o->path, "%s", real);
			free(real);
			if (n < 0 || (size_t)n >= sizeof o->path)
				return cli_fail(o->cmd, "%s: file name too long", path);
		}
	}
	if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return cli_fail(o->cmd, "%s: is a directory", path);
		o->fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (o->fd < 0)
			return cli_fail(o->cmd, "cannot open %s: %s", path, strerror(errno));
		return 0;
	}
	if (make_tmp_template(o->path, g_tmp_path, sizeof g_tmp_path) != 0)
		return cli_fail(o->cmd, "%s: file name too long", path);
	tmp_guard(1);
	o->fd = mkostemp(g_tmp_path, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;
		tmp_guard(0);
		return cli_fail(o->cmd, "cannot create a file next to %s: %s", path, strerror(e));
	}
	o->temp = 1;
	if (fchmod(o->fd, mode) != 0) {
		int e = errno;
		(void)unlink(g_tmp_path);
		tmp_guard(0);
		close(o->fd);
		o->fd = -1;
		o->temp = 0;
		return cli_fail(o->cmd, "cannot set the mode of %s: %s", path, strerror(e));
	}
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->temp) {
		(void)unlink(g_tmp_path);
		tmp_guard(0);
		o->temp = 0;
	}
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
}

int outfile_commit(struct outfile *o, int noreplace)
{
	int rc = 0;
	if (!o->temp) {
		if (o->fd > STDERR_FILENO && close(o->fd) != 0)
			rc = cli_fail(o->cmd, "writing %s: %s", o->name, strerror(errno));
		o->fd = -1;
		return rc;
	}
	if (fsync(o->fd) != 0) {
		rc = cli_fail(o->cmd, "writing %s: %s", o->name, strerror(errno));
		goto out;
	}
	int fd = o->fd;
	o->fd = -1;
	if (close(fd) != 0) {
		rc = cli_fail(o->cmd, "writing %s: %s", o->name, strerror(errno));
		goto out;
	}
	if (noreplace) {
		if (link(g_tmp_path, o->path) != 0) {
			if (errno == EEXIST)
				rc = cli_fail(o->cmd, "%s already exists; not overwriting it",
				              o->name);
			else
				rc = cli_fail(o->cmd, "cannot create %s: %s", o->name,
				              strerror(errno));
			goto out;
		}
		(void)unlink(g_tmp_path);
	} else if (rename(g_tmp_path, o->path) != 0) {
		rc = cli_fail(o->cmd, "cannot replace %s: %s", o->name, strerror(errno));
		goto out;
	}
	tmp_guard(0);
	o->temp = 0;
	if (io_fsync_dir_of(o->path) != 0)
		rc = cli_fail(o->cmd, "syncing the directory of %s: %s", o->name, strerror(errno));
	return rc;
out:
	outfile_abort(o);
	return rc;
}
