/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_office: `cutout-render --office INPUT_MAX OUTPUT_MAX`, the office
 * stage of safe viewing (docs/safe-viewing.md, "Office documents"). It reads
 * an office document (OLE, OOXML, OpenDocument) from standard input and
 * writes the PDF that LibreOffice makes of it to standard output, or exits
 * with a RENDER_EXIT_* code. That PDF is as hostile as the document: the
 * caller renders it to pixels in the converter child like any other PDF.
 *
 * LibreOffice cannot live in the converter child's confinement (it opens
 * hundreds of files, writes a profile, starts threads), so it gets its own:
 *
 *   - new user, mount, network, IPC, UTS and PID namespaces: no network
 *     interface but a loopback that is down, no other process visible;
 *   - a private tmpfs on /tmp (the document, the profile, the PDF: in
 *     memory, seen by no other process, gone with the namespace), and a
 *     fresh /proc of the new PID namespace;
 *   - Landlock: read and execute only what LibreOffice is made of (/usr,
 *     the few files of /etc it reads, its shared extension cache), every
 *     right only in the tmpfs; nothing else (no instance file, no key);
 *   - no_new_privs, no core file, the caller's CPU, memory and time limits.
 *
 * soffice.bin is run twice: the first run makes the fresh profile and
 * exits 81 (LibreOffice's "restart"), the second converts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/render/render_office.h"
#include "lib/num.h"
#include "lib/render.h"
#include "lib/sandbox.h"

#include "lib/banned.h"

#define SOFFICE RENDER_OFFICE_PROGRAM
#define WORK "/tmp/w"
#define DOC WORK "/document"
#define OUTDIR WORK "/out"
#define PDF OUTDIR "/document.pdf"
#define SOFFICE_RESTART 81 /* LibreOffice's exit code for "start me again" */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads fd to its end into a new buffer of at most max bytes; NULL: too large or failed. */
static uint8_t *read_all(int fd, size_t max, size_t *n, int *too_large)
{
	size_t cap = 65536, len = 0;
	uint8_t *b = malloc(cap);
	*too_large = 0;
	while (b != NULL) {
		if (len == cap) {
			if (cap > max) {
				*too_large = 1;
				break;
			}
			size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
			uint8_t *nb = realloc(b, ncap);
			if (nb == NULL)
				break;
			b = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, b + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			*n = len;
			if (len > max) {
				*too_large = 1;
				break;
			}
			return b;
		}
		len += (size_t)r;
	}
	free(b);
	return NULL;
}

static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, (const uint8_t *)text, strlen(text));
	close(fd);
	return rc;
}

/* This process becomes root of a user namespace mapped to its own ids, alone in the others. */
static int enter_namespaces(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
	            CLONE_NEWPID) != 0 ||
	    put_file("/proc/self/setgroups", "deny") != 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
	if (put_file("/proc/self/uid_map", map) != 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
	return put_file("/proc/self/gid_map", map);
}

/* In the new PID namespace (its first process): the private /tmp and /proc. */
static int private_mounts(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("none", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "size=" RENDER_OFFICE_TMPFS ",mode=0700") != 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return -1;
	return mkdir(WORK, 0700) == 0 && mkdir(OUTDIR, 0700) == 0 ? 0 : -1;
}

static int confine(void)
{
	/* real paths only (a rule opens its path without following a link): /lib and
	   /etc/localtime are links into /usr on Debian */
	static const struct sandbox_path paths[] = {
	        {"/usr", SANDBOX_TREE_READ, 0},
	        {"/etc/ld.so.cache", SANDBOX_EXEC, 1},
	        {"/etc/fonts", SANDBOX_TREE_READ, 1},
	        {"/etc/libreoffice", SANDBOX_TREE_READ, 1},
	        {"/etc/passwd", SANDBOX_EXEC, 1},
	        {"/etc/group", SANDBOX_EXEC, 1},
	        {"/etc/nsswitch.conf", SANDBOX_EXEC, 1},
	        {"/var/spool/libreoffice", SANDBOX_TREE_READ, 1},
	        {"/var/cache/fontconfig", SANDBOX_TREE_READ, 1},
	        {"/proc", SANDBOX_TREE_READ, 0},
	        {"/dev/null", SANDBOX_FILE_RW, 0},
	        {"/dev/urandom", SANDBOX_EXEC, 1},
	        {"/tmp", SANDBOX_SCRATCH, 0},
	};
	struct sandbox_policy p = {paths, sizeof paths / sizeof paths[0], 0, 0};
	int abi;
	return sandbox_landlock(&p, &abi) == SANDBOX_FAILED ? -1 : 0;
}

/* Runs soffice.bin with args; its exit status (-1: not run or killed). */
static int soffice(char *const extra[])
{
	char *argv[16];
	size_t n = 0;
	argv[n++] = (char *)SOFFICE; /* the full path: LibreOffice finds itself by it */
	static const char *const common[] = {"--headless",
	                                     "--norestore",
	                                     "--nolockcheck",
	                                     "--nologo",
	                                     "--nodefault",
	                                     "--nofirststartwizard",
	                                     "-env:UserInstallation=file://" WORK "/profile"};
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		argv[n++] = (char *)common[i];
	for (size_t i = 0; extra[i] != NULL && n + 1 < sizeof argv / sizeof argv[0]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	char *envp[] = {(char *)"HOME=" WORK, (char *)"TMPDIR=/tmp", (char *)"LC_ALL=C.UTF-8",
	                (char *)"PATH=/usr/bin:/bin", NULL};
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* its messages may quote the document: never shown */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execve(SOFFICE, argv, envp);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#ifdef CUTOUT_SANDBOX_SELFTEST
static void office_try(const char *what, int rc, int err)
{
	fprintf(stderr, "sandbox-selftest: render-office: %s: %s%s%s\n", what,
	        rc < 0 ? "refused (" : "ALLOWED", rc < 0 ? strerror(err) : "", rc < 0 ? ")" : "");
}

/*
 * The office stage proves its confinement (in place of LibreOffice): it opens
 * each file of CUTOUT_SANDBOX_SELFTEST_OPEN (':'-separated: the test names the
 * instance's keys), /etc/hostname and /etc/shadow, and connects to
 * 127.0.0.1:9; each must be refused. Then it says how many processes it sees.
 */
static void office_selftest(void)
{
	char list[2048];
	const char *e = getenv("CUTOUT_SANDBOX_SELFTEST_OPEN");
	int n = snprintf(list, sizeof list, "%s%s/etc/hostname:/etc/shadow", e ? e : "",
	                 e ? ":" : "");
	if (n < 0 || (size_t)n >= sizeof list)
		return;
	for (char *path = list; path != NULL;) {
		char *colon = strchr(path, ':');
		if (colon != NULL)
			*colon = '\0';
		char what[sizeof list + 8];
		snprintf(what, sizeof what, "open %s", path);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		office_try(what, fd, errno);
		if (fd >= 0)
			close(fd);
		path = colon != NULL ? colon + 1 : NULL;
	}
	int sk = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = sk, err = errno;
	if (sk >= 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc = connect(sk, (struct sockaddr *)&a, sizeof a);
		err = errno;
		if (rc < 0 && err == ECONNREFUSED) /* reached the port: a network */
			rc = 0;
		close(sk);
	}
	office_try("connect 127.0.0.1:9", rc, err);
	fprintf(stderr, "sandbox-selftest: render-office: pid %d\n", (int)getpid());
	fprintf(stderr, "sandbox-selftest: render-office: done\n");
}
#endif

/* The first process of the new PID namespace: converts doc, writes the PDF to out. */
static int convert(const uint8_t *doc, size_t n, size_t output_max, int out)
{
	if (private_mounts() != 0 || confine() != 0)
		return RENDER_EXIT_SANDBOX;
#ifdef CUTOUT_SANDBOX_SELFTEST
	const char *st = getenv("CUTOUT_SANDBOX_SELFTEST");
	if (st != NULL && strcmp(st, "1") == 0) {
		office_selftest();
		return 0;
	}
#endif
	int fd = open(DOC, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, doc, n) != 0 || close(fd) != 0)
		return RENDER_EXIT_SANDBOX;
	char *conv[] = {(char *)"--convert-to", (char *)"pdf", (char *)"--outdir",
	                (char *)OUTDIR,         (char *)DOC,   NULL};
	int rc = soffice(conv);
	if (rc == SOFFICE_RESTART) /* it made the profile: now it converts */
		rc = soffice(conv);
	if (rc != 0)
		return RENDER_EXIT_DAMAGED;
	if ((fd = open(PDF, O_RDONLY | O_CLOEXEC)) < 0)
		return RENDER_EXIT_DAMAGED; /* LibreOffice made nothing of it */
	size_t len = 0;
	int too_large;
	uint8_t *pdf = read_all(fd, output_max, &len, &too_large);
	close(fd);
	if (pdf == NULL)
		return too_large ? RENDER_EXIT_TOO_LARGE : RENDER_EXIT_DAMAGED;
	rc = write_all(out, pdf, len) == 0 ? 0 : RENDER_EXIT_SANDBOX;
	free(pdf);
	return rc;
}

int render_office_main(int argc, char **argv)
{
	uint64_t input_max, output_max;
	if (argc != 4 || num_parse_u64(argv[2], &input_max) != 0 ||
	    num_parse_u64(argv[3], &output_max) != 0 || input_max > SIZE_MAX / 4 ||
	    output_max > SIZE_MAX / 4 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return RENDER_EXIT_USAGE;
	if (access(SOFFICE, X_OK) != 0)
		return RENDER_EXIT_UNSUPPORTED;
	size_t n = 0;
	int too_large;
	uint8_t *doc = read_all(0, (size_t)input_max, &n, &too_large);
	if (doc == NULL)
		return too_large ? RENDER_EXIT_INPUT : RENDER_EXIT_SANDBOX;
	if (enter_namespaces() != 0) {
		free(doc);
		return RENDER_EXIT_SANDBOX;
	}
	pid_t pid = fork(); /* the first process of the new PID namespace */
	if (pid < 0) {
		free(doc);
		return RENDER_EXIT_SANDBOX;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(RENDER_EXIT_SANDBOX);
		_exit(convert(doc, n, (size_t)output_max, 1));
	}
	free(doc);
	close(1); /* the child writes the PDF */
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return RENDER_EXIT_SANDBOX;
	return WIFEXITED(st) ? WEXITSTATUS(st) : RENDER_EXIT_DAMAGED;
}
