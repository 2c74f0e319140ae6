/*
 * auth.c: spis.v1.Auth.  Login itself lives in login.c; this file holds the
 * session calls and officer management.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "spis/v1/auth.pb-c.h"

#include "rpcd.h"

static grpc_status_code
auth_start_login(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__StartLoginRequest *req = (const void *)reqm;

	(void)respm;
	return login_start(ctx, req->username);
}

static grpc_status_code
auth_continue_login(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ContinueLoginRequest *req = (const void *)reqm;
	grpc_status_code st;

	(void)respm;
	st = login_continue(ctx, req->login_id, req->responses,
	    req->n_responses);
	/* A refused step leaves the responses (passwords, codes) here: wipe
	 * them now.  A deferred one has had them wiped by login_continue
	 * already, and must not be touched: the PAM thread may have
	 * answered, and the call's memory gone, by now. */
	if (st != RPC_DEFERRED)
		for (size_t i = 0; i < req->n_responses; i++)
			sodium_memzero(req->responses[i],
			    strlen(req->responses[i]));
	return st;
}

/* Fills a Session message (without token) from the caller. */
static Spis__V1__Session *
auth_session_of(struct rpc_ctx *ctx, const struct rpcd_caller *c)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Session *s = RPC_NEW(ctx, Spis__V1__Session,
	    spis__v1__session__init);
	time_t exp = (time_t)c->expires_at;
	struct tm tm;
	char when[32];

	s->username = arena_strdup(a, c->officer.username);
	s->display_name = arena_strdup(a, c->officer.display_name);
	s->municipality = arena_strdup(a, c->officer.municipality);
	s->roles = authz_role_names(a, c->roles, &s->n_roles);
	gmtime_r(&exp, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	s->expires_at = arena_strdup(a, when);
	s->idle_timeout_seconds = (int32_t)d->auth.session_idle;
	return s;
}

static grpc_status_code
auth_who_am_i(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	(void)reqm;
	*respm = &auth_session_of(ctx, rpc_ctx_user(ctx))->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
auth_logout(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);

	(void)reqm;
	if (store_session_end(d->store, c->token_hash, time(NULL)) ==
	    STORE_ERR)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &RPC_NEW(ctx, Spis__V1__LogoutReply,
	    spis__v1__logout_reply__init)->base;
	return GRPC_STATUS_OK;
}

static Spis__V1__Officer *
auth_officer_msg(struct rpc_ctx *ctx, const struct store_officer *o)
{
	struct arena *a = rpc_ctx_arena(ctx);
	Spis__V1__Officer *m = RPC_NEW(ctx, Spis__V1__Officer,
	    spis__v1__officer__init);
	unsigned bits;
	char bad[64];

	m->username = arena_strdup(a, o->username);
	m->display_name = arena_strdup(a, o->display_name);
	m->municipality = arena_strdup(a, o->municipality);
	m->active = o->active != 0;
	m->created_at = arena_strdup(a, o->created_at);
	m->disabled_reason = arena_strdup(a, o->disabled_reason);
	if (authz_roles_parse(o->roles, &bits, bad, sizeof bad) != 0)
		bits = 0;
	m->roles = authz_role_names(a, bits, &m->n_roles);
	return m;
}

static grpc_status_code
auth_add_officer(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__AddOfficerRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	const Spis__V1__Officer *in = req->officer;
	struct store_officer o = {0};
	char why[160];

	if (in == NULL)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "officer: required");
	if (officer_validate(in->username, in->display_name, in->municipality,
	    (const char *const *)in->roles, in->n_roles, &o, why,
	    sizeof why) != 0)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT, "officer.%s",
		    why);
	if (!authz_in_scope(c, o.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "officer.municipality: %s is outside your municipality %s",
		    o.municipality[0] ? o.municipality : "(national)",
		    c->officer.municipality);
	switch (store_officer_add(d->store, &o, c->officer.username)) {
	case STORE_OK:
		break;
	case STORE_EXISTS:
		return rpc_error(ctx, GRPC_STATUS_ALREADY_EXISTS,
		    "officer.username: %s already exists", o.username);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (store_officer_get(d->store, o.username, &o) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &auth_officer_msg(ctx, &o)->base;
	return GRPC_STATUS_OK;
}

struct auth_list {
	struct rpc_ctx *ctx;
	Spis__V1__OfficerList *list;
	size_t cap;
};

static int
auth_list_one(void *arg, const struct store_officer *o)
{
	struct auth_list *al = arg;
	Spis__V1__OfficerList *l = al->list;

	if (l->n_officers == al->cap) {
		Spis__V1__Officer **n = arena_alloc(rpc_ctx_arena(al->ctx),
		    sizeof *n * (al->cap * 2 + 16));

		if (l->n_officers)
			memcpy(n, l->officers, sizeof *n * l->n_officers);
		l->officers = n;
		al->cap = al->cap * 2 + 16;
	}
	l->officers[l->n_officers++] = auth_officer_msg(al->ctx, o);
	return 0;
}

static grpc_status_code
auth_list_officers(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__ListOfficersRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct auth_list al = {.ctx = ctx};

	al.list = RPC_NEW(ctx, Spis__V1__OfficerList,
	    spis__v1__officer_list__init);
	if (store_officer_list(d->store, req->include_disabled, auth_list_one,
	    &al) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &al.list->base;
	return GRPC_STATUS_OK;
}

static grpc_status_code
auth_disable_officer(struct rpc_ctx *ctx, const ProtobufCMessage *reqm,
    ProtobufCMessage **respm)
{
	const Spis__V1__DisableOfficerRequest *req = (const void *)reqm;
	struct rpcd *d = rpc_ctx_arg(ctx);
	struct rpcd_caller *c = rpc_ctx_user(ctx);
	struct store_officer o;

	if (req->reason[0] == '\0' || strlen(req->reason) > 256)
		return rpc_error(ctx, GRPC_STATUS_INVALID_ARGUMENT,
		    "reason: 1 to 256 bytes are required");
	switch (store_officer_get(d->store, req->username, &o)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return rpc_error(ctx, GRPC_STATUS_NOT_FOUND,
		    "username: no officer %s", req->username);
	default:
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	}
	if (!authz_in_scope(c, o.municipality))
		return rpc_error(ctx, GRPC_STATUS_PERMISSION_DENIED,
		    "username: %s works outside your municipality",
		    req->username);
	if (strcmp(o.username, c->officer.username) == 0)
		return rpc_error(ctx, GRPC_STATUS_FAILED_PRECONDITION,
		    "username: you cannot disable yourself");
	if (store_officer_disable(d->store, o.username, req->reason,
	    time(NULL)) != STORE_OK ||
	    store_officer_get(d->store, o.username, &o) != STORE_OK)
		return rpc_error(ctx, GRPC_STATUS_INTERNAL, "internal error");
	*respm = &auth_officer_msg(ctx, &o)->base;
	return GRPC_STATUS_OK;
}

const struct rpc_method auth_methods[] = {
	RPC_METHOD(spis__v1__auth, 0, auth_start_login, PERM_LOGIN),
	RPC_METHOD(spis__v1__auth, 1, auth_continue_login, PERM_LOGIN),
	RPC_METHOD(spis__v1__auth, 2, auth_logout, PERM_SESSION),
	RPC_METHOD(spis__v1__auth, 3, auth_who_am_i, PERM_SESSION),
	RPC_METHOD(spis__v1__auth, 4, auth_add_officer, PERM_OFFICER_ADMIN),
	RPC_METHOD(spis__v1__auth, 5, auth_list_officers, PERM_OFFICER_READ),
	RPC_METHOD(spis__v1__auth, 6, auth_disable_officer, PERM_OFFICER_ADMIN),
};
const size_t auth_nmethods = sizeof auth_methods / sizeof auth_methods[0];
