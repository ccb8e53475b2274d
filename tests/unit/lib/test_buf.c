/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "t.h"

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct buf b;
	buf_init(&b, 10);
	T_CHECK(strcmp(buf_str(&b), "") == 0);
	T_CHECK(buf_append_str(&b, "hello") == BUF_OK);
	T_CHECK(b.len == 5 && strcmp(buf_str(&b), "hello") == 0);
	T_CHECK(buf_append_str(&b, "world") == BUF_OK);
	T_CHECK(b.len == 10);
	/* One byte past the cap fails and leaves the contents alone. */
	T_CHECK(buf_append_byte(&b, '!') == BUF_TOO_LARGE);
	T_CHECK(b.len == 10 && memcmp(b.data, "helloworld", 10) == 0);
	buf_consume(&b, 5);
	T_CHECK(strcmp(buf_str(&b), "world") == 0);
	T_CHECK(buf_printf(&b, "%d", 12345) == BUF_OK);
	T_CHECK(strcmp(buf_str(&b), "world12345") == 0);
	T_CHECK(buf_printf(&b, "%d", 1) == BUF_TOO_LARGE);
	buf_reset(&b);
	T_CHECK(b.len == 0);
	/* A huge length must not wrap around the size check. */
	T_CHECK(buf_append(&b, "x", SIZE_MAX) == BUF_TOO_LARGE);
	buf_wipe_release(&b);
	T_CHECK(b.data == NULL);

	struct buf big;
	buf_init(&big, 1 << 20);
	int ok = 1;
	for (int i = 0; i < 1000 && ok; i++)
		ok = buf_printf(&big, "%04d", i) == BUF_OK;
	T_CHECK(ok && big.len == 4000 && memcmp(big.data + 3996, "0999", 4) == 0);
	buf_release(&big);
	return t_done();
}
