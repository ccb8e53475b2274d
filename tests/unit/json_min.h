/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * json_min.h: a minimal JSON reader for test vectors. Header-only, tests only.
 *
 * Parses a whole document into a fixed pool of nodes. Strings are returned
 * raw (the bytes between the quotes, escapes left as they are: the vectors
 * hold only base64, hex and plain text), numbers only as unsigned 64-bit
 * integers. Anything else (floats, negative numbers, trailing data, nesting
 * deeper than the pool) makes json_parse fail with -1.
 */
#ifndef CUTOUT_TESTS_JSON_MIN_H
#define CUTOUT_TESTS_JSON_MIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

#define J_NONE ((size_t)-1)
#define J_POOL 512

struct jnode {
	enum jtype type;
	const char *str; /* J_STR: raw contents; object members: key in key/keylen */
	size_t len;
	uint64_t num;
	int boolean;
	const char *key;
	size_t keylen;
	size_t child; /* first element or member, J_NONE if none */
	size_t next;  /* next sibling, J_NONE if last */
};

struct jdoc {
	struct jnode node[J_POOL];
	size_t count;
	const char *p, *end;
};

static inline void j_ws(struct jdoc *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\r' || *d->p == '\t'))
		d->p++;
}

static inline int j_lit(struct jdoc *d, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(d->end - d->p) < n || memcmp(d->p, lit, n) != 0)
		return -1;
	d->p += n;
	return 0;
}

/* A string: on return *s, *len hold the raw bytes between the quotes. */
static inline int j_string(struct jdoc *d, const char **s, size_t *len)
{
	if (d->p >= d->end || *d->p != '"')
		return -1;
	const char *start = ++d->p;
	while (d->p < d->end && *d->p != '"') {
		if ((unsigned char)*d->p < 0x20)
			return -1;
		if (*d->p == '\\') {
			d->p++;
			if (d->p >= d->end)
				return -1;
		}
		d->p++;
	}
	if (d->p >= d->end)
		return -1;
	*s = start;
	*len = (size_t)(d->p - start);
	d->p++;
	return 0;
}

static inline size_t j_value(struct jdoc *d, int depth);

static inline size_t j_new(struct jdoc *d, enum jtype t)
{
	if (d->count >= J_POOL)
		return J_NONE;
	struct jnode *n = &d->node[d->count];
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->child = J_NONE;
	n->next = J_NONE;
	return d->count++;
}

/* Parses the elements or members of an array/object after its opening bracket. */
static inline int j_items(struct jdoc *d, size_t self, int is_obj, int depth)
{
	char close = is_obj ? '}' : ']';
	size_t last = J_NONE;
	j_ws(d);
	if (d->p < d->end && *d->p == close) {
		d->p++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t keylen = 0;
		j_ws(d);
		if (is_obj) {
			if (j_string(d, &key, &keylen) != 0)
				return -1;
			j_ws(d);
			if (d->p >= d->end || *d->p != ':')
				return -1;
			d->p++;
		}
		size_t v = j_value(d, depth + 1);
		if (v == J_NONE)
			return -1;
		d->node[v].key = key;
		d->node[v].keylen = keylen;
		if (last == J_NONE)
			d->node[self].child = v;
		else
			d->node[last].next = v;
		last = v;
		j_ws(d);
		if (d->p >= d->end)
			return -1;
		if (*d->p == ',') {
			d->p++;
			continue;
		}
		if (*d->p == close) {
			d->p++;
			return 0;
		}
		return -1;
	}
}

static inline size_t j_value(struct jdoc *d, int depth)
{
	if (depth > 16)
		return J_NONE;
	j_ws(d);
	if (d->p >= d->end)
		return J_NONE;
	size_t n;
	char c = *d->p;
	if (c == '{' || c == '[') {
		d->p++;
		n = j_new(d, c == '{' ? J_OBJ : J_ARR);
		if (n == J_NONE || j_items(d, n, c == '{', depth) != 0)
			return J_NONE;
		return n;
	}
	if (c == '"') {
		n = j_new(d, J_STR);
		if (n == J_NONE || j_string(d, &d->node[n].str, &d->node[n].len) != 0)
			return J_NONE;
		return n;
	}
	if (c >= '0' && c <= '9') {
		uint64_t v = 0;
		while (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
			uint64_t digit = (uint64_t)(*d->p - '0');
			if (v > (UINT64_MAX - digit) / 10)
				return J_NONE;
			v = v * 10 + digit;
			d->p++;
		}
		if (d->p < d->end && (*d->p == '.' || *d->p == 'e' || *d->p == 'E'))
			return J_NONE;
		n = j_new(d, J_NUM);
		if (n != J_NONE)
			d->node[n].num = v;
		return n;
	}
	if (j_lit(d, "true") == 0 || j_lit(d, "false") == 0) {
		n = j_new(d, J_BOOL);
		if (n != J_NONE)
			d->node[n].boolean = d->p[-1] == 'e' && d->p[-2] == 'u';
		return n;
	}
	if (j_lit(d, "null") == 0)
		return j_new(d, J_NULL);
	return J_NONE;
}

/* Parses text[0..len); returns the root node index or J_NONE. */
static inline size_t json_parse(struct jdoc *d, const char *text, size_t len)
{
	d->count = 0;
	d->p = text;
	d->end = text + len;
	size_t root = j_value(d, 0);
	j_ws(d);
	if (root == J_NONE || d->p != d->end)
		return J_NONE;
	return root;
}

/* The member `key` of object obj, or J_NONE. */
static inline size_t json_get(const struct jdoc *d, size_t obj, const char *key)
{
	if (obj == J_NONE || d->node[obj].type != J_OBJ)
		return J_NONE;
	size_t klen = strlen(key);
	for (size_t c = d->node[obj].child; c != J_NONE; c = d->node[c].next)
		if (d->node[c].keylen == klen && memcmp(d->node[c].key, key, klen) == 0)
			return c;
	return J_NONE;
}

#endif
