/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_marking: core/marking — every scheme's order, compartments, caveats,
 * release lists (REL TO, EYES ONLY, NOFORN), dominates and combine as
 * docs/internals/rules.md states them, malformed inputs with their error positions, and
 * properties on random markings (canonical round trip, dominance a partial
 * order, combine the least upper bound).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/marking/marking.h"
#include "t.h"

#include "lib/banned.h"

static struct marking_scheme uk, us, tlp, nocountry;

static const struct marking_scheme *scheme_of(char k)
{
	switch (k) {
	case 'k':
		return &uk;
	case 's':
		return &us;
	case 't':
		return &tlp;
	default:
		return &nocountry;
	}
}

static bool parse(const struct marking_scheme *s, const char *text, struct marking *m)
{
	struct marking_error err;
	return marking_parse(s, text, strlen(text), m, &err) == MARKING_OK;
}

/* Parses or fails the test run (for fixtures that must parse). */
static struct marking P(const struct marking_scheme *s, const char *text) {
	struct marking m;
	struct marking_error err;
	if (marking_parse(s, text, strlen(text), &m, &err) != MARKING_OK) {
		T_OK(0, "fixture '%s' parses: %s", text, err.msg);
		memset(&m, 0, sizeof m);
	}
	return m;
}

static const char *
F(const struct marking_scheme *s, const struct marking *m)
{
	static char out[4][MARKING_TEXT_MAX + 3];
	static int k;
	k = (k + 1) % 4;
	if (marking_format(s, m, false, out[k], sizeof out[k]) < 0)
		return "(unformattable)";
	return out[k];
}

static void test_schemes(void)
{
	struct marking_error err;
	T_CHECK(marking_scheme_init(&uk, MARKING_UK, "HUMINT, SIGINT,SOURCE , TALENT-KEYHOLE",
	                            "GBR", &err) == MARKING_OK);
	T_CHECK(uk.ncompartments == 4 && strcmp(uk.compartments[0], "HUMINT") == 0 &&
	        strcmp(uk.compartments[3], "TALENT-KEYHOLE") == 0);
	T_CHECK(marking_scheme_init(&us, MARKING_US, "TK,SI,HCS", "USA", &err) == MARKING_OK);
	T_CHECK(strcmp(us.compartments[0], "HCS") == 0 && strcmp(us.compartments[2], "TK") == 0);
	T_CHECK(marking_scheme_init(&tlp, MARKING_TLP, NULL, NULL, &err) == MARKING_OK);
	T_CHECK(marking_scheme_init(&nocountry, MARKING_UK, "", NULL, &err) == MARKING_OK &&
	        nocountry.country == MARKING_COUNTRY_NONE);

	struct marking_scheme x;
	static const struct {
		const char *comps, *country;
		const char *msg;
	} bad[] = {
	        {"HUMINT,humint", "GBR", "expected a codeword"},
	        {"HUMINT,HUMINT", "GBR", "declared twice"},
	        {"ORCON", "GBR", "is a caveat"},
	        {"A,", "GBR", "after ','"},
	        {",A", "GBR", "expected a codeword"},
	        {"A B", "GBR", "expected ','"},
	        {"1ABC", "GBR", "expected a codeword"},
	        {"ABCDEFGHIJKLMNOPQRSTUVWXY", "GBR", "at most 24"},
	        {"A", "XXX", "ISO 3166-1"},
	        {"A", "gbr", "ISO 3166-1"},
	        {"A", "GB", "ISO 3166-1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		T_OK(marking_scheme_init(&x, MARKING_UK, bad[i].comps, bad[i].country, &err) !=
		                     MARKING_OK &&
		             strstr(err.msg, bad[i].msg) != NULL,
		     "scheme '%s' country %s refused: %s", bad[i].comps, bad[i].country, err.msg);
	/* The bound on declared compartments. */
	char many[MARKING_DECLARED_MAX * 5 + 8] = "";
	size_t off = 0;
	for (int i = 0; i <= MARKING_DECLARED_MAX; i++) {
		many[off++] = 'A' + (char)(i / 26);
		many[off++] = 'A' + (char)(i % 26);
		many[off++] = ',';
	}
	many[off - 1] = 0;
	T_CHECK(marking_scheme_init(&x, MARKING_UK, many, NULL, &err) == MARKING_ERR_TOO_LONG);
	many[off - 4] = 0; /* one fewer */
	T_CHECK(marking_scheme_init(&x, MARKING_UK, many, NULL, &err) == MARKING_OK &&
	        x.ncompartments == MARKING_DECLARED_MAX);
	T_CHECK(marking_scheme_kind_parse("uk") == MARKING_UK &&
	        marking_scheme_kind_parse("us") == MARKING_US &&
	        marking_scheme_kind_parse("tlp") == MARKING_TLP &&
	        marking_scheme_kind_parse("UK") == -1 && marking_scheme_kind_parse("nato") == -1);
	T_CHECK(marking_country_find("GBR", 3) != MARKING_COUNTRY_NONE &&
	        strcmp(marking_country_code(marking_country_find("ZWE", 3)), "ZWE") == 0 &&
	        strcmp(marking_country_code(marking_country_find("ABW", 3)), "ABW") == 0 &&
	        marking_country_find("UKK", 3) == MARKING_COUNTRY_NONE &&
	        marking_country_find("GB", 2) == MARKING_COUNTRY_NONE);
}

/* Canonical forms: scheme, input, canonical banner, canonical portion. */
static const struct {
	char scheme;
	const char *in, *canon, *portion;
} canon_cases[] = {
        {'k', "OFFICIAL", "OFFICIAL", "(O)"},
        {'k', "SECRET", "SECRET", "(S)"},
        {'k', "TOP SECRET", "TOP SECRET", "(TS)"},
        {'k', "(O)", "OFFICIAL", "(O)"},
        {'k', "(S)", "SECRET", "(S)"},
        {'k', "(TS//HUMINT)", "TOP SECRET//HUMINT", "(TS//HUMINT)"},
        {'k', "(SECRET)", "SECRET", "(S)"},
        /* the abbreviation without parentheses: the same marking everywhere (issue 17) */
        {'k', "S", "SECRET", "(S)"},
        {'k', "S//HUMINT", "SECRET//HUMINT", "(S//HUMINT)"},
        {'k', "TS//HUMINT//NOFORN", "TOP SECRET//HUMINT//NOFORN", "(TS//HUMINT//NOFORN)"},
        {'k', "SECRET//HUMINT//REL TO GBR, USA", "SECRET//HUMINT//REL TO GBR, USA",
         "(S//HUMINT//REL TO GBR, USA)"},
        {'k', "SECRET//HUMINT//REL TO USA,GBR", "SECRET//HUMINT//REL TO GBR, USA", NULL},
        {'k', "TOP SECRET//SIGINT/HUMINT//NOFORN", "TOP SECRET//HUMINT/SIGINT//NOFORN",
         "(TS//HUMINT/SIGINT//NOFORN)"},
        {'k', "SECRET//ORCON//GBR EYES ONLY", "SECRET//ORCON//GBR EYES ONLY", NULL},
        {'k', "SECRET//ORCON/GBR EYES ONLY", "SECRET//ORCON//GBR EYES ONLY", NULL},
        {'k', "SECRET//REL TO GBR", "SECRET//GBR EYES ONLY", NULL},
        {'k', "SECRET//NOFORN/ORCON", "SECRET//ORCON//NOFORN", NULL},
        {'k', "SECRET//REL TO USA, AUS, CAN, NZL, GBR", "SECRET//REL TO AUS, CAN, GBR, NZL, USA",
         NULL},
        {'k', "SECRET//TALENT-KEYHOLE/SOURCE", "SECRET//SOURCE/TALENT-KEYHOLE", NULL},
        {'k', "OFFICIAL//ORCON", "OFFICIAL//ORCON", "(O//ORCON)"},
        {'s', "UNCLASSIFIED", "UNCLASSIFIED", "(U)"},
        {'s', "CONFIDENTIAL//REL TO USA, GBR", "CONFIDENTIAL//REL TO GBR, USA", NULL},
        {'s', "(C)", "CONFIDENTIAL", "(C)"},
        {'s', "(TS//SI/TK//NOFORN)", "TOP SECRET//SI/TK//NOFORN", "(TS//SI/TK//NOFORN)"},
        {'s', "SECRET//HCS//ORCON//NOFORN", "SECRET//HCS//ORCON//NOFORN", NULL},
        {'t', "TLP:CLEAR", "TLP:CLEAR", "(TLP:CLEAR)"},
        {'t', "GREEN", "TLP:GREEN", "(TLP:GREEN)"},
        {'t', "TLP:AMBER", "TLP:AMBER", NULL},
        {'t', "AMBER+STRICT", "TLP:AMBER+STRICT", NULL},
        {'t', "(TLP:RED)", "TLP:RED", "(TLP:RED)"},
        {'t', "(RED)", "TLP:RED", NULL},
        {'t', "TLP:AMBER//REL TO DEU, FRA", "TLP:AMBER//REL TO DEU, FRA", NULL},
};

static void test_canon(void)
{
	for (size_t i = 0; i < sizeof canon_cases / sizeof canon_cases[0]; i++) {
		const struct marking_scheme *s = scheme_of(canon_cases[i].scheme);
		struct marking m, again;
		struct marking_error err;
		char out[MARKING_TEXT_MAX + 3];
		enum marking_result rc =
		        marking_parse(s, canon_cases[i].in, strlen(canon_cases[i].in), &m, &err);
		int n = rc == MARKING_OK ? marking_format(s, &m, false, out, sizeof out) : -1;
		T_OK(n > 0 && strcmp(out, canon_cases[i].canon) == 0,
		     "canon '%s' -> '%s' (got '%s' %s)", canon_cases[i].in, canon_cases[i].canon,
		     n > 0 ? out : "", err.msg);
		T_OK(n > 0 && parse(s, out, &again) && marking_equal(&m, &again) &&
		             memcmp(&m, &again, sizeof m) == 0,
		     "'%s' parses back to the same marking", canon_cases[i].canon);
		if (canon_cases[i].portion != NULL) {
			n = marking_format(s, &m, true, out, sizeof out);
			T_OK(n > 0 && strcmp(out, canon_cases[i].portion) == 0 &&
			             parse(s, out, &again) && marking_equal(&m, &again),
			     "portion of '%s' is '%s' and parses back", canon_cases[i].in,
			     canon_cases[i].portion);
		}
	}
}

/* Malformed: scheme, input, error position, a piece of the message. */
static const struct {
	char scheme;
	const char *in;
	size_t pos;
	const char *msg;
	enum marking_result rc;
} bad_cases[] = {
        {'k', "", 0, "expected a uk level (OFFICIAL, SECRET, TOP SECRET; or O, S, TS)",
         MARKING_ERR_SYNTAX},
        {'k', "secret", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "RESTRICTED", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "CONFIDENTIAL", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', " SECRET", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "SECRET ", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "TOP  SECRET", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "SECRET//", 8, "expected a compartment or a caveat", MARKING_ERR_SYNTAX},
        {'k', "SECRET//X", 8, "X is not a declared compartment", MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT/", 15, "expected a compartment", MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT/X", 15, "X is not declared", MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT/ORCON", 15, "'//' goes before a caveat", MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT/HUMINT", 15, "HUMINT repeated", MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT//", 16, "expected a caveat", MARKING_ERR_SYNTAX},
        {'k', "SECRET//ORCON//HUMINT", 15, "compartments come right after the level",
         MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT//SIGINT", 16, "compartments come right after the level",
         MARKING_ERR_SYNTAX},
        {'k', "SECRET//HUMINT///ORCON", 16, "expected a caveat", MARKING_ERR_SYNTAX},
        {'k', "SECRET//ORCON//ORCON", 15, "ORCON repeated", MARKING_ERR_SYNTAX},
        {'k', "SECRET//NOFORN/NOFORN", 15, "NOFORN repeated", MARKING_ERR_SYNTAX},
        {'k', "SECRET//NOFORN//REL TO GBR", 16, "NOFORN excludes", MARKING_ERR_SYNTAX},
        {'k', "SECRET//GBR EYES ONLY//NOFORN", 23, "NOFORN excludes", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR//USA EYES ONLY", 20, "a second release list", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO ", 15, "expected a country code", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GB", 15, "expected a country code", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO gbr", 15, "expected a country code", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR, UKK", 20, "UKK is not an ISO 3166-1 alpha-3",
         MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR,", 19, "expected a country code", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR;USA", 18, "expected ',' or the end", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR,  USA", 20, "expected a country code", MARKING_ERR_SYNTAX},
        {'k', "SECRET//REL TO GBR, GBR", 20, "GBR repeated", MARKING_ERR_SYNTAX},
        {'k', "SECRET//XXX EYES ONLY", 8, "XXX is not an ISO", MARKING_ERR_SYNTAX},
        {'k', "SECRET//EYES ONLY", 8, "not 'EYES ONLY'", MARKING_ERR_SYNTAX},
        {'k', "SECRET/HUMINT", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "(S", 2, "expected ')'", MARKING_ERR_SYNTAX},
        {'k', "(", 1, "expected ')'", MARKING_ERR_SYNTAX},
        {'k', "()", 1, "expected a uk level (OFFICIAL, SECRET, TOP SECRET; or O, S, TS)",
         MARKING_ERR_SYNTAX},
        {'k', "(X)", 1, "expected a uk level (OFFICIAL, SECRET, TOP SECRET; or O, S, TS)",
         MARKING_ERR_SYNTAX},
        {'k', "(S//HUMINT//)", 12, "expected a caveat", MARKING_ERR_SYNTAX},
        {'k', "S)", 0, "expected a uk level", MARKING_ERR_SYNTAX},
        {'k', "SECRET//SECRET", 8, "expected a compartment or a caveat", MARKING_ERR_SYNTAX},
        {'k', "SECRET//\x1b[0m", 8, "expected a compartment or a caveat", MARKING_ERR_SYNTAX},
        {'s', "OFFICIAL", 0, "expected a us level (UNCLASSIFIED, CONFIDENTIAL", MARKING_ERR_SYNTAX},
        {'s', "(O)", 1,
         "expected a us level (UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP SECRET; or U, C, S, TS)",
         MARKING_ERR_SYNTAX},
        {'s', "SECRET//HUMINT", 8, "HUMINT is not a declared compartment", MARKING_ERR_SYNTAX},
        {'t', "AMBER+", 0, "expected a tlp level", MARKING_ERR_SYNTAX},
        {'t', "TLP:WHITE", 0, "expected a tlp level", MARKING_ERR_SYNTAX},
        {'t', "TLP:AMBER//NOFORN", 11, "NOFORN needs the instance's country", MARKING_ERR_SYNTAX},
        {'n', "SECRET//NOFORN", 8, "NOFORN needs the instance's country", MARKING_ERR_SYNTAX},
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct marking_scheme *s = scheme_of(bad_cases[i].scheme);
		struct marking m;
		struct marking_error err;
		memset(&m, 0xa5, sizeof m);
		enum marking_result rc =
		        marking_parse(s, bad_cases[i].in, strlen(bad_cases[i].in), &m, &err);
		char at[32];
		(void)snprintf(at, sizeof at, "at %zu: ", bad_cases[i].pos);
		struct marking zero;
		memset(&zero, 0, sizeof zero);
		T_OK(rc == bad_cases[i].rc && err.pos == bad_cases[i].pos &&
		             strncmp(err.msg, at, strlen(at)) == 0 &&
		             strstr(err.msg, bad_cases[i].msg) != NULL &&
		             memcmp(&m, &zero, sizeof m) == 0,
		     "malformed '%s': want '%s%s', got '%s'", bad_cases[i].in, at, bad_cases[i].msg,
		     err.msg);
	}
	/* Control bytes are never echoed in a message. */
	struct marking m;
	struct marking_error err;
	T_CHECK(marking_parse(&uk, "SECRET//\x1b[0m", 12, &m, &err) != MARKING_OK &&
	        strchr(err.msg, 0x1b) == NULL);
	/* A NUL byte inside the length is an error, not an end. */
	T_CHECK(marking_parse(&uk, "SECRET\0//ORCON", 14, &m, &err) == MARKING_ERR_SYNTAX);
}

static void test_bounds(void)
{
	struct marking m;
	struct marking_error err;
	char text[MARKING_TEXT_MAX + 16];

	/* Length: 255 bytes parse (if valid), 256 never. */
	memset(text, 0, sizeof text);
	memcpy(text, "SECRET//REL TO ", 15);
	size_t off = 15;
	/* 32 countries: "ABW, AFG, ..." = 32*5-2 bytes. */
	for (uint16_t c = 0; c < MARKING_COUNTRIES_MAX; c++) {
		if (c)
			memcpy(text + off, ", ", 2), off += 2;
		memcpy(text + off, marking_country_code(c), 3);
		off += 3;
	}
	T_OK(marking_parse(&uk, text, off, &m, &err) == MARKING_OK, "32 countries: %s", err.msg);
	memcpy(text + off, ", ZWE", 5);
	T_OK(marking_parse(&uk, text, off + 5, &m, &err) == MARKING_ERR_TOO_LONG &&
	             err.pos == off + 2 && strstr(err.msg, "more than 32 countries") != NULL,
	     "33 countries refused: %s", err.msg);

	memset(text, 'A', sizeof text);
	T_CHECK(marking_parse(&uk, text, MARKING_TEXT_MAX + 1, &m, &err) == MARKING_ERR_TOO_LONG &&
	        err.pos == MARKING_TEXT_MAX);
	text[0] = '(';
	T_CHECK(marking_parse(&uk, text, MARKING_TEXT_MAX + 3, &m, &err) == MARKING_ERR_TOO_LONG);

	/* 16 compartments, not 17. */
	struct marking_scheme wide;
	char decl[MARKING_DECLARED_MAX * 8];
	off = 0;
	for (int i = 0; i < 20; i++) {
		decl[off++] = 'C';
		decl[off++] = (char)('A' + i);
		decl[off++] = ',';
	}
	decl[off - 1] = 0;
	T_CHECK(marking_scheme_init(&wide, MARKING_UK, decl, "GBR", &err) == MARKING_OK);
	memcpy(text, "SECRET//", 8);
	off = 8;
	for (int i = 0; i < 17; i++) {
		if (i)
			text[off++] = '/';
		text[off++] = 'C';
		text[off++] = (char)('A' + i);
	}
	T_CHECK(marking_parse(&wide, text, off - 3, &m, &err) == MARKING_OK);
	T_OK(marking_parse(&wide, text, off, &m, &err) == MARKING_ERR_TOO_LONG &&
	             strstr(err.msg, "more than 16 compartments") != NULL,
	     "17 compartments refused: %s", err.msg);
	/* combine refuses a union past 16 compartments. */
	struct marking a = P(&wide, "SECRET//CA/CB/CC/CD/CE/CF/CG/CH/CI"),
	               b = P(&wide, "SECRET//CJ/CK/CL/CM/CN/CO/CP/CQ/CR");
	T_CHECK(marking_combine(&wide, &a, &b, &m) == MARKING_ERR_TOO_LONG);

	/* The canonical form must fit too: long codewords x 16 > 255 bytes. */
	struct marking_scheme longw;
	off = 0;
	for (int i = 0; i < 16; i++) {
		memset(decl + off, 'A' + i, 20);
		off += 20;
		decl[off++] = ',';
	}
	decl[off - 1] = 0;
	T_CHECK(marking_scheme_init(&longw, MARKING_UK, decl, "GBR", &err) == MARKING_OK);
	memcpy(text, "SECRET//", 8);
	off = 8;
	for (int i = 0; i < 11; i++) { /* 8 + 11*21 - 1 = 238 bytes */
		if (i)
			text[off++] = '/';
		memset(text + off, 'A' + i, 20);
		off += 20;
	}
	T_OK(marking_parse(&longw, text, off, &m, &err) == MARKING_OK, "238 bytes: %s", err.msg);
	memcpy(text + off, "//ORCON//REL TO GBR, USA", 24);
	T_OK(marking_parse(&longw, text, off + 24, &m, &err) == MARKING_ERR_TOO_LONG,
	     "a 262-byte marking refused: %s", err.msg);
	a = P(&longw, "SECRET//AAAAAAAAAAAAAAAAAAAA/BBBBBBBBBBBBBBBBBBBB/CCCCCCCCCCCCCCCCCCCC/"
	              "DDDDDDDDDDDDDDDDDDDD/EEEEEEEEEEEEEEEEEEEE/FFFFFFFFFFFFFFFFFFFF");
	b = P(&longw, "SECRET//GGGGGGGGGGGGGGGGGGGG/HHHHHHHHHHHHHHHHHHHH/IIIIIIIIIIIIIIIIIIII/"
	              "JJJJJJJJJJJJJJJJJJJJ/KKKKKKKKKKKKKKKKKKKK/LLLLLLLLLLLLLLLLLLLL");
	T_CHECK(marking_combine(&longw, &a, &b, &m) == MARKING_ERR_TOO_LONG);
	char small[8];
	T_CHECK(marking_format(&longw, &a, false, small, sizeof small) == -1 && small[0] == 0);
}

static void test_order(void)
{
	static const struct {
		char scheme;
		const char *levels[5];
	} orders[] = {
	        {'k', {"OFFICIAL", "SECRET", "TOP SECRET"}},
	        {'s', {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"}},
	        {'t', {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}},
	};
	for (size_t k = 0; k < 3; k++) {
		const struct marking_scheme *s = scheme_of(orders[k].scheme);
		int ok = 1;
		for (int i = 0; i < 5 && orders[k].levels[i]; i++) {
			for (int j = 0; j < 5 && orders[k].levels[j]; j++) {
				struct marking a = P(s, orders[k].levels[i]);
				struct marking b = P(s, orders[k].levels[j]);
				ok &= marking_dominates(&a, &b) == (i >= j);
				ok &= marking_dominance(&a, &b) ==
				      (i >= j ? MARKING_DOM_YES : MARKING_DOM_LEVEL);
				struct marking c;
				ok &= marking_combine(s, &a, &b, &c) == MARKING_OK &&
				      c.level == (i > j ? i : j);
			}
		}
		T_OK(ok, "scheme %s: levels in order, dominance and combine follow it",
		     marking_scheme_kind_name(s->kind));
	}
	/* Different schemes never dominate each other. */
	struct marking a = P(&uk, "TOP SECRET"), b = P(&us, "UNCLASSIFIED"), c;
	T_CHECK(marking_dominance(&a, &b) == MARKING_DOM_SCHEME && !marking_dominates(&b, &a));
	T_CHECK(marking_combine(&uk, &a, &b, &c) == MARKING_ERR_SCHEME);
	/* A marking of another kind does not format under this scheme. */
	char out[64];
	T_CHECK(marking_format(&uk, &b, false, out, sizeof out) == -1);
}

/* dominates A B: scheme, A, B, expected answer. */
static const struct {
	char scheme;
	const char *a, *b;
	enum marking_dominance want;
} dom_cases[] = {
        {'k', "SECRET//HUMINT", "SECRET", MARKING_DOM_YES},
        {'k', "SECRET", "SECRET//HUMINT", MARKING_DOM_COMPARTMENTS},
        {'k', "TOP SECRET//HUMINT/SIGINT", "SECRET//HUMINT", MARKING_DOM_YES},
        {'k', "TOP SECRET//HUMINT", "SECRET//SIGINT", MARKING_DOM_COMPARTMENTS},
        {'k', "SECRET//HUMINT/SIGINT", "TOP SECRET//HUMINT", MARKING_DOM_LEVEL},
        /* Release: A's list ⊆ B's; no list = every nation. */
        {'k', "SECRET//REL TO GBR", "SECRET", MARKING_DOM_YES},
        {'k', "SECRET", "SECRET//REL TO GBR, USA", MARKING_DOM_RELEASE},
        {'k', "SECRET//REL TO GBR, USA", "SECRET//REL TO AUS, GBR, USA", MARKING_DOM_YES},
        {'k', "SECRET//REL TO AUS, GBR, USA", "SECRET//REL TO GBR, USA", MARKING_DOM_RELEASE},
        {'k', "SECRET//REL TO GBR, FRA", "SECRET//REL TO GBR, USA", MARKING_DOM_RELEASE},
        {'k', "SECRET//GBR EYES ONLY", "SECRET//REL TO GBR, USA", MARKING_DOM_YES},
        {'k', "SECRET//USA EYES ONLY", "SECRET//GBR EYES ONLY", MARKING_DOM_RELEASE},
        /* NOFORN: release list {GBR} (the instance's country), and a caveat. */
        {'k', "SECRET//NOFORN", "SECRET//REL TO GBR, USA", MARKING_DOM_YES},
        {'k', "SECRET//NOFORN", "SECRET", MARKING_DOM_YES},
        {'k', "SECRET//NOFORN", "SECRET//USA EYES ONLY", MARKING_DOM_RELEASE},
        {'k', "SECRET//NOFORN", "SECRET//GBR EYES ONLY", MARKING_DOM_YES},
        {'k', "SECRET//GBR EYES ONLY", "SECRET//NOFORN", MARKING_DOM_CAVEATS},
        {'k', "SECRET//REL TO GBR, USA", "SECRET//NOFORN", MARKING_DOM_CAVEATS},
        /* ORCON: a caveat a dominating marking must keep. */
        {'k', "SECRET//ORCON", "SECRET", MARKING_DOM_YES},
        {'k', "SECRET", "SECRET//ORCON", MARKING_DOM_CAVEATS},
        {'k', "TOP SECRET//HUMINT//ORCON//NOFORN", "SECRET//ORCON//REL TO GBR, USA",
         MARKING_DOM_YES},
        {'s', "TOP SECRET//SI/TK//NOFORN", "(S//SI//REL TO GBR, USA)", MARKING_DOM_YES},
        {'s', "SECRET//NOFORN", "SECRET//REL TO GBR", MARKING_DOM_RELEASE}, /* USA owner */
        {'t', "TLP:RED", "TLP:AMBER+STRICT", MARKING_DOM_YES},
        {'t', "TLP:AMBER", "TLP:AMBER+STRICT", MARKING_DOM_LEVEL},
};

static void test_dominates(void)
{
	for (size_t i = 0; i < sizeof dom_cases / sizeof dom_cases[0]; i++) {
		const struct marking_scheme *s = scheme_of(dom_cases[i].scheme);
		struct marking a = P(s, dom_cases[i].a), b = P(s, dom_cases[i].b);
		enum marking_dominance d = marking_dominance(&a, &b);
		T_OK(d == dom_cases[i].want &&
		             marking_dominates(&a, &b) == (dom_cases[i].want == MARKING_DOM_YES),
		     "'%s' vs '%s': %s (got %s)", dom_cases[i].a, dom_cases[i].b,
		     marking_dominance_name(dom_cases[i].want), marking_dominance_name(d));
	}
}

/* combine: scheme, A, B, canonical result (NULL: MARKING_ERR_NO_RELEASE). */
static const struct {
	char scheme;
	const char *a, *b, *want;
} comb_cases[] = {
        {'k', "SECRET//HUMINT", "TOP SECRET//SIGINT", "TOP SECRET//HUMINT/SIGINT"},
        {'k', "OFFICIAL", "OFFICIAL", "OFFICIAL"},
        {'k', "SECRET//REL TO GBR, USA", "SECRET//REL TO AUS, GBR, USA", "SECRET//REL TO GBR, USA"},
        {'k', "SECRET//REL TO GBR, USA, FRA", "OFFICIAL//REL TO USA, FRA, DEU",
         "SECRET//REL TO FRA, USA"},
        {'k', "SECRET//REL TO GBR, USA", "SECRET//REL TO USA, AUS", "SECRET//USA EYES ONLY"},
        {'k', "SECRET//REL TO GBR, USA", "SECRET", "SECRET//REL TO GBR, USA"},
        {'k', "SECRET", "SECRET//REL TO GBR, USA", "SECRET//REL TO GBR, USA"},
        {'k', "SECRET//GBR EYES ONLY", "SECRET//REL TO GBR, USA", "SECRET//GBR EYES ONLY"},
        {'k', "SECRET//GBR EYES ONLY", "SECRET//USA EYES ONLY", NULL},
        {'k', "SECRET//REL TO FRA, DEU", "SECRET//REL TO GBR, USA", NULL},
        /* NOFORN and ORCON propagate. */
        {'k', "SECRET//NOFORN", "OFFICIAL", "SECRET//NOFORN"},
        {'k', "OFFICIAL//NOFORN", "TOP SECRET//HUMINT//REL TO GBR, USA",
         "TOP SECRET//HUMINT//NOFORN"},
        {'k', "SECRET//NOFORN", "SECRET//GBR EYES ONLY", "SECRET//NOFORN"},
        {'k', "SECRET//NOFORN", "SECRET//REL TO USA, AUS", NULL},
        {'k', "SECRET//ORCON", "OFFICIAL//HUMINT", "SECRET//HUMINT//ORCON"},
        {'k', "SECRET//ORCON//REL TO GBR, USA", "SECRET//NOFORN", "SECRET//ORCON//NOFORN"},
        {'k', "(S//HUMINT//ORCON)", "(TS//SIGINT//REL TO GBR, USA)",
         "TOP SECRET//HUMINT/SIGINT//ORCON//REL TO GBR, USA"},
        {'s', "(C//NOFORN)", "(S//SI//REL TO USA, GBR)", "SECRET//SI//NOFORN"},
        {'t', "TLP:GREEN", "TLP:AMBER+STRICT", "TLP:AMBER+STRICT"},
        {'t', "TLP:RED", "TLP:CLEAR", "TLP:RED"},
};

static void test_combine(void)
{
	for (size_t i = 0; i < sizeof comb_cases / sizeof comb_cases[0]; i++) {
		const struct marking_scheme *s = scheme_of(comb_cases[i].scheme);
		struct marking a = P(s, comb_cases[i].a), b = P(s, comb_cases[i].b), c, d;
		enum marking_result rc = marking_combine(s, &a, &b, &c);
		enum marking_result rc2 = marking_combine(s, &b, &a, &d);
		if (comb_cases[i].want == NULL) {
			T_OK(rc == MARKING_ERR_NO_RELEASE && rc2 == MARKING_ERR_NO_RELEASE,
			     "combine '%s' + '%s': no nation in common", comb_cases[i].a,
			     comb_cases[i].b);
			continue;
		}
		T_OK(rc == MARKING_OK && strcmp(F(s, &c), comb_cases[i].want) == 0 && rc2 == rc &&
		             marking_equal(&c, &d) && marking_dominates(&c, &a) &&
		             marking_dominates(&c, &b),
		     "combine '%s' + '%s' = '%s' (got '%s'), commutes, dominates both",
		     comb_cases[i].a, comb_cases[i].b, comb_cases[i].want,
		     rc == MARKING_OK ? F(s, &c) : "error");
	}
	/* out may alias an input. */
	struct marking a = P(&uk, "SECRET//REL TO GBR, USA"), b = P(&uk, "TOP SECRET//NOFORN");
	T_CHECK(marking_combine(&uk, &a, &b, &a) == MARKING_OK &&
	        strcmp(F(&uk, &a), "TOP SECRET//NOFORN") == 0);
	/* A failed combine leaves out untouched. */
	struct marking x = P(&uk, "SECRET//USA EYES ONLY"), keep = a;
	T_CHECK(marking_combine(&uk, &a, &x, &a) == MARKING_ERR_NO_RELEASE &&
	        marking_equal(&a, &keep));
}

static void test_releasable(void)
{
	uint16_t gbr = marking_country_find("GBR", 3), usa = marking_country_find("USA", 3),
	         fra = marking_country_find("FRA", 3);
	struct marking m = P(&uk, "SECRET//REL TO GBR, USA");
	T_CHECK(marking_releasable_to(&m, gbr) && marking_releasable_to(&m, usa) &&
	        !marking_releasable_to(&m, fra) &&
	        !marking_releasable_to(&m, MARKING_COUNTRY_NONE));
	m = P(&uk, "SECRET");
	T_CHECK(marking_releasable_to(&m, fra) && marking_releasable_to(&m, MARKING_COUNTRY_NONE));
	m = P(&uk, "SECRET//NOFORN");
	T_CHECK(marking_releasable_to(&m, gbr) && !marking_releasable_to(&m, usa));
	m = P(&us, "SECRET//NOFORN");
	T_CHECK(!marking_releasable_to(&m, gbr) && marking_releasable_to(&m, usa));
	m = P(&uk, "SECRET//FRA EYES ONLY");
	T_CHECK(!marking_releasable_to(&m, gbr) && marking_releasable_to(&m, fra));
}

/* ---- properties on random markings ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const pool[] = {"AUS", "CAN", "DEU", "FRA", "GBR", "NZL", "USA"};

/* A random valid marking of s, built as a struct (not parsed). */
static struct marking random_marking(const struct marking_scheme *s)
{
	static const uint8_t nlevels[] = {3, 4, 5};
	struct marking m;
	memset(&m, 0, sizeof m);
	m.scheme = (uint8_t)s->kind;
	m.level = (uint8_t)(rnd() % nlevels[s->kind]);
	m.compartments = rnd() & ((1ull << s->ncompartments) - 1);
	if (rnd() % 4 == 0)
		m.flags |= MARKING_ORCON;
	uint64_t r = rnd() % 4;
	if (r == 0 && s->country != MARKING_COUNTRY_NONE) {
		m.flags |= MARKING_NOFORN;
		m.release[s->country / 64] |= 1ull << (s->country % 64);
	} else if (r == 1) {
		m.flags |= MARKING_REL_ALL;
	} else {
		unsigned n = 0;
		while (n == 0) {
			for (size_t i = 0; i < sizeof pool / sizeof pool[0]; i++) {
				if (rnd() % 2) {
					uint16_t c = marking_country_find(pool[i], 3);
					m.release[c / 64] |= 1ull << (c % 64);
					n++;
				}
			}
		}
	}
	return m;
}

static void test_properties(void)
{
	const struct marking_scheme *schemes[] = {&uk, &us, &tlp};
	int roundtrip = 1, portion = 1, reflexive = 1, antisym = 1, transitive = 1, upper = 1,
	    least = 1, assoc = 1, trans_checked = 0, least_checked = 0;
	for (int k = 0; k < 3; k++) {
		const struct marking_scheme *s = schemes[k];
		for (int i = 0; i < 20000; i++) {
			struct marking a = random_marking(s), b = random_marking(s),
			               c = random_marking(s), x, ab, bc, abc1, abc2;
			char out[MARKING_TEXT_MAX + 3];
			int n = marking_format(s, &a, false, out, sizeof out);
			roundtrip &= n > 0 && parse(s, out, &x) && memcmp(&x, &a, sizeof a) == 0;
			n = marking_format(s, &a, true, out, sizeof out);
			portion &= n > 0 && parse(s, out, &x) && memcmp(&x, &a, sizeof a) == 0;
			reflexive &= marking_dominates(&a, &a);
			if (marking_dominates(&a, &b) && marking_dominates(&b, &a))
				antisym &= marking_equal(&a, &b);
			if (marking_dominates(&a, &b) && marking_dominates(&b, &c)) {
				transitive &= marking_dominates(&a, &c);
				trans_checked++;
			}
			if (marking_combine(s, &a, &b, &ab) == MARKING_OK) {
				upper &= marking_dominates(&ab, &a) && marking_dominates(&ab, &b);
				/* least: anything dominating both dominates the combination */
				if (marking_dominates(&c, &a) && marking_dominates(&c, &b)) {
					least &= marking_dominates(&c, &ab);
					least_checked++;
				}
				if (marking_combine(s, &ab, &c, &abc1) == MARKING_OK) {
					assoc &= marking_combine(s, &b, &c, &bc) == MARKING_OK &&
					         marking_combine(s, &a, &bc, &abc2) == MARKING_OK &&
					         marking_equal(&abc1, &abc2);
				}
			} else {
				/* only an empty release intersection fails here */
				upper &= !(a.flags & MARKING_REL_ALL) &&
				         !(b.flags & MARKING_REL_ALL);
			}
		}
	}
	T_OK(roundtrip, "60,000 random markings: parse(format(m)) == m");
	T_OK(portion, "60,000 random markings: parse(format_portion(m)) == m");
	T_OK(reflexive, "dominates is reflexive");
	T_OK(antisym, "dominates is antisymmetric");
	T_OK(transitive && trans_checked > 100, "dominates is transitive (%d chains)",
	     trans_checked);
	T_OK(upper, "combine dominates both inputs; fails only on disjoint release lists");
	T_OK(least && least_checked > 100, "combine is the least upper bound (%d cases)",
	     least_checked);
	T_OK(assoc, "combine is associative");
}

int main(void)
{
	test_schemes();
	test_canon();
	test_malformed();
	test_bounds();
	test_order();
	test_dominates();
	test_combine();
	test_releasable();
	test_properties();
	return t_done();
}
