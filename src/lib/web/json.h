/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * json: JSON string output (no parser).
 *
 * json_escape_str() appends s[0..n) to out as one complete JSON string
 * literal, quotes included. Escaped: " and \ (as \" \\), every control
 * character U+0000..U+001F and DEL (as \u00XX), and < > & (as \u003c \u003e
 * \u0026) so the output is also safe inside an HTML <script> block. U+2028 and
 * U+2029 are escaped for JavaScript. Invalid UTF-8 becomes U+FFFD (one per
 * byte that starts no valid sequence), so the output is always valid UTF-8.
 */
#ifndef CUTOUT_LIB_JSON_H
#define CUTOUT_LIB_JSON_H

#include <stddef.h>

#include "lib/buf.h"

__attribute__((warn_unused_result)) enum buf_result json_escape_str(struct buf *out, const char *s,
                                                                    size_t n);

#endif
