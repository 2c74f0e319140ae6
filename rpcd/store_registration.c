/*
 * store_registration.c: registration requests (see store_registration.h).
 * Expiry is applied lazily: every statement that reads or adds requests
 * first marks the pending ones past their time as expired, so that the
 * one-pending-per-ID index never holds on to a stale request.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "store_registration.h"

#define REG_COLUMNS "id, reference, national_id, given_names, surname," \
	" birth_date, sex, address, municipality, phone, language, status," \
	" terminal, helper, client_request_id, submitted_at, created, expires," \
	" resolved_at, resolved_by, resolution_reason, person_id"

static void
reg_text(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

static void
reg_read(sqlite3_stmt *s, struct store_registration *r)
{
	struct store_person *p = &r->person;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	reg_text(r->reference, sizeof r->reference, s, 1);
	reg_text(p->national_id, sizeof p->national_id, s, 2);
	reg_text(p->given_names, sizeof p->given_names, s, 3);
	reg_text(p->surname, sizeof p->surname, s, 4);
	reg_text(p->birth_date, sizeof p->birth_date, s, 5);
	reg_text(p->sex, sizeof p->sex, s, 6);
	reg_text(p->address, sizeof p->address, s, 7);
	reg_text(p->municipality, sizeof p->municipality, s, 8);
	reg_text(p->phone, sizeof p->phone, s, 9);
	reg_text(p->language, sizeof p->language, s, 10);
	reg_text(r->status, sizeof r->status, s, 11);
	reg_text(r->terminal, sizeof r->terminal, s, 12);
	reg_text(r->helper, sizeof r->helper, s, 13);
	reg_text(r->client_request_id, sizeof r->client_request_id, s, 14);
	reg_text(r->submitted_at, sizeof r->submitted_at, s, 15);
	r->created = sqlite3_column_int64(s, 16);
	r->expires = sqlite3_column_int64(s, 17);
	reg_text(r->resolved_at, sizeof r->resolved_at, s, 18);
	reg_text(r->resolved_by, sizeof r->resolved_by, s, 19);
	reg_text(r->reason, sizeof r->reason, s, 20);
	reg_text(r->person_id, sizeof r->person_id, s, 21);
}

/* Marks pending requests past their expiry (lock held). */
static int
reg_expire(struct store *st, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE registration_requests"
	    " SET status = 'expired' WHERE status = 'pending' AND expires <= ?");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	return store_write(st, s, "registration expire") == STORE_OK ? 0 : -1;
}

/* One request by a text column (lock held): STORE_OK, NOTFOUND or ERR. */
static enum store_rc
reg_find(struct store *st, const char *column, const char *value,
    const char *extra, struct store_registration *r)
{
	char sql[512];
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	snprintf(sql, sizeof sql, "SELECT " REG_COLUMNS
	    " FROM registration_requests WHERE %s = ?%s", column, extra);
	if ((s = store_prepare(st, sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		reg_read(s, r);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "registration find");
	}
	store_release(st, s);
	return rc;
}

/* A count (lock held), -1 on error. */
static int
reg_count(struct store *st, const char *sql, const char *key, int64_t n)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	int v = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, n);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		store_log_error(st, "registration count");
	store_release(st, s);
	return v;
}

static int
reg_insert(struct store *st, const struct store_registration *r)
{
	const struct store_person *p = &r->person;
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO registration_requests"
	    " (reference, national_id, given_names, surname, birth_date, sex,"
	    " address, municipality, phone, language, terminal, helper,"
	    " client_request_id, submitted_at, created, expires) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	const char *t[] = {r->reference, p->national_id, p->given_names,
	    p->surname, p->birth_date, p->sex, p->address, p->municipality,
	    p->phone, p->language, r->terminal, r->helper,
	    r->client_request_id, r->submitted_at};
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < (int)(sizeof t / sizeof t[0]); i++)
		sqlite3_bind_text(s, i + 1, t[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, i + 1, r->created);
	sqlite3_bind_int64(s, i + 2, r->expires);
	return store_write(st, s, "registration insert") == STORE_OK ? 0 : -1;
}

enum store_rc
store_registration_submit(struct store *st,
    const struct store_registration *r, int max_per_day,
    const struct store_audit *a, enum store_reg_outcome *outcome,
    struct store_registration *out)
{
	enum store_rc rc = STORE_ERR, f;
	int n;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	if (reg_expire(st, r->created) != 0)
		goto fail;
	/* The same request again (a reply lost on the library's Wi-Fi):
	 * the first receipt, nothing new. */
	f = reg_find(st, "national_id", r->person.national_id,
	    " AND status = 'pending'", out);
	if (f == STORE_ERR)
		goto fail;
	if (f == STORE_OK) {
		*outcome = strcmp(out->terminal, r->terminal) == 0 &&
		    strcmp(out->client_request_id, r->client_request_id) ==
		    0 ? STORE_REG_REPLAY : STORE_REG_PENDING;
		goto done;
	}
	if ((n = reg_count(st, "SELECT count(*) FROM people"
	    " WHERE national_id = ?1 AND ?2 = ?2", r->person.national_id,
	    0)) < 0)
		goto fail;
	if (n > 0) {
		*outcome = STORE_REG_REGISTERED;
		goto done;
	}
	if ((n = reg_count(st, "SELECT count(*) FROM registration_requests"
	    " WHERE terminal = ? AND created > ?", r->terminal,
	    r->created - 86400)) < 0)
		goto fail;
	if (n >= max_per_day) {
		*outcome = STORE_REG_LIMIT;
		goto done;
	}
	if ((n = reg_count(st, "SELECT count(*) FROM registration_requests"
	    " WHERE reference = ?1 AND ?2 = ?2", r->reference, 0)) < 0)
		goto fail;
	if (n > 0) {
		*outcome = STORE_REG_TAKEN;
		goto done;
	}
	if (reg_insert(st, r) != 0 || store_audit_insert(st, a) != 0)
		goto fail;
	*outcome = STORE_REG_NEW;
done:
	/* Expiries marked above are kept whatever the outcome. */
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
store_registration_get(struct store *st, const char *reference, int64_t now,
    struct store_registration *r)
{
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (reg_expire(st, now) == 0)
		rc = reg_find(st, "reference", reference, "", r);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_registration_list(struct store *st, const char *status,
    const char *municipality, int64_t after_id, int limit, int64_t now,
    void (*fn)(void *arg, const struct store_registration *r), void *arg)
{
	struct store_registration r;
	sqlite3_stmt *s;
	int n = 0, rc;

	pthread_mutex_lock(&st->lock);
	if (reg_expire(st, now) != 0 || (s = store_prepare(st, "SELECT "
	    REG_COLUMNS " FROM registration_requests WHERE status = ?1"
	    " AND (?2 = '' OR municipality = ?2) AND id > ?3"
	    " ORDER BY id LIMIT ?4")) == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, municipality, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, after_id);
	sqlite3_bind_int(s, 4, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		reg_read(s, &r);
		fn(arg, &r);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "registration list");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_registration_resolve(struct store *st, const char *reference,
    const char *status, const char *person_id, const char *actor,
    const char *reason, const char *at, int64_t now,
    const struct store_audit *a)
{
	enum store_rc rc = STORE_ERR;
	sqlite3_stmt *s;
	int n;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	if (reg_expire(st, now) != 0)
		goto fail;
	if (person_id[0] != '\0') {
		if ((n = reg_count(st, "SELECT count(*) FROM people"
		    " WHERE national_id = ?1 AND ?2 = ?2", person_id, 0)) < 0)
			goto fail;
		if (n == 0) {
			rc = STORE_NOTFOUND;
			goto fail;
		}
	}
	s = store_prepare(st, "UPDATE registration_requests SET status = ?,"
	    " person_id = ?, resolved_by = ?, resolution_reason = ?,"
	    " resolved_at = ? WHERE reference = ? AND status = 'pending'");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, person_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, reference, -1, SQLITE_STATIC);
	if (store_write(st, s, "registration resolve") != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		rc = STORE_CONFLICT;
		/* The expiries marked above stay. */
		if (store_commit(st) != 0)
			rc = STORE_ERR;
		goto out;
	}
	if (store_audit_insert(st, a) != 0)
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
