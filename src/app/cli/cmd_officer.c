/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_officer: officer accounts from the command line. An admin officer
 * (--as NAME, password and TOTP from the terminal or the environment)
 * authorises every change; the very first admin is made with the instance's
 * admin identity (--admin-identity FILE) instead.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qrencode.h>
#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/marking/marking.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/codename.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/password.h"
#include "lib/totp.h"

#include "lib/banned.h"

const char officer_help[] =
        "usage: cutout officer COMMAND -d DIR [--as ADMIN] [ARGS]\n"
        "\n"
        "Manages the officer accounts of the instance in DIR. Every command but\n"
        "enrol is authorised by an admin officer: --as NAME (or $CUTOUT_OFFICER),\n"
        "with the password and TOTP code asked on the terminal, or taken from\n"
        "$CUTOUT_PASSWORD and $CUTOUT_TOTP for scripts.\n"
        "\n"
        "Commands:\n"
        "  add NAME --role ROLES --clearance MARKING --nationality CC\n"
        "                    a new officer. ROLES: admin,intake,analyst,releasing.\n"
        "                    The password is $CUTOUT_NEW_PASSWORD if set (it must\n"
        "                    pass the policy: 12 characters or more, not a common\n"
        "                    password, not the name), else a generated passphrase,\n"
        "                    printed once. The officer enrols TOTP at first login.\n"
        "                    The first admin: add NAME --role admin,intake ...\n"
        "                    --admin-identity DIR/admin-identity.txt (no --as).\n"
        "  list              the officers\n"
        "  disable NAME      refuse every login of NAME (an intake officer's\n"
        "  enable NAME       removal rotates the intake label key)\n"
        "  reset NAME        a new password (as for add) and identity; TOTP cleared;\n"
        "                    label keys wrapped anew from the admin's session\n"
        "  roles NAME ROLES  set the roles; removing intake rotates the intake label\n"
        "  clearance NAME MARKING\n"
        "                    set the clearance: the marking label keys it now covers\n"
        "                    are wrapped from the admin's session; those it no longer\n"
        "                    covers are rotated\n"
        "  enrol [--secret-from FILE]\n"
        "                    (the officer themself, --as NAME) enrol the TOTP second\n"
        "                    factor: shows the secret, its otpauth:// URI and a QR\n"
        "                    code, then asks a code. Scripts: run once to get the\n"
        "                    secret, then again with --secret-from FILE (- for standard\n"
        "                    input; never the command line, which others can read)\n"
        "                    and $CUTOUT_TOTP.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR             the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME             the acting officer\n"
        "      --admin-identity FILE bootstrap only: the instance's admin identity\n"
        "      --role ROLES, --clearance MARKING, --nationality CC (3 letters A-Z)\n";

struct opts {
	const char *dir, *as, *admin_identity, *role, *clearance, *nationality, *secret_from;
};

/* A clearance must be a marking of the instance's scheme. 0 or -1 with a message. */
static int check_clearance(struct instance *inst, const char *clearance)
{
	struct marking m;
	struct marking_error merr;
	if (clearance == NULL)
		return 0; /* officer_add says what is missing */
	if (marking_parse(instance_marking_scheme(inst), clearance, strlen(clearance), &m, &merr) !=
	    MARKING_OK) {
		cli_usage("officer", "clearance '%s': %s", clearance, merr.msg);
		return -1;
	}
	return 0;
}

/* ---- the QR code, in the terminal ---- */

static void print_qr(const char *uri)
{
	QRcode *q = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL) {
		printf("(no QR code: %s)\n", "the URI could not be encoded");
		return;
	}
	const int quiet = 2, w = q->width;
	/* two modules per character cell: upper and lower half blocks, dark on light */
	for (int y = -quiet; y < w + quiet; y += 2) {
		for (int x = -quiet; x < w + quiet; x++) {
			int top = y >= 0 && y < w && x >= 0 && x < w && (q->data[y * w + x] & 1);
			int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
			          (q->data[(y + 1) * w + x] & 1);
			/* light = a full block, so the code reads on a dark terminal too */
			fputs(top ? (bot ? " " : "\xe2\x96\x84")
			          : (bot ? "\xe2\x96\x80" : "\xe2\x96\x88"),
			      stdout);
		}
		fputs("\n", stdout);
	}
	QRcode_free(q);
}

/* ---- passwords ---- */

/* The new password: $CUTOUT_NEW_PASSWORD, or a generated passphrase (printed). */
static int new_password(char *pw, size_t cap, const char *name, int *generated)
{
	const char *e = getenv("CUTOUT_NEW_PASSWORD");
	*generated = 0;
	if (e != NULL) {
		size_t n = strlen(e);
		if (n + 1 > cap) {
			cli_fail("officer", "CUTOUT_NEW_PASSWORD is too long");
			return -1;
		}
		memcpy(pw, e, n + 1);
	} else {
		if (cap < CODENAME_BUFSIZE || codename_generate(pw, cap) != CODENAME_OK) {
			cli_fail("officer", "could not generate a password");
			return -1;
		}
		*generated = 1;
	}
	enum password_verdict v = password_check(pw, name);
	if (v != PASSWORD_OK) {
		cli_fail("officer", "password refused: %s", password_verdict_str(v));
		return -1;
	}
	return 0;
}

/* ---- commands ---- */

static int cmd_add(struct instance *inst, struct officers *o, const struct opts *op,
                   const char *name)
{
	unsigned roles = 0;
	int rc = CLI_EXIT_FAIL, generated = 0;
	char *pw = sodium_malloc(PASSWORD_MAX_BYTES + 2);
	struct officer_key *as = NULL;
	struct age_identity *admin = NULL, *intake = NULL;
	struct buf idtext;

	buf_init(&idtext, 64 * 1024);
	if (pw == NULL)
		goto out;
	if (op->role == NULL || op->clearance == NULL || op->nationality == NULL) {
		rc = cli_usage("officer", "add needs --role, --clearance and --nationality");
		goto out;
	}
	if (officer_roles_parse(op->role, &roles) != 0) {
		rc = cli_usage("officer", "bad roles '%s' (admin,intake,analyst,releasing)",
		               op->role);
		goto out;
	}
	if (!officer_name_valid(name) || !officer_nationality_valid(op->nationality)) {
		rc = cli_usage("officer", "%s", officer_strerror(OFFICER_BAD_INPUT));
		goto out;
	}
	if (new_password(pw, PASSWORD_MAX_BYTES + 2, name, &generated) != 0)
		goto out;
	enum officer_result r;
	if (op->admin_identity != NULL) {
		struct instance_error err;
		if (io_read_file(op->admin_identity, &idtext) != 0 ||
		    age_identity_from_text((const char *)idtext.data, idtext.len, &admin) !=
		            AGE_OK) {
			cli_fail("officer", "cannot read the admin identity %s",
			         op->admin_identity);
			goto out;
		}
		if (instance_intake_identity(inst, op->admin_identity, &intake, &err) !=
		    INSTANCE_OK) {
			cli_fail("officer", "%s", err.msg);
			goto out;
		}
		r = officer_bootstrap(o, admin, intake, name, roles, op->clearance, op->nationality,
		                      pw, NULL);
		if (r == OFFICER_FORBIDDEN) {
			cli_fail("officer",
			         "bootstrap refused: an enabled admin exists, or this is not "
			         "the instance's admin identity (use --as ADMIN)");
			goto out;
		}
	} else {
		if (officer_cli_login("officer", o, op->as, ROLE_ADMIN, &as) != 0)
			goto out;
		r = officer_add(o, as, name, roles, op->clearance, op->nationality, pw, NULL);
	}
	if (r != OFFICER_OK) {
		cli_fail("officer", "%s", officer_strerror(r));
		goto out;
	}
	if (officer_cli_labels_follow("officer", inst, as, name) != 0)
		goto out;
	printf("officer %s added (roles %s, clearance %s, nationality %s)\n", name, op->role,
	       op->clearance, op->nationality);
	if (generated)
		printf("password: %s\n(shown once: hand it over in person)\n", pw);
	printf("next: the officer runs 'cutout officer enrol -d DIR --as %s' to enrol TOTP\n",
	       name);
	rc = CLI_EXIT_OK;
out:
	sodium_free(pw);
	officer_key_free(&as);
	age_identity_free(&admin);
	age_identity_free(&intake);
	buf_wipe_release(&idtext);
	return rc;
}

static int print_officer(void *ctx, const struct officer *of)
{
	char roles[OFFICER_ROLES_MAX], created[16], last[16];
	if (officer_roles_format(of->roles, roles, sizeof roles) < 0)
		return 1;
	day_format(of->created_day, created);
	if (of->last_login_day > 0)
		day_format(of->last_login_day, last);
	else
		memcpy(last, "never", sizeof "never");
	printf("%-20s %-32s %-3s %-9s %-9s created %s, last login %s, clearance %s\n", of->name,
	       roles, of->nationality, of->disabled ? "disabled" : "enabled",
	       of->enrolled ? "enrolled" : "no-totp", created, last, of->clearance);
	return 0;
}

static int cmd_enrol(struct officers *o, const struct opts *op)
{
	char name[OFFICER_NAME_MAX + 2], b32[TOTP_B32_MAX], uri[TOTP_URI_MAX];
	char *pw = sodium_malloc(PASSWORD_MAX_BYTES + 2), *code = sodium_malloc(32);
	int rc = CLI_EXIT_FAIL;
	enum officer_result r;

	if (pw == NULL || code == NULL)
		goto out;
	if (officer_cli_name("officer", op->as, name) != 0 ||
	    cli_read_secret("officer", "CUTOUT_PASSWORD", "password: ", NULL, pw,
	                    PASSWORD_MAX_BYTES + 2) < 0)
		goto out;
	char *secret = NULL;
	if (op->secret_from != NULL) {
		struct buf t;
		buf_init(&t, TOTP_B32_MAX + 2);
		int rd = strcmp(op->secret_from, "-") == 0 ? io_read_fd(STDIN_FILENO, &t)
		                                           : io_read_file(op->secret_from, &t);
		while (rd == 0 && t.len > 0 &&
		       (t.data[t.len - 1] == '\n' || t.data[t.len - 1] == '\r'))
			t.len--;
		if (rd != 0 || t.len == 0 || t.len >= sizeof b32) {
			buf_wipe_release(&t);
			cli_fail("officer", "cannot read a TOTP secret from %s", op->secret_from);
			goto out;
		}
		memcpy(b32, t.data, t.len);
		b32[t.len] = '\0';
		buf_wipe_release(&t);
		secret = b32;
	} else {
		r = officer_enrol_begin(o, name, pw, (uint64_t)time(NULL), b32, uri, sizeof uri);
		if (r != OFFICER_OK) {
			cli_fail("officer", "%s", officer_strerror(r));
			goto out;
		}
		if (isatty(STDOUT_FILENO))
			print_qr(uri);
		printf("secret: %s\nuri: %s\n", b32, uri);
		fflush(stdout);
		if (getenv("CUTOUT_TOTP") == NULL && !isatty(STDIN_FILENO)) {
			printf("then: cutout officer enrol --secret-from - with $CUTOUT_TOTP and "
			       "the "
			       "secret on standard input\n");
			rc = CLI_EXIT_OK;
			goto out;
		}
		secret = b32;
	}
	if (cli_read_secret("officer", "CUTOUT_TOTP", "code shown by the app: ", NULL, code, 32) <
	    0)
		goto out;
	r = officer_enrol_finish(o, name, pw, secret, code, (uint64_t)time(NULL));
	if (r != OFFICER_OK) {
		cli_fail("officer", "%s", officer_strerror(r));
		goto out;
	}
	printf("officer %s: TOTP enrolled\n", name);
	rc = CLI_EXIT_OK;
out:
	sodium_memzero(b32, sizeof b32);
	sodium_memzero(uri, sizeof uri);
	sodium_free(pw);
	sodium_free(code);
	return rc;
}

int officer_main(int argc, char **argv)
{
	enum { O_AS = 256, O_ADMIN_ID, O_ROLE, O_CLEARANCE, O_NAT, O_SECRET, O_SECRET_FROM };
	static const struct option lopts[] = {
	        {"dir", required_argument, NULL, 'd'},
	        {"as", required_argument, NULL, O_AS},
	        {"admin-identity", required_argument, NULL, O_ADMIN_ID},
	        {"role", required_argument, NULL, O_ROLE},
	        {"clearance", required_argument, NULL, O_CLEARANCE},
	        {"nationality", required_argument, NULL, O_NAT},
	        {"secret", required_argument, NULL, O_SECRET},
	        {"secret-from", required_argument, NULL, O_SECRET_FROM},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	struct opts op = {.dir = getenv("CUTOUT_INSTANCE")};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			op.dir = optarg;
			break;
		case O_AS:
			op.as = optarg;
			break;
		case O_ADMIN_ID:
			op.admin_identity = optarg;
			break;
		case O_ROLE:
			op.role = optarg;
			break;
		case O_CLEARANCE:
			op.clearance = optarg;
			break;
		case O_NAT:
			op.nationality = optarg;
			break;
		case O_SECRET:
			return cli_usage("officer",
			                 "the TOTP secret is not taken on the command line "
			                 "(others on the host can read it): use --secret-from "
			                 "FILE, or - for standard input");
		case O_SECRET_FROM:
			op.secret_from = optarg;
			break;
		case 'h':
			fputs(officer_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("officer", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("officer",
			                 "unknown option '%s' (see 'cutout help officer')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"add", 1, 1},   {"list", 0, 0},  {"disable", 1, 1}, {"enable", 1, 1},
	        {"reset", 1, 1}, {"roles", 2, 2}, {"enrol", 0, 0},   {"clearance", 2, 2}};
	int k = cli_subcommand("officer", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (op.admin_identity && k != 0)
		return cli_usage("officer", "--admin-identity is only for adding the first admin");
	if (op.dir == NULL)
		return cli_usage("officer", "no instance directory (use -d DIR)");

	struct instance *inst = NULL;
	struct instance_error err;
	struct officers *o = NULL;
	struct officer_key *as = NULL;
	char *pw = NULL;
	int rc = CLI_EXIT_FAIL, generated = 0;
	if (instance_open(op.dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("officer", "%s", err.msg);
	if (officer_cli_open("officer", inst, &o) != 0)
		goto out;
	if ((k == 0 && check_clearance(inst, op.clearance) != 0) ||
	    (k == 7 && check_clearance(inst, args[2]) != 0)) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (k == 0) {
		rc = cmd_add(inst, o, &op, args[1]);
		goto out;
	}
	if (k == 6) {
		rc = cmd_enrol(o, &op);
		goto out;
	}
	unsigned roles = 0;
	if (k == 5 && officer_roles_parse(args[2], &roles) != 0) {
		rc = cli_usage("officer", "bad roles '%s' (admin,intake,analyst,releasing)",
		               args[2]);
		goto out;
	}
	if (k == 4) {
		pw = sodium_malloc(PASSWORD_MAX_BYTES + 2);
		if (pw == NULL ||
		    new_password(pw, PASSWORD_MAX_BYTES + 2, args[1], &generated) != 0)
			goto out;
	}
	if (officer_cli_login("officer", o, op.as, ROLE_ADMIN, &as) != 0)
		goto out;
	enum officer_result r = OFFICER_OK;
	switch (k) {
	case 1:
		printf("%-20s %-32s %-3s %-9s %-9s\n", "NAME", "ROLES", "NAT", "STATE", "TOTP");
		r = officer_list(o, print_officer, NULL);
		break;
	case 2:
	case 3:
		r = officer_disable(o, as, args[1], k == 2);
		break;
	case 4:
		r = officer_reset(o, as, args[1], pw);
		break;
	case 7: {
		/* the clearance and its marking labels in one transaction (core/registry) */
		struct registry *reg = NULL;
		enum registry_result rr =
		        registry_new(instance_store(inst), instance_marking_scheme(inst), &reg);
		if (rr == REGISTRY_OK)
			rr = registry_officer_clearance(reg, o, as, args[1], args[2], &r);
		registry_free(&reg);
		if (rr == REGISTRY_BAD_INPUT) {
			cli_fail("officer", "%s: not a marking of this instance's scheme", args[2]);
			goto out;
		}
		if (rr != REGISTRY_OK && r == OFFICER_OK) {
			cli_fail("officer",
			         "the clearance and its label keys could not be changed");
			goto out;
		}
		break;
	}
	default:
		r = officer_set_roles(o, as, args[1], roles);
		break;
	}
	if (r != OFFICER_OK) {
		cli_fail("officer", "%s", officer_strerror(r));
		goto out;
	}
	if (k >= 2 && k != 6 && k != 7 &&
	    officer_cli_labels_follow("officer", inst, as, args[1]) != 0)
		goto out;
	if (k == 7)
		printf("officer %s: clearance %s\n", args[1], args[2]);
	if (k == 2 || k == 3)
		printf("officer %s %s\n", args[1], k == 2 ? "disabled" : "enabled");
	if (k == 4) {
		printf("officer %s reset: new identity, TOTP cleared (enrol again)\n", args[1]);
		if (generated)
			printf("password: %s\n(shown once: hand it over in person)\n", pw);
	}
	if (k == 5)
		printf("officer %s: roles %s\n", args[1], args[2]);
	rc = CLI_EXIT_OK;
out:
	if (pw)
		sodium_free(pw);
	officer_key_free(&as);
	officers_free(&o);
	instance_close(&inst);
	return rc;
}
