/*
 * store_duplicate.h: likely duplicates in the registry, their flags and
 * their resolution (distinct, or a merge of two records into one).  Only
 * the store (store_duplicate.c) implements these; the registry calls the
 * scan at registration, duplicates.c the rest.
 *
 * A flag names a pair of people once, the smaller national ID as a, and
 * the reasons the pair looks alike, comma-separated in this order:
 *   same_name_birth_date  same folded name (name_key) and birth date
 *   same_phone            the same non-empty phone number
 *   transposed_id         the IDs differ by two adjacent digits swapped
 */
#ifndef SPIS_STORE_DUPLICATE_H
#define SPIS_STORE_DUPLICATE_H

#include <stdint.h>

#include "store.h"

/* Called by a scan for each person found alike: the flag's id, the other
 * person's national ID and name ("given surname") and the flag's reasons
 * (all of them, old and new).  The strings are valid during the call
 * only; the store lock is held, so fn must not call the store.  Returning
 * non-zero stops the calls, not the scan. */
typedef int (*store_dup_scan_fn)(void *arg, int64_t flag_id,
    const char *other_id, const char *other_name, const char *reasons);

/*
 * Looks for people like national_id and flags each pair not flagged yet;
 * a pair flagged before keeps its flag and status and only gains reasons
 * found now.  Merged people (merged_into set) are neither scanned nor
 * found; deceased people are.  actor is recorded on new flags.  fn may be
 * NULL.  Returns STORE_OK, STORE_NOTFOUND when there is no such person, or
 * STORE_ERR.  store_dup_scan runs in a transaction of its own;
 * store_dup_scan_locked runs inside one the caller has begun, st->lock
 * held (RegisterPerson, right after its insert), and leaves the commit or
 * rollback to the caller.
 */
enum store_rc store_dup_scan(struct store *st, const char *national_id,
    const char *actor, store_dup_scan_fn fn, void *arg);
enum store_rc store_dup_scan_locked(struct store *st, const char *national_id,
    const char *actor, store_dup_scan_fn fn, void *arg);

/* A person as a flag shows them. */
struct store_dup_person {
	const char *national_id;
	const char *given_names;
	const char *surname;
	const char *birth_date;
	const char *municipality;
	const char *deceased_date;
	const char *merged_into;
};

/* A flag as read back.  Pointers are valid during the callback only. */
struct store_dup_flag {
	int64_t id;
	struct store_dup_person a, b;
	const char *reasons;	/* comma-separated, as above */
	const char *status;	/* "open", "distinct", "merged" */
	const char *created_at;
	const char *created_by;
	const char *resolved_at;	/* "" while open */
	const char *resolved_by;
	const char *resolution_reason;
	const char *kept;	/* the record kept by a merge, else "" */
};

/* Which flags to list; empty strings and zeros match everything. */
struct store_dup_filter {
	int64_t id;		  /* this flag only */
	const char *status;	  /* "open", "distinct", "merged" */
	const char *national_id;  /* either person is this one */
	const char *municipality; /* either person lives in it */
	int64_t after_id;	  /* only flags with a larger id (paging) */
	int limit;		  /* at most this many; 0 for no limit */
};

/* Calls fn for each matching flag in id order.  Returns the number of
 * flags passed, or -1. */
int store_dup_list(struct store *st, const struct store_dup_filter *f,
    void (*fn)(void *arg, const struct store_dup_flag *fl), void *arg);

/* The municipality of a person (into muni, at least 16 bytes), for scope
 * checks: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
enum store_rc store_dup_person_municipality(struct store *st,
    const char *national_id, char *muni, size_t len);

/* How a resolution ended. */
enum store_dup_rc {
	STORE_DUP_ERR = STORE_ERR,
	STORE_DUP_OK = STORE_OK,
	STORE_DUP_NOTFOUND = STORE_NOTFOUND, /* no such flag */
	STORE_DUP_RESOLVED = 10,  /* the flag is no longer open */
	STORE_DUP_NOT_IN_PAIR,	  /* keep is not one of the two */
	STORE_DUP_GONE,		  /* one of the two was merged already */
	STORE_DUP_HOUSEHOLDS,	  /* both are members of a household now,
				     not the same one (hh_keep, hh_other) */
	STORE_DUP_HEAD,		  /* both in one household, the record to go
				     its head (hh_keep) */
	STORE_DUP_OVERLAP,	  /* the other's current membership
				     (hh_other) overlaps an earlier one of
				     the kept person (hh_keep) */
};

/* A resolution of one flag. */
struct store_dup_resolution {
	int64_t flag_id;
	int merge;		/* 0: the two are distinct people */
	const char *keep;	/* merge: the national ID that stays */
	const char *reason;	/* why, 1..500 characters */
	const char *actor;

	/* Out: households named by STORE_DUP_HOUSEHOLDS, _HEAD, _OVERLAP;
	 * the other national ID of a merge; for STORE_DUP_RESOLVED and
	 * STORE_DUP_GONE, detail says how (a static-size copy). */
	int64_t hh_keep, hh_other;
	char other[32];
	char detail[160];
};

/*
 * Resolves an open flag in one transaction with the audit row a.  A merge
 * sets the other record's merged_into to keep, writes a history row on
 * both ("merged_into" and "merged_from"), re-points the other's
 * memberships to keep where they do not overlap keep's own (an open one
 * that both share in one household is ended today instead), and its
 * consents and documents; other open flags of the merged record become
 * "merged" too.  fn, when not NULL, is called with the flag as it now
 * stands before the commit.  Returns one of enum store_dup_rc; nothing is
 * written unless STORE_DUP_OK.
 */
enum store_dup_rc store_dup_resolve(struct store *st,
    struct store_dup_resolution *r, const struct store_audit *a,
    void (*fn)(void *arg, const struct store_dup_flag *fl), void *arg);

#endif
