/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "lib/codename.h"
#include "t.h"

#define NBUCKETS 48 /* 7776 = 48 x 162 */
#define NDRAWS 200000
/* chi-square, 47 degrees of freedom: P(X > 112.9) ~ 3e-7 (Wilson-Hilferty, z = 5) */
#define CHI2_LIMIT 112.9

/* Index of a word by binary search (the list is sorted); -1 if absent. */
static int32_t find(const char *w, size_t n)
{
	uint32_t lo = 0, hi = CODENAME_LIST_SIZE;
	char tmp[32];
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, w, n);
	tmp[n] = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(codename_word(mid), tmp);
		if (c == 0)
			return (int32_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Splits a generated codename into word indexes; returns the word count (max 16). */
static int indexes(const char *s, int32_t idx[16])
{
	int n = 0;
	while (*s != 0 && n < 16) {
		const char *e = strchr(s, ' ');
		size_t l = e != NULL ? (size_t)(e - s) : strlen(s);
		idx[n++] = find(s, l);
		s += l + (e != NULL ? 1 : 0);
	}
	return n;
}

static double chi2(const uint64_t counts[NBUCKETS], uint64_t total)
{
	double expect = (double)total / NBUCKETS, x = 0;
	for (int i = 0; i < NBUCKETS; i++) {
		double d = (double)counts[i] - expect;
		x += d * d / expect;
	}
	return x;
}

static void test_list(void)
{
	int sorted = 1, charset = 1;
	size_t maxlen = 0;
	for (uint32_t i = 0; i < CODENAME_LIST_SIZE; i++) {
		const char *w = codename_word(i);
		size_t l = strlen(w);
		if (l > maxlen)
			maxlen = l;
		if (l == 0 || strspn(w, "abcdefghijklmnopqrstuvwxyz-") != l)
			charset = 0;
		if (i > 0 && strcmp(codename_word(i - 1), w) >= 0)
			sorted = 0;
	}
	T_OK(sorted, "the 7776 words are distinct and sorted");
	T_OK(charset, "every word is [a-z-]+");
	T_CHECK(maxlen == CODENAME_WORD_MAX);
	T_CHECK(strcmp(codename_word(0), "abacus") == 0);
	T_CHECK(strcmp(codename_word(7775), "zoom") == 0);
	T_CHECK(codename_word(7776) == NULL);
	T_CHECK(codename_word_index("abacus", 6) == 0);
	T_CHECK(codename_word_index("zoom", 4) == 7775);
	T_CHECK(codename_word_index("yo-yo", 5) == find("yo-yo", 5) && find("yo-yo", 5) > 0);
	T_CHECK(codename_word_index("abac", 4) == -1);
	T_CHECK(codename_word_index("abacusx", 7) == -1);
	T_CHECK(codename_word_index("Abacus", 6) == -1); /* lower case only: normalize first */
	T_CHECK(codename_word_index("", 0) == -1);
	T_CHECK(codename_word_index("abdominals", 10) == -1);
	int all = 1;
	for (uint32_t i = 0; i < CODENAME_LIST_SIZE; i += 97)
		all &= codename_word_index(codename_word(i), strlen(codename_word(i))) ==
		       (int32_t)i;
	T_OK(all, "codename_word_index finds sampled words at their index");
	/* 7776^7 > 2^90: at least 90 bits */
	unsigned __int128 space = 1;
	for (int i = 0; i < CODENAME_NWORDS; i++)
		space *= CODENAME_LIST_SIZE;
	T_OK(space > ((unsigned __int128)1 << 90), "7776^7 > 2^90");
	printf("# entropy: %d x log2(%u) = %.2f bits\n", CODENAME_NWORDS, CODENAME_LIST_SIZE,
	       CODENAME_NWORDS * log2((double)CODENAME_LIST_SIZE));
}

static void test_generate(void)
{
	char cn[CODENAME_BUFSIZE], cn2[CODENAME_BUFSIZE];
	int32_t idx[16];
	T_CHECK(codename_generate(cn, sizeof cn) == CODENAME_OK);
	T_OK(indexes(cn, idx) == 7, "a codename has 7 words");
	int inlist = 1;
	for (int i = 0; i < 7; i++)
		inlist &= idx[i] >= 0;
	T_OK(inlist, "every word is in the list");
	T_OK(strstr(cn, "  ") == NULL && cn[0] != ' ' && cn[strlen(cn) - 1] != ' ',
	     "single spaces, no leading or trailing space");
	T_CHECK(codename_normalize(cn, cn2, sizeof cn2) == CODENAME_OK && strcmp(cn, cn2) == 0);
	T_CHECK(codename_generate(cn2, sizeof cn2) == CODENAME_OK && strcmp(cn, cn2) != 0);
	char small[20];
	memset(small, 'x', sizeof small);
	T_CHECK(codename_generate(small, sizeof small) == CODENAME_ERR_SPACE);
	int wiped = 1;
	for (size_t i = 0; i < sizeof small; i++)
		wiped &= small[i] == 0;
	T_OK(wiped, "a failed generate wipes the output");
	T_CHECK(codename_generate(small, 0) == CODENAME_ERR_SPACE);
}

static void test_uniform(void)
{
	static uint64_t counts[CODENAME_NWORDS][NBUCKETS], all[NBUCKETS], biased[NBUCKETS];
	char cn[CODENAME_BUFSIZE];
	int32_t idx[16];
	int ok = 1;
	for (int d = 0; d < NDRAWS && ok; d++) {
		ok = codename_generate(cn, sizeof cn) == CODENAME_OK && indexes(cn, idx) == 7;
		for (int i = 0; i < 7 && ok; i++) {
			ok = idx[i] >= 0;
			counts[i][idx[i] / 162]++;
			all[idx[i] / 162]++;
		}
	}
	T_OK(ok, "%d codenames generated and parsed", NDRAWS);
	double x = chi2(all, (uint64_t)NDRAWS * 7);
	printf("# chi-square of %d word indexes in %d buckets: %.1f (limit %.1f)\n", NDRAWS * 7,
	       NBUCKETS, x, CHI2_LIMIT);
	T_OK(x < CHI2_LIMIT, "word indexes are uniform (chi-square %.1f < %.1f)", x, CHI2_LIMIT);
	int pos_ok = 1;
	for (int i = 0; i < 7; i++) {
		double xi = chi2(counts[i], NDRAWS);
		if (xi >= CHI2_LIMIT) {
			pos_ok = 0;
			printf("# position %d: chi-square %.1f\n", i, xi);
		}
	}
	T_OK(pos_ok, "each of the 7 positions is uniform");
	/*
	 * The check has power: the same number of draws from a biased modulo
	 * (16 random bits % 7776, where indexes below 3328 are 9/8 as likely)
	 * fails it by far.
	 */
	for (int d = 0; d < NDRAWS * 7; d++)
		biased[((randombytes_random() & 0xffff) % CODENAME_LIST_SIZE) / 162]++;
	double xb = chi2(biased, (uint64_t)NDRAWS * 7);
	printf("# chi-square of a biased 16-bit modulo draw: %.1f\n", xb);
	T_OK(xb > CHI2_LIMIT, "a biased modulo draw fails the same check");
}

static void test_normalize(void)
{
	char out[CODENAME_BUFSIZE];
	const char *canon = "abacus zoom yo-yo drop-down abdomen zoology abide";
	T_CHECK(codename_normalize(canon, out, sizeof out) == CODENAME_OK &&
	        strcmp(out, canon) == 0);
	T_CHECK(codename_normalize("  Abacus   ZOOM\tyo-yo\r\nDrop-Down abdomen  zoology ABIDE \n",
	                           out, sizeof out) == CODENAME_OK &&
	        strcmp(out, canon) == 0);
	T_CHECK(codename_normalize("abacus zoom yo-yo drop-down abdomen zoology", out,
	                           sizeof out) == CODENAME_ERR_COUNT);
	T_CHECK(out[0] == 0);
	T_CHECK(codename_normalize("abacus zoom yo-yo drop-down abdomen zoology abide abide", out,
	                           sizeof out) == CODENAME_ERR_COUNT);
	T_CHECK(codename_normalize("", out, sizeof out) == CODENAME_ERR_COUNT);
	T_CHECK(codename_normalize(" \t\n ", out, sizeof out) == CODENAME_ERR_COUNT);
	T_CHECK(codename_normalize("abacus zoom yo-yo drop-down abdomen zoology abidex", out,
	                           sizeof out) == CODENAME_ERR_WORD);
	T_CHECK(out[0] == 0);
	T_CHECK(codename_normalize("qwerty zoom yo-yo drop-down abdomen zoology abide", out,
	                           sizeof out) == CODENAME_ERR_WORD);
	/* A count error wins over a word error. */
	T_CHECK(codename_normalize("qwerty zoom", out, sizeof out) == CODENAME_ERR_COUNT);
	/* Words longer than any in the list, non-ASCII, punctuation. */
	T_CHECK(codename_normalize("abacusabacus zoom yo-yo drop-down abdomen zoology abide", out,
	                           sizeof out) == CODENAME_ERR_WORD);
	T_CHECK(codename_normalize("\xc3\xa1"
	                           "bacus zoom yo-yo drop-down abdomen zoology abide",
	                           out, sizeof out) == CODENAME_ERR_WORD);
	T_CHECK(codename_normalize("abacus, zoom yo-yo drop-down abdomen zoology abide", out,
	                           sizeof out) == CODENAME_ERR_WORD);
	T_CHECK(codename_normalize("abacus zoom yo_yo drop-down abdomen zoology abide", out,
	                           sizeof out) == CODENAME_ERR_WORD);
	/* Non-breaking space is not white space: one long unknown word. */
	T_CHECK(codename_normalize("abacus\xc2\xa0zoom yo-yo drop-down abdomen zoology abide abide",
	                           out, sizeof out) == CODENAME_ERR_WORD);
	char big[CODENAME_INPUT_MAX + 2];
	memset(big, ' ', sizeof big - 1);
	big[sizeof big - 1] = 0;
	memcpy(big, canon, strlen(canon));
	T_CHECK(codename_normalize(big, out, sizeof out) == CODENAME_ERR_TOO_LONG);
	big[CODENAME_INPUT_MAX] = 0;
	T_OK(codename_normalize(big, out, sizeof out) == CODENAME_OK && strcmp(out, canon) == 0,
	     "an input of exactly %d bytes is accepted", CODENAME_INPUT_MAX);
	char small[20];
	T_CHECK(codename_normalize(canon, small, sizeof small) == CODENAME_ERR_SPACE);
	T_CHECK(codename_normalize(canon, small, 0) == CODENAME_ERR_SPACE);
	/* The longest codename fits CODENAME_BUFSIZE exactly. */
	char longest[CODENAME_BUFSIZE * 2] = "";
	const char *w9 = NULL;
	for (uint32_t i = 0; i < CODENAME_LIST_SIZE && w9 == NULL; i++)
		if (strlen(codename_word(i)) == CODENAME_WORD_MAX)
			w9 = codename_word(i);
	size_t pos = 0;
	for (int i = 0; i < 7; i++) {
		if (i > 0)
			longest[pos++] = ' ';
		memcpy(longest + pos, w9, CODENAME_WORD_MAX);
		pos += CODENAME_WORD_MAX;
	}
	longest[pos] = 0;
	T_CHECK(pos == CODENAME_MAX);
	T_CHECK(codename_normalize(longest, out, sizeof out) == CODENAME_OK &&
	        strlen(out) == CODENAME_MAX);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_list();
	test_generate();
	test_normalize();
	test_uniform();
	return t_done();
}
