/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/web/door.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/banned.h"

enum phase {
	PH_FREE = 0,
	PH_HEADERS, /* waiting for a request's headers: the deadline runs */
	PH_REQUEST, /* headers in: the request is read, handled, answered */
};

struct slot {
	struct MHD_Connection *c;
	int fd;
	enum phase phase;
	int closing;       /* shut down by us; waiting for libmicrohttpd to close it */
	uint64_t since_ms; /* PH_HEADERS: accept or end of the last request; PH_REQUEST: headers */
	uint64_t bytes;    /* PH_REQUEST: body bytes so far */
};

struct web_door {
	struct MHD_Daemon *mhd;
	struct web_door_limits lim;
	MHD_AccessHandlerCallback handler;
	void *handler_cls;
	MHD_RequestCompletedCallback completed;
	void *completed_cls;
	uint16_t port;

	pthread_mutex_t lock; /* everything below */
	struct slot *slots;
	unsigned *free_idx; /* a stack of free slot indexes */
	unsigned cap, nfree, closing;
	struct web_door_stats stats;

	pthread_cond_t wake;
	pthread_t reaper;
	int reaper_started, stopping;
};

/*
 * Slots beyond max_connections hold the sockets being shut down until they
 * close. Each event thread accepts up to 10 connections in a row before it
 * closes what was shut down, so a burst can evict 10 per thread at once.
 */
#define RESERVE(max, threads) ((max) / 8 + 32 * (threads))

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void web_door_limits_default(struct web_door_limits *l)
{
	memset(l, 0, sizeof *l);
	l->max_connections = 4096;
	l->header_seconds = 10;
	l->idle_seconds = 60;
	l->threads = 64;
	l->connection_memory = 256 * 1024;
	l->thread_stack = 512 * 1024;
}

int web_door_queue_bound(const struct web_door_limits *l, int running, int wanted)
{
	int half = (int)(l->threads / 2);
	int room = half > running ? half - running : 1;
	if (room > running)
		room = running;
	return room < wanted ? room : wanted;
}

/* Under the lock: shuts a live connection's socket; libmicrohttpd then closes it. */
static void shut(struct web_door *d, struct slot *s)
{
	if (s->closing)
		return;
	(void)shutdown(s->fd, SHUT_RDWR);
	s->closing = 1;
	d->closing++;
}

/*
 * Under the lock: the connection to give up for a newcomer: the one that has
 * waited longest for its headers, else the slowest request past its grace.
 */
static struct slot *victim(struct web_door *d, uint64_t now)
{
	struct slot *oldest = NULL, *slowest = NULL;
	uint64_t grace = (uint64_t)d->lim.header_seconds * 1000u;
	double slowest_rate = 0;
	for (unsigned i = 0; i < d->cap; i++) {
		struct slot *s = &d->slots[i];
		if (s->phase == PH_FREE || s->closing)
			continue;
		if (s->phase == PH_HEADERS) {
			if (oldest == NULL || s->since_ms < oldest->since_ms)
				oldest = s;
		} else if (oldest == NULL && now - s->since_ms > grace) {
			double rate = (double)s->bytes / (double)(now - s->since_ms);
			if (slowest == NULL || rate < slowest_rate) {
				slowest = s;
				slowest_rate = rate;
			}
		}
	}
	return oldest != NULL ? oldest : slowest;
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
	struct web_door *d = cls;
	pthread_mutex_lock(&d->lock);
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct slot *s = *socket_context;
		if (s != NULL) {
			if (s->closing)
				d->closing--;
			memset(s, 0, sizeof *s);
			d->free_idx[d->nfree++] = (unsigned)(s - d->slots);
			*socket_context = NULL;
		}
		pthread_mutex_unlock(&d->lock);
		return;
	}
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci != NULL ? ci->connect_fd : -1;
	uint64_t now = now_ms();
	*socket_context = NULL;
	unsigned held = d->cap - d->nfree - d->closing;
	if (held >= d->lim.max_connections) {
		struct slot *v = victim(d, now);
		if (v != NULL) {
			shut(d, v);
			d->stats.evicted++;
		}
	}
	if (d->nfree == 0 || fd < 0 || (d->cap - d->nfree - d->closing) >= d->lim.max_connections) {
		/* Nothing could be evicted: the newcomer is the one closed. */
		if (fd >= 0)
			(void)shutdown(fd, SHUT_RDWR);
		d->stats.refused++;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	struct slot *s = &d->slots[d->free_idx[--d->nfree]];
	s->c = c;
	s->fd = fd;
	s->phase = PH_HEADERS;
	s->closing = 0;
	s->since_ms = now;
	s->bytes = 0;
	*socket_context = s;
	pthread_mutex_unlock(&d->lock);
}

static struct slot *slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* The door's handler, after noting that the headers are in and counting body bytes. */
static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version, const char *data,
                                      size_t *size, void **con_cls)
{
	struct web_door *d = cls;
	struct slot *s = slot_of(c);
	if (s != NULL) {
		pthread_mutex_lock(&d->lock);
		if (s->phase == PH_HEADERS) {
			s->phase = PH_REQUEST;
			s->since_ms = now_ms();
			s->bytes = 0;
		}
		s->bytes += *size;
		pthread_mutex_unlock(&d->lock);
	}
	return d->handler(d->handler_cls, c, url, method, version, data, size, con_cls);
}

/* A request ended: a kept-alive connection waits for the next headers, on the deadline. */
static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
	struct web_door *d = cls;
	if (d->completed != NULL)
		d->completed(d->completed_cls, c, con_cls, toe);
	struct slot *s = slot_of(c);
	if (s == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	if (s->phase == PH_REQUEST) {
		s->phase = PH_HEADERS;
		s->since_ms = now_ms();
		s->bytes = 0;
	}
	pthread_mutex_unlock(&d->lock);
}

/* Shuts the connections past their header deadline, four times a second. */
static void *reaper_main(void *arg)
{
	struct web_door *d = arg;
	uint64_t limit = (uint64_t)d->lim.header_seconds * 1000u;
	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		uint64_t now = now_ms();
		for (unsigned i = 0; i < d->cap; i++) {
			struct slot *s = &d->slots[i];
			if (s->phase == PH_HEADERS && !s->closing && now - s->since_ms >= limit) {
				shut(d, s);
				d->stats.expired++;
			}
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&d->wake, &d->lock, &ts);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* libmicrohttpd's own messages may name peers: they are dropped, never logged. */
static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
}

/*
 * Raises the soft RLIMIT_NOFILE towards what max connections need; returns
 * how many connections the limit allows.
 */
static unsigned fit_files(unsigned max, unsigned threads)
{
	const rlim_t spare = 128; /* the store, logs, pipes, the listener */
	rlim_t want = (rlim_t)max + RESERVE(max, threads) + spare;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur =
		        rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return max;
	}
	if (rl.rlim_cur >= want)
		return max;
	rlim_t room = rl.rlim_cur > spare + 32 ? rl.rlim_cur - spare : 32;
	/* max + max/8 + 32 threads <= room */
	rlim_t burst = 32 * (rlim_t)threads;
	unsigned fit = room > burst ? (unsigned)((room - burst) * 8 / 9) : 1;
	if (fit == 0)
		fit = 1;
	fprintf(stderr,
	        "cutout: the open-files limit (%llu) holds %u connections, not %u; raise "
	        "LimitNOFILE (ulimit -n)\n",
	        (unsigned long long)rl.rlim_cur, fit, max);
	return fit < max ? fit : max;
}

static void door_free(struct web_door *d)
{
	if (d->reaper_started) {
		pthread_mutex_lock(&d->lock);
		d->stopping = 1;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->reaper, NULL);
	}
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d->slots);
	free(d->free_idx);
	free(d);
}

int web_door_start(const char *host, uint16_t port, const struct web_door_limits *lim,
                   MHD_AccessHandlerCallback handler, void *handler_cls,
                   MHD_RequestCompletedCallback completed, void *completed_cls,
                   struct web_door **out)
{
	*out = NULL;
	if (lim->max_connections == 0 || lim->max_connections > 65536 || lim->header_seconds == 0 ||
	    lim->header_seconds > 3600 || lim->idle_seconds == 0 || lim->threads == 0 ||
	    lim->threads > 256 || lim->connection_memory < 4096)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	struct web_door *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	d->lim = *lim;
	d->lim.max_connections = fit_files(lim->max_connections, lim->threads);
	d->handler = handler;
	d->handler_cls = handler_cls;
	d->completed = completed;
	d->completed_cls = completed_cls;
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &ca);
	pthread_condattr_destroy(&ca);
	d->cap = d->lim.max_connections + RESERVE(d->lim.max_connections, d->lim.threads);
	d->slots = calloc(d->cap, sizeof *d->slots);
	d->free_idx = calloc(d->cap, sizeof *d->free_idx);
	if (d->slots == NULL || d->free_idx == NULL) {
		door_free(d);
		return -1;
	}
	for (unsigned i = 0; i < d->cap; i++)
		d->free_idx[i] = d->cap - 1 - i;
	d->nfree = d->cap;
	if (pthread_create(&d->reaper, NULL, reaper_main, d) != 0) {
		door_free(d);
		return -1;
	}
	d->reaper_started = 1;
	/*
	 * libmicrohttpd splits its connection limit evenly over the threads and a
	 * thread at its share stops accepting; the table above is the real
	 * bound, so each thread's share is the whole table.
	 */
	unsigned mhd_limit = d->cap * d->lim.threads;
	d->mhd = MHD_start_daemon(
	        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG,
	        0, NULL, NULL, access_handler, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	        MHD_OPTION_THREAD_POOL_SIZE, d->lim.threads, MHD_OPTION_NOTIFY_CONNECTION,
	        notify_connection, d, MHD_OPTION_NOTIFY_COMPLETED, request_completed, d,
	        MHD_OPTION_CONNECTION_LIMIT, mhd_limit, MHD_OPTION_CONNECTION_TIMEOUT,
	        d->lim.idle_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, d->lim.connection_memory,
	        MHD_OPTION_THREAD_STACK_SIZE, d->lim.thread_stack, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	        1024u, MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL, MHD_OPTION_END);
	if (d->mhd == NULL) {
		door_free(d);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	d->port = info != NULL ? info->port : port;
	*out = d;
	return 0;
}

uint16_t web_door_port(const struct web_door *d)
{
	return d->port;
}

void web_door_stats(struct web_door *d, struct web_door_stats *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->stats;
	out->live = d->cap - d->nfree;
	pthread_mutex_unlock(&d->lock);
}

void web_door_stop(struct web_door **pd)
{
	struct web_door *d = *pd;
	if (d == NULL)
		return;
	MHD_stop_daemon(d->mhd);
	door_free(d);
	*pd = NULL;
}
