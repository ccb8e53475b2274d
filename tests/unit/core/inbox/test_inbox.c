/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * The inbox's bounds never hide anything (core/inbox/inbox.h):
 *
 * - a page that reaches INBOX_SCAN_MAX rows before it is full ends short with
 *   a cursor to the next, so a readable source or submission behind more than
 *   INBOX_SCAN_MAX unreadable ones is still reached by paging (it used to be
 *   silently left out: the page ended with no next);
 * - a source's visibility and counts cover all its submissions, however many
 *   unreadable ones come first;
 * - the longest message a source may send (max_message_chars at its highest,
 *   4 bytes a character) opens for reading (the reader's cap was 8 MiB).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/inbox/inbox.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/store/store.h"
#include "core/store/store_desk.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-inbox-XXXXXX";
static uint64_t now = 1700000000;

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

static struct officer_key *enrol_login(struct officers *o, const char *name, const char *pw)
{
	char uri[TOTP_URI_MAX], c[16], b32[TOTP_B32_MAX];
	struct officer_key *k = NULL;
	now += 30;
	if (officer_enrol_begin(o, name, pw, now, b32, uri, sizeof uri) != OFFICER_OK)
		return NULL;
	code_at(b32, now, c);
	if (officer_enrol_finish(o, name, pw, b32, c, now) != OFFICER_OK)
		return NULL;
	now += 30;
	code_at(b32, now, c);
	if (officer_login(o, name, pw, c, now, &k, NULL) != OFFICER_OK)
		return NULL;
	return k;
}

/* ---- many rows, made directly in the store in one transaction ---- */

/* unreadable rows in front of the readable one: more than a page examines (in batches) */
#define HIDDEN (INBOX_SCAN_MAX + 1000)

struct many {
	int sources;           /* 1: HIDDEN sources of one submission each; 0: one source */
	store_id first_source; /* the source of the readable submission */
	store_id readable;     /* that submission */
};

static enum store_result make_many(struct store *s, void *arg)
{
	struct many *m = arg;
	uint8_t lookup[STORE_LOOKUP_LEN], pk[STORE_PK_LEN];
	store_id src = 0, sub;
	enum store_result r;
	randombytes_buf(pk, sizeof pk);
	/* the oldest: readable by ivy (SECRET) */
	randombytes_buf(lookup, sizeof lookup);
	if ((r = store_source_create(s, lookup, pk, 20000, &src)) != STORE_OK ||
	    (r = store_submission_commit(s, src, 20000, "SECRET", 0, 0, NULL, 0, &m->readable)) !=
	            STORE_OK)
		return r;
	m->first_source = src;
	for (int i = 0; i < HIDDEN; i++) {
		if (m->sources) {
			randombytes_buf(lookup, sizeof lookup);
			if ((r = store_source_create(s, lookup, pk, 20000, &src)) != STORE_OK)
				return r;
		}
		r = store_submission_commit(s, src, 20000, "TOP SECRET", 0, 0, NULL, 0, &sub);
		if (r != STORE_OK)
			return r;
	}
	return STORE_OK;
}

/*
 * Pages through k's sources through f (at most 50 pages): how many rows were
 * listed; *found: whether want was; *other: rows listed that are neither want
 * nor also (0: none allowed).
 */
static int filter_pages(struct inbox *ib, const struct officer_key *k, const struct inbox_filter *f,
                        store_id want, store_id also, int *found, int *other)
{
	struct store_desk_source rows[10];
	store_id before = 0, next = 0;
	int total = 0;
	*found = *other = 0;
	for (int page = 0; page < 50; page++) {
		size_t n = 0;
		if (inbox_sources_filtered(ib, k, before, f, rows, 10, &n, &next) != INBOX_OK)
			return -1;
		for (size_t i = 0; i < n; i++) {
			total++;
			if (rows[i].src.id == want)
				*found = 1;
			else if (rows[i].src.id != also)
				(*other)++;
		}
		if (next == 0)
			return total;
		before = next;
	}
	return -1;
}

/* Pages through ivy's sources; whether `want` was listed, and how many pages it took. */
static int sources_reach(struct inbox *ib, const struct officer_key *k, store_id want, int *pages,
                         int *first_empty_with_next)
{
	struct store_desk_source rows[10];
	store_id before = 0, next = 0;
	int found = 0;
	*pages = 0;
	do {
		size_t n = 0;
		if (inbox_sources(ib, k, before, false, rows, 10, &n, &next) != INBOX_OK)
			return -1;
		if (*pages == 0)
			*first_empty_with_next = n == 0 && next != 0;
		for (size_t i = 0; i < n; i++)
			found |= rows[i].src.id == want;
		before = next;
	} while (next != 0 && ++*pages < 50);
	return found;
}

static int subs_reach(struct inbox *ib, const struct officer_key *k, store_id source, store_id want,
                      int *first_empty_with_next)
{
	struct store_submission rows[10];
	store_id before = 0, next = 0;
	int found = 0, pages = 0;
	do {
		size_t n = 0;
		if (inbox_submissions(ib, k, source, before, rows, 10, &n, &next) != INBOX_OK)
			return -1;
		if (pages == 0)
			*first_empty_with_next = n == 0 && next != 0;
		for (size_t i = 0; i < n; i++)
			found |= rows[i].id == want;
		before = next;
	} while (next != 0 && ++pages < 50);
	return found;
}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[PATH_MAX], idpath[PATH_MAX + 64];
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	struct instance_error ierr;
	struct instance *inst = NULL;
	T_CHECK(instance_init(dir, NULL, NULL, &ierr) == INSTANCE_OK);
	T_CHECK(instance_open(dir, &inst, &ierr) == INSTANCE_OK);
	struct store *s = instance_store(inst);
	struct age_identity *admin_id = NULL, *intake_id = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &ierr) == INSTANCE_OK);

	struct marking_scheme sch;
	struct marking_error merr;
	T_CHECK(marking_scheme_init(&sch, MARKING_UK, "HUMINT, SOURCE", "GBR", &merr) ==
	        MARKING_OK);
	struct registry *reg = NULL;
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	const char *root_pw = "root password is long enough", *ivy_pw = "ivy reads secret things";
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root",
	                          ROLE_ADMIN | ROLE_INTAKE | ROLE_ANALYST, "TOP SECRET", "GBR",
	                          root_pw, NULL) == OFFICER_OK);
	struct officer_key *kr = enrol_login(o, "root", root_pw);
	T_CHECK(kr != NULL);
	T_CHECK(officer_add(o, kr, "ivy", ROLE_INTAKE | ROLE_ANALYST, "SECRET", "GBR", ivy_pw,
	                    NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr, "ivy") == REGISTRY_OK);
	struct officer_key *ki = enrol_login(o, "ivy", ivy_pw);
	T_CHECK(ki != NULL);

	uint8_t label_pk[32], salt[INSTANCE_SALT_LEN];
	instance_intake_label_pk(inst, label_pk);
	instance_codename_salt(inst, salt);
	struct intake_kdf ikdf = {1, 8u << 20};
	struct intake_limits ilim = {.max_upload_bytes = 1 << 20,
	                             .max_message_bytes = CONF_MESSAGE_CHARS_MAX,
	                             .max_files = 2,
	                             .submissions_per_day = 3};
	struct intake *in = NULL;
	T_CHECK(intake_new(s, label_pk, salt, &ikdf, &ilim, "SECRET", &in) == INTAKE_OK);
	struct inbox *ib = NULL;
	T_CHECK(inbox_new(s, reg, in, &ib) == INBOX_OK);

	/* the navigation's count: the unread submissions each may read */
	uint8_t lk[STORE_LOOKUP_LEN], cpk[STORE_PK_LEN];
	store_id csrc = 0, csec = 0, ctop = 0;
	int64_t cn = -1;
	bool cmore = true;
	randombytes_buf(lk, sizeof lk);
	randombytes_buf(cpk, sizeof cpk);
	T_CHECK(store_source_create(s, lk, cpk, 20000, &csrc) == STORE_OK);
	T_CHECK(store_submission_commit(s, csrc, 20000, "SECRET", 0, 0, NULL, 0, &csec) ==
	        STORE_OK);
	T_CHECK(store_submission_commit(s, csrc, 20000, "TOP SECRET", 0, 0, NULL, 0, &ctop) ==
	        STORE_OK);
	T_OK(inbox_unread_count(ib, ki, &cn, &cmore) == INBOX_OK && cn == 1 && !cmore,
	     "count: ivy (SECRET) counts the SECRET one only (%lld)", (long long)cn);
	T_OK(inbox_unread_count(ib, kr, &cn, &cmore) == INBOX_OK && cn == 2 && !cmore,
	     "count: root (TOP SECRET) counts both (%lld)", (long long)cn);
	T_CHECK(store_submission_mark_read(s, csec) == STORE_OK);
	T_OK(inbox_unread_count(ib, ki, &cn, &cmore) == INBOX_OK && cn == 0 && !cmore &&
	             inbox_unread_count(ib, kr, &cn, &cmore) == INBOX_OK && cn == 1 && !cmore,
	     "count: a submission read leaves both counts");
	T_CHECK(inbox_delete_source(ib, kr, csrc) == INBOX_OK); /* out of the way of what follows */

	/* sources: the readable one behind HIDDEN unreadable ones */
	struct many m1 = {.sources = 1};
	T_CHECK(store_write(s, NULL, 0, make_many, &m1) == STORE_OK);
	int pages = 0, short_first = 0;
	T_CHECK(sources_reach(ib, ki, m1.first_source, &pages, &short_first) == 1);
	T_CHECK(short_first); /* the first page stops at the bound, empty, with a next */
	T_CHECK(pages >= 1 && pages < 50);

	/* one source: its readable submission behind HIDDEN unreadable ones */
	struct many m2 = {.sources = 0};
	T_CHECK(store_write(s, NULL, 0, make_many, &m2) == STORE_OK);
	struct store_desk_source one;
	T_CHECK(inbox_source(ib, ki, m2.first_source, &one) == INBOX_OK); /* visible to ivy */
	T_CHECK(one.src.nsubmissions == 1 && one.src.nunread == 1);
	T_CHECK(inbox_source(ib, kr, m2.first_source, &one) == INBOX_OK);
	T_CHECK(one.src.nsubmissions == HIDDEN + 1);
	T_CHECK(subs_reach(ib, ki, m2.first_source, m2.readable, &short_first) == 1);
	T_CHECK(short_first);
	T_OK(inbox_unread_count(ib, kr, &cn, &cmore) == INBOX_OK && cn == INBOX_COUNT_MAX && cmore,
	     "count: root's stops at INBOX_COUNT_MAX, with more");
	T_OK(inbox_unread_count(ib, ki, &cn, &cmore) == INBOX_OK && cn == 0 && cmore,
	     "count: ivy's readable ones lie behind INBOX_COUNT_SCAN unreadable: 0, and maybe "
	     "more");

	/* a label is sealed in the store and opened for those who may see the source */
	T_OK(inbox_label(ib, ki, m2.first_source, "lead: ministry") == INBOX_OK &&
	             inbox_source(ib, ki, m2.first_source, &one) == INBOX_OK &&
	             strcmp(one.label, "lead: ministry") == 0 &&
	             inbox_source(ib, kr, m2.first_source, &one) == INBOX_OK &&
	             strcmp(one.label, "lead: ministry") == 0,
	     "label: set by ivy, read back by ivy and root");
	struct store_desk_source row;
	T_OK(store_desk_source(s, m2.first_source, &row) == STORE_OK &&
	             strstr(row.label, "ministry") == NULL && strncmp(row.label, "YWdl", 4) == 0,
	     "label: the store keeps an age file (base64), not the text (%.12s...)", row.label);

	/* filters: the store narrows, the access decision and the opened label decide */
	struct inbox_filter f;
	int found = 0, other = 0;
	memset(&f, 0, sizeof f);
	snprintf(f.marking, sizeof f.marking, "SECRET");
	T_OK(filter_pages(ib, ki, &f, m2.first_source, m1.first_source, &found, &other) == 2 &&
	             found && other == 0,
	     "marking SECRET: both readable sources, across the unreadable rows");
	snprintf(f.marking, sizeof f.marking, "TOP SECRET");
	T_OK(filter_pages(ib, ki, &f, m2.first_source, 0, &found, &other) == 0,
	     "marking TOP SECRET: ivy may read none of them, nothing is listed");
	struct store_desk_source rows[10];
	size_t nrows = 0;
	store_id next = 0;
	T_OK(inbox_sources_filtered(ib, kr, 0, &f, rows, 10, &nrows, &next) == INBOX_OK &&
	             nrows == 10 && next != 0,
	     "marking TOP SECRET: root reads them, a full page and a next");
	memset(&f, 0, sizeof f);
	snprintf(f.label, sizeof f.label, "  LEAD:   ministry ");
	T_OK(filter_pages(ib, ki, &f, m2.first_source, 0, &found, &other) == 1 && found,
	     "label, normalised: found by its blind index for ivy");
	T_OK(filter_pages(ib, kr, &f, m2.first_source, 0, &found, &other) == 1 && found,
	     "label: and for root (another officer holding the intake label)");
	snprintf(f.label, sizeof f.label, "lead");
	T_OK(filter_pages(ib, ki, &f, m2.first_source, 0, &found, &other) == 0,
	     "label: another label finds nothing");
	memset(&f, 0, sizeof f);
	f.unread = true;
	f.day_from = 20000;
	f.day_to = 20000;
	snprintf(f.marking, sizeof f.marking, "SECRET");
	T_OK(filter_pages(ib, ki, &f, m2.first_source, m1.first_source, &found, &other) == 2 &&
	             found && other == 0,
	     "unread, a day and a marking combine");
	f.day_to = 19999;
	T_OK(filter_pages(ib, ki, &f, m2.first_source, 0, &found, &other) == 0,
	     "a day range before every submission: nothing");
	memset(&f, 0, sizeof f);
	snprintf(f.label, sizeof f.label, "tab\there");
	T_OK(inbox_sources_filtered(ib, ki, 0, &f, rows, 10, &nrows, &next) == INBOX_BAD_INPUT,
	     "a label with a control character: bad input");

	char longer[INBOX_LABEL_MAX + 2];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	T_OK(inbox_label(ib, ki, m2.first_source, longer) == INBOX_BAD_INPUT &&
	             inbox_label(ib, ki, m2.first_source, "tab\there") == INBOX_BAD_INPUT,
	     "label: over INBOX_LABEL_MAX bytes, or a control character: bad input");
	T_OK(inbox_label(ib, ki, m2.first_source, "") == INBOX_OK &&
	             store_desk_source(s, m2.first_source, &row) == STORE_OK &&
	             row.label[0] == '\0',
	     "label: \"\" clears it");

	/* bulk: each source through its own use case, with the access decision applied to each */
	T_OK(inbox_mark_read(ib, ki, m2.first_source) == INBOX_OK &&
	             inbox_source(ib, ki, m2.first_source, &one) == INBOX_OK &&
	             one.src.nunread == 0 &&
	             inbox_source(ib, kr, m2.first_source, &one) == INBOX_OK &&
	             one.src.nunread == HIDDEN,
	     "mark read: what ivy may read is read, what she may not is left unread");
	int64_t nchanged = -1;
	T_OK(inbox_mark(ib, ki, m2.first_source, false, &nchanged) == INBOX_OK && nchanged > 0 &&
	             inbox_source(ib, ki, m2.first_source, &one) == INBOX_OK &&
	             one.src.nunread == nchanged &&
	             inbox_source(ib, kr, m2.first_source, &one) == INBOX_OK &&
	             one.src.nunread == HIDDEN + nchanged,
	     "mark unread: what ivy may read is unread again, nothing else changed");
	T_OK(inbox_mark(ib, ki, m2.first_source, false, &nchanged) == INBOX_OK && nchanged == 0,
	     "mark unread again: nothing changes");
	T_OK(inbox_mark(ib, ki, m2.first_source, true, &nchanged) == INBOX_OK && nchanged > 0 &&
	             inbox_source(ib, ki, m2.first_source, &one) == INBOX_OK &&
	             one.src.nunread == 0,
	     "and read again");
	store_id hidden_src = m1.first_source + 1; /* one TOP SECRET submission: not ivy's */
	T_CHECK(inbox_source(ib, ki, hidden_src, &one) == INBOX_NOT_FOUND &&
	        inbox_source(ib, kr, hidden_src, &one) == INBOX_OK);
	store_id pick[3] = {m1.first_source, hidden_src, m2.first_source};
	struct inbox_bulk_result br;
	T_OK(inbox_bulk(ib, ki, INBOX_BULK_STAR, pick, 3, NULL, &br) == INBOX_OK && br.done == 2 &&
	             br.refused == 1 && store_desk_source(s, hidden_src, &row) == STORE_OK &&
	             !row.starred && store_desk_source(s, m1.first_source, &row) == STORE_OK &&
	             row.starred,
	     "bulk star: two done, the source ivy may not see skipped and counted");
	T_OK(inbox_bulk(ib, ki, INBOX_BULK_LABEL, pick, 3, "tab\there", &br) == INBOX_BAD_INPUT &&
	             br.done == 0,
	     "bulk label: a bad label is refused before anything is done");
	T_OK(inbox_bulk(ib, ki, INBOX_BULK_DELETE, pick + 1, 2, NULL, &br) == INBOX_OK &&
	             br.done == 0 && br.refused == 2 &&
	             inbox_source(ib, kr, m2.first_source, &one) == INBOX_OK,
	     "bulk delete: a source with submissions ivy may not read is not deleted, counted");
	store_id *lots = calloc(INBOX_BULK_MAX + 1, sizeof *lots);
	T_CHECK(lots != NULL);
	for (size_t i = 0; i <= INBOX_BULK_MAX; i++)
		lots[i] = m1.first_source;
	T_OK(inbox_bulk(ib, ki, INBOX_BULK_UNSTAR, lots, INBOX_BULK_MAX + 1, NULL, &br) ==
	                     INBOX_BAD_INPUT &&
	             store_desk_source(s, m1.first_source, &row) == STORE_OK && row.starred,
	     "bulk: more than INBOX_BULK_MAX is refused, nothing done");
	free(lots);

	/* the longest message a source may send opens (4-byte characters) */
	size_t chars = CONF_MESSAGE_CHARS_MAX, len = chars * 4;
	char *msg = malloc(len);
	T_CHECK(msg != NULL);
	for (size_t i = 0; i < chars; i++)
		memcpy(msg + 4 * i, "\xf0\x9f\x93\x84", 4); /* U+1F4C4 */
	char codename[INTAKE_CODENAME_MAX];
	uint8_t sk[32];
	store_id src = 0, sub = 0;
	struct intake_upload *up = NULL;
	T_CHECK(intake_source_create(in, codename, sizeof codename, &src, sk) == INTAKE_OK);
	T_CHECK(intake_upload_begin(in, src, &up) == INTAKE_OK);
	T_CHECK(intake_upload_message(up, msg, len) == INTAKE_OK);
	T_CHECK(intake_upload_commit(up, &sub) == INTAKE_OK);
	intake_upload_free(&up);
	struct inbox_reading rd;
	T_CHECK(inbox_read(ib, ki, sub, &rd) == INBOX_OK);
	T_CHECK(!rd.message_failed && rd.message.len == len &&
	        memcmp(rd.message.data, msg, len) == 0);
	inbox_reading_release(&rd);
	free(msg);

	inbox_free(&ib);
	intake_free(&in);
	officer_key_free(&kr);
	officer_key_free(&ki);
	officers_free(&o);
	registry_free(&reg);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	T_CHECK(system(cmd) == 0);
	return t_done();
}
