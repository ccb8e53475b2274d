/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/keys/seal: objects sealed in two layers (on two threads past 1 MiB),
 * in one, and into memory, open to the same bytes with both keys, and with
 * nothing else; fed in pieces of any size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/keys/seal.h"
#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "t.h"

static struct store *s;

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

/* Decrypts p with id into out. */
static int open_layer(const struct age_identity *id, const uint8_t *p, size_t n, struct buf *out)
{
	const struct age_identity *ids[1] = {id};
	struct age_decryptor *d = NULL;
	buf_reset(out);
	if (age_decrypt_begin(ids, 1, to_buf, out, &d) != AGE_OK)
		return -1;
	int ok = age_decrypt_update(d, p, n) == AGE_OK && age_decrypt_finish(d) == AGE_OK;
	age_decryptor_free(&d);
	return ok ? 0 : -1;
}

static int read_blob(store_id blob, struct buf *out)
{
	buf_reset(out);
	return store_blob_read(s, blob, to_buf, out) == STORE_OK ? 0 : -1;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char dir[] = "/tmp/cutout-test-seal-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char path[256];
	snprintf(path, sizeof path, "%s/store.db", dir);
	T_CHECK(store_open(path, &s) == STORE_OK);
	struct age_identity *in_id = NULL, *out_id = NULL, *other = NULL;
	struct age_recipient *in_r = NULL, *out_r = NULL;
	T_CHECK(age_identity_generate(&in_id) == AGE_OK &&
	        age_identity_recipient(in_id, &in_r) == AGE_OK);
	T_CHECK(age_identity_generate(&out_id) == AGE_OK &&
	        age_identity_recipient(out_id, &out_r) == AGE_OK);
	T_CHECK(age_identity_generate(&other) == AGE_OK);

	size_t max = 5 * 1024 * 1024 + 333;
	uint8_t *plain = malloc(max);
	T_CHECK(plain != NULL);
	randombytes_buf(plain, max);
	struct buf stored, mid, back;
	buf_init(&stored, 16 * 1024 * 1024);
	buf_init(&mid, 16 * 1024 * 1024);
	buf_init(&back, 16 * 1024 * 1024);

	/* sizes around the two-thread threshold (1 MiB of inner output) and a large one */
	const size_t sizes[] = {0, 1, 1024 * 1024 - 100, 1024 * 1024 + 100, max};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		struct sealer *x = NULL;
		store_id blob = 0;
		int ok = seal_begin(s, in_r, out_r, &x) == SEAL_OK;
		/* pieces of uneven sizes, as an upload arrives */
		for (size_t off = 0, step = 1; ok && off < n;
		     off += step, step = step * 7 % 100003 + 1)
			ok = seal_update(x, plain + off, step < n - off ? step : n - off) ==
			     SEAL_OK;
		ok = ok && seal_finish(x, &blob) == SEAL_OK;
		seal_free(&x);
		T_OK(ok && blob > 0, "%zu bytes sealed in two layers", n);
		T_OK(read_blob(blob, &stored) == 0 &&
		             open_layer(out_id, stored.data, stored.len, &mid) == 0 &&
		             open_layer(in_id, mid.data, mid.len, &back) == 0 && back.len == n &&
		             (n == 0 || memcmp(back.data, plain, n) == 0),
		     "%zu bytes: the marking key then the intake key give them back", n);
		T_OK(open_layer(in_id, stored.data, stored.len, &back) != 0 &&
		             open_layer(other, stored.data, stored.len, &back) != 0,
		     "%zu bytes: the intake key alone, or another key, opens nothing", n);
		T_CHECK(store_blob_delete(s, blob) == STORE_OK);
	}

	/* one layer */
	store_id blob = 0;
	enum store_result serr;
	T_CHECK(seal_buf(s, in_r, NULL, plain, 3 * 1024 * 1024, &blob, &serr) == SEAL_OK);
	T_OK(read_blob(blob, &stored) == 0 &&
	             open_layer(in_id, stored.data, stored.len, &back) == 0 &&
	             back.len == 3 * 1024 * 1024 && memcmp(back.data, plain, back.len) == 0,
	     "3 MiB in one layer opens with the intake key");

	/* into memory */
	struct buf mem;
	buf_init(&mem, STORE_CHUNK_MAX);
	T_CHECK(seal_to_buf(in_r, out_r, plain, 1000, &mem) == SEAL_OK);
	T_OK(open_layer(out_id, mem.data, mem.len, &mid) == 0 &&
	             open_layer(in_id, mid.data, mid.len, &back) == 0 && back.len == 1000 &&
	             memcmp(back.data, plain, 1000) == 0,
	     "seal_to_buf: a small object in two layers, in memory");
	T_OK(seal_to_buf(in_r, out_r, plain, STORE_CHUNK_MAX, &mem) == SEAL_TOO_LARGE,
	     "seal_to_buf: an object that does not fit one chunk is refused");

	buf_release(&mem);
	buf_release(&stored);
	buf_release(&mid);
	buf_release(&back);
	free(plain);
	age_recipient_free(&in_r);
	age_recipient_free(&out_r);
	age_identity_free(&in_id);
	age_identity_free(&out_id);
	age_identity_free(&other);
	store_close(&s);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
