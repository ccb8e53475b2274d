/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_session: the doors' sessions in the store, so that a request
 * reaching any node of a shared database finds its session (issue 15 §2).
 *
 * A row is opaque to the store: the keyed hash of the session's token (the
 * id; never the token), the kind of door (intake or desk), the owner (the
 * source's or officer's id, for "end every session of X"), the second after
 * which it is dead (seconds since 1970, UTC, which the door rounds down to a
 * coarse step: a session's idle timeout needs a finer time than the day; the
 * row is deleted when it dies), a version (bumped by every put: a put
 * names the version it read, so two nodes changing one session at once cannot lose each other's
 * change) and the data, which the door seals under a key derived from the token before it gets
 * here. The intake's sessions live here (app/intake/session_store.c, through
 * core/session/session_rows.h), and the desk's (app/desk/desk_session.c).
 *
 * A dead row (expires before now) is never given back: get deletes it,
 * and add deletes every dead row of its kind before it counts. add refuses
 * with STORE_FULL when max live rows of the kind exist, so the table stays
 * bounded across every node. Session writes need not survive a crash (a
 * session lost is a login again): backends may commit them without waiting
 * for the disk; a delete is durable.
 *
 * One pointer `session` in struct store_backend, NULL for a backend without
 * it: the front then answers STORE_UNSUPPORTED.
 */
#ifndef CUTOUT_CORE_STORE_SESSION_H
#define CUTOUT_CORE_STORE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_SESSION_ID_LEN 32
#define STORE_SESSION_DATA_MAX 4096
#define STORE_SESSION_MAX (1 << 22) /* max of store_session_add */

enum store_session_kind { STORE_SESSION_INTAKE = 1, STORE_SESSION_DESK = 2 };

struct store_session {
	uint8_t id[STORE_SESSION_ID_LEN];
	int32_t kind;    /* enum store_session_kind */
	store_id owner;  /* > 0 */
	int64_t expires; /* seconds since 1970-01-01 UTC: dead after this one */
	int64_t version; /* set by the store: 1 at add, +1 at each put */
	size_t len;      /* 1..STORE_SESSION_DATA_MAX */
	uint8_t data[STORE_SESSION_DATA_MAX];
};

struct store_session_ops {
	/*
	 * Deletes the dead rows of in->kind (expires < now), then adds in
	 * (version 1) unless max live rows of the kind exist (STORE_FULL).
	 * STORE_EXISTS if the id is taken.
	 */
	enum store_result (*session_add)(struct store *s, const struct store_session *in,
	                                 int64_t now, int64_t max);
	/* The live row of (kind, id); a dead one is deleted and STORE_NOT_FOUND. */
	enum store_result (*session_get)(struct store *s, int32_t kind, const uint8_t id[32],
	                                 int64_t now, struct store_session *out);
	/*
	 * Replaces expires and data of (in->kind, in->id) if its version is still
	 * in->version (then version + 1): STORE_EXISTS if it changed meanwhile,
	 * STORE_NOT_FOUND if it is gone.
	 */
	enum store_result (*session_put)(struct store *s, const struct store_session *in);
	enum store_result (*session_delete)(struct store *s, int32_t kind, const uint8_t id[32]);
	/* Deletes every row of (kind, owner); *n how many. */
	enum store_result (*session_delete_owner)(struct store *s, int32_t kind, store_id owner,
	                                          int64_t *n);
	/* Deletes the dead rows of kind, then counts the live ones. */
	enum store_result (*session_count)(struct store *s, int32_t kind, int64_t now, int64_t *n);
};

/*
 * The front: arguments checked once (a kind not of the enum, an owner <= 0:
 * STORE_NOT_FOUND; len 0 or over STORE_SESSION_DATA_MAX, max out of
 * 1..STORE_SESSION_MAX: STORE_TOO_LARGE), out-parameters zeroed on failure.
 */
__attribute__((warn_unused_result)) enum store_result
store_session_add(struct store *s, const struct store_session *in, int64_t now, int64_t max);
__attribute__((warn_unused_result)) enum store_result
store_session_get(struct store *s, int32_t kind, const uint8_t id[static 32], int64_t now,
                  struct store_session *out);
__attribute__((warn_unused_result)) enum store_result
store_session_put(struct store *s, const struct store_session *in);
enum store_result store_session_delete(struct store *s, int32_t kind, const uint8_t id[static 32]);
enum store_result store_session_delete_owner(struct store *s, int32_t kind, store_id owner,
                                             int64_t *n);
__attribute__((warn_unused_result)) enum store_result
store_session_count(struct store *s, int32_t kind, int64_t now, int64_t *n);

#endif
