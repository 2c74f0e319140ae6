/*
 * store_notice.h: the notices outbox.  Only the store (store_notice.c)
 * implements these; notices.c delivers and reads them.  Notices are added
 * inside the transaction of the change they announce, with
 * store_notice_add_tx() (store_int.h).
 */
#ifndef SPIS_STORE_NOTICE_H
#define SPIS_STORE_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A notice to add: what a change fills in for its transaction. */
struct store_notice {
	const char *national_id;
	const char *kind;
	const char *language;
	const char *subject;
	const char *body;
	const char *reference;
};

/* A notice as stored.  Strings are valid during the callback only. */
struct store_notice_row {
	int64_t id;
	const char *national_id, *kind, *language, *subject, *body, *reference;
	const char *state, *last_error, *created_at, *sent_at;
	int attempts;
};

/* A person's notices, newest first. */
enum store_rc store_notice_list(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg);

/* One notice; STORE_NOTFOUND when there is none with this id. */
enum store_rc store_notice_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg);

/*
 * The oldest pending notice due at now, passed to fn (under the store's
 * lock: fn copies, it does not deliver).  STORE_NOTFOUND when none is due.
 */
enum store_rc store_notice_due(struct store *st, int64_t now,
    void (*fn)(void *arg, const struct store_notice_row *n), void *arg);

/*
 * Records a delivery attempt: sent, or a failure with error that is tried
 * again at retry_at, or given up ("failed") once attempts reach
 * max_attempts.
 */
enum store_rc store_notice_attempt(struct store *st, int64_t id, int sent,
    const char *error, int64_t retry_at, int max_attempts);

#endif
