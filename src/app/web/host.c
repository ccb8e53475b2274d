/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/web/host.h"

#include <string.h>
#include <strings.h>

#include "lib/num.h"

#include "lib/banned.h"

#define NAME_MAX_LEN 253

/*
 * Splits "name[:port]" (len bytes) into the name's length and the port
 * (dflt when absent). Returns 0, or -1 if malformed.
 */
static int split(const char *s, size_t len, uint16_t dflt, size_t *name_len, uint16_t *port)
{
	size_t colon = len;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close == NULL)
			return -1;
		colon = (size_t)(close - s) + 1;
		if (colon < len && s[colon] != ':')
			return -1;
	} else {
		const char *c = memchr(s, ':', len);
		if (c != NULL)
			colon = (size_t)(c - s);
	}
	if (colon == 0 || colon > NAME_MAX_LEN)
		return -1;
	*name_len = colon;
	*port = dflt;
	if (colon == len)
		return 0;
	size_t plen = len - colon - 1;
	char digits[6];
	uint64_t v;
	if (plen == 0 || plen >= sizeof digits)
		return -1;
	memcpy(digits, s + colon + 1, plen);
	digits[plen] = 0;
	if (num_parse_u64(digits, &v) != 0 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

int http_host_allowed(const char *host, const char *allowed, const char *listen_host, uint16_t port)
{
	size_t hlen, hn;
	uint16_t hp;
	if (host == NULL || allowed == NULL || (hlen = strlen(host)) == 0 || hlen > 300 ||
	    split(host, hlen, 80, &hn, &hp) != 0)
		return 0;
	for (const char *p = allowed; *p != 0;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *e = p;
		size_t elen = len;
		while (elen > 0 && e[0] == ' ') {
			e++;
			elen--;
		}
		while (elen > 0 && e[elen - 1] == ' ')
			elen--;
		size_t en;
		uint16_t ep;
		if (same(e, elen, "listen", 6)) {
			if (hp == port && (same(host, hn, "localhost", 9) ||
			                   (listen_host != NULL &&
			                    same(host, hn, listen_host, strlen(listen_host)))))
				return 1;
		} else if (split(e, elen, port, &en, &ep) == 0 && ep == hp &&
		           same(host, hn, e, en)) {
			return 1;
		}
		p += len + (end != NULL ? 1 : 0);
	}
	return 0;
}
