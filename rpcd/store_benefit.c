/*
 * store_benefit.c: benefits after they are made, and bank accounts.  Every
 * change of a benefit's state or amount writes a history row in the same
 * transaction, so the history is the benefit's whole story.  Life events
 * in the registry (a death, a move out of a municipality) suspend benefits
 * from inside the registry's own transaction, through
 * store_benefit_suspend_tx().
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store.h"
#include "store_benefit.h"
#include "store_int.h"

#define BEN_COLUMNS \
	"b.id, b.national_id, b.programme, a.reference, b.municipality," \
	" b.state, b.amount, b.currency, b.period, b.start_date, b.end_date," \
	" b.exit_reason, b.review_reason, b.review_since"

#define BEN_FROM \
	" FROM benefits b JOIN applications a ON a.id = b.application_id"

static void
ben_row(sqlite3_stmt *s, struct store_benefit *b)
{
	memset(b, 0, sizeof *b);
	b->id = sqlite3_column_int64(s, 0);
	store_copy(b->national_id, sizeof b->national_id, s, 1);
	store_copy(b->programme, sizeof b->programme, s, 2);
	store_copy(b->application, sizeof b->application, s, 3);
	store_copy(b->municipality, sizeof b->municipality, s, 4);
	store_copy(b->state, sizeof b->state, s, 5);
	b->amount = sqlite3_column_int64(s, 6);
	store_copy(b->currency, sizeof b->currency, s, 7);
	store_copy(b->period, sizeof b->period, s, 8);
	store_copy(b->start_date, sizeof b->start_date, s, 9);
	store_copy(b->end_date, sizeof b->end_date, s, 10);
	store_copy(b->exit_reason, sizeof b->exit_reason, s, 11);
	store_copy(b->review_reason, sizeof b->review_reason, s, 12);
	store_copy(b->review_since, sizeof b->review_since, s, 13);
}

static enum store_rc
ben_read(struct store *st, int64_t id, struct store_benefit *b)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " BEN_COLUMNS BEN_FROM
	    " WHERE b.id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		ben_row(s, b);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "benefit");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_benefit_get(struct store *st, int64_t id, struct store_benefit *b)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = ben_read(st, id, b);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_benefit_list(struct store *st, const char *national_id,
    void (*fn)(void *arg, const struct store_benefit *b), void *arg)
{
	struct store_benefit b;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " BEN_COLUMNS BEN_FROM
	    " WHERE b.national_id = ? ORDER BY b.id DESC");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			ben_row(s, &b);
			fn(arg, &b);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "benefits");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_benefit_changes(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_benefit_change *c), void *arg)
{
	struct store_benefit_change c;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT at, actor, from_state, to_state, amount,"
	    " reason FROM benefit_changes WHERE benefit_id = ? ORDER BY id");
	if (s != NULL) {
		sqlite3_bind_int64(s, 1, id);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			c.at = store_text(s, 0);
			c.actor = store_text(s, 1);
			c.from_state = store_text(s, 2);
			c.to_state = store_text(s, 3);
			c.amount = sqlite3_column_int64(s, 4);
			c.reason = store_text(s, 5);
			fn(arg, &c);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "benefit changes");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Sets one benefit's state with its history row; lock held, in a
 * transaction. */
static enum store_rc
ben_set_state(struct store *st, const struct store_benefit *b, const char *to,
    const char *date, const char *at, const char *actor, const char *reason)
{
	sqlite3_stmt *s;
	int ending = strcmp(to, "ended") == 0;

	/* A move is an officer's (or the registry's) look at the benefit:
	 * it settles a review flag raised by reported income. */
	s = store_prepare(st, "UPDATE benefits SET state = ?1,"
	    " end_date = CASE WHEN ?2 THEN ?3 ELSE end_date END,"
	    " exit_reason = CASE WHEN ?2 THEN ?4 ELSE exit_reason END,"
	    " review_reason = '', review_since = '',"
	    " updated_at = ?5 WHERE id = ?6");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, ending);
	sqlite3_bind_text(s, 3, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, b->id);
	if (store_write(st, s, "benefit state") != STORE_OK)
		return STORE_ERR;
	s = store_prepare(st, "INSERT INTO benefit_changes (benefit_id, at,"
	    " actor, from_state, to_state, amount, reason)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, b->id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, b->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, b->amount);
	sqlite3_bind_text(s, 7, reason, -1, SQLITE_STATIC);
	if (store_write(st, s, "benefit change") != STORE_OK)
		return STORE_ERR;
	if (!ending)
		return STORE_OK;
	/* Support that ends is followed up 6 and 12 months later. */
	s = store_prepare(st, "INSERT OR IGNORE INTO followups (benefit_id,"
	    " months, due_on) VALUES (?1, 6, date(?2, '+6 months')),"
	    " (?1, 12, date(?2, '+12 months'))");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, b->id);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	return store_write(st, s, "follow-ups");
}

enum store_rc
store_benefit_state_tx(struct store *st, int64_t id, const char *to,
    const char *date, const char *at, const char *actor, const char *reason)
{
	struct store_benefit b;
	enum store_rc rc;

	if ((rc = ben_read(st, id, &b)) != STORE_OK)
		return rc;
	return ben_set_state(st, &b, to, date, at, actor, reason);
}

static int
ben_state_in(const char *state, const char *const *from)
{
	for (; *from != NULL; from++)
		if (strcmp(state, *from) == 0)
			return 1;
	return 0;
}

enum store_rc
store_benefit_move(struct store *st, int64_t id, const char *const *from,
    const char *to, const char *date, const char *actor, const char *reason,
    const struct store_notice *notice, const struct store_audit *a,
    struct store_benefit *b)
{
	enum store_rc rc;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = ben_read(st, id, b)) != STORE_OK)
		goto fail;
	if (!ben_state_in(b->state, from)) {
		rc = STORE_REFUSED;
		goto fail;
	}
	rc = STORE_ERR;
	if (ben_set_state(st, b, to, date, at, actor, reason) != STORE_OK ||
	    (notice != NULL && store_notice_add_tx(st, notice,
	    (int64_t)time(NULL)) != 0) ||
	    (a != NULL && store_audit_insert(st, a) != 0) ||
	    ben_read(st, id, b) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_benefit_suspend_tx(struct store *st, const char *national_id,
    const char *municipality, const char *at, const char *actor,
    const char *reason)
{
	struct store_benefit *list = NULL, *grown;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int r, rc = -1;

	/* With municipality, only the benefits of municipal programmes of
	 * another municipality: the person moved away from them. */
	s = store_prepare(st, "SELECT " BEN_COLUMNS BEN_FROM
	    " JOIN programmes p ON p.code = b.programme"
	    " WHERE b.national_id = ?1 AND b.state = 'active'"
	    " AND (?2 IS NULL OR (p.scope = 'municipal'"
	    "      AND p.municipality <> ?2))");
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
	if (municipality != NULL)
		sqlite3_bind_text(s, 2, municipality, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((grown = realloc(list, sizeof *list * cap)) ==
			    NULL)
				break;
			list = grown;
		}
		ben_row(s, &list[n++]);
	}
	store_release(st, s);
	if (r != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (ben_set_state(st, &list[i], "suspended", "", at, actor,
		    reason) != STORE_OK)
			goto out;
	rc = (int)n;
out:
	free(list);
	return rc;
}

enum store_rc
store_bank_set(struct store *st, const struct store_bank_account *acct,
    const struct store_audit *a)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];
	int r;

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "SELECT 1 FROM people WHERE national_id = ?");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, acct->national_id, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	store_release(st, s);
	if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	if (r != SQLITE_ROW)
		goto fail;
	s = store_prepare(st, "INSERT INTO bank_accounts (national_id, iban,"
	    " holder, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (national_id) DO UPDATE SET iban = ?2, holder = ?3,"
	    " updated_at = ?4, updated_by = ?5");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, acct->national_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, acct->iban, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, acct->holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, acct->updated_by, -1, SQLITE_STATIC);
	if (store_write(st, s, "bank account") != STORE_OK ||
	    (a != NULL && store_audit_insert(st, a) != 0))
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_bank_get(struct store *st, const char *national_id,
    struct store_bank_account *acct)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT national_id, iban, holder, updated_at,"
	    " updated_by FROM bank_accounts WHERE national_id = ?");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, national_id, -1, SQLITE_STATIC);
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			store_copy(acct->national_id,
			    sizeof acct->national_id, s, 0);
			store_copy(acct->iban, sizeof acct->iban, s, 1);
			store_copy(acct->holder, sizeof acct->holder, s, 2);
			store_copy(acct->updated_at, sizeof acct->updated_at,
			    s, 3);
			store_copy(acct->updated_by, sizeof acct->updated_by,
			    s, 4);
			rc = STORE_OK;
			break;
		case SQLITE_DONE:
			rc = STORE_NOTFOUND;
			break;
		default:
			store_log_error(st, "bank account");
		}
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------------
 * Follow-up after a benefit ends.
 */

#define FOLLOWUP_COLUMNS \
	"f.id, f.benefit_id, b.national_id," \
	" coalesce(p.given_names || ' ' || p.surname, ''), b.programme," \
	" b.municipality, f.months, f.due_on, f.state, f.outcome, f.note," \
	" coalesce(p.employment, ''), b.exit_reason"

#define FOLLOWUP_FROM \
	" FROM followups f JOIN benefits b ON b.id = f.benefit_id" \
	" LEFT JOIN people p ON p.national_id = b.national_id"

static void
followup_row(sqlite3_stmt *s, struct store_followup *f)
{
	f->id = sqlite3_column_int64(s, 0);
	f->benefit_id = sqlite3_column_int64(s, 1);
	f->national_id = store_text(s, 2);
	f->name = store_text(s, 3);
	f->programme = store_text(s, 4);
	f->municipality = store_text(s, 5);
	f->months = sqlite3_column_int(s, 6);
	f->due_on = store_text(s, 7);
	f->state = store_text(s, 8);
	f->outcome = store_text(s, 9);
	f->note = store_text(s, 10);
	f->employment = store_text(s, 11);
	f->exit_reason = store_text(s, 12);
}

enum store_rc
store_followup_due(struct store *st, const char *municipality,
    const char *due_by, int limit,
    void (*fn)(void *arg, const struct store_followup *f), void *arg)
{
	struct store_followup f;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
	    " WHERE f.state = 'scheduled' AND f.due_on <= ?2"
	    " AND (?1 = '' OR b.municipality = ?1)"
	    " ORDER BY f.due_on, f.id LIMIT ?3");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, municipality, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, due_by, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, limit);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			followup_row(s, &f);
			fn(arg, &f);
		}
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "follow-ups");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Reads one follow-up; the caller holds the lock. */
static enum store_rc
followup_read(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_followup *f), void *arg)
{
	struct store_followup f;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
	    " WHERE f.id = ?");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		followup_row(s, &f);
		fn(arg, &f);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "follow-up");
	}
	store_release(st, s);
	return rc;
}

enum store_rc
store_followup_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct store_followup *f), void *arg)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = followup_read(st, id, fn, arg);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_followup_record(struct store *st, int64_t id, const char *outcome,
    const char *note, const char *actor, const struct store_audit *a,
    void (*fn)(void *arg, const struct store_followup *f), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	char at[32];

	check_now(at, sizeof at);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	s = store_prepare(st, "UPDATE followups SET state = 'done',"
	    " outcome = ?2, note = ?3, recorded_by = ?4, recorded_at = ?5"
	    " WHERE id = ?1 AND state = 'scheduled'");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
	if (store_write(st, s, "follow-up") != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		/* Unknown, or recorded already: say which. */
		rc = followup_read(st, id, fn, arg) == STORE_OK ?
		    STORE_REFUSED : STORE_NOTFOUND;
		goto fail;
	}
	if ((a != NULL && store_audit_insert(st, a) != 0) ||
	    followup_read(st, id, fn, arg) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_followup_summary(struct store *st, const char *programme,
    void (*fn)(void *arg, const char *programme, int months,
    const char *outcome, int64_t count), void *arg)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int r;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT b.programme, f.months, f.outcome,"
	    " count(*) FROM followups f JOIN benefits b"
	    " ON b.id = f.benefit_id WHERE (?1 = '' OR b.programme = ?1)"
	    " GROUP BY b.programme, f.months, f.outcome"
	    " ORDER BY b.programme, f.months, f.outcome");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(s)) == SQLITE_ROW)
			fn(arg, store_text(s, 0), sqlite3_column_int(s, 1),
			    store_text(s, 2), sqlite3_column_int64(s, 3));
		if (r == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "follow-up summary");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
