/*
 * households.c: spis.v1.Households, the household as the unit of every
 * means test.  Input is checked here, field by field; the state a change
 * depends on (who is a member, who is head) is checked by the store inside
 * the change's transaction, and its refusals are turned into statuses that
 * name the field here.  Every change keeps the history: memberships are
 * closed and opened, never rewritten.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/registry.pb-c.h"

#include "check.h"
#include "municipality.h"
#include "natid.h"
#include "rpcd.h"
#include "store_household.h"

#define HH_ADDRESS_MAX 200
#define HH_REASON_MAX 500

static const char *const hh_relationships[] = {
	"head", "spouse", "partner", "child", "parent", "sibling",
	"grandchild", "grandparent", "other_relative", "other",
};

/* Which request field each person or date of a refusal is. */
struct hh_fields {
	const char *person; /* the person the change is about */
	const char *second; /* the successor, or the old head */
	const char *date;
};

static int
hh_relationship_known(const char *r)
{
	for (size_t i = 0; i < sizeof hh_relationships /
	    sizeof hh_relationships[0]; i++)
		if (strcmp(r, hh_relationships[i]) == 0)
			return 1;
	return 0;
}

/* A household id: the decimal integer the store gave, nothing else. */
static int
hh_parse_id(const char *s, int64_t *id)
{
	char *end;
	size_t len = strlen(s);

	if (len == 0 || len > 18 || s[0] < '1' || s[0] > '9')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	*id = strtoll(s, &end, 10);
	return *end == '\0' && *id > 0;
}

static grpc_status_code
hh_id(struct rpc_ctx *ctx, const char *field, const char *s, int64_t *id)
{
	if (s[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	if (!hh_parse_id(s, id))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: not a household id (a whole number)", field);
	return GRPC_STATUS_OK;
}

/* A national ID under the configured country's rules. */
static grpc_status_code
hh_natid(struct rpc_ctx *ctx, const char *field, const char *s)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	char why[128];

	if (s[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	if (natid_check(d->country, s, NULL, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s: %s",
		    field, why);
	return GRPC_STATUS_OK;
}

/* A date of a change: a real date, not after today. */
static grpc_status_code
hh_date(struct rpc_ctx *ctx, const char *field, const char *s)
{
	char today[16];

	if (s[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required (YYYY-MM-DD)", field);
	if (!check_date(s, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: not a date (YYYY-MM-DD)", field);
	check_today(today, sizeof today);
	if (strcmp(s, today) > 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: %s is in the future (today is %s)", field, s, today);
	return GRPC_STATUS_OK;
}

static grpc_status_code
hh_relationship(struct rpc_ctx *ctx, const char *field, const char *s,
    int head_allowed)
{
	if (s[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	if (!hh_relationship_known(s))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: unknown; one of %sspouse, partner, child, parent, "
		    "sibling, grandchild, grandparent, other_relative, other",
		    field, head_allowed ? "head, " : "");
	if (!head_allowed && strcmp(s, "head") == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: \"head\" is not set here; use ChangeHead", field);
	return GRPC_STATUS_OK;
}

static grpc_status_code
hh_reason(struct rpc_ctx *ctx, const char *s)
{
	char why[96];

	if (check_text(s, 0, HH_REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	return GRPC_STATUS_OK;
}

/* Finds a household the caller is about to change and checks that it is
 * in their scope. */
static grpc_status_code
hh_scoped(struct rpc_ctx *ctx, const char *field, int64_t id,
    struct store_household *h)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	switch (store_household_get(d->store, id, h)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "%s: no household %" PRId64, field, id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (!authz_in_scope(c, h->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "%s: household %" PRId64 " is in municipality %s, outside "
		    "your scope (%s)", field, id, h->municipality,
		    c->officer.municipality);
	return GRPC_STATUS_OK;
}

/* Turns a refusal by the store into a status naming the field. */
static grpc_status_code
hh_refused(struct rpc_ctx *ctx, const struct store_hh_why *w,
    const struct hh_fields *f)
{
	const char *who = w->second ? f->second : f->person;

	switch (w->problem) {
	case HH_OK:
	case HH_ERR:
		break;
	case HH_NO_HOUSEHOLD:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "household_id: no household %s", w->household_id);
	case HH_NO_PERSON:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "%s: no person is registered with this ID", who);
	case HH_DECEASED:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: died on %s", who, w->date);
	case HH_MERGED:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: this record was merged into %s; use that one", who,
		    w->other);
	case HH_BEFORE_BIRTH:
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: before the person's birth date (%s)", f->date,
		    w->date);
	case HH_MEMBER:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: already a member of household %s since %s; use "
		    "MoveMember", who, w->household_id, w->date);
	case HH_OVERLAP:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: overlaps the person's membership of household %s from "
		    "%s to %s", f->date, w->household_id, w->date, w->to_date);
	case HH_NOT_MEMBER:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: not a current member of household %s", who,
		    w->household_id);
	case HH_NOT_IN_ANY:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: not a member of any household; use AddMember", who);
	case HH_BEFORE_START:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: before %s's membership of household %s began (%s)",
		    f->date, w->other, w->household_id, w->date);
	case HH_HEAD_LEAVES:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: required: %s is the head of household %s and others "
		    "stay; name the new head, a current member", f->second,
		    w->other, w->household_id);
	case HH_NOT_HEAD:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: only when the head leaves, and %s is not the head of "
		    "household %s", f->second, w->other, w->household_id);
	case HH_HAS_HEAD:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "relationship: household %s has a head (%s since %s); "
		    "two heads are impossible, use ChangeHead",
		    w->household_id, w->other, w->date);
	case HH_ALREADY_HEAD:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "%s: already the head of household %s since %s", who,
		    w->household_id, w->date);
	case HH_SAME_HOUSEHOLD:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "to_household_id: the person is already a member of "
		    "household %s since %s", w->household_id, w->date);
	case HH_SUCCESSOR_SELF:
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: the person leaving cannot be the new head", f->second);
	case HH_OLD_REL_NEEDED:
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "old_head_relationship: required: what %s, the head until "
		    "now, becomes", w->other);
	}
	return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
}

/* ------------------------------------------------------------------------
 * Reading a household.
 */

struct hh_fill {
	struct rpc_ctx *ctx;
	const char *as_of;	/* "" for now */
	Spis__V1__Member **cur, **old;
	size_t ncur, nold, cap;
};

static void
hh_add_member(void *arg, const struct store_member *m)
{
	struct hh_fill *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__Member *msg, **grown;
	int current, former;

	if (f->as_of[0] == '\0') {
		current = m->to_date[0] == '\0';
		former = !current;
	} else {
		/* At the end of the day as_of: begun by then and not ended
		 * by the next day. */
		current = strcmp(m->from_date, f->as_of) <= 0 &&
		    (m->to_date[0] == '\0' || strcmp(m->to_date, f->as_of) > 0);
		former = !current && m->to_date[0] != '\0' &&
		    strcmp(m->to_date, f->as_of) <= 0;
	}
	if (!current && !former)
		return;
	if (f->ncur + f->nold == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		grown = arena_alloc(a, sizeof *grown * f->cap);
		if (f->ncur > 0)
			memcpy(grown, f->cur, sizeof *grown * f->ncur);
		f->cur = grown;
		grown = arena_alloc(a, sizeof *grown * f->cap);
		if (f->nold > 0)
			memcpy(grown, f->old, sizeof *grown * f->nold);
		f->old = grown;
	}
	msg = RPC_NEW(f->ctx, Spis__V1__Member, spis__v1__member__init);
	msg->national_id = arena_strdup(a, m->national_id);
	msg->given_names = arena_strdup(a, m->given_names);
	msg->surname = arena_strdup(a, m->surname);
	msg->birth_date = arena_strdup(a, m->birth_date);
	msg->relationship = arena_strdup(a, m->relationship);
	msg->from_date = arena_strdup(a, m->from_date);
	/* A membership ended after as_of was still open then. */
	msg->to_date = arena_strdup(a, former ? m->to_date : "");
	msg->reason = arena_strdup(a, m->reason);
	if (current) {
		/* The head first, the rest in the order they joined. */
		if (strcmp(m->relationship, "head") == 0) {
			memmove(f->cur + 1, f->cur, sizeof *f->cur * f->ncur);
			f->cur[0] = msg;
			f->ncur++;
		} else
			f->cur[f->ncur++] = msg;
	} else
		f->old[f->nold++] = msg;
}

/* The household id as the message of a household; NULL when there is no
 * such household or it could not be read.  Arena-owned. */
static Spis__V1__Household *
hh_msg(struct rpc_ctx *ctx, int64_t id, const char *as_of, int former)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_household h;
	struct hh_fill f = {.ctx = ctx, .as_of = as_of != NULL ? as_of : ""};
	Spis__V1__Household *m;

	if (store_household_get(d->store, id, &h) != STORE_OK)
		return NULL;
	if (store_household_members(d->store, id, hh_add_member, &f) < 0)
		return NULL;
	m = RPC_NEW(ctx, Spis__V1__Household, spis__v1__household__init);
	m->id = arena_printf(a, "%" PRId64, h.id);
	m->address = arena_strdup(a, h.address);
	m->municipality = arena_strdup(a, h.municipality);
	m->created_at = arena_strdup(a, h.created_at);
	m->members = f.cur;
	m->n_members = f.ncur;
	if (former) {
		m->former = f.old;
		m->n_former = f.nold;
	}
	return m;
}

Spis__V1__Household *
households_msg(struct rpc_ctx *ctx, const char *household_id,
    const char *as_of)
{
	int64_t id;

	if (household_id == NULL || !hh_parse_id(household_id, &id))
		return NULL;
	return hh_msg(ctx, id, as_of, 0);
}

/* The reply of a change: the household as it stands now. */
static grpc_status_code
hh_reply(struct rpc_ctx *ctx, int64_t id, ProtobufCMessage **respm)
{
	Spis__V1__Household *m = hh_msg(ctx, id, "", 0);

	if (m == NULL)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

/* ------------------------------------------------------------------------
 * Handlers.
 */

static grpc_status_code
hh_create(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__CreateHouseholdRequest *req = (const void *)reqm;
	static const struct hh_fields fields = {"head_national_id", "",
	    "from_date"};
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_hh_change ch = {0};
	struct store_hh_why why;
	struct store_audit a;
	char today[16], whytext[96];
	const char *from = req->from_date;
	grpc_status_code st;
	int64_t id;

	if ((st = hh_natid(ctx, "head_national_id", req->head_national_id)))
		return st;
	rpcd_audit_subject(ctx, req->head_national_id, NULL);
	if (check_text(req->address, 0, HH_ADDRESS_MAX, whytext,
	    sizeof whytext) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "address: %s", whytext);
	if (req->municipality[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: required");
	if (municipality_find(req->municipality) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: no municipality has the code \"%s\"",
		    check_utf8_text(req->municipality) &&
		    strlen(req->municipality) < 16 ? req->municipality : "?");
	if (from[0] == '\0') {
		check_today(today, sizeof today);
		from = today;
	} else if ((st = hh_date(ctx, "from_date", from)))
		return st;
	if ((st = hh_reason(ctx, req->reason)))
		return st;
	if (!authz_in_scope(c, req->municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %s is outside your scope (%s)",
		    req->municipality, c->officer.municipality);

	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "new household in %s, head from %s", req->municipality, from));
	ch.national_id = req->head_national_id;
	ch.relationship = "head";
	ch.date = from;
	ch.reason = req->reason;
	ch.address = req->address;
	ch.municipality = req->municipality;
	ch.actor = c->officer.username;
	ch.audit = &a;
	if (store_household_create(d->store, &ch, &id, &why) != HH_OK)
		return hh_refused(ctx, &why, &fields);
	return hh_reply(ctx, id, respm);
}

static grpc_status_code
hh_add(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__AddMemberRequest *req = (const void *)reqm;
	static const struct hh_fields fields = {"national_id", "",
	    "from_date"};
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_hh_change ch = {0};
	struct store_household h;
	struct store_hh_why why;
	struct store_audit a;
	grpc_status_code st;
	int64_t id;

	if ((st = hh_id(ctx, "household_id", req->household_id, &id)) ||
	    (st = hh_natid(ctx, "national_id", req->national_id)))
		return st;
	rpcd_audit_subject(ctx, req->national_id, NULL);
	if ((st = hh_relationship(ctx, "relationship", req->relationship, 0)) ||
	    (st = hh_date(ctx, "from_date", req->from_date)) ||
	    (st = hh_reason(ctx, req->reason)) ||
	    (st = hh_scoped(ctx, "household_id", id, &h)))
		return st;

	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "household %" PRId64 ": joins as %s from %s", id,
	    req->relationship, req->from_date));
	ch.household_id = id;
	ch.national_id = req->national_id;
	ch.relationship = req->relationship;
	ch.date = req->from_date;
	ch.reason = req->reason;
	ch.actor = c->officer.username;
	ch.audit = &a;
	if (store_household_add(d->store, &ch, &why) != HH_OK)
		return hh_refused(ctx, &why, &fields);
	return hh_reply(ctx, id, respm);
}

static grpc_status_code
hh_move(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__MoveMemberRequest *req = (const void *)reqm;
	static const struct hh_fields fields = {"national_id",
	    "new_head_national_id", "date"};
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_hh_change ch = {0};
	struct store_household to, fromh;
	struct store_hh_why why;
	struct store_audit a;
	char cur[24];
	grpc_status_code st;
	int64_t id, from = 0;

	if ((st = hh_natid(ctx, "national_id", req->national_id)))
		return st;
	rpcd_audit_subject(ctx, req->national_id, NULL);
	if ((st = hh_id(ctx, "to_household_id", req->to_household_id, &id)) ||
	    (st = hh_relationship(ctx, "relationship", req->relationship, 1)) ||
	    (st = hh_date(ctx, "date", req->date)) ||
	    (st = hh_reason(ctx, req->reason)))
		return st;
	if (req->new_head_national_id[0] != '\0' &&
	    (st = hh_natid(ctx, "new_head_national_id",
	    req->new_head_national_id)))
		return st;
	if ((st = hh_scoped(ctx, "to_household_id", id, &to)))
		return st;
	/* Leaving a household changes it too: its scope counts as well. */
	switch (store_household_of(d->store, req->national_id, NULL, cur,
	    sizeof cur)) {
	case STORE_OK:
		from = strtoll(cur, NULL, 10);
		if (from != id && (st = hh_scoped(ctx, "national_id", from,
		    &fromh)))
			return st;
		break;
	case STORE_NOTFOUND:
		break;
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}

	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "moves from household %" PRId64 " to %" PRId64 " as %s on %s%s%s",
	    from, id, req->relationship, req->date,
	    req->new_head_national_id[0] != '\0' ? "; new head " : "",
	    req->new_head_national_id));
	ch.household_id = id;
	ch.national_id = req->national_id;
	ch.relationship = req->relationship;
	ch.date = req->date;
	ch.reason = req->reason;
	ch.successor = req->new_head_national_id;
	ch.actor = c->officer.username;
	ch.audit = &a;
	if (store_household_move(d->store, &ch, from, &why) != HH_OK)
		return hh_refused(ctx, &why, &fields);
	return hh_reply(ctx, id, respm);
}

static grpc_status_code
hh_remove(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RemoveMemberRequest *req = (const void *)reqm;
	static const struct hh_fields fields = {"national_id",
	    "new_head_national_id", "to_date"};
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_hh_change ch = {0};
	struct store_household h;
	struct store_hh_why why;
	struct store_audit a;
	grpc_status_code st;
	int64_t id;

	if ((st = hh_id(ctx, "household_id", req->household_id, &id)) ||
	    (st = hh_natid(ctx, "national_id", req->national_id)))
		return st;
	rpcd_audit_subject(ctx, req->national_id, NULL);
	if ((st = hh_date(ctx, "to_date", req->to_date)) ||
	    (st = hh_reason(ctx, req->reason)))
		return st;
	if (req->new_head_national_id[0] != '\0' &&
	    (st = hh_natid(ctx, "new_head_national_id",
	    req->new_head_national_id)))
		return st;
	if ((st = hh_scoped(ctx, "household_id", id, &h)))
		return st;

	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "household %" PRId64 ": leaves on %s%s%s", id, req->to_date,
	    req->new_head_national_id[0] != '\0' ? "; new head " : "",
	    req->new_head_national_id));
	ch.household_id = id;
	ch.national_id = req->national_id;
	ch.date = req->to_date;
	ch.reason = req->reason;
	ch.successor = req->new_head_national_id;
	ch.actor = c->officer.username;
	ch.audit = &a;
	if (store_household_remove(d->store, &ch, &why) != HH_OK)
		return hh_refused(ctx, &why, &fields);
	return hh_reply(ctx, id, respm);
}

static grpc_status_code
hh_change_head(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ChangeHeadRequest *req = (const void *)reqm;
	static const struct hh_fields fields = {"national_id", "national_id",
	    "date"};
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_hh_change ch = {0};
	struct store_household h;
	struct store_hh_why why;
	struct store_audit a;
	grpc_status_code st;
	int64_t id;

	if ((st = hh_id(ctx, "household_id", req->household_id, &id)) ||
	    (st = hh_natid(ctx, "national_id", req->national_id)))
		return st;
	rpcd_audit_subject(ctx, req->national_id, NULL);
	if ((req->old_head_relationship[0] != '\0' &&
	    (st = hh_relationship(ctx, "old_head_relationship",
	    req->old_head_relationship, 0))) ||
	    (st = hh_date(ctx, "date", req->date)) ||
	    (st = hh_reason(ctx, req->reason)) ||
	    (st = hh_scoped(ctx, "household_id", id, &h)))
		return st;

	rpcd_audit_row(ctx, &a, arena_printf(rpc_ctx_arena(ctx),
	    "household %" PRId64 ": head from %s; the old head becomes %s",
	    id, req->date, req->old_head_relationship[0] != '\0' ?
	    req->old_head_relationship : "(none)"));
	ch.household_id = id;
	ch.national_id = req->national_id;
	ch.relationship = "head";
	ch.date = req->date;
	ch.reason = req->reason;
	ch.old_head_relationship = req->old_head_relationship;
	ch.actor = c->officer.username;
	ch.audit = &a;
	if (store_household_change_head(d->store, &ch, &why) != HH_OK)
		return hh_refused(ctx, &why, &fields);
	return hh_reply(ctx, id, respm);
}

/* Whose record a read of a household opens, for the purpose check and the
 * audit row: the head as shown, else the first member shown, else the last
 * one to have left. */
static const char *
hh_subject(const Spis__V1__Household *m)
{
	if (m->n_members > 0)
		return m->members[0]->national_id;
	if (m->n_former > 0)
		return m->former[m->n_former - 1]->national_id;
	return "";
}

static grpc_status_code
hh_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetHouseholdRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_household h;
	Spis__V1__Household *m;
	const char *subject;
	grpc_status_code st;
	char today[16];
	int64_t id;

	if ((st = hh_id(ctx, "household_id", req->household_id, &id)))
		return st;
	if (req->purpose[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "purpose: required: why the household is opened");
	if (req->as_of[0] != '\0') {
		if (!check_date(req->as_of, NULL, NULL, NULL))
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "as_of: not a date (YYYY-MM-DD)");
		check_today(today, sizeof today);
		if (strcmp(req->as_of, today) > 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "as_of: %s is in the future (today is %s)",
			    req->as_of, today);
	}
	switch (store_household_get(d->store, id, &h)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "household_id: no household %" PRId64, id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if ((m = hh_msg(ctx, id, req->as_of, 1)) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	subject = hh_subject(m);
	rpcd_audit_subject(ctx, subject, check_utf8_text(req->purpose) &&
	    strlen(req->purpose) <= 32 ? req->purpose : "?");
	if ((st = rpcd_purpose_check(ctx, subject, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	*respm = &m->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method households_methods[] = {
	RPC_METHOD(spis__v1__households, 0, hh_create, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__households, 1, hh_add, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__households, 2, hh_move, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__households, 3, hh_remove, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__households, 4, hh_change_head,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__households, 5, hh_get, PERM_REGISTRY_READ),
};
const size_t households_nmethods =
    sizeof households_methods / sizeof households_methods[0];
