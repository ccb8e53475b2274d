/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * copy: recipients' copies of a report and the book of their code bits.
 *
 * A copy is the literal text with every slot's variant chosen by the
 * recipient's bit (tardos.h); its choices are the packed bit string
 * (COPY_BITS_BYTES(m) bytes), to be stored sealed with the release.
 *
 * The stored records name the slot engine (slots.h) that found the slots the
 * bits are for, so that a release traces with the slots it was made with:
 * engine 1 stored the release's secret (32 bytes) and each copy's bits bare;
 * from engine 2 the secret record is the secret then the engine's number (33
 * bytes), and a copy's record the engine's number then the bits.
 */
#ifndef CUTOUT_CORE_RELEASE_COPY_H
#define CUTOUT_CORE_RELEASE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/release/slots.h"
#include "lib/buf.h"

#define COPY_BITS_BYTES(m) (((m) + 7) / 8)
#define COPY_RECIPIENTS_MAX 1000000
#define COPY_SECRET_RECORD_MAX 33
#define COPY_CHOICES_MAX(m) (1 + COPY_BITS_BYTES(m))

/* The record of a release's secret made by engine `engine` into out; its length (0: no such
 * engine). */
size_t copy_secret_record(const uint8_t secret[static 32], unsigned engine,
                          uint8_t out[static COPY_SECRET_RECORD_MAX]);
/* The engine of a secret record (its secret is its first 32 bytes). 0, or -1 if not one. */
__attribute__((warn_unused_result)) int copy_secret_engine(const uint8_t *rec, size_t len,
                                                           unsigned *engine);
/* The record of bits (m slots) made by engine `engine` into out (COPY_CHOICES_MAX(m) bytes);
 * its length (0: no such engine). */
size_t copy_choices_record(const uint8_t *bits, size_t m, unsigned engine, uint8_t *out);
/* The engine and the bits of a copy's record for m slots. 0, or -1 if not one. */
__attribute__((warn_unused_result)) int copy_choices_parse(const uint8_t *rec, size_t len, size_t m,
                                                           unsigned *engine, const uint8_t **bits);

/* The text of the copy with choices bits (one per slot). 0, or -1 if out would pass its cap. */
__attribute__((warn_unused_result)) int copy_render(const struct slots *s, const uint8_t *bits,
                                                    struct buf *out);

/* The code of one release: biases and every recipient's bits. */
struct copy_book {
	size_t m;      /* slots */
	size_t n;      /* recipients */
	size_t stride; /* COPY_BITS_BYTES(m) */
	double *p;
	uint64_t *ids;
	uint8_t *bits; /* n * stride */
};

/*
 * Derives the book of a release for the recipients ids[0..n) from the
 * instance secret, with the code of engine `engine` (tardos_cutoff). 0, or -1
 * (out of range sizes, no memory).
 */
__attribute__((warn_unused_result)) int
copy_book_make(struct copy_book *b, const uint8_t secret[static 32], uint64_t release,
               uint32_t collusion, unsigned engine, size_t m, const uint64_t *ids, size_t n);
void copy_book_free(struct copy_book *b);
static inline const uint8_t *copy_book_bits(const struct copy_book *b, size_t i)
{
	return b->bits + i * b->stride;
}

#endif
