/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_conf: the configuration parser. Any input either fails with a line
 * number within the input, or parses; what parses must survive a round trip
 * through conf_format unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/conf.h"

#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c, again;
	struct conf_error err;
	enum conf_result rc = conf_parse((const char *)data, size, &c, &err);
	if (rc != CONF_OK) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (err.line < 0 || (size_t)err.line > lines ||
		    memchr(err.msg, 0, sizeof err.msg) == NULL)
			abort();
		return 0;
	}
	struct buf b;
	buf_init(&b, CONF_FILE_MAX);
	if (conf_format(&c, &b) != CONF_OK)
		abort();
	if (conf_parse((const char *)b.data, b.len, &again, &err) != CONF_OK)
		abort();
	if (memcmp(&c, &again, sizeof c) != 0)
		abort();
	buf_release(&b);
	return 0;
}
