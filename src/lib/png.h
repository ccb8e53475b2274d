/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * png: RGB pixels (3 bytes a pixel, rows top to bottom) as a PNG file
 * (8-bit truecolour, no filter, zlib's fastest level), appended to out.
 */
#ifndef CUTOUT_LIB_PNG_H
#define CUTOUT_LIB_PNG_H

#include <stdint.h>

#include "lib/buf.h"

/* 0, or -1 (a side of 0 or over 2^31-1, out's cap reached, zlib failed). */
__attribute__((warn_unused_result)) int png_write(uint32_t w, uint32_t h, const uint8_t *rgb,
                                                  struct buf *out);

#endif
