/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * form: application/x-www-form-urlencoded bodies (small forms only).
 *
 * form_parse() splits body[0..len) on '&' into at most lim->max_fields
 * (name, value) pairs, decoding '+' as a space and %XX escapes (either case).
 * Empty pairs ("a=1&&b=2") are skipped; a pair without '=' has an empty value
 * (as browsers do). It fails with FORM_MALFORMED on a bad escape ('%' not
 * followed by two hex digits) or on an escape decoding to NUL (values are
 * handed out as C strings), and with FORM_TOO_MANY / FORM_TOO_LARGE past the
 * limits (sizes counted after decoding). Bytes are not checked for UTF-8:
 * escape on output (html_escape) as for any input.
 *
 * On success the form owns one allocation; form_release() frees it. On
 * failure the form is left empty (release is still allowed).
 */
#ifndef CUTOUT_LIB_FORM_H
#define CUTOUT_LIB_FORM_H

#include <stddef.h>

enum form_result {
	FORM_OK = 0,
	FORM_NOMEM,
	FORM_MALFORMED,
	FORM_TOO_MANY,  /* more than max_fields pairs */
	FORM_TOO_LARGE, /* body, a name or a value past its limit */
};

struct form_limits {
	size_t max_body;   /* bytes of encoded input */
	size_t max_fields; /* pairs */
	size_t max_name;   /* decoded bytes of one name */
	size_t max_value;  /* decoded bytes of one value */
};

/* 64 KiB body, 64 fields, 256-byte names, 64 KiB values. */
extern const struct form_limits form_default_limits;

struct form_field {
	const char *name;
	const char *value;
	size_t name_len;
	size_t value_len;
};

struct form {
	struct form_field *fields;
	size_t count;
	char *storage;      /* private */
	size_t storage_len; /* private */
};

/* lim may be NULL for form_default_limits. */
__attribute__((warn_unused_result)) enum form_result
form_parse(struct form *f, const char *body, size_t len, const struct form_limits *lim);
/* The value of the first field named name, or NULL. */
const char *form_get(const struct form *f, const char *name);
void form_release(struct form *f);
const char *form_result_str(enum form_result r);

#endif
