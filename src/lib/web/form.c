/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/web/form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

const struct form_limits form_default_limits = {
        .max_body = 64 * 1024,
        .max_fields = 64,
        .max_name = 256,
        .max_value = 64 * 1024,
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes s[0..n) to dst (which has room for n bytes), NUL-terminates it and
 * stores the decoded length in *out_len.
 */
static enum form_result decode(const char *s, size_t n, char *dst, size_t max, size_t *out_len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (n - i < 3)
				return FORM_MALFORMED;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return FORM_MALFORMED;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '\0') {
			return FORM_MALFORMED;
		}
		if (o == max)
			return FORM_TOO_LARGE;
		dst[o++] = c;
	}
	dst[o] = '\0';
	*out_len = o;
	return FORM_OK;
}

enum form_result form_parse(struct form *f, const char *body, size_t len,
                            const struct form_limits *lim)
{
	enum form_result rc = FORM_OK;
	if (lim == NULL)
		lim = &form_default_limits;
	f->fields = NULL;
	f->count = 0;
	f->storage = NULL;
	f->storage_len = 0;
	if (len > lim->max_body)
		return FORM_TOO_LARGE;

	/* Count the pairs first so both allocations are exact. */
	size_t pairs = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp != NULL ? (size_t)(amp - body) : len;
		if (end > i)
			pairs++;
		i = end + 1;
	}
	if (pairs > lim->max_fields)
		return FORM_TOO_MANY;
	if (pairs == 0)
		return FORM_OK;
	/* Decoded text is never longer than encoded; plus two NULs per pair. */
	if (pairs > (SIZE_MAX - len) / 2)
		return FORM_TOO_LARGE;
	f->storage_len = len + 2 * pairs;
	f->storage = malloc(f->storage_len);
	f->fields = calloc(pairs, sizeof(*f->fields));
	if (f->storage == NULL || f->fields == NULL) {
		rc = FORM_NOMEM;
		goto out;
	}
	char *dst = f->storage;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp != NULL ? (size_t)(amp - body) : len;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t name_end = eq != NULL ? (size_t)(eq - body) : end;
			size_t val_start = eq != NULL ? name_end + 1 : end;
			struct form_field *fld = &f->fields[f->count];
			if ((rc = decode(body + i, name_end - i, dst, lim->max_name,
			                 &fld->name_len)) != FORM_OK)
				goto out;
			fld->name = dst;
			dst += fld->name_len + 1;
			if ((rc = decode(body + val_start, end - val_start, dst, lim->max_value,
			                 &fld->value_len)) != FORM_OK)
				goto out;
			fld->value = dst;
			dst += fld->value_len + 1;
			f->count++;
		}
		i = end + 1;
	}
out:
	if (rc != FORM_OK)
		form_release(f);
	return rc;
}

const char *form_get(const struct form *f, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < f->count; i++)
		if (f->fields[i].name_len == n && memcmp(f->fields[i].name, name, n) == 0)
			return f->fields[i].value;
	return NULL;
}

void form_release(struct form *f)
{
	if (f == NULL)
		return;
	/* Forms carry codenames: leave no copy in freed memory. */
	if (f->storage != NULL)
		sodium_memzero(f->storage, f->storage_len);
	free(f->storage);
	free(f->fields);
	f->storage = NULL;
	f->storage_len = 0;
	f->fields = NULL;
	f->count = 0;
}

const char *form_result_str(enum form_result r)
{
	switch (r) {
	case FORM_OK:
		return "ok";
	case FORM_NOMEM:
		return "out of memory";
	case FORM_MALFORMED:
		return "malformed form body";
	case FORM_TOO_MANY:
		return "too many form fields";
	case FORM_TOO_LARGE:
		return "form body, name or value too large";
	}
	return "unknown error";
}
