/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger: every event of the instance as an entry of an append-only RFC 9162
 * Merkle log (lib/merkle.h), with signed checkpoints in the C2SP
 * tlog-checkpoint signed-note form. docs/ledger.md describes the formats.
 *
 * - Entries: one canonical byte string each, "cutout-ledger v1\n" then the
 *   fields index, day, actor, action, object, marking, detail, one line each,
 *   in that order. ledger_entry_encode/ledger_entry_parse are exact inverses;
 *   the parser refuses anything the encoder would not write. Entries carry ids,
 *   an actor, an action and the day only: never secret content, never anything
 *   about a source but its store id.
 * - ledger_append() returns once the entry is durable; appenders of every
 *   thread and process of one store get one order, without gap or duplicate.
 *   Called inside a store_write() transaction, it appends in that
 *   transaction: the action and its entry are durable together or not at all.
 * - Checkpoints are signed by the caller's Ed25519 key (the instance signing
 *   key) and stored; a checkpoint is never signed unless the entries since the
 *   latest stored checkpoint recompute to the new root, and the stored nodes
 *   give the old checkpoint's root (consistency).
 * - ledger_verify() recomputes the whole tree from the entries, checks every
 *   stored hash, the head, and every checkpoint (root and signature), and names
 *   the first bad entry.
 *
 * Thread safety: every function may be called from many threads at once.
 */
#ifndef CUTOUT_CORE_LEDGER_H
#define CUTOUT_CORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"
#include "core/store/store_ledger.h"
#include "lib/buf.h"
#include "lib/merkle.h"

#define LEDGER_ENTRY_MAX STORE_LEDGER_ENTRY_MAX
#define LEDGER_TOKEN_MAX 64    /* actor, object */
#define LEDGER_MARKING_MAX 255 /* a marking, as text */
#define LEDGER_DETAIL_MAX 400  /* bytes of UTF-8 */
#define LEDGER_ORIGIN_MAX 128
#define LEDGER_NOTE_MAX STORE_LEDGER_NOTE_MAX
#define LEDGER_SIG_LEN 64
#define LEDGER_MSG_MAX 256

enum ledger_result {
	LEDGER_OK = 0,
	LEDGER_BAD_INPUT, /* an event or a text that does not follow the format */
	LEDGER_NOT_FOUND, /* no such entry or checkpoint */
	LEDGER_RANGE,     /* index or size out of the ledger */
	LEDGER_TAMPERED,  /* verification failed: see the report */
	LEDGER_REFUSED,   /* a checkpoint that would not be consistent with the stored ones */
	LEDGER_BUSY,
	LEDGER_FAILED, /* store or memory */
};

const char *ledger_strerror(enum ledger_result r);

/* Actions: the names are stable (they are in the entries); new ones go at the end. */
enum ledger_action {
	LEDGER_SOURCE_CREATE,
	LEDGER_SOURCE_DELETE,
	LEDGER_SUBMISSION_SEAL,
	LEDGER_REPLY_SEAL,
	LEDGER_REPLY_DELETE,
	LEDGER_OFFICER_LOGIN,
	LEDGER_OFFICER_LOGOUT,
	LEDGER_OFFICER_LOGIN_FAILED,
	LEDGER_OBJECT_READ,
	LEDGER_OBJECT_DOWNLOAD,
	LEDGER_OBJECT_DELETE,
	LEDGER_MARKING_CHANGE,
	LEDGER_MARKING_DOWNGRADE,
	LEDGER_CLEARANCE_GRANT,
	LEDGER_CLEARANCE_REVOKE,
	LEDGER_LABEL_ROTATE,
	LEDGER_REPORT_CIRCULATE,
	LEDGER_RELEASE_CREATE,
	LEDGER_PARTNER_EXCHANGE,
	LEDGER_OFFICER_ADD,   /* object officer:NAME, marking = the clearance */
	LEDGER_OFFICER_ROLES, /* detail "roles admin,intake" */
	LEDGER_OFFICER_DISABLE,
	LEDGER_OFFICER_ENABLE,
	LEDGER_OFFICER_RESET,     /* new password and keys, TOTP to re-enrol */
	LEDGER_REPORT_WRITE,      /* object report:ID, marking = its overall marking */
	LEDGER_RECOVERY_SET,      /* the offline recovery key configured; detail its recipient */
	LEDGER_RECOVERY_CLEAR,    /* no recovery key any more */
	LEDGER_LABEL_RECOVER,     /* label keys wrapped again to officer:NAME by the recovery key */
	LEDGER_SUBMISSION_RESEAL, /* its layer sealed to its marking's label added
	                             (core/keys/seal.h) */
	LEDGER_RECIPIENT_ADD,     /* an outside recipient (core/release) */
	LEDGER_RECIPIENT_DISABLE,
	LEDGER_RELEASE_PROPOSE, /* object release:ID, marking = the version released */
	LEDGER_RELEASE_APPROVE, /* by a second releasing officer; the copies are made */
	LEDGER_RELEASE_REFUSE,  /* detail the reason */
	LEDGER_RELEASE_DELIVER, /* a copy exported; detail recipient, copy, form */
	LEDGER_RELEASE_TRACE,   /* a leaked text traced; detail the result */
	LEDGER_PARTNER_ADD,     /* a partner service and its agreement (core/liaison) */
	LEDGER_PARTNER_DISABLE,
	LEDGER_REPORT_TOPICS,    /* object report:ID, detail the topics */
	LEDGER_LIAISON_EXPORT,   /* a bundle sent: object partner:ID, detail seq, counts, hash */
	LEDGER_LIAISON_SEND,     /* a report in it: object report:ID, detail the partner, seq */
	LEDGER_LIAISON_WITHHOLD, /* a report kept back from it, detail the reason */
	LEDGER_LIAISON_IMPORT,   /* a bundle received: object partner:ID, detail seq, counts */
	LEDGER_LIAISON_RECEIVE,  /* a report received: object report:ID (local), detail origin */
	LEDGER_LIAISON_REFUSE,   /* a bundle or a report refused on import, detail the reason */
	LEDGER_LIAISON_WITHHELD, /* what the partner says it withheld, detail its reason */
	LEDGER_OBJECT_CONVERT,   /* a file's safe copy made (core/safeview); detail file, pages,
	                            outcome */
	LEDGER_LIAISON_RECEIPT,  /* a partner's signed receipt of a bundle sent: object
	                            partner:ID (or report:ID, one it refused), detail counts */
	LEDGER_WITNESS_ADD,      /* a partner's log to witness: object log:ID, detail its origin */
	LEDGER_WITNESS_COSIGN,   /* a checkpoint of it cosigned: object log:ID, detail origin,
	                            size, root (core/witness) */
	LEDGER_WITNESS_CONFLICT, /* a split view refused: object conflict:ID, detail origin, sizes,
	                            both roots (the two notes kept as evidence) */
	LEDGER_LIAISON_REFUSALS, /* requests the liaison door refused in a minute: detail the count
	                            (one summary entry, never one per request) */
	LEDGER_DIGEST_SENT,      /* `cutout digest` told officer:NAME; detail "through entry N"
	                            (core/inbox/digest.h): no count, no content */
	LEDGER_LIAISON_KEY,      /* a new liaison key (core/liaison/liaison_key.c): detail its
	                            verifier key and age recipient */
	LEDGER_OBJECT_MARK_READ, /* the desk marked submission:ID read (nothing opened; marking =
	                            its marking) (core/inbox/bulk.c) */
	LEDGER_OBJECT_MARK_UNREAD,      /* the desk marked submission:ID unread again */
	LEDGER_LIAISON_CONSENT,         /* the originator's consent to re-release a report sent to a
	                                   partner: object report:ID, detail partner, country */
	LEDGER_LIAISON_CONSENT_RECEIVE, /* a partner's consent for a report received from it:
	                                   object report:ID (local), detail partner, country */
	LEDGER_ACTION_COUNT
};

/* "source.create", ...; NULL for a value out of range. */
const char *ledger_action_name(enum ledger_action a);
/* 0 and *out set if name (n bytes) is an action's name, else -1. */
__attribute__((warn_unused_result)) int ledger_action_parse(const char *name, size_t n,
                                                            enum ledger_action *out);

/*
 * An event to append. actor: "kind" or "kind:name" ("source:12",
 * "officer:alice", "admin", "system"); kind [a-z]{1,16}, name
 * [A-Za-z0-9._@-]+, at most LEDGER_TOKEN_MAX bytes in all. object: the same
 * form ("submission:12"), or NULL/"" for none. marking: printable ASCII, or
 * NULL/"". detail: UTF-8 without control characters, at most
 * LEDGER_DETAIL_MAX bytes (e.g. a downgrade's reason), or NULL/"". Non-empty
 * values neither start nor end with a space. day: days since 1970-01-01, or 0
 * for today.
 */
struct ledger_event {
	int32_t day;
	enum ledger_action action;
	const char *actor;
	const char *object;
	const char *marking;
	const char *detail;
};

/* An entry, parsed. */
struct ledger_entry {
	uint64_t index;
	int32_t day;
	enum ledger_action action;
	char actor[LEDGER_TOKEN_MAX + 1];
	char object[LEDGER_TOKEN_MAX + 1];
	char marking[LEDGER_MARKING_MAX + 1];
	char detail[LEDGER_DETAIL_MAX + 1];
};

/* The entry's bytes; *len set. LEDGER_BAD_INPUT if the event breaks the format. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_entry_encode(const struct ledger_event *ev, uint64_t index, int32_t day,
                    uint8_t out[static LEDGER_ENTRY_MAX], size_t *len);
/* Strict: LEDGER_OK only for bytes ledger_entry_encode would write. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_entry_parse(const uint8_t *p, size_t n, struct ledger_entry *out);

/* ---- the log ---- */

__attribute__((warn_unused_result)) enum ledger_result
ledger_append(struct store *s, const struct ledger_event *ev, uint64_t *index);
/* ledger_append of one event from its fields, when the caller does not need the index. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_record(struct store *s, enum ledger_action action, const char *actor, const char *object,
              const char *marking, const char *detail);
/*
 * Inside a store_write function (core/store/store.h): appends one event in
 * that transaction, so that it commits with the action or not at all. Returns
 * a store result for the function to return: STORE_OK, STORE_REFUSED for an
 * event that breaks the format, STORE_CORRUPT outside a transaction or for a
 * damaged ledger, else the store's failure. (ledger_append and ledger_record
 * also join a transaction they are called in.)
 */
__attribute__((warn_unused_result)) enum store_result
ledger_record_in(struct store *s, enum ledger_action action, const char *actor, const char *object,
                 const char *marking, const char *detail);
/* n events in one durable transaction, consecutive indexes from *first. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_append_batch(struct store *s, const struct ledger_event *ev, size_t n, uint64_t *first);

__attribute__((warn_unused_result)) enum ledger_result ledger_size(struct store *s, uint64_t *size);
/* Entry `index` as stored (cap LEDGER_ENTRY_MAX). */
__attribute__((warn_unused_result)) enum ledger_result
ledger_entry(struct store *s, uint64_t index, uint8_t out[static LEDGER_ENTRY_MAX], size_t *len);
/* Calls fn for entries [from, to) in order (the stored bytes); fn returns non-zero to stop. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_entries(struct store *s, uint64_t from, uint64_t to,
               int (*fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len), void *ctx);
/* The root of the first `size` entries (size <= ledger size). */
__attribute__((warn_unused_result)) enum ledger_result
ledger_root(struct store *s, uint64_t size, uint8_t root[static MERKLE_HASH_LEN]);

/* Inclusion proof of entry index in the tree of size entries; root of that tree. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_prove_inclusion(struct store *s, uint64_t index, uint64_t size,
                       uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *n,
                       uint8_t root[static MERKLE_HASH_LEN]);
/*
 * The same, with entry `index` itself (as ledger_entry), all read from one
 * snapshot of the store.
 */
__attribute__((warn_unused_result)) enum ledger_result
ledger_prove_entry(struct store *s, uint64_t index, uint64_t size,
                   uint8_t entry[static LEDGER_ENTRY_MAX], size_t *len,
                   uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *n,
                   uint8_t root[static MERKLE_HASH_LEN]);
/* Consistency proof between sizes old < new (0 < old <= new <= ledger size), and both roots. */
__attribute__((warn_unused_result)) enum ledger_result
ledger_prove_consistency(struct store *s, uint64_t old_size, uint64_t new_size,
                         uint8_t proof[static MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *n,
                         uint8_t old_root[static MERKLE_HASH_LEN],
                         uint8_t new_root[static MERKLE_HASH_LEN]);

/* ---- checkpoints (C2SP tlog-checkpoint, signed note) ---- */

struct ledger_checkpoint {
	char origin[LEDGER_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
};

/* "<slug of organisation>/cutout-ledger": lower-case letters, digits and '-'. */
void ledger_origin(const char *organisation, char out[static LEDGER_ORIGIN_MAX + 1]);
/*
 * Strict standard base64 of at most cap (<= 128) bytes into out (*len set):
 * whole, padded, and canonical (its re-encoding is the same text). 0 or -1.
 */
__attribute__((warn_unused_result)) int ledger_b64_strict(const char *s, size_t n, uint8_t *out,
                                                          size_t cap, size_t *len);

/* C2SP signed-note key types: an Ed25519 signer (checkpoints), a cosignature/v1 witness. */
#define LEDGER_KEY_ED25519 0x01
#define LEDGER_KEY_COSIGNATURE 0x04
/* The C2SP key id: SHA-256(name || 0x0A || 0x01 || pk)[:4]. */
void ledger_key_id(const char *name, const uint8_t pk[static 32], uint8_t id[static 4]);
/* The same for a key of type `type` (LEDGER_KEY_*). */
void ledger_key_id_typed(const char *name, uint8_t type, const uint8_t pk[static 32],
                         uint8_t id[static 4]);
/* ledger_vkey and ledger_vkey_parse for a key of type `type` (core/witness: cosignature). */
__attribute__((warn_unused_result)) int
ledger_vkey_typed(const char *name, uint8_t type, const uint8_t pk[static 32], struct buf *out);
__attribute__((warn_unused_result)) int
ledger_vkey_parse_typed(const char *text, size_t n, uint8_t type,
                        char name[static LEDGER_ORIGIN_MAX + 1], uint8_t pk[static 32]);
/* The verifier key "name+hex(id)+base64(0x01 || pk)" (note's vkey form). */
__attribute__((warn_unused_result)) int ledger_vkey(const char *name, const uint8_t pk[static 32],
                                                    struct buf *out);

/*
 * The reverse of ledger_vkey (text[0..n), no newline): the key's name and
 * public key, the key id checked. 0 or -1.
 */
__attribute__((warn_unused_result)) int ledger_vkey_parse(const char *text, size_t n,
                                                          char name[static LEDGER_ORIGIN_MAX + 1],
                                                          uint8_t pk[static 32]);
/*
 * Appends one signed-note signature line over msg[0..n): "— name
 * base64(key id || Ed25519 signature)\n", sk as libsodium keeps it. 0 or -1.
 */
__attribute__((warn_unused_result)) int ledger_note_sign(const char *name,
                                                         const uint8_t sk[static 64],
                                                         const uint8_t *msg, size_t n,
                                                         struct buf *out);
/*
 * Checks one such line (line[0..n), its newline included) by key `name` and
 * pk over msg: LEDGER_OK, LEDGER_BAD_INPUT for a malformed line or another
 * name, LEDGER_TAMPERED for another key or a bad signature.
 */
__attribute__((warn_unused_result)) enum ledger_result
ledger_note_verify(const char *line, size_t n, const char *name, const uint8_t pk[static 32],
                   const uint8_t *msg, size_t mlen);

/* The note's body: "origin\nsize\nbase64(root)\n". */
__attribute__((warn_unused_result)) enum ledger_result
ledger_checkpoint_body(const struct ledger_checkpoint *cp, struct buf *out);
/*
 * Parses a signed checkpoint note (text, blank line, signature lines) and
 * checks that one signature line by key `name` (NULL: the origin) with the key
 * id of pk verifies with pk. LEDGER_BAD_INPUT for a malformed note,
 * LEDGER_TAMPERED if no such valid signature is there. cp gets the body.
 */
__attribute__((warn_unused_result)) enum ledger_result
ledger_checkpoint_open(const uint8_t *note, size_t n, const char *name, const uint8_t pk[static 32],
                       struct ledger_checkpoint *cp);
/* Parses a checkpoint note's body and signature syntax only (no key). */
__attribute__((warn_unused_result)) enum ledger_result
ledger_checkpoint_parse(const uint8_t *note, size_t n, struct ledger_checkpoint *cp);

/*
 * Signs a checkpoint of the ledger's current size with sk (Ed25519, 64 bytes
 * as libsodium keeps it) under origin (also the key name), after checking it
 * against the latest stored checkpoint (same origin, consistent, the entries
 * since then recompute to the new root), stores it and writes the note to
 * out. A checkpoint of the same size is returned as it is. LEDGER_REFUSED
 * (and msg) when the check fails.
 */
__attribute__((warn_unused_result)) enum ledger_result
ledger_checkpoint_sign(struct store *s, const char *origin, const uint8_t sk[static 64],
                       struct buf *out, char msg[static LEDGER_MSG_MAX]);
/* The latest stored checkpoint note; LEDGER_NOT_FOUND if there is none. */
__attribute__((warn_unused_result)) enum ledger_result ledger_checkpoint_latest(struct store *s,
                                                                                struct buf *out);

/* ---- verification ---- */

struct ledger_verify_report {
	uint64_t size;        /* entries checked (the head's size) */
	uint64_t checkpoints; /* checkpoints checked */
	bool bad_entry;       /* bad_index names the first bad entry */
	uint64_t bad_index;
	bool bad_checkpoint; /* bad_cp_size names the first bad checkpoint */
	uint64_t bad_cp_size;
	char msg[LEDGER_MSG_MAX];
};

/*
 * Recomputes everything; with pk (NULL: signatures not checked) checks every
 * checkpoint's signature. LEDGER_OK, or LEDGER_TAMPERED with the report
 * saying what and where.
 */
__attribute__((warn_unused_result)) enum ledger_result
ledger_verify(struct store *s, const uint8_t *pk, struct ledger_verify_report *rep);

/* ---- proofs as text (for people outside; docs/ledger.md) ---- */

/*
 * "cutout-ledger proof v1\ninclusion INDEX SIZE\nentry BASE64\n" + one base64
 * hash per line; or "...\nconsistency OLD NEW\n" + hashes.
 */
struct ledger_proof {
	bool inclusion; /* else consistency */
	uint64_t a, b;  /* index and size, or old and new size */
	uint8_t entry[LEDGER_ENTRY_MAX];
	size_t entry_len;
	uint8_t hashes[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	size_t n;
};
__attribute__((warn_unused_result)) enum ledger_result
ledger_proof_format(const struct ledger_proof *p, struct buf *out);
__attribute__((warn_unused_result)) enum ledger_result
ledger_proof_parse(const uint8_t *text, size_t n, struct ledger_proof *p);

#endif
