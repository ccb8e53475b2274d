/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_ocr: the converter child's OCR (tesseract), for the text layer of a
 * clean copy (docs/safe-viewing.md). The models are loaded before the child
 * confines itself (they are the only files it ever opens); each page's words
 * are then found in its pixels and written after them, in the format
 * lib/render.h gives: u32 words, then per word u32 x, y, w, h (pixels, from
 * the top left) and u32 bytes, then the word's UTF-8.
 */
#ifndef CUTOUT_APP_RENDER_OCR_H
#define CUTOUT_APP_RENDER_OCR_H

#include <stdint.h>

struct render_ocr;

/* langs: tesseract's "eng+rus" form (checked here). NULL: no such language, no memory. */
struct render_ocr *render_ocr_new(const char *langs);

/*
 * Finds the words of one page (RGB, stride bytes a row) and writes them with
 * write_all (0 or -1). 0, or -1 when writing failed (a page tesseract cannot
 * read has no word: 0 words are written).
 */
int render_ocr_page(struct render_ocr *o, const uint8_t *rgb, uint32_t w, uint32_t h, size_t stride,
                    uint32_t dpi, int (*write_all)(const void *, size_t));

void render_ocr_free(struct render_ocr **o);

#endif
