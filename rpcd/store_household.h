/*
 * store_household.h: households and their memberships in the store.  Only
 * the store (store_household.c) implements these; the service files ask it
 * questions in the registry's words.
 *
 * A membership row says a person belongs to a household from from_date up
 * to the day before to_date ("" while open).  Rows are never rewritten
 * except to close them, so the rows of a household are its whole history:
 * a change of relationship (a new head) closes a row and opens another.
 */
#ifndef SPIS_STORE_HOUSEHOLD_H
#define SPIS_STORE_HOUSEHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A household.  Fixed sizes: no ownership. */
struct store_household {
	int64_t id;
	char address[801];	/* up to 200 characters of UTF-8 */
	char municipality[16];
	char created_at[32];
};

/* One membership row with the person's names.  Pointers are valid only
 * during the callback that receives it. */
struct store_member {
	int64_t id;
	const char *national_id;
	const char *given_names;
	const char *surname;
	const char *birth_date;
	const char *relationship;
	const char *from_date;
	const char *to_date;	/* "" while open */
	const char *reason;
	const char *disability;	/* the person's, now */
};

/* Fills *h; STORE_NOTFOUND when there is no household with this id. */
enum store_rc store_household_get(struct store *st, int64_t id,
    struct store_household *h);

/*
 * Calls fn for every membership row of a household, open and closed, in
 * the order they began (from_date, then the order they were written).
 * Returns the number of rows passed, or -1.
 */
int store_household_members(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_member *m), void *arg);

/*
 * The household a person is in now (as_of NULL or "") or at the end of the
 * day as_of ("YYYY-MM-DD"), as its decimal id in household_id.
 * STORE_NOTFOUND when they are in none.
 */
enum store_rc store_household_of(struct store *st, const char *national_id,
    const char *as_of, char *household_id, size_t len);

/* Why a change was refused.  The store checks the state of the registry
 * inside the change's transaction, so that two officers changing the same
 * household at once cannot both pass a check the other breaks. */
enum store_hh_problem {
	HH_OK = 0,
	HH_ERR,		   /* a storage error, already logged */
	HH_NO_HOUSEHOLD,   /* no household with this id */
	HH_NO_PERSON,	   /* no person registered with this ID */
	HH_DECEASED,	   /* date: when they died */
	HH_MERGED,	   /* other: the record it was merged into */
	HH_BEFORE_BIRTH,   /* date: the birth date */
	HH_MEMBER,	   /* already a member: household, date since */
	HH_OVERLAP,	   /* a past membership: household, from, to */
	HH_NOT_MEMBER,	   /* not a current member of household */
	HH_NOT_IN_ANY,	   /* not in any household */
	HH_BEFORE_START,   /* date: when the open membership began */
	HH_HEAD_LEAVES,	   /* the head leaves, others stay: successor needed */
	HH_NOT_HEAD,	   /* a successor named but the leaver is not head */
	HH_HAS_HEAD,	   /* household already has a head: other, since */
	HH_ALREADY_HEAD,   /* the person is the head already */
	HH_SAME_HOUSEHOLD, /* moving into the household they are in */
	HH_SUCCESSOR_SELF, /* the successor is the person leaving */
	HH_OLD_REL_NEEDED, /* ChangeHead: the old head's relationship */
};

/* What a refusal is about.  second is set when it concerns the second
 * person of the change (the successor) rather than the first. */
struct store_hh_why {
	enum store_hh_problem problem;
	int second;
	char household_id[24];
	char date[11];
	char to_date[11];
	char other[32];
};

/*
 * A change to households and memberships.  Which fields a function reads is
 * said at each; strings are not kept.  audit is the success row, written in
 * the same transaction.
 */
struct store_hh_change {
	int64_t household_id;	   /* the household changed (or joined) */
	const char *national_id;   /* the person the change is about */
	const char *relationship;  /* of that person, in household_id */
	const char *date;	   /* from, to, or the day of a move or change */
	const char *reason;
	const char *successor;	   /* new head when the head leaves, or "" */
	const char *old_head_relationship; /* ChangeHead */
	const char *address;	   /* CreateHousehold */
	const char *municipality;  /* CreateHousehold */
	const char *actor;	   /* officer username */
	const struct store_audit *audit;
};

/* Creates a household with national_id as its head from date (address,
 * municipality, reason, actor, audit); its id goes into *id. */
enum store_hh_problem store_household_create(struct store *st,
    const struct store_hh_change *c, int64_t *id, struct store_hh_why *why);

/* Adds national_id to household_id as relationship from date. */
enum store_hh_problem store_household_add(struct store *st,
    const struct store_hh_change *c, struct store_hh_why *why);

/* Ends national_id's open membership on date and opens one in household_id
 * as relationship from the same date; successor as in remove.  from is
 * the household the caller found them in (and checked its scope of):
 * should they be elsewhere by now, HH_NOT_MEMBER. */
enum store_hh_problem store_household_move(struct store *st,
    const struct store_hh_change *c, int64_t from, struct store_hh_why *why);

/* Ends national_id's open membership of household_id on date; when they
 * are the head and others stay, successor becomes head from that date. */
enum store_hh_problem store_household_remove(struct store *st,
    const struct store_hh_change *c, struct store_hh_why *why);

/* Makes national_id, a current member, head of household_id from date;
 * the old head (if any) stays as old_head_relationship. */
enum store_hh_problem store_household_change_head(struct store *st,
    const struct store_hh_change *c, struct store_hh_why *why);

/* For other store files, inside their own transaction (lock held, BEGIN
 * done; no audit row, no commit): store_household_create and
 * store_household_add, so that a change made of several is one
 * transaction.  On anything but HH_OK the caller rolls back. */
enum store_hh_problem store_household_create_tx(struct store *st,
    const struct store_hh_change *c, int64_t *id, struct store_hh_why *why);
enum store_hh_problem store_household_add_tx(struct store *st,
    const struct store_hh_change *c, struct store_hh_why *why);

/*
 * For other store files, inside their own transaction (lock held, BEGIN
 * done, e.g. recording a death): ends national_id's open membership, if
 * any, on date with reason, handing the head to successor ("" for none)
 * under the rules of store_household_remove.  HH_NOT_IN_ANY when they are
 * in no household (nothing to do).  Writes no audit row.
 */
enum store_hh_problem store_household_leave_tx(struct store *st,
    const char *national_id, const char *date, const char *reason,
    const char *successor, const char *actor, struct store_hh_why *why);

#endif
