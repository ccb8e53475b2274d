/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* lib/totp: RFC 4226 / RFC 6238 vectors, the ±1 step window, replay, base32, the URI. */
#include <stdio.h>
#include <string.h>

#include "lib/totp.h"
#include "t.h"

static const uint8_t key[] = "12345678901234567890"; /* RFC 4226 / RFC 6238 SHA-1 key */
#define KEYLEN 20

static void code_str(uint64_t t, char out[16])
{
	int c = totp_code(key, KEYLEN, t, 6);
	snprintf(out, 16, "%06d", c);
}

int main(void)
{
	/* RFC 4226 Appendix D */
	static const int hotp[] = {755224, 287082, 359152, 969429, 338314,
	                           254676, 287922, 162583, 399871, 520489};
	for (int i = 0; i < 10; i++)
		T_OK(totp_hotp(key, KEYLEN, (uint64_t)i, 6) == hotp[i], "RFC 4226 HOTP counter %d",
		     i);

	/* RFC 6238 Appendix B, SHA-1 rows (8 digits) */
	static const struct {
		uint64_t t;
		int code;
	} v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
	         {1234567890, 89005924}, {2000000000, 69279037}, {20000000000ull, 65353130}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char s[16];
		snprintf(s, sizeof s, "%08d", v[i].code);
		T_OK(totp_code(key, KEYLEN, v[i].t, 8) == v[i].code, "RFC 6238 T=%llu",
		     (unsigned long long)v[i].t);
		T_OK(totp_verify_digits(key, KEYLEN, v[i].t, s, 8, 0) == totp_step(v[i].t),
		     "RFC 6238 T=%llu verifies (leading zero kept)", (unsigned long long)v[i].t);
	}
	T_CHECK(totp_code(key, KEYLEN, 59, 5) == -1);
	T_CHECK(totp_code(key, KEYLEN, 59, 10) == -1);
	T_CHECK(totp_code(key, 0, 59, 6) == -1);

	/* the window: t-1, t, t+1; not t±2 */
	uint64_t now = 1700000000;
	int64_t t = totp_step(now);
	char c[16];
	code_str(now, c);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == t);
	code_str(now - 30, c);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == t - 1);
	code_str(now + 30, c);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == t + 1);
	code_str(now - 60, c);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == -1);
	code_str(now + 60, c);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == -1);

	/* replay: a step <= the last used one is refused, also an older code */
	code_str(now, c);
	T_OK(totp_verify(key, KEYLEN, now, c, t) == -1, "the same code twice is refused");
	code_str(now - 30, c);
	T_OK(totp_verify(key, KEYLEN, now, c, t) == -1, "an older code after a newer is refused");
	code_str(now + 30, c);
	T_OK(totp_verify(key, KEYLEN, now, c, t) == t + 1, "the next step after the last is fine");

	/* malformed codes */
	code_str(now, c);
	char bad[16];
	snprintf(bad, sizeof bad, "%.5s", c);
	T_CHECK(totp_verify(key, KEYLEN, now, bad, 0) == -1);
	memcpy(bad, c, 6);
	bad[6] = '0';
	bad[7] = '\0';
	T_CHECK(totp_verify(key, KEYLEN, now, bad, 0) == -1);
	snprintf(bad, sizeof bad, " %.5s", c);
	T_CHECK(totp_verify(key, KEYLEN, now, bad, 0) == -1);
	snprintf(bad, sizeof bad, "%.5sa", c);
	T_CHECK(totp_verify(key, KEYLEN, now, bad, 0) == -1);
	T_CHECK(totp_verify(key, KEYLEN, now, "", 0) == -1);
	T_CHECK(totp_verify(key, KEYLEN, now, NULL, 0) == -1);
	/* a wrong code of the right shape */
	code_str(now, c);
	c[5] = c[5] == '9' ? '0' : (char)(c[5] + 1);
	T_CHECK(totp_verify(key, KEYLEN, now, c, 0) == -1);

	/* base32, RFC 4648 section 10 (without padding) */
	static const struct {
		const char *in, *out;
	} b[] = {{"", ""},
	         {"f", "MY"},
	         {"fo", "MZXQ"},
	         {"foo", "MZXW6"},
	         {"foob", "MZXW6YQ"},
	         {"fooba", "MZXW6YTB"},
	         {"foobar", "MZXW6YTBOI"}};
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
		char out[32];
		uint8_t back[32];
		size_t n = strlen(b[i].in);
		T_OK(totp_base32((const uint8_t *)b[i].in, n, out, sizeof out) ==
		                     (int)strlen(b[i].out) &&
		             strcmp(out, b[i].out) == 0,
		     "base32 \"%s\"", b[i].in);
		T_OK(totp_base32_decode(b[i].out, back, sizeof back) == (int)n &&
		             memcmp(back, b[i].in, n) == 0,
		     "base32 decode \"%s\"", b[i].out);
	}
	uint8_t back[32];
	char out[32];
	T_CHECK(totp_base32_decode("mzxw6ytboi", back, sizeof back) == 6);
	T_CHECK(totp_base32_decode("MZXW6YTBOI======", back, sizeof back) == 6);
	T_CHECK(totp_base32_decode("MZ", back, sizeof back) == -1);        /* trailing bits set */
	T_CHECK(totp_base32_decode("M", back, sizeof back) == -1);         /* impossible length */
	T_CHECK(totp_base32_decode("MZX", back, sizeof back) == -1);       /* impossible length */
	T_CHECK(totp_base32_decode("MZXW6YTB1", back, sizeof back) == -1); /* '1' */
	T_CHECK(totp_base32_decode("MZXW6YTBOI", back, 5) == -1);          /* too long for cap */
	T_CHECK(totp_base32((const uint8_t *)"foobar", 6, out, 10) == -1); /* no room for NUL */

	/* the URI */
	char uri[TOTP_URI_MAX], sec[TOTP_B32_MAX];
	T_CHECK(totp_base32(key, KEYLEN, sec, sizeof sec) == 32);
	T_CHECK(totp_uri("Test Org", "alice", sec, uri, sizeof uri) > 0);
	T_CHECK(strcmp(uri,
	               "otpauth://totp/Test%20Org:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	               "&issuer=Test%20Org&algorithm=SHA1&digits=6&period=30") == 0);
	T_CHECK(totp_uri("a&b", "x:y", sec, uri, sizeof uri) > 0 &&
	        strstr(uri, "a%26b:x%3Ay?") != NULL);
	T_CHECK(totp_uri("cutout", "alice", sec, uri, 40) == -1);
	T_CHECK(totp_uri("", "alice", sec, uri, sizeof uri) == -1);
	T_CHECK(totp_uri("cutout", "alice", "lower", uri, sizeof uri) == -1);
	return t_done();
}
