/*
 * store_application.h: applications, their transitions and cross-check
 * flags, decisions with their inputs and clause results, and the benefits
 * approvals create.  Only the store (store_application.c) implements
 * these; handlers call them.
 */
#ifndef SPIS_STORE_APPLICATION_H
#define SPIS_STORE_APPLICATION_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_application {
	int64_t id;
	char reference[16];
	char programme[20];
	char national_id[16];
	int64_t household_id; /* 0 for none */
	char channel[8];
	char municipality[16];
	char state[12];
	int64_t monthly_income;
	int64_t assets;
	char terminal[128];
	char submitted_at[32];
	char submitted_by[80];
	char updated_at[32];
	int64_t version;
	int age_days;	/* since submission, as of now */
	int nflags;	/* cross-check flags */
	char applicant[808]; /* "given_names surname" */
};

/* Who acts on an application, for its transition rows. */
struct store_app_actor {
	const char *actor; /* officer username, or "citizen" */
	const char *role;
	const char *reason;
};

struct store_app_flag {
	const char *kind; /* "same_person" or "same_household" */
	const char *national_id;
	const char *reference;
	const char *municipality;
	const char *state;
};

/*
 * Submits app (reference, programme, national_id, household_id, channel,
 * municipality, monthly_income, assets, terminal set by the caller) in one
 * transaction with its first transition, its cross-check flags and the
 * audit row a.  STORE_EXISTS when the person has an application for the
 * programme pending in the same municipality (its reference in other);
 * STORE_CONFLICT when the reference is taken (make another).  On success
 * *app is the stored row.
 */
enum store_rc store_app_submit(struct store *st, struct store_application *app,
    const struct store_app_actor *who, const struct store_audit *a,
    char *other, size_t otherlen);

/* By reference; STORE_NOTFOUND when there is none. */
enum store_rc store_app_get(struct store *st, const char *reference,
    struct store_application *app);

/*
 * Moves an application from one of the states in from (NULL-terminated) to
 * to, with who's transition row and the audit row a, in one transaction.
 * expected_version 0 skips the version check.  STORE_NOTFOUND, or
 * STORE_REFUSED when the state is not in from, or STORE_CONFLICT when the
 * version is not expected_version; *app is the row as it is after (or as
 * it stood, on a refusal).  decision_id, when not 0, is the decision an
 * appeal is against, kept with the transition.
 */
enum store_rc store_app_move(struct store *st, const char *reference,
    const char *const *from, const char *to, int64_t expected_version,
    int64_t decision_id, const struct store_app_actor *who,
    const struct store_audit *a, struct store_application *app);

/* Transitions of an application in order; strings valid during the call. */
struct store_app_step {
	const char *from_state, *to_state, *at, *actor, *role, *reason;
	int64_t decision_id;
};
enum store_rc store_app_steps(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_app_step *s), void *arg);

enum store_rc store_app_flags(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_app_flag *f), void *arg);

/* A person's applications, newest first. */
enum store_rc store_app_of_person(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_application *app), void *arg);

/*
 * The work queue: applications in municipality ("" for all) for programme
 * ("" for all) in one of states, oldest first, after the application id
 * after, at most limit.  *total is how many match in all.
 */
enum store_rc store_app_queue(struct store *st, const char *municipality,
    const char *programme, const char *const *states, int64_t after,
    int limit, void (*fn)(void *arg, const struct store_application *app),
    void *arg, int64_t *total);

/* Counts per programme and state in municipality ("" for all) of the
 * states still waiting for someone, with the oldest one's age in days. */
enum store_rc store_app_counts(struct store *st, const char *municipality,
    void (*fn)(void *arg, const char *programme, const char *state,
    int64_t count, int oldest_days), void *arg);

/* A decision, its inputs and its clause results. */
struct store_decision {
	int64_t id;
	int64_t application_id;
	char outcome[12];
	int engine_eligible;
	int override;
	char reason[2004];
	char explanation[4096];
	char decided_by[80];
	char decided_at[32];
	char evaluated_on[11];
	int rule_version;
	int64_t amount;
	char currency[4];
};

struct store_decision_input {
	const char *name;
	const char *type; /* rule_type_name() */
	int64_t ival;
	const char *sval;
};

struct store_decision_clause {
	const char *rule; /* "eligibility" or "amount" */
	int depth;
	const char *text, *value, *explain;
};

/* What an approval makes. */
struct store_benefit_new {
	const char *period;
	const char *start_date;
	const char *renew_on;	/* "" unless the programme auto-renews */
};

/*
 * Records decision dec on the application in_review with reference, with
 * its inputs and clauses, moves the application to dec->outcome, and for
 * an approval creates the application's benefit (or sets its amount and
 * makes it active again); for a rejection ends an active benefit of the
 * application (a decision changed on appeal).  One transaction with the
 * audit row a and the decision's notice to the citizen (when not NULL).
 * STORE_REFUSED when the application is not in_review,
 * STORE_CONFLICT on the version; *app is the row after (or as it stood).
 */
struct store_notice;
enum store_rc store_app_decide(struct store *st, const char *reference,
    int64_t expected_version, const struct store_app_actor *who,
    struct store_decision *dec, const struct store_decision_input *in,
    size_t nin, const struct store_decision_clause *cl, size_t ncl,
    const struct store_benefit_new *b, const struct store_notice *notice,
    const struct store_audit *a, struct store_application *app);

/* An application's decisions, newest first. */
enum store_rc store_app_decisions(struct store *st, int64_t app_id,
    void (*fn)(void *arg, const struct store_decision *d), void *arg);

enum store_rc store_decision_inputs(struct store *st, int64_t decision_id,
    void (*fn)(void *arg, const struct store_decision_input *in), void *arg);

enum store_rc store_decision_clauses(struct store *st, int64_t decision_id,
    void (*fn)(void *arg, const struct store_decision_clause *c), void *arg);

#endif
