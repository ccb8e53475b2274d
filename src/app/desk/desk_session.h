/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_session: the officers' sessions of the desk, in memory (and, on several nodes, in
 * the store: below).
 *
 * The cookie carries a random 256-bit token; the table keeps only a keyed
 * hash of it. A logged-in session holds the officer's unlocked keys (struct
 * officer_key, sodium_malloc memory) for the session only: they are wiped at
 * logout, when the idle timeout passes (desk_sessions_sweep, called every
 * second by the door, and on every lookup), when an admin changes the
 * officer (desk_sessions_end_officer) and when the table is freed.
 *
 * A session in enrolment holds, instead of keys, the officer's name and
 * password (sodium_malloc, wiped) and the TOTP secret being enrolled, until
 * the officer confirms a code or the session ends.
 *
 * Requests borrow a session with desk_sessions_acquire and give it back with
 * desk_sessions_release: a session ended while a request uses its keys is
 * wiped when that request releases it. Thread safe; bounded (creating a
 * session past max fails).
 *
 * Several nodes (issue 15 §2): with desk_sessions_use_store, every session is
 * also a row of the store (core/session/session_rows.h), keyed by a keyed hash
 * of its token and sealed under a key derived from the token (never the token
 * itself): the officer's id, own identity (the label keys are read again from
 * the store where it is opened), language and exact idle expiry; an enrolment's
 * name, password, TOTP secret and URI. The table is then a cache: every
 * acquire reads the row (one read by primary key): a row gone (a logout or an
 * admin's change on another node) ends the cached copy, a row of another
 * version (another node's write) is opened again, and a token this node does
 * not hold is opened from its row. Ending a session deletes its row; the sweep
 * deletes the row of a session whose idle time is over. The store sees the
 * officer's id and the end of the day of a session's expiry, nothing finer.
 */
#ifndef CUTOUT_APP_DESK_SESSION_H
#define CUTOUT_APP_DESK_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/officer/officer.h"

#define DESK_TOKEN_LEN 43 /* base64url of 32 bytes */

struct desk_sessions;
struct desk_session; /* a borrowed session */

#define DESK_LANG_MAX 16

struct desk_session_view {
	store_id officer;
	char name[OFFICER_NAME_MAX + 1];
	unsigned roles;
	int enrolling;                 /* 1: the session is an enrolment, it holds no keys */
	const struct officer_key *key; /* NULL while enrolling; valid until release */
	const char *enrol_password;    /* enrolling only; valid until release */
	const char *enrol_secret;      /* base32, enrolling only */
	const char *enrol_uri;         /* otpauth URI, enrolling only */
	char lang[DESK_LANG_MAX];      /* the language chosen in this session, "" if none */
};

__attribute__((warn_unused_result)) int desk_sessions_new(size_t max, unsigned idle_seconds,
                                                          struct desk_sessions **out);
/*
 * Keeps the sessions in store too (before the first session): ids keyed from salt (the
 * instance's secret codename salt, the same on every node); a session opened from its row
 * gets its keys again through officers (officer_key_resume). 0, or -1.
 */
__attribute__((warn_unused_result)) int desk_sessions_use_store(struct desk_sessions *s,
                                                                struct store *store,
                                                                struct officers *officers,
                                                                const uint8_t *salt, size_t len);
/* Wipes every session (keys included). */
void desk_sessions_free(struct desk_sessions **s);

/* A logged-in session; takes ownership of *key (set to NULL, freed on failure too). */
__attribute__((warn_unused_result)) int desk_sessions_login(struct desk_sessions *s,
                                                            struct officer_key **key,
                                                            char token[static DESK_TOKEN_LEN + 1]);
/* An enrolment session for name: password, secret and uri are copied. */
__attribute__((warn_unused_result)) int desk_sessions_enrol(struct desk_sessions *s,
                                                            const char *name, const char *password,
                                                            const char *secret, const char *uri,
                                                            char token[static DESK_TOKEN_LEN + 1]);

/* Borrows the live session of token (refreshing its idle timer), or NULL. */
struct desk_session *desk_sessions_acquire(struct desk_sessions *s, const char *token,
                                           struct desk_session_view *out);
void desk_sessions_release(struct desk_sessions *s, struct desk_session **sess);
/* Remembers the language the officer chose (a supported tag) in the acquired session d. */
void desk_sessions_set_lang(struct desk_sessions *s, struct desk_session *d, const char *lang);

/*
 * For a worker of the desk (desk_arrival): borrows the next logged-in
 * session (not enrolling, not idle past its timeout) from slot *cursor on,
 * without refreshing its idle timer, and moves *cursor past it; NULL at the
 * end. Released with desk_sessions_release.
 */
struct desk_session *desk_sessions_borrow_next(struct desk_sessions *s, size_t *cursor,
                                               struct desk_session_view *out);

/* Ends the session of token (its keys are wiped now, or at its last release). */
void desk_sessions_end(struct desk_sessions *s, const char *token);
/* Ends every session of officer name (after a disable, reset or role change). */
void desk_sessions_end_officer(struct desk_sessions *s, const char *name);
/* Ends the sessions idle for longer than the timeout. */
void desk_sessions_sweep(struct desk_sessions *s);
size_t desk_sessions_count(struct desk_sessions *s);

#endif
