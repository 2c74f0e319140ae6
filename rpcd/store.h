/*
 * store.h: the registry's storage.  Every SQL statement of the daemon lives
 * behind this interface (store_*.c); nothing else includes sqlite3.h, so a
 * second backend can be added behind the same functions.
 *
 * Threads: one writer connection guarded by a mutex; functions may be called
 * from any RPC worker thread.
 */
#ifndef SPIS_STORE_H
#define SPIS_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * Opens (creating if needed) the database at path, applies the pragmas the
 * registry relies on (WAL, foreign keys, synchronous=FULL, busy timeout) and
 * runs pending migrations.  Returns NULL and a one-line reason in err.
 */
struct store *store_open(const char *path, char *err, size_t errlen);

/* Checkpoints and closes; the store pointer is freed. */
void store_close(struct store *st);

/*
 * Online backup.  store_backup copies the open database into a new file
 * at to while the daemon keeps serving (one read transaction: writers are
 * not held up); store_backup_file does the same from a database file on
 * disk.  Neither overwrites an existing file; the copy is checked
 * (quick_check) and appears under its name only when whole.
 * store_restore replaces the open database's content with the database
 * at from (a backup checked beforehand by the caller) and reloads the
 * audit chain's state.  All return 0, or -1 with a reason in err.
 */
int store_backup(struct store *st, const char *to, char *err, size_t errlen);
int store_backup_file(const char *from, const char *to, char *err,
    size_t errlen);
int store_restore(struct store *st, const char *from, char *err,
    size_t errlen);

/*
 * The storage fault this thread last met (a full disk, a failed read or
 * write, a read-only or busy database), as words for a message, and
 * forgets it; NULL when there was none since the last call.  The string
 * is static.
 */
const char *store_fault_take(void);

/* The migration level the database is at (PRAGMA user_version). */
int store_schema_version(struct store *st);

/*
 * Holds a read connection for the calling thread, with one read
 * transaction open, until store_snapshot_end: the store functions that
 * only read, called in between, read from that one snapshot instead of
 * taking a connection, and the file's locks, each time.  For a job that
 * reads a batch of rows between its writes (the renewal job).  In between
 * the thread calls no function that writes, and does not see what other
 * threads commit.  Without read connections (a store in memory) both do
 * nothing.
 */
void store_snapshot_begin(struct store *st);
void store_snapshot_end(struct store *st);

/* The migration level this build brings a database to. */
int store_schema_latest(void);

/* The SQLite library version string (static). */
const char *store_engine_version(void);

/*
 * Bulk loading (spis-gen), not for the running daemon.  store_batch_begin
 * relaxes durability for the load (synchronous = OFF, a larger page cache)
 * and opens one transaction that every following change joins: each store
 * function's own transaction becomes a savepoint in it, so that a refused
 * change still undoes only itself while a thousand accepted ones share one
 * commit.  store_batch_commit commits them and restores synchronous = FULL
 * and the cache; a crash before it loses the whole batch, never part of a
 * change.  Only for a single loading thread: the store lock is not held
 * between the two calls.  Both return 0, or -1 after logging (a failed
 * commit rolls the batch back).
 */
int store_batch_begin(struct store *st);
int store_batch_commit(struct store *st);

/*
 * store_batch_begin for a load that stops at the first refusal: the
 * changes are not savepoints, so a refused change cannot undo only itself
 * and store_batch_commit then rolls the whole batch back and returns -1.
 * Several times faster: FTS5 writes out its pending index at every
 * savepoint, and each savepoint journals the pages it touches.
 */
int store_batch_begin_flat(struct store *st);

/* One audit row.  Strings may be NULL, stored as empty. */
struct store_audit {
	const char *actor;    /* officer username, or "" before login */
	const char *role;     /* the role acted in */
	const char *terminal; /* peer address or terminal certificate name */
	const char *method;   /* gRPC path */
	const char *subject;  /* whose data, e.g. a national ID */
	const char *purpose;  /* stated purpose of a read */
	const char *outcome;  /* status name, "OK" on success */
	const char *detail;   /* status message or a short note */
	const char *municipality; /* the officer's, "" for national */
};

/*
 * Appends a row to the audit trail, chained by hash to the row before it so
 * that an edit or a deletion anywhere is detectable.  Returns 0, or -1 after
 * logging the storage error.
 */
int store_audit_append(struct store *st, const struct store_audit *a);

/*
 * store_audit_append without waiting: the row joins the next group commit
 * and cb(arg, rc) is called, from the store's audit writer thread (or at
 * once when that cannot start), when it is written (rc 0) or held in
 * memory (rc -1).  a and its strings must stay valid until then.
 */
void store_audit_append_async(struct store *st, const struct store_audit *a,
    void (*cb)(void *, int), void *arg);

/* Writes what is queued and stops the audit writer thread (store_close
 * does this; a daemon calls it once no call can queue a row any more). */
void store_audit_writer_stop(struct store *st);

/*
 * A row store_audit_append could not write (storage failing) is held in
 * memory and written ahead of the next row that can be; this writes the
 * held rows now (the daemon calls it on a timer and when it stops).
 * Returns 0 when none are left held, -1 when storage still fails; *held,
 * when not NULL, is set to the number still held.
 */
int store_audit_flush(struct store *st, size_t *held);

/*
 * Walks the whole audit trail recomputing the hash chain.  Returns the
 * number of rows checked, or -1 with the id of the first bad row in *bad_id
 * (0 when the trail could not be read).  *checked is the number of rows
 * that verified before the first bad one.  Keyed rows need the key
 * (store_audit.h, which also says why a trail failed).
 */
int64_t store_audit_verify(struct store *st, int64_t *bad_id,
    int64_t *checked);

/* A remembered outcome of a mutating request. */
#define STORE_IDEM_DIGEST 32 /* bytes of a request's digest */
struct store_idem {
	char method[128];
	int other_request; /* the id came with a different request */
	int pending;	 /* the first attempt has not finished */
	int status;
	char message[512];
	void *response;	 /* malloc'd encoded response, the caller frees */
	size_t len;
};

/*
 * Claims (actor, request_id) for a method about to run with a request whose
 * digest (STORE_IDEM_DIGEST bytes) is given: STORE_OK when it is new, or
 * only pending since before stale_before (left by a daemon that died
 * mid-request), so run it, then store_idem_finish; STORE_EXISTS with *out
 * filled when it was seen before.
 */
enum store_rc store_idem_claim(struct store *st, const char *actor,
    const char *request_id, const char *method, const unsigned char *digest,
    int64_t now, int64_t stale_before, struct store_idem *out);

/* Records the outcome of a claimed request; a negative status releases the
 * claim instead, so that a retry runs again (for transient failures). */
enum store_rc store_idem_finish(struct store *st, const char *actor,
    const char *request_id, int status, const char *message,
    const void *response, size_t len);

/* A filter over the audit trail; empty strings match everything.  from and
 * to compare as text against the UTC instants ("2026-11-24T10:00:00.000Z"). */
struct store_audit_filter {
	const char *actor, *subject, *method;
	const char *from, *to;
	int64_t before_id;	/* only rows with a smaller id; 0 for none */
	int limit;
};

/* One audit row as read back.  Pointers are valid only during the
 * callback. */
struct store_audit_row {
	int64_t id;
	const char *at;
	struct store_audit a;
};

/* Calls fn for each matching row, newest first, up to f->limit rows.
 * Returns the number of rows passed, or -1. */
int store_audit_list(struct store *st, const struct store_audit_filter *f,
    void (*fn)(void *arg, const struct store_audit_row *r), void *arg);

/* Results of store functions that can fail in more than one way. */
enum store_rc {
	STORE_ERR = -1,	     /* a storage error, already logged */
	STORE_OK = 0,
	STORE_NOTFOUND = 1,
	STORE_EXISTS = 2,
	STORE_CONFLICT = 3,   /* the record changed since it was read */
	STORE_REFUSED = 4,    /* a rule of the data refused it; see why */
};

/* An officer as the registry knows them.  Fixed sizes: no ownership. */
struct store_officer {
	char username[65];
	char display_name[129];
	char roles[128];	/* comma-separated role names */
	char municipality[16];	/* "" for national scope */
	int active;
	char created_at[32];
	char disabled_reason[257];
};

/* Adds an officer; STORE_EXISTS when the username is taken. */
enum store_rc store_officer_add(struct store *st,
    const struct store_officer *o, const char *by);

/* Fills *o; STORE_NOTFOUND when there is no such officer. */
enum store_rc store_officer_get(struct store *st, const char *username,
    struct store_officer *o);

/* Disables an officer and ends their open sessions at once. */
enum store_rc store_officer_disable(struct store *st, const char *username,
    const char *reason, int64_t now);

/* Calls fn for each officer in username order; stops when fn returns
 * non-zero.  Returns STORE_OK or STORE_ERR. */
enum store_rc store_officer_list(struct store *st, int include_disabled,
    int (*fn)(void *arg, const struct store_officer *o), void *arg);

/* Records a new session by the hash of its token.  terminal is the
 * verified terminal certificate name it was opened at, or "": a session
 * opened at a terminal is good only from that terminal. */
enum store_rc store_session_create(struct store *st, const uint8_t hash[32],
    const char *username, const char *terminal, int64_t now,
    int64_t expires_at);

/*
 * Finds the live session with this token hash: not ended, not past its
 * absolute expiry, not idle for idle_seconds or more, and its officer still
 * active.  Fills *o with the officer and *expires_at, and marks the session
 * seen (at most once a minute, to spare the disk).  Copies the terminal it
 * was opened at into terminal.  STORE_NOTFOUND for anything else.
 */
enum store_rc store_session_check(struct store *st, const uint8_t hash[32],
    int64_t now, int64_t idle_seconds, struct store_officer *o,
    int64_t *expires_at, char *terminal, size_t terminal_len);

/* Ends a session (logout).  STORE_NOTFOUND when it was not live. */
enum store_rc store_session_end(struct store *st, const uint8_t hash[32],
    int64_t now);

/* Records a failed login, and counts failures since a time for a username
 * or for a peer address. */
enum store_rc store_login_failure_add(struct store *st, const char *username,
    const char *peer, int64_t now);
int store_login_failures_user(struct store *st, const char *username,
    int64_t since);
int store_login_failures_peer(struct store *st, const char *peer,
    int64_t since);

#endif
