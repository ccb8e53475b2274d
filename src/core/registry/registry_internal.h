/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * registry_internal: what the files of core/registry share, and nothing
 * outside it includes. The files, one concern each:
 *
 *   registry.c        the registry, subjects, every officer, ledger entries
 *   labels.c          marking labels: creation, rotation, clearance changes
 *   submission.c      submissions under the decision, and their keys
 *   marking_change.c  a submission's marking changed, its blobs sealed anew
 *   report_input.c    a report to write (typed input): checks, caps, draft
 *   report_text.c     a report as text: parse, format, sealed body, tearline
 *   report.c          reports: write, open, circulate
 *   report_list.c     the reports an officer may read
 *   dist.c            distribution lists
 *   sealed.c          bytes sealed to a marking's label for another module
 *
 * Every action that changes the store does it in one store_write
 * (core/store/store.h) with its ledger entries: the crypto (sealing, wrapping
 * label keys) before, and inside the transaction's function only store
 * calls and ledger_record_in.
 */
#ifndef CUTOUT_CORE_REGISTRY_INTERNAL_H
#define CUTOUT_CORE_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/registry/registry.h"
#include "core/store/store_officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"

#define LNAME_MAX (sizeof REGISTRY_LABEL_PREFIX + MARKING_TEXT_MAX + 1)
#define OFFICERS_MAX 1000000
#define MARKINGS_MAX 1000000

struct registry {
	struct store *s;
	struct marking_scheme scheme;
};

/* The message of a refusal into err (may be NULL). */
__attribute__((format(printf, 2, 3))) void reg_say(struct registry_error *err, const char *fmt,
                                                   ...);

/* ---- every officer, for label wrapping and names (registry.c) ---- */

struct off {
	store_id id;
	char name[STORE_OFFICER_NAME_MAX + 1];
	uint8_t pk[32];
	bool usable; /* enabled, with keys */
	struct access_subject subj;
};

struct offs {
	const struct registry *r;
	struct off *v;
	size_t n, cap;
	int failed;
};

/* Every officer as stored now; the caller frees a->v. */
enum registry_result reg_offs_load(struct registry *r, struct offs *a);
const struct off *reg_offs_by_name(const struct offs *a, const char *name);
const char *reg_offs_name(const struct offs *a, store_id id); /* "?" for none */
/* Whether f is an enabled officer with keys whose clearance covers m. */
bool reg_covers(const struct off *f, const struct marking *m);

/* A growing list of ids (readers, lists, members): a store listing callback. */
struct reg_ids {
	int64_t *v;
	size_t n, cap;
	int failed;
};
int reg_ids_push(void *ctx, store_id x);

/* ---- ledger entries (registry.c) ---- */

/* The actor of an entry by `as` (NULL: the instance's admin identity). 0 or -1. */
int reg_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1]);
/*
 * Inside a store_write function: the entry of a registry event about
 * "kind:id", in the transaction (ledger_record_in).
 */
enum store_result reg_log_id_in(struct store *s, enum ledger_action action, const char *actor,
                                const char *kind, int64_t id, const char *marking,
                                const char *detail);

/* ---- label keys (labels.c) ---- */

/*
 * The identity of label lname, version v, for `as`: from the session, else —
 * wrapped to them since their login (a new marking, a rotation) — their wrap
 * in the store opened with their own key (*owned: the caller frees it).
 * NULL if they hold neither.
 */
const struct age_identity *reg_label_identity(const struct registry *r,
                                              const struct officer_key *as, const char *lname,
                                              uint32_t v, struct age_identity **owned);

/* ---- a report as text (report_text.c) ---- */

struct registry_report *reg_report_new(void);
int reg_para_add(struct registry_report *rep, const struct marking *m, const char *text,
                 size_t len);
/* The overall marking: combine of every portion, into rep->marking and marking_text. */
enum registry_result reg_overall(const struct registry *r, struct registry_report *rep,
                                 struct registry_error *err);
/* Printable text (and newlines when multiline). */
bool reg_text_ok(const char *p, size_t n, bool multiline);
/* The plaintext of the sealed body, and back. */
enum registry_result reg_body_encode(const struct registry *r, const struct registry_report *rep,
                                     struct buf *b);
enum registry_result reg_body_decode(const struct registry *r, const uint8_t *p, size_t n,
                                     struct registry_report *rep);

/* ---- a report's row under the decision (report.c) ---- */

struct reg_row {
	struct store_report meta;
	int64_t *readers;
	uint8_t *body;
	int failed;
};

void reg_row_free(struct reg_row *w);
/* Loads report id and asks THE decision for subj. NOT_FOUND for missing or denied. */
enum registry_result reg_report_decided(struct registry *r, const struct access_subject *subj,
                                        store_id id, struct reg_row *w, struct marking *m);

#endif
