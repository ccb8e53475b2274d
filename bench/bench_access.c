/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_access: the access decision and the marking parser.
 *
 *   build/bench/bench_access [SECONDS]     (default 0.5 per measurement)
 *
 * Makes 1,024 random canonical markings (uk scheme, 8 declared compartments,
 * release lists over 7 nations, a quarter NOFORN, a quarter ORCON), 64
 * officers and a distribution of 16 sorted ids per object, then measures:
 *
 *   - access_decide() per second over (officer, object) pairs, against the
 *     reference memcmp() of two equal 48-byte buffers (sizeof struct marking);
 *   - marking_parse() of the canonical strings per second, against the
 *     reference crypto_generichash (BLAKE2b-256) of the same strings.
 *
 * Both references are measured in the same run over the same data; the
 * ratios are what to compare across machines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/access/access.h"
#include "core/marking/marking.h"

#include "lib/banned.h"

#define NOBJ 1024
#define NOFF 64
#define NDIST 16

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const nations[] = {"AUS", "CAN", "DEU", "FRA", "GBR", "NZL", "USA"};

static struct marking random_marking(const struct marking_scheme *s)
{
	struct marking m;
	memset(&m, 0, sizeof m);
	m.scheme = MARKING_UK;
	m.level = (uint8_t)(rnd() % 3);
	m.compartments = rnd() & (rnd() & 0xff);
	if (rnd() % 4 == 0)
		m.flags |= MARKING_ORCON;
	uint64_t r = rnd() % 4;
	if (r == 0) {
		m.flags |= MARKING_NOFORN;
		m.release[s->country / 64] |= 1ull << (s->country % 64);
	} else if (r == 1) {
		m.flags |= MARKING_REL_ALL;
	} else {
		uint16_t c = marking_country_find(nations[rnd() % 7], 3);
		m.release[c / 64] |= 1ull << (c % 64);
		for (size_t i = 0; i < 7; i++) {
			if (rnd() % 2) {
				c = marking_country_find(nations[i], 3);
				m.release[c / 64] |= 1ull << (c % 64);
			}
		}
	}
	return m;
}

static volatile uint64_t sink;

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 0.5;
	if (secs <= 0 || secs > 60) {
		fputs("usage: bench_access [SECONDS]\n", stderr);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	struct marking_scheme s;
	struct marking_error err;
	if (marking_scheme_init(&s, MARKING_UK, "HUMINT,SIGINT,SOURCE,TK,SI,HCS,GAMMA,DELTA", "GBR",
	                        &err) != MARKING_OK) {
		fprintf(stderr, "bench_access: %s\n", err.msg);
		return 1;
	}

	static char text[NOBJ][MARKING_TEXT_MAX + 1];
	static size_t tlen[NOBJ];
	static struct access_object obj[NOBJ];
	static int64_t dist[NOBJ][NDIST];
	static struct access_subject off[NOFF];
	size_t total_len = 0;
	for (size_t i = 0; i < NOBJ; i++) {
		struct marking m = random_marking(&s);
		int n = marking_format(&s, &m, false, text[i], sizeof text[i]);
		if (n < 0)
			return 1;
		tlen[i] = (size_t)n;
		total_len += (size_t)n;
		obj[i].marking = m;
		for (size_t k = 0; k < NDIST; k++)
			dist[i][k] = (int64_t)(rnd() % (NOFF * 2)) + 1;
		access_distribution_sort(dist[i], NDIST);
		obj[i].dist = dist[i];
		obj[i].ndist = NDIST;
		obj[i].dist_unrestricted = rnd() % 4 == 0;
	}
	for (size_t i = 0; i < NOFF; i++) {
		off[i].id = (int64_t)i + 1;
		off[i].clearance.scheme = MARKING_UK;
		off[i].clearance.level = (uint8_t)(rnd() % 2 ? 2 : rnd() % 3);
		off[i].clearance.compartments = (rnd() | rnd() | rnd()) & 0xff;
		off[i].clearance.flags = MARKING_REL_ALL;
		off[i].nationality =
		        marking_country_find(rnd() % 2 ? "GBR" : nations[rnd() % 7], 3);
	}

	/* access_decide over every (officer, object) pair. */
	uint64_t decisions = 0, allowed = 0;
	double t0 = now(), t;
	do {
		for (size_t o = 0; o < NOFF; o++)
			for (size_t i = 0; i < NOBJ; i++)
				allowed += access_decide(&off[o], &obj[i], NULL) == ACCESS_ALLOW;
		decisions += (uint64_t)NOFF * NOBJ;
	} while ((t = now() - t0) < secs);
	double dec_rate = (double)decisions / t;

	/* Reference: memcmp of two equal 48-byte buffers per decision. */
	static struct marking copy[NOBJ];
	for (size_t i = 0; i < NOBJ; i++)
		copy[i] = obj[i].marking;
	struct marking *volatile copy_v = copy; /* reloaded: no hoisting out of the loop */
	uint64_t cmps = 0, eq = 0;
	t0 = now();
	do {
		for (size_t o = 0; o < NOFF; o++) {
			const struct marking *c = copy_v;
			for (size_t i = 0; i < NOBJ; i++)
				eq += memcmp(&obj[i].marking, &c[i], sizeof(struct marking)) == 0;
		}
		cmps += (uint64_t)NOFF * NOBJ;
	} while ((t = now() - t0) < secs);
	double cmp_rate = (double)cmps / t;

	/* marking_parse of the canonical strings. */
	uint64_t parses = 0, bad = 0;
	struct marking m;
	t0 = now();
	do {
		for (size_t i = 0; i < NOBJ; i++)
			bad += marking_parse(&s, text[i], tlen[i], &m, NULL) != MARKING_OK;
		parses += NOBJ;
	} while ((t = now() - t0) < secs);
	double parse_rate = (double)parses / t;
	if (bad != 0) {
		fprintf(stderr, "bench_access: %" PRIu64 " canonical markings did not parse\n",
		        bad);
		return 1;
	}

	/* Reference: BLAKE2b-256 of the same strings. */
	uint64_t hashes = 0;
	uint8_t h[32];
	t0 = now();
	do {
		for (size_t i = 0; i < NOBJ; i++) {
			crypto_generichash(h, sizeof h, (const uint8_t *)text[i], tlen[i], NULL, 0);
			sink += h[0];
		}
		hashes += NOBJ;
	} while ((t = now() - t0) < secs);
	double hash_rate = (double)hashes / t;
	sink += allowed + eq;

	printf("markings: %d objects (mean %.0f bytes canonical), %d officers, distribution %d "
	       "ids\n",
	       NOBJ, (double)total_len / NOBJ, NOFF, NDIST);
	printf("access_decide:      %12.0f decisions/s  (%.1f%% allowed)\n", dec_rate,
	       100.0 * (double)allowed / (double)decisions);
	printf("  reference memcmp: %12.0f compares/s of %zu bytes\n", cmp_rate,
	       sizeof(struct marking));
	printf("  ratio decide/memcmp: %.2f\n", dec_rate / cmp_rate);
	printf("marking_parse:      %12.0f parses/s\n", parse_rate);
	printf("  reference BLAKE2b: %11.0f hashes/s of the same strings\n", hash_rate);
	printf("  ratio parse/BLAKE2b: %.2f\n", parse_rate / hash_rate);
	return 0;
}
