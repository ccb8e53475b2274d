/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * recipients: outside recipients of releases, added, listed, shown and
 * disabled by an admin or a releasing officer. Adding and disabling commit
 * with their ledger entry (recipient.add, recipient.disable) in one
 * store_write.
 */
#include <stdio.h>
#include <string.h>

#include "core/release/release_internal.h"
#include "lib/age/age.h"

#include "lib/banned.h"

#define ROLES (ACCESS_ROLE_ADMIN | ACCESS_ROLE_RELEASING)

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap) : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

struct add_tx {
	const struct store_recipient *row;
	const char *actor, *detail;
	store_id id;
};

static enum store_result add_tx(struct store *s, void *arg)
{
	struct add_tx *a = arg;
	enum store_result sr = store_recipient_add(s, a->row, &a->id);
	if (sr != STORE_OK)
		return sr;
	return rl_log_in(s, LEDGER_RECIPIENT_ADD, a->actor, "recipient", a->id, a->row->marking,
	                 a->detail);
}

enum release_result release_recipient_add(struct registry *r, const struct officer_key *as,
                                          const struct release_recipient_input *in, store_id *out,
                                          struct release_error *err)
{
	struct access_subject subj;
	struct store_recipient row;
	struct marking m;
	struct marking_error merr;
	enum release_result rc;
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ROLES, &subj, err)) != RELEASE_OK)
		return rc;
	if (in == NULL || out == NULL || in->name == NULL || in->org == NULL ||
	    in->nationality == NULL || in->marking == NULL) {
		rl_say(err,
		       "a recipient needs a name, an organisation, a nationality and a marking");
		return RELEASE_BAD_INPUT;
	}
	memset(&row, 0, sizeof row);
	if (strnlen(in->name, STORE_RECIPIENT_NAME_MAX + 1) > STORE_RECIPIENT_NAME_MAX ||
	    strnlen(in->org, STORE_RECIPIENT_NAME_MAX + 1) > STORE_RECIPIENT_NAME_MAX) {
		rl_say(err, "a name or organisation is at most %d bytes", STORE_RECIPIENT_NAME_MAX);
		return RELEASE_BAD_INPUT;
	}
	if (strlen(in->nationality) != 3 ||
	    marking_country_find(in->nationality, 3) == MARKING_COUNTRY_NONE) {
		rl_say(err, "nationality '%s': not an ISO 3166-1 alpha-3 code", in->nationality);
		return RELEASE_BAD_INPUT;
	}
	if (marking_parse(registry_scheme(r), in->marking, strlen(in->marking), &m, &merr) !=
	    MARKING_OK) {
		rl_say(err, "the marking: %s", merr.msg);
		return RELEASE_BAD_INPUT;
	}
	if (marking_format(registry_scheme(r), &m, false, row.marking, sizeof row.marking) < 0)
		return RELEASE_FAILED;
	if (in->age_recipient != NULL && in->age_recipient[0] != '\0') {
		struct age_recipient *ar = NULL;
		if (strlen(in->age_recipient) > STORE_AGE_RECIPIENT_MAX ||
		    age_recipient_parse(in->age_recipient, &ar) != AGE_OK) {
			rl_say(err, "the age recipient is not an age1... public key");
			return RELEASE_BAD_INPUT;
		}
		age_recipient_free(&ar);
		copy_text(row.age_recipient, sizeof row.age_recipient, in->age_recipient);
	}
	copy_text(row.name, sizeof row.name, in->name);
	copy_text(row.org, sizeof row.org, in->org);
	copy_text(row.nationality, sizeof row.nationality, in->nationality);
	row.day = store_today();
	char actor[LEDGER_TOKEN_MAX + 1], detail[64];
	int k = snprintf(detail, sizeof detail, "nationality %s%s", row.nationality,
	                 row.age_recipient[0] ? ", age recipient" : ", passphrase");
	if (k < 0 || (size_t)k >= sizeof detail || rl_actor(as, actor) != 0)
		return RELEASE_FAILED;
	struct add_tx a = {.row = &row, .actor = actor, .detail = detail};
	enum store_result sr = store_write(registry_store(r), NULL, 0, add_tx, &a);
	if (sr == STORE_EXISTS) {
		rl_say(err, "a recipient named '%s' exists", row.name);
		return RELEASE_EXISTS;
	}
	if (sr == STORE_TOO_LARGE) {
		rl_say(err, "a name or organisation that is empty, not UTF-8 or has a control "
		            "character");
		return RELEASE_BAD_INPUT;
	}
	if (sr != STORE_OK)
		return RELEASE_FAILED;
	*out = a.id;
	return RELEASE_OK;
}

struct disable_tx {
	store_id id;
	const char *actor, *marking;
};

static enum store_result disable_tx(struct store *s, void *arg)
{
	struct disable_tx *a = arg;
	enum store_result sr = store_recipient_disable(s, a->id);
	if (sr != STORE_OK)
		return sr;
	return rl_log_in(s, LEDGER_RECIPIENT_DISABLE, a->actor, "recipient", a->id, a->marking,
	                 NULL);
}

enum release_result release_recipient_disable(struct registry *r, const struct officer_key *as,
                                              const char *name, struct release_error *err)
{
	struct access_subject subj;
	struct store_recipient row;
	enum release_result rc;
	char actor[LEDGER_TOKEN_MAX + 1];
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ROLES, &subj, err)) != RELEASE_OK)
		return rc;
	if ((rc = release_recipient_show(r, as, name, &row)) != RELEASE_OK) {
		if (rc == RELEASE_NOT_FOUND)
			rl_say(err, "no recipient '%s'", name ? name : "");
		return rc;
	}
	if (row.disabled)
		return RELEASE_OK;
	if (rl_actor(as, actor) != 0)
		return RELEASE_FAILED;
	struct disable_tx a = {.id = row.id, .actor = actor, .marking = row.marking};
	return store_write(registry_store(r), NULL, 0, disable_tx, &a) == STORE_OK ? RELEASE_OK
	                                                                           : RELEASE_FAILED;
}

enum release_result release_recipient_list(struct registry *r, const struct officer_key *as,
                                           int (*fn)(void *ctx, const struct store_recipient *rc),
                                           void *ctx)
{
	struct access_subject subj;
	enum release_result rc = rl_subject(r, as, ROLES, &subj, NULL);
	if (rc != RELEASE_OK)
		return rc;
	enum store_result sr = store_recipients(registry_store(r), fn, ctx);
	return sr == STORE_OK || sr == STORE_STOP ? RELEASE_OK : RELEASE_FAILED; /* fn may stop */
}

enum release_result release_recipient_show(struct registry *r, const struct officer_key *as,
                                           const char *name, struct store_recipient *out)
{
	struct access_subject subj;
	enum release_result rc = rl_subject(r, as, ROLES, &subj, NULL);
	if (rc != RELEASE_OK)
		return rc;
	if (name == NULL || out == NULL)
		return RELEASE_NOT_FOUND;
	enum store_result sr = store_recipient_find(registry_store(r), name, out);
	return sr == STORE_OK          ? RELEASE_OK
	       : sr == STORE_NOT_FOUND ? RELEASE_NOT_FOUND
	                               : RELEASE_FAILED;
}
