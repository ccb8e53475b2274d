/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * login: password + TOTP, the failure delay, and TOTP enrolment (officer.h,
 * "Login"). A login's outcome and its ledger entry commit in one transaction:
 * a success sets the last TOTP step and day with officer.login; a refusal
 * counts the failure (or makes the same write on no row, for a name that
 * cannot count one) with officer.login.failed. Argon2id and the session's
 * keys are done before it.
 */
#include <sodium.h>
#include <string.h>

#include "core/ledger/ledger.h"
#include "core/officer/officer_internal.h"
#include "core/store/store_officer.h"
#include "lib/secmem.h"

#include "lib/banned.h"

static int64_t delay_of(int64_t failures)
{
	if (failures <= 0)
		return 0;
	if (failures >= 9)
		return OFFICER_DELAY_MAX;
	int64_t d = (int64_t)1 << failures;
	return d > OFFICER_DELAY_MAX ? OFFICER_DELAY_MAX : d;
}

/*
 * Checks name and password with the delay rules; writes nothing. On
 * OFFICER_OK: *row, the KEK (secmem, KEK_LEN) and the officer's own identity.
 * Any failure is OFFICER_DENIED (or OFFICER_FAILED), after the same Argon2id
 * work; *count is then the officer whose failure counts (a wrong password),
 * else 0 (no row: the write that records it changes nothing, and costs the
 * same).
 */
static enum officer_result unlock(struct officers *o, const char *name, const char *password,
                                  uint64_t now, struct store_officer *row, uint8_t *kek,
                                  struct age_identity **self, store_id *count)
{
	enum officer_result rc = OFFICER_DENIED;
	uint8_t *seed = secmem_alloc(SEED_LEN);
	char *text = secmem_alloc(ID_TEXT_CAP + 1);
	bool known = false;

	*self = NULL;
	*count = 0;
	if (seed == NULL || text == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if (officer_name_valid(name)) {
		enum store_result sr = store_officer_find(o->s, name, row);
		if (sr == STORE_OK)
			known = true;
		else if (sr != STORE_NOT_FOUND) {
			rc = OFFICER_FAILED;
			goto out;
		}
	}
	bool usable = known && !row->disabled && row->wrapped_sk_len > 0;
	bool waiting = usable && row->failures > 0 && now <= INT64_MAX &&
	               (int64_t)now < row->last_failure + delay_of(row->failures);
	if (!usable || waiting) {
		/* the same work as a real attempt, then the same answer */
		uint64_t ops = known && row->opslimit ? row->opslimit : o->kdf.opslimit;
		uint64_t mem = known && row->memlimit ? row->memlimit : o->kdf.memlimit;
		if (officer_derive(password, o->dummy_salt, ops, mem, seed) != 0)
			rc = OFFICER_FAILED;
		goto out;
	}
	if (officer_derive(password, row->salt, row->opslimit, row->memlimit, seed) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if (sodium_memcmp(seed, row->verifier, STORE_OFFICER_VERIFIER_LEN) != 0) {
		*count = row->id;
		goto out;
	}
	size_t tl = 0;
	if (officer_unwrap_secret(seed + 32, "sk", row, row->version, row->wrapped_sk,
	                          row->wrapped_sk_len, (uint8_t *)text, ID_TEXT_CAP, &tl) != 0 ||
	    age_identity_from_text(text, tl, self) != AGE_OK) {
		rc = OFFICER_FAILED; /* the right password but damaged keys */
		goto out;
	}
	memcpy(kek, seed + 32, KEK_LEN);
	rc = OFFICER_OK;
out:
	secmem_free(seed);
	secmem_free(text);
	return rc;
}

/*
 * A refused attempt outside a login (enrolment): counted as unlock's callers
 * always did, without a ledger entry.
 */
static enum officer_result count_failure(struct officers *o, store_id id, uint64_t now)
{
	enum store_result sr = store_officer_login_failed(o->s, id, (int64_t)now);
	return id == 0 || sr == STORE_OK ? OFFICER_DENIED : OFFICER_FAILED;
}

/* ---- the login's transaction ---- */

struct login_tx {
	const char *name; /* as typed */
	int64_t now;
	store_id id;  /* a success: the officer; a refusal: whose failure counts (0: none) */
	bool success; /* a right password and code: login_ok at step and day */
	int64_t step;
	int32_t day;
	bool replayed; /* out: the code was used meanwhile by another login (a refusal) */
};

static enum store_result login_tx(struct store *s, void *arg)
{
	struct login_tx *a = arg;
	char actor[LEDGER_TOKEN_MAX + 1];
	officer_actor_of(a->name, actor);
	if (a->success) {
		enum store_result r = store_officer_login_ok(s, a->id, a->step, a->day);
		if (r == STORE_OK)
			return ledger_record_in(s, LEDGER_OFFICER_LOGIN, actor, NULL, NULL, NULL);
		if (r != STORE_EXISTS)
			return r;
		a->replayed = true; /* refused: nothing counted, the entry says so */
	} else {
		enum store_result r = store_officer_login_failed(s, a->id, a->now);
		/* no row (id 0): the same durable write, changing nothing, as a counted one */
		if (r != STORE_OK && a->id != 0)
			return r;
	}
	/*
	 * A refused login is an entry too, the same whether the name exists or
	 * not: the actor is the name as typed (when it could be a name at all).
	 */
	return ledger_record_in(s, LEDGER_OFFICER_LOGIN_FAILED, actor, NULL, NULL, NULL);
}

/* A refusal: its count and its entry. OFFICER_DENIED, or OFFICER_FAILED if not recorded. */
static enum officer_result refuse(struct officers *o, const char *name, store_id id, uint64_t now)
{
	struct login_tx a = {.name = name, .now = (int64_t)now, .id = id};
	return store_write(o->s, NULL, 0, login_tx, &a) == STORE_OK ? OFFICER_DENIED
	                                                            : OFFICER_FAILED;
}

enum officer_result officer_login(struct officers *o, const char *name, const char *password,
                                  const char *totp, uint64_t now, struct officer_key **key,
                                  struct officer *out)
{
	enum officer_result rc;
	struct store_officer row;
	struct age_identity *self = NULL;
	uint8_t *kek = secmem_alloc(KEK_LEN);
	uint8_t *secret = secmem_alloc(STORE_OFFICER_WRAP_MAX);
	store_id count = 0;

	*key = NULL;
	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	rc = unlock(o, name, password, now, &row, kek, &self, &count);
	if (rc == OFFICER_DENIED)
		rc = refuse(o, name, count, now);
	if (rc != OFFICER_OK)
		goto out;
	if (row.wrapped_totp_len == 0) {
		rc = OFFICER_ENROL;
		goto out;
	}
	size_t sl = 0;
	if (officer_unwrap_secret(kek, "totp", &row, row.version, row.wrapped_totp,
	                          row.wrapped_totp_len, secret, STORE_OFFICER_WRAP_MAX, &sl) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	int64_t step = totp_verify(secret, sl, now, totp, row.totp_last_step);
	if (step < 0) {
		rc = refuse(o, name, row.id, now);
		goto out;
	}
	/* the keys first (opening the label wraps is age decryption): the transaction only writes
	 */
	if ((rc = officer_key_build(o, &row, &self, key)) != OFFICER_OK)
		goto out;
	struct login_tx a = {.name = row.name,
	                     .now = (int64_t)now,
	                     .id = row.id,
	                     .success = true,
	                     .step = step,
	                     .day = (int32_t)(now / 86400)};
	enum store_result sr = store_write(o->s, NULL, 0, login_tx, &a);
	rc = sr != STORE_OK ? OFFICER_FAILED : a.replayed ? OFFICER_DENIED : OFFICER_OK;
	if (rc != OFFICER_OK) {
		officer_key_free(key);
		goto out;
	}
	row.last_login_day = a.day;
	if (out != NULL)
		officer_to_public(&row, out);
out:
	age_identity_free(&self);
	secmem_free(kek);
	secmem_free(secret);
	sodium_memzero(&row, sizeof row);
	return rc;
}

/* ---- enrolment (no ledger entry: the login that follows has one) ---- */

enum officer_result officer_enrol_begin(struct officers *o, const char *name, const char *password,
                                        uint64_t now, char secret_b32[static TOTP_B32_MAX],
                                        char *uri, size_t uri_cap)
{
	enum officer_result rc;
	struct store_officer row;
	struct age_identity *self = NULL;
	uint8_t *kek = secmem_alloc(KEK_LEN);
	uint8_t *secret = secmem_alloc(TOTP_KEY_LEN);
	store_id count = 0;

	secret_b32[0] = '\0';
	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	rc = unlock(o, name, password, now, &row, kek, &self, &count);
	if (rc == OFFICER_DENIED)
		rc = count_failure(o, count, now);
	if (rc != OFFICER_OK)
		goto out;
	if (row.wrapped_totp_len > 0) {
		rc = OFFICER_DENIED; /* already enrolled: a reset (by an admin) clears it */
		goto out;
	}
	randombytes_buf(secret, TOTP_KEY_LEN);
	if (totp_base32(secret, TOTP_KEY_LEN, secret_b32, TOTP_B32_MAX) < 0 ||
	    (uri && totp_uri(o->issuer, row.name, secret_b32, uri, uri_cap) < 0)) {
		sodium_memzero(secret_b32, TOTP_B32_MAX);
		rc = OFFICER_FAILED;
		goto out;
	}
	rc = OFFICER_OK;
out:
	age_identity_free(&self);
	secmem_free(kek);
	secmem_free(secret);
	sodium_memzero(&row, sizeof row);
	return rc;
}

enum officer_result officer_enrol_finish(struct officers *o, const char *name, const char *password,
                                         const char *secret_b32, const char *code, uint64_t now)
{
	enum officer_result rc;
	struct store_officer row;
	struct age_identity *self = NULL;
	uint8_t *kek = secmem_alloc(KEK_LEN);
	uint8_t *secret = secmem_alloc(TOTP_KEY_MAX);
	uint8_t wrap[STORE_OFFICER_WRAP_MAX];
	size_t wl = 0;
	store_id count = 0;

	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	rc = unlock(o, name, password, now, &row, kek, &self, &count);
	if (rc == OFFICER_DENIED)
		rc = count_failure(o, count, now);
	if (rc != OFFICER_OK)
		goto out;
	if (row.wrapped_totp_len > 0) {
		rc = OFFICER_DENIED;
		goto out;
	}
	int sl = secret_b32 ? totp_base32_decode(secret_b32, secret, TOTP_KEY_MAX) : -1;
	if (sl < 16) { /* at least 128 bits */
		rc = OFFICER_BAD_INPUT;
		goto out;
	}
	int64_t step = totp_verify(secret, (size_t)sl, now, code, row.totp_last_step);
	if (step < 0) {
		rc = count_failure(o, row.id, now);
		goto out;
	}
	if (officer_wrap_secret(kek, "totp", &row, row.version, secret, (size_t)sl, wrap,
	                        sizeof wrap, &wl) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	enum store_result sr = store_officer_totp_set(o->s, row.id, row.version, wrap, wl, step);
	rc = sr == STORE_EXISTS ? OFFICER_DENIED : officer_from_store(sr);
out:
	age_identity_free(&self);
	secmem_free(kek);
	secmem_free(secret);
	sodium_memzero(&row, sizeof row);
	return rc;
}

enum officer_result officer_logout(struct officers *o, const struct officer_key *key)
{
	char actor[LEDGER_TOKEN_MAX + 1];
	if (key == NULL || officer_key_actor(key, actor, sizeof actor) != 0)
		return OFFICER_BAD_INPUT;
	enum ledger_result r = ledger_record(o->s, LEDGER_OFFICER_LOGOUT, actor, NULL, NULL, NULL);
	return r == LEDGER_OK ? OFFICER_OK : OFFICER_FAILED;
}
