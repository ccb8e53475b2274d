/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/access/access.h"

#include <stdlib.h>

#include "lib/banned.h"

static enum access_decision deny(enum access_reason *reason, enum access_reason r)
{
	if (reason != NULL)
		*reason = r;
	return ACCESS_DENY;
}

enum access_decision access_clearance_covers(const struct access_subject *officer,
                                             const struct marking *m, enum access_reason *reason)
{
	if (officer == NULL || m == NULL || officer->id <= 0)
		return deny(reason, ACCESS_NO_SUBJECT);
	const struct marking *c = &officer->clearance;
	if (c->scheme != m->scheme)
		return deny(reason, ACCESS_SCHEME);
	if (c->level < m->level)
		return deny(reason, ACCESS_LEVEL);
	if ((m->compartments & ~c->compartments) != 0)
		return deny(reason, ACCESS_COMPARTMENTS);
	if (!marking_releasable_to(m, officer->nationality))
		return deny(reason, ACCESS_NATIONALITY);
	if (reason != NULL)
		*reason = ACCESS_OK;
	return ACCESS_ALLOW;
}

static bool on_distribution(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

enum access_decision access_decide(const struct access_subject *officer,
                                   const struct access_object *obj, enum access_reason *reason)
{
	if (obj == NULL)
		return deny(reason, ACCESS_NO_SUBJECT);
	if (access_clearance_covers(officer, &obj->marking, reason) != ACCESS_ALLOW)
		return ACCESS_DENY;
	if (!obj->dist_unrestricted &&
	    (obj->dist == NULL || !on_distribution(obj->dist, obj->ndist, officer->id)))
		return deny(reason, ACCESS_DISTRIBUTION);
	if (reason != NULL)
		*reason = ACCESS_OK;
	return ACCESS_ALLOW;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void access_distribution_sort(int64_t *ids, size_t n)
{
	if (ids != NULL && n > 1)
		qsort(ids, n, sizeof *ids, cmp_id);
}

const char *access_reason_name(enum access_reason r)
{
	switch (r) {
	case ACCESS_OK:
		return "ok";
	case ACCESS_NO_SUBJECT:
		return "no subject";
	case ACCESS_SCHEME:
		return "scheme";
	case ACCESS_LEVEL:
		return "level";
	case ACCESS_COMPARTMENTS:
		return "compartments";
	case ACCESS_NATIONALITY:
		return "nationality";
	case ACCESS_DISTRIBUTION:
		return "distribution";
	}
	return "?";
}
