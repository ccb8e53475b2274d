/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_ledger_note: the checkpoint (signed note) parser, the signature check
 * with a fixed key, and the proof file parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pk[32] = {1, 2, 3};
	struct ledger_checkpoint cp;
	struct ledger_proof p;
	if (sodium_init() < 0)
		abort();
	if (ledger_checkpoint_parse(data, size, &cp) == LEDGER_OK) {
		/* the body must format back to the text before the blank line */
		struct buf b;
		buf_init(&b, LEDGER_NOTE_MAX);
		if (ledger_checkpoint_body(&cp, &b) != LEDGER_OK || b.len >= size ||
		    memcmp(b.data, data, b.len) != 0 || data[b.len] != '\n')
			abort();
		buf_release(&b);
	}
	(void)ledger_checkpoint_open(data, size, NULL, pk, &cp);
	if (ledger_proof_parse(data, size, &p) == LEDGER_OK) {
		struct buf b;
		buf_init(&b, 64 * 1024);
		if (ledger_proof_format(&p, &b) != LEDGER_OK || b.len != size ||
		    memcmp(b.data, data, size) != 0)
			abort();
		buf_release(&b);
	}
	return 0;
}
