/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzzes the multipart parser. Input: one byte choosing the boundary
 * (0-3: a fixed one; otherwise the following bytes up to '\n' when valid),
 * then the body. The body is parsed twice, in one piece and in pieces whose
 * sizes come from the input itself; the two runs must agree on the result
 * and, on success, on every callback. Invariants checked on each run:
 * callbacks come in order (begin, data*, end), data only inside a part, data
 * never longer than the input, names within their limits, at most max_parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/web/multipart.h"

struct run {
	int in_part;
	size_t parts;
	size_t data;
	uint64_t hash; /* of the event sequence, data runs merged */
	int in_data;
};

static void mix(struct run *r, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 1099511628211ULL;
}

static int begin(void *ctx, const char *name, const char *filename, const char *ct)
{
	struct run *r = ctx;
	if (r->in_part || strlen(name) > MP_NAME_MAX ||
	    (filename != NULL && strlen(filename) > MP_FILENAME_MAX) ||
	    (ct != NULL && strlen(ct) > MP_CONTENT_TYPE_MAX))
		abort();
	r->in_part = 1;
	r->in_data = 0;
	r->parts++;
	mix(r, "B", 1);
	mix(r, name, strlen(name) + 1);
	mix(r, filename ? filename : "\x01", filename ? strlen(filename) + 1 : 1);
	mix(r, ct ? ct : "\x01", ct ? strlen(ct) + 1 : 1);
	return 0;
}

static int data(void *ctx, const uint8_t *d, size_t n)
{
	struct run *r = ctx;
	if (!r->in_part || n == 0)
		abort();
	if (!r->in_data)
		mix(r, "D", 1);
	r->in_data = 1;
	r->data += n;
	mix(r, d, n);
	return 0;
}

static int end(void *ctx)
{
	struct run *r = ctx;
	if (!r->in_part)
		abort();
	r->in_part = 0;
	r->in_data = 0;
	mix(r, "E", 1);
	return 0;
}

static enum mp_result parse(struct mp *p, const char *boundary, const uint8_t *body, size_t len,
                            const uint8_t *sizes, size_t nsizes, struct run *r)
{
	struct mp_callbacks cb = {begin, data, end, r};
	struct mp_limits lim = {.max_parts = 8, .max_header = 1024};
	memset(r, 0, sizeof(*r));
	r->hash = 14695981039346656037ULL;
	enum mp_result rc = mp_init(p, boundary, &cb, &lim);
	if (rc != MP_OK)
		return rc;
	size_t i = 0, k = 0;
	while (i < len) {
		size_t n = nsizes == 0 ? len - i : (size_t)(sizes[k++ % nsizes] % 17) + 1;
		if (n > len - i)
			n = len - i;
		if ((rc = mp_feed(p, body + i, n)) != MP_OK)
			break;
		i += n;
	}
	if (rc == MP_OK)
		rc = mp_finish(p);
	if (r->data > len || r->parts > lim.max_parts)
		abort();
	if (rc == MP_OK && r->in_part)
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static struct mp p;
	static const char *fixed[] = {"b", "XyZ", "----WebKitFormBoundaryePkpFF7tjBAqx29L",
	                              "------------------------d74496d66958873e"};
	char boundary[MP_BOUNDARY_MAX + 1];
	if (len < 1)
		return 0;
	size_t off = 1;
	if (in[0] < 4) {
		size_t bl = strlen(fixed[in[0]]);
		memcpy(boundary, fixed[in[0]], bl + 1);
	} else {
		size_t bl = 0;
		while (off < len && in[off] != '\n' && bl < MP_BOUNDARY_MAX)
			boundary[bl++] = (char)in[off++];
		boundary[bl] = '\0';
		if (off < len)
			off++;
	}
	const uint8_t *body = in + off;
	size_t blen = len - off;
	struct run a, b;
	enum mp_result ra = parse(&p, boundary, body, blen, NULL, 0, &a);
	/* Piece sizes come from the body bytes themselves. */
	enum mp_result rb = parse(&p, boundary, body, blen, body, blen, &b);
	if (ra != rb)
		abort();
	if (ra == MP_OK && (a.hash != b.hash || a.data != b.data || a.parts != b.parts))
		abort();
	return 0;
}
