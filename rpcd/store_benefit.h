/*
 * store_benefit.h: benefits (made by approvals, in store_application.c),
 * their history, and people's bank accounts.  Only the store
 * (store_benefit.c) implements these; handlers call them.
 */
#ifndef SPIS_STORE_BENEFIT_H
#define SPIS_STORE_BENEFIT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_benefit {
	int64_t id;
	char national_id[16];
	char programme[20];
	char application[16]; /* its reference */
	char municipality[16];
	char state[12];
	int64_t amount;
	char currency[4];
	char period[12];
	char start_date[11];
	char end_date[11];
	char exit_reason[504];
	char review_reason[504]; /* "" unless flagged for review (lifeevent.c) */
	char review_since[32];
};

struct store_benefit_change {
	const char *at, *actor, *from_state, *to_state, *reason;
	int64_t amount;
};

struct store_bank_account {
	char national_id[16];
	char iban[40];
	char holder[564]; /* 140 characters of UTF-8 */
	char updated_at[32];
	char updated_by[80];
};

/* A person's benefits, newest first; b is valid during the call only. */
enum store_rc store_benefit_list(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_benefit *b), void *arg);

/* STORE_NOTFOUND when there is no benefit with this id. */
enum store_rc store_benefit_get(struct store *st, int64_t id,
    struct store_benefit *b);

/* A benefit's history, oldest first; strings valid during the call. */
enum store_rc store_benefit_changes(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_benefit_change *c), void *arg);

/*
 * Moves benefit id from one of the states in from (NULL-terminated) to to,
 * on date (the end date when to is "ended"), with a history row and the
 * audit row a, and the notice when not NULL, in one transaction.
 * STORE_NOTFOUND, or STORE_REFUSED when its state is not in from; *b is
 * the benefit after (or as it stood).
 */
struct store_notice;
enum store_rc store_benefit_move(struct store *st, int64_t id,
    const char *const *from, const char *to, const char *date,
    const char *actor, const char *reason, const struct store_notice *notice,
    const struct store_audit *a, struct store_benefit *b);

/* For the store's other files only (the lock held, inside their
 * transaction): moves benefit id to state to as store_benefit_move does,
 * with its history row and, when it ends, its follow-ups. */
enum store_rc store_benefit_state_tx(struct store *st, int64_t id,
    const char *to, const char *date, const char *at, const char *actor,
    const char *reason);

/* Sets a person's bank account (iban already checked) with the audit row
 * a; STORE_NOTFOUND when no such person is registered. */
enum store_rc store_bank_set(struct store *st,
    const struct store_bank_account *acct, const struct store_audit *a);

/* STORE_NOTFOUND when the person has no account recorded. */
enum store_rc store_bank_get(struct store *st, const char *national_id,
    struct store_bank_account *acct);

/* A follow-up check with what the officer needs to make it; strings are
 * valid during the callback only. */
struct store_followup {
	int64_t id, benefit_id;
	const char *national_id, *name, *programme, *municipality;
	int months;
	const char *due_on, *state, *outcome, *note;
	const char *employment;	/* the registry's now */
	const char *exit_reason;
};

/* Scheduled follow-ups due by due_by in municipality ("" for all), oldest
 * first, at most limit. */
enum store_rc store_followup_due(struct store *st, const char *municipality,
    const char *due_by, int limit,
    void (*fn)(void *arg, const struct store_followup *f), void *arg);

/* One follow-up, to fn; STORE_NOTFOUND when there is none with this id. */
enum store_rc store_followup_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_followup *f), void *arg);

/* Records a scheduled follow-up's outcome with the audit row a, then
 * passes it to fn.  STORE_NOTFOUND, or STORE_REFUSED when it was recorded
 * already (fn then gets it as it stands). */
enum store_rc store_followup_record(struct store *st, int64_t id,
    const char *outcome, const char *note, const char *actor,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_followup *f), void *arg);

/* Counts of follow-ups per programme, months and outcome ("" not yet). */
enum store_rc store_followup_summary(struct store *st, const char *programme,
    void (*fn)(void *arg, const char *programme, int months,
    const char *outcome, int64_t count), void *arg);

#endif
