/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* digest: the counts of `cutout digest` and its ledger entry (digest.h). */
#include "core/inbox/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access/access.h"
#include "core/inbox/deadlines.h"
#include "core/ledger/ledger.h"
#include "core/registry/registry.h"
#include "core/store/store_officer.h"
#include "lib/num.h"

#include "lib/banned.h"

#define THROUGH "through entry "

struct last {
	char object[LEDGER_TOKEN_MAX + 1]; /* "officer:NAME" */
	uint64_t from;                     /* count submissions from this index */
	int32_t day;
};

static int find_last(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct last *l = ctx;
	struct ledger_entry e;
	(void)index;
	if (ledger_entry_parse(entry, len, &e) != LEDGER_OK || e.action != LEDGER_DIGEST_SENT ||
	    strcmp(e.object, l->object) != 0 || strncmp(e.detail, THROUGH, strlen(THROUGH)) != 0)
		return 0;
	uint64_t n;
	if (num_parse_u64(e.detail + strlen(THROUGH), &n) != 0)
		return 0;
	l->from = n;
	l->day = e.day;
	return 0;
}

struct fresh {
	struct store *s;
	struct registry *reg;
	const struct access_subject *subj;
	uint64_t n;
};

static int count_fresh(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct fresh *f = ctx;
	struct ledger_entry e;
	struct store_submission sub;
	int64_t id;
	(void)index;
	if (ledger_entry_parse(entry, len, &e) != LEDGER_OK || e.action != LEDGER_SUBMISSION_SEAL ||
	    strncmp(e.object, "submission:", 11) != 0 || num_parse_id(e.object + 11, &id) != 0)
		return 0;
	if (store_submission_get(f->s, id, &sub) != STORE_OK)
		return 0; /* deleted since: nothing to read */
	if (registry_submission_readable(f->reg, f->subj, &sub))
		f->n++;
	return 0;
}

struct due {
	int32_t today;
	uint64_t due, overdue;
};

static int count_due(void *ctx, const struct inbox_deadline *d)
{
	struct due *c = ctx;
	if (d->source_deleted)
		return 0;
	switch (deadline_status(d, c->today)) {
	case DEADLINE_ACK_DUE:
	case DEADLINE_FEEDBACK_DUE:
		c->due++;
		break;
	case DEADLINE_ACK_OVERDUE:
	case DEADLINE_FEEDBACK_OVERDUE:
		c->overdue++;
		break;
	default:
		break;
	}
	return 0;
}

enum inbox_result inbox_digest(struct store *s, struct registry *reg, const char *name,
                               int32_t today, struct inbox_digest *out)
{
	struct store_officer *o = NULL;
	struct access_subject subj;
	struct last l = {.from = 0};
	enum inbox_result rc = INBOX_FAILED;
	memset(out, 0, sizeof *out);
	int n = snprintf(l.object, sizeof l.object, "officer:%s", name);
	if (n < 0 || (size_t)n >= sizeof l.object)
		return INBOX_NOT_FOUND;
	/* the officer row is large (wrapped keys): on the heap */
	if ((o = calloc(1, sizeof *o)) == NULL)
		return INBOX_FAILED;
	enum store_result sr = store_officer_find(s, name, o);
	if (sr != STORE_OK) {
		rc = sr == STORE_NOT_FOUND ? INBOX_NOT_FOUND : INBOX_FAILED;
		goto out;
	}
	if (ledger_size(s, &out->through) != LEDGER_OK)
		goto out;
	if (out->through > 0 && ledger_entries(s, 0, out->through, find_last, &l) != LEDGER_OK)
		goto out;
	out->last_day = l.day;
	rc = INBOX_OK;
	if (registry_subject(reg, o->id, &subj) != REGISTRY_OK || subj.id <= 0 ||
	    !(subj.roles & ACCESS_ROLE_INTAKE))
		goto out; /* disabled, or not of the intake: nothing to tell */
	out->intake = true;
	rc = INBOX_FAILED;
	struct fresh f = {.s = s, .reg = reg, .subj = &subj};
	if (l.from < out->through &&
	    ledger_entries(s, l.from, out->through, count_fresh, &f) != LEDGER_OK)
		goto out;
	out->fresh = f.n;
	struct due d = {.today = today};
	if ((rc = inbox_deadlines_of(s, reg, &subj, count_due, &d, NULL)) != INBOX_OK)
		goto out;
	out->due = d.due;
	out->overdue = d.overdue;
out:
	free(o);
	if (rc != INBOX_OK) {
		int32_t keep = out->last_day;
		memset(out, 0, sizeof *out);
		out->last_day = keep;
	}
	return rc;
}

struct sent {
	const char *object, *detail;
};

static enum store_result record(struct store *s, void *arg)
{
	const struct sent *m = arg;
	return ledger_record_in(s, LEDGER_DIGEST_SENT, "system", m->object, NULL, m->detail);
}

enum inbox_result inbox_digest_sent(struct store *s, const char *name, uint64_t through)
{
	char object[LEDGER_TOKEN_MAX + 1], detail[48];
	int n = snprintf(object, sizeof object, "officer:%s", name);
	int m = snprintf(detail, sizeof detail, THROUGH "%llu", (unsigned long long)through);
	if (n < 0 || (size_t)n >= sizeof object || m < 0 || (size_t)m >= sizeof detail)
		return INBOX_BAD_INPUT;
	struct sent a = {.object = object, .detail = detail};
	enum store_result r = store_write(s, NULL, 0, record, &a);
	return r == STORE_OK ? INBOX_OK : r == STORE_REFUSED ? INBOX_BAD_INPUT : INBOX_FAILED;
}

struct names {
	int (*fn)(void *ctx, const char *name);
	void *ctx;
};

static int each_officer(void *ctx, const struct store_officer *o)
{
	const struct names *n = ctx;
	return o->disabled ? 0 : n->fn(n->ctx, o->name);
}

enum inbox_result inbox_digest_officers(struct store *s, int (*fn)(void *ctx, const char *name),
                                        void *ctx)
{
	struct names n = {.fn = fn, .ctx = ctx};
	enum store_result r = store_officer_list(s, each_officer, &n);
	return r == STORE_OK || r == STORE_STOP ? INBOX_OK : INBOX_FAILED;
}
