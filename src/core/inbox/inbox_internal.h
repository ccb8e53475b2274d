/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * inbox_internal: what the files of core/inbox share (inbox.c: the reads;
 * actions.c: downloads, replies, deletion, the desk's marks). Nothing
 * outside core/inbox includes this.
 */
#ifndef CUTOUT_CORE_INBOX_INTERNAL_H
#define CUTOUT_CORE_INBOX_INTERNAL_H

#include "core/access/access.h"
#include "core/inbox/deadline_events.h"
#include "core/inbox/inbox.h"
#include "core/keys/unseal.h"
#include "core/ledger/ledger.h"

struct inbox {
	struct store *s;
	struct registry *reg;
	struct intake *in;
	pthread_mutex_t dl_lock; /* the deadlines' events, read from the ledger once */
	struct dl_events dl;
};

struct inbox_files {
	struct store_file items[INBOX_FILES_MAX];
	size_t n;
};

enum inbox_result inbox_from_store(enum store_result r);
/* who as the access decision's subject: 0, or -1 (unknown or disabled: reads nothing). */
int inbox_subject(struct inbox *ib, const struct officer_key *who, struct access_subject *out);
/* The submission's files, in order (at most INBOX_FILES_MAX). */
enum inbox_result inbox_files(struct inbox *ib, store_id sub, struct inbox_files *out);
/* Opens a file's sealed metadata into out (opened false, empty, when the keys do not). */
int inbox_file_meta(struct inbox *ib, const struct unseal_keys *keys, const struct store_file *f,
                    struct inbox_file *out);
/* The entry of who's action on sub (object.read, object.download), durable: 0 or -1. */
int inbox_log(struct inbox *ib, const struct officer_key *who, enum ledger_action action,
              const struct store_submission *sub, const char *detail);

/*
 * label.c: a source's label, sealed to the intake label's current version.
 * check: 0 if label is a label (at most INBOX_LABEL_MAX bytes of UTF-8, no
 * control character), else -1. seal: "" stays "" (cleared); else the age
 * file's base64 into out. open: replaces a sealed label with its text for
 * who, or with "" when who's keys cannot open it; a label kept before labels
 * were sealed stays as it is.
 */
int inbox_label_check(const char *label);
__attribute__((warn_unused_result)) enum inbox_result
inbox_label_seal(struct store *s, const char *label, char out[static STORE_DESK_LABEL_MAX + 1]);
void inbox_label_open(struct inbox *ib, const struct officer_key *who,
                      char label[static STORE_DESK_LABEL_MAX + 1]);
/*
 * The blind index (label.c): normalise: the label as compared (ASCII letters
 * lowered, spaces at the ends dropped, a run of spaces one); its length.
 * index_current: the index under the intake label's current version, if who
 * holds it (0), else -1 (the label is kept without one). indexes: the
 * indexes under every intake version who holds, newest first, at most max;
 * how many.
 */
size_t inbox_label_normalise(const char *label, char out[static INBOX_LABEL_MAX + 1]);
int inbox_label_index_current(struct inbox *ib, const struct officer_key *who, const char *label,
                              uint8_t out[static STORE_DESK_INDEX_LEN]);
size_t inbox_label_indexes(const struct officer_key *who, const char *label,
                           uint8_t out[][STORE_DESK_INDEX_LEN], size_t max);

#endif
