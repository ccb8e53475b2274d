/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_age: `cutout age keygen|encrypt|decrypt`, a command-line front end to
 * lib/age that behaves like the reference age and age-keygen tools.
 *
 * Contract: input comes from a file or stdin and output goes to stdout or to
 * -o FILE. A file is written as a temporary file in the same directory,
 * fsynced and renamed over FILE only when everything succeeded: a failure (or
 * SIGINT/SIGTERM/SIGHUP) leaves no partial file. keygen never replaces an
 * existing file and creates keys with mode 0600. Binary ciphertext is never
 * written to a terminal. Identity files and passphrases are held in
 * sodium_malloc memory and wiped. Exit codes: 0 ok, 1 failure, 2 usage.
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

const char age_help[] =
        "usage: cutout age keygen [-o FILE]\n"
        "       cutout age encrypt (-r RECIPIENT | -R FILE)... [-a] [-o OUTPUT] [INPUT]\n"
        "       cutout age encrypt -p [-a] [-o OUTPUT] [INPUT]\n"
        "       cutout age decrypt [-i FILE]... [-o OUTPUT] [INPUT]\n"
        "\n"
        "Makes keys, encrypts and decrypts files in the age v1 format\n"
        "(age-encryption.org/v1), interoperable with the age and age-keygen tools.\n"
        "\n"
        "keygen   writes a new identity (\"AGE-SECRET-KEY-1...\"), its creation time and\n"
        "         its public key (\"age1...\") to FILE or stdout. FILE is created with\n"
        "         mode 0600 and never overwritten.\n"
        "encrypt  encrypts INPUT to OUTPUT:\n"
        "  -r, --recipient RECIPIENT    to an age public key (\"age1...\"); repeatable\n"
        "  -R, --recipients-file FILE   to the recipients in FILE, one per line; blank\n"
        "                               lines and lines starting with '#' are ignored;\n"
        "                               repeatable; '-' is stdin\n"
        "  -p, --passphrase             with a passphrase, asked twice on the terminal or\n"
        "                               taken from $" PASS_ENV "; not with -r or -R\n"
        "  -a, --armor                  ASCII-armored (PEM) output\n"
        "decrypt  decrypts INPUT to OUTPUT:\n"
        "  -i, --identity FILE          with the identities in FILE (\"AGE-SECRET-KEY-1...\"\n"
        "                               lines, '#' comments); repeatable; '-' is stdin.\n"
        "                               Without -i, a passphrase-encrypted INPUT asks for\n"
        "                               the passphrase (or takes $" PASS_ENV ").\n"
        "Common:\n"
        "  -o, --output OUTPUT          write OUTPUT instead of stdout; OUTPUT is replaced\n"
        "                               only when the whole operation succeeded\n"
        "  INPUT                        read INPUT instead of stdin ('-' is stdin)\n"
        "  -h, --help                   show this help\n"
        "\n"
        "Binary ciphertext is not written to a terminal: use -a, or -o FILE (-o - forces\n"
        "stdout). Exit status: 0 success, 1 failure, 2 usage error.\n";

int age_cli_sink_write(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *s = ctx;
	if (io_write_all(s->fd, p, n) != 0) {
		s->err = errno != 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* ---- input ---- */

int age_cli_is_stdin(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/* Opens the input; returns the fd or -1 with a message printed. */
int age_cli_input_open(const char *path)
{
	if (age_cli_is_stdin(path))
		return STDIN_FILENO;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cli_fail(CMD, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_fail(CMD, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	return fd;
}

const char *age_cli_input_name(const char *path)
{
	return age_cli_is_stdin(path) ? "standard input" : path;
}

/*
 * Reads a whole small file (or stdin for "-") into dst (cap bytes) and NUL-
 * terminates it. Returns the length, or -1 with errno (EFBIG when too large).
 */
ssize_t age_cli_read_small_file(const char *path, char *dst, size_t cap)
{
	int fd =
	        age_cli_is_stdin(path) ? STDIN_FILENO : open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = io_read_full(fd, dst, cap - 1);
	if (n >= 0 && (size_t)n == cap - 1) {
		char extra;
		ssize_t m = io_read_full(fd, &extra, 1);
		if (m != 0) {
			n = -1;
			errno = m > 0 ? EFBIG : errno;
		}
	}
	int e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	dst[n] = 0;
	return n;
}

/*
 * Calls fn on every line of text[0..len) that is neither blank nor a '#'
 * comment, NUL-terminated in place (a trailing '\r' and trailing blanks are
 * removed). Stops at the first non-zero return and returns it.
 */
int age_cli_for_each_line(char *text, size_t len, int (*fn)(void *ctx, char *line, size_t lineno),
                          void *ctx)
{
	size_t lineno = 0;
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl != NULL ? nl : end;
		lineno++;
		char *next = nl != NULL ? nl + 1 : end;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		if (e > p && p[0] != '#') {
			int rc = fn(ctx, p, lineno);
			if (rc != 0)
				return rc;
		}
		p = next;
	}
	return 0;
}

/* ---- keygen ---- */

static int format_rfc3339(char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL)
		return -1;
	char base[32];
	if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	long off = tm.tm_gmtoff / 60;
	int n;
	if (off == 0) {
		n = snprintf(out, cap, "%sZ", base);
	} else {
		char sign = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		n = snprintf(out, cap, "%s%c%02ld:%02ld", base, sign, off / 60, off % 60);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static const char keygen_usage[] = "usage: cutout age keygen [-o FILE]";

static int keygen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out_path = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			fputs(age_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(CMD, "option '%s' needs an argument (%s)",
			                 argv[optind - 1], keygen_usage);
		default:
			return cli_usage(CMD, "unknown option '%s' (%s)", argv[optind - 1],
			                 keygen_usage);
		}
	}
	if (optind < argc)
		return cli_usage(CMD, "unexpected argument '%s' (%s)", argv[optind], keygen_usage);
	if (out_path != NULL && strcmp(out_path, "-") == 0)
		out_path = NULL;

	int rc = CLI_EXIT_FAIL;
	struct age_identity *id = NULL;
	struct age_recipient *rcp = NULL;
	char pub[AGE_RECIPIENT_STRLEN + 1];
	char when[64];
	const size_t text_cap = 512;
	char *sec = sodium_malloc(AGE_IDENTITY_STRLEN + 1);
	char *text = sodium_malloc(text_cap);
	struct outfile out = {.fd = -1};
	if (sec == NULL || text == NULL) {
		rc = cli_fail(CMD, "out of memory");
		goto out;
	}
	struct stat st;
	if (out_path != NULL && lstat(out_path, &st) == 0) {
		rc = cli_fail(CMD, "%s already exists; not overwriting it", out_path);
		goto out;
	}
	enum age_err ae;
	if ((ae = age_identity_generate(&id)) != AGE_OK ||
	    (ae = age_identity_format(id, sec, AGE_IDENTITY_STRLEN + 1)) != AGE_OK ||
	    (ae = age_identity_recipient(id, &rcp)) != AGE_OK ||
	    (ae = age_recipient_format(rcp, pub, sizeof pub)) != AGE_OK) {
		rc = cli_fail(CMD, "generating a key: %s", age_strerror(ae));
		goto out;
	}
	if (format_rfc3339(when, sizeof when) != 0) {
		rc = cli_fail(CMD, "cannot format the current time");
		goto out;
	}
	int n = snprintf(text, text_cap, "# created: %s\n# public key: %s\n%s\n", when, pub, sec);
	if (n < 0 || (size_t)n >= text_cap) {
		rc = cli_fail(CMD, "internal error: key text too long");
		goto out;
	}
	if ((rc = outfile_open(&out, CMD, out_path, 0600)) != 0)
		goto out;
	if (io_write_all(out.fd, text, (size_t)n) != 0) {
		rc = cli_fail(CMD, "writing %s: %s", out.name, strerror(errno));
		goto out;
	}
	if ((rc = outfile_commit(&out, 1)) != 0)
		goto out;
	if (out_path != NULL || !isatty(STDOUT_FILENO))
		fprintf(stderr, "Public key: %s\n", pub);
	rc = CLI_EXIT_OK;
out:
	outfile_abort(&out);
	sodium_free(sec); /* sodium_free wipes */
	sodium_free(text);
	age_identity_free(&id);
	age_recipient_free(&rcp);
	return rc;
}

/* ---- encrypt ---- */

struct recipients {
	struct age_recipient *r[AGE_MAX_STANZAS];
	size_t n;
	const char *file; /* for messages while parsing a file */
};

static void recipients_free(struct recipients *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		age_recipient_free(&rs->r[i]);
	rs->n = 0;
}

/* Adds one recipient string; returns 0 or a CLI exit code (message printed). */
static int recipients_add(struct recipients *rs, const char *s, const char *file, size_t lineno)
{
	if (rs->n >= AGE_MAX_STANZAS)
		return cli_fail(CMD, "too many recipients (at most %d)", AGE_MAX_STANZAS);
	enum age_err ae = age_recipient_parse(s, &rs->r[rs->n]);
	if (ae != AGE_OK) {
		const char *hint = strncmp(s, "ssh-", 4) == 0
		                           ? " (SSH keys are not supported; use an age1... key)"
		                           : "";
		if (file != NULL)
			return cli_fail(CMD, "%s:%zu: not a valid age recipient%s", file, lineno,
			                hint);
		return cli_fail(CMD, "invalid recipient '%s' (not an age1... public key)%s", s,
		                hint);
	}
	rs->n++;
	return 0;
}

static int recipients_line(void *ctx, char *line, size_t lineno)
{
	struct recipients *rs = ctx;
	return recipients_add(rs, line, rs->file, lineno);
}

static int recipients_add_file(struct recipients *rs, const char *path)
{
	const char *name = age_cli_is_stdin(path) ? "standard input" : path;
	char *text = malloc(RECIPIENT_FILE_CAP);
	if (text == NULL)
		return cli_fail(CMD, "out of memory");
	int rc;
	ssize_t len = age_cli_read_small_file(path, text, RECIPIENT_FILE_CAP);
	if (len < 0) {
		if (errno == EFBIG)
			rc = cli_fail(CMD, "%s: recipients file too large", name);
		else
			rc = cli_fail(CMD, "cannot read recipients file %s: %s", name,
			              strerror(errno));
		goto out;
	}
	size_t before = rs->n;
	rs->file = name;
	rc = age_cli_for_each_line(text, (size_t)len, recipients_line, rs);
	rs->file = NULL;
	if (rc == 0 && rs->n == before)
		rc = cli_fail(CMD, "%s: no recipients in the file", name);
out:
	free(text);
	return rc;
}

/* Maps a library failure to a message. in/out name the streams. */
int age_cli_report_err(enum age_err ae, const char *what, const char *in, const char *out,
                       const struct sink *sk, int scrypt)
{
	switch (ae) {
	case AGE_ERR_IO:
		return cli_fail(CMD, "writing %s: %s", out, strerror(sk->err != 0 ? sk->err : EIO));
	case AGE_ERR_NO_MATCH:
		if (scrypt)
			return cli_fail(CMD, "%s: incorrect passphrase", in);
		return cli_fail(CMD, "%s: no identity matched any of the file's recipients", in);
	case AGE_ERR_HMAC:
		return cli_fail(CMD, "%s: header authentication failed (%s)", in,
		                scrypt ? "incorrect passphrase, or a damaged file"
		                       : "the file is damaged or was tampered with");
	case AGE_ERR_HEADER:
		return cli_fail(CMD, "%s: not a valid age file (bad header)", in);
	case AGE_ERR_PAYLOAD:
		return cli_fail(CMD,
		                "%s: the file is damaged or truncated (payload failed to "
		                "authenticate)",
		                in);
	case AGE_ERR_ARMOR:
		return cli_fail(CMD, "%s: malformed ASCII armor", in);
	default:
		return cli_fail(CMD, "%s %s: %s", what, in, age_strerror(ae));
	}
}

static const char encrypt_usage[] =
        "usage: cutout age encrypt (-r RECIPIENT | -R FILE | -p) [-a] [-o OUTPUT] [INPUT]";

mode_t age_cli_default_mode(void)
{
	mode_t m = umask(0);
	umask(m);
	return 0666 & ~m;
}

static int encrypt_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"recipient", required_argument, NULL, 'r'},
	        {"recipients-file", required_argument, NULL, 'R'},
	        {"passphrase", no_argument, NULL, 'p'},
	        {"armor", no_argument, NULL, 'a'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int armor = 0, pass = 0, nr = 0, c;
	const char *out_path = NULL, *in_path = NULL;
	int stdin_recipients = 0;
	struct source src[MAX_SOURCES]; /* -r and -R in the order given */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:R:pao:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			if (nr == MAX_SOURCES)
				return cli_fail(CMD, "too many recipients (at most %d)",
				                AGE_MAX_STANZAS);
			src[nr].file = c == 'R';
			src[nr].arg = optarg;
			nr++;
			stdin_recipients |= c == 'R' && age_cli_is_stdin(optarg);
			break;
		case 'p':
			pass = 1;
			break;
		case 'a':
			armor = 1;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			fputs(age_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(CMD, "option '%s' needs an argument (%s)",
			                 argv[optind - 1], encrypt_usage);
		default:
			return cli_usage(CMD, "unknown option '%s' (%s)", argv[optind - 1],
			                 encrypt_usage);
		}
	}
	if (argc - optind > 1)
		return cli_usage(CMD, "only one INPUT may be given (%s)", encrypt_usage);
	if (optind < argc)
		in_path = argv[optind];
	if (pass && nr > 0)
		return cli_usage(CMD, "-p cannot be combined with -r or -R");
	if (!pass && nr == 0)
		return cli_usage(CMD, "no recipients: give -r RECIPIENT, -R FILE or -p (%s)",
		                 encrypt_usage);
	if (stdin_recipients && age_cli_is_stdin(in_path))
		return cli_usage(CMD, "-R - reads standard input, so INPUT must be a file");

	int rc = CLI_EXIT_FAIL;
	struct recipients rs = {.n = 0};
	struct age_encryptor *enc = NULL;
	struct outfile out = {.fd = -1};
	struct sink sk = {.fd = -1};
	uint8_t *buf = NULL;
	char *pw = NULL;
	int in_fd = -1;
	const char *in = age_cli_input_name(in_path);

	for (int i = 0; i < nr; i++) {
		rc = src[i].file ? recipients_add_file(&rs, src[i].arg)
		                 : recipients_add(&rs, src[i].arg, NULL, 0);
		if (rc != 0)
			goto out;
	}
	if (!armor && (out_path == NULL) && isatty(STDOUT_FILENO)) {
		rc = cli_fail(CMD, "refusing to write binary ciphertext to a terminal: use -a for "
		                   "armored output, or -o FILE (-o - to force)");
		goto out;
	}
	if ((in_fd = age_cli_input_open(in_path)) < 0)
		goto out;
	if (pass) {
		pw = sodium_malloc(PASS_CAP);
		if (pw == NULL) {
			rc = cli_fail(CMD, "out of memory");
			goto out;
		}
		long n = cli_read_secret(
		        CMD, PASS_ENV, "Enter passphrase: ", "Confirm passphrase: ", pw, PASS_CAP);
		if (n < 0)
			goto out;
		if (n == 0) {
			rc = cli_fail(CMD, "empty passphrase");
			goto out;
		}
		enum age_err ae = age_recipient_scrypt(pw, (size_t)n,
		                                       AGE_SCRYPT_DEFAULT_WORK_FACTOR, &rs.r[0]);
		sodium_free(pw);
		pw = NULL;
		if (ae != AGE_OK) {
			rc = cli_fail(CMD, "passphrase: %s", age_strerror(ae));
			goto out;
		}
		rs.n = 1;
	}
	buf = aligned_alloc(4096, IO_BUF_SIZE);
	if (buf == NULL) {
		rc = cli_fail(CMD, "out of memory");
		goto out;
	}
	if ((rc = outfile_open(&out, CMD, out_path, age_cli_default_mode())) != 0)
		goto out;
	rc = CLI_EXIT_FAIL;
	sk.fd = out.fd;
	enum age_err ae = age_encrypt_begin((const struct age_recipient *const *)rs.r, rs.n, armor,
	                                    age_cli_sink_write, &sk, &enc);
	age_encrypt_parallel(enc);
	for (;;) {
		if (ae != AGE_OK) {
			rc = age_cli_report_err(ae, "encrypting", in, out.name, &sk, 0);
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
		ae = age_encrypt_update(enc, buf, (size_t)r);
	}
	if ((ae = age_encrypt_finish(enc)) != AGE_OK) {
		rc = age_cli_report_err(ae, "encrypting", in, out.name, &sk, 0);
		goto out;
	}
	rc = outfile_commit(&out, 0);
out:
	outfile_abort(&out);
	age_encryptor_free(&enc);
	recipients_free(&rs);
	if (pw != NULL)
		sodium_free(pw);
	free(buf);
	if (in_fd > STDERR_FILENO)
		close(in_fd);
	return rc;
}

/* ---- dispatch ---- */

int age_main(int argc, char **argv)
{
	/*
	 * lib/aead uses OpenSSL's EVP ChaCha20-Poly1305 from the built-in default
	 * provider only; not reading openssl.cnf saves ~0.8 MiB of peak RSS.
	 */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		return cli_fail(CMD, "OpenSSL failed to initialise");
	if (argc < 2)
		return cli_usage(CMD, "missing subcommand: keygen, encrypt or decrypt (see "
		                      "'cutout age --help')");
	const char *sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		fputs(age_help, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "keygen") == 0)
		return keygen_main(argc - 1, argv + 1);
	if (strcmp(sub, "encrypt") == 0)
		return encrypt_main(argc - 1, argv + 1);
	if (strcmp(sub, "decrypt") == 0)
		return age_cli_decrypt_main(argc - 1, argv + 1);
	if (sub[0] == '-')
		return cli_usage(CMD, "unknown option '%s' (see 'cutout age --help')", sub);
	return cli_usage(CMD, "unknown subcommand '%s': keygen, encrypt or decrypt", sub);
}
