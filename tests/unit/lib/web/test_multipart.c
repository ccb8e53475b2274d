/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/web/multipart.h"
#include "t.h"

/* Records the callbacks as a string, data runs merged, so splits compare equal. */
struct rec {
	struct buf ev;
	int in_data;
	size_t data_total;
	int abort_at_data; /* abort at the n-th part_data call (1-based), 0 never */
	int data_calls;
	int calls_after_abort;
	int aborted;
};

static int on_begin(void *ctx, const char *name, const char *filename, const char *ct)
{
	struct rec *r = ctx;
	r->calls_after_abort += r->aborted;
	r->in_data = 0;
	return buf_printf(&r->ev, "[B %s|%s|%s]", name, filename ? filename : "(none)",
	                  ct ? ct : "(none)") != BUF_OK;
}

static int on_data(void *ctx, const uint8_t *d, size_t n)
{
	struct rec *r = ctx;
	r->calls_after_abort += r->aborted;
	if (n == 0)
		return 1; /* never called with nothing */
	r->data_total += n;
	if (!r->in_data && buf_append_str(&r->ev, "[D]") != BUF_OK)
		return 1;
	r->in_data = 1;
	if (++r->data_calls == r->abort_at_data) {
		r->aborted = 1;
		return 1;
	}
	return buf_append(&r->ev, d, n) != BUF_OK;
}

static int on_end(void *ctx)
{
	struct rec *r = ctx;
	r->calls_after_abort += r->aborted;
	r->in_data = 0;
	return buf_append_str(&r->ev, "[E]") != BUF_OK;
}

static uint64_t rng = 88172645463325252ULL;
static size_t rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

/*
 * Parses body with the given split: 0 = one piece, 1 = one byte at a time,
 * 2 = random pieces. Returns the result of the first failing call or of finish.
 */
static enum mp_result run(const char *boundary, const char *body, size_t len, int split,
                          const struct mp_limits *lim, struct rec *r)
{
	static struct mp p;
	struct mp_callbacks cb = {on_begin, on_data, on_end, r};
	buf_init(&r->ev, 1 << 20);
	r->in_data = 0;
	r->data_total = 0;
	r->data_calls = 0;
	r->aborted = 0;
	r->calls_after_abort = 0;
	enum mp_result rc = mp_init(&p, boundary, &cb, lim);
	if (rc != MP_OK)
		return rc;
	size_t i = 0;
	while (i < len) {
		size_t n = split == 0   ? len - i
		           : split == 1 ? 1
		                        : 1 + rnd(len - i < 40 ? len - i : 40);
		if ((rc = mp_feed(&p, body + i, n)) != MP_OK) {
			/* A dead parser stays dead. */
			if (mp_feed(&p, "x", 1) != rc || mp_finish(&p) != rc)
				return (enum mp_result)99;
			return rc;
		}
		i += n;
	}
	return mp_finish(&p);
}

/* Runs all splits; checks they agree with the expected result and events. */
static void check(const char *what, const char *boundary, const char *body, size_t len,
                  const struct mp_limits *lim, enum mp_result want, const char *want_ev)
{
	struct rec r0 = {0}, r = {0};
	enum mp_result rc0 = run(boundary, body, len, 0, lim, &r0);
	int ok = rc0 == want && r0.data_total <= len;
	if (want_ev != NULL)
		ok = ok && strcmp(buf_str(&r0.ev), want_ev) == 0;
	if (!ok)
		printf("# %s: got %s, events %s\n", what, mp_result_str(rc0), buf_str(&r0.ev));
	T_OK(ok, "%s: one piece -> %s", what, mp_result_str(want));
	int agree = 1;
	for (int k = 0; k < 60 && agree; k++) {
		enum mp_result rc = run(boundary, body, len, k == 0 ? 1 : 2, lim, &r);
		/* Events before an error may stop at a different byte; compare on success. */
		agree = rc == rc0 && (rc0 != MP_OK || strcmp(buf_str(&r.ev), buf_str(&r0.ev)) == 0);
		if (!agree)
			printf("# split %d: got %s, events %s\n", k, mp_result_str(rc),
			       buf_str(&r.ev));
		buf_release(&r.ev);
	}
	T_OK(agree, "%s: byte-by-byte and random splits agree", what);
	buf_release(&r0.ev);
}

#define CHECK(what, b, body, lim, want, ev) check(what, b, body, sizeof(body) - 1, lim, want, ev)

static void test_content_type(void)
{
	char b[MP_BOUNDARY_MAX + 1];
	T_CHECK(multipart_boundary_from_content_type(
	                "multipart/form-data; boundary=----WebKitFormBoundaryePkpFF7tjBAqx29L", b,
	                sizeof(b)) == MP_OK &&
	        strcmp(b, "----WebKitFormBoundaryePkpFF7tjBAqx29L") == 0);
	T_CHECK(multipart_boundary_from_content_type("Multipart/Form-Data ;BOUNDARY=\"a b:c?\"", b,
	                                             sizeof(b)) == MP_OK &&
	        strcmp(b, "a b:c?") == 0);
	T_CHECK(multipart_boundary_from_content_type(
	                "multipart/form-data; charset=utf-8; boundary=abc;", b, sizeof(b)) ==
	                MP_OK &&
	        strcmp(b, "abc") == 0);
	char b70[128] = "multipart/form-data; boundary=";
	size_t off = strlen(b70);
	memset(b70 + off, 'x', 70);
	b70[off + 70] = '\0';
	T_CHECK(multipart_boundary_from_content_type(b70, b, sizeof(b)) == MP_OK &&
	        strlen(b) == 70);
	T_CHECK(multipart_boundary_from_content_type(b70, b, 70) == MP_ERR_BAD_BOUNDARY);
	b70[off + 70] = 'x';
	b70[off + 71] = '\0';
	T_CHECK(multipart_boundary_from_content_type(b70, b, sizeof(b)) == MP_ERR_BAD_BOUNDARY);
	static const char *bad[] = {
	        "multipart/form-data",
	        "multipart/form-data;",
	        "multipart/mixed; boundary=abc",
	        "multipart/form-dataX; boundary=abc",
	        "text/plain; boundary=abc",
	        "multipart/form-data; boundary=",
	        "multipart/form-data; boundary=\"\"",
	        "multipart/form-data; boundary=\"abc \"",
	        "multipart/form-data; boundary=\"a\\\"b\"",
	        "multipart/form-data; boundary=\"abc",
	        "multipart/form-data; boundary=a@b",
	        "multipart/form-data; boundary=abc; boundary=abd",
	        "multipart/form-data boundary=abc",
	        "multipart/form-data; boundary abc",
	        "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(multipart_boundary_from_content_type(bad[i], b, sizeof(b)) ==
		             MP_ERR_BAD_BOUNDARY,
		     "content type rejected: '%s'", bad[i]);
}

static void test_bodies(void)
{
#define CB "------------------------d74496d66958873e"
	static const char curl[] =
	        "--" CB "\r\n"
	        "Content-Disposition: form-data; name=\"message\"\r\n"
	        "\r\n"
	        "hello\r\n"
	        "--" CB "\r\n"
	        "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
	        "Content-Type: text/plain\r\n"
	        "\r\n"
	        "line\r\n\r\n--not-it\r\n"
	        "\r\n--------------------------d74496d66958873X\r\r\r\n-"
	        "\r\n--" CB "--\r\n";
	CHECK("curl-style body", CB, curl, NULL, MP_OK,
	      "[B message|(none)|(none)][D]hello[E]"
	      "[B file|a.txt|text/plain][D]line\r\n\r\n--not-it\r\n"
	      "\r\n--------------------------d74496d66958873X\r\r\r\n-[E]");

	static const char chromium[] =
	        "------WebKitFormBoundaryePkpFF7tjBAqx29L\r\n"
	        "Content-Disposition: form-data; name=\"msg\"\r\n"
	        "\r\n"
	        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n"
	        "------WebKitFormBoundaryePkpFF7tjBAqx29L\r\n"
	        "Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\n"
	        "Content-Type: application/octet-stream\r\n"
	        "\r\n"
	        "\r\n"
	        "------WebKitFormBoundaryePkpFF7tjBAqx29L--\r\n";
	CHECK("chromium body, empty file input", "----WebKitFormBoundaryePkpFF7tjBAqx29L", chromium,
	      NULL, MP_OK,
	      "[B msg|(none)|(none)][D]\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82[E]"
	      "[B files||application/octet-stream][E]");

	static const char pre[] =
	        "This is a preamble.\r\n--XyZ\r\n--XyZx\r\n"
	        "--XyZ  \t\r\n"
	        "content-disposition: FORM-DATA ; NAME=plain;filename=\"q\\\"\\\\.b\"\r\n"
	        "X-Other: ignored\r\n"
	        "\r\n"
	        "A\r\n--Xy\r\r\n--XyZ--epilogue\r\n--XyZ\r\nmore";
	CHECK("preamble, padding, quoted-pair, near-boundaries, epilogue", "XyZ", pre, NULL,
	      MP_ERR_MALFORMED, NULL);
	/* The preamble above holds "--XyZx": a delimiter followed by junk is malformed. */
	static const char pre2[] =
	        "This is a preamble.\r\n--XyZ-\r\n--XyZ  \t\r\n"
	        "content-disposition: FORM-DATA ; NAME=plain;filename=\"q\\\"\\\\.b\"\r\n"
	        "X-Other: ignored\r\n"
	        "\r\n"
	        "A\r\n--Xy\r\r\n--XyZ--epilogue\r\n--XyZ\r\nmore";
	CHECK("preamble, padding, quoted-pair, near-boundaries, epilogue", "XyZ", pre2, NULL,
	      MP_ERR_MALFORMED, NULL);
	static const char pre3[] =
	        "This is a preamble.\r\n--XyZ  \t\r\n"
	        "content-disposition: FORM-DATA ; NAME=plain;filename=\"q\\\"\\\\.b\"\r\n"
	        "X-Other: ignored\r\n"
	        "\r\n"
	        "A\r\n--Xy\r\r\n--XyZ--epilogue\r\n--XyZ\r\nmore";
	CHECK("preamble, padding, quoted-pair, near-boundaries, epilogue", "XyZ", pre3, NULL, MP_OK,
	      "[B plain|q\"\\.b|(none)][D]A\r\n--Xy\r[E]");

	CHECK("zero parts", "b", "--b--\r\n", NULL, MP_OK, "");
	CHECK("empty body is truncated", "b", "", NULL, MP_ERR_TRUNCATED, "");
	CHECK("no close delimiter", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nxyz\r\n--b\r\n", NULL,
	      MP_ERR_TRUNCATED, NULL);
	CHECK("ends inside a delimiter", "bound",
	      "--bound\r\nContent-Disposition: form-data; name=a\r\n\r\nxyz\r\n--bou", NULL,
	      MP_ERR_TRUNCATED, NULL);
	CHECK("ends inside headers", "b", "--b\r\nContent-Disposition: form-data; name=a\r\n", NULL,
	      MP_ERR_TRUNCATED, NULL);
	CHECK("bare LF line endings", "b",
	      "--b\nContent-Disposition: form-data; name=a\n\nxyz\n--b--\n", NULL, MP_ERR_MALFORMED,
	      NULL);
	CHECK("bare LF in headers", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\n\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("junk after delimiter", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--bb\r\n", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("no Content-Disposition", "b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
	      NULL, MP_ERR_MALFORMED, NULL);
	CHECK("no headers at all", "b", "--b\r\n\r\nx\r\n--b--", NULL, MP_ERR_MALFORMED, NULL);
	CHECK("no name", "b", "--b\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--b--",
	      NULL, MP_ERR_MALFORMED, NULL);
	CHECK("not form-data", "b",
	      "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("duplicate name", "b",
	      "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("duplicate Content-Disposition", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\n"
	      "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--b--",
	      NULL, MP_ERR_MALFORMED, NULL);
	CHECK("unterminated quote", "b",
	      "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("folded header", "b",
	      "--b\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("NUL in a header", "b",
	      "--b\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("header without colon", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\nBogus\r\n\r\nx\r\n--b--", NULL,
	      MP_ERR_MALFORMED, NULL);
	CHECK("NUL and CR in data pass through", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\0\r\r\0\n\r\n--b--", NULL,
	      MP_OK, NULL);
}

static void test_limits(void)
{
	char body[4096];
	char name[300];
	struct mp_limits lim = {0};
	memset(name, 'n', sizeof(name));

	/* name: 256 bytes accepted, 257 refused. */
	int n = snprintf(body, sizeof(body),
	                 "--b\r\nContent-Disposition: form-data; name=\"%.*s\"\r\n\r\nx\r\n--b--",
	                 256, name);
	check("256-byte name", "b", body, (size_t)n, NULL, MP_OK, NULL);
	n = snprintf(body, sizeof(body),
	             "--b\r\nContent-Disposition: form-data; name=\"%.*s\"\r\n\r\nx\r\n--b--", 257,
	             name);
	check("257-byte name", "b", body, (size_t)n, NULL, MP_ERR_HEADER_TOO_LARGE, NULL);
	lim.max_name = 8;
	n = snprintf(body, sizeof(body),
	             "--b\r\nContent-Disposition: form-data; name=%.*s\r\n\r\nx\r\n--b--", 9, name);
	check("name over a configured limit", "b", body, (size_t)n, &lim, MP_ERR_HEADER_TOO_LARGE,
	      NULL);

	char fname[1100];
	memset(fname, 'f', sizeof(fname));
	n = snprintf(body, sizeof(body),
	             "--b\r\nContent-Disposition: form-data; name=f; filename=\"%.*s\"\r\n\r\nx\r\n"
	             "--b--",
	             1024, fname);
	check("1024-byte filename", "b", body, (size_t)n, NULL, MP_OK, NULL);
	n = snprintf(body, sizeof(body),
	             "--b\r\nContent-Disposition: form-data; name=f; filename=\"%.*s\"\r\n\r\nx\r\n"
	             "--b--",
	             1025, fname);
	check("1025-byte filename", "b", body, (size_t)n, NULL, MP_ERR_HEADER_TOO_LARGE, NULL);

	/* A header block larger than the limit. */
	static char big[MP_HEADER_MAX + 200];
	int m = snprintf(big, sizeof(big), "--b\r\nContent-Disposition: form-data; name=a\r\nX: ");
	size_t used = (size_t)m;
	memset(big + used, 'y', MP_HEADER_MAX);
	used += MP_HEADER_MAX;
	memcpy(big + used, "\r\n\r\nx\r\n--b--", 12);
	check("header block over 8 KiB", "b", big, used + 12, NULL, MP_ERR_HEADER_TOO_LARGE, NULL);
	lim = (struct mp_limits){.max_header = 64};
	CHECK("header block over a configured limit", "b",
	      "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Type: text/plain\r\n\r\n"
	      "x\r\n--b--",
	      &lim, MP_ERR_HEADER_TOO_LARGE, NULL);

	lim = (struct mp_limits){.max_parts = 2};
	static const char three[] =
	        "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	        "--b\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
	        "--b\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n--b--";
	CHECK("three parts, limit 2", "b", three, &lim, MP_ERR_TOO_MANY_PARTS, NULL);
	lim.max_parts = 3;
	CHECK("three parts, limit 3", "b", three, &lim, MP_OK,
	      "[B a|(none)|(none)][D]1[E][B b|(none)|(none)][D]2[E][B c|(none)|(none)][D]3[E]");
}

static void test_streaming_and_abort(void)
{
	static struct mp p;
	struct rec r = {0};
	buf_init(&r.ev, 1 << 20);
	struct mp_callbacks cb = {on_begin, on_data, on_end, &r};
	T_CHECK(mp_init(&p, "bnd", &cb, NULL) == MP_OK);
	const char *h = "--bnd\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n";
	T_CHECK(mp_feed(&p, h, strlen(h)) == MP_OK);
	/* Data without a CR goes out at once: nothing is buffered. */
	T_CHECK(mp_feed(&p, "0123456789", 10) == MP_OK && r.data_total == 10);
	/* A possible delimiter start is held back, no more. */
	T_CHECK(mp_feed(&p, "ab\r\n--bn", 8) == MP_OK && r.data_total == 12);
	T_CHECK(mp_feed(&p, "X", 1) == MP_OK && r.data_total == 19);
	T_CHECK(strcmp(buf_str(&r.ev), "[B f|x|(none)][D]0123456789ab\r\n--bnX") == 0);
	T_CHECK(mp_feed(&p, "\r\n--bnd--", 9) == MP_OK && mp_finish(&p) == MP_OK);
	buf_release(&r.ev);

	/* A callback's non-zero return aborts, and nothing more is called. */
	static const char body[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	                           "xx\ryy\r\n--b\r\nContent-Disposition: form-data; name=b\r\n\r\n"
	                           "zz\r\n--b--";
	struct rec ra = {.abort_at_data = 2};
	struct mp_callbacks cba = {on_begin, on_data, on_end, &ra};
	buf_init(&ra.ev, 1 << 20);
	T_CHECK(mp_init(&p, "b", &cba, NULL) == MP_OK);
	enum mp_result rc = MP_OK;
	for (size_t i = 0; i < sizeof(body) - 1 && rc == MP_OK; i++)
		rc = mp_feed(&p, body + i, 1);
	T_CHECK(rc == MP_ERR_ABORTED);
	T_CHECK(mp_finish(&p) == MP_ERR_ABORTED && ra.calls_after_abort == 0);
	buf_release(&ra.ev);

	T_CHECK(mp_init(&p, "", &cb, NULL) == MP_ERR_BAD_BOUNDARY);
	T_CHECK(mp_init(&p, "a\rb", &cb, NULL) == MP_ERR_BAD_BOUNDARY);
	T_CHECK(mp_feed(&p, "--", 2) == MP_ERR_BAD_BOUNDARY);
	for (int i = MP_OK; i <= MP_ERR_BAD_BOUNDARY; i++)
		T_OK(strcmp(mp_result_str((enum mp_result)i), "unknown error") != 0,
		     "result %d has a message", i);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_content_type();
	test_bodies();
	test_limits();
	test_streaming_and_abort();
	return t_done();
}
