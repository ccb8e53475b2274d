/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * slots: the markup parser and the automatic slots (slots.h).
 *
 * Two passes. The parser turns the author's text into a flat text where each
 * marked slot is one byte 0x01 (its variants kept aside) and escapes are
 * resolved, with a map from flat offsets back to the author's. The finder
 * then walks the flat text's words and adds the table's slots (equiv.h) and
 * serial commas, never on a word that touches a marked slot. Finally the
 * literal text is the flat text without the slots' bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/equiv.h"
#include "core/release/slots.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define MARK 0x01
#define LIST_ITEMS_MAX 32
#define LIST_ITEM_MAX 96 /* two items and " and " fit SLOTS_ALT_MAX */

struct span {
	size_t from, to; /* flat bytes replaced by the slot */
	uint8_t cls;
	char *alt[2];
};

struct work {
	char *flat;
	uint32_t *map;   /* flat offset -> author's offset */
	size_t len, cap; /* cap: bytes of flat and map, the NUL's included */
	unsigned engine;
	struct span *sp;
	size_t n, alloc;
};

static enum slots_result fail(struct slots_error *err, size_t pos, const char *msg)
{
	err->pos = pos;
	snprintf(err->msg, sizeof err->msg, "at %zu: %s", pos, msg);
	return SLOTS_BAD_MARKUP;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static enum slots_result push(struct work *w, size_t from, size_t to, uint8_t cls, const char *a,
                              size_t al, const char *b, size_t bl)
{
	if (w->n >= SLOTS_MAX)
		return SLOTS_TOO_LARGE;
	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		struct span *p = realloc(w->sp, na * sizeof *p);
		if (!p)
			return SLOTS_NOMEM;
		w->sp = p;
		w->alloc = na;
	}
	struct span *s = &w->sp[w->n];
	s->from = from;
	s->to = to;
	s->cls = cls;
	s->alt[0] = dup_n(a, al);
	s->alt[1] = dup_n(b, bl);
	w->n++;
	if (!s->alt[0] || !s->alt[1])
		return SLOTS_NOMEM;
	return SLOTS_OK;
}

/* Engine 3 adds the unordered lists' brackets and item separator. */
static int escapable(char c, unsigned engine)
{
	return c == '{' || c == '}' || c == '|' || c == '\\' ||
	       (engine >= 3 && (c == '[' || c == ']' || c == ';'));
}

/* Reads one alternative up to `stop` ('|' or '}'); *i is left on the stop. */
static enum slots_result read_alt(const char *t, size_t len, size_t *i, char stop, char *out,
                                  size_t *outl, size_t open, unsigned engine,
                                  struct slots_error *err)
{
	*outl = 0;
	while (*i < len && t[*i] != stop) {
		char c = t[*i];
		if (c == '\\' && *i + 1 < len && escapable(t[*i + 1], engine))
			c = t[++*i];
		else if (c == '{')
			return fail(err, *i, "a slot inside a slot");
		else if (c == '}' || c == '|')
			return fail(err, *i,
			            stop == '|' ? "a slot needs two alternatives"
			                        : "a slot has more than two alternatives");
		else if (c == '\n' || c == '\r')
			return fail(err, open, "a slot is not closed on its line");
		if (*outl >= SLOTS_ALT_MAX)
			return fail(err, open, "an alternative is over 200 bytes");
		out[(*outl)++] = c;
		++*i;
	}
	if (*i >= len)
		return fail(err, open, "a slot is not closed");
	return SLOTS_OK;
}

/* Appends n literal bytes to the flat text, each mapped to the author's offset at. */
static enum slots_result flat_put(struct work *w, const char *p, size_t n, size_t at)
{
	if (n >= w->cap - w->len)
		return SLOTS_TOO_LARGE;
	for (size_t j = 0; j < n; j++) {
		w->map[w->len] = (uint32_t)at;
		w->flat[w->len++] = p[j];
	}
	return SLOTS_OK;
}

/* The separator before item j+1 of a list of k: ", ", and " and " before the last. */
static const char *list_sep(size_t j, size_t k)
{
	return j + 2 == k ? " and " : ", ";
}

/*
 * Engine 3: an unordered list `[[France; Germany; Italy]]`, written "France,
 * Germany and Italy". Its order is not binary, so it gives one slot per pair
 * of neighbours: items 1 and 2 in either order, 3 and 4, ...; an odd last item
 * stays where it is. *i is on the first '['; it is left after the "]]".
 */
static enum slots_result parse_list(const char *t, size_t len, size_t *i, struct work *w,
                                    struct slots_error *err)
{
	char item[LIST_ITEMS_MAX][LIST_ITEM_MAX + 1];
	size_t il[LIST_ITEMS_MAX], at[LIST_ITEMS_MAX], k = 0, open = *i;
	*i += 2;
	for (;;) {
		if (k == LIST_ITEMS_MAX)
			return fail(err, open, "a list has more than 32 items");
		while (*i < len && t[*i] == ' ')
			++*i;
		at[k] = *i;
		il[k] = 0;
		while (*i < len && t[*i] != ';' &&
		       !(t[*i] == ']' && *i + 1 < len && t[*i + 1] == ']')) {
			char c = t[*i];
			if (c == '\\' && *i + 1 < len && escapable(t[*i + 1], w->engine))
				c = t[++*i];
			else if (c == '{' || c == '}' || c == '|' || c == '[' || c == ']')
				return fail(
				        err, *i,
				        "a slot or a bracket inside a list (escape it with \\)");
			else if (c == '\n' || c == '\r')
				return fail(err, open, "a list is not closed on its line");
			if (il[k] >= LIST_ITEM_MAX)
				return fail(err, at[k], "a list item is over 96 bytes");
			item[k][il[k]++] = c;
			++*i;
		}
		if (*i >= len)
			return fail(err, open, "a list is not closed");
		while (il[k] > 0 && item[k][il[k] - 1] == ' ')
			il[k]--;
		if (il[k] == 0)
			return fail(err, at[k], "an empty list item");
		item[k][il[k]] = 0;
		if (utf8_count((const uint8_t *)item[k], il[k]) < 0)
			return fail(err, at[k], "a list item is not whole UTF-8 characters");
		k++;
		if (t[*i] == ']') {
			*i += 2;
			break;
		}
		++*i;
	}
	if (k < 2)
		return fail(err, open, "a list needs two items or more");
	enum slots_result r;
	for (size_t j = 0; j < k; j += 2) {
		if (j > 0 && (r = flat_put(w, list_sep(j - 1, k), strlen(list_sep(j - 1, k)),
		                           open)) != SLOTS_OK)
			return r;
		if (j + 1 == k) {
			if ((r = flat_put(w, item[j], il[j], at[j])) != SLOTS_OK)
				return r;
			break;
		}
		char a[SLOTS_ALT_MAX + 1], b[SLOTS_ALT_MAX + 1];
		const char *sep = list_sep(j, k);
		int al = snprintf(a, sizeof a, "%s%s%s", item[j], sep, item[j + 1]);
		int bl = snprintf(b, sizeof b, "%s%s%s", item[j + 1], sep, item[j]);
		if (al < 0 || bl < 0 || (size_t)al >= sizeof a || (size_t)bl >= sizeof b)
			return fail(err, at[j], "a list item is over 96 bytes");
		if (al == bl && memcmp(a, b, (size_t)al) == 0)
			return fail(err, at[j], "a list's neighbouring items are the same");
		if (w->len + 1 >= w->cap)
			return SLOTS_TOO_LARGE;
		w->map[w->len] = (uint32_t)at[j];
		if ((r = push(w, w->len, w->len + 1, SLOT_ORDER, a, (size_t)al, b, (size_t)bl)) !=
		    SLOTS_OK)
			return r;
		w->flat[w->len++] = MARK;
	}
	return SLOTS_OK;
}

static enum slots_result parse(const char *t, size_t len, struct work *w, struct slots_error *err)
{
	char a[SLOTS_ALT_MAX], b[SLOTS_ALT_MAX];
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode((const uint8_t *)t + i, len - i, &cp);
		if (k == 0 || cp == 0)
			return fail(err, i, "not UTF-8 text");
		if (cp == MARK)
			return fail(err, i, "a control character");
		char c = t[i];
		if (c == '\\' && i + 1 < len && escapable(t[i + 1], w->engine)) {
			w->map[w->len] = (uint32_t)i;
			w->flat[w->len++] = t[i + 1];
			i += 2;
			continue;
		}
		if (c == '}')
			return fail(err, i,
			            "a '}' with no slot open (write \\} for the character)");
		if (w->engine >= 3 && c == '[' && i + 1 < len && t[i + 1] == '[') {
			enum slots_result r = parse_list(t, len, &i, w, err);
			if (r != SLOTS_OK)
				return r;
			continue;
		}
		if (w->engine >= 3 && c == ']' && i + 1 < len && t[i + 1] == ']')
			return fail(err, i,
			            "a ']]' with no list open (write \\] for the character)");
		if (c != '{') {
			for (size_t j = 0; j < k; j++) {
				w->map[w->len] = (uint32_t)(i + j);
				w->flat[w->len++] = t[i + j];
			}
			i += k;
			continue;
		}
		size_t open = i, al, bl;
		enum slots_result r;
		i++;
		if ((r = read_alt(t, len, &i, '|', a, &al, open, w->engine, err)) != SLOTS_OK)
			return r;
		i++;
		if ((r = read_alt(t, len, &i, '}', b, &bl, open, w->engine, err)) != SLOTS_OK)
			return r;
		i++;
		if (al == bl && memcmp(a, b, al) == 0)
			return fail(err, open, "a slot's two alternatives are the same");
		if (utf8_count((const uint8_t *)a, al) < 0 ||
		    utf8_count((const uint8_t *)b, bl) < 0)
			return fail(err, open, "an alternative is not whole UTF-8 characters");
		w->map[w->len] = (uint32_t)open;
		if ((r = push(w, w->len, w->len + 1, SLOT_MARKED, a, al, b, bl)) != SLOTS_OK)
			return r;
		w->flat[w->len++] = MARK;
	}
	w->flat[w->len] = 0;
	return SLOTS_OK;
}

static int word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '\'' || c >= 0x80 || c == MARK;
}

#define WORDS_MAX (SLOTS_TEXT_MAX / 2 + 1)

struct words {
	size_t *from, *to;
	char **low; /* lowercase copies */
	size_t n;
};

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* The variant written with the case of the original (all caps, capitalised or as is). */
static void cased(const char *orig, size_t ol, const char *v, char *out)
{
	size_t letters = 0, upper = 0, n = strlen(v);
	for (size_t i = 0; i < ol; i++) {
		if ((orig[i] | 0x20) >= 'a' && (orig[i] | 0x20) <= 'z') {
			letters++;
			upper += is_upper(orig[i]);
		}
	}
	memcpy(out, v, n + 1);
	for (size_t i = 0; i < n; i++) {
		int up = (letters >= 2 && upper == letters) || (i == 0 && is_upper(orig[0]));
		if (up && out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 32);
	}
}

/* Only blanks between the words a and b? */
static int blank_between(const struct work *w, const struct words *ws, size_t a, size_t b)
{
	for (size_t i = ws->to[a]; i < ws->from[b]; i++)
		if (w->flat[i] != ' ' && w->flat[i] != '\n' && w->flat[i] != '\t')
			return 0;
	return 1;
}

static int sentence_start(const struct work *w, size_t at)
{
	while (at > 0 && (w->flat[at - 1] == ' ' || w->flat[at - 1] == '\n'))
		at--;
	return at == 0 || w->flat[at - 1] == '.' || w->flat[at - 1] == '!' ||
	       w->flat[at - 1] == '?' || w->flat[at - 1] == ':';
}

static int lower_word_after(const struct words *ws, size_t k, const struct work *w)
{
	return k < ws->n && w->flat[ws->from[k]] >= 'a' && w->flat[ws->from[k]] <= 'z';
}

static int is_word(const struct words *ws, size_t i, const char *s)
{
	return i < ws->n && strcmp(ws->low[i], s) == 0;
}

/* A number word or digit is a slot only before a lowercase word ("three officers"), not
 * at a sentence's start, not after "section 3", not in "3.5". */
static int number_ok(const struct work *w, const struct words *ws, size_t i)
{
	static const char *const refs[] = {
	        "section", "paragraph", "para", "annex",  "article", "chapter", "page",  "table",
	        "figure",  "item",      "no",   "number", "version", "room",    "point", "line"};
	if (!lower_word_after(ws, i + 1, w) || sentence_start(w, ws->from[i]))
		return 0;
	if (ws->to[i] < w->len && (w->flat[ws->to[i]] == '.' || w->flat[ws->to[i]] == ',') &&
	    ws->to[i] + 1 < w->len && w->flat[ws->to[i] + 1] >= '0' &&
	    w->flat[ws->to[i] + 1] <= '9')
		return 0;
	for (size_t k = 0; i > 0 && k < sizeof refs / sizeof *refs; k++)
		if (is_word(ws, i - 1, refs[k]))
			return 0;
	return 1;
}

/* "A, B and C": the comma before and/or, present or not, when the last item is 1..3
 * words after a comma. */
static int serial_comma(const struct work *w, const struct words *ws, size_t i, size_t *comma)
{
	if (i < 3 || !(is_word(ws, i, "and") || is_word(ws, i, "or")))
		return 0;
	size_t e = ws->to[i - 1];
	*comma = SIZE_MAX;
	if (w->flat[e] == ',') {
		*comma = e;
		e++;
	}
	for (size_t j = e; j < ws->from[i]; j++)
		if (w->flat[j] != ' ')
			return 0;
	if (memchr(w->flat + ws->from[i - 1], MARK, ws->to[i - 1] - ws->from[i - 1]))
		return 0;
	for (size_t k = 1; k <= 3 && i >= k + 1; k++) {
		size_t first = i - k;
		if (k > 1 && !blank_between(w, ws, first, first + 1))
			return 0;
		size_t g = ws->to[first - 1];
		if (g < ws->from[first] && w->flat[g] == ',' && g + 1 < ws->from[first] &&
		    w->flat[g + 1] == ' ') {
			for (size_t j = g + 1; j < ws->from[first]; j++)
				if (w->flat[j] != ' ')
					return 0;
			return 1;
		}
	}
	return 0;
}

static int in_list(const struct words *ws, size_t i, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (is_word(ws, i, list[k]))
			return 1;
	return 0;
}

static int has_mark(const struct work *w, const struct words *ws, size_t i)
{
	return memchr(w->flat + ws->from[i], MARK, ws->to[i] - ws->from[i]) != NULL;
}

/* Engine 2: "On land reform, the": a sentence that opens with a preposition or a time word and
 * 1..4 more words (no "to"), then a comma and a word that is not "and" or "or". Returns the
 * comma's offset, or SIZE_MAX. */
static size_t intro_comma(const struct work *w, const struct words *ws, size_t i)
{
	/* prepositions that are never conjunctions ("After the talks collapsed, the" is not
	 * here: without its comma it would read as one clause) */
	static const char *const open[] = {
	        "on",        "in",    "at",      "for",     "under",      "within",
	        "during",    "by",    "with",    "without", "over",       "despite",
	        "beyond",    "among", "amongst", "across",  "throughout", "between",
	        "following", "last",  "next",    "this",    "earlier"};
	if (!is_upper(w->flat[ws->from[i]]) || !sentence_start(w, ws->from[i]) ||
	    !in_list(ws, i, open, sizeof open / sizeof *open) || has_mark(w, ws, i))
		return SIZE_MAX;
	for (size_t k = 1; k <= 4 && i + k < ws->n; k++) {
		size_t j = i + k;
		/* not an infinitive ("In order to assist, additional staff") */
		if (!blank_between(w, ws, j - 1, j) || has_mark(w, ws, j) || is_word(ws, j, "to"))
			return SIZE_MAX;
		size_t c = ws->to[j];
		if (c < w->len && w->flat[c] == ',') {
			/* the comma, a blank, then only blanks to the next word */
			if (c + 1 >= w->len || w->flat[c + 1] != ' ' || j + 1 >= ws->n ||
			    is_word(ws, j + 1, "and") || is_word(ws, j + 1, "or"))
				return SIZE_MAX;
			for (size_t q = c + 1; q < ws->from[j + 1]; q++)
				if (w->flat[q] != ' ' && w->flat[q] != '\n')
					return SIZE_MAX;
			return c;
		}
	}
	return SIZE_MAX;
}

/* Engine 2: the comma before a "but" that joins two clauses ("is closer, but our"): its
 * offset, or SIZE_MAX. */
static size_t comma_but(const struct work *w, const struct words *ws, size_t i)
{
	if (!is_word(ws, i, "but") || i == 0 || has_mark(w, ws, i))
		return SIZE_MAX;
	size_t c = ws->to[i - 1];
	if (c >= w->len || w->flat[c] != ',' || c + 1 >= ws->from[i])
		return SIZE_MAX;
	for (size_t q = c + 1; q < ws->from[i]; q++)
		if (w->flat[q] != ' ' && w->flat[q] != '\n')
			return SIZE_MAX;
	return c;
}

/* Engine 2: a restrictive "which" (no comma before it, a verb after it) may be "that", and a
 * relative "that" after a noun phrase ("a consortium that had") may be "which". */
static int restrictive_which(const struct work *w, const struct words *ws, size_t i)
{
	static const char *const verb[] = {"is",   "are",   "was",   "were",   "has",
	                                   "have", "had",   "would", "will",   "could",
	                                   "may",  "might", "must",  "should", "can"};
	/* prepositions ("in which") and words after which it asks a question ("unclear which") */
	static const char *const before[] = {
	        "in",      "of",      "on",      "by",       "to",        "for",    "from",
	        "with",    "at",      "under",   "through",  "during",    "after",  "before",
	        "upon",    "about",   "without", "into",     "over",      "among",  "between",
	        "against", "towards", "toward",  "beyond",   "via",       "and",    "or",
	        "but",     "know",    "knows",   "knew",     "known",     "decide", "decides",
	        "decided", "ask",     "asked",   "asks",     "unclear",   "clear",  "say",
	        "said",    "says",    "see",     "seen",     "determine", "tell",   "told",
	        "choose",  "chose",   "wonder",  "show",     "shows",     "showed", "sure",
	        "certain", "doubt",   "matter",  "question", "whether",   "as",     "that",
	        "which"};
	static const char *const det[] = {"the",   "a",     "an",   "its",    "his",   "her",
	                                  "their", "our",   "this", "these",  "those", "any",
	                                  "each",  "every", "some", "another"};
	int that = is_word(ws, i, "that");
	/* a relative "that" follows a noun phrase: a determiner one or two words before */
	if (that && !(i >= 2 && in_list(ws, i - 2, det, sizeof det / sizeof *det)) &&
	    !(i >= 3 && in_list(ws, i - 3, det, sizeof det / sizeof *det) &&
	      blank_between(w, ws, i - 3, i - 2) && blank_between(w, ws, i - 2, i - 1)))
		return 0;
	return (that || is_word(ws, i, "which")) && i > 0 && i + 1 < ws->n && !has_mark(w, ws, i) &&
	       !has_mark(w, ws, i - 1) && blank_between(w, ws, i - 1, i) &&
	       blank_between(w, ws, i, i + 1) && !sentence_start(w, ws->from[i]) &&
	       in_list(ws, i + 1, verb, sizeof verb / sizeof *verb) &&
	       !in_list(ws, i - 1, before, sizeof before / sizeof *before);
}

/*
 * Engine 3: the day before a month's name, "14 March" / "14th March" (either
 * written): the digits and the ordinal into v0 and v1.
 */
static int day_ordinal(const struct work *w, const struct words *ws, size_t i, char *v0, char *v1)
{
	static const char *const months[] = {"january",   "february", "march",    "april",
	                                     "may",       "june",     "july",     "august",
	                                     "september", "october",  "november", "december"};
	const char *d = ws->low[i];
	size_t n = 0;
	while (n < 2 && d[n] >= '0' && d[n] <= '9')
		n++;
	if (n == 0 || d[0] == '0' || has_mark(w, ws, i) || i + 1 >= ws->n ||
	    !blank_between(w, ws, i, i + 1) || !is_upper(w->flat[ws->from[i + 1]]) ||
	    !in_list(ws, i + 1, months, sizeof months / sizeof *months))
		return 0;
	int day = d[0] - '0';
	if (n == 2)
		day = day * 10 + d[1] - '0';
	const char *suf = day % 10 == 1 && day != 11   ? "st"
	                  : day % 10 == 2 && day != 12 ? "nd"
	                  : day % 10 == 3 && day != 13 ? "rd"
	                                               : "th";
	if (day > 31 || (d[n] != 0 && strcmp(d + n, suf) != 0))
		return 0;
	snprintf(v0, 8, "%d", day);
	snprintf(v1, 8, "%d%s", day, suf);
	return 1;
}

static enum slots_result auto_slots(struct work *w, struct words *ws, unsigned engine)
{
	enum slots_result r;
	char v0[EQUIV_TEXT_MAX * 4 + 1], v1[EQUIV_TEXT_MAX * 4 + 1];
	for (size_t i = 0; i < ws->n;) {
		size_t comma;
		if (serial_comma(w, ws, i, &comma)) {
			size_t at = comma != SIZE_MAX ? comma : ws->to[i - 1];
			size_t to = comma != SIZE_MAX ? comma + 1 : at;
			if ((r = push(w, at, to, SLOT_SERIAL, "", 0, ",", 1)) != SLOTS_OK)
				return r;
		}
		if (engine >= 2 && (comma = intro_comma(w, ws, i)) != SIZE_MAX &&
		    (r = push(w, comma, comma + 1, SLOT_COMMA, ",", 1, "", 0)) != SLOTS_OK)
			return r;
		if (engine >= 2 && (comma = comma_but(w, ws, i)) != SIZE_MAX &&
		    !(w->n && w->sp[w->n - 1].from == comma) &&
		    (r = push(w, comma, comma + 1, SLOT_COMMA, ",", 1, "", 0)) != SLOTS_OK)
			return r;
		if (engine >= 2 && restrictive_which(w, ws, i)) {
			int which = is_word(ws, i, "which");
			cased(w->flat + ws->from[i], ws->to[i] - ws->from[i],
			      which ? "which" : "that", v0);
			cased(w->flat + ws->from[i], ws->to[i] - ws->from[i],
			      which ? "that" : "which", v1);
			if ((r = push(w, ws->from[i], ws->to[i], SLOT_THAT, v0, strlen(v0), v1,
			              strlen(v1))) != SLOTS_OK)
				return r;
			i++;
			continue;
		}
		if (engine >= 3 && day_ordinal(w, ws, i, v0, v1)) {
			if ((r = push(w, ws->from[i], ws->to[i], SLOT_DATE, v0, strlen(v0), v1,
			              strlen(v1))) != SLOTS_OK)
				return r;
			i++;
			continue;
		}
		const char *wv[EQUIV_WORDS_MAX];
		size_t wl[EQUIV_WORDS_MAX], nw = 0;
		while (nw < EQUIV_WORDS_MAX && i + nw < ws->n &&
		       (nw == 0 || blank_between(w, ws, i + nw - 1, i + nw)) &&
		       !memchr(w->flat + ws->from[i + nw], MARK,
		               ws->to[i + nw] - ws->from[i + nw])) {
			wv[nw] = ws->low[i + nw];
			wl[nw] = strlen(wv[nw]);
			nw++;
		}
		int side = 0;
		const struct equiv *e = nw ? equiv_match(wv, wl, nw, engine, &side) : NULL;
		if (e && e->cls == SLOT_NUMBER && !number_ok(w, ws, i))
			e = NULL;
		if (!e) {
			i++;
			continue;
		}
		size_t k = e->words[side], from = ws->from[i], to = ws->to[i + k - 1];
		cased(w->flat + from, to - from, e->v[0], v0);
		cased(w->flat + from, to - from, e->v[1], v1);
		if ((r = push(w, from, to, e->cls, v0, strlen(v0), v1, strlen(v1))) != SLOTS_OK)
			return r;
		i += k;
	}
	return SLOTS_OK;
}

static enum slots_result split_words(const struct work *w, struct words *ws)
{
	ws->n = 0;
	for (size_t i = 0; i < w->len;) {
		if (!word_char((unsigned char)w->flat[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < w->len && word_char((unsigned char)w->flat[i]))
			i++;
		/* a word's leading or trailing apostrophes and hyphens are punctuation */
		size_t a = s, b = i;
		while (a < b && (w->flat[a] == '\'' || w->flat[a] == '-'))
			a++;
		while (b > a && (w->flat[b - 1] == '\'' || w->flat[b - 1] == '-'))
			b--;
		if (a == b)
			continue;
		char *low = malloc(b - a + 1);
		if (!low)
			return SLOTS_NOMEM;
		for (size_t j = a; j < b; j++)
			low[j - a] = is_upper(w->flat[j]) ? (char)(w->flat[j] + 32) : w->flat[j];
		low[b - a] = 0;
		ws->from[ws->n] = a;
		ws->to[ws->n] = b;
		ws->low[ws->n++] = low;
	}
	return SLOTS_OK;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

static enum slots_result assemble(struct work *w, struct slots *out)
{
	if (w->n > 1)
		qsort(w->sp, w->n, sizeof *w->sp, span_cmp);
	out->lit = malloc(w->len + 1);
	out->s = calloc(w->n ? w->n : 1, sizeof *out->s);
	if (!out->lit || !out->s)
		return SLOTS_NOMEM;
	size_t pos = 0, k = 0;
	for (size_t i = 0; i <= w->len; i++) {
		while (k < w->n && w->sp[k].from == i) {
			struct slot *s = &out->s[k];
			struct span *p = &w->sp[k];
			s->at = (uint32_t)out->lit_len;
			s->src = w->map[i < w->len ? i : w->len - 1];
			s->cls = p->cls;
			for (int v = 0; v < 2; v++) {
				s->alt[v] = p->alt[v];
				s->len[v] = (uint8_t)strlen(p->alt[v]);
				p->alt[v] = NULL;
			}
			if (p->to > pos)
				pos = p->to;
			k++;
		}
		if (i < w->len && i >= pos)
			out->lit[out->lit_len++] = w->flat[i];
	}
	out->lit[out->lit_len] = 0;
	out->n = w->n;
	return SLOTS_OK;
}

enum slots_result slots_find(const char *text, size_t len, struct slots *out,
                             struct slots_error *err)
{
	return slots_find_engine(text, len, SLOTS_ENGINE, out, err);
}

enum slots_result slots_find_engine(const char *text, size_t len, unsigned engine,
                                    struct slots *out, struct slots_error *err)
{
	struct work w = {0};
	struct words ws = {0};
	enum slots_result r = SLOTS_NOMEM;
	memset(out, 0, sizeof *out);
	err->pos = 0;
	err->msg[0] = 0;
	if (engine < SLOTS_ENGINE_FIRST || engine > SLOTS_ENGINE) {
		snprintf(err->msg, sizeof err->msg, "at 0: no slot engine %u", engine);
		return SLOTS_BAD_MARKUP;
	}
	if (len > SLOTS_TEXT_MAX) {
		snprintf(err->msg, sizeof err->msg, "at 0: the text is over %u bytes",
		         SLOTS_TEXT_MAX);
		return SLOTS_TOO_LARGE;
	}
	w.cap = len + 8;
	w.engine = engine;
	w.flat = malloc(w.cap);
	w.map = malloc(w.cap * sizeof *w.map);
	ws.from = malloc((len / 2 + 1) * sizeof *ws.from);
	ws.to = malloc((len / 2 + 1) * sizeof *ws.to);
	ws.low = calloc(len / 2 + 1, sizeof *ws.low);
	if (!w.flat || !w.map || !ws.from || !ws.to || !ws.low)
		goto out;
	if ((r = parse(text, len, &w, err)) != SLOTS_OK)
		goto out;
	if ((r = split_words(&w, &ws)) != SLOTS_OK)
		goto out;
	if ((r = auto_slots(&w, &ws, engine)) != SLOTS_OK)
		goto out;
	out->words = ws.n;
	out->engine = engine;
	r = assemble(&w, out);
out:
	if (r != SLOTS_OK) {
		if (r != SLOTS_BAD_MARKUP && !err->msg[0])
			snprintf(err->msg, sizeof err->msg, "at 0: %s",
			         r == SLOTS_NOMEM ? "out of memory" : "too many slots");
		slots_free(out);
	}
	for (size_t i = 0; i < w.n; i++) {
		free(w.sp[i].alt[0]);
		free(w.sp[i].alt[1]);
	}
	for (size_t i = 0; i < ws.n; i++)
		free(ws.low[i]);
	free(ws.low);
	free(ws.from);
	free(ws.to);
	free(w.sp);
	free(w.flat);
	free(w.map);
	return r;
}

void slots_free(struct slots *s)
{
	if (!s)
		return;
	if (s->s)
		for (size_t i = 0; i < s->n; i++) {
			free(s->s[i].alt[0]);
			free(s->s[i].alt[1]);
		}
	free(s->s);
	free(s->lit);
	memset(s, 0, sizeof *s);
}

double slots_density(const struct slots *s)
{
	return s->words ? 100.0 * (double)s->n / (double)s->words : 0.0;
}

void slots_count(const struct slots *s, size_t counts[static SLOT_CLASSES])
{
	for (size_t c = 0; c < SLOT_CLASSES; c++)
		counts[c] = 0;
	for (size_t i = 0; i < s->n; i++)
		counts[s->s[i].cls]++;
}

const char *slots_class_name(enum slot_class c)
{
	static const char *const names[SLOT_CLASSES] = {
	        "marked",     "-ise/-ize",      "-our/-or",     "-yse/-yze",   "British/American",
	        "number",     "per cent",       "serial comma", "hyphenation", "synonym",
	        "that/which", "optional comma", "contraction",  "date",        "list order"};
	return (unsigned)c < SLOT_CLASSES ? names[c] : "?";
}

enum slots_result slots_highlight(const struct slots *s, struct buf *out)
{
	size_t pos = 0;
	for (size_t i = 0; i <= s->n; i++) {
		size_t at = i < s->n ? s->s[i].at : s->lit_len;
		if (buf_append(out, s->lit + pos, at - pos) != BUF_OK)
			return SLOTS_TOO_LARGE;
		pos = at;
		if (i < s->n && buf_printf(out, "\xe2\x9f\xa6%s|%s\xe2\x9f\xa7", s->s[i].alt[0],
		                           s->s[i].alt[1]) != BUF_OK)
			return SLOTS_TOO_LARGE;
	}
	return SLOTS_OK;
}
