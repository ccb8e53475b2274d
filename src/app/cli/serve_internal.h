/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* serve_internal: what cmd_serve.c shares with cmd_demo.c (`cutout demo` serves through it). */
#ifndef CUTOUT_APP_CLI_SERVE_INTERNAL_H
#define CUTOUT_APP_CLI_SERVE_INTERNAL_H

#include <stdint.h>

struct door_opts {
	const char *dir;
	char intake_host[256], desk_host[256];
	uint16_t intake_port, desk_port;
	int have_intake, have_desk;
	unsigned desk_idle;
};

/* Starts and supervises the doors of o->dir until a signal (cmd_serve.c). A CLI exit code. */
int serve_dir(const char *cmd, const struct door_opts *o);

#endif
