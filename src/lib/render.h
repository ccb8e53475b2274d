/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render: a hostile document made into pixels by a confined child process,
 * and the pixels made into a clean PDF (docs/safe-viewing.md).
 *
 * The child is the helper program `cutout-render` (src/app/render/): it gets
 * the document's bytes on its standard input and nothing else, confines
 * itself (lib/sandbox.h: no file, no network, no exec) and writes, big-endian,
 *
 *     u32 pages, then per page: u32 width, u32 height, width*height*3 bytes RGB
 *
 * and, when OCR was asked for (render_limits.ocr), after each page's pixels
 * its words: u32 count, then per word u32 x, y, w, h (its box in pixels from
 * the top left, inside the page), u32 bytes, then the word (render_word_ok),
 * on its standard output, or exits with one of RENDER_EXIT_* to say why not.
 * The parent (render_run) sets its rlimits before the exec (memory, CPU
 * seconds, no core, few descriptors), feeds it, checks every number it
 * writes (render_reader: at most RENDER_PAGES_MAX pages, RENDER_SIDE_MAX
 * pixels a side, the pixel budget in all), kills it past the time limit, and
 * builds the PDF from the pixels alone (lib/pdf.h, pdf_images_*).
 */
#ifndef CUTOUT_LIB_RENDER_H
#define CUTOUT_LIB_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/pdf.h"

#define RENDER_PAGES_MAX 10000u
#define RENDER_SIDE_MAX 10000u
#define RENDER_DPI_MIN 36u
#define RENDER_DPI_MAX 300u
#define RENDER_WORDS_MAX 20000u    /* OCR words a page */
#define RENDER_WORD_BYTES_MAX 256u /* bytes of one OCR word */
#define RENDER_OCR_LANGS_MAX 64u   /* "eng+rus": bytes with the NUL */

/* The helper's exit codes (0: the pages were written). */
enum {
	RENDER_EXIT_USAGE = 2,
	RENDER_EXIT_SANDBOX = 3,      /* it could not confine itself: it rendered nothing */
	RENDER_EXIT_UNSUPPORTED = 10, /* an office document (no LibreOffice here) */
	RENDER_EXIT_NOT_DOCUMENT = 11,
	RENDER_EXIT_DAMAGED = 12,
	RENDER_EXIT_PAGES = 13,     /* more than the pages allowed */
	RENDER_EXIT_TOO_LARGE = 14, /* a page over the side, or the pixel budget */
	RENDER_EXIT_INPUT = 15,     /* more bytes than allowed */
	RENDER_EXIT_OCR = 16,       /* the OCR languages asked for are not installed */
};

/* Where Debian's tesseract keeps its models (tesseract-ocr-eng, -rus...). */
#define RENDER_TESSDATA "/usr/share/tesseract-ocr"
/* LibreOffice's program: office documents are converted when it is installed */
#define RENDER_OFFICE_PROGRAM "/usr/lib/libreoffice/program/soffice.bin"
#define RENDER_OFFICE_MEMORY ((uint64_t)4 << 30)   /* the office stage's address space */
#define RENDER_OFFICE_FILE_MAX ((uint64_t)1 << 30) /* a file it writes (its private tmpfs) */

enum render_result {
	RENDER_OK = 0,
	RENDER_UNSUPPORTED,  /* an office document: not supported without LibreOffice */
	RENDER_NOT_DOCUMENT, /* not a format the converter reads */
	RENDER_DAMAGED,      /* malformed or truncated: it could not be rendered */
	RENDER_TOO_MANY_PAGES,
	RENDER_TOO_LARGE,  /* a page too large, the pixel budget spent, or the input too long */
	RENDER_TIMEOUT,    /* killed past the time limit */
	RENDER_KILLED,     /* died on a signal (its memory or CPU limit, a crash) */
	RENDER_BAD_OUTPUT, /* the child wrote what the parent refuses */
	RENDER_NO_OCR,     /* the OCR languages asked for are not installed */
	RENDER_FAILED,     /* the parent's own failure (memory, fork, the helper missing) */
};

/* A short English reason for r ("timed out", "too many pages"...). */
const char *render_strerror(enum render_result r);

struct render_limits {
	uint32_t dpi;          /* RENDER_DPI_MIN..RENDER_DPI_MAX */
	uint64_t pixel_budget; /* pixels of all pages together */
	uint32_t seconds;      /* wall-clock time of the child; its CPU time is limited to it too */
	uint64_t memory;       /* the child's address space, bytes */
	size_t input_max;      /* bytes of the document */
	char ocr[RENDER_OCR_LANGS_MAX]; /* tesseract's languages ("eng+rus"); "": no OCR */
	/*
	 * How an office document becomes a PDF (render_office's signature); NULL:
	 * render_office itself. The desk's confined converter service cannot start
	 * the office stage (its seccomp filter has no unshare or mount): it asks a
	 * process it started before confining itself.
	 */
	enum render_result (*office)(void *ctx, const char *helper, const struct render_limits *l,
	                             const uint8_t *doc, size_t n, struct buf *pdf);
	void *office_ctx;
};

/* Whether LibreOffice is installed (RENDER_OFFICE_PROGRAM can be run). */
int render_office_available(void);

/*
 * The office stage: `helper --office` (app/render/render_office.c: LibreOffice
 * in namespaces of its own, a private tmpfs and Landlock) makes a PDF of doc
 * into pdf (at most l->input_max bytes; as hostile as doc: render it like any
 * PDF), within l->seconds. RENDER_UNSUPPORTED without LibreOffice.
 */
__attribute__((warn_unused_result)) enum render_result render_office(void *ctx, const char *helper,
                                                                     const struct render_limits *l,
                                                                     const uint8_t *doc, size_t n,
                                                                     struct buf *pdf);

/*
 * Whether langs names tesseract languages as cutout accepts them: lower-case
 * letters, digits and '_', joined by single '+', shorter than
 * RENDER_OCR_LANGS_MAX. (Whether the models are installed is found when the
 * converter starts.)
 */
int render_ocr_langs_ok(const char *langs);

/*
 * Whether t[0..n) is an OCR word as the parent accepts it: 1..RENDER_WORD_BYTES_MAX
 * bytes of valid UTF-8 with no character that is shown escaped (lib/utf8.h's
 * utf8_hidden: controls, bidi overrides, invisible characters).
 */
int render_word_ok(const uint8_t *t, size_t n);

/* The defaults of cutout.conf's safeview_* keys. */
void render_limits_default(struct render_limits *l);

/* ---- the reader of the child's output: every number checked ---- */

/*
 * Called once per complete page; rgb holds w*h*3 bytes; words its OCR words
 * (none without OCR), each checked. Nonzero stops the reading.
 */
typedef int (*render_page_fn)(void *ctx, uint32_t w, uint32_t h, const uint8_t *rgb,
                              const struct pdf_word *words, uint32_t nwords);

struct render_reader;
__attribute__((warn_unused_result)) struct render_reader *
render_reader_new(const struct render_limits *l, render_page_fn fn, void *ctx);
/*
 * Feeds n bytes of the child's output. RENDER_OK to go on; RENDER_TOO_MANY_PAGES,
 * RENDER_TOO_LARGE or RENDER_BAD_OUTPUT (a zero count or side, bytes after the
 * last page, a word out of its page or refused by render_word_ok, more words
 * than allowed, the page callback refused) end it: feed no more.
 */
__attribute__((warn_unused_result)) enum render_result
render_reader_feed(struct render_reader *r, const uint8_t *p, size_t n);
/* At the end of the output: RENDER_OK when every announced page came whole. */
__attribute__((warn_unused_result)) enum render_result
render_reader_end(const struct render_reader *r, uint32_t *pages);
void render_reader_free(struct render_reader **r);

/* ---- the whole conversion ---- */

/*
 * Runs the helper at `helper` on doc and appends the clean PDF to pdf (its
 * cap bounds it). *pages: the pages rendered. Nothing of doc reaches the PDF
 * but pixels.
 */
__attribute__((warn_unused_result)) enum render_result render_run(const char *helper,
                                                                  const struct render_limits *l,
                                                                  const uint8_t *doc, size_t n,
                                                                  struct buf *pdf, uint32_t *pages);

/*
 * Page `page` (from 1) of doc, rendered by the helper as render_run does,
 * as a PNG appended to png (the desk's page images of a clean copy).
 */
__attribute__((warn_unused_result)) enum render_result
render_page_png(const char *helper, const struct render_limits *l, uint32_t page,
                const uint8_t *doc, size_t n, struct buf *png);

/* ---- the converter service: for a process that may not fork (the desk door) ---- */

/*
 * A process that may not fork or exec once confined (the desk door,
 * docs/privsep.md) starts, before it confines itself, the helper in service
 * mode (`cutout-render --service ...`, exec'd fresh: nothing of the caller's
 * memory) on a socketpair, and sends it documents: the service runs
 * render_run or render_page_png for each (a confined child per document) and
 * answers with the result. It holds no key; it dies with its parent. One
 * request at a time (a mutex): callers wait their turn.
 */
struct render_service;
__attribute__((warn_unused_result)) int render_service_start(const char *helper,
                                                             const struct render_limits *l,
                                                             struct render_service **out);
/* render_run through the service. */
__attribute__((warn_unused_result)) enum render_result render_service_run(struct render_service *sv,
                                                                          const uint8_t *doc,
                                                                          size_t n, struct buf *pdf,
                                                                          uint32_t *pages);
/* render_page_png through the service. */
__attribute__((warn_unused_result)) enum render_result
render_service_page(struct render_service *sv, uint32_t page, const uint8_t *doc, size_t n,
                    struct buf *png);
void render_service_stop(struct render_service **sv);
/* The service's side: answers requests on fd until it closes (cutout-render --service). */
int render_service_serve(int fd, const char *helper, const struct render_limits *l);
/*
 * The office spawner: a fork of the calling process (the service, before it
 * confines itself: its seccomp filter and Landlock domain would pass to
 * LibreOffice and forbid the namespaces and the mount the office stage
 * needs) serving render_office on a socket, with no_new_privs and nothing
 * else of the service: it has read no request yet. Stop it with
 * render_service_stop. 0 or -1.
 */
__attribute__((warn_unused_result)) int
render_service_fork(const char *helper, const struct render_limits *l, struct render_service **out);
/* An office stage (struct render_limits' office) through the spawner, ctx. */
__attribute__((warn_unused_result)) enum render_result
render_service_office(void *ctx, const char *helper, const struct render_limits *l,
                      const uint8_t *doc, size_t n, struct buf *pdf);

/* The helper beside the running program: DIR/cutout-render. 0, or -1 (too long, unknown). */
__attribute__((warn_unused_result)) int render_helper_path(char *out, size_t cap);

#endif
