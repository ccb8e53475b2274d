/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_qr: a QR code (libqrencode) as an inline SVG fragment, for the TOTP
 * enrolment page: no image request, no script, nothing outside the page.
 * The SVG holds only rectangles built here; the text never appears in it.
 */
#ifndef CUTOUT_APP_DESK_QR_H
#define CUTOUT_APP_DESK_QR_H

#include "lib/buf.h"

/* Appends <svg ...>...</svg> encoding text (error correction M). 0 or -1. */
__attribute__((warn_unused_result)) int desk_qr_svg(struct buf *out, const char *text);

#endif
