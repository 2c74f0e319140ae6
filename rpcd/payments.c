/*
 * payments.c: spis.v1.Payments.  A run pays one programme for one period:
 * a clerk creates it as a draft, a supervisor who did not create it
 * approves it (four eyes), a clerk exports it as a pain.001 credit
 * transfer file and imports the bank's status report, which reconciles
 * it.  A draft or approved run may be cancelled; after export only the
 * bank's returns undo a payment.
 *
 * Runs are national work: a national officer makes and handles the runs
 * of every programme, a municipal officer only those of a municipal
 * programme of their own municipality.  The store checks a run's state
 * inside each change's transaction; this file checks the request, the
 * caller's scope and the four eyes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "spis/v1/benefits.pb-c.h"

#include "bankfile.h"
#include "check.h"
#include "log.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_notice.h"
#include "store_payfile.h"
#include "store_payment.h"
#include "store_programme.h"

#define PAY_REASON_MAX 500
#define PAY_PAGE_DEFAULT 100
#define PAY_PAGE_MAX 500
#define PAY_FAILURES_MAX 1000
/* Bank files travel in chunks of at most this many bytes, well under the
 * daemon's message limit. */
#define PAY_CHUNK_MAX (1024 * 1024)
/* The largest status report an upload may grow to. */
#define PAY_UPLOAD_MAX ((int64_t)1024 * 1024 * 1024)

/* ------------------------------------------------------------------------
 * Messages.
 */

static Spis__V1__PaymentRun *
pay_run_msg(struct rpc_ctx *ctx, const struct store_run *r)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__PaymentRun *m = RPC_NEW(ctx, Spis__V1__PaymentRun,
	    spis__v1__payment_run__init);

	m->id = r->id;
	m->programme = arena_strdup(a, r->programme);
	m->period = arena_strdup(a, r->period);
	m->state = arena_strdup(a, r->state);
	m->count = r->count;
	m->total = r->total;
	m->currency = arena_strdup(a, r->currency);
	m->created_by = arena_strdup(a, r->created_by);
	m->created_at = arena_strdup(a, r->created_at);
	m->approved_by = arena_strdup(a, r->approved_by);
	m->approved_at = arena_strdup(a, r->approved_at);
	m->exported_at = arena_strdup(a, r->exported_at);
	m->message_id = arena_strdup(a, r->message_id);
	m->skipped_no_account = r->skipped_no_account;
	m->skipped_paid = r->skipped_paid;
	m->paid = r->paid;
	m->failed = r->failed;
	m->returned = r->returned;
	m->paid_total = r->paid_total;
	return m;
}

static Spis__V1__Payment *
pay_payment_msg(struct rpc_ctx *ctx, const struct store_payment *p)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Payment *m = RPC_NEW(ctx, Spis__V1__Payment,
	    spis__v1__payment__init);

	m->id = p->id;
	m->benefit_id = p->benefit_id;
	m->national_id = arena_strdup(a, p->national_id);
	m->name = arena_strdup(a, p->name);
	m->iban = arena_strdup(a, p->iban);
	m->amount = p->amount;
	m->state = arena_strdup(a, p->state);
	m->reason = arena_strdup(a, p->reason);
	m->end_to_end_id = arena_strdup(a, p->end_to_end_id);
	return m;
}

/* A growing array of message pointers in the call's arena. */
struct pay_list {
	struct rpc_ctx *ctx;
	void **items;
	size_t n, cap;
};

static void
pay_list_add(struct pay_list *l, void *item)
{
	void **grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		grown = arena_alloc(rpc_ctx_arena(l->ctx), sizeof *grown *
		    l->cap);
		if (l->n > 0)
			memcpy(grown, l->items, sizeof *grown * l->n);
		l->items = grown;
	}
	l->items[l->n++] = item;
}

/* ------------------------------------------------------------------------
 * Checks.
 */

/* Whether the caller handles the runs of programme p; field names what
 * the request said. */
static grpc_status_code
pay_scope(struct rpc_ctx *ctx, const char *field,
    const struct store_programme *p)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	if (c->officer.municipality[0] == '\0' ||
	    (strcmp(p->scope, "municipal") == 0 &&
	    strcmp(p->municipality, c->officer.municipality) == 0))
		return GRPC_STATUS_OK;
	return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
	    "%s: payment runs of programme %s are made by national officers; "
	    "your scope is municipality %s", field, p->code,
	    c->officer.municipality);
}

static int
pay_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A period as the programme's period says: "2026-11", "2026" or "once". */
static grpc_status_code
pay_period(struct rpc_ctx *ctx, const struct store_programme *p,
    const char *period)
{
	size_t n = strlen(period);
	int month;

	if (strcmp(p->period, "monthly") == 0) {
		if (n == 7 && pay_digits(period, 4) && period[4] == '-' &&
		    pay_digits(period + 5, 2) && period[0] != '0' &&
		    (month = atoi(period + 5)) >= 1 && month <= 12)
			return GRPC_STATUS_OK;
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "period: %s is paid monthly: a month as YYYY-MM, such as "
		    "2026-11", p->code);
	}
	if (strcmp(p->period, "yearly") == 0) {
		if (n == 4 && pay_digits(period, 4) && period[0] != '0')
			return GRPC_STATUS_OK;
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "period: %s is paid yearly: a year as YYYY, such as 2026",
		    p->code);
	}
	if (strcmp(period, "once") == 0)
		return GRPC_STATUS_OK;
	return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
	    "period: %s is paid once: the period is \"once\"", p->code);
}

/* The run a request names, and its programme, for a caller in scope. */
static grpc_status_code
pay_find(struct rpc_ctx *ctx, int64_t run_id, struct store_run *run,
    struct store_programme **prog)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	grpc_status_code st;

	if (run_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "run_id: required");
	switch (store_run_get(d->store, run_id, run)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "run_id: no payment run %" PRId64, run_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rpcd_audit_subject(ctx, NULL, "payments");
	if ((st = programme_find(ctx, "run_id", run->programme, prog)) !=
	    GRPC_STATUS_OK)
		return st;
	return pay_scope(ctx, "run_id", *prog);
}

/* What a refused change of a run's state says. */
static grpc_status_code
pay_refused(struct rpc_ctx *ctx, const struct store_run *run,
    const char *what)
{
	return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
	    "run_id: run %" PRId64 " is %s; %s", run->id, run->state, what);
}

/* ------------------------------------------------------------------------
 * Handlers.
 */

static grpc_status_code
pay_create(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__CreateRunRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_programme *prog;
	struct store_run run;
	struct store_audit a;
	grpc_status_code st;

	rpcd_audit_subject(ctx, NULL, "payments");
	if ((st = programme_find(ctx, "programme", req->programme, &prog)) !=
	    GRPC_STATUS_OK ||
	    (st = pay_scope(ctx, "programme", prog)) != GRPC_STATUS_OK ||
	    (st = pay_period(ctx, prog, req->period)) != GRPC_STATUS_OK)
		return st;
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "payment run for %s %s", prog->code, req->period));
	/* A national run takes a while and holds the database; the log says
	 * when it began and how it ended. */
	log_info("payments: making a run of %s %s for %s", prog->code,
	    req->period, c->officer.username);
	if (store_run_create(d->store, prog->code, req->period,
	    prog->currency, c->officer.username, &a, &run) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	log_info("payments: run %" PRId64 " of %s %s: %" PRId64 " payments",
	    run.id, run.programme, run.period, run.count);
	*respm = &pay_run_msg(ctx, &run)->base;
	return GRPC_STATUS_OK;
}

struct pay_page {
	struct rpc_ctx *ctx;
	struct pay_list l;
	int64_t last;
};

static int
pay_page_one(void *arg, const struct store_payment *p)
{
	struct pay_page *pg = arg;

	pay_list_add(&pg->l, pay_payment_msg(pg->ctx, p));
	pg->last = p->id;
	return 0;
}

static grpc_status_code
pay_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetRunRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_programme *prog;
	struct store_run run;
	struct pay_page pg = {.ctx = ctx, .l = {.ctx = ctx}};
	Spis__V1__PaymentRun *m;
	grpc_status_code st;
	int64_t after = 0;
	int size = req->page_size, more = 0;
	char *end;

	if (size == 0)
		size = PAY_PAGE_DEFAULT;
	if (size < 1 || size > PAY_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: 1 to %d, or 0 for %d", PAY_PAGE_MAX,
		    PAY_PAGE_DEFAULT);
	if (req->page_token[0] != '\0') {
		after = strtoll(req->page_token, &end, 10);
		if (*end != '\0' || after <= 0 || !isdigit((unsigned char)
		    req->page_token[0]))
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "page_token: not a token this call gave");
	}
	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK)
		return st;
	if (store_run_payments(d->store, run.id, after, size, pay_page_one,
	    &pg, &more) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	m = pay_run_msg(ctx, &run);
	m->payments = (Spis__V1__Payment **)pg.l.items;
	m->n_payments = pg.l.n;
	if (more)
		m->next_page_token = arena_printf(rpc_ctx_arena(ctx), "%" PRId64,
		    pg.last);
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

static void
pay_list_one(void *arg, const struct store_run *r)
{
	struct pay_list *l = arg;

	pay_list_add(l, pay_run_msg(l->ctx, r));
}

static grpc_status_code
pay_list_runs(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListRunsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_programme *prog;
	struct pay_list l = {.ctx = ctx};
	Spis__V1__RunList *out;
	grpc_status_code st;

	rpcd_audit_subject(ctx, NULL, "payments");
	if (req->programme[0] != '\0' && ((st = programme_find(ctx,
	    "programme", req->programme, &prog)) != GRPC_STATUS_OK ||
	    (st = pay_scope(ctx, "programme", prog)) != GRPC_STATUS_OK))
		return st;
	/* A municipal officer sees the runs of their municipality's own
	 * programmes, the only ones they may handle. */
	if (store_run_list(d->store, req->programme, c->officer.municipality,
	    pay_list_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__RunList, spis__v1__run_list__init);
	out->runs = (Spis__V1__PaymentRun **)l.items;
	out->n_runs = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
pay_approve(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RunActionRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_programme *prog;
	struct store_run run;
	struct store_audit a;
	grpc_status_code st;

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK)
		return st;
	/* The creator of a run never changes, so this holds whatever
	 * happens to the run meanwhile. */
	if (strcmp(run.created_by, c->officer.username) == 0)
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "run_id: four eyes: you created run %" PRId64 "; another "
		    "supervisor must approve it", run.id);
	if (strcmp(run.state, "draft") == 0 && run.count == 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "run_id: run %" PRId64 " has no payments; cancel it "
		    "instead", run.id);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "approved run %" PRId64 " (%s %s): %" PRId64 " payments, total %"
	    PRId64 " %s", run.id, run.programme, run.period, run.count,
	    run.total, run.currency));
	switch (store_run_move(d->store, run.id, STORE_RUN_APPROVE,
	    c->officer.username, NULL, NULL, &a, &run)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		return pay_refused(ctx, &run, "only a draft can be approved");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &pay_run_msg(ctx, &run)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
pay_cancel(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RunActionRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_programme *prog;
	struct store_run run;
	struct store_audit a;
	grpc_status_code st;
	char why[96];

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK)
		return st;
	if (check_text(req->reason, 1, PAY_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "cancelled run %" PRId64 " (%s %s): %s", run.id, run.programme,
	    run.period, req->reason));
	switch (store_run_move(d->store, run.id, STORE_RUN_CANCEL,
	    c->officer.username, req->reason, NULL, &a, &run)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		return pay_refused(ctx, &run, strcmp(run.state, "exported") ==
		    0 || strcmp(run.state, "reconciled") == 0 ?
		    "it went to the bank; only the bank's returns undo its "
		    "payments" : "only a draft or approved run can be "
		    "cancelled");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &pay_run_msg(ctx, &run)->base;
	return GRPC_STATUS_OK;
}

struct pay_export {
	struct bankfile_pain001 *doc;
	int failed;
};

static int
pay_export_one(void *arg, const struct store_payment *p)
{
	struct pay_export *e = arg;

	/* An exported run has no cancelled payments; should one be there,
	 * it was never meant for the bank. */
	if (strcmp(p->state, "cancelled") == 0)
		return 0;
	if (bankfile_pain001_add(e->doc, p->end_to_end_id, p->amount, p->name,
	    p->iban) != 0) {
		e->failed = 1;
		return 1;
	}
	return 0;
}

static int
pay_file_write(void *arg, const void *buf, size_t len)
{
	return store_payfile_write(arg, buf, len);
}

/*
 * Writes run's pain.001 from its payments, streamed from the store, into
 * its export file beside the database; sha256 and *size say what was
 * written.  The same run gives the same document every time: the message
 * id, creation time and execution date are the run's, fixed at export.
 */
static grpc_status_code
pay_document(struct rpc_ctx *ctx, const struct store_run *run, char *sha256,
    int64_t *size)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct bankfile_debtor debtor = {d->payments.debtor_name,
	    d->payments.debtor_iban, d->payments.debtor_bic};
	struct bankfile_header h = {
		.message_id = run->message_id,
		.created_at = run->exported_at,
		.execution_date = arena_strndup(a, run->exported_at, 10),
		.currency = run->currency,
		.remittance = arena_printf(a, "%s %s", run->programme,
		    run->period),
		.count = run->count,
		.total = run->total,
	};
	struct pay_export e = {0};
	struct store_payfile *f;
	int64_t count, total;
	int more;
	enum store_rc rc;

	log_info("payments: run %" PRId64 ": writing the file of message %s",
	    run->id, run->message_id);
	if ((f = store_payfile_create(d->documents_dir, run->message_id)) ==
	    NULL)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	/* Written as the payments stream from the store: the run's count
	 * and total head the file. */
	if ((e.doc = bankfile_pain001_new(&debtor, &h, pay_file_write, f)) ==
	    NULL) {
		store_payfile_abort(f);
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rc = store_run_payments(d->store, run->id, 0, 0, pay_export_one, &e,
	    &more);
	if (rc != STORE_OK || e.failed) {
		bankfile_pain001_free(e.doc);
		store_payfile_abort(f);
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (bankfile_pain001_end(e.doc, &count, &total) != 0) {
		if (count != run->count || total != run->total)
			log_error("payments: run %" PRId64 ": the file has %"
			    PRId64 " transactions for %" PRId64 ", the run %"
			    PRId64 " for %" PRId64, run->id, count, total,
			    run->count, run->total);
		else
			log_error("payments: run %" PRId64 ": the file could "
			    "not be written", run->id);
		bankfile_pain001_free(e.doc);
		store_payfile_abort(f);
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	bankfile_pain001_free(e.doc);
	if (store_payfile_commit(f, sha256, size) != 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	log_info("payments: run %" PRId64 ": file of message %s written, %"
	    PRId64 " bytes", run->id, run->message_id, *size);
	return GRPC_STATUS_OK;
}

/*
 * Makes sure exported run's file is in place: written the first time, its
 * digest then kept with the run; written again should it have gone
 * missing, when it must come out the same as the digest kept says.
 */
static grpc_status_code
pay_export_file(struct rpc_ctx *ctx, struct store_run *run)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	grpc_status_code st;
	char sha256[65], none[1];
	int64_t size = 0;
	size_t got;
	enum store_rc rc;

	if (run->export_sha256[0] != '\0') {
		rc = store_payfile_read(d->documents_dir, run->message_id, 0,
		    none, 0, &got, &size);
		if (rc == STORE_OK && size == run->export_size)
			return GRPC_STATUS_OK;
		if (rc == STORE_ERR)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		log_warn("payments: run %" PRId64 ": export file %s is %s; "
		    "writing it again", run->id, run->message_id,
		    rc == STORE_NOTFOUND ? "missing" : "of the wrong size");
	}
	if ((st = pay_document(ctx, run, sha256, &size)) != GRPC_STATUS_OK)
		return st;
	if (run->export_sha256[0] != '\0') {
		if (strcmp(sha256, run->export_sha256) != 0 ||
		    size != run->export_size) {
			log_error("payments: run %" PRId64 ": the file written "
			    "again differs from the one exported (sha256 %s, "
			    "kept %s)", run->id, sha256, run->export_sha256);
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		}
		return GRPC_STATUS_OK;
	}
	if (store_run_set_export(d->store, run->id, sha256, size) !=
	    STORE_OK ||
	    store_run_get(d->store, run->id, run) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	/* Two exports at once both wrote the file; the first digest kept
	 * stands, and the bytes are the same. */
	if (strcmp(run->export_sha256, sha256) != 0) {
		log_error("payments: run %" PRId64 ": two exports wrote "
		    "different files", run->id);
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	return GRPC_STATUS_OK;
}

/* A chunk size a request asks for: 0 for the most. */
static grpc_status_code
pay_chunk_size(struct rpc_ctx *ctx, const char *field, int32_t asked,
    size_t *size)
{
	if (asked < 0 || asked > PAY_CHUNK_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: 1 to %d bytes, or 0 for %d", field, PAY_CHUNK_MAX,
		    PAY_CHUNK_MAX);
	*size = asked == 0 ? PAY_CHUNK_MAX : (size_t)asked;
	return GRPC_STATUS_OK;
}

/* Reads at most max bytes of run's export file from offset into *out. */
static grpc_status_code
pay_chunk_read(struct rpc_ctx *ctx, const struct store_run *run,
    int64_t offset, size_t max, ProtobufCBinaryData *out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	int64_t size;

	if ((int64_t)max > run->export_size - offset)
		max = (size_t)(run->export_size - offset);
	out->data = arena_alloc(rpc_ctx_arena(ctx), max + 1);
	if (store_payfile_read(d->documents_dir, run->message_id, offset,
	    out->data, max, &out->len, &size) != STORE_OK ||
	    size != run->export_size)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	return GRPC_STATUS_OK;
}

static grpc_status_code
pay_export(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RunActionRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_programme *prog;
	struct store_run run;
	struct store_audit a;
	Spis__V1__ExportReply *out;
	grpc_status_code st;
	char now[32], ts[16], msgid[40];
	size_t j = 0, chunk = PAY_CHUNK_MAX;

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK ||
	    (st = pay_chunk_size(ctx, "max_chunk_bytes", req->max_chunk_bytes,
	    &chunk)) != GRPC_STATUS_OK)
		return st;
	out = RPC_NEW(ctx, Spis__V1__ExportReply,
	    spis__v1__export_reply__init);
	/* Exported before: the same file again, for a bank upload that
	 * failed on the way.  Nothing changes. */
	if (strcmp(run.state, "exported") == 0 ||
	    strcmp(run.state, "reconciled") == 0) {
		c->detail = arena_printf(ar, "run %" PRId64 " exported again "
		    "(message %s)", run.id, run.message_id);
	} else if (strcmp(run.state, "approved") != 0) {
		return pay_refused(ctx, &run, "only an approved run can be "
		    "exported");
	} else {
		/* SPIS, the time of export and the run: unique, and at
		 * most 35 characters as ISO 20022 wants. */
		check_now(now, sizeof now);
		for (size_t i = 0; now[i] != '\0' && j < 14; i++)
			if (isdigit((unsigned char)now[i]))
				ts[j++] = now[i];
		ts[j] = '\0';
		snprintf(msgid, sizeof msgid, "SPIS%sR%" PRId64, ts, run.id);
		rpcd_audit_row(ctx, &a, arena_printf(ar, "exported run %" PRId64
		    " (%s %s) as message %s: %" PRId64 " payments, total %"
		    PRId64 " %s", run.id, run.programme, run.period, msgid,
		    run.count, run.total, run.currency));
		switch (store_run_move(d->store, run.id, STORE_RUN_EXPORT,
		    c->officer.username, NULL, msgid, &a, &run)) {
		case STORE_OK:
			break;
		case STORE_REFUSED:
			return pay_refused(ctx, &run, "only an approved run "
			    "can be exported");
		default:
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		}
	}
	if ((st = pay_export_file(ctx, &run)) != GRPC_STATUS_OK ||
	    (st = pay_chunk_read(ctx, &run, 0, chunk, &out->xml)) !=
	    GRPC_STATUS_OK)
		return st;
	out->file_name = arena_printf(ar, "%s.xml", run.message_id);
	out->size = run.export_size;
	out->sha256 = arena_strdup(ar, run.export_sha256);
	out->run = pay_run_msg(ctx, &run);
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
pay_export_chunk(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetExportChunkRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_programme *prog;
	struct store_run run;
	Spis__V1__ExportChunk *out;
	grpc_status_code st;
	size_t chunk = PAY_CHUNK_MAX;

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK ||
	    (st = pay_chunk_size(ctx, "max_bytes", req->max_bytes, &chunk)) !=
	    GRPC_STATUS_OK)
		return st;
	if (req->offset < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "offset: %" PRId64 " is negative", req->offset);
	if (strcmp(run.state, "exported") != 0 &&
	    strcmp(run.state, "reconciled") != 0)
		return pay_refused(ctx, &run, "it has no file until it is "
		    "exported (ExportRun)");
	if ((st = pay_export_file(ctx, &run)) != GRPC_STATUS_OK)
		return st;
	if (req->offset >= run.export_size)
		return rpc_error(ctx, GRPC_STATUS_OUT_OF_RANGE,
		    "offset: %" PRId64 " is at or past the end of the file (%"
		    PRId64 " bytes)", req->offset, run.export_size);
	out = RPC_NEW(ctx, Spis__V1__ExportChunk,
	    spis__v1__export_chunk__init);
	if ((st = pay_chunk_read(ctx, &run, req->offset, chunk, &out->data)) !=
	    GRPC_STATUS_OK)
		return st;
	out->offset = req->offset;
	out->size = run.export_size;
	out->sha256 = arena_strdup(ar, run.export_sha256);
	out->file_name = arena_printf(ar, "%s.xml", run.message_id);
	c->detail = arena_printf(ar, "run %" PRId64 " file %s: %zu bytes "
	    "from %" PRId64, run.id, run.message_id, out->data.len,
	    req->offset);
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
pay_upload(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__UploadStatusChunkRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_programme *prog;
	struct store_run run;
	Spis__V1__UploadStatusChunkReply *out;
	grpc_status_code st;
	char id[33];
	int64_t size = 0;

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK)
		return st;
	if (req->data.len == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "data: required");
	if (req->data.len > PAY_CHUNK_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "data: at most %d bytes a chunk", PAY_CHUNK_MAX);
	if (req->offset < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "offset: %" PRId64 " is negative", req->offset);
	if (req->upload_id[0] != '\0' &&
	    !store_upload_id_valid(req->upload_id))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "upload_id: not an id UploadStatusChunk gave");
	if (strcmp(run.state, "exported") != 0 &&
	    strcmp(run.state, "reconciled") != 0)
		return pay_refused(ctx, &run, "a status report answers an "
		    "exported run");
	if (req->upload_id[0] == '\0') {
		if (req->offset != 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "offset: a new upload (no upload_id) starts at "
			    "0");
		if (store_upload_create(d->documents_dir, run.id,
		    req->data.data, req->data.len, id) != 0)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		size = (int64_t)req->data.len;
	} else {
		snprintf(id, sizeof id, "%s", req->upload_id);
		switch (store_upload_append(d->documents_dir, run.id, id,
		    req->offset, req->data.data, req->data.len,
		    PAY_UPLOAD_MAX, &size)) {
		case STORE_OK:
			break;
		case STORE_NOTFOUND:
			return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
			    "upload_id: no upload %s for run %" PRId64
			    " (imported already, abandoned, or of another "
			    "run)", id, run.id);
		case STORE_REFUSED:
			return rpc_error(ctx, GRPC_STATUS_OUT_OF_RANGE,
			    "offset: upload %s has %" PRId64 " bytes; the "
			    "next chunk goes at offset %" PRId64, id, size,
			    size);
		case STORE_CONFLICT:
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "data: a status report is at most %" PRId64
			    " bytes", PAY_UPLOAD_MAX);
		default:
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		}
	}
	c->detail = arena_printf(ar, "status report upload %s for run %"
	    PRId64 ": %zu bytes at %" PRId64, id, run.id, req->data.len,
	    req->offset);
	out = RPC_NEW(ctx, Spis__V1__UploadStatusChunkReply,
	    spis__v1__upload_status_chunk_reply__init);
	out->upload_id = arena_strdup(ar, id);
	out->size = size;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

struct pay_notice {
	struct arena *a;
	const struct store_programme *prog;
	const struct store_run *run;
};

/* Under the store's lock: writes the text of a failed payment's notice. */
static void
pay_notice_one(void *arg, const struct store_failed_payment *f,
    struct store_notice *n)
{
	struct pay_notice *p = arg;

	notice_payment_failed(p->a, arena_strdup(p->a, f->national_id),
	    arena_strdup(p->a, f->language), programme_name(p->prog,
	    f->language), p->run->period, f->status, arena_strdup(p->a,
	    f->reason), f->amount, p->run->currency, n);
}

/*
 * Reads a status report's content for exported run and applies it; the
 * reply lists every line, or with errors_only those with an error.  The
 * content is the caller's: it is not kept.
 */
static grpc_status_code
pay_import_report(struct rpc_ctx *ctx, const char *format_asked,
    int errors_only, struct store_run *runp,
    const struct store_programme *prog, const void *content, size_t len,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_run run = *runp;
	struct store_audit a;
	struct bankfile_status *in;
	struct store_status_line *lines;
	struct pay_notice pn;
	Spis__V1__ImportStatusReply *out;
	Spis__V1__ImportLine *m;
	const char *format = "";
	size_t n;
	char why[256];

	if (bankfile_status_read(format_asked, content, len, run.message_id,
	    ar, &in, &n, &format, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s", why);
	lines = arena_alloc(ar, sizeof *lines * n);
	for (size_t i = 0; i < n; i++) {
		lines[i].end_to_end_id = in[i].end_to_end_id;
		lines[i].status = in[i].status;
		lines[i].reason = in[i].reason;
		lines[i].amount = in[i].amount;
		if (in[i].error != NULL) {
			snprintf(lines[i].outcome, sizeof lines[i].outcome,
			    "error");
			snprintf(lines[i].message, sizeof lines[i].message,
			    "%s", in[i].error);
		}
	}
	rpcd_audit_row(ctx, &a, arena_printf(ar, "%s status report for run %"
	    PRId64 " (%s %s)", format, run.id, run.programme,
	    run.period));
	pn = (struct pay_notice){.a = ar, .prog = prog, .run = &run};
	log_info("payments: run %" PRId64 ": applying a %s status report of "
	    "%zu lines", run.id, format, n);
	switch (store_run_import(d->store, run.id, lines, n, &a,
	    pay_notice_one, &pn, &run)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		return pay_refused(ctx, &run, "a status report answers an "
		    "exported run");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	out = RPC_NEW(ctx, Spis__V1__ImportStatusReply,
	    spis__v1__import_status_reply__init);
	out->run = pay_run_msg(ctx, &run);
	out->lines = arena_alloc(ar, sizeof *out->lines * (n + 1));
	out->lines_read = (int64_t)n;
	out->format = (char *)format;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(lines[i].outcome, "error") == 0)
			out->errors++;
		else if (errors_only)
			continue;
		m = RPC_NEW(ctx, Spis__V1__ImportLine,
		    spis__v1__import_line__init);
		m->line = in[i].line;
		m->end_to_end_id = (char *)in[i].end_to_end_id;
		m->outcome = arena_strdup(ar, lines[i].outcome);
		m->message = arena_strdup(ar, lines[i].message);
		out->lines[out->n_lines++] = m;
	}
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

/* Whether hex (any case) is the SHA-256 of len bytes at buf. */
static int
pay_sha256_matches(const char *hex, const void *buf, size_t len)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char mine[65];

	crypto_hash_sha256(digest, buf, len);
	sodium_bin2hex(mine, sizeof mine, digest, sizeof digest);
	return strcasecmp(hex, mine) == 0;
}

static grpc_status_code
pay_import(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ImportStatusRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_programme *prog;
	struct store_run run;
	grpc_status_code st;
	unsigned char *loaded = NULL;
	const void *content = req->content.data;
	size_t len = req->content.len;

	if ((st = pay_find(ctx, req->run_id, &run, &prog)) != GRPC_STATUS_OK)
		return st;
	if (strcmp(req->format, "") != 0 && strcmp(req->format, "csv") != 0 &&
	    strcmp(req->format, "pain.002") != 0 &&
	    strcmp(req->format, "camt.054") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "format: \"csv\", \"pain.002\", \"camt.054\", or \"\" to "
		    "tell from the content");
	if (req->upload_id[0] != '\0' && req->content.len > 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "content: give the report in content or as upload_id, not "
		    "both");
	if (req->upload_id[0] != '\0' &&
	    !store_upload_id_valid(req->upload_id))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "upload_id: not an id UploadStatusChunk gave");
	if (req->sha256[0] != '\0' && (strlen(req->sha256) != 64 ||
	    strspn(req->sha256, "0123456789abcdefABCDEF") != 64))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "sha256: 64 hexadecimal digits, or empty");
	if (strcmp(run.state, "exported") != 0 &&
	    strcmp(run.state, "reconciled") != 0)
		return pay_refused(ctx, &run, "a status report answers an "
		    "exported run");
	if (req->upload_id[0] != '\0') {
		switch (store_upload_load(d->documents_dir, run.id,
		    req->upload_id, &loaded, &len)) {
		case STORE_OK:
			break;
		case STORE_NOTFOUND:
			return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
			    "upload_id: no upload %s for run %" PRId64
			    " (imported already, abandoned, or of another "
			    "run)", req->upload_id, run.id);
		default:
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
		}
		content = loaded;
	}
	if (req->sha256[0] != '\0' && !pay_sha256_matches(req->sha256,
	    content != NULL ? content : "", len))
		st = rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "sha256: "
		    "does not match the %zu bytes of the report received",
		    len);
	else
		st = pay_import_report(ctx, req->format, req->errors_only, &run,
		    prog, content, len, respm);
	free(loaded);
	/* An upload is read once: imported, it is gone; refused, it stays
	 * until it expires, and a corrected report is a new upload. */
	if (st == GRPC_STATUS_OK && req->upload_id[0] != '\0')
		store_upload_remove(d->documents_dir, run.id, req->upload_id);
	return st;
}

static void
pay_failure_one(void *arg, const struct store_payment *p)
{
	struct pay_list *l = arg;

	pay_list_add(l, pay_payment_msg(l->ctx, p));
}

static grpc_status_code
pay_failures(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListFailuresRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct pay_list l = {.ctx = ctx};
	Spis__V1__FailureList *out;
	const char *muni = req->municipality;

	rpcd_audit_subject(ctx, NULL, "payments");
	if (muni[0] == '\0')
		muni = c->officer.municipality;
	else if (municipality_find(muni) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: unknown code \"%.16s\"", muni);
	else if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %s is outside your scope (%s)", muni,
		    c->officer.municipality);
	if (store_payment_failures(d->store, muni, PAY_FAILURES_MAX,
	    pay_failure_one, &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	out = RPC_NEW(ctx, Spis__V1__FailureList,
	    spis__v1__failure_list__init);
	out->payments = (Spis__V1__Payment **)l.items;
	out->n_payments = l.n;
	*respm = &out->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method payments_methods[] = {
	RPC_METHOD(spis__v1__payments, 0, pay_create, PERM_PAYMENT_RUN),
	RPC_METHOD(spis__v1__payments, 1, pay_get, PERM_PAYMENT_READ),
	RPC_METHOD(spis__v1__payments, 2, pay_list_runs, PERM_PAYMENT_READ),
	RPC_METHOD(spis__v1__payments, 3, pay_approve, PERM_PAYMENT_APPROVE),
	RPC_METHOD(spis__v1__payments, 4, pay_cancel, PERM_PAYMENT_RUN),
	RPC_METHOD(spis__v1__payments, 5, pay_export, PERM_PAYMENT_RUN),
	RPC_METHOD(spis__v1__payments, 6, pay_import, PERM_PAYMENT_RUN),
	RPC_METHOD(spis__v1__payments, 7, pay_failures, PERM_PAYMENT_READ),
	RPC_METHOD(spis__v1__payments, 8, pay_export_chunk, PERM_PAYMENT_RUN),
	RPC_METHOD(spis__v1__payments, 9, pay_upload, PERM_PAYMENT_RUN),
};
const size_t payments_nmethods =
    sizeof payments_methods / sizeof payments_methods[0];
