/*
 * store_notice.c: the notices outbox.  A notice is written in the same
 * transaction as the decision or change it announces, so a citizen is
 * never told of something that did not happen, nor left untold of
 * something that did.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "store.h"
#include "store_int.h"
#include "store_notice.h"

#define NOTICE_COLUMNS \
	"id, national_id, kind, language, subject, body, reference, state," \
	" last_error, created_at, sent_at, attempts"

int
store_notice_add_tx(struct store *st, const struct store_notice *n,
    int64_t now)
{
	sqlite3_stmt *s;
	char at[32];

	check_now(at, sizeof at);
	s = store_prepare(st, "INSERT INTO notices (national_id, kind,"
	    " language, subject, body, reference, next_attempt, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, n->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, n->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, n->language, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, n->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, n->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, n->reference != NULL ? n->reference : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, now);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	return store_write(st, s, "notice") == STORE_OK ? 0 : -1;
}

static void
notice_row(sqlite3_stmt *s, struct store_notice_row *n)
{
	n->id = sqlite3_column_int64(s, 0);
	n->national_id = store_text(s, 1);
	n->kind = store_text(s, 2);
	n->language = store_text(s, 3);
	n->subject = store_text(s, 4);
	n->body = store_text(s, 5);
	n->reference = store_text(s, 6);
	n->state = store_text(s, 7);
	n->last_error = store_text(s, 8);
	n->created_at = store_text(s, 9);
	n->sent_at = store_text(s, 10);
	n->attempts = sqlite3_column_int(s, 11);
}

/* Runs a prepared query over notices; STORE_NOTFOUND when it found none. */
static enum store_rc
notice_each(struct store *st, sqlite3_stmt *s,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg)
{
	struct store_notice_row n;
	int r, found = 0;

	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		notice_row(s, &n);
		fn(arg, &n);
		found = 1;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "notices");
		return STORE_ERR;
	}
	return found ? STORE_OK : STORE_NOTFOUND;
}

enum store_rc
store_notice_list(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " NOTICE_COLUMNS " FROM notices"
	    " WHERE national_id = ? ORDER BY id DESC");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		rc = notice_each(st, s, fn, arg);
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_notice_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " NOTICE_COLUMNS " FROM notices"
	    " WHERE id = ?");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, id);
		rc = notice_each(st, s, fn, arg);
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_notice_due(struct store *st, int64_t now,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " NOTICE_COLUMNS " FROM notices"
	    " WHERE state = 'pending' AND next_attempt <= ?"
	    " ORDER BY next_attempt, id LIMIT 1");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, now);
		rc = notice_each(st, s, fn, arg);
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_notice_attempt(struct store *st, int64_t id, int sent,
    const char *error, int64_t retry_at, int max_attempts)
{
	sqlite3_stmt *s;
	enum store_rc rc;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "UPDATE notices SET attempts = attempts + 1,"
	    " state = CASE WHEN ?2 THEN 'sent' WHEN attempts + 1 >= ?5"
	    " THEN 'failed' ELSE 'pending' END,"
	    " sent_at = CASE WHEN ?2 THEN ?3 ELSE sent_at END,"
	    " last_error = CASE WHEN ?2 THEN '' ELSE ?4 END,"
	    " next_attempt = ?6 WHERE id = ?1 AND state = 'pending'");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, sent);
		sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, error != NULL ? error : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 5, max_attempts);
		sqlite3_bind_int64(s, 6, retry_at);
	}
	rc = store_write(st, s, "notice attempt");
	pthread_mutex_unlock(&st->lock);
	return rc;
}
