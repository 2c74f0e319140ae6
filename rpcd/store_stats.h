/*
 * store_stats.h: the counts behind public statistics and the rows behind
 * research samples (stats.c), read from benefits, payments, applications,
 * people and households.  Only the store (store_stats.c) implements these.
 * Callbacks run with the store's lock held: they must not call the store.
 */
#ifndef SPIS_STORE_STATS_H
#define SPIS_STORE_STATS_H

#include <stdint.h>

#include "store.h"

/* One nonzero cell of a month's table; strings valid during the call. */
struct store_stats_cell {
	const char *month; /* "YYYY-MM" */
	const char *row;   /* programme, or channel */
	const char *col;   /* municipality, or outcome */
	int64_t count;	   /* distinct people, or applications */
	int64_t entitled;  /* beneficiaries only: minor units */
	int64_t paid;
};

typedef void (*store_stats_cell_fn)(const struct store_stats_cell *c,
    void *arg);

/*
 * The beneficiaries of month ("YYYY-MM"), per programme and municipality,
 * as stats.proto defines them (BeneficiaryCell), one call per nonzero
 * cell.
 */
enum store_rc store_stats_beneficiaries(struct store *st, const char *month,
    store_stats_cell_fn fn, void *arg);

/* The applications submitted in the months from..to ("YYYY-MM"), per
 * month, channel and outcome (ApplicationCell), one call per nonzero
 * cell. */
enum store_rc store_stats_applications(struct store *st, const char *from,
    const char *to, store_stats_cell_fn fn, void *arg);

/* How many calls to methods starting with prefix the terminal made at or
 * after since (an instant as the audit trail writes them), looking at the
 * last 5000 rows of the trail only. */
enum store_rc store_stats_recent_calls(struct store *st, const char *prefix,
    const char *terminal, const char *since, int64_t *n);

/* A person of a research sample, before anonymisation; strings valid
 * during the call. */
struct store_sample_person {
	const char *national_id;
	const char *sex;
	const char *birth_date;
	const char *municipality;
	int64_t household_size;	 /* current members; 0 for none */
	const char *benefits;	 /* "A,B" sorted, "" for none */
	const char *applied;	 /* likewise */
	int64_t monthly_amount;	 /* minor units */
};

typedef void (*store_sample_fn)(const struct store_sample_person *p,
    void *arg);

/*
 * The people with a benefit in force on some day of from..to
 * ("YYYY-MM-DD", inclusive) or an application submitted in it, at most
 * cap of them: STORE_EXISTS when there are more (fn has then been called
 * cap times).
 */
enum store_rc store_stats_sample(struct store *st, const char *from,
    const char *to, int64_t cap, store_sample_fn fn, void *arg);

typedef void (*store_residents_fn)(const char *municipality, int64_t n,
    void *arg);

/* The living, unmerged people registered in each municipality. */
enum store_rc store_stats_residents(struct store *st, store_residents_fn fn,
    void *arg);

#endif
