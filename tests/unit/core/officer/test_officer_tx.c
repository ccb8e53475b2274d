/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Each officer action commits with its ledger entries in one transaction
 * (store_write): after a success the change and its entries are there
 * together; when the append fails (the ledger head damaged through a second
 * SQLite connection) the action fails and leaves nothing: no row, the same
 * roles, disabled state, keys, failure counter, TOTP step, label versions,
 * wraps, recovery key and DIR/intake.pub. After mending, the ledger verifies.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/instance/instance.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/officer/officer.h"
#include "core/officer/officer_internal.h" /* the plan's conflict checks */
#include "core/store/store_officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-officer-tx-XXXXXX";
static char dir[256], dbpath[512], pubpath[512];
static struct store *s;
static const char *PW_ROOT = "root password is long enough";
static const char *PW_ALICE = "alice reads the intake";
static const char *PW_BOB = "bob analyses everything";

static void rm_rf(const char *d)
{
	char cmd[PATH_MAX + 16];
	if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", d) < (int)sizeof cmd)
		(void)!system(cmd);
}

/* ---- the ledger ---- */

static uint64_t ledger_len(void)
{
	uint64_t n = 0;
	return ledger_size(s, &n) == LEDGER_OK ? n : UINT64_MAX;
}

/* Entry i, parsed; -1 if none. */
static int entry_at(uint64_t i, struct ledger_entry *pe)
{
	uint8_t e[LEDGER_ENTRY_MAX];
	size_t len;
	if (ledger_entry(s, i, e, &len) != LEDGER_OK || ledger_entry_parse(e, len, pe) != LEDGER_OK)
		return -1;
	return 0;
}

/* Whether entry i is action by actor about object (NULL: not checked), with detail if given. */
static int entry_is(uint64_t i, enum ledger_action action, const char *actor, const char *object,
                    const char *detail)
{
	struct ledger_entry pe;
	return entry_at(i, &pe) == 0 && pe.action == action &&
	       (actor == NULL || strcmp(pe.actor, actor) == 0) &&
	       (object == NULL || strcmp(pe.object, object) == 0) &&
	       (detail == NULL || strcmp(pe.detail, detail) == 0);
}

static int verifies(void)
{
	struct ledger_verify_report rep;
	return ledger_verify(s, NULL, &rep) == LEDGER_OK;
}

static int mend_ledger(void);

/* After a failed action: the head mended, the ledger has n entries still, and verifies. */
static int mended(uint64_t n)
{
	return mend_ledger() == 0 && ledger_len() == n && verifies();
}

/* Runs one SQL statement on a connection of its own (the injected fault). */
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

/* ---- the state an action must leave alone when it fails ---- */

static int row_of(const char *name, struct store_officer *r)
{
	return store_officer_find(s, name, r) == STORE_OK ? 0 : -1;
}

static int count_wrap(void *ctx, const char *name, uint32_t v, const uint8_t *w, size_t n)
{
	(void)name;
	(void)v;
	(void)w;
	(void)n;
	++*(int *)ctx;
	return 0;
}

static int wraps_of(store_id id)
{
	int n = 0;
	return label_wraps(s, id, count_wrap, &n) == LABEL_OK ? n : -1;
}

static uint32_t intake_version(void)
{
	uint32_t v = 0;
	uint8_t pk[32];
	return label_current(s, LABEL_INTAKE, &v, pk) == LABEL_OK ? v : 0;
}

/* DIR/intake.pub, as text (the caller frees). */
static char *intake_pub(void)
{
	struct buf b;
	buf_init(&b, 4096);
	if (io_read_file(pubpath, &b) != 0 || buf_append(&b, (const uint8_t *)"", 1) != BUF_OK) {
		buf_release(&b);
		return NULL;
	}
	return (char *)b.data;
}

/* The intake label's state: version, the store meta and the file all agree and stay. */
struct label_state {
	uint32_t version;
	uint8_t meta[32];
	char *pub;
};

static void label_state(struct label_state *st)
{
	size_t ml = 0;
	st->version = intake_version();
	memset(st->meta, 0, sizeof st->meta);
	(void)store_meta_get(s, INSTANCE_META_INTAKE_PK, st->meta, sizeof st->meta, &ml);
	st->pub = intake_pub();
}

static int label_state_same(struct label_state *was)
{
	struct label_state now;
	label_state(&now);
	int same = now.version == was->version && memcmp(now.meta, was->meta, 32) == 0 &&
	           now.pub != NULL && was->pub != NULL && strcmp(now.pub, was->pub) == 0;
	free(now.pub);
	free(was->pub);
	was->pub = NULL;
	return same;
}

/* ---- TOTP ---- */

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

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

/* ---- a plan applied after the store changed under it ---- */

struct apply_tx {
	struct officer_plan *plan;
	bool conflict;
};

static enum store_result apply_tx(struct store *st, void *arg)
{
	struct apply_tx *a = arg;
	return officer_plan_apply(st, a->plan, 0, "root", &a->conflict);
}

/* Plans a rotation, runs change, applies the plan: whether it was refused as a conflict. */
static int conflicts(struct officers *o, int (*change)(void *ctx), void *ctx)
{
	struct officer_plan p;
	officer_plan_init(&p);
	uint32_t v = intake_version();
	int ok = officer_plan_rotate(o, &p, 0, 0, NULL) == OFFICER_OK && change(ctx) == 0;
	struct apply_tx a = {.plan = &p};
	ok = ok && store_write(s, NULL, 0, apply_tx, &a) == STORE_REFUSED && a.conflict &&
	     intake_version() >= v;
	officer_plan_free(&p);
	return ok;
}

static int give_intake(void *ctx)
{
	return store_officer_set_roles(s, *(store_id *)ctx, ROLE_INTAKE | ROLE_ANALYST) == STORE_OK
	               ? 0
	               : -1;
}

static int new_version(void *ctx)
{
	(void)ctx;
	return label_add_version(s, LABEL_INTAKE, 0, NULL, NULL, NULL, 0, NULL, NULL) == LABEL_OK
	               ? 0
	               : -1;
}

static int new_recovery_key(void *ctx)
{
	return label_recovery_set(s, ctx) == LABEL_OK ? 0 : -1;
}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char idpath[512];
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	snprintf(dbpath, sizeof dbpath, "%s/%s", dir, INSTANCE_STORE);
	snprintf(pubpath, sizeof pubpath, "%s/%s", dir, INSTANCE_INTAKE_PUB);
	struct instance_error err;
	struct instance *inst = NULL;
	T_CHECK(instance_init(dir, NULL, NULL, &err) == INSTANCE_OK);
	T_CHECK(instance_open(dir, &inst, &err) == INSTANCE_OK);
	s = instance_store(inst);
	struct age_identity *admin_id = NULL, *intake_id = NULL, *stranger = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &err) == INSTANCE_OK);
	T_CHECK(age_identity_generate(&stranger) == AGE_OK);

	struct officer_kdf kdf = {1, 8192};
	struct officers *o = NULL;
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	T_CHECK(officers_set_instance_dir(o, dir) == OFFICER_OK);
	struct store_officer r0, r1;
	struct label_state ls;
	uint64_t n0;

	/* a first entry (a refused login), so that the ledger has a head to damage */
	struct officer_key *k = NULL;
	T_CHECK(officer_login(o, "nobody", PW_ROOT, "000000", 1600000000, &k, NULL) ==
	                OFFICER_DENIED &&
	        ledger_len() == 1);

	/* ---- bootstrap: the first admin, the intake label's version 1, officer.add ---- */
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE, "SECRET",
	                       "GBR", PW_ROOT, NULL) == OFFICER_FAILED,
	     "bootstrap fails when its entry cannot be appended");
	T_OK(row_of("root", &r0) != 0 && intake_version() == 0,
	     "and leaves no officer, no intake label version, no entry");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	store_id root_id = 0;
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE,
	                          "SECRET", "GBR", PW_ROOT, &root_id) == OFFICER_OK);
	T_OK(row_of("root", &r0) == 0 && r0.id == root_id && intake_version() == 1 &&
	             wraps_of(root_id) == 1 && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_ADD, "admin", "officer:root",
	                      "roles admin,intake nationality GBR"),
	     "bootstrap: the officer, intake v1 wrapped to them and officer.add by admin, "
	     "together");

	/* ---- login ---- */
	uint64_t t = 1700000000;
	char root_b32[TOTP_B32_MAX], alice_b32[TOTP_B32_MAX], c[16];
	struct officer_key *root = NULL;
	T_CHECK(enrol(o, "root", PW_ROOT, t, root_b32) == 0);
	t += 30;
	T_CHECK(row_of("root", &r0) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &root) == OFFICER_FAILED && root == NULL,
	     "a login fails when officer.login cannot be appended");
	T_OK(row_of("root", &r1) == 0 && r1.totp_last_step == r0.totp_last_step &&
	             r1.last_login_day == r0.last_login_day && r1.failures == 0,
	     "and records neither the code's step nor the day");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &root) == OFFICER_OK && root != NULL,
	     "the same code logs in once mended (its step was not kept)");
	T_OK(row_of("root", &r1) == 0 && r1.totp_last_step > r0.totp_last_step &&
	             r1.last_login_day == (int32_t)(t / 86400) && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN, "officer:root", "", NULL),
	     "a login: the step, the day and officer.login together");

	/* a replayed code: refused and counted as a failure, with officer.login.failed */
	T_CHECK(row_of("root", &r0) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &k) == OFFICER_FAILED && k == NULL &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures,
	     "a replayed code whose refusal cannot be recorded: failed, nothing counted");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_OK(login(o, "root", PW_ROOT, root_b32, t, &k) == OFFICER_DENIED && k == NULL &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures + 1 &&
	             ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN_FAILED, "officer:root", "", NULL),
	     "a replayed code: the failure counted and officer.login.failed together");

	/* a wrong password, after the delay */
	t += 600;
	T_CHECK(row_of("root", &r0) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(login(o, "root", "a wrong password here", root_b32, t, &k) == OFFICER_FAILED,
	     "a wrong password whose refusal cannot be recorded: failed, not denied");
	T_OK(row_of("root", &r1) == 0 && r1.failures == r0.failures &&
	             r1.last_failure == r0.last_failure,
	     "and the failure is not counted either");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	T_OK(login(o, "root", "a wrong password here", root_b32, t, &k) == OFFICER_DENIED &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures + 1 &&
	             r1.last_failure == (int64_t)t && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN_FAILED, "officer:root", "", NULL),
	     "a wrong password: the failure counted and officer.login.failed together");

	/* a wrong code, after the delay */
	t += 600;
	code_at(root_b32, t, c);
	c[0] = c[0] == '9' ? '0' : (char)(c[0] + 1);
	T_CHECK(row_of("root", &r0) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_login(o, "root", PW_ROOT, c, t, &k, NULL) == OFFICER_FAILED &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures,
	     "a wrong code whose refusal cannot be recorded: failed, not counted");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_OK(officer_login(o, "root", PW_ROOT, c, t, &k, NULL) == OFFICER_DENIED &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures + 1 &&
	             ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN_FAILED, "officer:root", NULL, NULL),
	     "a wrong code: counted with its entry");

	/* in the delay: refused unseen, nothing counted (a write on no row), the entry all the same
	 */
	n0 = ledger_len();
	T_CHECK(row_of("root", &r0) == 0);
	T_OK(login(o, "root", PW_ROOT, root_b32, t + 1, &k) == OFFICER_DENIED &&
	             row_of("root", &r1) == 0 && r1.failures == r0.failures &&
	             r1.last_failure == r0.last_failure && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN_FAILED, "officer:root", NULL, NULL),
	     "a login in the failure delay: officer.login.failed, not counted");

	/* an unknown name: no row to count, the entry all the same */
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(login(o, "nobody", PW_ROOT, root_b32, t, &k) == OFFICER_FAILED,
	     "an unknown name whose refusal cannot be recorded: failed");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_OK(login(o, "nobody", PW_ROOT, root_b32, t, &k) == OFFICER_DENIED &&
	             ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGIN_FAILED, "officer:nobody", NULL, NULL),
	     "an unknown name: officer.login.failed by the name as typed");
	T_CHECK(verifies());
	t += 600;

	/* ---- officer add ---- */
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, NULL) ==
	             OFFICER_FAILED,
	     "add fails when officer.add cannot be appended");
	T_OK(row_of("alice", &r1) != 0, "and leaves no officer, no entry");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	store_id alice_id = 0;
	T_CHECK(officer_add(o, root, "alice", ROLE_INTAKE, "SECRET", "GBR", PW_ALICE, &alice_id) ==
	        OFFICER_OK);
	T_OK(row_of("alice", &r1) == 0 && r1.id == alice_id && r1.wrapped_sk_len > 0 &&
	             wraps_of(alice_id) == 1 && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_ADD, "officer:root", "officer:alice",
	                      "roles intake nationality GBR"),
	     "add: the officer, their keys, intake v1 and officer.add together");
	struct ledger_entry pe;
	T_CHECK(entry_at(n0, &pe) == 0 && strcmp(pe.marking, "SECRET") == 0);
	T_CHECK(officer_add(o, root, "bob", ROLE_ANALYST, "TOP SECRET", "USA", PW_BOB, NULL) ==
	        OFFICER_OK);
	T_CHECK(enrol(o, "alice", PW_ALICE, t, alice_b32) == 0);

	/* ---- roles: removing intake rotates the intake label ---- */
	label_state(&ls);
	T_CHECK(ls.version == 1 && ls.pub != NULL);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_set_roles(o, root, "alice", ROLE_ANALYST) == OFFICER_FAILED,
	     "roles fail when their entries cannot be appended");
	T_OK(row_of("alice", &r1) == 0 && r1.roles == ROLE_INTAKE && wraps_of(alice_id) == 1,
	     "and leave the roles and alice's wrap");
	T_OK(label_state_same(&ls), "and no new intake version: the meta and intake.pub unchanged");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	label_state(&ls);
	T_CHECK(officer_set_roles(o, root, "alice", ROLE_ANALYST) == OFFICER_OK);
	T_OK(row_of("alice", &r1) == 0 && r1.roles == ROLE_ANALYST && wraps_of(alice_id) == 0 &&
	             intake_version() == 2 && ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "officer:root", "label:intake",
	                      "version 2") &&
	             entry_is(n0 + 1, LEDGER_OFFICER_ROLES, "officer:root", "officer:alice",
	                      "roles analyst"),
	     "roles: the roles, the rotation, label.rotate and officer.roles together");
	T_OK(!label_state_same(&ls), "the meta and intake.pub follow the rotation");

	/* granting intake back, by a session that lacks v2: a grant and a rotation */
	label_state(&ls);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_set_roles(o, root, "alice", ROLE_INTAKE | ROLE_ANALYST) == OFFICER_FAILED &&
	             row_of("alice", &r1) == 0 && r1.roles == ROLE_ANALYST &&
	             wraps_of(alice_id) == 0,
	     "granting intake fails and leaves no role, no wrap");
	T_OK(label_state_same(&ls), "and no new intake version");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_set_roles(o, root, "alice", ROLE_INTAKE | ROLE_ANALYST) == OFFICER_OK);
	T_OK(row_of("alice", &r1) == 0 && r1.roles == (ROLE_INTAKE | ROLE_ANALYST) &&
	             intake_version() == 3 && wraps_of(alice_id) == 2 && ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "officer:root", "label:intake",
	                      "version 3") &&
	             entry_is(n0 + 1, LEDGER_OFFICER_ROLES, NULL, "officer:alice",
	                      "roles intake,analyst"),
	     "granted: v1 from root, v3 made for both, label.rotate and officer.roles");
	T_CHECK(verifies());

	/* ---- disable / enable ---- */
	officer_key_free(&root);
	t += 30;
	T_CHECK(login(o, "root", PW_ROOT, root_b32, t, &root) == OFFICER_OK);
	label_state(&ls);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_disable(o, root, "alice", true) == OFFICER_FAILED &&
	             row_of("alice", &r1) == 0 && !r1.disabled && wraps_of(alice_id) == 2,
	     "disable fails and leaves alice enabled, her wraps kept");
	T_OK(label_state_same(&ls), "and no new intake version");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_disable(o, root, "alice", true) == OFFICER_OK);
	T_OK(row_of("alice", &r1) == 0 && r1.disabled && wraps_of(alice_id) == 0 &&
	             intake_version() == 4 && ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "officer:root", "label:intake",
	                      "version 4") &&
	             entry_is(n0 + 1, LEDGER_OFFICER_DISABLE, "officer:root", "officer:alice",
	                      NULL),
	     "disable: the state, the rotation, label.rotate and officer.disable together");
	t += 30;
	T_CHECK(login(o, "alice", PW_ALICE, alice_b32, t, &k) == OFFICER_DENIED);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_disable(o, root, "alice", false) == OFFICER_FAILED &&
	             row_of("alice", &r1) == 0 && r1.disabled && wraps_of(alice_id) == 0,
	     "enable fails and leaves alice disabled, with no wrap");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_disable(o, root, "alice", false) == OFFICER_OK);
	/* root's session (v1-v3) lacks v4, made while alice was disabled: v5 is made for both */
	T_OK(row_of("alice", &r1) == 0 && !r1.disabled && wraps_of(alice_id) == 4 &&
	             intake_version() == 5 && ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "officer:root", "label:intake",
	                      "version 5") &&
	             entry_is(n0 + 1, LEDGER_OFFICER_ENABLE, "officer:root", "officer:alice", NULL),
	     "enable: the state, v1-v3 from root, v5, label.rotate and officer.enable");
	T_CHECK(verifies());

	/* ---- reset ---- */
	T_CHECK(row_of("bob", &r0) == 0);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_reset(o, root, "bob", "bob has a new password") == OFFICER_FAILED,
	     "reset fails when officer.reset cannot be appended");
	T_OK(row_of("bob", &r1) == 0 && r1.version == r0.version &&
	             memcmp(r1.salt, r0.salt, sizeof r0.salt) == 0 && memcmp(r1.pk, r0.pk, 32) == 0,
	     "and leaves bob's password and keys");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_reset(o, root, "bob", "bob has a new password") == OFFICER_OK);
	T_OK(row_of("bob", &r1) == 0 && r1.version == r0.version + 1 &&
	             memcmp(r1.pk, r0.pk, 32) != 0 && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_RESET, "officer:root", "officer:bob", NULL),
	     "reset: the new keys and officer.reset together");
	t += 600;
	T_CHECK(officer_login(o, "bob", "bob has a new password", NULL, t, &k, NULL) ==
	        OFFICER_ENROL);
	/* an intake officer: the old wraps dropped and new ones made, or none of it */
	T_CHECK(row_of("alice", &r0) == 0);
	int alice_wraps = wraps_of(alice_id);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	label_state(&ls);
	T_OK(officer_reset(o, root, "alice", "alice starts again here") == OFFICER_FAILED &&
	             row_of("alice", &r1) == 0 && r1.version == r0.version &&
	             memcmp(r1.pk, r0.pk, 32) == 0 && wraps_of(alice_id) == alice_wraps &&
	             label_state_same(&ls),
	     "resetting an intake officer fails and leaves her keys and wraps");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	T_CHECK(officer_reset(o, root, "alice", "alice starts again here") == OFFICER_OK);
	/* root's session lacks v5: v1-v3 wrapped to her new key, v6 made */
	T_OK(row_of("alice", &r1) == 0 && r1.version == r0.version + 1 &&
	             memcmp(r1.pk, r0.pk, 32) != 0 && wraps_of(alice_id) == 4 &&
	             intake_version() == 6 && ledger_len() == n0 + 2 &&
	             entry_is(n0, LEDGER_LABEL_ROTATE, "officer:root", "label:intake",
	                      "version 6") &&
	             entry_is(n0 + 1, LEDGER_OFFICER_RESET, "officer:root", "officer:alice", NULL),
	     "reset: her wraps made anew for her new key, label.rotate and officer.reset");

	/* ---- clearance: no entry of its own (registry_officer_changed appends them) ---- */
	n0 = ledger_len();
	T_CHECK(officer_set_clearance(o, root, "bob", "SECRET") == OFFICER_OK);
	T_OK(row_of("bob", &r1) == 0 && strcmp(r1.clearance, "SECRET") == 0,
	     "a clearance is set without an entry here");

	/* ---- the recovery key: set ---- */
	struct age_identity *rec = NULL;
	struct age_recipient *rec_r = NULL;
	uint8_t rpk[32], got[32];
	char rec_text[128];
	size_t wrapped = 0;
	T_CHECK(age_identity_generate(&rec) == AGE_OK &&
	        age_identity_recipient(rec, &rec_r) == AGE_OK &&
	        age_recipient_x25519(rec_r, rpk) == AGE_OK &&
	        age_recipient_format(rec_r, rec_text, sizeof rec_text) == AGE_OK);
	T_OK(officer_recovery_set(o, root, stranger, rpk, &wrapped) == OFFICER_FORBIDDEN &&
	             officer_recovery_set(o, k, admin_id, rpk, &wrapped) == OFFICER_FORBIDDEN &&
	             label_recovery_pk(s, got) == LABEL_NOT_FOUND,
	     "set needs an admin and the instance's admin identity");
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_recovery_set(o, root, admin_id, rpk, &wrapped) == OFFICER_FAILED &&
	             label_recovery_pk(s, got) == LABEL_NOT_FOUND &&
	             wraps_of(STORE_RECOVERY_OFFICER) == 0,
	     "set fails when recovery.set cannot be appended, and leaves no key, no wrap");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(verifies());
	const struct age_identity *const *ids;
	size_t held = officer_key_identities(root, &ids) - 1;
	T_CHECK(officer_recovery_set(o, root, admin_id, rpk, &wrapped) == OFFICER_OK);
	T_OK(label_recovery_pk(s, got) == LABEL_OK && memcmp(got, rpk, 32) == 0 &&
	             wrapped == held && wraps_of(STORE_RECOVERY_OFFICER) == (int)held &&
	             ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_RECOVERY_SET, "officer:root", "label:recovery", rec_text),
	     "set: the key, the %zu versions root holds wrapped to it, and recovery.set", held);
	uint32_t iv = 0;
	T_CHECK(officer_recovery_show(o, got, &iv, NULL, NULL) == OFFICER_OK &&
	        memcmp(got, rpk, 32) == 0 && iv == intake_version());

	/* ---- restore: alice, reset by an admin, gets the intake label back ---- */
	struct officer_key *rk = NULL;
	T_CHECK(officer_recovery_key(o, rec, &rk) == OFFICER_OK);
	T_CHECK(label_revoke(s, LABEL_INTAKE, alice_id) == LABEL_OK); /* as if lost */
	label_state(&ls);
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_restore(o, rk, "alice") == OFFICER_FAILED && wraps_of(alice_id) == 0,
	     "restore fails when label.recover cannot be appended, and wraps nothing");
	T_OK(label_state_same(&ls), "and makes no intake version");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_restore(o, rk, "alice") == OFFICER_OK);
	T_OK(wraps_of(alice_id) > 0 && ledger_len() >= n0 + 1 &&
	             entry_is(ledger_len() - 1, LEDGER_LABEL_RECOVER, "recovery", "officer:alice",
	                      "intake label"),
	     "restore: her wraps and label.recover together");
	T_CHECK(verifies());

	/* ---- the recovery key: clear ---- */
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_recovery_clear(o, root) == OFFICER_FAILED &&
	             label_recovery_pk(s, got) == LABEL_OK && wraps_of(STORE_RECOVERY_OFFICER) > 0,
	     "clear fails when recovery.clear cannot be appended, and leaves the key and wraps");
	T_OK(mended(n0), "mended: the failure appended nothing, and the ledger verifies");
	T_CHECK(officer_recovery_clear(o, root) == OFFICER_OK);
	T_OK(label_recovery_pk(s, got) == LABEL_NOT_FOUND &&
	             wraps_of(STORE_RECOVERY_OFFICER) == 0 && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_RECOVERY_CLEAR, "officer:root", "label:recovery", ""),
	     "clear: no key, no wrap, and recovery.clear together");
	T_OK(officer_recovery_show(o, got, &iv, NULL, NULL) == OFFICER_NOT_FOUND, "show: none");

	/* ---- what a plan was made against is checked in the transaction ---- */
	T_CHECK(row_of("bob", &r0) == 0);
	uint32_t v0 = intake_version();
	T_OK(conflicts(o, give_intake, &r0.id) && intake_version() == v0,
	     "a rotation planned before another officer got the intake role is refused");
	T_CHECK(store_officer_set_roles(s, r0.id, r0.roles) == STORE_OK);
	T_OK(conflicts(o, new_version, NULL) && intake_version() == v0 + 1,
	     "a rotation planned before another version was made is refused");
	T_OK(conflicts(o, new_recovery_key, rpk), "and one planned before a recovery key was set");
	T_CHECK(label_recovery_set(s, NULL) == LABEL_OK);
	T_CHECK(officer_set_roles(o, root, "bob", ROLE_INTAKE | ROLE_ANALYST) == OFFICER_OK &&
	        intake_version() == v0 + 2);
	/* ---- logout: its entry, durable, or a failure the desk answers with 500 ---- */
	n0 = ledger_len();
	T_CHECK(break_ledger() == 0);
	T_OK(officer_logout(o, root) == OFFICER_FAILED, "a failed append: the logout is refused");
	T_CHECK(mend_ledger() == 0);
	T_OK(officer_logout(o, root) == OFFICER_OK && ledger_len() == n0 + 1 &&
	             entry_is(n0, LEDGER_OFFICER_LOGOUT, "officer:root", "", NULL),
	     "logout: its officer.logout entry by the officer");
	T_OK(officer_logout(o, NULL) == OFFICER_BAD_INPUT, "logout without a key: refused");
	T_OK(verifies(), "the ledger verifies after every failure and every action");

	free(ls.pub);
	officer_key_free(&rk);
	age_recipient_free(&rec_r);
	age_identity_free(&rec);
	officer_key_free(&root);
	officer_key_free(&k);
	officers_free(&o);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	age_identity_free(&stranger);
	instance_close(&inst);
	rm_rf(base);
	return t_done();
}
