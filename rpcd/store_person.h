/*
 * store_person.h: people, their history and consent in the store.  Only the
 * store (store_person.c) implements these; handlers call them.
 */
#ifndef SPIS_STORE_PERSON_H
#define SPIS_STORE_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A person's row.  Fixed sizes: a name of 100 characters fits in UTF-8. */
struct store_person {
	char national_id[16];
	char given_names[404];
	char surname[404];
	char birth_date[11];
	char sex[2];
	char address[804];
	char municipality[16];
	char phone[24];
	char email[256];
	char disability[16];
	char employment[16];
	char language[4];
	char deceased_date[11];
	char merged_into[16];
	int64_t version;
	char created_at[32];
	char updated_at[32];
};

/* The fields UpdatePerson may change, by name; NULL-terminated, static. */
extern const char *const store_person_fields[];

/* A field's value in *p by name, or NULL for a name not in the list. */
const char *store_person_field(const struct store_person *p,
    const char *name);

/*
 * Registers p, writing one history row per field (old value "") with the
 * reason, and the audit row a, in one transaction.  STORE_EXISTS when the
 * national ID is taken.  name keys for search and duplicates are made here.
 * When scan is not NULL it runs inside the same transaction after the
 * insert (the duplicate checks) and its failure undoes everything.
 */
enum store_rc store_person_add(struct store *st, const struct store_person *p,
    const char *actor, const char *reason, const struct store_audit *a,
    int (*scan)(struct store *st, void *arg), void *scanarg);

/*
 * Fills *p with the person as they are now (as_of NULL or ""), or as they
 * stood at the end of the day as_of ("YYYY-MM-DD"), by rolling later
 * changes back.  STORE_NOTFOUND when there is no such person (or none yet
 * on that day).
 */
enum store_rc store_person_get(struct store *st, const char *national_id,
    const char *as_of, struct store_person *p);

/*
 * Sets the named fields to the given values, one history row per field
 * whose value changes, the version up by one, the audit row a, all in one
 * transaction.  expected_version 0 skips the check; a mismatch is
 * STORE_CONFLICT.  *changed is the number of fields that changed (0: the
 * store wrote nothing, the audit row neither).
 */
enum store_rc store_person_update(struct store *st, const char *national_id,
    size_t n, const char *const *names, const char *const *values,
    int64_t expected_version, const char *actor, const char *reason,
    const struct store_audit *a, int *changed);

/* One history row, valid during the callback. */
struct store_person_change {
	int64_t id;
	const char *at, *actor, *field, *old_value, *new_value, *reason;
};

/* Calls fn for the person's changes, newest first, with id < before_id
 * (0: from the newest), up to limit.  Returns the count or -1. */
int store_person_history(struct store *st, const char *national_id,
    int64_t before_id, int limit,
    void (*fn)(void *arg, const struct store_person_change *c), void *arg);

/* A search: surname_key (folded, required unless national_id), optional
 * given_key, birth_year (0 none), municipality ("" none). */
struct store_person_query {
	const char *national_id;
	const char *surname_key;
	const char *given_key;
	int birth_year;
	const char *municipality;
	int offset, limit;
};

/* Calls fn for each match in name order.  Returns the count or -1. */
int store_person_search(struct store *st, const struct store_person_query *q,
    void (*fn)(void *arg, const struct store_person *p), void *arg);

/*
 * Records a death: deceased_date, a history row, and the end of the
 * person's open household membership on that date.  When they headed a
 * household where others remain, new_head (a member there) becomes head;
 * without one it is STORE_REFUSED with the household's id in why.
 * STORE_CONFLICT when already recorded as dead.
 */
enum store_rc store_person_death(struct store *st, const char *national_id,
    const char *date, const char *new_head, const char *actor,
    const char *reason, const struct store_audit *a, char *why,
    size_t whylen);

/*
 * For the store's other files only (lock held, inside their transaction;
 * no audit row): the bodies of store_person_add (without the duplicate
 * scan), store_person_update and store_person_death, so that a change
 * made of several (a life event from an institution's fact) is one
 * transaction.  Same results; on anything but STORE_OK the caller rolls
 * back.
 */
enum store_rc store_person_add_tx(struct store *st,
    const struct store_person *p, const char *actor, const char *reason);
enum store_rc store_person_update_tx(struct store *st,
    const char *national_id, size_t n, const char *const *names,
    const char *const *values, int64_t expected_version, const char *actor,
    const char *reason, int *changed);
enum store_rc store_person_death_tx(struct store *st, const char *national_id,
    const char *date, const char *new_head, const char *actor,
    const char *reason, char *why, size_t whylen);

/* Consent decisions. */
struct store_consent {
	char purpose[16];
	int given;
	char channel[16];
	char at[32];
	char recorded_by[68];
	char note[504];
};

enum store_rc store_consent_add(struct store *st, const char *national_id,
    const struct store_consent *c, const struct store_audit *a);

/* The decision in force for a purpose; STORE_NOTFOUND when none. */
enum store_rc store_consent_latest(struct store *st, const char *national_id,
    const char *purpose, struct store_consent *c);

/* Every decision (history) or the latest per purpose, newest first. */
int store_consent_list(struct store *st, const char *national_id,
    int history, void (*fn)(void *arg, const struct store_consent *c),
    void *arg);

/* One read or change of a person's record, from the audit trail, without
 * the officer's name. */
struct store_access {
	int64_t id;
	const char *at, *role, *municipality, *purpose, *method;
};

/* The successful calls whose subject is the person, newest first, id <
 * before_id (0: newest).  The citizen's own calls at a kiosk (and their
 * registration request) are not someone looking; an officer issuing their
 * PIN is.  Returns the count or -1. */
int store_access_log(struct store *st, const char *national_id,
    int64_t before_id, int limit,
    void (*fn)(void *arg, const struct store_access *r), void *arg);

/* Counts for the person card: open duplicate flags; PIN state as
 * "none", "active" or "locked". */
int store_person_open_flags(struct store *st, const char *national_id);
const char *store_person_pin_status(struct store *st,
    const char *national_id);

#endif
