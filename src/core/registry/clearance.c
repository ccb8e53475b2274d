/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * registry: an officer's clearance changed together with what follows from it
 * (the marking labels' keys wrapped to them, or taken from them by a rotation),
 * in one transaction: acknowledged together, a crash leaves both or neither.
 */
#include "core/registry/registry_internal.h"

#include <string.h>

#include "lib/banned.h"

struct clearance_tx {
	struct registry *r;
	struct officers *o;
	const struct officer_key *as;
	const char *name, *clearance;
	enum officer_result orc;
	enum registry_result rr;
};

/*
 * On the store's writer: both calls join this transaction (their own
 * transactions are savepoints of it). The label keys' wrapping runs here too:
 * a few X25519 operations per marking, not a password hash.
 */
static enum store_result clearance_tx(struct store *s, void *arg)
{
	struct clearance_tx *a = arg;
	(void)s;
	if ((a->orc = officer_set_clearance(a->o, a->as, a->name, a->clearance)) != OFFICER_OK)
		return STORE_REFUSED;
	if ((a->rr = registry_officer_changed(a->r, a->as, a->name)) != REGISTRY_OK)
		return STORE_REFUSED;
	return STORE_OK;
}

enum registry_result registry_officer_clearance(struct registry *r, struct officers *o,
                                                const struct officer_key *as, const char *name,
                                                const char *clearance, enum officer_result *orc)
{
	struct clearance_tx a = {.r = r,
	                         .o = o,
	                         .as = as,
	                         .name = name,
	                         .clearance = clearance,
	                         .orc = OFFICER_OK,
	                         .rr = REGISTRY_OK};
	struct marking m;
	*orc = OFFICER_OK;
	if (clearance == NULL ||
	    marking_parse(registry_scheme(r), clearance, strlen(clearance), &m, NULL) != MARKING_OK)
		return REGISTRY_BAD_INPUT; /* a clearance the instance's scheme cannot read */
	enum store_result sr = store_write(registry_store(r), NULL, 0, clearance_tx, &a);
	*orc = a.orc;
	if (a.orc != OFFICER_OK)
		return REGISTRY_FAILED; /* *orc says why */
	if (a.rr != REGISTRY_OK)
		return a.rr;
	return sr == STORE_OK ? REGISTRY_OK : sr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
}
