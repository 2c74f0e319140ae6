/*
 * store_household.c: households and memberships (store_household.h).  Every
 * change checks the state it depends on inside its own BEGIN IMMEDIATE
 * transaction and writes its audit row there too, so a refused change
 * leaves nothing behind and an accepted one is never without its row.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "store.h"
#include "store_household.h"
#include "store_int.h"

/* A person's open membership. */
struct hh_open {
	int64_t id;
	int64_t household_id;
	char relationship[32];
	char from_date[11];
	char national_id[32];
};

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

static void
col_copy(char *dst, size_t len, sqlite3_stmt *s, int i)
{
	snprintf(dst, len, "%s", col(s, i));
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v != NULL ? v : "", -1, SQLITE_STATIC);
}

enum store_rc
store_household_get(struct store *st, int64_t id, struct store_household *h)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id, address, municipality, created_at"
	    " FROM households WHERE id = ?");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, id);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			h->id = sqlite3_column_int64(s, 0);
			col_copy(h->address, sizeof h->address, s, 1);
			col_copy(h->municipality, sizeof h->municipality, s, 2);
			col_copy(h->created_at, sizeof h->created_at, s, 3);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "household get");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_household_members(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_member *m), void *arg)
{
	sqlite3_stmt *s;
	struct store_member m;
	int n = 0, rc;

	store_read_lock(st);
	s = store_prepare(st, "SELECT m.id, m.national_id, p.given_names,"
	    " p.surname, p.birth_date, m.relationship, m.from_date, m.to_date,"
	    " m.reason, p.disability FROM memberships m"
	    " JOIN people p ON p.national_id = m.national_id"
	    " WHERE m.household_id = ?"
	    " ORDER BY m.from_date, m.id");
	if (s == NULL) {
		store_read_unlock(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m.id = sqlite3_column_int64(s, 0);
		m.national_id = col(s, 1);
		m.given_names = col(s, 2);
		m.surname = col(s, 3);
		m.birth_date = col(s, 4);
		m.relationship = col(s, 5);
		m.from_date = col(s, 6);
		m.to_date = col(s, 7);
		m.reason = col(s, 8);
		m.disability = col(s, 9);
		fn(arg, &m);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "household members");
		n = -1;
	}
	store_release(st, s);
	store_read_unlock(st);
	return n;
}

enum store_rc
store_household_of(struct store *st, const char *national_id,
    const char *as_of, char *household_id, size_t len)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int now = as_of == NULL || as_of[0] == '\0';

	store_read_lock(st);
	s = store_prepare(st, now ?
	    "SELECT household_id FROM memberships"
	    " WHERE national_id = ? AND to_date = ''" :
	    "SELECT household_id FROM memberships"
	    " WHERE national_id = ?1 AND from_date <= ?2"
	    " AND (to_date = '' OR to_date > ?2)"
	    " ORDER BY from_date DESC, id DESC LIMIT 1");
	if (s != NULL) {
		bind_text(s, 1, national_id);
		if (!now)
			bind_text(s, 2, as_of);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			snprintf(household_id, len, "%" PRId64,
			    (int64_t)sqlite3_column_int64(s, 0));
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "household of");
		}
	}
	store_release(st, s);
	store_read_unlock(st);
	return rc;
}

/* ------------------------------------------------------------------------
 * Inside a transaction (lock held).
 */

static void
hh_why(struct store_hh_why *why, enum store_hh_problem p, int second,
    int64_t household, const char *date, const char *other)
{
	why->problem = p;
	why->second = second;
	if (household > 0)
		snprintf(why->household_id, sizeof why->household_id,
		    "%" PRId64, household);
	if (date != NULL)
		snprintf(why->date, sizeof why->date, "%s", date);
	if (other != NULL)
		snprintf(why->other, sizeof why->other, "%s", other);
}

static enum store_hh_problem
hh_household_exists(struct store *st, int64_t id, struct store_hh_why *why)
{
	sqlite3_stmt *s = store_prepare(st,
	    "SELECT 1 FROM households WHERE id = ?");
	enum store_hh_problem p = HH_ERR;

	if (s == NULL)
		return HH_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		p = HH_OK;
		break;
	case SQLITE_DONE:
		hh_why(why, p = HH_NO_HOUSEHOLD, 0, id, NULL, NULL);
		break;
	default:
		store_log_error(st, "household exists");
	}
	store_release(st, s);
	return p;
}

/* Whether a person may start a membership on date: registered, alive,
 * not merged away, and born by then. */
static enum store_hh_problem
hh_joinable(struct store *st, const char *nid, const char *date, int second,
    struct store_hh_why *why)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT birth_date, deceased_date,"
	    " merged_into FROM people WHERE national_id = ?");
	enum store_hh_problem p = HH_ERR;

	if (s == NULL)
		return HH_ERR;
	bind_text(s, 1, nid);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		if (col(s, 1)[0] != '\0')
			hh_why(why, p = HH_DECEASED, second, 0, col(s, 1),
			    nid);
		else if (col(s, 2)[0] != '\0')
			hh_why(why, p = HH_MERGED, second, 0, NULL, col(s, 2));
		else if (strcmp(date, col(s, 0)) < 0)
			hh_why(why, p = HH_BEFORE_BIRTH, second, 0, col(s, 0),
			    nid);
		else
			p = HH_OK;
		break;
	case SQLITE_DONE:
		hh_why(why, p = HH_NO_PERSON, second, 0, NULL, nid);
		break;
	default:
		store_log_error(st, "household person");
	}
	store_release(st, s);
	return p;
}

/* A person's open membership: 1 and *o filled, 0 for none, -1. */
static int
hh_open_of(struct store *st, const char *nid, struct hh_open *o)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, household_id,"
	    " relationship, from_date, national_id FROM memberships"
	    " WHERE national_id = ? AND to_date = ''");
	int r = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, nid);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		o->id = sqlite3_column_int64(s, 0);
		o->household_id = sqlite3_column_int64(s, 1);
		col_copy(o->relationship, sizeof o->relationship, s, 2);
		col_copy(o->from_date, sizeof o->from_date, s, 3);
		col_copy(o->national_id, sizeof o->national_id, s, 4);
		r = 1;
		break;
	case SQLITE_DONE:
		r = 0;
		break;
	default:
		store_log_error(st, "membership open");
	}
	store_release(st, s);
	return r;
}

/* The open head row of a household: 1 and *o filled, 0 for none, -1. */
static int
hh_head_of(struct store *st, int64_t household, struct hh_open *o)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, household_id,"
	    " relationship, from_date, national_id FROM memberships"
	    " WHERE household_id = ? AND to_date = '' AND"
	    " relationship = 'head'");
	int r = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, household);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		o->id = sqlite3_column_int64(s, 0);
		o->household_id = sqlite3_column_int64(s, 1);
		col_copy(o->relationship, sizeof o->relationship, s, 2);
		col_copy(o->from_date, sizeof o->from_date, s, 3);
		col_copy(o->national_id, sizeof o->national_id, s, 4);
		r = 1;
		break;
	case SQLITE_DONE:
		r = 0;
		break;
	default:
		store_log_error(st, "membership head");
	}
	store_release(st, s);
	return r;
}

/* Whether a person may open a membership from date: not in one now, and no
 * past one ending after date. */
static enum store_hh_problem
hh_free_from(struct store *st, const char *nid, const char *date,
    struct store_hh_why *why)
{
	struct hh_open o;
	sqlite3_stmt *s;
	enum store_hh_problem p = HH_ERR;

	switch (hh_open_of(st, nid, &o)) {
	case 1:
		hh_why(why, HH_MEMBER, 0, o.household_id, o.from_date, nid);
		return HH_MEMBER;
	case 0:
		break;
	default:
		return HH_ERR;
	}
	s = store_prepare(st, "SELECT household_id, from_date, to_date"
	    " FROM memberships WHERE national_id = ? AND to_date > ?"
	    " ORDER BY to_date DESC LIMIT 1");
	if (s == NULL)
		return HH_ERR;
	bind_text(s, 1, nid);
	bind_text(s, 2, date);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		hh_why(why, p = HH_OVERLAP, 0, sqlite3_column_int64(s, 0),
		    col(s, 1), nid);
		snprintf(why->to_date, sizeof why->to_date, "%s", col(s, 2));
		break;
	case SQLITE_DONE:
		p = HH_OK;
		break;
	default:
		store_log_error(st, "membership overlap");
	}
	store_release(st, s);
	return p;
}

/* Open rows of a household other than nid's. */
static int
hh_others(struct store *st, int64_t household, const char *nid)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM memberships"
	    " WHERE household_id = ? AND to_date = '' AND national_id <> ?");
	int n = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, household);
	bind_text(s, 2, nid);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	else
		store_log_error(st, "membership count");
	store_release(st, s);
	return n;
}

static enum store_hh_problem
hh_close(struct store *st, int64_t row, const char *date, const char *reason)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE memberships SET"
	    " to_date = ?, end_reason = ? WHERE id = ? AND to_date = ''");

	if (s != NULL) {
		bind_text(s, 1, date);
		bind_text(s, 2, reason);
		sqlite3_bind_int64(s, 3, row);
	}
	return store_write(st, s, "membership close") == STORE_OK ? HH_OK :
	    HH_ERR;
}

static enum store_hh_problem
hh_insert(struct store *st, int64_t household, const char *nid,
    const char *relationship, const char *from, const char *reason,
    const char *actor)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO memberships"
	    " (household_id, national_id, relationship, from_date, reason,"
	    " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)");
	char now[32];

	check_now(now, sizeof now);
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, household);
		bind_text(s, 2, nid);
		bind_text(s, 3, relationship);
		bind_text(s, 4, from);
		bind_text(s, 5, reason);
		bind_text(s, 6, now);
		bind_text(s, 7, actor);
	}
	return store_write(st, s, "membership insert") == STORE_OK ? HH_OK :
	    HH_ERR;
}

/*
 * Ends the open membership o on date.  A head who leaves others behind
 * hands over to successor, whose own row is closed and reopened as head on
 * the same date so that the history keeps both relationships.
 */
static enum store_hh_problem
hh_leave(struct store *st, const struct hh_open *o, const char *date,
    const char *reason, const char *successor, const char *actor,
    struct store_hh_why *why)
{
	struct hh_open s = {0};
	enum store_hh_problem p;
	int head = strcmp(o->relationship, "head") == 0, others;

	if (successor == NULL)
		successor = "";
	if (strcmp(date, o->from_date) < 0) {
		hh_why(why, HH_BEFORE_START, 0, o->household_id, o->from_date,
		    o->national_id);
		return HH_BEFORE_START;
	}
	if ((others = hh_others(st, o->household_id, o->national_id)) < 0)
		return HH_ERR;
	if (successor[0] != '\0' && !head) {
		hh_why(why, HH_NOT_HEAD, 1, o->household_id, NULL,
		    o->national_id);
		return HH_NOT_HEAD;
	}
	if (head && others > 0 && successor[0] == '\0') {
		hh_why(why, HH_HEAD_LEAVES, 1, o->household_id, NULL,
		    o->national_id);
		return HH_HEAD_LEAVES;
	}
	if (successor[0] != '\0' && strcmp(successor, o->national_id) == 0) {
		hh_why(why, HH_SUCCESSOR_SELF, 1, o->household_id, NULL,
		    successor);
		return HH_SUCCESSOR_SELF;
	}
	if (successor[0] != '\0') {
		switch (hh_open_of(st, successor, &s)) {
		case 1:
			if (s.household_id == o->household_id)
				break;
			/* FALLTHROUGH */
		case 0:
			hh_why(why, HH_NOT_MEMBER, 1, o->household_id, NULL,
			    successor);
			return HH_NOT_MEMBER;
		default:
			return HH_ERR;
		}
		if ((p = hh_joinable(st, successor, date, 1, why)) != HH_OK)
			return p;
		if (strcmp(date, s.from_date) < 0) {
			hh_why(why, HH_BEFORE_START, 1, s.household_id,
			    s.from_date, successor);
			return HH_BEFORE_START;
		}
	}
	if ((p = hh_close(st, o->id, date, reason)) != HH_OK)
		return p;
	if (successor[0] != '\0' &&
	    ((p = hh_close(st, s.id, date, reason)) != HH_OK ||
	    (p = hh_insert(st, s.household_id, successor, "head", date, reason,
	    actor)) != HH_OK))
		return p;
	return HH_OK;
}

/* Starts a change: the lock and an immediate transaction. */
static enum store_hh_problem
hh_begin(struct store *st, struct store_hh_why *why)
{
	memset(why, 0, sizeof *why);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return why->problem = HH_ERR;
	}
	return HH_OK;
}

/* Ends a change: on success the audit row and the commit, otherwise the
 * rollback, so that a refused change writes nothing. */
static enum store_hh_problem
hh_end(struct store *st, enum store_hh_problem p, const struct store_audit *a,
    struct store_hh_why *why)
{
	if (p == HH_OK && a != NULL && store_audit_insert(st, a) != 0)
		p = HH_ERR;
	if (p == HH_OK) {
		if (store_commit(st) != 0)
			p = HH_ERR;
	} else
		store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	why->problem = p;
	return p;
}

enum store_hh_problem
store_household_create_tx(struct store *st, const struct store_hh_change *c,
    int64_t *id, struct store_hh_why *why)
{
	enum store_hh_problem p;
	sqlite3_stmt *s;
	char now[32];

	if ((p = hh_joinable(st, c->national_id, c->date, 0, why)) != HH_OK ||
	    (p = hh_free_from(st, c->national_id, c->date, why)) != HH_OK)
		return p;
	check_now(now, sizeof now);
	s = store_prepare(st, "INSERT INTO households (address, municipality,"
	    " created_at, created_by) VALUES (?, ?, ?, ?)");
	if (s != NULL) {
		bind_text(s, 1, c->address);
		bind_text(s, 2, c->municipality);
		bind_text(s, 3, now);
		bind_text(s, 4, c->actor);
	}
	if (store_write(st, s, "household insert") != STORE_OK)
		return HH_ERR;
	*id = sqlite3_last_insert_rowid(st->db);
	return hh_insert(st, *id, c->national_id, "head", c->date, c->reason,
	    c->actor);
}

enum store_hh_problem
store_household_create(struct store *st, const struct store_hh_change *c,
    int64_t *id, struct store_hh_why *why)
{
	if (hh_begin(st, why) != HH_OK)
		return HH_ERR;
	return hh_end(st, store_household_create_tx(st, c, id, why), c->audit,
	    why);
}

enum store_hh_problem
store_household_add_tx(struct store *st, const struct store_hh_change *c,
    struct store_hh_why *why)
{
	enum store_hh_problem p;

	if ((p = hh_household_exists(st, c->household_id, why)) == HH_OK &&
	    (p = hh_joinable(st, c->national_id, c->date, 0, why)) == HH_OK &&
	    (p = hh_free_from(st, c->national_id, c->date, why)) == HH_OK)
		p = hh_insert(st, c->household_id, c->national_id,
		    c->relationship, c->date, c->reason, c->actor);
	return p;
}

enum store_hh_problem
store_household_add(struct store *st, const struct store_hh_change *c,
    struct store_hh_why *why)
{
	if (hh_begin(st, why) != HH_OK)
		return HH_ERR;
	return hh_end(st, store_household_add_tx(st, c, why), c->audit, why);
}

enum store_hh_problem
store_household_move(struct store *st, const struct store_hh_change *c,
    int64_t from, struct store_hh_why *why)
{
	enum store_hh_problem p;
	struct hh_open o, h;

	if (hh_begin(st, why) != HH_OK)
		return HH_ERR;
	if ((p = hh_household_exists(st, c->household_id, why)) != HH_OK ||
	    (p = hh_joinable(st, c->national_id, c->date, 0, why)) != HH_OK)
		return hh_end(st, p, NULL, why);
	switch (hh_open_of(st, c->national_id, &o)) {
	case 1:
		break;
	case 0:
		hh_why(why, HH_NOT_IN_ANY, 0, 0, NULL, c->national_id);
		return hh_end(st, HH_NOT_IN_ANY, NULL, why);
	default:
		return hh_end(st, HH_ERR, NULL, why);
	}
	if (o.household_id == c->household_id) {
		hh_why(why, HH_SAME_HOUSEHOLD, 0, o.household_id, o.from_date,
		    c->national_id);
		return hh_end(st, HH_SAME_HOUSEHOLD, NULL, why);
	}
	if (o.household_id != from) {
		hh_why(why, HH_NOT_MEMBER, 0, from, NULL, c->national_id);
		return hh_end(st, HH_NOT_MEMBER, NULL, why);
	}
	if (strcmp(c->relationship, "head") == 0) {
		switch (hh_head_of(st, c->household_id, &h)) {
		case 1:
			hh_why(why, HH_HAS_HEAD, 0, c->household_id,
			    h.from_date, h.national_id);
			return hh_end(st, HH_HAS_HEAD, NULL, why);
		case 0:
			break;
		default:
			return hh_end(st, HH_ERR, NULL, why);
		}
	}
	if ((p = hh_leave(st, &o, c->date, c->reason, c->successor, c->actor,
	    why)) == HH_OK)
		p = hh_insert(st, c->household_id, c->national_id,
		    c->relationship, c->date, c->reason, c->actor);
	return hh_end(st, p, c->audit, why);
}

enum store_hh_problem
store_household_remove(struct store *st, const struct store_hh_change *c,
    struct store_hh_why *why)
{
	enum store_hh_problem p;
	struct hh_open o;
	int r;

	if (hh_begin(st, why) != HH_OK)
		return HH_ERR;
	if ((p = hh_household_exists(st, c->household_id, why)) != HH_OK)
		return hh_end(st, p, NULL, why);
	if ((r = hh_open_of(st, c->national_id, &o)) < 0)
		return hh_end(st, HH_ERR, NULL, why);
	if (r == 0 || o.household_id != c->household_id) {
		hh_why(why, HH_NOT_MEMBER, 0, c->household_id, NULL,
		    c->national_id);
		return hh_end(st, HH_NOT_MEMBER, NULL, why);
	}
	p = hh_leave(st, &o, c->date, c->reason, c->successor, c->actor, why);
	return hh_end(st, p, c->audit, why);
}

enum store_hh_problem
store_household_change_head(struct store *st, const struct store_hh_change *c,
    struct store_hh_why *why)
{
	enum store_hh_problem p;
	struct hh_open o, h;
	int r, hashead;

	if (hh_begin(st, why) != HH_OK)
		return HH_ERR;
	if ((p = hh_household_exists(st, c->household_id, why)) != HH_OK)
		return hh_end(st, p, NULL, why);
	if ((r = hh_open_of(st, c->national_id, &o)) < 0)
		return hh_end(st, HH_ERR, NULL, why);
	if (r == 0 || o.household_id != c->household_id) {
		hh_why(why, HH_NOT_MEMBER, 0, c->household_id, NULL,
		    c->national_id);
		return hh_end(st, HH_NOT_MEMBER, NULL, why);
	}
	if (strcmp(o.relationship, "head") == 0) {
		hh_why(why, HH_ALREADY_HEAD, 0, c->household_id, o.from_date,
		    c->national_id);
		return hh_end(st, HH_ALREADY_HEAD, NULL, why);
	}
	if ((p = hh_joinable(st, c->national_id, c->date, 0, why)) != HH_OK)
		return hh_end(st, p, NULL, why);
	if (strcmp(c->date, o.from_date) < 0) {
		hh_why(why, HH_BEFORE_START, 0, c->household_id, o.from_date,
		    c->national_id);
		return hh_end(st, HH_BEFORE_START, NULL, why);
	}
	if ((hashead = hh_head_of(st, c->household_id, &h)) < 0)
		return hh_end(st, HH_ERR, NULL, why);
	if (hashead) {
		if (c->old_head_relationship == NULL ||
		    c->old_head_relationship[0] == '\0') {
			hh_why(why, HH_OLD_REL_NEEDED, 1, c->household_id,
			    NULL, h.national_id);
			return hh_end(st, HH_OLD_REL_NEEDED, NULL, why);
		}
		if (strcmp(c->date, h.from_date) < 0) {
			hh_why(why, HH_BEFORE_START, 1, c->household_id,
			    h.from_date, h.national_id);
			return hh_end(st, HH_BEFORE_START, NULL, why);
		}
		/* The old head's row closes before the new head's opens:
		 * the index allows one open head at a time. */
		if ((p = hh_close(st, h.id, c->date, c->reason)) != HH_OK ||
		    (p = hh_insert(st, c->household_id, h.national_id,
		    c->old_head_relationship, c->date, c->reason,
		    c->actor)) != HH_OK)
			return hh_end(st, p, NULL, why);
	}
	if ((p = hh_close(st, o.id, c->date, c->reason)) == HH_OK)
		p = hh_insert(st, c->household_id, c->national_id, "head",
		    c->date, c->reason, c->actor);
	return hh_end(st, p, c->audit, why);
}

enum store_hh_problem
store_household_leave_tx(struct store *st, const char *national_id,
    const char *date, const char *reason, const char *successor,
    const char *actor, struct store_hh_why *why)
{
	struct hh_open o;

	memset(why, 0, sizeof *why);
	switch (hh_open_of(st, national_id, &o)) {
	case 1:
		break;
	case 0:
		hh_why(why, HH_NOT_IN_ANY, 0, 0, NULL, national_id);
		return HH_NOT_IN_ANY;
	default:
		return why->problem = HH_ERR;
	}
	return why->problem = hh_leave(st, &o, date, reason, successor, actor,
	    why);
}
