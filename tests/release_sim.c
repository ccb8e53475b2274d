/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release_sim: the leak simulators (release_sim.h).
 */
#include <string.h>

#include "release_sim.h"

#include "lib/banned.h"

const struct sim_noise sim_retyped = {
        .typo = 0.02,
        .drop = 0.01,
        .dup = 0.005,
        .comma = 0.10,
        .caps = 0.02,
        .newline = 0.08,
        .ocr = 0.005,
};

uint64_t sim_next(struct sim_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double sim_unif(struct sim_rng *r)
{
	return (double)(sim_next(r) >> 11) * 0x1.0p-53;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* One typo in w[0..*n) (capacity 256). */
static void typo(char *w, size_t *n, struct sim_rng *r)
{
	size_t letters = 0;
	for (size_t i = 0; i < *n; i++)
		letters += is_alpha(w[i]);
	if (!letters)
		return;
	size_t k = sim_next(r) % letters, i = 0;
	for (;; i++)
		if (is_alpha(w[i]) && k-- == 0)
			break;
	char c = (char)('a' + sim_next(r) % 26);
	switch (sim_next(r) % 4) {
	case 0:
		w[i] = c;
		break;
	case 1:
		if (*n > 1) {
			memmove(w + i, w + i + 1, *n - i - 1);
			(*n)--;
		}
		break;
	case 2:
		if (*n < 255) {
			memmove(w + i + 1, w + i, *n - i);
			w[i] = c;
			(*n)++;
		}
		break;
	default:
		if (i + 1 < *n && is_alpha(w[i + 1])) {
			char t = w[i];
			w[i] = w[i + 1];
			w[i + 1] = t;
		}
	}
}

static void ocr(char *w, size_t *n, struct sim_rng *r)
{
	static const char *const from[] = {"m", "rn", "l", "o"}, *const to[] = {"rn", "m", "1",
	                                                                        "0"};
	size_t k = sim_next(r) % 4, fl = strlen(from[k]), tl = strlen(to[k]);
	for (size_t i = 0; i + fl <= *n; i++)
		if (memcmp(w + i, from[k], fl) == 0 && *n - fl + tl < 256) {
			memmove(w + i + tl, w + i + fl, *n - i - fl);
			memcpy(w + i, to[k], tl);
			*n = *n - fl + tl;
			return;
		}
}

int sim_retype(const char *in, size_t len, struct sim_rng *r, const struct sim_noise *nz,
               struct buf *out)
{
	int first = 1;
	for (size_t i = 0; i < len;) {
		while (i < len && space(in[i]))
			i++;
		size_t s = i;
		while (i < len && !space(in[i]))
			i++;
		if (i == s)
			break;
		char w[256];
		size_t n = i - s < 200 ? i - s : 200;
		memcpy(w, in + s, n);
		if (sim_unif(r) < nz->drop)
			continue;
		int times = sim_unif(r) < nz->dup ? 2 : 1;
		if (sim_unif(r) < nz->typo)
			typo(w, &n, r);
		if (sim_unif(r) < nz->ocr)
			ocr(w, &n, r);
		if (sim_unif(r) < nz->caps && is_alpha(w[0]))
			w[0] = (char)(w[0] ^ 0x20);
		if (n && w[n - 1] == ',' && sim_unif(r) < nz->comma)
			n--;
		else if (n && is_alpha(w[n - 1]) && sim_unif(r) < nz->comma / 4)
			w[n++] = ',';
		for (int t = 0; t < times; t++) {
			if (!first &&
			    buf_append_byte(out, sim_unif(r) < nz->newline ? '\n' : ' ') != BUF_OK)
				return -1;
			if (buf_append(out, w, n) != BUF_OK)
				return -1;
			first = 0;
		}
	}
	return 0;
}

/* Words a spelling checker set to American English changes. */
static const char *const us_words[][2] = {
        {"whilst", "while"},        {"amongst", "among"},      {"towards", "toward"},
        {"centre", "center"},       {"centres", "centers"},    {"centred", "centered"},
        {"defence", "defense"},     {"offence", "offense"},    {"programme", "program"},
        {"programmes", "programs"}, {"travelled", "traveled"}, {"cancelled", "canceled"},
        {"judgement", "judgment"},  {"analyse", "analyze"},    {"analysed", "analyzed"},
        {"paralysed", "paralyzed"}, {"catalogue", "catalog"},  {"grey", "gray"},
        {"labelled", "labeled"},    {"modelling", "modeling"}, {"signalled", "signaled"},
        {"fulfil", "fulfill"},      {"manoeuvre", "maneuver"}, {"theatre", "theater"},
};
static const char *const our_stems[] = {"behaviour", "favour", "honour",    "labour",  "neighbour",
                                        "colour",    "rumour", "endeavour", "harbour", "vigour",
                                        "humour",    "armour", "valour"};
static const char *const ise_keep[] = {
        "advise",    "revise",   "comprise",  "supervise",  "exercise",  "compromise",  "surprise",
        "otherwise", "likewise", "wise",      "rise",       "arise",     "precise",     "concise",
        "promise",   "premise",  "expertise", "enterprise", "franchise", "merchandise", "despise",
        "disguise",  "devise",   "televise",  "improvise",  "noise",     "raise",       "praise",
        "poise",     "cruise",   "bruise",    "chastise",   "incise",    "excise",      "demise",
        "paradise",  "treatise", "clockwise", "anise",      "apprise",   "circumcise",  "exorcise"};

static void set_case(char *dst, const char *src_word, size_t n)
{
	if (n && src_word[0] >= 'A' && src_word[0] <= 'Z' && dst[0] >= 'a' && dst[0] <= 'z')
		dst[0] = (char)(dst[0] - 32);
}

/* The American spelling of the lowercase word w (n bytes) into o; 0 if unchanged. */
static size_t americanise_word(const char *w, size_t n, char *o)
{
	for (size_t k = 0; k < sizeof us_words / sizeof *us_words; k++)
		if (strlen(us_words[k][0]) == n && memcmp(w, us_words[k][0], n) == 0) {
			size_t l = strlen(us_words[k][1]);
			memcpy(o, us_words[k][1], l);
			return l;
		}
	for (size_t k = 0; k < sizeof our_stems / sizeof *our_stems; k++) {
		size_t l = strlen(our_stems[k]);
		if (n >= l && memcmp(w, our_stems[k], l) == 0) {
			/* behaviour|al -> behavior|al: drop the u */
			memcpy(o, w, l - 2);
			memcpy(o + l - 2, w + l - 1, n - l + 1);
			return n - 1;
		}
	}
	static const char *const sfx[][2] = {{"isations", "izations"}, {"isation", "ization"},
	                                     {"ising", "izing"},       {"ised", "ized"},
	                                     {"ises", "izes"},         {"ise", "ize"}};
	for (size_t k = 0; k < sizeof sfx / sizeof *sfx; k++) {
		size_t l = strlen(sfx[k][0]);
		if (n < l + 3 || memcmp(w + n - l, sfx[k][0], l) != 0)
			continue;
		char base[64];
		size_t bl = n - l;
		if (bl + 3 >= sizeof base)
			return 0;
		memcpy(base, w, bl);
		memcpy(base + bl, "ise", 3);
		for (size_t q = 0; q < sizeof ise_keep / sizeof *ise_keep; q++) {
			size_t ql = strlen(ise_keep[q]);
			if (ql == bl + 3 && memcmp(base, ise_keep[q], ql) == 0)
				return 0;
		}
		memcpy(o, w, n);
		memcpy(o + n - l, sfx[k][1], l);
		return n;
	}
	if (n >= 5 && memcmp(w + n - 4, "yses", 4) != 0 && (memcmp(w + n - 3, "yse", 3) == 0)) {
		memcpy(o, w, n);
		o[n - 2] = 'z';
		return n;
	}
	return 0;
}

int sim_americanise(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len;) {
		if (!is_alpha(in[i])) {
			if (buf_append_byte(out, (uint8_t)in[i]) != BUF_OK)
				return -1;
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && (is_alpha(in[i]) || in[i] == '-'))
			i++;
		char low[64], am[80];
		size_t n = i - s, l = 0;
		if (n < sizeof low) {
			for (size_t k = 0; k < n; k++)
				low[k] = (char)(in[s + k] | 0x20);
			l = americanise_word(low, n, am);
		}
		/* "per cent" -> "percent" */
		if (n == 3 && memcmp(low, "per", 3) == 0 && i + 5 <= len && in[i] == ' ' &&
		    memcmp(in + i + 1, "cent", 4) == 0 && (i + 5 == len || !is_alpha(in[i + 5]))) {
			memcpy(am, low, 3);
			memcpy(am + 3, "cent", 4);
			l = 7;
			i += 5;
		}
		if (l) {
			set_case(am, in + s, l);
			if (buf_append(out, am, l) != BUF_OK)
				return -1;
		} else if (buf_append(out, in + s, n) != BUF_OK) {
			return -1;
		}
	}
	return 0;
}

int sim_excerpt(const char *in, size_t len, size_t words, struct sim_rng *r, struct buf *out)
{
	size_t total = 0;
	for (size_t i = 0; i < len; i++)
		total += !space(in[i]) && (i == 0 || space(in[i - 1]));
	if (words == 0 || words >= total)
		return buf_append(out, in, len) == BUF_OK ? 0 : -1;
	size_t start = sim_next(r) % (total - words + 1), w = 0, from = len, to = len;
	for (size_t i = 0; i < len; i++) {
		if (!space(in[i]) && (i == 0 || space(in[i - 1]))) {
			if (w == start)
				from = i;
			if (w == start + words) {
				to = i;
				break;
			}
			w++;
		}
	}
	return buf_append(out, in + from, to - from) == BUF_OK ? 0 : -1;
}

/* The end of the sentence starting at i: after ". ", "? ", "! " or a blank line. */
static size_t sentence_end(const char *s, size_t len, size_t i)
{
	for (; i < len; i++)
		if ((s[i] == '.' || s[i] == '?' || s[i] == '!' || s[i] == ';') && i + 1 < len &&
		    space(s[i + 1]))
			return i + 1;
	return len;
}

int sim_mix(const char *a, const char *b, struct sim_rng *r, struct buf *out)
{
	size_t la = strlen(a), lb = strlen(b), ia = 0, ib = 0;
	while (ia < la || ib < lb) {
		size_t ea = sentence_end(a, la, ia), eb = sentence_end(b, lb, ib);
		int pick = sim_next(r) & 1;
		if (ia >= la)
			pick = 1;
		if (ib >= lb)
			pick = 0;
		if (buf_append(out, pick ? b + ib : a + ia, pick ? eb - ib : ea - ia) != BUF_OK)
			return -1;
		ia = ea;
		ib = eb;
	}
	return 0;
}

void sim_majority(const uint8_t *a, const uint8_t *b, const uint8_t *c, size_t bytes, uint8_t *out)
{
	for (size_t i = 0; i < bytes; i++)
		out[i] = (uint8_t)((a[i] & b[i]) | (a[i] & c[i]) | (b[i] & c[i]));
}
