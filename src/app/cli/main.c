/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * main: the one `cutout` binary. Dispatches to the subcommands in the table
 * below; each lives in its own cmd_<name>.c.
 */
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"

#include "lib/banned.h"

static int help_main(int argc, char **argv);
static int version_main(int argc, char **argv);

static const char help_help[] = "usage: cutout help [COMMAND]\n"
                                "\n"
                                "Lists the commands, or prints the help of one.\n";

static const char version_help[] = "usage: cutout version\n"
                                   "\n"
                                   "Prints the version of cutout and of the libraries it uses.\n";

const struct cli_command cli_commands[] = {
        {"age", "encrypt, decrypt and make keys in the age v1 format", age_help, age_main},
        {"check", "check an instance's store: files, database, ledger", check_help, check_main},
        {"demo", "try cutout: a throwaway instance served on localhost", demo_help, demo_main},
        {"desk", "run the desk (for officers) of an instance", desk_help, desk_main},
        {"digest", "tell officers that something arrived (counts by day, for cron)", digest_help,
         digest_main},
        {"dist", "distribution lists of officers (as an officer)", dist_help, dist_main},
        {"help", "show the commands, or the help of one", help_help, help_main},
        {"inbox", "read submissions and reply to sources (as an intake officer)", inbox_help,
         inbox_main},
        {"init", "create a new instance directory", init_help, init_main},
        {"intake", "run the intake door (for sources) of an instance", intake_help, intake_main},
        {"ledger", "the tamper-evident log: head, proofs, verify, checkpoints", ledger_help,
         ledger_main},
        {"liaison", "exchange bundles with partner services (files, the liaison door)",
         liaison_help, liaison_main},
        {"marking", "check, compare and combine classification markings", marking_help,
         marking_main},
        {"officer", "manage officer accounts (add, list, disable, reset, roles, enrol)",
         officer_help, officer_main},
        {"partner", "partner services and the agreements with them (as an officer)", partner_help,
         partner_main},
        {"witness", "witness partners' ledgers (C2SP tlog-witness): cosign, catch split views",
         witness_help, witness_main},
        {"recipient", "outside recipients of releases (as an officer)", recipient_help,
         recipient_main},
        {"recovery", "the optional offline recovery key of the label keys", recovery_help,
         recovery_main},
        {"release", "release a report to outside recipients: propose, approve, export",
         release_help, release_main},
        {"report", "write, list, read and circulate reports (as an officer)", report_help,
         report_main},
        {"report-deadlines", "the EU Whistleblowing Directive's deadlines of every case",
         report_deadlines_help, report_deadlines_main},
        {"retention", "delete what is older than retention_days (cutout.conf)", retention_help,
         retention_main},
        {"serve", "run every door of an instance", serve_help, serve_main},
        {"store", "move an instance's store to PostgreSQL (migrate)", store_help, store_main},
        {"trace", "trace a leaked text to the recipient of its copy", trace_help, trace_main},
        {"tor-config", "print the torrc that publishes the intake as an onion service",
         tor_config_help, tor_config_main},
        {"version", "print the version", version_help, version_main},
        {NULL, NULL, NULL, NULL},
};

static void print_overview(FILE *f)
{
	fputs("usage: cutout COMMAND [ARGS...]\n"
	      "\n"
	      "cutout: the trusted intermediary between an organisation, its anonymous\n"
	      "sources and its partners.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'cutout help COMMAND' or 'cutout COMMAND --help' for more.\n", f);
}

static int help_main(int argc, char **argv)
{
	if (argc > 2)
		return cli_usage("help", "too many arguments (usage: cutout help [COMMAND])");
	if (argc < 2) {
		print_overview(stdout);
		return CLI_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			fputs(help_help, stdout);
			return CLI_EXIT_OK;
		}
		return cli_usage("help", "unknown option '%s'", argv[1]);
	}
	const struct cli_command *c = cli_find(argv[1]);
	if (c == NULL)
		return cli_usage("help", "unknown command '%s' (see 'cutout help')", argv[1]);
	cli_print_help(c);
	return CLI_EXIT_OK;
}

static int version_main(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage("version", "unexpected argument '%s'", argv[1]);
	printf("cutout 0.1.0 (libsodium %s)\n", sodium_version_string());
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C");
	/*
	 * The doors seal many small objects from many threads. Without this,
	 * glibc grows and shrinks a heap per thread with mprotect/munmap on
	 * almost every request, and each call stalls every core for a TLB
	 * shootdown. Two arenas for two cores, trimmed past 4 MiB; blocks up to
	 * 1 MiB stay in the heap. (Measured: bench/intake.)
	 */
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	if (sodium_init() < 0) {
		fputs("cutout: libsodium failed to initialise\n", stderr);
		return CLI_EXIT_FAIL;
	}
	if (argc < 2) {
		print_overview(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		print_overview(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0)
		return version_main(1, argv + 1);
	const struct cli_command *c = cli_find(name);
	if (c == NULL) {
		fprintf(stderr, "cutout: unknown command '%s' (see 'cutout help')\n", name);
		return CLI_EXIT_USAGE;
	}
	return c->main(argc - 1, argv + 1);
}
