/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/officer/officer.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/instance/instance.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/store/store_officer.h"
#include "lib/password.h"
#include "lib/secmem.h"

#include "lib/banned.h"

#define SEED_LEN 64
#define KEK_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define ID_TEXT_CAP (AGE_IDENTITY_STRLEN + 2)
#define AD_MAX (32 + 1 + 8 + 4 + OFFICER_NAME_MAX)
#define KEY_LABELS_MAX 4096

struct officers {
	struct store *s;
	struct officer_kdf kdf;
	char *dir;
	char issuer[64];
	uint8_t dummy_salt[STORE_OFFICER_SALT_LEN];
};

struct key_label {
	char name[LABEL_NAME_MAX + 1];
	uint32_t version;
};

struct officer_key {
	store_id id;
	unsigned roles;
	char name[OFFICER_NAME_MAX + 1];
	size_t n;                  /* ids[0] is the officer's own identity */
	struct age_identity **ids; /* n entries */
	struct key_label *labels;  /* n entries; labels[0] unused */
	size_t cap;
};

/* ---- small things ---- */

const char *officer_strerror(enum officer_result r)
{
	switch (r) {
	case OFFICER_OK:
		return "ok";
	case OFFICER_DENIED:
		return "login failed (wrong name, password or code, or too many attempts: wait and "
		       "try again)";
	case OFFICER_ENROL:
		return "the second factor (TOTP) is not enrolled yet";
	case OFFICER_EXISTS:
		return "an officer of that name exists";
	case OFFICER_NOT_FOUND:
		return "no such officer";
	case OFFICER_BAD_INPUT:
		return "bad input (name [a-z0-9._-] up to 64, roles, clearance, 3-letter "
		       "nationality)";
	case OFFICER_WEAK_PASSWORD:
		return "the password is too weak (at least 12 characters, not common, not the "
		       "name)";
	case OFFICER_FORBIDDEN:
		return "not allowed for this officer";
	case OFFICER_FAILED:
		return "internal failure (store, crypto or memory)";
	case OFFICER_LAST_INTAKE:
		return "refused: no intake officer would be left to read new submissions (add "
		       "another first)";
	}
	return "unknown result";
}

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
        {"admin", ROLE_ADMIN},
        {"intake", ROLE_INTAKE},
        {"analyst", ROLE_ANALYST},
        {"releasing", ROLE_RELEASING},
};
#define NROLES (sizeof role_names / sizeof role_names[0])

int officer_roles_parse(const char *csv, unsigned *roles)
{
	unsigned r = 0;
	const char *p = csv;

	if (csv == NULL || roles == NULL || *csv == '\0')
		return -1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned bit = 0;
		for (size_t i = 0; i < NROLES; i++)
			if (strlen(role_names[i].name) == n &&
			    memcmp(role_names[i].name, p, n) == 0)
				bit = role_names[i].bit;
		if (bit == 0 || (r & bit))
			return -1;
		r |= bit;
		if (e == NULL)
			break;
		p = e + 1;
		if (*p == '\0')
			return -1; /* a trailing comma */
	}
	*roles = r;
	return 0;
}

int officer_roles_format(unsigned roles, char *out, size_t cap)
{
	size_t o = 0;
	if (out == NULL || cap == 0 || cap > INT32_MAX)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < NROLES; i++) {
		if (!(roles & role_names[i].bit))
			continue;
		size_t n = strlen(role_names[i].name);
		if (o + (o ? 1 : 0) + n >= cap)
			return -1;
		if (o)
			out[o++] = ',';
		memcpy(out + o, role_names[i].name, n);
		o += n;
		out[o] = '\0';
	}
	return (int)o;
}

bool officer_name_valid(const char *name)
{
	if (name == NULL)
		return false;
	size_t n = strnlen(name, OFFICER_NAME_MAX + 1);
	if (n == 0 || n > OFFICER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool officer_nationality_valid(const char *cc)
{
	if (cc == NULL || strnlen(cc, 4) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (cc[i] < 'A' || cc[i] > 'Z')
			return false;
	return true;
}

static bool clearance_valid(const char *m)
{
	if (m == NULL)
		return false;
	size_t n = strnlen(m, STORE_MARKING_MAX);
	if (n == 0 || n >= STORE_MARKING_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] > 0x7e)
			return false;
	return true;
}

static enum officer_result from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return OFFICER_OK;
	case STORE_NOT_FOUND:
		return OFFICER_NOT_FOUND;
	case STORE_EXISTS:
		return OFFICER_EXISTS;
	default:
		return OFFICER_FAILED;
	}
}

static void to_public(const struct store_officer *r, struct officer *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	out->id = r->id;
	memcpy(out->name, r->name, sizeof out->name);
	out->roles = r->roles;
	memcpy(out->clearance, r->clearance, sizeof out->clearance);
	memcpy(out->nationality, r->nationality, sizeof out->nationality);
	out->disabled = r->disabled != 0;
	out->enrolled = r->wrapped_totp_len > 0;
	out->created_day = r->created_day;
	out->last_login_day = r->last_login_day;
}

/* ---- the module ---- */

/* ---- the ledger (core/ledger/ledger.h): an action is acknowledged once its entry is durable ----
 */

/*
 * "officer:NAME" for a valid officer name, else "officer" (a login typed with
 * a name no officer could have). Nothing but what the caller typed or knows.
 */
static void actor_of(const char *name, char out[static LEDGER_TOKEN_MAX + 1])
{
	int n = name != NULL && officer_name_valid(name)
	                ? snprintf(out, LEDGER_TOKEN_MAX + 1, "officer:%s", name)
	                : -1;
	if (n < 0 || n > LEDGER_TOKEN_MAX)
		memcpy(out, "officer", sizeof "officer");
}

/*
 * One entry; actor_name NULL: "admin" (the instance's admin identity).
 * object: "kind:id" as written, or NULL.
 */
static enum officer_result log_event(struct officers *o, enum ledger_action action,
                                     const char *actor_name, const char *object,
                                     const char *marking, const char *detail)
{
	char actor[LEDGER_TOKEN_MAX + 1];
	if (actor_name != NULL)
		actor_of(actor_name, actor);
	else
		memcpy(actor, "admin", sizeof "admin");
	return ledger_record(o->s, action, actor, object, marking, detail) == LEDGER_OK
	               ? OFFICER_OK
	               : OFFICER_FAILED;
}

/* An entry about officer `name` (object "officer:NAME") by `as` (NULL: the admin identity). */
static enum officer_result log_officer(struct officers *o, enum ledger_action action,
                                       const struct officer_key *as, const char *name,
                                       const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1], actor[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "officer:%s", name);
	if (n < 0 || (size_t)n >= sizeof obj || officer_key_actor(as, actor, sizeof actor) != 0)
		return OFFICER_FAILED;
	return ledger_record(o->s, action, actor, obj, marking, detail) == LEDGER_OK
	               ? OFFICER_OK
	               : OFFICER_FAILED;
}

/* officer.roles / officer.add detail: "roles admin,intake". */
static enum officer_result roles_detail(unsigned roles, const char *nationality,
                                        char out[static 96])
{
	char csv[OFFICER_ROLES_MAX];
	if (officer_roles_format(roles, csv, sizeof csv) < 0)
		return OFFICER_FAILED;
	int n = nationality != NULL ? snprintf(out, 96, "roles %s nationality %s", csv, nationality)
	                            : snprintf(out, 96, "roles %s", csv);
	return n < 0 || n >= 96 ? OFFICER_FAILED : OFFICER_OK;
}

enum officer_result officers_new(struct store *s, const struct officer_kdf *kdf,
                                 struct officers **out)
{
	*out = NULL;
	if (s == NULL || s->be->officer == NULL || kdf == NULL ||
	    kdf->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    kdf->opslimit > crypto_pwhash_OPSLIMIT_MAX ||
	    kdf->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    kdf->memlimit > crypto_pwhash_MEMLIMIT_MAX)
		return OFFICER_BAD_INPUT;
	struct officers *o = calloc(1, sizeof *o);
	if (o == NULL)
		return OFFICER_FAILED;
	o->s = s;
	o->kdf = *kdf;
	memcpy(o->issuer, "cutout", sizeof "cutout");
	randombytes_buf(o->dummy_salt, sizeof o->dummy_salt);
	*out = o;
	return OFFICER_OK;
}

void officers_free(struct officers **o)
{
	if (o == NULL || *o == NULL)
		return;
	free((*o)->dir);
	free(*o);
	*o = NULL;
}

enum officer_result officers_set_instance_dir(struct officers *o, const char *dir)
{
	char *d = dir ? strdup(dir) : NULL;
	if (dir && d == NULL)
		return OFFICER_FAILED;
	free(o->dir);
	o->dir = d;
	return OFFICER_OK;
}

enum officer_result officers_set_issuer(struct officers *o, const char *issuer)
{
	size_t n = issuer ? strlen(issuer) : 0;
	if (n == 0 || n >= sizeof o->issuer)
		return OFFICER_BAD_INPUT;
	memcpy(o->issuer, issuer, n + 1);
	return OFFICER_OK;
}

/* ---- the session key ---- */

void officer_key_free(struct officer_key **k)
{
	if (k == NULL || *k == NULL)
		return;
	struct officer_key *key = *k;
	for (size_t i = 0; i < key->n; i++)
		age_identity_free(&key->ids[i]);
	free(key->ids);
	free(key->labels);
	sodium_free(key);
	*k = NULL;
}

int officer_key_label_at(const struct officer_key *k, size_t i,
                         char name[static LABEL_NAME_MAX + 1], uint32_t *version)
{
	if (k == NULL || i == 0 || i >= k->n)
		return -1;
	memcpy(name, k->labels[i].name, LABEL_NAME_MAX + 1);
	*version = k->labels[i].version;
	return 0;
}

bool officer_key_is_recovery(const struct officer_key *k)
{
	return k != NULL && k->id == STORE_RECOVERY_OFFICER && k->roles == 0;
}

int officer_key_actor(const struct officer_key *k, char *out, size_t cap)
{
	int n = k == NULL                    ? snprintf(out, cap, "admin")
	        : officer_key_is_recovery(k) ? snprintf(out, cap, "recovery")
	                                     : snprintf(out, cap, "officer:%s", k->name);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

store_id officer_key_id(const struct officer_key *k)
{
	return k ? k->id : 0;
}

unsigned officer_key_roles(const struct officer_key *k)
{
	return k ? k->roles : 0;
}

const char *officer_key_name(const struct officer_key *k)
{
	return k ? k->name : "";
}

size_t officer_key_identities(const struct officer_key *k, const struct age_identity *const **out)
{
	if (k == NULL) {
		*out = NULL;
		return 0;
	}
	*out = (const struct age_identity *const *)k->ids;
	return k->n;
}

const struct age_identity *officer_key_label(const struct officer_key *k, const char *name,
                                             uint32_t version)
{
	if (k == NULL || name == NULL)
		return NULL;
	for (size_t i = 1; i < k->n; i++)
		if (k->labels[i].version == version && strcmp(k->labels[i].name, name) == 0)
			return k->ids[i];
	return NULL;
}

/* Takes ownership of id (freed on failure too). */
static int key_push(struct officer_key *k, struct age_identity *id, const char *name,
                    uint32_t version)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		if (cap > KEY_LABELS_MAX)
			goto fail;
		struct age_identity **ids = realloc(k->ids, cap * sizeof *ids);
		if (ids == NULL)
			goto fail;
		k->ids = ids;
		struct key_label *l = realloc(k->labels, cap * sizeof *l);
		if (l == NULL)
			goto fail;
		k->labels = l;
		k->cap = cap;
	}
	k->ids[k->n] = id;
	memset(&k->labels[k->n], 0, sizeof k->labels[k->n]);
	if (name) {
		size_t n = strlen(name);
		if (n > LABEL_NAME_MAX)
			goto fail;
		memcpy(k->labels[k->n].name, name, n + 1);
	}
	k->labels[k->n].version = version;
	k->n++;
	return 0;
fail:
	age_identity_free(&id);
	return -1;
}

struct load_ctx {
	struct officer_key *k;
	int failed;
};

static int load_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct load_ctx *c = ctx;
	struct age_identity *id = NULL;
	/* a wrap that does not open (e.g. made for an older identity) is skipped */
	if (label_open(c->k->ids[0], wrap, n, &id) != LABEL_OK)
		return 0;
	if (key_push(c->k, id, name, version) != 0) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

/* ---- keys at rest ---- */

static size_t make_ad(uint8_t ad[static AD_MAX], const char *field, const struct store_officer *r,
                      uint32_t version)
{
	static const char tag[] = "cutout-officer-v1";
	size_t n = 0, fl = strlen(field), nl = strnlen(r->name, OFFICER_NAME_MAX);
	memcpy(ad + n, tag, sizeof tag);
	n += sizeof tag;
	memcpy(ad + n, field, fl);
	n += fl;
	ad[n++] = 0;
	for (int i = 0; i < 8; i++)
		ad[n++] = (uint8_t)((uint64_t)r->id >> (8 * i));
	for (int i = 0; i < 4; i++)
		ad[n++] = (uint8_t)(version >> (8 * i));
	memcpy(ad + n, r->name, nl);
	n += nl;
	return n;
}

static int wrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                       const struct store_officer *r, uint32_t version, const uint8_t *p, size_t n,
                       uint8_t *out, size_t cap, size_t *len)
{
	uint8_t ad[AD_MAX];
	size_t adn = make_ad(ad, field, r, version);
	if (n > cap || cap - n < NONCE_LEN + TAG_LEN)
		return -1;
	randombytes_buf(out, NONCE_LEN);
	unsigned long long cl = 0;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_LEN, &cl, p, n, ad, adn, NULL,
	                                               out, kek) != 0)
		return -1;
	*len = NONCE_LEN + (size_t)cl;
	return 0;
}

/* out must hold n - NONCE_LEN - TAG_LEN bytes. */
static int unwrap_secret(const uint8_t kek[static KEK_LEN], const char *field,
                         const struct store_officer *r, uint32_t version, const uint8_t *w,
                         size_t n, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t ad[AD_MAX];
	size_t adn = make_ad(ad, field, r, version);
	if (n < NONCE_LEN + TAG_LEN || n - NONCE_LEN - TAG_LEN > cap)
		return -1;
	unsigned long long ml = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &ml, NULL, w + NONCE_LEN, n - NONCE_LEN,
	                                               ad, adn, w, kek) != 0)
		return -1;
	*len = (size_t)ml;
	return 0;
}

/* Argon2id(password) -> seed (SEED_LEN bytes of secmem). */
static int derive(const char *password, const uint8_t salt[static STORE_OFFICER_SALT_LEN],
                  uint64_t ops, uint64_t mem, uint8_t *seed)
{
	size_t pl = password ? strnlen(password, PASSWORD_MAX_BYTES + 1) : 0;
	if (pl > PASSWORD_MAX_BYTES)
		pl = PASSWORD_MAX_BYTES; /* still do the work; the verifier will not match */
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_MAX)
		return -1;
	return crypto_pwhash(seed, SEED_LEN, password ? password : "", pl, salt,
	                     (unsigned long long)ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

/*
 * New password keys for row r (r->id set) at `version`: fresh salt, identity;
 * TOTP cleared. Fills r's key fields.
 */
static enum officer_result make_keys(struct officers *o, struct store_officer *r,
                                     const char *password, uint32_t version)
{
	enum officer_result rc = OFFICER_FAILED;
	uint8_t *seed = secmem_alloc(SEED_LEN);
	char *text = secmem_alloc(ID_TEXT_CAP);
	struct age_identity *id = NULL;
	struct age_recipient *rcpt = NULL;

	if (seed == NULL || text == NULL)
		goto out;
	r->version = version;
	randombytes_buf(r->salt, sizeof r->salt);
	r->opslimit = o->kdf.opslimit;
	r->memlimit = o->kdf.memlimit;
	if (derive(password, r->salt, r->opslimit, r->memlimit, seed) != 0)
		goto out;
	memcpy(r->verifier, seed, STORE_OFFICER_VERIFIER_LEN);
	if (age_identity_generate(&id) != AGE_OK || age_identity_recipient(id, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, r->pk) != AGE_OK ||
	    age_identity_format(id, text, ID_TEXT_CAP) != AGE_OK)
		goto out;
	if (wrap_secret(seed + 32, "sk", r, version, (const uint8_t *)text, strlen(text),
	                r->wrapped_sk, sizeof r->wrapped_sk, &r->wrapped_sk_len) != 0)
		goto out;
	r->wrapped_totp_len = 0;
	rc = OFFICER_OK;
out:
	secmem_free(seed);
	secmem_free(text);
	age_identity_free(&id);
	age_recipient_free(&rcpt);
	return rc;
}

/* ---- unlocking (every login path) ---- */

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
 * Checks name and password with the delay rules. On OFFICER_OK: *row, the KEK
 * (secmem, KEK_LEN) and the officer's own identity. Any failure is
 * OFFICER_DENIED (or OFFICER_FAILED), after the same Argon2id work.
 */
static enum officer_result unlock(struct officers *o, const char *name, const char *password,
                                  uint64_t now, struct store_officer *row, uint8_t *kek,
                                  struct age_identity **self)
{
	enum officer_result rc = OFFICER_DENIED;
	uint8_t *seed = secmem_alloc(SEED_LEN);
	char *text = secmem_alloc(ID_TEXT_CAP + 1);
	bool known = false;

	*self = NULL;
	if (seed == NULL || text == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if (officer_name_valid(name)) {
		enum store_result sr = o->s->be->officer->find(o->s, name, row);
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
		if (derive(password, o->dummy_salt, ops, mem, seed) != 0)
			rc = OFFICER_FAILED;
		/* and a durable write that changes nothing, as a recorded failure costs one */
		(void)o->s->be->officer->login_failed(o->s, 0, (int64_t)now);
		goto out;
	}
	if (derive(password, row->salt, row->opslimit, row->memlimit, seed) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if (sodium_memcmp(seed, row->verifier, STORE_OFFICER_VERIFIER_LEN) != 0) {
		if (o->s->be->officer->login_failed(o->s, row->id, (int64_t)now) != STORE_OK)
			rc = OFFICER_FAILED;
		goto out;
	}
	size_t tl = 0;
	if (unwrap_secret(seed + 32, "sk", row, row->version, row->wrapped_sk, row->wrapped_sk_len,
	                  (uint8_t *)text, ID_TEXT_CAP, &tl) != 0 ||
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

static enum officer_result build_key(struct officers *o, const struct store_officer *row,
                                     struct age_identity **self, struct officer_key **out)
{
	struct officer_key *k = sodium_malloc(sizeof *k);
	if (k == NULL) {
		age_identity_free(self);
		return OFFICER_FAILED;
	}
	memset(k, 0, sizeof *k);
	k->id = row->id;
	k->roles = row->roles;
	memcpy(k->name, row->name, sizeof k->name);
	if (key_push(k, *self, NULL, 0) != 0) {
		*self = NULL;
		officer_key_free(&k);
		return OFFICER_FAILED;
	}
	*self = NULL;
	struct load_ctx c = {.k = k};
	if (label_wraps(o->s, row->id, load_wrap, &c) != LABEL_OK || c.failed) {
		officer_key_free(&k);
		return OFFICER_FAILED;
	}
	*out = k;
	return OFFICER_OK;
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

	*key = NULL;
	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if ((rc = unlock(o, name, password, now, &row, kek, &self)) != OFFICER_OK)
		goto out;
	if (row.wrapped_totp_len == 0) {
		rc = OFFICER_ENROL;
		goto out;
	}
	size_t sl = 0;
	if (unwrap_secret(kek, "totp", &row, row.version, row.wrapped_totp, row.wrapped_totp_len,
	                  secret, STORE_OFFICER_WRAP_MAX, &sl) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	int64_t step = totp_verify(secret, sl, now, totp, row.totp_last_step);
	if (step < 0) {
		rc = o->s->be->officer->login_failed(o->s, row.id, (int64_t)now) == STORE_OK
		             ? OFFICER_DENIED
		             : OFFICER_FAILED;
		goto out;
	}
	enum store_result sr =
	        o->s->be->officer->login_ok(o->s, row.id, step, (int32_t)(now / 86400));
	if (sr == STORE_EXISTS) { /* the same code, used meanwhile by another login */
		rc = OFFICER_DENIED;
		goto out;
	} else if (sr != STORE_OK) {
		rc = OFFICER_FAILED;
		goto out;
	}
	row.last_login_day = (int32_t)(now / 86400);
	if ((rc = build_key(o, &row, &self, key)) != OFFICER_OK)
		goto out;
	if ((rc = log_event(o, LEDGER_OFFICER_LOGIN, row.name, NULL, NULL, NULL)) != OFFICER_OK) {
		officer_key_free(key);
		goto out;
	}
	if (out != NULL)
		to_public(&row, out);
out:
	/*
	 * A refused login is an entry too, the same whether the name exists or
	 * not: the actor is the name as typed (when it could be a name at all).
	 */
	if (rc == OFFICER_DENIED &&
	    log_event(o, LEDGER_OFFICER_LOGIN_FAILED, name, NULL, NULL, NULL) != OFFICER_OK)
		rc = OFFICER_FAILED;
	age_identity_free(&self);
	secmem_free(kek);
	secmem_free(secret);
	sodium_memzero(&row, sizeof row);
	return rc;
}

enum officer_result officer_enrol_begin(struct officers *o, const char *name, const char *password,
                                        uint64_t now, char secret_b32[static TOTP_B32_MAX],
                                        char *uri, size_t uri_cap)
{
	enum officer_result rc;
	struct store_officer row;
	struct age_identity *self = NULL;
	uint8_t *kek = secmem_alloc(KEK_LEN);
	uint8_t *secret = secmem_alloc(TOTP_KEY_LEN);

	secret_b32[0] = '\0';
	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if ((rc = unlock(o, name, password, now, &row, kek, &self)) != OFFICER_OK)
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

	if (kek == NULL || secret == NULL) {
		rc = OFFICER_FAILED;
		goto out;
	}
	if ((rc = unlock(o, name, password, now, &row, kek, &self)) != OFFICER_OK)
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
		rc = o->s->be->officer->login_failed(o->s, row.id, (int64_t)now) == STORE_OK
		             ? OFFICER_DENIED
		             : OFFICER_FAILED;
		goto out;
	}
	if (wrap_secret(kek, "totp", &row, row.version, secret, (size_t)sl, wrap, sizeof wrap,
	                &wl) != 0) {
		rc = OFFICER_FAILED;
		goto out;
	}
	enum store_result sr =
	        o->s->be->officer->totp_set(o->s, row.id, row.version, wrap, wl, step);
	rc = sr == STORE_EXISTS ? OFFICER_DENIED : from_store(sr);
out:
	age_identity_free(&self);
	secmem_free(kek);
	secmem_free(secret);
	sodium_memzero(&row, sizeof row);
	return rc;
}

/* ---- the intake label ---- */

static enum officer_result publish_intake_pk(struct officers *o, const uint8_t pk[static 32])
{
	enum officer_result rc = OFFICER_FAILED;
	struct age_recipient *r = NULL;
	char text[AGE_RECIPIENT_STRLEN + 2];
	char path[4096], tmp[4096];
	int fd = -1;

	if (o->s->be->meta_set(o->s, INSTANCE_META_INTAKE_PK, pk, 32) != STORE_OK)
		goto out;
	if (o->dir == NULL) {
		rc = OFFICER_OK;
		goto out;
	}
	if (age_recipient_from_x25519(pk, &r) != AGE_OK ||
	    age_recipient_format(r, text, sizeof text) != AGE_OK)
		goto out;
	int n1 = snprintf(path, sizeof path, "%s/%s", o->dir, INSTANCE_INTAKE_PUB);
	int n2 = snprintf(tmp, sizeof tmp, "%s/%s.tmp", o->dir, INSTANCE_INTAKE_PUB);
	if (n1 < 0 || (size_t)n1 >= sizeof path || n2 < 0 || (size_t)n2 >= sizeof tmp)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		goto out;
	size_t tl = strlen(text);
	text[tl++] = '\n';
	if (write(fd, text, tl) != (ssize_t)tl || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = OFFICER_OK;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	age_recipient_free(&r);
	return rc;
}

struct holders {
	store_id *ids;
	uint8_t (*pks)[32];
	size_t n, cap;
	store_id except;
	int failed;
};

static int collect_holder(void *ctx, const struct store_officer *r)
{
	struct holders *h = ctx;
	if (!(r->roles & ROLE_INTAKE) || r->disabled || r->wrapped_sk_len == 0 ||
	    r->id == h->except)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		if (cap > 1000000)
			goto fail;
		store_id *ids = realloc(h->ids, cap * sizeof *ids);
		if (ids == NULL)
			goto fail;
		h->ids = ids;
		uint8_t(*pks)[32] = realloc(h->pks, cap * sizeof *pks);
		if (pks == NULL)
			goto fail;
		h->pks = pks;
		h->cap = cap;
	}
	h->ids[h->n] = r->id;
	memcpy(h->pks[h->n], r->pk, 32);
	h->n++;
	return 0;
fail:
	h->failed = 1;
	return 1;
}

/*
 * A new intake label version wrapped to every enabled intake officer but
 * `except`; made current, and a label.rotate entry by actor (an officer's
 * name, NULL: the admin identity). OFFICER_LAST_INTAKE if nobody would hold it.
 */
static enum officer_result intake_rotate(struct officers *o, store_id except, const char *actor)
{
	enum officer_result rc = OFFICER_FAILED;
	struct holders h = {.except = except};
	uint8_t pk[32];
	uint32_t version = 0;
	char detail[32];

	if (o->s->be->officer->list(o->s, collect_holder, &h) != STORE_OK || h.failed)
		goto out;
	if (h.n == 0) {
		rc = OFFICER_LAST_INTAKE;
		goto out;
	}
	if (label_add_version(o->s, LABEL_INTAKE, 0, NULL, h.ids, (const uint8_t(*)[32])h.pks, h.n,
	                      &version, pk) != LABEL_OK)
		goto out;
	if ((rc = publish_intake_pk(o, pk)) != OFFICER_OK)
		goto out;
	int n = snprintf(detail, sizeof detail, "version %u", (unsigned)version);
	if (n < 0 || (size_t)n >= sizeof detail) {
		rc = OFFICER_FAILED;
		goto out;
	}
	rc = log_event(o, LEDGER_LABEL_ROTATE, actor, "label:" LABEL_INTAKE, NULL, detail);
out:
	free(h.ids);
	free(h.pks);
	return rc;
}

/*
 * Gives the (enabled, intake) officer `target` every intake version `as`
 * holds; if that misses the current version, rotates to a new one that every
 * intake officer (target included) holds.
 */
static enum officer_result intake_grant(struct officers *o, const struct officer_key *as,
                                        store_id target, const uint8_t pk[static 32])
{
	uint32_t cur = 0;
	uint8_t cur_pk[32];
	bool has_current = false;

	enum label_result lr = label_current(o->s, LABEL_INTAKE, &cur, cur_pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return OFFICER_FAILED;
	for (size_t i = 1; as && i < as->n; i++) {
		if (strcmp(as->labels[i].name, LABEL_INTAKE) != 0)
			continue;
		if (label_grant(o->s, LABEL_INTAKE, as->labels[i].version, target, as->ids[i],
		                pk) != LABEL_OK)
			return OFFICER_FAILED;
		if (lr == LABEL_OK && as->labels[i].version == cur)
			has_current = true;
	}
	if (has_current)
		return OFFICER_OK;
	return intake_rotate(o, 0, as != NULL ? as->name : NULL);
}

/* ---- admin operations ---- */

static enum officer_result check_admin(struct officers *o, const struct officer_key *as)
{
	struct store_officer row;
	if (as == NULL)
		return OFFICER_FORBIDDEN;
	/* the roles and state now, not those of the login */
	enum store_result sr = o->s->be->officer->get(o->s, as->id, &row);
	if (sr == STORE_NOT_FOUND)
		return OFFICER_FORBIDDEN;
	if (sr != STORE_OK)
		return OFFICER_FAILED;
	if (!(row.roles & ROLE_ADMIN) || row.disabled)
		return OFFICER_FORBIDDEN;
	return OFFICER_OK;
}

static enum officer_result create(struct officers *o, const char *name, unsigned roles,
                                  const char *clearance, const char *nationality,
                                  const char *password, struct store_officer *row)
{
	enum officer_result rc;
	store_id id = 0;

	if (!officer_name_valid(name) || roles == 0 || (roles & ~(unsigned)ROLE_ALL) ||
	    !clearance_valid(clearance) || !officer_nationality_valid(nationality))
		return OFFICER_BAD_INPUT;
	if (password_check(password, name) != PASSWORD_OK)
		return OFFICER_WEAK_PASSWORD;
	memset(row, 0, sizeof *row);
	memcpy(row->name, name, strlen(name) + 1);
	row->roles = roles;
	memcpy(row->clearance, clearance, strlen(clearance) + 1);
	memcpy(row->nationality, nationality, 4);
	row->created_day = store_today();
	if ((rc = from_store(o->s->be->officer->insert(o->s, row, &id))) != OFFICER_OK)
		return rc;
	row->id = id;
	if ((rc = make_keys(o, row, password, 1)) == OFFICER_OK)
		rc = from_store(o->s->be->officer->keys_set(o->s, row, 0));
	if (rc != OFFICER_OK) {
		if (o->s->be->officer->delete (o->s, id) != STORE_OK)
			rc = OFFICER_FAILED;
		return rc == OFFICER_EXISTS ? OFFICER_FAILED : rc;
	}
	return OFFICER_OK;
}

enum officer_result officer_add(struct officers *o, const struct officer_key *as, const char *name,
                                unsigned roles, const char *clearance, const char *nationality,
                                const char *password, store_id *id)
{
	struct store_officer row;
	enum officer_result rc = check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if ((rc = create(o, name, roles, clearance, nationality, password, &row)) != OFFICER_OK)
		return rc;
	if (roles & ROLE_INTAKE)
		rc = intake_grant(o, as, row.id, row.pk);
	char detail[96];
	if (rc == OFFICER_OK)
		rc = roles_detail(roles, nationality, detail);
	if (rc == OFFICER_OK)
		rc = log_officer(o, LEDGER_OFFICER_ADD, as, name, clearance, detail);
	if (rc == OFFICER_OK && id)
		*id = row.id;
	return rc;
}

enum officer_result officer_set_roles(struct officers *o, const struct officer_key *as,
                                      const char *name, unsigned roles)
{
	struct store_officer row;
	enum officer_result rc = check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (roles == 0 || (roles & ~(unsigned)ROLE_ALL) || !officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	if ((rc = from_store(o->s->be->officer->find(o->s, name, &row))) != OFFICER_OK)
		return rc;
	if (row.id == as->id && !(roles & ROLE_ADMIN))
		return OFFICER_FORBIDDEN;
	bool had = row.roles & ROLE_INTAKE, has = roles & ROLE_INTAKE;
	if (had && !has && !row.disabled) {
		/* rotate first: a crash after it leaves the officer without the new key */
		if ((rc = intake_rotate(o, row.id, as->name)) != OFFICER_OK)
			return rc;
	}
	if ((rc = from_store(o->s->be->officer->set_roles(o->s, row.id, roles))) != OFFICER_OK)
		return rc;
	if (had && !has)
		rc = label_revoke(o->s, LABEL_INTAKE, row.id) == LABEL_OK ? OFFICER_OK
		                                                          : OFFICER_FAILED;
	else if (!had && has && !row.disabled && row.wrapped_sk_len > 0)
		rc = intake_grant(o, as, row.id, row.pk);
	char detail[96];
	if (rc == OFFICER_OK)
		rc = roles_detail(roles, NULL, detail);
	if (rc == OFFICER_OK)
		rc = log_officer(o, LEDGER_OFFICER_ROLES, as, name, NULL, detail);
	return rc;
}

enum officer_result officer_set_clearance(struct officers *o, const struct officer_key *as,
                                          const char *name, const char *clearance)
{
	struct store_officer row;
	enum officer_result rc = check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (!officer_name_valid(name) || !clearance_valid(clearance))
		return OFFICER_BAD_INPUT;
	if ((rc = from_store(o->s->be->officer->find(o->s, name, &row))) != OFFICER_OK)
		return rc;
	return from_store(o->s->be->officer->set_clearance(o->s, row.id, clearance));
}

enum officer_result officer_disable(struct officers *o, const struct officer_key *as,
                                    const char *name, bool disabled)
{
	struct store_officer row;
	enum officer_result rc = check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (!officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	if ((rc = from_store(o->s->be->officer->find(o->s, name, &row))) != OFFICER_OK)
		return rc;
	if (row.id == as->id)
		return OFFICER_FORBIDDEN;
	if ((row.disabled != 0) == disabled)
		return OFFICER_OK;
	bool intake = row.roles & ROLE_INTAKE;
	if (disabled && intake && (rc = intake_rotate(o, row.id, as->name)) != OFFICER_OK)
		return rc;
	if ((rc = from_store(o->s->be->officer->set_disabled(o->s, row.id, disabled))) !=
	    OFFICER_OK)
		return rc;
	if (disabled && intake)
		rc = label_revoke(o->s, LABEL_INTAKE, row.id) == LABEL_OK ? OFFICER_OK
		                                                          : OFFICER_FAILED;
	else if (!disabled && intake && row.wrapped_sk_len > 0)
		rc = intake_grant(o, as, row.id, row.pk);
	if (rc == OFFICER_OK)
		rc = log_officer(o, disabled ? LEDGER_OFFICER_DISABLE : LEDGER_OFFICER_ENABLE, as,
		                 name, NULL, NULL);
	return rc;
}

enum officer_result officer_reset(struct officers *o, const struct officer_key *as,
                                  const char *name, const char *new_password)
{
	struct store_officer row;
	enum officer_result rc = check_admin(o, as);
	if (rc != OFFICER_OK)
		return rc;
	if (!officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	if ((rc = from_store(o->s->be->officer->find(o->s, name, &row))) != OFFICER_OK)
		return rc;
	if (password_check(new_password, name) != PASSWORD_OK)
		return OFFICER_WEAK_PASSWORD;
	uint32_t old = row.version;
	if (old == UINT32_MAX)
		return OFFICER_FAILED;
	if ((rc = make_keys(o, &row, new_password, old + 1)) != OFFICER_OK)
		return rc;
	enum store_result sr = o->s->be->officer->keys_set(o->s, &row, old);
	if (sr != STORE_OK)
		return sr == STORE_EXISTS ? OFFICER_FAILED : from_store(sr);
	/* the old identity's wraps are useless now: drop them, wrap anew */
	if (label_revoke(o->s, NULL, row.id) != LABEL_OK)
		return OFFICER_FAILED;
	if ((row.roles & ROLE_INTAKE) && !row.disabled &&
	    (rc = intake_grant(o, as, row.id, row.pk)) != OFFICER_OK)
		return rc;
	return log_officer(o, LEDGER_OFFICER_RESET, as, name, NULL, NULL);
}

enum officer_result officer_get(struct officers *o, const char *name, struct officer *out)
{
	struct store_officer row;
	if (!officer_name_valid(name))
		return OFFICER_NOT_FOUND;
	enum officer_result rc = from_store(o->s->be->officer->find(o->s, name, &row));
	if (rc == OFFICER_OK)
		to_public(&row, out);
	return rc;
}

struct list_ctx {
	int (*fn)(void *ctx, const struct officer *of);
	void *ctx;
};

static int list_one(void *ctx, const struct store_officer *r)
{
	struct list_ctx *c = ctx;
	struct officer of;
	to_public(r, &of);
	return c->fn(c->ctx, &of);
}

enum officer_result officer_list(struct officers *o, int (*fn)(void *ctx, const struct officer *of),
                                 void *ctx)
{
	struct list_ctx c = {.fn = fn, .ctx = ctx};
	return from_store(o->s->be->officer->list(o->s, list_one, &c));
}

/* ---- bootstrap ---- */

static int any_admin(void *ctx, const struct store_officer *r)
{
	if ((r->roles & ROLE_ADMIN) && !r->disabled && r->wrapped_sk_len > 0) {
		*(int *)ctx = 1;
		return 1;
	}
	return 0;
}

static bool identity_is(const struct age_identity *id, const uint8_t *want, size_t wn, bool as_text)
{
	struct age_recipient *r = NULL;
	char text[AGE_RECIPIENT_STRLEN + 2];
	uint8_t pk[32];
	bool ok = false;
	if (id == NULL || age_identity_recipient(id, &r) != AGE_OK)
		goto out;
	if (as_text) {
		if (age_recipient_format(r, text, sizeof text) != AGE_OK)
			goto out;
		ok = strlen(text) == wn && memcmp(text, want, wn) == 0;
	} else {
		ok = age_recipient_x25519(r, pk) == AGE_OK && wn == 32 && memcmp(pk, want, 32) == 0;
	}
out:
	age_recipient_free(&r);
	return ok;
}

bool officer_is_admin_identity(struct officers *o, const struct age_identity *id)
{
	uint8_t meta[STORE_META_MAX];
	size_t ml = 0;
	if (id == NULL || o->s->be->meta_get(o->s, INSTANCE_META_ADMIN_RECIPIENT, meta, sizeof meta,
	                                     &ml) != STORE_OK)
		return false;
	return identity_is(id, meta, ml, true);
}

enum officer_result officer_bootstrap(struct officers *o, const struct age_identity *admin_identity,
                                      const struct age_identity *intake_identity, const char *name,
                                      unsigned roles, const char *clearance,
                                      const char *nationality, const char *password, store_id *id)
{
	uint8_t meta[STORE_META_MAX];
	size_t ml = 0;
	int exists = 0;
	struct store_officer row;
	enum officer_result rc;

	if (!(roles & ROLE_ADMIN))
		return OFFICER_BAD_INPUT;
	if (o->s->be->meta_get(o->s, INSTANCE_META_ADMIN_RECIPIENT, meta, sizeof meta, &ml) !=
	    STORE_OK)
		return OFFICER_FAILED;
	if (!identity_is(admin_identity, meta, ml, true))
		return OFFICER_FORBIDDEN;
	if (o->s->be->officer->list(o->s, any_admin, &exists) != STORE_OK)
		return OFFICER_FAILED;
	if (exists)
		return OFFICER_FORBIDDEN;

	uint32_t cur = 0;
	uint8_t cur_pk[32];
	enum label_result lr = label_current(o->s, LABEL_INTAKE, &cur, cur_pk);
	if (lr != LABEL_OK && lr != LABEL_NOT_FOUND)
		return OFFICER_FAILED;
	if (lr == LABEL_NOT_FOUND) {
		/* the first time: the instance's intake label becomes version 1 */
		if (o->s->be->meta_get(o->s, INSTANCE_META_INTAKE_PK, meta, sizeof meta, &ml) !=
		    STORE_OK)
			return OFFICER_FAILED;
		if (!identity_is(intake_identity, meta, ml, false))
			return OFFICER_BAD_INPUT;
	}
	if ((rc = create(o, name, roles, clearance, nationality, password, &row)) != OFFICER_OK)
		return rc;
	if (lr == LABEL_NOT_FOUND) {
		bool wrap = roles & ROLE_INTAKE;
		const uint8_t(*pks)[32] = (const uint8_t(*)[32])row.pk;
		if (label_add_version(o->s, LABEL_INTAKE, 1, intake_identity, wrap ? &row.id : NULL,
		                      wrap ? pks : NULL, wrap ? 1 : 0, NULL, NULL) != LABEL_OK)
			return OFFICER_FAILED;
	} else if (roles & ROLE_INTAKE) {
		/* recovery: the new admin holds only versions from now on */
		if ((rc = intake_rotate(o, 0, NULL)) != OFFICER_OK)
			return rc;
	}
	char detail[96];
	if ((rc = roles_detail(roles, nationality, detail)) != OFFICER_OK ||
	    (rc = log_officer(o, LEDGER_OFFICER_ADD, NULL, name, clearance, detail)) != OFFICER_OK)
		return rc;
	if (id)
		*id = row.id;
	return OFFICER_OK;
}

/* ---- the offline recovery key (core/keys/label.h) ---- */

enum officer_result officer_recovery_key(struct officers *o, const struct age_identity *recovery,
                                         struct officer_key **out)
{
	enum officer_result rc = OFFICER_FAILED;
	struct age_recipient *r = NULL;
	struct age_identity *copy = NULL;
	char *text = NULL;
	uint8_t want[32], got[32];
	*out = NULL;

	enum label_result lr = label_recovery_pk(o->s, want);
	if (lr == LABEL_NOT_FOUND)
		return OFFICER_NOT_FOUND;
	if (lr != LABEL_OK || recovery == NULL)
		return OFFICER_FAILED;
	if (age_identity_recipient(recovery, &r) != AGE_OK ||
	    age_recipient_x25519(r, got) != AGE_OK)
		goto out;
	if (sodium_memcmp(want, got, 32) != 0) {
		rc = OFFICER_FORBIDDEN;
		goto out;
	}
	/* the key owns its identities: a copy, through its text in guarded memory */
	text = secmem_alloc(ID_TEXT_CAP);
	if (text == NULL || age_identity_format(recovery, text, ID_TEXT_CAP) != AGE_OK ||
	    age_identity_parse(text, &copy) != AGE_OK)
		goto out;
	struct officer_key *k = sodium_malloc(sizeof *k);
	if (k == NULL)
		goto out;
	memset(k, 0, sizeof *k);
	k->id = STORE_RECOVERY_OFFICER;
	k->roles = 0; /* it holds keys, it authorises nothing */
	memcpy(k->name, "recovery", sizeof "recovery");
	if (key_push(k, copy, NULL, 0) != 0) {
		copy = NULL;
		officer_key_free(&k);
		goto out;
	}
	copy = NULL;
	struct load_ctx c = {.k = k};
	if (label_wraps(o->s, STORE_RECOVERY_OFFICER, load_wrap, &c) != LABEL_OK || c.failed) {
		officer_key_free(&k);
		goto out;
	}
	*out = k;
	rc = OFFICER_OK;
out:
	secmem_free(text); /* wipes */
	age_identity_free(&copy);
	age_recipient_free(&r);
	return rc;
}

enum officer_result officer_restore(struct officers *o, const struct officer_key *recovery,
                                    const char *name)
{
	struct store_officer row;
	if (!officer_key_is_recovery(recovery))
		return OFFICER_FORBIDDEN;
	if (!officer_name_valid(name))
		return OFFICER_BAD_INPUT;
	enum officer_result rc = from_store(o->s->be->officer->find(o->s, name, &row));
	if (rc != OFFICER_OK)
		return rc;
	if (row.disabled || row.wrapped_sk_len == 0)
		return OFFICER_FORBIDDEN;
	if ((row.roles & ROLE_INTAKE) &&
	    (rc = intake_grant(o, recovery, row.id, row.pk)) != OFFICER_OK)
		return rc;
	return log_officer(o, LEDGER_LABEL_RECOVER, recovery, name, NULL,
	                   (row.roles & ROLE_INTAKE) ? "intake label" : "no intake role");
}
