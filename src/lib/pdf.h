/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pdf: a text document as a PDF (cairo for the pages, pango to lay out and
 * shape the text, so any script renders: Latin, Cyrillic, Arabic...). A4
 * pages; a banner (a classification marking) centred at the top and at the
 * bottom of every page; the heading, then the text, wrapped to the page
 * width and broken into pages between lines. UTF-8 in; the PDF bytes into a
 * capped buffer.
 */
#ifndef CUTOUT_LIB_PDF_H
#define CUTOUT_LIB_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define PDF_TEXT_MAX (4u << 20) /* bytes of heading and text together */

struct pdf_doc {
	const char *banner;  /* one line, NUL-terminated */
	const char *heading; /* on page 1 before the text (e.g. a release notice); may be NULL */
	size_t heading_len;
	const char *text;
	size_t text_len;
};

/*
 * Renders d into out (appended; its cap bounds the PDF). 0 with *pages set,
 * or -1 (text not UTF-8 or too long, out's cap reached, cairo failed).
 */
__attribute__((warn_unused_result)) int pdf_render(const struct pdf_doc *d, struct buf *out,
                                                   unsigned *pages);

/*
 * A PDF of images only (lib/render.h's clean copies; pdf_images.c, which
 * writes every byte itself, without cairo): one page per image, sized so
 * that it prints at dpi, from RGB pixels (3 bytes a pixel, rows top to
 * bottom, Flate-compressed); nothing else is written (no text, link, form,
 * script, annotation, font, metadata or attachment). Appended to out, whose
 * cap bounds it. At most 10,000 pages.
 */
struct pdf_images;
/*
 * text: the pages get an invisible text layer (OCR): then the file also
 * holds one font of cutout's own, with no glyph and none embedded (a Type0
 * font, Identity-H, its ToUnicode map the identity), and per page the words
 * in text render mode 3 (drawn nowhere; found by search, selection and
 * pdftotext), each stretched over its box.
 */
__attribute__((warn_unused_result)) struct pdf_images *pdf_images_begin(struct buf *out, int text);

/* An OCR word: its box in pixels from the page's top left, and its UTF-8. */
struct pdf_word {
	uint32_t x, y, w, h;
	const char *text;
	size_t len;
};

/*
 * 0, or -1 (a side of 0 or over 32767, more than 10,000 pages, out's cap
 * reached). words: nwords words to lay invisibly over the image (only with
 * text; characters past U+FFFF are left out).
 */
__attribute__((warn_unused_result)) int pdf_images_page(struct pdf_images *p, uint32_t w,
                                                        uint32_t h, const uint8_t *rgb,
                                                        uint32_t dpi, const struct pdf_word *words,
                                                        uint32_t nwords);
/* Ends the PDF and frees p: 0, or -1 (then out holds no valid PDF). NULL: -1. */
__attribute__((warn_unused_result)) int pdf_images_finish(struct pdf_images **p);
/* Frees p without finishing (out holds no valid PDF). */
void pdf_images_free(struct pdf_images **p);

#endif
