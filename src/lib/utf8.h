/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * utf8: a strict UTF-8 decoder (for the escaping functions) and validator.
 *
 * Accepts exactly the well-formed sequences of RFC 3629 / Unicode table 3-7:
 * no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 */
#ifndef CUTOUT_LIB_UTF8_H
#define CUTOUT_LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one code point from s[0..n) (n > 0). Returns the number of bytes it
 * used (1..4) and stores the code point in *cp, or returns 0 when s does not
 * start with a well-formed sequence (the caller then skips one byte).
 */
size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/*
 * The length of the longest prefix of p[0..n) made of whole well-formed
 * sequences: where to cut a string that was truncated mid-character.
 */
size_t utf8_prefix(const uint8_t *p, size_t n);

/* The number of code points of p[0..n), or -1 if it is not valid UTF-8 or holds a NUL. */
long utf8_count(const uint8_t *p, size_t n);

#endif
