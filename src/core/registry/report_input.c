/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report_input: a report to write as a typed structure (struct
 * registry_report_input), checked into a draft with its overall marking
 * (registry_report_draft), and the citations "report:N, submission:M"
 * (registry_cites_parse). The desk builds the input from its form, the CLI
 * from a file (registry_report_parse, report_text.c): one check for both.
 */
#include "core/registry/registry_internal.h"

#include <string.h>

#include "lib/banned.h"

static bool space(char c)
{
	return c == ' ' || c == '\t';
}

/* Drops spaces, tabs and line ends before and after. */
static void trim(const char **p, size_t *n)
{
	const char *s = *p;
	size_t k = s != NULL ? *n : 0;
	while (k > 0 && (space(*s) || *s == '\n' || *s == '\r')) {
		s++;
		k--;
	}
	while (k > 0 && (space(s[k - 1]) || s[k - 1] == '\n' || s[k - 1] == '\r'))
		k--;
	*p = s;
	*n = k;
}

/* Whether text holds a blank line (only spaces or tabs), which would end a paragraph. */
static bool has_blank_line(const char *t, size_t n)
{
	bool blank = true;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\n') {
			if (blank)
				return true;
			blank = true;
		} else if (!space(t[i]))
			blank = false;
	}
	return false;
}

/* One paragraph (no 0: the title) checked and added to rep. */
static enum registry_result add_para(const struct registry *r, struct registry_report *rep,
                                     const struct registry_input_para *ip, size_t no, size_t *total,
                                     struct registry_error *err)
{
	const char *what = no ? "paragraph" : "title";
	const char *pm = ip->portion, *text = ip->text;
	size_t pml = ip->portion_len, len = ip->len;
	trim(&pm, &pml);
	trim(&text, &len);
	struct marking m;
	struct marking_error merr;
	if (pml == 0) {
		reg_say(err, "%s %zu: expected a portion marking such as (S) at its start", what,
		        no);
		return REGISTRY_BAD_INPUT;
	}
	char wrapped[MARKING_TEXT_MAX + 3];
	if (pm[0] != '(') { /* "S//HUMINT" as typed: the portion form is "(S//HUMINT)" */
		if (pml > MARKING_TEXT_MAX || memchr(pm, '(', pml) != NULL ||
		    memchr(pm, ')', pml) != NULL) {
			reg_say(err,
			        "%s %zu: a portion marking is one line without parentheses "
			        "inside, such as S or S//HUMINT",
			        what, no);
			return REGISTRY_BAD_INPUT;
		}
		wrapped[0] = '(';
		memcpy(wrapped + 1, pm, pml);
		wrapped[pml + 1] = ')';
		pm = wrapped;
		pml += 2;
	}
	if (marking_parse(&r->scheme, pm, pml, &m, &merr) != MARKING_OK) {
		reg_say(err, "%s %zu: portion marking %s", what, no, merr.msg);
		return REGISTRY_BAD_INPUT;
	}
	if (len == 0) {
		reg_say(err, "%s %zu: empty after its portion marking", what, no);
		return REGISTRY_BAD_INPUT;
	}
	if (no == 0 && (len > REGISTRY_TITLE_MAX || !reg_text_ok(text, len, false))) {
		reg_say(err, "title: one line of printable text, at most %d bytes",
		        REGISTRY_TITLE_MAX);
		return REGISTRY_BAD_INPUT;
	}
	if (no > 0 && len > REGISTRY_PARA_MAX) {
		reg_say(err, "paragraph %zu: longer than %d bytes", no, REGISTRY_PARA_MAX);
		return REGISTRY_BAD_INPUT;
	}
	if (no > 0 && (!reg_text_ok(text, len, true) || has_blank_line(text, len))) {
		reg_say(err, "paragraph %zu: control characters or a blank line", no);
		return REGISTRY_BAD_INPUT;
	}
	if (len > REGISTRY_TEXT_MAX - *total) {
		reg_say(err, "the report is longer than %d bytes", REGISTRY_TEXT_MAX);
		return REGISTRY_BAD_INPUT;
	}
	*total += len;
	return reg_para_add(rep, &m, text, len) == 0 ? REGISTRY_OK : REGISTRY_FAILED;
}

enum registry_result registry_report_draft(const struct registry *r,
                                           const struct registry_report_input *in,
                                           struct registry_report **out, struct registry_error *err)
{
	enum registry_result rc = REGISTRY_BAD_INPUT;
	struct registry_report *rep = NULL;
	size_t total = 0;

	*out = NULL;
	if (err)
		err->msg[0] = '\0';
	if (in == NULL || in->nparas == 0 || (in->paras == NULL && in->nparas > 0)) {
		reg_say(err, "a report needs a title and at least one paragraph");
		return REGISTRY_BAD_INPUT;
	}
	if (in->nparas > REGISTRY_PARAS_MAX) {
		reg_say(err, "more than %d paragraphs", REGISTRY_PARAS_MAX);
		return REGISTRY_BAD_INPUT;
	}
	if (in->ncites > REGISTRY_CITES_MAX || (in->cites == NULL && in->ncites > 0)) {
		reg_say(err, "more than %d citations", REGISTRY_CITES_MAX);
		return REGISTRY_BAD_INPUT;
	}
	for (size_t i = 0; i < in->ncites; i++)
		if ((in->cites[i].kind != REGISTRY_CITE_REPORT &&
		     in->cites[i].kind != REGISTRY_CITE_SUBMISSION) ||
		    in->cites[i].id <= 0) {
			reg_say(err, "citation %zu: not a report or a submission", i + 1);
			return REGISTRY_BAD_INPUT;
		}
	if ((rep = reg_report_new()) == NULL)
		return REGISTRY_FAILED;
	if ((rc = add_para(r, rep, &in->title, 0, &total, err)) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < in->nparas; i++)
		if ((rc = add_para(r, rep, &in->paras[i], i + 1, &total, err)) != REGISTRY_OK)
			goto out;
	if ((rc = reg_overall(r, rep, err)) != REGISTRY_OK)
		goto out;
	*out = rep;
	rep = NULL;
out:
	registry_report_free(&rep);
	return rc;
}

enum registry_result registry_cites_parse(const char *s, struct registry_cite *cites, size_t cap,
                                          size_t *n)
{
	static const struct {
		const char *prefix;
		enum registry_cite_kind kind;
	} kinds[] = {{"report:", REGISTRY_CITE_REPORT}, {"submission:", REGISTRY_CITE_SUBMISSION}};
	*n = 0;
	while (s != NULL && *s != 0) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == 0)
			break;
		size_t k = 0;
		while (k < sizeof kinds / sizeof *kinds &&
		       strncmp(s, kinds[k].prefix, strlen(kinds[k].prefix)) != 0)
			k++;
		if (k == sizeof kinds / sizeof *kinds || *n >= cap)
			return REGISTRY_BAD_INPUT;
		s += strlen(kinds[k].prefix);
		int64_t id = 0;
		if (*s < '0' || *s > '9')
			return REGISTRY_BAD_INPUT;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (id > (INT64_MAX - 9) / 10)
				return REGISTRY_BAD_INPUT;
			id = id * 10 + (*s - '0');
		}
		if (id <= 0 || (*s != 0 && *s != ',' && *s != ' '))
			return REGISTRY_BAD_INPUT;
		cites[*n] = (struct registry_cite){kinds[k].kind, id};
		(*n)++;
	}
	return REGISTRY_OK;
}
