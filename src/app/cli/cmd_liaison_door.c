/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_liaison_door: `cutout liaison serve -d DIR` runs the liaison door
 * (app/liaison/http_liaison.h), the third door of `cutout serve` (which
 * starts it when liaison_port is set). Before it listens it opens, with the
 * admin identity, the instance signing key, derives the witness key from it
 * and, when an officer is named (--as), keeps the signing key (receipts) and
 * the instance's age identity (bundles are sealed to it) and logs the
 * officer in; then it is confined (docs/privsep.md) and serves.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/door_sandbox.h"
#include "app/cli/liaison_keys.h"
#include "app/cli/officer_cli.h"
#include "app/liaison/http_liaison.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/liaison/liaison.h"
#include "core/witness/witness.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/banned.h"

#define L "liaison"

const char liaison_serve_help[] =
        "usage: cutout liaison serve -d DIR [--listen HOST:PORT] [--as NAME] [-i IDENTITY]\n"
        "\n"
        "Runs the liaison door of the instance in DIR: partner instances POST their\n"
        "bundles to /v1/bundle (answered with the signed receipt) and ask this\n"
        "instance to witness their ledger at /add-checkpoint (C2SP tlog-witness).\n"
        "Prints \"liaison: URL\" once it listens. `cutout serve` starts it when\n"
        "liaison_port is set in cutout.conf.\n"
        "\n"
        "The witness key is derived from the instance signing key, opened with the\n"
        "admin identity (-i, default DIR/admin-identity.txt) at the start; without\n"
        "it the door is no witness. Bundles are imported only when an analyst is\n"
        "named with --as NAME (password and TOTP code from $CUTOUT_PASSWORD and\n"
        "$CUTOUT_TOTP, or the terminal): the door then holds that officer's keys,\n"
        "the signing key and the instance's age identity until it stops\n"
        "(docs/liaison.md). Without --as, /v1/bundle answers 503.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR          the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --listen HOST:PORT where to listen (default 127.0.0.1:liaison_port;\n"
        "                         port 0: any free one)\n"
        "      --as NAME          the analyst bundles are imported as\n"
        "  -i, --admin-identity FILE  the admin identity (default DIR/admin-identity.txt)\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

int liaison_door_run(const char *dir, const char *host, int have_port, uint16_t port,
                     const char *ident, const char *as, void (*tell_port)(uint16_t))
{
	struct officer_cli_sess s;
	struct liaison_door *door = NULL;
	struct liaison_keys keys;
	uint8_t *ssk = sodium_malloc(64), *wsk = sodium_malloc(64);
	char path[PATH_MAX], wname[LEDGER_ORIGIN_MAX + 1];
	struct instance_error err;
	int rc = CLI_EXIT_FAIL, witness = 0;
	memset(&s, 0, sizeof s);
	memset(&keys, 0, sizeof keys);
	if (ssk == NULL || wsk == NULL) {
		rc = cli_fail(L, "out of memory");
		goto out;
	}
	if (as != NULL) {
		if ((rc = officer_cli_sess_open(L, dir, as, &s)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_FAIL;
	} else if (instance_open(dir, &s.inst, &err) != INSTANCE_OK) {
		rc = cli_fail(L, "%s", err.msg);
		goto out;
	}
	const struct conf *cf = instance_conf(s.inst);
	int n = ident ? snprintf(path, sizeof path, "%s", ident)
	              : snprintf(path, sizeof path, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	if (n < 0 || (size_t)n >= sizeof path) {
		rc = cli_fail(L, "path too long");
		goto out;
	}
	if (instance_signing_key(s.inst, path, ssk, &err) == INSTANCE_OK &&
	    witness_key_derive(ssk, wsk) == 0) {
		witness = 1;
	} else {
		fprintf(stderr, "cutout liaison: %s: no signing key: this door is no witness\n",
		        path);
	}
	sodium_memzero(ssk, 64);
	/* the liaison key (else the admin identity and the signing key) for bundles */
	if (as != NULL &&
	    (rc = liaison_keys_open(L, s.inst, dir, ident, LIAISON_KEYS_SIGN | LIAISON_KEYS_OPEN,
	                            &keys)) != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_FAIL;
	witness_name(cf->organisation, wname);
	struct liaison_self self;
	liaison_keys_self(&keys, cf, &self);
	struct liaison_door_config dc;
	liaison_door_defaults(&dc);
	dc.host = host != NULL ? host : "127.0.0.1";
	dc.port = have_port ? port : (uint16_t)cf->liaison_port;
	dc.max_bundle = (size_t)cf->liaison_max_bundle;
	dc.web.header_seconds = (unsigned)cf->http_header_seconds;
	dc.store = instance_store(s.inst);
	dc.witness_name = witness ? wname : NULL;
	dc.witness_sk = witness ? wsk : NULL;
	if (as != NULL) {
		dc.reg = s.reg;
		dc.as = s.key;
		dc.self = &self;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct door_sandbox sb = {
	        .kind = DOOR_LIAISON, .dir = dir, .inst = s.inst, .port = dc.port};
	if (door_sandbox_files(&sb) != 0)
		goto out;
	if (liaison_door_start(&dc, &door) != 0) {
		cli_fail(L, "could not listen on %s:%u (in use, or not an address of this machine)",
		         dc.host, (unsigned)dc.port);
		goto out;
	}
	printf("liaison: http://%s:%u/\n", dc.host, (unsigned)liaison_door_port(door));
	fflush(stdout);
	if (tell_port != NULL)
		tell_port(liaison_door_port(door));
	if (door_sandbox_calls(&sb) != 0)
		goto out;
	while (!stop_signal) {
		sleep(1);
		liaison_door_tick(door, 0);
	}
	liaison_door_tick(door, 1); /* the last refusals' summary */
	rc = CLI_EXIT_OK;
out:
	liaison_door_stop(&door);
	liaison_keys_close(&keys);
	sodium_free(ssk);
	sodium_free(wsk);
	if (as != NULL)
		officer_cli_sess_close(&s);
	else
		instance_close(&s.inst);
	return rc;
}

int liaison_serve_main(int argc, char **argv)
{
	enum { O_AS = 256, O_LISTEN };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"listen", required_argument, NULL, O_LISTEN},
	                                      {"admin-identity", required_argument, NULL, 'i'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *as = NULL, *ident = NULL;
	char host[256];
	uint16_t port = 0;
	int have = 0, c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:i:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'i':
			ident = optarg;
			break;
		case O_AS:
			as = optarg;
			break;
		case O_LISTEN: {
			const char *colon = strrchr(optarg, ':');
			uint64_t v;
			size_t hl = colon ? (size_t)(colon - optarg) : 0;
			if (colon == NULL || hl == 0 || hl >= sizeof host ||
			    num_parse_u64(colon + 1, &v) != 0 || v > 65535)
				return cli_usage(L, "--listen HOST:PORT, not '%s'", optarg);
			memcpy(host, optarg, hl);
			host[hl] = '\0';
			port = (uint16_t)v;
			have = 1;
			break;
		}
		case 'h':
			fputs(liaison_serve_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(L, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(L,
			                 "unknown option '%s' (see 'cutout liaison serve --help')",
			                 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(L, "serve takes no argument but its options");
	if (dir == NULL)
		return cli_usage(L, "no instance directory (use -d DIR)");
	return liaison_door_run(dir, have ? host : NULL, have, port, ident, as, NULL);
}
