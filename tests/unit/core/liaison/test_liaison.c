/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_liaison: the use cases of core/liaison on a real instance, against a
 * partner P whose keys the test holds. Export: what is sent whole, as a
 * tearline, and what is withheld and why (not releasable to P's country,
 * above the ceiling with nothing below it, NOFORN, ORCON, no agreed topic,
 * received from P itself), asserted on the bundle's plaintext; roles. Import
 * of bundles the test makes as P: the rules that refuse a bundle whole (not
 * signed by P, another addressee, a replay, a gap, a fork) and an item (a
 * topic not agreed, received before, a marking its portions do not make,
 * above the importing officer's clearance); ORCON kept on what is received,
 * and a received ORCON report never sent on to another partner. Every step's
 * ledger entry is checked.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-liaison-XXXXXX";
static uint64_t now = 1700000000;
static struct store *s;
static struct registry *reg;
static const char *vocab = CONF_LIAISON_TOPICS;

static uint64_t ledger_len(void)
{
	uint64_t n = 0;
	return ledger_size(s, &n) == LEDGER_OK ? n : UINT64_MAX;
}

/* How many entries from `from` on are action, their detail containing `detail`. */
static int entries(uint64_t from, enum ledger_action action, const char *detail)
{
	uint64_t n = ledger_len();
	int k = 0;
	for (uint64_t i = from; i < n; i++) {
		uint8_t e[LEDGER_ENTRY_MAX];
		size_t len;
		struct ledger_entry pe;
		if (ledger_entry(s, i, e, &len) == LEDGER_OK &&
		    ledger_entry_parse(e, len, &pe) == LEDGER_OK && pe.action == action &&
		    (detail == NULL || strstr(pe.detail, detail) != NULL))
			k++;
	}
	return k;
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

static store_id write_report(const struct officer_key *k, const char *text, const char *topics)
{
	static struct registry_input_para paras[REGISTRY_PARAS_MAX];
	struct registry_report_input in;
	struct registry_error err;
	struct liaison_error lerr;
	struct registry_written w = {0};
	if (registry_report_parse(text, strlen(text), paras, REGISTRY_PARAS_MAX, &in, &err) !=
	            REGISTRY_OK ||
	    registry_report_write(reg, k, &in, &w, &err) != REGISTRY_OK) {
		fprintf(stderr, "# report: %s\n", err.msg);
		return 0;
	}
	if (topics && liaison_report_topics_set(reg, k, vocab, w.id, topics, &lerr) != LIAISON_OK) {
		fprintf(stderr, "# topics: %s\n", lerr.msg);
		return 0;
	}
	return w.id;
}

/* What an export said about each item. */
struct seen {
	int n;
	enum liaison_item_kind kind[64];
	int64_t id[64], report[64];
	char reason[64][BUNDLE_REASON_MAX + 1];
};

static int see(void *ctx, const struct liaison_item *it)
{
	struct seen *v = ctx;
	if (v->n < 64) {
		v->kind[v->n] = it->kind;
		v->id[v->n] = it->remote;
		v->report[v->n] = it->report;
		snprintf(v->reason[v->n], sizeof v->reason[0], "%s", it->reason ? it->reason : "");
	}
	v->n++;
	return 0;
}

/* The item about id: its kind (0 if none) and reason. */
static int kind_of(const struct seen *v, int64_t id, const char **reason)
{
	for (int i = 0; i < v->n && i < 64; i++)
		if (v->id[i] == id) {
			if (reason)
				*reason = v->reason[i];
			return (int)v->kind[i];
		}
	return 0;
}

/* The partner P: an Ed25519 key and an age identity. */
static uint8_t p_sk[64], p_pk[32];
static struct age_identity *p_id;
static char p_age[AGE_RECIPIENT_STRLEN + 1];
static struct buf p_vkey;
#define P_NAME "partner-p/cutout-ledger"
#define SELF "self/cutout-ledger"

/* Opens a bundle for P: its plaintext content into out. */
static int open_as_p(const struct buf *bundle, struct buf *out)
{
	struct bundle_envelope e;
	char msg[128];
	const struct age_identity *const ids[] = {p_id};
	buf_reset(out);
	if (bundle_envelope_parse(bundle->data, bundle->len, &e, msg) != 0 ||
	    ledger_note_verify(e.sig_line, e.sig_len, e.head.from, p_pk, bundle->data,
	                       e.signed_len) != LEDGER_TAMPERED) /* not P's key: ours */
		return -1;
	return age_decrypt_buf(ids, 1, e.payload, e.payload_len, out) == AGE_OK ? 0 : -1;
}

/* A bundle from P to `to`, sealed to rcp, with the items given as content lines. */
static void make_bundle(const char *to, uint64_t seq, const uint8_t prev[32],
                        const struct age_recipient *rcp, const char *content_tail,
                        const uint8_t *sk, struct buf *out)
{
	struct bundle_head h;
	struct buf c, sealed;
	memset(&h, 0, sizeof h);
	snprintf(h.from, sizeof h.from, "%s", P_NAME);
	snprintf(h.to, sizeof h.to, "%s", to);
	h.seq = seq;
	memcpy(h.prev, prev, 32);
	buf_init(&c, 1 << 20);
	buf_init(&sealed, 1 << 20);
	buf_reset(out);
	const struct age_recipient *const rs[] = {rcp};
	if (bundle_content_begin(&h, &c) != 0 || buf_append_str(&c, content_tail) != BUF_OK ||
	    age_encrypt_buf(rs, 1, c.data, c.len, &sealed) != AGE_OK ||
	    bundle_envelope_write(&h, sealed.data, sealed.len, sk, out) != 0)
		fprintf(stderr, "# make_bundle failed\n");
	buf_release(&c);
	buf_release(&sealed);
}

/* A receipt from P (signed by sk) of our bundle seq: `acc` accepted, `ref` refused. */
static void make_receipt(const char *to, uint64_t seq, const uint8_t hash[32], int acc, int ref,
                         const uint8_t *sk, struct buf *out)
{
	struct bundle_head h;
	memset(&h, 0, sizeof h);
	snprintf(h.from, sizeof h.from, "%s", P_NAME);
	snprintf(h.to, sizeof h.to, "%s", to);
	h.seq = seq;
	memcpy(h.prev, hash, 32);
	buf_reset(out);
	int rc = bundle_receipt_begin(&h, out);
	for (int i = 0; rc == 0 && i < acc; i++)
		rc = bundle_receipt_item(100 + i, NULL, out);
	for (int i = 0; rc == 0 && i < ref; i++)
		rc = bundle_receipt_item(200 + i, "not wanted here", out);
	if (rc != 0 || bundle_receipt_end(P_NAME, (size_t)acc, (size_t)ref, sk, out) != 0)
		fprintf(stderr, "# make_receipt failed\n");
}

struct rcount {
	int64_t first_accepted;
	char reasons[2048];
};

static int rcount(void *ctx, int64_t id, const char *reason)
{
	struct rcount *c = ctx;
	size_t n = strlen(c->reasons);
	if (reason == NULL && c->first_accepted == 0)
		c->first_accepted = id;
	if (reason != NULL)
		snprintf(c->reasons + n, sizeof c->reasons - n, "%lld %s|", (long long)id, reason);
	return 0;
}

/* "item ID LEN TOPICS MARKING\nTEXT\n" */
static void item(struct buf *b, int64_t id, const char *topics, const char *marking,
                 const char *text)
{
	if (bundle_content_item(id, topics, marking, (const uint8_t *)text, strlen(text), b) != 0)
		fprintf(stderr, "# item failed\n");
}

struct rows {
	struct liaison_bundle_row v[16];
	size_t n;
};

static int keep_row(void *ctx, const struct liaison_bundle_row *b)
{
	struct rows *r = ctx;
	if (r->n < sizeof r->v / sizeof r->v[0])
		r->v[r->n++] = *b;
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
	struct age_recipient *admin_pub = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	T_CHECK(age_identity_recipient(admin_id, &admin_pub) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &ierr) == INSTANCE_OK);
	uint8_t *sk = sodium_malloc(64);
	T_CHECK(sk != NULL && instance_signing_key(inst, idpath, sk, &ierr) == INSTANCE_OK);
	struct marking_scheme sch;
	struct marking_error merr;
	T_CHECK(marking_scheme_init(&sch, MARKING_UK, "HUMINT", "GBR", &merr) == MARKING_OK);
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	const char *rpw = "root password is long enough";
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_ANALYST,
	                          "TOP SECRET//HUMINT", "GBR", rpw, NULL) == OFFICER_OK);
	struct officer_key *kroot = enrol_login(o, "root", rpw);
	T_CHECK(kroot != NULL);
	T_CHECK(officer_add(o, kroot, "rita", ROLE_RELEASING, "TOP SECRET//HUMINT", "GBR",
	                    "rita releases under control", NULL) == OFFICER_OK);
	T_CHECK(officer_add(o, kroot, "bob", ROLE_ANALYST, "SECRET", "GBR",
	                    "bob analyses secret things", NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kroot, "rita") == REGISTRY_OK &&
	        registry_officer_changed(reg, kroot, "bob") == REGISTRY_OK);
	struct officer_key *krita = enrol_login(o, "rita", "rita releases under control");
	struct officer_key *kbob = enrol_login(o, "bob", "bob analyses secret things");
	T_CHECK(krita && kbob);

	/* P's keys, its card values */
	struct age_recipient *p_pub = NULL;
	crypto_sign_keypair(p_pk, p_sk);
	buf_init(&p_vkey, 512);
	T_CHECK(ledger_vkey(P_NAME, p_pk, &p_vkey) == 0);
	T_CHECK(age_identity_generate(&p_id) == AGE_OK &&
	        age_identity_recipient(p_id, &p_pub) == AGE_OK &&
	        age_recipient_format(p_pub, p_age, sizeof p_age) == AGE_OK);

	/* ---- topics ---- */
	char t[STORE_TOPICS_MAX + 1];
	struct liaison_error err;
	T_OK(liaison_topics_parse(vocab, " terrorism, arms-trafficking,terrorism ", t, &err) ==
	                     LIAISON_OK &&
	             strcmp(t, "arms-trafficking,terrorism") == 0,
	     "topics typed: sorted, distinct");
	T_OK(liaison_topics_parse(vocab, "terrorism,knitting", t, &err) == LIAISON_BAD_INPUT &&
	             strstr(err.msg, "unknown topic 'knitting'") != NULL,
	     "a topic outside the vocabulary is refused, named");
	T_OK(liaison_topics_parse(vocab, "none", t, &err) == LIAISON_OK && t[0] == '\0',
	     "\"none\": no topic");

	/* ---- partners ---- */
	uint64_t n0 = ledger_len();
	struct liaison_partner_input pin = {.name = "P",
	                                    .country = "FRA",
	                                    .vkey = buf_str(&p_vkey),
	                                    .age_recipient = p_age,
	                                    .topics = "terrorism,organised-crime",
	                                    .marking = "SECRET"};
	store_id pid = 0;
	T_OK(liaison_partner_add(reg, kbob, vocab, &pin, &pid, &err) == LIAISON_FORBIDDEN,
	     "an analyst may not add a partner");
	T_OK(liaison_partner_add(reg, krita, vocab, &pin, &pid, &err) == LIAISON_OK && pid > 0 &&
	             entries(n0, LEDGER_PARTNER_ADD, "topics organised-crime,terrorism") == 1,
	     "a releasing officer adds P, with its partner.add entry");
	store_id x0 = 0;
	T_OK(liaison_partner_add(reg, krita, vocab, &pin, &x0, &err) == LIAISON_EXISTS,
	     "twice: LIAISON_EXISTS");
	struct liaison_partner_input bad = pin;
	bad.name = "Q";
	bad.vkey = "Q+00000000+AAAA";
	T_OK(liaison_partner_add(reg, krita, vocab, &bad, &x0, &err) == LIAISON_BAD_INPUT,
	     "a verifier key that is not one");
	bad = pin;
	bad.name = "Q";
	bad.marking = "SECRET//NOPE";
	T_OK(liaison_partner_add(reg, krita, vocab, &bad, &x0, &err) == LIAISON_BAD_INPUT,
	     "a ceiling of another scheme");

	/* ---- cards ---- */
	struct liaison_card card, back;
	struct buf cb;
	buf_init(&cb, LIAISON_CARD_MAX);
	memset(&card, 0, sizeof card);
	snprintf(card.name, sizeof card.name, "Partner P");
	snprintf(card.country, sizeof card.country, "FRA");
	snprintf(card.vkey, sizeof card.vkey, "%s", buf_str(&p_vkey));
	snprintf(card.age_recipient, sizeof card.age_recipient, "%s", p_age);
	T_OK(liaison_card_make(&card, p_sk, &cb, &err) == LIAISON_OK &&
	             liaison_card_open(cb.data, cb.len, &back, &err) == LIAISON_OK &&
	             strcmp(back.vkey, card.vkey) == 0 && back.url[0] == '\0',
	     "a card made and read back");
	T_OK(liaison_card_make(&card, sk, &cb, &err) == LIAISON_BAD_INPUT,
	     "a card is signed only by the key it names");
	cb.data[cb.len / 2] ^= 0x01;
	T_OK(liaison_card_open(cb.data, cb.len, &back, &err) != LIAISON_OK,
	     "a card changed after signing is refused");

	/* ---- the liaison key; a v2 card names it and the ledger key ---- */
	{
		struct buf kt, kc;
		struct age_identity *lid = NULL, *lid2 = NULL;
		uint8_t *lsk = sodium_malloc(64), *lsk2 = sodium_malloc(64);
		buf_init(&kt, 4096);
		buf_init(&kc, LIAISON_CARD_MAX);
		T_OK(liaison_key_make(&kt) == LIAISON_OK &&
		             strstr(buf_str(&kt), "# recipient: age1") &&
		             strstr(buf_str(&kt), "\nAGE-SECRET-KEY-1") != NULL,
		     "a liaison key file: its recipient and its age identity");
		T_OK(liaison_key_open(kt.data, kt.len, &lid, lsk) == LIAISON_OK &&
		             liaison_key_open(kt.data, kt.len, &lid2, lsk2) == LIAISON_OK &&
		             sodium_memcmp(lsk, lsk2, 64) == 0,
		     "it opens; the Ed25519 key derived from it is always the same");
		age_identity_free(&lid2); /* the junk below must leave it NULL */
		T_OK(liaison_key_open((const uint8_t *)"AGE-SECRET-KEY-1\n", 17, &lid2, lsk2) ==
		                     LIAISON_BAD_INPUT &&
		             lid2 == NULL,
		     "junk is not a liaison key");
		struct buf lv;
		buf_init(&lv, STORE_PARTNER_KEY_MAX + 1);
		T_OK(ledger_vkey("partner-p/cutout-ledger", lsk + 32, &lv) == 0,
		     "its verifier key");
		struct liaison_card c2 = card;
		snprintf(c2.vkey, sizeof c2.vkey, "%s", buf_str(&lv));
		snprintf(c2.ledger_vkey, sizeof c2.ledger_vkey, "%s", buf_str(&p_vkey));
		T_OK(liaison_card_make(&c2, lsk, &kc, &err) == LIAISON_OK &&
		             memcmp(kc.data, "cutout-partner-card v2\n", 23) == 0 &&
		             liaison_card_open(kc.data, kc.len, &back, &err) == LIAISON_OK &&
		             strcmp(back.vkey, c2.vkey) == 0 &&
		             strcmp(back.ledger_vkey, buf_str(&p_vkey)) == 0,
		     "a v2 card (the liaison key, the ledger key) made and read back");
		kc.data[kc.len / 2] ^= 0x01;
		T_OK(liaison_card_open(kc.data, kc.len, &back, &err) != LIAISON_OK,
		     "a v2 card changed after signing is refused");
		cb.len = 0;
		T_OK(liaison_card_make(&card, p_sk, &cb, &err) == LIAISON_OK &&
		             liaison_card_open(cb.data, cb.len, &back, &err) == LIAISON_OK &&
		             back.ledger_vkey[0] == '\0',
		     "a v1 card is still read (no ledger key)");
		T_OK(liaison_key_record(reg, krita, buf_str(&lv), "age1x", &err) ==
		                     LIAISON_FORBIDDEN &&
		             strstr(err.msg, "admin") != NULL,
		     "recording a new liaison key needs the admin role");
		T_OK(liaison_key_record(reg, kroot, buf_str(&lv), "age1x", &err) == LIAISON_OK,
		     "an admin records it (liaison.key)");
		age_identity_free(&lid);
		age_identity_free(&lid2);
		sodium_free(lsk);
		sodium_free(lsk2);
		buf_wipe_release(&kt);
		buf_release(&kc);
		buf_release(&lv);
	}

	/* ---- export: what is sent, what is withheld and why ---- */
	store_id whole = write_report(
	        kroot, "(S//REL TO GBR, FRA) Joint\n\n(S//REL TO GBR, FRA) Shared paragraph.\n",
	        "terrorism");
	store_id tear = write_report(
	        kroot, "(S) Tear\n\n(S) Secret paragraph.\n\n(TS) Top secret paragraph.\n",
	        "terrorism");
	store_id ts = write_report(kroot, "(TS) Top\n\n(TS) Only top secret.\n", "terrorism");
	store_id usa = write_report(
	        kroot, "(S//REL TO GBR, USA) Fvey\n\n(S//REL TO GBR, USA) Not for France.\n",
	        "organised-crime");
	store_id nof =
	        write_report(kroot, "(S//NOFORN) Nf\n\n(S//NOFORN) Ours alone.\n", "terrorism");
	store_id orc =
	        write_report(kroot, "(S//ORCON) Oc\n\n(S//ORCON) Controlled.\n", "terrorism");
	store_id arms = write_report(kroot, "(S) Arms\n\n(S) Guns.\n", "arms-trafficking");
	store_id none = write_report(kroot, "(S) Plain\n\n(S) No topic.\n", NULL);
	T_CHECK(whole && tear && ts && usa && nof && orc && arms && none);
	/* rita reads every report (circulated to her) */
	const char *to_rita[] = {"rita"};
	struct registry_error rerr;
	for (store_id id = whole; id <= none; id++)
		T_CHECK(registry_report_circulate(reg, kroot, id, NULL, 0, to_rita, 1, &rerr) ==
		        REGISTRY_OK);

	struct liaison_self self = {.name = SELF, .sk = sk};
	struct liaison_summary sum;
	struct buf b1, plain;
	buf_init(&b1, LIAISON_BUNDLE_MAX);
	buf_init(&plain, LIAISON_BUNDLE_MAX);
	struct seen v = {0};
	T_OK(liaison_export(reg, kroot, &self, "P", -1, &b1, &sum, see, &v, &err) ==
	             LIAISON_FORBIDDEN,
	     "exporting needs the releasing role");
	n0 = ledger_len();
	T_OK(liaison_export(reg, krita, &self, "P", -1, &b1, &sum, see, &v, &err) == LIAISON_OK &&
	             sum.seq == 1 && sum.sent == 2 && sum.withheld == 4 && sum.skipped == 2,
	     "bundle 1: 2 sent, 4 withheld, 2 on no agreed topic (%zu, %zu, %zu)", sum.sent,
	     sum.withheld, sum.skipped);
	const char *why = "";
	T_OK(kind_of(&v, whole, &why) == LIAISON_ITEM_SENT && why[0] == '\0',
	     "releasable to FRA at or under the ceiling: sent whole");
	T_OK(kind_of(&v, tear, &why) == LIAISON_ITEM_SENT && strcmp(why, "tearline at SECRET") == 0,
	     "above the ceiling with paragraphs under it: its tearline at SECRET");
	T_OK(kind_of(&v, ts, &why) == LIAISON_ITEM_WITHHELD &&
	             strstr(why, "may receive up to SECRET, not TOP SECRET") != NULL,
	     "above the ceiling, nothing under it: withheld (%s)", why);
	T_OK(kind_of(&v, usa, &why) == LIAISON_ITEM_WITHHELD &&
	             strstr(why, "nationality FRA is not in the release list") != NULL,
	     "not releasable to FRA: withheld (%s)", why);
	T_OK(kind_of(&v, nof, &why) == LIAISON_ITEM_WITHHELD && strstr(why, "NOFORN") != NULL,
	     "NOFORN: withheld (%s)", why);
	T_OK(kind_of(&v, orc, &why) == LIAISON_ITEM_WITHHELD && strstr(why, "ORCON") != NULL,
	     "ORCON: withheld (%s)", why);
	T_OK(kind_of(&v, arms, NULL) == 0 && kind_of(&v, none, NULL) == 0,
	     "no agreed topic: not considered, not listed");
	T_OK(entries(n0, LEDGER_LIAISON_SEND, "bundle 1") == 2 &&
	             entries(n0, LEDGER_LIAISON_WITHHOLD, "bundle 1: ") == 4 &&
	             entries(n0, LEDGER_LIAISON_EXPORT, "bundle 1: 2 sent, 4 withheld") == 1,
	     "every item is an entry with its reason, and the bundle one");
	T_OK(open_as_p(&b1, &plain) == 0, "P's key opens the bundle");
	const char *pt = buf_str(&plain);
	T_OK(strstr(pt, "Shared paragraph.") && strstr(pt, "Secret paragraph.") &&
	             !strstr(pt, "Top secret paragraph.") && !strstr(pt, "Only top secret") &&
	             !strstr(pt, "Not for France") && !strstr(pt, "Ours alone") &&
	             !strstr(pt, "Controlled") && !strstr(pt, "Guns") && !strstr(pt, "Fvey"),
	     "what is withheld never leaves: not its text, not its title");
	char line[64];
	snprintf(line, sizeof line, "\nwithheld %lld ", (long long)usa);
	T_OK(strstr(pt, line) != NULL, "the withheld list names the report and why");
	struct buf b2;
	buf_init(&b2, LIAISON_BUNDLE_MAX);
	memset(&v, 0, sizeof v);
	T_OK(liaison_export(reg, krita, &self, "P", -1, &b2, &sum, see, &v, &err) == LIAISON_OK &&
	             sum.seq == 2 && sum.sent == 0 && sum.withheld == 0,
	     "bundle 2: nothing new since bundle 1");
	struct bundle_envelope e2;
	char msg[128];
	uint8_t h1[32];
	crypto_hash_sha256(h1, b1.data, b1.len);
	T_OK(bundle_envelope_parse(b2.data, b2.len, &e2, msg) == 0 && e2.head.seq == 2 &&
	             memcmp(e2.head.prev, h1, 32) == 0,
	     "bundle 2 chains to bundle 1's hash");
	memset(&v, 0, sizeof v);
	T_OK(liaison_export(reg, krita, &self, "P", whole, &b2, &sum, see, &v, &err) ==
	                     LIAISON_OK &&
	             sum.seq == 3 && sum.sent == 1 && sum.withheld == 4,
	     "--since: the reports after that id again (bundle 3)");

	/* ---- import ---- */
	uint8_t zero[32] = {0};
	struct buf c, in;
	buf_init(&c, 1 << 20);
	buf_init(&in, LIAISON_BUNDLE_MAX);
	struct liaison_self me = {.name = SELF, .identity = admin_id};
	const char *orcon_text =
	        "(S//ORCON//REL TO FRA, GBR) From P\n\n(S//ORCON//REL TO FRA, GBR) "
	        "Their controlled paragraph.\n";
	item(&c, 41, "terrorism", "SECRET//ORCON//REL TO FRA, GBR", orcon_text);
	item(&c, 42, "arms-trafficking", "SECRET", "(S) Arms\n\n(S) Their guns.\n");
	item(&c, 41, "terrorism", "SECRET//ORCON//REL TO FRA, GBR", orcon_text);
	item(&c, 43, "terrorism", "SECRET",
	     "(S//REL TO FRA) Mism\n\n(S//REL TO FRA) Not SECRET.\n");
	item(&c, 44, "terrorism", "TOP SECRET", "(TS) High\n\n(TS) Above bob.\n");
	T_CHECK(bundle_content_withheld(45, "report 45: not releasable to GBR", &c) == 0 &&
	        bundle_content_end(5, 1, &c) == 0);
	make_bundle(SELF, 1, zero, admin_pub, buf_str(&c), p_sk, &in);
	n0 = ledger_len();
	memset(&v, 0, sizeof v);
	T_OK(liaison_import(reg, krita, &me, in.data, in.len, &sum, see, &v, NULL, &err) ==
	             LIAISON_FORBIDDEN,
	     "importing needs the analyst role");
	struct liaison_self me_r = {.name = SELF, .identity = admin_id, .sk = sk};
	struct buf rcp;
	buf_init(&rcp, BUNDLE_RECEIPT_MAX);
	enum liaison_result ir =
	        liaison_import(reg, kbob, &me_r, in.data, in.len, &sum, see, &v, &rcp, &err);
	if (ir != LIAISON_OK)
		fprintf(stderr, "# import: %s\n", err.msg);
	T_OK(ir == LIAISON_OK && sum.received == 1 && sum.refused == 4 && sum.partner_withheld == 1,
	     "bundle 1 from P: 1 received, 4 refused, 1 withheld by P (%zu, %zu, %zu)",
	     sum.received, sum.refused, sum.partner_withheld);
	T_OK(v.n == 6 && v.kind[0] == LIAISON_ITEM_RECEIVED && v.kind[1] == LIAISON_ITEM_REFUSED &&
	             strstr(v.reason[1], "not all agreed") && v.kind[2] == LIAISON_ITEM_REFUSED &&
	             strcmp(v.reason[2], "received before") == 0 &&
	             v.kind[3] == LIAISON_ITEM_REFUSED &&
	             strstr(v.reason[3], "not the combination") &&
	             v.kind[4] == LIAISON_ITEM_REFUSED &&
	             strstr(v.reason[4], "above your clearance") &&
	             v.kind[5] == LIAISON_ITEM_PARTNER_WITHHELD,
	     "each item refused with its reason: topic, twice, marking, clearance");
	T_OK(entries(n0, LEDGER_LIAISON_RECEIVE, "report 41 bundle 1") == 1 &&
	             entries(n0, LEDGER_LIAISON_REFUSE, "bundle 1: ") == 4 &&
	             entries(n0, LEDGER_LIAISON_WITHHELD, "not releasable to GBR") == 1 &&
	             entries(n0, LEDGER_LIAISON_IMPORT, "1 received, 4 refused, 1 withheld") == 1 &&
	             entries(n0, LEDGER_REPORT_WRITE, NULL) == 1,
	     "the import's entries: each item with its reason, the report, the bundle");
	/* the receipt for P: signed with our key, naming the bundle and each item */
	struct bundle_receipt brc;
	struct rcount rn = {0};
	char rmsg[128];
	uint8_t hin1[32];
	crypto_hash_sha256(hin1, in.data, in.len);
	T_OK(bundle_receipt_parse(rcp.data, rcp.len, &brc, rcount, &rn, rmsg) == 0 &&
	             strcmp(brc.head.from, SELF) == 0 && strcmp(brc.head.to, P_NAME) == 0 &&
	             brc.head.seq == 1 && memcmp(brc.head.prev, hin1, 32) == 0 &&
	             brc.accepted == 1 && brc.refused == 4 && rn.first_accepted == 41 &&
	             strstr(rn.reasons, "42 topics arms-trafficking not all agreed") &&
	             strstr(rn.reasons, "41 received before") &&
	             ledger_note_verify(brc.sig_line, brc.sig_len, SELF, sk + 32, rcp.data,
	                                brc.signed_len) == LEDGER_OK,
	     "the import's receipt: signed by this instance, bundle 1 of P by its hash, 41"
	     " accepted, 4 refused with their reasons (%s)",
	     rmsg);
	buf_release(&rcp);

	/* the received report: ORCON kept; P's origin kept */
	struct store_received from;
	struct registry_report *rep = NULL;
	store_id lr = v.report[0];
	T_OK(store_received_of(s, lr, &from) == STORE_OK && from.remote == 41 &&
	             from.partner == pid &&
	             strcmp(from.marking, "SECRET//ORCON//REL TO FRA, GBR") == 0,
	     "the received report keeps its origin: P, its id there, its marking");
	T_OK(registry_report_open(reg, kbob, lr, &rep) == REGISTRY_OK &&
	             (rep->marking.flags & MARKING_ORCON) &&
	             strstr(rep->paras[1].text, "Their controlled paragraph.") != NULL,
	     "stored under its originator's marking, ORCON kept, readable by the importer");
	registry_report_free(&rep);

	/* bundles refused whole */
	struct buf x;
	buf_init(&x, LIAISON_BUNDLE_MAX);
	n0 = ledger_len();
	T_OK(liaison_import(reg, kbob, &me, in.data, in.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "replay: bundle 1"),
	     "the same bundle again: replay");
	make_bundle(SELF, 3, sum.hash, admin_pub, "end 0 0\n", p_sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "gap: bundle 3"),
	     "bundle 3 after 1: a gap");
	make_bundle(SELF, 2, zero, admin_pub, "end 0 0\n", p_sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "fork: bundle 2"),
	     "bundle 2 not chained to bundle 1: a fork");
	uint8_t hin[32];
	crypto_hash_sha256(hin, in.data, in.len);
	make_bundle("someone-else/cutout-ledger", 2, hin, admin_pub, "end 0 0\n", p_sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "addressed to someone-else"),
	     "a bundle for another instance");
	make_bundle(SELF, 2, hin, admin_pub, "end 0 0\n", sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "signature does not verify"),
	     "signed by another key than P's");
	make_bundle(SELF, 2, hin, admin_pub, "end 1 0\n", p_sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "does not count"),
	     "an end line that does not count the items");
	T_OK(entries(n0, LEDGER_LIAISON_REFUSE, NULL) == 6,
	     "each refusal is an entry with its reason");
	make_bundle(SELF, 2, hin, admin_pub, "end 0 0\n", p_sk, &x);
	T_OK(liaison_import(reg, kbob, &me, x.data, x.len, &sum, NULL, NULL, NULL, &err) ==
	             LIAISON_OK,
	     "bundle 2, chained, then is taken");

	/* ---- the marking map: a partner's scheme sealed under the mapped local marking ---- */
	uint8_t h2[32];
	crypto_hash_sha256(h2, x.data, x.len);
	buf_reset(&c);
	item(&c, 51, "terrorism", "UK SECRET", "(UK S) Foreign\n\n(UK S) Their paragraph.\n");
	item(&c, 52, "terrorism", "UK SECRET//ORCON",
	     "(UK S//ORCON) Theirs\n\n(UK S//ORCON) Their controlled paragraph.\n");
	item(&c, 53, "terrorism", "UK TOP SECRET", "(UK TS) Unmapped\n\n(UK TS) Not mapped.\n");
	item(&c, 54, "terrorism", "UK CONFIDENTIAL", "(UK C) Bad map\n\n(UK C) Mapped to junk.\n");
	T_CHECK(bundle_content_end(4, 0, &c) == 0);
	make_bundle(SELF, 3, h2, admin_pub, buf_str(&c), p_sk, &x);
	struct liaison_self me_m = {.name = SELF,
	                            .identity = admin_id,
	                            .marking_map =
	                                    "UK SECRET = SECRET; UK SECRET//ORCON = SECRET ;;"
	                                    " UK CONFIDENTIAL = BOGUS"};
	memset(&v, 0, sizeof v);
	n0 = ledger_len();
	T_OK(liaison_import(reg, kbob, &me_m, x.data, x.len, &sum, see, &v, NULL, &err) ==
	                     LIAISON_OK &&
	             sum.received == 2 && sum.refused == 2,
	     "bundle 3 in P's scheme: 2 mapped and received, 2 refused (%s)", err.msg);
	const char *why53 = "", *why54 = "", *why51 = "";
	T_OK(kind_of(&v, 51, &why51) == LIAISON_ITEM_RECEIVED &&
	             strcmp(why51, "mapped to SECRET") == 0 &&
	             kind_of(&v, 53, &why53) == LIAISON_ITEM_REFUSED &&
	             strstr(why53, "UK TOP SECRET is not of this scheme and liaison_marking_map "
	                           "does not map it") &&
	             kind_of(&v, 54, &why54) == LIAISON_ITEM_REFUSED &&
	             strstr(why54, "maps UK CONFIDENTIAL to BOGUS, not a marking"),
	     "an unmapped foreign marking is refused with the reason, so is a bad mapping (%s; %s)",
	     why53, why54);
	store_id m51 = 0, m52 = 0;
	for (int i = 0; i < v.n && i < 64; i++) {
		if (v.id[i] == 51)
			m51 = v.report[i];
		if (v.id[i] == 52)
			m52 = v.report[i];
	}
	struct liaison_origin org;
	T_OK(registry_report_open(reg, kbob, m51, &rep) == REGISTRY_OK &&
	             !(rep->marking.flags & MARKING_ORCON) &&
	             liaison_report_origin(reg, kbob, m51, &org) == LIAISON_OK &&
	             strcmp(org.partner.name, "P") == 0 && strcmp(org.marking, "UK SECRET") == 0 &&
	             strcmp(org.local, "SECRET") == 0 && org.remote == 51 && org.seq == 3,
	     "sealed under SECRET, the originator's marking (UK SECRET) and identity (from P) "
	     "kept");
	registry_report_free(&rep);
	T_OK(registry_report_open(reg, kbob, m52, &rep) == REGISTRY_OK &&
	             (rep->marking.flags & MARKING_ORCON) &&
	             liaison_report_origin(reg, kbob, m52, &org) == LIAISON_OK &&
	             strcmp(org.local, "SECRET//ORCON") == 0,
	     "the originator's ORCON goes with it though the map names SECRET alone (%s)",
	     org.local);
	registry_report_free(&rep);
	T_OK(liaison_report_origin(reg, kbob, whole, &org) == LIAISON_NOT_FOUND ||
	             (liaison_report_origin(reg, krita, whole, &org) == LIAISON_OK &&
	              org.partner.name[0] == '\0'),
	     "a report written here has no partner");
	T_OK(entries(n0, LEDGER_LIAISON_RECEIVE, "report 51 bundle 3: mapped to SECRET") == 1 &&
	             entries(n0, LEDGER_LIAISON_REFUSE, "does not map it") == 1,
	     "the mapping and the refusal are in the ledger");
	char mm[64];
	T_OK(liaison_marking_map("A = B; C=D", "C", mm, sizeof mm) == 1 && strcmp(mm, "D") == 0 &&
	             liaison_marking_map("A = B", "B", mm, sizeof mm) == 0 &&
	             liaison_marking_map("none", "none", mm, sizeof mm) == 0 &&
	             liaison_marking_map("A = B; junk", "X", mm, sizeof mm) == -1 &&
	             liaison_marking_map("A = ", "A", mm, sizeof mm) == -1 &&
	             liaison_marking_map("A = B = C", "A", mm, sizeof mm) == -1,
	     "liaison_marking_map: looked up exactly; malformed entries are errors");

	/* an imported ORCON report is never sent on */
	struct liaison_partner_input qin = pin;
	qin.name = "Q";
	qin.country = "GBR";
	store_id qid = 0;
	T_CHECK(liaison_partner_add(reg, krita, vocab, &qin, &qid, &err) == LIAISON_OK);
	T_CHECK(registry_report_circulate(reg, kbob, lr, NULL, 0, to_rita, 1, &rerr) ==
	                REGISTRY_OK &&
	        registry_report_circulate(reg, kbob, m52, NULL, 0, to_rita, 1, &rerr) ==
	                REGISTRY_OK);
	memset(&v, 0, sizeof v);
	T_OK(liaison_export(reg, krita, &self, "Q", lr - 1, &x, &sum, see, &v, &err) ==
	                     LIAISON_OK &&
	             kind_of(&v, lr, &why) == LIAISON_ITEM_WITHHELD && strstr(why, "ORCON"),
	     "a received ORCON report is withheld from another partner (%s)", why);
	T_OK(kind_of(&v, m52, &why) == LIAISON_ITEM_WITHHELD && strstr(why, "ORCON"),
	     "so is one received in P's scheme, mapped (%s)", why);
	memset(&v, 0, sizeof v);
	T_OK(liaison_export(reg, krita, &self, "P", lr - 1, &x, &sum, see, &v, &err) ==
	                     LIAISON_OK &&
	             kind_of(&v, lr, &why) == LIAISON_ITEM_WITHHELD &&
	             strcmp(why, "received from this partner") == 0,
	     "nor sent back to its originator");

	/* ---- receipts from P of the bundles sent to it ---- */
	struct store_bundle_sent row;
	T_OK(store_bundle_sent_get(s, pid, 1, &row) == STORE_OK && row.items == 2 &&
	             row.withheld == 4 && row.receipted == 0 && memcmp(row.hash, h1, 32) == 0,
	     "each bundle sent is a row: bundle 1, its hash, 2 items, 4 withheld, no receipt");
	struct liaison_receipt_summary rs;
	uint8_t other[32] = {1};
	n0 = ledger_len();
	make_receipt(SELF, 1, h1, 2, 0, p_sk, &x);
	T_OK(liaison_receipt(reg, kbob, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	             LIAISON_FORBIDDEN,
	     "recording a receipt needs the releasing (or admin) role");
	make_receipt(SELF, 99, h1, 2, 0, p_sk, &x);
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "bundle 99: no such bundle was sent"),
	     "a receipt for an unknown bundle: refused (%s)", err.msg);
	make_receipt(SELF, 1, h1, 2, 0, sk, &x);
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "signature does not verify"),
	     "a receipt signed by another key than P's: refused");
	make_receipt(SELF, 1, other, 2, 0, p_sk, &x);
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "names another bundle"),
	     "a receipt naming bundle 1 with another hash: refused");
	make_receipt(SELF, 1, h1, 1, 0, p_sk, &x);
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "names 1 items, the bundle carried 2"),
	     "a receipt that does not account for every item: refused");
	make_receipt("someone-else/cutout-ledger", 1, h1, 2, 0, p_sk, &x);
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "addressed to someone-else"),
	     "a receipt for another instance: refused");
	T_OK(liaison_receipt(reg, krita, &self, (const uint8_t *)"junk\n", 5, &rs, NULL, NULL,
	                     &err) == LIAISON_REFUSED &&
	             strstr(err.msg, "not a receipt"),
	     "junk: not a receipt");
	T_OK(entries(n0, LEDGER_LIAISON_REFUSE, NULL) == 6 &&
	             entries(n0, LEDGER_LIAISON_RECEIPT, NULL) == 0,
	     "each receipt refused is a liaison.refuse entry with its reason, nothing recorded");
	make_receipt(SELF, 1, h1, 1, 1, p_sk, &x);
	n0 = ledger_len();
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_OK &&
	             rs.seq == 1 && rs.accepted == 1 && rs.refused == 1 &&
	             strcmp(rs.partner, "P") == 0,
	     "P's receipt of bundle 1: 1 accepted, 1 refused, recorded (%s)", err.msg);
	T_OK(entries(n0, LEDGER_LIAISON_RECEIPT, "bundle 1: 1 accepted, 1 refused") == 1 &&
	             entries(n0, LEDGER_LIAISON_RECEIPT, "refused: not wanted here") == 1 &&
	             store_bundle_sent_get(s, pid, 1, &row) == STORE_OK && row.receipted > 0 &&
	             row.accepted == 1 && row.refused == 1,
	     "its liaison.receipt entries (the bundle, the item refused with P's reason) and the"
	     " bundle's row, together");
	T_OK(liaison_receipt(reg, krita, &self, x.data, x.len, &rs, NULL, NULL, &err) ==
	                     LIAISON_REFUSED &&
	             strstr(err.msg, "replay"),
	     "the same receipt again: a replay, refused");

	/* ---- status ---- */
	struct liaison_status st;
	T_OK(liaison_status(reg, kbob, "P", 7, 0, &st, &err) == LIAISON_FORBIDDEN,
	     "status needs the releasing (or admin) role");
	T_OK(liaison_status(reg, krita, "nobody", 7, 0, &st, &err) == LIAISON_NOT_FOUND,
	     "status of an unknown partner: not found");
	T_OK(liaison_status(reg, krita, "P", 7, 0, &st, &err) == LIAISON_OK && st.sent == 4 &&
	             st.receipted == 1 && st.outstanding == 3 && st.items_sent == 3 &&
	             st.items_accepted == 1 && st.items_refused == 1 && st.items_unreceipted == 1 &&
	             st.received == 3 && st.items_received == 3 && st.late_days == 0,
	     "status: 4 sent (3 items), 1 receipted, 3 outstanding, 3 received; not late (%llu "
	     "%llu %llu)",
	     (unsigned long long)st.sent, (unsigned long long)st.receipted,
	     (unsigned long long)st.received);
	T_OK(liaison_status(reg, krita, "P", 7, store_today() + 7, &st, &err) == LIAISON_OK &&
	             st.late_days == 0 &&
	             liaison_status(reg, krita, "P", 7, store_today() + 8, &st, &err) ==
	                     LIAISON_OK &&
	             st.late_days == 8,
	     "7 days without a receipt is not late; 8 days: P has stopped receipting");

	/* the last bundles each way (the desk's partners page) */
	struct rows rw = {0};
	T_OK(liaison_bundles(reg, kbob, "P", 2, keep_row, &rw) == LIAISON_FORBIDDEN,
	     "the last bundles need the releasing (or admin) role");
	T_OK(liaison_bundles(reg, krita, "P", 2, keep_row, &rw) == LIAISON_OK && rw.n >= 3 &&
	             rw.v[0].way == STORE_LIAISON_SENT && rw.v[0].seq == 4 &&
	             rw.v[1].way == STORE_LIAISON_SENT && rw.v[1].seq == 3 &&
	             rw.v[2].way == STORE_LIAISON_RECEIVED && rw.v[2].items >= 1,
	     "the last 2 bundles sent, newest first, then those received");
	rw.n = 0;
	T_OK(liaison_bundles(reg, krita, "P", 50, keep_row, &rw) == LIAISON_OK &&
	             rw.v[3].seq == 1 && rw.v[3].receipted > 0 && rw.v[3].accepted == 1 &&
	             rw.v[3].refused == 1,
	     "bundle 1 with its receipt: 1 accepted, 1 refused");
	T_OK(liaison_bundles(reg, krita, "P", 0, keep_row, &rw) == LIAISON_BAD_INPUT &&
	             liaison_bundles(reg, krita, "nobody", 5, keep_row, &rw) == LIAISON_NOT_FOUND,
	     "no row asked for: bad input; an unknown partner: not found");

	/* disabled */
	T_OK(liaison_partner_disable(reg, krita, "P", &err) == LIAISON_OK &&
	             liaison_export(reg, krita, &self, "P", -1, &x, &sum, NULL, NULL, &err) ==
	                     LIAISON_REFUSED,
	     "nothing is sent to a disabled partner");

	buf_release(&b1);
	buf_release(&b2);
	buf_release(&x);
	buf_release(&c);
	buf_release(&in);
	buf_wipe_release(&plain);
	buf_release(&cb);
	buf_release(&p_vkey);
	sodium_free(sk);
	age_identity_free(&p_id);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	age_recipient_free(&p_pub);
	age_recipient_free(&admin_pub);
	officer_key_free(&kroot);
	officer_key_free(&krita);
	officer_key_free(&kbob);
	officers_free(&o);
	registry_free(&reg);
	instance_close(&inst);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
