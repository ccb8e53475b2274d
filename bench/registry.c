/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_registry: report listing latency. Seeds a store directly (one SQLite
 * transaction) with N reports (default 100,000) over M distinct markings
 * (default 1,000), 100 officers, each report on the distribution of its
 * author and 10 random officers; then times registry_report_list (every
 * candidate decided by access_decide) for random officers, and, as the
 * reference in the same run, the bare SQL walk of the same candidate rows
 * (no parsing, no decision). Prints p50/p99 of both and the ratio.
 *
 *   build/bench/bench_registry DIR [REPORTS] [MARKINGS] [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>
#include <sodium.h>

#include "core/marking/marking.h"
#include "core/registry/registry.h"
#include "core/store/store.h"

#define NOFFICERS 100
#define NREADERS 10

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int count(void *ctx, const struct registry_listing *l)
{
	(void)l;
	(*(int64_t *)ctx)++;
	return 0;
}

static const char *const comps[] = {"A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8", "I9", "J10"};
static const char *const nats[] = {"GBR", "USA", "FRA", "DEU", "CAN"};

int main(int argc, char **argv)
{
	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_registry DIR [REPORTS] [MARKINGS] [RUNS]\n");
		return 2;
	}
	long nrep = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
	long nmk = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	long runs = argc > 4 ? strtol(argv[4], NULL, 10) : 200;
	if (nrep < 1 || nmk < 1 || nmk > 3 * 1024 * 4 || runs < 1)
		return 2;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/bench-registry.db", argv[1]) >= (int)sizeof path)
		return 2;
	remove(path);

	struct marking_scheme sch;
	struct marking_error merr;
	if (marking_scheme_init(&sch, MARKING_UK, "A1, B2, C3, D4, E5, F6, G7, H8, I9, J10", "GBR",
	                        &merr) != MARKING_OK)
		return 1;

	/* the schema, by the store itself */
	struct store *st = NULL;
	if (store_open(path, &st) != STORE_OK)
		return 1;
	store_close(&st);

	/* seed directly, in one transaction */
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	double t0 = now_ms();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *ins_o = NULL, *ins_m = NULL, *ins_r = NULL, *ins_rr = NULL;
	sqlite3_prepare_v2(db,
	                   "INSERT INTO officer(name, roles, clearance, nationality, created_day)"
	                   " VALUES(?1, 4, ?2, ?3, 0)",
	                   -1, &ins_o, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO reg_marking(id, text) VALUES(?1, ?2)", -1, &ins_m,
	                   NULL);
	sqlite3_prepare_v2(db,
	                   "INSERT INTO report(id, author, day, marking_id, label_version, body)"
	                   " VALUES(?1, ?2, 0, ?3, 1, x'00')",
	                   -1, &ins_r, NULL);
	sqlite3_prepare_v2(db,
	                   "INSERT OR IGNORE INTO report_reader(officer, report) VALUES(?1, ?2)",
	                   -1, &ins_rr, NULL);
	if (!ins_o || !ins_m || !ins_r || !ins_rr) {
		fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	for (int i = 1; i <= NOFFICERS; i++) {
		char name[32], cl[128];
		snprintf(name, sizeof name, "o%03d", i);
		/* clearances: every level, about half of the compartments */
		int n = snprintf(cl, sizeof cl, "%s", i % 3 == 0 ? "SECRET" : "TOP SECRET");
		for (int c = 0, first = 1; c < 10; c++)
			if (randombytes_uniform(2)) {
				n += snprintf(cl + n, sizeof cl - (size_t)n, "%s%s",
				              first ? "//" : "/", comps[c]);
				first = 0;
			}
		/* compartments must be sorted: A1 < B2 < ... < I9 < J10 holds */
		sqlite3_bind_text(ins_o, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_o, 2, cl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_o, 3, nats[i % 5], -1, SQLITE_STATIC);
		if (sqlite3_step(ins_o) != SQLITE_DONE)
			return 1;
		sqlite3_reset(ins_o);
	}
	for (long m = 1; m <= nmk; m++) {
		struct marking mk;
		char text[MARKING_TEXT_MAX + 3];
		memset(&mk, 0, sizeof mk);
		mk.scheme = MARKING_UK;
		mk.level = (uint8_t)(m % 3);
		mk.compartments = (uint64_t)((m / 3) % 1024);
		long rel = (m / 7) % 4; /* (level, compartments) alone keep the markings distinct */
		if (rel == 0) {
			mk.flags = MARKING_REL_ALL;
		} else {
			for (long k = 0; k < rel + 1; k++) {
				uint16_t c = marking_country_find(nats[k], 3);
				mk.release[c / 64] |= (uint64_t)1 << (c % 64);
			}
		}
		if (marking_format(&sch, &mk, false, text, sizeof text) < 0)
			return 1;
		sqlite3_bind_int64(ins_m, 1, m);
		sqlite3_bind_text(ins_m, 2, text, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins_m) != SQLITE_DONE) {
			fprintf(stderr, "marking %s: %s\n", text, sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(ins_m);
	}
	for (long r = 1; r <= nrep; r++) {
		long author = 1 + (long)randombytes_uniform(NOFFICERS);
		sqlite3_bind_int64(ins_r, 1, r);
		sqlite3_bind_int64(ins_r, 2, author);
		sqlite3_bind_int64(ins_r, 3, 1 + (long)randombytes_uniform((uint32_t)nmk));
		if (sqlite3_step(ins_r) != SQLITE_DONE)
			return 1;
		sqlite3_reset(ins_r);
		for (int k = 0; k <= NREADERS; k++) {
			sqlite3_bind_int64(ins_rr, 1,
			                   k == 0 ? author
			                          : 1 + (long)randombytes_uniform(NOFFICERS));
			sqlite3_bind_int64(ins_rr, 2, r);
			if (sqlite3_step(ins_rr) != SQLITE_DONE)
				return 1;
			sqlite3_reset(ins_rr);
		}
	}
	sqlite3_finalize(ins_o);
	sqlite3_finalize(ins_m);
	sqlite3_finalize(ins_r);
	sqlite3_finalize(ins_rr);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	printf("seeded %ld reports over %ld markings, %d officers in %.0f ms\n", nrep, nmk,
	       NOFFICERS, now_ms() - t0);

	if (store_open(path, &st) != STORE_OK)
		return 1;
	struct registry *reg = NULL;
	if (registry_new(st, &sch, &reg) != REGISTRY_OK)
		return 1;
	sqlite3_stmt *raw = NULL;
	sqlite3_prepare_v2(db,
	                   "SELECT r.id, r.author, r.day, r.marking_id, m.text, r.label_version,"
	                   " rr.officer"
	                   " FROM report_reader rr JOIN report r ON r.id = rr.report"
	                   " JOIN reg_marking m ON m.id = r.marking_id WHERE rr.officer = ?1"
	                   " ORDER BY rr.report DESC",
	                   -1, &raw, NULL);
	double *tl = calloc((size_t)runs, sizeof *tl), *tp = calloc((size_t)runs, sizeof *tp),
	       *tr = calloc((size_t)runs, sizeof *tr);
	if (raw == NULL || tl == NULL || tp == NULL || tr == NULL)
		return 1;
	int64_t allowed = 0, candidates = 0;
	for (long i = 0; i < runs; i++) {
		store_id who = 1 + (store_id)randombytes_uniform(NOFFICERS);
		int64_t n = 0, total = 0, page = 0;
		double a = now_ms();
		if (registry_report_list(reg, who, 0, 0, count, &n, &total) != REGISTRY_OK)
			return 1;
		double b = now_ms();
		if (registry_report_list(reg, who, 0, 50, count, &page, NULL) != REGISTRY_OK)
			return 1;
		double c = now_ms();
		sqlite3_bind_int64(raw, 1, who);
		int64_t rows = 0;
		while (sqlite3_step(raw) == SQLITE_ROW) {
			rows += sqlite3_column_int64(raw, 0) > 0;
			(void)sqlite3_column_text(raw, 4);
			(void)sqlite3_column_text(raw, 6);
		}
		sqlite3_reset(raw);
		double d = now_ms();
		tl[i] = b - a;
		tp[i] = c - b;
		tr[i] = d - c;
		allowed += n;
		candidates += rows;
	}
	qsort(tl, (size_t)runs, sizeof *tl, cmp_d);
	qsort(tp, (size_t)runs, sizeof *tp, cmp_d);
	qsort(tr, (size_t)runs, sizeof *tr, cmp_d);
	long p50 = runs / 2, p99 = (runs * 99) / 100;
	if (p99 >= runs)
		p99 = runs - 1;
	printf("per listing: %.0f candidates (on the distribution), %.0f allowed\n",
	       (double)candidates / (double)runs, (double)allowed / (double)runs);
	printf("registry_report_list, all:      p50 %7.2f ms  p99 %7.2f ms  (goal p99 < 50 ms)\n",
	       tl[p50], tl[p99]);
	printf("registry_report_list, 50/page:  p50 %7.2f ms  p99 %7.2f ms\n", tp[p50], tp[p99]);
	printf("reference, bare SQL walk:       p50 %7.2f ms  p99 %7.2f ms\n", tr[p50], tr[p99]);
	printf("ratio listing/reference p99: %.2f\n", tr[p99] > 0 ? tl[p99] / tr[p99] : 0.0);
	sqlite3_finalize(raw);
	sqlite3_close(db);
	registry_free(&reg);
	store_close(&st);
	free(tl);
	free(tp);
	free(tr);
	remove(path);
	return 0;
}
