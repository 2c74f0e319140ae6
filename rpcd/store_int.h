/*
 * store_int.h: what the store_*.c files share.  Not for use outside the
 * store layer.
 */
#ifndef SPIS_STORE_INT_H
#define SPIS_STORE_INT_H

#include <pthread.h>

#include <sqlite3.h>

#include "store.h"

struct store_audit_held;
struct store_audit_wait;

/*
 * Prepared statements kept for a connection (store.c): store_prepare
 * hands out a statement prepared once for its SQL text, store_release
 * takes it back reset and cleared.  A cache belongs to one connection and
 * is used under that connection's lock.
 */
#define STORE_CACHE_BUCKETS 256
#define STORE_CACHE_MAX 1024 /* more distinct texts are prepared each time */

struct store_stmt;

struct store_cache {
	struct store_stmt *bucket[STORE_CACHE_BUCKETS];
	size_t n;
};

/* A read-only connection of the pool (store_read_lock). */
struct store_reader {
	sqlite3 *db;
	struct store_cache cache;
	struct store_reader *next; /* on the free list */
};

struct store {
	sqlite3 *db;	      /* the writer connection */
	pthread_mutex_t lock; /* serialises use of db */
	struct store_cache cache; /* db's statements */

	/* Read-only connections (WAL lets them read while db writes), each
	 * used by one thread at a time; none for a database in memory. */
	struct store_reader *readers;
	int nreaders;
	struct store_reader *rfree;
	pthread_mutex_t rlock; /* guards rfree */
	pthread_cond_t rcond;  /* a reader was put back */

	/* The audit chain's key (store_audit.c): rows from audit_keyed_from
	 * on (0: none yet) are HMACs under audit_key, set when
	 * audit_has_key. */
	unsigned char audit_key[32];
	int audit_has_key;
	int64_t audit_keyed_from;

	/* A bulk load's transaction is open (store_batch_begin): each
	 * function's own transaction is a savepoint inside it, or, for a
	 * flat batch, nothing at all, a refused change then failing the
	 * whole batch (batch_failed). */
	int batch, batch_flat, batch_failed;

	/* Audit rows waiting for the group commit (store_audit.c): the
	 * queue, and whether a leader is writing a group. */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct store_audit_wait *qhead, **qtail;
	int qleader;
	/* The writer of asynchronous rows, started by the first of them, and
	 * whether it has been told to stop (store_close). */
	pthread_t qthread;
	int qwriter, qstop;

	/* Programmes as last read (store_programme.c): read on most calls
	 * about an application and changed rarely, each save clearing the
	 * lot and moving pgen on, so that a read that began before a save
	 * is not cached after it.  This process is the registry's only
	 * writer of programmes. */
	pthread_mutex_t pclock;
	struct store_programme **pcache;
	size_t npcache;
	uint64_t pgen;

	/* Audit rows held while storage failed (store_audit.c). */
	struct store_audit_held *held;
	size_t nheld, held_cap;
	int64_t held_lost;
};

/* A statement for sql on the connection in use (the writer, or the
 * calling thread's read connection, see store_read_lock), prepared once
 * and cached for the text; NULL after logging on failure.  The caller
 * gives it back with store_release, never sqlite3_finalize.  While one
 * caller holds a text's statement, another store_prepare of the same text
 * gets a fresh one (released by finalising it). */
sqlite3_stmt *store_prepare(struct store *st, const char *sql);

/* store_prepare for a text built from a request's shape (a search's
 * predicates), which would fill the cache with texts seldom seen again:
 * prepared each time, and store_release finalises it. */
sqlite3_stmt *store_prepare_once(struct store *st, const char *sql);

/* Gives back a statement from store_prepare: reset, its bindings cleared,
 * kept for the next store_prepare of its text.  NULL is ignored. */
void store_release(struct store *st, sqlite3_stmt *s);

/*
 * For the store functions that only read: takes a read connection for the
 * calling thread instead of st->lock, and until store_read_unlock
 * store_prepare, store_release and store_log_error use it.  Such a
 * function must not call one that takes st->lock.  A read connection sees
 * what was committed when its statement began, so a handler that wrote
 * reads its own write; what it cannot see is a transaction still open on
 * the writer, which is why a bulk load's (store_batch_begin) reads, and a
 * store without read connections, use the writer under st->lock instead.
 */
void store_read_lock(struct store *st);
void store_read_unlock(struct store *st);

/* Runs a prepared write to its end and releases it; a failure (or a NULL
 * statement from a failed prepare) is logged with what and is STORE_ERR. */
enum store_rc store_write(struct store *st, sqlite3_stmt *s, const char *what);

/* Transactions on the writer connection; the caller holds st->lock.
 * store_commit rolls back when the commit fails. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Appends an audit row inside the caller's transaction (lock held), so
 * that a change and its row are committed together or not at all. */
int store_audit_insert(struct store *st, const struct store_audit *a);

/* Empties the programme cache (store_programme.c); store_close. */
void store_programme_cache_clear(struct store *st);

/* A text column as a string, "" for NULL (a LEFT JOIN that found
 * nothing); valid until the statement steps again. */
const char *store_text(sqlite3_stmt *s, int col);

/* Copies a text column into dst (len bytes), truncating safely. */
void store_copy(char *dst, size_t len, sqlite3_stmt *s, int col);

/* Writes what audit rows are still held, if it can, and frees them;
 * store_close calls it. */
void store_audit_release(struct store *st);

/* Reads where the audit chain becomes keyed; called by store_open.
 * Returns 0, or -1 with a reason in err. */
int store_audit_load(struct store *st, char *err, size_t errlen);

/*
 * Suspends the active benefits of national_id (store_benefit.c), with a
 * history row each: all of them, or with municipality only those of
 * municipal programmes of other municipalities.  For the registry's own
 * transactions (a death, a move); lock held.  Returns how many, or -1.
 */
int store_benefit_suspend_tx(struct store *st, const char *national_id,
    const char *municipality, const char *at, const char *actor,
    const char *reason);

/* Adds a notice (store_notice.h) due at now, inside the caller's
 * transaction (lock held).  0, or -1. */
struct store_notice;
int store_notice_add_tx(struct store *st, const struct store_notice *n,
    int64_t now);

/* Logs the connection's last error with a word about what failed. */
void store_log_error(struct store *st, const char *what);

#endif
