/*
 * store_person.c: people, their history, consent and access log (see
 * store_person.h).  A change to a person always goes in with its history
 * rows and its audit row in one transaction, so that the registry never
 * holds a value it cannot say the origin of.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rpcd.h"
#include "store_int.h"
#include "store_person.h"

/* Every column of a person a history row can name, where it lives in the
 * struct, and whether UpdatePerson may set it. */
static const struct {
	const char *name;
	size_t off, size;
	int updatable;
} person_cols[] = {
#define C(f, u) {#f, offsetof(struct store_person, f), \
	sizeof(((struct store_person *)0)->f), u}
	C(given_names, 1), C(surname, 1), C(birth_date, 1), C(sex, 1),
	C(address, 1), C(municipality, 1), C(phone, 1), C(email, 1),
	C(disability, 1), C(employment, 1), C(language, 1),
	C(deceased_date, 0), C(merged_into, 0),
#undef C
};
#define NCOLS (sizeof person_cols / sizeof person_cols[0])

const char *const store_person_fields[] = {"given_names", "surname",
    "birth_date", "sex", "address", "municipality", "phone", "email",
    "disability", "employment", "language", NULL};

static int
person_col(const char *name)
{
	for (size_t i = 0; i < NCOLS; i++)
		if (strcmp(person_cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
store_person_field(const struct store_person *p, const char *name)
{
	int i = person_col(name);

	return i < 0 ? NULL : (const char *)p + person_cols[i].off;
}

static void
person_set(struct store_person *p, int col, const char *v)
{
	snprintf((char *)p + person_cols[col].off, person_cols[col].size, "%s",
	    v != NULL ? v : "");
}

static void
store_instant(char *out, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#define PERSON_SELECT "SELECT national_id, given_names, surname, birth_date," \
	" sex, address, municipality, phone, email, disability, employment," \
	" language, deceased_date, merged_into, version, created_at," \
	" updated_at FROM people"

static void
person_read(sqlite3_stmt *s, struct store_person *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->national_id, sizeof p->national_id, "%s",
	    (const char *)sqlite3_column_text(s, 0));
	for (int i = 0; i < 13; i++)
		person_set(p, i, (const char *)sqlite3_column_text(s, i + 1));
	p->version = sqlite3_column_int64(s, 14);
	snprintf(p->created_at, sizeof p->created_at, "%s",
	    (const char *)sqlite3_column_text(s, 15));
	snprintf(p->updated_at, sizeof p->updated_at, "%s",
	    (const char *)sqlite3_column_text(s, 16));
}

/* Name keys: folded names for search and the duplicate checks. */
static void
person_keys(const struct store_person *p, char *given, char *surname,
    char *both, size_t len)
{
	if (rpcd_fold(p->given_names, given, len) != 0)
		given[0] = '\0';
	if (rpcd_fold(p->surname, surname, len) != 0)
		surname[0] = '\0';
	snprintf(both, len, "%s %s", given, surname);
}

static int
history_add(struct store *st, const char *id, const char *at,
    const char *actor, const char *field, const char *old_value,
    const char *new_value, const char *reason)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO person_history"
	    " (national_id, at, actor, field, old_value, new_value, reason)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, old_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, new_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, reason, -1, SQLITE_STATIC);
	return store_write(st, s, "person history") == STORE_OK ? 0 : -1;
}

enum store_rc
store_person_add_tx(struct store *st, const struct store_person *p,
    const char *actor, const char *reason)
{
	char at[32], given[512], surname[512], both[1030];
	sqlite3_stmt *s;

	store_instant(at, sizeof at);
	person_keys(p, given, surname, both, sizeof given);
	s = store_prepare(st, "INSERT INTO people (national_id, given_names,"
	    " surname, birth_date, sex, address, municipality, phone, email,"
	    " disability, employment, language, created_at, created_by,"
	    " updated_at, name_key, surname_key, given_key) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON CONFLICT (national_id) DO NOTHING");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, p->national_id, -1, SQLITE_STATIC);
	for (int i = 0; i < 11; i++)
		sqlite3_bind_text(s, i + 2, (const char *)p +
		    person_cols[i].off, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, both, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 17, surname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 18, given, -1, SQLITE_STATIC);
	if (store_write(st, s, "person insert") != STORE_OK)
		return STORE_ERR;
	if (sqlite3_changes(st->db) == 0)
		return STORE_EXISTS;
	for (int i = 0; i < 11; i++) {
		const char *v = (const char *)p + person_cols[i].off;

		if (v[0] != '\0' && history_add(st, p->national_id, at, actor,
		    person_cols[i].name, "", v, reason) != 0)
			return STORE_ERR;
	}
	return STORE_OK;
}

enum store_rc
store_person_add(struct store *st, const struct store_person *p,
    const char *actor, const char *reason, const struct store_audit *a,
    int (*scan)(struct store *st, void *arg), void *scanarg)
{
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	if ((rc = store_person_add_tx(st, p, actor, reason)) != STORE_OK)
		goto rollback;
	rc = STORE_ERR;
	if ((scan != NULL && scan(st, scanarg) != 0) ||
	    store_audit_insert(st, a) != 0)
		goto rollback;
	if (store_commit(st) == 0)
		rc = STORE_OK;
	goto out;
rollback:
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Reads a person with the lock held. */
static enum store_rc
person_get_locked(struct store *st, const char *id, struct store_person *p)
{
	sqlite3_stmt *s = store_prepare(st, PERSON_SELECT
	    " WHERE national_id = ?");
	enum store_rc rc = STORE_ERR;
	int r;

	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		person_read(s, p);
		rc = STORE_OK;
	} else if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else
		store_log_error(st, "person get");
	store_release(st, s);
	return rc;
}

enum store_rc
store_person_get(struct store *st, const char *id, const char *as_of,
    struct store_person *p)
{
	enum store_rc rc;
	char end[32];
	sqlite3_stmt *s;
	int r;

	store_read_lock(st);
	rc = person_get_locked(st, id, p);
	if (rc != STORE_OK || as_of == NULL || as_of[0] == '\0')
		goto out;
	/* Instants are "YYYY-MM-DDTHH:MM:SSZ": text order is time order. */
	snprintf(end, sizeof end, "%.10sT23:59:59Z", as_of);
	if (strcmp(p->created_at, end) > 0) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	s = store_prepare(st, "SELECT field, old_value FROM person_history"
	    " WHERE national_id = ? AND at > ? ORDER BY id DESC");
	if (s == NULL) {
		rc = STORE_ERR;
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, end, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int col = person_col((const char *)sqlite3_column_text(s, 0));

		if (col >= 0)
			person_set(p, col,
			    (const char *)sqlite3_column_text(s, 1));
		p->version--;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "person as of");
		rc = STORE_ERR;
	}
	store_release(st, s);
	/* The version counts changes, not rows: recount what stood then. */
	s = store_prepare(st, "SELECT count(DISTINCT at) FROM person_history"
	    " WHERE national_id = ? AND at <= ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, end, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			p->version = sqlite3_column_int64(s, 0);
		store_release(st, s);
	}
	snprintf(p->updated_at, sizeof p->updated_at, "%s", "");
out:
	store_read_unlock(st);
	return rc;
}

/* Sets one column with the lock held and a transaction open. */
static int
person_write_col(struct store *st, const char *id, const char *col,
    const char *value, const char *at)
{
	char sql[160];
	sqlite3_stmt *s;

	/* col comes from person_cols, never from the caller's text. */
	snprintf(sql, sizeof sql, "UPDATE people SET %s = ?, updated_at = ?"
	    " WHERE national_id = ?", col);
	if ((s = store_prepare(st, sql)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	return store_write(st, s, "person update") == STORE_OK ? 0 : -1;
}

/* Refreshes the name keys and bumps the version, lock held. */
static int
person_touch(struct store *st, const char *id)
{
	struct store_person p;
	char given[512], surname[512], both[1030];
	sqlite3_stmt *s;

	if (person_get_locked(st, id, &p) != STORE_OK)
		return -1;
	person_keys(&p, given, surname, both, sizeof given);
	s = store_prepare(st, "UPDATE people SET version = version + 1,"
	    " name_key = ?, surname_key = ?, given_key = ?"
	    " WHERE national_id = ?");
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, both, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, surname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, given, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
	return store_write(st, s, "person touch") == STORE_OK ? 0 : -1;
}

enum store_rc
store_person_update_tx(struct store *st, const char *id, size_t n,
    const char *const *names, const char *const *values,
    int64_t expected_version, const char *actor, const char *reason,
    int *changed)
{
	struct store_person p;
	enum store_rc rc;
	char at[32];
	int moved = 0;

	*changed = 0;
	store_instant(at, sizeof at);
	if ((rc = person_get_locked(st, id, &p)) != STORE_OK)
		return rc;
	if (expected_version != 0 && p.version != expected_version)
		return STORE_CONFLICT;
	for (size_t i = 0; i < n; i++) {
		int col = person_col(names[i]);
		const char *old;

		if (col < 0 || !person_cols[col].updatable)
			return STORE_ERR;
		old = (const char *)&p + person_cols[col].off;
		if (strcmp(old, values[i]) == 0)
			continue;
		if (history_add(st, id, at, actor, names[i], old, values[i],
		    reason) != 0 ||
		    person_write_col(st, id, names[i], values[i], at) != 0)
			return STORE_ERR;
		person_set(&p, col, values[i]);
		(*changed)++;
		moved |= strcmp(names[i], "municipality") == 0;
	}
	if (*changed == 0)
		return STORE_OK;
	if (moved && store_benefit_suspend_tx(st, id, p.municipality, at,
	    actor, "moved out of the programme's municipality") < 0)
		return STORE_ERR;
	return person_touch(st, id) == 0 ? STORE_OK : STORE_ERR;
}

enum store_rc
store_person_update(struct store *st, const char *id, size_t n,
    const char *const *names, const char *const *values,
    int64_t expected_version, const char *actor, const char *reason,
    const struct store_audit *a, int *changed)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		*changed = 0;
		rc = STORE_ERR;
		goto out;
	}
	rc = store_person_update_tx(st, id, n, names, values,
	    expected_version, actor, reason, changed);
	/* Nothing changed: nothing written, the audit row neither. */
	if (rc != STORE_OK || *changed == 0)
		goto rollback;
	if (store_audit_insert(st, a) != 0) {
		rc = STORE_ERR;
		goto rollback;
	}
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	goto out;
rollback:
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_person_history(struct store *st, const char *id, int64_t before_id,
    int limit, void (*fn)(void *arg, const struct store_person_change *c),
    void *arg)
{
	struct store_person_change c;
	sqlite3_stmt *s;
	int n = 0, r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id, at, actor, field, old_value,"
	    " new_value, reason FROM person_history WHERE national_id = ?1"
	    " AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, before_id);
	sqlite3_bind_int(s, 3, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		c.id = sqlite3_column_int64(s, 0);
		c.at = (const char *)sqlite3_column_text(s, 1);
		c.actor = (const char *)sqlite3_column_text(s, 2);
		c.field = (const char *)sqlite3_column_text(s, 3);
		c.old_value = (const char *)sqlite3_column_text(s, 4);
		c.new_value = (const char *)sqlite3_column_text(s, 5);
		c.reason = (const char *)sqlite3_column_text(s, 6);
		fn(arg, &c);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "person history");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

/*
 * A name search reads two routes, each in name order from its own index
 * (migration 18), and merges them: the folded surname that starts with
 * what was typed, and the part after the first space of a surname of
 * several parts (Kazlauskienė-Petraitienė folds to "kazlauskiene
 * petraitiene").  Each route stops after offset + limit entries, so a
 * common prefix costs a page, not every match; the people themselves are
 * then read by rowid, a page of them.  A third or later part is not
 * searched.  Birth year, municipality and given name are filtered in the
 * index entries: given name as the start of any of its parts.
 */
#define SEARCH_FILTERS \
	" AND (?2 = 0 OR substr(p.birth_date, 1, 4) = printf('%04d', ?2))" \
	" AND (?3 = '' OR p.municipality = ?3)" \
	" AND (?5 = '' OR instr(' ' || p.given_key, ' ' || ?5) > 0)" \
	" ORDER BY p.surname_key, p.given_key, p.national_id LIMIT ?4"
#define SEARCH_COLUMNS \
	"SELECT p.rowid, p.surname_key, p.given_key, p.national_id FROM people p"

static const char *const search_routes[][2] = {
	/* { without a municipality, within one } */
	{ SEARCH_COLUMNS " INDEXED BY people_search"
	  " WHERE p.surname_key >= ?1 AND p.surname_key < ?1 || char(1114111)"
	  SEARCH_FILTERS,
	  SEARCH_COLUMNS " INDEXED BY people_search_muni"
	  " WHERE p.municipality = ?3 AND p.surname_key >= ?1"
	  " AND p.surname_key < ?1 || char(1114111)" SEARCH_FILTERS },
	{ SEARCH_COLUMNS " INDEXED BY people_search_rest"
	  " WHERE instr(p.surname_key, ' ') > 0"
	  " AND substr(p.surname_key, instr(p.surname_key, ' ') + 1) >= ?1"
	  " AND substr(p.surname_key, instr(p.surname_key, ' ') + 1)"
	  " < ?1 || char(1114111)" SEARCH_FILTERS,
	  NULL },
};

struct search_hit {
	int64_t rowid;
	char *surname_key, *given_key;
	char national_id[16];
};

static int
search_cmp(const struct search_hit *a, const struct search_hit *b)
{
	int c;

	if ((c = strcmp(a->surname_key, b->surname_key)) != 0)
		return c;
	if ((c = strcmp(a->given_key, b->given_key)) != 0)
		return c;
	return strcmp(a->national_id, b->national_id);
}

static void
search_hits_free(struct search_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].surname_key);
		free(h[i].given_key);
	}
	free(h);
}

/* Runs one route into *hits (at most max, in name order); 0 or -1.  The
 * read lock is held. */
static int
search_route(struct store *st, const char *sql,
    const struct store_person_query *q, int max, struct search_hit **hits,
    size_t *n)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	struct search_hit *h;
	int r;

	*hits = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, q->surname_key, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, q->birth_year);
	sqlite3_bind_text(s, 3, q->municipality != NULL ? q->municipality : "",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, max);
	sqlite3_bind_text(s, 5, q->given_key != NULL ? q->given_key : "", -1,
	    SQLITE_STATIC);
	if ((*hits = calloc((size_t)max + 1, sizeof **hits)) == NULL) {
		store_release(st, s);
		return -1;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW && *n < (size_t)max) {
		h = &(*hits)[*n];
		h->rowid = sqlite3_column_int64(s, 0);
		h->surname_key = strdup(store_text(s, 1));
		h->given_key = strdup(store_text(s, 2));
		store_copy(h->national_id, sizeof h->national_id, s, 3);
		(*n)++;
		if (h->surname_key == NULL || h->given_key == NULL) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	store_release(st, s);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		store_log_error(st, "person search");
		return -1;
	}
	return 0;
}

/* Reads the people of the merged page by rowid and hands them to fn. */
static int
search_page(struct store *st, const struct store_person_query *q,
    struct search_hit *a, size_t na, struct search_hit *b, size_t nb,
    void (*fn)(void *arg, const struct store_person *p), void *arg)
{
	struct store_person p;
	struct search_hit *h;
	const char *last = "";
	size_t i = 0, j = 0;
	int seen = 0, n = 0, c;
	sqlite3_stmt *s;

	while (n < q->limit && (i < na || j < nb)) {
		c = i == na ? 1 : j == nb ? -1 : search_cmp(&a[i], &b[j]);
		h = c <= 0 ? &a[i++] : &b[j++];
		/* Someone both routes found ("kazl" in "kazlauskiene
		 * kazlauskaite") comes twice in a row. */
		if (strcmp(h->national_id, last) == 0)
			continue;
		last = h->national_id;
		if (seen++ < q->offset)
			continue;
		s = store_prepare(st, PERSON_SELECT " WHERE rowid = ?");
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, h->rowid);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			person_read(s, &p);
			fn(arg, &p);
			n++;
			break;
		case SQLITE_DONE:
			break; /* gone since the index was read */
		default:
			store_log_error(st, "person search");
			store_release(st, s);
			return -1;
		}
		store_release(st, s);
	}
	return n;
}

int
store_person_search(struct store *st, const struct store_person_query *q,
    void (*fn)(void *arg, const struct store_person *p), void *arg)
{
	struct store_person p;
	struct search_hit *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	sqlite3_stmt *s;
	int n = 0, r, muni;

	store_read_lock(st);
	if (q->national_id == NULL || q->national_id[0] == '\0') {
		muni = q->municipality != NULL && q->municipality[0] != '\0';
		if (search_route(st, search_routes[0][muni], q, q->offset +
		    q->limit, &a, &na) != 0 || search_route(st,
		    search_routes[1][0], q, q->offset + q->limit, &b,
		    &nb) != 0)
			n = -1;
		else
			n = search_page(st, q, a, na, b, nb, fn, arg);
		search_hits_free(a, na);
		search_hits_free(b, nb);
		store_read_unlock(st);
		return n;
	}
	s = store_prepare(st, PERSON_SELECT " WHERE national_id = ?");
	if (s == NULL) {
		store_read_unlock(st);
		return -1;
	}
	sqlite3_bind_text(s, 1, q->national_id, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		person_read(s, &p);
		fn(arg, &p);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "person search");
		n = -1;
	}
	store_release(st, s);
	store_read_unlock(st);
	return n;
}

/* The open membership of a person: its id, household and relationship.
 * Returns 1 when there is one, 0 when not, -1 on error; lock held. */
static int
membership_open(struct store *st, const char *id, int64_t *mid,
    int64_t *household, char *rel, size_t rellen)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, household_id,"
	    " relationship FROM memberships WHERE national_id = ?"
	    " AND to_date = ''");
	int r, found = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*mid = sqlite3_column_int64(s, 0);
		*household = sqlite3_column_int64(s, 1);
		snprintf(rel, rellen, "%s",
		    (const char *)sqlite3_column_text(s, 2));
		found = 1;
	} else if (r == SQLITE_DONE)
		found = 0;
	store_release(st, s);
	return found;
}

static int
membership_end(struct store *st, int64_t mid, const char *date,
    const char *why)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE memberships SET"
	    " to_date = ?, end_reason = ? WHERE id = ?");

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, mid);
	return store_write(st, s, "membership end") == STORE_OK ? 0 : -1;
}

static int
membership_open_new(struct store *st, int64_t household, const char *id,
    const char *rel, const char *date, const char *reason, const char *at,
    const char *actor)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO memberships"
	    " (household_id, national_id, relationship, from_date, reason,"
	    " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, household);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, actor, -1, SQLITE_STATIC);
	return store_write(st, s, "membership open") == STORE_OK ? 0 : -1;
}

/* How many others are open members of the household. */
static int
household_others(struct store *st, int64_t household, const char *id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM memberships"
	    " WHERE household_id = ? AND to_date = '' AND national_id <> ?");
	int n = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, household);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	store_release(st, s);
	return n;
}

enum store_rc
store_person_death_tx(struct store *st, const char *id, const char *date,
    const char *new_head, const char *actor, const char *reason, char *why,
    size_t whylen)
{
	struct store_person p;
	enum store_rc rc;
	int64_t mid = 0, household = 0, nmid = 0, nhh = 0;
	char at[32], rel[32], nrel[32];
	int open, others;

	store_instant(at, sizeof at);
	if ((rc = person_get_locked(st, id, &p)) != STORE_OK)
		return rc;
	if (p.deceased_date[0] != '\0') {
		snprintf(why, whylen, "%s", p.deceased_date);
		return STORE_CONFLICT;
	}
	if ((open = membership_open(st, id, &mid, &household, rel,
	    sizeof rel)) < 0)
		return STORE_ERR;
	if (open && strcmp(rel, "head") == 0) {
		if ((others = household_others(st, household, id)) < 0)
			return STORE_ERR;
		if (others > 0 && (new_head == NULL || new_head[0] == '\0' ||
		    membership_open(st, new_head, &nmid, &nhh, nrel,
		    sizeof nrel) != 1 || nhh != household)) {
			snprintf(why, whylen, "%lld", (long long)household);
			return STORE_REFUSED;
		}
	}
	if (open && membership_end(st, mid, date, "died") != 0)
		return STORE_ERR;
	/* The new head's relationship changes on the same date: the old row
	 * ends and a new one opens, so that history keeps both. */
	if (nmid != 0 && (membership_end(st, nmid, date, "became head") != 0 ||
	    membership_open_new(st, household, new_head, "head", date, reason,
	    at, actor) != 0))
		return STORE_ERR;
	/* A death suspends every benefit at once; ending them, with what
	 * is still owed, is an officer's decision. */
	if (store_benefit_suspend_tx(st, id, NULL, at, actor,
	    "death recorded in the registry") < 0)
		return STORE_ERR;
	if (history_add(st, id, at, actor, "deceased_date", "", date,
	    reason) != 0 ||
	    person_write_col(st, id, "deceased_date", date, at) != 0 ||
	    person_touch(st, id) != 0)
		return STORE_ERR;
	return STORE_OK;
}

enum store_rc
store_person_death(struct store *st, const char *id, const char *date,
    const char *new_head, const char *actor, const char *reason,
    const struct store_audit *a, char *why, size_t whylen)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		rc = STORE_ERR;
		goto out;
	}
	if ((rc = store_person_death_tx(st, id, date, new_head, actor, reason,
	    why, whylen)) != STORE_OK)
		goto rollback;
	if (store_audit_insert(st, a) != 0) {
		rc = STORE_ERR;
		goto rollback;
	}
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	goto out;
rollback:
	store_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_consent_add(struct store *st, const char *id,
    const struct store_consent *c, const struct store_audit *a)
{
	enum store_rc rc = STORE_ERR;
	char at[32];
	sqlite3_stmt *s;

	store_instant(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	s = store_prepare(st, "INSERT INTO consents (national_id, purpose,"
	    " given, channel, at, recorded_by, note) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->purpose, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, c->given != 0);
		sqlite3_bind_text(s, 4, c->channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, c->recorded_by, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, c->note, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "consent") != STORE_OK ||
	    history_add(st, id, at, c->recorded_by,
	    c->purpose[0] == 'e' ? "consent.employment" :
	    c->purpose[0] == 'h' ? "consent.health" : "consent.research", "",
	    c->given ? "given" : "refused", c->note) != 0 ||
	    store_audit_insert(st, a) != 0) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static void
consent_read(sqlite3_stmt *s, struct store_consent *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->purpose, sizeof c->purpose, "%s",
	    (const char *)sqlite3_column_text(s, 0));
	c->given = sqlite3_column_int(s, 1);
	snprintf(c->channel, sizeof c->channel, "%s",
	    (const char *)sqlite3_column_text(s, 2));
	snprintf(c->at, sizeof c->at, "%s",
	    (const char *)sqlite3_column_text(s, 3));
	snprintf(c->recorded_by, sizeof c->recorded_by, "%s",
	    (const char *)sqlite3_column_text(s, 4));
	snprintf(c->note, sizeof c->note, "%s",
	    (const char *)sqlite3_column_text(s, 5));
}

enum store_rc
store_consent_latest(struct store *st, const char *id, const char *purpose,
    struct store_consent *c)
{
	enum store_rc rc = STORE_ERR;
	sqlite3_stmt *s;
	int r;

	store_read_lock(st);
	s = store_prepare(st, "SELECT purpose, given, channel, at,"
	    " recorded_by, note FROM consents WHERE national_id = ?"
	    " AND purpose = ? ORDER BY id DESC LIMIT 1");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(s)) == SQLITE_ROW) {
			consent_read(s, c);
			rc = STORE_OK;
		} else if (r == SQLITE_DONE)
			rc = STORE_NOTFOUND;
		else
			store_log_error(st, "consent");
		store_release(st, s);
	}
	store_read_unlock(st);
	return rc;
}

int
store_consent_list(struct store *st, const char *id, int history,
    void (*fn)(void *arg, const struct store_consent *c), void *arg)
{
	struct store_consent c;
	sqlite3_stmt *s;
	int n = 0, r;

	store_read_lock(st);
	s = store_prepare(st, history ?
	    "SELECT purpose, given, channel, at, recorded_by, note"
	    " FROM consents WHERE national_id = ? ORDER BY id DESC" :
	    "SELECT purpose, given, channel, at, recorded_by, note"
	    " FROM consents c WHERE national_id = ?1 AND id = (SELECT"
	    " max(id) FROM consents WHERE national_id = ?1 AND purpose ="
	    " c.purpose) ORDER BY purpose");
	if (s == NULL) {
		store_read_unlock(st);
		return -1;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		consent_read(s, &c);
		fn(arg, &c);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "consent list");
		n = -1;
	}
	store_release(st, s);
	store_read_unlock(st);
	return n;
}

int
store_access_log(struct store *st, const char *id, int64_t before_id,
    int limit, void (*fn)(void *arg, const struct store_access *r),
    void *arg)
{
	struct store_access a;
	sqlite3_stmt *s;
	int n = 0, r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id, at, role, municipality, purpose,"
	    " method FROM audit WHERE subject = ?1 AND outcome = 'OK'"
	    " AND (method NOT LIKE '/spis.v1.Citizen/%'"
	    " OR method = '/spis.v1.Citizen/IssuePin')"
	    " AND method <> '/spis.v1.Registrations/SubmitRegistration'"
	    " AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, before_id);
	sqlite3_bind_int(s, 3, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a.id = sqlite3_column_int64(s, 0);
		a.at = (const char *)sqlite3_column_text(s, 1);
		a.role = (const char *)sqlite3_column_text(s, 2);
		a.municipality = (const char *)sqlite3_column_text(s, 3);
		a.purpose = (const char *)sqlite3_column_text(s, 4);
		a.method = (const char *)sqlite3_column_text(s, 5);
		fn(arg, &a);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "access log");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

static int
count_where(struct store *st, const char *sql, const char *id)
{
	sqlite3_stmt *s;
	int n = 0;

	store_read_lock(st);
	if ((s = store_prepare(st, sql)) != NULL) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		store_release(st, s);
	}
	store_read_unlock(st);
	return n;
}

int
store_person_open_flags(struct store *st, const char *id)
{
	return count_where(st, "SELECT count(*) FROM duplicate_flags"
	    " WHERE status = 'open' AND (a = ?1 OR b = ?1)", id);
}

const char *
store_person_pin_status(struct store *st, const char *id)
{
	if (count_where(st, "SELECT count(*) FROM citizen_pins"
	    " WHERE national_id = ?", id) == 0)
		return "none";
	return count_where(st, "SELECT count(*) FROM citizen_pins"
	    " WHERE national_id = ? AND locked = 0", id) ? "active" : "locked";
}
