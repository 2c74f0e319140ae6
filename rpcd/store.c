/*
 * store.c: the SQLite store.  Connection set-up, migrations and the audit
 * trail live here; later areas add their statements in store_<area>.c files
 * that share struct store through store_int.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

/*
 * Migrations, in order; migration i brings user_version from i to i + 1.
 * A released migration is never edited: a change is a new entry.
 */
static const char *const store_migrations[] = {
	/* 1: the audit trail.  Rows are only ever inserted; hash covers the
	 * row's fields and the previous row's hash. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  purpose TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  prev_hash BLOB NOT NULL,"
	"  hash BLOB NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",

	/* 2: officers, their sessions and failed logins.  Sessions hold only
	 * the SHA-256 of the token, so a copy of the database lets nobody in;
	 * they live here rather than in memory so that several daemons can
	 * share them.  Times are Unix seconds for easy arithmetic. */
	"CREATE TABLE officers ("
	"  username TEXT PRIMARY KEY,"
	"  display_name TEXT NOT NULL,"
	"  roles TEXT NOT NULL,"
	"  municipality TEXT NOT NULL DEFAULT '',"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  disabled_reason TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  username TEXT NOT NULL REFERENCES officers(username),"
	"  terminal TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  ended_at INTEGER);"
	"CREATE TABLE login_failures ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_user ON login_failures(username, at);"
	"CREATE INDEX login_failures_peer ON login_failures(peer, at);",

	/* 3: outcomes of mutating requests by (actor, request_id), so that a
	 * retry returns the first outcome instead of acting twice.  status
	 * is NULL while the first attempt runs. */
	"CREATE TABLE idempotency ("
	"  actor TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  status INTEGER,"
	"  message TEXT NOT NULL DEFAULT '',"
	"  response BLOB,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (actor, request_id));",
};

#define STORE_NMIGRATIONS \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

int
store_schema_latest(void)
{
	return STORE_NMIGRATIONS;
}

const char *
store_engine_version(void)
{
	return sqlite3_libversion();
}

void
store_log_error(struct store *st, const char *what)
{
	log_error("store: %s: %s", what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(st->db, sql, -1, 0, &s, NULL) != SQLITE_OK) {
		store_log_error(st, "prepare");
		return NULL;
	}
	return s;
}

enum store_rc
store_write(struct store *st, sqlite3_stmt *s, const char *what)
{
	enum store_rc rc = STORE_ERR;

	if (s == NULL)
		return STORE_ERR;
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = STORE_OK;
	else
		store_log_error(st, what);
	sqlite3_finalize(s);
	return rc;
}

static int
store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: %s", msg != NULL ? msg : "exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
store_user_version(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA user_version");
	int v = -1;

	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Applies each pending migration in its own transaction together with the
 * new user_version, so a crash leaves the database at a whole level. */
static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int v = store_user_version(st);
	char sql[64];

	if (v < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (v > STORE_NMIGRATIONS) {
		snprintf(err, errlen, "database schema %d is newer than this "
		    "build knows (%d); refusing to touch it", v,
		    STORE_NMIGRATIONS);
		return -1;
	}
	for (; v < STORE_NMIGRATIONS; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(st, "BEGIN IMMEDIATE") != 0 ||
		    store_exec(st, store_migrations[v]) != 0 ||
		    store_exec(st, sql) != 0 || store_exec(st, "COMMIT") != 0) {
			store_exec(st, "ROLLBACK");
			snprintf(err, errlen, "migration %d failed", v + 1);
			return -1;
		}
		log_info("store: migrated schema to version %d", v + 1);
	}
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *st;
	int rc;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium could not be initialised");
		return NULL;
	}
	if ((st = calloc(1, sizeof *st)) == NULL)
		fatalx("out of memory");
	pthread_mutex_init(&st->lock, NULL);
	rc = sqlite3_open_v2(path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) :
				     sqlite3_errstr(rc));
		store_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA journal_mode = WAL") != 0 ||
	    store_exec(st, "PRAGMA synchronous = FULL") != 0 ||
	    store_exec(st, "PRAGMA foreign_keys = ON") != 0) {
		snprintf(err, errlen, "cannot set up database %s: %s", path,
		    sqlite3_errmsg(st->db));
		store_close(st);
		return NULL;
	}
	if (store_migrate(st, err, errlen) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL) {
		sqlite3_stmt *s;

		/* Finalise any statement a caller left behind so that the
		 * close cannot fail with SQLITE_BUSY. */
		while ((s = sqlite3_next_stmt(st->db, NULL)) != NULL)
			sqlite3_finalize(s);
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_error("store: close: %s", sqlite3_errmsg(st->db));
	}
	pthread_mutex_destroy(&st->lock);
	free(st);
}

int
store_schema_version(struct store *st)
{
	int v;

	pthread_mutex_lock(&st->lock);
	v = store_user_version(st);
	pthread_mutex_unlock(&st->lock);
	return v;
}

/* ------------------------------------------------------------------------ */

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The hash of one audit row: SHA-256 over the previous hash and each field,
 * every field preceded by its length so that no two rows collide by moving
 * text between fields. */
static void
store_audit_hash(unsigned char out[32], const unsigned char *prev,
    size_t prevlen, const char *const fields[], size_t nfields)
{
	crypto_hash_sha256_state h;
	unsigned char lenbuf[8];

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, prev, prevlen);
	for (size_t i = 0; i < nfields; i++) {
		uint64_t n = strlen(fields[i]);

		for (int b = 0; b < 8; b++)
			lenbuf[b] = (unsigned char)(n >> (8 * b));
		crypto_hash_sha256_update(&h, lenbuf, sizeof lenbuf);
		crypto_hash_sha256_update(&h, (const unsigned char *)fields[i],
		    n);
	}
	crypto_hash_sha256_final(&h, out);
}

int
store_audit_append(struct store *st, const struct store_audit *a)
{
	sqlite3_stmt *last = NULL, *ins = NULL;
	unsigned char prev[32] = {0}, hash[32];
	char at[64];
	struct timespec ts;
	struct tm tm;
	const char *fields[9];
	int rc = -1;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
	fields[0] = at;
	fields[1] = nz(a->actor);
	fields[2] = nz(a->role);
	fields[3] = nz(a->terminal);
	fields[4] = nz(a->method);
	fields[5] = nz(a->subject);
	fields[6] = nz(a->purpose);
	fields[7] = nz(a->outcome);
	fields[8] = nz(a->detail);

	pthread_mutex_lock(&st->lock);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_log_error(st, "audit begin");
		goto out;
	}
	last = store_prepare(st,
	    "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
	if (last == NULL)
		goto rollback;
	if (sqlite3_step(last) == SQLITE_ROW &&
	    sqlite3_column_bytes(last, 0) == (int)sizeof prev)
		memcpy(prev, sqlite3_column_blob(last, 0), sizeof prev);
	store_audit_hash(hash, prev, sizeof prev, fields, 9);
	ins = store_prepare(st,
	    "INSERT INTO audit (at, actor, role, terminal, method, subject,"
	    " purpose, outcome, detail, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (ins == NULL)
		goto rollback;
	for (int i = 0; i < 9; i++)
		sqlite3_bind_text(ins, i + 1, fields[i], -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 10, prev, sizeof prev, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 11, hash, sizeof hash, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "audit insert");
		goto rollback;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_log_error(st, "audit commit");
		goto rollback;
	}
	rc = 0;
	goto out;
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(last);
	sqlite3_finalize(ins);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int64_t
store_audit_verify(struct store *st, int64_t *bad_id, int64_t *checked)
{
	sqlite3_stmt *s;
	unsigned char prev[32] = {0}, hash[32];
	const char *fields[9];
	int64_t n = 0;
	int rc;

	*bad_id = 0;
	*checked = 0;
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "SELECT id, at, actor, role, terminal, method, subject, purpose,"
	    " outcome, detail, prev_hash, hash FROM audit ORDER BY id");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < 9; i++)
			fields[i] = (const char *)sqlite3_column_text(s, i + 1);
		store_audit_hash(hash, prev, sizeof prev, fields, 9);
		if (sqlite3_column_bytes(s, 10) != 32 ||
		    memcmp(sqlite3_column_blob(s, 10), prev, 32) != 0 ||
		    sqlite3_column_bytes(s, 11) != 32 ||
		    memcmp(sqlite3_column_blob(s, 11), hash, 32) != 0) {
			*bad_id = sqlite3_column_int64(s, 0);
			break;
		}
		memcpy(prev, hash, sizeof prev);
		n++;
	}
	*checked = n;
	/* A read error is not the end of the trail: say it could not be
	 * checked rather than "intact". */
	if (*bad_id != 0 || rc != SQLITE_DONE) {
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			store_log_error(st, "audit verify");
		n = -1;
	}
	sqlite3_finalize(s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

int
store_audit_list(struct store *st, const struct store_audit_filter *f,
    void (*fn)(void *arg, const struct store_audit_row *r), void *arg)
{
	sqlite3_stmt *s;
	struct store_audit_row r;
	int n = 0, rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "SELECT id, at, actor, role, terminal, method, subject, purpose,"
	    " outcome, detail FROM audit"
	    " WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR subject = ?2)"
	    " AND (?3 = '' OR method = ?3) AND (?4 = '' OR at >= ?4)"
	    " AND (?5 = '' OR at <= ?5) AND (?6 = 0 OR id < ?6)"
	    " ORDER BY id DESC LIMIT ?7");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, nz(f->actor), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, nz(f->subject), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, nz(f->method), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, nz(f->from), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, nz(f->to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, f->before_id);
	sqlite3_bind_int(s, 7, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.at = (const char *)sqlite3_column_text(s, 1);
		r.a.actor = (const char *)sqlite3_column_text(s, 2);
		r.a.role = (const char *)sqlite3_column_text(s, 3);
		r.a.terminal = (const char *)sqlite3_column_text(s, 4);
		r.a.method = (const char *)sqlite3_column_text(s, 5);
		r.a.subject = (const char *)sqlite3_column_text(s, 6);
		r.a.purpose = (const char *)sqlite3_column_text(s, 7);
		r.a.outcome = (const char *)sqlite3_column_text(s, 8);
		r.a.detail = (const char *)sqlite3_column_text(s, 9);
		fn(arg, &r);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "audit list");
		n = -1;
	}
	sqlite3_finalize(s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_idem_claim(struct store *st, const char *actor, const char *request_id,
    const char *method, int64_t now, int64_t stale_before,
    struct store_idem *out)
{
	sqlite3_stmt *ins = NULL, *sel = NULL;
	enum store_rc rc = STORE_ERR;
	const void *blob;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&st->lock);
	ins = store_prepare(st, "INSERT INTO idempotency (actor, request_id,"
	    " method, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
	if (ins == NULL)
		goto out;
	sqlite3_bind_text(ins, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 4, now);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "idempotency claim");
		goto out;
	}
	if (sqlite3_changes(st->db) == 1) {
		rc = STORE_OK;
		goto out;
	}
	/* A claim still pending from before stale_before was left by a
	 * daemon that died mid-request: take it over. */
	sqlite3_finalize(ins);
	ins = store_prepare(st, "UPDATE idempotency SET at = ?4 WHERE actor = ?1"
	    " AND request_id = ?2 AND method = ?3 AND status IS NULL"
	    " AND at < ?5");
	if (ins == NULL)
		goto out;
	sqlite3_bind_text(ins, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 4, now);
	sqlite3_bind_int64(ins, 5, stale_before);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "idempotency take over");
		goto out;
	}
	if (sqlite3_changes(st->db) == 1) {
		rc = STORE_OK;
		goto out;
	}
	sel = store_prepare(st, "SELECT method, status, message, response"
	    " FROM idempotency WHERE actor = ? AND request_id = ?");
	if (sel == NULL)
		goto out;
	sqlite3_bind_text(sel, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, request_id, -1, SQLITE_STATIC);
	if (sqlite3_step(sel) != SQLITE_ROW) {
		store_log_error(st, "idempotency read");
		goto out;
	}
	snprintf(out->method, sizeof out->method, "%s",
	    (const char *)sqlite3_column_text(sel, 0));
	out->pending = sqlite3_column_type(sel, 1) == SQLITE_NULL;
	out->status = sqlite3_column_int(sel, 1);
	snprintf(out->message, sizeof out->message, "%s",
	    (const char *)sqlite3_column_text(sel, 2));
	out->len = (size_t)sqlite3_column_bytes(sel, 3);
	blob = sqlite3_column_blob(sel, 3);
	if (out->len > 0 && (out->response = malloc(out->len)) != NULL)
		memcpy(out->response, blob, out->len);
	else
		out->len = 0;
	rc = STORE_EXISTS;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_idem_finish(struct store *st, const char *actor, const char *request_id,
    int status, const char *message, const void *response, size_t len)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (status < 0)
		s = store_prepare(st, "DELETE FROM idempotency WHERE actor = ?1"
		    " AND request_id = ?2 AND status IS NULL");
	else
		s = store_prepare(st, "UPDATE idempotency SET status = ?3,"
		    " message = ?4, response = ?5 WHERE actor = ?1"
		    " AND request_id = ?2 AND status IS NULL");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, request_id, -1, SQLITE_STATIC);
		if (status >= 0) {
			sqlite3_bind_int(s, 3, status);
			sqlite3_bind_text(s, 4, nz(message), -1, SQLITE_STATIC);
			sqlite3_bind_blob(s, 5, response, (int)len,
			    SQLITE_STATIC);
		}
	}
	rc = store_write(st, s, "idempotency finish");
	pthread_mutex_unlock(&st->lock);
	return rc;
}
