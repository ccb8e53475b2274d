/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_sqlite_registry.h: what the two files of the SQLite backend's
 * registry share (store_sqlite_registry.c: schema, markings, lists, changes;
 * store_sqlite_report.c: reports). Nothing outside the backend includes it.
 */
#ifndef CUTOUT_CORE_STORE_SQLITE_REGISTRY_H
#define CUTOUT_CORE_STORE_SQLITE_REGISTRY_H

#include "core/store/store_registry.h"
#include "core/store/sqlite/store_sqlite.h"

/* A text column into out (cap bytes with the NUL; longer is cut). */
void rg_col_text(sqlite3_stmt *st, int i, char *out, size_t cap);
/* Runs sql with its first n (1..3) parameters bound to a, b, d. */
__attribute__((warn_unused_result)) enum store_result
rg_exec(struct conn *c, const char *sql, int64_t a, int64_t b, int64_t d, int n);

/* The report operations of struct store_registry_ops (store_sqlite_report.c). */
enum store_result rg_report_insert(struct store *s, store_id author, int32_t day,
                                   store_id marking_id, uint32_t label_version, const uint8_t *body,
                                   size_t body_len, const int64_t *readers, size_t nreaders,
                                   const struct store_cite *cites, size_t ncites, store_id *out);
enum store_result rg_report_get(struct store *s, store_id id,
                                int (*fn)(void *ctx, const struct store_report *r), void *ctx);
enum store_result rg_report_candidates(struct store *s, store_id reader,
                                       int (*fn)(void *ctx, const struct store_report *r),
                                       void *ctx);
enum store_result rg_report_circulate(struct store *s, store_id report, const int64_t *readers,
                                      size_t nreaders, const store_id *lists, size_t nlists);
enum store_result rg_report_cites(struct store *s, store_id report,
                                  int (*fn)(void *ctx, const struct store_cite *c), void *ctx);
enum store_result rg_report_lists(struct store *s, store_id report,
                                  int (*fn)(void *ctx, const char *name), void *ctx);

#endif
