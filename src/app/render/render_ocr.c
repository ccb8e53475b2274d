/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_ocr: tesseract in the converter child (render_ocr.h). The words go
 * to the parent, which believes none of them: it checks every box and byte
 * (render_reader). Here they are only trimmed to what the parent accepts, so
 * that honest OCR output is not refused: at most RENDER_WORDS_MAX words a
 * page, RENDER_WORD_BYTES_MAX bytes a word, valid UTF-8 without control
 * characters, boxes inside the page.
 */
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>

#include "app/render/render_ocr.h"
#include "lib/render.h"

#include "lib/banned.h"

struct render_ocr {
	TessBaseAPI *api;
};

struct render_ocr *render_ocr_new(const char *langs)
{
	if (!render_ocr_langs_ok(langs))
		return NULL;
	struct render_ocr *o = calloc(1, sizeof *o);
	if (o == NULL || (o->api = TessBaseAPICreate()) == NULL) {
		free(o);
		return NULL;
	}
	/* the models from tesseract's own directory; the LSTM engine */
	if (TessBaseAPIInit2(o->api, NULL, langs, OEM_LSTM_ONLY) != 0) {
		render_ocr_free(&o);
		return NULL;
	}
	TessBaseAPISetPageSegMode(o->api, PSM_AUTO);
	return o;
}

static int put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return 4;
}

struct word {
	uint32_t x, y, w, h, len;
	char *text;
};

int render_ocr_page(struct render_ocr *o, const uint8_t *rgb, uint32_t w, uint32_t h, size_t stride,
                    uint32_t dpi, int (*write_all)(const void *, size_t))
{
	struct word *words = NULL;
	uint32_t n = 0;
	TessBaseAPISetImage(o->api, rgb, (int)w, (int)h, 3, (int)stride);
	TessBaseAPISetSourceResolution(o->api, (int)dpi);
	TessResultIterator *it = NULL;
	if (TessBaseAPIRecognize(o->api, NULL) == 0 &&
	    (it = TessBaseAPIGetIterator(o->api)) != NULL &&
	    (words = calloc(RENDER_WORDS_MAX, sizeof *words)) != NULL) {
		const TessPageIterator *pit = TessResultIteratorGetPageIterator(it);
		do {
			char *t = TessResultIteratorGetUTF8Text(it, RIL_WORD);
			int l, tp, r, b;
			if (t != NULL &&
			    TessPageIteratorBoundingBox(pit, RIL_WORD, &l, &tp, &r, &b) && l >= 0 &&
			    tp >= 0 && r > l && b > tp && (uint32_t)r <= w && (uint32_t)b <= h &&
			    render_word_ok((const uint8_t *)t, strlen(t))) {
				words[n] = (struct word){(uint32_t)l,         (uint32_t)tp,
				                         (uint32_t)(r - l),   (uint32_t)(b - tp),
				                         (uint32_t)strlen(t), t};
				t = NULL;
				n++;
			}
			TessDeleteText(t);
		} while (n < RENDER_WORDS_MAX && TessResultIteratorNext(it, RIL_WORD));
	}
	TessResultIteratorDelete(it);
	TessBaseAPIClear(o->api);
	uint8_t head[20];
	int rc = write_all(head, (size_t)put32(head, n));
	for (uint32_t i = 0; i < n; i++) {
		if (rc == 0) {
			int k = put32(head, words[i].x);
			k += put32(head + k, words[i].y);
			k += put32(head + k, words[i].w);
			k += put32(head + k, words[i].h);
			k += put32(head + k, words[i].len);
			rc = write_all(head, (size_t)k) == 0 &&
			                     write_all(words[i].text, words[i].len) == 0
			             ? 0
			             : -1;
		}
		TessDeleteText(words[i].text);
	}
	free(words);
	return rc;
}

void render_ocr_free(struct render_ocr **po)
{
	struct render_ocr *o = po != NULL ? *po : NULL;
	if (o == NULL)
		return;
	if (o->api != NULL) {
		TessBaseAPIEnd(o->api);
		TessBaseAPIDelete(o->api);
	}
	free(o);
	*po = NULL;
}
