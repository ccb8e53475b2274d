/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "t.h"

static struct conf c;
static struct conf_error err;

static enum conf_result parse(const char *text)
{
	return conf_parse(text, strlen(text), &c, &err);
}

/* The text fails with rc on `line`, and the message names the line and has `why`. */
static void expect(const char *text, enum conf_result rc, int line, const char *why)
{
	char want[32];
	enum conf_result got = parse(text);
	(void)snprintf(want, sizeof want, "line %d: ", line);
	int ok = got == rc && err.line == line &&
	         (line == 0 || strncmp(err.msg, want, strlen(want)) == 0) &&
	         strstr(err.msg, why) != NULL;
	T_OK(ok, "error on line %d (%s): got rc %d line %d \"%s\"", line, why, (int)got, err.line,
	     err.msg);
}

static void test_defaults(void)
{
	T_CHECK(parse("") == CONF_OK);
	T_CHECK(strcmp(c.organisation, "cutout") == 0);
	T_CHECK(strcmp(c.intake_listen.host, "127.0.0.1") == 0 && c.intake_listen.port == 8080);
	T_CHECK(strcmp(c.desk_listen.host, "127.0.0.1") == 0 && c.desk_listen.port == 8081);
	T_OK(strcmp(c.desk_hosts, "listen") == 0, "desk_hosts defaults to the listen address");
	T_CHECK(c.max_message_chars == 100000);
	T_CHECK(c.max_upload_bytes == 2ull * 1024 * 1024 * 1024);
	T_CHECK(c.max_files_per_submission == 20);
	T_CHECK(c.submissions_per_source_per_day == 50);
	T_CHECK(c.session_idle_seconds == 600);
	T_CHECK(c.intake_idle_seconds == 3600);
	T_CHECK(c.intake_max_sessions == 16384);
	T_CHECK(c.argon2_opslimit >= 2 && c.argon2_memlimit >= 64ull * 1024 * 1024);
	T_CHECK(strcmp(c.default_marking, "SECRET//SOURCE") == 0);
	T_CHECK(strcmp(c.scheme, "uk") == 0);
}

static void test_good(void)
{
	const char *text = "# a comment\n"
	                   "\n"
	                   "   # an indented comment\n"
	                   "organisation = Team #1 \xc3\x84rzte\n"
	                   "\t intake_listen=[::1]:9000\r\n"
	                   "desk_listen = localhost:9001\n"
	                   "max_message_chars = 5000\n"
	                   "max_upload_bytes = 512M\n"
	                   "max_files_per_submission = 0\n"
	                   "submissions_per_source_per_day=7\n"
	                   "session_idle_seconds = 86400\n"
	                   "argon2_opslimit = 3\n"
	                   "argon2_memlimit = 131072k\n"
	                   "default_marking = OFFICIAL-SENSITIVE//SOURCE\n"
	                   "scheme = tlp"; /* no final newline */
	T_CHECK(parse(text) == CONF_OK);
	T_OK(strcmp(c.organisation, "Team #1 \xc3\x84rzte") == 0, "a # inside a value is kept");
	T_CHECK(strcmp(c.intake_listen.host, "::1") == 0 && c.intake_listen.port == 9000);
	T_CHECK(strcmp(c.desk_listen.host, "localhost") == 0 && c.desk_listen.port == 9001);
	T_CHECK(c.max_message_chars == 5000);
	T_CHECK(c.max_upload_bytes == 512ull * 1024 * 1024);
	T_CHECK(c.max_files_per_submission == 0);
	T_CHECK(c.submissions_per_source_per_day == 7);
	T_CHECK(c.session_idle_seconds == 86400);
	T_CHECK(c.argon2_opslimit == 3);
	T_CHECK(c.argon2_memlimit == 128ull * 1024 * 1024);
	T_CHECK(strcmp(c.default_marking, "OFFICIAL-SENSITIVE//SOURCE") == 0);
	T_CHECK(strcmp(c.scheme, "tlp") == 0);

	/* Round trip through conf_format. */
	struct conf first = c, again;
	struct buf b;
	buf_init(&b, CONF_FILE_MAX);
	T_CHECK(conf_format(&first, &b) == CONF_OK);
	T_CHECK(conf_parse((const char *)b.data, b.len, &again, &err) == CONF_OK);
	T_OK(memcmp(&first, &again, sizeof first) == 0, "format then parse gives the same conf");
	T_OK(strstr(buf_str(&b), "intake_listen = [::1]:9000\n") != NULL &&
	             strstr(buf_str(&b), "argon2_memlimit = 128M\n") != NULL,
	     "format writes IPv6 in brackets and sizes with suffixes");
	buf_reset(&b);
	struct conf d;
	conf_defaults(&d);
	T_CHECK(conf_format(&d, &b) == CONF_OK);
	T_OK(parse(buf_str(&b)) == CONF_OK && memcmp(&c, &d, sizeof d) == 0,
	     "the default file parses to the defaults");
	int documented = 1;
	const char *names[] = {"organisation",
	                       "intake_listen",
	                       "desk_listen",
	                       "desk_hosts",
	                       "max_message_chars",
	                       "max_upload_bytes",
	                       "max_files_per_submission",
	                       "submissions_per_source_per_day",
	                       "retention_days",
	                       "session_idle_seconds",
	                       "intake_idle_seconds",
	                       "http_max_connections",
	                       "http_header_seconds",
	                       "http_threads",
	                       "http_connection_memory",
	                       "intake_max_sessions",
	                       "argon2_opslimit",
	                       "argon2_memlimit",
	                       "default_marking",
	                       "scheme",
	                       "compartments",
	                       "country"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char k[64];
		(void)snprintf(k, sizeof k, "\n%s = ", names[i]);
		const char *at = strstr(buf_str(&b), k);
		/* the line before the key is a comment */
		documented &= at != NULL && at > buf_str(&b) + 2 && at[-1] != '\n';
	}
	T_OK(documented, "the default file has every key, each after a comment");
	buf_release(&b);

	/* A 1024-byte line is fine. */
	char line[CONF_LINE_MAX + 2];
	memset(line, ' ', CONF_LINE_MAX);
	line[0] = '#';
	line[CONF_LINE_MAX] = '\n';
	line[CONF_LINE_MAX + 1] = 0;
	T_CHECK(parse(line) == CONF_OK);
}

static void test_errors(void)
{
	expect("# ok\nscheme = uk\nfrobnicate = 1\n", CONF_ERR_KEY, 3, "unknown key 'frobnicate'");
	expect("\nscheme = uk\n\nscheme = us\n", CONF_ERR_KEY, 4, "first on line 2");
	expect("scheme = uk\norganisation Acme\n", CONF_ERR_SYNTAX, 2, "expected 'key = value'");
	expect("\n\n = 5\n", CONF_ERR_SYNTAX, 3, "missing key");
	expect("Organisation = Acme\n", CONF_ERR_SYNTAX, 1, "bad key");
	expect("organisation =   \n", CONF_ERR_VALUE, 1, "empty value");
	expect("\nmax_message_chars = 12a\n", CONF_ERR_VALUE, 2, "max_message_chars: want");
	expect("max_message_chars = 0\n", CONF_ERR_VALUE, 1, "from 1 to 10000000");
	expect("max_files_per_submission = 1001\n", CONF_ERR_VALUE, 1, "from 0 to 1000");
	expect("session_idle_seconds = -5\n", CONF_ERR_VALUE, 1, "session_idle_seconds");
	expect("session_idle_seconds = +60\n", CONF_ERR_VALUE, 1, "session_idle_seconds");
	expect("argon2_opslimit = 99999999999999999999999\n", CONF_ERR_VALUE, 1, "argon2_opslimit");
	expect("max_upload_bytes = 2T\n", CONF_ERR_VALUE, 1, "max_upload_bytes: want a size");
	expect("max_upload_bytes = 2GB\n", CONF_ERR_VALUE, 1, "max_upload_bytes");
	expect("max_upload_bytes = G\n", CONF_ERR_VALUE, 1, "max_upload_bytes");
	expect("max_upload_bytes = 18446744073709551615G\n", CONF_ERR_VALUE, 1, "max_upload_bytes");
	expect("max_upload_bytes = 0\n", CONF_ERR_VALUE, 1, "max_upload_bytes");
	expect("\n\nargon2_memlimit = 1M\n", CONF_ERR_VALUE, 3, "argon2_memlimit");
	expect("argon2_memlimit = 5G\n", CONF_ERR_VALUE, 1, "argon2_memlimit");
	expect("scheme = nato\n", CONF_ERR_VALUE, 1, "want one of uk, us, tlp");
	expect("safeview_ocr = eng rus\n", CONF_ERR_VALUE, 1, "safeview_ocr: off, or languages");
	expect("safeview_ocr = ../../etc\n", CONF_ERR_VALUE, 1, "safeview_ocr");
	expect("safeview_ocr = eng++rus\n", CONF_ERR_VALUE, 1, "safeview_ocr");
	T_OK(parse("safeview_ocr = eng+rus\n") == CONF_OK && strcmp(c.safeview_ocr, "eng+rus") == 0,
	     "safeview_ocr = eng+rus is taken");
	expect("scheme = UK\n", CONF_ERR_VALUE, 1, "scheme");
	expect("intake_listen = 127.0.0.1\n", CONF_ERR_VALUE, 1, "intake_listen: want HOST:PORT");
	expect("intake_listen = 127.0.0.1:0\n", CONF_ERR_VALUE, 1, "port from 1 to 65535");
	expect("intake_listen = 127.0.0.1:65536\n", CONF_ERR_VALUE, 1, "port from 1 to 65535");
	expect("intake_listen = 127.0.0.1:\n", CONF_ERR_VALUE, 1, "port");
	expect("desk_listen = ::1:80\n", CONF_ERR_VALUE, 1, "brackets");
	expect("desk_listen = [::1]80\n", CONF_ERR_VALUE, 1, "[IPv6]:PORT");
	expect("desk_listen = [::g]:80\n", CONF_ERR_VALUE, 1, "bad IPv6");
	expect("desk_listen = []:80\n", CONF_ERR_VALUE, 1, "bad IPv6");
	expect("desk_listen = 300.1.1.1:80\n", CONF_ERR_VALUE, 1, "bad host '300.1.1.1'");
	expect("desk_listen = exa_mple:80\n", CONF_ERR_VALUE, 1, "bad host");
	expect("desk_listen = :80\n", CONF_ERR_VALUE, 1, "bad host");
	expect("desk_listen = a..b:80\n", CONF_ERR_VALUE, 1, "bad host");

	char org[CONF_ORG_MAX + 32];
	int n = snprintf(org, sizeof org, "organisation = ");
	memset(org + n, 'x', CONF_ORG_MAX + 1);
	org[n + CONF_ORG_MAX + 1] = 0;
	expect(org, CONF_ERR_VALUE, 1, "longer than 128 bytes");
	org[n + CONF_ORG_MAX] = 0;
	T_CHECK(parse(org) == CONF_OK && strlen(c.organisation) == CONF_ORG_MAX);

	expect("organisation = a\x01z\n", CONF_ERR_VALUE, 1, "control character");
	expect("organisation = a\tz\n", CONF_ERR_VALUE, 1, "control character");
	expect("organisation = a\rz\n", CONF_ERR_VALUE, 1, "control character");
	expect("organisation = a\x7fz\n", CONF_ERR_VALUE, 1, "control character");
	expect("organisation = bad \xff\n", CONF_ERR_VALUE, 1, "not printable UTF-8");
	expect("organisation = overlong \xc0\xaf\n", CONF_ERR_VALUE, 1, "not printable UTF-8");
	expect("organisation = surrogate \xed\xa0\x80\n", CONF_ERR_VALUE, 1, "UTF-8");
	expect("organisation = cut \xe2\x82\n", CONF_ERR_VALUE, 1, "UTF-8");
	expect("organisation = c1 \xc2\x85\n", CONF_ERR_VALUE, 1, "UTF-8");
	expect("organisation = big \xf4\x90\x80\x80\n", CONF_ERR_VALUE, 1, "UTF-8");
	T_CHECK(parse("organisation = \xf0\x9f\x95\xb5 \xe2\x82\xac\n") == CONF_OK);
	expect("default_marking = SECRET\x1b[0m\n", CONF_ERR_VALUE, 1, "control character");

	const char nul[] = "scheme = uk\nscheme\0= us\n";
	T_OK(conf_parse(nul, sizeof nul - 1, &c, &err) == CONF_ERR_SYNTAX && err.line == 2 &&
	             strstr(err.msg, "line 2: NUL") != NULL,
	     "NUL byte names line 2 (%s)", err.msg);

	static char longline[CONF_LINE_MAX + 64];
	n = snprintf(longline, sizeof longline, "scheme = uk\n#");
	memset(longline + n, 'y', CONF_LINE_MAX);
	longline[n + CONF_LINE_MAX] = 0;
	expect(longline, CONF_ERR_SYNTAX, 2, "longer than 1024 bytes");

	static char huge[CONF_FILE_MAX + 2];
	memset(huge, '\n', sizeof huge - 1);
	huge[sizeof huge - 1] = 0;
	expect(huge, CONF_ERR_TOO_LARGE, 0, "larger than 65536");
	huge[CONF_FILE_MAX] = 0;
	T_OK(parse(huge) == CONF_OK, "a file of exactly 64 KiB is read");

	T_CHECK(conf_check_organisation("Acme News", &err) == CONF_OK);
	T_CHECK(conf_check_organisation("", &err) == CONF_ERR_VALUE);
	T_CHECK(conf_check_organisation("a\nb", &err) == CONF_ERR_VALUE);
	T_CHECK(conf_check_organisation(" padded", &err) == CONF_ERR_VALUE);
}

static void test_load(void)
{
	char path[] = "/tmp/test_conf_XXXXXX";
	int fd = mkstemp(path);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	const char text[] = "organisation = From File\nmax_files_per_submission = 3\n";
	T_CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fd);
	T_CHECK(conf_load(path, &c, &err) == CONF_OK && strcmp(c.organisation, "From File") == 0 &&
	        c.max_files_per_submission == 3);
	unlink(path);
	T_CHECK(conf_load(path, &c, &err) == CONF_ERR_IO && err.line == 0 &&
	        strstr(err.msg, "No such file") != NULL);
	/* A file over 64 KiB is refused before parsing. */
	fd = mkstemp(path);
	if (fd >= 0) {
		static char big[CONF_FILE_MAX + 1];
		memset(big, '\n', sizeof big);
		T_CHECK(write(fd, big, sizeof big) == (ssize_t)sizeof big);
		close(fd);
		T_CHECK(conf_load(path, &c, &err) == CONF_ERR_TOO_LARGE && err.line == 0);
		unlink(path);
	}
}

/* retention_days: off by default, off or 1..36500, written back as it was read. */
static void test_retention(void)
{
	T_OK(parse("") == CONF_OK && c.retention_days == 0, "retention_days is off by default");
	T_OK(parse("retention_days = 30\n") == CONF_OK && c.retention_days == 30,
	     "retention_days = 30");
	T_OK(parse("retention_days = off\n") == CONF_OK && c.retention_days == 0,
	     "retention_days = off");
	T_OK(parse("retention_days = 36500\n") == CONF_OK && c.retention_days == 36500,
	     "retention_days = 36500");
	expect("retention_days = 0\n", CONF_ERR_VALUE, 1,
	       "retention_days: want off or a whole number from 1 to 36500");
	expect("retention_days = 36501\n", CONF_ERR_VALUE, 1,
	       "retention_days: want off or a whole number from 1 to 36500");
	expect("retention_days = -1\n", CONF_ERR_VALUE, 1,
	       "retention_days: want off or a whole number from 1 to 36500");
	expect("retention_days = Off\n", CONF_ERR_VALUE, 1,
	       "retention_days: want off or a whole number from 1 to 36500");
	struct buf b;
	buf_init(&b, 1 << 16);
	T_CHECK(parse("") == CONF_OK && conf_format(&c, &b) == CONF_OK);
	T_OK(b.data != NULL && strstr(buf_str(&b), "\nretention_days = off\n") != NULL,
	     "the template writes retention_days = off");
	buf_reset(&b);
	T_CHECK(parse("retention_days = 90\n") == CONF_OK && conf_format(&c, &b) == CONF_OK);
	T_OK(strstr(buf_str(&b), "\nretention_days = 90\n") != NULL &&
	             parse(buf_str(&b)) == CONF_OK && c.retention_days == 90,
	     "and 90 as 90, read back the same");
	buf_release(&b);
}

/* The store's location: the SQLite file, or PostgreSQL without a password. */
static void test_store(void)
{
	static const char *const good[] = {
	        "store = store.db\n",
	        "store = postgresql://cutout@db.example:5432/cutout\n",
	        "store = postgresql:///cutout?host=/run/postgresql&user=cutout\n",
	        "store = postgres://cutout@db/cutout?sslmode=verify-full\n",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		T_CHECK(conf_parse(good[i], strlen(good[i]), &c, &err) == CONF_OK &&
		        strncmp(c.store, good[i] + 8, strlen(good[i]) - 9) == 0);
	conf_defaults(&c);
	T_CHECK(strcmp(c.store, "store.db") == 0);
	expect("store = /var/lib/cutout/store.db\n", CONF_ERR_VALUE, 1, "store: want");
	expect("store = mysql://db/cutout\n", CONF_ERR_VALUE, 1, "store: want");
	expect("store = postgresql://cutout:secret@db/cutout\n", CONF_ERR_VALUE, 1, "no password");
	expect("store = postgresql://db/cutout?password=secret\n", CONF_ERR_VALUE, 1,
	       "no password");
	expect("store = postgresql://db/cutout?PassWord=secret\n", CONF_ERR_VALUE, 1,
	       "no password");
	expect("store = postgresql://db/cutout?pass%77ord=secret\n", CONF_ERR_VALUE, 1,
	       "no password");
	T_CHECK(conf_check_store("postgresql://u:p@h/d", &err) == CONF_ERR_VALUE);
	T_CHECK(conf_check_store("postgresql://u@h/d", &err) == CONF_OK);
	/* formatted and parsed back */
	struct buf out;
	buf_init(&out, CONF_FILE_MAX);
	conf_defaults(&c);
	memcpy(c.store, "postgresql://u@h/d", sizeof "postgresql://u@h/d");
	struct conf back;
	T_CHECK(conf_format(&c, &out) == CONF_OK &&
	        conf_parse((const char *)out.data, out.len, &back, &err) == CONF_OK &&
	        strcmp(back.store, "postgresql://u@h/d") == 0);
	buf_release(&out);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_defaults();
	test_good();
	test_errors();
	test_load();
	test_retention();
	test_store();
	return t_done();
}
