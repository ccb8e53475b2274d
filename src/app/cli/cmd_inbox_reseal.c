/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* cutout inbox reseal: the outer layer for every submission sealed to the intake label alone. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/inbox/inbox.h"
#include "core/registry/registry.h"

#include "lib/banned.h"

struct ids {
	store_id *v;
	size_t n, cap;
};

static int ids_add(struct ids *ids, store_id id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 64;
		store_id *v = cap < SIZE_MAX / sizeof *v ? realloc(ids->v, cap * sizeof *v) : NULL;
		if (v == NULL)
			return -1;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

/* The submissions of a source the officer may read that are sealed to the intake label alone. */
static enum inbox_result collect_one_layer(struct inbox *ib, const struct officer_key *key,
                                           store_id source, struct store_submission *subs,
                                           struct ids *ids)
{
	store_id before = 0, next = 0;
	do {
		size_t n = 0;
		enum inbox_result r =
		        inbox_submissions(ib, key, source, before, subs, INBOX_PAGE_MAX, &n, &next);
		if (r == INBOX_NOT_FOUND)
			return INBOX_OK; /* gone meanwhile */
		if (r != INBOX_OK)
			return r;
		for (size_t i = 0; i < n; i++)
			if (subs[i].seal_version == 0 && ids_add(ids, subs[i].id) != 0)
				return INBOX_FAILED;
		before = next;
	} while (next != 0);
	return INBOX_OK;
}

/*
 * Every submission the officer may read that is sealed to the intake label
 * alone (made while nobody held both keys) gets its outer layer, sealed to its
 * marking's label: registry_submission_mark with its present marking.
 */
int inbox_reseal(struct inbox *ib, const struct officer_key *key, struct registry *reg)
{
	struct store_desk_source *rows = calloc(INBOX_PAGE_MAX, sizeof *rows);
	struct store_submission *subs = calloc(INBOX_PAGE_MAX, sizeof *subs);
	struct ids ids = {0};
	int ret = CLI_EXIT_FAIL;
	size_t done = 0;
	store_id before = 0, next = 0;
	enum inbox_result r = rows != NULL && subs != NULL ? INBOX_OK : INBOX_FAILED;
	while (r == INBOX_OK) {
		size_t n = 0;
		r = inbox_sources(ib, key, before, false, rows, INBOX_PAGE_MAX, &n, &next);
		for (size_t i = 0; i < n && r == INBOX_OK; i++)
			r = collect_one_layer(ib, key, rows[i].src.id, subs, &ids);
		if (next == 0)
			break;
		before = next;
	}
	if (r != INBOX_OK) {
		cli_fail("inbox", "could not list: %s", inbox_strerror(r));
		goto out;
	}
	for (size_t i = 0; i < ids.n; i++) {
		struct store_submission sub;
		struct registry_error err = {{0}};
		if (inbox_submission(ib, key, ids.v[i], &sub) != INBOX_OK)
			continue; /* deleted (or no longer theirs) meanwhile */
		enum registry_result rr =
		        registry_submission_mark(reg, key, sub.id, sub.marking, NULL, &err);
		if (rr != REGISTRY_OK) {
			cli_fail("inbox", "submission %lld: %s%s%s (%zu resealed before it)",
			         (long long)sub.id, registry_strerror(rr), err.msg[0] ? ": " : "",
			         err.msg, done);
			goto out;
		}
		done++;
	}
	printf("%zu submission%s resealed to their marking's label\n", done, done == 1 ? "" : "s");
	ret = CLI_EXIT_OK;
out:
	free(rows);
	free(subs);
	free(ids.v);
	return ret;
}
