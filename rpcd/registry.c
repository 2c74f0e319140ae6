/*
 * registry.c: spis.v1.Registry, people.  Nobody browses: a read names a
 * person (or searches with enough to narrow it to a few) and a purpose, and
 * is audited with the person's national ID as its subject.  A change is
 * validated whole before anything is written, and goes into the store with
 * its history rows and its audit row in one transaction.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spis/v1/registry.pb-c.h"

#include "check.h"
#include "municipality.h"
#include "natid.h"
#include "rpcd.h"
#include "store_duplicate.h"
#include "store_household.h"
#include "store_person.h"

#define HISTORY_PAGE_DEFAULT 50
#define HISTORY_PAGE_MAX 200
#define SEARCH_PAGE_DEFAULT 20
#define SEARCH_PAGE_MAX 50
#define SEARCH_CAP 200	/* results a search may page through at most */
#define REASON_MAX 500

/* Purposes a read may name; the sharing ones need the person's consent. */
static const struct {
	const char *name;
	int needs_consent;
} registry_purposes[] = {
	{"case_work", 0}, {"intake", 0}, {"helpdesk", 0}, {"audit", 0},
	{"employment", 1}, {"health", 1}, {"research", 1},
};
#define NPURPOSES (sizeof registry_purposes / sizeof registry_purposes[0])

/* The purpose's index, or -1. */
static int
registry_purpose(const char *purpose)
{
	for (size_t i = 0; i < NPURPOSES; i++)
		if (strcmp(purpose, registry_purposes[i].name) == 0)
			return (int)i;
	return -1;
}

grpc_status_code
rpcd_purpose_check(struct rpc_ctx *ctx, const char *national_id,
    const char *purpose)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_consent c;
	int i = registry_purpose(purpose);

	if (i < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "purpose: say why you open this record: case_work, "
		    "intake, helpdesk, audit, employment, health or research");
	rpcd_audit_subject(ctx, national_id, purpose);
	if (!registry_purposes[i].needs_consent)
		return GRPC_STATUS_OK;
	switch (store_consent_latest(d->store, national_id, purpose, &c)) {
	case STORE_OK:
		if (c.given)
			return GRPC_STATUS_OK;
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "purpose: the person refused sharing for %s on %.10s",
		    purpose, c.at);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "purpose: the person has not consented to sharing for %s",
		    purpose);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

/* Checks the shape of a national ID a caller names, before any lookup. */
static grpc_status_code
registry_id_arg(struct rpc_ctx *ctx, const char *field, const char *id)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	char why[160];

	if (id[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: required", field);
	if (natid_check(d->country, id, NULL, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s: %s",
		    field, why);
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_reason_arg(struct rpc_ctx *ctx, const char *reason, int required)
{
	char why[96];

	if (check_text(reason, required ? 1 : 0, REASON_MAX, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s%s", why, required ? " (say why the record "
		    "changes)" : "");
	return GRPC_STATUS_OK;
}

/* A date argument: real, and not after today. */
static grpc_status_code
registry_date_arg(struct rpc_ctx *ctx, const char *field, const char *v)
{
	char today[16];

	check_today(today, sizeof today);
	if (!check_date(v, NULL, NULL, NULL))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: \"%.12s\" is not a date (YYYY-MM-DD)", field, v);
	if (strcmp(v, today) > 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "%s: %s is in the future", field, v);
	return GRPC_STATUS_OK;
}

/* Reads a person for a handler: NOT_FOUND or INTERNAL set on failure. */
static grpc_status_code
registry_load(struct rpc_ctx *ctx, const char *id, const char *as_of,
    struct store_person *p)
{
	struct rpcd *d = rpc_ctx_arg(ctx);

	switch (store_person_get(d->store, id, as_of, p)) {
	case STORE_OK:
		return GRPC_STATUS_OK;
	case STORE_NOTFOUND:
		if (as_of != NULL && as_of[0] != '\0')
			return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
			    "as_of: %s was not registered yet on %s", id,
			    as_of);
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: nobody with %s is registered", id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
}

static Spis__V1__Person *
registry_person_msg(struct rpc_ctx *ctx, const struct store_person *p)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Person *m = RPC_NEW(ctx, Spis__V1__Person,
	    spis__v1__person__init);

	m->national_id = arena_strdup(a, p->national_id);
	m->given_names = arena_strdup(a, p->given_names);
	m->surname = arena_strdup(a, p->surname);
	m->birth_date = arena_strdup(a, p->birth_date);
	m->sex = arena_strdup(a, p->sex);
	m->address = arena_strdup(a, p->address);
	m->municipality = arena_strdup(a, p->municipality);
	m->phone = arena_strdup(a, p->phone);
	m->email = arena_strdup(a, p->email);
	m->disability = arena_strdup(a, p->disability);
	m->employment = arena_strdup(a, p->employment);
	m->language = arena_strdup(a, p->language);
	m->deceased_date = arena_strdup(a, p->deceased_date);
	m->merged_into = arena_strdup(a, p->merged_into);
	m->version = p->version;
	m->created_at = arena_strdup(a, p->created_at);
	m->updated_at = arena_strdup(a, p->updated_at);
	return m;
}

Spis__V1__Person *
registry_person_of(struct rpc_ctx *ctx, const struct store_person *p)
{
	return registry_person_msg(ctx, p);
}

/* Copies a Person message's text into a store record, bounded. */
static void
registry_person_in(const Spis__V1__Person *m, struct store_person *p)
{
	memset(p, 0, sizeof *p);
#define CP(f) snprintf(p->f, sizeof p->f, "%s", m->f)
	CP(national_id); CP(given_names); CP(surname); CP(birth_date);
	CP(sex); CP(address); CP(municipality); CP(phone); CP(email);
	CP(disability); CP(employment); CP(language);
#undef CP
	person_phone_normalise(m->phone, p->phone, sizeof p->phone);
	if (p->disability[0] == '\0')
		snprintf(p->disability, sizeof p->disability, "none");
	if (p->language[0] == '\0')
		snprintf(p->language, sizeof p->language, "lt");
}

/* Whether any string of m is longer than its place in the store: such
 * input is refused, never cut. */
static int
registry_person_fits(const Spis__V1__Person *m, char *why, size_t whylen)
{
	const struct {
		const char *name, *v;
		size_t max;
	} f[] = {
		{"national_id", m->national_id, 15},
		{"given_names", m->given_names, 403},
		{"surname", m->surname, 403},
		{"birth_date", m->birth_date, 10},
		{"sex", m->sex, 1},
		{"address", m->address, 803},
		{"municipality", m->municipality, 15},
		{"phone", m->phone, 23},
		{"email", m->email, 255},
		{"disability", m->disability, 15},
		{"employment", m->employment, 15},
		{"language", m->language, 3},
	};

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (strlen(f[i].v) > f[i].max) {
			snprintf(why, whylen, "%s: too long", f[i].name);
			return -1;
		}
	return 0;
}

/* Likely duplicates found while registering, for the reply. */
struct registry_dups {
	struct rpc_ctx *ctx;
	const char *actor, *national_id;
	Spis__V1__DuplicateHint **v;
	size_t n;
};

/* Called by the scan with the store lock held: arena work only. */
static int
registry_dup_one(void *arg, int64_t flag_id, const char *other_id,
    const char *other_name, const char *reasons)
{
	struct registry_dups *rd = arg;
	struct arena *a = rpc_ctx_arena(rd->ctx);
	Spis__V1__DuplicateHint *h, **v;
	char *list, *save = NULL, *tok;

	h = RPC_NEW(rd->ctx, Spis__V1__DuplicateHint,
	    spis__v1__duplicate_hint__init);
	h->flag_id = flag_id;
	h->national_id = arena_strdup(a, other_id);
	h->name = arena_strdup(a, other_name);
	list = arena_strdup(a, reasons);
	h->reasons = arena_alloc(a, sizeof *h->reasons * 4);
	for (tok = strtok_r(list, ",", &save); tok != NULL && h->n_reasons < 4;
	    tok = strtok_r(NULL, ",", &save))
		h->reasons[h->n_reasons++] = tok;
	v = arena_alloc(a, sizeof *v * (rd->n + 1));
	if (rd->n)
		memcpy(v, rd->v, sizeof *v * rd->n);
	v[rd->n++] = h;
	rd->v = v;
	return 0;
}

/* The duplicate checks, inside the registration's transaction. */
static int
registry_dup_scan(struct store *st, void *arg)
{
	struct registry_dups *rd = arg;

	return store_dup_scan_locked(st, rd->national_id, rd->actor,
	    registry_dup_one, rd) == STORE_OK ? 0 : -1;
}

static grpc_status_code
registry_register(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RegisterPersonRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	Spis__V1__RegisterPersonReply *r;
	struct registry_dups rd = {0};
	struct store_person p;
	struct store_audit a;
	grpc_status_code st;
	char why[200];

	if (req->person == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "person: required");
	if (registry_person_fits(req->person, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	registry_person_in(req->person, &p);
	rpcd_audit_subject(ctx, p.national_id, "intake");
	if (person_check(d->country, &p, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	if ((st = registry_reason_arg(ctx, req->reason, 0)) != GRPC_STATUS_OK)
		return st;
	if (!authz_in_scope(c, p.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "person.municipality: %s is outside your municipality %s",
		    p.municipality, c->officer.municipality);
	rpcd_audit_row(ctx, &a, "registered");
	rd.ctx = ctx;
	rd.actor = c->officer.username;
	rd.national_id = p.national_id;
	switch (store_person_add(d->store, &p, c->officer.username,
	    req->reason[0] != '\0' ? req->reason : "registered", &a,
	    registry_dup_scan, &rd)) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "person.national_id: %s is already registered",
		    p.national_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if ((st = registry_load(ctx, p.national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	r = RPC_NEW(ctx, Spis__V1__RegisterPersonReply,
	    spis__v1__register_person_reply__init);
	r->person = registry_person_msg(ctx, &p);
	r->duplicates = rd.v;
	r->n_duplicates = rd.n;
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* The value of a string field of a Person message by name, or NULL. */
static const char *
registry_field_of(const Spis__V1__Person *m, const char *name)
{
	const ProtobufCFieldDescriptor *f;

	f = protobuf_c_message_descriptor_get_field_by_name(
	    m->base.descriptor, name);
	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING)
		return NULL;
	return *(const char *const *)((const char *)m + f->offset);
}

static grpc_status_code
registry_update(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__UpdatePersonRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	const char **values;
	struct store_person p, after;
	struct store_audit a;
	grpc_status_code st;
	char why[200];
	int changed;

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	if (req->person == NULL || req->n_fields == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "fields: name the fields to change and give their new "
		    "values in person");
	if ((st = registry_reason_arg(ctx, req->reason, 1)) != GRPC_STATUS_OK)
		return st;
	if (registry_person_fits(req->person, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	if (p.merged_into[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: %s was merged into %s; change that record",
		    p.national_id, p.merged_into);
	if (!authz_in_scope(c, p.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "national_id: %s lives outside your municipality %s",
		    p.national_id, c->officer.municipality);
	values = arena_alloc(ar, sizeof *values * req->n_fields);
	after = p;
	for (size_t i = 0; i < req->n_fields; i++) {
		const char *name = req->fields[i];

		for (size_t j = 0; j < i; j++)
			if (strcmp(req->fields[j], name) == 0)
				return rpc_error(ctx,
				    GRPC_STATUS_INVALID_ARGUMENT,
				    "fields: %s is named twice", name);
		if (store_person_field(&p, name) == NULL ||
		    strcmp(name, "deceased_date") == 0 ||
		    strcmp(name, "merged_into") == 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "fields: \"%.32s\" cannot be changed with "
			    "UpdatePerson", name);
		values[i] = registry_field_of(req->person, name);
		if (strcmp(name, "disability") == 0 && values[i][0] == '\0')
			values[i] = "none";
		if (person_check_field(name, values[i], why, sizeof why) != 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "person.%s", why);
		if (strcmp(name, "phone") == 0)
			values[i] = person_phone_normalise(values[i],
			    arena_alloc(ar, strlen(values[i]) + 1),
			    strlen(values[i]) + 1);
		snprintf((char *)store_person_field(&after, name),
		    strlen(values[i]) + 1, "%s", values[i]);
	}
	/* A correction of birth date or sex must still agree with the
	 * code. */
	if (natid_check_person(d->country, after.national_id,
	    after.birth_date, after.sex, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	rpcd_audit_row(ctx, &a, "updated");
	switch (store_person_update(d->store, p.national_id, req->n_fields,
	    (const char *const *)req->fields, values, req->expected_version,
	    c->officer.username, req->reason, &a, &changed)) {
	case STORE_OK:
		break;
	case STORE_CONFLICT:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "expected_version: the record changed since you read it "
		    "(it is at version %" PRId64 "); read it again",
		    p.version);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: nobody with %s is registered",
		    req->national_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (changed == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "fields: every value given is what the record already "
		    "holds; nothing to change");
	if ((st = registry_load(ctx, p.national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	*respm = &registry_person_msg(ctx, &p)->base;
	return GRPC_STATUS_OK;
}

struct registry_consents {
	struct rpc_ctx *ctx;
	Spis__V1__Consent **v;
	size_t n, cap;
};

static Spis__V1__Consent *
registry_consent_msg(struct rpc_ctx *ctx, const struct store_consent *c)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Consent *m = RPC_NEW(ctx, Spis__V1__Consent,
	    spis__v1__consent__init);

	m->purpose = arena_strdup(a, c->purpose);
	m->given = c->given != 0;
	m->channel = arena_strdup(a, c->channel);
	m->at = arena_strdup(a, c->at);
	m->recorded_by = arena_strdup(a, c->recorded_by);
	m->note = arena_strdup(a, c->note);
	return m;
}

static void
registry_consent_one(void *arg, const struct store_consent *c)
{
	struct registry_consents *rc = arg;

	if (rc->n == rc->cap) {
		Spis__V1__Consent **n = arena_alloc(rpc_ctx_arena(rc->ctx),
		    sizeof *n * (rc->cap * 2 + 8));

		if (rc->n)
			memcpy(n, rc->v, sizeof *n * rc->n);
		rc->v = n;
		rc->cap = rc->cap * 2 + 8;
	}
	rc->v[rc->n++] = registry_consent_msg(rc->ctx, c);
}

static grpc_status_code
registry_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetPersonRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct registry_consents rc = {.ctx = ctx};
	Spis__V1__PersonCard *card;
	struct store_person p;
	grpc_status_code st;
	char hh[32];

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	if (req->as_of[0] != '\0' &&
	    (st = registry_date_arg(ctx, "as_of", req->as_of)) !=
	    GRPC_STATUS_OK)
		return st;
	if ((st = rpcd_purpose_check(ctx, req->national_id, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	if ((st = registry_load(ctx, req->national_id, req->as_of, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	card = RPC_NEW(ctx, Spis__V1__PersonCard,
	    spis__v1__person_card__init);
	card->person = registry_person_msg(ctx, &p);
	switch (store_household_of(d->store, p.national_id, req->as_of, hh,
	    sizeof hh)) {
	case STORE_OK:
		card->household = households_msg(ctx, hh, req->as_of);
		if (card->household != NULL)
			card->person->household_id = arena_strdup(
			    rpc_ctx_arena(ctx), hh);
		break;
	case STORE_NOTFOUND:
		break;
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_consent_list(d->store, p.national_id, 0,
	    registry_consent_one, &rc) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	card->consents = rc.v;
	card->n_consents = rc.n;
	card->open_duplicate_flags = store_person_open_flags(d->store,
	    p.national_id);
	card->pin_status = (char *)store_person_pin_status(d->store,
	    p.national_id);
	*respm = &card->base;
	return GRPC_STATUS_OK;
}

struct registry_history {
	struct rpc_ctx *ctx;
	Spis__V1__PersonHistory *h;
	int64_t last;
};

static void
registry_history_one(void *arg, const struct store_person_change *ch)
{
	struct registry_history *rh = arg;
	struct arena *a = rpc_ctx_arena(rh->ctx);
	Spis__V1__PersonChange *m = RPC_NEW(rh->ctx, Spis__V1__PersonChange,
	    spis__v1__person_change__init);

	m->id = ch->id;
	m->at = arena_strdup(a, ch->at);
	m->officer = arena_strdup(a, ch->actor);
	m->field = arena_strdup(a, ch->field);
	m->old_value = arena_strdup(a, ch->old_value);
	m->new_value = arena_strdup(a, ch->new_value);
	m->reason = arena_strdup(a, ch->reason);
	rh->h->changes[rh->h->n_changes++] = m;
	rh->last = ch->id;
}

/* A page token this service gave: a positive decimal number. */
static int
registry_token(const char *t, int64_t *v)
{
	char *end;

	if (t[0] == '\0') {
		*v = 0;
		return 0;
	}
	if (!isdigit((unsigned char)t[0]))
		return -1;
	*v = strtoll(t, &end, 10);
	return *end == '\0' && *v > 0 ? 0 : -1;
}

static grpc_status_code
registry_history(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetPersonHistoryRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct registry_history rh = {.ctx = ctx};
	struct store_person p;
	grpc_status_code st;
	int64_t before;
	int limit, n;

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	if (req->page_size < 0 || req->page_size > HISTORY_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", HISTORY_PAGE_MAX,
		    HISTORY_PAGE_DEFAULT);
	if (registry_token(req->page_token, &before) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_token: not a token this service gave");
	if ((st = rpcd_purpose_check(ctx, req->national_id, req->purpose)) !=
	    GRPC_STATUS_OK)
		return st;
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	limit = req->page_size ? req->page_size : HISTORY_PAGE_DEFAULT;
	rh.h = RPC_NEW(ctx, Spis__V1__PersonHistory,
	    spis__v1__person_history__init);
	rh.h->changes = arena_alloc(rpc_ctx_arena(ctx),
	    sizeof *rh.h->changes * (size_t)limit);
	if ((n = store_person_history(d->store, p.national_id, before, limit,
	    registry_history_one, &rh)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	rh.h->next_page_token = n == limit ?
	    arena_printf(rpc_ctx_arena(ctx), "%" PRId64, rh.last) : "";
	*respm = &rh.h->base;
	return GRPC_STATUS_OK;
}

struct registry_found {
	struct rpc_ctx *ctx;
	Spis__V1__SearchPeopleReply *r;
	size_t max;
};

static void
registry_found_one(void *arg, const struct store_person *p)
{
	struct registry_found *f = arg;
	struct arena *a = rpc_ctx_arena(f->ctx);
	Spis__V1__PersonSummary *m;

	if (f->r->n_people == f->max)
		return;
	m = RPC_NEW(f->ctx, Spis__V1__PersonSummary,
	    spis__v1__person_summary__init);
	m->national_id = arena_strdup(a, p->national_id);
	m->given_names = arena_strdup(a, p->given_names);
	m->surname = arena_strdup(a, p->surname);
	m->birth_date = arena_strdup(a, p->birth_date);
	m->municipality = arena_strdup(a, p->municipality);
	m->deceased_date = arena_strdup(a, p->deceased_date);
	m->merged_into = arena_strdup(a, p->merged_into);
	f->r->people[f->r->n_people++] = m;
}

static grpc_status_code
registry_search(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SearchPeopleRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_person_query q = {0};
	struct registry_found f = {.ctx = ctx};
	char surname[512], given[512], why[96], today[16];
	grpc_status_code st;
	int64_t offset;
	int n, p, letters = 0;

	if (req->page_size < 0 || req->page_size > SEARCH_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", SEARCH_PAGE_MAX,
		    SEARCH_PAGE_DEFAULT);
	if (registry_token(req->page_token, &offset) != 0 ||
	    offset >= SEARCH_CAP)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_token: not a token this service gave");
	q.limit = req->page_size ? req->page_size : SEARCH_PAGE_DEFAULT;
	q.offset = (int)offset;
	if (req->national_id[0] != '\0') {
		if ((st = registry_id_arg(ctx, "national_id",
		    req->national_id)) != GRPC_STATUS_OK)
			return st;
		if ((st = rpcd_purpose_check(ctx, req->national_id,
		    req->purpose)) != GRPC_STATUS_OK)
			return st;
		q.national_id = req->national_id;
	} else {
		if ((p = registry_purpose(req->purpose)) < 0)
			return rpcd_purpose_check(ctx, "", req->purpose);
		rpcd_audit_subject(ctx, NULL, req->purpose);
		if (registry_purposes[p].needs_consent)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "purpose: %s may open a record only by national "
			    "ID, with the person's consent", req->purpose);
		if (check_text(req->surname, 0, 100, why, sizeof why) != 0 ||
		    check_text(req->given_names, 0, 100, why, sizeof why) !=
		    0 || rpcd_fold(req->surname, surname, sizeof surname) !=
		    0 || rpcd_fold(req->given_names, given, sizeof given) !=
		    0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "surname: not valid text");
		for (const char *s = surname; *s != '\0'; s++)
			if (((unsigned char)*s & 0xc0) != 0x80 && *s != ' ')
				letters++;
		if (letters < 3)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "surname: at least 3 letters, with a birth year "
			    "or a municipality, or search by national_id");
		check_today(today, sizeof today);
		if (req->birth_year != 0 && (req->birth_year < 1900 ||
		    req->birth_year > atoi(today)))
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "birth_year: from 1900 to %.4s", today);
		if (req->municipality[0] != '\0' &&
		    municipality_find(req->municipality) == NULL)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "municipality: no municipality has the code "
			    "\"%.16s\"", req->municipality);
		if (req->birth_year == 0 && req->municipality[0] == '\0')
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "birth_year: a surname search needs a birth year "
			    "or a municipality as well");
		q.surname_key = surname;
		q.given_key = given;
		q.birth_year = req->birth_year;
		q.municipality = req->municipality;
	}
	/* One row more than the page says whether another page exists. */
	if (q.offset + q.limit > SEARCH_CAP)
		q.limit = SEARCH_CAP - q.offset;
	f.max = (size_t)q.limit;
	q.limit++;
	f.r = RPC_NEW(ctx, Spis__V1__SearchPeopleReply,
	    spis__v1__search_people_reply__init);
	f.r->people = arena_alloc(a, sizeof *f.r->people * f.max);
	if ((n = store_person_search(d->store, &q, registry_found_one, &f)) <
	    0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	f.r->next_page_token = "";
	if ((size_t)n > f.max) {
		if (q.offset + (int)f.max >= SEARCH_CAP)
			f.r->capped = 1;
		else
			f.r->next_page_token = arena_printf(a, "%d",
			    q.offset + (int)f.max);
	}
	c->detail = q.national_id != NULL ?
	    arena_printf(a, "national_id, %zu found", f.r->n_people) :
	    arena_printf(a, "surname \"%s\"* year %d municipality \"%s\", "
	    "%zu found%s", q.surname_key, q.birth_year, q.municipality,
	    f.r->n_people, f.r->capped ? " (capped)" : "");
	*respm = &f.r->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_death(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RecordDeathRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_person p;
	struct store_audit a;
	grpc_status_code st;
	char why[64];

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	if ((st = registry_date_arg(ctx, "date_of_death",
	    req->date_of_death)) != GRPC_STATUS_OK ||
	    (st = registry_reason_arg(ctx, req->reason, 1)) != GRPC_STATUS_OK)
		return st;
	if (req->new_head_national_id[0] != '\0' &&
	    (st = registry_id_arg(ctx, "new_head_national_id",
	    req->new_head_national_id)) != GRPC_STATUS_OK)
		return st;
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	if (strcmp(req->date_of_death, p.birth_date) < 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "date_of_death: %s is before the birth date %s",
		    req->date_of_death, p.birth_date);
	if (p.merged_into[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: %s was merged into %s; record it there",
		    p.national_id, p.merged_into);
	if (!authz_in_scope(c, p.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "national_id: %s lives outside your municipality %s",
		    p.national_id, c->officer.municipality);
	rpcd_audit_row(ctx, &a, "death recorded");
	switch (store_person_death(d->store, p.national_id,
	    req->date_of_death, req->new_head_national_id,
	    c->officer.username, req->reason, &a, why, sizeof why)) {
	case STORE_OK:
		break;
	case STORE_CONFLICT:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: a death on %s is already recorded", why);
	case STORE_REFUSED:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "new_head_national_id: %s headed household %s, where "
		    "others remain; name one of them as the new head",
		    p.national_id, why);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if ((st = registry_load(ctx, p.national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	*respm = &registry_person_msg(ctx, &p)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_set_consent(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SetConsentRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_consent k = {0};
	struct store_person p;
	struct store_audit a;
	grpc_status_code st;
	char why[96];
	int i;

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "intake");
	if ((i = registry_purpose(req->purpose)) < 0 ||
	    !registry_purposes[i].needs_consent)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "purpose: consent is asked for employment, health or "
		    "research");
	if (strcmp(req->channel, "office") != 0 &&
	    strcmp(req->channel, "kiosk") != 0 &&
	    strcmp(req->channel, "online") != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "channel: office, kiosk or online");
	if (check_text(req->note, 0, REASON_MAX, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "note: %s",
		    why);
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	snprintf(k.purpose, sizeof k.purpose, "%s", req->purpose);
	k.given = req->given;
	snprintf(k.channel, sizeof k.channel, "%s", req->channel);
	snprintf(k.recorded_by, sizeof k.recorded_by, "%s",
	    c->officer.username);
	snprintf(k.note, sizeof k.note, "%s", req->note);
	rpcd_audit_row(ctx, &a, req->given ? "consent given" :
	    "consent refused");
	if (store_consent_add(d->store, p.national_id, &k, &a) != STORE_OK ||
	    store_consent_latest(d->store, p.national_id, k.purpose, &k) !=
	    STORE_OK) {
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	*respm = &registry_consent_msg(ctx, &k)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_list_consents(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListConsentsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct registry_consents rc = {.ctx = ctx};
	Spis__V1__ConsentList *l;
	struct store_person p;
	grpc_status_code st;

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "case_work");
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	if (store_consent_list(d->store, p.national_id, req->history,
	    registry_consent_one, &rc) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	l = RPC_NEW(ctx, Spis__V1__ConsentList, spis__v1__consent_list__init);
	l->consents = rc.v;
	l->n_consents = rc.n;
	*respm = &l->base;
	return GRPC_STATUS_OK;
}

const char *
registry_action_of(const char *method)
{
	const char *name = strrchr(method, '/');

	if (strncmp(method, "/spis.v1.Documents/", 19) == 0)
		return "document";
	name = name != NULL ? name + 1 : method;
	if (strncmp(name, "Search", 6) == 0 || strncmp(name, "Find", 4) == 0)
		return "search";
	if (strncmp(name, "Get", 3) == 0 || strncmp(name, "List", 4) == 0)
		return "read";
	return "change";
}

struct registry_access {
	struct rpc_ctx *ctx;
	Spis__V1__AccessLog *log;
	int64_t last;
};

static void
registry_access_one(void *arg, const struct store_access *r)
{
	struct registry_access *ra = arg;
	struct arena *a = rpc_ctx_arena(ra->ctx);
	Spis__V1__AccessEntry *m = RPC_NEW(ra->ctx, Spis__V1__AccessEntry,
	    spis__v1__access_entry__init);

	m->at = arena_strdup(a, r->at);
	m->role = arena_strdup(a, r->role);
	m->municipality = arena_strdup(a, r->municipality);
	m->purpose = arena_strdup(a, r->purpose);
	m->action = (char *)registry_action_of(r->method);
	ra->log->entries[ra->log->n_entries++] = m;
	ra->last = r->id;
}

grpc_status_code
registry_access_log(struct rpc_ctx *ctx, const char *national_id,
    int page_size, const char *page_token, Spis__V1__AccessLog **out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct registry_access ra = {.ctx = ctx};
	int64_t before;
	int limit, n;

	if (page_size < 0 || page_size > HISTORY_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "page_size: "
		    "from 1 to %d, or 0 for %d", HISTORY_PAGE_MAX,
		    HISTORY_PAGE_DEFAULT);
	if (registry_token(page_token, &before) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_token: not a token this service gave");
	limit = page_size ? page_size : HISTORY_PAGE_DEFAULT;
	ra.log = RPC_NEW(ctx, Spis__V1__AccessLog,
	    spis__v1__access_log__init);
	ra.log->entries = arena_alloc(rpc_ctx_arena(ctx),
	    sizeof *ra.log->entries * (size_t)limit);
	if ((n = store_access_log(d->store, national_id, before, limit,
	    registry_access_one, &ra)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	ra.log->next_page_token = n == limit ?
	    arena_printf(rpc_ctx_arena(ctx), "%" PRId64, ra.last) : "";
	*out = ra.log;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_get_access_log(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetAccessLogRequest *req = (const void *)reqm;
	Spis__V1__AccessLog *log;
	struct store_person p;
	grpc_status_code st;

	if ((st = registry_id_arg(ctx, "national_id", req->national_id)) !=
	    GRPC_STATUS_OK)
		return st;
	rpcd_audit_subject(ctx, req->national_id, "helpdesk");
	if ((st = registry_load(ctx, req->national_id, NULL, &p)) !=
	    GRPC_STATUS_OK)
		return st;
	if ((st = registry_access_log(ctx, p.national_id,
	    req->page_size, req->page_token, &log)) != GRPC_STATUS_OK)
		return st;
	*respm = &log->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_municipalities(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	Spis__V1__MunicipalityList *l = RPC_NEW(ctx,
	    Spis__V1__MunicipalityList, spis__v1__municipality_list__init);
	const struct municipality *all;
	size_t n;

	(void)reqm;
	all = municipality_all(&n);
	l->municipalities = arena_alloc(rpc_ctx_arena(ctx),
	    sizeof *l->municipalities * n);
	for (size_t i = 0; i < n; i++) {
		Spis__V1__Municipality *m = RPC_NEW(ctx,
		    Spis__V1__Municipality, spis__v1__municipality__init);

		m->code = (char *)all[i].code;
		m->name = (char *)all[i].name;
		l->municipalities[l->n_municipalities++] = m;
	}
	*respm = &l->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
registry_validate_id(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ValidateNationalIdRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	Spis__V1__NationalIdCheck *r = RPC_NEW(ctx, Spis__V1__NationalIdCheck,
	    spis__v1__national_id_check__init);
	struct natid_info info = {0};
	char why[200];

	if (strlen(req->national_id) > 32 || strlen(req->birth_date) > 10 ||
	    strlen(req->sex) > 1)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: too long");
	if (natid_check(d->country, req->national_id, &info, why,
	    sizeof why) != 0 ||
	    natid_check_person(d->country, req->national_id, req->birth_date,
	    req->sex, why, sizeof why) != 0) {
		r->problem = arena_strdup(rpc_ctx_arena(ctx), why);
	} else {
		r->valid = 1;
		r->birth_date = arena_strdup(rpc_ctx_arena(ctx),
		    info.birth_date);
		r->sex = arena_printf(rpc_ctx_arena(ctx), "%.1s",
		    info.sex ? &info.sex : "");
	}
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method registry_methods[] = {
	RPC_METHOD(spis__v1__registry, 0, registry_register,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registry, 1, registry_update,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registry, 2, registry_get, PERM_REGISTRY_READ),
	RPC_METHOD(spis__v1__registry, 3, registry_history,
	    PERM_REGISTRY_READ),
	RPC_METHOD(spis__v1__registry, 4, registry_search,
	    PERM_REGISTRY_READ),
	RPC_METHOD(spis__v1__registry, 5, registry_death,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registry, 6, registry_set_consent,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registry, 7, registry_list_consents,
	    PERM_REGISTRY_READ),
	RPC_METHOD(spis__v1__registry, 8, registry_get_access_log,
	    PERM_REGISTRY_READ),
	RPC_METHOD(spis__v1__registry, 9, registry_municipalities,
	    PERM_PUBLIC),
	RPC_METHOD(spis__v1__registry, 10, registry_validate_id, PERM_PUBLIC),
};
const size_t registry_nmethods = sizeof registry_methods /
    sizeof registry_methods[0];
