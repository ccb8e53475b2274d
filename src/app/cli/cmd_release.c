/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_release: controlled release from the command line (`cutout recipient`,
 * `cutout release`, `cutout trace`), as a logged-in officer. Thin: each
 * command parses, calls one use case of core/release/release.h, and renders
 * its result. A passphrase is read from a file or the terminal, never from
 * the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "app/cli/outfile.h"
#include "core/release/release.h"
#include "lib/buf.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/banned.h"

#define LOGIN_HELP                                                                    \
	"As an officer: --as NAME (or $CUTOUT_OFFICER), with the password and TOTP\n" \
	"code asked on the terminal, or taken from $CUTOUT_PASSWORD and $CUTOUT_TOTP.\n"

const char recipient_help[] =
        "usage: cutout recipient COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Outside recipients of releases (not officers): an analyst, an expert.\n" LOGIN_HELP
        "Needs the admin or the releasing role.\n"
        "\n"
        "Commands:\n"
        "  add NAME --org ORG --nationality CCC --marking M [--age-recipient age1...]\n"
        "                        a new recipient: M is the highest marking they may\n"
        "                        receive, CCC an ISO 3166-1 alpha-3 code; without an\n"
        "                        age recipient their copies are passphrase-protected\n"
        "  list                  every recipient (tab-separated)\n"
        "  show NAME             one recipient\n"
        "  disable NAME          no further release to them\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n";

const char release_help[] =
        "usage: cutout release COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Releases a report, or its tearline, to outside recipients under the\n"
        "two-person rule: a releasing officer proposes, a DIFFERENT releasing officer\n"
        "approves, and only then are the copies made; each copy differs from every\n"
        "other in many small places, so a leaked excerpt names its recipient\n"
        "(`cutout trace`). Every step is a ledger entry.\n" LOGIN_HELP "\n"
        "Commands:\n"
        "  propose REPORT --to NAME... --purpose TEXT --expires YYYY-MM-DD [--marking M]\n"
        "                        propose report REPORT (or its tearline at M) to\n"
        "                        recipients; each must be allowed by the access\n"
        "                        decision (marking, nationality; never ORCON or\n"
        "                        NOFORN). Prints the release id. (releasing)\n"
        "  approve ID            approve a release proposed by another officer; the\n"
        "                        copies are made (releasing)\n"
        "  refuse ID --reason TEXT\n"
        "                        refuse a proposed release (releasing)\n"
        "  list                  the releases of reports you may read\n"
        "  show ID               one release, its recipients and copies\n"
        "  export ID --recipient NAME [--form F] [-o FILE] [--passphrase-file FILE]\n"
        "                        a recipient's copy of an approved release, with its\n"
        "                        release notice and marking banners. F: age (the\n"
        "                        default: the Markdown copy sealed to the recipient's\n"
        "                        age recipient, or to a passphrase when they have\n"
        "                        none, read from FILE or the terminal), markdown,\n"
        "                        text, pdf. To standard output without -o (not to a\n"
        "                        terminal for age and pdf). (releasing)\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n";

const char trace_help[] =
        "usage: cutout trace -d DIR [--as NAME] [FILE|-]\n"
        "\n"
        "Traces a leaked text (FILE, or standard input) to the recipient whose copy\n"
        "it came from: it is aligned to every approved release whose report you may\n"
        "read (retyped, excerpted, re-punctuated text is fine), the places where the\n"
        "copies differ are read, and the recipients are ranked by their score. A\n"
        "recipient is accused only when the chance that an innocent scores as much\n"
        "is below 1e-6; otherwise nobody is, and it says how many words would be\n"
        "needed. The trace is recorded in the ledger (who traced, the result; never\n"
        "the text). Needs the releasing role.\n" LOGIN_HELP "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n";

#define MANY_MAX 1000

struct opts {
	const char *dir, *as, *org, *nationality, *marking, *age, *purpose, *expires, *reason;
	const char *recipient, *form, *output, *passfile;
	const char *to[MANY_MAX];
	size_t nto;
};

/* Parses the options; -1 after --help, else a CLI exit code. */
static int getopts(const char *cmd, const char *help, int argc, char **argv, struct opts *o)
{
	enum {
		O_AS = 256,
		O_ORG,
		O_NAT,
		O_MARKING,
		O_AGE,
		O_TO,
		O_PURPOSE,
		O_EXPIRES,
		O_REASON,
		O_RCP,
		O_FORM,
		O_PASSFILE
	};
	static const struct option lopts[] = {
	        {"dir", required_argument, NULL, 'd'},
	        {"as", required_argument, NULL, O_AS},
	        {"org", required_argument, NULL, O_ORG},
	        {"nationality", required_argument, NULL, O_NAT},
	        {"marking", required_argument, NULL, O_MARKING},
	        {"age-recipient", required_argument, NULL, O_AGE},
	        {"to", required_argument, NULL, O_TO},
	        {"purpose", required_argument, NULL, O_PURPOSE},
	        {"expires", required_argument, NULL, O_EXPIRES},
	        {"reason", required_argument, NULL, O_REASON},
	        {"recipient", required_argument, NULL, O_RCP},
	        {"form", required_argument, NULL, O_FORM},
	        {"output", required_argument, NULL, 'o'},
	        {"passphrase-file", required_argument, NULL, O_PASSFILE},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	int c;
	memset(o, 0, sizeof *o);
	o->dir = getenv("CUTOUT_INSTANCE");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_AS:
			o->as = optarg;
			break;
		case O_ORG:
			o->org = optarg;
			break;
		case O_NAT:
			o->nationality = optarg;
			break;
		case O_MARKING:
			o->marking = optarg;
			break;
		case O_AGE:
			o->age = optarg;
			break;
		case O_TO:
			if (o->nto >= MANY_MAX)
				return cli_usage(cmd, "too many --to");
			o->to[o->nto++] = optarg;
			break;
		case O_PURPOSE:
			o->purpose = optarg;
			break;
		case O_EXPIRES:
			o->expires = optarg;
			break;
		case O_REASON:
			o->reason = optarg;
			break;
		case O_RCP:
			o->recipient = optarg;
			break;
		case O_FORM:
			o->form = optarg;
			break;
		case O_PASSFILE:
			o->passfile = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		case ':':
			return cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(cmd, "unknown option '%s' (see 'cutout help %s')",
			                 argv[optind - 1], cmd);
		}
	}
	return CLI_EXIT_OK;
}

static int fail_rel(const char *cmd, enum release_result r, const struct release_error *e)
{
	if (e && e->msg[0])
		return cli_fail(cmd, "%s: %s", release_strerror(r), e->msg);
	return cli_fail(cmd, "%s", release_strerror(r));
}

/* ---- recipient ---- */

static int print_recipient(void *ctx, const struct store_recipient *r)
{
	(void)ctx;
	char day[DAY_STRLEN];
	day_format(r->day, day);
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->name, r->org, r->nationality, r->marking,
	       r->age_recipient[0] ? r->age_recipient : "(passphrase)",
	       r->disabled ? "disabled" : "enabled", day);
	return 0;
}

int recipient_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("recipient", recipient_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"add", 1, 1}, {"list", 0, 0}, {"show", 1, 1}, {"disable", 1, 1}};
	int k = cli_subcommand("recipient", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (k == 0 && (o.org == NULL || o.nationality == NULL || o.marking == NULL))
		return cli_usage("recipient", "add needs --org, --nationality and --marking");
	if (k != 0 && (o.org || o.nationality || o.marking || o.age))
		return cli_usage("recipient", "--org, --nationality, --marking, --age-recipient "
		                              "are for add");
	struct officer_cli_sess s;
	if ((rc = officer_cli_sess_open("recipient", o.dir, o.as, &s)) != CLI_EXIT_OK)
		return rc;
	struct release_error err = {{0}};
	struct store_recipient row;
	enum release_result r;
	store_id id = 0;
	switch (k) {
	case 0: {
		struct release_recipient_input in = {.name = args[1],
		                                     .org = o.org,
		                                     .nationality = o.nationality,
		                                     .marking = o.marking,
		                                     .age_recipient = o.age};
		if ((r = release_recipient_add(s.reg, s.key, &in, &id, &err)) == RELEASE_OK)
			printf("recipient %s added (id %lld)\n", args[1], (long long)id);
		break;
	}
	case 1:
		printf("#name\torganisation\tnationality\tmarking\tage recipient\tstate\tadded\n");
		r = release_recipient_list(s.reg, s.key, print_recipient, NULL);
		break;
	case 2:
		if ((r = release_recipient_show(s.reg, s.key, args[1], &row)) == RELEASE_OK)
			print_recipient(NULL, &row);
		else if (r == RELEASE_NOT_FOUND)
			snprintf(err.msg, sizeof err.msg, "no recipient '%s'", args[1]);
		break;
	default:
		if ((r = release_recipient_disable(s.reg, s.key, args[1], &err)) == RELEASE_OK)
			printf("recipient %s disabled\n", args[1]);
		break;
	}
	if (r != RELEASE_OK)
		rc = fail_rel("recipient", r, &err);
	officer_cli_sess_close(&s);
	return rc;
}

/* ---- release ---- */

static int print_release(void *ctx, const struct release_view *v)
{
	char day[DAY_STRLEN], exp[DAY_STRLEN];
	day_format(v->row.day, day);
	day_format(v->row.expiry_day, exp);
	if (ctx == NULL) { /* a listing line */
		printf("%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%zu\n", (long long)v->row.id,
		       (long long)v->row.report, v->row.marking, v->state, v->proposer,
		       v->decider[0] ? v->decider : "-", exp, v->row.nrecipients);
		return 0;
	}
	printf("release %lld: report %lld at %s\n", (long long)v->row.id, (long long)v->row.report,
	       v->row.marking);
	printf("state: %s\n", v->state);
	printf("purpose: %s\n", v->row.purpose);
	printf("proposed: %s by %s\nexpires: %s\n", day, v->proposer, exp);
	if (v->decider[0]) {
		day_format(v->row.decided_day, day);
		printf("%s: %s by %s\n",
		       v->row.state == STORE_RELEASE_REFUSED ? "refused" : "approved", day,
		       v->decider);
	}
	if (v->row.state == STORE_RELEASE_REFUSED)
		printf("reason: %s\n", v->row.reason);
	if (v->row.nslots)
		printf("slots: %u\n", v->row.nslots);
	printf("recipients: %s\n", v->recipients);
	for (size_t i = 0; i < v->ncopies; i++)
		printf("copy %u\t%s\n", v->copies[i].number, v->copies[i].name);
	return 0;
}

/* The passphrase for an age copy: the first line of passfile, else the terminal. */
static long read_passphrase(const char *passfile, char *out, size_t cap)
{
	if (passfile == NULL)
		return cli_read_secret("release", NULL,
		                       "Passphrase for the copy: ", "The passphrase again: ", out,
		                       cap);
	struct buf b;
	buf_init(&b, cap);
	if (io_read_file(passfile, &b) != 0) {
		buf_wipe_release(&b);
		cli_fail("release", "cannot read the passphrase file %s", passfile);
		return -1;
	}
	size_t n = 0;
	while (n < b.len && b.data[n] != '\n' && b.data[n] != '\r')
		n++;
	if (n == 0 || n >= cap) {
		buf_wipe_release(&b);
		cli_fail("release", "the passphrase file holds no passphrase (or one too long)");
		return -1;
	}
	memcpy(out, b.data, n);
	out[n] = '\0';
	buf_wipe_release(&b);
	return (long)n;
}

static int cmd_export(struct officer_cli_sess *s, const struct opts *o, store_id id)
{
	struct release_export in = {.release = id, .recipient = o->recipient};
	struct release_error err = {{0}};
	struct outfile out = {.fd = -1};
	struct buf copy;
	char *pass = NULL;
	int rc = CLI_EXIT_FAIL;
	if (release_form_parse(o->form ? o->form : "age", &in.form) != 0)
		return cli_usage("release", "--form is age, markdown, text or pdf");
	if ((in.form == RELEASE_FORM_AGE || in.form == RELEASE_FORM_PDF) &&
	    (o->output == NULL || strcmp(o->output, "-") == 0) && isatty(STDOUT_FILENO))
		return cli_usage("release",
		                 "not writing a binary copy to a terminal (use -o FILE)");
	buf_init(&copy, RELEASE_COPY_MAX);
	struct store_recipient rcp;
	if (in.form == RELEASE_FORM_AGE &&
	    release_recipient_show(s->reg, s->key, o->recipient, &rcp) == RELEASE_OK &&
	    rcp.age_recipient[0] == '\0') {
		long n;
		if ((pass = sodium_malloc(RELEASE_PASSPHRASE_MAX + 1)) == NULL ||
		    (n = read_passphrase(o->passfile, pass, RELEASE_PASSPHRASE_MAX + 1)) < 0)
			goto out;
		in.passphrase = pass;
		in.passphrase_len = (size_t)n;
	}
	enum release_result r = release_export(s->reg, s->key, &in, &copy, &err);
	if (r != RELEASE_OK) {
		rc = fail_rel("release", r, &err);
		goto out;
	}
	if ((rc = outfile_open(&out, "release", o->output, 0600)) != 0)
		goto out;
	if (io_write_all(out.fd, copy.data, copy.len) != 0) {
		outfile_abort(&out);
		rc = cli_fail("release", "cannot write the copy");
		goto out;
	}
	rc = outfile_commit(&out, 0);
out:
	if (pass != NULL)
		sodium_free(pass);
	buf_wipe_release(&copy);
	return rc;
}

int release_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("release", release_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {{"propose", 1, 1}, {"approve", 1, 1},
	                                      {"refuse", 1, 1},  {"list", 0, 0},
	                                      {"show", 1, 1},    {"export", 1, 1}};
	int k = cli_subcommand("release", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	store_id id = 0;
	if (k != 3 && num_parse_id(args[1], &id) != 0)
		return cli_usage("release", "'%s' is not an id", args[1]);
	int32_t expires = 0;
	if (k == 0 && (o.nto == 0 || o.purpose == NULL || o.expires == NULL))
		return cli_usage("release", "propose needs --to, --purpose and --expires");
	if (k == 0 && day_parse(o.expires, &expires) != 0)
		return cli_usage("release", "--expires is a date YYYY-MM-DD");
	if (k == 2 && o.reason == NULL)
		return cli_usage("release", "refuse needs --reason");
	if (k == 5 && o.recipient == NULL)
		return cli_usage("release", "export needs --recipient NAME");
	if ((k != 0 && (o.nto || o.purpose || o.expires || o.marking)) || (k != 2 && o.reason) ||
	    (k != 5 && (o.recipient || o.form || o.output || o.passfile)))
		return cli_usage("release",
		                 "an option of another command (see 'cutout help release')");

	struct officer_cli_sess s;
	if ((rc = officer_cli_sess_open("release", o.dir, o.as, &s)) != CLI_EXIT_OK)
		return rc;
	struct release_error err = {{0}};
	enum release_result r = RELEASE_OK;
	switch (k) {
	case 0: {
		struct release_proposal p = {.report = id,
		                             .marking = o.marking,
		                             .purpose = o.purpose,
		                             .expiry_day = expires,
		                             .recipients = o.to,
		                             .nrecipients = o.nto};
		store_id rel = 0;
		if ((r = release_propose(s.reg, s.key, &p, &rel, &err)) == RELEASE_OK)
			printf("release %lld proposed; another releasing officer must approve it\n",
			       (long long)rel);
		break;
	}
	case 1:
		if ((r = release_approve(s.reg, s.key, id, &err)) == RELEASE_OK)
			printf("release %lld approved; its copies are made\n", (long long)id);
		break;
	case 2:
		if ((r = release_refuse(s.reg, s.key, id, o.reason, &err)) == RELEASE_OK)
			printf("release %lld refused\n", (long long)id);
		break;
	case 3:
		printf("#id\treport\tmarking\tstate\tproposer\tdecider\texpires\trecipients\n");
		r = release_list(s.reg, s.key, print_release, NULL);
		break;
	case 4:
		r = release_show(s.reg, s.key, id, print_release, &s);
		if (r == RELEASE_NOT_FOUND)
			snprintf(err.msg, sizeof err.msg, "release %lld: no such release",
			         (long long)id);
		break;
	default:
		rc = cmd_export(&s, &o, id);
		break;
	}
	if (r != RELEASE_OK)
		rc = fail_rel("release", r, &err);
	officer_cli_sess_close(&s);
	return rc;
}

/* ---- trace ---- */

static int print_hit(void *ctx, const struct release_trace_hit *h)
{
	++*(int *)ctx;
	printf("release %lld (report %lld): %zu of %zu words aligned, %zu slots read",
	       (long long)h->release, (long long)h->report, h->aligned, h->words, h->slots_read);
	if (h->slots_dropped)
		printf(" (%zu dropped as normalised)", h->slots_dropped);
	printf(", %zu recipients, threshold %.2f\n", h->recipients, h->threshold);
	for (size_t i = 0; i < h->ranked; i++) {
		const struct release_suspect *s = &h->top[i];
		printf("  %s\t%s\tcopy %u\tscore %.2f\tagree %u\tbound %.3g\n",
		       s->accused ? "ACCUSED" : "-", s->name, s->copy, s->score, s->agree,
		       s->bound);
	}
	if (h->accused == 0)
		printf("  nobody accused: about %.0f words of this report would be needed\n",
		       h->words_needed);
	return 0;
}

int trace_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("trace", trace_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	if (nargs > 1)
		return cli_usage("trace", "one FILE at most (or - for standard input)");
	if (o.org || o.nationality || o.marking || o.age || o.nto || o.purpose || o.expires ||
	    o.reason || o.recipient || o.form || o.output || o.passfile)
		return cli_usage("trace", "unknown option (see 'cutout help trace')");
	const char *path = nargs == 1 ? argv[optind] : "-";
	struct buf text;
	buf_init(&text, ALIGN_TEXT_MAX);
	int e = strcmp(path, "-") == 0 ? io_read_fd(STDIN_FILENO, &text)
	                               : io_read_file(path, &text);
	if (e != 0) {
		buf_release(&text);
		return cli_fail("trace", "cannot read %s (or it is over %u bytes)",
		                strcmp(path, "-") == 0 ? "standard input" : path, ALIGN_TEXT_MAX);
	}
	struct officer_cli_sess s;
	if ((rc = officer_cli_sess_open("trace", o.dir, o.as, &s)) != CLI_EXIT_OK) {
		buf_release(&text);
		return rc;
	}
	struct release_error err = {{0}};
	int hits = 0;
	enum release_result r = release_trace(s.reg, s.key, (const char *)text.data, text.len,
	                                      print_hit, &hits, &err);
	if (r != RELEASE_OK)
		rc = fail_rel("trace", r, &err);
	else if (hits == 0)
		printf("the text matched no release you may trace: nobody accused\n");
	officer_cli_sess_close(&s);
	buf_wipe_release(&text);
	return rc;
}
