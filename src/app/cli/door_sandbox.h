/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * door_sandbox: what each door of `cutout serve` may still do once it serves
 * (docs/privsep.md), over lib/sandbox. A door calls door_sandbox_files()
 * once its store is open and before it starts its threads, and
 * door_sandbox_calls() once it listens; each returns 0, or -1 (said on
 * stderr: the door must not serve). CUTOUT_SANDBOX=off skips both, said
 * loudly.
 */
#ifndef CUTOUT_APP_CLI_DOOR_SANDBOX_H
#define CUTOUT_APP_CLI_DOOR_SANDBOX_H

#include <stdint.h>

enum door_kind { DOOR_INTAKE, DOOR_DESK, DOOR_LIAISON };

struct instance;

struct door_sandbox {
	enum door_kind kind;
	const char *dir;       /* the instance directory */
	struct instance *inst; /* its instance: which files the door may open */
	uint16_t port;         /* the port it binds (0: any) */
	uint16_t db_port;      /* a network store's port (PostgreSQL); 0: none */
	int off;               /* CUTOUT_SANDBOX=off */
};

int door_sandbox_files(struct door_sandbox *sb) __attribute__((warn_unused_result));
int door_sandbox_calls(struct door_sandbox *sb) __attribute__((warn_unused_result));

#endif
