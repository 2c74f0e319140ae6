/*
 * simjob.c: the microsimulation job, on its own thread, never on an RPC
 * thread.  StartSimulation (simulation.c) only queues a job; this thread
 * takes the jobs in turn and, for each, parses the programme's current
 * rules (the version the job was started against) and the candidate once,
 * then streams over the registry in chunks: households in id order (their
 * members with the household's figures), then the people in no household
 * in rowid order.  Chunks are read on the job's own read connections,
 * never under the store's lock, so the daemon keeps answering.
 *
 * The reads are the cost (a look-up per person), so a job runs in rounds
 * of one chunk per core: the job thread and its helper threads (sj_part),
 * each with its own read connection, read and evaluate consecutive chunks
 * at once, each counting into its own rows.  When all of a round's chunks
 * are done, their counts are added to the job's in chunk order and the
 * cursor moves past the last of them; a round a store error or a stop cut
 * short adds nothing.  So the counts always cover exactly the ids up to
 * the cursor, whatever order the chunks finished in.
 *
 * Every unit is evaluated under both versions with rule_eval_value (the
 * value only, no explanations; the parsed rules are only read, so the
 * threads share them) and counted by municipality.  The counts and the
 * cursor are saved together every SJ_CHECKPOINT_SECONDS, so a job the
 * daemon was stopped in resumes from its last checkpoint and counts
 * nobody twice.  Nothing but the job's own rows is written.
 *
 * The facts a unit is given are built in one place, sj_facts, through
 * programme_facts_of: facts added to programme_facts later (institution
 * income, say) are filled there, from columns store_sim_households and
 * store_sim_singles read.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_programme.h"
#include "store_simulation.h"

/* Household ids per chunk, and people's rowids per chunk in the second
 * phase: small enough that a chunk's read keeps a call waiting a few ms
 * only where the reads share the store's connection (":memory:"). */
#define SJ_HH_CHUNK 512
#define SJ_CHUNK 1024
/* Chunks read at once at most, whatever the number of cores: each has a
 * read connection with its own page cache. */
#define SJ_MAX_PARTS 4
/* How often counts and cursor are saved while a job runs. */
#define SJ_CHECKPOINT_SECONDS 2.0
/* How often the thread looks for queued jobs without being woken. */
#define SJ_POLL_SECONDS 30

struct simjob {
	struct rpcd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping, woken;
	/* The job running now and how far it is (under lock). */
	int64_t running_id, processed;
};

struct sj_run;

/* One chunk of a round, its reader and what was counted in it. */
struct sj_part {
	struct sj_run *r;
	struct store_sim_reader *reader;
	pthread_t thread;
	int started;
	unsigned seen;			/* the round last run */
	int64_t from, to;		/* the ids or rowids (from, to] */
	int rc;				/* 0, or -1: a store error */
	struct store_sim_row *rows;	/* nmuni of them */
	int64_t processed, failed;
	char error[240];
	struct store_sim_person *buf;
	size_t nbuf, cap;
	double read_s, eval_s;		/* time spent, for the log */
};

/* One job as the thread runs it. */
struct sj_run {
	struct simjob *s;
	struct store_sim_job job;
	struct store_programme prog;
	struct rule *cur_e, *cur_a, *cand_e, *cand_a;
	int person_unit, municipal;
	int ay, am, ad;			/* as_of */
	const struct municipality *munis;
	size_t nmuni;
	struct store_sim_row *rows;	/* nmuni of them */
	double saved_at;
	/* The people counted as household members in this run, by rowid
	 * (nseen bits): the second phase need not ask whether they are in
	 * a household.  Only ever a subset of those counted (a job resumed
	 * has not seen the ones before its checkpoint; they are asked
	 * about), so it changes how fast, never what is counted. */
	uint64_t *seen;
	int64_t nseen;
	/* The round's chunks: parts[0] is read on the job thread, the
	 * others on their threads, started once for the job. */
	struct sj_part parts[SJ_MAX_PARTS];
	int nparts;
	pthread_mutex_t plock;
	pthread_cond_t pgo, pdone;
	int pinit;			/* plock and its conditions made */
	unsigned round;			/* under plock */
	int phase, pending, quit;	/* under plock */
};

static double
sj_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
sj_stopping(struct simjob *s)
{
	int stopping;

	pthread_mutex_lock(&s->lock);
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stopping;
}

static void
sj_progress(struct simjob *s, int64_t id, int64_t processed)
{
	pthread_mutex_lock(&s->lock);
	s->running_id = id;
	s->processed = processed;
	pthread_mutex_unlock(&s->lock);
}

/* Parses YYYY-MM-DD without sscanf: it runs for every person. */
static int
sj_date(const char *s, int *y, int *m, int *d)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return 0;
}

/* Age on as_of in whole years, as applications count it. */
static int
sj_age(const struct sj_run *r, const char *birth)
{
	int y, m, d, age;

	if (sj_date(birth, &y, &m, &d) != 0)
		return 0;
	age = r->ay - y;
	if (r->am < m || (r->am == m && r->ad < d))
		age--;
	return age < 0 ? 0 : age;
}

static int
sj_disabled(const struct store_sim_person *p)
{
	return p->disability[0] != '\0' && strcmp(p->disability, "none") != 0;
}

/* The row of municipality code; -1 for a code not in the list. */
static int
sj_muni(struct sj_run *r, const char *code)
{
	const struct municipality *m = municipality_find(code);

	return m == NULL ? -1 : (int)(m - r->munis);
}

/* Household figures of one unit. */
struct sj_hh {
	int size, children, over65, disabled;
	int64_t income, assets;
};

/* The facts of person p in household h; strings point into p. */
static void
sj_facts(const struct sj_run *r, const struct store_sim_person *p,
    const struct sj_hh *h, struct rule_value *f)
{
	programme_facts_of(f, sj_age(r, p->birth_date), p->sex,
	    p->disability[0] ? p->disability : "none", p->employment,
	    p->municipality, h->size, h->children, h->over65, h->disabled,
	    h->income, h->assets);
}

/* Notes a unit whose rules could not be applied; the first reason is
 * kept (without whose unit it was: the reader may see no records). */
static void
sj_fail(struct sj_part *w, const char *which, const struct rule_error *err)
{
	w->failed++;
	if (w->error[0] == '\0')
		snprintf(w->error, sizeof w->error, "%s: %s", which,
		    err->msg);
}

/* Both rules of one version on f: 0 with *eligible and *amount, -1 on an
 * evaluation error (recorded). */
static int
sj_version(struct sj_part *w, const char *which, const struct rule *e,
    const struct rule *a, const struct rule_value *f, int *eligible,
    int64_t *amount)
{
	struct rule_error err;
	struct rule_value v;

	*amount = 0;
	if (rule_eval_value(e, f, &v, &err) != 0) {
		sj_fail(w, which, &err);
		return -1;
	}
	*eligible = v.i != 0;
	if (!*eligible)
		return 0;
	if (rule_eval_value(a, f, &v, &err) != 0) {
		sj_fail(w, which, &err);
		return -1;
	}
	if (v.i < 0) {
		memset(&err, 0, sizeof err);
		snprintf(err.msg, sizeof err.msg, "the amount rule gives less "
		    "than nothing for some units; it needs a floor such as "
		    "max(0.00, ...)");
		sj_fail(w, which, &err);
		return -1;
	}
	*amount = v.i;
	return 0;
}

/* Evaluates one unit of municipality code under both versions. */
static void
sj_unit(struct sj_part *w, const char *municipality,
    const struct rule_value *f)
{
	struct sj_run *r = w->r;
	struct store_sim_row *row;
	int mi, ce, ne;
	int64_t ca, na;

	if (r->municipal && strcmp(municipality, r->prog.municipality) != 0)
		return;
	if ((mi = sj_muni(r, municipality)) == -1) {
		struct rule_error err = {0};

		snprintf(err.msg, sizeof err.msg, "a unit has an unknown "
		    "municipality code");
		sj_fail(w, "registry", &err);
		return;
	}
	if (sj_version(w, "current rules", r->cur_e, r->cur_a, f, &ce,
	    &ca) != 0 || sj_version(w, "candidate rules", r->cand_e,
	    r->cand_a, f, &ne, &na) != 0)
		return;
	row = &w->rows[mi];
	row->units++;
	if (ce && ne)
		row->keep_eligible++;
	else if (ce)
		row->lose++;
	else if (ne)
		row->gain++;
	else
		row->keep_ineligible++;
	row->current_cost += ca;
	row->candidate_cost += na;
}

/* Saves counts and cursor; with state, finishes the job. */
static int
sj_save(struct sj_run *r, const char *state)
{
	if (store_sim_checkpoint(r->s->d->store, &r->job, r->rows, r->nmuni,
	    state) != STORE_OK) {
		log_error("simulation %" PRId64 ": its progress cannot be "
		    "saved; will try again", r->job.id);
		return -1;
	}
	r->saved_at = sj_now();
	return 0;
}

/* Evaluates the members buffered, grouped by household. */
static void
sj_households(struct sj_part *w)
{
	const struct sj_run *r = w->r;
	const struct store_sim_person *b = w->buf;
	struct rule_value f[FACT__COUNT];
	struct sj_hh h;
	size_t i = 0, j, k;
	int age;

	while (i < w->nbuf) {
		memset(&h, 0, sizeof h);
		for (j = i; j < w->nbuf && b[j].household == b[i].household;
		    j++) {
			age = sj_age(r, b[j].birth_date);
			h.size++;
			h.children += age < 18;
			h.over65 += age >= 65;
			h.disabled += sj_disabled(&b[j]);
		}
		h.income = b[i].income;
		h.assets = b[i].assets;
		if (r->person_unit) {
			for (k = i; k < j; k++) {
				sj_facts(r, &b[k], &h, f);
				sj_unit(w, b[k].municipality, f);
			}
		} else {
			sj_facts(r, &b[i], &h, f);
			sj_unit(w, b[i].household_municipality, f);
		}
		i = j;
	}
}

/* Evaluates the people buffered in no household: each a household of
 * one. */
static void
sj_singles(struct sj_part *w)
{
	const struct sj_run *r = w->r;
	const struct store_sim_person *p;
	struct rule_value f[FACT__COUNT];
	struct sj_hh h;
	int age;

	for (size_t i = 0; i < w->nbuf; i++) {
		p = &w->buf[i];
		age = sj_age(r, p->birth_date);
		h = (struct sj_hh){1, age < 18, age >= 65, sj_disabled(p),
		    p->income, p->assets};
		sj_facts(r, p, &h, f);
		sj_unit(w, p->municipality, f);
	}
}

/* Reads and evaluates part w's chunk of phase into its own counts. */
static void
sj_part_run(struct sj_part *w, int phase)
{
	struct sj_run *r = w->r;
	double t0, t1;
	int rc;

	memset(w->rows, 0, r->nmuni * sizeof *w->rows);
	w->processed = w->failed = 0;
	w->error[0] = '\0';
	w->nbuf = 0;
	t0 = sj_now();
	if (phase == SIM_PHASE_HOUSEHOLDS)
		rc = store_sim_households(w->reader, w->from, w->to,
		    r->job.as_of, &w->buf, &w->nbuf, &w->cap);
	else
		rc = store_sim_singles(w->reader, w->from, w->to,
		    r->job.as_of, r->seen, r->nseen, &w->buf, &w->nbuf,
		    &w->cap);
	t1 = sj_now();
	w->read_s += t1 - t0;
	if ((w->rc = rc) != 0)
		return;
	if (phase == SIM_PHASE_HOUSEHOLDS)
		sj_households(w);
	else
		sj_singles(w);
	w->processed = (int64_t)w->nbuf;
	w->eval_s += sj_now() - t1;
}

/* A helper thread: runs its part of each round the job thread starts. */
static void *
sj_part_thread(void *arg)
{
	struct sj_part *w = arg;
	struct sj_run *r = w->r;
	int phase;

	pthread_mutex_lock(&r->plock);
	for (;;) {
		while (!r->quit && w->seen == r->round)
			pthread_cond_wait(&r->pgo, &r->plock);
		if (r->quit)
			break;
		w->seen = r->round;
		phase = r->phase;
		pthread_mutex_unlock(&r->plock);
		sj_part_run(w, phase);
		pthread_mutex_lock(&r->plock);
		if (--r->pending == 0)
			pthread_cond_signal(&r->pdone);
	}
	pthread_mutex_unlock(&r->plock);
	return NULL;
}

/* How many chunks to read at once: one per core. */
static int
sj_nparts(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > SJ_MAX_PARTS ? SJ_MAX_PARTS : (int)n;
}

/*
 * Opens the parts' readers and starts their threads; 0, or -1 when not
 * even the job thread's reader opens.  A part that cannot be had only
 * makes the rounds smaller.
 */
static int
sj_parts_open(struct sj_run *r)
{
	struct store *st = r->s->d->store;
	struct sj_part *w;
	int want = sj_nparts();

	pthread_mutex_init(&r->plock, NULL);
	pthread_cond_init(&r->pgo, NULL);
	pthread_cond_init(&r->pdone, NULL);
	r->pinit = 1;
	for (r->nparts = 0; r->nparts < want; r->nparts++) {
		w = &r->parts[r->nparts];
		w->r = r;
		if ((w->rows = calloc(r->nmuni, sizeof *w->rows)) == NULL ||
		    (w->reader = store_sim_reader_open(st)) == NULL)
			break;
		if (r->nparts > 0) {
			if (pthread_create(&w->thread, NULL, sj_part_thread,
			    w) != 0)
				break;
			w->started = 1;
		}
	}
	if (r->nparts < want) {
		w = &r->parts[r->nparts];
		store_sim_reader_close(w->reader);
		w->reader = NULL;
		free(w->rows);
		w->rows = NULL;
	}
	return r->nparts > 0 ? 0 : -1;
}

static void
sj_parts_close(struct sj_run *r)
{
	struct sj_part *w;

	pthread_mutex_lock(&r->plock);
	r->quit = 1;
	pthread_cond_broadcast(&r->pgo);
	pthread_mutex_unlock(&r->plock);
	for (int i = 0; i < SJ_MAX_PARTS; i++) {
		w = &r->parts[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		store_sim_reader_close(w->reader);
		free(w->rows);
		free(w->buf);
	}
	pthread_cond_destroy(&r->pdone);
	pthread_cond_destroy(&r->pgo);
	pthread_mutex_destroy(&r->plock);
}

/* Notes the members part w counted; without the memory for it, the
 * second phase asks about everyone. */
static void
sj_seen(struct sj_run *r, const struct sj_part *w)
{
	uint64_t *grown;
	int64_t id, want;

	for (size_t i = 0; i < w->nbuf; i++) {
		if ((id = w->buf[i].rowid) < 0)
			continue;
		if (id >= r->nseen) {
			want = r->nseen * 2 > id + 1 ? r->nseen * 2 : id + 1;
			want = (want + 63) / 64 * 64;
			if ((grown = realloc(r->seen, (size_t)want / 8)) ==
			    NULL) {
				free(r->seen);
				r->seen = NULL;
				r->nseen = 0;
				return;
			}
			memset(grown + r->nseen / 64, 0,
			    (size_t)(want - r->nseen) / 8);
			r->seen = grown;
			r->nseen = want;
		}
		r->seen[id / 64] |= (uint64_t)1 << (id % 64);
	}
}

/*
 * One round of phase: the chunks of size ids after the cursor, one per
 * part, read at once; then, if every one was read, their counts added in
 * chunk order and the cursor moved past them.  0, or -1 on a store error
 * (nothing of the round counted).
 */
static int
sj_round(struct sj_run *r, int phase, int64_t size)
{
	struct sj_part *w;
	struct store_sim_row *row, *add;

	for (int i = 0; i < r->nparts; i++) {
		r->parts[i].from = r->job.cursor + i * size;
		r->parts[i].to = r->parts[i].from + size;
	}
	pthread_mutex_lock(&r->plock);
	r->phase = phase;
	r->pending = r->nparts - 1;
	r->round++;
	pthread_cond_broadcast(&r->pgo);
	pthread_mutex_unlock(&r->plock);
	sj_part_run(&r->parts[0], phase);
	pthread_mutex_lock(&r->plock);
	while (r->pending > 0)
		pthread_cond_wait(&r->pdone, &r->plock);
	pthread_mutex_unlock(&r->plock);
	for (int i = 0; i < r->nparts; i++)
		if (r->parts[i].rc != 0)
			return -1;
	for (int i = 0; i < r->nparts; i++) {
		w = &r->parts[i];
		for (size_t m = 0; m < r->nmuni; m++) {
			row = &r->rows[m];
			add = &w->rows[m];
			row->units += add->units;
			row->gain += add->gain;
			row->lose += add->lose;
			row->keep_eligible += add->keep_eligible;
			row->keep_ineligible += add->keep_ineligible;
			row->current_cost += add->current_cost;
			row->candidate_cost += add->candidate_cost;
		}
		if (phase == SIM_PHASE_HOUSEHOLDS)
			sj_seen(r, w);
		r->job.processed += w->processed;
		r->job.failed += w->failed;
		if (r->job.error[0] == '\0' && w->error[0] != '\0')
			memcpy(r->job.error, w->error, sizeof r->job.error);
		r->job.cursor = w->to;
	}
	return 0;
}

/* After a round: progress for callers, a checkpoint now and then. */
static int
sj_round_done(struct sj_run *r)
{
	sj_progress(r->s, r->job.id, r->job.processed);
	if (sj_now() - r->saved_at >= SJ_CHECKPOINT_SECONDS)
		return sj_save(r, NULL);
	return 0;
}

/* Parses one rule of the job; NULL with the job failed. */
static struct rule *
sj_parse(struct sj_run *r, const char *which, const char *text,
    enum rule_type want)
{
	struct rule_error err;
	struct rule *rule;

	if ((rule = rule_parse(text, programme_facts, FACT__COUNT, want,
	    &err)) == NULL)
		snprintf(r->job.error, sizeof r->job.error, "%s: %s", which,
		    err.msg);
	return rule;
}

/* Reads what the job needs and the counts of an earlier run of it. */
static int
sj_prepare(struct sj_run *r)
{
	struct store *st = r->s->d->store;
	struct store_sim_row *saved;
	char e[RULE_MAX_SOURCE + 1], a[RULE_MAX_SOURCE + 1];
	int n, mi;

	if (store_programme_get(st, r->job.programme, &r->prog) != STORE_OK ||
	    store_programme_rules(st, r->job.programme, r->job.rule_version,
	    e, sizeof e, a, sizeof a) != STORE_OK) {
		snprintf(r->job.error, sizeof r->job.error, "programme %s "
		    "rule version %d cannot be read", r->job.programme,
		    r->job.rule_version);
		return -1;
	}
	if ((r->cur_e = sj_parse(r, "current eligibility", e,
	    RULE_BOOL)) == NULL ||
	    (r->cur_a = sj_parse(r, "current amount", a, RULE_MONEY)) ==
	    NULL ||
	    (r->cand_e = sj_parse(r, "candidate eligibility",
	    r->job.eligibility, RULE_BOOL)) == NULL ||
	    (r->cand_a = sj_parse(r, "candidate amount", r->job.amount,
	    RULE_MONEY)) == NULL)
		return -1;
	if (sj_date(r->job.as_of, &r->ay, &r->am, &r->ad) != 0) {
		snprintf(r->job.error, sizeof r->job.error, "as_of is not a "
		    "date");
		return -1;
	}
	r->person_unit = strcmp(r->job.unit, "person") == 0;
	r->municipal = strcmp(r->prog.scope, "municipal") == 0;
	r->munis = municipality_all(&r->nmuni);
	if ((r->rows = calloc(r->nmuni, sizeof *r->rows)) == NULL ||
	    (saved = calloc(r->nmuni, sizeof *saved)) == NULL)
		return -1;
	for (size_t i = 0; i < r->nmuni; i++)
		snprintf(r->rows[i].municipality,
		    sizeof r->rows[i].municipality, "%s", r->munis[i].code);
	n = store_sim_rows(st, r->job.id, saved, r->nmuni);
	for (int i = 0; i < n; i++) {
		if ((mi = sj_muni(r, saved[i].municipality)) != -1)
			r->rows[mi] = saved[i];
	}
	free(saved);
	return n < 0 ? -1 : 0;
}

/* Runs job j to its end (0), or until the daemon stops or the store fails
 * (-1; it resumes from its last checkpoint when the daemon starts again
 * or the thread next looks). */
static int
sj_run(struct simjob *s, const struct store_sim_job *j)
{
	struct sj_run *r;
	int64_t max = 0;
	double t0 = sj_now();
	int rc = 0;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return -1;
	r->s = s;
	r->job = *j;
	r->saved_at = t0;
	log_info("simulation %" PRId64 ": %s rule version %d against a "
	    "candidate, by %s, as of %s, %" PRId64 " people, %s", j->id,
	    j->programme, j->rule_version, j->unit, j->as_of, j->total,
	    j->processed > 0 ? "resuming" : "starting");
	if (sj_prepare(r) != 0) {
		log_warn("simulation %" PRId64 ": failed: %s", j->id,
		    r->job.error[0] ? r->job.error : "out of memory");
		if (r->rows == NULL || sj_save(r, "failed") != 0)
			rc = -1;
		goto out;
	}
	sj_progress(s, r->job.id, r->job.processed);
	if (sj_parts_open(r) != 0)
		goto stop;
	if (r->job.phase == SIM_PHASE_HOUSEHOLDS &&
	    (max = store_sim_household_max(r->parts[0].reader)) < 0)
		goto stop;
	while (r->job.phase == SIM_PHASE_HOUSEHOLDS) {
		if (sj_stopping(s))
			goto stop;
		if (r->job.cursor >= max) {
			r->job.phase = SIM_PHASE_SINGLES;
			r->job.cursor = 0;
			max = 0;
			break;
		}
		if (sj_round(r, SIM_PHASE_HOUSEHOLDS, SJ_HH_CHUNK) != 0 ||
		    sj_round_done(r) != 0)
			goto stop;
	}
	while (r->job.phase == SIM_PHASE_SINGLES) {
		if (sj_stopping(s))
			goto stop;
		/* People registered while the job runs are read as long as
		 * it has not passed them, as the households are not. */
		if (r->job.cursor >= max &&
		    (max = store_sim_people_max(r->parts[0].reader)) < 0)
			goto stop;
		if (r->job.cursor >= max) {
			r->job.phase = SIM_PHASE_DONE;
			break;
		}
		if (sj_round(r, SIM_PHASE_SINGLES, SJ_CHUNK) != 0 ||
		    sj_round_done(r) != 0)
			goto stop;
	}
	for (int i = 0; i < r->nparts; i++)
		log_debug("simulation %" PRId64 ": part %d: reads %.3f s, "
		    "rules %.3f s", r->job.id, i, r->parts[i].read_s,
		    r->parts[i].eval_s);
	if (sj_save(r, "done") != 0)
		rc = -1;
	else
		log_info("simulation %" PRId64 ": done: %" PRId64 " people in "
		    "%.1f s, %" PRId64 " units failed", r->job.id,
		    r->job.processed, sj_now() - t0, r->job.failed);
	goto out;
stop:
	/* Stopping or a store error: what is counted so far is kept, and the
	 * job stays running, to resume. */
	sj_save(r, NULL);
	rc = -1;
out:
	sj_progress(s, 0, 0);
	if (r->pinit)
		sj_parts_close(r);
	rule_free(r->cur_e);
	rule_free(r->cur_a);
	rule_free(r->cand_e);
	rule_free(r->cand_a);
	free(r->rows);
	free(r->seen);
	free(r);
	return rc;
}

static void *
sj_thread(void *arg)
{
	struct simjob *s = arg;
	struct store_sim_job *j;
	struct timespec until;

	if ((j = malloc(sizeof *j)) == NULL)
		return NULL;
	for (;;) {
		while (!sj_stopping(s) &&
		    store_sim_job_next(s->d->store, j) == STORE_OK &&
		    sj_run(s, j) == 0)
			;
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SJ_POLL_SECONDS;
		while (!s->stopping && !s->woken && pthread_cond_timedwait(
		    &s->wake, &s->lock, &until) != ETIMEDOUT)
			;
		s->woken = 0;
		if (s->stopping) {
			pthread_mutex_unlock(&s->lock);
			free(j);
			return NULL;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

struct simjob *
simjob_start(struct rpcd *d)
{
	struct simjob *s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->d = d;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, sj_thread, s) != 0) {
		log_error("simulation: cannot start the simulation thread");
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void
simjob_wake(struct simjob *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

int
simjob_processed(struct simjob *s, int64_t id, int64_t *processed)
{
	int found = 0;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (s->running_id == id && id != 0) {
		*processed = s->processed;
		found = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

void
simjob_stop(struct simjob *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
