/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzzes the form-urlencoded parser. Checks: fields within the limits, every
 * name and value NUL-terminated at its length with no NUL inside, decoded
 * sizes never above the input, form_get finds the first field of each name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct form_limits lim = {
	        .max_body = 4096, .max_fields = 16, .max_name = 32, .max_value = 256};
	struct form f;
	enum form_result rc = form_parse(&f, (const char *)in, len, &lim);
	if (rc != FORM_OK) {
		if (f.count != 0 || f.fields != NULL)
			abort();
		return 0;
	}
	size_t total = 0;
	if (f.count > lim.max_fields)
		abort();
	for (size_t i = 0; i < f.count; i++) {
		const struct form_field *fl = &f.fields[i];
		if (fl->name_len > lim.max_name || fl->value_len > lim.max_value)
			abort();
		if (strlen(fl->name) != fl->name_len || strlen(fl->value) != fl->value_len)
			abort();
		total += fl->name_len + fl->value_len;
		const char *v = form_get(&f, fl->name);
		if (v == NULL)
			abort();
		size_t first = 0;
		while (strcmp(f.fields[first].name, fl->name) != 0)
			first++;
		if (v != f.fields[first].value)
			abort();
	}
	if (total > len)
		abort();
	form_release(&f);
	return 0;
}
