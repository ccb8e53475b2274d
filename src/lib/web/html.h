/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * html: THE one HTML escaping function, and a tiny template renderer on top.
 *
 * html_escape() appends s[0..n) (length-delimited: a NUL inside is just a
 * byte) to out so that the result is safe as HTML text and inside a quoted
 * attribute value:
 *   & < > " '             become  &amp; &lt; &gt; &quot; &#39;
 *   invalid UTF-8         becomes U+FFFD (one per byte that starts no valid sequence)
 *   C0 controls and DEL   are dropped, except \n and \t
 * Nothing else is changed. On failure (the buffer's cap) out is left at an
 * unspecified length: discard it.
 *
 * html_render() expands a template: `{{name}}` becomes the escaped value,
 * `{{{name}}}` the raw value, allowed only when the lookup marks the value
 * trusted (a fragment the caller rendered itself); otherwise rendering fails.
 * Names are [A-Za-z0-9_.-]{1,64}. A `{{` that does not open a well-formed tag,
 * an unknown name, or an untrusted raw value is an error: templates fail
 * closed, never pass text through half-escaped.
 */
#ifndef CUTOUT_LIB_HTML_H
#define CUTOUT_LIB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

__attribute__((warn_unused_result)) enum buf_result html_escape(struct buf *out, const char *s,
                                                                size_t n);

enum html_result {
	HTML_OK = 0,
	HTML_NOMEM,
	HTML_TOO_LARGE,    /* out's cap */
	HTML_BAD_TEMPLATE, /* malformed {{...}} */
	HTML_UNKNOWN_NAME, /* the lookup does not know the name */
	HTML_UNTRUSTED,    /* {{{name}}} for a value not marked trusted */
};

struct html_value {
	const char *s;
	size_t n;
	bool trusted; /* s is an HTML fragment the caller built safely */
};

/* Returns 0 and fills *v when name[0..name_len) is known, non-zero otherwise. */
typedef int (*html_lookup_fn)(void *ctx, const char *name, size_t name_len, struct html_value *v);

__attribute__((warn_unused_result)) enum html_result html_render(struct buf *out, const char *tmpl,
                                                                 html_lookup_fn lookup, void *ctx);

const char *html_result_str(enum html_result r);

#endif
