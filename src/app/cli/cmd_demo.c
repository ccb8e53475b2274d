/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_demo: `cutout demo [DIR]` makes a throwaway instance with a demo officer
 * and serves it (through cmd_serve.c's supervisor).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/door_sandbox.h"
#include "app/cli/serve_internal.h"
#include "app/desk/http_desk.h"
#include "app/intake/http_intake.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/officer/officer.h"
#include "core/safeview/safeview.h"
#include "lib/codename.h"
#include "lib/totp.h"
#include "lib/conf.h"
#include "lib/num.h"

#include "lib/banned.h"

const char demo_help[] =
        "usage: cutout demo [DIR] [--port PORT] [--desk-port PORT]\n"
        "\n"
        "Creates a throwaway demo instance (in a new temporary directory unless\n"
        "DIR is given), serves its intake on http://127.0.0.1:8080/ and its desk on\n"
        "http://127.0.0.1:8081/, and creates a demo admin officer (with the intake\n"
        "role, already enrolled) whose name, password and TOTP secret it prints.\n"
        "A DIR that already holds an instance is served as it is (the demo officer\n"
        "is added unless an enabled admin exists). A temporary instance is deleted\n"
        "when the demo stops (Ctrl-C).\n"
        "\n"
        "  --port PORT       serve the intake on another port (0 picks a free one)\n"
        "  --desk-port PORT  serve the desk on another port (0 picks a free one)\n";

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

/*
 * The demo officer "demo-admin" (every role), made with the instance's admin
 * identity and enrolled at once (app/officer_cli), so a newcomer can log in to
 * the desk straight away. Prints the name, the password, the TOTP secret and
 * its otpauth URI.
 */
static int demo_officer(const char *dir)
{
	struct instance *inst = NULL;
	struct instance_error err;
	char *pw = sodium_malloc(CODENAME_BUFSIZE);
	char secret[TOTP_B32_MAX], uri[TOTP_URI_MAX];
	int rc = -1;
	if (pw == NULL)
		return -1;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK) {
		cli_fail("demo", "%s", err.msg);
		goto out;
	}
	if (officer_cli_demo_admin(inst, "demo-admin", pw, CODENAME_BUFSIZE, secret, uri,
	                           sizeof uri) != 0)
		goto out;
	printf("  demo officer (every role) for the desk:\n"
	       "    name:         demo-admin\n"
	       "    password:     %s\n"
	       "    TOTP secret:  %s\n"
	       "    otpauth URI:  %s\n",
	       pw, secret, uri);
	rc = 0;
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(pw, CODENAME_BUFSIZE);
	sodium_free(pw);
	instance_close(&inst);
	return rc;
}

int demo_main(int argc, char **argv)
{
	static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
	                                     {"desk-port", required_argument, NULL, 'd'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	long port = 8080, desk_port = 8081;
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
		case 'd': {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != 0 || optarg[0] == 0 || v < 0 || v > 65535)
				return cli_usage("demo", "bad port '%s'", optarg);
			if (c == 'p')
				port = v;
			else
				desk_port = v;
			break;
		}
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
	char conf_path[PATH_MAX];
	int n = snprintf(conf_path, sizeof conf_path, "%s/%s", dir, INSTANCE_CONF);
	if (n < 0 || (size_t)n >= sizeof conf_path)
		return cli_fail("demo", "path too long");
	/* An existing instance is served as it is (the demo officer is added if it can be). */
	int existing = !temporary && access(conf_path, F_OK) == 0;
	if (!existing && instance_init(dir, &io, &created, &err) != INSTANCE_OK) {
		if (temporary)
			(void)remove_tree(tmp);
		return cli_fail("demo", "%s", err.msg);
	}
	printf("cutout demo %s in %s\n"
	       "  admin identity (makes the first admin officer; keep it offline in real use):\n"
	       "    %s/admin-identity.txt\n"
	       "  read what arrives:  cutout inbox list -d %s --as demo-admin\n"
	       "  reply to a source:  cutout inbox reply -d %s --as demo-admin SOURCE_ID 'text'\n"
	       "  (the inbox asks for the demo officer's password and a TOTP code)\n",
	       existing ? "serving the existing instance" : "instance", dir, dir, dir, dir);
	if (demo_officer(dir) != 0) {
		if (temporary)
			(void)remove_tree(tmp);
		return CLI_EXIT_FAIL;
	}
	printf("Stop with Ctrl-C%s.\n", temporary ? " (the instance is then deleted)" : "");
	struct door_opts o;
	memset(&o, 0, sizeof o);
	o.dir = dir;
	memcpy(o.intake_host, "127.0.0.1", sizeof "127.0.0.1");
	memcpy(o.desk_host, "127.0.0.1", sizeof "127.0.0.1");
	o.have_intake = o.have_desk = 1;
	o.intake_port = (uint16_t)port;
	o.desk_port = (uint16_t)desk_port;
	int rc = serve_dir("demo", &o);
	if (temporary)
		(void)remove_tree(tmp);
	return rc;
}
