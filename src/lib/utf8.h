/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* utf8: strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF). */
#ifndef CUTOUT_LIB_UTF8_H
#define CUTOUT_LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns the number of code points, or -1 if p is not valid UTF-8 or holds a NUL. */
long utf8_count(const uint8_t *p, size_t n);

#endif
