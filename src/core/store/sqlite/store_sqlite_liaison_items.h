/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_liaison_items: the operations of the liaison domain's items of
 * bundles (store_sqlite_liaison_items.c), set into sq_liaison_ops
 * (store_sqlite_liaison.c).
 */
#ifndef CUTOUT_CORE_STORE_SQLITE_LIAISON_ITEMS_H
#define CUTOUT_CORE_STORE_SQLITE_LIAISON_ITEMS_H

#include "core/store/store_liaison.h"

enum store_result sq_liaison_withheld_add(struct store *s, const struct store_withheld *in);
enum store_result sq_liaison_withheld(struct store *s, store_id partner, enum store_liaison_way way,
                                      uint64_t seq,
                                      int (*fn)(void *ctx, const struct store_withheld *w),
                                      void *ctx);
enum store_result sq_liaison_item_sent_add(struct store *s, store_id partner, uint64_t seq,
                                           store_id report);
enum store_result sq_liaison_item_sent_has(struct store *s, store_id partner, store_id report);
enum store_result sq_liaison_received_find(struct store *s, store_id partner, int64_t remote,
                                           struct store_received *out);
enum store_result sq_liaison_consent_add(struct store *s, const struct store_consent *in,
                                         store_id *out);
enum store_result sq_liaison_consents(struct store *s, enum store_liaison_way way, store_id report,
                                      int (*fn)(void *ctx, const struct store_consent *c),
                                      void *ctx);
enum store_result sq_liaison_consents_pending(struct store *s, store_id partner,
                                              int (*fn)(void *ctx, const struct store_consent *c),
                                              void *ctx);
enum store_result sq_liaison_consent_sent(struct store *s, store_id id, uint64_t seq);

#endif
