/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render_office: the office stage of safe viewing, `cutout-render --office
 * INPUT_MAX OUTPUT_MAX` (render_office.c says how LibreOffice is confined).
 */
#ifndef CUTOUT_APP_RENDER_RENDER_OFFICE_H
#define CUTOUT_APP_RENDER_RENDER_OFFICE_H

#define RENDER_OFFICE_TMPFS "1g" /* the private /tmp: document, profile and PDF */

/* main() for --office (argv[1]); an exit code: 0 or RENDER_EXIT_*. */
int render_office_main(int argc, char **argv);

#endif
