/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* app/web/csrf: tokens bound to a browser value, under a per-process key. */
#include <string.h>

#include <sodium.h>

#include "app/web/csrf.h"
#include "t.h"

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct csrf k, k2;
	csrf_init(&k);
	csrf_init(&k2);
	char b1[CSRF_VALUE_LEN + 1], b2[CSRF_VALUE_LEN + 1];
	char t1[CSRF_VALUE_LEN + 1], t2[CSRF_VALUE_LEN + 1], t3[CSRF_VALUE_LEN + 1];
	csrf_new_browser(b1);
	csrf_new_browser(b2);
	T_OK(strlen(b1) == CSRF_VALUE_LEN && strcmp(b1, b2) != 0 && csrf_is_browser(b1),
	     "browser values are fresh 43-character values");
	T_CHECK(csrf_token(&k, b1, t1) == 0 && csrf_token(&k, b2, t2) == 0);
	T_OK(strlen(t1) == CSRF_VALUE_LEN && strcmp(t1, t2) != 0, "each browser its own token");
	T_CHECK(csrf_token(&k, b1, t3) == 0 && strcmp(t1, t3) == 0);
	T_OK(csrf_check(&k, b1, t1) == 1, "a browser's own token passes");
	T_OK(csrf_check(&k, b1, t2) == 0, "another browser's token is refused");
	T_OK(csrf_check(&k2, b1, t1) == 0, "a token of another process (key) is refused");
	T_OK(csrf_check(&k, b1, NULL) == 0 && csrf_check(&k, b1, "") == 0, "no token is refused");
	T_OK(csrf_check(&k, NULL, t1) == 0 && csrf_check(&k, "", t1) == 0,
	     "no browser cookie is refused");
	memcpy(t3, t1, sizeof t3);
	t3[10] = t3[10] == 'A' ? 'B' : 'A';
	T_OK(csrf_check(&k, b1, t3) == 0, "a token one character off is refused");
	char shortb[] = "abc";
	T_OK(csrf_token(&k, shortb, t3) != 0 && t3[0] == 0 && !csrf_is_browser(shortb),
	     "a malformed browser value has no token");
	char bad[CSRF_VALUE_LEN + 1];
	memset(bad, '*', CSRF_VALUE_LEN);
	bad[CSRF_VALUE_LEN] = 0;
	T_OK(!csrf_is_browser(bad), "a value that is not base64url is no browser value");
	char longer[CSRF_VALUE_LEN + 2];
	memcpy(longer, t1, CSRF_VALUE_LEN);
	longer[CSRF_VALUE_LEN] = 'A';
	longer[CSRF_VALUE_LEN + 1] = 0;
	T_OK(csrf_check(&k, b1, longer) == 0, "a longer token is refused");
	csrf_release(&k);
	T_OK(sodium_is_zero(k.key, sizeof k.key), "the key is wiped");
	csrf_release(&k2);
	return t_done();
}
