/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* sandbox: no_new_privs, Landlock and a seccomp allow-list (lib/sandbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "lib/sandbox.h"

#include "lib/banned.h"

/*
 * Debian 12's <linux/landlock.h> stops at ABI 2: the later rights and the
 * network rule are spelt here as the kernel's uapi defines them.
 */
#define LL_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_RULE_NET_PORT 2
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* Every filesystem right of ABI 1 and 2 (ABI 3's truncate is added when there). */
#define LL_FS_ALL                                                         \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |     \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |     \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |     \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |     \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |   \
	 LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER)

static uint64_t rights_of(enum sandbox_access a, uint64_t truncate)
{
	uint64_t file = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | truncate;
	switch (a) {
	case SANDBOX_FILE_RW:
		return file;
	case SANDBOX_DIR_RW:
		return file | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		       LANDLOCK_ACCESS_FS_REMOVE_FILE;
	case SANDBOX_DIR_CREATE:
		return LANDLOCK_ACCESS_FS_WRITE_FILE | truncate | LANDLOCK_ACCESS_FS_MAKE_REG |
		       LANDLOCK_ACCESS_FS_REMOVE_FILE;
	case SANDBOX_EXEC:
		return LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE;
	case SANDBOX_TREE_READ:
		return LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE |
		       LANDLOCK_ACCESS_FS_READ_DIR;
	case SANDBOX_SCRATCH:
		return file | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		       LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
		       LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		       LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |
		       LANDLOCK_ACCESS_FS_REFER;
	}
	return 0;
}

static int add_path(int ruleset, const struct sandbox_path *sp, uint64_t truncate, uint64_t handled)
{
	int fd = open(sp->path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sp->optional && errno == ENOENT ? 0 : -1;
	struct landlock_path_beneath_attr pb = {
	        .allowed_access = rights_of(sp->access, truncate) & handled,
	        .parent_fd = fd,
	};
	long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	int e = errno;
	close(fd);
	errno = e;
	return rc == 0 ? 0 : -1;
}

static int add_port(int ruleset, uint64_t access, uint16_t port)
{
	struct ll_net_port_attr np = {.allowed_access = access, .port = port};
	return syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &np, 0) == 0 ? 0 : -1;
}

enum sandbox_result sandbox_landlock(const struct sandbox_policy *p, int *abi)
{
	*abi = 0;
	struct rlimit no_core = {0, 0};
	if (setrlimit(RLIMIT_CORE, &no_core) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return SANDBOX_FAILED;
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (v < 1)
		return errno == ENOSYS || errno == EOPNOTSUPP ? SANDBOX_NO_LANDLOCK
		                                              : SANDBOX_FAILED;
	*abi = (int)v;
	struct ll_ruleset_attr ra = {.handled_access_fs = LL_FS_ALL};
	size_t ra_size = sizeof ra.handled_access_fs;
	uint64_t truncate = v >= 3 ? LL_FS_TRUNCATE : 0;
	ra.handled_access_fs |= truncate;
	if (v < 2) /* REFER came with ABI 2: before it, linking across directories is refused */
		ra.handled_access_fs &= ~(uint64_t)LANDLOCK_ACCESS_FS_REFER;
	if (v >= 4) {
		ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		ra_size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (v >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		ra_size = sizeof ra;
	}
	int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, ra_size, 0);
	if (rs < 0)
		return SANDBOX_FAILED;
	enum sandbox_result r = SANDBOX_FAILED;
	for (size_t i = 0; i < p->npaths; i++)
		if (add_path(rs, &p->paths[i], truncate, ra.handled_access_fs) != 0)
			goto out;
	if (v >= 4 &&
	    (add_port(rs, LL_NET_BIND_TCP, p->bind_port) != 0 ||
	     (p->connect_port != 0 && add_port(rs, LL_NET_CONNECT_TCP, p->connect_port) != 0)))
		goto out;
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		goto out;
	r = SANDBOX_OK;
out:
	close(rs);
	return r;
}

/* The system calls a served process makes once started. */
static const char *const allowed[] = {
        /* memory, threads, time, signals */
        "brk",
        "mmap",
        "munmap",
        "mremap",
        "mprotect",
        "madvise",
        "mlock",
        "mlock2",
        "munlock",
        "mincore",
        "futex",
        "set_robust_list",
        "get_robust_list",
        "rseq",
        "set_tid_address",
        "exit",
        "exit_group",
        "gettid",
        "getpid",
        "getppid",
        "tgkill",
        "sched_yield",
        "sched_getaffinity",
        "nanosleep",
        "clock_nanosleep",
        "clock_gettime",
        "clock_getres",
        "gettimeofday",
        "time",
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "sigaltstack",
        "restart_syscall",
        "pause",
        "getrandom",
        "sysinfo",
        "uname",
        "prlimit64",
        "getrlimit",
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "membarrier",
        /* files (Landlock decides which) */
        "read",
        "write",
        "readv",
        "writev",
        "pread64",
        "pwrite64",
        "preadv",
        "pwritev",
        "preadv2",
        "pwritev2",
        "open",
        "openat",
        "close",
        "lseek",
        "fstat",
        "stat",
        "lstat",
        "newfstatat",
        "statx",
        "fstatfs",
        "statfs",
        "access",
        "faccessat",
        "faccessat2",
        "fcntl",
        "flock",
        "fsync",
        "fdatasync",
        "ftruncate",
        "fallocate",
        "utimensat", /* the store's files take the time of its last write (issue 16 §3) */
        "fadvise64",
        "rename",
        "renameat",
        "renameat2",
        "unlink",
        "unlinkat",
        "getdents64",
        "getcwd",
        "readlink",
        "readlinkat",
        "dup",
        "dup2",
        "dup3",
        "pipe",
        "pipe2",
        "sendfile",
        "umask",
        /* events and sockets already open */
        "eventfd2",
        "epoll_create",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "epoll_pwait",
        "epoll_pwait2",
        "poll",
        "ppoll",
        "select",
        "pselect6",
        "accept",
        "accept4",
        "shutdown",
        "setsockopt",
        "getsockopt",
        "getsockname",
        "getpeername",
        "sendto",
        "recvfrom",
        "sendmsg",
        "recvmsg",
        "listen",
};

/* What a spawner calls besides a served process's list: its children, and their
 * first steps after execve (the loader, then their own confinement). */
static const char *const spawner_allowed[] = {
        "execve",
        "wait4",
        "waitid",
        "kill",
        "setrlimit",
        "arch_prctl",
        "rt_sigtimedwait",
        "close_range",
        "seccomp",
        "landlock_create_ruleset",
        "landlock_add_rule",
        "landlock_restrict_self",
};

static enum sandbox_result load_filter(const struct sandbox_policy *p, int spawner)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return SANDBOX_FAILED;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL)
		return SANDBOX_FAILED;
	enum sandbox_result r = SANDBOX_FAILED;
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	for (size_t i = 0;
	     rc == 0 && spawner && i < sizeof spawner_allowed / sizeof spawner_allowed[0]; i++) {
		int nr = seccomp_syscall_resolve_name(spawner_allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* clone3's flags are out of reach, so glibc is sent back to clone: threads only,
	 * or for a spawner a process (fork) */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0 && spawner)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 0);
	else if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	/* a terminal's questions only (isatty) and non-blocking sockets */
	static const unsigned long ioctls[] = {TCGETS, FIONREAD, FIONBIO, FIOCLEX};
	for (size_t i = 0; rc == 0 && i < sizeof ioctls / sizeof ioctls[0]; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		                      SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	/* PR_SET_NAME / PR_GET_NAME (thread names) and the sandbox's own prctl */
	static const int prctls[] = {PR_SET_NAME, PR_GET_NAME, PR_SET_NO_NEW_PRIVS,
	                             PR_SET_PDEATHSIG, PR_SET_SECCOMP};
	size_t nprctl = sizeof prctls / sizeof prctls[0] - (spawner ? 0 : 2);
	for (size_t i = 0; rc == 0 && i < nprctl; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
		                      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)prctls[i]));
	/* the network store (PostgreSQL): a TCP socket and connect, Landlock says where */
	if (rc == 0 && !spawner && p->connect_port != 0) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 0);
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0);
	}
	if (rc == 0 && seccomp_load(ctx) == 0)
		r = SANDBOX_OK;
	else if (rc != 0)
		errno = -rc;
	seccomp_release(ctx);
	return r;
}

enum sandbox_result sandbox_seccomp(const struct sandbox_policy *p)
{
	return load_filter(p, 0);
}

enum sandbox_result sandbox_spawner(const char *const *exec_paths, size_t n, int *abi)
{
	*abi = 0;
	struct sandbox_path paths[16];
	if (n > sizeof paths / sizeof paths[0]) {
		errno = E2BIG;
		return SANDBOX_FAILED;
	}
	for (size_t i = 0; i < n; i++)
		paths[i] = (struct sandbox_path){exec_paths[i], SANDBOX_EXEC, i > 0};
	struct sandbox_policy p = {paths, n, 0, 0};
	enum sandbox_result r = sandbox_landlock(&p, abi);
	if (r == SANDBOX_FAILED)
		return r;
	return load_filter(&p, 1) == SANDBOX_OK ? r : SANDBOX_FAILED;
}

/* ---- a process that only computes (lib/render.h's converter child) ---- */

/* What it may call: memory, its open pipes, time, randomness, leaving. */
static const char *const compute_allowed[] = {
        "brk",           "mmap",         "munmap",          "mremap",
        "mprotect",      "madvise",      "futex",           "exit",
        "exit_group",    "rt_sigreturn", "rt_sigaction",    "rt_sigprocmask",
        "read",          "write",        "readv",           "writev",
        "close",         "fstat",        "newfstatat",      "lseek",
        "clock_gettime", "gettimeofday", "getrandom",       "getpid",
        "gettid",        "sched_yield",  "set_robust_list", "rseq",
        "getrlimit",     "prlimit64",
};

enum sandbox_result sandbox_compute(int *abi)
{
	*abi = 0;
	struct rlimit no_core = {0, 0};
	if (setrlimit(RLIMIT_CORE, &no_core) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return SANDBOX_FAILED;
	enum sandbox_result r = SANDBOX_OK;
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (v < 1) {
		if (errno != ENOSYS && errno != EOPNOTSUPP)
			return SANDBOX_FAILED;
		r = SANDBOX_NO_LANDLOCK;
	} else {
		/* every right handled, none granted: no file opens, no TCP bind or connect */
		*abi = (int)v;
		struct ll_ruleset_attr ra = {.handled_access_fs = LL_FS_ALL};
		size_t ra_size = sizeof ra.handled_access_fs;
		if (v >= 3)
			ra.handled_access_fs |= LL_FS_TRUNCATE;
		if (v < 2)
			ra.handled_access_fs &= ~(uint64_t)LANDLOCK_ACCESS_FS_REFER;
		if (v >= 4) {
			ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
			ra_size = offsetof(struct ll_ruleset_attr, scoped);
		}
		if (v >= 6) {
			ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
			ra_size = sizeof ra;
		}
		int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, ra_size, 0);
		if (rs < 0)
			return SANDBOX_FAILED;
		long ok = syscall(SYS_landlock_restrict_self, rs, 0);
		close(rs);
		if (ok != 0)
			return SANDBOX_FAILED;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL)
		return SANDBOX_FAILED;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof compute_allowed / sizeof compute_allowed[0]; i++) {
		int nr = seccomp_syscall_resolve_name(compute_allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (rc != 0 || seccomp_load(ctx) != 0)
		r = SANDBOX_FAILED;
	seccomp_release(ctx);
	return r;
}
