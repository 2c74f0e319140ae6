/*
 * store_payment.c: payment runs and payments.  Every change is one
 * transaction with its audit row, and the state a run must be in for a
 * change is checked inside that transaction, so two officers acting on one
 * run at once cannot both approve it or both export it.
 *
 * Nobody is paid twice for one programme and period: a run takes in only
 * those with no payment pending, sent or paid for it (INSERT ... SELECT
 * ... WHERE NOT EXISTS), and the partial unique index payments_once
 * (migration 8) refuses a second such payment whatever the statement, so
 * that two runs made at once by two daemons on one database cannot both
 * include someone: the second one's transaction sees the first's rows or
 * fails.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store.h"
#include "store_int.h"
#include "store_notice.h"
#include "store_payment.h"

/* Rows read under the lock at a time by store_run_payments. */
#define PAY_BATCH 1000

/* The payments that count against paying someone again. */
#define PAY_COUNTING "('pending', 'sent', 'paid')"

/*
 * A benefit of alias b payable in a run of programme ?1 for period ?2 in
 * currency ?3: active, for a positive amount, and started by the end of the
 * period ("2026-11" takes benefits started in November 2026 or before).
 */
#define PAY_PAYABLE(b) \
	" " b ".programme = ?1 AND " b ".state = 'active' AND " b ".amount > 0" \
	" AND " b ".currency = ?3 AND (?2 = 'once' OR" \
	" substr(" b ".start_date, 1, length(?2)) <= ?2)"

/* Whether the person of benefit alias b is paid for ?1 and ?2 already. */
#define PAY_PAID(b) \
	" EXISTS (SELECT 1 FROM payments x WHERE x.national_id =" \
	" " b ".national_id AND x.programme = ?1 AND x.period = ?2" \
	" AND x.state IN " PAY_COUNTING ")"

#define RUN_COLUMNS \
	"r.id, r.programme, r.period, r.state, r.currency, r.created_by," \
	" r.created_at, r.approved_by, r.approved_at, r.exported_at," \
	" r.message_id, r.cancel_reason, r.skipped_no_account," \
	" r.skipped_paid, count(p.id), coalesce(sum(p.amount), 0)," \
	" coalesce(sum(p.state = 'sent'), 0)," \
	" coalesce(sum(p.state = 'paid'), 0)," \
	" coalesce(sum(p.state = 'failed'), 0)," \
	" coalesce(sum(p.state = 'returned'), 0)," \
	" coalesce(sum(CASE WHEN p.state = 'paid' THEN p.amount END), 0)," \
	" r.export_sha256, r.export_size"

#define RUN_FROM \
	" FROM payment_runs r LEFT JOIN payments p ON p.run_id = r.id"

#define PAYMENT_COLUMNS \
	"p.id, p.run_id, p.benefit_id, p.national_id, p.programme, p.period," \
	" p.municipality, p.name, p.iban, p.amount, p.state, p.reason," \
	" p.end_to_end_id"

static void
run_row(sqlite3_stmt *s, struct store_run *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	store_copy(r->programme, sizeof r->programme, s, 1);
	store_copy(r->period, sizeof r->period, s, 2);
	store_copy(r->state, sizeof r->state, s, 3);
	store_copy(r->currency, sizeof r->currency, s, 4);
	store_copy(r->created_by, sizeof r->created_by, s, 5);
	store_copy(r->created_at, sizeof r->created_at, s, 6);
	store_copy(r->approved_by, sizeof r->approved_by, s, 7);
	store_copy(r->approved_at, sizeof r->approved_at, s, 8);
	store_copy(r->exported_at, sizeof r->exported_at, s, 9);
	store_copy(r->message_id, sizeof r->message_id, s, 10);
	store_copy(r->cancel_reason, sizeof r->cancel_reason, s, 11);
	r->skipped_no_account = sqlite3_column_int64(s, 12);
	r->skipped_paid = sqlite3_column_int64(s, 13);
	r->count = sqlite3_column_int64(s, 14);
	r->total = sqlite3_column_int64(s, 15);
	r->sent = sqlite3_column_int64(s, 16);
	r->paid = sqlite3_column_int64(s, 17);
	r->failed = sqlite3_column_int64(s, 18);
	r->returned = sqlite3_column_int64(s, 19);
	r->paid_total = sqlite3_column_int64(s, 20);
	store_copy(r->export_sha256, sizeof r->export_sha256, s, 21);
	r->export_size = sqlite3_column_int64(s, 22);
}

static void
payment_row(sqlite3_stmt *s, struct store_payment *p)
{
	p->id = sqlite3_column_int64(s, 0);
	p->run_id = sqlite3_column_int64(s, 1);
	p->benefit_id = sqlite3_column_int64(s, 2);
	p->national_id = store_text(s, 3);
	p->programme = store_text(s, 4);
	p->period = store_text(s, 5);
	p->municipality = store_text(s, 6);
	p->name = store_text(s, 7);
	p->iban = store_text(s, 8);
	p->amount = sqlite3_column_int64(s, 9);
	p->state = store_text(s, 10);
	p->reason = store_text(s, 11);
	p->end_to_end_id = store_text(s, 12);
}

/* Reads one run; the caller holds the lock. */
static enum store_rc
run_read(struct store *st, int64_t run_id, struct store_run *r)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	s = store_prepare(st, "SELECT " RUN_COLUMNS RUN_FROM
	    " WHERE r.id = ? GROUP BY r.id");
	if (s == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, run_id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		run_row(s, r);
		rc = STORE_OK;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "payment run");
	}
	store_release(st, s);
	return rc;
}

/* Writes a's row with detail (a copy of a, so the caller's stays as it
 * was); the caller holds the lock in a transaction. */
static int
run_audit(struct store *st, const struct store_audit *a, const char *detail)
{
	struct store_audit row;

	if (a == NULL)
		return 0;
	row = *a;
	row.detail = detail;
	return store_audit_insert(st, &row);
}

enum store_rc
store_run_get(struct store *st, int64_t run_id, struct store_run *run)
{
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	rc = run_read(st, run_id, run);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_run_create(struct store *st, const char *programme, const char *period,
    const char *currency, const char *actor, const struct store_audit *a,
    struct store_run *run)
{
	sqlite3_stmt *s = NULL;
	enum store_rc rc = STORE_ERR;
	int64_t run_id, skipped_paid = 0, skipped_account = 0;
	char now[32], detail[2300];

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}

	/* Counted before the payments go in, which would count as paid. */
	s = store_prepare(st, "SELECT"
	    " count(DISTINCT CASE WHEN paid THEN nid END),"
	    " count(DISTINCT CASE WHEN NOT paid AND NOT account THEN nid END)"
	    " FROM (SELECT b.national_id AS nid," PAY_PAID("b") " AS paid,"
	    " EXISTS (SELECT 1 FROM bank_accounts ba"
	    "  WHERE ba.national_id = b.national_id) AS account"
	    " FROM benefits b WHERE" PAY_PAYABLE("b") ")");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, currency, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_log_error(st, "payment run counts");
		goto fail;
	}
	skipped_paid = sqlite3_column_int64(s, 0);
	skipped_account = sqlite3_column_int64(s, 1);
	store_release(st, s);

	s = store_prepare(st, "INSERT INTO payment_runs (programme, period,"
	    " state, currency, created_by, created_at, skipped_no_account,"
	    " skipped_paid) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, skipped_account);
	sqlite3_bind_int64(s, 7, skipped_paid);
	if (store_write(st, s, "payment run") != STORE_OK)
		goto fail_done;
	run_id = sqlite3_last_insert_rowid(st->db);

	/* One payment per person: should someone hold two active benefits
	 * of the programme, the older one is paid.  The planner would look
	 * for the other benefits through benefits_state, every payable one
	 * for each one, which is quadratic in a national run: it is told to
	 * go by the person. */
	s = store_prepare(st, "INSERT INTO payments (run_id, benefit_id,"
	    " national_id, programme, period, municipality, name, iban,"
	    " amount, state, end_to_end_id, updated_at)"
	    " SELECT ?4, b.id, b.national_id, b.programme, ?2,"
	    " b.municipality, pe.given_names || ' ' || pe.surname, ba.iban,"
	    " b.amount, 'pending', 'SPIS-' || ?4 || '-' || b.id, ?5"
	    " FROM benefits b"
	    " JOIN bank_accounts ba ON ba.national_id = b.national_id"
	    " JOIN people pe ON pe.national_id = b.national_id"
	    " WHERE" PAY_PAYABLE("b") " AND NOT" PAY_PAID("b")
	    " AND NOT EXISTS (SELECT 1 FROM benefits c"
	    "  INDEXED BY benefits_person WHERE c.national_id = b.national_id"
	    "  AND c.id < b.id AND" PAY_PAYABLE("c") ")"
	    " ORDER BY b.id");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, run_id);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	if (store_write(st, s, "payment run payments") != STORE_OK)
		goto fail_done;

	if (run_read(st, run_id, run) != STORE_OK)
		goto fail_done;
	snprintf(detail, sizeof detail, "%s; run %" PRId64 ": %" PRId64
	    " payments, total %" PRId64 " %s, %" PRId64 " without a bank "
	    "account, %" PRId64 " already paid", a != NULL && a->detail ?
	    a->detail : "", run_id, run->count, run->total, currency,
	    skipped_account, skipped_paid);
	if (run_audit(st, a, detail) != 0)
		goto fail_done;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_release(st, s);
fail_done:
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_run_list(struct store *st, const char *programme,
    const char *municipality,
    void (*fn)(void *arg, const struct store_run *run), void *arg)
{
	struct store_run r;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int step;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " RUN_COLUMNS RUN_FROM
	    " JOIN programmes g ON g.code = r.programme"
	    " WHERE (?1 = '' OR r.programme = ?1)"
	    " AND (?2 = '' OR g.municipality = ?2)"
	    " GROUP BY r.id ORDER BY r.id DESC");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, programme, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, municipality, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			run_row(s, &r);
			fn(arg, &r);
		}
		if (step == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "payment runs");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_run_move(struct store *st, int64_t run_id, enum store_run_action action,
    const char *actor, const char *reason, const char *message_id,
    const struct store_audit *a, struct store_run *run)
{
	sqlite3_stmt *s = NULL;
	enum store_rc rc;
	const char *detail = a != NULL ? a->detail : NULL;
	char now[32];
	int ok;

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = run_read(st, run_id, run)) != STORE_OK)
		goto fail;
	switch (action) {
	case STORE_RUN_APPROVE:
		ok = strcmp(run->state, "draft") == 0;
		break;
	case STORE_RUN_CANCEL:
		ok = strcmp(run->state, "draft") == 0 ||
		    strcmp(run->state, "approved") == 0;
		break;
	default:
		ok = strcmp(run->state, "approved") == 0;
		break;
	}
	if (!ok) {
		rc = STORE_REFUSED;
		goto fail;
	}
	rc = STORE_ERR;
	switch (action) {
	case STORE_RUN_APPROVE:
		s = store_prepare(st, "UPDATE payment_runs SET state ="
		    " 'approved', approved_by = ?2, approved_at = ?3"
		    " WHERE id = ?1");
		break;
	case STORE_RUN_CANCEL:
		s = store_prepare(st, "UPDATE payment_runs SET state ="
		    " 'cancelled', cancel_reason = ?2 WHERE id = ?1");
		break;
	default:
		s = store_prepare(st, "UPDATE payment_runs SET state ="
		    " 'exported', message_id = ?2, exported_at = ?3"
		    " WHERE id = ?1");
		break;
	}
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, action == STORE_RUN_APPROVE ? actor :
	    action == STORE_RUN_CANCEL ? reason : message_id, -1,
	    SQLITE_STATIC);
	if (action != STORE_RUN_CANCEL)
		sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if (store_write(st, s, "payment run state") != STORE_OK)
		goto fail;
	if (action != STORE_RUN_APPROVE) {
		s = store_prepare(st, "UPDATE payments SET state = ?2,"
		    " updated_at = ?3 WHERE run_id = ?1 AND state = 'pending'");
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_text(s, 2, action == STORE_RUN_CANCEL ?
		    "cancelled" : "sent", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
		if (store_write(st, s, "payment states") != STORE_OK)
			goto fail;
	}
	if (run_audit(st, a, detail) != 0 ||
	    run_read(st, run_id, run) != STORE_OK)
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
store_run_payments(struct store *st, int64_t run_id, int64_t after, int limit,
    int (*fn)(void *arg, const struct store_payment *p), void *arg,
    int *more)
{
	struct store_payment p;
	sqlite3_stmt *s;
	int64_t left = limit > 0 ? limit : INT64_MAX;
	int64_t asked;
	int step, n, stop = 0;

	*more = 0;
	for (;;) {
		pthread_mutex_lock(&st->lock);
		s = store_prepare(st, "SELECT " PAYMENT_COLUMNS
		    " FROM payments p WHERE p.run_id = ? AND p.id > ?"
		    " ORDER BY p.id LIMIT ?");
		if (s == NULL) {
			pthread_mutex_unlock(&st->lock);
			return STORE_ERR;
		}
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int64(s, 2, after);
		/* One row beyond what is wanted says whether there is more. */
		asked = left < PAY_BATCH ? left + 1 : PAY_BATCH;
		sqlite3_bind_int64(s, 3, asked);
		n = 0;
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			if (left == 0) {
				*more = 1;
				break;
			}
			payment_row(s, &p);
			after = p.id;
			n++;
			left--;
			if (fn(arg, &p) != 0) {
				stop = 1;
				break;
			}
		}
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			store_log_error(st, "payments");
			store_release(st, s);
			pthread_mutex_unlock(&st->lock);
			return STORE_ERR;
		}
		store_release(st, s);
		pthread_mutex_unlock(&st->lock);
		if (stop)
			return STORE_REFUSED;
		if (*more || n < asked)
			return STORE_OK;
	}
}

/*
 * What a status may do to a payment in state from.  Returns 1 to apply,
 * 0 when it is already so (a repeated report changes nothing), or -1 with
 * the reason in why.
 */
static int
import_allowed(const char *from, const char *to, char *why, size_t whylen)
{
	if (strcmp(from, to) == 0)
		return 0;
	if (strcmp(from, "sent") == 0)
		return 1;
	/* After payment only a return undoes it. */
	if (strcmp(from, "paid") == 0 && strcmp(to, "returned") == 0)
		return 1;
	if (strcmp(from, "paid") == 0)
		snprintf(why, whylen, "status: the payment was reported paid; "
		    "after payment only a return undoes it");
	else
		snprintf(why, whylen, "status: the payment is %s already and "
		    "cannot become %s", from, to);
	return -1;
}

enum store_rc
store_run_import(struct store *st, int64_t run_id,
    struct store_status_line *lines, size_t n, const struct store_audit *a,
    void (*notice)(void *arg, const struct store_failed_payment *f,
    struct store_notice *n), void *notice_arg, struct store_run *run)
{
	sqlite3_stmt *find = NULL, *upd = NULL, *s;
	enum store_rc rc;
	int64_t counts[4] = {0}; /* paid, failed, returned, errors */
	char now[32], detail[2300], state[12], who[16], language[4];
	int64_t id, amount, in_run;
	int allowed;

	check_now(now, sizeof now);
	pthread_mutex_lock(&st->lock);
	if (store_begin(st) != 0) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	if ((rc = run_read(st, run_id, run)) != STORE_OK)
		goto fail;
	if (strcmp(run->state, "exported") != 0 &&
	    strcmp(run->state, "reconciled") != 0) {
		rc = STORE_REFUSED;
		goto fail;
	}
	rc = STORE_ERR;
	find = store_prepare(st, "SELECT p.id, p.run_id, p.state, p.amount,"
	    " p.national_id, coalesce(pe.language, 'lt') FROM payments p"
	    " LEFT JOIN people pe ON pe.national_id = p.national_id"
	    " WHERE p.end_to_end_id = ?");
	upd = store_prepare(st, "UPDATE payments SET state = ?2, reason = ?3,"
	    " updated_at = ?4 WHERE id = ?1");
	if (find == NULL || upd == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct store_status_line *l = &lines[i];

		if (strcmp(l->outcome, "error") == 0) {
			counts[3]++;
			continue;
		}
		sqlite3_reset(find);
		sqlite3_bind_text(find, 1, l->end_to_end_id, -1,
		    SQLITE_STATIC);
		switch (sqlite3_step(find)) {
		case SQLITE_ROW:
			break;
		case SQLITE_DONE:
			snprintf(l->outcome, sizeof l->outcome, "error");
			snprintf(l->message, sizeof l->message,
			    "end_to_end_id: no payment has this id");
			counts[3]++;
			continue;
		default:
			store_log_error(st, "payment by end-to-end id");
			goto fail;
		}
		id = sqlite3_column_int64(find, 0);
		in_run = sqlite3_column_int64(find, 1);
		store_copy(state, sizeof state, find, 2);
		amount = sqlite3_column_int64(find, 3);
		store_copy(who, sizeof who, find, 4);
		store_copy(language, sizeof language, find, 5);
		sqlite3_reset(find);
		if (in_run != run_id) {
			snprintf(l->outcome, sizeof l->outcome, "error");
			snprintf(l->message, sizeof l->message,
			    "end_to_end_id: the payment is in run %" PRId64
			    ", not in run %" PRId64, in_run, run_id);
			counts[3]++;
			continue;
		}
		if (l->amount >= 0 && l->amount != amount) {
			snprintf(l->outcome, sizeof l->outcome, "error");
			snprintf(l->message, sizeof l->message,
			    "amount: the report says %" PRId64 ".%02" PRId64
			    ", the payment is %" PRId64 ".%02" PRId64,
			    l->amount / 100, l->amount % 100, amount / 100,
			    amount % 100);
			counts[3]++;
			continue;
		}
		allowed = import_allowed(state, l->status, l->message,
		    sizeof l->message);
		if (allowed < 0) {
			snprintf(l->outcome, sizeof l->outcome, "error");
			counts[3]++;
			continue;
		}
		snprintf(l->outcome, sizeof l->outcome, "%s", l->status);
		if (allowed == 0) {
			snprintf(l->message, sizeof l->message,
			    "already %s; unchanged", state);
			continue;
		}
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, id);
		sqlite3_bind_text(upd, 2, l->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 3, strcmp(l->status, "paid") == 0 ?
		    "" : l->reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 4, now, -1, SQLITE_STATIC);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_log_error(st, "payment status");
			goto fail;
		}
		counts[strcmp(l->status, "paid") == 0 ? 0 :
		    strcmp(l->status, "failed") == 0 ? 1 : 2]++;
		/* The citizen is told, in the same transaction. */
		if (notice != NULL && strcmp(l->status, "paid") != 0) {
			struct store_failed_payment f = {
			    .national_id = who, .language = language,
			    .status = l->status, .reason = l->reason,
			    .amount = amount};
			struct store_notice nt;

			notice(notice_arg, &f, &nt);
			if (store_notice_add_tx(st, &nt,
			    (int64_t)time(NULL)) != 0)
				goto fail;
		}
	}
	store_release(st, find);
	store_release(st, upd);
	find = upd = NULL;

	/* Every payment answered: the run is reconciled.  A later return of
	 * a paid one changes the totals, not the state. */
	s = store_prepare(st, "UPDATE payment_runs SET state = 'reconciled'"
	    " WHERE id = ?1 AND state = 'exported' AND NOT EXISTS (SELECT 1"
	    " FROM payments WHERE run_id = ?1 AND state = 'sent')");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, run_id);
	if (store_write(st, s, "payment run reconciled") != STORE_OK)
		goto fail;
	snprintf(detail, sizeof detail, "%s; run %" PRId64 ": %zu lines, %"
	    PRId64 " paid, %" PRId64 " failed, %" PRId64 " returned, %" PRId64
	    " refused", a != NULL && a->detail ? a->detail : "", run_id, n,
	    counts[0], counts[1], counts[2], counts[3]);
	if (run_audit(st, a, detail) != 0 ||
	    run_read(st, run_id, run) != STORE_OK)
		goto fail;
	rc = store_commit(st) == 0 ? STORE_OK : STORE_ERR;
	pthread_mutex_unlock(&st->lock);
	return rc;
fail:
	store_release(st, find);
	store_release(st, upd);
	store_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_payment_failures(struct store *st, const char *municipality, int limit,
    void (*fn)(void *arg, const struct store_payment *p), void *arg)
{
	struct store_payment p;
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;
	int step;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "SELECT " PAYMENT_COLUMNS " FROM payments p"
	    " WHERE p.state IN ('failed', 'returned')"
	    " AND (?1 = '' OR p.municipality = ?1)"
	    " AND NOT EXISTS (SELECT 1 FROM payments x"
	    "  WHERE x.national_id = p.national_id"
	    "  AND x.programme = p.programme AND x.period = p.period"
	    "  AND x.state IN " PAY_COUNTING ")"
	    " ORDER BY p.updated_at DESC, p.id DESC LIMIT ?2");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, municipality, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, limit);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			payment_row(s, &p);
			fn(arg, &p);
		}
		if (step == SQLITE_DONE)
			rc = STORE_OK;
		else
			store_log_error(st, "payment failures");
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_run_set_export(struct store *st, int64_t run_id, const char *sha256,
    int64_t size)
{
	sqlite3_stmt *s;
	enum store_rc rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st, "UPDATE payment_runs SET export_sha256 = ?2,"
	    " export_size = ?3 WHERE id = ?1 AND export_sha256 = ''");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return STORE_ERR;
	}
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, size);
	rc = store_write(st, s, "payment run export file");
	pthread_mutex_unlock(&st->lock);
	return rc;
}
