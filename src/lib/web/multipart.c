/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/web/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/banned.h"

enum {
	ST_PREAMBLE, /* before the first delimiter: discarded */
	ST_DELIM,    /* just after "--boundary": "--", padding or CRLF */
	ST_PADDING,  /* transport padding after the delimiter */
	ST_DELIM_LF, /* the CR after the delimiter line was seen */
	ST_CLOSE,    /* "--boundary-": one more '-' */
	ST_HEADERS,  /* collecting a part's header block */
	ST_BODY,     /* a part's data */
	ST_EPILOGUE, /* after the close delimiter: discarded */
	ST_ERROR,
};

#define MP_PADDING_MAX 64

static bool is_bchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static bool is_valid_boundary(const char *b, size_t n)
{
	if (n < 1 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_bchar(b[i]))
			return false;
	return true;
}

/* RFC 9110 tchar. */
static bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* qdtext or the character of a quoted-pair (RFC 9110), as bytes. */
static bool is_qchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * Reads a token or a quoted-string value starting at s[*i] (< n), unescaping
 * into out (cap bytes, NUL-terminated). Returns MP_OK, MP_ERR_MALFORMED, or
 * MP_ERR_HEADER_TOO_LARGE when the value does not fit.
 */
static enum mp_result read_value(const char *s, size_t n, size_t *i, char *out, size_t cap,
                                 enum mp_result too_long)
{
	size_t o = 0, j = *i;
	if (j < n && s[j] == '"') {
		j++;
		for (;;) {
			if (j >= n)
				return MP_ERR_MALFORMED;
			char c = s[j++];
			if (c == '"')
				break;
			if (c == '\\') {
				if (j >= n)
					return MP_ERR_MALFORMED;
				c = s[j++];
			}
			if (!is_qchar((unsigned char)c))
				return MP_ERR_MALFORMED;
			if (o + 1 >= cap)
				return too_long;
			out[o++] = c;
		}
	} else {
		while (j < n && is_tchar(s[j])) {
			if (o + 1 >= cap)
				return too_long;
			out[o++] = s[j++];
		}
		if (o == 0)
			return MP_ERR_MALFORMED;
	}
	out[o] = '\0';
	*i = j;
	return MP_OK;
}

/* Reads a parameter name (token) at s[*i]; returns its length (0: none). */
static size_t read_token(const char *s, size_t n, size_t *i)
{
	size_t j = *i;
	while (j < n && is_tchar(s[j]))
		j++;
	size_t len = j - *i;
	*i = j;
	return len;
}

static void skip_ows(const char *s, size_t n, size_t *i)
{
	while (*i < n && is_ows(s[*i]))
		(*i)++;
}

enum mp_result multipart_boundary_from_content_type(const char *ct, char *out, size_t cap)
{
	static const char type[] = "multipart/form-data";
	const size_t tlen = sizeof(type) - 1;
	char tmp[MP_BOUNDARY_MAX + 1];
	char ignored[1024];
	bool have = false;
	size_t n = strlen(ct), i = 0;
	if (cap > 0)
		out[0] = '\0';
	skip_ows(ct, n, &i);
	if (n - i < tlen || strncasecmp(ct + i, type, tlen) != 0)
		return MP_ERR_BAD_BOUNDARY;
	i += tlen;
	for (;;) {
		skip_ows(ct, n, &i);
		if (i == n)
			break;
		if (ct[i++] != ';')
			return MP_ERR_BAD_BOUNDARY;
		skip_ows(ct, n, &i);
		if (i == n || ct[i] == ';')
			continue; /* an empty parameter */
		size_t start = i;
		size_t len = read_token(ct, n, &i);
		if (len == 0 || i == n || ct[i] != '=')
			return MP_ERR_BAD_BOUNDARY;
		i++;
		bool is_boundary = len == 8 && strncasecmp(ct + start, "boundary", 8) == 0;
		if (is_boundary && have)
			return MP_ERR_BAD_BOUNDARY;
		enum mp_result r =
		        is_boundary ? read_value(ct, n, &i, tmp, sizeof(tmp), MP_ERR_BAD_BOUNDARY)
		                    : read_value(ct, n, &i, ignored, sizeof(ignored),
		                                 MP_ERR_BAD_BOUNDARY);
		if (r != MP_OK)
			return MP_ERR_BAD_BOUNDARY;
		have = have || is_boundary;
	}
	if (!have)
		return MP_ERR_BAD_BOUNDARY;
	size_t blen = strlen(tmp);
	if (!is_valid_boundary(tmp, blen) || blen >= cap)
		return MP_ERR_BAD_BOUNDARY;
	memcpy(out, tmp, blen + 1);
	return MP_OK;
}

static size_t limit(size_t v, size_t dflt)
{
	return v == 0 || v > dflt ? dflt : v;
}

enum mp_result mp_init(struct mp *p, const char *boundary, const struct mp_callbacks *cb,
                       const struct mp_limits *lim)
{
	memset(p, 0, sizeof(*p));
	size_t blen = strlen(boundary);
	if (!is_valid_boundary(boundary, blen)) {
		p->state = ST_ERROR;
		p->err = MP_ERR_BAD_BOUNDARY;
		return p->err;
	}
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, blen);
	p->delim_len = 4 + blen;
	p->cb = *cb;
	struct mp_limits none = {0};
	if (lim == NULL)
		lim = &none;
	p->lim.max_parts = lim->max_parts != 0 ? lim->max_parts : 64;
	p->lim.max_header = limit(lim->max_header, MP_HEADER_MAX);
	p->lim.max_name = limit(lim->max_name, MP_NAME_MAX);
	p->lim.max_filename = limit(lim->max_filename, MP_FILENAME_MAX);
	/* The first delimiter may open the body: act as if a CRLF came before it. */
	p->state = ST_PREAMBLE;
	p->match = 2;
	return MP_OK;
}

static enum mp_result fail(struct mp *p, enum mp_result r)
{
	p->state = ST_ERROR;
	p->err = r;
	return r;
}

static enum mp_result emit(struct mp *p, const uint8_t *d, size_t n)
{
	if (n == 0 || p->state != ST_BODY || p->cb.part_data == NULL)
		return MP_OK;
	return p->cb.part_data(p->cb.ctx, d, n) != 0 ? MP_ERR_ABORTED : MP_OK;
}

/*
 * Scans s[0..n) for the delimiter, passing body bytes on (in ST_BODY) or
 * dropping them (in ST_PREAMBLE). Sets *used to the bytes consumed and *found
 * when they end with a complete delimiter.
 *
 * The delimiter starts with CR and the boundary cannot contain CR, so a
 * partial match that fails can only restart at the failing byte: the bytes
 * held back are exactly delim[0..match) and go out as data.
 */
static enum mp_result scan(struct mp *p, const uint8_t *s, size_t n, size_t *used, bool *found)
{
	enum mp_result r;
	size_t i = 0, run = 0; /* s[run..i) is data not yet passed on */
	*found = false;
	while (i < n) {
		if (p->match == 0) {
			const uint8_t *cr = memchr(s + i, '\r', n - i);
			if (cr == NULL) {
				i = n;
				break;
			}
			i = (size_t)(cr - s);
			if ((r = emit(p, s + run, i - run)) != MP_OK)
				return r;
			p->match = 1;
			run = ++i;
		} else if (s[i] == p->delim[p->match]) {
			p->match++;
			run = ++i;
			if (p->match == p->delim_len) {
				p->match = 0;
				*found = true;
				*used = i;
				return MP_OK;
			}
		} else {
			if ((r = emit(p, p->delim, p->match)) != MP_OK)
				return r;
			p->match = 0;
			run = i;
		}
	}
	if ((r = emit(p, s + run, i - run)) != MP_OK)
		return r;
	*used = n;
	return MP_OK;
}

static bool header_is(const char *line, size_t name_len, const char *want)
{
	return strlen(want) == name_len && strncasecmp(line, want, name_len) == 0;
}

/* Parses a Content-Disposition value v[0..n): form-data; name=...; filename=... */
static enum mp_result parse_disposition(struct mp *p, const char *v, size_t n, bool *have_name,
                                        bool *have_filename)
{
	char ignored[MP_HEADER_MAX];
	size_t i = 0;
	size_t tlen = read_token(v, n, &i);
	if (tlen != 9 || strncasecmp(v, "form-data", 9) != 0)
		return MP_ERR_MALFORMED;
	for (;;) {
		skip_ows(v, n, &i);
		if (i == n)
			return MP_OK;
		if (v[i++] != ';')
			return MP_ERR_MALFORMED;
		skip_ows(v, n, &i);
		if (i == n)
			return MP_OK; /* a trailing ';' */
		size_t start = i;
		size_t len = read_token(v, n, &i);
		if (len == 0)
			return MP_ERR_MALFORMED;
		skip_ows(v, n, &i);
		if (i == n || v[i] != '=')
			return MP_ERR_MALFORMED;
		i++;
		skip_ows(v, n, &i);
		if (i == n)
			return MP_ERR_MALFORMED;
		enum mp_result r;
		if (len == 4 && strncasecmp(v + start, "name", 4) == 0) {
			if (*have_name)
				return MP_ERR_MALFORMED;
			r = read_value(v, n, &i, p->name, p->lim.max_name + 1,
			               MP_ERR_HEADER_TOO_LARGE);
			*have_name = true;
		} else if (len == 8 && strncasecmp(v + start, "filename", 8) == 0) {
			if (*have_filename)
				return MP_ERR_MALFORMED;
			r = read_value(v, n, &i, p->filename, p->lim.max_filename + 1,
			               MP_ERR_HEADER_TOO_LARGE);
			*have_filename = true;
		} else {
			r = read_value(v, n, &i, ignored, sizeof(ignored), MP_ERR_HEADER_TOO_LARGE);
		}
		if (r != MP_OK)
			return r;
	}
}

/* Parses the header block hdr[0..hdr_len) (ending in CRLF CRLF, or just CRLF). */
static enum mp_result parse_headers(struct mp *p)
{
	bool have_disp = false, have_name = false, have_filename = false, have_type = false;
	const char *h = p->hdr;
	size_t n = p->hdr_len - 2; /* drop the CRLF of the empty line */
	size_t i = 0;
	while (i < n) {
		/* One line: up to CRLF; a lone CR or LF is malformed. */
		size_t start = i, end = i;
		while (end < n && h[end] != '\r' && h[end] != '\n')
			end++;
		if (end + 1 >= n || h[end] != '\r' || h[end + 1] != '\n')
			return MP_ERR_MALFORMED;
		i = end + 2;
		size_t j = start;
		size_t name_len = read_token(h, end, &j);
		if (name_len == 0 || j == end || h[j] != ':')
			return MP_ERR_MALFORMED; /* includes folded lines */
		j++;
		skip_ows(h, end, &j);
		size_t vend = end;
		while (vend > j && is_ows(h[vend - 1]))
			vend--;
		for (size_t k = j; k < vend; k++)
			if (!is_qchar((unsigned char)h[k]))
				return MP_ERR_MALFORMED;
		enum mp_result r;
		if (header_is(h + start, name_len, "content-disposition")) {
			if (have_disp)
				return MP_ERR_MALFORMED;
			have_disp = true;
			r = parse_disposition(p, h + j, vend - j, &have_name, &have_filename);
			if (r != MP_OK)
				return r;
		} else if (header_is(h + start, name_len, "content-type")) {
			if (have_type || vend == j)
				return MP_ERR_MALFORMED;
			have_type = true;
			if (vend - j > MP_CONTENT_TYPE_MAX)
				return MP_ERR_HEADER_TOO_LARGE;
			memcpy(p->content_type, h + j, vend - j);
			p->content_type[vend - j] = '\0';
		}
	}
	if (!have_disp || !have_name)
		return MP_ERR_MALFORMED;
	if (p->parts == p->lim.max_parts)
		return MP_ERR_TOO_MANY_PARTS;
	p->parts++;
	if (p->cb.part_begin != NULL &&
	    p->cb.part_begin(p->cb.ctx, p->name, have_filename ? p->filename : NULL,
	                     have_type ? p->content_type : NULL) != 0)
		return MP_ERR_ABORTED;
	return MP_OK;
}

enum mp_result mp_feed(struct mp *p, const void *data, size_t len)
{
	const uint8_t *s = data;
	size_t i = 0;
	enum mp_result r;
	while (i < len && p->state != ST_ERROR) {
		switch (p->state) {
		case ST_PREAMBLE:
		case ST_BODY: {
			size_t used;
			bool found;
			if ((r = scan(p, s + i, len - i, &used, &found)) != MP_OK)
				return fail(p, r);
			i += used;
			if (found) {
				if (p->state == ST_BODY && p->cb.part_end != NULL &&
				    p->cb.part_end(p->cb.ctx) != 0)
					return fail(p, MP_ERR_ABORTED);
				p->state = ST_DELIM;
			}
			break;
		}
		case ST_DELIM:
		case ST_PADDING: {
			uint8_t c = s[i++];
			if (c == '-' && p->state == ST_DELIM) {
				p->state = ST_CLOSE;
			} else if (c == ' ' || c == '\t') {
				if (p->state == ST_DELIM)
					p->pad = 0;
				if (++p->pad > MP_PADDING_MAX)
					return fail(p, MP_ERR_MALFORMED);
				p->state = ST_PADDING;
			} else if (c == '\r') {
				p->state = ST_DELIM_LF;
			} else {
				return fail(p, MP_ERR_MALFORMED);
			}
			break;
		}
		case ST_DELIM_LF:
			if (s[i++] != '\n')
				return fail(p, MP_ERR_MALFORMED);
			p->state = ST_HEADERS;
			p->hdr_len = 0;
			break;
		case ST_CLOSE:
			if (s[i++] != '-')
				return fail(p, MP_ERR_MALFORMED);
			p->state = ST_EPILOGUE;
			break;
		case ST_HEADERS: {
			/* Copy up to the end of the block or of the limit. */
			while (i < len) {
				if (p->hdr_len == p->lim.max_header)
					return fail(p, MP_ERR_HEADER_TOO_LARGE);
				char c = (char)s[i++];
				p->hdr[p->hdr_len++] = c;
				if (c != '\n' || p->hdr_len < 2 || p->hdr[p->hdr_len - 2] != '\r')
					continue;
				if (p->hdr_len == 2 ||
				    (p->hdr_len >= 4 &&
				     memcmp(p->hdr + p->hdr_len - 4, "\r\n\r\n", 4) == 0)) {
					if ((r = parse_headers(p)) != MP_OK)
						return fail(p, r);
					p->state = ST_BODY;
					break;
				}
			}
			break;
		}
		case ST_EPILOGUE:
			i = len;
			break;
		default:
			return fail(p, MP_ERR_MALFORMED);
		}
	}
	return p->state == ST_ERROR ? p->err : MP_OK;
}

enum mp_result mp_finish(struct mp *p)
{
	if (p->state == ST_ERROR)
		return p->err;
	if (p->state != ST_EPILOGUE)
		return fail(p, MP_ERR_TRUNCATED);
	return MP_OK;
}

const char *mp_result_str(enum mp_result r)
{
	switch (r) {
	case MP_OK:
		return "ok";
	case MP_ERR_MALFORMED:
		return "malformed multipart body";
	case MP_ERR_TOO_MANY_PARTS:
		return "too many parts";
	case MP_ERR_HEADER_TOO_LARGE:
		return "part header too large";
	case MP_ERR_TRUNCATED:
		return "unexpected end of multipart body";
	case MP_ERR_ABORTED:
		return "aborted";
	case MP_ERR_BAD_BOUNDARY:
		return "not multipart/form-data with a valid boundary";
	}
	return "unknown error";
}
