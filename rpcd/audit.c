/*
 * audit.c: spis.v1.Audit, the trail read back for auditors.  Rows are
 * written by the store (store_audit_append) from the RPC runtime's finished
 * hook, the login code and the command line; this file only reads.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/audit.pb-c.h"

#include "rpcd.h"

#define AUDIT_PAGE_DEFAULT 50
#define AUDIT_PAGE_MAX 500

/*
 * Turns "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.mmm]Z" into the text the trail
 * stores, so that a plain comparison works.  A bare date as an upper bound
 * covers the whole day.  Returns NULL for anything else.
 */
static const char *
audit_bound(struct arena *a, const char *in, int upper)
{
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	size_t len = strlen(in);

	if (len == 10 && sscanf(in, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 &&
	    n == 10) {
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			return NULL;
		return arena_printf(a, "%04d-%02d-%02dT%s", y, mo, d,
		    upper ? "23:59:59.999Z" : "00:00:00.000Z");
	}
	if ((len == 20 || len == 24) && in[len - 1] == 'Z' &&
	    sscanf(in, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
	    &s) == 6 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 &&
	    mi < 60 && s < 61)
		return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%s", y, mo,
		    d, h, mi, s, len == 24 ? in + 20 : (upper ? "999Z" :
		    "000Z"));
	return NULL;
}

struct audit_page {
	struct rpc_ctx *ctx;
	Spis__V1__AuditPage *page;
	int64_t last_id;
};

static char *
dup_or_empty(struct arena *a, const char *s)
{
	return arena_strdup(a, s != NULL ? s : "");
}

static void
audit_add_row(void *arg, const struct store_audit_row *r)
{
	struct audit_page *p = arg;
	struct arena *a = rpc_ctx_arena(p->ctx);
	Spis__V1__AuditRow *m = RPC_NEW(p->ctx, Spis__V1__AuditRow,
	    spis__v1__audit_row__init);

	m->id = r->id;
	m->at = dup_or_empty(a, r->at);
	m->actor = dup_or_empty(a, r->a.actor);
	m->role = dup_or_empty(a, r->a.role);
	m->terminal = dup_or_empty(a, r->a.terminal);
	m->method = dup_or_empty(a, r->a.method);
	m->subject = dup_or_empty(a, r->a.subject);
	m->purpose = dup_or_empty(a, r->a.purpose);
	m->outcome = dup_or_empty(a, r->a.outcome);
	m->detail = dup_or_empty(a, r->a.detail);
	p->page->rows[p->page->n_rows++] = m;
	p->last_id = r->id;
}

static grpc_status_code
audit_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListAuditRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_audit_filter f = {.actor = req->actor,
	    .subject = req->subject, .method = req->method};
	struct audit_page p = {.ctx = ctx};
	char *end;
	int n;

	if (req->page_size < 0 || req->page_size > AUDIT_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", AUDIT_PAGE_MAX,
		    AUDIT_PAGE_DEFAULT);
	f.limit = req->page_size ? req->page_size : AUDIT_PAGE_DEFAULT;
	if (req->from[0] != '\0' &&
	    (f.from = audit_bound(a, req->from, 0)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "from: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	if (req->to[0] != '\0' && (f.to = audit_bound(a, req->to, 1)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "to: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	if (req->page_token[0] != '\0') {
		f.before_id = strtoll(req->page_token, &end, 10);
		if (*end != '\0' || f.before_id <= 0 ||
		    !isdigit((unsigned char)req->page_token[0]))
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "page_token: not a token this service gave");
	}
	p.page = RPC_NEW(ctx, Spis__V1__AuditPage,
	    spis__v1__audit_page__init);
	p.page->rows = arena_alloc(a, sizeof *p.page->rows * (size_t)f.limit);
	if ((n = store_audit_list(d->store, &f, audit_add_row, &p)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	p.page->next_page_token = n == f.limit ?
	    arena_printf(a, "%" PRId64, p.last_id) : "";
	*respm = &p.page->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
audit_verify(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	Spis__V1__AuditVerification *v;
	int64_t n, bad, checked;

	(void)reqm;
	v = RPC_NEW(ctx, Spis__V1__AuditVerification,
	    spis__v1__audit_verification__init);
	n = store_audit_verify(d->store, &bad, &checked);
	if (n < 0 && bad == 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	v->intact = n >= 0;
	v->rows_checked = checked;
	v->first_bad_row = bad;
	*respm = &v->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method audit_methods[] = {
	RPC_METHOD(spis__v1__audit, 0, audit_list, PERM_AUDIT_READ),
	RPC_METHOD(spis__v1__audit, 1, audit_verify, PERM_AUDIT_READ),
};
const size_t audit_nmethods = sizeof audit_methods / sizeof audit_methods[0];
