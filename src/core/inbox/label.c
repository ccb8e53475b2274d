/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * label: a source's label (the desk's note on a source), sealed like every
 * other content: an age file to the intake label's current version, kept in
 * the store as its base64 text (store_desk.h keeps it opaque), opened with
 * the reader's intake label keys for an officer who may see the source.
 *
 * Its blind index, kept beside it, lets the store find the sources of a label
 * without seeing it (docs/internals/crypto.md, "The label's blind index"):
 * HMAC-SHA-256 of the normalised label under a key derived from an intake
 * label version's secret key, so only those who hold that version can make
 * (or test) an index, and the store, which holds no label key, cannot.
 */
#include <string.h>

#include <sodium.h>

#include "core/inbox/inbox_internal.h"
#include "core/keys/label.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define AGE_MAGIC "age-encryption.org/v1\n"
#define SEALED_MAX ((STORE_DESK_LABEL_MAX / 4) * 3) /* binary age file of a label */

int inbox_label_check(const char *label)
{
	size_t n = strnlen(label, INBOX_LABEL_MAX + 1);
	if (n > INBOX_LABEL_MAX || utf8_count((const uint8_t *)label, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
			return -1;
	return 0;
}

enum inbox_result inbox_label_seal(struct store *s, const char *label,
                                   char out[static STORE_DESK_LABEL_MAX + 1])
{
	uint32_t version;
	uint8_t pk[32];
	struct age_recipient *r = NULL;
	struct buf sealed;
	enum inbox_result rc = INBOX_FAILED;
	out[0] = '\0';
	if (label[0] == '\0')
		return INBOX_OK; /* cleared: nothing to seal */
	enum label_result lr = label_current(s, LABEL_INTAKE, &version, pk);
	if (lr != LABEL_OK)
		return lr == LABEL_NOT_FOUND ? INBOX_BAD_INPUT : INBOX_FAILED;
	buf_init(&sealed, SEALED_MAX);
	const struct age_recipient *rs[1];
	if (age_recipient_from_x25519(pk, &r) != AGE_OK)
		goto out;
	rs[0] = r;
	if (age_encrypt_buf(rs, 1, (const uint8_t *)label, strlen(label), &sealed) != AGE_OK ||
	    sodium_base64_ENCODED_LEN(sealed.len, sodium_base64_VARIANT_ORIGINAL) >
	            STORE_DESK_LABEL_MAX + 1)
		goto out;
	sodium_bin2base64(out, STORE_DESK_LABEL_MAX + 1, sealed.data, sealed.len,
	                  sodium_base64_VARIANT_ORIGINAL);
	rc = INBOX_OK;
out:
	age_recipient_free(&r);
	buf_release(&sealed);
	return rc;
}

void inbox_label_open(struct inbox *ib, const struct officer_key *who,
                      char label[static STORE_DESK_LABEL_MAX + 1])
{
	uint8_t bin[SEALED_MAX];
	size_t n = 0;
	size_t len = strnlen(label, STORE_DESK_LABEL_MAX + 1);
	if (len == 0 ||
	    sodium_base642bin(bin, sizeof bin, label, len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n < sizeof AGE_MAGIC - 1 || memcmp(bin, AGE_MAGIC, sizeof AGE_MAGIC - 1) != 0)
		return; /* empty, or a label kept before labels were sealed: as it is */
	/* the keys of the intake label's layer: those of a submission sealed to it alone */
	struct store_submission intake_only = {.seal_version = 0};
	struct unseal_keys keys;
	struct buf plain;
	buf_init(&plain, INBOX_LABEL_MAX);
	registry_submission_keys(ib->reg, who, &intake_only, &keys);
	bool opened = age_decrypt_buf(keys.ids, keys.n, bin, n, &plain) == AGE_OK &&
	              plain.len <= INBOX_LABEL_MAX;
	unseal_keys_release(&keys);
	if (opened)
		memcpy(label, plain.data != NULL ? (const char *)plain.data : "", plain.len);
	label[opened ? plain.len : 0] = '\0'; /* one who cannot open it sees none */
	buf_wipe_release(&plain);
	sodium_memzero(bin, sizeof bin);
}

/* ---- the blind index ---- */

#define INDEX_CONTEXT "cutout desk label index v1"
#define IDENTITY_TEXT_MAX 128 /* "AGE-SECRET-KEY-1" and the bech32 of 32 bytes */

size_t inbox_label_normalise(const char *label, char out[static INBOX_LABEL_MAX + 1])
{
	size_t n = 0;
	bool space = false;
	for (size_t i = 0; label[i] != '\0' && i < INBOX_LABEL_MAX; i++) {
		unsigned char c = (unsigned char)label[i];
		if (c == ' ') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[n] = '\0';
	return n;
}

/* The index of the normalised label under the intake identity id: 0, or -1. */
static int index_under(const struct age_identity *id, const char *norm, size_t n,
                       uint8_t out[static STORE_DESK_INDEX_LEN])
{
	char *text = sodium_malloc(IDENTITY_TEXT_MAX);
	uint8_t seed[crypto_auth_hmacsha256_KEYBYTES], key[crypto_auth_hmacsha256_BYTES];
	int rc = -1;
	if (text == NULL)
		return -1;
	if (age_identity_format(id, text, IDENTITY_TEXT_MAX) == AGE_OK &&
	    crypto_generichash(seed, sizeof seed, (const uint8_t *)text,
	                       strnlen(text, IDENTITY_TEXT_MAX), NULL, 0) == 0 &&
	    crypto_auth_hmacsha256(key, (const uint8_t *)INDEX_CONTEXT, sizeof INDEX_CONTEXT - 1,
	                           seed) == 0 &&
	    crypto_auth_hmacsha256(out, (const uint8_t *)norm, n, key) == 0)
		rc = 0;
	sodium_free(text);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(key, sizeof key);
	return rc;
}

int inbox_label_index_current(struct inbox *ib, const struct officer_key *who, const char *label,
                              uint8_t out[static STORE_DESK_INDEX_LEN])
{
	uint32_t version;
	uint8_t pk[32];
	char norm[INBOX_LABEL_MAX + 1];
	if (label_current(ib->s, LABEL_INTAKE, &version, pk) != LABEL_OK)
		return -1;
	const struct age_identity *id = officer_key_label(who, LABEL_INTAKE, version);
	size_t n = inbox_label_normalise(label, norm);
	int rc = id != NULL && n > 0 ? index_under(id, norm, n, out) : -1;
	sodium_memzero(norm, sizeof norm);
	return rc;
}

size_t inbox_label_indexes(const struct officer_key *who, const char *label,
                           uint8_t out[][STORE_DESK_INDEX_LEN], size_t max)
{
	const struct age_identity *const *ids;
	char norm[INBOX_LABEL_MAX + 1], name[LABEL_NAME_MAX + 1];
	size_t n = inbox_label_normalise(label, norm), k = 0;
	size_t nids = officer_key_identities(who, &ids);
	uint32_t version;
	/* the newest versions first: they index the labels set most recently */
	for (size_t i = nids; i > 1 && k < max && n > 0; i--)
		if (officer_key_label_at(who, i - 1, name, &version) == 0 &&
		    strcmp(name, LABEL_INTAKE) == 0 &&
		    index_under(ids[i - 1], norm, n, out[k]) == 0)
			k++;
	sodium_memzero(norm, sizeof norm);
	return k;
}
