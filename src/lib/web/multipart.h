/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * multipart: a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * A push parser in constant memory: mp_feed() takes the body in pieces of any
 * size (a boundary may be split anywhere) and calls back part_begin(), then
 * part_data() as the part's bytes arrive (never buffering a part: at most the
 * delimiter being matched is held back), then part_end(). mp_finish() says
 * whether the body ended properly (after the close delimiter).
 *
 * Strict where it costs nobody: lines end in CRLF, every part has a
 * Content-Disposition of type form-data with a name, header folding is
 * refused, control characters in headers are refused, the body must not
 * contain "CRLF--boundary" except as a delimiter. Accepted, because browsers,
 * curl and Python send it: a preamble and an epilogue (ignored), transport
 * padding (spaces/tabs) after a delimiter, parameters in any case and order,
 * quoted or token values, a body with zero parts ("--b--"), unknown headers
 * and parameters (ignored, including filename*). Quoted strings are unescaped
 * (\x -> x); percent-escapes that browsers put in names (%22) are NOT decoded.
 *
 * The strings given to part_begin() live in the parser until the next call
 * into it: name (never NULL), filename (NULL when the part has no filename
 * parameter; "" when it has an empty one) and content_type (NULL when absent:
 * RFC 7578 says text/plain). They are not checked for UTF-8: escape on output.
 *
 * After any error the parser is dead: every later call returns the same error
 * and no more callbacks are made; a part begun does not get part_end(), so
 * the caller discards what it collected. A callback returning non-zero
 * aborts with MP_ERR_ABORTED.
 */
#ifndef CUTOUT_LIB_MULTIPART_H
#define CUTOUT_LIB_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#define MP_BOUNDARY_MAX 70      /* RFC 2046 */
#define MP_HEADER_MAX 8192      /* hard ceiling of mp_limits.max_header */
#define MP_NAME_MAX 256         /* hard ceiling of mp_limits.max_name */
#define MP_FILENAME_MAX 1024    /* hard ceiling of mp_limits.max_filename */
#define MP_CONTENT_TYPE_MAX 255 /* longest Content-Type value */

enum mp_result {
	MP_OK = 0,
	MP_ERR_MALFORMED,        /* syntax error in the body */
	MP_ERR_TOO_MANY_PARTS,   /* more than max_parts */
	MP_ERR_HEADER_TOO_LARGE, /* a header block, name, filename or content type too long */
	MP_ERR_TRUNCATED,        /* mp_finish() before the close delimiter */
	MP_ERR_ABORTED,          /* a callback returned non-zero */
	MP_ERR_BAD_BOUNDARY,     /* not multipart/form-data, or no valid boundary */
};

struct mp_callbacks {
	int (*part_begin)(void *ctx, const char *name, const char *filename,
	                  const char *content_type);
	/* len > 0; data is valid only during the call. */
	int (*part_data)(void *ctx, const uint8_t *data, size_t len);
	int (*part_end)(void *ctx);
	void *ctx;
};

/* A zero field means the default (the ceiling; 64 parts). */
struct mp_limits {
	size_t max_parts;
	size_t max_header;   /* bytes of one part's header block, CRLFs included */
	size_t max_name;     /* bytes of the name parameter, after unescaping */
	size_t max_filename; /* bytes of the filename parameter, after unescaping */
};

/* The parser state; the fields are private (caller-allocated, ~10 KiB). */
struct mp {
	struct mp_callbacks cb;
	struct mp_limits lim;
	uint8_t delim[4 + MP_BOUNDARY_MAX]; /* CRLF "--" boundary */
	size_t delim_len;
	size_t match; /* bytes of delim matched so far (held back) */
	int state;
	enum mp_result err;
	size_t parts;
	size_t pad;
	size_t hdr_len;
	char hdr[MP_HEADER_MAX];
	char name[MP_NAME_MAX + 1];
	char filename[MP_FILENAME_MAX + 1];
	char content_type[MP_CONTENT_TYPE_MAX + 1];
};

/*
 * Extracts the boundary from a Content-Type header value such as
 * `multipart/form-data; boundary="abc"` into out (NUL-terminated). The type
 * and parameter names are case-insensitive; the boundary may be a token or a
 * quoted string and must be 1..70 characters of RFC 2046 bchars, not ending
 * in a space. Anything else: MP_ERR_BAD_BOUNDARY.
 */
__attribute__((warn_unused_result)) enum mp_result
multipart_boundary_from_content_type(const char *ct, char *out, size_t cap);

/* lim may be NULL for the defaults. Fails only on an invalid boundary. */
__attribute__((warn_unused_result)) enum mp_result mp_init(struct mp *p, const char *boundary,
                                                           const struct mp_callbacks *cb,
                                                           const struct mp_limits *lim);
__attribute__((warn_unused_result)) enum mp_result mp_feed(struct mp *p, const void *data,
                                                           size_t len);
/* The end of the body: MP_OK only after the close delimiter. */
__attribute__((warn_unused_result)) enum mp_result mp_finish(struct mp *p);

const char *mp_result_str(enum mp_result r);

#endif
