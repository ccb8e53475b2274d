/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* cutout age decrypt: identities from files, or a passphrase; the output replaced only on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include "app/cli/cli.h"
#include "app/cli/cmd_age_internal.h"
#include "app/cli/outfile.h"
#include "app/cli/commands.h"
#include "lib/age/age.h"
#include "lib/io.h"

#include "lib/banned.h"

/* ---- decrypt ---- */

struct identities {
	struct age_identity **id;
	size_t n;
	const char *file;
};

static void identities_free(struct identities *is)
{
	for (size_t i = 0; i < is->n; i++)
		age_identity_free(&is->id[i]);
	is->n = 0;
	free(is->id);
	is->id = NULL;
}

static int identities_line(void *ctx, char *line, size_t lineno)
{
	struct identities *is = ctx;
	if (is->n >= MAX_IDENTITIES)
		return cli_fail(CMD, "too many identities (at most %d)", MAX_IDENTITIES);
	if (strncmp(line, "AGE-SECRET-KEY-1", 16) != 0) {
		if (strncmp(line, "age-encryption.org/", 19) == 0 ||
		    strncmp(line, "-----BEGIN AGE", 14) == 0)
			return cli_fail(CMD, "%s: encrypted identity files are not supported",
			                is->file);
		return cli_fail(CMD, "%s:%zu: not an age identity (AGE-SECRET-KEY-1...)", is->file,
		                lineno);
	}
	enum age_err ae = age_identity_parse(line, &is->id[is->n]);
	if (ae != AGE_OK)
		return cli_fail(CMD, "%s:%zu: invalid age identity: %s", is->file, lineno,
		                age_strerror(ae));
	is->n++;
	return 0;
}

static int identities_add_file(struct identities *is, const char *path)
{
	const char *name = age_cli_is_stdin(path) ? "standard input" : path;
	char *text = sodium_malloc(IDENTITY_FILE_CAP);
	if (text == NULL)
		return cli_fail(CMD, "out of memory");
	int rc;
	ssize_t len = age_cli_read_small_file(path, text, IDENTITY_FILE_CAP);
	if (len < 0) {
		if (errno == EFBIG)
			rc = cli_fail(CMD, "%s: identity file too large", name);
		else
			rc = cli_fail(CMD, "cannot read identity file %s: %s", name,
			              strerror(errno));
		goto out;
	}
	size_t before = is->n;
	is->file = name;
	rc = age_cli_for_each_line(text, (size_t)len, identities_line, is);
	is->file = NULL;
	if (rc == 0 && is->n == before)
		rc = cli_fail(CMD, "%s: no identities in the file", name);
out:
	sodium_free(text); /* wipes */
	return rc;
}

static const char age_magic[] = "age-encryption.org/";
static const char armor_begin[] = "-----BEGIN AGE ENCRYPTED FILE-----";

/* True when the first bytes of the input are those of an age file, binary or armored. */
static int looks_like_age(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return (n - i >= sizeof age_magic - 1 &&
	        memcmp(p + i, age_magic, sizeof age_magic - 1) == 0) ||
	       (n - i >= sizeof armor_begin - 1 &&
	        memcmp(p + i, armor_begin, sizeof armor_begin - 1) == 0);
}

/*
 * True when the start of an age file (binary or armored) shows a scrypt
 * stanza first. prefix holds the first bytes of the input.
 */
static int looks_like_scrypt(const uint8_t *p, size_t n)
{
	static const char bin[] = "age-encryption.org/v1\n-> scrypt ";
	const size_t blen = sizeof bin - 1, alen = sizeof armor_begin - 1;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i >= blen && memcmp(p + i, bin, blen) == 0)
		return 1;
	if (n - i < alen || memcmp(p + i, armor_begin, alen) != 0)
		return 0;
	i += alen;
	if (i < n && p[i] == '\r')
		i++;
	if (i >= n || p[i] != '\n')
		return 0;
	i++;
	/* The first 44 base64 characters decode to the first 33 bytes. */
	if (n - i < 44)
		return 0;
	uint8_t dec[33];
	size_t dlen = 0;
	if (sodium_base642bin(dec, sizeof dec, (const char *)p + i, 44, NULL, &dlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    dlen < blen)
		return 0;
	return memcmp(dec, bin, blen) == 0;
}

static const char decrypt_usage[] = "usage: cutout age decrypt [-i FILE]... [-o OUTPUT] [INPUT]";

int age_cli_decrypt_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"identity", required_argument, NULL, 'i'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int ni = 0, stdin_ids = 0, c;
	const char *out_path = NULL, *in_path = NULL;
	struct source src[MAX_SOURCES]; /* -i in the order given */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (ni == MAX_SOURCES)
				return cli_usage(CMD, "too many -i options (at most %d)",
				                 MAX_SOURCES);
			src[ni].file = 1;
			src[ni].arg = optarg;
			ni++;
			stdin_ids |= age_cli_is_stdin(optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			fputs(age_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(CMD, "option '%s' needs an argument (%s)",
			                 argv[optind - 1], decrypt_usage);
		default:
			return cli_usage(CMD, "unknown option '%s' (%s)", argv[optind - 1],
			                 decrypt_usage);
		}
	}
	if (argc - optind > 1)
		return cli_usage(CMD, "only one INPUT may be given (%s)", decrypt_usage);
	if (optind < argc)
		in_path = argv[optind];
	if (stdin_ids && age_cli_is_stdin(in_path))
		return cli_usage(CMD, "-i - reads standard input, so INPUT must be a file");

	int rc = CLI_EXIT_FAIL;
	struct identities is = {.n = 0};
	struct age_identity *pass_id = NULL;
	struct age_decryptor *dec = NULL;
	struct outfile out = {.fd = -1};
	struct sink sk = {.fd = -1};
	uint8_t *buf = NULL;
	char *pw = NULL;
	int in_fd = -1;
	const char *in = age_cli_input_name(in_path);

	buf = aligned_alloc(4096, IO_BUF_SIZE);
	if (buf == NULL) {
		rc = cli_fail(CMD, "out of memory");
		goto out;
	}
	if ((in_fd = age_cli_input_open(in_path)) < 0)
		goto out;
	/* Look at the start of the input to see whether it wants a passphrase. */
	ssize_t have = io_read_full(in_fd, buf, 4096);
	if (have < 0) {
		rc = cli_fail(CMD, "reading %s: %s", in, strerror(errno));
		goto out;
	}
	if (!looks_like_age(buf, (size_t)have)) {
		rc = cli_fail(CMD, "%s is not an age file", in);
		goto out;
	}
	int scrypt = looks_like_scrypt(buf, (size_t)have);
	if (ni > 0 && scrypt) {
		rc = cli_fail(CMD,
		              "%s is passphrase-encrypted: run without -i to be asked for "
		              "the passphrase",
		              in);
		goto out;
	}
	if (ni == 0 && !scrypt) {
		rc = cli_usage(CMD, "no identity: give -i FILE (%s is not passphrase-encrypted)",
		               in);
		goto out;
	}
	if (ni > 0) {
		is.id = calloc(MAX_IDENTITIES, sizeof *is.id);
		if (is.id == NULL) {
			rc = cli_fail(CMD, "out of memory");
			goto out;
		}
		for (int i = 0; i < ni; i++)
			if ((rc = identities_add_file(&is, src[i].arg)) != 0)
				goto out;
		rc = CLI_EXIT_FAIL;
	} else {
		pw = sodium_malloc(PASS_CAP);
		if (pw == NULL) {
			rc = cli_fail(CMD, "out of memory");
			goto out;
		}
		long n = cli_read_secret(CMD, PASS_ENV, "Enter passphrase: ", NULL, pw, PASS_CAP);
		if (n < 0)
			goto out;
		enum age_err ae =
		        age_identity_scrypt(pw, (size_t)n, AGE_SCRYPT_MAX_WORK_FACTOR, &pass_id);
		sodium_free(pw);
		pw = NULL;
		if (ae != AGE_OK) {
			rc = cli_fail(CMD, "passphrase: %s", age_strerror(ae));
			goto out;
		}
	}
	if ((rc = outfile_open(&out, CMD, out_path, age_cli_default_mode())) != 0)
		goto out;
	rc = CLI_EXIT_FAIL;
	sk.fd = out.fd;
	const struct age_identity *const *ids =
	        scrypt ? (const struct age_identity *const *)&pass_id
	               : (const struct age_identity *const *)is.id;
	size_t nids = scrypt ? 1 : is.n;
	enum age_err ae = age_decrypt_begin(ids, nids, age_cli_sink_write, &sk, &dec);
	age_decrypt_parallel(dec);
	if (ae == AGE_OK && have > 0)
		ae = age_decrypt_update(dec, buf, (size_t)have);
	for (;;) {
		if (ae != AGE_OK) {
			rc = age_cli_report_err(ae, "decrypting", in, out.name, &sk, scrypt);
			goto out;
		}
		ssize_t r = read(in_fd, buf, IO_BUF_SIZE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cli_fail(CMD, "reading %s: %s", in, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		ae = age_decrypt_update(dec, buf, (size_t)r);
	}
	if ((ae = age_decrypt_finish(dec)) != AGE_OK) {
		rc = age_cli_report_err(ae, "decrypting", in, out.name, &sk, scrypt);
		goto out;
	}
	rc = outfile_commit(&out, 0);
out:
	outfile_abort(&out);
	age_decryptor_free(&dec);
	identities_free(&is);
	age_identity_free(&pass_id);
	if (pw != NULL)
		sodium_free(pw);
	if (buf != NULL) {
		sodium_memzero(buf, IO_BUF_SIZE); /* may hold plaintext */
		free(buf);
	}
	if (in_fd > STDERR_FILENO)
		close(in_fd);
	return rc;
}
