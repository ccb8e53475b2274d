/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * inbox: the use cases of an officer working on what sources sent, for the
 * desk and the CLI alike (they parse, call one of these, and render).
 *
 * - Reads: what the officer may read is decided by the access decision
 *   (registry_submission_readable: clearance, nationality, need-to-know). A
 *   source is visible when the officer may read one of its submissions.
 *   What they may not read answers exactly as a missing object
 *   (INBOX_NOT_FOUND), and listings leave it out; counts cover only what
 *   they may read.
 * - Every action is recorded: reading a submission (object.read) and
 *   downloading (object.download) have their entry durable before a byte is
 *   shown; a reply (reply.seal) and a deletion (source.delete) commit with
 *   their entry in one transaction.
 * - Deleting a source destroys all its submissions: only an officer who may
 *   read every one of them may do it (INBOX_FORBIDDEN otherwise), decided in
 *   the deleting transaction itself.
 * - Work is bounded: a page holds at most INBOX_PAGE_MAX rows, and finding a
 *   page examines at most INBOX_SCAN_MAX rows of the store. A page that
 *   reaches that bound before it is full ends there, short (even empty), with
 *   a cursor to the next: what lies beyond is never silently left out. A
 *   source's counts cover all its submissions (bounded by its daily quota).
 *
 * who is the logged-in officer (core/officer/officer.h); its keys open the
 * submissions. Thread safety: a struct inbox may be shared by all threads.
 */
#ifndef CUTOUT_CORE_INBOX_H
#define CUTOUT_CORE_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/intake/intake.h"
#include "core/keys/unseal.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/store/store_desk.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/conf.h"

#define INBOX_PAGE_MAX 100
#define INBOX_SCAN_MAX 20000
#define INBOX_FILES_MAX 1000 /* files of one submission: max_files_per_submission's highest */
/* bytes of a message opened for reading: the longest a source may send (4 bytes a character) */
#define INBOX_MESSAGE_MAX ((size_t)CONF_MESSAGE_CHARS_MAX * 4)
#define INBOX_NAME_MAX 1023 /* a file's name, bytes */
#define INBOX_TYPE_MAX 255  /* a file's content type, bytes */
#define INBOX_LABEL_MAX 64  /* a source's label, bytes (inbox_label) */

enum inbox_result {
	INBOX_OK = 0,
	INBOX_NOT_FOUND, /* missing, or not the officer's to read: one answer */
	INBOX_FORBIDDEN, /* deleting a source with a submission the officer may not read */
	INBOX_BAD_INPUT, /* a malformed argument (a label too long, an empty reply) */
	INBOX_BUSY,      /* the store is busy: try again */
	INBOX_FULL,      /* the store has no space left: nothing was kept; works again once freed */
	INBOX_FAILED,    /* store, crypto or memory */
};

const char *inbox_strerror(enum inbox_result r);

struct inbox;

/* The inbox over the instance's store, registry and intake (all borrowed). */
__attribute__((warn_unused_result)) enum inbox_result
inbox_new(struct store *s, struct registry *reg, struct intake *in, struct inbox **out);
void inbox_free(struct inbox **ib);

/* ---- reads ---- */

/*
 * The sources the officer may see, newest activity first, starting at the
 * cursor `before` (0: the newest; else a submission id from *next), at most
 * max (<= INBOX_PAGE_MAX) into rows, with counts over what they may read
 * (nsubmissions, nunread, last_day). *next: the cursor of the next page, 0
 * when there is none.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_sources(struct inbox *ib, const struct officer_key *who, store_id before, bool starred,
              struct store_desk_source *rows, size_t max, size_t *n, store_id *next);
/*
 * A filter of the inbox (every field set is required: they combine with and).
 * The submission filters (unread, has_files, the days, marking) hold for one
 * submission the officer may read: a source is listed when it has a
 * submission they may read that is unread, has files, arrived on a day in
 * [day_from, day_to] (0: unbounded; days since 1970-01-01, UTC) and carries
 * exactly that canonical marking ("": any), all at once. label: the source's
 * label as the officer would read it, compared normalised (ASCII letters
 * without case, spaces at the ends and repeated spaces ignored); the store
 * finds it by its blind index (label.c), so only labels set under an intake
 * label version the officer holds are found.
 */
struct inbox_filter {
	bool starred, unread, has_files;
	int32_t day_from, day_to;
	char marking[STORE_MARKING_MAX];
	char label[INBOX_LABEL_MAX + 1];
};
#define INBOX_WINDOW 2000 /* rows a filtered page examines per store call */
/* true if f filters anything (else inbox_sources_filtered is inbox_sources) */
bool inbox_filter_any(const struct inbox_filter *f);
/*
 * inbox_sources through f (NULL: none). The page is keyset-paged as
 * inbox_sources' and its work bounded the same way: at most INBOX_SCAN_MAX
 * rows of the inbox order are examined (INBOX_WINDOW at a time); a page that
 * reaches the bound ends short, with a cursor to go on.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_sources_filtered(struct inbox *ib, const struct officer_key *who, store_id before,
                       const struct inbox_filter *f, struct store_desk_source *rows, size_t max,
                       size_t *n, store_id *next);
/* One source, if the officer may see it, with counts over what they may read. */
__attribute__((warn_unused_result)) enum inbox_result inbox_source(struct inbox *ib,
                                                                   const struct officer_key *who,
                                                                   store_id id,
                                                                   struct store_desk_source *out);
/* The source's submissions the officer may read, newest first, from before (0: newest). */
__attribute__((warn_unused_result)) enum inbox_result
inbox_submissions(struct inbox *ib, const struct officer_key *who, store_id source, store_id before,
                  struct store_submission *rows, size_t max, size_t *n, store_id *next);
/* A submission the officer may read (its row only: nothing is opened or recorded). */
__attribute__((warn_unused_result)) enum inbox_result
inbox_submission(struct inbox *ib, const struct officer_key *who, store_id id,
                 struct store_submission *out);

/*
 * The navigation's count of new submissions: the unread submissions the
 * officer may read (the access decision as inbox_submission's), counted up to
 * INBOX_COUNT_MAX. At most INBOX_COUNT_SCAN unread submissions are examined,
 * newest first, so a page's count costs the same whatever the store holds.
 * *more: there may be others (the count reached INBOX_COUNT_MAX, or the scan
 * its bound first): *n is then a lower bound.
 */
#define INBOX_COUNT_MAX 1000
#define INBOX_COUNT_SCAN 5000
__attribute__((warn_unused_result)) enum inbox_result
inbox_unread_count(struct inbox *ib, const struct officer_key *who, int64_t *n, bool *more);

struct inbox_file {
	int64_t n;   /* its position, from 1 */
	bool opened; /* its metadata opened with the officer's keys */
	char name[INBOX_NAME_MAX + 1];
	char type[INBOX_TYPE_MAX + 1];
	uint64_t size;
};

/* A submission as read: inbox_reading_release wipes it. */
struct inbox_reading {
	struct store_submission sub;
	struct buf message;  /* its plaintext (empty if it has none) */
	bool message_failed; /* it has a message that these keys did not open */
	struct inbox_file *files;
	size_t nfiles;
};

/*
 * Reads a submission: records object.read (durable before anything is
 * opened), opens its message and its files' names, types and sizes, and
 * marks it read once its message opened.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_read(struct inbox *ib, const struct officer_key *who, store_id id, struct inbox_reading *out);
void inbox_reading_release(struct inbox_reading *r);

/*
 * A download: file n (from 1) of a submission, opened or (sealed) exported as
 * the age file sealed to the intake label; n == 0: its message, exported
 * (sealed must be true). Records object.download (durable before the handle
 * is given), and writes the file's name (NUL-terminated, "" if unknown; a
 * secret of the source: wipe it) into name. The handle borrows who's keys:
 * keep who alive until inbox_download_free.
 */
struct inbox_download;
__attribute__((warn_unused_result)) enum inbox_result
inbox_download(struct inbox *ib, const struct officer_key *who, store_id sub, int64_t n,
               bool sealed, char name[static INBOX_NAME_MAX + 1], struct inbox_download **out);
/* Streams the download through w (may run on another thread than inbox_download). */
__attribute__((warn_unused_result)) enum inbox_result inbox_download_run(struct inbox_download *d,
                                                                         age_write_fn w, void *ctx);
void inbox_download_free(struct inbox_download **d);

/*
 * A file the officer may read, for another use case of core that records
 * its own entry (core/safeview): the access decision as inbox_download's
 * (what they may not read is INBOX_NOT_FOUND, as missing), then the
 * submission's row, the file's row and the keys that open its blobs
 * (borrowing who's: keep who alive until inbox_file_access_release). Nothing
 * is recorded or opened here.
 */
struct inbox_file_access {
	struct store_submission sub;
	struct store_file file;
	struct unseal_keys keys;
};
__attribute__((warn_unused_result)) enum inbox_result
inbox_file_access(struct inbox *ib, const struct officer_key *who, store_id sub, int64_t n,
                  struct inbox_file_access *out);
void inbox_file_access_release(struct inbox_file_access *a);

/*
 * The replies sent to a source the officer may see (the access decision as
 * inbox_source's), oldest first: at most max (<= INBOX_REPLIES_MAX) rows,
 * *more set when there are others. Their day, never a finer time.
 */
#define INBOX_REPLIES_MAX 256
__attribute__((warn_unused_result)) enum inbox_result
inbox_replies(struct inbox *ib, const struct officer_key *who, store_id source,
              struct store_reply *rows, size_t max, size_t *n, bool *more);

/*
 * A reply's text for who (r as inbox_replies gave it), from its desk copy:
 * INBOX_OK with the text in out (released first, at most the reply's 1 MiB)
 * only when the access decision allows who to read what is marked as the
 * reply is (as for the submission it answers) and who's keys open it;
 * INBOX_NOT_FOUND otherwise (no desk copy, deleted, not cleared, no key).
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_reply_open(struct inbox *ib, const struct officer_key *who, const struct store_reply *r,
                 struct buf *out);

/* An officer's name by store id into out ("" when there is none, or id is 0): 0, or -1. */
#define INBOX_OFFICER_NAME_MAX 64
int inbox_officer_name(struct inbox *ib, store_id id, char out[static INBOX_OFFICER_NAME_MAX + 1]);

/* ---- actions ---- */

/* Seals a reply to a source the officer may see (reply.seal, in its transaction). */
__attribute__((warn_unused_result)) enum inbox_result inbox_reply(struct inbox *ib,
                                                                  const struct officer_key *who,
                                                                  store_id source, const char *text,
                                                                  size_t n, store_id *reply);
/* The same, as a reply of that kind (INTAKE_REPLY_FEEDBACK: the feedback, deadlines.h). */
__attribute__((warn_unused_result)) enum inbox_result
inbox_reply_kind(struct inbox *ib, const struct officer_key *who, store_id source, const char *text,
                 size_t n, enum intake_reply_kind kind, store_id *reply);
/*
 * Deletes a source and everything of theirs, if the officer may read every
 * one of its submissions (INBOX_FORBIDDEN otherwise); source.delete, in the
 * same transaction as the decision and the deletion.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_delete_source(struct inbox *ib, const struct officer_key *who, store_id source);
/*
 * The desk's own marks on a source the officer may see: a star, a label ("" clears it;
 * at most INBOX_LABEL_MAX bytes of UTF-8 without control characters, else
 * INBOX_BAD_INPUT). The label is sealed to the intake label's current version
 * (label.c) and shown, opened, to the officers who may see the source.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_star(struct inbox *ib, const struct officer_key *who, store_id source, bool on);
__attribute__((warn_unused_result)) enum inbox_result
inbox_label(struct inbox *ib, const struct officer_key *who, store_id source, const char *label);

/*
 * Marks read every unread submission of a source the officer may read (a
 * desk's mark, like the star: nothing is opened). Bounded as the inbox's
 * pages: the first INBOX_SCAN_MAX of the source's submissions.
 */
__attribute__((warn_unused_result)) enum inbox_result
inbox_mark_read(struct inbox *ib, const struct officer_key *who, store_id source);

/*
 * One action on many sources (the desk's bulk form), each through its own use
 * case above with the access decision applied to each: ids[0..n), n at most
 * INBOX_BULK_MAX (else INBOX_BAD_INPUT, nothing done). A source the officer
 * may not act on (not visible, or a deletion refused) is skipped and counted
 * in refused; the others in done. label: INBOX_BULK_LABEL's ("" clears it).
 * A store failure stops there (what was done stays done, counted in *out).
 */
#define INBOX_BULK_MAX 500
enum inbox_bulk_op {
	INBOX_BULK_READ = 1,
	INBOX_BULK_STAR,
	INBOX_BULK_UNSTAR,
	INBOX_BULK_LABEL,
	INBOX_BULK_DELETE,
};
struct inbox_bulk_result {
	size_t done, refused;
};
__attribute__((warn_unused_result)) enum inbox_result
inbox_bulk(struct inbox *ib, const struct officer_key *who, enum inbox_bulk_op op,
           const store_id *ids, size_t n, const char *label, struct inbox_bulk_result *out);

#endif
