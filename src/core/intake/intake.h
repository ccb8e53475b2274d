/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake: what the open door does, with no private key of the organisation.
 *
 * - Sources: a new source gets a codename (shown once, never stored); the
 *   codename, through Argon2id with the instance salt, gives a lookup hash
 *   (stored) and an X25519 key pair (only the public key is stored).
 * - Submissions: the message and every file are sealed as age files to the
 *   intake label's PUBLIC key as they stream in, chunk by chunk, into store
 *   blobs; file metadata (name, type, size) is sealed too. A submission
 *   becomes visible only when intake_upload_commit() returns, durably.
 * - Replies: sealed by officers to the source's public key; a logged-in
 *   source opens them with its own secret key, which the caller derives from
 *   the codename (or unwraps from its session) for the request and wipes.
 *
 * Every action is committed with its ledger entry in one transaction
 * (store_write): acknowledged once, and a crash leaves both or neither.
 *
 * Thread safety: a struct intake may be shared by all request threads; a
 * struct intake_upload belongs to one request.
 */
#ifndef CUTOUT_CORE_INTAKE_H
#define CUTOUT_CORE_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "lib/buf.h"

#define INTAKE_KEY_LEN 32
#define INTAKE_CODENAME_MAX 256 /* 7 words of at most 9 letters and spaces fit easily */

enum intake_result {
	INTAKE_OK = 0,
	INTAKE_UNKNOWN,   /* wrong codename, or an object that does not exist for this source */
	INTAKE_EMPTY,     /* a submission with no message and no file */
	INTAKE_TOO_LARGE, /* message or upload over the configured limit */
	INTAKE_TOO_MANY,  /* too many files, or the per-source daily quota is used up */
	INTAKE_BAD_INPUT, /* e.g. a message that is not UTF-8, or misuse of the upload */
	INTAKE_BUSY,      /* the store is busy: try again */
	INTAKE_FAILED,    /* internal failure (store, crypto, memory) */
	INTAKE_REFUSED,   /* intake_source_delete_if: the check said no; nothing was deleted */
	INTAKE_FULL, /* the store has no space left: nothing was kept; works again once freed */
};

const char *intake_strerror(enum intake_result r);

struct intake_limits {
	uint64_t max_upload_bytes;   /* all files of one submission together */
	size_t max_message_bytes;    /* a message, in bytes of UTF-8 */
	int max_files;               /* per submission */
	int64_t submissions_per_day; /* per source */
};

struct intake_kdf {
	uint64_t opslimit;
	size_t memlimit;
};

struct intake;

/*
 * label_pk: the intake label's public key (new submissions are sealed to it);
 * salt: the instance's codename salt; marking: the default marking of new
 * submissions. The strings are copied.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_new(struct store *store, const uint8_t label_pk[static 32], const uint8_t salt[static 16],
           const struct intake_kdf *kdf, const struct intake_limits *limits, const char *marking,
           struct intake **out);
void intake_free(struct intake **in);
const struct intake_limits *intake_limits(const struct intake *in);

/*
 * A new source: writes a fresh codename into codename (cap >= INTAKE_CODENAME_MAX),
 * its id, and its secret key (for the caller's session; wipe it).
 */
__attribute__((warn_unused_result)) enum intake_result
intake_source_create(struct intake *in, char *codename, size_t cap, store_id *id,
                     uint8_t sk[static INTAKE_KEY_LEN]);
/*
 * Logs a source in: INTAKE_UNKNOWN for any codename that is not a source's
 * (malformed or not found: one answer). Takes at least min_ms milliseconds
 * whatever the outcome, so that timing tells nothing.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_source_login(struct intake *in, const char *codename, unsigned min_ms, store_id *id,
                    uint8_t sk[static INTAKE_KEY_LEN]);
/*
 * Deletes the source and everything of theirs (submissions, files, replies),
 * with its source.delete entry; actor: NULL when the source deletes itself,
 * else the officer's ("officer:NAME").
 */
__attribute__((warn_unused_result)) enum intake_result
intake_source_delete(struct intake *in, const char *actor, store_id id);
/*
 * The same, with check(s, ctx) run first inside the deleting transaction
 * (it sees what the deletion would destroy, as it is then): STORE_REFUSED
 * refuses (INTAKE_REFUSED) and deletes nothing.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_source_delete_if(struct intake *in, const char *actor, store_id id, store_tx_fn check,
                        void *ctx);

/* ---- a submission, streamed ---- */
struct intake_upload;

__attribute__((warn_unused_result)) enum intake_result
intake_upload_begin(struct intake *in, store_id source, struct intake_upload **out);
/* The message; at most once, before or after files. Must be valid UTF-8. */
__attribute__((warn_unused_result)) enum intake_result
intake_upload_message(struct intake_upload *up, const char *text, size_t n);
/* A file: begin, data (any number of times), end. name and type may be NULL. */
__attribute__((warn_unused_result)) enum intake_result
intake_upload_file_begin(struct intake_upload *up, const char *name, const char *type);
__attribute__((warn_unused_result)) enum intake_result
intake_upload_file_data(struct intake_upload *up, const uint8_t *p, size_t n);
__attribute__((warn_unused_result)) enum intake_result
intake_upload_file_end(struct intake_upload *up);
/* Makes the submission durable and visible. The upload must still be freed. */
__attribute__((warn_unused_result)) enum intake_result
intake_upload_commit(struct intake_upload *up, store_id *submission);
/*
 * Also runs fn (s, arg) last in the commit's own transaction (the door's session row: its
 * one-time form token and count, checked against the row's version, app/intake/session.h).
 * A result other than STORE_OK rolls the submission back (fn keeps in arg why).
 */
void intake_upload_on_commit(struct intake_upload *up, store_tx_fn fn, void *arg);
/* Frees the upload; if it was not committed, deletes every blob it wrote. */
void intake_upload_free(struct intake_upload **up);
/* Bytes of file content received so far. */
uint64_t intake_upload_bytes(const struct intake_upload *up);

/*
 * What the source sent, oldest first, at most INTAKE_SENT_MAX: the day and
 * the number of files of each submission, the facts the store keeps in clear
 * (file names are sealed to the organisation, not to the source). fn returns
 * non-zero to stop.
 */
#define INTAKE_SENT_MAX 100
struct intake_sent_view {
	store_id id;
	int32_t day;
	int32_t nfiles;
	int has_message;
};
__attribute__((warn_unused_result)) enum intake_result
intake_sent(struct intake *in, store_id source,
            int (*fn)(void *ctx, const struct intake_sent_view *v), void *ctx);

/* ---- replies ---- */
/*
 * Seals a reply to the source's public key (needs no private key), from the
 * officer `actor` ("officer:NAME"): the reply and its reply.seal ledger entry
 * are committed together.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_reply_seal(struct intake *in, const char *actor, store_id source, const char *text, size_t n,
                  store_id *reply);

/*
 * What a reply is for the EU Whistleblowing Directive's deadlines (core/inbox
 * deadlines): every reply acknowledges what its source sent before; one
 * marked as feedback also gives the feedback. The reply.seal entry says so in
 * its detail ("to source:ID", "to source:ID, feedback", "to source:ID,
 * acknowledgement" for the automatic one), so the ledger proves the day.
 */
enum intake_reply_kind {
	INTAKE_REPLY_PLAIN = 0,
	INTAKE_REPLY_FEEDBACK,
	INTAKE_REPLY_ACK, /* the automatic acknowledgement (actor "system") */
};
/* intake_reply_seal with its kind. */
__attribute__((warn_unused_result)) enum intake_result
intake_reply_seal_kind(struct intake *in, const char *actor, store_id source, const char *text,
                       size_t n, enum intake_reply_kind kind, store_id *reply);

/*
 * intake_reply_seal_kind by the officer of store id author (0: not known, as
 * for the system's acknowledgement). Besides the source's copy, the reply
 * gets a desk copy sealed as the blobs of the source's newest submission are
 * (core/keys/seal.h: to the intake label inside the label of that
 * submission's marking), so officers cleared for the marking re-read it and
 * a change of that marking reseals it (core/registry); none when the source
 * has sent nothing. Both copies, the row and its entry commit together.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_reply_seal_as(struct intake *in, const char *actor, store_id author, store_id source,
                     const char *text, size_t n, enum intake_reply_kind kind, store_id *reply);

struct intake_reply_view {
	store_id id;
	int32_t day;
	const char *text; /* plaintext, NUL-terminated; valid only during the callback */
	size_t len;
};
/*
 * Opens the source's replies with its secret key, newest first; fn returns
 * non-zero to stop. The plaintext is wiped after each callback.
 */
/*
 * The automatic acknowledgement (INTAKE_REPLY_ACK, actor "system") of a
 * source's first submission: sealed to the source like any reply, when the
 * source has exactly one submission; *reply 0 (and INTAKE_OK) otherwise.
 * Its own transaction, after the submission's: a crash between leaves the
 * submission unacknowledged, which report-deadlines shows.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_acknowledge(struct intake *in, store_id source, const char *text, size_t n, store_id *reply);
__attribute__((warn_unused_result)) enum intake_result
intake_replies(struct intake *in, store_id source, const uint8_t sk[static INTAKE_KEY_LEN],
               int (*fn)(void *ctx, const struct intake_reply_view *r), void *ctx);
/*
 * intake_replies also marks what it showed read, on this day. A reply the
 * source deleted is not shown: intake_reply_delete deletes both its copies
 * and keeps the row (the day it was deleted) so the desk can say so.
 */
__attribute__((warn_unused_result)) enum intake_result
intake_reply_delete(struct intake *in, store_id source, store_id reply);

/*
 * The sealed metadata of a file: "cutout-file v1\nsize N\ntype T\nname N\n",
 * with control bytes and '%' percent-encoded. Returns 0 or -1.
 */
__attribute__((warn_unused_result)) int intake_meta_encode(struct buf *out, const char *name,
                                                           const char *type, uint64_t size);
__attribute__((warn_unused_result)) int intake_meta_decode(const uint8_t *p, size_t n, char *name,
                                                           size_t name_cap, char *type,
                                                           size_t type_cap, uint64_t *size);

/*
 * Retention (retention.c): deletes the submissions (with their files) and the
 * replies whose stored day is more than `days` days before `today` (a day
 * number, store_today() but for tests), each with its ledger entry in the
 * same transaction (object.delete submission:ID, or reply.delete reply:ID, by
 * `system`, detail "retention N days"); the sources stay. days 1..36500.
 */
#define INTAKE_RETENTION_MAX 36500
struct intake_retention {
	uint64_t submissions, replies; /* deleted */
};
__attribute__((warn_unused_result)) enum intake_result
intake_retention(struct store *s, int32_t today, uint32_t days, struct intake_retention *out);

#endif
