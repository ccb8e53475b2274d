/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_registry: the store contract (tests/store/README.md) for the
 * registry's operations through their front (core/store/store_registry.h:
 * store_marking_id, store_report_*, store_dist_*, store_submission_mark, ...):
 * markings in use, reports with their readers, citations and circulation, distribution lists, and
 * marking changes of a submission with or without a reseal of its blobs.
 *
 * A listing stopped by its fn returns STORE_STOP (store.h's rules); the
 * refusals return the codes the header names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_officer.h"
#include "core/store/store_registry.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)

static void text_of(char *out, size_t cap, const char *what)
{
	snprintf(out, cap, "C%s %s", contract_tag(), what);
}

struct marks {
	store_id want[2];
	char text[2][STORE_MARKING_MAX];
	int seen[2], n;
};

static int mark_row(void *ctx, store_id id, const char *text)
{
	struct marks *m = ctx;
	m->n++;
	for (int i = 0; i < 2; i++)
		if (id == m->want[i])
			m->seen[i] += strcmp(text, m->text[i]) == 0;
	return 0;
}

static int stop_mark(void *ctx, store_id id, const char *text)
{
	return ++*(int *)ctx >= 1;
}

static void test_markings(void)
{
	struct store *s = contract_open_fresh();
	struct marks m = {0};
	store_id a = 0, a2 = 0, b = 0, x = 0;
	char longm[STORE_MARKING_MAX + 1];
	if (s == NULL)
		return;
	text_of(m.text[0], sizeof m.text[0], "SECRET//HUMINT");
	text_of(m.text[1], sizeof m.text[1], "SECRET//SIGINT");
	T_OK(store_marking_id(s, m.text[0], &a) == STORE_OK && a > 0, "marking_id adds a marking");
	T_OK(store_marking_id(s, m.text[0], &a2) == STORE_OK && a2 == a,
	     "the same text: the same id");
	T_OK(store_marking_id(s, m.text[1], &b) == STORE_OK && b > 0 && b != a,
	     "another text: another id");
	m.want[0] = a;
	m.want[1] = b;
	T_OK(store_markings(s, mark_row, &m) == STORE_OK && m.seen[0] == 1 && m.seen[1] == 1,
	     "markings lists each once, with its text");
	int calls = 0;
	enum store_result r = store_markings(s, stop_mark, &calls);
	T_OK(r == STORE_STOP && calls == 1, "markings stops when fn says so");
	memset(longm, 'M', sizeof longm);
	longm[STORE_MARKING_MAX] = '\0';
	T_OK(store_marking_id(s, longm, &x) == STORE_TOO_LARGE,
	     "a marking of STORE_MARKING_MAX bytes: STORE_TOO_LARGE");
	text_of(longm, sizeof longm, "");
	longm[strlen(longm)] = 'M';
	longm[STORE_MARKING_MAX - 1] = '\0';
	T_OK(store_marking_id(s, longm, &x) == STORE_OK && x != a && x != b &&
	             store_marking_id(s, longm, &a2) == STORE_OK && a2 == x,
	     "one of STORE_MARKING_MAX - 1 bytes");
	T_OK(contract_reopen(&s) == 0 && store_marking_id(s, m.text[1], &a2) == STORE_OK && a2 == b,
	     "markings keep their ids after a reopen");
	store_close(&s);
}

/* ---- reports ---- */

struct rep {
	int n, stop_after;
	store_id id[16], author[16], marking_id[16];
	int32_t day[16];
	uint32_t label_version[16];
	char marking[16][STORE_MARKING_MAX];
	int64_t readers[16][8];
	size_t nreaders[16];
	uint8_t body0[16];
	size_t body_len[16];
	int body_ok;
	uint64_t body_seed;
};

static int rep_row(void *ctx, const struct store_report *r)
{
	struct rep *x = ctx;
	if (x->n < 16) {
		int i = x->n;
		x->id[i] = r->id;
		x->author[i] = r->author;
		x->marking_id[i] = r->marking_id;
		x->day[i] = r->day;
		x->label_version[i] = r->label_version;
		snprintf(x->marking[i], sizeof x->marking[i], "%s", r->marking);
		x->nreaders[i] = r->nreaders;
		for (size_t k = 0; k < r->nreaders && k < 8; k++)
			x->readers[i][k] = r->readers[k];
		x->body_len[i] = r->body_len;
		x->body_ok = 1;
		for (size_t k = 0; k < r->body_len && x->body_ok; k++)
			x->body_ok = r->body[k] == contract_byte(x->body_seed, k);
	}
	x->n++;
	return x->stop_after > 0 && x->n >= x->stop_after;
}

struct cites {
	struct store_cite c[8];
	char names[8][STORE_DIST_NAME_MAX + 1];
	int n;
};

static int cite_row(void *ctx, const struct store_cite *c)
{
	struct cites *x = ctx;
	if (x->n < 8)
		x->c[x->n] = *c;
	x->n++;
	return 0;
}

static int name_row(void *ctx, const char *name)
{
	struct cites *x = ctx;
	if (x->n < 8)
		snprintf(x->names[x->n], sizeof x->names[0], "%s", name);
	x->n++;
	return 0;
}

static int has_cite(const struct cites *x, int kind, store_id id)
{
	for (int i = 0; i < x->n && i < 8; i++)
		if (x->c[i].kind == kind && x->c[i].id == id)
			return 1;
	return 0;
}

static store_id officer(struct store *s, const char *suffix)
{
	struct store_officer o = {.roles = 1, .created_day = 19000};
	store_id id = 0;
	snprintf(o.name, sizeof o.name, "c%s-%s", contract_tag(), suffix);
	return store_officer_insert(s, &o, &id) == STORE_OK ? id : 0;
}

static void test_reports(void)
{
	struct store *s = contract_open_fresh();
	char text[STORE_MARKING_MAX], l1[STORE_DIST_NAME_MAX + 1], l2[STORE_DIST_NAME_MAX + 1];
	store_id mk = 0, r1 = 0, r2 = 0, bad = 0, list1 = 0, list2 = 0;
	uint8_t *body = malloc(STORE_REPORT_BODY_MAX + 1);
	int64_t *many = calloc(STORE_READERS_MAX + 1, sizeof *many);
	struct rep x;
	struct cites c;
	enum store_result r;
	if (s == NULL || body == NULL || many == NULL)
		goto out;
	store_id au = officer(s, "author"), rd = officer(s, "reader"), o3 = officer(s, "third");
	text_of(text, sizeof text, "SECRET");
	T_OK(au && rd && o3 && store_marking_id(s, text, &mk) == STORE_OK,
	     "officers and a marking");
	contract_fill(body, 3000, 91, 0);
	int64_t readers[] = {rd, au};
	struct store_cite cites[] = {
	        {STORE_CITE_SUBMISSION, 12}, {STORE_CITE_REPORT, 3}, {STORE_CITE_SUBMISSION, 7}};
	T_OK(store_report_insert(s, au, 19100, mk, 4, body, 3000, readers, 2, cites, 3, &r1) ==
	                     STORE_OK &&
	             r1 > 0,
	     "report_insert with two readers and three citations");
	x = (struct rep){.body_seed = 91};
	T_OK(store_report_get(s, r1, rep_row, &x) == STORE_OK && x.n == 1 && x.id[0] == r1 &&
	             x.author[0] == au && x.day[0] == 19100 && x.marking_id[0] == mk &&
	             strcmp(x.marking[0], text) == 0 && x.label_version[0] == 4,
	     "report_get: author, day, marking id and text, label version");
	T_OK(x.n == 1 && x.body_len[0] == 3000 && x.body_ok, "the body, as given");
	T_OK(x.n == 1 && x.nreaders[0] == 2 && x.readers[0][0] == (au < rd ? au : rd) &&
	             x.readers[0][1] == (au < rd ? rd : au),
	     "the readers, sorted ascending");
	c = (struct cites){0};
	T_OK(store_report_cites(s, r1, cite_row, &c) == STORE_OK && c.n == 3 &&
	             has_cite(&c, STORE_CITE_SUBMISSION, 12) &&
	             has_cite(&c, STORE_CITE_REPORT, 3) && has_cite(&c, STORE_CITE_SUBMISSION, 7),
	     "report_cites: its citations");
	T_OK(store_report_get(s, FAR_ID, rep_row, &x) == STORE_NOT_FOUND,
	     "report_get of an unknown report: STORE_NOT_FOUND");

	/* limits */
	contract_fill(body, STORE_REPORT_BODY_MAX + 1, 92, 0);
	T_OK(store_report_insert(s, au, 19100, mk, 4, body, STORE_REPORT_BODY_MAX + 1, readers, 2,
	                         NULL, 0, &bad) == STORE_TOO_LARGE,
	     "a body over STORE_REPORT_BODY_MAX: STORE_TOO_LARGE");
	T_OK(store_report_insert(s, au, 19101, mk, 5, body, STORE_REPORT_BODY_MAX, readers + 1, 1,
	                         NULL, 0, &r2) == STORE_OK &&
	             r2 != r1,
	     "a body of STORE_REPORT_BODY_MAX bytes");
	x = (struct rep){.body_seed = 92};
	T_OK(store_report_get(s, r2, rep_row, &x) == STORE_OK &&
	             x.body_len[0] == STORE_REPORT_BODY_MAX && x.body_ok,
	     "is kept whole");
	for (size_t i = 0; i <= STORE_READERS_MAX; i++)
		many[i] = (int64_t)i + 1;
	T_OK(store_report_insert(s, au, 19100, mk, 4, body, 10, many, STORE_READERS_MAX + 1, NULL,
	                         0, &bad) == STORE_TOO_LARGE &&
	             store_report_circulate(s, r1, many, STORE_READERS_MAX + 1, NULL, 0) ==
	                     STORE_TOO_LARGE,
	     "more than STORE_READERS_MAX readers: STORE_TOO_LARGE");
	T_OK(store_report_insert(s, au, 19100, FAR_ID, 4, body, 10, readers, 2, NULL, 0, &bad) ==
	             STORE_NOT_FOUND,
	     "a report with an unknown marking id: STORE_NOT_FOUND");

	/* candidates: the reports a reader is on, newest first, with their own entry */
	x = (struct rep){.body_seed = 92};
	T_OK(store_report_candidates(s, rd, rep_row, &x) == STORE_OK && x.n == 1 && x.id[0] == r1 &&
	             x.nreaders[0] == 1 && x.readers[0][0] == rd && x.author[0] == au &&
	             x.marking_id[0] == mk,
	     "report_candidates: only the reports the reader is on, with {reader} as readers");
	x = (struct rep){0};
	T_OK(store_report_candidates(s, au, rep_row, &x) == STORE_OK && x.n == 2 && x.id[0] == r2 &&
	             x.id[1] == r1,
	     "newest first");
	x = (struct rep){.stop_after = 1};
	r = store_report_candidates(s, au, rep_row, &x);
	T_OK(r == STORE_STOP && x.n == 1, "report_candidates stops");
	x = (struct rep){0};
	T_OK(store_report_candidates(s, o3, rep_row, &x) == STORE_OK && x.n == 0,
	     "an officer on no distribution has none");

	/* lists and circulation */
	snprintf(l1, sizeof l1, "c%s-desk-b", contract_tag());
	snprintf(l2, sizeof l2, "c%s-desk-a", contract_tag());
	store_id owner = 0;
	T_OK(store_dist_create(s, l1, au, 19100, &list1) == STORE_OK && list1 > 0 &&
	             store_dist_create(s, l2, rd, 19100, &list2) == STORE_OK && list2 != list1,
	     "dist_create");
	T_OK(store_dist_create(s, l1, rd, 19100, &bad) == STORE_EXISTS,
	     "a list name taken: STORE_EXISTS");
	T_OK(store_dist_find(s, l1, &bad, &owner) == STORE_OK && bad == list1 && owner == au,
	     "dist_find: id and owner");
	T_OK(store_dist_find(s, "no-such-list-contract", &bad, &owner) == STORE_NOT_FOUND,
	     "an unknown list: STORE_NOT_FOUND");
	int64_t more[] = {o3, rd};
	T_OK(store_report_circulate(s, r1, more, 2, (store_id[]){list1, list2}, 2) == STORE_OK,
	     "report_circulate: readers and lists");
	x = (struct rep){0};
	T_OK(store_report_get(s, r1, rep_row, &x) == STORE_OK && x.nreaders[0] == 3,
	     "its readers now include the new one (once each)");
	x = (struct rep){0};
	T_OK(store_report_candidates(s, o3, rep_row, &x) == STORE_OK && x.n == 1 && x.id[0] == r1,
	     "and the report is a candidate for them");
	c = (struct cites){0};
	T_OK(store_report_lists(s, r1, name_row, &c) == STORE_OK && c.n == 2 &&
	             ((strcmp(c.names[0], l1) == 0 && strcmp(c.names[1], l2) == 0) ||
	              (strcmp(c.names[0], l2) == 0 && strcmp(c.names[1], l1) == 0)),
	     "report_lists: the lists it went to, by name");
	T_OK(store_report_circulate(s, FAR_ID, more, 2, NULL, 0) == STORE_NOT_FOUND,
	     "circulating an unknown report: STORE_NOT_FOUND");
	T_OK(store_report_circulate(s, r2, NULL, 0, NULL, 0) == STORE_OK,
	     "circulating to nobody is fine");
	char longl[STORE_DIST_NAME_MAX + 2];
	memset(longl, 'l', sizeof longl);
	longl[STORE_DIST_NAME_MAX + 1] = '\0';
	T_OK(store_dist_create(s, longl, au, 19100, &bad) == STORE_TOO_LARGE,
	     "a list name over STORE_DIST_NAME_MAX: STORE_TOO_LARGE");
out:
	free(body);
	free(many);
	store_close(&s);
}

/* ---- distribution list members ---- */

struct lists {
	store_id id[8], owner[8], member[8];
	char name[8][STORE_DIST_NAME_MAX + 1];
	int n, m;
};

static int list_row(void *ctx, store_id id, const char *name, store_id owner)
{
	struct lists *x = ctx;
	char mine[40];
	snprintf(mine, sizeof mine, "c%s-L-", contract_tag()); /* this group's lists */
	if (strncmp(name, mine, strlen(mine)) == 0 && x->n < 8) {
		x->id[x->n] = id;
		x->owner[x->n] = owner;
		snprintf(x->name[x->n++], sizeof x->name[0], "%s", name);
	}
	return 0;
}

static int member_row(void *ctx, store_id officer)
{
	struct lists *x = ctx;
	if (x->m < 8)
		x->member[x->m++] = officer;
	return 0;
}

static void test_lists(void)
{
	struct store *s = contract_open_fresh();
	char n1[STORE_DIST_NAME_MAX + 1], n2[STORE_DIST_NAME_MAX + 1];
	store_id l1 = 0, l2 = 0;
	struct lists x;
	if (s == NULL)
		return;
	store_id a = officer(s, "ma"), b = officer(s, "mb"), c = officer(s, "mc");
	snprintf(n1, sizeof n1, "c%s-L-zulu", contract_tag());
	snprintf(n2, sizeof n2, "c%s-L-alpha", contract_tag());
	T_OK(store_dist_create(s, n1, a, 19100, &l1) == STORE_OK &&
	             store_dist_create(s, n2, b, 19100, &l2) == STORE_OK,
	     "two lists");
	x = (struct lists){0};
	T_OK(store_dist_lists(s, list_row, &x) == STORE_OK && x.n == 2 &&
	             strcmp(x.name[0], n2) == 0 && x.id[0] == l2 && x.owner[0] == b &&
	             strcmp(x.name[1], n1) == 0 && x.id[1] == l1 && x.owner[1] == a,
	     "dist_lists: every list by name, with id and owner");
	T_OK(store_dist_member(s, l1, c, 1) == STORE_OK &&
	             store_dist_member(s, l1, a, 1) == STORE_OK &&
	             store_dist_member(s, l1, c, 1) == STORE_OK,
	     "dist_member adds (twice is fine)");
	x = (struct lists){0};
	T_OK(store_dist_members(s, l1, member_row, &x) == STORE_OK && x.m == 2 &&
	             x.member[0] == (a < c ? a : c) && x.member[1] == (a < c ? c : a),
	     "dist_members: each member once, by officer id");
	x = (struct lists){0};
	T_OK(store_dist_members(s, l2, member_row, &x) == STORE_OK && x.m == 0,
	     "another list's are its own");
	T_OK(store_dist_member(s, l1, c, 0) == STORE_OK, "dist_member removes");
	x = (struct lists){0};
	T_OK(store_dist_members(s, l1, member_row, &x) == STORE_OK && x.m == 1 && x.member[0] == a,
	     "the other member stays");
	T_OK(store_dist_member(s, FAR_ID, a, 1) == STORE_NOT_FOUND,
	     "adding to an unknown list: STORE_NOT_FOUND");
	x = (struct lists){0};
	T_OK(contract_reopen(&s) == 0 && store_dist_members(s, l1, member_row, &x) == STORE_OK &&
	             x.m == 1 && x.member[0] == a,
	     "members are kept after a reopen");
	store_close(&s);
}

/* ---- marking changes and reseals ---- */

struct changes {
	int n;
	char old_m[4][STORE_MARKING_MAX], new_m[4][STORE_MARKING_MAX], reason[4][64], kind[4][16];
	store_id object[4], actor[4];
	int32_t day[4];
};

static int change_row(void *ctx, const struct store_marking_change *ch)
{
	struct changes *x = ctx;
	if (x->n < 4) {
		int i = x->n;
		snprintf(x->kind[i], sizeof x->kind[i], "%s", ch->kind);
		snprintf(x->old_m[i], sizeof x->old_m[i], "%s", ch->old_marking);
		snprintf(x->new_m[i], sizeof x->new_m[i], "%s", ch->new_marking);
		snprintf(x->reason[i], sizeof x->reason[i], "%s", ch->reason ? ch->reason : "");
		x->object[i] = ch->object;
		x->actor[i] = ch->actor;
		x->day[i] = ch->day;
	}
	x->n++;
	return 0;
}

struct files {
	struct store_file f[4];
	int n;
};

static int file_row(void *ctx, const struct store_file *f)
{
	struct files *x = ctx;
	if (x->n < 4)
		x->f[x->n] = *f;
	x->n++;
	return 0;
}

/* Submission id as it was: marking, message m, seal version, one file (fm, fd), nch changes. */
static bool mark_unchanged(struct store *s, store_id id, const char *marking, store_id m,
                           uint32_t version, store_id fm, store_id fd, int nch)
{
	struct store_submission sub;
	struct files fs = {0};
	struct changes ch = {0};
	return store_submission_get(s, id, &sub) == STORE_OK && strcmp(sub.marking, marking) == 0 &&
	       sub.message_blob == m && sub.seal_version == version &&
	       store_submission_files(s, id, file_row, &fs) == STORE_OK && fs.n == 1 &&
	       fs.f[0].meta_blob == fm && fs.f[0].data_blob == fd &&
	       store_marking_changes(s, "submission", id, change_row, &ch) == STORE_OK &&
	       ch.n == nch;
}

static void test_marking_changes(void)
{
	struct store *s = contract_open_fresh();
	struct store_submission sub;
	struct changes ch;
	struct files fs = {0};
	store_id id = 0, bare = 0;
	char reason[STORE_REASON_MAX + 2];
	if (s == NULL)
		return;
	store_id src = contract_source(s, 100, 9), actor = officer(s, "marker");
	store_id m = contract_blob(s, 101, 400), fm = contract_blob(s, 102, 50),
	         fd = contract_blob(s, 103, 300000);
	struct store_new_file nf = {fm, fd};
	T_OK(store_submission_commit(s, src, 100, "SECRET", 1, m, &nf, 1, &id) == STORE_OK &&
	             store_submission_commit(s, src, 100, "OFFICIAL", 0, 0, NULL, 0, &bare) ==
	                     STORE_OK &&
	             store_submission_files(s, id, file_row, &fs) == STORE_OK && fs.n == 1,
	     "a submission with a message and a file");
	struct store_marking_change c = {.kind = "submission",
	                                 .object = id,
	                                 .actor = actor,
	                                 .day = 19200,
	                                 .old_marking = "SECRET",
	                                 .new_marking = "TOP SECRET",
	                                 .reason = "new sourcing"};
	T_OK(store_submission_mark(s, &c, NULL) == STORE_OK &&
	             store_submission_get(s, id, &sub) == STORE_OK &&
	             strcmp(sub.marking, "TOP SECRET") == 0 && sub.message_blob == m,
	     "submission_mark sets the marking");
	ch = (struct changes){0};
	T_OK(store_marking_changes(s, "submission", id, change_row, &ch) == STORE_OK && ch.n == 1 &&
	             strcmp(ch.kind[0], "submission") == 0 && ch.object[0] == id &&
	             ch.actor[0] == actor && ch.day[0] == 19200 &&
	             strcmp(ch.old_m[0], "SECRET") == 0 && strcmp(ch.new_m[0], "TOP SECRET") == 0 &&
	             strcmp(ch.reason[0], "new sourcing") == 0,
	     "and records the change: kind, object, actor, day, old, new, reason");
	T_OK(store_submission_mark(s, &c, NULL) == STORE_EXISTS &&
	             store_submission_get(s, id, &sub) == STORE_OK &&
	             strcmp(sub.marking, "TOP SECRET") == 0,
	     "from a marking it no longer has: STORE_EXISTS");
	ch = (struct changes){0};
	T_OK(store_marking_changes(s, "submission", id, change_row, &ch) == STORE_OK && ch.n == 1,
	     "and no change recorded");
	memset(reason, 'r', sizeof reason);
	reason[STORE_REASON_MAX + 1] = '\0';
	struct store_marking_change big = c;
	big.old_marking = "TOP SECRET";
	big.reason = reason;
	T_OK(store_submission_mark(s, &big, NULL) == STORE_TOO_LARGE,
	     "a reason over STORE_REASON_MAX: STORE_TOO_LARGE");
	char longm[STORE_MARKING_MAX + 1];
	memset(longm, 'M', sizeof longm);
	longm[STORE_MARKING_MAX] = '\0';
	big.reason = "x";
	big.new_marking = longm;
	T_OK(store_submission_mark(s, &big, NULL) == STORE_TOO_LARGE &&
	             store_submission_get(s, id, &sub) == STORE_OK &&
	             strcmp(sub.marking, "TOP SECRET") == 0,
	     "a marking of STORE_MARKING_MAX bytes: STORE_TOO_LARGE, unchanged");

	/* a reseal: new blobs swapped in, the old ones deleted, in one transaction */
	store_id nm = contract_blob(s, 111, 450), nfm = contract_blob(s, 112, 60),
	         nfd = contract_blob(s, 113, 350000);
	struct store_file wrongf[2] = {{fs.f[0].id, id, nfm, nfd}, {fs.f[0].id, id, nfm, nfd}};
	struct store_reseal rs = {
	        .seal_version = 7, .message_blob = nm, .files = wrongf, .nfiles = 2};
	c.old_marking = "TOP SECRET";
	c.new_marking = "SECRET//UK EYES";
	T_OK(store_submission_mark(s, &c, &rs) == STORE_NOT_FOUND,
	     "a reseal naming more files than the submission has: STORE_NOT_FOUND");
	T_OK(store_submission_get(s, id, &sub) == STORE_OK &&
	             strcmp(sub.marking, "TOP SECRET") == 0 && sub.message_blob == m &&
	             sub.seal_version == 1 && contract_blob_is(s, m, 101, 400) &&
	             contract_blob_is(s, fd, 103, 300000),
	     "and nothing changed: marking, blobs, seal version");
	rs.message_blob = 0;
	rs.nfiles = 1;
	T_OK(store_submission_mark(s, &c, &rs) == STORE_NOT_FOUND,
	     "a reseal without the message the submission has: STORE_NOT_FOUND");
	T_OK(mark_unchanged(s, id, "TOP SECRET", m, 1, fm, fd, 1) &&
	             contract_blob_is(s, m, 101, 400),
	     "and nothing changed");
	/* the front's rules: the files must be the submission's, the old marking current */
	store_id om = contract_blob(s, 131, 20), ofm = contract_blob(s, 132, 20),
	         ofd = contract_blob(s, 133, 20), other = 0;
	struct store_new_file onf = {ofm, ofd};
	struct files ofs = {0};
	T_OK(store_submission_commit(s, src, 100, "SECRET", 1, om, &onf, 1, &other) == STORE_OK &&
	             store_submission_files(s, other, file_row, &ofs) == STORE_OK && ofs.n == 1,
	     "another submission with a file");
	struct store_file otherf = {ofs.f[0].id, id, nfm, nfd};
	rs.message_blob = nm;
	rs.files = &otherf;
	T_OK(store_submission_mark(s, &c, &rs) == STORE_NOT_FOUND,
	     "a reseal naming another submission's file: STORE_NOT_FOUND");
	T_OK(mark_unchanged(s, id, "TOP SECRET", m, 1, fm, fd, 1) &&
	             mark_unchanged(s, other, "SECRET", om, 1, ofm, ofd, 0) &&
	             contract_blob_is(s, fd, 103, 300000) && contract_blob_is(s, ofd, 133, 20),
	     "and nothing changed in either submission");
	rs.files = wrongf;
	struct store_marking_change stale = c;
	stale.old_marking = "SECRET";
	T_OK(store_submission_mark(s, &stale, &rs) == STORE_EXISTS,
	     "a reseal from a marking the submission no longer has: STORE_EXISTS");
	T_OK(mark_unchanged(s, id, "TOP SECRET", m, 1, fm, fd, 1) &&
	             contract_blob_is(s, fd, 103, 300000),
	     "and nothing changed");
	T_OK(store_submission_mark(s, &c, &rs) == STORE_OK, "a marking change with a reseal");
	fs = (struct files){0};
	T_OK(store_submission_get(s, id, &sub) == STORE_OK &&
	             strcmp(sub.marking, "SECRET//UK EYES") == 0 && sub.message_blob == nm &&
	             sub.seal_version == 7 &&
	             store_submission_files(s, id, file_row, &fs) == STORE_OK && fs.n == 1 &&
	             fs.f[0].meta_blob == nfm && fs.f[0].data_blob == nfd,
	     "the submission has the new marking, blobs and seal version");
	T_OK(store_blob_size(s, m, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, fm, &(uint64_t){0}) == STORE_NOT_FOUND &&
	             store_blob_size(s, fd, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "the old blobs are deleted");
	T_OK(contract_blob_is(s, nm, 111, 450) && contract_blob_is(s, nfd, 113, 350000) &&
	             store_blob_append(s, nfd, (const uint8_t *)"x", 1) != STORE_OK,
	     "the new ones are claimed and whole");
	ch = (struct changes){0};
	T_OK(store_marking_changes(s, "submission", id, change_row, &ch) == STORE_OK && ch.n == 2 &&
	             strcmp(ch.new_m[0], "TOP SECRET") == 0 &&
	             strcmp(ch.new_m[1], "SECRET//UK EYES") == 0,
	     "marking_changes: oldest first");
	/* a reseal alone records no change */
	store_id nm2 = contract_blob(s, 121, 30), nfm2 = contract_blob(s, 122, 30),
	         nfd2 = contract_blob(s, 123, 30);
	struct store_file f2 = {fs.f[0].id, id, nfm2, nfd2};
	struct store_reseal rs2 = {
	        .seal_version = 8, .message_blob = nm2, .files = &f2, .nfiles = 1};
	c.old_marking = c.new_marking = "SECRET//UK EYES";
	T_OK(store_submission_mark(s, &c, &rs2) == STORE_OK &&
	             store_submission_get(s, id, &sub) == STORE_OK && sub.seal_version == 8 &&
	             sub.message_blob == nm2 && contract_blob_is(s, nm2, 121, 30),
	     "a reseal with the marking unchanged");
	ch = (struct changes){0};
	T_OK(store_marking_changes(s, "submission", id, change_row, &ch) == STORE_OK && ch.n == 2,
	     "records no change");
	struct store_marking_change cb = {.kind = "submission",
	                                  .object = bare,
	                                  .actor = actor,
	                                  .day = 19201,
	                                  .old_marking = "OFFICIAL",
	                                  .new_marking = "SECRET",
	                                  .reason = ""};
	struct store_reseal rs3 = {.seal_version = 2};
	T_OK(store_submission_mark(s, &cb, &rs3) == STORE_OK &&
	             store_submission_get(s, bare, &sub) == STORE_OK && sub.seal_version == 2 &&
	             sub.message_blob == 0 && strcmp(sub.marking, "SECRET") == 0,
	     "a submission with no message nor file reseals with none");
	ch = (struct changes){0};
	T_OK(store_marking_changes(s, "report", id, change_row, &ch) == STORE_OK && ch.n == 0,
	     "changes are per kind and object");
	T_OK(contract_reopen(&s) == 0 && store_submission_get(s, id, &sub) == STORE_OK &&
	             sub.seal_version == 8 && contract_blob_is(s, nfd2, 123, 30) &&
	             store_blob_size(s, nfd, &(uint64_t){0}) == STORE_NOT_FOUND,
	     "after a reopen the reseal holds");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_registry");
	test_markings();
	test_reports();
	test_lists();
	test_marking_changes();
	return contract_done();
}
