/*
 * store_payment.h: payment runs and their payments in the store.  Only the
 * store (store_payment.c) implements these; handlers (payments.c) call
 * them.
 */
#ifndef SPIS_STORE_PAYMENT_H
#define SPIS_STORE_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A run with its counts and sums, which are computed from its payments
 * when it is read.  Fixed sizes: no ownership. */
struct store_run {
	int64_t id;
	char programme[20];
	char period[12];
	char state[12];
	char currency[4];
	char created_by[80];
	char created_at[32];
	char approved_by[80];
	char approved_at[32];
	char exported_at[32];
	char message_id[40];
	char cancel_reason[2004];
	int64_t skipped_no_account;
	int64_t skipped_paid;
	int64_t count;	    /* payments in the run, whatever their state */
	int64_t total;
	int64_t sent;	    /* still waiting for the bank's word */
	int64_t paid;
	int64_t failed;
	int64_t returned;
	int64_t paid_total;
	char export_sha256[65];	/* the export file's, "" until written */
	int64_t export_size;
};

/* One payment as read.  Strings are valid during the callback only. */
struct store_payment {
	int64_t id;
	int64_t run_id;
	int64_t benefit_id;
	const char *national_id;
	const char *programme;
	const char *period;
	const char *municipality;
	const char *name;
	const char *iban;
	int64_t amount;
	const char *state;
	const char *reason;
	const char *end_to_end_id;
};

/*
 * Creates a draft run of programme for period with one pending payment per
 * active benefit of the programme in currency whose person has a bank
 * account and is not yet paid for the programme and period (a payment
 * pending, sent or paid), and whose start is not after the period.  Those
 * already paid and those without an account are counted, not included.
 * One transaction with the audit row a, whose detail the store completes
 * with the run's number and figures.  *run is the run as stored.
 */
enum store_rc store_run_create(struct store *st, const char *programme,
    const char *period, const char *currency, const char *actor,
    const struct store_audit *a, struct store_run *run);

/* STORE_NOTFOUND when there is no run run_id. */
enum store_rc store_run_get(struct store *st, int64_t run_id,
    struct store_run *run);

/* Runs of programme ("" for all) newest first, of programmes whose
 * municipality is municipality ("" for any).  run is valid during the call
 * only. */
enum store_rc store_run_list(struct store *st, const char *programme,
    const char *municipality,
    void (*fn)(void *arg, const struct store_run *run), void *arg);

/* How a run moves. */
enum store_run_action {
	STORE_RUN_APPROVE, /* draft -> approved, by actor */
	STORE_RUN_CANCEL,  /* draft or approved -> cancelled, with reason;
			    * its payments -> cancelled */
	STORE_RUN_EXPORT,  /* approved -> exported, message_id set; its
			    * payments pending -> sent */
};

/*
 * Applies action to run run_id in one transaction with the audit row a,
 * checking the run's state inside it.  reason is the cancel reason;
 * message_id the export's.  STORE_NOTFOUND, or STORE_REFUSED when the run
 * is not in a state the action starts from; *run is the run after (or as
 * it stood, on a refusal).
 */
enum store_rc store_run_move(struct store *st, int64_t run_id,
    enum store_run_action action, const char *actor, const char *reason,
    const char *message_id, const struct store_audit *a,
    struct store_run *run);

/*
 * Records the digest and size of run run_id's export file, the first time
 * only: a run's file never changes once written.
 */
enum store_rc store_run_set_export(struct store *st, int64_t run_id,
    const char *sha256, int64_t size);

/*
 * Calls fn for the payments of run run_id with an id above after, in id
 * order, at most limit of them (0: all).  The lock is taken for a batch of
 * rows at a time, so a large run does not hold up other calls while it is
 * read; fn must not call the store.  *more is set when rows are left after
 * limit.  A fn returning non-zero stops the walk (STORE_REFUSED).
 */
enum store_rc store_run_payments(struct store *st, int64_t run_id,
    int64_t after, int limit,
    int (*fn)(void *arg, const struct store_payment *p), void *arg,
    int *more);

/* One line of a bank status report, and what became of it. */
struct store_status_line {
	const char *end_to_end_id;
	const char *status;	 /* "paid", "failed" or "returned" */
	const char *reason;
	int64_t amount;		 /* -1 when the report gives none */
	/* Out: "paid", "failed", "returned", or "error" with message. */
	char outcome[12];
	char message[200];
};

/*
 * Applies a status report's lines to run run_id's payments in one
 * transaction with the audit row a (whose detail the store completes with
 * the counts): each line whose payment is in the run and may move to its
 * status is applied; the others get outcome "error" and a message naming
 * the field.  A run whose payments have all been answered becomes
 * reconciled.  For each payment that failed or came back, notice (called
 * under the store's lock: it writes text, it makes no store call) fills a
 * notice that goes into the outbox in the same transaction.
 * STORE_NOTFOUND, or STORE_REFUSED when the run is neither exported nor
 * reconciled (nothing applied).  *run is the run after.
 */
/* What the notice of a failed or returned payment is written from. */
struct store_failed_payment {
	const char *national_id;
	const char *language;	/* the person's */
	const char *status;	/* "failed" or "returned" */
	const char *reason;
	int64_t amount;
};
struct store_notice;
enum store_rc store_run_import(struct store *st, int64_t run_id,
    struct store_status_line *lines, size_t n, const struct store_audit *a,
    void (*notice)(void *arg, const struct store_failed_payment *f,
    struct store_notice *n), void *notice_arg, struct store_run *run);

/*
 * Failed and returned payments of municipality ("" for all) not paid since
 * in another run for the same programme and period, newest first, at most
 * limit.
 */
enum store_rc store_payment_failures(struct store *st,
    const char *municipality, int limit,
    void (*fn)(void *arg, const struct store_payment *p), void *arg);

#endif
