/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/utf8.h"

#include "lib/banned.h"

long utf8_count(const uint8_t *p, size_t n)
{
	long count = 0;
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t len;
		uint32_t cp;
		if (c == 0)
			return -1;
		if (c < 0x80) {
			i++;
			count++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (n - i < len)
			return -1;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += len;
		count++;
	}
	return count;
}
