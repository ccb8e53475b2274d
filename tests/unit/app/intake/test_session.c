/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* app/session: tokens, rotation at login, the source key wrapped under the token, expiry, limits.
 */
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
	char anon[SESSION_TOKEN_LEN + 1], tok[SESSION_TOKEN_LEN + 1], tok2[SESSION_TOKEN_LEN + 1];
	struct session_view v;
	T_CHECK(sessions_create(s, "ru", anon, &v) == 0);
	T_CHECK(strlen(anon) == SESSION_TOKEN_LEN && v.source == 0 && strcmp(v.lang, "ru") == 0);
	T_CHECK(strlen(v.csrf) == SESSION_CSRF_LEN);
	char csrf[SESSION_CSRF_LEN + 1];
	memcpy(csrf, v.csrf, sizeof csrf);
	T_CHECK(sessions_get(s, anon, &v) == 0 && strcmp(v.csrf, csrf) == 0);
	char wrong[SESSION_TOKEN_LEN + 1];
	memcpy(wrong, anon, sizeof wrong);
	wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
	T_OK(sessions_get(s, wrong, &v) != 0, "a token one character off is unknown");
	T_CHECK(sessions_get(s, "short", &v) != 0);
	T_CHECK(sessions_get(s, NULL, &v) != 0);

	uint8_t sk[32], out[32];
	randombytes_buf(sk, sizeof sk);
	T_CHECK(sessions_key(s, anon, out) != 0); /* no key before login */
	T_CHECK(sessions_login(s, anon, 42, sk, tok, &v) == 0);
	T_OK(strcmp(tok, anon) != 0 && v.source == 42, "login gives a new token");
	T_OK(sessions_get(s, anon, &v) != 0, "the old token stops working (no fixation)");
	T_CHECK(sessions_get(s, tok, &v) == 0 && v.source == 42 && strcmp(v.csrf, csrf) == 0);
	T_CHECK(sessions_key(s, tok, out) == 0 && memcmp(out, sk, 32) == 0);
	T_CHECK(sessions_key(s, wrong, out) != 0 && sodium_is_zero(out, 32));

	T_CHECK(sessions_count_submission(s, tok, 2) == 0);
	T_CHECK(sessions_count_submission(s, tok, 2) == 0);
	T_OK(sessions_count_submission(s, tok, 2) == 1, "the per-session quota is enforced");
	T_CHECK(sessions_set_lang(s, tok, "en") == 0 && sessions_get(s, tok, &v) == 0 &&
	        strcmp(v.lang, "en") == 0);

	/* capacity: 4 live sessions at most */
	char t[3][SESSION_TOKEN_LEN + 1], extra[SESSION_TOKEN_LEN + 1];
	for (int i = 0; i < 3; i++)
		T_CHECK(sessions_create(s, NULL, t[i], NULL) == 0);
	T_OK(sessions_create(s, NULL, extra, NULL) != 0, "a full table refuses a new session");
	sessions_destroy(s, t[0]);
	T_CHECK(sessions_get(s, t[0], &v) != 0);
	T_CHECK(sessions_create(s, NULL, extra, NULL) == 0);

	/* every session of a deleted source ends */
	T_CHECK(sessions_login(s, t[1], 42, sk, tok2, &v) == 0);
	sessions_destroy_source(s, 42);
	T_CHECK(sessions_get(s, tok, &v) != 0 && sessions_get(s, tok2, &v) != 0);
	T_CHECK(sessions_get(s, t[2], &v) == 0);

	/* idle expiry */
	sleep(3);
	T_OK(sessions_get(s, t[2], &v) != 0, "an idle session expires");
	T_CHECK(sessions_count(s) == 0 || sessions_create(s, NULL, t[0], NULL) == 0);
	sessions_free(&s);
	T_CHECK(s == NULL);
	return t_done();
}
