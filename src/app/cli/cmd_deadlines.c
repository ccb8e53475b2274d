/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cutout report-deadlines (= cutout inbox deadlines): every submission's
 * deadlines under the EU Whistleblowing Directive, for an auditor, from
 * core/inbox/deadlines.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "core/inbox/deadlines.h"
#include "lib/day.h"

#include "lib/banned.h"

const char report_deadlines_help[] =
        "usage: cutout report-deadlines -d DIR [--as NAME] [--today YYYY-MM-DD] [--open]\n"
        "\n"
        "Lists every submission you may see with its deadlines under the EU\n"
        "Whistleblowing Directive (2019/1937): acknowledged within 7 days of its\n"
        "arrival, feedback within 3 months of the acknowledgement (or of the end of\n"
        "the 7 days when none was sent in time). Every reply to a source acknowledges\n"
        "what it sent before; a reply sealed with `cutout inbox reply --feedback` (or\n"
        "the desk's feedback box) gives the feedback. The days come from the ledger,\n"
        "which proves them (`cutout ledger verify`). Needs the intake role.\n"
        "\n"
        "Columns: source, submission, arrived, acknowledge by, acknowledged (- when\n"
        "not yet; * when by the automatic acknowledgement), feedback by, feedback,\n"
        "status (acknowledgement due or overdue, feedback due or overdue, done,\n"
        "done late); a deleted source's submissions are marked (deleted).\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR          the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME          the officer (with the intake role)\n"
        "      --today YYYY-MM-DD the status on that day (default: today, UTC)\n"
        "      --open             only what is not done\n"
        "\n"
        "Exit status: 0 listed, 1 failed (or not allowed), 2 usage.\n";

struct print_ctx {
	int32_t today;
	bool open_only;
	uint64_t n, overdue;
};

static int print_one(void *ctx, const struct inbox_deadline *d)
{
	struct print_ctx *c = ctx;
	enum deadline_status st = deadline_status(d, c->today);
	if (c->open_only && (st == DEADLINE_DONE || st == DEADLINE_DONE_LATE))
		return 0;
	char arr[DAY_STRLEN], ab[DAY_STRLEN], ack[DAY_STRLEN + 1] = "-", fb[DAY_STRLEN],
	                                                       f[DAY_STRLEN] = "-";
	day_format(d->arrived, arr);
	day_format(d->ack_by, ab);
	day_format(d->feedback_by, fb);
	if (d->acked) {
		day_format(d->acked, ack);
		if (d->auto_ack)
			ack[strlen(ack)] = '*'; /* DAY_STRLEN + 1 leaves room */
	}
	if (d->feedback)
		day_format(d->feedback, f);
	printf("%-7lld %-10lld %-10s %-10s %-11s %-10s %-10s %s%s\n", (long long)d->source,
	       (long long)d->submission, arr, ab, ack, fb, f, deadline_status_name(st),
	       d->source_deleted ? " (deleted)" : "");
	c->n++;
	c->overdue += st == DEADLINE_ACK_OVERDUE || st == DEADLINE_FEEDBACK_OVERDUE;
	return 0;
}

int inbox_print_deadlines(struct inbox *ib, const struct officer_key *who, int32_t today,
                          bool open_only)
{
	struct print_ctx c = {.today = today, .open_only = open_only};
	uint64_t unplaced = 0;
	char day[DAY_STRLEN];
	day_format(today, day);
	printf("%-7s %-10s %-10s %-10s %-11s %-10s %-10s %s\n", "source", "submission", "arrived",
	       "ack by", "acknowledged", "feedback by", "feedback", "status");
	enum inbox_result r = inbox_deadlines(ib, who, print_one, &c, &unplaced);
	if (r == INBOX_FORBIDDEN)
		return cli_fail("report-deadlines", "the deadlines need the intake role");
	if (r != INBOX_OK)
		return cli_fail("report-deadlines", "%s", inbox_strerror(r));
	printf("%llu submissions, %llu overdue, as of %s", (unsigned long long)c.n,
	       (unsigned long long)c.overdue, day);
	if (unplaced)
		printf("; %llu replies sealed before the ledger named their source are not counted",
		       (unsigned long long)unplaced);
	putchar('\n');
	return CLI_EXIT_OK;
}

int report_deadlines_main(int argc, char **argv)
{
	if (argc < 1 || argc > 64)
		return cli_usage("report-deadlines", "too many arguments");
	char *args[66];
	args[0] = argv[0];
	args[1] = "deadlines";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	args[argc + 1] = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(report_deadlines_help, stdout);
			return CLI_EXIT_OK;
		}
	return inbox_main(argc + 1, args);
}
