/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_service: the converter service (lib/render.h) and its client. On a
 * stream socket, big-endian:
 *
 *   request:  u32 op (1: a clean PDF, 2: one page as PNG, 3: an office document's
 *             PDF, not clean: the office spawner's), u32 page, u64 n, n bytes
 *   answer:   u32 result (enum render_result), u32 pages, u64 n, n bytes
 *
 * The service trusts its client (the desk, its parent) no more than it
 * must: sizes are bounded by the limits it was started with.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/render.h"

#include "lib/banned.h"

#define OP_PDF 1u
#define OP_PAGE 2u
#define OP_OFFICE 3u /* an office document: LibreOffice's PDF of it (render_office) */
#define ANSWER_MAX ((size_t)1 << 31) /* a clean PDF or a PNG */

struct render_service {
	int fd;
	pid_t pid;
	size_t input_max;
	pthread_mutex_t lock;
};

static int io_all(int fd, void *p, size_t n, int writing)
{
	uint8_t *b = p;
	while (n > 0) {
		ssize_t k = writing ? send(fd, b, n, MSG_NOSIGNAL) : read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/*
 * Forks the service's process on a socketpair: child(its end, ctx) runs in it
 * and never returns; the parent keeps the other end in *out. 0 or -1.
 */
static int start(size_t input_max, void (*child)(int fd, void *ctx), void *ctx,
                 struct render_service **out)
{
	struct render_service *sv = calloc(1, sizeof *sv);
	int sp[2];
	if (sv == NULL || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
		free(sv);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		free(sv);
		return -1;
	}
	if (pid == 0) {
		close(sp[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(127);
		child(sp[1], ctx);
		_exit(127);
	}
	close(sp[1]);
	sv->fd = sp[0];
	sv->pid = pid;
	sv->input_max = input_max;
	pthread_mutex_init(&sv->lock, NULL);
	*out = sv;
	return 0;
}

struct exec_args {
	const char *helper;
	char *const *argv, *const *envp;
};

/* In the child: the helper, the socket as its standard input and output. */
static void exec_service(int fd, void *ctx)
{
	const struct exec_args *a = ctx;
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(127);
	int maxfd = (int)sysconf(_SC_OPEN_MAX);
	for (int k = 3; k < maxfd && k < 65536; k++)
		(void)close(k);
	execve(a->helper, a->argv, a->envp);
	_exit(127);
}

int render_service_start(const char *helper, const struct render_limits *l,
                         struct render_service **out)
{
	*out = NULL;
	char a[5][24];
	if (snprintf(a[0], sizeof a[0], "%u", l->dpi) >= (int)sizeof a[0] ||
	    snprintf(a[1], sizeof a[1], "%llu", (unsigned long long)l->pixel_budget) >=
	            (int)sizeof a[1] ||
	    snprintf(a[2], sizeof a[2], "%u", l->seconds) >= (int)sizeof a[2] ||
	    snprintf(a[3], sizeof a[3], "%llu", (unsigned long long)l->memory) >=
	            (int)sizeof a[3] ||
	    snprintf(a[4], sizeof a[4], "%zu", l->input_max) >= (int)sizeof a[4])
		return -1;
	char ocr[sizeof "--ocr=" + RENDER_OCR_LANGS_MAX];
	if (l->ocr[0] != '\0' && (!render_ocr_langs_ok(l->ocr) ||
	                          snprintf(ocr, sizeof ocr, "--ocr=%s", l->ocr) >= (int)sizeof ocr))
		return -1;
	char *const argv[] = {(char *)"cutout-render",
	                      (char *)"--service",
	                      a[0],
	                      a[1],
	                      a[2],
	                      a[3],
	                      a[4],
	                      l->ocr[0] != '\0' ? ocr : NULL,
	                      NULL};
	/* a clean environment; only the sandbox self-test's switch and its files */
	char *envp[3] = {NULL, NULL, NULL};
	char open_list[2100];
	const char *st = getenv("CUTOUT_SANDBOX_SELFTEST");
	if (st != NULL && strcmp(st, "1") == 0) {
		envp[0] = (char *)"CUTOUT_SANDBOX_SELFTEST=1";
		const char *files = getenv("CUTOUT_SANDBOX_SELFTEST_OPEN");
		int k = files ? snprintf(open_list, sizeof open_list,
		                         "CUTOUT_SANDBOX_SELFTEST_OPEN=%s", files)
		              : -1;
		if (k > 0 && (size_t)k < sizeof open_list)
			envp[1] = open_list;
	}
	const struct exec_args ea = {helper, argv, envp};
	return start(l->input_max, exec_service, (void *)&ea, out);
}

static enum render_result ask(struct render_service *sv, uint32_t op, uint32_t page,
                              const uint8_t *doc, size_t n, struct buf *out, uint32_t *pages)
{
	*pages = 0;
	if (sv == NULL)
		return RENDER_FAILED;
	if (n > sv->input_max)
		return RENDER_TOO_LARGE;
	uint8_t h[16], a[16];
	be32(h, op);
	be32(h + 4, page);
	be64(h + 8, n);
	enum render_result rc = RENDER_FAILED;
	pthread_mutex_lock(&sv->lock);
	if (io_all(sv->fd, h, sizeof h, 1) != 0 ||
	    io_all(sv->fd, (void *)(uintptr_t)doc, n, 1) != 0 ||
	    io_all(sv->fd, a, sizeof a, 0) != 0)
		goto out;
	uint32_t r = get32(a);
	uint64_t len = get64(a + 8);
	if (r > RENDER_FAILED || len > ANSWER_MAX)
		goto out;
	uint8_t chunk[65536];
	while (len > 0) { /* read it all, so the stream stays in step even past out's cap */
		size_t k = len < sizeof chunk ? (size_t)len : sizeof chunk;
		if (io_all(sv->fd, chunk, k, 0) != 0)
			goto out;
		if (r == RENDER_OK && buf_append(out, chunk, k) != BUF_OK)
			r = RENDER_TOO_LARGE;
		len -= k;
	}
	rc = (enum render_result)r;
	if (rc == RENDER_OK)
		*pages = get32(a + 4);
out:
	pthread_mutex_unlock(&sv->lock);
	return rc;
}

enum render_result render_service_run(struct render_service *sv, const uint8_t *doc, size_t n,
                                      struct buf *pdf, uint32_t *pages)
{
	return ask(sv, OP_PDF, 0, doc, n, pdf, pages);
}

enum render_result render_service_page(struct render_service *sv, uint32_t page, const uint8_t *doc,
                                       size_t n, struct buf *png)
{
	uint32_t pages;
	return page == 0 ? RENDER_FAILED : ask(sv, OP_PAGE, page, doc, n, png, &pages);
}

void render_service_stop(struct render_service **psv)
{
	struct render_service *sv = psv != NULL ? *psv : NULL;
	if (sv == NULL)
		return;
	close(sv->fd);
	kill(sv->pid, SIGKILL);
	while (waitpid(sv->pid, NULL, 0) < 0 && errno == EINTR)
		;
	pthread_mutex_destroy(&sv->lock);
	free(sv);
	*psv = NULL;
}

int render_service_serve(int fd, const char *helper, const struct render_limits *l)
{
	uint8_t h[16];
	while (io_all(fd, h, sizeof h, 0) == 0) {
		uint32_t op = get32(h), page = get32(h + 4);
		uint64_t n = get64(h + 8);
		if ((op != OP_PDF && op != OP_PAGE && op != OP_OFFICE) || n > l->input_max)
			return 1; /* not our client's: stop */
		uint8_t *doc = malloc(n ? (size_t)n : 1);
		if (doc == NULL || io_all(fd, doc, (size_t)n, 0) != 0) {
			free(doc);
			return 1;
		}
		struct buf out;
		buf_init(&out, ANSWER_MAX);
		uint32_t pages = 0;
		enum render_result r =
		        op == OP_PDF    ? render_run(helper, l, doc, (size_t)n, &out, &pages)
		        : op == OP_PAGE ? render_page_png(helper, l, page, doc, (size_t)n, &out)
		        : l->office != NULL
		                ? l->office(l->office_ctx, helper, l, doc, (size_t)n, &out)
		                : render_office(NULL, helper, l, doc, (size_t)n, &out);
		if (op == OP_PAGE && r == RENDER_OK)
			pages = 1;
		sodium_memzero(doc, (size_t)n);
		free(doc);
		uint8_t a[16];
		be32(a, (uint32_t)r);
		be32(a + 4, pages);
		be64(a + 8, r == RENDER_OK ? out.len : 0);
		int bad = io_all(fd, a, sizeof a, 1) != 0 ||
		          (r == RENDER_OK && io_all(fd, out.data, out.len, 1) != 0);
		buf_wipe_release(&out);
		if (bad)
			return 1;
	}
	return 0;
}

struct spawner_args {
	const char *helper;
	struct render_limits l;
};

/* In the child: the office spawner, serving on fd. */
static void run_spawner(int fd, void *ctx)
{
	const struct spawner_args *a = ctx;
	signal(SIGPIPE, SIG_IGN);
	_exit(render_service_serve(fd, a->helper, &a->l));
}

int render_service_fork(const char *helper, const struct render_limits *l,
                        struct render_service **out)
{
	*out = NULL;
	struct spawner_args a = {helper, *l};
	a.l.office = NULL; /* it runs the office stage itself */
	a.l.office_ctx = NULL;
	return start(l->input_max, run_spawner, &a, out);
}

enum render_result render_service_office(void *ctx, const char *helper,
                                         const struct render_limits *l, const uint8_t *doc,
                                         size_t n, struct buf *pdf)
{
	(void)helper;
	(void)l;
	uint32_t pages;
	return ask(ctx, OP_OFFICE, 0, doc, n, pdf, &pages);
}
