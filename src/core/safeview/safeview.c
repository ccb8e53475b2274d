/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/safeview: converting a file to its safe copy, and opening it (safeview.h). */
#include "core/safeview/safeview.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/keys/label.h"
#include "core/keys/seal.h"
#include "core/ledger/ledger.h"
#include "core/store/store_safe.h"

#include "lib/banned.h"

struct safeview {
	struct store *s;
	struct registry *reg;
	struct inbox *ib;
	char helper[PATH_MAX];
	struct render_limits lim;
	struct render_service *svc; /* borrowed; NULL: the helper is started here */
};

const char *safeview_strerror(enum safeview_result r)
{
	switch (r) {
	case SAFEVIEW_OK:
		return "ok";
	case SAFEVIEW_NOT_FOUND:
		return "no such file";
	case SAFEVIEW_REFUSED:
		return "the converter refused the file";
	case SAFEVIEW_CANNOT_OPEN:
		return "your keys do not open this file";
	case SAFEVIEW_UNSUPPORTED:
		return "this store has no safe copies";
	case SAFEVIEW_BUSY:
		return "the store is busy: try again";
	case SAFEVIEW_FAILED:
		break;
	}
	return "failed";
}

void safeview_limits(const struct conf *c, struct render_limits *out)
{
	render_limits_default(out);
	out->dpi = (uint32_t)c->safeview_dpi;
	out->pixel_budget = (uint64_t)c->safeview_pixel_budget;
	out->seconds = (uint32_t)c->safeview_seconds;
	out->memory = c->safeview_memory;
	out->input_max =
	        c->max_upload_bytes < out->input_max ? (size_t)c->max_upload_bytes : out->input_max;
	if (strcmp(c->safeview_ocr, "off") != 0) /* checked by the configuration's parser */
		snprintf(out->ocr, sizeof out->ocr, "%s", c->safeview_ocr);
}

enum safeview_result safeview_new(struct store *s, struct registry *reg, struct inbox *ib,
                                  const char *helper, const struct render_limits *l,
                                  struct render_service *svc, struct safeview **out)
{
	*out = NULL;
	struct safeview *sv = calloc(1, sizeof *sv);
	if (sv == NULL)
		return SAFEVIEW_FAILED;
	int n = snprintf(sv->helper, sizeof sv->helper, "%s", helper);
	if (n < 0 || (size_t)n >= sizeof sv->helper) {
		free(sv);
		return SAFEVIEW_FAILED;
	}
	sv->s = s;
	sv->reg = reg;
	sv->ib = ib;
	sv->lim = *l;
	sv->svc = svc;
	*out = sv;
	return SAFEVIEW_OK;
}

void safeview_free(struct safeview **psv)
{
	if (psv == NULL || *psv == NULL)
		return;
	free(*psv);
	*psv = NULL;
}

static enum safeview_result from_inbox(enum inbox_result r)
{
	switch (r) {
	case INBOX_OK:
		return SAFEVIEW_OK;
	case INBOX_NOT_FOUND:
	case INBOX_FORBIDDEN:
	case INBOX_BAD_INPUT:
		return SAFEVIEW_NOT_FOUND;
	case INBOX_BUSY:
		return SAFEVIEW_BUSY;
	default:
		return SAFEVIEW_FAILED;
	}
}

static enum safeview_result from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return SAFEVIEW_OK;
	case STORE_NOT_FOUND:
		return SAFEVIEW_NOT_FOUND;
	case STORE_UNSUPPORTED:
		return SAFEVIEW_UNSUPPORTED;
	case STORE_BUSY:
		return SAFEVIEW_BUSY;
	default:
		return SAFEVIEW_FAILED;
	}
}

/* The file's safe copy, if one was made under the submission as it is now. */
static enum store_result fresh_copy(struct safeview *sv, const struct inbox_file_access *a,
                                    struct store_safe_copy *c)
{
	enum store_result r = store_safe_get(sv->s, a->file.id, c);
	if (r != STORE_OK)
		return r;
	if (strcmp(c->marking, a->sub.marking) != 0 || c->seal_version != a->sub.seal_version)
		return STORE_EXISTS; /* stale: sealed under another marking or version */
	return STORE_OK;
}

/* The entry's actor and object for who on sub: 0, or -1. */
static int names(const struct officer_key *who, const struct store_submission *sub,
                 char actor[static LEDGER_TOKEN_MAX + 1], char obj[static LEDGER_TOKEN_MAX + 1])
{
	int n = snprintf(obj, LEDGER_TOKEN_MAX + 1, "submission:%lld", (long long)sub->id);
	return n > 0 && n <= LEDGER_TOKEN_MAX &&
	                       officer_key_actor(who, actor, LEDGER_TOKEN_MAX + 1) == 0
	               ? 0
	               : -1;
}

struct add_tx {
	struct store_safe_copy c;
	const char *actor, *obj, *marking, *detail;
};

static enum store_result add_tx(struct store *s, void *arg)
{
	struct add_tx *t = arg;
	enum store_result r = store_safe_add(s, &t->c);
	if (r != STORE_OK)
		return r;
	return ledger_record_in(s, LEDGER_OBJECT_CONVERT, t->actor, t->obj, t->marking, t->detail);
}

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

/* Seals pdf like the file (inner: the intake label now; outer: the file's own). */
static enum safeview_result seal_copy(struct safeview *sv, const struct inbox_file_access *a,
                                      const struct buf *pdf, store_id *blob)
{
	uint32_t version;
	uint8_t pk[32];
	struct age_recipient *inner = NULL, *outer = NULL;
	enum safeview_result rc = SAFEVIEW_FAILED;
	*blob = 0;
	if (label_current(sv->s, LABEL_INTAKE, &version, pk) != LABEL_OK ||
	    age_recipient_from_x25519(pk, &inner) != AGE_OK)
		goto out;
	if (a->sub.seal_version != 0) {
		if (a->keys.outer == NULL) {
			rc = SAFEVIEW_CANNOT_OPEN;
			goto out;
		}
		if (age_identity_recipient(a->keys.outer, &outer) != AGE_OK)
			goto out;
	}
	struct sealer *x = NULL;
	enum seal_result sr = seal_begin(sv->s, inner, outer, &x);
	if (sr == SEAL_OK)
		sr = seal_update(x, pdf->data, pdf->len);
	if (sr == SEAL_OK)
		sr = seal_finish(x, blob);
	seal_free(&x);
	rc = sr == SEAL_OK ? SAFEVIEW_OK : SAFEVIEW_FAILED;
out:
	age_recipient_free(&inner);
	age_recipient_free(&outer);
	return rc;
}

/* by_desk: the desk's worker on arrival, actor `system`; the officer's keys named in the detail */
static enum safeview_result convert(struct safeview *sv, const struct officer_key *who,
                                    bool by_desk, store_id sub, int64_t n,
                                    struct safeview_info *info,
                                    char reason[static SAFEVIEW_REASON_MAX])
{
	char keys[LEDGER_TOKEN_MAX + 64];
	struct inbox_file_access a;
	struct store_safe_copy c;
	struct buf doc, pdf;
	char actor[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1], detail[LEDGER_DETAIL_MAX];
	store_id blob = 0;
	memset(info, 0, sizeof *info);
	reason[0] = '\0';
	enum safeview_result rc = from_inbox(inbox_file_access(sv->ib, who, sub, n, &a));
	if (rc != SAFEVIEW_OK)
		return rc;
	buf_init(&doc, sv->lim.input_max);
	buf_init(&pdf, (size_t)1 << 31);
	if (names(who, &a.sub, actor, obj) != 0 ||
	    snprintf(keys, sizeof keys, " (on arrival, with the keys of %s)", actor) >=
	            (int)sizeof keys) {
		rc = SAFEVIEW_FAILED;
		goto out;
	}
	if (!by_desk)
		keys[0] = '\0';
	else
		snprintf(actor, LEDGER_TOKEN_MAX + 1, "system");
	enum store_result sr = fresh_copy(sv, &a, &c);
	if (sr == STORE_OK) {
		info->pages = (uint32_t)c.pages;
		goto out; /* made already */
	}
	if (sr == STORE_EXISTS)
		sr = store_safe_delete(sv->s, a.file.id); /* stale: made anew */
	if (sr != STORE_NOT_FOUND && sr != STORE_OK) {
		rc = from_store(sr);
		goto out;
	}
	/* the original, opened with the officer's keys, into memory (wiped below) */
	enum unseal_result ur = unseal_blob(sv->s, a.file.data_blob, &a.keys, to_buf, &doc);
	if (ur != UNSEAL_OK) {
		if (doc.len >= sv->lim.input_max) {
			rc = SAFEVIEW_REFUSED;
			snprintf(reason, SAFEVIEW_REASON_MAX, "%s",
			         render_strerror(RENDER_TOO_LARGE));
		} else {
			rc = ur == UNSEAL_CANNOT_OPEN ? SAFEVIEW_CANNOT_OPEN
			     : ur == UNSEAL_NOT_FOUND ? SAFEVIEW_NOT_FOUND
			                              : SAFEVIEW_FAILED;
		}
		goto refused;
	}
	uint32_t pages = 0;
	enum render_result rr =
	        sv->svc != NULL ? render_service_run(sv->svc, doc.data, doc.len, &pdf, &pages)
	                        : render_run(sv->helper, &sv->lim, doc.data, doc.len, &pdf, &pages);
	buf_wipe_release(&doc);
	if (rr != RENDER_OK) {
		rc = rr == RENDER_FAILED ? SAFEVIEW_FAILED : SAFEVIEW_REFUSED;
		snprintf(reason, SAFEVIEW_REASON_MAX, "%s", render_strerror(rr));
		goto refused;
	}
	if ((rc = seal_copy(sv, &a, &pdf, &blob)) != SAFEVIEW_OK)
		goto out;
	int dn =
	        snprintf(detail, sizeof detail, "file %lld, %u pages%s", (long long)n, pages, keys);
	if (dn < 0 || (size_t)dn >= sizeof detail) {
		rc = SAFEVIEW_FAILED;
		goto out;
	}
	struct add_tx t = {.c = {.file_id = a.file.id,
	                         .blob = blob,
	                         .pages = (int32_t)pages,
	                         .day = store_today(),
	                         .seal_version = a.sub.seal_version},
	                   .actor = actor,
	                   .obj = obj,
	                   .marking = a.sub.marking,
	                   .detail = detail};
	memcpy(t.c.marking, a.sub.marking, sizeof t.c.marking);
	sr = store_write(sv->s, &blob, 1, add_tx, &t);
	if (sr == STORE_EXISTS) { /* another conversion of it committed first: that one stands */
		sr = fresh_copy(sv, &a, &c);
		pages = (uint32_t)c.pages;
	} else if (sr == STORE_OK) {
		blob = 0; /* the safe copy's now */
		info->made = true;
	}
	info->pages = sr == STORE_OK ? pages : 0;
	rc = from_store(sr);
	goto out;
refused:
	/* a refusal is recorded too: who asked, which file, why */
	dn = snprintf(detail, sizeof detail, "file %lld refused: %s%s", (long long)n,
	              reason[0] ? reason : safeview_strerror(rc), keys);
	if (dn < 0 || (size_t)dn >= sizeof detail ||
	    ledger_record(sv->s, LEDGER_OBJECT_CONVERT, actor, obj, a.sub.marking, detail) !=
	            LEDGER_OK)
		rc = SAFEVIEW_FAILED;
out:
	if (blob != 0)
		(void)store_blob_delete(sv->s, blob);
	buf_wipe_release(&doc);
	buf_wipe_release(&pdf);
	inbox_file_access_release(&a);
	return rc;
}

enum safeview_result safeview_convert(struct safeview *sv, const struct officer_key *who,
                                      store_id sub, int64_t n, struct safeview_info *info,
                                      char reason[static SAFEVIEW_REASON_MAX])
{
	return convert(sv, who, false, sub, n, info, reason);
}

enum safeview_result safeview_status(struct safeview *sv, const struct officer_key *who,
                                     store_id sub, int64_t n, uint32_t *pages)
{
	struct inbox_file_access a;
	struct store_safe_copy c;
	*pages = 0;
	enum safeview_result rc = from_inbox(inbox_file_access(sv->ib, who, sub, n, &a));
	if (rc != SAFEVIEW_OK)
		return rc;
	enum store_result sr = fresh_copy(sv, &a, &c);
	inbox_file_access_release(&a);
	if (sr == STORE_EXISTS)
		sr = STORE_NOT_FOUND;
	if (sr == STORE_OK)
		*pages = (uint32_t)c.pages;
	return from_store(sr);
}

enum safeview_result safeview_open(struct safeview *sv, const struct officer_key *who, store_id sub,
                                   int64_t n, age_write_fn w, void *ctx)
{
	struct inbox_file_access a;
	struct store_safe_copy c;
	char actor[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1], detail[48];
	enum safeview_result rc = from_inbox(inbox_file_access(sv->ib, who, sub, n, &a));
	if (rc != SAFEVIEW_OK)
		return rc;
	enum store_result sr = fresh_copy(sv, &a, &c);
	if (sr != STORE_OK) {
		rc = sr == STORE_EXISTS ? SAFEVIEW_NOT_FOUND : from_store(sr);
		goto out;
	}
	int dn = snprintf(detail, sizeof detail, "safe copy of file %lld", (long long)n);
	/* recorded before a byte leaves */
	if (dn < 0 || (size_t)dn >= sizeof detail || names(who, &a.sub, actor, obj) != 0 ||
	    ledger_record(sv->s, LEDGER_OBJECT_DOWNLOAD, actor, obj, a.sub.marking, detail) !=
	            LEDGER_OK) {
		rc = SAFEVIEW_FAILED;
		goto out;
	}
	enum unseal_result ur = unseal_blob(sv->s, c.blob, &a.keys, w, ctx);
	rc = ur == UNSEAL_OK            ? SAFEVIEW_OK
	     : ur == UNSEAL_CANNOT_OPEN ? SAFEVIEW_CANNOT_OPEN
	     : ur == UNSEAL_NOT_FOUND   ? SAFEVIEW_NOT_FOUND
	                                : SAFEVIEW_FAILED;
out:
	inbox_file_access_release(&a);
	return rc;
}

/* The entry of who's action on file n's safe copy, durable: 0 or -1. */
static int log_copy(struct safeview *sv, const struct officer_key *who,
                    const struct store_submission *sub, enum ledger_action action, const char *what,
                    int64_t n)
{
	char actor[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1], detail[48];
	int dn = snprintf(detail, sizeof detail, "%s of file %lld", what, (long long)n);
	return dn > 0 && (size_t)dn < sizeof detail && names(who, sub, actor, obj) == 0 &&
	                       ledger_record(sv->s, action, actor, obj, sub->marking, detail) ==
	                               LEDGER_OK
	               ? 0
	               : -1;
}

enum safeview_result safeview_view(struct safeview *sv, const struct officer_key *who, store_id sub,
                                   int64_t n, uint32_t *pages)
{
	struct inbox_file_access a;
	struct store_safe_copy c;
	*pages = 0;
	enum safeview_result rc = from_inbox(inbox_file_access(sv->ib, who, sub, n, &a));
	if (rc != SAFEVIEW_OK)
		return rc;
	enum store_result sr = fresh_copy(sv, &a, &c);
	rc = sr == STORE_EXISTS ? SAFEVIEW_NOT_FOUND : from_store(sr);
	if (rc == SAFEVIEW_OK && log_copy(sv, who, &a.sub, LEDGER_OBJECT_READ, "safe view", n) != 0)
		rc = SAFEVIEW_FAILED;
	if (rc == SAFEVIEW_OK)
		*pages = (uint32_t)c.pages;
	inbox_file_access_release(&a);
	return rc;
}

enum safeview_result safeview_page(struct safeview *sv, const struct officer_key *who, store_id sub,
                                   int64_t n, uint32_t page, struct buf *png)
{
	struct inbox_file_access a;
	struct store_safe_copy c;
	struct buf pdf;
	enum safeview_result rc = from_inbox(inbox_file_access(sv->ib, who, sub, n, &a));
	if (rc != SAFEVIEW_OK)
		return rc;
	buf_init(&pdf, sv->lim.input_max);
	enum store_result sr = fresh_copy(sv, &a, &c);
	if (sr != STORE_OK || page == 0 || page > (uint32_t)c.pages) {
		rc = sr == STORE_OK || sr == STORE_EXISTS ? SAFEVIEW_NOT_FOUND : from_store(sr);
		goto out;
	}
	enum unseal_result ur = unseal_blob(sv->s, c.blob, &a.keys, to_buf, &pdf);
	if (ur != UNSEAL_OK) {
		rc = ur == UNSEAL_CANNOT_OPEN ? SAFEVIEW_CANNOT_OPEN : SAFEVIEW_FAILED;
		goto out;
	}
	enum render_result rr =
	        sv->svc != NULL
	                ? render_service_page(sv->svc, page, pdf.data, pdf.len, png)
	                : render_page_png(sv->helper, &sv->lim, page, pdf.data, pdf.len, png);
	rc = rr == RENDER_OK ? SAFEVIEW_OK : SAFEVIEW_FAILED;
out:
	buf_wipe_release(&pdf);
	inbox_file_access_release(&a);
	return rc;
}

#define PENDING_PAGE 32

/* One file: converted, refused or passed over. 1: stop (max reached, or a failure in *rc). */
static int pending_one(struct safeview *sv, const struct officer_key *who, store_id sub, int64_t n,
                       const struct safeview_pending_opts *o, struct safeview_pending *out,
                       enum safeview_result *rc)
{
	struct safeview_info info;
	char reason[SAFEVIEW_REASON_MAX];
	if (o->skip != NULL && o->skip(o->ctx, sub, n))
		return 0;
	if (out->converted + out->refused >= o->max) {
		out->more = true;
		return 1;
	}
	enum safeview_result r = convert(sv, who, o->by_desk, sub, n, &info, reason);
	if (r == SAFEVIEW_OK && !info.made)
		return 0; /* made already */
	if (r == SAFEVIEW_OK)
		out->converted++;
	else if (r == SAFEVIEW_REFUSED)
		out->refused++;
	else if (r == SAFEVIEW_CANNOT_OPEN || r == SAFEVIEW_NOT_FOUND)
		out->skipped++;
	if (o->fn != NULL)
		o->fn(o->ctx, sub, n, r, &info, reason);
	if (r == SAFEVIEW_FAILED || r == SAFEVIEW_UNSUPPORTED || r == SAFEVIEW_BUSY) {
		*rc = r;
		return 1;
	}
	return 0;
}

enum safeview_result safeview_convert_pending(struct safeview *sv, const struct officer_key *who,
                                              const struct safeview_pending_opts *o,
                                              struct safeview_pending *out)
{
	struct store_desk_source src[PENDING_PAGE];
	struct store_submission subs[PENDING_PAGE];
	enum safeview_result rc = SAFEVIEW_OK;
	memset(out, 0, sizeof *out);
	store_id sbefore = 0;
	do {
		size_t ns = 0;
		store_id snext = 0;
		enum inbox_result ir =
		        inbox_sources(sv->ib, who, sbefore, false, src, PENDING_PAGE, &ns, &snext);
		if (ir != INBOX_OK)
			return from_inbox(ir);
		for (size_t i = 0; i < ns; i++) {
			store_id before = 0;
			do {
				size_t nb = 0;
				store_id next = 0;
				ir = inbox_submissions(sv->ib, who, src[i].src.id, before, subs,
				                       PENDING_PAGE, &nb, &next);
				if (ir != INBOX_OK)
					return from_inbox(ir);
				for (size_t j = 0; j < nb; j++)
					for (int64_t f = 1; f <= subs[j].nfiles &&
					                    !(o->unread_only && subs[j].read);
					     f++)
						if (pending_one(sv, who, subs[j].id, f, o, out,
						                &rc) != 0)
							return rc;
				before = next;
			} while (before != 0);
		}
		sbefore = snext;
	} while (sbefore != 0);
	return rc;
}
