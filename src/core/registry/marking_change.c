/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * marking_change: a submission's marking changed (raised freely, lowered
 * with a written reason) and its blobs sealed anew to the new marking's
 * label. The blobs are sealed anew before the transaction; the swap, the
 * recorded change and the ledger entry commit in one store_write.
 */
#include "core/registry/registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys/unseal.h"
#include "core/keys/seal.h"
#include "core/store/store_safe.h"
#include "lib/utf8.h"

#include "lib/banned.h"

static bool reason_ok(const char *s)
{
	if (s == NULL)
		return false;
	size_t n = strnlen(s, STORE_REASON_MAX + 1), visible = 0;
	if (n > STORE_REASON_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c != ' ')
			visible++;
	}
	return visible >= 3;
}

/* A new pending blob: blob's inner layer sealed to outer (old opens its present outer layer). */
static enum registry_result rewrap(struct registry *r, store_id blob,
                                   const struct age_identity *old,
                                   const struct age_recipient *outer, store_id *out,
                                   struct registry_error *err)
{
	enum seal_result sr = seal_rewrap(r->s, blob, old, outer, out);
	if (sr == SEAL_OK)
		return REGISTRY_OK;
	if (sr == SEAL_CANNOT_OPEN) {
		reg_say(err, "this submission's sealed layer does not open with your key: nothing "
		             "changed");
		return REGISTRY_CANNOT_OPEN;
	}
	return REGISTRY_FAILED;
}

struct file_rows {
	struct store_file *v;
	size_t n;
};

static int file_row(void *ctx, const struct store_file *f)
{
	struct file_rows *fr = ctx;
	if (fr->n >= (size_t)INT32_MAX)
		return 1;
	struct store_file *v = realloc(fr->v, (fr->n + 1) * sizeof *v);
	if (v == NULL)
		return 1;
	fr->v = v;
	fr->v[fr->n++] = *f;
	return 0;
}

/* The replies that answer a submission and have a desk copy (core/intake/reply.c). */
struct reply_rows {
	store_id submission;
	struct store_reply *v;
	store_id *nw; /* each one's desk copy sealed anew */
	size_t n;
};

static int reply_row(void *ctx, const struct store_reply *rp)
{
	struct reply_rows *rr = ctx;
	if (rp->submission != rr->submission || rp->desk_blob == 0 || rp->deleted_day != 0)
		return 0;
	if (rr->n >= (size_t)INT32_MAX)
		return 1;
	struct store_reply *v = realloc(rr->v, (rr->n + 1) * sizeof *v);
	if (v == NULL)
		return 1;
	rr->v = v;
	rr->v[rr->n++] = *rp;
	return 0;
}

/*
 * The desk copies of the replies to sub sealed anew to outer: each opened
 * with `as`'s key of the version it is sealed to (as a submission's blob is).
 */
static enum registry_result rewrap_replies(struct registry *r, const struct officer_key *as,
                                           const struct store_submission *sub,
                                           const struct age_recipient *outer, struct reply_rows *rr,
                                           struct registry_error *err)
{
	rr->submission = sub->id;
	enum store_result sr = store_reply_list(r->s, sub->source_id, reply_row, rr);
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	if (rr->n == 0)
		return REGISTRY_OK;
	if ((rr->nw = calloc(rr->n, sizeof *rr->nw)) == NULL)
		return REGISTRY_FAILED;
	for (size_t i = 0; i < rr->n; i++) {
		struct store_submission as_sub = {.id = sub->id,
		                                  .source_id = sub->source_id,
		                                  .seal_version = rr->v[i].seal_version};
		memcpy(as_sub.marking, rr->v[i].marking, sizeof as_sub.marking);
		struct unseal_keys k;
		registry_submission_keys(r, as, &as_sub, &k);
		enum registry_result rc = REGISTRY_CANNOT_OPEN;
		if (k.layered && k.outer == NULL)
			reg_say(err,
			        "you do not hold the key a reply to this submission is sealed to: "
			        "nothing changed");
		else
			rc = rewrap(r, rr->v[i].desk_blob, k.outer, outer, &rr->nw[i], err);
		unseal_keys_release(&k);
		if (rc != REGISTRY_OK)
			return rc;
	}
	return REGISTRY_OK;
}

static void reply_rows_release(struct registry *r, struct reply_rows *rr, bool keep)
{
	for (size_t i = 0; !keep && rr->nw != NULL && i < rr->n; i++)
		if (rr->nw[i] != 0)
			(void)store_blob_delete(r->s, rr->nw[i]);
	free(rr->v);
	free(rr->nw);
	memset(rr, 0, sizeof *rr);
}

/* The ledger entry of a marking change or a reseal. */
struct mark_log {
	enum ledger_action action;
	const char *actor, *marking, *detail;
};

/* The swap of the blobs, the recorded change and the entry. */
struct mark_tx {
	const struct store_marking_change *ch;
	const struct store_reseal *rs;
	const struct mark_log *log;
	const struct reply_rows *replies; /* their desk copies sealed anew */
};

static enum store_result mark_tx(struct store *s, void *arg)
{
	struct mark_tx *a = arg;
	enum store_result sr = store_submission_mark(s, a->ch, a->rs);
	if (sr != STORE_OK)
		return sr;
	/* the replies to it follow its marking: their desk copies sealed anew */
	for (size_t i = 0; a->replies != NULL && i < a->replies->n; i++) {
		struct store_reply_seal rps = {.submission = a->ch->object,
		                               .marking = a->ch->new_marking,
		                               .seal_version = a->rs->seal_version,
		                               .desk_blob = a->replies->nw[i]};
		if ((sr = store_reply_seal(s, a->replies->v[i].source_id, a->replies->v[i].id,
		                           &rps)) != STORE_OK)
			return sr == STORE_NOT_FOUND ? STORE_EXISTS : sr; /* deleted meanwhile */
	}
	/* the files' safe copies (core/safeview) were sealed as the files were: they go too */
	for (size_t i = 0; a->rs != NULL && i < a->rs->nfiles; i++) {
		sr = store_safe_delete(s, a->rs->files[i].id);
		if (sr != STORE_OK && sr != STORE_NOT_FOUND && sr != STORE_UNSUPPORTED)
			return sr;
	}
	return reg_log_id_in(s, a->log->action, a->log->actor, "submission", a->ch->object,
	                     a->log->marking, a->log->detail);
}

/*
 * Changes sub's marking as ch says, its blobs sealed anew (core/keys/seal.h): the
 * outer layer taken off with `as`'s key of the version it is sealed to (none
 * for a submission of one layer), put back sealed to the current version of
 * nw's label (made if new); the swap, the change and its entry in one
 * transaction, which claims the blobs sealed anew.
 */
static enum registry_result resealed(struct registry *r, const struct officer_key *as,
                                     const struct store_submission *sub, const struct marking *nw,
                                     const struct store_marking_change *ch,
                                     const struct mark_log *log, struct registry_error *err)
{
	struct unseal_keys k;
	struct file_rows old = {0};
	struct reply_rows rr = {0};
	struct store_file *nf = NULL;
	struct age_recipient *outer = NULL;
	store_id msg = 0, *claim = NULL;
	uint32_t version = 0;
	uint8_t pk[32];
	enum registry_result rc = registry_label(r, nw, &version, pk);
	registry_submission_keys(r, as, sub, &k);
	if (rc != REGISTRY_OK)
		goto out;
	rc = REGISTRY_FAILED;
	if (age_recipient_from_x25519(pk, &outer) != AGE_OK)
		goto out;
	if (k.layered && k.outer == NULL) {
		reg_say(err,
		        "you do not hold the key this submission is sealed to: nothing changed");
		rc = REGISTRY_CANNOT_OPEN;
		goto out;
	}
	enum store_result sr = store_submission_files(r->s, sub->id, file_row, &old);
	if (sr != STORE_OK || old.n != (size_t)sub->nfiles)
		goto out;
	if ((nf = calloc(old.n ? old.n : 1, sizeof *nf)) == NULL ||
	    (claim = calloc(1 + 2 * old.n, sizeof *claim)) == NULL)
		goto out;
	if (sub->message_blob != 0 &&
	    (rc = rewrap(r, sub->message_blob, k.outer, outer, &msg, err)) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < old.n; i++) {
		nf[i].id = old.v[i].id;
		if ((rc = rewrap(r, old.v[i].meta_blob, k.outer, outer, &nf[i].meta_blob, err)) !=
		            REGISTRY_OK ||
		    (rc = rewrap(r, old.v[i].data_blob, k.outer, outer, &nf[i].data_blob, err)) !=
		            REGISTRY_OK)
			goto out;
	}
	if ((rc = rewrap_replies(r, as, sub, outer, &rr, err)) != REGISTRY_OK)
		goto out;
	rc = REGISTRY_FAILED;
	if (rr.n > 0) {
		store_id *more = realloc(claim, (1 + 2 * old.n + rr.n) * sizeof *claim);
		if (more == NULL)
			goto out;
		claim = more;
	}
	/* the blobs sealed anew, which may be file-backed: the transaction claims them */
	size_t nclaim = 0;
	for (size_t i = 0; i < rr.n; i++)
		claim[nclaim++] = rr.nw[i];
	if (msg != 0)
		claim[nclaim++] = msg;
	for (size_t i = 0; i < old.n; i++) {
		claim[nclaim++] = nf[i].meta_blob;
		claim[nclaim++] = nf[i].data_blob;
	}
	struct store_reseal rs = {
	        .seal_version = version, .message_blob = msg, .files = nf, .nfiles = old.n};
	struct mark_tx t = {.ch = ch, .rs = &rs, .log = log, .replies = &rr};
	sr = store_write(r->s, claim, nclaim, mark_tx, &t);
	if (sr == STORE_EXISTS) {
		reg_say(err, "the marking changed meanwhile: look again");
		rc = REGISTRY_EXISTS;
	} else {
		rc = sr == STORE_OK     ? REGISTRY_OK
		     : sr == STORE_FULL ? REGISTRY_FULL
		                        : REGISTRY_FAILED;
	}
	if (rc == REGISTRY_OK) { /* the new blobs are the submission's now */
		msg = 0;
		old.n = 0;
	}
	reply_rows_release(r, &rr, rc == REGISTRY_OK);
out:
	reply_rows_release(r, &rr, false); /* (a no-op once released above) */
	/* whatever was sealed anew and not swapped in goes */
	if (msg != 0)
		(void)store_blob_delete(r->s, msg);
	for (size_t i = 0; nf != NULL && i < old.n; i++) {
		if (nf[i].meta_blob != 0)
			(void)store_blob_delete(r->s, nf[i].meta_blob);
		if (nf[i].data_blob != 0)
			(void)store_blob_delete(r->s, nf[i].data_blob);
	}
	unseal_keys_release(&k);
	age_recipient_free(&outer);
	free(old.v);
	free(nf);
	free(claim);
	return rc;
}

enum registry_result registry_submission_mark(struct registry *r, const struct officer_key *as,
                                              store_id submission, const char *marking,
                                              const char *reason, struct registry_error *err)
{
	struct access_subject subj;
	struct store_submission sub;
	struct marking old, nw;
	struct marking_error merr;
	char oldt[MARKING_TEXT_MAX + 3], newt[MARKING_TEXT_MAX + 3];

	if (err)
		err->msg[0] = '\0';
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	if (!(subj.roles & ROLE_INTAKE)) {
		reg_say(err, "marking submissions needs the intake role");
		return REGISTRY_FORBIDDEN;
	}
	if (marking == NULL ||
	    marking_parse(&r->scheme, marking, strlen(marking), &nw, &merr) != MARKING_OK) {
		reg_say(err, "the new marking: %s", marking ? merr.msg : "missing");
		return REGISTRY_BAD_INPUT;
	}
	enum store_result sr = store_submission_get(r->s, submission, &sub);
	if (sr != STORE_OK && sr != STORE_NOT_FOUND)
		return REGISTRY_FAILED;
	struct access_object obj = {.dist_unrestricted = true};
	if (sr == STORE_NOT_FOUND ||
	    marking_parse(&r->scheme, sub.marking, strnlen(sub.marking, sizeof sub.marking), &old,
	                  NULL) != MARKING_OK ||
	    (obj.marking = old, access_decide(&subj, &obj, NULL) != ACCESS_ALLOW)) {
		reg_say(err, "submission %lld: no such submission", (long long)submission);
		return REGISTRY_NOT_FOUND;
	}
	if (access_clearance_covers(&subj, &nw, NULL) != ACCESS_ALLOW) {
		reg_say(err, "the new marking is above your clearance");
		return REGISTRY_ABOVE_CLEARANCE;
	}
	if (marking_format(&r->scheme, &old, false, oldt, sizeof oldt) < 0 ||
	    marking_format(&r->scheme, &nw, false, newt, sizeof newt) < 0)
		return REGISTRY_FAILED;
	bool raise = marking_dominates(&nw, &old);
	if (!raise && !reason_ok(reason)) {
		reg_say(err,
		        "%s -> %s is a downgrade: give a written reason (--reason TEXT, printable, "
		        "up to %d bytes)",
		        oldt, newt, STORE_REASON_MAX);
		return REGISTRY_NEEDS_REASON;
	}
	if (reason != NULL && strnlen(reason, STORE_REASON_MAX + 1) > STORE_REASON_MAX) {
		reg_say(err, "the reason is longer than %d bytes", STORE_REASON_MAX);
		return REGISTRY_BAD_INPUT;
	}
	/* the one place a submission's marking changes: the ledger entry belongs here */
	struct store_marking_change ch = {.kind = "submission",
	                                  .object = submission,
	                                  .actor = subj.id,
	                                  .day = store_today(),
	                                  .old_marking = sub.marking,
	                                  .new_marking = newt,
	                                  .reason = reason ? reason : ""};
	char actor[LEDGER_TOKEN_MAX + 1];
	if (reg_actor(as, actor) != 0)
		return REGISTRY_FAILED;
	if (marking_equal(&old, &nw)) {
		/* a reseal alone, for a submission sealed to the intake label only */
		if (sub.seal_version != 0)
			return REGISTRY_OK;
		struct mark_log log = {
		        .action = LEDGER_SUBMISSION_RESEAL, .actor = actor, .marking = newt};
		return resealed(r, as, &sub, &nw, &ch, &log, err);
	}
	/* marking.change (a raise) or marking.downgrade, with the old marking and the reason */
	char detail[LEDGER_DETAIL_MAX + 1];
	int n = raise ? snprintf(detail, sizeof detail, "from %s", oldt)
	              : snprintf(detail, sizeof detail, "from %s; reason: %s", oldt, reason);
	if (n < 0)
		return REGISTRY_FAILED;
	/* a long reason: the ledger keeps its first bytes, cut at a character, no end space */
	size_t len = utf8_prefix((const uint8_t *)detail, strlen(detail));
	while (len > 0 && detail[len - 1] == ' ')
		len--;
	detail[len] = '\0';
	struct mark_log log = {.action = raise ? LEDGER_MARKING_CHANGE : LEDGER_MARKING_DOWNGRADE,
	                       .actor = actor,
	                       .marking = newt,
	                       .detail = detail};
	return resealed(r, as, &sub, &nw, &ch, &log, err);
}
