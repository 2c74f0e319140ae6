/*
 * citizen.c: spis.v1.Citizen, a citizen at a kiosk, alone or helped by a
 * volunteer (the intermediary role).
 *
 * An office issues a six-digit PIN (IssuePin); the citizen identifies with
 * their national ID and that PIN (Identify) and gets a token for one
 * sitting at one terminal, sent as "x-spis-citizen" metadata.  A volunteer
 * who helps sends their own session as well: the sitting is bound to it,
 * the citizen's consent is recorded, and every call is audited with both
 * identities (actor the volunteer, subject the citizen).  The sitting ends
 * with EndSitting, when idle or old, when a new PIN is issued, and in
 * effect when the volunteer's session ends.
 *
 * PINs are argon2id hashes.  Identify answers every failure the same way
 * and with the same work (one argon2 verify, against a dummy hash when
 * there is no PIN), counts tries before verifying so that parallel guesses
 * cannot outrun the lock, and audits each outcome itself.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "spis/v1/citizen.pb-c.h"

#include "check.h"
#include "log.h"
#include "rpcd.h"
#include "store_benefit.h"
#include "store_household.h"
#include "store_mybenefits.h"
#include "store_notice.h"
#include "store_person.h"
#include "store_programme.h"
#include "store_renewal.h"
#include "store_citizen.h"

#define CITIZEN_PIN_LEN 6
/* Payments shown per benefit: enough to see a pattern (a failure, the
 * months since), few enough for a kiosk's screen. */
#define CITIZEN_PAYMENTS_SHOWN 6
#define CITIZEN_REASON_MAX 500
#define CITIZEN_NO_REASON "no reason given (objected at a kiosk)"
#define CITIZEN_MAX_FAILURES 5
#define CITIZEN_FAILED "national ID or PIN is wrong, or the PIN is locked; " \
	"an office can issue a new PIN"

/* A PIN hash to verify against when there is none, so that an unknown ID
 * costs what a wrong PIN costs.  Made once; never matches a real PIN's
 * verification since its own PIN is thrown away. */
static char citizen_dummy[crypto_pwhash_STRBYTES];
static pthread_once_t citizen_dummy_once = PTHREAD_ONCE_INIT;

static void
citizen_dummy_make(void)
{
	char pin[CITIZEN_PIN_LEN + 1];

	snprintf(pin, sizeof pin, "%06u", (unsigned)randombytes_uniform(1000000));
	if (crypto_pwhash_str(citizen_dummy, pin, CITIZEN_PIN_LEN,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		fatalx("cannot make the dummy PIN hash: out of memory");
	sodium_memzero(pin, sizeof pin);
}

/* Whether s is exactly n ASCII digits. */
static int
citizen_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i == n;
}

/* The kiosk the call comes from: its verified certificate name, or for a
 * kiosk without one its address (without the port, which changes with
 * every connection).  Arena-owned or the call's own. */
static const char *
citizen_terminal(struct rpc_ctx *ctx)
{
	const char *cn = rpc_ctx_client_cn(ctx);

	return cn != NULL ? cn : rpcd_peer_address(ctx);
}

static const char *
citizen_when(struct rpc_ctx *ctx, time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(rpc_ctx_arena(ctx), buf);
}

/* The purpose an audit row of the sitting gives: the citizen's own
 * business, and whose help it had. */
static const char *
citizen_purpose(struct rpc_ctx *ctx, const char *helper)
{
	if (helper == NULL || helper[0] == '\0')
		return "citizen self-service";
	return arena_printf(rpc_ctx_arena(ctx),
	    "citizen self-service, assisted by %s", helper);
}

grpc_status_code
citizen_authorize(struct rpc_ctx *ctx, struct rpcd_caller **out)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	const char *tok = rpc_ctx_metadata(ctx, "x-spis-citizen");
	const char *auth, *terminal = citizen_terminal(ctx);
	struct store_citizen_sitting s;
	struct rpcd_caller *c;
	uint8_t hash[32];
	char term[128], bad[64];
	time_t now = time(NULL);

	*out = NULL;
	if (tok == NULL || tok[0] == '\0')
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-citizen: no citizen token; identify first");
	crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
	switch (store_citizen_sitting_check(d->store, hash, now,
	    d->kiosk.sitting_idle, &s)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-citizen: sitting unknown, expired or ended; "
		    "identify again");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}

	/* From here on a refusal is audited with whose sitting it was. */
	c = arena_alloc(ar, sizeof *c);
	c->citizen_id = arena_strdup(ar, s.national_id);
	c->subject = c->citizen_id;
	c->purpose = citizen_purpose(ctx, s.helper);
	snprintf(c->officer.username, sizeof c->officer.username, "%s",
	    s.helper[0] != '\0' ? s.helper : "citizen");
	snprintf(c->officer.roles, sizeof c->officer.roles, "%s",
	    s.helper[0] != '\0' ? "intermediary" : "citizen");
	c->expires_at = s.expires_at;
	rpc_ctx_set_user(ctx, c);

	/* A token taken off a kiosk is no good anywhere else. */
	if (strcmp(s.terminal, terminal) != 0)
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "x-spis-citizen: this sitting belongs to another "
		    "terminal");
	if (s.helper[0] == '\0') {
		/* Alone: an officer token sent along changes nothing; the
		 * calls are the citizen's. */
		*out = c;
		return GRPC_STATUS_OK;
	}

	/* Helped: the volunteer's own session must come with every call and
	 * still be live, so that their logout or expiry ends the sitting. */
	auth = rpc_ctx_metadata(ctx, "authorization");
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	    auth[7] == '\0')
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: the volunteer's session has ended");
	crypto_hash_sha256(c->token_hash, (const unsigned char *)auth + 7,
	    strlen(auth + 7));
	if (sodium_memcmp(c->token_hash, s.helper_token_hash, 32) != 0)
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: this sitting was opened with another "
		    "volunteer's session");
	switch (store_session_check(d->store, c->token_hash, now,
	    d->auth.session_idle, &c->officer, &c->expires_at, term,
	    sizeof term)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: the volunteer's session has ended");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (strcmp(term, s.terminal) != 0)
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: this session belongs to another terminal");
	if (authz_roles_parse(c->officer.roles, &c->roles, bad, sizeof bad) !=
	    0)
		c->roles = 0;
	/* The sitting ends no later than the volunteer's session. */
	if (c->expires_at > s.expires_at)
		c->expires_at = s.expires_at;
	*out = c;
	return GRPC_STATUS_OK;
}

/*
 * IssuePin: a fresh PIN replaces any earlier one, unlocked.  The reply
 * carries the PIN in clear, once, for the officer to hand over; the store
 * keeps only its argon2id hash.  The reply is marked secret, so idem.c
 * records no copy of it: a retry with the same request_id is told to issue
 * a new PIN instead of being shown this one again.
 */
static grpc_status_code
citizen_issue_pin(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__IssuePinRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct store_citizen_person p;
	struct store_audit a;
	Spis__V1__IssuedPin *r;
	char pin[CITIZEN_PIN_LEN + 1], hash[crypto_pwhash_STRBYTES];
	char issued[32];

	c->secret_reply = 1;
	if (!citizen_digits(req->national_id, 11))
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "national_id: 11 digits are required");
	rpcd_audit_subject(ctx, req->national_id, NULL);
	switch (store_citizen_person(d->store, req->national_id, &p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: nobody with this national ID is registered");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (!authz_in_scope(c, p.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "national_id: the person lives in municipality %s, outside "
		    "your scope", p.municipality);
	if (p.deceased)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: the person is recorded as deceased");
	if (p.merged)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: this record was merged into another; issue "
		    "the PIN on the record kept");

	/* Hashing takes a good fraction of a second and 64 MiB on purpose;
	 * it is done before the store is touched, outside its lock. */
	snprintf(pin, sizeof pin, "%06u", (unsigned)randombytes_uniform(1000000));
	if (crypto_pwhash_str(hash, pin, CITIZEN_PIN_LEN,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(pin, sizeof pin);
		log_error("citizen: PIN hash failed (out of memory)");
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	check_now(issued, sizeof issued);
	rpcd_audit_row(ctx, &a, "PIN issued; any earlier PIN and open "
	    "sittings ended");
	if (store_citizen_pin_set(d->store, req->national_id, hash, issued,
	    c->officer.username, time(NULL), &a) != STORE_OK) {
		sodium_memzero(pin, sizeof pin);
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	r = RPC_NEW(ctx, Spis__V1__IssuedPin, spis__v1__issued_pin__init);
	r->national_id = arena_strdup(ar, req->national_id);
	r->pin = arena_strdup(ar, pin);
	r->issued_at = arena_strdup(ar, issued);
	sodium_memzero(pin, sizeof pin);
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* Writes Identify's own audit row for a refusal and returns st, whose
 * message is already set. */
static grpc_status_code
citizen_identify_refused(struct rpc_ctx *ctx, grpc_status_code st,
    const char *detail)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct store_audit a;

	rpcd_audit_row(ctx, &a, detail);
	a.outcome = rpc_status_name(st);
	store_audit_append(d->store, &a);
	return st;
}

static grpc_status_code
citizen_identify_pin(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__IdentifyRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	const char *peer = rpcd_peer_address(ctx);
	struct store_citizen_sitting s = {0};
	struct store_citizen_person p;
	struct store_audit a;
	Spis__V1__CitizenSession *r;
	char hash[crypto_pwhash_STRBYTES];
	unsigned char raw[32];
	uint8_t thash[32];
	char token[sodium_base64_ENCODED_LEN(32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	time_t now = time(NULL);
	int64_t try_id;
	int helped = c != NULL, failures, ok;
	enum store_rc rc;

	pthread_once(&citizen_dummy_once, citizen_dummy_make);
	if (c == NULL) {
		/* Alone at the kiosk: the citizen is the actor. */
		c = arena_alloc(ar, sizeof *c);
		snprintf(c->officer.username, sizeof c->officer.username,
		    "citizen");
		snprintf(c->officer.roles, sizeof c->officer.roles,
		    "citizen");
		rpc_ctx_set_user(ctx, c);
	}
	c->purpose = citizen_purpose(ctx, helped ? c->officer.username :
	    NULL);
	if (!citizen_digits(req->national_id, 11))
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_INVALID_ARGUMENT, "national_id: 11 digits are "
		    "required"), "bad national_id");
	c->subject = arena_strdup(ar, req->national_id);
	if (!citizen_digits(req->pin, CITIZEN_PIN_LEN))
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_INVALID_ARGUMENT, "pin: %d digits are "
		    "required", CITIZEN_PIN_LEN), "bad pin");
	if (helped && !req->consent_to_help)
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_FAILED_PRECONDITION, "consent_to_help: the "
		    "citizen must agree to being helped"), "no consent");

	/* Failures from one address are limited as for officer logins (the
	 * same table and limit); a store that cannot count is over it. */
	failures = store_login_failures_peer(d->store, peer,
	    now - d->auth.lockout_seconds);
	if (failures < 0 || failures >= d->auth.peer_failures)
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_RESOURCE_EXHAUSTED, "too many failed attempts "
		    "from this terminal; wait and try again"),
		    "address rate-limited");

	rc = store_citizen_pin_try(d->store, req->national_id,
	    CITIZEN_MAX_FAILURES, peer, now, hash, sizeof hash, &try_id);
	if (rc == STORE_ERR)
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_INTERNAL, "internal error"), "store error");
	/* One verify whatever was found, outside the store's lock. */
	ok = crypto_pwhash_str_verify(rc == STORE_OK ? hash : citizen_dummy,
	    req->pin, strlen(req->pin)) == 0 && rc == STORE_OK;
	sodium_memzero(req->pin, strlen(req->pin));
	if (!ok)
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_UNAUTHENTICATED, CITIZEN_FAILED),
		    rc == STORE_OK ? "wrong PIN" : "no PIN to try: unknown "
		    "ID, none issued, locked, deceased or merged");
	if (store_citizen_pin_ok(d->store, req->national_id, hash,
	    try_id) != STORE_OK ||
	    store_citizen_person(d->store, req->national_id, &p) != STORE_OK)
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_INTERNAL, "internal error"), "store error");

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, sizeof token, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	crypto_hash_sha256(thash, (const unsigned char *)token, strlen(token));
	snprintf(s.national_id, sizeof s.national_id, "%s", req->national_id);
	snprintf(s.terminal, sizeof s.terminal, "%s", citizen_terminal(ctx));
	s.expires_at = now + d->kiosk.sitting_max;
	if (helped) {
		snprintf(s.helper, sizeof s.helper, "%s", c->officer.username);
		memcpy(s.helper_token_hash, c->token_hash, 32);
	}
	rpcd_audit_row(ctx, &a, helped ? arena_printf(ar, "identified; the "
	    "citizen consented to being helped by %s", c->officer.username) :
	    "identified");
	if (store_citizen_sitting_create(d->store, thash, &s, now, &a) !=
	    STORE_OK) {
		sodium_memzero(token, sizeof token);
		return citizen_identify_refused(ctx, rpc_error(ctx,
		    GRPC_STATUS_INTERNAL, "internal error"), "store error");
	}

	r = RPC_NEW(ctx, Spis__V1__CitizenSession,
	    spis__v1__citizen_session__init);
	r->token = arena_strdup(ar, token);
	sodium_memzero(token, sizeof token);
	r->national_id = arena_strdup(ar, req->national_id);
	r->given_names = arena_strdup(ar, p.given_names);
	r->language = arena_strdup(ar, p.language);
	r->expires_at = (char *)citizen_when(ctx, (time_t)s.expires_at);
	r->idle_timeout_seconds = (int32_t)d->kiosk.sitting_idle;
	r->assisted_by = arena_strdup(ar, helped ?
	    c->officer.display_name : "");
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* GetMyDetails: the citizen's own record, nobody else's. */
static grpc_status_code
citizen_get_my_details(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_person p;
	Spis__V1__MyDetails *r;
	char hh[32];

	(void)reqm;
	switch (store_person_get(d->store, c->citizen_id, NULL, &p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: your record is no longer in the registry");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	r = RPC_NEW(ctx, Spis__V1__MyDetails, spis__v1__my_details__init);
	r->person = registry_person_of(ctx, &p);
	if (store_household_of(d->store, p.national_id, NULL, hh,
	    sizeof hh) == STORE_OK &&
	    (r->household = households_msg(ctx, hh, NULL)) != NULL)
		r->person->household_id = arena_strdup(rpc_ctx_arena(ctx), hh);
	*respm = &r->base;
	return GRPC_STATUS_OK;
}

/* The fields a citizen may change at a kiosk; the rest needs an office. */
static const char *const citizen_own_fields[] = {"address", "municipality",
    "phone", "email", "language"};

static grpc_status_code
citizen_update_my_details(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__UpdateMyDetailsRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	const char *values[5], *names[5];
	struct store_person p;
	struct store_audit a;
	char why[200], *reason;
	int changed, helped;

	if (req->n_fields == 0 || req->n_fields > 5)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "fields: name 1 to 5 of address, municipality, phone, "
		    "email, language");
	for (size_t i = 0; i < req->n_fields; i++) {
		const char *f = req->fields[i], *v = NULL;
		size_t k;

		for (k = 0; k < 5; k++)
			if (strcmp(f, citizen_own_fields[k]) == 0)
				break;
		if (k == 5)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "fields: \"%.32s\" cannot be changed at a kiosk; "
			    "an office can change it", f);
		for (size_t j = 0; j < i; j++)
			if (strcmp(req->fields[j], f) == 0)
				return rpc_error(ctx,
				    GRPC_STATUS_INVALID_ARGUMENT,
				    "fields: %s is named twice", f);
		switch (k) {
		case 0: v = req->address; break;
		case 1: v = req->municipality; break;
		case 2: v = req->phone; break;
		case 3: v = req->email; break;
		default: v = req->language; break;
		}
		if (strlen(v) > 800 || person_check_field(f, v, why,
		    sizeof why) != 0)
			return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
			    "%s", strlen(v) > 800 ? "address: too long" : why);
		if (k == 2)
			v = person_phone_normalise(v, arena_alloc(ar,
			    strlen(v) + 1), strlen(v) + 1);
		names[i] = f;
		values[i] = v;
	}
	switch (store_person_get(d->store, c->citizen_id, NULL, &p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: your record is no longer in the registry");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (p.merged_into[0] != '\0' || p.deceased_date[0] != '\0')
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "national_id: this record cannot be changed at a kiosk; "
		    "please visit an office");
	helped = strcmp(c->officer.username, "citizen") != 0;
	reason = arena_printf(ar, "changed by the citizen at kiosk %s%s%s",
	    citizen_terminal(ctx), helped ? ", helped by " : "",
	    helped ? c->officer.username : "");
	rpcd_audit_row(ctx, &a, "details changed at a kiosk");
	/* The history says "citizen": the change is the citizen's own, even
	 * when a volunteer typed it; the audit row names the volunteer. */
	if (store_person_update(d->store, c->citizen_id, req->n_fields, names,
	    values, 0, "citizen", reason, &a, &changed) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	if (changed == 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "fields: nothing differs from what the registry holds");
	if (store_person_get(d->store, c->citizen_id, NULL, &p) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &registry_person_of(ctx, &p)->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
citizen_get_my_access_log(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__GetMyAccessLogRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	Spis__V1__AccessLog *log;
	grpc_status_code st;

	if ((st = registry_access_log(ctx, c->citizen_id, req->page_size,
	    req->page_token, &log)) != GRPC_STATUS_OK)
		return st;
	*respm = &log->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
citizen_end_sitting(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	const char *tok = rpc_ctx_metadata(ctx, "x-spis-citizen");
	uint8_t hash[32];

	(void)reqm;
	/* citizen_authorize found the sitting by this very token. */
	crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
	if (store_citizen_sitting_end(d->store, hash, time(NULL)) ==
	    STORE_ERR)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &RPC_NEW(ctx, Spis__V1__EndSittingReply,
	    spis__v1__end_sitting_reply__init)->base;
	return GRPC_STATUS_OK;
}

/* Applying at a kiosk goes through applications.c, which checks it as it
 * checks an office's application, plus what only a kiosk may not do. */
static grpc_status_code
citizen_get_my_application_form(struct rpc_ctx *ctx,
    const ProtobufCMessage *reqm, ProtobufCMessage **respm)
{
	const Spis__V1__GetMyApplicationFormRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	return applications_form(ctx, c->citizen_id, req->programme, 1, respm);
}

static grpc_status_code
citizen_apply(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ApplyRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	return applications_submit(ctx, c->citizen_id, req->programme,
	    "kiosk", NULL, req->declared, respm);
}

static grpc_status_code
citizen_list_my_applications(struct rpc_ctx *ctx,
    const ProtobufCMessage *reqm, ProtobufCMessage **respm)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	(void)reqm;
	return applications_list(ctx, c->citizen_id, respm);
}

static grpc_status_code
citizen_withdraw_mine(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__MyApplicationRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	return applications_move(ctx, req->reference, "withdrawn",
	    req->reason, 0, c->citizen_id, respm);
}

static grpc_status_code
citizen_appeal_mine(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__MyApplicationRequest *req = (const void *)reqm;
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	return applications_move(ctx, req->reference, "appealed",
	    req->reason, 0, c->citizen_id, respm);
}

/* ------------------------------------------------------------------------
 * My benefits and payments.
 */

/*
 * The next pay day on or after from ("YYYY-MM-DD"): day of this month when
 * it has not passed, else of the next.  day is 1..28, so that every month
 * has it.  Writes into out (at least 11 bytes); "" when from is no date.
 */
static void
citizen_next_pay_day(const char *from, long day, char *out, size_t len)
{
	int y, m, d;

	if (!check_date(from, &y, &m, &d)) {
		snprintf(out, len, "%s", "");
		return;
	}
	if (d > day && ++m > 12) {
		m = 1;
		y++;
	}
	snprintf(out, len, "%04d-%02d-%02ld", y, m, day);
}

struct citizen_mine {
	struct rpc_ctx *ctx;
	struct store_benefit *items;
	size_t n, cap;
	Spis__V1__MyBenefitList *list;
	size_t *rcap;	/* room in each benefit's renewals */
	const char *today;
};

/* Under the store's lock: copies only. */
static void
citizen_benefit_one(void *arg, const struct store_benefit *b)
{
	struct citizen_mine *l = arg;

	l->items = arena_grow(rpc_ctx_arena(l->ctx), l->items, l->n, &l->cap,
	    sizeof *l->items);
	l->items[l->n++] = *b;
}

static Spis__V1__MyBenefit *
citizen_mine_find(struct citizen_mine *l, int64_t id, size_t *at)
{
	for (size_t i = 0; i < l->list->n_benefits; i++)
		if (l->list->benefits[i]->id == id) {
			if (at != NULL)
				*at = i;
			return l->list->benefits[i];
		}
	return NULL;
}

/* Under the store's lock: builds the message only.  Each benefit has
 * room for CITIZEN_PAYMENTS_SHOWN, which the store does not exceed. */
static void
citizen_payment_one(void *arg, const struct store_mypayment *p)
{
	struct citizen_mine *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__MyBenefit *b;
	Spis__V1__MyPayment *m;

	if ((b = citizen_mine_find(l, p->benefit_id, NULL)) == NULL ||
	    b->n_payments >= CITIZEN_PAYMENTS_SHOWN)
		return;
	m = RPC_NEW(l->ctx, Spis__V1__MyPayment, spis__v1__my_payment__init);
	m->period = arena_strdup(a, p->period);
	m->amount = p->amount;
	m->currency = b->currency;
	m->status = arena_strdup(a, p->state);
	m->reason = arena_strdup(a, p->reason);
	m->updated_at = arena_strdup(a, p->updated_at);
	b->payments[b->n_payments++] = m;
}

/* A renewal's message; currency is the benefit's. */
static Spis__V1__MyRenewal *
citizen_renewal_msg(struct rpc_ctx *ctx, const struct store_myrenewal *r,
    const char *currency, const char *today)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__MyRenewal *m;

	m = RPC_NEW(ctx, Spis__V1__MyRenewal, spis__v1__my_renewal__init);
	m->id = r->id;
	m->benefit_id = r->benefit_id;
	m->eligible = r->eligible != 0;
	m->old_amount = r->old_amount;
	m->new_amount = r->new_amount;
	m->currency = arena_strdup(a, currency);
	m->explanation = arena_strdup(a, r->explanation);
	m->objection_until = arena_strdup(a, r->objection_until);
	m->state = arena_strdup(a, r->state);
	/* The store takes an objection until the end of objection_until. */
	m->can_object = strcmp(r->state, "pending") == 0 &&
	    strcmp(today, r->objection_until) <= 0;
	m->reason = arena_strdup(a, strcmp(r->state, "objected") == 0 ?
	    r->reason : "");
	return m;
}

/* Under the store's lock: builds the message only. */
static void
citizen_renewal_one(void *arg, const struct store_myrenewal *r)
{
	struct citizen_mine *l = arg;
	Spis__V1__MyBenefit *b;
	size_t i;

	if ((b = citizen_mine_find(l, r->benefit_id, &i)) == NULL)
		return;
	b->renewals = arena_grow(rpc_ctx_arena(l->ctx), b->renewals,
	    b->n_renewals, &l->rcap[i], sizeof *b->renewals);
	b->renewals[b->n_renewals++] = citizen_renewal_msg(l->ctx, r,
	    b->currency, l->today);
}

/* A benefit's message, without its payments and renewals. */
static Spis__V1__MyBenefit *
citizen_benefit_msg(struct rpc_ctx *ctx, const struct store_benefit *b,
    const char *language, const char *today)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct store_programme *prog;
	Spis__V1__MyBenefit *m;
	char next[16];

	m = RPC_NEW(ctx, Spis__V1__MyBenefit, spis__v1__my_benefit__init);
	m->id = b->id;
	m->programme = arena_strdup(a, b->programme);
	/* A programme that cannot be read is named by its code. */
	prog = arena_alloc(a, sizeof *prog);
	m->programme_name = store_programme_get(d->store, b->programme,
	    prog) == STORE_OK ? arena_strdup(a, programme_name(prog,
	    language)) : m->programme;
	m->application = arena_strdup(a, b->application);
	m->state = arena_strdup(a, b->state);
	m->amount = b->amount;
	m->currency = arena_strdup(a, b->currency);
	m->period = arena_strdup(a, b->period);
	m->start_date = arena_strdup(a, b->start_date);
	m->end_date = arena_strdup(a, b->end_date);
	m->exit_reason = arena_strdup(a, b->exit_reason);
	m->next_payment = "";
	if (strcmp(b->state, "active") == 0 &&
	    strcmp(b->period, "monthly") == 0) {
		citizen_next_pay_day(strcmp(b->start_date, today) > 0 ?
		    b->start_date : today, d->payments.pay_day, next,
		    sizeof next);
		m->next_payment = arena_strdup(a, next);
	}
	m->payments = arena_alloc(a, sizeof *m->payments *
	    CITIZEN_PAYMENTS_SHOWN);
	return m;
}

/*
 * ListMyBenefits: the citizen's benefits, newest first, each with its next
 * pay day, last payments and open renewals.  Whose they are comes from the
 * sitting alone.
 */
static grpc_status_code
citizen_list_my_benefits(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	struct citizen_mine l = {.ctx = ctx};
	struct store_citizen_person p;
	char today[16];

	(void)reqm;
	check_today(today, sizeof today);
	l.today = today;
	switch (store_citizen_person(d->store, c->citizen_id, &p)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "national_id: your record is no longer in the registry");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_benefit_list(d->store, c->citizen_id, citizen_benefit_one,
	    &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	l.list = RPC_NEW(ctx, Spis__V1__MyBenefitList,
	    spis__v1__my_benefit_list__init);
	l.list->today = arena_strdup(a, today);
	l.list->benefits = arena_alloc(a, sizeof *l.list->benefits *
	    (l.n + 1));
	l.rcap = arena_alloc(a, sizeof *l.rcap * (l.n + 1));
	for (size_t i = 0; i < l.n; i++) {
		l.rcap[i] = 0;
		l.list->benefits[l.list->n_benefits++] = citizen_benefit_msg(
		    ctx, &l.items[i], p.language, today);
	}
	if (l.n > 0 && (store_mybenefits_payments(d->store, c->citizen_id,
	    CITIZEN_PAYMENTS_SHOWN, citizen_payment_one, &l) != STORE_OK ||
	    store_mybenefits_renewals(d->store, c->citizen_id,
	    citizen_renewal_one, &l) != STORE_OK))
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &l.list->base;
	return GRPC_STATUS_OK;
}

struct citizen_ren {
	int found;
	int64_t benefit_id;
	int eligible;
	int64_t old_amount, new_amount;
	char national_id[16], objection_until[16], state[16];
	char *explanation, *reason;
	struct arena *a;
};

/* Under the store's lock: copies only. */
static void
citizen_ren_one(void *arg, const struct store_renewal *r)
{
	struct citizen_ren *x = arg;

	x->found = 1;
	x->benefit_id = r->benefit_id;
	x->eligible = r->eligible;
	x->old_amount = r->old_amount;
	x->new_amount = r->new_amount;
	snprintf(x->national_id, sizeof x->national_id, "%s", r->national_id);
	snprintf(x->objection_until, sizeof x->objection_until, "%s",
	    r->objection_until);
	snprintf(x->state, sizeof x->state, "%s", r->state);
	x->explanation = arena_strdup(x->a, r->explanation);
	x->reason = arena_strdup(x->a, r->reason);
}

/*
 * ObjectMine: the citizen objects to an open informative calculation of
 * their own, through the same store path as a caseworker's
 * Benefits.Object, so that the renewal waits for a caseworker in the same
 * way.  Another person's renewal is answered as one that does not exist.
 */
static grpc_status_code
citizen_object_mine(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ObjectMineRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct arena *ar = rpc_ctx_arena(ctx);
	struct citizen_ren x = {.a = ar};
	struct store_myrenewal mr;
	struct store_benefit b;
	struct store_audit a;
	const char *reason;
	char why[96], today[16];

	if (req->renewal_id <= 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "renewal_id: required");
	if (check_text(req->reason, 0, CITIZEN_REASON_MAX, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: %s", why);
	reason = req->reason[strspn(req->reason, " ")] != '\0' ?
	    req->reason : CITIZEN_NO_REASON;
	switch (store_renewal_get(d->store, req->renewal_id, citizen_ren_one,
	    &x)) {
	case STORE_OK:
		if (strcmp(x.national_id, c->citizen_id) == 0)
			break;
		/* Not theirs: answered as one that does not exist. */
		/* FALLTHROUGH */
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "renewal_id: you have no calculation %" PRId64,
		    req->renewal_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	check_today(today, sizeof today);
	rpcd_audit_row(ctx, &a, arena_printf(ar, "renewal %" PRId64 " of "
	    "benefit %" PRId64 ": objected by the citizen", req->renewal_id,
	    x.benefit_id));
	x.found = 0;
	switch (store_renewal_object(d->store, req->renewal_id, today,
	    c->officer.username, reason, &a, citizen_ren_one, &x)) {
	case STORE_OK:
		break;
	case STORE_REFUSED:
		if (strcmp(x.state, "objected") == 0)
			return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
			    "renewal_id: you have objected to this "
			    "calculation already; a social worker will look "
			    "at it");
		if (strcmp(x.state, "pending") != 0)
			return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
			    "renewal_id: this calculation is settled (%s) "
			    "and can no longer be objected to", x.state);
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "renewal_id: the last day to object was %s; a social "
		    "support office can tell you what you can still do",
		    x.objection_until);
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "renewal_id: you have no calculation %" PRId64,
		    req->renewal_id);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	mr = (struct store_myrenewal){.id = req->renewal_id,
	    .benefit_id = x.benefit_id, .eligible = x.eligible,
	    .old_amount = x.old_amount, .new_amount = x.new_amount,
	    .explanation = x.explanation, .objection_until = x.objection_until,
	    .state = x.state, .reason = x.reason};
	*respm = &citizen_renewal_msg(ctx, &mr, store_benefit_get(d->store,
	    x.benefit_id, &b) == STORE_OK ? b.currency : "", today)->base;
	return GRPC_STATUS_OK;
}

struct citizen_letters {
	struct rpc_ctx *ctx;
	Spis__V1__MyLetterList *m;
	size_t cap;
};

/* Under the store's lock: builds the message only. */
static void
citizen_letter_one(void *arg, const struct store_notice_row *n)
{
	struct citizen_letters *l = arg;
	struct arena *a = rpc_ctx_arena(l->ctx);
	Spis__V1__MyLetter *x;

	l->m->letters = arena_grow(a, l->m->letters, l->m->n_letters, &l->cap,
	    sizeof *l->m->letters);
	x = RPC_NEW(l->ctx, Spis__V1__MyLetter, spis__v1__my_letter__init);
	x->id = n->id;
	x->kind = arena_strdup(a, n->kind);
	x->subject = arena_strdup(a, n->subject);
	x->body = arena_strdup(a, n->body);
	x->reference = arena_strdup(a, n->reference);
	x->created_at = arena_strdup(a, n->created_at);
	l->m->letters[l->m->n_letters++] = x;
}

/* ListMyLetters: the notices sent to the citizen, newest first. */
static grpc_status_code
citizen_list_my_letters(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct citizen_letters l = {.ctx = ctx};

	(void)reqm;
	l.m = RPC_NEW(ctx, Spis__V1__MyLetterList,
	    spis__v1__my_letter_list__init);
	if (store_notice_list(d->store, c->citizen_id, citizen_letter_one,
	    &l) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &l.m->base;
	return GRPC_STATUS_OK;
}

/* Identify, with the PIN wiped from the decoded request whichever way it
 * ends, rather than left until the call's arena goes. */
static grpc_status_code
citizen_identify(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__IdentifyRequest *req = (const void *)reqm;
	grpc_status_code st;

	st = citizen_identify_pin(ctx, reqm, respm);
	if (req->pin != NULL)
		sodium_memzero(req->pin, strlen(req->pin));
	return st;
}

const struct rpc_method citizen_methods[] = {
	RPC_METHOD(spis__v1__citizen, 0, citizen_issue_pin, PERM_PIN_ISSUE),
	RPC_METHOD(spis__v1__citizen, 1, citizen_identify,
	    PERM_CITIZEN_IDENTIFY),
	RPC_METHOD(spis__v1__citizen, 2, citizen_get_my_details, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 3, citizen_update_my_details,
	    PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 4, citizen_get_my_access_log,
	    PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 5, citizen_end_sitting, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 6, citizen_get_my_application_form,
	    PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 7, citizen_apply, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 8, citizen_list_my_applications,
	    PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 9, citizen_withdraw_mine, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 10, citizen_appeal_mine, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 11, citizen_list_my_benefits,
	    PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 12, citizen_object_mine, PERM_CITIZEN),
	RPC_METHOD(spis__v1__citizen, 13, citizen_list_my_letters,
	    PERM_CITIZEN),
};
const size_t citizen_nmethods =
    sizeof citizen_methods / sizeof citizen_methods[0];
