/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * consent: the originator's consent to re-release (issue 14 §2). A
 * releasing officer consents that a report we sent to a partner be
 * re-released by it to a country (ORCON included); the consent is kept,
 * with its liaison.consent entry in the same transaction, until the next
 * bundle to that partner carries it (a `consent ID COUNTRY` line, export.c),
 * where the receiver stores it (import.c) and core/release's decision
 * (release_report_allowed) honours it.
 */
#include <stdio.h>
#include <string.h>

#include "core/liaison/liaison_internal.h"

#include "lib/banned.h"

struct consent_tx {
	const struct store_consent *c;
	const char *actor, *detail;
};

static enum store_result consent_tx(struct store *s, void *arg)
{
	struct consent_tx *a = arg;
	store_id id;
	enum store_result sr = store_consent_add(s, a->c, &id);
	if (sr != STORE_OK)
		return sr;
	return li_log_in(s, LEDGER_LIAISON_CONSENT, a->actor, "report", a->c->report, NULL,
	                 a->detail);
}

enum liaison_result liaison_consent(struct registry *r, const struct officer_key *as,
                                    const char *partner, int64_t report, const char *country,
                                    struct liaison_error *err)
{
	struct access_subject subj;
	struct store_partner p;
	struct store_received from;
	enum liaison_result rc;
	if ((rc = li_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != LIAISON_OK)
		return rc;
	if (partner == NULL || country == NULL || report <= 0)
		return LIAISON_BAD_INPUT;
	if (strlen(country) != 3 || marking_country_find(country, 3) == MARKING_COUNTRY_NONE) {
		li_say(err, "'%.16s' is not a country (ISO 3166-1 alpha-3, e.g. DEU)", country);
		return LIAISON_BAD_INPUT;
	}
	struct store *s = registry_store(r);
	enum store_result sr = store_partner_find(s, partner, &p);
	if (sr != STORE_OK) {
		li_say(err, "no partner '%.128s'", partner);
		return sr == STORE_NOT_FOUND ? LIAISON_NOT_FOUND : LIAISON_FAILED;
	}
	if (p.disabled) {
		li_say(err, "partner '%s' is disabled", p.name);
		return LIAISON_REFUSED;
	}
	sr = store_received_of(s, report, &from);
	if (sr == STORE_OK) {
		li_say(err, "report %lld came from a partner: only its originator may consent",
		       (long long)report);
		return LIAISON_REFUSED;
	}
	if (sr != STORE_NOT_FOUND)
		return LIAISON_FAILED;
	sr = store_item_sent_has(s, p.id, report);
	if (sr == STORE_NOT_FOUND) {
		li_say(err, "report %lld was never sent to %s", (long long)report, p.name);
		return LIAISON_REFUSED;
	}
	if (sr != STORE_OK)
		return LIAISON_FAILED;
	char actor[LEDGER_TOKEN_MAX + 1], detail[LEDGER_DETAIL_MAX + 1];
	int k = snprintf(detail, sizeof detail, "partner:%lld: re-release to %s consented",
	                 (long long)p.id, country);
	if (k < 0 || (size_t)k >= sizeof detail || li_actor(as, actor) != 0)
		return LIAISON_FAILED;
	struct store_consent c = {
	        .partner = p.id, .way = STORE_LIAISON_SENT, .report = report, .day = store_today()};
	memcpy(c.country, country, 4);
	struct consent_tx a = {.c = &c, .actor = actor, .detail = detail};
	sr = store_write(s, NULL, 0, consent_tx, &a);
	return sr == STORE_OK ? LIAISON_OK : LIAISON_FAILED;
}
