/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_zipw: the stored ZIP writer's layout and its safe names (unzip reads it:
 * test_desk_workbench). */
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "lib/zipw.h"
#include "t.h"

#include "lib/banned.h"

static uint8_t buf[4096];
static size_t len;

static int sink(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	if (n > sizeof buf - len)
		return -1;
	memcpy(buf + len, p, n);
	len += n;
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(void)
{
	struct zipw z;
	char name[64];
	T_OK(zipw_init(&z, sink, NULL) == 0, "init");
	T_OK(zipw_begin(&z, "a/hello.txt", 20428) == 0 &&
	             zipw_data(&z, (const uint8_t *)"hello", 5) == 0 && zipw_end(&z) == 0,
	     "an entry");
	T_OK(zipw_begin(&z, "b", 0) == 0 && zipw_end(&z) == 0, "an empty entry");
	T_OK(zipw_data(&z, (const uint8_t *)"x", 1) != 0, "data outside an entry: refused");
	zipw_free(&z);
	T_OK(zipw_init(&z, sink, NULL) == 0, "init again");
	len = 0;
	T_OK(zipw_begin(&z, "a/hello.txt", 20428) == 0 &&
	             zipw_data(&z, (const uint8_t *)"hel", 3) == 0 &&
	             zipw_data(&z, (const uint8_t *)"lo", 2) == 0 && zipw_end(&z) == 0 &&
	             zipw_finish(&z) == 0,
	     "an archive of one entry written in two pieces");
	T_OK(rd32(buf) == 0x04034b50 && memcmp(buf + 30, "a/hello.txt", 11) == 0 &&
	             memcmp(buf + 41, "hello", 5) == 0,
	     "a local header, the name, the bytes as they are (stored)");
	uint32_t crc = (uint32_t)crc32(0, (const uint8_t *)"hello", 5);
	T_OK(rd32(buf + 46) == 0x08074b50 && rd32(buf + 50) == crc && rd32(buf + 54) == 5 &&
	             rd32(buf + 58) == 5,
	     "the data descriptor: crc32 and sizes");
	const uint8_t *end = buf + len - 22;
	T_OK(rd32(end) == 0x06054b50 && end[10] == 1 && rd32(end + 16) == 62 &&
	             rd32(buf + 62) == 0x02014b50 && rd32(buf + 62 + 16) == crc,
	     "the central directory after it, and the end record pointing to it");
	T_OK(buf[12] == 0x86 && buf[13] == 0x5b && buf[10] == 0 && buf[11] == 0,
	     "dated 2025-12-06 (day 20428), 00:00: no time of day");
	zipw_free(&z);

	zipw_safe_name("../../etc/passwd", name, sizeof name);
	T_OK(strcmp(name, "_.__etc_passwd") == 0, "no path traversal (%s)", name);
	zipw_safe_name("a...b", name, sizeof name);
	T_OK(strcmp(name, "a._.b") == 0, "no two dots in a row (%s)", name);
	zipw_safe_name("..", name, sizeof name);
	T_OK(strcmp(name, "file") == 0, "'..' is not a name");
	zipw_safe_name("a\x01"
	               "b\\c:d\x7f",
	               name, sizeof name);
	T_OK(strcmp(name, "a_b_c_d_") == 0, "control characters, '\\\\' and ':' replaced");
	zipw_safe_name("\xd0\xbe\xd1\x82\xd1\x87\xd1\x91\xd1\x82.pdf", name, sizeof name);
	T_OK(strcmp(name, "\xd0\xbe\xd1\x82\xd1\x87\xd1\x91\xd1\x82.pdf") == 0, "UTF-8 kept");
	zipw_safe_name("\xff\xfe.txt", name, sizeof name);
	T_OK(strcmp(name, "__.txt") == 0, "invalid UTF-8 replaced");
	zipw_safe_name("\xd0\xbe\xd1\x82\xd1\x87", name, 6);
	T_OK(strcmp(name, "\xd0\xbe\xd1\x82") == 0, "cut on a whole character");
	return t_done();
}
