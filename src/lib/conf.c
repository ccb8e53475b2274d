/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "lib/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/io.h"
#include "lib/render.h"

#include "lib/banned.h"

enum key_type {
	KEY_STRING,  /* printable UTF-8, 1..max_len bytes */
	KEY_INT,     /* decimal, min..max */
	KEY_OFF_INT, /* "off" (0) or decimal, min..max (min >= 1) */
	KEY_SIZE,    /* decimal with optional K/M/G suffix, min..max bytes */
	KEY_CHOICE,  /* one of choices */
	KEY_LISTEN,  /* host:port */
	KEY_STORE,   /* the store's location (conf_check_store) */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;     /* offset of the field in struct conf */
	size_t max_len; /* KEY_STRING, KEY_CHOICE: the field holds max_len bytes + NUL */
	uint64_t min, max;
	const char *const *choices;
	const char *doc; /* comment lines for conf_format, '\n'-separated */
};

static const char *const schemes[] = {"uk", "us", "tlp", NULL};
static const char *const yes_no[] = {"no", "yes", NULL};
static const char *const digest_langs[] = {"en", "ru", NULL};

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

static const struct key keys[] = {
        {"organisation", KEY_STRING, offsetof(struct conf, organisation), CONF_ORG_MAX, 0, 0, NULL,
         "The organisation's name, shown to sources on the landing page.\n"
         "Printable UTF-8, at most 128 bytes."},
        {"intake_listen", KEY_LISTEN, offsetof(struct conf, intake_listen), 0, 0, 0, NULL,
         "Where `cutout intake` (the sources' door) listens: HOST:PORT.\n"
         "Keep it on loopback and publish it as a Tor onion service."},
        {"desk_listen", KEY_LISTEN, offsetof(struct conf, desk_listen), 0, 0, 0, NULL,
         "Where `cutout desk` (the officers' door) listens: HOST:PORT."},
        {"desk_hosts", KEY_STRING, offsetof(struct conf, desk_hosts), CONF_HOSTS_MAX, 0, 0, NULL,
         "The Host names the desk answers (against DNS rebinding), comma-separated:\n"
         "NAME or NAME:PORT (without a port: desk_listen's). `listen` stands for\n"
         "desk_listen's address and localhost at its port. Any other Host: 421."},
        {"max_message_chars", KEY_INT, offsetof(struct conf, max_message_chars), 0, 1,
         CONF_MESSAGE_CHARS_MAX, NULL,
         "The longest message a source may send, in characters (1..10000000)."},
        {"max_upload_bytes", KEY_SIZE, offsetof(struct conf, max_upload_bytes), 0, 1, 1024 * GIB,
         NULL,
         "The largest total upload of one submission, in bytes; suffixes K, M, G\n"
         "(powers of 1024). At most 1024G."},
        {"max_files_per_submission", KEY_INT, offsetof(struct conf, max_files_per_submission), 0, 0,
         1000, NULL, "The most files one submission may carry (0..1000; 0: messages only)."},
        {"submissions_per_source_per_day", KEY_INT,
         offsetof(struct conf, submissions_per_source_per_day), 0, 1, 100000, NULL,
         "The most submissions one source may make in a day, UTC (1..100000)."},
        {"retention_days", KEY_OFF_INT, offsetof(struct conf, retention_days), 0, 1, 36500, NULL,
         "Submissions (with their files) and replies older than this many days, by\n"
         "the day the store keeps with each (UTC), are deleted, each with a ledger\n"
         "entry: by `cutout serve` once a day, or `cutout retention` from cron.\n"
         "off (the default) or 1..36500. The sources themselves stay."},
        {"session_idle_seconds", KEY_INT, offsetof(struct conf, session_idle_seconds), 0, 30, 86400,
         NULL, "An officer's session ends after this many idle seconds (30..86400)."},
        {"intake_idle_seconds", KEY_INT, offsetof(struct conf, intake_idle_seconds), 0, 30, 86400,
         NULL,
         "A source's session ends after this many idle seconds (30..86400). Longer\n"
         "lets a slow writer finish (SecureDrop allows 7200); it also leaves an\n"
         "unattended browser logged in that long, and lets a flood of sessions\n"
         "hold the table (intake_max_sessions) that long after it stops. A refused\n"
         "submission keeps its text in the page either way."},
        {"http_max_connections", KEY_INT, offsetof(struct conf, http_max_connections), 0, 16, 65536,
         NULL,
         "Connections each door holds at once (16..65536). When full, a newcomer\n"
         "evicts the connection that has waited longest for its request headers\n"
         "(else the slowest request). Each costs a socket and at most\n"
         "http_connection_memory; the door raises its open-files limit to fit."},
        {"http_header_seconds", KEY_INT, offsetof(struct conf, http_header_seconds), 0, 1, 3600,
         NULL,
         "Seconds a connection has to deliver a request's headers, from its accept\n"
         "or the end of its previous request, however slowly it sends (1..3600)."},
        {"http_threads", KEY_INT, offsetof(struct conf, http_threads), 0, 1, 256, NULL,
         "Event threads of each door (1..256). Every connection is served by one of\n"
         "them; a login's Argon2id or a commit holds its thread while it runs."},
        {"http_connection_memory", KEY_SIZE, offsetof(struct conf, http_connection_memory), 0,
         16 * KIB, 16 * MIB, NULL,
         "Memory per connection for its headers and buffers, in bytes with suffix\n"
         "K or M (16K..16M); headers larger than about half of it are refused."},
        {"intake_max_sessions", KEY_INT, offsetof(struct conf, intake_max_sessions), 0, 1,
         CONF_SESSIONS_MAX, NULL,
         "The most logged-in sources at once (1..4194304). Only a new source or a\n"
         "login makes a session; past this they get 503 and nothing is created."},
        {"argon2_opslimit", KEY_INT, offsetof(struct conf, argon2_opslimit), 0, 1, 32, NULL,
         "Argon2id passes when deriving a source's keys from the codename (1..32).\n"
         "Changing it (or argon2_memlimit) after sources exist locks them all out."},
        {"argon2_memlimit", KEY_SIZE, offsetof(struct conf, argon2_memlimit), 0, 8 * MIB, 4 * GIB,
         NULL,
         "Argon2id memory per derivation, in bytes with suffix K, M or G (8M..4G).\n"
         "Each concurrent login or new source holds this much memory."},
        {"officer_argon2_opslimit", KEY_INT, offsetof(struct conf, officer_argon2_opslimit), 0, 1,
         32, NULL,
         "Argon2id passes when deriving an officer's keys from a password (1..32).\n"
         "Applies to passwords set from now on; existing ones keep their own."},
        {"officer_argon2_memlimit", KEY_SIZE, offsetof(struct conf, officer_argon2_memlimit), 0,
         8 * MIB, 4 * GIB, NULL,
         "Argon2id memory per officer login, in bytes with suffix K, M or G (8M..4G)."},
        {"default_marking", KEY_STRING, offsetof(struct conf, default_marking), CONF_MARKING_MAX, 0,
         0, NULL, "The marking given to new submissions, e.g. SECRET//SOURCE."},
        {"scheme", KEY_CHOICE, offsetof(struct conf, scheme), CONF_SCHEME_MAX, 0, 0, schemes,
         "The marking scheme: uk (OFFICIAL < SECRET < TOP SECRET), us\n"
         "(UNCLASSIFIED < CONFIDENTIAL < SECRET < TOP SECRET) or tlp (TLP 2.0)."},
        {"compartments", KEY_STRING, offsetof(struct conf, compartments), CONF_COMPARTMENTS_MAX, 0,
         0, NULL,
         "The compartments (codewords) markings may name, comma-separated,\n"
         "e.g. HUMINT, SIGINT, SOURCE (docs/markings.md)."},
        {"country", KEY_STRING, offsetof(struct conf, country), CONF_COUNTRY_MAX, 0, 0, NULL,
         "The instance's country, ISO 3166-1 alpha-3 (e.g. GBR): NOFORN means\n"
         "releasable to its nationals only."},
        {"store", KEY_STORE, offsetof(struct conf, store), CONF_STORE_MAX, 0, 0, NULL,
         "Where the store is: store.db (the SQLite store in this directory), or a\n"
         "PostgreSQL database, postgresql://USER@HOST:PORT/DATABASE (or\n"
         "postgresql:///DATABASE?host=/socket/dir), for several nodes on one\n"
         "database (docs/operations.md). Never a password here: libpq reads it\n"
         "from the file named by PGPASSFILE, or ~/.pgpass."},
        {"liaison_topics", KEY_STRING, offsetof(struct conf, liaison_topics), CONF_TOPICS_MAX, 0, 0,
         NULL,
         "The topics reports and partner agreements may name, comma-separated,\n"
         "each of a-z, 0-9 and '-' (docs/liaison.md)."},
        {"liaison_receipt_days", KEY_INT, offsetof(struct conf, liaison_receipt_days), 0, 1, 365,
         NULL,
         "Days a bundle sent may wait for the partner's receipt (1..365): past\n"
         "them `cutout liaison status` says the partner has stopped receipting."},
        {"liaison_port", KEY_INT, offsetof(struct conf, liaison_port), 0, 0, 65535, NULL,
         "The liaison door's port on 127.0.0.1 (partners push and pull bundles and\n"
         "ask for cosignatures there; docs/liaison.md): 0, the default, for none.\n"
         "`cutout serve` starts the door only when it is set."},
        {"liaison_max_bundle", KEY_INT, offsetof(struct conf, liaison_max_bundle), 0, 1024,
         67108864, NULL,
         "The largest bundle the liaison door takes in one POST, in bytes\n"
         "(1024..67108864; default 16777216): past it, 413."},
        {"liaison_socks", KEY_STRING, offsetof(struct conf, liaison_socks), CONF_SOCKS_MAX, 0, 0,
         NULL,
         "The proxy `liaison push` and `ledger cosign` reach partners through:\n"
         "socks5h://HOST:PORT (Tor's is socks5h://127.0.0.1:9050; the proxy\n"
         "resolves names), or none (the default): direct."},
        {"witness_keys", KEY_STRING, offsetof(struct conf, witness_keys), CONF_WITNESS_MAX, 0, 0,
         NULL,
         "The witnesses of our ledger: their verifier keys (NAME+ID+KEY, as\n"
         "`cutout witness key` prints them), separated by spaces, or none\n"
         "(docs/ledger.md, \"Witnessing\")."},
        {"witness_urls", KEY_STRING, offsetof(struct conf, witness_urls), CONF_WITNESS_MAX, 0, 0,
         NULL,
         "Where `cutout ledger cosign` asks them: each witness's URL prefix\n"
         "(POST PREFIX/add-checkpoint), separated by spaces, or none."},
        {"witness_quorum", KEY_INT, offsetof(struct conf, witness_quorum), 0, 0, CONF_QUORUM_MAX,
         NULL,
         "How many of witness_keys must have cosigned a checkpoint for\n"
         "`cutout ledger verify-checkpoint -d DIR` to accept it (0..32; 0: none)."},
        {"liaison_marking_map", KEY_STRING, offsetof(struct conf, liaison_marking_map),
         CONF_MARKING_MAP_MAX, 0, 0, NULL,
         "Partners' markings and the local marking each is sealed under, e.g.\n"
         "UK SECRET = SECRET; UK OFFICIAL-SENSITIVE = CONFIDENTIAL (docs/liaison.md).\n"
         "An imported report keeps its originator's marking and is sealed under the\n"
         "mapped one; a marking neither mapped nor of this scheme is refused.\n"
         "none: no map."},
        {"safeview_dpi", KEY_INT, offsetof(struct conf, safeview_dpi), 0, 36, 300, NULL,
         "Safe viewing (docs/safe-viewing.md): the resolution at which the confined\n"
         "converter renders a file's pages to pixels (36..300 DPI)."},
        {"safeview_pixel_budget", KEY_INT, offsetof(struct conf, safeview_pixel_budget), 0, 1000000,
         1000000000, NULL,
         "The most pixels the converter may produce for one file, all pages\n"
         "together (1000000..1000000000); past it the file is refused."},
        {"safeview_seconds", KEY_INT, offsetof(struct conf, safeview_seconds), 0, 1, 3600, NULL,
         "Seconds the converter may take for one file (1..3600): then it is killed."},
        {"safeview_memory", KEY_SIZE, offsetof(struct conf, safeview_memory), 0, 256 * MIB,
         16 * GIB, NULL, "The converter's memory (address space), with suffix M or G (256M..16G)."},
        {"safeview_ocr", KEY_STRING, offsetof(struct conf, safeview_ocr), CONF_OCR_MAX, 0, 0, NULL,
         "off, or the languages of the clean copies' invisible text layer, read by\n"
         "OCR (tesseract) in the converter's sandbox, joined by '+': eng+rus (each\n"
         "needs Debian's tesseract-ocr-LANG). OCR costs 1 to 3 seconds a page:\n"
         "raise safeview_seconds for long files."},
        {"safeview_on_arrival", KEY_CHOICE, offsetof(struct conf, safeview_on_arrival), 3, 0, 0,
         yes_no,
         "yes: a worker of the desk converts the files of new (unread) submissions\n"
         "to safe copies by itself, with the keys of an officer signed in to the\n"
         "desk who may read them (never the intake); no: only on request."},
        {"acknowledgement", KEY_CHOICE, offsetof(struct conf, acknowledgement), 3, 0, 0, yes_no,
         "yes: a source's first submission gets the acknowledgement reply at once\n"
         "(EU Directive 2019/1937: within 7 days), in the source's language: the\n"
         "text of DIR/acknowledgement/LANG.txt, else the built-in one; no: none."},
        {"digest_command", KEY_STRING, offsetof(struct conf, digest_command), CONF_COMMAND_MAX, 0,
         0, NULL,
         "Where `cutout digest` delivers each officer's digest (docs/operations.md):\n"
         "an absolute program path and its arguments, split at spaces, run without a\n"
         "shell, the message (with a To: line) on its standard input, e.g.\n"
         "/usr/sbin/sendmail -t; none (the default): only `cutout digest --print`."},
        {"digest_officers", KEY_STRING, offsetof(struct conf, digest_officers),
         CONF_DIGEST_OFFICERS_MAX, 0, 0, NULL,
         "Who gets a digest and where: NAME ADDRESS [LANG], comma-separated\n"
         "(alice alice@example.org ru, bob bob@example.org); all (the default):\n"
         "every enabled officer with the intake role, without an address."},
        {"digest_language", KEY_CHOICE, offsetof(struct conf, digest_language), 2, 0, 0,
         digest_langs, "The language of a digest when digest_officers names none (en or ru)."},
};

#define NKEYS (sizeof keys / sizeof keys[0])

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	memcpy(c->organisation, "cutout", sizeof "cutout");
	memcpy(c->intake_listen.host, "127.0.0.1", sizeof "127.0.0.1");
	c->intake_listen.port = 8080;
	memcpy(c->desk_listen.host, "127.0.0.1", sizeof "127.0.0.1");
	c->desk_listen.port = 8081;
	memcpy(c->desk_hosts, "listen", sizeof "listen");
	c->max_message_chars = 100000;
	c->max_upload_bytes = 2 * GIB;
	c->max_files_per_submission = 20;
	c->safeview_dpi = 150;
	c->safeview_pixel_budget = 200000000;
	c->safeview_seconds = 120;
	c->safeview_memory = 2 * GIB;
	memcpy(c->safeview_on_arrival, "no", sizeof "no");
	memcpy(c->safeview_ocr, "off", sizeof "off");
	memcpy(c->acknowledgement, "no", sizeof "no");
	memcpy(c->digest_command, "none", sizeof "none");
	memcpy(c->digest_officers, "all", sizeof "all");
	memcpy(c->digest_language, "en", sizeof "en");
	c->submissions_per_source_per_day = 50;
	c->session_idle_seconds = 600;
	c->intake_idle_seconds = 3600;
	c->http_max_connections = 4096;
	c->http_header_seconds = 10;
	c->http_threads = 64;
	c->http_connection_memory = 256 * KIB;
	c->intake_max_sessions = 16384;
	c->argon2_opslimit = 2;
	c->argon2_memlimit = 64 * MIB;
	c->officer_argon2_opslimit = 3;
	c->officer_argon2_memlimit = 256 * MIB;
	memcpy(c->default_marking, "SECRET//SOURCE", sizeof "SECRET//SOURCE");
	memcpy(c->scheme, "uk", sizeof "uk");
	memcpy(c->compartments, "SOURCE", sizeof "SOURCE");
	memcpy(c->country, "GBR", sizeof "GBR");
	memcpy(c->store, CONF_STORE_FILE, sizeof CONF_STORE_FILE);
	snprintf(c->liaison_topics, sizeof c->liaison_topics, "%s", CONF_LIAISON_TOPICS);
	c->liaison_receipt_days = 7;
	c->liaison_port = 0;
	c->liaison_max_bundle = 16777216;
	snprintf(c->witness_keys, sizeof c->witness_keys, "none");
	snprintf(c->witness_urls, sizeof c->witness_urls, "none");
	snprintf(c->liaison_socks, sizeof c->liaison_socks, "none");
	c->witness_quorum = 0;
	memcpy(c->liaison_marking_map, "none", sizeof "none");
}

__attribute__((format(printf, 4, 5))) static enum conf_result
fail(struct conf_error *err, enum conf_result rc, int line, const char *fmt, ...)
{
	if (err == NULL)
		return rc;
	err->line = line;
	size_t off = 0;
	if (line > 0) {
		int n = snprintf(err->msg, sizeof err->msg, "line %d: ", line);
		if (n > 0 && (size_t)n < sizeof err->msg)
			off = (size_t)n;
	}
	va_list ap;
	va_start(ap, fmt);
	/* Truncation of an error message is harmless: it stays NUL-terminated. */
	(void)vsnprintf(err->msg + off, sizeof err->msg - off, fmt, ap);
	va_end(ap);
	return rc;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid (RFC 3629). */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) are controls too. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return len;
}

/* A printable UTF-8 string without ASCII or C1 control characters. */
static int is_printable_utf8(const char *v, size_t n)
{
	const uint8_t *s = (const uint8_t *)v;
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0)
			return 0;
		i += l;
	}
	return 1;
}

static enum conf_result check_string(const struct key *k, const char *v, size_t n, int line,
                                     struct conf_error *err)
{
	if (n == 0)
		return fail(err, CONF_ERR_VALUE, line, "%s: empty value", k->name);
	if (n > k->max_len)
		return fail(err, CONF_ERR_VALUE, line, "%s: longer than %zu bytes", k->name,
		            k->max_len);
	if (!is_printable_utf8(v, n))
		return fail(err, CONF_ERR_VALUE, line,
		            "%s: not printable UTF-8 (control character or bad encoding)", k->name);
	if (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t')
		return fail(err, CONF_ERR_VALUE, line, "%s: leading or trailing blank", k->name);
	return CONF_OK;
}

/* Parses decimal digits v[0..n) into *out; 0 or -1 (not digits, or overflow). */
static int parse_u64(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(v[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static enum conf_result parse_int(const struct key *k, const char *v, size_t n, int line,
                                  struct conf *c, struct conf_error *err)
{
	uint64_t x;
	if (parse_u64(v, n, &x) != 0 || x < k->min || x > k->max)
		return fail(err, CONF_ERR_VALUE, line, "%s: want a whole number from %llu to %llu",
		            k->name, (unsigned long long)k->min, (unsigned long long)k->max);
	int64_t val = (int64_t)x;
	memcpy((char *)c + k->off, &val, sizeof val);
	return CONF_OK;
}

static enum conf_result parse_off_int(const struct key *k, const char *v, size_t n, int line,
                                      struct conf *c, struct conf_error *err)
{
	if (n == 3 && memcmp(v, "off", 3) == 0) {
		int64_t off = 0;
		memcpy((char *)c + k->off, &off, sizeof off);
		return CONF_OK;
	}
	uint64_t x;
	if (parse_u64(v, n, &x) != 0 || x < k->min || x > k->max)
		return fail(err, CONF_ERR_VALUE, line,
		            "%s: want off or a whole number from %llu to %llu", k->name,
		            (unsigned long long)k->min, (unsigned long long)k->max);
	return parse_int(k, v, n, line, c, err);
}

static enum conf_result parse_size(const struct key *k, const char *v, size_t n, int line,
                                   struct conf *c, struct conf_error *err)
{
	uint64_t mult = 1, x;
	if (n > 0) {
		switch (v[n - 1]) {
		case 'K':
		case 'k':
			mult = KIB;
			break;
		case 'M':
		case 'm':
			mult = MIB;
			break;
		case 'G':
		case 'g':
			mult = GIB;
			break;
		default:
			break;
		}
		if (mult != 1)
			n--;
	}
	if (parse_u64(v, n, &x) != 0 || x > UINT64_MAX / mult || x * mult < k->min ||
	    x * mult > k->max)
		return fail(err, CONF_ERR_VALUE, line,
		            "%s: want a size from %llu to %llu bytes (suffix K, M or G allowed)",
		            k->name, (unsigned long long)k->min, (unsigned long long)k->max);
	x *= mult;
	memcpy((char *)c + k->off, &x, sizeof x);
	return CONF_OK;
}

static enum conf_result parse_choice(const struct key *k, const char *v, size_t n, int line,
                                     struct conf *c, struct conf_error *err)
{
	for (const char *const *ch = k->choices; *ch != NULL; ch++) {
		if (strlen(*ch) == n && memcmp(*ch, v, n) == 0) {
			memset((char *)c + k->off, 0, k->max_len + 1);
			memcpy((char *)c + k->off, *ch, n + 1);
			return CONF_OK;
		}
	}
	char list[128] = "";
	size_t off = 0;
	for (const char *const *ch = k->choices; *ch != NULL; ch++) {
		int w = snprintf(list + off, sizeof list - off, "%s%s", off ? ", " : "", *ch);
		if (w < 0 || (size_t)w >= sizeof list - off)
			break;
		off += (size_t)w;
	}
	return fail(err, CONF_ERR_VALUE, line, "%s: want one of %s", k->name, list);
}

static int is_hostname(const char *h, size_t n)
{
	if (n == 0 || n > CONF_HOST_MAX || h[0] == '-' || h[0] == '.' || h[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
		if (!ok || (ch == '.' && h[i + 1] == '.'))
			return 0;
	}
	return 1;
}

static enum conf_result parse_listen(const struct key *k, const char *v, size_t n, int line,
                                     struct conf *c, struct conf_error *err)
{
	struct conf_listen l;
	const char *host, *port;
	size_t hlen, plen;
	char tmp[CONF_HOST_MAX + 1];
	uint8_t addr[16];

	memset(&l, 0, sizeof l);
	if (n > 0 && v[0] == '[') {
		const char *close = memchr(v, ']', n);
		if (close == NULL || (size_t)(close - v) + 1 >= n || close[1] != ':')
			return fail(err, CONF_ERR_VALUE, line, "%s: want [IPv6]:PORT", k->name);
		host = v + 1;
		hlen = (size_t)(close - host);
		port = close + 2;
		plen = n - (size_t)(port - v);
		if (hlen == 0 || hlen > CONF_HOST_MAX)
			return fail(err, CONF_ERR_VALUE, line, "%s: bad IPv6 address", k->name);
		memcpy(tmp, host, hlen);
		tmp[hlen] = 0;
		if (inet_pton(AF_INET6, tmp, addr) != 1)
			return fail(err, CONF_ERR_VALUE, line, "%s: bad IPv6 address", k->name);
	} else {
		const char *colon = NULL;
		for (size_t i = n; i > 0; i--) {
			if (v[i - 1] == ':') {
				colon = v + i - 1;
				break;
			}
		}
		if (colon == NULL)
			return fail(err, CONF_ERR_VALUE, line, "%s: want HOST:PORT", k->name);
		host = v;
		hlen = (size_t)(colon - v);
		port = colon + 1;
		plen = n - hlen - 1;
		if (memchr(host, ':', hlen) != NULL)
			return fail(err, CONF_ERR_VALUE, line,
			            "%s: put an IPv6 address in brackets: [ADDR]:PORT", k->name);
		if (hlen == 0 || hlen > CONF_HOST_MAX)
			return fail(err, CONF_ERR_VALUE, line, "%s: bad host", k->name);
		memcpy(tmp, host, hlen);
		tmp[hlen] = 0;
		/* Dotted digits must be a real IPv4 address; anything else a host name. */
		int all_digits = 1;
		for (size_t i = 0; i < hlen; i++)
			if (!(tmp[i] >= '0' && tmp[i] <= '9') && tmp[i] != '.')
				all_digits = 0;
		if (all_digits ? inet_pton(AF_INET, tmp, addr) != 1 : !is_hostname(tmp, hlen))
			return fail(err, CONF_ERR_VALUE, line, "%s: bad host '%s'", k->name, tmp);
	}
	uint64_t p;
	if (parse_u64(port, plen, &p) != 0 || p < 1 || p > 65535)
		return fail(err, CONF_ERR_VALUE, line, "%s: want a port from 1 to 65535", k->name);
	memcpy(l.host, tmp, hlen + 1);
	l.port = (uint16_t)p;
	memcpy((char *)c + k->off, &l, sizeof l);
	return CONF_OK;
}

/* safeview_ocr: "off", or tesseract languages (lib/render.h). */
static int ocr_ok(const char *v, size_t n)
{
	char langs[RENDER_OCR_LANGS_MAX];
	if (n == 3 && memcmp(v, "off", 3) == 0)
		return 1;
	if (n >= sizeof langs)
		return 0;
	memcpy(langs, v, n);
	langs[n] = '\0';
	return render_ocr_langs_ok(langs);
}

static enum conf_result set_value(const struct key *k, const char *v, size_t n, int line,
                                  struct conf *c, struct conf_error *err)
{
	enum conf_result rc;
	switch (k->type) {
	case KEY_STORE:
		if (n > CONF_STORE_MAX)
			return fail(err, CONF_ERR_VALUE, line, "store: longer than %d bytes",
			            CONF_STORE_MAX);
		char loc[CONF_STORE_MAX + 1];
		struct conf_error e2;
		memcpy(loc, v, n);
		loc[n] = 0;
		if ((rc = conf_check_store(loc, &e2)) != CONF_OK)
			return fail(err, rc, line, "%s", e2.msg);
		__attribute__((fallthrough)); /* stored as a string */
	case KEY_STRING:
		if ((rc = check_string(k, v, n, line, err)) != CONF_OK)
			return rc;
		if (k->off == offsetof(struct conf, safeview_ocr) && !ocr_ok(v, n))
			return fail(err, CONF_ERR_VALUE, line,
			            "%s: off, or languages such as eng+rus (lower-case letters, "
			            "digits and _, joined by +)",
			            k->name);
		if (k->off == offsetof(struct conf, digest_command) && !conf_command_ok(v, n))
			return fail(err, CONF_ERR_VALUE, line,
			            "%s: none, or an absolute path and its words (no quotes)",
			            k->name);
		memset((char *)c + k->off, 0, k->max_len + 1);
		memcpy((char *)c + k->off, v, n);
		((char *)c + k->off)[n] = 0;
		return CONF_OK;
	case KEY_INT:
		return parse_int(k, v, n, line, c, err);
	case KEY_OFF_INT:
		return parse_off_int(k, v, n, line, c, err);
	case KEY_SIZE:
		return parse_size(k, v, n, line, c, err);
	case KEY_CHOICE:
		return parse_choice(k, v, n, line, c, err);
	case KEY_LISTEN:
		return parse_listen(k, v, n, line, c, err);
	}
	return fail(err, CONF_ERR_VALUE, line, "%s: unknown type", k->name);
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

enum conf_result conf_parse(const char *text, size_t len, struct conf *c, struct conf_error *err)
{
	int seen[NKEYS] = {0}; /* line where each key was set, 0 if not yet */
	int line = 0;

	if (err != NULL) {
		err->line = 0;
		err->msg[0] = 0;
	}
	conf_defaults(c);
	if (len > CONF_FILE_MAX)
		return fail(err, CONF_ERR_TOO_LARGE, 0, "file larger than %d bytes", CONF_FILE_MAX);
	for (size_t pos = 0; pos < len;) {
		line++;
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL ? 1 : 0);
		if (n > 0 && s[n - 1] == '\r')
			n--; /* CRLF line ends */
		if (n > CONF_LINE_MAX)
			return fail(err, CONF_ERR_SYNTAX, line, "line longer than %d bytes",
			            CONF_LINE_MAX);
		if (memchr(s, 0, n) != NULL)
			return fail(err, CONF_ERR_SYNTAX, line, "NUL byte");
		while (n > 0 && is_blank(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_blank(s[n - 1]))
			n--;
		if (n == 0 || s[0] == '#')
			continue;
		const char *eq = memchr(s, '=', n);
		if (eq == NULL)
			return fail(err, CONF_ERR_SYNTAX, line, "expected 'key = value'");
		size_t klen = (size_t)(eq - s);
		while (klen > 0 && is_blank(s[klen - 1]))
			klen--;
		if (klen == 0)
			return fail(err, CONF_ERR_SYNTAX, line, "missing key before '='");
		for (size_t i = 0; i < klen; i++) {
			char ch = s[i];
			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
				return fail(err, CONF_ERR_SYNTAX, line,
				            "bad key (keys are lower case letters, digits and _)");
		}
		const char *v = eq + 1;
		size_t vlen = n - (size_t)(v - s);
		while (vlen > 0 && is_blank(*v)) {
			v++;
			vlen--;
		}
		size_t ki;
		for (ki = 0; ki < NKEYS; ki++)
			if (strlen(keys[ki].name) == klen && memcmp(keys[ki].name, s, klen) == 0)
				break;
		if (ki == NKEYS)
			return fail(err, CONF_ERR_KEY, line, "unknown key '%.*s'",
			            (int)(klen > 64 ? 64 : klen), s);
		if (seen[ki])
			return fail(err, CONF_ERR_KEY, line, "%s: set again (first on line %d)",
			            keys[ki].name, seen[ki]);
		seen[ki] = line;
		if (vlen == 0)
			return fail(err, CONF_ERR_VALUE, line, "%s: empty value", keys[ki].name);
		for (size_t i = 0; i < vlen; i++)
			if ((uint8_t)v[i] < 0x20 || v[i] == 0x7f)
				return fail(err, CONF_ERR_VALUE, line, "%s: control character",
				            keys[ki].name);
		enum conf_result rc = set_value(&keys[ki], v, vlen, line, c, err);
		if (rc != CONF_OK)
			return rc;
	}
	return CONF_OK;
}

enum conf_result conf_load(const char *path, struct conf *c, struct conf_error *err)
{
	struct buf b;
	enum conf_result rc;
	buf_init(&b, CONF_FILE_MAX);
	conf_defaults(c);
	if (io_read_file(path, &b) != 0) {
		if (errno == EFBIG)
			rc = fail(err, CONF_ERR_TOO_LARGE, 0, "%s: larger than %d bytes", path,
			          CONF_FILE_MAX);
		else
			rc = fail(err, CONF_ERR_IO, 0, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = conf_parse((const char *)b.data, b.len, c, err);
out:
	buf_release(&b);
	return rc;
}

static enum conf_result emit(struct buf *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static enum conf_result emit(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum buf_result br = buf_vprintf(out, fmt, ap);
	va_end(ap);
	if (br == BUF_OK)
		return CONF_OK;
	return br == BUF_TOO_LARGE ? CONF_ERR_TOO_LARGE : CONF_ERR_NOMEM;
}

static enum conf_result format_size(struct buf *out, uint64_t x)
{
	if (x != 0 && x % GIB == 0)
		return emit(out, "%lluG", (unsigned long long)(x / GIB));
	if (x != 0 && x % MIB == 0)
		return emit(out, "%lluM", (unsigned long long)(x / MIB));
	if (x != 0 && x % KIB == 0)
		return emit(out, "%lluK", (unsigned long long)(x / KIB));
	return emit(out, "%llu", (unsigned long long)x);
}

enum conf_result conf_format(const struct conf *c, struct buf *out)
{
	enum conf_result rc;
	if ((rc = emit(out, "# cutout.conf: the configuration of a cutout instance.\n"
	                    "# One `key = value` per line; lines starting with # are comments.\n"
	                    "# Every key is optional; the values below are the defaults unless\n"
	                    "# `cutout init` was told otherwise.\n")) != CONF_OK)
		return rc;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		const char *p = (const char *)c + k->off;
		if ((rc = emit(out, "\n")) != CONF_OK)
			return rc;
		for (const char *d = k->doc; *d != 0;) {
			const char *e = strchr(d, '\n');
			size_t dl = e != NULL ? (size_t)(e - d) : strlen(d);
			if ((rc = emit(out, "# %.*s\n", (int)dl, d)) != CONF_OK)
				return rc;
			d += dl + (e != NULL ? 1 : 0);
		}
		if ((rc = emit(out, "%s = ", k->name)) != CONF_OK)
			return rc;
		switch (k->type) {
		case KEY_STRING:
		case KEY_CHOICE:
		case KEY_STORE:
			rc = emit(out, "%s", p);
			break;
		case KEY_INT:
		case KEY_OFF_INT: {
			int64_t v;
			memcpy(&v, p, sizeof v);
			rc = k->type == KEY_OFF_INT && v == 0 ? emit(out, "off")
			                                      : emit(out, "%lld", (long long)v);
			break;
		}
		case KEY_SIZE: {
			uint64_t v;
			memcpy(&v, p, sizeof v);
			rc = format_size(out, v);
			break;
		}
		case KEY_LISTEN: {
			const struct conf_listen *l = (const struct conf_listen *)(const void *)p;
			if (strchr(l->host, ':') != NULL)
				rc = emit(out, "[%s]:%u", l->host, (unsigned)l->port);
			else
				rc = emit(out, "%s:%u", l->host, (unsigned)l->port);
			break;
		}
		}
		if (rc != CONF_OK || (rc = emit(out, "\n")) != CONF_OK)
			return rc;
	}
	return CONF_OK;
}

enum conf_result conf_check_organisation(const char *name, struct conf_error *err)
{
	size_t n = strnlen(name, CONF_ORG_MAX + 1);
	if (err != NULL) {
		err->line = 0;
		err->msg[0] = 0;
	}
	return check_string(&keys[0], name, n, 0, err);
}
