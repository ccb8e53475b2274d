/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_release: the use cases of controlled release (core/release/release.h)
 * on a real instance: recipients (roles, checks, entries), proposals refused
 * by the access decision (marking, nationality, ORCON, NOFORN) with the
 * reason, the two-person rule (the proposer cannot approve, an admin without
 * the releasing role cannot, a second releasing officer can, once), a
 * refusal with its reason, copies that differ per recipient, exported as
 * text, Markdown and age (to the recipient's key, or a passphrase), and a
 * retyped excerpt of one copy traced back to its recipient; a release made as
 * slot engine 1 made them (32-byte secret record, bare bits, engine 1's
 * slots and biases) still exports and traces. Every step's ledger entry is
 * checked, and nothing leaves without it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/release/copy.h"
#include "core/release/release.h"
#include "core/release/slots.h"
#include "core/store/store_release.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-release-XXXXXX";
static uint64_t now = 1700000000;
static struct store *s;
static struct registry *reg;

static uint64_t ledger_len(void)
{
	uint64_t n = 0;
	return ledger_size(s, &n) == LEDGER_OK ? n : UINT64_MAX;
}

/* Whether an entry from `from` on is action on object, its detail containing `detail`. */
static int has_entry(uint64_t from, enum ledger_action action, const char *object,
                     const char *detail)
{
	uint64_t n = ledger_len();
	for (uint64_t i = from; i < n; i++) {
		uint8_t e[LEDGER_ENTRY_MAX];
		size_t len;
		struct ledger_entry pe;
		if (ledger_entry(s, i, e, &len) == LEDGER_OK &&
		    ledger_entry_parse(e, len, &pe) == LEDGER_OK && pe.action == action &&
		    (object == NULL || strcmp(pe.object, object) == 0) &&
		    (detail == NULL || strstr(pe.detail, detail) != NULL))
			return 1;
	}
	return 0;
}

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

static store_id write_report(const struct officer_key *k, const char *text)
{
	static struct registry_input_para paras[REGISTRY_PARAS_MAX];
	struct registry_report_input in;
	struct registry_error err;
	struct registry_written w = {0};
	if (registry_report_parse(text, strlen(text), paras, REGISTRY_PARAS_MAX, &in, &err) !=
	            REGISTRY_OK ||
	    registry_report_write(reg, k, &in, &w, &err) != REGISTRY_OK) {
		fprintf(stderr, "# report: %s\n", err.msg);
		return 0;
	}
	return w.id;
}

/* The bench telegram as a SECRET report: every block a (S) paragraph. */
static store_id telegram(const struct officer_key *k, const char *portion)
{
	struct buf raw, rep;
	buf_init(&raw, 1 << 20);
	buf_init(&rep, 1 << 20);
	store_id id = 0;
	if (io_read_file(CUTOUT_BENCH_DATA "/telegram.txt", &raw) != 0)
		goto out;
	if (buf_printf(&rep, "(%s) Meridia telegram\n\n(%s) ", portion, portion) != BUF_OK)
		goto out;
	const char *p = (const char *)raw.data, *end = p + raw.len;
	while (p < end) {
		const char *blank = strstr(p, "\n\n");
		const char *e = blank && blank < end ? blank : end;
		while (e > p && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		if (e > p && buf_append(&rep, p, (size_t)(e - p)) != BUF_OK)
			goto out;
		if (!blank || blank >= end)
			break;
		p = blank + 2;
		while (p < end && *p == '\n')
			p++;
		if (p < end && buf_printf(&rep, "\n\n(%s) ", portion) != BUF_OK)
			goto out;
	}
	if (buf_append(&rep, "\n", 2) != BUF_OK)
		goto out;
	id = write_report(k, (const char *)rep.data);
out:
	buf_release(&raw);
	buf_release(&rep);
	return id;
}

/* ---- a release approved before slot engine 2, made as engine 1 did ---- */
struct old_tx {
	store_id id;
	const struct store_release_decision *d;
	const uint64_t *ids;
	struct buf *copies;
	size_t n;
};

static enum store_result old_tx(struct store *st, void *arg)
{
	struct old_tx *a = arg;
	enum store_result sr = store_release_decide(st, a->id, a->d);
	for (size_t i = 0; sr == STORE_OK && i < a->n; i++) {
		store_id cid = 0;
		sr = store_copy_insert(st, a->id, (store_id)a->ids[i], (uint32_t)(i + 1),
		                       a->copies[i].data, a->copies[i].len, &cid);
	}
	return sr;
}

/*
 * Approves release rel (of report, whole, to ids[0..2)) as engine 1 did: its
 * slots, its biases, the secret sealed as 32 bytes and the bits bare. The
 * copies' bits of recipient 0 into bits0 (for the caller to check).
 */
static int approve_as_engine1(const struct officer_key *as, store_id rel, store_id report,
                              const uint64_t ids[2], struct slots *s1, struct copy_book *b1)
{
	struct registry_report *rep = NULL, *tl = NULL;
	struct buf text, sealed, copies[2];
	uint8_t secret[32];
	uint32_t version = 0, v2 = 0;
	struct slots_error se;
	int ok = 0;
	buf_init(&text, 1 << 21);
	buf_init(&sealed, STORE_RELEASE_SEALED_MAX);
	buf_init(&copies[0], STORE_RELEASE_SEALED_MAX);
	buf_init(&copies[1], STORE_RELEASE_SEALED_MAX);
	randombytes_buf(secret, sizeof secret);
	if (registry_report_open(reg, as, report, &rep) != REGISTRY_OK ||
	    registry_tearline(reg, rep, &rep->marking, &tl) != REGISTRY_OK ||
	    registry_report_format(reg, tl, &text) != REGISTRY_OK ||
	    slots_find_engine((const char *)text.data, text.len, 1, s1, &se) != SLOTS_OK ||
	    copy_book_make(b1, secret, (uint64_t)rel, 2, 1, s1->n, ids, 2) != 0 ||
	    registry_seal(reg, &rep->marking, secret, 32, &sealed, &version) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < 2; i++)
		if (registry_seal(reg, &rep->marking, copy_book_bits(b1, i), b1->stride, &copies[i],
		                  &v2) != REGISTRY_OK ||
		    v2 != version)
			goto out;
	struct store_release_decision d = {.state = STORE_RELEASE_APPROVED,
	                                   .decider = officer_key_id(as),
	                                   .day = store_today(),
	                                   .sealed = sealed.data,
	                                   .sealed_len = sealed.len,
	                                   .nslots = (uint32_t)s1->n,
	                                   .label_version = version};
	struct old_tx a = {.id = rel, .d = &d, .ids = ids, .copies = copies, .n = 2};
	ok = store_write(s, NULL, 0, old_tx, &a) == STORE_OK;
out:
	sodium_memzero(secret, sizeof secret);
	registry_report_free(&rep);
	registry_report_free(&tl);
	buf_release(&text);
	buf_release(&sealed);
	buf_release(&copies[0]);
	buf_release(&copies[1]);
	return ok;
}

static store_id add_recipient(const struct officer_key *k, const char *name, const char *nat,
                              const char *marking, const char *age, enum release_result *rc)
{
	struct release_recipient_input in = {.name = name,
	                                     .org = "Institute of Studies",
	                                     .nationality = nat,
	                                     .marking = marking,
	                                     .age_recipient = age};
	struct release_error err;
	store_id id = 0;
	*rc = release_recipient_add(reg, k, &in, &id, &err);
	return id;
}

static store_id propose(const struct officer_key *k, store_id report, const char *marking,
                        const char *const *names, size_t n, enum release_result *rc,
                        struct release_error *err)
{
	struct release_proposal p = {.report = report,
	                             .marking = marking,
	                             .purpose = "analysis of the coalition talks",
	                             .expiry_day = store_today() + 30,
	                             .recipients = names,
	                             .nrecipients = n};
	store_id id = 0;
	*rc = release_propose(reg, k, &p, &id, err);
	return id;
}

static enum release_result export(const struct officer_key *k, store_id rel, const char *who,
                                  enum release_form form, const char *pass, struct buf *out) {
	struct release_export in = {.release = rel,
	                            .recipient = who,
	                            .form = form,
	                            .passphrase = pass,
	                            .passphrase_len = pass ? strlen(pass) : 0,
	                            .scrypt_work_factor = 10};
	struct release_error err;
	buf_reset(out);
	enum release_result rc = release_export(reg, k, &in, out, &err);
	if (rc != RELEASE_OK) fprintf(stderr, "# export: %s\n", err.msg);
	return rc;
}

struct traced {
	int n;
	struct release_trace_hit best;
};

static int take_hit(void *ctx, const struct release_trace_hit *h)
{
	struct traced *t = ctx;
	if (t->n++ == 0)
		t->best = *h;
	return 0;
}

/* 320 words of a copy from its middle, lower-cased, with every 40th word dropped. */
static void excerpt(const struct buf *copy, struct buf *out)
{
	const char *p = (const char *)copy->data, *end = p + copy->len;
	const char *start = p + copy->len / 3;
	while (start < end && *start != ' ')
		start++;
	int words = 0;
	buf_reset(out);
	for (const char *q = start; q < end && words < 320; q++) {
		if (*q == ' ' && ++words % 40 == 0) {
			while (q + 1 < end && q[1] != ' ')
				q++;
			continue;
		}
		char c = *q >= 'A' && *q <= 'Z' ? (char)(*q + 32) : *q;
		if (buf_append(out, &c, 1) != BUF_OK)
			return;
	}
}

struct decisions {
	int n, allowed;
	char last[RELEASE_MSG_MAX];
};

static int take_decision(void *ctx, const struct release_decision_view *d)
{
	struct decisions *x = ctx;
	x->n++;
	x->allowed += d->allowed;
	snprintf(x->last, sizeof x->last, "%s", d->reason);
	return 0;
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
	struct age_identity *admin_id = NULL, *intake_id = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &ierr) == INSTANCE_OK);
	struct marking_scheme sch;
	struct marking_error merr;
	T_CHECK(marking_scheme_init(&sch, MARKING_UK, "HUMINT", "GBR", &merr) == MARKING_OK);
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);

	/* root: admin and analyst (no releasing role); rita and rex release */
	const char *rpw = "root password is long enough";
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_ANALYST,
	                          "TOP SECRET//HUMINT", "GBR", rpw, NULL) == OFFICER_OK);
	struct officer_key *kroot = enrol_login(o, "root", rpw);
	T_CHECK(kroot != NULL);
	T_CHECK(officer_add(o, kroot, "rita", ROLE_RELEASING, "TOP SECRET//HUMINT", "GBR",
	                    "rita releases under control", NULL) == OFFICER_OK);
	T_CHECK(officer_add(o, kroot, "rex", ROLE_RELEASING, "TOP SECRET//HUMINT", "GBR",
	                    "rex approves the releases", NULL) == OFFICER_OK);
	T_CHECK(officer_add(o, kroot, "bob", ROLE_ANALYST, "SECRET", "GBR",
	                    "bob analyses secret things", NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kroot, "rita") == REGISTRY_OK &&
	        registry_officer_changed(reg, kroot, "rex") == REGISTRY_OK &&
	        registry_officer_changed(reg, kroot, "bob") == REGISTRY_OK);
	struct officer_key *krita = enrol_login(o, "rita", "rita releases under control");
	struct officer_key *krex = enrol_login(o, "rex", "rex approves the releases");
	struct officer_key *kbob = enrol_login(o, "bob", "bob analyses secret things");
	T_CHECK(krita && krex && kbob);

	/* ---- recipients ---- */
	enum release_result rc;
	struct age_identity *alice_key = NULL;
	struct age_recipient *alice_pub = NULL;
	char alice_age[AGE_RECIPIENT_STRLEN + 1];
	T_CHECK(age_identity_generate(&alice_key) == AGE_OK &&
	        age_identity_recipient(alice_key, &alice_pub) == AGE_OK &&
	        age_recipient_format(alice_pub, alice_age, sizeof alice_age) == AGE_OK);
	uint64_t n0 = ledger_len();
	store_id alice = add_recipient(kroot, "alice", "GBR", "SECRET", alice_age, &rc);
	T_OK(rc == RELEASE_OK && alice > 0 &&
	             has_entry(n0, LEDGER_RECIPIENT_ADD, "recipient:1", "nationality GBR"),
	     "an admin adds a recipient, with its recipient.add entry");
	add_recipient(kbob, "mallory", "GBR", "SECRET", NULL, &rc);
	T_OK(rc == RELEASE_FORBIDDEN, "an analyst without the releasing role may not");
	add_recipient(kroot, "alice", "GBR", "SECRET", NULL, &rc);
	T_OK(rc == RELEASE_EXISTS, "a second recipient of the same name: RELEASE_EXISTS");
	add_recipient(kroot, "x1", "XXX", "SECRET", NULL, &rc);
	T_OK(rc == RELEASE_BAD_INPUT, "a nationality that is not ISO 3166-1 alpha-3");
	add_recipient(kroot, "x2", "GBR", "SECRET//NOPE", NULL, &rc);
	T_OK(rc == RELEASE_BAD_INPUT, "a marking of another scheme");
	add_recipient(kroot, "x3", "GBR", "SECRET", "age1notakey", &rc);
	T_OK(rc == RELEASE_BAD_INPUT, "an age recipient that is not one");
	store_id bruno = add_recipient(kroot, "Бруно", "GBR", "SECRET", NULL, &rc);
	T_CHECK(rc == RELEASE_OK && bruno > 0);
	store_id dieter = add_recipient(kroot, "dieter", "DEU", "TOP SECRET", NULL, &rc);
	T_CHECK(rc == RELEASE_OK);
	store_id carl = add_recipient(kroot, "carl", "GBR", "OFFICIAL", NULL, &rc);
	T_CHECK(rc == RELEASE_OK && carl > 0 && dieter > 0);
	store_id eve = add_recipient(kroot, "eve", "GBR", "SECRET", NULL, &rc);
	T_CHECK(rc == RELEASE_OK && eve > 0);
	struct release_error err;
	n0 = ledger_len();
	T_OK(release_recipient_disable(reg, kroot, "eve", &err) == RELEASE_OK &&
	             has_entry(n0, LEDGER_RECIPIENT_DISABLE, NULL, NULL),
	     "a recipient disabled, with its recipient.disable entry");

	/* ---- reports ---- */
	store_id tg = telegram(kroot, "S//REL TO GBR, USA");
	store_id orcon = write_report(kroot, "(S//ORCON) Title\n\n(S//ORCON) {a|one} paragraph\n");
	store_id noforn =
	        write_report(kroot, "(S//NOFORN) Title\n\n(S//NOFORN) {a|one} paragraph\n");
	store_id mixed = write_report(kroot, "(S) Mixed\n\n(S) {Whilst|While} the talks go on, "
	                                     "{three|3} officers travelled.\n\n(TS) The source "
	                                     "is {close|near} to the minister.\n");
	T_CHECK(tg > 0 && orcon > 0 && noforn > 0 && mixed > 0);
	/* need-to-know: the releasing officers are on each report's distribution */
	const char *releasers[] = {"rita", "rex"};
	struct registry_error rerr;
	const store_id reports[] = {tg, orcon, noforn, mixed};
	for (int i = 0; i < 4; i++)
		T_CHECK(registry_report_circulate(reg, kroot, reports[i], NULL, 0, releasers, 2,
		                                  &rerr) == REGISTRY_OK);

	/* ---- proposals refused by the decision, with the reason ---- */
	const char *to_alice[] = {"alice"}, *to_dieter[] = {"dieter"}, *to_carl[] = {"carl"},
	           *to_eve[] = {"eve"}, *to_nobody[] = {"nobody"};
	n0 = ledger_len();
	propose(krita, tg, NULL, to_dieter, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED && strstr(err.msg, "nationality DEU") != NULL,
	     "to a German recipient of REL TO GBR, USA: refused for nationality (%s)", err.msg);
	propose(krita, tg, NULL, to_carl, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED && strstr(err.msg, "up to OFFICIAL") != NULL,
	     "to a recipient of OFFICIAL: refused for the marking (%s)", err.msg);
	propose(krita, orcon, NULL, to_alice, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED && strstr(err.msg, "ORCON") != NULL, "ORCON: refused (%s)",
	     err.msg);
	propose(krita, noforn, NULL, to_alice, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED && strstr(err.msg, "NOFORN") != NULL, "NOFORN: refused (%s)",
	     err.msg);
	propose(krita, tg, NULL, to_eve, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED && strstr(err.msg, "disabled") != NULL,
	     "a disabled recipient: refused (%s)", err.msg);
	propose(krita, tg, NULL, to_nobody, 1, &rc, &err);
	T_OK(rc == RELEASE_BAD_INPUT, "an unknown recipient");
	propose(kbob, tg, NULL, to_alice, 1, &rc, &err);
	T_OK(rc == RELEASE_FORBIDDEN, "an analyst may not propose");
	propose(krita, mixed, NULL, to_alice, 1, &rc, &err);
	T_OK(rc == RELEASE_REFUSED, "the whole of a report with a TOP SECRET paragraph: refused");
	T_OK(ledger_len() == n0, "no refused proposal wrote anything");
	store_id tl = propose(krita, mixed, "SECRET", to_alice, 1, &rc, &err);
	T_OK(rc == RELEASE_OK && tl > 0, "its tearline at SECRET may go (%s)", err.msg);

	/* ---- the two-person rule ---- */
	const char *three[] = {"alice", "Бруно", "dieter"};
	propose(krita, tg, NULL, three, 3, &rc, &err);
	T_OK(rc == RELEASE_REFUSED, "one refused recipient refuses the proposal");
	const char *two[] = {"alice", "Бруно"};
	n0 = ledger_len();
	store_id rel = propose(krita, tg, NULL, two, 2, &rc, &err);
	char relobj[64];
	snprintf(relobj, sizeof relobj, "release:%lld", (long long)rel);
	T_OK(rc == RELEASE_OK && rel > 0 &&
	             has_entry(n0, LEDGER_RELEASE_PROPOSE, relobj, "to 2 recipients"),
	     "proposed, with its release.propose entry");

	n0 = ledger_len();
	T_OK(release_approve(reg, krita, rel, &err) == RELEASE_FORBIDDEN &&
	             strstr(err.msg, "two-person") != NULL,
	     "the proposer cannot approve (%s)", err.msg);
	T_OK(release_approve(reg, kroot, rel, &err) == RELEASE_FORBIDDEN,
	     "an admin without the releasing role cannot either");
	struct buf a, b, c;
	buf_init(&a, RELEASE_COPY_MAX);
	buf_init(&b, RELEASE_COPY_MAX);
	buf_init(&c, RELEASE_COPY_MAX);
	T_OK(export(krex, rel, "alice", RELEASE_FORM_TEXT, NULL, &a) == RELEASE_FORBIDDEN &&
	             ledger_len() == n0,
	     "no copy of a proposed release, no entry");
	T_OK(release_approve(reg, krex, rel, &err) == RELEASE_OK &&
	             has_entry(n0, LEDGER_RELEASE_APPROVE, relobj, "2 copies"),
	     "a second releasing officer approves: release.approve, 2 copies (%s)", err.msg);
	T_OK(release_approve(reg, krex, rel, &err) == RELEASE_EXISTS, "approved once only");
	T_OK(release_refuse(reg, krex, rel, "too late", &err) == RELEASE_EXISTS,
	     "and no longer refusable");

	/* ---- refusal ---- */
	T_OK(release_refuse(reg, krex, tl, "", &err) == RELEASE_BAD_INPUT,
	     "a refusal needs a reason");
	n0 = ledger_len();
	T_OK(release_refuse(reg, krex, tl, "the source could be identified", &err) == RELEASE_OK &&
	             has_entry(n0, LEDGER_RELEASE_REFUSE, NULL, "the source could be identified"),
	     "refused with its reason in the release.refuse entry");
	T_OK(release_approve(reg, krex, tl, &err) == RELEASE_EXISTS, "a refused release stays so");

	/* ---- copies ---- */
	n0 = ledger_len();
	T_OK(export(krita, rel, "alice", RELEASE_FORM_TEXT, NULL, &a) == RELEASE_OK &&
	             export(krita, rel, "Бруно", RELEASE_FORM_MARKDOWN, NULL, &b) == RELEASE_OK,
	     "alice's copy as text, Bruno's as Markdown");
	T_CHECK(buf_append(&a, "", 1) == BUF_OK && buf_append(&b, "", 1) == BUF_OK);
	const char *ta = (const char *)a.data, *tb = (const char *)b.data;
	T_OK(strncmp(ta, "SECRET//REL TO GBR, USA\n", 24) == 0 &&
	             strstr(ta, "Released to: alice, Institute of Studies (GBR)") &&
	             strstr(ta, "Copy 1 of release") && strstr(ta, "Handling: ") &&
	             strstr(ta + a.len - 40, "SECRET//REL TO GBR, USA"),
	     "the text copy: banner above and below, the release notice");
	T_OK(strncmp(tb, "**SECRET//REL TO GBR, USA**", 27) == 0 &&
	             strstr(tb, "> Released to: Бруно") && strstr(tb, "Copy 2 of release"),
	     "the Markdown copy: its banner in bold, the notice quoted");
	T_OK(strchr(ta, '{') == NULL && strstr(ta, "Meridia telegram") != NULL,
	     "no markup is left in a copy");
	T_OK(has_entry(n0, LEDGER_RELEASE_DELIVER, relobj, "copy 1 as text") &&
	             has_entry(n0, LEDGER_RELEASE_DELIVER, relobj, "copy 2 as markdown"),
	     "each copy delivered has its release.deliver entry");
	T_OK(export(krita, rel, "alice", RELEASE_FORM_TEXT, NULL, &c) == RELEASE_OK &&
	             c.len + 1 == a.len && memcmp(c.data, a.data, c.len) == 0,
	     "a copy exported again is the same copy");
	T_OK(export(krita, rel, "carl", RELEASE_FORM_TEXT, NULL, &c) == RELEASE_NOT_FOUND,
	     "no copy for someone not on the release");
	T_OK(export(kbob, rel, "alice", RELEASE_FORM_TEXT, NULL, &c) == RELEASE_FORBIDDEN,
	     "an analyst may not export");

	/* age: to alice's key; to a passphrase for Bruno (and none: refused) */
	struct buf plain;
	buf_init(&plain, RELEASE_COPY_MAX);
	T_OK(export(krita, rel, "alice", RELEASE_FORM_AGE, NULL, &c) == RELEASE_OK &&
	             strncmp((const char *)c.data, "age-encryption.org/v1", 21) == 0,
	     "alice's copy as an age file");
	const struct age_identity *const ids[] = {alice_key};
	T_OK(age_decrypt_buf(ids, 1, c.data, c.len, &plain) == AGE_OK &&
	             strstr(buf_str(&plain), "Released to: alice") != NULL,
	     "which alice's key opens: the Markdown copy inside");
	T_OK(export(krita, rel, "Бруно", RELEASE_FORM_AGE, NULL, &c) == RELEASE_BAD_INPUT,
	     "Bruno has no age key: a passphrase is needed");
	T_OK(export(krita, rel, "Бруно", RELEASE_FORM_AGE, "correct horse battery", &c) ==
	             RELEASE_OK,
	     "with one, his copy is sealed to it");
	struct age_identity *pass = NULL;
	buf_reset(&plain);
	T_OK(age_identity_scrypt("correct horse battery", 21, 18, &pass) == AGE_OK &&
	             age_decrypt_buf((const struct age_identity *const[]){pass}, 1, c.data, c.len,
	                             &plain) == AGE_OK &&
	             strstr(buf_str(&plain), "Released to: Бруно") != NULL,
	     "and the passphrase opens it");
	age_identity_free(&pass);

	/* ---- copies differ; a retyped excerpt names its recipient ---- */
	T_OK(export(krita, rel, "Бруно", RELEASE_FORM_TEXT, NULL, &b) == RELEASE_OK,
	     "Bruno's text");
	const char *ba = strstr(ta, "Meridia telegram"),
	           *bb = strstr(buf_str(&b), "Meridia telegram");
	T_OK(ba && bb && strcmp(ba, bb) != 0, "the two copies' texts differ");
	struct buf ex;
	buf_init(&ex, 1 << 20);
	excerpt(&a, &ex);
	struct traced t = {0};
	n0 = ledger_len();
	T_OK(release_trace(reg, krex, (const char *)ex.data, ex.len, take_hit, &t, &err) ==
	                     RELEASE_OK &&
	             t.n >= 1 && t.best.release == rel && t.best.accused == 1 &&
	             t.best.top[0].recipient == alice && t.best.top[0].accused &&
	             t.best.top[0].copy == 1 && strcmp(t.best.top[0].name, "alice") == 0,
	     "a lower-cased 300-word excerpt of alice's copy, words dropped, accuses alice alone "
	     "(%zu slots read, bound %.3g)",
	     t.best.slots_read, t.best.top[0].bound);
	T_OK(has_entry(n0, LEDGER_RELEASE_TRACE, relobj, "accused recipient:1 (copy 1"),
	     "the trace's release.trace entry names the accused");
	t = (struct traced){0};
	n0 = ledger_len();
	const char *short_text = "the coalition talks in port aldane";
	T_OK(release_trace(reg, krex, short_text, strlen(short_text), take_hit, &t, &err) ==
	                     RELEASE_OK &&
	             (t.n == 0 || t.best.accused == 0) &&
	             has_entry(n0, LEDGER_RELEASE_TRACE, NULL, NULL),
	     "a few words accuse nobody, and the trace is recorded too");
	T_OK(release_trace(reg, kbob, short_text, strlen(short_text), take_hit, &t, &err) ==
	             RELEASE_FORBIDDEN,
	     "an analyst may not trace");

	/* ---- a release approved before engine 2 still exports and traces ---- */
	store_id old = propose(krita, tg, NULL, two, 2, &rc, &err);
	struct slots s1;
	struct copy_book b1;
	const uint64_t old_ids[2] = {(uint64_t)alice, (uint64_t)bruno};
	T_OK(rc == RELEASE_OK && approve_as_engine1(krex, old, tg, old_ids, &s1, &b1),
	     "a release approved as engine 1 did: 32-byte secret, bare bits, %zu slots", s1.n);
	struct buf body;
	buf_init(&body, RELEASE_COPY_MAX);
	T_OK(export(krita, old, "alice", RELEASE_FORM_TEXT, NULL, &c) == RELEASE_OK &&
	             copy_render(&s1, copy_book_bits(&b1, 0), &body) == 0 &&
	             buf_append(&body, "", 1) == BUF_OK && buf_append(&c, "", 1) == BUF_OK &&
	             strstr(buf_str(&c), "Meridia telegram") != NULL &&
	             strstr(buf_str(&body), "Meridia telegram") != NULL &&
	             strncmp(strstr(buf_str(&c), "Meridia telegram"),
	                     strstr(buf_str(&body), "Meridia telegram"), 4000) == 0,
	     "its copy exports with engine 1's slots and alice's stored bits");
	excerpt(&c, &ex);
	t = (struct traced){0};
	T_OK(release_trace(reg, krex, (const char *)ex.data, ex.len, take_hit, &t, &err) ==
	                     RELEASE_OK &&
	             t.best.release == old && t.best.accused == 1 &&
	             t.best.top[0].recipient == alice && t.best.top[0].copy == 1,
	     "and an excerpt of it traces to alice in that release (%zu slots read)",
	     t.best.slots_read);
	buf_release(&body);
	copy_book_free(&b1);
	slots_free(&s1);

	buf_release(&ex);
	buf_wipe_release(&plain);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
	/* ---- the decision per recipient, asked again (the desk's release page) ---- */
	struct decisions dv = {0};
	T_OK(release_decisions(reg, krita, rel, take_decision, &dv) == RELEASE_OK && dv.n == 2 &&
	             dv.allowed == 2 && strstr(dv.last, "may receive up to SECRET") != NULL,
	     "release_decisions: both recipients allowed, with the reason (%s)", dv.last);
	dv = (struct decisions){0};
	T_OK(release_decisions(reg, kbob, rel, take_decision, &dv) == RELEASE_FORBIDDEN &&
	             dv.n == 0,
	     "an analyst without the role: RELEASE_FORBIDDEN, nothing given");
	const char *to_gus[] = {"gus"};
	store_id gus = add_recipient(kroot, "gus", "GBR", "SECRET", NULL, &rc);
	store_id grel = gus > 0 ? propose(krita, tg, NULL, to_gus, 1, &rc, &err) : 0;
	dv = (struct decisions){0};
	T_OK(grel > 0 && release_recipient_disable(reg, krex, "gus", &err) == RELEASE_OK &&
	             release_decisions(reg, krex, grel, take_decision, &dv) == RELEASE_OK &&
	             dv.n == 1 && dv.allowed == 0 && strstr(dv.last, "disabled") != NULL,
	     "a recipient disabled since the proposal: refused now, with the reason (%s)", dv.last);
	T_OK(release_decisions(reg, krita, 999999, take_decision, &dv) == RELEASE_NOT_FOUND,
	     "an unknown release: RELEASE_NOT_FOUND");
	age_recipient_free(&alice_pub);
	age_identity_free(&alice_key);
	officer_key_free(&kroot);
	officer_key_free(&krita);
	officer_key_free(&krex);
	officer_key_free(&kbob);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	officers_free(&o);
	registry_free(&reg);
	instance_close(&inst);
	return t_done();
}
