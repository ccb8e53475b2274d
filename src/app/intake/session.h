/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session: the intake's in-memory sessions, one cookie each.
 *
 * The cookie carries a random 256-bit token. The server keeps only a keyed
 * hash of it (the table index) and, for a logged-in source, the source's
 * X25519 secret key encrypted under a key derived from the token. So the
 * source's key can be opened only during a request that presents the cookie
 * (session_key), and is wiped after; a dump of the process memory without
 * the cookies opens nothing. Sessions end after an idle timeout, at logout,
 * and are never written to disk.
 *
 * Thread safe. Sizes are bounded: when the table is full of live sessions,
 * creating one fails (the door answers 503).
 */
#ifndef CUTOUT_APP_SESSION_H
#define CUTOUT_APP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define SESSION_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */
#define SESSION_CSRF_LEN 43
#define SESSION_LANG_MAX 16

struct session_view {
	store_id source; /* 0 for an anonymous visitor */
	char csrf[SESSION_CSRF_LEN + 1];
	char lang[SESSION_LANG_MAX];
	int submissions; /* made in this session */
};

struct sessions;

__attribute__((warn_unused_result)) int sessions_new(size_t max, unsigned idle_seconds,
                                                     struct sessions **out);
void sessions_free(struct sessions **s);

/* A new anonymous session. token receives the cookie value. Returns 0, or -1 when full. */
__attribute__((warn_unused_result)) int sessions_create(struct sessions *s, const char *lang,
                                                        char token[static SESSION_TOKEN_LEN + 1],
                                                        struct session_view *out);
/* Finds a live session and refreshes its idle timer. Returns 0, or -1 (none/expired). */
__attribute__((warn_unused_result)) int sessions_get(struct sessions *s, const char *token,
                                                     struct session_view *out);
/*
 * Logs the session in as source with its secret key: the old token stops
 * working and a new one is written to new_token (no session fixation).
 */
__attribute__((warn_unused_result)) int sessions_login(struct sessions *s, const char *token,
                                                       store_id source, const uint8_t sk[static 32],
                                                       char new_token[static SESSION_TOKEN_LEN + 1],
                                                       struct session_view *out);
/* Opens the source's secret key for this request. The caller wipes sk. */
__attribute__((warn_unused_result)) int sessions_key(struct sessions *s, const char *token,
                                                     uint8_t sk[static 32]);
__attribute__((warn_unused_result)) int sessions_set_lang(struct sessions *s, const char *token,
                                                          const char *lang);
/* Counts one submission; returns 0, or 1 if the session already made max. */
__attribute__((warn_unused_result)) int sessions_count_submission(struct sessions *s,
                                                                  const char *token, int max);
void sessions_destroy(struct sessions *s, const char *token);
/* Ends every session of the source (after it deleted itself). */
void sessions_destroy_source(struct sessions *s, store_id source);
/* Live sessions (for tests and limits). */
size_t sessions_count(struct sessions *s);

#endif
