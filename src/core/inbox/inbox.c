/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/inbox: the reads: sources, submissions and a submission read, under the decision. */
#include "core/inbox/inbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/keys/unseal.h"
#include "core/ledger/ledger.h"

#include "lib/banned.h"

const char *inbox_strerror(enum inbox_result r)
{
	switch (r) {
	case INBOX_OK:
		return "ok";
	case INBOX_NOT_FOUND:
		return "not found";
	case INBOX_FORBIDDEN:
		return "not every submission of it is yours to read";
	case INBOX_BAD_INPUT:
		return "bad input";
	case INBOX_BUSY:
		return "busy, try again";
	case INBOX_FULL:
		return "the store has no space left";
	case INBOX_FAILED:
		return "internal failure";
	}
	return "unknown error";
}

enum inbox_result inbox_from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
	case STORE_STOP:
		return INBOX_OK;
	case STORE_NOT_FOUND:
		return INBOX_NOT_FOUND;
	case STORE_BUSY:
		return INBOX_BUSY;
	case STORE_FULL:
		return INBOX_FULL;
	case STORE_TOO_LARGE:
		return INBOX_BAD_INPUT;
	default:
		return INBOX_FAILED;
	}
}

enum inbox_result inbox_new(struct store *s, struct registry *reg, struct intake *in,
                            struct inbox **out)
{
	*out = NULL;
	struct inbox *ib = calloc(1, sizeof *ib);
	if (ib == NULL)
		return INBOX_FAILED;
	ib->s = s;
	ib->reg = reg;
	ib->in = in;
	pthread_mutex_init(&ib->dl_lock, NULL);
	*out = ib;
	return INBOX_OK;
}

void inbox_free(struct inbox **pib)
{
	if (pib == NULL || *pib == NULL)
		return;
	dl_events_free(&(*pib)->dl);
	pthread_mutex_destroy(&(*pib)->dl_lock);
	free(*pib);
	*pib = NULL;
}

int inbox_subject(struct inbox *ib, const struct officer_key *who, struct access_subject *out)
{
	return registry_subject(ib->reg, officer_key_id(who), out) == REGISTRY_OK ? 0 : -1;
}

/* ---- sources and submissions ---- */

struct counts {
	const struct registry *reg;
	const struct access_subject *subj;
	const struct inbox_filter *f;
	int64_t n, unread, matched;
	int32_t last_day;
};

/* true if sub passes f's submission filters */
static bool sub_matches(const struct inbox_filter *f, const struct store_submission *sub)
{
	return (!f->unread || !sub->read) && (!f->has_files || sub->nfiles > 0) &&
	       (f->day_from == 0 || sub->day >= f->day_from) &&
	       (f->day_to == 0 || sub->day <= f->day_to) &&
	       (f->marking[0] == '\0' || strcmp(f->marking, sub->marking) == 0);
}

static int count_readable(void *ctx, const struct store_submission *sub)
{
	struct counts *c = ctx;
	if (!registry_submission_readable(c->reg, c->subj, sub))
		return 0;
	c->n++;
	c->unread += !sub->read;
	if (sub->day > c->last_day)
		c->last_day = sub->day;
	if (c->f != NULL && sub_matches(c->f, sub))
		c->matched++;
	return 0;
}

/*
 * The source's counts over what subj may read; *n == 0: not visible. With f,
 * *n is 0 too unless a submission subj may read passes f.
 */
static enum store_result source_counts_filtered(struct inbox *ib, const struct access_subject *subj,
                                                const struct inbox_filter *f,
                                                struct store_desk_source *src, int64_t *n)
{
	struct counts c = {.reg = ib->reg, .subj = subj, .f = f};
	enum store_result sr =
	        store_desk_submissions(ib->s, src->src.id, 0, INT64_MAX, count_readable, &c);
	if (sr != STORE_OK && sr != STORE_STOP)
		return sr;
	src->src.nsubmissions = c.n;
	src->src.nunread = c.unread;
	src->src.last_day = c.last_day;
	*n = f != NULL ? c.matched : c.n;
	return STORE_OK;
}

static enum store_result source_counts(struct inbox *ib, const struct access_subject *subj,
                                       struct store_desk_source *src, int64_t *n)
{
	return source_counts_filtered(ib, subj, NULL, src, n);
}

struct batch {
	struct store_desk_source *src;
	struct store_submission *sub;
	size_t n, cap;
};

static int add_source(void *ctx, const struct store_desk_source *s)
{
	struct batch *b = ctx;
	if (b->n >= b->cap)
		return 1;
	b->src[b->n++] = *s;
	return 0;
}

static int add_sub(void *ctx, const struct store_submission *s)
{
	struct batch *b = ctx;
	if (b->n >= b->cap)
		return 1;
	b->sub[b->n++] = *s;
	return 0;
}

#define BATCH (INBOX_PAGE_MAX + 1)

enum inbox_result inbox_sources(struct inbox *ib, const struct officer_key *who, store_id before,
                                bool starred, struct store_desk_source *rows, size_t max, size_t *n,
                                store_id *next)
{
	struct access_subject subj;
	*n = 0;
	*next = 0;
	if (max == 0 || max > INBOX_PAGE_MAX || before < 0)
		return INBOX_BAD_INPUT;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_OK; /* reads nothing */
	struct store_desk_source *batch = calloc(BATCH, sizeof *batch);
	if (batch == NULL)
		return INBOX_FAILED;
	enum store_result sr = STORE_OK;
	bool more = false, end = false;
	for (size_t examined = 0; examined < INBOX_SCAN_MAX && !more && !end;) {
		struct batch b = {.src = batch, .cap = BATCH};
		sr = store_desk_inbox(ib->s, before, BATCH, starred, add_source, &b);
		if (sr != STORE_OK && sr != STORE_STOP)
			break;
		sr = STORE_OK;
		examined += b.n;
		for (size_t i = 0; i < b.n; i++) {
			int64_t k = 0;
			if ((sr = source_counts(ib, &subj, &batch[i], &k)) != STORE_OK)
				break;
			if (k == 0)
				continue;
			if (*n == max) {
				more = true; /* one more visible: the page has a next */
				break;
			}
			rows[*n] = batch[i];
			inbox_label_open(ib, who, rows[(*n)++].label);
		}
		if (sr != STORE_OK)
			break;
		end = b.n < BATCH;
		if (b.n > 0)
			before = batch[b.n - 1].newest;
	}
	free(batch);
	if (sr != STORE_OK)
		return inbox_from_store(sr);
	if (more)
		*next = rows[max - 1].newest;
	else if (!end)
		*next = before; /* the scan's bound: a short page, and a next one */
	return INBOX_OK;
}

bool inbox_filter_any(const struct inbox_filter *f)
{
	return f != NULL && (f->unread || f->has_files || f->day_from != 0 || f->day_to != 0 ||
	                     f->marking[0] != '\0' || f->label[0] != '\0');
}

/* A row of a filtered page: visible, passes f, and its label opens to f's. */
static enum store_result filtered_row(struct inbox *ib, const struct officer_key *who,
                                      const struct access_subject *subj,
                                      const struct inbox_filter *f, struct store_desk_source *row,
                                      bool *keep)
{
	int64_t k = 0;
	char want[INBOX_LABEL_MAX + 1], got[INBOX_LABEL_MAX + 1];
	enum store_result sr = source_counts_filtered(ib, subj, f, row, &k);
	*keep = false;
	if (sr != STORE_OK || k == 0)
		return sr;
	inbox_label_open(ib, who, row->label);
	if (f->label[0] != '\0') {
		/* the index found it; the opened label decides (a collision is not a match) */
		size_t a = inbox_label_normalise(f->label, want);
		size_t b = strnlen(row->label, STORE_DESK_LABEL_MAX + 1) <= INBOX_LABEL_MAX
		                   ? inbox_label_normalise(row->label, got)
		                   : 0;
		*keep = a == b && a > 0 && memcmp(want, got, a) == 0;
		sodium_memzero(want, sizeof want);
		sodium_memzero(got, sizeof got);
	} else {
		*keep = true;
	}
	return STORE_OK;
}

enum inbox_result inbox_sources_filtered(struct inbox *ib, const struct officer_key *who,
                                         store_id before, const struct inbox_filter *f,
                                         struct store_desk_source *rows, size_t max, size_t *n,
                                         store_id *next)
{
	if (!inbox_filter_any(f))
		return inbox_sources(ib, who, before, f != NULL && f->starred, rows, max, n, next);
	struct access_subject subj;
	*n = 0;
	*next = 0;
	if (max == 0 || max > INBOX_PAGE_MAX || before < 0 || inbox_label_check(f->label) != 0 ||
	    f->day_from < 0 || f->day_to < 0 || memchr(f->marking, 0, sizeof f->marking) == NULL)
		return INBOX_BAD_INPUT;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_OK; /* reads nothing */
	struct store_desk_filter *sf = calloc(1, sizeof *sf);
	struct store_desk_source *batch = calloc(BATCH, sizeof *batch);
	enum store_result sr = STORE_OK;
	bool more = false, end = false;
	if (sf == NULL || batch == NULL) {
		sr = STORE_NOMEM;
		goto out;
	}
	sf->starred = f->starred;
	sf->unread = f->unread;
	sf->has_files = f->has_files;
	sf->day_from = f->day_from;
	sf->day_to = f->day_to;
	memcpy(sf->marking, f->marking, sizeof sf->marking);
	sf->window = INBOX_WINDOW;
	if (f->label[0] != '\0' && (sf->nindex = inbox_label_indexes(who, f->label, sf->index,
	                                                             STORE_DESK_INDEX_MAX)) == 0) {
		end = true; /* no intake key: no label of theirs to find */
		goto out;
	}
	for (size_t examined = 0; examined < INBOX_SCAN_MAX && !more && !end;
	     examined += INBOX_WINDOW) {
		struct batch b = {.src = batch, .cap = BATCH};
		store_id floor = 0;
		sr = store_desk_inbox_filtered(ib->s, before, BATCH, sf, &floor, add_source, &b);
		if (sr != STORE_OK && sr != STORE_STOP)
			break;
		sr = STORE_OK;
		for (size_t i = 0; i < b.n && !more; i++) {
			bool keep = false;
			if ((sr = filtered_row(ib, who, &subj, f, &batch[i], &keep)) != STORE_OK)
				break;
			if (!keep)
				continue;
			if (*n == max)
				more = true; /* one more visible: the page has a next */
			else
				rows[(*n)++] = batch[i];
		}
		if (sr != STORE_OK)
			break;
		if (b.n == BATCH) {
			before = batch[b.n - 1].newest; /* the window was not all seen */
		} else {
			end = floor == 0;
			before = floor;
		}
	}
out:
	if (sf != NULL)
		sodium_memzero(sf, sizeof *sf);
	free(sf);
	free(batch);
	if (sr != STORE_OK)
		return inbox_from_store(sr);
	if (more)
		*next = rows[max - 1].newest;
	else if (!end)
		*next = before; /* the scan's bound: a short page, and a next one */
	return INBOX_OK;
}

enum inbox_result inbox_source(struct inbox *ib, const struct officer_key *who, store_id id,
                               struct store_desk_source *out)
{
	struct access_subject subj;
	enum store_result sr = store_desk_source(ib->s, id, out);
	if (sr != STORE_OK)
		return inbox_from_store(sr);
	int64_t n = 0;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_NOT_FOUND;
	if ((sr = source_counts(ib, &subj, out, &n)) != STORE_OK)
		return inbox_from_store(sr);
	if (n == 0)
		return INBOX_NOT_FOUND;
	inbox_label_open(ib, who, out->label);
	return INBOX_OK;
}

enum inbox_result inbox_submissions(struct inbox *ib, const struct officer_key *who,
                                    store_id source, store_id before, struct store_submission *rows,
                                    size_t max, size_t *n, store_id *next)
{
	struct access_subject subj;
	*n = 0;
	*next = 0;
	if (max == 0 || max > INBOX_PAGE_MAX || before < 0)
		return INBOX_BAD_INPUT;
	if (inbox_subject(ib, who, &subj) != 0)
		return INBOX_NOT_FOUND;
	struct store_submission *batch = calloc(BATCH, sizeof *batch);
	if (batch == NULL)
		return INBOX_FAILED;
	enum store_result sr = STORE_OK;
	bool more = false, end = false;
	for (size_t examined = 0; examined < INBOX_SCAN_MAX && !more && !end;) {
		struct batch b = {.sub = batch, .cap = BATCH};
		sr = store_desk_submissions(ib->s, source, before, BATCH, add_sub, &b);
		if (sr != STORE_OK && sr != STORE_STOP)
			break;
		sr = STORE_OK;
		examined += b.n;
		for (size_t i = 0; i < b.n && !more; i++) {
			if (!registry_submission_readable(ib->reg, &subj, &batch[i]))
				continue;
			if (*n == max)
				more = true;
			else
				rows[(*n)++] = batch[i];
		}
		end = b.n < BATCH;
		if (b.n > 0)
			before = batch[b.n - 1].id;
	}
	free(batch);
	if (sr != STORE_OK)
		return inbox_from_store(sr);
	if (more)
		*next = rows[max - 1].id;
	else if (!end)
		*next = before; /* the scan's bound: a short page, and a next one */
	return INBOX_OK;
}

enum inbox_result inbox_submission(struct inbox *ib, const struct officer_key *who, store_id id,
                                   struct store_submission *out)
{
	struct access_subject subj;
	enum store_result sr = store_submission_get(ib->s, id, out);
	if (sr != STORE_OK)
		return inbox_from_store(sr);
	if (inbox_subject(ib, who, &subj) != 0 ||
	    !registry_submission_readable(ib->reg, &subj, out)) {
		memset(out, 0, sizeof *out);
		return INBOX_NOT_FOUND; /* as a missing one */
	}
	return INBOX_OK;
}

/* ---- reading one ---- */

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

static int add_file(void *ctx, const struct store_file *f)
{
	struct inbox_files *fs = ctx;
	if (fs->n >= INBOX_FILES_MAX)
		return 1;
	fs->items[fs->n++] = *f;
	return 0;
}

enum inbox_result inbox_files(struct inbox *ib, store_id sub, struct inbox_files *out)
{
	out->n = 0;
	enum store_result sr = store_submission_files(ib->s, sub, add_file, out);
	return sr == STORE_OK || sr == STORE_STOP ? INBOX_OK : inbox_from_store(sr);
}

int inbox_file_meta(struct inbox *ib, const struct unseal_keys *keys, const struct store_file *f,
                    struct inbox_file *out)
{
	struct buf meta;
	buf_init(&meta, 4 * (INBOX_NAME_MAX + INBOX_TYPE_MAX) + 256);
	int ok = unseal_blob(ib->s, f->meta_blob, keys, to_buf, &meta) == UNSEAL_OK &&
	         intake_meta_decode(meta.data, meta.len, out->name, sizeof out->name, out->type,
	                            sizeof out->type, &out->size) == 0;
	buf_wipe_release(&meta);
	out->opened = ok;
	if (!ok) {
		out->name[0] = out->type[0] = '\0';
		out->size = 0;
	}
	return ok ? 0 : -1;
}

int inbox_log(struct inbox *ib, const struct officer_key *who, enum ledger_action action,
              const struct store_submission *sub, const char *detail)
{
	char actor[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "submission:%lld", (long long)sub->id);
	if (n < 0 || (size_t)n >= sizeof obj || officer_key_actor(who, actor, sizeof actor) != 0)
		return -1;
	return ledger_record(ib->s, action, actor, obj, sub->marking, detail) == LEDGER_OK ? 0 : -1;
}

enum inbox_result inbox_read(struct inbox *ib, const struct officer_key *who, store_id id,
                             struct inbox_reading *out)
{
	memset(out, 0, sizeof *out);
	buf_init(&out->message, INBOX_MESSAGE_MAX);
	enum inbox_result rc = inbox_submission(ib, who, id, &out->sub);
	if (rc != INBOX_OK)
		return rc;
	/* recorded before anything is opened: no read goes unrecorded */
	if (inbox_log(ib, who, LEDGER_OBJECT_READ, &out->sub, NULL) != 0)
		return INBOX_FAILED;
	struct unseal_keys keys;
	struct inbox_files *fs = calloc(1, sizeof *fs);
	out->files = calloc(INBOX_FILES_MAX, sizeof *out->files);
	registry_submission_keys(ib->reg, who, &out->sub, &keys);
	if (fs == NULL || out->files == NULL) {
		rc = INBOX_FAILED;
		goto out;
	}
	if (out->sub.message_blob != 0 &&
	    unseal_blob(ib->s, out->sub.message_blob, &keys, to_buf, &out->message) != UNSEAL_OK) {
		buf_wipe_release(&out->message);
		out->message_failed = true;
	}
	if ((rc = inbox_files(ib, id, fs)) != INBOX_OK)
		goto out;
	for (size_t i = 0; i < fs->n; i++) {
		out->files[i].n = (int64_t)(i + 1);
		(void)inbox_file_meta(ib, &keys, &fs->items[i], &out->files[i]);
	}
	out->nfiles = fs->n;
	if (!out->sub.read && !out->message_failed)
		(void)store_submission_mark_read(ib->s, id); /* a hint, not a record */
out:
	unseal_keys_release(&keys);
	free(fs);
	return rc;
}

void inbox_reading_release(struct inbox_reading *r)
{
	buf_wipe_release(&r->message);
	if (r->files != NULL) {
		sodium_memzero(r->files, INBOX_FILES_MAX * sizeof *r->files);
		free(r->files);
	}
	memset(r, 0, sizeof *r);
}
