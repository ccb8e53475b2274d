/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * num: strict decimal numbers from text (command arguments, URL parts).
 * Only ASCII digits, no sign, no spaces, no trailing bytes, no overflow.
 */
#ifndef CUTOUT_LIB_NUM_H
#define CUTOUT_LIB_NUM_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 if s is NULL or not a decimal number that fits in 64 bits. */
__attribute__((warn_unused_result)) int num_parse_u64(const char *s, uint64_t *out);
/*
 * The n bytes at s as a canonical decimal (a format's field, not NUL-terminated):
 * 1..20 digits, no leading zero but "0" itself, no overflow. 0 or -1.
 */
__attribute__((warn_unused_result)) int num_parse_u64n(const char *s, size_t n, uint64_t *out);
/* An id: 1..INT64_MAX. 0 or -1. */
__attribute__((warn_unused_result)) int num_parse_id(const char *s, int64_t *out);

#endif
