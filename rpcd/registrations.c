/*
 * registrations.c: spis.v1.Registrations, registration requests.  A
 * person who is not in the registry cannot identify at a kiosk (a PIN is
 * issued for a registered person), so the kiosk lets them ask to be
 * registered: SubmitRegistration stores what they typed, checked by the
 * rules RegisterPerson applies, as a pending request with a short
 * reference for their receipt.  It creates no person and holds no PIN.  A
 * clerk of that municipality lists the requests, checks the paper ID in
 * front of them, registers the person (RegisterPerson) and accepts the
 * request, which links it to the person, or rejects it with a reason.
 *
 * Submitting needs no session, so it is bounded: a terminal may send
 * requests_per_day in 24 hours, and an answer that tells something about
 * the registry (this ID is registered, or already has a request waiting)
 * counts as a failed attempt from that address, against the same limit as
 * wrong PINs and failed logins.  That answer says only that, never whose
 * record it is.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "spis/v1/registrations.pb-c.h"

#include "check.h"
#include "municipality.h"
#include "natid.h"
#include "rpcd.h"
#include "store_registration.h"

#define REG_PAGE_DEFAULT 20
#define REG_PAGE_MAX 100
#define REG_REQUEST_ID_MAX 64
#define REG_NOTE_MAX 500
#define REG_REF_LEN 8
/* Letters and digits that cannot be taken for one another when read off
 * a receipt or said aloud: no I, O, 0 or 1. */
#define REG_REF_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

static const char *const reg_statuses[] = {"pending", "accepted",
    "rejected", "expired", NULL};

/* The kiosk the call comes from: its certificate name, else its address
 * without the port (as citizen.c names it). */
static const char *
reg_terminal(struct rpc_ctx *ctx)
{
	const char *cn = rpc_ctx_client_cn(ctx);

	return cn != NULL ? cn : rpcd_peer_address(ctx);
}

static const char *
reg_instant(struct rpc_ctx *ctx, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(rpc_ctx_arena(ctx), buf);
}

/* A fresh reference, "KX4P-9TQM", into out (at least 10 bytes). */
static void
reg_reference_new(char *out)
{
	int j = 0;

	for (int i = 0; i < REG_REF_LEN; i++) {
		if (i == REG_REF_LEN / 2)
			out[j++] = '-';
		out[j++] = REG_REF_ALPHABET[randombytes_uniform(
		    sizeof REG_REF_ALPHABET - 1)];
	}
	out[j] = '\0';
}

/* A reference as typed ("kx4p 9tqm") in its stored form; -1 when it
 * cannot be one. */
static int
reg_reference_parse(const char *in, char *out, size_t outlen)
{
	char c[REG_REF_LEN];
	int n = 0;

	if (outlen < REG_REF_LEN + 2 || strlen(in) > 32)
		return -1;
	for (const char *p = in; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (n == REG_REF_LEN || strchr(REG_REF_ALPHABET,
		    toupper((unsigned char)*p)) == NULL)
			return -1;
		c[n++] = (char)toupper((unsigned char)*p);
	}
	if (n != REG_REF_LEN)
		return -1;
	snprintf(out, outlen, "%.4s-%.4s", c, c + 4);
	return 0;
}

static grpc_status_code
reg_reference_arg(struct rpc_ctx *ctx, const char *in, char *out,
    size_t outlen)
{
	if (reg_reference_parse(in, out, outlen) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reference: 8 letters and digits as on the receipt, such "
		    "as KX4P-9TQM");
	return GRPC_STATUS_OK;
}

static Spis__V1__Registration *
reg_msg(struct rpc_ctx *ctx, const struct store_registration *r)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Registration *m = RPC_NEW(ctx, Spis__V1__Registration,
	    spis__v1__registration__init);

	m->reference = arena_strdup(a, r->reference);
	m->person = registry_person_of(ctx, &r->person);
	m->status = arena_strdup(a, r->status);
	m->submitted_at = arena_strdup(a, r->submitted_at);
	m->expires_at = (char *)reg_instant(ctx, r->expires);
	m->terminal = arena_strdup(a, r->terminal);
	m->assisted_by = arena_strdup(a, r->helper);
	m->resolved_at = arena_strdup(a, r->resolved_at);
	m->resolved_by = arena_strdup(a, r->resolved_by);
	m->reason = arena_strdup(a, r->reason);
	m->national_id = arena_strdup(a, r->person_id);
	return m;
}

/*
 * The person a kiosk sends, into *p: only the fields a kiosk asks for,
 * none longer than its place in the store (refused, never cut), the phone
 * normalised.  Returns 0, or -1 with "field: problem" in why.
 */
static int
reg_person_in(const Spis__V1__Person *m, struct store_person *p, char *why,
    size_t whylen)
{
	const struct {
		const char *name, *v;
		char *dst;
		size_t size;
	} f[] = {
		{"national_id", m->national_id, p->national_id,
		    sizeof p->national_id},
		{"given_names", m->given_names, p->given_names,
		    sizeof p->given_names},
		{"surname", m->surname, p->surname, sizeof p->surname},
		{"birth_date", m->birth_date, p->birth_date,
		    sizeof p->birth_date},
		{"sex", m->sex, p->sex, sizeof p->sex},
		{"address", m->address, p->address, sizeof p->address},
		{"municipality", m->municipality, p->municipality,
		    sizeof p->municipality},
		{"phone", m->phone, p->phone, sizeof p->phone},
		{"language", m->language, p->language, sizeof p->language},
	};
	const struct {
		const char *name, *v;
	} office[] = {
		{"email", m->email}, {"disability", m->disability},
		{"employment", m->employment},
		{"deceased_date", m->deceased_date},
		{"merged_into", m->merged_into},
	};

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < sizeof office / sizeof office[0]; i++)
		if (office[i].v[0] != '\0') {
			snprintf(why, whylen, "%s: not asked at a kiosk; an "
			    "office records it", office[i].name);
			return -1;
		}
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (strlen(f[i].v) >= f[i].size) {
			snprintf(why, whylen, "%s: too long", f[i].name);
			return -1;
		}
		snprintf(f[i].dst, f[i].size, "%s", f[i].v);
	}
	person_phone_normalise(m->phone, p->phone, sizeof p->phone);
	if (p->language[0] == '\0')
		snprintf(p->language, sizeof p->language, "lt");
	snprintf(p->disability, sizeof p->disability, "none");
	return 0;
}

static grpc_status_code
reg_submit(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__SubmitRegistrationRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	const char *peer = rpcd_peer_address(ctx);
	struct store_registration r, prev;
	enum store_reg_outcome outcome = STORE_REG_TAKEN;
	Spis__V1__RegistrationReceipt *rc;
	struct store_audit a;
	time_t now = time(NULL);
	char why[200];
	int helped = c != NULL, failures;

	if (c == NULL) {
		/* Alone at the kiosk: the citizen is the actor. */
		c = arena_alloc(ar, sizeof *c);
		snprintf(c->officer.username, sizeof c->officer.username,
		    "citizen");
		snprintf(c->officer.roles, sizeof c->officer.roles,
		    "citizen");
		rpc_ctx_set_user(ctx, c);
	}
	c->purpose = helped ? arena_printf(ar, "registration request at a "
	    "kiosk, assisted by %s", c->officer.username) :
	    "registration request at a kiosk";
	if (req->request_id[0] == '\0' ||
	    strlen(req->request_id) > REG_REQUEST_ID_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "request_id: required (1 to %d characters); send the same "
		    "one again when retrying", REG_REQUEST_ID_MAX);
	if (req->person == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "person: required");
	memset(&r, 0, sizeof r);
	if (reg_person_in(req->person, &r.person, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	if (natid_check(d->country, r.person.national_id, NULL, why,
	    sizeof why) == 0)
		rpcd_audit_subject(ctx, r.person.national_id, NULL);
	if (person_check(d->country, &r.person, why, sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "person.%s",
		    why);
	if (helped && !req->consent_to_help)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "consent_to_help: the citizen must agree to being helped");

	/* Failures from one address are limited as for PINs and logins; a
	 * store that cannot count is over the limit. */
	failures = store_login_failures_peer(d->store, peer,
	    now - d->auth.lockout_seconds);
	if (failures < 0 || failures >= d->auth.peer_failures)
		return rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED, "too many "
		    "failed attempts from this terminal; wait and try again");

	snprintf(r.terminal, sizeof r.terminal, "%s", reg_terminal(ctx));
	if (helped)
		snprintf(r.helper, sizeof r.helper, "%s", c->officer.username);
	snprintf(r.client_request_id, sizeof r.client_request_id, "%s",
	    req->request_id);
	check_now(r.submitted_at, sizeof r.submitted_at);
	r.created = now;
	r.expires = now + d->kiosk.request_days * 86400;
	/* A reference already given is vanishingly rare; another is made. */
	for (int i = 0; i < 4 && outcome == STORE_REG_TAKEN; i++) {
		reg_reference_new(r.reference);
		rpcd_audit_row(ctx, &a, arena_printf(ar, "registration request "
		    "%s submitted for municipality %s", r.reference,
		    r.person.municipality));
		if (store_registration_submit(d->store, &r,
		    (int)d->kiosk.requests_per_day, &a, &outcome, &prev) !=
		    STORE_OK)
			return rpc_error(ctx, GRPC_STATUS_INTERNAL,
			    "internal error");
	}
	switch (outcome) {
	case STORE_REG_NEW:
		break;
	case STORE_REG_REPLAY:
		/* Nothing new was stored; the call is audited as what it
		 * was. */
		r = prev;
		a.detail = arena_printf(ar, "the same registration request "
		    "again: receipt %s", r.reference);
		store_audit_append(d->store, &a);
		break;
	case STORE_REG_REGISTERED:
	case STORE_REG_PENDING:
		/* Either answer tells something about the registry: it
		 * costs a failed attempt, like a wrong PIN. */
		store_login_failure_add(d->store, arena_printf(ar,
		    "registration:%s", r.person.national_id), peer, now);
		if (outcome == STORE_REG_REGISTERED)
			return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
			    "national_id: this personal code is already in the "
			    "registry; ask a social support office for a PIN "
			    "to use the kiosk");
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "national_id: a registration request for this personal "
		    "code is already waiting; take your identity document to "
		    "a social support office");
	case STORE_REG_LIMIT:
		return rpc_error(ctx, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "too many registration requests from this terminal today; "
		    "please ask at a social support office");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rc = RPC_NEW(ctx, Spis__V1__RegistrationReceipt,
	    spis__v1__registration_receipt__init);
	rc->reference = arena_strdup(ar, r.reference);
	rc->submitted_at = arena_strdup(ar, r.submitted_at);
	rc->expires_at = (char *)reg_instant(ctx, r.expires);
	rc->municipality = arena_strdup(ar, r.person.municipality);
	*respm = &rc->base;
	return GRPC_STATUS_OK;
}

struct reg_page {
	struct rpc_ctx *ctx;
	Spis__V1__RegistrationList *l;
	int64_t last;
};

static void
reg_page_one(void *arg, const struct store_registration *r)
{
	struct reg_page *pg = arg;

	pg->l->registrations[pg->l->n_registrations++] = reg_msg(pg->ctx, r);
	pg->last = r->id;
}

static grpc_status_code
reg_list(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListRegistrationsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct reg_page pg = {.ctx = ctx};
	const char *status = req->status[0] != '\0' ? req->status : "pending";
	const char *muni = req->municipality;
	int64_t after = 0;
	int limit, n;
	size_t i;
	char *end;

	for (i = 0; reg_statuses[i] != NULL; i++)
		if (strcmp(status, reg_statuses[i]) == 0)
			break;
	if (reg_statuses[i] == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "status: pending, accepted, rejected or expired");
	if (muni[0] == '\0')
		muni = c->officer.municipality;
	else if (municipality_find(muni) == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "municipality: no municipality has the code \"%.16s\"",
		    muni);
	else if (!authz_in_scope(c, muni))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "municipality: %s is outside your municipality %s", muni,
		    c->officer.municipality);
	if (req->page_size < 0 || req->page_size > REG_PAGE_MAX)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "page_size: from 1 to %d, or 0 for %d", REG_PAGE_MAX,
		    REG_PAGE_DEFAULT);
	if (req->page_token[0] != '\0') {
		after = strtoll(req->page_token, &end, 10);
		if (!isdigit((unsigned char)req->page_token[0]) ||
		    *end != '\0' || after <= 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "page_token: not a token this service gave");
	}
	limit = req->page_size ? req->page_size : REG_PAGE_DEFAULT;
	pg.l = RPC_NEW(ctx, Spis__V1__RegistrationList,
	    spis__v1__registration_list__init);
	pg.l->registrations = arena_alloc(ar,
	    sizeof *pg.l->registrations * (size_t)limit);
	if ((n = store_registration_list(d->store, status, muni, after, limit,
	    time(NULL), reg_page_one, &pg)) < 0)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	pg.l->next_page_token = n == limit ? arena_printf(ar, "%" PRId64,
	    pg.last) : "";
	c->detail = arena_printf(ar, "%d %s registration requests, "
	    "municipality \"%s\"", n, status, muni);
	*respm = &pg.l->base;
	return GRPC_STATUS_OK;
}

/* Reads the request a clerk names, in their scope: the status rpc_error
 * set on failure. */
static grpc_status_code
reg_load(struct rpc_ctx *ctx, const char *reference,
    struct store_registration *r, char *ref, size_t reflen)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	grpc_status_code st;

	if ((st = reg_reference_arg(ctx, reference, ref, reflen)) !=
	    GRPC_STATUS_OK)
		return st;
	switch (store_registration_get(d->store, ref, time(NULL), r)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "reference: no registration request has the reference %s",
		    ref);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	rpcd_audit_subject(ctx, r->person.national_id, "intake");
	if (!authz_in_scope(c, r->person.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "reference: the request is for municipality %s, outside "
		    "your municipality %s", r->person.municipality,
		    c->officer.municipality);
	return GRPC_STATUS_OK;
}

static grpc_status_code
reg_get(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetRegistrationRequest *req = (const void *)reqm;
	struct store_registration r;
	grpc_status_code st;
	char ref[16];

	if ((st = reg_load(ctx, req->reference, &r, ref, sizeof ref)) !=
	    GRPC_STATUS_OK)
		return st;
	*respm = &reg_msg(ctx, &r)->base;
	return GRPC_STATUS_OK;
}

/* Accepts or rejects: status "accepted" (linked to the person registered
 * with the request's national ID) or "rejected". */
static grpc_status_code
reg_resolve(struct rpc_ctx *ctx, const char *reference, const char *status,
    const char *note, int note_required, ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	int accept = strcmp(status, "accepted") == 0;
	struct store_registration r;
	struct store_audit a;
	grpc_status_code st;
	char ref[16], why[96], at[32];

	if ((st = reg_load(ctx, reference, &r, ref, sizeof ref)) !=
	    GRPC_STATUS_OK)
		return st;
	if (check_text(note, note_required, REG_NOTE_MAX, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "%s: %s%s",
		    accept ? "note" : "reason", why, note_required ?
		    " (say why the request is rejected)" : "");
	if (strcmp(r.status, "pending") != 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "reference: the request %s is %s, no longer pending%s", ref,
		    r.status, strcmp(r.status, "expired") == 0 ? "; the "
		    "person can be registered at the desk all the same" : "");
	check_now(at, sizeof at);
	rpcd_audit_row(ctx, &a, arena_printf(ar, "registration request %s %s",
	    ref, status));
	switch (store_registration_resolve(d->store, ref, status,
	    accept ? r.person.national_id : "", c->officer.username, note, at,
	    time(NULL), &a)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: nobody with %s is registered yet; register "
		    "the person from the request first, then accept it",
		    r.person.national_id);
	case STORE_CONFLICT:
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "reference: the request %s is no longer pending", ref);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_registration_get(d->store, ref, time(NULL), &r) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &reg_msg(ctx, &r)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
reg_accept(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__AcceptRegistrationRequest *req = (const void *)reqm;

	return reg_resolve(ctx, req->reference, "accepted", req->note, 0,
	    respm);
}

static grpc_status_code
reg_reject(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__RejectRegistrationRequest *req = (const void *)reqm;

	return reg_resolve(ctx, req->reference, "rejected", req->reason, 1,
	    respm);
}

const struct rpc_method registrations_methods[] = {
	RPC_METHOD(spis__v1__registrations, 0, reg_submit,
	    PERM_REGISTRATION_SUBMIT),
	RPC_METHOD(spis__v1__registrations, 1, reg_list, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registrations, 2, reg_get, PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registrations, 3, reg_accept,
	    PERM_REGISTRY_WRITE),
	RPC_METHOD(spis__v1__registrations, 4, reg_reject,
	    PERM_REGISTRY_WRITE),
};
const size_t registrations_nmethods = sizeof registrations_methods /
    sizeof registrations_methods[0];
