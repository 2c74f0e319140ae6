/*
 * store_simulation.h: microsimulation jobs in the store, their results by
 * municipality, and the registry read in chunks for them.  A job never
 * changes the registry: it only reads people, households and applications
 * and writes its own rows.  Only the store (store_simulation.c) implements
 * these; simjob.c and simulation.c call them.
 */
#ifndef SPIS_STORE_SIMULATION_H
#define SPIS_STORE_SIMULATION_H

#include <stddef.h>
#include <stdint.h>

#include "rule.h"
#include "store.h"

/* Phases of a job: households in id order, then people in no household in
 * rowid order; the cursor is the last household id or rowid done: every
 * one up to it is counted, none after it. */
enum { SIM_PHASE_HOUSEHOLDS, SIM_PHASE_SINGLES, SIM_PHASE_DONE };

struct store_sim_job {
	int64_t id;
	char programme[20];
	int rule_version;
	char eligibility[RULE_MAX_SOURCE + 1];
	char amount[RULE_MAX_SOURCE + 1];
	char as_of[16];
	char unit[12];		/* "household" or "person" */
	char state[12];		/* queued, running, done or failed */
	char started_by[80];
	char started_at[32];
	char finished_at[32];
	int phase;
	int64_t cursor;
	int64_t total, processed, failed;
	char error[240];
};

/* One municipality's counts; "" in municipality for the total. */
struct store_sim_row {
	char municipality[16];
	int64_t units, gain, lose, keep_eligible, keep_ineligible;
	int64_t current_cost, candidate_cost;
};

/*
 * Queues job j (its programme .. unit filled; id, state, dates and
 * counters are set here, total counting the people alive on as_of) with
 * the audit row a, in one transaction; *j is then the job as stored.
 */
enum store_rc store_sim_job_add(struct store *st, struct store_sim_job *j,
    const struct store_audit *a);

/* Job id; STORE_NOTFOUND when there is none. */
enum store_rc store_sim_job_get(struct store *st, int64_t id,
    struct store_sim_job *j);

/* The oldest job running (one the daemon was stopped in) or else queued,
 * marked running; STORE_NOTFOUND when none waits. */
enum store_rc store_sim_job_next(struct store *st, struct store_sim_job *j);

/* Calls fn for up to limit jobs of programme ("" all), newest first; j is
 * valid during the call only. */
enum store_rc store_sim_job_list(struct store *st, const char *programme,
    int limit, void (*fn)(void *arg, const struct store_sim_job *j),
    void *arg);

/*
 * Saves the job's progress: its phase, cursor, processed, failed and error
 * and the n rows (replacing those stored), in one transaction; with state
 * not NULL ("done", "failed") it also finishes the job.
 */
enum store_rc store_sim_checkpoint(struct store *st,
    const struct store_sim_job *j, const struct store_sim_row *rows,
    size_t n, const char *state);

/* The rows of job id, in no particular order, into out (at most max);
 * returns how many, or -1. */
int store_sim_rows(struct store *st, int64_t id, struct store_sim_row *out,
    size_t max);

/*
 * A person of the registry as a simulation reads them, with their
 * household (0 for none) and, for the unit they belong to, the income and
 * assets declared last.  Strings are copies.
 */
struct store_sim_person {
	int64_t rowid;		/* of the person in people */
	int64_t household;
	char household_municipality[16];
	char birth_date[11];
	char sex[2];
	char disability[12];
	char employment[24];
	char municipality[16];
	int64_t income, assets;
};

/*
 * A job's own read-only connection to the registry, with a page cache of
 * its own: a long scan neither takes the store's lock (WAL lets it read
 * beside the writer) nor evicts the pages the daemon's calls use.  Falls
 * back to the store's connection, under its lock, for a database with no
 * file (":memory:").  Freed with store_sim_reader_close.
 */
struct store_sim_reader;
struct store_sim_reader *store_sim_reader_open(struct store *st);
void store_sim_reader_close(struct store_sim_reader *r);

/* The highest household id; 0 when there are none, -1 on error. */
int64_t store_sim_household_max(struct store_sim_reader *r);

/*
 * The members alive on as_of of the households with ids in (from, to],
 * ordered by household, with each household's income and assets, appended
 * to *out (grown with realloc; *cap its room, *n its count).  0, or -1.
 */
int store_sim_households(struct store_sim_reader *r, int64_t from,
    int64_t to, const char *as_of, struct store_sim_person **out, size_t *n,
    size_t *cap);

/* The highest rowid of people; 0 when there are none, -1 on error. */
int64_t store_sim_people_max(struct store_sim_reader *r);

/*
 * The people alive on as_of in no household with rowids in (from, to], in
 * rowid order, each a household of their own with the income and assets
 * they declared last, appended to *out as store_sim_households does.
 * seen, when not NULL, is a bitmap of the rowids below nseen that were
 * read as household members already (bit rowid % 64 of word rowid / 64):
 * those are left out without asking whether they are in a household,
 * which is what costs.  0, or -1.
 */
int store_sim_singles(struct store_sim_reader *r, int64_t from, int64_t to,
    const char *as_of, const uint64_t *seen, int64_t nseen,
    struct store_sim_person **out, size_t *n, size_t *cap);

#endif
