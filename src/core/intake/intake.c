/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/intake/intake.h"
#include "core/ledger/ledger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/keys/label.h"
#include "core/keys/seal.h"
#include "core/store/store_officer.h"
#include "core/keys/source_key.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/codename.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define MAX_NAME 1024 /* file name, bytes */
#define MAX_TYPE 256  /* content type, bytes */
#define MAX_REPLIES 1000
#define MAX_REPLY_BYTES (1024 * 1024)

struct intake {
	struct store *store;
	struct age_recipient *label;
	uint8_t label_pk[32]; /* until the store has an intake label (before the first officer) */
	uint8_t salt[16];
	struct intake_kdf kdf;
	struct intake_limits limits;
	char marking[STORE_MARKING_MAX];
	char marking_label[LABEL_NAME_MAX]; /* "marking:" + the default marking */
};

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

const char *intake_strerror(enum intake_result r)
{
	switch (r) {
	case INTAKE_OK:
		return "ok";
	case INTAKE_UNKNOWN:
		return "unknown codename or object";
	case INTAKE_EMPTY:
		return "empty submission";
	case INTAKE_TOO_LARGE:
		return "too large";
	case INTAKE_TOO_MANY:
		return "too many";
	case INTAKE_BAD_INPUT:
		return "bad input";
	case INTAKE_BUSY:
		return "busy";
	case INTAKE_FAILED:
		return "internal failure";
	}
	return "unknown error";
}

static enum intake_result from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return INTAKE_OK;
	case STORE_NOT_FOUND:
		return INTAKE_UNKNOWN;
	case STORE_TOO_LARGE:
		return INTAKE_TOO_LARGE;
	case STORE_BUSY:
		return INTAKE_BUSY;
	default:
		return INTAKE_FAILED;
	}
}

enum intake_result intake_new(struct store *store, const uint8_t label_pk[static 32],
                              const uint8_t salt[static 16], const struct intake_kdf *kdf,
                              const struct intake_limits *limits, const char *marking,
                              struct intake **out)
{
	*out = NULL;
	if (strlen(marking) >= STORE_MARKING_MAX)
		return INTAKE_BAD_INPUT;
	struct intake *in = calloc(1, sizeof *in);
	if (in == NULL)
		return INTAKE_FAILED;
	memcpy(in->label_pk, label_pk, sizeof in->label_pk);
	if (age_recipient_from_x25519(label_pk, &in->label) != AGE_OK) {
		free(in);
		return INTAKE_FAILED;
	}
	in->store = store;
	memcpy(in->salt, salt, sizeof in->salt);
	in->kdf = *kdf;
	in->limits = *limits;
	memcpy(in->marking, marking, strlen(marking) + 1);
	int ln = snprintf(in->marking_label, sizeof in->marking_label, "%s%s", LABEL_MARKING_PREFIX,
	                  marking);
	if (ln < 0 || (size_t)ln >= sizeof in->marking_label) {
		free(in);
		return INTAKE_BAD_INPUT;
	}
	*out = in;
	return INTAKE_OK;
}

void intake_free(struct intake **pin)
{
	struct intake *in = *pin;
	if (in == NULL)
		return;
	age_recipient_free(&in->label);
	sodium_memzero(in, sizeof *in);
	free(in);
	*pin = NULL;
}

const struct intake_limits *intake_limits(const struct intake *in)
{
	return &in->limits;
}

/* ---- sources ---- */

/* Argon2id over the codename: lookup hash, secret and public key. */
static enum intake_result derive(struct intake *in, const char *codename, uint8_t lookup[32],
                                 uint8_t sk[32], uint8_t pk[32])
{
	struct source_key *k = NULL;
	enum source_key_result r =
	        source_key_derive(codename, in->salt, in->kdf.opslimit, in->kdf.memlimit, &k);
	if (r == SOURCE_KEY_ERR_CODENAME)
		return INTAKE_UNKNOWN;
	if (r != SOURCE_KEY_OK)
		return INTAKE_FAILED;
	memcpy(lookup, k->lookup, 32);
	memcpy(sk, k->sk, 32);
	if (pk != NULL)
		memcpy(pk, k->pk, 32);
	source_key_free(&k);
	return INTAKE_OK;
}

/*
 * Inside a store_write function: the ledger entry of an intake event, in the
 * same transaction. actor: "source:ID" (a source is never named beyond its
 * store id) when actor is NULL, else the officer's; object "KIND:ID".
 */
static enum store_result log_in(struct store *s, enum ledger_action action, const char *actor,
                                store_id source, const char *kind, store_id object,
                                const char *marking)
{
	char src[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1];
	int n1 = snprintf(src, sizeof src, "source:%lld", (long long)source);
	int n2 = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)object);
	if (n1 < 0 || (size_t)n1 >= sizeof src || n2 < 0 || (size_t)n2 >= sizeof obj)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, action, actor != NULL ? actor : src, obj, marking, NULL);
}

/* source create: the row and its entry */
struct source_tx {
	const uint8_t *lookup, *pk;
	store_id id;
};

static enum store_result source_create_tx(struct store *s, void *arg)
{
	struct source_tx *a = arg;
	enum store_result r = s->be->source_create(s, a->lookup, a->pk, store_today(), &a->id);
	if (r != STORE_OK)
		return r;
	return log_in(s, LEDGER_SOURCE_CREATE, NULL, a->id, "source", a->id, NULL);
}

enum intake_result intake_source_create(struct intake *in, char *codename, size_t cap, store_id *id,
                                        uint8_t sk[static INTAKE_KEY_LEN])
{
	uint8_t lookup[32], pk[32];
	enum intake_result rc = INTAKE_FAILED;
	for (int attempt = 0; attempt < 3; attempt++) {
		if (codename_generate(codename, cap) != CODENAME_OK)
			goto out;
		if ((rc = derive(in, codename, lookup, sk, pk)) != INTAKE_OK)
			goto out;
		struct source_tx a = {.lookup = lookup, .pk = pk};
		enum store_result sr = store_write(in->store, NULL, 0, source_create_tx, &a);
		if (sr == STORE_EXISTS) { /* 2^-90: practically never, but never fail for it */
			rc = INTAKE_FAILED;
			continue;
		}
		rc = from_store(sr);
		if (rc == INTAKE_OK)
			*id = a.id;
		break;
	}
out:
	sodium_memzero(lookup, sizeof lookup);
	if (rc != INTAKE_OK) {
		sodium_memzero(sk, INTAKE_KEY_LEN);
		sodium_memzero(codename, cap);
	}
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_until(uint64_t deadline_ms)
{
	uint64_t now = now_ms();
	if (now >= deadline_ms)
		return;
	uint64_t d = deadline_ms - now;
	struct timespec ts = {.tv_sec = (time_t)(d / 1000), .tv_nsec = (long)(d % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum intake_result intake_source_login(struct intake *in, const char *codename, unsigned min_ms,
                                       store_id *id, uint8_t sk[static INTAKE_KEY_LEN])
{
	uint64_t deadline = now_ms() + min_ms;
	char *norm = sodium_malloc(INTAKE_CODENAME_MAX);
	uint8_t lookup[32];
	enum intake_result rc = INTAKE_UNKNOWN;
	struct store_source src;

	if (norm == NULL) {
		rc = INTAKE_FAILED;
		goto out;
	}
	/*
	 * A malformed codename still costs one derivation (of a fixed, valid
	 * stand-in), so that its answer takes as long as a well-formed wrong one.
	 */
	int valid = codename_normalize(codename, norm, INTAKE_CODENAME_MAX) == CODENAME_OK;
	if (!valid) {
		struct buf stand_in;
		buf_init(&stand_in, INTAKE_CODENAME_MAX - 1);
		for (uint32_t i = 0; i < CODENAME_NWORDS; i++)
			if ((i > 0 && buf_append_byte(&stand_in, ' ') != BUF_OK) ||
			    buf_append_str(&stand_in, codename_word(i)) != BUF_OK)
				break;
		memcpy(norm, buf_str(&stand_in), stand_in.len + 1);
		buf_release(&stand_in);
	}
	if ((rc = derive(in, norm, lookup, sk, NULL)) != INTAKE_OK)
		goto out;
	if (!valid) {
		rc = INTAKE_UNKNOWN;
		goto out;
	}
	enum store_result sr = in->store->be->source_find(in->store, lookup, &src);
	if (sr != STORE_OK) {
		rc = sr == STORE_NOT_FOUND ? INTAKE_UNKNOWN : from_store(sr);
		goto out;
	}
	/* The key the codename gives must be the key the source was created with. */
	uint8_t pk[32];
	if (crypto_scalarmult_base(pk, sk) != 0 || sodium_memcmp(pk, src.pk, 32) != 0) {
		rc = INTAKE_UNKNOWN;
		goto out;
	}
	*id = src.id;
	rc = INTAKE_OK;
out:
	sodium_memzero(lookup, sizeof lookup);
	if (norm != NULL)
		sodium_free(norm);
	if (rc != INTAKE_OK)
		sodium_memzero(sk, INTAKE_KEY_LEN);
	sleep_until(deadline);
	return rc;
}

/* source delete (by the source itself, or by an officer: actor) */
struct delete_tx {
	const char *actor;
	store_id source, object;
};

static enum store_result source_delete_tx(struct store *s, void *arg)
{
	struct delete_tx *a = arg;
	enum store_result r = s->be->source_delete(s, a->source);
	if (r != STORE_OK)
		return r;
	return log_in(s, LEDGER_SOURCE_DELETE, a->actor, a->source, "source", a->source, NULL);
}

enum intake_result intake_source_delete(struct intake *in, const char *actor, store_id id)
{
	struct delete_tx a = {.actor = actor, .source = id};
	return from_store(store_write(in->store, NULL, 0, source_delete_tx, &a));
}

/* ---- sealing into blobs ---- */

static enum intake_result from_seal(enum seal_result r, enum store_result sr)
{
	return r == SEAL_STORE ? from_store(sr) : r == SEAL_OK ? INTAKE_OK : INTAKE_FAILED;
}

/* Seals a small plaintext into a new blob (to outer too, when given). */
static enum intake_result seal_small(struct store *store, const struct age_recipient *r,
                                     const struct age_recipient *outer, const uint8_t *p, size_t n,
                                     store_id *out)
{
	enum store_result sr;
	enum seal_result rc = seal_buf(store, r, outer, p, n, out, &sr);
	return from_seal(rc, sr);
}

/* ---- uploads ---- */

enum intake_result intake_upload_begin(struct intake *in, store_id source,
                                       struct intake_upload **out)
{
	*out = NULL;
	int64_t today_count = 0;
	enum store_result sr =
	        in->store->be->submission_count_day(in->store, source, store_today(), &today_count);
	if (sr != STORE_OK)
		return from_store(sr);
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
	struct store_label_joint j;
	sr = in->store->be->officer->label_joint(in->store, in->marking_label, LABEL_INTAKE, &j);
	const uint8_t *pk = j.version[1] != 0 ? j.pk[1] : in->label_pk;
	if (sr != STORE_OK || age_recipient_from_x25519(pk, &up->label) != AGE_OK ||
	    (j.holders > 0 && age_recipient_from_x25519(j.pk[0], &up->outer) != AGE_OK)) {
		age_recipient_free(&up->label);
		free(up->files);
		free(up->meta_sealed);
		free(up);
		return sr != STORE_OK ? from_store(sr) : INTAKE_FAILED;
	}
	for (int i = 0; i <= in->limits.max_files; i++)
		buf_init(&up->meta_sealed[i], STORE_CHUNK_MAX);
	buf_init(&up->message_sealed, STORE_CHUNK_MAX);
	up->seal_version = j.holders > 0 ? j.version[0] : 0;
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
		rc = seal_small(up->in->store, up->label, up->outer, (const uint8_t *)text, n,
		                &up->message_blob);
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
		return from_seal(sr, seal_store_error(up->sealer));
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
	enum intake_result rc = from_seal(sr, seal_store_error(up->sealer));
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
	enum store_result r = s->be->submission_count_day(s, up->source, a->day, &today);
	if (r != STORE_OK)
		return r;
	if (today >= up->in->limits.submissions_per_day) { /* checked again here: uploads race */
		a->over_quota = true;
		return STORE_REFUSED;
	}
	store_id message = up->message_blob;
	if (up->message_sealed.len > 0 &&
	    (r = s->be->blob_put(s, up->message_sealed.data, up->message_sealed.len, &message)) !=
	            STORE_OK)
		return r;
	for (size_t i = 0; i < up->nfiles; i++) {
		a->files[i] = up->files[i];
		const struct buf *m = &up->meta_sealed[i];
		if ((r = s->be->blob_put(s, m->data, m->len, &a->files[i].meta_blob)) != STORE_OK)
			return r;
	}
	r = s->be->submission_commit(s, up->source, a->day, up->in->marking, up->seal_version,
	                             message, a->files, up->nfiles, &a->id);
	if (r != STORE_OK)
		return r;
	return log_in(s, LEDGER_SUBMISSION_SEAL, NULL, up->source, "submission", a->id,
	              up->in->marking);
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
		return a.over_quota ? INTAKE_TOO_MANY : from_store(sr);
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
			(void)s->be->blob_delete(s, up->message_blob);
		for (size_t i = 0; i < up->nfiles; i++) {
			if (up->files[i].data_blob != 0)
				(void)s->be->blob_delete(s, up->files[i].data_blob);
			if (up->files[i].meta_blob != 0)
				(void)s->be->blob_delete(s, up->files[i].meta_blob);
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

/* ---- replies ---- */

/* reply seal (by an officer: actor) and delete (by the source) */
struct reply_tx {
	const char *actor;
	store_id source, blob, id;
};

static enum store_result reply_seal_tx(struct store *s, void *arg)
{
	struct reply_tx *a = arg;
	enum store_result r = s->be->reply_add(s, a->source, store_today(), a->blob, &a->id);
	if (r != STORE_OK)
		return r;
	return log_in(s, LEDGER_REPLY_SEAL, a->actor, a->source, "reply", a->id, NULL);
}

static enum store_result reply_delete_tx(struct store *s, void *arg)
{
	struct reply_tx *a = arg;
	enum store_result r = s->be->reply_delete(s, a->source, a->id);
	if (r != STORE_OK)
		return r;
	return log_in(s, LEDGER_REPLY_DELETE, NULL, a->source, "reply", a->id, NULL);
}

enum intake_result intake_reply_seal(struct intake *in, const char *actor, store_id source,
                                     const char *text, size_t n, store_id *reply)
{
	struct store_source src;
	struct age_recipient *r = NULL;
	store_id blob = 0;
	if (n == 0)
		return INTAKE_EMPTY;
	if (n > MAX_REPLY_BYTES)
		return INTAKE_TOO_LARGE;
	if (utf8_count((const uint8_t *)text, n) < 0)
		return INTAKE_BAD_INPUT;
	enum store_result sr = in->store->be->source_get(in->store, source, &src);
	if (sr != STORE_OK)
		return from_store(sr);
	if (age_recipient_from_x25519(src.pk, &r) != AGE_OK)
		return INTAKE_FAILED;
	enum intake_result rc = seal_small(in->store, r, NULL, (const uint8_t *)text, n, &blob);
	age_recipient_free(&r);
	if (rc != INTAKE_OK)
		return rc;
	struct reply_tx a = {.actor = actor, .source = source, .blob = blob};
	sr = store_write(in->store, &blob, 1, reply_seal_tx, &a);
	if (sr != STORE_OK) {
		(void)in->store->be->blob_delete(in->store, blob);
		return from_store(sr);
	}
	*reply = a.id;
	return INTAKE_OK;
}

struct reply_list {
	struct store_reply *items;
	size_t n;
};

static int collect_reply(void *ctx, const struct store_reply *r)
{
	struct reply_list *l = ctx;
	if (l->n >= MAX_REPLIES)
		return 1;
	l->items[l->n++] = *r;
	return 0;
}

struct blob_collect {
	struct age_decryptor *dec;
	int failed;
};

static int feed_decryptor(void *ctx, const uint8_t *p, size_t n)
{
	struct blob_collect *c = ctx;
	if (age_decrypt_update(c->dec, p, n) != AGE_OK) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

static int plain_to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

enum intake_result intake_replies(struct intake *in, store_id source,
                                  const uint8_t sk[static INTAKE_KEY_LEN],
                                  int (*fn)(void *ctx, const struct intake_reply_view *r),
                                  void *ctx)
{
	struct reply_list l = {.items = calloc(MAX_REPLIES, sizeof(struct store_reply))};
	struct age_identity *id = NULL;
	struct buf plain;
	enum intake_result rc = INTAKE_FAILED;
	buf_init(&plain, MAX_REPLY_BYTES);
	if (l.items == NULL)
		goto out;
	enum store_result sr = in->store->be->reply_list(in->store, source, collect_reply, &l);
	if (sr != STORE_OK && sr != STORE_STOP) {
		rc = from_store(sr);
		goto out;
	}
	if (age_identity_from_x25519(sk, &id) != AGE_OK)
		goto out;
	const struct age_identity *ids[1] = {id};
	for (size_t i = 0; i < l.n; i++) {
		struct blob_collect c = {0};
		buf_reset(&plain);
		if (age_decrypt_begin(ids, 1, plain_to_buf, &plain, &c.dec) != AGE_OK)
			goto out;
		sr = in->store->be->blob_read(in->store, l.items[i].blob, feed_decryptor, &c);
		enum age_err ae = c.failed ? AGE_ERR_PAYLOAD : age_decrypt_finish(c.dec);
		age_decryptor_free(&c.dec);
		if ((sr != STORE_OK && sr != STORE_STOP) || c.failed || ae != AGE_OK)
			continue; /* a reply this key cannot open is not this source's */
		struct intake_reply_view v = {.id = l.items[i].id,
		                              .day = l.items[i].day,
		                              .text = buf_str(&plain),
		                              .len = plain.len};
		int stop = fn(ctx, &v);
		sodium_memzero(plain.data, plain.len);
		if (stop)
			break;
	}
	rc = INTAKE_OK;
out:
	age_identity_free(&id);
	buf_wipe_release(&plain);
	free(l.items);
	return rc;
}

enum intake_result intake_reply_delete(struct intake *in, store_id source, store_id reply)
{
	struct reply_tx a = {.source = source, .id = reply};
	return from_store(store_write(in->store, NULL, 0, reply_delete_tx, &a));
}
