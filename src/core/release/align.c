/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * align: tokens, the report's reference and the local alignment (align.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/release/align.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define TOK_MAX 32
#define VARIANT_TOKENS_MAX 128
#define ALIGNMENTS_MAX 256
#define MIN_SCORE 16 /* four exact words */

/* Scores of the alignment. */
enum {
	S_EXACT = 4,
	S_COMMA = 2,
	S_ONE_EDIT = 2,
	S_TWO_EDITS = 1,
	S_MISMATCH = -3,
	S_GAP = -2,
	S_GAP_COMMA = -1,
};

struct tok {
	char s[TOK_MAX];
	uint8_t len;
	uint8_t comma;
};

struct toks {
	struct tok *t;
	size_t n, alloc;
};

struct item {
	int32_t vid;  /* literal: the word's vocabulary id; -1 for a slot */
	int32_t slot; /* slot: its index */
};

struct align_ref {
	struct item *items;
	size_t n_items;
	size_t n_slots;
	int32_t *var; /* variant tokens' ids */
	size_t *var_off[2];
	uint8_t *var_len[2];
	struct tok *vocab;
	size_t n_vocab, vocab_alloc;
	int32_t *hash; /* open addressing, vocab ids, -1 empty */
	size_t hash_size;
	int32_t comma_vid;
};

static int tok_push(struct toks *ts, const struct tok *t)
{
	if (ts->n == ts->alloc) {
		size_t na = ts->alloc ? ts->alloc * 2 : 256;
		if (na > ALIGN_TEXT_MAX)
			return -1;
		struct tok *p = realloc(ts->t, na * sizeof *p);
		if (!p)
			return -1;
		ts->t = p;
		ts->alloc = na;
	}
	ts->t[ts->n++] = *t;
	return 0;
}

static int separator(uint32_t cp)
{
	return (cp >= 0x2000 && cp <= 0x206f) || (cp >= 0xa0 && cp <= 0xbf) || cp == 0xd7 ||
	       cp == 0xf7 || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0x27e6 && cp <= 0x27ef);
}

/* Ends the word in cur: trailing hyphens dropped, rn folded to m. */
static int flush(struct toks *ts, struct tok *cur)
{
	while (cur->len && cur->s[cur->len - 1] == '-')
		cur->len--;
	if (!cur->len)
		return 0;
	uint8_t o = 0;
	for (uint8_t i = 0; i < cur->len; i++) {
		if (cur->s[i] == 'r' && i + 1 < cur->len && cur->s[i + 1] == 'n') {
			cur->s[o++] = 'm';
			i++;
		} else {
			cur->s[o++] = cur->s[i];
		}
	}
	cur->len = o;
	int r = tok_push(ts, cur);
	cur->len = 0;
	return r;
}

static void add_byte(struct tok *cur, char c)
{
	if (cur->len < TOK_MAX)
		cur->s[cur->len++] = c;
}

/* The tokens of text[0..len), appended to ts. 0, or -1 (no memory, too many). */
static int tokenize(const char *text, size_t len, struct toks *ts)
{
	struct tok cur = {0};
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode((const uint8_t *)text + i, len - i, &cp);
		if (k == 0) {
			k = 1;
			cp = ' ';
		}
		if (cp >= 'A' && cp <= 'Z') {
			add_byte(&cur, (char)(cp + 32));
		} else if ((cp >= 'a' && cp <= 'z') || (cp >= '2' && cp <= '9')) {
			add_byte(&cur, (char)cp);
		} else if (cp == '1' || cp == '0') {
			add_byte(&cur, cp == '1' ? 'l' : 'o');
		} else if (cp == '-' && cur.len) {
			add_byte(&cur, '-');
		} else if (cp == '\'' || cp == 0x2019 || cp == 0x2018) {
			/* dropped: "don't" is "dont" */
		} else if (cp >= 0x80 && !separator(cp)) {
			for (size_t j = 0; j < k; j++)
				add_byte(&cur, text[i + j]);
		} else {
			if (flush(ts, &cur) != 0)
				return -1;
			if (cp == ',') {
				struct tok c = {.s = ",", .len = 1, .comma = 1};
				if (tok_push(ts, &c) != 0)
					return -1;
			}
		}
		i += k;
	}
	return flush(ts, &cur);
}

static uint64_t tok_hash(const struct tok *t)
{
	uint64_t h = 1469598103934665603ull;
	for (uint8_t i = 0; i < t->len; i++)
		h = (h ^ (uint8_t)t->s[i]) * 1099511628211ull;
	return h;
}

static int32_t vocab_find(const struct align_ref *r, const struct tok *t)
{
	size_t mask = r->hash_size - 1;
	for (size_t h = tok_hash(t) & mask;; h = (h + 1) & mask) {
		int32_t v = r->hash[h];
		if (v < 0)
			return -1;
		if (r->vocab[v].len == t->len && memcmp(r->vocab[v].s, t->s, t->len) == 0)
			return v;
	}
}

static int32_t vocab_add(struct align_ref *r, const struct tok *t)
{
	int32_t v = vocab_find(r, t);
	if (v >= 0)
		return v;
	if (r->n_vocab * 2 >= r->hash_size) {
		size_t ns = r->hash_size * 2;
		int32_t *nh = malloc(ns * sizeof *nh);
		if (!nh)
			return -1;
		memset(nh, 0xff, ns * sizeof *nh);
		for (size_t i = 0; i < r->n_vocab; i++) {
			size_t h = tok_hash(&r->vocab[i]) & (ns - 1);
			while (nh[h] >= 0)
				h = (h + 1) & (ns - 1);
			nh[h] = (int32_t)i;
		}
		free(r->hash);
		r->hash = nh;
		r->hash_size = ns;
	}
	if (r->n_vocab == r->vocab_alloc) {
		size_t na = r->vocab_alloc ? r->vocab_alloc * 2 : 512;
		struct tok *p = realloc(r->vocab, na * sizeof *p);
		if (!p)
			return -1;
		r->vocab = p;
		r->vocab_alloc = na;
	}
	r->vocab[r->n_vocab] = *t;
	size_t h = tok_hash(t) & (r->hash_size - 1);
	while (r->hash[h] >= 0)
		h = (h + 1) & (r->hash_size - 1);
	r->hash[h] = (int32_t)r->n_vocab;
	return (int32_t)r->n_vocab++;
}

static int wordish(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '\'' || (unsigned char)c >= 0x80;
}

static int push_item(struct align_ref *r, size_t *alloc, int32_t vid, int32_t slot)
{
	if (vid < 0 && slot < 0)
		return -1;
	if (r->n_items == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 1024;
		struct item *p = realloc(r->items, na * sizeof *p);
		if (!p)
			return -1;
		r->items = p;
		*alloc = na;
	}
	r->items[r->n_items++] = (struct item){vid, slot};
	return 0;
}

static int literal_items(struct align_ref *r, size_t *alloc, const char *s, size_t n)
{
	struct toks ts = {0};
	int rc = tokenize(s, n, &ts);
	for (size_t i = 0; rc == 0 && i < ts.n; i++)
		rc = push_item(r, alloc, vocab_add(r, &ts.t[i]), -1);
	free(ts.t);
	return rc;
}

static int variant_tokens(struct align_ref *r, size_t *var_n, size_t *var_alloc, size_t k, int v,
                          const char *left, size_t ll, const char *alt, size_t al,
                          const char *right, size_t rl)
{
	struct toks ts = {0};
	char tmp[3 * 1024];
	int rc = -1;
	if (ll + al + rl > sizeof tmp)
		goto out; /* partial words are bounded by the token size */
	memcpy(tmp, left, ll);
	memcpy(tmp + ll, alt, al);
	memcpy(tmp + ll + al, right, rl);
	if (tokenize(tmp, ll + al + rl, &ts) != 0 || ts.n > VARIANT_TOKENS_MAX)
		goto out;
	if (*var_n + ts.n > *var_alloc) {
		size_t na = (*var_alloc + ts.n) * 2;
		int32_t *p = realloc(r->var, na * sizeof *p);
		if (!p)
			goto out;
		r->var = p;
		*var_alloc = na;
	}
	r->var_off[v][k] = *var_n;
	r->var_len[v][k] = (uint8_t)ts.n;
	for (size_t i = 0; i < ts.n; i++) {
		int32_t id = vocab_add(r, &ts.t[i]);
		if (id < 0)
			goto out;
		r->var[(*var_n)++] = id;
	}
	rc = 0;
out:
	free(ts.t);
	return rc;
}

enum align_result align_ref_make(const struct slots *s, struct align_ref **out)
{
	struct align_ref *r = calloc(1, sizeof *r);
	size_t alloc = 0, var_n = 0, var_alloc = 0, pos = 0;
	*out = NULL;
	if (!r)
		return ALIGN_NOMEM;
	r->n_slots = s->n;
	r->hash_size = 1024;
	r->hash = malloc(r->hash_size * sizeof *r->hash);
	for (int v = 0; v < 2; v++) {
		r->var_off[v] = calloc(s->n + 1, sizeof *r->var_off[v]);
		r->var_len[v] = calloc(s->n + 1, 1);
	}
	if (!r->hash || !r->var_off[0] || !r->var_off[1] || !r->var_len[0] || !r->var_len[1])
		goto fail;
	memset(r->hash, 0xff, r->hash_size * sizeof *r->hash);
	struct tok comma = {.s = ",", .len = 1, .comma = 1};
	if ((r->comma_vid = vocab_add(r, &comma)) < 0)
		goto fail;
	for (size_t k = 0; k < s->n; k++) {
		size_t at = s->s[k].at, lo = at, hi = at;
		size_t next = k + 1 < s->n ? s->s[k + 1].at : s->lit_len;
		while (lo > pos && at - lo < TOK_MAX && wordish(s->lit[lo - 1]))
			lo--;
		while (hi < next && hi - at < TOK_MAX && wordish(s->lit[hi]))
			hi++;
		if (literal_items(r, &alloc, s->lit + pos, lo - pos) != 0)
			goto fail;
		for (int v = 0; v < 2; v++)
			if (variant_tokens(r, &var_n, &var_alloc, k, v, s->lit + lo, at - lo,
			                   s->s[k].alt[v], s->s[k].len[v], s->lit + at,
			                   hi - at) != 0)
				goto fail;
		if (push_item(r, &alloc, -1, (int32_t)k) != 0)
			goto fail;
		pos = hi;
	}
	if (literal_items(r, &alloc, s->lit + pos, s->lit_len - pos) != 0)
		goto fail;
	*out = r;
	return ALIGN_OK;
fail:
	align_ref_free(&r);
	return ALIGN_NOMEM;
}

void align_ref_free(struct align_ref **rp)
{
	struct align_ref *r = rp ? *rp : NULL;
	if (!r)
		return;
	free(r->items);
	free(r->var);
	for (int v = 0; v < 2; v++) {
		free(r->var_off[v]);
		free(r->var_len[v]);
	}
	free(r->vocab);
	free(r->hash);
	free(r);
	*rp = NULL;
}

/* Optimal string alignment distance, or 3 when over 2. */
static int edits(const struct tok *a, const struct tok *b)
{
	int la = a->len, lb = b->len, d[TOK_MAX + 1][TOK_MAX + 1];
	if (la - lb > 2 || lb - la > 2)
		return 3;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int rowmin = 99;
		for (int j = 1; j <= lb; j++) {
			int c = a->s[i - 1] != b->s[j - 1];
			int v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a->s[i - 1] == b->s[j - 2] &&
			    a->s[i - 2] == b->s[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > 2)
			return 3;
	}
	return d[la][lb] > 2 ? 3 : d[la][lb];
}

/* The leaked text's tokens with their matches in the report's vocabulary. */
struct leak {
	struct toks ts;
	int32_t *exact;   /* vocab id or -1 */
	size_t *near_off; /* into near[] */
	uint8_t *near_n;
	int32_t *near; /* pairs (vid, score) */
	size_t near_len, near_alloc;
};

#define NEAR_MAX 16

static int leak_prepare(const struct align_ref *r, struct leak *lk)
{
	size_t n = lk->ts.n;
	lk->exact = malloc((n + 1) * sizeof *lk->exact);
	lk->near_off = malloc((n + 1) * sizeof *lk->near_off);
	lk->near_n = calloc(n + 1, 1);
	if (!lk->exact || !lk->near_off || !lk->near_n)
		return -1;
	for (size_t j = 0; j < n; j++) {
		const struct tok *t = &lk->ts.t[j];
		lk->exact[j] = vocab_find(r, t);
		lk->near_off[j] = lk->near_len;
		if (t->comma || t->len < 4)
			continue;
		/* the same word earlier: reuse its list */
		for (size_t q = j; q-- > 0 && j - q < 64;)
			if (lk->ts.t[q].len == t->len && memcmp(lk->ts.t[q].s, t->s, t->len) == 0) {
				lk->near_off[j] = lk->near_off[q];
				lk->near_n[j] = lk->near_n[q];
				goto next;
			}
		for (size_t v = 0; v < r->n_vocab && lk->near_n[j] < NEAR_MAX; v++) {
			const struct tok *w = &r->vocab[v];
			if ((int32_t)v == lk->exact[j] || w->len < 4)
				continue;
			int e = edits(t, w);
			int sc = e == 1                                 ? S_ONE_EDIT
			         : e == 2 && t->len >= 7 && w->len >= 7 ? S_TWO_EDITS
			                                                : 0;
			if (!sc)
				continue;
			if (lk->near_len + 2 > lk->near_alloc) {
				size_t na = lk->near_alloc ? lk->near_alloc * 2 : 256;
				int32_t *p = realloc(lk->near, na * sizeof *p);
				if (!p)
					return -1;
				lk->near = p;
				lk->near_alloc = na;
			}
			lk->near[lk->near_len++] = (int32_t)v;
			lk->near[lk->near_len++] = sc;
			lk->near_n[j]++;
		}
	next:;
	}
	return 0;
}

static int sim(const struct align_ref *r, const struct leak *lk, int32_t vid, size_t j)
{
	if (lk->exact[j] == vid)
		return vid == r->comma_vid ? S_COMMA : S_EXACT;
	if (lk->near_n[j] == 0)
		return S_MISMATCH;
	const int32_t *p = lk->near + lk->near_off[j];
	for (uint8_t k = 0; k < lk->near_n[j]; k++)
		if (p[2 * k] == vid)
			return p[2 * k + 1];
	return S_MISMATCH;
}

static int gap(const struct align_ref *r, int32_t vid)
{
	return vid == r->comma_vid ? S_GAP_COMMA : S_GAP;
}

/* The score of variant v of slot k against leaked tokens from j (INT32_MIN/2 if past the end). */
static int variant_score(const struct align_ref *r, const struct leak *lk, size_t k, int v,
                         size_t j, size_t end)
{
	size_t l = r->var_len[v][k];
	int s = 0;
	if (j + l > end)
		return INT32_MIN / 2;
	for (size_t q = 0; q < l; q++)
		s += sim(r, lk, r->var[r->var_off[v][k] + q], j + q);
	return s;
}

struct dp {
	int32_t *prev, *cur;
	uint8_t *tb;
};

/* One local alignment over leaked tokens [a, b); returns its score and span. */
static enum align_result align_once(const struct align_ref *r, const struct leak *lk, size_t a,
                                    size_t b, int8_t *y, struct align_stats *st, size_t *span_from,
                                    size_t *span_to, int *score)
{
	size_t L = b - a, R = r->n_items, W = L + 1;
	*score = 0;
	if (R == 0 || L == 0)
		return ALIGN_OK;
	if ((R + 1) > ALIGN_CELLS_MAX / W)
		return ALIGN_TOO_LARGE;
	struct dp d = {malloc(W * sizeof(int32_t)), malloc(W * sizeof(int32_t)),
	               malloc((R + 1) * W)};
	enum align_result rc = ALIGN_NOMEM;
	if (!d.prev || !d.cur || !d.tb)
		goto out;
	memset(d.prev, 0, W * sizeof(int32_t));
	memset(d.tb, 0, W);
	int best = 0;
	size_t bi = 0, bj = 0;
	for (size_t i = 1; i <= R; i++) {
		const struct item *it = &r->items[i - 1];
		uint8_t *tb = d.tb + i * W;
		d.cur[0] = 0;
		tb[0] = 0;
		for (size_t j = 1; j <= L; j++) {
			int h = 0, c = 0, x;
			if (it->slot < 0) {
				if ((x = d.prev[j - 1] + sim(r, lk, it->vid, a + j - 1)) > h)
					h = x, c = 1;
				if ((x = d.prev[j] + gap(r, it->vid)) > h)
					h = x, c = 3;
			} else {
				size_t k = (size_t)it->slot;
				for (int v = 0; v < 2; v++) {
					size_t l = r->var_len[v][k];
					if (l > j)
						continue;
					x = d.prev[j - l] +
					    variant_score(r, lk, k, v, a + j - l, b);
					if (x > h)
						h = x, c = 1 + v;
				}
				size_t l0 = r->var_len[0][k], l1 = r->var_len[1][k];
				size_t lm = l0 < l1 ? l0 : l1;
				if ((x = d.prev[j] + S_GAP * (int)(lm ? lm : 1)) > h)
					h = x, c = 3;
			}
			int32_t lv = lk->exact[a + j - 1];
			if ((x = d.cur[j - 1] + (lv == r->comma_vid ? S_GAP_COMMA : S_GAP)) > h)
				h = x, c = 4;
			d.cur[j] = h;
			tb[j] = (uint8_t)c;
			if (h > best)
				best = h, bi = i, bj = j;
		}
		int32_t *t = d.prev;
		d.prev = d.cur;
		d.cur = t;
	}
	*score = best;
	rc = ALIGN_OK;
	if (best < MIN_SCORE)
		goto out;
	size_t i = bi, j = bj;
	*span_to = a + bj;
	while (i > 0 && j > 0) {
		uint8_t c = d.tb[i * W + j];
		const struct item *it = &r->items[i - 1];
		if (c == 0)
			break;
		if (c == 4) {
			j--;
			continue;
		}
		if (c == 3) {
			if (it->slot >= 0)
				st->erased++;
			i--;
			continue;
		}
		if (it->slot < 0) {
			/* count the leaked token (a report word may align to a comma) */
			st->aligned += lk->exact[a + j - 1] != r->comma_vid;
			i--;
			j--;
			continue;
		}
		size_t k = (size_t)it->slot;
		int v = c - 1;
		size_t l = r->var_len[v][k], js = a + j - l;
		int sv = variant_score(r, lk, k, v, js, b), so = variant_score(r, lk, k, !v, js, b);
		int8_t read = sv > so && (l == 0 || sv >= S_ONE_EDIT * (int)l) ? (int8_t)v : -1;
		if (read < 0)
			st->erased++;
		else if (y[k] == -1)
			y[k] = read;
		else if (y[k] != read)
			y[k] = -2; /* read twice, differently */
		for (size_t q = 0; q < l; q++)
			st->aligned += lk->exact[js + q] != r->comma_vid;
		i--;
		j -= l;
	}
	*span_from = a + j;
out:
	free(d.prev);
	free(d.cur);
	free(d.tb);
	return rc;
}

enum align_result align_read(const struct align_ref *r, const char *text, size_t len, int8_t *y,
                             struct align_stats *st)
{
	struct leak lk = {0};
	size_t stack[2 * ALIGNMENTS_MAX + 2], sp = 0, runs = 0;
	enum align_result rc = ALIGN_NOMEM;
	memset(st, 0, sizeof *st);
	memset(y, 0xff, r->n_slots);
	if (len > ALIGN_TEXT_MAX)
		return ALIGN_TOO_LARGE;
	if (tokenize(text, len, &lk.ts) != 0 || leak_prepare(r, &lk) != 0)
		goto out;
	for (size_t j = 0; j < lk.ts.n; j++)
		st->words += !lk.ts.t[j].comma;
	stack[sp++] = 0;
	stack[sp++] = lk.ts.n;
	rc = ALIGN_OK;
	while (sp >= 2 && runs < ALIGNMENTS_MAX) {
		size_t b = stack[--sp], a = stack[--sp], from = a, to = a;
		int score;
		if (b - a < 4)
			continue;
		runs++;
		if ((rc = align_once(r, &lk, a, b, y, st, &from, &to, &score)) != ALIGN_OK)
			goto out;
		if (score < MIN_SCORE || to <= from)
			continue;
		if (sp + 4 <= sizeof stack / sizeof *stack) {
			stack[sp++] = a;
			stack[sp++] = from;
			stack[sp++] = to;
			stack[sp++] = b;
		}
	}
	for (size_t k = 0; k < r->n_slots; k++) {
		if (y[k] == -2)
			y[k] = -1;
		st->read += y[k] >= 0;
	}
out:
	free(lk.ts.t);
	free(lk.exact);
	free(lk.near_off);
	free(lk.near_n);
	free(lk.near);
	return rc;
}
