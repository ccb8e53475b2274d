/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * door: the libmicrohttpd daemon of a door, and who may hold its connections.
 *
 * Event-driven: a small pool of threads, each with its own epoll set, serves
 * every connection, so an idle or slow one costs a socket and its memory
 * pool (at most connection_memory), not a thread. Around the door's own
 * handler it keeps a bounded table of the live connections:
 *
 *  - a connection must deliver its request headers within header_seconds of
 *    its accept (or of the end of its previous request on a kept-alive
 *    connection), however slowly it trickles them; past that its socket is
 *    shut down;
 *  - when max_connections are held, a newcomer evicts the connection that
 *    has waited longest for its headers or, when none waits, the slowest
 *    request (fewest body bytes per second, given header_seconds of grace);
 *  - the table is the hard bound: with nothing to evict the newcomer is
 *    closed.
 *
 * A socket is shut down only under the table's lock while its connection is
 * known live (libmicrohttpd reports the close before it closes the
 * descriptor), so a reused descriptor is never touched.
 */
#ifndef CUTOUT_APP_WEB_DOOR_H
#define CUTOUT_APP_WEB_DOOR_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

struct web_door_limits {
	unsigned max_connections; /* connections held at once (1..65536) */
	unsigned header_seconds;  /* to deliver the request headers (1..3600) */
	unsigned idle_seconds;    /* no byte for this long: closed (after the headers) */
	unsigned threads;         /* event threads (1..256) */
	size_t connection_memory; /* libmicrohttpd's pool per connection (headers, buffers) */
	size_t thread_stack;      /* bytes per event thread; 0: the system's */
};

/* 4,096 connections, 10 s for the headers, 60 s idle, 64 threads, 256 KiB each. */
void web_door_limits_default(struct web_door_limits *l);

/*
 * How many callers may queue for expensive work (a gate, app/web/ratelimit.h)
 * that `running` callers do at once. A waiting caller holds its event thread,
 * and so every other connection of that thread: at most `running` wait (so
 * none waits longer than about one piece of work), at most `wanted`, and
 * running + waiting stays within half of the threads. At least 1.
 */
int web_door_queue_bound(const struct web_door_limits *l, int running, int wanted);

struct web_door;

/*
 * Listens on host (IPv4 literal) and port (0: any free one) and serves each
 * request with handler(handler_cls, ...) and, when it ends,
 * completed(completed_cls, ...) (may be NULL). Raises this process's
 * RLIMIT_NOFILE soft limit as far as the connections need (and says so on
 * standard error when the hard limit holds fewer). 0, or -1.
 */
__attribute__((warn_unused_result)) int
web_door_start(const char *host, uint16_t port, const struct web_door_limits *lim,
               MHD_AccessHandlerCallback handler, void *handler_cls,
               MHD_RequestCompletedCallback completed, void *completed_cls, struct web_door **out);
uint16_t web_door_port(const struct web_door *d);

struct web_door_stats {
	unsigned live;    /* connections in the table now */
	uint64_t expired; /* shut down at the header deadline */
	uint64_t evicted; /* shut down to make room */
	uint64_t refused; /* newcomers closed: nothing to evict */
};
void web_door_stats(struct web_door *d, struct web_door_stats *out);

/* Stops the daemon (every connection closed) and frees; NULL is fine. */
void web_door_stop(struct web_door **d);

#endif
