/*
 * store_renewal.c: renewal jobs and renewals.  A job records its benefits
 * a batch at a time, one transaction each: every renewal row with the
 * citizen's notice, and the job's cursor and counters moved to the last of
 * them, commit together, so a job that dies resumes after the last batch
 * it committed and never writes a notice twice; the unique (job_id,
 * benefit_id) is the backstop.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store.h"
#include "store_benefit.h"
#include "store_int.h"
#include "store_renewal.h"

/* What makes a benefit due; ?1 is the as_of date, ?2 the cursor. */
#define REN_DUE_WHERE \
	" FROM benefits b JOIN programmes p ON p.code = b.programme" \
	" JOIN applications a ON a.id = b.application_id" \
	" WHERE b.state = 'active' AND p.auto_renew = 1" \
	" AND b.renew_on <> '' AND b.renew_on <= ?1 AND b.id > ?2" \
	" AND NOT EXISTS (SELECT 1 FROM renewals r WHERE" \
	"  r.benefit_id = b.id AND r.state IN ('pending', 'objected'))"

#define JOB_COLUMNS \
	"id, as_of, state, started_by, started_at, finished_at, cursor," \
	" due, processed, eligible, not_eligible, failed"

static void
job_row(sqlite3_stmt *s, struct store_renewal_job *j)
{
	memset(j, 0, sizeof *j);
	j->id = sqlite3_column_int64(s, 0);
	store_copy(j->as_of, sizeof j->as_of, s, 1);
	store_copy(j->state, sizeof j->state, s, 2);
	store_copy(j->started_by, sizeof j->started_by, s, 3);
	store_copy(j->started_at, sizeof j->started_at, s, 4);
	store_copy(j->finished_at, sizeof j->finished_at, s, 5);
	j->cursor = sqlite3_column_int64(s, 6);
	j->due = sqlite3_column_int64(s, 7);
	j->processed = sqlite3_column_int64(s, 8);
	j->eligible = sqlite3_column_int64(s, 9);
	j->not_eligible = sqlite3_column_int64(s, 10);
	j->failed = sqlite3_column_int64(s, 11);
}

/* Reads one job: id, or the latest (id 0), or the running one (id -1);
 * lock held. */
static enum store_rc
job_read(struct store *st, int64_t id, struct store_renewal_job *j)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " JOB_COLUMNS " FROM renewal_jobs"
	    " WHERE (?1 > 0 AND id = ?1) OR (?1 = -1 AND state = 'running')"
	    " OR ?1 = 0 ORDER BY id DESC LIMIT 1");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		job_row(s, j);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "renewal job");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_renewal_job_start(struct store *st, const char *as_of,
    const char *actor, const struct store_audit *a,
    struct store_renewal_job *job)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];
	int64_t id;

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	switch (job_read(st, -1, job)) {
	case STORE_OK:
		rc = STORE_EXISTS;
		goto fail;
	case STORE_NOTFOUND:
		break;
	default:
		goto fail;
	}
	s = store_prepare(st, "INSERT INTO renewal_jobs (as_of, started_by,"
	    " started_at, due) SELECT ?1, ?3, ?4, count(*)" REN_DUE_WHERE);
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, 0);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "renewal job") != STORE_OK)
		goto fail;
	id = sqlite3_last_insert_rowid(st->db);
	if ((a != NULL && store_audit_insert(st, a) != 0) ||
	    job_read(st, id, job) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Counts job's renewals by state, and those whose amount changes; lock
 * held. */
static enum store_rc
job_count(struct store *st, struct store_renewal_job *job)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	const char *state;
	int64_t n;
	int r;

	s = store_prepare(st, "SELECT state, count(*), coalesce(sum(eligible"
	    " AND new_amount <> old_amount), 0) FROM renewals"
	    " WHERE job_id = ? GROUP BY state");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, job->id);
	job->changed = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		state = store_text(s, 0);
		n = sqlite3_column_int64(s, 1);
		job->changed += sqlite3_column_int64(s, 2);
		if (strcmp(state, "pending") == 0)
			job->pending = n;
		else if (strcmp(state, "objected") == 0)
			job->objected = n;
		else if (strcmp(state, "renewed") == 0)
			job->renewed = n;
		else if (strcmp(state, "ended") == 0)
			job->ended = n;
		else if (strcmp(state, "kept") == 0)
			job->kept = n;
	}
	if (r == SQLITE_DONE)
		rc = STORE_OK;
	else
		store_log_error(st, "renewal counts");
	store_release(st, s);
	return rc;
}

enum store_rc
store_renewal_job_get(struct store *st, int64_t id,
    struct store_renewal_job *job)
{
	enum store_rc rc;

	/* On a read connection: counting a large job's renewals takes a
	 * while, and a console polling its progress kept the job's own
	 * writes waiting behind the writer's lock. */
	store_read_lock(st);
	if ((rc = job_read(st, id, job)) == STORE_OK)
		rc = job_count(st, job);
	store_read_unlock(st);
	return rc;
}

int
store_renewal_job_list(struct store *st, int limit,
    struct store_renewal_job *out)
{
	sqlite3_stmt *s;
	int n = 0, r = SQLITE_DONE;

	store_read_lock(st);
	s = store_prepare(st, "SELECT " JOB_COLUMNS " FROM renewal_jobs"
	    " ORDER BY id DESC LIMIT ?");
	if (s == NULL) {
		store_read_unlock(st);
		return -1;
	}
	sqlite3_bind_int(s, 1, limit);
	while (n < limit && (r = sqlite3_step(s)) == SQLITE_ROW)
		job_row(s, &out[n++]);
	if (n < limit && r != SQLITE_DONE) {
		store_log_error(st, "renewal jobs");
		n = -1;
	}
	store_release(st, s);
	store_read_unlock(st);
	/* Each job is counted on a read connection on its own, so that a
	 * long list of large jobs holds neither the writer nor a reader. */
	for (int i = 0; i < n; i++) {
		store_read_lock(st);
		r = job_count(st, &out[i]);
		store_read_unlock(st);
		if (r != STORE_OK)
			return -1;
	}
	return n;
}

enum store_rc
store_renewal_job_running(struct store *st, struct store_renewal_job *job)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = job_read(st, -1, job);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_renewal_job_finish(struct store *st, int64_t id)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "UPDATE renewal_jobs SET state = 'done',"
	    " finished_at = ? WHERE id = ? AND state = 'running'");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, id);
		rc = store_write(st, s, "renewal job");
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_renewal_due(struct store *st, const char *as_of, int64_t cursor,
    struct store_renewal_due *out, int max)
{
	sqlite3_stmt *s;
	int n = 0, r = SQLITE_DONE;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT b.id, b.national_id, b.programme,"
	    " a.reference, b.currency, b.period, b.amount, a.monthly_income,"
	    " a.assets" REN_DUE_WHERE " ORDER BY b.id LIMIT ?3");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cursor);
	sqlite3_bind_int(s, 3, max);
	while (n < max && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_renewal_due *d = &out[n++];

		memset(d, 0, sizeof *d);
		d->benefit_id = sqlite3_column_int64(s, 0);
		store_copy(d->national_id, sizeof d->national_id, s, 1);
		store_copy(d->programme, sizeof d->programme, s, 2);
		store_copy(d->reference, sizeof d->reference, s, 3);
		store_copy(d->currency, sizeof d->currency, s, 4);
		store_copy(d->period, sizeof d->period, s, 5);
		d->amount = sqlite3_column_int64(s, 6);
		d->income = sqlite3_column_int64(s, 7);
		d->assets = sqlite3_column_int64(s, 8);
	}
	if (n < max && r != SQLITE_DONE) {
		store_log_error(st, "due benefits");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

/* Runs a statement without parameters (a savepoint's); lock held. */
static int
ren_exec(struct store *st, const char *sql, const char *what)
{
	return store_write(st, store_prepare(st, sql), what) == STORE_OK ?
	    0 : -1;
}

/* Writes one benefit's renewal and its notice inside the batch's
 * transaction (lock held); *added is whether the renewal is new. */
static int
ren_record_one(struct store *st, const struct store_renewal_new *r,
    const char *at, int64_t now, int *added)
{
	sqlite3_stmt *s;

	*added = 0;
	if (r->failed)
		return 0;
	s = store_prepare(st, "INSERT OR IGNORE INTO renewals (job_id,"
	    " benefit_id, eligible, old_amount, new_amount, rule_version,"
	    " explanation, objection_until, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?9, ?9)");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, r->job_id);
	sqlite3_bind_int64(s, 2, r->benefit_id);
	sqlite3_bind_int(s, 3, r->eligible);
	sqlite3_bind_int64(s, 4, r->old_amount);
	sqlite3_bind_int64(s, 5, r->new_amount);
	sqlite3_bind_int(s, 6, r->rule_version);
	sqlite3_bind_text(s, 7, r->explanation, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->objection_until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "renewal") != STORE_OK)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	if (*added && r->notice != NULL &&
	    store_notice_add_tx(st, r->notice, now) != 0)
		return -1;
	return 0;
}

/*
 * A batch is one durable commit, not one per benefit: the commit's fsync
 * is what a benefit cost before.  With careful, each benefit is a
 * savepoint of its own, so that one that cannot be written is undone
 * alone and the benefits before it are still committed with the cursor
 * just before it; the job tries it again on its next pass.  Without, a
 * benefit that cannot be written undoes the whole batch, and *retry says
 * to write it again carefully.
 */
static enum store_rc
ren_record(struct store *st, const struct store_renewal_new *r, int n,
    int *handled, struct store_renewal_job *job, int careful, int *retry)
{
	struct store_renewal_job cur;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];
	int64_t now = (int64_t)time(NULL), cursor, processed = 0;
	int64_t eligible = 0, not_eligible = 0, failed = 0;
	int i, added;

	*handled = 0;
	*retry = 0;
	if (n <= 0)
		return STORE_OK;
	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if (job_read(st, r[0].job_id, &cur) != STORE_OK)
		goto fail;
	if (strcmp(cur.state, "running") != 0) {
		rc = STORE_EXISTS;
		goto fail;
	}
	cursor = cur.cursor;
	for (i = 0; i < n; i++) {
		/* Past it already: a batch read before the cursor moved. */
		if (r[i].benefit_id <= cursor)
			continue;
		if (!careful) {
			if (ren_record_one(st, &r[i], at, now, &added) != 0) {
				*retry = 1;
				goto fail;
			}
		} else {
			if (ren_exec(st, "SAVEPOINT renewal_one",
			    "renewal") != 0)
				break;
			if (ren_record_one(st, &r[i], at, now, &added) != 0) {
				ren_exec(st, "ROLLBACK TO renewal_one",
				    "renewal");
				ren_exec(st, "RELEASE renewal_one", "renewal");
				break;
			}
			if (ren_exec(st, "RELEASE renewal_one",
			    "renewal") != 0)
				break;
		}
		cursor = r[i].benefit_id;
		processed++;
		eligible += added && r[i].eligible;
		not_eligible += added && !r[i].eligible;
		failed += r[i].failed != 0;
	}
	if (i == 0)
		goto fail;
	s = store_prepare(st, "UPDATE renewal_jobs SET cursor = ?2,"
	    " processed = processed + ?3, eligible = eligible + ?4,"
	    " not_eligible = not_eligible + ?5, failed = failed + ?6"
	    " WHERE id = ?1");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, cur.id);
	sqlite3_bind_int64(s, 2, cursor);
	sqlite3_bind_int64(s, 3, processed);
	sqlite3_bind_int64(s, 4, eligible);
	sqlite3_bind_int64(s, 5, not_eligible);
	sqlite3_bind_int64(s, 6, failed);
	if (store_write(st, s, "renewal job") != STORE_OK ||
	    (job != NULL && job_read(st, cur.id, job) != STORE_OK))
		goto fail;
	if (store_commit(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	pthread_mutex_unlock(&st->lock);
	*handled = i;
	return i == n ? STORE_OK : STORE_ERR;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/*
 * A savepoint per benefit costs two statements and a copy of every page
 * the benefit touches; a benefit that cannot be written is rare, so the
 * batch is written without them first, and again with them only when one
 * failed.
 */
enum store_rc
store_renewal_record(struct store *st, const struct store_renewal_new *r,
    int n, int *handled, struct store_renewal_job *job)
{
	enum store_rc rc;
	int retry;

	rc = ren_record(st, r, n, handled, job, 0, &retry);
	if (retry)
		rc = ren_record(st, r, n, handled, job, 1, &retry);
	return rc;
}

#define REN_COLUMNS \
	"r.id, r.job_id, r.benefit_id, b.national_id, b.programme," \
	" b.municipality, a.reference, b.currency, b.period, b.state," \
	" r.eligible, r.old_amount, r.new_amount, r.rule_version," \
	" r.explanation, r.objection_until, r.state, r.resolved_by, r.reason"

#define REN_FROM \
	" FROM renewals r JOIN benefits b ON b.id = r.benefit_id" \
	" JOIN applications a ON a.id = b.application_id"

static void
ren_row(sqlite3_stmt *s, struct store_renewal *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->job_id = sqlite3_column_int64(s, 1);
	r->benefit_id = sqlite3_column_int64(s, 2);
	r->national_id = store_text(s, 3);
	r->programme = store_text(s, 4);
	r->municipality = store_text(s, 5);
	r->reference = store_text(s, 6);
	r->currency = store_text(s, 7);
	r->period = store_text(s, 8);
	r->benefit_state = store_text(s, 9);
	r->eligible = sqlite3_column_int(s, 10);
	r->old_amount = sqlite3_column_int64(s, 11);
	r->new_amount = sqlite3_column_int64(s, 12);
	r->rule_version = sqlite3_column_int(s, 13);
	r->explanation = store_text(s, 14);
	r->objection_until = store_text(s, 15);
	r->state = store_text(s, 16);
	r->resolved_by = store_text(s, 17);
	r->reason = store_text(s, 18);
}

enum store_rc
store_renewal_list(struct store *st, const char *state,
    const char *municipality, int64_t job_id, int limit,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg)
{
	struct store_renewal r;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int x;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " REN_COLUMNS REN_FROM
	    " WHERE (?1 = '' OR r.state = ?1) AND (?2 = '' OR"
	    " b.municipality = ?2) AND (?3 = 0 OR r.job_id = ?3)"
	    " ORDER BY r.id LIMIT ?4");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, municipality, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, job_id);
		sqlite3_bind_int(s, 4, limit);
		while ((x = sqlite3_step(s)) == SQLITE_ROW) {
			ren_row(s, &r);
			fn(arg, &r);
		}
		if (x == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "renewals");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Reads one renewal to fn (when not NULL); lock held.  Fills *state and
 * *benefit_state for the caller's checks. */
static enum store_rc
ren_read(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg,
    struct store_renewal *copy, char *state, size_t statelen,
    char *objection_until, size_t untillen)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " REN_COLUMNS REN_FROM
	    " WHERE r.id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		ren_row(s, copy);
		if (state != NULL)
			snprintf(state, statelen, "%s", copy->state);
		if (objection_until != NULL)
			snprintf(objection_until, untillen, "%s",
			    copy->objection_until);
		if (fn != NULL)
			fn(arg, copy);
		/* Only the numbers stay valid after the statement ends. */
		copy->national_id = copy->programme = copy->municipality =
		    copy->reference = copy->currency = copy->period =
		    copy->benefit_state = copy->explanation =
		    copy->objection_until = copy->state = copy->resolved_by =
		    copy->reason = NULL;
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "renewal");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_renewal_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg)
{
	struct store_renewal r;
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = ren_read(st, id, fn, arg, &r, NULL, 0, NULL, 0);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_renewal_matured(struct store *st, const char *today, int64_t *ids,
    int max)
{
	sqlite3_stmt *s;
	int n = 0, r = SQLITE_DONE;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id FROM renewals WHERE state = 'pending'"
	    " AND objection_until < ? ORDER BY objection_until, id LIMIT ?");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, today, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	while (n < max && (r = sqlite3_step(s)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	if (n < max && r != SQLITE_DONE) {
		store_log_error(st, "matured renewals");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_renewal_object(struct store *st, int64_t id, const char *today,
    const char *actor, const char *reason, const struct store_audit *a,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg)
{
	struct store_renewal r;
	sqlite3_stmt *s;
	enum store_rc rc;
	char state[16], until[16], at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = ren_read(st, id, NULL, NULL, &r, state, sizeof state, until,
	    sizeof until)) != STORE_OK)
		goto fail;
	if (strcmp(state, "pending") != 0 || strcmp(today, until) > 0) {
		rc = ren_read(st, id, fn, arg, &r, NULL, 0, NULL, 0) ==
		    STORE_OK ? STORE_REFUSED : STORE_ERR;
		goto fail;
	}
	rc = STORE_ERR;
	s = store_prepare(st, "UPDATE renewals SET state = 'objected',"
	    " reason = ?2, resolved_by = ?3, updated_at = ?4 WHERE id = ?1");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "objection") != STORE_OK ||
	    (a != NULL && store_audit_insert(st, a) != 0) ||
	    ren_read(st, id, fn, arg, &r, NULL, 0, NULL, 0) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Renews benefit id with amount for another year, with its history row;
 * lock held, in a transaction. */
static enum store_rc
ren_renew_benefit(struct store *st, int64_t id, int64_t amount,
    int rule_version, const char *at, const char *actor, const char *why)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE benefits SET amount = ?2,"
	    " rule_version = CASE WHEN ?3 > 0 THEN ?3 ELSE rule_version END,"
	    " renew_on = date(renew_on, '+1 year'), updated_at = ?4"
	    " WHERE id = ?1");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, amount);
	sqlite3_bind_int(s, 3, rule_version);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "renewed benefit") != STORE_OK)
		return STORE_ERR;
	s = store_prepare(st, "INSERT INTO benefit_changes (benefit_id, at,"
	    " actor, from_state, to_state, amount, reason) SELECT id, ?2, ?3,"
	    " state, state, amount, ?4 FROM benefits WHERE id = ?1");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, why, -1, SQLITE_STATIC);
	return store_write(st, s, "benefit change");
}

/*
 * Settles renewal id from state from as outcome inside the caller's
 * transaction (lock held); store_renewal_settle says what that does.
 * STORE_REFUSED (fn gets the renewal) when it is not in from.
 */
static enum store_rc
ren_settle_tx(struct store *st, int64_t id, const char *from,
    const char *outcome, const char *date, const char *at, const char *actor,
    const char *reason, const struct store_notice *notice,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg)
{
	struct store_renewal r;
	sqlite3_stmt *s;
	enum store_rc rc;
	char state[16], bstate[16] = "";
	int benefit_open;

	if ((rc = ren_read(st, id, NULL, NULL, &r, state, sizeof state, NULL,
	    0)) != STORE_OK)
		return rc;
	if (strcmp(state, from) != 0)
		return ren_read(st, id, fn, arg, &r, NULL, 0, NULL, 0) ==
		    STORE_OK ? STORE_REFUSED : STORE_ERR;
	s = store_prepare(st, "SELECT state FROM benefits WHERE id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, r.benefit_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		store_copy(bstate, sizeof bstate, s, 0);
	store_release(st, s);
	/* A benefit ended meanwhile (by an officer, or on appeal) is left as
	 * it is; the renewal is only closed. */
	benefit_open = bstate[0] != '\0' && strcmp(bstate, "ended") != 0;
	if (benefit_open && strcmp(outcome, "ended") == 0) {
		if (store_benefit_state_tx(st, r.benefit_id, "ended", date, at,
		    actor, reason) != STORE_OK)
			return STORE_ERR;
	} else if (benefit_open && ren_renew_benefit(st, r.benefit_id,
	    strcmp(outcome, "renewed") == 0 && r.eligible ? r.new_amount :
	    r.old_amount, strcmp(outcome, "renewed") == 0 && r.eligible ?
	    r.rule_version : 0, at, actor, strcmp(outcome, "renewed") == 0 ?
	    "renewed" : "renewed with the amount kept") != STORE_OK)
		return STORE_ERR;
	s = store_prepare(st, "UPDATE renewals SET state = ?2,"
	    " resolved_by = ?3, reason = CASE WHEN reason = '' THEN ?4"
	    " ELSE reason || ' / ' || ?4 END, updated_at = ?5 WHERE id = ?1");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "renewal") != STORE_OK ||
	    (notice != NULL && benefit_open && store_notice_add_tx(st, notice,
	    (int64_t)time(NULL)) != 0) ||
	    (a != NULL && store_audit_insert(st, a) != 0) ||
	    ren_read(st, id, fn, arg, &r, NULL, 0, NULL, 0) != STORE_OK)
		return STORE_ERR;
	return STORE_OK;
}

enum store_rc
store_renewal_settle(struct store *st, int64_t id, const char *from,
    const char *outcome, const char *date, const char *actor,
    const char *reason, const struct store_notice *notice,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg)
{
	enum store_rc rc;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	rc = ren_settle_tx(st, id, from, outcome, date, at, actor, reason,
	    notice, a, fn, arg);
	if (rc == STORE_OK)
		rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	else
		store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/*
 * The matured renewals of a pass were a durable commit each; a batch
 * shares one, each renewal in a savepoint of its own as the job's batch
 * is, so that one that cannot be settled is undone alone and those
 * before it are still committed.
 */
enum store_rc
store_renewal_settle_batch(struct store *st,
    struct store_renewal_settling *x, int n, const char *date,
    const char *actor, int *handled)
{
	enum store_rc rc;
	char at[32];
	int i;

	*handled = 0;
	if (n <= 0)
		return STORE_OK;
	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	for (i = 0; i < n; i++) {
		if (ren_exec(st, "SAVEPOINT renewal_settle", "renewal") != 0)
			break;
		rc = ren_settle_tx(st, x[i].id, "pending", x[i].outcome, date,
		    at, actor, x[i].reason, x[i].notice, NULL, NULL, NULL);
		/* One settled meanwhile (an objection) is left as it is. */
		if (rc != STORE_OK && rc != STORE_REFUSED) {
			ren_exec(st, "ROLLBACK TO renewal_settle", "renewal");
			ren_exec(st, "RELEASE renewal_settle", "renewal");
			break;
		}
		if (ren_exec(st, "RELEASE renewal_settle", "renewal") != 0)
			break;
		x[i].settled = rc == STORE_OK;
	}
	if (i == 0) {
		store_rollback(st);
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if (store_commit(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	pthread_mutex_unlock(&st->lock);
	*handled = i;
	return i == n ? STORE_OK : STORE_ERR;
}
