/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * conf: the instance's configuration file (cutout.conf), parsed strictly.
 *
 * Format: one `key = value` per line; lines whose first non-blank character
 * is `#` are comments; blank lines are ignored. A `#` after a value is part of
 * the value (an organisation may be called "Team #1"). White space around the
 * key and the value is trimmed. Every key is optional (a default applies) and
 * may appear at most once. Unknown keys, bad values, control characters, NUL
 * bytes, lines over CONF_LINE_MAX bytes and files over CONF_FILE_MAX bytes are
 * errors; the error names the line (1-based; 0 for whole-file errors) and
 * the reason.
 *
 * Value types: strings (printable, length-capped), integers in a range,
 * sizes with an optional K/M/G suffix (binary: K = 1024), choices from a
 * fixed set, and listen addresses "host:port" (IPv4, [IPv6] or a host name;
 * port 1..65535).
 *
 * conf_format() writes a complete file documenting every key with a comment;
 * parsing its output gives back the same struct conf.
 */
#ifndef CUTOUT_LIB_CONF_H
#define CUTOUT_LIB_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define CONF_FILE_MAX (64 * 1024)
#define CONF_LINE_MAX 1024 /* bytes, without the newline */
#define CONF_ORG_MAX 128
#define CONF_MARKING_MAX 255
#define CONF_SCHEME_MAX 15
#define CONF_OCR_MAX 63 /* safeview_ocr: RENDER_OCR_LANGS_MAX - 1 */
#define CONF_COMPARTMENTS_MAX 511
#define CONF_COUNTRY_MAX 3
#define CONF_STORE_MAX 1024 /* the store's location: "store.db" or a postgresql:// URI */
#define CONF_STORE_FILE "store.db"
#define CONF_TOPICS_MAX 511       /* liaison_topics */
#define CONF_WITNESS_MAX 2047     /* witness_keys, witness_urls */
#define CONF_SOCKS_MAX 255        /* liaison_socks */
#define CONF_QUORUM_MAX 32        /* witness_quorum */
#define CONF_MARKING_MAP_MAX 1000 /* liaison_marking_map (one line) */
/* The seven areas of exchange (issue 14), the default of liaison_topics. */
#define CONF_LIAISON_TOPICS                                                             \
	"arms-trafficking,computer-security,drug-trafficking,money-laundering,nuclear-" \
	"proliferation,organised-crime,terrorism"
#define CONF_HOST_MAX 253
#define CONF_HOSTS_MAX 511 /* desk_hosts */
#define CONF_SESSIONS_MAX (1 << 22)
#define CONF_ERR_MAX 200
#define CONF_MESSAGE_CHARS_MAX 10000000 /* max_message_chars's highest */

struct conf_listen {
	char host[CONF_HOST_MAX + 1]; /* "127.0.0.1", "::1" (without brackets), "localhost" */
	uint16_t port;
};

struct conf {
	char organisation[CONF_ORG_MAX + 1]; /* shown on the landing page */
	struct conf_listen intake_listen;
	struct conf_listen desk_listen;
	char desk_hosts[CONF_HOSTS_MAX + 1]; /* the Host names the desk answers; "listen" */
	int64_t max_message_chars;           /* 1..CONF_MESSAGE_CHARS_MAX */
	uint64_t max_upload_bytes;
	int64_t max_files_per_submission;
	int64_t submissions_per_source_per_day;
	int64_t retention_days;          /* 0: off; else 1..36500 (core/intake/retention.c) */
	int64_t session_idle_seconds;    /* an officer's session */
	int64_t intake_idle_seconds;     /* a source's session */
	int64_t intake_max_sessions;     /* 1..CONF_SESSIONS_MAX */
	int64_t http_max_connections;    /* per door (app/web/door.h) */
	int64_t http_header_seconds;     /* to deliver a request's headers */
	int64_t http_threads;            /* event threads per door */
	uint64_t http_connection_memory; /* libmicrohttpd's pool per connection */
	int64_t argon2_opslimit;
	uint64_t argon2_memlimit;
	int64_t officer_argon2_opslimit;
	uint64_t officer_argon2_memlimit;
	char default_marking[CONF_MARKING_MAX + 1];
	char scheme[CONF_SCHEME_MAX + 1]; /* "uk", "us" or "tlp" */
	char compartments[CONF_COMPARTMENTS_MAX +
	                  1];               /* "HUMINT, SOURCE" (core/marking/marking.h) */
	char country[CONF_COUNTRY_MAX + 1]; /* ISO 3166-1 alpha-3, e.g. "GBR" */
	/*
	 * CONF_STORE_FILE (the SQLite store in the instance directory) or a
	 * "postgresql://" (or "postgres://") URI without a password in it
	 * (conf_check_store).
	 */
	char store[CONF_STORE_MAX + 1];
	char liaison_topics[CONF_TOPICS_MAX + 1]; /* the topics vocabulary (core/liaison) */
	int64_t liaison_receipt_days; /* a partner unreceipting longer has stopped (1..365) */
	int64_t liaison_port;         /* the liaison door on 127.0.0.1; 0: none */
	char liaison_socks[CONF_SOCKS_MAX + 1]; /* "socks5h://HOST:PORT" or "none" */
	int64_t liaison_max_bundle;             /* bytes of a bundle POSTed to the door */
	/* witnessing (core/witness, docs/ledger.md "Witnessing"): "none" for none */
	char witness_keys[CONF_WITNESS_MAX + 1]; /* witnesses' verifier keys, space-separated */
	char witness_urls[CONF_WITNESS_MAX + 1]; /* their add-checkpoint prefixes */
	int64_t witness_quorum;                  /* 0..CONF_QUORUM_MAX cosignatures required */
	char liaison_marking_map[CONF_MARKING_MAP_MAX + 1]; /* "UK SECRET = SECRET; ...", "none" */
	/* safe viewing (lib/render.h, docs/safe-viewing.md) */
	int64_t safeview_dpi;                /* 36..300 */
	int64_t safeview_pixel_budget;       /* pixels of all pages of one file */
	int64_t safeview_seconds;            /* the converter's time */
	uint64_t safeview_memory;            /* the converter's address space */
	char safeview_on_arrival[4];         /* "yes": the desk converts new files itself */
	char safeview_ocr[CONF_OCR_MAX + 1]; /* "off", or OCR languages "eng+rus" */
	char acknowledgement[4]; /* "yes": a first submission is acknowledged (intake) */
};

enum conf_result {
	CONF_OK = 0,
	CONF_ERR_SYNTAX, /* a line that is not `key = value`, or too long */
	CONF_ERR_KEY,    /* unknown or repeated key */
	CONF_ERR_VALUE,  /* a value of the wrong type or out of range */
	CONF_ERR_TOO_LARGE,
	CONF_ERR_IO, /* the file could not be read */
	CONF_ERR_NOMEM,
};

struct conf_error {
	int line; /* 1-based; 0 when the error is not about one line */
	char msg[CONF_ERR_MAX];
};

/* Fills c with every key's default. */
void conf_defaults(struct conf *c);

/* Parses text (not NUL-terminated; len bytes) over the defaults into c. */
__attribute__((warn_unused_result)) enum conf_result
conf_parse(const char *text, size_t len, struct conf *c, struct conf_error *err);

/* Reads and parses the file at path. */
__attribute__((warn_unused_result)) enum conf_result conf_load(const char *path, struct conf *c,
                                                               struct conf_error *err);

/* Appends a complete, commented configuration file holding c's values to out. */
__attribute__((warn_unused_result)) enum conf_result conf_format(const struct conf *c,
                                                                 struct buf *out);

/*
 * Checks a value for the key `organisation` (so a command line can refuse it
 * before writing a file). Returns CONF_OK or CONF_ERR_VALUE with err->msg set.
 */
__attribute__((warn_unused_result)) enum conf_result
conf_check_organisation(const char *name, struct conf_error *err);

/*
 * Checks a value for the key `store`: CONF_STORE_FILE, or a postgresql:// or
 * postgres:// URI of printable ASCII that carries no password (neither
 * "user:password@" nor a password parameter: the password comes from a file,
 * PGPASSFILE or ~/.pgpass, never the configuration or the command line).
 */
__attribute__((warn_unused_result)) enum conf_result conf_check_store(const char *v,
                                                                      struct conf_error *err);

#endif
