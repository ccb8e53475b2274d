/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/intake: a submission, streamed in, sealed, committed with its entry. */
#include "core/intake/intake_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_officer.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include "lib/banned.h"

struct intake_upload {
	struct intake *in;
	store_id source;
	int has_message;
	store_id message_blob;        /* a message too large for message_sealed */
	struct buf message_sealed;    /* else the sealed message, stored by the commit */
	struct buf *meta_sealed;      /* per file: its sealed metadata, stored by the commit */
	struct store_new_file *files; /* data_blob set as each file ends; meta_blob by the commit */
	size_t nfiles;
	/* the file being received */
	int in_file;
	struct sealer *sealer;
	uint64_t file_size;
	struct buf name, type;
	uint64_t total;
	int committed;
	/* read at begin (core/keys/seal.h): the intake label's current version, and the
	   marking label's (NULL while no enabled officer holds both) */
	struct age_recipient *label;
	struct age_recipient *outer;
	uint32_t seal_version;
	store_tx_fn on_commit; /* the door's, last in the commit's transaction (or NULL) */
	void *on_commit_arg;
};

/* Percent-encodes bytes that would break a line, and '%' itself. */
static int meta_put(struct buf *b, const char *key, const char *v)
{
	if (buf_printf(b, "%s ", key) != BUF_OK)
		return -1;
	for (const unsigned char *p = (const unsigned char *)v; *p != 0; p++) {
		enum buf_result r = (*p < 0x20 || *p == 0x7f || *p == '%')
		                            ? buf_printf(b, "%%%02X", *p)
		                            : buf_append_byte(b, *p);
		if (r != BUF_OK)
			return -1;
	}
	return buf_append_byte(b, '\n') == BUF_OK ? 0 : -1;
}

int intake_meta_encode(struct buf *out, const char *name, const char *type, uint64_t size)
{
	if (buf_printf(out, "cutout-file v1\nsize %llu\n", (unsigned long long)size) != BUF_OK ||
	    meta_put(out, "type", type) != 0 || meta_put(out, "name", name) != 0)
		return -1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one "key value\n" line starting at *pos into out. */
static int meta_get(const uint8_t *p, size_t n, size_t *pos, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key), i = *pos, o = 0;
	if (n - i < k + 1 || memcmp(p + i, key, k) != 0 || p[i + k] != ' ')
		return -1;
	for (i += k + 1; i < n && p[i] != '\n'; i++) {
		int c = p[i];
		if (c == '%') {
			if (n - i < 3 || hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
				return -1;
			c = hexval(p[i + 1]) * 16 + hexval(p[i + 2]);
			i += 2;
			if (c == 0)
				return -1;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	if (i >= n)
		return -1;
	out[o] = 0;
	*pos = i + 1;
	return 0;
}

int intake_meta_decode(const uint8_t *p, size_t n, char *name, size_t name_cap, char *type,
                       size_t type_cap, uint64_t *size)
{
	static const char head[] = "cutout-file v1\nsize ";
	size_t i = sizeof head - 1;
	char num[32];
	if (n < i || memcmp(p, head, i) != 0)
		return -1;
	size_t o = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9' && o + 1 < sizeof num)
		num[o++] = (char)p[i++];
	if (o == 0 || i >= n || p[i] != '\n')
		return -1;
	num[o] = 0;
	i++;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(num, &end, 10);
	if (errno != 0 || *end != 0)
		return -1;
	*size = v;
	if (meta_get(p, n, &i, "type", type, type_cap) != 0 ||
	    meta_get(p, n, &i, "name", name, name_cap) != 0 || i != n)
		return -1;
	return 0;
}

/* ---- uploads ---- */

enum intake_result intake_upload_begin(struct intake *in, store_id source,
                                       struct intake_upload **out)
{
	*out = NULL;
	int64_t today_count = 0;
	enum store_result sr =
	        store_submission_count_day(in->store, source, store_today(), &today_count);
	if (sr != STORE_OK)
		return intake_from_store(sr);
	if (today_count >= in->limits.submissions_per_day)
		return INTAKE_TOO_MANY;
	struct intake_upload *up = calloc(1, sizeof *up);
	if (up == NULL)
		return INTAKE_FAILED;
	up->files = calloc((size_t)in->limits.max_files + 1, sizeof *up->files);
	up->meta_sealed = calloc((size_t)in->limits.max_files + 1, sizeof *up->meta_sealed);
	if (up->files == NULL || up->meta_sealed == NULL) {
		free(up->files);
		free(up->meta_sealed);
		free(up);
		return INTAKE_FAILED;
	}
	/*
	 * The current versions of the intake label and of the default marking's
	 * label, read for every submission (one snapshot): a rotation made by
	 * another process applies at once. The marking's layer only when someone
	 * can open both (core/keys/seal.h).
	 */
	enum intake_result ir = intake_seal_recipients(in, in->marking_label, &up->label,
	                                               &up->outer, &up->seal_version);
	if (ir != INTAKE_OK) {
		free(up->files);
		free(up->meta_sealed);
		free(up);
		return ir;
	}
	for (int i = 0; i <= in->limits.max_files; i++)
		buf_init(&up->meta_sealed[i], STORE_CHUNK_MAX);
	buf_init(&up->message_sealed, STORE_CHUNK_MAX);
	up->in = in;
	up->source = source;
	buf_init(&up->name, MAX_NAME);
	buf_init(&up->type, MAX_TYPE);
	*out = up;
	return INTAKE_OK;
}

enum intake_result intake_upload_message(struct intake_upload *up, const char *text, size_t n)
{
	if (up->committed || up->has_message)
		return INTAKE_BAD_INPUT;
	if (n > up->in->limits.max_message_bytes * 4)
		return INTAKE_TOO_LARGE;
	long chars = utf8_count((const uint8_t *)text, n);
	if (chars < 0)
		return INTAKE_BAD_INPUT;
	if ((size_t)chars > up->in->limits.max_message_bytes)
		return INTAKE_TOO_LARGE;
	if (n == 0)
		return INTAKE_OK;
	/* Sealed in memory, stored by the commit's transaction; a long one goes to a blob now. */
	enum intake_result rc = INTAKE_OK;
	enum seal_result sr =
	        seal_to_buf(up->label, up->outer, (const uint8_t *)text, n, &up->message_sealed);
	if (sr == SEAL_TOO_LARGE)
		rc = intake_seal_small(up->in->store, up->label, up->outer, (const uint8_t *)text,
		                       n, &up->message_blob);
	else if (sr != SEAL_OK)
		rc = INTAKE_FAILED;
	up->has_message = rc == INTAKE_OK;
	return rc;
}

enum intake_result intake_upload_file_begin(struct intake_upload *up, const char *name,
                                            const char *type)
{
	if (up->committed || up->in_file)
		return INTAKE_BAD_INPUT;
	if (up->nfiles >= (size_t)up->in->limits.max_files)
		return INTAKE_TOO_MANY;
	buf_reset(&up->name);
	buf_reset(&up->type);
	if (name != NULL && buf_append_str(&up->name, name) != BUF_OK)
		return INTAKE_TOO_LARGE;
	if (type != NULL && buf_append_str(&up->type, type) != BUF_OK)
		return INTAKE_TOO_LARGE;
	if (seal_begin(up->in->store, up->label, up->outer, &up->sealer) != SEAL_OK)
		return INTAKE_FAILED;
	up->nfiles++;
	up->in_file = 1;
	up->file_size = 0;
	return INTAKE_OK;
}

enum intake_result intake_upload_file_data(struct intake_upload *up, const uint8_t *p, size_t n)
{
	if (!up->in_file)
		return INTAKE_BAD_INPUT;
	if (n > up->in->limits.max_upload_bytes - up->total)
		return INTAKE_TOO_LARGE;
	enum seal_result sr = seal_update(up->sealer, p, n);
	if (sr != SEAL_OK)
		return intake_from_seal(sr, seal_store_error(up->sealer));
	up->total += n;
	up->file_size += n;
	return INTAKE_OK;
}

enum intake_result intake_upload_file_end(struct intake_upload *up)
{
	if (!up->in_file)
		return INTAKE_BAD_INPUT;
	up->in_file = 0;
	struct store_new_file *f = &up->files[up->nfiles - 1];
	enum seal_result sr = seal_finish(up->sealer, &f->data_blob);
	enum intake_result rc = intake_from_seal(sr, seal_store_error(up->sealer));
	/* the data blob now belongs to the upload (deleted with it if not committed) */
	seal_free(&up->sealer);
	if (rc != INTAKE_OK)
		return rc;
	/* The file's metadata is sealed too: the store never sees a file name. */
	struct buf meta;
	buf_init(&meta, 4 * (MAX_NAME + MAX_TYPE) + 128);
	rc = INTAKE_FAILED;
	/* at most 4 * (MAX_NAME + MAX_TYPE) + 128 bytes: always fits one chunk */
	if (intake_meta_encode(&meta, buf_str(&up->name), buf_str(&up->type), up->file_size) == 0 &&
	    seal_to_buf(up->label, up->outer, meta.data, meta.len,
	                &up->meta_sealed[up->nfiles - 1]) == SEAL_OK)
		rc = INTAKE_OK;
	buf_wipe_release(&meta);
	return rc;
}

uint64_t intake_upload_bytes(const struct intake_upload *up)
{
	return up->total;
}

/*
 * submission commit: the daily quota, the blobs sealed in memory, the rows
 * and the entry, in one transaction (one trip to the store's writer)
 */
struct commit_tx {
	struct intake_upload *up;
	int32_t day;
	struct store_new_file *files; /* the upload's, with the metadata blobs made here */
	store_id id;
	bool over_quota;
};

static enum store_result commit_tx(struct store *s, void *arg)
{
	struct commit_tx *a = arg;
	struct intake_upload *up = a->up;
	int64_t today = 0;
	enum store_result r = store_submission_count_day(s, up->source, a->day, &today);
	if (r != STORE_OK)
		return r;
	if (today >= up->in->limits.submissions_per_day) { /* checked again here: uploads race */
		a->over_quota = true;
		return STORE_REFUSED;
	}
	store_id message = up->message_blob;
	if (up->message_sealed.len > 0 &&
	    (r = store_blob_put(s, up->message_sealed.data, up->message_sealed.len, &message)) !=
	            STORE_OK)
		return r;
	for (size_t i = 0; i < up->nfiles; i++) {
		a->files[i] = up->files[i];
		const struct buf *m = &up->meta_sealed[i];
		if ((r = store_blob_put(s, m->data, m->len, &a->files[i].meta_blob)) != STORE_OK)
			return r;
	}
	r = store_submission_commit(s, up->source, a->day, up->in->marking, up->seal_version,
	                            message, a->files, up->nfiles, &a->id);
	if (r != STORE_OK)
		return r;
	r = intake_log_in(s, LEDGER_SUBMISSION_SEAL, NULL, up->source, "submission", a->id,
	                  up->in->marking);
	if (r != STORE_OK || up->on_commit == NULL)
		return r;
	return up->on_commit(s, up->on_commit_arg);
}

void intake_upload_on_commit(struct intake_upload *up, store_tx_fn fn, void *arg)
{
	up->on_commit = fn;
	up->on_commit_arg = arg;
}

enum intake_result intake_upload_commit(struct intake_upload *up, store_id *submission)
{
	if (up->committed || up->in_file)
		return INTAKE_BAD_INPUT;
	if (!up->has_message && up->nfiles == 0)
		return INTAKE_EMPTY;
	/* the blobs written before it claims: a long message, each file's content */
	store_id *claim = calloc(1 + up->nfiles, sizeof *claim); /* nfiles <= max_files */
	struct commit_tx a = {.up = up, .day = store_today()};
	a.files = calloc(up->nfiles + 1, sizeof *a.files);
	if (claim == NULL || a.files == NULL) {
		free(claim);
		free(a.files);
		return INTAKE_FAILED;
	}
	size_t n = 0;
	if (up->message_blob != 0)
		claim[n++] = up->message_blob;
	for (size_t i = 0; i < up->nfiles; i++)
		claim[n++] = up->files[i].data_blob;
	enum store_result sr = store_write(up->in->store, claim, n, commit_tx, &a);
	free(claim);
	free(a.files); /* on failure, the metadata blobs were rolled back with the rest */
	if (sr != STORE_OK)
		return a.over_quota ? INTAKE_TOO_MANY : intake_from_store(sr);
	up->committed = 1;
	*submission = a.id;
	return INTAKE_OK;
}

void intake_upload_free(struct intake_upload **pup)
{
	struct intake_upload *up = *pup;
	if (up == NULL)
		return;
	struct store *s = up->in->store;
	seal_free(&up->sealer); /* a file cut off: its blob goes */
	if (!up->committed) {
		/* Nothing of an uncommitted submission stays behind. */
		if (up->message_blob != 0)
			(void)store_blob_delete(s, up->message_blob);
		for (size_t i = 0; i < up->nfiles; i++) {
			if (up->files[i].data_blob != 0)
				(void)store_blob_delete(s, up->files[i].data_blob);
			if (up->files[i].meta_blob != 0)
				(void)store_blob_delete(s, up->files[i].meta_blob);
		}
	}
	buf_wipe_release(&up->name);
	buf_wipe_release(&up->type);
	buf_release(&up->message_sealed);
	for (int i = 0; i <= up->in->limits.max_files; i++)
		buf_release(&up->meta_sealed[i]);
	free(up->meta_sealed);
	age_recipient_free(&up->label);
	age_recipient_free(&up->outer);
	free(up->files);
	free(up);
	*pup = NULL;
}

struct sent_ctx {
	int (*fn)(void *ctx, const struct intake_sent_view *v);
	void *ctx;
};

static int sent_one(void *ctx, const struct store_submission *sub)
{
	struct sent_ctx *c = ctx;
	struct intake_sent_view v = {.id = sub->id,
	                             .day = sub->day,
	                             .nfiles = sub->nfiles,
	                             .has_message = sub->message_blob != 0};
	return c->fn(c->ctx, &v);
}

enum intake_result intake_sent(struct intake *in, store_id source,
                               int (*fn)(void *ctx, const struct intake_sent_view *v), void *ctx)
{
	struct sent_ctx c = {fn, ctx};
	enum store_result sr =
	        store_submission_list(in->store, source, 0, INTAKE_SENT_MAX, sent_one, &c);
	return sr == STORE_OK || sr == STORE_STOP ? INTAKE_OK : intake_from_store(sr);
}
