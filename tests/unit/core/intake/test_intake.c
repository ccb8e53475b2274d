/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core/intake and core/inbox over a real SQLite store in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/keys/unseal.h"
#include "core/intake/intake.h"
#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "t.h"

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

struct seen {
	int n;
	char text[256];
	store_id id;
};

static int on_reply(void *ctx, const struct intake_reply_view *v)
{
	struct seen *s = ctx;
	s->n++;
	s->id = v->id;
	snprintf(s->text, sizeof s->text, "%s", v->text);
	return 0;
}

struct sent {
	int n, nfiles_first, message_first, last_message;
	int32_t day_first;
};

static int on_sent(void *ctx, const struct intake_sent_view *v)
{
	struct sent *s = ctx;
	if (s->n++ == 0) {
		s->nfiles_first = v->nfiles;
		s->message_first = v->has_message;
		s->day_first = v->day;
	}
	s->last_message = v->has_message;
	return 0;
}

static int count_blobs_cb(void *ctx, const uint8_t *p, size_t n)
{
	return 0;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char dir[] = "/tmp/cutout-test-intake-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char path[256];
	snprintf(path, sizeof path, "%s/store.db", dir);
	struct store *s = NULL;
	T_CHECK(store_open(path, &s) == STORE_OK);

	struct age_identity *label = NULL;
	struct age_recipient *label_r = NULL;
	uint8_t label_pk[32], salt[16];
	T_CHECK(age_identity_generate(&label) == AGE_OK);
	T_CHECK(age_identity_recipient(label, &label_r) == AGE_OK);
	T_CHECK(age_recipient_x25519(label_r, label_pk) == AGE_OK);
	randombytes_buf(salt, sizeof salt);
	struct intake_kdf kdf = {1, 8u << 20};
	struct intake_limits lim = {.max_upload_bytes = 1 << 20,
	                            .max_message_bytes = 100,
	                            .max_files = 2,
	                            .submissions_per_day = 3};
	struct intake *in = NULL;
	T_CHECK(intake_new(s, label_pk, salt, &kdf, &lim, "SECRET//SOURCE", &in) == INTAKE_OK);

	/* sources */
	char codename[INTAKE_CODENAME_MAX], upper[INTAKE_CODENAME_MAX];
	uint8_t sk[32], sk2[32];
	store_id src = 0;
	T_CHECK(intake_source_create(in, codename, sizeof codename, &src, sk) == INTAKE_OK);
	T_CHECK(src > 0);
	for (size_t i = 0; i <= strlen(codename); i++)
		upper[i] = (char)(codename[i] >= 'a' && codename[i] <= 'z' ? codename[i] - 32
		                                                           : codename[i]);
	store_id got = 0;
	T_OK(intake_source_login(in, upper, 0, &got, sk2) == INTAKE_OK && got == src &&
	             memcmp(sk, sk2, 32) == 0,
	     "the codename (in capitals) logs in and gives the same key");
	T_CHECK(intake_source_login(in, "not a codename", 0, &got, sk2) == INTAKE_UNKNOWN);
	T_CHECK(sodium_is_zero(sk2, 32));
	char other[INTAKE_CODENAME_MAX];
	uint8_t osk[32];
	store_id osrc;
	T_CHECK(intake_source_create(in, other, sizeof other, &osrc, osk) == INTAKE_OK);
	T_CHECK(osrc != src && strcmp(other, codename) != 0);

	/* a submission with a message and a file */
	struct intake_upload *up = NULL;
	T_CHECK(intake_upload_begin(in, src, &up) == INTAKE_OK);
	T_CHECK(intake_upload_message(up, "hello \xd0\xbc\xd0\xb8\xd1\x80", 12) == INTAKE_OK);
	T_CHECK(intake_upload_file_begin(up, "a\nb%.txt", "text/plain") == INTAKE_OK);
	uint8_t data[200000];
	randombytes_buf(data, sizeof data);
	T_CHECK(intake_upload_file_data(up, data, 70000) == INTAKE_OK);
	T_CHECK(intake_upload_file_data(up, data + 70000, sizeof data - 70000) == INTAKE_OK);
	T_CHECK(intake_upload_file_end(up) == INTAKE_OK);
	store_id sub = 0;
	T_CHECK(intake_upload_commit(up, &sub) == INTAKE_OK && sub > 0);
	intake_upload_free(&up);

	struct store_submission ss;
	T_CHECK(store_submission_get(s, sub, &ss) == STORE_OK);
	T_CHECK(ss.nfiles == 1 && strcmp(ss.marking, "SECRET//SOURCE") == 0);
	const struct age_identity *ids[1] = {label};
	struct buf b;
	buf_init(&b, 1 << 20);
	/* no officer holds a marking label here: the intake label's layer alone */
	T_CHECK(ss.seal_version == 0);
	struct unseal_keys k = {.ids = ids, .n = 1};
	T_CHECK(unseal_blob(s, ss.message_blob, &k, to_buf, &b) == UNSEAL_OK);
	T_CHECK(b.len == 12 && memcmp(b.data, "hello \xd0\xbc\xd0\xb8\xd1\x80", 12) == 0);
	struct age_identity *wrong = NULL;
	T_CHECK(age_identity_generate(&wrong) == AGE_OK);
	const struct age_identity *wids[1] = {wrong};
	buf_reset(&b);
	struct unseal_keys wk = {.ids = wids, .n = 1};
	T_CHECK(unseal_blob(s, ss.message_blob, &wk, to_buf, &b) == UNSEAL_CANNOT_OPEN);
	T_CHECK(b.len == 0);

	/* an abandoned upload leaves nothing */
	T_CHECK(intake_upload_begin(in, src, &up) == INTAKE_OK);
	T_CHECK(intake_upload_message(up, "abandoned", 9) == INTAKE_OK);
	T_CHECK(intake_upload_file_begin(up, "x", NULL) == INTAKE_OK);
	T_CHECK(intake_upload_file_data(up, data, 1000) == INTAKE_OK);
	intake_upload_free(&up);
	int64_t count = 0;
	T_CHECK(store_submission_count_day(s, src, store_today(), &count) == STORE_OK &&
	        count == 1);

	/* limits */
	T_CHECK(intake_upload_begin(in, src, &up) == INTAKE_OK);
	T_CHECK(intake_upload_commit(up, &sub) == INTAKE_EMPTY);
	T_CHECK(intake_upload_message(up, "\xff", 1) == INTAKE_BAD_INPUT);
	char longmsg[101];
	memset(longmsg, 'x', sizeof longmsg);
	T_CHECK(intake_upload_message(up, longmsg, 101) == INTAKE_TOO_LARGE);
	T_CHECK(intake_upload_file_begin(up, "1", NULL) == INTAKE_OK);
	T_CHECK(intake_upload_file_data(up, data, sizeof data) == INTAKE_OK);
	T_CHECK(intake_upload_file_end(up) == INTAKE_OK);
	T_CHECK(intake_upload_file_begin(up, "2", NULL) == INTAKE_OK);
	uint8_t *big = calloc(1, 1 << 20);
	T_CHECK(intake_upload_file_data(up, big, 1 << 20) == INTAKE_TOO_LARGE);
	free(big);
	T_CHECK(intake_upload_file_end(up) == INTAKE_OK);
	T_CHECK(intake_upload_file_begin(up, "3", NULL) == INTAKE_TOO_MANY);
	intake_upload_free(&up);
	for (int i = 0; i < 2; i++) {
		T_CHECK(intake_upload_begin(in, src, &up) == INTAKE_OK);
		T_CHECK(intake_upload_message(up, "q", 1) == INTAKE_OK);
		T_CHECK(intake_upload_commit(up, &sub) == INTAKE_OK);
		intake_upload_free(&up);
	}
	T_OK(intake_upload_begin(in, src, &up) == INTAKE_TOO_MANY, "the daily quota is enforced");
	struct sent sent = {0}, osent = {0};
	T_CHECK(intake_sent(in, src, on_sent, &sent) == INTAKE_OK);
	T_OK(sent.n == 3 && sent.nfiles_first == 1 && sent.message_first && sent.last_message &&
	             sent.day_first == ss.day,
	     "what a source sent: its submissions, oldest first, with day and number of files");
	T_OK(intake_sent(in, osrc, on_sent, &osent) == INTAKE_OK && osent.n == 0,
	     "and not another source's");

	/* file metadata */
	buf_reset(&b);
	T_CHECK(intake_meta_encode(&b, "a\nb%\x7f.txt", "text/plain", 42) == 0);
	char name[64], type[64];
	uint64_t size = 0;
	T_CHECK(intake_meta_decode(b.data, b.len, name, sizeof name, type, sizeof type, &size) ==
	        0);
	T_CHECK(strcmp(name, "a\nb%\x7f.txt") == 0 && strcmp(type, "text/plain") == 0 &&
	        size == 42);
	T_CHECK(intake_meta_decode(b.data, b.len - 1, name, sizeof name, type, sizeof type,
	                           &size) != 0);
	T_CHECK(intake_meta_decode((const uint8_t *)"cutout-file v1\nsize 1\ntype %00\nname x\n",
	                           38, name, sizeof name, type, sizeof type, &size) != 0);

	/* replies: sealed with no private key, opened only by the source's key */
	store_id rid = 0;
	T_CHECK(intake_reply_seal(in, "officer:tester", src, "we read it", 10, &rid) == INTAKE_OK);
	struct seen seen = {0};
	T_CHECK(intake_replies(in, src, sk, on_reply, &seen) == INTAKE_OK);
	T_CHECK(seen.n == 1 && strcmp(seen.text, "we read it") == 0 && seen.id == rid);
	struct seen none = {0};
	T_CHECK(intake_replies(in, osrc, osk, on_reply, &none) == INTAKE_OK && none.n == 0);
	T_CHECK(intake_reply_delete(in, osrc, rid) == INTAKE_UNKNOWN);
	T_CHECK(intake_reply_delete(in, src, rid) == INTAKE_OK);
	memset(&seen, 0, sizeof seen);
	T_CHECK(intake_replies(in, src, sk, on_reply, &seen) == INTAKE_OK && seen.n == 0);
	T_CHECK(intake_reply_seal(in, "officer:tester", 999999, "x", 1, &rid) == INTAKE_UNKNOWN);

	/* deleting a source destroys its blobs */
	T_CHECK(intake_source_delete(in, NULL, src) == INTAKE_OK);
	T_CHECK(store_blob_read(s, ss.message_blob, count_blobs_cb, NULL) == STORE_NOT_FOUND);
	T_CHECK(intake_source_login(in, codename, 0, &got, sk2) == INTAKE_UNKNOWN);

	buf_wipe_release(&b);
	age_identity_free(&wrong);
	age_identity_free(&label);
	age_recipient_free(&label_r);
	intake_free(&in);
	store_close(&s);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
