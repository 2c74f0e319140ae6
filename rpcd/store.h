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

/* The migration level the database is at (PRAGMA user_version). */
int store_schema_version(struct store *st);

/* The migration level this build brings a database to. */
int store_schema_latest(void);

/* The SQLite library version string (static). */
const char *store_engine_version(void);

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
};

/*
 * Appends a row to the audit trail, chained by hash to the row before it so
 * that an edit or a deletion anywhere is detectable.  Returns 0, or -1 after
 * logging the storage error.
 */
int store_audit_append(struct store *st, const struct store_audit *a);

/*
 * Walks the whole audit trail recomputing the hash chain.  Returns the
 * number of rows checked, or -1 and the id of the first bad row in *bad_id.
 */
int64_t store_audit_verify(struct store *st, int64_t *bad_id);

#endif
