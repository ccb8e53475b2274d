/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_desk: the officers' door. A libmicrohttpd server, on its own listener
 * and in its own process (never the intake's), for staff: login with name,
 * password and TOTP (first login: TOTP enrolment with a QR code), the inbox
 * of sources and their submissions (decrypted in the page with the
 * officer's keys, files downloadable), replies, stars, labels, deleting a
 * source, and the officers' administration.
 *
 * An officer's unlocked keys live only in their session (app/desk_session):
 * wiped at logout, at the idle timeout, when an admin changes the officer,
 * and when the door stops. Every POST form carries a CSRF token bound to the
 * session cookie, the login form's to a pre-login cookie (app/web/csrf:
 * nothing kept). It
 * answers only the Host names of cfg.hosts (421 otherwise). Pages never
 * inline a script. Nothing about a client (address, user agent) is logged.
 */
#ifndef CUTOUT_APP_HTTP_DESK_H
#define CUTOUT_APP_HTTP_DESK_H

#include <stdint.h>

#include "app/web/door.h"
#include "core/marking/marking.h"
#include "lib/render.h"

#include "core/intake/intake.h"
#include "core/officer/officer.h"

struct desk_door_config {
	const char *host; /* "127.0.0.1" */
	uint16_t port;    /* 0: any free port */
	const char *org;
	const char *store_name; /* named by the log line of a full store (the instance directory) */
	const char *default_clearance; /* prefilled in the add-officer form */
	const char *topics;            /* liaison_topics: a report's topics, ticked on its page */
	unsigned idle_seconds;
	size_t max_sessions;
	struct web_door_limits web; /* connections, deadlines, threads (app/web/door.h) */
	int secure_cookie;          /* set the Secure flag (HTTPS in front) */
	/* the Host names answered, any other is 421 (app/web/host.h); NULL: "listen" */
	const char *hosts;
	/* the instance's marking scheme (the ledger view's access decisions, and the
	   registry's: the desk does not start without it); without it (scheme_set 0)
	   no marked ledger entry is shown */
	struct marking_scheme scheme;
	int scheme_set;
	/* safe viewing (docs/safe-viewing.md): the converter service, started before the door
	   confines itself (it may not fork then), borrowed; NULL: "View safely" converts nothing
	   and shows no copy */
	struct render_service *render;
	struct render_limits render_limits;
	int on_arrival; /* safeview_on_arrival: a worker converts new files (desk_arrival.h) */
	/* several nodes (issue 15 §2): 1, the officers' sessions are rows of the store given
	   to desk_door_start too (0: this process's memory alone); their ids, the forms' CSRF
	   key and the inbox's cursors keyed from session_salt (the instance's codename salt),
	   so that every node of one instance takes what another made */
	int shared_sessions;
	uint8_t session_salt[16];
};

void desk_door_defaults(struct desk_door_config *c);

struct desk_door;

/* The store, officers and intake (for sealing replies) are borrowed, not owned. */
__attribute__((warn_unused_result)) int desk_door_start(const struct desk_door_config *c,
                                                        struct store *store,
                                                        struct officers *officers,
                                                        struct intake *in, struct desk_door **out);
uint16_t desk_door_port(const struct desk_door *d);
/* Ends idle sessions (wiping their keys); the door's owner calls it about every second. */
void desk_door_tick(struct desk_door *d);
/* Stops the server and wipes every session. */
void desk_door_stop(struct desk_door **d);

#endif
