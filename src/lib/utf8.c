/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/utf8.h"

#include <stdio.h>

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

bool utf8_hidden(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\r';
	if (cp >= 0x7f && cp <= 0x9f)
		return true;
	return cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

size_t utf8_visible_name(uint32_t cp, char out[static 12])
{
	int k = snprintf(out, 12, "<U+%04X>", (unsigned)(cp & 0x1fffff));
	return k > 0 && k < 12 ? (size_t)k : 0;
}

enum buf_result utf8_visible(struct buf *out, const char *s, size_t n, bool lines)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, run = 0; /* p[run..i) is pending verbatim output */
	enum buf_result r = BUF_OK;
	while (i < n) {
		uint32_t cp;
		size_t used = utf8_decode(p + i, n - i, &cp);
		bool keep = used > 0 && !utf8_hidden(cp) &&
		            (lines ? cp != '\r' : cp != '\t' && cp != '\n' && cp != '\r');
		if (keep) {
			i += used;
			continue;
		}
		char name[12];
		size_t k = used > 0 ? utf8_visible_name(cp, name) : 0;
		if ((r = buf_append(out, p + run, i - run)) != BUF_OK ||
		    (r = used > 0 ? buf_append(out, name, k)
		                  : buf_append_str(out, "\xef\xbf\xbd")) != BUF_OK)
			return r;
		i += used > 0 ? used : 1;
		run = i;
	}
	return buf_append(out, p + run, i - run);
}
