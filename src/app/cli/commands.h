/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* commands: one <name>_main and <name>_help per cmd_<name>.c; the table is in main.c. */
#ifndef CUTOUT_APP_COMMANDS_H
#define CUTOUT_APP_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

extern const char age_help[];
int age_main(int argc, char **argv);
extern const char check_help[];
int check_main(int argc, char **argv);
struct instance;
/*
 * cmd_check.c: the store's check and the ledger's (quick: quick_check and its
 * size, what a door runs at start); what is wrong goes to stderr. CLI_EXIT_*.
 */
int check_instance(const char *cmd, struct instance *inst, bool quick);
extern const char digest_help[];
int digest_main(int argc, char **argv);
extern const char retention_help[];
int retention_main(int argc, char **argv);
/*
 * cmd_retention.c, for cutout serve: once the day (UTC) differs from
 * *last_day and no run is under way (*pid <= 0), starts a child process that
 * runs retention on dir (*pid its pid until the caller reaps it).
 */
void retention_daily(const char *cmd, const char *dir, pid_t *pid, int32_t *last_day);
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
extern const char report_deadlines_help[];
int report_deadlines_main(int argc, char **argv);
struct inbox;
struct officer_key;
struct registry;
/* cmd_inbox_reseal.c: `inbox reseal`. A CLI exit code. */
int inbox_reseal(struct inbox *ib, const struct officer_key *who, struct registry *reg);
/* cmd_deadlines.c: `inbox deadlines`, as of day today. A CLI exit code. */
int inbox_print_deadlines(struct inbox *ib, const struct officer_key *who, int32_t today,
                          bool open_only);
extern const char store_help[];
int store_main(int argc, char **argv);
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
/* `cutout liaison serve` (cmd_liaison_door.c); `cutout serve` runs the door with liaison_door_run.
 */
extern const char liaison_serve_help[];
int liaison_serve_main(int argc, char **argv);
/* `cutout liaison push PARTNER` (cmd_liaison_push.c). A CLI exit code. */
int liaison_push(const char *dir, const char *as, const char *ident, const char *partner);
int liaison_pull_cmd(const char *dir, const char *as, const char *ident, const char *partner);
int liaison_door_run(const char *dir, const char *host, int have_port, uint16_t port,
                     const char *ident, const char *as, void (*tell_port)(uint16_t));
extern const char witness_help[];
int witness_main(int argc, char **argv);
/*
 * cmd_witness.c, for cutout ledger: cosign collects cosignatures of the latest
 * checkpoint (from DIRs via the CLI when nvia > 0, else over HTTP) and writes
 * the cosigned note; cosigned_latest is the latest checkpoint with its stored
 * cosignatures (0 or -1); quorum checks a note's cosignatures against the
 * witness_keys and witness_quorum of DIR's configuration (dir may be NULL) and
 * keys (quorum < 0: the configuration's). CLI_EXIT_*.
 */
struct buf;
struct store;
int ledger_cosign(struct instance *inst, const char *output, char **via, int nvia);
int ledger_cosigned_latest(struct store *s, struct buf *note);
int ledger_quorum(const uint8_t *note, size_t n, const char *dir, char **keys, int nkeys,
                  long quorum);
int release_main(int argc, char **argv);
extern const char trace_help[];
int trace_main(int argc, char **argv);
extern const char recovery_help[];
int recovery_main(int argc, char **argv);
extern const char tor_config_help[];
int tor_config_main(int argc, char **argv);

#endif
