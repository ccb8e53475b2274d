/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * label: a source's label (the desk's note on a source), sealed like every
 * other content: an age file to the intake label's current version, kept in
 * the store as its base64 text (store_desk.h keeps it opaque), opened with
 * the reader's intake label keys for an officer who may see the source.
 */
#include <string.h>

#include <sodium.h>

#include "core/inbox/inbox_internal.h"
#include "core/keys/label.h"
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
