/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pdf: the document laid out by pango in one layout (heading, a blank line,
 * the text), broken into A4 pages line by line, each page with its banner at
 * the top and the bottom (pdf.h).
 */
#include "lib/pdf.h"

#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "lib/utf8.h"

#include "lib/banned.h"

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.890
#define MARGIN 56.0
#define BANNER_H 28.0 /* the band the banner takes at the top and at the bottom */

struct sink {
	struct buf *out;
	int full;
};

static cairo_status_t write_fn(void *closure, const unsigned char *data, unsigned int length)
{
	struct sink *k = closure;
	if (buf_append(k->out, data, length) != BUF_OK) {
		k->full = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static PangoLayout *layout_new(cairo_t *cr, const char *font, double width)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

/* The banner centred in the band at y (its top). */
static void banner(cairo_t *cr, PangoLayout *b, double y)
{
	int w, h;
	pango_layout_get_pixel_size(b, &w, &h);
	cairo_move_to(cr, (PAGE_W - w) / 2, y + (BANNER_H - h) / 2);
	pango_cairo_show_layout(cr, b);
}

int pdf_render(const struct pdf_doc *d, struct buf *out, unsigned *pages)
{
	*pages = 0;
	if (d == NULL || d->banner == NULL || d->text == NULL ||
	    (d->heading == NULL && d->heading_len > 0) || d->heading_len > PDF_TEXT_MAX ||
	    d->text_len > PDF_TEXT_MAX - d->heading_len ||
	    utf8_count((const uint8_t *)d->banner, strlen(d->banner)) < 0 ||
	    (d->heading_len && utf8_count((const uint8_t *)d->heading, d->heading_len) < 0) ||
	    utf8_count((const uint8_t *)d->text, d->text_len) < 0)
		return -1;
	struct buf all;
	buf_init(&all, PDF_TEXT_MAX + 4);
	if ((d->heading_len && (buf_append(&all, d->heading, d->heading_len) != BUF_OK ||
	                        buf_append(&all, "\n\n", 2) != BUF_OK)) ||
	    buf_append(&all, d->text, d->text_len) != BUF_OK) {
		buf_wipe_release(&all);
		return -1;
	}
	struct sink k = {.out = out};
	cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(write_fn, &k, PAGE_W, PAGE_H);
	cairo_t *cr = cairo_create(sf);
	PangoLayout *b = layout_new(cr, "DejaVu Sans Bold 11", PAGE_W - 2 * MARGIN);
	PangoLayout *l = layout_new(cr, "DejaVu Serif 10.5", PAGE_W - 2 * MARGIN);
	pango_layout_set_alignment(b, PANGO_ALIGN_LEFT);
	pango_layout_set_text(b, d->banner, -1);
	pango_layout_set_text(l, (const char *)all.data, (int)all.len);

	const double top = MARGIN + BANNER_H, bottom = PAGE_H - MARGIN - BANNER_H;
	double page_start = 0; /* layout y (points) at the top of this page */
	unsigned n = 1;
	cairo_set_source_rgb(cr, 0, 0, 0);
	banner(cr, b, MARGIN);
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle lr;
		pango_layout_iter_get_line_extents(it, NULL, &lr);
		double y = (double)lr.y / PANGO_SCALE, h = (double)lr.height / PANGO_SCALE;
		if (top + (y + h - page_start) > bottom && y > page_start) {
			banner(cr, b, PAGE_H - MARGIN - BANNER_H);
			cairo_show_page(cr);
			banner(cr, b, MARGIN);
			page_start = y;
			n++;
		}
		double base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		cairo_move_to(cr, MARGIN + (double)lr.x / PANGO_SCALE, top + base - page_start);
		pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	banner(cr, b, PAGE_H - MARGIN - BANNER_H);
	cairo_show_page(cr);
	g_object_unref(l);
	g_object_unref(b);
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	cairo_status_t st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	buf_wipe_release(&all);
	if (st != CAIRO_STATUS_SUCCESS || k.full)
		return -1;
	*pages = n;
	return 0;
}
