/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/marking/marking.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/marking/country_codes.h"

#include "lib/banned.h"

_Static_assert(COUNTRY_CODES_COUNT <= 64 * MARKING_COUNTRY_WORDS, "country set too small");
_Static_assert(MARKING_DECLARED_MAX <= 64, "compartments are bits of a uint64_t");
_Static_assert(sizeof(struct marking) == 48, "struct marking has no padding");

#define LEVELS_MAX 5

struct level_table {
	const char *name;
	uint8_t nlevels;
	const char *full[LEVELS_MAX];
	const char *abbr[LEVELS_MAX];
};

static const struct level_table tables[] = {
        [MARKING_UK] = {"uk", 3, {"OFFICIAL", "SECRET", "TOP SECRET"}, {"O", "S", "TS"}},
        [MARKING_US] = {"us",
                        4,
                        {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"},
                        {"U", "C", "S", "TS"}},
        [MARKING_TLP] = {"tlp",
                         5,
                         {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"},
                         {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}},
};

#define NTABLES (sizeof tables / sizeof tables[0])

static const char eyes_only[] = " EYES ONLY";
static const char rel_to[] = "REL TO ";

__attribute__((format(printf, 4, 5))) static enum marking_result
fail(struct marking_error *err, enum marking_result rc, size_t pos, const char *fmt, ...)
{
	if (err == NULL)
		return rc;
	err->pos = pos;
	int n = snprintf(err->msg, sizeof err->msg, "at %zu: ", pos);
	size_t off = n > 0 && (size_t)n < sizeof err->msg ? (size_t)n : 0;
	va_list ap;
	va_start(ap, fmt);
	/* A truncated message stays NUL-terminated; harmless. */
	(void)vsnprintf(err->msg + off, sizeof err->msg - off, fmt, ap);
	va_end(ap);
	return rc;
}

int marking_scheme_kind_parse(const char *name)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (strcmp(tables[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *marking_scheme_kind_name(enum marking_scheme_kind kind)
{
	return (size_t)kind < NTABLES ? tables[kind].name : NULL;
}

uint16_t marking_country_find(const char *code, size_t len)
{
	if (len != 3)
		return MARKING_COUNTRY_NONE;
	size_t lo = 0, hi = COUNTRY_CODES_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(code, country_codes[mid], 3);
		if (c == 0)
			return (uint16_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return MARKING_COUNTRY_NONE;
}

const char *marking_country_code(uint16_t index)
{
	return index < COUNTRY_CODES_COUNT ? country_codes[index] : NULL;
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_codeword_char(char c)
{
	return is_upper(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_codeword(const char *p, size_t n)
{
	if (n == 0 || n > MARKING_CODEWORD_MAX || !is_upper(p[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_codeword_char(p[i]))
			return false;
	return true;
}

static bool token_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

static int cmp_codeword(const void *a, const void *b)
{
	return strcmp(a, b);
}

enum marking_result marking_scheme_init(struct marking_scheme *s, enum marking_scheme_kind kind,
                                        const char *compartments, const char *country,
                                        struct marking_error *err)
{
	memset(s, 0, sizeof *s);
	s->country = MARKING_COUNTRY_NONE;
	if ((size_t)kind >= NTABLES)
		return fail(err, MARKING_ERR_SCHEME, 0, "unknown scheme");
	s->kind = kind;
	if (country != NULL) {
		s->country = marking_country_find(country, strlen(country));
		if (s->country == MARKING_COUNTRY_NONE)
			return fail(err, MARKING_ERR_SCHEME, 0,
			            "country: expected an ISO 3166-1 alpha-3 code such as GBR");
	}
	const char *p = compartments != NULL ? compartments : "";
	size_t i = 0, len = strlen(p);
	while (i < len) {
		while (i < len && p[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && p[i] != ',' && p[i] != ' ')
			i++;
		size_t n = i - start;
		while (i < len && p[i] == ' ')
			i++;
		if (i < len && p[i] != ',')
			return fail(err, MARKING_ERR_SCHEME, i, "compartments: expected ','");
		if (!is_codeword(p + start, n))
			return fail(err, MARKING_ERR_SCHEME, start,
			            "compartments: expected a codeword (A-Z, then A-Z, 0-9 or '-'; "
			            "at most %d bytes)",
			            MARKING_CODEWORD_MAX);
		if (token_is(p + start, n, "ORCON") || token_is(p + start, n, "NOFORN"))
			return fail(err, MARKING_ERR_SCHEME, start,
			            "compartments: %.*s is a caveat, not a codeword", (int)n,
			            p + start);
		if (s->ncompartments == MARKING_DECLARED_MAX)
			return fail(err, MARKING_ERR_TOO_LONG, start,
			            "compartments: more than %d declared", MARKING_DECLARED_MAX);
		memcpy(s->compartments[s->ncompartments], p + start, n);
		s->compartments[s->ncompartments][n] = 0;
		s->ncompartments++;
		if (i < len) {
			i++; /* the comma */
			if (i == len)
				return fail(err, MARKING_ERR_SCHEME, i,
				            "compartments: expected a codeword after ','");
		}
	}
	qsort(s->compartments, s->ncompartments, sizeof s->compartments[0], cmp_codeword);
	for (size_t k = 1; k < s->ncompartments; k++)
		if (strcmp(s->compartments[k - 1], s->compartments[k]) == 0)
			return fail(err, MARKING_ERR_SCHEME, 0, "compartments: %s declared twice",
			            s->compartments[k]);
	return MARKING_OK;
}

/* Index of the declared compartment p[0..n), or -1. */
static int find_compartment(const struct marking_scheme *s, const char *p, size_t n)
{
	if (n == 0 || n > MARKING_CODEWORD_MAX)
		return -1;
	size_t lo = 0, hi = s->ncompartments;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *w = s->compartments[mid];
		int c = strncmp(p, w, n);
		if (c == 0)
			c = w[n] == 0 ? 0 : -1;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Level index of p[0..n) in the scheme, or -1. */
/* A level by its name or its abbreviation, in a portion marking "(S//X)" or not: "S//X" is
 * the same marking everywhere (the desk's form, the CLI, marking canon). */
static int find_level(const struct level_table *t, const char *p, size_t n)
{
	for (int i = 0; i < t->nlevels; i++) {
		if (token_is(p, n, t->full[i]) || token_is(p, n, t->abbr[i]))
			return i;
		/* TLP: the "TLP:" prefix may be left out. */
		if (t == &tables[MARKING_TLP] && token_is(p, n, t->full[i] + 4))
			return i;
	}
	return -1;
}

static void set_bit(uint64_t *w, unsigned i)
{
	w[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool has_bit(const uint64_t *w, unsigned i)
{
	return (w[i / 64] >> (i % 64)) & 1u;
}

static unsigned count_bits(const uint64_t *w, size_t n)
{
	unsigned c = 0;
	for (size_t i = 0; i < n; i++)
		c += (unsigned)__builtin_popcountll(w[i]);
	return c;
}

/* A token for an error message: only if it is plain (no control bytes etc.). */
static bool printable_token(const char *p, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_codeword_char(p[i]) && p[i] != ' ' && p[i] != ':' && p[i] != '+')
			return false;
	return true;
}

/* Parses the REL TO list at p[0..n) (after "REL TO "); base: its offset in the input. */
static enum marking_result parse_rel_list(const char *p, size_t n, size_t base, struct marking *m,
                                          struct marking_error *err)
{
	size_t i = 0, count = 0;
	for (;;) {
		if (n - i < 3 || !is_upper(p[i]) || !is_upper(p[i + 1]) || !is_upper(p[i + 2]))
			return fail(err, MARKING_ERR_SYNTAX, base + i,
			            "expected a country code (ISO 3166-1 alpha-3, e.g. GBR)");
		uint16_t c = marking_country_find(p + i, 3);
		if (c == MARKING_COUNTRY_NONE)
			return fail(err, MARKING_ERR_SYNTAX, base + i,
			            "%.3s is not an ISO 3166-1 alpha-3 country code", p + i);
		if (has_bit(m->release, c))
			return fail(err, MARKING_ERR_SYNTAX, base + i, "%.3s repeated", p + i);
		if (++count > MARKING_COUNTRIES_MAX)
			return fail(err, MARKING_ERR_TOO_LONG, base + i,
			            "more than %d countries in REL TO", MARKING_COUNTRIES_MAX);
		set_bit(m->release, c);
		i += 3;
		if (i == n)
			return MARKING_OK;
		if (p[i] != ',')
			return fail(err, MARKING_ERR_SYNTAX, base + i,
			            "expected ',' or the end of REL TO");
		i++;
		if (i < n && p[i] == ' ')
			i++;
	}
}

enum caveat_kind { CAV_NONE, CAV_ORCON, CAV_NOFORN, CAV_REL, CAV_EYES };

static enum caveat_kind caveat_of(const char *p, size_t n)
{
	if (token_is(p, n, "ORCON"))
		return CAV_ORCON;
	if (token_is(p, n, "NOFORN"))
		return CAV_NOFORN;
	if (n >= sizeof rel_to - 1 && memcmp(p, rel_to, sizeof rel_to - 1) == 0)
		return CAV_REL;
	if (n == 3 + sizeof eyes_only - 1 && memcmp(p + 3, eyes_only, sizeof eyes_only - 1) == 0)
		return CAV_EYES;
	return CAV_NONE;
}

/* The length of m's canonical banner form (marking_format without writing). */
static size_t canonical_len(const struct marking_scheme *s, const struct marking *m)
{
	size_t n = strlen(tables[m->scheme].full[m->level]);
	for (unsigned i = 0; i < s->ncompartments; i++)
		if ((m->compartments >> i) & 1u)
			n += 1 + strlen(s->compartments[i]); /* '/' or the second '/' of "//" */
	if (m->compartments != 0)
		n += 1;
	if (m->flags & MARKING_ORCON)
		n += sizeof "//ORCON" - 1;
	if (m->flags & MARKING_NOFORN) {
		n += sizeof "//NOFORN" - 1;
	} else if (!(m->flags & MARKING_REL_ALL)) {
		unsigned c = count_bits(m->release, MARKING_COUNTRY_WORDS);
		n += c == 1 ? 2 + 3 + sizeof eyes_only - 1 : 2 + sizeof rel_to - 1 + 5 * c - 2;
	}
	return n;
}

static enum marking_result parse_inner(const struct marking_scheme *s, const char *text, size_t len,
                                       struct marking *m, struct marking_error *err)
{
	enum marking_result rc;
	size_t p = 0, end = len;

	if (len > MARKING_TEXT_MAX + 2 || (len > MARKING_TEXT_MAX && text[0] != '('))
		return fail(err, MARKING_ERR_TOO_LONG, MARKING_TEXT_MAX,
		            "a marking is at most %d bytes", MARKING_TEXT_MAX);
	if (len > 0 && text[0] == '(') {
		p = 1;
		if (len < 2 || text[len - 1] != ')')
			return fail(err, MARKING_ERR_SYNTAX, len, "expected ')'");
		end = len - 1;
	}
	m->scheme = (uint8_t)s->kind;
	m->flags = MARKING_REL_ALL;

	/* The level: everything up to the first "//". */
	const char *sep = NULL;
	for (size_t i = p; i + 1 < end; i++) {
		if (text[i] == '/' && text[i + 1] == '/') {
			sep = text + i;
			break;
		}
	}
	size_t lend = sep != NULL ? (size_t)(sep - text) : end;
	const struct level_table *t = &tables[s->kind];
	int level = find_level(t, text + p, lend - p);
	if (level < 0) {
		char names[160] = "";
		size_t off = 0;
		/* the names, then the abbreviations where they differ: "OFFICIAL, SECRET, TOP
		 * SECRET; or O, S, TS" */
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < t->nlevels; i++) {
				if (k == 1 && strcmp(t->abbr[i], t->full[i]) == 0)
					continue;
				int w = snprintf(names + off, sizeof names - off, "%s%s",
				                 i   ? ", "
				                 : k ? "; or "
				                     : "",
				                 k ? t->abbr[i] : t->full[i]);
				if (w < 0 || (size_t)w >= sizeof names - off)
					break;
				off += (size_t)w;
			}
		return fail(err, MARKING_ERR_SYNTAX, p, "expected a %s level (%s)", t->name, names);
	}
	m->level = (uint8_t)level;
	p = lend;

	/* Blocks: "//" then items separated by a single '/'. */
	bool any_block = false, have_release = false;
	unsigned ncomp = 0;
	while (p < end) {
		if (end - p < 2 || text[p] != '/' || text[p + 1] != '/')
			return fail(err, MARKING_ERR_SYNTAX, p, "expected '//'");
		p += 2;
		bool compartment_block = false, first = true;
		for (;;) {
			size_t start = p;
			while (p < end && text[p] != '/')
				p++;
			const char *tok = text + start;
			size_t n = p - start;
			enum caveat_kind cav = caveat_of(tok, n);
			int ci = cav == CAV_NONE ? find_compartment(s, tok, n) : -1;
			if (first && cav == CAV_NONE) {
				if (!any_block && ci >= 0) {
					compartment_block = true;
				} else if (!any_block) {
					const char *want = "expected a compartment or a caveat";
					if (is_codeword(tok, n))
						return fail(
						        err, MARKING_ERR_SYNTAX, start,
						        "%s (%.*s is not a declared compartment)",
						        want, (int)n, tok);
					if (printable_token(tok, n))
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "%s, not '%.*s'", want, (int)n, tok);
					return fail(err, MARKING_ERR_SYNTAX, start, "%s", want);
				} else if (ci >= 0) {
					return fail(
					        err, MARKING_ERR_SYNTAX, start,
					        "expected a caveat (compartments come right after "
					        "the level)");
				}
			}
			first = false;
			if (compartment_block) {
				if (ci < 0) {
					if (cav != CAV_NONE)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "expected a compartment ('//' goes "
						            "before a "
						            "caveat)");
					if (is_codeword(tok, n))
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "expected a compartment (%.*s is not "
						            "declared)",
						            (int)n, tok);
					return fail(err, MARKING_ERR_SYNTAX, start,
					            "expected a compartment");
				}
				if ((m->compartments >> ci) & 1u)
					return fail(err, MARKING_ERR_SYNTAX, start, "%s repeated",
					            s->compartments[ci]);
				if (++ncomp > MARKING_COMPARTMENTS_MAX)
					return fail(err, MARKING_ERR_TOO_LONG, start,
					            "more than %d compartments",
					            MARKING_COMPARTMENTS_MAX);
				m->compartments |= (uint64_t)1 << ci;
			} else {
				switch (cav) {
				case CAV_NONE:
					return fail(err, MARKING_ERR_SYNTAX, start,
					            "expected a caveat (ORCON, NOFORN, REL TO ..., "
					            "CCC EYES ONLY)");
				case CAV_ORCON:
					if (m->flags & MARKING_ORCON)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "ORCON repeated");
					m->flags |= MARKING_ORCON;
					break;
				case CAV_NOFORN:
					if (m->flags & MARKING_NOFORN)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "NOFORN repeated");
					if (have_release)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "NOFORN excludes REL TO and EYES ONLY");
					if (s->country == MARKING_COUNTRY_NONE)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "NOFORN needs the instance's country");
					m->flags = (uint8_t)((m->flags | MARKING_NOFORN) &
					                     ~MARKING_REL_ALL);
					set_bit(m->release, s->country);
					break;
				case CAV_REL:
				case CAV_EYES:
					if (m->flags & MARKING_NOFORN)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "NOFORN excludes REL TO and EYES ONLY");
					if (have_release)
						return fail(err, MARKING_ERR_SYNTAX, start,
						            "a second release list (REL TO or EYES "
						            "ONLY)");
					have_release = true;
					m->flags &= (uint8_t)~MARKING_REL_ALL;
					if (cav == CAV_REL) {
						size_t k = sizeof rel_to - 1;
						rc = parse_rel_list(tok + k, n - k, start + k, m,
						                    err);
						if (rc != MARKING_OK)
							return rc;
					} else {
						rc = parse_rel_list(tok, 3, start, m, err);
						if (rc != MARKING_OK)
							return rc;
					}
					break;
				}
			}
			/* A single '/' continues the block; "//" or the end closes it. */
			if (p < end && text[p] == '/' && !(p + 1 < end && text[p + 1] == '/')) {
				p++;
				continue;
			}
			break;
		}
		any_block = true;
	}

	/* Every marking this module produces has a canonical form that fits. */
	if (canonical_len(s, m) > MARKING_TEXT_MAX)
		return fail(err, MARKING_ERR_TOO_LONG, 0,
		            "the canonical form would be longer than %d bytes", MARKING_TEXT_MAX);
	return MARKING_OK;
}

enum marking_result marking_parse(const struct marking_scheme *s, const char *text, size_t len,
                                  struct marking *out, struct marking_error *err)
{
	memset(out, 0, sizeof *out);
	if (err != NULL) {
		err->pos = 0;
		err->msg[0] = 0;
	}
	enum marking_result rc = parse_inner(s, text, len, out, err);
	if (rc != MARKING_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

struct out {
	char *p;
	size_t cap, len;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

int marking_format(const struct marking_scheme *s, const struct marking *m, bool portion, char *out,
                   size_t cap)
{
	if (cap == 0)
		return -1;
	out[0] = 0;
	if (m->scheme >= NTABLES || m->scheme != (uint8_t)s->kind ||
	    m->level >= tables[m->scheme].nlevels)
		return -1;
	struct out o = {out, cap, 0, false};
	const struct level_table *t = &tables[m->scheme];
	if (portion)
		puts_(&o, "(");
	puts_(&o, portion ? t->abbr[m->level] : t->full[m->level]);
	if (m->compartments != 0) {
		const char *sep = "//";
		for (unsigned i = 0; i < 64; i++) {
			if (!((m->compartments >> i) & 1u))
				continue;
			if (i >= s->ncompartments) {
				out[0] = 0;
				return -1;
			}
			puts_(&o, sep);
			puts_(&o, s->compartments[i]);
			sep = "/";
		}
	}
	if (m->flags & MARKING_ORCON)
		puts_(&o, "//ORCON");
	if (m->flags & MARKING_NOFORN) {
		puts_(&o, "//NOFORN");
	} else if (!(m->flags & MARKING_REL_ALL)) {
		unsigned n = count_bits(m->release, MARKING_COUNTRY_WORDS);
		if (n == 0) {
			out[0] = 0;
			return -1;
		}
		puts_(&o, n == 1 ? "//" : "//REL TO ");
		const char *sep = "";
		for (unsigned i = 0; i < COUNTRY_CODES_COUNT; i++) {
			if (!has_bit(m->release, i))
				continue;
			puts_(&o, sep);
			put(&o, country_codes[i], 3);
			sep = ", ";
		}
		if (n == 1)
			puts_(&o, eyes_only);
	}
	if (portion)
		puts_(&o, ")");
	if (o.overflow) {
		out[0] = 0;
		return -1;
	}
	return (int)o.len;
}

bool marking_equal(const struct marking *a, const struct marking *b)
{
	return a->scheme == b->scheme && a->level == b->level && a->flags == b->flags &&
	       a->compartments == b->compartments &&
	       memcmp(a->release, b->release, sizeof a->release) == 0;
}

enum marking_dominance marking_dominance(const struct marking *a, const struct marking *b)
{
	if (a->scheme != b->scheme)
		return MARKING_DOM_SCHEME;
	if (a->level < b->level)
		return MARKING_DOM_LEVEL;
	if ((b->compartments & ~a->compartments) != 0)
		return MARKING_DOM_COMPARTMENTS;
	unsigned caveats = MARKING_ORCON | MARKING_NOFORN;
	if ((b->flags & ~a->flags & caveats) != 0)
		return MARKING_DOM_CAVEATS;
	/* release(a) ⊆ release(b); REL_ALL is the set of every nation. */
	if (b->flags & MARKING_REL_ALL)
		return MARKING_DOM_YES;
	if (a->flags & MARKING_REL_ALL)
		return MARKING_DOM_RELEASE;
	for (size_t i = 0; i < MARKING_COUNTRY_WORDS; i++)
		if ((a->release[i] & ~b->release[i]) != 0)
			return MARKING_DOM_RELEASE;
	return MARKING_DOM_YES;
}

bool marking_dominates(const struct marking *a, const struct marking *b)
{
	return marking_dominance(a, b) == MARKING_DOM_YES;
}

const char *marking_dominance_name(enum marking_dominance d)
{
	switch (d) {
	case MARKING_DOM_YES:
		return "dominates";
	case MARKING_DOM_SCHEME:
		return "different schemes";
	case MARKING_DOM_LEVEL:
		return "lower level";
	case MARKING_DOM_COMPARTMENTS:
		return "missing compartments";
	case MARKING_DOM_CAVEATS:
		return "missing handling caveats";
	case MARKING_DOM_RELEASE:
		return "wider release list";
	}
	return "?";
}

enum marking_result marking_combine(const struct marking_scheme *s, const struct marking *a,
                                    const struct marking *b, struct marking *out)
{
	if (a->scheme != b->scheme || a->scheme != (uint8_t)s->kind)
		return MARKING_ERR_SCHEME;
	struct marking r;
	memset(&r, 0, sizeof r);
	r.scheme = a->scheme;
	r.level = a->level > b->level ? a->level : b->level;
	r.compartments = a->compartments | b->compartments;
	r.flags = (uint8_t)((a->flags | b->flags) & (MARKING_ORCON | MARKING_NOFORN));
	if ((a->flags & MARKING_REL_ALL) && (b->flags & MARKING_REL_ALL)) {
		r.flags |= MARKING_REL_ALL;
	} else if (a->flags & MARKING_REL_ALL) {
		memcpy(r.release, b->release, sizeof r.release);
	} else if (b->flags & MARKING_REL_ALL) {
		memcpy(r.release, a->release, sizeof r.release);
	} else {
		for (size_t i = 0; i < MARKING_COUNTRY_WORDS; i++)
			r.release[i] = a->release[i] & b->release[i];
		if (count_bits(r.release, MARKING_COUNTRY_WORDS) == 0)
			return MARKING_ERR_NO_RELEASE;
	}
	if (count_bits(&r.compartments, 1) > MARKING_COMPARTMENTS_MAX)
		return MARKING_ERR_TOO_LONG;
	if (canonical_len(s, &r) > MARKING_TEXT_MAX)
		return MARKING_ERR_TOO_LONG;
	*out = r;
	return MARKING_OK;
}

bool marking_releasable_to(const struct marking *m, uint16_t c)
{
	if (m->flags & MARKING_REL_ALL)
		return true;
	return c < COUNTRY_CODES_COUNT && has_bit(m->release, c);
}
