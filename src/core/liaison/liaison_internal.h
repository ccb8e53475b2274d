/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison_internal: what the use-case files of core/liaison share (nothing
 * outside the folder includes it):
 *
 *   liaison.c   subjects, messages, ledger entries, topics
 *   partners.c  partners, partner cards, report topics
 *   export.c    a bundle made for a partner
 *   import.c    a partner's bundle taken in
 *   pull.c      a partner's signed pull, then an export
 *   bundle.c    the bundle's format (bundle.h)
 */
#ifndef CUTOUT_CORE_LIAISON_INTERNAL_H
#define CUTOUT_CORE_LIAISON_INTERNAL_H

#include "core/access/access.h"
#include "core/ledger/ledger.h"
#include "core/liaison/liaison.h"
#include "core/marking/marking.h"

__attribute__((format(printf, 2, 3))) void li_say(struct liaison_error *err, const char *fmt, ...);

/*
 * The acting officer's subject; LIAISON_FORBIDDEN (with msg) unless they hold
 * one of roles (ACCESS_ROLE_* bits).
 */
enum liaison_result li_subject(struct registry *r, const struct officer_key *as, uint32_t roles,
                               struct access_subject *subj, struct liaison_error *err);
/* The actor of an entry by `as` ("officer:NAME"); 0 or -1. */
int li_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1]);
/* Inside a store_write function: the entry about "kind:id" (id 0: no object). */
enum store_result li_log_in(struct store *s, enum ledger_action action, const char *actor,
                            const char *kind, int64_t id, const char *marking, const char *detail);
/* The same, alone in its own durable transaction (a refusal). */
enum store_result li_log(struct store *s, enum ledger_action action, const char *actor,
                         const char *kind, int64_t id, const char *marking, const char *detail);

/* The topics both stored forms name, stored form too ("" for none). */
void li_topics_common(const char *a, const char *b, char out[static STORE_TOPICS_MAX + 1]);

/* The partner whose verifier key's name is `name` (a key name), or NOT_FOUND. */
enum liaison_result li_partner_by_key(struct store *s, const char *name, struct store_partner *out,
                                      uint8_t pk[static 32]);

/*
 * liaison_export; none_if_empty: when no report is sent or withheld and none
 * is left for a next bundle, LIAISON_OK with out empty and sum->seq 0, and
 * nothing is made or written (a pull with nothing new: liaison_pull).
 */
enum liaison_result li_export(struct registry *r, const struct officer_key *as,
                              const struct liaison_self *self, const char *partner, int64_t since,
                              bool none_if_empty, struct buf *out, struct liaison_summary *sum,
                              int (*fn)(void *ctx, const struct liaison_item *it), void *ctx,
                              struct liaison_error *err);

/* A bundle or a receipt refused whole: its one liaison.refuse entry (err's reason), then
 * LIAISON_REFUSED (LIAISON_FAILED if the entry could not be written). */
enum liaison_result li_refuse(struct registry *r, const char *actor, store_id partner,
                              struct liaison_error *err);

#endif
