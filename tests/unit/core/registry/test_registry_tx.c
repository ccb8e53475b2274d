/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Each registry action commits with its ledger entries in one transaction
 * (store_write): after a success the change and its entries are there
 * together; when the append fails (a damaged ledger head, injected through a
 * second SQLite connection), the action fails and leaves nothing, and once
 * the head is mended the ledger verifies. The actions: a marking's label
 * made, a report written and circulated, clearance changes (a wrap, a wrap
 * with a new version, a revocation with a rotation, a label made for a
 * marking in use), and a submission's marking raised, lowered or resealed
 * (with a file-backed blob claimed by the transaction).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/store/store_officer.h"
#include "core/store/store_registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-registry-tx-XXXXXX";
static char dbpath[PATH_MAX + 64];
static uint64_t now = 1700000000;
static struct store *s;
static struct registry *reg;

/* ---- the injected fault ---- */

static int sql(const char *q)
{
	sqlite3 *db = NULL;
	int ok = sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	         sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	         sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok ? 0 : -1;
}

/* Breaks the ledger's head (an append then fails), and mends it. */
static int break_ledger(void)
{
	return sql("CREATE TABLE IF NOT EXISTS saved_head AS SELECT * FROM ledger_head;"
	           "UPDATE ledger_head SET frontier = x'00'");
}

static int mend_ledger(void)
{
	return sql("UPDATE ledger_head SET frontier = (SELECT frontier FROM saved_head);"
	           "DROP TABLE saved_head");
}

static int verifies(void)
{
	struct ledger_verify_report rep;
	enum ledger_result r = ledger_verify(s, NULL, &rep);
	if (r != LEDGER_OK)
		fprintf(stderr, "verify %d: %s\n", r, rep.msg);
	return r == LEDGER_OK;
}

/* ---- the ledger ---- */

static uint64_t ledger_len(void)
{
	uint64_t n = 0;
	return ledger_size(s, &n) == LEDGER_OK ? n : UINT64_MAX;
}

/* Entry i, parsed; -1 if none. */
static int entry(uint64_t i, struct ledger_entry *pe)
{
	uint8_t e[LEDGER_ENTRY_MAX];
	size_t len;
	if (ledger_entry(s, i, e, &len) != LEDGER_OK || ledger_entry_parse(e, len, pe) != LEDGER_OK)
		return -1;
	return 0;
}

/* Whether entry i is action on object with marking (NULL: any). */
static int entry_is(uint64_t i, enum ledger_action action, const char *object, const char *marking)
{
	struct ledger_entry pe;
	return entry(i, &pe) == 0 && pe.action == action && strcmp(pe.object, object) == 0 &&
	       (marking == NULL || strcmp(pe.marking, marking) == 0);
}

/* Whether an entry from index `from` on is action on object with marking. */
static int has_entry(uint64_t from, enum ledger_action action, const char *object,
                     const char *marking)
{
	uint64_t n = ledger_len();
	for (uint64_t i = from; i < n; i++)
		if (entry_is(i, action, object, marking))
			return 1;
	return 0;
}

static const char *obj(const char *kind, store_id id)
{
	static char b[4][LEDGER_TOKEN_MAX + 1];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof b[k], "%s:%lld", kind, (long long)id);
	return b[k];
}

/* ---- officers ---- */

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

struct who {
	const char *name, *pw;
	char b32[TOTP_B32_MAX];
};

static struct officer_key *enrol_login(struct officers *o, struct who *w)
{
	char uri[TOTP_URI_MAX], c[16];
	struct officer_key *k = NULL;
	now += 30;
	if (officer_enrol_begin(o, w->name, w->pw, now, w->b32, uri, sizeof uri) != OFFICER_OK)
		return NULL;
	code_at(w->b32, now, c);
	if (officer_enrol_finish(o, w->name, w->pw, w->b32, c, now) != OFFICER_OK)
		return NULL;
	now += 30;
	code_at(w->b32, now, c);
	if (officer_login(o, w->name, w->pw, c, now, &k, NULL) != OFFICER_OK)
		return NULL;
	return k;
}

static store_id officer_id(const char *name)
{
	struct store_officer row;
	return store_officer_find(s, name, &row) == STORE_OK ? row.id : 0;
}

/* ---- labels ---- */

static uint32_t label_version(const char *name)
{
	uint32_t v = 0;
	uint8_t pk[32];
	return label_current(s, name, &v, pk) == LABEL_OK ? v : 0;
}

struct wraps {
	const char *name;
	int n;
	uint32_t top;
};

static int count_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	(void)w;
	(void)n;
	struct wraps *c = ctx;
	if (strcmp(name, c->name) == 0) {
		c->n++;
		c->top = v > c->top ? v : c->top;
	}
	return 0;
}

/* How many wraps of label `name` officer holds; *top: the highest version. */
static int wraps_of(store_id officer, const char *name, uint32_t *top)
{
	struct wraps c = {.name = name};
	if (label_wraps(s, officer, count_wrap, &c) != LABEL_OK)
		return -1;
	if (top)
		*top = c.top;
	return c.n;
}

/* ---- reports ---- */

static store_id write(const struct officer_key *k, const char *text, enum registry_result *res)
{
	static struct registry_input_para paras[REGISTRY_PARAS_MAX];
	struct registry_report_input in;
	struct registry_error err;
	struct registry_written w = {0};
	*res = registry_report_parse(text, strlen(text), paras, REGISTRY_PARAS_MAX, &in, &err);
	if (*res == REGISTRY_OK)
		*res = registry_report_write(reg, k, &in, &w, &err);
	return w.id;
}

struct seen {
	store_id ids[64];
	int n;
};

static int see(void *ctx, const struct registry_listing *l)
{
	struct seen *sn = ctx;
	if (sn->n < 64)
		sn->ids[sn->n++] = l->id;
	return 0;
}

/* How many reports officer may read (-1 on failure); whether id is among them. */
static int64_t readable(store_id officer, store_id id, bool *has)
{
	struct seen sn = {0};
	int64_t total = 0;
	if (registry_report_list(reg, officer, 0, 0, see, &sn, &total) != REGISTRY_OK)
		return -1;
	if (has != NULL) {
		*has = false;
		for (int i = 0; i < sn.n; i++)
			*has = *has || sn.ids[i] == id;
	}
	return total;
}

static int count_name(void *ctx, const char *name)
{
	(void)name;
	++*(int *)ctx;
	return 0;
}

static int lists_of(store_id report)
{
	int n = 0;
	return store_report_lists(s, report, count_name, &n) == STORE_OK ? n : -1;
}

/* ---- submissions ---- */

static store_id upload(struct intake *in, const char *msg, size_t file_bytes)
{
	char codename[INTAKE_CODENAME_MAX];
	uint8_t sk[32], chunk[4096];
	store_id src = 0, sub = 0;
	struct intake_upload *up = NULL;
	if (intake_source_create(in, codename, sizeof codename, &src, sk) != INTAKE_OK ||
	    intake_upload_begin(in, src, &up) != INTAKE_OK)
		return 0;
	enum intake_result r = intake_upload_message(up, msg, strlen(msg));
	if (r == INTAKE_OK)
		r = intake_upload_file_begin(up, "f.bin", "application/octet-stream");
	randombytes_buf(chunk, sizeof chunk);
	for (size_t done = 0; r == INTAKE_OK && done < file_bytes; done += sizeof chunk)
		r = intake_upload_file_data(up, chunk, sizeof chunk);
	if (r == INTAKE_OK)
		r = intake_upload_file_end(up);
	if (r != INTAKE_OK || intake_upload_commit(up, &sub) != INTAKE_OK)
		sub = 0;
	intake_upload_free(&up);
	return sub;
}

/* How many spill files (blobs over one chunk) the store keeps beside store.db. */
static int spill_files(void)
{
	char d[PATH_MAX + 80];
	snprintf(d, sizeof d, "%s.blobs", dbpath);
	DIR *dir = opendir(d);
	if (dir == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

static int first_file(void *ctx, const struct store_file *f)
{
	*(struct store_file *)ctx = *f;
	return 1;
}

static int count_change(void *ctx, const struct store_marking_change *c)
{
	(void)c;
	++*(int *)ctx;
	return 0;
}

/* A submission's row, its first file and how many marking changes it has recorded. */
struct sub_state {
	struct store_submission row;
	struct store_file file;
	int changes;
};

static int sub_state(store_id id, struct sub_state *st)
{
	memset(st, 0, sizeof *st);
	if (store_submission_get(s, id, &st->row) != STORE_OK ||
	    store_marking_changes(s, "submission", id, count_change, &st->changes) != STORE_OK)
		return -1;
	enum store_result r = store_submission_files(s, id, first_file, &st->file);
	return r == STORE_OK || r == STORE_STOP ? 0 : -1;
}

/* The same marking, label version and blobs, every blob still there, no change recorded. */
static int sub_same(store_id id, const struct sub_state *before)
{
	struct sub_state now_;
	uint64_t size = 0;
	return sub_state(id, &now_) == 0 && strcmp(now_.row.marking, before->row.marking) == 0 &&
	       now_.row.seal_version == before->row.seal_version &&
	       now_.row.message_blob == before->row.message_blob &&
	       now_.file.meta_blob == before->file.meta_blob &&
	       now_.file.data_blob == before->file.data_blob && now_.changes == before->changes &&
	       store_blob_size(s, now_.row.message_blob, &size) == STORE_OK &&
	       store_blob_size(s, now_.file.data_blob, &size) == STORE_OK;
}

/* Marked `marking` at its label's current version, its blobs replaced and the old ones gone. */
static int sub_moved(store_id id, const struct sub_state *before, const char *marking, int changes)
{
	struct sub_state now_;
	char lname[LABEL_NAME_MAX];
	uint64_t size = 0;
	snprintf(lname, sizeof lname, "marking:%s", marking);
	return sub_state(id, &now_) == 0 && strcmp(now_.row.marking, marking) == 0 &&
	       now_.row.seal_version == label_version(lname) && now_.row.seal_version > 0 &&
	       now_.row.message_blob != before->row.message_blob &&
	       now_.file.data_blob != before->file.data_blob && now_.changes == changes &&
	       store_blob_size(s, before->row.message_blob, &size) == STORE_NOT_FOUND &&
	       store_blob_size(s, before->file.data_blob, &size) == STORE_NOT_FOUND;
}

static struct marking mk(const char *text)
{
	struct marking m;
	memset(&m, 0, sizeof m);
	if (marking_parse(registry_scheme(reg), text, strlen(text), &m, NULL) != MARKING_OK)
		fprintf(stderr, "bad marking %s\n", text);
	return m;
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
	s = instance_store(inst);
	snprintf(dbpath, sizeof dbpath, "%s/%s", dir, INSTANCE_STORE);
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
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);

	struct who root = {.name = "root", .pw = "root password is long enough"},
	           ada = {.name = "ada", .pw = "ada administers and reads nothing"};
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root",
	                          ROLE_ADMIN | ROLE_INTAKE | ROLE_ANALYST,
	                          "TOP SECRET//HUMINT/SOURCE", "GBR", root.pw, NULL) == OFFICER_OK);
	struct officer_key *kr = enrol_login(o, &root);
	T_CHECK(kr != NULL);
	T_CHECK(officer_add(o, kr, "bob", ROLE_ANALYST, "SECRET", "GBR",
	                    "bob analyses secret things", NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr, "bob") == REGISTRY_OK);
	T_CHECK(officer_add(o, kr, "ada", ROLE_ADMIN, "OFFICIAL", "GBR", ada.pw, NULL) ==
	        OFFICER_OK);
	struct officer_key *ka = enrol_login(o, &ada);
	T_CHECK(ka != NULL);
	store_id root_id = officer_key_id(kr), bob = officer_id("bob");
	T_CHECK(bob > 0);
	const char *bob_obj = "officer:bob";
	uint64_t n0;

	/* ---- a marking's label made: the version and its label.rotate entry ---- */
	struct marking m_sh = mk("SECRET//HUMINT"), m_tsh = mk("TOP SECRET//HUMINT");
	uint32_t v = 0;
	uint8_t pk[32];
	n0 = ledger_len();
	T_CHECK(registry_label(reg, &m_sh, &v, pk) == REGISTRY_OK && v == 1);
	T_OK(ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "label:marking", "SECRET//HUMINT") &&
	             label_version("marking:SECRET//HUMINT") == 1 &&
	             wraps_of(root_id, "marking:SECRET//HUMINT", NULL) == 1,
	     "label made: version 1, wrapped, with its label.rotate entry");
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_label(reg, &m_tsh, &v, pk) == REGISTRY_FAILED &&
	             label_version("marking:TOP SECRET//HUMINT") == 0 &&
	             wraps_of(root_id, "marking:TOP SECRET//HUMINT", NULL) == 0,
	     "a failed append: no label was made, nothing wrapped");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "label: nothing reached the ledger; it verifies");

	/* ---- report write: the report and its report.write entry ---- */
	enum registry_result res;
	n0 = ledger_len();
	int64_t nrep = readable(root_id, 0, NULL);
	store_id r1 = write(kr, "(S) Title\n\n(S) a secret paragraph\n", &res);
	T_OK(res == REGISTRY_OK && r1 > 0 && readable(root_id, 0, NULL) == nrep + 1 &&
	             ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "label:marking", "SECRET") &&
	             entry_is(n0 + 1, LEDGER_REPORT_WRITE, obj("report", r1), "SECRET"),
	     "report write: the report and its report.write entry (after its new label's)");
	store_id r2 = write(kr, "(S) Second\n\n(S) another\n", &res);
	T_CHECK(res == REGISTRY_OK && r2 > 0 &&
	        entry_is(ledger_len() - 1, LEDGER_REPORT_WRITE, obj("report", r2), "SECRET"));
	T_CHECK(registry_dist_create(reg, kr, "posts", NULL) == REGISTRY_OK &&
	        registry_dist_member(reg, kr, "posts", "bob", true, NULL) == REGISTRY_OK);
	nrep = readable(root_id, 0, NULL);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	write(kr, "(S) Lost\n\n(S) never stored\n", &res);
	T_OK(res == REGISTRY_FAILED && readable(root_id, 0, NULL) == nrep,
	     "a failed append: no report was stored");
	write(kr, "(TS//HUMINT) Lost too\n\n(TS//HUMINT) its label is new\n", &res);
	T_OK(res == REGISTRY_FAILED && readable(root_id, 0, NULL) == nrep &&
	             label_version("marking:TOP SECRET//HUMINT") == 0,
	     "a failed append: no report, and no label for its new marking");

	/* ---- report circulate: the readers and its report.circulate entry ---- */
	const char *to_bob[] = {"bob"}, *posts[] = {"posts"};
	bool has = false;
	int64_t nbob = readable(bob, 0, NULL);
	T_OK(registry_report_circulate(reg, kr, r2, NULL, 0, to_bob, 1, NULL) == REGISTRY_FAILED &&
	             readable(bob, r2, &has) == nbob && !has,
	     "a failed append: the report was not circulated to an officer");
	T_OK(registry_report_circulate(reg, kr, r2, posts, 1, NULL, 0, NULL) == REGISTRY_FAILED &&
	             readable(bob, r2, &has) == nbob && !has && lists_of(r2) == 0,
	     "a failed append: nor to a list");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "reports: nothing reached the ledger; it verifies");
	n0 = ledger_len();
	T_OK(registry_report_circulate(reg, kr, r1, NULL, 0, to_bob, 1, NULL) == REGISTRY_OK &&
	             readable(bob, r1, &has) == nbob + 1 && has && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_REPORT_CIRCULATE, obj("report", r1), "SECRET"),
	     "report circulate: bob reads it, with its report.circulate entry");
	T_OK(registry_report_circulate(reg, kr, r2, posts, 1, NULL, 0, NULL) == REGISTRY_OK &&
	             readable(bob, r2, &has) == nbob + 2 && has && lists_of(r2) == 1 &&
	             entry_is(n0 + 1, LEDGER_REPORT_CIRCULATE, obj("report", r2), "SECRET"),
	     "report circulate to a list: its members read it, with the entry");

	/* ---- clearance raised: the wrap and its clearance.grant entry ---- */
	T_CHECK(officer_set_clearance(o, kr, "bob", "SECRET//HUMINT") == OFFICER_OK);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_officer_changed(reg, kr, "bob") == REGISTRY_FAILED &&
	             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == 0 &&
	             label_version("marking:SECRET//HUMINT") == 1,
	     "a failed append: no label key was wrapped to the raised officer");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "grant: nothing reached the ledger; it verifies");
	T_OK(registry_officer_changed(reg, kr, "bob") == REGISTRY_OK &&
	             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == 1 &&
	             label_version("marking:SECRET//HUMINT") == 1 && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_CLEARANCE_GRANT, bob_obj, "SECRET//HUMINT"),
	     "clearance raised: the label key wrapped, with its clearance.grant entry");

	/* ---- clearance lowered: a new version, the wraps revoked, both entries ---- */
	T_CHECK(officer_set_clearance(o, kr, "bob", "SECRET") == OFFICER_OK);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_officer_changed(reg, kr, "bob") == REGISTRY_FAILED &&
	             label_version("marking:SECRET//HUMINT") == 1 &&
	             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == 1,
	     "a failed append: no rotation, and the officer's wrap stays");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "revoke: nothing reached the ledger; it verifies");
	uint32_t top = 0;
	T_OK(registry_officer_changed(reg, kr, "bob") == REGISTRY_OK &&
	             label_version("marking:SECRET//HUMINT") == 2 &&
	             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == 0 &&
	             wraps_of(root_id, "marking:SECRET//HUMINT", &top) == 2 && top == 2 &&
	             ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "label:marking", "SECRET//HUMINT") &&
	             entry_is(n0 + 1, LEDGER_CLEARANCE_REVOKE, bob_obj, "SECRET//HUMINT"),
	     "clearance lowered: version 2 for the others, bob's wraps gone, label.rotate and "
	     "clearance.revoke");

	/* ---- raised by an admin who holds no key: a new version wrapped to all ---- */
	T_CHECK(officer_set_clearance(o, kr, "bob", "SECRET//HUMINT") == OFFICER_OK);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_officer_changed(reg, ka, "bob") == REGISTRY_FAILED &&
	             label_version("marking:SECRET//HUMINT") == 2 &&
	             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == 0,
	     "a failed append: no new version, nothing wrapped");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "rotation: nothing reached the ledger; it verifies");
	T_OK(registry_officer_changed(reg, ka, "bob") == REGISTRY_OK &&
	             label_version("marking:SECRET//HUMINT") == 3 &&
	             wraps_of(bob, "marking:SECRET//HUMINT", &top) == 1 && top == 3 &&
	             ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_CLEARANCE_GRANT, bob_obj, "SECRET//HUMINT") &&
	             entry_is(n0 + 1, LEDGER_LABEL_ROTATE, "label:marking", "SECRET//HUMINT"),
	     "raised by an admin without the key: version 3 wrapped to all, clearance.grant and "
	     "label.rotate");

	/* ---- a marking in use with no label: made at a clearance change ---- */
	store_id mid = 0;
	T_CHECK(store_marking_id(s, "SECRET//SOURCE", &mid) == STORE_OK);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_officer_changed(reg, kr, "root") == REGISTRY_FAILED &&
	             label_version("marking:SECRET//SOURCE") == 0 &&
	             label_version("marking:TOP SECRET//HUMINT") == 0,
	     "a failed append: no label was made for the markings in use");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "made: nothing reached the ledger; it verifies");
	T_OK(registry_officer_changed(reg, kr, "root") == REGISTRY_OK &&
	             label_version("marking:SECRET//SOURCE") == 1 &&
	             wraps_of(root_id, "marking:SECRET//SOURCE", NULL) == 1 &&
	             has_entry(n0, LEDGER_LABEL_ROTATE, "label:marking", "SECRET//SOURCE") &&
	             has_entry(n0, LEDGER_CLEARANCE_GRANT, "officer:root", "SECRET//SOURCE"),
	     "a marking in use: its label made and wrapped, label.rotate and clearance.grant");

	/* ---- a submission's marking: raised, lowered, resealed ---- */
	uint8_t ipk[32], isalt[16];
	randombytes_buf(ipk, sizeof ipk);
	randombytes_buf(isalt, sizeof isalt);
	struct intake_kdf ikdf = {1, 8u << 20};
	struct intake_limits ilim = {.max_upload_bytes = 4 << 20,
	                             .max_message_bytes = 100,
	                             .max_files = 2,
	                             .submissions_per_day = 3};
	struct intake *in = NULL, *in2 = NULL;
	T_CHECK(intake_new(s, ipk, isalt, &ikdf, &ilim, "SECRET//SOURCE", &in) == INTAKE_OK);
	store_id ss1 = upload(in, "a message", 600 * 1024); /* its file is file-backed */
	struct sub_state st, st2;
	T_CHECK(ss1 > 0 && sub_state(ss1, &st) == 0 && st.row.seal_version == 1 &&
	        st.file.data_blob != 0);
	struct marking m_tss = mk("TOP SECRET//SOURCE");
	T_CHECK(registry_label(reg, &m_tss, &v, pk) == REGISTRY_OK); /* made beforehand */
	int spills = spill_files();
	T_CHECK(spills >= 1);
	struct registry_error err;
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_submission_mark(reg, kr, ss1, "TOP SECRET//SOURCE", NULL, &err) ==
	                     REGISTRY_FAILED &&
	             sub_same(ss1, &st),
	     "a failed append: the raise left the marking, the seal and the blobs as they were");
	T_OK(spill_files() == spills, "and its blobs sealed anew are gone, spill files included");
	T_OK(registry_submission_mark(reg, kr, ss1, "OFFICIAL", "no longer sensitive", &err) ==
	                     REGISTRY_FAILED &&
	             sub_same(ss1, &st),
	     "a failed append: nor a downgrade to a marking with no label yet");
	T_OK(label_version("marking:OFFICIAL") == 0, "the downgrade's new label was not made");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "marking: nothing reached the ledger; it verifies");
	T_OK(registry_submission_mark(reg, kr, ss1, "TOP SECRET//SOURCE", NULL, &err) ==
	                     REGISTRY_OK &&
	             sub_moved(ss1, &st, "TOP SECRET//SOURCE", 1) && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_MARKING_CHANGE, obj("submission", ss1),
	                      "TOP SECRET//SOURCE"),
	     "raise: marked, resealed (a file-backed blob claimed), with its marking.change entry");
	T_CHECK(sub_state(ss1, &st) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_submission_mark(reg, kr, ss1, "SECRET//SOURCE", "the source is safe", &err) ==
	                     REGISTRY_FAILED &&
	             sub_same(ss1, &st),
	     "a failed append: the downgrade left everything as it was");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(),
	     "downgrade: nothing reached the ledger; it verifies");
	struct ledger_entry pe;
	T_OK(registry_submission_mark(reg, kr, ss1, "SECRET//SOURCE", "the source is safe", &err) ==
	                     REGISTRY_OK &&
	             sub_moved(ss1, &st, "SECRET//SOURCE", 2) && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_MARKING_DOWNGRADE, obj("submission", ss1),
	                      "SECRET//SOURCE") &&
	             entry(n0, &pe) == 0 &&
	             strcmp(pe.detail, "from TOP SECRET//SOURCE; reason: the source is safe") == 0,
	     "downgrade: marked, resealed, with its marking.downgrade entry and reason");

	/* a submission of one layer (nobody held its marking's label): the reseal alone */
	T_CHECK(store_marking_id(s, "SECRET//HUMINT/SOURCE", &mid) == STORE_OK);
	T_CHECK(intake_new(s, ipk, isalt, &ikdf, &ilim, "SECRET//HUMINT/SOURCE", &in2) ==
	        INTAKE_OK);
	store_id ss2 = upload(in2, "one layer", 10);
	T_CHECK(ss2 > 0 && sub_state(ss2, &st) == 0 && st.row.seal_version == 0);
	struct marking m_shs = mk("SECRET//HUMINT/SOURCE");
	T_CHECK(registry_label(reg, &m_shs, &v, pk) == REGISTRY_OK);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(registry_submission_mark(reg, kr, ss2, "SECRET//HUMINT/SOURCE", NULL, &err) ==
	                     REGISTRY_FAILED &&
	             sub_same(ss2, &st),
	     "a failed append: the reseal left the submission of one layer as it was");
	T_CHECK(mend_ledger() == 0);
	T_OK(ledger_len() == n0 && verifies(), "reseal: nothing reached the ledger; it verifies");
	T_OK(registry_submission_mark(reg, kr, ss2, "SECRET//HUMINT/SOURCE", NULL, &err) ==
	                     REGISTRY_OK &&
	             sub_moved(ss2, &st, "SECRET//HUMINT/SOURCE", 0) && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_SUBMISSION_RESEAL, obj("submission", ss2),
	                      "SECRET//HUMINT/SOURCE"),
	     "reseal: its outer layer added, with its submission.reseal entry (no change "
	     "recorded)");
	T_CHECK(sub_state(ss2, &st2) == 0 && st2.row.seal_version == v);

	/* ---- the clearance and its labels in one transaction (registry_officer_clearance) ---- */
	{
		struct officer was, now_;
		enum officer_result orc;
		T_CHECK(officer_get(o, "bob", &was) == OFFICER_OK);
		const char *to = strcmp(was.clearance, "SECRET") == 0 ? "SECRET//HUMINT" : "SECRET";
		uint32_t vbefore = label_version("marking:SECRET//HUMINT");
		int wbefore = wraps_of(bob, "marking:SECRET//HUMINT", NULL);
		n0 = ledger_len();
		T_CHECK(break_ledger() == 0);
		T_OK(registry_officer_clearance(reg, o, kr, "bob", to, &orc) != REGISTRY_OK &&
		             officer_get(o, "bob", &now_) == OFFICER_OK &&
		             strcmp(now_.clearance, was.clearance) == 0 &&
		             label_version("marking:SECRET//HUMINT") == vbefore &&
		             wraps_of(bob, "marking:SECRET//HUMINT", NULL) == wbefore,
		     "a failed append: the clearance did not change, nor any label key");
		T_CHECK(mend_ledger() == 0);
		T_OK(ledger_len() == n0 && verifies(), "clearance: nothing reached the ledger");
		T_OK(registry_officer_clearance(reg, o, kr, "bob", to, &orc) == REGISTRY_OK &&
		             orc == OFFICER_OK && officer_get(o, "bob", &now_) == OFFICER_OK &&
		             strcmp(now_.clearance, to) == 0 && ledger_len() > n0 &&
		             has_entry(n0,
		                       strcmp(to, "SECRET") == 0 ? LEDGER_CLEARANCE_REVOKE
		                                                 : LEDGER_CLEARANCE_GRANT,
		                       bob_obj, "SECRET//HUMINT"),
		     "the clearance set to %s with its label entries, in one transaction", to);
		T_OK(registry_officer_clearance(reg, o, kr, "bob", "BOGUS", &orc) != REGISTRY_OK &&
		             officer_get(o, "bob", &now_) == OFFICER_OK &&
		             strcmp(now_.clearance, to) == 0,
		     "a clearance the scheme cannot parse: refused, and the clearance stays");
	}

	T_OK(verifies(), "the ledger verifies");

	intake_free(&in);
	intake_free(&in2);
	officer_key_free(&kr);
	officer_key_free(&ka);
	officers_free(&o);
	registry_free(&reg);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	char cmd[PATH_MAX + 16];
	if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", base) < (int)sizeof cmd)
		(void)!system(cmd);
	return t_done();
}
