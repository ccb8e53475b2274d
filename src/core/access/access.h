/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * access: THE access decision. access_decide() is the one function that
 * decides whether an officer may read an object; every read path — web, JSON,
 * CLI, search, listings, downloads, exports, release, partner exchange — asks
 * it and nothing else decides access. Roles do not grant reading: an admin
 * whose clearance does not dominate a marking reads nothing under it.
 *
 * An officer may read an object when all three hold
 * (docs/internals/rules.md, "Markings" and "The access decision"):
 *
 *   1. clearance: the officer's clearance dominates the object's marking in
 *      level and compartments. A clearance is a marking read as "up to": its
 *      caveats and release list are not used. Releasability is a matter of
 *      nationality (2); ORCON restricts further dissemination (release), not
 *      reading inside the instance.
 *   2. nationality: the officer's nationality is in the marking's release
 *      list, when it has one (EYES ONLY is a list of one; NOFORN is the
 *      instance's country). An officer without a nationality
 *      (MARKING_COUNTRY_NONE) reads only markings releasable to all.
 *   3. distribution (need-to-know): the officer's id is on the object's
 *      distribution, or the object has no distribution restriction.
 *
 * The reason code says which rule refused, for logs and tests only: never
 * show it to the reader (a listing or a page answers the same whether an
 * object is forbidden or does not exist).
 *
 * No allocation, no store, no locks: a few dozen instructions plus a binary
 * search of the distribution.
 */
#ifndef CUTOUT_CORE_ACCESS_H
#define CUTOUT_CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/marking/marking.h"

enum access_decision {
	ACCESS_DENY = 0, /* zero: a forgotten initialisation denies */
	ACCESS_ALLOW = 1,
};

enum access_reason {
	ACCESS_OK = 0,
	ACCESS_NO_SUBJECT,   /* NULL subject or object, or an officer id <= 0 */
	ACCESS_SCHEME,       /* clearance and marking of different schemes */
	ACCESS_LEVEL,        /* clearance level below the marking's */
	ACCESS_COMPARTMENTS, /* a compartment of the marking not in the clearance */
	ACCESS_NATIONALITY,  /* nationality not in the release list */
	ACCESS_DISTRIBUTION, /* not on the distribution */
};

/* Officer roles (bits). They do not enter the read decision; kept for callers. */
#define ACCESS_ROLE_ADMIN 0x1u
#define ACCESS_ROLE_INTAKE 0x2u
#define ACCESS_ROLE_ANALYST 0x4u
#define ACCESS_ROLE_RELEASING 0x8u

struct access_subject {
	int64_t id;               /* the officer's id (store_id), > 0 */
	struct marking clearance; /* level and compartments the officer is cleared for */
	uint16_t nationality;     /* marking_country_find index, or MARKING_COUNTRY_NONE */
	uint32_t roles;           /* ACCESS_ROLE_* */
};

struct access_object {
	struct marking marking;
	/*
	 * Need-to-know: when dist_unrestricted, every officer (still subject to
	 * rules 1 and 2); else the officers whose ids are in dist[0..ndist),
	 * SORTED ASCENDING (access_distribution_sort). ndist == 0 with
	 * !dist_unrestricted: nobody.
	 */
	bool dist_unrestricted;
	const int64_t *dist;
	size_t ndist;
};

/*
 * The decision. reason (may be NULL) receives why, for logs and tests.
 * Denies on NULL arguments.
 */
enum access_decision access_decide(const struct access_subject *officer,
                                   const struct access_object *obj, enum access_reason *reason);

/*
 * Rules 1 and 2 alone: may this officer hold what is sealed under marking m
 * (the label keys of issue 5 are wrapped to exactly these officers).
 */
enum access_decision access_clearance_covers(const struct access_subject *officer,
                                             const struct marking *m, enum access_reason *reason);

/* Sorts ids ascending for struct access_object.dist. */
void access_distribution_sort(int64_t *ids, size_t n);

const char *access_reason_name(enum access_reason r);

#endif
