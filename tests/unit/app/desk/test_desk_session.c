/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_desk_session: the desk's session table (enrolment sessions; login sessions are
   covered over HTTP by tests/integration/test_desk_http). */
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/desk/desk_session.h"
#include "t.h"

#include "lib/banned.h"

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct desk_sessions *s = NULL;
	T_CHECK(desk_sessions_new(2, 1, &s) == 0);
	T_OK(desk_sessions_new(0, 1, &(struct desk_sessions *){NULL}) != 0, "max 0 refused");

	char t1[DESK_TOKEN_LEN + 1], t2[DESK_TOKEN_LEN + 1], t3[DESK_TOKEN_LEN + 1];
	T_CHECK(desk_sessions_enrol(s, "alice", "pw-alice-123456", "SECRETA", "otpauth://a", t1) ==
	        0);
	T_CHECK(desk_sessions_enrol(s, "bob", "pw-bob-1234567", "SECRETB", "otpauth://b", t2) == 0);
	T_OK(strlen(t1) == DESK_TOKEN_LEN && strcmp(t1, t2) != 0, "tokens are random, 43 chars");
	T_OK(desk_sessions_enrol(s, "carol", "pw", "S", "u", t3) != 0, "a full table refuses");

	struct desk_session_view v1, v2;
	struct desk_session *a = desk_sessions_acquire(s, t1, &v1);
	struct desk_session *b = desk_sessions_acquire(s, t2, &v2);
	T_OK(a != NULL && v1.enrolling && strcmp(v1.name, "alice") == 0 &&
	             strcmp(v1.enrol_password, "pw-alice-123456") == 0 &&
	             strcmp(v1.enrol_secret, "SECRETA") == 0 && v1.key == NULL,
	     "an enrolment session holds name, password and secret, no key");
	T_OK(b != NULL && v2.enrolling && strcmp(v2.name, "bob") == 0,
	     "two sessions at once, each its own");
	desk_sessions_release(s, &b);
	T_CHECK(b == NULL);

	struct desk_session_view vx;
	char bad[DESK_TOKEN_LEN + 1];
	memcpy(bad, t1, sizeof bad);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	T_OK(desk_sessions_acquire(s, bad, &vx) == NULL, "a changed token finds nothing");
	T_OK(desk_sessions_acquire(s, "short", &vx) == NULL, "a malformed token finds nothing");

	/* Ending a session in use: gone for new requests, alive for the borrower. */
	desk_sessions_end(s, t1);
	T_OK(desk_sessions_acquire(s, t1, &vx) == NULL, "an ended session is not found");
	T_OK(strcmp(v1.enrol_secret, "SECRETA") == 0, "the borrower still reads its view");
	desk_sessions_release(s, &a);
	T_OK(desk_sessions_count(s) == 1, "one session left");

	desk_sessions_end_officer(s, "bob");
	T_OK(desk_sessions_count(s) == 0 && desk_sessions_acquire(s, t2, &vx) == NULL,
	     "ending an officer's sessions");

	T_CHECK(desk_sessions_enrol(s, "dave", "pw-dave-123456", "S", "u", t3) == 0);
	sleep(3);
	desk_sessions_sweep(s);
	T_OK(desk_sessions_count(s) == 0, "the sweep ends idle sessions");
	T_OK(desk_sessions_acquire(s, t3, &vx) == NULL, "an idle session is gone");

	T_CHECK(desk_sessions_enrol(s, "erin", "pw-erin-123456", "S", "u", t3) == 0);
	desk_sessions_free(&s);
	T_CHECK(s == NULL);
	desk_sessions_free(&s); /* NULL is fine */
	return t_done();
}
