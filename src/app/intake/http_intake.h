/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_intake: the open door. A libmicrohttpd server for anonymous sources:
 * HTML pages that work without JavaScript, and the same operations as a
 * JSON API under /api/v1/ (docs/api.md).
 *
 * It holds no private key of the organisation: submissions are sealed to the
 * intake label's public key as they stream in (core/intake). It never logs
 * or stores a client's address, user agent or a time finer than the day.
 */
#ifndef CUTOUT_APP_HTTP_INTAKE_H
#define CUTOUT_APP_HTTP_INTAKE_H

#include <stdint.h>

#include "app/web/door.h"
#include "core/intake/intake.h"

#define INTAKE_ACK_LANGS 8 /* the languages whose acknowledgement text may be configured */

struct intake_door_config {
	const char *host; /* "127.0.0.1" */
	uint16_t port;    /* 0: any free port */
	const char *org;  /* organisation name */
	unsigned idle_seconds;
	size_t max_sessions;
	struct web_door_limits web; /* connections, deadlines, threads (app/web/door.h) */
	int submissions_per_session;
	double new_sources_per_second; /* global rate limits */
	double logins_per_second;
	double submissions_per_second;
	unsigned login_min_ms;  /* every login answer takes at least this long */
	int secure_cookie;      /* set the Secure flag (HTTPS in front) */
	const char *store_name; /* named by the log line of a full store (the instance directory) */
	/* the sessions kept in this store too, so that every node finds them (NULL: this process's
	   memory alone), their ids keyed from session_salt (the instance's codename salt) */
	struct store *store;
	uint8_t session_salt[16];
	/* the automatic acknowledgement (cutout.conf acknowledgement): on, and the texts read at
	   start by language tag (NULL: the catalogue's "intake.ack.text") */
	int acknowledge;
	const char *ack_text[INTAKE_ACK_LANGS];
	const char *ack_lang[INTAKE_ACK_LANGS];
};

void intake_door_defaults(struct intake_door_config *c);

struct intake_door;

__attribute__((warn_unused_result)) int
intake_door_start(const struct intake_door_config *c, struct intake *in, struct intake_door **out);
uint16_t intake_door_port(const struct intake_door *d);
void intake_door_stop(struct intake_door **d);

#endif
