/*
 * authz.c: who may call what.  Each method names the permission it needs
 * in its service's table; this file is the only place that decides whether
 * the caller holds it.  Until officers can log in, only public methods are
 * reachable and everything else needs a session.
 */
#include "rpcd.h"

grpc_status_code
authz_check(struct rpc_ctx *ctx, const struct rpc_method *m, void *arg)
{
	(void)arg;
	if (m->permission == PERM_PUBLIC)
		return GRPC_STATUS_OK;
	return rpc_error(ctx, GRPC_STATUS_UNAUTHENTICATED,
	    "authorization: log in first");
}

/*
 * Audits what must be audited about a finished call: every failure (bad
 * input, refused access, errors), so that probing the daemon leaves a trace.
 * Successful public calls such as health checks carry no personal data and
 * are not written.
 */
void
rpcd_audit_call(struct rpc_ctx *ctx, const struct rpc_method *m,
    grpc_status_code status, const char *message, void *arg)
{
	struct rpcd *d = arg;
	struct store_audit a = {0};

	(void)m;
	if (status == GRPC_STATUS_OK)
		return;
	a.terminal = rpc_ctx_client_cn(ctx);
	if (a.terminal == NULL)
		a.terminal = rpc_ctx_peer(ctx);
	a.method = rpc_ctx_path(ctx);
	a.outcome = rpc_status_name(status);
	a.detail = message;
	store_audit_append(d->store, &a);
}
