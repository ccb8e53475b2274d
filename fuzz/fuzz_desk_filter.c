/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_desk_filter: the desk inbox's filter, read from the URL's query
 * (src/app/desk/desk_filter.c). The input is up to seven fields split by
 * '\n' (starred, unread, files, label, marking, from, to; a missing one is
 * absent). What parses must write back as a query within
 * DESK_FILTER_QUERY_MAX and as the GET form, and its own fields (the days
 * formatted, the marking made canonical) must parse to the same filter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/desk/desk_internal.h"
#include "core/marking/marking.h"
#include "lib/day.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 7

static int same(const struct inbox_filter *a, const struct inbox_filter *b)
{
	return a->starred == b->starred && a->unread == b->unread && a->has_files == b->has_files &&
	       a->day_from == b->day_from && a->day_to == b->day_to &&
	       strcmp(a->marking, b->marking) == 0 && strcmp(a->label, b->label) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct marking_scheme sch;
	static int ready;
	if (!ready) {
		struct marking_error err;
		if (marking_scheme_init(&sch, MARKING_UK, "HUMINT,SOURCE", "GBR", &err) !=
		    MARKING_OK)
			abort();
		ready = 1;
	}
	if (size > 4096)
		return 0;
	char *copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	const char *v[FIELDS] = {0};
	char *p = copy;
	for (int i = 0; i < FIELDS && p != NULL; i++) {
		v[i] = p;
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		p = nl;
	}
	struct desk_filter_query q = {.starred = v[0],
	                              .unread = v[1],
	                              .files = v[2],
	                              .label = v[3],
	                              .marking = v[4],
	                              .from = v[5],
	                              .to = v[6]};
	struct inbox_filter f;
	if (desk_filter_parse(&q, &sch, &f) == 0) {
		char query[DESK_FILTER_QUERY_MAX];
		if (desk_filter_query(&f, query, sizeof query) != 0 ||
		    strlen(query) >= sizeof query)
			abort();
		struct buf form;
		buf_init(&form, 1 << 16);
		if (desk_filter_form(&form, "en", &f) != 0)
			abort();
		buf_release(&form);
		char from[DAY_STRLEN], to[DAY_STRLEN];
		if (f.day_from != 0)
			day_format(f.day_from, from);
		if (f.day_to != 0)
			day_format(f.day_to, to);
		struct desk_filter_query again = {.starred = f.starred ? "1" : NULL,
		                                  .unread = f.unread ? "1" : NULL,
		                                  .files = f.has_files ? "1" : NULL,
		                                  .label = f.label,
		                                  .marking = f.marking,
		                                  .from = f.day_from != 0 ? from : NULL,
		                                  .to = f.day_to != 0 ? to : NULL};
		struct inbox_filter g;
		if (desk_filter_parse(&again, &sch, &g) != 0 || !same(&f, &g))
			abort();
	}
	free(copy);
	return 0;
}
