/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * witness: this instance as a witness of partners' ledgers (C2SP
 * tlog-witness, c2sp.org/tlog-witness; issue 14 §3), and the cosignatures
 * (C2SP tlog-cosignature, Ed25519 `cosignature/v1`) it returns and that our
 * own checkpoints collect. docs/ledger.md, "Witnessing", describes it all.
 *
 * - The witness key is derived from the instance's signing key (the seed
 *   through crypto_kdf, context "cutwitns", id 1): no new secret file; it is
 *   opened as the signing key is (the admin identity) and wiped after. Its
 *   name is "<slug of organisation>/cutout-witness", its verifier key
 *   "name+hex(id)+base64(0x04 || pk)" (id over 0x04, the cosignature type).
 * - witness_add_checkpoint() is the add-checkpoint call: one function from
 *   the request body to (HTTP status, body), for the CLI and any door. It
 *   checks, in the spec's order, inside ONE store transaction: a malformed
 *   request 400, unknown origin 404, no valid signature by the log's key
 *   403, old size above the checkpoint's 400, old size other than the size
 *   last cosigned 409 (body: that size and a newline), a bad consistency
 *   proof 422, the same size with another root 409; then it stores the new
 *   state, writes the `witness.cosign` entry and answers 200 with the
 *   cosignature line. A 422, and a same-size other root, is a split view:
 *   recorded as a conflict with both notes and a `witness.conflict` entry, in
 *   that transaction, before the refusal is answered.
 * - The cosignature's timestamp is the current second (the spec's unit),
 *   not the start of the day: docs/ledger.md explains why.
 */
#ifndef CUTOUT_CORE_WITNESS_H
#define CUTOUT_CORE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ledger/ledger.h"
#include "core/store/store.h"
#include "core/store/store_witness.h"
#include "lib/buf.h"
#include "lib/merkle.h"

#define WITNESS_PROOF_MAX 63 /* consistency proof lines a request may hold (the spec's) */
#define WITNESS_LINE_MAX 512 /* one cosignature line */
/* A request: "old N\n", the proof lines, a blank line, a note. */
#define WITNESS_REQUEST_MAX (32 + WITNESS_PROOF_MAX * 45 + 1 + LEDGER_NOTE_MAX)
#define WITNESS_MSG_MAX 256

/* The request of add-checkpoint, parsed; note points into the body. */
struct witness_request {
	uint64_t old_size;
	uint8_t proof[WITNESS_PROOF_MAX][MERKLE_HASH_LEN];
	size_t nproof;
	const uint8_t *note;
	size_t note_len;
};

/*
 * Strict: "old N" (decimal, no leading zero), then 0..63 lines of one
 * standard base64 SHA-256 hash each, then an empty line, then the rest is the
 * note (not checked here). 0, or -1 for anything else (a 400).
 */
__attribute__((warn_unused_result)) int witness_request_parse(const uint8_t *body, size_t n,
                                                              struct witness_request *out);
/* The reverse: a request for note with that proof. 0 or -1. */
__attribute__((warn_unused_result)) int
witness_request_format(uint64_t old_size, const uint8_t (*proof)[MERKLE_HASH_LEN], size_t n,
                       const uint8_t *note, size_t note_len, struct buf *out);

/* ---- the key and the cosignatures (witness_note.c) ---- */

/* The witness key pair from the instance's Ed25519 secret key (libsodium's 64 bytes). */
__attribute__((warn_unused_result)) int witness_key_derive(const uint8_t signing_sk[static 64],
                                                           uint8_t sk[static 64]);
/* "<slug of organisation>/cutout-witness". */
void witness_name(const char *organisation, char out[static LEDGER_ORIGIN_MAX + 1]);
/* SHA-256(name || 0x0A || 0x04 || pk)[:4]. */
void witness_key_id(const char *name, const uint8_t pk[static 32], uint8_t id[static 4]);
/* "name+hex(id)+base64(0x04 || pk)". 0 or -1. */
__attribute__((warn_unused_result)) int witness_vkey(const char *name, const uint8_t pk[static 32],
                                                     struct buf *out);
/* The reverse (key id checked). 0 or -1. */
__attribute__((warn_unused_result)) int witness_vkey_parse(const char *text, size_t n,
                                                           char name[static LEDGER_ORIGIN_MAX + 1],
                                                           uint8_t pk[static 32]);
/*
 * Appends the cosignature line "— name base64(id || u64be(time) ||
 * Ed25519(cosignature/v1\ntime T\n || body))\n" of the checkpoint cp. 0 or -1.
 */
__attribute__((warn_unused_result)) int witness_cosign(const char *name,
                                                       const uint8_t sk[static 64],
                                                       const struct ledger_checkpoint *cp,
                                                       uint64_t time, struct buf *out);
/*
 * Checks one cosignature line (its newline included) by key (name, pk) on
 * cp: LEDGER_OK and *time; LEDGER_BAD_INPUT for another name or a malformed
 * line; LEDGER_TAMPERED for another key or a bad signature.
 */
__attribute__((warn_unused_result)) enum ledger_result
witness_cosig_verify(const char *line, size_t n, const char *name, const uint8_t pk[static 32],
                     const struct ledger_checkpoint *cp, uint64_t *time);
/*
 * Counts the witnesses of vkeys[0..nkeys) (verifier keys as text) with a
 * valid cosignature line in note (a checkpoint note, its signatures after the
 * blank line): each key counts once. -1 for a malformed note or key, else 0
 * and *valid.
 */
__attribute__((warn_unused_result)) int
witness_count(const uint8_t *note, size_t n, const char *const *vkeys, size_t nkeys, size_t *valid);

/* ---- the witness (witness.c) ---- */

/*
 * add-checkpoint (the spec's HTTP call): body[0..n) in, the status and the
 * answer's body out (the cosignature line on 200; the size and a newline on
 * a 409 of the old size; a short reason otherwise). name and sk: the witness
 * key; now: the cosignature's time (seconds). Never fails otherwise: a store
 * failure is 503.
 */
int witness_add_checkpoint(struct store *s, const char *name, const uint8_t sk[static 64],
                           const uint8_t *body, size_t n, uint64_t now, struct buf *out);

enum witness_result {
	WITNESS_OK = 0,
	WITNESS_BAD_INPUT, /* msg says what */
	WITNESS_EXISTS,
	WITNESS_FAILED,
};
/*
 * Adds a partner's log to witness: its verifier key (the C2SP note form of
 * our checkpoints); the origin is the key's name. `witness.add` entry by
 * actor in the same transaction.
 */
__attribute__((warn_unused_result)) enum witness_result
witness_log_add(struct store *s, const char *actor, const char *vkey,
                char msg[static WITNESS_MSG_MAX]);

/* The logs witnessed and the conflicts caught, in order (store_witness.h); a store result. */
__attribute__((warn_unused_result)) enum store_result
witness_logs(struct store *s, int (*fn)(void *ctx, const struct store_witness_log *l), void *ctx);
__attribute__((warn_unused_result)) enum store_result
witness_conflicts(struct store *s, int (*fn)(void *ctx, const struct store_witness_conflict *c),
                  void *ctx);

/* ---- our own checkpoints' cosignatures (the log's side) ---- */

/*
 * Keeps a cosignature line (its newline included) of our checkpoint cp by
 * the witness `name`, once checked with its key (witness_cosig_verify).
 * STORE_OK, STORE_EXISTS (that witness has one for that size), or a failure.
 */
__attribute__((warn_unused_result)) enum store_result
witness_cosig_keep(struct store *s, const struct ledger_checkpoint *cp, const char *name,
                   const uint8_t pk[static 32], const char *line, size_t n);
/* The latest checkpoint note with the cosignatures kept for it appended. 0 or -1. */
__attribute__((warn_unused_result)) int witness_cosigned_latest(struct store *s, struct buf *note);
/* Calls fn with the liaison URL of each partner not disabled that has one. A store result. */
__attribute__((warn_unused_result)) enum store_result
witness_partner_urls(struct store *s, int (*fn)(void *ctx, const char *url), void *ctx);

#endif
