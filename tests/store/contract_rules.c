/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_rules: the store contract (tests/store/README.md) for the rules
 * every domain keeps (core/store/store.h, "Rules every operation ... keeps"):
 * a listing stopped by its callback returns STORE_STOP, one run to the end
 * STORE_OK; a call on an id that names no row is STORE_NOT_FOUND; each
 * listing's stated order (text bytewise); and the smaller points the headers
 * settle (meta_get's *len on a short buffer, a pending blob after a clean
 * close, a label version 0, a star on a source without submissions).
 *
 * The store may be shared (CUTOUT_STORE): global listings are checked for
 * their order over every row, whoever wrote it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store.h"
#include "core/store/store_desk.h"
#include "core/store/store_officer.h"
#include "core/store/store_registry.h"
#include "core/store/store_release.h"
#include "t.h"
#include "contract.h"

#define FAR_ID ((store_id)1 << 50)
#define MAXROWS 64

static store_id officer(struct store *s, const char *suffix)
{
	struct store_officer o = {.roles = 1, .created_day = 19000};
	store_id id = 0;
	snprintf(o.name, sizeof o.name, "c%s-%s", contract_tag(), suffix);
	return store_officer_insert(s, &o, &id) == STORE_OK ? id : 0;
}

/* Counts the rows given and stops after stop_after (0: never). */
struct count {
	int n, stop_after;
};

static int counted(struct count *c)
{
	c->n++;
	return c->stop_after > 0 && c->n >= c->stop_after;
}

static int c_officer(void *ctx, const struct store_officer *o)
{
	(void)o;
	return counted(ctx);
}
static int c_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	(void)name, (void)v, (void)w, (void)n;
	return counted(ctx);
}
static int c_marking(void *ctx, store_id id, const char *text)
{
	(void)id, (void)text;
	return counted(ctx);
}
static int c_report(void *ctx, const struct store_report *r)
{
	(void)r;
	return counted(ctx);
}
static int c_cite(void *ctx, const struct store_cite *c)
{
	(void)c;
	return counted(ctx);
}
static int c_name(void *ctx, const char *name)
{
	(void)name;
	return counted(ctx);
}
static int c_dist(void *ctx, store_id id, const char *name, store_id owner)
{
	(void)id, (void)name, (void)owner;
	return counted(ctx);
}
static int c_member(void *ctx, store_id officer)
{
	(void)officer;
	return counted(ctx);
}
static int c_change(void *ctx, const struct store_marking_change *c)
{
	(void)c;
	return counted(ctx);
}
static int c_sub(void *ctx, const struct store_submission *sub)
{
	(void)sub;
	return counted(ctx);
}
static int c_file(void *ctx, const struct store_file *f)
{
	(void)f;
	return counted(ctx);
}
static int c_rcp(void *ctx, const struct store_recipient *r)
{
	(void)r;
	return counted(ctx);
}
static int c_rel(void *ctx, const struct store_release *r)
{
	(void)r;
	return counted(ctx);
}
static int c_copy(void *ctx, const struct store_copy *c)
{
	(void)c;
	return counted(ctx);
}

/* A recipient named c<tag>-<suffix>. */
static store_id recipient(struct store *s, const char *suffix)
{
	struct store_recipient r = {.day = 19000};
	store_id id = 0;
	snprintf(r.name, sizeof r.name, "c%s-%s", contract_tag(), suffix);
	snprintf(r.org, sizeof r.org, "Institute");
	snprintf(r.nationality, sizeof r.nationality, "GBR");
	snprintf(r.marking, sizeof r.marking, "SECRET");
	return store_recipient_add(s, &r, &id) == STORE_OK ? id : 0;
}

/* A release of report by proposer to the n recipients given, approved by decider if > 0. */
static store_id release(struct store *s, store_id report, store_id proposer, store_id decider,
                        const int64_t *rcps, size_t n)
{
	struct store_release in = {.report = report,
	                           .proposer = proposer,
	                           .day = 19300,
	                           .expiry_day = 19400,
	                           .recipients = rcps,
	                           .nrecipients = n};
	uint8_t sealed[32] = {4};
	store_id id = 0;
	snprintf(in.marking, sizeof in.marking, "SECRET");
	snprintf(in.purpose, sizeof in.purpose, "rules");
	if (store_release_insert(s, &in, &id) != STORE_OK)
		return 0;
	struct store_release_decision d = {.state = STORE_RELEASE_APPROVED,
	                                   .decider = decider,
	                                   .day = 19300,
	                                   .sealed = sealed,
	                                   .sealed_len = sizeof sealed,
	                                   .nslots = 8,
	                                   .label_version = 1};
	return decider <= 0 || store_release_decide(s, id, &d) == STORE_OK ? id : 0;
}

/* A submission of src with nfiles files (each a pending blob pair), marking "SECRET". */
static store_id submission(struct store *s, store_id src, int32_t day, size_t nfiles)
{
	struct store_new_file f[4] = {0};
	store_id id = 0;
	if (nfiles > 4)
		return 0;
	for (size_t i = 0; i < nfiles; i++) {
		f[i].meta_blob = contract_blob(s, 300 + i, 40);
		f[i].data_blob = contract_blob(s, 400 + i, 90);
	}
	return store_submission_commit(s, src, day, "SECRET", 1, 0, f, nfiles, &id) == STORE_OK ? id
	                                                                                        : 0;
}

/* Each listing: STORE_STOP when fn stopped it (after the one row), STORE_OK when run out. */
static void test_stop(void)
{
	struct store *s = contract_open_fresh();
	char mk[STORE_MARKING_MAX], la[64], l1[STORE_DIST_NAME_MAX + 1],
	        l2[STORE_DIST_NAME_MAX + 1];
	uint8_t pk[STORE_PK_LEN] = {7}, w[40] = {1};
	store_id m = 0, m2 = 0, rep = 0, rep2 = 0, d1 = 0, d2 = 0;
	if (s == NULL)
		return;
	store_id a = officer(s, "stop-a"), b = officer(s, "stop-b");
	char mk2[STORE_MARKING_MAX];
	snprintf(mk, sizeof mk, "C%s STOP", contract_tag());
	snprintf(mk2, sizeof mk2, "C%s STOP 2", contract_tag());
	snprintf(la, sizeof la, "c%s-stop-la", contract_tag());
	snprintf(l1, sizeof l1, "c%s-stop-1", contract_tag());
	snprintf(l2, sizeof l2, "c%s-stop-2", contract_tag());
	struct store_label_wrap wr[] = {{a, w, sizeof w}};
	struct store_cite cites[] = {{STORE_CITE_SUBMISSION, 5}, {STORE_CITE_REPORT, 6}};
	int64_t readers[] = {a, b};
	store_id src = contract_source(s, 19300, 3);
	store_id sub = submission(s, src, 19300, 2);
	store_id sub2 = submission(s, src, 19300, 0);
	T_OK(a && b && src && sub && sub2 && store_marking_id(s, mk, &m) == STORE_OK &&
	             store_label_add(s, la, 1, pk, wr, 1) == STORE_OK &&
	             store_label_add(s, la, 2, pk, wr, 1) == STORE_OK &&
	             store_report_insert(s, a, 19300, m, 1, w, sizeof w, readers, 2, cites, 2,
	                                 &rep) == STORE_OK &&
	             store_report_insert(s, a, 19301, m, 1, w, sizeof w, readers, 2, NULL, 0,
	                                 &rep2) == STORE_OK &&
	             store_marking_id(s, mk2, &m2) == STORE_OK &&
	             store_dist_create(s, l1, a, 19300, &d1) == STORE_OK &&
	             store_dist_create(s, l2, a, 19300, &d2) == STORE_OK &&
	             store_dist_member(s, d1, a, 1) == STORE_OK &&
	             store_dist_member(s, d1, b, 1) == STORE_OK &&
	             store_report_circulate(s, rep, NULL, 0, (store_id[]){d1, d2}, 2) == STORE_OK,
	     "two of everything to list");
	struct store_marking_change ch = {.kind = "submission",
	                                  .object = sub,
	                                  .actor = a,
	                                  .day = 19300,
	                                  .old_marking = "SECRET",
	                                  .new_marking = "TOP SECRET",
	                                  .reason = "one"};
	T_OK(store_submission_mark(s, &ch, NULL) == STORE_OK &&
	             (ch.old_marking = "TOP SECRET", ch.new_marking = "SECRET",
	              store_submission_mark(s, &ch, NULL) == STORE_OK),
	     "two marking changes");

	store_id r1 = recipient(s, "stop-r1"), r2 = recipient(s, "stop-r2"), rel = 0, cp = 0;
	uint8_t cb[16] = {2};
	T_OK(r1 && r2 && (rel = release(s, rep, a, b, (int64_t[]){r1, r2}, 2)) != 0 &&
	             release(s, rep2, b, 0, (int64_t[]){r1}, 1) != 0 &&
	             store_copy_insert(s, rel, r1, 1, cb, sizeof cb, &cp) == STORE_OK &&
	             store_copy_insert(s, rel, r2, 2, cb, sizeof cb, &cp) == STORE_OK,
	     "two recipients, two releases, two copies");

	/* each listing twice: stopped after its first row, then run out */
	struct {
		const char *what;
		enum store_result stopped, all;
		int n_stopped, n_all;
	} v[20];
	int k = 0;
#define BOTH(WHAT, CALL)                                       \
	do {                                                   \
		struct count c1 = {.stop_after = 1}, c2 = {0}; \
		struct count *c = &c1;                         \
		v[k].stopped = (CALL);                         \
		c = &c2;                                       \
		v[k].all = (CALL);                             \
		v[k].what = WHAT;                              \
		v[k].n_stopped = c1.n;                         \
		v[k].n_all = c2.n;                             \
		k++;                                           \
	} while (0)
	BOTH("officer_list", store_officer_list(s, c_officer, c));
	BOTH("label_wraps", store_label_wraps(s, a, c_wrap, c));
	BOTH("markings", store_markings(s, c_marking, c));
	BOTH("report_candidates", store_report_candidates(s, b, c_report, c));
	BOTH("report_cites", store_report_cites(s, rep, c_cite, c));
	BOTH("report_lists", store_report_lists(s, rep, c_name, c));
	BOTH("dist_lists", store_dist_lists(s, c_dist, c));
	BOTH("dist_members", store_dist_members(s, d1, c_member, c));
	BOTH("marking_changes", store_marking_changes(s, "submission", sub, c_change, c));
	BOTH("desk_submissions", store_desk_submissions(s, src, 0, 10, c_sub, c));
	BOTH("submission_files", store_submission_files(s, sub, c_file, c));
	BOTH("submission_list", store_submission_list(s, src, 0, 10, c_sub, c));
	BOTH("recipients", store_recipients(s, c_rcp, c));
	BOTH("releases", store_releases(s, c_rel, c));
	BOTH("copies", store_copies(s, rel, c_copy, c));
#undef BOTH
	for (int i = 0; i < k; i++)
		T_OK(v[i].stopped == STORE_STOP && v[i].n_stopped == 1 && v[i].all == STORE_OK &&
		             v[i].n_all >= 2,
		     "%s: stopped by fn, STORE_STOP (%s); run out, STORE_OK (%s, %d rows)",
		     v[i].what, store_strerror(v[i].stopped), store_strerror(v[i].all), v[i].n_all);
	struct count one = {.stop_after = 1};
	T_OK(store_report_get(s, rep, c_report, &one) == STORE_STOP && one.n == 1,
	     "report_get whose fn returns non-zero: STORE_STOP");
	one = (struct count){0};
	T_OK(store_report_get(s, rep, c_report, &one) == STORE_OK && one.n == 1,
	     "report_get: STORE_OK otherwise");
	one = (struct count){.stop_after = 1};
	T_OK(store_release_get(s, rel, c_rel, &one) == STORE_STOP && one.n == 1,
	     "release_get whose fn returns non-zero: STORE_STOP");
	one = (struct count){0};
	T_OK(store_release_get(s, rel, c_rel, &one) == STORE_OK && one.n == 1,
	     "release_get: STORE_OK otherwise");
	store_close(&s);
}

/* An id that names no row: STORE_NOT_FOUND, even where another refusal is STORE_EXISTS. */
static void test_unknown(void)
{
	struct store *s = contract_open_fresh();
	struct store_officer o = {0}, got;
	uint8_t w[50] = {3};
	if (s == NULL)
		return;
	store_id a = officer(s, "unknown-a");
	o.id = FAR_ID;
	o.version = 2;
	memset(o.wrapped_sk, 1, 72);
	o.wrapped_sk_len = 72;
	T_OK(a && store_officer_keys_set(s, &o, 0) == STORE_NOT_FOUND,
	     "keys_set of an unknown officer: STORE_NOT_FOUND");
	T_OK(store_officer_totp_set(s, FAR_ID, 0, w, sizeof w, 5) == STORE_NOT_FOUND,
	     "totp_set of an unknown officer: STORE_NOT_FOUND");
	T_OK(store_officer_login_ok(s, FAR_ID, 5, 19400) == STORE_NOT_FOUND,
	     "login_ok of an unknown officer: STORE_NOT_FOUND");
	char la[64];
	uint8_t pk[STORE_PK_LEN] = {9};
	uint32_t v = 0;
	snprintf(la, sizeof la, "c%s-unknown", contract_tag());
	struct store_label_wrap rec = {STORE_RECOVERY_OFFICER, w, sizeof w}, far = {FAR_ID, w, 30};
	struct count held = {0};
	T_OK(store_label_add(s, la, 1, pk, &rec, 1) == STORE_OK &&
	             store_label_wrap_put(s, la, 1, &far) == STORE_NOT_FOUND &&
	             store_label_current(s, la, &v, pk) == STORE_OK && v == 1 &&
	             store_label_wraps(s, FAR_ID, c_wrap, &held) == STORE_OK && held.n == 0,
	     "label_wrap_put to an unknown officer: STORE_NOT_FOUND, nothing stored");
	T_OK(store_officer_get(s, a, &got) == STORE_OK && got.totp_last_step == 0 &&
	             got.wrapped_sk_len == 0 && got.last_login_day == 0,
	     "and the officer that exists is unchanged");
	store_id src = contract_source(s, 19400, 4), sub = submission(s, src, 19400, 0);
	struct store_marking_change ch = {.kind = "submission",
	                                  .object = FAR_ID,
	                                  .actor = a,
	                                  .day = 19400,
	                                  .old_marking = "SECRET",
	                                  .new_marking = "OFFICIAL"};
	struct count n = {0};
	T_OK(sub && store_submission_mark(s, &ch, NULL) == STORE_NOT_FOUND &&
	             store_marking_changes(s, "submission", FAR_ID, c_change, &n) == STORE_OK &&
	             n.n == 0,
	     "store_submission_mark of an unknown submission: STORE_NOT_FOUND, nothing recorded");
	ch.object = sub;
	ch.old_marking = "CONFIDENTIAL";
	struct store_submission cur;
	T_OK(store_submission_mark(s, &ch, NULL) == STORE_EXISTS &&
	             store_submission_get(s, sub, &cur) == STORE_OK &&
	             strcmp(cur.marking, "SECRET") == 0,
	     "one that exists at another marking: STORE_EXISTS (changed meanwhile)");
	store_id bare = contract_source(s, 19400, 5);
	T_OK(bare && store_desk_set_star(s, bare, true) == STORE_NOT_FOUND &&
	             store_desk_set_label(s, bare, "x") == STORE_NOT_FOUND,
	     "a star or a label on a source without submissions: STORE_NOT_FOUND");

	/* the release domain */
	struct count none = {0};
	struct store_release_decision no = {
	        .state = STORE_RELEASE_REFUSED, .decider = a, .day = 19400, .reason = "no"};
	store_id cp = 0;
	T_OK(store_release_get(s, FAR_ID, c_rel, &none) == STORE_NOT_FOUND && none.n == 0,
	     "release_get of an unknown release: STORE_NOT_FOUND, fn never called");
	T_OK(store_release_decide(s, FAR_ID, &no) == STORE_NOT_FOUND,
	     "release_decide of an unknown release: STORE_NOT_FOUND, not STORE_EXISTS");
	T_OK(store_recipient_disable(s, FAR_ID) == STORE_NOT_FOUND,
	     "recipient_disable of an unknown recipient: STORE_NOT_FOUND");
	T_OK(store_copies(s, FAR_ID, c_copy, &none) == STORE_OK && none.n == 0,
	     "copies of an unknown release: STORE_OK and no row (as label_wraps of an unknown "
	     "officer)");
	store_id r1 = recipient(s, "unknown-r1");
	T_OK(r1 && store_copy_insert(s, FAR_ID, r1, 1, w, sizeof w, &cp) != STORE_OK && cp == 0,
	     "a copy of an unknown release is refused");
	store_close(&s);
}

/* ---- orders ---- */

struct rows {
	int n;
	store_id id[MAXROWS];
	int kind[MAXROWS];
	int32_t day[MAXROWS];
	char name[MAXROWS][STORE_MARKING_MAX];
	int sorted; /* 1 until a row breaks the order checked as rows come */
	char last[STORE_MARKING_MAX];
	int32_t last_day;
	store_id last_id;
};

static int r_file(void *ctx, const struct store_file *f)
{
	struct rows *x = ctx;
	if (x->n < MAXROWS)
		x->id[x->n++] = f->id;
	return 0;
}
static int r_cite(void *ctx, const struct store_cite *c)
{
	struct rows *x = ctx;
	if (x->n < MAXROWS) {
		x->kind[x->n] = c->kind;
		x->id[x->n++] = c->id;
	}
	return 0;
}
static int r_name(void *ctx, const char *name)
{
	struct rows *x = ctx;
	if (x->n < MAXROWS)
		snprintf(x->name[x->n++], STORE_MARKING_MAX, "%s", name);
	return 0;
}
/* Every marking: ids strictly ascending. */
static int r_marking(void *ctx, store_id id, const char *text)
{
	struct rows *x = ctx;
	(void)text;
	if (x->last_id != 0 && id <= x->last_id)
		x->sorted = 0;
	x->last_id = id;
	x->n++;
	return 0;
}
/* Every source: last_day descending, then id descending. */
static int r_source(void *ctx, const struct store_source *src)
{
	struct rows *x = ctx;
	if (x->n > 0 && (src->last_day > x->last_day ||
	                 (src->last_day == x->last_day && src->id >= x->last_id)))
		x->sorted = 0;
	x->last_day = src->last_day;
	x->last_id = src->id;
	x->n++;
	return 0;
}
/* Every officer or list: names strictly ascending, bytewise. */
static int by_name(struct rows *x, const char *name)
{
	if (x->n > 0 && strcmp(x->last, name) >= 0) /* strcmp compares as unsigned char */
		x->sorted = 0;
	snprintf(x->last, sizeof x->last, "%s", name);
	x->n++;
	return 0;
}
static int r_officer(void *ctx, const struct store_officer *o)
{
	return by_name(ctx, o->name);
}
static int r_dist(void *ctx, store_id id, const char *name, store_id owner)
{
	(void)id, (void)owner;
	return by_name(ctx, name);
}
static int r_rcp(void *ctx, const struct store_recipient *r)
{
	return by_name(ctx, r->name);
}
/* Every release: ids strictly descending (newest first). */
static int r_rel(void *ctx, const struct store_release *r)
{
	struct rows *x = ctx;
	if (x->n > 0 && r->id >= x->last_id)
		x->sorted = 0;
	x->last_id = r->id;
	x->n++;
	return 0;
}
/* One release whole: its recipients. */
static int r_rel_rcps(void *ctx, const struct store_release *r)
{
	struct rows *x = ctx;
	for (size_t i = 0; i < r->nrecipients && x->n < MAXROWS; i++)
		x->id[x->n++] = r->recipients[i];
	return 0;
}
static int r_copy(void *ctx, const struct store_copy *c)
{
	struct rows *x = ctx;
	if (x->n < MAXROWS) {
		x->kind[x->n] = (int)c->number;
		x->id[x->n++] = c->recipient;
	}
	return 0;
}

static void test_orders(void)
{
	struct store *s = contract_open_fresh();
	char mk[STORE_MARKING_MAX], nm[3][STORE_DIST_NAME_MAX + 1];
	store_id m = 0, rep = 0, d[3] = {0};
	if (s == NULL)
		return;
	store_id src = contract_source(s, 19500, 6), sub = submission(s, src, 19500, 3);
	struct rows x = {0};
	T_OK(sub && store_submission_files(s, sub, r_file, &x) == STORE_OK && x.n == 3 &&
	             x.id[0] < x.id[1] && x.id[1] < x.id[2],
	     "submission_files: by id, the order given to commit");

	/* names that sort differently bytewise and in a locale: "Z" < "a" < "\xc3\xa9" */
	const char *tails[3] = {"a-list", "\xc3\xa9-list", "Z-list"};
	store_id au = officer(s, "Z-orders"), bo = officer(s, "a-orders");
	snprintf(mk, sizeof mk, "C%s ORDERS", contract_tag());
	int ok = au && bo && store_marking_id(s, mk, &m) == STORE_OK;
	for (int i = 0; i < 3 && ok; i++) {
		snprintf(nm[i], sizeof nm[i], "c%s-%s", contract_tag(), tails[i]);
		ok = store_dist_create(s, nm[i], au, 19500, &d[i]) == STORE_OK;
	}
	struct store_cite cites[] = {{STORE_CITE_REPORT, 9},
	                             {STORE_CITE_SUBMISSION, 8},
	                             {STORE_CITE_REPORT, 2},
	                             {STORE_CITE_SUBMISSION, 30}};
	int64_t readers[] = {au};
	uint8_t body[16] = {5};
	T_OK(ok &&
	             store_report_insert(s, au, 19500, m, 1, body, sizeof body, readers, 1, cites,
	                                 4, &rep) == STORE_OK &&
	             store_report_circulate(s, rep, NULL, 0, d, 3) == STORE_OK,
	     "a report with citations given out of order, circulated to three lists");
	x = (struct rows){0};
	T_OK(store_report_cites(s, rep, r_cite, &x) == STORE_OK && x.n == 4 &&
	             x.kind[0] == STORE_CITE_SUBMISSION && x.id[0] == 8 &&
	             x.kind[1] == STORE_CITE_SUBMISSION && x.id[1] == 30 &&
	             x.kind[2] == STORE_CITE_REPORT && x.id[2] == 2 &&
	             x.kind[3] == STORE_CITE_REPORT && x.id[3] == 9,
	     "report_cites: by kind, then id");
	x = (struct rows){0};
	T_OK(store_report_lists(s, rep, r_name, &x) == STORE_OK && x.n == 3 &&
	             strcmp(x.name[0], nm[2]) == 0 && strcmp(x.name[1], nm[0]) == 0 &&
	             strcmp(x.name[2], nm[1]) == 0,
	     "report_lists: by name, bytewise (\"Z\" before \"a\" before \"\\xc3\\xa9\")");
	x = (struct rows){.sorted = 1};
	T_OK(store_dist_lists(s, r_dist, &x) == STORE_OK && x.n >= 3 && x.sorted,
	     "dist_lists: every list by name, bytewise");
	x = (struct rows){.sorted = 1};
	T_OK(store_officer_list(s, r_officer, &x) == STORE_OK && x.n >= 2 && x.sorted,
	     "officer_list: every officer by name, bytewise");

	/* markings by id: a text that sorts first, added last, still comes last */
	store_id m2 = 0;
	snprintf(mk, sizeof mk, "A%s FIRST BY TEXT", contract_tag());
	x = (struct rows){.sorted = 1};
	T_OK(store_marking_id(s, mk, &m2) == STORE_OK &&
	             store_markings(s, r_marking, &x) == STORE_OK && x.n >= 2 && x.sorted &&
	             x.last_id == m2,
	     "markings: by id");

	/* source_list: ties on the same day, the higher id first */
	store_id t[3];
	for (int i = 0; i < 3; i++)
		t[i] = contract_source(s, 2000000, (uint8_t)(20 + i));
	x = (struct rows){.sorted = 1};
	T_OK(t[0] && t[1] && t[2] && store_source_list(s, 0, 1000000, r_source, &x) == STORE_OK &&
	             x.n >= 3 && x.sorted,
	     "source_list: last_day descending, ties by id descending");

	/* the release domain: recipients by name bytewise, releases newest first, copies by number
	 */
	store_id rc[3] = {0}, rl[2] = {0}, cp = 0;
	uint8_t ch[8] = {1};
	ok = 1;
	for (int i = 0; i < 3 && ok; i++)
		ok = (rc[i] = recipient(s, tails[i])) != 0;
	T_OK(ok && (rl[0] = release(s, rep, au, bo, (int64_t[]){rc[2], rc[0], rc[1]}, 3)) != 0 &&
	             (rl[1] = release(s, rep, bo, 0, (int64_t[]){rc[1]}, 1)) != 0 &&
	             store_copy_insert(s, rl[0], rc[0], 3, ch, sizeof ch, &cp) == STORE_OK &&
	             store_copy_insert(s, rl[0], rc[1], 1, ch, sizeof ch, &cp) == STORE_OK &&
	             store_copy_insert(s, rl[0], rc[2], 2, ch, sizeof ch, &cp) == STORE_OK,
	     "three recipients named out of order, two releases, copies numbered out of order");
	x = (struct rows){.sorted = 1};
	T_OK(store_recipients(s, r_rcp, &x) == STORE_OK && x.n >= 3 && x.sorted,
	     "recipients: every recipient by name, bytewise");
	x = (struct rows){.sorted = 1};
	T_OK(store_releases(s, r_rel, &x) == STORE_OK && x.n >= 2 && x.sorted && x.last_id <= rl[0],
	     "releases: every release by id descending, newest first");
	x = (struct rows){0};
	T_OK(store_release_get(s, rl[0], r_rel_rcps, &x) == STORE_OK && x.n == 3 &&
	             x.id[0] < x.id[1] && x.id[1] < x.id[2],
	     "release_get: its recipients by id, ascending");
	x = (struct rows){0};
	T_OK(store_copies(s, rl[0], r_copy, &x) == STORE_OK && x.n == 3 && x.kind[0] == 1 &&
	             x.kind[1] == 2 && x.kind[2] == 3 && x.id[0] == rc[1] && x.id[1] == rc[2] &&
	             x.id[2] == rc[0],
	     "copies: by number, whatever the order they were made in");
	store_close(&s);
}

/* ---- smaller points ---- */

static void test_small(void)
{
	struct store *s = contract_open_fresh();
	char key[64];
	uint8_t val[100], buf[10];
	size_t len = 0;
	if (s == NULL)
		return;
	snprintf(key, sizeof key, "c%s-rules", contract_tag());
	contract_fill(val, sizeof val, 5, 0);
	T_OK(store_meta_set(s, key, val, sizeof val) == STORE_OK &&
	             store_meta_get(s, key, buf, sizeof buf, &len) == STORE_TOO_LARGE &&
	             len == sizeof val,
	     "meta_get into a short buffer: STORE_TOO_LARGE, *len the value's length");
	uint8_t pk[STORE_PK_LEN] = {1}, w[20] = {2};
	char la[64];
	uint32_t v = 9;
	snprintf(la, sizeof la, "c%s-zero", contract_tag());
	struct store_label_wrap wr = {STORE_RECOVERY_OFFICER, w, sizeof w};
	T_OK(store_label_add(s, la, 0, pk, &wr, 1) == STORE_TOO_LARGE &&
	             store_label_current(s, la, &v, pk) == STORE_NOT_FOUND,
	     "label_add of version 0: STORE_TOO_LARGE, nothing stored");
	store_id pending = contract_blob(s, 77, 5000);
	uint64_t size = 0;
	T_OK(pending && contract_reopen(&s) == 0 &&
	             store_blob_size(s, pending, &size) == STORE_NOT_FOUND,
	     "a blob still pending at a clean close is gone after the reopen");
	store_close(&s);
}

int main(void)
{
	contract_init("contract_rules");
	test_stop();
	test_unknown();
	test_orders();
	test_small();
	return contract_done();
}
