/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/cli/officer_cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "core/registry/registry.h"
#include "lib/buf.h"
#include "lib/codename.h"
#include "lib/io.h"
#include "lib/password.h"

#include "lib/banned.h"

void officer_cli_sess_close(struct officer_cli_sess *s)
{
	registry_free(&s->reg);
	officer_key_free(&s->key);
	officers_free(&s->offs);
	instance_close(&s->inst);
}

int officer_cli_sess_open(const char *cmd, const char *dir, const char *as,
                          struct officer_cli_sess *s)
{
	struct instance_error err;
	memset(s, 0, sizeof *s);
	if (dir == NULL)
		return cli_usage(cmd, "no instance directory (use -d DIR)");
	if (instance_open(dir, &s->inst, &err) != INSTANCE_OK)
		return cli_fail(cmd, "%s", err.msg);
	if (officer_cli_open(cmd, s->inst, &s->offs) != 0 ||
	    officer_cli_login(cmd, s->offs, as, 0, &s->key) != 0)
		goto fail;
	if (registry_new(instance_store(s->inst), instance_marking_scheme(s->inst), &s->reg) !=
	    REGISTRY_OK) {
		cli_fail(cmd, "cannot open the registry");
		goto fail;
	}
	return CLI_EXIT_OK;
fail:
	officer_cli_sess_close(s);
	return CLI_EXIT_FAIL;
}

int officer_cli_open(const char *cmd, struct instance *inst, struct officers **out)
{
	const struct conf *cf = instance_conf(inst);
	struct officer_kdf kdf = {(uint64_t)cf->officer_argon2_opslimit,
	                          (size_t)cf->officer_argon2_memlimit};
	enum officer_result r = officers_new(instance_store(inst), &kdf, out);
	if (r == OFFICER_OK)
		r = officers_set_instance_dir(*out, instance_dir(inst));
	if (r == OFFICER_OK && cf->organisation[0])
		r = officers_set_issuer(*out, cf->organisation);
	if (r != OFFICER_OK) {
		officers_free(out);
		cli_fail(cmd, "officers: %s", officer_strerror(r));
		return -1;
	}
	return 0;
}

int officer_cli_name(const char *cmd, const char *as_name, char out[OFFICER_NAME_MAX + 2])
{
	const char *n = as_name ? as_name : getenv("CUTOUT_OFFICER");
	if (n != NULL) {
		size_t l = strlen(n);
		if (l > OFFICER_NAME_MAX) {
			cli_fail(cmd, "officer name too long");
			return -1;
		}
		memcpy(out, n, l + 1);
		return 0;
	}
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cli_fail(cmd, "no officer name (use --as NAME or $CUTOUT_OFFICER)");
		return -1;
	}
	FILE *f = fdopen(fd, "r+");
	if (f == NULL) {
		close(fd);
		cli_fail(cmd, "cannot read the terminal");
		return -1;
	}
	fputs("officer name: ", f);
	fflush(f);
	int rc = -1;
	if (fgets(out, OFFICER_NAME_MAX + 2, f) != NULL) {
		out[strcspn(out, "\r\n")] = '\0';
		rc = 0;
	}
	fclose(f);
	if (rc != 0)
		cli_fail(cmd, "no officer name");
	return rc;
}

int officer_cli_login(const char *cmd, struct officers *o, const char *as_name, unsigned need_roles,
                      struct officer_key **key)
{
	char name[OFFICER_NAME_MAX + 2];
	char *pw = sodium_malloc(PASSWORD_MAX_BYTES + 2);
	char *code = sodium_malloc(32);
	int rc = -1;

	*key = NULL;
	if (pw == NULL || code == NULL) {
		cli_fail(cmd, "out of memory");
		goto out;
	}
	if (officer_cli_name(cmd, as_name, name) != 0)
		goto out;
	if (cli_read_secret(cmd, "CUTOUT_PASSWORD", "password: ", NULL, pw,
	                    PASSWORD_MAX_BYTES + 2) < 0)
		goto out;
	enum officer_result r = OFFICER_DENIED;
	if (cli_read_secret(cmd, "CUTOUT_TOTP", "code (TOTP): ", NULL, code, 32) < 0)
		goto out;
	r = officer_login(o, name, pw, code, (uint64_t)time(NULL), key, NULL);
	if (r == OFFICER_ENROL) {
		cli_fail(cmd, "%s: run 'cutout officer enrol' first", officer_strerror(r));
		goto out;
	}
	if (r != OFFICER_OK) {
		cli_fail(cmd, "%s", officer_strerror(r));
		goto out;
	}
	if ((officer_key_roles(*key) & need_roles) != need_roles) {
		officer_key_free(key);
		cli_fail(cmd, "officer %s lacks the role needed for this", name);
		goto out;
	}
	rc = 0;
out:
	sodium_free(pw);
	sodium_free(code);
	return rc;
}

int officer_cli_labels_follow(const char *cmd, struct instance *inst, const struct officer_key *as,
                              const char *name)
{
	struct registry *reg = NULL;
	enum registry_result r =
	        registry_new(instance_store(inst), instance_marking_scheme(inst), &reg);
	if (r == REGISTRY_OK)
		r = registry_officer_changed(reg, as, name);
	registry_free(&reg);
	if (r != REGISTRY_OK) {
		cli_fail(cmd, "marking label keys: %s", registry_strerror(r));
		return -1;
	}
	return 0;
}

int officer_cli_demo_admin(struct instance *inst, const char *name, char *password, size_t cap,
                           char secret_b32[TOTP_B32_MAX], char *uri, size_t uri_cap)
{
	char path[4096];
	struct buf idtext;
	struct age_identity *admin = NULL, *intake = NULL;
	struct officers *o = NULL;
	struct instance_error err;
	uint8_t key[TOTP_KEY_MAX];
	char code[16];
	int rc = -1;

	buf_init(&idtext, 64 * 1024);
	int n = snprintf(path, sizeof path, "%s/%s", instance_dir(inst), INSTANCE_ADMIN_IDENTITY);
	if (n < 0 || (size_t)n >= sizeof path || cap < CODENAME_BUFSIZE) {
		cli_fail("demo", "path too long");
		goto out;
	}
	if (io_read_file(path, &idtext) != 0 ||
	    age_identity_from_text((const char *)idtext.data, idtext.len, &admin) != AGE_OK ||
	    instance_intake_identity(inst, path, &intake, &err) != INSTANCE_OK) {
		cli_fail("demo", "cannot open the admin identity %s", path);
		goto out;
	}
	if (officer_cli_open("demo", inst, &o) != 0)
		goto out;
	if (codename_generate(password, cap) != CODENAME_OK) {
		cli_fail("demo", "could not generate a password");
		goto out;
	}
	/* cleared for the default marking: the demo officer reads what sources send */
	enum officer_result r =
	        officer_bootstrap(o, admin, intake, name, ROLE_ALL,
	                          instance_conf(inst)->default_marking, "GBR", password, NULL);
	uint64_t now = (uint64_t)time(NULL);
	if (r == OFFICER_OK)
		r = officer_enrol_begin(o, name, password, now, secret_b32, uri, uri_cap);
	int kl = r == OFFICER_OK ? totp_base32_decode(secret_b32, key, sizeof key) : -1;
	if (r == OFFICER_OK && kl <= 0)
		r = OFFICER_FAILED;
	if (r == OFFICER_OK) {
		/* the previous step: the code the newcomer reads now still logs in */
		int c = totp_code(key, (size_t)kl, now - TOTP_STEP, TOTP_DIGITS);
		if (c < 0 || snprintf(code, sizeof code, "%06d", c) != 6)
			r = OFFICER_FAILED;
		else
			r = officer_enrol_finish(o, name, password, secret_b32, code, now);
	}
	if (r != OFFICER_OK) {
		cli_fail("demo", "demo officer: %s", officer_strerror(r));
		goto out;
	}
	/* the marking labels the clearance covers, the default marking's among them */
	if (officer_cli_labels_follow("demo", inst, NULL, name) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	sodium_memzero(code, sizeof code);
	buf_wipe_release(&idtext);
	age_identity_free(&admin);
	age_identity_free(&intake);
	officers_free(&o);
	return rc;
}
