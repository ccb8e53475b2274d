/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_serve: `cutout serve DIR` starts every door of an instance, each in its
 * own process (today: the intake); `cutout intake DIR` runs the intake door
 * alone; `cutout demo [DIR]` makes a throwaway instance and serves it.
 *
 * The intake process opens the store and the intake label's PUBLIC key only:
 * no private key of the organisation is ever loaded into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/http_intake.h"
#include "core/instance.h"
#include "core/intake.h"
#include "lib/conf.h"

#include "lib/banned.h"

const char serve_help[] = "usage: cutout serve DIR [--intake-listen HOST:PORT]\n"
                          "\n"
                          "Serves the instance in DIR: starts each door in a process of its own\n"
                          "(today the intake, the open door for sources) and stops them all on\n"
                          "SIGINT or SIGTERM. Prints each door's URL on standard output.\n"
                          "\n"
                          "  --intake-listen HOST:PORT  override intake_listen from cutout.conf\n"
                          "                             (port 0 picks a free port)\n";

const char intake_help[] =
        "usage: cutout intake DIR [--listen HOST:PORT]\n"
        "\n"
        "Runs only the intake door of the instance in DIR: the web pages and JSON\n"
        "API through which anonymous sources create a codename, send messages and\n"
        "files (sealed on arrival to the intake label's public key) and read\n"
        "replies. It holds no private key of the organisation. Put it behind a Tor\n"
        "onion service (docs/onion-service.md). Stops on SIGINT or SIGTERM.\n"
        "\n"
        "  --listen HOST:PORT  override intake_listen from cutout.conf (port 0: any)\n";

const char demo_help[] = "usage: cutout demo [DIR] [--port PORT]\n"
                         "\n"
                         "Creates a throwaway demo instance (in a new temporary directory unless\n"
                         "DIR is given), serves its intake on http://127.0.0.1:8080/ and prints\n"
                         "where the admin identity is and how to read what arrives. A temporary\n"
                         "instance is deleted when the demo stops (Ctrl-C).\n"
                         "\n"
                         "  --port PORT  serve on another port (0 picks a free one)\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int parse_listen(const char *cmd, const char *s, char *host, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s || (size_t)(colon - s) >= cap)
		return cli_usage(cmd, "expected HOST:PORT, got '%s'", s);
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != 0 || colon[1] == 0 || p < 0 || p > 65535)
		return cli_usage(cmd, "bad port in '%s'", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	*port = (uint16_t)p;
	return 0;
}

/* Runs the intake door until a signal. */
static int run_intake(const char *cmd, const char *dir, const char *host, int have_port,
                      uint16_t port)
{
	struct instance *inst = NULL;
	struct intake *in = NULL;
	struct intake_door *door = NULL;
	int rc = CLI_EXIT_FAIL;
	struct instance_error err;

	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail(cmd, "%s", err.msg);
	const struct conf *cf = instance_conf(inst);
	struct intake_kdf kdf = {.opslimit = (uint64_t)cf->argon2_opslimit,
	                         .memlimit = (size_t)cf->argon2_memlimit};
	struct intake_limits lim = {
	        .max_upload_bytes = cf->max_upload_bytes,
	        .max_message_bytes = (size_t)cf->max_message_chars,
	        .max_files = (int)cf->max_files_per_submission,
	        .submissions_per_day = cf->submissions_per_source_per_day,
	};
	uint8_t label_pk[32], salt[INSTANCE_SALT_LEN];
	instance_intake_label_pk(inst, label_pk);
	instance_codename_salt(inst, salt);
	if (intake_new(instance_store(inst), label_pk, salt, &kdf, &lim, cf->default_marking,
	               &in) != INTAKE_OK) {
		cli_fail(cmd, "could not set up the intake");
		goto out;
	}
	struct intake_door_config dc;
	intake_door_defaults(&dc);
	dc.host = host != NULL ? host : cf->intake_listen.host;
	dc.port = have_port ? port : cf->intake_listen.port;
	dc.org = cf->organisation;
	dc.idle_seconds = (unsigned)cf->session_idle_seconds;
	/*
	 * Attempts per session (refused ones count too): ten times what a source
	 * may commit in a day, so a session cannot hammer the door with uploads
	 * that are refused late.
	 */
	dc.submissions_per_session = (int)(cf->submissions_per_source_per_day * 10);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (intake_door_start(&dc, in, &door) != 0) {
		cli_fail(cmd,
		         "could not listen on %s:%u (in use, or not an address of this machine)",
		         dc.host, (unsigned)dc.port);
		goto out;
	}
	printf("intake: http://%s:%u/\n", dc.host, (unsigned)intake_door_port(door));
	fflush(stdout);
	while (!stop_signal)
		pause();
	rc = CLI_EXIT_OK;
out:
	intake_door_stop(&door);
	intake_free(&in);
	instance_close(&inst);
	return rc;
}

/*
 * The arguments of the door commands: DIR and an optional --OPTNAME HOST:PORT.
 * Returns -1 when the command should go on, else the exit code.
 */
static int door_args(const char *cmd, const char *optname, const char *help, int argc, char **argv,
                     const char **dir, char *host, size_t cap, uint16_t *port, int *have)
{
	const struct option opts[] = {{optname, required_argument, NULL, 'l'},
	                              {"help", no_argument, NULL, 'h'},
	                              {NULL, 0, NULL, 0}};
	int c;
	*have = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return CLI_EXIT_OK;
		case 'l':
			if (parse_listen(cmd, optarg, host, cap, port) != 0)
				return CLI_EXIT_USAGE;
			*have = 1;
			break;
		default:
			return cli_usage(cmd, "unknown option '%s' (see 'cutout help %s')",
			                 argv[optind - 1], cmd);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "expected one instance directory (see 'cutout help %s')",
		                 cmd);
	*dir = argv[optind];
	return -1;
}

int intake_main(int argc, char **argv)
{
	char host[256];
	uint16_t port = 0;
	int have, rc;
	const char *dir;
	if ((rc = door_args("intake", "listen", intake_help, argc, argv, &dir, host, sizeof host,
	                    &port, &have)) >= 0)
		return rc;
	return run_intake("intake", dir, have ? host : NULL, have, port);
}

/* Starts each door in a child process and waits; a signal stops them all. */
static int serve_dir(const char *cmd, const char *dir, const char *host, int have, uint16_t port)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fflush(stdout);
	pid_t intake = fork();
	if (intake < 0)
		return cli_fail(cmd, "fork: %s", strerror(errno));
	if (intake == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		prctl(PR_SET_NAME, "cutout-intake");
		_exit(run_intake("intake", dir, host, have, port));
	}
	int status = 0, rc = CLI_EXIT_OK, stopping = 0;
	for (;;) {
		if (stop_signal && !stopping) {
			kill(intake, SIGTERM);
			stopping = 1;
		}
		pid_t w = waitpid(intake, &status, 0);
		if (w == intake) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_FAIL;
			if (!stop_signal && rc == CLI_EXIT_OK)
				rc = CLI_EXIT_FAIL;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
	}
	return rc;
}

int serve_main(int argc, char **argv)
{
	char host[256];
	uint16_t port = 0;
	int have, rc;
	const char *dir;
	if ((rc = door_args("serve", "intake-listen", serve_help, argc, argv, &dir, host,
	                    sizeof host, &port, &have)) >= 0)
		return rc;
	return serve_dir("serve", dir, have ? host : NULL, have, port);
}

static int remove_tree(const char *path)
{
	char cmd[PATH_MAX + 32];
	/* Only ever our own mkdtemp directory under /tmp. */
	if (strncmp(path, "/tmp/cutout-demo-", 17) != 0 || strchr(path, '\'') != NULL)
		return -1;
	int n = snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", path);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return -1;
	return system(cmd);
}

int demo_main(int argc, char **argv)
{
	static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	long port = 8080;
	int c;
	char *end;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hp:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(demo_help, stdout);
			return CLI_EXIT_OK;
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || *end != 0 || port < 0 || port > 65535)
				return cli_usage("demo", "bad port '%s'", optarg);
			break;
		default:
			return cli_usage("demo", "unknown option '%s' (see 'cutout help demo')",
			                 argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage("demo", "too many arguments (see 'cutout help demo')");
	char tmp[] = "/tmp/cutout-demo-XXXXXX";
	char dir[PATH_MAX];
	int temporary = argc - optind == 0;
	if (temporary) {
		if (mkdtemp(tmp) == NULL)
			return cli_fail("demo", "mkdtemp: %s", strerror(errno));
		int n = snprintf(dir, sizeof dir, "%s/instance", tmp);
		if (n < 0 || (size_t)n >= sizeof dir)
			return cli_fail("demo", "path too long");
	} else {
		int n = snprintf(dir, sizeof dir, "%s", argv[optind]);
		if (n < 0 || (size_t)n >= sizeof dir)
			return cli_fail("demo", "path too long");
	}
	struct instance_error err;
	struct instance_options io = {.organisation = "cutout demo"};
	struct instance_created created;
	if (instance_init(dir, &io, &created, &err) != INSTANCE_OK) {
		if (temporary)
			(void)remove_tree(tmp);
		return cli_fail("demo", "%s", err.msg);
	}
	printf("cutout demo instance in %s\n"
	       "  admin identity (opens submissions; keep it offline in real use):\n"
	       "    %s/admin-identity.txt\n"
	       "  read what arrives:  cutout inbox list -d %s\n"
	       "  reply to a source:  cutout inbox reply -d %s SOURCE_ID 'text'\n"
	       "Stop with Ctrl-C%s.\n",
	       dir, dir, dir, dir, temporary ? " (the instance is then deleted)" : "");
	char host[] = "127.0.0.1";
	int rc = serve_dir("demo", dir, host, 1, (uint16_t)port);
	if (temporary)
		(void)remove_tree(tmp);
	return rc;
}
