/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_inbox: reading submissions and answering sources from the command line,
 * as an officer with the intake role: the officer's session key holds every
 * intake label version wrapped to them (core/officer/officer.h).
 *
 * A thin door: each command parses its arguments, calls one use case of
 * core/inbox (which decides access, records the ledger entry and opens what
 * is to be opened) and renders its answer; mark and reseal call
 * registry_submission_mark (core/registry).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "app/cli/outfile.h"
#include "core/inbox/inbox.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/safeview/safeview.h"
#include "lib/buf.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/utf8.h"

#include "lib/banned.h"

const char inbox_help[] =
        "usage: cutout inbox COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Reads what sources sent to the instance in DIR and answers them, as an\n"
        "officer with the intake role: --as NAME (or $CUTOUT_OFFICER), with the\n"
        "password and TOTP code asked on the terminal, or taken from\n"
        "$CUTOUT_PASSWORD and $CUTOUT_TOTP for scripts. A submission is sealed to\n"
        "the intake label inside its marking's label: opening it takes both keys,\n"
        "the intake role's and the clearance's, wrapped to the officer. As on the\n"
        "desk, every submission is decided by the access decision: the officer's\n"
        "clearance must cover its marking (e.g. SECRET//SOURCE) and their\n"
        "nationality be in its release list; what they may not read is neither\n"
        "listed nor opened (it answers as missing). A source is theirs to see and\n"
        "answer when they may read one of its submissions; to delete it, they\n"
        "must be able to read every one of them.\n"
        "\n"
        "Commands:\n"
        "  list [--limit N] [--before CURSOR]\n"
        "                            sources and their submissions, newest activity\n"
        "                            first: N sources (default 100, at most 100000),\n"
        "                            the newest 1000 submissions of each; when there\n"
        "                            are more, the last line says the --before CURSOR\n"
        "                            of the next page\n"
        "  read SUBMISSION           print the message and list the files\n"
        "  download SUBMISSION N [-o FILE]\n"
        "                            decrypt file N (1-based) of a submission\n"
        "  export SUBMISSION [N] [-o FILE]\n"
        "                            write the message (or file N) as an age file sealed\n"
        "                            to the intake label (the marking label's layer taken\n"
        "                            off), for `age -d` on an offline machine\n"
        "  safe-view SUBMISSION N [-o FILE]\n"
        "                            write a safe copy of file N: a PDF of images only,\n"
        "                            rendered by a confined converter (no script, link,\n"
        "                            form, font or attachment of the original survives;\n"
        "                            docs/safe-viewing.md). Made once, kept, recorded\n"
        "  reply SOURCE [--feedback] [--text-from-argv TEXT]\n"
        "                            seal a reply to a source, its text read from\n"
        "                            standard input (from the arguments only with\n"
        "                            --text-from-argv: others on the host can read them).\n"
        "                            Every reply acknowledges what the source sent\n"
        "                            before; --feedback records it as the feedback the\n"
        "                            EU Whistleblowing Directive requires (deadlines)\n"
        "  deadlines [--today DAY] [--open]\n"
        "                            every submission's acknowledgement (7 days) and\n"
        "                            feedback (3 months) deadlines and status, proven by\n"
        "                            the ledger (also `cutout report-deadlines`)\n"
        "  delete SOURCE             delete a source and everything of theirs: refused\n"
        "                            unless you may read every submission of it\n"
        "  mark SUBMISSION MARKING [--reason TEXT]\n"
        "                            set a submission's marking: raising is free, lowering\n"
        "                            is a downgrade that needs a written reason; every\n"
        "                            change is recorded (who, day, old, new, reason);\n"
        "                            the submission is sealed anew to the new marking's\n"
        "                            label. Its present marking again: adds that layer to\n"
        "                            a submission sealed to the intake label alone\n"
        "  reseal                    do that for every submission you may read that is\n"
        "                            sealed to the intake label alone (made while no\n"
        "                            enabled officer held both keys; `list` marks them)\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR             the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME             the officer (with the intake role)\n"
        "  -o, --output FILE         write to FILE instead of standard output\n"
        "      --limit N             list: sources on the page (1..100000, default 100)\n"
        "      --before CURSOR       list: the page after the one that named CURSOR\n"
        "      --today YYYY-MM-DD    deadlines: the status on that day (default: today)\n"
        "      --open                deadlines: only what is not done\n";

#define REPLY_MAX (1024 * 1024)
#define LIST_SOURCES_MAX 100000 /* sources on one page of `list` */
#define LIST_SOURCES_DEFAULT 100
#define LIST_SUBMISSIONS_MAX 1000 /* submissions of one source `list` shows */

struct opts {
	const char *dir;
	const char *as;
	const char *output;
	const char *reason;
	int64_t limit;                 /* list: sources on the page */
	int64_t before;                /* list: the cursor (0: the newest) */
	int text_from_argv;            /* reply: the text may come from the arguments */
	int feedback;                  /* reply: it is the feedback (deadlines.h) */
	int open_only;                 /* deadlines: only what is not done */
	int32_t today;                 /* deadlines: the day of the status */
	int pending;                   /* safe-view --pending */
	const struct officer_key *key; /* the logged-in officer */
	struct inbox *ib;              /* the use cases */
	struct registry *reg;          /* mark, reseal: registry_submission_mark */
	struct store *store;           /* safe-view */
	const struct conf *conf;       /* safe-view: the converter's limits */
};

/* A failure of a use case other than "not found", said. */
static int inbox_fail(const char *what, enum inbox_result r)
{
	return cli_fail("inbox", "%s: %s", what, inbox_strerror(r));
}

/*
 * Text from a stranger, printed: no control or bidi character reaches the
 * officer's terminal, each is shown as <U+XXXX> (utf8_visible); between before
 * and after.
 */
static int show(const char *before, const char *p, size_t n, bool lines, const char *after)
{
	struct buf v;
	if (n > SIZE_MAX / 8 - 16)
		return -1;
	buf_init(&v, n * 8 + 16); /* "<U+XXXX>" is 8 bytes for at least 1 */
	int rc = utf8_visible(&v, p, n, lines) == BUF_OK ? 0 : -1;
	if (rc == 0)
		printf("%s%s%s", before, buf_str(&v), after);
	buf_wipe_release(&v);
	return rc;
}

/* ---- list ---- */

static void print_sub(const struct store_submission *sub)
{
	char day[16];
	day_format(sub->day, day);
	printf("  submission %lld  %s  %s  %d file%s%s%s%s\n", (long long)sub->id, day,
	       sub->marking, sub->nfiles, sub->nfiles == 1 ? "" : "s",
	       sub->message_blob ? "  message" : "", sub->read ? "" : "  (unread)",
	       sub->seal_version ? "" : "  (intake label only: see reseal)");
}

/* A source the officer may see (counts over what they may read) and its submissions. */
static int print_source(const struct opts *o, const struct store_desk_source *src,
                        struct store_submission *subs)
{
	char day[16];
	day_format(src->src.last_day, day);
	printf("source %lld  last %s  %lld submission%s, %lld unread\n", (long long)src->src.id,
	       day, (long long)src->src.nsubmissions, src->src.nsubmissions == 1 ? "" : "s",
	       (long long)src->src.nunread);
	store_id before = 0, next = 0;
	size_t shown = 0;
	bool more = false;
	do {
		size_t n = 0;
		enum inbox_result r = inbox_submissions(o->ib, o->key, src->src.id, before, subs,
		                                        INBOX_PAGE_MAX, &n, &next);
		if (r == INBOX_NOT_FOUND)
			return 0; /* gone, or no longer theirs, meanwhile */
		if (r != INBOX_OK)
			return inbox_fail("could not list", r);
		for (size_t i = 0; i < n; i++, shown++) {
			if (shown == LIST_SUBMISSIONS_MAX) {
				more = true;
				break;
			}
			print_sub(&subs[i]);
		}
		before = next;
	} while (next != 0 && !more);
	if (more || next != 0)
		fprintf(stderr,
		        "cutout inbox: source %lld: only its newest %d submissions listed\n",
		        (long long)src->src.id, LIST_SUBMISSIONS_MAX);
	return 0;
}

static int cmd_list(const struct opts *o)
{
	struct store_desk_source *rows = calloc(INBOX_PAGE_MAX, sizeof *rows);
	struct store_submission *subs = calloc(INBOX_PAGE_MAX, sizeof *subs);
	int rc = CLI_EXIT_FAIL;
	store_id before = o->before, next = 0, last = 0;
	size_t shown = 0;
	bool more = false;
	if (rows == NULL || subs == NULL) {
		cli_fail("inbox", "out of memory");
		goto out;
	}
	do {
		size_t n = 0;
		enum inbox_result r = inbox_sources(o->ib, o->key, before, false, rows,
		                                    INBOX_PAGE_MAX, &n, &next);
		if (r != INBOX_OK) {
			inbox_fail("could not list", r);
			goto out;
		}
		for (size_t i = 0; i < n; i++, shown++) {
			if (shown == (size_t)o->limit) {
				more = true;
				break;
			}
			if (print_source(o, &rows[i], subs) != 0)
				goto out;
			last = rows[i].newest;
		}
		before = next;
	} while (next != 0 && !more);
	/* more: the page is full and one more follows; next: the scan's bound was met */
	if (more || next != 0)
		printf("more: cutout inbox list --before %lld\n", (long long)(more ? last : next));
	rc = CLI_EXIT_OK;
out:
	free(rows);
	free(subs);
	return rc;
}

/* ---- read / download / export ---- */

static int cmd_read(const struct opts *o, store_id id)
{
	struct inbox_reading rd;
	int rc = CLI_EXIT_FAIL;
	enum inbox_result r = inbox_read(o->ib, o->key, id, &rd);
	if (r == INBOX_NOT_FOUND) {
		cli_fail("inbox", "no submission %lld", (long long)id);
		goto out;
	}
	if (r != INBOX_OK) {
		cli_fail("inbox", "could not read submission %lld: %s", (long long)id,
		         inbox_strerror(r));
		goto out;
	}
	char day[16];
	day_format(rd.sub.day, day);
	printf("submission %lld from source %lld, %s, marked %s\n", (long long)rd.sub.id,
	       (long long)rd.sub.source_id, day, rd.sub.marking);
	if (rd.sub.message_blob != 0) {
		if (rd.message_failed) {
			cli_fail("inbox",
			         "the message could not be opened with this officer's keys");
			goto out;
		}
		if (show("\n", (const char *)rd.message.data, rd.message.len, true, "\n") != 0) {
			cli_fail("inbox", "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < rd.nfiles; i++) {
		struct inbox_file *f = &rd.files[i];
		if (!f->opened) {
			cli_fail("inbox", "file %lld: its metadata could not be opened",
			         (long long)f->n);
			goto out;
		}
		printf("file %lld: ", (long long)f->n);
		if (show("", f->name, strlen(f->name), false, " (") != 0 ||
		    show("", f->type, strlen(f->type), false, "") != 0) {
			cli_fail("inbox", "out of memory");
			goto out;
		}
		printf(", %llu bytes)\n", (unsigned long long)f->size);
	}
	rc = CLI_EXIT_OK;
out:
	inbox_reading_release(&rd);
	return rc;
}

/* Decrypted or sealed bytes: never to a terminal. */
static int refuse_terminal(const char *path)
{
	if ((path == NULL || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO))
		return cli_fail("inbox",
		                "refusing to write binary data to a terminal (use -o FILE)");
	return 0;
}

struct sink {
	int fd;
	int failed; /* a write failed (not the opening) */
};

static int write_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *k = ctx;
	if (io_write_all(k->fd, p, n) != 0) {
		k->failed = 1;
		return -1;
	}
	return 0;
}

/* Why a download was refused as "not found": no such submission (or not theirs), or no such part.
 */
static int download_missing(const struct opts *o, store_id id, const char *nstr)
{
	struct store_submission sub;
	if (inbox_submission(o->ib, o->key, id, &sub) != INBOX_OK)
		return cli_fail("inbox", "no submission %lld", (long long)id);
	if (nstr != NULL)
		return cli_fail("inbox", "submission %lld has no file %s", (long long)id, nstr);
	return cli_fail("inbox", "submission %lld has no message", (long long)id);
}

/*
 * download (file N, opened) and export (the message or file N, sealed to the
 * intake label). The output is opened first, so that a download is recorded
 * only once there is somewhere to write it.
 */
static int cmd_file(const struct opts *o, store_id id, const char *nstr, int sealed)
{
	struct outfile out = {.fd = -1};
	struct inbox_download *dl = NULL;
	char name[INBOX_NAME_MAX + 1];
	int64_t n = 0;
	int rc = CLI_EXIT_FAIL;
	if (nstr != NULL && num_parse_id(nstr, &n) != 0)
		return download_missing(o, id, nstr);
	if (refuse_terminal(o->output) != 0 || outfile_open(&out, "inbox", o->output, 0600) != 0)
		return CLI_EXIT_FAIL;
	enum inbox_result r = inbox_download(o->ib, o->key, id, n, sealed, name, &dl);
	sodium_memzero(name, sizeof name); /* the file's name: not shown here */
	if (r != INBOX_OK) {
		outfile_abort(&out);
		if (r == INBOX_NOT_FOUND)
			download_missing(o, id, nstr);
		else
			cli_fail("inbox", "could not download from submission %lld: %s",
			         (long long)id, inbox_strerror(r));
		goto out;
	}
	struct sink k = {.fd = out.fd};
	r = inbox_download_run(dl, write_sink, &k);
	if (r != INBOX_OK) {
		outfile_abort(&out);
		cli_fail("inbox", "%s",
		         k.failed ? "could not write the file"
		         : r == INBOX_FAILED
		                 ? "the file could not be opened with this officer's keys"
		                 : "could not read the file");
		goto out;
	}
	if (outfile_commit(&out, 0) != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	inbox_download_free(&dl);
	return rc;
}

/*
 * safe-view: converts file N (or finds its safe copy) and writes the clean PDF.
 * The output is opened first, as for a download.
 */
static int cmd_safe_view(const struct opts *o, store_id id, const char *nstr)
{
	struct outfile out = {.fd = -1};
	struct safeview *sv = NULL;
	struct render_limits lim;
	struct safeview_info info;
	char helper[4096], reason[SAFEVIEW_REASON_MAX];
	int64_t n = 0;
	int rc = CLI_EXIT_FAIL;
	if (num_parse_id(nstr, &n) != 0)
		return download_missing(o, id, nstr);
	safeview_limits(o->conf, &lim);
	if (render_helper_path(helper, sizeof helper) != 0 ||
	    safeview_new(o->store, o->reg, o->ib, helper, &lim, NULL, &sv) != SAFEVIEW_OK)
		return cli_fail("inbox", "could not set up safe viewing");
	if (refuse_terminal(o->output) != 0 || outfile_open(&out, "inbox", o->output, 0600) != 0)
		goto out;
	enum safeview_result r = safeview_convert(sv, o->key, id, n, &info, reason);
	if (r == SAFEVIEW_OK) {
		fprintf(stderr, "inbox: file %lld of submission %lld: %s, %u page%s\n",
		        (long long)n, (long long)id,
		        info.made ? "converted" : "safe copy already made", info.pages,
		        info.pages == 1 ? "" : "s");
		struct sink k = {.fd = out.fd};
		r = safeview_open(sv, o->key, id, n, write_sink, &k);
		if (r != SAFEVIEW_OK && k.failed) {
			outfile_abort(&out);
			cli_fail("inbox", "could not write the file");
			goto out;
		}
	}
	if (r != SAFEVIEW_OK) {
		outfile_abort(&out);
		if (r == SAFEVIEW_NOT_FOUND)
			download_missing(o, id, nstr);
		else
			cli_fail("inbox", "file %lld of submission %lld: %s", (long long)n,
			         (long long)id,
			         r == SAFEVIEW_REFUSED ? reason : safeview_strerror(r));
		goto out;
	}
	if (outfile_commit(&out, 0) != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	safeview_free(&sv);
	return rc;
}

static void said_pending(void *ctx, store_id sub, int64_t n, enum safeview_result r,
                         const struct safeview_info *info, const char *reason)
{
	(void)ctx;
	if (r == SAFEVIEW_OK)
		fprintf(stderr, "inbox: file %lld of submission %lld: converted, %u page%s\n",
		        (long long)n, (long long)sub, info->pages, info->pages == 1 ? "" : "s");
	else
		fprintf(stderr, "inbox: file %lld of submission %lld: %s\n", (long long)n,
		        (long long)sub, r == SAFEVIEW_REFUSED ? reason : safeview_strerror(r));
}

/* safe-view --pending: what the officer may read and has no safe copy, converted. */
static int cmd_safe_pending(const struct opts *o)
{
	struct safeview *sv = NULL;
	struct render_limits lim;
	struct safeview_pending p;
	char helper[4096];
	safeview_limits(o->conf, &lim);
	if (render_helper_path(helper, sizeof helper) != 0 ||
	    safeview_new(o->store, o->reg, o->ib, helper, &lim, NULL, &sv) != SAFEVIEW_OK)
		return cli_fail("inbox", "could not set up safe viewing");
	struct safeview_pending_opts po = {
	        .max = o->limit ? (uint32_t)o->limit : LIST_SOURCES_DEFAULT, .fn = said_pending};
	enum safeview_result r = safeview_convert_pending(sv, o->key, &po, &p);
	safeview_free(&sv);
	if (r != SAFEVIEW_OK)
		return cli_fail("inbox", "safe viewing stopped: %s", safeview_strerror(r));
	printf("converted %u, refused %u, not opened %u%s\n", p.converted, p.refused, p.skipped,
	       p.more ? " (more are pending: run it again)" : "");
	return CLI_EXIT_OK;
}

/* ---- reply / delete ---- */

static int cmd_reply(const struct opts *o, store_id source, int argc, char **argv)
{
	struct buf text;
	buf_init(&text, REPLY_MAX);
	int rc = CLI_EXIT_FAIL;
	if (argc > 0 && !o->text_from_argv) {
		rc = cli_usage("inbox",
		               "the reply's text is read from standard input, not the command "
		               "line (which others on the host can read); to give it there "
		               "anyway, add --text-from-argv");
		goto out;
	}
	if (argc > 0) {
		for (int i = 0; i < argc; i++)
			if ((i > 0 && buf_append_byte(&text, ' ') != BUF_OK) ||
			    buf_append_str(&text, argv[i]) != BUF_OK) {
				cli_fail("inbox", "the reply is too long (at most %d bytes)",
				         REPLY_MAX);
				goto out;
			}
	} else {
		uint8_t tmp[8192];
		ssize_t r;
		while ((r = read(STDIN_FILENO, tmp, sizeof tmp)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || buf_append(&text, tmp, (size_t)r) != BUF_OK) {
				cli_fail("inbox", "%s",
				         r < 0 ? "could not read standard input"
				               : "the reply is too long");
				goto out;
			}
		}
	}
	store_id id;
	enum inbox_result ir =
	        inbox_reply_kind(o->ib, o->key, source, buf_str(&text), text.len,
	                         o->feedback ? INTAKE_REPLY_FEEDBACK : INTAKE_REPLY_PLAIN, &id);
	if (ir == INBOX_NOT_FOUND)
		cli_fail("inbox", "no source %lld", (long long)source);
	else if (ir == INBOX_BAD_INPUT)
		cli_fail("inbox",
		         "could not reply: the reply is empty, too long or not UTF-8 text");
	else if (ir != INBOX_OK)
		inbox_fail("could not reply", ir);
	else {
		printf("reply %lld sealed to source %lld%s\n", (long long)id, (long long)source,
		       o->feedback ? " (the feedback)" : "");
		rc = CLI_EXIT_OK;
	}
out:
	buf_wipe_release(&text);
	return rc;
}

static int cmd_delete(const struct opts *o, store_id source)
{
	enum inbox_result ir = inbox_delete_source(o->ib, o->key, source);
	if (ir == INBOX_NOT_FOUND)
		return cli_fail("inbox", "no source %lld", (long long)source);
	if (ir == INBOX_FORBIDDEN)
		return cli_fail("inbox",
		                "source %lld has submissions you may not read: only an officer "
		                "who may read every one of them may delete it",
		                (long long)source);
	if (ir != INBOX_OK)
		return inbox_fail("could not delete", ir);
	printf("source %lld and everything of theirs deleted\n", (long long)source);
	return CLI_EXIT_OK;
}

/* The one place the CLI changes a submission's marking: registry_submission_mark. */
static int cmd_mark(const struct opts *o, store_id id, const char *marking)
{
	struct registry_error err = {{0}};
	enum registry_result r =
	        registry_submission_mark(o->reg, o->key, id, marking, o->reason, &err);
	if (r != REGISTRY_OK)
		return cli_fail("inbox", "%s%s%s", registry_strerror(r), err.msg[0] ? ": " : "",
		                err.msg);
	printf("submission %lld: marking %s\n", (long long)id, marking);
	return CLI_EXIT_OK;
}

/* The instance's intake (replies and deletions go through it), as `cutout serve` makes it. */
static struct intake *make_intake(struct instance *inst)
{
	const struct conf *cf = instance_conf(inst);
	struct intake_kdf kdf = {(uint64_t)cf->argon2_opslimit, (size_t)cf->argon2_memlimit};
	struct intake_limits lim = {cf->max_upload_bytes, (size_t)cf->max_message_chars,
	                            (int)cf->max_files_per_submission,
	                            cf->submissions_per_source_per_day};
	struct intake *in = NULL;
	uint8_t label_pk[32], salt[INSTANCE_SALT_LEN];
	instance_intake_label_pk(inst, label_pk);
	instance_codename_salt(inst, salt);
	if (intake_new(instance_store(inst), label_pk, salt, &kdf, &lim, cf->default_marking,
	               &in) != INTAKE_OK)
		return NULL;
	return in;
}

int inbox_main(int argc, char **argv)
{
	enum {
		O_AS = 256,
		O_REASON,
		O_LIMIT,
		O_BEFORE,
		O_ARGV_TEXT,
		O_FEEDBACK,
		O_TODAY,
		O_OPEN,
		O_PENDING
	};
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"output", required_argument, NULL, 'o'},
	                                      {"reason", required_argument, NULL, O_REASON},
	                                      {"limit", required_argument, NULL, O_LIMIT},
	                                      {"before", required_argument, NULL, O_BEFORE},
	                                      {"pending", no_argument, NULL, O_PENDING},
	                                      {"text-from-argv", no_argument, NULL, O_ARGV_TEXT},
	                                      {"feedback", no_argument, NULL, O_FEEDBACK},
	                                      {"today", required_argument, NULL, O_TODAY},
	                                      {"open", no_argument, NULL, O_OPEN},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	struct opts o = {.dir = getenv("CUTOUT_INSTANCE"), .limit = LIST_SOURCES_DEFAULT};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dir = optarg;
			break;
		case O_AS:
			o.as = optarg;
			break;
		case O_REASON:
			o.reason = optarg;
			break;
		case O_ARGV_TEXT:
			o.text_from_argv = 1;
			break;
		case O_FEEDBACK:
			o.feedback = 1;
			break;
		case O_OPEN:
			o.open_only = 1;
			break;
		case O_TODAY:
			if (day_parse(optarg, &o.today) != 0)
				return cli_usage("inbox", "--today takes a day, YYYY-MM-DD");
			break;
		case O_PENDING:
			o.pending = 1;
			break;
		case O_LIMIT:
			if (num_parse_id(optarg, &o.limit) != 0 || o.limit > LIST_SOURCES_MAX)
				return cli_usage("inbox", "--limit takes 1..%d", LIST_SOURCES_MAX);
			break;
		case O_BEFORE:
			if (num_parse_id(optarg, &o.before) != 0)
				return cli_usage("inbox", "--before takes a cursor from `list`");
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'h':
			fputs(inbox_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("inbox", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("inbox", "unknown option '%s' (see 'cutout help inbox')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"list", 0, 0},      {"read", 1, 1},     {"download", 2, 2}, {"export", 1, 2},
	        {"reply", 1, -1},    {"delete", 1, 1},   {"mark", 2, 2},     {"reseal", 0, 0},
	        {"safe-view", 0, 2}, {"deadlines", 0, 0}};
	int k = cli_subcommand("inbox", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (k == 8 && (o.pending ? nargs != 1 : nargs != 3))
		return cli_usage("inbox", o.pending
		                                  ? "safe-view --pending takes no SUBMISSION"
		                                  : "safe-view takes SUBMISSION N (or --pending)");
	store_id id = 0;
	if (nargs > 1 && num_parse_id(args[1], &id) != 0)
		return cli_usage("inbox", "'%s' is not an id", args[1]);
	if (o.dir == NULL)
		return cli_usage("inbox", "no instance directory (use -d DIR)");
	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(o.dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("inbox", "%s", err.msg);
	struct officers *offs = NULL;
	struct officer_key *key = NULL;
	struct registry *reg = NULL;
	struct intake *in = NULL;
	struct inbox *ib = NULL;
	int rc = CLI_EXIT_FAIL;
	if (officer_cli_open("inbox", inst, &offs) != 0 ||
	    officer_cli_login("inbox", offs, o.as, ROLE_INTAKE, &key) != 0)
		goto out;
	o.key = key;
	if (registry_new(instance_store(inst), instance_marking_scheme(inst), &reg) !=
	            REGISTRY_OK ||
	    (in = make_intake(inst)) == NULL ||
	    inbox_new(instance_store(inst), reg, in, &ib) != INBOX_OK) {
		cli_fail("inbox", "could not set up the inbox");
		goto out;
	}
	o.reg = reg;
	o.ib = ib;
	o.store = instance_store(inst);
	o.conf = instance_conf(inst);
	switch (k) {
	case 0:
		rc = cmd_list(&o);
		break;
	case 1:
		rc = cmd_read(&o, id);
		break;
	case 2:
		rc = cmd_file(&o, id, args[2], 0);
		break;
	case 3:
		rc = cmd_file(&o, id, nargs > 2 ? args[2] : NULL, 1);
		break;
	case 4:
		rc = cmd_reply(&o, id, nargs - 2, args + 2);
		break;
	case 6:
		rc = cmd_mark(&o, id, args[2]);
		break;
	case 7:
		rc = inbox_reseal(o.ib, o.key, o.reg);
		break;
	case 8:
		rc = o.pending ? cmd_safe_pending(&o) : cmd_safe_view(&o, id, args[2]);
		break;
	case 9:
		rc = inbox_print_deadlines(o.ib, o.key, o.today ? o.today : store_today(),
		                           o.open_only);
		break;
	default:
		rc = cmd_delete(&o, id);
		break;
	}
out:
	inbox_free(&ib);
	intake_free(&in);
	registry_free(&reg);
	officer_key_free(&key);
	officers_free(&offs);
	instance_close(&inst);
	return rc;
}
