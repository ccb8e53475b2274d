/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout digest: tells officers that something arrived, never what nor when
 * more precisely than the day (issue 17 §2). The counts and the digest.sent
 * entry are core/inbox/digest.h's; here: who gets one (digest_officers), the
 * message in their language, and its delivery to digest_command (without a
 * shell, the message on its standard input, with a timeout and a bounded
 * output) or to stdout (--print).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/inbox/digest.h"
#include "core/instance/instance.h"
#include "core/registry/registry.h"
#include "lib/conf.h"
#include "lib/day.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

#define DIGEST_SECONDS 30      /* the command's time */
#define DIGEST_OUTPUT_MAX 4096 /* of its output, kept for the error message */
#define DIGEST_RECIPIENTS_MAX 1000
#define DIGEST_ADDRESS_MAX 254
#define DIGEST_MESSAGE_MAX 4096

const char digest_help[] =
        "usage: cutout digest [-d DIR] [--print]\n"
        "\n"
        "Tells officers that something arrived, without saying what, nor when more\n"
        "precisely than the day: for each officer of digest_officers in cutout.conf\n"
        "(all: every enabled officer with the intake role), the number of new\n"
        "submissions they may read (the access decision, as the desk decides it)\n"
        "since their last digest, and the number of EU Directive deadlines due and\n"
        "overdue (`cutout report-deadlines`). No codename, text, file name, label\n"
        "or id is in a digest. An officer with nothing new and a digest already\n"
        "sent today, or with nothing at all to tell, gets none.\n"
        "\n"
        "Each digest is a mail message (To: the officer's address from\n"
        "digest_officers, Subject, a plain text body in the officer's language from\n"
        "digest_officers, else digest_language) written to the standard input of\n"
        "digest_command (e.g. /usr/sbin/sendmail -t), run without a shell, with\n"
        "CUTOUT_DIGEST_OFFICER=NAME in its environment, killed after 30 s; nothing\n"
        "of the message is on its command line. Once delivered (exit status 0) a\n"
        "digest.sent ledger entry (system, officer:NAME, \"through entry N\")\n"
        "remembers it: the next digest counts from there. Run it from cron, e.g.\n"
        "  0 7 * * *  cutout digest -d /srv/cutout\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR   the instance directory (default: $CUTOUT_INSTANCE)\n"
        "      --print     write the digests to stdout instead (and record them)\n"
        "\n"
        "Exit status: 0 done, 1 a digest failed (the others were still sent),\n"
        "2 usage.\n";

struct recipient {
	char name[INBOX_DIGEST_NAME_MAX + 1];
	char address[DIGEST_ADDRESS_MAX + 1]; /* "" when none */
	const char *lang;
};

struct recipients {
	struct recipient *r;
	size_t n;
};

static int take_officer(void *ctx, const char *name)
{
	struct recipients *rs = ctx;
	if (rs->n >= DIGEST_RECIPIENTS_MAX || strlen(name) > INBOX_DIGEST_NAME_MAX)
		return 0;
	struct recipient *r = &rs->r[rs->n++];
	memcpy(r->name, name, strlen(name) + 1);
	r->address[0] = '\0';
	r->lang = NULL;
	return 0;
}

/* An address of a mail header: printable ASCII without blanks, quotes, <>, commas. */
static bool address_ok(const char *a, size_t n)
{
	if (n == 0 || n > DIGEST_ADDRESS_MAX || memchr(a, '@', n) == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (a[i] <= ' ' || a[i] > '~' || strchr("\"'<>,;:()[]\\", a[i]) != NULL)
			return false;
	return true;
}

/* digest_officers: "NAME ADDRESS [LANG], ..." into rs; 0, or -1 with what is wrong. */
static int parse_officers(const char *v, struct recipients *rs, char *why, size_t cap)
{
	char item[CONF_DIGEST_OFFICERS_MAX + 1];
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (n >= sizeof item || rs->n >= DIGEST_RECIPIENTS_MAX)
			goto bad;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		char *w[4] = {0};
		size_t k = 0;
		for (char *q = item; *q && k < 4;) {
			while (*q == ' ')
				*q++ = '\0';
			if (*q == '\0')
				break;
			w[k++] = q;
			while (*q && *q != ' ')
				q++;
		}
		if (k < 2 || k > 3 || strlen(w[0]) > INBOX_DIGEST_NAME_MAX ||
		    !address_ok(w[1], strlen(w[1])))
			goto bad;
		struct recipient *r = &rs->r[rs->n];
		memcpy(r->name, w[0], strlen(w[0]) + 1);
		memcpy(r->address, w[1], strlen(w[1]) + 1);
		r->lang = k == 3 ? i18n_canonical(w[2]) : NULL;
		if (k == 3 && (r->lang == NULL || (strcmp(r->lang, "en") && strcmp(r->lang, "ru"))))
			goto bad;
		rs->n++;
	}
	return 0;
bad:
	snprintf(why, cap, "digest_officers: want NAME ADDRESS [en|ru], comma-separated");
	return -1;
}

/* The Subject: header's value, RFC 2047 when it is not ASCII. */
static int subject(const char *text, char *out, size_t cap)
{
	bool ascii = true;
	for (const char *p = text; *p; p++)
		ascii = ascii && (unsigned char)*p < 0x80;
	if (ascii) {
		int n = snprintf(out, cap, "%s", text);
		return n < 0 || (size_t)n >= cap ? -1 : 0;
	}
	char b64[256];
	size_t len = strlen(text);
	if (sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL) > sizeof b64)
		return -1;
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text, len,
	                  sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(out, cap, "=?UTF-8?B?%s?=", b64);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int compose(const struct recipient *r, const char *lang, const struct inbox_digest *d,
                   int32_t today, char *out, size_t cap)
{
	char subj[400], day[DAY_STRLEN];
	if (subject(i18n_get(lang, "desk.digest.subject"), subj, sizeof subj) != 0)
		return -1;
	day_format(today, day);
	int n = snprintf(out, cap,
	                 "%s%s%sSubject: %s\nMIME-Version: 1.0\nContent-Type: text/plain; "
	                 "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n%s\n\n%s: %s\n%s: "
	                 "%llu\n%s: %llu\n%s: %llu\n",
	                 r->address[0] ? "To: " : "", r->address, r->address[0] ? "\n" : "", subj,
	                 i18n_get(lang, "desk.digest.intro"), i18n_get(lang, "desk.digest.day"),
	                 day, i18n_get(lang, "desk.digest.new"), (unsigned long long)d->fresh,
	                 i18n_get(lang, "desk.digest.due"), (unsigned long long)d->due,
	                 i18n_get(lang, "desk.digest.overdue"), (unsigned long long)d->overdue);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Runs argv without a shell, msg on its stdin; 0 when it exits 0 in time, else -1 (why). */
static int deliver(char *const argv[], const char *officer, const char *msg, size_t len, char *why,
                   size_t cap)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, rc = -1;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
		snprintf(why, cap, "pipe: %s", strerror(errno));
		goto close;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, cap, "fork: %s", strerror(errno));
		goto close;
	}
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0 ||
		    setenv("CUTOUT_DIGEST_OFFICER", officer, 1) != 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* the message is far below a pipe's buffer: written at once; a child gone early is EPIPE */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	ssize_t w = write(in[1], msg, len);
	signal(SIGPIPE, old);
	close(in[1]);
	in[1] = -1;
	char got[DIGEST_OUTPUT_MAX + 1];
	size_t kept = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timeout = false;
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = (long)DIGEST_SECONDS * 1000 - (t.tv_sec - t0.tv_sec) * 1000 -
		            (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (left <= 0) {
			timeout = true;
			break;
		}
		struct pollfd pf = {.fd = out[0], .events = POLLIN};
		int pr = poll(&pf, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timeout = pr == 0;
			break;
		}
		char buf[1024];
		ssize_t n = read(out[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t take =
		        (size_t)n < DIGEST_OUTPUT_MAX - kept ? (size_t)n : DIGEST_OUTPUT_MAX - kept;
		memcpy(got + kept, buf, take); /* the rest is read and dropped */
		kept += take;
	}
	got[kept] = '\0';
	if (timeout)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timeout)
		snprintf(why, cap, "%s: no answer in %d s (killed)", argv[0], DIGEST_SECONDS);
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		snprintf(why, cap, "%s: exit status %d: %.200s", argv[0],
		         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), got);
	else if (w < 0 || (size_t)w != len)
		snprintf(why, cap, "%s: did not take the whole message", argv[0]);
	else
		rc = 0;
close:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}

static int digest_run(const char *dir, bool print)
{
	struct instance *inst = NULL;
	struct registry *reg = NULL;
	struct instance_error ierr;
	struct recipients rs = {0};
	char why[512], buf[CONF_COMMAND_MAX + 1], msg[DIGEST_MESSAGE_MAX];
	char *argv[CONF_COMMAND_ARGS_MAX + 1];
	int rc = CLI_EXIT_FAIL;
	if (instance_open(dir, &inst, &ierr) != INSTANCE_OK)
		return cli_fail("digest", "%s", ierr.msg);
	const struct conf *cf = instance_conf(inst);
	struct store *s = instance_store(inst);
	if (!print && conf_command_argv(cf->digest_command, buf, sizeof buf, argv) < 0) {
		rc = cli_fail("digest",
		              "no digest_command in %s/cutout.conf (e.g. /usr/sbin/sendmail -t); "
		              "or use --print",
		              dir);
		goto out;
	}
	if (registry_new(s, instance_marking_scheme(inst), &reg) != REGISTRY_OK ||
	    (rs.r = calloc(DIGEST_RECIPIENTS_MAX, sizeof *rs.r)) == NULL) {
		rc = cli_fail("digest", "out of memory");
		goto out;
	}
	if (strcmp(cf->digest_officers, "all") == 0) {
		if (inbox_digest_officers(s, take_officer, &rs) != INBOX_OK) {
			rc = cli_fail("digest", "the officers could not be listed");
			goto out;
		}
	} else if (parse_officers(cf->digest_officers, &rs, why, sizeof why) != 0) {
		rc = cli_fail("digest", "%s", why);
		goto out;
	}
	int32_t today = store_today();
	rc = CLI_EXIT_OK;
	for (size_t i = 0; i < rs.n; i++) {
		const struct recipient *r = &rs.r[i];
		struct inbox_digest d;
		enum inbox_result ir = inbox_digest(s, reg, r->name, today, &d);
		if (ir != INBOX_OK) {
			rc = cli_fail("digest", "officer %s: %s", r->name,
			              ir == INBOX_NOT_FOUND ? "no such officer"
			                                    : inbox_strerror(ir));
			continue;
		}
		if (!d.intake || (d.fresh == 0 && (d.last_day == today || d.due + d.overdue == 0)))
			continue; /* nothing to tell */
		const char *lang = r->lang ? r->lang : cf->digest_language;
		int n = compose(r, lang, &d, today, msg, sizeof msg);
		if (n < 0) {
			rc = cli_fail("digest", "officer %s: the message is too long", r->name);
			continue;
		}
		if (print) {
			if (fwrite(msg, 1, (size_t)n, stdout) != (size_t)n ||
			    fputs("\n", stdout) < 0 || fflush(stdout) != 0) {
				rc = cli_fail("digest", "stdout: %s", strerror(errno));
				break;
			}
		} else if (deliver(argv, r->name, msg, (size_t)n, why, sizeof why) != 0) {
			rc = cli_fail("digest", "officer %s: %s", r->name, why);
			continue;
		} else
			fprintf(stderr, "cutout digest: officer %s: sent\n", r->name);
		if ((ir = inbox_digest_sent(s, r->name, d.through)) != INBOX_OK)
			rc = cli_fail("digest", "officer %s: sent, but not recorded: %s", r->name,
			              inbox_strerror(ir));
	}
out:
	sodium_memzero(msg, sizeof msg);
	free(rs.r);
	registry_free(&reg);
	instance_close(&inst);
	return rc;
}

int digest_main(int argc, char **argv)
{
	enum { O_PRINT = 1000 };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"print", no_argument, NULL, O_PRINT},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE");
	bool print = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case O_PRINT:
			print = true;
			break;
		case 'h':
			fputs(digest_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("digest", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("digest", "unknown option '%s' (see 'cutout help digest')",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("digest", "unexpected argument '%s'", argv[optind]);
	if (dir == NULL)
		return cli_usage("digest", "no instance directory (use -d DIR)");
	return digest_run(dir, print);
}
