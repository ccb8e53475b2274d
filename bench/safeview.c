/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench/safeview: pages per second of the safe-viewing conversion
 * (lib/render.h: the confined cutout-render child, the parent's checks, the
 * clean PDF written by lib/pdf_images.c) at 150 DPI, for a 50-page text PDF
 * and a 10-page scanned-image PDF (both made here), against `mutool draw` of
 * the same files to PPM without a sandbox (the reference, in the same run;
 * goal: >= 0.8 of it), without and with OCR (eng+rus, one round: about a
 * second a page); the parent's and the child's peak RSS.
 *
 * usage: bench_safeview HELPER [ROUNDS [--no-ocr]]   (mutool from Debian's mupdf-tools)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/pdf.h"
#include "lib/render.h"

#include "lib/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A text PDF of about `pages` A4 pages (lib/pdf.c lays it out). */
static int text_pdf(unsigned want, struct buf *out, unsigned *pages)
{
	struct buf t;
	buf_init(&t, PDF_TEXT_MAX);
	static const char para[] =
	        "The quick brown fox jumps over the lazy dog; the source reports that the "
	        "shipment left the port at dawn, under another flag, with papers that do not "
	        "match its cargo. Съешь же ещё этих мягких французских булок да выпей чаю.\n";
	int rc = -1;
	for (unsigned i = 0; i < want * 103 / 10; i++)
		if (buf_append(&t, para, sizeof para - 1) != BUF_OK)
			goto out;
	struct pdf_doc d = {.banner = "OFFICIAL", .text = (const char *)t.data, .text_len = t.len};
	rc = pdf_render(&d, out, pages);
out:
	buf_release(&t);
	return rc;
}

/* A "scanned" PDF: pages of noisy grey pixels at 150 DPI (A4: 1240 x 1754). */
static int scan_pdf(unsigned pages, struct buf *out)
{
	const uint32_t w = 1240, h = 1754;
	uint8_t *px = malloc((size_t)w * h * 3);
	struct pdf_images *p = pdf_images_begin(out, 0);
	int rc = -1;
	if (px == NULL || p == NULL)
		goto out;
	for (unsigned k = 0; k < pages; k++) {
		randombytes_buf(px, (size_t)w * h * 3);
		for (size_t i = 0; i < (size_t)w * h * 3; i++)
			px[i] = (uint8_t)(200 + (px[i] & 31)); /* paper with grain */
		if (pdf_images_page(p, w, h, px, 150, NULL, 0) != 0)
			goto out;
	}
	rc = pdf_images_finish(&p);
out:
	pdf_images_free(&p);
	free(px);
	return rc;
}

static double run_ours(const char *helper, const struct buf *doc, int rounds, int ocr,
                       uint32_t *pages)
{
	struct render_limits l;
	render_limits_default(&l);
	l.seconds = 3600;
	if (ocr)
		memcpy(l.ocr, "eng+rus", sizeof "eng+rus");
	struct buf pdf;
	buf_init(&pdf, (size_t)1 << 31);
	double t0 = now();
	for (int i = 0; i < rounds; i++) {
		buf_reset(&pdf);
		enum render_result r = render_run(helper, &l, doc->data, doc->len, &pdf, pages);
		if (r != RENDER_OK) {
			fprintf(stderr, "bench_safeview: %s\n", render_strerror(r));
			exit(1);
		}
	}
	double dt = now() - t0;
	buf_release(&pdf);
	return dt;
}

/* The child alone, its pixels to /dev/null: where the time goes. */
static double run_child(const char *helper, const char *path, int rounds)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s 150 1000000000 1000000000 < %s > /dev/null", helper, path);
	double t0 = now();
	for (int i = 0; i < rounds; i++)
		if (system(cmd) != 0)
			return -1;
	return now() - t0;
}

static double run_mutool(const char *path, int rounds)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "mutool draw -q -r 150 -c rgb -o /tmp/bench-safeview-%%d.ppm %s",
	         path);
	double t0 = now();
	for (int i = 0; i < rounds; i++)
		if (system(cmd) != 0)
			return -1;
	double dt = now() - t0;
	if (system("rm -f /tmp/bench-safeview-*.ppm") != 0)
		return -1;
	return dt;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4 || sodium_init() < 0 ||
	    (argc == 4 && strcmp(argv[3], "--no-ocr") != 0)) {
		fprintf(stderr, "usage: bench_safeview HELPER [ROUNDS [--no-ocr]]\n");
		return 2;
	}
	int with_ocr = argc < 4;
	uint64_t r64 = 3;
	if (argc > 2 && (num_parse_u64(argv[2], &r64) != 0 || r64 == 0 || r64 > 100))
		return 2;
	int rounds = (int)r64;
	struct buf text, scan;
	buf_init(&text, 64 << 20);
	buf_init(&scan, 512 << 20);
	unsigned tp = 0;
	if (text_pdf(50, &text, &tp) != 0 || scan_pdf(10, &scan) != 0)
		return 1;
	const char *files[2] = {"/tmp/bench-safeview-text.pdf", "/tmp/bench-safeview-scan.pdf"};
	unlink(files[0]); /* left by a run that was stopped */
	unlink(files[1]);
	if (io_write_new_file(files[0], text.data, text.len, 0600) != 0 ||
	    io_write_new_file(files[1], scan.data, scan.len, 0600) != 0)
		return 1;
	const struct buf *docs[2] = {&text, &scan};
	const char *names[2] = {"text PDF", "scanned PDF"};
	printf("safe viewing at 150 DPI, %d rounds each (with OCR: one round)\n", rounds);
	uint32_t pages[2] = {0, 0};
	double ours[2], ref[2], ocr[2] = {1, 1};
	for (int k = 0; k < 2; k++)
		ours[k] = run_ours(argv[1], docs[k], rounds, 0, &pages[k]);
	for (int k = 0; k < 2 && with_ocr; k++)
		ocr[k] = run_ours(argv[1], docs[k], 1, 1, &pages[k]);
	struct rusage self, kids;
	getrusage(RUSAGE_CHILDREN, &kids); /* the converter children only, so far */
	double child[2];
	for (int k = 0; k < 2; k++) {
		ref[k] = run_mutool(files[k], rounds);
		child[k] = run_child(argv[1], files[k], rounds);
	}
	for (int k = 0; k < 2; k++) {
		double ps = pages[k] * rounds / ours[k],
		       rps = ref[k] > 0 ? pages[k] * rounds / ref[k] : 0;
		printf("%-12s %3u pages, %7.1f KiB: cutout %6.2f pages/s, mutool draw %6.2f "
		       "pages/s,"
		       " ratio %.2f\n",
		       names[k], pages[k], (double)docs[k]->len / 1024, ps, rps,
		       rps > 0 ? ps / rps : 0);
		printf("%-12s the confined child alone (pixels to /dev/null): %6.2f pages/s\n", "",
		       child[k] > 0 ? pages[k] * rounds / child[k] : 0);
		if (with_ocr)
			printf("%-12s with OCR (eng+rus, invisible text layer): %6.2f pages/s, "
			       "ratio %.2f\n",
			       "", pages[k] / ocr[k], rps > 0 ? pages[k] / ocr[k] / rps : 0);
	}
	getrusage(RUSAGE_SELF, &self);
	printf("peak RSS: parent %ld MiB (both documents and the clean PDFs in memory), converter"
	       " child %ld MiB\n",
	       self.ru_maxrss / 1024, kids.ru_maxrss / 1024);
	unlink(files[0]);
	unlink(files[1]);
	buf_release(&text);
	buf_release(&scan);
	return 0;
}
