/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* app/session: reservations, tokens, the source key wrapped under the token, expiry, limits. */
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/intake/session.h"
#include "t.h"

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct sessions *s = NULL;
	T_CHECK(sessions_new(4, 1, &s) == 0);
	char tok[SESSION_TOKEN_LEN + 1], tok2[SESSION_TOKEN_LEN + 1];
	struct session_view v;
	uint8_t sk[32], out[32];
	randombytes_buf(sk, sizeof sk);

	T_OK(sessions_count(s) == 0, "a new table holds nothing");
	T_CHECK(sessions_reserve(s) == 0);
	T_OK(sessions_count(s) == 0, "a reservation is not a session");
	T_CHECK(sessions_open(s, 42, sk, tok, &v) == 0);
	T_OK(strlen(tok) == SESSION_TOKEN_LEN && v.source == 42 && v.submissions == 0,
	     "a session opens logged in as its source");
	T_CHECK(sessions_get(s, tok, &v) == 0 && v.source == 42);
	char wrong[SESSION_TOKEN_LEN + 1];
	memcpy(wrong, tok, sizeof wrong);
	wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
	T_OK(sessions_get(s, wrong, &v) != 0, "a token one character off is unknown");
	T_CHECK(sessions_get(s, "short", &v) != 0);
	T_CHECK(sessions_get(s, NULL, &v) != 0);
	T_CHECK(sessions_key(s, tok, out) == 0 && memcmp(out, sk, 32) == 0);
	T_CHECK(sessions_key(s, wrong, out) != 0 && sodium_is_zero(out, 32));

	T_CHECK(sessions_count_submission(s, tok, 2) == 0);
	T_CHECK(sessions_count_submission(s, tok, 2) == 0);
	T_OK(sessions_count_submission(s, tok, 2) == 1, "the per-session quota is enforced");

	/* the one-time handoff (the codename after the create's redirect) */
	char cn[SESSION_HANDOFF_MAX];
	T_OK(sessions_take_handoff(s, tok, NULL, cn) == 1, "no handoff before one is made");
	T_CHECK(sessions_hand_over(s, tok, "apple banana cherry", NULL) == 0);
	T_OK(sessions_take_handoff(s, wrong, NULL, cn) == -1 &&
	             sodium_is_zero((uint8_t *)cn, sizeof cn),
	     "another token takes nothing");
	T_OK(sessions_take_handoff(s, tok, NULL, cn) == 0 && strcmp(cn, "apple banana cherry") == 0,
	     "the handoff is taken by its session");
	T_OK(sessions_take_handoff(s, tok, NULL, cn) == 1,
	     "and only once (a reload finds nothing)");
	char big[SESSION_HANDOFF_MAX + 1];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	T_OK(sessions_hand_over(s, tok, big, NULL) != 0, "a handoff too long is refused");
	/* a tagged handoff: the codename page's language links carry the tag */
	char tag[SESSION_ONCE_LEN + 1], tag2[SESSION_ONCE_LEN + 1];
	sessions_once_new(tag);
	sessions_once_new(tag2);
	T_CHECK(sessions_hand_over(s, tok, "apple banana cherry", tag) == 0);
	T_OK(sessions_take_handoff(s, tok, tag, cn) == 0 && strcmp(cn, "apple banana cherry") == 0,
	     "a tagged handoff is taken with its tag");
	T_CHECK(sessions_hand_over(s, tok, "apple banana cherry", tag) == 0);
	T_OK(sessions_take_handoff(s, tok, NULL, cn) == 1 &&
	             sodium_is_zero((uint8_t *)cn, sizeof cn),
	     "not without it (a reload)");
	T_OK(sessions_take_handoff(s, tok, tag, cn) == 1, "and a miss forgets it");
	T_CHECK(sessions_hand_over(s, tok, "apple banana cherry", tag) == 0);
	T_OK(sessions_take_handoff(s, tok, tag2, cn) == 1 &&
	             sessions_take_handoff(s, tok, tag, cn) == 1,
	     "another tag takes nothing, and forgets it");
	T_OK(sessions_hand_over(s, tok, "x", "not a tag") != 0, "a malformed tag is refused");
	T_OK(v.lang[0] == 0, "no language until one is asked for");
	sessions_set_lang(s, tok, "ru");
	T_OK(sessions_get(s, tok, &v) == 0 && strcmp(v.lang, "ru") == 0,
	     "the session remembers the language of the URL");

	/* the forms' one-time tokens */
	char once[SESSION_ONCE_LEN + 1], once2[SESSION_ONCE_LEN + 1];
	sessions_once_new(once);
	sessions_once_new(once2);
	T_CHECK(strlen(once) == SESSION_ONCE_LEN && strcmp(once, once2) != 0);
	T_OK(sessions_once_use(s, tok, once) == 0, "a fresh form token is claimed");
	T_OK(sessions_once_use(s, tok, once) == 1, "a replay of it is recognised");
	T_OK(sessions_once_use(s, wrong, once2) == -1, "no session, no claim");
	T_OK(sessions_once_use(s, tok, "AAAAAAAAAAAAAAAAAAAAAA") == -1 &&
	             sessions_once_use(s, tok, "short") == -1 &&
	             sessions_once_use(s, tok, NULL) == -1,
	     "a zero or malformed token is refused");
	sessions_once_release(s, tok, once);
	T_OK(sessions_once_use(s, tok, once) == 0,
	     "a token given back (nothing stored) can be sent again");
	for (int i = 0; i < SESSION_ONCE_KEEP - 1; i++) {
		char o[SESSION_ONCE_LEN + 1];
		sessions_once_new(o);
		T_CHECK(sessions_once_use(s, tok, o) == 0);
	}
	T_OK(sessions_once_use(s, tok, once) == 1, "the last SESSION_ONCE_KEEP are remembered");

	/* capacity: 4 sessions and reservations at most */
	char t[3][SESSION_TOKEN_LEN + 1];
	T_CHECK(sessions_reserve(s) == 0 && sessions_reserve(s) == 0);
	T_CHECK(sessions_open(s, 7, sk, t[0], NULL) == 0);
	T_CHECK(sessions_reserve(s) == 0);
	T_OK(sessions_reserve(s) != 0, "reservations count against the limit");
	sessions_unreserve(s);
	T_CHECK(sessions_reserve(s) == 0);
	T_CHECK(sessions_open(s, 8, sk, t[1], NULL) == 0);
	T_CHECK(sessions_open(s, 9, sk, t[2], NULL) == 0);
	T_OK(sessions_count(s) == 4 && sessions_reserve(s) != 0,
	     "a full table refuses a reservation");
	sessions_destroy(s, t[0]);
	T_CHECK(sessions_get(s, t[0], &v) != 0);
	T_CHECK(sessions_reserve(s) == 0);

	/* every session of a deleted source ends */
	T_CHECK(sessions_open(s, 42, sk, tok2, &v) == 0);
	T_CHECK(strcmp(tok, tok2) != 0);
	sessions_destroy_source(s, 42);
	T_CHECK(sessions_get(s, tok, &v) != 0 && sessions_get(s, tok2, &v) != 0);
	T_CHECK(sessions_get(s, t[2], &v) == 0);

	/* idle expiry frees the places */
	sleep(3);
	T_OK(sessions_get(s, t[2], &v) != 0, "an idle session expires");
	for (int i = 0; i < 4; i++)
		T_CHECK(sessions_reserve(s) == 0);
	T_OK(sessions_reserve(s) != 0, "expired sessions give their places back, no more");
	for (int i = 0; i < 4; i++)
		sessions_unreserve(s);
	sessions_free(&s);
	T_CHECK(s == NULL);
	return t_done();
}
