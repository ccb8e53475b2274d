/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout retention: deletes what is older than retention_days (cutout.conf)
 * through core/intake's use case; and the daily run of `cutout serve`, a
 * child process of its own started when the day (UTC) changes.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "lib/day.h"

#include "lib/banned.h"

const char retention_help[] =
        "usage: cutout retention [-d DIR]\n"
        "\n"
        "Deletes the submissions (with their files) and the replies older than\n"
        "retention_days in cutout.conf, by the day (UTC) the store keeps with each;\n"
        "each deletion is a ledger entry (object.delete or reply.delete by system,\n"
        "detail \"retention N days\"). The sources stay. Does nothing while\n"
        "retention_days is off (the default). `cutout serve` runs it once a day by\n"
        "itself; run it from cron when the doors are run otherwise.\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR   the instance directory (default: $CUTOUT_INSTANCE)\n"
        "\n"
        "Exit status: 0 done (or off), 1 failed, 2 usage.\n";

/* One run on dir: CLI_EXIT_*. quiet: say nothing when off or nothing was due (serve). */
static int retention_run(const char *cmd, const char *dir, bool quiet)
{
	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail(cmd, "%s", err.msg);
	int64_t days = instance_conf(inst)->retention_days;
	int rc = CLI_EXIT_OK;
	if (days <= 0) {
		if (!quiet)
			printf("retention is off (retention_days in %s/cutout.conf)\n", dir);
		goto out;
	}
	struct intake_retention n;
	int32_t today = store_today();
	enum intake_result r = intake_retention(instance_store(inst), today, (uint32_t)days, &n);
	char before[DAY_STRLEN];
	day_format(today - (int32_t)days, before);
	if (r != INTAKE_OK)
		rc = cli_fail(cmd,
		              "retention: %s (%llu submissions and %llu replies deleted before)",
		              intake_strerror(r), (unsigned long long)n.submissions,
		              (unsigned long long)n.replies);
	else if (!quiet || n.submissions + n.replies > 0)
		fprintf(quiet ? stderr : stdout,
		        "%s%s: retention %lld days: %llu submissions and %llu replies made before "
		        "%s "
		        "deleted\n",
		        quiet ? "cutout " : "", quiet ? cmd : dir, (long long)days,
		        (unsigned long long)n.submissions, (unsigned long long)n.replies, before);
out:
	instance_close(&inst);
	return rc;
}

void retention_daily(const char *cmd, const char *dir, pid_t *pid, int32_t *last_day)
{
	int32_t today = store_today();
	if (*pid > 0 || today == *last_day)
		return;
	fflush(stdout);
	fflush(stderr);
	pid_t p = fork();
	if (p < 0)
		return; /* tried again at the next turn of the loop */
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		prctl(PR_SET_NAME, "cutout-retain");
		_exit(retention_run(cmd, dir, true));
	}
	*pid = p;
	*last_day = today;
}

int retention_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE");
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(retention_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("retention", "option '%s' needs a value",
			                 argv[optind - 1]);
		default:
			return cli_usage("retention",
			                 "unknown option '%s' (see 'cutout help retention')",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("retention", "unexpected argument '%s'", argv[optind]);
	if (dir == NULL)
		return cli_usage("retention", "no instance directory (use -d DIR)");
	return retention_run("retention", dir, false);
}
