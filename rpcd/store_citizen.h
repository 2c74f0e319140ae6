/*
 * store_citizen.h: the store's side of a citizen at a kiosk (citizen.c):
 * kiosk PINs, sittings, and the citizen's view of who looked at their
 * record.  Only the store implements these (store_citizen.c).
 */
#ifndef SPIS_STORE_CITIZEN_H
#define SPIS_STORE_CITIZEN_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* What a PIN or an identification needs to know of a person.  Fixed
 * sizes: no ownership. */
struct store_citizen_person {
	char given_names[401];
	char language[8];
	char municipality[16];
	int deceased;
	int merged;
};

/* Fills *p; STORE_NOTFOUND when nobody has this national ID. */
enum store_rc store_citizen_person(struct store *st, const char *national_id,
    struct store_citizen_person *p);

/*
 * Replaces the person's PIN by this argon2id hash string, unlocked and
 * with no failures, ends the person's open sittings (a new PIN is what an
 * office does when the old one may be known), and writes the audit row a,
 * all in one transaction.
 */
enum store_rc store_citizen_pin_set(struct store *st, const char *national_id,
    const char *hash, const char *issued_at, const char *issued_by,
    int64_t now, const struct store_audit *a);

/*
 * Takes one try at the person's PIN before it is verified: copies its hash
 * into hash and counts the try as a failure, locking the PIN when that
 * makes max_failures in a row, so that guesses sent in parallel cannot
 * outrun the lock.  Every try, with a PIN or not, is also written as a
 * failed login from peer ("citizen:<national_id>", for the address limit
 * that login.c keeps); its row id goes to *try_id.  store_citizen_pin_ok()
 * undoes both after a right PIN.  STORE_NOTFOUND when there is no PIN to
 * try: no such person, no PIN, a locked PIN, or a person deceased or merged.
 */
enum store_rc store_citizen_pin_try(struct store *st, const char *national_id,
    int max_failures, const char *peer, int64_t now, char *hash,
    size_t hashlen, int64_t *try_id);

/* Clears the failures after a right PIN, unless the PIN was replaced in
 * the meantime (hash is the one tried), and removes the try's failed-login
 * row. */
enum store_rc store_citizen_pin_ok(struct store *st, const char *national_id,
    const char *hash, int64_t try_id);

/* A sitting as stored.  Fixed sizes: no ownership. */
struct store_citizen_sitting {
	char national_id[32];
	char terminal[128];
	char helper[65];	   /* the volunteer's username, "" alone */
	uint8_t helper_token_hash[32]; /* their session, when helper is set */
	int64_t expires_at;
};

/*
 * Records a new sitting by the SHA-256 of its token, with its audit row a
 * in the same transaction.  A sitting bound to a volunteer's session ends
 * that session's other sittings: a volunteer helps one citizen at a time.
 */
enum store_rc store_citizen_sitting_create(struct store *st,
    const uint8_t hash[32], const struct store_citizen_sitting *s,
    int64_t now, const struct store_audit *a);

/*
 * Finds the live sitting with this token hash: not ended, not past its
 * expiry, not idle for idle_seconds or more; fills *s and marks it seen.
 * STORE_NOTFOUND for anything else.
 */
enum store_rc store_citizen_sitting_check(struct store *st,
    const uint8_t hash[32], int64_t now, int64_t idle_seconds,
    struct store_citizen_sitting *s);

/* Ends a sitting; STORE_NOTFOUND when it was not open. */
enum store_rc store_citizen_sitting_end(struct store *st,
    const uint8_t hash[32], int64_t now);

#endif
