/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * marking: classification markings — parse, check, canonicalise, format,
 * compare (dominates) and combine. Pure logic: no store, no allocation.
 *
 * Syntax (docs/markings.md has the whole story):
 *
 *   LEVEL[//COMPARTMENT[/COMPARTMENT...]][//CAVEAT[//CAVEAT...]]
 *
 *   SECRET//HUMINT//REL TO GBR, USA
 *   TOP SECRET//HUMINT/SIGINT//NOFORN
 *   SECRET//ORCON//GBR EYES ONLY
 *   TLP:AMBER+STRICT
 *
 * and portion markings, the same in parentheses with the level abbreviated:
 * (S), (TS//HUMINT), (O), (TLP:RED).
 *
 * Schemes and their levels, lowest first (MARKING_UK is the default):
 *   uk   OFFICIAL (O) < SECRET (S) < TOP SECRET (TS)
 *   us   UNCLASSIFIED (U) < CONFIDENTIAL (C) < SECRET (S) < TOP SECRET (TS)
 *   tlp  TLP:CLEAR < TLP:GREEN < TLP:AMBER < TLP:AMBER+STRICT < TLP:RED
 *        (the "TLP:" prefix is optional on input, always written)
 *
 * Compartments (codewords) are declared per instance in struct marking_scheme;
 * an undeclared codeword is an error. Caveats: ORCON, NOFORN, `CCC EYES ONLY`
 * and `REL TO CCC, CCC...` with ISO 3166-1 alpha-3 codes.
 *
 * The release list: a marking without REL TO / EYES ONLY / NOFORN is
 * releasable to every nation (MARKING_REL_ALL), which is distinct from any
 * explicit list. `CCC EYES ONLY` is a list of one; a list of one is always
 * written as EYES ONLY. NOFORN is a handling caveat whose release list is
 * {the instance's own country} (scheme->country); it cannot be written
 * together with REL TO or EYES ONLY (an error), and a scheme without a
 * country rejects it.
 *
 * Canonical form (marking_format): full level name; compartments sorted in
 * byte order, '/'-separated; then ORCON, NOFORN, the release list, each its
 * own "//" block; countries sorted, ", "-separated. One string per meaning:
 * parse(format(m)) == m for every marking this module produces, and every
 * such marking formats within MARKING_TEXT_MAX bytes (parse and combine
 * refuse what would not).
 *
 * Rules (docs/internals/rules.md, "Markings" and "The access decision"):
 *   dominates(A, B): level(A) >= level(B), compartments(A) ⊇ compartments(B),
 *     release(A) ⊆ release(B) (with REL_ALL the set of every nation), and
 *     caveats(A) ⊇ caveats(B) for ORCON and NOFORN (so no write-down can drop
 *     a handling caveat that combine propagates).
 *   combine(A, B): max level, union of compartments, union of ORCON/NOFORN,
 *     intersection of release lists (REL_ALL is the identity). An empty
 *     intersection is an error: nobody could read the result.
 * combine(A, B) dominates A and B and is the least marking that does.
 *
 * Two markings are only comparable when parsed with the same scheme value
 * (compartment bits index that scheme's declared list); markings of
 * different scheme kinds never dominate each other.
 *
 * Store a marking as its canonical string; marking_parse re-reads it in
 * well under a microsecond.
 */
#ifndef CUTOUT_CORE_MARKING_H
#define CUTOUT_CORE_MARKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARKING_TEXT_MAX 255        /* bytes of a marking string, without NUL */
#define MARKING_DECLARED_MAX 64     /* compartments a scheme may declare */
#define MARKING_CODEWORD_MAX 24     /* bytes of one codeword: [A-Z][A-Z0-9-]* */
#define MARKING_COMPARTMENTS_MAX 16 /* compartments in one marking */
#define MARKING_COUNTRIES_MAX 32    /* countries in one REL TO list */
#define MARKING_COUNTRY_NONE 0xffff
#define MARKING_ERR_MAX 160

enum marking_scheme_kind {
	MARKING_UK = 0,
	MARKING_US,
	MARKING_TLP,
};

/* Caveat flags of struct marking. */
#define MARKING_ORCON 0x01u
#define MARKING_NOFORN 0x02u
#define MARKING_REL_ALL 0x80u /* no release list: releasable to every nation */

/* A set of countries: bit i is country_codes[i] (indices from marking_country_find). */
#define MARKING_COUNTRY_WORDS 4

/*
 * The scheme an instance uses: kind, declared compartments (sorted, distinct)
 * and the instance's own country (for NOFORN; MARKING_COUNTRY_NONE if unset).
 * Fill it with marking_scheme_init; treat it as read-only afterwards.
 */
struct marking_scheme {
	enum marking_scheme_kind kind;
	uint16_t country;
	uint8_t ncompartments;
	char compartments[MARKING_DECLARED_MAX][MARKING_CODEWORD_MAX + 1];
};

/*
 * A parsed marking: a value (copy it freely; no pointers). Every field is
 * canonical, so two markings mean the same iff marking_equal (and memcmp,
 * since there is no implicit padding and unused bits are zero).
 */
struct marking {
	uint8_t scheme;        /* enum marking_scheme_kind */
	uint8_t level;         /* 0 = lowest level of the scheme */
	uint8_t flags;         /* MARKING_ORCON | MARKING_NOFORN | MARKING_REL_ALL */
	uint8_t reserved[5];   /* zero */
	uint64_t compartments; /* bit i: the scheme's i-th declared compartment */
	uint64_t release[MARKING_COUNTRY_WORDS]; /* zero when MARKING_REL_ALL */
};

enum marking_result {
	MARKING_OK = 0,
	MARKING_ERR_SYNTAX,     /* malformed; err says where and what was expected */
	MARKING_ERR_TOO_LONG,   /* input or canonical form over MARKING_TEXT_MAX, or a bound */
	MARKING_ERR_SCHEME,     /* markings of different schemes, or a bad scheme declaration */
	MARKING_ERR_NO_RELEASE, /* combine: the release lists have no nation in common */
};

struct marking_error {
	size_t pos;                /* byte offset (0-based) into the input where the problem is */
	char msg[MARKING_ERR_MAX]; /* "at 9: expected a compartment or a caveat" */
};

/*
 * Fills s. kind: the scheme; compartments: comma-separated codewords (spaces
 * around commas allowed; NULL or "" for none), each [A-Z][A-Z0-9-]{0,23}, not
 * a caveat word; country: an alpha-3 code or NULL for none.
 */
__attribute__((warn_unused_result)) enum marking_result
marking_scheme_init(struct marking_scheme *s, enum marking_scheme_kind kind,
                    const char *compartments, const char *country, struct marking_error *err);

/* "uk", "us", "tlp" -> kind; -1 if unknown. And back. */
int marking_scheme_kind_parse(const char *name);
const char *marking_scheme_kind_name(enum marking_scheme_kind kind);

/* Index of an ISO 3166-1 alpha-3 code (exactly 3 bytes at code), or MARKING_COUNTRY_NONE. */
uint16_t marking_country_find(const char *code, size_t len);
/* The code of an index, or NULL. */
const char *marking_country_code(uint16_t index);

/*
 * Parses text[0..len) (banner or portion form) into *out. On error *out is
 * zeroed and err (if not NULL) holds the position and what was expected.
 */
__attribute__((warn_unused_result)) enum marking_result
marking_parse(const struct marking_scheme *s, const char *text, size_t len, struct marking *out,
              struct marking_error *err);

/*
 * Writes the canonical banner form (portion: the portion form) of m, NUL-
 * terminated, into out[cap]. Returns the length, or -1 (out then "") if it does not fit
 * (never for cap > MARKING_TEXT_MAX + 2 and a marking from this module).
 */
int marking_format(const struct marking_scheme *s, const struct marking *m, bool portion, char *out,
                   size_t cap);

bool marking_equal(const struct marking *a, const struct marking *b);

/* Why a does not dominate b: the first failing rule, or MARKING_DOM_YES. */
enum marking_dominance {
	MARKING_DOM_YES = 0,
	MARKING_DOM_SCHEME,       /* different scheme kinds */
	MARKING_DOM_LEVEL,        /* level(a) < level(b) */
	MARKING_DOM_COMPARTMENTS, /* a lacks one of b's compartments */
	MARKING_DOM_CAVEATS,      /* a lacks ORCON or NOFORN that b has */
	MARKING_DOM_RELEASE,      /* a releasable to a nation b is not */
};
enum marking_dominance marking_dominance(const struct marking *a, const struct marking *b);
/* True when a dominates b (marking_dominance(a, b) == MARKING_DOM_YES). */
bool marking_dominates(const struct marking *a, const struct marking *b);
const char *marking_dominance_name(enum marking_dominance d);

/*
 * *out = combine(a, b). out may alias a or b. Fails with MARKING_ERR_SCHEME,
 * MARKING_ERR_NO_RELEASE, or MARKING_ERR_TOO_LONG when the canonical form of
 * the result would not fit MARKING_TEXT_MAX (or has too many compartments).
 */
__attribute__((warn_unused_result)) enum marking_result
marking_combine(const struct marking_scheme *s, const struct marking *a, const struct marking *b,
                struct marking *out);

/* True when m is releasable to the country index c (always for REL_ALL). */
bool marking_releasable_to(const struct marking *m, uint16_t c);

#endif
