/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout check: is the instance's store sound? The file modes and kinds (as
 * instance_open checks them), the store's own check (SQLite integrity_check),
 * the whole ledger recomputed and its checkpoints verified, and every blob
 * read as an age file (its MACs too where --identity opens it). Reads only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

const char check_help[] =
        "usage: cutout check [-d DIR] [--quick] [-i FILE]\n"
        "\n"
        "Checks an instance's store and says what is wrong: the modes and kinds of\n"
        "its files, the database's own structure (SQLite integrity_check), the\n"
        "ledger, recomputed from its entries with every signed checkpoint verified,\n"
        "and every stored blob (the messages, files and replies) read\n"
        "whole as an age file. Without a key that checks its length against the\n"
        "store's record, its age header and its STREAM chunk sizes (a blob cut\n"
        "short or inside a chunk); a blob that an identity given with -i opens is\n"
        "checked whole: its header MAC and every chunk's tag. The admin identity\n"
        "opens the intake label's first version too, and with it the submissions\n"
        "sealed in that layer alone; a label key exported by an officer opens\n"
        "what is sealed to it. Reads only; the doors may keep running.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR        the instance directory (default: $CUTOUT_INSTANCE)\n"
        "  -i, --identity FILE  an age identity file tried on every blob\n"
        "  --quick              what a door checks at start: the file modes,\n"
        "                       SQLite quick_check and the ledger's size; no blob\n"
        "\n"
        "Exit status: 0 sound, 1 something is wrong (each on a line of its own),\n"
        "2 usage.\n";

#define MSG_MAX 512

static void bad_blob(void *ctx, int64_t blob, const char *what)
{
	fprintf(stderr, "cutout %s: blob %lld: %s\n", (const char *)ctx, (long long)blob, what);
}

/* The identity in file and, if it is the admin identity, the intake label's first version. */
static int read_identities(struct instance *inst, const char *file, struct age_identity *ids[2],
                           size_t *n)
{
	struct buf text;
	struct instance_error err;
	buf_init(&text, 4096);
	int rc = io_read_file(file, &text) == 0 &&
	                         age_identity_from_text((const char *)text.data, text.len,
	                                                &ids[0]) == AGE_OK
	                 ? 0
	                 : -1;
	buf_wipe_release(&text);
	if (rc != 0)
		return cli_fail("check", "cannot read an age identity from %s", file), -1;
	*n = 1;
	if (instance_intake_identity(inst, file, &ids[1], &err) == INSTANCE_OK)
		*n = 2;
	return 0;
}

static int check_blobs(struct instance *inst, const char *idfile)
{
	struct age_identity *ids[2] = {NULL, NULL};
	size_t nids = 0;
	if (idfile != NULL && read_identities(inst, idfile, ids, &nids) != 0)
		return CLI_EXIT_FAIL;
	struct instance_blob_count count;
	enum store_result r = instance_check_blobs(inst, (const struct age_identity *const *)ids,
	                                           nids, bad_blob, "check", &count);
	age_identity_free(&ids[0]);
	age_identity_free(&ids[1]);
	if (r != STORE_OK) {
		fprintf(stderr, "cutout check: the blobs: %s\n", store_strerror(r));
		return CLI_EXIT_FAIL;
	}
	printf("blobs: %llu checked, %llu of them opened with the identity, %llu bad\n",
	       (unsigned long long)count.blobs, (unsigned long long)count.opened,
	       (unsigned long long)count.bad);
	return count.bad == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int check_instance(const char *cmd, struct instance *inst, bool quick)
{
	int bad = 0;
	char msg[MSG_MAX];
	if (instance_check_store(inst, quick, msg, sizeof msg) != 0) {
		fprintf(stderr, "cutout %s: the store's database: %s\n", cmd, msg);
		bad = 1;
	} else if (msg[0] != '\0') { /* sound as far as it went */
		fprintf(stderr, "cutout %s: the store's database: %s\n", cmd, msg);
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
	                                      {"identity", required_argument, NULL, 'i'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *idfile = NULL;
	bool quick = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:i:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'q':
			quick = true;
			break;
		case 'i':
			idfile = optarg;
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
	if (!quick && check_blobs(inst, idfile) != CLI_EXIT_OK)
		rc = CLI_EXIT_FAIL;
	if (rc == CLI_EXIT_OK)
		printf("%s: sound (%s)\n", dir,
		       quick ? "quick check" : "integrity check, ledger verified, blobs read");
	instance_close(&inst);
	return rc;
}
