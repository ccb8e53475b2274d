/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lib/banned.h"

static const uint32_t pow10[] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

int totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits)
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	int ret = -1;

	if (key == NULL || keylen == 0 || keylen > TOTP_KEY_MAX || digits < 6 || digits > 9)
		return -1;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) == NULL ||
	    maclen != 20)
		goto out;
	unsigned off = mac[19] & 0x0f;
	uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	               ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
	ret = (int)(bin % pow10[digits]);
out:
	sodium_memzero(mac, sizeof mac);
	return ret;
}

int64_t totp_step(uint64_t unix_time)
{
	return (int64_t)(unix_time / TOTP_STEP);
}

int totp_code(const uint8_t *key, size_t keylen, uint64_t unix_time, unsigned digits)
{
	return totp_hotp(key, keylen, (uint64_t)totp_step(unix_time), digits);
}

int64_t totp_verify_digits(const uint8_t *key, size_t keylen, uint64_t unix_time, const char *code,
                           unsigned digits, int64_t last_step)
{
	char want[16], got[16];
	int64_t found = -1;

	if (code == NULL || digits < 6 || digits > 9 || strlen(code) != digits)
		return -1;
	for (unsigned i = 0; i < digits; i++)
		if (code[i] < '0' || code[i] > '9')
			return -1;
	memset(got, 0, sizeof got);
	memcpy(got, code, digits);
	int64_t t = totp_step(unix_time);
	/* every candidate step is computed, so the time does not say which one matched */
	for (int64_t s = t - 1; s <= t + 1; s++) {
		if (s < 1)
			continue;
		int c = totp_hotp(key, keylen, (uint64_t)s, digits);
		if (c < 0) {
			found = -1;
			break;
		}
		memset(want, 0, sizeof want);
		int w = snprintf(want, sizeof want, "%0*d", (int)digits, c);
		if (w != (int)digits) {
			found = -1;
			break;
		}
		if (sodium_memcmp(want, got, digits) == 0 && s > last_step && found < 0)
			found = s;
	}
	sodium_memzero(want, sizeof want);
	sodium_memzero(got, sizeof got);
	return found;
}

int64_t totp_verify(const uint8_t *key, size_t keylen, uint64_t unix_time, const char *code,
                    int64_t last_step)
{
	return totp_verify_digits(key, keylen, unix_time, code, TOTP_DIGITS, last_step);
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int totp_base32(const uint8_t *key, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (out == NULL || cap == 0 || n > (SIZE_MAX - 4) / 8)
		return -1;
	size_t need = (n * 8 + 4) / 5;
	if (need >= cap || need > INT32_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	acc = 0;
	return (int)o;
}

int totp_base32_decode(const char *s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, nchars = 0;

	if (s == NULL || out == NULL)
		return -1;
	for (const char *p = s; *p; p++) {
		char c = *p;
		int v;
		if (c == ' ' || c == '=')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return -1;
		nchars++;
		acc = ((acc << 5) | (uint32_t)v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			if (o >= cap || o >= INT32_MAX)
				return -1;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* lengths mod 8 of 1, 3, 6 characters are impossible; leftover bits must be zero */
	size_t r = nchars % 8;
	if (r == 1 || r == 3 || r == 6)
		return -1;
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (int)o;
}

/* Appends s percent-encoded (RFC 3986 unreserved kept). -1 if it does not fit. */
static int put_enc(char *out, size_t cap, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		           (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
		           *p == '~';
		size_t need = keep ? 1 : 3;
		if (*o + need >= cap)
			return -1;
		if (keep) {
			out[(*o)++] = (char)*p;
		} else {
			out[(*o)++] = '%';
			out[(*o)++] = hex[*p >> 4];
			out[(*o)++] = hex[*p & 15];
		}
	}
	return 0;
}

static int put_raw(char *out, size_t cap, size_t *o, const char *s)
{
	size_t n = strlen(s);
	if (*o + n >= cap)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

int totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out, size_t cap)
{
	size_t o = 0;

	if (issuer == NULL || account == NULL || secret_b32 == NULL || out == NULL || cap == 0 ||
	    !*issuer || !*account || !*secret_b32 || cap > INT32_MAX)
		return -1;
	for (const char *p = secret_b32; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
			return -1;
	if (put_raw(out, cap, &o, "otpauth://totp/") || put_enc(out, cap, &o, issuer) ||
	    put_raw(out, cap, &o, ":") || put_enc(out, cap, &o, account) ||
	    put_raw(out, cap, &o, "?secret=") || put_raw(out, cap, &o, secret_b32) ||
	    put_raw(out, cap, &o, "&issuer=") || put_enc(out, cap, &o, issuer) ||
	    put_raw(out, cap, &o, "&algorithm=SHA1&digits=6&period=30")) {
		out[0] = '\0';
		return -1;
	}
	out[o] = '\0';
	return (int)o;
}
