/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_release: fingerprinted copies and tracing on a ~1,650-word telegram
 * (bench/README.md, "release").
 *
 *   build/bench/bench_release [-t TRIALS] [-c] [-w WORDS,...] [FILE]
 *                                       (default bench/data/telegram.txt)
 *
 * Prints the report's slots, the time to make 1,000 copies, the time to trace
 * a retyped 300-word excerpt against 10,000 recipients, and (unless -c) the
 * identification table: excerpt length x noise x colluders, the fraction of
 * TRIALS (default 200) where a guilty recipient is ranked first and accused
 * among 1,000 recipients, and the innocents ever accused (-w: only these
 * excerpt lengths, 0 for the whole report). Each trial is its own release (its
 * own biases and codewords).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/release/align.h"
#include "core/release/copy.h"
#include "core/release/slots.h"
#include "core/release/trace.h"
#include "release_sim.h"

#include "lib/banned.h"

#define RECIPIENTS 1000
#define BIG 10000
#define TEXT_CAP (4u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const uint8_t secret[32] = "bench-release-instance-secret!!";

static void die(const char *m)
{
	fprintf(stderr, "bench_release: %s\n", m);
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open the report");
	char *t = malloc(SLOTS_TEXT_MAX + 1);
	if (!t)
		die("no memory");
	*len = fread(t, 1, SLOTS_TEXT_MAX, f);
	fclose(f);
	t[*len] = 0;
	return t;
}

/* The leaked text of trial with colluders g[0..c), before excerpting and noise. */
static void leak_of(const struct slots *s, const struct copy_book *b, const size_t *g, int c,
                    struct sim_rng *r, struct buf *out)
{
	struct buf x, y;
	buf_init(&x, TEXT_CAP);
	buf_init(&y, TEXT_CAP);
	if (c == 1) {
		if (copy_render(s, copy_book_bits(b, g[0]), out) != 0)
			die("render");
	} else if (c == 2) {
		if (copy_render(s, copy_book_bits(b, g[0]), &x) != 0 ||
		    copy_render(s, copy_book_bits(b, g[1]), &y) != 0 ||
		    sim_mix(buf_str(&x), buf_str(&y), r, out) != 0)
			die("mix");
	} else {
		uint8_t *maj = malloc(b->stride);
		if (!maj)
			die("no memory");
		sim_majority(copy_book_bits(b, g[0]), copy_book_bits(b, g[1]),
		             copy_book_bits(b, g[2]), b->stride, maj);
		if (copy_render(s, maj, out) != 0)
			die("render");
		free(maj);
	}
	buf_release(&x);
	buf_release(&y);
}

static void noisy(const char *in, size_t len, int noise, struct sim_rng *r, struct buf *out)
{
	struct buf a;
	buf_init(&a, TEXT_CAP);
	if (noise == 0) {
		if (buf_append(out, in, len) != BUF_OK)
			die("buf");
	} else {
		if (noise == 2) {
			if (sim_americanise(in, len, &a) != 0)
				die("americanise");
			in = buf_str(&a);
			len = a.len;
		}
		if (sim_retype(in, len, r, &sim_retyped, out) != 0)
			die("retype");
	}
	buf_release(&a);
}

int main(int argc, char **argv)
{
	int trials = 200, copies_only = 0, opt;
	size_t lengths[] = {100, 200, 300, 500, 1000, 0}, nlengths = 6;
	while ((opt = getopt(argc, argv, "t:cw:")) != -1) {
		if (opt == 't') {
			trials = (int)strtol(optarg, NULL, 10);
		} else if (opt == 'c') {
			copies_only = 1;
		} else if (opt == 'w') {
			char *p = optarg;
			for (nlengths = 0; *p && nlengths < 6; nlengths++) {
				lengths[nlengths] = (size_t)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
		} else {
			die("usage: bench_release [-t TRIALS] [-c] [-w WORDS,...] [FILE]");
		}
	}
	if (trials < 1 || trials > 100000)
		die("bad -t");
	const char *path = optind < argc ? argv[optind] : CUTOUT_BENCH_DATA "/telegram.txt";
	size_t len;
	char *text = slurp(path, &len);
	struct slots s;
	struct slots_error err;
	if (slots_find(text, len, &s, &err) != SLOTS_OK)
		die(err.msg);
	size_t counts[SLOT_CLASSES];
	slots_count(&s, counts);
	printf("report: %zu words, %zu slots (%zu bits), %.1f slots per 100 words\n", s.words, s.n,
	       s.n, slots_density(&s));
	for (int c = 0; c < SLOT_CLASSES; c++)
		printf("  %-18s %zu\n", slots_class_name((enum slot_class)c), counts[c]);

	uint64_t *ids = malloc(BIG * sizeof *ids);
	if (!ids)
		die("no memory");
	for (size_t i = 0; i < BIG; i++)
		ids[i] = i + 1;
	struct copy_book book;
	struct buf out;
	buf_init(&out, TEXT_CAP);
	double t0 = now();
	if (copy_book_make(&book, secret, 1, 2, s.engine, s.n, ids, RECIPIENTS) != 0)
		die("book");
	size_t bytes = 0;
	for (size_t i = 0; i < RECIPIENTS; i++) {
		buf_reset(&out);
		if (copy_render(&s, copy_book_bits(&book, i), &out) != 0)
			die("render");
		bytes += out.len;
	}
	double t1 = now();
	printf("1,000 copies (code + text): %.1f ms, %.1f us per copy (%zu bytes each)\n",
	       (t1 - t0) * 1e3, (t1 - t0) * 1e6 / RECIPIENTS, bytes / RECIPIENTS);
	copy_book_free(&book);

	struct align_ref *ref;
	if (align_ref_make(&s, &ref) != ALIGN_OK)
		die("ref");
	struct tardos_params params = {RECIPIENTS, 2, 1e-6};
	struct sim_rng rng = {42};
	{
		struct copy_book big;
		t0 = now();
		if (copy_book_make(&big, secret, 2, 2, s.engine, s.n, ids, BIG) != 0)
			die("book");
		t1 = now();
		struct buf leak, ex, noisy_ex;
		buf_init(&leak, TEXT_CAP);
		buf_init(&ex, TEXT_CAP);
		buf_init(&noisy_ex, TEXT_CAP);
		size_t g = 4321;
		leak_of(&s, &big, &g, 1, &rng, &leak);
		if (sim_excerpt(buf_str(&leak), leak.len, 300, &rng, &ex) != 0)
			die("excerpt");
		noisy(buf_str(&ex), ex.len, 1, &rng, &noisy_ex);
		struct tardos_params bp = {BIG, 2, 1e-6};
		struct trace_result res;
		double best = 1e9, sum = 0;
		for (int k = 0; k < 20; k++) {
			double a = now();
			if (trace_run(&s, ref, &big, &bp, buf_str(&noisy_ex), noisy_ex.len, &res) !=
			    TRACE_OK)
				die("trace");
			double d = now() - a;
			sum += d;
			if (d < best)
				best = d;
		}
		printf("codewords of 10,000 recipients: %.1f ms (once per release)\n",
		       (t1 - t0) * 1e3);
		printf("trace of a retyped 300-word excerpt against 10,000 recipients: best %.1f "
		       "ms, "
		       "mean %.1f ms (goal < 100 ms); %zu slots read, top recipient %llu%s "
		       "(score %.1f, threshold %.1f)\n",
		       best * 1e3, sum / 20 * 1e3, res.slots_read,
		       (unsigned long long)res.top[0].recipient,
		       res.top[0].recipient == g + 1 ? " (the leaker)" : "", res.top[0].score,
		       res.threshold);
		copy_book_free(&big);
		buf_release(&leak);
		buf_release(&ex);
		buf_release(&noisy_ex);
	}
	if (copies_only)
		return 0;

	static const char *const noise_names[] = {"none", "retyped 2%", "retyped+US spelling"};
	struct copy_book *books = calloc((size_t)trials, sizeof *books);
	if (!books)
		die("no memory");
	for (int t = 0; t < trials; t++)
		if (copy_book_make(&books[t], secret, 1000 + (uint64_t)t, 2, s.engine, s.n, ids,
		                   RECIPIENTS) != 0)
			die("book");
	printf("\nidentification among %d recipients, %d trials per cell (eps %.0e, c=2 code):\n",
	       RECIPIENTS, trials, params.epsilon);
	printf("| words | noise | colluders | guilty first and accused | mean slots read | "
	       "innocents accused |\n| --- | --- | --- | --- | --- | --- |\n");
	fflush(stdout);
	size_t innocents_total = 0;
	/* per class, one leaker: readings kept and wrong readings, by noise */
	static size_t cread[3][SLOT_CLASSES], cwrong[3][SLOT_CLASSES];
	int8_t *y = malloc(s.n);
	if (!y)
		die("no memory");
	for (size_t li = 0; li < nlengths; li++)
		for (int noise = 0; noise < 3; noise++)
			for (int c = 1; c <= 3; c++) {
				size_t ok = 0, innocent = 0, read = 0;
				struct sim_rng r = {(uint64_t)(lengths[li] * 100 +
				                               (size_t)noise * 10 + (size_t)c)};
				for (int t = 0; t < trials; t++) {
					size_t g[3];
					for (int k = 0; k < c; k++) {
					again:
						g[k] = sim_next(&r) % RECIPIENTS;
						for (int q = 0; q < k; q++)
							if (g[q] == g[k])
								goto again;
					}
					struct buf leak, ex, nz;
					buf_init(&leak, TEXT_CAP);
					buf_init(&ex, TEXT_CAP);
					buf_init(&nz, TEXT_CAP);
					leak_of(&s, &books[t], g, c, &r, &leak);
					if (sim_excerpt(buf_str(&leak), leak.len, lengths[li], &r,
					                &ex) != 0)
						die("excerpt");
					noisy(buf_str(&ex), ex.len, noise, &r, &nz);
					struct trace_result res;
					memset(&res, 0, sizeof res);
					if (align_read(ref, buf_str(&nz), nz.len, y, &res.align) !=
					            ALIGN_OK ||
					    trace_score(&s, &books[t], &params, y, &res) !=
					            TRACE_OK)
						die("trace");
					for (size_t j = 0; c == 1 && j < s.n; j++) {
						int cls = s.s[j].cls;
						if (y[j] < 0)
							continue;
						cread[noise][cls]++;
						cwrong[noise][cls] +=
						        y[j] !=
						        tardos_bit(copy_book_bits(&books[t], g[0]),
						                   j);
					}
					read += res.slots_read;
					for (size_t k = 0; k < res.ranked; k++) {
						int guilty = 0;
						for (int q = 0; q < c; q++)
							guilty |= res.top[k].recipient == g[q] + 1;
						if (k == 0 && guilty && res.top[k].accused)
							ok++;
						if (!guilty && res.top[k].accused)
							innocent++;
					}
					buf_release(&leak);
					buf_release(&ex);
					buf_release(&nz);
				}
				innocents_total += innocent;
				printf("| %s%zu | %s | %d | %.3f | %.0f | %zu |\n",
				       lengths[li] ? "" : "whole ",
				       lengths[li] ? lengths[li] : s.words, noise_names[noise], c,
				       (double)ok / trials, (double)read / trials, innocent);
				fflush(stdout);
			}
	printf("innocents accused in all trials: %zu (goal 0)\n", innocents_total);
	printf("\nwhat survives, by class (one leaker, all lengths): slots in the report; "
	       "readings kept / wrong, by noise\n| class | slots | none | retyped 2%% | "
	       "retyped+US spelling |\n| --- | --- | --- | --- | --- |\n");
	for (int c = 0; c < SLOT_CLASSES; c++)
		printf("| %s | %zu | %zu / %zu | %zu / %zu | %zu / %zu |\n",
		       slots_class_name((enum slot_class)c), counts[c], cread[0][c], cwrong[0][c],
		       cread[1][c], cwrong[1][c], cread[2][c], cwrong[2][c]);
	free(y);
	for (int t = 0; t < trials; t++)
		copy_book_free(&books[t]);
	free(books);
	align_ref_free(&ref);
	slots_free(&s);
	free(ids);
	free(text);
	buf_release(&out);
	return 0;
}
