/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_armor: the age ASCII armor, a strict subset of PEM, in constant memory.
 *
 * Encoding: "-----BEGIN AGE ENCRYPTED FILE-----\n", padded standard base64 in
 * 64-column lines, "-----END AGE ENCRYPTED FILE-----\n".
 *
 * Decoding accepts only what the spec and the CCTV vectors allow: up to 1023
 * bytes of whitespace before and after, LF or CRLF line ends, then the begin
 * line, lines of exactly 64 columns but the last (1..64 columns, canonical
 * padded base64), and the end line (its own line end optional at EOF).
 * Nothing else: no headers, no empty lines, no spaces, no checksums.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/age/age_internal.h"
#include "lib/banned.h"

#define COLUMNS 64
#define BYTES_PER_LINE 48
#define MAX_WHITESPACE 1024
#define LINE_CAP 80

/* ---- encoder ---- */

struct age_armor_enc {
	age_sink_fn sink;
	void *sink_ctx;
	int started;
	uint8_t pend[BYTES_PER_LINE];
	size_t pend_len;
	char out[4096];
	size_t out_len;
};

enum age_err age_armor_enc_new(age_sink_fn sink, void *sink_ctx, struct age_armor_enc **out)
{
	struct age_armor_enc *a = calloc(1, sizeof *a);
	*out = NULL;
	if (a == NULL)
		return AGE_ERR_NOMEM;
	a->sink = sink;
	a->sink_ctx = sink_ctx;
	*out = a;
	return AGE_OK;
}

void age_armor_enc_free(struct age_armor_enc **a)
{
	if (a == NULL || *a == NULL)
		return;
	free(*a);
	*a = NULL;
}

static enum age_err enc_flush(struct age_armor_enc *a)
{
	enum age_err rc = AGE_OK;
	if (a->out_len > 0)
		rc = a->sink(a->sink_ctx, (const uint8_t *)a->out, a->out_len);
	a->out_len = 0;
	return rc;
}

static enum age_err enc_text(struct age_armor_enc *a, const char *s, size_t n)
{
	enum age_err rc;
	if (sizeof a->out - a->out_len < n && (rc = enc_flush(a)) != AGE_OK)
		return rc;
	memcpy(a->out + a->out_len, s, n);
	a->out_len += n;
	return AGE_OK;
}

static enum age_err enc_line(struct age_armor_enc *a, const uint8_t *p, size_t n)
{
	char line[COLUMNS + 2];
	sodium_bin2base64(line, sizeof line, p, n, sodium_base64_VARIANT_ORIGINAL);
	size_t len = strlen(line);
	line[len++] = '\n';
	return enc_text(a, line, len);
}

static enum age_err enc_start(struct age_armor_enc *a)
{
	if (a->started)
		return AGE_OK;
	a->started = 1;
	return enc_text(a, AGE_ARMOR_BEGIN "\n", sizeof AGE_ARMOR_BEGIN);
}

enum age_err age_armor_enc_update(struct age_armor_enc *a, const uint8_t *p, size_t n)
{
	enum age_err rc;
	if ((rc = enc_start(a)) != AGE_OK)
		return rc;
	while (n > 0) {
		size_t take = BYTES_PER_LINE - a->pend_len;
		if (take > n)
			take = n;
		memcpy(a->pend + a->pend_len, p, take);
		a->pend_len += take;
		p += take;
		n -= take;
		if (a->pend_len == BYTES_PER_LINE) {
			if ((rc = enc_line(a, a->pend, a->pend_len)) != AGE_OK)
				return rc;
			a->pend_len = 0;
		}
	}
	return AGE_OK;
}

enum age_err age_armor_enc_finish(struct age_armor_enc *a)
{
	enum age_err rc;
	if ((rc = enc_start(a)) != AGE_OK)
		return rc;
	if (a->pend_len > 0 && (rc = enc_line(a, a->pend, a->pend_len)) != AGE_OK)
		return rc;
	a->pend_len = 0;
	if ((rc = enc_text(a, AGE_ARMOR_END "\n", sizeof AGE_ARMOR_END)) != AGE_OK)
		return rc;
	return enc_flush(a);
}

/* ---- decoder ---- */

enum dec_state {
	DEC_LEADING,  /* whitespace before the begin line */
	DEC_BEGIN,    /* reading the begin line */
	DEC_BODY,     /* base64 lines or the end line */
	DEC_END,      /* after a short line: only the end line */
	DEC_TRAILING, /* after the end line: whitespace only */
	DEC_FAILED,
};

struct age_armor_dec {
	age_sink_fn sink;
	void *sink_ctx;
	enum dec_state state;
	size_t ws; /* whitespace seen in DEC_LEADING or DEC_TRAILING */
	char line[LINE_CAP];
	size_t line_len;
	enum age_err err;
};

enum age_err age_armor_dec_new(age_sink_fn sink, void *sink_ctx, struct age_armor_dec **out)
{
	struct age_armor_dec *a = calloc(1, sizeof *a);
	*out = NULL;
	if (a == NULL)
		return AGE_ERR_NOMEM;
	a->sink = sink;
	a->sink_ctx = sink_ctx;
	a->state = DEC_LEADING;
	*out = a;
	return AGE_OK;
}

void age_armor_dec_free(struct age_armor_dec **a)
{
	if (a == NULL || *a == NULL)
		return;
	free(*a);
	*a = NULL;
}

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int line_is(const char *line, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(line, s, n) == 0;
}

/* Handles one line (its "\n" and one "\r" before it removed). */
static enum age_err dec_line(struct age_armor_dec *a, const char *line, size_t n)
{
	uint8_t bin[BYTES_PER_LINE];
	size_t blen = 0;
	switch (a->state) {
	case DEC_BEGIN:
		if (!line_is(line, n, AGE_ARMOR_BEGIN))
			return AGE_ERR_ARMOR;
		a->state = DEC_BODY;
		return AGE_OK;
	case DEC_BODY:
		if (line_is(line, n, AGE_ARMOR_END)) {
			a->state = DEC_TRAILING;
			return AGE_OK;
		}
		if (n == 0 || n > COLUMNS || n % 4 != 0)
			return AGE_ERR_ARMOR;
		if (age_b64_decode(line, n, 1, bin, sizeof bin, &blen) != 0)
			return AGE_ERR_ARMOR;
		if (blen < BYTES_PER_LINE)
			a->state = DEC_END;
		return a->sink(a->sink_ctx, bin, blen);
	case DEC_END:
		if (!line_is(line, n, AGE_ARMOR_END))
			return AGE_ERR_ARMOR;
		a->state = DEC_TRAILING;
		return AGE_OK;
	default:
		return AGE_ERR_ARMOR;
	}
}

static enum age_err dec_take_line(struct age_armor_dec *a)
{
	size_t n = a->line_len;
	if (n > 0 && a->line[n - 1] == '\r')
		n--;
	a->line_len = 0;
	return dec_line(a, a->line, n);
}

enum age_err age_armor_dec_update(struct age_armor_dec *a, const uint8_t *p, size_t n)
{
	enum age_err rc = AGE_OK;
	if (a->state == DEC_FAILED)
		return a->err;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (a->state == DEC_TRAILING) {
			if (!is_space(c) || ++a->ws >= MAX_WHITESPACE) {
				rc = AGE_ERR_ARMOR;
				goto out;
			}
			continue;
		}
		if (a->state == DEC_LEADING) {
			if (is_space(c)) {
				if (++a->ws > MAX_WHITESPACE) {
					rc = AGE_ERR_ARMOR;
					goto out;
				}
				continue;
			}
			a->state = DEC_BEGIN;
			a->ws = 0;
		}
		if (c == '\n') {
			if ((rc = dec_take_line(a)) != AGE_OK)
				goto out;
			continue;
		}
		if (a->line_len == sizeof a->line) {
			rc = AGE_ERR_ARMOR;
			goto out;
		}
		a->line[a->line_len++] = (char)c;
	}
out:
	if (rc != AGE_OK) {
		a->state = DEC_FAILED;
		a->err = rc;
	}
	return rc;
}

enum age_err age_armor_dec_finish(struct age_armor_dec *a)
{
	enum age_err rc = AGE_OK;
	if (a->state == DEC_FAILED)
		return a->err;
	/* The end line may lack its line end; nothing else may. */
	if (a->line_len > 0 && (a->state == DEC_BODY || a->state == DEC_END) &&
	    (rc = dec_take_line(a)) != AGE_OK)
		goto out;
	if (a->state != DEC_TRAILING)
		rc = AGE_ERR_ARMOR;
out:
	if (rc != AGE_OK) {
		a->state = DEC_FAILED;
		a->err = rc;
	}
	return rc;
}
