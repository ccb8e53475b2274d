/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_tor: `cutout tor-config`, the torrc that publishes an instance's intake
 * (and only the intake) as a Tor onion service with Tor's defences against
 * denial of service on: proof of work at the introduction points, their rate
 * limit, a bound on streams per circuit, and Tor's own syscall sandbox.
 * docs/onion-service.md walks through a deployment with it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/instance/instance.h"
#include "lib/conf.h"

#include "lib/banned.h"

const char tor_config_help[] =
        "usage: cutout tor-config -d DIR [--hs-dir PATH] [--data-dir PATH]\n"
        "\n"
        "Prints a torrc that publishes the intake of the instance in DIR (its\n"
        "intake_listen, which must be a loopback address) as a v3 onion service,\n"
        "and nothing else: the desk is never published on the intake's onion\n"
        "service. Tor's defences are on: proof of work at the introduction points\n"
        "(HiddenServicePoWDefensesEnabled), the introduction points' rate limit\n"
        "(25 a second, bursts of 200), at most 32 streams per circuit (a circuit\n"
        "asking for more is closed), and Sandbox 1. The comments at its end say\n"
        "how to add the vanguards add-on. Check it with `tor --verify-config -f\n"
        "FILE`; see docs/onion-service.md.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR     the instance directory (or $CUTOUT_INSTANCE)\n"
        "  --hs-dir PATH     the onion service's directory, where tor keeps its\n"
        "                    keys and hostname (default /var/lib/tor/cutout/)\n"
        "  --data-dir PATH   a DataDirectory line (default: none, tor's own)\n";

#define TOR_PATH_MAX 1024

/* A path tor reads as one value: absolute, no whitespace, quote or control character. */
static int path_ok(const char *p)
{
	if (p[0] != '/' || strlen(p) > TOR_PATH_MAX)
		return 0;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c <= ' ' || *c == '"' || *c == '\\' || *c == '#' || *c == 0x7f)
			return 0;
	return 1;
}

/* The intake's address as tor's HiddenServicePort target; -1 if not loopback. */
static int target(const struct conf_listen *l, char *out, size_t cap)
{
	const char *h = l->host;
	int n;
	if (strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0)
		n = snprintf(out, cap, "%s:%u", strcmp(h, "localhost") == 0 ? "127.0.0.1" : h,
		             (unsigned)l->port);
	else if (strcmp(h, "::1") == 0)
		n = snprintf(out, cap, "[::1]:%u", (unsigned)l->port);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int tor_config_main(int argc, char **argv)
{
	enum { O_HS = 256, O_DATA };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"hs-dir", required_argument, NULL, O_HS},
	                                      {"data-dir", required_argument, NULL, O_DATA},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *hs = "/var/lib/tor/cutout/", *data = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case O_HS:
			hs = optarg;
			break;
		case O_DATA:
			data = optarg;
			break;
		case 'h':
			fputs(tor_config_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("tor-config", "option '%s' needs a value",
			                 argv[optind - 1]);
		default:
			return cli_usage("tor-config",
			                 "unknown option '%s' (see 'cutout help tor-config')",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("tor-config", "unexpected argument '%s'", argv[optind]);
	if (dir == NULL)
		return cli_usage("tor-config", "no instance directory (use -d DIR)");
	if (!path_ok(hs) || (data != NULL && !path_ok(data)))
		return cli_usage("tor-config",
		                 "--hs-dir and --data-dir take an absolute path without "
		                 "spaces, quotes or '#'");
	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("tor-config", "%s", err.msg);
	const struct conf *cf = instance_conf(inst);
	char to[CONF_HOST_MAX + 16];
	if (target(&cf->intake_listen, to, sizeof to) != 0) {
		cli_fail("tor-config",
		         "intake_listen is %s:%u: an onion service's door listens on a loopback "
		         "address only (127.0.0.1, ::1); change it in cutout.conf",
		         cf->intake_listen.host, (unsigned)cf->intake_listen.port);
		instance_close(&inst);
		return CLI_EXIT_FAIL;
	}
	printf("## torrc for the intake of a cutout instance (cutout tor-config).\n"
	       "## Only the intake is published; the desk (%s:%u) never is, on this or\n"
	       "## any onion service: officers reach it on the organisation's network.\n"
	       "\n"
	       "## This tor is a server only: no SOCKS port for local clients.\n"
	       "SocksPort 0\n"
	       "## Tor's seccomp sandbox.\n"
	       "Sandbox 1\n",
	       cf->desk_listen.host, (unsigned)cf->desk_listen.port);
	if (data != NULL)
		printf("DataDirectory %s\n", data);
	printf("\n"
	       "HiddenServiceDir %s\n"
	       "HiddenServiceVersion 3\n"
	       "HiddenServicePort 80 %s\n"
	       "## At most 32 streams per rendezvous circuit; a circuit asking for more is "
	       "closed.\n"
	       "HiddenServiceMaxStreams 32\n"
	       "HiddenServiceMaxStreamsCloseCircuit 1\n"
	       "## The introduction points refuse introductions beyond 25 a second, bursts of "
	       "200.\n"
	       "HiddenServiceEnableIntroDoSDefense 1\n"
	       "HiddenServiceEnableIntroDoSRatePerSec 25\n"
	       "HiddenServiceEnableIntroDoSBurstPerSec 200\n"
	       "## Under load, clients must solve a proof of work to be introduced (tor >= "
	       "0.4.8).\n"
	       "HiddenServicePoWDefensesEnabled 1\n"
	       "\n"
	       "## The vanguards add-on (Debian package vanguards) guards the service's\n"
	       "## circuits against guard discovery. To run it, uncomment these two lines,\n"
	       "## restart tor, and run as the tor user:\n"
	       "##   vanguards --control_socket /run/tor/vanguards.sock\n"
	       "# ControlSocket /run/tor/vanguards.sock\n"
	       "# CookieAuthentication 1\n",
	       hs, to);
	instance_close(&inst);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
