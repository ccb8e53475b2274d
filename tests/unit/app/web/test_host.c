/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* app/web/host: the Host names a door answers (DNS rebinding). */
#include "app/web/host.h"
#include "t.h"

int main(void)
{
	const char *l = "127.0.0.1";
	T_OK(http_host_allowed("127.0.0.1:8081", "listen", l, 8081), "the listen address");
	T_OK(http_host_allowed("localhost:8081", "listen", l, 8081), "localhost at the port");
	T_OK(http_host_allowed("LocalHost:8081", "listen", l, 8081), "names ignore case");
	T_OK(!http_host_allowed("localhost:8082", "listen", l, 8081), "another port is refused");
	T_OK(!http_host_allowed("localhost", "listen", l, 8081), "no port means 80");
	T_OK(http_host_allowed("localhost", "listen", l, 80), "port 80 may be left out");
	T_OK(!http_host_allowed("evil.example:8081", "listen", l, 8081), "another name is refused");
	T_OK(!http_host_allowed("localhost.evil.example:8081", "listen", l, 8081),
	     "a name that starts like an allowed one is refused");
	T_OK(!http_host_allowed(NULL, "listen", l, 8081), "no Host is refused");
	T_OK(!http_host_allowed("", "listen", l, 8081), "an empty Host is refused");
	T_OK(!http_host_allowed("localhost:", "listen", l, 8081), "a bare colon is refused");
	T_OK(!http_host_allowed("localhost:8081x", "listen", l, 8081), "a bad port is refused");
	T_OK(!http_host_allowed("localhost:99999", "listen", l, 8081),
	     "a port over 65535 is refused");
	const char *list = " desk.internal , listen,[::1]:8081, proxy.example:443";
	T_OK(http_host_allowed("desk.internal:8081", list, l, 8081),
	     "a listed name at the door's port");
	T_OK(!http_host_allowed("desk.internal:443", list, l, 8081),
	     "a listed name at another port");
	T_OK(http_host_allowed("proxy.example:443", list, l, 8081), "a listed name:port");
	T_OK(http_host_allowed("[::1]:8081", list, l, 8081), "an IPv6 name in brackets");
	T_OK(!http_host_allowed("[::1", list, l, 8081), "an unclosed bracket is refused");
	T_OK(http_host_allowed("127.0.0.1:8081", list, l, 8081), "listen within a list");
	T_OK(!http_host_allowed("127.0.0.1:8081", "desk.internal", l, 8081),
	     "without listen the listen address is not allowed");
	T_OK(!http_host_allowed("127.0.0.1:8081", "", l, 8081), "an empty list allows nothing");
	return t_done();
}
