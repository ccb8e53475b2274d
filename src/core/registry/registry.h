/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * registry: reports, distribution lists, marking labels and marking changes
 * (issue 5). The rules are docs/internals/rules.md ("Markings", "The
 * access decision"); docs/registry.md tells the whole story.
 *
 * Marking labels. Every canonical marking in use has a label
 * "marking:CANONICAL" (core/keys/label.h): versions of X25519 key pairs, each
 * version's identity wrapped to every enabled officer whose clearance covers
 * the marking (access_clearance_covers). Creating a label needs only public
 * keys. registry_officer_changed() keeps an officer's wraps in step with
 * their clearance: what they now cover and lack is wrapped from the acting
 * session (or, if that session lacks the current version, the label rotates
 * to a new version wrapped to every covering officer); what they no longer
 * cover rotates (a new version for the officers who keep access) and their
 * wraps of it are dropped.
 *
 * Reports. A title and paragraphs, each with a portion marking; the overall
 * marking is the combination of every portion (title included), computed at
 * writing, stored, and checked again at every opening. The title and the
 * paragraphs exist only inside the body, an age file sealed to the current
 * version of the overall marking's label: a listing shows ids, day, author
 * and marking, and only of reports the reader may read. The author must be
 * cleared for the marking, and every cited object's marking must be dominated
 * by it (no write down), else the write is refused with the reason.
 *
 * Access. Every read — listing, opening, citing — builds struct
 * access_subject (the officer's clearance and nationality as stored now) and
 * struct access_object (the marking and the report's distribution) and asks
 * access_decide. Nothing else decides. A forbidden report and a missing one
 * give the same answer, REGISTRY_NOT_FOUND.
 *
 * Distribution. A report's readers: the author, the officers it was
 * circulated to, and the members of the lists it was circulated to, as they
 * were that day. Anyone who may read a report may circulate it further.
 *
 * A report arrives as a typed structure (struct registry_report_input: the
 * title and the paragraphs, each with its portion marking, the citations,
 * the overall marking the author expects), which the desk builds from its
 * form. The CLI reads a file of text (registry_report_parse) into the same
 * structure:
 *
 *   (S) Title of the report
 *
 *   (S//HUMINT) First paragraph, which may run
 *   over several lines.
 *
 *   (O) Second paragraph.
 *
 * The first block is the title; blocks are separated by blank lines; each
 * starts with its portion marking.
 */
#ifndef CUTOUT_CORE_REGISTRY_H
#define CUTOUT_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access/access.h"
#include "core/keys/label.h"
#include "core/marking/marking.h"
#include "core/officer/officer.h"
#include "core/store/store.h"
#include "core/store/store_registry.h"

#define REGISTRY_LABEL_PREFIX LABEL_MARKING_PREFIX
#define REGISTRY_TITLE_MAX 512
#define REGISTRY_PARAS_MAX 1000
#define REGISTRY_TEXT_MAX \
	(512 * 1024)                  /* the whole report: every paragraph's text, title included */
#define REGISTRY_PARA_MAX (64 * 1024) /* bytes of one paragraph's text */
#define REGISTRY_CITES_MAX 256        /* citations of one report */
#define REGISTRY_MSG_MAX 400

enum registry_result {
	REGISTRY_OK = 0,
	REGISTRY_NOT_FOUND,       /* no such object, or not readable: one answer */
	REGISTRY_BAD_INPUT,       /* msg says what */
	REGISTRY_ABOVE_CLEARANCE, /* the marking is above the acting officer's clearance */
	REGISTRY_WRITE_DOWN,      /* a cited object's marking is not dominated: msg says which */
	REGISTRY_NEEDS_REASON,    /* lowering a marking needs a written reason */
	REGISTRY_FORBIDDEN,       /* a role, or the list's owner, is needed */
	REGISTRY_EXISTS,          /* a list of that name exists; a concurrent change */
	REGISTRY_CANNOT_OPEN,     /* the session holds no key of the report's label version */
	REGISTRY_FAILED,          /* store, crypto or memory */
	REGISTRY_FULL, /* the store has no space left: nothing was kept; works again once freed */
};

struct registry_error {
	char msg[REGISTRY_MSG_MAX];
};

const char *registry_strerror(enum registry_result r);

struct registry;
struct buf;

/* The registry over a store and the instance's scheme (copied). */
__attribute__((warn_unused_result)) enum registry_result
registry_new(struct store *s, const struct marking_scheme *scheme, struct registry **out);
void registry_free(struct registry **r);
const struct marking_scheme *registry_scheme(const struct registry *r);
/* The store the registry works on. */
struct store *registry_store(const struct registry *r);

/*
 * The officer as the access decision sees them now (clearance, nationality,
 * roles from the store). REGISTRY_NOT_FOUND for an unknown or disabled
 * officer. An unparsable clearance gives a subject that covers nothing.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_subject(struct registry *r, store_id officer, struct access_subject *out);

/*
 * Whether subj may read a submission: access_decide on its marking, with the
 * holders of the intake role as its distribution. Every door asks it (the
 * desk's inbox, pages, downloads and source actions; cutout inbox).
 */
bool registry_submission_readable(const struct registry *r, const struct access_subject *subj,
                                  const struct store_submission *sub);

/*
 * The keys that open submission sub's blobs for `as` (unseal_blob,
 * core/keys/seal.h): the session's identities for the intake label's layer, and
 * the key of the marking label version it is sealed to, from the session or,
 * when it was wrapped to them since their login, from the store (and so are
 * intake label versions made since the login: a rotation). Ask
 * registry_submission_readable first. Release with unseal_keys_release.
 */
struct unseal_keys;
void registry_submission_keys(const struct registry *r, const struct officer_key *as,
                              const struct store_submission *sub, struct unseal_keys *k);

/* ---- marking labels ---- */

/* "marking:CANONICAL" into out[cap]. 0, or -1 if it does not fit. */
int registry_label_name(const struct registry *r, const struct marking *m, char *out, size_t cap);
/*
 * The current version and public key of m's label, creating version 1 (wrapped
 * to every covering officer) if the marking is new, with its label.rotate
 * entry in the same transaction.
 */
__attribute__((warn_unused_result)) enum registry_result registry_label(struct registry *r,
                                                                        const struct marking *m,
                                                                        uint32_t *version,
                                                                        uint8_t pk[static 32]);
/*
 * Bytes of another module (core/release: a release's secret, its copies'
 * choices) sealed like a report's body: to the current version of m's label
 * (made if new), the age file into out, the version into *version; and opened
 * again for `as`, who must be covered by m (access_clearance_covers, else
 * REGISTRY_NOT_FOUND) and hold that version's key (else REGISTRY_CANNOT_OPEN).
 */
__attribute__((warn_unused_result)) enum registry_result
registry_seal(struct registry *r, const struct marking *m, const uint8_t *p, size_t n,
              struct buf *out, uint32_t *version);
__attribute__((warn_unused_result)) enum registry_result
registry_unseal(struct registry *r, const struct officer_key *as, const struct marking *m,
                uint32_t version, const uint8_t *p, size_t n, struct buf *out);
/*
 * After an officer was added, or their clearance, nationality, state or keys
 * changed: wraps what they now cover from `as` (every version they lack that
 * `as` holds; rotating when neither has the current version) and rotates the
 * labels they no longer cover. The keys are made and wrapped first; then every
 * new version, wrap and revocation, with the clearance.grant,
 * clearance.revoke and label.rotate entries, commits in one transaction.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_officer_changed(struct registry *r, const struct officer_key *as, const char *name);
/*
 * An officer's clearance set (officer_set_clearance, by the admin `as`) and
 * registry_officer_changed's follow-up, in ONE transaction: the change and
 * every wrap, rotation and entry it causes commit together or not at all.
 * REGISTRY_BAD_INPUT for a clearance the instance's scheme cannot parse; *orc
 * is the officer part's result (REGISTRY_FAILED when it is not OFFICER_OK:
 * a refused change, e.g. not an admin).
 */
struct officers;
__attribute__((warn_unused_result)) enum registry_result
registry_officer_clearance(struct registry *r, struct officers *o, const struct officer_key *as,
                           const char *name, const char *clearance, enum officer_result *orc);

/* ---- reports ---- */

struct registry_para {
	struct marking portion;
	char *text; /* NUL-terminated, owned by the report */
	size_t len;
};

struct registry_report {
	store_id id; /* 0 for a draft */
	store_id author;
	int32_t day;
	struct marking marking; /* combine of every portion */
	char marking_text[STORE_MARKING_MAX];
	/* the title is paragraph 0 */
	struct registry_para *paras;
	size_t nparas;
};

void registry_report_free(struct registry_report **rep);

/* ---- a report to write: the typed input ---- */

/* What a report cites (a report's marking must dominate theirs: no write down). */
enum registry_cite_kind { REGISTRY_CITE_SUBMISSION = 1, REGISTRY_CITE_REPORT = 2 };
struct registry_cite {
	enum registry_cite_kind kind;
	store_id id; /* > 0 */
};

/* The title or a paragraph: its portion marking as typed ("S//HUMINT" or
 * "(S//HUMINT)") and its text. Neither needs a NUL; spaces around both are
 * dropped. */
struct registry_input_para {
	const char *portion;
	size_t portion_len;
	const char *text;
	size_t len;
};

/*
 * A report to write. Caps: 1 to REGISTRY_PARAS_MAX paragraphs besides the
 * title, each at most REGISTRY_PARA_MAX bytes, REGISTRY_TEXT_MAX in all, the
 * title one line of at most REGISTRY_TITLE_MAX bytes; at most
 * REGISTRY_CITES_MAX citations. Text is printable (a paragraph may hold
 * newlines, no blank line: the text form separates paragraphs by them).
 */
struct registry_report_input {
	struct registry_input_para title;
	const struct registry_input_para *paras;
	size_t nparas;
	const struct registry_cite *cites;
	size_t ncites;
	const char *declared; /* the overall marking the author expects (checked), or NULL */
};

/*
 * The input checked (caps, text, every portion marking parsed) into a draft
 * with its overall marking computed (what the desk's preview shows). msg says
 * what is wrong, naming the title or paragraph N (1 the first after the
 * title). The citations and the declared marking are checked at writing.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_draft(const struct registry *r, const struct registry_report_input *in,
                      struct registry_report **out, struct registry_error *err);

/*
 * The text form (see above) into in: title and paragraphs point into text,
 * paras[cap] holds them (cap REGISTRY_PARAS_MAX is enough). Only the layout
 * is checked here (every block starts with "(...)"); the rest at
 * registry_report_draft. The citations and declared marking are left empty.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_parse(const char *text, size_t len, struct registry_input_para *paras, size_t cap,
                      struct registry_report_input *in, struct registry_error *err);
/* The report as text (portion markings canonical), into out (a capped buf). */
struct buf;
__attribute__((warn_unused_result)) enum registry_result
registry_report_format(const struct registry *r, const struct registry_report *rep,
                       struct buf *out);

/* "report:N" or "submission:N", a list of them separated by commas or spaces,
 * into cites[cap]; *n of them. BAD_INPUT on a malformed one or more than cap. */
__attribute__((warn_unused_result)) enum registry_result
registry_cites_parse(const char *s, struct registry_cite *cites, size_t cap, size_t *n);

/* What was written: its id and overall marking. */
struct registry_written {
	store_id id;
	char marking[STORE_MARKING_MAX];
};

/*
 * Writes a report as `as` (role analyst): the draft (registry_report_draft),
 * the overall marking equal to in->declared when given, the author's
 * clearance, and for each citation that the author may read it (one the
 * author may not read is refused as a missing one, REGISTRY_NOT_FOUND) and
 * no write down; seals; stores with the author as the first reader, and the
 * report.write entry in the same transaction.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_write(struct registry *r, const struct officer_key *as,
                      const struct registry_report_input *in, struct registry_written *out,
                      struct registry_error *err);

/*
 * registry_report_write in two steps, for a use case that stores reports
 * inside its own transaction (core/liaison's import): prepare makes every
 * check of registry_report_write and seals; insert_in, inside a store_write,
 * stores the report and its report.write entry (it may be called once).
 */
struct registry_prepared;
__attribute__((warn_unused_result)) enum registry_result
registry_report_prepare(struct registry *r, const struct officer_key *as,
                        const struct registry_report_input *in, struct registry_prepared **out,
                        struct registry_error *err);
__attribute__((warn_unused_result)) enum store_result
registry_report_insert_in(struct store *s, const struct registry_prepared *p,
                          struct registry_written *out);
void registry_prepared_free(struct registry_prepared **p);

/*
 * Whether subj may read report id (access_decide with its marking and its
 * whole distribution). False for a missing report: the same answer.
 */
bool registry_report_readable(struct registry *r, const struct access_subject *subj, store_id id);

/* Opens a report for `as`: the decision, then the body with the session's label keys. */
__attribute__((warn_unused_result)) enum registry_result
registry_report_open(struct registry *r, const struct officer_key *as, store_id id,
                     struct registry_report **out);

/*
 * The names of the lists report id was circulated to, for `as`: the same
 * decision as opening it (REGISTRY_NOT_FOUND for a report `as` may not read).
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_lists(struct registry *r, const struct officer_key *as, store_id id,
                      int (*fn)(void *ctx, const char *name), void *ctx);

/* A listed report (metadata only; never the title). */
struct registry_listing {
	store_id id;
	store_id author;
	int32_t day;
	const char *marking; /* canonical */
};

/*
 * The reports `officer` may read, newest first; each one allowed by
 * access_decide. offset/limit page (limit 0: all). *total (may be NULL): how
 * many the officer may read.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_list(struct registry *r, store_id officer, int64_t offset, int64_t limit,
                     int (*fn)(void *ctx, const struct registry_listing *l), void *ctx,
                     int64_t *total);

/*
 * Circulates a report `as` may read to lists (names) and officers (names),
 * with its report.circulate entry in the same transaction. An unknown list or
 * officer: REGISTRY_BAD_INPUT naming it.
 */
__attribute__((warn_unused_result)) enum registry_result
registry_report_circulate(struct registry *r, const struct officer_key *as, store_id id,
                          const char *const *lists, size_t nlists, const char *const *officers,
                          size_t nofficers, struct registry_error *err);

/*
 * The sanitised view: a copy of rep with only the paragraphs target
 * dominates (the title replaced by "[title withheld]" when it is not), its
 * marking recomputed from what is left (target when nothing is left).
 */
__attribute__((warn_unused_result)) enum registry_result
registry_tearline(const struct registry *r, const struct registry_report *rep,
                  const struct marking *target, struct registry_report **out);

/* ---- distribution lists ---- */

/* A new list owned by `as` (analyst or admin). */
__attribute__((warn_unused_result)) enum registry_result
registry_dist_create(struct registry *r, const struct officer_key *as, const char *name,
                     struct registry_error *err);
/* Adds or removes an officer (by name); the list's owner or an admin. */
__attribute__((warn_unused_result)) enum registry_result
registry_dist_member(struct registry *r, const struct officer_key *as, const char *list,
                     const char *officer, bool add, struct registry_error *err);
/* Every list with its owner's and members' names (comma-separated). */
__attribute__((warn_unused_result)) enum registry_result
registry_dist_list(struct registry *r,
                   int (*fn)(void *ctx, const char *name, const char *owner, const char *members),
                   void *ctx);

/* ---- markings of submissions ---- */

/*
 * Sets a submission's marking as `as` (role intake, cleared for both the old
 * and the new marking). Raising (new dominates old) is free; anything else
 * is a downgrade and needs a reason (REGISTRY_NEEDS_REASON). Every change is
 * recorded (actor, day, old, new, reason). This is the one place a
 * submission's marking changes: the ledger entry goes here. Its blobs are
 * sealed anew to the new marking's label (core/keys/seal.h) first; the swap,
 * the recorded change and the entry then commit in one transaction.
 * REGISTRY_CANNOT_OPEN if `as` lacks the key of the present layer. The same
 * marking again reseals only (a submission of one layer gets its outer
 * layer and a submission.reseal entry; no change is recorded).
 */
__attribute__((warn_unused_result)) enum registry_result
registry_submission_mark(struct registry *r, const struct officer_key *as, store_id submission,
                         const char *marking, const char *reason, struct registry_error *err);

#endif
