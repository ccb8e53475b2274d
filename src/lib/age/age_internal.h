/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age_internal: the pieces of the age implementation shared between its
 * files (keys, header, STREAM payload, armor). Not a public interface: only
 * age_*.c include it.
 */
#ifndef CUTOUT_LIB_AGE_INTERNAL_H
#define CUTOUT_LIB_AGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/age/age.h"
#include "lib/buf.h"

#define AGE_FILE_KEY_SIZE 16
#define AGE_NONCE_SIZE 16
#define AGE_TAG_SIZE 16
#define AGE_ENC_CHUNK_SIZE (AGE_CHUNK_SIZE + AGE_TAG_SIZE)
#define AGE_VERSION_LINE "age-encryption.org/v1"
#define AGE_SCRYPT_SALT_LABEL "age-encryption.org/v1/scrypt"
#define AGE_X25519_LABEL "age-encryption.org/v1/X25519"
#define AGE_ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_END "-----END AGE ENCRYPTED FILE-----"

enum age_kind {
	AGE_KIND_X25519 = 1,
	AGE_KIND_SCRYPT,
};

struct age_recipient {
	enum age_kind kind;
	uint8_t pk[32]; /* X25519 */
	uint8_t *pass;  /* scrypt: sodium_malloc */
	size_t pass_len;
	int work_factor;
};

struct age_identity {
	enum age_kind kind;
	uint8_t *sk; /* X25519: sodium_malloc(32) */
	uint8_t pk[32];
	uint8_t *pass; /* scrypt: sodium_malloc */
	size_t pass_len;
	int max_work_factor;
};

/* Where the layers of a stream hand their output on; returns AGE_OK or an error. */
typedef enum age_err (*age_sink_fn)(void *ctx, const uint8_t *p, size_t n);

/* ---- base64 (age_header.c) ---- */
/* Strict, canonical decoding of the whole of s[0..n); padded or not. Returns 0 or -1. */
__attribute__((warn_unused_result)) int age_b64_decode(const char *s, size_t n, int padded,
                                                       uint8_t *out, size_t cap, size_t *out_len);
/* Appends the unpadded standard base64 of p to b. */
__attribute__((warn_unused_result)) enum age_err age_b64_append(struct buf *b, const uint8_t *p,
                                                                size_t n);

/* ---- header (age_header.c) ---- */
struct age_arg {
	const char *p;
	size_t n;
};

#define AGE_STANZA_ARGS 4 /* arguments kept; known types need at most 3 */

struct age_stanza {
	struct age_arg args[AGE_STANZA_ARGS]; /* args[0] is the type */
	size_t nargs;                         /* all of them, even past AGE_STANZA_ARGS */
	const uint8_t *body;
	size_t body_len;
};

struct age_header {
	struct age_stanza *stanzas;
	size_t nstanzas;
	uint8_t *bodies;    /* storage for the decoded bodies */
	size_t mac_off;     /* bytes covered by the MAC (up to and including "---") */
	size_t stanzas_off; /* where the first stanza starts (after the version line) */
	uint8_t mac[32];
};

/*
 * Returns the length of the header at the start of p[0..n) (through the "\n"
 * that ends the MAC line), or 0 if it is not complete yet. *scan keeps the
 * search position between calls on a growing buffer (start it at 0).
 */
size_t age_header_find_end(const uint8_t *p, size_t n, size_t *scan);
/* Parses exactly one header p[0..n). The header keeps pointers into p. */
__attribute__((warn_unused_result)) enum age_err age_header_parse(const uint8_t *p, size_t n,
                                                                  struct age_header *h);
void age_header_release(struct age_header *h);
/* Tries every identity on every stanza; file_key receives the key on AGE_OK. */
__attribute__((warn_unused_result)) enum age_err
age_header_unwrap(const struct age_header *h, const struct age_identity *const *ids, size_t nids,
                  uint8_t file_key[static AGE_FILE_KEY_SIZE]);
/* mac = HMAC-SHA-256(HKDF(file_key, "", "header"), p[0..n)). */
__attribute__((warn_unused_result)) enum age_err
age_header_mac(const uint8_t *p, size_t n, const uint8_t file_key[static AGE_FILE_KEY_SIZE],
               uint8_t mac[static 32]);
/* Appends the stanza lines ("-> ...\n" + body) wrapping file_key for r. */
__attribute__((warn_unused_result)) enum age_err
age_stanza_append(struct buf *b, const struct age_recipient *r,
                  const uint8_t file_key[static AGE_FILE_KEY_SIZE]);
/* Appends "--- " + base64(mac) + "\n" over the contents of b (which must end before "---"). */
__attribute__((warn_unused_result)) enum age_err
age_header_append_mac(struct buf *b, const uint8_t file_key[static AGE_FILE_KEY_SIZE]);

/* ---- STREAM payload (age_stream.c) ---- */
struct age_stream;
/* payload key = HKDF(file_key, nonce, "payload"). */
__attribute__((warn_unused_result)) enum age_err
age_stream_new(const uint8_t file_key[static AGE_FILE_KEY_SIZE],
               const uint8_t nonce[static AGE_NONCE_SIZE], int encrypt, age_sink_fn sink,
               void *sink_ctx, struct age_stream **out);
__attribute__((warn_unused_result)) enum age_err age_stream_update(struct age_stream *s,
                                                                   const uint8_t *p, size_t n);
__attribute__((warn_unused_result)) enum age_err age_stream_finish(struct age_stream *s);
void age_stream_free(struct age_stream **s);
/*
 * From now on, process runs of whole chunks handed to one update (up to
 * AGE_PAR_CHUNKS) on two threads: half on a worker thread, half on the
 * caller's. The output is identical; decryption still releases exactly the
 * chunks before the first one that fails. Best effort: if the worker or its
 * buffer cannot be made, the stream stays single-threaded.
 */
#define AGE_PAR_CHUNKS 8
void age_stream_parallel(struct age_stream *s);

/* ---- ASCII armor (age_armor.c) ---- */
struct age_armor_enc;
__attribute__((warn_unused_result)) enum age_err age_armor_enc_new(age_sink_fn sink, void *sink_ctx,
                                                                   struct age_armor_enc **out);
__attribute__((warn_unused_result)) enum age_err age_armor_enc_update(struct age_armor_enc *a,
                                                                      const uint8_t *p, size_t n);
__attribute__((warn_unused_result)) enum age_err age_armor_enc_finish(struct age_armor_enc *a);
void age_armor_enc_free(struct age_armor_enc **a);

/* Decodes armor; the decoded bytes go to sink (whose errors are passed back). */
struct age_armor_dec;
__attribute__((warn_unused_result)) enum age_err age_armor_dec_new(age_sink_fn sink, void *sink_ctx,
                                                                   struct age_armor_dec **out);
__attribute__((warn_unused_result)) enum age_err age_armor_dec_update(struct age_armor_dec *a,
                                                                      const uint8_t *p, size_t n);
/* End of input: AGE_OK only if the footer and nothing but whitespace came. */
__attribute__((warn_unused_result)) enum age_err age_armor_dec_finish(struct age_armor_dec *a);
void age_armor_dec_free(struct age_armor_dec **a);

#endif
