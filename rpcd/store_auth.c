/*
 * store_auth.c: officers, sessions and failed logins.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "store_int.h"

/* Copies a text column into a fixed buffer, truncating safely. */
static void
col_copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

static void
officer_from_row(struct store_officer *o, sqlite3_stmt *s, int first)
{
	col_copy(o->username, sizeof o->username, s, first);
	col_copy(o->display_name, sizeof o->display_name, s, first + 1);
	col_copy(o->roles, sizeof o->roles, s, first + 2);
	col_copy(o->municipality, sizeof o->municipality, s, first + 3);
	o->active = sqlite3_column_int(s, first + 4);
	col_copy(o->created_at, sizeof o->created_at, s, first + 5);
	col_copy(o->disabled_reason, sizeof o->disabled_reason, s, first + 6);
}

#define OFFICER_COLS \
	"o.username, o.display_name, o.roles, o.municipality, o.active," \
	" o.created_at, o.disabled_reason"

enum store_rc
store_officer_add(struct store *st, const struct store_officer *o,
    const char *by)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "INSERT INTO officers (username, display_name, roles, municipality,"
	    " active, created_at, created_by) VALUES (?, ?, ?, ?, 1, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, o->username, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, o->display_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, o->roles, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, o->municipality, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, by, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_DONE:
			rc = STORE_OK;
			break;
		case SQLITE_CONSTRAINT:
			rc = STORE_EXISTS;
			break;
		default:
			if (sqlite3_extended_errcode(st->db) ==
			    SQLITE_CONSTRAINT_PRIMARYKEY)
				rc = STORE_EXISTS;
			else
				store_log_error(st, "officer add");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_officer_get(struct store *st, const char *username,
    struct store_officer *o)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	store_read_lock(st);
	s = store_prepare(st, "SELECT " OFFICER_COLS
	    " FROM officers o WHERE o.username = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			officer_from_row(o, s, 0);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "officer get");
		}
	}
	store_release(st, s);
	store_read_unlock(st);
	return rc;
}

enum store_rc
store_officer_disable(struct store *st, const char *username,
    const char *reason, int64_t now)
{
	sqlite3_stmt *upd = NULL, *end = NULL;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_log_error(st, "officer disable begin");
		goto out;
	}
	upd = store_prepare(st, "UPDATE officers SET active = 0,"
	    " disabled_reason = ? WHERE username = ?");
	end = store_prepare(st, "UPDATE sessions SET ended_at = ?"
	    " WHERE username = ? AND ended_at IS NULL");
	if (upd == NULL || end == NULL)
		goto rollback;
	sqlite3_bind_text(upd, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, username, -1, SQLITE_STATIC);
	if (sqlite3_step(upd) != SQLITE_DONE)
		goto rollback;
	if (sqlite3_changes(st->db) == 0) {
		rc = STORE_NOTFOUND;
		goto rollback;
	}
	sqlite3_bind_int64(end, 1, now);
	sqlite3_bind_text(end, 2, username, -1, SQLITE_STATIC);
	if (sqlite3_step(end) != SQLITE_DONE ||
	    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	rc = STORE_OK;
	goto out;
rollback:
	if (rc == STORE_ERR)
		store_log_error(st, "officer disable");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	store_release(st, upd);
	store_release(st, end);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_officer_list(struct store *st, int include_disabled,
    int (*fn)(void *arg, const struct store_officer *o), void *arg)
{
	sqlite3_stmt *s;
	struct store_officer o;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " OFFICER_COLS " FROM officers o"
	    " WHERE o.active = 1 OR ? ORDER BY o.username");
	if (s != NULL) {
		sqlite3_bind_int(s, 1, include_disabled != 0);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			officer_from_row(&o, s, 0);
			if (fn(arg, &o) != 0)
				break;
		}
		if (r == SQLITE_ROW || r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "officer list");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_session_create(struct store *st, const uint8_t hash[32],
    const char *username, const char *terminal, int64_t now,
    int64_t expires_at)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "INSERT INTO sessions (token_hash, username,"
	    " terminal, created_at, last_seen, expires_at)"
	    " VALUES (?, ?, ?, ?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, username, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, terminal, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, now);
		sqlite3_bind_int64(s, 5, now);
		sqlite3_bind_int64(s, 6, expires_at);
	}
	rc = store_write(st, s, "session create");
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_session_check(struct store *st, const uint8_t hash[32], int64_t now,
    int64_t idle_seconds, struct store_officer *o, int64_t *expires_at,
    char *terminal, size_t terminal_len)
{
	sqlite3_stmt *s, *seen = NULL;
	enum store_rc rc = STORE_ERR;
	int64_t last_seen = 0;

	/* The check is a read, on a read connection: every call of a
	 * session makes it. */
	store_read_lock(st);
	s = store_prepare(st, "SELECT " OFFICER_COLS ", s.expires_at,"
	    " s.last_seen, s.terminal FROM sessions s"
	    " JOIN officers o USING (username)"
	    " WHERE s.token_hash = ? AND s.ended_at IS NULL"
	    " AND s.expires_at > ? AND s.last_seen + ? > ? AND o.active = 1");
	if (s != NULL) {
		sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_bind_int64(s, 3, idle_seconds);
		sqlite3_bind_int64(s, 4, now);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			officer_from_row(o, s, 0);
			*expires_at = sqlite3_column_int64(s, 7);
			last_seen = sqlite3_column_int64(s, 8);
			col_copy(terminal, terminal_len, s, 9);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "session check");
		}
	}
	store_release(st, s);
	store_read_unlock(st);
	/* The idle clock only needs minute precision; writing on every call
	 * would put an fsync on every read.  The session may have ended
	 * since it was read: the update then changes nothing, and this call
	 * was let in as it would have been a moment earlier. */
	if (rc == STORE_OK && now - last_seen >= 60) {
		pthread_mutex_lock(&st->lock);
		seen = store_prepare(st, "UPDATE sessions SET last_seen = ?"
		    " WHERE token_hash = ? AND last_seen < ?");
		if (seen != NULL) {
			sqlite3_bind_int64(seen, 1, now);
			sqlite3_bind_blob(seen, 2, hash, 32, SQLITE_STATIC);
			sqlite3_bind_int64(seen, 3, now);
			if (sqlite3_step(seen) != SQLITE_DONE)
				store_log_error(st, "session seen");
		}
		store_release(st, seen);
		pthread_mutex_unlock(&st->lock);
	}
	return rc;
}

enum store_rc
store_session_end(struct store *st, const uint8_t hash[32], int64_t now)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "UPDATE sessions SET ended_at = ?"
	    " WHERE token_hash = ? AND ended_at IS NULL");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) ? STORE_OK :
						       STORE_NOTFOUND;
		else
			store_log_error(st, "session end");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_login_failure_add(struct store *st, const char *username,
    const char *peer, int64_t now)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "INSERT INTO login_failures (username, peer, at)"
	    " VALUES (?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now);
	}
	rc = store_write(st, s, "login failure add");
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
store_count(struct store *st, const char *sql, const char *key, int64_t since)
{
	sqlite3_stmt *s;
	int n = -1;

	store_read_lock(st);
	s = store_prepare(st, sql);
	if (s != NULL) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, since);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		else
			store_log_error(st, "count");
	}
	store_release(st, s);
	store_read_unlock(st);
	return n;
}

int
store_login_failures_user(struct store *st, const char *username,
    int64_t since)
{
	return store_count(st, "SELECT count(*) FROM login_failures"
	    " WHERE username = ? AND at >= ?", username, since);
}

int
store_login_failures_peer(struct store *st, const char *peer, int64_t since)
{
	return store_count(st, "SELECT count(*) FROM login_failures"
	    " WHERE peer = ? AND at >= ?", peer, since);
}
