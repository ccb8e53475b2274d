/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/desk/desk_qr.h"

#include <qrencode.h>

#include "lib/banned.h"

#define QUIET 4 /* modules of white border, as ISO/IEC 18004 asks */

int desk_qr_svg(struct buf *out, const char *text)
{
	if (text == NULL || text[0] == 0)
		return -1;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return -1;
	int rc = -1;
	int w = q->width, size = w + 2 * QUIET;
	if (w <= 0 || w > 177)
		goto out;
	if (buf_printf(out,
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	               "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
	               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	               size, size, size, size) != BUF_OK)
		goto out;
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if ((q->data[y * w + x] & 1) &&
			    buf_printf(out, "M%d %dh1v1h-1z", x + QUIET, y + QUIET) != BUF_OK)
				goto out;
	if (buf_append_str(out, "\"/></svg>") != BUF_OK)
		goto out;
	rc = 0;
out:
	QRcode_free(q);
	return rc;
}
