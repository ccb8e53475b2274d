/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report_text: a report as text. The text form of the CLI's files into the
 * typed input (registry_report_parse) and a report back into it
 * (registry_report_format), the overall marking, the plaintext of the sealed
 * body, and the tearline (the sanitised view).
 */
#include "core/registry/registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/banned.h"

#define BODY_MAGIC "cutout-report-v1\n"
#define WITHHELD "[title withheld]"

void registry_report_free(struct registry_report **rep)
{
	if (rep == NULL || *rep == NULL)
		return;
	struct registry_report *p = *rep;
	for (size_t i = 0; i < p->nparas; i++) {
		if (p->paras[i].text) {
			sodium_memzero(p->paras[i].text, p->paras[i].len);
			free(p->paras[i].text);
		}
	}
	free(p->paras);
	free(p);
	*rep = NULL;
}

struct registry_report *reg_report_new(void)
{
	return calloc(1, sizeof(struct registry_report));
}

int reg_para_add(struct registry_report *rep, const struct marking *m, const char *text, size_t len)
{
	if (rep->nparas >= REGISTRY_PARAS_MAX + 1)
		return -1;
	struct registry_para *p = realloc(rep->paras, (rep->nparas + 1) * sizeof *p);
	if (p == NULL)
		return -1;
	rep->paras = p;
	char *t = malloc(len + 1);
	if (t == NULL)
		return -1;
	if (len)
		memcpy(t, text, len);
	t[len] = '\0';
	rep->paras[rep->nparas++] = (struct registry_para){.portion = *m, .text = t, .len = len};
	return 0;
}

/* The overall marking: combine of every portion. */
enum registry_result reg_overall(const struct registry *r, struct registry_report *rep,
                                 struct registry_error *err)
{
	if (rep->nparas == 0) {
		reg_say(err, "a report needs a title");
		return REGISTRY_BAD_INPUT;
	}
	struct marking m = rep->paras[0].portion;
	for (size_t i = 1; i < rep->nparas; i++) {
		enum marking_result mr =
		        marking_combine(&r->scheme, &m, &rep->paras[i].portion, &m);
		if (mr == MARKING_ERR_NO_RELEASE) {
			reg_say(err,
			        "paragraph %zu: the release lists of the portions have no nation "
			        "in "
			        "common, nobody could read the report",
			        i);
			return REGISTRY_BAD_INPUT;
		}
		if (mr != MARKING_OK) {
			reg_say(err,
			        "paragraph %zu: the combined marking is too long or of another "
			        "scheme",
			        i);
			return REGISTRY_BAD_INPUT;
		}
	}
	rep->marking = m;
	if (marking_format(&r->scheme, &m, false, rep->marking_text, sizeof rep->marking_text) < 0)
		return REGISTRY_FAILED;
	return REGISTRY_OK;
}

bool reg_text_ok(const char *p, size_t n, bool multiline)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0 || c == 0x7f || (c < 0x20 && !(multiline && c == '\n') && c != '\t'))
			return false;
	}
	return true;
}

static size_t line_end(const char *t, size_t len, size_t i)
{
	const char *nl = memchr(t + i, '\n', len - i);
	return nl ? (size_t)(nl - t) : len;
}

static bool blank(const char *t, size_t a, size_t b)
{
	for (size_t k = a; k < b; k++)
		if (t[k] != ' ' && t[k] != '\t' && t[k] != '\r')
			return false;
	return true;
}

enum registry_result registry_report_parse(const char *text, size_t len,
                                           struct registry_input_para *paras, size_t cap,
                                           struct registry_report_input *in,
                                           struct registry_error *err)
{
	size_t i = 0, no = 0;

	memset(in, 0, sizeof *in);
	in->paras = paras;
	if (err)
		err->msg[0] = '\0';
	if (len > REGISTRY_TEXT_MAX) {
		reg_say(err, "the report is longer than %d bytes", REGISTRY_TEXT_MAX);
		return REGISTRY_BAD_INPUT;
	}
	while (i < len) {
		size_t le = line_end(text, len, i);
		if (blank(text, i, le)) {
			i = le < len ? le + 1 : len;
			continue;
		}
		/* a block: lines up to a blank line */
		size_t start = i, end = le;
		i = le < len ? le + 1 : len;
		while (i < len) {
			size_t ne = line_end(text, len, i);
			if (blank(text, i, ne))
				break;
			end = ne;
			i = ne < len ? ne + 1 : len;
		}
		const char *b = text + start;
		size_t bl = end - start;
		const char *close = b[0] == '(' ? memchr(b, ')', bl) : NULL;
		if (close == NULL) {
			reg_say(err, "%s %zu: expected a portion marking such as (S) at its start",
			        no ? "paragraph" : "title", no);
			return REGISTRY_BAD_INPUT;
		}
		if (no > cap) {
			reg_say(err, "more than %zu paragraphs", cap);
			return REGISTRY_BAD_INPUT;
		}
		size_t ml = (size_t)(close - b) + 1;
		struct registry_input_para p = {b, ml, b + ml, bl - ml};
		if (no == 0)
			in->title = p;
		else
			paras[no - 1] = p;
		no++;
	}
	if (no < 2) {
		reg_say(err, "a report needs a title and at least one paragraph");
		return REGISTRY_BAD_INPUT;
	}
	in->nparas = no - 1;
	return REGISTRY_OK;
}

enum registry_result registry_report_format(const struct registry *r,
                                            const struct registry_report *rep, struct buf *out)
{
	char pm[MARKING_TEXT_MAX + 3];
	for (size_t i = 0; i < rep->nparas; i++) {
		if (marking_format(&r->scheme, &rep->paras[i].portion, true, pm, sizeof pm) < 0)
			return REGISTRY_FAILED;
		if ((i && buf_append_byte(out, '\n') != BUF_OK) ||
		    buf_printf(out, "%s ", pm) != BUF_OK ||
		    buf_append(out, rep->paras[i].text, rep->paras[i].len) != BUF_OK ||
		    buf_append_byte(out, '\n') != BUF_OK)
			return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

/* The plaintext of the sealed body: magic, then per paragraph "PORTION\nLEN\nTEXT\n". */
enum registry_result reg_body_encode(const struct registry *r, const struct registry_report *rep,
                                     struct buf *b)
{
	char pm[MARKING_TEXT_MAX + 3];
	if (buf_append_str(b, BODY_MAGIC) != BUF_OK)
		return REGISTRY_FAILED;
	for (size_t i = 0; i < rep->nparas; i++) {
		if (marking_format(&r->scheme, &rep->paras[i].portion, true, pm, sizeof pm) < 0 ||
		    buf_printf(b, "%s\n%zu\n", pm, rep->paras[i].len) != BUF_OK ||
		    buf_append(b, rep->paras[i].text, rep->paras[i].len) != BUF_OK ||
		    buf_append_byte(b, '\n') != BUF_OK)
			return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

enum registry_result reg_body_decode(const struct registry *r, const uint8_t *p, size_t n,
                                     struct registry_report *rep)
{
	size_t ml = strlen(BODY_MAGIC), i = ml;
	if (n < ml || memcmp(p, BODY_MAGIC, ml) != 0)
		return REGISTRY_FAILED;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		if (nl == NULL)
			return REGISTRY_FAILED;
		struct marking m;
		if (marking_parse(&r->scheme, (const char *)p + i, (size_t)(nl - (p + i)), &m,
		                  NULL) != MARKING_OK)
			return REGISTRY_FAILED;
		i = (size_t)(nl - p) + 1;
		size_t len = 0, digits = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 8) {
			len = len * 10 + (size_t)(p[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || i >= n || p[i] != '\n')
			return REGISTRY_FAILED;
		i++;
		if (len > n - i || n - i - len < 1 || p[i + len] != '\n')
			return REGISTRY_FAILED;
		if (reg_para_add(rep, &m, (const char *)p + i, len) != 0)
			return REGISTRY_FAILED;
		i += len + 1;
	}
	return REGISTRY_OK;
}

/* ---- the tearline ---- */

enum registry_result registry_tearline(const struct registry *r, const struct registry_report *rep,
                                       const struct marking *target, struct registry_report **out)
{
	struct registry_report *t = reg_report_new();
	*out = NULL;
	if (t == NULL)
		return REGISTRY_FAILED;
	t->id = rep->id;
	t->author = rep->author;
	t->day = rep->day;
	for (size_t i = 0; i < rep->nparas; i++) {
		const struct registry_para *p = &rep->paras[i];
		int e = 0;
		if (marking_dominates(target, &p->portion)) {
			e = reg_para_add(t, &p->portion, p->text, p->len);
		} else if (i == 0) {
			struct marking low;
			memset(&low, 0, sizeof low);
			low.scheme = target->scheme;
			low.flags = MARKING_REL_ALL;
			e = reg_para_add(t, &low, WITHHELD, strlen(WITHHELD));
		}
		if (e != 0) {
			registry_report_free(&t);
			return REGISTRY_FAILED;
		}
	}
	if (t->nparas <= 1) {
		t->marking = *target;
		if (marking_format(&r->scheme, target, false, t->marking_text,
		                   sizeof t->marking_text) < 0) {
			registry_report_free(&t);
			return REGISTRY_BAD_INPUT;
		}
	} else if (reg_overall(r, t, NULL) != REGISTRY_OK) {
		registry_report_free(&t);
		return REGISTRY_FAILED;
	}
	*out = t;
	return REGISTRY_OK;
}
