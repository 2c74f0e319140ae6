/*
 * store_fact.h: facts from other institutions in the store: the registered
 * institutions with their credentials and feed totals, the facts they
 * send (idempotent by source and record id), and the items they sent that
 * were refused.  Only the store (store_fact.c) implements these;
 * exchange.c and lifeevent.c call them.
 */
#ifndef SPIS_STORE_FACT_H
#define SPIS_STORE_FACT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One fact as stored.  The strings are the proto's (exchange.proto Fact). */
struct store_fact {
	int64_t id;
	char source[32];
	char record_id[80];
	char national_id[24];
	char kind[16];
	char period[11];	/* YYYY-MM or YYYY-MM-DD */
	int64_t amount;
	char value[40];
	char related_id[24];
	char given_names[101 * 4];
	char surname[101 * 4];
	char sex[2];
	char batch_id[80];
	char received_at[32];
};

/* A registered institution.  Fixed sizes: no ownership. */
struct store_institution {
	char code[17];
	char name[201 * 4];
	char kinds[160];	/* comma-separated fact kinds */
	int may_search;
	char purposes[64];	/* comma-separated purposes */
	char cert_cn[129];
	int disabled;
	char created_at[32];
	char last_feed_at[32];
	int64_t facts_stored;
	int64_t facts_unchanged;
	int64_t facts_rejected;
	char last_error[512];
};

/* Registers i with the SHA-256 of its token, and the audit row a, in one
 * transaction.  STORE_EXISTS when the code is taken. */
enum store_rc store_institution_add(struct store *st,
    const struct store_institution *i, const uint8_t token_hash[32],
    const char *by, const struct store_audit *a);

/* Replaces an institution's token hash (the old token stops working at
 * once), with the audit row a.  STORE_NOTFOUND for no such code. */
enum store_rc store_institution_rotate(struct store *st, const char *code,
    const uint8_t token_hash[32], const struct store_audit *a);

/* Disables (disabled 1) or enables an institution, with the audit row a.
 * STORE_NOTFOUND for no such code. */
enum store_rc store_institution_set_disabled(struct store *st,
    const char *code, int disabled, const struct store_audit *a);

/* Fills *i: by code, by token hash, or by client certificate name (a
 * non-empty cert_cn).  STORE_NOTFOUND when none matches; a disabled
 * institution is found (the caller refuses it). */
enum store_rc store_institution_get(struct store *st, const char *code,
    struct store_institution *i);
enum store_rc store_institution_by_token(struct store *st,
    const uint8_t token_hash[32], struct store_institution *i);
enum store_rc store_institution_by_cn(struct store *st, const char *cn,
    struct store_institution *i);

/* Calls fn for every institution in code order.  STORE_OK or STORE_ERR. */
enum store_rc store_institution_list(struct store *st,
    void (*fn)(void *arg, const struct store_institution *i), void *arg);

/*
 * One item of a batch.  The caller fills f (source, batch_id and
 * received_at are set by the store), digest, and for an item it refused
 * already code and message.  must_exist, when not NULL, is a national ID
 * that must be in the registry (field names it for the message).  The
 * store sets outcome ("stored", "unchanged", "error") and, for items it
 * refuses, code ("unknown_person", "conflict") and message (a static or
 * the item's own msgbuf).
 */
struct store_fact_item {
	int index;		/* 0-based in a batch, a line in a file */
	struct store_fact f;
	uint8_t digest[32];
	const char *must_exist;
	const char *must_exist_field;
	const char *outcome;
	const char *code;
	const char *message;
	char msgbuf[96];
};

struct store_fact_totals {
	int stored, unchanged, errors;
};

/*
 * Stores a batch from source in one transaction: every good item not held
 * yet, the refused ones as feed_errors rows, the institution's totals, last
 * feed and last error, and the audit row a whose detail gets the counts
 * appended ("<a->detail>: 3 stored, 1 unchanged, 2 errors").  Items are
 * judged in order, so a record id sent twice in one batch is a resend (or
 * a conflict) of its first.  Fills *t.  STORE_OK or STORE_ERR (nothing
 * written).
 */
enum store_rc store_fact_submit(struct store *st, const char *source,
    const char *batch_id, struct store_fact_item *items, size_t n,
    const struct store_audit *a, struct store_fact_totals *t);

/* A feed error as stored. */
struct store_feed_error {
	char at[32];
	char batch_id[80];
	int item;
	char record_id[80];
	char code[24];
	char message[512];
};

/* Calls fn for source's newest feed errors, up to limit.  Count or -1. */
int store_feed_errors(struct store *st, const char *source, int limit,
    void (*fn)(void *arg, const struct store_feed_error *e), void *arg);

/* Calls fn for the facts held about national_id, newest period first (and
 * of one kind unless kind is "" ), up to limit.  Count or -1. */
int store_fact_person(struct store *st, const char *national_id,
    const char *kind, int limit,
    void (*fn)(void *arg, const struct store_fact *f), void *arg);

/*
 * A registry search for institutions.  A predicate names an attribute of
 * exchange.proto (attr), an operator and its values, checked by the
 * caller; numbers are given as decimal text.  national_id (not NULL)
 * finds that person alone.  Merged records are never found; the
 * predicates also skip the dead.
 */
struct store_search_pred {
	const char *attr;
	const char *op;
	size_t nvalues;
	const char *const *values;
};

struct store_search_hit {
	const char *national_id, *given_names, *surname, *birth_date, *sex;
	const char *municipality;
	int64_t household_id;	/* 0: in no household */
	int household_size;
	const char *benefits;	/* active programmes, comma-separated */
};

/*
 * Calls fn for the matches in national ID order after after_id ("" from
 * the start), up to limit, with today ("YYYY-MM-DD") for ages.  The hit is
 * valid during the callback.  Returns the count, or -1 (also for an
 * attribute or operator it does not know).
 */
int store_fact_search(struct store *st, const char *national_id,
    const struct store_search_pred *preds, size_t npreds,
    const char *today, const char *after_id, int limit,
    void (*fn)(void *arg, const struct store_search_hit *h), void *arg);

/* Appends audit rows (the answer of a search: the call's row and one per
 * person returned) in one transaction.  0, or -1. */
int store_fact_audit_rows(struct store *st, const struct store_audit *rows,
    size_t n);

#endif
