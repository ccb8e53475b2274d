/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/utf8.h"

#include "lib/banned.h"

size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v;
	uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0fu;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07u;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3fu);
	for (size_t i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	*cp = v;
	return len;
}

long utf8_count(const uint8_t *p, size_t n)
{
	long count = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		if (len == 0 || cp == 0)
			return -1;
		i += len;
		count++;
	}
	return count;
}

size_t utf8_prefix(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	while (i < n) {
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (k == 0)
			break;
		i += k;
	}
	return i;
}
