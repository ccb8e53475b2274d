/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bundle: the liaison bundle's envelope and content (bundle.h), written and
 * parsed strictly: a parser accepts exactly what the writer writes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/liaison/bundle.h"
#include "lib/num.h"
#include "lib/utf8.h"

#include "lib/banned.h"

static const char env_magic[] = "cutout-liaison-bundle v1";
static const char con_magic[] = "cutout-liaison-content v1";
static const char rcp_magic[] = "cutout-liaison-receipt v1";

__attribute__((format(printf, 2, 3))) static int fail(char *msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, 128, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	return -1;
}

struct rd {
	const uint8_t *p;
	size_t n, pos;
};

/* The next line, without its newline (which must be there). */
static int next_line(struct rd *r, const char **s, size_t *len)
{
	if (r->pos >= r->n)
		return -1;
	const uint8_t *nl = memchr(r->p + r->pos, '\n', r->n - r->pos);
	if (nl == NULL)
		return -1;
	*s = (const char *)r->p + r->pos;
	*len = (size_t)(nl - (r->p + r->pos));
	r->pos += *len + 1;
	return 0;
}

/* "KEY VALUE" with VALUE copied (NUL-terminated) into out[cap]. */
static int field(struct rd *r, const char *key, char *out, size_t cap)
{
	const char *s;
	size_t len, k = strlen(key);
	if (next_line(r, &s, &len) != 0 || len <= k + 1 || memcmp(s, key, k) != 0 || s[k] != ' ' ||
	    len - k - 1 >= cap || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(out, s + k + 1, len - k - 1);
	out[len - k - 1] = '\0';
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, LEDGER_ORIGIN_MAX + 1);
	if (n == 0 || n > LEDGER_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
			return false;
	return true;
}

/* A number as we write it: decimal, no sign, no leading zero. */
static int number(const char *s, uint64_t *v)
{
	if (s[0] == '0' && s[1] != '\0')
		return -1;
	return num_parse_u64(s, v);
}

/* The head; hk names the hash line: "prev" (a bundle), "bundle" (a receipt). */
static int head_write(const char *magic, const char *hk, const struct bundle_head *h,
                      struct buf *out)
{
	char hex[2 * BUNDLE_HASH_LEN + 1];
	if (!name_ok(h->from) || !name_ok(h->to) || h->seq == 0)
		return -1;
	sodium_bin2hex(hex, sizeof hex, h->prev, BUNDLE_HASH_LEN);
	return buf_printf(out, "%s\nfrom %s\nto %s\nseq %llu\n%s %s\n", magic, h->from, h->to,
	                  (unsigned long long)h->seq, hk, hex) == BUF_OK
	               ? 0
	               : -1;
}

static int head_read(struct rd *r, const char *magic, const char *hk, struct bundle_head *h,
                     char *msg)
{
	const char *s;
	size_t len, bin = 0;
	char v[2 * BUNDLE_HASH_LEN + 2];
	memset(h, 0, sizeof *h);
	if (next_line(r, &s, &len) != 0 || len != strlen(magic) || memcmp(s, magic, len) != 0)
		return fail(msg, "not a %s", magic);
	if (field(r, "from", h->from, sizeof h->from) != 0 || !name_ok(h->from) ||
	    field(r, "to", h->to, sizeof h->to) != 0 || !name_ok(h->to))
		return fail(msg, "a bad from or to line");
	if (field(r, "seq", v, sizeof v) != 0 || number(v, &h->seq) != 0 || h->seq == 0 ||
	    h->seq >= (uint64_t)INT64_MAX)
		return fail(msg, "a bad seq line");
	if (field(r, hk, v, sizeof v) != 0 || strlen(v) != 2 * BUNDLE_HASH_LEN)
		return fail(msg, "a bad %s line", hk);
	for (size_t i = 0; v[i]; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return fail(msg, "a bad %s line", hk);
	if (sodium_hex2bin(h->prev, BUNDLE_HASH_LEN, v, strlen(v), NULL, &bin, NULL) != 0 ||
	    bin != BUNDLE_HASH_LEN)
		return fail(msg, "a bad %s line", hk);
	return 0;
}

int bundle_envelope_write(const struct bundle_head *head, const uint8_t *payload, size_t n,
                          const uint8_t sk[static 64], struct buf *out)
{
	size_t start = out->len;
	if (head_write(env_magic, "prev", head, out) != 0 ||
	    buf_printf(out, "size %zu\n\n", n) != BUF_OK || buf_append(out, payload, n) != BUF_OK)
		return -1;
	return ledger_note_sign(head->from, sk, out->data + start, out->len - start, out);
}

int bundle_envelope_parse(const uint8_t *p, size_t n, struct bundle_envelope *e,
                          char msg[static 128])
{
	struct rd r = {.p = p, .n = n};
	const char *s;
	size_t len;
	uint64_t size;
	char v[24];
	memset(e, 0, sizeof e[0]);
	msg[0] = '\0';
	if (p == NULL || head_read(&r, env_magic, "prev", &e->head, msg) != 0)
		return msg[0] ? -1 : fail(msg, "not a bundle");
	if (field(&r, "size", v, sizeof v) != 0 || number(v, &size) != 0 || size == 0)
		return fail(msg, "a bad size line");
	if (next_line(&r, &s, &len) != 0 || len != 0)
		return fail(msg, "no blank line after the header");
	if (size > n - r.pos)
		return fail(msg, "the payload is cut short");
	e->payload = p + r.pos;
	e->payload_len = (size_t)size;
	r.pos += (size_t)size;
	e->signed_len = r.pos;
	e->sig_line = (const char *)p + r.pos;
	if (next_line(&r, &s, &len) != 0 || r.pos != n)
		return fail(msg, "not one signature line after the payload");
	e->sig_len = len + 1;
	return 0;
}

int bundle_content_begin(const struct bundle_head *head, struct buf *out)
{
	return head_write(con_magic, "prev", head, out);
}

static bool line_ok(const char *s, size_t n)
{
	if (utf8_count((const uint8_t *)s, n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int bundle_content_rerelease(bool yes, struct buf *out)
{
	return buf_printf(out, "rerelease %s\n", yes ? "yes" : "no") == BUF_OK ? 0 : -1;
}

static bool country_ok(const char *c, size_t n)
{
	if (n != 3)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return false;
	return true;
}

int bundle_content_consent(int64_t id, const char *country, struct buf *out)
{
	if (id <= 0 || country == NULL || !country_ok(country, strnlen(country, 4)))
		return -1;
	return buf_printf(out, "consent %lld %s\n", (long long)id, country) == BUF_OK ? 0 : -1;
}

int bundle_content_item(int64_t id, const char *topics, const char *marking, const uint8_t *text,
                        size_t len, struct buf *out)
{
	size_t ml = strnlen(marking, STORE_MARKING_MAX);
	if (id <= 0 || topics[0] == '\0' || !store_topics_ok(topics) || ml == 0 ||
	    ml >= STORE_MARKING_MAX || !line_ok(marking, ml) || len > BUNDLE_TEXT_MAX)
		return -1;
	if (buf_printf(out, "item %lld %zu %s %s\n", (long long)id, len, topics, marking) !=
	            BUF_OK ||
	    buf_append(out, text, len) != BUF_OK || buf_append(out, "\n", 1) != BUF_OK)
		return -1;
	return 0;
}

void bundle_reason_fit(const char *in, char *out, size_t max)
{
	size_t n = strnlen(in, max);
	n = utf8_prefix((const uint8_t *)in, n);
	for (size_t i = 0; i < n; i++)
		out[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ? ' ' : in[i];
	out[n] = '\0';
}

int bundle_content_withheld(int64_t id, const char *reason, struct buf *out)
{
	char fit[BUNDLE_REASON_MAX + 1];
	bundle_reason_fit(reason, fit, BUNDLE_REASON_MAX);
	if (id <= 0 || fit[0] == '\0')
		return -1;
	return buf_printf(out, "withheld %lld %s\n", (long long)id, fit) == BUF_OK ? 0 : -1;
}

int bundle_content_end(size_t items, size_t withheld, struct buf *out)
{
	return buf_printf(out, "end %zu %zu\n", items, withheld) == BUF_OK ? 0 : -1;
}

/* The next space-separated token of s[0..n) from *pos into out[cap]. */
static int token(const char *s, size_t n, size_t *pos, char *out, size_t cap)
{
	size_t i = *pos, k = 0;
	while (i < n && s[i] != ' ') {
		if (k + 1 >= cap || (unsigned char)s[i] < 0x21 || (unsigned char)s[i] >= 0x7f)
			return -1;
		out[k++] = s[i++];
	}
	if (k == 0 || i >= n)
		return -1; /* a token is followed by a space */
	out[k] = '\0';
	*pos = i + 1;
	return 0;
}

static int id_token(const char *s, size_t n, size_t *pos, int64_t *id)
{
	char v[24];
	uint64_t u;
	if (token(s, n, pos, v, sizeof v) != 0 || number(v, &u) != 0 || u == 0 ||
	    u > (uint64_t)INT64_MAX)
		return -1;
	*id = (int64_t)u;
	return 0;
}

int bundle_content_parse(const uint8_t *p, size_t n, struct bundle_head *head,
                         int (*item)(void *ctx, const struct bundle_item *it),
                         int (*withheld)(void *ctx, int64_t id, const char *reason), void *ctx,
                         struct bundle_extra *extra, char msg[static 128])
{
	struct rd r = {.p = p, .n = n};
	const char *s;
	size_t len, nitems = 0, nwithheld = 0, nconsents = 0;
	struct bundle_item it;
	msg[0] = '\0';
	if (extra != NULL)
		extra->rerelease = false;
	if (head_read(&r, con_magic, "prev", head, msg) != 0)
		return -1;
	{ /* the flag, absent in bundles made before it (no) */
		size_t at = r.pos;
		if (next_line(&r, &s, &len) == 0 && len > 10 && memcmp(s, "rerelease ", 10) == 0) {
			bool yes = len == 13 && memcmp(s + 10, "yes", 3) == 0;
			if (!yes && !(len == 12 && memcmp(s + 10, "no", 2) == 0))
				return fail(msg, "a bad rerelease line");
			if (extra != NULL)
				extra->rerelease = yes;
		} else {
			r.pos = at;
		}
	}
	for (;;) {
		size_t pos;
		if (next_line(&r, &s, &len) != 0)
			return fail(msg, "the content has no end line");
		if (len > 8 && memcmp(s, "consent ", 8) == 0) {
			int64_t id;
			char country[4];
			pos = 8;
			if (nitems + nwithheld > 0)
				return fail(msg, "a consent line after an item");
			if (++nconsents > BUNDLE_CONSENTS_MAX)
				return fail(msg, "over %u consent lines", BUNDLE_CONSENTS_MAX);
			if (id_token(s, len, &pos, &id) != 0 || !country_ok(s + pos, len - pos))
				return fail(msg, "consent %zu: a bad consent line", nconsents);
			memcpy(country, s + pos, 3);
			country[3] = '\0';
			if (extra != NULL && extra->consent != NULL &&
			    extra->consent(ctx, id, country) != 0)
				return fail(msg, "stopped");
		} else if (len > 5 && memcmp(s, "item ", 5) == 0) {
			char v[24];
			uint64_t tl;
			pos = 5;
			memset(&it, 0, sizeof it);
			if (id_token(s, len, &pos, &it.id) != 0 ||
			    token(s, len, &pos, v, sizeof v) != 0 || number(v, &tl) != 0 ||
			    tl > BUNDLE_TEXT_MAX ||
			    token(s, len, &pos, it.topics, sizeof it.topics) != 0 ||
			    !store_topics_ok(it.topics) || len - pos == 0 ||
			    len - pos >= sizeof it.marking || !line_ok(s + pos, len - pos))
				return fail(msg, "item %zu: a bad item line", nitems + 1);
			memcpy(it.marking, s + pos, len - pos);
			it.marking[len - pos] = '\0';
			if (tl + 1 > r.n - r.pos || r.p[r.pos + tl] != '\n')
				return fail(msg, "item %zu: its text is cut short", nitems + 1);
			it.text = r.p + r.pos;
			it.len = (size_t)tl;
			r.pos += (size_t)tl + 1;
			nitems++;
			if (item(ctx, &it) != 0)
				return fail(msg, "stopped");
		} else if (len > 9 && memcmp(s, "withheld ", 9) == 0) {
			int64_t id;
			char reason[BUNDLE_REASON_MAX + 1];
			pos = 9;
			if (id_token(s, len, &pos, &id) != 0 || len - pos == 0 ||
			    len - pos > BUNDLE_REASON_MAX || !line_ok(s + pos, len - pos))
				return fail(msg, "a bad withheld line");
			memcpy(reason, s + pos, len - pos);
			reason[len - pos] = '\0';
			nwithheld++;
			if (withheld(ctx, id, reason) != 0)
				return fail(msg, "stopped");
		} else if (len > 4 && memcmp(s, "end ", 4) == 0) {
			char want[48];
			int k = snprintf(want, sizeof want, "end %zu %zu", nitems, nwithheld);
			if (k < 0 || (size_t)k != len || memcmp(want, s, len) != 0)
				return fail(msg, "the end line does not count what came before");
			if (r.pos != r.n)
				return fail(msg, "bytes after the end line");
			return 0;
		} else {
			return fail(msg, "an unknown line");
		}
	}
}

/* ---- receipts ---- */

int bundle_receipt_begin(const struct bundle_head *head, struct buf *out)
{
	return head_write(rcp_magic, "bundle", head, out);
}

int bundle_receipt_item(int64_t id, const char *reason, struct buf *out)
{
	if (id <= 0)
		return -1;
	if (reason == NULL)
		return buf_printf(out, "accepted %lld\n", (long long)id) == BUF_OK ? 0 : -1;
	char fit[BUNDLE_REASON_MAX + 1];
	bundle_reason_fit(reason, fit, BUNDLE_REASON_MAX);
	if (fit[0] == '\0')
		return -1;
	return buf_printf(out, "refused %lld %s\n", (long long)id, fit) == BUF_OK ? 0 : -1;
}

int bundle_receipt_end(const char *from, size_t accepted, size_t refused,
                       const uint8_t sk[static 64], struct buf *out)
{
	if (buf_printf(out, "end %zu %zu\n", accepted, refused) != BUF_OK)
		return -1;
	return ledger_note_sign(from, sk, out->data, out->len, out);
}

int bundle_receipt_parse(const uint8_t *p, size_t n, struct bundle_receipt *rc,
                         int (*item)(void *ctx, int64_t id, const char *reason), void *ctx,
                         char msg[static 128])
{
	struct rd r = {.p = p, .n = n};
	const char *s;
	size_t len;
	memset(rc, 0, sizeof *rc);
	msg[0] = '\0';
	if (p == NULL || n > BUNDLE_RECEIPT_MAX)
		return fail(msg, "not a receipt (over %u bytes)", BUNDLE_RECEIPT_MAX);
	if (head_read(&r, rcp_magic, "bundle", &rc->head, msg) != 0)
		return -1;
	for (;;) {
		size_t pos;
		int64_t id;
		if (next_line(&r, &s, &len) != 0)
			return fail(msg, "the receipt has no end line");
		if (len > 9 && memcmp(s, "accepted ", 9) == 0) {
			pos = 9;
			char v[24];
			uint64_t u;
			/* the id is the line's last token: no space follows it */
			if (len - pos >= sizeof v || memchr(s + pos, '\0', len - pos) != NULL)
				return fail(msg, "a bad accepted line");
			memcpy(v, s + pos, len - pos);
			v[len - pos] = '\0';
			if (number(v, &u) != 0 || u == 0 || u > (uint64_t)INT64_MAX)
				return fail(msg, "a bad accepted line");
			rc->accepted++;
			if (item(ctx, (int64_t)u, NULL) != 0)
				return fail(msg, "stopped");
		} else if (len > 8 && memcmp(s, "refused ", 8) == 0) {
			char reason[BUNDLE_REASON_MAX + 1];
			pos = 8;
			if (id_token(s, len, &pos, &id) != 0 || len - pos == 0 ||
			    len - pos > BUNDLE_REASON_MAX || !line_ok(s + pos, len - pos))
				return fail(msg, "a bad refused line");
			memcpy(reason, s + pos, len - pos);
			reason[len - pos] = '\0';
			rc->refused++;
			if (item(ctx, id, reason) != 0)
				return fail(msg, "stopped");
		} else if (len > 4 && memcmp(s, "end ", 4) == 0) {
			char want[48];
			int k = snprintf(want, sizeof want, "end %zu %zu", rc->accepted,
			                 rc->refused);
			if (k < 0 || (size_t)k != len || memcmp(want, s, len) != 0)
				return fail(msg, "the end line does not count what came before");
			break;
		} else {
			return fail(msg, "an unknown line");
		}
	}
	rc->signed_len = r.pos;
	rc->sig_line = (const char *)p + r.pos;
	if (next_line(&r, &s, &len) != 0 || r.pos != n)
		return fail(msg, "not one signature line after the end line");
	rc->sig_len = len + 1;
	return 0;
}
