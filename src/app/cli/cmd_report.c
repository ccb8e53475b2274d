/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_report: reports and distribution lists from the command line
 * (`cutout report`, `cutout dist`), as a logged-in officer. Every read goes
 * through core/registry/, which decides: a report the officer may not read is
 * "no such report", the same as one that does not exist. A report file is
 * read into the typed input (registry_report_parse) and written as it is.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/liaison/liaison.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "lib/buf.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/banned.h"

const char report_help[] =
        "usage: cutout report COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Writes, lists, reads and circulates reports, as an officer: --as NAME (or\n"
        "$CUTOUT_OFFICER), with the password and TOTP code asked on the terminal,\n"
        "or taken from $CUTOUT_PASSWORD and $CUTOUT_TOTP for scripts. You see only\n"
        "the reports you may read: cleared for the marking, releasable to your\n"
        "nationality, and on the report's distribution.\n"
        "\n"
        "Commands:\n"
        "  write [FILE]          a new report from FILE (or standard input): the\n"
        "                        title, then paragraphs separated by blank lines,\n"
        "                        each starting with its portion marking:\n"
        "                          (S) Title\n"
        "\n"
        "                          (S//HUMINT) First paragraph...\n"
        "                        The overall marking is the combination of the\n"
        "                        portions. Prints the new report's id. (analyst)\n"
        "  write --batch FILE    many reports in one session, for scripts: records\n"
        "                        separated by a line \"%%\", each one optional\n"
        "                        header lines \"@to NAME,NAME\", \"@list NAME,NAME\",\n"
        "                        \"@cite KIND:ID\", \"@topics T\", then the report\n"
        "                        text; each is written, then circulated, then its\n"
        "                        topics set. Prints ID<TAB>MARKING each;\n"
        "                        stops at the first refusal\n"
        "  list                  the reports you may read: id, day, author, marking\n"
        "                        (tab-separated, newest first)\n"
        "  show ID               the report, with its portion markings\n"
        "  circulate ID [--list NAME]... [--to OFFICER]...\n"
        "                        add lists (their members today) and officers to\n"
        "                        the report's distribution\n"
        "  tearline ID MARKING   the report with only the paragraphs MARKING\n"
        "                        dominates (a sanitised view)\n"
        "  topics ID [TOPICS]    the report's topics, or set them (comma-separated,\n"
        "                        of the configuration's liaison_topics; \"none\"\n"
        "                        clears them): what partner agreements match (analyst)\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n"
        "      --marking M       write: the overall marking you expect (checked)\n"
        "      --topics T        write: the report's topics (as `topics` sets them)\n"
        "      --cite KIND:ID    write: cite submission:N or report:N; the report's\n"
        "                        marking must dominate theirs (no write down)\n"
        "      --list NAME, --to OFFICER   circulate: repeatable\n";

const char dist_help[] = "usage: cutout dist COMMAND -d DIR [--as NAME] [ARGS]\n"
                         "\n"
                         "Distribution lists (need-to-know): named lists of officers a report is\n"
                         "circulated to. Logs in as `cutout report` does.\n"
                         "\n"
                         "Commands:\n"
                         "  create NAME           a new list owned by you (analyst or admin);\n"
                         "                        NAME is 1 to 64 of [a-z0-9._-]\n"
                         "  add NAME OFFICER      add an officer (the owner or an admin)\n"
                         "  remove NAME OFFICER   remove an officer (the owner or an admin)\n"
                         "  list                  every list: name, owner, members\n"
                         "\n"
                         "Options:\n"
                         "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
                         "      --as NAME         the officer\n";

#define MANY_MAX 256

struct opts {
	const char *dir, *as, *marking, *batch, *topics;
	const char *lists[MANY_MAX], *to[MANY_MAX], *cites[MANY_MAX];
	size_t nlists, nto, ncites;
};

static int push(const char **v, size_t *n, const char *x)
{
	if (*n >= MANY_MAX)
		return -1;
	v[(*n)++] = x;
	return 0;
}

/* A session: officer_cli_sess (officer_cli.h). */
static int sess_open(const char *cmd, const struct opts *o, struct officer_cli_sess *s)
{
	return officer_cli_sess_open(cmd, o->dir, o->as, s);
}

static int fail_reg(const char *cmd, enum registry_result r, const struct registry_error *e)
{
	if (e && e->msg[0])
		return cli_fail(cmd, "%s: %s", registry_strerror(r), e->msg);
	return cli_fail(cmd, "%s", registry_strerror(r));
}

/* Officer names by id, for display. */
struct names {
	store_id ids[4096];
	char names[4096][OFFICER_NAME_MAX + 1];
	size_t n;
};

static int name_one(void *ctx, const struct officer *of)
{
	struct names *n = ctx;
	if (n->n >= 4096)
		return 1;
	n->ids[n->n] = of->id;
	memcpy(n->names[n->n], of->name, sizeof n->names[n->n]);
	n->n++;
	return 0;
}

static const char *name_of(const struct names *n, store_id id)
{
	for (size_t i = 0; i < n->n; i++)
		if (n->ids[i] == id)
			return n->names[i];
	return "?";
}

static int read_input(const char *path, struct buf *b)
{
	if (path != NULL && strcmp(path, "-") != 0)
		return io_read_file(path, b);
	return io_read_fd(STDIN_FILENO, b);
}

/* ---- report ---- */

/* Splits "a,b,c" (in place) into v[]; 0 or -1 when too many. */
static int split_names(char *csv, const char **v, size_t *n)
{
	char *p = csv;
	while (*p) {
		char *e = strchr(p, ',');
		if (e)
			*e = '\0';
		if (*p && push(v, n, p) != 0)
			return -1;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

/* One --cite or @cite value (or a list of them) appended to cites[REGISTRY_CITES_MAX]. */
static int parse_cite(const char *c, struct registry_cite *cites, size_t *n)
{
	size_t k = 0;
	if (registry_cites_parse(c, cites + *n, REGISTRY_CITES_MAX - *n, &k) != REGISTRY_OK ||
	    k == 0)
		return -1;
	*n += k;
	return 0;
}

/* The text of a report file written with its citations and declared marking. */
static enum registry_result write_text(struct officer_cli_sess *s, const char *text, size_t len,
                                       const struct registry_cite *cites, size_t ncites,
                                       const char *declared, struct registry_written *w,
                                       struct registry_error *err)
{
	struct registry_report_input in;
	struct registry_input_para *paras = calloc(REGISTRY_PARAS_MAX, sizeof *paras);
	if (paras == NULL)
		return REGISTRY_FAILED;
	enum registry_result r =
	        registry_report_parse(text, len, paras, REGISTRY_PARAS_MAX, &in, err);
	if (r == REGISTRY_OK) {
		in.cites = cites;
		in.ncites = ncites;
		in.declared = declared;
		r = registry_report_write(s->reg, s->key, &in, w, err);
	}
	free(paras);
	return r;
}

/* One record of a batch: header lines, then the text. rec is modified. */
static int batch_one(struct officer_cli_sess *s, char *rec, size_t len, size_t no)
{
	struct opts h;
	struct registry_cite cites[REGISTRY_CITES_MAX];
	size_t ncites = 0;
	struct registry_written w = {0};
	struct registry_error err = {{0}};
	memset(&h, 0, sizeof h);
	while (len > 0 && rec[0] == '@') {
		char *nl = memchr(rec, '\n', len);
		if (nl == NULL)
			return cli_usage("report", "record %zu: a header line without text", no);
		*nl = '\0';
		int e = -1;
		if (strncmp(rec, "@to ", 4) == 0)
			e = split_names(rec + 4, h.to, &h.nto);
		else if (strncmp(rec, "@list ", 6) == 0)
			e = split_names(rec + 6, h.lists, &h.nlists);
		else if (strncmp(rec, "@cite ", 6) == 0)
			e = parse_cite(rec + 6, cites, &ncites);
		else if (strncmp(rec, "@topics ", 8) == 0)
			h.topics = rec + 8, e = 0;
		if (e != 0)
			return cli_usage("report", "record %zu: bad header line '%s'", no, rec);
		len -= (size_t)(nl + 1 - rec);
		rec = nl + 1;
	}
	enum registry_result r = write_text(s, rec, len, cites, ncites, NULL, &w, &err);
	if (r == REGISTRY_OK && h.nto + h.nlists > 0)
		r = registry_report_circulate(s->reg, s->key, w.id, h.lists, h.nlists, h.to, h.nto,
		                              &err);
	if (r == REGISTRY_OK && h.topics != NULL) {
		struct liaison_error lerr = {{0}};
		enum liaison_result lr = liaison_report_topics_set(
		        s->reg, s->key, instance_conf(s->inst)->liaison_topics, w.id, h.topics,
		        &lerr);
		if (lr != LIAISON_OK)
			return cli_fail(
			        "report", "record %zu: report %lld written, its topics not set: %s",
			        no, (long long)w.id, lerr.msg[0] ? lerr.msg : liaison_strerror(lr));
	}
	if (r != REGISTRY_OK) {
		cli_fail("report", "record %zu:", no);
		return fail_reg("report", r, &err);
	}
	printf("%lld\t%s\n", (long long)w.id, w.marking);
	return CLI_EXIT_OK;
}

static int cmd_batch(struct officer_cli_sess *s, const char *path)
{
	struct buf in;
	int rc = CLI_EXIT_OK;
	buf_init(&in, (size_t)256 * 1024 * 1024);
	if (read_input(path, &in) != 0 || buf_append_byte(&in, 0) != BUF_OK) {
		buf_wipe_release(&in);
		return cli_fail("report", "%s: %s", path,
		                errno == EFBIG ? "too large" : strerror(errno));
	}
	char *p = (char *)in.data, *end = p + in.len - 1;
	size_t no = 0;
	while (p < end && rc == CLI_EXIT_OK) {
		char *sep = strstr(p, "\n%%\n");
		char *stop = sep ? sep + 1 : end;
		no++;
		size_t len = (size_t)(stop - p);
		bool empty = true;
		for (size_t i = 0; i < len; i++)
			if (p[i] != '\n' && p[i] != ' ')
				empty = false;
		if (!empty)
			rc = batch_one(s, p, len, no);
		p = sep ? sep + 4 : end;
	}
	fflush(stdout);
	buf_wipe_release(&in);
	return rc;
}

static int cmd_write(struct officer_cli_sess *s, const struct opts *o, const char *path)
{
	struct buf in;
	struct registry_written w = {0};
	struct registry_error err = {{0}};
	struct registry_cite cites[REGISTRY_CITES_MAX];
	size_t ncites = 0;
	int rc = CLI_EXIT_FAIL;

	buf_init(&in, REGISTRY_TEXT_MAX);
	for (size_t i = 0; i < o->ncites; i++) {
		if (parse_cite(o->cites[i], cites, &ncites) != 0) {
			rc = cli_usage("report", "bad citation '%s' (submission:N or report:N)",
			               o->cites[i]);
			goto out;
		}
	}
	if (read_input(path, &in) != 0) {
		cli_fail("report", "%s: %s", path ? path : "standard input",
		         errno == EFBIG ? "too large" : strerror(errno));
		goto out;
	}
	enum registry_result r =
	        write_text(s, (const char *)in.data, in.len, cites, ncites, o->marking, &w, &err);
	if (r != REGISTRY_OK) {
		rc = fail_reg("report", r, &err);
		goto out;
	}
	printf("%lld\t%s\n", (long long)w.id, w.marking);
	rc = CLI_EXIT_OK;
	if (o->topics != NULL) {
		struct liaison_error lerr = {{0}};
		enum liaison_result lr = liaison_report_topics_set(
		        s->reg, s->key, instance_conf(s->inst)->liaison_topics, w.id, o->topics,
		        &lerr);
		if (lr != LIAISON_OK)
			rc = cli_fail("report", "report %lld written, its topics not set: %s",
			              (long long)w.id,
			              lerr.msg[0] ? lerr.msg : liaison_strerror(lr));
	}
out:
	buf_wipe_release(&in);
	return rc;
}

static int print_listing(void *ctx, const struct registry_listing *l)
{
	const struct names *n = ctx;
	char day[DAY_STRLEN];
	day_format(l->day, day);
	printf("%lld\t%s\t%s\t%s\n", (long long)l->id, day, name_of(n, l->author), l->marking);
	return 0;
}

static int cmd_list(struct officer_cli_sess *s, struct names *n)
{
	int64_t total = 0;
	printf("#id\tday\tauthor\tmarking\n");
	enum registry_result r = registry_report_list(s->reg, officer_key_id(s->key), 0, 0,
	                                              print_listing, n, &total);
	if (r != REGISTRY_OK)
		return fail_reg("report", r, NULL);
	return CLI_EXIT_OK;
}

static int print_list_name(void *ctx, const char *name)
{
	int *first = ctx;
	printf("%s%s", *first ? "" : ", ", name);
	*first = 0;
	return 0;
}

static int print_report(struct officer_cli_sess *s, const struct registry_report *rep,
                        const struct names *n, bool lists)
{
	struct buf b;
	char day[DAY_STRLEN];
	buf_init(&b, REGISTRY_TEXT_MAX * 2);
	day_format(rep->day, day);
	printf("report %lld\nmarking: %s\nauthor: %s\nday: %s\n", (long long)rep->id,
	       rep->marking_text, name_of(n, rep->author), day);
	if (lists) {
		int first = 1;
		printf("circulated to lists: ");
		if (registry_report_lists(s->reg, s->key, rep->id, print_list_name, &first) !=
		    REGISTRY_OK)
			printf("?");
		printf("\n");
	}
	printf("\n");
	int rc = CLI_EXIT_FAIL;
	if (registry_report_format(s->reg, rep, &b) != REGISTRY_OK)
		goto out;
	fflush(stdout);
	if (io_write_all(STDOUT_FILENO, b.data, b.len) != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	buf_wipe_release(&b);
	return rc;
}

static int cmd_show(struct officer_cli_sess *s, struct names *n, store_id id, const char *target)
{
	struct registry_report *rep = NULL, *t = NULL;
	int rc = CLI_EXIT_FAIL;
	enum registry_result r = registry_report_open(s->reg, s->key, id, &rep);
	if (r == REGISTRY_NOT_FOUND) {
		rc = cli_fail("report", "report %lld: no such report", (long long)id);
		goto out;
	}
	if (r != REGISTRY_OK) {
		rc = fail_reg("report", r, NULL);
		goto out;
	}
	if (target) {
		struct marking m;
		struct marking_error merr;
		if (marking_parse(registry_scheme(s->reg), target, strlen(target), &m, &merr) !=
		    MARKING_OK) {
			rc = cli_usage("report", "MARKING: %s", merr.msg);
			goto out;
		}
		if ((r = registry_tearline(s->reg, rep, &m, &t)) != REGISTRY_OK) {
			rc = fail_reg("report", r, NULL);
			goto out;
		}
		rc = print_report(s, t, n, false);
	} else {
		rc = print_report(s, rep, n, true);
	}
out:
	registry_report_free(&t);
	registry_report_free(&rep);
	return rc;
}

/* A report's topics: shown, or set (core/liaison). */
static int cmd_topics(struct officer_cli_sess *s, store_id id, const char *topics)
{
	struct liaison_error err = {{0}};
	char out[STORE_TOPICS_MAX + 1];
	enum liaison_result r;
	if (topics != NULL) {
		r = liaison_report_topics_set(
		        s->reg, s->key, instance_conf(s->inst)->liaison_topics, id, topics, &err);
		if (r == LIAISON_OK)
			printf("report %lld: topics set\n", (long long)id);
	} else if ((r = liaison_report_topics_get(s->reg, s->key, id, out)) == LIAISON_OK) {
		printf("%s\n", out[0] ? out : "none");
	}
	if (r == LIAISON_NOT_FOUND && err.msg[0] == '\0')
		snprintf(err.msg, sizeof err.msg, "report %lld: no such report", (long long)id);
	if (r != LIAISON_OK)
		return err.msg[0] ? cli_fail("report", "%s: %s", liaison_strerror(r), err.msg)
		                  : cli_fail("report", "%s", liaison_strerror(r));
	return CLI_EXIT_OK;
}

static int getopts(const char *cmd, const char *help, int argc, char **argv, struct opts *o)
{
	enum { O_AS = 256, O_MARKING, O_CITE, O_LIST, O_TO, O_BATCH, O_TOPICS };
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"marking", required_argument, NULL, O_MARKING},
	                                      {"cite", required_argument, NULL, O_CITE},
	                                      {"list", required_argument, NULL, O_LIST},
	                                      {"to", required_argument, NULL, O_TO},
	                                      {"batch", required_argument, NULL, O_BATCH},
	                                      {"topics", required_argument, NULL, O_TOPICS},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	int c;
	memset(o, 0, sizeof *o);
	o->dir = getenv("CUTOUT_INSTANCE");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		int e = 0;
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case O_AS:
			o->as = optarg;
			break;
		case O_MARKING:
			o->marking = optarg;
			break;
		case O_CITE:
			e = push(o->cites, &o->ncites, optarg);
			break;
		case O_LIST:
			e = push(o->lists, &o->nlists, optarg);
			break;
		case O_TO:
			e = push(o->to, &o->nto, optarg);
			break;
		case O_BATCH:
			o->batch = optarg;
			break;
		case O_TOPICS:
			o->topics = optarg;
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
		if (e != 0)
			return cli_usage(cmd, "too many of '%s'", argv[optind - 1]);
	}
	return CLI_EXIT_OK;
}

int report_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("report", report_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {{"write", 0, 1},    {"list", 0, 0},
	                                      {"show", 1, 1},     {"circulate", 1, 1},
	                                      {"tearline", 2, 2}, {"topics", 1, 2}};
	int k = cli_subcommand("report", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	store_id id = 0;
	if (k >= 2 && num_parse_id(args[1], &id) != 0)
		return cli_usage("report", "'%s' is not a report id", args[1]);
	if ((o.ncites || o.marking) && k != 0)
		return cli_usage("report", "--cite and --marking are for write");
	if ((o.nlists || o.nto) && k != 3)
		return cli_usage("report", "--list and --to are for circulate");
	if (o.topics && (k != 0 || o.batch))
		return cli_usage("report", "--topics is for write (one report)");
	if (o.batch && (k != 0 || nargs > 1))
		return cli_usage("report", "--batch FILE is for write, without another FILE");
	if (k == 3 && o.nlists + o.nto == 0)
		return cli_usage("report", "circulate to whom? (--list NAME, --to OFFICER)");

	struct officer_cli_sess s;
	if ((rc = sess_open("report", &o, &s)) != CLI_EXIT_OK)
		return rc;
	struct names *n = calloc(1, sizeof *n);
	if (n == NULL || officer_list(s.offs, name_one, n) != OFFICER_OK) {
		rc = cli_fail("report", "cannot list the officers");
		goto out;
	}
	struct registry_error err = {{0}};
	enum registry_result r;
	switch (k) {
	case 0:
		rc = o.batch ? cmd_batch(&s, o.batch)
		             : cmd_write(&s, &o, nargs > 1 ? args[1] : NULL);
		break;
	case 1:
		rc = cmd_list(&s, n);
		break;
	case 2:
		rc = cmd_show(&s, n, id, NULL);
		break;
	case 3:
		r = registry_report_circulate(s.reg, s.key, id, o.lists, o.nlists, o.to, o.nto,
		                              &err);
		if (r != REGISTRY_OK)
			rc = fail_reg("report", r, &err);
		else
			printf("report %lld circulated\n", (long long)id);
		break;
	case 4:
		rc = cmd_show(&s, n, id, args[2]);
		break;
	default:
		rc = cmd_topics(&s, id, nargs > 2 ? args[2] : NULL);
		break;
	}
out:
	free(n);
	officer_cli_sess_close(&s);
	return rc;
}

/* ---- dist ---- */

static int print_dist(void *ctx, const char *name, const char *owner, const char *members)
{
	(void)ctx;
	printf("%s\t%s\t%s\n", name, owner, members);
	return 0;
}

int dist_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("dist", dist_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	if (o.ncites || o.marking || o.nlists || o.nto)
		return cli_usage("dist", "unknown option (see 'cutout help dist')");
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"create", 1, 1}, {"add", 2, 2}, {"remove", 2, 2}, {"list", 0, 0}};
	int k = cli_subcommand("dist", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	struct officer_cli_sess s;
	if ((rc = sess_open("dist", &o, &s)) != CLI_EXIT_OK)
		return rc;
	struct registry_error err = {{0}};
	enum registry_result r;
	switch (k) {
	case 0:
		r = registry_dist_create(s.reg, s.key, args[1], &err);
		break;
	case 1:
	case 2:
		r = registry_dist_member(s.reg, s.key, args[1], args[2], k == 1, &err);
		break;
	default:
		printf("#list\towner\tmembers\n");
		r = registry_dist_list(s.reg, print_dist, NULL);
		break;
	}
	if (r != REGISTRY_OK)
		rc = fail_reg("dist", r, &err);
	else if (k == 0)
		printf("list %s created\n", args[1]);
	else if (k != 3)
		printf("list %s: %s %s\n", args[1], k == 1 ? "added" : "removed", args[2]);
	officer_cli_sess_close(&s);
	return rc;
}
