/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_copy: a whole store copied to another backend (`cutout store
 * migrate`: SQLite to PostgreSQL), every row with its id, so that what the
 * ledger names ("source:3", "submission:7") still names the same object and
 * the ledger's rows, and so its root, are the same bytes.
 *
 * Two parts, as the domains:
 *
 *  - the backend's rows (struct store_copy_ops, s->be->copy, may be NULL):
 *    dump hands over the rows of one table, load inserts one row as given
 *    (ids included), id_high and ids_above keep ids never reused across the
 *    copy (the highest id a table ever gave, deleted rows included);
 *  - the front, store_copy(): the tables and their columns (the schema both
 *    backends share), in an order where every row comes after the rows it
 *    refers to; blobs through store_blob_read, so that a blob kept in a file
 *    by one backend is rows of chunks in the other.
 */
#ifndef CUTOUT_CORE_STORE_COPY_H
#define CUTOUT_CORE_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define STORE_COPY_COLS_MAX 24

enum store_copy_type { STORE_COPY_NULL, STORE_COPY_INT, STORE_COPY_TEXT, STORE_COPY_BYTES };

struct store_copy_value {
	enum store_copy_type type;
	int64_t i;        /* STORE_COPY_INT */
	const uint8_t *p; /* TEXT (no NUL inside) and BYTES; valid during the call */
	size_t n;
};

/* One row of a table: n values, in the order of the columns asked for. */
struct store_copy_row {
	size_t n;
	const struct store_copy_value *v;
};

typedef enum store_result (*store_copy_row_fn)(void *ctx, const struct store_copy_row *row);

struct store_copy_ops {
	/*
	 * The rows of table, the columns cols[0..ncols) of each, in the order of
	 * the first column, all in one snapshot of the table; fn's first result
	 * other than STORE_OK stops it and is returned. table and cols are the
	 * front's constants (identifiers, never values).
	 */
	enum store_result (*dump)(struct store *s, const char *table, const char *const *cols,
	                          size_t ncols, store_copy_row_fn fn, void *ctx);
	/*
	 * Inserts one row as given (its id too), inside store_write. table
	 * "blob": (id) a stored, empty blob; "blob_chunk": (blob_id, data)
	 * appended to it.
	 */
	enum store_result (*load)(struct store *s, const char *table, const char *const *cols,
	                          const struct store_copy_row *row);
	/* The highest id table ever gave (0: none), deleted rows included. */
	enum store_result (*id_high)(struct store *s, const char *table, int64_t *high);
	/* Inside store_write: the next id table gives is above high and above every row's. */
	enum store_result (*ids_above)(struct store *s, const char *table, int64_t high);
};

/* What store_copy moved, for the command to say. */
struct store_copy_report {
	uint64_t rows;  /* rows of every table but the blobs' */
	uint64_t blobs; /* blobs, and their bytes */
	uint64_t bytes;
};

/*
 * Copies every row of from into to, in one transaction of to (all or
 * nothing): to must hold no row of the tables (else STORE_EXISTS, nothing
 * copied). Pending blobs are not copied. STORE_UNSUPPORTED if either backend
 * cannot copy. from must not change meanwhile (the doors stopped).
 */
__attribute__((warn_unused_result)) enum store_result
store_copy(struct store *from, struct store *to, struct store_copy_report *rep);

#endif
