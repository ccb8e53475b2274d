/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * host: which Host names a door answers (against DNS rebinding: a page of
 * another site whose name is made to resolve to the door's address sends its
 * own name as Host, and is refused).
 *
 * allowed is a comma-separated list (spaces around entries ignored) of
 * `name` or `name:port` (a port left out is the door's port); the entry
 * `listen` stands for the door's listen address and `localhost`, at its
 * port. A Host header without a port means port 80. Names compare without
 * regard to case; an IPv6 name is written in brackets ("[::1]:8081").
 */
#ifndef CUTOUT_APP_HOST_H
#define CUTOUT_APP_HOST_H

#include <stdint.h>

#define HOST_LIST_MAX 511 /* the longest list of names */

/* 1 if host (a Host header value, NULL when absent) is allowed, else 0. */
int http_host_allowed(const char *host, const char *allowed, const char *listen_host,
                      uint16_t port);

#endif
