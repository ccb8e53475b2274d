/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store: all persistence goes through this interface. A backend is a table of
 * function pointers (after OpenSMTPD's struct queue_backend), one file each:
 * store_sqlite.c (the embedded default) and, later, store_pg.c.
 *
 * The store holds only ciphertext and non-secret metadata. Blobs (age files)
 * are kept in chunks of at most STORE_CHUNK_MAX bytes so that large files
 * never need to be held whole, and so that every node of a shared database
 * sees them.
 *
 * Durability: every function that acknowledges a user-visible action
 * (store_submission_commit, store_source_create, store_reply_add, deletes)
 * returns only after the change is durable (fsync'd). Backends batch the
 * durable commits of concurrent callers into one transaction and one fsync
 * (group commit). Blob chunk writes are not durable by themselves: they become
 * durable, and visible, with the commit that references them. After a crash,
 * store_open() removes blobs that no committed row references (a partial
 * upload leaves nothing visible).
 *
 * Transactions: store_write() runs a function inside one durable write
 * transaction. Every store call that function makes joins it, and so does
 * ledger_append(): a domain action and its ledger entries are acknowledged
 * together, and a crash leaves both or neither (docs/internals/store.md).
 *
 * Time: only the day (days since 1970-01-01, UTC) is ever stored.
 * Thread safety: a struct store may be used from many threads at once.
 */
#ifndef CUTOUT_CORE_STORE_H
#define CUTOUT_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_CHUNK_MAX (256 * 1024)
#define STORE_META_MAX 4096    /* a meta value */
#define STORE_META_KEY_MAX 256 /* a meta key */
#define STORE_LOOKUP_LEN 32    /* source lookup hash */
#define STORE_PK_LEN 32        /* X25519 public key */
#define STORE_MARKING_MAX 256
#define STORE_LIST_MAX 4096 /* ids in one page of store_blob_list */

enum store_result {
	STORE_OK = 0,
	STORE_NOT_FOUND,
	STORE_EXISTS, /* unique constraint (e.g. the same lookup hash twice) */
	STORE_TOO_LARGE,
	STORE_BUSY,    /* could not get the lock in time; the caller may retry or answer 503 */
	STORE_CORRUPT, /* schema too new, or inconsistent data */
	STORE_IO,      /* the backend failed (I/O error) */
	STORE_NOMEM,
	STORE_STOP,        /* an iteration callback asked to stop (not an error): see below */
	STORE_UNSUPPORTED, /* the location names a backend this build does not have */
	STORE_REFUSED, /* a transaction's function refused (its own reason); nothing was written */
	STORE_FULL,    /* no space left (disk full, quota, file size limit); nothing was written */
};

const char *store_strerror(enum store_result r);

/*
 * Rules every operation of every domain keeps (the fronts enforce what they
 * can; tests/store/ checks each):
 * - Listings (every call that takes a callback, fn non-zero stops) return
 *   STORE_STOP exactly when fn stopped them, STORE_OK when every row was
 *   given, or the backend's error.
 * - A call on an id that names no row is STORE_NOT_FOUND, whatever other
 *   refusal the call has ("changed meanwhile" is STORE_EXISTS only for a row
 *   that exists), with nothing changed.
 * - Every listing has a stated, total order; text is ordered bytewise
 *   (memcmp, as SQLite's BINARY and PostgreSQL's COLLATE "C").
 */

typedef int64_t store_id; /* > 0 */

struct store_source {
	store_id id;
	uint8_t pk[STORE_PK_LEN]; /* X25519 public key: replies are sealed to it */
	int32_t created_day;
	int32_t last_day; /* day of the latest submission */
	int64_t nsubmissions;
	int64_t nunread; /* submissions not yet read by the desk */
};

struct store_submission {
	store_id id;
	store_id source_id;
	int32_t day;
	store_id message_blob; /* age file of the message text; 0 if none */
	int32_t nfiles;
	int read; /* seen by the desk */
	char marking[STORE_MARKING_MAX];
	/*
	 * Its blobs are age files sealed to the intake label inside age files
	 * sealed to this version of the label of `marking` (core/keys/seal.h); 0: the
	 * intake label's layer alone (sealed before that label had a reader).
	 */
	uint32_t seal_version;
};

struct store_file {
	store_id id;
	store_id submission_id;
	store_id meta_blob; /* age file of the file's metadata (name, type, size): never in clear */
	store_id data_blob; /* age file of the file's content */
};

struct store_reply {
	store_id id;
	store_id source_id;
	int32_t day;
	store_id blob;       /* age file sealed to the source's public key; 0 once deleted */
	store_id author;     /* the officer who wrote it; 0: not known (or the system's) */
	int32_t read_day;    /* the day the source first saw it; 0: not yet (never a time) */
	int32_t deleted_day; /* the day the source deleted it (a tombstone); 0: not deleted */
	/*
	 * The desk's copy, sealed as the blobs of the submission it answers are
	 * (core/keys/seal.h): to the intake label inside this version of the
	 * label of `marking`. desk_blob 0: none (a reply written before desk
	 * copies, or deleted by the source); seal_version 0: the intake layer alone.
	 */
	store_id desk_blob;
	store_id submission; /* the submission it answers (its marking follows that one's) */
	uint32_t seal_version;
	char marking[STORE_MARKING_MAX]; /* "" when there is no desk copy */
};

/* A reply's desk copy (store_reply_seal): set at once with the reply, or sealed anew. */
struct store_reply_seal {
	store_id author; /* > 0 sets the author; 0 leaves it */
	store_id submission;
	const char *marking;
	uint32_t seal_version;
	store_id desk_blob; /* a pending blob, claimed; the previous desk copy is deleted */
};

/* A new submission, committed at once with its files. */
struct store_new_file {
	store_id meta_blob;
	store_id data_blob;
};

typedef int (*store_chunk_fn)(void *ctx, const uint8_t *p, size_t n); /* non-zero: stop */

enum store_expire { STORE_EXPIRE_SUBMISSIONS, STORE_EXPIRE_REPLIES };
/* One deletion of store_expire: a submission (with its marking) or a reply. */
struct store_expired {
	store_id id, source;
	char marking[STORE_MARKING_MAX]; /* a submission's; "" for a reply */
};
#define STORE_EXPIRE_MAX 256 /* deletions in one call of store_expire */

struct store;
/*
 * The function of a write transaction (store_write): s is the same store,
 * and every call on it joins the transaction. STORE_OK commits; any other
 * result rolls back everything the function did.
 */
typedef enum store_result (*store_tx_fn)(struct store *s, void *arg);

struct store;
struct store_ledger_ops; /* core/store/store_ledger.h */
struct merkle_cache;     /* lib/merkle_cache.h */
struct store_officer_ops;
struct store_desk_ops;
struct store_registry_ops;
struct store_release_ops;
struct store_witness_ops;
struct store_copy_ops;
struct store_liaison_ops;
struct store_safe_ops;
struct store_session_ops;

/*
 * A backend implements these with its own SQL and nothing else: callers go
 * through the front functions below (store_meta_get, store_blob_put, ...,
 * core/store/store.c, store_blob.c, store_intake.c), which check every
 * argument and cap once (ids > 0, lengths, STORE_CHUNK_MAX, STORE_META_MAX,
 * STORE_MARKING_MAX, nfiles) before they call the backend. A backend may
 * therefore take those as given; what only its rows can tell (a missing id,
 * a blob no longer pending) it still reports.
 */
/*
 * The files a door must be able to open once it is confined (docs/privsep.md):
 * the door's Landlock rules are made of them, so the door does not know a
 * backend's file layout. The role is the door's: today the intake and the
 * desk need the same files; with the intake's own store file (the next step
 * of issue 16 §4) the intake's list names only that file.
 */
enum store_role { STORE_ROLE_DESK = 0, STORE_ROLE_INTAKE = 1 };
enum store_file_kind {
	STORE_FILE = 0, /* an existing file: read and write */
	STORE_DIR = 1,  /* a directory: its files read, written, made and removed */
};
/* Called once per path; nonzero stops the listing. */
typedef int (*store_file_fn)(void *ctx, const char *path, enum store_file_kind kind);

struct store_backend {
	const char *name;
	enum store_result (*open)(const char *location, struct store **out);
	void (*close)(struct store *s);
	/* The files a door of `role` opens after start (NULL: none, a network store). */
	enum store_result (*files)(struct store *s, enum store_role role, store_file_fn fn,
	                           void *ctx);
	/* A network store's TCP port (a Unix socket's number too); NULL: a local file. */
	uint16_t (*net_port)(struct store *s);

	/*
	 * Runs fn in one durable write transaction (store_write). claim: the
	 * pending blobs the transaction claims (through submission_commit,
	 * reply_add or a domain operation), made durable before it starts.
	 * Inside fn, every call on the store joins the transaction (a nested
	 * store_write is a savepoint of it); in_write tells whether the calling
	 * thread is inside one of s's transactions.
	 */
	enum store_result (*write)(struct store *s, const store_id *claim, size_t nclaim,
	                           store_tx_fn fn, void *arg);
	bool (*in_write)(struct store *s);

	/*
	 * Checks the backend's own structures (pages, indexes, constraints):
	 * STORE_OK, or STORE_CORRUPT with what is wrong in msg (cap > 0, always
	 * terminated). quick: bounded time, for a door's start (SQLite:
	 * quick_check; integrity_check otherwise). NULL: the backend has no check.
	 */
	enum store_result (*check)(struct store *s, bool quick, char *msg, size_t cap);

	/*
	 * meta: small key/value settings of the instance (salt, public keys, schema
	 * version). meta_get with cap below the value's length: STORE_TOO_LARGE,
	 * *len the value's length (the one out-parameter kept on a failure).
	 */
	enum store_result (*meta_get)(struct store *s, const char *key, uint8_t *val, size_t cap,
	                              size_t *len);
	enum store_result (*meta_set)(struct store *s, const char *key, const uint8_t *val,
	                              size_t len);

	/*
	 * blobs: create, append chunks in order, read back, delete (the bytes are
	 * overwritten). A blob still pending when the store closes, cleanly or not,
	 * is gone when it opens again (STORE_NOT_FOUND).
	 */
	enum store_result (*blob_create)(struct store *s, store_id *out);
	enum store_result (*blob_append)(struct store *s, store_id blob, const uint8_t *p,
	                                 size_t n);
	/* blob_create and a first chunk of n <= STORE_CHUNK_MAX bytes, in one step */
	enum store_result (*blob_put)(struct store *s, const uint8_t *p, size_t n, store_id *out);
	enum store_result (*blob_read)(struct store *s, store_id blob, store_chunk_fn fn,
	                               void *ctx);
	enum store_result (*blob_size)(struct store *s, store_id blob, uint64_t *size);
	enum store_result (*blob_delete)(struct store *s, store_id blob);
	/*
	 * The stored (not pending) blobs with ids above `after`, ascending, at most
	 * cap of them in ids; *n how many (fewer than cap: the last page).
	 */
	enum store_result (*blob_list)(struct store *s, store_id after, store_id *ids, size_t cap,
	                               size_t *n);
	/*
	 * Inside store_write only: a pending blob becomes stored, as a commit
	 * claims it (the transaction's claim list must name it). STORE_NOT_FOUND
	 * if it is not pending; STORE_CORRUPT outside a transaction, or for a
	 * file-backed blob the claim list does not name.
	 */
	enum store_result (*blob_claim)(struct store *s, store_id blob);

	/* sources */
	enum store_result (*source_create)(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
	                                   const uint8_t pk[STORE_PK_LEN], int32_t day,
	                                   store_id *out);
	enum store_result (*source_find)(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
	                                 struct store_source *out);
	enum store_result (*source_get)(struct store *s, store_id id, struct store_source *out);
	/* Deletes the source, its submissions, files, replies and all their blobs. */
	enum store_result (*source_delete)(struct store *s, store_id id);
	/*
	 * Newest activity first (last_day descending; the same day: the higher id
	 * first); offset/limit for paging. fn returns non-zero to stop.
	 */
	enum store_result (*source_list)(struct store *s, int64_t offset, int64_t limit,
	                                 int (*fn)(void *ctx, const struct store_source *src),
	                                 void *ctx);

	/*
	 * submissions: commit claims the message and file blobs (each must be a
	 * pending blob, referenced once, else STORE_NOT_FOUND). Listing is oldest first;
	 * a submission's files by id (the order they were given to commit).
	 */
	enum store_result (*submission_commit)(struct store *s, store_id source_id, int32_t day,
	                                       const char *marking, uint32_t seal_version,
	                                       store_id message_blob,
	                                       const struct store_new_file *files, size_t nfiles,
	                                       store_id *out);
	enum store_result (*submission_get)(struct store *s, store_id id,
	                                    struct store_submission *out);
	enum store_result (*submission_list)(
	        struct store *s, store_id source_id, int64_t offset, int64_t limit,
	        int (*fn)(void *ctx, const struct store_submission *sub), void *ctx);
	enum store_result (*submission_files)(struct store *s, store_id submission_id,
	                                      int (*fn)(void *ctx, const struct store_file *f),
	                                      void *ctx);
	enum store_result (*submission_mark_read)(struct store *s, store_id id);
	/*
	 * Submissions of a source made on `day`, for the daily quota: O(1), kept
	 * in the source row. Only the source's latest day of activity is counted;
	 * an earlier day gives 0.
	 */
	enum store_result (*submission_count_day)(struct store *s, store_id source_id, int32_t day,
	                                          int64_t *count);

	/* replies (the blob is claimed as by submission_commit); listing is oldest first */
	enum store_result (*reply_add)(struct store *s, store_id source_id, int32_t day,
	                               store_id blob, store_id *out);
	enum store_result (*reply_list)(struct store *s, store_id source_id,
	                                int (*fn)(void *ctx, const struct store_reply *r),
	                                void *ctx);
	/* Deletes the reply (and its blob) only if it belongs to source_id. */
	enum store_result (*reply_delete)(struct store *s, store_id source_id, store_id id);
	/*
	 * The reply's desk copy and what it is sealed to (struct
	 * store_reply_seal), only if the reply belongs to source_id and is not
	 * deleted (else STORE_NOT_FOUND, nothing changed).
	 */
	enum store_result (*reply_seal)(struct store *s, store_id source_id, store_id id,
	                                const struct store_reply_seal *rs);
	/* Every reply of the source not yet read nor deleted: read on `day`. */
	enum store_result (*reply_read)(struct store *s, store_id source_id, int32_t day);
	/*
	 * Deleted by the source on `day`: both blobs go, the row stays (blob and
	 * desk_blob 0) so the desk can say so. Only a reply of source_id not
	 * deleted yet: else STORE_NOT_FOUND.
	 */
	enum store_result (*reply_tombstone)(struct store *s, store_id source_id, store_id id,
	                                     int32_t day);

	/*
	 * Retention (core/intake/retention.c), inside store_write: deletes up to
	 * max of the submissions (kind STORE_EXPIRE_SUBMISSIONS; their files and
	 * every blob with them, the source's counts kept) or of the replies
	 * (STORE_EXPIRE_REPLIES) whose day is before `before`, lowest id first;
	 * out[0..*n) says which. NULL: the backend has no retention.
	 */
	enum store_result (*expire)(struct store *s, enum store_expire kind, int32_t before,
	                            struct store_expired *out, size_t max, size_t *n);

	/* domains (core/store_<domain>.h) */
	const struct store_ledger_ops *ledger;
	const struct store_officer_ops
	        *officer;                  /* officers and label keys: core/store/store_officer.h */
	const struct store_desk_ops *desk; /* core/store/store_desk.h */
	const struct store_registry_ops *registry; /* core/store/store_registry.h */
	const struct store_release_ops *release;   /* core/store/store_release.h (may be NULL) */
	const struct store_copy_ops *copy;         /* core/store/store_copy.h (may be NULL) */
	const struct store_liaison_ops *liaison;   /* core/store/store_liaison.h (may be NULL) */
	const struct store_safe_ops *safe;         /* core/store/store_safe.h (may be NULL) */
	const struct store_witness_ops *witness;   /* core/store/store_witness.h (may be NULL) */
	const struct store_session_ops *session;   /* core/store/store_session.h (may be NULL) */
};

/* The backends. */
extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_pg; /* when built with libpq (pg/) */

/*
 * Every struct store starts with a pointer to its backend, so the calls below
 * dispatch without the caller knowing which one it has.
 */
struct store {
	const struct store_backend *be;
	/*
	 * The ledger's proof node cache (core/ledger/ledger.c makes it at the first
	 * proof; store_close frees it). Backends leave it NULL.
	 */
	struct merkle_cache *ledger_nodes;
};

/*
 * Opens "sqlite:PATH" or a plain PATH (SQLite), or a "postgresql://..." URI
 * (libpq's; the password only from PGPASSFILE or ~/.pgpass: a location with
 * one is refused, STORE_NOT_FOUND; STORE_UNSUPPORTED if built without libpq).
 * Creates and migrates the schema.
 */
__attribute__((warn_unused_result)) enum store_result store_open(const char *location,
                                                                 struct store **out);
void store_close(struct store **s);
/*
 * Calls fn for each file or directory a door of `role` must open after it
 * is confined (none for a network store). STORE_STOP: fn stopped it.
 */
__attribute__((warn_unused_result)) enum store_result
store_files(struct store *s, enum store_role role, store_file_fn fn, void *ctx);

/*
 * Runs fn(s, arg) in one durable write transaction: it returns once
 * everything fn did is durable (STORE_OK), or undone (fn's own result, or the
 * store's). fn runs on the backend's writer: it must not block on anything
 * but the store (no Argon2id, no network; seal before, not inside), and must
 * not wait for another thread's store call. claim lists the pending blobs it
 * claims (may be NULL when n is 0).
 */
__attribute__((warn_unused_result)) enum store_result
store_write(struct store *s, const store_id *claim, size_t nclaim, store_tx_fn fn, void *arg);
/*
 * The backend's check (struct store_backend.check): STORE_OK, or
 * STORE_CORRUPT with what is wrong in msg (cap >= 1).
 */
__attribute__((warn_unused_result)) enum store_result store_check(struct store *s, bool quick,
                                                                  char *msg, size_t cap);
/*
 * The port a network store connects to (PostgreSQL: its TCP port, or the
 * number of its Unix socket), which a confined door must still be allowed
 * to connect to so that the store can reconnect; 0 for a local file.
 */
uint16_t store_net_port(struct store *s);
/* Whether the calling thread runs inside one of s's write transactions. */
bool store_in_write(struct store *s);
/*
 * Whether s's backend has every domain (ledger, officers and labels, desk,
 * registry): the front's domain functions need them. Every backend built in
 * has them; core checks this once where it sets a domain up.
 */
bool store_has_domains(const struct store *s);

/*
 * The front: the operations of struct store_backend above, checked, then
 * dispatched. Refused before the backend is called, with nothing changed:
 * an id <= 0 where one is required (STORE_NOT_FOUND; a message_blob may be 0,
 * "none"), a NULL pointer where data is required (STORE_NOT_FOUND), a chunk
 * over STORE_CHUNK_MAX, a meta key over STORE_META_KEY_MAX or a value over
 * STORE_META_MAX, a marking of STORE_MARKING_MAX bytes or more, more files
 * than fit an int32 (STORE_TOO_LARGE), a negative offset or limit
 * (STORE_NOT_FOUND). Out-parameters are 0 on every failure.
 */
enum store_result store_meta_get(struct store *s, const char *key, uint8_t *val, size_t cap,
                                 size_t *len);
__attribute__((warn_unused_result)) enum store_result
store_meta_set(struct store *s, const char *key, const uint8_t *val, size_t len);

__attribute__((warn_unused_result)) enum store_result store_blob_create(struct store *s,
                                                                        store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_blob_append(struct store *s, store_id blob, const uint8_t *p, size_t n);
__attribute__((warn_unused_result)) enum store_result
store_blob_put(struct store *s, const uint8_t *p, size_t n, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_blob_read(struct store *s, store_id blob, store_chunk_fn fn, void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_blob_size(struct store *s, store_id blob, uint64_t *size);
enum store_result store_blob_delete(struct store *s, store_id blob);
/* Retention, inside store_write (the backend's op above); max 1..STORE_EXPIRE_MAX. */
__attribute__((warn_unused_result)) enum store_result
store_expire(struct store *s, enum store_expire kind, int32_t before, struct store_expired *out,
             size_t max, size_t *n);
/* A page of the stored blobs' ids above after (cutout check); cap 1..STORE_LIST_MAX. */
__attribute__((warn_unused_result)) enum store_result
store_blob_list(struct store *s, store_id after, store_id *ids, size_t cap, size_t *n);

__attribute__((warn_unused_result)) enum store_result
store_source_create(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                    const uint8_t pk[STORE_PK_LEN], int32_t day, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_source_find(struct store *s, const uint8_t lookup[STORE_LOOKUP_LEN],
                  struct store_source *out);
__attribute__((warn_unused_result)) enum store_result store_source_get(struct store *s, store_id id,
                                                                       struct store_source *out);
enum store_result store_source_delete(struct store *s, store_id id);
__attribute__((warn_unused_result)) enum store_result
store_source_list(struct store *s, int64_t offset, int64_t limit,
                  int (*fn)(void *ctx, const struct store_source *src), void *ctx);

__attribute__((warn_unused_result)) enum store_result
store_submission_commit(struct store *s, store_id source_id, int32_t day, const char *marking,
                        uint32_t seal_version, store_id message_blob,
                        const struct store_new_file *files, size_t nfiles, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_submission_get(struct store *s, store_id id, struct store_submission *out);
__attribute__((warn_unused_result)) enum store_result
store_submission_list(struct store *s, store_id source_id, int64_t offset, int64_t limit,
                      int (*fn)(void *ctx, const struct store_submission *sub), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_submission_files(struct store *s, store_id submission_id,
                       int (*fn)(void *ctx, const struct store_file *f), void *ctx);
enum store_result store_submission_mark_read(struct store *s, store_id id);
__attribute__((warn_unused_result)) enum store_result
store_submission_count_day(struct store *s, store_id source_id, int32_t day, int64_t *count);

__attribute__((warn_unused_result)) enum store_result
store_reply_add(struct store *s, store_id source_id, int32_t day, store_id blob, store_id *out);
__attribute__((warn_unused_result)) enum store_result
store_reply_list(struct store *s, store_id source_id,
                 int (*fn)(void *ctx, const struct store_reply *r), void *ctx);
__attribute__((warn_unused_result)) enum store_result
store_reply_delete(struct store *s, store_id source_id, store_id id);
__attribute__((warn_unused_result)) enum store_result
store_reply_seal(struct store *s, store_id source_id, store_id id,
                 const struct store_reply_seal *rs);
__attribute__((warn_unused_result)) enum store_result
store_reply_read(struct store *s, store_id source_id, int32_t day);
__attribute__((warn_unused_result)) enum store_result
store_reply_tombstone(struct store *s, store_id source_id, store_id id, int32_t day);

/*
 * For the domain fronts' listings: the result of a listing whose callback
 * stopped it or not. Stopped: STORE_STOP unless the backend failed (its
 * error); not stopped: the backend's result, but STORE_STOP (no callback
 * asked for it: rows were dropped) is STORE_CORRUPT.
 */
enum store_result store_listed(enum store_result r, bool stopped);

/* Today as days since 1970-01-01 UTC: the only time the store ever keeps. */
int32_t store_today(void);

#endif
