/*
 * store_renewal.h: the yearly renewal of benefits in the store: renewal
 * jobs (one running at a time, with the cursor they resume from) and the
 * renewals they make, one per job and benefit.  Only the store
 * (store_renewal.c) implements these; renewal.c and benefits.c call them.
 */
#ifndef SPIS_STORE_RENEWAL_H
#define SPIS_STORE_RENEWAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_notice;

struct store_renewal_job {
	int64_t id;
	char as_of[11];
	char state[12];
	char started_by[80];
	char started_at[32];
	char finished_at[32];
	int64_t cursor;	/* the last benefit id handled */
	int64_t due, processed, eligible, not_eligible, failed;
	/* Its renewals by state now (filled by store_renewal_job_get). */
	int64_t pending, objected, renewed, ended, kept;
	int64_t changed;	/* eligible renewals whose amount differs */
};

/*
 * Starts a job for the benefits due by as_of, counting them, with the audit
 * row a, in one transaction.  STORE_EXISTS when a job is running: *job is
 * that one.
 */
enum store_rc store_renewal_job_start(struct store *st, const char *as_of,
    const char *actor, const struct store_audit *a,
    struct store_renewal_job *job);

/* Job id (0: the latest) with its renewals counted by state;
 * STORE_NOTFOUND when there is none. */
enum store_rc store_renewal_job_get(struct store *st, int64_t id,
    struct store_renewal_job *job);

/* Fills out with up to limit jobs, newest first, each counted as
 * store_renewal_job_get counts it.  Returns how many, or -1. */
int store_renewal_job_list(struct store *st, int limit,
    struct store_renewal_job *out);

/* The running job; STORE_NOTFOUND when none is. */
enum store_rc store_renewal_job_running(struct store *st,
    struct store_renewal_job *job);

/* Marks job id done. */
enum store_rc store_renewal_job_finish(struct store *st, int64_t id);

/* A due benefit, with what its renewal needs. */
struct store_renewal_due {
	int64_t benefit_id;
	char national_id[16];
	char programme[20];
	char reference[16];
	char currency[4];
	char period[12];
	int64_t amount, income, assets;
};

/*
 * Fills out with up to max benefits due by as_of after the benefit id
 * cursor, in id order: active, of a programme that renews by itself,
 * renew_on reached, and without a renewal still open.  Returns how many,
 * or -1.
 */
int store_renewal_due(struct store *st, const char *as_of, int64_t cursor,
    struct store_renewal_due *out, int max);

/* One benefit's renewal as the job computed it. */
struct store_renewal_new {
	int64_t job_id, benefit_id;
	int failed;	/* the rules could not be applied: no renewal row */
	int eligible;
	int64_t old_amount, new_amount;
	int rule_version;
	const char *explanation;
	const char *objection_until;
	const struct store_notice *notice; /* the citizen's, or NULL */
};

/*
 * Records the n renewals r of one job, in benefit id order, in one
 * transaction: each renewal with its notice (when the renewal is new) in
 * a savepoint of its own, then the job's cursor moved to the last of them
 * with its counters.  Benefits the cursor is past already are skipped
 * (nothing written for them).  *handled is how many of r the commit
 * covers: n on STORE_OK; on STORE_ERR those before r[*handled], which
 * could not be written (or 0 when nothing was committed).  STORE_EXISTS
 * when the job is no longer running (nothing written).  *job (when not
 * NULL) is then the job as committed.
 */
enum store_rc store_renewal_record(struct store *st,
    const struct store_renewal_new *r, int n, int *handled,
    struct store_renewal_job *job);

/* A renewal; strings are valid during the callback only. */
struct store_renewal {
	int64_t id, job_id, benefit_id;
	const char *national_id, *programme, *municipality, *reference;
	const char *currency, *period, *benefit_state;
	int eligible;
	int64_t old_amount, new_amount;
	int rule_version;
	const char *explanation, *objection_until, *state, *resolved_by,
	    *reason;
};

/* Renewals in state ("" any) of municipality ("" all) and job_id (0 any),
 * oldest first, at most limit. */
enum store_rc store_renewal_list(struct store *st, const char *state,
    const char *municipality, int64_t job_id, int limit,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg);

/* One renewal; STORE_NOTFOUND when there is none with this id. */
enum store_rc store_renewal_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg);

/* Ids of pending renewals whose window closed before today, oldest
 * first; returns how many (at most max), or -1. */
int store_renewal_matured(struct store *st, const char *today, int64_t *ids,
    int max);

/*
 * Records an objection to pending renewal id made by today (its
 * objection_until not passed), with the audit row a; fn then gets it.
 * STORE_NOTFOUND, or STORE_REFUSED when it is not pending or its window
 * has closed (fn gets it as it stands).
 */
enum store_rc store_renewal_object(struct store *st, int64_t id,
    const char *today, const char *actor, const char *reason,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg);

/*
 * Settles renewal id, which must be in state from ("pending" when its
 * window closed, "objected" for a caseworker), as outcome: "renewed" (the
 * benefit takes the new amount, or keeps its own when the renewal found it
 * not eligible), "kept" (the old amount) or "ended" (the benefit ends on
 * date with the exit reason, scheduling its follow-ups).  Renewed and kept
 * move renew_on a year on, with a history row.  One transaction with the
 * notice and the audit row (each when not NULL); fn then gets the renewal.
 * STORE_NOTFOUND, or STORE_REFUSED when it is not in from (fn gets it).
 */
enum store_rc store_renewal_settle(struct store *st, int64_t id,
    const char *from, const char *outcome, const char *date,
    const char *actor, const char *reason, const struct store_notice *notice,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_renewal *r), void *arg);

/* A matured renewal to settle: "renewed" or "ended", with the reason
 * and the citizen's notice (NULL for none); settled is set by the store. */
struct store_renewal_settling {
	int64_t id;
	const char *outcome, *reason;
	const struct store_notice *notice;
	int settled;	/* 0: no longer pending, left as it was */
};

/*
 * Settles the n pending renewals x as store_renewal_settle would each
 * from "pending", on date by actor, in one transaction; one no longer
 * pending is left as it is (its settled 0).  *handled is how many of x
 * the commit covers: n on STORE_OK; on STORE_ERR those before
 * x[*handled], which could not be settled (0 when nothing was
 * committed).
 */
enum store_rc store_renewal_settle_batch(struct store *st,
    struct store_renewal_settling *x, int n, const char *date,
    const char *actor, int *handled);

#endif
