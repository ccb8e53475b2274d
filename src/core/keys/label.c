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
	default:
		return LABEL_FAILED;
	}
}

enum label_result label_current(struct store *s, const char *name, uint32_t *version,
                                uint8_t pk[static 32])
{
	if (s == NULL || s->be->officer == NULL || name == NULL)
		return LABEL_FAILED;
	return from_store(s->be->officer->label_current(s, name, version, pk));
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
	struct store_label_wrap w = {.officer = officer, .wrap = wrap, .len = n};
	return from_store(s->be->officer->label_wrap_put(s, name, version, &w));
}

enum label_result label_recovery_pk(struct store *s, uint8_t pk[static 32])
{
	size_t n = 0;
	if (s == NULL)
		return LABEL_FAILED;
	enum store_result r = s->be->meta_get(s, LABEL_META_RECOVERY, pk, 32, &n);
	if (r == STORE_NOT_FOUND || (r == STORE_OK && n == 0))
		return LABEL_NOT_FOUND;
	if (r != STORE_OK || n != 32)
		return LABEL_FAILED;
	return LABEL_OK;
}

enum label_result label_recovery_set(struct store *s, const uint8_t pk[32])
{
	if (s == NULL || s->be->officer == NULL)
		return LABEL_FAILED;
	if (pk == NULL) {
		/* the key first: no new wrap is made for it from now on */
		if (s->be->meta_set(s, LABEL_META_RECOVERY, NULL, 0) != STORE_OK)
			return LABEL_FAILED;
		return from_store(s->be->officer->label_revoke(s, NULL, STORE_RECOVERY_OFFICER));
	}
	/* a new key: the wraps to the old one go (they are the old key's) */
	if (s->be->officer->label_revoke(s, NULL, STORE_RECOVERY_OFFICER) != STORE_OK)
		return LABEL_FAILED;
	return from_store(s->be->meta_set(s, LABEL_META_RECOVERY, pk, 32));
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

enum label_result label_add_version(struct store *s, const char *name, uint32_t version,
                                    const struct age_identity *identity, const store_id *ids,
                                    const uint8_t (*pks)[32], size_t n, uint32_t *out_version,
                                    uint8_t out_pk[32])
{
	enum label_result rc = LABEL_FAILED;
	struct age_identity *fresh = NULL;
	struct age_recipient *rcpt = NULL;
	struct store_label_wrap *wraps = NULL;
	uint8_t *bytes = NULL;
	uint8_t pk[32];

	if (s == NULL || s->be->officer == NULL || name == NULL || n > SIZE_MAX / LABEL_WRAP_MAX ||
	    n > 100000)
		goto out;
	if (identity == NULL) {
		if (age_identity_generate(&fresh) != AGE_OK)
			goto out;
		identity = fresh;
	}
	if (age_identity_recipient(identity, &rcpt) != AGE_OK ||
	    age_recipient_x25519(rcpt, pk) != AGE_OK)
		goto out;
	if (version == 0) {
		uint32_t cur = 0;
		uint8_t cur_pk[32];
		enum label_result c = label_current(s, name, &cur, cur_pk);
		if (c == LABEL_NOT_FOUND)
			cur = 0;
		else if (c != LABEL_OK)
			goto out;
		if (cur == UINT32_MAX)
			goto out;
		version = cur + 1;
	}
	/* the offline recovery key, if the operator configured one: one more wrap */
	uint8_t rpk[32];
	enum label_result rr = label_recovery_pk(s, rpk);
	if (rr != LABEL_OK && rr != LABEL_NOT_FOUND)
		goto out;
	size_t total = n + (rr == LABEL_OK);
	if (total > 0) {
		wraps = calloc(total, sizeof *wraps);
		bytes = malloc(total * LABEL_WRAP_MAX);
		if (wraps == NULL || bytes == NULL)
			goto out;
	}
	for (size_t i = 0; i < total; i++) {
		size_t len = 0;
		bool rec = i == n;
		if ((rc = label_seal(identity, rec ? rpk : pks[i], bytes + i * LABEL_WRAP_MAX,
		                     LABEL_WRAP_MAX, &len)) != LABEL_OK)
			goto out;
		wraps[i] =
		        (struct store_label_wrap){.officer = rec ? STORE_RECOVERY_OFFICER : ids[i],
		                                  .wrap = bytes + i * LABEL_WRAP_MAX,
		                                  .len = len};
	}
	rc = from_store(s->be->officer->label_add(s, name, version, pk, wraps, total));
	if (rc != LABEL_OK)
		goto out;
	if (out_version)
		*out_version = version;
	if (out_pk)
		memcpy(out_pk, pk, 32);
out:
	free(wraps);
	free(bytes);
	age_recipient_free(&rcpt);
	age_identity_free(&fresh);
	return rc;
}

enum label_result label_wraps(struct store *s, store_id officer,
                              int (*fn)(void *ctx, const char *name, uint32_t version,
                                        const uint8_t *wrap, size_t n),
                              void *ctx)
{
	if (s == NULL || s->be->officer == NULL)
		return LABEL_FAILED;
	enum store_result r = s->be->officer->label_wraps(s, officer, fn, ctx);
	return r == STORE_STOP ? LABEL_OK : from_store(r);
}

enum label_result label_revoke(struct store *s, const char *name, store_id officer)
{
	if (s == NULL || s->be->officer == NULL)
		return LABEL_FAILED;
	return from_store(s->be->officer->label_revoke(s, name, officer));
}
