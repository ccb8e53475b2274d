/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout check: is the instance's store sound? The file modes and kinds (as
 * instance_open checks them), the store's own check (SQLite integrity_check),
 * and the whole ledger recomputed and its checkpoints verified. Reads only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"

#include "lib/banned.h"

const char check_help[] =
        "usage: cutout check [-d DIR] [--quick]\n"
        "\n"
        "Checks an instance's store and says what is wrong: the modes and kinds of\n"
        "its files, the database's own structure (SQLite integrity_check), and the\n"
        "ledger, recomputed from its entries with every signed checkpoint verified.\n"
        "Reads only; the doors may keep running.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR   the instance directory (default: $CUTOUT_INSTANCE)\n"
        "  --quick         what a door checks at start: quick_check and the ledger's\n"
        "                  size, in bounded time\n"
        "\n"
        "Exit status: 0 sound, 1 something is wrong (each on a line of its own),\n"
        "2 usage.\n";

#define MSG_MAX 512

int check_instance(const char *cmd, struct instance *inst, bool quick)
{
	int bad = 0;
	char msg[MSG_MAX];
	if (instance_check_store(inst, quick, msg, sizeof msg) != 0) {
		fprintf(stderr, "cutout %s: the store's database: %s\n", cmd, msg);
		bad = 1;
	}
	uint8_t pk[32];
	instance_signing_pk(inst, pk);
	struct ledger_verify_report rep;
	uint64_t size = 0;
	enum ledger_result lr = quick ? ledger_size(instance_store(inst), &size)
	                              : ledger_verify(instance_store(inst), pk, &rep);
	if (lr == LEDGER_TAMPERED) {
		fprintf(stderr, "cutout %s: the ledger: %s", cmd, rep.msg);
		if (rep.bad_entry)
			fprintf(stderr, " (first bad entry: %llu)",
			        (unsigned long long)rep.bad_index);
		if (rep.bad_checkpoint)
			fprintf(stderr, " (first bad checkpoint: size %llu)",
			        (unsigned long long)rep.bad_cp_size);
		fputc('\n', stderr);
		bad = 1;
	} else if (lr != LEDGER_OK) {
		fprintf(stderr, "cutout %s: the ledger: %s\n", cmd, ledger_strerror(lr));
		bad = 1;
	}
	return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int check_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"quick", no_argument, NULL, 'q'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE");
	bool quick = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'q':
			quick = true;
			break;
		case 'h':
			fputs(check_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("check", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("check", "unknown option '%s' (see 'cutout help check')",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("check", "unexpected argument '%s'", argv[optind]);
	if (dir == NULL)
		return cli_usage("check", "no instance directory (use -d DIR)");

	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK) /* modes, kinds, an empty store */
		return cli_fail("check", "%s", err.msg);
	int rc = check_instance("check", inst, quick);
	if (rc == CLI_EXIT_OK)
		printf("%s: sound (%s)\n", dir,
		       quick ? "quick check" : "integrity check, ledger verified");
	instance_close(&inst);
	return rc;
}
