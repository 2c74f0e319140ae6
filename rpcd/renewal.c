/*
 * renewal.c: the yearly renewal job, on its own thread, never on an RPC
 * thread.  StartRenewal (benefits.c) only records a job; this thread finds
 * the running job, streams over the benefits due in id order in small
 * batches and, for each, runs the programme's current rules on current
 * data and records the renewal with the citizen's informative calculation
 * and the job's cursor in one transaction (store_renewal_record).  A daemon
 * that dies mid-job finds the job still running when it starts again and
 * resumes after the cursor, so nothing is done twice.
 *
 * Each pass also settles the pending renewals whose objection window has
 * closed: an eligible benefit takes its new amount for another year, one
 * no longer eligible ends ("not eligible at renewal") with its follow-ups.
 * A pass runs at start, when woken, and every poll_seconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "log.h"
#include "rpcd.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"
#include "store_renewal.h"

/* Benefits read at once: small, so that RPCs are never kept waiting. */
#define REN_BATCH 64
/* Progress is logged every so many benefits. */
#define REN_LOG_EVERY 1000

#define REN_EXIT_REASON "not eligible at renewal"

struct renewal {
	struct rpcd *d;
	long poll_seconds;
	int daily;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping, woken;
	struct store_programme *prog; /* the last one read */
	struct store_renewal_due batch[REN_BATCH];
};

static int
ren_stopping(struct renewal *r)
{
	int stopping;

	pthread_mutex_lock(&r->lock);
	stopping = r->stopping;
	pthread_mutex_unlock(&r->lock);
	return stopping;
}

/* date plus days, or plus years, arena-owned; "" for a bad date. */
static const char *
ren_date_add(struct arena *a, const char *date, int years, long days)
{
	char out[16];

	if (check_date_add(date, years, days, out, sizeof out) != 0)
		return "";
	return arena_strdup(a, out);
}

const char *
renewal_year_after(struct arena *a, const char *date)
{
	return ren_date_add(a, date, 1, 0);
}

/* Reads the programme code into r->prog unless it is the one there. */
static int
ren_programme(struct renewal *r, const char *code)
{
	if (strcmp(r->prog->code, code) == 0)
		return 0;
	if (store_programme_get(r->d->store, code, r->prog) != STORE_OK) {
		r->prog->code[0] = '\0';
		return -1;
	}
	return 0;
}

/* Handles one due benefit: its renewal, notice and the job's cursor. */
static enum store_rc
ren_one(struct renewal *r, const struct store_renewal_job *job,
    const struct store_renewal_due *due, const char *today)
{
	struct rpcd *d = r->d;
	struct store_renewal_new rec = {.job_id = job->id,
	    .benefit_id = due->benefit_id, .old_amount = due->amount};
	struct rule_value facts[FACT__COUNT];
	struct store_person p;
	struct store_notice notice, *np = NULL;
	struct programme_eval ev;
	struct rule_error err = {0};
	struct arena a;
	enum store_rc rc;

	arena_init(&a);
	if (ren_programme(r, due->programme) != 0 ||
	    applications_facts(d, due->national_id, due->income, due->assets,
	    today, &p, facts) != 0) {
		log_warn("renewal job %" PRId64 ": benefit %" PRId64 ": its "
		    "programme or person cannot be read", job->id,
		    due->benefit_id);
		rec.failed = 1;
	} else if (programme_evaluate(r->prog->eligibility, r->prog->amount,
	    facts, r->prog->currency, 0, &a, &ev, &err) != 0) {
		log_warn("renewal job %" PRId64 ": benefit %" PRId64 ": the "
		    "rules of %s version %d cannot be applied: %s", job->id,
		    due->benefit_id, r->prog->code, r->prog->rule_version,
		    err.msg);
		rec.failed = 1;
	} else {
		rec.eligible = ev.eligible;
		rec.new_amount = ev.eligible ? ev.amount : 0;
		rec.rule_version = r->prog->rule_version;
		rec.explanation = ev.explanation;
		rec.objection_until = ren_date_add(&a, job->as_of, 0,
		    d->objection_days);
		notice_renewal(&a, &p, programme_name(r->prog, p.language),
		    due->reference, rec.eligible, rec.old_amount,
		    rec.new_amount, due->currency, due->period,
		    rec.explanation, rec.objection_until, &notice);
		np = &notice;
	}
	rc = store_renewal_record(d->store, &rec, np);
	arena_free(&a);
	return rc;
}

/* Works through the running job, if any, until it is done or the daemon
 * stops. */
static void
ren_job(struct renewal *r)
{
	struct store_renewal_job job;
	char today[16];
	int n;

	if (store_renewal_job_running(r->d->store, &job) != STORE_OK)
		return;
	log_info("renewal job %" PRId64 ": as of %s, %" PRId64 " due, %"
	    PRId64 " handled so far", job.id, job.as_of, job.due,
	    job.processed);
	for (;;) {
		if (ren_stopping(r))
			return;
		n = store_renewal_due(r->d->store, job.as_of, job.cursor,
		    r->batch, REN_BATCH);
		if (n < 0)
			return;
		if (n == 0)
			break;
		check_today(today, sizeof today);
		for (int i = 0; i < n; i++) {
			if (ren_stopping(r))
				return;
			switch (ren_one(r, &job, &r->batch[i], today)) {
			case STORE_OK:
				job.processed++;
				break;
			case STORE_EXISTS:
				/* Past it already: nothing was written. */
				break;
			default:
				log_error("renewal job %" PRId64 ": benefit %"
				    PRId64 " could not be recorded; will try "
				    "again", job.id, r->batch[i].benefit_id);
				return;
			}
			job.cursor = r->batch[i].benefit_id;
			if (job.processed % REN_LOG_EVERY == 0)
				log_info("renewal job %" PRId64 ": %" PRId64
				    " of %" PRId64 " handled", job.id,
				    job.processed, job.due);
		}
	}
	if (store_renewal_job_finish(r->d->store, job.id) == STORE_OK &&
	    store_renewal_job_get(r->d->store, job.id, &job) == STORE_OK)
		log_info("renewal job %" PRId64 ": done: %" PRId64 " handled, %"
		    PRId64 " eligible, %" PRId64 " not eligible, %" PRId64
		    " failed", job.id, job.processed, job.eligible,
		    job.not_eligible, job.failed);
}

struct ren_copy {
	int eligible;
	char national_id[16], programme[20], reference[16];
};

static void
ren_copy_one(void *arg, const struct store_renewal *x)
{
	struct ren_copy *c = arg;

	c->eligible = x->eligible;
	snprintf(c->national_id, sizeof c->national_id, "%s", x->national_id);
	snprintf(c->programme, sizeof c->programme, "%s", x->programme);
	snprintf(c->reference, sizeof c->reference, "%s", x->reference);
}

/* Settles a renewal whose window closed; -1 on a store error. */
static int
ren_settle(struct renewal *r, int64_t id, const char *today)
{
	struct store_notice notice, *np = NULL;
	struct store_person p;
	struct ren_copy c = {0};
	struct arena a;
	enum store_rc rc;

	if (store_renewal_get(r->d->store, id, ren_copy_one, &c) != STORE_OK)
		return -1;
	arena_init(&a);
	/* An end is told to the citizen as any other end is. */
	if (!c.eligible && ren_programme(r, c.programme) == 0 &&
	    store_person_get(r->d->store, c.national_id, NULL, &p) ==
	    STORE_OK) {
		notice_benefit_ended(&a, &p, programme_name(r->prog,
		    p.language), c.reference, today, REN_EXIT_REASON,
		    &notice);
		np = &notice;
	}
	rc = store_renewal_settle(r->d->store, id, "pending", c.eligible ?
	    "renewed" : "ended", today, "renewal", c.eligible ?
	    "no objection" : REN_EXIT_REASON, np, NULL, NULL, NULL);
	arena_free(&a);
	if (rc == STORE_OK)
		log_info("renewal %" PRId64 ": benefit of %s %s", id,
		    c.reference, c.eligible ? "renewed" : "ended");
	return rc == STORE_OK || rc == STORE_REFUSED ? 0 : -1;
}

/* Settles every pending renewal whose window has closed. */
static void
ren_mature(struct renewal *r)
{
	int64_t ids[REN_BATCH];
	char today[16];
	int n;

	check_today(today, sizeof today);
	while ((n = store_renewal_matured(r->d->store, today, ids,
	    REN_BATCH)) > 0)
		for (int i = 0; i < n; i++)
			if (ren_stopping(r) || ren_settle(r, ids[i],
			    today) != 0)
				return;
}

/*
 * With renewal_daily, the day's job starts by itself once: when there is
 * no job yet, or the latest is as of an earlier day.  A job running from
 * before (an admin's, or yesterday's still going) is left to finish.
 */
static void
ren_schedule(struct renewal *r)
{
	struct store_renewal_job job;
	struct store_audit a = {0};
	char today[16];
	enum store_rc rc;

	check_today(today, sizeof today);
	rc = store_renewal_job_get(r->d->store, 0, &job);
	if (rc == STORE_ERR || (rc == STORE_OK && strcmp(job.as_of, today) >= 0))
		return;
	a.actor = "system";
	a.role = "";
	a.terminal = "";
	a.method = "scheduled renewal";
	a.subject = "";
	a.purpose = "";
	a.outcome = "OK";
	a.municipality = "";
	a.detail = "renewal job as of today, started by renewal_daily";
	if (store_renewal_job_start(r->d->store, today, "system", &a, &job) ==
	    STORE_OK)
		log_info("renewal job %" PRId64 " started by the daily "
		    "schedule: as of %s, %" PRId64 " due", job.id, job.as_of,
		    job.due);
}

static void *
ren_thread(void *arg)
{
	struct renewal *r = arg;
	struct timespec until;

	for (;;) {
		if (r->daily)
			ren_schedule(r);
		ren_job(r);
		ren_mature(r);
		pthread_mutex_lock(&r->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += r->poll_seconds;
		while (!r->stopping && !r->woken && pthread_cond_timedwait(
		    &r->wake, &r->lock, &until) != ETIMEDOUT)
			;
		r->woken = 0;
		if (r->stopping) {
			pthread_mutex_unlock(&r->lock);
			return NULL;
		}
		pthread_mutex_unlock(&r->lock);
	}
}

struct renewal *
renewal_start(struct rpcd *d, long poll_seconds, int daily)
{
	struct renewal *r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->prog = calloc(1, sizeof *r->prog)) == NULL) {
		free(r);
		return NULL;
	}
	r->d = d;
	r->poll_seconds = poll_seconds;
	r->daily = daily;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, ren_thread, r) != 0) {
		log_error("renewal: cannot start the renewal thread");
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		free(r->prog);
		free(r);
		return NULL;
	}
	return r;
}

void
renewal_wake(struct renewal *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->woken = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

void
renewal_stop(struct renewal *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->prog);
	free(r);
}
