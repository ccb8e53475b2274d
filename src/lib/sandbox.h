/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sandbox: a process confines itself (Linux): no_new_privs, Landlock rules
 * (the best ABI the kernel offers) and a seccomp allow-list (libseccomp).
 * General: it knows nothing of cutout's files; the caller names them.
 *
 * Order of use: sandbox_landlock() once the process has opened what it
 * opens by other rights and before it starts the threads that serve (Landlock
 * confines the calling thread and the threads it starts later), then
 * sandbox_seccomp() once everything is started (synchronised to every thread).
 */
#ifndef CUTOUT_LIB_SANDBOX_H
#define CUTOUT_LIB_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

enum sandbox_result {
	SANDBOX_OK = 0,
	SANDBOX_NO_LANDLOCK, /* the kernel has none: the rest was still applied */
	SANDBOX_FAILED,      /* a step failed: errno says why; do not serve */
};

/* What a path may be used for. */
enum sandbox_access {
	SANDBOX_FILE_RW = 1, /* an existing file: read, write, truncate */
	SANDBOX_DIR_RW,      /* a directory: list, and read, write, create, remove files beneath */
	SANDBOX_DIR_CREATE,  /* a directory: create, write and remove files beneath; never read */
	SANDBOX_EXEC,        /* a file, or the files beneath a directory: read and execute */
	SANDBOX_TREE_READ,   /* a directory: list, read and execute everything beneath */
	SANDBOX_SCRATCH,     /* a private directory: every right beneath (make and remove
	                        files, directories, links, sockets, FIFOs; rename within) */
};

struct sandbox_path {
	const char *path;
	enum sandbox_access access;
	int optional; /* a path that does not exist is skipped */
};

struct sandbox_policy {
	const struct sandbox_path *paths;
	size_t npaths;
	uint16_t bind_port;    /* TCP port the process may bind (0: an ephemeral one) */
	uint16_t connect_port; /* TCP port it may connect to; 0: none */
};

/*
 * no_new_privs, RLIMIT_CORE 0, and the Landlock rules of p. *abi: the
 * Landlock ABI used (0: none). SANDBOX_NO_LANDLOCK when the kernel has no
 * Landlock (the caller says so).
 */
enum sandbox_result sandbox_landlock(const struct sandbox_policy *p, int *abi)
        __attribute__((warn_unused_result));

/*
 * The seccomp allow-list of a served process, on every thread: what the C
 * library, SQLite, libsodium and libmicrohttpd's event threads call; no
 * execve, ptrace, fork (clone only with CLONE_THREAD), bind, and socket and
 * connect only when p->connect_port is set. Others fail with EPERM.
 */
enum sandbox_result sandbox_seccomp(const struct sandbox_policy *p)
        __attribute__((warn_unused_result));

/*
 * A process that only computes on what it was given (the converter child,
 * lib/render.h): no_new_privs, RLIMIT_CORE 0, Landlock with every right
 * handled and none granted (no file may be opened, no TCP port bound or
 * connected), and a seccomp allow-list of memory, read/write on descriptors
 * already open, time, getrandom and exit: no open, socket, connect, execve,
 * fork, clone or ptrace (EPERM). SANDBOX_NO_LANDLOCK: the rest was applied.
 */
enum sandbox_result sandbox_compute(int *abi) __attribute__((warn_unused_result));

/*
 * A process that only starts confined children of one program (the converter
 * service, lib/render.h): no_new_privs, RLIMIT_CORE 0, Landlock granting
 * nothing but reading and executing exec_paths (the program, its loader and
 * libraries; SANDBOX_EXEC is forced), no TCP bind or connect; and the seccomp
 * allow-list of a served process without socket or connect, plus fork,
 * execve, wait4, kill and what its child calls to confine itself after the
 * execve (the filters stack: the child's own is stricter).
 */
enum sandbox_result sandbox_spawner(const char *const *exec_paths, size_t n, int *abi)
        __attribute__((warn_unused_result));

#endif
