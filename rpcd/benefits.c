/*
 * benefits.c: spis.v1.Benefits, a benefit's life after its approval, and
 * the bank account it is paid to.  The lifecycle is `active <-> suspended
 * -> ended`; the table of what may follow what is below and the store
 * checks it inside the change's transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/benefits.pb-c.h"

#include "check.h"
#include "iban.h"
#include "log.h"
#include "rpcd.h"
#include "store_benefit.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"
#include "store_renewal.h"

#define BEN_REASON_MAX 500
#define BEN_HOLDER_MAX 140

static const char *const ben_from_suspend[] = {"active", NULL};
static const char *const ben_from_resume[] = {"suspended", NULL};
static const char *const ben_from_end[] = {"active", "suspended", NULL};

struct ben_fill {
	struct rpc_ctx *ctx;
	Spis__V1__Benefit *m;
	size_t cap;
};

static void
ben_change_one(void *arg, const struct store_benefit_change *c)
{
	struct ben_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__BenefitChange *x;

	f->m->changes = arena_grow(a, f->m->changes, f->m->n_changes,
	    &f->cap, sizeof *f->m->changes);
	x = RPC_NEW(f->ctx, Spis__V1__BenefitChange,
	    spis__v1__benefit_change__init);
	x->at = arena_strdup(a, c->at);
	x->actor = arena_strdup(a, c->actor);
	x->from_state = arena_strdup(a, c->from_state);
	x->to_state = arena_strdup(a, c->to_state);
	x->amount = c->amount;
	x->reason = arena_strdup(a, c->reason);
	f->m->changes[f->m->n_changes++] = x;
}

/* The benefit's message with its history (read after the benefit, never
 * from inside another store callback). */
static Spis__V1__Benefit *
ben_msg(struct rpc_ctx *ctx, const struct store_benefit *b)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct ben_fill f = {.ctx = ctx};
	Spis__V1__Benefit *m;

	m = RPC_NEW(ctx, Spis__V1__Benefit, spis__v1__benefit__init);
	m->id = b->id;
	m->national_id = arena_strdup(a, b->national_id);
	m->programme = arena_strdup(a, b->programme);
	m->application = arena_strdup(a, b->application);
	m->municipality = arena_strdup(a, b->municipality);
	m->state = arena_strdup(a, b->state);
	m->amount = b->amount;
	m->currency = arena_strdup(a, b->currency);
	m->period = arena_strdup(a, b->period);
	m->start_date = arena_strdup(a, b->start_date);
	m->end_date = arena_strdup(a, b->end_date);
	m->exit_reason = arena_strdup(a, b->exit_reason);
	f.m = m;
	store_benefit_changes(d->store, b->id, ben_change_one, &f);
	return m;
}

struct ben_list {
	struct arena *a;
	struct store_benefit *items;
	size_t n, cap;
};

/* Called with the store's lock held: copies only. */
static void
ben_list_one(void *arg, const struct store_benefit *b)
{
	struct ben_list *l = arg;

	l->items = arena_grow(l->a, l->items, l->n, &l->cap,
	    sizeof *l->items);
	l->items[l->n++] = *b;
}

static grpc_status_code
ben_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListBenefitsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct ben_list l = {.a = a};
	Spis__V1__BenefitList *out;

	if (req->national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: required");
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	if (store_benefit_list(d->store, req->national_id, ben_list_one,
	    &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__BenefitList,
	    spis__v1__benefit_list__init);
	out->benefits = arena_alloc(a, sizeof *out->benefits * (l.n + 1));
	for (size_t i = 0; i < l.n; i++)
		out->benefits[out->n_benefits++] = ben_msg(ctx, &l.items[i]);
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* Suspend, resume or end: checks, scope, then the store's move. */
static grpc_status_code
ben_change(struct rpc_ctx *ctx, const Spis__V1__BenefitChangeRequest *req,
    const char *to, const char *const *from, const char *what,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_benefit b;
	struct store_audit a;
	struct store_programme *prog;
	struct store_person p;
	struct store_notice notice, *np = NULL;
	char why[96], today[16], allowed[64] = "";
	const char *date = req->date;
	enum store_rc rc;

	if (req->benefit_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "benefit_id: required");
	if (check_text(req->reason, 1, BEN_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	check_today(today, sizeof today);
	if (date[0] == '\0')
		date = today;
	else if (!check_date(date, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "date: not a date (YYYY-MM-DD)");
	switch (store_benefit_get(d->store, req->benefit_id, &b)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "benefit_id: no benefit %" PRId64, req->benefit_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rpcd_audit_subject(ctx, b.national_id, "case_work");
	if (!authz_in_scope(c, b.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "benefit_id: benefit %" PRId64 " is handled in "
		    "municipality %s, outside your scope (%s)", b.id,
		    b.municipality, c->officer.municipality);
	if (strcmp(to, "ended") == 0 && strcmp(date, b.start_date) < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "date: before the benefit began (%s)", b.start_date);
	/* Ending a benefit is told to the citizen, in the same
	 * transaction. */
	if (strcmp(to, "ended") == 0 &&
	    programme_find(ctx, "benefit_id", b.programme, &prog) ==
	    GRPC_STATUS_OK &&
	    store_person_get(d->store, b.national_id, NULL, &p) == STORE_OK) {
		notice_benefit_ended(rpc_ctx_arena(ctx), &p,
		    programme_name(prog, p.language), b.application, date,
		    req->reason, &notice);
		np = &notice;
	}
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "benefit %" PRId64 ": %s -> %s", b.id, b.state, to));
	rc = store_benefit_move(d->store, b.id, from, to, date,
	    c->officer.username, req->reason, np, &a, &b);
	switch (rc) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		for (const char *const *f = from; *f != NULL; f++)
			snprintf(allowed + strlen(allowed),
			    sizeof allowed - strlen(allowed), "%s%s",
			    allowed[0] ? " or " : "", *f);
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "benefit_id: benefit %" PRId64 " is %s; it can be %s "
		    "only when %s", b.id, b.state, what, allowed);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "benefit_id: no benefit %" PRId64, req->benefit_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &ben_msg(ctx, &b)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_suspend(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	return ben_change(ctx, (const void *)reqm, "suspended",
	    ben_from_suspend, "suspended", respm);
}

static grpc_status_code
ben_resume(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	return ben_change(ctx, (const void *)reqm, "active", ben_from_resume,
	    "resumed", respm);
}

static grpc_status_code
ben_end(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	return ben_change(ctx, (const void *)reqm, "ended", ben_from_end,
	    "ended", respm);
}

static Spis__V1__BankAccount *
ben_account_msg(struct rpc_ctx *ctx, const struct store_bank_account *acct)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__BankAccount *m;

	m = RPC_NEW(ctx, Spis__V1__BankAccount, spis__v1__bank_account__init);
	m->national_id = arena_strdup(a, acct->national_id);
	m->iban = arena_strdup(a, acct->iban);
	m->holder = arena_strdup(a, acct->holder);
	m->updated_at = arena_strdup(a, acct->updated_at);
	m->updated_by = arena_strdup(a, acct->updated_by);
	return m;
}

static grpc_status_code
ben_set_account(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SetBankAccountRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_bank_account acct = {0};
	struct store_audit a;
	char why[128];

	if (req->account == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "account: required");
	if (req->account->national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "account.national_id: required");
	rpcd_audit_subject(ctx, req->account->national_id, "case_work");
	if (iban_check(req->account->iban, acct.iban, sizeof acct.iban, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "account.iban: %s", why);
	if (check_text(req->account->holder, 1, BEN_HOLDER_MAX, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "account.holder: %s", why);
	if (check_text(req->reason, 0, BEN_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	snprintf(acct.national_id, sizeof acct.national_id, "%.15s",
	    req->account->national_id);
	snprintf(acct.holder, sizeof acct.holder, "%s", req->account->holder);
	snprintf(acct.updated_by, sizeof acct.updated_by, "%s",
	    c->officer.username);
	/* The row says which account, never the number itself. */
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "bank account ending %s", acct.iban + strlen(acct.iban) - 4));
	switch (store_bank_set(d->store, &acct, &a)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "account.national_id: no person is registered with this "
		    "ID");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_bank_get(d->store, acct.national_id, &acct) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &ben_account_msg(ctx, &acct)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_get_account(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetBankAccountRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_bank_account acct;

	if (req->national_id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: required");
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	switch (store_bank_get(d->store, req->national_id, &acct)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: no bank account is recorded for this person");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &ben_account_msg(ctx, &acct)->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * Follow-up after support ends.
 */

static const char *const ben_outcomes[] = {"employed", "self_employed",
    "in_training", "unemployed", "retired", "moved_abroad", "deceased",
    "not_reached"};

#define BEN_FOLLOWUPS_MAX 500

struct ben_followups {
	struct rpc_ctx *ctx;
	Spis__V1__FollowUp **items;
	size_t n, cap;
};

/* Under the store's lock: builds the message only. */
static void
ben_followup_one(void *arg, const struct store_followup *f)
{
	struct ben_followups *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__FollowUp *m;

	l->items = arena_grow(a, l->items, l->n, &l->cap, sizeof *l->items);
	m = RPC_NEW(l->ctx, Spis__V1__FollowUp, spis__v1__follow_up__init);
	m->id = f->id;
	m->benefit_id = f->benefit_id;
	m->national_id = arena_strdup(a, f->national_id);
	m->name = arena_strdup(a, f->name);
	m->programme = arena_strdup(a, f->programme);
	m->municipality = arena_strdup(a, f->municipality);
	m->months = f->months;
	m->due_on = arena_strdup(a, f->due_on);
	m->state = arena_strdup(a, f->state);
	m->outcome = arena_strdup(a, f->outcome);
	m->note = arena_strdup(a, f->note);
	m->employment_now = arena_strdup(a, f->employment);
	m->exit_reason = arena_strdup(a, f->exit_reason);
	l->items[l->n++] = m;
}

static grpc_status_code
ben_followups(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListFollowUpsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_followups l = {.ctx = ctx};
	Spis__V1__FollowUpList *out;
	const char *muni = req->municipality, *due_by = req->due_by;
	char today[16];

	if (muni[0] == '\0')
		muni = c->officer.municipality;
	else if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %.16s is outside your scope (%s)", muni,
		    c->officer.municipality);
	check_today(today, sizeof today);
	if (due_by[0] == '\0')
		due_by = today;
	else if (!check_date(due_by, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "due_by: not a date (YYYY-MM-DD)");
	if (store_followup_due(d->store, muni, due_by, BEN_FOLLOWUPS_MAX,
	    ben_followup_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__FollowUpList,
	    spis__v1__follow_up_list__init);
	out->followups = l.items;
	out->n_followups = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_record_followup(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RecordFollowUpRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_followups l = {.ctx = ctx};
	struct store_audit a;
	char why[96];
	size_t i;

	if (req->followup_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "followup_id: required");
	for (i = 0; i < sizeof ben_outcomes / sizeof ben_outcomes[0]; i++)
		if (strcmp(req->outcome, ben_outcomes[i]) == 0)
			break;
	if (i == sizeof ben_outcomes / sizeof ben_outcomes[0])
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "outcome: one of employed, self_employed, in_training, "
		    "unemployed, retired, moved_abroad, deceased, "
		    "not_reached");
	if (check_text(req->note, 0, BEN_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "note: %s", why);
	/* Whose it is and where, for the audit row and the scope. */
	switch (store_followup_get(d->store, req->followup_id,
	    ben_followup_one, &l)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "followup_id: no follow-up %" PRId64, req->followup_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rpcd_audit_subject(ctx, l.items[0]->national_id, "case_work");
	if (!authz_in_scope(c, l.items[0]->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "followup_id: the benefit was handled in municipality %s, "
		    "outside your scope (%s)", l.items[0]->municipality,
		    c->officer.municipality);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "follow-up %" PRId64 ": %s", req->followup_id, req->outcome));
	l.n = 0;
	switch (store_followup_record(d->store, req->followup_id,
	    req->outcome, req->note, c->officer.username, &a,
	    ben_followup_one, &l)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "followup_id: follow-up %" PRId64 " was recorded already "
		    "(%s)", req->followup_id, l.items[0]->outcome);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "followup_id: no follow-up %" PRId64, req->followup_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &l.items[0]->base;
	return GRPC_STATUS_OK;
}

struct ben_summary {
	struct rpc_ctx *ctx;
	Spis__V1__FollowUpSummary *m;
	size_t cap;
};

static void
ben_summary_one(void *arg, const char *programme, int months,
    const char *outcome, int64_t count)
{
	struct ben_summary *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__FollowUpCount *x;

	l->m->counts = arena_grow(a, l->m->counts, l->m->n_counts, &l->cap,
	    sizeof *l->m->counts);
	x = RPC_NEW(l->ctx, Spis__V1__FollowUpCount,
	    spis__v1__follow_up_count__init);
	x->programme = arena_strdup(a, programme);
	x->months = months;
	x->outcome = arena_strdup(a, outcome);
	x->count = count;
	l->m->counts[l->m->n_counts++] = x;
}

static grpc_status_code
ben_followup_summary(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__FollowUpSummaryRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct ben_summary l = {.ctx = ctx};

	l.m = RPC_NEW(ctx, Spis__V1__FollowUpSummary,
	    spis__v1__follow_up_summary__init);
	if (store_followup_summary(d->store, req->programme, ben_summary_one,
	    &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &l.m->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * Yearly renewal.  StartRenewal records a job for the renewal thread
 * (renewal.c) and wakes it; the rest reads and settles its renewals.
 */

#define BEN_RENEWALS_MAX 500

static const char *const ben_renewal_states[] = {"pending", "objected",
    "renewed", "ended", "kept"};

static Spis__V1__RenewalJob *
ben_job_msg(struct rpc_ctx *ctx, const struct store_renewal_job *j)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__RenewalJob *m;

	m = RPC_NEW(ctx, Spis__V1__RenewalJob, spis__v1__renewal_job__init);
	m->id = j->id;
	m->as_of = arena_strdup(a, j->as_of);
	m->state = arena_strdup(a, j->state);
	m->started_by = arena_strdup(a, j->started_by);
	m->started_at = arena_strdup(a, j->started_at);
	m->finished_at = arena_strdup(a, j->finished_at);
	m->due = j->due;
	m->processed = j->processed;
	m->eligible = j->eligible;
	m->not_eligible = j->not_eligible;
	m->failed = j->failed;
	m->pending = j->pending;
	m->objected = j->objected;
	m->renewed = j->renewed;
	m->ended = j->ended;
	m->kept = j->kept;
	m->changed = j->changed;
	return m;
}

static grpc_status_code
ben_start_renewal(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__StartRenewalRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_renewal_job job;
	struct store_audit a;
	char today[16];
	const char *as_of = req->as_of;

	check_today(today, sizeof today);
	if (as_of[0] == '\0')
		as_of = today;
	else if (!check_date(as_of, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "as_of: not a date (YYYY-MM-DD)");
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "renewal job as of %s", as_of));
	switch (store_renewal_job_start(d->store, as_of, c->officer.username,
	    &a, &job)) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "as_of: renewal job %" PRId64 " (as of %s, started by %s)"
		    " is still running: %" PRId64 " of %" PRId64 " handled",
		    job.id, job.as_of, job.started_by, job.processed,
		    job.due);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	log_info("renewal job %" PRId64 " started by %s: as of %s, %" PRId64
	    " due", job.id, job.started_by, job.as_of, job.due);
	renewal_wake(d->renewal);
	*respm = &ben_job_msg(ctx, &job)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_get_renewal_job(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetRenewalJobRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_renewal_job job;

	if (req->job_id < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "job_id: must not be negative");
	switch (store_renewal_job_get(d->store, req->job_id, &job)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND, req->job_id ?
		    "job_id: no renewal job %" PRId64 :
		    "job_id: no renewal job has been started", req->job_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &ben_job_msg(ctx, &job)->base;
	return GRPC_STATUS_OK;
}

#define BEN_JOBS_DEFAULT 20
#define BEN_JOBS_MAX 100

static grpc_status_code
ben_list_renewal_jobs(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListRenewalJobsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_renewal_job *jobs;
	Spis__V1__RenewalJobList *out;
	int limit = req->limit, n;

	if (limit < 0 || limit > BEN_JOBS_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "limit: from 1 to %d, or 0 for %d", BEN_JOBS_MAX,
		    BEN_JOBS_DEFAULT);
	if (limit == 0)
		limit = BEN_JOBS_DEFAULT;
	jobs = arena_alloc(rpc_ctx_arena(ctx), sizeof *jobs * (size_t)limit);
	if ((n = store_renewal_job_list(d->store, limit, jobs)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__RenewalJobList,
	    spis__v1__renewal_job_list__init);
	out->jobs = arena_alloc(rpc_ctx_arena(ctx), sizeof *out->jobs *
	    (size_t)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
		out->jobs[i] = ben_job_msg(ctx, &jobs[i]);
	out->n_jobs = (size_t)n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

struct ben_renewals {
	struct rpc_ctx *ctx;
	Spis__V1__Renewal **items;
	size_t n, cap;
};

/* Under the store's lock: builds the message only. */
static void
ben_renewal_one(void *arg, const struct store_renewal *r)
{
	struct ben_renewals *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__Renewal *m;

	l->items = arena_grow(a, l->items, l->n, &l->cap, sizeof *l->items);
	m = RPC_NEW(l->ctx, Spis__V1__Renewal, spis__v1__renewal__init);
	m->id = r->id;
	m->job_id = r->job_id;
	m->benefit_id = r->benefit_id;
	m->national_id = arena_strdup(a, r->national_id);
	m->programme = arena_strdup(a, r->programme);
	m->municipality = arena_strdup(a, r->municipality);
	m->eligible = r->eligible != 0;
	m->old_amount = r->old_amount;
	m->new_amount = r->new_amount;
	m->currency = arena_strdup(a, r->currency);
	m->rule_version = r->rule_version;
	m->explanation = arena_strdup(a, r->explanation);
	m->objection_until = arena_strdup(a, r->objection_until);
	m->state = arena_strdup(a, r->state);
	m->resolved_by = arena_strdup(a, r->resolved_by);
	m->reason = arena_strdup(a, r->reason);
	l->items[l->n++] = m;
}

static grpc_status_code
ben_list_renewals(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListRenewalsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_renewals l = {.ctx = ctx};
	Spis__V1__RenewalList *out;
	const char *muni = req->municipality;
	size_t i, n = sizeof ben_renewal_states / sizeof ben_renewal_states[0];

	for (i = 0; req->state[0] != '\0' && i < n; i++)
		if (strcmp(req->state, ben_renewal_states[i]) == 0)
			break;
	if (i == n)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "state: not one of pending, objected, renewed, ended, "
		    "kept");
	if (req->job_id < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "job_id: must not be negative");
	if (muni[0] == '\0')
		muni = c->officer.municipality;
	else if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %.16s is outside your scope (%s)", muni,
		    c->officer.municipality);
	if (store_renewal_list(d->store, req->state, muni, req->job_id,
	    BEN_RENEWALS_MAX, ben_renewal_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__RenewalList,
	    spis__v1__renewal_list__init);
	out->renewals = l.items;
	out->n_renewals = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* Finds renewal id for a change by the caller: audits its person, checks
 * scope; *out is its message. */
static grpc_status_code
ben_renewal_find(struct rpc_ctx *ctx, int64_t id, Spis__V1__Renewal **out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_renewals l = {.ctx = ctx};

	if (id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "renewal_id: required");
	switch (store_renewal_get(d->store, id, ben_renewal_one, &l)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "renewal_id: no renewal %" PRId64, id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*out = l.items[0];
	rpcd_audit_subject(ctx, (*out)->national_id, "case_work");
	if (!authz_in_scope(c, (*out)->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "renewal_id: renewal %" PRId64 " is handled in "
		    "municipality %s, outside your scope (%s)", id,
		    (*out)->municipality, c->officer.municipality);
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_object(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ObjectRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_renewals l = {.ctx = ctx};
	Spis__V1__Renewal *r;
	struct store_audit a;
	grpc_status_code st;
	char why[96], today[16];

	if ((st = ben_renewal_find(ctx, req->renewal_id, &r)) !=
	    GRPC_STATUS_OK)
		return st;
	if (check_text(req->reason, 1, BEN_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	check_today(today, sizeof today);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "renewal %" PRId64 " of benefit %" PRId64 ": objected", r->id,
	    r->benefit_id));
	switch (store_renewal_object(d->store, r->id, today,
	    c->officer.username, req->reason, &a, ben_renewal_one, &l)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		r = l.items[l.n - 1];
		if (strcmp(r->state, "pending") != 0)
			return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
			    "renewal_id: renewal %" PRId64 " is %s; only a "
			    "pending renewal can be objected to", r->id,
			    r->state);
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "renewal_id: the objection window of renewal %" PRId64
		    " closed on %s", r->id, r->objection_until);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "renewal_id: no renewal %" PRId64, req->renewal_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &l.items[l.n - 1]->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
ben_resolve_objection(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	static const char *const outcomes[][2] = {{"renew", "renewed"},
	    {"keep", "kept"}, {"end", "ended"}};
	const Spis__V1__ResolveObjectionRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct ben_renewals l = {.ctx = ctx};
	struct store_programme *prog;
	struct store_person p;
	struct store_notice notice, *np = NULL;
	Spis__V1__Renewal *r;
	struct store_audit a;
	grpc_status_code st;
	const char *outcome = NULL;
	char why[96], today[16];

	if ((st = ben_renewal_find(ctx, req->renewal_id, &r)) !=
	    GRPC_STATUS_OK)
		return st;
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (strcmp(req->outcome, outcomes[i][0]) == 0)
			outcome = outcomes[i][1];
	if (outcome == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "outcome: not one of renew, keep, end");
	if (check_text(req->reason, 1, BEN_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	check_today(today, sizeof today);
	/* Ending is told to the citizen, as any end is. */
	if (strcmp(outcome, "ended") == 0 &&
	    programme_find(ctx, "renewal_id", r->programme, &prog) ==
	    GRPC_STATUS_OK &&
	    store_person_get(d->store, r->national_id, NULL, &p) == STORE_OK) {
		struct store_benefit b;

		if (store_benefit_get(d->store, r->benefit_id, &b) ==
		    STORE_OK) {
			notice_benefit_ended(rpc_ctx_arena(ctx), &p,
			    programme_name(prog, p.language), arena_strdup(
			    rpc_ctx_arena(ctx), b.application), today,
			    req->reason, &notice);
			np = &notice;
		}
	}
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "renewal %" PRId64 " of benefit %" PRId64 ": objection resolved, "
	    "%s", r->id, r->benefit_id, outcome));
	switch (store_renewal_settle(d->store, r->id, "objected", outcome,
	    today, c->officer.username, req->reason, np, &a,
	    ben_renewal_one, &l)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		r = l.items[l.n - 1];
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "renewal_id: renewal %" PRId64 " is %s; only an objected "
		    "renewal is resolved", r->id, r->state);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "renewal_id: no renewal %" PRId64, req->renewal_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &l.items[l.n - 1]->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method benefits_methods[] = {
	RPC_METHOD(spis__v1__benefits, 0, ben_list, PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__benefits, 1, ben_suspend, PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 2, ben_resume, PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 3, ben_end, PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 4, ben_set_account, PERM_BANK_WRITE),
	RPC_METHOD(spis__v1__benefits, 5, ben_get_account, PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__benefits, 6, ben_followups, PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__benefits, 7, ben_record_followup,
	    PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 8, ben_followup_summary,
	    PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__benefits, 9, ben_start_renewal, PERM_RENEWAL_RUN),
	RPC_METHOD(spis__v1__benefits, 10, ben_get_renewal_job,
	    PERM_RENEWAL_RUN),
	RPC_METHOD(spis__v1__benefits, 11, ben_list_renewals,
	    PERM_BENEFIT_READ),
	RPC_METHOD(spis__v1__benefits, 12, ben_object, PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 13, ben_resolve_objection,
	    PERM_BENEFIT_WRITE),
	RPC_METHOD(spis__v1__benefits, 14, ben_list_renewal_jobs,
	    PERM_RENEWAL_RUN),
};
const size_t benefits_nmethods =
    sizeof benefits_methods / sizeof benefits_methods[0];
