/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/instance/instance.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "t.h"

static char base[] = "/tmp/test_instance_XXXXXX";

static void path(char *out, size_t cap, const char *dir, const char *name)
{
	if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap)
		abort();
}

static unsigned mode_of(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;
	if (name != NULL)
		path(p, sizeof p, dir, name);
	else
		path(p, sizeof p, dir, ".");
	if (stat(p, &st) != 0)
		return 01000;
	return (unsigned)(st.st_mode & 0777);
}

static int read_text(const char *dir, const char *name, struct buf *b)
{
	char p[PATH_MAX];
	path(p, sizeof p, dir, name);
	buf_reset(b);
	return io_read_file(p, b);
}

/* The first line of text not starting with '#', without its newline, into out. */
static int first_line(const char *text, char *out, size_t cap)
{
	while (*text == '#') {
		text = strchr(text, '\n');
		if (text == NULL)
			return -1;
		text++;
	}
	size_t n = strcspn(text, "\n");
	if (n + 1 > cap)
		return -1;
	memcpy(out, text, n);
	out[n] = 0;
	return 0;
}

static void rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];
	if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) < (int)sizeof cmd)
		(void)!system(cmd);
}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[PATH_MAX], dir2[PATH_MAX];
	path(dir, sizeof dir, base, "inst");
	path(dir2, sizeof dir2, base, "inst2");
	struct instance_options opt = {.organisation = "Test Org"};
	struct instance_created cr, cr2;
	struct instance_error err;
	struct instance *inst = NULL;

	T_CHECK(instance_init(dir, &opt, &cr, &err) == INSTANCE_OK);
	T_CHECK(instance_init(dir2, NULL, &cr2, &err) == INSTANCE_OK);
	T_CHECK(mode_of(dir, NULL) == 0700);
	const char *secret[] = {INSTANCE_CONF, INSTANCE_STORE, INSTANCE_ADMIN_IDENTITY,
	                        INSTANCE_INTAKE_KEY, INSTANCE_SIGNING_KEY};
	for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
		T_OK(mode_of(dir, secret[i]) == 0600, "%s has mode 0600 (%03o)", secret[i],
		     mode_of(dir, secret[i]));
	T_CHECK(strncmp(cr.admin_recipient, "age1", 4) == 0);
	T_CHECK(strcmp(cr.admin_recipient, cr2.admin_recipient) != 0);
	T_CHECK(strcmp(cr.intake_recipient, cr2.intake_recipient) != 0);

	T_CHECK(instance_open(dir, &inst, &err) == INSTANCE_OK && inst != NULL);
	if (inst == NULL) {
		printf("# %s\n", err.msg);
		return t_done();
	}
	T_CHECK(strcmp(instance_conf(inst)->organisation, "Test Org") == 0);
	T_CHECK(strcmp(instance_dir(inst), dir) == 0);
	T_CHECK(instance_store(inst) != NULL);

	/* The salts of two instances differ and are not zero. */
	uint8_t salt[16], salt2[16], zero[16] = {0};
	struct instance *inst2 = NULL;
	instance_codename_salt(inst, salt);
	T_CHECK(instance_open(dir2, &inst2, &err) == INSTANCE_OK);
	if (inst2 != NULL)
		instance_codename_salt(inst2, salt2);
	T_OK(inst2 && memcmp(salt, salt2, 16) != 0 && memcmp(salt, zero, 16) != 0,
	     "each instance has its own random codename salt");
	instance_close(&inst2);
	T_CHECK(inst2 == NULL);

	/* intake.pub, the meta intake_label_pk and the sealed identity agree. */
	struct buf b, plain;
	buf_init(&b, 64 * 1024);
	buf_init(&plain, 4096);
	char line[128];
	uint8_t pk[32], meta_pk[32];
	struct age_recipient *r = NULL;
	struct age_identity *admin = NULL, *intake = NULL, *other = NULL;
	T_CHECK(read_text(dir, INSTANCE_INTAKE_PUB, &b) == 0 &&
	        first_line(buf_str(&b), line, sizeof line) == 0 &&
	        strcmp(line, cr.intake_recipient) == 0);
	T_CHECK(age_recipient_parse(line, &r) == AGE_OK && age_recipient_x25519(r, pk) == AGE_OK);
	instance_intake_label_pk(inst, meta_pk);
	T_OK(memcmp(pk, meta_pk, 32) == 0, "meta intake_label_pk = intake.pub");
	age_recipient_free(&r);

	T_CHECK(read_text(dir, INSTANCE_ADMIN_IDENTITY, &b) == 0 &&
	        first_line(buf_str(&b), line, sizeof line) == 0);
	T_CHECK(age_identity_parse(line, &admin) == AGE_OK);
	T_CHECK(strstr(buf_str(&b), "OFFLINE") != NULL);
	sodium_memzero(line, sizeof line);
	buf_wipe_release(&b);

	const struct age_identity *ids[1] = {admin};
	T_CHECK(read_text(dir, INSTANCE_INTAKE_KEY, &b) == 0);
	T_OK(strstr(buf_str(&b), "AGE-SECRET-KEY") == NULL, "intake-label.key.age is not clear");
	T_CHECK(age_decrypt_buf(ids, 1, b.data, b.len, &plain) == AGE_OK &&
	        first_line(buf_str(&plain), line, sizeof line) == 0 &&
	        age_identity_parse(line, &intake) == AGE_OK);
	T_CHECK(age_identity_recipient(intake, &r) == AGE_OK &&
	        age_recipient_x25519(r, pk) == AGE_OK && memcmp(pk, meta_pk, 32) == 0);
	age_recipient_free(&r);
	T_CHECK(age_identity_generate(&other) == AGE_OK);
	const struct age_identity *wrong[1] = {other};
	buf_wipe_release(&plain);
	T_OK(age_decrypt_buf(wrong, 1, b.data, b.len, &plain) == AGE_ERR_NO_MATCH,
	     "another identity cannot open the intake label key");
	buf_wipe_release(&plain);
	buf_release(&b);

	/* signing.key.age holds the seed of signing_pk. */
	uint8_t seed[32], spk[32], ssk[64], meta_spk[32], pub_spk[32];
	size_t seedlen = 0, publen = 0;
	T_CHECK(read_text(dir, INSTANCE_SIGNING_KEY, &b) == 0 &&
	        age_decrypt_buf(ids, 1, b.data, b.len, &plain) == AGE_OK &&
	        first_line(buf_str(&plain), line, sizeof line) == 0 &&
	        sodium_base642bin(seed, sizeof seed, line, strlen(line), NULL, &seedlen, NULL,
	                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
	        seedlen == 32);
	T_CHECK(crypto_sign_seed_keypair(spk, ssk, seed) == 0);
	instance_signing_pk(inst, meta_spk);
	T_OK(memcmp(spk, meta_spk, 32) == 0, "signing.key.age holds the seed of signing_pk");
	T_CHECK(read_text(dir, INSTANCE_SIGNING_PUB, &b) == 0 &&
	        first_line(buf_str(&b), line, sizeof line) == 0 &&
	        sodium_base642bin(pub_spk, sizeof pub_spk, line, strlen(line), NULL, &publen, NULL,
	                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
	        publen == 32 && memcmp(pub_spk, spk, 32) == 0);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(ssk, sizeof ssk);
	sodium_memzero(line, sizeof line);
	buf_wipe_release(&plain);
	buf_release(&b);
	age_identity_free(&admin);
	age_identity_free(&intake);
	age_identity_free(&other);
	instance_close(&inst);
	T_CHECK(inst == NULL);
	instance_close(&inst);
	instance_close(NULL);

	/* Refusals. */
	T_CHECK(instance_init(dir, NULL, NULL, &err) == INSTANCE_ERR_NOT_EMPTY);
	T_CHECK(mode_of(dir, INSTANCE_CONF) == 0600);
	opt.organisation = "bad\x01name";
	char dir3[PATH_MAX];
	path(dir3, sizeof dir3, base, "inst3");
	T_CHECK(instance_init(dir3, &opt, NULL, &err) == INSTANCE_ERR_ARG &&
	        access(dir3, F_OK) != 0);
	char deep[PATH_MAX];
	path(deep, sizeof deep, base, "missing/inst");
	T_CHECK(instance_init(deep, NULL, NULL, &err) == INSTANCE_ERR_IO);

	/* open: a directory others can read is refused. */
	T_CHECK(chmod(dir2, 0755) == 0);
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_MODE && inst == NULL &&
	             strstr(err.msg, "chmod 700") != NULL,
	     "open refuses a 0755 directory (%s)", err.msg);
	T_CHECK(chmod(dir2, 0700) == 0);

	/* open: files others may read or change, files that are not files, an empty store */
	char conf[PATH_MAX], pub[PATH_MAX], store2[PATH_MAX], moved[PATH_MAX];
	path(conf, sizeof conf, dir2, INSTANCE_CONF);
	path(pub, sizeof pub, dir2, INSTANCE_SIGNING_PUB);
	path(store2, sizeof store2, dir2, INSTANCE_STORE);
	path(moved, sizeof moved, base, "moved");
	T_CHECK(chmod(conf, 0640) == 0);
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_MODE && inst == NULL &&
	             strstr(err.msg, "chmod 600") != NULL,
	     "open refuses a config readable by the group (%s)", err.msg);
	T_CHECK(chmod(conf, 0600) == 0);
	T_CHECK(chmod(pub, 0666) == 0);
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_MODE && inst == NULL,
	     "open refuses a public key others may change (%s)", err.msg);
	T_CHECK(chmod(pub, 0644) == 0);
	T_CHECK(instance_open(dir2, &inst, &err) == INSTANCE_OK);
	instance_close(&inst);
	T_CHECK(rename(conf, moved) == 0 && mkfifo(conf, 0600) == 0);
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_MODE && inst == NULL &&
	             strstr(err.msg, "not a regular file") != NULL,
	     "open refuses a config that is a FIFO, without blocking on it (%s)", err.msg);
	T_CHECK(unlink(conf) == 0 && rename(moved, conf) == 0);
	T_CHECK(rename(store2, moved) == 0);
	int fd = open(store2, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_CHECK(fd >= 0 && close(fd) == 0);
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_CORRUPT && inst == NULL &&
	             strstr(err.msg, "empty") != NULL,
	     "open refuses a store truncated to 0 bytes (%s)", err.msg);
	struct stat sst;
	T_OK(stat(store2, &sst) == 0 && sst.st_size == 0,
	     "and leaves it as it was (no schema written over it)");
	T_CHECK(rename(moved, store2) == 0);
	T_CHECK(instance_open(dir2, &inst, &err) == INSTANCE_OK);
	instance_close(&inst);

	/* open: a bad configuration names the file and the line. */
	FILE *f = fopen(conf, "a");
	if (f != NULL) {
		fputs("no_such_key = 1\n", f);
		fclose(f);
	}
	T_OK(instance_open(dir2, &inst, &err) == INSTANCE_ERR_CONF && inst == NULL &&
	             strstr(err.msg, "cutout.conf: line ") != NULL &&
	             strstr(err.msg, "unknown key 'no_such_key'") != NULL,
	     "open reports a bad config with its line (%s)", err.msg);

	/* open: no store made by init. */
	char st[PATH_MAX];
	path(st, sizeof st, dir, INSTANCE_STORE);
	T_CHECK(unlink(st) == 0);
	T_CHECK(instance_open(dir, &inst, &err) == INSTANCE_ERR_IO && inst == NULL);
	T_CHECK(access(st, F_OK) != 0);
	T_CHECK(instance_open(base, &inst, &err) != INSTANCE_OK && inst == NULL);

	rm_rf(base);
	return t_done();
}
