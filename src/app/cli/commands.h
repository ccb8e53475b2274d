/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* commands: one <name>_main and <name>_help per cmd_<name>.c; the table is in main.c. */
#ifndef CUTOUT_APP_COMMANDS_H
#define CUTOUT_APP_COMMANDS_H

extern const char age_help[];
int age_main(int argc, char **argv);
extern const char init_help[];
int init_main(int argc, char **argv);

extern const char serve_help[];
int serve_main(int argc, char **argv);
extern const char intake_help[];
int intake_main(int argc, char **argv);
extern const char desk_help[];
int desk_main(int argc, char **argv);
extern const char demo_help[];
int demo_main(int argc, char **argv);
extern const char inbox_help[];
int inbox_main(int argc, char **argv);
extern const char ledger_help[];
int ledger_main(int argc, char **argv);
extern const char officer_help[];
int officer_main(int argc, char **argv);
extern const char marking_help[];
int marking_main(int argc, char **argv);
extern const char report_help[];
int report_main(int argc, char **argv);
extern const char dist_help[];
int dist_main(int argc, char **argv);
extern const char recipient_help[];
int recipient_main(int argc, char **argv);
extern const char release_help[];
extern const char partner_help[];
int partner_main(int argc, char **argv);
extern const char liaison_help[];
int liaison_main(int argc, char **argv);
int release_main(int argc, char **argv);
extern const char trace_help[];
int trace_main(int argc, char **argv);
extern const char recovery_help[];
int recovery_main(int argc, char **argv);
extern const char tor_config_help[];
int tor_config_main(int argc, char **argv);

#endif
