/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * rerelease: THE decision for a report to anyone outside the instance
 * (release.h, release_report_allowed) when the report may have come from a
 * partner service (issue 14 §2: the receiver honours the originator's
 * controls). A report received from a partner is re-released (to an
 * outside recipient or a third partner) only if its originator allowed it:
 * the agreement's re-release flag, as its bundle carried it, and the report
 * not ORCON; or the originator's explicit consent for the recipient's
 * country (ORCON included). Both are store rows (store_consents, received
 * way) written by core/liaison's import. Then the usual decision
 * (rl_recipient_allowed) applies; a report written here goes to it alone.
 */
#include <stdio.h>
#include <string.h>

#include "core/release/release_internal.h"
#include "core/store/store_liaison.h"

#include "lib/banned.h"

struct consented {
	const char *country;
	bool flag, country_ok;
};

static int see_consent(void *ctx, const struct store_consent *c)
{
	struct consented *k = ctx;
	if (strcmp(c->country, "*") == 0)
		k->flag = true;
	else if (strcmp(c->country, k->country) == 0)
		k->country_ok = true;
	return 0;
}

enum release_result rl_report_allowed(const struct registry *r, int64_t report,
                                      const struct store_recipient *rc, const struct marking *m,
                                      const char *mtext, struct release_error *err)
{
	struct store *s = registry_store((struct registry *)r);
	struct store_received from;
	enum store_result sr = store_received_of(s, report, &from);
	if (sr == STORE_NOT_FOUND || sr == STORE_UNSUPPORTED) /* written here */
		return rl_recipient_allowed(r, rc, m, mtext, err);
	if (sr != STORE_OK)
		return RELEASE_FAILED;
	struct consented k = {.country = rc->nationality};
	struct store_partner p;
	if (store_consents(s, STORE_LIAISON_RECEIVED, report, see_consent, &k) != STORE_OK ||
	    store_partner_get(s, from.partner, &p) != STORE_OK)
		return RELEASE_FAILED;
	if (k.country_ok) { /* the originator's consent: its ORCON lifted for that country */
		struct marking lifted = *m;
		lifted.flags &= (uint8_t)~MARKING_ORCON;
		return rl_recipient_allowed(r, rc, &lifted, mtext, err);
	}
	if (k.flag && !(m->flags & MARKING_ORCON))
		return rl_recipient_allowed(r, rc, m, mtext, err);
	if (m->flags & MARKING_ORCON)
		rl_say(err,
		       "report %lld came from %s (their report %lld) as ORCON, and %s has not "
		       "consented to re-release to %s",
		       (long long)report, p.name, (long long)from.remote, p.name, rc->nationality);
	else
		rl_say(err,
		       "report %lld came from %s (their report %lld), which has not consented to "
		       "re-release to %s",
		       (long long)report, p.name, (long long)from.remote, rc->nationality);
	return RELEASE_REFUSED;
}

enum release_result release_report_allowed(const struct registry *r, int64_t report,
                                           const struct store_recipient *rc,
                                           const struct marking *m, const char *mtext,
                                           struct release_error *err)
{
	return rl_report_allowed(r, report, rc, m, mtext, err);
}
