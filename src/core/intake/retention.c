/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * retention: the submissions (with their files) and replies older than the
 * configured number of days, by the day the store keeps with each, deleted,
 * each with its ledger entry in the same transaction (`cutout retention`,
 * and `cutout serve` once a day).
 */
#include <stdio.h>

#include "core/intake/intake.h"
#include "core/intake/intake_internal.h"
#include "core/ledger/ledger.h"

#include "lib/banned.h"

#define RETENTION_BATCH 64 /* deletions, and entries, per transaction */

struct expire_tx {
	enum store_expire kind;
	int32_t before;
	const char *detail;
	struct store_expired out[RETENTION_BATCH];
	size_t n;
};

static enum store_result expire_tx(struct store *s, void *arg)
{
	struct expire_tx *a = arg;
	enum store_result r = store_expire(s, a->kind, a->before, a->out, RETENTION_BATCH, &a->n);
	for (size_t i = 0; r == STORE_OK && i < a->n; i++) {
		const struct store_expired *e = &a->out[i];
		char obj[LEDGER_TOKEN_MAX + 1];
		bool sub = a->kind == STORE_EXPIRE_SUBMISSIONS;
		int k = snprintf(obj, sizeof obj, "%s:%lld", sub ? "submission" : "reply",
		                 (long long)e->id);
		if (k < 0 || (size_t)k >= sizeof obj)
			return STORE_TOO_LARGE;
		r = ledger_record_in(s, sub ? LEDGER_OBJECT_DELETE : LEDGER_REPLY_DELETE, "system",
		                     obj, sub ? e->marking : NULL, a->detail);
	}
	return r;
}

enum intake_result intake_retention(struct store *s, int32_t today, uint32_t days,
                                    struct intake_retention *out)
{
	out->submissions = out->replies = 0;
	if (days == 0 || days > INTAKE_RETENTION_MAX || today < 0)
		return INTAKE_BAD_INPUT;
	char detail[48];
	int k = snprintf(detail, sizeof detail, "retention %u days", days);
	if (k < 0 || (size_t)k >= sizeof detail)
		return INTAKE_FAILED;
	struct expire_tx a = {.before = today - (int32_t)days, .detail = detail};
	for (int kind = 0; kind < 2; kind++) {
		a.kind = kind == 0 ? STORE_EXPIRE_SUBMISSIONS : STORE_EXPIRE_REPLIES;
		do {
			enum store_result r = store_write(s, NULL, 0, expire_tx, &a);
			if (r != STORE_OK)
				return intake_from_store(r);
			*(kind == 0 ? &out->submissions : &out->replies) += a.n;
		} while (a.n == RETENTION_BATCH);
	}
	return INTAKE_OK;
}
