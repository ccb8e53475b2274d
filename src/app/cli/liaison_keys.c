/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison_keys: which keys the liaison commands and the door exchange with
 * (liaison_keys.h), and `cutout liaison keygen`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/liaison_keys.h"
#include "app/cli/officer_cli.h"
#include "app/cli/outfile.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

/* The age identity in path into *out; CLI code (said). */
static int read_identity(const char *cmd, const char *path, struct age_identity **out)
{
	struct buf b;
	int rc = CLI_EXIT_OK;
	buf_init(&b, 4096);
	if (io_read_file(path, &b) != 0 ||
	    age_identity_from_text((const char *)b.data, b.len, out) != AGE_OK)
		rc = cli_fail(cmd, "%s: not an age identity file", path);
	buf_wipe_release(&b);
	return rc;
}

int liaison_keys_open(const char *cmd, struct instance *inst, const char *dir, const char *ident,
                      unsigned need, struct liaison_keys *k)
{
	char kpath[PATH_MAX], apath[PATH_MAX];
	struct instance_error ierr;
	struct buf b;
	memset(k, 0, sizeof *k);
	ledger_origin(instance_conf(inst)->organisation, k->origin);
	int n = snprintf(kpath, sizeof kpath, "%s/%s", dir, LIAISON_KEY_FILE);
	int m = ident ? snprintf(apath, sizeof apath, "%s", ident)
	              : snprintf(apath, sizeof apath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	if (n < 0 || (size_t)n >= sizeof kpath || m < 0 || (size_t)m >= sizeof apath)
		return cli_fail(cmd, "path too long");
	if ((k->sk = sodium_malloc(64)) == NULL)
		return cli_fail(cmd, "out of memory");
	if (access(kpath, F_OK) == 0) { /* the dedicated liaison key */
		buf_init(&b, 4096);
		int rd = io_read_file(kpath, &b);
		enum liaison_result r = rd == 0 ? liaison_key_open(b.data, b.len, &k->id, k->sk)
		                                : LIAISON_BAD_INPUT;
		buf_wipe_release(&b);
		if (r != LIAISON_OK)
			return cli_fail(cmd, "%s: cannot read it, or not a liaison key", kpath);
		k->dedicated = true;
		/* bundles partners still seal to the admin identity (their v1 card of us) */
		if ((need & LIAISON_KEYS_OPEN) && ident != NULL)
			return read_identity(cmd, apath, &k->old);
		if ((need & LIAISON_KEYS_OPEN) && access(apath, R_OK) == 0 &&
		    read_identity(cmd, apath, &k->old) != CLI_EXIT_OK)
			k->old = NULL;
		return CLI_EXIT_OK;
	}
	if ((need & LIAISON_KEYS_SIGN) &&
	    instance_signing_key(inst, apath, k->sk, &ierr) != INSTANCE_OK)
		return cli_fail(cmd,
		                "%s (no %s: this instance has no liaison key; see "
		                "'cutout liaison keygen --help')",
		                ierr.msg, LIAISON_KEY_FILE);
	if (need & LIAISON_KEYS_OPEN)
		return read_identity(cmd, apath, &k->id);
	return CLI_EXIT_OK;
}

void liaison_keys_self(const struct liaison_keys *k, const struct conf *cf,
                       struct liaison_self *self)
{
	memset(self, 0, sizeof *self);
	self->name = k->origin;
	self->sk = k->sk;
	self->identity = k->id;
	self->identity_old = k->old;
	self->marking_map = cf->liaison_marking_map;
}

void liaison_keys_close(struct liaison_keys *k)
{
	if (k->sk != NULL)
		sodium_free(k->sk);
	k->sk = NULL;
	age_identity_free(&k->id);
	age_identity_free(&k->old);
}

int liaison_key_write(const char *cmd, const char *dir, int noreplace, char *vkey, size_t vcap,
                      char *recipient, size_t rcap)
{
	char path[PATH_MAX], origin[LEDGER_ORIGIN_MAX + 1];
	struct buf text, vk;
	struct age_identity *id = NULL;
	struct age_recipient *rcp = NULL;
	struct instance *inst = NULL;
	struct instance_error ierr;
	struct outfile f;
	uint8_t *sk = sodium_malloc(64);
	int rc = CLI_EXIT_FAIL;
	buf_init(&text, 4096);
	buf_init(&vk, STORE_PARTNER_KEY_MAX + 1);
	int n = snprintf(path, sizeof path, "%s/%s", dir, LIAISON_KEY_FILE);
	if (sk == NULL || n < 0 || (size_t)n >= sizeof path) {
		rc = cli_fail(cmd, "out of memory or path too long");
		goto out;
	}
	if (instance_open(dir, &inst, &ierr) != INSTANCE_OK) {
		rc = cli_fail(cmd, "%s", ierr.msg);
		goto out;
	}
	ledger_origin(instance_conf(inst)->organisation, origin);
	if (liaison_key_make(&text) != LIAISON_OK ||
	    liaison_key_open(text.data, text.len, &id, sk) != LIAISON_OK ||
	    age_identity_recipient(id, &rcp) != AGE_OK ||
	    age_recipient_format(rcp, recipient, rcap) != AGE_OK ||
	    ledger_vkey(origin, sk + 32, &vk) != 0 || vk.len >= vcap) {
		rc = cli_fail(cmd, "cannot make the liaison key");
		goto out;
	}
	memcpy(vkey, vk.data, vk.len);
	vkey[vk.len] = '\0';
	if ((rc = outfile_open(&f, cmd, path, 0600)) != CLI_EXIT_OK)
		goto out;
	if (io_write_all(f.fd, text.data, text.len) != 0) {
		outfile_abort(&f);
		rc = cli_fail(cmd, "%s: write failed", path);
		goto out;
	}
	rc = outfile_commit(&f, noreplace);
out:
	buf_wipe_release(&text);
	buf_release(&vk);
	age_identity_free(&id);
	age_recipient_free(&rcp);
	sodium_free(sk);
	instance_close(&inst);
	return rc;
}

const char liaison_keygen_help[] =
        "usage: cutout liaison keygen -d DIR [--as NAME] [--rotate]\n"
        "\n"
        "Makes the instance's liaison key, DIR/" LIAISON_KEY_FILE " (mode 0600): an\n"
        "age X25519 identity, to whose recipient partners seal their bundles, and the\n"
        "Ed25519 key derived from it, which signs this instance's bundles, receipts,\n"
        "pulls and partner card. The liaison door opens it at its start, so that\n"
        "`cutout serve` imports pushed bundles unattended. `cutout init` makes it;\n"
        "this command is for instances made before. --rotate replaces an existing\n"
        "one: make a new card (cutout partner card) and have every partner import\n"
        "it; bundles sealed to the old key no longer open. A liaison.key ledger\n"
        "entry names the new key. (admin)\n"
        "\n"
        "As an officer: --as NAME (or $CUTOUT_OFFICER), with the password and TOTP\n"
        "code asked on the terminal, or taken from $CUTOUT_PASSWORD and $CUTOUT_TOTP.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR   the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME   the admin\n"
        "      --rotate    replace the existing liaison key\n";

int liaison_keygen_main(int argc, char **argv)
{
	enum { O_AS = 256, O_ROTATE };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"rotate", no_argument, NULL, O_ROTATE},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *as = NULL;
	int rotate = 0, c;
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
		case O_ROTATE:
			rotate = 1;
			break;
		case 'h':
			fputs(liaison_keygen_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("liaison", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("liaison",
			                 "unknown option '%s' (see 'cutout liaison keygen --help')",
			                 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("liaison", "keygen takes no argument but its options");
	if (dir == NULL)
		return cli_usage("liaison", "no instance directory (use -d DIR)");
	struct officer_cli_sess s;
	struct liaison_error err = {{0}};
	char vkey[STORE_PARTNER_KEY_MAX + 1], rcp[AGE_RECIPIENT_STRLEN + 1];
	int rc = officer_cli_sess_open("liaison", dir, as, &s);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (!(officer_key_roles(s.key) & ROLE_ADMIN)) {
		rc = cli_fail("liaison", "keygen needs the admin role");
		goto out;
	}
	if ((rc = liaison_key_write("liaison", dir, !rotate, vkey, sizeof vkey, rcp, sizeof rcp)) !=
	    CLI_EXIT_OK) {
		if (!rotate)
			fprintf(stderr, "cutout liaison: to replace the liaison key: --rotate\n");
		goto out;
	}
	enum liaison_result r = liaison_key_record(s.reg, s.key, vkey, rcp, &err);
	if (r != LIAISON_OK) {
		rc = cli_fail("liaison", "%s: %s", liaison_strerror(r), err.msg);
		goto out;
	}
	printf("liaison key: %s/%s\nkey: %s\nage recipient: %s\n"
	       "make a new card (cutout partner card) and send it to every partner\n",
	       dir, LIAISON_KEY_FILE, vkey, rcp);
out:
	officer_cli_sess_close(&s);
	return rc;
}
