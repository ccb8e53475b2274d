/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_slots: the slot markup parser and the automatic slots. Any input
 * either fails with a position within the input and a message "at N: ..." and
 * an empty result, or gives slots in text order within the literal text,
 * whose highlighted form and both extreme copies render within bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/release/copy.h"
#include "core/release/slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slots s;
	struct slots_error err;
	enum slots_result r = slots_find((const char *)data, size, &s, &err);
	if (r != SLOTS_OK) {
		if (err.pos > size || memchr(err.msg, 0, sizeof err.msg) == NULL ||
		    strncmp(err.msg, "at ", 3) != 0 || s.n != 0 || s.lit != NULL)
			abort();
		return 0;
	}
	if (s.lit_len > size || strlen(s.lit) != s.lit_len)
		abort();
	for (size_t i = 0; i < s.n; i++) {
		if (s.s[i].at > s.lit_len || (i && s.s[i].at < s.s[i - 1].at) ||
		    s.s[i].src > size || s.s[i].cls >= SLOT_CLASSES ||
		    strlen(s.s[i].alt[0]) != s.s[i].len[0] ||
		    strlen(s.s[i].alt[1]) != s.s[i].len[1])
			abort();
	}
	struct buf b;
	buf_init(&b, 64u << 20);
	if (slots_highlight(&s, &b) != SLOTS_OK)
		abort();
	uint8_t *bits = malloc(s.n / 8 + 1);
	if (!bits)
		abort();
	for (int v = 0; v < 2; v++) {
		memset(bits, v ? 0xff : 0, s.n / 8 + 1);
		buf_reset(&b);
		if (copy_render(&s, bits, &b) != 0)
			abort();
	}
	free(bits);
	buf_release(&b);
	slots_free(&s);
	return 0;
}
