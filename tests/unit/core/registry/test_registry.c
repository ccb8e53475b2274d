/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/registry over a real instance: parsing reports, the overall marking,
 * clearance, no write down, listings that reveal nothing forbidden, the
 * tearline, distribution lists, submission marking changes, and the marking
 * labels: a raise wraps, a lowering rotates — and the cryptographic check that
 * an officer without the clearance cannot open a report, nor a submission
 * (core/keys/seal.h), with every key they hold and the stored blob in hand.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/keys/unseal.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/keys/label.h"
#include "core/officer/officer.h"
#include "core/ledger/ledger.h"
#include "core/registry/ledger_view.h"
#include "core/registry/registry.h"
#include "core/store/store_registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-registry-XXXXXX";
static uint64_t now = 1700000000;

static void rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];
	if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) < (int)sizeof cmd)
		(void)!system(cmd);
}

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

struct who {
	const char *name, *pw;
	char b32[TOTP_B32_MAX];
	store_id id;
};

static int enrol(struct officers *o, struct who *w)
{
	char uri[TOTP_URI_MAX], c[16];
	now += 30;
	if (officer_enrol_begin(o, w->name, w->pw, now, w->b32, uri, sizeof uri) != OFFICER_OK)
		return -1;
	code_at(w->b32, now, c);
	return officer_enrol_finish(o, w->name, w->pw, w->b32, c, now) == OFFICER_OK ? 0 : -1;
}

static struct officer_key *login(struct officers *o, struct who *w)
{
	char c[16];
	struct officer_key *k = NULL;
	now += 30;
	code_at(w->b32, now, c);
	if (officer_login(o, w->name, w->pw, c, now, &k, NULL) != OFFICER_OK)
		return NULL;
	w->id = officer_key_id(k);
	return k;
}

static struct registry_input_para paras[REGISTRY_PARAS_MAX];

/* The text form into the typed input, checked into a draft (its overall marking). */
static enum registry_result parse(struct registry *r, const char *text, struct registry_report **d,
                                  struct registry_error *err)
{
	struct registry_report_input in;
	enum registry_result rc =
	        registry_report_parse(text, strlen(text), paras, REGISTRY_PARAS_MAX, &in, err);
	return rc != REGISTRY_OK ? rc : registry_report_draft(r, &in, d, err);
}

static store_id write_declared(struct registry *r, const struct officer_key *k, const char *text,
                               const char *declared, const struct registry_cite *cites, size_t n,
                               enum registry_result *res, struct registry_error *err)
{
	struct registry_report_input in;
	struct registry_written w = {0};
	*res = registry_report_parse(text, strlen(text), paras, REGISTRY_PARAS_MAX, &in, err);
	in.cites = cites;
	in.ncites = n;
	in.declared = declared;
	if (*res == REGISTRY_OK)
		*res = registry_report_write(r, k, &in, &w, err);
	return w.id;
}

static store_id write(struct registry *r, const struct officer_key *k, const char *text,
                      const struct registry_cite *cites, size_t n, enum registry_result *res,
                      struct registry_error *err)
{
	return write_declared(r, k, text, NULL, cites, n, res, err);
}

static struct registry_input_para para(const char *portion, const char *text, size_t len)
{
	return (struct registry_input_para){portion, strlen(portion), text, len};
}

/* The typed input's checks and caps (registry_report_draft, registry_report_write). */
static void typed_input(struct registry *reg, const struct officer_key *k)
{
	static struct registry_input_para ps[REGISTRY_PARAS_MAX + 1];
	static char big[REGISTRY_PARA_MAX + 1];
	struct registry_report_input in = {.title = para("S", "T", 1), .paras = ps};
	struct registry_report *d = NULL;
	struct registry_error err;
	memset(big, 'a', sizeof big);

	for (size_t i = 0; i <= REGISTRY_PARAS_MAX; i++)
		ps[i] = para("O", "x", 1);
	in.nparas = REGISTRY_PARAS_MAX;
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_OK && d->nparas == 1001,
	     "%d paragraphs and a title: accepted", REGISTRY_PARAS_MAX);
	registry_report_free(&d);
	in.nparas = REGISTRY_PARAS_MAX + 1;
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT && d == NULL &&
	             strstr(err.msg, "more than 1000 paragraphs") != NULL,
	     "one paragraph more: refused (%s)", err.msg);
	in.nparas = 0;
	T_CHECK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT);

	in.nparas = 1;
	ps[0] = para("S", big, REGISTRY_PARA_MAX);
	T_CHECK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_OK);
	registry_report_free(&d);
	ps[0] = para("S", big, REGISTRY_PARA_MAX + 1);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "paragraph 1: longer than 65536 bytes") != NULL,
	     "a paragraph over %d bytes: refused (%s)", REGISTRY_PARA_MAX, err.msg);
	in.nparas = REGISTRY_TEXT_MAX / REGISTRY_PARA_MAX + 1;
	for (size_t i = 0; i < in.nparas; i++)
		ps[i] = para("S", big, REGISTRY_PARA_MAX);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "longer than 524288 bytes") != NULL,
	     "over %d bytes in all: refused (%s)", REGISTRY_TEXT_MAX, err.msg);

	in.nparas = 2;
	ps[0] = para("O", "x", 1);
	ps[1] = para("S//NOPE", "y", 1);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "paragraph 2: portion marking") != NULL,
	     "an undeclared compartment in a portion: refused (%s)", err.msg);
	ps[1] = para("S)(", "y", 1);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "paragraph 2: a portion marking is one line") != NULL,
	     "parentheses inside a portion: refused (%s)", err.msg);
	ps[1] = para("  ", "y", 1);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "paragraph 2: expected a portion marking") != NULL,
	     "no portion marking: refused (%s)", err.msg);
	ps[1] = para("S", "a\n \nb", 5);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT,
	     "a blank line inside a paragraph: refused");
	ps[1] = para("S", " \n ", 3);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "paragraph 2: empty") != NULL,
	     "an empty paragraph: refused (%s)", err.msg);
	in.title = para("S", "two\nlines", 9);
	ps[1] = para("S", "y", 1);
	T_CHECK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT &&
	        strstr(err.msg, "title") != NULL);
	in.title = para("S", big, REGISTRY_TITLE_MAX + 1);
	T_CHECK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_BAD_INPUT);
	in.title = para("S", big, REGISTRY_TITLE_MAX);
	T_CHECK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_OK);
	registry_report_free(&d);

	/* a portion as typed, with or without its parentheses, spaces around */
	in.title = para(" (S) ", "  Title \r\n", 10);
	ps[0] = para("S//HUMINT", "one", 3);
	ps[1] = para("O", "two", 3);
	T_OK(registry_report_draft(reg, &in, &d, &err) == REGISTRY_OK &&
	             strcmp(d->marking_text, "SECRET//HUMINT") == 0 &&
	             strcmp(d->paras[0].text, "Title") == 0,
	     "portions as typed: (S), S//HUMINT, O give SECRET//HUMINT (%s)", err.msg);
	registry_report_free(&d);

	/* the declared marking: the combination, not above it nor below */
	struct registry_written w = {0};
	in.declared = "SECRET";
	T_OK(registry_report_write(reg, k, &in, &w, &err) == REGISTRY_BAD_INPUT && w.id == 0 &&
	             strstr(err.msg, "which is SECRET//HUMINT") != NULL,
	     "a declared marking below the portions' combination: refused (%s)", err.msg);
	in.declared = "TOP SECRET//HUMINT";
	T_CHECK(registry_report_write(reg, k, &in, &w, &err) == REGISTRY_BAD_INPUT);

	/* citations */
	static struct registry_cite cs[REGISTRY_CITES_MAX + 1];
	for (size_t i = 0; i <= REGISTRY_CITES_MAX; i++)
		cs[i] = (struct registry_cite){REGISTRY_CITE_REPORT, 1};
	in.declared = NULL;
	in.cites = cs;
	in.ncites = REGISTRY_CITES_MAX + 1;
	T_OK(registry_report_write(reg, k, &in, &w, &err) == REGISTRY_BAD_INPUT &&
	             strstr(err.msg, "more than 256 citations") != NULL,
	     "too many citations: refused (%s)", err.msg);
	cs[0] = (struct registry_cite){(enum registry_cite_kind)7, 1};
	in.ncites = 1;
	T_CHECK(registry_report_write(reg, k, &in, &w, &err) == REGISTRY_BAD_INPUT);
	cs[0] = (struct registry_cite){REGISTRY_CITE_SUBMISSION, 0};
	T_CHECK(registry_report_write(reg, k, &in, &w, &err) == REGISTRY_BAD_INPUT && w.id == 0);

	size_t n = 0;
	struct registry_cite got[3];
	T_OK(registry_cites_parse(" report:12, submission:7 report:3", got, 3, &n) == REGISTRY_OK &&
	             n == 3 && got[0].kind == REGISTRY_CITE_REPORT && got[0].id == 12 &&
	             got[1].kind == REGISTRY_CITE_SUBMISSION && got[1].id == 7 && got[2].id == 3,
	     "citations parse: report:12, submission:7 report:3");
	T_CHECK(registry_cites_parse("", got, 3, &n) == REGISTRY_OK && n == 0);
	T_CHECK(registry_cites_parse("report:1,report:2", got, 1, &n) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_cites_parse("report:0", got, 3, &n) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_cites_parse("report:1x", got, 3, &n) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_cites_parse("memo:1", got, 3, &n) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_cites_parse("report:99999999999999999999", got, 3, &n) ==
	        REGISTRY_BAD_INPUT);
}

struct seen {
	store_id ids[64];
	int n;
};

static int see(void *ctx, const struct registry_listing *l)
{
	struct seen *s = ctx;
	if (s->n < 64)
		s->ids[s->n++] = l->id;
	return 0;
}

static int listed(struct registry *r, store_id officer, struct seen *s)
{
	int64_t total = -1;
	memset(s, 0, sizeof *s);
	if (registry_report_list(r, officer, 0, 0, see, s, &total) != REGISTRY_OK || total != s->n)
		return -1;
	return s->n;
}

static bool has(const struct seen *s, store_id id)
{
	for (int i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

/* The stored body of report id, copied. */
struct blob {
	uint8_t *p;
	size_t n;
	uint32_t version;
};

static int grab(void *ctx, const struct store_report *r)
{
	struct blob *b = ctx;
	b->p = malloc(r->body_len);
	if (b->p == NULL)
		return 1;
	memcpy(b->p, r->body, r->body_len);
	b->n = r->body_len;
	b->version = r->label_version;
	return 0;
}

struct crack {
	const struct age_identity *self;
	const struct blob *b;
	int opened_wraps, opened_blob;
};

static int try_blob(const struct age_identity *id, const struct blob *b)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	const struct age_identity *const ids[] = {id};
	int ok = age_decrypt_buf(ids, 1, b->p, b->n, &out) == AGE_OK;
	buf_release(&out);
	return ok;
}

/* Opens every wrap the officer holds in the store and tries each on the blob. */
static int crack_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	(void)name;
	(void)v;
	struct crack *c = ctx;
	struct age_identity *id = NULL;
	if (label_open(c->self, w, n, &id) == LABEL_OK) {
		c->opened_wraps++;
		c->opened_blob += try_blob(id, c->b);
	}
	age_identity_free(&id);
	return 0;
}

struct changes {
	int n;
	char last_reason[64];
	char last_new[64];
};

static int count_change(void *ctx, const struct store_marking_change *c)
{
	struct changes *ch = ctx;
	ch->n++;
	snprintf(ch->last_reason, sizeof ch->last_reason, "%s", c->reason);
	snprintf(ch->last_new, sizeof ch->last_new, "%s", c->new_marking);
	return 0;
}

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

/*
 * Every key an officer can come by with the store in hand: their session's
 * identities and every wrap of theirs in the store, opened with their own key.
 */
#define RING_MAX 128
struct ring {
	const struct age_identity *self;
	struct age_identity *owned[RING_MAX];
	size_t nowned;
	const struct age_identity *all[2 * RING_MAX];
	size_t n;
};

static int ring_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	(void)name;
	(void)v;
	struct ring *r = ctx;
	struct age_identity *id = NULL;
	if (r->nowned < RING_MAX && label_open(r->self, w, n, &id) == LABEL_OK) {
		r->owned[r->nowned++] = id;
		r->all[r->n++] = id;
	}
	return 0;
}

static void ring_fill(struct store *s, const struct officer_key *k, struct ring *r)
{
	memset(r, 0, sizeof *r);
	const struct age_identity *const *ids;
	size_t n = officer_key_identities(k, &ids);
	for (size_t i = 0; i < n && i < RING_MAX; i++)
		r->all[r->n++] = ids[i];
	r->self = n > 0 ? ids[0] : NULL;
	if (label_wraps(s, officer_key_id(k), ring_wrap, r) != LABEL_OK)
		r->n = 0;
}

static void ring_free(struct ring *r)
{
	for (size_t i = 0; i < r->nowned; i++)
		age_identity_free(&r->owned[i]);
	r->nowned = r->n = 0;
}

/*
 * Whether the ring's keys get the plaintext `want` out of blob: as one layer,
 * or with any of them outside (one layer off alone yields only the inner age file).
 */
static int ring_opens(struct store *s, store_id blob, const struct ring *r, const char *want)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	struct unseal_keys k = {.ids = r->all, .n = r->n};
	int opened = 0;
	for (size_t i = 0; !opened && i <= r->n; i++) {
		buf_reset(&b);
		k.layered = i > 0;
		k.outer = i > 0 ? r->all[i - 1] : NULL;
		opened = unseal_blob(s, blob, &k, to_buf, &b) == UNSEAL_OK &&
		         b.len >= strlen(want) && memmem(b.data, b.len, want, strlen(want)) != NULL;
	}
	buf_wipe_release(&b);
	return opened;
}

/* The submission's message as `k` opens it through registry_submission_keys, or "". */
static const char *read_message(struct registry *reg, struct store *s, const struct officer_key *k,
                                store_id sub, char *out, size_t cap)
{
	struct store_submission row;
	struct unseal_keys keys;
	struct buf b;
	out[0] = '\0';
	if (store_submission_get(s, sub, &row) != STORE_OK)
		return out;
	buf_init(&b, cap - 1);
	registry_submission_keys(reg, k, &row, &keys);
	if (unseal_blob(s, row.message_blob, &keys, to_buf, &b) == UNSEAL_OK && b.len < cap) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	}
	unseal_keys_release(&keys);
	buf_wipe_release(&b);
	return out;
}

/* The source's first reply (its row). */
static int first_reply(void *ctx, const struct store_reply *r)
{
	*(struct store_reply *)ctx = *r;
	return 1;
}

/* A reply's desk copy opened with k's keys, as core/inbox does ("" if it does not open). */
static const char *read_reply(struct registry *reg, struct store *s, const struct officer_key *k,
                              const struct store_reply *r, char *out, size_t cap)
{
	struct store_submission as = {.id = r->submission, .seal_version = r->seal_version};
	struct unseal_keys keys;
	struct buf b;
	out[0] = '\0';
	memcpy(as.marking, r->marking, sizeof as.marking);
	buf_init(&b, cap - 1);
	registry_submission_keys(reg, k, &as, &keys);
	if (unseal_blob(s, r->desk_blob, &keys, to_buf, &b) == UNSEAL_OK && b.len < cap) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	}
	unseal_keys_release(&keys);
	buf_wipe_release(&b);
	return out;
}

/* An upload through the intake: a message and one file. */
static store_id upload(struct intake *in, const char *msg, const char *data)
{
	char codename[INTAKE_CODENAME_MAX];
	uint8_t sk[32];
	store_id src = 0, sub = 0;
	struct intake_upload *up = NULL;
	if (intake_source_create(in, codename, sizeof codename, &src, sk) != INTAKE_OK ||
	    intake_upload_begin(in, src, &up) != INTAKE_OK)
		return 0;
	if (intake_upload_message(up, msg, strlen(msg)) != INTAKE_OK ||
	    intake_upload_file_begin(up, "notes.txt", "text/plain") != INTAKE_OK ||
	    intake_upload_file_data(up, (const uint8_t *)data, strlen(data)) != INTAKE_OK ||
	    intake_upload_file_end(up) != INTAKE_OK || intake_upload_commit(up, &sub) != INTAKE_OK)
		sub = 0;
	intake_upload_free(&up);
	return sub;
}

static int first_file(void *ctx, const struct store_file *f)
{
	*(struct store_file *)ctx = *f;
	return 1;
}

static uint32_t label_version_of(struct store *s, const char *name)
{
	uint32_t v = 0;
	uint8_t pk[32];
	return label_current(s, name, &v, pk) == LABEL_OK ? v : 0;
}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[256], idpath[512];
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

	struct who root = {.name = "root", .pw = "root password is long enough"},
	           bob = {.name = "bob", .pw = "bob analyses secret things"},
	           carol = {.name = "carol", .pw = "carol is from the states"};
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root",
	                          ROLE_ADMIN | ROLE_INTAKE | ROLE_ANALYST,
	                          "TOP SECRET//HUMINT/SOURCE", "GBR", root.pw, NULL) == OFFICER_OK);
	T_CHECK(enrol(o, &root) == 0);
	struct officer_key *kr = login(o, &root);
	T_CHECK(kr != NULL);
	T_CHECK(officer_add(o, kr, "bob", ROLE_ANALYST, "SECRET", "GBR", bob.pw, NULL) ==
	        OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr, "bob") == REGISTRY_OK);
	T_CHECK(officer_add(o, kr, "carol", ROLE_ANALYST, "TOP SECRET//HUMINT", "USA", carol.pw,
	                    NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr, "carol") == REGISTRY_OK);
	T_CHECK(enrol(o, &bob) == 0 && enrol(o, &carol) == 0);
	struct officer_key *kb = login(o, &bob), *kc = login(o, &carol);
	T_CHECK(kb != NULL && kc != NULL);

	/* ---- parsing ---- */
	struct registry_report *d = NULL;
	struct registry_error err;
	const char *good = "(S) Title\n\n(S//HUMINT) one\nstill one\n\n\n(O) two\n";
	T_CHECK(parse(reg, good, &d, &err) == REGISTRY_OK);
	T_CHECK(d && d->nparas == 3 && strcmp(d->paras[1].text, "one\nstill one") == 0 &&
	        strcmp(d->marking_text, "SECRET//HUMINT") == 0);
	registry_report_free(&d);
	T_CHECK(d == NULL);
	const char *bad1 = "Title without marking\n\n(S) x\n";
	T_CHECK(parse(reg, bad1, &d, &err) == REGISTRY_BAD_INPUT &&
	        strstr(err.msg, "title") != NULL);
	const char *bad2 = "(S) T\n\n(S//NOPE) x\n";
	T_CHECK(parse(reg, bad2, &d, &err) == REGISTRY_BAD_INPUT &&
	        strstr(err.msg, "paragraph 1") != NULL);
	const char *bad3 = "(S) Only a title\n";
	T_CHECK(parse(reg, bad3, &d, &err) == REGISTRY_BAD_INPUT);
	const char *bad4 = "(S) T\n\n(S) esc \x1b[31m\n";
	T_CHECK(parse(reg, bad4, &d, &err) == REGISTRY_BAD_INPUT);
	const char *rel = "(S) T\n\n(S//REL TO GBR, USA) a\n\n(S//REL TO FRA, GBR) b\n";
	T_CHECK(parse(reg, rel, &d, &err) == REGISTRY_OK &&
	        strcmp(d->marking_text, "SECRET//GBR EYES ONLY") == 0);
	registry_report_free(&d);
	const char *norel = "(S) T\n\n(S//USA EYES ONLY) a\n\n(S//FRA EYES ONLY) b\n";
	T_CHECK(parse(reg, norel, &d, &err) == REGISTRY_BAD_INPUT &&
	        strstr(err.msg, "no nation in common") != NULL);
	const char *orc = "(S) T\n\n(S//ORCON) a\n\n(TS//NOFORN) b\n";
	T_CHECK(parse(reg, orc, &d, &err) == REGISTRY_OK &&
	        strcmp(d->marking_text, "TOP SECRET//ORCON//NOFORN") == 0);
	/* a declared marking must be the combination */
	store_id x = 0;
	enum registry_result dres;
	(void)write_declared(reg, kr, orc, "SECRET", NULL, 0, &dres, &err);
	T_CHECK(dres == REGISTRY_BAD_INPUT && strstr(err.msg, "declared") != NULL);
	x = write_declared(reg, kr, orc, "TOP SECRET//ORCON//NOFORN", NULL, 0, &dres, &err);
	T_CHECK(dres == REGISTRY_OK && x > 0);
	registry_report_free(&d);

	typed_input(reg, kr);

	/* ---- writing, clearance, labels ---- */
	enum registry_result res;
	store_id r1 =
	        write(reg, kr, "(S) Humint title\n\n(S//HUMINT) secret source says\n\n(S) plain\n",
	              NULL, 0, &res, &err);
	T_CHECK(res == REGISTRY_OK && r1 > 0);
	T_CHECK(label_version_of(s, "marking:SECRET//HUMINT") == 1);
	T_CHECK(officer_key_label(kr, "marking:SECRET//HUMINT", 1) == NULL); /* made after login */
	store_id r2 = write(reg, kr, "(S) Plain title\n\n(S) plain secret\n", NULL, 0, &res, &err);
	T_CHECK(res == REGISTRY_OK);
	write(reg, kb, "(TS) Too high\n\n(TS) x\n", NULL, 0, &res, &err);
	T_CHECK(res == REGISTRY_ABOVE_CLEARANCE);
	write(reg, kb, "(S//HUMINT) Compartment\n\n(S) x\n", NULL, 0, &res, &err);
	T_CHECK(res == REGISTRY_ABOVE_CLEARANCE);
	struct officer_key *kr2 = login(o, &root); /* now holds the new labels */
	T_CHECK(kr2 != NULL && officer_key_label(kr2, "marking:SECRET//HUMINT", 1) != NULL &&
	        officer_key_label(kr2, "marking:SECRET", 1) != NULL);
	struct registry_report *rep = NULL;
	T_CHECK(registry_report_open(reg, kr2, r1, &rep) == REGISTRY_OK && rep->nparas == 3 &&
	        strcmp(rep->paras[1].text, "secret source says") == 0 && rep->author == root.id);
	/* the old session lacks the label: its wrap, made since, opens from the store */
	struct registry_report *tmp = NULL;
	T_CHECK(officer_key_label(kr, "marking:SECRET//HUMINT", 1) == NULL);
	T_CHECK(registry_report_open(reg, kr, r1, &tmp) == REGISTRY_OK && tmp != NULL &&
	        strcmp(tmp->paras[1].text, "secret source says") == 0);
	registry_report_free(&tmp);

	/* ---- tearline ---- */
	struct marking target;
	T_CHECK(marking_parse(&sch, "SECRET", 6, &target, NULL) == MARKING_OK);
	struct registry_report *t = NULL;
	T_CHECK(registry_tearline(reg, rep, &target, &t) == REGISTRY_OK && t->nparas == 2 &&
	        strcmp(t->paras[1].text, "plain") == 0 && strcmp(t->marking_text, "SECRET") == 0);
	registry_report_free(&t);
	store_id r3 = write(reg, kr2, "(S//HUMINT) Humint title\n\n(S) plain only\n", NULL, 0, &res,
	                    &err);
	struct registry_report *rep3 = NULL;
	T_CHECK(registry_report_open(reg, kr2, r3, &rep3) == REGISTRY_OK);
	T_CHECK(registry_tearline(reg, rep3, &target, &t) == REGISTRY_OK &&
	        strcmp(t->paras[0].text, "[title withheld]") == 0 &&
	        strcmp(t->marking_text, "SECRET") == 0);
	registry_report_free(&t);
	registry_report_free(&rep3);
	registry_report_free(&rep);

	/* ---- no write down ---- */
	struct registry_cite c1 = {REGISTRY_CITE_REPORT, r1}, c2 = {REGISTRY_CITE_REPORT, r2},
	                     c9 = {REGISTRY_CITE_REPORT, 99999};
	write(reg, kr2, "(S) Cites humint\n\n(S) x\n", &c1, 1, &res, &err);
	T_CHECK(res == REGISTRY_WRITE_DOWN && strstr(err.msg, "SECRET//HUMINT") != NULL);
	store_id r4 = write(reg, kr2, "(S) Cites plain\n\n(S//HUMINT) x\n", &c2, 1, &res, &err);
	T_CHECK(res == REGISTRY_OK && r4 > 0);
	write(reg, kr2, "(S) Cites nothing\n\n(S) x\n", &c9, 1, &res, &err);
	T_CHECK(res == REGISTRY_NOT_FOUND);
	write(reg, kb, "(S) Bob cites r2\n\n(S) x\n", &c2, 1, &res, &err);
	T_CHECK(res == REGISTRY_NOT_FOUND); /* bob may not read r2 yet: as if it did not exist */
	{
		char want[96];
		snprintf(want, sizeof want, "cited report %lld: no such report", (long long)r2);
		T_OK(strcmp(err.msg, want) == 0, "the refusal reads as for a missing report (%s)",
		     err.msg);
		write(reg, kr2, "(S) Cites nothing\n\n(S) x\n", &c9, 1, &res, &err);
		T_CHECK(strcmp(err.msg, "cited report 99999: no such report") == 0);
	}

	/* ---- listings and distribution ---- */
	struct seen sn;
	T_CHECK(listed(reg, root.id, &sn) == 5 && has(&sn, r1) && has(&sn, r2));
	T_CHECK(listed(reg, bob.id, &sn) == 0);
	T_CHECK(registry_dist_create(reg, kb, "posts", &err) == REGISTRY_OK);
	T_CHECK(registry_dist_create(reg, kr2, "posts", &err) == REGISTRY_EXISTS);
	T_CHECK(registry_dist_create(reg, kb, "Bad Name", &err) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_dist_member(reg, kc, "posts", "carol", true, &err) == REGISTRY_FORBIDDEN);
	T_CHECK(registry_dist_member(reg, kb, "posts", "nobody", true, &err) == REGISTRY_BAD_INPUT);
	T_CHECK(registry_dist_member(reg, kb, "posts", "bob", true, &err) == REGISTRY_OK);
	T_CHECK(registry_dist_member(reg, kr2, "posts", "carol", true, &err) == REGISTRY_OK);
	const char *lists[] = {"posts"}, *nolist[] = {"nope"};
	T_CHECK(registry_report_circulate(reg, kb, r2, lists, 1, NULL, 0, &err) ==
	        REGISTRY_NOT_FOUND); /* bob cannot circulate what he cannot read */
	T_CHECK(registry_report_circulate(reg, kr2, r2, nolist, 1, NULL, 0, &err) ==
	        REGISTRY_BAD_INPUT);
	T_CHECK(registry_report_circulate(reg, kr2, r2, lists, 1, NULL, 0, &err) == REGISTRY_OK);
	T_CHECK(registry_report_circulate(reg, kr2, r1, lists, 1, NULL, 0, &err) == REGISTRY_OK);
	/* bob: r2 only (r1 is HUMINT); carol: r1 and r2 */
	T_CHECK(listed(reg, bob.id, &sn) == 1 && has(&sn, r2));
	T_CHECK(listed(reg, carol.id, &sn) == 2 && has(&sn, r1) && has(&sn, r2));
	T_CHECK(registry_report_open(reg, kb, r1, &tmp) == REGISTRY_NOT_FOUND && tmp == NULL);
	T_CHECK(registry_report_open(reg, kb, 424242, &tmp) == REGISTRY_NOT_FOUND);
	/* an EYES ONLY GBR report circulated to carol (USA): not listed */
	store_id r5 = write(reg, kr2, "(S//GBR EYES ONLY) Eyes\n\n(S) x\n", NULL, 0, &res, &err);
	const char *to_carol[] = {"carol", "bob"};
	T_CHECK(registry_report_circulate(reg, kr2, r5, NULL, 0, to_carol, 2, &err) == REGISTRY_OK);
	T_CHECK(listed(reg, carol.id, &sn) == 2 && !has(&sn, r5));
	T_CHECK(listed(reg, bob.id, &sn) == 2 && has(&sn, r5));
	/* paging */
	int64_t total = 0;
	memset(&sn, 0, sizeof sn);
	T_CHECK(registry_report_list(reg, root.id, 1, 2, see, &sn, &total) == REGISTRY_OK &&
	        sn.n == 2 && total == 6);

	/* ---- raising bob's clearance wraps the label; lowering rotates ---- */
	T_CHECK(officer_set_clearance(o, kb, "bob", "TOP SECRET") == OFFICER_FORBIDDEN);
	T_CHECK(officer_set_clearance(o, kr2, "bob", "SECRET//HUMINT") == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr2, "bob") == REGISTRY_OK);
	T_CHECK(label_version_of(s, "marking:SECRET//HUMINT") == 1); /* wrapped, not rotated */
	struct officer_key *kb2 = login(o, &bob);
	T_CHECK(kb2 != NULL && registry_report_open(reg, kb2, r1, &rep) == REGISTRY_OK);
	registry_report_free(&rep);
	T_CHECK(officer_set_clearance(o, kr2, "bob", "SECRET") == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr2, "bob") == REGISTRY_OK);
	T_CHECK(label_version_of(s, "marking:SECRET//HUMINT") == 2);
	store_id r6 = write(reg, kr2, "(S//HUMINT) After\n\n(S//HUMINT) new humint\n", NULL, 0,
	                    &res, &err);
	T_CHECK(res == REGISTRY_OK && registry_report_circulate(reg, kr2, r6, NULL, 0, to_carol + 1,
	                                                        1, &err) == REGISTRY_OK);
	T_CHECK(registry_report_open(reg, kb2, r6, &tmp) == REGISTRY_NOT_FOUND);
	/* the cryptography agrees: bob's keys (old session and every wrap now in the store) */
	struct blob b = {0};
	T_CHECK(store_report_get(s, r6, grab, &b) == STORE_OK && b.version == 2);
	const struct age_identity *const *ids;
	size_t nids = officer_key_identities(kb2, &ids);
	int opened = 0;
	for (size_t i = 0; i < nids; i++)
		opened += try_blob(ids[i], &b);
	T_CHECK(nids >= 2 && opened == 0);
	struct crack ck = {.self = ids[0], .b = &b};
	T_CHECK(label_wraps(s, bob.id, crack_wrap, &ck) == LABEL_OK && ck.opened_wraps >= 1 &&
	        ck.opened_blob == 0);
	/* and the same blob opens for carol, who keeps the clearance */
	struct officer_key *kc2 = login(o, &carol);
	const struct age_identity *cid =
	        officer_key_label(kc2, "marking:SECRET//HUMINT", b.version);
	T_CHECK(cid != NULL && try_blob(cid, &b) == 1);
	free(b.p);

	/* ---- submission markings ---- */
	uint8_t lk[STORE_LOOKUP_LEN] = {1}, pk[STORE_PK_LEN] = {2};
	store_id src = 0, sub = 0;
	T_CHECK(store_source_create(s, lk, pk, store_today(), &src) == STORE_OK);
	T_CHECK(store_submission_commit(s, src, store_today(), "SECRET//SOURCE", 0, 0, NULL, 0,
	                                &sub) == STORE_OK);
	T_CHECK(registry_submission_mark(reg, kb2, sub, "TOP SECRET//SOURCE", NULL, &err) ==
	        REGISTRY_FORBIDDEN);
	T_CHECK(registry_submission_mark(reg, kr2, sub, "SECRET//BOGUS", NULL, &err) ==
	        REGISTRY_BAD_INPUT);
	T_CHECK(registry_submission_mark(reg, kr2, sub + 100, "SECRET", "why not", &err) ==
	        REGISTRY_NOT_FOUND);
	T_CHECK(registry_submission_mark(reg, kr2, sub, "TOP SECRET//SOURCE", NULL, &err) ==
	        REGISTRY_OK);
	T_CHECK(registry_submission_mark(reg, kr2, sub, "OFFICIAL", NULL, &err) ==
	        REGISTRY_NEEDS_REASON);
	T_CHECK(registry_submission_mark(reg, kr2, sub, "SECRET//HUMINT", "  ", &err) ==
	        REGISTRY_NEEDS_REASON); /* sideways is a downgrade too */
	T_CHECK(registry_submission_mark(reg, kr2, sub, "OFFICIAL",
	                                 "source protected: public "
	                                 "information",
	                                 &err) == REGISTRY_OK);
	struct store_submission row;
	T_CHECK(store_submission_get(s, sub, &row) == STORE_OK &&
	        strcmp(row.marking, "OFFICIAL") == 0);
	struct changes ch = {0};
	T_CHECK(store_marking_changes(s, "submission", sub, count_change, &ch) == STORE_OK &&
	        ch.n == 2 && strcmp(ch.last_new, "OFFICIAL") == 0 &&
	        strncmp(ch.last_reason, "source protected", 16) == 0);
	/* a report citing the submission must dominate its marking */
	struct registry_cite cs = {REGISTRY_CITE_SUBMISSION, sub};
	write(reg, kr2, "(O) From the source\n\n(O) public\n", &cs, 1, &res, &err);
	T_CHECK(res == REGISTRY_OK);

	/* ---- submissions: sealed to the intake label inside their marking's label ---- */
	struct who ivan = {.name = "ivan", .pw = "ivan triages without the source"},
	           sara = {.name = "sara", .pw = "sara is cleared but never triages"};
	T_CHECK(officer_add(o, kr2, "ivan", ROLE_INTAKE, "SECRET", "GBR", ivan.pw, NULL) ==
	        OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr2, "ivan") == REGISTRY_OK);
	T_CHECK(officer_add(o, kr2, "sara", ROLE_ANALYST, "SECRET//SOURCE", "GBR", sara.pw, NULL) ==
	        OFFICER_OK);
	/* the default marking is in use (instance_open): sara's change makes its label */
	T_CHECK(label_version_of(s, "marking:SECRET//SOURCE") == 0);
	T_CHECK(registry_officer_changed(reg, kr2, "sara") == REGISTRY_OK);
	uint32_t sv = label_version_of(s, "marking:SECRET//SOURCE");
	T_CHECK(sv == 1);
	T_CHECK(enrol(o, &ivan) == 0 && enrol(o, &sara) == 0);
	struct officer_key *ki = login(o, &ivan), *ks = login(o, &sara), *kr3 = login(o, &root);
	T_CHECK(ki != NULL && ks != NULL && kr3 != NULL);

	uint8_t ipk[32], isalt[16];
	randombytes_buf(ipk, sizeof ipk);
	randombytes_buf(isalt, sizeof isalt);
	struct intake_kdf ikdf = {1, 8u << 20};
	struct intake_limits ilim = {.max_upload_bytes = 1 << 20,
	                             .max_message_bytes = 100,
	                             .max_files = 2,
	                             .submissions_per_day = 3};
	struct intake *in = NULL, *in2 = NULL;
	T_CHECK(intake_new(s, ipk, isalt, &ikdf, &ilim, "SECRET//SOURCE", &in) == INTAKE_OK);
	store_id ss1 = upload(in, "for the cleared only", "file body");
	T_CHECK(ss1 > 0);
	struct store_submission srow;
	struct store_file sfile = {0};
	T_CHECK(store_submission_get(s, ss1, &srow) == STORE_OK && srow.seal_version == sv);
	T_CHECK(store_submission_files(s, ss1, first_file, &sfile) == STORE_STOP &&
	        sfile.data_blob != 0);
	char text[128];
	T_CHECK(strcmp(read_message(reg, s, kr3, ss1, text, sizeof text), "for the cleared only") ==
	        0);
	/* the intake role without the clearance, and the clearance without the role:
	   every key either holds, from the session and the store, opens nothing */
	struct ring ri, rs, rr;
	ring_fill(s, ki, &ri);
	ring_fill(s, ks, &rs);
	ring_fill(s, kr3, &rr);
	T_CHECK(ri.n >= 2 && rs.n >= 2); /* their own key and a label key at least */
	T_CHECK(!ring_opens(s, srow.message_blob, &ri, "for the cleared only") &&
	        !ring_opens(s, sfile.data_blob, &ri, "file body") &&
	        !ring_opens(s, sfile.meta_blob, &ri, "notes.txt"));
	T_CHECK(!ring_opens(s, srow.message_blob, &rs, "for the cleared only") &&
	        !ring_opens(s, sfile.data_blob, &rs, "file body") &&
	        !ring_opens(s, sfile.meta_blob, &rs, "notes.txt"));
	T_CHECK(ring_opens(s, srow.message_blob, &rr, "for the cleared only") &&
	        ring_opens(s, sfile.data_blob, &rr, "file body"));
	/* a reply to its source: a desk copy sealed as the submission is (issue 17) */
	store_id rp1 = 0;
	struct store_reply rrow = {0};
	T_CHECK(intake_reply_seal_as(in, "officer:root", root.id, srow.source_id, "we read it", 10,
	                             INTAKE_REPLY_PLAIN, &rp1) == INTAKE_OK);
	T_CHECK(store_reply_list(s, srow.source_id, first_reply, &rrow) == STORE_STOP &&
	        rrow.id == rp1 && rrow.author == root.id && rrow.submission == ss1 &&
	        rrow.seal_version == sv && strcmp(rrow.marking, "SECRET//SOURCE") == 0 &&
	        rrow.desk_blob != 0);
	T_OK(strcmp(read_reply(reg, s, kr3, &rrow, text, sizeof text), "we read it") == 0,
	     "a reply's desk copy opens for the officer cleared for its marking");
	T_OK(!ring_opens(s, rrow.desk_blob, &ri, "we read it") &&
	             !ring_opens(s, rrow.desk_blob, &rs, "we read it"),
	     "and for no one holding only the intake role or only the clearance");
	/* and the decision agrees with the cryptography */
	struct access_subject subj;
	T_CHECK(registry_subject(reg, officer_key_id(ki), &subj) == REGISTRY_OK &&
	        !registry_submission_readable(reg, &subj, &srow));
	T_CHECK(registry_subject(reg, officer_key_id(ks), &subj) == REGISTRY_OK &&
	        !registry_submission_readable(reg, &subj, &srow));
	T_CHECK(registry_subject(reg, officer_key_id(kr3), &subj) == REGISTRY_OK &&
	        registry_submission_readable(reg, &subj, &srow));
	/*
	 * Citing a submission takes reading it (issue 16): sara, cleared for its
	 * marking but without the intake role, is told what she would be told of
	 * a missing one; the one who may read it cites it.
	 */
	{
		struct registry_cite cu = {REGISTRY_CITE_SUBMISSION, ss1},
		                     cm = {REGISTRY_CITE_SUBMISSION, ss1 + 100000};
		struct registry_error e1, e2;
		enum registry_result q1, q2;
		char w1[96], w2[96];
		(void)write(reg, ks, "(S) Sara cites it\n\n(S) x\n", &cu, 1, &q1, &e1);
		(void)write(reg, ks, "(S) Sara cites it\n\n(S) x\n", &cm, 1, &q2, &e2);
		snprintf(w1, sizeof w1, "cited submission %lld: no such submission",
		         (long long)ss1);
		snprintf(w2, sizeof w2, "cited submission %lld: no such submission",
		         (long long)(ss1 + 100000));
		T_OK(q1 == REGISTRY_NOT_FOUND && q2 == REGISTRY_NOT_FOUND &&
		             strcmp(e1.msg, w1) == 0 && strcmp(e2.msg, w2) == 0,
		     "citing a submission one may not read reads as citing a missing one (%s)",
		     e1.msg);
		(void)write(reg, kr3, "(S//SOURCE) Root cites it\n\n(S//SOURCE) x\n", &cu, 1, &q1,
		            &e1);
		T_OK(q1 == REGISTRY_OK, "the officer who may read it cites it (%s)", e1.msg);
	}
	/*
	 * The ledger view (issue 16): a source's activity only to the intake role.
	 * sara, cleared but without it, sees none of it; the intake officer does;
	 * an unmarked entry of another kind both see.
	 */
	{
		static const enum ledger_action acts[] = {LEDGER_SOURCE_CREATE,
		                                          LEDGER_SOURCE_DELETE, LEDGER_REPLY_SEAL,
		                                          LEDGER_REPLY_DELETE};
		struct access_subject as, ai;
		struct ledger_entry le = {.index = 1, .day = 100};
		snprintf(le.actor, sizeof le.actor, "source:1");
		snprintf(le.object, sizeof le.object, "source:1");
		T_CHECK(registry_subject(reg, officer_key_id(ks), &as) == REGISTRY_OK &&
		        registry_subject(reg, officer_key_id(kr3), &ai) == REGISTRY_OK);
		int hidden = 1;
		for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
			le.action = acts[i];
			hidden &= !registry_ledger_visible(reg, &as, &le) &&
			          registry_ledger_visible(reg, &ai, &le);
		}
		T_OK(hidden, "ledger view: source.create/delete, reply.seal/delete only to the "
		             "intake role");
		le.action = LEDGER_OFFICER_LOGIN;
		snprintf(le.actor, sizeof le.actor, "officer:sara");
		snprintf(le.object, sizeof le.object, "officer:sara");
		T_OK(registry_ledger_visible(reg, &as, &le) &&
		             registry_ledger_visible(reg, &ai, &le),
		     "ledger view: an unmarked officer.login to both");
	}

	/* a raise seals it anew to the higher label; the old layer and its blobs are gone */
	T_CHECK(registry_submission_mark(reg, ki, ss1, "TOP SECRET//SOURCE", NULL, &err) ==
	        REGISTRY_NOT_FOUND);
	T_CHECK(registry_submission_mark(reg, kr3, ss1, "TOP SECRET//SOURCE", NULL, &err) ==
	        REGISTRY_OK);
	struct store_submission srow2;
	T_CHECK(store_submission_get(s, ss1, &srow2) == STORE_OK &&
	        srow2.seal_version == label_version_of(s, "marking:TOP SECRET//SOURCE") &&
	        srow2.seal_version > 0 && srow2.message_blob != srow.message_blob);
	uint64_t bsz = 0;
	T_CHECK(store_blob_size(s, srow.message_blob, &bsz) == STORE_NOT_FOUND &&
	        store_blob_size(s, sfile.data_blob, &bsz) == STORE_NOT_FOUND);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss1, text, sizeof text), "for the cleared only") ==
	        0);
	T_CHECK(!ring_opens(s, srow2.message_blob, &rs,
	                    "for the cleared only")); /* SECRET//SOURCE no longer opens it */
	struct unseal_keys oldk = {.layered = 1,
	                           .outer = officer_key_label(kr3, "marking:SECRET//SOURCE", sv)};
	oldk.n = officer_key_identities(kr3, &oldk.ids);
	struct buf ob;
	buf_init(&ob, 4096);
	T_CHECK(oldk.outer != NULL &&
	        unseal_blob(s, srow2.message_blob, &oldk, to_buf, &ob) == UNSEAL_CANNOT_OPEN);
	buf_release(&ob);
	/* the reply to it moved with it */
	struct store_reply rrow2 = {0};
	T_CHECK(store_reply_list(s, srow.source_id, first_reply, &rrow2) == STORE_STOP);
	T_OK(rrow2.id == rp1 && strcmp(rrow2.marking, "TOP SECRET//SOURCE") == 0 &&
	             rrow2.seal_version == srow2.seal_version &&
	             rrow2.desk_blob != rrow.desk_blob &&
	             store_blob_size(s, rrow.desk_blob, &bsz) == STORE_NOT_FOUND,
	     "a raise reseals the replies to the submission too (marking %s)", rrow2.marking);
	T_OK(strcmp(read_reply(reg, s, kr3, &rrow2, text, sizeof text), "we read it") == 0 &&
	             !ring_opens(s, rrow2.desk_blob, &rs, "we read it"),
	     "the resealed reply opens for the cleared officer, not with the old marking's key");
	/* the file moved with it */
	struct store_file sfile2 = {0};
	T_CHECK(store_submission_files(s, ss1, first_file, &sfile2) == STORE_STOP &&
	        sfile2.id == sfile.id && sfile2.data_blob != sfile.data_blob &&
	        ring_opens(s, sfile2.data_blob, &rr, "file body") &&
	        !ring_opens(s, sfile2.data_blob, &ri, "file body"));

	/* the intake label rotates (ivan loses the role): a session from before reads
	   what is sealed after it, with its new wrap opened from the store */
	uint32_t iv0 = label_version_of(s, LABEL_INTAKE);
	T_CHECK(officer_set_roles(o, kr3, "ivan", ROLE_ANALYST) == OFFICER_OK);
	uint32_t iv1 = label_version_of(s, LABEL_INTAKE);
	T_CHECK(iv1 == iv0 + 1 && officer_key_label(kr3, LABEL_INTAKE, iv1) == NULL);
	store_id ss4 = upload(in, "after the rotation", "h");
	T_CHECK(ss4 > 0);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss4, text, sizeof text), "after the rotation") ==
	        0);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss1, text, sizeof text), "for the cleared only") ==
	        0); /* and what came before */
	struct ring ri2;
	ring_fill(s, ki, &ri2); /* ivan: nothing of the new version */
	T_CHECK(store_submission_get(s, ss4, &srow2) == STORE_OK &&
	        !ring_opens(s, srow2.message_blob, &ri2, "after the rotation"));
	ring_free(&ri2);

	/* no enabled officer holds both keys of a marking: the intake label's layer alone,
	   never a seal nobody can open; the same marking again adds the outer layer */
	T_CHECK(store_marking_id(s, "SECRET//HUMINT/SOURCE", &x) == STORE_OK);
	T_CHECK(intake_new(s, ipk, isalt, &ikdf, &ilim, "SECRET//HUMINT/SOURCE", &in2) ==
	        INTAKE_OK);
	store_id ss2 = upload(in2, "before anyone held its label", "f");
	T_CHECK(ss2 > 0 && store_submission_get(s, ss2, &srow) == STORE_OK &&
	        srow.seal_version == 0);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss2, text, sizeof text),
	               "before anyone held its label") == 0);
	T_CHECK(registry_submission_mark(reg, kr3, ss2, "SECRET//HUMINT/SOURCE", NULL, &err) ==
	        REGISTRY_OK);
	T_CHECK(store_submission_get(s, ss2, &srow2) == STORE_OK &&
	        srow2.seal_version == label_version_of(s, "marking:SECRET//HUMINT/SOURCE") &&
	        srow2.seal_version > 0);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss2, text, sizeof text),
	               "before anyone held its label") == 0);
	T_CHECK(!ring_opens(s, srow2.message_blob, &ri, "before anyone held its label"));
	/* and the next upload there is sealed in two layers at once */
	store_id ss3 = upload(in2, "after", "g");
	T_CHECK(ss3 > 0 && store_submission_get(s, ss3, &srow) == STORE_OK &&
	        srow.seal_version == srow2.seal_version);
	/* a swap that does not match the submission's files is rolled back whole: the
	   old message blob, dropped first inside the transaction, is back */
	store_id pb[3] = {0};
	for (int i = 0; i < 3; i++)
		T_CHECK(store_blob_put(s, (const uint8_t *)"x", 1, &pb[i]) == STORE_OK);
	struct store_file wrongf = {.id = 999999, .meta_blob = pb[1], .data_blob = pb[2]};
	struct store_marking_change bad = {.kind = "submission",
	                                   .object = ss3,
	                                   .actor = root.id,
	                                   .day = store_today(),
	                                   .old_marking = "SECRET//HUMINT/SOURCE",
	                                   .new_marking = "TOP SECRET//HUMINT/SOURCE",
	                                   .reason = ""};
	struct store_reseal brs = {
	        .seal_version = 9, .message_blob = pb[0], .files = &wrongf, .nfiles = 1};
	T_CHECK(store_submission_mark(s, &bad, &brs) == STORE_NOT_FOUND);
	T_CHECK(store_submission_get(s, ss3, &srow2) == STORE_OK &&
	        strcmp(srow2.marking, "SECRET//HUMINT/SOURCE") == 0 &&
	        srow2.seal_version == srow.seal_version && srow2.message_blob == srow.message_blob);
	T_CHECK(strcmp(read_message(reg, s, kr3, ss3, text, sizeof text), "after") == 0);
	for (int i = 0; i < 3; i++) /* still pending: never claimed */
		T_CHECK(store_blob_delete(s, pb[i]) == STORE_OK);
	ring_free(&ri);
	ring_free(&rs);
	ring_free(&rr);
	intake_free(&in);
	intake_free(&in2);
	officer_key_free(&ki);
	officer_key_free(&ks);
	officer_key_free(&kr3);

	officer_key_free(&kr);
	officer_key_free(&kr2);
	officer_key_free(&kb);
	officer_key_free(&kb2);
	officer_key_free(&kc);
	officer_key_free(&kc2);
	T_CHECK(kr == NULL);
	officers_free(&o);
	registry_free(&reg);
	T_CHECK(reg == NULL);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	rm_rf(base);
	return t_done();
}
