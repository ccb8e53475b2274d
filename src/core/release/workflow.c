/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * workflow: a release proposed, approved by a second releasing officer, or
 * refused (the two-person rule). Each decision asks access_decide for the
 * report (the officer must read it) and for every recipient (rl_recipient_allowed),
 * and commits with its ledger entry in one store_write; on approval the copies'
 * choices are derived, sealed, and stored in the same transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/copy.h"
#include "core/release/release_internal.h"
#include "core/release/tardos.h"
#include "lib/day.h"
#include "lib/utf8.h"

#include "lib/banned.h"

/* A purpose or reason: UTF-8, no control character, spaces around dropped, 1..max bytes. */
static bool text_take(const char *in, char *out, size_t cap)
{
	if (in == NULL)
		return false;
	size_t n = strnlen(in, cap + 1);
	if (n >= cap)
		return false;
	while (n > 0 && in[0] == ' ')
		in++, n--;
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if (n == 0 || utf8_count((const uint8_t *)in, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return false;
	memcpy(out, in, n);
	out[n] = '\0';
	return true;
}

/* ---- propose ---- */

struct propose_tx {
	const struct store_release *row;
	const char *actor, *detail;
	store_id id;
};

static enum store_result propose_tx(struct store *s, void *arg)
{
	struct propose_tx *a = arg;
	enum store_result sr = store_release_insert(s, a->row, &a->id);
	if (sr != STORE_OK)
		return sr;
	return rl_log_in(s, LEDGER_RELEASE_PROPOSE, a->actor, "release", a->id, a->row->marking,
	                 a->detail);
}

enum release_result release_propose(struct registry *r, const struct officer_key *as,
                                    const struct release_proposal *in, store_id *out,
                                    struct release_error *err)
{
	struct access_subject subj;
	struct rl_version v;
	struct store_release row;
	struct marking target;
	struct marking_error merr;
	int64_t *ids = NULL;
	enum release_result rc;

	memset(&v, 0, sizeof v);
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != RELEASE_OK)
		return rc;
	memset(&row, 0, sizeof row);
	if (in == NULL || out == NULL || !text_take(in->purpose, row.purpose, sizeof row.purpose)) {
		rl_say(err, "a release needs a purpose (one line, at most %d bytes)",
		       STORE_RELEASE_TEXT_MAX);
		return RELEASE_BAD_INPUT;
	}
	if (in->expiry_day <= store_today()) {
		rl_say(err, "the expiry day must be after today");
		return RELEASE_BAD_INPUT;
	}
	if (in->nrecipients == 0 || in->nrecipients > STORE_RELEASE_RECIPIENTS_MAX ||
	    in->recipients == NULL) {
		rl_say(err, "a release needs 1 to %d recipients", STORE_RELEASE_RECIPIENTS_MAX);
		return RELEASE_BAD_INPUT;
	}
	if (in->marking != NULL &&
	    marking_parse(registry_scheme(r), in->marking, strlen(in->marking), &target, &merr) !=
	            MARKING_OK) {
		rl_say(err, "the tearline's marking: %s", merr.msg);
		return RELEASE_BAD_INPUT;
	}
	if ((rc = rl_version_open(r, as, in->report, in->marking ? &target : NULL, &v, err)) !=
	    RELEASE_OK)
		goto out;
	if ((ids = calloc(in->nrecipients, sizeof *ids)) == NULL) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < in->nrecipients; i++) {
		struct store_recipient rcp;
		const char *name = in->recipients[i] ? in->recipients[i] : "";
		enum store_result sr = store_recipient_find(registry_store(r), name, &rcp);
		if (sr == STORE_NOT_FOUND) {
			rl_say(err, "no recipient '%s'", name);
			rc = RELEASE_BAD_INPUT;
			goto out;
		}
		if (sr != STORE_OK) {
			rc = RELEASE_FAILED;
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (ids[k] == rcp.id) {
				rl_say(err, "recipient '%s' is named twice", name);
				rc = RELEASE_BAD_INPUT;
				goto out;
			}
		if ((rc = rl_report_allowed(r, in->report, &rcp, &v.marking, v.marking_text,
		                            err)) != RELEASE_OK)
			goto out;
		ids[i] = rcp.id;
	}
	row.report = in->report;
	row.proposer = subj.id;
	row.day = store_today();
	row.expiry_day = in->expiry_day;
	row.recipients = ids;
	row.nrecipients = in->nrecipients;
	memcpy(row.marking, v.marking_text, sizeof row.marking);
	char actor[LEDGER_TOKEN_MAX + 1], detail[128], day[DAY_STRLEN];
	day_format(in->expiry_day, day);
	int k = snprintf(detail, sizeof detail,
	                 "report %lld to %zu recipients, %zu slots, expires %s",
	                 (long long)in->report, in->nrecipients, v.slots.n, day);
	if (k < 0 || (size_t)k >= sizeof detail || rl_actor(as, actor) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct propose_tx a = {.row = &row, .actor = actor, .detail = detail};
	if (store_write(registry_store(r), NULL, 0, propose_tx, &a) != STORE_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	*out = a.id;
	rc = RELEASE_OK;
out:
	free(ids);
	rl_version_free(&v);
	return rc;
}

/* A proposed release that `subj` may decide: the row, and NOT_FOUND for a report they may not read.
 */
static enum release_result decidable(struct registry *r, const struct access_subject *subj,
                                     store_id id, struct rl_row *w, struct release_error *err)
{
	enum release_result rc = rl_row_get(r, id, w);
	if (rc == RELEASE_OK && !registry_report_readable(r, subj, w->row.report)) {
		rl_row_free(w);
		rc = RELEASE_NOT_FOUND;
	}
	if (rc == RELEASE_NOT_FOUND)
		rl_say(err, "release %lld: no such release", (long long)id);
	if (rc != RELEASE_OK)
		return rc;
	if (w->row.state != STORE_RELEASE_PROPOSED) {
		rl_say(err, "release %lld was %s already", (long long)id,
		       w->row.state == STORE_RELEASE_APPROVED ? "approved" : "refused");
		rl_row_free(w);
		return RELEASE_EXISTS;
	}
	return RELEASE_OK;
}

/* ---- approve ---- */

struct approve_tx {
	store_id id;
	const struct store_release_decision *d;
	const struct copy_book *book;
	struct buf *sealed; /* one per copy */
	const char *actor, *marking, *detail;
};

static enum store_result approve_tx(struct store *s, void *arg)
{
	struct approve_tx *a = arg;
	enum store_result sr = store_release_decide(s, a->id, a->d);
	for (size_t i = 0; sr == STORE_OK && i < a->book->n; i++) {
		store_id cid = 0;
		sr = store_copy_insert(s, a->id, (store_id)a->book->ids[i], (uint32_t)(i + 1),
		                       a->sealed[i].data, a->sealed[i].len, &cid);
	}
	if (sr != STORE_OK)
		return sr;
	return rl_log_in(s, LEDGER_RELEASE_APPROVE, a->actor, "release", a->id, a->marking,
	                 a->detail);
}

enum release_result release_approve(struct registry *r, const struct officer_key *as, store_id id,
                                    struct release_error *err)
{
	struct access_subject subj;
	struct rl_row w = {0};
	struct rl_version v;
	struct marking target;
	struct copy_book book;
	struct buf sealed, *copies = NULL;
	uint64_t *ids = NULL;
	uint8_t *secret = NULL, *record = NULL;
	uint32_t version = 0;
	enum release_result rc;

	memset(&v, 0, sizeof v);
	memset(&book, 0, sizeof book);
	buf_init(&sealed, STORE_RELEASE_SEALED_MAX);
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != RELEASE_OK)
		goto out;
	if ((rc = decidable(r, &subj, id, &w, err)) != RELEASE_OK)
		goto out;
	if (w.row.proposer == subj.id) {
		rl_say(err,
		       "two-person rule: release %lld was proposed by you; another releasing "
		       "officer must approve it",
		       (long long)id);
		rc = RELEASE_FORBIDDEN;
		goto out;
	}
	if (store_today() > w.row.expiry_day) {
		rl_say(err, "release %lld expired before it was approved", (long long)id);
		rc = RELEASE_EXPIRED;
		goto out;
	}
	if (marking_parse(registry_scheme(r), w.row.marking, strlen(w.row.marking), &target,
	                  NULL) != MARKING_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	if ((rc = rl_version_open(r, as, w.row.report, &target, &v, err)) != RELEASE_OK)
		goto out;
	if (strcmp(v.marking_text, w.row.marking) != 0) {
		rl_say(err, "the report no longer gives the version proposed");
		rc = RELEASE_FAILED;
		goto out;
	}
	if ((ids = calloc(w.row.nrecipients, sizeof *ids)) == NULL ||
	    (copies = calloc(w.row.nrecipients, sizeof *copies)) == NULL ||
	    (secret = sodium_malloc(COPY_SECRET_RECORD_MAX)) == NULL) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < w.row.nrecipients; i++) {
		struct store_recipient rcp;
		if (store_recipient_get(registry_store(r), w.recipients[i], &rcp) != STORE_OK) {
			rc = RELEASE_FAILED;
			goto out;
		}
		if ((rc = rl_report_allowed(r, w.row.report, &rcp, &v.marking, v.marking_text,
		                            err)) != RELEASE_OK)
			goto out;
		ids[i] = (uint64_t)w.recipients[i];
		buf_init(&copies[i], STORE_RELEASE_SEALED_MAX);
	}
	randombytes_buf(secret, RL_SECRET_BYTES);
	/* the records name the slot engine (copy.h) */
	size_t reclen = copy_secret_record(secret, v.slots.engine, secret);
	if (reclen == 0 ||
	    copy_book_make(&book, secret, (uint64_t)id, TARDOS_COLLUSION, v.slots.engine, v.slots.n,
	                   ids, w.row.nrecipients) != 0 ||
	    (record = malloc(COPY_CHOICES_MAX(v.slots.n))) == NULL ||
	    registry_seal(r, &v.report_marking, secret, reclen, &sealed, &version) != REGISTRY_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < book.n; i++) {
		uint32_t vi = 0;
		size_t cl = copy_choices_record(copy_book_bits(&book, i), book.m, v.slots.engine,
		                                record);
		if (cl == 0 ||
		    registry_seal(r, &v.report_marking, record, cl, &copies[i], &vi) !=
		            REGISTRY_OK ||
		    vi != version) {
			rc = RELEASE_FAILED;
			goto out;
		}
	}
	struct store_release_decision d = {.state = STORE_RELEASE_APPROVED,
	                                   .decider = subj.id,
	                                   .day = store_today(),
	                                   .sealed = sealed.data,
	                                   .sealed_len = sealed.len,
	                                   .nslots = (uint32_t)v.slots.n,
	                                   .label_version = version};
	char actor[LEDGER_TOKEN_MAX + 1], detail[96];
	int k = snprintf(detail, sizeof detail, "%zu copies of report %lld, %zu slots", book.n,
	                 (long long)w.row.report, v.slots.n);
	if (k < 0 || (size_t)k >= sizeof detail || rl_actor(as, actor) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct approve_tx a = {.id = id,
	                       .d = &d,
	                       .book = &book,
	                       .sealed = copies,
	                       .actor = actor,
	                       .marking = w.row.marking,
	                       .detail = detail};
	enum store_result sr = store_write(registry_store(r), NULL, 0, approve_tx, &a);
	if (sr == STORE_EXISTS) {
		rl_say(err, "release %lld was decided meanwhile", (long long)id);
		rc = RELEASE_EXISTS;
		goto out;
	}
	rc = sr == STORE_OK ? RELEASE_OK : RELEASE_FAILED;
out:
	if (secret)
		sodium_free(secret); /* sodium_free wipes */
	if (record)
		sodium_memzero(record, COPY_CHOICES_MAX(v.slots.n));
	free(record);
	copy_book_free(&book);
	for (size_t i = 0; copies && i < w.row.nrecipients; i++)
		buf_release(&copies[i]);
	free(copies);
	free(ids);
	buf_release(&sealed);
	rl_version_free(&v);
	rl_row_free(&w);
	return rc;
}

/* ---- refuse ---- */

struct refuse_tx {
	store_id id;
	const struct store_release_decision *d;
	const char *actor, *marking;
};

static enum store_result refuse_tx(struct store *s, void *arg)
{
	struct refuse_tx *a = arg;
	enum store_result sr = store_release_decide(s, a->id, a->d);
	if (sr != STORE_OK)
		return sr;
	return rl_log_in(s, LEDGER_RELEASE_REFUSE, a->actor, "release", a->id, a->marking,
	                 a->d->reason);
}

enum release_result release_refuse(struct registry *r, const struct officer_key *as, store_id id,
                                   const char *reason, struct release_error *err)
{
	struct access_subject subj;
	struct rl_row w = {0};
	char why[STORE_RELEASE_TEXT_MAX + 1], actor[LEDGER_TOKEN_MAX + 1];
	enum release_result rc;
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != RELEASE_OK)
		return rc;
	if (!text_take(reason, why, sizeof why)) {
		rl_say(err, "a refusal needs a reason (one line, at most %d bytes)",
		       STORE_RELEASE_TEXT_MAX);
		return RELEASE_BAD_INPUT;
	}
	if ((rc = decidable(r, &subj, id, &w, err)) != RELEASE_OK)
		return rc;
	struct store_release_decision d = {.state = STORE_RELEASE_REFUSED,
	                                   .decider = subj.id,
	                                   .day = store_today(),
	                                   .reason = why};
	struct refuse_tx a = {.id = id, .d = &d, .marking = w.row.marking};
	if (rl_actor(as, actor) != 0) {
		rl_row_free(&w);
		return RELEASE_FAILED;
	}
	a.actor = actor;
	enum store_result sr = store_write(registry_store(r), NULL, 0, refuse_tx, &a);
	rl_row_free(&w);
	if (sr == STORE_EXISTS) {
		rl_say(err, "release %lld was decided meanwhile", (long long)id);
		return RELEASE_EXISTS;
	}
	return sr == STORE_OK ? RELEASE_OK : RELEASE_FAILED;
}
