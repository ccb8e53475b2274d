/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/officer and core/label over a real instance: bootstrap, enrolment,
 * login (wrong password, replayed code, the growing delay), admin operations,
 * and the intake label rotation (a removed officer cannot open what comes
 * after, even with the store in hand).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/keys/unseal.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/keys/label.h"
#include "core/officer/officer.h"
#include "core/store/store_officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-officer-XXXXXX";
static const char *PW_ROOT = "root password is long enough";
static const char *PW_ALICE = "alice reads the intake";
static const char *PW_BOB = "bob analyses everything";

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

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

/* Enrols `name` at time t; the secret goes to b32. */
static int enrol(struct officers *o, const char *name, const char *pw, uint64_t t,
                 char b32[TOTP_B32_MAX])
{
	char uri[TOTP_URI_MAX], c[16];
	if (officer_enrol_begin(o, name, pw, t, b32, uri, sizeof uri) != OFFICER_OK)
		return -1;
	code_at(b32, t, c);
	return officer_enrol_finish(o, name, pw, b32, c, t) == OFFICER_OK ? 0 : -1;
}

static enum officer_result login(struct officers *o, const char *name, const char *pw,
                                 const char *b32, uint64_t t, struct officer_key **k)
{
	char c[16];
	code_at(b32, t, c);
	return officer_login(o, name, pw, c, t, k, NULL);
}

/* A submission with message `text`; returns its message blob. */
static store_id submit(struct intake *in, store_id src, const char *text)
{
	struct intake_upload *up = NULL;
	store_id sub = 0;
	if (intake_upload_begin(in, src, &up) != INTAKE_OK ||
	    intake_upload_message(up, text, strlen(text)) != INTAKE_OK ||
	    intake_upload_commit(up, &sub) != INTAKE_OK) {
		intake_upload_free(&up);
		return 0;
	}
	intake_upload_free(&up);
	return sub;
}

static int opens(struct store *s, store_id sub, const struct officer_key *k, const char *want)
{
	struct store_submission row;
	if (store_submission_get(s, sub, &row) != STORE_OK)
		return 0;
	const struct age_identity *const *ids;
	size_t n = officer_key_identities(k, &ids);
	struct buf b;
	buf_init(&b, 4096);
	struct unseal_keys keys = {.ids = ids, .n = n, .layered = row.seal_version != 0};
	int ok = unseal_blob(s, row.message_blob, &keys, to_buf, &b) == UNSEAL_OK &&
	         b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
	buf_release(&b);
	return ok;
}

struct wrapcount {
	int n;
};

static int count_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	((struct wrapcount *)ctx)->n++;
	return 0;
}

static int count_officer(void *ctx, const struct officer *of)
{
	(*(int *)ctx)++;
	return 0;
}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[256], idpath[512];
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	struct instance_error err;
	struct instance *inst = NULL;
	T_CHECK(instance_init(dir, NULL, NULL, &err) == INSTANCE_OK);
	T_CHECK(instance_open(dir, &inst, &err) == INSTANCE_OK);
	struct store *s = instance_store(inst);
	struct age_identity *admin_id = NULL, *intake_id = NULL, *stranger = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &err) == INSTANCE_OK);
	T_CHECK(age_identity_generate(&stranger) == AGE_OK);

	/* roles */
	unsigned roles = 0;
	char rs[OFFICER_ROLES_MAX];
	T_CHECK(officer_roles_parse("admin,intake", &roles) == 0 &&
	        roles == (ROLE_ADMIN | ROLE_INTAKE));
	T_CHECK(officer_roles_parse("releasing", &roles) == 0 && roles == ROLE_RELEASING);
	T_CHECK(officer_roles_parse("admin,,intake", &roles) == -1);
	T_CHECK(officer_roles_parse("admin,", &roles) == -1);
	T_CHECK(officer_roles_parse("admin,admin", &roles) == -1);
	T_CHECK(officer_roles_parse("root", &roles) == -1);
	T_CHECK(officer_roles_parse("", &roles) == -1);
	T_CHECK(officer_roles_parse("Admin", &roles) == -1);
	T_CHECK(officer_roles_format(ROLE_ALL, rs, sizeof rs) > 0 &&
	        strcmp(rs, "admin,intake,analyst,releasing") == 0);
	T_CHECK(officer_roles_format(ROLE_ALL, rs, 10) == -1);
	T_CHECK(officer_name_valid("a.b_c-9") && !officer_name_valid("Alice") &&
	        !officer_name_valid("") && !officer_name_valid("a b"));
	T_CHECK(officer_nationality_valid("GBR") && !officer_nationality_valid("gbr") &&
	        !officer_nationality_valid("GB") && !officer_nationality_valid("GBRX"));

	struct officer_kdf kdf = {1, 8192};
	struct officers *o = NULL;
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	T_CHECK(officers_set_instance_dir(o, dir) == OFFICER_OK);

	/* bootstrap: only with the instance's admin identity, only once */
	T_CHECK(officer_bootstrap(o, stranger, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE,
	                          "SECRET", "GBR", PW_ROOT, NULL) == OFFICER_FORBIDDEN);
	T_CHECK(officer_bootstrap(o, admin_id, stranger, "root", ROLE_ADMIN | ROLE_INTAKE, "SECRET",
	                          "GBR", PW_ROOT, NULL) == OFFICER_BAD_INPUT);
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_INTAKE, "SECRET", "GBR",
	                          PW_ROOT, NULL) == OFFICER_BAD_INPUT);
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE,
	                          "SECRET", "GBR", "short", NULL) == OFFICER_WEAK_PASSWORD);
	store_id root_id = 0;
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE,
	                          "SECRET", "GBR", PW_ROOT, &root_id) == OFFICER_OK &&
	        root_id > 0);
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root2", ROLE_ADMIN, "SECRET", "GBR",
	                          PW_ROOT, NULL) == OFFICER_FORBIDDEN);
	uint32_t ver = 0;
	uint8_t pk[32], ipk[32];
	instance_intake_label_pk(inst, ipk);
	T_OK(label_current(s, LABEL_INTAKE, &ver, pk) == LABEL_OK && ver == 1 &&
	             memcmp(pk, ipk, 32) == 0,
	     "the instance's intake label is version 1");

	/* enrolment */
	uint64_t t = 1700000000;
	struct officer_key *root = NULL, *k = NULL;
	struct officer of;
	T_CHECK(officer_login(o, "root", PW_ROOT, NULL, t, &root, &of) == OFFICER_ENROL &&
	        root == NULL);
	char root_b32[TOTP_B32_MAX], uri[TOTP_URI_MAX], c[16];
	T_CHECK(officer_enrol_begin(o, "root", "wrong password!!", t, root_b32, uri, sizeof uri) ==
	        OFFICER_DENIED);
	t += 600; /* past the delay of that failure */
	T_CHECK(officer_enrol_begin(o, "root", PW_ROOT, t, root_b32, uri, sizeof uri) ==
	        OFFICER_OK);
	T_CHECK(strlen(root_b32) == 32 &&
	        strncmp(uri, "otpauth://totp/cutout:root?secret=", 34) == 0);
	code_at(root_b32, t, c);
	c[0] = c[0] == '9' ? '0' : (char)(c[0] + 1);
	T_CHECK(officer_enrol_finish(o, "root", PW_ROOT, root_b32, c, t) == OFFICER_DENIED);
	t += 600;
	code_at(root_b32, t, c);
	T_CHECK(officer_enrol_finish(o, "root", PW_ROOT, "not base32!", c, t) == OFFICER_BAD_INPUT);
	T_CHECK(officer_enrol_finish(o, "root", PW_ROOT, root_b32, c, t) == OFFICER_OK);
	char again[TOTP_B32_MAX];
	T_OK(officer_enrol_begin(o, "root", PW_ROOT, t + 60, again, uri, sizeof uri) ==
	             OFFICER_DENIED,
	     "enrolling twice is refused");
	T_OK(officer_get(o, "root", &of) == OFFICER_OK && of.enrolled && of.roles == 3 &&
	             strcmp(of.nationality, "GBR") == 0,
	     "root is enrolled");

	/* login, replay */
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &root) == OFFICER_DENIED,
	     "the enrolment code cannot log in again");
	t += 30;
	T_CHECK(login(o, "root", PW_ROOT, root_b32, t, &root) == OFFICER_OK && root != NULL);
	const struct age_identity *const *ids;
	T_OK(officer_key_identities(root, &ids) == 2 &&
	             officer_key_label(root, "intake", 1) != NULL,
	     "root holds its identity and intake v1");
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &k) == OFFICER_DENIED && k == NULL,
	     "a replayed code is refused");

	/* the growing delay */
	t += 600;
	T_CHECK(login(o, "root", "a wrong password here", root_b32, t, &k) == OFFICER_DENIED);
	T_OK(login(o, "root", PW_ROOT, root_b32, t + 1, &k) == OFFICER_DENIED,
	     "right password 1 s after a failure: refused (delay 2 s)");
	T_CHECK(login(o, "root", "a wrong password here", root_b32, t + 2, &k) == OFFICER_DENIED);
	T_CHECK(login(o, "root", "a wrong password here", root_b32, t + 6, &k) == OFFICER_DENIED);
	T_OK(login(o, "root", PW_ROOT, root_b32, t + 6 + 7, &k) == OFFICER_DENIED,
	     "3 failures: refused 7 s after");
	T_OK(login(o, "root", PW_ROOT, root_b32, t + 6 + 8 + 30, &k) == OFFICER_OK,
	     "3 failures: allowed after 8 s");
	officer_key_free(&k);
	T_CHECK(k == NULL);
	t += 1200;
	T_CHECK(login(o, "nobody", PW_ROOT, root_b32, t, &k) == OFFICER_DENIED);
	T_CHECK(login(o, "Not A Name", PW_ROOT, root_b32, t, &k) == OFFICER_DENIED);

	/* admin operations */
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", "short", NULL) ==
	        OFFICER_WEAK_PASSWORD);
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", "alice", NULL) ==
	        OFFICER_WEAK_PASSWORD);
	T_CHECK(officer_add(o, root, "Alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, NULL) ==
	        OFFICER_BAD_INPUT);
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "gb", PW_ALICE, NULL) ==
	        OFFICER_BAD_INPUT);
	T_CHECK(officer_add(o, root, "alice", 0, "SECRET", "GBR", PW_ALICE, NULL) ==
	        OFFICER_BAD_INPUT);
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "", "GBR", PW_ALICE, NULL) ==
	        OFFICER_BAD_INPUT);
	T_CHECK(officer_add(o, NULL, "alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, NULL) ==
	        OFFICER_FORBIDDEN);
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, NULL) ==
	        OFFICER_OK);
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, NULL) ==
	        OFFICER_EXISTS);
	T_CHECK(officer_add(o, root, "bob", ROLE_ANALYST, "TOP SECRET", "USA", PW_BOB, NULL) ==
	        OFFICER_OK);
	int count = 0;
	T_CHECK(officer_list(o, count_officer, &count) == OFFICER_OK && count == 3);

	char alice_b32[TOTP_B32_MAX], bob_b32[TOTP_B32_MAX];
	struct officer_key *alice = NULL, *bob = NULL;
	T_CHECK(enrol(o, "alice", PW_ALICE, t, alice_b32) == 0);
	T_CHECK(enrol(o, "bob", PW_BOB, t, bob_b32) == 0);
	t += 30;
	T_CHECK(login(o, "alice", PW_ALICE, alice_b32, t, &alice) == OFFICER_OK);
	T_CHECK(login(o, "bob", PW_BOB, bob_b32, t, &bob) == OFFICER_OK);
	T_OK(officer_key_label(alice, "intake", 1) != NULL, "alice got intake v1 from root");
	T_OK(officer_key_identities(bob, &ids) == 1, "bob (analyst) holds no label");
	T_CHECK(officer_add(o, bob, "carol", ROLE_ANALYST, "SECRET", "GBR", PW_BOB, NULL) ==
	        OFFICER_FORBIDDEN);
	T_CHECK(officer_disable(o, bob, "alice", true) == OFFICER_FORBIDDEN);

	/* submissions before the rotation */
	uint8_t salt[16];
	instance_codename_salt(inst, salt);
	struct intake_kdf ikdf = {1, 8u << 20};
	struct intake_limits lim = {.max_upload_bytes = 1 << 20,
	                            .max_message_bytes = 1000,
	                            .max_files = 2,
	                            .submissions_per_day = 100};
	struct intake *in = NULL;
	T_CHECK(intake_new(s, ipk, salt, &ikdf, &lim, "SECRET//SOURCE", &in) == INTAKE_OK);
	char codename[INTAKE_CODENAME_MAX];
	uint8_t sk[32];
	store_id src = 0;
	T_CHECK(intake_source_create(in, codename, sizeof codename, &src, sk) == INTAKE_OK);
	store_id sub1 = submit(in, src, "before the rotation");
	T_CHECK(sub1 > 0);
	T_CHECK(opens(s, sub1, alice, "before the rotation"));
	T_CHECK(opens(s, sub1, root, "before the rotation"));
	T_OK(!opens(s, sub1, bob, "before the rotation"), "an analyst cannot open a submission");

	/* the rotation: alice loses the intake role */
	T_CHECK(officer_set_roles(o, root, "alice", ROLE_ANALYST) == OFFICER_OK);
	T_OK(label_current(s, LABEL_INTAKE, &ver, pk) == LABEL_OK && ver == 2 &&
	             memcmp(pk, ipk, 32) != 0,
	     "removing the intake role made version 2 current");
	uint8_t meta[64];
	size_t ml = 0;
	T_CHECK(store_meta_get(s, INSTANCE_META_INTAKE_PK, meta, sizeof meta, &ml) == STORE_OK &&
	        ml == 32 && memcmp(meta, pk, 32) == 0);
	struct wrapcount wc = {0};
	T_CHECK(officer_get(o, "alice", &of) == OFFICER_OK && !(of.roles & ROLE_INTAKE));
	T_OK(label_wraps(s, of.id, count_wrap, &wc) == LABEL_OK && wc.n == 0,
	     "alice holds no wrap in the store any more");
	store_id sub2 = submit(in, src, "after the rotation");
	T_CHECK(sub2 > 0);
	T_OK(!opens(s, sub2, alice, "after the rotation"),
	     "alice's keys (from before) cannot open a submission made after");
	T_CHECK(opens(s, sub1, alice, "before the rotation"));
	struct officer_key *root2 = NULL;
	t += 30;
	T_CHECK(login(o, "root", PW_ROOT, root_b32, t, &root2) == OFFICER_OK);
	T_OK(opens(s, sub2, root2, "after the rotation"), "root (intake) reads the new one");
	T_OK(!opens(s, sub2, root, "after the rotation"), "root's old session lacks v2");
	officer_key_free(&alice);
	T_CHECK(login(o, "alice", PW_ALICE, alice_b32, t, &alice) == OFFICER_OK);
	T_OK(!opens(s, sub2, alice, "after the rotation") &&
	             officer_key_identities(alice, &ids) == 1,
	     "alice, logged in again with the store in hand, still cannot");
	/* the intake reads the current version of the store: a new struct intake is not needed */
	T_CHECK(officer_set_roles(o, root2, "root", ROLE_ADMIN) == OFFICER_LAST_INTAKE);
	T_CHECK(officer_set_roles(o, root2, "root", ROLE_INTAKE) == OFFICER_FORBIDDEN);

	/* granting back: wraps what root holds */
	T_CHECK(officer_set_roles(o, root2, "alice", ROLE_INTAKE | ROLE_ANALYST) == OFFICER_OK);
	officer_key_free(&alice);
	t += 30;
	T_CHECK(login(o, "alice", PW_ALICE, alice_b32, t, &alice) == OFFICER_OK);
	T_OK(opens(s, sub2, alice, "after the rotation") &&
	             opens(s, sub1, alice, "before the rotation"),
	     "granted again, alice reads both");

	/* disable / enable */
	T_CHECK(officer_disable(o, root2, "root", true) == OFFICER_FORBIDDEN);
	T_CHECK(officer_disable(o, root2, "alice", true) == OFFICER_OK);
	T_CHECK(label_current(s, LABEL_INTAKE, &ver, pk) == LABEL_OK && ver == 3);
	t += 30;
	T_OK(login(o, "alice", PW_ALICE, alice_b32, t, &k) == OFFICER_DENIED, "disabled: refused");
	T_CHECK(officer_disable(o, root2, "alice", false) == OFFICER_OK);
	t += 30;
	/* root2 lacks v3: enabling rotates again, to a version alice and root hold */
	T_CHECK(label_current(s, LABEL_INTAKE, &ver, pk) == LABEL_OK && ver == 4);
	T_CHECK(login(o, "alice", PW_ALICE, alice_b32, t, &k) == OFFICER_OK);
	T_OK(officer_key_label(k, "intake", 4) != NULL && officer_key_label(k, "intake", 3) == NULL,
	     "enabled again: alice holds the new version, not the one made while disabled");
	officer_key_free(&k);

	/* reset */
	T_CHECK(officer_reset(o, root2, "bob", "short") == OFFICER_WEAK_PASSWORD);
	T_CHECK(officer_reset(o, bob, "bob", "bob has a new password") == OFFICER_FORBIDDEN);
	T_CHECK(officer_reset(o, root2, "bob", "bob has a new password") == OFFICER_OK);
	t += 30;
	T_OK(login(o, "bob", PW_BOB, bob_b32, t, &k) == OFFICER_DENIED, "the old password is gone");
	t += 600;
	T_OK(officer_login(o, "bob", "bob has a new password", NULL, t, &k, NULL) == OFFICER_ENROL,
	     "after a reset: enrol again");
	T_CHECK(officer_get(o, "bob", &of) == OFFICER_OK && !of.enrolled);
	T_CHECK(officer_get(o, "nobody", &of) == OFFICER_NOT_FOUND);

	/* ---- the offline recovery key ---- */
	struct officer_key *rk = NULL;
	struct age_identity *rec = NULL;
	struct age_recipient *rec_r = NULL;
	uint8_t rpk[32], got[32];
	T_CHECK(officer_recovery_key(o, stranger, &rk) == OFFICER_NOT_FOUND && rk == NULL);
	T_CHECK(label_recovery_pk(s, got) == LABEL_NOT_FOUND);
	T_CHECK(age_identity_generate(&rec) == AGE_OK &&
	        age_identity_recipient(rec, &rec_r) == AGE_OK &&
	        age_recipient_x25519(rec_r, rpk) == AGE_OK);
	T_CHECK(label_recovery_set(s, rpk) == LABEL_OK);
	T_CHECK(label_recovery_pk(s, got) == LABEL_OK && memcmp(got, rpk, 32) == 0);
	T_CHECK(officer_set_roles(o, root2, "alice", ROLE_ANALYST) == OFFICER_OK); /* rotates */
	T_CHECK(label_current(s, LABEL_INTAKE, &ver, pk) == LABEL_OK);
	struct wrapcount rw = {0};
	T_OK(label_wraps(s, STORE_RECOVERY_OFFICER, count_wrap, &rw) == LABEL_OK && rw.n == 1,
	     "the rotation wrapped its new version (%u) to the recovery key", ver);
	T_OK(officer_recovery_key(o, stranger, &rk) == OFFICER_FORBIDDEN && rk == NULL,
	     "another identity is not the recovery key");
	T_CHECK(officer_recovery_key(o, rec, &rk) == OFFICER_OK && rk != NULL);
	T_OK(officer_key_is_recovery(rk) && !officer_key_is_recovery(root2) &&
	             officer_key_label(rk, "intake", ver) != NULL,
	     "the recovery key holds the new intake version");
	store_id sub3 = submit(in, src, "under the version the recovery key holds");
	T_OK(opens(s, sub3, rk, "under the version the recovery key holds"),
	     "it opens a submission sealed to that version");
	T_OK(officer_add(o, rk, "mallory", ROLE_ADMIN, "SECRET", "GBR",
	                 "mallory would like admin rights", NULL) == OFFICER_FORBIDDEN &&
	             officer_set_roles(o, rk, "bob", ROLE_ADMIN) == OFFICER_FORBIDDEN &&
	             officer_reset(o, rk, "root", "a password chosen by rk") == OFFICER_FORBIDDEN,
	     "the recovery key authorises no admin operation");
	T_CHECK(officer_restore(o, root2, "root") == OFFICER_FORBIDDEN);
	T_CHECK(officer_restore(o, rk, "alice") == OFFICER_OK);
	T_CHECK(officer_get(o, "alice", &of) == OFFICER_OK);
	wc.n = 0;
	T_OK(label_wraps(s, of.id, count_wrap, &wc) == LABEL_OK && wc.n == 0,
	     "restore gives no intake label to an officer without the intake role");
	T_CHECK(label_recovery_set(s, NULL) == LABEL_OK);
	rw.n = 0;
	T_OK(label_recovery_pk(s, got) == LABEL_NOT_FOUND &&
	             label_wraps(s, STORE_RECOVERY_OFFICER, count_wrap, &rw) == LABEL_OK &&
	             rw.n == 0,
	     "cleared: no key, no wrap");
	officer_key_free(&rk);
	age_recipient_free(&rec_r);
	age_identity_free(&rec);

	officer_key_free(&root);
	officer_key_free(&root2);
	officer_key_free(&alice);
	officer_key_free(&bob);
	officer_key_free(&k);
	intake_free(&in);
	officers_free(&o);
	T_CHECK(o == NULL);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	age_identity_free(&stranger);
	instance_close(&inst);
	rm_rf(base);
	return t_done();
}
