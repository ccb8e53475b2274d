/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/registry/ledger_view.h"

#include <stdlib.h>
#include <string.h>

#include "core/access/access.h"
#include "core/marking/marking.h"
#include "core/store/store.h"
#include "lib/num.h"

#include "lib/banned.h"

static bool source_activity(enum ledger_action a)
{
	return a == LEDGER_SOURCE_CREATE || a == LEDGER_SOURCE_DELETE || a == LEDGER_REPLY_SEAL ||
	       a == LEDGER_REPLY_DELETE;
}

bool registry_ledger_visible(struct registry *r, const struct access_subject *subj,
                             const struct ledger_entry *e)
{
	struct access_object obj;
	struct marking_error merr;
	int64_t id;
	if (e->actor[0] == '\0')
		return false; /* an entry that did not parse */
	if (source_activity(e->action))
		return subj != NULL && (subj->roles & ACCESS_ROLE_INTAKE) != 0;
	if (e->marking[0] == '\0')
		return true;
	if (subj == NULL)
		return false;
	if (strncmp(e->object, "report:", 7) == 0 && num_parse_id(e->object + 7, &id) == 0)
		return registry_report_readable(r, subj, id);
	struct store *s = registry_store(r);
	if (strncmp(e->object, "submission:", 11) == 0 && num_parse_id(e->object + 11, &id) == 0) {
		struct store_submission sub;
		enum store_result sr = store_submission_get(s, id, &sub);
		if (sr == STORE_OK)
			return registry_submission_readable(r, subj, &sub);
		if (sr != STORE_NOT_FOUND)
			return false;
	}
	memset(&obj, 0, sizeof obj);
	if (marking_parse(registry_scheme(r), e->marking, strlen(e->marking), &obj.marking,
	                  &merr) != MARKING_OK)
		return false;
	obj.dist_unrestricted = true;
	return access_decide(subj, &obj, NULL) == ACCESS_ALLOW;
}

struct page {
	struct ledger_view_row *rows;
	size_t n, cap;
};

static int take_row(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct page *p = ctx;
	if (p->n >= p->cap)
		return 1;
	struct ledger_view_row *row = &p->rows[p->n++];
	memset(row, 0, sizeof *row);
	if (ledger_entry_parse(entry, len, &row->e) != LEDGER_OK || row->e.index != index) {
		memset(&row->e, 0, sizeof row->e);
		row->e.index = index;
	}
	return 0;
}

enum registry_result registry_ledger_page(struct registry *r, store_id officer, uint64_t before,
                                          struct ledger_view_row *rows, size_t max, size_t *n,
                                          uint64_t *size, uint64_t *from)
{
	struct store *s = registry_store(r);
	struct page p = {.rows = rows, .cap = max};
	*n = 0;
	*from = 0;
	if (max == 0 || max > LEDGER_VIEW_MAX)
		return REGISTRY_BAD_INPUT;
	if (ledger_size(s, size) != LEDGER_OK)
		return REGISTRY_FAILED;
	if (before == UINT64_MAX)
		before = *size;
	if (before > *size)
		return REGISTRY_BAD_INPUT;
	uint64_t start = before > max ? before - max : 0;
	if (start < before && ledger_entries(s, start, before, take_row, &p) != LEDGER_OK)
		return REGISTRY_FAILED;
	struct access_subject subj;
	bool subj_ok = registry_subject(r, officer, &subj) == REGISTRY_OK;
	/* newest first; what may not be seen is cleared here, not only left unrendered */
	for (size_t i = 0; i < p.n / 2; i++) {
		struct ledger_view_row t = rows[i];
		rows[i] = rows[p.n - 1 - i];
		rows[p.n - 1 - i] = t;
	}
	for (size_t i = 0; i < p.n; i++) {
		struct ledger_view_row *row = &rows[i];
		row->shown = registry_ledger_visible(r, subj_ok ? &subj : NULL, &row->e);
		if (!row->shown) {
			uint64_t idx = row->e.index;
			int32_t day = row->e.day;
			memset(&row->e, 0, sizeof row->e);
			row->e.index = idx;
			row->e.day = day;
		}
	}
	*n = p.n;
	*from = start;
	return REGISTRY_OK;
}

/* ---- search ---- */

bool ledger_filter_active(const struct ledger_filter *f)
{
	return f != NULL &&
	       (f->action >= 0 || f->actor[0] || f->object[0] || f->day_from || f->day_to);
}

static bool token_matches(const char *want, const char *have)
{
	size_t n = strlen(want);
	if (n == 0)
		return true;
	return want[n - 1] == ':' ? strncmp(want, have, n) == 0 : strcmp(want, have) == 0;
}

static bool filter_matches(const struct ledger_filter *f, const struct ledger_entry *e)
{
	return (f->action < 0 || (int)e->action == f->action) &&
	       token_matches(f->actor, e->actor) && token_matches(f->object, e->object) &&
	       (f->day_from == 0 || e->day >= f->day_from) &&
	       (f->day_to == 0 || e->day <= f->day_to);
}

struct search {
	struct registry *r;
	const struct access_subject *subj;
	const struct ledger_filter *f;
	struct ledger_view_row *chunk; /* the entries read, oldest first */
	size_t nchunk;
};

static int take_entry(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct search *q = ctx;
	struct ledger_view_row *row = &q->chunk[q->nchunk++];
	memset(row, 0, sizeof *row);
	row->shown = ledger_entry_parse(entry, len, &row->e) == LEDGER_OK && row->e.index == index;
	row->e.index = index;
	return 0;
}

enum registry_result registry_ledger_search(struct registry *r, store_id officer, uint64_t before,
                                            const struct ledger_filter *f,
                                            struct ledger_view_row *rows, size_t max, size_t *n,
                                            uint64_t *size, uint64_t *from)
{
	if (!ledger_filter_active(f))
		return registry_ledger_page(r, officer, before, rows, max, n, size, from);
	struct store *s = registry_store(r);
	*n = 0;
	*from = 0;
	if (max == 0 || max > LEDGER_VIEW_MAX || f->action >= (int)LEDGER_ACTION_COUNT)
		return REGISTRY_BAD_INPUT;
	if (ledger_size(s, size) != LEDGER_OK)
		return REGISTRY_FAILED;
	if (before == UINT64_MAX)
		before = *size;
	if (before > *size)
		return REGISTRY_BAD_INPUT;
	struct access_subject subj;
	bool subj_ok = registry_subject(r, officer, &subj) == REGISTRY_OK;
	struct search q = {.r = r, .subj = subj_ok ? &subj : NULL, .f = f};
	q.chunk = calloc(LEDGER_VIEW_MAX, sizeof *q.chunk);
	if (q.chunk == NULL)
		return REGISTRY_FAILED;
	enum registry_result rc = REGISTRY_OK;
	uint64_t examined = 0, at = before;
	bool older = false; /* the days fell below day_from: nothing older can match */
	while (at > 0 && *n < max && examined < LEDGER_SEARCH_SCAN && !older) {
		uint64_t start = at > LEDGER_VIEW_MAX ? at - LEDGER_VIEW_MAX : 0;
		q.nchunk = 0;
		if (ledger_entries(s, start, at, take_entry, &q) != LEDGER_OK) {
			rc = REGISTRY_FAILED;
			break;
		}
		size_t i = q.nchunk;
		while (i > 0 && *n < max && examined < LEDGER_SEARCH_SCAN) {
			struct ledger_view_row *row = &q.chunk[--i];
			examined++;
			at = row->e.index;
			if (!row->shown)
				continue; /* does not parse: never matches */
			if (f->day_from != 0 && row->e.day < f->day_from) {
				older = true;
				break;
			}
			if (filter_matches(f, &row->e) &&
			    registry_ledger_visible(r, q.subj, &row->e))
				rows[(*n)++] = *row;
		}
		if (i > 0 &&
		    !older) /* stopped inside the chunk: resume at the entry examined last */
			break;
	}
	*from = older ? 0 : at;
	free(q.chunk);
	return rc;
}
