/*
 * store_registration.h: registration requests in the store
 * (registrations.c): what a person not yet registered asked for at a kiosk,
 * until a clerk accepts or rejects it or it expires.  Only the store
 * implements these (store_registration.c).
 */
#ifndef SPIS_STORE_REGISTRATION_H
#define SPIS_STORE_REGISTRATION_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_person.h"

/* A request as stored.  person holds the fields a kiosk collects (national
 * ID, names, birth date, sex, address, municipality, phone, language); the
 * rest of it is empty.  Fixed sizes: no ownership. */
struct store_registration {
	int64_t id;
	char reference[16];
	struct store_person person;
	char status[12];	  /* pending accepted rejected expired */
	char terminal[128];
	char helper[68];	  /* the volunteer's username, "" alone */
	char client_request_id[72];
	char submitted_at[32];
	int64_t created, expires; /* Unix seconds */
	char resolved_at[32];
	char resolved_by[68];
	char reason[504];
	char person_id[16];	  /* accepted: the person it is linked to */
};

/* What became of a submission. */
enum store_reg_outcome {
	STORE_REG_NEW,	      /* stored, with its audit row */
	STORE_REG_REPLAY,     /* the same request (terminal and client
			       * request id) again: *out is the first */
	STORE_REG_REGISTERED, /* a person with this national ID exists */
	STORE_REG_PENDING,    /* another request for this ID is pending */
	STORE_REG_LIMIT,      /* the terminal sent max_per_day already */
	STORE_REG_TAKEN,      /* the reference is in use: make another */
};

/*
 * Stores r (reference, person, terminal, helper, client_request_id,
 * submitted_at, created and expires set by the caller) as pending with its
 * audit row a, in one transaction, unless *outcome says why not.  Pending
 * requests past their expiry are marked expired first.  On REPLAY *out is
 * the earlier request; a is then not written.  STORE_OK whatever the
 * outcome, STORE_ERR on a storage error.
 */
enum store_rc store_registration_submit(struct store *st,
    const struct store_registration *r, int max_per_day,
    const struct store_audit *a, enum store_reg_outcome *outcome,
    struct store_registration *out);

/* Fills *r from the request with this reference ("ABCD-EFGH");
 * STORE_NOTFOUND when none.  A pending request past its expiry is read as
 * expired (and marked so). */
enum store_rc store_registration_get(struct store *st, const char *reference,
    int64_t now, struct store_registration *r);

/* A page of requests with status (pending, accepted, rejected, expired) in
 * municipality ("" for all), oldest first, id > after_id.  Calls fn for
 * each; returns the count or -1. */
int store_registration_list(struct store *st, const char *status,
    const char *municipality, int64_t after_id, int limit, int64_t now,
    void (*fn)(void *arg, const struct store_registration *r), void *arg);

/*
 * Resolves a pending request: accepted (linked to person_id, who must be
 * registered: STORE_NOTFOUND otherwise) or rejected, by actor with reason,
 * with the audit row a, in one transaction.  STORE_CONFLICT when it is no
 * longer pending (or has expired).
 */
enum store_rc store_registration_resolve(struct store *st,
    const char *reference, const char *status, const char *person_id,
    const char *actor, const char *reason, const char *at, int64_t now,
    const struct store_audit *a);

#endif
