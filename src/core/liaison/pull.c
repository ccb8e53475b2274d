/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pull: a partner fetches its next bundle (liaison.h, "pull"): the signed
 * request header parsed and checked, then the same export as a push.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/liaison_internal.h"
#include "lib/day.h"

#include "lib/banned.h"

int liaison_pull_auth_parse(const char *h, size_t n, char key[static LEDGER_ORIGIN_MAX + 1],
                            int32_t *day, uint8_t sig[static 64])
{
	/* "KEYNAME DAY BASE64SIG": exactly two spaces, no other whitespace */
	const char *sp1 = memchr(h, ' ', n);
	if (sp1 == NULL || sp1 == h || (size_t)(sp1 - h) > LEDGER_ORIGIN_MAX)
		return -1;
	size_t kl = (size_t)(sp1 - h), rest = n - kl - 1;
	const char *d = sp1 + 1, *sp2 = memchr(d, ' ', rest);
	if (sp2 == NULL || (size_t)(sp2 - d) != 10) /* YYYY-MM-DD */
		return -1;
	const char *b64 = sp2 + 1;
	size_t bl = n - (size_t)(b64 - h), got = 0;
	for (size_t i = 0; i < kl; i++)
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f || h[i] == '+')
			return -1;
	char ds[DAY_STRLEN];
	memcpy(ds, d, 10);
	ds[10] = '\0';
	if (bl != 88 || day_parse(ds, day) != 0)
		return -1;
	if (ledger_b64_strict(b64, bl, sig, 64, &got) != 0 || got != 64)
		return -1;
	memcpy(key, h, kl);
	key[kl] = '\0';
	return 0;
}

int liaison_pull_message(const char *method, const char *path, int32_t day, char *out, size_t cap)
{
	char ds[DAY_STRLEN];
	day_format(day, ds);
	int k = snprintf(out, cap, "%s %s %s", method, path, ds);
	return k < 0 || (size_t)k >= cap ? -1 : 0;
}

int liaison_pull_sign(const char *key, const uint8_t sk[static 64], const char *method,
                      const char *path, int32_t day, char *out, size_t cap)
{
	char msg[LIAISON_MSG_MAX], ds[DAY_STRLEN],
	        b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	uint8_t sig[64];
	if (liaison_pull_message(method, path, day, msg, sizeof msg) != 0)
		return -1;
	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, strlen(msg), sk);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	day_format(day, ds);
	int k = snprintf(out, cap, "%s %s %s", key, ds, b64);
	return k < 0 || (size_t)k >= cap ? -1 : 0;
}

enum liaison_result liaison_pull(struct registry *r, const struct officer_key *as,
                                 const struct liaison_self *self, const char *header, int32_t today,
                                 int64_t since, struct buf *out, struct liaison_summary *sum,
                                 struct liaison_error *err)
{
	struct liaison_error local;
	char key[LEDGER_ORIGIN_MAX + 1], msg[LIAISON_MSG_MAX];
	int32_t day;
	uint8_t sig[64], pk[32];
	struct store_partner pt;
	if (err == NULL)
		err = &local;
	err->msg[0] = '\0';
	if (header == NULL ||
	    liaison_pull_auth_parse(header, strlen(header), key, &day, sig) != 0) {
		li_say(err, "no valid Cutout-Signature header (KEYNAME DAY BASE64SIG)");
		return LIAISON_BAD_INPUT;
	}
	if (today == 0)
		today = store_today();
	if (day < today - 1 || day > today + 1) {
		li_say(err, "the signature's day is not today (UTC, one day either way)");
		return LIAISON_REFUSED;
	}
	enum liaison_result rc = li_partner_by_key(registry_store(r), key, &pt, pk);
	if (rc == LIAISON_FAILED)
		return rc;
	if (rc != LIAISON_OK || pt.disabled) {
		li_say(err, "%.64s: no partner has that key", key);
		return LIAISON_REFUSED;
	}
	if (liaison_pull_message("GET", "/v1/bundle", day, msg, sizeof msg) != 0 ||
	    crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg), pk) != 0) {
		li_say(err, "%.64s: the signature does not verify with its key", key);
		return LIAISON_REFUSED;
	}
	return li_export(r, as, self, pt.name, since, true, out, sum, NULL, NULL, err);
}

enum liaison_result liaison_refusals_record(struct store *s, uint64_t count, unsigned seconds)
{
	char detail[96];
	if (count == 0)
		return LIAISON_OK;
	snprintf(detail, sizeof detail, "%llu requests refused by the liaison door in %u s",
	         (unsigned long long)count, seconds);
	return li_log(s, LEDGER_LIAISON_REFUSALS, "system", "", 0, NULL, detail) == STORE_OK
	               ? LIAISON_OK
	               : LIAISON_FAILED;
}
