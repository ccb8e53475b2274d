/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_report: the report text parser (registry_report_parse) and the check
 * of the typed input it gives (registry_report_draft). The first byte picks
 * the scheme (uk, us, tlp), the rest is the report's text. Neither touches
 * the store, so the registry runs over an empty backend. Any input either
 * fails with a NUL-terminated message and no report, or gives a title and
 * at least one paragraph, each
 * NUL-terminated at its length, whose overall marking dominates every
 * portion; what parses formats (registry_report_format) and parses back to
 * the same paragraphs and marking.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry/registry.h"
#include "core/store/store_desk.h"
#include "core/store/store_ledger.h"
#include "core/store/store_officer.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct registry *r, const struct registry_report *rep)
{
	if (rep->nparas < 2 || rep->nparas > REGISTRY_PARAS_MAX + 1)
		abort();
	for (size_t i = 0; i < rep->nparas; i++) {
		const struct registry_para *p = &rep->paras[i];
		if (p->text == NULL || p->len == 0 || p->text[p->len] != 0 ||
		    !marking_dominates(&rep->marking, &p->portion))
			abort();
	}
	if (strnlen(rep->marking_text, sizeof rep->marking_text) >= sizeof rep->marking_text)
		abort();
	(void)r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store_registry_ops rops;
	static struct store_officer_ops oops;
	static struct store_desk_ops dops;
	static struct store_ledger_ops lops;
	static struct store_backend be;
	static struct store st;
	static struct registry *regs[3];
	if (regs[0] == NULL) {
		be.registry = &rops;
		be.officer = &oops;
		be.desk = &dops;
		be.ledger = &lops;
		st.be = &be;
		for (int i = 0; i < 3; i++) {
			struct marking_scheme sc;
			struct marking_error err;
			if (marking_scheme_init(&sc, (enum marking_scheme_kind)i,
			                        "HUMINT,SIGINT,SOURCE", "GBR",
			                        &err) != MARKING_OK ||
			    registry_new(&st, &sc, &regs[i]) != REGISTRY_OK)
				abort();
		}
	}
	if (size < 1)
		return 0;
	const struct registry *r = regs[data[0] % 3];
	static struct registry_input_para paras[REGISTRY_PARAS_MAX];
	struct registry_report_input in;
	struct registry_report *rep = NULL;
	struct registry_error err;
	memset(&err, 0xa5, sizeof err);
	enum registry_result rc = registry_report_parse((const char *)data + 1, size - 1, paras,
	                                                REGISTRY_PARAS_MAX, &in, &err);
	if (rc == REGISTRY_OK)
		rc = registry_report_draft(r, &in, &rep, &err);
	if (rc != REGISTRY_OK) {
		if (rep != NULL || strnlen(err.msg, sizeof err.msg) >= sizeof err.msg)
			abort();
		return 0;
	}
	if (rep == NULL)
		abort();
	check(r, rep);
	struct buf b;
	buf_init(&b, 2 * REGISTRY_TEXT_MAX);
	struct registry_report *again = NULL;
	if (registry_report_format(r, rep, &b) != REGISTRY_OK ||
	    registry_report_parse((const char *)b.data, b.len, paras, REGISTRY_PARAS_MAX, &in,
	                          NULL) != REGISTRY_OK ||
	    registry_report_draft(r, &in, &again, NULL) != REGISTRY_OK)
		abort();
	if (again->nparas != rep->nparas || !marking_equal(&again->marking, &rep->marking))
		abort();
	for (size_t i = 0; i < rep->nparas; i++)
		if (!marking_equal(&again->paras[i].portion, &rep->paras[i].portion) ||
		    again->paras[i].len != rep->paras[i].len ||
		    memcmp(again->paras[i].text, rep->paras[i].text, rep->paras[i].len) != 0)
			abort();
	registry_report_free(&again);
	registry_report_free(&rep);
	buf_release(&b);
	return 0;
}
