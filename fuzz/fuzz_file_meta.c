/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* libFuzzer: the sealed file metadata decoder (intake_meta_decode) and its round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake/intake.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[1100], type[300];
	uint64_t n;
	if (intake_meta_decode(data, size, name, sizeof name, type, sizeof type, &n) != 0)
		return 0;
	/* What decodes must encode back to something that decodes the same. */
	struct buf b;
	buf_init(&b, 8 * 1024);
	if (intake_meta_encode(&b, name, type, n) != 0)
		abort();
	char name2[1100], type2[300];
	uint64_t n2;
	if (intake_meta_decode(b.data, b.len, name2, sizeof name2, type2, sizeof type2, &n2) != 0 ||
	    strcmp(name, name2) != 0 || strcmp(type, type2) != 0 || n != n2)
		abort();
	buf_release(&b);
	return 0;
}
