/*
 * store_fact.c: institutions, the facts they send and the items refused
 * (see store_fact.h), and the registry search they make.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "log.h"
#include "store.h"
#include "store_fact.h"
#include "store_int.h"

#define INST_COLUMNS \
	"code, name, kinds, may_search, purposes, cert_cn, disabled," \
	" created_at, last_feed_at, facts_stored, facts_unchanged," \
	" facts_rejected, last_error"

static void
inst_read(sqlite3_stmt *s, struct store_institution *i)
{
	store_copy(i->code, sizeof i->code, s, 0);
	store_copy(i->name, sizeof i->name, s, 1);
	store_copy(i->kinds, sizeof i->kinds, s, 2);
	i->may_search = sqlite3_column_int(s, 3);
	store_copy(i->purposes, sizeof i->purposes, s, 4);
	store_copy(i->cert_cn, sizeof i->cert_cn, s, 5);
	i->disabled = sqlite3_column_int(s, 6);
	store_copy(i->created_at, sizeof i->created_at, s, 7);
	store_copy(i->last_feed_at, sizeof i->last_feed_at, s, 8);
	i->facts_stored = sqlite3_column_int64(s, 9);
	i->facts_unchanged = sqlite3_column_int64(s, 10);
	i->facts_rejected = sqlite3_column_int64(s, 11);
	store_copy(i->last_error, sizeof i->last_error, s, 12);
}

enum store_rc
store_institution_add(struct store *st, const struct store_institution *i,
    const uint8_t token_hash[32], const char *by, const struct store_audit *a)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char now[32];

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	s = store_prepare(st, "SELECT 1 FROM institutions WHERE code = ?");
	if (s == NULL) {
		store_rollback(st);
		goto out;
	}
	sqlite3_bind_text(s, 1, i->code, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_ROW ? STORE_EXISTS : STORE_OK;
	store_release(st, s);
	if (rc != STORE_OK) {
		store_rollback(st);
		goto out;
	}
	s = store_prepare(st, "INSERT INTO institutions (code, name, kinds,"
	    " may_search, purposes, cert_cn, token_hash, disabled, created_at,"
	    " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, i->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, i->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, i->kinds, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, i->may_search);
		sqlite3_bind_text(s, 5, i->purposes, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, i->cert_cn, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 7, token_hash, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, by, -1, SQLITE_STATIC);
	}
	if (store_write(st, s, "institution add") != STORE_OK ||
	    store_audit_insert(st, a) != 0) {
		store_rollback(st);
		rc = STORE_ERR;
		goto out;
	}
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Runs one UPDATE of an institution by code (bound as ?1) with the audit
 * row, in a transaction; bind fills the other parameters. */
static enum store_rc
inst_update(struct store *st, const char *sql, const char *code,
    void (*bind)(sqlite3_stmt *s, const void *arg), const void *arg,
    const struct store_audit *a, const char *what)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	if ((s = store_prepare(st, sql)) != NULL) {
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
		bind(s, arg);
	}
	if (store_write(st, s, what) != STORE_OK) {
		store_rollback(st);
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		rc = STORE_NOTFOUND;
		goto out;
	}
	if (store_audit_insert(st, a) != 0) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static void
inst_bind_hash(sqlite3_stmt *s, const void *arg)
{
	sqlite3_bind_blob(s, 2, arg, 32, SQLITE_STATIC);
}

static void
inst_bind_int(sqlite3_stmt *s, const void *arg)
{
	sqlite3_bind_int(s, 2, *(const int *)arg);
}

enum store_rc
store_institution_rotate(struct store *st, const char *code,
    const uint8_t token_hash[32], const struct store_audit *a)
{
	return inst_update(st, "UPDATE institutions SET token_hash = ?2"
	    " WHERE code = ?1", code, inst_bind_hash, token_hash, a,
	    "institution token");
}

enum store_rc
store_institution_set_disabled(struct store *st, const char *code,
    int disabled, const struct store_audit *a)
{
	return inst_update(st, "UPDATE institutions SET disabled = ?2"
	    " WHERE code = ?1", code, inst_bind_int, &disabled, a,
	    "institution disable");
}

/* Reads the one institution a prepared SELECT finds. */
static enum store_rc
inst_one(struct store *st, sqlite3_stmt *s, struct store_institution *i)
{
	enum store_rc rc = STORE_ERR;

	if (s == NULL)
		return STORE_ERR;
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		inst_read(s, i);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "institution");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_institution_get(struct store *st, const char *code,
    struct store_institution *i)
{
	sqlite3_stmt *s;
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " INST_COLUMNS " FROM institutions"
	    " WHERE code = ?");
	if (s != NULL)
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	rc = inst_one(st, s, i);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_institution_by_token(struct store *st, const uint8_t token_hash[32],
    struct store_institution *i)
{
	sqlite3_stmt *s;
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " INST_COLUMNS " FROM institutions"
	    " WHERE token_hash = ?");
	if (s != NULL)
		sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
	rc = inst_one(st, s, i);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_institution_by_cn(struct store *st, const char *cn,
    struct store_institution *i)
{
	sqlite3_stmt *s;
	enum store_rc rc;

	if (cn[0] == '\0')
		return STORE_NOTFOUND;
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " INST_COLUMNS " FROM institutions"
	    " WHERE cert_cn = ? ORDER BY code LIMIT 1");
	if (s != NULL)
		sqlite3_bind_text(s, 1, cn, -1, SQLITE_STATIC);
	rc = inst_one(st, s, i);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_institution_list(struct store *st,
    void (*fn)(void *arg, const struct store_institution *i), void *arg)
{
	struct store_institution i;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " INST_COLUMNS " FROM institutions"
	    " ORDER BY code");
	if (s != NULL) {
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			inst_read(s, &i);
			fn(arg, &i);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "institution list");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* --- facts ------------------------------------------------------------- */

struct fact_stmts {
	sqlite3_stmt *person, *held, *insert, *error;
};

static void
fact_stmts_free(struct store *st, struct fact_stmts *f)
{
	store_release(st, f->person);
	store_release(st, f->held);
	store_release(st, f->insert);
	store_release(st, f->error);
}

/* Judges and writes one item inside the batch's transaction: 0, or -1 on
 * a storage error. */
static int
fact_one(struct fact_stmts *q, struct store_fact_item *it)
{
	sqlite3_stmt *s;
	int r;

	if (it->code == NULL && it->must_exist != NULL) {
		s = q->person;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, it->must_exist, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(s)) == SQLITE_DONE) {
			it->code = "unknown_person";
			snprintf(it->msgbuf, sizeof it->msgbuf, "%s: no person "
			    "with this national ID in the registry",
			    it->must_exist_field != NULL ?
			    it->must_exist_field : "national_id");
			it->message = it->msgbuf;
		} else if (r != SQLITE_ROW)
			return -1;
	}
	if (it->code == NULL) {
		s = q->held;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 2, it->f.record_id, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(s)) == SQLITE_ROW) {
			if (sqlite3_column_bytes(s, 0) == 32 &&
			    memcmp(sqlite3_column_blob(s, 0), it->digest,
			    32) == 0) {
				it->outcome = "unchanged";
				return 0;
			}
			it->code = "conflict";
			it->message = "record_id: held already with other "
			    "content; send a new record id for a correction";
		} else if (r != SQLITE_DONE)
			return -1;
	}
	if (it->code != NULL) {
		it->outcome = "error";
		s = q->error;
		sqlite3_reset(s);
		sqlite3_bind_int(s, 4, it->index);
		sqlite3_bind_text(s, 5, it->f.record_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, it->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, it->message != NULL ? it->message : "",
		    -1, SQLITE_STATIC);
		return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	s = q->insert;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 2, it->f.record_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, it->f.national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, it->f.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, it->f.period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, it->f.amount);
	sqlite3_bind_text(s, 7, it->f.value, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, it->f.related_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, it->f.given_names, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, it->f.surname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, it->f.sex, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 12, it->digest, 32, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	it->outcome = "stored";
	return 0;
}

enum store_rc
store_fact_submit(struct store *st, const char *source, const char *batch_id,
    struct store_fact_item *items, size_t n, const struct store_audit *a,
    struct store_fact_totals *t)
{
	struct fact_stmts q = {0};
	struct store_audit row = *a;
	const char *last_error = NULL;
	sqlite3_stmt *s;
	char now[32], detail[256];
	size_t i;

	check_now(now, sizeof now);
	memset(t, 0, sizeof *t);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto fail_unlocked;
	q.person = store_prepare(st, "SELECT 1 FROM people WHERE"
	    " national_id = ? AND merged_into = ''");
	q.held = store_prepare(st, "SELECT digest FROM facts WHERE"
	    " source = ?1 AND record_id = ?2");
	q.insert = store_prepare(st, "INSERT INTO facts (source, record_id,"
	    " national_id, kind, period, amount, value, related_id,"
	    " given_names, surname, sex, digest, batch_id, received_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14)");
	q.error = store_prepare(st, "INSERT INTO feed_errors (source, at,"
	    " batch_id, item, record_id, code, message) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7)");
	if (q.person == NULL || q.held == NULL || q.insert == NULL ||
	    q.error == NULL)
		goto fail;
	sqlite3_bind_text(q.held, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.insert, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.insert, 13, batch_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.insert, 14, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.error, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.error, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q.error, 3, batch_id, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++) {
		if (fact_one(&q, &items[i]) != 0) {
			store_log_error(st, "fact");
			goto fail;
		}
		if (strcmp(items[i].outcome, "stored") == 0)
			t->stored++;
		else if (strcmp(items[i].outcome, "unchanged") == 0)
			t->unchanged++;
		else {
			t->errors++;
			last_error = items[i].message;
		}
	}
	s = store_prepare(st, "UPDATE institutions SET last_feed_at = ?2,"
	    " facts_stored = facts_stored + ?3, facts_unchanged ="
	    " facts_unchanged + ?4, facts_rejected = facts_rejected + ?5,"
	    " last_error = coalesce(?6, last_error) WHERE code = ?1");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, t->stored);
		sqlite3_bind_int(s, 4, t->unchanged);
		sqlite3_bind_int(s, 5, t->errors);
		if (last_error != NULL)
			sqlite3_bind_text(s, 6, last_error, -1,
			    SQLITE_STATIC);
	}
	if (store_write(st, s, "institution totals") != STORE_OK)
		goto fail;
	snprintf(detail, sizeof detail, "%s%s%d stored, %d unchanged, "
	    "%d errors", a->detail != NULL ? a->detail : "",
	    a->detail != NULL ? ": " : "", t->stored, t->unchanged,
	    t->errors);
	row.detail = detail;
	if (store_audit_insert(st, &row) != 0)
		goto fail;
	fact_stmts_free(st, &q);
	if (store_commit(st) != 0)
		goto fail_unlocked;
	pthread_mutex_unlock(&st->lock);
	return STORE_OK;
fail:
	fact_stmts_free(st, &q);
	store_rollback(st);
fail_unlocked:
	pthread_mutex_unlock(&st->lock);
	return STORE_ERR;
}

int
store_feed_errors(struct store *st, const char *source, int limit,
    void (*fn)(void *arg, const struct store_feed_error *e), void *arg)
{
	struct store_feed_error e;
	sqlite3_stmt *s;
	int n = 0, r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT at, batch_id, item, record_id, code,"
	    " message FROM feed_errors WHERE source = ? ORDER BY id DESC"
	    " LIMIT ?");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		store_copy(e.at, sizeof e.at, s, 0);
		store_copy(e.batch_id, sizeof e.batch_id, s, 1);
		e.item = sqlite3_column_int(s, 2);
		store_copy(e.record_id, sizeof e.record_id, s, 3);
		store_copy(e.code, sizeof e.code, s, 4);
		store_copy(e.message, sizeof e.message, s, 5);
		fn(arg, &e);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "feed errors");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

int
store_fact_person(struct store *st, const char *national_id,
    const char *kind, int limit,
    void (*fn)(void *arg, const struct store_fact *f), void *arg)
{
	struct store_fact *f;
	sqlite3_stmt *s;
	int n = 0, r;

	if ((f = malloc(sizeof *f)) == NULL)
		return -1;
	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT id, source, record_id, national_id,"
	    " kind, period, amount, value, related_id, given_names, surname,"
	    " sex, batch_id, received_at FROM facts WHERE national_id = ?1"
	    " AND (?2 = '' OR kind = ?2) ORDER BY period DESC, id DESC"
	    " LIMIT ?3");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		free(f);
		return -1;
	}
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		f->id = sqlite3_column_int64(s, 0);
		store_copy(f->source, sizeof f->source, s, 1);
		store_copy(f->record_id, sizeof f->record_id, s, 2);
		store_copy(f->national_id, sizeof f->national_id, s, 3);
		store_copy(f->kind, sizeof f->kind, s, 4);
		store_copy(f->period, sizeof f->period, s, 5);
		f->amount = sqlite3_column_int64(s, 6);
		store_copy(f->value, sizeof f->value, s, 7);
		store_copy(f->related_id, sizeof f->related_id, s, 8);
		store_copy(f->given_names, sizeof f->given_names, s, 9);
		store_copy(f->surname, sizeof f->surname, s, 10);
		store_copy(f->sex, sizeof f->sex, s, 11);
		store_copy(f->batch_id, sizeof f->batch_id, s, 12);
		store_copy(f->received_at, sizeof f->received_at, s, 13);
		fn(arg, f);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "person facts");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	free(f);
	return n;
}

/* --- registry search --------------------------------------------------- */

/* The SQL each attribute compares, over people p, with @t as today; and
 * whether it is a number.  "benefit" is a set (the active programmes). */
static const struct {
	const char *attr;
	const char *expr;
	int number;
} search_attrs[] = {
	{"municipality", "p.municipality", 0},
	{"sex", "p.sex", 0},
	{"disability", "p.disability", 0},
	{"employment", "p.employment", 0},
	{"birth_year", "CAST(substr(p.birth_date, 1, 4) AS INTEGER)", 1},
	{"age", "(CAST(substr(@t, 1, 4) AS INTEGER) -"
	    " CAST(substr(p.birth_date, 1, 4) AS INTEGER) -"
	    " (substr(@t, 6) < substr(p.birth_date, 6)))", 1},
	{"household.size", "(SELECT count(*) FROM memberships m2 WHERE"
	    " m2.to_date = '' AND m2.household_id = (SELECT m1.household_id"
	    " FROM memberships m1 WHERE m1.national_id = p.national_id AND"
	    " m1.to_date = ''))", 1},
	{"benefit", NULL, 0},
};

static const struct {
	const char *op, *sql;
} search_ops[] = {
	{"eq", "="}, {"ne", "<>"}, {"lt", "<"}, {"le", "<="}, {"gt", ">"},
	{"ge", ">="}, {"in", "IN"},
};

int
store_fact_search(struct store *st, const char *national_id,
    const struct store_search_pred *preds, size_t npreds, const char *today,
    const char *after_id, int limit,
    void (*fn)(void *arg, const struct store_search_hit *h), void *arg)
{
	struct arena ar, *a = &ar;
	struct store_search_hit h;
	sqlite3_stmt *s;
	char *sql, *list;
	size_t i, j, k, o;
	int n = 0, r, bind = 0;

	arena_init(a);
	sql = arena_strdup(a, "SELECT p.national_id, p.given_names,"
	    " p.surname, p.birth_date, p.sex, p.municipality,"
	    " coalesce((SELECT m.household_id FROM memberships m WHERE"
	    " m.national_id = p.national_id AND m.to_date = ''), 0),"
	    " (SELECT count(*) FROM memberships m2 WHERE m2.to_date = '' AND"
	    " m2.household_id = (SELECT m1.household_id FROM memberships m1"
	    " WHERE m1.national_id = p.national_id AND m1.to_date = '')),"
	    " coalesce((SELECT group_concat(programme, ',') FROM (SELECT"
	    " DISTINCT b.programme FROM benefits b WHERE b.national_id ="
	    " p.national_id AND b.state = 'active' ORDER BY b.programme)),"
	    " '') FROM people p WHERE p.merged_into = '' AND"
	    " p.national_id > @a");
	if (national_id != NULL)
		sql = arena_printf(a, "%s AND p.national_id = @n", sql);
	else
		sql = arena_printf(a, "%s AND p.deceased_date = ''", sql);
	for (i = 0; i < npreds; i++) {
		for (k = 0; k < sizeof search_attrs / sizeof search_attrs[0];
		    k++)
			if (strcmp(search_attrs[k].attr, preds[i].attr) == 0)
				break;
		for (o = 0; o < sizeof search_ops / sizeof search_ops[0]; o++)
			if (strcmp(search_ops[o].op, preds[i].op) == 0)
				break;
		if (k == sizeof search_attrs / sizeof search_attrs[0] ||
		    o == sizeof search_ops / sizeof search_ops[0] ||
		    preds[i].nvalues == 0 || (strcmp(preds[i].op, "in") != 0 &&
		    preds[i].nvalues != 1)) {
			arena_free(a);
			return -1;
		}
		list = arena_strdup(a, "");
		for (j = 0; j < preds[i].nvalues; j++)
			list = arena_printf(a, "%s%s?%d", list, j ? ", " : "",
			    100 + bind++);
		if (search_attrs[k].expr == NULL) {
			/* A benefit: held (eq, in) or not (ne). */
			sql = arena_printf(a, "%s AND %sEXISTS (SELECT 1 FROM"
			    " benefits b WHERE b.national_id = p.national_id"
			    " AND b.state = 'active' AND b.programme IN (%s))",
			    sql, strcmp(preds[i].op, "ne") == 0 ? "NOT " : "",
			    list);
			continue;
		}
		sql = arena_printf(a, "%s AND %s %s (%s)", sql,
		    search_attrs[k].expr, search_ops[o].sql, list);
	}
	sql = arena_printf(a, "%s ORDER BY p.national_id LIMIT @l", sql);

	pthread_mutex_lock(&st->lock);
	if ((s = store_prepare_once(st, sql)) == NULL) {
		pthread_mutex_unlock(&st->lock);
		arena_free(a);
		return -1;
	}
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "@a"), after_id,
	    -1, SQLITE_STATIC);
	if (national_id != NULL)
		sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "@n"),
		    national_id, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_index(s, "@t") > 0)
		sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "@t"),
		    today, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, "@l"), limit);
	bind = 0;
	for (i = 0; i < npreds; i++) {
		for (k = 0; strcmp(search_attrs[k].attr, preds[i].attr) != 0;
		    k++)
			;
		for (j = 0; j < preds[i].nvalues; j++, bind++) {
			if (search_attrs[k].number)
				sqlite3_bind_int64(s, 100 + bind,
				    strtoll(preds[i].values[j], NULL, 10));
			else
				sqlite3_bind_text(s, 100 + bind,
				    preds[i].values[j], -1, SQLITE_STATIC);
		}
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		h.national_id = store_text(s, 0);
		h.given_names = store_text(s, 1);
		h.surname = store_text(s, 2);
		h.birth_date = store_text(s, 3);
		h.sex = store_text(s, 4);
		h.municipality = store_text(s, 5);
		h.household_id = sqlite3_column_int64(s, 6);
		h.household_size = sqlite3_column_int(s, 7);
		h.benefits = store_text(s, 8);
		fn(arg, &h);
		n++;
	}
	if (r != SQLITE_DONE) {
		store_log_error(st, "registry search");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	arena_free(a);
	return n;
}

int
store_fact_audit_rows(struct store *st, const struct store_audit *rows,
    size_t n)
{
	int rc = -1;

	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (store_audit_insert(st, &rows[i]) != 0) {
			store_rollback(st);
			goto out;
		}
	rc = store_commit(st);
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}
