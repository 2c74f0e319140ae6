/*
 * renewal.c: the yearly renewal job, on its own thread, never on an RPC
 * thread.  StartRenewal (benefits.c) only records a job; this thread finds
 * the running job and streams over the benefits due in id order a batch
 * at a time.  For each benefit of a batch it runs the programme's current
 * rules on current data, outside the store's lock, on a few threads at
 * once (one a core), each reading from a snapshot of its own; then the
 * whole batch, each renewal with the citizen's informative calculation,
 * and the job's cursor moved to the last benefit of the batch, is one
 * transaction (store_renewal_record), written while those threads compute
 * the next batch.  A daemon that dies mid-job finds the job still running
 * when it starts again and resumes after the cursor, so nothing is done
 * twice, and a batch is written whole or not at all.
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
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "rpcd.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"
#include "store_renewal.h"

/*
 * Benefits read, and committed, at once.  One durable commit per benefit
 * was the job's cost; a batch shares it.  The store's lock is held only
 * while a batch is written (a few milliseconds), never while the rules
 * run, so RPCs are not kept waiting.
 */
#define REN_BATCH 256
/*
 * Threads computing a batch, each a part of it: one a core, at most this
 * many.  A benefit's renewal is a dozen indexed reads and its rules, all
 * of it independent of the other benefits', and the store's read
 * connections let the threads read at once.
 */
#define REN_WORKERS_MAX 4
/* Programmes whose parsed rules are kept (more are read again). */
#define REN_PROGS 32
/* Progress is logged every so many benefits. */
#define REN_LOG_EVERY 1000

#define REN_EXIT_REASON "not eligible at renewal"

/*
 * A programme with its rules parsed once, not once per benefit.  It is
 * read again at the first use in each batch, and parsed again only when
 * its version changed, so that a rule changed mid-job applies from the
 * next batch on, as it did when each benefit read it.
 */
struct ren_prog {
	struct store_programme *p;
	struct rule *elig, *amount; /* NULL when they do not parse: err */
	struct rule_error err;
	int fresh;		/* read in this batch */
};

/*
 * A batch: the benefits due, then their renewals as computed, kept until
 * written.  Two of them take turns, one computed while the other is
 * written.  What the computing threads read of it (the job, the day, the
 * programmes) is set before they start and not changed until they end.
 */
struct ren_batch {
	int n;
	int64_t job_id;
	char today[16], until[16];
	struct store_renewal_due due[REN_BATCH];
	struct ren_prog *prog[REN_BATCH];
	struct store_renewal_new rec[REN_BATCH];
	struct store_notice notice[REN_BATCH];
	struct arena arena[REN_WORKERS_MAX]; /* one a thread: not shared */
};

/* One thread's part of a batch: [from, to). */
struct ren_part {
	struct renewal *r;
	struct ren_batch *b;
	int from, to, k;
	int stopped;	/* the daemon is stopping: the part is not whole */
	int joinable;	/* runs on a thread of its own */
	pthread_t thread;
};

struct renewal {
	struct rpcd *d;
	long poll_seconds;
	int daily;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping, woken;
	struct ren_prog progs[REN_PROGS];
	int nprogs, nextprog;
	struct store_programme *read; /* scratch for a programme read */
	int nworkers;
	struct ren_part parts[REN_WORKERS_MAX];
	struct ren_batch batch[2];
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

static void
ren_prog_parse(struct ren_prog *pp)
{
	rule_free(pp->elig);
	rule_free(pp->amount);
	pp->amount = NULL;
	memset(&pp->err, 0, sizeof pp->err);
	if ((pp->elig = rule_parse(pp->p->eligibility, programme_facts,
	    FACT__COUNT, RULE_BOOL, &pp->err)) == NULL)
		return;
	if ((pp->amount = rule_parse(pp->p->amount, programme_facts,
	    FACT__COUNT, RULE_MONEY, &pp->err)) == NULL) {
		rule_free(pp->elig);
		pp->elig = NULL;
	}
}

/* Marks the kept programmes to be read again at their next use. */
static void
ren_prog_stale(struct renewal *r)
{
	for (int i = 0; i < r->nprogs; i++)
		r->progs[i].fresh = 0;
}

/*
 * Programme code with its parsed rules: the one kept, read again once per
 * batch (ren_prog_stale).  NULL when it cannot be read.
 */
static struct ren_prog *
ren_programme(struct renewal *r, const char *code)
{
	struct ren_prog *pp = NULL;
	struct store_programme *t;
	int i;

	for (i = 0; i < r->nprogs; i++)
		if (strcmp(r->progs[i].p->code, code) == 0) {
			pp = &r->progs[i];
			break;
		}
	if (pp != NULL && pp->fresh)
		return pp;
	if (store_programme_get(r->d->store, code, r->read) != STORE_OK)
		return NULL;
	if (pp != NULL && pp->p->version == r->read->version &&
	    pp->p->rule_version == r->read->rule_version) {
		pp->fresh = 1;
		return pp;
	}
	if (pp == NULL) {
		if (r->nprogs < REN_PROGS)
			pp = &r->progs[r->nprogs++];
		else {
			pp = &r->progs[r->nextprog];
			r->nextprog = (r->nextprog + 1) % REN_PROGS;
		}
	}
	/* The scratch becomes the kept copy, and the old copy the scratch. */
	t = pp->p;
	pp->p = r->read;
	r->read = t;
	ren_prog_parse(pp);
	pp->fresh = 1;
	return pp;
}

/*
 * Computes benefit i's renewal into b->rec[i], with the citizen's notice
 * when the rules could be applied; strings are allocated from a.  Reads
 * the store but writes nothing: the batch is written at once.  Runs on a
 * computing thread: it uses only b and the programme b->prog[i], which
 * the job does not change while the batch is computed.
 */
static void
ren_one(struct rpcd *d, const struct ren_batch *b, int i, struct arena *a,
    struct store_renewal_new *rec, struct store_notice *notice)
{
	const struct store_renewal_due *due = &b->due[i];
	const struct ren_prog *pp = b->prog[i];
	struct rule_value facts[FACT__COUNT];
	struct store_person p;
	struct programme_eval ev;
	struct rule_error err = {0};

	memset(rec, 0, sizeof *rec);
	rec->job_id = b->job_id;
	rec->benefit_id = due->benefit_id;
	rec->old_amount = due->amount;
	if (pp == NULL || applications_facts(d, due->national_id, due->income,
	    due->assets, b->today, &p, facts) != 0) {
		log_warn("renewal job %" PRId64 ": benefit %" PRId64 ": its "
		    "programme or person cannot be read", b->job_id,
		    due->benefit_id);
		rec->failed = 1;
		return;
	}
	if (pp->elig == NULL || programme_evaluate_parsed(pp->elig,
	    pp->amount, facts, pp->p->currency, 0, a, &ev, &err) != 0) {
		log_warn("renewal job %" PRId64 ": benefit %" PRId64 ": the "
		    "rules of %s version %d cannot be applied: %s", b->job_id,
		    due->benefit_id, pp->p->code, pp->p->rule_version,
		    pp->elig == NULL ? pp->err.msg : err.msg);
		rec->failed = 1;
		return;
	}
	rec->eligible = ev.eligible;
	rec->new_amount = ev.eligible ? ev.amount : 0;
	rec->rule_version = pp->p->rule_version;
	rec->explanation = ev.explanation;
	rec->objection_until = b->until;
	notice_renewal(a, &p, programme_name(pp->p, p.language),
	    due->reference, rec->eligible, rec->old_amount, rec->new_amount,
	    due->currency, due->period, rec->explanation,
	    rec->objection_until, notice);
	/* p goes with this call; due stays with the batch. */
	notice->national_id = due->national_id;
	rec->notice = notice;
}

/* A thread's part of a batch: its reads, a dozen per benefit, from one
 * snapshot of its own. */
static void *
ren_part_run(void *arg)
{
	struct ren_part *w = arg;
	struct store *st = w->r->d->store;

	store_snapshot_begin(st);
	for (int i = w->from; i < w->to; i++) {
		if (ren_stopping(w->r)) {
			w->stopped = 1;
			break;
		}
		ren_one(w->r->d, w->b, i, &w->b->arena[w->k], &w->b->rec[i],
		    &w->b->notice[i]);
	}
	store_snapshot_end(st);
	return NULL;
}

/* Starts computing batch b, its benefits shared out between the threads;
 * one that cannot be started computes its part here. */
static void
ren_compute_start(struct renewal *r, struct ren_batch *b)
{
	int nw = r->nworkers < b->n ? r->nworkers : b->n, from = 0;

	for (int k = 0; k < REN_WORKERS_MAX; k++)
		r->parts[k].joinable = 0;
	for (int k = 0; k < nw; k++) {
		struct ren_part *w = &r->parts[k];

		w->r = r;
		w->b = b;
		w->k = k;
		w->from = from;
		w->to = from = b->n * (k + 1) / nw;
		w->stopped = 0;
		if (pthread_create(&w->thread, NULL, ren_part_run, w) == 0)
			w->joinable = 1;
		else
			ren_part_run(w);
	}
	for (int k = nw; k < REN_WORKERS_MAX; k++) {
		r->parts[k].from = r->parts[k].to = 0;
		r->parts[k].stopped = 0;
	}
}

/* Waits for the batch being computed; returns whether it is whole. */
static int
ren_compute_wait(struct renewal *r)
{
	int whole = 1;

	for (int k = 0; k < REN_WORKERS_MAX; k++) {
		struct ren_part *w = &r->parts[k];

		if (w->joinable)
			pthread_join(w->thread, NULL);
		w->joinable = 0;
		whole &= !w->stopped;
	}
	return whole;
}

static void
ren_batch_free(struct ren_batch *b)
{
	for (int k = 0; k < REN_WORKERS_MAX; k++)
		arena_free(&b->arena[k]);
	b->n = 0;
}

/*
 * Reads the benefits due after cursor into b, with their programmes;
 * returns how many, or -1.  On the job's thread, with no batch being
 * computed: the kept programmes change here.
 */
static int
ren_batch_read(struct renewal *r, const struct store_renewal_job *job,
    int64_t cursor, struct ren_batch *b)
{
	struct arena a;
	int n;

	n = store_renewal_due(r->d->store, job->as_of, cursor, b->due,
	    REN_BATCH);
	b->n = n < 0 ? 0 : n;
	if (n <= 0)
		return n;
	b->job_id = job->id;
	check_today(b->today, sizeof b->today);
	arena_init(&a);
	snprintf(b->until, sizeof b->until, "%s", ren_date_add(&a,
	    job->as_of, 0, r->d->objection_days));
	arena_free(&a);
	ren_prog_stale(r);
	for (int i = 0; i < n; i++)
		b->prog[i] = ren_programme(r, b->due[i].programme);
	return n;
}

/*
 * Writes batch b; returns 0, or -1 when the job is to stop for now (no
 * longer running, or a benefit could not be written: the next pass tries
 * again from the cursor committed).
 */
static int
ren_batch_write(struct renewal *r, struct ren_batch *b,
    struct store_renewal_job *job, int64_t *logged)
{
	enum store_rc rc;
	int handled;

	rc = store_renewal_record(r->d->store, b->rec, b->n, &handled, job);
	if (rc == STORE_EXISTS)
		/* No longer running: nothing was written. */
		return -1;
	if (rc != STORE_OK) {
		log_error("renewal job %" PRId64 ": benefit %" PRId64
		    " could not be recorded; will try again", b->job_id,
		    b->due[handled].benefit_id);
		return -1;
	}
	if (job->processed / REN_LOG_EVERY != *logged) {
		*logged = job->processed / REN_LOG_EVERY;
		log_info("renewal job %" PRId64 ": %" PRId64 " of %" PRId64
		    " handled", job->id, job->processed, job->due);
	}
	return 0;
}

/*
 * Works through the running job, if any, until it is done or the daemon
 * stops.  Batch N+1 is read and computed while batch N is written: what
 * it reads (people, households, reported facts, programmes) is not what
 * the job writes (renewals, notices, its cursor), and a batch computed
 * ahead of a write that fails is dropped unwritten, to be read again from
 * the cursor committed.
 */
static void
ren_job(struct renewal *r)
{
	struct store_renewal_job job;
	struct ren_batch *b, *written = NULL;
	int64_t logged, cursor;
	int n, cur = 0, ok, stop;

	if (store_renewal_job_running(r->d->store, &job) != STORE_OK)
		return;
	log_info("renewal job %" PRId64 ": as of %s, %" PRId64 " due, %"
	    PRId64 " handled so far", job.id, job.as_of, job.due,
	    job.processed);
	logged = job.processed / REN_LOG_EVERY;
	cursor = job.cursor;
	for (;;) {
		b = &r->batch[cur];
		/* A batch computed already is still written when the daemon
		 * stops. */
		stop = ren_stopping(r);
		n = stop ? 0 : ren_batch_read(r, &job, cursor, b);
		if (n > 0) {
			ren_compute_start(r, b);
			cursor = b->due[n - 1].benefit_id;
		}
		ok = n >= 0 && !stop;
		if (written != NULL) {
			if (n >= 0 && ren_batch_write(r, written, &job,
			    &logged) != 0)
				ok = 0;
			ren_batch_free(written);
			written = NULL;
		}
		if (n > 0 && !ren_compute_wait(r))
			ok = 0;
		if (!ok) {
			ren_batch_free(b);
			return;
		}
		if (n == 0)
			break;
		written = b;
		cur ^= 1;
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

/*
 * Reads what settling renewal id needs into x, with the citizen's notice
 * of the end (in a) when it ends; -1 when it cannot be read.
 */
static int
ren_settle_read(struct renewal *r, int64_t id, const char *today,
    struct arena *a, struct store_renewal_settling *x,
    struct store_notice *notice, struct ren_copy *c)
{
	struct store_person p;
	struct ren_prog *pp;

	memset(c, 0, sizeof *c);
	if (store_renewal_get(r->d->store, id, ren_copy_one, c) != STORE_OK)
		return -1;
	x->id = id;
	x->outcome = c->eligible ? "renewed" : "ended";
	x->reason = c->eligible ? "no objection" : REN_EXIT_REASON;
	x->notice = NULL;
	/* An end is told to the citizen as any other end is. */
	if (!c->eligible && (pp = ren_programme(r, c->programme)) != NULL &&
	    store_person_get(r->d->store, c->national_id, NULL, &p) ==
	    STORE_OK) {
		notice_benefit_ended(a, &p, programme_name(pp->p,
		    p.language), c->reference, today, REN_EXIT_REASON,
		    notice);
		/* p goes with this call; c stays with the batch. */
		notice->national_id = c->national_id;
		x->notice = notice;
	}
	return 0;
}

/*
 * Settles every pending renewal whose window has closed, a batch at a
 * time in one transaction each (store_renewal_settle_batch): one durable
 * commit per renewal was what this pass cost.  A batch that fails is
 * settled up to the renewal that failed; the next pass tries again.
 */
static void
ren_mature(struct renewal *r)
{
	int64_t ids[REN_BATCH];
	struct store_renewal_settling *x;
	struct store_notice *notices;
	struct ren_copy *c;
	struct arena a;
	char today[16];
	int n, m, handled;
	enum store_rc rc;

	x = calloc(REN_BATCH, sizeof *x);
	notices = calloc(REN_BATCH, sizeof *notices);
	c = calloc(REN_BATCH, sizeof *c);
	if (x == NULL || notices == NULL || c == NULL)
		goto out;
	check_today(today, sizeof today);
	while ((n = store_renewal_matured(r->d->store, today, ids,
	    REN_BATCH)) > 0) {
		if (ren_stopping(r))
			break;
		ren_prog_stale(r);
		arena_init(&a);
		for (m = 0; m < n; m++)
			if (ren_settle_read(r, ids[m], today, &a, &x[m],
			    &notices[m], &c[m]) != 0)
				break;
		rc = store_renewal_settle_batch(r->d->store, x, m, today,
		    "renewal", &handled);
		arena_free(&a);
		for (int i = 0; i < handled; i++)
			if (x[i].settled)
				log_info("renewal %" PRId64 ": benefit of %s "
				    "%s", x[i].id, c[i].reference,
				    c[i].eligible ? "renewed" : "ended");
		if (rc != STORE_OK || m < n)
			break;
	}
out:
	free(x);
	free(notices);
	free(c);
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

static void
ren_free(struct renewal *r)
{
	for (int i = 0; i < REN_PROGS; i++) {
		rule_free(r->progs[i].elig);
		rule_free(r->progs[i].amount);
		free(r->progs[i].p);
	}
	free(r->read);
	free(r);
}

struct renewal *
renewal_start(struct rpcd *d, long poll_seconds, int daily)
{
	struct renewal *r;
	long cpus;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	for (int i = 0; i < REN_PROGS + 1; i++) {
		struct store_programme **pp = i < REN_PROGS ?
		    &r->progs[i].p : &r->read;

		if ((*pp = calloc(1, sizeof **pp)) == NULL) {
			ren_free(r);
			return NULL;
		}
	}
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < REN_WORKERS_MAX; k++)
			arena_init(&r->batch[i].arena[k]);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	r->nworkers = cpus < 1 ? 1 : cpus > REN_WORKERS_MAX ?
	    REN_WORKERS_MAX : (int)cpus;
	r->d = d;
	r->poll_seconds = poll_seconds;
	r->daily = daily;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, ren_thread, r) != 0) {
		log_error("renewal: cannot start the renewal thread");
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		ren_free(r);
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
	ren_free(r);
}
