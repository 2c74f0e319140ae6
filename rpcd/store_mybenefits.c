/*
 * store_mybenefits.c: a citizen's own payments and open renewals, read for
 * the kiosk.  Both go from the person's benefits (benefits_person) to
 * their rows by benefit (payments_benefit, renewals_benefit), so that a
 * citizen's look costs the same however many people are paid.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "store_mybenefits.h"

enum store_rc
store_mybenefits_payments(struct store *st, const char *national_id,
    int per_benefit,
    void (*fn)(void *arg, const struct store_mypayment *p), void *arg)
{
	struct store_mypayment p;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	/* A payment of a cancelled run was never made: the citizen is not
	 * told of it. */
	s = store_prepare(st, "SELECT id, benefit_id, period, state, reason,"
	    " updated_at, amount FROM (SELECT p.*, row_number() OVER"
	    " (PARTITION BY p.benefit_id ORDER BY p.period DESC, p.id DESC)"
	    " AS n FROM benefits b JOIN payments p ON p.benefit_id = b.id"
	    " WHERE b.national_id = ?1 AND p.state <> 'cancelled')"
	    " WHERE n <= ?2 ORDER BY benefit_id, period DESC, id DESC");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, per_benefit);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			memset(&p, 0, sizeof p);
			p.id = sqlite3_column_int64(s, 0);
			p.benefit_id = sqlite3_column_int64(s, 1);
			p.period = store_text(s, 2);
			p.state = store_text(s, 3);
			p.reason = store_text(s, 4);
			p.updated_at = store_text(s, 5);
			p.amount = sqlite3_column_int64(s, 6);
			fn(arg, &p);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "a citizen's payments");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_mybenefits_renewals(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_myrenewal *r), void *arg)
{
	struct store_myrenewal x;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT r.id, r.benefit_id, r.eligible,"
	    " r.old_amount, r.new_amount, r.explanation, r.objection_until,"
	    " r.state, r.reason FROM benefits b JOIN renewals r"
	    " ON r.benefit_id = b.id WHERE b.national_id = ?1"
	    " AND r.state IN ('pending', 'objected') ORDER BY r.id");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			memset(&x, 0, sizeof x);
			x.id = sqlite3_column_int64(s, 0);
			x.benefit_id = sqlite3_column_int64(s, 1);
			x.eligible = sqlite3_column_int(s, 2);
			x.old_amount = sqlite3_column_int64(s, 3);
			x.new_amount = sqlite3_column_int64(s, 4);
			x.explanation = store_text(s, 5);
			x.objection_until = store_text(s, 6);
			x.state = store_text(s, 7);
			x.reason = store_text(s, 8);
			fn(arg, &x);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "a citizen's renewals");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
