/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "app/officer_cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli.h"
#include "lib/password.h"

#include "lib/banned.h"

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
