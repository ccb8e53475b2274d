/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_age_armor: the streaming ASCII armor decoder on arbitrary bytes, fed
 * in pieces of varying size. Anything it accepts must re-encode to an armor
 * it accepts again with the same content.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/age/age_internal.h"
#include "lib/buf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum age_err collect(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? AGE_OK : AGE_ERR_NOMEM;
}

static enum age_err decode(const uint8_t *p, size_t n, size_t step, struct buf *out)
{
	struct age_armor_dec *a = NULL;
	enum age_err rc = age_armor_dec_new(collect, out, &a);
	for (size_t off = 0; rc == AGE_OK && off < n; off += step) {
		size_t take = n - off < step ? n - off : step;
		rc = age_armor_dec_update(a, p + off, take);
	}
	if (rc == AGE_OK)
		rc = age_armor_dec_finish(a);
	age_armor_dec_free(&a);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf one, two, enc, again;
	buf_init(&one, 1 << 20);
	buf_init(&two, 1 << 20);
	buf_init(&enc, 2 << 20);
	buf_init(&again, 1 << 20);
	enum age_err r1 = decode(data, size, size ? size : 1, &one);
	enum age_err r2 = decode(data, size, 1 + (size % 7), &two);
	if (r1 != r2 || (r1 == AGE_OK && (one.len != two.len ||
	                                  (one.len && memcmp(one.data, two.data, one.len) != 0))))
		__builtin_trap(); /* the result must not depend on how input is cut */
	if (r1 == AGE_OK) {
		struct age_armor_enc *e = NULL;
		if (age_armor_enc_new(collect, &enc, &e) != AGE_OK ||
		    age_armor_enc_update(e, one.data, one.len) != AGE_OK ||
		    age_armor_enc_finish(e) != AGE_OK)
			__builtin_trap();
		age_armor_enc_free(&e);
		if (decode(enc.data, enc.len, 1000, &again) != AGE_OK || again.len != one.len ||
		    (one.len && memcmp(again.data, one.data, one.len) != 0))
			__builtin_trap();
	}
	buf_release(&one);
	buf_release(&two);
	buf_release(&enc);
	buf_release(&again);
	return 0;
}
