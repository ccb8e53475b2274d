/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/inbox: the download of several sources as one archive (inbox.h,
 * inbox_archive): every submission of the chosen sources the officer may read
 * (its message and its files, opened on the server), each item with the
 * object.download entry a single download writes, all durable before a byte
 * leaves; the archive an uncompressed ZIP written as a stream (lib/zipw.h):
 * nothing in clear touches the disk.
 */
#include "core/inbox/inbox_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/zipw.h"

#include "lib/banned.h"

#define MSG_SIZE_GUESS ((uint64_t)INBOX_MESSAGE_MAX) /* a message counts as its largest */

struct arch_item {
	store_id source, sub, blob;
	int64_t n; /* the file's number, 0: the message */
	int32_t day;
	uint64_t size;
	char marking[STORE_MARKING_MAX];
	char path[ZIPW_PATH_MAX + 1];
};

struct inbox_archive {
	struct inbox *ib;
	const struct officer_key *who;
	struct arch_item *items;
	size_t n;
	struct inbox_archive_counts c;
};

struct plan {
	struct inbox_archive *a;
	struct access_subject subj;
	store_id source;
	struct store_submission rows[64];
	size_t nrows, seen;
};

static int add_row(void *ctx, const struct store_submission *sub)
{
	struct plan *p = ctx;
	p->seen++;
	if (registry_submission_readable(p->a->ib->reg, &p->subj, sub))
		p->rows[p->nrows++] = *sub;
	else
		p->a->c.refused++; /* absent from the archive, counted */
	return 0;
}

static int add_item(struct inbox_archive *a, const struct store_submission *sub, int64_t n,
                    store_id blob, uint64_t size, const char *name)
{
	if (a->n >= INBOX_ARCHIVE_ITEMS_MAX) {
		a->c.too_large = true;
		return -1;
	}
	a->c.bytes += size;
	if (a->c.bytes > INBOX_ARCHIVE_BYTES_MAX) {
		a->c.too_large = true;
		return -1;
	}
	struct arch_item *it = &a->items[a->n];
	char safe[ZIPW_NAME_MAX + 1];
	int k;
	it->source = sub->source_id;
	it->sub = sub->id;
	it->blob = blob;
	it->n = n;
	it->day = sub->day;
	it->size = size;
	memcpy(it->marking, sub->marking, sizeof it->marking);
	it->marking[sizeof it->marking - 1] = '\0';
	if (n == 0) {
		k = snprintf(it->path, sizeof it->path,
		             "source-%" PRId64 "/submission-%" PRId64 "-message.txt",
		             sub->source_id, sub->id);
	} else {
		zipw_safe_name(name, safe, sizeof safe);
		k = snprintf(it->path, sizeof it->path,
		             "source-%" PRId64 "/submission-%" PRId64 "-file-%" PRId64 "-%s",
		             sub->source_id, sub->id, n, safe);
		sodium_memzero(safe, sizeof safe);
	}
	if (k < 0 || (size_t)k >= sizeof it->path)
		return -1;
	a->n++;
	a->c.items++;
	return 0;
}

/* The items of one readable submission: its message, then its files with their names. */
static enum inbox_result plan_sub(struct inbox_archive *a, const struct store_submission *sub,
                                  struct inbox_files *fs, struct inbox_file *meta)
{
	struct unseal_keys keys;
	enum inbox_result rc = INBOX_OK;
	if (sub->message_blob != 0 &&
	    add_item(a, sub, 0, sub->message_blob, MSG_SIZE_GUESS, "") != 0)
		return a->c.too_large ? INBOX_OK : INBOX_FAILED;
	if (sub->nfiles == 0)
		return INBOX_OK;
	if ((rc = inbox_files(a->ib, sub->id, fs)) != INBOX_OK)
		return rc;
	registry_submission_keys(a->ib->reg, a->who, sub, &keys);
	for (size_t i = 0; i < fs->n && !a->c.too_large; i++) {
		(void)inbox_file_meta(a->ib, &keys, &fs->items[i], meta);
		int bad = add_item(a, sub, (int64_t)(i + 1), fs->items[i].data_blob, meta->size,
		                   meta->name);
		sodium_memzero(meta, sizeof *meta);
		if (bad && !a->c.too_large) {
			rc = INBOX_FAILED;
			break;
		}
	}
	unseal_keys_release(&keys);
	return rc;
}

enum inbox_result inbox_archive(struct inbox *ib, const struct officer_key *who,
                                const store_id *ids, size_t nids, struct inbox_archive **out,
                                struct inbox_archive_counts *counts)
{
	*out = NULL;
	memset(counts, 0, sizeof *counts);
	if (nids == 0 || nids > INBOX_BULK_MAX)
		return INBOX_BAD_INPUT;
	struct inbox_archive *a = calloc(1, sizeof *a);
	struct plan *p = calloc(1, sizeof *p);
	struct inbox_files *fs = calloc(1, sizeof *fs);
	struct inbox_file *meta = calloc(1, sizeof *meta);
	enum inbox_result rc = INBOX_OK;
	if (a == NULL || p == NULL || fs == NULL || meta == NULL ||
	    (a->items = calloc(INBOX_ARCHIVE_ITEMS_MAX, sizeof *a->items)) == NULL) {
		rc = INBOX_FAILED;
		goto out;
	}
	a->ib = ib;
	a->who = who;
	p->a = a;
	if (inbox_subject(ib, who, &p->subj) != 0) {
		rc = INBOX_FAILED;
		goto out;
	}
	for (size_t i = 0; i < nids && rc == INBOX_OK && !a->c.too_large; i++) {
		struct store_desk_source src;
		enum inbox_result sr =
		        inbox_source(ib, who, ids[i], &src); /* the access decision */
		sodium_memzero(&src, sizeof src);
		if (sr == INBOX_NOT_FOUND) {
			a->c.refused_sources++;
			continue;
		}
		if (sr != INBOX_OK) {
			rc = sr;
			break;
		}
		a->c.sources++;
		for (int64_t off = 0; off < INBOX_SCAN_MAX && rc == INBOX_OK && !a->c.too_large;
		     off += 64) {
			p->nrows = p->seen = 0;
			enum store_result r =
			        store_submission_list(ib->s, ids[i], off, 64, add_row, p);
			if (r != STORE_OK && r != STORE_STOP) {
				rc = inbox_from_store(r);
				break;
			}
			for (size_t k = 0; k < p->nrows && rc == INBOX_OK && !a->c.too_large; k++)
				rc = plan_sub(a, &p->rows[k], fs,
				              meta); /* each through the decision above */
			if (p->seen < 64)
				break;
		}
	}
	if (rc != INBOX_OK || a->c.too_large)
		goto out;
	/* recorded before a byte leaves: one object.download per item, in one transaction */
	struct ledger_event *ev = a->n > 0 ? calloc(a->n, sizeof *ev) : NULL;
	char(*obj)[32] = a->n > 0 ? calloc(a->n, sizeof *obj) : NULL;
	char(*det)[48] = a->n > 0 ? calloc(a->n, sizeof *det) : NULL;
	char actor[LEDGER_TOKEN_MAX + 1];
	uint64_t first;
	if (a->n > 0 && (ev == NULL || obj == NULL || det == NULL))
		rc = INBOX_FAILED;
	else if (officer_key_actor(who, actor, sizeof actor) != 0)
		rc = INBOX_FAILED;
	for (size_t i = 0; i < a->n && rc == INBOX_OK; i++) {
		int k1 = snprintf(obj[i], sizeof obj[i], "submission:%" PRId64, a->items[i].sub);
		int k2 = a->items[i].n > 0
		                 ? snprintf(det[i], sizeof det[i], "file %" PRId64 " in an archive",
		                            a->items[i].n)
		                 : snprintf(det[i], sizeof det[i], "message in an archive");
		if (k1 < 0 || (size_t)k1 >= sizeof obj[i] || k2 < 0 || (size_t)k2 >= sizeof det[i])
			rc = INBOX_FAILED;
		ev[i] = (struct ledger_event){.action = LEDGER_OBJECT_DOWNLOAD,
		                              .actor = actor,
		                              .object = obj[i],
		                              .marking = a->items[i].marking,
		                              .detail = det[i]};
	}
	if (rc == INBOX_OK && a->n > 0 && ledger_append_batch(ib->s, ev, a->n, &first) != LEDGER_OK)
		rc = INBOX_FAILED;
	free(ev);
	free(obj);
	free(det);
out:
	if (a != NULL)
		*counts = a->c;
	free(p);
	free(fs);
	if (meta != NULL)
		sodium_memzero(meta, sizeof *meta);
	free(meta);
	if (rc == INBOX_OK && !a->c.too_large) {
		*out = a;
		return INBOX_OK;
	}
	inbox_archive_free(&a);
	return rc;
}

struct to_zip {
	struct zipw *z;
	uint64_t left; /* what this item may still write */
};

static int zip_write(void *ctx, const uint8_t *p, size_t n)
{
	struct to_zip *t = ctx;
	if (n > t->left)
		return -1; /* larger than its metadata said: the bound holds */
	t->left -= n;
	return zipw_data(t->z, p, n);
}

enum inbox_result inbox_archive_run(struct inbox_archive *a, age_write_fn w, void *ctx)
{
	struct zipw z;
	char head[256];
	enum inbox_result rc = INBOX_OK;
	if (zipw_init(&z, w, ctx) != 0)
		return INBOX_FAILED;
	int k = snprintf(head, sizeof head,
	                 "%zu sources, %zu items; %zu submissions not permitted (absent), %zu "
	                 "sources not permitted\n",
	                 a->c.sources, a->c.items, a->c.refused, a->c.refused_sources);
	if (k < 0 || (size_t)k >= sizeof head || zipw_begin(&z, "contents.txt", 0) != 0 ||
	    zipw_data(&z, (const uint8_t *)head, (size_t)k) != 0 || zipw_end(&z) != 0)
		rc = INBOX_FAILED;
	for (size_t i = 0; i < a->n && rc == INBOX_OK; i++) {
		const struct arch_item *it = &a->items[i];
		struct store_submission row;
		struct unseal_keys keys;
		if (store_submission_get(a->ib->s, it->sub, &row) != STORE_OK) {
			rc = INBOX_NOT_FOUND; /* deleted meanwhile: the archive ends incomplete */
			break;
		}
		registry_submission_keys(a->ib->reg, a->who, &row, &keys);
		struct to_zip t = {&z, it->n == 0 ? MSG_SIZE_GUESS : it->size};
		if (zipw_begin(&z, it->path, it->day) != 0 ||
		    unseal_blob(a->ib->s, it->blob, &keys, zip_write, &t) != UNSEAL_OK ||
		    zipw_end(&z) != 0)
			rc = INBOX_FAILED;
		unseal_keys_release(&keys);
	}
	if (rc == INBOX_OK && zipw_finish(&z) != 0)
		rc = INBOX_FAILED;
	zipw_free(&z);
	return rc;
}

void inbox_archive_free(struct inbox_archive **pa)
{
	struct inbox_archive *a = pa != NULL ? *pa : NULL;
	if (a == NULL)
		return;
	if (a->items != NULL) {
		sodium_memzero(a->items, INBOX_ARCHIVE_ITEMS_MAX * sizeof *a->items); /* names */
		free(a->items);
	}
	free(a);
	*pa = NULL;
}
