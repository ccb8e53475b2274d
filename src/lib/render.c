/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render: the parent side of a conversion (lib/render.h): fork and exec the
 * helper with its limits, feed it the document, read its pixels through
 * render_reader into a PDF of images, kill it past the deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/pdf.h"
#include "lib/png.h"
#include "lib/render.h"

#include "lib/banned.h"

const char *render_strerror(enum render_result r)
{
	switch (r) {
	case RENDER_OK:
		return "converted";
	case RENDER_UNSUPPORTED:
		return "office documents are not supported (LibreOffice is not installed)";
	case RENDER_NOT_DOCUMENT:
		return "not a document the converter reads (PDF, XPS, EPUB, PNG, JPEG, GIF, TIFF, "
		       "BMP)";
	case RENDER_DAMAGED:
		return "the document is damaged or truncated";
	case RENDER_TOO_MANY_PAGES:
		return "too many pages";
	case RENDER_TOO_LARGE:
		return "too large (a page, the pixel budget or the file)";
	case RENDER_TIMEOUT:
		return "timed out: the converter was killed";
	case RENDER_KILLED:
		return "the converter died (its memory or CPU limit)";
	case RENDER_BAD_OUTPUT:
		return "the converter's output was refused";
	case RENDER_NO_OCR:
		return "the OCR languages of safeview_ocr are not installed";
	case RENDER_FAILED:
		break;
	}
	return "the conversion failed";
}

void render_limits_default(struct render_limits *l)
{
	l->dpi = 150;
	l->pixel_budget = 200000000; /* 200 A4 pages at 150 DPI */
	l->seconds = 120;
	l->memory = (uint64_t)2 << 30;
	l->input_max = (size_t)256 << 20;
	l->ocr[0] = '\0';
	l->office = NULL;
	l->office_ctx = NULL;
}

int render_helper_path(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	int k = snprintf(out, cap, "%s/cutout-render", self);
	return k > 0 && (size_t)k < cap ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The clean PDF is built as the pages come. Deflating a page costs about as
 * much as rendering it, so a thread deflates page k from its own copy while
 * the child renders page k+1 and the reader takes it in (bench/README.md);
 * pages stay in order (one in flight). A page larger than PIPELINE_MAX, or
 * no thread, is deflated in place.
 */
#define PIPELINE_MAX ((size_t)64 << 20)

struct collect {
	struct pdf_images *pdf;
	uint32_t dpi;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf; /* the thread's copy of the page in flight */
	size_t cap;
	uint32_t w, h;
	struct pdf_word *words; /* and of its words (their text in wtext) */
	uint32_t nwords, wcap;
	char *wtext;
	size_t tcap;
	int has, quit, failed;
};

static void *deflater(void *arg)
{
	struct collect *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->has && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->has)
			break;
		pthread_mutex_unlock(&c->mu);
		int bad = pdf_images_page(c->pdf, c->w, c->h, c->buf, c->dpi, c->words,
		                          c->nwords) != 0;
		pthread_mutex_lock(&c->mu);
		c->failed |= bad;
		c->has = 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Waits for the page in flight; 0, or -1 if a page failed. */
static int collect_idle(struct collect *c)
{
	if (!c->started)
		return c->failed ? -1 : 0;
	pthread_mutex_lock(&c->mu);
	while (c->has)
		pthread_cond_wait(&c->cv, &c->mu);
	int failed = c->failed;
	pthread_mutex_unlock(&c->mu);
	return failed ? -1 : 0;
}

/* The thread's copy of a page's words (the thread is idle). 0, or -1 (memory). */
static int copy_words(struct collect *c, const struct pdf_word *words, uint32_t n)
{
	size_t bytes = 0;
	for (uint32_t i = 0; i < n; i++)
		bytes += words[i].len; /* the reader bounds each, and their count */
	if (n > c->wcap) {
		struct pdf_word *g = realloc(c->words, (size_t)n * sizeof *g);
		if (g == NULL)
			return -1;
		c->words = g;
		c->wcap = n;
	}
	if (bytes > c->tcap) {
		if (c->wtext != NULL)
			sodium_memzero(c->wtext, c->tcap);
		free(c->wtext);
		c->tcap = 0;
		if ((c->wtext = malloc(bytes)) == NULL)
			return -1;
		c->tcap = bytes;
	}
	size_t at = 0;
	for (uint32_t i = 0; i < n; i++) {
		c->words[i] = words[i];
		memcpy(c->wtext + at, words[i].text, words[i].len);
		c->words[i].text = c->wtext + at;
		at += words[i].len;
	}
	c->nwords = n;
	return 0;
}

static int add_page(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                    const struct pdf_word *words, uint32_t nwords)
{
	struct collect *c = ctx;
	size_t n = (size_t)w * h * 3; /* the reader checked w, h */
	if (collect_idle(c) != 0)
		return 1;
	if (!c->started && n <= PIPELINE_MAX) {
		pthread_mutex_init(&c->mu, NULL);
		pthread_cond_init(&c->cv, NULL);
		if (pthread_create(&c->th, NULL, deflater, c) == 0) {
			c->started = 1;
		} else {
			pthread_cond_destroy(&c->cv);
			pthread_mutex_destroy(&c->mu);
		}
	}
	if (!c->started || n > PIPELINE_MAX) /* in place: the thread, if any, is idle */
		return pdf_images_page(c->pdf, w, h, rgb, c->dpi, words, nwords) == 0 ? 0 : 1;
	if (n > c->cap) {
		if (c->buf != NULL)
			sodium_memzero(c->buf, c->cap);
		free(c->buf);
		c->cap = 0;
		if ((c->buf = malloc(n)) == NULL)
			return 1;
		c->cap = n;
	}
	memcpy(c->buf, rgb, n);
	if (copy_words(c, words, nwords) != 0)
		return 1;
	pthread_mutex_lock(&c->mu);
	c->w = w;
	c->h = h;
	c->has = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

/* Ends the thread (after the page in flight); 0, or -1 if a page failed. Wipes the copy. */
static int collect_end(struct collect *c)
{
	int rc = collect_idle(c);
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->quit = 1;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->th, NULL);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		c->started = 0;
	}
	if (c->buf != NULL)
		sodium_memzero(c->buf, c->cap);
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
	if (c->wtext != NULL)
		sodium_memzero(c->wtext, c->tcap);
	free(c->wtext);
	free(c->words);
	c->wtext = NULL;
	c->words = NULL;
	c->tcap = c->wcap = 0;
	return rc;
}

/* In the child between fork and exec: only async-signal-safe calls. */
struct child_limits {
	uint64_t memory, seconds, files, file_size;
};

static void child_exec(const char *helper, const struct child_limits *l, int in, int out,
                       char *const argv[], char *const envp[])
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		_exit(127);
	int maxfd = (int)sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < maxfd && fd < 65536; fd++)
		(void)close(fd);
	struct rlimit as = {l->memory, l->memory};
	struct rlimit cpu = {l->seconds, l->seconds};
	struct rlimit zero = {0, 0};
	struct rlimit files = {l->files, l->files};
	struct rlimit fsize = {l->file_size, l->file_size};
	if (setrlimit(RLIMIT_AS, &as) != 0 || setrlimit(RLIMIT_CPU, &cpu) != 0 ||
	    setrlimit(RLIMIT_CORE, &zero) != 0 || setrlimit(RLIMIT_FSIZE, &fsize) != 0 ||
	    setrlimit(RLIMIT_NOFILE, &files) != 0)
		_exit(127);
	execve(helper, argv, envp);
	_exit(127);
}

/*
 * Waits for the child until the deadline, then kills it: a child that
 * closed its output may still not exit (blocked on itself). 0: it exited by
 * itself (or was killed before); 1: killed now at the deadline.
 */
static int reap(pid_t pid, int *status, double deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 0;
		if (now_s() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return 1;
		}
		const struct timespec nap = {0, 2000000}; /* 2 ms */
		nanosleep(&nap, NULL);
	}
}

static enum render_result from_exit(int status)
{
	if (WIFSIGNALED(status))
		return RENDER_KILLED;
	if (!WIFEXITED(status))
		return RENDER_FAILED;
	switch (WEXITSTATUS(status)) {
	case 0:
		return RENDER_OK;
	case RENDER_EXIT_UNSUPPORTED:
		return RENDER_UNSUPPORTED;
	case RENDER_EXIT_NOT_DOCUMENT:
		return RENDER_NOT_DOCUMENT;
	case RENDER_EXIT_DAMAGED:
		return RENDER_DAMAGED;
	case RENDER_EXIT_PAGES:
		return RENDER_TOO_MANY_PAGES;
	case RENDER_EXIT_TOO_LARGE:
	case RENDER_EXIT_INPUT:
		return RENDER_TOO_LARGE;
	case RENDER_EXIT_OCR:
		return RENDER_NO_OCR;
	default:
		return RENDER_FAILED;
	}
}

typedef enum render_result (*feed_fn)(void *ctx, const uint8_t *p, size_t n);

static enum render_result feed_reader(void *ctx, const uint8_t *p, size_t n)
{
	return render_reader_feed(ctx, p, n);
}

/*
 * Writes doc to fd `in` and gives what fd `out` says to feed until the child
 * closes its output, feed refuses, or the deadline passes.
 */

static enum render_result pump(int in, int out, const uint8_t *doc, size_t n, feed_fn feed,
                               void *fctx, double deadline)
{
	size_t sent = 0;
	uint8_t chunk[65536];
	if (n == 0) {
		close(in);
		in = -1;
	}
	enum render_result rc = RENDER_OK;
	for (;;) {
		struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = in, .events = POLLOUT}};
		double left = deadline - now_s();
		if (left <= 0) {
			rc = RENDER_TIMEOUT;
			break;
		}
		int k = poll(p, in >= 0 ? 2 : 1, (int)(left * 1000) + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = RENDER_FAILED;
			break;
		}
		if (in >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = (p[1].revents & POLLOUT) ? write(in, doc + sent, n - sent) : -1;
			if (w > 0)
				sent += (size_t)w;
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				close(in); /* the child stopped reading: it will say why */
				in = -1;
			} else if (sent == n) {
				close(in);
				in = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(out, chunk, sizeof chunk);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0)
				break; /* end of its output */
			if ((rc = feed(fctx, chunk, (size_t)r)) != RENDER_OK)
				break;
		}
	}
	if (in >= 0)
		close(in);
	return rc;
}

/*
 * Runs helper with argv and envp under cl, writes doc to its standard input
 * and gives its standard output to feed, within cl->seconds of wall-clock
 * time; then its exit, as a render_result.
 */
static enum render_result run_child(const char *helper, const struct child_limits *cl,
                                    char *const argv[], char *const envp[], const uint8_t *doc,
                                    size_t n, feed_fn feed, void *fctx)
{
	int to[2] = {-1, -1}, from[2] = {-1, -1};
	enum render_result rc = RENDER_FAILED;
	if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0)
		goto out;
	double deadline = now_s() + (double)cl->seconds;
	pid_t pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0)
		child_exec(helper, cl, to[0], from[1], argv, envp);
	close(to[0]);
	close(from[1]);
	to[0] = from[1] = -1;
	(void)fcntl(to[1], F_SETFL, O_NONBLOCK);
	/* a child that stops reading must not kill the parent: SIGPIPE held in this thread */
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	int masked = pthread_sigmask(SIG_BLOCK, &pipe_set, &old) == 0;
	rc = pump(to[1], from[0], doc, n, feed, fctx, deadline);
	to[1] = -1; /* pump closed it */
	if (rc != RENDER_OK)
		kill(pid, SIGKILL); /* its output is refused, or its time is up */
	int status = 0;
	if (reap(pid, &status, deadline) != 0 && rc == RENDER_OK)
		rc = RENDER_TIMEOUT; /* it closed its output, then did not exit in time */
	if (masked) {
		const struct timespec none = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &none) == SIGPIPE)
			; /* the one our writes raised */
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (rc == RENDER_OK)
		rc = from_exit(status);
out:
	for (int i = 0; i < 2; i++) {
		if (to[i] >= 0)
			close(to[i]);
		if (from[i] >= 0)
			close(from[i]);
	}
	return rc;
}

/*
 * Runs the helper on doc, every page through fn (render_reader's checks
 * first); page: 0 for all, else only that one (from 1).
 */
static enum render_result spawn(const char *helper, const struct render_limits *l, uint32_t page,
                                const uint8_t *doc, size_t n, render_page_fn fn, void *ctx,
                                uint32_t *pages)
{
	*pages = 0;
	if (l->dpi < RENDER_DPI_MIN || l->dpi > RENDER_DPI_MAX || l->seconds == 0)
		return RENDER_FAILED;
	if (n > l->input_max)
		return RENDER_TOO_LARGE;
	char a_dpi[16], a_budget[24], a_input[24], a_page[16],
	        a_ocr[sizeof "--ocr=" + RENDER_OCR_LANGS_MAX];
	int ocr = page == 0 && l->ocr[0] != '\0'; /* a page image is never read */
	if (ocr && (!render_ocr_langs_ok(l->ocr) ||
	            snprintf(a_ocr, sizeof a_ocr, "--ocr=%s", l->ocr) >= (int)sizeof a_ocr))
		return RENDER_FAILED;
	if (snprintf(a_dpi, sizeof a_dpi, "%u", l->dpi) >= (int)sizeof a_dpi ||
	    snprintf(a_budget, sizeof a_budget, "%llu", (unsigned long long)l->pixel_budget) >=
	            (int)sizeof a_budget ||
	    snprintf(a_input, sizeof a_input, "%zu", l->input_max) >= (int)sizeof a_input ||
	    snprintf(a_page, sizeof a_page, "%u", page) >= (int)sizeof a_page)
		return RENDER_FAILED;
	char *const argv[] = {(char *)"cutout-render",
	                      a_dpi,
	                      a_budget,
	                      a_input,
	                      page ? a_page : ocr ? a_ocr : NULL,
	                      NULL};
	/*
	 * A clean environment: tesseract's OpenMP on one thread (the child may not
	 * start one), and the sandbox self-test's switch.
	 */
	char *envp[3] = {(char *)"OMP_THREAD_LIMIT=1", NULL, NULL};
	const char *st = getenv("CUTOUT_SANDBOX_SELFTEST");
	if (st != NULL && strcmp(st, "1") == 0)
		envp[1] = (char *)"CUTOUT_SANDBOX_SELFTEST=1";

	struct render_limits rl = *l; /* the reader expects words only when they are asked for */
	if (!ocr)
		rl.ocr[0] = '\0';
	struct render_reader *rd = render_reader_new(&rl, fn, ctx);
	if (rd == NULL)
		return RENDER_FAILED;
	/* 16 descriptors: 0, 1, 2; a script interpreter needs a few more */
	const struct child_limits cl = {l->memory, l->seconds, 16, 0};
	enum render_result rc = run_child(helper, &cl, argv, envp, doc, n, feed_reader, rd);
	if (rc == RENDER_OK)
		rc = render_reader_end(rd, pages);
	if (rc != RENDER_OK)
		*pages = 0;
	render_reader_free(&rd);
	return rc;
}

int render_office_available(void)
{
	return access(RENDER_OFFICE_PROGRAM, X_OK) == 0;
}

static enum render_result feed_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == 0 ? RENDER_OK : RENDER_TOO_LARGE;
}

enum render_result render_office(void *ctx, const char *helper, const struct render_limits *l,
                                 const uint8_t *doc, size_t n, struct buf *pdf)
{
	(void)ctx;
	if (!render_office_available())
		return RENDER_UNSUPPORTED;
	if (n > l->input_max || l->seconds == 0)
		return n > l->input_max ? RENDER_TOO_LARGE : RENDER_FAILED;
	char a_in[24], a_out[24];
	if (snprintf(a_in, sizeof a_in, "%zu", l->input_max) >= (int)sizeof a_in ||
	    snprintf(a_out, sizeof a_out, "%zu", l->input_max) >= (int)sizeof a_out)
		return RENDER_FAILED;
	char *const argv[] = {(char *)"cutout-render", (char *)"--office", a_in, a_out, NULL};
	char *const envp[] = {NULL};
	/* LibreOffice maps far more than MuPDF and opens hundreds of files */
	const struct child_limits cl = {RENDER_OFFICE_MEMORY, l->seconds, 1024,
	                                RENDER_OFFICE_FILE_MAX};
	buf_reset(pdf);
	enum render_result rc = run_child(helper, &cl, argv, envp, doc, n, feed_buf, pdf);
	if (rc == RENDER_OK && pdf->len == 0)
		rc = RENDER_DAMAGED;
	if (rc != RENDER_OK)
		buf_wipe_release(pdf);
	return rc;
}

enum render_result render_run(const char *helper, const struct render_limits *l, const uint8_t *doc,
                              size_t n, struct buf *pdf, uint32_t *pages)
{
	struct collect c = {.dpi = l->dpi};
	if ((c.pdf = pdf_images_begin(pdf, l->ocr[0] != '\0')) == NULL)
		return RENDER_FAILED;
	enum render_result rc = spawn(helper, l, 0, doc, n, add_page, &c, pages);
	if (rc == RENDER_UNSUPPORTED && render_office_available()) {
		/* an office document: LibreOffice's PDF of it, rendered like any PDF */
		struct buf office;
		buf_init(&office, l->input_max);
		rc = l->office != NULL ? l->office(l->office_ctx, helper, l, doc, n, &office)
		                       : render_office(NULL, helper, l, doc, n, &office);
		if (rc == RENDER_OK)
			rc = spawn(helper, l, 0, office.data, office.len, add_page, &c, pages);
		buf_wipe_release(&office);
	}
	if (collect_end(&c) != 0 && rc == RENDER_OK)
		rc = RENDER_FAILED;
	if (rc == RENDER_OK && pdf_images_finish(&c.pdf) != 0)
		rc = RENDER_FAILED;
	pdf_images_free(&c.pdf);
	if (rc != RENDER_OK)
		*pages = 0;
	return rc;
}

struct one_png {
	struct buf *out;
	int made;
};

static int png_page(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                    const struct pdf_word *words, uint32_t nwords)
{
	(void)words;
	(void)nwords;
	struct one_png *o = ctx;
	if (o->made || png_write(w, h, rgb, o->out) != 0)
		return 1;
	o->made = 1;
	return 0;
}

enum render_result render_page_png(const char *helper, const struct render_limits *l, uint32_t page,
                                   const uint8_t *doc, size_t n, struct buf *png)
{
	struct one_png o = {.out = png};
	uint32_t pages = 0;
	if (page == 0)
		return RENDER_FAILED;
	enum render_result rc = spawn(helper, l, page, doc, n, png_page, &o, &pages);
	return rc == RENDER_OK && (pages != 1 || !o.made) ? RENDER_BAD_OUTPUT : rc;
}
