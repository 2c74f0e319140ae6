/*
 * store_audit.c: the audit trail's chain.  Every row carries a hash over
 * its fields and the previous row's hash.  Rows before the keyed start
 * (table audit_key, migration 6) use plain SHA-256, as the first releases
 * wrote them; from it on the hash is an HMAC-SHA256 under a key that lives
 * outside the database, so that an edit made with the sqlite3 shell cannot
 * be covered by recomputing the chain.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "check.h"
#include "log.h"
#include "store.h"
#include "store_audit.h"
#include "store_int.h"

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The hash of one audit row over the previous hash and each field, every
 * field preceded by its length so that no two rows collide by moving text
 * between fields: plain SHA-256 when key is NULL, else HMAC-SHA256. */
static void
store_audit_hash(unsigned char out[32], const unsigned char *key,
    const unsigned char *prev, size_t prevlen, const char *const fields[],
    size_t nfields)
{
	crypto_hash_sha256_state h;
	crypto_auth_hmacsha256_state m;
	unsigned char lenbuf[8];

	if (key != NULL)
		crypto_auth_hmacsha256_init(&m, key, 32);
	else
		crypto_hash_sha256_init(&h);
#define UPDATE(p, n) (key != NULL ? \
	crypto_auth_hmacsha256_update(&m, (p), (n)) : \
	crypto_hash_sha256_update(&h, (p), (n)))
	UPDATE(prev, prevlen);
	for (size_t i = 0; i < nfields; i++) {
		uint64_t n = strlen(fields[i]);

		for (int b = 0; b < 8; b++)
			lenbuf[b] = (unsigned char)(n >> (8 * b));
		UPDATE(lenbuf, sizeof lenbuf);
		UPDATE((const unsigned char *)fields[i], n);
	}
#undef UPDATE
	if (key != NULL) {
		crypto_auth_hmacsha256_final(&m, out);
		sodium_memzero(&m, sizeof m);
	} else
		crypto_hash_sha256_final(&h, out);
}

/* The fields of a row in hash order.  The municipality came with
 * migration 4 and is hashed only when set, so that rows written before it
 * still verify. */
static size_t
store_audit_fields(const char *fields[10], const char *at,
    const struct store_audit *a)
{
	fields[0] = at;
	fields[1] = nz(a->actor);
	fields[2] = nz(a->role);
	fields[3] = nz(a->terminal);
	fields[4] = nz(a->method);
	fields[5] = nz(a->subject);
	fields[6] = nz(a->purpose);
	fields[7] = nz(a->outcome);
	fields[8] = nz(a->detail);
	fields[9] = nz(a->municipality);
	return fields[9][0] != '\0' ? 10 : 9;
}

/* The tag that binds the keyed start to the key. */
static void
store_audit_start_tag(const unsigned char key[32], int64_t from_id,
    unsigned char out[32])
{
	char msg[64];
	int n;

	n = snprintf(msg, sizeof msg, "spis audit keyed from %" PRId64,
	    from_id);
	crypto_auth_hmacsha256(out, (const unsigned char *)msg, (size_t)n,
	    key);
}

int
store_audit_load(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT from_id FROM audit_key WHERE id = 1");
	if (s == NULL) {
		snprintf(err, errlen, "cannot read the audit key record: %s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	rc = sqlite3_step(s);
	st->audit_keyed_from = 0; /* also after a restore replaced it all */
	if (rc == SQLITE_ROW)
		st->audit_keyed_from = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read the audit key record: %s",
		    sqlite3_errmsg(st->db));
		store_release(st, s);
		return -1;
	}
	store_release(st, s);
	return 0;
}

/* The instant now as the trail writes it, "2026-11-24T10:00:00.000Z". */
static void
store_audit_now(char *at, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(at, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

/* store_audit_insert, with the row's instant given (a held row keeps the
 * time of the call it records). */
static int
store_audit_insert_at(struct store *st, const struct store_audit *a,
    const char *at)
{
	sqlite3_stmt *last = NULL, *ins = NULL;
	unsigned char prev[32] = {0}, hash[32];
	const char *fields[10];
	char *scrubbed[10] = {NULL};
	size_t nf;
	int rc = -1;

	/* A plain row after keyed ones would break the chain for good. */
	if (st->audit_keyed_from > 0 && !st->audit_has_key) {
		log_error("store: audit insert: the audit chain is keyed and "
		    "no key was loaded");
		return -1;
	}
	nf = store_audit_fields(fields, at, a);
	/* A row quotes requests (a subject as sent, a detail cut to 16
	 * bytes) and is read back into replies, which must be UTF-8: a field
	 * that is not is stored with each bad byte as '?'. */
	for (int i = 0; i < 10; i++)
		if (!check_utf8_valid(fields[i], strlen(fields[i]))) {
			if ((scrubbed[i] = strdup(fields[i])) == NULL)
				goto out;
			check_utf8_scrub(scrubbed[i]);
			fields[i] = scrubbed[i];
		}
	last = store_prepare(st,
	    "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
	if (last == NULL)
		goto out;
	if (sqlite3_step(last) == SQLITE_ROW &&
	    sqlite3_column_bytes(last, 0) == (int)sizeof prev)
		memcpy(prev, sqlite3_column_blob(last, 0), sizeof prev);
	store_audit_hash(hash, st->audit_keyed_from > 0 ? st->audit_key :
	    NULL, prev, sizeof prev, fields, nf);
	ins = store_prepare(st,
	    "INSERT INTO audit (at, actor, role, terminal, method, subject,"
	    " purpose, outcome, detail, municipality, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (ins == NULL)
		goto out;
	for (int i = 0; i < 10; i++)
		sqlite3_bind_text(ins, i + 1, fields[i], -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 11, prev, sizeof prev, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 12, hash, sizeof hash, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "audit insert");
		goto out;
	}
	rc = 0;
out:
	store_release(st, last);
	store_release(st, ins);
	for (int i = 0; i < 10; i++)
		free(scrubbed[i]);
	return rc;
}

int
store_audit_insert(struct store *st, const struct store_audit *a)
{
	char at[64];

	store_audit_now(at, sizeof at);
	return store_audit_insert_at(st, a, at);
}

/*
 * Rows held while storage failed.  A read is answered even when its audit
 * row cannot be written (the disk full, say): refusing it would not make
 * the disk any emptier.  The row is kept in memory instead, with its time,
 * and written ahead of the next row that can be; at most STORE_HELD_MAX
 * rows, and when more were lost than that, a row says how many, so the
 * trail never hides the gap.  Only a crash while storage is failing can
 * lose held rows.
 */
#define STORE_HELD_MAX 10000

struct store_audit_held {
	struct store_audit a;
	char at[64];
	char *buf; /* the strings of a, in one allocation */
};

/* Copies a into a new held row; lock held. */
static void
store_audit_hold(struct store *st, const struct store_audit *a)
{
	struct store_audit_held *h;
	const char *src[9] = {a->actor, a->role, a->terminal, a->method,
	    a->subject, a->purpose, a->outcome, a->detail, a->municipality};
	const char **dst[9];
	size_t len = 0, at = 0;

	if (st->nheld >= STORE_HELD_MAX) {
		st->held_lost++;
		return;
	}
	if (st->nheld == st->held_cap) {
		size_t cap = st->held_cap ? st->held_cap * 2 : 64;
		void *p = realloc(st->held, cap * sizeof *st->held);

		if (p == NULL) {
			st->held_lost++;
			return;
		}
		st->held = p;
		st->held_cap = cap;
	}
	h = &st->held[st->nheld];
	memset(h, 0, sizeof *h);
	dst[0] = &h->a.actor, dst[1] = &h->a.role, dst[2] = &h->a.terminal;
	dst[3] = &h->a.method, dst[4] = &h->a.subject, dst[5] = &h->a.purpose;
	dst[6] = &h->a.outcome, dst[7] = &h->a.detail;
	dst[8] = &h->a.municipality;
	for (int i = 0; i < 9; i++)
		len += (src[i] != NULL ? strlen(src[i]) : 0) + 1;
	if ((h->buf = malloc(len)) == NULL) {
		st->held_lost++;
		return;
	}
	for (int i = 0; i < 9; i++) {
		size_t n = src[i] != NULL ? strlen(src[i]) : 0;

		memcpy(h->buf + at, src[i] != NULL ? src[i] : "", n);
		h->buf[at + n] = '\0';
		*dst[i] = h->buf + at;
		at += n + 1;
	}
	store_audit_now(h->at, sizeof h->at);
	st->nheld++;
}

/* Writes the held rows, and a row for any lost, in the open transaction;
 * lock held.  Returns 0 or -1. */
static int
store_audit_write_held(struct store *st)
{
	char detail[160];
	struct store_audit lost = {.actor = "system", .terminal = "",
	    .method = "audit rows lost", .outcome = "DATA_LOSS",
	    .detail = detail};

	for (size_t i = 0; i < st->nheld; i++)
		if (store_audit_insert_at(st, &st->held[i].a,
		    st->held[i].at) != 0)
			return -1;
	if (st->held_lost > 0) {
		snprintf(detail, sizeof detail, "%lld audit rows could not be "
		    "written or held while storage failed",
		    (long long)st->held_lost);
		if (store_audit_insert(st, &lost) != 0)
			return -1;
	}
	return 0;
}

static void
store_audit_held_clear(struct store *st)
{
	for (size_t i = 0; i < st->nheld; i++)
		free(st->held[i].buf);
	st->nheld = 0;
	st->held_lost = 0;
}

/*
 * Group commit.  A read's audit row must be durable before the read is
 * answered, and with synchronous = FULL each commit waits for the disk, so
 * one commit per call made every call of every thread queue behind the
 * previous call's fsync.  Callers now queue their rows; the first to find
 * no leader becomes the leader, takes every row queued so far and writes
 * them in one transaction, in queue order, each chained to the one before
 * it as always, commits once and wakes the others.  Each caller returns
 * when its own row was committed (or held, below), so no read is answered
 * before its row is on disk; rows that queue while a leader commits make
 * the next group.
 */
struct store_audit_wait {
	const struct store_audit *a;
	struct store_audit_wait *next;
	int done, rc;
	/* An asynchronous row (store_audit_append_async): malloc'd, told
	 * through cb and freed once written; a synchronous one lives on its
	 * caller's stack and has no cb. */
	void (*cb)(void *, int);
	void *arg;
};

/* Writes one group in one transaction, or holds every row of it when
 * storage fails; sets each row's rc. */
static void
store_audit_group(struct store *st, struct store_audit_wait *group)
{
	struct store_audit_wait *w;
	int rc = -1;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) == 0) {
		rc = store_audit_write_held(st);
		for (w = group; rc == 0 && w != NULL; w = w->next)
			rc = store_audit_insert(st, w->a);
		if (rc == 0)
			rc = store_commit(st); /* rolls back on failure */
		else
			store_rollback(st);
	}
	if (rc == 0)
		store_audit_held_clear(st);
	else {
		for (w = group; w != NULL; w = w->next)
			store_audit_hold(st, w->a);
		log_warn("store: audit row held in memory (%zu held) until "
		    "storage works again", st->nheld);
	}
	for (w = group; w != NULL; w = w->next)
		w->rc = rc;
	pthread_mutex_unlock(&st->lock);
}

/* Leads one group: takes every queued row, writes them and tells their
 * callers.  Called and returns with qlock held, and drops it meanwhile. */
static void
store_audit_lead(struct store *st)
{
	struct store_audit_wait *group, *next, *async = NULL, **atail = &async;

	st->qleader = 1;
	group = st->qhead;
	st->qhead = NULL;
	st->qtail = &st->qhead;
	pthread_mutex_unlock(&st->qlock);
	store_audit_group(st, group);
	pthread_mutex_lock(&st->qlock);
	/* A synchronous caller's entry lives on its stack: marked done
	 * last, after which it is not touched again. */
	for (; group != NULL; group = next) {
		next = group->next;
		if (group->cb != NULL) {
			group->next = NULL;
			*atail = group;
			atail = &group->next;
		} else
			group->done = 1;
	}
	st->qleader = 0;
	pthread_cond_broadcast(&st->qcond);
	if (async != NULL) {
		/* The callbacks answer calls: not under the queue's lock. */
		pthread_mutex_unlock(&st->qlock);
		for (; async != NULL; async = next) {
			next = async->next;
			async->cb(async->arg, async->rc);
			free(async);
		}
		pthread_mutex_lock(&st->qlock);
	}
}

int
store_audit_append(struct store *st, const struct store_audit *a)
{
	struct store_audit_wait w = {.a = a};
	int rc;

	pthread_mutex_lock(&st->qlock);
	*st->qtail = &w;
	st->qtail = &w.next;
	while (!w.done) {
		if (st->qleader)
			pthread_cond_wait(&st->qcond, &st->qlock);
		else
			store_audit_lead(st);
	}
	rc = w.rc;
	pthread_mutex_unlock(&st->qlock);
	return rc;
}

/*
 * The writer of asynchronous rows.  A call waiting for its row used to
 * keep its RPC thread, so a group could never be larger than the number of
 * threads (two on a two-core machine) and every call paid most of an
 * fsync.  Now the call is held without a thread (rpc_hold) and this thread
 * commits whatever queued during the previous commit in one group.
 */
static void *
store_audit_writer(void *arg)
{
	struct store *st = arg;

	pthread_mutex_lock(&st->qlock);
	for (;;) {
		if (st->qhead != NULL && !st->qleader)
			store_audit_lead(st);
		else if (st->qstop && st->qhead == NULL && !st->qleader)
			break;
		else
			pthread_cond_wait(&st->qcond, &st->qlock);
	}
	pthread_mutex_unlock(&st->qlock);
	return NULL;
}

void
store_audit_append_async(struct store *st, const struct store_audit *a,
    void (*cb)(void *, int), void *arg)
{
	struct store_audit_wait *w;

	pthread_mutex_lock(&st->qlock);
	if (!st->qwriter && !st->qstop) {
		if (pthread_create(&st->qthread, NULL, store_audit_writer,
		    st) == 0)
			st->qwriter = 1;
		else
			log_error("store: audit writer thread: cannot start");
	}
	if (!st->qwriter || (w = calloc(1, sizeof *w)) == NULL) {
		/* Written now, on the caller's thread, rather than lost. */
		pthread_mutex_unlock(&st->qlock);
		cb(arg, store_audit_append(st, a));
		return;
	}
	w->a = a;
	w->cb = cb;
	w->arg = arg;
	*st->qtail = w;
	st->qtail = &w->next;
	pthread_cond_broadcast(&st->qcond);
	pthread_mutex_unlock(&st->qlock);
}

void
store_audit_writer_stop(struct store *st)
{
	int running;

	pthread_mutex_lock(&st->qlock);
	st->qstop = 1;
	running = st->qwriter;
	pthread_cond_broadcast(&st->qcond);
	pthread_mutex_unlock(&st->qlock);
	if (running)
		pthread_join(st->qthread, NULL);
	st->qwriter = 0;
}

void
store_audit_release(struct store *st)
{
	size_t held = 0;

	if (st->nheld > 0 || st->held_lost > 0) {
		if (store_audit_flush(st, &held) != 0)
			log_error("store: %zu held audit rows could not be "
			    "written before closing", held);
	}
	store_audit_held_clear(st);
	free(st->held);
	st->held = NULL;
	st->held_cap = 0;
}

int
store_audit_flush(struct store *st, size_t *held)
{
	int rc = 0;

	pthread_mutex_lock(&st->lock);
	if (st->nheld > 0 || st->held_lost > 0) {
		rc = -1;
		if (store_begin(st) == 0) {
			if (store_audit_write_held(st) == 0 &&
			    store_commit(st) == 0) {
				log_info("store: %zu held audit rows written",
				    st->nheld);
				store_audit_held_clear(st);
				rc = 0;
			} else
				store_rollback(st);
		}
	}
	if (held != NULL)
		*held = st->nheld;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Records the keyed start at the next row and appends start_row as that
 * row; lock held.  Returns 0 or -1. */
static int
store_audit_start(struct store *st, const struct store_audit *start_row)
{
	sqlite3_stmt *s;
	unsigned char tag[32];
	int64_t from_id = 1;

	if (store_begin(st) != 0)
		return -1;
	s = store_prepare(st, "SELECT coalesce(max(id), 0) + 1 FROM audit");
	if (s == NULL || sqlite3_step(s) != SQLITE_ROW) {
		store_release(st, s);
		goto fail;
	}
	from_id = sqlite3_column_int64(s, 0);
	store_release(st, s);
	store_audit_start_tag(st->audit_key, from_id, tag);
	s = store_prepare(st,
	    "INSERT INTO audit_key (id, from_id, tag) VALUES (1, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, from_id);
		sqlite3_bind_blob(s, 2, tag, sizeof tag, SQLITE_STATIC);
	}
	if (store_write(st, s, "audit key record") != STORE_OK)
		goto fail;
	st->audit_keyed_from = from_id;
	if (store_audit_insert(st, start_row) != 0 ||
	    sqlite3_last_insert_rowid(st->db) != from_id)
		goto fail;
	if (store_commit(st) != 0) {
		st->audit_keyed_from = 0;
		return -1;
	}
	log_info("store: the audit chain is keyed from row %" PRId64,
	    from_id);
	return 0;
fail:
	st->audit_keyed_from = 0;
	store_rollback(st);
	return -1;
}

int
store_audit_set_key(struct store *st, const unsigned char key[32],
    const struct store_audit *start_row, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	unsigned char tag[32];
	int rc = -1, step;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT from_id, tag FROM audit_key WHERE id = 1");
	if (s == NULL) {
		snprintf(err, errlen, "cannot read the audit key record");
		goto out;
	}
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		st->audit_keyed_from = sqlite3_column_int64(s, 0);
		store_audit_start_tag(key, st->audit_keyed_from, tag);
		if (sqlite3_column_bytes(s, 1) != (int)sizeof tag ||
		    sodium_memcmp(sqlite3_column_blob(s, 1), tag,
			sizeof tag) != 0) {
			snprintf(err, errlen, "the audit key does not match "
			    "this database (a wrong key file, or the "
			    "database's audit key record was altered)");
			goto out;
		}
	} else if (step != SQLITE_DONE) {
		store_log_error(st, "audit key record");
		snprintf(err, errlen, "cannot read the audit key record");
		goto out;
	} else
		st->audit_keyed_from = 0;
	store_release(st, s);
	s = NULL;
	memcpy(st->audit_key, key, sizeof st->audit_key);
	st->audit_has_key = 1;
	if (st->audit_keyed_from == 0 && start_row != NULL &&
	    store_audit_start(st, start_row) != 0) {
		snprintf(err, errlen, "cannot record the audit chain's key");
		sodium_memzero(st->audit_key, sizeof st->audit_key);
		st->audit_has_key = 0;
		goto out;
	}
	rc = 0;
out:
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int64_t
store_audit_keyed_from(struct store *st)
{
	int64_t v;

	pthread_mutex_lock(&st->lock);
	v = st->audit_keyed_from;
	pthread_mutex_unlock(&st->lock);
	return v;
}

int
store_audit_check(struct store *st, struct store_audit_check *c)
{
	sqlite3_stmt *s;
	unsigned char prev[32] = {0}, hash[32];
	const char *fields[10];
	struct store_audit a;
	size_t nf;
	int64_t id;
	int rc, keyed;

	memset(c, 0, sizeof *c);
	c->verdict = STORE_AUDIT_INTACT;
	pthread_mutex_lock(&st->lock);
	c->keyed_from = st->audit_keyed_from;
	s = store_prepare(st,
	    "SELECT id, at, actor, role, terminal, method, subject, purpose,"
	    " outcome, detail, prev_hash, hash, municipality FROM audit"
	    " ORDER BY id");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		c->verdict = STORE_AUDIT_UNREADABLE;
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		keyed = c->keyed_from > 0 && id >= c->keyed_from;
		if (keyed && !st->audit_has_key) {
			c->verdict = STORE_AUDIT_NOKEY;
			c->bad_id = id;
			break;
		}
		a.actor = (const char *)sqlite3_column_text(s, 2);
		a.role = (const char *)sqlite3_column_text(s, 3);
		a.terminal = (const char *)sqlite3_column_text(s, 4);
		a.method = (const char *)sqlite3_column_text(s, 5);
		a.subject = (const char *)sqlite3_column_text(s, 6);
		a.purpose = (const char *)sqlite3_column_text(s, 7);
		a.outcome = (const char *)sqlite3_column_text(s, 8);
		a.detail = (const char *)sqlite3_column_text(s, 9);
		a.municipality = (const char *)sqlite3_column_text(s, 12);
		nf = store_audit_fields(fields,
		    (const char *)sqlite3_column_text(s, 1), &a);
		store_audit_hash(hash, keyed ? st->audit_key : NULL, prev,
		    sizeof prev, fields, nf);
		if (sqlite3_column_bytes(s, 10) != 32 ||
		    memcmp(sqlite3_column_blob(s, 10), prev, 32) != 0 ||
		    sqlite3_column_bytes(s, 11) != 32 ||
		    memcmp(sqlite3_column_blob(s, 11), hash, 32) != 0) {
			c->verdict = STORE_AUDIT_BROKEN;
			c->bad_id = id;
			break;
		}
		memcpy(prev, hash, sizeof prev);
		c->last_id = id;
		c->checked++;
	}
	memcpy(c->last_hash, prev, sizeof c->last_hash);
	if (c->verdict == STORE_AUDIT_INTACT) {
		/* A read error is not the end of the trail: say it could not
		 * be checked rather than "intact". */
		if (rc != SQLITE_DONE) {
			store_log_error(st, "audit verify");
			c->verdict = STORE_AUDIT_UNREADABLE;
		} else if (c->keyed_from > 0 && c->last_id < c->keyed_from)
			/* The keyed start is always a row of its own. */
			c->verdict = STORE_AUDIT_TRUNCATED;
		else if (c->keyed_from == 0 && st->audit_has_key &&
		    c->last_id > 0)
			c->verdict = STORE_AUDIT_UNKEYED;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return c->verdict == STORE_AUDIT_INTACT ? 0 : -1;
}

int64_t
store_audit_verify(struct store *st, int64_t *bad_id, int64_t *checked)
{
	struct store_audit_check c;

	store_audit_check(st, &c);
	*checked = c.checked;
	switch (c.verdict) {
	case STORE_AUDIT_INTACT:
		*bad_id = 0;
		return c.checked;
	case STORE_AUDIT_BROKEN:
	case STORE_AUDIT_NOKEY:
		*bad_id = c.bad_id;
		return -1;
	case STORE_AUDIT_TRUNCATED:
		/* The first missing row. */
		*bad_id = c.last_id + 1;
		return -1;
	case STORE_AUDIT_UNKEYED:
		*bad_id = 1;
		return -1;
	default:
		*bad_id = 0;
		return -1;
	}
}

static enum store_rc
store_audit_hash_row(struct store *st, const char *sql, int64_t id,
    int64_t *out_id, uint8_t hash[32])
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int step;

	pthread_mutex_lock(&st->lock);
	if ((s = store_prepare(st, sql)) == NULL)
		goto out;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == 32) {
			memcpy(hash, sqlite3_column_blob(s, 1), 32);
			rc = STORE_OK;
		} else
			rc = STORE_CONFLICT;
	} else if (step == SQLITE_DONE) {
		*out_id = 0;
		memset(hash, 0, 32);
		rc = STORE_NOTFOUND;
	} else
		store_log_error(st, "audit head");
out:
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_audit_row_hash(struct store *st, int64_t id, uint8_t hash[32])
{
	int64_t got;

	return store_audit_hash_row(st,
	    "SELECT id, hash FROM audit WHERE id = ?", id, &got, hash);
}

enum store_rc
store_audit_head(struct store *st, int64_t *id, uint8_t hash[32])
{
	enum store_rc rc;

	rc = store_audit_hash_row(st,
	    "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
	    0, id, hash);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int
store_audit_mac(struct store *st, const void *msg, size_t len,
    uint8_t out[32])
{
	int rc = -1;

	pthread_mutex_lock(&st->lock);
	if (st->audit_has_key) {
		crypto_auth_hmacsha256(out, msg, len, st->audit_key);
		rc = 0;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}
