/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_access: core/access — the one read decision. Each rule (clearance
 * level, compartments, nationality in the release list, distribution) on its
 * own and together, with the reason code; then 200,000 random cases against a
 * reference written here from the markings' strings.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/access/access.h"
#include "core/marking/marking.h"
#include "t.h"

#include "lib/banned.h"

static struct marking_scheme uk;

static struct marking P(const char *text) {
	struct marking m;
	struct marking_error err;
	if (marking_parse(&uk, text, strlen(text), &m, &err) != MARKING_OK)
		T_OK(0, "fixture '%s': %s", text, err.msg);
	return m;
}

static uint16_t
C(const char *code)
{
	return code == NULL ? MARKING_COUNTRY_NONE : marking_country_find(code, strlen(code));
}

static const int64_t dist_list[] = {3, 7, 42, 1000};

static const struct {
	const char *clearance, *nationality;
	int64_t id;
	const char *marking;
	int dist; /* 0: unrestricted, 1: dist_list, 2: empty list */
	enum access_reason want;
} cases[] = {
        {"SECRET", "GBR", 7, "SECRET", 0, ACCESS_OK},
        {"SECRET", "GBR", 7, "OFFICIAL", 0, ACCESS_OK},
        {"SECRET", "GBR", 7, "TOP SECRET", 0, ACCESS_LEVEL},
        {"OFFICIAL", "GBR", 7, "SECRET", 0, ACCESS_LEVEL},
        {"TOP SECRET//HUMINT", "GBR", 7, "SECRET//HUMINT", 0, ACCESS_OK},
        {"TOP SECRET//HUMINT", "GBR", 7, "SECRET//HUMINT/SIGINT", 0, ACCESS_COMPARTMENTS},
        {"TOP SECRET", "GBR", 7, "OFFICIAL//SIGINT", 0, ACCESS_COMPARTMENTS},
        {"SECRET//HUMINT/SIGINT", "GBR", 7, "SECRET//SIGINT", 0, ACCESS_OK},
        /* Nationality and the release list. */
        {"SECRET", "USA", 7, "SECRET//REL TO GBR, USA", 0, ACCESS_OK},
        {"SECRET", "FRA", 7, "SECRET//REL TO GBR, USA", 0, ACCESS_NATIONALITY},
        {"SECRET", "FRA", 7, "SECRET", 0, ACCESS_OK},
        {"SECRET", NULL, 7, "SECRET", 0, ACCESS_OK},
        {"SECRET", NULL, 7, "SECRET//REL TO GBR, USA", 0, ACCESS_NATIONALITY},
        {"SECRET", "GBR", 7, "SECRET//GBR EYES ONLY", 0, ACCESS_OK},
        {"SECRET", "USA", 7, "SECRET//GBR EYES ONLY", 0, ACCESS_NATIONALITY},
        {"SECRET", "GBR", 7, "SECRET//NOFORN", 0, ACCESS_OK},
        {"TOP SECRET//HUMINT", "USA", 7, "SECRET//NOFORN", 0, ACCESS_NATIONALITY},
        {"SECRET", "GBR", 7, "SECRET//ORCON", 0, ACCESS_OK},
        /* The clearance's own caveats and release list play no part. */
        {"SECRET//GBR EYES ONLY", "GBR", 7, "SECRET//REL TO GBR, USA", 0, ACCESS_OK},
        {"SECRET//NOFORN", "GBR", 7, "SECRET", 0, ACCESS_OK},
        {"SECRET", "GBR", 7, "SECRET//ORCON//NOFORN", 0, ACCESS_OK},
        /* Distribution (need-to-know). */
        {"SECRET", "GBR", 7, "SECRET", 1, ACCESS_OK},
        {"SECRET", "GBR", 3, "SECRET", 1, ACCESS_OK},
        {"SECRET", "GBR", 1000, "SECRET", 1, ACCESS_OK},
        {"SECRET", "GBR", 8, "SECRET", 1, ACCESS_DISTRIBUTION},
        {"SECRET", "GBR", 1, "SECRET", 1, ACCESS_DISTRIBUTION},
        {"SECRET", "GBR", 1001, "SECRET", 1, ACCESS_DISTRIBUTION},
        {"SECRET", "GBR", 7, "SECRET", 2, ACCESS_DISTRIBUTION},
        /* The first failing rule is reported: clearance, then nationality, then distribution. */
        {"OFFICIAL", "FRA", 8, "SECRET//REL TO GBR", 1, ACCESS_LEVEL},
        {"SECRET", "FRA", 8, "SECRET//REL TO GBR, USA", 1, ACCESS_NATIONALITY},
        /* An id <= 0 is nobody. */
        {"TOP SECRET", "GBR", 0, "OFFICIAL", 0, ACCESS_NO_SUBJECT},
        {"TOP SECRET", "GBR", -7, "OFFICIAL", 0, ACCESS_NO_SUBJECT},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct access_subject o = {.id = cases[i].id,
		                           .clearance = P(cases[i].clearance),
		                           .nationality = C(cases[i].nationality),
		                           .roles = ACCESS_ROLE_ANALYST};
		struct access_object obj = {.marking = P(cases[i].marking)};
		obj.dist_unrestricted = cases[i].dist == 0;
		if (cases[i].dist == 1) {
			obj.dist = dist_list;
			obj.ndist = sizeof dist_list / sizeof dist_list[0];
		}
		enum access_reason r = (enum access_reason)99;
		enum access_decision d = access_decide(&o, &obj, &r);
		T_OK(d == (cases[i].want == ACCESS_OK ? ACCESS_ALLOW : ACCESS_DENY) &&
		             r == cases[i].want,
		     "%s/%s id %lld reads '%s' (dist %d): %s (got %s)", cases[i].clearance,
		     cases[i].nationality ? cases[i].nationality : "-", (long long)cases[i].id,
		     cases[i].marking, cases[i].dist, access_reason_name(cases[i].want),
		     access_reason_name(r));
	}
}

static void test_edges(void)
{
	struct access_subject o = {.id = 7, .clearance = P("TOP SECRET"), .nationality = C("GBR")};
	struct access_object obj = {.marking = P("OFFICIAL"), .dist_unrestricted = true};
	enum access_reason r;
	T_CHECK(access_decide(NULL, &obj, &r) == ACCESS_DENY && r == ACCESS_NO_SUBJECT);
	T_CHECK(access_decide(&o, NULL, &r) == ACCESS_DENY && r == ACCESS_NO_SUBJECT);
	T_CHECK(access_decide(&o, &obj, NULL) == ACCESS_ALLOW);
	/* An admin role grants nothing. */
	struct access_subject admin = {.id = 1,
	                               .clearance = P("OFFICIAL"),
	                               .nationality = C("GBR"),
	                               .roles = ACCESS_ROLE_ADMIN | ACCESS_ROLE_RELEASING};
	obj.marking = P("SECRET");
	T_CHECK(access_decide(&admin, &obj, &r) == ACCESS_DENY && r == ACCESS_LEVEL);
	/* A zeroed object: no distribution -> nobody; a zeroed decision is a denial. */
	struct access_object zero;
	memset(&zero, 0, sizeof zero);
	zero.marking = P("OFFICIAL");
	T_CHECK(access_decide(&o, &zero, &r) == ACCESS_DENY && r == ACCESS_DISTRIBUTION);
	T_CHECK(ACCESS_DENY == 0);
	/* Markings of another scheme are never readable. */
	struct marking_scheme us;
	struct marking_error err;
	T_CHECK(marking_scheme_init(&us, MARKING_US, NULL, "USA", &err) == MARKING_OK);
	struct marking usm;
	T_CHECK(marking_parse(&us, "UNCLASSIFIED", 12, &usm, &err) == MARKING_OK);
	obj.marking = usm;
	T_CHECK(access_decide(&o, &obj, &r) == ACCESS_DENY && r == ACCESS_SCHEME);
	/* access_clearance_covers: rules 1 and 2 without distribution. */
	obj.marking = P("SECRET//REL TO GBR, USA");
	obj.dist_unrestricted = false;
	T_CHECK(access_decide(&o, &obj, &r) == ACCESS_DENY &&
	        access_clearance_covers(&o, &obj.marking, &r) == ACCESS_ALLOW && r == ACCESS_OK);
	o.nationality = C("FRA");
	T_CHECK(access_clearance_covers(&o, &obj.marking, &r) == ACCESS_DENY &&
	        r == ACCESS_NATIONALITY);
	/* Sorting a distribution. */
	int64_t ids[] = {42, -1, 7, 1000, 3, 7};
	access_distribution_sort(ids, 6);
	T_CHECK(ids[0] == -1 && ids[1] == 3 && ids[2] == 7 && ids[3] == 7 && ids[4] == 42 &&
	        ids[5] == 1000);
	access_distribution_sort(NULL, 0);
}

/* ---- random cases against a reference ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const levels[] = {"OFFICIAL", "SECRET", "TOP SECRET"};
static const char *const comps[] = {"HUMINT", "SIGINT", "SOURCE"};
static const char *const nations[] = {"GBR", "USA", "FRA", "AUS"};

struct ref_case {
	int clevel, olevel;
	unsigned ccomp, ocomp; /* bit i: comps[i] */
	int nation;            /* index in nations, or -1 */
	int rel;               /* 0: none; 1: NOFORN; 2: list in relmask */
	unsigned relmask;      /* bit i: nations[i] */
	int64_t id;
	int dist; /* 0 unrestricted, else ids 1..dist on it */
};

/* Appends to out[cap] at *off; a truncation fails the test run. */
__attribute__((format(printf, 4, 5))) static void app(char *out, size_t cap, size_t *off,
                                                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *off, cap - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *off) {
		T_OK(0, "snprintf truncated");
		return;
	}
	*off += (size_t)n;
}

static size_t build(char *out, size_t cap, int level, unsigned comp, int rel, unsigned relmask)
{
	size_t off = 0;
	app(out, cap, &off, "%s", levels[level]);
	const char *sep = "//";
	for (int i = 0; i < 3; i++) {
		if (comp & (1u << i)) {
			app(out, cap, &off, "%s%s", sep, comps[i]);
			sep = "/";
		}
	}
	if (rel == 1) {
		app(out, cap, &off, "//NOFORN");
	} else if (rel == 2) {
		app(out, cap, &off, "//REL TO ");
		sep = "";
		for (int i = 0; i < 4; i++) {
			if (relmask & (1u << i)) {
				app(out, cap, &off, "%s%s", sep, nations[i]);
				sep = ", ";
			}
		}
	}
	return off;
}

/* The rules of docs/internals/rules.md, written directly on the case's sets. */
static bool reference(const struct ref_case *c)
{
	if (c->clevel < c->olevel)
		return false;
	if ((c->ocomp & ~c->ccomp) != 0)
		return false;
	if (c->rel == 1 && c->nation != 0) /* NOFORN: GBR only */
		return false;
	if (c->rel == 2 && (c->nation < 0 || !(c->relmask & (1u << c->nation))))
		return false;
	if (c->dist != 0 && !(c->id >= 1 && c->id <= c->dist))
		return false;
	return true;
}

static void test_random(void)
{
	int disagree = 0, allowed = 0;
	int64_t ids[16];
	for (int i = 0; i < 16; i++)
		ids[i] = i + 1;
	for (int i = 0; i < 200000; i++) {
		struct ref_case c = {
		        .clevel = (int)(rnd() % 3),
		        .olevel = (int)(rnd() % 3),
		        .ccomp = (unsigned)(rnd() % 8),
		        .ocomp = (unsigned)(rnd() % 8),
		        .nation = (int)(rnd() % 5) - 1,
		        .rel = (int)(rnd() % 3),
		        .relmask = (unsigned)(rnd() % 15) + 1,
		        .id = (int64_t)(rnd() % 20) + 1,
		        .dist = (int)(rnd() % 17),
		};
		char cl[128], ob[128];
		size_t cn = build(cl, sizeof cl, c.clevel, c.ccomp, 0, 0);
		size_t on = build(ob, sizeof ob, c.olevel, c.ocomp, c.rel, c.relmask);
		struct access_subject o = {.id = c.id,
		                           .nationality = c.nation < 0 ? MARKING_COUNTRY_NONE
		                                                       : C(nations[c.nation])};
		struct access_object obj = {
		        .dist_unrestricted = c.dist == 0, .dist = ids, .ndist = (size_t)c.dist};
		struct marking_error err;
		if (marking_parse(&uk, cl, cn, &o.clearance, &err) != MARKING_OK ||
		    marking_parse(&uk, ob, on, &obj.marking, &err) != MARKING_OK) {
			disagree++;
			continue;
		}
		bool got = access_decide(&o, &obj, NULL) == ACCESS_ALLOW;
		disagree += got != reference(&c);
		allowed += got;
	}
	T_OK(disagree == 0 && allowed > 1000, "200,000 random cases: %d disagreements (%d allowed)",
	     disagree, allowed);
}

int main(void)
{
	struct marking_error err;
	if (!T_OK(marking_scheme_init(&uk, MARKING_UK, "HUMINT,SIGINT,SOURCE", "GBR", &err) ==
	                  MARKING_OK,
	          "scheme"))
		return t_done();
	test_table();
	test_edges();
	test_random();
	return t_done();
}
