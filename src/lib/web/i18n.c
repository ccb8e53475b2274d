/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/web/i18n.h"

#include <string.h>
#include <strings.h>

#include "lib/web/html.h"

#include "lib/banned.h"

#define AL_MAX_RANGES 64 /* ranges of an Accept-Language header considered */
#define AL_MAX_RANGE 64  /* longest language range considered */

const struct i18n_language *i18n_languages(size_t *n)
{
	*n = i18n_langs_len_;
	return i18n_langs_;
}

const struct i18n_entry *i18n_entries(size_t *n)
{
	*n = i18n_entries_len_;
	return i18n_entries_;
}

const char *i18n_canonical(const char *lang)
{
	if (lang == NULL)
		return NULL;
	for (size_t i = 0; i < i18n_langs_len_; i++)
		if (strcasecmp(lang, i18n_langs_[i].tag) == 0)
			return i18n_langs_[i].tag;
	return NULL;
}

bool i18n_is_supported(const char *lang)
{
	return i18n_canonical(lang) != NULL;
}

static const char *lookup(const char *lang, const char *key)
{
	size_t lo = 0, hi = i18n_entries_len_;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct i18n_entry *e = &i18n_entries_[mid];
		int c = strcmp(e->lang, lang);
		if (c == 0)
			c = strcmp(e->key, key);
		if (c == 0)
			return e->text;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *i18n_get(const char *lang, const char *key)
{
	const char *tag = i18n_canonical(lang);
	const char *t = tag != NULL ? lookup(tag, key) : NULL;
	return t != NULL ? t : lookup(I18N_DEFAULT, key);
}

/* The supported language a range selects (exact, then by prefix), or NULL. */
static const char *match_range(const char *r, size_t n)
{
	if (n == 1 && r[0] == '*')
		return I18N_DEFAULT;
	for (size_t i = 0; i < i18n_langs_len_; i++) {
		const char *t = i18n_langs_[i].tag;
		if (strlen(t) == n && strncasecmp(r, t, n) == 0)
			return t;
	}
	for (size_t i = 0; i < i18n_langs_len_; i++) {
		const char *t = i18n_langs_[i].tag;
		size_t tl = strlen(t);
		/* "ru-RU" selects "ru"; "pt" selects "pt-BR". */
		if ((n > tl && r[tl] == '-' && strncasecmp(r, t, tl) == 0) ||
		    (tl > n && t[n] == '-' && strncasecmp(r, t, n) == 0))
			return t;
	}
	return NULL;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Parses a qvalue ("0", "0.5", "1.000") into thousandths; -1 if invalid. */
static int parse_q(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int v = (s[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (s[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v += (s[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

const char *i18n_lang_from_accept_language(const char *header)
{
	const char *best = I18N_DEFAULT;
	int best_q = 0;
	if (header == NULL)
		return best;
	const char *p = header;
	for (int items = 0; *p != '\0' && items < AL_MAX_RANGES; items++) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *next = end != NULL ? end + 1 : p + len;
		/* One element: OWS range OWS [; OWS q=value OWS] */
		size_t i = 0;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t rs = i;
		while (i < len && (is_alnum(p[i]) || p[i] == '-' || p[i] == '*'))
			i++;
		size_t rl = i - rs;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		int q = 1000;
		if (i < len && p[i] == ';') {
			i++;
			while (i < len && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (len - i >= 2 && (p[i] == 'q' || p[i] == 'Q') && p[i + 1] == '=') {
				i += 2;
				size_t qs = i;
				while (i < len && p[i] != ' ' && p[i] != '\t')
					i++;
				q = parse_q(p + qs, i - qs);
				while (i < len && (p[i] == ' ' || p[i] == '\t'))
					i++;
			} else {
				q = -1;
			}
		}
		if (i == len && q > best_q && rl > 0 && rl <= AL_MAX_RANGE) {
			const char *t = match_range(p + rs, rl);
			if (t != NULL) {
				best = t;
				best_q = q;
			}
		}
		p = next;
	}
	return best;
}

static enum i18n_result from_buf(enum buf_result r)
{
	return r == BUF_OK ? I18N_OK : r == BUF_TOO_LARGE ? I18N_TOO_LARGE : I18N_NOMEM;
}

enum i18n_result i18n_format(struct buf *out, const char *lang, const char *key, size_t n,
                             const char *const names[], const char *const values[])
{
	const char *t = i18n_get(lang, key);
	if (t == NULL)
		return I18N_UNKNOWN_KEY;
	enum buf_result br;
	for (;;) {
		const char *open = strchr(t, '{');
		const char *close = open != NULL ? strchr(open, '}') : NULL;
		if (open == NULL || close == NULL)
			return from_buf(html_escape(out, t, strlen(t)));
		if ((br = html_escape(out, t, (size_t)(open - t))) != BUF_OK)
			return from_buf(br);
		const char *name = open + 1;
		size_t nl = (size_t)(close - name);
		size_t k = 0;
		while (k < n && (strlen(names[k]) != nl || memcmp(names[k], name, nl) != 0))
			k++;
		if (k == n)
			return I18N_MISSING_ARG;
		if ((br = buf_append_str(out, values[k])) != BUF_OK)
			return from_buf(br);
		t = close + 1;
	}
}

/*
 * The separators of lang's "number.format" sample: the text between "1" and
 * "000" groups, the text between "000" and the last "5" is the decimal mark.
 */
struct numfmt {
	char group[8], decimal[8];
};

static void numfmt_of(const char *lang, struct numfmt *f)
{
	const char *t = i18n_get(lang, "number.format");
	memcpy(f->group, ",", 2);
	memcpy(f->decimal, ".", 2);
	const char *one = t != NULL ? strchr(t, '1') : NULL;
	const char *k = one != NULL ? strstr(one + 1, "000") : NULL;
	const char *five = k != NULL ? strrchr(k + 3, '5') : NULL;
	if (five == NULL)
		return;
	size_t gl = (size_t)(k - one - 1), dl = (size_t)(five - k - 3);
	if (gl >= sizeof f->group || dl == 0 || dl >= sizeof f->decimal)
		return;
	memcpy(f->group, one + 1, gl);
	f->group[gl] = 0;
	memcpy(f->decimal, k + 3, dl);
	f->decimal[dl] = 0;
}

/* Appends s to out at *at; -1 when it does not fit (NUL included). */
static int put(char *out, size_t cap, size_t *at, const char *s, size_t n)
{
	if (n >= cap - *at)
		return -1;
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = 0;
	return 0;
}

static int number_with(const struct numfmt *f, uint64_t v, char *out, size_t cap, size_t *at)
{
	char digits[24];
	size_t nd = 0;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = nd; i-- > 0;) {
		if (put(out, cap, at, &digits[i], 1) != 0)
			return -1;
		if (i > 0 && i % 3 == 0 && put(out, cap, at, f->group, strlen(f->group)) != 0)
			return -1;
	}
	return 0;
}

int i18n_number(const char *lang, uint64_t v, char *out, size_t cap)
{
	struct numfmt f;
	size_t at = 0;
	if (cap == 0)
		return -1;
	out[0] = 0;
	numfmt_of(lang, &f);
	return number_with(&f, v, out, cap, &at);
}

int i18n_size(const char *lang, uint64_t bytes, char *out, size_t cap)
{
	static const char *const units[] = {"size.b", "size.kib", "size.mib", "size.gib"};
	struct numfmt f;
	size_t at = 0, u = 0;
	if (cap == 0)
		return -1;
	out[0] = 0;
	numfmt_of(lang, &f);
	while (u + 1 < sizeof units / sizeof *units && bytes >= (UINT64_C(1) << (10 * (u + 1))))
		u++;
	uint64_t whole = bytes >> (10 * u);
	/* tenths, rounded down: a limit is never shown larger than it is */
	uint64_t tenths = u == 0 ? 0 : ((bytes & ((UINT64_C(1) << (10 * u)) - 1)) * 10) >> (10 * u);
	const char *unit = i18n_get(lang, units[u]);
	if (number_with(&f, whole, out, cap, &at) != 0)
		return -1;
	if (tenths > 0) {
		char d = (char)('0' + tenths);
		if (put(out, cap, &at, f.decimal, strlen(f.decimal)) != 0 ||
		    put(out, cap, &at, &d, 1) != 0)
			return -1;
	}
	/* a no-break space between the number and its unit */
	if (put(out, cap, &at, "\xc2\xa0", 2) != 0 ||
	    put(out, cap, &at, unit != NULL ? unit : "", unit != NULL ? strlen(unit) : 0) != 0)
		return -1;
	return 0;
}

const char *i18n_result_str(enum i18n_result r)
{
	switch (r) {
	case I18N_OK:
		return "ok";
	case I18N_NOMEM:
		return "out of memory";
	case I18N_TOO_LARGE:
		return "output too large";
	case I18N_UNKNOWN_KEY:
		return "unknown message key";
	case I18N_MISSING_ARG:
		return "message placeholder without a value";
	}
	return "unknown error";
}
