/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_registry: the store domain of the registry (backend-neutral
 * operations; one pointer, `registry`, in struct store_backend). Used only by
 * core/registry/, which decides every read with access_decide: nothing here
 * decides access. It holds:
 *
 *   markings in use   (id, canonical text): one label "marking:TEXT" each
 *   reports           author, day, marking, label version, sealed body (an
 *                     age file: the title and paragraphs never leave it)
 *   readers           the report's distribution (officer ids), the author
 *                     always on it; lists are expanded when circulated (a
 *                     telegram goes to the posts on the list that day)
 *   circulation       which lists a report went to (names, for display)
 *   citations         (report, kind, object)
 *   distribution lists and their members
 *   marking changes   (kind, object, actor, day, old, new, reason)
 */
#ifndef CUTOUT_CORE_STORE_REGISTRY_H
#define CUTOUT_CORE_STORE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_REPORT_BODY_MAX (1024 * 1024) /* the sealed body, bytes */
#define STORE_DIST_NAME_MAX 64
#define STORE_REASON_MAX 1000
#define STORE_READERS_MAX 100000 /* officers on one report's distribution */

enum store_cite_kind { STORE_CITE_SUBMISSION = 1, STORE_CITE_REPORT = 2 };

struct store_cite {
	int kind; /* enum store_cite_kind */
	store_id id;
};

/* A report's metadata as listed (no body). readers: sorted ascending, owned by the store call. */
struct store_report {
	store_id id;
	store_id author;
	int32_t day;
	store_id marking_id;
	char marking[STORE_MARKING_MAX];
	uint32_t label_version;
	const int64_t *readers;
	size_t nreaders;
	const uint8_t *body; /* report_get only */
	size_t body_len;
};

struct store_marking_change {
	const char *kind; /* "submission" or "report" */
	store_id object;
	store_id actor;
	int32_t day;
	const char *old_marking, *new_marking, *reason;
};

/* A submission's blobs sealed anew (core/keys/seal.h), for store_submission_mark. */
struct store_reseal {
	uint32_t seal_version;          /* of the new marking's label */
	store_id message_blob;          /* the new one; 0 if the submission has no message */
	const struct store_file *files; /* each file's id with its new meta_blob and data_blob */
	size_t nfiles;                  /* all of the submission's files */
};

struct store_registry_ops {
	/* The id of a marking (canonical text), adding it if new. */
	enum store_result (*marking_id)(struct store *s, const char *text, store_id *id);
	/* Every marking in use, by id: fn(ctx, id, text); non-zero stops. */
	enum store_result (*markings)(struct store *s,
	                              int (*fn)(void *ctx, store_id id, const char *text),
	                              void *ctx);

	/*
	 * A new report, its readers (the author included by the caller) and
	 * citations. A marking_id that names no marking: STORE_NOT_FOUND.
	 */
	enum store_result (*report_insert)(struct store *s, store_id author, int32_t day,
	                                   store_id marking_id, uint32_t label_version,
	                                   const uint8_t *body, size_t body_len,
	                                   const int64_t *readers, size_t nreaders,
	                                   const struct store_cite *cites, size_t ncites,
	                                   store_id *out);
	/* One report with body and readers, valid during fn. STORE_NOT_FOUND if none. */
	enum store_result (*report_get)(struct store *s, store_id id,
	                                int (*fn)(void *ctx, const struct store_report *r),
	                                void *ctx);
	/*
	 * The reports `reader` is on the distribution of, newest first: a narrowing
	 * by need-to-know that can only drop reports access_decide would refuse;
	 * the caller decides each. Here `readers` is the reader's own entry of the
	 * distribution as stored ({reader}), not the whole list: that entry is all
	 * the decision needs about this reader, and loading every report's whole
	 * distribution would cost more than the listing itself. fn non-zero stops.
	 */
	enum store_result (*report_candidates)(struct store *s, store_id reader,
	                                       int (*fn)(void *ctx, const struct store_report *r),
	                                       void *ctx);
	/* Adds readers (ids) and circulated list names (may be n = 0) to a report. */
	enum store_result (*report_circulate)(struct store *s, store_id report,
	                                      const int64_t *readers, size_t nreaders,
	                                      const store_id *lists, size_t nlists);
	/* Citations of a report, by kind then id. */
	enum store_result (*report_cites)(struct store *s, store_id report,
	                                  int (*fn)(void *ctx, const struct store_cite *c),
	                                  void *ctx);
	/* The names of the lists a report was circulated to, by name (bytewise). */
	enum store_result (*report_lists)(struct store *s, store_id report,
	                                  int (*fn)(void *ctx, const char *name), void *ctx);

	/* Distribution lists. */
	enum store_result (*dist_create)(struct store *s, const char *name, store_id owner,
	                                 int32_t day, store_id *out);
	enum store_result (*dist_find)(struct store *s, const char *name, store_id *id,
	                               store_id *owner);
	/* add: adds the officer (an unknown list: STORE_NOT_FOUND); else removes it. */
	enum store_result (*dist_member)(struct store *s, store_id list, store_id officer, int add);
	/* Every list by name (bytewise): fn(ctx, id, name, owner). */
	enum store_result (*dist_lists)(struct store *s,
	                                int (*fn)(void *ctx, store_id id, const char *name,
	                                          store_id owner),
	                                void *ctx);
	/* Members of a list by officer id. */
	enum store_result (*dist_members)(struct store *s, store_id list,
	                                  int (*fn)(void *ctx, store_id officer), void *ctx);

	/*
	 * The row operations of store_submission_mark (the front decides; each
	 * joins the caller's store_write). submission_set_marking: sets the
	 * marking of submission id to new_marking only if it is old_marking now
	 * (else STORE_NOT_FOUND, nothing changed).
	 */
	enum store_result (*submission_set_marking)(struct store *s, store_id id,
	                                            const char *old_marking,
	                                            const char *new_marking);
	/* Records one marking change as given. */
	enum store_result (*marking_change_add)(struct store *s,
	                                        const struct store_marking_change *c);
	/* Sets a submission's message blob and seal version (STORE_NOT_FOUND if none). */
	enum store_result (*submission_set_seal)(struct store *s, store_id id,
	                                         store_id message_blob, uint32_t seal_version);
	/* Sets f->id's two blobs, only if it is a file of submission (else STORE_NOT_FOUND). */
	enum store_result (*file_set_blobs)(struct store *s, store_id submission,
	                                    const struct store_file *f);
	/* The recorded changes of one object, oldest first. */
	enum store_result (*marking_changes)(struct store *s, const char *kind, store_id object,
	                                     int (*fn)(void *ctx,
	                                               const struct store_marking_change *c),
	                                     void *ctx);
};

/*
 * The front (core/store/store_registry.c): what core calls. Each checks its
 * arguments and caps once (STORE_TOO_LARGE), then calls the backend's row
 * operations above; the domain rules are here, not in a backend. Every
 * listing (report_get's fn included: non-zero stops) returns STORE_STOP
 * exactly when its fn stopped it, whatever the backend said.
 */
__attribute__((warn_unused_result)) enum store_result
store_marking_id(struct store *s, const char *text, store_id *id);
__attribute__((warn_unused_result)) enum store_result
store_markings(struct store *s, int (*fn)(void *ctx, store_id id, const char *text), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_report_insert(struct store *s, store_id author, int32_t day, store_id marking_id,
                    uint32_t label_version, const uint8_t *body, size_t body_len,
                    const int64_t *readers, size_t nreaders, const struct store_cite *cites,
                    size_t ncites, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_report_get(struct store *s, store_id id, int (*fn)(void *ctx, const struct store_report *r),
                 void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_report_candidates(struct store *s, store_id reader,
                        int (*fn)(void *ctx, const struct store_report *r), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_report_circulate(struct store *s, store_id report, const int64_t *readers, size_t nreaders,
                       const store_id *lists, size_t nlists);
__attribute__((warn_unused_result)) enum store_result
store_report_cites(struct store *s, store_id report,
                   int (*fn)(void *ctx, const struct store_cite *c), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_report_lists(struct store *s, store_id report, int (*fn)(void *ctx, const char *name),
                   void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_dist_create(struct store *s, const char *name, store_id owner, int32_t day, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_dist_find(struct store *s, const char *name, store_id *id, store_id *owner);
__attribute__((warn_unused_result)) enum store_result
store_dist_member(struct store *s, store_id list, store_id officer, int add);
__attribute__((warn_unused_result)) enum store_result
store_dist_lists(struct store *s,
                 int (*fn)(void *ctx, store_id id, const char *name, store_id owner), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_dist_members(struct store *s, store_id list, int (*fn)(void *ctx, store_id officer),
                   void *ctx);
/*
 * Sets a submission's marking from c->old_marking to c->new_marking (only
 * if it is still c->old_marking, else STORE_EXISTS; no such submission:
 * STORE_NOT_FOUND) and records the change,
 * in one transaction (store_write; inside one, a savepoint of it). With rs,
 * the same transaction swaps in its blobs sealed anew (pending blobs,
 * claimed: the claim list of an enclosing store_write must name them) and
 * deletes the old ones; an rs that does not match the submission's message
 * and files: STORE_NOT_FOUND. An unchanged marking (a reseal alone) records
 * no change. Whatever it refuses, nothing changed.
 */
__attribute__((warn_unused_result)) enum store_result
store_submission_mark(struct store *s, const struct store_marking_change *c,
                      const struct store_reseal *rs);
__attribute__((warn_unused_result)) enum store_result
store_marking_changes(struct store *s, const char *kind, store_id object,
                      int (*fn)(void *ctx, const struct store_marking_change *c), void *ctx);

#endif
