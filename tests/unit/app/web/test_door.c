/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* app/web/door: the header deadline, eviction of the oldest when full, the queue bound. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/web/door.h"
#include "t.h"

#define SLOW 40
#define MAXC 16

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
	static const char body[] = "ok\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
	                                                         MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	enum MHD_Result res = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return res;
}

static int dial(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the server has closed fd (EOF or reset), without waiting. */
static int is_closed(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	char ch;
	return recv(fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

/* A whole request on a new connection: 1 when "200" comes back. */
static int served(uint16_t port)
{
	int fd = dial(port);
	if (fd < 0)
		return 0;
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[256];
	ssize_t n = -1;
	if (send(fd, req, sizeof req - 1, 0) == (ssize_t)(sizeof req - 1)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 2000) == 1)
			n = recv(fd, buf, sizeof buf - 1, 0);
	}
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strncmp(buf, "HTTP/1.1 200", 12) == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int main(void)
{
	struct web_door_limits l;
	web_door_limits_default(&l);
	T_CHECK(web_door_queue_bound(&l, 4, 64) == 4);
	T_CHECK(web_door_queue_bound(&l, 2, 1) == 1);
	l.threads = 4;
	T_OK(web_door_queue_bound(&l, 4, 64) == 1, "at least one may wait");
	l.threads = 12;
	T_OK(web_door_queue_bound(&l, 4, 64) == 2, "running + waiting within half the threads");

	l.max_connections = MAXC;
	l.header_seconds = 1;
	l.threads = 2;
	struct web_door *d = NULL;
	T_CHECK(web_door_start("127.0.0.1", 0, &l, answer, NULL, NULL, NULL, &d) == 0);
	if (d == NULL)
		return t_done();
	uint16_t port = web_door_port(d);
	T_OK(served(port), "a request is served");

	int fds[SLOW];
	static const char part[] = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	for (int i = 0; i < SLOW; i++) {
		fds[i] = dial(port);
		if (fds[i] >= 0)
			(void)send(fds[i], part, sizeof part - 1, 0);
		sleep_ms(5); /* accepted in order */
	}
	sleep_ms(200);
	struct web_door_stats st;
	web_door_stats(d, &st);
	int open_first = 0, open_last = 0;
	for (int i = 0; i < SLOW; i++) {
		if (i < SLOW - MAXC)
			open_first += !is_closed(fds[i]);
		else
			open_last += !is_closed(fds[i]);
	}
	T_OK(st.evicted >= SLOW - MAXC && st.refused == 0, "full: %llu evicted, %llu refused",
	     (unsigned long long)st.evicted, (unsigned long long)st.refused);
	T_OK(open_first == 0 && open_last == MAXC,
	     "the oldest were evicted (%d), the newest kept (%d)", open_first, open_last);
	T_OK(served(port), "a fresh client is served with the table full");

	sleep_ms(1600);
	web_door_stats(d, &st);
	int still = 0;
	for (int i = 0; i < SLOW; i++)
		still += fds[i] >= 0 && !is_closed(fds[i]);
	T_OK(still == 0 && st.expired + st.evicted >= SLOW,
	     "all closed at the header deadline (%d open, %llu expired)", still,
	     (unsigned long long)st.expired);
	int idle = dial(port);
	sleep_ms(400);
	T_OK(idle >= 0 && !is_closed(idle), "an idle connection is kept before the deadline");
	sleep_ms(1300);
	T_OK(idle >= 0 && is_closed(idle), "and closed after it");
	for (int i = 0; i < SLOW; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (idle >= 0)
		close(idle);
	web_door_stats(d, &st);
	T_OK(served(port), "the door still serves");
	web_door_stop(&d);
	T_CHECK(d == NULL);
	web_door_stop(&d);
	return t_done();
}
