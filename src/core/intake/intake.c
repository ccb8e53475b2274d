/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/intake/intake_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/keys/source_key.h"
#include "core/store/store_officer.h"
#include "lib/buf.h"
#include "lib/codename.h"

#include "lib/banned.h"

const char *intake_strerror(enum intake_result r)
{
	switch (r) {
	case INTAKE_OK:
		return "ok";
	case INTAKE_UNKNOWN:
		return "unknown codename or object";
	case INTAKE_EMPTY:
		return "empty submission";
	case INTAKE_TOO_LARGE:
		return "too large";
	case INTAKE_TOO_MANY:
		return "too many";
	case INTAKE_BAD_INPUT:
		return "bad input";
	case INTAKE_BUSY:
		return "busy";
	case INTAKE_FAILED:
		return "internal failure";
	case INTAKE_REFUSED:
		return "refused";
	case INTAKE_FULL:
		return "no space left for the store";
	}
	return "unknown error";
}

enum intake_result intake_from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return INTAKE_OK;
	case STORE_NOT_FOUND:
		return INTAKE_UNKNOWN;
	case STORE_TOO_LARGE:
		return INTAKE_TOO_LARGE;
	case STORE_BUSY:
		return INTAKE_BUSY;
	case STORE_FULL:
		return INTAKE_FULL;
	default:
		return INTAKE_FAILED;
	}
}

enum intake_result intake_new(struct store *store, const uint8_t label_pk[static 32],
                              const uint8_t salt[static 16], const struct intake_kdf *kdf,
                              const struct intake_limits *limits, const char *marking,
                              struct intake **out)
{
	*out = NULL;
	if (strlen(marking) >= STORE_MARKING_MAX)
		return INTAKE_BAD_INPUT;
	struct intake *in = calloc(1, sizeof *in);
	if (in == NULL)
		return INTAKE_FAILED;
	memcpy(in->label_pk, label_pk, sizeof in->label_pk);
	if (age_recipient_from_x25519(label_pk, &in->label) != AGE_OK) {
		free(in);
		return INTAKE_FAILED;
	}
	in->store = store;
	memcpy(in->salt, salt, sizeof in->salt);
	in->kdf = *kdf;
	in->limits = *limits;
	memcpy(in->marking, marking, strlen(marking) + 1);
	int ln = snprintf(in->marking_label, sizeof in->marking_label, "%s%s", LABEL_MARKING_PREFIX,
	                  marking);
	if (ln < 0 || (size_t)ln >= sizeof in->marking_label) {
		free(in);
		return INTAKE_BAD_INPUT;
	}
	*out = in;
	return INTAKE_OK;
}

void intake_free(struct intake **pin)
{
	struct intake *in = *pin;
	if (in == NULL)
		return;
	age_recipient_free(&in->label);
	sodium_memzero(in, sizeof *in);
	free(in);
	*pin = NULL;
}

const struct intake_limits *intake_limits(const struct intake *in)
{
	return &in->limits;
}

/* ---- sources ---- */

/* Argon2id over the codename: lookup hash, secret and public key. */
static enum intake_result derive(struct intake *in, const char *codename, uint8_t lookup[32],
                                 uint8_t sk[32], uint8_t pk[32])
{
	struct source_key *k = NULL;
	enum source_key_result r =
	        source_key_derive(codename, in->salt, in->kdf.opslimit, in->kdf.memlimit, &k);
	if (r == SOURCE_KEY_ERR_CODENAME)
		return INTAKE_UNKNOWN;
	if (r != SOURCE_KEY_OK)
		return INTAKE_FAILED;
	memcpy(lookup, k->lookup, 32);
	memcpy(sk, k->sk, 32);
	if (pk != NULL)
		memcpy(pk, k->pk, 32);
	source_key_free(&k);
	return INTAKE_OK;
}

/*
 * Inside a store_write function: the ledger entry of an intake event, in the
 * same transaction. actor: "source:ID" (a source is never named beyond its
 * store id) when actor is NULL, else the officer's; object "KIND:ID".
 */
enum store_result intake_log_in(struct store *s, enum ledger_action action, const char *actor,
                                store_id source, const char *kind, store_id object,
                                const char *marking)
{
	char src[LEDGER_TOKEN_MAX + 1], obj[LEDGER_TOKEN_MAX + 1];
	int n1 = snprintf(src, sizeof src, "source:%lld", (long long)source);
	int n2 = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)object);
	if (n1 < 0 || (size_t)n1 >= sizeof src || n2 < 0 || (size_t)n2 >= sizeof obj)
		return STORE_TOO_LARGE;
	return ledger_record_in(s, action, actor != NULL ? actor : src, obj, marking, NULL);
}

/* source create: the row and its entry */
struct source_tx {
	const uint8_t *lookup, *pk;
	store_id id;
};

static enum store_result source_create_tx(struct store *s, void *arg)
{
	struct source_tx *a = arg;
	enum store_result r = store_source_create(s, a->lookup, a->pk, store_today(), &a->id);
	if (r != STORE_OK)
		return r;
	return intake_log_in(s, LEDGER_SOURCE_CREATE, NULL, a->id, "source", a->id, NULL);
}

enum intake_result intake_source_create(struct intake *in, char *codename, size_t cap, store_id *id,
                                        uint8_t sk[static INTAKE_KEY_LEN])
{
	uint8_t lookup[32], pk[32];
	enum intake_result rc = INTAKE_FAILED;
	for (int attempt = 0; attempt < 3; attempt++) {
		if (codename_generate(codename, cap) != CODENAME_OK)
			goto out;
		if ((rc = derive(in, codename, lookup, sk, pk)) != INTAKE_OK)
			goto out;
		struct source_tx a = {.lookup = lookup, .pk = pk};
		enum store_result sr = store_write(in->store, NULL, 0, source_create_tx, &a);
		if (sr == STORE_EXISTS) { /* 2^-90: practically never, but never fail for it */
			rc = INTAKE_FAILED;
			continue;
		}
		rc = intake_from_store(sr);
		if (rc == INTAKE_OK)
			*id = a.id;
		break;
	}
out:
	sodium_memzero(lookup, sizeof lookup);
	if (rc != INTAKE_OK) {
		sodium_memzero(sk, INTAKE_KEY_LEN);
		sodium_memzero(codename, cap);
	}
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_until(uint64_t deadline_ms)
{
	uint64_t now = now_ms();
	if (now >= deadline_ms)
		return;
	uint64_t d = deadline_ms - now;
	struct timespec ts = {.tv_sec = (time_t)(d / 1000), .tv_nsec = (long)(d % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum intake_result intake_source_login(struct intake *in, const char *codename, unsigned min_ms,
                                       store_id *id, uint8_t sk[static INTAKE_KEY_LEN])
{
	uint64_t deadline = now_ms() + min_ms;
	char *norm = sodium_malloc(INTAKE_CODENAME_MAX);
	uint8_t lookup[32];
	enum intake_result rc = INTAKE_UNKNOWN;
	struct store_source src;

	if (norm == NULL) {
		rc = INTAKE_FAILED;
		goto out;
	}
	/*
	 * A malformed codename still costs one derivation (of a fixed, valid
	 * stand-in), so that its answer takes as long as a well-formed wrong one.
	 */
	int valid = codename_normalize(codename, norm, INTAKE_CODENAME_MAX) == CODENAME_OK;
	if (!valid) {
		struct buf stand_in;
		buf_init(&stand_in, INTAKE_CODENAME_MAX - 1);
		for (uint32_t i = 0; i < CODENAME_NWORDS; i++)
			if ((i > 0 && buf_append_byte(&stand_in, ' ') != BUF_OK) ||
			    buf_append_str(&stand_in, codename_word(i)) != BUF_OK)
				break;
		memcpy(norm, buf_str(&stand_in), stand_in.len + 1);
		buf_release(&stand_in);
	}
	if ((rc = derive(in, norm, lookup, sk, NULL)) != INTAKE_OK)
		goto out;
	if (!valid) {
		rc = INTAKE_UNKNOWN;
		goto out;
	}
	enum store_result sr = store_source_find(in->store, lookup, &src);
	if (sr != STORE_OK) {
		rc = sr == STORE_NOT_FOUND ? INTAKE_UNKNOWN : intake_from_store(sr);
		goto out;
	}
	/* The key the codename gives must be the key the source was created with. */
	uint8_t pk[32];
	if (crypto_scalarmult_base(pk, sk) != 0 || sodium_memcmp(pk, src.pk, 32) != 0) {
		rc = INTAKE_UNKNOWN;
		goto out;
	}
	*id = src.id;
	rc = INTAKE_OK;
out:
	sodium_memzero(lookup, sizeof lookup);
	if (norm != NULL)
		sodium_free(norm);
	if (rc != INTAKE_OK)
		sodium_memzero(sk, INTAKE_KEY_LEN);
	sleep_until(deadline);
	return rc;
}

/* source delete (by the source itself, or by an officer: actor), after an optional check */
struct delete_tx {
	const char *actor;
	store_id source;
	store_tx_fn check;
	void *ctx;
	bool refused;
};

static enum store_result source_delete_tx(struct store *s, void *arg)
{
	struct delete_tx *a = arg;
	enum store_result r;
	if (a->check != NULL && (r = a->check(s, a->ctx)) != STORE_OK) {
		a->refused = r == STORE_REFUSED;
		return r;
	}
	if ((r = store_source_delete(s, a->source)) != STORE_OK)
		return r;
	return intake_log_in(s, LEDGER_SOURCE_DELETE, a->actor, a->source, "source", a->source,
	                     NULL);
}

enum intake_result intake_source_delete_if(struct intake *in, const char *actor, store_id id,
                                           store_tx_fn check, void *ctx)
{
	struct delete_tx a = {.actor = actor, .source = id, .check = check, .ctx = ctx};
	enum store_result r = store_write(in->store, NULL, 0, source_delete_tx, &a);
	return a.refused ? INTAKE_REFUSED : intake_from_store(r);
}

enum intake_result intake_source_delete(struct intake *in, const char *actor, store_id id)
{
	return intake_source_delete_if(in, actor, id, NULL, NULL);
}

/* ---- sealing into blobs ---- */

enum intake_result intake_from_seal(enum seal_result r, enum store_result sr)
{
	return r == SEAL_STORE ? intake_from_store(sr) : r == SEAL_OK ? INTAKE_OK : INTAKE_FAILED;
}

enum intake_result intake_seal_recipients(struct intake *in, const char *marking_label,
                                          struct age_recipient **inner,
                                          struct age_recipient **outer, uint32_t *version)
{
	*inner = *outer = NULL;
	*version = 0;
	struct store_label_joint j;
	enum store_result sr = store_label_joint(in->store, marking_label, LABEL_INTAKE, &j);
	if (sr != STORE_OK)
		return intake_from_store(sr);
	const uint8_t *pk = j.version[1] != 0 ? j.pk[1] : in->label_pk;
	if (age_recipient_from_x25519(pk, inner) != AGE_OK ||
	    (j.holders > 0 && age_recipient_from_x25519(j.pk[0], outer) != AGE_OK)) {
		age_recipient_free(inner);
		return INTAKE_FAILED;
	}
	*version = j.holders > 0 ? j.version[0] : 0;
	return INTAKE_OK;
}

/* Seals a small plaintext into a new blob (to outer too, when given). */
enum intake_result intake_seal_small(struct store *store, const struct age_recipient *r,
                                     const struct age_recipient *outer, const uint8_t *p, size_t n,
                                     store_id *out)
{
	enum store_result sr;
	enum seal_result rc = seal_buf(store, r, outer, p, n, out, &sr);
	return intake_from_seal(rc, sr);
}
