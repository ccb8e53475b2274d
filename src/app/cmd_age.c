/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* placeholder: replaced by the age CLI */
#include "app/cli.h"
#include "app/commands.h"

#include "lib/banned.h"

const char age_help[] = "usage: cutout age keygen|encrypt|decrypt ...\n";

int age_main(int argc, char **argv)
{
	return cli_fail("age", "not implemented yet");
}
