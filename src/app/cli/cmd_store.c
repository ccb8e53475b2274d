/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_store: `cutout store migrate --to postgresql://... -d DIR` moves an
 * instance's SQLite store to PostgreSQL (core/store/store_copy.h), its ledger
 * verified before and after with the same root, then points cutout.conf at
 * it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"

#include "lib/banned.h"

const char store_help[] =
        "usage: cutout store migrate --to postgresql://... -d DIR\n"
        "\n"
        "Moves the instance's store (DIR/store.db, SQLite) to an empty PostgreSQL\n"
        "database, every row with its id and every blob, in one transaction;\n"
        "verifies the ledger before and after (the same entries, the same root)\n"
        "and then sets `store` in DIR/cutout.conf to the new location. Stop the\n"
        "doors first: what they store meanwhile would not be moved. store.db is\n"
        "left as it was: keep it as a backup until the instance runs well.\n"
        "\n"
        "No password in the location: libpq reads it from PGPASSFILE or ~/.pgpass\n"
        "(docs/operations.md).\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR    the instance directory (or $CUTOUT_INSTANCE)\n"
        "  --to LOCATION    the PostgreSQL database (an empty one)\n"
        "  -h, --help       show this help\n";

/* Verifies s's ledger and gives its size and root (a zero root when empty). */
static int ledger_state(struct store *s, const uint8_t pk[32], const char *which, uint64_t *size,
                        uint8_t root[32])
{
	struct ledger_verify_report rep;
	enum ledger_result r = ledger_verify(s, pk, &rep);
	memset(root, 0, 32);
	*size = 0;
	if (r != LEDGER_OK) {
		cli_fail("store", "the ledger of the %s store does not verify: %s", which,
		         r == LEDGER_TAMPERED ? rep.msg : ledger_strerror(r));
		return -1;
	}
	*size = rep.size;
	if (rep.size > 0 && ledger_root(s, rep.size, root) != LEDGER_OK) {
		cli_fail("store", "the ledger root of the %s store cannot be read", which);
		return -1;
	}
	return 0;
}

static int migrate(const char *dir, const char *to)
{
	struct instance_error err;
	struct instance *inst = NULL;
	struct store *dst = NULL;
	struct instance_copy_report rep;
	uint8_t pk[32], root0[32], root1[32];
	char hex[65];
	uint64_t size0, size1;
	int rc = CLI_EXIT_FAIL;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("store", "%s", err.msg);
	instance_signing_pk(inst, pk);
	if (ledger_state(instance_store(inst), pk, "SQLite", &size0, root0) != 0)
		goto out;
	enum instance_result ir = instance_store_copy(inst, to, &dst, &rep, &err);
	if (ir != INSTANCE_OK) {
		rc = ir == INSTANCE_ERR_ARG ? cli_usage("store", "%s", err.msg)
		                            : cli_fail("store", "%s", err.msg);
		goto out;
	}
	if (ledger_state(dst, pk, "PostgreSQL", &size1, root1) != 0)
		goto out;
	sodium_bin2hex(hex, sizeof hex, root0, sizeof root0);
	if (size1 != size0 || sodium_memcmp(root0, root1, 32) != 0) {
		cli_fail("store",
		         "the ledger moved is not the same (%llu entries before, %llu after): "
		         "cutout.conf is unchanged; empty the database before trying again",
		         (unsigned long long)size0, (unsigned long long)size1);
		goto out;
	}
	if (instance_set_store(dir, to, &err) != INSTANCE_OK) {
		cli_fail("store", "moved, but cutout.conf could not be changed: %s", err.msg);
		goto out;
	}
	printf("moved to PostgreSQL: %llu rows, %llu blobs (%llu bytes)\n"
	       "ledger verified before and after: %llu entries, root %s\n"
	       "%s/%s now names the new store; %s/store.db is left as it was (a backup)\n",
	       (unsigned long long)rep.rows, (unsigned long long)rep.blobs,
	       (unsigned long long)rep.bytes, (unsigned long long)size0, hex, dir, INSTANCE_CONF,
	       dir);
	rc = CLI_EXIT_OK;
out:
	store_close(&dst);
	instance_close(&inst);
	return rc;
}

int store_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"to", required_argument, NULL, 't'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *to = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			fputs(store_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("store", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("store", "unknown option '%s' (see 'cutout help store')",
			                 argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "migrate") != 0)
		return cli_usage("store", "want: cutout store migrate --to LOCATION -d DIR");
	if (dir == NULL || to == NULL)
		return cli_usage("store", "migrate needs -d DIR and --to LOCATION");
	return migrate(dir, to);
}
