/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_format: the ledger's texts, with no store: entries, action names,
 * checkpoint notes (C2SP signed-note / tlog-checkpoint) and proof files.
 * Every parser here is strict and bounded (fuzz/fuzz_ledger_*.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include "lib/num.h"

#include "lib/banned.h"

static const char *const action_names[LEDGER_ACTION_COUNT] = {
        [LEDGER_SOURCE_CREATE] = "source.create",
        [LEDGER_SOURCE_DELETE] = "source.delete",
        [LEDGER_SUBMISSION_SEAL] = "submission.seal",
        [LEDGER_REPLY_SEAL] = "reply.seal",
        [LEDGER_REPLY_DELETE] = "reply.delete",
        [LEDGER_OFFICER_LOGIN] = "officer.login",
        [LEDGER_OFFICER_LOGOUT] = "officer.logout",
        [LEDGER_OFFICER_LOGIN_FAILED] = "officer.login_failed",
        [LEDGER_OBJECT_READ] = "object.read",
        [LEDGER_OBJECT_DOWNLOAD] = "object.download",
        [LEDGER_OBJECT_DELETE] = "object.delete",
        [LEDGER_MARKING_CHANGE] = "marking.change",
        [LEDGER_MARKING_DOWNGRADE] = "marking.downgrade",
        [LEDGER_CLEARANCE_GRANT] = "clearance.grant",
        [LEDGER_CLEARANCE_REVOKE] = "clearance.revoke",
        [LEDGER_LABEL_ROTATE] = "label.rotate",
        [LEDGER_REPORT_CIRCULATE] = "report.circulate",
        [LEDGER_RELEASE_CREATE] = "release.create",
        [LEDGER_PARTNER_EXCHANGE] = "partner.exchange",
        [LEDGER_OFFICER_ADD] = "officer.add",
        [LEDGER_OFFICER_ROLES] = "officer.roles",
        [LEDGER_OFFICER_DISABLE] = "officer.disable",
        [LEDGER_OFFICER_ENABLE] = "officer.enable",
        [LEDGER_OFFICER_RESET] = "officer.reset",
        [LEDGER_REPORT_WRITE] = "report.write",
        [LEDGER_RECOVERY_SET] = "recovery.set",
        [LEDGER_RECOVERY_CLEAR] = "recovery.clear",
        [LEDGER_LABEL_RECOVER] = "label.recover",
        [LEDGER_SUBMISSION_RESEAL] = "submission.reseal",
        [LEDGER_RECIPIENT_ADD] = "recipient.add",
        [LEDGER_RECIPIENT_DISABLE] = "recipient.disable",
        [LEDGER_RELEASE_PROPOSE] = "release.propose",
        [LEDGER_RELEASE_APPROVE] = "release.approve",
        [LEDGER_RELEASE_REFUSE] = "release.refuse",
        [LEDGER_RELEASE_DELIVER] = "release.deliver",
        [LEDGER_RELEASE_TRACE] = "release.trace",
        [LEDGER_PARTNER_ADD] = "partner.add",
        [LEDGER_PARTNER_DISABLE] = "partner.disable",
        [LEDGER_REPORT_TOPICS] = "report.topics",
        [LEDGER_LIAISON_EXPORT] = "liaison.export",
        [LEDGER_LIAISON_SEND] = "liaison.send",
        [LEDGER_LIAISON_WITHHOLD] = "liaison.withhold",
        [LEDGER_LIAISON_IMPORT] = "liaison.import",
        [LEDGER_LIAISON_RECEIVE] = "liaison.receive",
        [LEDGER_LIAISON_REFUSE] = "liaison.refuse",
        [LEDGER_LIAISON_WITHHELD] = "liaison.withheld",
        [LEDGER_OBJECT_CONVERT] = "object.convert",
        [LEDGER_LIAISON_RECEIPT] = "liaison.receipt",
        [LEDGER_WITNESS_ADD] = "witness.add",
        [LEDGER_WITNESS_COSIGN] = "witness.cosign",
        [LEDGER_WITNESS_CONFLICT] = "witness.conflict",
        [LEDGER_LIAISON_REFUSALS] = "liaison.refusals",
        [LEDGER_DIGEST_SENT] = "digest.sent",
        [LEDGER_LIAISON_KEY] = "liaison.key",
};

const char *ledger_strerror(enum ledger_result r)
{
	switch (r) {
	case LEDGER_OK:
		return "ok";
	case LEDGER_BAD_INPUT:
		return "malformed input";
	case LEDGER_NOT_FOUND:
		return "not found";
	case LEDGER_RANGE:
		return "out of range";
	case LEDGER_TAMPERED:
		return "verification failed";
	case LEDGER_REFUSED:
		return "refused";
	case LEDGER_BUSY:
		return "store busy";
	case LEDGER_FAILED:
		return "failed";
	}
	return "unknown error";
}

const char *ledger_action_name(enum ledger_action a)
{
	if ((int)a < 0 || a >= LEDGER_ACTION_COUNT)
		return NULL;
	return action_names[a];
}

int ledger_action_parse(const char *name, size_t n, enum ledger_action *out)
{
	if (n == 0)
		return -1;
	for (int a = 0; a < LEDGER_ACTION_COUNT; a++) {
		if (action_names[a][0] != name[0]) /* cheap first: verify parses every entry */
			continue;
		size_t len = strlen(action_names[a]);
		if (len == n && memcmp(action_names[a], name, n) == 0) {
			*out = (enum ledger_action)a;
			return 0;
		}
	}
	return -1;
}

/* ---- days, as YYYY-MM-DD (H. Hinnant's civil calendar algorithms) ---- */

#define DAY_MAX 2932896 /* 9999-12-31 */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DD" into out[10]; day in [0, DAY_MAX]. */
static void day_text(int32_t day, char out[static 10])
{
	int64_t y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	unsigned v[3] = {(unsigned)y, m, d};
	out[0] = (char)('0' + v[0] / 1000);
	out[1] = (char)('0' + v[0] / 100 % 10);
	out[2] = (char)('0' + v[0] / 10 % 10);
	out[3] = (char)('0' + v[0] % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
}

static int day_parse(const char *s, size_t n, int32_t *out)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	unsigned v[8], k = 0;
	for (size_t i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v[k++] = (unsigned)(s[i] - '0');
	}
	int64_t y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
	unsigned m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	int64_t z = days_from_civil(y, m, d);
	int64_t y2;
	unsigned m2, d2;
	civil_from_days(z, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != d || z < 0 || z > DAY_MAX) /* e.g. 02-30 */
		return -1;
	*out = (int32_t)z;
	return 0;
}

/* ---- field checks ---- */

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '@' || c == '-';
}

/* "kind" or "kind:name" (see struct ledger_event). */
static bool token_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || n > LEDGER_TOKEN_MAX)
		return false;
	while (i < n && is_lower(s[i]))
		i++;
	if (i == 0 || i > 16)
		return false;
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

static bool marking_ok(const char *s, size_t n)
{
	if (n > LEDGER_MARKING_MAX)
		return false;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool detail_ok(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	if (n > LEDGER_DETAIL_MAX)
		return false;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (k == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			return false;
		i += k;
	}
	return true;
}

/* ---- entries ---- */

static const char entry_magic[] = "cutout-ledger v1\n";

struct w {
	uint8_t *p;
	size_t len, cap;
	bool over;
};

static void put(struct w *w, const void *s, size_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void put_s(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_u64(struct w *w, uint64_t v)
{
	char d[20];
	int n = 0;
	do {
		d[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(w, d + 20 - n, (size_t)n);
}

/* "key value\n", or "key\n" when value is empty. */
static void put_field(struct w *w, const char *key, const char *val, size_t n)
{
	put_s(w, key);
	if (n > 0) {
		put(w, " ", 1);
		put(w, val, n);
	}
	put(w, "\n", 1);
}

enum ledger_result ledger_entry_encode(const struct ledger_event *ev, uint64_t index, int32_t day,
                                       uint8_t out[static LEDGER_ENTRY_MAX], size_t *len)
{
	const char *object = ev->object ? ev->object : "";
	const char *marking = ev->marking ? ev->marking : "";
	const char *detail = ev->detail ? ev->detail : "";
	const char *action = ledger_action_name(ev->action);
	size_t nact = ev->actor ? strnlen(ev->actor, LEDGER_TOKEN_MAX + 1) : 0;
	size_t nobj = strnlen(object, LEDGER_TOKEN_MAX + 1);
	size_t nmark = strnlen(marking, LEDGER_MARKING_MAX + 1);
	size_t ndet = strnlen(detail, LEDGER_DETAIL_MAX + 1);
	char dtext[10];

	*len = 0;
	if (action == NULL || ev->actor == NULL || !token_ok(ev->actor, nact) ||
	    (nobj > 0 && !token_ok(object, nobj)) || !marking_ok(marking, nmark) ||
	    !detail_ok(detail, ndet) || day < 0 || day > DAY_MAX)
		return LEDGER_BAD_INPUT;
	day_text(day, dtext);
	struct w w = {.p = out, .cap = LEDGER_ENTRY_MAX};
	put_s(&w, entry_magic);
	put_s(&w, "index ");
	put_u64(&w, index);
	put(&w, "\n", 1);
	put_field(&w, "day", dtext, sizeof dtext);
	put_field(&w, "actor", ev->actor, nact);
	put_field(&w, "action", action, strlen(action));
	put_field(&w, "object", object, nobj);
	put_field(&w, "marking", marking, nmark);
	put_field(&w, "detail", detail, ndet);
	if (w.over)
		return LEDGER_BAD_INPUT; /* cannot happen with the limits above */
	*len = w.len;
	return LEDGER_OK;
}

struct r {
	const char *p;
	size_t n, pos;
};

/*
 * Reads the line "key[ value]\n": *val and *vn get the value (empty when the
 * line is just the key). -1 if the line is not that key, or has an empty
 * value after a space.
 */
/* key is a literal: its length is known at compile time (verify parses every entry). */
#define get_field(r, key, val, vn) get_field_n(r, key, sizeof(key) - 1, val, vn)
static int get_field_n(struct r *r, const char *key, size_t kn, const char **val, size_t *vn)
{
	const char *s = r->p + r->pos;
	size_t left = r->n - r->pos;
	const char *nl = memchr(s, '\n', left);
	if (nl == NULL)
		return -1;
	size_t ln = (size_t)(nl - s);
	if (ln < kn || memcmp(s, key, kn) != 0)
		return -1;
	if (ln == kn) {
		*val = s + kn;
		*vn = 0;
	} else {
		if (s[kn] != ' ' || ln == kn + 1)
			return -1;
		*val = s + kn + 1;
		*vn = ln - kn - 1;
	}
	r->pos += ln + 1;
	return 0;
}

static void copy_str(char *dst, const char *s, size_t n)
{
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

enum ledger_result ledger_entry_parse(const uint8_t *p, size_t n, struct ledger_entry *out)
{
	struct r r = {.p = (const char *)p, .n = n};
	const char *v;
	size_t vn;
	size_t mn = sizeof entry_magic - 1;
	memset(out, 0, sizeof *out);
	if (p == NULL || n > LEDGER_ENTRY_MAX || n < mn || memcmp(p, entry_magic, mn) != 0)
		return LEDGER_BAD_INPUT;
	if (memchr(p, '\0', n) != NULL)
		return LEDGER_BAD_INPUT;
	r.pos = mn;
	if (get_field(&r, "index", &v, &vn) != 0 || num_parse_u64n(v, vn, &out->index) != 0)
		return LEDGER_BAD_INPUT;
	if (get_field(&r, "day", &v, &vn) != 0 || day_parse(v, vn, &out->day) != 0)
		return LEDGER_BAD_INPUT;
	if (get_field(&r, "actor", &v, &vn) != 0 || !token_ok(v, vn))
		return LEDGER_BAD_INPUT;
	copy_str(out->actor, v, vn);
	if (get_field(&r, "action", &v, &vn) != 0 || ledger_action_parse(v, vn, &out->action) != 0)
		return LEDGER_BAD_INPUT;
	if (get_field(&r, "object", &v, &vn) != 0 || (vn > 0 && !token_ok(v, vn)))
		return LEDGER_BAD_INPUT;
	copy_str(out->object, v, vn);
	if (get_field(&r, "marking", &v, &vn) != 0 || !marking_ok(v, vn))
		return LEDGER_BAD_INPUT;
	copy_str(out->marking, v, vn);
	if (get_field(&r, "detail", &v, &vn) != 0 || !detail_ok(v, vn))
		return LEDGER_BAD_INPUT;
	copy_str(out->detail, v, vn);
	if (r.pos != n)
		return LEDGER_BAD_INPUT;
	return LEDGER_OK;
}

/* ---- origin and keys ---- */

void ledger_origin(const char *organisation, char out[static LEDGER_ORIGIN_MAX + 1])
{
	static const char suffix[] = "/cutout-ledger";
	size_t n = 0, max = LEDGER_ORIGIN_MAX - (sizeof suffix - 1);
	bool dash = false;
	for (const char *s = organisation ? organisation : ""; *s != '\0' && n < max; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n > 0 && n + 1 < max)
				out[n++] = '-';
			dash = false;
			out[n++] = c;
		} else {
			dash = true;
		}
	}
	if (n == 0) {
		memcpy(out, "cutout", 6);
		n = 6;
	}
	memcpy(out + n, suffix, sizeof suffix); /* with its NUL */
}

void ledger_key_id(const char *name, const uint8_t pk[static 32], uint8_t id[static 4])
{
	ledger_key_id_typed(name, LEDGER_KEY_ED25519, pk, id);
}

void ledger_key_id_typed(const char *name, uint8_t type, const uint8_t pk[static 32],
                         uint8_t id[static 4])
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	const uint8_t sep[2] = {0x0a, type};
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, 2);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, 4);
}

static int b64_append(struct buf *out, const uint8_t *p, size_t n)
{
	char tmp[sodium_base64_ENCODED_LEN(LEDGER_ENTRY_MAX, sodium_base64_VARIANT_ORIGINAL)];
	if (n > LEDGER_ENTRY_MAX)
		return -1;
	sodium_bin2base64(tmp, sizeof tmp, p, n, sodium_base64_VARIANT_ORIGINAL);
	return buf_append(out, tmp, strlen(tmp)) == BUF_OK ? 0 : -1;
}

/* Strict standard base64 of exactly `want` bytes (want 0: any length up to cap). */
static int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	size_t got = 0;
	const char *end = NULL;
	if (n == 0 || n % 4 != 0)
		return -1;
	if (sodium_base642bin(out, cap, s, n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
	            0 ||
	    end != s + n)
		return -1;
	*len = got;
	/* canonical: the re-encoding must be the same text (no stray padding bits) */
	char tmp[sodium_base64_ENCODED_LEN(LEDGER_ENTRY_MAX, sodium_base64_VARIANT_ORIGINAL)];
	if (got > LEDGER_ENTRY_MAX)
		return -1;
	sodium_bin2base64(tmp, sizeof tmp, out, got, sodium_base64_VARIANT_ORIGINAL);
	return strlen(tmp) == n && memcmp(tmp, s, n) == 0 ? 0 : -1;
}

int ledger_vkey(const char *name, const uint8_t pk[static 32], struct buf *out)
{
	return ledger_vkey_typed(name, LEDGER_KEY_ED25519, pk, out);
}

static bool origin_ok(const char *s, size_t n);

int ledger_vkey_typed(const char *name, uint8_t type, const uint8_t pk[static 32], struct buf *out)
{
	uint8_t id[4], k[33];
	if (!origin_ok(name, strnlen(name, LEDGER_ORIGIN_MAX + 1)))
		return -1;
	ledger_key_id_typed(name, type, pk, id);
	k[0] = type;
	memcpy(k + 1, pk, 32);
	if (buf_printf(out, "%s+%02x%02x%02x%02x+", name, id[0], id[1], id[2], id[3]) != BUF_OK)
		return -1;
	return b64_append(out, k, sizeof k);
}

/* ---- checkpoints ---- */

/* C2SP signed-note key names: non-empty, no Unicode space, no '+'; we keep to printable ASCII. */
static bool origin_ok(const char *s, size_t n)
{
	if (n == 0 || n > LEDGER_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '+')
			return false;
	return true;
}

enum ledger_result ledger_checkpoint_body(const struct ledger_checkpoint *cp, struct buf *out)
{
	if (!origin_ok(cp->origin, strnlen(cp->origin, LEDGER_ORIGIN_MAX + 1)))
		return LEDGER_BAD_INPUT;
	if (buf_printf(out, "%s\n%llu\n", cp->origin, (unsigned long long)cp->size) != BUF_OK ||
	    b64_append(out, cp->root, MERKLE_HASH_LEN) != 0 || buf_append(out, "\n", 1) != BUF_OK)
		return LEDGER_FAILED;
	return LEDGER_OK;
}

static const char em_dash[] = "\xe2\x80\x94 "; /* U+2014, space */

#define NOTE_SIGS_MAX 100

/*
 * Splits a signed note: the body (text up to and including the newline before
 * the blank line) and the signature lines, each checked for syntax; fills cp
 * from the body. If pk is given, *verified tells whether a signature line of
 * key `name` and pk's key id verifies.
 */
static enum ledger_result note_open(const uint8_t *note, size_t n, const char *name,
                                    const uint8_t *pk, struct ledger_checkpoint *cp, bool *verified)
{
	const char *s = (const char *)note;
	size_t body_len = 0;
	memset(cp, 0, sizeof *cp);
	if (verified)
		*verified = false;
	if (note == NULL || n == 0 || n > LEDGER_NOTE_MAX || s[n - 1] != '\n')
		return LEDGER_BAD_INPUT;
	/* No control characters but newline; valid UTF-8. */
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = utf8_decode(note + i, n - i, &c);
		if (k == 0 || (c < 0x20 && c != '\n') || c == 0x7f)
			return LEDGER_BAD_INPUT;
		i += k;
	}
	/* The body ends at the last "\n\n" (the signatures cannot contain one). */
	for (size_t i = n - 1; i > 0; i--)
		if (s[i] == '\n' && s[i - 1] == '\n') {
			body_len = i;
			break;
		}
	if (body_len == 0)
		return LEDGER_BAD_INPUT;

	/* The body: origin, size, root, and no extension lines (we never write any). */
	struct r r = {.p = s, .n = body_len};
	const char *lines[3];
	size_t lens[3];
	for (int k = 0; k < 3; k++) {
		const char *ls = s + r.pos;
		const char *nl = memchr(ls, '\n', body_len - r.pos);
		if (nl == NULL)
			return LEDGER_BAD_INPUT;
		lines[k] = ls;
		lens[k] = (size_t)(nl - ls);
		r.pos += lens[k] + 1;
	}
	if (r.pos != body_len)
		return LEDGER_BAD_INPUT;
	size_t rootlen;
	if (!origin_ok(lines[0], lens[0]) || num_parse_u64n(lines[1], lens[1], &cp->size) != 0 ||
	    b64_decode(lines[2], lens[2], cp->root, MERKLE_HASH_LEN, &rootlen) != 0 ||
	    rootlen != MERKLE_HASH_LEN)
		return LEDGER_BAD_INPUT;
	copy_str(cp->origin, lines[0], lens[0]);

	/* The signature lines: "— name base64(id4 || sig)\n", at least one. */
	const char *want = name ? name : cp->origin;
	uint8_t want_id[4] = {0};
	if (pk)
		ledger_key_id(want, pk, want_id);
	size_t pos = body_len + 1, nsigs = 0;
	if (pos >= n)
		return LEDGER_BAD_INPUT;
	while (pos < n) {
		const char *ls = s + pos;
		const char *nl = memchr(ls, '\n', n - pos);
		size_t ln = (size_t)(nl - ls); /* n ends with '\n' */
		size_t dn = sizeof em_dash - 1;
		if (++nsigs > NOTE_SIGS_MAX || ln < dn || memcmp(ls, em_dash, dn) != 0)
			return LEDGER_BAD_INPUT;
		const char *kn = ls + dn;
		const char *sp = memchr(kn, ' ', ln - dn);
		if (sp == NULL)
			return LEDGER_BAD_INPUT;
		size_t knl = (size_t)(sp - kn);
		const char *sig64 = sp + 1;
		size_t sl = ln - dn - knl - 1;
		uint8_t sig[4 + 256];
		size_t siglen;
		if (knl == 0 || memchr(kn, '+', knl) != NULL ||
		    b64_decode(sig64, sl, sig, sizeof sig, &siglen) != 0 || siglen < 5)
			return LEDGER_BAD_INPUT;
		if (pk && verified && !*verified && knl == strlen(want) &&
		    memcmp(kn, want, knl) == 0 && memcmp(sig, want_id, 4) == 0) {
			/* The first line for our key decides (as Go's note.Open). */
			if (siglen != 4 + LEDGER_SIG_LEN ||
			    crypto_sign_verify_detached(sig + 4, note, body_len, pk) != 0)
				return LEDGER_TAMPERED;
			*verified = true;
		}
		pos += ln + 1;
	}
	return LEDGER_OK;
}

enum ledger_result ledger_checkpoint_parse(const uint8_t *note, size_t n,
                                           struct ledger_checkpoint *cp)
{
	return note_open(note, n, NULL, NULL, cp, NULL);
}

enum ledger_result ledger_checkpoint_open(const uint8_t *note, size_t n, const char *name,
                                          const uint8_t pk[static 32], struct ledger_checkpoint *cp)
{
	bool ok = false;
	enum ledger_result r = note_open(note, n, name, pk, cp, &ok);
	if (r != LEDGER_OK)
		return r;
	return ok ? LEDGER_OK : LEDGER_TAMPERED;
}

/* ---- proofs as text ---- */

static const char proof_magic[] = "cutout-ledger proof v1\n";

enum ledger_result ledger_proof_format(const struct ledger_proof *p, struct buf *out)
{
	if (p->n > MERKLE_PROOF_MAX || p->entry_len > LEDGER_ENTRY_MAX)
		return LEDGER_BAD_INPUT;
	if (buf_append(out, proof_magic, sizeof proof_magic - 1) != BUF_OK ||
	    buf_printf(out, "%s %llu %llu\n", p->inclusion ? "inclusion" : "consistency",
	               (unsigned long long)p->a, (unsigned long long)p->b) != BUF_OK)
		return LEDGER_FAILED;
	if (p->inclusion &&
	    (buf_append(out, "entry ", 6) != BUF_OK ||
	     b64_append(out, p->entry, p->entry_len) != 0 || buf_append(out, "\n", 1) != BUF_OK))
		return LEDGER_FAILED;
	for (size_t i = 0; i < p->n; i++)
		if (b64_append(out, p->hashes[i], MERKLE_HASH_LEN) != 0 ||
		    buf_append(out, "\n", 1) != BUF_OK)
			return LEDGER_FAILED;
	return LEDGER_OK;
}

/* Splits "a b" into two numbers. */
static int two_numbers(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	const char *sp = memchr(s, ' ', n);
	if (sp == NULL)
		return -1;
	size_t an = (size_t)(sp - s);
	return num_parse_u64n(s, an, a) == 0 && num_parse_u64n(sp + 1, n - an - 1, b) == 0 ? 0 : -1;
}

enum ledger_result ledger_proof_parse(const uint8_t *text, size_t n, struct ledger_proof *p)
{
	struct r r = {.p = (const char *)text, .n = n};
	const char *v;
	size_t vn, mn = sizeof proof_magic - 1;
	memset(p, 0, sizeof *p);
	if (text == NULL || n > 16384 || n < mn || memcmp(text, proof_magic, mn) != 0)
		return LEDGER_BAD_INPUT;
	r.pos = mn;
	if (get_field(&r, "inclusion", &v, &vn) == 0) {
		p->inclusion = true;
		if (two_numbers(v, vn, &p->a, &p->b) != 0 || get_field(&r, "entry", &v, &vn) != 0 ||
		    b64_decode(v, vn, p->entry, sizeof p->entry, &p->entry_len) != 0)
			return LEDGER_BAD_INPUT;
	} else if (get_field(&r, "consistency", &v, &vn) == 0) {
		if (two_numbers(v, vn, &p->a, &p->b) != 0)
			return LEDGER_BAD_INPUT;
	} else {
		return LEDGER_BAD_INPUT;
	}
	while (r.pos < n) {
		const char *ls = r.p + r.pos;
		const char *nl = memchr(ls, '\n', n - r.pos);
		size_t len;
		if (nl == NULL || p->n >= MERKLE_PROOF_MAX ||
		    b64_decode(ls, (size_t)(nl - ls), p->hashes[p->n], MERKLE_HASH_LEN, &len) !=
		            0 ||
		    len != MERKLE_HASH_LEN)
			return LEDGER_BAD_INPUT;
		p->n++;
		r.pos += (size_t)(nl - ls) + 1;
	}
	return LEDGER_OK;
}
