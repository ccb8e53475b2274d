/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session_rows: the doors' sessions kept in the store (core/store/store_session.h), so that
 * every node of a shared database finds them, given to the doors (app/intake/session_store.c)
 * without their including a store header. A row is opaque here: the door's keyed hash of the
 * token as its id, and its data sealed under a key derived from the token.
 *
 * Every call takes the store it runs on: the door's, or the one a transaction hands to its
 * function (store_tx_fn), which the call then joins (a submission writes its session's row
 * in its own transaction). Thread safe (the store is).
 */
#ifndef CUTOUT_CORE_SESSION_ROWS_H
#define CUTOUT_CORE_SESSION_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define SESSION_ROW_MAX 4096 /* bytes of a row's data (STORE_SESSION_DATA_MAX) */

enum session_kind { SESSION_KIND_INTAKE = 1, SESSION_KIND_DESK = 2 };

struct session_row {
	int64_t owner;   /* the source's or officer's id, > 0 */
	int64_t expires; /* seconds since 1970 (UTC), rounded by the door: dead after it */
	int64_t version; /* the store's: 1 at add, +1 at each put; what a put names */
	size_t len;      /* 1..SESSION_ROW_MAX */
	uint8_t data[SESSION_ROW_MAX];
};

/* Seconds since 1970 (UTC), the clock expiries are compared with. */
int64_t session_rows_now(void);
/*
 * A session's exact expiry for an idle timeout of idle seconds: now + idle rounded DOWN to a
 * step of idle/4 seconds (at least 1, at most 60), so that a session never outlives its
 * timeout (it may end up to a step early) and its row is not written at every request. The
 * door seals it inside the row; the store sees only session_rows_day_end of it.
 */
int64_t session_rows_expiry(uint64_t idle);
/* The end of the day (UTC) of expires: a row's expiry as the store sees it. */
int64_t session_rows_day_end(int64_t expires);
/* Adds a row (version 1) unless max live rows of the kind exist (STORE_FULL). */
__attribute__((warn_unused_result)) enum store_result
session_rows_add(struct store *s, enum session_kind kind, const uint8_t id[static 32],
                 const struct session_row *in, int64_t max);
/* The live row of id (STORE_NOT_FOUND: none, or dead and deleted now). */
__attribute__((warn_unused_result)) enum store_result session_rows_get(struct store *s,
                                                                       enum session_kind kind,
                                                                       const uint8_t id[static 32],
                                                                       struct session_row *out);
/* Replaces the row if its version is still in->version: STORE_EXISTS if it changed. */
__attribute__((warn_unused_result)) enum store_result
session_rows_put(struct store *s, enum session_kind kind, const uint8_t id[static 32],
                 const struct session_row *in);
enum store_result session_rows_delete(struct store *s, enum session_kind kind,
                                      const uint8_t id[static 32]);
enum store_result session_rows_delete_owner(struct store *s, enum session_kind kind, int64_t owner);
/* Runs fn in one write transaction of s (its calls of session_rows_put join it). */
__attribute__((warn_unused_result)) enum store_result session_rows_write(struct store *s,
                                                                         store_tx_fn fn, void *arg);

#endif
