/*
 * store_lifeevent.c: the facts institutions sent as lifeevent.c reads
 * them, and the transactions that carry a fact's effects (see
 * store_lifeevent.h).  The effects go through the _tx bodies of the
 * registry's own changes, so that a death or a birth reported by an
 * institution changes the registry exactly as an officer's would.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "rpcd.h"
#include "store_household.h"
#include "store_int.h"
#include "store_lifeevent.h"
#include "store_notice.h"
#include "store_person.h"

int
store_lifeevent_due(struct store *st, int64_t after, struct store_fact *out,
    int max)
{
	sqlite3_stmt *s;
	int n = 0, rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id, source, record_id, national_id,"
	    " kind, period, amount, value, related_id, given_names, surname,"
	    " sex, batch_id, received_at FROM facts"
	    " WHERE effects_done = 0 AND id > ? ORDER BY id LIMIT ?");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_fact *f = &out[n++];

		memset(f, 0, sizeof *f);
		f->id = sqlite3_column_int64(s, 0);
		store_copy(f->source, sizeof f->source, s, 1);
		store_copy(f->record_id, sizeof f->record_id, s, 2);
		store_copy(f->national_id, sizeof f->national_id, s, 3);
		store_copy(f->kind, sizeof f->kind, s, 4);
		store_copy(f->period, sizeof f->period, s, 5);
		f->amount = sqlite3_column_int64(s, 6);
		store_copy(f->value, sizeof f->value, s, 7);
		store_copy(f->related_id, sizeof f->related_id, s, 8);
		store_copy(f->given_names, sizeof f->given_names, s, 9);
		store_copy(f->surname, sizeof f->surname, s, 10);
		store_copy(f->sex, sizeof f->sex, s, 11);
		store_copy(f->batch_id, sizeof f->batch_id, s, 12);
		store_copy(f->received_at, sizeof f->received_at, s, 13);
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "facts due");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

/* "YYYY-MM" of the month back months before the month of on. */
static void
le_month(const char *on, int back, char *out, size_t len)
{
	int y = 0, m = 0, d = 0;

	if (!check_date(on, &y, &m, &d)) {
		snprintf(out, len, "0000-00");
		return;
	}
	m -= back;
	while (m < 1) {
		m += 12;
		y--;
	}
	snprintf(out, len, "%04d-%02d", y, m);
}

enum store_rc
store_lifeevent_reported(struct store *st, const char *national_id,
    const char *const *members, size_t n, const char *on,
    struct prog_reported *r)
{
	char from[16], to[16], now[16];
	int64_t income = 0;
	const char *const *ids = n > 0 ? members : &national_id;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int step;

	memset(r, 0, sizeof *r);
	le_month(on, 3, from, sizeof from);
	le_month(on, 1, to, sizeof to);
	le_month(on, 0, now, sizeof now);
	if (n == 0)
		n = 1;
	store_read_lock(st);
	for (size_t i = 0; i < n; i++) {
		/* One statement per member, not one per kind of fact: the
		 * renewal job runs this for every benefit.  Monthly periods
		 * only for income: a day's period is a birth or a death,
		 * never income. */
		s = store_prepare(st, "SELECT"
		    " (SELECT coalesce(sum(amount), 0) FROM facts"
		    "  WHERE national_id = ?1 AND kind = 'income'"
		    "  AND period >= ?2 AND period <= ?3"
		    "  AND length(period) = 7),"
		    " (SELECT amount FROM facts"
		    "  WHERE national_id = ?1 AND kind = 'vehicle'"
		    "  AND period <= ?4 ORDER BY period DESC, id DESC LIMIT 1),"
		    " (SELECT amount FROM facts"
		    "  WHERE national_id = ?1 AND kind = 'land'"
		    "  AND period <= ?4 ORDER BY period DESC, id DESC"
		    "  LIMIT 1)");
		if (s == NULL)
			goto out;
		sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		if ((step = sqlite3_step(s)) == SQLITE_ROW) {
			/* A kind with no fact is NULL, which reads as 0. */
			income += sqlite3_column_int64(s, 0);
			r->vehicles += sqlite3_column_int64(s, 1);
			r->land += sqlite3_column_int64(s, 2);
		} else
			store_log_error(st, "reported facts");
		store_release(st, s);
		if (step != SQLITE_ROW)
			goto out;
	}
	/* Truncated to the cent below, as per-member income is. */
	r->income = income / 3;
	s = store_prepare(st, "SELECT value FROM facts WHERE national_id = ?"
	    " AND kind = 'employment' AND period <= ?"
	    " ORDER BY period DESC, id DESC LIMIT 1");
	if (s == NULL)
		goto out;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(s)) == SQLITE_ROW)
		r->registered_unemployed = strcmp(store_text(s, 0),
		    "registered_unemployed") == 0;
	store_release(st, s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		store_log_error(st, "reported employment");
	else
		rc = STORE_OK;
out:
	store_read_unlock(st);
	return rc;
}

/*
 * Starts a fact's transaction: the lock, BEGIN, and the fact's mark, so
 * that of two runs that found it due only the first acts.  STORE_EXISTS
 * (rolled back, unlocked) when it was acted on meanwhile.
 */
static enum store_rc
le_begin(struct store *st, int64_t id)
{
	sqlite3_stmt *s;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "UPDATE facts SET effects_done = 1"
	    " WHERE id = ? AND effects_done = 0");
	if (s != NULL)
		sqlite3_bind_int64(s, 1, id);
	if (store_write(st, s, "fact done") != STORE_OK) {
		store_rollback(st);
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		pthread_mutex_unlock(&st->lock);
		return STORE_EXISTS;
	}
	return STORE_OK;
}

/* Ends a fact's transaction: on STORE_OK the audit row and the commit,
 * otherwise the rollback. */
static enum store_rc
le_end(struct store *st, enum store_rc rc, const struct store_audit *a)
{
	if (rc == STORE_OK && store_audit_insert(st, a) != 0)
		rc = STORE_ERR;
	if (rc == STORE_OK) {
		if (store_commit(st) != 0)
			rc = STORE_ERR;
	} else
		store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_lifeevent_done(struct store *st, int64_t id,
    const struct store_audit *a)
{
	enum store_rc rc;

	if ((rc = le_begin(st, id)) != STORE_OK)
		return rc;
	return le_end(st, STORE_OK, a);
}

enum store_rc
store_lifeevent_done_many(struct store *st, const int64_t *ids, size_t n)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_OK;

	if (n == 0)
		return STORE_OK;
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "UPDATE facts SET effects_done = 1"
	    " WHERE id = ? AND effects_done = 0");
	for (size_t i = 0; s != NULL && i < n && rc == STORE_OK; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_log_error(st, "facts done");
			rc = STORE_ERR;
		}
		sqlite3_reset(s);
	}
	if (s == NULL)
		rc = STORE_ERR;
	store_release(st, s);
	if (rc == STORE_OK && store_commit(st) != 0)
		rc = STORE_ERR;
	else if (rc != STORE_OK)
		store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* The eldest other open member of the household national_id heads, into
 * head ("" when they head none or are alone); lock held. */
static int
le_successor(struct store *st, const char *national_id, char *head,
    size_t len)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT m.national_id"
	    " FROM memberships h JOIN memberships m"
	    " ON m.household_id = h.household_id AND m.to_date = ''"
	    " AND m.national_id <> h.national_id"
	    " JOIN people p ON p.national_id = m.national_id"
	    " WHERE h.national_id = ? AND h.to_date = ''"
	    " AND h.relationship = 'head'"
	    " ORDER BY p.birth_date, m.national_id LIMIT 1");
	int rc;

	head[0] = '\0';
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		store_copy(head, len, s, 0);
	store_release(st, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log_error(st, "household successor");
		return -1;
	}
	return 0;
}

enum store_rc
store_lifeevent_death(struct store *st, const struct store_fact *f,
    const char *actor, const char *reason, const struct store_audit *a,
    int *already, char *why, size_t whylen)
{
	enum store_rc rc;
	char head[16];

	*already = 0;
	if ((rc = le_begin(st, f->id)) != STORE_OK)
		return rc;
	if (le_successor(st, f->national_id, head, sizeof head) != 0)
		return le_end(st, STORE_ERR, a);
	rc = store_person_death_tx(st, f->national_id, f->period, head, actor,
	    reason, why, whylen);
	if (rc == STORE_CONFLICT) {
		/* Recorded already (by an officer, or an earlier fact):
		 * the registry stays as it is, the fact is acted on. */
		*already = 1;
		rc = STORE_OK;
	}
	return le_end(st, rc, a);
}

/* Whether national_id is in a household now: 1, 0, or -1; lock held. */
static int
le_in_household(struct store *st, const char *national_id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM memberships"
	    " WHERE national_id = ? AND to_date = ''");
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_release(st, s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_log_error(st, "household of child");
	return -1;
}

static void
le_hh_why(const struct store_hh_why *w, char *why, size_t len)
{
	snprintf(why, len, "household change refused (problem %d%s%s%s%s)",
	    (int)w->problem, w->household_id[0] ? ", household " : "",
	    w->household_id, w->other[0] ? ", " : "", w->other);
}

enum store_rc
store_lifeevent_birth(struct store *st, int64_t fact_id,
    const struct store_lifeevent_birth *b, const char *actor,
    const char *reason, const struct store_audit *a, char *why,
    size_t whylen)
{
	struct store_hh_change c = {0};
	struct store_hh_why w;
	enum store_hh_problem p = HH_OK;
	enum store_rc rc;
	int64_t hh = 0;
	int in;

	why[0] = '\0';
	if ((rc = le_begin(st, fact_id)) != STORE_OK)
		return rc;
	if (b->child != NULL && (rc = store_person_add_tx(st, b->child,
	    actor, reason)) != STORE_OK)
		/* STORE_EXISTS: registered since lifeevent.c looked;
		 * the next run sees him or her registered. */
		return le_end(st, rc == STORE_EXISTS ? STORE_CONFLICT : rc, a);
	if ((in = le_in_household(st, b->child_id)) < 0)
		return le_end(st, STORE_ERR, a);
	memset(&w, 0, sizeof w);
	c.reason = reason;
	c.actor = actor;
	c.date = b->date;
	if (!in && b->household == 0) {
		/* The mother lives in no household: one is made for her,
		 * at her address, and the child joins it. */
		c.national_id = b->mother;
		c.address = b->address;
		c.municipality = b->municipality;
		p = store_household_create_tx(st, &c, &hh, &w);
	} else if (!in && b->household > 0)
		hh = b->household;
	if (p == HH_OK && !in && hh > 0) {
		memset(&w, 0, sizeof w);
		c.household_id = hh;
		c.national_id = b->child_id;
		c.relationship = "child";
		p = store_household_add_tx(st, &c, &w);
	}
	if (p != HH_OK) {
		le_hh_why(&w, why, whylen);
		return le_end(st, p == HH_ERR ? STORE_ERR : STORE_REFUSED, a);
	}
	/* The offer goes with the child's joining a household: a birth
	 * reported again, or a child an officer placed already, is not
	 * offered twice. */
	if (b->notice != NULL && !in && hh > 0 &&
	    store_notice_add_tx(st, b->notice, (int64_t)time(NULL)) != 0)
		return le_end(st, STORE_ERR, a);
	return le_end(st, STORE_OK, a);
}

enum store_rc
store_lifeevent_person(struct store *st, int64_t fact_id,
    const char *national_id, const char *field, const char *value,
    const char *actor, const char *reason, const struct store_audit *a,
    int *changed)
{
	enum store_rc rc;

	*changed = 0;
	if ((rc = le_begin(st, fact_id)) != STORE_OK)
		return rc;
	rc = store_person_update_tx(st, national_id, 1,
	    (const char *const[]){field}, (const char *const[]){value}, 0,
	    actor, reason, changed);
	return le_end(st, rc, a);
}

int
store_lifeevent_benefits(struct store *st, const char *const *members,
    size_t n, struct store_lifeevent_benefit *out, int max)
{
	sqlite3_stmt *s;
	int got = 0, rc = SQLITE_DONE;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT b.id, b.national_id, b.programme,"
	    " a.assets, b.review_reason <> '' FROM benefits b"
	    " JOIN applications a ON a.id = b.application_id"
	    " WHERE b.national_id = ? AND b.state = 'active' ORDER BY b.id");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	for (size_t i = 0; i < n && got < max; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, members[i], -1, SQLITE_STATIC);
		while (got < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct store_lifeevent_benefit *b = &out[got++];

			memset(b, 0, sizeof *b);
			b->id = sqlite3_column_int64(s, 0);
			store_copy(b->national_id, sizeof b->national_id, s,
			    1);
			store_copy(b->programme, sizeof b->programme, s, 2);
			b->assets = sqlite3_column_int64(s, 3);
			b->flagged = sqlite3_column_int(s, 4);
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log_error(st, "household benefits");
		got = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return got;
}

enum store_rc
store_lifeevent_review(struct store *st, int64_t fact_id,
    const struct store_lifeevent_review *r, size_t n,
    const struct store_audit *a)
{
	enum store_rc rc;
	sqlite3_stmt *s;
	char now[32];

	check_now(now, sizeof now);
	if ((rc = le_begin(st, fact_id)) != STORE_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* The flag keeps the day it was first raised while it stays
		 * raised. */
		s = store_prepare(st, "UPDATE benefits SET review_reason = ?1,"
		    " review_since = CASE WHEN ?1 = '' THEN ''"
		    " WHEN review_reason = '' THEN ?2 ELSE review_since END"
		    " WHERE id = ?3 AND state = 'active'");
		if (s != NULL) {
			sqlite3_bind_text(s, 1, r[i].reason, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, r[i].benefit_id);
		}
		if (store_write(st, s, "benefit review") != STORE_OK)
			return le_end(st, STORE_ERR, a);
	}
	return le_end(st, STORE_OK, a);
}
