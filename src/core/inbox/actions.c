/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: downloads, replies, deleting a source, and the desk's own marks on a source. */
#include "core/inbox/inbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

/* ---- downloads ---- */

struct inbox_download {
	struct inbox *ib;
	struct unseal_keys keys; /* into who's identities */
	store_id blob;
	bool sealed; /* exported: the age file sealed to the intake label */
};

enum inbox_result inbox_download(struct inbox *ib, const struct officer_key *who, store_id sub,
                                 int64_t n, bool sealed, char name[static INBOX_NAME_MAX + 1],
                                 struct inbox_download **out)
{
	struct store_submission row;
	struct inbox_files *fs = NULL;
	struct inbox_download *d = NULL;
	struct inbox_file meta;
	enum inbox_result rc;
	char detail[48];
	*out = NULL;
	name[0] = '\0';
	if (n < 0 || (n == 0 && !sealed))
		return INBOX_BAD_INPUT;
	if ((rc = inbox_submission(ib, who, sub, &row)) != INBOX_OK)
		return rc;
	store_id blob = row.message_blob, meta_blob = 0;
	if (n > 0) {
		if ((fs = calloc(1, sizeof *fs)) == NULL)
			return INBOX_FAILED;
		if ((rc = inbox_files(ib, sub, fs)) != INBOX_OK)
			goto out;
		if ((uint64_t)n > fs->n) {
			rc = INBOX_NOT_FOUND;
			goto out;
		}
		blob = fs->items[n - 1].data_blob;
		meta_blob = fs->items[n - 1].meta_blob;
	}
	if (blob == 0) {
		rc = INBOX_NOT_FOUND; /* no message */
		goto out;
	}
	int dn = n > 0 ? snprintf(detail, sizeof detail, "%sfile %lld", sealed ? "sealed " : "",
	                          (long long)n)
	               : snprintf(detail, sizeof detail, "sealed message");
	if (dn < 0 || (size_t)dn >= sizeof detail) {
		rc = INBOX_FAILED;
		goto out;
	}
	/* recorded before a byte leaves */
	if (inbox_log(ib, who, LEDGER_OBJECT_DOWNLOAD, &row, detail) != 0) {
		rc = INBOX_FAILED;
		goto out;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		rc = INBOX_FAILED;
		goto out;
	}
	d->ib = ib;
	d->blob = blob;
	d->sealed = sealed;
	registry_submission_keys(ib->reg, who, &row, &d->keys);
	if (meta_blob != 0) {
		struct store_file f = {.meta_blob = meta_blob};
		if (inbox_file_meta(ib, &d->keys, &f, &meta) == 0)
			memcpy(name, meta.name, strlen(meta.name) + 1);
		sodium_memzero(&meta, sizeof meta);
	}
	*out = d;
	rc = INBOX_OK;
out:
	free(fs);
	return rc;
}

enum inbox_result inbox_download_run(struct inbox_download *d, age_write_fn w, void *ctx)
{
	enum unseal_result r = d->sealed ? unseal_export(d->ib->s, d->blob, &d->keys, w, ctx)
	                                 : unseal_blob(d->ib->s, d->blob, &d->keys, w, ctx);
	return r == UNSEAL_OK ? INBOX_OK : r == UNSEAL_NOT_FOUND ? INBOX_NOT_FOUND : INBOX_FAILED;
}

void inbox_download_free(struct inbox_download **pd)
{
	struct inbox_download *d = pd != NULL ? *pd : NULL;
	if (d == NULL)
		return;
	unseal_keys_release(&d->keys);
	free(d);
	*pd = NULL;
}

enum inbox_result inbox_file_access(struct inbox *ib, const struct officer_key *who, store_id sub,
                                    int64_t n, struct inbox_file_access *out)
{
	memset(out, 0, sizeof *out);
	if (n < 1)
		return INBOX_NOT_FOUND;
	enum inbox_result rc = inbox_submission(ib, who, sub, &out->sub);
	if (rc != INBOX_OK)
		return rc;
	struct inbox_files *fs = calloc(1, sizeof *fs);
	if (fs == NULL)
		return INBOX_FAILED;
	if ((rc = inbox_files(ib, sub, fs)) == INBOX_OK && (uint64_t)n > fs->n)
		rc = INBOX_NOT_FOUND;
	if (rc == INBOX_OK) {
		out->file = fs->items[n - 1];
		registry_submission_keys(ib->reg, who, &out->sub, &out->keys);
	}
	free(fs);
	if (rc != INBOX_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

void inbox_file_access_release(struct inbox_file_access *a)
{
	if (a == NULL)
		return;
	unseal_keys_release(&a->keys);
	memset(a, 0, sizeof *a);
}

/* ---- replies ---- */

static enum inbox_result from_intake(enum intake_result r)
{
	switch (r) {
	case INTAKE_OK:
		return INBOX_OK;
	case INTAKE_UNKNOWN:
		return INBOX_NOT_FOUND;
	case INTAKE_EMPTY:
	case INTAKE_TOO_LARGE:
	case INTAKE_BAD_INPUT:
		return INBOX_BAD_INPUT;
	case INTAKE_REFUSED:
		return INBOX_FORBIDDEN;
	case INTAKE_BUSY:
		return INBOX_BUSY;
	case INTAKE_FULL:
		return INBOX_FULL;
	default:
		return INBOX_FAILED;
	}
}

enum inbox_result inbox_reply(struct inbox *ib, const struct officer_key *who, store_id source,
                              const char *text, size_t n, store_id *reply)
{
	return inbox_reply_kind(ib, who, source, text, n, INTAKE_REPLY_PLAIN, reply);
}

enum inbox_result inbox_reply_kind(struct inbox *ib, const struct officer_key *who, store_id source,
                                   const char *text, size_t n, enum intake_reply_kind kind,
                                   store_id *reply)
{
	struct store_desk_source src;
	char actor[LEDGER_TOKEN_MAX + 1];
	enum inbox_result rc = inbox_source(ib, who, source, &src);
	if (rc != INBOX_OK)
		return rc;
	if (officer_key_actor(who, actor, sizeof actor) != 0)
		return INBOX_FAILED;
	return from_intake(intake_reply_seal_as(ib->in, actor, officer_key_id(who), source, text, n,
	                                        kind, reply));
}

/* ---- deleting a source: only by one who may read every submission of it ---- */

struct every {
	const struct registry *reg;
	struct access_subject subj;
	bool all;
	int64_t n;
};

static int check_one(void *ctx, const struct store_submission *sub)
{
	struct every *e = ctx;
	e->n++;
	if (!registry_submission_readable(e->reg, &e->subj, sub)) {
		e->all = false;
		return 1;
	}
	return 0;
}

struct delete_check {
	store_id source;
	struct every e;
};

/* Inside the deleting transaction: every submission it would destroy, as they are now. */
static enum store_result may_delete(struct store *s, void *arg)
{
	struct delete_check *c = arg;
	c->e.all = true;
	c->e.n = 0;
	enum store_result r = store_submission_list(s, c->source, 0, INT64_MAX, check_one, &c->e);
	if (r != STORE_OK && r != STORE_STOP)
		return r;
	return c->e.all && c->e.n > 0 ? STORE_OK : STORE_REFUSED;
}

enum inbox_result inbox_delete_source(struct inbox *ib, const struct officer_key *who,
                                      store_id source)
{
	struct store_desk_source src;
	char actor[LEDGER_TOKEN_MAX + 1];
	enum inbox_result rc = inbox_source(ib, who, source, &src);
	if (rc != INBOX_OK)
		return rc; /* not visible: as missing */
	struct delete_check c = {.source = source, .e = {.reg = ib->reg}};
	if (inbox_subject(ib, who, &c.e.subj) != 0 ||
	    officer_key_actor(who, actor, sizeof actor) != 0)
		return INBOX_FAILED;
	return from_intake(intake_source_delete_if(ib->in, actor, source, may_delete, &c));
}

/* ---- the desk's own marks ---- */

enum inbox_result inbox_star(struct inbox *ib, const struct officer_key *who, store_id source,
                             bool on)
{
	struct store_desk_source src;
	enum inbox_result rc = inbox_source(ib, who, source, &src);
	if (rc != INBOX_OK)
		return rc;
	return inbox_from_store(store_desk_set_star(ib->s, source, on));
}

enum inbox_result inbox_label(struct inbox *ib, const struct officer_key *who, store_id source,
                              const char *label)
{
	struct store_desk_source src;
	enum inbox_result rc = inbox_source(ib, who, source, &src);
	if (rc != INBOX_OK)
		return rc;
	char sealed[STORE_DESK_LABEL_MAX + 1];
	if (label == NULL)
		label = "";
	if (inbox_label_check(label) != 0)
		return INBOX_BAD_INPUT;
	if ((rc = inbox_label_seal(ib->s, label, sealed)) != INBOX_OK)
		return rc;
	uint8_t index[STORE_DESK_INDEX_LEN];
	bool indexed = inbox_label_index_current(ib, who, label, index) == 0;
	enum store_result sr =
	        store_desk_set_label_indexed(ib->s, source, sealed, indexed ? index : NULL);
	sodium_memzero(index, sizeof index);
	return sr == STORE_NOT_FOUND ? INBOX_BAD_INPUT : inbox_from_store(sr);
}
