/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* lib/password: length in code points, the bound, the user name, the common list. */
#include <string.h>

#include "lib/password.h"
#include "t.h"

int main(void)
{
	T_CHECK(password_check("correct horse battery staple", "alice") == PASSWORD_OK);
	T_CHECK(password_check("abcdefghijk", NULL) == PASSWORD_TOO_SHORT); /* 11 */
	T_CHECK(password_check("abcdefghijkz", NULL) == PASSWORD_OK);       /* 12 */
	T_CHECK(password_check("", NULL) == PASSWORD_TOO_SHORT);
	T_CHECK(password_check(NULL, NULL) == PASSWORD_TOO_SHORT);
	/* code points, not bytes: 11 two-byte letters are 22 bytes but too short */
	T_CHECK(password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                       "\xc3\xa9\xc3\xa9\xc3\xa9",
	                       NULL) == PASSWORD_TOO_SHORT);
	T_CHECK(password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                       "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	                       NULL) == PASSWORD_OK);
	T_CHECK(password_check("abcdefghijkl\xff", NULL) == PASSWORD_NOT_UTF8);
	T_CHECK(password_check("abcdefghijkl\xc0\xaf", NULL) == PASSWORD_NOT_UTF8); /* overlong */
	static char big[PASSWORD_MAX_BYTES + 2];
	memset(big, 'q', PASSWORD_MAX_BYTES);
	big[PASSWORD_MAX_BYTES] = '\0';
	T_CHECK(password_check(big, NULL) == PASSWORD_OK);
	big[PASSWORD_MAX_BYTES] = 'q';
	T_CHECK(password_check(big, NULL) == PASSWORD_TOO_LONG);
	/* the user name, any case */
	T_CHECK(password_check("officer.smith", "officer.smith") == PASSWORD_COMMON);
	T_CHECK(password_check("Officer.Smith", "officer.smith") == PASSWORD_COMMON);
	T_CHECK(password_check("officer.smith1", "officer.smith") == PASSWORD_OK);
	/* the common list: long entries (short ones are refused for length anyway) */
	T_CHECK(password_check("1qaz2wsx3edc", NULL) == PASSWORD_COMMON);
	T_CHECK(password_check("1QAZ2WSX3EDC", NULL) == PASSWORD_COMMON);
	T_CHECK(password_check("qwertyuiop123", NULL) == PASSWORD_COMMON);
	T_CHECK(password_check("passwordpassword", NULL) == PASSWORD_COMMON);
	T_CHECK(password_is_common("password"));
	T_CHECK(password_is_common("PassWord"));
	T_CHECK(password_is_common("123456"));
	T_CHECK(password_is_common("!@#$%"));  /* the first entry in byte order */
	T_CHECK(password_is_common("zzzxxx")); /* the last */
	T_CHECK(!password_is_common("correct horse battery staple"));
	T_CHECK(!password_is_common(""));
	T_CHECK(!password_is_common("passwordx9q"));
	T_CHECK(password_common_count() > 10000);
	T_CHECK(strcmp(password_verdict_str(PASSWORD_TOO_SHORT),
	               password_verdict_str(PASSWORD_OK)) != 0);
	return t_done();
}
