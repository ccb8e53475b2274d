/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_inbox: reading submissions and answering sources from the command line,
 * as an officer with the intake role: the officer's session key holds every
 * intake label version wrapped to them (core/officer/officer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "app/cli/outfile.h"
#include "core/keys/unseal.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/day.h"
#include "lib/num.h"

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
        "listed nor opened (it answers as missing), nor are its source's replies\n"
        "and deletion.\n"
        "\n"
        "Commands:\n"
        "  list                      sources and their submissions, newest first\n"
        "  read SUBMISSION           print the message and list the files\n"
        "  download SUBMISSION N [-o FILE]\n"
        "                            decrypt file N (1-based) of a submission\n"
        "  export SUBMISSION [N] [-o FILE]\n"
        "                            write the message (or file N) as an age file sealed\n"
        "                            to the intake label (the marking label's layer taken\n"
        "                            off), for `age -d` on an offline machine\n"
        "  reply SOURCE [TEXT]       seal a reply to a source (TEXT, else standard input)\n"
        "  delete SOURCE             delete a source and everything of theirs\n"
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
        "  -o, --output FILE         write to FILE instead of standard output\n";

#define REPLY_MAX (1024 * 1024)

struct opts {
	const char *dir;
	const char *as;
	const char *output;
	const struct officer_key *key; /* the logged-in officer */
	const char *reason;
	const struct registry *reg; /* the access decision: registry_submission_readable */
	struct access_subject subj; /* the officer as it sees them */
};

/* ---- output ---- */

/* Decrypted or sealed bytes: never to a terminal; files through outfile (0600). */
static int out_open(struct outfile *o, const char *path)
{
	if ((path == NULL || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO))
		return cli_fail("inbox",
		                "refusing to write binary data to a terminal (use -o FILE)");
	return outfile_open(o, "inbox", path, 0600);
}

static int write_fd(void *ctx, const uint8_t *p, size_t n)
{
	return io_write_all(*(int *)ctx, p, n);
}

static int write_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

/* ---- list ---- */

struct list_ctx {
	struct store *s;
	const struct opts *o;
	struct store_submission *subs; /* a source's readable submissions */
	size_t n, cap;
	int failed;
};

static int print_sub(const struct store_submission *sub)
{
	char day[16];
	day_format(sub->day, day);
	printf("  submission %lld  %s  %s  %d file%s%s%s%s\n", (long long)sub->id, day,
	       sub->marking, sub->nfiles, sub->nfiles == 1 ? "" : "s",
	       sub->message_blob ? "  message" : "", sub->read ? "" : "  (unread)",
	       sub->seal_version ? "" : "  (intake label only: see reseal)");
	return 0;
}

/* Keeps the submissions the officer may read (the decision, as on the desk). */
static int keep_readable(void *ctx, const struct store_submission *sub)
{
	struct list_ctx *l = ctx;
	if (!registry_submission_readable(l->o->reg, &l->o->subj, sub))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct store_submission *v = realloc(l->subs, cap * sizeof *v);
		if (v == NULL) {
			l->failed = 1;
			return 1;
		}
		l->subs = v;
		l->cap = cap;
	}
	l->subs[l->n++] = *sub;
	return 0;
}

/* A source with at least one submission the officer may read; counts over those only. */
static int print_source(void *ctx, const struct store_source *src)
{
	struct list_ctx *l = ctx;
	char day[16];
	l->n = 0;
	enum store_result r = l->s->be->submission_list(l->s, src->id, 0, 1000, keep_readable, l);
	if ((r != STORE_OK && r != STORE_STOP) || l->failed) {
		l->failed = 1;
		return 1;
	}
	if (l->n == 0)
		return 0; /* nothing of it readable: not shown, not counted */
	size_t unread = 0;
	int32_t last = 0;
	for (size_t i = 0; i < l->n; i++) {
		unread += !l->subs[i].read;
		if (l->subs[i].day > last)
			last = l->subs[i].day;
	}
	day_format(last, day);
	printf("source %lld  last %s  %zu submission%s, %zu unread\n", (long long)src->id, day,
	       l->n, l->n == 1 ? "" : "s", unread);
	for (size_t i = 0; i < l->n; i++)
		print_sub(&l->subs[i]);
	return 0;
}

static int cmd_list(struct instance *inst, const struct opts *o)
{
	struct store *s = instance_store(inst);
	struct list_ctx l = {.s = s, .o = o};
	enum store_result r = s->be->source_list(s, 0, 100000, print_source, &l);
	free(l.subs);
	if ((r != STORE_OK && r != STORE_STOP) || l.failed)
		return cli_fail("inbox", "could not list: %s", store_strerror(r));
	return CLI_EXIT_OK;
}

/* ---- reseal ---- */

struct reseal_ctx {
	struct list_ctx l;
	store_id *ids; /* readable submissions sealed to the intake label alone */
	size_t n, cap;
};

static int collect_one_layer(void *ctx, const struct store_source *src)
{
	struct reseal_ctx *rc = ctx;
	rc->l.n = 0;
	enum store_result r =
	        rc->l.s->be->submission_list(rc->l.s, src->id, 0, 1000, keep_readable, &rc->l);
	if ((r != STORE_OK && r != STORE_STOP) || rc->l.failed)
		goto fail;
	for (size_t i = 0; i < rc->l.n; i++) {
		if (rc->l.subs[i].seal_version != 0)
			continue;
		if (rc->n == rc->cap) {
			size_t cap = rc->cap ? rc->cap * 2 : 64;
			store_id *v = cap < SIZE_MAX / sizeof *v ? realloc(rc->ids, cap * sizeof *v)
			                                         : NULL;
			if (v == NULL)
				goto fail;
			rc->ids = v;
			rc->cap = cap;
		}
		rc->ids[rc->n++] = rc->l.subs[i].id;
	}
	return 0;
fail:
	rc->l.failed = 1;
	return 1;
}

/*
 * Every submission the officer may read that is sealed to the intake label
 * alone (made while nobody held both keys) gets its outer layer, sealed to its
 * marking's label: registry_submission_mark with its present marking.
 */
static int cmd_reseal(struct instance *inst, const struct opts *o, struct registry *reg)
{
	struct store *s = instance_store(inst);
	struct reseal_ctx rc = {.l = {.s = s, .o = o}};
	int ret = CLI_EXIT_FAIL;
	size_t done = 0;
	enum store_result r = s->be->source_list(s, 0, INT64_MAX, collect_one_layer, &rc);
	if ((r != STORE_OK && r != STORE_STOP) || rc.l.failed) {
		cli_fail("inbox", "could not list: %s", store_strerror(r));
		goto out;
	}
	for (size_t i = 0; i < rc.n; i++) {
		struct store_submission sub;
		struct registry_error err = {{0}};
		if (s->be->submission_get(s, rc.ids[i], &sub) != STORE_OK)
			continue; /* deleted meanwhile */
		enum registry_result rr =
		        registry_submission_mark(reg, o->key, sub.id, sub.marking, NULL, &err);
		if (rr != REGISTRY_OK) {
			cli_fail("inbox", "submission %lld: %s%s%s (%zu resealed before it)",
			         (long long)sub.id, registry_strerror(rr), err.msg[0] ? ": " : "",
			         err.msg, done);
			goto out;
		}
		done++;
	}
	printf("%zu submission%s resealed to their marking's label\n", done, done == 1 ? "" : "s");
	ret = CLI_EXIT_OK;
out:
	free(rc.l.subs);
	free(rc.ids);
	return ret;
}

/* Whether the officer may see source id: a submission of it they may read. */
static int source_visible(struct instance *inst, const struct opts *o, store_id id)
{
	struct store *s = instance_store(inst);
	struct list_ctx l = {.s = s, .o = o};
	enum store_result r = s->be->submission_list(s, id, 0, 1000, keep_readable, &l);
	free(l.subs);
	return (r == STORE_OK || r == STORE_STOP) && !l.failed && l.n > 0;
}

/* ---- read / download / export ---- */

struct files_ctx {
	struct store_file items[256];
	int n;
};

static int collect_file(void *ctx, const struct store_file *f)
{
	struct files_ctx *fc = ctx;
	if (fc->n >= 256)
		return 1;
	fc->items[fc->n++] = *f;
	return 0;
}

/* A submission the officer may read; a forbidden one answers as a missing one. */
static int load_submission(struct store *s, const struct opts *o, store_id id,
                           struct store_submission *sub, struct files_ctx *fc)
{
	enum store_result r = s->be->submission_get(s, id, sub);
	if (r == STORE_NOT_FOUND ||
	    (r == STORE_OK && !registry_submission_readable(o->reg, &o->subj, sub)))
		return cli_fail("inbox", "no submission %lld", (long long)id);
	if (r != STORE_OK)
		return cli_fail("inbox", "store: %s", store_strerror(r));
	fc->n = 0;
	r = s->be->submission_files(s, id, collect_file, fc);
	if (r != STORE_OK && r != STORE_STOP)
		return cli_fail("inbox", "store: %s", store_strerror(r));
	return 0;
}

/*
 * The ledger entry of an officer's action, by "officer:NAME"; the action is
 * reported done only once its entry is durable.
 */
static int log_action(struct instance *inst, const struct opts *o, enum ledger_action action,
                      const char *kind, store_id id, const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1], actor[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
	if (n < 0 || (size_t)n >= sizeof obj || officer_key_actor(o->key, actor, sizeof actor) != 0)
		return cli_fail("inbox", "object name too long");
	enum ledger_result r =
	        ledger_record(instance_store(inst), action, actor, obj, marking, detail);
	if (r != LEDGER_OK)
		return cli_fail("inbox", "done, but could not record it in the ledger: %s",
		                ledger_strerror(r));
	return 0;
}

static int cmd_read(struct instance *inst, const struct opts *o, store_id id)
{
	struct store *s = instance_store(inst);
	struct store_submission sub;
	struct files_ctx *fc = calloc(1, sizeof *fc);
	struct unseal_keys keys = {0};
	struct buf b;
	int rc = CLI_EXIT_FAIL;
	buf_init(&b, 16 * 1024 * 1024);
	if (fc == NULL || load_submission(s, o, id, &sub, fc) != 0)
		goto out;
	/* recorded before anything is shown */
	if (log_action(inst, o, LEDGER_OBJECT_READ, "submission", id, sub.marking, NULL) != 0)
		goto out;
	registry_submission_keys(o->reg, o->key, &sub, &keys);
	char day[16];
	day_format(sub.day, day);
	printf("submission %lld from source %lld, %s, marked %s\n", (long long)sub.id,
	       (long long)sub.source_id, day, sub.marking);
	if (sub.message_blob != 0) {
		if (unseal_blob(s, sub.message_blob, &keys, write_buf, &b) != UNSEAL_OK) {
			cli_fail("inbox",
			         "the message could not be opened with this officer's keys");
			goto out;
		}
		/* A stranger's text: no terminal escape sequence reaches the officer's terminal. */
		for (size_t i = 0; i < b.len; i++)
			if ((b.data[i] < 0x20 && b.data[i] != '\n' && b.data[i] != '\t') ||
			    b.data[i] == 0x7f)
				b.data[i] = '?';
		printf("\n%s\n", buf_str(&b));
	}
	for (int i = 0; i < fc->n; i++) {
		char name[1100], type[300];
		uint64_t size = 0;
		buf_reset(&b);
		if (unseal_blob(s, fc->items[i].meta_blob, &keys, write_buf, &b) != UNSEAL_OK ||
		    intake_meta_decode(b.data, b.len, name, sizeof name, type, sizeof type,
		                       &size) != 0) {
			cli_fail("inbox", "file %d: its metadata could not be opened", i + 1);
			goto out;
		}
		/* Names come from strangers: never print control characters raw. */
		for (char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		printf("file %d: %s (%s, %llu bytes)\n", i + 1, name, type,
		       (unsigned long long)size);
	}
	if (s->be->submission_mark_read(s, id) != STORE_OK)
		fprintf(stderr, "cutout inbox: could not mark the submission read\n");
	rc = CLI_EXIT_OK;
out:
	unseal_keys_release(&keys);
	buf_wipe_release(&b);
	free(fc);
	return rc;
}

static int cmd_file(struct instance *inst, const struct opts *o, store_id id, const char *nstr,
                    int raw)
{
	struct store *s = instance_store(inst);
	struct store_submission sub;
	struct files_ctx *fc = calloc(1, sizeof *fc);
	struct outfile out = {.fd = -1};
	int rc = CLI_EXIT_FAIL;
	store_id n = 0;
	if (fc == NULL || load_submission(s, o, id, &sub, fc) != 0)
		goto out;
	store_id blob = sub.message_blob;
	if (nstr != NULL) {
		if (num_parse_id(nstr, &n) != 0 || n > fc->n) {
			cli_fail("inbox", "submission %lld has no file %s", (long long)id, nstr);
			goto out;
		}
		blob = fc->items[n - 1].data_blob;
	} else if (blob == 0) {
		cli_fail("inbox", "submission %lld has no message", (long long)id);
		goto out;
	}
	char detail[48];
	int dn = nstr != NULL ? snprintf(detail, sizeof detail, "%sfile %lld", raw ? "sealed " : "",
	                                 (long long)n)
	                      : snprintf(detail, sizeof detail, "%smessage", raw ? "sealed " : "");
	if (dn < 0 || (size_t)dn >= sizeof detail) {
		cli_fail("inbox", "detail too long");
		goto out;
	}
	/* recorded before a byte is written */
	if (log_action(inst, o, LEDGER_OBJECT_DOWNLOAD, "submission", id, sub.marking, detail) != 0)
		goto out;
	if (out_open(&out, o->output) != 0)
		goto out;
	struct unseal_keys keys;
	registry_submission_keys(o->reg, o->key, &sub, &keys);
	enum unseal_result ir = raw ? unseal_export(s, blob, &keys, write_fd, &out.fd)
	                            : unseal_blob(s, blob, &keys, write_fd, &out.fd);
	unseal_keys_release(&keys);
	if (ir != UNSEAL_OK) {
		outfile_abort(&out);
		cli_fail("inbox", "%s",
		         ir == UNSEAL_CANNOT_OPEN
		                 ? "the file could not be opened with this officer's keys"
		                 : "could not read or write the file");
		goto out;
	}
	if (outfile_commit(&out, 0) != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	free(fc);
	return rc;
}

/* ---- reply / delete ---- */

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

static int cmd_reply(struct instance *inst, const struct opts *o, store_id source, int argc,
                     char **argv)
{
	struct buf text;
	buf_init(&text, REPLY_MAX);
	int rc = CLI_EXIT_FAIL;
	struct intake *in = NULL;
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
	if (!source_visible(inst, o, source)) {
		cli_fail("inbox", "no source %lld", (long long)source);
		goto out;
	}
	if ((in = make_intake(inst)) == NULL) {
		cli_fail("inbox", "could not set up the intake");
		goto out;
	}
	store_id id;
	char actor[LEDGER_TOKEN_MAX + 1];
	if (officer_key_actor(o->key, actor, sizeof actor) != 0) {
		cli_fail("inbox", "officer name too long");
		goto out;
	}
	enum intake_result ir = intake_reply_seal(in, actor, source, buf_str(&text), text.len, &id);
	if (ir != INTAKE_OK) {
		if (ir == INTAKE_UNKNOWN)
			cli_fail("inbox", "no source %lld", (long long)source);
		else
			cli_fail("inbox", "could not reply: %s", intake_strerror(ir));
		goto out;
	}
	printf("reply %lld sealed to source %lld\n", (long long)id, (long long)source);
	rc = CLI_EXIT_OK;
out:
	intake_free(&in);
	buf_wipe_release(&text);
	return rc;
}

static int cmd_delete(struct instance *inst, const struct opts *o, store_id source)
{
	char actor[LEDGER_TOKEN_MAX + 1];
	if (!source_visible(inst, o, source))
		return cli_fail("inbox", "no source %lld", (long long)source);
	if (officer_key_actor(o->key, actor, sizeof actor) != 0)
		return cli_fail("inbox", "officer name too long");
	struct intake *in = make_intake(inst);
	if (in == NULL)
		return cli_fail("inbox", "could not set up the intake");
	enum intake_result ir = intake_source_delete(in, actor, source);
	intake_free(&in);
	if (ir == INTAKE_UNKNOWN)
		return cli_fail("inbox", "no source %lld", (long long)source);
	if (ir != INTAKE_OK)
		return cli_fail("inbox", "could not delete: %s", intake_strerror(ir));
	printf("source %lld and everything of theirs deleted\n", (long long)source);
	return CLI_EXIT_OK;
}

/* The one place the CLI changes a submission's marking: registry_submission_mark. */
static int cmd_mark(struct instance *inst, const struct opts *o, store_id id, const char *marking)
{
	struct registry *reg = NULL;
	struct registry_error err = {{0}};
	enum registry_result r =
	        registry_new(instance_store(inst), instance_marking_scheme(inst), &reg);
	if (r == REGISTRY_OK)
		r = registry_submission_mark(reg, o->key, id, marking, o->reason, &err);
	registry_free(&reg);
	if (r != REGISTRY_OK)
		return cli_fail("inbox", "%s%s%s", registry_strerror(r), err.msg[0] ? ": " : "",
		                err.msg);
	printf("submission %lld: marking %s\n", (long long)id, marking);
	return CLI_EXIT_OK;
}

int inbox_main(int argc, char **argv)
{
	enum { O_AS = 256, O_REASON };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"output", required_argument, NULL, 'o'},
	                                      {"reason", required_argument, NULL, O_REASON},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	struct opts o = {.dir = getenv("CUTOUT_INSTANCE")};
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
	        {"list", 0, 0},   {"read", 1, 1},   {"download", 2, 2}, {"export", 1, 2},
	        {"reply", 1, -1}, {"delete", 1, 1}, {"mark", 2, 2},     {"reseal", 0, 0}};
	int k = cli_subcommand("inbox", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
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
	int rc = CLI_EXIT_FAIL;
	if (officer_cli_open("inbox", inst, &offs) != 0 ||
	    officer_cli_login("inbox", offs, o.as, ROLE_INTAKE, &key) != 0)
		goto out;
	o.key = key;
	if (registry_new(instance_store(inst), instance_marking_scheme(inst), &reg) !=
	            REGISTRY_OK ||
	    registry_subject(reg, officer_key_id(key), &o.subj) != REGISTRY_OK) {
		cli_fail("inbox", "could not load the access decision's view of %s",
		         officer_key_name(key));
		goto out;
	}
	o.reg = reg;
	switch (k) {
	case 0:
		rc = cmd_list(inst, &o);
		break;
	case 1:
		rc = cmd_read(inst, &o, id);
		break;
	case 2:
		rc = cmd_file(inst, &o, id, args[2], 0);
		break;
	case 3:
		rc = cmd_file(inst, &o, id, nargs > 2 ? args[2] : NULL, 1);
		break;
	case 4:
		rc = cmd_reply(inst, &o, id, nargs - 2, args + 2);
		break;
	case 6:
		rc = cmd_mark(inst, &o, id, args[2]);
		break;
	case 7:
		rc = cmd_reseal(inst, &o, reg);
		break;
	default:
		rc = cmd_delete(inst, &o, id);
		break;
	}
out:
	registry_free(&reg);
	officer_key_free(&key);
	officers_free(&offs);
	instance_close(&inst);
	return rc;
}
