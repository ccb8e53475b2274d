/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * release_read: releases listed and shown (only those of reports the officer
 * may read), and a recipient's copy exported: the released version with the
 * recipient's choices in its slots, a visible release notice and the marking
 * banner above and below, as text, Markdown or an age file (sealed to the
 * recipient, or to a passphrase). The release.deliver entry is durable
 * before the copy is handed back.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/copy.h"
#include "core/release/release_internal.h"
#include "core/store/store_officer.h"
#include "lib/age/age.h"
#include "lib/day.h"
#include "lib/pdf.h"

#include "lib/banned.h"

#define ROLES (ACCESS_ROLE_ADMIN | ACCESS_ROLE_RELEASING)

static void officer_name(struct registry *r, store_id id, char out[OFFICER_NAME_MAX + 1])
{
	struct store_officer o;
	out[0] = '\0';
	if (id > 0 && store_officer_get(registry_store(r), id, &o) == STORE_OK) {
		memcpy(out, o.name, sizeof o.name);
		sodium_memzero(&o, sizeof o);
	}
}

static void view_of(struct registry *r, const struct store_release *row, struct release_view *v)
{
	memset(v, 0, sizeof *v);
	v->row = *row;
	v->row.recipients = NULL;
	v->row.sealed = NULL;
	v->row.sealed_len = 0;
	v->state = rl_state(row, store_today());
	officer_name(r, row->proposer, v->proposer);
	officer_name(r, row->decider, v->decider);
}

/* ---- list ---- */

struct ids {
	int64_t *v;
	size_t n, cap;
	int failed;
};

static int collect(void *ctx, const struct store_release *row)
{
	struct ids *a = ctx;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		int64_t *v = cap < (SIZE_MAX / sizeof *v) ? realloc(a->v, cap * sizeof *v) : NULL;
		if (v == NULL) {
			a->failed = 1;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = row->id;
	return 0;
}

enum release_result release_list(struct registry *r, const struct officer_key *as,
                                 int (*fn)(void *ctx, const struct release_view *v), void *ctx)
{
	struct access_subject subj;
	struct ids a = {0};
	enum release_result rc = rl_subject(r, as, ROLES, &subj, NULL);
	if (rc != RELEASE_OK)
		return rc;
	/* ids first: the decision reads the store, which a listing callback must not */
	if (store_releases(registry_store(r), collect, &a) != STORE_OK || a.failed) {
		free(a.v);
		return RELEASE_FAILED;
	}
	for (size_t i = 0; i < a.n && rc == RELEASE_OK; i++) {
		struct rl_row w;
		struct release_view v;
		if ((rc = rl_row_get(r, a.v[i], &w)) != RELEASE_OK)
			break;
		if (registry_report_readable(r, &subj, w.row.report)) {
			view_of(r, &w.row, &v);
			if (fn(ctx, &v) != 0)
				i = a.n;
		}
		rl_row_free(&w);
	}
	free(a.v);
	return rc;
}

/* ---- show ---- */

struct copies {
	struct release_copy_view *v;
	size_t n, cap;
	int failed;
};

static int take_copy(void *ctx, const struct store_copy *c)
{
	struct copies *k = ctx;
	if (k->n == k->cap) {
		k->failed = 1;
		return 1;
	}
	k->v[k->n].number = c->number;
	k->v[k->n].recipient = c->recipient;
	k->n++;
	return 0;
}

enum release_result release_show(struct registry *r, const struct officer_key *as, store_id id,
                                 int (*fn)(void *ctx, const struct release_view *v), void *ctx)
{
	struct access_subject subj;
	struct rl_row w;
	struct release_view v;
	struct copies k = {0};
	enum release_result rc = rl_subject(r, as, ROLES, &subj, NULL);
	if (rc != RELEASE_OK)
		return rc;
	if ((rc = rl_row_get(r, id, &w)) != RELEASE_OK)
		return rc;
	if (!registry_report_readable(r, &subj, w.row.report)) {
		rl_row_free(&w);
		return RELEASE_NOT_FOUND;
	}
	view_of(r, &w.row, &v);
	size_t at = 0;
	for (size_t i = 0; i < w.row.nrecipients; i++) {
		struct store_recipient rcp;
		if (store_recipient_get(registry_store(r), w.recipients[i], &rcp) != STORE_OK)
			continue;
		int n = snprintf(v.recipients + at, sizeof v.recipients - at, "%s%s", i ? ", " : "",
		                 rcp.name);
		if (n < 0 || (size_t)n >= sizeof v.recipients - at) {
			v.recipients[at] = '\0';
			break; /* the rest does not fit: the copies list them */
		}
		at += (size_t)n;
	}
	k.cap = w.row.nrecipients;
	if (k.cap > 0 && (k.v = calloc(k.cap, sizeof *k.v)) == NULL) {
		rl_row_free(&w);
		return RELEASE_FAILED;
	}
	if (k.cap > 0 &&
	    (store_copies(registry_store(r), id, take_copy, &k) != STORE_OK || k.failed))
		rc = RELEASE_FAILED;
	for (size_t i = 0; rc == RELEASE_OK && i < k.n; i++) {
		struct store_recipient rcp;
		if (store_recipient_get(registry_store(r), k.v[i].recipient, &rcp) == STORE_OK)
			memcpy(k.v[i].name, rcp.name, sizeof k.v[i].name);
	}
	if (rc == RELEASE_OK) {
		v.copies = k.v;
		v.ncopies = k.n;
		fn(ctx, &v);
	}
	free(k.v);
	rl_row_free(&w);
	return rc;
}

/* ---- the decision per recipient ---- */

enum release_result release_decisions(struct registry *r, const struct officer_key *as, store_id id,
                                      int (*fn)(void *ctx, const struct release_decision_view *d),
                                      void *ctx)
{
	struct access_subject subj;
	struct rl_row w;
	struct marking m;
	enum release_result rc = rl_subject(r, as, ROLES, &subj, NULL);
	if (rc != RELEASE_OK)
		return rc;
	if ((rc = rl_row_get(r, id, &w)) != RELEASE_OK)
		return rc;
	if (!registry_report_readable(r, &subj, w.row.report)) {
		rl_row_free(&w);
		return RELEASE_NOT_FOUND;
	}
	if (marking_parse(registry_scheme(r), w.row.marking, strlen(w.row.marking), &m, NULL) !=
	    MARKING_OK) {
		rl_row_free(&w);
		return RELEASE_FAILED;
	}
	for (size_t i = 0; i < w.row.nrecipients && rc == RELEASE_OK; i++) {
		struct release_decision_view d;
		struct release_error err = {{0}};
		struct store_recipient rcp;
		memset(&d, 0, sizeof d);
		if (store_recipient_get(registry_store(r), w.recipients[i], &rcp) != STORE_OK) {
			rc = RELEASE_FAILED;
			break;
		}
		d.recipient = rcp;
		d.allowed = rl_report_allowed(r, w.row.report, &rcp, &m, w.row.marking, &err) ==
		            RELEASE_OK;
		if (d.allowed)
			rl_say(&err,
			       "'%s' may receive up to %s, which dominates %s; nationality %s",
			       rcp.name, rcp.marking, w.row.marking, rcp.nationality);
		memcpy(d.reason, err.msg, sizeof d.reason);
		if (fn(ctx, &d) != 0)
			break;
	}
	rl_row_free(&w);
	return rc;
}

/* ---- export ---- */

int release_form_parse(const char *s, enum release_form *out)
{
	static const char *const names[] = {"text", "markdown", "age", "pdf"};
	for (int i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum release_form)i;
			return 0;
		}
	return -1;
}

static const char *form_name(enum release_form f)
{
	return f == RELEASE_FORM_TEXT       ? "text"
	       : f == RELEASE_FORM_MARKDOWN ? "markdown"
	       : f == RELEASE_FORM_AGE      ? "age"
	                                    : "pdf";
}

/* The copy's choices: the stored copy of recipient `who`, unsealed. */
struct find_copy {
	store_id who;
	uint32_t number;
	uint8_t *sealed;
	size_t len;
	int failed;
};

static int find_copy(void *ctx, const struct store_copy *c)
{
	struct find_copy *f = ctx;
	if (c->recipient != f->who)
		return 0;
	f->number = c->number;
	if ((f->sealed = malloc(c->choices_len ? c->choices_len : 1)) == NULL) {
		f->failed = 1;
		return 1;
	}
	memcpy(f->sealed, c->choices, c->choices_len);
	f->len = c->choices_len;
	return 1;
}

/* The release notice, as text or Markdown lines (after the banner), into out. 0 or -1. */
static int notice(const struct store_release *row, const struct store_recipient *rcp,
                  uint32_t number, const char *banner, bool md, struct buf *out)
{
	char today[DAY_STRLEN], expiry[DAY_STRLEN];
	day_format(store_today(), today);
	day_format(row->expiry_day, expiry);
	const char *q = md ? "> " : "";
	const char *br = md ? "  " : ""; /* a Markdown line break */
	int e = 0;
	e |= buf_printf(out, md ? "> **RELEASE NOTICE**%s\n" : "RELEASE NOTICE%s\n", br);
	e |= buf_printf(out, "%sReleased to: %s, %s (%s)%s\n", q, rcp->name, rcp->org,
	                rcp->nationality, br);
	e |= buf_printf(out, "%sCopy %u of release %lld (report %lld)%s\n", q, number,
	                (long long)row->id, (long long)row->report, br);
	e |= buf_printf(out, "%sDate: %s%s\n", q, today, br);
	e |= buf_printf(out, "%sMarking: %s%s\n", q, banner, br);
	e |= buf_printf(out, "%sPurpose: %s%s\n", q, row->purpose, br);
	e |= buf_printf(out,
	                "%sHandling: for the named recipient only, for the purpose above, until "
	                "%s. Do not copy, forward or publish any part of it. This copy is unique "
	                "to its recipient.\n",
	                q, expiry);
	return e == 0 ? 0 : -1;
}

#define RULE "----------------------------------------"

/* The whole copy as text or Markdown: banner, notice, the text, banner. 0 or -1. */
static int compose(const struct store_release *row, const struct store_recipient *rcp,
                   uint32_t number, const char *banner, const struct buf *body, bool md,
                   struct buf *out)
{
	const char *b0 = md ? "**" : "", *rule = md ? "---" : RULE;
	if (buf_printf(out, "%s%s%s\n\n", b0, banner, b0) != BUF_OK ||
	    notice(row, rcp, number, banner, md, out) != 0 ||
	    buf_printf(out, "\n%s\n\n", rule) != BUF_OK ||
	    buf_append(out, body->data, body->len) != BUF_OK)
		return -1;
	return buf_printf(out, "\n\n%s\n\n%s%s%s\n", rule, b0, banner, b0) == BUF_OK ? 0 : -1;
}

/* The copy as a PDF: the banner on every page, the notice on page 1. 0 or -1. */
static int compose_pdf(const struct store_release *row, const struct store_recipient *rcp,
                       uint32_t number, const char *banner, const struct buf *body, struct buf *out)
{
	struct buf head;
	unsigned pages = 0;
	buf_init(&head, 8192);
	int rc = notice(row, rcp, number, banner, false, &head);
	if (rc == 0) {
		struct pdf_doc d = {.banner = banner,
		                    .heading = (const char *)head.data,
		                    .heading_len = head.len,
		                    .text = (const char *)body->data,
		                    .text_len = body->len};
		rc = pdf_render(&d, out, &pages);
	}
	buf_release(&head);
	return rc;
}

struct deliver_tx {
	store_id id;
	const char *actor, *marking, *detail;
};

static enum store_result deliver_tx(struct store *s, void *arg)
{
	struct deliver_tx *a = arg;
	return rl_log_in(s, LEDGER_RELEASE_DELIVER, a->actor, "release", a->id, a->marking,
	                 a->detail);
}

/* Seals plain for the recipient (their age recipient, else the passphrase). */
static enum release_result seal_for(const struct store_recipient *rcp,
                                    const struct release_export *in, const struct buf *plain,
                                    struct buf *out, struct release_error *err)
{
	struct age_recipient *ar = NULL;
	enum age_err e;
	if (rcp->age_recipient[0] != '\0') {
		e = age_recipient_parse(rcp->age_recipient, &ar);
	} else {
		if (in->passphrase == NULL || in->passphrase_len == 0 ||
		    in->passphrase_len > RELEASE_PASSPHRASE_MAX) {
			rl_say(err, "recipient '%s' has no age recipient: a passphrase is needed",
			       rcp->name);
			return RELEASE_BAD_INPUT;
		}
		e = age_recipient_scrypt(in->passphrase, in->passphrase_len,
		                         in->scrypt_work_factor > 0
		                                 ? in->scrypt_work_factor
		                                 : AGE_SCRYPT_DEFAULT_WORK_FACTOR,
		                         &ar);
	}
	if (e != AGE_OK)
		return RELEASE_FAILED;
	const struct age_recipient *const rs[] = {ar};
	e = age_encrypt_buf(rs, 1, plain->data, plain->len, out);
	age_recipient_free(&ar);
	return e == AGE_OK ? RELEASE_OK : RELEASE_FAILED;
}

enum release_result release_export(struct registry *r, const struct officer_key *as,
                                   const struct release_export *in, struct buf *out,
                                   struct release_error *err)
{
	struct access_subject subj;
	struct rl_row w = {0};
	struct rl_version v;
	struct store_recipient rcp;
	struct marking target;
	struct find_copy fc = {0};
	struct buf bits, body, doc;
	enum release_result rc;

	memset(&v, 0, sizeof v);
	buf_init(&bits, COPY_CHOICES_MAX(TARDOS_SLOTS_MAX));
	buf_init(&body, RL_TEXT_MAX + 64 * 1024);
	buf_init(&doc, RELEASE_COPY_MAX);
	if (err)
		err->msg[0] = '\0';
	if ((rc = rl_subject(r, as, ACCESS_ROLE_RELEASING, &subj, err)) != RELEASE_OK)
		goto out;
	if (in == NULL || out == NULL || in->recipient == NULL) {
		rc = RELEASE_BAD_INPUT;
		goto out;
	}
	if ((rc = rl_row_get(r, in->release, &w)) == RELEASE_OK &&
	    !registry_report_readable(r, &subj, w.row.report)) {
		rl_row_free(&w);
		rc = RELEASE_NOT_FOUND;
	}
	if (rc != RELEASE_OK) {
		if (rc == RELEASE_NOT_FOUND)
			rl_say(err, "release %lld: no such release", (long long)in->release);
		goto out;
	}
	if (w.row.state != STORE_RELEASE_APPROVED) {
		rl_say(err, "release %lld is %s: only an approved release has copies",
		       (long long)in->release, rl_state(&w.row, store_today()));
		rc = RELEASE_FORBIDDEN;
		goto out;
	}
	if (store_today() > w.row.expiry_day) {
		rl_say(err, "release %lld has expired", (long long)in->release);
		rc = RELEASE_EXPIRED;
		goto out;
	}
	enum store_result sr = store_recipient_find(registry_store(r), in->recipient, &rcp);
	if (sr == STORE_OK) {
		fc.who = rcp.id;
		sr = store_copies(registry_store(r), in->release, find_copy, &fc);
		if (sr == STORE_STOP && !fc.failed)
			sr = STORE_OK; /* find_copy stops at the recipient's copy */
	}
	if (sr == STORE_OK && !fc.failed && fc.sealed == NULL)
		sr = STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND) {
		rl_say(err, "'%s' is not a recipient of release %lld", in->recipient,
		       (long long)in->release);
		rc = RELEASE_NOT_FOUND;
		goto out;
	}
	if (sr != STORE_OK || fc.failed) {
		rc = RELEASE_FAILED;
		goto out;
	}
	if (marking_parse(registry_scheme(r), w.row.marking, strlen(w.row.marking), &target,
	                  NULL) != MARKING_OK ||
	    (rc = rl_version_open(r, as, w.row.report, &target, &v, err)) != RELEASE_OK) {
		rc = rc == RELEASE_OK ? RELEASE_FAILED : rc;
		goto out;
	}
	/* the decision again: a recipient disabled since is refused */
	if ((rc = rl_report_allowed(r, w.row.report, &rcp, &v.marking, v.marking_text, err)) !=
	    RELEASE_OK)
		goto out;
	enum registry_result gr = registry_unseal(r, as, &v.report_marking, w.row.label_version,
	                                          fc.sealed, fc.len, &bits);
	if (gr != REGISTRY_OK) {
		rc = gr == REGISTRY_CANNOT_OPEN ? RELEASE_CANNOT_OPEN : RELEASE_FAILED;
		goto out;
	}
	/* the choices name the slot engine of the release (copy.h) */
	unsigned engine = 0;
	const uint8_t *choices = NULL;
	if (copy_choices_parse(bits.data, bits.len, w.row.nslots, &engine, &choices) != 0 ||
	    rl_version_engine(&v, engine) != RELEASE_OK || v.slots.n != w.row.nslots ||
	    copy_render(&v.slots, choices, &body) != 0 ||
	    (in->form == RELEASE_FORM_PDF
	             ? compose_pdf(&w.row, &rcp, fc.number, v.marking_text, &body, &doc)
	             : compose(&w.row, &rcp, fc.number, v.marking_text, &body,
	                       in->form != RELEASE_FORM_TEXT, &doc)) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	if (in->form == RELEASE_FORM_AGE) {
		if ((rc = seal_for(&rcp, in, &doc, out, err)) != RELEASE_OK)
			goto out;
	} else if (buf_append(out, doc.data, doc.len) != BUF_OK) {
		rc = RELEASE_FAILED;
		goto out;
	}
	char actor[LEDGER_TOKEN_MAX + 1], detail[96];
	int k = snprintf(detail, sizeof detail, "recipient:%lld copy %u as %s", (long long)rcp.id,
	                 fc.number, form_name(in->form));
	if (k < 0 || (size_t)k >= sizeof detail || rl_actor(as, actor) != 0) {
		rc = RELEASE_FAILED;
		goto out;
	}
	struct deliver_tx a = {
	        .id = in->release, .actor = actor, .marking = w.row.marking, .detail = detail};
	if (store_write(registry_store(r), NULL, 0, deliver_tx, &a) != STORE_OK)
		rc = RELEASE_FAILED;
out:
	if (rc != RELEASE_OK && out != NULL)
		buf_wipe_release(out); /* nothing leaves without its entry */
	free(fc.sealed);
	buf_wipe_release(&bits);
	buf_wipe_release(&body);
	buf_wipe_release(&doc);
	rl_version_free(&v);
	rl_row_free(&w);
	return rc;
}
