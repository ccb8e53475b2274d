/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_core: the store contract (tests/store/README.md) for sources,
 * submissions with their files, replies, listing order and paging, the
 * daily count, deletes, and ids that are never reused (core/store/store.h,
 * docs/internals/store.md "Ids: never reused").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)
/*
 * Days far after today: sources active on them are the newest of the store,
 * whatever else an external store (CUTOUT_STORE) already holds.
 */
#define DAY 1000000

/* ---- listing callbacks ---- */

struct rows {
	store_id id[64];
	int n;
	int stop_after; /* 0: never */
	struct store_submission sub[64];
	struct store_reply rep[64];
	struct store_file file[64];
	struct store_source src[64];
};

static int stop(struct rows *x)
{
	return x->stop_after > 0 && x->n >= x->stop_after;
}

static int src_row(void *ctx, const struct store_source *src)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->src[x->n] = *src;
		x->id[x->n++] = src->id;
	}
	return stop(x);
}

static int sub_row(void *ctx, const struct store_submission *sub)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->sub[x->n] = *sub;
		x->id[x->n++] = sub->id;
	}
	return stop(x);
}

static int file_row(void *ctx, const struct store_file *f)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->file[x->n] = *f;
		x->id[x->n++] = f->id;
	}
	return stop(x);
}

static int reply_row(void *ctx, const struct store_reply *r)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->rep[x->n] = *r;
		x->id[x->n++] = r->id;
	}
	return stop(x);
}

static int ids_are(const struct rows *x, int n, const store_id *want)
{
	if (x->n != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (x->id[i] != want[i])
			return 0;
	return 1;
}

static int same_sub(const struct store_submission *a, const struct store_submission *b)
{
	return a->id == b->id && a->source_id == b->source_id && a->day == b->day &&
	       a->message_blob == b->message_blob && a->nfiles == b->nfiles &&
	       !a->read == !b->read && strcmp(a->marking, b->marking) == 0 &&
	       a->seal_version == b->seal_version;
}

/* ---- sources ---- */

static void test_sources(void)
{
	struct store *s = contract_open_fresh();
	uint8_t lk[STORE_LOOKUP_LEN], lk2[STORE_LOOKUP_LEN], pk[STORE_PK_LEN];
	struct store_source src;
	struct rows x;
	store_id a = 0, b = 0, c = 0, dup = 0;
	if (s == NULL)
		return;
	contract_lookup(lk);
	contract_lookup(lk2);
	memset(pk, 0x42, sizeof pk);
	pk[0] = 1;
	T_OK(store_source_create(s, lk, pk, DAY + 1, &a) == STORE_OK && a > 0, "source_create");
	T_OK(store_source_create(s, lk, pk, DAY + 1, &dup) == STORE_EXISTS,
	     "the same lookup hash twice: STORE_EXISTS");
	T_OK(store_source_find(s, lk, &src) == STORE_OK && src.id == a &&
	             memcmp(src.pk, pk, STORE_PK_LEN) == 0 && src.created_day == DAY + 1 &&
	             src.last_day == DAY + 1 && src.nsubmissions == 0 && src.nunread == 0,
	     "source_find by lookup: id, pk, days, counts");
	T_OK(store_source_get(s, a, &src) == STORE_OK && src.id == a &&
	             memcmp(src.pk, pk, STORE_PK_LEN) == 0 && src.created_day == DAY + 1,
	     "source_get by id");
	T_OK(store_source_find(s, lk2, &src) == STORE_NOT_FOUND &&
	             store_source_get(s, FAR_ID, &src) == STORE_NOT_FOUND,
	     "an unknown source: STORE_NOT_FOUND");

	/* newest activity first */
	b = contract_source(s, DAY + 3, 2);
	c = contract_source(s, DAY + 2, 3);
	x = (struct rows){0};
	T_OK(b > 0 && c > 0 && store_source_list(s, 0, 3, src_row, &x) == STORE_OK &&
	             ids_are(&x, 3, (store_id[]){b, c, a}),
	     "source_list: newest activity first");
	x = (struct rows){0};
	T_OK(store_source_list(s, 1, 1, src_row, &x) == STORE_OK && ids_are(&x, 1, (store_id[]){c}),
	     "source_list: offset and limit");
	x = (struct rows){.stop_after = 1};
	T_OK(store_source_list(s, 0, 3, src_row, &x) == STORE_STOP && x.n == 1,
	     "source_list stops when fn returns non-zero: STORE_STOP");
	x = (struct rows){0};
	T_OK(store_source_list(s, 0, 0, src_row, &x) == STORE_OK && x.n == 0, "limit 0: no row");
	store_id sub = 0;
	T_OK(store_submission_commit(s, a, DAY + 4, "", 0, 0, NULL, 0, &sub) == STORE_OK,
	     "a submission");
	x = (struct rows){0};
	T_OK(store_source_list(s, 0, 3, src_row, &x) == STORE_OK &&
	             ids_are(&x, 3, (store_id[]){a, b, c}) && x.src[0].last_day == DAY + 4,
	     "moves its source to the top of source_list");

	/* delete, and ids never reused */
	T_OK(store_source_delete(s, c) == STORE_OK, "source_delete");
	T_OK(store_source_get(s, c, &src) == STORE_NOT_FOUND &&
	             store_source_delete(s, c) == STORE_NOT_FOUND,
	     "a deleted source is gone; deleting it again: STORE_NOT_FOUND");
	T_OK(store_source_delete(s, FAR_ID) == STORE_NOT_FOUND, "deleting an unknown source");
	T_OK(store_source_get(s, a, &src) == STORE_OK && store_source_get(s, b, &src) == STORE_OK,
	     "the others stay");
	store_id d = contract_source(s, DAY, 4);
	T_OK(d > 0 && d != a && d != b && d != c, "a source made after a delete gets a new id");
	T_OK(store_source_delete(s, d) == STORE_OK, "delete the newest source");
	store_id e = contract_source(s, DAY, 5);
	T_OK(e > 0 && e != a && e != b && e != c && e != d,
	     "the next source does not get its id (ids are never reused)");
	T_OK(store_source_delete(s, a) == STORE_OK &&
	             store_source_find(s, lk, &src) == STORE_NOT_FOUND,
	     "a deleted source cannot be found by its lookup");
	store_id again = 0;
	T_OK(store_source_create(s, lk, pk, DAY, &again) == STORE_OK && again != a && again != d &&
	             again != e,
	     "its lookup is free again, for a source with a new id");
	T_OK(contract_reopen(&s) == 0 && store_source_get(s, b, &src) == STORE_OK &&
	             store_source_get(s, a, &src) == STORE_NOT_FOUND,
	     "sources and deletes survive a reopen");
	store_id f = contract_source(s, DAY, 6);
	T_OK(f > 0 && f != a && f != b && f != c && f != d && f != e && f != again,
	     "and ids are not reused after a reopen");
	store_close(&s);
}

/* ---- submissions and files ---- */

static void test_submissions(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission sub;
	struct store_source src;
	struct rows x;
	char longm[STORE_MARKING_MAX + 1];
	store_id a, b, s1 = 0, s2 = 0, s3 = 0, s4 = 0, bad = 0;
	if (s == NULL)
		return;
	a = contract_source(s, DAY, 7);
	b = contract_source(s, DAY, 8);
	store_id msg = contract_blob(s, 41, 500);
	struct store_new_file files[2] = {
	        {contract_blob(s, 42, 60), contract_blob(s, 43, 300000)},
	        {contract_blob(s, 44, 70), contract_blob(s, 45, 800)},
	};
	T_OK(a > 0 && b > 0 && msg > 0 && files[1].data_blob > 0, "sources and pending blobs");
	T_OK(store_submission_commit(s, a, DAY + 1, "SECRET//HUMINT", UINT32_MAX, msg, files, 2,
	                             &s1) == STORE_OK &&
	             s1 > 0,
	     "submission_commit with a message and two files");
	T_OK(store_submission_get(s, s1, &sub) == STORE_OK && sub.id == s1 && sub.source_id == a &&
	             sub.day == DAY + 1 && sub.message_blob == msg && sub.nfiles == 2 &&
	             !sub.read && strcmp(sub.marking, "SECRET//HUMINT") == 0 &&
	             sub.seal_version == UINT32_MAX,
	     "submission_get: every field as committed (seal_version up to UINT32_MAX)");
	x = (struct rows){0};
	int pairs = 1;
	T_OK(store_submission_files(s, s1, file_row, &x) == STORE_OK && x.n == 2,
	     "submission_files: its two files");
	for (int i = 0; i < x.n; i++) {
		int k = x.file[i].meta_blob == files[0].meta_blob ? 0 : 1;
		pairs &= x.file[i].submission_id == s1 && x.file[i].id > 0 &&
		         x.file[i].meta_blob == files[k].meta_blob &&
		         x.file[i].data_blob == files[k].data_blob;
	}
	T_OK(pairs && x.n == 2 && x.file[0].id != x.file[1].id &&
	             x.file[0].meta_blob != x.file[1].meta_blob,
	     "each file: its own id, the submission, its meta and data blobs");
	T_OK(contract_blob_is(s, msg, 41, 500) &&
	             contract_blob_is(s, files[0].data_blob, 43, 300000),
	     "the committed blobs read back");
	x = (struct rows){.stop_after = 1};
	T_OK(store_submission_files(s, s1, file_row, &x) == STORE_STOP && x.n == 1,
	     "submission_files stops: STORE_STOP");
	x = (struct rows){0};
	T_OK(store_submission_files(s, FAR_ID, file_row, &x) == STORE_OK && x.n == 0,
	     "an unknown submission has no files");

	/* a commit that fails leaves nothing */
	store_id m2 = contract_blob(s, 46, 10);
	struct store_new_file badf = {files[0].meta_blob, contract_blob(s, 47, 10)};
	T_OK(store_submission_commit(s, a, DAY + 1, "", 0, m2, &badf, 1, &bad) == STORE_NOT_FOUND,
	     "a commit naming a claimed blob: STORE_NOT_FOUND");
	T_OK(store_submission_commit(s, FAR_ID, DAY + 1, "", 0, m2, NULL, 0, &bad) ==
	             STORE_NOT_FOUND,
	     "a commit to an unknown source: STORE_NOT_FOUND");
	memset(longm, 'A', sizeof longm);
	longm[STORE_MARKING_MAX] = '\0';
	T_OK(store_submission_commit(s, a, DAY + 1, longm, 0, m2, NULL, 0, &bad) == STORE_TOO_LARGE,
	     "a marking of STORE_MARKING_MAX bytes: STORE_TOO_LARGE");
	x = (struct rows){0};
	T_OK(store_source_get(s, a, &src) == STORE_OK && src.nsubmissions == 1 &&
	             src.nunread == 1 &&
	             store_submission_list(s, a, 0, 10, sub_row, &x) == STORE_OK && x.n == 1,
	     "failed commits leave no submission and no count");
	T_OK(store_submission_commit(
	             s, a, DAY + 2, "OFFICIAL", 0, m2,
	             &(struct store_new_file){badf.data_blob, contract_blob(s, 48, 5)}, 1,
	             &s2) == STORE_OK,
	     "their pending blobs can still be committed");
	longm[STORE_MARKING_MAX - 1] = '\0';
	T_OK(store_submission_commit(s, a, DAY + 2, longm, 0, 0, NULL, 0, &s3) == STORE_OK &&
	             store_submission_get(s, s3, &sub) == STORE_OK &&
	             strcmp(sub.marking, longm) == 0 && sub.message_blob == 0 && sub.nfiles == 0,
	     "a marking of STORE_MARKING_MAX - 1 bytes, no message, no file");
	T_OK(store_submission_commit(s, a, DAY + 2, "", 0, 0, NULL, 0, &s4) == STORE_OK &&
	             s1 != s2 && s2 != s3 && s3 != s4 && s1 != s3 && s1 != s4 && s2 != s4,
	     "every submission gets its own id");
	T_OK(store_source_get(s, a, &src) == STORE_OK && src.nsubmissions == 4 &&
	             src.nunread == 4 && src.last_day == DAY + 2 && src.created_day == DAY,
	     "the source counts its submissions, unread ones, and its last day");

	/* listing: oldest first, paged */
	x = (struct rows){0};
	T_OK(store_submission_list(s, a, 0, 100, sub_row, &x) == STORE_OK &&
	             ids_are(&x, 4, (store_id[]){s1, s2, s3, s4}),
	     "submission_list: oldest first");
	T_OK(x.n == 4 && store_submission_get(s, s1, &sub) == STORE_OK && same_sub(&x.sub[0], &sub),
	     "listed rows carry every field");
	x = (struct rows){0};
	T_OK(store_submission_list(s, a, 1, 2, sub_row, &x) == STORE_OK &&
	             ids_are(&x, 2, (store_id[]){s2, s3}),
	     "submission_list: offset and limit");
	x = (struct rows){0};
	T_OK(store_submission_list(s, a, 4, 10, sub_row, &x) == STORE_OK && x.n == 0,
	     "an offset past the end: no row");
	x = (struct rows){.stop_after = 2};
	T_OK(store_submission_list(s, a, 0, 10, sub_row, &x) == STORE_STOP && x.n == 2,
	     "submission_list stops: STORE_STOP");
	x = (struct rows){0};
	T_OK(store_submission_list(s, b, 0, 10, sub_row, &x) == STORE_OK && x.n == 0,
	     "another source's list is its own");

	/* read marks */
	T_OK(store_submission_mark_read(s, s2) == STORE_OK &&
	             store_submission_get(s, s2, &sub) == STORE_OK && sub.read,
	     "submission_mark_read");
	T_OK(store_submission_mark_read(s, s2) == STORE_OK &&
	             store_source_get(s, a, &src) == STORE_OK && src.nunread == 3 &&
	             src.nsubmissions == 4,
	     "marking it read twice counts once");
	T_OK(store_submission_mark_read(s, FAR_ID) == STORE_NOT_FOUND,
	     "mark_read of an unknown submission: STORE_NOT_FOUND");

	/* the daily count: the latest day of activity only */
	int64_t n = -1;
	T_OK(store_submission_count_day(s, a, DAY + 2, &n) == STORE_OK && n == 3,
	     "submission_count_day counts the latest day");
	T_OK(store_submission_count_day(s, a, DAY + 1, &n) == STORE_OK && n == 0,
	     "an earlier day counts 0");
	T_OK(store_submission_count_day(s, b, DAY + 2, &n) == STORE_OK && n == 0,
	     "a source without submissions counts 0");
	store_id s5 = 0, s6 = 0;
	T_OK(store_submission_commit(s, a, DAY + 1, "", 0, 0, NULL, 0, &s5) == STORE_OK &&
	             store_submission_count_day(s, a, DAY + 2, &n) == STORE_OK && n == 3 &&
	             store_source_get(s, a, &src) == STORE_OK && src.last_day == DAY + 2,
	     "a submission dated before the latest day neither counts nor moves it back");
	T_OK(store_submission_commit(s, a, DAY + 3, "", 0, 0, NULL, 0, &s6) == STORE_OK &&
	             store_submission_count_day(s, a, DAY + 3, &n) == STORE_OK && n == 1 &&
	             store_submission_count_day(s, a, DAY + 2, &n) == STORE_OK && n == 0,
	     "a new day starts the count again");
	T_OK(contract_reopen(&s) == 0 && store_submission_get(s, s1, &sub) == STORE_OK &&
	             sub.seal_version == UINT32_MAX && store_source_get(s, a, &src) == STORE_OK &&
	             src.nsubmissions == 6 && src.nunread == 5,
	     "submissions and counts survive a reopen");
	store_close(&s);
}

/* ---- replies ---- */

static void test_replies(void)
{
	struct store *s = contract_open_fresh();
	struct rows x;
	store_id a, b, r1 = 0, r2 = 0, r3 = 0, r4 = 0, bad = 0;
	if (s == NULL)
		return;
	a = contract_source(s, DAY, 9);
	b = contract_source(s, DAY, 10);
	store_id b1 = contract_blob(s, 51, 100), b2 = contract_blob(s, 52, 300001),
	         b3 = contract_blob(s, 53, 10);
	T_OK(store_reply_add(s, a, DAY + 1, b1, &r1) == STORE_OK && r1 > 0, "reply_add");
	T_OK(store_reply_add(s, a, DAY + 1, b1, &bad) == STORE_NOT_FOUND,
	     "its blob is claimed: a second reply_add of it gives STORE_NOT_FOUND");
	T_OK(store_reply_add(s, FAR_ID, DAY + 1, b2, &bad) == STORE_NOT_FOUND,
	     "a reply to an unknown source: STORE_NOT_FOUND");
	T_OK(store_reply_add(s, a, DAY + 2, b2, &r2) == STORE_OK && r2 != r1,
	     "which left its blob pending");
	T_OK(store_reply_add(s, b, DAY + 2, b3, &r3) == STORE_OK, "a reply to another source");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK &&
	             ids_are(&x, 2, (store_id[]){r1, r2}),
	     "reply_list: the source's replies, oldest first");
	T_OK(x.n == 2 && x.rep[0].source_id == a && x.rep[0].day == DAY + 1 &&
	             x.rep[0].blob == b1 && x.rep[1].blob == b2 && x.rep[1].day == DAY + 2,
	     "with source, day and blob");
	T_OK(contract_blob_is(s, b2, 52, 300001), "a reply's blob reads back");
	x = (struct rows){.stop_after = 1};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_STOP && x.n == 1,
	     "reply_list stops: STORE_STOP");
	T_OK(store_reply_delete(s, a, r3) == STORE_NOT_FOUND,
	     "reply_delete of another source's reply: STORE_NOT_FOUND");
	x = (struct rows){0};
	T_OK(store_reply_list(s, b, reply_row, &x) == STORE_OK &&
	             ids_are(&x, 1, (store_id[]){r3}) && contract_blob_is(s, b3, 53, 10),
	     "and it stays, with its blob");
	T_OK(store_reply_delete(s, a, r2) == STORE_OK, "reply_delete");
	T_OK(store_blob_size(s, b2, &(uint64_t){0}) == STORE_NOT_FOUND, "deletes the reply's blob");
	T_OK(store_reply_delete(s, a, r2) == STORE_NOT_FOUND, "deleting it again: STORE_NOT_FOUND");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && ids_are(&x, 1, (store_id[]){r1}),
	     "the other reply stays");
	T_OK(store_reply_add(s, a, DAY + 3, contract_blob(s, 54, 9), &r4) == STORE_OK && r4 != r1 &&
	             r4 != r2 && r4 != r3,
	     "a reply after deleting the newest gets a new id");
	store_close(&s);
}

/* ---- a reply's author, desk copy, read and deleted days ---- */

static void test_reply_states(void)
{
	struct store *s = contract_open_fresh();
	struct rows x;
	store_id a, b, r1 = 0, r2 = 0, r3 = 0;
	if (s == NULL)
		return;
	a = contract_source(s, DAY, 31);
	b = contract_source(s, DAY, 32);
	store_id b1 = contract_blob(s, 81, 40), b2 = contract_blob(s, 82, 40),
	         b3 = contract_blob(s, 83, 40), d1 = contract_blob(s, 84, 60),
	         d2 = contract_blob(s, 85, 300001), d3 = contract_blob(s, 86, 60);
	T_OK(store_reply_add(s, a, DAY + 1, b1, &r1) == STORE_OK &&
	             store_reply_add(s, a, DAY + 2, b2, &r2) == STORE_OK &&
	             store_reply_add(s, b, DAY + 2, b3, &r3) == STORE_OK,
	     "reply states: three replies");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && x.n == 2 &&
	             x.rep[0].author == 0 && x.rep[0].read_day == 0 && x.rep[0].deleted_day == 0 &&
	             x.rep[0].desk_blob == 0 && x.rep[0].submission == 0 &&
	             x.rep[0].seal_version == 0 && x.rep[0].marking[0] == '\0',
	     "a new reply: no author, not read, not deleted, no desk copy");
	struct store_reply_seal rs = {.author = 7,
	                              .submission = 99,
	                              .marking = "SECRET//X",
	                              .seal_version = 3,
	                              .desk_blob = d1};
	T_OK(store_reply_seal(s, b, r1, &rs) == STORE_NOT_FOUND &&
	             store_blob_size(s, d1, &(uint64_t){0}) == STORE_OK,
	     "reply_seal of another source's reply: STORE_NOT_FOUND, the blob left pending");
	T_OK(store_reply_seal(s, a, FAR_ID, &rs) == STORE_NOT_FOUND,
	     "reply_seal of an unknown reply: STORE_NOT_FOUND");
	T_OK(store_reply_seal(s, a, r1, &(struct store_reply_seal){.marking = "M"}) ==
	             STORE_NOT_FOUND,
	     "reply_seal without a desk blob: STORE_NOT_FOUND");
	T_OK(store_reply_seal(s, a, r1, &rs) == STORE_OK, "reply_seal");
	T_OK(store_reply_seal(s, a, r2, &rs) == STORE_NOT_FOUND,
	     "its blob is claimed: a second reply_seal of it gives STORE_NOT_FOUND");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && x.n == 2 &&
	             x.rep[0].author == 7 && x.rep[0].desk_blob == d1 &&
	             x.rep[0].submission == 99 && x.rep[0].seal_version == 3 &&
	             strcmp(x.rep[0].marking, "SECRET//X") == 0 && x.rep[0].blob == b1 &&
	             x.rep[1].desk_blob == 0,
	     "reply_list gives the author and the desk copy with what it is sealed to");
	rs = (struct store_reply_seal){
	        .submission = 99, .marking = "TOP SECRET", .seal_version = 1, .desk_blob = d2};
	T_OK(store_reply_seal(s, a, r1, &rs) == STORE_OK &&
	             store_blob_size(s, d1, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             contract_blob_is(s, d2, 85, 300001),
	     "sealed anew: the old desk copy is deleted, the new one stored");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && x.rep[0].author == 7 &&
	             strcmp(x.rep[0].marking, "TOP SECRET") == 0 && x.rep[0].seal_version == 1,
	     "an author of 0 leaves the author");
	T_OK(store_reply_read(s, FAR_ID, DAY + 5) == STORE_NOT_FOUND,
	     "reply_read of an unknown source: STORE_NOT_FOUND");
	T_OK(store_reply_tombstone(s, a, r2, DAY + 4) == STORE_OK &&
	             store_blob_size(s, b2, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "reply_tombstone: the reply's blob goes");
	T_OK(store_reply_tombstone(s, a, r2, DAY + 4) == STORE_NOT_FOUND &&
	             store_reply_tombstone(s, a, r3, DAY + 4) == STORE_NOT_FOUND,
	     "again, or another source's: STORE_NOT_FOUND");
	T_OK(store_reply_read(s, a, DAY + 5) == STORE_OK &&
	             store_reply_read(s, a, DAY + 6) == STORE_OK,
	     "reply_read twice");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && x.n == 2 &&
	             x.rep[0].read_day == DAY + 5 && x.rep[0].deleted_day == 0 &&
	             x.rep[1].id == r2 && x.rep[1].deleted_day == DAY + 4 &&
	             x.rep[1].read_day == 0 && x.rep[1].blob == 0 && x.rep[1].desk_blob == 0,
	     "the first day read is kept; a deleted reply stays listed, without blobs, unread");
	x = (struct rows){0};
	T_OK(store_reply_list(s, b, reply_row, &x) == STORE_OK && x.n == 1 &&
	             x.rep[0].read_day == 0,
	     "another source's reply is not read");
	T_OK(store_reply_seal(s, a, r2,
	                      &(struct store_reply_seal){.marking = "M", .desk_blob = d3}) ==
	             STORE_NOT_FOUND,
	     "a deleted reply is not sealed anew");
	T_OK(store_reply_tombstone(s, a, r1, DAY + 6) == STORE_OK &&
	             store_blob_size(s, b1, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, d2, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "a deleted reply's desk copy goes too");
	store_id d4 = contract_blob(s, 87, 60);
	T_OK(store_reply_seal(s, b, r3,
	                      &(struct store_reply_seal){.marking = "M", .desk_blob = d4}) ==
	                     STORE_OK &&
	             store_reply_delete(s, b, r3) == STORE_OK &&
	             store_blob_size(s, d4, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, b3, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "reply_delete deletes the desk copy too");
	store_close(&s);
}

/* ---- deleting a source removes everything of it, and nothing else ---- */

static void test_source_delete(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission sub;
	struct rows x;
	store_id a, b, sa = 0, sb = 0, ra = 0, rb = 0;
	if (s == NULL)
		return;
	a = contract_source(s, DAY, 11);
	b = contract_source(s, DAY, 12);
	store_id m = contract_blob(s, 61, 1000), fm = contract_blob(s, 62, 100),
	         fd = contract_blob(s, 63, 600000), rbl = contract_blob(s, 64, 400000);
	store_id bm = contract_blob(s, 65, 700000), brl = contract_blob(s, 66, 50);
	struct store_new_file f = {fm, fd};
	T_OK(store_submission_commit(s, a, DAY, "", 0, m, &f, 1, &sa) == STORE_OK &&
	             store_reply_add(s, a, DAY, rbl, &ra) == STORE_OK &&
	             store_submission_commit(s, b, DAY, "", 0, bm, NULL, 0, &sb) == STORE_OK &&
	             store_reply_add(s, b, DAY, brl, &rb) == STORE_OK,
	     "two sources, each with a submission and a reply");
	T_OK(store_source_delete(s, a) == STORE_OK, "source_delete");
	T_OK(store_submission_get(s, sa, &sub) == STORE_NOT_FOUND, "its submissions are gone");
	x = (struct rows){0};
	T_OK(store_submission_files(s, sa, file_row, &x) == STORE_OK && x.n == 0,
	     "its files are gone");
	x = (struct rows){0};
	T_OK(store_reply_list(s, a, reply_row, &x) == STORE_OK && x.n == 0 &&
	             store_reply_delete(s, a, ra) == STORE_NOT_FOUND,
	     "its replies are gone");
	int gone = 1;
	store_id blobs[] = {m, fm, fd, rbl};
	for (size_t i = 0; i < sizeof blobs / sizeof blobs[0]; i++)
		gone &= store_blob_size(s, blobs[i], &(uint64_t){0}) == STORE_NOT_FOUND;
	T_OK(gone, "every blob of it is gone (message, file meta and data, reply)");
	x = (struct rows){0};
	T_OK(store_submission_get(s, sb, &sub) == STORE_OK && contract_blob_is(s, bm, 65, 700000) &&
	             contract_blob_is(s, brl, 66, 50) &&
	             store_reply_list(s, b, reply_row, &x) == STORE_OK && x.n == 1,
	     "the other source keeps everything");
	/* the newest submission was the deleted source's? make it so, then check */
	store_id sc = 0, sd = 0;
	store_id c = contract_source(s, DAY, 13);
	T_OK(c > 0 && store_submission_commit(s, c, DAY, "", 0, 0, NULL, 0, &sc) == STORE_OK &&
	             store_source_delete(s, c) == STORE_OK &&
	             store_submission_commit(s, b, DAY, "", 0, 0, NULL, 0, &sd) == STORE_OK &&
	             sd != sc && sd != sa && sd != sb,
	     "after deleting the newest submission (with its source), the next gets a new id");
	T_OK(contract_reopen(&s) == 0 &&
	             store_source_get(s, a, &(struct store_source){0}) == STORE_NOT_FOUND &&
	             contract_blob_is(s, bm, 65, 700000),
	     "after a reopen: the delete holds, the rest reads back");
	store_close(&s);
}

/*
 * expire (retention), inside store_write only: the submissions (with their
 * files and blobs) or replies made before a day go, lowest id first, at most
 * max a call, each named in out; younger ones stay; the source's counts
 * follow; outside a transaction it refuses.
 */
struct expire_tx {
	enum store_expire kind;
	int32_t before;
	struct store_expired out[4];
	size_t max, n;
};

static enum store_result expire_fn(struct store *s, void *arg)
{
	struct expire_tx *a = arg;
	return store_expire(s, a->kind, a->before, a->out, a->max, &a->n);
}

static void test_expire(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission sub;
	struct store_source src;
	store_id a, s1 = 0, s2 = 0, s3 = 0, r1 = 0, r2 = 0;
	size_t n = 9;
	if (s == NULL)
		return;
	a = contract_source(s, 10, 21);
	store_id m1 = contract_blob(s, 71, 100), fm = contract_blob(s, 72, 50),
	         fd = contract_blob(s, 73, 500000), m2 = contract_blob(s, 74, 10),
	         m3 = contract_blob(s, 75, 10), rb1 = contract_blob(s, 76, 20),
	         rb2 = contract_blob(s, 77, 20);
	struct store_new_file f = {fm, fd};
	T_OK(store_submission_commit(s, a, 10, "OLD", 0, m1, &f, 1, &s1) == STORE_OK &&
	             store_submission_commit(s, a, 11, "OLD", 0, m2, NULL, 0, &s2) == STORE_OK &&
	             store_submission_commit(s, a, 30, "NEW", 0, m3, NULL, 0, &s3) == STORE_OK &&
	             store_reply_add(s, a, 10, rb1, &r1) == STORE_OK &&
	             store_reply_add(s, a, 30, rb2, &r2) == STORE_OK,
	     "expire: submissions of days 10, 11 and 30, replies of days 10 and 30");
	T_OK(store_expire(s, STORE_EXPIRE_SUBMISSIONS, 20, (struct store_expired[1]){0}, 1, &n) ==
	                     STORE_CORRUPT &&
	             n == 0,
	     "expire: outside a transaction, refused");
	struct expire_tx t = {.kind = STORE_EXPIRE_SUBMISSIONS, .before = 20, .max = 1};
	T_OK(store_write(s, NULL, 0, expire_fn, &t) == STORE_OK && t.n == 1 && t.out[0].id == s1 &&
	             t.out[0].source == a && strcmp(t.out[0].marking, "OLD") == 0,
	     "expire: at most max, the lowest id first, with its source and marking");
	int gone = store_submission_get(s, s1, &sub) == STORE_NOT_FOUND;
	store_id blobs[] = {m1, fm, fd};
	for (size_t i = 0; i < sizeof blobs / sizeof blobs[0]; i++)
		gone &= store_blob_size(s, blobs[i], &(uint64_t){0}) == STORE_NOT_FOUND;
	T_OK(gone, "expire: the submission, its file and every blob of them are gone");
	t.max = 4;
	T_OK(store_write(s, NULL, 0, expire_fn, &t) == STORE_OK && t.n == 1 && t.out[0].id == s2 &&
	             store_write(s, NULL, 0, expire_fn, &t) == STORE_OK && t.n == 0,
	     "expire: the next call takes the rest, then nothing");
	T_OK(store_submission_get(s, s3, &sub) == STORE_OK && contract_blob_is(s, m3, 75, 10),
	     "expire: a younger submission stays");
	T_OK(store_source_get(s, a, &src) == STORE_OK && src.nsubmissions == 1 && src.nunread == 1,
	     "expire: the source stays, its counts follow");
	struct expire_tx tr = {.kind = STORE_EXPIRE_REPLIES, .before = 20, .max = 4};
	store_id rd1 = contract_blob(s, 78, 20);
	T_OK(store_reply_seal(s, a, r1,
	                      &(struct store_reply_seal){.marking = "OLD", .desk_blob = rd1}) ==
	             STORE_OK,
	     "expire: the old reply has a desk copy");
	T_OK(store_write(s, NULL, 0, expire_fn, &tr) == STORE_OK && tr.n == 1 &&
	             tr.out[0].id == r1 && tr.out[0].marking[0] == '\0' &&
	             store_blob_size(s, rb1, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, rd1, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             contract_blob_is(s, rb2, 77, 20),
	     "expire: replies likewise, with their blob and desk copy; a younger one stays");
	T_OK(store_write(s, NULL, 0, expire_fn,
	                 &(struct expire_tx){.kind = STORE_EXPIRE_REPLIES,
	                                     .before = 20,
	                                     .max = STORE_EXPIRE_MAX + 1}) == STORE_TOO_LARGE,
	     "expire: max over STORE_EXPIRE_MAX refused");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_core");
	test_sources();
	test_submissions();
	test_replies();
	test_reply_states();
	test_source_delete();
	test_expire();
	return contract_done();
}
