/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_recovery: the offline recovery key (core/keys/label.h). None unless an admin
 * sets one; then every new label key version is also wrapped to it, and its
 * identity, kept offline, can wrap the label keys again to an entitled
 * officer.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/officer/officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

const char recovery_help[] =
        "usage: cutout recovery COMMAND -d DIR [--as ADMIN] [ARGS]\n"
        "\n"
        "The offline recovery key. There is none unless an admin sets one: label\n"
        "keys are then only ever wrapped to the officers entitled to them, and an\n"
        "instance whose entitled officers all lose their passwords loses what only\n"
        "they could open. With a recovery key, every label key version is also\n"
        "wrapped to it; its identity stays offline (paper, an air-gapped machine)\n"
        "and can open everything the labels protect: guard it like the admin\n"
        "identity. See docs/operations.md, \"Key recovery\".\n"
        "\n"
        "Commands:\n"
        "  show             whether a recovery key is set, and the label key\n"
        "                   versions wrapped to it (no login)\n"
        "  set RECIPIENT --admin-identity FILE\n"
        "                   (an admin, --as, with the instance's admin identity:\n"
        "                   the operator's decision, not an admin's alone) set the\n"
        "                   key: an age X25519 recipient (age1..., from 'cutout age\n"
        "                   keygen' run offline). Every label key version made from\n"
        "                   now on is wrapped to it; those the admin's session\n"
        "                   holds are wrapped now.\n"
        "  clear            (an admin, --as) no recovery key; its wraps are deleted\n"
        "  restore NAME --identity FILE\n"
        "                   (no login: the recovery identity authorises it) wraps\n"
        "                   again to officer NAME, who must be enabled and have\n"
        "                   keys, the label keys NAME is entitled to: the intake\n"
        "                   label with the intake role, the marking labels their\n"
        "                   clearance covers. For instance after an admin reset NAME\n"
        "                   and the admin's session lacked some of them.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR       the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME       the acting admin (set, clear); password and TOTP from\n"
        "                      the terminal or $CUTOUT_PASSWORD / $CUTOUT_TOTP\n"
        "      --identity FILE the recovery identity (restore)\n"
        "      --admin-identity FILE\n"
        "                      the instance's admin identity (set)\n";

struct show {
	const uint8_t *pk; /* filled before the first version */
	size_t n;
	int failed;
};

/* "recovery key: age1...", once, before the versions. */
static int print_key(struct show *sh)
{
	char rs[128];
	struct age_recipient *r = NULL;
	int ok = age_recipient_from_x25519(sh->pk, &r) == AGE_OK &&
	         age_recipient_format(r, rs, sizeof rs) == AGE_OK;
	age_recipient_free(&r);
	if (!ok)
		return -1;
	printf("recovery key: %s\nlabel key versions wrapped to it:\n", rs);
	return 0;
}

static int print_wrap(void *ctx, const char *label, uint32_t version)
{
	struct show *sh = ctx;
	if (sh->n == 0 && print_key(sh) != 0) {
		sh->failed = 1;
		return 1;
	}
	printf("  %s version %u\n", label, version);
	sh->n++;
	return 0;
}

static int cmd_show(struct officers *o)
{
	uint8_t pk[32];
	uint32_t intake = 0;
	struct show sh = {.pk = pk};
	enum officer_result orc = officer_recovery_show(o, pk, &intake, print_wrap, &sh);
	if (orc == OFFICER_NOT_FOUND) {
		printf("no recovery key: label keys are wrapped only to entitled officers\n");
		return CLI_EXIT_OK;
	}
	if (orc != OFFICER_OK || sh.failed || (sh.n == 0 && print_key(&sh) != 0))
		return cli_fail("recovery", "cannot read the recovery key or its wraps");
	if (sh.n == 0)
		printf("  (none)\n");
	if (intake > 0)
		printf("current intake label version: %u\n", intake);
	return CLI_EXIT_OK;
}

/* The instance's admin identity from file: 0 and *out, or -1 with a message. */
static int read_admin_identity(struct officers *o, const char *file, struct age_identity **out)
{
	struct buf text;
	struct age_identity *id = NULL;
	int rc = -1;
	buf_init(&text, 4096);
	if (io_read_file(file, &text) != 0 ||
	    age_identity_from_text((const char *)text.data, text.len, &id) != AGE_OK)
		cli_fail("recovery", "cannot read the admin identity %s", file);
	else if (!officer_is_admin_identity(o, id))
		cli_fail("recovery", "%s is not the instance's admin identity", file);
	else {
		*out = id;
		id = NULL;
		rc = 0;
	}
	age_identity_free(&id);
	buf_wipe_release(&text);
	return rc;
}

static int cmd_set(struct officers *o, const char *as_name, const char *recipient,
                   const char *admin_identity)
{
	struct age_recipient *r = NULL;
	struct age_identity *admin = NULL;
	struct officer_key *as = NULL;
	uint8_t pk[32];
	char canon[128];
	size_t done = 0;
	int rc = CLI_EXIT_FAIL;
	if (strncmp(recipient, "age1", 4) != 0 || age_recipient_parse(recipient, &r) != AGE_OK ||
	    age_recipient_x25519(r, pk) != AGE_OK ||
	    age_recipient_format(r, canon, sizeof canon) != AGE_OK) {
		age_recipient_free(&r);
		return cli_usage("recovery", "'%s' is not an age X25519 recipient (age1...)",
		                 recipient);
	}
	age_recipient_free(&r);
	if (read_admin_identity(o, admin_identity, &admin) != 0)
		return CLI_EXIT_FAIL;
	if (officer_cli_login("recovery", o, as_name, ROLE_ADMIN, &as) != 0)
		goto out;
	enum officer_result orc = officer_recovery_set(o, as, admin, pk, &done);
	if (orc != OFFICER_OK) {
		cli_fail("recovery", "cannot set the recovery key: %s", officer_strerror(orc));
		goto out;
	}
	printf("recovery key set: %s\n%zu label key version(s) held by %s wrapped to it; new "
	       "versions will be too.\nVersions %s does not hold are not: 'cutout recovery "
	       "show' lists what is.\n",
	       canon, done, officer_key_name(as), officer_key_name(as));
	rc = CLI_EXIT_OK;
out:
	officer_key_free(&as);
	age_identity_free(&admin);
	return rc;
}

static int cmd_clear(struct officers *o, const char *as_name)
{
	struct officer_key *as = NULL;
	int rc = CLI_EXIT_FAIL;
	if (officer_cli_login("recovery", o, as_name, ROLE_ADMIN, &as) != 0)
		return CLI_EXIT_FAIL;
	enum officer_result orc = officer_recovery_clear(o, as);
	if (orc != OFFICER_OK)
		cli_fail("recovery", "cannot clear the recovery key: %s", officer_strerror(orc));
	else {
		printf("no recovery key any more; its wraps are deleted\n");
		rc = CLI_EXIT_OK;
	}
	officer_key_free(&as);
	return rc;
}

static int cmd_restore(struct instance *inst, struct officers *o, const char *name,
                       const char *identity_file)
{
	struct buf text;
	struct age_identity *id = NULL;
	struct officer_key *key = NULL;
	int rc = CLI_EXIT_FAIL;
	buf_init(&text, 4096);
	if (io_read_file(identity_file, &text) != 0 ||
	    age_identity_from_text((const char *)text.data, text.len, &id) != AGE_OK) {
		cli_fail("recovery", "cannot read the recovery identity %s", identity_file);
		goto out;
	}
	enum officer_result r = officer_recovery_key(o, id, &key);
	if (r == OFFICER_NOT_FOUND) {
		cli_fail("recovery", "no recovery key is set on this instance");
		goto out;
	}
	if (r == OFFICER_FORBIDDEN) {
		cli_fail("recovery", "%s is not the instance's recovery identity", identity_file);
		goto out;
	}
	if (r != OFFICER_OK) {
		cli_fail("recovery", "%s", officer_strerror(r));
		goto out;
	}
	r = officer_restore(o, key, name);
	if (r == OFFICER_FORBIDDEN) {
		cli_fail("recovery", "officer %s is disabled or has no keys yet", name);
		goto out;
	}
	if (r != OFFICER_OK) {
		cli_fail("recovery", "%s", officer_strerror(r));
		goto out;
	}
	if (officer_cli_labels_follow("recovery", inst, key, name) != 0)
		goto out;
	printf("officer %s: the label keys they are entitled to are wrapped to them again\n", name);
	rc = CLI_EXIT_OK;
out:
	officer_key_free(&key);
	age_identity_free(&id);
	buf_wipe_release(&text);
	return rc;
}

int recovery_main(int argc, char **argv)
{
	enum { O_AS = 256, O_IDENTITY, O_ADMIN_ID };
	static const struct option lopts[] = {
	        {"dir", required_argument, NULL, 'd'},
	        {"as", required_argument, NULL, O_AS},
	        {"identity", required_argument, NULL, O_IDENTITY},
	        {"admin-identity", required_argument, NULL, O_ADMIN_ID},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *as = NULL, *identity = NULL,
	           *admin_identity = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case O_AS:
			as = optarg;
			break;
		case O_IDENTITY:
			identity = optarg;
			break;
		case O_ADMIN_ID:
			admin_identity = optarg;
			break;
		case 'h':
			fputs(recovery_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("recovery", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("recovery",
			                 "unknown option '%s' (see 'cutout help recovery')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"show", 0, 0}, {"set", 1, 1}, {"clear", 0, 0}, {"restore", 1, 1}};
	int k = cli_subcommand("recovery", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if ((k == 3) != (identity != NULL))
		return cli_usage("recovery", k == 3 ? "restore needs --identity FILE"
		                                    : "--identity is only for restore");
	if ((k == 1) != (admin_identity != NULL))
		return cli_usage("recovery", k == 1 ? "set needs --admin-identity FILE"
		                                    : "--admin-identity is only for set");
	if (dir == NULL)
		return cli_usage("recovery", "no instance directory (use -d DIR)");

	struct instance *inst = NULL;
	struct instance_error err;
	struct officers *o = NULL;
	int rc = CLI_EXIT_FAIL;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("recovery", "%s", err.msg);
	if (officer_cli_open("recovery", inst, &o) != 0)
		goto out;
	switch (k) {
	case 0:
		rc = cmd_show(o);
		break;
	case 1:
		rc = cmd_set(o, as, args[1], admin_identity);
		break;
	case 2:
		rc = cmd_clear(o, as);
		break;
	default:
		rc = cmd_restore(inst, o, args[1], identity);
		break;
	}
out:
	officers_free(&o);
	instance_close(&inst);
	return rc;
}
