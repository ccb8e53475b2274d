/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_desk: the store contract (tests/store/README.md) for the desk's
 * operations (core/store/store_desk.h, the front, store_desk_*): the inbox in
 * newest-submission order with keyset pagination, starred sources, one
 * source's desk row, a source's submissions newest first, stars and labels,
 * the unread submissions newest first.
 *
 * The inbox is global: in a store shared with other tests (CUTOUT_STORE),
 * the rows checked are the ones at its top, which the submissions made just
 * before put there.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_desk.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

struct rows {
	struct store_desk_source src[64];
	struct store_submission sub[64];
	store_id id[64];
	int n, stop_after;
};

static int src_row(void *ctx, const struct store_desk_source *d)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->src[x->n] = *d;
		x->id[x->n] = d->src.id;
	}
	x->n++;
	return x->stop_after > 0 && x->n >= x->stop_after;
}

static int sub_row(void *ctx, const struct store_submission *sub)
{
	struct rows *x = ctx;
	if (x->n < 64) {
		x->sub[x->n] = *sub;
		x->id[x->n] = sub->id;
	}
	x->n++;
	return x->stop_after > 0 && x->n >= x->stop_after;
}

static int starts_with(const struct rows *x, int n, const store_id *want)
{
	if (x->n < n)
		return 0;
	for (int i = 0; i < n; i++)
		if (x->id[i] != want[i])
			return 0;
	return 1;
}

static store_id commit(struct store *s, store_id src, const char *marking, uint32_t version)
{
	store_id id = 0, m = contract_blob(s, (uint64_t)src, 40);
	return store_submission_commit(s, src, store_today(), marking, version, m, NULL, 0, &id) ==
	                       STORE_OK
	               ? id
	               : 0;
}

static void test_inbox(void)
{
	struct store *s = contract_open_fresh();
	struct store_desk_source d;
	struct rows x;
	if (s == NULL)
		return;
	store_id a = contract_source(s, store_today(), 1), b = contract_source(s, store_today(), 2);
	store_id c = contract_source(s, store_today(), 3), e = contract_source(s, store_today(), 4);
	store_id a1 = commit(s, a, "", 0), b1 = commit(s, b, "", 0), c1 = commit(s, c, "", 0);
	store_id a2 = commit(s, a, "", 0);
	T_OK(a1 && b1 && c1 && a2, "four sources, three with submissions");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 3, false, src_row, &x) == STORE_OK &&
	             starts_with(&x, 3, (store_id[]){a, c, b}) && x.n == 3,
	     "inbox: sources by newest submission, newest first, limit rows");
	T_OK(x.n == 3 && x.src[0].newest == a2 && x.src[1].newest == c1 && x.src[2].newest == b1,
	     "each row's cursor is the id of its newest submission");
	T_OK(x.n == 3 && x.src[0].src.nsubmissions == 2 && x.src[0].src.nunread == 2 &&
	             memcmp(x.src[0].src.pk, (uint8_t[STORE_PK_LEN]){1, 1, 1, 1}, 4) == 0 &&
	             !x.src[0].starred && x.src[0].label[0] == '\0',
	     "with the source's fields, no star, no label");
	int has_e = 0;
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 64, false, src_row, &x) == STORE_OK, "a longer page");
	for (int i = 0; i < x.n && i < 64; i++)
		has_e |= x.id[i] == e;
	T_OK(!has_e, "a source without submissions is not in the inbox");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, a2, 1, false, src_row, &x) == STORE_OK &&
	             starts_with(&x, 1, (store_id[]){c}) && x.n == 1,
	     "the next page starts after the cursor");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, c1, 1, false, src_row, &x) == STORE_OK &&
	             starts_with(&x, 1, (store_id[]){b}),
	     "and so on, without gap or repeat");
	x = (struct rows){.stop_after = 1};
	T_OK(store_desk_inbox(s, 0, 3, false, src_row, &x) == STORE_STOP && x.n == 1,
	     "inbox stops when fn returns non-zero: STORE_STOP");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 0, false, src_row, &x) == STORE_OK && x.n == 0, "limit 0");

	store_id b2 = commit(s, b, "", 0);
	x = (struct rows){0};
	T_OK(b2 && store_desk_inbox(s, 0, 3, false, src_row, &x) == STORE_OK &&
	             starts_with(&x, 3, (store_id[]){b, a, c}) && x.src[0].newest == b2,
	     "a new submission moves its source to the top");

	/* stars: the inbox is now b (b2), a (a2), c (c1) */
	T_OK(store_desk_set_star(s, c, true) == STORE_OK &&
	             store_desk_set_star(s, a, true) == STORE_OK,
	     "set_star on two sources");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 1, true, src_row, &x) == STORE_OK &&
	             starts_with(&x, 1, (store_id[]){a}) && x.n == 1 && x.src[0].starred,
	     "starred_only lists the starred sources only, newest first");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, a2, 1, true, src_row, &x) == STORE_OK &&
	             starts_with(&x, 1, (store_id[]){c}) && x.n == 1,
	     "and pages by the same cursor");
	T_OK(store_desk_set_star(s, a, false) == STORE_OK, "unstar one");
	T_OK(store_desk_source(s, c, &d) == STORE_OK && d.starred && d.newest == c1 &&
	             d.src.id == c,
	     "source: the desk row of one source");
	store_id c2 = commit(s, c, "", 0);
	T_OK(c2 && store_desk_source(s, c, &d) == STORE_OK && d.starred && d.newest == c2,
	     "a star stays when the source moves up");
	T_OK(store_desk_set_star(s, c, false) == STORE_OK &&
	             store_desk_source(s, c, &d) == STORE_OK && !d.starred,
	     "set_star false clears it");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 64, true, src_row, &x) == STORE_OK, "the starred list");
	int has_c = 0;
	for (int i = 0; i < x.n && i < 64; i++)
		has_c |= x.id[i] == c;
	T_OK(!has_c, "no longer has it");
	T_OK(store_desk_source(s, e, &d) == STORE_NOT_FOUND &&
	             store_desk_source(s, FAR_ID, &d) == STORE_NOT_FOUND,
	     "source: STORE_NOT_FOUND for a source without submissions, or none");
	T_OK(store_desk_set_star(s, FAR_ID, true) != STORE_OK, "a star on an unknown source");

	/* read marks and deletes show */
	T_OK(store_submission_mark_read(s, a1) == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK && d.src.nunread == 1 &&
	             d.src.nsubmissions == 2,
	     "the desk row counts unread submissions");
	T_OK(store_source_delete(s, b) == STORE_OK &&
	             store_desk_source(s, b, &d) == STORE_NOT_FOUND,
	     "a deleted source leaves the desk");
	x = (struct rows){0};
	T_OK(store_desk_inbox(s, 0, 2, false, src_row, &x) == STORE_OK &&
	             starts_with(&x, 2, (store_id[]){c, a}),
	     "and the inbox");
	store_close(&s);
}

static void test_submissions(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission got;
	struct rows x;
	store_id sub[5];
	if (s == NULL)
		return;
	store_id a = contract_source(s, store_today(), 5), b = contract_source(s, store_today(), 6);
	int ok = a && b;
	for (int i = 0; i < 5; i++)
		ok &= (sub[i] = commit(s, a, i % 2 ? "SECRET" : "OFFICIAL", (uint32_t)i * 3)) != 0;
	ok &= commit(s, b, "", 0) != 0;
	T_OK(ok, "a source with five submissions");
	T_OK(store_submission_mark_read(s, sub[1]) == STORE_OK, "one read");
	x = (struct rows){0};
	T_OK(store_desk_submissions(s, a, 0, 100, sub_row, &x) == STORE_OK &&
	             starts_with(&x, 5, (store_id[]){sub[4], sub[3], sub[2], sub[1], sub[0]}) &&
	             x.n == 5,
	     "submissions: the source's only, newest first");
	int same = x.n == 5;
	for (int i = 0; i < x.n && same; i++)
		same = store_submission_get(s, x.id[i], &got) == STORE_OK &&
		       got.source_id == x.sub[i].source_id && got.day == x.sub[i].day &&
		       got.message_blob == x.sub[i].message_blob && got.nfiles == x.sub[i].nfiles &&
		       !got.read == !x.sub[i].read && strcmp(got.marking, x.sub[i].marking) == 0;
	T_OK(same, "each row as submission_get has it (source, day, blob, files, read, marking)");
	same = x.n == 5;
	for (int i = 0; i < x.n && same; i++)
		same = store_submission_get(s, x.id[i], &got) == STORE_OK &&
		       got.seal_version == x.sub[i].seal_version;
	T_OK(same, "including seal_version");
	x = (struct rows){0};
	T_OK(store_desk_submissions(s, a, sub[3], 2, sub_row, &x) == STORE_OK &&
	             starts_with(&x, 2, (store_id[]){sub[2], sub[1]}) && x.n == 2,
	     "a page: ids below the cursor, at most limit");
	x = (struct rows){0};
	T_OK(store_desk_submissions(s, a, sub[0], 10, sub_row, &x) == STORE_OK && x.n == 0,
	     "nothing below the oldest");
	x = (struct rows){.stop_after = 2};
	enum store_result r = store_desk_submissions(s, a, 0, 10, sub_row, &x);
	T_OK(r == STORE_STOP && x.n == 2, "submissions stops when fn says so");
	x = (struct rows){0};
	T_OK(store_desk_submissions(s, FAR_ID, 0, 10, sub_row, &x) == STORE_OK && x.n == 0,
	     "an unknown source has none");
	store_close(&s);
}

static int has_sub(const struct rows *x, store_id id)
{
	for (int i = 0; i < x->n && i < 64; i++)
		if (x->id[i] == id)
			return 1;
	return 0;
}

/* The unread submissions: a store shared with other tests has older ones below these. */
static void test_unread(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission got;
	struct rows x;
	store_id sub[4];
	if (s == NULL)
		return;
	store_id a = contract_source(s, store_today(), 5);
	int ok = a != 0;
	for (int i = 0; i < 4; i++)
		ok &= (sub[i] = commit(s, a, i % 2 ? "SECRET" : "OFFICIAL", (uint32_t)i)) != 0;
	T_OK(ok, "a source with four submissions");
	T_OK(store_submission_mark_read(s, sub[1]) == STORE_OK &&
	             store_submission_mark_read(s, sub[3]) == STORE_OK,
	     "two of them read");
	x = (struct rows){0};
	T_OK(store_desk_unread(s, 0, 64, sub_row, &x) == STORE_OK &&
	             starts_with(&x, 2, (store_id[]){sub[2], sub[0]}) && !has_sub(&x, sub[1]) &&
	             !has_sub(&x, sub[3]),
	     "unread: only the unread ones, newest first");
	int same = x.n >= 2;
	for (int i = 0; i < 2 && same; i++)
		same = store_submission_get(s, x.id[i], &got) == STORE_OK &&
		       got.source_id == x.sub[i].source_id && got.day == x.sub[i].day &&
		       got.message_blob == x.sub[i].message_blob && !x.sub[i].read && !got.read &&
		       strcmp(got.marking, x.sub[i].marking) == 0 &&
		       got.seal_version == x.sub[i].seal_version;
	T_OK(same, "each row as submission_get has it (source, day, blob, read, marking, version)");
	x = (struct rows){0};
	T_OK(store_desk_unread(s, sub[2], 1, sub_row, &x) == STORE_OK && x.n == 1 &&
	             x.id[0] == sub[0],
	     "a page: ids below the cursor, at most limit");
	x = (struct rows){0};
	T_OK(store_desk_unread(s, 0, 0, sub_row, &x) == STORE_OK && x.n == 0, "limit 0: none");
	T_OK(store_desk_unread(s, 0, -1, sub_row, &x) == STORE_NOT_FOUND &&
	             store_desk_unread(s, 0, 1, NULL, NULL) == STORE_NOT_FOUND,
	     "a negative limit or no callback: STORE_NOT_FOUND");
	x = (struct rows){.stop_after = 1};
	T_OK(store_desk_unread(s, 0, 10, sub_row, &x) == STORE_STOP && x.n == 1,
	     "unread stops when fn says so");
	T_OK(store_submission_mark_read(s, sub[2]) == STORE_OK, "a third read");
	x = (struct rows){0};
	T_OK(store_desk_unread(s, 0, 64, sub_row, &x) == STORE_OK && x.n >= 1 &&
	             x.id[0] == sub[0] && !has_sub(&x, sub[2]),
	     "a submission read leaves the unread ones");
	struct store_desk_source d;
	int changed = -1;
	T_OK(store_desk_source(s, a, &d) == STORE_OK && d.src.nunread == 1,
	     "the source counts one unread");
	T_OK(store_submission_mark_unread(s, sub[2], &changed) == STORE_OK && changed == 1,
	     "mark_unread: a read one changes");
	x = (struct rows){0};
	T_OK(store_desk_unread(s, 0, 64, sub_row, &x) == STORE_OK && x.n >= 2 &&
	             x.id[0] == sub[2] && x.id[1] == sub[0],
	     "a submission marked unread is back among the unread ones, in its place");
	T_OK(store_submission_get(s, sub[2], &got) == STORE_OK && !got.read &&
	             store_desk_source(s, a, &d) == STORE_OK && d.src.nunread == 2,
	     "its row unread, the source's nunread one more");
	T_OK(store_submission_mark_unread(s, sub[2], &changed) == STORE_OK && changed == 0 &&
	             store_desk_source(s, a, &d) == STORE_OK && d.src.nunread == 2,
	     "mark_unread of an unread one: no change, counted once");
	T_OK(store_submission_mark_unread(s, 99999999, &changed) == STORE_NOT_FOUND &&
	             changed == 0 && store_submission_mark_unread(s, 0, NULL) == STORE_NOT_FOUND,
	     "mark_unread of an unknown id: STORE_NOT_FOUND");
	T_OK(store_submission_mark_read(s, sub[2]) == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK && d.src.nunread == 1,
	     "read again: the count follows");
	store_close(&s);
}

static void test_labels(void)
{
	struct store *s = contract_open_fresh();
	struct store_desk_source d;
	char label[STORE_DESK_LABEL_MAX + 2];
	if (s == NULL)
		return;
	store_id a = contract_source(s, store_today(), 7);
	T_OK(a && commit(s, a, "", 0), "a source with a submission");
	T_OK(store_desk_set_label(s, a, "lead: ministry") == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK &&
	             strcmp(d.label, "lead: ministry") == 0,
	     "set_label");
	T_OK(store_desk_set_label(s, a, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\xb0") == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK &&
	             strcmp(d.label, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\xb0") == 0,
	     "UTF-8 is kept as given");
	memset(label, 'x', sizeof label);
	label[STORE_DESK_LABEL_MAX] = '\0';
	T_OK(store_desk_set_label(s, a, label) == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK && strcmp(d.label, label) == 0,
	     "a label of STORE_DESK_LABEL_MAX bytes");
	label[STORE_DESK_LABEL_MAX] = 'x';
	label[STORE_DESK_LABEL_MAX + 1] = '\0';
	T_OK(store_desk_set_label(s, a, label) == STORE_TOO_LARGE,
	     "one byte more: STORE_TOO_LARGE");
	/* refused values: STORE_NOT_FOUND (the front's), nothing changed */
	T_OK(store_desk_set_label(s, a, "bad\xff") == STORE_NOT_FOUND &&
	             store_desk_set_label(s, a, "line\nbreak") == STORE_NOT_FOUND &&
	             store_desk_set_label(s, a, "tab\there") == STORE_NOT_FOUND &&
	             store_desk_set_label(s, a, "del\x7f") != STORE_OK,
	     "invalid UTF-8 and control characters are refused");
	label[STORE_DESK_LABEL_MAX] = '\0';
	T_OK(store_desk_source(s, a, &d) == STORE_OK && strcmp(d.label, label) == 0,
	     "and leave the label as it was");
	T_OK(commit(s, a, "", 0) && store_desk_source(s, a, &d) == STORE_OK &&
	             strcmp(d.label, label) == 0,
	     "a label stays when the source moves up");
	T_OK(store_desk_set_label(s, a, "") == STORE_OK &&
	             store_desk_source(s, a, &d) == STORE_OK && d.label[0] == '\0',
	     "\"\" clears it");
	T_OK(store_desk_set_label(s, FAR_ID, "x") == STORE_NOT_FOUND &&
	             store_desk_set_star(s, FAR_ID, true) == STORE_NOT_FOUND,
	     "a label or a star on an unknown source: STORE_NOT_FOUND");
	T_OK(store_desk_set_label(s, a, "kept") == STORE_OK &&
	             store_desk_set_star(s, a, true) == STORE_OK && contract_reopen(&s) == 0 &&
	             store_desk_source(s, a, &d) == STORE_OK && strcmp(d.label, "kept") == 0 &&
	             d.starred,
	     "stars and labels survive a reopen");
	store_close(&s);
}

static int has(const struct rows *x, store_id id)
{
	for (int i = 0; i < x->n && i < 64; i++)
		if (x->id[i] == id)
			return 1;
	return 0;
}

/* A filtered listing into x (reset), with floor; the result of the call. */
static enum store_result filtered(struct store *s, store_id before, int64_t limit,
                                  const struct store_desk_filter *f, store_id *floor,
                                  struct rows *x)
{
	memset(x, 0, sizeof *x);
	return store_desk_inbox_filtered(s, before, limit, f, floor, src_row, x);
}

static void test_filters(void)
{
	struct store *s = contract_open_fresh();
	struct store_desk_filter f;
	struct rows x;
	store_id floor = -1;
	if (s == NULL)
		return;
	int32_t today = store_today();
	char marking[STORE_MARKING_MAX];
	snprintf(marking, sizeof marking, "CONTRACT-%s", contract_tag());
	store_id a = contract_source(s, today, 11), b = contract_source(s, today - 5, 12);
	store_id c = contract_source(s, today, 13), e = contract_source(s, today, 14);
	store_id sa = commit(s, a, marking, 0), sb = 0;
	store_id p1 = contract_blob(s, 51, 30), p2 = contract_blob(s, 52, 30),
	         p3 = contract_blob(s, 53, 30);
	struct store_new_file nf = {p2, p3};
	T_OK(store_submission_commit(s, b, today - 5, "", 0, p1, &nf, 1, &sb) == STORE_OK,
	     "a submission with a file, five days ago");
	store_id sc = commit(s, c, "", 0), se = commit(s, e, "", 0);
	uint8_t index[STORE_DESK_INDEX_LEN];
	contract_fill(index, sizeof index, 77, 0);
	memcpy(index, contract_tag(), 16); /* ours alone in a shared store */
	T_OK(sa > 0 && sb > 0 && sc > 0 && se > 0 &&
	             store_submission_mark_read(s, sc) == STORE_OK &&
	             store_desk_set_star(s, c, true) == STORE_OK &&
	             store_desk_set_label_indexed(s, e, "sealed label", index) == STORE_OK,
	     "four sources: a marking, a file, read and starred, a label");

	memset(&f, 0, sizeof f);
	snprintf(f.marking, sizeof f.marking, "%s", marking);
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 1 && has(&x, a) && floor == 0,
	     "by marking: the source with a submission of it, alone");
	memset(&f, 0, sizeof f);
	f.has_files = true;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && has(&x, b) && !has(&x, a) &&
	             !has(&x, c) && !has(&x, e),
	     "has files");
	memset(&f, 0, sizeof f);
	f.unread = true;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && has(&x, a) && has(&x, b) &&
	             has(&x, e) && !has(&x, c),
	     "unread: a source whose submissions were all read is left out");
	f.starred = true;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && !has(&x, c) && !has(&x, a),
	     "starred and unread combine (and)");
	memset(&f, 0, sizeof f);
	f.day_to = today - 3;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && has(&x, b) && !has(&x, a) &&
	             !has(&x, e),
	     "a day range up to three days ago");
	memset(&f, 0, sizeof f);
	f.day_from = today - 1;
	f.day_to = today;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && has(&x, a) && has(&x, c) &&
	             has(&x, e) && !has(&x, b),
	     "a day range from yesterday");
	f.has_files = true;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && !has(&x, b),
	     "the submission filters hold for one submission at once");

	memset(&f, 0, sizeof f);
	f.nindex = 2;
	memcpy(f.index[1], index, sizeof index);
	contract_fill(f.index[0], STORE_DESK_INDEX_LEN, 78, 0);
	f.window = 10;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 1 && x.id[0] == e &&
	             floor == 0,
	     "by a label's blind index (one of two): the window reaches the end");
	T_OK(store_desk_set_label(s, e, "no index") == STORE_OK &&
	             filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 0,
	     "a label set without an index is not found by one");
	T_OK(store_desk_set_label_indexed(s, e, "", index) == STORE_OK &&
	             filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 0,
	     "a cleared label keeps no index");

	memset(&f, 0, sizeof f);
	f.window = 2;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 2 && x.id[0] == e &&
	             x.id[1] == c && floor == x.src[1].newest,
	     "a window of two: two rows, and its floor");
	T_OK(filtered(s, floor, 64, &f, &floor, &x) == STORE_OK && x.n == 2 && x.id[0] == b &&
	             x.id[1] == a,
	     "the next window goes on from the floor");
	f.unread = true;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n == 1 && x.id[0] == e &&
	             floor > 0,
	     "a filter inside a window: fewer rows, the same floor");
	f.starred = true;
	f.unread = false;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_OK && x.n >= 1 && x.id[0] == c &&
	             !has(&x, e) && !has(&x, b) && !has(&x, a),
	     "a starred window examines starred rows only");
	f.window = -1;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_NOT_FOUND, "a negative window: refused");
	f.window = 0;
	f.nindex = STORE_DESK_INDEX_MAX + 1;
	T_OK(filtered(s, 0, 64, &f, &floor, &x) == STORE_NOT_FOUND, "too many indexes: refused");
	f.nindex = 0;
	memset(&x, 0, sizeof x);
	x.stop_after = 1;
	T_OK(store_desk_inbox_filtered(s, 0, 64, &f, &floor, src_row, &x) == STORE_STOP,
	     "STORE_STOP when fn stops");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_desk");
	test_inbox();
	test_submissions();
	test_unread();
	test_labels();
	test_filters();
	return contract_done();
}
