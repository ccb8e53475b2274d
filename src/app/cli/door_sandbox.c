/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* door_sandbox: each door's confinement and its self-test (app/cli/door_sandbox.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/cli/door_sandbox.h"
#include "core/instance/instance.h"
#include "lib/sandbox.h"

#include "lib/banned.h"

static const char *name_of(const struct door_sandbox *sb)
{
	return sb->kind == DOOR_INTAKE ? "intake" : sb->kind == DOOR_DESK ? "desk" : "liaison";
}

/* The store's files (instance_door_files: its database, WAL, ... and blob directory) and, for the
 * desk, the instance directory to republish intake.pub in (write only). */
enum { NPATHS = 8, PATH_CAP = 4096 };

struct file_list {
	char buf[NPATHS][PATH_CAP];
	struct sandbox_path paths[NPATHS];
	size_t n;
};

static int add_file(void *ctx, const char *path, enum store_file_kind kind)
{
	struct file_list *l = ctx;
	size_t len = strlen(path);
	if (l->n >= NPATHS - 1 || len >= PATH_CAP) /* one slot stays for the desk's directory */
		return 1;
	memcpy(l->buf[l->n], path, len + 1);
	/* the database exists; the others may not yet (the WAL is made by the first writer) */
	l->paths[l->n] = (struct sandbox_path){
	        l->buf[l->n], kind == STORE_DIR ? SANDBOX_DIR_RW : SANDBOX_FILE_RW, l->n != 0};
	l->n++;
	return 0;
}

int door_sandbox_files(struct door_sandbox *sb)
{
	const char *e = getenv("CUTOUT_SANDBOX");
	sb->off = e != NULL && strcmp(e, "off") == 0;
	if (sb->off) {
		fprintf(stderr,
		        "cutout %s: WARNING: CUTOUT_SANDBOX=off: THIS DOOR RUNS UNCONFINED "
		        "(no seccomp, no Landlock): for debugging only\n",
		        name_of(sb));
		return 0;
	}
	/* a network store reconnects after its server restarted: its port stays reachable */
	sb->db_port = store_net_port(instance_store(sb->inst));
	static struct file_list l; /* once per process, before the door's threads */
	l.n = 0;
	enum store_result sr = instance_door_files(
	        sb->inst, sb->kind == DOOR_INTAKE ? STORE_ROLE_INTAKE : STORE_ROLE_DESK, add_file,
	        &l);
	if (sr != STORE_OK) {
		fprintf(stderr, "cutout %s: sandbox: the store's files: %s\n", name_of(sb),
		        sr == STORE_STOP ? "too many or too long" : store_strerror(sr));
		return -1;
	}
	struct sandbox_path *paths = l.paths;
	size_t n = l.n;
	if (sb->kind == DOOR_DESK) /* officer_plan_publish: intake.pub.tmp, renamed */
		paths[n++] = (struct sandbox_path){sb->dir, SANDBOX_DIR_CREATE, 0};
	struct sandbox_policy p = {paths, n, sb->port, sb->db_port};
	int abi;
	enum sandbox_result r = sandbox_landlock(&p, &abi);
	if (r == SANDBOX_NO_LANDLOCK) {
		fprintf(stderr,
		        "cutout %s: WARNING: this kernel has no Landlock: the door can open any "
		        "file its user can (seccomp and no_new_privs still apply)\n",
		        name_of(sb));
		return 0;
	}
	if (r != SANDBOX_OK) {
		fprintf(stderr, "cutout %s: sandbox: Landlock failed: %s\n", name_of(sb),
		        strerror(errno));
		return -1;
	}
	if (abi < 4)
		fprintf(stderr,
		        "cutout %s: Landlock ABI %d: files confined; no network rules before ABI "
		        "4\n",
		        name_of(sb), abi);
	return 0;
}

#ifdef CUTOUT_SANDBOX_SELFTEST
/* "DIR/NAME" into out. 0, or -1 (too long). */
static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* One forbidden attempt: rc < 0 is a refusal. Returns 1 when it was allowed. */
static const char *door_name = "door";

static int said(const char *what, int rc, int err)
{
	if (rc < 0)
		fprintf(stderr, "sandbox-selftest: %s: %s: refused (%s)\n", door_name, what,
		        strerror(err));
	else
		fprintf(stderr, "sandbox-selftest: %s: %s: ALLOWED\n", door_name, what);
	return rc >= 0;
}

static int try_open(const char *dir, const char *name)
{
	char path[PATH_CAP], what[64];
	if (join(path, sizeof path, dir, name) != 0)
		return 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	snprintf(what, sizeof what, "open %s", name);
	if (fd >= 0)
		close(fd);
	return said(what, fd, e);
}

static void selftest(const struct door_sandbox *sb)
{
	const char *e = getenv("CUTOUT_SANDBOX_SELFTEST");
	if (e == NULL || strcmp(e, "1") != 0)
		return;
	door_name = name_of(sb);
	int allowed = 0;
	allowed += try_open(sb->dir, INSTANCE_SIGNING_KEY);
	allowed += try_open(sb->dir, INSTANCE_INTAKE_KEY);
	allowed += try_open(sb->dir, INSTANCE_ADMIN_IDENTITY);
	allowed += try_open(sb->dir, INSTANCE_CONF);

	/* a path that does not exist: unconfined, the kernel gets as far as looking it up
	 * (ENOENT, counted as allowed) and the door is not replaced */
	char *const argv[] = {"cutout-selftest", NULL};
	int rc = execve("/nonexistent/cutout-selftest", argv, NULL);
	int err = errno;
	if (rc < 0 && err == ENOENT)
		rc = 0;
	allowed += said("execve", rc, err);

	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = errno;
	if (s >= 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc = connect(s, (struct sockaddr *)&a, sizeof a);
		err = errno;
		if (rc < 0 && err == ECONNREFUSED) /* reached the port: not confined */
			rc = 0;
		close(s);
	} else {
		rc = -1;
	}
	allowed += said("connect 127.0.0.1:9", rc, err);

	rc = (int)ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
	err = errno;
	if (rc == 0)
		ptrace(PTRACE_DETACH, getppid(), NULL, NULL);
	allowed += said("ptrace", rc, err);

	pid_t pid = fork();
	err = errno;
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	allowed += said("fork", pid, err);

	fprintf(stderr, "sandbox-selftest: %s: %d allowed\n", name_of(sb), allowed);
}
#endif

int door_sandbox_calls(struct door_sandbox *sb)
{
	struct sandbox_policy p = {NULL, 0, sb->port, sb->db_port};
	if (!sb->off && sandbox_seccomp(&p) != SANDBOX_OK) {
		fprintf(stderr, "cutout %s: sandbox: seccomp failed: %s\n", name_of(sb),
		        strerror(errno));
		return -1;
	}
#ifdef CUTOUT_SANDBOX_SELFTEST
	selftest(sb); /* also when off: it shows what the sandbox refuses */
#endif
	return 0;
}
