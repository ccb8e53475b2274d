/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * submission: submissions under the decision (who may read one), and the
 * keys that open a submission's two layers for an officer's session.
 */
#include "core/registry/registry_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/keys/unseal.h"
#include "core/keys/label.h"

#include "lib/banned.h"

bool registry_submission_readable(const struct registry *r, const struct access_subject *subj,
                                  const struct store_submission *sub)
{
	struct access_object obj;
	memset(&obj, 0, sizeof obj);
	if (marking_parse(&r->scheme, sub->marking, strnlen(sub->marking, sizeof sub->marking),
	                  &obj.marking, NULL) != MARKING_OK)
		return false;
	/*
	 * A submission's distribution is the holders of the intake role. As a
	 * report listing does, the decision gets the reader's own entry of it.
	 */
	int64_t me = subj->id;
	obj.dist_unrestricted = false;
	obj.dist = &me;
	obj.ndist = (subj->roles & ACCESS_ROLE_INTAKE) ? 1 : 0;
	return access_decide(subj, &obj, NULL) == ACCESS_ALLOW;
}

/* The name of the label a submission's outer layer is sealed to. 0 or -1. */
static int submission_label(const struct registry *r, const struct store_submission *sub,
                            char lname[static LNAME_MAX])
{
	struct marking m;
	if (marking_parse(&r->scheme, sub->marking, strnlen(sub->marking, sizeof sub->marking), &m,
	                  NULL) != MARKING_OK)
		return -1;
	return registry_label_name(r, &m, lname, LNAME_MAX);
}

#define FRESH_MAX 64 /* intake label versions wrapped since one login */

/* The officer's wraps of intake label versions their session lacks, opened. */
struct fresh {
	const struct officer_key *as;
	const struct age_identity *self;
	struct age_identity **got;
	size_t n;
};

static int fresh_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct fresh *f = ctx;
	struct age_identity *id = NULL;
	if (f->n == FRESH_MAX || strcmp(name, LABEL_INTAKE) != 0 ||
	    officer_key_label(f->as, name, version) != NULL)
		return 0;
	if (label_open(f->self, wrap, n, &id) == LABEL_OK)
		f->got[f->n++] = id;
	return 0;
}

void registry_submission_keys(const struct registry *r, const struct officer_key *as,
                              const struct store_submission *sub, struct unseal_keys *k)
{
	memset(k, 0, sizeof *k);
	k->n = officer_key_identities(as, &k->ids);
	k->layered = sub->seal_version != 0;
	char lname[LNAME_MAX];
	if (k->layered && submission_label(r, sub, lname) == 0)
		k->outer = reg_label_identity(r, as, lname, sub->seal_version, &k->owned);
	/*
	 * The intake label rotated since the login (an intake officer removed):
	 * its new versions, wrapped to this officer in the store, open with their
	 * own key, so a live session reads what is sealed after the rotation.
	 */
	struct fresh f = {.as = as, .got = calloc(FRESH_MAX, sizeof *f.got)};
	f.self = k->n > 0 ? k->ids[0] : NULL;
	if (f.got == NULL || f.self == NULL ||
	    label_wraps(r->s, officer_key_id(as), fresh_wrap, &f) != LABEL_OK || f.n == 0)
		goto none;
	k->all = calloc(k->n + f.n, sizeof *k->all);
	if (k->all == NULL)
		goto none;
	for (size_t i = 0; i < k->n; i++)
		k->all[i] = k->ids[i];
	for (size_t i = 0; i < f.n; i++)
		k->all[k->n + i] = f.got[i];
	k->ids = k->all;
	k->n += f.n;
	k->fresh = f.got;
	k->nfresh = f.n;
	return;
none:
	for (size_t i = 0; i < f.n; i++)
		age_identity_free(&f.got[i]);
	free(f.got);
}
