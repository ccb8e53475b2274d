/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* fuzz_ledger_entry: the strict entry parser; whatever it accepts must re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ledger_entry e;
	if (ledger_entry_parse(data, size, &e) != LEDGER_OK)
		return 0;
	struct ledger_event ev = {.action = e.action,
	                          .actor = e.actor,
	                          .object = e.object,
	                          .marking = e.marking,
	                          .detail = e.detail};
	uint8_t out[LEDGER_ENTRY_MAX];
	size_t len;
	if (ledger_entry_encode(&ev, e.index, e.day, out, &len) != LEDGER_OK || len != size ||
	    memcmp(out, data, size) != 0)
		abort(); /* not canonical */
	return 0;
}
