/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_liaison: the liaison bundle's envelope and content parsers (each
 * content accepted must write back to the same bytes), the receipt parser
 * (each receipt accepted must write back to the same bytes before its
 * signature line), the partner card parser (v1 and v2), the liaison key
 * file parser (liaison_key_open) and the pull's Cutout-Signature
 * header parser (each header accepted must write back to the same bytes)
 * (core/liaison).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "lib/buf.h"
#include "lib/day.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_item(void *ctx, const struct bundle_item *it)
{
	return bundle_content_item(it->id, it->topics, it->marking, it->text, it->len, ctx) != 0;
}

static int on_withheld(void *ctx, int64_t id, const char *reason)
{
	return bundle_content_withheld(id, reason, ctx) != 0;
}

struct count {
	size_t items, withheld;
};

static int count_item(void *ctx, const struct bundle_item *it)
{
	(void)it;
	((struct count *)ctx)->items++;
	return 0;
}

static int count_withheld(void *ctx, int64_t id, const char *reason)
{
	(void)id;
	(void)reason;
	((struct count *)ctx)->withheld++;
	return 0;
}

static int on_receipt_item(void *ctx, int64_t id, const char *reason)
{
	return bundle_receipt_item(id, reason, ctx) != 0;
}

static int null_item(void *ctx, int64_t id, const char *reason)
{
	(void)ctx;
	(void)id;
	(void)reason;
	return 0;
}

/* A receipt accepted writes back, item by item, to the same bytes before its signature. */
static void receipt_round_trip(const uint8_t *data, size_t size)
{
	struct bundle_receipt rc;
	char msg[128];
	if (bundle_receipt_parse(data, size, &rc, null_item, NULL, msg) != 0)
		return;
	if (rc.signed_len > size || rc.sig_len != size - rc.signed_len)
		abort();
	struct buf b;
	buf_init(&b, size + 64);
	if (bundle_receipt_begin(&rc.head, &b) != 0 ||
	    bundle_receipt_parse(data, size, &rc, on_receipt_item, &b, msg) != 0 ||
	    buf_printf(&b, "end %zu %zu\n", rc.accepted, rc.refused) != BUF_OK ||
	    b.len != rc.signed_len || memcmp(b.data, data, b.len) != 0)
		abort();
	buf_release(&b);
}

/* A Cutout-Signature header accepted writes back to the same bytes. */
static void pull_header_round_trip(const uint8_t *data, size_t size)
{
	char key[LEDGER_ORIGIN_MAX + 1], ds[DAY_STRLEN], out[512];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	int32_t day;
	uint8_t sig[64];
	if (liaison_pull_auth_parse((const char *)data, size, key, &day, sig) != 0)
		return;
	day_format(day, ds);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(out, sizeof out, "%s %s %s", key, ds, b64);
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_envelope e;
	struct bundle_head h;
	struct liaison_card card;
	struct count n = {0};
	char msg[128];
	if (sodium_init() < 0)
		abort();
	(void)bundle_envelope_parse(data, size, &e, msg);
	if (bundle_content_parse(data, size, &h, count_item, count_withheld, &n, msg) == 0) {
		struct buf b;
		buf_init(&b, size + 1);
		/* written back item by item, it is the same content */
		if (bundle_content_begin(&h, &b) != 0 ||
		    bundle_content_parse(data, size, &h, on_item, on_withheld, &b, msg) != 0 ||
		    bundle_content_end(n.items, n.withheld, &b) != 0 || b.len != size ||
		    memcmp(b.data, data, size) != 0)
			abort();
		buf_release(&b);
	}
	receipt_round_trip(data, size);
	(void)liaison_card_open(data, size, &card, NULL); /* v1 and v2 cards */
	struct age_identity *lid = NULL;
	uint8_t lsk[64];
	if (liaison_key_open(data, size, &lid, lsk) == LIAISON_OK)
		age_identity_free(&lid);
	sodium_memzero(lsk, sizeof lsk);
	pull_header_round_trip(data, size);
	return 0;
}
