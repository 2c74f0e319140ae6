/*
 * store_stats.c: the counts of public statistics and the people of
 * research samples.  Every definition here is the one stats.proto and the
 * README give; change them together.
 */
#include <string.h>

#include "store_int.h"
#include "store_stats.h"

/*
 * A benefit of alias b in force on some day from ?F to ?T (dates): a
 * monthly or yearly one from its start to its end, a one-off one on the
 * day it started.  Suspension does not count as an end.
 */
#define STATS_IN_FORCE(b, F, T) \
	" ((" b ".period <> 'one_off' AND " b ".start_date <= " T \
	" AND (" b ".end_date = '' OR " b ".end_date >= " F "))" \
	" OR (" b ".period = 'one_off' AND " b ".start_date BETWEEN " F \
	" AND " T "))"

/* A benefit's amount per month as it now stands (a one-off one whole). */
#define STATS_MONTHLY(b) \
	" CASE " b ".period WHEN 'yearly' THEN " b ".amount / 12" \
	" ELSE " b ".amount END"

/* Steps s to its end, handing each row to row(); STORE_ERR on a storage
 * error. */
static enum store_rc
stats_rows(struct store *st, sqlite3_stmt *s, const char *what,
    void (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(s, ctx);
	if (rc != SQLITE_DONE) {
		store_log_error(st, what);
		return STORE_ERR;
	}
	return STORE_OK;
}

struct stats_cells {
	store_stats_cell_fn fn;
	void *arg;
	const char *month;
};

static void
stats_cell_row(sqlite3_stmt *s, void *ctx)
{
	struct stats_cells *k = ctx;
	struct store_stats_cell c = {0};

	c.month = k->month != NULL ? k->month : store_text(s, 0);
	c.row = store_text(s, 1);
	c.col = store_text(s, 2);
	c.count = sqlite3_column_int64(s, 3);
	c.entitled = sqlite3_column_int64(s, 4);
	c.paid = sqlite3_column_int64(s, 5);
	k->fn(&c, k->arg);
}

enum store_rc
store_stats_beneficiaries(struct store *st, const char *month,
    store_stats_cell_fn fn, void *arg)
{
	struct stats_cells k = {fn, arg, month};
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	/* The month's first and last days are made by SQLite.  The paid
	 * amounts are looked up through the payments_once index, whose
	 * condition the query repeats so that SQLite may use it. */
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "WITH m(mon, f, l) AS (SELECT ?1, ?1 || '-01',"
	    "  date(?1 || '-01', '+1 month', '-1 day'))"
	    " SELECT m.mon, b.programme, b.municipality,"
	    " count(DISTINCT b.national_id),"
	    " coalesce(sum(" STATS_MONTHLY("b") "), 0),"
	    " coalesce(sum((SELECT sum(p.amount) FROM payments p"
	    "  WHERE p.national_id = b.national_id"
	    "  AND p.programme = b.programme"
	    "  AND p.period = CASE b.period WHEN 'one_off' THEN 'once'"
	    "   ELSE m.mon END"
	    "  AND p.state IN ('pending', 'sent', 'paid')"
	    "  AND p.state = 'paid' AND p.benefit_id = b.id)), 0)"
	    " FROM m, benefits b"
	    " WHERE" STATS_IN_FORCE("b", "m.f", "m.l")
	    " GROUP BY b.programme, b.municipality");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, month, -1, SQLITE_TRANSIENT);
		rc = stats_rows(st, s, "beneficiary statistics",
		    stats_cell_row, &k);
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_stats_applications(struct store *st, const char *from, const char *to,
    store_stats_cell_fn fn, void *arg)
{
	struct stats_cells k = {fn, arg, NULL};
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "SELECT substr(submitted_at, 1, 7), channel,"
	    " CASE state WHEN 'approved' THEN 'approved'"
	    "  WHEN 'rejected' THEN 'rejected'"
	    "  WHEN 'withdrawn' THEN 'withdrawn' ELSE 'pending' END,"
	    " count(*), 0, 0"
	    " FROM applications"
	    " WHERE submitted_at >= ?1 || '-01'"
	    " AND submitted_at < date(?2 || '-01', '+1 month')"
	    " GROUP BY 1, 2, 3");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, from, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, to, -1, SQLITE_TRANSIENT);
		rc = stats_rows(st, s, "application statistics",
		    stats_cell_row, &k);
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_stats_recent_calls(struct store *st, const char *prefix,
    const char *terminal, const char *since, int64_t *n)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "SELECT count(*) FROM audit"
	    " WHERE id > (SELECT coalesce(max(id), 0) - 5000 FROM audit)"
	    " AND terminal = ?2 AND substr(method, 1, length(?1)) = ?1"
	    " AND at >= ?3");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, terminal, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, since, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			*n = sqlite3_column_int64(s, 0);
			rc = STORE_OK;
		} else
			store_log_error(st, "recent statistics calls");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

struct stats_sample {
	store_sample_fn fn;
	void *arg;
	int64_t cap, seen;
};

static void
stats_sample_row(sqlite3_stmt *s, void *ctx)
{
	struct stats_sample *k = ctx;
	struct store_sample_person p;

	if (k->seen++ >= k->cap)
		return;
	p.national_id = store_text(s, 0);
	p.sex = store_text(s, 1);
	p.birth_date = store_text(s, 2);
	p.municipality = store_text(s, 3);
	p.household_size = sqlite3_column_int64(s, 4);
	p.benefits = store_text(s, 5);
	p.applied = store_text(s, 6);
	p.monthly_amount = sqlite3_column_int64(s, 7);
	k->fn(&p, k->arg);
}

enum store_rc
store_stats_sample(struct store *st, const char *from, const char *to,
    int64_t cap, store_sample_fn fn, void *arg)
{
	struct stats_sample k = {fn, arg, cap, 0};
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	/* ?1 and ?2 the range's days; applications by their submission
	 * instant, up to the end of ?2. */
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "WITH who(national_id) AS ("
	    "  SELECT national_id FROM benefits b"
	    "  WHERE" STATS_IN_FORCE("b", "?1", "?2")
	    "  UNION SELECT national_id FROM applications"
	    "  WHERE submitted_at >= ?1 AND submitted_at < date(?2, '+1 day'))"
	    " SELECT pe.national_id, pe.sex, pe.birth_date, pe.municipality,"
	    " coalesce((SELECT count(*) FROM memberships m2"
	    "  WHERE m2.to_date = '' AND m2.household_id ="
	    "  (SELECT m.household_id FROM memberships m"
	    "   WHERE m.national_id = pe.national_id AND m.to_date = '')), 0),"
	    " coalesce((SELECT group_concat(programme) FROM"
	    "  (SELECT DISTINCT b.programme FROM benefits b"
	    "   WHERE b.national_id = pe.national_id AND"
	    STATS_IN_FORCE("b", "?1", "?2") " ORDER BY 1)), ''),"
	    " coalesce((SELECT group_concat(programme) FROM"
	    "  (SELECT DISTINCT a.programme FROM applications a"
	    "   WHERE a.national_id = pe.national_id"
	    "   AND a.submitted_at >= ?1"
	    "   AND a.submitted_at < date(?2, '+1 day') ORDER BY 1)), ''),"
	    " coalesce((SELECT sum(" STATS_MONTHLY("b") ") FROM benefits b"
	    "  WHERE b.national_id = pe.national_id AND b.period <> 'one_off'"
	    "  AND" STATS_IN_FORCE("b", "?1", "?2") "), 0)"
	    " FROM who JOIN people pe ON pe.national_id = who.national_id");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
		rc = stats_rows(st, s, "research sample", stats_sample_row,
		    &k);
		if (rc == STORE_OK && k.seen > cap)
			rc = STORE_EXISTS;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

struct stats_residents {
	store_residents_fn fn;
	void *arg;
};

static void
stats_resident_row(sqlite3_stmt *s, void *ctx)
{
	struct stats_residents *k = ctx;

	k->fn(store_text(s, 0), sqlite3_column_int64(s, 1), k->arg);
}

enum store_rc
store_stats_residents(struct store *st, store_residents_fn fn, void *arg)
{
	struct stats_residents k = {fn, arg};
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT municipality, count(*) FROM people"
	    " WHERE deceased_date = '' AND merged_into = ''"
	    " GROUP BY municipality");
	if (s != NULL)
		rc = stats_rows(st, s, "residents", stats_resident_row, &k);
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
