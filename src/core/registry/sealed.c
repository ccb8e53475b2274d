/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sealed: bytes of another module sealed to a marking's label, as a report's
 * body is (registry_seal, registry_unseal in registry.h). core/release keeps a
 * release's secret and its copies' choices this way.
 */
#include "core/registry/registry_internal.h"

#include <string.h>

#include "lib/banned.h"

enum registry_result registry_seal(struct registry *r, const struct marking *m, const uint8_t *p,
                                   size_t n, struct buf *out, uint32_t *version)
{
	uint8_t pk[32];
	struct age_recipient *rc = NULL;
	enum registry_result rc2 = registry_label(r, m, version, pk);
	if (rc2 != REGISTRY_OK)
		return rc2;
	if (age_recipient_from_x25519(pk, &rc) != AGE_OK)
		return REGISTRY_FAILED;
	const struct age_recipient *const rs[] = {rc};
	enum age_err e = age_encrypt_buf(rs, 1, p, n, out);
	age_recipient_free(&rc);
	return e == AGE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

enum registry_result registry_unseal(struct registry *r, const struct officer_key *as,
                                     const struct marking *m, uint32_t version, const uint8_t *p,
                                     size_t n, struct buf *out)
{
	struct access_subject subj;
	char lname[LNAME_MAX];
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
	if (access_clearance_covers(&subj, m, NULL) != ACCESS_ALLOW)
		return REGISTRY_NOT_FOUND;
	if (registry_label_name(r, m, lname, sizeof lname) != 0)
		return REGISTRY_FAILED;
	struct age_identity *owned = NULL;
	const struct age_identity *key = reg_label_identity(r, as, lname, version, &owned);
	if (key == NULL)
		return REGISTRY_CANNOT_OPEN;
	const struct age_identity *const ids[] = {key};
	enum age_err e = age_decrypt_buf(ids, 1, p, n, out);
	age_identity_free(&owned);
	return e == AGE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}
