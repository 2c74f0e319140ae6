/*
 * store_application.c: applications and decisions.  Every change is one
 * transaction that also writes the transition row and the audit row, so an
 * application is never in a state without the record of who put it there.
 * The state an application must be in for a change is checked here, inside
 * that transaction, against the list the handler gives: two officers
 * acting at once cannot both decide.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store.h"
#include "store_application.h"
#include "store_int.h"

/* The states in which an application still waits for someone. */
#define APP_PENDING "('submitted', 'in_review', 'appealed')"

#define APP_COLUMNS \
	"a.id, a.reference, a.programme, a.national_id," \
	" coalesce(a.household_id, 0), a.channel, a.municipality, a.state," \
	" a.monthly_income, a.assets, a.terminal, a.submitted_at," \
	" a.submitted_by, a.updated_at, a.version," \
	" CAST(julianday('now') - julianday(a.submitted_at) AS INTEGER)," \
	" (SELECT count(*) FROM application_flags f" \
	"  WHERE f.application_id = a.id)," \
	" coalesce(p.given_names || ' ' || p.surname, '')"

#define APP_FROM \
	" FROM applications a LEFT JOIN people p" \
	" ON p.national_id = a.national_id"

static void
app_row(sqlite3_stmt *s, struct store_application *app)
{
	memset(app, 0, sizeof *app);
	app->id = sqlite3_column_int64(s, 0);
	store_copy(app->reference, sizeof app->reference, s, 1);
	store_copy(app->programme, sizeof app->programme, s, 2);
	store_copy(app->national_id, sizeof app->national_id, s, 3);
	app->household_id = sqlite3_column_int64(s, 4);
	store_copy(app->channel, sizeof app->channel, s, 5);
	store_copy(app->municipality, sizeof app->municipality, s, 6);
	store_copy(app->state, sizeof app->state, s, 7);
	app->monthly_income = sqlite3_column_int64(s, 8);
	app->assets = sqlite3_column_int64(s, 9);
	store_copy(app->terminal, sizeof app->terminal, s, 10);
	store_copy(app->submitted_at, sizeof app->submitted_at, s, 11);
	store_copy(app->submitted_by, sizeof app->submitted_by, s, 12);
	store_copy(app->updated_at, sizeof app->updated_at, s, 13);
	app->version = sqlite3_column_int64(s, 14);
	app->age_days = sqlite3_column_int(s, 15);
	app->nflags = sqlite3_column_int(s, 16);
	store_copy(app->applicant, sizeof app->applicant, s, 17);
}

/* Reads one application by reference; the caller holds the lock. */
static enum store_rc
app_read(struct store *st, const char *reference,
    struct store_application *app)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " APP_COLUMNS APP_FROM
	    " WHERE a.reference = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		app_row(s, app);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "application");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_app_get(struct store *st, const char *reference,
    struct store_application *app)
{
	enum store_rc rc;

	store_read_lock(st);
	rc = app_read(st, reference, app);
	store_read_unlock(st);
	return rc;
}

/* Writes a transition row; the caller holds the lock in a transaction. */
static enum store_rc
app_step(struct store *st, int64_t app_id, const char *from, const char *to,
    const char *at, const struct store_app_actor *who, int64_t decision_id)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "INSERT INTO application_transitions"
	    " (application_id, from_state, to_state, at, actor, role, reason,"
	    " decision_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, app_id);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, who->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, who->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, who->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, decision_id);
	return store_write(st, s, "application transition");
}

/*
 * Finds and records the cross-check flags of a new application: the same
 * person elsewhere, and other members of the same household, with a
 * pending or approved application or an active benefit for the same
 * programme.  The caller holds the lock in a transaction.
 */
static enum store_rc
app_cross_flags(struct store *st, const struct store_application *app)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "INSERT INTO application_flags (application_id,"
	    " kind, national_id, other_reference, other_municipality,"
	    " other_state)"
	    " SELECT ?1, CASE WHEN o.national_id = ?2 THEN 'same_person'"
	    "   ELSE 'same_household' END, o.national_id, o.reference,"
	    "   o.municipality, CASE WHEN b.state = 'active'"
	    "   THEN 'benefit active' ELSE o.state END"
	    " FROM applications o"
	    " LEFT JOIN benefits b ON b.application_id = o.id"
	    " WHERE o.programme = ?3 AND o.id <> ?1"
	    "   AND (o.state IN " APP_PENDING " OR b.state = 'active'"
	    "        OR (o.state = 'approved' AND b.id IS NULL))"
	    "   AND (o.national_id = ?2 OR (?4 > 0 AND o.national_id IN"
	    "     (SELECT m.national_id FROM memberships m"
	    "      WHERE m.household_id = ?4 AND m.to_date = '')))"
	    " ORDER BY o.id");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, app->id);
	sqlite3_bind_text(s, 2, app->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, app->programme, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, app->household_id);
	if (store_write(st, s, "application flags") != STORE_OK)
		return STORE_ERR;
	/* The caseworker of an application still waiting must see the new
	 * one too, so each flag is written from both sides. */
	s = store_prepare(st, "INSERT INTO application_flags (application_id,"
	    " kind, national_id, other_reference, other_municipality,"
	    " other_state)"
	    " SELECT o.id, f.kind, ?2, ?3, ?4, 'submitted'"
	    " FROM application_flags f JOIN applications o"
	    " ON o.reference = f.other_reference"
	    " WHERE f.application_id = ?1 AND o.state IN " APP_PENDING);
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, app->id);
	sqlite3_bind_text(s, 2, app->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, app->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, app->municipality, -1, SQLITE_STATIC);
	return store_write(st, s, "application flags, other side");
}

enum store_rc
store_app_submit(struct store *st, struct store_application *app,
    const struct store_app_actor *who, const struct store_audit *a,
    char *other, size_t otherlen)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char now[32];
	int r;

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	/* A second application while one is pending in the same place is a
	 * mistake, not a case: refuse it. */
	s = store_prepare(st, "SELECT reference FROM applications"
	    " WHERE national_id = ? AND programme = ? AND municipality = ?"
	    " AND state IN " APP_PENDING " LIMIT 1");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, app->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, app->programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, app->municipality, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		store_copy(other, otherlen, s, 0);
		rc = STORE_EXISTS;
	} else if (r != SQLITE_DONE)
		store_log_error(st, "pending applications");
	store_release(st, s);
	if (r != SQLITE_DONE)
		goto fail;

	s = store_prepare(st, "SELECT 1 FROM applications WHERE reference = ?");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, app->reference, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	store_release(st, s);
	if (r == SQLITE_ROW) {
		rc = STORE_CONFLICT;
		goto fail;
	}

	s = store_prepare(st, "INSERT INTO applications (reference, programme,"
	    " national_id, household_id, channel, municipality, state,"
	    " monthly_income, assets, terminal, submitted_at, submitted_by,"
	    " updated_at) VALUES (?, ?, ?, nullif(?, 0), ?, ?, 'submitted',"
	    " ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, app->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, app->programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, app->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, app->household_id);
	sqlite3_bind_text(s, 5, app->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, app->municipality, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, app->monthly_income);
	sqlite3_bind_int64(s, 8, app->assets);
	sqlite3_bind_text(s, 9, app->terminal, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, who->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, now, -1, SQLITE_STATIC);
	if (store_write(st, s, "application") != STORE_OK)
		goto fail;
	app->id = sqlite3_last_insert_rowid(st->db);
	if (app_step(st, app->id, "", "submitted", now, who, 0) != STORE_OK ||
	    app_cross_flags(st, app) != STORE_OK)
		goto fail;
	if (a != NULL && store_audit_insert(st, a) != 0)
		goto fail;
	if (app_read(st, app->reference, app) != STORE_OK)
		goto fail;
	if (store_commit(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	pthread_mutex_unlock(&st->lock);
	return STORE_OK;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
app_state_in(const char *state, const char *const *from)
{
	for (; *from != NULL; from++)
		if (strcmp(state, *from) == 0)
			return 1;
	return 0;
}

/* Moves app (read by the caller under the lock, in a transaction) to to. */
static enum store_rc
app_move_locked(struct store *st, struct store_application *app,
    const char *to, const char *now, const struct store_app_actor *who,
    int64_t decision_id)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE applications SET state = ?,"
	    " updated_at = ?, version = version + 1 WHERE id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, app->id);
	if (store_write(st, s, "application state") != STORE_OK)
		return STORE_ERR;
	return app_step(st, app->id, app->state, to, now, who, decision_id);
}

/* Reads reference and checks its state and version; the caller holds the
 * lock in a transaction. */
static enum store_rc
app_check(struct store *st, const char *reference, const char *const *from,
    int64_t expected_version, struct store_application *app)
{
	enum store_rc rc;

	if ((rc = app_read(st, reference, app)) != STORE_OK)
		return rc;
	if (expected_version != 0 && app->version != expected_version)
		return STORE_CONFLICT;
	if (!app_state_in(app->state, from))
		return STORE_REFUSED;
	return STORE_OK;
}

enum store_rc
store_app_move(struct store *st, const char *reference,
    const char *const *from, const char *to, int64_t expected_version,
    int64_t decision_id, const struct store_app_actor *who,
    const struct store_audit *a, struct store_application *app)
{
	enum store_rc rc;
	char now[32];

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = app_check(st, reference, from, expected_version, app)) !=
	    STORE_OK)
		goto fail;
	rc = STORE_ERR;
	if (app_move_locked(st, app, to, now, who, decision_id) != STORE_OK ||
	    (a != NULL && store_audit_insert(st, a) != 0) ||
	    app_read(st, reference, app) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_app_steps(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_app_step *s), void *arg)
{
	struct store_app_step step;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	store_read_lock(st);
	s = store_prepare(st, "SELECT from_state, to_state, at, actor, role,"
	    " reason, decision_id FROM application_transitions"
	    " WHERE application_id = ? ORDER BY id");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, app_id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			step.from_state = store_text(s, 0);
			step.to_state = store_text(s, 1);
			step.at = store_text(s, 2);
			step.actor = store_text(s, 3);
			step.role = store_text(s, 4);
			step.reason = store_text(s, 5);
			step.decision_id = sqlite3_column_int64(s, 6);
			fn(arg, &step);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "application transitions");
	}
	store_release(st, s);
	store_read_unlock(st);
	return rc;
}

enum store_rc
store_app_flags(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_app_flag *f), void *arg)
{
	struct store_app_flag f;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	store_read_lock(st);
	/* The other application's state as it is now, not as it was when
	 * the flag was raised. */
	s = store_prepare(st, "SELECT f.kind, f.national_id,"
	    " f.other_reference, f.other_municipality,"
	    " coalesce(CASE WHEN b.state = 'active' THEN 'benefit active'"
	    " ELSE o.state END, f.other_state) FROM application_flags f"
	    " LEFT JOIN applications o ON o.reference = f.other_reference"
	    " LEFT JOIN benefits b ON b.application_id = o.id"
	    " WHERE f.application_id = ? ORDER BY f.id");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, app_id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			f.kind = store_text(s, 0);
			f.national_id = store_text(s, 1);
			f.reference = store_text(s, 2);
			f.municipality = store_text(s, 3);
			f.state = store_text(s, 4);
			fn(arg, &f);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "application flags");
	}
	store_release(st, s);
	store_read_unlock(st);
	return rc;
}

/* Runs a prepared list query, one application per row. */
static enum store_rc
app_each(struct store *st, sqlite3_stmt *s,
    void (*fn)(void *arg, const struct store_application *app), void *arg)
{
	struct store_application *app;
	int r;

	if (s == NULL)
		return STORE_ERR;
	if ((app = malloc(sizeof *app)) == NULL)
		return STORE_ERR;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		app_row(s, app);
		fn(arg, app);
	}
	free(app);
	if (r != SQLITE_DONE) {
		store_log_error(st, "applications");
		return STORE_ERR;
	}
	return STORE_OK;
}

enum store_rc
store_app_of_person(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_application *app), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc;

	store_read_lock(st);
	s = store_prepare(st, "SELECT " APP_COLUMNS APP_FROM
	    " WHERE a.national_id = ? ORDER BY a.id DESC");
	if (s != NULL)
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	rc = app_each(st, s, fn, arg);
	store_release(st, s);
	store_read_unlock(st);
	return rc;
}

/* Binds the queue's filter: ?1 municipality, ?2 programme, ?3.. states. */
static void
app_bind_filter(sqlite3_stmt *s, const char *municipality,
    const char *programme, const char *const *states)
{
	sqlite3_bind_text(s, 1, municipality, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, programme, -1, SQLITE_STATIC);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(s, 3 + i, states[i] != NULL ? states[i] :
		    "", -1, SQLITE_STATIC);
}

/* The queue's filter, with and without a municipality: two texts, so
 * that a municipality's queue is read through its own index. */
#define APP_FILTER_REST \
	" AND (?2 = '' OR a.programme = ?2)" \
	" AND a.state IN (?3, ?4, ?5, ?6, ?7, ?8)"
#define APP_FILTER_MUNI " WHERE a.municipality = ?1" APP_FILTER_REST
#define APP_FILTER_ALL " WHERE ?1 = ''" APP_FILTER_REST

enum store_rc
store_app_queue(struct store *st, const char *municipality,
    const char *programme, const char *const *states, int64_t after,
    int limit, void (*fn)(void *arg, const struct store_application *app),
    void *arg, int64_t *total)
{
	const char *st6[6] = {0};
	int all = municipality[0] == '\0';
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	/* At most six states; the handler passes the known ones only. */
	for (int i = 0; i < 6 && states[i] != NULL; i++)
		st6[i] = states[i];
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, all ?
	    "SELECT count(*) FROM applications a" APP_FILTER_ALL :
	    "SELECT count(*) FROM applications a" APP_FILTER_MUNI);
	if (s == NULL)
		goto out;
	app_bind_filter(s, municipality, programme, st6);
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_log_error(st, "queue count");
		store_release(st, s);
		goto out;
	}
	*total = sqlite3_column_int64(s, 0);
	store_release(st, s);

	s = store_prepare(st, all ?
	    "SELECT " APP_COLUMNS APP_FROM APP_FILTER_ALL
	    " AND a.id > ?9 ORDER BY a.id LIMIT ?10" :
	    "SELECT " APP_COLUMNS APP_FROM APP_FILTER_MUNI
	    " AND a.id > ?9 ORDER BY a.id LIMIT ?10");
	if (s != NULL) {
		app_bind_filter(s, municipality, programme, st6);
		sqlite3_bind_int64(s, 9, after);
		sqlite3_bind_int(s, 10, limit);
	}
	rc = app_each(st, s, fn, arg);
	store_release(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_app_counts(struct store *st, const char *municipality,
    void (*fn)(void *arg, const char *programme, const char *state,
    int64_t count, int oldest_days), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT programme, state, count(*),"
	    " CAST(julianday('now') - julianday(min(submitted_at)) AS INTEGER)"
	    " FROM applications WHERE (?1 = '' OR municipality = ?1)"
	    " AND state IN " APP_PENDING
	    " GROUP BY programme, state ORDER BY programme, state");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, municipality, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(s)) == SQLITE_ROW)
			fn(arg, store_text(s, 0), store_text(s, 1),
			    sqlite3_column_int64(s, 2),
			    sqlite3_column_int(s, 3));
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "queue counts");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------------
 * Decisions.
 */

static enum store_rc
app_decision_rows(struct store *st, const struct store_decision *dec,
    const struct store_decision_input *in, size_t nin,
    const struct store_decision_clause *cl, size_t ncl)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < nin; i++) {
		s = store_prepare(st, "INSERT INTO decision_inputs"
		    " (decision_id, seq, name, type, ival, sval)"
		    " VALUES (?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return STORE_ERR;
		sqlite3_bind_int64(s, 1, dec->id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_text(s, 3, in[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, in[i].type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, in[i].ival);
		sqlite3_bind_text(s, 6, in[i].sval != NULL ? in[i].sval : "",
		    -1, SQLITE_STATIC);
		if (store_write(st, s, "decision input") != STORE_OK)
			return STORE_ERR;
	}
	for (size_t i = 0; i < ncl; i++) {
		s = store_prepare(st, "INSERT INTO decision_clauses"
		    " (decision_id, rule, seq, depth, text, value, explain)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return STORE_ERR;
		sqlite3_bind_int64(s, 1, dec->id);
		sqlite3_bind_text(s, 2, cl[i].rule, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)i);
		sqlite3_bind_int(s, 4, cl[i].depth);
		sqlite3_bind_text(s, 5, cl[i].text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, cl[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, cl[i].explain, -1, SQLITE_STATIC);
		if (store_write(st, s, "decision clause") != STORE_OK)
			return STORE_ERR;
	}
	return STORE_OK;
}

/* Creates, updates or ends the application's benefit for a decision, and
 * writes the change into the benefit's history. */
static enum store_rc
app_benefit(struct store *st, const struct store_application *app,
    const struct store_decision *dec, const struct store_benefit_new *b,
    const char *now, const struct store_app_actor *who)
{
	sqlite3_stmt *s;
	char before[16] = "";
	int r;

	s = store_prepare(st, "SELECT state FROM benefits"
	    " WHERE application_id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, app->id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_copy(before, sizeof before, s, 0);
	store_release(st, s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return STORE_ERR;
	/* A rejection of an application that never had a benefit changes
	 * nothing. */
	if (strcmp(dec->outcome, "approved") != 0 && (before[0] == '\0' ||
	    strcmp(before, "ended") == 0))
		return STORE_OK;

	if (strcmp(dec->outcome, "approved") == 0)
		s = store_prepare(st, "INSERT INTO benefits (national_id,"
		    " programme, application_id, municipality, state, amount,"
		    " currency, period, start_date, rule_version, created_at,"
		    " updated_at, renew_on) VALUES (?1, ?2, ?3, ?4, 'active',"
		    " ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)"
		    " ON CONFLICT (application_id) DO UPDATE"
		    " SET state = 'active', amount = ?5, rule_version = ?9,"
		    " end_date = '', exit_reason = '', updated_at = ?10,"
		    " renew_on = ?11");
	else
		s = store_prepare(st, "UPDATE benefits SET state = 'ended',"
		    " end_date = substr(?10, 1, 10), exit_reason ="
		    " 'decision changed on appeal', updated_at = ?10"
		    " WHERE application_id = ?3 AND state <> 'ended'");
	if (s == NULL)
		return STORE_ERR;
	if (strcmp(dec->outcome, "approved") == 0) {
		sqlite3_bind_text(s, 1, app->national_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, app->programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, app->municipality, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, dec->amount);
		sqlite3_bind_text(s, 6, dec->currency, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, b->period, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, b->start_date, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 9, dec->rule_version);
		sqlite3_bind_text(s, 11, b->renew_on != NULL ? b->renew_on :
		    "", -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 3, app->id);
	sqlite3_bind_text(s, 10, now, -1, SQLITE_STATIC);
	if (store_write(st, s, "benefit") != STORE_OK)
		return STORE_ERR;
	s = store_prepare(st, "INSERT INTO benefit_changes (benefit_id, at,"
	    " actor, from_state, to_state, amount, reason)"
	    " SELECT id, ?, ?, ?, state, amount, ? FROM benefits"
	    " WHERE application_id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, who->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, strcmp(dec->outcome, "approved") == 0 ?
	    "application approved" : "decision changed on appeal", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, app->id);
	return store_write(st, s, "benefit change");
}

enum store_rc
store_app_decide(struct store *st, const char *reference,
    int64_t expected_version, const struct store_app_actor *who,
    struct store_decision *dec, const struct store_decision_input *in,
    size_t nin, const struct store_decision_clause *cl, size_t ncl,
    const struct store_benefit_new *b, const struct store_notice *notice,
    const struct store_audit *a, struct store_application *app)
{
	static const char *const from[] = {"in_review", NULL};
	sqlite3_stmt *s;
	enum store_rc rc;
	char now[32];

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = app_check(st, reference, from, expected_version, app)) !=
	    STORE_OK)
		goto fail;
	rc = STORE_ERR;
	s = store_prepare(st, "INSERT INTO decisions (application_id, outcome,"
	    " engine_eligible, override, reason, explanation, decided_by,"
	    " decided_at, evaluated_on, rule_version, amount, currency)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		goto fail;
	snprintf(dec->decided_at, sizeof dec->decided_at, "%s", now);
	dec->application_id = app->id;
	sqlite3_bind_int64(s, 1, app->id);
	sqlite3_bind_text(s, 2, dec->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, dec->engine_eligible);
	sqlite3_bind_int(s, 4, dec->override);
	sqlite3_bind_text(s, 5, dec->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, dec->explanation, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, dec->decided_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, dec->decided_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, dec->evaluated_on, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 10, dec->rule_version);
	sqlite3_bind_int64(s, 11, dec->amount);
	sqlite3_bind_text(s, 12, dec->currency, -1, SQLITE_STATIC);
	if (store_write(st, s, "decision") != STORE_OK)
		goto fail;
	dec->id = sqlite3_last_insert_rowid(st->db);
	if (app_decision_rows(st, dec, in, nin, cl, ncl) != STORE_OK ||
	    app_benefit(st, app, dec, b, now, who) != STORE_OK ||
	    app_move_locked(st, app, dec->outcome, now, who, dec->id) !=
	    STORE_OK ||
	    (notice != NULL && store_notice_add_tx(st, notice,
	    (int64_t)time(NULL)) != 0) ||
	    (a != NULL && store_audit_insert(st, a) != 0) ||
	    app_read(st, reference, app) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_app_decisions(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_decision *d), void *arg)
{
	struct store_decision *dec;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	if ((dec = malloc(sizeof *dec)) == NULL)
		return STORE_ERR;
	store_read_lock(st);
	s = store_prepare(st, "SELECT id, application_id, outcome,"
	    " engine_eligible, override, reason, explanation, decided_by,"
	    " decided_at, evaluated_on, rule_version, amount, currency"
	    " FROM decisions WHERE application_id = ? ORDER BY id DESC");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, app_id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			memset(dec, 0, sizeof *dec);
			dec->id = sqlite3_column_int64(s, 0);
			dec->application_id = sqlite3_column_int64(s, 1);
			store_copy(dec->outcome, sizeof dec->outcome, s, 2);
			dec->engine_eligible = sqlite3_column_int(s, 3);
			dec->override = sqlite3_column_int(s, 4);
			store_copy(dec->reason, sizeof dec->reason, s, 5);
			store_copy(dec->explanation, sizeof dec->explanation,
			    s, 6);
			store_copy(dec->decided_by, sizeof dec->decided_by, s,
			    7);
			store_copy(dec->decided_at, sizeof dec->decided_at, s,
			    8);
			store_copy(dec->evaluated_on, sizeof dec->evaluated_on,
			    s, 9);
			dec->rule_version = sqlite3_column_int(s, 10);
			dec->amount = sqlite3_column_int64(s, 11);
			store_copy(dec->currency, sizeof dec->currency, s, 12);
			fn(arg, dec);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "decisions");
	}
	store_release(st, s);
	store_read_unlock(st);
	free(dec);
	return rc;
}

enum store_rc
store_decision_inputs(struct store *st, int64_t decision_id,
    void (*fn)(void *arg, const struct store_decision_input *in), void *arg)
{
	struct store_decision_input in;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT name, type, ival, sval FROM"
	    " decision_inputs WHERE decision_id = ? ORDER BY seq");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, decision_id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			in.name = store_text(s, 0);
			in.type = store_text(s, 1);
			in.ival = sqlite3_column_int64(s, 2);
			in.sval = store_text(s, 3);
			fn(arg, &in);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "decision inputs");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_decision_clauses(struct store *st, int64_t decision_id,
    void (*fn)(void *arg, const struct store_decision_clause *c), void *arg)
{
	struct store_decision_clause c;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT rule, depth, text, value, explain FROM"
	    " decision_clauses WHERE decision_id = ?"
	    " ORDER BY rule DESC, seq");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, decision_id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			c.rule = store_text(s, 0);
			c.depth = sqlite3_column_int(s, 1);
			c.text = store_text(s, 2);
			c.value = store_text(s, 3);
			c.explain = store_text(s, 4);
			fn(arg, &c);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "decision clauses");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
