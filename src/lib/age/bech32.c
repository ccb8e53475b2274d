/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/age/bech32.h"

#include <string.h>

#include "lib/banned.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
	static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t top = chk >> 25;
	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		chk ^= (uint32_t)(-(int32_t)((top >> i) & 1)) & gen[i];
	return chk;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static uint32_t hrp_polymod(const char *hrp, size_t hlen)
{
	uint32_t chk = 1;
	for (size_t i = 0; i < hlen; i++)
		chk = polymod_step(chk, (uint8_t)(lower((unsigned char)hrp[i]) >> 5));
	chk = polymod_step(chk, 0);
	for (size_t i = 0; i < hlen; i++)
		chk = polymod_step(chk, (uint8_t)(lower((unsigned char)hrp[i]) & 31));
	return chk;
}

enum bech32_result bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper,
                                 char *out, size_t cap)
{
	size_t hlen = strlen(hrp);
	if (hlen == 0 || len > SIZE_MAX / 8 - 5)
		return BECH32_BAD;
	size_t ngroups = (len * 8 + 4) / 5;
	if (hlen > SIZE_MAX - ngroups - 8 || cap < hlen + 1 + ngroups + 6 + 1)
		return BECH32_TOO_LARGE;
	uint32_t chk = hrp_polymod(hrp, hlen);
	size_t o = 0;
	memcpy(out, hrp, hlen);
	o = hlen;
	out[o++] = '1';
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			uint8_t v = (uint8_t)((acc >> bits) & 31);
			chk = polymod_step(chk, v);
			out[o++] = charset[v];
		}
	}
	if (bits > 0) {
		uint8_t v = (uint8_t)((acc << (5 - bits)) & 31);
		chk = polymod_step(chk, v);
		out[o++] = charset[v];
	}
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (int i = 0; i < 6; i++)
		out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (size_t i = hlen; i < o; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - ('a' - 'A'));
	return BECH32_OK;
}

static int charset_rev(int c)
{
	c = lower(c);
	for (int i = 0; i < 32; i++)
		if (charset[i] == c)
			return i;
	return -1;
}

enum bech32_result bech32_decode(const char *s, char *hrp, size_t hrp_cap, uint8_t *data,
                                 size_t data_cap, size_t *len)
{
	size_t n = strlen(s);
	int has_lower = 0, has_upper = 0;
	size_t sep = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return BECH32_BAD;
		if (c >= 'a' && c <= 'z')
			has_lower = 1;
		if (c >= 'A' && c <= 'Z')
			has_upper = 1;
		if (c == '1')
			sep = i;
	}
	if (has_lower && has_upper)
		return BECH32_BAD;
	if (sep == SIZE_MAX || sep == 0 || n - sep - 1 < 6)
		return BECH32_BAD;
	if (sep + 1 > hrp_cap)
		return BECH32_TOO_LARGE;
	uint32_t chk = hrp_polymod(s, sep);
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	size_t ndata = n - sep - 1 - 6;
	for (size_t i = sep + 1; i < n; i++) {
		int v = charset_rev((unsigned char)s[i]);
		if (v < 0)
			return BECH32_BAD;
		chk = polymod_step(chk, (uint8_t)v);
		if (i - sep - 1 >= ndata)
			continue;
		acc = ((acc << 5) | (uint32_t)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= data_cap)
				return BECH32_TOO_LARGE;
			data[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (chk != 1)
		return BECH32_BAD;
	/* Padding: fewer than 5 bits, all zero. */
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		return BECH32_BAD;
	memcpy(hrp, s, sep);
	hrp[sep] = '\0';
	*len = o;
	return BECH32_OK;
}
