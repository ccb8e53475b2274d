/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codename: the secret a source holds instead of a name. Seven words drawn
 * uniformly (libsodium's randombytes_uniform) from the EFF large word list of
 * 7,776 words, which is compiled into the binary: 7 x log2(7776) = 90.5 bits.
 *
 * codename_normalize() turns what a source types into the one canonical form
 * that is fed to the key derivation: ASCII lower case, single spaces between
 * words, no leading or trailing white space. It accepts only exactly seven
 * words of the list. Words are looked up by scanning the whole list with a
 * constant-time compare, so the time taken does not depend on which words
 * they are.
 *
 * A codename is a secret: never log it, keep it in sodium_malloc memory where
 * possible and wipe it after use. These functions wipe their own temporaries;
 * on failure the output buffer is wiped too.
 */
#ifndef CUTOUT_LIB_CODENAME_H
#define CUTOUT_LIB_CODENAME_H

#include <stddef.h>
#include <stdint.h>

#define CODENAME_NWORDS 7
#define CODENAME_LIST_SIZE 7776u
#define CODENAME_WORD_MAX 9 /* the longest word of the list */
/* The longest normalized codename, without NUL: 7 words of 9 and 6 spaces. */
#define CODENAME_MAX (CODENAME_NWORDS * CODENAME_WORD_MAX + CODENAME_NWORDS - 1)
#define CODENAME_BUFSIZE (CODENAME_MAX + 1)
/* Inputs longer than this are refused without being parsed. */
#define CODENAME_INPUT_MAX 1024

enum codename_result {
	CODENAME_OK = 0,
	CODENAME_ERR_SPACE,    /* the output buffer is too small (a bug) */
	CODENAME_ERR_COUNT,    /* not exactly seven words */
	CODENAME_ERR_WORD,     /* a word that is not in the list */
	CODENAME_ERR_TOO_LONG, /* the input is longer than CODENAME_INPUT_MAX */
};

const char *codename_strerror(enum codename_result r);

/*
 * Writes a fresh codename and a NUL into out (cap >= CODENAME_BUFSIZE is
 * always enough).
 */
__attribute__((warn_unused_result)) enum codename_result codename_generate(char *out, size_t cap);

/*
 * Normalizes a typed codename (NUL-terminated) into out (cap >= CODENAME_BUFSIZE
 * is always enough): lower case, white space (space, tab, CR, LF, VT, FF) runs
 * collapsed to one space, trimmed. Errors: CODENAME_ERR_COUNT when there are
 * not seven words, else CODENAME_ERR_WORD when one is not in the list.
 */
__attribute__((warn_unused_result)) enum codename_result codename_normalize(const char *in,
                                                                            char *out, size_t cap);

/* The word with index i (< CODENAME_LIST_SIZE), or NULL. */
const char *codename_word(uint32_t i);

/*
 * The index of the word w[0..len) in the list, or -1. Constant time in
 * which word it is (scans the whole list).
 */
int32_t codename_word_index(const char *w, size_t len);

#endif
