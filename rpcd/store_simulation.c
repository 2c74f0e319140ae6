/*
 * store_simulation.c: microsimulation jobs and the registry read in chunks
 * for them.  The chunks are read on a job's own read-only connection
 * (store_sim_reader), so a job over millions of people never holds the
 * store's lock or keeps a call waiting; a
 * job's results are written at checkpoints together with its cursor, so a
 * job the daemon was stopped in resumes where its results stand.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "log.h"
#include "store_int.h"
#include "store_simulation.h"

/* Who counts as alive on :as_of (bound by name): born by then, not dead by
 * then, not merged into another record. */
#define SIM_ALIVE \
	" p.merged_into = '' AND p.birth_date <= :as_of" \
	" AND (p.deceased_date = '' OR p.deceased_date > :as_of)"

#define SIM_JOB_COLUMNS \
	"id, programme, rule_version, eligibility, amount, as_of, unit," \
	" state, started_by, started_at, finished_at, phase, cursor, total," \
	" processed, failed, error"

static void
sim_job_row(sqlite3_stmt *s, struct store_sim_job *j)
{
	memset(j, 0, sizeof *j);
	j->id = sqlite3_column_int64(s, 0);
	store_copy(j->programme, sizeof j->programme, s, 1);
	j->rule_version = sqlite3_column_int(s, 2);
	store_copy(j->eligibility, sizeof j->eligibility, s, 3);
	store_copy(j->amount, sizeof j->amount, s, 4);
	store_copy(j->as_of, sizeof j->as_of, s, 5);
	store_copy(j->unit, sizeof j->unit, s, 6);
	store_copy(j->state, sizeof j->state, s, 7);
	store_copy(j->started_by, sizeof j->started_by, s, 8);
	store_copy(j->started_at, sizeof j->started_at, s, 9);
	store_copy(j->finished_at, sizeof j->finished_at, s, 10);
	j->phase = sqlite3_column_int(s, 11);
	j->cursor = sqlite3_column_int64(s, 12);
	j->total = sqlite3_column_int64(s, 13);
	j->processed = sqlite3_column_int64(s, 14);
	j->failed = sqlite3_column_int64(s, 15);
	store_copy(j->error, sizeof j->error, s, 16);
}

/* Reads job id; lock held. */
static enum store_rc
sim_job_read(struct store *st, int64_t id, struct store_sim_job *j)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " SIM_JOB_COLUMNS
	    " FROM simulation_jobs WHERE id = ?1");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		sim_job_row(s, j);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "simulation job");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_sim_job_add(struct store *st, struct store_sim_job *j,
    const struct store_audit *a)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];
	int64_t id, total = -1;

	check_now(at, sizeof at);
	/* The count scans the people table: on a read connection, so that
	 * over millions of people it keeps no write waiting. */
	store_read_lock(st);
	if ((s = store_prepare(st, "SELECT count(*) FROM people p"
	    " WHERE" SIM_ALIVE)) != NULL) {
		sqlite3_bind_text(s, sqlite3_bind_parameter_index(s,
		    ":as_of"), j->as_of, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			total = sqlite3_column_int64(s, 0);
		else
			store_log_error(st, "simulation job");
		store_release(st, s);
	}
	store_read_unlock(st);
	if (total < 0)
		return STORE_ERR;
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "INSERT INTO simulation_jobs (programme,"
	    " rule_version, eligibility, amount, as_of, unit, started_by,"
	    " started_at, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9)");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, j->programme, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, j->rule_version);
	sqlite3_bind_text(s, 3, j->eligibility, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, j->amount, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, j->as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, j->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, j->started_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, total);
	if (store_write(st, s, "simulation job") != STORE_OK)
		goto fail;
	id = sqlite3_last_insert_rowid(st->db);
	if ((a != NULL && store_audit_insert(st, a) != 0) ||
	    sim_job_read(st, id, j) != STORE_OK)
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
store_sim_job_get(struct store *st, int64_t id, struct store_sim_job *j)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = sim_job_read(st, id, j);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_sim_job_next(struct store *st, struct store_sim_job *j)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int64_t id = 0;

	pthread_mutex_lock(&st->lock);
	/* A running job first: the one the daemon was stopped in. */
	s = store_prepare(st, "SELECT id FROM simulation_jobs WHERE state IN"
	    " ('running', 'queued') ORDER BY state = 'queued', id LIMIT 1");
	if (s == NULL)
		goto out;
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		id = sqlite3_column_int64(s, 0);
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "simulation job");
	}
	store_release(st, s);
	if (id == 0)
		goto out;
	s = store_prepare(st, "UPDATE simulation_jobs SET state = 'running'"
	    " WHERE id = ?1");
	if (s == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if (store_write(st, s, "simulation job") == STORE_OK)
		rc = sim_job_read(st, id, j);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_sim_job_list(struct store *st, const char *programme, int limit,
    void (*fn)(void *arg, const struct store_sim_job *j), void *arg)
{
	struct store_sim_job *j;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int step;

	if ((j = malloc(sizeof *j)) == NULL)
		return STORE_ERR;
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " SIM_JOB_COLUMNS " FROM simulation_jobs"
	    " WHERE ?1 = '' OR programme = ?1 ORDER BY id DESC LIMIT ?2");
	if (s == NULL)
		goto out;
	sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		sim_job_row(s, j);
		fn(arg, j);
	}
	if (step == SQLITE_DONE)
		rc = STORE_OK;
	else
		store_log_error(st, "simulation jobs");
	store_release(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	free(j);
	return rc;
}

enum store_rc
store_sim_checkpoint(struct store *st, const struct store_sim_job *j,
    const struct store_sim_row *rows, size_t n, const char *state)
{
	sqlite3_stmt *s;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "UPDATE simulation_jobs SET phase = ?2,"
	    " cursor = ?3, processed = ?4, failed = ?5, error = ?6,"
	    " state = coalesce(?7, state),"
	    " finished_at = CASE WHEN ?7 IS NULL THEN finished_at ELSE ?8 END"
	    " WHERE id = ?1");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, j->id);
	sqlite3_bind_int(s, 2, j->phase);
	sqlite3_bind_int64(s, 3, j->cursor);
	sqlite3_bind_int64(s, 4, j->processed);
	sqlite3_bind_int64(s, 5, j->failed);
	sqlite3_bind_text(s, 6, j->error, -1, SQLITE_STATIC);
	if (state != NULL)
		sqlite3_bind_text(s, 7, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "simulation checkpoint") != STORE_OK)
		goto fail;
	s = store_prepare(st, "DELETE FROM simulation_results"
	    " WHERE job_id = ?1");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, j->id);
	if (store_write(st, s, "simulation results") != STORE_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].units == 0)
			continue;
		s = store_prepare(st, "INSERT INTO simulation_results (job_id,"
		    " municipality, units, gain, lose, keep_eligible,"
		    " keep_ineligible, current_cost, candidate_cost)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, j->id);
		sqlite3_bind_text(s, 2, rows[i].municipality, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, rows[i].units);
		sqlite3_bind_int64(s, 4, rows[i].gain);
		sqlite3_bind_int64(s, 5, rows[i].lose);
		sqlite3_bind_int64(s, 6, rows[i].keep_eligible);
		sqlite3_bind_int64(s, 7, rows[i].keep_ineligible);
		sqlite3_bind_int64(s, 8, rows[i].current_cost);
		sqlite3_bind_int64(s, 9, rows[i].candidate_cost);
		if (store_write(st, s, "simulation results") != STORE_OK)
			goto fail;
	}
	if (store_commit(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	pthread_mutex_unlock(&st->lock);
	return STORE_OK;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return STORE_ERR;
}

int
store_sim_rows(struct store *st, int64_t id, struct store_sim_row *out,
    size_t max)
{
	sqlite3_stmt *s;
	size_t n = 0;
	int step = SQLITE_DONE;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT municipality, units, gain, lose,"
	    " keep_eligible, keep_ineligible, current_cost, candidate_cost"
	    " FROM simulation_results WHERE job_id = ?1");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	while (n < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_sim_row *r = &out[n++];

		store_copy(r->municipality, sizeof r->municipality, s, 0);
		r->units = sqlite3_column_int64(s, 1);
		r->gain = sqlite3_column_int64(s, 2);
		r->lose = sqlite3_column_int64(s, 3);
		r->keep_eligible = sqlite3_column_int64(s, 4);
		r->keep_ineligible = sqlite3_column_int64(s, 5);
		r->current_cost = sqlite3_column_int64(s, 6);
		r->candidate_cost = sqlite3_column_int64(s, 7);
	}
	if (n < max && step != SQLITE_DONE) {
		store_log_error(st, "simulation results");
		n = (size_t)-1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n == (size_t)-1 ? -1 : (int)n;
}

/* The reader's page cache, KiB: a job's scan over a national registry
 * touches each page about once, so more buys little. */
#define SIM_READER_CACHE_KIB 32768
/*
 * How long a reader keeps one read transaction across its reads.  A read
 * transaction that starts after any commit (an audit row of any call, the
 * job's own checkpoint) empties the connection's page cache, so with one
 * per chunk nearly every page was read again from the file: 185,000 reads
 * for 200,000 people while a client polled the job.  Held a while, the
 * cache lasts; a little longer keeps the WAL from being reset behind it
 * for too long.
 */
#define SIM_SNAPSHOT_SECONDS 1.0

struct store_sim_reader {
	struct store *st;
	sqlite3 *db;		/* own connection, or st->db */
	int own;
	sqlite3_stmt *members, *incomes, *singles;
	const uint64_t *seen;	/* for sim_seen(), during a singles read */
	int64_t nseen;
	int in_txn;		/* a read transaction is open (own only) */
	struct timespec begun;	/* ... since */
	int64_t *inc_id;	/* per household of a chunk: its newest app */
	struct store_sim_person *inc; /* ... and what it declared */
	size_t ninc;
};

/* sim_seen(rowid) on a reader's own connection: whether the person was
 * read as a household member already (store_sim_singles). */
static void
sim_seen_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store_sim_reader *r = sqlite3_user_data(ctx);
	int64_t id = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, r->seen != NULL && id >= 0 &&
	    id < r->nseen && (r->seen[id / 64] >> (id % 64) & 1) != 0);
}

struct store_sim_reader *
store_sim_reader_open(struct store *st)
{
	struct store_sim_reader *r;
	const char *path = sqlite3_db_filename(st->db, "main");
	char pragma[64];

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->st = st;
	if (path != NULL && path[0] != '\0' && sqlite3_open_v2(path, &r->db,
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
		r->own = 1;
		sqlite3_busy_timeout(r->db, 5000);
		snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d",
		    SIM_READER_CACHE_KIB);
		sqlite3_exec(r->db, pragma, NULL, NULL, NULL);
		if (sqlite3_create_function(r->db, "sim_seen", 1, SQLITE_UTF8,
		    r, sim_seen_fn, NULL, NULL) != SQLITE_OK) {
			sqlite3_close(r->db);
			free(r);
			return NULL;
		}
	} else {
		if (r->db != NULL)
			sqlite3_close(r->db);
		r->db = st->db;
	}
	return r;
}

void
store_sim_reader_close(struct store_sim_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->members);
	sqlite3_finalize(r->incomes);
	sqlite3_finalize(r->singles);
	if (r->in_txn)
		sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	if (r->own)
		sqlite3_close(r->db);
	free(r->inc_id);
	free(r->inc);
	free(r);
}

static double
sim_seconds(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/*
 * The reader's connection, locked when it is the store's; its own is in
 * a read transaction (see SIM_SNAPSHOT_SECONDS).  Should BEGIN fail, each
 * statement reads in its own transaction as before.
 */
static void
sim_lock(struct store_sim_reader *r)
{
	if (!r->own) {
		pthread_mutex_lock(&r->st->lock);
		return;
	}
	if (!r->in_txn && sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) ==
	    SQLITE_OK) {
		r->in_txn = 1;
		clock_gettime(CLOCK_MONOTONIC, &r->begun);
	}
}

/* Ends the read transaction once it has been held long enough. */
static void
sim_unlock(struct store_sim_reader *r)
{
	if (!r->own) {
		pthread_mutex_unlock(&r->st->lock);
		return;
	}
	if (r->in_txn && sim_seconds(&r->begun) >= SIM_SNAPSHOT_SECONDS) {
		sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
		r->in_txn = 0;
	}
}

/* Prepares sql once into *s, or resets it; 0 or -1 (logged). */
static int
sim_stmt(struct store_sim_reader *r, sqlite3_stmt **s, const char *sql)
{
	if (*s != NULL) {
		sqlite3_reset(*s);
		sqlite3_clear_bindings(*s);
		return 0;
	}
	if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
	    NULL) != SQLITE_OK) {
		log_error("store: simulation: %s", sqlite3_errmsg(r->db));
		*s = NULL;
		return -1;
	}
	return 0;
}

static void
sim_error(struct store_sim_reader *r, const char *what)
{
	log_error("store: %s: %s", what, sqlite3_errmsg(r->db));
}

/* The one integer sql selects; -1 on error. */
static int64_t
sim_max(struct store_sim_reader *r, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;
	int64_t max = -1;

	sim_lock(r);
	if (sim_stmt(r, &s, sql) == 0) {
		if (sqlite3_step(s) == SQLITE_ROW)
			max = sqlite3_column_int64(s, 0);
		else
			sim_error(r, what);
	}
	sqlite3_finalize(s);
	sim_unlock(r);
	return max;
}

int64_t
store_sim_household_max(struct store_sim_reader *r)
{
	return sim_max(r, "SELECT coalesce(max(id), 0) FROM households",
	    "households");
}

int64_t
store_sim_people_max(struct store_sim_reader *r)
{
	return sim_max(r, "SELECT coalesce(max(rowid), 0) FROM people",
	    "people");
}

/*
 * Copies a text column into dst (len bytes), truncating as store_copy
 * does, without its snprintf: a job copies five columns of every person,
 * and the formatting was a tenth of the households' read.
 */
static void
sim_copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t == NULL ? 0 : (size_t)sqlite3_column_bytes(s, col);

	if (n >= len)
		n = len - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

/* The person columns both reads select, from column 0 on. */
static void
sim_person_row(sqlite3_stmt *s, struct store_sim_person *p)
{
	sim_copy(p->birth_date, sizeof p->birth_date, s, 0);
	sim_copy(p->sex, sizeof p->sex, s, 1);
	sim_copy(p->disability, sizeof p->disability, s, 2);
	sim_copy(p->employment, sizeof p->employment, s, 3);
	sim_copy(p->municipality, sizeof p->municipality, s, 4);
}

/* Room for one more person in *out; NULL when memory runs out. */
static struct store_sim_person *
sim_grow(struct store_sim_person **out, size_t *n, size_t *cap)
{
	struct store_sim_person *grown;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 1024;
		if ((grown = realloc(*out, ncap * sizeof **out)) == NULL)
			return NULL;
		*out = grown;
		*cap = ncap;
	}
	return &(*out)[(*n)++];
}

/*
 * Reads the newest application of each household with an id in (from,
 * to] into r->inc (indexed by id - from - 1): one range of the
 * applications_household index, in order, rather than a look-up per
 * member.  Lock held when needed.
 */
static int
sim_incomes(struct store_sim_reader *r, int64_t from, int64_t to)
{
	size_t span = (size_t)(to - from), k;
	int step;

	if (span > r->ninc) {
		free(r->inc_id);
		free(r->inc);
		r->inc_id = calloc(span, sizeof *r->inc_id);
		r->inc = calloc(span, sizeof *r->inc);
		if (r->inc_id == NULL || r->inc == NULL) {
			r->ninc = 0;
			return -1;
		}
		r->ninc = span;
	}
	memset(r->inc_id, 0, span * sizeof *r->inc_id);
	if (sim_stmt(r, &r->incomes, "SELECT household_id, id,"
	    " monthly_income, assets FROM applications"
	    " WHERE household_id > ?1 AND household_id <= ?2") != 0)
		return -1;
	sqlite3_bind_int64(r->incomes, 1, from);
	sqlite3_bind_int64(r->incomes, 2, to);
	while ((step = sqlite3_step(r->incomes)) == SQLITE_ROW) {
		k = (size_t)(sqlite3_column_int64(r->incomes, 0) - from - 1);
		if (sqlite3_column_int64(r->incomes, 1) < r->inc_id[k])
			continue;
		r->inc_id[k] = sqlite3_column_int64(r->incomes, 1);
		r->inc[k].income = sqlite3_column_int64(r->incomes, 2);
		r->inc[k].assets = sqlite3_column_int64(r->incomes, 3);
	}
	if (step != SQLITE_DONE) {
		sim_error(r, "simulation incomes");
		return -1;
	}
	return 0;
}

int
store_sim_households(struct store_sim_reader *r, int64_t from, int64_t to,
    const char *as_of, struct store_sim_person **out, size_t *n,
    size_t *cap)
{
	struct store_sim_person *p;
	sqlite3_stmt *s;
	int step, rc = -1;
	size_t k;

	sim_lock(r);
	/* The household's newest application (any programme, any member)
	 * holds the income and assets it declared last. */
	if (sim_incomes(r, from, to) != 0 || sim_stmt(r, &r->members,
	    "SELECT p.birth_date, p.sex, p.disability,"
	    " p.employment, p.municipality, m.household_id, h.municipality,"
	    " p.rowid"
	    " FROM memberships m JOIN households h ON h.id = m.household_id"
	    " JOIN people p ON p.national_id = m.national_id"
	    " WHERE m.household_id > ?1 AND m.household_id <= ?2"
	    " AND m.to_date = '' AND" SIM_ALIVE
	    " ORDER BY m.household_id") != 0)
		goto out;
	s = r->members;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":as_of"), as_of,
	    -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if ((p = sim_grow(out, n, cap)) == NULL)
			goto done;
		sim_person_row(s, p);
		p->household = sqlite3_column_int64(s, 5);
		p->rowid = sqlite3_column_int64(s, 7);
		sim_copy(p->household_municipality,
		    sizeof p->household_municipality, s, 6);
		k = (size_t)(p->household - from - 1);
		p->income = r->inc_id[k] ? r->inc[k].income : 0;
		p->assets = r->inc_id[k] ? r->inc[k].assets : 0;
	}
	if (step == SQLITE_DONE)
		rc = 0;
	else
		sim_error(r, "simulation households");
done:
	sqlite3_reset(s);
out:
	sim_unlock(r);
	return rc;
}

/* The singles' read; on a reader's own connection, the people read as
 * members already are left out first (sim_seen) by a look-up in memory
 * instead of the memberships index. */
#define SIM_SINGLES(seen) \
	"SELECT p.birth_date, p.sex, p.disability, p.employment," \
	" p.municipality, coalesce(a.monthly_income, 0)," \
	" coalesce(a.assets, 0), p.rowid" \
	" FROM people p" \
	" LEFT JOIN applications a ON a.id = (SELECT max(x.id)" \
	"  FROM applications x WHERE x.national_id = p.national_id)" \
	" WHERE p.rowid > ?1 AND p.rowid <= ?2 AND" SIM_ALIVE seen \
	" AND NOT EXISTS (SELECT 1 FROM memberships m" \
	"  WHERE m.national_id = p.national_id AND m.to_date = '')" \
	" ORDER BY p.rowid"

int
store_sim_singles(struct store_sim_reader *r, int64_t from, int64_t to,
    const char *as_of, const uint64_t *seen, int64_t nseen,
    struct store_sim_person **out, size_t *n, size_t *cap)
{
	struct store_sim_person *p;
	sqlite3_stmt *s;
	int step, rc = -1;

	sim_lock(r);
	if (sim_stmt(r, &r->singles, r->own ?
	    SIM_SINGLES(" AND NOT sim_seen(p.rowid)") : SIM_SINGLES("")) != 0)
		goto out;
	r->seen = seen;
	r->nseen = nseen;
	s = r->singles;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":as_of"), as_of,
	    -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if ((p = sim_grow(out, n, cap)) == NULL)
			goto done;
		memset(p, 0, sizeof *p);
		sim_person_row(s, p);
		p->income = sqlite3_column_int64(s, 5);
		p->assets = sqlite3_column_int64(s, 6);
		p->rowid = sqlite3_column_int64(s, 7);
	}
	if (step == SQLITE_DONE)
		rc = 0;
	else
		sim_error(r, "simulation people");
done:
	sqlite3_reset(s);
	r->seen = NULL;
	r->nseen = 0;
out:
	sim_unlock(r);
	return rc;
}
