/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_witness: the store domain of witnessing (C2SP tlog-witness; issue 14
 * §3; core/witness/). One pointer, `witness`, in struct store_backend, NULL
 * for a backend without it (the front then answers STORE_UNSUPPORTED). It
 * holds:
 *
 *   logs         a partner's log this instance witnesses: its origin
 *                (unique), the partner's verifier key (C2SP note form), the
 *                size and root hash of the latest checkpoint cosigned (0 and
 *                zeros before the first) and that checkpoint's note
 *   conflicts    a split view caught: the log, the size, the checkpoint held
 *                (cosigned before) and the one offered that contradicts it,
 *                both as the signed notes (the evidence)
 *   cosignatures the cosignature lines collected for this instance's own
 *                checkpoints (by tree size), one per witness name
 *
 * Only rows: what may be cosigned is core's (core/witness/witness.c), which
 * reads and advances a log inside one store_write (check and persist
 * atomically, as the spec asks). Orders: logs by origin, conflicts by id.
 */
#ifndef CUTOUT_CORE_STORE_WITNESS_H
#define CUTOUT_CORE_STORE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_WITNESS_ORIGIN_MAX 128 /* LEDGER_ORIGIN_MAX */
#define STORE_WITNESS_KEY_MAX 256    /* a verifier key as text */
#define STORE_WITNESS_NOTE_MAX 4096  /* a checkpoint note (STORE_LEDGER_NOTE_MAX) */
#define STORE_WITNESS_LINE_MAX 512   /* one cosignature line */
#define STORE_WITNESS_HASH_LEN 32

struct store_witness_log {
	store_id id;
	char origin[STORE_WITNESS_ORIGIN_MAX + 1];
	char vkey[STORE_WITNESS_KEY_MAX + 1];
	uint64_t size; /* latest cosigned; 0: none yet */
	uint8_t root[STORE_WITNESS_HASH_LEN];
	int32_t day; /* of the latest cosignature (0: none), or of the log's addition */
	char note[STORE_WITNESS_NOTE_MAX + 1]; /* the latest cosigned checkpoint, "" for none */
};

struct store_witness_conflict {
	store_id id;
	store_id log;
	uint64_t size; /* the offered checkpoint's */
	int32_t day;
	char held[STORE_WITNESS_NOTE_MAX + 1];    /* the checkpoint cosigned before */
	char offered[STORE_WITNESS_NOTE_MAX + 1]; /* the one that contradicts it */
};

struct store_witness_ops {
	/* A new log to witness (size 0); STORE_EXISTS for a known origin. */
	enum store_result (*log_add)(struct store *s, const char *origin, const char *vkey,
	                             int32_t day, store_id *id);
	enum store_result (*log_get)(struct store *s, const char *origin,
	                             struct store_witness_log *out);
	enum store_result (*logs)(struct store *s,
	                          int (*fn)(void *ctx, const struct store_witness_log *l),
	                          void *ctx);
	/*
	 * Inside store_write: the log's latest cosigned checkpoint becomes
	 * (size, root, note, day), only if its stored size is still old_size
	 * (else STORE_EXISTS; STORE_NOT_FOUND for no such log).
	 */
	enum store_result (*log_advance)(struct store *s, store_id log, uint64_t old_size,
	                                 uint64_t size, const uint8_t root[STORE_WITNESS_HASH_LEN],
	                                 const char *note, int32_t day);
	enum store_result (*conflict_add)(struct store *s, const struct store_witness_conflict *c,
	                                  store_id *id);
	enum store_result (*conflicts)(struct store *s,
	                               int (*fn)(void *ctx, const struct store_witness_conflict *c),
	                               void *ctx);
	/* A cosignature line for our checkpoint of `size`; STORE_EXISTS if that witness has one. */
	enum store_result (*cosig_add)(struct store *s, uint64_t size, const char *witness,
	                               const char *line);
	enum store_result (*cosigs)(struct store *s, uint64_t size,
	                            int (*fn)(void *ctx, const char *witness, const char *line),
	                            void *ctx);
};

/* The front: arguments checked once, for every backend (store.h's rules). */
__attribute__((warn_unused_result)) enum store_result
store_witness_log_add(struct store *s, const char *origin, const char *vkey, int32_t day,
                      store_id *id);
__attribute__((warn_unused_result)) enum store_result
store_witness_log_get(struct store *s, const char *origin, struct store_witness_log *out);
__attribute__((warn_unused_result)) enum store_result
store_witness_logs(struct store *s, int (*fn)(void *ctx, const struct store_witness_log *l),
                   void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_witness_log_advance(struct store *s, store_id log, uint64_t old_size, uint64_t size,
                          const uint8_t root[static STORE_WITNESS_HASH_LEN], const char *note,
                          int32_t day);
__attribute__((warn_unused_result)) enum store_result
store_witness_conflict_add(struct store *s, const struct store_witness_conflict *c, store_id *id);
__attribute__((warn_unused_result)) enum store_result
store_witness_conflicts(struct store *s,
                        int (*fn)(void *ctx, const struct store_witness_conflict *c), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_witness_cosig_add(struct store *s, uint64_t size, const char *witness, const char *line);
__attribute__((warn_unused_result)) enum store_result
store_witness_cosigs(struct store *s, uint64_t size,
                     int (*fn)(void *ctx, const char *witness, const char *line), void *ctx);

#endif
