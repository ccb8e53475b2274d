/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_age: round trips and failure modes of the age library, Bech32 and
 * the strict base64 it relies on. The CCTV vectors are in test_age_vectors.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/age/age.h"
#include "lib/age/age_internal.h"
#include "lib/age/bech32.h"
#include "lib/buf.h"
#include "t.h"
#include "lib/banned.h"

#define CAP (8u << 20)

static int buf_w(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

static int fail_w(void *ctx, const uint8_t *p, size_t n)
{
	return -1;
}

static enum age_err encrypt(const struct age_recipient *const *r, size_t nr, int armor,
                            const uint8_t *p, size_t n, struct buf *out)
{
	struct age_encryptor *e = NULL;
	enum age_err rc = age_encrypt_begin(r, nr, armor, buf_w, out, &e);
	/* Irregular pieces. */
	size_t off = 0, k = 0;
	static const size_t sizes[] = {1, 65535, 7, 65536, 100000, 3};
	while (rc == AGE_OK && off < n) {
		size_t take = sizes[k++ % 6];
		if (take > n - off)
			take = n - off;
		rc = age_encrypt_update(e, p + off, take);
		off += take;
	}
	if (rc == AGE_OK)
		rc = age_encrypt_finish(e);
	age_encryptor_free(&e);
	return rc;
}

static enum age_err decrypt(const struct age_identity *const *ids, size_t nids, const uint8_t *p,
                            size_t n, struct buf *out)
{
	struct age_decryptor *d = NULL;
	enum age_err rc = age_decrypt_begin(ids, nids, buf_w, out, &d);
	size_t off = 0, k = 0;
	static const size_t sizes[] = {5, 4093, 70001, 1, 65552};
	while (rc == AGE_OK && off < n) {
		size_t take = sizes[k++ % 5];
		if (take > n - off)
			take = n - off;
		rc = age_decrypt_update(d, p + off, take);
		off += take;
	}
	if (rc == AGE_OK)
		rc = age_decrypt_finish(d);
	age_decryptor_free(&d);
	return rc;
}

/* decrypt() into a buffer of its own, released: only the result counts. */
static enum age_err decrypt_dropped(const struct age_identity *id, const uint8_t *p, size_t n)
{
	struct buf out;
	buf_init(&out, CAP);
	enum age_err rc = decrypt((const struct age_identity *const[]){id}, 1, p, n, &out);
	buf_release(&out);
	return rc;
}

static size_t header_len(const struct buf *b)
{
	size_t scan = 0;
	return age_header_find_end(b->data, b->len, &scan);
}

static void test_base64(void)
{
	uint8_t out[8];
	size_t n = 0;
	T_OK(age_b64_decode("AA", 2, 0, out, sizeof out, &n) == 0 && n == 1, "b64: AA decodes");
	T_OK(age_b64_decode("AB", 2, 0, out, sizeof out, &n) != 0,
	     "b64: non-zero trailing bits rejected (libsodium is strict)");
	T_OK(age_b64_decode("AA==", 4, 0, out, sizeof out, &n) != 0, "b64: padding rejected");
	T_OK(age_b64_decode("AA==", 4, 1, out, sizeof out, &n) == 0 && n == 1,
	     "b64: padded variant accepts AA==");
	T_OK(age_b64_decode("AA=", 3, 1, out, sizeof out, &n) != 0, "b64: short padding rejected");
	T_OK(age_b64_decode("A", 1, 0, out, sizeof out, &n) != 0, "b64: one char rejected");
	T_OK(age_b64_decode("AA\n", 3, 0, out, sizeof out, &n) != 0, "b64: newline rejected");
}

static void test_bech32(void)
{
	char s[128], hrp[16];
	uint8_t data[40], back[40];
	size_t n = 0;
	for (int i = 0; i < 32; i++)
		data[i] = (uint8_t)(i * 37 + 1);
	T_CHECK(bech32_encode("age", data, 32, 0, s, sizeof s) == BECH32_OK);
	T_OK(strlen(s) == AGE_RECIPIENT_STRLEN, "bech32: age recipient is %zu chars", strlen(s));
	T_OK(bech32_decode(s, hrp, sizeof hrp, back, sizeof back, &n) == BECH32_OK && n == 32 &&
	             memcmp(back, data, 32) == 0 && strcmp(hrp, "age") == 0,
	     "bech32: round trip");
	/* BIP 173 test vectors. */
	T_CHECK(bech32_decode("A12UEL5L", hrp, sizeof hrp, back, sizeof back, &n) == BECH32_OK &&
	        n == 0 && strcmp(hrp, "A") == 0);
	T_CHECK(bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", hrp, sizeof hrp,
	                      back, sizeof back, &n) == BECH32_OK);
	T_CHECK(bech32_decode("A1G7SGD8", hrp, sizeof hrp, back, sizeof back, &n) != BECH32_OK);
	char bad[128];
	memcpy(bad, s, strlen(s) + 1);
	bad[10] = bad[10] == 'q' ? 'p' : 'q';
	T_OK(bech32_decode(bad, hrp, sizeof hrp, back, sizeof back, &n) == BECH32_BAD,
	     "bech32: bad checksum rejected");
	memcpy(bad, s, strlen(s) + 1);
	for (size_t i = 5; bad[i]; i++)
		if (bad[i] >= 'a' && bad[i] <= 'z') {
			bad[i] = (char)(bad[i] - 32);
			break;
		}
	T_OK(bech32_decode(bad, hrp, sizeof hrp, back, sizeof back, &n) == BECH32_BAD,
	     "bech32: mixed case rejected");
	for (size_t i = 0; bad[i]; i++)
		if (bad[i] >= 'a' && bad[i] <= 'z')
			bad[i] = (char)(bad[i] - 32);
	T_OK(bech32_decode(bad, hrp, sizeof hrp, back, sizeof back, &n) == BECH32_OK &&
	             strcmp(hrp, "AGE") == 0,
	     "bech32: all upper case accepted, HRP case kept");
	struct age_recipient *r = NULL;
	T_OK(age_recipient_parse(bad, &r) == AGE_ERR_ARG && r == NULL,
	     "recipient: upper case refused");
}

static void test_keys(void)
{
	static const char *sk_str =
	        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
	struct age_identity *id = NULL;
	struct age_recipient *r = NULL, *r2 = NULL;
	char s[AGE_IDENTITY_STRLEN + 1], rs[AGE_RECIPIENT_STRLEN + 1];
	T_CHECK(age_identity_parse(sk_str, &id) == AGE_OK);
	T_OK(id && age_identity_format(id, s, sizeof s) == AGE_OK && strcmp(s, sk_str) == 0,
	     "identity: parse/format round trip");
	T_CHECK(age_identity_format(id, s, AGE_IDENTITY_STRLEN) == AGE_ERR_ARG);
	T_CHECK(id && age_identity_recipient(id, &r) == AGE_OK);
	T_OK(r && age_recipient_format(r, rs, sizeof rs) == AGE_OK && strncmp(rs, "age1", 4) == 0 &&
	             strlen(rs) == AGE_RECIPIENT_STRLEN,
	     "recipient: format %s", rs);
	T_OK(age_recipient_parse(rs, &r2) == AGE_OK, "recipient: parse its own format");
	uint8_t a[32], b[32];
	T_CHECK(r && r2 && age_recipient_x25519(r, a) == AGE_OK &&
	        age_recipient_x25519(r2, b) == AGE_OK && memcmp(a, b, 32) == 0);
	sodium_memzero(s, sizeof s);
	char lower[AGE_IDENTITY_STRLEN + 1];
	for (size_t i = 0; i <= AGE_IDENTITY_STRLEN; i++)
		lower[i] =
		        (char)((sk_str[i] >= 'A' && sk_str[i] <= 'Z') ? sk_str[i] + 32 : sk_str[i]);
	struct age_identity *id2 = NULL;
	T_OK(age_identity_parse(lower, &id2) == AGE_ERR_ARG, "identity: lower case refused");
	T_OK(age_identity_parse(rs, &id2) == AGE_ERR_ARG, "identity: a recipient is refused");
	age_recipient_free(&r);
	age_recipient_free(&r2);
	T_CHECK(r == NULL);
	age_recipient_free(&r); /* NULL is fine */
	age_identity_free(&id);
	T_CHECK(id == NULL);
}

static void round_trips(void)
{
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536};
	struct age_identity *ids[3] = {0};
	struct age_recipient *rs[3] = {0};
	for (int i = 0; i < 3; i++)
		if (age_identity_generate(&ids[i]) != AGE_OK ||
		    age_identity_recipient(ids[i], &rs[i]) != AGE_OK)
			T_OK(0, "keygen");
	uint8_t *pt = malloc(3 * 65536);
	randombytes_buf(pt, 3 * 65536);
	for (size_t si = 0; si < 6; si++) {
		for (int nr = 1; nr <= 3; nr += 2) {
			for (int armor = 0; armor <= 1; armor++) {
				size_t n = sizes[si];
				struct buf ct, back;
				buf_init(&ct, CAP);
				buf_init(&back, CAP);
				enum age_err rc = encrypt((const struct age_recipient *const *)rs,
				                          nr, armor, pt, n, &ct);
				/* The last identity alone opens it (the last stanza). */
				const struct age_identity *one = ids[nr - 1];
				enum age_err rc2 = decrypt(&one, 1, ct.data, ct.len, &back);
				int ok = rc == AGE_OK && rc2 == AGE_OK && back.len == n &&
				         (n == 0 || memcmp(back.data, pt, n) == 0);
				if (!armor) {
					/* Chunks: ceil(n / 64 KiB), at least one; full last chunk.
					 */
					size_t chunks = n == 0 ? 1 : (n + 65535) / 65536;
					ok = ok && ct.len == header_len(&ct) + 16 + n + 16 * chunks;
				} else {
					ok = ok && memcmp(ct.data, AGE_ARMOR_BEGIN "\n",
					                  sizeof AGE_ARMOR_BEGIN) == 0;
				}
				T_OK(ok, "round trip %zu bytes, %d recipients, armor %d (%s/%s)", n,
				     nr, armor, age_strerror(rc), age_strerror(rc2));
				buf_release(&ct);
				buf_release(&back);
			}
		}
	}

	/* Failure modes on a 3-chunk-and-a-bit file to ids[0] and ids[1]. */
	struct buf ct, back;
	buf_init(&ct, CAP);
	buf_init(&back, CAP);
	size_t n = 3 * 65536;
	T_CHECK(encrypt((const struct age_recipient *const *)rs, 2, 0, pt, n - 100, &ct) == AGE_OK);
	size_t hl = header_len(&ct);
	const struct age_identity *wrong = ids[2];
	T_CHECK(decrypt(&wrong, 1, ct.data, ct.len, &back) == AGE_ERR_NO_MATCH && back.len == 0);
	const struct age_identity *both[2] = {ids[2], ids[1]};
	buf_reset(&back);
	T_OK(decrypt(both, 2, ct.data, ct.len, &back) == AGE_OK && back.len == n - 100,
	     "second identity of two opens");

	/* Tampered header: the second stanza's share (ids[0] opens the first). */
	uint8_t *copy = malloc(ct.len);
	memcpy(copy, ct.data, ct.len);
	char *second = strstr(strstr((char *)copy, "-> X25519 ") + 1, "-> X25519 ");
	second[10] = second[10] == 'A' ? 'B' : 'A';
	const struct age_identity *first = ids[0];
	buf_reset(&back);
	T_OK(decrypt(&first, 1, copy, ct.len, &back) == AGE_ERR_HMAC && back.len == 0,
	     "tampered header -> HMAC failure");
	/* Tampered chunk 2: exactly chunk 1 released. */
	memcpy(copy, ct.data, ct.len);
	copy[hl + 16 + 65552 + 10] ^= 1;
	buf_reset(&back);
	T_OK(decrypt(&first, 1, copy, ct.len, &back) == AGE_ERR_PAYLOAD && back.len == 65536 &&
	             memcmp(back.data, pt, 65536) == 0,
	     "tampered second chunk -> payload failure, first chunk released (%zu)", back.len);
	/* Tampered tag of the last chunk. */
	memcpy(copy, ct.data, ct.len);
	copy[ct.len - 1] ^= 0x80;
	buf_reset(&back);
	T_OK(decrypt(&first, 1, copy, ct.len, &back) == AGE_ERR_PAYLOAD && back.len == 2 * 65536,
	     "tampered last tag -> payload failure, two chunks released");
	/* Truncations. */
	buf_reset(&back);
	T_CHECK(decrypt(&first, 1, ct.data, ct.len - 1, &back) == AGE_ERR_PAYLOAD);
	buf_reset(&back);
	T_OK(decrypt(&first, 1, ct.data, hl + 16 + 2 * 65552, &back) == AGE_ERR_PAYLOAD &&
	             back.len == 2 * 65536,
	     "truncated at a chunk boundary -> payload failure, whole chunks released");
	buf_reset(&back);
	T_CHECK(decrypt(&first, 1, ct.data, hl + 16, &back) == AGE_ERR_PAYLOAD && back.len == 0);
	buf_reset(&back);
	T_CHECK(decrypt(&first, 1, ct.data, hl + 10, &back) == AGE_ERR_HEADER);
	buf_reset(&back);
	T_CHECK(decrypt(&first, 1, ct.data, hl - 1, &back) == AGE_ERR_HEADER);
	/* Trailing data. */
	memcpy(copy, ct.data, ct.len);
	buf_reset(&back);
	struct buf longer;
	buf_init(&longer, CAP);
	T_CHECK(buf_append(&longer, ct.data, ct.len) == BUF_OK && buf_append_byte(&longer, 0) == 0);
	T_CHECK(decrypt(&first, 1, longer.data, longer.len, &back) == AGE_ERR_PAYLOAD);
	buf_release(&longer);

	/* age_add_recipient: ids[2] joins; old and new identities open; payload unchanged. */
	struct buf nh;
	size_t old_len = 0;
	buf_init(&nh, AGE_MAX_HEADER);
	T_CHECK(age_add_recipient(ct.data, ct.len, ids[0], rs[2], &nh, &old_len) == AGE_OK);
	T_CHECK(old_len == hl);
	struct buf grown;
	buf_init(&grown, CAP);
	T_CHECK(buf_append(&grown, nh.data, nh.len) == BUF_OK &&
	        buf_append(&grown, ct.data + old_len, ct.len - old_len) == BUF_OK);
	T_OK(grown.len - nh.len == ct.len - hl &&
	             memcmp(grown.data + nh.len, ct.data + hl, ct.len - hl) == 0,
	     "add_recipient: payload bytes identical");
	for (int i = 0; i < 3; i++) {
		const struct age_identity *x = ids[i];
		buf_reset(&back);
		T_OK(decrypt(&x, 1, grown.data, grown.len, &back) == AGE_OK &&
		             back.len == n - 100 && memcmp(back.data, pt, n - 100) == 0,
		     "add_recipient: identity %d opens the new file", i);
	}
	T_CHECK(age_add_recipient(ct.data, ct.len, ids[2], rs[2], &nh, &old_len) ==
	        AGE_ERR_NO_MATCH);
	T_CHECK(age_add_recipient(copy, 20, ids[0], rs[2], &nh, &old_len) == AGE_ERR_HEADER);
	buf_release(&grown);
	buf_release(&nh);

	/* A failing writer. */
	struct age_encryptor *e = NULL;
	T_CHECK(age_encrypt_begin((const struct age_recipient *const *)rs, 1, 0, fail_w, NULL,
	                          &e) == AGE_ERR_IO &&
	        e == NULL);

	/* Whole-buffer and fd helpers. */
	struct buf small, sback;
	buf_init(&small, 1024);
	buf_init(&sback, 1024);
	T_CHECK(age_encrypt_buf((const struct age_recipient *const *)rs, 1,
	                        (const uint8_t *)"hello", 5, &small) == AGE_OK);
	T_OK(age_decrypt_buf(&first, 1, small.data, small.len, &sback) == AGE_OK &&
	             sback.len == 5 && memcmp(sback.data, "hello", 5) == 0,
	     "encrypt_buf/decrypt_buf");
	struct buf tiny;
	buf_init(&tiny, 100);
	T_CHECK(age_encrypt_buf((const struct age_recipient *const *)rs, 1,
	                        (const uint8_t *)"hello", 5, &tiny) == AGE_ERR_IO);
	buf_release(&tiny);
	buf_release(&small);
	buf_release(&sback);

	FILE *in = tmpfile(), *mid = tmpfile(), *out = tmpfile();
	if (in && mid && out && fwrite(pt, 1, 190000, in) == 190000 && fflush(in) == 0) {
		rewind(in);
		T_CHECK(age_encrypt_fd((const struct age_recipient *const *)rs, 1, 1, fileno(in),
		                       fileno(mid)) == AGE_OK);
		rewind(mid);
		T_CHECK(age_decrypt_fd(&first, 1, fileno(mid), fileno(out)) == AGE_OK);
		uint8_t *got = malloc(190001);
		rewind(out);
		size_t r = fread(got, 1, 190001, out);
		T_OK(r == 190000 && memcmp(got, pt, r) == 0, "encrypt_fd/decrypt_fd (armored)");
		free(got);
	} else {
		T_OK(0, "tmpfile");
	}
	if (in)
		fclose(in);
	if (mid)
		fclose(mid);
	if (out)
		fclose(out);

	free(copy);
	buf_release(&ct);
	buf_release(&back);
	free(pt);
	for (int i = 0; i < 3; i++) {
		age_identity_free(&ids[i]);
		age_recipient_free(&rs[i]);
	}
}

/* The whole contents of f (from the start) into b. */
static int slurp(FILE *f, struct buf *b)
{
	uint8_t tmp[65536];
	size_t r;
	rewind(f);
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (buf_append(b, tmp, r) != BUF_OK)
			return -1;
	return ferror(f) ? -1 : 0;
}

/* Decrypts p[0..n) on two threads in one update; out gets what was released. */
static enum age_err decrypt_par(const struct age_identity *id, const uint8_t *p, size_t n,
                                struct buf *out)
{
	struct age_decryptor *d = NULL;
	enum age_err rc = age_decrypt_begin(&id, 1, buf_w, out, &d);
	age_decrypt_parallel(d);
	if (rc == AGE_OK)
		rc = age_decrypt_update(d, p, n);
	if (rc == AGE_OK)
		rc = age_decrypt_finish(d);
	age_decryptor_free(&d);
	return rc;
}

/* Two-thread batches of AGE_PAR_CHUNKS chunks: sizes around their edges, and failures. */
static void test_parallel(void)
{
	const size_t C = AGE_CHUNK_SIZE, K = AGE_PAR_CHUNKS;
	const size_t sizes[] = {0, 1, 2 * C, K * C - 1, K * C, K * C + 1, 2 * K * C + C};
	const size_t max = 2 * K * C + C;
	struct age_identity *id = NULL;
	struct age_recipient *r = NULL;
	if (age_identity_generate(&id) != AGE_OK || age_identity_recipient(id, &r) != AGE_OK) {
		T_OK(0, "keygen");
		return;
	}
	const struct age_recipient *const *rs = (const struct age_recipient *const *)&r;
	uint8_t *pt = malloc(max);
	randombytes_buf(pt, max);
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		size_t n = sizes[si];
		struct buf ct, back, ct2, back2;
		buf_init(&ct, CAP);
		buf_init(&back, CAP);
		buf_init(&ct2, CAP);
		buf_init(&back2, CAP);
		/* fd path (parallel) -> single-threaded push decryption in odd pieces. */
		FILE *in = tmpfile(), *mid = tmpfile(), *out = tmpfile();
		int ok = in && mid && out && fwrite(pt, 1, n, in) == n && fflush(in) == 0;
		if (ok) {
			rewind(in);
			ok = age_encrypt_fd(rs, 1, 0, fileno(in), fileno(mid)) == AGE_OK &&
			     slurp(mid, &ct) == 0 &&
			     decrypt((const struct age_identity *const *)&id, 1, ct.data, ct.len,
			             &back) == AGE_OK;
		}
		size_t chunks = n == 0 ? 1 : (n + C - 1) / C;
		T_OK(ok && back.len == n && (n == 0 || memcmp(back.data, pt, n) == 0) &&
		             ct.len == header_len(&ct) + 16 + n + 16 * chunks,
		     "parallel encrypt_fd of %zu bytes decrypts single-threaded", n);
		/* Single-threaded encryption -> parallel fd decryption. */
		ok = ok && encrypt(rs, 1, 0, pt, n, &ct2) == AGE_OK &&
		     fseek(mid, 0, SEEK_SET) == 0 && ftruncate(fileno(mid), 0) == 0 &&
		     fwrite(ct2.data, 1, ct2.len, mid) == ct2.len && fflush(mid) == 0 &&
		     fseek(mid, 0, SEEK_SET) == 0 &&
		     age_decrypt_fd((const struct age_identity *const *)&id, 1, fileno(mid),
		                    fileno(out)) == AGE_OK &&
		     slurp(out, &back2) == 0;
		T_OK(ok && back2.len == n && (n == 0 || memcmp(back2.data, pt, n) == 0),
		     "parallel decrypt_fd of %zu bytes", n);
		if (in)
			fclose(in);
		if (mid)
			fclose(mid);
		if (out)
			fclose(out);
		buf_release(&ct);
		buf_release(&back);
		buf_release(&ct2);
		buf_release(&back2);
	}

	/* Failures inside a batch: exactly the chunks before the bad one are released. */
	struct buf ct, back;
	buf_init(&ct, CAP);
	buf_init(&back, CAP);
	T_CHECK(encrypt(rs, 1, 0, pt, max, &ct) == AGE_OK);
	size_t body = header_len(&ct) + 16;
	const size_t bad[] = {0, 2, K / 2, K - 1, K, 2 * K - 1, 2 * K};
	for (size_t bi = 0; bi < sizeof bad / sizeof bad[0]; bi++) {
		size_t at = body + bad[bi] * AGE_ENC_CHUNK_SIZE + 100;
		ct.data[at] ^= 1;
		buf_reset(&back);
		enum age_err rc = decrypt_par(id, ct.data, ct.len, &back);
		T_OK(rc == AGE_ERR_PAYLOAD && back.len == bad[bi] * C &&
		             (back.len == 0 || memcmp(back.data, pt, back.len) == 0),
		     "parallel decryption: chunk %zu corrupted, the %zu before it released",
		     bad[bi], bad[bi]);
		ct.data[at] ^= 1;
	}
	buf_reset(&back);
	T_CHECK(decrypt_par(id, ct.data, ct.len, &back) == AGE_OK && back.len == max &&
	        memcmp(back.data, pt, max) == 0);

	/* A full-size final chunk followed by more data, met inside a batch. */
	struct buf ct4;
	buf_init(&ct4, CAP);
	T_CHECK(encrypt(rs, 1, 0, pt, 4 * C, &ct4) == AGE_OK);
	T_CHECK(buf_append(&ct4, ct.data + body, 2 * AGE_ENC_CHUNK_SIZE) == BUF_OK);
	buf_reset(&back);
	T_OK(decrypt_par(id, ct4.data, ct4.len, &back) == AGE_ERR_PAYLOAD && back.len == 4 * C &&
	             memcmp(back.data, pt, 4 * C) == 0,
	     "parallel decryption: data after a full final chunk releases it, then fails");

	/* The push API in one update gives the same bytes as the chunked single-threaded one. */
	struct age_encryptor *e = NULL;
	struct buf pc;
	buf_init(&pc, CAP);
	T_CHECK(age_encrypt_begin(rs, 1, 1, buf_w, &pc, &e) == AGE_OK);
	age_encrypt_parallel(e);
	T_CHECK(age_encrypt_update(e, pt, max) == AGE_OK && age_encrypt_finish(e) == AGE_OK);
	age_encryptor_free(&e);
	buf_reset(&back);
	T_OK(decrypt((const struct age_identity *const *)&id, 1, pc.data, pc.len, &back) ==
	                     AGE_OK &&
	             back.len == max && memcmp(back.data, pt, max) == 0,
	     "parallel armored push encryption in one update round-trips");
	buf_release(&pc);
	buf_release(&ct4);
	buf_release(&ct);
	buf_release(&back);
	free(pt);
	age_identity_free(&id);
	age_recipient_free(&r);
}

static void test_scrypt(void)
{
	struct age_recipient *r = NULL, *x = NULL;
	struct age_identity *id = NULL, *low = NULL, *bad = NULL, *xid = NULL;
	struct buf ct, back;
	buf_init(&ct, CAP);
	buf_init(&back, CAP);
	T_CHECK(age_recipient_scrypt("hunter2", 7, 10, &r) == AGE_OK);
	T_CHECK(age_identity_scrypt("hunter2", 7, AGE_SCRYPT_MAX_WORK_FACTOR, &id) == AGE_OK);
	T_CHECK(age_identity_scrypt("hunter2", 7, 9, &low) == AGE_OK);
	T_CHECK(age_identity_scrypt("hunter3", 7, AGE_SCRYPT_MAX_WORK_FACTOR, &bad) == AGE_OK);
	const struct age_recipient *rr = r;
	T_CHECK(encrypt(&rr, 1, 1, (const uint8_t *)"secret", 6, &ct) == AGE_OK);
	const struct age_identity *i1 = id, *i2 = low, *i3 = bad;
	T_OK(decrypt(&i1, 1, ct.data, ct.len, &back) == AGE_OK && back.len == 6 &&
	             memcmp(back.data, "secret", 6) == 0,
	     "scrypt round trip (work factor 10, armored)");
	T_OK(decrypt(&i2, 1, ct.data, ct.len, &back) == AGE_ERR_HEADER,
	     "scrypt: work factor above the identity's max refused");
	T_CHECK(decrypt(&i3, 1, ct.data, ct.len, &back) == AGE_ERR_NO_MATCH);
	/* scrypt must be alone. */
	T_CHECK(age_identity_generate(&xid) == AGE_OK && age_identity_recipient(xid, &x) == AGE_OK);
	const struct age_recipient *mix[2] = {r, x};
	struct age_encryptor *e = NULL;
	T_CHECK(age_encrypt_begin(mix, 2, 0, buf_w, &ct, &e) == AGE_ERR_ARG && e == NULL);
	struct age_recipient *zero = NULL;
	T_CHECK(age_recipient_scrypt("p", 1, 0, &zero) == AGE_ERR_ARG && zero == NULL);
	age_recipient_free(&r);
	age_recipient_free(&x);
	age_identity_free(&id);
	age_identity_free(&low);
	age_identity_free(&bad);
	age_identity_free(&xid);
	buf_release(&ct);
	buf_release(&back);
}

/* The shape of p[0..n) fed in pieces of `step` bytes. */
static enum age_err shape(const uint8_t *p, size_t n, size_t step)
{
	struct age_shape *s = NULL;
	enum age_err rc = age_shape_begin(&s);
	for (size_t off = 0; rc == AGE_OK && off < n; off += step)
		rc = age_shape_update(s, p + off, n - off < step ? n - off : step);
	if (rc == AGE_OK)
		rc = age_shape_finish(s);
	age_shape_free(&s);
	return rc;
}

/* Without a key: a sound file passes; a cut or a tail fails; changed bytes pass (the MAC's job). */
static void test_shape(void)
{
	struct age_identity *id = NULL;
	struct age_recipient *r = NULL;
	uint8_t sk[32];
	randombytes_buf(sk, sizeof sk);
	T_CHECK(age_identity_from_x25519(sk, &id) == AGE_OK &&
	        age_identity_recipient(id, &r) == AGE_OK);
	const struct age_recipient *rs[] = {r};
	static const size_t lens[] = {0, 1, AGE_CHUNK_SIZE, AGE_CHUNK_SIZE + 1, 3 * AGE_CHUNK_SIZE};
	uint8_t *pt = calloc(1, 3 * AGE_CHUNK_SIZE);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		struct buf c;
		buf_init(&c, CAP);
		T_CHECK(encrypt(rs, 1, 0, pt, lens[i], &c) == AGE_OK);
		size_t h = header_len(&c);
		T_OK(shape(c.data, c.len, 1) == AGE_OK && shape(c.data, c.len, 70001) == AGE_OK,
		     "shape: %zu bytes of plaintext, sound, in pieces of 1 and 70001", lens[i]);
		size_t last =
		        (lens[i] == 0 ? 0 : (lens[i] - 1) % AGE_CHUNK_SIZE + 1) + AGE_TAG_SIZE;
		T_OK(shape(c.data, c.len - last + AGE_TAG_SIZE - 1, 4093) == AGE_ERR_PAYLOAD,
		     "shape: %zu bytes, the last chunk cut to 15 bytes: payload", lens[i]);
		if (lens[i] > AGE_CHUNK_SIZE)
			T_OK(shape(c.data, c.len - last, 4093) == AGE_OK &&
			             decrypt_dropped(id, c.data, c.len - last) == AGE_ERR_PAYLOAD,
			     "shape: %zu bytes, cut at a chunk boundary: passes the shape, fails "
			     "the key",
			     lens[i]);
		T_OK(shape(c.data, h - 1, 4093) == AGE_ERR_HEADER,
		     "shape: %zu bytes, cut inside the header: header", lens[i]);
		T_OK(shape(c.data, h + AGE_NONCE_SIZE, 4093) == AGE_ERR_PAYLOAD,
		     "shape: %zu bytes, cut after the nonce: payload", lens[i]);
		uint8_t tail[5] = {0};
		T_CHECK(buf_append(&c, tail, sizeof tail) == BUF_OK);
		if (last ==
		    AGE_ENC_CHUNK_SIZE) /* after a short last chunk it looks like a longer one */
			T_OK(shape(c.data, c.len, 4093) == AGE_ERR_PAYLOAD,
			     "shape: %zu bytes, 5 bytes after a full last chunk: payload", lens[i]);
		c.len -= sizeof tail;
		c.data[c.len - 1] ^= 1;
		T_OK(shape(c.data, c.len, 4093) == AGE_OK &&
		             decrypt_dropped(id, c.data, c.len) == AGE_ERR_PAYLOAD,
		     "shape: %zu bytes, a flipped bit passes the shape and fails the tag", lens[i]);
		c.data[5] ^= 1;
		T_OK(shape(c.data, c.len, 4093) == AGE_ERR_HEADER,
		     "shape: a changed version line: header");
		buf_release(&c);
	}
	free(pt);
	age_recipient_free(&r);
	age_identity_free(&id);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_base64();
	test_bech32();
	test_keys();
	round_trips();
	test_parallel();
	test_scrypt();
	test_shape();
	return t_done();
}
