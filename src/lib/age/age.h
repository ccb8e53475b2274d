/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * age: the age v1 file format (age-encryption.org/v1), the envelope of
 * everything cutout stores at rest.
 *
 * Recipients: X25519 ("age1...") and scrypt (passphrase). Identities:
 * X25519 ("AGE-SECRET-KEY-1...") and scrypt. Payload: ChaCha20-Poly1305
 * STREAM in 64 KiB chunks. ASCII armor on output (optional) and input
 * (detected).
 *
 * The API is push-based so that it can be fed from a socket, a multipart
 * parser or a file without ever holding a whole file: the caller pushes input
 * with *_update() and output leaves through a write callback. Memory use is
 * constant (one chunk plus the header, capped at AGE_MAX_HEADER).
 *
 * Decryption releases plaintext only chunk by chunk after each chunk has
 * authenticated; on AGE_ERR_PAYLOAD the plaintext already written is exactly
 * the chunks that authenticated before the failure, as the spec allows.
 *
 * Every secret (file key, identity, passphrase, payload key) lives in
 * sodium_malloc memory and is wiped when freed.
 */
#ifndef CUTOUT_LIB_AGE_H
#define CUTOUT_LIB_AGE_H

#include <stddef.h>
#include <stdint.h>

#define AGE_CHUNK_SIZE 65536
#define AGE_MAX_HEADER (64 * 1024)    /* a larger header is a header failure */
#define AGE_MAX_STANZAS 64            /* recipients per file */
#define AGE_SCRYPT_MAX_WORK_FACTOR 22 /* log2(N); the spec's limit for decryption */
#define AGE_SCRYPT_DEFAULT_WORK_FACTOR 18
#define AGE_RECIPIENT_STRLEN 62 /* "age1" + 58, without NUL */
#define AGE_IDENTITY_STRLEN 74  /* "AGE-SECRET-KEY-1" + 58, without NUL */

enum age_err {
	AGE_OK = 0,
	AGE_ERR_HEADER,   /* malformed, non-canonical, unsupported or oversized header */
	AGE_ERR_NO_MATCH, /* no identity opened any stanza */
	AGE_ERR_HMAC,     /* the header MAC does not match */
	AGE_ERR_PAYLOAD,  /* bad nonce, chunk tag, truncation, trailing data, empty last chunk */
	AGE_ERR_ARMOR,    /* malformed ASCII armor */
	AGE_ERR_IO,       /* a write callback failed */
	AGE_ERR_NOMEM,
	AGE_ERR_ARG,    /* invalid key string or misuse (e.g. scrypt with other recipients) */
	AGE_ERR_CRYPTO, /* the crypto library failed (e.g. low-order X25519 share on encrypt) */
};

const char *age_strerror(enum age_err e);

/* Output callback: returns 0 on success, non-zero on failure (-> AGE_ERR_IO). */
typedef int (*age_write_fn)(void *ctx, const uint8_t *p, size_t n);

struct age_recipient; /* opaque; public */
struct age_identity;  /* opaque; secret, in guarded memory */

/* Parses "age1..." (lower case Bech32, HRP "age"). */
__attribute__((warn_unused_result)) enum age_err age_recipient_parse(const char *s,
                                                                     struct age_recipient **out);
__attribute__((warn_unused_result)) enum age_err
age_recipient_from_x25519(const uint8_t pk[static 32], struct age_recipient **out);
/* A passphrase recipient; work_factor is log2(N) for scrypt (r=8, p=1). */
__attribute__((warn_unused_result)) enum age_err
age_recipient_scrypt(const char *pass, size_t len, int work_factor, struct age_recipient **out);
/* Writes "age1..." and a NUL into out (cap >= AGE_RECIPIENT_STRLEN + 1). X25519 only. */
__attribute__((warn_unused_result)) enum age_err age_recipient_format(const struct age_recipient *r,
                                                                      char *out, size_t cap);
/* The raw X25519 public key (X25519 recipients only). */
__attribute__((warn_unused_result)) enum age_err age_recipient_x25519(const struct age_recipient *r,
                                                                      uint8_t pk[static 32]);
void age_recipient_free(struct age_recipient **r);

/* Parses "AGE-SECRET-KEY-1..." (upper case Bech32). */
__attribute__((warn_unused_result)) enum age_err age_identity_parse(const char *s,
                                                                    struct age_identity **out);
__attribute__((warn_unused_result)) enum age_err age_identity_generate(struct age_identity **out);
__attribute__((warn_unused_result)) enum age_err
age_identity_from_x25519(const uint8_t sk[static 32], struct age_identity **out);
/* A passphrase identity; stanzas with a work factor above max_work_factor are refused. */
__attribute__((warn_unused_result)) enum age_err
age_identity_scrypt(const char *pass, size_t len, int max_work_factor, struct age_identity **out);
/*
 * Writes "AGE-SECRET-KEY-1..." and a NUL into out (cap >= AGE_IDENTITY_STRLEN + 1).
 * The caller must wipe out after use. X25519 only.
 */
__attribute__((warn_unused_result)) enum age_err age_identity_format(const struct age_identity *id,
                                                                     char *out, size_t cap);
/* The matching X25519 recipient. */
__attribute__((warn_unused_result)) enum age_err
age_identity_recipient(const struct age_identity *id, struct age_recipient **out);
void age_identity_free(struct age_identity **id);
/*
 * Parses an identity file as age-keygen writes it: '#' comments and blank
 * lines, and exactly one AGE-SECRET-KEY-1... line. AGE_ERR_ARG otherwise.
 */
__attribute__((warn_unused_result)) enum age_err age_identity_from_text(const char *text, size_t n,
                                                                        struct age_identity **out);

/* ---- encryption ---- */
struct age_encryptor;

/*
 * Starts a file for nrecipients recipients (1..AGE_MAX_STANZAS; a scrypt
 * recipient must be alone). Writes the header through w at once.
 * armor: wrap the output in "-----BEGIN AGE ENCRYPTED FILE-----" armor.
 */
__attribute__((warn_unused_result)) enum age_err
age_encrypt_begin(const struct age_recipient *const *recipients, size_t nrecipients, int armor,
                  age_write_fn w, void *wctx, struct age_encryptor **out);
__attribute__((warn_unused_result)) enum age_err age_encrypt_update(struct age_encryptor *e,
                                                                    const uint8_t *p, size_t n);
/*
 * For whole files: from now on, an update that carries several whole 64 KiB
 * chunks (best: AGE_PAR_BATCH bytes at a time) seals them on two threads, the
 * caller's and one worker thread started on first use (it blocks all signals
 * and ends in age_encryptor_free()). Same output. If the thread cannot be
 * made, encryption stays single-threaded.
 */
#define AGE_PAR_BATCH (8 * AGE_CHUNK_SIZE)
void age_encrypt_parallel(struct age_encryptor *e);
/* Writes the last chunk (and armor footer). The encryptor must still be freed. */
__attribute__((warn_unused_result)) enum age_err age_encrypt_finish(struct age_encryptor *e);
void age_encryptor_free(struct age_encryptor **e);

/* ---- decryption ---- */
struct age_decryptor;

/*
 * Starts decrypting with nidentities identities (each tried in order on every
 * stanza). The identities must stay valid until the decryptor is freed.
 * Armored input is detected from its first byte: a binary age file starts
 * with 'a' ("age-encryption.org/"); anything else goes to the armor decoder
 * (so leading garbage is an AGE_ERR_ARMOR, as the CCTV vectors expect).
 */
__attribute__((warn_unused_result)) enum age_err
age_decrypt_begin(const struct age_identity *const *identities, size_t nidentities, age_write_fn w,
                  void *wctx, struct age_decryptor **out);
/* Feeds ciphertext; plaintext leaves through w as chunks authenticate. */
__attribute__((warn_unused_result)) enum age_err age_decrypt_update(struct age_decryptor *d,
                                                                    const uint8_t *p, size_t n);
/*
 * Like age_encrypt_parallel(): opens runs of whole chunks on two threads.
 * Plaintext is still released only after its chunk (and every earlier one)
 * authenticated, and on failure exactly the chunks before it are released.
 */
void age_decrypt_parallel(struct age_decryptor *d);
/* End of input: checks and releases the last chunk. */
__attribute__((warn_unused_result)) enum age_err age_decrypt_finish(struct age_decryptor *d);
void age_decryptor_free(struct age_decryptor **d);

/* ---- whole streams (two threads, see age_encrypt_parallel()) ---- */
__attribute__((warn_unused_result)) enum age_err
age_encrypt_fd(const struct age_recipient *const *recipients, size_t nrecipients, int armor,
               int in_fd, int out_fd);
__attribute__((warn_unused_result)) enum age_err
age_decrypt_fd(const struct age_identity *const *identities, size_t nidentities, int in_fd,
               int out_fd);
/*
 * In-memory helpers for small objects (messages, wrapped keys); out is capped
 * by the caller, and output past its cap fails with AGE_ERR_IO. No armor on
 * output; armored input is accepted.
 */
struct buf;
__attribute__((warn_unused_result)) enum age_err
age_encrypt_buf(const struct age_recipient *const *recipients, size_t nrecipients, const uint8_t *p,
                size_t n, struct buf *out);
__attribute__((warn_unused_result)) enum age_err
age_decrypt_buf(const struct age_identity *const *identities, size_t nidentities, const uint8_t *p,
                size_t n, struct buf *out);

/* ---- shape without a key ---- */
/*
 * Checks what can be checked of a binary age file without a key (age_shape.c):
 * the header parses and has a stanza, and the payload has the STREAM shape
 * (nonce, whole chunks, a last chunk that is neither cut nor empty unless it
 * is the only one). AGE_ERR_HEADER or AGE_ERR_PAYLOAD otherwise. The header
 * MAC and the chunk tags need the key: age_decrypt_*.
 */
struct age_shape;
__attribute__((warn_unused_result)) enum age_err age_shape_begin(struct age_shape **out);
__attribute__((warn_unused_result)) enum age_err age_shape_update(struct age_shape *s,
                                                                  const uint8_t *p, size_t n);
__attribute__((warn_unused_result)) enum age_err age_shape_finish(struct age_shape *s);
void age_shape_free(struct age_shape **s);

/* ---- granting access ---- */
/*
 * Given the header of an existing (binary, non-armored) age file, opened with
 * `identity`, writes a new header that also carries a stanza for `recipient`,
 * with a fresh HMAC. The payload that follows the old header is unchanged and
 * is copied by the caller after the new header. *old_header_len receives the
 * length of the old header (the payload starts there).
 *
 * `in` must hold at least the whole header (AGE_MAX_HEADER bytes or the whole file).
 */
__attribute__((warn_unused_result)) enum age_err
age_add_recipient(const uint8_t *in, size_t in_len, const struct age_identity *identity,
                  const struct age_recipient *recipient, struct buf *new_header,
                  size_t *old_header_len);

#endif
