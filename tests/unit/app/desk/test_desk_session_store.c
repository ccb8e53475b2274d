/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * app/desk/desk_session with a store (issue 15 §2): two nodes (two tables) on one store open
 * each other's officer sessions, with the officer's keys got again; a wrong token, another
 * instance's salt or a tampered row opens nothing; the exact idle expiry is enforced and
 * deletes the row; a logout or an officer's end on one node ends the other's copy; the row
 * holds neither the token nor the key in clear, and tells the store only the day of its end.
 * CUTOUT_STORE=postgresql://... runs it on PostgreSQL (an empty database).
 */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/desk/desk_session.h"
#include "core/instance/instance.h"
#include "core/officer/officer.h"
#include "core/store/store_session.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

#include "lib/banned.h"

#define PW_ROOT "root has a long password"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

/* The row id a node keys token to (desk_session.c: ids keyed from the salt). */
static void row_id(const uint8_t salt[16], const char *token, uint8_t id[32])
{
	static const uint8_t ctx[] = "cutout desk session id v1";
	uint8_t key[crypto_generichash_KEYBYTES], raw[32];
	size_t len = 0;
	crypto_generichash(key, sizeof key, ctx, sizeof ctx - 1, salt, 16);
	if (sodium_base642bin(raw, sizeof raw, token, DESK_TOKEN_LEN, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		memset(raw, 0, sizeof raw);
	crypto_generichash(id, 32, raw, sizeof raw, key, sizeof key);
}

static bool acquires(struct desk_sessions *s, const char *token, struct desk_session_view *v)
{
	struct desk_session *d = desk_sessions_acquire(s, token, v);
	bool found = d != NULL;
	desk_sessions_release(s, &d);
	return found;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char base[] = "/tmp/cutout-desk-session-store-XXXXXX", dir[256], idpath[320];
	T_CHECK(mkdtemp(base) != NULL);
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	const char *ext = getenv("CUTOUT_STORE");
	struct instance_error err;
	struct instance *inst = NULL;
	struct instance_options opt = {.store = ext != NULL && ext[0] ? ext : NULL};
	T_CHECK(instance_init(dir, &opt, NULL, &err) == INSTANCE_OK);
	T_CHECK(instance_open(dir, &inst, &err) == INSTANCE_OK);
	struct store *st = instance_store(inst);
	struct age_identity *admin_id = NULL, *intake_id = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &err) == INSTANCE_OK);
	struct officer_kdf kdf = {1, 8192};
	struct officers *o = NULL;
	T_CHECK(officers_new(st, &kdf, &o) == OFFICER_OK);
	store_id root_id = 0;
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_INTAKE,
	                          "SECRET", "GBR", PW_ROOT, &root_id) == OFFICER_OK);
	uint64_t t = (uint64_t)time(NULL);
	char b32[TOTP_B32_MAX], uri[TOTP_URI_MAX], c[16];
	T_CHECK(officer_enrol_begin(o, "root", PW_ROOT, t, b32, uri, sizeof uri) == OFFICER_OK);
	code_at(b32, t, c);
	T_CHECK(officer_enrol_finish(o, "root", PW_ROOT, b32, c, t) == OFFICER_OK);

	uint8_t salt[16], other_salt[16];
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(other_salt, sizeof other_salt);
	struct desk_sessions *a = NULL, *b = NULL, *x = NULL, *q = NULL;
	T_CHECK(desk_sessions_new(8, 600, &a) == 0 && desk_sessions_new(8, 600, &b) == 0 &&
	        desk_sessions_new(8, 600, &x) == 0 && desk_sessions_new(8, 2, &q) == 0);
	T_CHECK(desk_sessions_use_store(a, st, o, salt, sizeof salt) == 0 &&
	        desk_sessions_use_store(b, st, o, salt, sizeof salt) == 0 &&
	        desk_sessions_use_store(x, st, o, other_salt, sizeof other_salt) == 0 &&
	        desk_sessions_use_store(q, st, o, salt, sizeof salt) == 0);

	/* ---- logged in on a, served by b ---- */
	struct officer_key *key = NULL;
	code_at(b32, t + 30, c);
	T_CHECK(officer_login(o, "root", PW_ROOT, c, t + 30, &key, NULL) == OFFICER_OK);
	char tok[DESK_TOKEN_LEN + 1], tok2[DESK_TOKEN_LEN + 1], bad[DESK_TOKEN_LEN + 1];
	T_CHECK(desk_sessions_login(a, &key, tok) == 0);
	struct desk_session_view v;
	struct desk_session *d = desk_sessions_acquire(b, tok, &v);
	const struct age_identity *const *ids = NULL;
	T_OK(d != NULL && v.officer == root_id && strcmp(v.name, "root") == 0 &&
	             v.roles == (ROLE_ADMIN | ROLE_INTAKE) && !v.enrolling && v.key != NULL &&
	             officer_key_identities(v.key, &ids) >= 2 &&
	             officer_key_label(v.key, "intake", 1) != NULL,
	     "a session made on one node is served by another, with the officer's keys and "
	     "labels");
	if (d != NULL)
		desk_sessions_set_lang(b, d, "ru");
	desk_sessions_release(b, &d);
	T_OK(acquires(a, tok, &v) && strcmp(v.lang, "ru") == 0,
	     "a language chosen on one node is the other's");

	/* ---- what the store holds ---- */
	uint8_t id[32];
	struct store_session row;
	row_id(salt, tok, id);
	T_CHECK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) ==
	        STORE_OK);
	T_OK(row.owner == root_id && row.expires % 86400 == 0 &&
	             row.expires > (int64_t)time(NULL) &&
	             row.expires - (int64_t)time(NULL) <= 86400 + 600,
	     "the row tells the store the officer and the end of the day of its expiry");
	T_OK(memmem(row.data, row.len, "AGE-SECRET-KEY", 14) == NULL &&
	             memmem(row.data, row.len, tok, DESK_TOKEN_LEN) == NULL &&
	             memmem(row.data, row.len, "root", 4) == NULL,
	     "the row holds neither the key, the token nor the name in clear");
	int64_t n = 0;
	T_OK(store_session_count(st, STORE_SESSION_DESK, (int64_t)time(NULL), &n) == STORE_OK &&
	             n == 1,
	     "one row");

	/* ---- no token, no session ---- */
	memcpy(bad, tok, sizeof bad);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	T_OK(!acquires(b, bad, &v) && !acquires(b, "short", &v), "a changed token opens nothing");
	T_OK(!acquires(x, tok, &v), "another instance's salt finds nothing");

	/* the row under another row's id: the right id, the wrong token's key */
	struct officer_key *key2 = NULL;
	code_at(b32, t + 60, c);
	T_CHECK(officer_login(o, "root", PW_ROOT, c, t + 60, &key2, NULL) == OFFICER_OK);
	T_CHECK(desk_sessions_login(a, &key2, tok2) == 0);
	uint8_t id2[32];
	struct store_session row2;
	row_id(salt, tok2, id2);
	T_CHECK(store_session_get(st, STORE_SESSION_DESK, id2, (int64_t)time(NULL), &row2) ==
	        STORE_OK);
	memcpy(row2.data, row.data, row.len);
	row2.len = row.len;
	T_CHECK(store_session_put(st, &row2) == STORE_OK);
	T_OK(!acquires(q, tok2, &v), "a row sealed under another token does not open");
	T_OK(!acquires(a, tok2, &v), "nor on the node that made it (its copy is stale)");
	T_CHECK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) ==
	        STORE_OK);
	row.data[row.len - 1] ^= 1;
	T_CHECK(store_session_put(st, &row) == STORE_OK);
	T_OK(!acquires(q, tok, &v) && !acquires(a, tok, &v) && !acquires(b, tok, &v),
	     "a tampered row opens on no node");

	/* ---- logout and an officer's end, across nodes ---- */
	struct officer_key *key3 = NULL;
	code_at(b32, t + 90, c);
	T_CHECK(officer_login(o, "root", PW_ROOT, c, t + 90, &key3, NULL) == OFFICER_OK);
	T_CHECK(desk_sessions_login(a, &key3, tok) == 0);
	row_id(salt, tok, id);
	T_CHECK(acquires(b, tok, &v) && acquires(a, tok, &v));
	desk_sessions_end(b, tok);
	T_OK(!acquires(a, tok, &v), "a logout on one node ends the session on the other");
	T_OK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) ==
	             STORE_NOT_FOUND,
	     "and deletes its row");
	T_CHECK(desk_sessions_enrol(a, "root", "pw-root-enrolling", "SECRETR", "otpauth://r",
	                            tok2) == 0);
	T_OK(acquires(b, tok2, &v) && v.enrolling && v.key == NULL &&
	             strcmp(v.enrol_password, "pw-root-enrolling") == 0 &&
	             strcmp(v.enrol_secret, "SECRETR") == 0 &&
	             strcmp(v.enrol_uri, "otpauth://r") == 0,
	     "an enrolment begun on one node goes on on the other");
	desk_sessions_end_officer(b, "root");
	T_OK(!acquires(a, tok2, &v) &&
	             store_session_count(st, STORE_SESSION_DESK, (int64_t)time(NULL), &n) ==
	                     STORE_OK &&
	             n == 0,
	     "ending an officer on one node ends their sessions everywhere (no row left)");

	/* ---- the exact idle expiry (q: 2 s) ---- */
	struct officer_key *key4 = NULL;
	code_at(b32, t + 120, c);
	T_CHECK(officer_login(o, "root", PW_ROOT, c, t + 120, &key4, NULL) == OFFICER_OK);
	T_CHECK(desk_sessions_login(q, &key4, tok) == 0);
	row_id(salt, tok, id);
	T_CHECK(acquires(q, tok, &v));
	sleep(4);
	T_OK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) == STORE_OK,
	     "(the row outlives the exact expiry in the store: it names only the day)");
	T_OK(!acquires(b, tok, &v), "but no node opens it past its exact idle expiry");
	T_OK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) ==
	             STORE_NOT_FOUND,
	     "and the node that found it dead deleted it");
	struct officer_key *key5 = NULL;
	code_at(b32, t + 150, c);
	T_CHECK(officer_login(o, "root", PW_ROOT, c, t + 150, &key5, NULL) == OFFICER_OK);
	T_CHECK(desk_sessions_login(q, &key5, tok) == 0);
	row_id(salt, tok, id);
	sleep(4);
	desk_sessions_sweep(q);
	T_OK(store_session_get(st, STORE_SESSION_DESK, id, (int64_t)time(NULL), &row) ==
	                     STORE_NOT_FOUND &&
	             desk_sessions_count(q) == 0,
	     "the sweep deletes the row of a session idle past its timeout");

	sodium_memzero(&row, sizeof row);
	sodium_memzero(&row2, sizeof row2);
	desk_sessions_free(&a);
	desk_sessions_free(&b);
	desk_sessions_free(&x);
	desk_sessions_free(&q);
	officers_free(&o);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return t_done();
}
