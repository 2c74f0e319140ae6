/*
 * store_lifeevent.h: what lifeevent.c asks the store about institutions'
 * facts, and the changes a fact sets off.  Only the store
 * (store_lifeevent.c) implements these; lifeevent.c and, for the reported
 * facts a rule may name, applications.c call them.
 *
 * Every change here is one transaction that first marks the fact acted on
 * (effects_done = 1, only if it was 0), then makes the fact's effects
 * through the same store paths an officer's change takes (the _tx bodies
 * of store_person.c and store_household.c), then writes the audit row a:
 * a fact another run acted on meanwhile is STORE_EXISTS and nothing is
 * written.
 */
#ifndef SPIS_STORE_LIFEEVENT_H
#define SPIS_STORE_LIFEEVENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_fact.h"

struct prog_reported;
struct store_notice;
struct store_person;

/* Copies into out up to max facts whose effects are not done, with id
 * greater than after, oldest first.  Returns how many, or -1. */
int store_lifeevent_due(struct store *st, int64_t after,
    struct store_fact *out, int max);

/*
 * What institutions reported about national_id and the household made of
 * the n members (national_id among them, or alone when n is 0), as of the
 * day on ("YYYY-MM-DD"): the members' income facts over the three
 * complete months before on's month, summed and divided by three; their
 * latest vehicle and land values up to on's month, summed; and whether
 * national_id's latest employment fact is "registered_unemployed".
 */
enum store_rc store_lifeevent_reported(struct store *st,
    const char *national_id, const char *const *members, size_t n,
    const char *on, struct prog_reported *r);

/* Marks fact id acted on with the audit row a and nothing else (a kind
 * that is only stored, or a fact that could not be acted on). */
/* Marks the n facts ids acted on, in one transaction, with no audit row:
 * for facts that change nothing in the registry (an income under which no
 * benefit's review changes; vehicle, land, education), whose receipt the
 * feed's own audit row records. */
enum store_rc store_lifeevent_done_many(struct store *st, const int64_t *ids,
    size_t n);

enum store_rc store_lifeevent_done(struct store *st, int64_t id,
    const struct store_audit *a);

/*
 * A death reported in fact f: store_person_death's change, dated f's
 * period.  When the person headed a household where others remain, the
 * eldest of them becomes head (no officer is there to choose).  A death
 * already recorded leaves the registry as it is: the fact is marked acted
 * on, and *already set with the date recorded in why.
 */
enum store_rc store_lifeevent_death(struct store *st,
    const struct store_fact *f, const char *actor, const char *reason,
    const struct store_audit *a, int *already, char *why, size_t whylen);

/* A birth: what store_lifeevent_birth does for it. */
struct store_lifeevent_birth {
	const struct store_person *child; /* to register; NULL when he or
					   * she is registered already */
	const char *child_id;
	const char *mother;		  /* her national ID, or "" */
	int64_t household;		  /* hers to join; 0: make one
					   * headed by her; -1: none */
	const char *address, *municipality; /* of a household made */
	const char *date;		  /* the birth date */
	const struct store_notice *notice;  /* the offer, or NULL */
};

/*
 * Registers the child (when b->child), puts him or her in the mother's
 * household as "child" from the birth date (or makes one for mother and
 * child), and queues the notice, in one transaction with the fact's mark
 * and a.  A child already in a household stays where he or she is.  A
 * household refusal (the mother died, say) is STORE_REFUSED with the
 * reason in why, and nothing is written.
 */
enum store_rc store_lifeevent_birth(struct store *st, int64_t fact_id,
    const struct store_lifeevent_birth *b, const char *actor,
    const char *reason, const struct store_audit *a, char *why,
    size_t whylen);

/* Sets a registry field of national_id from fact fact_id through the
 * update path (a history row when it changes).  *changed as
 * store_person_update. */
enum store_rc store_lifeevent_person(struct store *st, int64_t fact_id,
    const char *national_id, const char *field, const char *value,
    const char *actor, const char *reason, const struct store_audit *a,
    int *changed);

/* An active benefit of a household's member, with what its application
 * declared. */
struct store_lifeevent_benefit {
	int64_t id;
	char national_id[16];
	char programme[20];
	int64_t assets;
	int flagged;	/* review_reason is set now */
};

/* Copies into out up to max active benefits held by the n members, by
 * id.  Returns how many, or -1. */
int store_lifeevent_benefits(struct store *st, const char *const *members,
    size_t n, struct store_lifeevent_benefit *out, int max);

/* A benefit's review flag to set (reason) or clear (reason ""). */
struct store_lifeevent_review {
	int64_t benefit_id;
	const char *reason;
};

/* Sets or clears the n review flags of active benefits, with fact
 * fact_id's mark and a, in one transaction. */
enum store_rc store_lifeevent_review(struct store *st, int64_t fact_id,
    const struct store_lifeevent_review *r, size_t n,
    const struct store_audit *a);

#endif
