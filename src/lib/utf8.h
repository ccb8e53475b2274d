/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * utf8: a strict UTF-8 decoder (for the escaping functions) and validator.
 *
 * Accepts exactly the well-formed sequences of RFC 3629 / Unicode table 3-7:
 * no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 */
#ifndef CUTOUT_LIB_UTF8_H
#define CUTOUT_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

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

/*
 * Whether code point cp is shown escaped, as "<U+XXXX>", rather than as itself
 * wherever a stranger's text is shown (pages and terminal): the C0 controls
 * but tab, newline and carriage return, DEL and the C1 controls, and the
 * invisible format characters that reorder or hide text: the bidi marks,
 * embeddings, overrides and isolates (U+061C, U+200E/F, U+202A..E,
 * U+2066..9), the zero-width space, word joiner and invisible operators
 * (U+200B, U+2060..4), U+FEFF and the line and paragraph separators
 * (U+2028/9). The joiners U+200C/D stay: scripts and emoji need them.
 */
bool utf8_hidden(uint32_t cp);
/* The "<U+XXXX>" of cp (4 to 6 hex digits) into out[static 12]; returns its length. */
size_t utf8_visible_name(uint32_t cp, char out[static 12]);
/*
 * Appends s[0..n) for a terminal: every utf8_hidden code point as "<U+XXXX>"
 * (tab and newline kept when lines, else escaped too; CR always escaped),
 * every malformed byte as U+FFFD.
 */
__attribute__((warn_unused_result)) enum buf_result utf8_visible(struct buf *out, const char *s,
                                                                 size_t n, bool lines);

#endif
