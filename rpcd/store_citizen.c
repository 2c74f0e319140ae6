/*
 * store_citizen.c: kiosk PINs, citizen sittings and the access log as the
 * citizen sees it.  PINs are argon2id hash strings made by citizen.c
 * outside the lock (hashing is slow on purpose); sittings, like officer
 * sessions, are kept by the SHA-256 of their token only.
 */
#include <stdio.h>
#include <string.h>

#include "store_citizen.h"
#include "store_int.h"

static void
cit_copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

enum store_rc
store_citizen_person(struct store *st, const char *national_id,
    struct store_citizen_person *p)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	memset(p, 0, sizeof *p);
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT given_names, language, municipality,"
	    " deceased_date <> '', merged_into <> '' FROM people"
	    " WHERE national_id = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			cit_copy(p->given_names, sizeof p->given_names, s, 0);
			cit_copy(p->language, sizeof p->language, s, 1);
			cit_copy(p->municipality, sizeof p->municipality, s,
			    2);
			p->deceased = sqlite3_column_int(s, 3);
			p->merged = sqlite3_column_int(s, 4);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "citizen person");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Ends the open sittings of a person (lock held, in a transaction). */
static int
cit_end_person_sittings(struct store *st, const char *national_id,
    int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE citizen_sessions"
	    " SET ended_at = ? WHERE national_id = ? AND ended_at IS NULL");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, national_id, -1, SQLITE_STATIC);
	return store_write(st, s, "citizen sittings end") == STORE_OK ? 0 : -1;
}

enum store_rc
store_citizen_pin_set(struct store *st, const char *national_id,
    const char *hash, const char *issued_at, const char *issued_by,
    int64_t now, const struct store_audit *a)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	s = store_prepare(st, "INSERT INTO citizen_pins (national_id, hash,"
	    " failures, locked, issued_at, issued_by) VALUES (?1, ?2, 0, 0,"
	    " ?3, ?4) ON CONFLICT (national_id) DO UPDATE SET hash = ?2,"
	    " failures = 0, locked = 0, issued_at = ?3, issued_by = ?4");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, issued_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, issued_by, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "citizen pin set") != STORE_OK ||
	    cit_end_person_sittings(st, national_id, now) != 0 ||
	    store_audit_insert(st, a) != 0) {
		store_rollback(st);
		goto out;
	}
	if (store_commit(st) == 0)
		rc = STORE_OK;
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_citizen_pin_try(struct store *st, const char *national_id,
    int max_failures, const char *peer, int64_t now, char *hash,
    size_t hashlen, int64_t *try_id)
{
	sqlite3_stmt *s = NULL;
	enum store_rc rc = STORE_ERR, found = STORE_NOTFOUND;

	hash[0] = '\0';
	*try_id = 0;
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	/* Every try is a failure from this address until it proves right,
	 * whether or not there is a PIN to try: the same work either way. */
	s = store_prepare(st, "INSERT INTO login_failures (username, peer, at)"
	    " VALUES ('citizen:' || ?, ?, ?)");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_log_error(st, "citizen pin try");
		goto fail;
	}
	*try_id = sqlite3_last_insert_rowid(st->db);
	store_release(st, s);
	s = store_prepare(st, "SELECT c.hash FROM citizen_pins c"
	    " JOIN people p USING (national_id) WHERE c.national_id = ?"
	    " AND c.locked = 0 AND p.deceased_date = ''"
	    " AND p.merged_into = ''");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		cit_copy(hash, hashlen, s, 0);
		found = STORE_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		store_log_error(st, "citizen pin read");
		goto fail;
	}
	store_release(st, s);
	s = NULL;
	if (found == STORE_OK) {
		s = store_prepare(st, "UPDATE citizen_pins SET"
		    " failures = failures + 1, locked = (failures + 1 >= ?2)"
		    " WHERE national_id = ?1");
		if (s != NULL) {
			sqlite3_bind_text(s, 1, national_id, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int(s, 2, max_failures);
		}
		rc = store_write(st, s, "citizen pin count");
		s = NULL;
		if (rc != STORE_OK)
			goto fail;
	}
	if (store_commit(st) == 0) {
		rc = found;
		goto out;
	}
	rc = STORE_ERR;
	goto out;
fail:
	rc = STORE_ERR;
	store_rollback(st);
out:
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	if (rc != STORE_OK)
		hash[0] = '\0';
	return rc;
}

enum store_rc
store_citizen_pin_ok(struct store *st, const char *national_id,
    const char *hash, int64_t try_id)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	s = store_prepare(st, "UPDATE citizen_pins SET failures = 0,"
	    " locked = 0 WHERE national_id = ? AND hash = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "citizen pin ok") != STORE_OK)
		goto fail;
	s = store_prepare(st, "DELETE FROM login_failures WHERE id = ?");
	if (s != NULL)
		sqlite3_bind_int64(s, 1, try_id);
	if (store_write(st, s, "citizen pin try undo") != STORE_OK)
		goto fail;
	if (store_commit(st) == 0)
		rc = STORE_OK;
	goto out;
fail:
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_citizen_sitting_create(struct store *st, const uint8_t hash[32],
    const struct store_citizen_sitting *c, int64_t now,
    const struct store_audit *a)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int helped = c->helper[0] != '\0';

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	if (helped) {
		s = store_prepare(st, "UPDATE citizen_sessions SET ended_at = ?"
		    " WHERE helper_token_hash = ? AND ended_at IS NULL");
		if (s != NULL) {
			sqlite3_bind_int64(s, 1, now);
			sqlite3_bind_blob(s, 2, c->helper_token_hash, 32,
			    SQLITE_STATIC);
		}
		if (store_write(st, s, "citizen sitting replace") != STORE_OK)
			goto fail;
	}
	s = store_prepare(st, "INSERT INTO citizen_sessions (token_hash,"
	    " national_id, terminal, helper, helper_token_hash, created_at,"
	    " last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->national_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c->terminal, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, c->helper, -1, SQLITE_STATIC);
		if (helped)
			sqlite3_bind_blob(s, 5, c->helper_token_hash, 32,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 5);
		sqlite3_bind_int64(s, 6, now);
		sqlite3_bind_int64(s, 7, now);
		sqlite3_bind_int64(s, 8, c->expires_at);
	}
	if (store_write(st, s, "citizen sitting create") != STORE_OK ||
	    store_audit_insert(st, a) != 0)
		goto fail;
	if (store_commit(st) == 0)
		rc = STORE_OK;
	goto out;
fail:
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_citizen_sitting_check(struct store *st, const uint8_t hash[32],
    int64_t now, int64_t idle_seconds, struct store_citizen_sitting *c)
{
	sqlite3_stmt *s, *seen = NULL;
	enum store_rc rc = STORE_ERR;
	int64_t last_seen = 0;

	memset(c, 0, sizeof *c);
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT national_id, terminal, helper,"
	    " helper_token_hash, expires_at, last_seen FROM citizen_sessions"
	    " WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?"
	    " AND last_seen + ? > ?");
	if (s == NULL)
		goto out;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, idle_seconds);
	sqlite3_bind_int64(s, 4, now);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		cit_copy(c->national_id, sizeof c->national_id, s, 0);
		cit_copy(c->terminal, sizeof c->terminal, s, 1);
		cit_copy(c->helper, sizeof c->helper, s, 2);
		if (sqlite3_column_bytes(s, 3) == 32)
			memcpy(c->helper_token_hash, sqlite3_column_blob(s, 3),
			    32);
		else
			c->helper[0] = '\0';
		c->expires_at = sqlite3_column_int64(s, 4);
		last_seen = sqlite3_column_int64(s, 5);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "citizen sitting check");
	}
	/* A sitting's idle limit is minutes, not hours as for officers, so
	 * the clock is kept to ten seconds; not every call pays a write. */
	if (rc == STORE_OK && now - last_seen >= 10) {
		seen = store_prepare(st, "UPDATE citizen_sessions"
		    " SET last_seen = ? WHERE token_hash = ?");
		if (seen != NULL) {
			sqlite3_bind_int64(seen, 1, now);
			sqlite3_bind_blob(seen, 2, hash, 32, SQLITE_STATIC);
			if (sqlite3_step(seen) != SQLITE_DONE)
				store_log_error(st, "citizen sitting seen");
		}
	}
out:
	store_release(st, s);
	store_release(st, seen);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_citizen_sitting_end(struct store *st, const uint8_t hash[32],
    int64_t now)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "UPDATE citizen_sessions SET ended_at = ?"
	    " WHERE token_hash = ? AND ended_at IS NULL");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) ? STORE_OK :
						       STORE_NOTFOUND;
		else
			store_log_error(st, "citizen sitting end");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
