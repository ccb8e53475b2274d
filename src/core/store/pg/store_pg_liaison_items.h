/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_pg_liaison_items: the operations of the liaison domain's items of
 * bundles (store_pg_liaison_items.c), set into pg_liaison_ops
 * (store_pg_liaison.c).
 */
#ifndef CUTOUT_CORE_STORE_PG_LIAISON_ITEMS_H
#define CUTOUT_CORE_STORE_PG_LIAISON_ITEMS_H

#include "core/store/store_liaison.h"

enum store_result pg_liaison_withheld_add(struct store *s, const struct store_withheld *in);
enum store_result pg_liaison_withheld(struct store *s, store_id partner, enum store_liaison_way way,
                                      uint64_t seq,
                                      int (*fn)(void *ctx, const struct store_withheld *w),
                                      void *ctx);

#endif
