/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* commands: one <name>_main and <name>_help per cmd_<name>.c; the table is in main.c. */
#ifndef CUTOUT_APP_COMMANDS_H
#define CUTOUT_APP_COMMANDS_H

extern const char age_help[];
int age_main(int argc, char **argv);
extern const char init_help[];
int init_main(int argc, char **argv);

#endif
