/*
 * duplicates.c: spis.v1.Duplicates, the review of likely duplicates.  The
 * registry flags pairs at registration (store_dup_scan); here a reviewer
 * checks a person again, lists the open flags of their municipality, and
 * marks a pair distinct or merges it into one record.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/registry.pb-c.h"

#include "check.h"
#include "municipality.h"
#include "rpcd.h"
#include "store_duplicate.h"

#define DUP_PAGE_DEFAULT 20
#define DUP_PAGE_MAX 100
#define DUP_REASON_MAX 500
#define DUP_ID_MAX 31

/* Flags gathered into a reply; grows in the call's arena. */
struct dup_reply {
	struct rpc_ctx *ctx;
	Spis__V1__DuplicateFlagList *list;
	size_t cap;
	size_t want;	 /* a page's size; 0 for every flag */
	int more;	 /* a flag beyond the page was seen */
	int64_t last_id;
	Spis__V1__DuplicateFlag *one;
};

static Spis__V1__PersonSummary *
dup_summary(struct rpc_ctx *ctx, const struct store_dup_person *p)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__PersonSummary *m = RPC_NEW(ctx, Spis__V1__PersonSummary,
	    spis__v1__person_summary__init);

	m->national_id = arena_strdup(a, p->national_id);
	m->given_names = arena_strdup(a, p->given_names);
	m->surname = arena_strdup(a, p->surname);
	m->birth_date = arena_strdup(a, p->birth_date);
	m->municipality = arena_strdup(a, p->municipality);
	m->deceased_date = arena_strdup(a, p->deceased_date);
	m->merged_into = arena_strdup(a, p->merged_into);
	return m;
}

static Spis__V1__DuplicateFlag *
dup_flag_msg(struct rpc_ctx *ctx, const struct store_dup_flag *fl)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__DuplicateFlag *m = RPC_NEW(ctx, Spis__V1__DuplicateFlag,
	    spis__v1__duplicate_flag__init);
	const char *p;
	size_t n = 1, len;

	m->id = fl->id;
	m->a = dup_summary(ctx, &fl->a);
	m->b = dup_summary(ctx, &fl->b);
	for (p = fl->reasons; *p != '\0'; p++)
		n += *p == ',';
	m->reasons = arena_alloc(a, n * sizeof *m->reasons);
	for (p = fl->reasons; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		m->reasons[m->n_reasons++] = arena_strndup(a, p, len);
	}
	m->status = arena_strdup(a, fl->status);
	m->created_at = arena_strdup(a, fl->created_at);
	m->resolved_at = arena_strdup(a, fl->resolved_at);
	m->resolved_by = arena_strdup(a, fl->resolved_by);
	m->resolution_reason = arena_strdup(a, fl->resolution_reason);
	m->kept_national_id = arena_strdup(a, fl->kept);
	return m;
}

static void
dup_add(void *arg, const struct store_dup_flag *fl)
{
	struct dup_reply *r = arg;
	Spis__V1__DuplicateFlagList *l = r->list;
	Spis__V1__DuplicateFlag **v;

	if (r->want > 0 && l->n_flags == r->want) {
		r->more = 1;
		return;
	}
	if (l->n_flags == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		v = arena_alloc(rpc_ctx_arena(r->ctx), r->cap * sizeof *v);
		if (l->n_flags > 0)
			memcpy(v, l->flags, l->n_flags * sizeof *v);
		l->flags = v;
	}
	l->flags[l->n_flags++] = dup_flag_msg(r->ctx, fl);
	r->last_id = fl->id;
}

static void
dup_keep_one(void *arg, const struct store_dup_flag *fl)
{
	struct dup_reply *r = arg;

	r->one = dup_flag_msg(r->ctx, fl);
}

static struct dup_reply *
dup_reply_new(struct rpc_ctx *ctx)
{
	struct dup_reply *r = arena_alloc(rpc_ctx_arena(ctx), sizeof *r);

	r->ctx = ctx;
	r->list = RPC_NEW(ctx, Spis__V1__DuplicateFlagList,
	    spis__v1__duplicate_flag_list__init);
	return r;
}

/* A national ID as this service takes it: the registry validated it when
 * the person was registered, so here it only has to be plausible text. */
static grpc_status_code
dup_check_id(struct rpc_ctx *ctx, const char *field, const char *id)
{
	if (id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	if (strlen(id) > DUP_ID_MAX || !check_utf8_text(id))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: not a national ID", field);
	return GRPC_STATUS_OK;
}

static grpc_status_code
dup_find(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__FindDuplicatesRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_dup_filter f = {.national_id = req->national_id};
	struct dup_reply *r;
	grpc_status_code st;
	char muni[16];

	if ((st = dup_check_id(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	switch (store_dup_person_municipality(d->store, req->national_id,
	    muni, sizeof muni)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: no person %s in the registry",
		    req->national_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	/* Checking a person flags pairs: a change, within the caller's
	 * municipality like any other. */
	if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "national_id: lives in municipality %s, outside yours (%s)",
		    muni, c->officer.municipality);
	switch (store_dup_scan(d->store, req->national_id,
	    c->officer.username, NULL, NULL)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: no person %s in the registry",
		    req->national_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	r = dup_reply_new(ctx);
	if (store_dup_list(d->store, &f, dup_add, r) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	r->list->next_page_token = "";
	*respm = &r->list->base;
	return GRPC_STATUS_OK;
}

static int
dup_status_ok(const char *s)
{
	return strcmp(s, "open") == 0 || strcmp(s, "distinct") == 0 ||
	    strcmp(s, "merged") == 0;
}

static grpc_status_code
dup_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListDuplicateFlagsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_dup_filter f = {0};
	struct dup_reply *r;
	char *end;

	f.status = req->status[0] != '\0' ? req->status : "open";
	if (!dup_status_ok(f.status))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "status: \"open\", \"distinct\" or \"merged\", or \"\" for "
		    "open");
	if (req->page_size < 0 || req->page_size > DUP_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", DUP_PAGE_MAX,
		    DUP_PAGE_DEFAULT);
	if (req->page_token[0] != '\0') {
		f.after_id = strtoll(req->page_token, &end, 10);
		if (*end != '\0' || f.after_id <= 0 ||
		    !isdigit((unsigned char)req->page_token[0]))
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "page_token: not a token this service gave");
	}
	if (req->municipality[0] != '\0') {
		if (municipality_find(req->municipality) == NULL)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "municipality: no municipality has the code %s "
			    "(see ListMunicipalities)", req->municipality);
		if (!authz_in_scope(c, req->municipality))
			return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
			    "municipality: %s is outside your municipality "
			    "(%s)", req->municipality,
			    c->officer.municipality);
		f.municipality = req->municipality;
	} else
		f.municipality = c->officer.municipality;
	r = dup_reply_new(ctx);
	r->want = req->page_size ? (size_t)req->page_size : DUP_PAGE_DEFAULT;
	/* One more than the page tells whether there is a next one. */
	f.limit = (int)r->want + 1;
	if (store_dup_list(d->store, &f, dup_add, r) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	r->list->next_page_token = r->more ?
	    arena_printf(rpc_ctx_arena(ctx), "%" PRId64, r->last_id) : "";
	*respm = &r->list->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
dup_resolve(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ResolveDuplicateRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_dup_filter f = {.id = req->flag_id};
	struct store_dup_resolution res = {0};
	struct store_audit a;
	struct dup_reply *r = dup_reply_new(ctx);
	Spis__V1__DuplicateFlag *fl;
	const char *kept, *other;
	grpc_status_code st;
	char why[128];

	if (req->flag_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "flag_id: required (from FindDuplicates or "
		    "ListDuplicateFlags)");
	if (strcmp(req->resolution, "merge") == 0)
		res.merge = 1;
	else if (strcmp(req->resolution, "distinct") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "resolution: \"distinct\" or \"merge\"");
	if (res.merge && (st = dup_check_id(ctx, "keep_national_id",
	    req->keep_national_id)) != GRPC_STATUS_OK)
		return st;
	if (!res.merge && req->keep_national_id[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "keep_national_id: only for a merge; leave it empty when "
		    "the two are distinct");
	if (check_text(req->reason, 1, DUP_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);

	if (store_dup_list(d->store, &f, dup_keep_one, r) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if ((fl = r->one) == NULL)
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "flag_id: no duplicate flag %" PRId64, req->flag_id);
	if (!authz_in_scope(c, fl->a->municipality) &&
	    !authz_in_scope(c, fl->b->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "flag_id: neither person of flag %" PRId64 " is in your "
		    "municipality (%s)", req->flag_id,
		    c->officer.municipality);
	if (res.merge) {
		if (strcmp(req->keep_national_id, fl->a->national_id) == 0) {
			kept = fl->a->national_id;
			other = fl->b->national_id;
		} else if (strcmp(req->keep_national_id,
		    fl->b->national_id) == 0) {
			kept = fl->b->national_id;
			other = fl->a->national_id;
		} else
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "keep_national_id: must be %s or %s, the two "
			    "people of flag %" PRId64, fl->a->national_id,
			    fl->b->national_id, req->flag_id);
	} else {
		kept = fl->a->national_id;
		other = fl->b->national_id;
	}
	rpcd_audit_subject(ctx, kept, "case_work");
	if (strcmp(fl->status, "open") != 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "flag_id: already resolved (%s by %s at %s)", fl->status,
		    fl->resolved_by, fl->resolved_at);

	res.flag_id = req->flag_id;
	res.keep = kept;
	res.reason = req->reason;
	res.actor = c->officer.username;
	rpcd_audit_row(ctx, &a, res.merge ?
	    arena_printf(rpc_ctx_arena(ctx), "flag %" PRId64 ": %s merged "
	    "into %s", req->flag_id, other, kept) :
	    arena_printf(rpc_ctx_arena(ctx), "flag %" PRId64 ": %s and %s "
	    "are distinct people", req->flag_id, kept, other));
	r->one = NULL;
	switch (store_dup_resolve(d->store, &res, &a, dup_keep_one, r)) {
	case STORE_DUP_OK:
		break;
	case STORE_DUP_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "flag_id: no duplicate flag %" PRId64, req->flag_id);
	case STORE_DUP_NOT_IN_PAIR:
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "keep_national_id: not one of the two people of flag %"
		    PRId64, req->flag_id);
	case STORE_DUP_RESOLVED:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "flag_id: already %s", res.detail);
	case STORE_DUP_GONE:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "flag_id: %s", res.detail);
	case STORE_DUP_HOUSEHOLDS:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "keep_national_id: both are in households (%" PRId64
		    " and %" PRId64 "); move one first", res.hh_keep,
		    res.hh_other);
	case STORE_DUP_HEAD:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "keep_national_id: %s heads household %" PRId64 ", where "
		    "%s is a member too; keep the head's record or change the "
		    "head first", other, res.hh_keep, kept);
	case STORE_DUP_OVERLAP:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "keep_national_id: %s's membership of household %" PRId64
		    " overlaps %s's earlier one of household %" PRId64 "; end "
		    "it first", other, res.hh_other, kept, res.hh_keep);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (r->one == NULL)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &r->one->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method duplicates_methods[] = {
	RPC_METHOD(spis__v1__duplicates, 0, dup_find, PERM_DUPLICATE_REVIEW),
	RPC_METHOD(spis__v1__duplicates, 1, dup_list, PERM_DUPLICATE_REVIEW),
	RPC_METHOD(spis__v1__duplicates, 2, dup_resolve,
	    PERM_DUPLICATE_REVIEW),
};
const size_t duplicates_nmethods =
    sizeof duplicates_methods / sizeof duplicates_methods[0];
