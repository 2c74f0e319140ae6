/*
 * authz.c: who may call what.  Each method names the permission it needs
 * in its service's table; the role table below is the only place that says
 * which role holds which permission, and authz_check() the only place that
 * decides.  PAM says who an officer is; this says what they may do.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "rpcd.h"

#define P(x) ((uint64_t)1 << (x))

#define READ (P(PERM_REGISTRY_READ) | P(PERM_DOCUMENT_READ))
#define WRITE (P(PERM_REGISTRY_WRITE) | P(PERM_DOCUMENT_WRITE))
#define INTAKE (P(PERM_APPLICATION_READ) | P(PERM_APPLICATION_SUBMIT) | \
    P(PERM_STATUS_READ))

static const struct {
	const char *name;
	uint64_t perms;
} authz_roles[ROLE__COUNT] = {
	/* The helpdesk finds a person to answer about their case; it
	 * neither changes records nor opens their documents. */
	[ROLE_HELPDESK] = {"helpdesk", P(PERM_SESSION) |
	    P(PERM_REGISTRY_READ) | P(PERM_STATUS_READ)},
	/* Clerks take applications in; caseworkers also decide them;
	 * supervisors also sign a decision that goes against the rules. */
	[ROLE_CLERK] = {"clerk", P(PERM_SESSION) | READ | WRITE |
	    P(PERM_DUPLICATE_REVIEW) | P(PERM_PIN_ISSUE) | INTAKE |
	    P(PERM_BENEFIT_READ) | P(PERM_BANK_WRITE) | P(PERM_PAYMENT_RUN) |
	    P(PERM_PAYMENT_READ)},
	[ROLE_CASEWORKER] = {"caseworker", P(PERM_SESSION) | READ | WRITE |
	    INTAKE | P(PERM_APPLICATION_DECIDE) | P(PERM_BENEFIT_READ) |
	    P(PERM_BENEFIT_WRITE) | P(PERM_BANK_WRITE) | P(PERM_FACT_READ)},
	/* The supervisor signs payment runs; a run's creator never can. */
	[ROLE_SUPERVISOR] = {"supervisor", P(PERM_SESSION) |
	    P(PERM_OFFICER_READ) | READ | WRITE | P(PERM_DUPLICATE_REVIEW) |
	    INTAKE | P(PERM_APPLICATION_DECIDE) | P(PERM_DECISION_OVERRIDE) |
	    P(PERM_BENEFIT_READ) | P(PERM_BENEFIT_WRITE) |
	    P(PERM_PAYMENT_APPROVE) | P(PERM_PAYMENT_READ) |
	    P(PERM_RENEWAL_RUN) | P(PERM_FACT_READ) |
	    P(PERM_SIMULATION_RUN)},
	[ROLE_AUDITOR] = {"auditor", P(PERM_SESSION) | P(PERM_OFFICER_READ) |
	    P(PERM_AUDIT_READ) | READ | P(PERM_APPLICATION_READ) |
	    P(PERM_BENEFIT_READ) | P(PERM_PAYMENT_READ)},
	/* Admins run officers and programmes, not cases: no personal
	 * data. */
	[ROLE_ADMIN] = {"admin", P(PERM_SESSION) | P(PERM_OFFICER_READ) |
	    P(PERM_OFFICER_ADMIN) | P(PERM_PROGRAMME_ADMIN) |
	    P(PERM_RENEWAL_RUN) | P(PERM_EXCHANGE_ADMIN) |
	    P(PERM_SIMULATION_RUN)},
	/* A volunteer acts for the citizen in front of them and nothing
	 * else: no browsing, no officers, no audit.  What they do for the
	 * citizen goes through the citizen's sitting (PERM_CITIZEN). */
	[ROLE_INTERMEDIARY] = {"intermediary", P(PERM_SESSION) |
	    P(PERM_CITIZEN_IDENTIFY) | P(PERM_REGISTRATION_SUBMIT)},
	/* An analyst in the ministry plans policy: research extracts that
	 * name nobody and microsimulations, never a person's record. */
	[ROLE_ANALYST] = {"analyst", P(PERM_SESSION) |
	    P(PERM_RESEARCH_SAMPLE) | P(PERM_SIMULATION_RUN)},
};

static const char *const authz_perm_names[PERM__COUNT] = {
	[PERM_PUBLIC] = "public",
	[PERM_LOGIN] = "login",
	[PERM_SESSION] = "session",
	[PERM_OFFICER_READ] = "officer.read",
	[PERM_OFFICER_ADMIN] = "officer.admin",
	[PERM_AUDIT_READ] = "audit.read",
	[PERM_REGISTRY_READ] = "registry.read",
	[PERM_REGISTRY_WRITE] = "registry.write",
	[PERM_DUPLICATE_REVIEW] = "duplicate.review",
	[PERM_DOCUMENT_READ] = "document.read",
	[PERM_DOCUMENT_WRITE] = "document.write",
	[PERM_PIN_ISSUE] = "pin.issue",
	[PERM_CITIZEN_IDENTIFY] = "citizen.identify",
	[PERM_CITIZEN] = "citizen",
	[PERM_PROGRAMME_ADMIN] = "programme.admin",
	[PERM_APPLICATION_READ] = "application.read",
	[PERM_APPLICATION_SUBMIT] = "application.submit",
	[PERM_APPLICATION_DECIDE] = "application.decide",
	[PERM_DECISION_OVERRIDE] = "decision.override",
	[PERM_STATUS_READ] = "status.read",
	[PERM_BENEFIT_READ] = "benefit.read",
	[PERM_BENEFIT_WRITE] = "benefit.write",
	[PERM_BANK_WRITE] = "bank.write",
	[PERM_PAYMENT_RUN] = "payment.run",
	[PERM_PAYMENT_APPROVE] = "payment.approve",
	[PERM_PAYMENT_READ] = "payment.read",
	[PERM_REGISTRATION_SUBMIT] = "registration.submit",
	[PERM_RENEWAL_RUN] = "renewal.run",
	[PERM_EXCHANGE_SUBMIT] = "exchange.submit",
	[PERM_EXCHANGE_SEARCH] = "exchange.search",
	[PERM_EXCHANGE_ADMIN] = "exchange.admin",
	[PERM_FACT_READ] = "fact.read",
	[PERM_RESEARCH_SAMPLE] = "research.sample",
	[PERM_SIMULATION_RUN] = "simulation.run",
};

int
authz_role_allows(enum rpcd_role r, enum rpcd_perm p)
{
	if (p == PERM_PUBLIC || p == PERM_LOGIN)
		return 1;
	return (authz_roles[r].perms & P(p)) != 0;
}

int
authz_caller_may(const struct rpcd_caller *c, enum rpcd_perm p)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		if ((c->roles & (1u << r)) && authz_role_allows(r, p))
			return 1;
	return 0;
}

const char *
authz_perm_name(enum rpcd_perm p)
{
	return authz_perm_names[p];
}

const char *
authz_role_name(enum rpcd_role r)
{
	return authz_roles[r].name;
}

char **
authz_role_names(struct arena *a, unsigned bits, size_t *n)
{
	char **names = arena_alloc(a, sizeof *names * ROLE__COUNT);

	*n = 0;
	for (int r = 0; r < ROLE__COUNT; r++)
		if (bits & (1u << r))
			names[(*n)++] = (char *)authz_roles[r].name;
	return names;
}

int
authz_role_parse(const char *name)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		if (strcmp(name, authz_roles[r].name) == 0)
			return r;
	return -1;
}

int
authz_roles_parse(const char *list, unsigned *bits, char *bad, size_t badlen)
{
	char buf[128], *save = NULL, *tok;
	int r;

	*bits = 0;
	if (strlen(list) >= sizeof buf) {
		snprintf(bad, badlen, "%.20s...", list);
		return -1;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((r = authz_role_parse(tok)) < 0) {
			snprintf(bad, badlen, "%s", tok);
			return -1;
		}
		*bits |= 1u << r;
	}
	if (*bits == 0) {
		snprintf(bad, badlen, "%s", "(none)");
		return -1;
	}
	return 0;
}

int
authz_in_scope(const struct rpcd_caller *c, const char *municipality)
{
	return c->officer.municipality[0] == '\0' ||
	    strcmp(c->officer.municipality, municipality) == 0;
}

void
rpcd_audit_subject(struct rpc_ctx *ctx, const char *subject,
    const char *purpose)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	if (c == NULL)
		return;
	if (subject != NULL)
		c->subject = arena_strdup(rpc_ctx_arena(ctx), subject);
	if (purpose != NULL)
		c->purpose = arena_strdup(rpc_ctx_arena(ctx), purpose);
}

void
rpcd_audit_public(struct rpc_ctx *ctx, const char *subject,
    const char *purpose, const char *detail)
{
	struct arena *a = rpc_ctx_arena(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	/* A public call has no caller: an empty one, so that the row is an
	 * anonymous caller's, as before. */
	if (c == NULL) {
		c = arena_alloc(a, sizeof *c);
		rpc_ctx_set_user(ctx, c);
	}
	c->subject = arena_strdup(a, subject);
	c->purpose = arena_strdup(a, purpose);
	c->detail = arena_strdup(a, detail);
	c->audit_public = 1;
}

/* The audit row of a call, without its outcome. */
static void
authz_audit_fill(struct rpc_ctx *ctx, struct store_audit *a)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	memset(a, 0, sizeof *a);
	if (c != NULL) {
		a->actor = c->officer.username;
		a->role = c->officer.roles;
		a->municipality = c->officer.municipality;
		a->subject = c->subject;
		a->purpose = c->purpose;
		a->detail = c->detail;
	}
	a->terminal = rpc_ctx_client_cn(ctx);
	if (a->terminal == NULL)
		a->terminal = rpc_ctx_peer(ctx);
	a->method = rpc_ctx_path(ctx);
}

void
rpcd_audit_row(struct rpc_ctx *ctx, struct store_audit *a,
    const char *detail)
{
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	authz_audit_fill(ctx, a);
	a->outcome = "OK";
	if (detail != NULL)
		a->detail = arena_strdup(rpc_ctx_arena(ctx), detail);
	if (c != NULL)
		c->audited = 1;
}

const char *
rpcd_peer_address(struct rpc_ctx *ctx)
{
	const char *peer = rpc_ctx_peer(ctx);
	const char *colon = strrchr(peer, ':');

	/* "ipv4:127.0.0.1:5555" and "ipv6:[::1]:5555" lose the port; a unix
	 * peer ("unix:/path") has none to lose. */
	if (strncmp(peer, "ipv", 3) == 0 && colon != NULL && colon > peer + 5)
		return arena_strndup(rpc_ctx_arena(ctx), peer,
		    (size_t)(colon - peer));
	return peer;
}

grpc_status_code
authz_check(struct rpc_ctx *ctx, const struct rpc_method *m, void *arg)
{
	struct rpcd *d = arg;
	struct rpcd_caller *c;
	const char *auth, *cn;
	char terminal[128];
	uint64_t perms = 0;
	char bad[64];

	/* A storage fault met by an earlier call on this thread is not this
	 * call's (rpcd_internal). */
	store_fault_take();
	if (m->permission == PERM_PUBLIC || m->permission == PERM_LOGIN)
		return GRPC_STATUS_OK;
	auth = rpc_ctx_metadata(ctx, "authorization");
	/* A citizen's own calls go by their kiosk sitting; citizen.c also
	 * checks the helping volunteer's session when there is one. */
	if (m->permission == PERM_CITIZEN) {
		grpc_status_code st = citizen_authorize(ctx, &c);

		return st != GRPC_STATUS_OK ? st : idem_begin(ctx, c);
	}
	/* An institution's calls go by its own credential; an officer's
	 * session never stands in for it, nor it for one. */
	if (m->permission == PERM_EXCHANGE_SUBMIT ||
	    m->permission == PERM_EXCHANGE_SEARCH) {
		grpc_status_code st = exchange_authorize(ctx, &c);

		return st != GRPC_STATUS_OK ? st : idem_begin(ctx, c);
	}
	/* A citizen alone at a kiosk identifies, or asks to be registered,
	 * without a session.  A token that is sent must be a live one whose
	 * roles allow it (a volunteer's), checked below like any other. */
	if ((m->permission == PERM_CITIZEN_IDENTIFY ||
	    m->permission == PERM_REGISTRATION_SUBMIT) && auth == NULL)
		return GRPC_STATUS_OK;
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	    auth[7] == '\0')
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: no session token; log in first");
	c = arena_alloc(rpc_ctx_arena(ctx), sizeof *c);
	crypto_hash_sha256(c->token_hash, (const unsigned char *)auth + 7,
	    strlen(auth + 7));
	switch (store_session_check(d->store, c->token_hash, time(NULL),
	    d->auth.session_idle, &c->officer, &c->expires_at, terminal,
	    sizeof terminal)) {
	case STORE_OK:
		/* A token taken off a kiosk is no good anywhere else. */
		cn = rpc_ctx_client_cn(ctx);
		if (terminal[0] != '\0' && (cn == NULL ||
		    strcmp(cn, terminal) != 0))
			return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
			    "authorization: this session belongs to another "
			    "terminal");
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
		    "authorization: session unknown, expired or ended; log "
		    "in again");
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL,
		    "internal error");
	}
	if (authz_roles_parse(c->officer.roles, &c->roles, bad, sizeof bad) !=
	    0)
		c->roles = 0;
	for (int r = 0; r < ROLE__COUNT; r++)
		if (c->roles & (1u << r))
			perms |= authz_roles[r].perms;
	rpc_ctx_set_user(ctx, c);
	if ((perms & P(m->permission)) == 0)
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "%s: your roles (%s) do not include the %s permission",
		    rpc_ctx_path(ctx), c->officer.roles,
		    authz_perm_names[m->permission]);
	return idem_begin(ctx, c);
}

/*
 * A call about to fail INTERNAL because storage failed under it (the disk
 * full or failing, the database read-only) is told UNAVAILABLE instead: the
 * client may try again later, and nothing was changed, as every change is
 * one transaction.  Other internal errors stay INTERNAL and say nothing
 * more; the log has the detail.
 */
void
rpcd_internal(struct rpc_ctx *ctx, void *arg)
{
	const char *fault = store_fault_take();

	(void)arg;
	if (fault != NULL)
		rpc_error(ctx, GRPC_STATUS_UNAVAILABLE, "the registry cannot "
		    "store anything just now (%s); nothing was changed, try "
		    "again later", fault);
}

/*
 * Audits what must be audited about a finished call: every failure (bad
 * input, refused access, errors) and every call made in a session, so that
 * probing the daemon leaves a trace.  Successful public calls such as health
 * checks carry no personal data and are not written; logins audit
 * themselves in login.c, where the outcome is known.
 */
/* The row of a held call is written: it may be answered now. */
static void
authz_audited(void *arg, int rc)
{
	(void)rc; /* a row held in memory still lets the call be answered */
	rpc_release(arg);
}

void
rpcd_audit_call(struct rpc_ctx *ctx, const struct rpc_method *m,
    grpc_status_code status, const char *message, void *arg)
{
	struct rpcd *d = arg;
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_audit a = {0};

	/* Login calls that reached their handler audit themselves; those
	 * refused before it (no decodable body) are audited here. */
	if (m != NULL && m->permission == PERM_LOGIN &&
	    rpc_ctx_request(ctx) != NULL)
		return;
	/* So does a citizen's Identify once its handler has run (it marks
	 * the call audited); refused before that, it is audited here. */
	if (m != NULL && m->permission == PERM_CITIZEN_IDENTIFY && c != NULL &&
	    c->audited)
		return;
	idem_end(ctx, c, status, message);
	if (status == GRPC_STATUS_OK && (m == NULL ||
	    (m->permission == PERM_PUBLIC && (c == NULL || !c->audit_public))))
		return;
	/* A change whose row went in with it is audited already; should its
	 * reply then fail to go out, that is not worth a second row. */
	if (c != NULL && c->audited && status == GRPC_STATUS_OK)
		return;
	authz_audit_fill(ctx, &a);
	a.outcome = rpc_status_name(status);
	if (status != GRPC_STATUS_OK || a.detail == NULL)
		a.detail = message;
	/* The answer waits for its row to be durable, but not on an RPC
	 * thread: the call is held and the store's writer answers it. */
	if (rpc_may_hold(ctx)) {
		struct store_audit *held = arena_alloc(rpc_ctx_arena(ctx),
		    sizeof *held);

		*held = a;
		rpc_hold(ctx);
		store_audit_append_async(d->store, held, authz_audited, ctx);
	} else
		store_audit_append(d->store, &a);
}
