/*
 * store_audit.h: the audit chain's key and anchors (store_audit.c).  Only
 * the store implements these; the daemon and its operator commands call
 * them.
 *
 * Rows written before a key was recorded are chained with plain SHA-256;
 * from the first keyed row on, each row's hash is an HMAC-SHA256 under a key
 * kept outside the database, so that someone with only the database cannot
 * recompute the chain after an edit.  A deletion of the newest rows leaves
 * no gap in the chain; the head (the last row's id and hash), copied
 * elsewhere, catches it.
 */
#ifndef SPIS_STORE_AUDIT_H
#define SPIS_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * Gives the store the chain's key (32 bytes, copied).  When the database
 * already records a keyed start, the key must match it, or this returns -1
 * with a reason in err and the store stays without a key.  When it records
 * none and start_row is not NULL, the keyed start is recorded now: start_row
 * is appended as the first keyed row, in the same transaction.  With
 * start_row NULL (a check that must not write), the key is only remembered.
 * Returns 0, or -1.
 */
int store_audit_set_key(struct store *st, const unsigned char key[32],
    const struct store_audit *start_row, char *err, size_t errlen);

/* The first keyed row, 0 when the database records no keyed start. */
int64_t store_audit_keyed_from(struct store *st);

/* What a walk of the whole trail found. */
enum store_audit_verdict {
	STORE_AUDIT_INTACT,
	STORE_AUDIT_BROKEN,	/* bad_id was altered, or rows before it
				 * deleted or inserted */
	STORE_AUDIT_NOKEY,	/* rows from keyed_from on are keyed, and the
				 * store has no key */
	STORE_AUDIT_UNKEYED,	/* a key was given, but the database records
				 * no keyed start although it has rows: the
				 * record was removed and the rows re-hashed */
	STORE_AUDIT_TRUNCATED,	/* the keyed start names a row past the end:
				 * rows from keyed_from on were removed */
	STORE_AUDIT_UNREADABLE,	/* a storage error, already logged */
};

struct store_audit_check {
	enum store_audit_verdict verdict;
	int64_t checked;	/* rows that verified before the first bad */
	int64_t bad_id;		/* STORE_AUDIT_BROKEN or _NOKEY: that row */
	int64_t last_id;	/* the last row, 0 for an empty trail */
	uint8_t last_hash[32];	/* and its hash as stored */
	int64_t keyed_from;	/* the first keyed row, 0 when none */
};

/* Walks the whole trail.  Returns 0 when intact, -1 otherwise; *c says
 * which. */
int store_audit_check(struct store *st, struct store_audit_check *c);

/* The stored hash of row id: STORE_OK, STORE_NOTFOUND or STORE_ERR.  Only
 * meaningful after a check found the trail intact. */
enum store_rc store_audit_row_hash(struct store *st, int64_t id,
    uint8_t hash[32]);

/* The last row's id and hash (the head), id 0 for an empty trail. */
enum store_rc store_audit_head(struct store *st, int64_t *id,
    uint8_t hash[32]);

/* HMAC-SHA256 of msg under the store's key, for anchors kept outside the
 * database (the head file).  -1 when the store has no key. */
int store_audit_mac(struct store *st, const void *msg, size_t len,
    uint8_t out[32]);

#endif
