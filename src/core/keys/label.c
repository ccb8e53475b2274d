/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/keys/label.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_officer.h"
#include "lib/buf.h"
#include "lib/secmem.h"

#include "lib/banned.h"

#define ID_TEXT_CAP (AGE_IDENTITY_STRLEN + 2)

static enum label_result from_store(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return LABEL_OK;
	case STORE_NOT_FOUND:
		return LABEL_NOT_FOUND;
	case STORE_EXISTS:
		return LABEL_EXISTS;
	case STORE_FULL:
		return LABEL_FULL;
	default:
		return LABEL_FAILED;
	}
}

enum label_result label_current(struct store *s, const char *name, uint32_t *version,
                                uint8_t pk[static 32])
{
	if (!store_has_domains(s) || name == NULL)
		return LABEL_FAILED;
	return from_store(store_label_current(s, name, version, pk));
}

enum label_result label_seal(const struct age_identity *identity, const uint8_t pk[static 32],
                             uint8_t *out, size_t cap, size_t *len)
{
	enum label_result rc = LABEL_FAILED;
	struct age_recipient *rcpt = NULL;
	struct buf b;
	char *text = secmem_alloc(ID_TEXT_CAP);

	buf_init(&b, cap);
	if (text == NULL || identity == NULL)
		goto out;
	if (age_identity_format(identity, text, ID_TEXT_CAP) != AGE_OK ||
	    age_recipient_from_x25519(pk, &rcpt) != AGE_OK)
		goto out;
	const struct age_recipient *const r1[] = {rcpt};
	if (age_encrypt_buf(r1, 1, (const uint8_t *)text, strlen(text), &b) != AGE_OK)
		goto out;
	if (b.len > cap)
		goto out;
	memcpy(out, b.data, b.len);
	*len = b.len;
	rc = LABEL_OK;
out:
	secmem_free(text);
	age_recipient_free(&rcpt);
	buf_release(&b);
	return rc;
}

struct fixed {
	char *p;
	size_t len, cap;
};

static int fixed_write(void *ctx, const uint8_t *p, size_t n)
{
	struct fixed *f = ctx;
	if (n > f->cap - f->len)
		return -1;
	memcpy(f->p + f->len, p, n);
	f->len += n;
	return 0;
}

enum label_result label_open(const struct age_identity *officer, const uint8_t *wrap, size_t n,
                             struct age_identity **out)
{
	enum label_result rc = LABEL_CANNOT_OPEN;
	struct age_decryptor *d = NULL;
	struct fixed f = {.p = secmem_alloc(ID_TEXT_CAP + 1), .cap = ID_TEXT_CAP};

	*out = NULL;
	if (f.p == NULL) {
		rc = LABEL_FAILED;
		goto out;
	}
	const struct age_identity *const ids[] = {officer};
	if (age_decrypt_begin(ids, 1, fixed_write, &f, &d) != AGE_OK)
		goto out;
	if (age_decrypt_update(d, wrap, n) != AGE_OK || age_decrypt_finish(d) != AGE_OK)
		goto out;
	if (age_identity_from_text(f.p, f.len, out) != AGE_OK)
		goto out;
	rc = LABEL_OK;
out:
	age_decryptor_free(&d);
	secmem_free(f.p);
	return rc;
}

enum label_result label_grant(struct store *s, const char *name, uint32_t version, store_id officer,
                              const struct age_identity *identity,
                              const uint8_t officer_pk[static 32])
{
	uint8_t wrap[LABEL_WRAP_MAX];
	size_t n = 0;
	enum label_result rc = label_seal(identity, officer_pk, wrap, sizeof wrap, &n);
	if (rc != LABEL_OK)
		return rc;
	return label_grant_wrap(s, name, version, officer, wrap, n);
}

enum label_result label_grant_wrap(struct store *s, const char *name, uint32_t version,
                                   store_id officer, const uint8_t *wrap, size_t len)
{
	if (!store_has_domains(s) || name == NULL || wrap == NULL || len == 0)
		return LABEL_FAILED;
	struct store_label_wrap w = {.officer = officer, .wrap = wrap, .len = len};
	return from_store(store_label_wrap_put(s, name, version, &w));
}

enum label_result label_recovery_pk(struct store *s, uint8_t pk[static 32])
{
	size_t n = 0;
	if (s == NULL)
		return LABEL_FAILED;
	enum store_result r = store_meta_get(s, LABEL_META_RECOVERY, pk, 32, &n);
	if (r == STORE_NOT_FOUND || (r == STORE_OK && n == 0))
		return LABEL_NOT_FOUND;
	if (r != STORE_OK || n != 32)
		return LABEL_FAILED;
	return LABEL_OK;
}

enum label_result label_recovery_set(struct store *s, const uint8_t pk[32])
{
	if (!store_has_domains(s))
		return LABEL_FAILED;
	if (pk == NULL) {
		/* the key first: no new wrap is made for it from now on */
		if (store_meta_set(s, LABEL_META_RECOVERY, NULL, 0) != STORE_OK)
			return LABEL_FAILED;
		return from_store(store_label_revoke(s, NULL, STORE_RECOVERY_OFFICER));
	}
	/* a new key: the wraps to the old one go (they are the old key's) */
	if (store_label_revoke(s, NULL, STORE_RECOVERY_OFFICER) != STORE_OK)
		return LABEL_FAILED;
	return from_store(store_meta_set(s, LABEL_META_RECOVERY, pk, 32));
}

enum label_result label_recovery_grant(struct store *s, const char *name, uint32_t version,
                                       const struct age_identity *identity)
{
	uint8_t pk[32];
	enum label_result rc = label_recovery_pk(s, pk);
	if (rc != LABEL_OK)
		return rc;
	return label_grant(s, name, version, STORE_RECOVERY_OFFICER, identity, pk);
}

struct label_prepared {
	uint8_t pk[32];
	bool recovery;   /* wrapped to the recovery key too (the last wrap) */
	uint8_t rpk[32]; /* which, when it was prepared */
	size_t n;        /* officers */
	struct store_label_wrap *wraps;
	uint8_t *bytes;
};

void label_prepared_free(struct label_prepared **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	free((*pp)->wraps);
	free((*pp)->bytes);
	free(*pp);
	*pp = NULL;
}

size_t label_prepared_count(const struct label_prepared *p)
{
	return p != NULL ? p->n : 0;
}

enum label_result label_prepare(struct store *s, const struct age_identity *identity,
                                const store_id *ids, const uint8_t (*pks)[32], size_t n,
                                struct label_prepared **out)
{
	enum label_result rc = LABEL_FAILED;
	struct age_identity *fresh = NULL;
	struct age_recipient *rcpt = NULL;
	struct label_prepared *p = NULL;

	*out = NULL;
	if (!store_has_domains(s) || n > SIZE_MAX / LABEL_WRAP_MAX || n > 100000)
		goto out;
	if ((p = calloc(1, sizeof *p)) == NULL)
		goto out;
	if (identity == NULL) {
		if (age_identity_generate(&fresh) != AGE_OK)
			goto out;
		identity = fresh;
	}
	if (age_identity_recipient(identity, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, p->pk) != AGE_OK)
		goto out;
	/* the offline recovery key, if the operator configured one: one more wrap */
	enum label_result rr = label_recovery_pk(s, p->rpk);
	if (rr != LABEL_OK && rr != LABEL_NOT_FOUND)
		goto out;
	p->recovery = rr == LABEL_OK;
	p->n = n;
	size_t total = n + p->recovery;
	if (total > 0) {
		p->wraps = calloc(total, sizeof *p->wraps);
		p->bytes = malloc(total * LABEL_WRAP_MAX);
		if (p->wraps == NULL || p->bytes == NULL)
			goto out;
	}
	for (size_t i = 0; i < total; i++) {
		size_t len = 0;
		bool rec = i == n;
		if ((rc = label_seal(identity, rec ? p->rpk : pks[i], p->bytes + i * LABEL_WRAP_MAX,
		                     LABEL_WRAP_MAX, &len)) != LABEL_OK)
			goto out;
		p->wraps[i] =
		        (struct store_label_wrap){.officer = rec ? STORE_RECOVERY_OFFICER : ids[i],
		                                  .wrap = p->bytes + i * LABEL_WRAP_MAX,
		                                  .len = len};
	}
	*out = p;
	p = NULL;
	rc = LABEL_OK;
out:
	label_prepared_free(&p);
	age_recipient_free(&rcpt);
	age_identity_free(&fresh);
	return rc;
}

enum label_result label_add_prepared(struct store *s, const char *name, uint32_t version,
                                     const struct label_prepared *p, uint32_t *out_version,
                                     uint8_t out_pk[32])
{
	if (!store_has_domains(s) || name == NULL || p == NULL)
		return LABEL_FAILED;
	/* the recovery key as it is now: every new version is wrapped to it, if set */
	uint8_t rpk[32];
	enum label_result rr = label_recovery_pk(s, rpk);
	if (rr != LABEL_OK && rr != LABEL_NOT_FOUND)
		return LABEL_FAILED;
	if ((rr == LABEL_OK) != p->recovery ||
	    (p->recovery && sodium_memcmp(rpk, p->rpk, sizeof rpk) != 0))
		return LABEL_STALE;
	if (version == 0) {
		uint32_t cur = 0;
		uint8_t cur_pk[32];
		enum label_result c = label_current(s, name, &cur, cur_pk);
		if (c == LABEL_NOT_FOUND)
			cur = 0;
		else if (c != LABEL_OK)
			return LABEL_FAILED;
		if (cur == UINT32_MAX)
			return LABEL_FAILED;
		version = cur + 1;
	}
	enum label_result rc =
	        from_store(store_label_add(s, name, version, p->pk, p->wraps, p->n + p->recovery));
	if (rc != LABEL_OK)
		return rc;
	if (out_version)
		*out_version = version;
	if (out_pk)
		memcpy(out_pk, p->pk, 32);
	return LABEL_OK;
}

enum label_result label_add_version(struct store *s, const char *name, uint32_t version,
                                    const struct age_identity *identity, const store_id *ids,
                                    const uint8_t (*pks)[32], size_t n, uint32_t *out_version,
                                    uint8_t out_pk[32])
{
	struct label_prepared *p = NULL;
	if (name == NULL)
		return LABEL_FAILED;
	enum label_result rc = label_prepare(s, identity, ids, pks, n, &p);
	if (rc == LABEL_OK)
		rc = label_add_prepared(s, name, version, p, out_version, out_pk);
	label_prepared_free(&p);
	return rc;
}

enum label_result label_wraps(struct store *s, store_id officer,
                              int (*fn)(void *ctx, const char *name, uint32_t version,
                                        const uint8_t *wrap, size_t n),
                              void *ctx)
{
	if (!store_has_domains(s))
		return LABEL_FAILED;
	enum store_result r = store_label_wraps(s, officer, fn, ctx);
	return r == STORE_STOP ? LABEL_OK : from_store(r);
}

enum label_result label_revoke(struct store *s, const char *name, store_id officer)
{
	if (!store_has_domains(s))
		return LABEL_FAILED;
	return from_store(store_label_revoke(s, name, officer));
}
