/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_marking: `cutout marking canon|dominates|combine`, the marking rules of
 * core/marking/marking.h for scripts and operators. Exit codes: 0 yes / done, 1 no
 * (dominates) or no possible combination, 2 a malformed marking or usage.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/marking/marking.h"
#include "lib/conf.h"

#include "lib/banned.h"

const char marking_help[] =
        "usage: cutout marking COMMAND [OPTIONS] MARKING...\n"
        "\n"
        "Checks, canonicalises, compares and combines classification markings\n"
        "(LEVEL[//COMPARTMENTS][//CAVEATS], or a portion marking such as (S//HUMINT)).\n"
        "See docs/markings.md.\n"
        "\n"
        "Commands:\n"
        "  canon MARKING             print the canonical form; exit 2 if malformed\n"
        "  dominates A B             exit 0 if A dominates B, 1 if not (saying why),\n"
        "                            2 if a marking is malformed\n"
        "  combine A B...            print the combination (highest level, union of\n"
        "                            compartments and caveats, intersection of release\n"
        "                            lists); exit 1 if no nation could read it\n"
        "\n"
        "Options:\n"
        "  -s, --scheme uk|us|tlp    the scheme (default: the instance's, else uk)\n"
        "  -c, --compartments A,B    the declared compartments (default: the instance's,\n"
        "                            else none)\n"
        "  -C, --country CCC         the instance's country for NOFORN (default: the\n"
        "                            instance's, else GBR for uk, USA for us, none for tlp)\n"
        "  -d, --dir DIR             take the defaults from the instance in DIR\n"
        "                            (or $CUTOUT_INSTANCE); --instance is the same\n"
        "  -p, --portion             print portion markings, e.g. (TS//HUMINT)\n";

static const char *const default_country[] = {"GBR", "USA", NULL};

struct opts {
	const char *dir;
	const char *scheme;
	const char *compartments;
	const char *country;
	bool portion;
};

/* Builds the scheme from the options over the instance's configuration. */
static int load_scheme(const struct opts *o, struct marking_scheme *s)
{
	struct conf cf;
	const char *scheme = "uk", *compartments = NULL, *country = NULL;
	bool from_conf = false;
	if (o->dir != NULL && o->dir[0] != 0) {
		char path[PATH_MAX];
		struct conf_error cerr;
		int n = snprintf(path, sizeof path, "%s/cutout.conf", o->dir);
		if (n < 0 || (size_t)n >= sizeof path)
			return cli_fail("marking", "instance path too long");
		if (conf_load(path, &cf, &cerr) != CONF_OK)
			return cli_fail("marking", "%s: %s", path, cerr.msg);
		scheme = cf.scheme;
		compartments = cf.compartments;
		country = cf.country;
		from_conf = true;
	}
	if (o->scheme != NULL)
		scheme = o->scheme;
	int kind = marking_scheme_kind_parse(scheme);
	if (kind < 0)
		return cli_usage("marking", "unknown scheme '%s' (want uk, us or tlp)", scheme);
	if (o->compartments != NULL)
		compartments = o->compartments;
	if (o->country != NULL)
		country = o->country[0] != 0 ? o->country : NULL;
	else if (!from_conf)
		country = kind <= MARKING_US ? default_country[kind] : NULL;
	struct marking_error err;
	if (marking_scheme_init(s, (enum marking_scheme_kind)kind, compartments, country, &err) !=
	    MARKING_OK) {
		/* The message's position is within the compartments value. */
		const char *what =
		        strchr(err.msg, ':') != NULL ? strchr(err.msg, ':') + 2 : err.msg;
		if (o->compartments == NULL && o->country == NULL && from_conf)
			return cli_fail("marking", "%s/cutout.conf: %s", o->dir, what);
		return cli_usage("marking", "%s", what);
	}
	return CLI_EXIT_OK;
}

/* Parses argument text; on error prints "NAME: at N: ..." and returns CLI_EXIT_USAGE. */
static int parse_arg(const struct marking_scheme *s, const char *name, const char *text,
                     struct marking *m)
{
	struct marking_error err;
	if (marking_parse(s, text, strlen(text), m, &err) != MARKING_OK)
		return cli_usage("marking", "%s%s%s", name, name[0] ? ": " : "", err.msg);
	return CLI_EXIT_OK;
}

static int print_marking(const struct marking_scheme *s, const struct marking *m, bool portion)
{
	char out[MARKING_TEXT_MAX + 3];
	if (marking_format(s, m, portion, out, sizeof out) < 0)
		return cli_fail("marking", "cannot format the marking");
	puts(out);
	return CLI_EXIT_OK;
}

int marking_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"scheme", required_argument, NULL, 's'},
	                                      {"compartments", required_argument, NULL, 'c'},
	                                      {"country", required_argument, NULL, 'C'},
	                                      {"dir", required_argument, NULL, 'd'},
	                                      {"instance", required_argument, NULL, 'd'},
	                                      {"portion", no_argument, NULL, 'p'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	struct opts o = {getenv("CUTOUT_INSTANCE"), NULL, NULL, NULL, false};
	int c, rc;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:c:C:d:ph", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.scheme = optarg;
			break;
		case 'c':
			o.compartments = optarg;
			break;
		case 'C':
			o.country = optarg;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'p':
			o.portion = true;
			break;
		case 'h':
			fputs(marking_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("marking", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("marking",
			                 "unknown option '%s' (see 'cutout help marking')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	if (nargs < 1)
		return cli_usage("marking", "which command? (see 'cutout help marking')");
	const char *sub = args[0];
	nargs--;
	args++;

	struct marking_scheme s;
	if ((rc = load_scheme(&o, &s)) != CLI_EXIT_OK)
		return rc;

	if (strcmp(sub, "canon") == 0) {
		if (nargs != 1)
			return cli_usage("marking", "usage: cutout marking canon MARKING");
		struct marking m;
		if ((rc = parse_arg(&s, "", args[0], &m)) != CLI_EXIT_OK)
			return rc;
		return print_marking(&s, &m, o.portion);
	}
	if (strcmp(sub, "dominates") == 0) {
		if (nargs != 2)
			return cli_usage("marking", "usage: cutout marking dominates A B");
		struct marking a, b;
		if ((rc = parse_arg(&s, "A", args[0], &a)) != CLI_EXIT_OK ||
		    (rc = parse_arg(&s, "B", args[1], &b)) != CLI_EXIT_OK)
			return rc;
		enum marking_dominance d = marking_dominance(&a, &b);
		if (d == MARKING_DOM_YES) {
			puts("yes");
			return CLI_EXIT_OK;
		}
		printf("no: %s\n", marking_dominance_name(d));
		return CLI_EXIT_FAIL;
	}
	if (strcmp(sub, "combine") == 0) {
		if (nargs < 1)
			return cli_usage("marking", "usage: cutout marking combine A B...");
		struct marking acc, m;
		char name[32];
		for (int i = 0; i < nargs; i++) {
			int n = snprintf(name, sizeof name, "marking %d", i + 1);
			if (n < 0 || (size_t)n >= sizeof name)
				return cli_fail("marking", "too many markings");
			if ((rc = parse_arg(&s, name, args[i], i == 0 ? &acc : &m)) != CLI_EXIT_OK)
				return rc;
			if (i == 0)
				continue;
			enum marking_result mr = marking_combine(&s, &acc, &m, &acc);
			if (mr == MARKING_ERR_NO_RELEASE)
				return cli_fail(
				        "marking",
				        "the release lists have no nation in common: nobody "
				        "could read the combination");
			if (mr != MARKING_OK)
				return cli_fail(
				        "marking",
				        "the combination is too large for one marking (at most "
				        "%d compartments and %d bytes)",
				        MARKING_COMPARTMENTS_MAX, MARKING_TEXT_MAX);
		}
		return print_marking(&s, &acc, o.portion);
	}
	return cli_usage("marking", "unknown command '%s' (see 'cutout help marking')", sub);
}
