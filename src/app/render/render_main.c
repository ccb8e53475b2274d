/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout-render: the converter child (lib/render.h, docs/safe-viewing.md).
 * usage (by lib/render.c only): cutout-render DPI PIXEL_BUDGET INPUT_MAX [PAGE | --ocr=LANGS]
 * (PAGE: only that page, from 1; its output then announces one page;
 * --ocr=eng+rus: each page's words follow its pixels, render_ocr.h)
 *
 * It confines itself first (sandbox_compute: no file, no network, no exec),
 * then reads the document from standard input, tells its format by its first
 * bytes, renders each page with MuPDF and writes the pixels to standard
 * output; or exits with a RENDER_EXIT_* code. It writes nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mupdf/fitz.h>

#include "app/render/render_office.h"
#include "app/render/render_ocr.h"
#include "lib/num.h"
#include "lib/render.h"
#include "lib/sandbox.h"

#include "lib/banned.h"

#ifdef CUTOUT_SANDBOX_SELFTEST
static void try(const char *what, int rc)
{
	if (rc < 0)
		fprintf(stderr, "sandbox-selftest: %s: refused (%s)\n", what, strerror(errno));
	else
		fprintf(stderr, "sandbox-selftest: %s: ALLOWED\n", what);
}

/* Proves the confinement from inside: each of these must be refused. */
static void selftest(void)
{
	try("open", open("/etc/hostname", O_RDONLY | O_CLOEXEC));
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	try("socket", s);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	try("connect", s >= 0 ? connect(s, (struct sockaddr *)&a, sizeof a) : -1);
	char *const argv[] = {(char *)"/bin/true", NULL};
	try("execve", execve("/bin/true", argv, argv + 1));
	try("ptrace", (int)ptrace(PTRACE_ATTACH, getppid(), NULL, NULL));
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	try("fork", p);
	fprintf(stderr, "sandbox-selftest: done\n");
}

static void service_try(const char *what, int rc, int err)
{
	if (rc < 0)
		fprintf(stderr, "sandbox-selftest: render-service: %s: refused (%s)\n", what,
		        strerror(err));
	else
		fprintf(stderr, "sandbox-selftest: render-service: %s: ALLOWED\n", what);
}

/*
 * The service proves its own confinement: it opens each file named in
 * CUTOUT_SANDBOX_SELFTEST_OPEN (':'-separated, e.g. the instance's keys; the
 * desk passes it on), /etc/hostname, connects to 127.0.0.1:9, runs
 * /bin/true and ptraces its parent: each must be refused.
 */
static void service_selftest(void)
{
	char list[2048];
	const char *e = getenv("CUTOUT_SANDBOX_SELFTEST_OPEN");
	int n = snprintf(list, sizeof list, "%s%s/etc/hostname", e ? e : "", e ? ":" : "");
	if (n < 0 || (size_t)n >= sizeof list)
		return;
	for (char *path = list; path != NULL;) {
		char *colon = strchr(path, ':');
		if (colon != NULL)
			*colon = '\0';
		char what[sizeof list + 8];
		const char *base = strrchr(path, '/');
		snprintf(what, sizeof what, "open %s", base ? base + 1 : path);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		service_try(what, fd, errno);
		if (fd >= 0)
			close(fd);
		path = colon != NULL ? colon + 1 : NULL;
	}
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = s, err = errno;
	if (s >= 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc = connect(s, (struct sockaddr *)&a, sizeof a);
		err = errno;
		if (rc < 0 && err == ECONNREFUSED) /* reached the port: not confined */
			rc = 0;
		close(s);
	}
	service_try("connect 127.0.0.1:9", rc, err);
	char *const argv[] = {(char *)"/bin/true", NULL};
	rc = execve("/bin/true", argv, argv + 1);
	service_try("execve /bin/true", rc, errno);
	rc = (int)ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
	err = errno;
	if (rc == 0)
		ptrace(PTRACE_DETACH, getppid(), NULL, NULL);
	service_try("ptrace", rc, err);
	fprintf(stderr, "sandbox-selftest: render-service: done\n");
}
#endif

/*
 * The service's own confinement (sandbox_spawner): it may read and execute
 * only the helper, the loader and the libraries (the real directories among
 * these; a symbolic link such as a merged-/usr /lib is reached through /usr),
 * and with OCR tesseract's models (RENDER_TESSDATA).
 */
static int service_confine(const char *helper, int ocr)
{
	/* with OCR, its children read tesseract's models before they confine themselves */
	static const char *const libs[] = {"/usr/lib", "/usr/lib64",       "/usr/local/lib", "/lib",
	                                   "/lib64",   "/etc/ld.so.cache", RENDER_TESSDATA};
	size_t nlibs = sizeof libs / sizeof libs[0] - (ocr ? 0 : 1);
	const char *paths[1 + sizeof libs / sizeof libs[0]];
	size_t n = 0;
	paths[n++] = helper;
	for (size_t i = 0; i < nlibs; i++) {
		struct stat st;
		if (lstat(libs[i], &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
			paths[n++] = libs[i];
	}
	int abi;
	enum sandbox_result r = sandbox_spawner(paths, n, &abi);
	if (r == SANDBOX_FAILED) {
		fprintf(stderr, "cutout-render --service: sandbox failed: %s\n", strerror(errno));
		return -1;
	}
	if (r == SANDBOX_NO_LANDLOCK)
		fprintf(stderr, "cutout-render --service: no Landlock in this kernel: "
		                "seccomp only\n");
#ifdef CUTOUT_SANDBOX_SELFTEST
	const char *st = getenv("CUTOUT_SANDBOX_SELFTEST");
	if (st != NULL && strcmp(st, "1") == 0)
		service_selftest();
#endif
	return 0;
}

static int write_all(const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = write(1, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int put32(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	return write_all(b, 4);
}

static int has(const uint8_t *d, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	return n >= k && memmem(d, n, needle, k) != NULL;
}

/* The format by its first bytes; NULL: not a document. *office: an office file. */
static const char *sniff(const uint8_t *d, size_t n, int *office)
{
	*office = 0;
	size_t head = n < 1024 ? n : 1024;
	if (has(d, head, "%PDF-"))
		return "application/pdf";
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
		return "image/tiff";
	if (n >= 2 && memcmp(d, "BM", 2) == 0)
		return "image/bmp";
	if (n >= 8 && memcmp(d, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0) {
		*office = 1; /* OLE: .doc, .xls, .ppt */
		return NULL;
	}
	if (n >= 4 && memcmp(d, "PK\3\4", 4) == 0) {
		size_t scan = n < 65536 ? n : 65536;
		if (has(d, scan, "application/epub+zip"))
			return "application/epub+zip";
		if (has(d, scan, "FixedDocSeq") || has(d, scan, "FixedDocumentSequence") ||
		    has(d, scan, "FixedDocument"))
			return "application/oxps";
		if (has(d, scan, "word/") || has(d, scan, "xl/") || has(d, scan, "ppt/") ||
		    has(d, scan, "application/vnd.oasis.opendocument"))
			*office = 1;
		return NULL;
	}
	return NULL;
}

static void quiet(void *user, const char *message)
{
	(void)user;
	(void)message; /* MuPDF's messages may quote the document: never shown */
}

/* Renders every page of doc; an exit code. */
static int render(fz_context *ctx, fz_document *doc, uint32_t dpi, uint64_t budget, int only,
                  struct render_ocr *ocr)
{
	int code = RENDER_EXIT_DAMAGED;
	fz_page *page = NULL;
	fz_pixmap *pix = NULL;
	fz_var(page);
	fz_var(pix);
	fz_var(code);
	fz_try(ctx)
	{
		int n = fz_count_pages(ctx, doc);
		if (n <= 0)
			fz_throw(ctx, FZ_ERROR_GENERIC, "no page");
		if ((unsigned)n > RENDER_PAGES_MAX) {
			code = RENDER_EXIT_PAGES;
			fz_throw(ctx, FZ_ERROR_GENERIC, "pages");
		}
		fz_matrix m = fz_scale(dpi / 72.0f, dpi / 72.0f);
		uint64_t spent = 0;
		if (only > n)
			fz_throw(ctx, FZ_ERROR_GENERIC, "no such page");
		if (put32(only ? 1u : (uint32_t)n) != 0)
			fz_throw(ctx, FZ_ERROR_GENERIC, "write");
		for (int i = only ? only - 1 : 0; i < (only ? only : n); i++) {
			page = fz_load_page(ctx, doc, i);
			fz_irect box =
			        fz_round_rect(fz_transform_rect(fz_bound_page(ctx, page), m));
			int64_t w = (int64_t)box.x1 - box.x0, h = (int64_t)box.y1 - box.y0;
			if (w <= 0 || h <= 0)
				fz_throw(ctx, FZ_ERROR_GENERIC, "empty page");
			if (w > RENDER_SIDE_MAX || h > RENDER_SIDE_MAX ||
			    (uint64_t)(w * h) > budget - spent) {
				code = RENDER_EXIT_TOO_LARGE;
				fz_throw(ctx, FZ_ERROR_GENERIC, "too large");
			}
			pix = fz_new_pixmap_from_page(ctx, page, m, fz_device_rgb(ctx), 0);
			fz_drop_page(ctx, page);
			page = NULL;
			uint32_t pw = (uint32_t)fz_pixmap_width(ctx, pix);
			uint32_t ph = (uint32_t)fz_pixmap_height(ctx, pix);
			if (fz_pixmap_components(ctx, pix) != 3 || pw == 0 || ph == 0 ||
			    pw > RENDER_SIDE_MAX || ph > RENDER_SIDE_MAX ||
			    (uint64_t)pw * ph > budget - spent) {
				code = RENDER_EXIT_TOO_LARGE;
				fz_throw(ctx, FZ_ERROR_GENERIC, "too large");
			}
			spent += (uint64_t)pw * ph;
			const uint8_t *s = fz_pixmap_samples(ctx, pix);
			size_t stride = (size_t)fz_pixmap_stride(ctx, pix);
			if (put32(pw) != 0 || put32(ph) != 0)
				fz_throw(ctx, FZ_ERROR_GENERIC, "write");
			for (uint32_t y = 0; y < ph; y++)
				if (write_all(s + (size_t)y * stride, (size_t)pw * 3) != 0)
					fz_throw(ctx, FZ_ERROR_GENERIC, "write");
			if (ocr != NULL &&
			    render_ocr_page(ocr, s, pw, ph, stride, dpi, write_all) != 0)
				fz_throw(ctx, FZ_ERROR_GENERIC, "write");
			fz_drop_pixmap(ctx, pix);
			pix = NULL;
		}
		code = 0;
	}
	fz_always(ctx)
	{
		fz_drop_pixmap(ctx, pix);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx)
	{
		if (code == 0)
			code = RENDER_EXIT_DAMAGED;
	}
	return code;
}

/* The document opened by its format and rendered: an exit code. */
static int convert(fz_context *ctx, const uint8_t *d, size_t n, const char *magic, uint32_t dpi,
                   uint64_t budget, int only, struct render_ocr *ocr)
{
	fz_document *doc = NULL;
	fz_buffer *buf = NULL;
	fz_stream *stm = NULL;
	int code = RENDER_EXIT_DAMAGED;
	fz_var(code);
	fz_var(doc);
	fz_var(buf);
	fz_var(stm);
	fz_try(ctx)
	{
		buf = fz_new_buffer_from_shared_data(ctx, d, n);
		stm = fz_open_buffer(ctx, buf);
		doc = fz_open_document_with_stream(ctx, magic, stm);
		if (fz_is_document_reflowable(ctx, doc))
			fz_layout_document(ctx, doc, 420, 595, 11); /* EPUB: A5-like pages */
		code = render(ctx, doc, dpi, budget, only, ocr);
	}
	fz_always(ctx)
	{
		fz_drop_document(ctx, doc);
		fz_drop_stream(ctx, stm);
		fz_drop_buffer(ctx, buf);
	}
	fz_catch(ctx)
	{
		code = RENDER_EXIT_DAMAGED;
	}
	return code;
}

/* Standard input whole, at most max bytes; NULL with *code set. */
static uint8_t *read_input(size_t max, size_t *len, int *code)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *d = malloc(cap);
	*code = RENDER_EXIT_TOO_LARGE;
	while (d != NULL) {
		if (n == cap) {
			if (cap > max) {
				*code = RENDER_EXIT_INPUT;
				break;
			}
			size_t nc = cap * 2 > max + 1 ? max + 1 : cap * 2;
			uint8_t *g = realloc(d, nc);
			if (g == NULL)
				break;
			d = g;
			cap = nc;
		}
		ssize_t r = read(0, d + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*code = RENDER_EXIT_DAMAGED;
			break;
		}
		if (r == 0) {
			*len = n;
			return d;
		}
		n += (size_t)r;
		if (n > max) {
			*code = RENDER_EXIT_INPUT;
			break;
		}
	}
	free(d);
	return NULL;
}

/* "--ocr=LANGS": the languages into out (render_ocr_langs_ok); 0, or -1. */
static int ocr_arg(const char *a, char out[RENDER_OCR_LANGS_MAX])
{
	const char *pre = "--ocr=";
	if (strncmp(a, pre, strlen(pre)) != 0 || !render_ocr_langs_ok(a + strlen(pre)))
		return -1;
	snprintf(out, RENDER_OCR_LANGS_MAX, "%s", a + strlen(pre));
	return 0;
}

/*
 * --service DPI BUDGET SECONDS MEMORY INPUT_MAX [--ocr=LANGS]: the converter
 * service for a process that may not fork (lib/render.h), on the socket at 0
 * and 1; each document goes to a child of this same program, confined as
 * above. The service confines itself first (service_confine).
 */
static int service(int argc, char **argv)
{
	uint64_t v[5];
	if (argc != 7 && argc != 8)
		return RENDER_EXIT_USAGE;
	for (int i = 0; i < 5; i++)
		if (num_parse_u64(argv[2 + i], &v[i]) != 0)
			return RENDER_EXIT_USAGE;
	struct render_limits l = {.dpi = (uint32_t)v[0],
	                          .pixel_budget = v[1],
	                          .seconds = (uint32_t)v[2],
	                          .memory = v[3],
	                          .input_max = (size_t)v[4]};
	if (argc == 8 && ocr_arg(argv[7], l.ocr) != 0)
		return RENDER_EXIT_USAGE;
	char helper[4096];
	if (v[0] < RENDER_DPI_MIN || v[0] > RENDER_DPI_MAX || v[2] == 0 || v[2] > 3600 ||
	    v[4] > SIZE_MAX / 2 || render_helper_path(helper, sizeof helper) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return RENDER_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	/* office documents: LibreOffice through a spawner forked before the confinement */
	struct render_service *office = NULL;
	if (render_office_available()) {
		if (render_service_fork(helper, &l, &office) != 0)
			return RENDER_EXIT_SANDBOX;
		l.office = render_service_office;
		l.office_ctx = office;
	}
	if (service_confine(helper, l.ocr[0] != '\0') != 0)
		return RENDER_EXIT_SANDBOX;
	int rc = render_service_serve(0, helper, &l);
	render_service_stop(&office);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--service") == 0)
		return service(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--office") == 0)
		return render_office_main(argc, argv);
	uint64_t dpi, budget, input_max, only = 0;
	char langs[RENDER_OCR_LANGS_MAX] = "";
	if ((argc != 4 && argc != 5) || num_parse_u64(argv[1], &dpi) != 0 || dpi < RENDER_DPI_MIN ||
	    dpi > RENDER_DPI_MAX || num_parse_u64(argv[2], &budget) != 0 ||
	    num_parse_u64(argv[3], &input_max) != 0 || input_max > SIZE_MAX / 2)
		return RENDER_EXIT_USAGE;
	if (argc == 5 && ocr_arg(argv[4], langs) != 0 &&
	    (num_parse_u64(argv[4], &only) != 0 || only == 0 || only > RENDER_PAGES_MAX))
		return RENDER_EXIT_USAGE;
	/*
	 * Nothing of the child reaches standard error but the self-test's lines: the
	 * libraries' messages (tesseract's and leptonica's; MuPDF's are silenced below) may
	 * quote the document, and written to a log file they would meet RLIMIT_FSIZE 0.
	 */
	int selftest_on = 0;
#ifdef CUTOUT_SANDBOX_SELFTEST
	const char *st = getenv("CUTOUT_SANDBOX_SELFTEST");
	selftest_on = st != NULL && strcmp(st, "1") == 0;
#endif
	if (!selftest_on && dup2(0, 2) < 0) /* a pipe's read end: every write fails, EBADF */
		return RENDER_EXIT_SANDBOX;
	/* MuPDF's context first (it reads nothing), then nothing but stdin and stdout */
	fz_context *ctx = fz_new_context(NULL, NULL, 256u << 20);
	if (ctx == NULL)
		return RENDER_EXIT_SANDBOX;
	fz_set_warning_callback(ctx, quiet, NULL);
	fz_set_error_callback(ctx, quiet, NULL);
	fz_register_document_handlers(ctx);
	/* the OCR models, read before the confinement: the only files ever opened */
	struct render_ocr *ocr = NULL;
	if (langs[0] != '\0' && (ocr = render_ocr_new(langs)) == NULL)
		return RENDER_EXIT_OCR;
	int abi;
	if (sandbox_compute(&abi) == SANDBOX_FAILED)
		return RENDER_EXIT_SANDBOX;
#ifdef CUTOUT_SANDBOX_SELFTEST
	if (selftest_on)
		selftest();
#endif
	size_t n = 0;
	int code = 0;
	uint8_t *d = read_input((size_t)input_max, &n, &code);
	if (d != NULL) {
		int office;
		const char *magic = sniff(d, n, &office);
		code = magic == NULL
		               ? office ? RENDER_EXIT_UNSUPPORTED : RENDER_EXIT_NOT_DOCUMENT
		               : convert(ctx, d, n, magic, (uint32_t)dpi, budget, (int)only, ocr);
	}
	render_ocr_free(&ocr); /* tesseract's caches, before its destructors complain */
	return code;
}
