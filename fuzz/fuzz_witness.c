/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_witness: the add-checkpoint request parser (core/witness), which
 * faces the network: every accepted request formats back to the same bytes;
 * then the witness's verifier key parser and the cosignature line check on
 * the same input, with a fixed key and checkpoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/witness/witness.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pk[32] = {4, 5, 6};
	static struct witness_request r;
	if (sodium_init() < 0)
		abort();
	if (witness_request_parse(data, size, &r) == 0) {
		struct buf b;
		buf_init(&b, WITNESS_REQUEST_MAX + 1);
		if (r.nproof > WITNESS_PROOF_MAX || r.note < data ||
		    r.note + r.note_len != data + size ||
		    witness_request_format(r.old_size, (const uint8_t(*)[MERKLE_HASH_LEN])r.proof,
		                           r.nproof, r.note, r.note_len, &b) != 0 ||
		    b.len != size || memcmp(b.data, data, size) != 0)
			abort();
		buf_release(&b);
	}
	char name[LEDGER_ORIGIN_MAX + 1];
	uint8_t key[32];
	(void)witness_vkey_parse((const char *)data, size, name, key);
	struct ledger_checkpoint cp = {.origin = "example.org/log", .size = 7};
	uint64_t t;
	if (size > 0 && data[size - 1] == '\n')
		(void)witness_cosig_verify((const char *)data, size, "w.example/w1", pk, &cp, &t);
	return 0;
}
