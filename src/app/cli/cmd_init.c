/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* cmd_init: `cutout init DIR` creates an instance directory (core/instance/instance.h). */
#include <stdio.h>
#include <string.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/liaison_keys.h"
#include "core/instance/instance.h"

#include "lib/banned.h"

const char init_help[] =
        "usage: cutout init DIR [--organisation NAME] [--store postgresql://...]\n"
        "\n"
        "Creates a new cutout instance in DIR (which must not exist, or be empty):\n"
        "the configuration (cutout.conf), the store (store.db), the intake label key\n"
        "pair, the instance's Ed25519 signing key and an admin age identity.\n"
        "\n"
        "The private keys of the intake label and of the instance are written only\n"
        "sealed (age) to the admin identity, which is written in clear to\n"
        "DIR/admin-identity.txt. Move that file offline: whoever holds it can read\n"
        "every submission. `age -d -i admin-identity.txt DIR/intake-label.key.age`\n"
        "recovers the intake label identity on an offline machine.\n"
        "\n"
        "Options:\n"
        "  --organisation NAME   the name shown to sources (default: cutout)\n"
        "  --store LOCATION      a PostgreSQL database for the store instead of\n"
        "                        DIR/store.db: postgresql://USER@HOST:PORT/DB, or\n"
        "                        postgresql:///DB?host=/socket/dir; an empty database,\n"
        "                        written to cutout.conf as `store`. Never a password in\n"
        "                        it: libpq reads it from PGPASSFILE or ~/.pgpass\n"
        "                        (docs/operations.md)\n"
        "  -h, --help            show this help\n";

int init_main(int argc, char **argv)
{
	const char *dir = NULL, *org = NULL, *store = NULL;
	struct instance_options opt;
	struct instance_created created;
	struct instance_error err;

	if (cli_wants_help(argc, argv)) {
		fputs(init_help, stdout);
		return CLI_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--organisation") == 0 || strcmp(a, "--organization") == 0) {
			if (i + 1 >= argc)
				return cli_usage("init", "%s needs a NAME", a);
			org = argv[++i];
		} else if (strncmp(a, "--organisation=", 15) == 0) {
			org = a + 15;
		} else if (strcmp(a, "--store") == 0) {
			if (i + 1 >= argc)
				return cli_usage("init", "--store needs a LOCATION");
			store = argv[++i];
		} else if (strncmp(a, "--store=", 8) == 0) {
			store = a + 8;
		} else if (strcmp(a, "--") == 0) {
			if (i + 1 < argc && dir == NULL)
				dir = argv[++i];
			if (i + 1 < argc)
				return cli_usage("init", "unexpected argument '%s'", argv[i + 1]);
			break;
		} else if (a[0] == '-') {
			return cli_usage("init", "unknown option '%s' (see 'cutout init --help')",
			                 a);
		} else if (dir == NULL) {
			dir = a;
		} else {
			return cli_usage("init", "unexpected argument '%s'", a);
		}
	}
	if (dir == NULL || dir[0] == 0)
		return cli_usage("init",
		                 "missing DIR (usage: cutout init DIR [--organisation NAME])");

	memset(&opt, 0, sizeof opt);
	opt.organisation = org;
	opt.store = store;
	enum instance_result rc = instance_init(dir, &opt, &created, &err);
	if (rc != INSTANCE_OK)
		return rc == INSTANCE_ERR_ARG ? cli_usage("init", "%s", err.msg)
		                              : cli_fail("init", "%s", err.msg);

	char lvkey[STORE_PARTNER_KEY_MAX + 1], lrcp[AGE_RECIPIENT_STRLEN + 1];
	if (liaison_key_write("init", dir, 1, lvkey, sizeof lvkey, lrcp, sizeof lrcp) !=
	    CLI_EXIT_OK)
		return cli_fail("init",
		                "%s/%s: the liaison key could not be made (make it with "
		                "cutout liaison keygen)",
		                dir, LIAISON_KEY_FILE);
	printf("Created the cutout instance %s:\n"
	       "  %s/%-22s configuration (edit it; every key is documented)\n"
	       "  %s/%-22s the store\n"
	       "  %s/%-22s intake label recipient: %s\n"
	       "  %s/%-22s intake label identity, sealed to the admin identity\n"
	       "  %s/%-22s instance signing key (Ed25519): %s\n"
	       "  %s/%-22s instance signing secret key, sealed to the admin identity\n"
	       "  %s/%-22s THE ADMIN IDENTITY, in clear (%s)\n"
	       "  %s/%-22s the liaison key (partners seal bundles to %s)\n"
	       "\n",
	       dir, dir, INSTANCE_CONF, store != NULL ? "(PostgreSQL)" : dir,
	       store != NULL ? "store in " INSTANCE_CONF : INSTANCE_STORE, dir, INSTANCE_INTAKE_PUB,
	       created.intake_recipient, dir, INSTANCE_INTAKE_KEY, dir, INSTANCE_SIGNING_PUB,
	       created.signing_pub, dir, INSTANCE_SIGNING_KEY, dir, INSTANCE_ADMIN_IDENTITY,
	       created.admin_recipient, dir, LIAISON_KEY_FILE, lrcp);
	printf("WARNING: %s/%s holds the admin identity in clear. It opens the\n"
	       "intake label key, and so every submission. Move it OFFLINE now (an\n"
	       "air-gapped machine, an encrypted USB stick, paper) and delete it from\n"
	       "this machine; the running instance never needs it.\n",
	       dir, INSTANCE_ADMIN_IDENTITY);
	return CLI_EXIT_OK;
}
