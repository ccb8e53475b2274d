/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_trace: core/release copy, align and trace on the bench telegram —
 * copies differ and follow their bits; alignment reads every slot of an exact
 * copy and nearly every slot of a copy with typos, case changes, line breaks,
 * dropped and inserted words, and only the slots of an excerpt; a spelling-
 * normalised copy has its spelling classes dropped; a retyped copy names its
 * recipient and no innocent, two and three colluders put one of them first;
 * a short excerpt accuses nobody and says how much text it would need; an
 * unrelated text reads nothing. The stored records name their slot engine:
 * engine 1 still finds the telegram's 189 slots of the first releases, and a
 * copy made with them still traces to its recipient.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/align.h"
#include "core/release/copy.h"
#include "core/release/slots.h"
#include "core/release/trace.h"
#include "release_sim.h"
#include "t.h"

#include "lib/banned.h"

#define N 200
#define CAP (4u << 20)

static const uint8_t secret[32] = "test-release-instance-secret...";
static struct slots s;
static struct copy_book book;
static struct align_ref *ref;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *t = malloc(SLOTS_TEXT_MAX + 1);
	if (!f || !t)
		exit(2);
	*len = fread(t, 1, SLOTS_TEXT_MAX, f);
	fclose(f);
	t[*len] = 0;
	return t;
}

static void render(size_t i, struct buf *out)
{
	buf_reset(out);
	if (copy_render(&s, copy_book_bits(&book, i), out) != 0)
		exit(3);
}

/* Reads text; returns slots read, and counts the readings that disagree with recipient i. */
static size_t readings(const char *text, size_t i, size_t *wrong, int8_t *y)
{
	struct align_stats st;
	if (align_read(ref, text, strlen(text), y, &st) != ALIGN_OK)
		return 0;
	*wrong = 0;
	for (size_t j = 0; j < s.n; j++)
		*wrong += y[j] >= 0 && y[j] != tardos_bit(copy_book_bits(&book, i), j);
	return st.read;
}

static void copies(void)
{
	struct buf a, b;
	buf_init(&a, CAP);
	buf_init(&b, CAP);
	render(0, &a);
	render(1, &b);
	T_OK(a.len > 9000 && strcmp(buf_str(&a), buf_str(&b)) != 0,
	     "two recipients' copies differ");
	uint8_t *zero = calloc(1, book.stride);
	buf_reset(&b);
	T_CHECK(zero && copy_render(&s, zero, &b) == 0 && strstr(buf_str(&b), "{") == NULL &&
	        strstr(buf_str(&b), "Whilst the governing") != NULL);
	free(zero);
	buf_release(&a);
	buf_release(&b);
}

static void alignment(void)
{
	struct buf c, x;
	int8_t *y = malloc(s.n);
	size_t wrong;
	buf_init(&c, CAP);
	buf_init(&x, CAP);
	render(7, &c);
	size_t read = readings(buf_str(&c), 7, &wrong, y);
	T_OK(read == s.n && wrong == 0, "an exact copy: %zu of %zu slots read, %zu wrong", read,
	     s.n, wrong);
	/* case, reflow, typos, dropped/duplicated words, OCR confusions */
	struct sim_rng r = {1};
	struct sim_noise heavy = sim_retyped;
	heavy.caps = 0.2;
	heavy.newline = 0.3;
	T_CHECK(sim_retype(buf_str(&c), c.len, &r, &heavy, &x) == 0);
	read = readings(buf_str(&x), 7, &wrong, y);
	T_OK(read >= s.n * 9 / 10 && wrong <= s.n / 50, "retyped: %zu of %zu read, %zu wrong", read,
	     s.n, wrong);
	buf_reset(&x);
	struct sim_noise upper = {0};
	upper.caps = 1;
	T_CHECK(sim_retype(buf_str(&c), c.len, &r, &upper, &x) == 0);
	for (size_t i = 0; i < x.len; i++)
		if (x.data[i] >= 'a' && x.data[i] <= 'z')
			x.data[i] = (uint8_t)(x.data[i] - 32);
	read = readings(buf_str(&x), 7, &wrong, y);
	T_OK(read == s.n && wrong == 0, "all capitals: %zu read, %zu wrong", read, wrong);
	/* an excerpt reads only its own slots */
	buf_reset(&x);
	T_CHECK(sim_excerpt(buf_str(&c), c.len, 150, &r, &x) == 0);
	read = readings(buf_str(&x), 7, &wrong, y);
	T_OK(read > 5 && read < 40 && wrong == 0, "a 150-word excerpt: %zu read, %zu wrong", read,
	     wrong);
	/* words inserted in the middle of a sentence */
	buf_reset(&x);
	const char *mid = strstr(buf_str(&c), "The President");
	T_CHECK(mid && buf_append(&x, buf_str(&c), (size_t)(mid - buf_str(&c))) == BUF_OK &&
	        buf_append_str(&x, "according to our own reporter in the region ") == BUF_OK &&
	        buf_append_str(&x, mid) == BUF_OK);
	read = readings(buf_str(&x), 7, &wrong, y);
	T_OK(read >= s.n - 2 && wrong == 0, "inserted words: %zu read, %zu wrong", read, wrong);
	/* unrelated text */
	read = readings("The quick brown fox jumps over the lazy dog near the river bank today, "
	                "whilst three cats watch from a fence approximately ten metres away.",
	                7, &wrong, y);
	T_OK(read == 0, "unrelated text: %zu slots read", read);
	free(y);
	buf_release(&c);
	buf_release(&x);
}

static int trace(const char *text, struct trace_result *res)
{
	struct tardos_params prm = {N, 2, 1e-6};
	return trace_run(&s, ref, &book, &prm, text, strlen(text), res) == TRACE_OK;
}

static void tracing(void)
{
	struct buf c, d, x, z;
	struct trace_result res;
	struct sim_rng r = {9};
	buf_init(&c, CAP);
	buf_init(&d, CAP);
	buf_init(&x, CAP);
	buf_init(&z, CAP);
	size_t innocents = 0, named = 0;
	for (size_t k = 0; k < 5; k++) {
		size_t g = 10 + 37 * k;
		render(g, &c);
		buf_reset(&x);
		T_CHECK(sim_retype(buf_str(&c), c.len, &r, &sim_retyped, &x) == 0);
		T_CHECK(trace(buf_str(&x), &res));
		named += res.top[0].recipient == g + 1 && res.top[0].accused;
		for (size_t q = 0; q < res.ranked; q++)
			innocents += res.top[q].accused && res.top[q].recipient != g + 1;
	}
	T_OK(named == 5 && innocents == 0,
	     "a retyped copy names its recipient: %zu of 5, %zu innocents", named, innocents);
	T_OK(res.top[0].bound <= 1e-6 && res.top[0].agree > res.slots_read * 8 / 10 &&
	             res.threshold > 0 && res.top[1].score < res.threshold,
	     "the accused: score %.1f >= threshold %.1f, bound %.1e, %u of %zu agree",
	     res.top[0].score, res.threshold, res.top[0].bound, res.top[0].agree, res.slots_read);

	/* spelling normalised: the spelling classes look normalised and are dropped */
	buf_reset(&x);
	T_CHECK(sim_americanise(buf_str(&c), c.len, &x) == 0 && trace(buf_str(&x), &res));
	T_OK((res.dropped_classes & (1u << SLOT_BRITISH)) &&
	             (res.dropped_classes & (1u << SLOT_ISE)) && res.slots_dropped >= 20 &&
	             !(res.dropped_classes & (1u << SLOT_MARKED)),
	     "American spelling: classes 0x%x dropped, %zu slots", res.dropped_classes,
	     res.slots_dropped);

	/* two colluders mixing sentences, three taking the majority */
	size_t first2 = 0, first3 = 0;
	innocents = 0;
	for (size_t k = 0; k < 4; k++) {
		size_t a = 3 + k, b = 100 + k, e = 150 + k;
		render(a, &c);
		render(b, &d);
		buf_reset(&x);
		T_CHECK(sim_mix(buf_str(&c), buf_str(&d), &r, &x) == 0 && trace(buf_str(&x), &res));
		first2 += res.top[0].recipient == a + 1 || res.top[0].recipient == b + 1;
		for (size_t q = 0; q < res.ranked; q++)
			innocents += res.top[q].accused && res.top[q].recipient != a + 1 &&
			             res.top[q].recipient != b + 1;
		uint8_t *maj = malloc(book.stride);
		T_CHECK(maj != NULL);
		sim_majority(copy_book_bits(&book, a), copy_book_bits(&book, b),
		             copy_book_bits(&book, e), book.stride, maj);
		buf_reset(&z);
		T_CHECK(copy_render(&s, maj, &z) == 0 && trace(buf_str(&z), &res));
		first3 += res.top[0].recipient == a + 1 || res.top[0].recipient == b + 1 ||
		          res.top[0].recipient == e + 1;
		for (size_t q = 0; q < res.ranked; q++)
			innocents += res.top[q].accused && res.top[q].recipient != a + 1 &&
			             res.top[q].recipient != b + 1 && res.top[q].recipient != e + 1;
		free(maj);
	}
	T_OK(first2 == 4 && first3 == 4 && innocents == 0,
	     "collusion: a colluder ranked first %zu/4 (two), %zu/4 (three), %zu innocents", first2,
	     first3, innocents);

	/* too short to accuse: says how much more is needed */
	render(20, &c);
	buf_reset(&x);
	T_CHECK(sim_excerpt(buf_str(&c), c.len, 40, &r, &x) == 0 && trace(buf_str(&x), &res));
	T_OK(res.accused == 0 && res.words_needed > 40 && isfinite(res.words_needed),
	     "40 words accuse nobody; about %.0f would be needed", res.words_needed);
	buf_release(&c);
	buf_release(&d);
	buf_release(&x);
	buf_release(&z);
}

static void records(const char *text, size_t len)
{
	uint8_t rec[COPY_SECRET_RECORD_MAX];
	unsigned engine = 0;
	T_CHECK(copy_secret_record(secret, 1, rec) == 32 && memcmp(rec, secret, 32) == 0 &&
	        copy_secret_engine(rec, 32, &engine) == 0 && engine == 1);
	T_CHECK(copy_secret_record(secret, 2, rec) == 33 && memcmp(rec, secret, 32) == 0 &&
	        rec[32] == 2 && copy_secret_engine(rec, 33, &engine) == 0 && engine == 2);
	T_CHECK(copy_secret_record(secret, 0, rec) == 0 &&
	        copy_secret_record(secret, SLOTS_ENGINE + 1, rec) == 0);
	int bad = copy_secret_engine(rec, 31, &engine) == 0 ||
	          copy_secret_engine(rec, 34, &engine) == 0;
	for (unsigned e = 0; e < 256; e++) {
		rec[32] = (uint8_t)e;
		bad |= (copy_secret_engine(rec, 33, &engine) == 0) != (e >= 2 && e <= SLOTS_ENGINE);
	}
	T_OK(!bad, "a secret record is 32 bytes (engine 1) or 33 naming an engine >= 2");

	uint8_t *c = malloc(COPY_CHOICES_MAX(s.n));
	const uint8_t *bits = NULL;
	const uint8_t *mine = copy_book_bits(&book, 3);
	T_CHECK(c && copy_choices_record(mine, s.n, 1, c) == book.stride &&
	        copy_choices_parse(c, book.stride, s.n, &engine, &bits) == 0 && engine == 1 &&
	        memcmp(bits, mine, book.stride) == 0);
	T_CHECK(copy_choices_record(mine, s.n, 2, c) == book.stride + 1 && c[0] == 2 &&
	        copy_choices_parse(c, book.stride + 1, s.n, &engine, &bits) == 0 && engine == 2 &&
	        memcmp(bits, mine, book.stride) == 0);
	T_CHECK(copy_choices_parse(c, book.stride + 2, s.n, &engine, &bits) != 0 &&
	        copy_choices_parse(c, book.stride - 1, s.n, &engine, &bits) != 0 &&
	        copy_choices_parse(c, book.stride + 1, 0, &engine, &bits) != 0 &&
	        copy_choices_record(mine, 0, 2, c) == 0);
	c[0] = 1;
	T_OK(copy_choices_parse(c, book.stride + 1, s.n, &engine, &bits) != 0,
	     "a record with a header names an engine >= 2");
	free(c);

	/* engine 1 frozen: the first releases' slots, as bench/README.md recorded them */
	struct slots s1;
	struct slots_error err;
	size_t n[SLOT_CLASSES];
	T_CHECK(slots_find_engine(text, len, 1, &s1, &err) == SLOTS_OK);
	slots_count(&s1, n);
	T_OK(s1.n == 189 && n[SLOT_MARKED] == 98 && n[SLOT_SYNONYM] == 40 && n[SLOT_NUMBER] == 15 &&
	             n[SLOT_BRITISH] == 14 && n[SLOT_PERCENT] == 6 && n[SLOT_ISE] == 5 &&
	             n[SLOT_OUR] == 4 && n[SLOT_SERIAL] == 4 && n[SLOT_HYPHEN] == 3 &&
	             n[SLOT_THAT] == 0 && n[SLOT_COMMA] == 0,
	     "engine 1 finds the telegram's 189 slots (%zu)", s1.n);
	T_OK(s.n > s1.n && s.engine == SLOTS_ENGINE, "engine %u finds more (%zu)", s.engine, s.n);
	/* a copy made with engine 1 traces with engine 1's slots */
	struct copy_book b1;
	struct align_ref *r1 = NULL;
	struct buf x;
	struct trace_result res;
	buf_init(&x, CAP);
	T_CHECK(copy_book_make(&b1, secret, 43, 2, 1, s1.n, book.ids, N) == 0 &&
	        align_ref_make(&s1, &r1) == ALIGN_OK &&
	        copy_render(&s1, copy_book_bits(&b1, 17), &x) == 0);
	struct tardos_params params = {N, 2, 1e-6};
	T_OK(trace_run(&s1, r1, &b1, &params, buf_str(&x), x.len, &res) == TRACE_OK &&
	             res.accused == 1 && res.top[0].recipient == b1.ids[17] &&
	             res.slots_read == 189,
	     "an engine-1 copy traces to its recipient with engine 1's slots");
	buf_release(&x);
	align_ref_free(&r1);
	copy_book_free(&b1);
	slots_free(&s1);
}

/* Engine 3's slots read back from a copy: list orders, contractions, day ordinals. */
static void engine3_read(void)
{
	static const char t3[] =
	        "The ministers of [[France; Germany; Italy; Spain]] met on 14 March. They did not "
	        "agree. The envoys of [[Poland; Austria; Hungary]] could not attend on 2 April, "
	        "and the talks with [[the embassy; the consulate]] will not resume before 23 May.";
	struct slots s3;
	struct slots_error err;
	struct copy_book b3;
	struct align_ref *r3 = NULL;
	uint64_t id[4] = {1, 2, 3, 4};
	T_CHECK(slots_find(t3, sizeof t3 - 1, &s3, &err) == SLOTS_OK);
	size_t n[SLOT_CLASSES];
	slots_count(&s3, n);
	T_OK(n[SLOT_ORDER] == 4 && n[SLOT_CONTRACTION] == 3 && n[SLOT_DATE] == 3,
	     "engine 3: %zu order, %zu contraction, %zu date slots", n[SLOT_ORDER],
	     n[SLOT_CONTRACTION], n[SLOT_DATE]);
	T_CHECK(copy_book_make(&b3, secret, 42, 2, SLOTS_ENGINE, s3.n, id, 4) == 0 &&
	        align_ref_make(&s3, &r3) == ALIGN_OK);
	size_t bad = 0;
	int8_t y[64];
	for (size_t i = 0; i < 4 && s3.n <= sizeof y; i++) {
		struct buf c;
		struct align_stats st;
		buf_init(&c, CAP);
		if (copy_render(&s3, copy_book_bits(&b3, i), &c) != 0)
			exit(3);
		for (size_t k = 0; k < c.len; k++) /* retyped in lower case */
			if (c.data[k] >= 'A' && c.data[k] <= 'Z')
				c.data[k] = (uint8_t)(c.data[k] + 32);
		if (align_read(r3, buf_str(&c), c.len, y, &st) != ALIGN_OK || st.read != s3.n)
			bad++;
		for (size_t j = 0; j < s3.n; j++)
			bad += y[j] != tardos_bit(copy_book_bits(&b3, i), j);
		buf_release(&c);
	}
	T_OK(bad == 0, "every engine 3 slot of four copies read back (%zu wrong)", bad);
	align_ref_free(&r3);
	copy_book_free(&b3);
	slots_free(&s3);
}

int main(void)
{
	size_t len;
	char *text = slurp(CUTOUT_BENCH_DATA "/telegram.txt", &len);
	struct slots_error err;
	uint64_t ids[N];
	for (size_t i = 0; i < N; i++)
		ids[i] = i + 1;
	if (slots_find(text, len, &s, &err) != SLOTS_OK ||
	    copy_book_make(&book, secret, 42, 2, SLOTS_ENGINE, s.n, ids, N) != 0 ||
	    align_ref_make(&s, &ref) != ALIGN_OK)
		return 2;
	copies();
	alignment();
	tracing();
	records(text, len);
	engine3_read();
	align_ref_free(&ref);
	copy_book_free(&book);
	slots_free(&s);
	free(text);
	return t_done();
}
