/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * secmem: guarded memory for small, short-lived secrets (keys, file keys,
 * shared secrets) without a system call per use.
 *
 * sodium_malloc() maps, guards and locks fresh pages on every call; in a
 * server that seals thousands of objects a second from many threads, the
 * mmap/mprotect/munmap calls and the TLB shootdowns they cause cost more
 * than the cryptography. secmem carves one sodium_malloc'd region (guard
 * pages, mlock, canary) into 128-byte slots: secmem_alloc takes a slot,
 * secmem_free wipes it and gives it back. Larger requests, or requests when
 * every slot is taken, fall back to sodium_malloc itself. Thread safe.
 */
#ifndef CUTOUT_LIB_SECMEM_H
#define CUTOUT_LIB_SECMEM_H

#include <stddef.h>

#define SECMEM_SLOT 128

/* At least n bytes of guarded memory (zeroed), or NULL. */
__attribute__((warn_unused_result, malloc)) void *secmem_alloc(size_t n);
/* Wipes and releases p (from secmem_alloc; NULL is allowed). */
void secmem_free(void *p);

#endif
