/*
 * store_duplicate.c: duplicate flags.  The scan that finds people alike,
 * the review list, and the resolution of a pair: distinct, or a merge that
 * leaves one record standing and points the other's household, consent and
 * document rows at it.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "store.h"
#include "store_duplicate.h"
#include "store_int.h"

/* People found per reason at most: a phone shared by a whole care home
 * must not turn one registration into thousands of flags. */
#define DUP_SCAN_MAX 100
#define DUP_STR_(x) #x
#define DUP_STR(x) DUP_STR_(x)

enum {
	DUP_NAME = 1u << 0,
	DUP_PHONE = 1u << 1,
	DUP_TRANSPOSED = 1u << 2,
};

static const char *const dup_reason_names[] = {
	"same_name_birth_date", "same_phone", "transposed_id",
};
#define DUP_NREASONS (sizeof dup_reason_names / sizeof dup_reason_names[0])

static char *
dup_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

static unsigned
dup_reasons_parse(const char *s)
{
	unsigned bits = 0;
	size_t len;

	while (*s != '\0') {
		len = strcspn(s, ",");
		for (size_t i = 0; i < DUP_NREASONS; i++)
			if (strlen(dup_reason_names[i]) == len &&
			    strncmp(s, dup_reason_names[i], len) == 0)
				bits |= 1u << i;
		s += len;
		if (*s == ',')
			s++;
	}
	return bits;
}

/* The reasons in their fixed order; out holds every name (64 bytes). */
static void
dup_reasons_text(unsigned bits, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < DUP_NREASONS; i++)
		if (bits & (1u << i))
			off += (size_t)snprintf(out + off, len - off, "%s%s",
			    off > 0 ? "," : "", dup_reason_names[i]);
}

/* ------------------------------------------------------------------------ */

struct dup_match {
	char *id;
	char *name;
	unsigned reasons;
};

struct dup_matches {
	struct dup_match *v;
	size_t n, cap;
};

static void
dup_match_add(struct dup_matches *m, const char *id, const char *name,
    unsigned reason)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].id, id) == 0) {
			m->v[i].reasons |= reason;
			return;
		}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		if ((m->v = realloc(m->v, m->cap * sizeof *m->v)) == NULL)
			fatalx("out of memory");
	}
	m->v[m->n].id = dup_strdup(id);
	m->v[m->n].name = dup_strdup(name);
	m->v[m->n].reasons = reason;
	m->n++;
}

static void
dup_matches_free(struct dup_matches *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].id);
		free(m->v[i].name);
	}
	free(m->v);
}

/* Steps a query whose rows are (national_id, name), adding each row as a
 * match for reason.  The statement is reset, not finalised. */
static int
dup_collect(sqlite3_stmt *s, struct dup_matches *m, unsigned reason)
{
	int r;

	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		dup_match_add(m, store_text(s, 0), store_text(s, 1), reason);
	sqlite3_reset(s);
	return r == SQLITE_DONE ? 0 : -1;
}

#define DUP_MATCH_COLS "national_id, given_names || ' ' || surname"

/*
 * The three questions of the scan.  Each excludes merged records and the
 * person themself; the name and phone questions use the indexes of
 * migration 4, the transposition one the primary key, once for each
 * adjacent pair of different digits.
 */
static int
dup_find(struct store *st, const char *id, const char *key,
    const char *birth, const char *phone, struct dup_matches *m)
{
	sqlite3_stmt *s;
	char alt[64], c;
	size_t len = strlen(id);
	int rc = -1;

	s = store_prepare(st, "SELECT " DUP_MATCH_COLS " FROM people"
	    " WHERE name_key = ? AND birth_date = ? AND national_id <> ?"
	    " AND merged_into = '' LIMIT " DUP_STR(DUP_SCAN_MAX));
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, birth, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	if (dup_collect(s, m, DUP_NAME) != 0)
		goto out;
	store_release(st, s);

	s = store_prepare(st, "SELECT " DUP_MATCH_COLS " FROM people"
	    " WHERE phone = ? AND phone <> '' AND national_id <> ?"
	    " AND merged_into = '' LIMIT " DUP_STR(DUP_SCAN_MAX));
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (phone[0] != '\0' && dup_collect(s, m, DUP_PHONE) != 0)
		goto out;
	store_release(st, s);

	s = store_prepare(st, "SELECT " DUP_MATCH_COLS " FROM people"
	    " WHERE national_id = ? AND merged_into = ''");
	if (s == NULL)
		return -1;
	if (len < sizeof alt) {
		for (size_t i = 0; i + 1 < len; i++) {
			if (!isdigit((unsigned char)id[i]) ||
			    !isdigit((unsigned char)id[i + 1]) ||
			    id[i] == id[i + 1])
				continue;
			memcpy(alt, id, len + 1);
			c = alt[i];
			alt[i] = alt[i + 1];
			alt[i + 1] = c;
			sqlite3_bind_text(s, 1, alt, -1, SQLITE_TRANSIENT);
			if (dup_collect(s, m, DUP_TRANSPOSED) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0)
		store_log_error(st, "duplicate scan");
	store_release(st, s);
	return rc;
}

/* Flags the pair (x, y) for reasons, or adds them to its flag; *all is
 * every reason the flag now holds. */
static int
dup_flag_upsert(struct store *st, const char *x, const char *y,
    unsigned reasons, const char *actor, const char *now, int64_t *id,
    unsigned *all)
{
	const char *a = x, *b = y;
	sqlite3_stmt *s;
	unsigned old;
	char text[64];
	int r;

	if (strcmp(a, b) > 0) {
		a = y;
		b = x;
	}
	if ((s = store_prepare(st, "SELECT id, reasons FROM duplicate_flags"
	    " WHERE a = ? AND b = ?")) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		old = dup_reasons_parse(store_text(s, 1));
		store_release(st, s);
		*all = old | reasons;
		if (*all == old)
			return 0;
		dup_reasons_text(*all, text, sizeof text);
		s = store_prepare(st, "UPDATE duplicate_flags SET reasons = ?"
		    " WHERE id = ?");
		if (s != NULL) {
			sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, *id);
		}
		return store_write(st, s, "duplicate flag update") ==
		    STORE_OK ? 0 : -1;
	}
	store_release(st, s);
	if (r != SQLITE_DONE) {
		store_log_error(st, "duplicate flag read");
		return -1;
	}
	*all = reasons;
	dup_reasons_text(reasons, text, sizeof text);
	s = store_prepare(st, "INSERT INTO duplicate_flags (a, b, reasons,"
	    " created_at, created_by) VALUES (?, ?, ?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, actor, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "duplicate flag insert") != STORE_OK)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

enum store_rc
store_dup_scan_locked(struct store *st, const char *national_id,
    const char *actor, store_dup_scan_fn fn, void *arg)
{
	sqlite3_stmt *s;
	struct dup_matches m = {0};
	char *key = NULL, *birth = NULL, *phone = NULL;
	char now[32], text[64];
	enum store_rc rc = STORE_ERR;
	unsigned all;
	int64_t id;
	int r, merged = 0, calling = fn != NULL;

	if ((s = store_prepare(st, "SELECT name_key, birth_date, phone,"
	    " merged_into FROM people WHERE national_id = ?")) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		key = dup_strdup(store_text(s, 0));
		birth = dup_strdup(store_text(s, 1));
		phone = dup_strdup(store_text(s, 2));
		merged = store_text(s, 3)[0] != '\0';
	}
	store_release(st, s);
	if (r == SQLITE_DONE)
		return STORE_NOTFOUND;
	if (r != SQLITE_ROW) {
		store_log_error(st, "duplicate scan person");
		return STORE_ERR;
	}
	/* A merged record lives on only as history: nothing to compare. */
	if (merged) {
		rc = STORE_OK;
		goto out;
	}
	if (dup_find(st, national_id, key, birth, phone, &m) != 0)
		goto out;
	check_now(now, sizeof now);
	for (size_t i = 0; i < m.n; i++) {
		if (dup_flag_upsert(st, national_id, m.v[i].id,
		    m.v[i].reasons, actor, now, &id, &all) != 0)
			goto out;
		dup_reasons_text(all, text, sizeof text);
		if (calling && fn(arg, id, m.v[i].id, m.v[i].name, text) != 0)
			calling = 0;
	}
	rc = STORE_OK;
out:
	dup_matches_free(&m);
	free(key);
	free(birth);
	free(phone);
	return rc;
}

enum store_rc
store_dup_scan(struct store *st, const char *national_id, const char *actor,
    store_dup_scan_fn fn, void *arg)
{
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) == 0) {
		rc = store_dup_scan_locked(st, national_id, actor, fn, arg);
		if (rc == STORE_OK) {
			if (store_commit(st) != 0)
				rc = STORE_ERR;
		} else
			store_rollback(st);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------------ */

#define DUP_PERSON_COLS(p) \
	p ".given_names, " p ".surname, " p ".birth_date, " p ".municipality, " \
	p ".deceased_date, " p ".merged_into"
#define DUP_FLAG_SELECT \
	"SELECT f.id, f.reasons, f.status, f.created_at, f.created_by," \
	" f.resolved_at, f.resolved_by, f.resolution_reason, f.kept," \
	" f.a, " DUP_PERSON_COLS("pa") ", f.b, " DUP_PERSON_COLS("pb") \
	" FROM duplicate_flags f" \
	" LEFT JOIN people pa ON pa.national_id = f.a" \
	" LEFT JOIN people pb ON pb.national_id = f.b"

static void
dup_person_from_row(struct store_dup_person *p, sqlite3_stmt *s, int first)
{
	p->national_id = store_text(s, first);
	p->given_names = store_text(s, first + 1);
	p->surname = store_text(s, first + 2);
	p->birth_date = store_text(s, first + 3);
	p->municipality = store_text(s, first + 4);
	p->deceased_date = store_text(s, first + 5);
	p->merged_into = store_text(s, first + 6);
}

static void
dup_flag_from_row(struct store_dup_flag *fl, sqlite3_stmt *s)
{
	fl->id = sqlite3_column_int64(s, 0);
	fl->reasons = store_text(s, 1);
	fl->status = store_text(s, 2);
	fl->created_at = store_text(s, 3);
	fl->created_by = store_text(s, 4);
	fl->resolved_at = store_text(s, 5);
	fl->resolved_by = store_text(s, 6);
	fl->resolution_reason = store_text(s, 7);
	fl->kept = store_text(s, 8);
	dup_person_from_row(&fl->a, s, 9);
	dup_person_from_row(&fl->b, s, 16);
}

/* The list with the lock held.  The WHERE clause holds only the filters
 * set, so that the planner can use the status index for the review list. */
static int
dup_list_locked(struct store *st, const struct store_dup_filter *f,
    void (*fn)(void *arg, const struct store_dup_flag *fl), void *arg)
{
	struct store_dup_flag fl;
	sqlite3_stmt *s;
	char sql[1536];
	size_t off;
	int n = 0, r;

	off = (size_t)snprintf(sql, sizeof sql, "%s WHERE 1", DUP_FLAG_SELECT);
	if (f->id != 0)
		off += (size_t)snprintf(sql + off, sizeof sql - off,
		    " AND f.id = ?1");
	if (f->status != NULL && f->status[0] != '\0')
		off += (size_t)snprintf(sql + off, sizeof sql - off,
		    " AND f.status = ?2");
	if (f->national_id != NULL && f->national_id[0] != '\0')
		off += (size_t)snprintf(sql + off, sizeof sql - off,
		    " AND (f.a = ?3 OR f.b = ?3)");
	if (f->municipality != NULL && f->municipality[0] != '\0')
		off += (size_t)snprintf(sql + off, sizeof sql - off,
		    " AND (pa.municipality = ?4 OR pb.municipality = ?4)");
	if (f->after_id != 0)
		off += (size_t)snprintf(sql + off, sizeof sql - off,
		    " AND f.id > ?5");
	off += (size_t)snprintf(sql + off, sizeof sql - off,
	    " ORDER BY f.id%s", f->limit > 0 ? " LIMIT ?6" : "");
	if (off >= sizeof sql)
		fatalx("duplicate list: query too long");
	if ((s = store_prepare(st, sql)) == NULL)
		return -1;
	/* Parameters the text does not use are out of range and ignored. */
	sqlite3_bind_int64(s, 1, f->id);
	sqlite3_bind_text(s, 2, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, f->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, f->municipality, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, f->after_id);
	sqlite3_bind_int(s, 6, f->limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		dup_flag_from_row(&fl, s);
		fn(arg, &fl);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "duplicate list");
		n = -1;
	}
	store_release(st, s);
	return n;
}

int
store_dup_list(struct store *st, const struct store_dup_filter *f,
    void (*fn)(void *arg, const struct store_dup_flag *fl), void *arg)
{
	int n;

	pthread_mutex_lock(&st->lock);
	n = dup_list_locked(st, f, fn, arg);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_dup_person_municipality(struct store *st, const char *national_id,
    char *muni, size_t len)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT municipality FROM people"
	    " WHERE national_id = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			snprintf(muni, len, "%s", store_text(s, 0));
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "duplicate person");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------------ */

/* One membership, as a merge weighs it. */
struct dup_member {
	int64_t id;
	int64_t household;
	char relationship[32];
	char from[16];
	char to[16];	/* "" while open */
};

struct dup_members {
	struct dup_member *v;
	size_t n, cap;
};

static struct dup_member *
dup_members_push(struct dup_members *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		if ((l->v = realloc(l->v, l->cap * sizeof *l->v)) == NULL)
			fatalx("out of memory");
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	return &l->v[l->n++];
}

static int
dup_members_load(struct store *st, const char *national_id,
    struct dup_members *l)
{
	sqlite3_stmt *s;
	struct dup_member *m;
	int r;

	if ((s = store_prepare(st, "SELECT id, household_id, relationship,"
	    " from_date, to_date FROM memberships WHERE national_id = ?"
	    " ORDER BY from_date, id")) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		m = dup_members_push(l);
		m->id = sqlite3_column_int64(s, 0);
		m->household = sqlite3_column_int64(s, 1);
		snprintf(m->relationship, sizeof m->relationship, "%s",
		    store_text(s, 2));
		snprintf(m->from, sizeof m->from, "%s", store_text(s, 3));
		snprintf(m->to, sizeof m->to, "%s", store_text(s, 4));
	}
	store_release(st, s);
	if (r != SQLITE_DONE) {
		store_log_error(st, "duplicate merge memberships");
		return -1;
	}
	return 0;
}

/* Whether two memberships share a day: each runs from its from date up to
 * the day before its to date, an open one for ever. */
static int
dup_overlap(const struct dup_member *x, const struct dup_member *y)
{
	const char *xto = x->to[0] != '\0' ? x->to : "9999-12-31~";
	const char *yto = y->to[0] != '\0' ? y->to : "9999-12-31~";

	return strcmp(x->from, yto) < 0 && strcmp(y->from, xto) < 0;
}

static struct dup_member *
dup_open(struct dup_members *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].to[0] == '\0')
			return &l->v[i];
	return NULL;
}

/*
 * Moves the other person's memberships to the kept one where the kept
 * person's timeline has room for them; those that would overlap stay with
 * the merged record as its history.  Two open memberships of one household
 * become one: the other's ends today.  Two open memberships of different
 * households, or an open one that cannot move, stop the merge: an officer
 * must first say where the person lives.
 */
static enum store_dup_rc
dup_merge_members(struct store *st, struct store_dup_resolution *r,
    const char *today)
{
	struct dup_members k = {0}, o = {0};
	struct dup_member *ko, *oo, *moved;
	enum store_dup_rc rc = STORE_DUP_ERR;
	sqlite3_stmt *s;
	char why[96];
	int fits;

	if (dup_members_load(st, r->keep, &k) != 0 ||
	    dup_members_load(st, r->other, &o) != 0)
		goto out;
	ko = dup_open(&k);
	oo = dup_open(&o);
	if (ko != NULL && oo != NULL) {
		r->hh_keep = ko->household;
		r->hh_other = oo->household;
		if (ko->household != oo->household) {
			rc = STORE_DUP_HOUSEHOLDS;
			goto out;
		}
		if (strcmp(oo->relationship, "head") == 0) {
			rc = STORE_DUP_HEAD;
			goto out;
		}
		/* An empty stay rather than a to date before the from. */
		snprintf(oo->to, sizeof oo->to, "%s",
		    strcmp(oo->from, today) > 0 ? oo->from : today);
		snprintf(why, sizeof why, "merged into %s", r->keep);
		s = store_prepare(st, "UPDATE memberships SET to_date = ?,"
		    " end_reason = ? WHERE id = ?");
		if (s != NULL) {
			sqlite3_bind_text(s, 1, oo->to, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, oo->id);
		}
		if (store_write(st, s, "duplicate merge end membership") !=
		    STORE_OK)
			goto out;
	}
	for (size_t i = 0; i < o.n; i++) {
		fits = 1;
		for (size_t j = 0; j < k.n && fits; j++)
			if (dup_overlap(&o.v[i], &k.v[j])) {
				fits = 0;
				r->hh_keep = k.v[j].household;
			}
		if (!fits) {
			if (o.v[i].to[0] == '\0') {
				r->hh_other = o.v[i].household;
				rc = STORE_DUP_OVERLAP;
				goto out;
			}
			continue;
		}
		s = store_prepare(st, "UPDATE memberships SET national_id = ?"
		    " WHERE id = ?");
		if (s != NULL) {
			sqlite3_bind_text(s, 1, r->keep, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, o.v[i].id);
		}
		if (store_write(st, s, "duplicate merge membership") !=
		    STORE_OK)
			goto out;
		/* What moved is the kept person's now: later moves must not
		 * overlap it either.  (Pushing may move k.v; o is apart.) */
		moved = dup_members_push(&k);
		*moved = o.v[i];
	}
	rc = STORE_DUP_OK;
out:
	free(k.v);
	free(o.v);
	return rc;
}

static int
dup_history(struct store *st, const char *national_id, const char *now,
    const char *actor, const char *field, const char *new_value,
    const char *reason)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "INSERT INTO person_history (national_id, at,"
	    " actor, field, old_value, new_value, reason)"
	    " VALUES (?, ?, ?, ?, '', ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, field, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, new_value, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
	}
	return store_write(st, s, "duplicate merge history") == STORE_OK ?
	    0 : -1;
}

/* A plain write with text parameters, NULL-terminated. */
static int
dup_exec(struct store *st, const char *what, const char *sql, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	const char *v;
	int i = 1;

	if ((s = store_prepare(st, sql)) == NULL)
		return -1;
	va_start(ap, sql);
	while ((v = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(s, i++, v, -1, SQLITE_TRANSIENT);
	va_end(ap);
	return store_write(st, s, what) == STORE_OK ? 0 : -1;
}

/* The merge proper, inside the transaction, once the flag is known open
 * and keep one of its two. */
static enum store_dup_rc
dup_merge(struct store *st, struct store_dup_resolution *r, const char *now,
    const char *today)
{
	sqlite3_stmt *s;
	enum store_dup_rc rc;
	char id[32], note[200];
	int q;

	s = store_prepare(st, "SELECT national_id, merged_into FROM people"
	    " WHERE national_id IN (?, ?) AND merged_into <> ''");
	if (s == NULL)
		return STORE_DUP_ERR;
	sqlite3_bind_text(s, 1, r->keep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->other, -1, SQLITE_STATIC);
	q = sqlite3_step(s);
	if (q == SQLITE_ROW)
		snprintf(r->detail, sizeof r->detail, "%s was merged into %s "
		    "already", store_text(s, 0), store_text(s, 1));
	store_release(st, s);
	if (q == SQLITE_ROW)
		return STORE_DUP_GONE;
	if (q != SQLITE_DONE) {
		store_log_error(st, "duplicate merge people");
		return STORE_DUP_ERR;
	}
	if ((rc = dup_merge_members(st, r, today)) != STORE_DUP_OK)
		return rc;
	snprintf(id, sizeof id, "%" PRId64, r->flag_id);
	snprintf(note, sizeof note, "%s merged into %s (flag %s)", r->other,
	    r->keep, id);
	if (dup_exec(st, "duplicate merge consents",
	    "UPDATE consents SET national_id = ? WHERE national_id = ?",
	    r->keep, r->other, NULL) != 0 ||
	    dup_exec(st, "duplicate merge documents",
	    "UPDATE documents SET owner_id = ? WHERE owner_kind = 'person'"
	    " AND owner_id = ?", r->keep, r->other, NULL) != 0)
		return STORE_DUP_ERR;
	/* The merged person's applications, their cross-check flags and
	 * benefits follow them to the record kept; payments (issue 6) follow
	 * the benefits. */
	if (dup_exec(st, "duplicate merge applications",
	    "UPDATE applications SET national_id = ? WHERE national_id = ?",
	    r->keep, r->other, NULL) != 0 ||
	    dup_exec(st, "duplicate merge application flags",
	    "UPDATE application_flags SET national_id = ?"
	    " WHERE national_id = ?", r->keep, r->other, NULL) != 0 ||
	    dup_exec(st, "duplicate merge benefits",
	    "UPDATE benefits SET national_id = ? WHERE national_id = ?",
	    r->keep, r->other, NULL) != 0)
		return STORE_DUP_ERR;
	if (dup_exec(st, "duplicate merge person",
	    "UPDATE people SET merged_into = ?, version = version + 1,"
	    " updated_at = ? WHERE national_id = ?",
	    r->keep, now, r->other, NULL) != 0 ||
	    dup_exec(st, "duplicate merge kept person",
	    "UPDATE people SET version = version + 1, updated_at = ?"
	    " WHERE national_id = ?", now, r->keep, NULL) != 0 ||
	    dup_history(st, r->other, now, r->actor, "merged_into", r->keep,
	    r->reason) != 0 ||
	    dup_history(st, r->keep, now, r->actor, "merged_from", r->other,
	    r->reason) != 0)
		return STORE_DUP_ERR;
	/* Other open flags of the merged record are settled by it. */
	if (dup_exec(st, "duplicate merge flags",
	    "UPDATE duplicate_flags SET status = 'merged', resolved_at = ?,"
	    " resolved_by = ?, resolution_reason = ?, kept = ?"
	    " WHERE status = 'open' AND (a = ? OR b = ?) AND id <> ?",
	    now, r->actor, note, r->keep, r->other, r->other, id, NULL) != 0)
		return STORE_DUP_ERR;
	return STORE_DUP_OK;
}

enum store_dup_rc
store_dup_resolve(struct store *st, struct store_dup_resolution *r,
    const struct store_audit *a,
    void (*fn)(void *arg, const struct store_dup_flag *fl), void *arg)
{
	struct store_dup_filter f = {.id = r->flag_id};
	enum store_dup_rc rc = STORE_DUP_ERR;
	sqlite3_stmt *s = NULL;
	char fa[32], fb[32], now[32], today[16];
	int q;

	r->other[0] = r->detail[0] = '\0';
	r->hh_keep = r->hh_other = 0;
	check_now(now, sizeof now);
	check_today(today, sizeof today);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_DUP_ERR;
	}
	if ((s = store_prepare(st, "SELECT a, b, status, resolved_by,"
	    " resolved_at FROM duplicate_flags WHERE id = ?")) == NULL)
		goto rollback;
	sqlite3_bind_int64(s, 1, r->flag_id);
	if ((q = sqlite3_step(s)) != SQLITE_ROW) {
		if (q == SQLITE_DONE)
			rc = STORE_DUP_NOTFOUND;
		else
			store_log_error(st, "duplicate resolve");
		goto rollback;
	}
	snprintf(fa, sizeof fa, "%s", store_text(s, 0));
	snprintf(fb, sizeof fb, "%s", store_text(s, 1));
	if (r->merge) {
		if (strcmp(r->keep, fa) == 0)
			snprintf(r->other, sizeof r->other, "%s", fb);
		else if (strcmp(r->keep, fb) == 0)
			snprintf(r->other, sizeof r->other, "%s", fa);
		else {
			rc = STORE_DUP_NOT_IN_PAIR;
			goto rollback;
		}
	}
	if (strcmp(store_text(s, 2), "open") != 0) {
		snprintf(r->detail, sizeof r->detail, "resolved as %s by %s at "
		    "%s", store_text(s, 2), store_text(s, 3), store_text(s, 4));
		rc = STORE_DUP_RESOLVED;
		goto rollback;
	}
	store_release(st, s);
	s = NULL;
	if (r->merge && (rc = dup_merge(st, r, now, today)) != STORE_DUP_OK)
		goto rollback;
	rc = STORE_DUP_ERR;
	if ((s = store_prepare(st, "UPDATE duplicate_flags SET status = ?,"
	    " resolved_at = ?, resolved_by = ?, resolution_reason = ?,"
	    " kept = ? WHERE id = ?")) == NULL)
		goto rollback;
	sqlite3_bind_text(s, 1, r->merge ? "merged" : "distinct", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->merge ? r->keep : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, r->flag_id);
	q = store_write(st, s, "duplicate resolve");
	s = NULL;
	if (q != STORE_OK || store_audit_insert(st, a) != 0)
		goto rollback;
	if (fn != NULL && dup_list_locked(st, &f, fn, arg) != 1)
		goto rollback;
	if (store_commit(st) != 0)
		goto out;
	rc = STORE_DUP_OK;
	goto out;
rollback:
	store_release(st, s);
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}
