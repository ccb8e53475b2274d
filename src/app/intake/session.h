/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session: the intake's in-memory sessions, one cookie each.
 *
 * The cookie carries a random 256-bit token. The server keeps only a keyed
 * hash of it (the table index) and, for a logged-in source, the source's
 * X25519 secret key encrypted under a key derived from the token. So the
 * source's key can be opened only during a request that presents the cookie
 * (session_key), and is wiped after; a dump of the process memory without
 * the cookies opens nothing. Sessions end after an idle timeout, and at
 * logout; they are written to disk only as the store's rows, sealed (below).
 *
 * A session exists only for a logged-in source: it is made by a successful
 * new source or login (sessions_open), never by an anonymous page (whose
 * forms are protected by app/web/csrf, which keeps nothing). The door
 * reserves a place (sessions_reserve) before it creates a source or derives
 * a key, so that a full table refuses the request before anything is made,
 * and no codename is created that nobody receives.
 *
 * Thread safe. Sizes are bounded: when the table is full of live sessions
 * and reservations, sessions_reserve fails (the door answers 503).
 *
 * Several nodes (issue 15 §2): with sessions_use_store, every session is also a
 * row of the store (core/store/store_session.h), so a request reaching any node
 * of a shared database finds it. The row's id is a keyed hash of the token (the
 * key derived from the instance's codename salt: every node derives the same);
 * its data, the slot below and its exact expiry (now + idle rounded down to a
 * step of idle/4 seconds, at most a minute), sealed under a key derived from
 * the token; the store sees only the end of that day (docs/threat-model.md). The table above
 * becomes a cache of the rows: a read checks the row (its version: a stale slot is read again, a
 * gone one forgotten) except on the submission's hot path (sessions_get_cached, sessions_once_use,
 * sessions_count_submission: the slot this node holds), whose claims are
 * written by the submission's own transaction (sessions_commit_tx), which
 * refuses if another node changed the row meanwhile (then sessions_reclaim
 * reads it again and claims again). Tokens, keys and the secret key stay out
 * of the store as they stay out of memory.
 */
#ifndef CUTOUT_APP_SESSION_H
#define CUTOUT_APP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/intake/intake.h" /* store_tx_fn: the submission's transaction */

#define SESSION_TOKEN_LEN 43    /* base64url of 32 bytes, no padding */
#define SESSION_ONCE_LEN 22     /* a form's one-time token: base64url of 16 bytes */
#define SESSION_HANDOFF_MAX 128 /* a text handed to the next page once, NUL included */
#define SESSION_LANG_MAX 16     /* a language tag, NUL included */

struct session_view {
	int64_t source;              /* the logged-in source (a store id, > 0) */
	int submissions;             /* made in this session */
	char lang[SESSION_LANG_MAX]; /* the last language asked for in a URL, "" when none */
};

struct sessions;

__attribute__((warn_unused_result)) int sessions_new(size_t max, unsigned idle_seconds,
                                                     struct sessions **out);
void sessions_free(struct sessions **s);

/* Reserves a place for one sessions_open. Returns 0, or -1 when the table is full. */
__attribute__((warn_unused_result)) int sessions_reserve(struct sessions *s);
/* Gives back a reservation that was not used. */
void sessions_unreserve(struct sessions *s);
/*
 * Keeps the sessions in store too (before any is opened); salt is the
 * instance's codename salt (16..64 bytes). 0, or -1.
 */
__attribute__((warn_unused_result)) int sessions_use_store(struct sessions *s, struct store *store,
                                                           const uint8_t *salt, size_t len);
/*
 * Uses a reservation: a new session logged in as source with its secret key;
 * token receives the cookie (or bearer) value. 0, or -1 when the store could
 * not take it (the bound of live rows, a failure: the door answers 503).
 */
__attribute__((warn_unused_result)) int sessions_open(struct sessions *s, int64_t source,
                                                      const uint8_t sk[static 32],
                                                      char token[static SESSION_TOKEN_LEN + 1],
                                                      struct session_view *out);
/* Finds a live session and refreshes its idle timer. Returns 0, or -1 (none/expired). */
__attribute__((warn_unused_result)) int sessions_get(struct sessions *s, const char *token,
                                                     struct session_view *out);
/* The same without reading the store when this node holds the session (a submission). */
__attribute__((warn_unused_result)) int sessions_get_cached(struct sessions *s, const char *token,
                                                            struct session_view *out);
/* Opens the source's secret key for this request. The caller wipes sk. */
__attribute__((warn_unused_result)) int sessions_key(struct sessions *s, const char *token,
                                                     uint8_t sk[static 32]);
/* Counts one submission; returns 0, or 1 if the session already made max. */
__attribute__((warn_unused_result)) int sessions_count_submission(struct sessions *s,
                                                                  const char *token, int max);
/*
 * The one-time handoff: a new source's codename is kept, sealed under the
 * token like the key, for the one page the create redirects to (POST/redirect/
 * GET), which takes it: a reload finds nothing. tag (NULL, or a token made by
 * sessions_once_new) is what the taker must present: the codename page hands
 * the codename over again under a fresh tag carried only by its language
 * links, so switching the language shows it once more while a reload (no
 * tag, or a tag already used) does not. text is shorter than
 * SESSION_HANDOFF_MAX. Returns 0, or -1 (no session, text too long, a bad tag).
 */
__attribute__((warn_unused_result)) int sessions_hand_over(struct sessions *s, const char *token,
                                                           const char *text, const char *tag);
/*
 * Takes the handoff into out (wiped by the caller) and forgets it; one asked
 * for with another tag is forgotten too. Returns 0, 1 when there is none
 * (already taken, or the tag did not match), -1 when there is no session.
 */
__attribute__((warn_unused_result)) int sessions_take_handoff(struct sessions *s, const char *token,
                                                              const char *tag,
                                                              char out[static SESSION_HANDOFF_MAX]);
/* Remembers the language the source last asked for in a URL (the bare paths follow it). */
void sessions_set_lang(struct sessions *s, const char *token, const char *lang);
/*
 * A submission form's one-time token. The form carries a fresh one
 * (sessions_once_new); the upload claims it before its body is read
 * (sessions_once_use) and gives it back if it is not committed
 * (sessions_once_release). A replay in the same session (reload, Back, a
 * second tab) finds it claimed; another session cannot replay it at all (the
 * upload needs the session, which lives only in this process's memory). The
 * last SESSION_ONCE_KEEP are remembered per session.
 */
#define SESSION_ONCE_KEEP 32
void sessions_once_new(char out[static SESSION_ONCE_LEN + 1]);
/* Returns 0 (claimed now), 1 (already claimed: a replay), -1 (no session or a malformed token). */
__attribute__((warn_unused_result)) int sessions_once_use(struct sessions *s, const char *token,
                                                          const char *once);
void sessions_once_release(struct sessions *s, const char *token, const char *once);
/*
 * The session's row written by a submission's own transaction
 * (intake_upload_on_commit): the one-time token and count claimed above, if
 * the row is still the version this node holds. result: STORE_OK,
 * STORE_EXISTS (another node changed it: sessions_reclaim, then commit
 * again), STORE_NOT_FOUND (the session is gone), or the store's failure.
 */
struct sessions_commit {
	struct sessions *s;
	const char *token;
	enum store_result result;
};
enum store_result sessions_commit_tx(struct store *st, void *arg);
/*
 * Reads the session's row again and claims once (NULL: none) and one
 * submission in it: 0, 1 (a replay, or max made), -1 (no session).
 */
__attribute__((warn_unused_result)) int sessions_reclaim(struct sessions *s, const char *token,
                                                         const char *once, int max);
void sessions_destroy(struct sessions *s, const char *token);
/* Ends every session of the source (after it deleted itself). */
void sessions_destroy_source(struct sessions *s, int64_t source);
/* Live sessions (for tests and limits). */
size_t sessions_count(struct sessions *s);

#endif
