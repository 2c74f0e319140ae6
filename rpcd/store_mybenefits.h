/*
 * store_mybenefits.h: what a citizen at a kiosk sees of their own
 * benefits (Citizen.ListMyBenefits in citizen.c) beyond the benefits
 * themselves (store_benefit.h): their last payments and their open
 * renewals.  Only the store (store_mybenefits.c) implements these.
 */
#ifndef SPIS_STORE_MYBENEFITS_H
#define SPIS_STORE_MYBENEFITS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A payment as the citizen sees it; strings valid during the callback. */
struct store_mypayment {
	int64_t id, benefit_id;
	const char *period, *state, *reason, *updated_at;
	int64_t amount;
};

/* An open renewal of one of the citizen's benefits; strings valid during
 * the callback. */
struct store_myrenewal {
	int64_t id, benefit_id;
	int eligible;
	int64_t old_amount, new_amount;
	const char *explanation, *objection_until, *state, *reason;
};

/*
 * The last per_benefit payments of each benefit of national_id that were
 * not cancelled with their run, by benefit, newest period first, to fn.
 */
enum store_rc store_mybenefits_payments(struct store *st,
    const char *national_id, int per_benefit,
    void (*fn)(void *arg, const struct store_mypayment *p), void *arg);

/* The renewals of national_id's benefits still open (pending or
 * objected), oldest first, to fn. */
enum store_rc store_mybenefits_renewals(struct store *st,
    const char *national_id,
    void (*fn)(void *arg, const struct store_myrenewal *r), void *arg);

#endif
