/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/instance/instance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/marking/marking.h"
#include "core/store/store_registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

struct instance {
	char dir[PATH_MAX];
	struct conf conf;
	struct marking_scheme scheme;
	struct store *store;
	uint8_t salt[INSTANCE_SALT_LEN];
	uint8_t intake_pk[32];
	uint8_t signing_pk[32];
};

/* Files init may create, removed again if it fails (the store's side files too). */
static const char *const init_files[] = {
        INSTANCE_CONF,
        INSTANCE_STORE,
        INSTANCE_STORE "-wal",
        INSTANCE_STORE "-shm",
        INSTANCE_STORE "-journal",
        INSTANCE_STORE "-open",
        INSTANCE_ADMIN_IDENTITY,
        INSTANCE_INTAKE_KEY,
        INSTANCE_INTAKE_PUB,
        INSTANCE_SIGNING_KEY,
        INSTANCE_SIGNING_PUB,
};

__attribute__((format(printf, 3, 4))) static enum instance_result
fail(struct instance_error *err, enum instance_result rc, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		/* A truncated message is still a message. */
		(void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* 0: dir exists and is empty; 1: not empty; -1: error (errno). */
static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int r = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			r = 1;
			break;
		}
	}
	if (e == NULL && errno != 0)
		r = -1;
	int saved = errno;
	closedir(d);
	errno = saved;
	return r;
}

static enum instance_result write_file(const char *dir, const char *name, const void *p, size_t n,
                                       mode_t mode, struct instance_error *err)
{
	char path[PATH_MAX];
	if (join(path, sizeof path, dir, name) != 0)
		return fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
	if (io_write_new_file(path, p, n, mode) != 0)
		return fail(err, INSTANCE_ERR_IO, "%s: %s", path, strerror(errno));
	return INSTANCE_OK;
}

/* Seals plaintext to the admin recipient and writes it as a new 0600 file. */
static enum instance_result write_sealed(const char *dir, const char *name,
                                         const struct age_recipient *admin, const uint8_t *p,
                                         size_t n, struct instance_error *err)
{
	struct buf ct;
	enum instance_result rc;
	buf_init(&ct, 64 * 1024);
	enum age_err ae = age_encrypt_buf(&admin, 1, p, n, &ct);
	if (ae != AGE_OK)
		rc = fail(err, INSTANCE_ERR_CRYPTO, "sealing %s: %s", name, age_strerror(ae));
	else
		rc = write_file(dir, name, ct.data, ct.len, 0600, err);
	buf_release(&ct);
	return rc;
}

static enum instance_result meta_set(struct store *s, const char *key, const void *p, size_t n,
                                     struct instance_error *err)
{
	enum store_result sr = store_meta_set(s, key, p, n);
	if (sr != STORE_OK)
		return fail(err, INSTANCE_ERR_STORE, "store: setting %s: %s", key,
		            store_strerror(sr));
	return INSTANCE_OK;
}

/* Creates DIR 0700, or takes an existing empty DIR. *created: whether we made it. */
static enum instance_result make_dir(const char *dir, int *created, struct instance_error *err)
{
	struct stat st;
	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
	} else if (errno != EEXIST) {
		return fail(err, INSTANCE_ERR_IO, "%s: %s", dir, strerror(errno));
	} else {
		if (lstat(dir, &st) != 0)
			return fail(err, INSTANCE_ERR_IO, "%s: %s", dir, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return fail(err, INSTANCE_ERR_NOT_EMPTY, "%s exists and is not a directory",
			            dir);
		int e = dir_is_empty(dir);
		if (e < 0)
			return fail(err, INSTANCE_ERR_IO, "%s: %s", dir, strerror(errno));
		if (e > 0)
			return fail(err, INSTANCE_ERR_NOT_EMPTY,
			            "%s exists and is not empty; give a new or empty directory",
			            dir);
	}
	if (chmod(dir, 0700) != 0) {
		int saved = errno;
		if (*created)
			(void)rmdir(dir);
		*created = 0;
		return fail(err, INSTANCE_ERR_IO, "%s: chmod: %s", dir, strerror(saved));
	}
	return INSTANCE_OK;
}

/* Whether the configuration names a PostgreSQL store (conf_check_store allows no other). */
static bool is_pg(const struct conf *c)
{
	return strcmp(c->store, CONF_STORE_FILE) != 0;
}

/* The location store_open takes: DIR/store.db, or the configuration's URI. */
static enum instance_result store_location(const char *dir, const struct conf *c, char *out,
                                           size_t cap, struct instance_error *err)
{
	size_t n = strlen(c->store);
	if (is_pg(c)) {
		if (n >= cap)
			return fail(err, INSTANCE_ERR_ARG, "store: location too long");
		memcpy(out, c->store, n + 1);
		return INSTANCE_OK;
	}
	if (join(out, cap, dir, INSTANCE_STORE) != 0)
		return fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
	return INSTANCE_OK;
}

/* How messages name the store: its path, or "the PostgreSQL store" (a URI may name a user). */
static const char *store_shown(const struct conf *c, const char *path)
{
	return is_pg(c) ? "the PostgreSQL store (store in " INSTANCE_CONF ")" : path;
}

static void remove_created(const char *dir, int dir_created)
{
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof init_files / sizeof init_files[0]; i++)
		if (join(path, sizeof path, dir, init_files[i]) == 0)
			(void)unlink(path);
	if (dir_created)
		(void)rmdir(dir);
}

enum instance_result instance_init(const char *dir, const struct instance_options *opt,
                                   struct instance_created *created, struct instance_error *err)
{
	enum instance_result rc = INSTANCE_OK;
	struct conf_error cerr;
	struct conf conf;
	struct age_identity *admin = NULL, *intake = NULL;
	struct age_recipient *admin_r = NULL, *intake_r = NULL;
	struct store *store = NULL;
	struct buf text;
	char *idstr = NULL;      /* an AGE-SECRET-KEY-1... string: secret */
	uint8_t *sign_sk = NULL; /* Ed25519 secret key: secret */
	char *seed_b64 = NULL;   /* its seed in base64: secret */
	uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES], intake_pk[32], salt[INSTANCE_SALT_LEN];
	char admin_rs[INSTANCE_RECIPIENT_MAX], intake_rs[INSTANCE_RECIPIENT_MAX];
	char sign_pub[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	char path[PATH_MAX];
	int dir_created = 0, dir_taken = 0;
	const size_t seed_b64_len = sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL);

	buf_init(&text, CONF_FILE_MAX);
	if (created != NULL)
		memset(created, 0, sizeof *created);
	conf_defaults(&conf);
	if (opt != NULL && opt->organisation != NULL) {
		if (conf_check_organisation(opt->organisation, &cerr) != CONF_OK) {
			rc = fail(err, INSTANCE_ERR_ARG, "organisation: %s", cerr.msg);
			goto out;
		}
		size_t n = strlen(opt->organisation);
		memset(conf.organisation, 0, sizeof conf.organisation);
		memcpy(conf.organisation, opt->organisation, n);
	}
	if (opt != NULL && opt->store != NULL) {
		if (conf_check_store(opt->store, &cerr) != CONF_OK) {
			rc = fail(err, INSTANCE_ERR_ARG, "%s", cerr.msg);
			goto out;
		}
		memset(conf.store, 0, sizeof conf.store);
		memcpy(conf.store, opt->store, strlen(opt->store));
	}
	if (join(path, sizeof path, dir, INSTANCE_SIGNING_KEY) != 0) {
		rc = fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
		goto out;
	}

	/* Keys, all in guarded memory. */
	idstr = sodium_malloc(AGE_IDENTITY_STRLEN + 1);
	sign_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	seed_b64 = sodium_malloc(seed_b64_len);
	if (idstr == NULL || sign_sk == NULL || seed_b64 == NULL) {
		rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (age_identity_generate(&admin) != AGE_OK ||
	    age_identity_recipient(admin, &admin_r) != AGE_OK ||
	    age_recipient_format(admin_r, admin_rs, sizeof admin_rs) != AGE_OK ||
	    age_identity_generate(&intake) != AGE_OK ||
	    age_identity_recipient(intake, &intake_r) != AGE_OK ||
	    age_recipient_format(intake_r, intake_rs, sizeof intake_rs) != AGE_OK ||
	    age_recipient_x25519(intake_r, intake_pk) != AGE_OK) {
		rc = fail(err, INSTANCE_ERR_CRYPTO, "could not generate the age keys");
		goto out;
	}
	if (crypto_sign_keypair(sign_pk, sign_sk) != 0) {
		rc = fail(err, INSTANCE_ERR_CRYPTO, "could not generate the signing key");
		goto out;
	}
	sodium_bin2base64(seed_b64, seed_b64_len, sign_sk, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sign_pub, sizeof sign_pub, sign_pk, sizeof sign_pk,
	                  sodium_base64_VARIANT_ORIGINAL);
	randombytes_buf(salt, sizeof salt);

	if ((rc = make_dir(dir, &dir_created, err)) != INSTANCE_OK)
		goto out;
	dir_taken = 1;

	/* cutout.conf */
	if (conf_format(&conf, &text) != CONF_OK) {
		rc = fail(err, INSTANCE_ERR_NOMEM, "could not format the configuration");
		goto out;
	}
	if ((rc = write_file(dir, INSTANCE_CONF, text.data, text.len, 0600, err)) != INSTANCE_OK)
		goto out;

	/* admin-identity.txt: the one secret in clear, for the admin to take offline. */
	buf_wipe_release(&text);
	if (age_identity_format(admin, idstr, AGE_IDENTITY_STRLEN + 1) != AGE_OK) {
		rc = fail(err, INSTANCE_ERR_CRYPTO, "could not format the admin identity");
		goto out;
	}
	if (buf_printf(&text,
	               "# cutout admin identity (age X25519) of the instance in this directory.\n"
	               "# It opens %s and %s (the intake label key and the\n"
	               "# signing key), and so every source's submission.\n"
	               "# MOVE THIS FILE OFFLINE (to an air-gapped machine or paper) and delete\n"
	               "# it here: the running instance never needs it.\n"
	               "# public key: %s\n"
	               "%s\n",
	               INSTANCE_INTAKE_KEY, INSTANCE_SIGNING_KEY, admin_rs, idstr) != BUF_OK) {
		rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = write_file(dir, INSTANCE_ADMIN_IDENTITY, text.data, text.len, 0600, err)) !=
	    INSTANCE_OK)
		goto out;
	buf_wipe_release(&text);

	/* intake-label.key.age: the intake label identity, sealed to the admin. */
	if (age_identity_format(intake, idstr, AGE_IDENTITY_STRLEN + 1) != AGE_OK ||
	    buf_printf(&text, "# cutout intake label identity\n%s\n", idstr) != BUF_OK) {
		rc = fail(err, INSTANCE_ERR_CRYPTO, "could not format the intake label identity");
		goto out;
	}
	sodium_memzero(idstr, AGE_IDENTITY_STRLEN + 1);
	if ((rc = write_sealed(dir, INSTANCE_INTAKE_KEY, admin_r, text.data, text.len, err)) !=
	    INSTANCE_OK)
		goto out;
	buf_wipe_release(&text);

	/* signing.key.age: the Ed25519 seed, sealed to the admin. */
	if (buf_printf(&text,
	               "# cutout instance Ed25519 signing key: seed (32 bytes), base64\n%s\n",
	               seed_b64) != BUF_OK) {
		rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = write_sealed(dir, INSTANCE_SIGNING_KEY, admin_r, text.data, text.len, err)) !=
	    INSTANCE_OK)
		goto out;
	buf_wipe_release(&text);

	/* The public halves. */
	if (buf_printf(&text, "%s\n", intake_rs) != BUF_OK ||
	    (rc = write_file(dir, INSTANCE_INTAKE_PUB, text.data, text.len, 0644, err)) !=
	            INSTANCE_OK) {
		if (rc == INSTANCE_OK)
			rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}
	buf_reset(&text);
	if (buf_printf(&text, "%s\n", sign_pub) != BUF_OK ||
	    (rc = write_file(dir, INSTANCE_SIGNING_PUB, text.data, text.len, 0644, err)) !=
	            INSTANCE_OK) {
		if (rc == INSTANCE_OK)
			rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}

	/* store.db: created 0600 first, so SQLite (and its -wal/-shm) keep that mode. */
	if ((rc = store_location(dir, &conf, path, sizeof path, err)) != INSTANCE_OK)
		goto out;
	if (!is_pg(&conf) &&
	    (rc = write_file(dir, INSTANCE_STORE, "", 0, 0600, err)) != INSTANCE_OK)
		goto out;
	enum store_result sr = store_open(path, &store);
	if (sr != STORE_OK) {
		rc = fail(err, INSTANCE_ERR_STORE, "%s: %s", store_shown(&conf, path),
		          store_strerror(sr));
		goto out;
	}
	size_t had = 0;
	if (is_pg(&conf) &&
	    store_meta_get(store, INSTANCE_META_SALT, salt, sizeof salt, &had) != STORE_NOT_FOUND) {
		rc = fail(err, INSTANCE_ERR_NOT_EMPTY,
		          "the database of %s already holds an instance (or cannot be read): "
		          "give an empty database",
		          INSTANCE_CONF);
		goto out;
	}
	if ((rc = meta_set(store, INSTANCE_META_SALT, salt, sizeof salt, err)) != INSTANCE_OK ||
	    (rc = meta_set(store, INSTANCE_META_INTAKE_PK, intake_pk, 32, err)) != INSTANCE_OK ||
	    (rc = meta_set(store, INSTANCE_META_SIGNING_PK, sign_pk, 32, err)) != INSTANCE_OK ||
	    (rc = meta_set(store, INSTANCE_META_ADMIN_RECIPIENT, admin_rs, strlen(admin_rs),
	                   err)) != INSTANCE_OK)
		goto out;
	store_close(&store);
	if (!is_pg(&conf) && io_fsync_dir_of(path) != 0) {
		rc = fail(err, INSTANCE_ERR_IO, "%s: fsync: %s", dir, strerror(errno));
		goto out;
	}

	if (created != NULL) {
		memcpy(created->admin_recipient, admin_rs, sizeof admin_rs);
		memcpy(created->intake_recipient, intake_rs, sizeof intake_rs);
		memcpy(created->signing_pub, sign_pub, sizeof sign_pub);
	}
out:
	store_close(&store);
	if (rc != INSTANCE_OK && dir_taken)
		remove_created(dir, dir_created);
	buf_wipe_release(&text);
	if (idstr != NULL)
		sodium_memzero(idstr, AGE_IDENTITY_STRLEN + 1);
	if (seed_b64 != NULL)
		sodium_memzero(seed_b64, seed_b64_len);
	if (sign_sk != NULL)
		sodium_memzero(sign_sk, crypto_sign_SECRETKEYBYTES);
	sodium_free(idstr);
	sodium_free(seed_b64);
	sodium_free(sign_sk);
	age_identity_free(&admin);
	age_identity_free(&intake);
	age_recipient_free(&admin_r);
	age_recipient_free(&intake_r);
	sodium_memzero(salt, sizeof salt);
	return rc;
}

static enum instance_result meta_fixed(struct store *s, const char *key, uint8_t *out, size_t n,
                                       struct instance_error *err)
{
	uint8_t val[64];
	size_t len = 0;
	enum store_result sr = store_meta_get(s, key, val, sizeof val, &len);
	if (sr == STORE_NOT_FOUND)
		return fail(err, INSTANCE_ERR_CORRUPT, "store: no %s (not made by cutout init?)",
		            key);
	if (sr != STORE_OK)
		return fail(err, INSTANCE_ERR_STORE, "store: reading %s: %s", key,
		            store_strerror(sr));
	if (len != n)
		return fail(err, INSTANCE_ERR_CORRUPT, "store: %s has %zu bytes, want %zu", key,
		            len, n);
	memcpy(out, val, n);
	return INSTANCE_OK;
}

/*
 * The marking scheme of the configuration (scheme, compartments, country), and
 * the default marking of new submissions checked against it.
 */
static enum instance_result load_scheme(struct instance *inst, struct instance_error *err)
{
	const struct conf *cf = &inst->conf;
	struct marking_error merr;
	struct marking m;
	int kind = marking_scheme_kind_parse(cf->scheme);
	if (kind < 0)
		return fail(err, INSTANCE_ERR_CONF, "%s: unknown scheme '%s'", INSTANCE_CONF,
		            cf->scheme);
	if (marking_scheme_init(&inst->scheme, (enum marking_scheme_kind)kind, cf->compartments,
	                        cf->country[0] ? cf->country : NULL, &merr) != MARKING_OK)
		return fail(err, INSTANCE_ERR_CONF, "%s: compartments or country: %s",
		            INSTANCE_CONF, merr.msg);
	if (marking_parse(&inst->scheme, cf->default_marking, strlen(cf->default_marking), &m,
	                  &merr) != MARKING_OK)
		return fail(err, INSTANCE_ERR_CONF, "%s: default_marking '%s': %s", INSTANCE_CONF,
		            cf->default_marking, merr.msg);
	/* canonical from here on: it names the submissions' marking label */
	char canon[MARKING_TEXT_MAX + 3];
	int n = marking_format(&inst->scheme, &m, false, canon, sizeof canon);
	if (n < 0 || (size_t)n >= sizeof inst->conf.default_marking)
		return fail(err, INSTANCE_ERR_CONF, "%s: default_marking '%s': too long",
		            INSTANCE_CONF, cf->default_marking);
	memcpy(inst->conf.default_marking, canon, (size_t)n + 1);
	return INSTANCE_OK;
}

/*
 * The instance's files as open expects them, checked before anything reads
 * them: each a regular file (a FIFO or a device would block or lie), none
 * writable by others, the secret ones (all but the public keys) readable by
 * the owner only, and the store not empty (a store truncated to 0 bytes would
 * otherwise get an empty schema written over what is left of the evidence).
 * Missing files are the business of whoever opens them.
 */
static enum instance_result check_files(const char *dir, struct instance_error *err)
{
	static const struct {
		const char *name;
		mode_t deny; /* mode bits that must be clear */
	} files[] = {
	        {INSTANCE_CONF, 077},           {INSTANCE_STORE, 077},
	        {INSTANCE_STORE "-wal", 077},   {INSTANCE_STORE "-shm", 077},
	        {INSTANCE_ADMIN_IDENTITY, 077}, {INSTANCE_INTAKE_KEY, 077},
	        {INSTANCE_SIGNING_KEY, 077},    {INSTANCE_INTAKE_PUB, 022},
	        {INSTANCE_SIGNING_PUB, 022},    {INSTANCE_LIAISON_KEY, 077},
	};
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct stat st;
		if (join(path, sizeof path, dir, files[i].name) != 0)
			return fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
		if (lstat(path, &st) != 0) {
			if (errno == ENOENT)
				continue;
			return fail(err, INSTANCE_ERR_IO, "%s: %s", path, strerror(errno));
		}
		if (!S_ISREG(st.st_mode))
			return fail(err, INSTANCE_ERR_MODE,
			            "%s is not a regular file (a link, FIFO, device or directory): "
			            "refusing to open it",
			            path);
		if ((st.st_mode & files[i].deny) != 0)
			return fail(err, INSTANCE_ERR_MODE,
			            "%s can be %s by other users (mode %03o); run: chmod %s %s",
			            path, files[i].deny == 077 ? "accessed" : "changed",
			            (unsigned)(st.st_mode & 0777),
			            files[i].deny == 077 ? "600" : "644", path);
		if (strcmp(files[i].name, INSTANCE_STORE) == 0 && st.st_size == 0)
			return fail(err, INSTANCE_ERR_CORRUPT,
			            "%s is empty (0 bytes): truncated? It was left as it is; "
			            "restore it "
			            "from a backup",
			            path);
	}
	return INSTANCE_OK;
}

enum instance_result instance_open(const char *dir, struct instance **out,
                                   struct instance_error *err)
{
	enum instance_result rc = INSTANCE_OK;
	struct instance *inst = NULL;
	struct conf_error cerr;
	char path[PATH_MAX];
	struct stat st;

	*out = NULL;
	if (strlen(dir) >= sizeof inst->dir)
		return fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
	if (stat(dir, &st) != 0)
		return fail(err, INSTANCE_ERR_IO, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(err, INSTANCE_ERR_ARG, "%s is not a directory", dir);
	if ((st.st_mode & 077) != 0)
		return fail(err, INSTANCE_ERR_MODE,
		            "%s can be accessed by other users (mode %03o); run: chmod 700 %s", dir,
		            (unsigned)(st.st_mode & 0777), dir);
	if ((rc = check_files(dir, err)) != INSTANCE_OK)
		return rc;
	inst = calloc(1, sizeof *inst);
	if (inst == NULL)
		return fail(err, INSTANCE_ERR_NOMEM, "out of memory");
	memcpy(inst->dir, dir, strlen(dir) + 1);
	if (join(path, sizeof path, dir, INSTANCE_CONF) != 0) {
		rc = fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
		goto out;
	}
	enum conf_result cr = conf_load(path, &inst->conf, &cerr);
	if (cr != CONF_OK) {
		rc = fail(err, cr == CONF_ERR_IO ? INSTANCE_ERR_IO : INSTANCE_ERR_CONF, "%s%s%s",
		          cerr.line > 0 ? path : "", cerr.line > 0 ? ": " : "", cerr.msg);
		goto out;
	}
	if ((rc = load_scheme(inst, err)) != INSTANCE_OK)
		goto out;
	if ((rc = store_location(dir, &inst->conf, path, sizeof path, err)) != INSTANCE_OK)
		goto out;
	if (!is_pg(&inst->conf) && access(path, F_OK) != 0) {
		/* store_open would create an empty store: an instance needs one made by init. */
		rc = fail(err, INSTANCE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	enum store_result sr = store_open(path, &inst->store);
	if (sr != STORE_OK) {
		rc = fail(err, INSTANCE_ERR_STORE, "%s: %s", store_shown(&inst->conf, path),
		          store_strerror(sr));
		goto out;
	}
	if ((rc = meta_fixed(inst->store, INSTANCE_META_SALT, inst->salt, sizeof inst->salt,
	                     err)) != INSTANCE_OK ||
	    (rc = meta_fixed(inst->store, INSTANCE_META_INTAKE_PK, inst->intake_pk, 32, err)) !=
	            INSTANCE_OK ||
	    (rc = meta_fixed(inst->store, INSTANCE_META_SIGNING_PK, inst->signing_pk, 32, err)) !=
	            INSTANCE_OK)
		goto out;
	/*
	 * The default marking is in use from the start: the officers cleared for
	 * it get its label (core/registry/registry.h), and new submissions are sealed to it.
	 */
	store_id mid;
	if ((sr = store_marking_id(inst->store, inst->conf.default_marking, &mid)) != STORE_OK) {
		rc = fail(err, INSTANCE_ERR_STORE, "%s: %s", store_shown(&inst->conf, path),
		          store_strerror(sr));
		goto out;
	}
	*out = inst;
	inst = NULL;
out:
	instance_close(&inst);
	return rc;
}

void instance_close(struct instance **inst)
{
	if (inst == NULL || *inst == NULL)
		return;
	store_close(&(*inst)->store);
	sodium_memzero((*inst)->salt, sizeof(*inst)->salt);
	free(*inst);
	*inst = NULL;
}

const struct marking_scheme *instance_marking_scheme(const struct instance *inst)
{
	return &inst->scheme;
}

const struct conf *instance_conf(const struct instance *inst)
{
	return &inst->conf;
}

struct store *instance_store(struct instance *inst)
{
	return inst->store;
}

enum store_result instance_door_files(struct instance *inst, enum store_role role, store_file_fn fn,
                                      void *ctx)
{
	return inst == NULL ? STORE_NOT_FOUND : store_files(inst->store, role, fn, ctx);
}

const char *instance_dir(const struct instance *inst)
{
	return inst->dir;
}

void instance_codename_salt(const struct instance *inst, uint8_t out[static INSTANCE_SALT_LEN])
{
	memcpy(out, inst->salt, INSTANCE_SALT_LEN);
}

void instance_intake_label_pk(const struct instance *inst, uint8_t out[static 32])
{
	memcpy(out, inst->intake_pk, 32);
}

void instance_signing_pk(const struct instance *inst, uint8_t out[static 32])
{
	memcpy(out, inst->signing_pk, 32);
}

/* Reads a small secret file into sodium_malloc'd memory (wiped by the caller). */
static enum instance_result read_secret_file(const char *path, struct buf *b,
                                             struct instance_error *err)
{
	if (io_read_file(path, b) != 0)
		return fail(err, INSTANCE_ERR_IO, "%s: %s", path,
		            errno == EFBIG ? "too large" : strerror(errno));
	return INSTANCE_OK;
}

/*
 * Opens the age file `name` of the instance directory, sealed to the admin
 * identity in the file admin_identity_path: its plaintext lands in plain
 * (the caller wipes it with buf_wipe_release).
 */
static enum instance_result open_sealed(const struct instance *inst,
                                        const char *admin_identity_path, const char *name,
                                        struct buf *plain, struct instance_error *err)
{
	struct buf admin_text, sealed;
	struct age_identity *admin = NULL;
	char path[PATH_MAX];
	enum instance_result rc;
	buf_init(&admin_text, 16 * 1024);
	buf_init(&sealed, 64 * 1024);
	if ((rc = read_secret_file(admin_identity_path, &admin_text, err)) != INSTANCE_OK)
		goto out;
	if (age_identity_from_text(buf_str(&admin_text), admin_text.len, &admin) != AGE_OK) {
		rc = fail(err, INSTANCE_ERR_ARG, "%s: not an age identity file",
		          admin_identity_path);
		goto out;
	}
	if (join(path, sizeof path, instance_dir(inst), name) != 0) {
		rc = fail(err, INSTANCE_ERR_ARG, "path too long");
		goto out;
	}
	if ((rc = read_secret_file(path, &sealed, err)) != INSTANCE_OK)
		goto out;
	const struct age_identity *ids[1] = {admin};
	if (age_decrypt_buf(ids, 1, sealed.data, sealed.len, plain) != AGE_OK) {
		rc = fail(err, INSTANCE_ERR_CRYPTO,
		          "%s does not open %s: not this instance's admin identity",
		          admin_identity_path, name);
		goto out;
	}
	rc = INSTANCE_OK;
out:
	age_identity_free(&admin);
	buf_wipe_release(&admin_text);
	buf_wipe_release(&sealed);
	return rc;
}

enum instance_result instance_intake_identity(const struct instance *inst,
                                              const char *admin_identity_path,
                                              struct age_identity **out, struct instance_error *err)
{
	struct buf plain;
	enum instance_result rc;
	*out = NULL;
	buf_init(&plain, 16 * 1024);
	if ((rc = open_sealed(inst, admin_identity_path, INSTANCE_INTAKE_KEY, &plain, err)) !=
	    INSTANCE_OK)
		goto out;
	if (age_identity_from_text(buf_str(&plain), plain.len, out) != AGE_OK) {
		rc = fail(err, INSTANCE_ERR_CORRUPT, "%s holds no identity", INSTANCE_INTAKE_KEY);
		goto out;
	}
	rc = INSTANCE_OK;
out:
	buf_wipe_release(&plain);
	return rc;
}

enum instance_result instance_signing_key(const struct instance *inst,
                                          const char *admin_identity_path, uint8_t sk[static 64],
                                          struct instance_error *err)
{
	struct buf plain;
	uint8_t *seed = sodium_malloc(32);
	uint8_t pk[32];
	size_t seed_len = 0;
	enum instance_result rc;
	buf_init(&plain, 16 * 1024);
	if (seed == NULL) {
		rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = open_sealed(inst, admin_identity_path, INSTANCE_SIGNING_KEY, &plain, err)) !=
	    INSTANCE_OK)
		goto out;
	/* "# comment\n<base64 seed>\n": the last non-empty line */
	const char *text = buf_str(&plain);
	const char *line = NULL;
	size_t len = 0;
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[0] != '#') {
			line = p;
			len = n;
		}
		p += n + (nl ? 1 : 0);
	}
	if (line == NULL ||
	    sodium_base642bin(seed, 32, line, len, NULL, &seed_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    seed_len != 32 || crypto_sign_seed_keypair(pk, sk, seed) != 0 ||
	    sodium_memcmp(pk, inst->signing_pk, 32) != 0) {
		sodium_memzero(sk, 64);
		rc = fail(err, INSTANCE_ERR_CORRUPT, "%s holds no signing key of this instance",
		          INSTANCE_SIGNING_KEY);
		goto out;
	}
	rc = INSTANCE_OK;
out:
	sodium_free(seed);
	buf_wipe_release(&plain);
	return rc;
}
