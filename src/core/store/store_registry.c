/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_registry: the front of the registry's store domain
 * (core/store/store_registry.h). Each function checks its arguments and caps
 * once and holds the domain's rules; the backend's operations only store and
 * fetch rows. store_submission_mark is the one made of several: a
 * transaction of row and blob operations.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_registry.h"

#include "lib/banned.h"

#define OPS(s) ((s)->be->registry)

/* A text of at most max bytes (strlen), without reading past max + 1. */
static bool text_ok(const char *t, size_t max)
{
	return t != NULL && strnlen(t, max + 1) <= max;
}

/* The listings' callbacks, through these: STORE_STOP exactly when fn stopped. */
#define STOP_TRAMPOLINE(NAME, PARAMS, ARGS)                     \
	struct NAME##_stop {                                    \
		int (*fn)(void *ctx, PARAMS);                   \
		void *ctx;                                      \
		bool stopped;                                   \
	};                                                      \
	static int NAME##_one(void *ctx, PARAMS)                \
	{                                                       \
		struct NAME##_stop *t = ctx;                    \
		return (t->stopped = t->fn(t->ctx, ARGS) != 0); \
	}
#define P2(a, b) a, b
#define P3(a, b, c) a, b, c

STOP_TRAMPOLINE(marking, P2(store_id id, const char *text), P2(id, text))
STOP_TRAMPOLINE(report, const struct store_report *r, r)
STOP_TRAMPOLINE(cite, const struct store_cite *c, c)
STOP_TRAMPOLINE(name, const char *name, name)
STOP_TRAMPOLINE(dist, P3(store_id id, const char *name, store_id owner), P3(id, name, owner))
STOP_TRAMPOLINE(member, store_id officer, officer)
STOP_TRAMPOLINE(change, const struct store_marking_change *c, c)

/* Calls the backend's listing OP with the trampoline of NAME around fn. */
#define LISTED(NAME, CALL)                                                  \
	do {                                                                \
		struct NAME##_stop t = {.fn = fn, .ctx = ctx};              \
		enum store_result r_ = CALL; /* before reading t.stopped */ \
		return store_listed(r_, t.stopped);                         \
	} while (0)

enum store_result store_marking_id(struct store *s, const char *text, store_id *id)
{
	if (!text_ok(text, STORE_MARKING_MAX - 1) || id == NULL)
		return STORE_TOO_LARGE;
	return OPS(s)->marking_id(s, text, id);
}

enum store_result store_markings(struct store *s,
                                 int (*fn)(void *ctx, store_id id, const char *text), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(marking, OPS(s)->markings(s, marking_one, &t));
}

enum store_result store_report_insert(struct store *s, store_id author, int32_t day,
                                      store_id marking_id, uint32_t label_version,
                                      const uint8_t *body, size_t body_len, const int64_t *readers,
                                      size_t nreaders, const struct store_cite *cites,
                                      size_t ncites, store_id *out)
{
	if (body == NULL || body_len == 0 || body_len > STORE_REPORT_BODY_MAX ||
	    nreaders > STORE_READERS_MAX || (nreaders > 0 && readers == NULL) ||
	    ncites > STORE_READERS_MAX || (ncites > 0 && cites == NULL) || out == NULL)
		return STORE_TOO_LARGE;
	return OPS(s)->report_insert(s, author, day, marking_id, label_version, body, body_len,
	                             readers, nreaders, cites, ncites, out);
}

enum store_result store_report_get(struct store *s, store_id id,
                                   int (*fn)(void *ctx, const struct store_report *r), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(report, OPS(s)->report_get(s, id, report_one, &t));
}

enum store_result store_report_candidates(struct store *s, store_id reader,
                                          int (*fn)(void *ctx, const struct store_report *r),
                                          void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(report, OPS(s)->report_candidates(s, reader, report_one, &t));
}

enum store_result store_report_circulate(struct store *s, store_id report, const int64_t *readers,
                                         size_t nreaders, const store_id *lists, size_t nlists)
{
	if (nreaders > STORE_READERS_MAX || (nreaders > 0 && readers == NULL) ||
	    nlists > STORE_READERS_MAX || (nlists > 0 && lists == NULL))
		return STORE_TOO_LARGE;
	return OPS(s)->report_circulate(s, report, readers, nreaders, lists, nlists);
}

enum store_result store_report_cites(struct store *s, store_id report,
                                     int (*fn)(void *ctx, const struct store_cite *c), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(cite, OPS(s)->report_cites(s, report, cite_one, &t));
}

enum store_result store_report_lists(struct store *s, store_id report,
                                     int (*fn)(void *ctx, const char *name), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(name, OPS(s)->report_lists(s, report, name_one, &t));
}

enum store_result store_dist_create(struct store *s, const char *name, store_id owner, int32_t day,
                                    store_id *out)
{
	if (!text_ok(name, STORE_DIST_NAME_MAX))
		return STORE_TOO_LARGE;
	return OPS(s)->dist_create(s, name, owner, day, out);
}

enum store_result store_dist_find(struct store *s, const char *name, store_id *id, store_id *owner)
{
	if (!text_ok(name, STORE_DIST_NAME_MAX))
		return STORE_NOT_FOUND; /* no list has such a name */
	return OPS(s)->dist_find(s, name, id, owner);
}

enum store_result store_dist_member(struct store *s, store_id list, store_id officer, int add)
{
	return OPS(s)->dist_member(s, list, officer, add);
}

enum store_result
store_dist_lists(struct store *s,
                 int (*fn)(void *ctx, store_id id, const char *name, store_id owner), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(dist, OPS(s)->dist_lists(s, dist_one, &t));
}

enum store_result store_dist_members(struct store *s, store_id list,
                                     int (*fn)(void *ctx, store_id officer), void *ctx)
{
	if (fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(member, OPS(s)->dist_members(s, list, member_one, &t));
}

enum store_result store_marking_changes(struct store *s, const char *kind, store_id object,
                                        int (*fn)(void *ctx, const struct store_marking_change *c),
                                        void *ctx)
{
	if (kind == NULL || fn == NULL)
		return STORE_NOT_FOUND;
	LISTED(change, OPS(s)->marking_changes(s, kind, object, change_one, &t));
}

/* ---- a marking change and its reseal ---- */

/* The submission's files as stored (their old blobs), at most want of them. */
struct old_files {
	struct store_file *v;
	size_t n, want;
};

static int old_file(void *ctx, const struct store_file *f)
{
	struct old_files *o = ctx;
	if (o->n >= o->want)
		return 1; /* more files than the submission row says: refused below */
	o->v[o->n++] = *f;
	return 0;
}

/* Deletes a stored blob and claims its pending replacement, in the transaction. */
static enum store_result swap_blob(struct store *s, store_id old, store_id nw)
{
	enum store_result r = s->be->blob_delete(s, old);
	return r == STORE_OK ? s->be->blob_claim(s, nw) : r;
}

/* Inside the transaction: the blobs of rs in place of the submission's. */
static enum store_result reseal(struct store *s, store_id id, const struct store_reseal *rs)
{
	struct store_submission sub;
	enum store_result r = s->be->submission_get(s, id, &sub);
	if (r != STORE_OK)
		return r;
	if ((sub.message_blob == 0) != (rs->message_blob == 0) || sub.nfiles < 0 ||
	    (uint64_t)sub.nfiles != rs->nfiles)
		return STORE_NOT_FOUND;
	if (sub.message_blob != 0 &&
	    (r = swap_blob(s, sub.message_blob, rs->message_blob)) != STORE_OK)
		return r;
	if ((r = OPS(s)->submission_set_seal(s, id, rs->message_blob, rs->seal_version)) !=
	    STORE_OK)
		return r;
	if (rs->nfiles == 0)
		return STORE_OK;
	struct old_files old = {.v = calloc(rs->nfiles, sizeof *old.v), .want = rs->nfiles};
	if (old.v == NULL)
		return STORE_NOMEM;
	r = s->be->submission_files(s, id, old_file, &old);
	if (r == STORE_STOP || (r == STORE_OK && old.n != rs->nfiles))
		r = STORE_CORRUPT; /* the rows disagree with the submission's count */
	for (size_t i = 0; r == STORE_OK && i < rs->nfiles; i++) {
		const struct store_file *f = &rs->files[i];
		size_t k = 0;
		while (k < old.n && (old.v[k].id != f->id || f->id <= 0))
			k++;
		if (k == old.n) {
			r = STORE_NOT_FOUND; /* not a file of this submission, or named twice */
			break;
		}
		if ((r = swap_blob(s, old.v[k].meta_blob, f->meta_blob)) == STORE_OK &&
		    (r = swap_blob(s, old.v[k].data_blob, f->data_blob)) == STORE_OK)
			r = OPS(s)->file_set_blobs(s, id, f);
		old.v[k].id = 0; /* each file once */
	}
	free(old.v);
	return r;
}

struct mark_arg {
	const struct store_marking_change *c;
	const struct store_reseal *rs;
};

static enum store_result mark_tx(struct store *s, void *arg)
{
	const struct mark_arg *a = arg;
	const struct store_marking_change *c = a->c;
	enum store_result r =
	        OPS(s)->submission_set_marking(s, c->object, c->old_marking, c->new_marking);
	if (r == STORE_NOT_FOUND) {
		/* no such submission: STORE_NOT_FOUND; one at another marking: STORE_EXISTS */
		struct store_submission sub;
		r = s->be->submission_get(s, c->object, &sub);
		return r == STORE_OK ? STORE_EXISTS : r;
	}
	if (r != STORE_OK)
		return r;
	/* a reseal alone (the same marking): nothing to record */
	if (strcmp(c->old_marking, c->new_marking) != 0) {
		struct store_marking_change row = *c;
		row.kind = "submission";
		row.reason = c->reason ? c->reason : "";
		if ((r = OPS(s)->marking_change_add(s, &row)) != STORE_OK)
			return r;
	}
	return a->rs ? reseal(s, c->object, a->rs) : STORE_OK;
}

enum store_result store_submission_mark(struct store *s, const struct store_marking_change *c,
                                        const struct store_reseal *rs)
{
	if (c == NULL || !text_ok(c->old_marking, STORE_MARKING_MAX - 1) ||
	    !text_ok(c->new_marking, STORE_MARKING_MAX - 1) ||
	    (c->reason && !text_ok(c->reason, STORE_REASON_MAX)))
		return STORE_TOO_LARGE;
	struct mark_arg a = {.c = c, .rs = rs};
	if (rs == NULL)
		return store_write(s, NULL, 0, mark_tx, &a);
	/* each file twice, the message once: (1 + 2n) ids */
	if (rs->nfiles > (SIZE_MAX / sizeof(store_id) - 1) / 2 || (rs->nfiles > 0 && !rs->files))
		return STORE_TOO_LARGE;
	store_id *claim = calloc(1 + 2 * rs->nfiles, sizeof *claim);
	if (claim == NULL)
		return STORE_NOMEM;
	size_t n = 0;
	if (rs->message_blob != 0)
		claim[n++] = rs->message_blob;
	for (size_t i = 0; i < rs->nfiles; i++) {
		claim[n++] = rs->files[i].meta_blob;
		claim[n++] = rs->files[i].data_blob;
	}
	enum store_result r = store_write(s, claim, n, mark_tx, &a);
	free(claim);
	return r;
}
