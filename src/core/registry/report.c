/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report: reports written (sealed to their marking's label, stored with the
 * author as the first reader), opened under the decision, and circulated.
 * Writing and circulating each commit with their ledger entry in one
 * store_write.
 */
#include "core/registry/registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

/* ---- reports: reading a row ---- */

static int row_copy(void *ctx, const struct store_report *sr)
{
	struct reg_row *w = ctx;
	w->meta = *sr;
	w->meta.readers = NULL;
	w->meta.body = NULL;
	w->readers = malloc((sr->nreaders ? sr->nreaders : 1) * sizeof *w->readers);
	w->body = sr->body_len ? malloc(sr->body_len) : NULL;
	if (w->readers == NULL || (sr->body_len && w->body == NULL)) {
		w->failed = 1;
		return 1;
	}
	if (sr->nreaders)
		memcpy(w->readers, sr->readers, sr->nreaders * sizeof *w->readers);
	if (sr->body_len)
		memcpy(w->body, sr->body, sr->body_len);
	return 0;
}

void reg_row_free(struct reg_row *w)
{
	free(w->readers);
	free(w->body);
	w->readers = NULL;
	w->body = NULL;
}

/* Loads report id and asks THE decision for subj. NOT_FOUND for missing or denied. */
enum registry_result reg_report_decided(struct registry *r, const struct access_subject *subj,
                                        store_id id, struct reg_row *w, struct marking *m)
{
	memset(w, 0, sizeof *w);
	enum store_result sr = store_report_get(r->s, id, row_copy, w);
	if (sr == STORE_NOT_FOUND)
		return REGISTRY_NOT_FOUND;
	if (sr != STORE_OK || w->failed) {
		reg_row_free(w);
		return REGISTRY_FAILED;
	}
	if (marking_parse(&r->scheme, w->meta.marking, strlen(w->meta.marking), m, NULL) !=
	    MARKING_OK) {
		reg_row_free(w);
		return REGISTRY_NOT_FOUND; /* of another scheme: nobody reads it */
	}
	struct access_object obj = {.marking = *m,
	                            .dist_unrestricted = false,
	                            .dist = w->readers,
	                            .ndist = w->meta.nreaders};
	if (access_decide(subj, &obj, NULL) != ACCESS_ALLOW) {
		reg_row_free(w);
		return REGISTRY_NOT_FOUND;
	}
	return REGISTRY_OK;
}

bool registry_report_readable(struct registry *r, const struct access_subject *subj, store_id id)
{
	struct reg_row w;
	struct marking m;
	if (reg_report_decided(r, subj, id, &w, &m) != REGISTRY_OK)
		return false;
	reg_row_free(&w);
	return true;
}

/* ---- reports: writing ---- */

static enum registry_result check_cite(struct registry *r, const struct access_subject *subj,
                                       const struct marking *mine, const struct registry_cite *c,
                                       struct registry_error *err)
{
	struct marking m;
	const char *kind = c->kind == REGISTRY_CITE_REPORT ? "report" : "submission";
	if (c->kind == REGISTRY_CITE_REPORT) {
		struct reg_row w;
		enum registry_result rc = reg_report_decided(r, subj, c->id, &w, &m);
		reg_row_free(&w);
		if (rc == REGISTRY_NOT_FOUND)
			reg_say(err, "cited report %lld: no such report", (long long)c->id);
		if (rc != REGISTRY_OK)
			return rc;
	} else if (c->kind == REGISTRY_CITE_SUBMISSION) {
		struct store_submission sub;
		enum store_result sr = store_submission_get(r->s, c->id, &sub);
		if (sr != STORE_OK && sr != STORE_NOT_FOUND)
			return REGISTRY_FAILED;
		/* citing takes reading it (its distribution is the intake role's holders) */
		if (sr == STORE_NOT_FOUND || !registry_submission_readable(r, subj, &sub) ||
		    marking_parse(&r->scheme, sub.marking, strnlen(sub.marking, sizeof sub.marking),
		                  &m, NULL) != MARKING_OK) {
			reg_say(err, "cited submission %lld: no such submission", (long long)c->id);
			return REGISTRY_NOT_FOUND;
		}
	} else {
		reg_say(err, "a citation of an unknown kind");
		return REGISTRY_BAD_INPUT;
	}
	enum marking_dominance d = marking_dominance(mine, &m);
	if (d != MARKING_DOM_YES) {
		char mt[MARKING_TEXT_MAX + 3], ct[MARKING_TEXT_MAX + 3];
		if (marking_format(&r->scheme, mine, false, mt, sizeof mt) < 0 ||
		    marking_format(&r->scheme, &m, false, ct, sizeof ct) < 0)
			return REGISTRY_FAILED;
		reg_say(err,
		        "the report's marking %s does not dominate %s %lld's marking %s "
		        "(%s)",
		        mt, kind, (long long)c->id, ct, marking_dominance_name(d));
		return REGISTRY_WRITE_DOWN;
	}
	return REGISTRY_OK;
}

static enum registry_result seal(const uint8_t pk[static 32], const struct buf *plain,
                                 struct buf *out)
{
	struct age_recipient *rc = NULL;
	if (age_recipient_from_x25519(pk, &rc) != AGE_OK)
		return REGISTRY_FAILED;
	const struct age_recipient *const rs[] = {rc};
	enum age_err e = age_encrypt_buf(rs, 1, plain->data, plain->len, out);
	age_recipient_free(&rc);
	return e == AGE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

/* A report checked and sealed, not yet stored (registry_report_prepare). */
struct registry_prepared {
	store_id author;
	uint32_t version;
	char marking[STORE_MARKING_MAX];
	char actor[LEDGER_TOKEN_MAX + 1], detail[64];
	struct buf sealed;
	struct store_cite cites[REGISTRY_CITES_MAX];
	size_t ncites;
};

void registry_prepared_free(struct registry_prepared **p)
{
	if (p == NULL || *p == NULL)
		return;
	buf_release(&(*p)->sealed);
	free(*p);
	*p = NULL;
}

enum store_result registry_report_insert_in(struct store *s, const struct registry_prepared *p,
                                            struct registry_written *out)
{
	store_id mid = 0, id = 0;
	int64_t author = p->author;
	enum store_result sr = store_marking_id(s, p->marking, &mid);
	if (sr != STORE_OK)
		return sr;
	sr = store_report_insert(s, p->author, store_today(), mid, p->version, p->sealed.data,
	                         p->sealed.len, &author, 1, p->cites, p->ncites, &id);
	if (sr != STORE_OK)
		return sr;
	if ((sr = reg_log_id_in(s, LEDGER_REPORT_WRITE, p->actor, "report", id, p->marking,
	                        p->detail)) != STORE_OK)
		return sr;
	out->id = id;
	memcpy(out->marking, p->marking, sizeof out->marking);
	return STORE_OK;
}

enum registry_result registry_report_prepare(struct registry *r, const struct officer_key *as,
                                             const struct registry_report_input *in,
                                             struct registry_prepared **out,
                                             struct registry_error *err)
{
	enum registry_result rc;
	struct access_subject subj;
	struct registry_report *draft = NULL;
	struct registry_prepared *p = NULL;
	struct buf plain;
	uint8_t pk[32];

	buf_init(&plain, REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64);
	if (err)
		err->msg[0] = '\0';
	if (out != NULL)
		*out = NULL;
	if (as == NULL || in == NULL || out == NULL) {
		rc = REGISTRY_BAD_INPUT;
		goto out;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	buf_init(&p->sealed, STORE_REPORT_BODY_MAX);
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_NOT_FOUND ? REGISTRY_FORBIDDEN : rc;
		goto out;
	}
	if (!(subj.roles & ROLE_ANALYST)) {
		reg_say(err, "writing reports needs the analyst role");
		rc = REGISTRY_FORBIDDEN;
		goto out;
	}
	if ((rc = registry_report_draft(r, in, &draft, err)) != REGISTRY_OK)
		goto out;
	if (in->declared != NULL) {
		struct marking dm;
		struct marking_error merr;
		if (marking_parse(&r->scheme, in->declared, strlen(in->declared), &dm, &merr) !=
		    MARKING_OK) {
			reg_say(err, "the declared marking: %s", merr.msg);
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (!marking_equal(&dm, &draft->marking)) {
			reg_say(err,
			        "the declared marking is not the combination of the portions, "
			        "which is "
			        "%s",
			        draft->marking_text);
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
	}
	if (access_clearance_covers(&subj, &draft->marking, NULL) != ACCESS_ALLOW) {
		reg_say(err, "%s is above your clearance (or not releasable to your nationality)",
		        draft->marking_text);
		rc = REGISTRY_ABOVE_CLEARANCE;
		goto out;
	}
	for (size_t i = 0; i < in->ncites; i++) {
		if ((rc = check_cite(r, &subj, &draft->marking, &in->cites[i], err)) != REGISTRY_OK)
			goto out;
		p->cites[i] = (struct store_cite){.kind = in->cites[i].kind == REGISTRY_CITE_REPORT
		                                                  ? STORE_CITE_REPORT
		                                                  : STORE_CITE_SUBMISSION,
		                                  .id = in->cites[i].id};
	}
	p->ncites = in->ncites;
	if ((rc = registry_label(r, &draft->marking, &p->version, pk)) != REGISTRY_OK ||
	    (rc = reg_body_encode(r, draft, &plain)) != REGISTRY_OK ||
	    (rc = seal(pk, &plain, &p->sealed)) != REGISTRY_OK)
		goto out;
	int k = snprintf(p->detail, sizeof p->detail, "%zu paragraphs, %zu citations",
	                 draft->nparas, in->ncites);
	if (k < 0 || (size_t)k >= sizeof p->detail || reg_actor(as, p->actor) != 0) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	p->author = subj.id;
	memcpy(p->marking, draft->marking_text, sizeof p->marking);
	*out = p;
	p = NULL;
	rc = REGISTRY_OK;
out:
	registry_report_free(&draft);
	registry_prepared_free(&p);
	buf_wipe_release(&plain);
	return rc;
}

struct write_tx {
	const struct registry_prepared *p;
	struct registry_written *out;
};

static enum store_result write_tx(struct store *s, void *arg)
{
	struct write_tx *a = arg;
	return registry_report_insert_in(s, a->p, a->out);
}

enum registry_result registry_report_write(struct registry *r, const struct officer_key *as,
                                           const struct registry_report_input *in,
                                           struct registry_written *out, struct registry_error *err)
{
	struct registry_prepared *p = NULL;
	enum registry_result rc = registry_report_prepare(r, as, in, &p, err);
	if (rc != REGISTRY_OK)
		return rc;
	struct write_tx a = {.p = p, .out = out};
	enum store_result wr = store_write(r->s, NULL, 0, write_tx, &a);
	rc = wr == STORE_OK ? REGISTRY_OK : wr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
	registry_prepared_free(&p);
	return rc;
}

/* ---- reports: reading ---- */

enum registry_result registry_report_open(struct registry *r, const struct officer_key *as,
                                          store_id id, struct registry_report **out)
{
	enum registry_result rc;
	struct access_subject subj;
	struct reg_row w = {0};
	struct marking m;
	struct registry_report *rep = NULL;
	struct buf plain;
	char lname[LNAME_MAX];

	*out = NULL;
	buf_init(&plain, REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64);
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
		goto out;
	}
	if ((rc = reg_report_decided(r, &subj, id, &w, &m)) != REGISTRY_OK)
		goto out;
	if (registry_label_name(r, &m, lname, sizeof lname) != 0) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	struct age_identity *owned = NULL;
	const struct age_identity *key =
	        reg_label_identity(r, as, lname, w.meta.label_version, &owned);
	if (key == NULL) {
		rc = REGISTRY_CANNOT_OPEN;
		goto out;
	}
	const struct age_identity *const ids[] = {key};
	enum age_err ae = age_decrypt_buf(ids, 1, w.body, w.meta.body_len, &plain);
	age_identity_free(&owned);
	if (ae != AGE_OK) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	if ((rep = reg_report_new()) == NULL) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	if ((rc = reg_body_decode(r, plain.data, plain.len, rep)) != REGISTRY_OK ||
	    (rc = reg_overall(r, rep, NULL)) != REGISTRY_OK)
		goto out;
	/* checked: the stored marking is the combination of the sealed portions */
	if (!marking_equal(&rep->marking, &m)) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	rep->id = w.meta.id;
	rep->author = w.meta.author;
	rep->day = w.meta.day;
	*out = rep;
	rep = NULL;
	rc = REGISTRY_OK;
out:
	registry_report_free(&rep);
	buf_wipe_release(&plain);
	reg_row_free(&w);
	return rc;
}

/* The lists a report was circulated to: the decision first, as for opening it. */
enum registry_result registry_report_lists(struct registry *r, const struct officer_key *as,
                                           store_id id, int (*fn)(void *ctx, const char *name),
                                           void *ctx)
{
	struct access_subject subj;
	struct reg_row w;
	struct marking m;
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
	if ((rc = reg_report_decided(r, &subj, id, &w, &m)) != REGISTRY_OK)
		return rc;
	reg_row_free(&w);
	enum store_result sr = store_report_lists(r->s, id, fn, ctx);
	return sr == STORE_OK || sr == STORE_STOP ? REGISTRY_OK : REGISTRY_FAILED; /* fn may stop */
}

/* ---- circulation ---- */

/* report circulate: the new readers and lists, and the report.circulate entry */
struct circulate_tx {
	store_id report;
	const struct reg_ids *readers, *lists;
	const char *actor, *marking, *detail;
};

static enum store_result circulate_tx(struct store *s, void *arg)
{
	struct circulate_tx *a = arg;
	enum store_result sr = store_report_circulate(s, a->report, a->readers->v, a->readers->n,
	                                              a->lists->v, a->lists->n);
	if (sr != STORE_OK)
		return sr;
	return reg_log_id_in(s, LEDGER_REPORT_CIRCULATE, a->actor, "report", a->report, a->marking,
	                     a->detail);
}

enum registry_result registry_report_circulate(struct registry *r, const struct officer_key *as,
                                               store_id id, const char *const *lists, size_t nlists,
                                               const char *const *officers, size_t nofficers,
                                               struct registry_error *err)
{
	enum registry_result rc;
	struct access_subject subj;
	struct reg_row w = {0};
	struct marking m;
	struct offs a = {0};
	struct reg_ids readers = {0}, lids = {0};

	if (err)
		err->msg[0] = '\0';
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
		goto out;
	}
	if ((rc = reg_report_decided(r, &subj, id, &w, &m)) != REGISTRY_OK) {
		reg_say(err, "report %lld: no such report", (long long)id);
		goto out;
	}
	if ((rc = reg_offs_load(r, &a)) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < nofficers; i++) {
		const struct off *f = officers[i] ? reg_offs_by_name(&a, officers[i]) : NULL;
		if (f == NULL) {
			reg_say(err, "no officer '%s'", officers[i] ? officers[i] : "");
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (reg_ids_push(&readers, f->id) != 0) {
			rc = REGISTRY_FAILED;
			goto out;
		}
	}
	for (size_t i = 0; i < nlists; i++) {
		store_id lid = 0;
		enum store_result sr =
		        lists[i] ? store_dist_find(r->s, lists[i], &lid, NULL) : STORE_NOT_FOUND;
		if (sr == STORE_NOT_FOUND) {
			reg_say(err, "no distribution list '%s'", lists[i] ? lists[i] : "");
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (sr != STORE_OK || reg_ids_push(&lids, lid) != 0 ||
		    store_dist_members(r->s, lid, reg_ids_push, &readers) != STORE_OK ||
		    readers.failed) {
			rc = REGISTRY_FAILED;
			goto out;
		}
	}
	char actor[LEDGER_TOKEN_MAX + 1], text[MARKING_TEXT_MAX + 1], detail[96];
	int k = snprintf(detail, sizeof detail, "to %zu officers and %zu lists", readers.n, lids.n);
	if (k < 0 || (size_t)k >= sizeof detail ||
	    marking_format(&r->scheme, &m, false, text, sizeof text) < 0 ||
	    reg_actor(as, actor) != 0) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	struct circulate_tx t = {.report = id,
	                         .readers = &readers,
	                         .lists = &lids,
	                         .actor = actor,
	                         .marking = text,
	                         .detail = detail};
	enum store_result cr = store_write(r->s, NULL, 0, circulate_tx, &t);
	rc = cr == STORE_OK ? REGISTRY_OK : cr == STORE_FULL ? REGISTRY_FULL : REGISTRY_FAILED;
out:
	reg_row_free(&w);
	free(a.v);
	free(readers.v);
	free(lids.v);
	return rc;
}
