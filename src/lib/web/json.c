/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/web/json.h"

#include <stdint.h>

#include "lib/utf8.h"

#include "lib/banned.h"

enum buf_result json_escape_str(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	enum buf_result r;
	if ((r = buf_append_byte(out, '"')) != BUF_OK)
		return r;
	size_t i = 0, run = 0; /* p[run..i) is pending verbatim output */
	while (i < n) {
		uint8_t c = p[i];
		char esc[7];
		const char *rep = esc;
		size_t rep_len = 6, used = 1;
		if (c >= 0x80) {
			uint32_t cp;
			used = utf8_decode(p + i, n - i, &cp);
			if (used > 0 && cp != 0x2028 && cp != 0x2029) {
				i += used;
				continue;
			}
			if (used == 0) {
				used = 1;
				rep = "\xef\xbf\xbd";
				rep_len = 3;
			} else {
				rep = cp == 0x2028 ? "\\u2028" : "\\u2029";
			}
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			rep_len = 2;
		} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
		} else {
			i++;
			continue;
		}
		if ((r = buf_append(out, p + run, i - run)) != BUF_OK)
			return r;
		if ((r = buf_append(out, rep, rep_len)) != BUF_OK)
			return r;
		i += used;
		run = i;
	}
	if ((r = buf_append(out, p + run, i - run)) != BUF_OK)
		return r;
	return buf_append_byte(out, '"');
}
