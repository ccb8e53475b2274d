/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pdf: the document laid out by pango in one layout (heading, a blank line,
 * the text), broken into A4 pages line by line, each page with its banner at
 * the top and the bottom (pdf.h).
 */
#include "lib/pdf.h"

#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <sodium.h>

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

/* ---- a PDF of images only ---- */

struct pdf_images {
	struct sink k;
	cairo_surface_t *sf;
	cairo_t *cr;
	int pages;
};

struct pdf_images *pdf_images_begin(struct buf *out)
{
	struct pdf_images *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->k.out = out;
	p->sf = cairo_pdf_surface_create_for_stream(write_fn, &p->k, PAGE_W, PAGE_H);
	p->cr = cairo_create(p->sf);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		pdf_images_free(&p);
		return NULL;
	}
	return p;
}

int pdf_images_page(struct pdf_images *p, uint32_t w, uint32_t h, const uint8_t *rgb, uint32_t dpi)
{
	if (w == 0 || h == 0 || w > 32767 || h > 32767 || dpi == 0 || p->k.full)
		return -1;
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return -1;
	}
	cairo_surface_flush(img);
	uint8_t *dst = cairo_image_surface_get_data(img);
	size_t stride = (size_t)cairo_image_surface_get_stride(img);
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(void *)(dst + (size_t)y * stride);
		const uint8_t *s = rgb + (size_t)y * w * 3;
		for (uint32_t x = 0; x < w; x++, s += 3)
			row[x] = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
	}
	cairo_surface_mark_dirty(img);
	double scale = 72.0 / dpi;
	cairo_pdf_surface_set_size(p->sf, w * scale, h * scale);
	cairo_save(p->cr);
	cairo_scale(p->cr, scale, scale);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	cairo_show_page(p->cr);
	/* the pixels are the source's: wipe cairo's copy */
	sodium_memzero(dst, stride * h);
	cairo_surface_destroy(img);
	p->pages++;
	return cairo_status(p->cr) == CAIRO_STATUS_SUCCESS && !p->k.full ? 0 : -1;
}

int pdf_images_finish(struct pdf_images **pp)
{
	struct pdf_images *p = pp != NULL ? *pp : NULL;
	if (p == NULL)
		return -1;
	int ok = p->pages > 0;
	cairo_destroy(p->cr);
	p->cr = NULL;
	cairo_surface_finish(p->sf);
	ok = ok && cairo_surface_status(p->sf) == CAIRO_STATUS_SUCCESS && !p->k.full;
	cairo_surface_destroy(p->sf);
	free(p);
	*pp = NULL;
	return ok ? 0 : -1;
}

void pdf_images_free(struct pdf_images **pp)
{
	struct pdf_images *p = pp != NULL ? *pp : NULL;
	if (p == NULL)
		return;
	if (p->cr != NULL)
		cairo_destroy(p->cr);
	cairo_surface_destroy(p->sf);
	free(p);
	*pp = NULL;
}
