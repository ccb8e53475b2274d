/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_copy: a whole store copied to another backend (store_copy.h): the
 * tables both backends share with their columns, in an order where every row
 * comes after the rows it names; the blobs through store_blob_read.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_copy.h"

#include "lib/banned.h"

#define COLS(...) ((const char *const[]){__VA_ARGS__})
#define NCOLS(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define TABLE(name, ids, ...)                                    \
	{                                                        \
		name, ids, COLS(__VA_ARGS__), NCOLS(__VA_ARGS__) \
	}

struct table {
	const char *name;
	bool ids; /* keyed by an id of its own, never reused */
	const char *const *cols;
	size_t ncols;
};

/* After "blob" (copied first, by store_copy itself): every table, parents first. */
static const struct table tables[] = {
        TABLE("meta", false, "key", "val"),
        TABLE("source", true, "id", "lookup", "pk", "created_day", "last_day", "nsubmissions",
              "nunread", "day_count"),
        TABLE("desk_source", false, "source_id", "newest", "starred", "label", "label_index"),
        TABLE("submission", true, "id", "source_id", "day", "marking", "message_blob", "nfiles",
              "read", "seal_version"),
        TABLE("file", true, "id", "submission_id", "meta_blob", "data_blob"),
        TABLE("reply", true, "id", "source_id", "day", "blob", "author", "read_day", "deleted_day",
              "desk_blob", "submission_id", "seal_version", "marking"),
        TABLE("ledger_entry", false, "idx", "entry", "hashes"),
        TABLE("ledger_head", false, "id", "size", "frontier"),
        TABLE("ledger_checkpoint", false, "size", "root", "note"),
        TABLE("officer", true, "id", "name", "roles", "clearance", "nationality", "disabled",
              "created_day", "last_login_day", "failures", "last_failure", "totp_last_step",
              "version", "salt", "opslimit", "memlimit", "verifier", "pk", "wrapped_sk",
              "wrapped_totp"),
        TABLE("label", false, "name", "version", "pk"),
        TABLE("label_wrap", false, "name", "version", "officer_id", "wrap"),
        TABLE("label_recovery", false, "name", "version", "wrap"),
        TABLE("reg_marking", true, "id", "text"),
        TABLE("report", true, "id", "author", "day", "marking_id", "label_version", "body"),
        TABLE("report_reader", false, "officer", "report"),
        TABLE("report_cite", false, "report", "kind", "object"),
        TABLE("dist_list", true, "id", "name", "owner", "day"),
        TABLE("dist_member", false, "list", "officer"),
        TABLE("report_circ", false, "report", "list"),
        TABLE("marking_change", true, "id", "kind", "object", "actor", "day", "old", "new",
              "reason"),
        TABLE("rel_recipient", true, "id", "name", "org", "nationality", "marking", "age",
              "disabled", "day"),
        TABLE("rel_release", true, "id", "report", "marking", "purpose", "reason", "day",
              "expiry_day", "decided_day", "proposer", "decider", "state", "nslots",
              "label_version", "sealed"),
        TABLE("rel_release_to", false, "release", "recipient"),
        TABLE("rel_copy", true, "id", "release", "recipient", "number", "choices"),
        TABLE("file_safe", false, "file_id", "blob", "pages", "day", "marking", "seal_version"),
        TABLE("liai_partner", true, "id", "name", "country", "vkey", "age", "url", "topics",
              "marking", "rerelease", "disabled", "day", "sent_seq", "sent_hash", "received_seq",
              "received_hash", "sent_through"),
        TABLE("liai_topic", false, "report", "topics"),
        TABLE("liai_received", true, "id", "partner", "seq", "remote", "report", "marking", "day"),
        TABLE("liai_sent", false, "partner", "seq", "hash", "items", "withheld", "day", "receipted",
              "accepted", "refused"),
        TABLE("wit_log", true, "id", "origin", "vkey", "size", "root", "day", "note"),
        TABLE("wit_conflict", true, "id", "log", "size", "day", "held", "offered"),
        TABLE("wit_cosig", false, "size", "witness", "line"),
};
#define NTABLES (sizeof tables / sizeof tables[0])

struct job {
	struct store *from, *to;
	const struct table *t;
	struct store_copy_report *rep;
	int64_t *blobs; /* the stored blobs' ids */
	size_t nblobs, cap;
	store_id blob; /* being copied */
	enum store_result err;
};

static enum store_result load_row(void *ctx, const struct store_copy_row *row)
{
	struct job *j = ctx;
	enum store_result r = j->to->be->copy->load(j->to, j->t->name, j->t->cols, row);
	if (r == STORE_OK)
		j->rep->rows++;
	return r;
}

/* A row of "blob" (id, pending): the stored ones are listed. */
static enum store_result list_blob(void *ctx, const struct store_copy_row *row)
{
	struct job *j = ctx;
	if (row->n != 2 || row->v[0].type != STORE_COPY_INT || row->v[0].i <= 0)
		return STORE_CORRUPT;
	if (row->v[1].type == STORE_COPY_INT && row->v[1].i != 0)
		return STORE_OK; /* pending: not copied (gone at the next open anyway) */
	if (j->nblobs == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 1024;
		if (cap > SIZE_MAX / sizeof *j->blobs)
			return STORE_NOMEM;
		int64_t *v = realloc(j->blobs, cap * sizeof *v);
		if (v == NULL)
			return STORE_NOMEM;
		j->blobs = v;
		j->cap = cap;
	}
	j->blobs[j->nblobs++] = row->v[0].i;
	return STORE_OK;
}

/* A piece of a blob's bytes: loaded as chunks of at most STORE_CHUNK_MAX. */
static int copy_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct job *j = ctx;
	static const char *const cols[] = {"blob_id", "data"};
	while (n > 0) {
		size_t k = n < STORE_CHUNK_MAX ? n : STORE_CHUNK_MAX;
		struct store_copy_value v[2] = {{.type = STORE_COPY_INT, .i = j->blob},
		                                {.type = STORE_COPY_BYTES, .p = p, .n = k}};
		struct store_copy_row row = {.n = 2, .v = v};
		if ((j->err = j->to->be->copy->load(j->to, "blob_chunk", cols, &row)) != STORE_OK)
			return 1;
		j->rep->bytes += k;
		p += k;
		n -= k;
	}
	return 0;
}

static enum store_result copy_blobs(struct job *j)
{
	static const char *const cols[] = {"id", "pending"};
	static const char *const id[] = {"id"};
	enum store_result r = j->from->be->copy->dump(j->from, "blob", cols, 2, list_blob, j);
	for (size_t i = 0; i < j->nblobs && r == STORE_OK; i++) {
		struct store_copy_value v = {.type = STORE_COPY_INT, .i = j->blobs[i]};
		struct store_copy_row row = {.n = 1, .v = &v};
		j->blob = j->blobs[i];
		j->err = STORE_OK;
		if ((r = j->to->be->copy->load(j->to, "blob", id, &row)) != STORE_OK)
			break;
		r = store_blob_read(j->from, j->blob, copy_chunk, j);
		if (r == STORE_STOP || j->err != STORE_OK)
			r = j->err != STORE_OK ? j->err : STORE_CORRUPT;
		j->rep->blobs++;
	}
	return r;
}

/* Any row at all: the target must hold none. */
static enum store_result any_row(void *ctx, const struct store_copy_row *row)
{
	(void)ctx;
	(void)row;
	return STORE_EXISTS;
}

static enum store_result copy_tx(struct store *to, void *arg)
{
	struct job *j = arg;
	enum store_result r;
	static const char *const key[] = {"key"};
	if ((r = to->be->copy->dump(to, "meta", key, 1, any_row, NULL)) != STORE_OK)
		return r;
	for (size_t i = 0; i < NTABLES; i++)
		if (tables[i].ids && (r = to->be->copy->dump(to, tables[i].name, tables[i].cols, 1,
		                                             any_row, NULL)) != STORE_OK)
			return r;
	if ((r = copy_blobs(j)) != STORE_OK)
		return r;
	for (size_t i = 0; i < NTABLES; i++) {
		j->t = &tables[i];
		if ((r = j->from->be->copy->dump(j->from, tables[i].name, tables[i].cols,
		                                 tables[i].ncols, load_row, j)) != STORE_OK)
			return r;
	}
	/* ids never reused: past the highest either store ever gave, deleted rows included */
	int64_t high;
	for (size_t i = 0; i < NTABLES; i++)
		if (tables[i].ids &&
		    ((r = j->from->be->copy->id_high(j->from, tables[i].name, &high)) != STORE_OK ||
		     (r = to->be->copy->ids_above(to, tables[i].name, high)) != STORE_OK))
			return r;
	if ((r = j->from->be->copy->id_high(j->from, "blob", &high)) != STORE_OK)
		return r;
	return to->be->copy->ids_above(to, "blob", high);
}

enum store_result store_copy(struct store *from, struct store *to, struct store_copy_report *rep)
{
	struct store_copy_report none;
	if (rep == NULL)
		rep = &none;
	memset(rep, 0, sizeof *rep);
	if (from == NULL || to == NULL || from == to)
		return STORE_NOT_FOUND;
	if (from->be->copy == NULL || to->be->copy == NULL)
		return STORE_UNSUPPORTED;
	struct job j = {.from = from, .to = to, .rep = rep};
	enum store_result r = store_write(to, NULL, 0, copy_tx, &j);
	free(j.blobs);
	if (r != STORE_OK)
		memset(rep, 0, sizeof *rep);
	return r;
}
